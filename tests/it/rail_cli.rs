//! The `borderflow` binary on rail, link, terminal and barge input: bad input exits 2 with an
//! `error: FILE:LINE:COL: FIELD: message` line pointing at the offending field (for `validate`
//! and `run`), and kz-cn-rail.toml gives byte-identical JSON (minus `wall_s`) across runs and
//! thread counts.

use crate::common::*;
use crate::input_errors::rail::GOOD;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The good scenario
// ---------------------------------------------------------------------------------------------

#[test]
fn good_rail_scenario_is_valid_and_runs() {
    let f = TempFile::new("good", GOOD);
    let o = borderflow(&["validate", &f.name()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = borderflow(&["run", &f.name(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    for (group, id) in [
        ("checkpoints", "station"),
        ("links", "river"),
        ("links", "line"),
        ("links", "road"),
        ("terminals", "port"),
        ("stages", "station/transship"),
    ] {
        assert!(v[group][id].is_object(), "{group}.{id} missing");
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism of kz-cn-rail.toml through the binary
// ---------------------------------------------------------------------------------------------

fn rail_path() -> String {
    repo_path("scenarios/kz-cn-rail.toml").display().to_string()
}

#[test]
fn rail_json_is_identical_across_runs_and_thread_counts() {
    let path = rail_path();
    let args = [
        "run",
        path.as_str(),
        "--json",
        "--days",
        "20",
        "--replications",
        "2",
    ];
    let a = run_json(&args, &[]);
    let b = run_json(&args, &[]);
    assert_eq!(without_wall(&a), without_wall(&b));
    let one = run_json(&args, &[("RAYON_NUM_THREADS", "1")]);
    let two = run_json(&args, &[("RAYON_NUM_THREADS", "2")]);
    assert_eq!(without_wall(&one), without_wall(&two));
    assert_eq!(without_wall(&a), without_wall(&one));
    let v: Value = serde_json::from_str(&a).expect("JSON");
    assert!(v["checkpoints"]["khorgos"].is_object());
    assert!(v["links"]["altynkol-zhetygen-wb"].is_object());
    assert!(v["wall_s"].is_number());
}
