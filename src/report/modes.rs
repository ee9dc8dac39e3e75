//! Every mode in its own terms: which columns, in which units, a table shows for an entity,
//! decided from the modes of the flows that pass it (see [`Assumptions`]).
//!
//! - trucks: trucks and tonnes per day, the road queue in km;
//! - trains: trains, wagons and TEU per day, dwell (time in the station), trains held outside,
//!   crane or bogie-exchange utilisation, and on links the wait for a path apart from the travel;
//! - barges: barges and tonnes per day, the berth or lock wait, the season.
//!
//! No road km for trains or barges, no "trucks/day" over vehicles of several modes: where an
//! entity's modes are mixed or unknown (results written without their assumptions) the columns
//! say "vehicles". The text tables and the HTML report take their columns from here.

use crate::kpi::{Assumptions, NodeAssumptions, per_day_kpi};
use crate::model::Mode;

/// The traffic an entity carries, which decides its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Traffic {
    /// Trucks only.
    Trucks,
    /// Trains only.
    Trains,
    /// Barges only.
    Barges,
    /// Several modes, or not known.
    Mixed,
}

impl Traffic {
    /// The traffic of entities passed by flows of `modes` ("truck", "train", "barge").
    pub(crate) fn of(modes: &[String]) -> Traffic {
        match modes {
            [m] if m == "truck" => Traffic::Trucks,
            [m] if m == "train" => Traffic::Trains,
            [m] if m == "barge" => Traffic::Barges,
            _ => Traffic::Mixed,
        }
    }

    /// The vehicles, plural: "trucks", "trains", "barges", "vehicles".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Traffic::Trucks => "trucks",
            Traffic::Trains => "trains",
            Traffic::Barges => "barges",
            Traffic::Mixed => "vehicles",
        }
    }

    /// The vehicles, capitalised: "Trucks", "Trains", "Barges", "Vehicles".
    pub(crate) fn title(self) -> &'static str {
        match self {
            Traffic::Trucks => "Trucks",
            Traffic::Trains => "Trains",
            Traffic::Barges => "Barges",
            Traffic::Mixed => "Vehicles",
        }
    }
}

/// The traffic of node `id` (`Mixed` when the assumptions are not known).
pub(crate) fn node_traffic(a: Option<&Assumptions>, id: &str) -> Traffic {
    a.and_then(|a| a.node(id))
        .map_or(Traffic::Mixed, |n| Traffic::of(&n.modes))
}

/// The traffic of all flows of a scenario (`Mixed` with several modes or unknown).
pub(crate) fn scenario_traffic(a: Option<&Assumptions>) -> Traffic {
    a.map_or(Traffic::Mixed, |a| Traffic::of(&a.modes()))
}

/// The traffic of flow `id`.
pub(crate) fn flow_traffic(a: Option<&Assumptions>, id: &str) -> Traffic {
    a.and_then(|a| a.flow(id)).map_or(Traffic::Mixed, |f| {
        Traffic::of(std::slice::from_ref(&f.mode))
    })
}

/// A column: header, KPI, scale factor, most decimals (text tables).
pub(crate) struct Col {
    /// Header.
    pub header: String,
    /// KPI name.
    pub kpi: &'static str,
    /// Scale factor (100 for a share in %).
    pub scale: f64,
    /// Most decimals in text tables.
    pub decimals: i32,
}

fn c(header: impl Into<String>, kpi: &'static str, scale: f64, decimals: i32) -> Col {
    Col {
        header: header.into(),
        kpi,
        scale,
        decimals,
    }
}

/// The gauge-change equipment of a node in words ("crane", "bogie-exchange", "crane and
/// bogie-exchange"), if it has any.
pub(crate) fn equipment(node: Option<&NodeAssumptions>) -> Option<&'static str> {
    let has = |u: &str| node.is_some_and(|n| n.stages.iter().any(|s| s.unit == u));
    match (has("cranes"), has("positions")) {
        (true, true) => Some("crane and bogie-exchange"),
        (true, false) => Some("crane"),
        (false, true) => Some("bogie-exchange"),
        (false, false) => None,
    }
}

