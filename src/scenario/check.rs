//! Validation rules that convert nothing: they look at what is written (or already built) and
//! report what cannot work — a scenario without nodes or flows, keys that do not fit a stage's
//! kind, a route a class or mode cannot take, transfers that lead nowhere or loop.

use std::collections::{HashMap, HashSet};

use crate::model::{
    CheckpointSpec, FlowSpec, MAX_ROUTE_NODES, MAX_STAGES_PER_NODE, Mode, StageKind,
};

use super::error::{Checker, FieldPath};
use super::raw::{RawArrivals, RawFlow, RawScenario, RawStage};

/// A scenario needs at least one checkpoint, terminal or link.
pub(super) fn nodes_present(ck: &mut Checker, raw: &RawScenario) {
    if raw.checkpoints.is_empty() && raw.terminals.is_empty() && raw.links.is_empty() {
        ck.report(
            &FieldPath::default().key("checkpoints"),
            "no checkpoints: define at least one [[checkpoints]]",
        );
    }
}

/// A scenario needs at least one flow.
pub(super) fn flows_present(ck: &mut Checker, raw: &RawScenario) {
    if raw.flows.is_empty() {
        ck.report(
            &FieldPath::default().key("flows"),
            "no flows: define at least one [[flows]], or nothing ever arrives",
        );
    }
}

/// At most 64 cargo classes: a lane group's classes are a 64-bit mask.
pub(super) fn class_count(ck: &mut Checker, n: usize) {
    if n > 64 {
        ck.report(
            &FieldPath::default().key("classes"),
            format!("at most 64 cargo classes are supported (found {n})"),
        );
    }
}

/// At most [`MAX_STAGES_PER_NODE`] stages in a node (`cp_p`).
pub(super) fn stage_count(ck: &mut Checker, cp_p: &FieldPath, n: usize) {
    if n > MAX_STAGES_PER_NODE {
        ck.report(
            &cp_p.key("stages"),
            format!("at most {MAX_STAGES_PER_NODE} stages a node are supported (found {n})"),
        );
    }
}

/// At most [`MAX_ROUTE_NODES`] nodes in a route (`route_p`).
pub(super) fn route_length(ck: &mut Checker, route_p: &FieldPath, n: usize) {
    if n > MAX_ROUTE_NODES {
        ck.report(
            route_p,
            format!("at most {MAX_ROUTE_NODES} nodes a route are supported (found {n})"),
        );
    }
}

/// A node (`cp_p`, id `id`) has at most one tracks stage: a train holds one receiving track from
/// its tracks stage until it leaves the node.
pub(super) fn one_tracks_stage(ck: &mut Checker, cp_p: &FieldPath, id: &str, stages: &[RawStage]) {
    let track_stages: Vec<usize> = stages
        .iter()
        .enumerate()
        .filter(|(_, st)| st.kind.as_deref() == Some("tracks"))
        .map(|(i, _)| i)
        .collect();
    for &i in track_stages.iter().skip(1) {
        ck.report(
            &cp_p.key("stages").index(i).key("kind"),
            format!(
                "\"{id}\" already has a tracks stage (\"{}\"): a train holds one receiving track until it leaves",
                stages[track_stages[0]].id
            ),
        );
    }
}

/// A stage counts its servers with the one key its kind uses (`count_key`); `counts` are all
/// the count keys and whether each is given.
pub(super) fn one_count_key(
    ck: &mut Checker,
    p: &FieldPath,
    kind_name: &str,
    count_key: &str,
    counts: &[(&str, bool)],
) {
    for &(key, given) in counts {
        if key != count_key && given {
            ck.report(
                &p.key(key),
                format!(
                    "a \"{kind_name}\" stage counts its servers with `{count_key}`, not `{key}`"
                ),
            );
        }
    }
}

/// An inspection is per vehicle, so not on a pooled stage; reserved lanes only on lanes and
/// berths stages.
pub(super) fn stage_keys_fit_kind(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    kind: StageKind,
    kind_name: &str,
) {
    if kind.is_pooled() && st.inspection.is_some() {
        ck.report(
            &p.key("inspection"),
            "an inspection is per vehicle: put it on a lanes stage, not on a crane or bogie-exchange stage",
        );
    }
    if !matches!(kind, StageKind::Lanes) && !st.reserved_lanes.is_empty() {
        ck.report(
            &p.key("reserved_lanes"),
            format!("applies to lanes and berths stages, not \"{kind_name}\""),
        );
    }
}

