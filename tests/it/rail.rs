//! Rail, links, terminals and barges, checked exactly where the numbers can be computed by hand:
//! receiving tracks held until a train leaves the station ("held outside"), pooled gantry cranes
//! and bogie-exchange positions (per-train caps), crane hours (no move starts while closed, a
//! move in progress finishes), river seasons, train paths per day, daily wagon quotas,
//! conservation of vehicles, containers and tonnes (also through a barge → train transfer), the
//! Khorgos Gateway transshipment time against observed figures, and determinism.
//!
//! Every hand scenario uses deterministic service times and timetable arrivals, so the expected
//! values below are exact to the millisecond; the computations are in each test's comments.

use std::collections::BTreeMap;

use crate::common::*;
use borderflow::model::{Model, RepResult, ServiceStart, simulate, simulate_traced};
use borderflow::scenario::{Overrides, parse};
use borderflow::sweep;
use borderflow::time::{
    Date, MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, MS_PER_SEC, SimTime, date_plus_days,
};

const MIN: i64 = MS_PER_MIN;
const HOUR: i64 = MS_PER_HOUR;
const DAY: i64 = MS_PER_DAY;

// -------------------------------------------------------------------------------------------
// Helpers
// -------------------------------------------------------------------------------------------

fn scenario(name: &str, days: i64, replications: i64) -> Model {
    repo_scenario(
        &format!("scenarios/{name}"),
        Overrides {
            days: Some(days),
            replications: Some(replications),
            ..Overrides::default()
        },
    )
}

/// Service starts of vehicles (not single moves) at stage `s`.
fn vehicle_starts(trace: &[ServiceStart], s: usize) -> Vec<ServiceStart> {
    trace
        .iter()
        .filter(|e| e.stage as usize == s && !e.unit_move)
        .copied()
        .collect()
}

/// Container or wagon moves at stage `s`.
fn moves(trace: &[ServiceStart], s: usize) -> Vec<ServiceStart> {
    trace
        .iter()
        .filter(|e| e.stage as usize == s && e.unit_move)
        .copied()
        .collect()
}

fn hm(h: i64, m: i64) -> i64 {
    h * HOUR + m * MIN
}

fn at(ms: i64) -> SimTime {
    SimTime::from_ms(ms)
}

/// "dD HH:MM:SS" of a simulated instant, for messages.
fn show(t: SimTime) -> String {
    let ms = t.as_ms();
    format!(
        "d{} {:02}:{:02}:{:02}",
        ms.div_euclid(DAY),
        ms.rem_euclid(DAY) / HOUR,
        ms.rem_euclid(HOUR) / MIN,
        ms.rem_euclid(MIN) / MS_PER_SEC
    )
}

fn date_of(m: &Model, t: SimTime) -> Date {
    date_plus_days(m.start_date, t.day_index()).expect("date in range")
}

/// Checks arrivals = served + backlog for every node, stage, flow and class of `r`.
fn assert_all_conserved(m: &Model, r: &RepResult) {
    let rep = r.replication;
    for (i, c) in r.checkpoints.iter().enumerate() {
        assert_conserved(&format!("rep {rep}, node {}", m.checkpoints[i].id), &c.kpi);
    }
    for (i, s) in r.stages.iter().enumerate() {
        let cp = &m.checkpoints[m.stages[i].checkpoint as usize].id;
        assert_conserved(&format!("rep {rep}, stage {cp}/{}", m.stages[i].id), &s.kpi);
    }
    for (i, f) in r.flows.iter().enumerate() {
        assert_conserved(&format!("rep {rep}, flow {}", m.flows[i].id), f);
    }
    for (i, c) in r.classes.iter().enumerate() {
        assert_conserved(&format!("rep {rep}, class {}", m.classes[i].id), c);
    }
}

// -------------------------------------------------------------------------------------------
// 1. A station by hand: one track, one crane, deterministic times
// -------------------------------------------------------------------------------------------

