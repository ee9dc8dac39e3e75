//! The crossing-time KPI (`[[crossings]]`): from a vehicle's arrival at the first node of a
//! crossing on its route to leaving the last, checked by hand on a deterministic two-station
//! crossing, equal to the node's time in system where the crossing is one node, and against
//! Little's law on a stochastic crossing.

use serde_json::Value;

use crate::common::*;
use crate::input_errors::{Field, assert_rejected};

/// A two-hour approach road, then the crossing: station A (one lane, 30 min), a one-hour
/// bridge, station B (one lane, 20 min). Two trucks a day leave at 00:00 and 00:10.
const TWO_NODES: &str = r#"[simulation]
name = "two-node-crossing"
days = 10
warmup_days = 2
seed = 1
replications = 2

[[links]]
id = "approach"
mode = "road"
travel = "2h"

[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "exit"
lanes = 1
service = { dist = "deterministic", value = "30min" }

[[links]]
id = "bridge"
mode = "road"
travel = "1h"

[[checkpoints]]
id = "b"
[[checkpoints.stages]]
id = "entry"
lanes = 1
service = { dist = "deterministic", value = "20min" }

[[flows]]
id = "trucks"
mode = "truck"
tonnes = 20.0
route = ["approach", "a", "bridge", "b"]
arrivals = { process = "timetable", every = "10min", from = "00:00", to = "00:10" }

[[crossings]]
id = "ab"
name = "A–B"
direction = "A→B"
nodes = ["a", "bridge", "b"]
"#;

fn run(text: &str, tag: &str, extra: &[&str]) -> Value {
    let f = TempFile::new(tag, text);
    let name = f.name();
    let mut args = vec!["run", name.as_str(), "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&run_json(&args, &[])).expect("JSON")
}

fn mean(v: &Value, path: &[&str]) -> f64 {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("no mean at {path:?}"))
}

#[test]
fn a_deterministic_two_station_crossing_takes_the_hand_computed_time() {
    let j = run(TWO_NODES, "crossing-two", &[]);
    let c = &j["crossings"]["ab/truck"];
    assert_eq!(c["name"], "A–B");
    assert_eq!(c["direction"], "A→B");
    assert_eq!(c["mode"], "truck");
    // Truck 1 reaches A at 02:00: served 02:00–02:30, bridge 02:30–03:30, B 03:30–03:50 → 110 min.
    // Truck 2 reaches A at 02:10, waits for the lane until 02:30: served 02:30–03:00, bridge
    // 03:00–04:00, B 04:00–04:20 → 130 min. Mean 120 min = 2 h; the approach is not in it.
    let ct = |k: &str| mean(c, &[k]);
    assert!((ct("crossing_time_mean_h") - 2.0).abs() < 1e-9);
    assert!((ct("crossing_time_p95_h") - 130.0 / 60.0).abs() < 1e-3);
    // The median lies on the 110 min truck, to the histogram's resolution.
    assert!((ct("crossing_time_p50_h") - 110.0 / 60.0).abs() < 0.01);
    assert!((ct("crossings_per_day") - 2.0).abs() < 1e-9);
    assert!((ct("tonnes_per_day") - 40.0).abs() < 1e-9);
    // Little's law, exactly: 240 truck-minutes inside a day ÷ 1,440 = 2/day × 2 h ÷ 24 h.
    assert!((ct("in_crossing_mean") - 1.0 / 6.0).abs() < 1e-9);
    assert_eq!(c["crossing_time_mean_h"]["ci95"].as_f64(), Some(0.0));
    // The flow's own time in system adds the 2 h approach.
    assert!((mean(&j, &["flows", "trucks", "time_in_system_mean_h"]) - 4.0).abs() < 1e-9);
    // The assumptions list the crossing with its nodes in order.
    let a = &j["assumptions"]["crossings"][0];
    assert_eq!(a["nodes"], serde_json::json!(["a", "bridge", "b"]));
    assert_eq!(a["modes"], serde_json::json!(["truck"]));
}

#[test]
fn a_one_node_crossing_is_its_checkpoints_time_in_system() {
    let text = edit(
        TWO_NODES,
        r#"nodes = ["a", "bridge", "b"]"#,
        r#"nodes = ["a"]"#,
    );
    let j = run(&text, "crossing-one", &[]);
    let c = &j["crossings"]["ab/truck"];
    // A: 30 min, and 20 min more for the truck that waited behind the first → 40 min mean.
    assert!((mean(c, &["crossing_time_mean_h"]) - 40.0 / 60.0).abs() < 1e-9);
    assert_eq!(
        mean(c, &["crossing_time_mean_h"]),
        mean(&j, &["checkpoints", "a", "time_in_system_mean_h"])
    );
}

#[test]
fn a_stochastic_crossing_obeys_littles_law() {
    let text = edit(
        &edit(
            &edit(
                TWO_NODES,
                r#"service = { dist = "deterministic", value = "30min" }"#,
                r#"service = { dist = "exponential", mean = "30min" }"#,
            ),
            r#"service = { dist = "deterministic", value = "20min" }"#,
            r#"service = { dist = "exponential", mean = "20min" }"#,
        ),
        r#"arrivals = { process = "timetable", every = "10min", from = "00:00", to = "00:10" }"#,
        r#"arrivals = { process = "poisson", rate = "24/day" }"#,
    );
    let text = edit(
        &text,
        r#"travel = "1h""#,
        r#"travel = { dist = "uniform", min = "30min", max = "90min" }"#,
    );
    let j = run(
        &text,
        "crossing-little",
        &["--days", "400", "--replications", "4"],
    );
    let c = &j["crossings"]["ab/truck"];
    let (lambda, w, l) = (
        mean(c, &["arrivals_per_day"]),
        mean(c, &["crossing_time_mean_h"]),
        mean(c, &["in_crossing_mean"]),
    );
    // L = λ W (λ per hour).
    let rel = (l - lambda / 24.0 * w).abs() / l;
    assert!(rel < 0.02, "L {l:.4} vs λW {:.4}", lambda / 24.0 * w);
    // The mean crossing time is the sum of the mean times at A, on the bridge and at B.
    let parts = mean(&j, &["checkpoints", "a", "time_in_system_mean_h"])
        + mean(&j, &["links", "bridge", "time_in_system_mean_h"])
        + mean(&j, &["checkpoints", "b", "time_in_system_mean_h"]);
    assert!(
        (w - parts).abs() / w < 0.01,
        "crossing {w:.4} vs parts {parts:.4}"
    );
    // M/M/1 at A (ρ = 0.5) waits 30 min on average, B (ρ = 1/3) 10 min: 0.5 + 0.5 + 1 + 0.17 + 0.33 h.
    assert!((w - 2.5).abs() < 0.1, "crossing time {w:.3} h");
}

/// Two checkpoints passed in turn, x then a, 45 min each on one lane, no travel between them;
/// one truck a day at 00:00. The crossing is x → a.
const XA: &str = r#"[simulation]
name = "x-then-a"
days = 10
warmup_days = 2
seed = 1
replications = 1

[[checkpoints]]
id = "x"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "45min" }

