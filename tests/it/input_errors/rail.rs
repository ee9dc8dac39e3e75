//! Bad rail, link, terminal and barge input: exit 2 with an `error: FILE:LINE:COL: FIELD: message`
//! line pointing at the offending field, for `validate` and `run`.

use super::{Field, assert_rejected};
use crate::common::*;

/// A small valid multimodal scenario: a river link with a season into a port that hands barge
/// cargo to trains, a rail line with paths, a road link, and a station with tracks, pooled
/// cranes and a departure stage. Tests derive bad variants by replacing one line.
pub(crate) const GOOD: &str = r#"[simulation]
name = "rail-cli"
days = 5
seed = 1
replications = 1

[[links]]
id = "river"
mode = "river"
travel = "10h"
season = "04-15..10-24"

[[terminals]]
id = "port"
transfer_to = "port-trains"
[[terminals.stages]]
id = "berths"
kind = "berths"
berths = 1
service = { dist = "deterministic", value = "1h" }
handling_rate = "500/h"

[[links]]
id = "line"
mode = "rail"
travel = "2h"
paths_per_day = 8

[[links]]
id = "road"
mode = "road"
travel = "1h"

[[checkpoints]]
id = "station"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 2
[[checkpoints.stages]]
id = "transship"
kind = "cranes"
cranes = 3
max_cranes_per_train = 2
service = { dist = "deterministic", value = "3min" }
[[checkpoints.stages]]
id = "departure"
lanes = 2
service = { dist = "deterministic", value = "1h" }

[[flows]]
id = "trains"
mode = "train"
wagons = 45
containers_per_wagon = 1
teu_per_container = 2.0
tonnes_per_container = 20.0
route = ["line", "station"]
arrivals = { process = "timetable", times = ["06:00", "18:00"] }

[[flows]]
id = "trucks"
mode = "truck"
tonnes = 20.0
containers = 1
route = ["road"]
arrivals = { process = "poisson", rate = "10/day" }

[[flows]]
id = "barges"
mode = "barge"
tonnes = 3000.0
route = ["river", "port"]
arrivals = { process = "timetable", times = ["00:00"] }

[[flows]]
id = "port-trains"
mode = "train"
wagons = 30
tonnes_per_container = 50.0
route = ["line", "station"]  # onward from the port
arrivals = { process = "transfer" }
"#;

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn zero_cranes_are_rejected() {
    let t = edit(GOOD, "cranes = 3", "cranes = 0");
    assert_rejected(
        "cranes0",
        &t,
        Field::Exactly("checkpoints[0].stages[1].cranes"),
        "cranes = 0",
        "0",
    );
}

#[test]
fn zero_positions_are_rejected() {
    let t = edit(
        &edit(GOOD, "kind = \"cranes\"", "kind = \"bogie-exchange\""),
        "cranes = 3",
        "positions = 0",
    );
    let t = edit(
        &t,
        "max_cranes_per_train = 2",
        "max_positions_per_train = 2",
    );
    assert_rejected(
        "positions0",
        &t,
        Field::Exactly("checkpoints[0].stages[1].positions"),
        "positions = 0",
        "0",
    );
}

#[test]
fn cranes_stage_counted_with_lanes_is_rejected() {
    let t = edit(GOOD, "cranes = 3", "lanes = 3");
    assert_rejected(
        "cranes-lanes",
        &t,
        Field::Exactly("checkpoints[0].stages[1].lanes"),
        "lanes = 3",
        "cranes",
    );
}

#[test]
fn unknown_stage_kind_is_rejected() {
    let t = edit(GOOD, "kind = \"cranes\"", "kind = \"gantry\"");
    assert_rejected(
        "kind",
        &t,
        Field::Exactly("checkpoints[0].stages[1].kind"),
        "kind = \"gantry\"",
        "gantry",
    );
}

#[test]
fn max_cranes_on_a_tracks_stage_is_rejected() {
    let t = edit(GOOD, "tracks = 2", "tracks = 2\nmax_cranes_per_train = 2");
    // The first "max_cranes_per_train" line is the new one on the tracks stage.
    assert_rejected(
        "maxcranes-tracks",
        &t,
        Field::Exactly("checkpoints[0].stages[0].max_cranes_per_train"),
        "max_cranes_per_train = 2",
        "tracks",
    );
}

#[test]
fn containers_that_do_not_fit_a_wagon_are_rejected() {
    // 3 × 40-ft (2 TEU) = 6 TEU on a 4 TEU wagon.
    let t = edit(
        GOOD,
        "containers_per_wagon = 1",
        "containers_per_wagon = 3\nwagon_capacity_teu = 4.0",
    );
    assert_rejected(
        "cpw",
        &t,
        Field::Exactly("flows[0].containers_per_wagon"),
        "containers_per_wagon = 3",
        "fit",
    );
}

#[test]
fn train_flow_without_wagons_is_rejected() {
    let t = edit(GOOD, "wagons = 45", "");
    // Reported on the flow itself, at its [[flows]] header.
    assert_rejected(
        "nowagons",
        &t,
        Field::Exactly("flows[0]"),
        "[[flows]]",
        "wagons",
    );
}

