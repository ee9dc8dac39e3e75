//! `[[crossings]]`: named stretches of routes whose crossing time is reported, checked — a
//! unique id without "/", a non-empty name and direction where given, at least one node, known
//! nodes each listed once, some flow's route passing them in their order, no route touching a
//! crossing's nodes other than by passing them all in order, and no route that two crossings
//! claim alike (see [`crate::model::route_runs`]).

use std::collections::{HashMap, HashSet};

use crate::model::{CrossingSpec, FlowSpec, RouteConflict, route_runs};

use super::error::{Checker, FieldPath, closest};
use super::raw::RawCrossing;

/// The crossings of `raw`, checked against the nodes (`cp_index`: node id → index) and the
/// built flows; `None` if any has a problem (reported in `ck`).
pub(super) fn build_crossings(
    ck: &mut Checker,
    raw: &[RawCrossing],
    cp_index: &HashMap<String, u32>,
    flows: &[FlowSpec],
) -> Option<Vec<CrossingSpec>> {
    let mut ok = true;
    let mut ids: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, c) in raw.iter().enumerate() {
        let p = FieldPath::default().key("crossings").index(i);
        if c.id.trim().is_empty() {
            ck.report(&p.key("id"), "must not be empty");
            ok = false;
        } else if c.id.contains('/') {
            ck.report(
                &p.key("id"),
                format!(
                    "crossing id \"{}\" contains \"/\": the KPI rows are \"<crossing>/<mode>\", \
                     so the id must not",
                    c.id
                ),
            );
            ok = false;
        } else if !ids.insert(c.id.as_str()) {
            ck.report(&p.key("id"), format!("duplicate crossing id \"{}\"", c.id));
            ok = false;
        }
        for (key, v) in [("name", &c.name), ("direction", &c.direction)] {
            if v.as_ref().is_some_and(|v| v.trim().is_empty()) {
                ck.report(
                    &p.key(key),
                    "must not be empty (leave it out for the default)",
                );
                ok = false;
            }
        }
        if c.nodes.is_empty() {
            ck.report(
                &p.key("nodes"),
                "must list at least one node (checkpoint, link or terminal) of the crossing",
            );
            ok = false;
        }
        let mut nodes = Vec::with_capacity(c.nodes.len());
        let mut seen: HashSet<&str> = HashSet::new();
        for (j, n) in c.nodes.iter().enumerate() {
            let np = p.key("nodes").index(j);
            if !seen.insert(n.as_str()) {
                ck.report(
                    &np,
                    format!("node \"{n}\" is listed twice: a vehicle passes each node of a crossing once"),
                );
                ok = false;
                continue;
            }
            match cp_index.get(n) {
                Some(&x) => nodes.push(x),
                None => {
                    let hint = closest(n, cp_index.keys().map(String::as_str))
                        .map(|c| format!(" (did you mean \"{c}\"?)"))
                        .unwrap_or_default();
                    ck.report(
                        &np,
                        format!("unknown node \"{n}\": not a checkpoint, link or terminal{hint}"),
                    );
                    ok = false;
                }
            }
        }
        out.push(CrossingSpec {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or_else(|| c.id.clone()),
            direction: c.direction.clone(),
            nodes,
        });
    }
    // Routes are checked against crossings only once everything else converted.
    if !ok || !ck.is_clean() {
        return None;
    }
    // Every crossing is passed by some route in its order; a route passes a crossing's nodes all,
    // in order, or none (unless another crossing it passes whole claims them); no route is
    // claimed alike twice.
    let mut passed = vec![false; out.len()];
    let mut reported = vec![false; out.len()];
    let node_id = |n: u32| {
        cp_index
            .iter()
            .find(|(_, x)| **x == n)
            .map_or("?", |(id, _)| id.as_str())
    };
    let list = |ids: &mut dyn Iterator<Item = &str>| {
        let ids: Vec<String> = ids.map(|n| format!("\"{n}\"")).collect();
        format!("[{}]", ids.join(", "))
    };
    for f in flows {
        match route_runs(&out, &f.route) {
            Ok(runs) => runs.iter().for_each(|r| passed[r.crossing as usize] = true),
            Err(RouteConflict::Ambiguous(a)) => {
                let node = &raw[a.other as usize].nodes;
                let shared = f.route.get(a.leg as usize).map_or("?", |&n| node_id(n));
                let j = node.iter().position(|n| n == shared).unwrap_or(0);
                ck.report(
                    &FieldPath::default()
                        .key("crossings")
                        .index(a.other as usize)
                        .key("nodes")
                        .index(j),
                    format!(
                        "flow \"{}\" passes node \"{shared}\" as part of crossing \"{}\" and of \
                         crossing \"{}\" alike: a leg of a route belongs to one crossing; list \
                         the node in one of them, or more of the route's nodes in the one it \
                         belongs to",
                        f.id, raw[a.kept as usize].id, raw[a.other as usize].id
                    ),
                );
                ok = false;
            }
            Err(RouteConflict::Partial(p)) => {
                let c = p.crossing as usize;
                reported[c] = true;
                let node = f.route.get(p.leg as usize).map_or("?", |&n| node_id(n));
                ck.report(
                    &FieldPath::default().key("crossings").index(c).key("nodes"),
                    format!(
                        "flow \"{}\" (route {}) passes node \"{node}\" of crossing \"{}\" but \
                         not all its nodes {} in this order: a crossing time runs from the \
                         crossing's first node to its last, so a route passes all of them in \
                         order or none (except nodes of another crossing that the route passes whole); \
                         list the nodes in the order vehicles pass them, or declare \
                         the stretch this route passes as a crossing of its own",
                        f.id,
                        list(&mut f.route.iter().map(|&n| node_id(n))),
                        raw[c].id,
                        list(&mut raw[c].nodes.iter().map(String::as_str)),
                    ),
                );
                ok = false;
            }
        }
    }
    for (i, p) in passed.iter().enumerate() {
        if !p && !reported[i] {
            ck.report(
                &FieldPath::default().key("crossings").index(i).key("nodes"),
                format!(
                    "no flow's route passes the nodes of crossing \"{}\" in this order (list \
                     them in the order vehicles pass them)",
                    raw[i].id
                ),
            );
            ok = false;
        }
    }
    ok.then_some(out)
}
