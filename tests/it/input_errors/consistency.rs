//! Values that are well-formed but cannot work together: a flow's class that `[classes]` does
//! not declare, a calendar's own errors without follow-on errors where it is used, windows that
//! overlap across midnight, magnitudes a KPI cannot hold, more cranes per train than the stage
//! has, a container train fed bulk with no tonnes per container.

use super::road::GOOD;
use super::{Field, assert_rejected};
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------------

/// GOOD with `[classes.perishable]` (max_wait 2 h) declared and the flow's class line `class`.
fn with_classes(class: &str) -> String {
    let t = edit(
        GOOD,
        "[[checkpoints]]",
        "[classes.perishable]\nmax_wait = \"2h\"\n\n[classes.bulk]\n\n[[checkpoints]]",
    );
    edit(
        &t,
        "mode = \"truck\"",
        &format!("mode = \"truck\"\n{class}"),
    )
}

#[test]
fn an_undeclared_class_is_refused_with_the_declared_one_meant() {
    let t = with_classes("class = \"perishible\"");
    assert_rejected(
        "class-typo",
        &t,
        Field::Exactly("flows[0].class"),
        "perishible",
        "class \"perishible\" is not declared in [classes] (declared: bulk, perishable; \
         \"general\" needs no declaration); did you mean \"perishable\"?",
    );
    // Nothing close: no guess.
    let e = rejection(&with_classes("class = \"reefer\""));
    assert!(
        e.contains("class \"reefer\" is not declared") && !e.contains("did you mean"),
        "{e}"
    );
}

#[test]
fn general_needs_no_declaration() {
    for class in ["", "class = \"general\""] {
        let m = model(&with_classes(class));
        let f = &m.flows[0];
        assert_eq!(m.classes[f.class as usize].id, "general");
        assert_eq!(m.classes[f.class as usize].max_wait, None);
    }
    // A declared class keeps its max_wait.
    let m = model(&with_classes("class = \"perishable\""));
    let c = &m.classes[m.flows[0].class as usize];
    assert_eq!(
        (c.id.as_str(), c.max_wait.map(|d| d.as_ms())),
        ("perishable", Some(7_200_000))
    );
}

#[test]
fn without_declared_classes_flows_name_their_own() {
    let t = edit(
        GOOD,
        "mode = \"truck\"",
        "mode = \"truck\"\nclass = \"perishible\"",
    );
    let m = model(&t);
    assert_eq!(m.classes[m.flows[0].class as usize].id, "perishible");
}

#[test]
fn an_unknown_class_in_priority_gets_a_guess() {
    let t = edit(
        &with_classes("class = \"perishable\""),
        "hours = \"24/7\"",
        "hours = \"24/7\"\npriority = [\"perishible\"]",
    );
    assert_rejected(
        "priority-typo",
        &t,
        Field::Exactly("checkpoints[0].stages[0].priority[0]"),
        "priority = ",
        "unknown class \"perishible\" (known classes, from flows and [classes]: bulk, perishable); \
         did you mean \"perishable\"?",
    );
}

// ---------------------------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------------------------

#[test]
fn windows_that_overlap_across_midnight_are_refused() {
    // The r12 case: each list applies every day, so the window over midnight runs into the
    // next day's early window.
    for (hours, why) in [
        (
            "20:00-06:00,05:00-07:00",
            "20:00-06:00 runs to 06:00 the next day, past the start of 05:00-07:00",
        ),
        (
            "22:00-02:00,01:00-03:00",
            "22:00-02:00 runs to 02:00 the next day, past the start of 01:00-03:00",
        ),
        (
            "23:00-01:00,00:30-00:45",
            "23:00-01:00 runs to 01:00 the next day, past the start of 00:30-00:45",
        ),
    ] {
        let t = edit(GOOD, "hours = \"24/7\"", &format!("hours = \"{hours}\""));
        assert_rejected(
            "overnight-overlap",
            &t,
            Field::Exactly("checkpoints[0].stages[0].hours"),
            "hours = ",
            &format!("windows overlap when the same hours apply the next day: {why}"),
        );
    }
    // Touching is not overlapping.
    for hours in [
        "20:00-06:00,06:00-07:00",
        "20:00-06:00",
        "22:00-02:00,08:00-12:00",
    ] {
        let t = edit(GOOD, "hours = \"24/7\"", &format!("hours = \"{hours}\""));
        model(&t);
    }
}