#[test]
fn wagons_on_a_truck_flow_are_rejected() {
    let t = edit(GOOD, "containers = 1", "containers = 1\nwagons = 10");
    assert_rejected(
        "truckwagons",
        &t,
        Field::Exactly("flows[1].wagons"),
        "wagons = 10",
        "train",
    );
}

#[test]
fn unknown_link_mode_is_rejected() {
    let t = edit(GOOD, "mode = \"road\"", "mode = \"air\"");
    assert_rejected(
        "linkmode",
        &t,
        Field::Exactly("links[2].mode"),
        "mode = \"air\"",
        "air",
    );
}

#[test]
fn route_naming_an_unknown_node_is_rejected() {
    let t = edit(
        GOOD,
        "route = [\"road\"]",
        "route = [\"road\", \"nowhere\"]",
    );
    assert_rejected(
        "unknown-node",
        &t,
        Field::Exactly("flows[1].route[1]"),
        "\"nowhere\"",
        "nowhere",
    );
}

#[test]
fn train_routed_over_a_road_link_is_rejected() {
    let t = edit(
        GOOD,
        "route = [\"line\", \"station\"]",
        "route = [\"road\", \"station\"]",
    );
    assert_rejected(
        "train-road",
        &t,
        Field::Exactly("flows[0].route[0]"),
        "route = [\"road\", \"station\"]",
        "road",
    );
}

#[test]
fn malformed_seasons_are_rejected() {
    for (i, bad) in ["04-15", "13-01..14-01", "04-15..04-31", "spring"]
        .iter()
        .enumerate()
    {
        let line = format!("season = \"{bad}\"");
        let t = edit(GOOD, "season = \"04-15..10-24\"", &line);
        assert_rejected(
            &format!("season{i}"),
            &t,
            Field::Exactly("links[0].season"),
            &line,
            "season",
        );
    }
}

#[test]
fn transfer_flow_that_no_terminal_feeds_is_rejected() {
    let t = edit(GOOD, "transfer_to = \"port-trains\"", "");
    assert_rejected(
        "unfed",
        &t,
        Field::Exactly("flows[3].arrivals"),
        "arrivals = { process = \"transfer\" }",
        "transfer",
    );
}

#[test]
fn terminal_transfer_to_an_unknown_flow_is_rejected() {
    let t = edit(
        GOOD,
        "transfer_to = \"port-trains\"",
        "transfer_to = \"ghost-trains\"",
    );
    assert_rejected(
        "transfer-unknown",
        &t,
        Field::Exactly("terminals[0].transfer_to"),
        "ghost-trains",
        "ghost-trains",
    );
}

#[test]
fn transfer_to_a_flow_with_its_own_arrivals_is_rejected() {
    let t = edit(
        GOOD,
        "transfer_to = \"port-trains\"",
        "transfer_to = \"trains\"",
    );
    let t = edit(
        &t,
        "arrivals = { process = \"transfer\" }",
        "arrivals = { process = \"timetable\", times = [\"01:00\"] }",
    );
    assert_rejected(
        "transfer-own",
        &t,
        Field::Exactly("terminals[0].transfer_to"),
        "transfer_to = \"trains\"",
        "transfer",
    );
}

#[test]
fn route_continuing_after_a_transferring_terminal_is_rejected() {
    // A second river link after the port, so that only the "route must end there" rule breaks.
    let t = edit(
        GOOD,
        "route = [\"river\", \"port\"]",
        "route = [\"river\", \"port\", \"river2\"]",
    );
    let t = t.replacen(
        "[[links]]\nid = \"road\"",
        "[[links]]\nid = \"river2\"\nmode = \"river\"\ntravel = \"1h\"\n\n[[links]]\nid = \"road\"",
        1,
    );
    assert!(t.contains("id = \"river2\""));
    assert_rejected(
        "after-terminal",
        &t,
        Field::Exactly("flows[2].route[1]"),
        "route = [\"river\", \"port\", \"river2\"]",
        "end",
    );
}

#[test]
fn inspection_on_a_cranes_stage_is_rejected() {
    let t = edit(
        GOOD,
        "max_cranes_per_train = 2",
        "max_cranes_per_train = 2\ninspection = { name = \"x-ray\", probability = 0.1, service = { dist = \"deterministic\", value = \"1h\" } }",
    );
    assert_rejected(
        "crane-inspection",
        &t,
        Field::Exactly("checkpoints[0].stages[1].inspection"),
        "inspection = ",
        "inspection",
    );
}

#[test]
fn handling_rate_on_a_cranes_stage_is_rejected() {
    let t = edit(
        GOOD,
        "max_cranes_per_train = 2",
        "max_cranes_per_train = 2\nhandling_rate = \"100/h\"",
    );
    assert_rejected(
        "crane-rate",
        &t,
        Field::Exactly("checkpoints[0].stages[1].handling_rate"),
        "handling_rate = \"100/h\"",
        "cranes",
    );
}
