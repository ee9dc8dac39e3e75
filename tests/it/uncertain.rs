//! Uncertain inputs (`[uncertainty]`, `[[uncertain]]`): a case whose answer is known by hand, and
//! the input sets reproduced at any thread count, through shards, merge, resume and the report.
//!
//! The case (tests/fixtures/threshold.toml): one flow of Poisson trucks crosses at `a`, whose
//! fixed service time is uncertain, 10–40 min; the policy "via-b" sends it through `b`, fixed at
//! 31 min = 10 + 0.7 × 30. With common random numbers the arrivals are the same at both, and with
//! fixed service each truck's wait is increasing in the service time (Lindley's recursion), so the
//! policy wins exactly in the input sets where a's service time is above 31 min: with a Latin
//! hypercube of 40 draws, the 12 strata above 0.7 of the range, 30 %. Its effect falls as a's time
//! rises (Spearman ρ = −1 exactly); a dummy input (the service time of a crossing nobody uses)
//! moves nothing.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::*;

/// The threshold sweep with `draws` input sets.
fn sweep_text(draws: usize) -> String {
    format!(
        r#"name = "threshold"
base = "threshold.toml"
baseline = "policy=today"
# A draw wins only where its paired t-test over the replications says so: with Poisson arrivals
# the per-replication differences vary, and two replications (1 degree of freedom) could not
# tell even a consistent sign from noise.
replications = 10

[[policies]]
label = "via-b"
set = {{ "flows.f.route" = ["b"] }}

[[axes]]
name = "policy"
policies = ["today", "via-b"]

[uncertainty]
draws = {draws}

[[uncertain]]
path = "checkpoints.a.stages.s.service.value"
range = ["10min", "40min"]
label = "service at a"
source = "by construction: b's 31 min is at 70 % of the range"

[[uncertain]]
path = "checkpoints.spare.stages.s.service.value"
range = ["1min", "9min"]
label = "dummy"
"#
    )
}

/// A directory holding the threshold base and the sweep file `s.toml`; returns it and the
/// sweep's path.
fn setup(tag: &str, draws: usize) -> (TempDir, String) {
    let d = TempDir::new(tag);
    fs::copy(fixture("threshold.toml"), d.join("threshold.toml")).unwrap();
    let f = d.file("s.toml", &sweep_text(draws));
    (d, f.to_str().unwrap().to_string())
}

/// Runs `borderflow args…`, which must succeed; its stdout.
fn ok(args: &[&str]) -> String {
    let o = borderflow(args);
    assert_code(&o, 0);
    stdout(&o)
}

