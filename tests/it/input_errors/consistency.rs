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
