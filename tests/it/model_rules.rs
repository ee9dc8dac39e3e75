//! Deterministic rules of the border model, checked exactly on counts and on the service-start
//! trace of `simulate_traced`: conservation of vehicles, operating hours (lunch breaks, over
//! midnight, weekdays, holidays, foreign clocks), same-instant rules at openings and closings,
//! daily quotas on the stage's local day, priorities and reserved lanes, road queue length,
//! max-wait limits, reproducibility across runs and thread counts, and warm-up accounting.

use crate::common::*;
use borderflow::model::{EntityStats, Model, ServiceStart, simulate, simulate_traced};
use borderflow::scenario::{Overrides, parse};
use borderflow::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, SimDuration};
use borderflow::{kpi, sweep};

const MIN: i64 = MS_PER_MIN;
const HOUR: i64 = MS_PER_HOUR;

fn starts_at(trace: &[ServiceStart], stage: usize) -> Vec<ServiceStart> {
    trace
        .iter()
        .filter(|s| s.stage as usize == stage)
        .copied()
        .collect()
}

/// "HH:MM" of a millisecond time of day, for messages.
fn hm(ms: i64) -> String {
    format!("{:02}:{:02}", ms / HOUR, ms % HOUR / MIN)
}

fn hhmm(h: i64, m: i64) -> i64 {
    h * HOUR + m * MIN
}

// -------------------------------------------------------------------------------------------
// Conservation
// -------------------------------------------------------------------------------------------

/// Two checkpoints with lunch breaks, weekday and holiday closures, a foreign-clock stage with a
/// daily quota and reserved lane, neutral-zone travel, inspections, a holding area, travel
/// between checkpoints, two cargo classes with priority, and a warm-up.
const RICH: &str = r#"
[simulation]
name = "rich"
days = 40
warmup_days = 3
seed = 5
replications = 4
start_date = "2026-01-05"
utc_offset = "+05:00"

[classes.perishable]
max_wait = "3h"

[calendars.office]
hours = "08:30-12:00,13:00-17:00"
sat = "closed"
sun = "10:00-14:00"
closed = ["01-07", "2026-01-20"]

