//! Same-instant fairness: at a stage with priorities, who takes a lane at instant X depends on
//! the discipline alone — not on which same-instant event the engine handled first. A general
//! truck G has waited since before X and a perishable P reaches the stage exactly at X — from
//! the gate, through the stage's travel or from a previous checkpoint — when a lane becomes
//! available there by opening, by freeing, by a dated change or by a new quota day: P is served
//! at X, G after it.

use crate::common::*;
use borderflow::model::simulate_traced;
use borderflow::time::{MS_PER_HOUR, MS_PER_MIN};

const HOUR: i64 = MS_PER_HOUR;
const MIN: i64 = MS_PER_MIN;

/// One stage `cp/s` (1 lane, 1 h, perishable first) with `extra` fields, the checkpoints
/// `before` it, and timetable flows (id, class, route, departure "HH:MM", start date).
fn scenario(extra: &str, before: &str, flows: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut text = format!(
        r#"
[simulation]
name = "instant"
days = 2
seed = 1
replications = 1
start_date = "2026-01-05"
{before}
[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = {{ dist = "deterministic", value = "1h" }}
priority = ["perishable"]
{extra}
"#
    );
    for (id, class, route, at, date) in flows {
        let end = if *date == DAY0 { DAY1 } else { "2026-01-07" };
        text.push_str(&format!(
            "[[flows]]\nid = \"{id}\"\nmode = \"truck\"\nclass = \"{class}\"\nroute = {route}\n\
             starts = \"{date}\"\nends = \"{end}\"\n\
             arrivals = {{ process = \"timetable\", times = [\"{at}\"] }}\n"
        ));
    }
    text
}

/// Service starts at `cp/s` per flow id, in ms since day 0.
fn starts(text: &str) -> Vec<(String, i64)> {
    let m = model(text);
    let s = stage_of(&m, "cp", "s");
    let (_, trace) = simulate_traced(&m, 0);
    trace
        .iter()
        .filter(|x| x.stage as usize == s && !x.unit_move)
        .map(|x| (m.flows[x.flow as usize].id.clone(), x.at.as_ms()))
        .collect()
}

fn start_of(starts: &[(String, i64)], flow: &str) -> Option<i64> {
    starts.iter().find(|(f, _)| f == flow).map(|&(_, at)| at)
}

const DAY0: &str = "2026-01-05";
const DAY1: &str = "2026-01-06";
const C0: &str = "[[checkpoints]]\nid = \"c0\"\n[[checkpoints.stages]]\nid = \"pre\"\nlanes = 1\nservice = { dist = \"deterministic\", value = \"55min\" }\n";

/// The case of a perishable that reaches a priority stage at its opening instant through the
/// stage's travel: P 08:00–09:00, G 09:00 (waited 2 h since 07:00) — and the same without travel.
#[test]
fn at_the_opening_instant_the_discipline_decides_with_or_without_travel() {
    let travel = scenario(
        "hours = \"08:00-18:00\"\ntravel = \"30min\"",
        "",
        &[
            ("g", "general", "[\"cp\"]", "06:30", DAY0),
            ("p", "perishable", "[\"cp\"]", "07:30", DAY0),
        ],
    );
    let gate = scenario(
        "hours = \"08:00-18:00\"",
        "",
        &[
            ("g", "general", "[\"cp\"]", "07:00", DAY0),
            ("p", "perishable", "[\"cp\"]", "08:00", DAY0),
        ],
    );
    for text in [travel, gate] {
        let st = starts(&text);
        assert_eq!(start_of(&st, "p"), Some(8 * HOUR), "{st:?}");
        assert_eq!(start_of(&st, "g"), Some(9 * HOUR), "{st:?}");
    }
}

/// A lane frees at 01:10 (X served 00:10–01:10) as P arrives from checkpoint c0, whose 55 or
/// 70 min service puts P's arrival after or before X's service end in the event queue: P is
/// served at 01:10 either way, G (waiting since 00:20) at 02:10.
#[test]
fn a_freed_lane_goes_to_the_higher_rank_whatever_the_event_order() {
    for (pre, p_at) in [("55min", "00:15"), ("70min", "00:00")] {
        let before = C0.replace("55min", pre);
        let text = scenario(
            "",
            &before,
            &[
                ("x", "general", "[\"cp\"]", "00:10", DAY0),
                ("g", "general", "[\"cp\"]", "00:20", DAY0),
                ("p", "perishable", "[\"c0\", \"cp\"]", p_at, DAY0),
            ],
        );
        let st = starts(&text);
        assert_eq!(start_of(&st, "p"), Some(70 * MIN), "{pre}: {st:?}");
        assert_eq!(start_of(&st, "g"), Some(130 * MIN), "{pre}: {st:?}");
    }
}

/// A dated change adds a second lane at midnight of day 1 while the first serves B (4 h from
/// 22:00); P reaches the stage at 00:00 from the gate or through travel: the new lane is P's, and
/// G (waiting since 22:30) waits for B's lane.
#[test]
fn a_lane_added_at_an_instant_goes_to_the_higher_rank() {
    for (extra, p_at) in [
        ("changes = [{ from = \"2026-01-06\", lanes = 2 }]", "00:00"),
        (
            "changes = [{ from = \"2026-01-06\", lanes = 2 }]\ntravel = \"30min\"",
            "23:30",
        ),
    ] {
        let text = scenario(
            extra,
            "",
            &[
                ("b", "general", "[\"cp\"]", "22:00", DAY0),
                ("g", "general", "[\"cp\"]", "22:30", DAY0),
                (
                    "p",
                    "perishable",
                    "[\"cp\"]",
                    p_at,
                    if p_at == "00:00" { DAY1 } else { DAY0 },
                ),
            ],
        )
        .replace("value = \"1h\"", "value = \"4h\"");
        let st = starts(&text);
        let travel = if p_at == "00:00" { 0 } else { 30 * MIN };
        // B starts at 22:00 (+ travel) and holds the lane for 4 h; G waits behind it.
        assert_eq!(start_of(&st, "b"), Some(22 * HOUR + travel), "{st:?}");
        assert_eq!(start_of(&st, "p"), Some(24 * HOUR), "{extra}: {st:?}");
        assert_eq!(
            start_of(&st, "g"),
            Some(26 * HOUR + travel),
            "{extra}: {st:?}"
        );
    }
}

/// A daily quota of 1: B uses day 0's at 22:00, G waits from 22:30 for day 1; at 00:00 the new
/// day's one start goes to P arriving at that instant (from the gate or from checkpoint c0),
/// not to G.
#[test]
fn a_new_quota_day_goes_to_the_higher_rank() {
    for (before, route, p_at, date) in [
        ("", "[\"cp\"]", "00:00", DAY1),
        (C0, "[\"c0\", \"cp\"]", "23:05", DAY0),
    ] {
        let text = scenario(
            "daily_quota = 1",
            before,
            &[
                ("b", "general", "[\"cp\"]", "22:00", DAY0),
                ("g", "general", "[\"cp\"]", "22:30", DAY0),
                ("p", "perishable", route, p_at, date),
            ],
        );
        let st = starts(&text);
        assert_eq!(start_of(&st, "b"), Some(22 * HOUR), "{st:?}");
        assert_eq!(start_of(&st, "p"), Some(24 * HOUR), "{route}: {st:?}");
        // G's turn is day 2, past the horizon.
        assert_eq!(start_of(&st, "g"), None, "{route}: {st:?}");
    }
}

/// A train that never waited at a cranes stage is no queue: `queue_max` 0 at the stage and its
/// checkpoint (a level passed through within one instant is no maximum).
#[test]
fn a_train_admitted_at_once_to_a_cranes_stage_is_no_queue() {
    let text = r#"
[simulation]
name = "crane-queue-max"
days = 1
seed = 1
replications = 1
start_date = "2026-01-05"
[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "cranes"
kind = "cranes"
cranes = 2
max_cranes_per_train = 2
service = { dist = "deterministic", value = "3min" }
[[flows]]
id = "tr"
mode = "train"
wagons = 40
route = ["st"]
arrivals = { process = "timetable", times = ["06:00"] }
"#;
    let f = TempFile::new("crane-queue-max", text);
    let json = run_json(&["run", &f.name(), "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for x in [&v["stages"]["st/cranes"], &v["checkpoints"]["st"]] {
        assert_eq!(x["queue_max"]["mean"], 0.0, "{x}");
        // Trains queue on tracks, not on the road: no road km at all (missing, not zero).
        assert!(x["queue_km_max"]["mean"].is_null(), "{x}");
    }
}