/// True if node `node` serves at berths (a port).
fn has_berths(node: Option<&NodeAssumptions>) -> bool {
    node.is_some_and(|n| n.stages.iter().any(|s| s.unit == "berths"))
}

/// Text columns of a checkpoint or terminal.
pub(crate) fn node_text(t: Traffic, node: Option<&NodeAssumptions>) -> Vec<Col> {
    let n = t.noun();
    match t {
        Traffic::Trucks | Traffic::Mixed => {
            let mut cols = vec![
                c(format!("{n}/day"), "served_per_day", 1.0, 1),
                c("left/day", "departures_per_day", 1.0, 1),
                c("t/day", "tonnes_per_day", 1.0, 0),
                c("wait mean [h]", "wait_mean_h", 1.0, 2),
                c("wait p95 [h]", "wait_p95_h", 1.0, 2),
                c("in system [h]", "time_in_system_mean_h", 1.0, 2),
                c(format!("queue mean [{n}]"), "queue_mean", 1.0, 1),
                c(format!("queue max [{n}]"), "queue_max", 1.0, 0),
            ];
            // Road km are trucks on the road: not for a node whose traffic is not all trucks.
            if t == Traffic::Trucks {
                cols.push(c("road mean [km]", "queue_km_mean", 1.0, 2));
                cols.push(c("road max [km]", "queue_km_max", 1.0, 1));
            }
            cols.push(c("util [%]", "utilization", 100.0, 1));
            cols.push(c(format!("backlog [{n}]"), "backlog_end", 1.0, 0));
            cols
        }
        Traffic::Trains => {
            let mut cols = vec![
                c("trains/day", "served_per_day", 1.0, 1),
                c("left/day", "departures_per_day", 1.0, 1),
                c("wagons/day", "wagons_per_day", 1.0, 0),
                c("TEU/day", "teu_per_day", 1.0, 0),
                c("t/day", "tonnes_per_day", 1.0, 0),
                c("wait mean [h]", "wait_mean_h", 1.0, 2),
                c("dwell mean [h]", "time_in_system_mean_h", 1.0, 2),
                c("dwell p95 [h]", "time_in_system_p95_h", 1.0, 2),
                c("held outside [trains, total]", "held_outside", 1.0, 1),
            ];
            if let Some(e) = equipment(node) {
                cols.push(c(format!("{e} util [%]"), "crane_utilization", 100.0, 1));
            }
            cols.push(c("busiest stage util [%]", "utilization", 100.0, 1));
            cols.push(c("backlog [trains]", "backlog_end", 1.0, 0));
            cols
        }
        Traffic::Barges => {
            let berths = has_berths(node);
            vec![
                c("barges/day", "served_per_day", 1.0, 2),
                c("left/day", "departures_per_day", 1.0, 2),
                c("t/day", "tonnes_per_day", 1.0, 0),
                c(
                    if berths {
                        "berth wait mean [h]"
                    } else {
                        "wait mean [h]"
                    },
                    "wait_mean_h",
                    1.0,
                    2,
                ),
                c("wait p95 [h]", "wait_p95_h", 1.0, 2),
                c(
                    if berths {
                        "in port [h]"
                    } else {
                        "in system [h]"
                    },
                    "time_in_system_mean_h",
                    1.0,
                    2,
                ),
                c("queue mean [barges]", "queue_mean", 1.0, 1),
                c("util [%]", "utilization", 100.0, 1),
                c("backlog [barges]", "backlog_end", 1.0, 0),
            ]
        }
    }
}

