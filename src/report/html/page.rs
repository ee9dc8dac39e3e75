//! The page: header (what was simulated), the comparison table of the points with 95% intervals
//! and paired differences, a yearly table when the run spans more than a year, and per
//! checkpoint a table and its charts.

use std::fmt::Write as _;

use super::badge;
use super::contexts::{self, heading_row};
use super::crossings;
use super::data::{Point, ReportData};
use super::esc;
use super::robust;
use super::sections;
use crate::kpi::{Cell, CheckpointInfo, EntityKind, YEAR_PREFIX};
use crate::report::change;
use crate::report::figure::{self, Digits, MISSING};

/// Most decimals for a value of this size: 0 from 1000, 1 from 100, else 2.
fn decimals(x: f64) -> i32 {
    match x.abs() {
        a if a >= 1000.0 => 0,
        a if a >= 100.0 => 1,
        _ => 2,
    }
}

/// KPI `kpi`'s estimate as "mean ± ci95" by the report's digits rule ([`figure::estimate`]),
/// at most the decimals fitted to the mean; "–" where the point has no such KPI.
pub(super) fn fmt_est(k: Option<&Cell>, kpi: &str, scale: f64, reps: usize) -> String {
    match k.map(|k| k.estimate) {
        Some(e) => {
            let digits = Digits::of(kpi, e.mean, scale, decimals(e.mean * scale));
            figure::estimate(&e, scale, digits, reps, false)
        }
        None => "–".into(),
    }
}

/// A paired difference cell: signed mean ± half-width, marked when significant, with the
/// change relative to the baseline's `base` where that means something.
fn fmt_diff(
    k: Option<&Cell>,
    kpi: &str,
    is_baseline: bool,
    reps: usize,
    base: Option<&Cell>,
) -> String {
    if is_baseline {
        return "<td class=\"base\">baseline</td>".into();
    }
    match k.and_then(|k| k.diff) {
        Some(d) => {
            let digits = Digits::of(kpi, d.mean, 1.0, decimals(d.mean));
            let mut text =
                figure::estimate(&d.as_estimate(), 1.0, digits, reps, true).replacen('-', "−", 1);
            if let Some(rel) = base.and_then(|b| change::relative(&b.estimate, &d, kpi)) {
                text.push_str(&format!(" ({rel})"));
            }
            if d.significant {
                format!("<td class=\"sig\">{text} *</td>")
            } else {
                format!("<td>{text}</td>")
            }
        }
        None => "<td>–</td>".into(),
    }
}