/// GOOD with `[calendars.c]` defined by `def` (lines) and the stage's hours = "c".
fn with_calendar(def: &str) -> String {
    let t = edit(
        GOOD,
        "[[checkpoints]]",
        &format!("[calendars.c]\n{def}\n\n[[checkpoints]]"),
    );
    edit(&t, "hours = \"24/7\"", "hours = \"c\"")
}

#[test]
fn a_weekday_list_may_not_overlap_the_window_running_into_it() {
    let t = with_calendar("hours = \"22:00-06:00\"\ntue = \"05:00-07:00\"");
    assert_rejected(
        "weekday-overlap",
        &t,
        Field::Exactly("calendars.c.tue"),
        "tue = ",
        "windows overlap from Monday into Tuesday: 22:00-06:00 runs to 06:00 the next day, \
         past the start of 05:00-07:00",
    );
    // Sunday's night runs into Monday.
    let t = with_calendar("hours = \"08:00-18:00\"\nsun = \"20:00-09:00\"");
    assert_rejected(
        "sunday-overlap",
        &t,
        Field::Exactly("calendars.c.sun"),
        "sun = ",
        "windows overlap from Sunday into Monday: 20:00-09:00 runs to 09:00 the next day, \
         past the start of 08:00-18:00",
    );
    // The same hours every day, over midnight into themselves.
    let t = with_calendar("hours = \"20:00-06:00,05:00-07:00\"");
    assert_rejected(
        "calendar-overlap",
        &t,
        Field::Exactly("calendars.c.hours"),
        "hours = \"20:00",
        "windows overlap when the same hours apply the next day",
    );
    // Tuesday ends before Monday's night reaches it: fine.
    model(&with_calendar(
        "hours = \"22:00-06:00\"\ntue = \"06:00-07:00\"",
    ));
}

