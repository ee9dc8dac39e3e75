//! Observations that do not change the model: time series and yearly statistics. Recording them
//! must leave every statistic identical, and what they record must add up to the run's totals.

use crate::common::*;
use borderflow::kpi::rep_values;
use borderflow::model::{Model, Observe, simulate, simulate_with};
use borderflow::scenario::{Overrides, parse};
use borderflow::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, SimDuration};

fn two_stage(days: u32, extra_sim: &str) -> Model {
    model(&format!(
        r#"
[simulation]
name = "observe"
days = {days}
warmup_days = 3
seed = 7
start_date = "2026-12-20"
{extra_sim}

[[checkpoints]]
id = "cp"

[[checkpoints.stages]]
id = "exit"
lanes = 2
service = {{ dist = "exponential", mean = "20min" }}
hours = "09:00-18:00"

[[checkpoints.stages]]
id = "entry"
lanes = 3
service = {{ dist = "exponential", mean = "25min" }}
daily_quota = 40

[[flows]]
id = "trucks"
mode = "truck"
tonnes = 20.0
route = ["cp"]
arrivals = {{ process = "poisson", rate = "36/day" }}
"#
    ))
}

fn every(minutes: i64) -> Observe {
    Observe {
        series_step: Some(SimDuration::from_ms(minutes * MS_PER_MIN)),
    }
}

#[test]
fn recording_a_series_changes_no_statistic_and_no_event_count() {
    let m = two_stage(60, "");
    let plain = simulate(&m, 0);
    let observed = simulate_with(&m, 0, every(10));
    assert!(!observed.series.is_empty());
    assert_eq!(plain.events, observed.events);
    assert_eq!(rep_values(&m, &plain), rep_values(&m, &observed));
    // A single-stage crossing (whose statistics the engine records once, for the checkpoint,
    // unless it samples the stage) gives the same results sampled or not.
    let single = model(
        &std::fs::read_to_string(repo_path("scenarios/examples/mm1.toml")).expect("mm1 example"),
    );
    let plain = simulate(&single, 0);
    let observed = simulate_with(&single, 0, every(60));
    assert_eq!(rep_values(&single, &plain), rep_values(&single, &observed));
    let served: u64 = observed.series.iter().map(|x| x.served).sum();
    assert_eq!(served, observed.stages[0].kpi.served);
}

#[test]
fn series_counts_add_up_to_the_stage_totals() {
    let m = two_stage(60, "");
    let r = simulate_with(&m, 0, every(60));
    for (i, st) in r.stages.iter().enumerate() {
        let rows: Vec<_> = r.series.iter().filter(|x| x.stage == i as u32).collect();
        // One row per hour of the measured span (57 days), the last one at the horizon.
        assert_eq!(rows.len(), 57 * 24, "stage {i}");
        assert_eq!(rows.last().unwrap().at, m.horizon());
        let sum =
            |f: &dyn Fn(&&borderflow::model::SeriesRow) -> u64| rows.iter().map(f).sum::<u64>();
        assert_eq!(
            sum(&|x| x.arrivals),
            st.kpi.arrivals,
            "arrivals at stage {i}"
        );
        assert_eq!(sum(&|x| x.served), st.kpi.served, "served at stage {i}");
        assert_eq!(
            sum(&|x| x.started),
            st.kpi.wait.count(),
            "starts at stage {i}"
        );
        let wait: u128 = rows.iter().map(|x| x.wait_sum_ms).sum();
        assert_eq!(wait, st.kpi.wait.sum(), "wait sum at stage {i}");
        // Quota: never more starts in a day than the quota (entry stage, UTC days here).
        if i == 1 {
            for day in rows.chunks(24) {
                assert!(day.iter().map(|x| x.started).sum::<u64>() <= 40);
            }
        }
    }
}

#[test]
fn sampled_queue_averages_to_the_time_weighted_mean_and_lanes_follow_the_hours() {
    let m = two_stage(60, "");
    let r = simulate_with(&m, 0, every(1));
    let exit: Vec<_> = r.series.iter().filter(|x| x.stage == 0).collect();
    let sampled = exit.iter().map(|x| x.queue as f64).sum::<f64>() / exit.len() as f64;
    let exact = r.stages[0].levels.queue.mean(m.horizon().as_ms());
    assert!(
        (sampled - exact).abs() <= 0.01 * exact,
        "sampled {sampled} vs time-weighted {exact}"
    );
    for x in &exit {
        let h = x.at.as_ms().rem_euclid(MS_PER_DAY) as f64 / MS_PER_HOUR as f64;
        // Levels are those just before the sampling instant: the 09:00 sample is still closed.
        let open = h > 9.0 && h <= 18.0;
        assert_eq!(x.lanes_open, if open { 2 } else { 0 }, "at {h} h");
        assert!(x.busy <= 2);
    }
}

#[test]
fn yearly_statistics_partition_the_run() {
    // 20 Dec 2026 + 3 warm-up days, 800 days: parts of 2026 and 2029, all of 2027 and 2028.
    let m = two_stage(800, "");
    let r = simulate(&m, 0);
    let years: Vec<i16> = r.years.iter().map(|y| y.year).collect();
    assert_eq!(years, [2026, 2027, 2028, 2029]);
    assert_eq!(r.years[1].days, 365.0);
    assert_eq!(r.years[2].days, 366.0);
    let days: f64 = r.years.iter().map(|y| y.days).sum();
    assert_eq!(days, 797.0);
    let f = &r.flows[0];
    let served: u64 = r.years.iter().map(|y| y.flows[0].served).sum();
    assert_eq!(served, f.served);
    let waits: u64 = r.years.iter().map(|y| y.flows[0].waits).sum();
    let sum: u128 = r.years.iter().map(|y| y.flows[0].wait_sum_ms).sum();
    assert_eq!((waits, sum), (f.wait.count(), f.wait.sum()));
    let cp: u64 = r.years.iter().map(|y| y.checkpoints[0].served).sum();
    assert_eq!(cp, r.checkpoints[0].kpi.served);
    assert!(
        r.years.iter().all(|y| y.system == y.flows[0]),
        "one flow: system = flow"
    );
    // A year's p95 is that of its own waits: 2027 and 2028 see the same process, 2026 (from
    // 23 Dec) starts with an empty queue.
    let p95: Vec<f64> = r.years.iter().map(|y| y.system.wait_p95_ms).collect();
    assert!((p95[1] - p95[2]).abs() < 0.25 * p95[1], "{p95:?}");
    // The yearly KPIs reach the summaries: served per day of 2027 is that year's count / 365.
    // A run of a year or less reports no years (memory stays independent of the horizon).
    assert!(simulate(&two_stage(300, ""), 0).years.is_empty());
    let values = rep_values(&m, &r);
    let system = &values[0].values;
    let y2027 = system
        .iter()
        .find(|(k, _)| k == "y2027.served_per_day")
        .expect("yearly KPI")
        .1;
    assert_eq!(y2027, r.years[1].flows[0].served as f64 / 365.0);
}

#[test]
fn series_step_is_checked() {
    let text = r#"
[simulation]
name = "x"
days = 10
series_step = "0min"

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "poisson", rate = "1/h" }
"#;
    let e = parse(text, "t.toml", Overrides::default())
        .expect_err("zero step")
        .to_string();
    assert!(
        e.contains("t.toml:5:15") && e.contains("series_step"),
        "{e}"
    );
    let ok = parse(
        &text.replace("\"0min\"", "\"15min\""),
        "t.toml",
        Overrides::default(),
    )
    .expect("valid step");
    assert_eq!(ok.series_step.as_ms(), 15 * MS_PER_MIN);
}
