//! Things that change on dates: a stage's lanes and quota, a crossing that opens, a flow that
//! starts or ends, and demand that grows from year to year.

use crate::common::*;
use borderflow::model::{ServiceStart, simulate, simulate_traced};
use borderflow::scenario::{Overrides, parse};
use borderflow::time::{MS_PER_DAY, MS_PER_HOUR, SimTime};

fn error(text: &str) -> String {
    parse(text, "test.toml", Overrides::default())
        .expect_err("must be rejected")
        .to_string()
}

/// One stage with `stage` extra lines, one Poisson flow of `rate` with `flow` extra lines;
/// simulation from Monday 2026-01-05, `days` days, no warm-up.
fn one_stage(days: u32, stage: &str, rate: &str, flow: &str) -> String {
    format!(
        r#"
[simulation]
name = "dated"
days = {days}
seed = 11
start_date = "2026-01-05"

[[checkpoints]]
id = "cp"

[[checkpoints.stages]]
id = "gate"
service = {{ dist = "deterministic", value = "1h" }}
{stage}

[[flows]]
id = "trucks"
mode = "truck"
route = ["cp"]
{flow}
arrivals = {{ process = "poisson", rate = "{rate}" }}
"#
    )
}

/// Most services in progress at once, over the service starts in `trace` (1 h services).
fn peak_concurrency(trace: &[ServiceStart]) -> usize {
    let mut most = 0;
    for (i, s) in trace.iter().enumerate() {
        let busy = trace[..=i]
            .iter()
            .filter(|x| x.at.as_ms() + MS_PER_HOUR > s.at.as_ms())
            .count();
        most = most.max(busy);
    }
    most
}

fn day(d: i64) -> SimTime {
    SimTime::from_ms(d * MS_PER_DAY)
}

#[test]
fn more_lanes_from_a_date_serve_more_at_once_and_count_in_utilisation() {
    // 3 trucks/h on 1 lane of 1 h service: overloaded until day 10 brings 4 lanes.
    let m = model(&one_stage(
        20,
        "lanes = 1\nchanges = [{ from = \"2026-01-15\", lanes = 4 }]",
        "3/h",
        "",
    ));
    let (r, trace) = simulate_traced(&m, 0);
    let before: Vec<_> = trace.iter().filter(|s| s.at < day(10)).copied().collect();
    let after: Vec<_> = trace.iter().filter(|s| s.at >= day(10)).copied().collect();
    assert_eq!(peak_concurrency(&before), 1);
    assert_eq!(peak_concurrency(&after), 4);
    // The queue never empties (72 trucks a day against 24, then 96 a day): one lane starts 240
    // one-hour services in ten days, four lanes 960 (less the hour the old lane was busy).
    assert!((239..=240).contains(&before.len()), "{}", before.len());
    assert!((957..=960).contains(&after.len()), "{}", after.len());
    // Open lane-time: 10 days × 1 lane + 10 days × 4 lanes.
    assert_eq!(r.stages[0].open_lane_ms, 50 * MS_PER_DAY as i128);
    assert!(r.stages[0].busy_open_lane_ms <= r.stages[0].open_lane_ms);
}

#[test]
fn fewer_lanes_retire_as_their_trucks_finish() {
    let m = model(&one_stage(
        20,
        "lanes = 4\nchanges = [{ from = \"2026-01-15\", lanes = 2 }]",
        "3/h",
        "",
    ));
    let (_, trace) = simulate_traced(&m, 0);
    let before: Vec<_> = trace.iter().filter(|s| s.at < day(10)).copied().collect();
    let after: Vec<_> = trace
        .iter()
        .filter(|s| s.at >= day(10) + borderflow::time::SimDuration::from_ms(MS_PER_HOUR))
        .copied()
        .collect();
    assert_eq!(peak_concurrency(&before), 4);
    assert_eq!(peak_concurrency(&after), 2);
}

#[test]
fn a_quota_change_applies_from_its_local_midnight() {
    // 200 trucks a day against 100/day, raised to 150/day from 10 Jan on the stage's UTC+8 clock.
    let m = model(&one_stage(
        12,
        "lanes = 50\nutc_offset = \"+08:00\"\ndaily_quota = 100\nchanges = [{ from = \"2026-01-10\", daily_quota = 150 }]",
        "200/day",
        "",
    ));
    let (_, trace) = simulate_traced(&m, 0);
    // Local days on the +8 clock start at 16:00 of the previous reference day.
    let local_day = |s: &ServiceStart| (s.at.as_ms() + 8 * MS_PER_HOUR).div_euclid(MS_PER_DAY);
    let mut per_day = std::collections::BTreeMap::new();
    for s in &trace {
        *per_day.entry(local_day(s)).or_insert(0) += 1;
    }
    for (&d, &n) in &per_day {
        let quota = if d >= 5 { 150 } else { 100 };
        assert!(n <= quota, "local day {d}: {n} starts, quota {quota}");
        if (1..=10).contains(&d) {
            assert_eq!(n, quota, "local day {d} is saturated");
        }
    }
}

#[test]
fn a_crossing_that_opens_on_a_date_serves_nobody_before() {
    let text = one_stage(30, "lanes = 5", "2/h", "")
        .replace("id = \"cp\"\n", "id = \"cp\"\nopens = \"2026-01-25\"\n");
    let m = model(&text);
    let (r, trace) = simulate_traced(&m, 0);
    let first = trace.first().expect("served after opening").at;
    assert_eq!(first, day(20), "the queue starts at the opening instant");
    // Open lane-time only after the opening: 10 days × 5 lanes.
    assert_eq!(r.stages[0].open_lane_ms, 50 * MS_PER_DAY as i128);
}

