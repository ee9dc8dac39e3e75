//! Aligned text tables for people: the report of a run (one table per kind of entity) and the
//! ranked table of a sweep.

use std::fmt::Write as _;

use super::change;
use super::figure::{self, Digits, MISSING};
use super::modes::{self, Traffic};
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
pub(super) fn render_grid(out: &mut String, grid: &[Vec<String>], left: usize) {
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

/// One row of an entity's table: its id (marked when it is overloaded) and a cell per column
/// (`kpi`, scale, decimals), each figure that grows with the run length marked at an overloaded
/// entity.
fn entity_row<'a>(
    r: &EntitySummary,
    cols: impl Iterator<Item = (&'a str, f64, i32)>,
    reps: usize,
) -> Vec<String> {
    let over = overload::overloaded(r);
    let mark = |kpi: &str| {
        if over && overload::grows_with_run(kpi) {
            overload::GROWS
        } else {
            ""
        }
    };
    std::iter::once(format!(
        "{}{}",
        r.id,
        if over { overload::MARKER } else { "" }
    ))
    .chain(
        cols.map(|(kpi, scale, decimals)| cell(r.get(kpi), kpi, scale, decimals, reps) + mark(kpi)),
    )
    .collect()
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
        grid.push(entity_row(
            r,
            cols.iter().map(|c| (c.kpi, c.scale, c.decimals)),
            reps,
        ));
    }
    render_grid(out, &grid, 0);
    out.push('\n');
}

