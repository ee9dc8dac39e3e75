//! Overload in the report: the badge on an overloaded point or checkpoint, the mark on the
//! figures that grow with the run length there (waits, times in system, queues, backlog), and
//! the lines that say why. Overloaded points are also left out of the ranking
//! ([`super::ReportData::ranked`] lists them last, unranked).

use std::fmt::Write as _;

use super::data::{Point, ReportData};
use super::esc;
use crate::kpi::{Cell, EntityKind, judge};
use crate::report::overload::{grows_with_run, overloaded, point_overloaded};

/// The styles of the badge and the mark.
pub(super) const CSS: &str = "
span.overload { background: #c62828; color: #fff; font-weight: bold; font-size: 11px;
  border-radius: 3px; padding: 1px 5px; margin-left: 6px; white-space: nowrap; }
td.label br + span.overload { margin-left: 0; }
span.grows { color: #c62828; font-size: 11px; }
span.left { color: #555; font-size: 11px; }
p.overload { font-size: 13px; color: #8e1c1c; margin: 4px 0; }
";

/// The badge itself.
pub(super) const BADGE: &str =
    "<span class=\"overload\" title=\"queues grow without bound\">overloaded</span>";

/// True if point `p` is overloaded (one of its checkpoints, links or terminals is).
pub(super) fn point_is_overloaded(p: &Point) -> bool {
    point_overloaded(&p.estimates)
}

/// True if checkpoint `cp` is overloaded at point `p`.
pub(super) fn checkpoint_is_overloaded(p: &Point, cp: &str) -> bool {
    p.estimates
        .entity(EntityKind::Checkpoint, cp)
        .is_some_and(overloaded)
}

/// The badge when `over`, else nothing.
pub(super) fn badge_if(over: bool) -> &'static str {
    if over { BADGE } else { "" }
}

/// The badge on a line of its own when `over` (in a wide table, where it would widen the
/// label column past the page), else nothing.
pub(super) fn badge_below_if(over: bool) -> String {
    if over {
        format!("<br>{BADGE}")
    } else {
        String::new()
    }
}

/// The mark after a figure of KPI `kpi` when it belongs to an overloaded point or checkpoint
/// (`over`) and grows with the run length.
pub(super) fn grows_if(over: bool, kpi: &str) -> &'static str {
    if over && grows_with_run(kpi) {
        "<br><span class=\"grows\">grows with run length</span>"
    } else {
        ""
    }
}

/// Under the vehicles served per day of an overloaded point or checkpoint (`over`, KPI `kpi`):
/// the vehicles that left per day, `left` (formatted by `fmt`) — what the crossing passed working
/// flat out, which `served_per_day` understates by the vehicles of the warm-up it still worked
/// through. Nothing where the two agree (a run without warm-up).
pub(super) fn left_if(
    over: bool,
    kpi: &str,
    served: Option<&Cell>,
    left: Option<&Cell>,
    fmt: impl FnOnce(Option<&Cell>) -> String,
) -> String {
    let mean = |c: Option<&Cell>| c.and_then(|c| c.estimate.value());
    if over && kpi == "served_per_day" && mean(left).is_some() && mean(left) != mean(served) {
        format!(
            "<br><span class=\"left\" title=\"every vehicle that left after the warm-up, \
             whenever it arrived\">{} left</span>",
            fmt(left)
        )
    } else {
        String::new()
    }
}

/// The header's note on overloaded points, if any.
pub(super) fn header_note(d: &ReportData) -> String {
    let over: Vec<String> = d
        .points
        .iter()
        .filter(|p| point_is_overloaded(p))
        .map(|p| format!("<b>{}</b>", esc(p.label())))
        .collect();
    if over.is_empty() {
        return String::new();
    }
    if d.points.len() == 1 {
        return format!(
            "<p class=\"overload\">{BADGE} This scenario is overloaded: its queues grow without \
             bound, so its waits and queues grow with the run length and are not steady-state \
             results. The checkpoints below say why.</p>\n"
        );
    }
    format!(
        "<p class=\"overload\">{BADGE} {} of {} points are overloaded: {}. Their queues grow \
         without bound, so their waits and queues grow with the run length and are not results to \
         compare; they are listed last and left out of the ranking.</p>\n",
        over.len(),
        d.points.len(),
        over.join(", ")
    )
}

/// Under a checkpoint's heading: why it is overloaded, per point where it is.
pub(super) fn checkpoint_note(d: &ReportData, cp: &str) -> String {
    let mut out = String::new();
    for p in &d.points {
        let Some(j) = p
            .estimates
            .entity(EntityKind::Checkpoint, cp)
            .and_then(judge)
            .filter(|j| j.overloaded)
        else {
            continue;
        };
        let at = if d.points.len() == 1 {
            String::new()
        } else {
            format!(" at <b>{}</b>", esc(p.label()))
        };
        let _ = writeln!(
            out,
            "<p class=\"overload\">{BADGE}{at}: {}</p>",
            esc(&j.reasons.join("; "))
        );
    }
    out
}
