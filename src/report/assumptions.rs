//! The assumptions behind the numbers, laid out for people: per stage its servers, hours on its
//! own clock, quota, buffer and mean service; per link its paths, hours and travel; per flow its
//! mode, class, load and demand. As text (a run's output, the baseline of a sweep) and as HTML
//! tables (the report's header), and as the list of what a sweep point changed from the
//! baseline — all from [`Assumptions`], which the model gave.

use std::fmt::Write as _;

use super::html::esc;
use super::modes::Traffic;
use crate::kpi::{Assumptions, NodeAssumptions, StageAssumptions, count_words, dur_words, num};
use crate::sweep::plan::Plan;

/// One table of assumptions: title, column headers, rows (key, cells).
struct Table {
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<(String, Vec<String>)>,
}

/// "-" for nothing, else the value.
fn or_dash(x: Option<String>) -> String {
    x.unwrap_or_else(|| "-".into())
}

/// The vehicle a stage serves, singular ("truck"), for "per truck".
fn one_vehicle(node: &NodeAssumptions) -> &'static str {
    match Traffic::of(&node.modes) {
        Traffic::Trucks => "truck",
        Traffic::Trains => "train",
        Traffic::Barges => "barge",
        Traffic::Mixed => "vehicle",
    }
}

fn stage_row(node: &NodeAssumptions, s: &StageAssumptions) -> (String, Vec<String>) {
    let servers = match &s.lanes_by_hour {
        Some(h) => format!("{} by hour: {h}", s.unit),
        None => count_words(s.servers, &s.unit),
    };
    let mut hours = s.hours.clone();
    if let Some(d) = &s.opens {
        hours.push_str(&format!("; opens {d}"));
    }
    let per = match s.service_per.as_str() {
        "vehicle" => one_vehicle(node),
        other => other,
    };
    let mut quota = s.daily_quota.map(|q| q.to_string());
    if let Some(w) = s.daily_quota_wagons {
        quota = Some(format!(
            "{}{w} wagons",
            quota.map_or(String::new(), |q| q + ", ")
        ));
    }
    let mut also = Vec::new();
    if !s.priority.is_empty() {
        also.push(format!("priority {} first", s.priority.join(", then ")));
    }
    for r in &s.reserved {
        also.push(format!("{r} only"));
    }
    if let Some(i) = &s.inspection {
        also.push(format!("inspection {i}"));
    }
    if let Some(r) = s.handling_rate_tph {
        also.push(format!("handling {} t/h", num(r)));
    }
    if let Some(t) = &s.travel {
        also.push(format!("travel to it {t}"));
    }
    also.extend(s.changes.iter().cloned());
    (
        format!("{}/{}", node.id, s.id),
        vec![
            servers,
            hours,
            s.clock.clone(),
            or_dash(quota),
            or_dash(s.buffer.map(|b| b.to_string())),
            format!("{} per {per}", dur_words(s.service_mean_min * 60_000.0)),
            s.service.clone(),
            if also.is_empty() {
                "-".into()
            } else {
                also.join("; ")
            },
        ],
    )
}

fn link_row(node: &NodeAssumptions) -> Option<(String, Vec<String>)> {
    let s = node.stages.first()?;
    let mode = match Traffic::of(&node.modes) {
        Traffic::Trucks => "road",
        Traffic::Trains => "rail",
        Traffic::Barges => "river",
        Traffic::Mixed => "-",
    };
    let buffer = match s.buffer {
        Some(0) => "none (held at the node before)".to_string(),
        Some(b) => b.to_string(),
        None => "unlimited".into(),
    };
    Some((
        node.id.clone(),
        vec![
            mode.into(),
            s.daily_quota
                .map_or_else(|| "unlimited".into(), |q| q.to_string()),
            s.hours.clone(),
            s.clock.clone(),
            buffer,
            s.service.clone(),
        ],
    ))
}

/// The tables of `a`: stages of checkpoints and terminals, links, flows.
fn tables(a: &Assumptions) -> Vec<Table> {
    let stages = a
        .nodes
        .iter()
        .filter(|n| n.kind != "link")
        .flat_map(|n| n.stages.iter().map(move |s| stage_row(n, s)))
        .collect();
    let links: Vec<(String, Vec<String>)> = a
        .nodes
        .iter()
        .filter(|n| n.kind == "link")
        .filter_map(link_row)
        .collect();
    let flows = a
        .flows
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                vec![
                    f.mode.clone(),
                    f.class.clone(),
                    f.load.clone(),
                    f.demand.clone(),
                    or_dash(f.per_day.map(num)),
                    f.route.join(" → "),
                ],
            )
        })
        .collect();
    let mut out = vec![Table {
        title: "stage",
        headers: vec![
            "servers",
            "hours (its clock)",
            "clock",
            "quota/day",
            "buffer",
            "mean service",
            "service time",
            "also",
        ],
        rows: stages,
    }];
    if !links.is_empty() {
        out.push(Table {
            title: "link",
            headers: vec![
                "mode",
                "paths/day",
                "hours (its clock)",
                "clock",
                "siding",
                "travel",
            ],
            rows: links,
        });
    }
    out.push(Table {
        title: "flow",
        headers: vec![
            "mode",
            "class",
            "per vehicle",
            "demand",
            "mean/day",
            "route",
        ],
        rows: flows,
    });
    out
}