#[test]
fn a_flow_appears_only_between_its_dates() {
    let m = model(&one_stage(
        30,
        "lanes = 5",
        "2/h",
        "starts = \"2026-01-15\"\nends = \"2026-01-25\"",
    ));
    let (r, trace) = simulate_traced(&m, 0);
    assert!(trace.iter().all(|s| s.at >= day(10) && s.at < day(20)));
    // About 2/h × 24 × 10 = 480 arrivals (Poisson: ±4 sd = ±88).
    let n = r.flows[0].arrivals as f64;
    assert!((n - 480.0).abs() < 88.0, "{n}");
    let share = m.active_share(&m.flows[0]);
    assert!((share - 10.0 / 30.0).abs() < 1e-12);
}

#[test]
fn demand_grows_by_its_yearly_rate() {
    // 1,000 trucks/day growing 23 %/yr over three years: each year's mean is 1.23 × the last
    // (the day-by-day compounding keeps the ratio exact for whole years).
    let m = model(&one_stage(3 * 365, "lanes = 200", "1000/day", "").replace(
        "rate = \"1000/day\" }",
        "rate = \"1000/day\", growth_per_year = 0.23 }",
    ));
    let r = simulate(&m, 0);
    let served: Vec<f64> = r
        .years
        .iter()
        .map(|y| y.flows[0].arrivals as f64 / y.days)
        .collect();
    assert_eq!(
        r.years.len(),
        4,
        "2026 (from 5 Jan), 2027, 2028, a few days of 2029"
    );
    let ratio = served[2] / served[1];
    // 2027 and 2028 are whole years: ratio 1.23, counts ~450k, so sampling error < 0.5%.
    assert!((ratio - 1.23).abs() < 0.01, "ratio {ratio}");
    // The mean rate of the overload check includes growth: 1000 × mean of 1.23^(d/365).
    let mean = m.mean_rate_per_h(&m.flows[0]) * 24.0;
    let expect = 1000.0 * (1.23f64.powf(3.0) - 1.0) / (3.0 * 1.23f64.ln());
    assert!((mean - expect).abs() / expect < 0.01, "{mean} vs {expect}");
}

#[test]
fn dated_fields_are_checked() {
    let e = error(&one_stage(
        10,
        "lanes = 2\nchanges = [{ from = \"2026-02-01\", lanes = 3 }, { from = \"2026-01-20\", lanes = 4 }]",
        "1/h",
        "",
    ));
    assert!(
        e.contains("changes[1].from") && e.contains("date order"),
        "{e}"
    );
    let e = error(&one_stage(
        10,
        "lanes = 2\nchanges = [{ from = \"2026-02-01\" }]",
        "1/h",
        "",
    ));
    assert!(
        e.contains("changes[0]") && e.contains("`lanes` or `daily_quota`"),
        "{e}"
    );
    let e = error(&one_stage(
        10,
        "lanes = 2\nchanges = [{ from = \"2026-02-30\", lanes = 3 }]",
        "1/h",
        "",
    ));
    assert!(e.contains("changes[0].from"), "{e}");
    let e = error(&one_stage(
        10,
        "lanes = 2\nchanges = [{ from = \"2026-02-01\", lanes = 3, quota = 5 }]",
        "1/h",
        "",
    ));
    assert!(e.contains("quota"), "unknown field: {e}");
    let e = error(&one_stage(
        10,
        "lanes = 2",
        "1/h",
        "starts = \"2026-03-01\"\nends = \"2026-02-01\"",
    ));
    assert!(e.contains("flows[0].ends") && e.contains("later"), "{e}");
    let e = error(&one_stage(10, "lanes = 2", "1/h", "").replace(
        "rate = \"1/h\" }",
        "rate = \"1/h\", growth_per_year = -1.5 }",
    ));
    assert!(e.contains("growth_per_year"), "{e}");
    let e = error(
        &one_stage(10, "lanes = 2", "1/h", "")
            .replace("id = \"cp\"\n", "id = \"cp\"\nopens = \"soon\"\n"),
    );
    assert!(e.contains("checkpoints[0].opens"), "{e}");
}

#[test]
fn changes_and_flow_starts_dated_at_or_before_the_start_hold_from_the_start() {
    // On a +08:00 stage clock, local midnight of the start date is 8 h before time 0: the change
    // holds from the start, and so do the later ones (each used to be scheduled by the one before).
    let m = model(&one_stage(
        10,
        "lanes = 1\nutc_offset = \"+08:00\"\nchanges = [{ from = \"2026-01-05\", lanes = 4 }, { from = \"2026-01-10\", lanes = 2 }]",
        "3/h",
        "starts = \"2025-12-01\"",
    ));
    let (r, trace) = simulate_traced(&m, 0);
    assert!(
        r.flows[0].arrivals > 600,
        "a flow that started before the run arrives from its start"
    );
    let first: Vec<_> = trace.iter().filter(|s| s.at < day(4)).copied().collect();
    let later: Vec<_> = trace
        .iter()
        .filter(|s| s.at >= day(5) + borderflow::time::SimDuration::from_ms(MS_PER_HOUR))
        .copied()
        .collect();
    assert_eq!(peak_concurrency(&first), 4);
    assert_eq!(peak_concurrency(&later), 2);
}
