//! Uncertain inputs in a sweep file are checked like axis values: a path that matches nothing, a
//! range of the wrong type or the wrong order, a field an axis already sets, a missing or
//! out-of-range `[uncertainty]` — each exits 2 with the sweep file, the field and line:column.

use super::located_errors;
use crate::common::*;

/// A sweep over the fixture base (`base.toml`) with one policy axis, then `tail`.
fn sweep(tail: &str) -> String {
    format!(
        "name = \"u\"\nbase = \"base.toml\"\nbaseline = \"lanes=4\"\n\n[[axes]]\nname = \"lanes\"\n\
         path = \"checkpoints.bcp.stages.exit.lanes\"\nvalues = [4, 5]\n\n{tail}"
    )
}

/// The one input, with `body` (path, range…) after `[uncertainty] draws = 4`.
fn input(body: &str) -> String {
    sweep(&format!(
        "[uncertainty]\ndraws = 4\n\n[[uncertain]]\n{body}\n"
    ))
}

/// `sweep FILE --dry-run` and `validate FILE` on `text` must exit 2 with an error at the line
/// of `needle`, naming `field` and containing `says`.
fn assert_refused(tag: &str, text: &str, needle: &str, field: &str, says: &str) {
    let d = TempDir::new(tag);
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file("s.toml", text);
    let name = f.to_str().unwrap();
    for args in [vec!["sweep", name, "--dry-run"], vec!["validate", name]] {
        let o = borderflow(&args);
        let err = stderr(&o);
        assert_eq!(code(&o), Some(2), "{args:?}\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        let want = line_of(text, needle);
        let hit = located_errors(&err, name).into_iter().find(|e| {
            e.line == want && e.rest.starts_with(&format!("{field}: ")) && e.rest.contains(says)
        });
        assert!(
            hit.is_some(),
            "{args:?}: no error at line {want} on {field} saying \"{says}\":\n{err}"
        );
    }
}

#[test]
fn a_path_that_matches_nothing_is_refused_at_the_path() {
    assert_refused(
        "u-path",
        &input("path = \"checkpoints.nope.stages.exit.lanes\"\nrange = [2, 6]"),
        "checkpoints.nope",
        "uncertain[0].path",
        "matches nothing in",
    );
}

#[test]
fn a_range_of_the_wrong_type_is_refused_at_its_value() {
    // lanes take whole numbers, not durations.
    assert_refused(
        "u-type",
        &input("path = \"checkpoints.bcp.stages.entry.lanes\"\nrange = [\"6min\", \"30min\"]"),
        "range =",
        "uncertain[0].range[0]",
        "does not fit the scenario",
    );
    assert_refused(
        "u-kind",
        &input("path = \"checkpoints.bcp.stages.entry.service.mean\"\nrange = [\"6min\", 30]"),
        "range =",
        "uncertain[0].range[1]",
        "is not of the same kind as the low end",
    );
    // A rate against a duration is said at the low end, not as a malformed "1/h" duration.
    assert_refused(
        "u-rate-duration",
        &input(
            "path = \"checkpoints.bcp.stages.entry.service.mean\"\nrange = [\"1/h\", \"30min\"]",
        ),
        "range =",
        "uncertain[0].range[0]",
        "the two ends are of different kinds: \"1/h\" is a rate (\"32/h\"), \"30min\" a duration",
    );
    assert_refused(
        "u-text",
        &input(
            "path = \"checkpoints.bcp.stages.entry.hours\"\nrange = [\"24/7\", \"09:00-18:00\"]",
        ),
        "range =",
        "uncertain[0].range[0]",
        "is neither a duration",
    );
}

#[test]
fn a_range_whose_low_end_is_not_below_its_high_end_is_refused() {
    assert_refused(
        "u-order",
        &input(
            "path = \"checkpoints.bcp.stages.entry.service.mean\"\nrange = [\"30min\", \"6min\"]",
        ),
        "range =",
        "uncertain[0].range",
        "the low end \"30min\" must be below the high end \"6min\"",
    );
    assert_refused(
        "u-two",
        &input("path = \"checkpoints.bcp.stages.entry.lanes\"\nrange = [2, 4, 6]"),
        "range =",
        "uncertain[0].range",
        "a range is two values [low, high] (got 3)",
    );
}

#[test]
fn an_input_an_axis_or_policy_already_sets_is_refused() {
    assert_refused(
        "u-axis",
        &input("path = \"checkpoints.*.stages.exit.lanes\"\nrange = [2, 6]"),
        "checkpoints.*.stages.exit.lanes",
        "uncertain[0].path",
        "sets checkpoints[0].stages[0].lanes, which axes[0] also sets",
    );
    let two = sweep(
        "[uncertainty]\ndraws = 4\n\n[[uncertain]]\npath = \"flows.*.tonnes\"\nrange = [5.0, 20.0]\n\n\
         [[uncertain]]\npath = \"flows.general.tonnes\"\nrange = [1.0, 2.0]\n",
    );
    assert_refused(
        "u-twice",
        &two,
        "flows.general.tonnes",
        "uncertain[1].path",
        "which uncertain[0] also sets",
    );
}

#[test]
fn an_input_inside_a_table_a_policy_or_axis_sets_whole_is_refused() {
    // The policy sets the whole service table; a draw of its mean, applied last, would erase
    // the policy's mean without a word.
    let policy = sweep(
        "[[policies]]\nlabel = \"slow\"\n[policies.set]\n\
         \"checkpoints.bcp.stages.entry.service\" = { dist = \"lognormal\", mean = \"5min\", sd = \"2min\" }\n\n\
         [uncertainty]\ndraws = 4\n\n[[uncertain]]\n\
         path = \"checkpoints.bcp.stages.entry.service.mean\"\nrange = [\"4min\", \"8min\"]\n",
    );
    assert_refused(
        "u-nest-policy",
        &policy,
        "path = \"checkpoints.bcp.stages.entry.service.mean\"",
        "uncertain[0].path",
        "sets checkpoints[0].stages[1].service.mean, inside checkpoints[0].stages[1].service, \
         which policies[0].set.\"checkpoints.bcp.stages.entry.service\" sets whole",
    );
    // The same through a wildcard, against an axis of whole service tables.
    let axis = String::from(
        "name = \"u\"\nbase = \"base.toml\"\nbaseline = \"svc=a\"\n\n[[axes]]\nname = \"svc\"\n\
         path = \"checkpoints.bcp.stages.exit.service\"\n\
         values = [{ dist = \"exponential\", mean = \"6min\" }, { dist = \"exponential\", mean = \"7min\" }]\n\
         labels = [\"a\", \"b\"]\n\n[uncertainty]\ndraws = 4\n\n[[uncertain]]\n\
         path = \"checkpoints.*.stages.*.service.mean\"\nrange = [\"4min\", \"8min\"]\n",
    );
    assert_refused(
        "u-nest-axis",
        &axis,
        "path = \"checkpoints.*.stages.*.service.mean\"",
        "uncertain[0].path",
        "sets checkpoints[0].stages[0].service.mean, inside checkpoints[0].stages[0].service, \
         which axes[0] sets whole",
    );
}

#[test]
fn the_uncertainty_table_is_required_and_checked() {
    assert_refused(
        "u-no-table",
        &sweep("[[uncertain]]\npath = \"flows.general.tonnes\"\nrange = [5.0, 20.0]\n"),
        "[[uncertain]]",
        "uncertain",
        "uncertain inputs need an [uncertainty] table",
    );
    assert_refused(
        "u-draws",
        &sweep(
            "[uncertainty]\ndraws = 1\n\n[[uncertain]]\npath = \"flows.general.tonnes\"\nrange = [5.0, 20.0]\n",
        ),
        "draws = 1",
        "uncertainty.draws",
        "must be between 2 and 1000 (got 1)",
    );
    assert_refused(
        "u-empty",
        &sweep("[uncertainty]\ndraws = 5\n"),
        "[uncertainty]",
        "uncertainty",
        "without any [[uncertain]] input",
    );
    assert_refused(
        "u-dist",
        &input("path = \"flows.general.tonnes\"\nrange = [5.0, 20.0]\ndist = \"normal\""),
        "dist =",
        "uncertain[0].dist",
        "unknown dist \"normal\"",
    );
    assert_refused(
        "u-mode",
        &input(
            "path = \"flows.general.tonnes\"\nrange = [5.0, 20.0]\ndist = \"triangular\"\nmode = 25.0",
        ),
        "mode =",
        "uncertain[0].mode",
        "must lie in the range",
    );
    // A bare number for the mode of a duration range: it must be a duration, not "in range".
    assert_refused(
        "u-mode-kind",
        &input(
            "path = \"checkpoints.bcp.stages.entry.service.mean\"\nrange = [\"6min\", \"30min\"]\n\
             dist = \"triangular\"\nmode = 20",
        ),
        "mode =",
        "uncertain[0].mode",
        "the mode 20 must be a duration (\"6min\") like the range [\"6min\", \"30min\"]",
    );
}

#[test]
fn a_drawn_value_that_breaks_a_point_is_blamed_on_the_range() {
    // Lanes 0–1: the draws at 0 make their points invalid (no lanes), blamed on the range; the
    // baseline's own draw-1 point among them makes the whole sweep fail, at the baseline.
    let text = input("path = \"checkpoints.bcp.stages.entry.lanes\"\nrange = [0, 1]");
    let d = TempDir::new("u-blame");
    std::fs::copy(fixture("base.toml"), d.join("base.toml")).unwrap();
    let f = d.file("s.toml", &text);
    let o = borderflow(&["sweep", f.to_str().unwrap(), "--dry-run"]);
    let out = stdout(&o) + &stderr(&o);
    assert!(!out.contains("panicked"), "{out}");
    let range_line = line_of(&text, "range =");
    assert!(
        out.contains(&format!(
            ":{range_line}:9: uncertain[0].range: makes point \"lanes="
        )),
        "{out}"
    );
}
