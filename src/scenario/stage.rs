//! Stages of checkpoints and terminals: the kind and its server count, service, quotas, hours,
//! inspection, priority ranks and reserved lane groups.

use std::collections::{HashMap, HashSet};

use crate::dist::{Dist, parse_rate_per_hour};
use crate::model::{Inspection, LaneGroup, LaneProfile, StageChange, StageKind, StageSpec};
use crate::time::{SimDuration, parse_utc_offset};

use super::changes::stage_changes;
use super::check;
use super::error::{Checker, FieldPath, closest};
use super::hours::{Calendars, Clock, stage_calendar};
use super::lanes::{Count, check_reserved, count};
use super::raw::{RawInspection, RawStage};
use super::value::{dist, dist_or_duration, int_in, parse_opt};

/// A stage of a checkpoint or terminal (node `checkpoint`) at `p`, checked.
#[allow(clippy::too_many_arguments)]
pub(super) fn build_stage(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    checkpoint: u32,
    clock: &Clock,
    calendars: &Calendars,
    class_index: &HashMap<&str, u16>,
    n_classes: usize,
) -> Option<StageSpec> {
    let (kind, kind_name, lanes) = servers(ck, p, st)?;
    let handling_rate_tph = handling_rate(ck, p, st, kind, kind_name);
    let service = match &st.service {
        Some(raw) => dist(ck, &p.key("service"), raw),
        // A track needs no time of its own; a berth may be timed by its handling rate alone.
        None if kind == StageKind::Tracks || handling_rate_tph.is_some() => {
            Dist::deterministic(SimDuration::ZERO).ok()
        }
        None => {
            ck.report(p, "missing field `service` (a distribution)");
            None
        }
    };
    let max_per_vehicle = max_per_vehicle(ck, p, st, kind, kind_name);
    let daily_quota_wagons = match st.daily_quota_wagons {
        Some(q) => Some(int_in(
            ck,
            &p.key("daily_quota_wagons"),
            q,
            1,
            10_000_000,
            "daily_quota_wagons",
        )? as u32),
        None => None,
    };
    check::stage_keys_fit_kind(ck, p, st, kind, kind_name);
    let stage_offset =
        parse_opt(ck, &p.key("utc_offset"), &st.utc_offset, parse_utc_offset).ok()?;
    let calendar = stage_calendar(
        ck,
        &p.key("hours"),
        &st.hours,
        stage_offset,
        None,
        clock,
        calendars,
    );
    let daily_quota = match st.daily_quota {
        Some(q) => Some(int_in(ck, &p.key("daily_quota"), q, 1, 10_000_000, "daily_quota")? as u32),
        None => None,
    };
    let inspection = match &st.inspection {
        Some(i) => Some(inspection(ck, &p.key("inspection"), i)?),
        None => None,
    };
    let holding = int_in(
        ck,
        &p.key("holding_capacity"),
        st.holding_capacity.unwrap_or(0),
        0,
        10_000_000,
        "holding_capacity",
    );
    let travel = match &st.travel {
        Some(v) => Some(dist_or_duration(ck, &p.key("travel"), v)?),
        None => None,
    };
    let buffer = match st.buffer {
        Some(n) => {
            let n = int_in(ck, &p.key("buffer"), n, 0, 10_000_000, "buffer")? as u32;
            if st.holding_capacity.is_some() {
                ck.report(
                    &p.key("holding_capacity"),
                    "holding_capacity and buffer on one stage: buffer bounds the places in front \
                     of the stage, holding_capacity splits an unlimited queue into off-road and \
                     road; give one"
                        .to_string(),
                );
                return None;
            }
            // Vehicles on their way from the previous stage take a place: with none, no vehicle
            // could ever set off.
            if n == 0 && travel.as_ref().is_some_and(|d| !d.is_zero()) {
                ck.report(
                    &p.key("buffer"),
                    "buffer = 0 on a stage with travel: vehicles on their way to the stage take a \
                     place, so it needs at least 1"
                        .to_string(),
                );
                return None;
            }
            Some(n)
        }
        None => None,
    };
    let class_rank = class_rank(ck, p, st, class_index, n_classes);
    let (groups, reserved_total) =
        lane_groups(ck, p, st, kind, lanes.as_ref().map(Count::max), class_index);
    let schedule_ok = lanes
        .as_ref()
        .is_none_or(|c| check_reserved(ck, &p.key(count_key(kind_name)), c, reserved_total));
    let calendar = calendar?;
    let changes = stage_changes(
        ck,
        &p.key("changes"),
        &st.changes,
        &calendar,
        clock,
        reserved_total,
        groups.last().is_some_and(|g| g.class_mask == u64::MAX),
    )?;
    if !schedule_ok {
        return None;
    }
    if let (Some(m), Some(n)) = (max_per_vehicle, &lanes) {
        check_max_per_vehicle(ck, p, kind, m, n.max(), &changes);
    }
    Some(StageSpec {
        changes,
        id: st.id.clone(),
        checkpoint,
        kind,
        unit: count_key(kind_name),
        lanes: lanes.as_ref()?.max(),
        profile: lanes?.profile(calendar.shift()),
        service: service?,
        max_per_vehicle,
        handling_rate_tph,
        daily_quota_wagons,
        calendar,
        daily_quota,
        inspection,
        holding_capacity: holding? as u32,
        buffer,
        travel,
        class_rank,
        groups,
    })
}

