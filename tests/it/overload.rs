//! Overload, detected: the trend test on the real engine (a stable M/M/1 at ρ = 0.95 is not
//! flagged, one at ρ = 1.05 is) and the overload KPIs of a run.

use crate::common::*;
use borderflow::kpi;
use borderflow::model::{Model, simulate};
use borderflow::stats::Trend;

/// M/M/1: one lane serving exponential 6 min (μ = 10/h), Poisson arrivals at `rate_per_h`.
fn mm1_text(rate_per_h: f64, days: u32, warmup: u32, reps: u32, seed: u64) -> String {
    format!(
        r#"
[simulation]
name = "mm1-trend"
days = {days}
warmup_days = {warmup}
seed = {seed}
replications = {reps}

[[checkpoints]]
id = "booth"

[[checkpoints.stages]]
id = "service"
lanes = 1
service = {{ dist = "exponential", mean = "6min" }}

[[flows]]
id = "arrivals"
mode = "truck"
route = ["booth"]
arrivals = {{ process = "poisson", rate = "{rate_per_h}/h" }}
"#
    )
}

/// Per replication of `m`: the trend test's fitted growth \[vehicles/day\], its t statistic and
/// whether it flags the checkpoint (the trend test alone, without the static check).
fn trend_tests(m: &Model) -> Vec<(f64, f64, bool)> {
    (0..m.replications)
        .map(|r| {
            let res = simulate(m, r);
            let c = &res.checkpoints[0];
            let days = res.measured_ms as f64 / 86_400_000.0;
            let (slope, flagged) = kpi::growth(&c.inside_blocks, c.kpi.arrivals as f64 / days);
            let step = c.inside_blocks.len_ms as f64 / 86_400_000.0;
            let t = Trend::fit(&c.inside_blocks.means, step).map_or(f64::NAN, |t| t.t());
            (slope, t, flagged)
        })
        .collect()
}

// Run length and seeds. 400 days with 20 of warm-up: the second half (190 days) holds 8 blocks
// of 3 weeks, 168 days. At ρ = 0.95 the M/M/1 queue relaxes in about 1/(μ(1 − √ρ)²) = 156 h,
// so 3-week block means are nearly independent and wander by a few vehicles, while the test
// asks for growth of at least 1 % of the arrivals, 2.28 vehicles/day (383 over the 168 days),
// and a t statistic above t(0.99, 6) = 3.14: the 20 runs below fit −0.11 to +0.18 a day. At
// ρ = 1.05 the queue grows by λ − μ = 12 vehicles/day (4.8 % of the arrivals) with a random-walk
// scatter of √((λ + μ)·t) ≈ 450 vehicles over the 168 days, so the fitted growth is 12 ± 3 a
// day: the runs below fit 6.7 to 16.5 a day with t from 11 to 44, far from either threshold.
// Five seeds × four replications, 20 runs per load, all of which must agree; a run takes ~20 ms.
const DAYS: u32 = 400;
const WARMUP: u32 = 20;
const SEEDS: [u64; 5] = [1, 7, 42, 2024, 99_991];
const REPS: u32 = 4;

#[test]
fn the_trend_test_does_not_flag_a_stable_mm1_at_rho_0_95() {
    for seed in SEEDS {
        let m = model(&mm1_text(9.5, DAYS, WARMUP, REPS, seed));
        assert!(m.overloads().is_empty(), "ρ = 0.95 is no static overload");
        for (r, (slope, t, flagged)) in trend_tests(&m).into_iter().enumerate() {
            eprintln!("ρ = 0.95, seed {seed}, replication {r}: growth {slope:+.3}/day, t = {t:.2}");
            assert!(
                !flagged,
                "seed {seed}, replication {r}: flagged ({slope}/day, t = {t})"
            );
            // Far below the 2.28 vehicles/day that would be material.
            assert!(
                slope.abs() < 0.5,
                "seed {seed}, replication {r}: {slope}/day"
            );
        }
    }
}

