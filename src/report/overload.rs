//! How overload is shown: the marker on an overloaded entity's row, the mark on the figures that
//! grow with the run length there (its waits, times in system, queues and backlog: at an
//! overloaded crossing they measure how long the run was, not the crossing), and the list of
//! overloaded entities with their reasons — in the text of a run, of a sweep and of `compare`;
//! the HTML report uses the same rules. The judgement itself is the KPI layer's
//! ([`crate::kpi::judge`]).

use std::fmt::Write as _;

use crate::kpi::{EntityKind, EntitySummary, PointEstimates, judge, judge_point};

/// Appended to the name of an overloaded entity or point in text tables.
pub(crate) const MARKER: &str = " [overloaded]";

/// Appended to a figure that grows with the run length (at an overloaded entity).
pub(crate) const GROWS: &str = " ↑";

/// True if entity `e` is judged overloaded.
pub(crate) fn overloaded(e: &EntitySummary) -> bool {
    judge(e).is_some_and(|j| j.overloaded)
}

/// True if point `p` is judged overloaded (one of its nodes is).
pub(crate) fn point_overloaded(p: &PointEstimates) -> bool {
    judge_point(p).is_some_and(|j| j.overloaded)
}

/// True if KPI `kpi` grows with the run length where the queue grows without bound: waits,
/// times in system, queues on the road and in all, and the backlog (not the queue inside the
/// crossing, which its finite places bound).
pub(crate) fn grows_with_run(kpi: &str) -> bool {
    let bounded = kpi.starts_with("queue_inside");
    !bounded
        && [
            "wait_",
            "time_in_system",
            "queue_",
            "backlog_",
            "in_system",
            "crossing_time",
            "in_crossing",
        ]
        .iter()
        .any(|p| kpi.starts_with(p))
}

/// The lines naming each overloaded entity of `p` with its reasons (indented by `indent`), in
/// the order of the results; empty when none is. Stages, flows, classes and crossing rows are
/// listed only `with_parts` (a run's list): a node carries its stages' reasons, and the others
/// are overloaded through the nodes they pass or their own growth.
pub(crate) fn entity_lines(p: &PointEstimates, indent: &str, with_parts: bool) -> String {
    let mut out = String::new();
    for e in &p.entities {
        let part = matches!(
            e.kind,
            EntityKind::Stage | EntityKind::Flow | EntityKind::Class | EntityKind::Crossing
        );
        if e.kind == EntityKind::System || (part && !with_parts) {
            continue;
        }
        let Some(j) = judge(e).filter(|j| j.overloaded) else {
            continue;
        };
        let _ = writeln!(
            out,
            "{indent}{} {}: {}",
            e.kind.as_str(),
            e.id,
            j.reasons.join("; ")
        );
    }
    out
}

/// The overload section of a run's text: what is overloaded and why, and how to read the marks.
pub(crate) fn run_section(p: &PointEstimates) -> String {
    let lines = entity_lines(p, "  ", true);
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "OVERLOADED: these queues grow without bound, so their waits, queues and backlog \
         (marked{GROWS}) grow with the run length; they are not steady-state results:\n{lines}\n"
    )
}

/// The overload section of a sweep's text: each overloaded point and what is overloaded there.
pub(crate) fn sweep_section(points: &[&PointEstimates]) -> String {
    let mut out = String::new();
    for p in points.iter().filter(|p| point_overloaded(p)) {
        let _ = write!(out, "  {}:\n{}", p.label, entity_lines(p, "    ", false));
    }
    if out.is_empty() {
        return out;
    }
    format!(
        "\noverloaded points (queues that grow without bound; left out of the ranking and of the \
         best points, their waits{GROWS} grow with the run length):\n{out}"
    )
}