[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "exit"
lanes = 4
service = { dist = "lognormal", mean = "20min", sd = "15min" }
hours = "office"
inspection = { name = "x-ray", probability = 0.2, service = { dist = "uniform", min = "10min", max = "30min" } }
priority = ["perishable"]
holding_capacity = 5
[[checkpoints.stages]]
id = "entry"
lanes = 2
service = { dist = "exponential", mean = "15min" }
hours = "09:00-18:00"
utc_offset = "+08:00"
daily_quota = 40
travel = { dist = "uniform", min = "10min", max = "40min" }
reserved_lanes = { perishable = 1 }

[[checkpoints]]
id = "b"
[[checkpoints.stages]]
id = "only"
lanes = 2
service = { dist = "triangular", min = "5min", mode = "10min", max = "30min" }
hours = "20:00-06:00"
travel = "15min"

[[flows]]
id = "gen-ab"
mode = "truck"
class = "general"
tonnes = 20
value = 1000
route = ["a", "b"]
travel = [{ dist = "exponential", mean = "2h" }]
arrivals = { process = "poisson", rate = "30/day", hourly = [1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1] }

[[flows]]
id = "per-a"
mode = "truck"
class = "perishable"
tonnes = 15
value = 5000
route = ["a"]
arrivals = { process = "timetable", every = "90min", from = "06:00", to = "18:00" }

[[flows]]
id = "gen-b"
mode = "truck"
route = ["b"]
arrivals = { process = "poisson", rate = "30/day" }
"#;

/// For every checkpoint, stage, flow and class, in every replication:
/// arrivals = served + backlog_end (vehicles are neither lost nor created), with traffic on
/// every entity. Also: each flow's and class's totals agree, checkpoint `a` (first on every
/// route through it, no travel before it) sees exactly the arrivals of its flows, and its first
/// stage sees exactly the checkpoint's arrivals.
#[test]
fn vehicles_are_conserved_everywhere() {
    let m = model(RICH);
    let reps = sweep::run_replications(&m).expect("runs");
    assert_eq!(reps.len(), 4);
    for r in &reps {
        let rep = r.replication;
        for (i, c) in r.checkpoints.iter().enumerate() {
            assert!(c.kpi.arrivals > 0);
            assert_conserved(
                &format!("checkpoint {}, replication {rep}", m.checkpoints[i].id),
                &c.kpi,
            );
        }
        for (i, s) in r.stages.iter().enumerate() {
            assert!(s.kpi.arrivals > 0);
            assert_conserved(
                &format!("stage {}, replication {rep}", m.stages[i].id),
                &s.kpi,
            );
        }
        for (i, f) in r.flows.iter().enumerate() {
            assert!(f.arrivals > 0);
            assert_conserved(&format!("flow {}, replication {rep}", m.flows[i].id), f);
        }
        for (i, c) in r.classes.iter().enumerate() {
            assert!(c.arrivals > 0);
            assert_conserved(&format!("class {}, replication {rep}", m.classes[i].id), c);
        }
        let sum = |ks: &[EntityStats], f: fn(&EntityStats) -> u64| ks.iter().map(f).sum::<u64>();
        assert_eq!(
            sum(&r.flows, |k| k.arrivals),
            sum(&r.classes, |k| k.arrivals)
        );
        assert_eq!(sum(&r.flows, |k| k.served), sum(&r.classes, |k| k.served));
        let (gen_ab, per_a) = (flow_index(&m, "gen-ab"), flow_index(&m, "per-a"));
        assert_eq!(
            r.checkpoints[0].kpi.arrivals,
            r.flows[gen_ab].arrivals + r.flows[per_a].arrivals
        );
        let exit = stage_index(&m, "exit");
        let entry = stage_index(&m, "entry");
        assert_eq!(r.stages[exit].kpi.arrivals, r.checkpoints[0].kpi.arrivals);
        // Vehicles reach the entry stage only after leaving exit (and neutral-zone travel).
        assert!(r.stages[entry].kpi.arrivals <= r.stages[exit].kpi.served);
        assert_eq!(r.stages[entry].kpi.served, r.checkpoints[0].kpi.served);
    }
}

// -------------------------------------------------------------------------------------------
// Calendars
// -------------------------------------------------------------------------------------------

/// Six single-stage checkpoints, each with its own Poisson flow (heavy enough that queues form
/// while closed), on a reference clock of +05:00 from Monday 2026-01-05 (day 0), 14 days.
const CALENDARS: &str = r#"
[simulation]
name = "calendars"
days = 14
seed = 3
start_date = "2026-01-05"
utc_offset = "+05:00"

[calendars.weekdays]
hours = "08:00-18:00"
sat = "closed"
sun = "closed"

[calendars.holidays]
hours = "24/7"
closed = ["01-07", "2026-01-10"]

[calendars.holiday-night]
hours = "20:00-06:00"
closed = ["01-07"]

[calendars.friday-night]
hours = "closed"
fri = "20:00-06:00"

[calendars.beijing-holiday]
hours = "09:00-18:00"
closed = ["01-07"]
utc_offset = "+08:00"

[[checkpoints]]
id = "c-lunch"
[[checkpoints.stages]]
id = "lunch"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "08:30-12:00,13:00-17:00"

[[checkpoints]]
id = "c-night"
[[checkpoints.stages]]
id = "night"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "20:00-06:00"

[[checkpoints]]
id = "c-weekdays"
[[checkpoints.stages]]
id = "weekdays"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "weekdays"

[[checkpoints]]
id = "c-holidays"
[[checkpoints.stages]]
id = "holidays"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "holidays"

[[checkpoints]]
id = "c-holiday-night"
[[checkpoints.stages]]
id = "holiday-night"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "holiday-night"

[[checkpoints]]
id = "c-beijing"
[[checkpoints.stages]]
id = "beijing"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "09:00-18:00"
utc_offset = "+08:00"

[[checkpoints]]
id = "c-friday-night"
[[checkpoints.stages]]
id = "friday-night"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "friday-night"

[[checkpoints]]
id = "c-beijing-holiday"
[[checkpoints.stages]]
id = "beijing-holiday"
lanes = 1
service = { dist = "exponential", mean = "10min" }
hours = "beijing-holiday"

[[flows]]
id = "f-friday-night"
mode = "truck"
route = ["c-friday-night"]
arrivals = { process = "poisson", rate = "2/h" }

[[flows]]
id = "f-beijing-holiday"
mode = "truck"
route = ["c-beijing-holiday"]
arrivals = { process = "poisson", rate = "2.5/h" }

[[flows]]
id = "f-lunch"
mode = "truck"
route = ["c-lunch"]
arrivals = { process = "poisson", rate = "2.5/h" }

[[flows]]
id = "f-night"
mode = "truck"
route = ["c-night"]
arrivals = { process = "poisson", rate = "2.5/h" }

[[flows]]
id = "f-weekdays"
mode = "truck"
route = ["c-weekdays"]
arrivals = { process = "poisson", rate = "2/h" }

[[flows]]
id = "f-holidays"
mode = "truck"
route = ["c-holidays"]
arrivals = { process = "poisson", rate = "4/h" }

[[flows]]
id = "f-holiday-night"
mode = "truck"
route = ["c-holiday-night"]
arrivals = { process = "poisson", rate = "2/h" }

[[flows]]
id = "f-beijing"
mode = "truck"
route = ["c-beijing"]
arrivals = { process = "poisson", rate = "2.5/h" }
"#;

/// No service starts while a stage is closed, checked two ways for every start in the trace:
/// against the stage's own `calendar.is_open(at)`, and against an independent statement of the
/// hours on the reference clock (+05:00; day 0 = Monday 2026-01-05, so 01-07 is day 2):
/// - lunch "08:30-12:00,13:00-17:00": time of day in [08:30, 12:00) ∪ [13:00, 17:00);
/// - "20:00-06:00": at or after 20:00 or before 06:00;
/// - weekdays 08:00-18:00, Saturday and Sunday closed: weekday < 5 and in [08:00, 18:00);
/// - 24/7 with closed 01-07 and 2026-01-10: day ≠ 2 and day ≠ 5;
/// - "20:00-06:00" with 01-07 closed: the whole local day 2 is closed, and so is the morning
///   tail of day 2's window (00:00–06:00 of day 3, which belongs to the closed day);
/// - "09:00-18:00" on +08:00: [06:00, 15:00) on the +05:00 reference clock;
/// - closed every day but Friday "20:00-06:00": Friday from 20:00 and Saturday before 06:00
///   (the window belongs to Friday, so Saturday's "closed" does not cut it);
/// - a named calendar on +08:00 with 09:00-18:00 and 01-07 closed: [06:00, 15:00) reference
///   except day 2 (the closed date is a local Beijing day, 01-06 21:00 to 01-07 21:00
///   reference, which holds all of that day's hours).
///
/// Also: queues that built up while closed are served from the opening instant (some start
/// exactly at 08:30, 13:00 and 20:00, at 00:00 of day 3 and 00:00 of day 6 after the holidays,
/// and at 06:00 reference for the Beijing stage).
#[test]
fn no_service_starts_while_closed() {
    let m = model(CALENDARS);
    let (_, trace) = simulate_traced(&m, 0);
    type Rule = fn(i64, i64) -> bool;
    /// Stage id, hours as a predicate on (day, ms of day), openings (day or −1, ms of day).
    type Case<'a> = (&'a str, Rule, &'a [(i64, i64)]);
    let rules: [Case<'_>; 8] = [
        (
            "lunch",
            |_, t| {
                (hhmm(8, 30)..hhmm(12, 0)).contains(&t) || (hhmm(13, 0)..hhmm(17, 0)).contains(&t)
            },
            &[(-1, hhmm(8, 30)), (-1, hhmm(13, 0))],
        ),
        (
            "night",
            |_, t| t >= hhmm(20, 0) || t < hhmm(6, 0),
            &[(-1, hhmm(20, 0))],
        ),
        (
            "weekdays",
            |d, t| d.rem_euclid(7) < 5 && (hhmm(8, 0)..hhmm(18, 0)).contains(&t),
            &[(-1, hhmm(8, 0)), (7, hhmm(8, 0))],
        ),
        ("holidays", |d, _| d != 2 && d != 5, &[(3, 0), (6, 0)]),
        (
            "holiday-night",
            |d, t| {
                if t >= hhmm(20, 0) {
                    d != 2
                } else if t < hhmm(6, 0) {
                    d != 2 && d != 3
                } else {
                    false
                }
            },
            &[(3, hhmm(20, 0))],
        ),
        (
            "beijing",
            |_, t| (hhmm(6, 0)..hhmm(15, 0)).contains(&t),
            &[(-1, hhmm(6, 0))],
        ),
        (
            "friday-night",
            |d, t| {
                (d.rem_euclid(7) == 4 && t >= hhmm(20, 0))
                    || (d.rem_euclid(7) == 5 && t < hhmm(6, 0))
            },
            &[(4, hhmm(20, 0)), (11, hhmm(20, 0))],
        ),
        (
            "beijing-holiday",
            |d, t| d != 2 && (hhmm(6, 0)..hhmm(15, 0)).contains(&t),
            &[(3, hhmm(6, 0))],
        ),
    ];
    for (id, rule, openings) in rules {
        let s = stage_index(&m, id);
        let cal = &m.stages[s].calendar;
        let starts = starts_at(&trace, s);
        assert!(starts.len() > 40, "{id}: only {} starts", starts.len());
        for st in &starts {
            let (d, t) = (st.at.day_index(), st.at.ms_of_day());
            assert!(
                cal.is_open(st.at),
                "{id}: service started at day {d} {} while the calendar is closed",
                hm(t)
            );
            assert!(
                rule(d, t),
                "{id}: service started at day {d} {} outside the stated hours",
                hm(t)
            );
        }
        // Openings: (day, time of day), day −1 = on at least one day.
        for &(day, tod) in openings {
            let hit = starts
                .iter()
                .any(|st| st.at.ms_of_day() == tod && (day < 0 || st.at.day_index() == day));
            assert!(
                hit,
                "{id}: no service started exactly at the opening {} (day {day})",
                hm(tod)
            );
        }
    }
}

// -------------------------------------------------------------------------------------------
// Same-instant rules at opening and closing
// -------------------------------------------------------------------------------------------

/// One single-lane stage open 08:30-17:00 with a deterministic service, fed by timetables.
fn office(days: u32, service: &str, flows: &[(&str, &str)]) -> Model {
    let mut text = format!(
        r#"
[simulation]
name = "office"
days = {days}

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = {{ dist = "deterministic", value = "{service}" }}
hours = "08:30-17:00"
"#
    );
    for (id, times) in flows {
        text.push_str(&format!(
            r#"
[[flows]]
id = "{id}"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "timetable", times = [{times}] }}
"#
        ));
    }
    model(&text)
}

