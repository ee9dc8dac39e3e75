//! Overload, detected and shown: the trend test on the real engine (a stable M/M/1 at ρ = 0.95
//! is not flagged, one at ρ = 1.05 is), the static check with its reasons, and the judgement in
//! every output (`run --json`, the run text, `runs.csv`, `summary.csv`, `summary.json`, the
//! sweep text of `compare`).

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
    // The flow is judged by the node it passes; every entity has its departures.
    assert_eq!(
        kpi_mean(&stable, kpi::EntityKind::Flow, "arrivals", "overload"),
        Some(0.0)
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

/// The stable (ρ = 0.9) and the overloaded (ρ = 1.2) M/M/1 as scenario files: 60 days, 10 of
/// warm-up, 3 replications. The second half (25 days) holds 8 blocks of 3 days.
fn stable_and_overloaded() -> (TempFile, TempFile) {
    (
        TempFile::new("stable", &mm1_text(9.0, 60, 10, 3, 42)),
        TempFile::new("overloaded", &mm1_text(12.0, 60, 10, 3, 42)),
    )
}

/// The JSON number at `path` ("checkpoints", "booth", "overload", "mean").
fn num(v: &serde_json::Value, path: &[&str]) -> f64 {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?}"))
}

#[test]
fn run_json_says_overloaded_and_why_on_each_checkpoint_and_stage() {
    let (stable, over) = stable_and_overloaded();
    let o = borderflow(&["run", &over.name(), "--json"]);
    assert_code(&o, 0);
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let growth = "backlog grows by";
    for entity in [&d["checkpoints"]["booth"], &d["stages"]["booth/service"]] {
        assert_eq!(entity["overloaded"], true);
        let reasons: Vec<&str> = entity["overload_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(reasons[0], "demand above lanes × open hours");
        assert!(reasons[1].starts_with(growth), "{reasons:?}");
        assert!(
            reasons[1].ends_with("over the second half of the run (3 of 3 replications)"),
            "{reasons:?}"
        );
        // Every replication is overloaded, for both reasons.
        for kpi in ["overload", "overload_capacity", "overload_growth"] {
            assert_eq!(
                (entity[kpi]["mean"].as_f64(), entity[kpi]["n"].as_u64()),
                (Some(1.0), Some(3)),
                "{kpi}"
            );
        }
        assert_eq!(entity["overload_quota"]["mean"], 0.0);
    }
    let cp = &d["checkpoints"]["booth"];
    // The queue grows by λ − μ = 2/h = 48 vehicles a day.
    let g = num(cp, &["backlog_growth_per_day", "mean"]);
    assert!((g - 48.0).abs() < 8.0, "{g}");
    // The lane works flat out: 10 an hour, 240 a day leave; of those that arrived after the
    // warm-up fewer are served, as the queue still holds warm-up arrivals.
    let left = num(cp, &["departures_per_day", "mean"]);
    let served = num(cp, &["served_per_day", "mean"]);
    assert!((left - 240.0).abs() < 240.0 * 0.02, "{left}");
    assert!(served < left - 10.0, "served {served}, left {left}");
    assert_eq!(d["system"]["overloaded"], true);
    assert_eq!(
        d["system"]["overload_reasons"][0],
        "checkpoint booth: demand above lanes × open hours"
    );
    // The flow and its class are overloaded through the node they pass.
    assert_eq!(d["flows"]["arrivals"]["overloaded"], true);
    assert_eq!(
        d["flows"]["arrivals"]["overload_reasons"][0],
        "a node its vehicles pass is overloaded (3 of 3 replications)"
    );

    let o = borderflow(&["run", &stable.name(), "--json"]);
    assert_code(&o, 0);
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for entity in [
        &d["checkpoints"]["booth"],
        &d["stages"]["booth/service"],
        &d["system"],
    ] {
        assert_eq!(entity["overloaded"], false);
        assert_eq!(entity["overload_reasons"], serde_json::json!([]));
    }
    assert_eq!(num(&d, &["checkpoints", "booth", "overload", "mean"]), 0.0);
    // Stable: those that left are those served, give or take the few in the system at the
    // warm-up's end and at the horizon (9 an hour, 216 a day).
    let left = num(&d, &["checkpoints", "booth", "departures_per_day", "mean"]);
    let served = num(&d, &["checkpoints", "booth", "served_per_day", "mean"]);
    assert!(
        (left - served).abs() < 1.0 && (left - 216.0).abs() < 216.0 * 0.03,
        "{left} {served}"
    );
}

#[test]
fn run_text_marks_an_overloaded_checkpoint_and_its_growing_waits() {
    let (_, over) = stable_and_overloaded();
    let o = borderflow(&["run", &over.name()]);
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(
        text.contains("OVERLOADED: these queues grow without bound"),
        "{text}"
    );
    assert!(text.contains("  checkpoint booth: demand above lanes × open hours; backlog grows by"));
    assert!(
        text.contains("  stage booth/service: demand above lanes × open hours; backlog grows by")
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("booth [overloaded]"))
        .expect("the checkpoint row is marked");
    // Its waits, time in system, queues and backlog are marked as growing with the run length;
    // served, left and utilisation are not.
    assert_eq!(row.matches(" ↑").count(), 8, "{row}");
    assert!(
        stderr(&o).contains(
            "warning: stage booth/service: offered 12.0 vehicles/h but capacity is 10.0/h"
        )
    );
}

#[test]
fn sweep_files_and_compare_text_carry_the_judgement() {
    let (stable, over) = stable_and_overloaded();
    let dir = TempDir::new("overload-compare");
    let out = dir.join("out");
    let o = borderflow(&[
        "compare",
        &stable.name(),
        &over.name(),
        "--quiet",
        "--out",
        &out.display().to_string(),
    ]);
    assert_code(&o, 0);
    // runs.csv: the per-replication row, 0 at the stable point, 1 at the overloaded one.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let rows: Vec<&str> = runs
        .lines()
        .filter(|l| l.contains(",checkpoint,booth,overload,"))
        .collect();
    assert_eq!(rows.len(), 6, "{rows:?}");
    for r in &rows {
        let (point, value) = (r.split(',').next().unwrap(), r.rsplit(',').next().unwrap());
        assert_eq!(value, if point == "0" { "0" } else { "1" }, "{r}");
    }
    // summary.csv: its mean, the share of replications.
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let share = |point: &str| {
        summary
            .lines()
            .find(|l| {
                l.starts_with(&format!("{point},")) && l.contains(",checkpoint,booth,overload,")
            })
            .and_then(|l| l.split(',').nth(6))
            .unwrap_or_else(|| panic!("no summary row for point {point}"))
            .to_string()
    };
    assert_eq!((share("0"), share("1")), ("0".to_string(), "1".to_string()));
    // summary.json: per point and per judged entity.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let points = &json["points"];
    assert_eq!(points[0]["overloaded"], false);
    assert_eq!(points[0]["overload_reasons"], serde_json::json!([]));
    assert_eq!(points[1]["overloaded"], true);
    assert_eq!(
        points[1]["overload_reasons"][0],
        "checkpoint booth: demand above lanes × open hours"
    );
    let booth = &points[1]["results"]["checkpoint"]["booth"];
    assert_eq!(booth["overloaded"], true);
    assert_eq!(
        booth["overload_reasons"][0],
        "demand above lanes × open hours"
    );
    assert_eq!(
        points[0]["results"]["stage"]["booth/service"]["overloaded"],
        false
    );
    assert_eq!(points[1]["results"]["system"]["all"]["overloaded"], true);
    // The text: the overloaded point is unranked, marked, left out of the best points and
    // listed with its reasons.
    let text = stdout(&o);
    let ranked = text
        .lines()
        .find(|l| l.contains("[overloaded]"))
        .expect("the overloaded point's row");
    assert!(ranked.trim_start().starts_with("-  "), "{ranked}");
    assert!(text.contains("best point per KPI (all vehicles; overloaded points left out):"));
    let best = text.split("best point per KPI").nth(1).unwrap();
    let best = best.split("\n\n").next().unwrap();
    assert!(!best.contains(&over.name()), "{best}");
    assert!(text.contains("overloaded points (queues that grow without bound"));
    assert!(
        text.contains("    checkpoint booth: demand above lanes × open hours; backlog grows by")
    );
}

#[test]
fn a_link_with_fewer_paths_than_arrivals_is_overloaded_for_its_paths() {
    // 24 trucks a day onto a road with 20 paths a day: 4 more wait every day.
    let text = r#"
[simulation]
name = "link-paths"
days = 60
warmup_days = 10
seed = 42
replications = 3

[[checkpoints]]
id = "gate"
[[checkpoints.stages]]
id = "check"
lanes = 2
service = { dist = "exponential", mean = "10min" }

[[links]]
id = "pass"
mode = "road"
travel = "2h"
paths_per_day = 20

[[flows]]
id = "trucks"
mode = "truck"
route = ["gate", "pass"]
arrivals = { process = "poisson", rate = "24/day" }
"#;
    let m = model(text);
    let warnings = m.overload_warnings();
    assert_eq!(
        warnings,
        [
            "link pass: 24 vehicles/day arrive but it has 20 paths a day; the queue will grow without bound"
        ]
    );
    let file = TempFile::new("link-paths", text);
    let o = borderflow(&["run", &file.name(), "--json"]);
    assert_code(&o, 0);
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let link = &d["links"]["pass"];
    assert_eq!(link["overloaded"], true);
    assert_eq!(
        link["overload_reasons"][0],
        "demand above the link's paths per day"
    );
    assert_eq!(link["overload_paths"]["mean"], 1.0);
    // 24 − 20 = 4 a day, give or take the Poisson arrivals' scatter.
    let g = num(link, &["backlog_growth_per_day", "mean"]);
    assert!((g - 4.0).abs() < 2.0, "{g}");
    assert_eq!(d["checkpoints"]["gate"]["overloaded"], false);
    assert_eq!(
        d["system"]["overload_reasons"][0],
        "link pass: demand above the link's paths per day"
    );
}

/// Two crossings, `a` overloaded (7 trucks/h on one lane of 10 min: ρ = 1.17) and `b` stable
/// (6/h on two lanes: ρ = 0.5); flow `fa` (class general) crosses at a, `fb` (perishable) at b,
/// and a crossing row covers each.
fn two_crossings() -> TempFile {
    TempFile::new(
        "two-crossings",
        r#"[simulation]
name = "two-crossings"
days = 60
warmup_days = 5
seed = 1
replications = 3
[classes.perishable]
max_wait = "24h"
[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "exponential", mean = "10min" }
[[checkpoints]]
id = "b"
[[checkpoints.stages]]
id = "s"
lanes = 2
service = { dist = "exponential", mean = "10min" }
[[crossings]]
id = "xa"
nodes = ["a"]
[[crossings]]
id = "xb"
nodes = ["b"]
[[flows]]
id = "fa"
mode = "truck"
route = ["a"]
arrivals = { process = "poisson", rate = "7/h" }
[[flows]]
id = "fb"
mode = "truck"
class = "perishable"
route = ["b"]
arrivals = { process = "poisson", rate = "6/h" }
"#,
    )
}

/// A flow, a class and a crossing row are overloaded where a node their vehicles pass is, not
/// wherever the point is: the perishables through the stable crossing stay measured.
#[test]
fn flows_classes_and_crossings_are_judged_by_the_nodes_they_pass() {
    let f = two_crossings();
    let o = borderflow(&["run", &f.name(), "--json"]);
    assert_code(&o, 0);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["checkpoints"]["a"]["overloaded"], true);
    assert_eq!(j["checkpoints"]["b"]["overloaded"], false);
    for (kind, over, stable) in [
        ("flows", "fa", "fb"),
        ("classes", "general", "perishable"),
        ("crossings", "xa/truck", "xb/truck"),
    ] {
        let e = &j[kind][over];
        assert_eq!(e["overloaded"], true, "{kind} {over}");
        let reasons: Vec<&str> = e["overload_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(
            reasons[0],
            "a node its vehicles pass is overloaded (3 of 3 replications)"
        );
        // Flows and classes also grow themselves; a crossing row has no test of its own.
        if kind == "crossings" {
            assert_eq!(reasons.len(), 1, "{reasons:?}");
        } else {
            assert!(reasons[1].starts_with("backlog grows by "), "{reasons:?}");
        }
        assert_eq!(j[kind][stable]["overloaded"], false, "{kind} {stable}");
        assert_eq!(j[kind][stable]["overload"]["mean"], 0.0, "{kind} {stable}");
    }
    // The text marks the rows and their growing figures; the list names the nodes only.
    let o = borderflow(&["run", &f.name()]);
    let text = stdout(&o);
    for (row, grows) in [
        ("fa [overloaded]", 5),
        ("general [overloaded]", 5),
        ("xa [overloaded]", 4),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no row {row}:\n{text}"));
        assert_eq!(line.matches(" ↑").count(), grows, "{line}");
    }
    for stable in ["fb ", "perishable ", "xb "] {
        let line = text.lines().find(|l| l.starts_with(stable)).unwrap();
        assert!(
            !line.contains("overloaded") && !line.contains('↑'),
            "{line}"
        );
    }
    // The run's list names them too, with their reasons; the stable ones not.
    assert!(
        text.contains("  flow fa: a node its vehicles pass is overloaded (3 of 3 replications)"),
        "{text}"
    );
    assert!(!text.contains("  flow fb:"), "{text}");
}

