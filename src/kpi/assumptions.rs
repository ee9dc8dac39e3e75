//! What was simulated, in a planner's words, derived from the model (so after every command-line
//! override and sweep change): per node its kind and the modes of the flows routed through it;
//! per stage its servers in their own unit, its hours in words on its own clock, its quota,
//! buffer and mean service; per flow its mode, class, load and demand.
//!
//! `run --json` prints it as `assumptions`; a sweep records it for every point in its manifest,
//! so the report can list the baseline's and say what each point changed. The reports lay it out
//! (`report::assumptions`) and decide each entity's units from it (`report::modes`).

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::model::{
    Arrivals, CheckpointSpec, FlowSpec, LaneProfile, Mode, Model, NodeKind, StageKind, StageSpec,
};
use crate::time::{Date, MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, SimTime, date_plus_days};

/// What was simulated: the nodes with their stages, and the flows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Assumptions {
    /// The reference clock ("UTC+05:00"): timetables and hour-of-day results are read on it.
    pub reference_clock: String,
    /// Checkpoints, links and terminals, in model order.
    pub nodes: Vec<NodeAssumptions>,
    /// Flows, in model order.
    pub flows: Vec<FlowAssumptions>,
    /// Crossings whose crossing time is reported, in declaration order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crossings: Vec<CrossingAssumptions>,
}

/// A crossing: the nodes whose crossing time is reported together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CrossingAssumptions {
    /// Crossing id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Direction label, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Node ids in the order vehicles pass them.
    pub nodes: Vec<String>,
    /// Modes of the flows whose routes pass it ("truck", "train", "barge"): one KPI row each.
    pub modes: Vec<String>,
}

/// A checkpoint, link or terminal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeAssumptions {
    /// Node id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// "checkpoint", "link" or "terminal".
    pub kind: String,
    /// Modes of the flows routed through it ("truck", "train", "barge"), in that order.
    pub modes: Vec<String>,
    /// Its stages in the order vehicles pass them (a link has one, "link").
    pub stages: Vec<StageAssumptions>,
    /// A terminal's onward flow, which carries the cargo on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_to: Option<String>,
}

/// A stage as simulated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageAssumptions {
    /// Stage id.
    pub id: String,
    /// What a server is: "lanes", "tracks", "cranes", "positions", "berths" ("link" for a link).
    pub unit: String,
    /// Servers (the largest count of a schedule).
    pub servers: u32,
    /// A daily schedule of servers on the stage's clock ("08:00-20:00 10, 20:00-08:00 4").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lanes_by_hour: Option<String>,
    /// Opening hours in words on the stage's clock ("24/7; closed 05-01, 05-09").
    pub hours: String,
    /// The stage's clock ("UTC+08:00").
    pub clock: String,
    /// The date it opens, for a new crossing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<String>,
    /// Service starts (for a link: departures, its paths) allowed per local day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u32>,
    /// Wagons admitted per local day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota_wagons: Option<u32>,
    /// Places to wait in front of it (none: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer: Option<u32>,
    /// Mean service of one unit of work (`service_per`) \[min\] (for a link: its travel).
    pub service_mean_min: f64,
    /// What one service is for: "vehicle", "container" (cranes) or "wagon" (bogie exchange).
    pub service_per: String,
    /// The service distribution in words ("lognormal, mean 30 min, sd 27 min").
    pub service: String,
    /// Extra service of some vehicles ("x-ray of 10 % of vehicles, +21.67 min mean").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<String>,
    /// Cargo handling at a berth or lane \[t/h\], added to the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_rate_tph: Option<f64>,
    /// Driving to it from the previous stage, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel: Option<String>,
    /// Classes served first, highest first ("perishable").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<String>,
    /// Servers kept for some classes ("1 lane for perishable").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<String>,
    /// Dated changes of servers or quota ("from 2026-03-01: 30 lanes, quota 680/day").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