/// Station "st": 1 receiving track (no service of its own: default 0), 1 gantry crane at 2 min
/// per container move, a departure lane at 30 min. Trains of 10 wagons × 1 container of 2 TEU
/// and 20 t, by timetable at `times`.
fn station(times: &str, days: u32) -> String {
    format!(
        r#"
[simulation]
name = "station"
days = {days}
seed = 1
replications = 1
start_date = "2026-01-05"
utc_offset = "+05:00"

[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 1
[[checkpoints.stages]]
id = "transship"
kind = "cranes"
cranes = 1
service = {{ dist = "deterministic", value = "2min" }}
[[checkpoints.stages]]
id = "departure"
lanes = 1
service = {{ dist = "deterministic", value = "30min" }}

[[flows]]
id = "trains"
mode = "train"
wagons = 10
containers_per_wagon = 1
teu_per_container = 2.0
tonnes_per_container = 20.0
route = ["st"]
arrivals = {{ process = "timetable", times = [{times}] }}
"#
    )
}

/// One train at 06:00: takes the track at once, track service 0, 10 moves × 2 min on the crane
/// (06:00–06:20), departure 06:20–06:50. Dwell = 0 + 10 × 2 + 30 = 50 min exactly.
#[test]
fn single_train_dwell_is_exact() {
    let m = model(&station(r#""06:00""#, 1));
    let (r, trace) = simulate_traced(&m, 0);
    let (tracks, cranes, dep) = (
        stage_of(&m, "st", "tracks"),
        stage_of(&m, "st", "transship"),
        stage_of(&m, "st", "departure"),
    );
    let cp = &r.checkpoints[0].kpi;
    assert_eq!((cp.arrivals, cp.served, cp.backlog_end), (1, 1, 0));
    assert_eq!(cp.time_in_system.min(), (50 * MIN) as u64);
    assert_eq!(cp.time_in_system.max(), (50 * MIN) as u64);
    assert_eq!(cp.wait.max(), 0);
    assert_eq!(cp.held_outside, 0);
    assert_eq!(cp.wagons, 10.0);
    assert_eq!(cp.containers, 10.0);
    assert_eq!(cp.teu, 20.0);
    assert_eq!(cp.tonnes, 200.0);
    // Stage times: track 0, crane 20 min, departure 30 min.
    assert_eq!(r.stages[tracks].kpi.time_in_system.max(), 0);
    assert_eq!(r.stages[cranes].kpi.time_in_system.max(), (20 * MIN) as u64);
    assert_eq!(r.stages[dep].kpi.time_in_system.max(), (30 * MIN) as u64);
    // Crane moves at 06:00, 06:02, …, 06:18; the track is busy 06:00–06:50, the crane 20 min.
    let mv: Vec<i64> = moves(&trace, cranes).iter().map(|e| e.at.as_ms()).collect();
    let want: Vec<i64> = (0..10).map(|k| hm(6, 0) + 2 * k * MIN).collect();
    assert_eq!(mv, want);
    assert_eq!(r.stages[tracks].busy_open_lane_ms, (50 * MIN) as i128);
    assert_eq!(r.stages[cranes].busy_open_lane_ms, (20 * MIN) as i128);
    assert_eq!(r.stages[tracks].open_lane_ms, DAY as i128);
}

/// Two trains, 06:00 and 06:30, one track. Train 1 as above leaves at 06:50. Train 2 arrives at
/// 06:30, finds the track taken (held outside), takes it at 06:50 (wait = 20 min = the first
/// train's remaining dwell), crane 06:50–07:10, departure 07:10–07:40: dwell 70 min.
#[test]
fn second_train_is_held_outside_until_the_first_leaves() {
    let m = model(&station(r#""06:00", "06:30""#, 1));
    let (r, trace) = simulate_traced(&m, 0);
    let (tracks, cranes, dep) = (
        stage_of(&m, "st", "tracks"),
        stage_of(&m, "st", "transship"),
        stage_of(&m, "st", "departure"),
    );
    let cp = &r.checkpoints[0].kpi;
    assert_eq!((cp.arrivals, cp.served, cp.backlog_end), (2, 2, 0));
    assert_eq!(cp.held_outside, 1);
    assert_eq!(r.stages[tracks].kpi.held_outside, 1);
    assert_eq!(r.stages[cranes].kpi.held_outside, 0);
    assert_eq!(cp.time_in_system.min(), (50 * MIN) as u64);
    assert_eq!(cp.time_in_system.max(), (70 * MIN) as u64);
    assert_eq!(cp.wait.min(), 0);
    assert_eq!(cp.wait.max(), (20 * MIN) as u64);
    assert_eq!(r.stages[tracks].kpi.wait.max(), (20 * MIN) as u64);
    // At the tracks stage the time in system is the wait plus the (zero) track service.
    assert_eq!(r.stages[tracks].kpi.time_in_system.max(), (20 * MIN) as u64);
    // Nobody waits behind the track: crane and departure are free when each train gets there.
    assert_eq!(r.stages[cranes].kpi.wait.max(), 0);
    assert_eq!(r.stages[dep].kpi.wait.max(), 0);
    for s in [tracks, cranes, dep] {
        assert_eq!(r.stages[s].kpi.served, 2);
        assert_eq!(r.stages[s].kpi.containers, 20.0);
    }
    assert_eq!(
        (cp.wagons, cp.containers, cp.teu, cp.tonnes),
        (20.0, 20.0, 40.0, 400.0)
    );
    let f = &r.flows[0];
    assert_eq!((f.served, f.containers, f.tonnes), (2, 20.0, 400.0));
    // Trace: the second train takes the track at 06:50 having waited 20 min.
    let ts = vehicle_starts(&trace, tracks);
    assert_eq!(ts.len(), 2);
    assert_eq!((ts[0].at, ts[0].waited.as_ms()), (at(hm(6, 0)), 0));
    assert_eq!((ts[1].at, ts[1].waited.as_ms()), (at(hm(6, 50)), 20 * MIN));
    let mv = moves(&trace, cranes);
    assert_eq!(mv.len(), 20);
    assert_eq!(mv[10].at, at(hm(6, 50)));
    assert_eq!(mv[19].at, at(hm(7, 8)));
    // The track was busy 06:00–06:50 and 06:50–07:40.
    assert_eq!(r.stages[tracks].busy_open_lane_ms, (100 * MIN) as i128);
}

/// A train arriving at 23:30 is still on the crane at the horizon (24:00): it is in the
/// checkpoint's backlog and the crane stage's, the track stage has served it (its track service
/// is over) and counts the track busy 23:30–24:00.
#[test]
fn train_on_a_track_at_the_horizon_is_backlog() {
    let m = model(&station(r#""23:30""#, 1));
    let r = simulate(&m, 0);
    let (tracks, cranes, dep) = (
        stage_of(&m, "st", "tracks"),
        stage_of(&m, "st", "transship"),
        stage_of(&m, "st", "departure"),
    );
    let cp = &r.checkpoints[0].kpi;
    assert_eq!((cp.arrivals, cp.served, cp.backlog_end), (1, 0, 1));
    assert_eq!(cp.containers, 0.0);
    assert_eq!(
        (
            r.stages[tracks].kpi.served,
            r.stages[tracks].kpi.backlog_end
        ),
        (1, 0)
    );
    // Crane 23:30–23:50, departure 23:50–00:20: at the horizon the train is at departure.
    assert_eq!(r.stages[cranes].kpi.served, 1);
    assert_eq!(
        (r.stages[dep].kpi.arrivals, r.stages[dep].kpi.backlog_end),
        (1, 1)
    );
    assert_eq!(r.flows[0].backlog_end, 1);
    assert_eq!(r.stages[tracks].busy_open_lane_ms, (30 * MIN) as i128);
}

// -------------------------------------------------------------------------------------------
// 2. Pooled cranes and bogie-exchange positions
// -------------------------------------------------------------------------------------------

/// One pooled stage "work" of `kind`/`count_key = count` at `service` per unit, with `extra`
/// stage lines; flows "a" (and "b" if `two`) of 45-wagon trains at 06:00, `cpw` containers of
/// `teu` TEU per wagon.
fn pooled(kind: &str, count_line: &str, service: &str, extra: &str, two: bool, cpw: u32) -> String {
    let teu = if cpw == 1 { "2.0" } else { "1.0" };
    let flow = |id: &str| {
        format!(
            r#"
[[flows]]
id = "{id}"
mode = "train"
wagons = 45
containers_per_wagon = {cpw}
teu_per_container = {teu}
tonnes_per_container = 20.0
route = ["yard"]
arrivals = {{ process = "timetable", times = ["06:00"] }}
"#
        )
    };
    format!(
        r#"
[simulation]
name = "pooled"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "yard"
[[checkpoints.stages]]
id = "work"
kind = "{kind}"
{count_line}
service = {{ dist = "deterministic", value = "{service}" }}
{extra}
{}{}"#,
        flow("a"),
        if two { flow("b") } else { String::new() }
    )
}

/// Time in system at the (only) stage of each served train, sorted.
fn stage_times(r: &RepResult) -> (u64, u64) {
    let k = &r.stages[0].kpi;
    (k.time_in_system.min(), k.time_in_system.max())
}

/// 3 cranes, 45 containers, 3 min a move: 15 rounds of 3 moves = 45 min. With
/// max_cranes_per_train = 2: ceil(45/2) = 23 rounds × 3 min = 69 min.
#[test]
fn pooled_cranes_split_a_train() {
    let m = model(&pooled("cranes", "cranes = 3", "3min", "", false, 1));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(stage_times(&r), ((45 * MIN) as u64, (45 * MIN) as u64));
    let mv = moves(&trace, 0);
    assert_eq!(mv.len(), 45);
    // Three moves at each of 06:00, 06:03, …, 06:42.
    for (i, e) in mv.iter().enumerate() {
        assert_eq!(e.at, at(hm(6, 0) + (i as i64 / 3) * 3 * MIN), "move {i}");
    }
    assert_eq!(r.stages[0].busy_open_lane_ms, (45 * 3 * MIN) as i128);
    assert_eq!(r.stages[0].kpi.containers, 45.0);

    let m = model(&pooled(
        "cranes",
        "cranes = 3",
        "3min",
        "max_cranes_per_train = 2",
        false,
        1,
    ));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(stage_times(&r), ((69 * MIN) as u64, (69 * MIN) as u64));
    let mv = moves(&trace, 0);
    assert_eq!(mv.len(), 45);
    assert_eq!(mv.last().unwrap().at, at(hm(6, 66)));
}

/// Two 45-container trains at 06:00, 3 cranes, at most 2 per train, 3 min a move.
/// Train a (first) gets 2 cranes, train b the third AT ONCE (06:00, waited 0).
/// Hand run: 06:00–07:06 a has 2 cranes, b 1: by 07:06 a has started 44 moves, b 22.
/// At 07:06 a starts its last move (ends 07:09 → a's stage time 69 min); the crane a releases
/// goes to b, so b runs 2 moves from 07:06; at 07:09 a's freed crane idles (b is at its cap).
/// b's remaining 23 moves from 07:06 at 2 per round: 12 rounds, the last starting at
/// 07:06 + 11 × 3 = 07:39, ending 07:42 → b's stage time 102 min.
#[test]
fn second_train_gets_the_spare_crane_at_once() {
    let m = model(&pooled(
        "cranes",
        "cranes = 3",
        "3min",
        "max_cranes_per_train = 2",
        true,
        1,
    ));
    let (r, trace) = simulate_traced(&m, 0);
    let (a, b) = (flow_index(&m, "a") as u32, flow_index(&m, "b") as u32);
    let starts = vehicle_starts(&trace, 0);
    assert_eq!(starts.len(), 2);
    for s in &starts {
        assert_eq!((s.at, s.waited.as_ms()), (at(hm(6, 0)), 0), "{s:?}");
    }
    let mv = moves(&trace, 0);
    let at_six: Vec<u32> = mv
        .iter()
        .filter(|e| e.at == at(hm(6, 0)))
        .map(|e| e.flow)
        .collect();
    assert_eq!(at_six, vec![a, a, b], "moves starting at 06:00");
    // Never more than 2 moves of one train in progress, never more than 3 in all (3 min each).
    for e in &mv {
        let running = |f: Option<u32>| {
            mv.iter()
                .filter(|x| {
                    f.is_none_or(|f| x.flow == f)
                        && x.at <= e.at
                        && e.at.as_ms() < x.at.as_ms() + 3 * MIN
                })
                .count()
        };
        assert!(
            running(Some(e.flow)) <= 2,
            "train cap exceeded at {}",
            show(e.at)
        );
        assert!(running(None) <= 3, "more than 3 cranes at {}", show(e.at));
    }
    let last = |f: u32| {
        mv.iter()
            .filter(|e| e.flow == f)
            .map(|e| e.at)
            .max()
            .unwrap()
    };
    assert_eq!(mv.iter().filter(|e| e.flow == a).count(), 45);
    assert_eq!(mv.iter().filter(|e| e.flow == b).count(), 45);
    assert_eq!(last(a), at(hm(7, 6)));
    assert_eq!(last(b), at(hm(7, 39)));
    assert_eq!(stage_times(&r), ((69 * MIN) as u64, (102 * MIN) as u64));
    assert_eq!(r.stages[0].kpi.wait.max(), 0);
    assert_eq!(r.stages[0].busy_open_lane_ms, (90 * 3 * MIN) as i128);
}

/// Cranes move containers, bogie-exchange positions move wagons: with 2 containers per wagon
/// (20-ft, 1 TEU each) a 45-wagon train has 90 container moves (3 cranes, 3 min: 30 rounds =
/// 90 min) but 45 wagon moves (2 positions, 5 min: ceil(45/2) = 23 rounds = 115 min; with
/// max_positions_per_train = 1: 45 × 5 = 225 min).
#[test]
fn bogie_exchange_counts_wagons_and_cranes_count_containers() {
    let m = model(&pooled("cranes", "cranes = 3", "3min", "", false, 2));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(moves(&trace, 0).len(), 90);
    assert_eq!(stage_times(&r), ((90 * MIN) as u64, (90 * MIN) as u64));
    assert_eq!(
        (r.stages[0].kpi.containers, r.stages[0].kpi.teu),
        (90.0, 90.0)
    );

    let m = model(&pooled(
        "bogie-exchange",
        "positions = 2",
        "5min",
        "",
        false,
        2,
    ));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(moves(&trace, 0).len(), 45);
    assert_eq!(stage_times(&r), ((115 * MIN) as u64, (115 * MIN) as u64));
    assert_eq!(r.stages[0].kpi.wagons, 45.0);
    assert_eq!(r.stages[0].busy_open_lane_ms, (45 * 5 * MIN) as i128);

    let m = model(&pooled(
        "bogie-exchange",
        "positions = 2",
        "5min",
        "max_positions_per_train = 1",
        false,
        2,
    ));
    let r = simulate(&m, 0);
    assert_eq!(stage_times(&r), ((225 * MIN) as u64, (225 * MIN) as u64));
}

// -------------------------------------------------------------------------------------------
// 3. Khorgos Gateway transshipment against observed figures
// -------------------------------------------------------------------------------------------

/// kz-cn-rail.toml's Khorgos "transship" stage (3 gantries, all on one train, gamma 195 s ± 60 s
/// per move), given one 45-wagon train at a time: its transshipment time must land in the
/// observed range — "a 45–50-car train transshipped in 55 min" (astanatimes.com) and "47 min per
/// train" (yidaiyilu.gov.cn). Expected: 45 × 195 s ÷ 3 = 48.75 min plus the uneven finish of the
/// last round, ≈ 50 min. Checked on the mean of 40 independent trains (one per replication), and
/// each train within a wider 40–62 min band.
#[test]
fn khorgos_transshipment_of_a_45_wagon_train_matches_observed_times() {
    let rail = scenario("kz-cn-rail.toml", 20, 1);
    let src = stage_of(&rail, "khorgos", "transship");
    let spec = rail.stages[src].clone();
    assert_eq!(spec.lanes, 3, "Khorgos Gateway has 3 gantries");
    let mut m = model(&pooled("cranes", "cranes = 1", "1min", "", false, 1));
    m.replications = 40;
    let dst = 0;
    let cp = m.stages[dst].checkpoint;
    m.stages[dst] = spec;
    m.stages[dst].checkpoint = cp;
    let reps = sweep::run_replications(&m).expect("runs");
    let mut sum = 0.0;
    for r in &reps {
        let k = &r.stages[dst].kpi;
        assert_eq!((k.served, k.containers), (1, 45.0));
        let t_min = k.time_in_system.max() as f64 / MIN as f64;
        assert!(
            (40.0..=62.0).contains(&t_min),
            "replication {}: 45 containers took {t_min:.1} min",
            r.replication
        );
        sum += t_min;
    }
    let mean = sum / reps.len() as f64;
    eprintln!(
        "Khorgos transship, 45-wagon train: mean {mean:.2} min over {} trains",
        reps.len()
    );
    assert!(
        (47.0..=55.0).contains(&mean),
        "mean transshipment of a 45-wagon train {mean:.1} min is outside the observed 47–55 min"
    );
}

// -------------------------------------------------------------------------------------------
// 4. Conservation: vehicles, containers, tonnes
// -------------------------------------------------------------------------------------------

/// Containers per vehicle of every flow through node `n`, if they all carry the same number.
fn containers_per_vehicle(m: &Model, n: usize) -> Option<u32> {
    let per: Vec<u32> = m
        .flows
        .iter()
        .filter(|f| f.route.contains(&(n as u32)))
        .map(|f| f.containers)
        .collect();
    per.first().copied().filter(|c| per.iter().all(|x| x == c))
}

/// Checks that vehicles and containers are conserved at every node, stage and flow of `m`:
/// arrivals = served + backlog; containers served = served × containers per vehicle (so
/// containers in = containers out + containers on vehicles still inside); a node's backlog is
/// the sum of its stages' (no travel between stages), including trains that hold a track
/// while at a later stage.
fn check_conservation(m: &Model, reps: &[RepResult]) {
    assert_eq!(reps.len(), m.replications as usize);
    for r in reps {
        assert_all_conserved(m, r);
        for (n, c) in r.checkpoints.iter().enumerate() {
            let id = &m.checkpoints[n].id;
            let stage_backlog: u64 = m.checkpoints[n]
                .stages
                .iter()
                .map(|&s| r.stages[s as usize].kpi.backlog_end)
                .sum();
            if m.checkpoints[n]
                .stages
                .iter()
                .all(|&s| m.stages[s as usize].travel.is_none())
            {
                assert_eq!(c.kpi.backlog_end, stage_backlog, "{id}: backlog");
            }
            if let Some(per) = containers_per_vehicle(m, n) {
                let per = per as f64;
                let into = c.kpi.arrivals as f64 * per;
                assert_eq!(c.kpi.containers, c.kpi.served as f64 * per, "{id}");
                assert_eq!(
                    into,
                    c.kpi.containers + c.kpi.backlog_end as f64 * per,
                    "{id}: containers in = out + still inside"
                );
                for &s in &m.checkpoints[n].stages {
                    let k = &r.stages[s as usize].kpi;
                    assert_eq!(k.containers, k.served as f64 * per, "{id}/stage {s}");
                }
            }
        }
        for (i, f) in r.flows.iter().enumerate() {
            let spec = &m.flows[i];
            if matches!(spec.arrivals, borderflow::model::Arrivals::Transfer) {
                continue;
            }
            assert_eq!(f.containers, f.served as f64 * spec.containers as f64);
            assert_eq!(f.wagons, f.served as f64 * spec.wagons as f64);
            assert!((f.tonnes - f.served as f64 * spec.tonnes).abs() < 1e-6);
        }
    }
}

/// kz-cn-rail.toml, 20 days (14 warm-up), 2 replications: everything is conserved, with trains
/// held outside and trains still inside at the horizon.
#[test]
fn rail_scenario_conserves_trains_and_containers() {
    let m = scenario("kz-cn-rail.toml", 20, 2);
    let reps = sweep::run_replications(&m).expect("runs");
    check_conservation(&m, &reps);
    let khorgos = node_index(&m, "khorgos");
    let dostyk = node_index(&m, "dostyk");
    for r in &reps {
        for n in [khorgos, dostyk] {
            let k = &r.checkpoints[n].kpi;
            assert!(k.served > 0 && k.backlog_end > 0, "{k:?}");
            assert!(k.held_outside <= k.arrivals);
        }
        // Links: every train through Dostyk enters dostyk-moyinty after it leaves the station.
        let link = node_index(&m, "dostyk-moyinty");
        assert_eq!(
            r.checkpoints[link].kpi.arrivals,
            r.checkpoints[dostyk].kpi.served
        );
    }
}

/// kz-cn-multimodal.toml moved to a May start (in the navigation season), 40 days: road, rail,
/// river, the Tugyl port and its barge → train transfer all conserve vehicles.
#[test]
fn multimodal_scenario_conserves_everything() {
    let text = std::fs::read_to_string(repo_path("scenarios/kz-cn-multimodal.toml")).unwrap();
    let line = r#"start_date = "2026-01-05""#;
    assert!(text.contains(line));
    let text = text.replace(line, r#"start_date = "2026-05-04""#);
    let m = parse(
        &text,
        "kz-cn-multimodal.toml",
        Overrides {
            days: Some(40),
            replications: Some(2),
            ..Overrides::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let reps = sweep::run_replications(&m).expect("runs");
    check_conservation(&m, &reps);
    let port = node_index(&m, "tugyl-port");
    let trains = flow_index(&m, "tugyl-trains");
    for r in &reps {
        assert!(r.checkpoints[port].kpi.served > 0, "no barge left the port");
        assert!(r.flows[trains].arrivals > 0);
        // One 3,000 t barge fills one 60 × 2 × 25 t train: 3,000 t and 120 containers each.
        let f = &r.flows[trains];
        assert_eq!(f.tonnes, f.served as f64 * 3000.0);
        assert_eq!(f.containers, f.served as f64 * 120.0);
    }
}

/// Barge 3,000 t/day (00:00) → irtysh river link (10 h) → port: 1 berth, 1 h + 3,000 t at 500 t/h
/// = 7 h → transfer to trains of 30 wagons × 1 container × 50 t = 1,500 t: exactly 2 trains per
/// barge, 30 containers each (bulk stuffed at 50 t per container), created at 17:00 → rail link
/// (2 h) → station (track, 1 crane at 1 min per container: 2 × 30 min, departure 1 h). Everything
/// finishes before the next barge (last train leaves by 21:00), so nothing is in backlog.
#[test]
fn barge_to_train_transfer_hands_over_all_tonnes() {
    let days = 6u64;
    let text = format!(
        r#"
[simulation]
name = "transfer"
days = {days}
seed = 3
replications = 1

[[links]]
id = "river"
mode = "river"
travel = "10h"

[[terminals]]
id = "port"
transfer_to = "trains"
[[terminals.stages]]
id = "berths"
kind = "berths"
berths = 1
service = {{ dist = "deterministic", value = "1h" }}
handling_rate = "500/h"

[[links]]
id = "line"
mode = "rail"
travel = "2h"

[[checkpoints]]
id = "station"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 2
[[checkpoints.stages]]
id = "transship"
kind = "cranes"
cranes = 1
service = {{ dist = "deterministic", value = "1min" }}
[[checkpoints.stages]]
id = "departure"
lanes = 2
service = {{ dist = "deterministic", value = "1h" }}

[[flows]]
id = "barges"
mode = "barge"
tonnes = 3000.0
route = ["river", "port"]
arrivals = {{ process = "timetable", times = ["00:00"] }}

[[flows]]
id = "trains"
mode = "train"
wagons = 30
containers_per_wagon = 1
tonnes_per_container = 50.0
route = ["line", "station"]
arrivals = {{ process = "transfer" }}
"#
    );
    let m = model(&text);
    let (r, trace) = simulate_traced(&m, 0);
    assert_all_conserved(&m, &r);
    let (barges, trains) = (flow_index(&m, "barges"), flow_index(&m, "trains"));
    let b = &r.flows[barges];
    let t = &r.flows[trains];
    assert_eq!((b.arrivals, b.served, b.backlog_end), (days, days, 0));
    assert_eq!(
        (t.arrivals, t.served, t.backlog_end),
        (2 * days, 2 * days, 0)
    );
    assert_eq!(b.tonnes, 3000.0 * days as f64);
    assert_eq!(t.tonnes, b.tonnes, "tonnes handed over = tonnes carried on");
    assert_eq!(t.containers, 60.0 * days as f64);
    assert_eq!(t.teu, 120.0 * days as f64);
    let port = node_index(&m, "port");
    let station = node_index(&m, "station");
    assert_eq!(r.checkpoints[port].kpi.tonnes, b.tonnes);
    assert_eq!(r.checkpoints[station].kpi.tonnes, b.tonnes);
    assert_eq!(r.checkpoints[station].kpi.served, 2 * days);
    // Berth: 1 h + 3,000 / 500 h = 7 h exactly.
    let berth = stage_of(&m, "port", "berths");
    assert_eq!(r.stages[berth].kpi.time_in_system.max(), (7 * HOUR) as u64);
    // Both trains of a barge enter the rail link at 17:00 (created at the same instant).
    let line = stage_of(&m, "line", "link");
    let starts = vehicle_starts(&trace, line);
    assert_eq!(starts.len(), 2 * days as usize);
    for s in &starts {
        assert_eq!(s.at.ms_of_day(), hm(17, 0), "{}", show(s.at));
    }
    // Station: train 1 crane 19:00–19:30, departure 19:30–20:30 (dwell 1.5 h); train 2 waits
    // for the crane until 19:30, crane to 20:00, departure to 21:00 (dwell 2 h).
    let k = &r.checkpoints[station].kpi;
    assert_eq!(k.time_in_system.min(), (90 * MIN) as u64);
    assert_eq!(k.time_in_system.max(), (120 * MIN) as u64);
    assert_eq!(k.held_outside, 0);
    // Barge: 10 h + 7 h = 17 h; trains: 2 h + 1.5 h / 2 h from their creation at 17:00.
    assert_eq!(b.time_in_system.max(), (17 * HOUR) as u64);
    assert_eq!(t.time_in_system.min(), (210 * MIN) as u64);
    assert_eq!(t.time_in_system.max(), (240 * MIN) as u64);
}

// -------------------------------------------------------------------------------------------
// 5. Crane hours
// -------------------------------------------------------------------------------------------

/// One crane working 08:00–16:00 at 7 min a move; trains of 10 containers every 2 h around the
/// clock (80 moves = 560 min offered per day > 480 min open), so the crane is never idle while
/// open. Each day moves start at 08:00 + 7k min for k = 0..68 (69 moves), the last at 15:56 —
/// in progress at 16:00, it ends at 16:03. No move starts while closed; open time is all busy.
#[test]
fn crane_hours_stop_new_moves_but_finish_the_current_one() {
    let days = 4i64;
    let text = format!(
        r#"
[simulation]
name = "crane-hours"
days = {days}
seed = 1
replications = 1
utc_offset = "+05:00"

[[checkpoints]]
id = "yard"
[[checkpoints.stages]]
id = "cranes"
kind = "cranes"
cranes = 1
service = {{ dist = "deterministic", value = "7min" }}
hours = "08:00-16:00"

[[flows]]
id = "trains"
mode = "train"
wagons = 10
route = ["yard"]
arrivals = {{ process = "timetable", every = "2h", from = "00:00", to = "22:00" }}
"#
    );
    let m = model(&text);
    let s = stage_of(&m, "yard", "cranes");
    let (r, trace) = simulate_traced(&m, 0);
    let mv = moves(&trace, s);
    for e in &mv {
        assert!(
            m.stages[s].calendar.is_open(e.at),
            "move started while closed at {}",
            show(e.at)
        );
    }
    for e in vehicle_starts(&trace, s) {
        assert!(m.stages[s].calendar.is_open(e.at), "{}", show(e.at));
    }
    for d in 0..days {
        let day: Vec<i64> = mv
            .iter()
            .filter(|e| e.at.day_index() == d)
            .map(|e| e.at.ms_of_day())
            .collect();
        let want: Vec<i64> = (0..69).map(|k| hm(8, 0) + 7 * k * MIN).collect();
        assert_eq!(day, want, "day {d}");
        assert_eq!(*day.last().unwrap() + 7 * MIN, hm(16, 3));
    }
    // A train whose moves straddle the closing finishes the next day: stage times beyond 16 h.
    let k = &r.stages[s].kpi;
    assert!(k.served > 0);
    assert!(k.time_in_system.max() > (16 * HOUR) as u64);
    // Busy open time = open time (the 15:56 move counts only its 4 min before 16:00).
    assert_eq!(r.stages[s].open_lane_ms, (days * 8 * HOUR) as i128);
    assert_eq!(r.stages[s].busy_open_lane_ms, r.stages[s].open_lane_ms);
}

// -------------------------------------------------------------------------------------------
// 6. River season
// -------------------------------------------------------------------------------------------

/// A river link open "04-15..10-24" (inclusive), one barge a day at 12:00 from 2026-01-05 for a
/// year. Day indices: 2026-04-15 is day 100, 2026-10-24 day 292. Barges of days 0–99 all
/// leave at 2026-04-15 00:00 (the first having waited 100 d − 12 h); barges of days 100–292
/// leave on arrival; those of days 293–364 wait past the horizon (72 in backlog).
#[test]
fn river_link_carries_nothing_outside_its_season() {
    let text = r#"
[simulation]
name = "season"
days = 365
seed = 1
replications = 1
start_date = "2026-01-05"
utc_offset = "+05:00"

[[links]]
id = "river"
mode = "river"
travel = "1h"
season = "04-15..10-24"

[[flows]]
id = "barges"
mode = "barge"
tonnes = 3000.0
route = ["river"]
arrivals = { process = "timetable", times = ["12:00"] }
"#;
    let m = model(text);
    let s = stage_of(&m, "river", "link");
    let (r, trace) = simulate_traced(&m, 0);
    let starts = vehicle_starts(&trace, s);
    let from = (4i8, 15i8);
    let to = (10i8, 24i8);
    for e in &starts {
        let d = date_of(&m, e.at);
        let md = (d.month(), d.day());
        assert!(
            from <= md && md <= to,
            "a barge left on {d} ({}), outside the season",
            show(e.at)
        );
    }
    assert_eq!(date_of(&m, at(100 * DAY)).to_string(), "2026-04-15");
    assert_eq!(date_of(&m, at(292 * DAY)).to_string(), "2026-10-24");
    let opening: Vec<&ServiceStart> = starts.iter().filter(|e| e.at == at(100 * DAY)).collect();
    assert_eq!(
        opening.len(),
        100,
        "winter barges leave at the season opening"
    );
    assert_eq!(starts[0].waited.as_ms(), 100 * DAY - 12 * HOUR);
    assert_eq!(starts.len(), 293);
    // The last day of the season still carries; the barge of 25 Oct waits.
    assert_eq!(starts.last().unwrap().at, at(292 * DAY + 12 * HOUR));
    let k = &r.checkpoints[node_index(&m, "river")].kpi;
    assert_eq!((k.arrivals, k.served, k.backlog_end), (365, 293, 72));
    assert_eq!(k.tonnes, 293.0 * 3000.0);
}

// -------------------------------------------------------------------------------------------
// 7. Train paths per day
// -------------------------------------------------------------------------------------------

fn paths_scenario(link_offset: &str, days: u32) -> String {
    format!(
        r#"
[simulation]
name = "paths"
days = {days}
seed = 1
replications = 1
utc_offset = "+05:00"

[[links]]
id = "line"
mode = "rail"
travel = "1h"
paths_per_day = 2
{link_offset}

[[flows]]
id = "trains"
mode = "train"
wagons = 50
route = ["line"]
arrivals = {{ process = "timetable", every = "4h", from = "00:00", to = "16:00" }}
"#
    )
}

/// 5 trains a day (00:00, 04:00, …, 16:00) onto a line with 2 paths a day, 10 days. Day 0: the
/// 00:00 and 04:00 trains go at once; from day 1 on, the 2 oldest waiting trains go at 00:00
/// (first come first served): train i (0-based, arriving day i/5 at 4h × (i mod 5)) goes on day
/// i/2. 20 go, 30 wait at the horizon; every day's paths are used up.
#[test]
fn paths_per_day_cap_link_entries() {
    let days = 10i64;
    let m = model(&paths_scenario("", days as u32));
    let s = stage_of(&m, "line", "link");
    let (r, trace) = simulate_traced(&m, 0);
    let starts = vehicle_starts(&trace, s);
    let mut per_day: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &starts {
        *per_day
            .entry(m.stages[s].calendar.local_day(e.at))
            .or_default() += 1;
    }
    assert_eq!(per_day.len(), days as usize);
    assert!(per_day.values().all(|&n| n == 2), "{per_day:?}");
    for (i, e) in starts.iter().enumerate() {
        let i = i as i64;
        let arrive = (i / 5) * DAY + (i % 5) * 4 * HOUR;
        let go = if i < 2 { arrive } else { (i / 2) * DAY };
        assert_eq!(e.at, at(go), "train {i}");
        assert_eq!(e.waited.as_ms(), go - arrive, "train {i}");
    }
    let k = &r.checkpoints[0].kpi;
    assert_eq!((k.arrivals, k.served, k.backlog_end), (50, 20, 30));
    assert_eq!(r.stages[s].quota_days_exhausted, days as u64);
    // Longest wait: train 18 (day 3, 12:00) goes on day 9 at 00:00: 5 d 12 h.
    assert_eq!(k.wait.max() as i64, 9 * DAY - (3 * DAY + 12 * HOUR));
}

/// The same line on its own clock, UTC+8 against the scenario's UTC+5: a path day starts at
/// 21:00 scenario time. Day 0 (local day from 03:00 local) takes the 00:00 and 04:00 trains;
/// every later start is at 21:00 scenario time, 2 per local day.
#[test]
fn paths_per_day_count_on_the_links_clock() {
    let days = 6i64;
    let m = model(&paths_scenario(r#"utc_offset = "+08:00""#, days as u32));
    let s = stage_of(&m, "line", "link");
    let (_, trace) = simulate_traced(&m, 0);
    let starts = vehicle_starts(&trace, s);
    assert_eq!(starts[0].at, at(0));
    assert_eq!(starts[1].at, at(4 * HOUR));
    for e in &starts[2..] {
        assert_eq!(e.at.ms_of_day(), 21 * HOUR, "{}", show(e.at));
    }
    let mut per_day: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &starts {
        *per_day
            .entry(m.stages[s].calendar.local_day(e.at))
            .or_default() += 1;
    }
    assert!(per_day.values().all(|&n| n == 2), "{per_day:?}");
    // Local days 0..=6 begin within the horizon (21:00 of scenario days 0..=5 start days 1..=6).
    assert_eq!(starts.len(), 2 * 7);
}

// -------------------------------------------------------------------------------------------
// 8. Daily wagon quota
// -------------------------------------------------------------------------------------------

fn wagon_quota(flows: &[(&str, u32, &str)], days: u32) -> String {
    let mut text = format!(
        r#"
[simulation]
name = "wagon-quota"
days = {days}
seed = 1
replications = 1

[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 20
daily_quota_wagons = 100
"#
    );
    for (id, wagons, times) in flows {
        text += &format!(
            r#"
[[flows]]
id = "{id}"
mode = "train"
wagons = {wagons}
route = ["st"]
arrivals = {{ process = "timetable", times = [{times}] }}
"#
        );
    }
    text
}

fn starts_per_day(trace: &[ServiceStart], s: usize) -> BTreeMap<i64, Vec<ServiceStart>> {
    let mut out: BTreeMap<i64, Vec<ServiceStart>> = BTreeMap::new();
    for e in vehicle_starts(trace, s) {
        out.entry(e.at.day_index()).or_default().push(e);
    }
    out
}

/// daily_quota_wagons = 100, 45-wagon trains at 00:00, 06:00, 12:00, 18:00: 45 + 45 = 90 fit,
/// a third (135 > 100) does not: exactly 2 trains a day. Day 0 takes 00:00 and 06:00; each later
/// day takes the two oldest waiting trains at 00:00.
#[test]
fn daily_wagon_quota_admits_only_whole_trains_that_fit() {
    let days = 5;
    let m = model(&wagon_quota(
        &[("t45", 45, r#""00:00", "06:00", "12:00", "18:00""#)],
        days,
    ));
    let s = stage_of(&m, "st", "tracks");
    let (r, trace) = simulate_traced(&m, 0);
    let per_day = starts_per_day(&trace, s);
    assert_eq!(per_day.len(), days as usize);
    for (d, v) in &per_day {
        assert_eq!(v.len(), 2, "day {d}: {v:?}");
        let times: Vec<i64> = v.iter().map(|e| e.at.ms_of_day()).collect();
        if *d == 0 {
            assert_eq!(times, vec![0, 6 * HOUR]);
        } else {
            assert_eq!(times, vec![0, 0]);
        }
    }
    let k = &r.stages[s].kpi;
    assert_eq!((k.arrivals, k.served), (20, 10));
    assert_eq!(k.wagons, 450.0);
}

/// A 10-wagon train fits the remainder of a day that took 2 × 45 (90 + 10 = 100).
#[test]
fn daily_wagon_quota_fills_the_remainder_exactly() {
    let m = model(&wagon_quota(
        &[
            ("t45", 45, r#""00:00", "01:00""#),
            ("t10", 10, r#""02:00""#),
        ],
        1,
    ));
    let s = stage_of(&m, "st", "tracks");
    let (r, trace) = simulate_traced(&m, 0);
    let starts = vehicle_starts(&trace, s);
    assert_eq!(starts.len(), 3);
    assert!(starts.iter().all(|e| e.waited.is_zero()));
    assert_eq!(r.stages[s].kpi.wagons, 100.0);
}

/// A 120-wagon train is longer than the whole quota (100): it is admitted as the day's first,
/// and nothing else that day. Two a day (00:00, 12:00) → one a day, at the local day's start
/// from day 1 on; every day's quota counts as used up.
#[test]
fn train_longer_than_the_wagon_quota_goes_as_the_days_first() {
    let days = 4;
    let m = model(&wagon_quota(&[("t120", 120, r#""00:00", "12:00""#)], days));
    let s = stage_of(&m, "st", "tracks");
    let (r, trace) = simulate_traced(&m, 0);
    let per_day = starts_per_day(&trace, s);
    assert_eq!(per_day.len(), days as usize);
    for (d, v) in &per_day {
        assert_eq!(v.len(), 1, "day {d}: {v:?}");
        assert_eq!(v[0].at, at(d * DAY));
    }
    assert_eq!(r.stages[s].kpi.served, days as u64);
    assert_eq!(r.stages[s].quota_days_exhausted, days as u64);
}

// -------------------------------------------------------------------------------------------
// 10. Determinism (in process; the binary's JSON is checked in `rail_cli`)
// -------------------------------------------------------------------------------------------

/// Two runs of kz-cn-rail.toml's replication 1 give the same counts, waits and trace.
#[test]
fn rail_replication_is_reproducible() {
    let m = scenario("kz-cn-rail.toml", 20, 1);
    let (a, ta) = simulate_traced(&m, 1);
    let (b, tb) = simulate_traced(&m, 1);
    assert_eq!(ta, tb);
    assert_eq!(a.events, b.events);
    for (x, y) in a.checkpoints.iter().zip(&b.checkpoints) {
        assert_eq!(
            (
                x.kpi.arrivals,
                x.kpi.served,
                x.kpi.backlog_end,
                x.kpi.held_outside
            ),
            (
                y.kpi.arrivals,
                y.kpi.served,
                y.kpi.backlog_end,
                y.kpi.held_outside
            )
        );
        assert_eq!(x.kpi.wait.sum(), y.kpi.wait.sum());
        assert_eq!(x.kpi.time_in_system.sum(), y.kpi.time_in_system.sum());
    }
}

// -------------------------------------------------------------------------------------------
// Transfers by container count; suspected bugs
// -------------------------------------------------------------------------------------------

/// A 47-wagon train (1 container of 20 t per wagon) unloads at a terminal (1 crane, 1 min a
/// move: 47 min) whose cargo leaves on trucks of 1 container: exactly 47 trucks of 20 t each,
/// all starting the road link at 06:47.
#[test]
fn train_to_truck_transfer_splits_by_container() {
    let text = r#"
[simulation]
name = "split"
days = 1
seed = 1
replications = 1

[[terminals]]
id = "dry-port"
transfer_to = "trucks"
[[terminals.stages]]
id = "cranes"
kind = "cranes"
cranes = 1
service = { dist = "deterministic", value = "1min" }

[[links]]
id = "road"
mode = "road"
travel = "30min"

[[flows]]
id = "trains"
mode = "train"
wagons = 47
tonnes_per_container = 20.0
route = ["dry-port"]
arrivals = { process = "timetable", times = ["06:00"] }

[[flows]]
id = "trucks"
mode = "truck"
tonnes = 20.0
containers = 1
route = ["road"]
arrivals = { process = "transfer" }
"#;
    let m = model(text);
    let (r, trace) = simulate_traced(&m, 0);
    assert_all_conserved(&m, &r);
    let trucks = &r.flows[flow_index(&m, "trucks")];
    assert_eq!((trucks.arrivals, trucks.served), (47, 47));
    assert_eq!(trucks.tonnes, 940.0);
    assert_eq!(trucks.containers, 47.0);
    assert_eq!(trucks.time_in_system.max(), (30 * MIN) as u64);
    let road = stage_of(&m, "road", "link");
    let starts = vehicle_starts(&trace, road);
    assert_eq!(starts.len(), 47);
    assert!(starts.iter().all(|e| e.at == at(hm(6, 47))));
}

/// Two "tracks" stages in one station (e.g. arrival yard, then a sorting yard): the schema lets
/// a train keep a track "until it leaves the checkpoint", and the scenario validates, but the
/// runtime remembers only ONE held track per train (`Vehicle::track_stage` is overwritten in
/// `on_done` by the second tracks stage), so the first stage's track is never released in
/// `leave_checkpoint`: with 1 track each, the first train passes and every later train waits
/// at the first stage forever. Expected: either both tracks are released at departure (2 trains
/// at 06:00 and 12:00 both pass, 20 min dwell each) or validation rejects a second tracks stage.
#[test]
fn two_tracks_stages_release_both_tracks() {
    let text = r#"
[simulation]
name = "two-tracks"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "arrival"
kind = "tracks"
tracks = 1
service = { dist = "deterministic", value = "10min" }
[[checkpoints.stages]]
id = "sorting"
kind = "tracks"
tracks = 1
service = { dist = "deterministic", value = "10min" }

[[flows]]
id = "trains"
mode = "train"
wagons = 10
route = ["st"]
arrivals = { process = "timetable", times = ["06:00", "12:00"] }
"#;
    // A train holds one receiving track: a second tracks stage in the same station is refused
    // where it is written.
    let err = borderflow::scenario::parse(text, "two-tracks.toml", Overrides::default())
        .expect_err("a second tracks stage must be rejected");
    let p = &err.problems[0];
    assert_eq!(p.path, "checkpoints[0].stages[1].kind");
    assert!(
        p.message.contains("already has a tracks stage"),
        "{}",
        p.message
    );
}

/// A train with no containers (containers_per_wagon = 0, e.g. a returning empty rake) has no
/// crane moves; `dispatch_pooled` admits it only when a crane is free AND no admitted train has
/// a move left to start, so it waits behind a 45-container train for the whole 45 × 3 min even
/// though it needs no crane. Expected: it passes the crane stage on arrival (wait 0).
#[test]
fn train_with_nothing_to_move_does_not_wait_for_a_crane() {
    let text = r#"
[simulation]
name = "empty"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "yard"
[[checkpoints.stages]]
id = "work"
kind = "cranes"
cranes = 1
service = { dist = "deterministic", value = "3min" }

[[flows]]
id = "loaded"
mode = "train"
wagons = 45
route = ["yard"]
arrivals = { process = "timetable", times = ["06:00"] }

[[flows]]
id = "empty"
mode = "train"
wagons = 45
containers_per_wagon = 0
route = ["yard"]
arrivals = { process = "timetable", times = ["06:10"] }
"#;
    let m = model(text);
    let (_, trace) = simulate_traced(&m, 0);
    let empty = flow_index(&m, "empty") as u32;
    let s = vehicle_starts(&trace, 0);
    let e = s
        .iter()
        .find(|e| e.flow == empty)
        .expect("empty train admitted");
    assert_eq!((e.at, e.waited.as_ms()), (at(hm(6, 10)), 0));
}
