//! The report's parts that depend on the modes and assumptions of the scenario: the assumptions
//! in the header (and, in a sweep, what each point changed), the served columns of the
//! comparison table by mode, each checkpoint's columns and stage line in its own units, and the
//! sections for terminals, links, flows and cargo classes (so a port, a river link and the
//! perishables have a place in the report).

use std::fmt::Write as _;

use super::badge;
use super::data::ReportData;
use super::esc;
use super::page::fmt_est;
use crate::kpi::{Assumptions, CheckpointInfo, EntityKind, count_words};
use crate::report::assumptions;
use crate::report::modes::{self, Col, Traffic};
use crate::report::overload::overloaded;

/// The assumptions of the reference point (the baseline, or the only or first point).
pub(super) fn reference(d: &ReportData) -> Option<&Assumptions> {
    d.points
        .get(d.baseline.unwrap_or(0))
        .and_then(|p| p.assumptions.as_ref())
}

/// The served columns of the comparison table: one per mode where the scenario has several
/// (never one "trucks/day" over trucks, trains and barges), else served in the mode's unit.
pub(super) fn served_cols(d: &ReportData) -> Vec<(String, &'static str)> {
    let a = reference(d);
    let modes = a.map(|a| a.modes()).unwrap_or_default();
    let by_mode = modes::system_mode_cols(&modes);
    // Results written before per-mode counts were kept lack them: say "vehicles" instead.
    let have = |kpi: &str| d.points.iter().any(|p| p.system(kpi).is_some());
    if modes.len() > 1 && by_mode.iter().all(|c| have(c.kpi)) {
        by_mode
            .into_iter()
            .map(|c| (c.header.replace(" [", "<br>["), c.kpi))
            .collect()
    } else {
        let noun = modes::scenario_traffic(a).noun();
        vec![(format!("Served<br>[{noun}/day]"), "served_per_day")]
    }
}

/// "trucks", "trains", "barges" or "vehicles": what the scenario's served counts count.
pub(super) fn scenario_noun(d: &ReportData) -> &'static str {
    modes::scenario_traffic(reference(d)).noun()
}

/// The vehicles of node `id`: "trucks", "trains", "barges", or "vehicles" where its modes are
/// mixed or not known.
pub(super) fn vehicle_noun(d: &ReportData, id: &str) -> &'static str {
    modes::node_traffic(reference(d), id).noun()
}

/// True if the road queue in km means something for the scenario (some node carries trucks
/// only, or the modes are not known).
pub(super) fn has_road(d: &ReportData) -> bool {
    reference(d).is_none_or(|a| {
        a.nodes
            .iter()
            .any(|n| Traffic::of(&n.modes) == Traffic::Trucks)
    })
}

/// The assumptions that describe node `id`: the reference point's, or else those of the first
/// point that has it (scenario B's own node in `compare`).
fn with_node<'a>(d: &'a ReportData, id: &str) -> Option<&'a Assumptions> {
    d.describing(|a| a.node(id).is_some())
}

/// As [`with_node`], for flow `id`.
fn with_flow<'a>(d: &'a ReportData, id: &str) -> Option<&'a Assumptions> {
    d.describing(|a| a.flow(id).is_some())
}

/// The columns of a checkpoint's table, in its own terms.
pub(super) fn node_cols(d: &ReportData, id: &str) -> Vec<Col> {
    let a = with_node(d, id);
    modes::node_html(modes::node_traffic(a, id), a.and_then(|a| a.node(id)))
}