/// Wagon keys apply to trains only.
pub(super) fn train_only_keys(ck: &mut Checker, p: &FieldPath, f: &RawFlow) {
    let train_only = [
        ("wagons", f.wagons.is_some()),
        ("containers_per_wagon", f.containers_per_wagon.is_some()),
        ("tonnes_per_container", f.tonnes_per_container.is_some()),
        ("wagon_capacity_teu", f.wagon_capacity_teu.is_some()),
    ];
    for (key, given) in train_only {
        if given {
            ck.report(
                &p.key(key),
                format!("applies to trains, not to a {} flow", f.mode),
            );
        }
    }
}

/// Once terminals hand cargo on (`fed`: the flows some terminal feeds): every "transfer" flow
/// is fed and has no dates of its own, a terminal that hands cargo on ends every route that
/// reaches it (alternatives included), transfers do not loop along any route a flow can take,
/// and a flow that states its box size agrees with the boxes it is handed (boxes keep their
/// size across a transfer: see [`crate::model::spec::split`]).
pub(super) fn transfer_flows(
    ck: &mut Checker,
    raw: &RawScenario,
    net: (&HashMap<String, u32>, &[CheckpointSpec]),
    fed: &HashSet<String>,
    flows: (&[FlowSpec], &HashMap<String, u32>),
) {
    let (cp_index, checkpoints) = net;
    let onward_of = |id: &String| {
        cp_index
            .get(id)
            .and_then(|&n| checkpoints[n as usize].transfer_to)
    };
    for (fi, f) in raw.flows.iter().enumerate() {
        let p = FieldPath::default().key("flows").index(fi);
        if matches!(f.arrivals, RawArrivals::Transfer {}) {
            if !fed.contains(&f.id) {
                ck.report(
                    &p.key("arrivals"),
                    "a \"transfer\" flow needs a terminal with `transfer_to` naming it, or nothing ever arrives",
                );
            }
            if f.value.is_some() {
                ck.report(
                    &p.key("value"),
                    "a \"transfer\" flow carries the cargo it is handed, and its value with it: \
                     give `value` to the flow that feeds the terminal",
                );
            }
            for (key, given) in [("starts", f.starts.is_some()), ("ends", f.ends.is_some())] {
                if given {
                    ck.report(
                        &p.key(key),
                        "a \"transfer\" flow's vehicles leave when cargo reaches its terminal, so it \
                         has no dates of its own: give `starts`/`ends` to the flow that feeds the terminal",
                    );
                }
            }
        }
        for (route_path, route) in routes_of(&p, f) {
            // A terminal that hands cargo on must end the route.
            for (i, id) in route.iter().enumerate() {
                if onward_of(id).is_some() && i + 1 < route.len() {
                    ck.report(
                        &route_path.index(i),
                        format!("terminal \"{id}\" hands its cargo to another flow, so the route must end there"),
                    );
                }
            }
            // Transfers must not loop, along any route of any flow the cargo goes on in.
            if let Some(next) = route.last().and_then(onward_of)
                && reaches(raw, &onward_of, next as usize, fi)
            {
                ck.report(
                    &route_path,
                    "cargo transfers loop back to this flow (terminal transfer_to chain is a cycle)",
                );
            }
        }
    }
    box_sizes_agree(ck, raw, &onward_of, flows);
    onward_capacity(ck, raw, flows);
    bulk_needs_box_tonnes(ck, raw, &onward_of, flows);
}

