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

// ---------------------------------------------------------------------------------------------
// Sweep files: the base, the sweep's own values, the policies, the baseline, the points
// ---------------------------------------------------------------------------------------------

/// A sweep over the fixture base (`base.toml`, warmup_days = 2) with `head` before its one axis.
fn sweep(head: &str) -> String {
    format!(
        "name = \"s\"\nbase = \"base.toml\"\n{head}\n[[axes]]\nname = \"lanes\"\npath = \"checkpoints.bcp.stages.exit.lanes\"\nvalues = [4, 5]\n"
    )
}

#[test]
fn a_sweeps_own_days_are_blamed_on_its_own_line() {
    // The r10a case: days = 2 leaves the base's 2 warm-up days nothing to measure.
    let e = located("sweep", "own-days", &sweep("days = 2"));
    assert_eq!(e.len(), 1, "{e:?}");
    let (line, column, rest) = &e[0];
    assert_eq!((*line, *column), (3, 8));
    assert!(
        rest.starts_with("days: days = 2 here makes the base scenario invalid: ")
            && rest.ends_with(
                "base.toml:7:15: simulation.warmup_days: must be less than days (2 >= 2 (an \
                 override of the file's value)): nothing would be measured"
            ),
        "{rest}"
    );
    assert!(!rest.contains("--days"), "{rest}");
}

#[test]
fn a_command_line_value_is_blamed_on_its_option() {
    let d = TempDir::new("cli-days");
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file("s.toml", &sweep(""));
    let name = f.to_str().unwrap();
    let o = borderflow(&["sweep", name, "--dry-run", "--days", "2"]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "error: {name}: --days 2 makes the base scenario invalid: "
        )) && err.contains("base.toml:7:15: simulation.warmup_days: must be less than days"),
        "{err}"
    );
    // The sweep's own days = 2 is replaced by --days 5: nothing to blame.
    let f = d.file("s2.toml", &sweep("days = 2"));
    let o = borderflow(&["sweep", f.to_str().unwrap(), "--dry-run", "--days", "5"]);
    assert_code(&o, 0);
}

#[test]
fn problems_of_an_inline_base_are_at_their_place_in_the_sweep_file() {
    // The r10b case: an unknown field deep in an inline [base].
    let text = r#"name = "inline"

[base]
simulation = { name = "x", days = 3 }
checkpoints = [{ id = "c", stages = [{ id = "s", lanes = 1, service = { dist = "exponential", mean = "6min" }, bogus = 1 }] }]
flows = [{ id = "f", mode = "truck", route = ["c"], arrivals = { process = "poisson", rate = "1/h" } }]

[[axes]]
name = "lanes"
path = "checkpoints.c.stages.s.lanes"
values = [1, 2]
"#;
    let e = located("sweep", "inline-bogus", text);
    let bogus = text.lines().nth(4).unwrap().find("bogus = 1").unwrap() + "bogus = ".len() + 1;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (5, bogus), "{e:?}");
    assert!(
        e[0].2
            .starts_with("base.checkpoints[0].stages[0].bogus: unknown field `bogus`"),
        "{e:?}"
    );
    // A value problem in an inline base: at the value.
    let text = text
        .replace(", bogus = 1", "")
        .replace("lanes = 1", "lanes = 0");
    let e = located("sweep", "inline-lanes", &text);
    let col = text.lines().nth(4).unwrap().find("lanes = 0").unwrap() + "lanes = ".len() + 1;
    assert_eq!(
        e,
        [(
            5,
            col,
            "base.checkpoints[0].stages[0].lanes: lanes must be between 1 and 100000 (got 0)"
                .to_string()
        )]
    );
}

#[test]
fn a_policy_value_of_the_wrong_type_is_an_error_of_the_sweep_file() {
    // The r11 case: hours = true exits 2 at the policy's line, like lanes = "many".
    let text = "name = \"wt\"\nbase = \"base.toml\"\n\n[[policies]]\nlabel = \"p\"\n[policies.set]\n\"checkpoints.bcp.stages.exit.hours\" = true\n\n[[axes]]\nname = \"pol\"\npolicies = [\"today\", \"p\"]\n";
    let e = located("sweep", "wrong-type-hours", text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (7, 39), "{e:?}");
    assert!(
        e[0].2.starts_with(
            "policies[0].set.checkpoints.bcp.stages.exit.hours: setting \
             checkpoints.bcp.stages.exit.hours = true does not fit the scenario: \
             checkpoints[0].stages[0].hours: expected \"24/7\""
        ),
        "{e:?}"
    );
    // The same on a value axis, and for a travel time given as a number.
    let text = sweep("").replace(
        "path = \"checkpoints.bcp.stages.exit.lanes\"\nvalues = [4, 5]",
        "path = \"checkpoints.bcp.stages.entry.travel\"\nvalues = [\"10min\", 5]",
    );
    let e = located("sweep", "wrong-type-travel", &text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (7, 20), "{e:?}");
    assert!(e[0].2.starts_with("axes[0].values[1]: setting"), "{e:?}");
}

