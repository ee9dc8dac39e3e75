//! A blocked network that can never drain is reported as a deadlock (exit 1, the instant and the
//! stages involved), never a hang or a silent freeze; the same routes with room to pass run on.

use crate::common::*;

/// Stations x and y, one lane each and no place to wait (`buffer = 0`); one train goes x -> y
/// and one y -> x, both starting at 00:00 with 1 h of service. At 01:00 each needs the other's
/// lane, which holds a train that needs its own: a deadlock at 01:00.
fn crossing(buffer: u32) -> String {
    let station = |id: &str| {
        format!(
            "[[checkpoints]]\nid = \"{id}\"\n[[checkpoints.stages]]\nid = \"a\"\nlanes = 1\n\
             buffer = {buffer}\nservice = {{ dist = \"deterministic\", value = \"1h\" }}\n"
        )
    };
    let flow = |id: &str, route: &str| {
        format!(
            "[[flows]]\nid = \"{id}\"\nmode = \"train\"\nwagons = 10\nroute = {route}\n\
             arrivals = {{ process = \"timetable\", times = [\"00:00\"] }}\n"
        )
    };
    format!(
        "[simulation]\nname = \"deadlock\"\ndays = 2\nseed = 1\nreplications = 1\n\
         start_date = \"2026-01-05\"\n{}{}{}{}",
        station("x"),
        station("y"),
        flow("xy", "[\"x\", \"y\"]"),
        flow("yx", "[\"y\", \"x\"]")
    )
}

#[test]
fn a_cycle_of_full_buffers_is_a_deadlock_with_its_instant_and_stages() {
    let f = TempFile::new("deadlock", &crossing(0));
    let out = borderflow(&["run", &f.name()]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("deadlock at t=day 0 01:00:00.000: stages x/a, y/a are full"),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "no results after a deadlock");
}

#[test]
fn one_place_to_wait_lets_the_same_trains_pass() {
    // With one place in front of each station's lane, the train done at x/a takes y's place at
    // 01:00 and the one done at y/a takes x's: both days' trains of both flows are served.
    let f = TempFile::new("no-deadlock", &crossing(1));
    let json = run_json(&["run", &f.name(), "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for flow in ["xy", "yx"] {
        assert_eq!(v["flows"][flow]["served"]["mean"], 2.0, "{flow}: {json}");
        assert_eq!(
            v["flows"][flow]["backlog_end"]["mean"], 0.0,
            "{flow}: {json}"
        );
    }
}

#[test]
fn a_cycle_that_a_morning_lane_drains_is_no_deadlock() {
    // Station A has 2 tracks 08:00-20:00 and none at night; B has 1; no place in front of
    // either. Each day the A->B train is at A 19:15-20:15 and finds B's track held by the B->A
    // train (19:30-20:30), which then finds A without tracks: both are blocked overnight, but
    // at 08:00 A's tracks return, the B->A train takes one and the A->B train takes B's. Over
    // two days each flow is served once, and the second day's pair is blocked at the end.
    let text = r#"
[simulation]
name = "night-cycle"
days = 2
seed = 1
replications = 1

[[checkpoints]]
id = "A"
[[checkpoints.stages]]
id = "t"
kind = "tracks"
tracks = { "08:00-20:00" = 2 }
service = { dist = "deterministic", value = "1h" }
buffer = 0

[[checkpoints]]
id = "B"
[[checkpoints.stages]]
id = "t"
kind = "tracks"
tracks = 1
service = { dist = "deterministic", value = "1h" }
buffer = 0

[[flows]]
id = "east"
mode = "train"
wagons = 50
route = ["A", "B"]
arrivals = { process = "timetable", times = ["19:15"] }

[[flows]]
id = "west"
mode = "train"
wagons = 50
route = ["B", "A"]
arrivals = { process = "timetable", times = ["19:30"] }
"#;
    let f = TempFile::new("night-cycle", text);
    let json = run_json(&["run", &f.name(), "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for flow in ["east", "west"] {
        assert_eq!(v["flows"][flow]["served"]["mean"], 1.0, "{flow}: {json}");
        assert_eq!(
            v["flows"][flow]["backlog_end"]["mean"], 1.0,
            "{flow}: {json}"
        );
    }
}