/// A flow as simulated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowAssumptions {
    /// Flow id.
    pub id: String,
    /// "truck", "train" or "barge".
    pub mode: String,
    /// Cargo class.
    pub class: String,
    /// Node ids in the order passed.
    pub route: Vec<String>,
    /// What one vehicle carries ("41 wagons, 41 containers, 82 TEU, 820 t").
    pub load: String,
    /// The arrival process in words ("Poisson, 9/h").
    pub demand: String,
    /// Mean vehicles per day over the run (none for a flow fed by a terminal or another flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<f64>,
}

impl Assumptions {
    /// What `m` simulates.
    pub fn of(m: &Model) -> Assumptions {
        Assumptions {
            reference_clock: clock_words(m.utc_offset.as_ms()),
            nodes: m
                .checkpoints
                .iter()
                .enumerate()
                .map(|(i, c)| node(m, i, c))
                .collect(),
            flows: m.flows.iter().map(|f| flow(m, f)).collect(),
            crossings: {
                let slots = m.crossing_slots();
                m.crossings
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CrossingAssumptions {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        direction: c.direction.clone(),
                        nodes: c
                            .nodes
                            .iter()
                            .map(|&n| m.checkpoints[n as usize].id.clone())
                            .collect(),
                        modes: slots
                            .iter()
                            .filter(|s| s.crossing as usize == i)
                            .map(|s| mode_name(s.mode).to_string())
                            .collect(),
                    })
                    .collect()
            },
        }
    }

    /// The crossing `id`, if any.
    pub fn crossing(&self, id: &str) -> Option<&CrossingAssumptions> {
        self.crossings.iter().find(|c| c.id == id)
    }

    /// The node `id`, if any.
    pub fn node(&self, id: &str) -> Option<&NodeAssumptions> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The node and stage of a stage key "node/stage", if any.
    pub fn stage(&self, key: &str) -> Option<(&NodeAssumptions, &StageAssumptions)> {
        let (n, s) = key.split_once('/')?;
        let node = self.node(n)?;
        Some((node, node.stages.iter().find(|x| x.id == s)?))
    }

    /// The flow `id`, if any.
    pub fn flow(&self, id: &str) -> Option<&FlowAssumptions> {
        self.flows.iter().find(|f| f.id == id)
    }

    /// The modes of all flows, in the order truck, train, barge.
    pub fn modes(&self) -> Vec<String> {
        ["truck", "train", "barge"]
            .into_iter()
            .filter(|m| self.flows.iter().any(|f| f.mode == *m))
            .map(str::to_string)
            .collect()
    }
}

/// The name of mode `m` in files.
pub fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Truck => "truck",
        Mode::Train => "train",
        Mode::Barge => "barge",
    }
}

fn node(m: &Model, i: usize, c: &CheckpointSpec) -> NodeAssumptions {
    let modes = [Mode::Truck, Mode::Train, Mode::Barge]
        .into_iter()
        .filter(|&md| {
            m.flows
                .iter()
                .any(|f| f.mode == md && f.route.contains(&(i as u32)))
        })
        .map(|md| mode_name(md).to_string())
        .collect();
    NodeAssumptions {
        id: c.id.clone(),
        name: c.name.clone(),
        kind: match c.kind {
            NodeKind::Checkpoint => "checkpoint",
            NodeKind::Link => "link",
            NodeKind::Terminal => "terminal",
        }
        .into(),
        modes,
        stages: c
            .stages
            .iter()
            .map(|&s| stage(m, &m.stages[s as usize]))
            .collect(),
        transfer_to: c.transfer_to.map(|f| m.flows[f as usize].id.clone()),
    }
}

