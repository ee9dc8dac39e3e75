//! A queue that grows without bound stops at the vehicle budget (`--max-queue`, or a share of the
//! machine's memory) with exit 1 and a message naming the instant, the stage and the queue —
//! never an abort when memory runs out.

use crate::common::*;
use borderflow::model::{SimError, try_simulate};
use borderflow::time::{MS_PER_HOUR, SimTime};

/// One lane, 10 h a truck, a truck every minute from 00:00: truck k appears at k min.
const GROWING: &str = r#"[simulation]
name = "growing"
days = 2
warmup_days = 0
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "10h" }

[[flows]]
id = "trucks"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", every = "1min", from = "00:00", to = "23:59" }
"#;

#[test]
fn the_replication_stops_when_it_would_hold_more_vehicles_than_its_budget() {
    // With room for 10, trucks 0..9 are in (one in service, 9 waiting); truck 10 at 00:10
    // would be the 11th.
    let mut m = model(GROWING);
    m.max_in_system = 10;
    let err = try_simulate(&m, 0).unwrap_err();
    assert_eq!(
        err,
        SimError::TooManyVehicles {
            at: SimTime::from_ms(10 * MS_PER_HOUR / 60),
            vehicles: 10,
            stage: "cp/s".into(),
            waiting: 9,
        }
    );
}

#[test]
fn a_budget_the_run_stays_within_changes_nothing() {
    let mut m = model(GROWING);
    let free = borderflow::model::simulate(&m, 0);
    // Two days of a truck a minute: 2,880 trucks, at most all of them inside at once.
    m.max_in_system = 2_880;
    let capped = borderflow::model::simulate(&m, 0);
    assert_eq!(free.flows[0].served, capped.flows[0].served);
    assert_eq!(free.flows[0].backlog_end, capped.flows[0].backlog_end);
    assert_eq!(free.events, capped.events);
}

#[test]
fn run_and_sweep_stop_with_exit_1_and_name_the_stage() {
    let dir = TempDir::new("budget");
    let scenario = dir.file("growing.toml", GROWING);
    let o = borderflow(&[
        "run",
        scenario.to_str().unwrap(),
        "--max-queue",
        "100",
        "--json",
    ]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("100 vehicles are in the system") && err.contains("stage cp/s"),
        "{err}"
    );
    assert!(stdout(&o).is_empty(), "no result on stdout: {}", stdout(&o));
    let sweep = dir.file(
        "sweep.toml",
        "name = \"g\"\nbase = \"growing.toml\"\n[[axes]]\nname = \"lanes\"\n\
         path = \"checkpoints.cp.stages.s.lanes\"\nvalues = [1, 2]\n",
    );
    let o = borderflow(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--max-queue",
        "100",
        "--threads",
        "1",
        "--quiet",
    ]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("point \"lanes=1\", replication 0") && err.contains("stage cp/s"),
        "{err}"
    );
}