/// Hours are [open, close): a vehicle arriving exactly at 08:30 starts at 08:30 with zero wait,
/// every day (10 days → 10 starts, all at 08:30, all waits exactly 0).
#[test]
fn arrival_at_opening_instant_starts_at_once() {
    let m = office(10, "10min", &[("f", r#""08:30""#)]);
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(trace.len(), 10);
    for (d, st) in trace.iter().enumerate() {
        assert_eq!(st.at.day_index(), d as i64);
        assert_eq!(st.at.ms_of_day(), hhmm(8, 30));
        assert_eq!(st.waited, SimDuration::ZERO);
    }
    assert_eq!(r.stages[0].kpi.wait.max(), 0);
    assert_eq!(r.stages[0].kpi.served, 10);
}

/// At the closing instant no service starts: a vehicle arriving exactly at 17:00 waits until
/// 08:30 the next day, exactly 15 h 30 min. Over 10 days: 9 starts (the last day's vehicle is
/// still waiting at the horizon: backlog 1), every wait exactly 55 800 000 ms.
#[test]
fn arrival_at_closing_instant_waits_for_next_opening() {
    let m = office(10, "10min", &[("f", r#""17:00""#)]);
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(trace.len(), 9);
    let expected = SimDuration::from_mins(15 * 60 + 30);
    for (d, st) in trace.iter().enumerate() {
        assert_eq!(st.at.day_index(), d as i64 + 1);
        assert_eq!(st.at.ms_of_day(), hhmm(8, 30));
        assert_eq!(st.waited, expected);
    }
    let k = &r.stages[0].kpi;
    assert_eq!((k.arrivals, k.served, k.backlog_end), (10, 9, 1));
    assert_eq!(k.wait.min(), expected.as_ms() as u64);
    assert_eq!(k.wait.max(), expected.as_ms() as u64);
}

/// First come, first served holds at the opening instant too: a vehicle that has waited
/// overnight (arrived 17:00) is served before one arriving exactly at the 08:30 opening.
/// Expected each morning: the 17:00 vehicle starts at 08:30 (waited 15 h 30 min), the 08:30
/// arrival starts at 08:40 after the 10 min service (waited 10 min).
#[test]
fn fifo_holds_at_opening_instant() {
    let m = office(
        10,
        "10min",
        &[("morning", r#""08:30""#), ("evening", r#""17:00""#)],
    );
    let (morning, evening) = (
        flow_index(&m, "morning") as u32,
        flow_index(&m, "evening") as u32,
    );
    let (_, trace) = simulate_traced(&m, 0);
    for st in &trace {
        let d = st.at.day_index();
        if st.flow == evening {
            assert_eq!(
                (st.at.ms_of_day(), st.waited),
                (hhmm(8, 30), SimDuration::from_mins(930)),
                "day {d}: the overnight vehicle must start first, at the opening"
            );
        } else if d > 0 {
            assert_eq!(st.flow, morning);
            assert_eq!(
                (st.at.ms_of_day(), st.waited),
                (hhmm(8, 40), SimDuration::from_mins(10)),
                "day {d}: the 08:30 arrival must wait behind the overnight vehicle"
            );
        }
    }
}

/// A service in progress at closing finishes: arrival 16:50, deterministic 20 min service,
/// hours 08:30-17:00 → it starts at 16:50 with no wait and its time in the stage is exactly
/// 20 min (ends 17:10, after closing), every day.
#[test]
fn service_in_progress_at_closing_finishes() {
    let m = office(10, "20min", &[("f", r#""16:50""#)]);
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(trace.len(), 10);
    assert!(trace.iter().all(|s| s.waited == SimDuration::ZERO));
    let k = &r.stages[0].kpi;
    assert_eq!(k.served, 10);
    assert_eq!(k.time_in_system.min(), (20 * MIN) as u64);
    assert_eq!(k.time_in_system.max(), (20 * MIN) as u64);
}

// -------------------------------------------------------------------------------------------
// Daily quota
// -------------------------------------------------------------------------------------------

/// Daily quota 10 on a 24/7 stage whose clock is +08:00 while the reference clock is +00:00,
/// with 20 vehicles/h arriving (a permanent backlog), 2 lanes, deterministic 1 min service;
/// 8 days, 1 warm-up day. Checked on the trace:
/// - no local day (per `calendar.local_day`, and independently per ⌊(t + 8 h) / 24 h⌋) has more
///   than 10 starts, and every local day that begins inside the horizon has exactly 10;
/// - the quota day follows the stage's clock: after the first local day, every start is within
///   5 minutes after 16:00 reference (= local midnight), never around reference midnight;
/// - `quota_days_exhausted` equals the number of local days whose 10th start is after warm-up.
#[test]
fn daily_quota_counts_local_days_of_the_stage() {
    let m = model(
        r#"
[simulation]
name = "quota"
days = 8
warmup_days = 1
seed = 9

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 2
service = { dist = "deterministic", value = "1min" }
daily_quota = 10
utc_offset = "+08:00"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "poisson", rate = "20/h" }
"#,
    );
    let (r, trace) = simulate_traced(&m, 0);
    let cal = &m.stages[0].calendar;
    let mut per_day: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for st in &trace {
        let day = cal.local_day(st.at);
        assert_eq!(day, (st.at.as_ms() + 8 * HOUR).div_euclid(MS_PER_DAY));
        per_day.entry(day).or_default().push(st.at.as_ms());
    }
    // Local days 0 (from 08:00 local at t = 0) to 8 (starting 16:00 reference on day 7).
    assert_eq!(
        per_day.keys().copied().collect::<Vec<_>>(),
        (0..=8).collect::<Vec<_>>()
    );
    let mut exhausted_after_warmup = 0;
    for (day, starts) in &per_day {
        assert_eq!(starts.len(), 10, "local day {day}: {} starts", starts.len());
        if *starts.last().unwrap() >= m.warmup_end().as_ms() {
            exhausted_after_warmup += 1;
        }
        if *day > 0 {
            for &t in starts {
                let tod = t.rem_euclid(MS_PER_DAY);
                assert!(
                    (hhmm(16, 0)..hhmm(16, 5)).contains(&tod),
                    "local day {day}: start at {} reference, not just after local midnight",
                    hm(tod)
                );
            }
        }
    }
    assert_eq!(r.stages[0].quota_days_exhausted, exhausted_after_warmup);
    let summary = kpi::estimate_run(&m, std::slice::from_ref(&r), 0.0);
    let q = summary.stages()[0]
        .get("quota_days_exhausted")
        .unwrap()
        .mean;
    assert_eq!(q, exhausted_after_warmup as f64);
    // Local days 2..=8 start at 16:00 reference of days 1..=7, after the 1-day warm-up.
    assert_eq!(exhausted_after_warmup, 7);
}

/// With a quota that is not always reached, days below the quota are not counted: quota 30,
/// ~24 vehicles/day Poisson, 24/7, 60 days. quota_days_exhausted = number of (reference = local)
/// days with exactly 30 starts, and no day has more.
#[test]
fn quota_days_exhausted_counts_only_full_days() {
    let m = model(
        r#"
[simulation]
name = "quota-partial"
days = 60
warmup_days = 5
seed = 4

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "exponential", mean = "20min" }
daily_quota = 30
hours = "06:00-22:00"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "poisson", rate = "27/day" }
"#,
    );
    let (r, trace) = simulate_traced(&m, 0);
    let mut per_day = vec![0u32; 60];
    for st in &trace {
        per_day[m.stages[0].calendar.local_day(st.at) as usize] += 1;
    }
    assert!(per_day.iter().all(|&n| n <= 30), "{per_day:?}");
    let full = per_day[5..].iter().filter(|&&n| n == 30).count() as u64;
    assert!(
        full > 0 && full < 55,
        "the test needs some full and some partial days: {per_day:?}"
    );
    assert_eq!(r.stages[0].quota_days_exhausted, full);
}

// -------------------------------------------------------------------------------------------
// Priority and reserved lanes
// -------------------------------------------------------------------------------------------

/// Non-preemptive priority, exactly: one lane open 08:00-17:00, deterministic 10 min service;
/// general trucks arrive at 06:00 and 06:30, a perishable at 07:00. With priority =
/// ["perishable"] the perishable starts first at 08:00 (waited 1 h), then the generals in
/// arrival order at 08:10 (waited 2 h 10 min) and 08:20 (waited 1 h 50 min), every day.
#[test]
fn priority_class_is_served_first() {
    let m = model(
        r#"
[simulation]
name = "priority"
days = 5

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "10min" }
hours = "08:00-17:00"
priority = ["perishable"]

[[flows]]
id = "gen"
mode = "truck"
class = "general"
route = ["cp"]
arrivals = { process = "timetable", times = ["06:00", "06:30"] }

[[flows]]
id = "per"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "timetable", times = ["07:00"] }
"#,
    );
    let per = class_index(&m, "perishable") as u16;
    let gen_ = class_index(&m, "general") as u16;
    let (_, trace) = simulate_traced(&m, 0);
    assert_eq!(trace.len(), 15);
    for (d, day) in trace.chunks(3).enumerate() {
        let got: Vec<(u16, i64, i64)> = day
            .iter()
            .map(|s| (s.class, s.at.ms_of_day(), s.waited.as_ms()))
            .collect();
        assert_eq!(
            got,
            vec![
                (per, hhmm(8, 0), hhmm(1, 0)),
                (gen_, hhmm(8, 10), hhmm(2, 10)),
                (gen_, hhmm(8, 20), hhmm(1, 50)),
            ],
            "day {d}"
        );
        assert!(day.iter().all(|s| s.at.day_index() == d as i64));
    }
}

/// Loaded single lane (ρ = 0.8, 24/7, Poisson): the listed class waits less on average than the
/// other (Cobham: 0.114 h vs 0.571 h; `queueing` checks the values themselves).
#[test]
fn priority_class_waits_less_under_load() {
    let m = model(
        r#"
[simulation]
name = "priority-load"
days = 120
warmup_days = 5
seed = 21
replications = 4

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "exponential", mean = "6min" }
priority = ["perishable"]

[[flows]]
id = "gen"
mode = "truck"
class = "general"
route = ["cp"]
arrivals = { process = "poisson", rate = "5/h" }

[[flows]]
id = "per"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "poisson", rate = "3/h" }
"#,
    );
    let s = sweep::run(&m).expect("runs");
    let w = |id: &str| {
        let c = s.classes().into_iter().find(|c| c.id == id).unwrap();
        c.get("wait_mean_h").unwrap()
    };
    let (p, g) = (w("perishable"), w("general"));
    assert!(
        p.mean + p.ci95 < g.mean - g.ci95,
        "perishable {p:?} should wait clearly less than general {g:?}"
    );
}

/// Reserved lanes: a 2-lane stage with reserved_lanes = { perishable = 1 }, general trucks every
/// minute (deterministic 2 min service: twice what one lane handles) and a perishable every 3 h.
/// General vehicles never use the reserved lane, so general starts are exactly 2 min apart
/// (only one general in service at a time) and number 720 a day; perishables always find their
/// lane free and wait exactly 0, despite a general queue of hundreds.
#[test]
fn reserved_lane_serves_only_its_class() {
    let m = model(
        r#"
[simulation]
name = "reserved"
days = 3

[classes.perishable]

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 2
service = { dist = "deterministic", value = "2min" }
reserved_lanes = { perishable = 1 }

[[flows]]
id = "gen"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", every = "1min", from = "00:00", to = "23:59" }

[[flows]]
id = "per"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "timetable", every = "3h", from = "00:30", to = "21:30" }
"#,
    );
    let per = class_index(&m, "perishable") as u16;
    let (r, trace) = simulate_traced(&m, 0);
    let gen_starts: Vec<i64> = trace
        .iter()
        .filter(|s| s.class != per && s.at < m.horizon())
        .map(|s| s.at.as_ms())
        .collect();
    let per_starts: Vec<&ServiceStart> = trace.iter().filter(|s| s.class == per).collect();
    assert_eq!(per_starts.len(), 3 * 8);
    assert!(per_starts.iter().all(|s| s.waited == SimDuration::ZERO));
    assert!(
        gen_starts.windows(2).all(|w| w[1] - w[0] == 2 * MIN),
        "general vehicles were served on more than one lane"
    );
    // Starts at 0, 2, …, 4318 min before the horizon.
    assert_eq!(gen_starts.len(), 3 * 720);
    assert!(r.stages[0].levels.queue.max() > 1000);
}

/// An arriving vehicle of a reserved class takes its reserved lane first, then a general lane:
/// two perishables at the same instant on a 2-lane stage with 1 lane reserved both start at
/// once; a general truck arriving 1 min later waits for the general lane.
#[test]
fn reserved_class_overflows_to_general_lanes() {
    let m = model(
        r#"
[simulation]
name = "reserved-overflow"
days = 2

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 2
service = { dist = "deterministic", value = "10min" }
reserved_lanes = { perishable = 1 }

[[flows]]
id = "per1"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "timetable", times = ["10:00"] }

[[flows]]
id = "per2"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "timetable", times = ["10:00"] }

[[flows]]
id = "gen"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["10:01"] }
"#,
    );
    let gen_ = class_index(&m, "general") as u16;
    let (_, trace) = simulate_traced(&m, 0);
    assert_eq!(trace.len(), 6);
    for st in &trace {
        if st.class == gen_ {
            assert_eq!(st.at.ms_of_day(), hhmm(10, 10));
            assert_eq!(st.waited, SimDuration::from_mins(9));
        } else {
            assert_eq!(st.at.ms_of_day(), hhmm(10, 0));
            assert_eq!(st.waited, SimDuration::ZERO);
        }
    }
}

