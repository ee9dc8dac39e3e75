//! Aligned text tables for people: the report of a run (one table per kind of entity) and the
//! ranked table of a sweep.

use std::fmt::Write as _;

use super::figure::{self, Digits, MISSING};
use super::overload;
use crate::kpi::{Cell, EntitySummary, PointEstimates, Summary};
use crate::stats::Estimate;
use crate::sweep::SweepSummary;

/// A column of a text table: header, KPI name, scale factor, most decimals.
struct Col {
    header: &'static str,
    kpi: &'static str,
    scale: f64,
    decimals: i32,
}

const fn col(header: &'static str, kpi: &'static str, scale: f64, decimals: i32) -> Col {
    Col {
        header,
        kpi,
        scale,
        decimals,
    }
}

/// The estimate of KPI `kpi` in a table cell (see [`figure::estimate`]); "-" where the entity
/// has no such KPI.
fn cell(e: Option<Estimate>, kpi: &str, scale: f64, decimals: i32, reps: usize) -> String {
    match e {
        None => "-".into(),
        Some(e) => {
            let digits = Digits::of(kpi, e.mean, scale, decimals);
            figure::estimate(&e, scale, digits, reps, false)
        }
    }
}

/// True when `text` (a table) shows an estimate over fewer than all replications, or none.
fn has_partial(text: &str) -> bool {
    text.contains(" (n=") || text.contains(MISSING)
}

/// Writes `grid` (first row: headers) as aligned columns two spaces apart, a rule under the
/// headers; column `left` is left-aligned (names), the others right-aligned (numbers).
fn render_grid(out: &mut String, grid: &[Vec<String>], left: usize) {
    let Some(header) = grid.first() else { return };
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            grid.iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (ri, row) in grid.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let pad = " ".repeat(widths[i] - v.chars().count());
                if i == left {
                    format!("{v}{pad}")
                } else {
                    format!("{pad}{v}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        if ri == 0 {
            let rule = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            let _ = writeln!(out, "{}", "-".repeat(rule));
        }
    }
}

fn table(out: &mut String, title: &str, rows: &[&EntitySummary], cols: &[Col], reps: usize) {
    if rows.is_empty() {
        return;
    }
    let mut grid: Vec<Vec<String>> = vec![
        std::iter::once(title.to_string())
            .chain(cols.iter().map(|c| c.header.to_string()))
            .collect(),
    ];
    for r in rows {
        // An overloaded entity: marked, and so are its figures that grow with the run length.
        let over = overload::overloaded(r);
        let mark = |kpi: &str| {
            if over && overload::grows_with_run(kpi) {
                overload::GROWS
            } else {
                ""
            }
        };
        grid.push(
            std::iter::once(format!(
                "{}{}",
                r.id,
                if over { overload::MARKER } else { "" }
            ))
            .chain(
                cols.iter()
                    .map(|c| cell(r.get(c.kpi), c.kpi, c.scale, c.decimals, reps) + mark(c.kpi)),
            )
            .collect(),
        );
    }
    render_grid(out, &grid, 0);
    out.push('\n');
}