fn stage(m: &Model, s: &StageSpec) -> StageAssumptions {
    let shift = s.calendar.shift().as_ms();
    let date_of = |t: SimTime| date_words(m.start_date, s.calendar.local_day(t));
    let opens = (s.calendar.opens() > SimTime::ZERO).then(|| date_of(s.calendar.opens()));
    let ranked = {
        let mut r: Vec<(u8, &str)> = s
            .class_rank
            .iter()
            .zip(&m.classes)
            .map(|(&rank, c)| (rank, c.id.as_str()))
            .collect();
        r.sort();
        r
    };
    // A priority list exists where ranks differ: the classes before the last rank come first.
    let last = ranked.last().map(|r| r.0);
    let priority = ranked
        .iter()
        .filter(|r| Some(r.0) != last)
        .map(|r| r.1.to_string())
        .collect();
    let reserved = s
        .groups
        .iter()
        .filter(|g| g.class_mask != u64::MAX)
        .map(|g| {
            let classes: Vec<&str> = m
                .classes
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && g.class_mask & (1 << i) != 0)
                .map(|(_, c)| c.id.as_str())
                .collect();
            format!(
                "{} for {}",
                count_words(g.lanes, s.unit),
                classes.join(", ")
            )
        })
        .collect();
    let changes = s
        .changes
        .iter()
        .map(|c| {
            let mut what = Vec::new();
            match &c.lanes {
                Some(LaneProfile::Fixed(n)) => what.push(count_words(*n, s.unit)),
                Some(LaneProfile::Daily(d)) => what.push(format!("{} {}", s.unit, d.describe())),
                None => {}
            }
            if let Some(q) = c.daily_quota {
                what.push(format!("quota {q}/day"));
            }
            format!("from {}: {}", date_of(c.at), what.join(", "))
        })
        .collect();
    StageAssumptions {
        id: s.id.clone(),
        unit: s.unit.to_string(),
        servers: s.lanes,
        // A schedule of one count all day is that count (it simulates the same).
        lanes_by_hour: match &s.profile {
            LaneProfile::Daily(d) if d.steps().len() > 1 => Some(d.describe()),
            _ => None,
        },
        hours: s.calendar.describe(),
        clock: clock_words(m.utc_offset.as_ms() + shift),
        opens,
        daily_quota: s.daily_quota,
        daily_quota_wagons: s.daily_quota_wagons,
        buffer: s.buffer,
        service_mean_min: s.service.mean_ms() / MS_PER_MIN as f64,
        service_per: match s.kind {
            StageKind::Cranes => "container",
            StageKind::BogieExchange => "wagon",
            StageKind::Lanes | StageKind::Tracks => "vehicle",
        }
        .into(),
        service: dist_words(&s.service),
        inspection: s.inspection.as_ref().map(|i| {
            format!(
                "{} of {} % of vehicles, +{} mean",
                i.name,
                num(i.probability * 100.0),
                dur_words(i.service.mean_ms())
            )
        }),
        handling_rate_tph: s.handling_rate_tph,
        travel: s.travel.as_ref().map(dist_words),
        priority,
        reserved,
        changes,
    }
}

fn flow(m: &Model, f: &FlowSpec) -> FlowAssumptions {
    let mut load = Vec::new();
    if f.wagons > 0 {
        load.push(format!("{} wagons", f.wagons));
    }
    if f.containers > 0 {
        load.push(format!(
            "{} container{}, {} TEU",
            f.containers,
            if f.containers == 1 { "" } else { "s" },
            num(f64::from(f.containers) * f.teu_per_container)
        ));
    }
    if f.tonnes > 0.0 {
        load.push(format!("{} t", num(f.tonnes)));
    }
    if f.value > 0.0 {
        load.push(format!("{} USD", num(f.value)));
    }
    let per_day = m.mean_rate_per_h(f) * 24.0;
    let mut demand = demand_words(m, f);
    if f.starts > SimTime::ZERO {
        demand.push_str(&format!(
            ", from {}",
            date_words(m.start_date, f.starts.day_index())
        ));
    }
    if f.ends < m.horizon() {
        demand.push_str(&format!(
            ", until {}",
            date_words(m.start_date, f.ends.day_index())
        ));
    }
    FlowAssumptions {
        id: f.id.clone(),
        mode: mode_name(f.mode).into(),
        class: m
            .classes
            .get(f.class as usize)
            .map_or_else(|| "general".into(), |c| c.id.clone()),
        route: f
            .route
            .iter()
            .map(|&n| m.checkpoints[n as usize].id.clone())
            .collect(),
        load: if load.is_empty() {
            "-".into()
        } else {
            load.join(", ")
        },
        demand,
        per_day: matches!(
            f.arrivals,
            Arrivals::Poisson { .. } | Arrivals::Profiled(_) | Arrivals::Timetable { .. }
        )
        .then_some(per_day),
    }
}