// -------------------------------------------------------------------------------------------
// Holding area and road queue
// -------------------------------------------------------------------------------------------

/// Deterministic overload: a truck every minute, one lane with a 2 min service, holding area of
/// 10, default 33 m per truck, 2 days. Only trucks beyond the holding area stand on the road:
/// queue_km_max = (queue_max − 10) × 33 / 1000 exactly, and the queue grows by one truck every
/// 2 minutes, so queue_max ≈ 2880 / 2 (checked to within 2 trucks of 1440 − 1).
#[test]
fn road_queue_is_queue_beyond_holding_area() {
    let m = model(
        r#"
[simulation]
name = "holding"
days = 2

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "2min" }
holding_capacity = 10

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", every = "1min", from = "00:00", to = "23:59" }
"#,
    );
    let s = sweep::run(&m).expect("runs");
    for e in [s.stages()[0], s.checkpoints()[0]] {
        let qmax = e.get("queue_max").unwrap().mean;
        let kmmax = e.get("queue_km_max").unwrap().mean;
        assert!((qmax - 1439.0).abs() <= 2.0, "{}: queue_max {qmax}", e.id);
        let expected = (qmax - 10.0) * 33.0 / 1000.0;
        assert!(
            (kmmax - expected).abs() < 1e-9,
            "{}: queue_km_max {kmmax} != ({qmax} − 10) × 0.033 = {expected}",
            e.id
        );
        // The mean road queue lies between (mean queue − 10) and the mean queue, in km.
        let qmean = e.get("queue_mean").unwrap().mean;
        let kmmean = e.get("queue_km_mean").unwrap().mean;
        assert!(kmmean <= qmean * 0.033 && kmmean >= (qmean - 10.0) * 0.033);
    }
}