/// The assumptions as aligned text, each line indented two spaces (so no line starts with an
/// entity id, as the result rows do).
pub fn text(a: &Assumptions, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{title} (hours on each stage's own clock; reference clock {}):",
        a.reference_clock
    );
    for t in tables(a) {
        // The distribution in words is for the report; text keeps to the mean.
        let keep: Vec<bool> = t.headers.iter().map(|h| *h != "service time").collect();
        let row = |k: &str, cells: Vec<String>| -> Vec<String> {
            std::iter::once(k.to_string())
                .chain(
                    cells
                        .into_iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(c, _)| c),
                )
                .collect()
        };
        let mut grid: Vec<Vec<String>> = vec![row(
            t.title,
            t.headers.iter().map(|h| h.to_string()).collect(),
        )];
        grid.extend(t.rows.iter().map(|(k, cells)| row(k, cells.clone())));
        let widths: Vec<usize> = (0..grid[0].len())
            .map(|i| grid.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &grid {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(v, w)| format!("{v}{}", " ".repeat(w - v.chars().count())))
                .collect();
            let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
        }
    }
    out.push('\n');
    out
}

/// The assumptions as HTML tables (class `assumptions`), with a heading.
pub fn html(a: &Assumptions, heading: &str) -> String {
    let mut out = format!(
        "<section id=\"assumptions\"><h2>{}</h2>\n<p class=\"how\"><b>How to read:</b> what was \
         simulated, from the scenario as run. Hours, lane schedules and quota days are on each \
         stage's own clock (its UTC offset); the reference clock is {}.</p>\n",
        esc(heading),
        esc(&a.reference_clock)
    );
    for t in tables(a) {
        let _ = write!(
            out,
            "<table class=\"assumptions\"><thead><tr><th class=\"label\">{}</th>",
            esc(t.title)
        );
        for h in &t.headers {
            let _ = write!(out, "<th class=\"label\">{}</th>", esc(h));
        }
        out.push_str("</tr></thead><tbody>\n");
        for (k, cells) in &t.rows {
            let _ = write!(out, "<tr><td class=\"label\">{}</td>", esc(k));
            for v in cells {
                // Short cells stay on one line; long ones (hours, demand, route) wrap.
                let class = if v.chars().count() > 24 {
                    "text"
                } else {
                    "label"
                };
                let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(v));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The parts of `old` and `new` ("; "-separated) that differ, the common ones left out:
/// "08:30-12:00; closed 05-01" → "24/7; closed 05-01" reads "08:30-12:00 → 24/7".
fn differing(old: &str, new: &str) -> (String, String) {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.split("; ").collect(), new.split("; ").collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let part = |v: &[&str]| {
        let p = v[head..v.len() - tail].join("; ");
        if p.is_empty() { "-".to_string() } else { p }
    };
    (part(&a), part(&b))
}

/// `s` with every number replaced by "#": two demands alike but for their rates compare equal.
fn shape(s: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for ch in s.chars() {
        let digit = ch.is_ascii_digit() || (in_number && ch == '.');
        if digit && !in_number {
            out.push('#');
        } else if !digit {
            out.push(ch);
        }
        in_number = digit;
    }
    out
}

/// What `point` changed from `base`: one line per change, the entities that changed alike
/// together ("hours (its clock): 08:30-12:00 → 24/7 at kalzhat/kz-exit, bakhty/kz-exit"); a
/// demand scaled but otherwise the same shows as its mean per day. Empty when nothing changed.
pub fn changes(base: &Assumptions, point: &Assumptions) -> Vec<String> {
    let (bt, pt) = (tables(base), tables(point));
    // (header, old, new) → entities, in first-seen order.
    let mut found: Vec<((String, String, String), Vec<String>)> = Vec::new();
    let mut out = Vec::new();
    // Demand scaled alike for every flow (a demand axis): one line, not one per flow.
    let scale = common_scale(base, point);
    if let (Some(k), Some(b), Some(p)) = (scale, base.flows.first(), point.flows.first()) {
        out.push(format!(
            "mean/day ×{} for every flow (as {}: {} → {})",
            num(k),
            b.id,
            or_dash(b.per_day.map(num)),
            or_dash(p.per_day.map(num))
        ));
    }
    for p in &pt {
        let Some(b) = bt.iter().find(|b| b.title == p.title) else {
            continue;
        };
        for (key, _) in b
            .rows
            .iter()
            .filter(|(k, _)| !p.rows.iter().any(|r| r.0 == *k))
        {
            out.push(format!("{} {key}: removed", p.title));
        }
        for (key, cells) in &p.rows {
            let Some((_, old)) = b.rows.iter().find(|(k, _)| k == key) else {
                out.push(format!("{} {key}: added", p.title));
                continue;
            };
            for ((h, was), now) in p.headers.iter().zip(old).zip(cells) {
                if was == now
                    || (*h == "demand" && shape(was) == shape(now))
                    || (*h == "mean/day" && scale.is_some())
                {
                    continue;
                }
                let (was, now) = differing(was, now);
                let change = (h.to_string(), was, now);
                match found.iter_mut().find(|(c, _)| *c == change) {
                    Some((_, keys)) => keys.push(key.clone()),
                    None => found.push((change, vec![key.clone()])),
                }
            }
        }
    }
    for ((h, was, now), keys) in found {
        out.push(match keys.as_slice() {
            [one] => format!("{one} {h}: {was} → {now}"),
            _ => format!("{h}: {was} → {now} at {}", keys.join(", ")),
        });
    }
    out
}

/// The factor by which every flow's mean demand per day changed from `base` to `point`, if it is
/// one factor other than 1 for all (to a millionth) and every flow has a demand of its own.
fn common_scale(base: &Assumptions, point: &Assumptions) -> Option<f64> {
    if base.flows.len() != point.flows.len() {
        return None;
    }
    let ratios: Option<Vec<f64>> = base
        .flows
        .iter()
        .zip(&point.flows)
        .map(|(b, p)| match (b.per_day, p.per_day) {
            (Some(x), Some(y)) if b.id == p.id && x > 0.0 => Some(y / x),
            _ => None,
        })
        .collect();
    let ratios = ratios?;
    let k = *ratios.first()?;
    let alike = ratios.iter().all(|r| (r - k).abs() <= 1e-6 * k.abs());
    (alike && (k - 1.0).abs() > 1e-9).then_some(k)
}

/// True if `a` and `b` have the same stages, links and flows (a sweep's points; two scenarios
/// compared may not), so that what changed between them reads as a list of changes.
pub fn same_entities(a: &Assumptions, b: &Assumptions) -> bool {
    let keys = |x: &Assumptions| -> Vec<(&'static str, String)> {
        tables(x)
            .into_iter()
            .flat_map(|t| t.rows.into_iter().map(move |(k, _)| (t.title, k)))
            .collect()
    };
    keys(a) == keys(b)
}

/// The assumptions of a sweep's baseline point (else its first valid point) as text, then what
/// each other valid point changed from them.
pub fn plan_text(plan: &Plan) -> String {
    let models: Vec<(usize, Assumptions)> = plan
        .points
        .iter()
        .filter_map(|p| Some((p.index, Assumptions::of(p.model.as_ref().ok()?))))
        .collect();
    let base_index = plan
        .baseline
        .filter(|b| models.iter().any(|(i, _)| i == b))
        .or_else(|| models.first().map(|(i, _)| *i));
    let Some(b) = base_index else {
        return String::new();
    };
    let Some((_, base)) = models.iter().find(|(i, _)| *i == b) else {
        return String::new();
    };
    let mut out = String::from("\n");
    out.push_str(&text(
        base,
        &format!("what was simulated at {}", plan.points[b].label),
    ));
    let mut lines = String::new();
    // With input sets, the policies at the first one: the others differ by the drawn inputs.
    let first_draw = |i: usize| {
        plan.uncertainty
            .as_ref()
            .is_none_or(|u| i.is_multiple_of(u.draws))
    };
    for (i, a) in models.iter().filter(|(i, _)| *i != b && first_draw(*i)) {
        if !same_entities(base, a) {
            // Another scenario (compare A B): its own tables, not a list of differences.
            out.push_str(&text(
                a,
                &format!("what was simulated at {}", plan.points[*i].label),
            ));
            continue;
        }
        let c = changes(base, a);
        let _ = writeln!(lines, "  {}:", plan.points[*i].label);
        if c.is_empty() {
            let _ = writeln!(lines, "    nothing in these tables");
        }
        for line in c {
            let _ = writeln!(lines, "    {line}");
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(
            out,
            "what each point changes from {}:",
            plan.points[b].label
        );
        out.push_str(&lines);
    }
    if let Some(u) = &plan.uncertainty {
        let _ = writeln!(
            out,
            "  (points at draw=2…{} change the uncertain inputs as well: see the robustness \
             section and draws.csv)",
            u.draws
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_differing_parts_of_a_change_are_shown() {
        assert_eq!(
            differing("08:30-12:00; closed 05-01", "24/7; closed 05-01"),
            ("08:30-12:00".into(), "24/7".into())
        );
        assert_eq!(
            differing("24/7", "24/7; closed 05-01"),
            ("-".into(), "closed 05-01".into())
        );
        assert_eq!(
            shape("Poisson, 28.1/h = 675/day with an hour-of-day profile"),
            shape("Poisson, 56.2/h = 1350/day with an hour-of-day profile")
        );
        assert_ne!(shape("Poisson, 9/h"), shape("timetable every 2 h"));
    }
}
