//! Cargo across transfer terminals: tonnes, containers, TEU and value out equal what came in, in
//! whole boxes; loops, dates and box sizes that cannot work are refused; "held outside" counts the
//! trains that waited outside a station, those still outside at the horizon included.

use crate::common::*;
use crate::input_errors::{Field, assert_rejected};
use borderflow::model::{Cargo, EntityStats, Model, RepResult, simulate, simulate_traced};
use borderflow::time::MS_PER_HOUR;

const MS_PER_MINUTE: i64 = MS_PER_HOUR / 60;
use proptest::prelude::*;

const HEAD: &str = r#"[simulation]
name = "transfer"
days = 1
warmup_days = 0
seed = 1
replications = 1
start_date = "2026-06-01"
utc_offset = "+05:00"

[[links]]
id = "river"
mode = "river"
travel = "1h"
"#;

/// One barge of `barge` cargo at 01:00 to a one-berth port that hands it to flow `onward`
/// (`onward` is the onward flow's TOML, whose route is `["gate"]` or `["station"]`), plus
/// `nodes` (the onward route's nodes).
fn one_barge(barge: &str, nodes: &str, onward: &str) -> String {
    format!(
        r#"{HEAD}
[[terminals]]
id = "port"
transfer_to = "onward"
[[terminals.stages]]
id = "berth"
kind = "berths"
berths = 1
service = {{ dist = "deterministic", value = "1h" }}
{nodes}
[[flows]]
id = "barges"
mode = "barge"
{barge}
route = ["river", "port"]
arrivals = {{ process = "timetable", times = ["01:00"] }}

[[flows]]
id = "onward"
arrivals = {{ process = "transfer" }}
{onward}
"#
    )
}

const GATE: &str = r#"
[[checkpoints]]
id = "gate"
[[checkpoints.stages]]
id = "gate"
lanes = 100
service = { dist = "deterministic", value = "1min" }
"#;

const CRANE_STATION: &str = r#"
[[checkpoints]]
id = "station"
[[checkpoints.stages]]
id = "cranes"
kind = "cranes"
cranes = 1
service = { dist = "deterministic", value = "1min" }
"#;

fn flow<'a>(m: &Model, r: &'a RepResult, id: &str) -> &'a EntityStats {
    &r.flows[flow_index(m, id)]
}

/// (vehicles served, containers, TEU, tonnes) of flow `id`.
fn delivered(m: &Model, r: &RepResult, id: &str) -> (u64, f64, f64, f64) {
    let k = flow(m, r, id);
    (k.served, k.containers, k.teu, k.tonnes)
}

#[test]
fn boxes_go_on_trucks_that_state_none_one_truck_per_box_of_their_weight() {
    // 10 boxes of 1 TEU, 200 t, onto 20 t trucks (the trucks' own teu_per_container is the
    // default 2.0): 10 trucks, one 20 t box each, 10 TEU — not 10 boxes on every truck.
    let text = one_barge(
        "tonnes = 200.0\ncontainers = 10\nteu_per_container = 1.0",
        GATE,
        "mode = \"truck\"\ntonnes = 20.0\nroute = [\"gate\"]",
    );
    let m = model(&text);
    let r = simulate(&m, 0);
    assert_eq!(delivered(&m, &r, "onward"), (10, 10.0, 10.0, 200.0));
}

#[test]
fn boxes_on_a_bulk_train_fill_it_by_tonnes() {
    // 150 boxes of 20 t onto 1,000 t trains with no containers of their own: 3 trains of 50.
    let text = one_barge(
        "tonnes = 3000.0\ncontainers = 150\nteu_per_container = 1.0",
        GATE,
        "mode = \"train\"\nwagons = 50\ncontainers_per_wagon = 0\ntonnes = 1000.0\nroute = [\"gate\"]",
    );
    let m = model(&text);
    let r = simulate(&m, 0);
    assert_eq!(delivered(&m, &r, "onward"), (3, 150.0, 150.0, 3000.0));
}