// -------------------------------------------------------------------------------------------
// max_wait
// -------------------------------------------------------------------------------------------

/// Over-limit counting. A stage open only 08:00-09:00 with a 5 min service, 5 days:
/// - perishable (max_wait 2 h) trucks at 12:00 wait 20 h → every one is over the limit,
///   including the last day's, still waiting (12 h) at the horizon: 5 over the limit;
/// - perishable trucks at 08:10 find the lane free (the overnight queue is done by 08:10):
///   wait 0, never over;
/// - general trucks (no max_wait) at 12:30 wait 19.5 h but are never counted.
///
/// A second checkpoint (08:30-17:00) checks the boundary: trucks at 17:00 wait exactly
/// 15 h 30 min, which is not over a 930 min limit (the wait must exceed it) but is over 929 min.
#[test]
fn max_wait_counts_vehicles_over_the_limit() {
    let m = model(
        r#"
[simulation]
name = "max-wait"
days = 5

[classes.perishable]
max_wait = "2h"
[classes.edge-eq]
max_wait = "930min"
[classes.edge-lt]
max_wait = "929min"

[[checkpoints]]
id = "short"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "5min" }
hours = "08:00-09:00"

[[checkpoints]]
id = "office"
[[checkpoints.stages]]
id = "o"
lanes = 2
service = { dist = "deterministic", value = "5min" }
hours = "08:30-17:00"

[[flows]]
id = "per-late"
mode = "truck"
class = "perishable"
route = ["short"]
arrivals = { process = "timetable", times = ["12:00"] }

[[flows]]
id = "per-early"
mode = "truck"
class = "perishable"
route = ["short"]
arrivals = { process = "timetable", times = ["08:10"] }

[[flows]]
id = "gen-late"
mode = "truck"
class = "general"
route = ["short"]
arrivals = { process = "timetable", times = ["12:30"] }

[[flows]]
id = "eq"
mode = "truck"
class = "edge-eq"
route = ["office"]
arrivals = { process = "timetable", times = ["17:00"] }

[[flows]]
id = "lt"
mode = "truck"
class = "edge-lt"
route = ["office"]
arrivals = { process = "timetable", times = ["17:00"] }
"#,
    );
    let r = simulate(&m, 0);
    let flow = |id: &str| &r.flows[flow_index(&m, id)];
    let class = |id: &str| &r.classes[class_index(&m, id)];
    assert_eq!(flow("per-late").over_limit, 5);
    assert_eq!(flow("per-late").backlog_end, 1);
    assert_eq!(flow("per-early").over_limit, 0);
    assert_eq!(flow("per-early").wait.max(), 0);
    assert_eq!(flow("gen-late").over_limit, 0);
    assert_eq!(flow("gen-late").wait.min(), (19 * HOUR + 35 * MIN) as u64);
    assert_eq!(class("perishable").over_limit, 5);
    assert_eq!(class("general").over_limit, 0);
    assert_eq!(r.checkpoints[0].kpi.over_limit, 5);
    // Exactly at the limit is not over it; one minute less is.
    assert_eq!(flow("eq").wait.max(), (930 * MIN) as u64);
    assert_eq!(class("edge-eq").over_limit, 0);
    assert_eq!(class("edge-lt").over_limit, 4);
    assert_eq!(r.checkpoints[1].kpi.over_limit, 4);
}

