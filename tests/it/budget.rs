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

#[test]
fn a_sweep_names_the_first_failed_job_whatever_the_thread_timing() {
    // A truck every second against one lane; both points outgrow a budget of 3,000 vehicles.
    // At 1.01 s a truck (point 0) the queue grows by about 800 a day and reaches it after some
    // 3.7 days and 320,000 trucks; at 10 h a truck (point 1) after 50 min and 3,000 trucks. On
    // two threads point 1's jobs fail first; the message must still name the job of lowest
    // index: point 0, replication 0.
    let dir = TempDir::new("budget-order");
    dir.file(
        "growing.toml",
        &GROWING
            .replace("days = 2", "days = 10")
            .replace("replications = 1", "replications = 4")
            .replace("every = \"1min\"", "every = \"1s\""),
    );
    let sweep = dir.file(
        "sweep.toml",
        "name = \"g\"\nbase = \"growing.toml\"\n[[axes]]\nname = \"service\"\n\
         path = \"checkpoints.cp.stages.s.service.value\"\nvalues = [\"1.01s\", \"10h\"]\n",
    );
    for threads in ["1", "2"] {
        let o = borderflow(&[
            "sweep",
            sweep.to_str().unwrap(),
            "--max-queue",
            "3000",
            "--threads",
            threads,
            "--quiet",
        ]);
        assert_code(&o, 1);
        let err = stderr(&o);
        assert!(
            err.contains("point \"service=1.01s\", replication 0:"),
            "threads {threads}: {err}"
        );
    }
}

/// Anything that sets a rate of internal work has a floor, and a cost the run can afford.
mod internal_work {
    use super::*;
    use crate::input_errors::{Field, assert_rejected};

    fn with_sim(extra: &str) -> String {
        GROWING.replace(
            "replications = 1\n",
            &format!("replications = 1\n{extra}\n"),
        )
    }

    #[test]
    fn a_series_step_under_a_minute_is_refused() {
        let text = with_sim("series_step = \"1ms\"");
        assert_rejected(
            "series-1ms",
            &text,
            Field::Exactly("simulation.series_step"),
            "series_step = ",
            "at least 1min",
        );
    }

    #[test]
    fn a_written_series_step_whose_series_would_not_fit_is_refused() {
        // 36,500 days at 1 min for 1 stage: 52,560,000 rows.
        let text = with_sim("series_step = \"1min\"").replace("days = 2", "days = 36500");
        assert_rejected(
            "series-rows",
            &text,
            Field::Exactly("simulation.series_step"),
            "series_step = ",
            "52560000 rows",
        );
    }

    #[test]
    fn the_default_series_step_grows_to_fit_a_very_long_run() {
        // 36,500 days × 24 h × 1 stage = 876,000 rows at 1 h: fits.
        let m = model(&GROWING.replace("days = 2", "days = 36500"));
        assert_eq!(m.series_step.as_ms(), MS_PER_HOUR);
        // With 12 stages: 10,512,000 rows at 1 h, more than 10 M; 2 h gives 5,256,000.
        let stages: String = (0..11)
            .map(|i| {
                format!(
                    "[[checkpoints.stages]]\nid = \"s{i}\"\nlanes = 1\n\
                     service = {{ dist = \"deterministic\", value = \"1min\" }}\n"
                )
            })
            .collect();
        let text = GROWING
            .replace("days = 2", "days = 36500")
            .replace("[[flows]]", &format!("{stages}\n[[flows]]"));
        let m = model(&text);
        assert_eq!(m.stages.len(), 12);
        assert_eq!(m.series_step.as_ms(), 2 * MS_PER_HOUR);
    }

    #[test]
    fn route_choice_information_has_a_floor_and_a_bound_in_flight() {
        let choice = |every: &str, delay: &str| {
            GROWING
                .replace(
                    "[[flows]]",
                    "[[checkpoints]]\nid = \"other\"\n[[checkpoints.stages]]\nid = \"s\"\nlanes = 1\n\
                     service = { dist = \"deterministic\", value = \"1min\" }\n\n[[flows]]",
                )
                .replace(
                    "arrivals = {",
                    &format!(
                        "choice = {{ alternatives = [{{ route = [\"other\"] }}], info_every = \"{every}\", \
                         info_delay = \"{delay}\" }}\narrivals = {{"
                    ),
                )
        };
        assert_rejected(
            "info-1ms",
            &choice("1ms", "0min"),
            Field::Exactly("flows[0].choice.info_every"),
            "choice = {",
            "at least 1min",
        );
        // 100 days late at one a minute: 144,000 publications in flight.
        assert_rejected(
            "info-kept",
            &choice("1min", "100d"),
            Field::Exactly("flows[0].choice.info_delay"),
            "choice = {",
            "144000 publications",
        );
        model(&choice("1min", "30d"));
    }
}

/// A run folds each replication's KPI values as it ends (in chunks, in replication order): the
/// estimates are exactly those of all the raw results, at any thread count.
#[test]
fn a_run_keeps_only_kpi_values_and_estimates_the_same() {
    let mut m = model(GROWING);
    m.replications = 70;
    m.days = 1;
    let folded = borderflow::sweep::run(&m).unwrap();
    let raw = borderflow::sweep::run_replications(&m).unwrap();
    let whole = borderflow::kpi::estimate_run(&m, &raw, 0.0);
    assert_eq!(folded.point.entities, whole.point.entities);
    assert_eq!(folded.events, whole.events);
    let dir = TempDir::new("chunks");
    let f = dir.file(
        "g.toml",
        &GROWING.replace("replications = 1", "replications = 70"),
    );
    let json = |threads: &str| {
        without_wall(&run_json(
            &["run", f.to_str().unwrap(), "--json"],
            &[("RAYON_NUM_THREADS", threads)],
        ))
    };
    assert_eq!(json("1"), json("2"));
}