#[test]
fn stuffing_gives_whole_boxes_without_a_rounding_box_too_many() {
    // 2,568 t into 21.4 t boxes on 60 × 2-box trains: 2568 / 21.4 = 120.00000000000001 in
    // floating point, and 120 boxes, one full train. At 1 min a crane move, 120 min of crane.
    let text = one_barge(
        "tonnes = 2568.0",
        CRANE_STATION,
        "mode = \"train\"\nwagons = 60\ncontainers_per_wagon = 2\nteu_per_container = 1.0\n\
         tonnes_per_container = 21.4\nroute = [\"station\"]",
    );
    let m = model(&text);
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(delivered(&m, &r, "onward"), (1, 120.0, 120.0, 2568.0));
    let cranes = stage_of(&m, "station", "cranes");
    assert_eq!(
        trace
            .iter()
            .filter(|s| s.stage as usize == cranes && s.unit_move)
            .count(),
        120
    );
    let end = m.horizon().as_ms();
    assert_eq!(
        r.stages[cranes].levels.busy.area(end),
        i128::from(120 * MS_PER_MINUTE)
    );
}

#[test]
fn every_weight_between_10_and_30_t_stuffs_into_whole_boxes() {
    // Each weight w (10.0, 10.1, … 30.0 t) stuffs 120 × w t into exactly 120 boxes.
    for tenths in 100..=300 {
        let w = f64::from(tenths) / 10.0;
        let text = one_barge(
            &format!("tonnes = {}", 120.0 * w),
            CRANE_STATION,
            &format!(
                "mode = \"train\"\nwagons = 60\ncontainers_per_wagon = 2\n\
                 teu_per_container = 1.0\ntonnes_per_container = {w}\nroute = [\"station\"]"
            ),
        );
        let m = model(&text);
        let r = simulate(&m, 0);
        let (trains, boxes, _, _) = delivered(&m, &r, "onward");
        assert_eq!((trains, boxes), (1, 120.0), "{w} t a box");
    }
}

#[test]
fn boxes_keep_their_size_when_the_onward_flow_does_not_state_one() {
    // 100 boxes of 1 TEU onto trains that state no TEU per box (default 2.0): 100 TEU out.
    let text = one_barge(
        "tonnes = 1000.0\ncontainers = 100\nteu_per_container = 1.0",
        GATE,
        "mode = \"train\"\nwagons = 50\ncontainers_per_wagon = 2\ntonnes_per_container = 10.0\n\
         route = [\"gate\"]",
    );
    let m = model(&text);
    let r = simulate(&m, 0);
    assert_eq!(delivered(&m, &r, "onward"), (1, 100.0, 100.0, 1000.0));
}

#[test]
fn an_onward_flow_that_states_another_box_size_is_refused() {
    let text = one_barge(
        "tonnes = 1000.0\ncontainers = 100\nteu_per_container = 1.0",
        GATE,
        "mode = \"train\"\nwagons = 50\ncontainers_per_wagon = 2\nteu_per_container = 2.0\n\
         tonnes_per_container = 10.0\nroute = [\"gate\"]",
    );
    assert_rejected(
        "teu-mismatch",
        &text,
        Field::Exactly("flows[1].teu_per_container"),
        "teu_per_container = 2.0",
        "boxes of 1 TEU",
    );
}

#[test]
fn cargo_value_goes_with_the_cargo_and_the_system_counts_cargo_once() {
    // A 200 t barge worth 1 M USD onto 20 t trucks: 10 trucks worth 100 k each. The system
    // delivers 200 t and 1 M USD a day (the barge moved the cargo, the trucks delivered it).
    let text = one_barge(
        "tonnes = 200.0\nvalue = 1000000.0",
        GATE,
        "mode = \"truck\"\ntonnes = 20.0\nroute = [\"gate\"]",
    );
    let m = model(&text);
    let r = simulate(&m, 0);
    assert_eq!(flow(&m, &r, "onward").value, 1_000_000.0);
    let system = borderflow::kpi::rep_values(&m, &r)
        .into_iter()
        .find(|e| e.id == "all")
        .unwrap();
    let get = |name: &str| system.values.iter().find(|v| v.0 == name).unwrap().1;
    assert_eq!(get("tonnes_per_day"), 200.0);
    assert_eq!(get("value_per_day_usd"), 1_000_000.0);
    assert_eq!(get("served_per_day"), 11.0);
    // The class too: both flows are "general"; its cargo is the trucks', counted once.
    assert_eq!(r.classes.len(), 1);
    let general = &r.classes[0];
    assert_eq!((general.served, general.tonnes), (11, 200.0));
    assert_eq!(general.value, 1_000_000.0);
}