#[test]
fn a_bad_calendar_is_reported_once_where_it_is_defined() {
    // Two stages use a calendar with an impossible closed date: one error, at the date; none
    // at the stages' hours, whose value (the calendar's id) is fine.
    let t = with_calendar("hours = \"08:00-18:00\"\nclosed = [\"02-30\", \"05-01\"]");
    let t = edit(
        &t,
        "[[flows]]",
        "[[checkpoints.stages]]\nid = \"second\"\nlanes = 1\nservice = { dist = \"exponential\", mean = \"6min\" }\nhours = \"c\"\n\n[[flows]]",
    );
    assert_rejected(
        "bad-calendar",
        &t,
        Field::Exactly("calendars.c.closed[0]"),
        "closed = ",
        "no such date \"02-30\" (February has at most 29 days)",
    );
    let e = rejection(&t);
    assert_eq!(e.lines().count(), 1, "{e}");
    // A bad weekday list: its own error only.
    let t = with_calendar("hours = \"08:00-18:00\"\nmon = \"25:00-26:00\"");
    let e = rejection(&t);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.contains("calendars.c.mon: malformed hours \"25:00-26:00\""),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Magnitudes a KPI must hold
// ---------------------------------------------------------------------------------------------

#[test]
fn cargo_beyond_the_documented_bounds_is_refused() {
    assert_eq!(borderflow::scenario::MAX_TONNES_PER_VEHICLE, 1e6);
    assert_eq!(borderflow::scenario::MAX_VALUE_PER_VEHICLE, 1e12);
    let with = |line: &str| {
        edit(
            GOOD,
            "mode = \"truck\"",
            &format!("mode = \"truck\"\n{line}"),
        )
    };
    assert_rejected(
        "value-1e306",
        &with("value = 1e306"),
        Field::Exactly("flows[0].value"),
        "value = 1e306",
        "1e306 USD a vehicle is more than the 1000000000000 USD accepted",
    );
    assert_rejected(
        "tonnes-1e308",
        &with("tonnes = 1e308"),
        Field::Exactly("flows[0].tonnes"),
        "tonnes = 1e308",
        "1e308 t a vehicle is more than the 1000000 t accepted",
    );
    // At the bounds: accepted, and the KPIs that sum them are what hand arithmetic gives.
    let t = with("tonnes = 1e6\nvalue = 1e12");
    let f = TempFile::new("cargo-max", &t);
    let json = run_json(&["run", f.path().to_str().unwrap(), "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let served = v["system"]["served_per_day"]["mean"].as_f64().unwrap();
    let tonnes = v["system"]["tonnes_per_day"]["mean"].as_f64().unwrap();
    let value = v["system"]["value_per_day_usd"]["mean"].as_f64().unwrap();
    assert!(served > 200.0, "{served}");
    assert!(
        (tonnes / (served * 1e6) - 1.0).abs() < 1e-12,
        "{tonnes} vs {served}"
    );
    assert!(
        (value / (served * 1e12) - 1.0).abs() < 1e-12,
        "{value} vs {served}"
    );
}

#[test]
fn a_train_heavier_than_the_bound_is_refused_at_its_tonnes_per_container() {
    let t = edit(
        super::rail::GOOD,
        "tonnes_per_container = 20.0",
        "tonnes_per_container = 1e5",
    );
    assert_rejected(
        "train-too-heavy",
        &t,
        Field::Exactly("flows[0].tonnes_per_container"),
        "tonnes_per_container = 1e5",
        "45 containers of 100000 t make a train of 4500000 t: at most 1000000 t a vehicle is accepted",
    );
}

#[test]
fn metres_per_vehicle_beyond_ten_km_is_refused() {
    assert_eq!(borderflow::scenario::MAX_METRES_PER_VEHICLE, 10_000.0);
    let t = edit(GOOD, "seed = 3", "seed = 3\nmetres_per_vehicle = 1e300");
    assert_rejected(
        "mpv-huge",
        &t,
        Field::Exactly("simulation.metres_per_vehicle"),
        "metres_per_vehicle",
        "must be a number > 0 and at most 10000 (got 1e300)",
    );
    model(&edit(
        GOOD,
        "seed = 3",
        "seed = 3\nmetres_per_vehicle = 10000.0",
    ));
}

// ---------------------------------------------------------------------------------------------
// Cranes and containers
// ---------------------------------------------------------------------------------------------

#[test]
fn more_cranes_per_train_than_the_stage_has_are_refused() {
    let t = edit(
        super::rail::GOOD,
        "max_cranes_per_train = 2",
        "max_cranes_per_train = 4",
    );
    assert_rejected(
        "cranes-per-train",
        &t,
        Field::Exactly("checkpoints[0].stages[1].max_cranes_per_train"),
        "max_cranes_per_train = 4",
        "max_cranes_per_train = 4 is more than the 3 cranes the stage has",
    );
    // As many as the stage has, or as a dated change brings: accepted.
    model(&edit(
        super::rail::GOOD,
        "max_cranes_per_train = 2",
        "max_cranes_per_train = 3",
    ));
    let t = edit(
        super::rail::GOOD,
        "max_cranes_per_train = 2",
        "max_cranes_per_train = 4\nchanges = [{ from = \"2026-01-07\", lanes = 4 }]",
    );
    model(&t);
}

#[test]
fn a_container_train_fed_bulk_needs_tonnes_per_container() {
    // The port hands 3,000 t of barge bulk to trains of 30 containers: packed at 50 t a box,
    // 60 boxes on 2 trains. At 0 t a box there is nothing to pack it into; it used to ride as
    // 3,000 t on one train with no containers.
    let t = edit(
        super::rail::GOOD,
        "tonnes_per_container = 50.0",
        "tonnes_per_container = 0.0",
    );
    assert_rejected(
        "bulk-no-box",
        &t,
        Field::Exactly("flows[3].tonnes_per_container"),
        "tonnes_per_container = 0.0",
        "flow \"port-trains\" takes bulk at terminal \"port\" (flow \"barges\" brings 3000 t a \
         vehicle and no containers), packed into its 30 containers a vehicle at its tonnes per \
         container, which is 0",
    );
    // A train of flat wagons (no containers) takes bulk by its tonnes: accepted, 2 trains.
    let t = edit(
        super::rail::GOOD,
        "tonnes_per_container = 50.0",
        "containers_per_wagon = 0\ntonnes = 1500.0",
    );
    model(&t);
    // With neither tonnes nor containers, how much one train takes is not defined: refused.
    let t = edit(
        super::rail::GOOD,
        "tonnes_per_container = 50.0",
        "containers_per_wagon = 0",
    );
    assert!(rejection(&t).contains("needs `tonnes` or `containers`"));
}
