//! The page: header (what was simulated), the comparison table of the points with 95% intervals
//! and paired differences, a yearly table when the run spans more than a year, and per
//! checkpoint a table and its charts.

use std::fmt::Write as _;

use super::badge;
use super::data::{Point, ReportData};
use super::esc;
use super::figures::{checkpoint_charts, shown_points};
use crate::kpi::{Cell, CheckpointInfo, EntityKind, YEAR_PREFIX};
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
fn fmt_est(k: Option<&Cell>, kpi: &str, scale: f64, reps: usize) -> String {
    match k.map(|k| k.estimate) {
        Some(e) => {
            let digits = Digits::of(kpi, e.mean, scale, decimals(e.mean * scale));
            figure::estimate(&e, scale, digits, reps, false)
        }
        None => "–".into(),
    }
}

/// A paired difference cell: signed mean ± half-width, marked when significant.
fn fmt_diff(k: Option<&Cell>, kpi: &str, is_baseline: bool, reps: usize) -> String {
    if is_baseline {
        return "<td class=\"base\">baseline</td>".into();
    }
    match k.and_then(|k| k.diff) {
        Some(d) => {
            let digits = Digits::of(kpi, d.mean, 1.0, decimals(d.mean));
            let text =
                figure::estimate(&d.as_estimate(), 1.0, digits, reps, true).replacen('-', "−", 1);
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
td.sig { font-weight: bold; }
td.base { color: #777; font-style: italic; }
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
    ("Cargo<br>[t/day]", "tonnes_per_day", 1.0),
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
        "<section id=\"comparison\"><h2>{}</h2>\n<p class=\"how\"><b>How to read:</b> all trucks \
         of all flows together; mean ± 95% confidence half-width over {} replications. Rows are \
         ranked by mean wait, best first.{}{}</p>\n<table class=\"compare\"><thead><tr><th>#</th>\
         <th class=\"label\">Point</th>",
        if d.points.len() > 1 {
            "Policies compared"
        } else {
            "Results"
        },
        d.replications,
        if d.baseline.is_some() {
            " The Δ columns are paired differences from the baseline (same random numbers); \
             <b>*</b> marks a difference whose 95% interval excludes zero."
        } else {
            ""
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
    for (h, _, _) in COMPARE_COLS {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("<th>Longest road<br>queue [km]</th>");
    if d.baseline.is_some() {
        out.push_str("<th>Δ mean wait<br>[h]</th><th>Δ served<br>[trucks/day]</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for (rank, i) in d.ranked().into_iter().enumerate() {
        let p = &d.points[i];
        let is_base = Some(i) == d.baseline;
        let over = badge::point_is_overloaded(p);
        let _ = write!(
            out,
            "<tr{}><td>{}</td><td class=\"label\">{}{}</td>",
            if is_base { " class=\"baseline\"" } else { "" },
            if over {
                "–".to_string()
            } else {
                (rank + 1).to_string()
            },
            esc(p.label()),
            badge::badge_if(over)
        );
        for (_, kpi, scale) in COMPARE_COLS {
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
            Some((cp, k)) => {
                let cell = fmt_est(Some(k), "queue_km_max", 1.0, reps);
                let mark = badge::grows_if(over, "queue_km_max");
                let _ = write!(out, "<td>{cell} ({}){mark}</td>", esc(cp));
            }
            None => out.push_str("<td>–</td>"),
        }
        if d.baseline.is_some() {
            for kpi in ["wait_mean_h", "served_per_day"] {
                out.push_str(&fmt_diff(p.system(kpi), kpi, is_base, reps));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
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
    for i in d.ranked() {
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
    out.push_str("</tbody></table></section>\n");
}

/// Per checkpoint: a one-line table of its KPIs per point, ranked like the comparison table.
fn checkpoint_table(out: &mut String, d: &ReportData, cp: &CheckpointInfo) {
    let reps = d.replications as usize;
    let cols = [
        ("Served [trucks/day]", "served_per_day", 1.0),
        ("Mean wait [h]", "wait_mean_h", 1.0),
        ("95th pct wait [h]", "wait_p95_h", 1.0),
        ("Mean queue [trucks]", "queue_mean", 1.0),
        ("Max road queue [km]", "queue_km_max", 1.0),
        ("Mean queue inside [trucks]", "queue_inside_mean", 1.0),
        ("Mean blocked lanes", "blocked_mean", 1.0),
        ("Utilisation [%]", "utilization", 100.0),
        ("Staff [lane-h/day]", "staff_lane_hours_per_day", 1.0),
        ("Overtime [lane-h/day]", "overtime_lane_hours_per_day", 1.0),
        ("Quota days", "quota_days_exhausted", 1.0),
    ];
    out.push_str("<table class=\"checkpoint\"><thead><tr><th class=\"label\">Point</th>");
    for (h, _, _) in cols {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for i in d.ranked() {
        let p = &d.points[i];
        let over = badge::checkpoint_is_overloaded(p, &cp.id);
        let _ = write!(
            out,
            "<tr{}><td class=\"label\">{}{}</td>",
            if Some(i) == d.baseline {
                " class=\"baseline\""
            } else {
                ""
            },
            esc(p.label()),
            badge::badge_below_if(over)
        );
        for (_, kpi, scale) in cols {
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
    out.push_str("</tbody></table>\n");
}

/// The checkpoints to chart: those of the reference point that have checkpoint KPIs (links and
/// terminals are left out).
pub fn charted_checkpoints(d: &ReportData) -> Vec<&CheckpointInfo> {
    let Some(p) = d.points.get(d.baseline.unwrap_or(0)) else {
        return Vec::new();
    };
    p.checkpoints
        .iter()
        .filter(|c| p.estimates.entity(EntityKind::Checkpoint, &c.id).is_some())
        .collect()
}

/// Number of charts drawn per checkpoint.
pub const CHARTS_PER_CHECKPOINT: usize = 5;

/// The whole report as one self-contained HTML document.
pub fn render(d: &ReportData) -> String {
    let mut out = String::with_capacity(1 << 20);
    let title = match d.kind.as_str() {
        "sweep" => format!("borderflow report: sweep {}", d.name),
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
        badge::CSS,
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p class=\"facts\">Scenario <b>{}</b> · seed {} · {} replication{} per point · \
         simulated {} to {} ({} days; the first {} are warm-up and not counted)</p>",
        esc(&d.scenario),
        d.seed,
        d.replications,
        if d.replications == 1 { "" } else { "s" },
        esc(&d.start_date),
        esc(&end),
        d.days,
        d.warmup_days
    );
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
    let (shown, shown_note) = shown_points(d);
    for n in d.notes.iter().chain(&shown_note) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(n));
    }
    out.push_str(&badge::header_note(d));
    out.push_str(
        "<p class=\"note\">Charts of time series and wait distributions show replication 0 of \
         each point; tables show means over all replications with 95% confidence intervals. \
         Times are on the scenario's reference clock.</p></header>\n",
    );
    let header_end = out.len();
    comparison_table(&mut out, d);
    yearly_table(&mut out, d);
    for cp in charted_checkpoints(d) {
        let stages: Vec<String> = cp
            .stages
            .iter()
            .map(|s| {
                let mut q = s
                    .daily_quota
                    .map_or(String::new(), |q| format!(", quota {q}/day"));
                if let Some(b) = s.buffer {
                    q.push_str(&format!(", {b} places in front"));
                }
                match &s.lanes_by_hour {
                    Some(h) => format!("{} (lanes by hour: {}{q})", esc(&s.id), esc(h)),
                    None => format!("{} ({} lanes{q})", esc(&s.id), s.lanes),
                }
            })
            .collect();
        let over = d
            .points
            .iter()
            .any(|p| badge::checkpoint_is_overloaded(p, &cp.id));
        let _ = write!(
            out,
            "<section class=\"checkpoint\" id=\"cp-{}\"><h2>{}{}</h2>\n<p class=\"facts\">Stages \
             (baseline): {}</p>\n{}",
            esc(&cp.id),
            esc(&cp.title()),
            badge::badge_if(over),
            stages.join(" → "),
            badge::checkpoint_note(d, &cp.id)
        );
        checkpoint_table(&mut out, d, cp);
        out.push_str("<div class=\"charts\">\n");
        checkpoint_charts(&mut out, d, &shown, cp);
        out.push_str("</div></section>\n");
    }
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
