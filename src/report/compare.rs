//! The per-checkpoint part of `borderflow compare A B`: which scenario each side is, and for
//! every checkpoint its KPIs in A and in B with the paired difference B − A.

use std::fmt::Write as _;

use super::change;
use super::figure::{self, Digits};
use super::text::render_grid;
use crate::kpi::{Cell, EntityKind, PointEstimates};
use crate::sweep::SweepSummary;

/// Checkpoint KPIs of the comparison: (KPI, header, scale, most decimals).
const COLUMNS: [(&str, &str, f64, i32); 7] = [
    ("served_per_day", "served/day", 1.0, 1),
    ("wait_mean_h", "wait mean [h]", 1.0, 2),
    ("wait_p95_h", "wait p95 [h]", 1.0, 2),
    ("queue_mean", "queue mean [veh]", 1.0, 1),
    ("queue_km_max", "road max [km]", 1.0, 1),
    ("utilization", "util [%]", 100.0, 1),
    ("backlog_end", "backlog [veh]", 1.0, 0),
];

/// A cell's estimate (`diff`: its paired difference, marked `*` when significant) as text.
fn figure_of(
    c: Option<&Cell>,
    kpi: &str,
    scale: f64,
    decimals: i32,
    reps: usize,
    diff: bool,
) -> String {
    let Some(c) = c else { return "-".into() };
    if !diff {
        let digits = Digits::of(kpi, c.estimate.mean, scale, decimals);
        return figure::estimate(&c.estimate, scale, digits, reps, false);
    }
    match c.diff {
        Some(d) => {
            let digits = Digits::of(kpi, d.mean, scale, decimals);
            let text = figure::estimate(&d.as_estimate(), scale, digits, reps, true);
            format!("{text}{}", if d.significant { " *" } else { "" })
        }
        None => "-".into(),
    }
}

/// The scenarios compared and a table per checkpoint: A, B and Δ = B − A (paired) for each.
/// `names` are the scenario names of A and B, by point.
pub fn compare_text(s: &SweepSummary, names: &[String]) -> String {
    let mut out = String::new();
    let reps = s.replications;
    for (p, name) in s.points.iter().zip(names) {
        let _ = writeln!(out, "{}  (scenario \"{name}\")", p.label);
    }
    let (Some(a), Some(b)) = (s.points.first(), s.points.get(1)) else {
        return out;
    };
    // Checkpoints of A in order, then those only B has.
    let mut ids: Vec<&str> = Vec::new();
    for p in [a, b] {
        for e in p.of_kind(EntityKind::Checkpoint) {
            if !ids.contains(&e.id.as_str()) {
                ids.push(&e.id);
            }
        }
    }
    if ids.is_empty() {
        return out;
    }
    let mut grid: Vec<Vec<String>> = vec![
        std::iter::once("checkpoint".to_string())
            .chain(COLUMNS.iter().map(|c| c.1.to_string()))
            .collect(),
    ];
    for id in &ids {
        let has = |p: &PointEstimates| p.entity(EntityKind::Checkpoint, id).is_some();
        // A checkpoint only one side has gets that side's row; the difference needs both.
        let rows = [
            (a, "A", false, has(a)),
            (b, "B", false, has(b)),
            (b, "Δ B − A", true, has(a) && has(b)),
        ];
        for (p, side, diff, _) in rows.into_iter().filter(|r| r.3) {
            let mut row = vec![format!("{id} {side}")];
            for (kpi, _, scale, decimals) in COLUMNS {
                let c = p.cell(EntityKind::Checkpoint, id, kpi);
                row.push(figure_of(c, kpi, scale, decimals, reps, diff));
            }
            grid.push(row);
        }
    }
    let _ = writeln!(
        out,
        "\nper checkpoint (Δ = B − A, paired replication by replication, where both scenarios have the checkpoint):"
    );
    render_grid(&mut out, &grid, 0);
    let _ = writeln!(out, "{}", change::holm_note(1));
    if out.contains(" (n=") || out.contains(figure::MISSING) {
        let _ = writeln!(out, "{}", figure::n_note(reps));
    }
    out
}
