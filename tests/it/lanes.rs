//! Lanes by hour of day, staff and overtime: hand-checkable schedules (services to the
//! millisecond, served per day, staff lane-hours), a schedule with a dated change, overtime after
//! closing and on lanes cut while busy, and a schedule of one count that is the integer form.

use crate::common::*;
use borderflow::kpi::{EntityKind, rep_values};
use borderflow::model::{Model, RepResult, ServiceStart, simulate, simulate_traced};
use borderflow::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, SimTime};

/// One KPI of stage `cp/s` in replication result `r`.
fn stage_kpi(m: &Model, r: &RepResult, kpi: &str) -> f64 {
    let all = rep_values(m, r);
    let e = all
        .iter()
        .find(|e| e.kind == EntityKind::Stage && e.id == "cp/s")
        .expect("stage cp/s");
    e.values
        .iter()
        .find(|(k, _)| k == kpi)
        .unwrap_or_else(|| panic!("no KPI {kpi}"))
        .1
}

/// A one-stage checkpoint `cp/s` from Monday 2026-01-05: `stage` lines (lanes, service, …) and
/// `flows` (whole `[[flows]]` tables routed through "cp").
fn scenario(days: u32, warmup: u32, stage: &str, flows: &str) -> String {
    format!(
        r#"
[simulation]
name = "lanes"
days = {days}
warmup_days = {warmup}
seed = 5
replications = 1
start_date = "2026-01-05"

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
{stage}
{flows}
"#
    )
}

/// A timetable flow `id` through "cp" with the given `arrivals` table body.
fn flow(id: &str, arrivals: &str) -> String {
    format!(
        "[[flows]]\nid = \"{id}\"\nmode = \"truck\"\nroute = [\"cp\"]\narrivals = {{ process = \"timetable\", {arrivals} }}\n"
    )
}

fn at(day: i64, h: i64, min: i64) -> SimTime {
    SimTime::from_ms(day * MS_PER_DAY + h * MS_PER_HOUR + min * MS_PER_MIN)
}

/// Service starts in [from, to).
fn starts_in(trace: &[ServiceStart], from: SimTime, to: SimTime) -> Vec<SimTime> {
    trace
        .iter()
        .filter(|s| s.at >= from && s.at < to)
        .map(|s| s.at)
        .collect()
}

