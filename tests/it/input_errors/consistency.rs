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