/// The human-readable report of a run: one table per kind of entity, means ± 95% half-widths.
pub fn to_text(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "borderflow · {} · {} days (first {} warm-up) · {} replication{} · seed {}",
        s.scenario,
        s.days,
        s.warmup_days,
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        s.seed
    );
    let _ = writeln!(
        out,
        "{} events in {:.2} s ({:.1} M events/s). Values: mean ± 95% CI half-width over replications.\n",
        s.events,
        s.wall_s,
        s.events as f64 / s.wall_s.max(1e-9) / 1e6
    );
    out.push_str(&overload::run_section(&s.point));
    let reps = s.replications as usize;
    let cp_cols = [
        col("served/day", "served_per_day", 1.0, 1),
        col("left/day", "departures_per_day", 1.0, 1),
        col("wait mean [h]", "wait_mean_h", 1.0, 2),
        col("wait p95 [h]", "wait_p95_h", 1.0, 2),
        col("in system [h]", "time_in_system_mean_h", 1.0, 2),
        col("queue mean [veh]", "queue_mean", 1.0, 1),
        col("queue max [veh]", "queue_max", 1.0, 0),
        col("road mean [km]", "queue_km_mean", 1.0, 2),
        col("road max [km]", "queue_km_max", 1.0, 1),
        col("util [%]", "utilization", 100.0, 1),
        col("backlog [veh]", "backlog_end", 1.0, 0),
    ];
    table(&mut out, "checkpoint", &s.checkpoints(), &cp_cols, reps);
    let rail = s
        .system()
        .and_then(|e| e.get("wagons_per_day"))
        .is_some_and(|e| e.mean > 0.0);
    if rail {
        let rail_cols = [
            col("vehicles/day", "served_per_day", 1.0, 1),
            col("wagons/day", "wagons_per_day", 1.0, 0),
            col("TEU/day", "teu_per_day", 1.0, 0),
            col("t/day", "tonnes_per_day", 1.0, 0),
            col("dwell mean [h]", "time_in_system_mean_h", 1.0, 2),
            col("dwell p95 [h]", "time_in_system_p95_h", 1.0, 2),
            col("held outside [trains, total]", "held_outside", 1.0, 1),
            col("crane util [%]", "crane_utilization", 100.0, 1),
        ];
        let rail_nodes: Vec<&EntitySummary> = s
            .checkpoints()
            .into_iter()
            .chain(s.terminals())
            .filter(|e| e.get("wagons_per_day").is_some_and(|w| w.mean > 0.0))
            .collect();
        table(&mut out, "rail station", &rail_nodes, &rail_cols, reps);
    }
    let link_cols = [
        col("served/day", "served_per_day", 1.0, 1),
        col("t/day", "tonnes_per_day", 1.0, 0),
        col("wait for path [h]", "wait_mean_h", 1.0, 2),
        col("wait p95 [h]", "wait_p95_h", 1.0, 2),
        col("travel [h]", "time_in_system_mean_h", 1.0, 2),
        col("queue mean [veh]", "queue_mean", 1.0, 1),
        col("quota days", "quota_days_exhausted", 1.0, 0),
        col("backlog [veh]", "backlog_end", 1.0, 0),
    ];
    table(&mut out, "link", &s.links(), &link_cols, reps);
    table(&mut out, "terminal", &s.terminals(), &cp_cols, reps);
    let st_cols = [
        col("served/day", "served_per_day", 1.0, 1),
        col("left/day", "departures_per_day", 1.0, 1),
        col("wait mean [h]", "wait_mean_h", 1.0, 2),
        col("wait p95 [h]", "wait_p95_h", 1.0, 2),
        col("wait max [h]", "wait_max_h", 1.0, 1),
        col("queue mean [veh]", "queue_mean", 1.0, 1),
        col("road max [km]", "queue_km_max", 1.0, 1),
        col("util [%]", "utilization", 100.0, 1),
        col("staff [lane-h/d]", "staff_lane_hours_per_day", 1.0, 1),
        col("overtime [lane-h/d]", "overtime_lane_hours_per_day", 1.0, 1),
        col("quota days", "quota_days_exhausted", 1.0, 0),
    ];
    table(&mut out, "stage", &s.stages(), &st_cols, reps);
    // Finite buffers that filled: where the queue stands, and the lanes blocked by it.
    let blocking = |e: &&EntitySummary| e.get("blocked_mean").is_some_and(|b| b.mean > 0.0);
    let cps: Vec<&EntitySummary> = s.checkpoints().into_iter().filter(blocking).collect();
    if !cps.is_empty() {
        let cols = [
            col("road mean [km]", "queue_km_mean", 1.0, 2),
            col("road max [km]", "queue_km_max", 1.0, 1),
            col("inside mean [veh]", "queue_inside_mean", 1.0, 1),
            col("blocked mean [servers]", "blocked_mean", 1.0, 2),
        ];
        table(&mut out, "where the queue stands", &cps, &cols, reps);
        let stages: Vec<&EntitySummary> = s.stages().into_iter().filter(blocking).collect();
        let cols = [
            col("blocked mean [servers]", "blocked_mean", 1.0, 2),
            col("blocked share [%]", "blocked_share", 100.0, 1),
            col("util [%]", "utilization", 100.0, 1),
        ];
        table(&mut out, "blocked stage", &stages, &cols, reps);
    }
    let fl_cols = [
        col("served/day", "served_per_day", 1.0, 1),
        col("t/day", "tonnes_per_day", 1.0, 0),
        col("wait mean [h]", "wait_mean_h", 1.0, 2),
        col("wait p95 [h]", "wait_p95_h", 1.0, 2),
        col("wait p99 [h]", "wait_p99_h", 1.0, 2),
        col("in system [h]", "time_in_system_mean_h", 1.0, 2),
        col("over max_wait [veh]", "over_limit", 1.0, 0),
        col("backlog [veh]", "backlog_end", 1.0, 0),
    ];
    table(&mut out, "flow", &s.flows(), &fl_cols, reps);
    if s.classes().len() > 1 {
        table(&mut out, "cargo class", &s.classes(), &fl_cols, reps);
    }
    if has_partial(&out) {
        let _ = writeln!(out, "{}", figure::n_note(reps));
    }
    out
}

/// System-level KPIs shown in a sweep's ranked table: (KPI, header, lower is better).
const SWEEP_COLUMNS: [(&str, &str, bool); 6] = [
    ("served_per_day", "served/day", false),
    ("tonnes_per_day", "t/day", false),
    ("wait_mean_h", "wait mean [h]", true),
    ("wait_p95_h", "wait p95 [h]", true),
    ("over_limit", "over max_wait [veh]", true),
    ("backlog_end", "backlog [veh]", true),
];