#[test]
fn h01_a_lane_cut_while_busy_is_overtime_and_utilisation_stays_below_one() {
    // Three 20 h services from 23:00 on day 0; 3 lanes, then 1 from day 1 (the measured day).
    let stage = r#"lanes = 3
service = { dist = "deterministic", value = "20h" }
changes = [{ from = "2026-01-06", lanes = 1 }]"#;
    let flows: String = ["f", "g", "h"]
        .iter()
        .map(|id| flow(id, r#"times = ["23:00"]"#) + "ends = \"2026-01-06\"\n")
        .collect();
    let m = model(&scenario(2, 1, stage, &flows));
    let r = simulate(&m, 0);
    // Busy 3 × 19 h on day 1; one lane open 24 h; two lanes retire at 19:00 (2 × 19 h overtime).
    // Busy inside open lane-time: 19 h of the one open lane -> 19/24.
    assert_eq!(r.stages[0].open_lane_ms, 24 * MS_PER_HOUR as i128);
    assert_eq!(r.stages[0].busy_open_lane_ms, 19 * MS_PER_HOUR as i128);
    assert_eq!(r.stages[0].overtime_lane_ms, 38 * MS_PER_HOUR as i128);
    assert_eq!(stage_kpi(&m, &r, "utilization"), 19.0 / 24.0);
    assert_eq!(stage_kpi(&m, &r, "staff_lane_hours_per_day"), 24.0);
    assert_eq!(stage_kpi(&m, &r, "overtime_lane_hours_per_day"), 38.0);
}

#[test]
fn h04_work_after_closing_is_overtime_beside_a_full_utilisation() {
    // One lane open 08:00-09:00; one truck a day at 08:00 with a 2 h service.
    let stage = r#"lanes = 1
service = { dist = "deterministic", value = "2h" }
hours = "08:00-09:00""#;
    let m = model(&scenario(2, 0, stage, &flow("f", r#"times = ["08:00"]"#)));
    let r = simulate(&m, 0);
    assert_eq!(stage_kpi(&m, &r, "utilization"), 1.0);
    assert_eq!(stage_kpi(&m, &r, "staff_lane_hours_per_day"), 1.0);
    assert_eq!(stage_kpi(&m, &r, "overtime_lane_hours_per_day"), 1.0);
    assert_eq!(stage_kpi(&m, &r, "served_per_day"), 1.0);
}

/// 2 lanes 08:00-20:00 and 1 lane 20:00-08:00; 1 h services; a truck every hour all day and a
/// second every hour 08:00-19:00: demand meets the lanes hour by hour.
fn day_and_night() -> Model {
    let stage = r#"lanes = { "08:00-20:00" = 2, "20:00-08:00" = 1 }
service = { dist = "deterministic", value = "1h" }"#;
    let flows = flow("a", r#"every = "1h", from = "00:00", to = "23:00""#)
        + &flow("b", r#"every = "1h", from = "08:00", to = "19:00""#);
    model(&scenario(4, 1, stage, &flows))
}

#[test]
fn a_day_and_night_schedule_serves_what_its_lanes_allow_hour_by_hour() {
    let m = day_and_night();
    let (r, trace) = simulate_traced(&m, 0);
    // Every truck starts when it arrives: two an hour 08:00-19:00, one an hour otherwise.
    assert!(trace.iter().all(|s| s.waited.as_ms() == 0), "{trace:?}");
    for h in 0..24 {
        let n = starts_in(&trace, at(2, h, 0), at(2, h + 1, 0));
        let want = if (8..20).contains(&h) { 2 } else { 1 };
        assert_eq!(n, vec![at(2, h, 0); want], "hour {h}");
    }
    // 2 × 12 + 1 × 12 = 36 trucks and 36 open lane-hours a day; no work outside them. Over
    // the 3 measured days 108 trucks start; the one of 23:00 on the last day ends at the horizon.
    assert_eq!(starts_in(&trace, at(1, 0, 0), at(4, 0, 0)).len(), 108);
    assert_eq!(stage_kpi(&m, &r, "served"), 107.0);
    assert_eq!(stage_kpi(&m, &r, "staff_lane_hours_per_day"), 36.0);
    assert_eq!(stage_kpi(&m, &r, "overtime_lane_hours_per_day"), 0.0);
    assert_eq!(stage_kpi(&m, &r, "utilization"), 1.0);
    assert_eq!(r.stages[0].open_lane_ms, 3 * 36 * MS_PER_HOUR as i128);
}

#[test]
fn a_lane_that_closes_while_serving_finishes_its_truck_as_overtime() {
    // Two 90-min services from 18:45 on two lanes; at 20:00 one lane closes while both serve.
    let stage = r#"lanes = { "08:00-20:00" = 2, "20:00-08:00" = 1 }
service = { dist = "deterministic", value = "90min" }"#;
    let flows = flow("a", r#"times = ["18:45"]"#) + &flow("b", r#"times = ["18:45"]"#);
    let m = model(&scenario(3, 1, stage, &flows));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(
        starts_in(&trace, at(1, 0, 0), at(2, 0, 0)),
        [at(1, 18, 45), at(1, 18, 45)]
    );
    // Busy 2 × 1.25 h before 20:00 and 1 × 0.25 h on the open lane after; the closed lane's
    // 0.25 h is overtime. Per day: 36 lane-hours open, 2.75 busy inside them.
    assert_eq!(stage_kpi(&m, &r, "staff_lane_hours_per_day"), 36.0);
    assert_eq!(stage_kpi(&m, &r, "overtime_lane_hours_per_day"), 0.25);
    assert_eq!(stage_kpi(&m, &r, "utilization"), 2.75 / 36.0);
    assert_eq!(stage_kpi(&m, &r, "served_per_day"), 2.0);
}

#[test]
fn no_service_starts_on_a_lane_that_closes_at_that_instant() {
    // A truck that waited since 19:30 and one arriving at 20:00: the lanes that free at 20:00
    // are two, but only one is open from 20:00 on.
    let stage = r#"lanes = { "08:00-20:00" = 2, "20:00-08:00" = 1 }
service = { dist = "deterministic", value = "1h" }"#;
    let flows = flow("a", r#"times = ["19:00"]"#)
        + &flow("b", r#"times = ["19:00"]"#)
        + &flow("c", r#"times = ["19:30"]"#)
        + &flow("d", r#"times = ["20:00"]"#);
    let m = model(&scenario(2, 0, stage, &flows));
    let (r, trace) = simulate_traced(&m, 0);
    let day0: Vec<(SimTime, u32)> = trace
        .iter()
        .filter(|s| s.at < at(1, 0, 0))
        .map(|s| (s.at, s.flow))
        .collect();
    assert_eq!(
        day0,
        [
            (at(0, 19, 0), 0),
            (at(0, 19, 0), 1),
            (at(0, 20, 0), 2),
            (at(0, 21, 0), 3)
        ]
    );
    assert_eq!(r.stages[0].overtime_lane_ms, 0);
}

#[test]
fn a_dated_change_replaces_a_schedule_with_another() {
    // Days 0-1: 2 lanes by day, 1 by night (36 lane-h/day). From day 2: 4 lanes 06:00-18:00 and
    // none otherwise (48 lane-h/day), so the night's trucks wait for 06:00.
    let stage = r#"lanes = { "08:00-20:00" = 2, "20:00-08:00" = 1 }
service = { dist = "deterministic", value = "1h" }
changes = [{ from = "2026-01-07", lanes = { "06:00-18:00" = 4 } }]"#;
    let flows = flow("a", r#"every = "1h", from = "00:00", to = "23:00""#);
    let m = model(&scenario(4, 0, stage, &flows));
    let s = &m.stages[0];
    assert_eq!(s.lanes, 2);
    assert_eq!((s.lanes_at(at(1, 7, 0)), s.lanes_at(at(1, 8, 0))), (1, 2));
    assert_eq!(
        (
            s.lanes_at(at(2, 5, 59)),
            s.lanes_at(at(2, 6, 0)),
            s.lanes_at(at(3, 18, 0))
        ),
        (0, 4, 0)
    );
    let (r, trace) = simulate_traced(&m, 0);
    // (2 × 36 + 2 × 48) ÷ 4 days.
    assert_eq!(stage_kpi(&m, &r, "staff_lane_hours_per_day"), 42.0);
    // Day 2: the six trucks of 00:00-05:00 and the 06:00 one start 4 at 06:00 and 3 at 07:00
    // with the 07:00 one; none after 17:00.
    assert!(starts_in(&trace, at(2, 0, 0), at(2, 6, 0)).is_empty());
    assert_eq!(
        starts_in(&trace, at(2, 6, 0), at(2, 7, 0)),
        [at(2, 6, 0); 4]
    );
    assert_eq!(
        starts_in(&trace, at(2, 7, 0), at(2, 8, 0)),
        [at(2, 7, 0); 4]
    );
    assert!(starts_in(&trace, at(2, 18, 0), at(3, 6, 0)).is_empty());
    // Day 3 starts with the 12 trucks of 18:00-05:00 waiting: 4, 4, 4 and the 06:00-08:00 ones.
    assert_eq!(starts_in(&trace, at(3, 6, 0), at(3, 9, 0)).len(), 12);
    assert_eq!(stage_kpi(&m, &r, "overtime_lane_hours_per_day"), 0.0);
}

#[test]
fn a_schedule_of_one_count_gives_the_integer_forms_results_byte_for_byte() {
    let text = std::fs::read_to_string(repo_path("scenarios/examples/mmc-erlang.toml")).unwrap();
    let fixed = TempFile::new("mmc-fixed", &text);
    let scheduled = TempFile::new(
        "mmc-scheduled",
        &edit(
            &text,
            "lanes = 4",
            r#"lanes = { "00:00-12:00" = 4, "12:00-24:00" = 4 }"#,
        ),
    );
    let run = |f: &TempFile| {
        without_wall(&run_json(
            &[
                "run",
                &f.name(),
                "--days",
                "60",
                "--replications",
                "2",
                "--json",
            ],
            &[],
        ))
    };
    let (a, b) = (run(&fixed), run(&scheduled));
    assert!(a.contains("\"staff_lane_hours_per_day\""));
    assert_eq!(a, b);
}

#[test]
fn run_json_reports_staff_and_overtime_per_stage_and_checkpoint() {
    let stage = r#"lanes = 1
service = { dist = "deterministic", value = "2h" }
hours = "08:00-09:00""#;
    let f = TempFile::new(
        "h04",
        &scenario(2, 0, stage, &flow("f", r#"times = ["08:00"]"#)),
    );
    let out = run_json(&["run", &f.name(), "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for e in [&v["stages"]["cp/s"], &v["checkpoints"]["cp"]] {
        assert_eq!(e["staff_lane_hours_per_day"]["mean"], 1.0, "{e}");
        assert_eq!(e["overtime_lane_hours_per_day"]["mean"], 1.0, "{e}");
        assert_eq!(e["utilization"]["mean"], 1.0, "{e}");
    }
}
