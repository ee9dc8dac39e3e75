//! Unit tests of the planner: the product of the axes and its labels, zip groups, field paths,
//! sweep-wide values and the baseline, on the tiny base scenario of the sweep tests.

use std::path::{Path, PathBuf};

use crate::model::{Arrivals, Model};
use crate::scenario::{Overrides, ScenarioError};

use super::{Plan, apply, parse};

/// The directory of the tiny base scenario (`base.toml`: one checkpoint `bcp` with stages
/// `exit` and `entry` of 4 lanes; flows `general` at 24/h and `perishable` at 6/h).
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Parses sweep `text` as the file `t.toml` next to the base scenario.
fn plan_with(text: &str, cli: Overrides, baseline: Option<&str>) -> Result<Plan, ScenarioError> {
    parse(text, "t.toml", &fixtures(), cli, baseline)
}

/// Parses sweep `text` with no command-line values; panics on problems.
fn plan(text: &str) -> Plan {
    plan_with(text, Overrides::default(), None).unwrap_or_else(|e| panic!("{e}"))
}

/// The problems of sweep `text` as `path: message` lines, in the order reported.
fn problems(text: &str) -> Vec<String> {
    problems_with(text, Overrides::default(), None)
}

/// As [`problems`], with command-line values.
fn problems_with(text: &str, cli: Overrides, baseline: Option<&str>) -> Vec<String> {
    match plan_with(text, cli, baseline) {
        Ok(_) => panic!("expected problems"),
        Err(e) => e
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
    }
}

/// The point labels of `p`, in order.
fn labels(p: &Plan) -> Vec<&str> {
    p.points.iter().map(|x| x.label.as_str()).collect()
}

/// The valid scenario of point `i`.
fn model(p: &Plan, i: usize) -> &Model {
    p.points[i].model.as_ref().expect("a valid point")
}

/// Lanes of stage `id`.
fn lanes(m: &Model, id: &str) -> u32 {
    m.stages.iter().find(|s| s.id == id).expect("stage").lanes
}

/// Poisson rate of flow `id` [vehicles/h], after scale.
fn rate(m: &Model, id: &str) -> f64 {
    match m.flows.iter().find(|f| f.id == id).expect("flow").arrivals {
        Arrivals::Poisson { rate_per_h } => rate_per_h,
        _ => panic!("not Poisson"),
    }
}

/// The base scenario as a table.
fn base_table() -> toml::Table {
    toml::from_str(&std::fs::read_to_string(fixtures().join("base.toml")).unwrap()).unwrap()
}

const GRID: &str = r#"
base = "base.toml"
baseline = "lanes=5, demand=x1"

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [4, 5, 6]

[[axes]]
name = "demand"
path = "flows.*.arrivals.scale"
values = [1.0, 1.5]
labels = ["x1", "x1.5"]
"#;

#[test]
fn a_grid_is_the_product_first_axis_slowest() {
    let p = plan(GRID);
    assert_eq!(
        labels(&p),
        [
            "lanes=4, demand=x1",
            "lanes=4, demand=x1.5",
            "lanes=5, demand=x1",
            "lanes=5, demand=x1.5",
            "lanes=6, demand=x1",
            "lanes=6, demand=x1.5",
        ]
    );
    for (i, point) in p.points.iter().enumerate() {
        assert_eq!(point.index, i);
        let m = model(&p, i);
        assert_eq!(lanes(m, "exit"), [4, 5, 6][i / 2]);
        assert_eq!(lanes(m, "entry"), 4, "only the named stage changes");
        let scale = [1.0, 1.5][i % 2];
        assert!((rate(m, "general") - 24.0 * scale).abs() < 1e-9);
        assert!((rate(m, "perishable") - 6.0 * scale).abs() < 1e-9);
    }
    assert_eq!(p.name, "t", "the file stem names an unnamed sweep");
    assert_eq!(p.replications, 4, "the base's replications");
    assert_eq!(
        p.base_text,
        std::fs::read_to_string(fixtures().join("base.toml")).unwrap()
    );
    assert_eq!(p.sweep_text, GRID);
}