/// The robustness row of the system's mean wait.
fn wait_row(robustness: &Value) -> &Value {
    robustness["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["entity"] == "all" && r["kpi"] == "wait_mean_h")
        .expect("a row for the system's mean wait")
}

#[test]
fn a_policy_that_wins_above_a_threshold_wins_in_the_matching_share_of_input_sets() {
    let (d, s) = setup("threshold", 40);
    let out = d.join("out");
    let json: Value = serde_json::from_str(&ok(&[
        "sweep",
        &s,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--json",
    ]))
    .unwrap();
    let r = &json["robustness"];
    assert_eq!(r["draws"], 40);
    assert_eq!(r["seed"], 5, "the sweep's seed by default");
    // Latin hypercube: each input has one draw in each fortieth of its range.
    let values: Vec<[f64; 2]> = r["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()])
        .collect();
    for (j, (lo, hi)) in [(10.0, 40.0), (1.0, 9.0)].into_iter().enumerate() {
        let mut strata: Vec<usize> = values
            .iter()
            .map(|v| ((v[j] - lo) / (hi - lo) * 40.0) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..40).collect::<Vec<_>>(), "input {j}");
    }
    let row = wait_row(r);
    assert_eq!(row["policy"], "policy=via-b");
    assert_eq!(row["baseline"], "policy=today");
    assert_eq!(row["better"], "lower");
    assert_eq!(
        (row["measured"].as_u64(), row["overloaded"].as_u64()),
        (Some(40), Some(0))
    );
    // Exactly the 12 strata above 31 min (70 % of the range) win: 30 %.
    assert_eq!(row["wins"], 12);
    assert_eq!(row["win_share"], 0.3);
    assert_eq!(
        (row["losses"].as_u64(), row["unclear"].as_u64()),
        (Some(28), Some(0))
    );
    for (d, v) in values.iter().enumerate() {
        let want = if v[0] > 31.0 { "win" } else { "lose" };
        assert_eq!(
            row["outcomes"][d],
            want,
            "draw {}: a at {} min",
            d + 1,
            v[0]
        );
    }
    // The effect falls strictly as a's service time rises; the dummy moves nothing.
    assert_eq!(row["spearman"][0], -1.0);
    let dummy = row["spearman"][1].as_f64().unwrap();
    assert!(dummy.abs() < 0.4, "dummy ρ = {dummy}");
    assert_eq!(row["driver"], "service at a");
    // The 5–95 % range brackets the median, and the effect changes sign inside it.
    let (p05, med, p95) = (
        row["effect_p05"].as_f64().unwrap(),
        row["effect_median"].as_f64().unwrap(),
        row["effect_p95"].as_f64().unwrap(),
    );
    assert!(
        p05 < 0.0 && p05 < med && med < p95 && p95 > 0.0,
        "{p05} {med} {p95}"
    );

    // The files: robustness.csv (same row), draws.csv (one line per input set), runs.csv rows
    // naming their draw.
    let csv = fs::read_to_string(out.join("robustness.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",driver,driver_spearman,spearman[service at a],spearman[dummy]"),
        "{header}"
    );
    assert!(
        csv.lines().any(|l| l.starts_with(
            "policy=via-b,,policy=today,system,all,wait_mean_h,lower,40,40,12,0.3,28,0,0,0,0,0,"
        ) && l.contains(",service at a,-1,-1,")),
        "{csv}"
    );
    let draws = fs::read_to_string(out.join("draws.csv")).unwrap();
    assert_eq!(draws.lines().count(), 41);
    assert_eq!(draws.lines().next(), Some("draw,service at a,dummy"));
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(
        runs.contains(",\"policy=via-b, draw=40\",1,system,all,wait_mean_h,"),
        "runs.csv names the draw"
    );
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["uncertainty"]["values"], r["values"]);
    assert_eq!(manifest["context_axes"], serde_json::json!(["draw"]));

    // The text section says it in words.
    let text = ok(&["sweep", &s, "--quiet"]);
    assert!(
        text.contains("Robustness to uncertain inputs: 40 input sets (Latin hypercube, seed 5)"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("all vehicles  wait_mean_h"))
        .expect("the system's wait row");
    assert!(
        line.contains("12 of 40 (30 %); lost 28, unclear 0"),
        "{line}"
    );
    assert!(
        line.contains(
            "service at a (ρ = −1.00): the higher it is, the smaller the effect (policy − baseline)"
        ),
        "{line}"
    );
}

/// The files of a finished sweep directory that must not depend on how it was run.
const FILES: [&str; 6] = [
    "manifest.json",
    "summary.json",
    "summary.csv",
    "runs.csv",
    "robustness.csv",
    "draws.csv",
];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn input_sets_are_reproduced_at_any_thread_count_and_through_shards_merge_resume_and_report() {
    let (d, s) = setup("repro", 8);
    let dir = |n: &str| d.join(n).to_str().unwrap().to_string();
    ok(&[
        "sweep",
        &s,
        "--out",
        &dir("t1"),
        "--threads",
        "1",
        "--quiet",
    ]);
    ok(&[
        "sweep",
        &s,
        "--out",
        &dir("t2"),
        "--threads",
        "2",
        "--quiet",
    ]);
    same_files(&d.join("t1"), &d.join("t2"));
    ok(&[
        "sweep",
        &s,
        "--out",
        &dir("s0"),
        "--shard",
        "0/2",
        "--quiet",
    ]);
    ok(&[
        "sweep",
        &s,
        "--out",
        &dir("s1"),
        "--shard",
        "1/2",
        "--quiet",
    ]);
    ok(&["merge", &dir("s0"), &dir("s1"), "--out", &dir("m")]);
    same_files(&d.join("t1"), &d.join("m"));
    // A shard resumed unsharded completes the sweep.
    ok(&["sweep", &s, "--resume", &dir("s0"), "--quiet"]);
    same_files(&d.join("t1"), &d.join("s0"));

    // The report's section: one chart, a dot per input set coloured by its outcome.
    let html = d.join("r.html");
    ok(&["report", &dir("m"), "-o", html.to_str().unwrap()]);
    let page = fs::read_to_string(&html).unwrap();
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(d.join("m/summary.json")).unwrap()).unwrap();
    let row = wait_row(&summary["robustness"]);
    let wins = row["wins"].as_u64().unwrap() as usize;
    let i = page
        .find("<section id=\"robustness\">")
        .expect("the section");
    let section = &page[i..i + page[i..].find("</section>").unwrap()];
    assert!(section.contains("<h2>Robustness to uncertain inputs</h2>"));
    assert_eq!(section.matches("<svg class=\"robust\"").count(), 1);
    assert_eq!(section.matches("<circle class=\"win\"").count(), wins);
    assert_eq!(section.matches("<circle class=\"lose\"").count(), 8 - wins);
    assert!(section.contains("truck") || section.contains("service at a"));
    assert!(
        section.contains(&format!("Won in {wins} of 8 (")),
        "{section}"
    );
    // The checkpoint charts are drawn for the first input set only.
    assert!(page.contains("The checkpoint charts show draw=1 only"));
    assert!(!page.contains("<h3 class=\"context\">draw=2"));
}

#[test]
fn the_input_sets_follow_the_seed() {
    let (_d, s) = setup("seed", 4);
    let values = |args: &[&str]| -> Value {
        let mut all = vec!["sweep", s.as_str(), "--quiet", "--json"];
        all.extend_from_slice(args);
        let v: Value = serde_json::from_str(&ok(&all)).unwrap();
        v["robustness"]["values"].clone()
    };
    let base = values(&[]);
    assert_eq!(base, values(&[]));
    assert_ne!(
        base,
        values(&["--seed", "6"]),
        "the sweep's seed draws them by default"
    );
}

/// A flow or class is left out of an input set only where a node its vehicles pass is
/// overloaded, not wherever the point is: here crossing `a` is overloaded in the input sets
/// that draw its service above 8.6 min (7 trucks/h on one lane), while the perishables cross at
/// `b` (6/h on two lanes of 10 min, 2 or 3 with the policy) and stay measured in every set.
#[test]
fn a_flow_through_a_stable_crossing_is_measured_where_another_crossing_is_overloaded() {
    let d = TempDir::new("uncertain-flows");
    d.file(
        "two.toml",
        r#"[simulation]
name = "two"
days = 60
warmup_days = 5
seed = 3
replications = 3
[classes.perishable]
max_wait = "24h"
[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "exponential", mean = "7min" }
[[checkpoints]]
id = "b"
[[checkpoints.stages]]
id = "s"
lanes = 2
service = { dist = "exponential", mean = "10min" }
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
    );
    let s = d.file(
        "s.toml",
        r#"name = "two-sweep"
base = "two.toml"
baseline = "policy=today"
[[policies]]
label = "more-b"
set = { "checkpoints.b.stages.s.lanes" = 3 }
[[axes]]
name = "policy"
policies = ["today", "more-b"]
[uncertainty]
draws = 6
[[uncertain]]
path = "checkpoints.a.stages.s.service.mean"
range = ["5min", "12min"]
label = "service at a"
"#,
    );
    let out = d.join("out");
    let json: Value = serde_json::from_str(&ok(&[
        "sweep",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--json",
    ]))
    .unwrap();
    let r = &json["robustness"];
    let row = |kind: &str, id: &str| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["entity_kind"] == kind && x["entity"] == id && x["kpi"] == "wait_mean_h")
            .unwrap_or_else(|| panic!("no row for {kind} {id}"))
            .clone()
    };
    // Service at a above 60/7 = 8.57 min overloads it (the static check): the Latin hypercube
    // puts one draw in each sixth of 5–12 min, so the draws in 9.67–10.83 and 10.83–12 min are
    // overloaded, the one in 8.5–9.67 min almost surely, and the one in 7.33–8.5 min (ρ up to
    // 0.99) may be flagged by the trend test: 3 or 4.
    let over = |x: &Value| x["overloaded"].as_u64().unwrap();
    let measured = |x: &Value| x["measured"].as_u64().unwrap();
    let (all, fa, general) = (
        row("system", "all"),
        row("flow", "fa"),
        row("class", "general"),
    );
    assert!((3..=4).contains(&over(&all)), "{all}");
    assert_eq!((over(&fa), measured(&fa)), (over(&all), 6 - over(&all)));
    assert_eq!(
        (over(&general), measured(&general)),
        (over(&all), 6 - over(&all))
    );
    for x in [
        row("flow", "fb"),
        row("class", "perishable"),
        row("checkpoint", "b"),
    ] {
        assert_eq!((measured(&x), over(&x)), (6, 0), "{x}");
    }
}