[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "45min" }

[[flows]]
id = "trucks"
mode = "truck"
route = ["x", "a"]
arrivals = { process = "timetable", times = ["00:00"] }

[[crossings]]
id = "xa"
nodes = ["x", "a"]
"#;

#[test]
fn a_two_node_crossing_passed_in_its_order_takes_both_nodes() {
    let j = run(XA, "crossing-xa", &[]);
    let c = &j["crossings"]["xa/truck"];
    // The truck reaches x at 00:00, leaves it at 00:45, leaves a at 01:30: 1.5 h, once a day.
    assert!((mean(c, &["crossing_time_mean_h"]) - 1.5).abs() < 1e-9);
    assert!((mean(c, &["crossing_time_p95_h"]) - 1.5).abs() < 0.01);
    assert!((mean(c, &["crossings_per_day"]) - 1.0).abs() < 1e-9);
    assert!((mean(c, &["arrivals_per_day"]) - 1.0).abs() < 1e-9);
    // 1.5 truck-hours inside a 24 h day.
    assert!((mean(c, &["in_crossing_mean"]) - 1.5 / 24.0).abs() < 1e-9);
}

#[test]
fn a_crossing_passed_in_reverse_is_refused() {
    // Declared a → x, passed x → a. Counting each node as a stretch of its own gave two
    // "crossings" a day of 0.75 h for the one truck that takes 1.5 h from x to a.
    let t = edit(XA, r#"nodes = ["x", "a"]"#, r#"nodes = ["a", "x"]"#);
    assert_rejected(
        "crossing-reversed",
        &t,
        Field::Exactly("crossings[0].nodes"),
        r#"nodes = ["a", "x"]"#,
        r#"flow "trucks" (route ["x", "a"]) passes node "x" of crossing "xa""#,
    );
}

#[test]
fn a_route_through_part_of_a_crossing_is_refused() {
    // A second truck a day, at 12:00, through a alone: counted as a crossing of x → a it
    // averaged (1.5 + 0.75) ÷ 2 = 1.125 h into a crossing every whole pass of which takes 1.5 h.
    let t = format!(
        "{XA}\n[[flows]]\nid = \"short\"\nmode = \"truck\"\nroute = [\"a\"]\n\
         arrivals = {{ process = \"timetable\", times = [\"12:00\"] }}\n"
    );
    assert_rejected(
        "crossing-partial",
        &t,
        Field::Exactly("crossings[0].nodes"),
        r#"nodes = ["x", "a"]"#,
        r#"flow "short" (route ["a"]) passes node "a" of crossing "xa" but not all its nodes ["x", "a"]"#,
    );
    // Declared as a crossing of its own, a alone is fine: the whole x → a passes keep 1.5 h and
    // the short route's 45 min is its own row.
    let t = format!("{t}\n[[crossings]]\nid = \"a-only\"\nnodes = [\"a\"]\n");
    let j = run(&t, "crossing-partial-own", &[]);
    assert!((mean(&j["crossings"]["xa/truck"], &["crossing_time_mean_h"]) - 1.5).abs() < 1e-9);
    assert!((mean(&j["crossings"]["a-only/truck"], &["crossing_time_mean_h"]) - 0.75).abs() < 1e-9);
}