/// The arrival process of `f` in words.
fn demand_words(m: &Model, f: &FlowSpec) -> String {
    let rate = |per_h: f64| format!("{}/h = {}/day", num(per_h), num(per_h * 24.0));
    match &f.arrivals {
        Arrivals::Poisson { rate_per_h } => format!("Poisson, {}", rate(*rate_per_h)),
        Arrivals::Profiled(p) => {
            let uneven = |xs: &[f64]| xs.iter().any(|&x| (x - xs[0]).abs() > 1e-12);
            let differs = |xs: &[f64]| xs.iter().any(|&x| (x - 1.0).abs() > 1e-12);
            let mut shape = Vec::new();
            if uneven(&p.hourly) {
                shape.push("an hour-of-day profile".to_string());
            }
            if differs(&p.weekday) {
                shape.push("weekday factors".to_string());
            }
            if differs(&p.monthly) {
                shape.push("monthly factors".to_string());
            }
            if p.growth_per_year != 0.0 {
                shape.push(format!("{:+} %/yr growth", num(p.growth_per_year * 100.0)));
            }
            let mut text = format!("Poisson, {}", rate(p.rate_per_h));
            if !shape.is_empty() {
                text.push_str(&format!(" with {}", shape.join(", ")));
            }
            text
        }
        Arrivals::Timetable { times_ms, delay } => {
            let hhmm = |ms: i64| format!("{:02}:{:02}", ms / MS_PER_HOUR, ms / MS_PER_MIN % 60);
            let gaps: Vec<i64> = times_ms.windows(2).map(|w| w[1] - w[0]).collect();
            let mut text = match (times_ms.first(), times_ms.last()) {
                (Some(&a), Some(&b)) if gaps.len() >= 2 && gaps.iter().all(|&g| g == gaps[0]) => {
                    format!(
                        "timetable every {} from {} to {} ({}/day)",
                        dur_words(gaps[0] as f64),
                        hhmm(a),
                        hhmm(b),
                        times_ms.len()
                    )
                }
                _ => format!(
                    "timetable at {} ({}/day)",
                    times_ms
                        .iter()
                        .map(|&t| hhmm(t))
                        .collect::<Vec<_>>()
                        .join(", "),
                    times_ms.len()
                ),
            };
            if let Some(d) = delay {
                text.push_str(&format!(", each late by {}", dist_words(d)));
            }
            text
        }
        Arrivals::Transfer => {
            let from: Vec<&str> = m
                .checkpoints
                .iter()
                .filter(|c| {
                    c.transfer_to
                        .is_some_and(|t| m.flows.get(t as usize).is_some_and(|x| x.id == f.id))
                })
                .map(|c| c.id.as_str())
                .collect();
            format!("carries on the cargo unloaded at {}", from.join(", "))
        }
        Arrivals::Diverted => {
            let of: Vec<&str> = m
                .flows
                .iter()
                .filter(|x| {
                    x.choice.as_ref().is_some_and(|c| {
                        c.alternatives
                            .iter()
                            .any(|a| m.flows.get(a.flow as usize).is_some_and(|y| y.id == f.id))
                    })
                })
                .map(|x| x.id.as_str())
                .collect();
            format!("vehicles of {} that choose this route", of.join(", "))
        }
    }
}

/// A distribution in words: its kind and mean (and spread where it has one).
pub fn dist_words(d: &Dist) -> String {
    let mean = dur_words(d.mean_ms());
    match d {
        Dist::Deterministic(_) => format!("fixed {mean}"),
        Dist::Exponential { .. } => format!("exponential, mean {mean}"),
        Dist::Uniform { min_ms, max_ms } => {
            format!(
                "uniform {} to {}, mean {mean}",
                dur_words(*min_ms),
                dur_words(*max_ms)
            )
        }
        Dist::Triangular { .. } => format!("triangular, mean {mean}"),
        Dist::LogNormal { sd_ms, .. } => {
            format!("lognormal, mean {mean}, sd {}", dur_words(*sd_ms))
        }
        Dist::Gamma { sd_ms, .. } => format!("gamma, mean {mean}, sd {}", dur_words(*sd_ms)),
        Dist::Empirical(v) => format!("{} observed values, mean {mean}", v.len()),
    }
}

