//! One grammar for durations, rates and dates, accepted or refused the same way in every field:
//! compound durations such as "1h30min" are accepted wherever a duration is; units outside the
//! vocabulary ("6 mins", "6 m", "6 hrs") are refused everywhere with the unit to write; an
//! impossible date is "no such date" in every date field.

use super::{Field, assert_rejected};
use crate::common::*;

/// A scenario with every duration field (each `"D<n>"`) and every date field (each `"Y<n>"`).
/// [`filled`] gives it valid values; the tests change one at a time.
const TEMPLATE: &str = r#"[simulation]
name = "grammar"
days = 20
warmup_days = 1
replications = 1
start_date = "Y0"
series_step = "D0"

[calendars.road]
hours = "08:00-18:00"
closed = ["Y1"]

[classes.perishable]
max_wait = "D1"

[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s1"
lanes = 2
service = { dist = "exponential", mean = "D2" }
inspection = { probability = 0.1, service = { dist = "deterministic", value = "D3" } }
changes = [{ from = "Y2", lanes = 3 }]
[[checkpoints.stages]]
id = "s2"
lanes = 2
travel = "D4"
service = { dist = "uniform", min = "D5", max = "2h" }

[[checkpoints]]
id = "b"
opens = "Y3"
[[checkpoints.stages]]
id = "s"
lanes = 2
hours = "road"
service = { dist = "deterministic", value = "5min" }

[[links]]
id = "road"
mode = "road"
travel = "D6"

[[flows]]
id = "f"
mode = "truck"
class = "perishable"
route = ["a", "road", "b"]
travel = ["D7", "1h"]
arrivals = { process = "poisson", rate = "2/h" }
starts = "Y4"
ends = "Y5"
[flows.choice]
alternatives = [{ route = ["b"], extra_travel = "D8" }]
info_every = "D9"
info_delay = "D10"

[[flows]]
id = "g"
mode = "truck"
route = ["a"]
arrivals = { process = "timetable", every = "D11", from = "08:00", to = "18:00" }
"#;

/// The field path of each `"D<n>"` field of [`TEMPLATE`].
const DURATION_FIELDS: [&str; 12] = [
    "simulation.series_step",
    "classes.perishable.max_wait",
    "checkpoints[0].stages[0].service.mean",
    "checkpoints[0].stages[0].inspection.service.value",
    "checkpoints[0].stages[1].travel",
    "checkpoints[0].stages[1].service.min",
    "links[0].travel",
    "flows[0].travel[0]",
    "flows[0].choice.alternatives[0].extra_travel",
    "flows[0].choice.info_every",
    "flows[0].choice.info_delay",
    "flows[1].arrivals.every",
];
/// The field path of each `"Y<n>"` field of [`TEMPLATE`].
const DATE_FIELDS: [&str; 6] = [
    "simulation.start_date",
    "calendars.road.closed[0]",
    "checkpoints[0].stages[0].changes[0].from",
    "checkpoints[1].opens",
    "flows[0].starts",
    "flows[0].ends",
];
const DURATIONS: usize = DURATION_FIELDS.len();
const DATES: usize = DATE_FIELDS.len();

/// Valid dates for the `"Y<n>"` fields, in order (start, closed, change, opens, starts, ends).
const GOOD_DATES: [&str; DATES] = [
    "2026-01-05",
    "2026-01-07",
    "2026-01-10",
    "2026-01-08",
    "2026-01-06",
    "2026-01-20",
];

/// [`TEMPLATE`] with field `"D<d>"` set to `dur` (the other durations "1h30min", the same value
/// written compound) and field `"Y<y>"` set to `date` (the others valid).
fn filled(d: Option<(usize, &str)>, y: Option<(usize, &str)>) -> String {
    let mut t = TEMPLATE.to_string();
    // Highest index first, so "D1" does not match inside "D10".
    for i in (0..DURATIONS).rev() {
        let v = match d {
            Some((k, v)) if k == i => v,
            _ => "1h30min",
        };
        t = t.replace(&format!("\"D{i}\""), &format!("\"{v}\""));
    }
    for i in (0..DATES).rev() {
        let v = match y {
            Some((k, v)) if k == i => v,
            _ => GOOD_DATES[i],
        };
        t = t.replace(&format!("\"Y{i}\""), &format!("\"{v}\""));
    }
    t
}

#[test]
fn compound_durations_are_accepted_in_every_duration_field() {
    let t = filled(None, None);
    assert!(!t.contains("\"D") && !t.contains("\"Y"), "{t}");
    let f = TempFile::new("grammar-ok", &t);
    let o = borderflow(&["validate", &f.name()]);
    assert_code(&o, 0);
    // 1h30min is exactly 90 minutes wherever it is written.
    let m = model(&t);
    assert_eq!(m.series_step.as_ms(), 90 * 60_000);
    assert_eq!(m.classes[0].max_wait.map(|d| d.as_ms()), Some(90 * 60_000));
    let choice = m.flows[0].choice.as_ref().expect("a route choice");
    assert_eq!(choice.info_every.as_ms(), 90 * 60_000);
    assert_eq!(choice.alternatives[0].extra_travel.as_ms(), 90 * 60_000);
}

#[test]
fn the_readme_route_choice_example_is_accepted() {
    // The README's own example writes extra_travel = "1h30min".
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    assert!(readme.contains(r#"extra_travel = "1h30min""#));
    let t = filled(Some((8, "1h30min")), None);
    let m = model(&t);
    assert_eq!(m.flows.len(), 3, "f, g and the alternative f@b");
}

#[test]
fn units_outside_the_vocabulary_are_refused_in_every_duration_field() {
    for (i, (bad, write)) in [
        ("6 mins", "min"),
        ("6 m", "min"),
        ("6 hrs", "h"),
        ("2 hours", "h"),
    ]
    .iter()
    .cycle()
    .take(DURATIONS)
    .enumerate()
    {
        let t = filled(Some((i, bad)), None);
        assert_rejected(
            &format!("unit-{i}"),
            &t,
            Field::Exactly(DURATION_FIELDS[i]),
            &format!("\"{bad}\""),
            "unknown unit",
        );
        let e = rejection(&t);
        assert!(
            e.contains(&format!("(write \"{write}\")")),
            "D{i} = {bad:?}: {e}"
        );
    }
}

#[test]
fn compound_durations_out_of_order_are_refused_in_every_duration_field() {
    for (i, field) in DURATION_FIELDS.iter().enumerate() {
        let t = filled(Some((i, "30min1h")), None);
        assert_rejected(
            &format!("order-{i}"),
            &t,
            Field::Exactly(field),
            "\"30min1h\"",
            "from the largest to the smallest",
        );
    }
}

#[test]
fn an_impossible_date_is_no_such_date_in_every_date_field() {
    for (i, field) in DATE_FIELDS.iter().enumerate() {
        let t = filled(None, Some((i, "2026-02-30")));
        assert_rejected(
            &format!("date-{i}"),
            &t,
            Field::Exactly(field),
            "\"2026-02-30\"",
            "no such date \"2026-02-30\" (February 2026 has 28 days)",
        );
    }
}

#[test]
fn a_malformed_date_is_malformed_in_every_date_field() {
    for (i, field) in DATE_FIELDS.iter().enumerate() {
        let t = filled(None, Some((i, "2026-1-5")));
        assert_rejected(
            &format!("date-shape-{i}"),
            &t,
            Field::Exactly(field),
            "\"2026-1-5\"",
            "expected",
        );
    }
}

#[test]
fn rates_take_the_same_units() {
    let t = filled(None, None).replace("rate = \"2/h\"", "rate = \"2/hour\"");
    assert_rejected(
        "rate-hour",
        &t,
        Field::Exactly("flows[0].arrivals.rate"),
        "2/hour",
        "unknown unit \"hour\" (write \"h\")",
    );
    let t = filled(None, None).replace("rate = \"2/h\"", "rate = \"48/d\"");
    let (per_day, per_hour) = (model(&t), model(&filled(None, None)));
    // Vehicles appear from day 1 to day 15 of 20: 2/h over 14/20 of the horizon.
    assert_eq!(
        per_hour.mean_rate_per_h(&per_hour.flows[0]),
        2.0 * 14.0 / 20.0
    );
    assert_eq!(
        per_day.mean_rate_per_h(&per_day.flows[0]),
        2.0 * 14.0 / 20.0
    );
}
