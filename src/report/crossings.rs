//! The crossing rows in the reports of a run: a text table and the `crossings` object of
//! `run --json`. A row is a crossing × mode ("khorgos-road-out/truck"); the crossing's name and
//! direction come from the assumptions.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::figure::{self, Digits};
use super::overload;
use super::text::render_grid;
use crate::kpi::{Assumptions, CrossingAssumptions, EntitySummary, Summary, json_num, judge};

/// Columns of the crossing table: header, KPI, scale, most decimals.
pub(crate) const COLUMNS: [(&str, &str, f64, i32); 7] = [
    ("crossing time mean [h]", "crossing_time_mean_h", 1.0, 2),
    ("p50 [h]", "crossing_time_p50_h", 1.0, 2),
    ("p95 [h]", "crossing_time_p95_h", 1.0, 2),
    ("crossed/day", "crossings_per_day", 1.0, 1),
    ("t/day", "tonnes_per_day", 1.0, 0),
    ("TEU/day", "teu_per_day", 1.0, 0),
    ("inside mean [veh]", "in_crossing_mean", 1.0, 1),
];

/// The crossing and mode of row `id` ("crossing-id/mode"), with the crossing's assumptions.
pub(crate) fn split_id<'a>(
    a: Option<&'a Assumptions>,
    id: &'a str,
) -> (&'a str, &'a str, Option<&'a CrossingAssumptions>) {
    let (c, mode) = id.rsplit_once('/').unwrap_or((id, ""));
    (c, mode, a.and_then(|a| a.crossing(c)))
}

/// "Name (direction)" of a crossing row, or its crossing id.
pub(crate) fn title(a: Option<&Assumptions>, id: &str) -> String {
    let (c, _, ca) = split_id(a, id);
    match ca {
        Some(x) => match &x.direction {
            Some(d) => format!("{} ({d})", x.name),
            None => x.name.clone(),
        },
        None => c.to_string(),
    }
}

/// Columns shown: TEU only where some row carried containers.
pub(crate) fn shown<'a>(rows: impl Iterator<Item = &'a EntitySummary> + Clone) -> Vec<usize> {
    let teu = rows
        .clone()
        .any(|e| e.get("teu_per_day").is_some_and(|x| x.mean > 0.0));
    (0..COLUMNS.len())
        .filter(|&i| COLUMNS[i].1 != "teu_per_day" || teu)
        .collect()
}

/// The crossing table of a run (nothing without crossings).
pub(crate) fn text(s: &Summary, out: &mut String) {
    let rows = s.crossings();
    if rows.is_empty() {
        return;
    }
    let reps = s.replications as usize;
    let a = Some(&s.assumptions);
    let cols = shown(rows.iter().copied());
    let mut grid: Vec<Vec<String>> = vec![
        [
            "crossing (arrival in the border area to leaving it)",
            "mode",
        ]
        .into_iter()
        .map(str::to_string)
        .chain(cols.iter().map(|&i| COLUMNS[i].0.to_string()))
        .collect(),
    ];
    for e in &rows {
        let (_, mode, _) = split_id(a, &e.id);
        // Overloaded where a node its vehicles pass is: its times grow with the run length.
        let over = overload::overloaded(e);
        let marker = if over { overload::MARKER } else { "" };
        let mut row = vec![format!("{}{marker}", title(a, &e.id)), mode.to_string()];
        for &i in &cols {
            let (_, kpi, scale, dec) = COLUMNS[i];
            let grows = if over && overload::grows_with_run(kpi) {
                overload::GROWS
            } else {
                ""
            };
            row.push(match e.get(kpi) {
                Some(x) => {
                    figure::estimate(&x, scale, Digits::of(kpi, x.mean, scale, dec), reps, false)
                        + grows
                }
                None => "-".into(),
            });
        }
        grid.push(row);
    }
    render_grid(out, &grid, 0);
    let _ = writeln!(
        out,
        "crossing time: from arriving at the first node of the crossing on a vehicle's route to \
         leaving its last (queues, blocking, path waits, travel, transshipment), as the CPMM \
         measures it\n"
    );
}

/// The `crossings` object of `run --json`: per row ("crossing-id/mode") its crossing id, name,
/// direction and mode, then each KPI as `{ "mean", "ci95", "n" }`, and its judgement
/// (`overloaded`, `overload_reasons`: where a node its vehicles pass is overloaded).
pub(crate) fn json(s: &Summary) -> Value {
    let a = Some(&s.assumptions);
    let mut out = Map::new();
    for e in s.crossings() {
        let (c, mode, ca) = split_id(a, &e.id);
        let mut m = Map::new();
        m.insert("crossing".into(), json!(c));
        m.insert("name".into(), json!(ca.map_or(c, |x| x.name.as_str())));
        m.insert(
            "direction".into(),
            ca.and_then(|x| x.direction.clone())
                .map_or(Value::Null, Value::String),
        );
        m.insert("mode".into(), json!(mode));
        for (name, cell) in &e.metrics {
            let x = &cell.estimate;
            m.insert(
                name.clone(),
                json!({ "mean": json_num(x.mean), "ci95": json_num(x.ci95), "n": x.n }),
            );
        }
        if let Some(j) = judge(e) {
            m.insert("overloaded".into(), json!(j.overloaded));
            m.insert("overload_reasons".into(), json!(j.reasons));
        }
        out.insert(e.id.clone(), Value::Object(m));
    }
    Value::Object(out)
}