// -------------------------------------------------------------------------------------------
// Determinism
// -------------------------------------------------------------------------------------------

fn json_without_wall(s: &borderflow::kpi::Summary) -> serde_json::Value {
    let mut v = borderflow::report::to_json(s);
    v.as_object_mut()
        .expect("summary JSON is an object")
        .remove("wall_s");
    v
}

/// The same model and seed give identical summaries (JSON without `wall_s`), whether run twice,
/// on one rayon thread or on two; another seed gives different numbers.
#[test]
fn runs_are_reproducible_across_runs_and_threads() {
    let m = model(RICH);
    let a = json_without_wall(&sweep::run(&m).expect("runs"));
    let b = json_without_wall(&sweep::run(&m).expect("runs"));
    assert_eq!(a, b);
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("thread pool")
    };
    let one = pool(1).install(|| json_without_wall(&sweep::run(&m).expect("runs")));
    let two = pool(2).install(|| json_without_wall(&sweep::run(&m).expect("runs")));
    assert_eq!(a, one);
    assert_eq!(a, two);
    let other = parse(
        RICH,
        "test.toml",
        Overrides {
            seed: Some(6),
            ..Overrides::default()
        },
    )
    .unwrap();
    let c = json_without_wall(&sweep::run(&other).expect("runs"));
    assert_ne!(a["checkpoints"], c["checkpoints"]);
    assert_ne!(a["flows"], c["flows"]);
}

