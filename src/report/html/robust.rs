//! The report's "Robustness to uncertain inputs" section, for a sweep with `[[uncertain]]`
//! inputs: the inputs and their ranges, a table per policy (share of input sets won, effect
//! median and 5–95 % range, the input that moves the effect most) and one chart per policy: its
//! effect on the mean wait of all vehicles in each input set against the input that moves it
//! most, each dot coloured by whether the policy won there; overloaded input sets are drawn
//! apart, above the plot, never at a measured height.

use std::fmt::Write as _;

use super::chart::{CHART_W, PLOT_BG};
use super::contexts::Context;
use super::data::ReportData;
use super::esc;
use crate::report::robust::{
    RULES, driver_text, effect_text, headline, overloaded_text, signed, unit, wins_text,
};
use crate::sweep::plan::DRAW_AXIS;
use crate::sweep::robust::{Outcome, Robustness, Row};

/// Colour of a won input set.
const WIN: &str = "#2ca02c";
/// Colour of a lost input set.
const LOSE: &str = "#d62728";
/// Colour of a tie and of overloaded input sets.
const NEUTRAL: &str = "#888888";
/// Most charts drawn (one per policy and context).
const MAX_CHARTS: usize = 6;

/// CSS of the section, for a report that has it (others stay as they were).
pub(super) fn css(d: &ReportData) -> &'static str {
    if d.robustness.is_none() {
        return "";
    }
    "
section#robustness table td.text { max-width: 520px; }
svg.robust text { font-family: sans-serif; }
"
}

/// The contexts whose checkpoint charts are drawn: with input sets, only those of the first
/// (one panel per input set would repeat every chart 20 times; the section below summarises
/// them all).
pub(super) fn charted_contexts(d: &ReportData, contexts: &[Context]) -> Vec<Context> {
    if d.robustness.is_none() {
        return contexts.to_vec();
    }
    let first = format!("{DRAW_AXIS}=1");
    contexts
        .iter()
        .filter(|c| c.label.ends_with(&first) && !c.label.ends_with(&format!("={first}")))
        .cloned()
        .collect()
}

/// The note saying that the checkpoint charts show the first input set only.
pub(super) fn charts_note(d: &ReportData) -> Option<String> {
    let r = d.robustness.as_ref()?;
    Some(format!(
        "This sweep draws {} input sets of its uncertain inputs; each is a context (draw=1…{}). \
         The checkpoint charts show draw=1 only; the tables show every input set, and the \
         robustness section summarises them all.",
        r.draws, r.draws
    ))
}

/// Nice tick positions covering `lo..hi` (about 5).
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|k| k * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let (k0, k1) = ((lo / step).ceil() as i64, (hi / step + 1e-9).floor() as i64);
    (k0..=k1)
        .map(|k| if k == 0 { 0.0 } else { k as f64 * step })
        .collect()
}

/// A tick label: no more decimals than the step needs.
fn tick_label(x: f64, step: f64) -> String {
    let d = (0..6)
        .find(|&d| {
            let v = step * 10f64.powi(d);
            (v - v.round()).abs() < 1e-6
        })
        .unwrap_or(6) as usize;
    format!("{x:.d$}").replacen('-', "−", 1)
}