/// Most decimals of a KPI in the sweep listing: 2 for hours, else 1.
fn sweep_decimals(kpi: &str) -> i32 {
    if kpi.ends_with("_h") { 2 } else { 1 }
}

/// The ranked table of a sweep: points by mean wait of all vehicles (best first), each KPI as
/// mean ± 95% half-width, the paired difference from the baseline, and the best point per KPI.
pub fn sweep_text(s: &SweepSummary, title: &str) -> String {
    let mut out = String::new();
    let cell = |p: usize, name: &str| -> Option<&Cell> { s.points[p].system()?.cell(name) };
    let label = |p: usize| s.points[p].label.as_str();
    let valid: Vec<usize> = (0..s.points.len())
        .filter(|p| !s.invalid.iter().any(|(i, _)| i == p))
        .collect();
    let _ = writeln!(out, "{title}");
    if let Some(b) = s.baseline {
        let _ = writeln!(out, "baseline: {}", label(b));
    }
    out.push('\n');
    let mut ranked = valid.clone();
    let wait = |p: &usize| {
        cell(*p, "wait_mean_h")
            .and_then(|c| c.estimate.value())
            .unwrap_or(f64::INFINITY)
    };
    // Overloaded points are left out of the ranking: listed after the others, unranked.
    let over = |p: &usize| overload::point_overloaded(&s.points[*p]);
    ranked.sort_by(|a, b| {
        (over(a), wait(a))
            .partial_cmp(&(over(b), wait(b)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(b))
    });
    let reps = s.replications;
    let mut grid: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = vec!["rank".into(), "point".into()];
    header.extend(SWEEP_COLUMNS.iter().map(|(_, h, _)| h.to_string()));
    if s.baseline.is_some() {
        header.push("Δ wait mean vs baseline [h]".into());
    }
    grid.push(header);
    for (rank, &p) in ranked.iter().enumerate() {
        let (rank, mark) = match over(&p) {
            true => ("-".to_string(), overload::MARKER),
            false => ((rank + 1).to_string(), ""),
        };
        let mut row = vec![rank, format!("{}{mark}", label(p))];
        for (name, _, _) in SWEEP_COLUMNS {
            row.push(match cell(p, name) {
                Some(c) => {
                    let grows = !mark.is_empty() && overload::grows_with_run(name);
                    self::cell(Some(c.estimate), name, 1.0, sweep_decimals(name), reps)
                        + if grows { overload::GROWS } else { "" }
                }
                None => "-".into(),
            });
        }
        if let Some(b) = s.baseline {
            row.push(
                match cell(p, "wait_mean_h").and_then(|c| c.diff.map(|d| (c, d))) {
                    Some((c, d)) => {
                        let digits = Digits::of("wait_mean_h", d.mean, 1.0, 2);
                        format!(
                            "{}{}",
                            figure::estimate(&d.as_estimate(), 1.0, digits, reps, true),
                            if c.significant() { " *" } else { "  " }
                        )
                    }
                    None if p == b => "(baseline)".into(),
                    None => "-".into(),
                },
            );
        }
        grid.push(row);
    }
    render_grid(&mut out, &grid, 1);
    if s.baseline.is_some() {
        let _ = writeln!(
            out,
            "* the paired 95% interval of the difference excludes zero"
        );
    }
    let _ = writeln!(
        out,
        "\nbest point per KPI (all vehicles; overloaded points left out):"
    );
    for (name, _, lower_better) in SWEEP_COLUMNS {
        let best = valid
            .iter()
            .filter(|p| !over(p))
            .filter_map(|&p| cell(p, name).and_then(|c| Some((p, c, c.estimate.value()?))))
            .min_by(|(pa, _, x), (pb, _, y)| {
                let ord = if lower_better {
                    x.total_cmp(y)
                } else {
                    y.total_cmp(x)
                };
                ord.then(pa.cmp(pb))
            });
        if let Some((p, c, _)) = best {
            // "(1.3 ± 3.8, n=21)": the count inside the one pair of brackets.
            let text = self::cell(Some(c.estimate), name, 1.0, sweep_decimals(name), reps);
            let text = match text.strip_suffix(')').and_then(|t| t.split_once(" (n=")) {
                Some((figure, n)) => format!("{figure}, n={n}"),
                None => text,
            };
            let _ = writeln!(out, "  {:<16} {}  ({text})", name, label(p));
        }
    }
    let judged: Vec<&PointEstimates> = valid.iter().map(|&p| &s.points[p]).collect();
    out.push_str(&overload::sweep_section(&judged));
    if has_partial(&out) {
        let _ = writeln!(out, "{}", figure::n_note(reps));
    }
    if !s.invalid.is_empty() {
        let _ = writeln!(out, "\ninvalid points (skipped):");
        for (p, probs) in &s.invalid {
            let _ = writeln!(out, "  {}:", label(*p));
            for m in probs {
                let _ = writeln!(out, "    {m}");
            }
        }
    }
    out
}
