//! Bad `[[crossings]]`: exit 2 with `FILE:LINE:COL: crossings[i]…: message` for `validate` and
//! `run` — an unknown node, a node listed twice, no nodes, a duplicate id, nodes no route passes in
//! their order, and a route leg two crossings claim alike.

use super::{Field, assert_rejected};
use crate::common::*;

/// Two stations joined by a link, westbound through all three; eastbound trains use the link
/// and the export station. The two crossings share the link.
const GOOD: &str = r#"[simulation]
name = "crossings"
days = 3
seed = 1

[[checkpoints]]
id = "west-station"
[[checkpoints.stages]]
id = "customs"
lanes = 1
service = { dist = "deterministic", value = "30min" }

[[links]]
id = "bridge"
mode = "road"
travel = "1h"

[[checkpoints]]
id = "east-station"
[[checkpoints.stages]]
id = "customs"
lanes = 1
service = { dist = "deterministic", value = "20min" }

[[checkpoints]]
id = "export"
[[checkpoints.stages]]
id = "customs"
lanes = 1
service = { dist = "deterministic", value = "20min" }

[[flows]]
id = "west"
mode = "truck"
route = ["west-station", "bridge", "east-station"]
arrivals = { process = "poisson", rate = "10/day" }

[[flows]]
id = "east"
mode = "truck"
route = ["export", "bridge"]
arrivals = { process = "poisson", rate = "10/day" }

[[crossings]]
id = "ab-west"
name = "A–B"
direction = "westbound"
nodes = ["west-station", "bridge", "east-station"]

[[crossings]]
id = "ab-east"
name = "A–B"
direction = "eastbound"
nodes = ["export", "bridge"]
"#;

#[test]
fn the_good_crossings_validate() {
    let f = TempFile::new("crossings-good", GOOD);
    let o = borderflow(&["validate", f.name().as_str()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
}

#[test]
fn an_unknown_node_is_rejected_with_a_hint() {
    let t = edit(
        GOOD,
        r#"nodes = ["export", "bridge"]"#,
        r#"nodes = ["exprt", "bridge"]"#,
    );
    assert_rejected(
        "crossing-unknown",
        &t,
        Field::Exactly("crossings[1].nodes[0]"),
        r#"nodes = ["exprt""#,
        "did you mean \"export\"",
    );
}

#[test]
fn a_node_listed_twice_is_rejected() {
    let t = edit(
        GOOD,
        r#"nodes = ["export", "bridge"]"#,
        r#"nodes = ["export", "export"]"#,
    );
    assert_rejected(
        "crossing-twice",
        &t,
        Field::Exactly("crossings[1].nodes[1]"),
        r#"nodes = ["export", "export"]"#,
        "listed twice",
    );
}

#[test]
fn empty_nodes_are_rejected() {
    let t = edit(GOOD, r#"nodes = ["export", "bridge"]"#, "nodes = []");
    assert_rejected(
        "crossing-empty",
        &t,
        Field::Exactly("crossings[1].nodes"),
        "nodes = []",
        "at least one node",
    );
}

#[test]
fn a_duplicate_id_is_rejected() {
    let t = edit(GOOD, r#"id = "ab-east""#, r#"id = "ab-west"  # again"#);
    assert_rejected(
        "crossing-dup",
        &t,
        Field::Exactly("crossings[1].id"),
        "# again",
        "duplicate crossing id",
    );
}

#[test]
fn nodes_no_route_passes_in_their_order_are_rejected() {
    let t = edit(
        GOOD,
        r#"nodes = ["export", "bridge"]"#,
        r#"nodes = ["bridge", "export"]"#,
    );
    assert_rejected(
        "crossing-order",
        &t,
        Field::Exactly("crossings[1].nodes"),
        r#"nodes = ["bridge", "export"]"#,
        "in this order",
    );
}

#[test]
fn a_leg_two_crossings_claim_alike_is_rejected() {
    // Both crossings claim the westbound route's bridge leg with a two-node stretch.
    let t = edit(
        GOOD,
        r#"nodes = ["west-station", "bridge", "east-station"]"#,
        r#"nodes = ["west-station", "bridge"]"#,
    );
    let t = edit(
        &t,
        r#"nodes = ["export", "bridge"]"#,
        r#"nodes = ["export", "bridge", "east-station"]"#,
    );
    assert_rejected(
        "crossing-ambiguous",
        &t,
        Field::Exactly("crossings[1].nodes[1]"),
        r#"nodes = ["export", "bridge", "east-station"]"#,
        "alike",
    );
}

#[test]
fn an_unknown_crossing_key_is_rejected() {
    let t = edit(
        GOOD,
        r#"direction = "eastbound""#,
        r#"directon = "eastbound""#,
    );
    assert_rejected(
        "crossing-key",
        &t,
        Field::Within("crossings[1]"),
        r#"directon = "eastbound""#,
        "directon",
    );
}