#[test]
fn the_baseline_label_resolves_to_its_index() {
    assert_eq!(plan(GRID).baseline, Some(2));
    let cli = plan_with(GRID, Overrides::default(), Some("lanes=6, demand=x1.5")).unwrap();
    assert_eq!(
        cli.baseline,
        Some(5),
        "the command line replaces the file's"
    );
    let none = plan(&GRID.replace("baseline = \"lanes=5, demand=x1\"\n", ""));
    assert_eq!(none.baseline, None);
}

#[test]
fn an_unknown_baseline_is_blamed_on_whoever_named_it() {
    let in_file = GRID.replace("lanes=5, demand=x1\"", "lanes=9\"");
    let labels = "labels are: \"lanes=4, demand=x1\", \"lanes=4, demand=x1.5\", \
                  \"lanes=5, demand=x1\", \"lanes=5, demand=x1.5\", \"lanes=6, demand=x1\", \
                  \"lanes=6, demand=x1.5\"";
    let e = plan_with(&in_file, Overrides::default(), None).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].path, "baseline");
    assert_eq!(
        (e.problems[0].line, e.problems[0].column),
        (Some(3), Some(12))
    );
    assert_eq!(
        e.problems[0].message,
        format!("no point is labelled \"lanes=9\"; {labels}")
    );
    let e = plan_with(GRID, Overrides::default(), Some("x")).unwrap_err();
    assert_eq!((e.problems[0].line, e.problems[0].column), (None, None));
    assert_eq!(
        e.problems[0].message,
        format!("no point is labelled \"x\"; {labels} (the requested baseline)")
    );
}

#[test]
fn zipped_axes_advance_together() {
    let p = plan(
        r#"
base = "base.toml"

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3, 4, 5]
zip = "capacity"

[[axes]]
name = "demand"
path = "flows.*.arrivals.scale"
values = [1.0, 2.0]

[[axes]]
name = "service"
path = "checkpoints.bcp.stages.exit.service.mean"
values = ["7min", "6min", "5min"]
zip = "capacity"
"#,
    );
    // The zip group is one dimension, at the position of its first axis.
    assert_eq!(
        labels(&p),
        [
            "lanes=3, service=7min, demand=1.0",
            "lanes=3, service=7min, demand=2.0",
            "lanes=4, service=6min, demand=1.0",
            "lanes=4, service=6min, demand=2.0",
            "lanes=5, service=5min, demand=1.0",
            "lanes=5, service=5min, demand=2.0",
        ]
    );
    for i in 0..6 {
        let m = model(&p, i);
        let exit = m.stages.iter().find(|s| s.id == "exit").unwrap();
        assert_eq!(exit.lanes, [3, 4, 5][i / 2]);
        assert_eq!(exit.service.mean_ms(), [7.0, 6.0, 5.0][i / 2] * 60_000.0);
    }
}

#[test]
fn zipped_axes_need_as_many_values() {
    let text = r#"
base = "base.toml"

[[axes]]
name = "a"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3, 4, 5]
zip = "z"

[[axes]]
name = "b"
path = "flows.*.arrivals.scale"
values = [1, 2]
zip = "z"
"#;
    assert_eq!(
        problems(text),
        ["axes[1].zip: axes zipped in \"z\" must have the same number of values (3 vs 2)"]
    );
}

#[test]
fn a_wildcard_path_changes_every_matching_field() {
    let mut t = base_table();
    let n = apply(
        &mut t,
        "checkpoints.*.stages.*.lanes",
        &toml::Value::Integer(9),
    )
    .unwrap();
    assert_eq!(n, 2);
    let stages = t["checkpoints"][0]["stages"].as_array().unwrap();
    assert!(stages.iter().all(|s| s["lanes"].as_integer() == Some(9)));

    // An integer where the base has a float becomes a float.
    let n = apply(&mut t, "flows.*.arrivals.scale", &toml::Value::Integer(2)).unwrap();
    assert_eq!(n, 2);
    for f in t["flows"].as_array().unwrap() {
        assert_eq!(f["arrivals"]["scale"], toml::Value::Float(2.0));
    }
}