/// The chart of `row` (the system's mean wait of one policy): effect per input set against the
/// input that moves it most (else the first input).
fn chart(out: &mut String, r: &Robustness, row: &Row, title: &str) {
    let j = row
        .driver
        .as_ref()
        .and_then(|n| r.inputs.iter().position(|i| &i.name == n))
        .unwrap_or(0);
    let input = &r.inputs[j];
    let (w, h) = (CHART_W as f64, 360.0);
    let (left, right, top, bottom) = (70.0, 20.0, 58.0, 52.0);
    let (x0, x1) = (input.low, input.high);
    let measured: Vec<f64> = row.effects.iter().flatten().copied().collect();
    let (mut y0, mut y1) = measured
        .iter()
        .fold((0.0f64, 0.0f64), |(a, b), &e| (a.min(e), b.max(e)));
    if y1 - y0 < 1e-9 {
        (y0, y1) = (y0 - 1.0, y1 + 1.0);
    }
    let pad = (y1 - y0) * 0.08;
    (y0, y1) = (y0 - pad, y1 + pad);
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let py = |y: f64| h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom);
    let _ = write!(
        out,
        "<figure><svg class=\"robust\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" \
         height=\"{h}\" viewBox=\"0 0 {w} {h}\"><title>{}</title>\
         <text x=\"{}\" y=\"18\" font-size=\"14\" text-anchor=\"middle\">{}</text>\
         <rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"rgb({},{},{})\" \
         stroke=\"#bbb\"/>",
        esc(title),
        w / 2.0,
        esc(title),
        w - left - right,
        h - top - bottom,
        PLOT_BG.0,
        PLOT_BG.1,
        PLOT_BG.2
    );
    let yt = ticks(y0, y1);
    let ystep = if yt.len() > 1 { yt[1] - yt[0] } else { 1.0 };
    for t in &yt {
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e2e2e2\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            w - right,
            left - 6.0,
            py(*t) + 4.0,
            tick_label(*t, ystep),
            y = py(*t)
        );
    }
    let xt = ticks(x0, x1);
    let xstep = if xt.len() > 1 { xt[1] - xt[0] } else { 1.0 };
    for t in &xt {
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#999\"/>\
             <text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            h - bottom,
            h - bottom + 5.0,
            h - bottom + 18.0,
            tick_label(*t, xstep),
            x = px(*t)
        );
    }
    // No effect: the line a win is below (lower is better) or above.
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{z:.1}\" y2=\"{z:.1}\" stroke=\"#333\" \
         stroke-dasharray=\"5,3\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" \
         text-anchor=\"end\" fill=\"#333\">no effect</text>",
        w - right,
        w - right - 4.0,
        py(0.0) - 4.0,
        z = py(0.0)
    );
    let kpi_unit = unit(&row.kpi).trim();
    // A count (lanes, places, paths) has no unit: no empty brackets after its name.
    let input_unit = input.unit.trim_start_matches('/');
    let input_label = if input_unit.is_empty() {
        esc(&input.name)
    } else {
        format!("{} [{}]", esc(&input.name), esc(input_unit))
    };
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate(16,{}) rotate(-90)\" font-size=\"12\" \
         text-anchor=\"middle\">effect on mean wait, policy − baseline [{}]</text>",
        (left + w - right) / 2.0,
        h - 14.0,
        input_label,
        (top + h - bottom) / 2.0,
        esc(kpi_unit)
    );
    // Overloaded input sets: hollow triangles in a strip above the plot.
    let strip = top - 12.0;
    let _ = write!(
        out,
        "<text x=\"{left}\" y=\"{:.1}\" font-size=\"11\" fill=\"#555\">overloaded \
         (not measured) ▽:</text>",
        strip - 12.0
    );
    for (d, (o, e)) in row.outcomes.iter().zip(&row.effects).enumerate() {
        let x = px(r.values[d][j]);
        let tip = format!(
            "draw {}: {} = {}",
            d + 1,
            input.name,
            input.text(r.values[d][j])
        );
        match (o, e) {
            (Outcome::Overloaded, _) => {
                let _ = write!(
                    out,
                    "<path class=\"overloaded\" d=\"M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\" \
                     fill=\"none\" stroke=\"{NEUTRAL}\" stroke-width=\"1.5\"><title>{}: \
                     overloaded</title></path>",
                    x - 5.0,
                    strip - 4.0,
                    x + 5.0,
                    strip - 4.0,
                    x,
                    strip + 4.0,
                    esc(&tip)
                );
            }
            (_, Some(e)) => {
                let (class, color) = match o {
                    Outcome::Win => ("win", WIN),
                    Outcome::Lose => ("lose", LOSE),
                    Outcome::Unclear => ("unclear", NEUTRAL),
                    _ => ("tie", NEUTRAL),
                };
                let _ = write!(
                    out,
                    "<circle class=\"{class}\" cx=\"{x:.1}\" cy=\"{:.1}\" r=\"5\" \
                     fill=\"{color}\" fill-opacity=\"0.85\"><title>{}: effect {}{}</title>\
                     </circle>",
                    py(*e),
                    esc(&tip),
                    signed(*e, &row.kpi),
                    unit(&row.kpi)
                );
            }
            _ => {}
        }
    }
    out.push_str("</svg>");
    let lower = if row.higher_better() {
        "above"
    } else {
        "below"
    };
    let _ = writeln!(
        out,
        "<figcaption><b>How to read:</b> one dot per input set: across, the value drawn for \
         <i>{}</i> (the input that moves the effect most); up, the policy's effect on the mean \
         wait of all vehicles against the baseline on the same input set. \
         <span style=\"color:{WIN}\">●</span> the policy wins (its dot is {lower} the dashed \
         no-effect line, significantly over the replications), <span style=\"color:{LOSE}\">●</span> \
         it loses, <span style=\"color:{NEUTRAL}\">●</span> no clear difference or a tie; ▽ above the plot: an overloaded input \
         set, counted but not measured. Won in {}; {}.</figcaption></figure>",
        esc(&input.name),
        esc(&wins_text(row)),
        esc(&driver_text(row))
    );
}