/// Text columns of a link: the wait for a path and the travel apart.
pub(crate) fn link_text(t: Traffic) -> Vec<Col> {
    let n = t.noun();
    let wait = match t {
        Traffic::Trains => "path wait mean [h]",
        Traffic::Barges => "lock/path wait mean [h]",
        _ => "wait mean [h]",
    };
    let mut cols = vec![
        c(format!("{n}/day"), "served_per_day", 1.0, 2),
        c("t/day", "tonnes_per_day", 1.0, 0),
        c(wait, "path_wait_mean_h", 1.0, 2),
        c("travel mean [h]", "travel_mean_h", 1.0, 2),
        c(format!("queue mean [{n}]"), "queue_mean", 1.0, 1),
    ];
    if t == Traffic::Trucks {
        cols.push(c("road max [km]", "queue_km_max", 1.0, 1));
    } else {
        cols.push(c("paths used up [days]", "quota_days_exhausted", 1.0, 0));
    }
    cols.push(c(format!("backlog [{n}]"), "backlog_end", 1.0, 0));
    cols
}

/// Text columns of a stage of a checkpoint or terminal.
pub(crate) fn stage_text(t: Traffic) -> Vec<Col> {
    let n = t.noun();
    let mut cols = vec![
        c(format!("{n}/day"), "served_per_day", 1.0, 1),
        c("wait mean [h]", "wait_mean_h", 1.0, 2),
        c("wait p95 [h]", "wait_p95_h", 1.0, 2),
        c("wait max [h]", "wait_max_h", 1.0, 1),
        c(format!("queue mean [{n}]"), "queue_mean", 1.0, 1),
    ];
    match t {
        Traffic::Trucks => cols.push(c("road max [km]", "queue_km_max", 1.0, 1)),
        Traffic::Trains => cols.push(c("held outside [trains]", "held_outside", 1.0, 1)),
        _ => {}
    }
    let server = if t == Traffic::Trucks {
        "lane"
    } else {
        "server"
    };
    cols.extend([
        c("util [%]", "utilization", 100.0, 1),
        c(
            format!("staff [{server}-h/d]"),
            "staff_lane_hours_per_day",
            1.0,
            1,
        ),
        c(
            format!("overtime [{server}-h/d]"),
            "overtime_lane_hours_per_day",
            1.0,
            1,
        ),
        c("quota days", "quota_days_exhausted", 1.0, 0),
    ]);
    cols
}

/// Text columns of a flow (or, with `delivered`, of a cargo class: cargo counted where it is
/// delivered).
pub(crate) fn flow_text(t: Traffic, delivered: bool) -> Vec<Col> {
    let n = t.noun();
    let tonnes = if delivered {
        "t/day delivered"
    } else {
        "t/day"
    };
    let mut cols = vec![c(format!("{n}/day"), "served_per_day", 1.0, 1)];
    if t == Traffic::Trains {
        cols.push(c("wagons/day", "wagons_per_day", 1.0, 0));
        cols.push(c(
            if delivered {
                "TEU/day delivered"
            } else {
                "TEU/day"
            },
            "teu_per_day",
            1.0,
            0,
        ));
    }
    cols.extend([
        c(tonnes, "tonnes_per_day", 1.0, 0),
        c("wait mean [h]", "wait_mean_h", 1.0, 2),
        c("wait p95 [h]", "wait_p95_h", 1.0, 2),
        c("wait p99 [h]", "wait_p99_h", 1.0, 2),
        c("in system [h]", "time_in_system_mean_h", 1.0, 2),
        c(format!("over max_wait [{n}]"), "over_limit", 1.0, 0),
        c(format!("backlog [{n}]"), "backlog_end", 1.0, 0),
    ]);
    cols
}