/// The key that counts the servers of a stage of kind `kind_name`.
fn count_key(kind_name: &str) -> &'static str {
    match kind_name {
        "berths" => "berths",
        "tracks" => "tracks",
        "cranes" => "cranes",
        "bogie-exchange" => "positions",
        _ => "lanes",
    }
}

/// The stage's kind, its name as written, and its server count (a number or a daily schedule):
/// the kind decides which key counts the servers and what a service is. `None` for an unknown
/// kind.
fn servers<'s>(
    ck: &mut Checker,
    p: &FieldPath,
    st: &'s RawStage,
) -> Option<(StageKind, &'s str, Option<Count>)> {
    let kind_name = st.kind.as_deref().unwrap_or("lanes");
    let (kind, count_key) = match kind_name {
        "lanes" => (StageKind::Lanes, "lanes"),
        "berths" => (StageKind::Lanes, "berths"),
        "tracks" => (StageKind::Tracks, "tracks"),
        "cranes" => (StageKind::Cranes, "cranes"),
        "bogie-exchange" => (StageKind::BogieExchange, "positions"),
        other => {
            ck.report(
                &p.key("kind"),
                format!("unknown stage kind \"{other}\" (known: lanes, tracks, cranes, bogie-exchange, berths)"),
            );
            return None;
        }
    };
    let counts = [
        ("lanes", st.lanes.as_ref()),
        ("tracks", st.tracks.as_ref()),
        ("cranes", st.cranes.as_ref()),
        ("positions", st.positions.as_ref()),
        ("berths", st.berths.as_ref()),
    ];
    let given: Vec<(&str, bool)> = counts.iter().map(|(k, v)| (*k, v.is_some())).collect();
    check::one_count_key(ck, p, kind_name, count_key, &given);
    let lanes = match counts
        .iter()
        .find(|(k, _)| *k == count_key)
        .and_then(|(_, v)| *v)
    {
        Some(n) => count(ck, &p.key(count_key), n, count_key),
        None => {
            ck.report(
                p,
                format!("a \"{kind_name}\" stage needs `{count_key}` (how many)"),
            );
            None
        }
    };
    Some((kind, kind_name, lanes))
}

/// `handling_rate` [t/h], on lanes and berths stages only.
fn handling_rate(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    kind: StageKind,
    kind_name: &str,
) -> Option<f64> {
    match &st.handling_rate {
        Some(r) if matches!(kind, StageKind::Lanes) => match parse_rate_per_hour(r) {
            Ok(x) if x > 0.0 => Some(x),
            Ok(_) => {
                ck.report(&p.key("handling_rate"), "must be greater than zero");
                None
            }
            Err(e) => {
                ck.report(&p.key("handling_rate"), format!("{e} (tonnes per hour)"));
                None
            }
        },
        Some(_) => {
            ck.report(
                &p.key("handling_rate"),
                format!("applies to lanes and berths stages, not \"{kind_name}\""),
            );
            None
        }
        None => None,
    }
}

/// Most servers one train may hold at once: `max_cranes_per_train` on a cranes stage,
/// `max_positions_per_train` on a bogie-exchange stage.
fn max_per_vehicle(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    kind: StageKind,
    kind_name: &str,
) -> Option<u32> {
    let per_vehicle_key = match kind {
        StageKind::Cranes => Some("max_cranes_per_train"),
        StageKind::BogieExchange => Some("max_positions_per_train"),
        _ => None,
    };
    let mut max_per_vehicle = None;
    for (key, v) in [
        ("max_cranes_per_train", st.max_cranes_per_train),
        ("max_positions_per_train", st.max_positions_per_train),
    ] {
        if let Some(v) = v {
            if Some(key) == per_vehicle_key {
                max_per_vehicle = int_in(ck, &p.key(key), v, 1, 100_000, key).map(|x| x as u32);
            } else {
                ck.report(
                    &p.key(key),
                    format!("does not apply to a \"{kind_name}\" stage"),
                );
            }
        }
    }
    max_per_vehicle
}