/// A class given priority at an overloaded crossing is steady there: 7 general trucks an hour
/// and 1 perishable share one lane of 10 min (ρ = 1.33), perishables first (their own load
/// 1/6). The crossing and the general trucks are overloaded; the perishables are not, and
/// their waits stay measured.
#[test]
fn a_class_with_priority_at_an_overloaded_crossing_is_not_overloaded() {
    let f = TempFile::new(
        "priority-overload",
        r#"[simulation]
name = "priority-overload"
days = 120
warmup_days = 10
seed = 2
replications = 3
[classes.perishable]
[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "exponential", mean = "10min" }
priority = ["perishable"]
[[flows]]
id = "general"
mode = "truck"
route = ["a"]
arrivals = { process = "poisson", rate = "7/h" }
[[flows]]
id = "fruit"
mode = "truck"
class = "perishable"
route = ["a"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
    );
    let o = borderflow(&["run", &f.name(), "--json"]);
    assert_code(&o, 0);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["checkpoints"]["a"]["overloaded"], true);
    assert_eq!(j["flows"]["general"]["overloaded"], true);
    assert_eq!(j["classes"]["general"]["overloaded"], true);
    for e in [&j["flows"]["fruit"], &j["classes"]["perishable"]] {
        assert_eq!(e["overloaded"], false, "{e}");
        assert_eq!(e["overload_route"]["mean"], 0.0, "{e}");
        // Non-preemptive priority (Cobham): the perishables wait W₁ = E[R] / (1 − ρ₁), the
        // residual service E[R] = E[S] = 10 min with the lane never idle (exponential), and
        // ρ₁ = 1/6: 12 min = 0.2 h (simulated 0.199 ± 0.013).
        let wait = e["wait_mean_h"]["mean"].as_f64().unwrap();
        assert!((0.18..0.22).contains(&wait), "{wait} h");
    }
}