/// Text columns of the whole system with several modes: vehicles per day of each mode apart,
/// cargo counted once, where it is delivered.
pub(crate) fn system_text(modes: &[String]) -> Vec<Col> {
    let mut cols: Vec<Col> = [Mode::Truck, Mode::Train, Mode::Barge]
        .into_iter()
        .filter(|m| modes.iter().any(|x| x == crate::kpi::mode_name(*m)))
        .map(|m| {
            let name = per_day_kpi(m);
            c(name.replace("_per_day", "/day"), name, 1.0, 1)
        })
        .collect();
    cols.extend([
        c("t/day delivered", "tonnes_per_day", 1.0, 0),
        c("TEU/day delivered", "teu_per_day", 1.0, 0),
        c("on the way at the end [t]", "backlog_tonnes_end", 1.0, 0),
    ]);
    cols
}

/// HTML columns of a checkpoint or terminal, one row per point.
pub(crate) fn node_html(t: Traffic, node: Option<&NodeAssumptions>) -> Vec<Col> {
    let n = t.noun();
    match t {
        Traffic::Trucks | Traffic::Mixed => {
            let mut cols = vec![
                c(format!("Served [{n}/day]"), "served_per_day", 1.0, 1),
                c("Cargo [t/day]", "tonnes_per_day", 1.0, 0),
                c("Mean wait [h]", "wait_mean_h", 1.0, 2),
                c("95th pct wait [h]", "wait_p95_h", 1.0, 2),
                c(format!("Mean queue [{n}]"), "queue_mean", 1.0, 1),
            ];
            if t == Traffic::Trucks {
                cols.push(c("Max road queue [km]", "queue_km_max", 1.0, 1));
            }
            cols.extend([
                c(
                    format!("Mean queue inside [{n}]"),
                    "queue_inside_mean",
                    1.0,
                    1,
                ),
                c("Mean blocked lanes", "blocked_mean", 1.0, 2),
                c("Utilisation [%]", "utilization", 100.0, 1),
                c("Staff [lane-h/day]", "staff_lane_hours_per_day", 1.0, 1),
                c(
                    "Overtime [lane-h/day]",
                    "overtime_lane_hours_per_day",
                    1.0,
                    1,
                ),
                c("Quota days", "quota_days_exhausted", 1.0, 0),
            ]);
            cols
        }
        Traffic::Trains => {
            let mut cols = vec![
                c("Trains [per day]", "served_per_day", 1.0, 1),
                c("Wagons [per day]", "wagons_per_day", 1.0, 0),
                c("TEU [per day]", "teu_per_day", 1.0, 0),
                c("Cargo [t/day]", "tonnes_per_day", 1.0, 0),
                c("Mean wait [h]", "wait_mean_h", 1.0, 2),
                c("Mean dwell [h]", "time_in_system_mean_h", 1.0, 2),
                c("95th pct dwell [h]", "time_in_system_p95_h", 1.0, 2),
                c("Trains held outside [total]", "held_outside", 1.0, 1),
            ];
            if let Some(e) = equipment(node) {
                let mut title = e.to_string();
                title[..1].make_ascii_uppercase();
                cols.push(c(
                    format!("{title} utilisation [%]"),
                    "crane_utilization",
                    100.0,
                    1,
                ));
            }
            cols.extend([
                c("Busiest stage utilisation [%]", "utilization", 100.0, 1),
                c("Mean blocked tracks and lanes", "blocked_mean", 1.0, 2),
                c("Quota days", "quota_days_exhausted", 1.0, 0),
            ]);
            cols
        }
        Traffic::Barges => {
            let berths = has_berths(node);
            vec![
                c("Barges [per day]", "served_per_day", 1.0, 2),
                c("Cargo [t/day]", "tonnes_per_day", 1.0, 0),
                c(
                    if berths {
                        "Mean berth wait [h]"
                    } else {
                        "Mean wait [h]"
                    },
                    "wait_mean_h",
                    1.0,
                    2,
                ),
                c("95th pct wait [h]", "wait_p95_h", 1.0, 2),
                c(
                    if berths {
                        "Mean time in port [h]"
                    } else {
                        "Mean time in system [h]"
                    },
                    "time_in_system_mean_h",
                    1.0,
                    2,
                ),
                c("Mean queue [barges]", "queue_mean", 1.0, 1),
                c("Utilisation [%]", "utilization", 100.0, 1),
                c("Quota days", "quota_days_exhausted", 1.0, 0),
            ]
        }
    }
}

