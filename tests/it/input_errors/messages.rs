//! Every message points at the input: a missing section at 1:1 of its file, problems of an inline
//! `[base]` at their place in the sweep file, a sweep's own values blamed on its own lines, a
//! policy value of the wrong type at the policy (exit 2, like any wrong type), an invalid baseline
//! named as such; `validate` reads sweep files too, and `sweep` says when it was given a scenario.

use super::located_errors;
use super::road::GOOD;
use crate::common::*;

/// The `error:` lines of `validate FILE` (or `sweep FILE --dry-run` for a sweep) on `text`,
/// which must exit 2: (line, column, path and message) each.
fn located(cmd: &str, tag: &str, text: &str) -> Vec<(usize, usize, String)> {
    let d = TempDir::new(tag);
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file("input.toml", text);
    let name = f.to_str().unwrap();
    let args: Vec<&str> = match cmd {
        "sweep" => vec!["sweep", name, "--dry-run"],
        other => vec![other, name],
    };
    let o = borderflow(&args);
    let err = stderr(&o);
    assert_eq!(code(&o), Some(2), "{args:?}\n{err}\n{}", stdout(&o));
    assert!(!err.contains("panicked"), "{err}");
    let e: Vec<_> = located_errors(&err, name)
        .into_iter()
        .map(|e| (e.line, e.column, e.rest))
        .collect();
    assert!(!e.is_empty(), "no located error about {name}:\n{err}");
    e
}

// ---------------------------------------------------------------------------------------------
// Missing sections: at 1:1, the file as a whole
// ---------------------------------------------------------------------------------------------

#[test]
fn a_scenario_without_flows_is_refused_at_1_1() {
    // The r10c case: [simulation] and a checkpoint, no [[flows]].
    let text = GOOD.split("[[flows]]").next().unwrap();
    let e = located("validate", "no-flows", text);
    assert_eq!(
        e,
        [(
            1,
            1,
            "flows: no flows: define at least one [[flows]], or nothing ever arrives".to_string()
        )]
    );
}

#[test]
fn a_scenario_without_checkpoints_is_refused_at_1_1() {
    let text = "[simulation]\nname = \"x\"\ndays = 3\n\n[[flows]]\nid = \"f\"\nmode = \"truck\"\nroute = [\"c\"]\narrivals = { process = \"poisson\", rate = \"1/h\" }\n";
    let e = located("validate", "no-nodes", text);
    assert!(
        e.contains(&(
            1,
            1,
            "checkpoints: no checkpoints: define at least one [[checkpoints]]".to_string()
        )),
        "{e:?}"
    );
}

#[test]
fn a_sweep_without_axes_is_refused_at_1_1() {
    // The r10e case.
    let e = located(
        "sweep",
        "no-axes",
        "name = \"noaxes\"\nbase = \"base.toml\"\n",
    );
    assert_eq!(
        e,
        [(
            1,
            1,
            "axes: a sweep needs at least one [[axes]] entry".to_string()
        )]
    );
}
