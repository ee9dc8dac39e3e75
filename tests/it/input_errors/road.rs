//! Bad road-scenario input: `validate` and `run` exit 2 with one `error: FILE:LINE:COL: FIELD:
//! message` line per problem, never a panic; overrides that contradict the file are input errors too.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Field, assert_rejected, error_lines, located_errors};
use crate::common::*;

/// A small valid scenario that runs in milliseconds. Tests derive bad variants by replacing one
/// line, so the line numbers below are the ones the messages must point at.
pub(crate) const GOOD: &str = r#"[simulation]
name = "cli-test"
days = 10
warmup_days = 1
seed = 3
replications = 1

[[checkpoints]]
id = "bcp"
[[checkpoints.stages]]
id = "control"
lanes = 3
service = { dist = "exponential", mean = "6min" }
hours = "24/7"

[[flows]]
id = "trucks"
mode = "truck"
route = ["bcp"]
arrivals = { process = "poisson", rate = "10/h" }
"#;

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2, FILE:L:C, field path, message — for validate and run
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_stage_field_is_rejected_with_its_line() {
    let t = edit(GOOD, "lanes = 3", "lanse = 3");
    assert_rejected(
        "lanse",
        &t,
        Field::Within("checkpoints[0].stages[0].lanse"),
        "lanse = 3",
        "",
    );
    let o = borderflow(&[
        "validate",
        TempFile::new("lanse2", &t).path().to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("lanse"), "{}", stderr(&o));
}

#[test]
fn unknown_field_inside_service_is_rejected() {
    let t = edit(
        GOOD,
        r#"service = { dist = "exponential", mean = "6min" }"#,
        r#"service = { dist = "exponential", mean = "6min", sd = "1min" }"#,
    );
    assert_rejected(
        "svc-unknown",
        &t,
        Field::Within("checkpoints[0].stages[0].service"),
        "service = ",
        "",
    );
    let f = TempFile::new("svc-unknown2", &t);
    let o = borderflow(&["validate", &f.name()]);
    assert!(
        stderr(&o).contains("`sd`"),
        "message must name the field:\n{}",
        stderr(&o)
    );
}

#[test]
fn unknown_field_inside_arrivals_is_rejected() {
    let t = edit(
        GOOD,
        r#"arrivals = { process = "poisson", rate = "10/h" }"#,
        r#"arrivals = { process = "poisson", rate = "10/h", burst = 2 }"#,
    );
    assert_rejected(
        "arr-unknown",
        &t,
        Field::Within("flows[0].arrivals"),
        "arrivals = ",
        "",
    );
    let f = TempFile::new("arr-unknown2", &t);
    let o = borderflow(&["validate", &f.name()]);
    assert!(
        stderr(&o).contains("burst"),
        "message must name the field:\n{}",
        stderr(&o)
    );
}

#[test]
fn unknown_simulation_field_is_rejected() {
    let t = edit(GOOD, "days = 10", "days = 10\ndayz = 3");
    assert_rejected("dayz", &t, Field::Within("simulation.dayz"), "dayz", "");
}

#[test]
fn wrong_type_for_lanes_is_rejected() {
    let t = edit(GOOD, "lanes = 3", r#"lanes = "four""#);
    assert_rejected(
        "lanes-type",
        &t,
        Field::Within("checkpoints[0].stages[0].lanes"),
        "lanes =",
        "",
    );
}

#[test]
fn zero_lanes_are_rejected() {
    let t = edit(GOOD, "lanes = 3", "lanes = 0");
    assert_rejected(
        "lanes-zero",
        &t,
        Field::Within("checkpoints[0].stages[0].lanes"),
        "lanes =",
        "",
    );
}

#[test]
fn negative_lanes_are_rejected() {
    let t = edit(GOOD, "lanes = 3", "lanes = -2");
    assert_rejected(
        "lanes-neg",
        &t,
        Field::Within("checkpoints[0].stages[0].lanes"),
        "lanes =",
        "",
    );
}

#[test]
fn missing_lanes_are_rejected() {
    let t = edit(GOOD, "lanes = 3", "");
    let f = TempFile::new("lanes-missing", &t);
    let o = borderflow(&["validate", &f.name()]);
    assert_eq!(code(&o), Some(2));
    assert!(stderr(&o).contains("lanes"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("checkpoints[0].stages[0]"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn zero_and_negative_daily_quota_are_rejected() {
    for (tag, q) in [("quota-zero", "0"), ("quota-neg", "-4")] {
        let t = edit(
            GOOD,
            r#"hours = "24/7""#,
            &format!("hours = \"24/7\"\ndaily_quota = {q}"),
        );
        assert_rejected(
            tag,
            &t,
            Field::Within("checkpoints[0].stages[0].daily_quota"),
            "daily_quota",
            "",
        );
    }
}

#[test]
fn malformed_durations_are_rejected() {
    for (i, bad) in [
        "6 minutes?",
        "6",
        "-5min",
        "",
        "6 parsecs",
        "1.2.3min",
        "0.5ms",
        "1e300h",
    ]
    .iter()
    .enumerate()
    {
        let t = edit(
            GOOD,
            r#"service = { dist = "exponential", mean = "6min" }"#,
            &format!(r#"service = {{ dist = "exponential", mean = "{bad}" }}"#),
        );
        assert_rejected(
            &format!("dur-{i}"),
            &t,
            Field::Within("checkpoints[0].stages[0].service.mean"),
            "service = ",
            "",
        );
    }
}

#[test]
fn malformed_duration_reports_the_value() {
    let t = edit(
        GOOD,
        r#"service = { dist = "exponential", mean = "6min" }"#,
        r#"service = { dist = "exponential", mean = "6 minutes?" }"#,
    );
    let f = TempFile::new("dur-value", &t);
    let o = borderflow(&["validate", &f.name()]);
    // The column points at the value, not at the start of the inline table.
    let e = &located_errors(&stderr(&o), &f.name())[0];
    let col_of_value = t.lines().nth(12).unwrap().find("\"6 minutes?\"").unwrap() + 1;
    assert_eq!(e.column, col_of_value, "{}", stderr(&o));
    assert!(e.rest.contains("6 minutes?"), "{}", stderr(&o));
}

#[test]
fn malformed_rates_are_rejected() {
    for (i, bad) in ["32", "32/parsec", "/h", "-3/h", "NaN/h"]
        .iter()
        .enumerate()
    {
        let t = edit(
            GOOD,
            r#"arrivals = { process = "poisson", rate = "10/h" }"#,
            &format!(r#"arrivals = {{ process = "poisson", rate = "{bad}" }}"#),
        );
        assert_rejected(
            &format!("rate-{i}"),
            &t,
            Field::Within("flows[0].arrivals.rate"),
            "arrivals = ",
            "",
        );
    }
}

#[test]
fn malformed_hours_are_rejected() {
    for (i, bad) in ["25:00-26:00", "9-18", "09:00-", "whenever"]
        .iter()
        .enumerate()
    {
        let t = edit(GOOD, r#"hours = "24/7""#, &format!("hours = \"{bad}\""));
        assert_rejected(
            &format!("hours-{i}"),
            &t,
            Field::Within("checkpoints[0].stages[0].hours"),
            "hours =",
            "",
        );
    }
}

#[test]
fn malformed_hours_in_a_named_calendar_are_rejected() {
    let t = edit(
        GOOD,
        r#"hours = "24/7""#,
        "hours = \"office\"\n\n[calendars.office]\nhours = \"9-18\"",
    );
    assert_rejected(
        "cal-hours",
        &t,
        Field::Within("calendars.office.hours"),
        "\"9-18\"",
        "",
    );
}

#[test]
fn unknown_checkpoint_in_route_is_rejected() {
    let t = edit(GOOD, r#"route = ["bcp"]"#, r#"route = ["bcp", "nope"]"#);
    assert_rejected(
        "route-unknown",
        &t,
        Field::Within("flows[0].route[1]"),
        "route =",
        "",
    );
    let f = TempFile::new("route-unknown2", &t);
    let o = borderflow(&["validate", &f.name()]);
    assert!(stderr(&o).contains("\"nope\""), "{}", stderr(&o));
}

#[test]
fn empty_route_is_rejected() {
    let t = edit(GOOD, r#"route = ["bcp"]"#, "route = []");
    assert_rejected(
        "route-empty",
        &t,
        Field::Within("flows[0].route"),
        "route =",
        "",
    );
}

const SECOND_CHECKPOINT: &str = r#"
[[checkpoints]]
id = "bcp"
[[checkpoints.stages]]
id = "other"
lanes = 1
service = { dist = "exponential", mean = "6min" }
"#;

#[test]
fn duplicate_checkpoint_ids_are_rejected() {
    let t = format!("{GOOD}{SECOND_CHECKPOINT}");
    let dup_line = nth_line(&t, r#"id = "bcp""#, 2);
    let f = TempFile::new("dup-cp", &t);
    let o = borderflow(&["validate", &f.name()]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let e = located_errors(&stderr(&o), &f.name());
    assert!(
        e.iter()
            .any(|e| e.line == dup_line && e.rest.starts_with("checkpoints[1].id: ")),
        "expected checkpoints[1].id on line {dup_line}:\n{}",
        stderr(&o)
    );
    assert_eq!(code(&borderflow(&["run", &f.name()])), Some(2));
}

#[test]
fn duplicate_stage_ids_are_rejected() {
    let t = edit(
        GOOD,
        r#"hours = "24/7""#,
        "hours = \"24/7\"\n[[checkpoints.stages]]\nid = \"control\"\nlanes = 1\nservice = { dist = \"exponential\", mean = \"6min\" }",
    );
    let second = nth_line(&t, r#"id = "control""#, 2);
    let f = TempFile::new("dup-stage", &t);
    for cmd in ["validate", "run"] {
        let o = borderflow(&[cmd, &f.name()]);
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        let e = located_errors(&stderr(&o), &f.name());
        assert!(
            e.iter().any(|e| e.line == second
                && e.rest.starts_with("checkpoints[0].stages[1].id: ")
                && e.rest.contains("control")),
            "expected checkpoints[0].stages[1].id on line {second}:\n{}",
            stderr(&o)
        );
    }
}

#[test]
fn duplicate_flow_ids_are_rejected() {
    let t = format!(
        "{GOOD}\n[[flows]]\nid = \"trucks\"\nmode = \"truck\"\nroute = [\"bcp\"]\narrivals = {{ process = \"poisson\", rate = \"1/h\" }}\n"
    );
    let second = nth_line(&t, r#"id = "trucks""#, 2);
    let f = TempFile::new("dup-flow", &t);
    for cmd in ["validate", "run"] {
        let o = borderflow(&[cmd, &f.name()]);
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        let e = located_errors(&stderr(&o), &f.name());
        assert!(
            e.iter()
                .any(|e| e.line == second && e.rest.starts_with("flows[1].id: ")),
            "expected flows[1].id on line {second}:\n{}",
            stderr(&o)
        );
    }
}

#[test]
fn warmup_not_shorter_than_days_is_rejected() {
    for (tag, w) in [("warm-eq", "10"), ("warm-gt", "12")] {
        let t = edit(GOOD, "warmup_days = 1", &format!("warmup_days = {w}"));
        assert_rejected(
            tag,
            &t,
            Field::Within("simulation.warmup_days"),
            "warmup_days",
            "",
        );
        let f = TempFile::new(tag, &t);
        let o = borderflow(&["validate", &f.name()]);
        assert!(
            stderr(&o).contains("days"),
            "message must name days:\n{}",
            stderr(&o)
        );
    }
}

#[test]
fn negative_days_are_rejected() {
    let t = edit(GOOD, "days = 10", "days = -5");
    assert_rejected(
        "days-neg",
        &t,
        Field::Within("simulation.days"),
        "days = -5",
        "",
    );
}

#[test]
fn contract_minimal_bad_file_exits_2() {
    // The exact file of shared/contract/check-contract.
    let f = TempFile::new("contract-bad", "[simulation]\nname = \"x\"\ndays = -5\n");
    for cmd in ["validate", "run"] {
        let o = borderflow(&[cmd, &f.name()]);
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
        let e = located_errors(&stderr(&o), &f.name());
        assert!(
            e.iter()
                .any(|e| e.line == 3 && e.rest.starts_with("simulation.days: ")),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn missing_file_exits_2_naming_it() {
    let missing = std::env::temp_dir().join(format!(
        "borderflow-cli-{}-does-not-exist.toml",
        std::process::id()
    ));
    let name = missing.display().to_string();
    for cmd in ["validate", "run"] {
        let o = borderflow(&[cmd, &name]);
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&name), "{err}");
    }
}

#[test]
fn directory_instead_of_file_exits_2() {
    let o = borderflow(&["validate", &std::env::temp_dir().display().to_string()]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn invalid_toml_syntax_is_rejected_with_its_line() {
    let t = edit(GOOD, "lanes = 3", "lanes = = 3");
    let want = line_of(&t, "lanes = = 3");
    let f = TempFile::new("syntax", &t);
    for cmd in ["validate", "run"] {
        let o = borderflow(&[cmd, &f.name()]);
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
        let e = located_errors(&stderr(&o), &f.name());
        assert!(
            e.iter().any(|e| e.line == want && !e.rest.is_empty()),
            "expected {}:{want}:C: …\n{}",
            f.name(),
            stderr(&o)
        );
    }
}

#[test]
fn unknown_dist_name_is_rejected() {
    let t = edit(
        GOOD,
        r#"service = { dist = "exponential", mean = "6min" }"#,
        r#"service = { dist = "weibull", mean = "6min" }"#,
    );
    assert_rejected(
        "dist-name",
        &t,
        Field::Within("checkpoints[0].stages[0].service"),
        "service = ",
        "",
    );
    let f = TempFile::new("dist-name2", &t);
    assert!(stderr(&borderflow(&["validate", &f.name()])).contains("weibull"));
}

#[test]
fn bad_distribution_parameters_are_rejected() {
    for (i, d) in [
        r#"{ dist = "uniform", min = "10min", max = "2min" }"#,
        r#"{ dist = "triangular", min = "1min", mode = "20min", max = "10min" }"#,
        r#"{ dist = "lognormal", mean = "6min", sd = "0min" }"#,
        r#"{ dist = "erlang", mean = "6min", k = 0 }"#,
        r#"{ dist = "empirical", values = [] }"#,
        r#"{ dist = "exponential", mean = "0min" }"#,
        r#"{ dist = "uniform", min = "1min" }"#,
    ]
    .iter()
    .enumerate()
    {
        let t = edit(
            GOOD,
            r#"service = { dist = "exponential", mean = "6min" }"#,
            &format!("service = {d}"),
        );
        assert_rejected(
            &format!("dist-param-{i}"),
            &t,
            Field::Within("checkpoints[0].stages[0].service"),
            "service = ",
            "",
        );
    }
}

#[test]
fn inspection_probability_above_one_is_rejected() {
    let t = edit(
        GOOD,
        r#"hours = "24/7""#,
        "hours = \"24/7\"\ninspection = { name = \"x-ray\", probability = 1.5, service = { dist = \"deterministic\", value = \"10min\" } }",
    );
    assert_rejected(
        "inspection",
        &t,
        Field::Within("checkpoints[0].stages[0].inspection.probability"),
        "inspection =",
        "",
    );
}

#[test]
fn unknown_class_in_priority_is_rejected() {
    let t = edit(
        GOOD,
        r#"hours = "24/7""#,
        "hours = \"24/7\"\npriority = [\"general\", \"fruit\"]",
    );
    assert_rejected(
        "priority",
        &t,
        Field::Within("checkpoints[0].stages[0].priority[1]"),
        "priority =",
        "",
    );
    let f = TempFile::new("priority2", &t);
    assert!(stderr(&borderflow(&["validate", &f.name()])).contains("fruit"));
}

#[test]
fn reserved_lanes_exceeding_lanes_are_rejected() {
    let t = edit(
        GOOD,
        r#"hours = "24/7""#,
        "hours = \"24/7\"\nreserved_lanes = { general = 5 }",
    );
    assert_rejected(
        "reserved",
        &t,
        Field::Within("checkpoints[0].stages[0].reserved_lanes"),
        "reserved_lanes =",
        "",
    );
}

#[test]
fn hourly_profile_with_23_values_is_rejected() {
    let ones = vec!["1"; 23].join(", ");
    let t = edit(
        GOOD,
        r#"arrivals = { process = "poisson", rate = "10/h" }"#,
        &format!(r#"arrivals = {{ process = "poisson", rate = "240/day", hourly = [{ones}] }}"#),
    );
    assert_rejected(
        "hourly",
        &t,
        Field::Within("flows[0].arrivals.hourly"),
        "arrivals =",
        "",
    );
    let f = TempFile::new("hourly2", &t);
    let err = stderr(&borderflow(&["validate", &f.name()]));
    assert!(err.contains("24") && err.contains("23"), "{err}");
}

#[test]
fn unknown_mode_is_rejected_and_the_known_ones_listed() {
    let t = edit(GOOD, r#"mode = "truck""#, r#"mode = "plane""#);
    assert_rejected("plane", &t, Field::Within("flows[0].mode"), "mode =", "");
    let f = TempFile::new("plane2", &t);
    let err = stderr(&borderflow(&["validate", &f.name()]));
    assert!(
        err.contains("plane") && err.contains("truck, train, barge"),
        "{err}"
    );
}

#[test]
fn several_semantic_problems_give_one_message_each() {
    let t = edit(GOOD, "lanes = 3", "lanes = 0");
    let t = edit(&t, r#"route = ["bcp"]"#, r#"route = ["nope"]"#);
    let f = TempFile::new("two-problems", &t);
    for cmd in ["validate", "run"] {
        let o = borderflow(&[cmd, &f.name()]);
        let err = stderr(&o);
        assert_eq!(code(&o), Some(2), "{err}");
        assert_eq!(error_lines(&err), 2, "one error line per problem:\n{err}");
        let e = located_errors(&err, &f.name());
        assert_eq!(e.len(), 2, "{err}");
        // In file order.
        assert_eq!(e[0].line, line_of(&t, "lanes = 0"), "{err}");
        assert!(
            e[0].rest.starts_with("checkpoints[0].stages[0].lanes: "),
            "{err}"
        );
        assert_eq!(e[1].line, line_of(&t, "route ="), "{err}");
        assert!(e[1].rest.starts_with("flows[0].route[0]: "), "{err}");
    }
}

#[test]
fn four_problems_across_sections_are_all_reported_in_file_order() {
    let t = edit(GOOD, "warmup_days = 1", "warmup_days = 10");
    let t = edit(&t, "lanes = 3", "lanes = -1");
    let t = edit(
        &t,
        r#"hours = "24/7""#,
        "hours = \"25:00-26:00\"\ndaily_quota = 0",
    );
    let t = edit(&t, r#"mode = "truck""#, r#"mode = "hovercraft""#);
    let f = TempFile::new("four-problems", &t);
    let o = borderflow(&["validate", &f.name()]);
    let err = stderr(&o);
    assert_eq!(code(&o), Some(2), "{err}");
    let e = located_errors(&err, &f.name());
    let got: Vec<(usize, &str)> = e
        .iter()
        .map(|e| (e.line, e.rest.split(": ").next().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            (line_of(&t, "warmup_days"), "simulation.warmup_days"),
            (line_of(&t, "lanes ="), "checkpoints[0].stages[0].lanes"),
            (line_of(&t, "hours ="), "checkpoints[0].stages[0].hours"),
            (
                line_of(&t, "daily_quota"),
                "checkpoints[0].stages[0].daily_quota"
            ),
            (line_of(&t, "mode ="), "flows[0].mode"),
        ],
        "{err}"
    );
    assert_eq!(error_lines(&err), 5, "{err}");
}

#[test]
fn errors_in_a_later_checkpoint_point_at_its_lines() {
    // Sub-table and dotted-key spellings of a stage's service, in the second checkpoint.
    let t = format!(
        "{GOOD}\n[[checkpoints]]\nid = \"b\"\n[[checkpoints.stages]]\nid = \"s1\"\nlanes = 2\n\
         [checkpoints.stages.service]\ndist = \"exponential\"\nmean = \"6 minutes?\"\n\
         [[checkpoints.stages]]\nid = \"s2\"\nlanes = 2\nservice.dist = \"exponential\"\n\
         service.mean = \"7 minutes?\"\n"
    );
    let f = TempFile::new("later-cp", &t);
    let o = borderflow(&["validate", &f.name()]);
    let err = stderr(&o);
    assert_eq!(code(&o), Some(2), "{err}");
    let e = located_errors(&err, &f.name());
    assert!(
        e.iter().any(|e| e.line == line_of(&t, "6 minutes?")
            && e.rest
                .starts_with("checkpoints[1].stages[0].service.mean: ")),
        "{err}"
    );
    assert!(
        e.iter().any(|e| e.line == line_of(&t, "7 minutes?")
            && e.rest
                .starts_with("checkpoints[1].stages[1].service.mean: ")),
        "{err}"
    );
}

#[test]
fn crlf_line_endings_keep_line_numbers() {
    let t = edit(GOOD, "lanes = 3", "lanes = 0").replace('\n', "\r\n");
    let f = TempFile::new("crlf", &t);
    let o = borderflow(&["validate", &f.name()]);
    let e = located_errors(&stderr(&o), &f.name());
    assert_eq!(code(&o), Some(2));
    assert_eq!(e.len(), 1, "{}", stderr(&o));
    assert_eq!((e[0].line, e[0].column), (12, 9), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// Command-line overrides and usage
// ---------------------------------------------------------------------------------------------

#[test]
fn days_override_shorter_than_warmup_is_rejected() {
    let t = edit(GOOD, "warmup_days = 1", "warmup_days = 7");
    let f = TempFile::new("days-override", &t);
    let o = borderflow(&["run", &f.name(), "--days", "3"]);
    let err = stderr(&o);
    assert_eq!(code(&o), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("days"), "{err}");
    assert!(
        err.contains("(7 >= 3 (an override of the file's value))"),
        "the message should say the value is an override, not the file's:\n{err}"
    );
    assert!(err.contains(&f.name()), "{err}");
    assert!(stdout(&o).trim().is_empty());
}

#[test]
fn bad_override_values_are_rejected() {
    let f = TempFile::new("bad-overrides", GOOD);
    for (args, word) in [
        (vec!["--days=-5"], "days"),
        (vec!["--days", "0"], "days"),
        (vec!["--replications", "0"], "replications"),
        (vec!["--replications=-1"], "replications"),
        (vec!["--seed=-1"], "seed"),
        (vec!["--days", "ten"], "days"),
    ] {
        let mut all = vec!["run", f.path().to_str().unwrap()];
        all.extend(args.iter().copied());
        let o = borderflow(&all);
        let err = stderr(&o);
        assert_eq!(code(&o), Some(2), "{all:?}: {err}");
        assert!(!err.contains("panicked"), "{all:?}: {err}");
        assert!(err.contains(word), "{all:?} should name {word}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Absurd input that validation should stop
// ---------------------------------------------------------------------------------------------

#[test]
fn absurd_arrival_rate_is_rejected() {
    let t = edit(
        GOOD,
        r#"arrivals = { process = "poisson", rate = "10/h" }"#,
        r#"arrivals = { process = "poisson", rate = "1e300/h" }"#,
    );
    assert_rejected(
        "absurd-rate",
        &t,
        Field::Within("flows[0].arrivals.rate"),
        "arrivals =",
        "",
    );
    // And whatever validate says, run must not hang.
    let f = TempFile::new("absurd-rate-run", &t);
    let child = Command::new(BIN)
        .args(["run", &f.name(), "--days", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start borderflow");
    assert!(
        wait_at_most(child, Duration::from_secs(5)).is_some(),
        "run did not finish in 5 s"
    );
}

// ---------------------------------------------------------------------------------------------
// Lane schedules: `lanes = { "08:00-20:00" = 10, "20:00-08:00" = 4 }`
// ---------------------------------------------------------------------------------------------

/// GOOD with `lanes = 3` replaced by a schedule table.
fn with_schedule(table: &str) -> String {
    edit(GOOD, "lanes = 3", &format!("lanes = {table}"))
}

#[test]
fn overlapping_lane_windows_are_rejected() {
    let t = with_schedule(r#"{ "08:00-20:00" = 3, "18:00-09:00" = 1 }"#);
    assert_rejected(
        "lanes-overlap",
        &t,
        Field::Exactly("checkpoints[0].stages[0].lanes.18:00-09:00"),
        "lanes =",
        "overlaps window \"08:00-20:00\"",
    );
}

#[test]
fn a_lane_window_with_a_bad_time_is_rejected() {
    let t = with_schedule(r#"{ "08:00-20:70" = 3 }"#);
    assert_rejected(
        "lanes-badtime",
        &t,
        Field::Exactly("checkpoints[0].stages[0].lanes.08:00-20:70"),
        "lanes =",
        "08:00-20:70",
    );
}

#[test]
fn a_fractional_lane_count_in_a_schedule_is_rejected() {
    let t = with_schedule(r#"{ "08:00-20:00" = 2.5 }"#);
    assert_rejected(
        "lanes-fraction",
        &t,
        Field::Within("checkpoints[0].stages[0].lanes"),
        "lanes =",
        "expected an integer",
    );
}

#[test]
fn a_negative_lane_count_in_a_schedule_is_rejected() {
    let t = with_schedule(r#"{ "08:00-20:00" = -2 }"#);
    assert_rejected(
        "lanes-sched-neg",
        &t,
        Field::Exactly("checkpoints[0].stages[0].lanes.08:00-20:00"),
        "lanes =",
        "(got -2)",
    );
}

#[test]
fn a_window_of_zero_lanes_points_to_hours() {
    let t = with_schedule(r#"{ "08:00-20:00" = 3, "20:00-08:00" = 0 }"#);
    assert_rejected(
        "lanes-sched-zero",
        &t,
        Field::Exactly("checkpoints[0].stages[0].lanes.20:00-08:00"),
        "lanes =",
        "use `hours` to close the stage",
    );
}

#[test]
fn an_empty_lane_schedule_is_rejected() {
    let t = with_schedule("{}");
    assert_rejected(
        "lanes-sched-empty",
        &t,
        Field::Exactly("checkpoints[0].stages[0].lanes"),
        "lanes =",
        "an empty schedule",
    );
}

#[test]
fn a_schedule_below_the_reserved_lanes_is_rejected() {
    let t = edit(
        &with_schedule(r#"{ "08:00-20:00" = 3, "20:00-08:00" = 1 }"#),
        "hours = \"24/7\"",
        "hours = \"24/7\"\npriority = [\"general\"]\nreserved_lanes = { general = 1 }",
    );
    assert_rejected(
        "lanes-sched-reserved",
        &t,
        Field::Exactly("checkpoints[0].stages[0].lanes.20:00-08:00"),
        "lanes =",
        "reserves 1",
    );
}

#[test]
fn a_dated_change_to_a_bad_schedule_is_rejected() {
    let t = edit(
        GOOD,
        "hours = \"24/7\"",
        "hours = \"24/7\"\nchanges = [{ from = \"2026-01-05\", lanes = { \"08:00-20:00\" = 2, \"12:00-13:00\" = 1 } }]",
    );
    assert_rejected(
        "lanes-change-overlap",
        &t,
        Field::Exactly("checkpoints[0].stages[0].changes[0].lanes.12:00-13:00"),
        "changes =",
        "overlaps",
    );
}

#[test]
fn a_lognormal_or_gamma_spread_needs_exactly_one_of_sd_and_cv() {
    let cases = [
        (
            r#"{ dist = "lognormal", mean = "6min", sd = "2min", cv = 0.5 }"#,
            "checkpoints[0].stages[0].service.cv",
            "not both",
        ),
        (
            r#"{ dist = "gamma", mean = "6min" }"#,
            "checkpoints[0].stages[0].service",
            "sd (a duration",
        ),
        (
            r#"{ dist = "gamma", mean = "6min", cv = 0 }"#,
            "checkpoints[0].stages[0].service.cv",
            "greater than zero (got 0)",
        ),
        (
            r#"{ dist = "lognormal", mean = "6min", cv = -0.5 }"#,
            "checkpoints[0].stages[0].service.cv",
            "greater than zero (got -0.5)",
        ),
        (
            r#"{ dist = "lognormal", mean = "6min", cv = inf }"#,
            "checkpoints[0].stages[0].service.cv",
            "finite",
        ),
        (
            r#"{ dist = "gamma", mean = "6min", cv = nan }"#,
            "checkpoints[0].stages[0].service.cv",
            "finite",
        ),
    ];
    for (i, (d, field, says)) in cases.iter().enumerate() {
        let t = edit(
            GOOD,
            r#"service = { dist = "exponential", mean = "6min" }"#,
            &format!("service = {d}"),
        );
        assert_rejected(
            &format!("dist-cv-{i}"),
            &t,
            Field::Exactly(field),
            "service = ",
            says,
        );
    }
    // A cv that is not a number is a type error at the field.
    let t = edit(
        GOOD,
        r#"service = { dist = "exponential", mean = "6min" }"#,
        r#"service = { dist = "lognormal", mean = "6min", cv = "0.5" }"#,
    );
    assert_rejected(
        "dist-cv-text",
        &t,
        Field::Within("checkpoints[0].stages[0].service"),
        "service = ",
        "",
    );
}

#[test]
fn a_cv_is_the_sd_in_proportion_to_the_mean() {
    let with = |d: &str| {
        model(&edit(
            GOOD,
            r#"service = { dist = "exponential", mean = "6min" }"#,
            &format!("service = {d}"),
        ))
        .stages[0]
            .service
            .clone()
    };
    for kind in ["lognormal", "gamma"] {
        // mean 6 min, cv 0.5: sd 3 min = 180,000 ms, the same distribution as sd = "3min".
        let cv = with(&format!(
            r#"{{ dist = "{kind}", mean = "6min", cv = 0.5 }}"#
        ));
        let sd = with(&format!(
            r#"{{ dist = "{kind}", mean = "6min", sd = "3min" }}"#
        ));
        assert_eq!(cv.mean_ms(), 360_000.0);
        assert_eq!(cv.variance_ms2(), 180_000.0_f64.powi(2));
        assert_eq!(format!("{cv:?}"), format!("{sd:?}"));
        // Doubling the mean doubles the sd: cv stays 0.5.
        let long = with(&format!(
            r#"{{ dist = "{kind}", mean = "12min", cv = 0.5 }}"#
        ));
        assert_eq!(long.variance_ms2(), 360_000.0_f64.powi(2));
    }
}