#[test]
fn paths_name_list_elements_by_id_or_position() {
    let mut t = base_table();
    let by_id = apply(&mut t, "flows.perishable.tonnes", &toml::Value::Float(12.5));
    let by_pos = apply(&mut t, "flows.0.tonnes", &toml::Value::Float(21.0));
    assert_eq!((by_id, by_pos), (Ok(1), Ok(1)));
    let flows = t["flows"].as_array().unwrap();
    assert_eq!(flows[0]["tonnes"].as_float(), Some(21.0));
    assert_eq!(flows[1]["tonnes"].as_float(), Some(12.5));

    // The last segment is created when absent; a missing middle matches nothing.
    assert_eq!(apply(&mut t, "flows.0.class", &"x".into()), Ok(1));
    assert_eq!(t["flows"][0]["class"].as_str(), Some("x"));
    assert_eq!(apply(&mut t, "nothing.here", &1.into()), Ok(0));
    assert_eq!(apply(&mut t, "flows.7.tonnes", &1.into()), Ok(0));
}

#[test]
fn malformed_paths_are_errors() {
    let mut t = base_table();
    assert_eq!(
        apply(&mut t, "flows..id", &1.into()),
        Err("malformed path \"flows..id\": empty segment".into())
    );
    assert_eq!(
        apply(&mut t, "checkpoints.bcp", &1.into()),
        Err("\"bcp\" names a whole list element; set one of its fields instead".into())
    );
    assert_eq!(t, base_table(), "nothing was changed");
}

#[test]
fn a_policy_axis_applies_its_policies_and_today_changes_nothing() {
    let p = plan(
        r#"
base = "base.toml"

[[policies]]
label = "more-lanes"
set = { "checkpoints.*.stages.*.lanes" = 6, "flows.general.arrivals.scale" = 2 }

[[axes]]
policies = ["today", "more-lanes"]
"#,
    );
    assert_eq!(labels(&p), ["policy=today", "policy=more-lanes"]);
    let (today, more) = (model(&p, 0), model(&p, 1));
    assert_eq!((lanes(today, "exit"), lanes(today, "entry")), (4, 4));
    assert_eq!((lanes(more, "exit"), lanes(more, "entry")), (6, 6));
    assert!((rate(today, "general") - 24.0).abs() < 1e-9);
    assert!((rate(more, "general") - 48.0).abs() < 1e-9);
    assert!((rate(more, "perishable") - 6.0).abs() < 1e-9);
}

#[test]
fn values_label_themselves_when_unlabelled() {
    let p = plan(
        r#"
base = "base.toml"

[[axes]]
path = "checkpoints.bcp.stages.exit.service"
values = [{ dist = "exponential", mean = "5min" }, { dist = "deterministic", value = "4min" }]
"#,
    );
    assert_eq!(
        labels(&p),
        [
            "checkpoints.bcp.stages.exit.service={ dist = \"exponential\", mean = \"5min\" }",
            "checkpoints.bcp.stages.exit.service={ dist = \"deterministic\", value = \"4min\" }",
        ]
    );
}