/// A train may hold at most the servers the stage has (`servers`, or more from a dated change):
/// `max_cranes_per_train = 4` at a stage of 2 cranes would claim cranes that are not there.
fn check_max_per_vehicle(
    ck: &mut Checker,
    p: &FieldPath,
    kind: StageKind,
    max: u32,
    servers: u32,
    changes: &[StageChange],
) {
    let (key, count_key) = match kind {
        StageKind::Cranes => ("max_cranes_per_train", "cranes"),
        StageKind::BogieExchange => ("max_positions_per_train", "positions"),
        _ => return,
    };
    let most = changes
        .iter()
        .filter_map(|c| c.lanes.as_ref().map(LaneProfile::max))
        .fold(servers, u32::max);
    if max > most {
        ck.report(
            &p.key(key),
            format!("{key} = {max} is more than the {most} {count_key} the stage has"),
        );
    }
}

/// The stage's extra inspection at `ip`.
fn inspection(ck: &mut Checker, ip: &FieldPath, i: &RawInspection) -> Option<Inspection> {
    if !(0.0..=1.0).contains(&i.probability) {
        ck.report(
            &ip.key("probability"),
            format!("must be between 0 and 1 (got {})", i.probability),
        );
    }
    let service = dist(ck, &ip.key("service"), &i.service);
    Some(Inspection {
        name: i.name.clone().unwrap_or_else(|| "inspection".into()),
        probability: i.probability,
        service: service?,
    })
}

/// Priority ranks by class: the classes in `priority` in order, then everyone else.
fn class_rank(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    class_index: &HashMap<&str, u16>,
    n_classes: usize,
) -> Vec<u8> {
    let mut class_rank = vec![st.priority.len().min(255) as u8; n_classes.max(1)];
    let mut seen = HashSet::new();
    for (i, c) in st.priority.iter().enumerate() {
        let cp = p.key("priority").index(i);
        match class_index.get(c.as_str()) {
            Some(&ci) => {
                if !seen.insert(c) {
                    ck.report(&cp, format!("class \"{c}\" is listed twice"));
                }
                class_rank[ci as usize] = i.min(254) as u8;
            }
            None => ck.report(&cp, unknown_class(c, class_index)),
        }
    }
    class_rank
}

/// Lane groups, reserved first and general last, and how many lanes are reserved. When every
/// lane is reserved there is no general group: classes without a reservation are never served
/// there, which the flows' routes are checked against.
fn lane_groups(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    kind: StageKind,
    lanes: Option<u32>,
    class_index: &HashMap<&str, u16>,
) -> (Vec<LaneGroup>, u32) {
    let lanes_n = lanes.unwrap_or(1);
    let mut groups = Vec::new();
    let mut reserved_total = 0u32;
    for (c, n) in &st.reserved_lanes {
        let rp = p.key("reserved_lanes").key(c);
        if !matches!(kind, StageKind::Lanes) {
            break;
        }
        let Some(&ci) = class_index.get(c.as_str()) else {
            ck.report(&rp, unknown_class(c, class_index));
            continue;
        };
        if let Some(n) = int_in(ck, &rp, *n, 1, 100_000, "reserved lanes") {
            reserved_total += n as u32;
            groups.push(LaneGroup {
                lanes: n as u32,
                class_mask: 1u64 << ci,
            });
        }
    }
    if reserved_total > lanes_n {
        ck.report(
            &p.key("reserved_lanes"),
            format!("reserves {reserved_total} lanes but the stage has only {lanes_n}"),
        );
    } else if reserved_total < lanes_n {
        groups.push(LaneGroup {
            lanes: lanes_n - reserved_total,
            class_mask: u64::MAX,
        });
    }
    (groups, reserved_total)
}

/// The message for a class id that no flow or `[classes]` entry defines.
fn unknown_class(c: &str, class_index: &HashMap<&str, u16>) -> String {
    let mut known: Vec<&str> = class_index.keys().copied().collect();
    known.sort();
    let hint = closest(c, known.iter().copied())
        .map(|m| format!("; did you mean \"{m}\"?"))
        .unwrap_or_default();
    format!(
        "unknown class \"{c}\" (known classes, from flows and [classes]: {}){hint}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use crate::scenario::problems_of;

    #[test]
    fn a_class_is_listed_once_in_priority() {
        let got = problems_of(
            r#"
[classes.perishable]

[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 2
priority = ["perishable", "general", "perishable"]
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:13:38: checkpoints[0].stages[0].priority[2]: class "perishable" is listed twice"#,
        ];
        assert_eq!(got, want);
    }
}
