//! Tests of the `borderflow` binary as a user meets it: exit codes (0 success, 2 bad input or
//! usage, 1 failure while running), messages that point at `FILE:LINE:COLUMN` and name the field,
//! the `run --json` document of the contract (shared/DESIGN.md), overrides and determinism.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::input_errors::located_errors;
use crate::input_errors::road::GOOD;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The contract's smallest scenario (`tests/fixtures/tiny.toml`).
fn tiny() -> String {
    fixture("tiny.toml").display().to_string()
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"))
}

// ---------------------------------------------------------------------------------------------
// The good scenario
// ---------------------------------------------------------------------------------------------

#[test]
fn good_scenario_is_valid_and_runs() {
    let f = TempFile::new("good", GOOD);
    let o = borderflow(&["validate", &f.name()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("{}: ok", f.name())),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).is_empty(),
        "no warnings expected:\n{}",
        stderr(&o)
    );

    let o = borderflow(&["run", &f.name()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("bcp"), "{}", stdout(&o));
}

#[test]
fn seed_that_is_not_a_number_is_a_usage_error() {
    let o = borderflow(&["run", "--seed", "notanumber"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("notanumber"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let o = borderflow(&["frobnicate"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("frobnicate"), "{}", stderr(&o));
}

#[test]
fn unknown_option_is_a_usage_error() {
    let f = TempFile::new("unknown-opt", GOOD);
    let o = borderflow(&["run", &f.name(), "--fast"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
}

#[test]
fn validate_without_files_is_a_usage_error() {
    let o = borderflow(&["validate"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
}

#[test]
fn help_and_version_succeed() {
    let o = borderflow(&["--help"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("run") && out.contains("validate"), "{out}");
    let o = borderflow(&["run", "--help"]);
    assert_eq!(code(&o), Some(0));
    for opt in ["--seed", "--replications", "--days", "--json"] {
        assert!(stdout(&o).contains(opt), "run --help should list {opt}");
    }
    let o = borderflow(&["--version"]);
    assert_eq!(code(&o), Some(0));
    assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")));
}

// ---------------------------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_good_file_prints_ok() {
    let f = TempFile::new("validate-ok", GOOD);
    let o = borderflow(&["validate", &f.name()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok"), "{}", stdout(&o));
}

#[test]
fn validate_reports_every_file_and_fails_if_one_is_bad() {
    let good = TempFile::new("multi-good", GOOD);
    let bad = TempFile::new("multi-bad", &edit(GOOD, "lanes = 3", "lanes = 0"));
    for order in [[&good, &bad], [&bad, &good]] {
        let o = borderflow(&["validate", &order[0].name(), &order[1].name()]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(code(&o), Some(2), "{err}");
        assert!(out.contains(&format!("{}: ok", good.name())), "{out}");
        assert!(!out.contains(&bad.name()), "{out}");
        assert!(err.contains(&bad.name()), "{err}");
        assert!(!err.contains(&good.name()), "{err}");
    }
}

#[test]
fn validate_of_two_bad_files_reports_both() {
    let a = TempFile::new("bad-a", &edit(GOOD, "lanes = 3", "lanes = 0"));
    let b = TempFile::new("bad-b", &edit(GOOD, r#"route = ["bcp"]"#, "route = []"));
    let o = borderflow(&["validate", &a.name(), &b.name()]);
    let err = stderr(&o);
    assert_eq!(code(&o), Some(2), "{err}");
    assert_eq!(located_errors(&err, &a.name()).len(), 1, "{err}");
    assert_eq!(located_errors(&err, &b.name()).len(), 1, "{err}");
}

// ---------------------------------------------------------------------------------------------
// run --json (the contract document)
// ---------------------------------------------------------------------------------------------

fn assert_stat(v: &Value, path: &str) {
    let s = path.split('.').fold(v, |v, k| &v[k]);
    for k in ["mean", "ci95"] {
        let x = s[k]
            .as_f64()
            .unwrap_or_else(|| panic!("{path}.{k} must be a number, got {}", s[k]));
        assert!(x.is_finite(), "{path}.{k} = {x}");
        if k == "ci95" {
            assert!(x >= 0.0, "{path}.ci95 = {x}");
        }
    }
}

#[test]
fn run_json_has_the_contract_keys() {
    let tiny = tiny();
    let o = borderflow(&["run", &tiny, "--json"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let d = parse_json(&stdout(&o));
    assert_eq!(d["scenario"], "contract-tiny");
    assert_eq!(d["seed"], 7);
    assert_eq!(d["replications"], 3);
    assert_eq!(d["days"], 30);
    assert_eq!(d["warmup_days"], 2);
    assert!(
        d["events"].as_u64().is_some_and(|e| e > 0),
        "events: {}",
        d["events"]
    );
    assert!(
        d["wall_s"].as_f64().is_some_and(|w| w >= 0.0),
        "wall_s: {}",
        d["wall_s"]
    );
    for m in [
        "served",
        "wait_mean_h",
        "wait_p95_h",
        "time_in_system_mean_h",
        "queue_mean",
        "utilization",
        "backlog_end",
    ] {
        assert_stat(&d, &format!("checkpoints.bcp.{m}"));
    }
    for m in ["served", "wait_mean_h", "wait_p95_h"] {
        assert_stat(&d, &format!("flows.trucks.{m}"));
    }
    // Plausible values: something was served, utilisation is a share, p95 >= mean.
    let cp = &d["checkpoints"]["bcp"];
    assert!(cp["served"]["mean"].as_f64().unwrap() > 0.0);
    let u = cp["utilization"]["mean"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&u), "utilization {u}");
    assert!(
        cp["wait_p95_h"]["mean"].as_f64().unwrap() >= cp["wait_mean_h"]["mean"].as_f64().unwrap()
    );
    // One flow through one checkpoint: the flow is served exactly as often as the checkpoint.
    assert_eq!(cp["served"]["mean"], d["flows"]["trucks"]["served"]["mean"]);
}

#[test]
fn run_json_prints_only_json_on_stdout() {
    let tiny = tiny();
    let out = run_json(&["run", &tiny, "--json", "--replications", "1"], &[]);
    // The whole of stdout is one document (warnings go to stderr).
    let d = parse_json(&out);
    assert!(d.is_object());
}

#[test]
fn one_replication_has_zero_ci() {
    let tiny = tiny();
    let d = parse_json(&run_json(
        &["run", &tiny, "--json", "--replications", "1"],
        &[],
    ));
    for (section, id) in [("checkpoints", "bcp"), ("flows", "trucks")] {
        for (m, s) in d[section][id].as_object().unwrap() {
            if let Some(ci) = s.get("ci95") {
                assert_eq!(ci.as_f64(), Some(0.0), "{section}.{id}.{m}.ci95");
            }
        }
    }
}

#[test]
fn overrides_show_in_the_json() {
    let tiny = tiny();
    let d = parse_json(&run_json(
        &[
            "run",
            &tiny,
            "--json",
            "--seed",
            "11",
            "--replications",
            "2",
            "--days",
            "5",
        ],
        &[],
    ));
    assert_eq!(d["seed"], 11);
    assert_eq!(d["replications"], 2);
    assert_eq!(d["days"], 5);
    assert_eq!(d["warmup_days"], 2, "warm-up comes from the file");
}

#[test]
fn seed_override_reaches_past_u32() {
    let tiny = tiny();
    let big = u64::MAX.to_string();
    let d = parse_json(&run_json(
        &[
            "run",
            &tiny,
            "--json",
            "--seed",
            &big,
            "--replications",
            "1",
            "--days",
            "4",
        ],
        &[],
    ));
    assert_eq!(d["seed"].as_u64(), Some(u64::MAX));
}

#[test]
fn same_seed_gives_identical_json() {
    let tiny = tiny();
    let args = [
        "run",
        tiny.as_str(),
        "--json",
        "--seed",
        "5",
        "--days",
        "10",
    ];
    let a = run_json(&args, &[]);
    let b = run_json(&args, &[]);
    assert_eq!(without_wall(&a), without_wall(&b));
}

#[test]
fn thread_count_does_not_change_results() {
    let tiny = tiny();
    let args = [
        "run",
        tiny.as_str(),
        "--json",
        "--replications",
        "4",
        "--days",
        "10",
    ];
    let one = run_json(&args, &[("RAYON_NUM_THREADS", "1")]);
    let two = run_json(&args, &[("RAYON_NUM_THREADS", "2")]);
    let four = run_json(&args, &[("RAYON_NUM_THREADS", "4")]);
    assert_eq!(without_wall(&one), without_wall(&two));
    assert_eq!(without_wall(&one), without_wall(&four));
}

#[test]
fn different_seed_gives_different_results() {
    let tiny = tiny();
    let a = run_json(
        &["run", &tiny, "--json", "--seed", "1", "--days", "10"],
        &[],
    );
    let b = run_json(
        &["run", &tiny, "--json", "--seed", "2", "--days", "10"],
        &[],
    );
    let (mut a, mut b) = (parse_json(&a), parse_json(&b));
    assert_ne!(a["seed"], b["seed"]);
    for d in [&mut a, &mut b] {
        let o = d.as_object_mut().unwrap();
        o.remove("wall_s");
        o.remove("seed");
    }
    assert_ne!(
        a["checkpoints"], b["checkpoints"],
        "seed 1 and 2 gave the same results"
    );
}

#[test]
fn text_report_is_deterministic_too() {
    let f = TempFile::new("text-det", GOOD);
    let run = || {
        let o = borderflow(&["run", &f.name(), "--seed", "9"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        // Drop the line with the wall time ("… events in 0.00 s …").
        stdout(&o)
            .lines()
            .filter(|l| !l.contains(" s ("))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(run(), run());
}

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

#[test]
fn overloaded_stage_warns_and_still_runs() {
    // 100 trucks/h against 3 lanes × 10/h.
    let t = edit(
        GOOD,
        r#"arrivals = { process = "poisson", rate = "10/h" }"#,
        r#"arrivals = { process = "poisson", rate = "100/h" }"#,
    );
    let f = TempFile::new("overload", &t);
    let o = borderflow(&["run", &f.name(), "--days", "3"]);
    let err = stderr(&o);
    assert_eq!(code(&o), Some(0), "{err}");
    let w: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(w.len(), 1, "{err}");
    assert!(w[0].contains("bcp") && w[0].contains("control"), "{err}");
    assert!(
        w[0].contains("100") && w[0].contains("30"),
        "warning should give the numbers: {err}"
    );
    assert!(!stdout(&o).is_empty());

    // validate: still ok, with the warning.
    let o = borderflow(&["validate", &f.name()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok"));
    assert!(stderr(&o).contains("warning:"), "{}", stderr(&o));

    // --json: stdout still one JSON document.
    let o = borderflow(&["run", &f.name(), "--days", "3", "--json"]);
    assert_eq!(code(&o), Some(0));
    parse_json(&stdout(&o));
    assert!(stderr(&o).contains("warning:"));
}

#[test]
fn stage_that_never_opens_warns_and_still_runs() {
    let t = edit(GOOD, r#"hours = "24/7""#, r#"hours = "closed""#);
    let f = TempFile::new("never-open", &t);
    let o = borderflow(&["run", &f.name(), "--days", "3", "--json"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning:"), "{}", stderr(&o));
    let d = parse_json(&stdout(&o));
    assert_eq!(
        d["checkpoints"]["bcp"]["served"]["mean"].as_f64(),
        Some(0.0)
    );
}

/// The warnings `run` prints for GOOD with its stage line `lanes = 3` and its arrivals line
/// replaced, and the run's JSON document.
fn warnings_of(lanes: &str, service: &str, arrivals: &str) -> (Vec<String>, Value) {
    let t = edit(GOOD, "lanes = 3", lanes);
    let t = edit(
        &t,
        r#"service = { dist = "exponential", mean = "6min" }"#,
        service,
    );
    let t = edit(
        &t,
        r#"arrivals = { process = "poisson", rate = "10/h" }"#,
        arrivals,
    );
    let f = TempFile::new("warn", &t);
    let o = borderflow(&["run", &f.name(), "--days", "10", "--json"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let w = stderr(&o)
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(str::to_string)
        .collect();
    (w, parse_json(&stdout(&o)))
}

#[test]
fn an_overload_warning_prints_the_digits_that_tell_load_from_capacity() {
    // 2.41 trucks a day = 0.100417/h against one lane of 10 h per truck = 0.1/h: to one
    // decimal both are 0.1; to four, 0.1004 against 0.1000.
    let (w, _) = warnings_of(
        "lanes = 1",
        r#"service = { dist = "deterministic", value = "10h" }"#,
        r#"arrivals = { process = "poisson", rate = "2.41/day" }"#,
    );
    assert_eq!(
        w,
        [
            "stage bcp/control: offered 0.1004 vehicles/h but capacity is 0.1000/h (1 servers × 100% \
          open, 10.00 server-hours per vehicle); the queue will grow without bound"
        ]
    );
}

#[test]
fn a_fixed_timetable_at_exactly_full_load_is_not_overloaded() {
    // One truck every 6 minutes on one lane of exactly 6 minutes: ρ = 1, and each truck
    // arrives as the one before leaves, so none ever waits.
    let (w, d) = warnings_of(
        "lanes = 1",
        r#"service = { dist = "deterministic", value = "6min" }"#,
        r#"arrivals = { process = "timetable", every = "6min", from = "00:00", to = "23:54" }"#,
    );
    assert_eq!(w, Vec::<String>::new());
    assert_eq!(
        d["flows"]["trucks"]["wait_mean_h"]["mean"].as_f64(),
        Some(0.0)
    );
    // The same load arriving at random grows without bound, and the warning says so.
    let (w, _) = warnings_of(
        "lanes = 1",
        r#"service = { dist = "deterministic", value = "6min" }"#,
        r#"arrivals = { process = "poisson", rate = "10/h" }"#,
    );
    assert_eq!(
        w,
        [
            "stage bcp/control: offered 10.0 vehicles/h but capacity is 10.0/h (1 servers × 100% \
          open, 0.10 server-hours per vehicle), exactly its capacity: with random arrivals or \
          service times the queue will grow without bound"
        ]
    );
    // So does a fixed timetable with random service.
    let (w, _) = warnings_of(
        "lanes = 1",
        r#"service = { dist = "exponential", mean = "6min" }"#,
        r#"arrivals = { process = "timetable", every = "6min", from = "00:00", to = "23:54" }"#,
    );
    assert_eq!(w.len(), 1, "{w:?}");
}

#[test]
fn light_load_gives_no_warning() {
    let f = TempFile::new("light", GOOD);
    let o = borderflow(&["run", &f.name()]);
    assert_eq!(code(&o), Some(0));
    assert!(!stderr(&o).contains("warning:"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// The built-in default scenario
// ---------------------------------------------------------------------------------------------

#[test]
fn run_without_scenario_uses_the_built_in_default() {
    let o = borderflow(&["run", "--days", "20", "--replications", "1", "--json"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    let d = parse_json(&stdout(&o));
    assert_eq!(d["days"], 20);
    assert_eq!(d["replications"], 1);
    assert!(d["checkpoints"].as_object().is_some_and(|c| !c.is_empty()));
    assert!(d["flows"].as_object().is_some_and(|f| !f.is_empty()));

    // The embedded copy is the file in scenarios/: same results from either.
    let file = repo_path("scenarios/kz-cn-road.toml");
    let e = run_json(
        &[
            "run",
            file.to_str().unwrap(),
            "--days",
            "20",
            "--replications",
            "1",
            "--json",
        ],
        &[],
    );
    assert_eq!(without_wall(&stdout(&o)), without_wall(&e));
}

#[test]
fn no_arguments_runs_the_built_in_default() {
    // The full default (365 days × its replications). If it takes longer than the limit, the
    // test is skipped rather than failed: it checks the exit code, not the speed.
    let child = Command::new(BIN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start borderflow");
    match wait_at_most(child, Duration::from_secs(15)) {
        Some(status) => assert_eq!(status.code(), Some(0), "borderflow with no arguments"),
        None => eprintln!("skipping: the full default run took more than 15 s"),
    }
}
