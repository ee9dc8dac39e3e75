//! Routes: a flow's (or an alternative's) node ids resolved to nodes, with the travel times
//! between them.

use std::collections::HashMap;

use crate::dist::Dist;
use crate::model::{CheckpointSpec, Mode, NodeKind, StageSpec};

use super::error::{Checker, FieldPath};
use super::value::dist_or_duration;

/// What checking a route needs to know about the flow and the network.
#[derive(Clone, Copy)]
pub(super) struct RouteCtx<'a> {
    /// The flow's mode, if it is a known one.
    pub(super) mode: Option<Mode>,
    /// The flow's mode as written.
    pub(super) mode_name: &'a str,
    /// The flow's class index.
    pub(super) class: u16,
    /// The flow's class id.
    pub(super) class_name: &'a str,
    /// Each link's mode, by link id.
    pub(super) link_modes: &'a HashMap<&'a str, &'a str>,
    /// Node index by id (checkpoints, terminals and links).
    pub(super) cp_index: &'a HashMap<String, u32>,
    /// The stages built so far.
    pub(super) stages: &'a [StageSpec],
    /// The nodes built so far.
    pub(super) checkpoints: &'a [CheckpointSpec],
}

/// A route (node ids under `p.route`) and its travel times (under `p.travel`), checked: known
/// nodes, none twice, lanes that serve the class, links of the flow's mode.
pub(super) fn build_route(
    ck: &mut Checker,
    p: &FieldPath,
    route_ids: &[String],
    travel_raw: &Option<Vec<toml::Value>>,
    rc: RouteCtx,
) -> (Vec<u32>, Vec<Option<Dist>>) {
    let mut route = Vec::new();
    if route_ids.is_empty() {
        ck.report(
            &p.key("route"),
            "empty route: list at least one checkpoint id",
        );
    }
    super::check::route_length(ck, &p.key("route"), route_ids.len());
    for (i, id) in route_ids.iter().enumerate() {
        match rc.cp_index.get(id) {
            Some(&c) => {
                if route.contains(&c) {
                    ck.report(
                        &p.key("route").index(i),
                        format!("\"{id}\" appears twice in the route"),
                    );
                }
                route.push(c);
                class_served(ck, &p.key("route").index(i), id, c, rc);
            }
            None => {
                let mut known: Vec<&String> = rc.cp_index.keys().collect();
                known.sort();
                ck.report(
                    &p.key("route").index(i),
                    format!(
                        "unknown checkpoint, link or terminal \"{id}\" (known: {})",
                        known
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }
    let mut travel: Vec<Option<Dist>> = vec![None; route_ids.len().max(1)];
    if let Some(list) = travel_raw {
        if list.len() + 1 != route_ids.len() {
            ck.report(
                &p.key("travel"),
                format!(
                    "needs one travel time between each pair of consecutive checkpoints: {} for a route of {}, got {}",
                    route_ids.len().saturating_sub(1),
                    route_ids.len(),
                    list.len()
                ),
            );
        } else {
            for (i, v) in list.iter().enumerate() {
                travel[i + 1] = dist_or_duration(ck, &p.key("travel").index(i), v);
            }
        }
    }
    link_modes(ck, p, route_ids, rc);
    (route, travel)
}

/// Every stage of node `node` (route entry `at`, id `id`) has a lane the route's class may use:
/// a class that no lane of a stage may serve would wait forever.
fn class_served(ck: &mut Checker, at: &FieldPath, id: &str, node: u32, rc: RouteCtx) {
    for &s in &rc.checkpoints[node as usize].stages {
        let st = &rc.stages[s as usize];
        if !st
            .groups
            .iter()
            .any(|g| g.class_mask & (1u64 << rc.class) != 0)
        {
            ck.report(
                at,
                format!(
                    "class \"{}\" cannot be served at {}/{}: all its lanes are reserved for other classes",
                    rc.class_name, id, st.id
                ),
            );
        }
    }
}

/// Links carry one mode each: a route (under `p.route`) uses only links of its flow's mode.
fn link_modes(ck: &mut Checker, p: &FieldPath, route_ids: &[String], rc: RouteCtx) {
    let Some(m) = rc.mode else {
        return;
    };
    for (i, id) in route_ids.iter().enumerate() {
        if let Some(&c) = rc.cp_index.get(id)
            && rc.checkpoints[c as usize].kind == NodeKind::Link
        {
            let link_mode = rc.link_modes.get(id.as_str()).copied().unwrap_or("");
            let ok = matches!(
                (m, link_mode),
                (Mode::Train, "rail") | (Mode::Truck, "road") | (Mode::Barge, "river")
            );
            if !ok {
                ck.report(
                    &p.key("route").index(i),
                    format!("a {} cannot use {link_mode} link \"{id}\"", rc.mode_name),
                );
            }
        }
    }
}
