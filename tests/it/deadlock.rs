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
