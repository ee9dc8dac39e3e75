//! Bad `[[crossings]]`: exit 2 with `FILE:LINE:COL: crossings[i]…: message` for `validate` and
//! `run` — an unknown node, a node listed twice, no nodes, a duplicate id, an id with "/", an
//! empty name or direction, nodes no route passes in their order, a route (a usual route, a
//! route-choice alternative, either side of a transfer) through a crossing in part or out of
//! order, and a route leg two crossings claim alike.

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
    // The westbound route passes both crossings whole, and both claim its bridge leg.
    let t = edit(
        GOOD,
        r#"nodes = ["west-station", "bridge", "east-station"]"#,
        r#"nodes = ["west-station", "bridge"]"#,
    );
    let t = edit(
        &t,
        r#"nodes = ["export", "bridge"]"#,
        r#"nodes = ["bridge", "east-station"]"#,
    );
    assert_rejected(
        "crossing-ambiguous",
        &t,
        Field::Exactly("crossings[1].nodes[0]"),
        r#"nodes = ["bridge", "east-station"]"#,
        "alike",
    );
}

#[test]
fn a_route_through_a_crossing_in_part_is_rejected_naming_flow_and_route() {
    // The eastbound trains run on past the bridge to the east station: the westbound crossing
    // does not claim that leg (the route passes it from its middle), nor does the eastbound one.
    let t = edit(
        GOOD,
        r#"route = ["export", "bridge"]"#,
        r#"route = ["export", "bridge", "east-station"]"#,
    );
    assert_rejected(
        "crossing-partial-route",
        &t,
        Field::Exactly("crossings[0].nodes"),
        r#"nodes = ["west-station", "bridge", "east-station"]"#,
        r#"flow "east" (route ["export", "bridge", "east-station"]) passes node "east-station" of crossing "ab-west""#,
    );
}

#[test]
fn a_route_choice_alternative_is_checked_as_a_route_of_its_own() {
    // The alternative runs as flow "west@east-station" through the last westbound node only.
    let t = edit(
        GOOD,
        r#"route = ["west-station", "bridge", "east-station"]"#,
        r#"route = ["west-station", "bridge", "east-station"]
choice = { alternatives = [{ route = ["east-station"] }] }"#,
    );
    assert_rejected(
        "crossing-alternative",
        &t,
        Field::Exactly("crossings[0].nodes"),
        r#"nodes = ["west-station", "bridge", "east-station"]"#,
        r#"flow "west@east-station" (route ["east-station"])"#,
    );
    // With the east station declared a crossing of its own, the alternative passes it whole.
    let ok = format!("{t}\n[[crossings]]\nid = \"east-only\"\nnodes = [\"east-station\"]\n");
    let f = TempFile::new("crossing-alternative-ok", &ok);
    let o = borderflow(&["validate", f.name().as_str()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
}

#[test]
fn a_crossing_split_by_a_transfer_is_rejected() {
    // The barges end at the port, whose cargo the port's trains carry on over the line to the
    // station: a crossing port → line → station is passed whole by neither vehicle.
    let base = super::rail::GOOD;
    let t = format!(
        "{base}
[[crossings]]
id = \"river-rail\"
nodes = [\"port\", \"line\", \"station\"]
"
    );
    assert_rejected(
        "crossing-transfer",
        &t,
        Field::Exactly("crossings[0].nodes"),
        r#"nodes = ["port", "line", "station"]"#,
        r#"flow "trains" (route ["line", "station"]) passes node "line" of crossing "river-rail""#,
    );
    // Each side of the hand-off is named: the barges that end at the port, the trains that
    // start after it.
    let f = TempFile::new("crossing-transfer-both", &t);
    let err = stderr(&borderflow(&["validate", f.name().as_str()]));
    for side in [
        r#"flow "barges" (route ["river", "port"]) passes node "port" of crossing "river-rail""#,
        r#"flow "port-trains" (route ["line", "station"]) passes node "line" of crossing "river-rail""#,
    ] {
        assert!(err.contains(side), "{side}:\n{err}");
    }
    // Declared on the onward trains' nodes, it validates.
    let ok = format!(
        "{base}
[[crossings]]
id = \"rail\"
nodes = [\"line\", \"station\"]
"
    );
    let f = TempFile::new("crossing-transfer-ok", &ok);
    let o = borderflow(&["validate", f.name().as_str()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
}

#[test]
fn an_empty_name_or_direction_is_rejected() {
    assert_rejected(
        "crossing-name-empty",
        &GOOD.replacen(r#"name = "A–B""#, r#"name = """#, 1),
        Field::Exactly("crossings[0].name"),
        r#"name = """#,
        "must not be empty",
    );
    assert_rejected(
        "crossing-direction-empty",
        &edit(GOOD, r#"direction = "eastbound""#, r#"direction = " ""#),
        Field::Exactly("crossings[1].direction"),
        r#"direction = " ""#,
        "must not be empty",
    );
}

#[test]
fn a_slash_in_a_crossing_id_is_rejected() {
    // "ab/east" would make the KPI row "ab/east/truck", read as crossing "ab/east" or "ab".
    let t = edit(GOOD, r#"id = "ab-east""#, r#"id = "ab/east""#);
    assert_rejected(
        "crossing-slash",
        &t,
        Field::Exactly("crossings[1].id"),
        r#"id = "ab/east""#,
        "\"/\"",
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