/// A flow fed by a terminal states how much one of its vehicles takes (`tonnes` or
/// `containers`): else the split of a load over its vehicles is not defined.
fn onward_capacity(
    ck: &mut Checker,
    raw: &RawScenario,
    (flows, flow_index): (&[FlowSpec], &HashMap<String, u32>),
) {
    let spec = |id: &str| flow_index.get(id).and_then(|&i| flows.get(i as usize));
    for (fi, f) in raw.flows.iter().enumerate() {
        let Some(to) = spec(&f.id).filter(|_| matches!(f.arrivals, RawArrivals::Transfer {}))
        else {
            continue;
        };
        if to.containers == 0 && to.tonnes <= 0.0 {
            ck.report(
                &FieldPath::default().key("flows").index(fi).key("arrivals"),
                "a \"transfer\" flow needs `tonnes` or `containers` (for a train, its wagons' \
                 containers or tonnes): how much one of its vehicles takes from the terminal",
            );
        }
    }
}

/// Bulk handed to a flow whose vehicles carry containers is packed into boxes at that flow's
/// tonnes per container; with none stated (0 t) there is no box to pack it in, and the whole load
/// would ride on one vehicle with no containers. Refused where the onward flow is fed bulk: by a
/// flow that carries tonnes and no containers, or by a transfer flow without containers (which
/// may be handing bulk on).
fn bulk_needs_box_tonnes(
    ck: &mut Checker,
    raw: &RawScenario,
    onward_of: &impl Fn(&String) -> Option<u32>,
    (flows, flow_index): (&[FlowSpec], &HashMap<String, u32>),
) {
    let spec = |id: &str| flow_index.get(id).and_then(|&i| flows.get(i as usize));
    let mut reported: HashSet<u32> = HashSet::new();
    for f in &raw.flows {
        let Some(source) = spec(&f.id) else {
            continue;
        };
        let transfer = matches!(f.arrivals, RawArrivals::Transfer {});
        if source.containers > 0 || !(source.tonnes > 0.0 || transfer) {
            continue;
        }
        let p = FieldPath::default();
        for (_, route) in routes_of(&p, f) {
            let Some(next) = route.last().and_then(onward_of) else {
                continue;
            };
            let Some(to_raw) = raw.flows.get(next as usize) else {
                continue;
            };
            let Some(to) = spec(&to_raw.id) else {
                continue;
            };
            if to.containers == 0 || to.tonnes > 0.0 || !reported.insert(next) {
                continue;
            }
            let key = if to.mode == Mode::Train {
                "tonnes_per_container"
            } else {
                "tonnes"
            };
            let terminal = route.last().map(String::as_str).unwrap_or_default();
            let what = if transfer {
                "may hand on bulk".to_string()
            } else {
                format!("brings {} t a vehicle and no containers", source.tonnes)
            };
            ck.report(
                &FieldPath::default().key("flows").index(next as usize).key(key),
                format!(
                    "flow \"{}\" takes bulk at terminal \"{terminal}\" (flow \"{}\" {what}), packed into \
                     its {} containers a vehicle at its tonnes per container, which is 0: state `{key}` \
                     (> 0), or carry no containers",
                    to_raw.id, f.id, to.containers
                ),
            );
        }
    }
}

/// Every route a flow's vehicles may take, with its field path: its own, then its alternatives'.
fn routes_of<'a>(p: &FieldPath, f: &'a RawFlow) -> Vec<(FieldPath, &'a [String])> {
    let mut routes = vec![(p.key("route"), f.route.as_slice())];
    if let Some(ch) = &f.choice {
        for (ai, alt) in ch.alternatives.iter().enumerate() {
            let ap = p.key("choice").key("alternatives").index(ai).key("route");
            routes.push((ap, alt.route.as_slice()));
        }
    }
    routes
}

/// True if cargo handed to flow `from` can come back to flow `to` through terminal transfers,
/// along any route of the flows on the way.
fn reaches(
    raw: &RawScenario,
    onward_of: &impl Fn(&String) -> Option<u32>,
    from: usize,
    to: usize,
) -> bool {
    let mut seen = vec![false; raw.flows.len()];
    let mut todo = vec![from];
    while let Some(f) = todo.pop() {
        if f == to {
            return true;
        }
        if std::mem::replace(&mut seen[f], true) {
            continue;
        }
        let p = FieldPath::default();
        for (_, route) in routes_of(&p, &raw.flows[f]) {
            if let Some(next) = route.last().and_then(onward_of)
                && (next as usize) < raw.flows.len()
            {
                todo.push(next as usize);
            }
        }
    }
    false
}