#[test]
fn axis_and_policy_problems_are_all_reported_in_file_order() {
    let text = r#"
base = "base.toml"

[[policies]]
label = "p"
set = { "nope.x" = 1, "checkpoints.*.stages.*.lanes" = "many" }

[[axes]]
name = "a"
policies = ["today", "q"]

[[axes]]
name = "a"
path = "checkpoints.bcp.stages.exit.lanes"
values = [1, 2]
labels = ["one"]

[[axes]]
name = "c"
path = "checkpoints.bcp.stages.entry.lanes"
values = [2, 2]
"#;
    assert_eq!(
        problems(text),
        [
            "policies[0].set.nope.x: path \"nope.x\" matches nothing in \
             {fixtures}/base.toml"
                .replace("{fixtures}", &fixtures().display().to_string())
                .as_str(),
            "policies[0].set.checkpoints.*.stages.*.lanes: setting checkpoints.*.stages.*.lanes \
             = \"many\" does not fit the scenario: checkpoints[0].stages[0].lanes: invalid type: \
             string \"many\", expected an integer or a daily schedule table like \
             { \"08:00-20:00\" = 10, \"20:00-08:00\" = 4 }",
            "axes[0].policies[1]: unknown policy \"q\" (defined: p; \"today\" means no change)",
            "axes[1].name: duplicate axis name \"a\"",
            "axes[1].labels: 1 labels for 2 values",
            "axes[2]: two values of axis \"c\" have the label \"2\"",
        ]
    );
    assert_eq!(
        problems("base = \"base.toml\"\n"),
        ["axes: a sweep needs at least one [[axes]] entry"]
    );
}

#[test]
fn sweep_wide_values_apply_to_every_point() {
    let text = format!("days = 5\nreplications = 2\nseed = 9\n{GRID}");
    let p = plan(&text);
    assert_eq!(p.replications, 2);
    for i in 0..p.points.len() {
        let m = model(&p, i);
        assert_eq!((m.days, m.replications, m.seed), (5, 2, 9));
    }
    let cli = Overrides {
        seed: Some(1),
        replications: Some(3),
        days: Some(7),
    };
    let p = plan_with(&text, cli, None).unwrap();
    let m = model(&p, 0);
    assert_eq!(
        (m.days, m.replications, m.seed, p.replications),
        (7, 3, 1, 3)
    );
}

#[test]
fn out_of_range_sweep_values_are_blamed_where_written() {
    let text = format!("days = 0\n{GRID}");
    let e = plan_with(&text, Overrides::default(), None).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].path, "days");
    assert_eq!(
        (e.problems[0].line, e.problems[0].column),
        (Some(1), Some(8))
    );
    assert_eq!(e.problems[0].message, "must be between 1 and 36500 (got 0)");

    let cli = Overrides {
        replications: Some(0),
        ..Overrides::default()
    };
    assert_eq!(
        problems_with(&text, cli, None),
        ["--replications: must be between 1 and 100000 (got 0)"],
        "the command line is checked first and stops the check"
    );
}