/// Replication r is the same whether run alone or among others.
#[test]
fn replication_results_do_not_depend_on_batch() {
    let m = model(RICH);
    let all = sweep::run_replications(&m).expect("runs");
    let alone = simulate(&m, 2);
    assert_eq!(all[2].events, alone.events);
    assert_eq!(all[2].flows[0].arrivals, alone.flows[0].arrivals);
    assert_eq!(all[2].flows[0].wait.sum(), alone.flows[0].wait.sum());
    assert_ne!(all[1].flows[0].wait.sum(), alone.flows[0].wait.sum());
}

// -------------------------------------------------------------------------------------------
// Warm-up
// -------------------------------------------------------------------------------------------

/// Vehicles created before the warm-up end are left out: a timetable every 30 min from 08:00 to
/// 18:00 (21 departures a day), 10 days with 3 warm-up days → exactly 7 × 21 = 147 arrivals
/// everywhere, all served (10 min deterministic service, 24/7). Time averages start at the
/// warm-up end: busy time is 21 × 10 min = 210 min per 1440 min day, so utilisation is exactly
/// 210 / 1440.
#[test]
fn warmup_excludes_earlier_vehicles() {
    let m = model(
        r#"
[simulation]
name = "warmup"
days = 10
warmup_days = 3

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "10min" }

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", every = "30min", from = "08:00", to = "18:00" }
"#,
    );
    let r = simulate(&m, 0);
    for k in [
        &r.flows[0],
        &r.classes[0],
        &r.checkpoints[0].kpi,
        &r.stages[0].kpi,
    ] {
        assert_eq!((k.arrivals, k.served, k.backlog_end), (147, 147, 0));
        assert_eq!(k.wait.count(), 147);
    }
    assert_eq!(r.measured_ms, 7 * MS_PER_DAY);
    let s = kpi::estimate_run(&m, std::slice::from_ref(&r), 0.0);
    let util = s.stages()[0].get("utilization").unwrap().mean;
    assert!((util - 210.0 / 1440.0).abs() < 1e-12, "{util}");
    let per_day = s.flows()[0].get("served_per_day").unwrap().mean;
    assert!((per_day - 21.0).abs() < 1e-12, "{per_day}");
}

/// The measured window is [warm-up end, horizon): a timetable at 00:00 and 12:00 over 5 days
/// with 2 warm-up days has 6 departures in it (days 2, 3, 4). The 00:00 departure at the warm-up
/// end is counted; the one at the horizon instant (00:00 of day 5) is not — otherwise a
/// 3-day window would report 7 arrivals (2.33 a day for a 2-a-day timetable).
#[test]
fn measured_window_excludes_the_horizon_instant() {
    let m = model(
        r#"
[simulation]
name = "window"
days = 5
warmup_days = 2

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "10min" }

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["00:00", "12:00"] }
"#,
    );
    let r = simulate(&m, 0);
    assert_eq!(r.flows[0].arrivals, 6);
    assert_eq!(r.stages[0].kpi.arrivals, 6);
}

// -------------------------------------------------------------------------------------------
// Inspections, travel, arrival profiles
// -------------------------------------------------------------------------------------------