#[test]
fn the_trend_test_flags_mm1_at_rho_1_05() {
    for seed in SEEDS {
        let m = model(&mm1_text(10.5, DAYS, WARMUP, REPS, seed));
        for (r, (slope, t, flagged)) in trend_tests(&m).into_iter().enumerate() {
            eprintln!("ρ = 1.05, seed {seed}, replication {r}: growth {slope:+.3}/day, t = {t:.2}");
            assert!(
                flagged,
                "seed {seed}, replication {r}: not flagged ({slope}/day, t = {t})"
            );
            // λ − μ = 0.5/h = 12 vehicles/day, within three standard deviations.
            assert!(
                (slope - 12.0).abs() < 8.0,
                "seed {seed}, replication {r}: {slope}/day"
            );
        }
    }
}

/// The overload KPIs of one point, by entity and name.
fn kpi_mean(s: &kpi::Summary, kind: kpi::EntityKind, id: &str, name: &str) -> Option<f64> {
    s.point
        .cell(kind, id, name)
        .and_then(|c| c.estimate.value())
}

#[test]
fn an_overloaded_mm1_has_overload_kpis_and_its_capacity_in_departures() {
    use kpi::EntityKind::{Checkpoint, Stage, System};
    // ρ = 1.2: 12 an hour arrive, 10 an hour are served; 60 days, 10 of warm-up, 3 replications.
    let over = borderflow::sweep::run(&model(&mm1_text(12.0, 60, 10, 3, 42))).unwrap();
    for (kind, id) in [
        (Checkpoint, "booth"),
        (Stage, "booth/service"),
        (System, "all"),
    ] {
        for name in ["overload", "overload_capacity", "overload_growth"] {
            assert_eq!(kpi_mean(&over, kind, id, name), Some(1.0), "{id} {name}");
        }
        for name in ["overload_quota", "overload_paths"] {
            assert_eq!(kpi_mean(&over, kind, id, name), Some(0.0), "{id} {name}");
        }
    }
    // The backlog grows by λ − μ = 2/h = 48 a day (a 25-day second half: 8 blocks of 3 days).
    let g = kpi_mean(&over, Checkpoint, "booth", "backlog_growth_per_day").unwrap();
    assert!((g - 48.0).abs() < 8.0, "{g}");
    // The lane works flat out: 240 a day leave, more than the vehicles of the measured period
    // that were served (the queue still holds warm-up arrivals).
    let left = kpi_mean(&over, Checkpoint, "booth", "departures_per_day").unwrap();
    let served = kpi_mean(&over, Checkpoint, "booth", "served_per_day").unwrap();
    assert!((left - 240.0).abs() < 240.0 * 0.02, "{left}");
    assert!(served < left - 10.0, "served {served}, left {left}");
    // ρ = 0.9: nothing overloaded, and those that left are those served (216 a day).
    let stable = borderflow::sweep::run(&model(&mm1_text(9.0, 60, 10, 3, 42))).unwrap();
    assert_eq!(
        kpi_mean(&stable, Checkpoint, "booth", "overload"),
        Some(0.0)
    );
    assert_eq!(kpi_mean(&stable, System, "all", "overload"), Some(0.0));
    let left = kpi_mean(&stable, Checkpoint, "booth", "departures_per_day").unwrap();
    let served = kpi_mean(&stable, Checkpoint, "booth", "served_per_day").unwrap();
    assert!(
        (left - served).abs() < 1.0 && (left - 216.0).abs() < 216.0 * 0.03,
        "{left} {served}"
    );
    // Flows are not judged; every entity has its departures.
    assert_eq!(
        kpi_mean(&stable, kpi::EntityKind::Flow, "arrivals", "overload"),
        None
    );
    assert!(
        kpi_mean(
            &stable,
            kpi::EntityKind::Flow,
            "arrivals",
            "departures_per_day"
        )
        .is_some()
    );
}