const CSS: &str = "
body { font-family: sans-serif; color: #222; margin: 0 auto; max-width: 1400px; padding: 0 16px; }
h1 { font-size: 26px; margin: 20px 0 6px; }
h2 { font-size: 20px; margin: 28px 0 6px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
p.facts { font-size: 15px; color: #444; margin: 4px 0; }
p.how, p.note, figcaption { font-size: 13px; color: #555; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; }
table.checkpoint th { white-space: normal; vertical-align: bottom; }
td.label, th.label { text-align: left; }
td.text { text-align: left; white-space: normal; max-width: 420px; }
table.assumptions td, table.assumptions th { vertical-align: top; }
ul.changes { font-size: 13px; }
td.sig { font-weight: bold; }
td.base { color: #777; font-style: italic; }
tr.context th { background: #e8edf5; font-size: 14px; }
h3.context { font-size: 16px; margin: 18px 0 6px; padding: 5px 8px; background: #e3ebf6; }
h3.context span.base { font-weight: normal; color: #555; }
tr.baseline td { background: #f7f7f7; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 10px; }
figure { margin: 0; width: 670px; }
figure svg { display: block; }
figcaption { margin: 2px 6px 10px; }
footer { font-size: 12px; color: #777; margin: 30px 0 20px; border-top: 1px solid #ddd; padding-top: 6px; }
";

/// Columns of the comparison table: header, KPI (system level), scale.
const COMPARE_COLS: [(&str, &str, f64); 4] = [
    ("Served<br>[trucks/day]", "served_per_day", 1.0),
    ("Cargo delivered<br>[t/day]", "tonnes_per_day", 1.0),
    ("Mean wait<br>[h]", "wait_mean_h", 1.0),
    ("95th percentile<br>wait [h]", "wait_p95_h", 1.0),
];

/// The longest road queue of a point: the checkpoint with the largest mean `queue_km_max`.
fn longest_queue(p: &Point) -> Option<(&str, &Cell)> {
    p.estimates
        .of_kind(EntityKind::Checkpoint)
        .into_iter()
        .filter_map(|e| Some((e.id.as_str(), e.cell("queue_km_max")?)))
        .filter(|(_, c)| c.estimate.value().is_some())
        .max_by(|a, b| a.1.estimate.mean.total_cmp(&b.1.estimate.mean))
}

fn comparison_table(out: &mut String, d: &ReportData) {
    let reps = d.replications as usize;
    let _ = write!(
        out,
        "<section id=\"comparison\"><h2>{}</h2>\n<p class=\"how\"><b>How to read:</b> all {} \
         of all flows together; mean ± 95% confidence half-width over {} replications. Rows are \
         ranked by mean wait, best first{}.{}{}</p>\n<table class=\"compare\"><thead><tr><th>#</th>\
         <th class=\"label\">Point</th>",
        if d.points.len() > 1 {
            if compared_scenarios(d).is_some() {
                "Scenarios compared"
            } else {
                "Policies compared"
            }
        } else {
            "Results"
        },
        sections::scenario_noun(d),
        d.replications,
        if d.contexts.is_empty() {
            ""
        } else {
            " within each context (the heading rows), never across contexts"
        },
        if d.baseline.is_some() {
            let whose = if d.contexts.is_empty() {
                "the baseline"
            } else {
                "the baseline policy at the same context"
            };
            format!(
                " The Δ columns are paired differences from {whose} (same random numbers), with \
                 the change in percent where the baseline is clear of zero; {}.",
                esc(&change::holm_note(family_size(d))).replacen('*', "<b>*</b>", 1)
            )
        } else {
            String::new()
        },
        match d.points.iter().any(badge::point_is_overloaded) {
            true if d.points.len() > 1 => {
                " An <b>overloaded</b> point's queues grow without bound: it is listed last, \
                 unranked, and its waits grow with the run length."
            }
            true => " The scenario is <b>overloaded</b>: its waits grow with the run length.",
            false => "",
        }
    );
    // Served in each mode's own unit; cargo counted once, where it is delivered.
    let served = sections::served_cols(d);
    let cols: Vec<(String, &str, f64)> = served
        .iter()
        .map(|(h, k)| (h.clone(), *k, 1.0))
        .chain(
            COMPARE_COLS[1..]
                .iter()
                .map(|&(h, k, s)| (h.to_string(), k, s)),
        )
        .collect();
    for (h, _, _) in &cols {
        let _ = write!(out, "<th>{h}</th>");
    }
    let road = sections::has_road(d);
    if road {
        out.push_str("<th>Longest road<br>queue [km]</th>");
    }
    if d.baseline.is_some() {
        let _ = write!(
            out,
            "<th>Δ mean wait<br>[h]</th><th>Δ served<br>[{}/day]</th>",
            sections::scenario_noun(d)
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    let columns = cols.len() + 2 + usize::from(road) + if d.baseline.is_some() { 2 } else { 0 };
    for group in d.ranked_groups() {
        heading_row(out, &group.heading, columns);
        let mut rank = 0;
        for i in group.rows {
            let p = &d.points[i];
            let is_base = d.is_baseline(i);
            let base = d.baseline_of(i).map(|b| &d.points[b]);
            let over = badge::point_is_overloaded(p);
            let _ = write!(
                out,
                "<tr{}><td>{}</td><td class=\"label\">{}{}</td>",
                if is_base { " class=\"baseline\"" } else { "" },
                if over {
                    "–".to_string()
                } else {
                    rank += 1;
                    rank.to_string()
                },
                esc(p.label()),
                badge::badge_if(over)
            );
            for &(_, kpi, scale) in &cols {
                let mark = badge::grows_if(over, kpi);
                let left = badge::left_if(
                    over,
                    kpi,
                    p.system(kpi),
                    p.system("departures_per_day"),
                    |c| fmt_est(c, "departures_per_day", 1.0, reps),
                );
                let _ = write!(
                    out,
                    "<td>{}{mark}{left}</td>",
                    fmt_est(p.system(kpi), kpi, scale, reps)
                );
            }
            match longest_queue(p) {
                _ if !road => {}
                Some((cp, k)) => {
                    let cell = fmt_est(Some(k), "queue_km_max", 1.0, reps);
                    let mark = badge::grows_if(over, "queue_km_max");
                    let _ = write!(out, "<td>{cell} ({}){mark}</td>", esc(cp));
                }
                None => out.push_str("<td>–</td>"),
            }
            if d.baseline.is_some() {
                for kpi in ["wait_mean_h", "served_per_day"] {
                    let b = base.and_then(|b| b.system(kpi));
                    out.push_str(&fmt_diff(p.system(kpi), kpi, is_base, reps, b));
                }
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table></section>\n");
}

/// The comparisons of each headline difference (the points compared with a baseline on the
/// system's mean wait), for the note on `*`.
fn family_size(d: &ReportData) -> usize {
    d.points
        .iter()
        .filter_map(|p| p.system("wait_mean_h")?.diff)
        .filter(|x| !x.p.is_nan())
        .count()
}

/// The scenarios of the points when they are not all the same one (`compare A B`): each
/// point's label with its scenario's name.
fn compared_scenarios(d: &ReportData) -> Option<Vec<(&str, &str)>> {
    let first = d.points.first()?;
    if d.points.iter().all(|p| p.scenario == first.scenario) {
        return None;
    }
    Some(
        d.points
            .iter()
            .map(|p| (p.label(), p.scenario.as_str()))
            .collect(),
    )
}

/// Years with yearly KPIs (`y2027.served_per_day`) at the system level, ascending.
fn years(d: &ReportData) -> Vec<String> {
    let mut ys: Vec<String> = d
        .points
        .iter()
        .filter_map(|p| p.estimates.entity(EntityKind::System, "all"))
        .flat_map(|e| e.metrics.iter().map(|(k, _)| k))
        .filter_map(|k| {
            let y = k
                .strip_prefix(YEAR_PREFIX)?
                .strip_suffix(".served_per_day")?;
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then(|| y.to_string())
        })
        .collect();
    ys.sort();
    ys.dedup();
    ys
}

fn yearly_table(out: &mut String, d: &ReportData) {
    let reps = d.replications as usize;
    let ys = years(d);
    if ys.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"yearly\"><h2>Year by year</h2>\n<p class=\"how\"><b>How to read:</b> \
         trucks served per day and their mean wait in each calendar year of the run (all flows, \
         mean ± 95% half-width); a rising wait at the same throughput means the crossing is \
         filling up.</p>\n<table class=\"yearly\"><thead><tr><th class=\"label\">Point</th>",
    );
    for y in &ys {
        let _ = write!(
            out,
            "<th>{y}<br>served/day</th><th>{y}<br>mean wait [h]</th>"
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for group in d.ranked_groups() {
        heading_row(out, &group.heading, 1 + 2 * ys.len());
        for i in group.rows {
            let p = &d.points[i];
            let _ = write!(out, "<tr><td class=\"label\">{}</td>", esc(p.label()));
            for y in &ys {
                for kpi in ["served_per_day", "wait_mean_h"] {
                    let name = format!("y{y}.{kpi}");
                    let _ = write!(
                        out,
                        "<td>{}</td>",
                        fmt_est(p.system(&name), &name, 1.0, reps)
                    );
                }
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table></section>\n");
}

/// Per checkpoint: a one-line table of its KPIs per point, ranked like the comparison table.
fn checkpoint_table(out: &mut String, d: &ReportData, cp: &CheckpointInfo) {
    let reps = d.replications as usize;
    // In the checkpoint's own terms: trains, wagons and TEU at a rail station, no road km.
    let cols: Vec<(String, &str, f64)> = sections::node_cols(d, &cp.id)
        .into_iter()
        .map(|c| (c.header, c.kpi, c.scale))
        .collect();
    out.push_str("<table class=\"checkpoint\"><thead><tr><th class=\"label\">Point</th>");
    for (h, _, _) in &cols {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for group in d.ranked_groups() {
        heading_row(out, &group.heading, 1 + cols.len());
        for i in group.rows {
            let p = &d.points[i];
            let over = badge::checkpoint_is_overloaded(p, &cp.id);
            let _ = write!(
                out,
                "<tr{}><td class=\"label\">{}{}</td>",
                if d.is_baseline(i) {
                    " class=\"baseline\""
                } else {
                    ""
                },
                esc(p.label()),
                badge::badge_below_if(over)
            );
            for &(_, kpi, scale) in &cols {
                let cell = |kpi| p.cell(EntityKind::Checkpoint, &cp.id, kpi);
                let _ = write!(
                    out,
                    "<td>{}{}{}</td>",
                    fmt_est(cell(kpi), kpi, scale, reps),
                    badge::grows_if(over, kpi),
                    badge::left_if(over, kpi, cell(kpi), cell("departures_per_day"), |c| {
                        fmt_est(c, "departures_per_day", 1.0, reps)
                    })
                );
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n");
}

/// The checkpoints to chart: those with checkpoint KPIs (links and terminals are left out), the
/// reference point's first, then those only other points have (scenario B's own in `compare`).
pub fn charted_checkpoints(d: &ReportData) -> Vec<&CheckpointInfo> {
    let mut out: Vec<&CheckpointInfo> = Vec::new();
    for p in d.reference_first() {
        for c in &p.checkpoints {
            if p.estimates.entity(EntityKind::Checkpoint, &c.id).is_some()
                && !out.iter().any(|o| o.id == c.id)
            {
                out.push(c);
            }
        }
    }
    out
}

/// Number of charts drawn per checkpoint.
pub const CHARTS_PER_CHECKPOINT: usize = 5;

/// The whole report as one self-contained HTML document.
pub fn render(d: &ReportData) -> String {
    let mut out = String::with_capacity(1 << 20);
    let compared = compared_scenarios(d);
    let title = match (d.kind.as_str(), &compared) {
        ("sweep", Some(sc)) => format!(
            "borderflow report: {} {}",
            d.name,
            sc.iter()
                .map(|(_, name)| *name)
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
        ("sweep", None) => format!("borderflow report: sweep {}", d.name),
        _ => format!("borderflow report: scenario {}", d.name),
    };
    let start: Option<jiff::civil::Date> = d.start_date.parse().ok();
    let end = start
        .and_then(|s| {
            s.checked_add(jiff::Span::new().days(i64::from(d.days) - 1))
                .ok()
        })
        .map_or_else(|| format!("day {}", d.days), |e| e.to_string());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}{}</style></head><body>\n<header><h1>{}</h1>\n",
        esc(&title),
        format_args!("{}{}", badge::CSS, robust::css(d)),
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p class=\"facts\">{} <b>{}</b> · seed {} · {} replication{} per point · \
         simulated {} to {} ({} days; the first {} are warm-up and not counted)</p>",
        if compared.is_some() {
            "Baseline scenario"
        } else {
            "Scenario"
        },
        esc(&d.scenario),
        d.seed,
        d.replications,
        if d.replications == 1 { "" } else { "s" },
        esc(&d.start_date),
        esc(&end),
        d.days,
        d.warmup_days
    );
    if let Some(sc) = &compared {
        let _ = writeln!(
            out,
            "<p class=\"facts\">Scenarios: {}</p>",
            sc.iter()
                .map(|(label, name)| format!("{} is scenario <b>{}</b>", esc(label), esc(name)))
                .collect::<Vec<_>>()
                .join(" · ")
        );
    }
    if d.kind == "sweep" {
        let _ = writeln!(
            out,
            "<p class=\"facts\">{} point{} · baseline: {}</p>",
            d.points.len(),
            if d.points.len() == 1 { "" } else { "s" },
            d.baseline.map_or("none".to_string(), |b| format!(
                "<b>{}</b>",
                esc(d.points[b].label())
            ))
        );
    }
    if !d.contexts.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"facts\">{} contexts ({}): each point is compared with the baseline \
             policy in its own context, tables rank within each context, and each checkpoint \
             draws one panel of charts per context.</p>",
            d.contexts.len(),
            d.contexts
                .iter()
                .map(|c| esc(&c.label))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    // With input sets, the checkpoint charts of the first one only (see `robust`).
    let first_draw = d.robustness.is_some().then(|| ReportData {
        contexts: robust::charted_contexts(d, &d.contexts),
        ..d.clone()
    });
    let charted = first_draw.as_ref().unwrap_or(d);
    let panels = contexts::panels(charted);
    let robust_note = robust::charts_note(d);
    for n in d
        .notes
        .iter()
        .chain(&robust_note)
        .chain(&contexts::shown_notes(charted, &panels))
    {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(n));
    }
    out.push_str(&badge::header_note(d));
    out.push_str(
        "<p class=\"note\">Charts of time series and wait distributions show replication 0 of \
         each point; tables show means over all replications with 95% confidence intervals. \
         Times are on the scenario's reference clock.</p></header>\n",
    );
    let header_end = out.len();
    // With uncertain inputs, their summary first: it is what the sweep was run for.
    robust::section(&mut out, d);
    sections::assumptions_section(&mut out, d);
    comparison_table(&mut out, d);
    yearly_table(&mut out, d);
    let reference = d.points.get(d.baseline.unwrap_or(0));
    for cp in charted_checkpoints(d) {
        let over = d
            .points
            .iter()
            .any(|p| badge::checkpoint_is_overloaded(p, &cp.id));
        // A checkpoint only other points have (scenario B's own in `compare`) is described as
        // they have it.
        let at_reference = reference.is_some_and(|p| p.checkpoints.iter().any(|c| c.id == cp.id));
        let _ = write!(
            out,
            "<section class=\"checkpoint\" id=\"cp-{}\"><h2>{}{}</h2>\n<p class=\"facts\">Stages \
             ({}): {}</p>\n{}",
            esc(&cp.id),
            esc(&cp.title()),
            badge::badge_if(over),
            if at_reference {
                "baseline"
            } else {
                "not at the baseline point"
            },
            sections::stage_line(d, cp),
            badge::checkpoint_note(d, &cp.id)
        );
        checkpoint_table(&mut out, d, cp);
        contexts::charts(&mut out, d, &panels, cp);
        out.push_str("</section>\n");
    }
    crossings::section(&mut out, d);
    sections::other_sections(&mut out, d);
    let _ = write!(
        out,
        "<footer>Made by borderflow {} (results written by borderflow {}). Self-contained: no \
         scripts, no network.</footer>\n</body></html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&d.version)
    );
    if out[header_end..].contains(" (n=") || out[header_end..].contains(MISSING) {
        let note = format!(
            "<p class=\"note\">{}</p>\n",
            esc(&figure::n_note(d.replications as usize))
        );
        out.insert_str(header_end - "</header>\n".len(), &note);
    }
    out
}