/// The section, if the sweep has uncertain inputs.
pub(super) fn section(out: &mut String, d: &ReportData) {
    let Some(r) = &d.robustness else {
        return;
    };
    let _ = write!(
        out,
        "<section id=\"robustness\"><h2>Robustness to uncertain inputs</h2>\n\
         <p class=\"facts\">{} input sets drawn by Latin hypercube (seed {}): each input's range \
         cut into {} equal-probability strata, one draw in each. Every policy ran on every input \
         set with the same replication seeds.</p>\n<table><thead><tr><th class=\"label\">Input\
         </th><th class=\"label\">Field</th><th class=\"label\">Range</th><th class=\"label\">\
         Source</th></tr></thead><tbody>",
        r.draws, r.seed, r.draws
    );
    for i in &r.inputs {
        let _ = write!(
            out,
            "<tr><td class=\"label\">{}</td><td class=\"label\"><code>{}</code></td>\
             <td class=\"label\">{}</td><td class=\"text\">{}</td></tr>",
            esc(&i.name),
            esc(&i.path),
            esc(&i.range_text()),
            esc(i.source.as_deref().unwrap_or("—"))
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table>\n<p class=\"how\"><b>How to read:</b> {}</p>",
        esc(RULES)
    );
    let mut charts = 0;
    for (policy, context, baseline) in r.comparisons() {
        let ctx = if context.is_empty() {
            String::new()
        } else {
            format!(" at {context}")
        };
        let heading = format!("{policy} vs {baseline}{ctx}");
        let _ = write!(
            out,
            "<h3 class=\"context\">{}</h3>\n<table><thead><tr><th class=\"label\">Entity</th>\
             <th class=\"label\">KPI</th><th>Wins of measured<br>input sets; lost, unclear</th>\
             <th>Overloaded input sets<br>(at policy / at baseline)</th><th>Effect: median<br>[5–95 %]</th>\
             <th class=\"label\">Moved most by</th></tr></thead><tbody>",
            esc(&heading)
        );
        for row in headline(r, policy, context) {
            let who = if row.entity_kind == "system" {
                "all vehicles".to_string()
            } else {
                format!("{} {}", row.entity_kind, row.entity)
            };
            let _ = write!(
                out,
                "<tr><td class=\"label\">{}</td><td class=\"label\">{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                esc(&who),
                esc(&row.kpi),
                esc(&wins_text(row)),
                esc(&overloaded_text(row)),
                esc(&effect_text(row)),
                esc(&driver_text(row))
            );
        }
        out.push_str("</tbody></table>\n");
        if charts < MAX_CHARTS
            && let Some(row) = r.row(policy, context, "system", "all", "wait_mean_h")
        {
            chart(out, r, row, &heading);
            charts += 1;
        }
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_round_numbers() {
        assert_eq!(ticks(0.0, 10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(6.0, 30.0), [10.0, 15.0, 20.0, 25.0, 30.0]);
        let t = ticks(-0.23, 0.21);
        assert_eq!(t, [-0.2, -0.1, 0.0, 0.1, 0.2]);
        assert_eq!(tick_label(-0.2, 0.1), "−0.2");
        assert_eq!(tick_label(2.5, 2.5), "2.5");
    }
}
