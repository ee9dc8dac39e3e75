//! The report's crossing section: one table, a row per crossing × mode (and per point in a
//! sweep, ranked): the time from arriving in the border area to leaving it, comparable with the
//! CPMM's "time to cross the border", and what crossed per day.

use std::fmt::Write as _;

use super::badge;
use super::data::ReportData;
use super::esc;
use super::page::fmt_est;
use crate::kpi::{Assumptions, EntityKind, EntitySummary, judge};
use crate::report::crossings::{COLUMNS, shown, split_id};

/// The column headers, in the order of [`COLUMNS`].
const HEADERS: [&str; 7] = [
    "Crossing time<br>mean [h]",
    "Median<br>[h]",
    "95th pct.<br>[h]",
    "Crossed<br>[vehicles/day]",
    "Cargo<br>[t/day]",
    "Containers<br>[TEU/day]",
    "Inside the crossing,<br>mean [vehicles]",
];

/// The assumptions that describe crossing row `id`: the reference point's, or else those of the
/// first point that has the crossing (scenario B's own in `compare`).
fn with_crossing<'a>(d: &'a ReportData, id: &str) -> Option<&'a Assumptions> {
    let c = id.rsplit_once('/').map_or(id, |(c, _)| c);
    d.describing(|a| a.crossing(c).is_some())
}

/// Writes the crossing section (nothing when the reference point has no crossing rows).
pub(super) fn section(out: &mut String, d: &ReportData) {
    // The reference point's rows, then those only other points have (scenario B's own in
    // `compare`), each as the first point that has it gives it.
    let mut rows: Vec<&EntitySummary> = Vec::new();
    for p in d.reference_first() {
        for e in p.estimates.of_kind(EntityKind::Crossing) {
            if !rows.iter().any(|x| x.id == e.id) {
                rows.push(e);
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let cols = shown(rows.iter().copied());
    let reps = d.replications as usize;
    let many = d.points.len() > 1;
    out.push_str(
        "<section id=\"crossings\"><h2>Crossing times</h2>\n<p class=\"how\"><b>How to read:</b> \
         a crossing's time runs from a vehicle's arrival at the first node of the crossing on its \
         route (the queue in front of the first control included) to leaving its last node — \
         waits, blocking, waits for a path, travel between the nodes and transshipment, both \
         sides — as the CAREC CPMM measures the time to cross a border. One row per crossing, \
         direction and mode; mean ± 95% half-width over replications. Where a node that the \
         row's vehicles pass in the crossing is overloaded (badge), its times grow with the run \
         and measure its length, not the crossing.</p>\n\
         <table class=\"crossing\"><thead><tr><th class=\"label\">Crossing</th>\
         <th class=\"label\">Direction</th><th class=\"label\">Mode</th>",
    );
    if many {
        out.push_str("<th class=\"label\">Point</th>");
    }
    for &i in &cols {
        let _ = write!(out, "<th>{}</th>", HEADERS[i]);
    }
    out.push_str("</tr></thead><tbody>\n");
    for e in &rows {
        let (c, mode, ca) = split_id(with_crossing(d, &e.id), &e.id);
        let name = ca.map_or(c, |x| x.name.as_str());
        let dir = ca.and_then(|x| x.direction.as_deref()).unwrap_or("–");
        for i in d.ranked() {
            let p = &d.points[i];
            // Overloaded where a node its vehicles pass is (its own judgement; for results
            // written before rows were judged, any node of the crossing): its times measure the
            // run length, not the crossing, and are marked so.
            let over = match p
                .estimates
                .entity(EntityKind::Crossing, &e.id)
                .and_then(judge)
            {
                Some(j) => j.overloaded,
                None => ca.is_some_and(|x| {
                    x.nodes
                        .iter()
                        .any(|n| badge::checkpoint_is_overloaded(p, n))
                }),
            };
            let mark = badge::badge_if(over);
            let _ = write!(
                out,
                "<tr><td class=\"label\" title=\"{}\">{}{}</td><td class=\"label\">{}</td>\
                 <td class=\"label\">{}</td>",
                esc(&e.id),
                esc(name),
                if many { "" } else { mark },
                esc(dir),
                esc(mode)
            );
            if many {
                let _ = write!(out, "<td class=\"label\">{}{mark}</td>", esc(p.label()));
            }
            for &j in &cols {
                let (_, kpi, scale, _) = COLUMNS[j];
                let k = p.cell(EntityKind::Crossing, &e.id, kpi);
                let _ = write!(out, "<td>{}</td>", fmt_est(k, kpi, scale, reps));
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n");
    // Every crossing shown, as the first point that has it declares it.
    let mut declared: Vec<&str> = Vec::new();
    let nodes: Vec<String> = rows
        .iter()
        .filter_map(|e| {
            let (c, _, ca) = split_id(with_crossing(d, &e.id), &e.id);
            let ca = ca?;
            (!declared.contains(&c)).then(|| {
                declared.push(c);
                format!("{}: {}", esc(&ca.id), esc(&ca.nodes.join(" → ")))
            })
        })
        .collect();
    if !nodes.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Nodes of each crossing, in the order vehicles pass them: {}.</p>",
            nodes.join("; ")
        );
    }
    out.push_str("</section>\n");
}