#[test]
fn an_invalid_point_carries_its_error_and_the_others_run() {
    let p = plan(
        r#"
base = "base.toml"
[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [0, 3]
"#,
    );
    // The problem is blamed on the axis value that made it, at its place in the sweep file
    // (line 6, column 11: the `0` of `values = [0, 3]`), naming the scenario field it broke.
    let e = p.points[0].model.as_ref().unwrap_err();
    assert_eq!(e.problems[0].file, "t.toml");
    assert_eq!(e.problems[0].path, "axes[0].values[0]");
    assert_eq!(
        (e.problems[0].line, e.problems[0].column),
        (Some(6), Some(11))
    );
    assert_eq!(
        e.problems[0].message,
        "makes point \"lanes=0\" invalid: checkpoints[0].stages[0].lanes: lanes must be \
         between 1 and 100000 (got 0)"
    );
    assert_eq!(lanes(model(&p, 1), "exit"), 3);
}

#[test]
fn an_inline_base_is_its_own_file() {
    let p = plan(
        r#"
name = "inline"
[[axes]]
name = "lanes"
path = "checkpoints.c.stages.s.lanes"
values = [1, 2]

[base.simulation]
name = "inline base"
days = 5
replications = 2
[[base.checkpoints]]
id = "c"
[[base.checkpoints.stages]]
id = "s"
lanes = 4
service = { dist = "exponential", mean = "6min" }
[[base.flows]]
id = "g"
mode = "truck"
route = ["c"]
arrivals = { process = "poisson", rate = "24/h" }
"#,
    );
    assert_eq!(p.name, "inline");
    assert_eq!(labels(&p), ["lanes=1", "lanes=2"]);
    assert_eq!(lanes(model(&p, 1), "s"), 2);
    assert!(p.base_text.contains("id = \"c\""));
}

#[test]
fn too_many_points_are_refused() {
    let values = (1..=50)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let axis = |name: &str, path: &str| {
        format!("[[axes]]\nname = \"{name}\"\npath = \"{path}\"\nvalues = [{values}]\n")
    };
    let text = format!(
        "base = \"base.toml\"\n{}{}{}",
        axis("a", "checkpoints.bcp.stages.exit.lanes"),
        axis("b", "checkpoints.bcp.stages.entry.lanes"),
        axis("c", "flows.*.arrivals.scale"),
    );
    assert_eq!(
        problems(&text),
        ["axes: 125000 points: at most 100000 are supported"]
    );
}

/// [`GRID`] with demand as a context: compared at equal demand.
fn context_grid() -> String {
    GRID.replace(
        "name = \"demand\"\n",
        "name = \"demand\"\nrole = \"context\"\n",
    )
}

#[test]
fn a_context_axis_pairs_each_point_with_the_baseline_policy_at_its_level() {
    let p = plan(&context_grid());
    // Baseline "lanes=5, demand=x1" (point 2): its policy is lanes=5. At demand x1.5 the
    // baseline is "lanes=5, demand=x1.5" (point 3).
    assert_eq!(p.baseline, Some(2));
    assert_eq!(p.pairing.axes, ["demand"]);
    assert_eq!(
        p.pairing.anchor,
        [Some(2), Some(3), Some(2), Some(3), Some(2), Some(3)]
    );
    let compared: Vec<Option<usize>> = (0..6).map(|i| p.pairing.compared_with(i)).collect();
    assert_eq!(compared, [Some(2), Some(3), None, None, Some(2), Some(3)]);
    assert_eq!(p.pairing.context_label(5), "demand=x1.5");
    // A baseline from the command line picks the policy the same way.
    let cli = plan_with(
        &context_grid(),
        Overrides::default(),
        Some("lanes=6, demand=x1.5"),
    )
    .unwrap();
    assert_eq!(
        cli.pairing.anchor,
        [Some(4), Some(5), Some(4), Some(5), Some(4), Some(5)]
    );
    // Without a context axis: the one baseline for all, as before.
    let plain = plan(GRID);
    assert!(!plain.pairing.has_context());
    assert_eq!(plain.pairing.anchor, [Some(2); 6]);
}

#[test]
fn a_role_is_policy_or_context_and_zipped_axes_share_it() {
    let bad = context_grid().replace("role = \"context\"", "role = \"ctx\"");
    assert_eq!(
        problems(&bad),
        [
            "axes[1].role: unknown role \"ctx\": an axis is a \"policy\" (the default) or a \"context\""
        ]
    );
    let zipped = context_grid().replace(
        "labels = [\"x1\", \"x1.5\"]\n",
        "labels = [\"x1\", \"x1.5\"]\nzip = \"z\"\n",
    ) + "\n[[axes]]\nname = \"entry\"\npath = \"checkpoints.bcp.stages.entry.lanes\"\nvalues = [4, 5]\nzip = \"z\"\n";
    assert_eq!(
        problems(&zipped),
        [
            "axes[2].role: axes zipped in \"z\" move together, so they must have the same role (\"demand\" is a context)"
        ]
    );
}

#[test]
fn an_invalid_baseline_of_a_context_is_an_error_at_the_baseline() {
    // At demand x0 (a zero scale is refused) every point is invalid, its baseline too.
    let text = context_grid().replace("values = [1.0, 1.5]", "values = [1.0, -1.0]");
    let probs = problems(&text);
    assert_eq!(probs.len(), 1, "{probs:?}");
    assert!(
        probs[0].starts_with(
            "baseline: the baseline point \"lanes=5, demand=x1.5\" of context \"demand=x1.5\" is invalid"
        ),
        "{probs:?}"
    );
}
