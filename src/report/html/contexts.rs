//! The report of a sweep with context axes (demand, year, scenario variant): its points fall into
//! contexts, each with its own baseline. Tables rank within each context under a heading row,
//! and each checkpoint draws one panel of charts per context, against that context's baseline —
//! a policy at demand ×2 is drawn beside today's hours at demand ×2, never beside ×1.

use std::fmt::Write as _;

use super::data::ReportData;
use super::esc;
use super::figures::{checkpoint_charts, shown_points};
use crate::kpi::CheckpointInfo;
use crate::sweep::Pairing;

/// One context of a sweep, by positions in [`ReportData::points`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// The context in words ("demand=x1.5").
    pub label: String,
    /// Position of the context's baseline point, if it has one.
    pub baseline: Option<usize>,
    /// Positions of its points, in index order.
    pub members: Vec<usize>,
}

/// The contexts of the points at `positions` (their sweep indices, by position) under `pairing`;
/// none when the sweep has no context axes.
pub(super) fn contexts_of(pairing: &Pairing, indices: &[usize]) -> Vec<Context> {
    if !pairing.has_context() {
        return Vec::new();
    }
    let at = |index: usize| indices.iter().position(|&i| i == index);
    pairing
        .groups(indices.iter().copied())
        .into_iter()
        .map(|g| Context {
            label: g.label,
            baseline: g.baseline.and_then(at),
            members: g.members.into_iter().filter_map(at).collect(),
        })
        .collect()
}

/// A group of table rows: its heading (none without context axes) and its points, best first.
pub(super) struct Ranked {
    /// "demand=x1.5 · baseline policy=today, demand=x1.5"; `None` for the only group of a sweep
    /// without contexts.
    pub(super) heading: Option<String>,
    /// Positions of the points, ranked by mean wait within the group.
    pub(super) rows: Vec<usize>,
}

impl ReportData {
    /// The points in table order: ranked within each context (the contexts in sweep order), or
    /// all ranked together without context axes.
    pub(super) fn ranked_groups(&self) -> Vec<Ranked> {
        let order = self.ranked();
        if self.contexts.is_empty() {
            return vec![Ranked {
                heading: None,
                rows: order,
            }];
        }
        self.contexts
            .iter()
            .map(|c| Ranked {
                heading: Some(match c.baseline {
                    Some(b) => format!("{} · baseline {}", c.label, self.points[b].label()),
                    None => c.label.clone(),
                }),
                rows: order
                    .iter()
                    .copied()
                    .filter(|i| c.members.contains(i))
                    .collect(),
            })
            .collect()
    }

    /// True when the point at position `i` is a baseline (of its context, or of the sweep).
    pub(super) fn is_baseline(&self, i: usize) -> bool {
        if self.contexts.is_empty() {
            self.baseline == Some(i)
        } else {
            self.contexts.iter().any(|c| c.baseline == Some(i))
        }
    }

    /// The baseline the point at position `i` is compared with, if any.
    pub(super) fn baseline_of(&self, i: usize) -> Option<usize> {
        if self.contexts.is_empty() {
            return self.baseline.filter(|&b| b != i);
        }
        self.contexts
            .iter()
            .find(|c| c.members.contains(&i))
            .and_then(|c| c.baseline)
            .filter(|&b| b != i)
    }

    /// The report restricted to context `c`: its points, its baseline, no contexts.
    fn restricted(&self, c: &Context) -> ReportData {
        ReportData {
            points: c.members.iter().map(|&i| self.points[i].clone()).collect(),
            baseline: c
                .baseline
                .and_then(|b| c.members.iter().position(|&i| i == b)),
            contexts: Vec::new(),
            notes: Vec::new(),
            ..self.clone_header()
        }
    }

    /// The header fields alone (no points).
    fn clone_header(&self) -> ReportData {
        ReportData {
            kind: self.kind.clone(),
            name: self.name.clone(),
            scenario: self.scenario.clone(),
            seed: self.seed,
            replications: self.replications,
            days: self.days,
            warmup_days: self.warmup_days,
            start_date: self.start_date.clone(),
            series_step_h: self.series_step_h,
            version: self.version.clone(),
            ..ReportData::default()
        }
    }
}

/// A table row holding a context's heading, across `columns` columns.
pub(super) fn heading_row(out: &mut String, heading: &Option<String>, columns: usize) {
    if let Some(h) = heading {
        let _ = writeln!(
            out,
            "<tr class=\"context\"><th class=\"label\" colspan=\"{columns}\">{}</th></tr>",
            esc(h)
        );
    }
}

/// The reports of each context, made once for all checkpoints; empty without contexts.
pub(super) fn panels(d: &ReportData) -> Vec<(String, ReportData)> {
    d.contexts
        .iter()
        .map(|c| {
            let heading = match c.baseline {
                Some(b) => format!(
                    "{} <span class=\"base\">(baseline {})</span>",
                    esc(&c.label),
                    esc(d.points[b].label())
                ),
                None => esc(&c.label),
            };
            (heading, d.restricted(c))
        })
        .collect()
}

/// The notes on points left out of the charts: one for the whole sweep, or one per context.
pub(super) fn shown_notes(d: &ReportData, panels: &[(String, ReportData)]) -> Vec<String> {
    if panels.is_empty() {
        return shown_points(d).1.into_iter().collect();
    }
    d.contexts
        .iter()
        .zip(panels)
        .filter_map(|(c, (_, sub))| Some(format!("{}: {}", c.label, shown_points(sub).1?)))
        .collect()
}

/// A checkpoint's charts: one panel per context (each against its own baseline), or the one
/// set of charts of a sweep without contexts.
pub(super) fn charts(
    out: &mut String,
    d: &ReportData,
    panels: &[(String, ReportData)],
    cp: &CheckpointInfo,
) {
    if panels.is_empty() {
        let (shown, _) = shown_points(d);
        out.push_str("<div class=\"charts\">\n");
        checkpoint_charts(out, d, &shown, cp);
        out.push_str("</div>\n");
        return;
    }
    for (heading, sub) in panels {
        let (shown, _) = shown_points(sub);
        let _ = writeln!(
            out,
            "<div class=\"panel\"><h3 class=\"context\">{heading}</h3>\n<div class=\"charts\">"
        );
        checkpoint_charts(out, sub, &shown, cp);
        out.push_str("</div></div>\n");
    }
}