/// One lane, a truck every 30 min, deterministic 10 min service plus an inspection of a
/// deterministic 10 min on the same lane. With probability 1 every truck spends exactly 20 min
/// in the stage and never waits. With probability 0.25 the share of 20 min stays is a binomial
/// proportion around 0.25 (n = 48 × 100 = 4800, sd 0.006): checked within ±0.03 (5 sd).
#[test]
fn inspection_extends_service_on_the_same_lane() {
    let text = |p: f64| {
        format!(
            r#"
[simulation]
name = "inspection"
days = 100
seed = 8

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = {{ dist = "deterministic", value = "10min" }}
inspection = {{ name = "x-ray", probability = {p}, service = {{ dist = "deterministic", value = "10min" }} }}

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "timetable", every = "30min", from = "00:00", to = "23:30" }}
"#
        )
    };
    let r = simulate(&model(&text(1.0)), 0);
    let k = &r.stages[0].kpi;
    assert_eq!(k.served, 4800);
    assert_eq!(k.time_in_system.min(), (20 * MIN) as u64);
    assert_eq!(k.time_in_system.max(), (20 * MIN) as u64);
    assert_eq!(k.wait.max(), 0);

    let r = simulate(&model(&text(0.25)), 0);
    let k = &r.stages[0].kpi;
    assert_eq!(k.time_in_system.min(), (10 * MIN) as u64);
    assert_eq!(k.time_in_system.max(), (20 * MIN) as u64);
    let share = k.time_in_system.count_above((15 * MIN) as u64) as f64 / k.served as f64;
    assert!((share - 0.25).abs() <= 0.03, "inspected share {share}");
    // Mean stay is exactly 10 min + 10 min × (inspected share).
    let mean = k.time_in_system.mean() / MIN as f64;
    assert!(
        (mean - (10.0 + 10.0 * share)).abs() < 0.01,
        "{mean} vs share {share}"
    );
}

/// Travel is time in the system but not waiting: two checkpoints in a row, 24/7, each of two
/// stages with a deterministic 10 min service; the second stage of each is 15 min of neutral
/// zone away, and the flow drives 2 h between the checkpoints; a truck every hour (no queues).
/// Per checkpoint: wait 0, time in system 10 + 15 + 10 = 35 min; per flow: 35 + 120 + 35 =
/// 190 min; stages: time in system 10 min (travel is before the stage).
#[test]
fn travel_adds_to_time_in_system_not_to_wait() {
    let m = model(
        r#"
[simulation]
name = "travel"
days = 5

[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "a1"
lanes = 1
service = { dist = "deterministic", value = "10min" }
[[checkpoints.stages]]
id = "a2"
lanes = 1
service = { dist = "deterministic", value = "10min" }
travel = "15min"

[[checkpoints]]
id = "b"
[[checkpoints.stages]]
id = "b1"
lanes = 1
service = { dist = "deterministic", value = "10min" }
[[checkpoints.stages]]
id = "b2"
lanes = 1
service = { dist = "deterministic", value = "10min" }
travel = { dist = "deterministic", value = "15min" }

[[flows]]
id = "f"
mode = "truck"
route = ["a", "b"]
travel = ["2h"]
arrivals = { process = "timetable", every = "1h", from = "00:00", to = "23:00" }
"#,
    );
    let r = simulate(&m, 0);
    let exact = |d: &borderflow::stats::Histogram, ms: i64, what: &str| {
        assert!(d.count() > 100, "{what}: {} samples", d.count());
        assert_eq!((d.min(), d.max()), (ms as u64, ms as u64), "{what}");
    };
    for (i, c) in r.checkpoints.iter().enumerate() {
        exact(&c.kpi.wait, 0, "checkpoint wait");
        exact(
            &c.kpi.time_in_system,
            35 * MIN,
            &format!("checkpoint {i} time in system"),
        );
    }
    for s in &r.stages {
        exact(&s.kpi.time_in_system, 10 * MIN, "stage time in system");
    }
    exact(&r.flows[0].wait, 0, "flow wait");
    exact(&r.flows[0].time_in_system, 190 * MIN, "flow time in system");
}

/// Non-homogeneous Poisson arrivals (thinning): 240/day with all hourly weight on 10:00-11:00
/// (normalised to mean 1, so 24 × 10/h in that hour) and weekday multipliers Mon–Fri 1,
/// Sat–Sun 0, 28 days from a Monday. Every arrival is a Monday–Friday 10:xx (24/7 stage with
/// 50 lanes of 1 min: no waits, so service start = arrival), and the total is
/// 20 weekdays × 240 = 4800 ± 4 sd (sd = √4800 ≈ 69).
#[test]
fn profiled_arrivals_follow_hour_and_weekday_shape() {
    let mut hourly = vec!["0"; 24];
    hourly[10] = "1";
    let m = model(&format!(
        r#"
[simulation]
name = "profile"
days = 28
seed = 2

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 50
service = {{ dist = "deterministic", value = "1min" }}

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "poisson", rate = "240/day", hourly = [{}], weekday = [1, 1, 1, 1, 1, 0, 0] }}
"#,
        hourly.join(", ")
    ));
    let (r, trace) = simulate_traced(&m, 0);
    for st in &trace {
        assert_eq!(st.waited, SimDuration::ZERO);
        assert_eq!(
            st.at.hour_of_day(),
            10,
            "arrival at {}",
            hm(st.at.ms_of_day())
        );
        assert!(
            st.at.day_index().rem_euclid(7) < 5,
            "weekend arrival on day {}",
            st.at.day_index()
        );
    }
    let n = r.flows[0].arrivals as f64;
    assert!((n - 4800.0).abs() <= 4.0 * 4800f64.sqrt(), "{n} arrivals");
}