#[test]
fn cargo_that_arrived_in_the_warm_up_stays_out_of_the_statistics_on_its_onward_legs() {
    // A barge at 23:30 every day, 2 days, 1 of warm-up. Day 0's barge (warm-up) reaches the
    // port at 00:30 and hands 200 t to 10 trucks at 01:30 on day 1: uncounted, as the barge.
    // Day 1's barge (counted) is still on the river at the horizon: 200 t in, 0 delivered,
    // 200 t on its way.
    let text = one_barge(
        "tonnes = 200.0",
        GATE,
        "mode = \"truck\"\ntonnes = 20.0\nroute = [\"gate\"]",
    )
    .replace("days = 1\nwarmup_days = 0", "days = 2\nwarmup_days = 1")
    .replace("times = [\"01:00\"]", "times = [\"23:30\"]");
    let m = model(&text);
    let r = simulate(&m, 0);
    let (barges, trucks) = (flow(&m, &r, "barges"), flow(&m, &r, "onward"));
    assert_eq!((barges.arrivals, barges.backlog_end), (1, 1));
    assert_eq!(barges.backlog_cargo.tonnes, 200.0);
    assert_eq!((trucks.arrivals, trucks.served, trucks.tonnes), (0, 0, 0.0));
}

#[test]
fn a_load_that_needs_more_vehicles_than_the_budget_stops_the_run_instead_of_the_machine() {
    // 1 Mt on one barge (the most a vehicle may carry) onto 20 t trucks: 50,000 trucks at one
    // instant, against a budget of 1,000.
    let text = one_barge(
        "tonnes = 1000000.0",
        GATE,
        "mode = \"truck\"\ntonnes = 20.0\nroute = [\"gate\"]",
    );
    let mut m = model(&text);
    m.max_in_system = 1_000;
    let err = borderflow::model::try_simulate(&m, 0).unwrap_err();
    assert!(
        matches!(
            err,
            borderflow::model::SimError::TooManyVehicles {
                vehicles: 1_000,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn an_onward_flow_needs_a_measure_of_its_vehicles() {
    // Neither tonnes nor containers: how much one truck takes is not defined.
    let text = one_barge(
        "tonnes = 200.0\ncontainers = 10",
        GATE,
        "mode = \"truck\"\nroute = [\"gate\"]",
    );
    assert_rejected(
        "onward-no-measure",
        &text,
        Field::Exactly("flows[1].arrivals"),
        "arrivals = { process = \"transfer\" }",
        "needs `tonnes` or `containers`",
    );
}

#[test]
fn a_flow_fed_by_a_terminal_with_storage_and_another_terminal_is_refused() {
    let text = one_barge(
        "containers = 10",
        GATE,
        "mode = \"truck\"\ncontainers = 1\nroute = [\"gate\"]",
    )
    .replace(
        "transfer_to = \"onward\"\n",
        "transfer_to = \"onward\"\nstorage_containers = 10\n",
    )
    .replace(
        "[[flows]]\nid = \"barges\"",
        "[[terminals]]\nid = \"dock\"\ntransfer_to = \"onward\"\n[[terminals.stages]]\nid = \"quay\"\n\
         lanes = 1\nservice = { dist = \"deterministic\", value = \"1h\" }\n\n\
         [[flows]]\nid = \"small\"\nmode = \"barge\"\ncontainers = 5\nroute = [\"river\", \"dock\"]\n\
         arrivals = { process = \"timetable\", times = [\"02:00\"] }\n\n[[flows]]\nid = \"barges\"",
    );
    assert_rejected(
        "storage-mixed",
        &text,
        Field::Exactly("terminals[0].transfer_to"),
        "transfer_to = \"onward\"",
        "could not tell which storage",
    );
}

#[test]
fn value_on_a_transfer_flow_is_refused() {
    let text = one_barge(
        "tonnes = 200.0",
        GATE,
        "mode = \"truck\"\ntonnes = 20.0\nvalue = 5.0\nroute = [\"gate\"]",
    );
    assert_rejected(
        "transfer-value",
        &text,
        Field::Exactly("flows[1].value"),
        "value = 5.0",
        "value",
    );
}

#[test]
fn dates_on_a_transfer_flow_are_refused() {
    for (key, line) in [
        ("starts", "starts = \"2026-06-03\""),
        ("ends", "ends = \"2026-06-03\""),
    ] {
        let text = one_barge(
            "tonnes = 200.0",
            GATE,
            &format!("mode = \"truck\"\ntonnes = 20.0\nroute = [\"gate\"]\n{line}"),
        );
        assert_rejected(
            "transfer-dates",
            &text,
            Field::Exactly(&format!("flows[1].{key}")),
            line,
            "no dates of its own",
        );
    }
}

#[test]
fn a_transfer_loop_through_a_route_choice_alternative_is_refused() {
    let text = format!(
        r#"{HEAD}
[[links]]
id = "slow-river"
mode = "river"
travel = "10h"

[[terminals]]
id = "p1"
transfer_to = "onward"
[[terminals.stages]]
id = "berth"
kind = "berths"
berths = 10
service = {{ dist = "deterministic", value = "1h" }}

[[terminals]]
id = "p3"
[[terminals.stages]]
id = "berth"
kind = "berths"
berths = 10
service = {{ dist = "deterministic", value = "1h" }}

[[flows]]
id = "first"
mode = "barge"
tonnes = 100.0
route = ["river", "p1"]
arrivals = {{ process = "timetable", times = ["01:00"] }}

[[flows]]
id = "onward"
mode = "barge"
tonnes = 100.0
route = ["slow-river", "p3"]
arrivals = {{ process = "transfer" }}
[flows.choice]
alternatives = [{{ route = ["river", "p1"], id = "onward-via-p1" }}]
"#
    );
    assert_rejected(
        "transfer-loop-alt",
        &text,
        Field::Exactly("flows[1].choice.alternatives[0].route"),
        "alternatives = [",
        "loop",
    );
}

#[test]
fn a_route_choice_alternative_must_end_at_a_terminal_that_hands_cargo_on() {
    let text = one_barge(
        "tonnes = 200.0",
        GATE,
        "mode = \"truck\"\ntonnes = 20.0\nroute = [\"gate\"]",
    )
    .replace(
        "route = [\"river\", \"port\"]\n",
        "route = [\"river\", \"port\"]\nchoice = { alternatives = [{ route = [\"port\", \"river\"] }] }\n",
    );
    assert_rejected(
        "transfer-alt-goes-on",
        &text,
        Field::Exactly("flows[0].choice.alternatives[0].route[0]"),
        "choice = {",
        "must end there",
    );
}

/// One track; train A holds it 01:00–03:30 (30 min on it, then a 2 h customs stage it keeps it
/// through); train B comes at `b` (from its timetable, or `via_link` over a 90-min link).
fn two_trains(b: &str, via_link: bool, customs: &str) -> String {
    let (link, route_b, b_at) = if via_link {
        (
            "[[links]]\nid = \"line\"\nmode = \"rail\"\ntravel = \"90min\"\n",
            "[\"line\", \"st\"]",
            "02:00",
        )
    } else {
        ("", "[\"st\"]", b)
    };
    format!(
        r#"[simulation]
name = "held"
days = 1
warmup_days = 0
seed = 1
replications = 1
start_date = "2026-06-01"
utc_offset = "+05:00"
{link}
[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 1
service = {{ dist = "deterministic", value = "30min" }}
[[checkpoints.stages]]
id = "customs"
lanes = 1
service = {{ dist = "deterministic", value = "{customs}" }}

[[flows]]
id = "A"
mode = "train"
wagons = 10
route = ["st"]
arrivals = {{ process = "timetable", times = ["01:00"] }}

[[flows]]
id = "B"
mode = "train"
wagons = 10
route = {route_b}
arrivals = {{ process = "timetable", times = ["{b_at}"] }}
"#
    )
}

fn held_outside(text: &str) -> (u64, u64) {
    let m = model(text);
    let r = simulate(&m, 0);
    (
        r.checkpoints[node_index(&m, "st")].kpi.held_outside,
        r.stages[stage_of(&m, "st", "tracks")].kpi.held_outside,
    )
}

#[test]
fn a_train_that_takes_a_track_freed_at_its_instant_was_not_held_outside() {
    // B at 03:30, the instant A leaves: no wait, whatever the order of that instant's events
    // (B's timetable event was scheduled before A's departure; over the link, after it).
    assert_eq!(held_outside(&two_trains("03:30", false, "2h")), (0, 0));
    assert_eq!(held_outside(&two_trains("", true, "2h")), (0, 0));
    // At 03:00 B waits 30 min outside: held.
    assert_eq!(held_outside(&two_trains("03:00", false, "2h")), (1, 1));
}

#[test]
fn a_train_still_outside_at_the_horizon_was_held_outside() {
    // A keeps the track through a 30 h customs stage; B comes at 02:00 and waits to the horizon.
    let text = two_trains("02:00", false, "30h");
    assert_eq!(held_outside(&text), (1, 1));
    let m = model(&text);
    let r = simulate(&m, 0);
    assert_eq!(r.checkpoints[node_index(&m, "st")].kpi.backlog_end, 2);
}

/// A random chain: a source flow (barges, or container trains) to terminal p1, which hands the
/// cargo to flow `mid`; `mid` may end at terminal p2, which hands it to `last`. Each onward flow
/// states containers and/or tonnes per vehicle at random; arrivals every few hours.
#[derive(Clone, Debug)]
struct Chain {
    source_boxes: u32,
    source_tonnes: u32,
    source_teu: f64,
    mid: (u32, u32),
    last: Option<(u32, u32)>,
    every_h: u32,
    days: u32,
    warmup: u32,
    value: u32,
}

fn chain() -> impl Strategy<Value = Chain> {
    (
        (0u32..=200, 0u32..=5000, prop_oneof![Just(1.0), Just(2.0)]),
        // An onward flow always states its tonnes (one that states neither tonnes nor boxes, or
        // boxes of no weight fed bulk, is refused at validation).
        (0u32..=150, 1u32..=3000),
        proptest::option::of((0u32..=150, 1u32..=3000)),
        (1u32..=12, 1u32..=4, 0u32..=1, 0u32..=1_000_000),
    )
        .prop_map(
            |(
                (source_boxes, source_tonnes, source_teu),
                mid,
                last,
                (every_h, days, warmup, value),
            )| {
                Chain {
                    source_boxes,
                    source_tonnes,
                    source_teu,
                    mid,
                    last,
                    every_h,
                    days: days.max(warmup + 1),
                    warmup,
                    value,
                }
            },
        )
}

fn onward_flow(id: &str, route: &str, (boxes, tonnes): (u32, u32)) -> String {
    let mut f = format!(
        "\n[[flows]]\nid = \"{id}\"\nmode = \"truck\"\nroute = [{route}]\narrivals = {{ process = \"transfer\" }}\n"
    );
    if boxes > 0 {
        f += &format!("containers = {boxes}\n");
    }
    if tonnes > 0 {
        f += &format!("tonnes = {tonnes}.0\n");
    }
    f
}

fn chain_text(c: &Chain) -> String {
    let terminal = |id: &str, to: &str| {
        format!(
            "\n[[terminals]]\nid = \"{id}\"\ntransfer_to = \"{to}\"\n[[terminals.stages]]\nid = \"quay\"\n\
             lanes = 2\nservice = {{ dist = \"exponential\", mean = \"1h\" }}\n"
        )
    };
    let mut text = format!(
        "[simulation]\nname = \"chain\"\ndays = {}\nwarmup_days = {}\nseed = 7\nreplications = 1\n\n\
         [[links]]\nid = \"river\"\nmode = \"river\"\ntravel = \"3h\"\n\n\
         [[checkpoints]]\nid = \"gate\"\n[[checkpoints.stages]]\nid = \"booth\"\nlanes = 3\n\
         service = {{ dist = \"exponential\", mean = \"20min\" }}\n",
        c.days, c.warmup
    );
    text += &terminal("p1", "mid");
    if c.last.is_some() {
        text += &terminal("p2", "last");
    }
    text += &format!(
        "\n[[flows]]\nid = \"source\"\nmode = \"barge\"\ncontainers = {}\ntonnes = {}.0\n\
         teu_per_container = {}\nvalue = {}.0\nroute = [\"river\", \"p1\"]\n\
         arrivals = {{ process = \"timetable\", every = \"{}h\", from = \"00:00\", to = \"23:59\" }}\n",
        c.source_boxes, c.source_tonnes, c.source_teu, c.value, c.every_h
    );
    match c.last {
        Some(last) => {
            text += &onward_flow("mid", "\"gate\", \"p2\"", c.mid);
            text += &onward_flow("last", "\"gate\"", last);
        }
        None => text += &onward_flow("mid", "\"gate\"", c.mid),
    }
    text
}

/// The cargo a flow's counted vehicles took on: what they delivered (or handed on) plus what they
/// still carry at the horizon (cargo that arrived in the warm-up stays uncounted on every leg).
fn took_on(k: &EntityStats) -> Cargo {
    let mut c = k.backlog_cargo;
    c.add(Cargo {
        tonnes: k.tonnes,
        containers: k.containers,
        teu: k.teu,
        value: k.value,
    });
    c
}

fn assert_same(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} != {want}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Per transfer, what the onward flow took on is what the flow before it handed on, and over
    /// the run what came in is delivered or still on its way: tonnes and value always; containers
    /// and TEU whenever no bulk was stuffed into boxes (stuffing makes boxes, and is checked by
    /// the whole-box tests above).
    #[test]
    fn cargo_is_conserved_across_every_transfer(c in chain()) {
        let m = model(&chain_text(&c));
        let r = simulate(&m, 0);
        let source = flow(&m, &r, "source");
        let n = source.arrivals as f64;
        let came_in = Cargo {
            tonnes: n * f64::from(c.source_tonnes),
            containers: n * f64::from(c.source_boxes),
            teu: n * f64::from(c.source_boxes) * c.source_teu,
            value: n * f64::from(c.value),
        };
        assert_eq!(took_on(source), came_in);
        let mut legs = vec![("source", "mid", c.mid)];
        if let Some(last) = c.last {
            legs.push(("mid", "last", last));
        }
        let mut stuffed = false;
        for &(from, to, (boxes, tonnes)) in &legs {
            let handed = flow(&m, &r, from);
            let got = took_on(flow(&m, &r, to));
            stuffed |= handed.containers == 0.0 && handed.tonnes > 0.0 && boxes > 0 && tonnes > 0;
            assert_same(&format!("{to} tonnes"), got.tonnes, handed.tonnes);
            assert_same(&format!("{to} value"), got.value, handed.value);
            if !stuffed {
                assert_eq!(got.containers, handed.containers, "{to} containers");
                assert_same(&format!("{to} TEU"), got.teu, handed.teu);
            }
        }
        // Over the run: delivered by the last flow + on the way anywhere = what came in.
        let end = legs.last().unwrap().1;
        let mut out = Cargo {
            tonnes: flow(&m, &r, end).tonnes,
            containers: flow(&m, &r, end).containers,
            teu: flow(&m, &r, end).teu,
            value: flow(&m, &r, end).value,
        };
        for id in ["source", "mid", "last"].iter().take(legs.len() + 1) {
            out.add(flow(&m, &r, id).backlog_cargo);
        }
        assert_same("run tonnes", out.tonnes, came_in.tonnes);
        assert_same("run value", out.value, came_in.value);
        if !stuffed {
            assert_eq!(out.containers, came_in.containers, "run containers");
            assert_same("run TEU", out.teu, came_in.teu);
        }
    }
}