#[test]
fn an_invalid_baseline_is_refused_naming_it() {
    // The r14 case: the baseline is a point with lanes = 0.
    let text = sweep("baseline = \"lanes=0\"").replace("values = [4, 5]", "values = [0, 5]");
    let e = located("sweep", "bad-baseline", &text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (3, 12), "{e:?}");
    assert!(
        e[0].2.starts_with(
            "baseline: the baseline point \"lanes=0\" is invalid, so no point could be compared \
             with it: "
        ) && e[0]
            .2
            .contains("lanes must be between 1 and 100000 (got 0)"),
        "{e:?}"
    );
    // Asked for on the command line: refused as well; another baseline runs.
    let d = TempDir::new("bad-baseline-cli");
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file(
        "s.toml",
        &sweep("").replace("values = [4, 5]", "values = [0, 5]"),
    );
    let name = f.to_str().unwrap();
    let o = borderflow(&["sweep", name, "--dry-run", "--baseline", "lanes=0"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("the baseline point \"lanes=0\" is invalid")
            && stderr(&o).contains("(the requested baseline)"),
        "{}",
        stderr(&o)
    );
    let o = borderflow(&["sweep", name, "--dry-run", "--baseline", "lanes=5"]);
    assert_code(&o, 0);
}

#[test]
fn an_invalid_point_is_blamed_on_the_value_that_made_it() {
    let d = TempDir::new("invalid-point");
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file(
        "s.toml",
        &sweep("").replace("values = [4, 5]", "values = [0, 5]"),
    );
    let name = f.to_str().unwrap();
    let o = borderflow(&["sweep", name, "--dry-run"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "   0  lanes=0  INVALID, will be skipped:\n        {name}:7:11: axes[0].values[0]: \
             makes point \"lanes=0\" invalid: checkpoints[0].stages[0].lanes: lanes must be \
             between 1 and 100000 (got 0)\n"
        )),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Which kind of file
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_checks_sweep_files_too() {
    let d = TempDir::new("validate-sweeps");
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let good = d.file("good.toml", &sweep("baseline = \"lanes=4\""));
    let skip = d.file(
        "skip.toml",
        &sweep("").replace("values = [4, 5]", "values = [0, 5]"),
    );
    let o = borderflow(&[
        "validate",
        good.to_str().unwrap(),
        skip.to_str().unwrap(),
        fixture("base.toml").to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "{}: ok (sweep s: 2 points × 4 replications, baseline \"lanes=4\")\n",
            good.display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{}: ok (sweep s: 2 points × 4 replications, 1 invalid and skipped)\n",
            skip.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("base.toml: ok (1 checkpoints, 2 stages, 2 flows)"),
        "{out}"
    );
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning: {}: point \"lanes=0\" is invalid and will be skipped:\n  {}:7:11: axes[0].values[0]",
            skip.display(),
            skip.display()
        )),
        "{err}"
    );
    // A bad sweep file: exit 2 with its line:column, as for a scenario; `axes` is not an
    // unknown field.
    let e = located("validate", "validate-bad-sweep", &sweep("days = 0"));
    assert_eq!(
        e,
        [(
            3,
            8,
            "days: must be between 1 and 36500 (got 0)".to_string()
        )]
    );
}

#[test]
fn sweep_given_a_scenario_and_run_given_a_sweep_say_what_they_expected() {
    let e = located("sweep", "sweep-scenario", GOOD);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (1, 2), "{e:?}");
    assert!(
        e[0].2.starts_with(
            "this is a scenario file (it has [simulation]), and `sweep` expects a sweep file"
        ),
        "{e:?}"
    );
    let d = TempDir::new("compare-sweep");
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file("s.toml", &sweep(""));
    let o = borderflow(&[
        "compare",
        fixture("base.toml").to_str().unwrap(),
        f.to_str().unwrap(),
    ]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).starts_with(&format!("error: {}:2:1: this is a sweep file", f.display())),
        "{}",
        stderr(&o)
    );
    let e = located("run", "run-sweep", &sweep(""));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (2, 1), "{e:?}");
    assert!(
        e[0].2.starts_with("this is a sweep file (it has `base` and [[axes]]), not a scenario: run it with `borderflow sweep`"),
        "{e:?}"
    );
}