/// HTML columns of a link.
pub(crate) fn link_html(t: Traffic) -> Vec<Col> {
    let (n, title) = (t.noun(), t.title());
    let wait = match t {
        Traffic::Trains => "Mean wait for a path [h]",
        Traffic::Barges => "Mean lock/path wait [h]",
        _ => "Mean wait [h]",
    };
    let mut cols = vec![
        c(format!("{title} [per day]"), "served_per_day", 1.0, 2),
        c("Cargo [t/day]", "tonnes_per_day", 1.0, 0),
        c(wait, "path_wait_mean_h", 1.0, 2),
        c("Mean travel [h]", "travel_mean_h", 1.0, 2),
        c(format!("Mean queue [{n}]"), "queue_mean", 1.0, 1),
    ];
    if t == Traffic::Trucks {
        cols.push(c("Max road queue [km]", "queue_km_max", 1.0, 1));
    } else {
        cols.push(c("Days all paths used", "quota_days_exhausted", 1.0, 0));
    }
    cols.push(c(format!("Backlog [{n}]"), "backlog_end", 1.0, 0));
    cols
}

/// HTML columns of a flow (or, with `delivered`, a cargo class).
pub(crate) fn flow_html(t: Traffic, delivered: bool) -> Vec<Col> {
    let (n, title) = (t.noun(), t.title());
    let mut cols = vec![c(format!("{title} [per day]"), "served_per_day", 1.0, 1)];
    if t == Traffic::Trains {
        cols.push(c("Wagons [per day]", "wagons_per_day", 1.0, 0));
        cols.push(c("TEU [per day]", "teu_per_day", 1.0, 0));
    }
    cols.extend([
        c(
            if delivered {
                "Cargo delivered [t/day]"
            } else {
                "Cargo [t/day]"
            },
            "tonnes_per_day",
            1.0,
            0,
        ),
        c("Mean wait [h]", "wait_mean_h", 1.0, 2),
        c("95th pct wait [h]", "wait_p95_h", 1.0, 2),
        c("Mean time in system [h]", "time_in_system_mean_h", 1.0, 2),
        c(format!("Over max_wait [{n}]"), "over_limit", 1.0, 0),
        c(format!("Backlog [{n}]"), "backlog_end", 1.0, 0),
    ]);
    cols
}

/// The KPI of vehicles per day of `mode` at the system level, with its header.
pub(crate) fn system_mode_cols(modes: &[String]) -> Vec<Col> {
    [Mode::Truck, Mode::Train, Mode::Barge]
        .into_iter()
        .filter(|m| modes.iter().any(|x| x == crate::kpi::mode_name(*m)))
        .map(|m| {
            let t = Traffic::of(&[crate::kpi::mode_name(m).to_string()]);
            c(format!("{} [per day]", t.title()), per_day_kpi(m), 1.0, 1)
        })
        .collect()
}

/// Where cargo counts in a scenario with transfers, in words: once, where it is delivered. `None`
/// without transfers.
pub(crate) fn cargo_note(a: &Assumptions) -> Option<String> {
    let parts: Vec<String> = a
        .nodes
        .iter()
        .filter_map(|n| {
            let onward = n.transfer_to.as_ref()?;
            let feeders: Vec<&str> = a
                .flows
                .iter()
                .filter(|f| f.route.last() == Some(&n.id))
                .map(|f| f.id.as_str())
                .collect();
            Some(format!(
                "the cargo {} unload{} at {} counts on {}",
                feeders.join(" and "),
                if feeders.len() == 1 { "s" } else { "" },
                n.id,
                onward
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "Cargo counts once, where it is delivered: {} (its onward vehicles), not again on the \
             vehicles that brought it.",
            parts.join("; ")
        )
    })
}