/// A flow that states `teu_per_container` and is handed boxes of another size would count them
/// at the wrong size (100 boxes of 1 TEU as 200 TEU): refused where the size is stated.
fn box_sizes_agree(
    ck: &mut Checker,
    raw: &RawScenario,
    onward_of: &impl Fn(&String) -> Option<u32>,
    (flows, flow_index): (&[FlowSpec], &HashMap<String, u32>),
) {
    let spec = |id: &str| flow_index.get(id).and_then(|&i| flows.get(i as usize));
    for (fi, f) in raw.flows.iter().enumerate() {
        let Some(source) = spec(&f.id).filter(|s| s.containers > 0) else {
            continue;
        };
        let p = FieldPath::default().key("flows").index(fi);
        let mut onward: Vec<u32> = routes_of(&p, f)
            .iter()
            .filter_map(|(_, r)| r.last().and_then(onward_of))
            .collect();
        onward.sort_unstable();
        onward.dedup();
        for next in onward {
            let Some(to) = raw.flows.get(next as usize) else {
                continue;
            };
            let Some(stated) = to.teu_per_container else {
                continue;
            };
            if (stated - source.teu_per_container).abs() > 1e-9 {
                ck.report(
                    &FieldPath::default()
                        .key("flows")
                        .index(next as usize)
                        .key("teu_per_container"),
                    format!(
                        "flow \"{}\" hands on boxes of {} TEU, and boxes keep their size across a \
                         transfer: state the same teu_per_container here, or leave it out",
                        f.id, source.teu_per_container
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::problems_of;

    #[test]
    fn a_stage_counts_its_servers_with_the_key_of_its_kind() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "yard"

[[checkpoints.stages]]
id = "cranes"
kind = "cranes"
cranes = 2
lanes = 3
service = { dist = "deterministic", value = "1h" }

[[flows]]
id = "f"
mode = "train"
wagons = 10
route = ["yard"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:12:9: checkpoints[0].stages[0].lanes: a "cranes" stage counts its servers with `cranes`, not `lanes`"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn an_inspection_is_not_on_a_pooled_stage() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "yard"

[[checkpoints.stages]]
id = "cranes"
kind = "cranes"
cranes = 2
service = { dist = "deterministic", value = "1h" }
inspection = { probability = 0.1, service = { dist = "deterministic", value = "2h" } }

[[flows]]
id = "f"
mode = "train"
wagons = 10
route = ["yard"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:13:14: checkpoints[0].stages[0].inspection: an inspection is per vehicle: put it on a lanes stage, not on a crane or bogie-exchange stage"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_route_needs_a_lane_its_class_may_use() {
        let got = problems_of(
            r#"
[classes.perishable]

[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
reserved_lanes = { perishable = 1 }
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:19:10: flows[0].route[0]: class "general" cannot be served at gate/booth: all its lanes are reserved for other classes"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_route_uses_links_of_its_mode_only() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[links]]
id = "line"
mode = "rail"
travel = "2h"

[[flows]]
id = "f"
mode = "truck"
route = ["gate", "line"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [r#"t.toml:21:18: flows[0].route[1]: a truck cannot use rail link "line""#];
        assert_eq!(got, want);
    }

    #[test]
    fn wagon_keys_apply_to_trains_only() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
wagons = 3
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [r#"t.toml:16:10: flows[0].wagons: applies to trains, not to a truck flow"#];
        assert_eq!(got, want);
    }

    #[test]
    fn a_terminal_that_hands_cargo_on_ends_the_route() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[terminals]]
id = "port"
transfer_to = "onward"

[[terminals.stages]]
id = "quay"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
route = ["port", "gate"]
arrivals = { process = "poisson", rate = "1/h" }

[[flows]]
id = "onward"
mode = "truck"
tonnes = 20.0
route = ["gate"]
arrivals = { process = "transfer" }
"#,
        );
        let want = [
            r#"t.toml:25:10: flows[0].route[0]: terminal "port" hands its cargo to another flow, so the route must end there"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn transfers_do_not_loop() {
        let got = problems_of(
            r#"
[[terminals]]
id = "a"
transfer_to = "to-b"

[[terminals.stages]]
id = "quay"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[terminals]]
id = "b"
transfer_to = "to-a"

[[terminals.stages]]
id = "quay"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "to-a"
mode = "truck"
tonnes = 20.0
route = ["a"]
arrivals = { process = "transfer" }

[[flows]]
id = "to-b"
mode = "truck"
tonnes = 20.0
route = ["b"]
arrivals = { process = "transfer" }
"#,
        );
        let want = [
            r#"t.toml:27:9: flows[0].route: cargo transfers loop back to this flow (terminal transfer_to chain is a cycle)"#,
            r#"t.toml:34:9: flows[1].route: cargo transfers loop back to this flow (terminal transfer_to chain is a cycle)"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_transfer_flow_needs_a_terminal_feeding_it() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
tonnes = 20.0
route = ["gate"]
arrivals = { process = "transfer" }
"#,
        );
        let want = [
            r#"t.toml:18:12: flows[0].arrivals: a "transfer" flow needs a terminal with `transfer_to` naming it, or nothing ever arrives"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_scenario_needs_nodes_and_flows() {
        let got = problems_of(
            r#"
"#,
        );
        let want = [
            r#"t.toml:1:1: checkpoints: no checkpoints: define at least one [[checkpoints]]"#,
            r#"t.toml:1:1: flows: no flows: define at least one [[flows]], or nothing ever arrives"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn at_most_64_classes() {
        let classes: String = (0..65).map(|i| format!("\n[classes.c{i:02}]\n")).collect();
        let got = problems_of(&format!(
            "{classes}
[[checkpoints]]
id = \"gate\"

[[checkpoints.stages]]
id = \"booth\"
lanes = 1
service = {{ dist = \"deterministic\", value = \"5min\" }}

[[flows]]
id = \"f\"
mode = \"truck\"
route = [\"gate\"]
arrivals = {{ process = \"poisson\", rate = \"1/h\" }}
"
        ));
        // `general` (the flow's class) and the 65 declared ones.
        let want = ["t.toml:5:2: classes: at most 64 cargo classes are supported (found 66)"];
        assert_eq!(got, want);
    }

    /// A checkpoint of `n` stages and a route through `m` one-stage checkpoints.
    fn sized(stages: usize, route: usize) -> String {
        let stage = |i: usize| {
            format!(
                "\n[[checkpoints.stages]]\nid = \"s{i}\"\nlanes = 1\nservice = {{ dist = \"deterministic\", value = \"5min\" }}\n"
            )
        };
        let mut text = String::from("[[checkpoints]]\nid = \"big\"\n");
        text.extend((0..stages).map(stage));
        for c in 0..route {
            text.push_str(&format!("\n[[checkpoints]]\nid = \"c{c}\"\n{}", stage(0)));
        }
        let ids: Vec<String> = (0..route).map(|c| format!("\"c{c}\"")).collect();
        text.push_str(&format!(
            "\n[[flows]]\nid = \"f\"\nmode = \"truck\"\nroute = [\"big\", {}]\narrivals = {{ process = \"poisson\", rate = \"1/h\" }}\n",
            ids.join(", ")
        ));
        text
    }

    #[test]
    fn at_most_256_stages_a_node_and_256_nodes_a_route() {
        // 256 stages and a route of 256 nodes are accepted.
        assert_eq!(problems_of(&sized(256, 255)), Vec::<String>::new());
        let got = problems_of(&sized(257, 1));
        assert_eq!(
            got,
            [
                "t.toml:7:1: checkpoints[0].stages: at most 256 stages a node are supported (found 257)"
            ]
        );
        let text = sized(1, 256);
        // `problems_of` puts three lines of [simulation] first; the list starts at column 9.
        let line = 3 + 1 + text.lines().position(|l| l.starts_with("route")).unwrap();
        assert_eq!(
            problems_of(&text),
            [format!(
                "t.toml:{line}:9: flows[0].route: at most 256 nodes a route are supported (found 257)"
            )]
        );
    }
}