/// The stages of `cp` in words, their servers in their own unit: "tracks (3 tracks) → customs
/// (1 lane, …)".
pub(super) fn stage_line(d: &ReportData, cp: &CheckpointInfo) -> String {
    let node = with_node(d, &cp.id).and_then(|a| a.node(&cp.id));
    cp.stages
        .iter()
        .map(|s| {
            let unit = node
                .and_then(|n| n.stages.iter().find(|x| x.id == s.id))
                .map_or("lanes", |x| x.unit.as_str());
            let mut q = s
                .daily_quota
                .map_or(String::new(), |q| format!(", quota {q}/day"));
            if let Some(b) = s.buffer {
                q.push_str(&format!(", {b} places in front"));
            }
            match &s.lanes_by_hour {
                Some(h) => format!("{} ({unit} by hour: {}{q})", esc(&s.id), esc(h)),
                None => format!("{} ({}{q})", esc(&s.id), esc(&count_words(s.lanes, unit))),
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The assumptions of the reference point and, in a sweep, what each point changed.
pub(super) fn assumptions_section(out: &mut String, d: &ReportData) {
    let Some(a) = reference(d) else {
        return;
    };
    let r = d.baseline.unwrap_or(0);
    let heading = if d.points.len() > 1 {
        format!("What was simulated at {}", d.points[r].label())
    } else {
        "What was simulated".to_string()
    };
    let mut section = assumptions::html(a, &heading);
    let mut changed = String::new();
    let mut others = String::new();
    for (_, p) in d.points.iter().enumerate().filter(|(i, _)| *i != r) {
        let Some(pa) = &p.assumptions else { continue };
        if !assumptions::same_entities(a, pa) {
            // Another scenario (compare A B): its own tables.
            others.push_str(&assumptions::html(
                pa,
                &format!("What was simulated at {}", p.label()),
            ));
            continue;
        }
        let lines = assumptions::changes(a, pa);
        let _ = write!(changed, "<li><b>{}</b>", esc(p.label()));
        if lines.is_empty() {
            changed.push_str(": nothing in the tables above");
        } else {
            changed.push_str("<ul>");
            for l in &lines {
                let _ = write!(changed, "<li>{}</li>", esc(l));
            }
            changed.push_str("</ul>");
        }
        changed.push_str("</li>\n");
    }
    if !changed.is_empty() {
        let close = section.len() - "</section>\n".len();
        section.insert_str(
            close,
            &format!(
                "<h3>What each point changes from {}</h3>\n<ul class=\"changes\">\n{changed}</ul>\n",
                esc(d.points[r].label())
            ),
        );
    }
    out.push_str(&section);
    out.push_str(&others.replace("<section id=\"assumptions\">", "<section>"));
}

/// A table of entities of one kind: one row per entity and point (ranked), in `cols`.
fn entity_table(out: &mut String, d: &ReportData, kind: EntityKind, ids: &[&str], cols: &[Col]) {
    if ids.is_empty() {
        return;
    }
    let reps = d.replications as usize;
    let many = d.points.len() > 1;
    let _ = write!(
        out,
        "<table class=\"{}\"><thead><tr><th class=\"label\">{}</th>",
        kind.as_str(),
        match kind {
            EntityKind::Link => "Link",
            EntityKind::Terminal => "Terminal",
            EntityKind::Flow => "Flow",
            _ => "Class",
        }
    );
    if many {
        out.push_str("<th class=\"label\">Point</th>");
    }
    for c in cols {
        let _ = write!(out, "<th>{}</th>", esc(&c.header));
    }
    out.push_str("</tr></thead><tbody>\n");
    for id in ids {
        for i in d.ranked() {
            let p = &d.points[i];
            // Links and terminals are judged themselves, flows and classes by the nodes their
            // vehicles pass (see `kpi::judge`).
            let over = p.estimates.entity(kind, id).is_some_and(overloaded);
            let _ = write!(
                out,
                "<tr><td class=\"label\">{}{}</td>",
                esc(id),
                badge::badge_if(over)
            );
            if many {
                let _ = write!(out, "<td class=\"label\">{}</td>", esc(p.label()));
            }
            for c in cols {
                let k = p.cell(kind, id, c.kpi);
                let _ = write!(
                    out,
                    "<td>{}{}</td>",
                    fmt_est(k, c.kpi, c.scale, reps),
                    badge::grows_if(over, c.kpi)
                );
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n");
}

/// The ids of the entities of `kind`: the reference point's in order, then those only other
/// points have (scenario B's own in `compare`).
fn ids(d: &ReportData, kind: EntityKind) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in d.reference_first() {
        for e in p.estimates.of_kind(kind) {
            if !out.contains(&e.id.as_str()) {
                out.push(&e.id);
            }
        }
    }
    out
}

/// Sections for terminals (ports), links (rail, river, road), flows and cargo classes.
pub(super) fn other_sections(out: &mut String, d: &ReportData) {
    let a = reference(d);
    let groups = [
        Traffic::Trucks,
        Traffic::Trains,
        Traffic::Barges,
        Traffic::Mixed,
    ];
    let terminals = ids(d, EntityKind::Terminal);
    if !terminals.is_empty() {
        out.push_str(
            "<section id=\"terminals\"><h2>Terminals</h2>\n<p class=\"how\"><b>How to read:</b> \
             where cargo changes mode (a river port unloading barges onto trains); each in the \
             units of the vehicles it serves, mean ± 95% half-width.</p>\n",
        );
        for t in groups {
            let part: Vec<&str> = terminals
                .iter()
                .copied()
                .filter(|id| modes::node_traffic(with_node(d, id), id) == t)
                .collect();
            let node = part
                .first()
                .and_then(|id| with_node(d, id).and_then(|a| a.node(id)));
            entity_table(
                out,
                d,
                EntityKind::Terminal,
                &part,
                &modes::node_html(t, node),
            );
        }
        out.push_str("</section>\n");
    }
    let links = ids(d, EntityKind::Link);
    for (t, title, id) in [
        (Traffic::Trains, "Rail links", "rail-links"),
        (Traffic::Barges, "River links", "river-links"),
        (Traffic::Trucks, "Road links", "road-links"),
        (Traffic::Mixed, "Links", "links"),
    ] {
        let part: Vec<&str> = links
            .iter()
            .copied()
            .filter(|l| modes::node_traffic(with_node(d, l), l) == t)
            .collect();
        if part.is_empty() {
            continue;
        }
        let how = match t {
            Traffic::Trains => {
                "the wait for a path (a departure the line's paths per day and hours allow; a \
                 train without a siding waits for it on its station track, and that time counts \
                 here) apart from the travel itself"
            }
            Traffic::Barges => {
                "the wait for a lock or path (a departure the river's paths per day, hours and \
                 navigation season allow) apart from the travel itself"
            }
            _ => "the wait to enter apart from the travel itself",
        };
        let _ = write!(
            out,
            "<section id=\"{id}\"><h2>{title}</h2>\n<p class=\"how\"><b>How to read:</b> {how}; \
             mean ± 95% half-width.</p>\n"
        );
        let facts: Vec<String> = part
            .iter()
            .filter_map(|l| {
                let s = with_node(d, l)?.node(l)?.stages.first()?;
                let paths = s
                    .daily_quota
                    .map_or_else(|| "no limit of paths".into(), |q| format!("{q} paths/day"));
                Some(format!(
                    "{}: {paths}; open {} ({}); travel {}",
                    esc(l),
                    esc(&s.hours),
                    esc(&s.clock),
                    esc(&s.service)
                ))
            })
            .collect();
        if !facts.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", facts.join("<br>"));
        }
        entity_table(out, d, EntityKind::Link, &part, &modes::link_html(t));
        out.push_str("</section>\n");
    }
    let flows = ids(d, EntityKind::Flow);
    if !flows.is_empty() {
        out.push_str(
            "<section id=\"flows\"><h2>Flows</h2>\n<p class=\"how\"><b>How to read:</b> each flow \
             over its whole route, in the units of its mode; waits are summed over the route. \
             Mean ± 95% half-width.</p>\n",
        );
        for t in groups {
            let part: Vec<&str> = flows
                .iter()
                .copied()
                .filter(|f| modes::flow_traffic(with_flow(d, f), f) == t)
                .collect();
            entity_table(out, d, EntityKind::Flow, &part, &modes::flow_html(t, false));
        }
        out.push_str("</section>\n");
    }
    let classes = ids(d, EntityKind::Class);
    if classes.len() > 1 || classes.iter().any(|c| *c != "general") {
        let t = modes::scenario_traffic(a);
        let _ = write!(
            out,
            "<section id=\"classes\"><h2>Cargo classes</h2>\n<p class=\"how\"><b>How to read:</b> \
             all flows of each class together (perishables against the rest); cargo counted once, \
             where it is delivered{}. Mean ± 95% half-width.</p>\n",
            if t == Traffic::Mixed {
                "; vehicles of every mode together"
            } else {
                ""
            }
        );
        entity_table(
            out,
            d,
            EntityKind::Class,
            &classes,
            &modes::flow_html(t, true),
        );
        out.push_str("</section>\n");
    }
    if let Some(note) = a.and_then(modes::cargo_note) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&note));
    }
}