/// A table of `rows` in the columns of their mode (see [`modes`]); nothing without rows.
fn mode_table(
    out: &mut String,
    title: &str,
    rows: &[&EntitySummary],
    cols: &[modes::Col],
    reps: usize,
) {
    if rows.is_empty() {
        return;
    }
    let mut grid: Vec<Vec<String>> = vec![
        std::iter::once(title.to_string())
            .chain(cols.iter().map(|c| c.header.clone()))
            .collect(),
    ];
    for r in rows {
        grid.push(entity_row(
            r,
            cols.iter().map(|c| (c.kpi, c.scale, c.decimals)),
            reps,
        ));
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
    out.push_str(&super::assumptions::text(
        &s.assumptions,
        "what was simulated",
    ));
    let reps = s.replications as usize;
    let a = &s.assumptions;
    let traffic = |id: &str| modes::node_traffic(Some(a), id);
    let modes_all = a.modes();
    if modes_all.len() > 1
        && let Some(system) = s.system()
    {
        mode_table(
            &mut out,
            "all flows",
            &[system],
            &modes::system_text(&modes_all),
            reps,
        );
        if let Some(note) = modes::cargo_note(a) {
            let _ = writeln!(out, "{note}\n");
        }
    }
    super::crossings::text(s, &mut out);
    // Checkpoints and terminals by the traffic through them, each in its own terms.
    let groups = [
        (Traffic::Trucks, "road checkpoint", "road terminal"),
        (Traffic::Trains, "rail station", "rail terminal"),
        (Traffic::Barges, "river checkpoint", "port"),
        (Traffic::Mixed, "checkpoint", "terminal"),
    ];
    for (t, cp_title, term_title) in groups {
        for (title, nodes) in [(cp_title, s.checkpoints()), (term_title, s.terminals())] {
            let rows: Vec<&EntitySummary> =
                nodes.into_iter().filter(|e| traffic(&e.id) == t).collect();
            // One table per equipment, so that its column names the crane or bogie exchange.
            let mut kinds: Vec<Option<&str>> = rows
                .iter()
                .map(|e| modes::equipment(a.node(&e.id)))
                .collect();
            // Each equipment once, in order of first appearance (stations of one kind need not
            // be neighbours: cranes, none, cranes is two tables, not three).
            let mut seen = Vec::new();
            kinds.retain(|k| {
                let new = !seen.contains(k);
                if new {
                    seen.push(*k);
                }
                new
            });
            let first = rows.first().and_then(|e| a.node(&e.id));
            if t == Traffic::Trains && kinds.len() > 1 {
                for k in kinds {
                    let part: Vec<&EntitySummary> = rows
                        .iter()
                        .copied()
                        .filter(|e| modes::equipment(a.node(&e.id)) == k)
                        .collect();
                    let node = part.first().and_then(|e| a.node(&e.id));
                    mode_table(&mut out, title, &part, &modes::node_text(t, node), reps);
                }
            } else {
                mode_table(&mut out, title, &rows, &modes::node_text(t, first), reps);
            }
        }
    }
    for (t, title) in [
        (Traffic::Trains, "rail link"),
        (Traffic::Barges, "river link"),
        (Traffic::Trucks, "road link"),
        (Traffic::Mixed, "link"),
    ] {
        let rows: Vec<&EntitySummary> = s
            .links()
            .into_iter()
            .filter(|e| traffic(&e.id) == t)
            .collect();
        mode_table(&mut out, title, &rows, &modes::link_text(t), reps);
        if t == Traffic::Barges {
            for e in &rows {
                if let Some(st) = a.node(&e.id).and_then(|n| n.stages.first()) {
                    let _ = writeln!(out, "{}: open {} ({})", e.id, st.hours, st.clock);
                }
            }
            if !rows.is_empty() {
                out.push('\n');
            }
        }
    }
    // Stages of checkpoints and terminals (a link's one stage is its row above).
    for (t, title) in [
        (Traffic::Trucks, "stage"),
        (Traffic::Trains, "rail stage"),
        (Traffic::Barges, "barge stage"),
        (Traffic::Mixed, "stage (mixed traffic)"),
    ] {
        let rows: Vec<&EntitySummary> = s
            .stages()
            .into_iter()
            .filter(|e| {
                let node = e.id.split_once('/').map_or("", |(n, _)| n);
                a.node(node).is_none_or(|n| n.kind != "link") && traffic(node) == t
            })
            .collect();
        mode_table(&mut out, title, &rows, &modes::stage_text(t), reps);
    }
    // Finite buffers that filled: where the queue stands, and the lanes blocked by it.
    let blocking = |e: &&EntitySummary| e.get("blocked_mean").is_some_and(|b| b.mean > 0.0);
    let cps: Vec<&EntitySummary> = s
        .checkpoints()
        .into_iter()
        .filter(blocking)
        .filter(|e| traffic(&e.id) == Traffic::Trucks)
        .collect();
    if !cps.is_empty() {
        let cols = [
            col("road mean [km]", "queue_km_mean", 1.0, 2),
            col("road max [km]", "queue_km_max", 1.0, 1),
            col("inside mean [veh]", "queue_inside_mean", 1.0, 1),
            col("blocked mean [servers]", "blocked_mean", 1.0, 2),
        ];
        table(&mut out, "where the queue stands", &cps, &cols, reps);
    }
    let stages: Vec<&EntitySummary> = s.stages().into_iter().filter(blocking).collect();
    if !stages.is_empty() {
        let cols = [
            col("blocked mean [servers]", "blocked_mean", 1.0, 2),
            col("blocked share [%]", "blocked_share", 100.0, 1),
            col("util [%]", "utilization", 100.0, 1),
        ];
        table(&mut out, "blocked stage", &stages, &cols, reps);
    }
    let flow_traffic = |id: &str| modes::flow_traffic(Some(a), id);
    let flow_modes: Vec<Traffic> = [Traffic::Trucks, Traffic::Trains, Traffic::Barges]
        .into_iter()
        .filter(|&t| s.flows().iter().any(|e| flow_traffic(&e.id) == t))
        .collect();
    for t in [
        Traffic::Trucks,
        Traffic::Trains,
        Traffic::Barges,
        Traffic::Mixed,
    ] {
        let rows: Vec<&EntitySummary> = s
            .flows()
            .into_iter()
            .filter(|e| flow_traffic(&e.id) == t)
            .collect();
        let title = if flow_modes.len() > 1 {
            format!("flow ({})", t.noun())
        } else {
            "flow".to_string()
        };
        mode_table(&mut out, &title, &rows, &modes::flow_text(t, false), reps);
    }
    if s.classes().len() > 1 {
        let t = modes::scenario_traffic(Some(a));
        mode_table(
            &mut out,
            "cargo class",
            &s.classes(),
            &modes::flow_text(t, true),
            reps,
        );
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
    if s.pairing.has_context() {
        let _ = writeln!(out, "{}", change::context_line(&s.pairing.axes));
    }
    out.push('\n');
    let wait = |p: &usize| {
        cell(*p, "wait_mean_h")
            .and_then(|c| c.estimate.value())
            .unwrap_or(f64::INFINITY)
    };
    // Ranked within each context (one group without context axes), never across; overloaded
    // points are left out of the ranking: listed after the others of their context, unranked.
    let over = |p: &usize| overload::point_overloaded(&s.points[*p]);
    let mut groups = s.pairing.groups(valid.iter().copied());
    for g in &mut groups {
        g.members.sort_by(|a, b| {
            over(a)
                .cmp(&over(b))
                .then(wait(a).total_cmp(&wait(b)))
                .then(a.cmp(b))
        });
    }
    let ranked: Vec<usize> = groups.iter().flat_map(|g| g.members.clone()).collect();
    let reps = s.replications;
    let mut grid: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = vec!["rank".into(), "point".into()];
    header.extend(SWEEP_COLUMNS.iter().map(|(_, h, _)| h.to_string()));
    if s.baseline.is_some() {
        header.push("Δ wait mean vs baseline [h]".into());
    }
    grid.push(header);
    let rank_in_group = |p: usize| {
        groups
            .iter()
            .find_map(|g| g.members.iter().position(|&m| m == p))
            .unwrap_or(0)
    };
    for &p in &ranked {
        let (rank, mark) = match over(&p) {
            true => ("-".to_string(), overload::MARKER),
            false => ((rank_in_group(p) + 1).to_string(), ""),
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
                    None if p == b || s.pairing.is_baseline(p) => "(baseline)".into(),
                    None => "-".into(),
                },
            );
        }
        grid.push(row);
    }
    let mut table = String::new();
    render_grid(&mut table, &grid, 1);
    out.push_str(&change::with_group_headings(&table, &groups, |g| {
        change::group_heading(g, label)
    }));
    if s.baseline.is_some() {
        let n = crate::sweep::family_size(&s.points, "wait_mean_h");
        let _ = writeln!(out, "{}", change::holm_note(n));
    }
    if s.pairing.has_context() {
        let _ = writeln!(
            out,
            "\nbest point per KPI (all vehicles; overloaded points left out), within each context:"
        );
        for g in &groups {
            let _ = writeln!(out, "  {}:", g.label);
            best_per_kpi(&mut out, g, s, reps, "    ");
        }
    } else if let Some(g) = groups.first() {
        let _ = writeln!(
            out,
            "\nbest point per KPI (all vehicles; overloaded points left out):"
        );
        best_per_kpi(&mut out, g, s, reps, "  ");
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

/// The best point of `g` for each headline KPI (all vehicles), one line each after `indent`.
fn best_per_kpi(
    out: &mut String,
    g: &crate::sweep::Group,
    s: &SweepSummary,
    reps: usize,
    indent: &str,
) {
    let cell = |p: usize, name: &str| -> Option<&Cell> { s.points[p].system()?.cell(name) };
    let label = |p: usize| s.points[p].label.as_str();
    let over = |p: &usize| overload::point_overloaded(&s.points[*p]);
    for (name, _, lower_better) in SWEEP_COLUMNS {
        let best = g
            .members
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
            let _ = writeln!(out, "{indent}{:<16} {}  ({text})", name, label(p));
        }
    }
}