/// A duration \[ms\] in its natural unit: whole days or hours as such ("4 d", "1 h"), half
/// hours from 2 h in hours ("2.5 h"), other whole minutes under 6 h in minutes ("130 min"),
/// else s under 2 min, min under 2 h, h under 2 days, else d.
pub fn dur_words(ms: f64) -> String {
    let whole = |unit: i64| ms >= unit as f64 && ms % unit as f64 == 0.0;
    let (v, unit) = if whole(MS_PER_DAY) {
        (ms / MS_PER_DAY as f64, "d")
    } else if whole(MS_PER_HOUR) || (whole(MS_PER_HOUR / 2) && ms >= 2.0 * MS_PER_HOUR as f64) {
        (ms / MS_PER_HOUR as f64, "h")
    } else if whole(MS_PER_MIN) && ms < 6.0 * MS_PER_HOUR as f64 {
        (ms / MS_PER_MIN as f64, "min")
    } else if ms < 2.0 * MS_PER_MIN as f64 {
        (ms / 1000.0, "s")
    } else if ms < 2.0 * MS_PER_HOUR as f64 {
        (ms / MS_PER_MIN as f64, "min")
    } else if ms < 2.0 * MS_PER_DAY as f64 {
        (ms / MS_PER_HOUR as f64, "h")
    } else {
        (ms / MS_PER_DAY as f64, "d")
    };
    format!("{} {unit}", num(v))
}

/// A number with as few decimals as it needs: none from 100, one from 10, else two.
pub fn num(x: f64) -> String {
    let text = match x.abs() {
        a if a >= 100.0 => format!("{x:.0}"),
        a if a >= 10.0 => format!("{x:.1}"),
        _ => format!("{x:.2}"),
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// "3 lanes", "1 lane": a count of servers in their unit.
pub fn count_words(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {}", unit.strip_suffix('s').unwrap_or(unit))
    } else {
        format!("{n} {unit}")
    }
}

/// A clock by its UTC offset \[ms\]: "UTC+05:00".
fn clock_words(offset_ms: i64) -> String {
    let sign = if offset_ms < 0 { '-' } else { '+' };
    let m = offset_ms.abs() / MS_PER_MIN;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The date `day` days after `start`, "YYYY-MM-DD".
fn date_words(start: Date, day: i64) -> String {
    date_plus_days(start, day).map_or_else(|| format!("day {day}"), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations_read_as_written() {
        assert_eq!(num(216.0), "216");
        assert_eq!(num(28.125), "28.1");
        assert_eq!(num(5.85), "5.85");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(dur_words(6.0 * 60_000.0), "6 min");
        assert_eq!(dur_words(351_000.0), "5.85 min");
        assert_eq!(dur_words(17.0 * 3_600_000.0), "17 h");
        assert_eq!(dur_words(4.0 * 86_400_000.0), "4 d");
        assert_eq!(dur_words(90_000.0), "90 s");
        assert_eq!(dur_words(130.0 * 60_000.0), "130 min");
        assert_eq!(dur_words(60.0 * 60_000.0), "1 h");
        assert_eq!(dur_words(150.0 * 60_000.0), "2.5 h");
        assert_eq!(dur_words(90.0 * 60_000.0), "90 min");
        assert_eq!(dur_words(36.5 * 60_000.0), "36.5 min");
        assert_eq!(count_words(1, "lanes"), "1 lane");
        assert_eq!(count_words(3, "tracks"), "3 tracks");
        assert_eq!(clock_words(8 * 3_600_000), "UTC+08:00");
        assert_eq!(clock_words(-(3 * 3_600_000 + 30 * 60_000)), "UTC-03:30");
    }
}
