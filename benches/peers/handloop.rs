//! A hand-written event loop for the two reference models, P1 and M/M/1: the floor borderflow's
//! engine is measured against (BENCHMARKS.md, `benches/peers/run.sh`).
//!
//! ```text
//! cargo run --release --example handloop -- p1|mm1
//! ```
//!
//! What a programmer would write for these models alone: one `std` binary heap of events keyed by
//! (time, sequence), a FIFO queue and a busy-lane count per checkpoint, and only the statistics
//! the benchmark reports: the mean wait (an integer sum) and the p95 wait (a histogram of whole
//! seconds). Times are whole milliseconds, and every sample comes from the same random streams as
//! in borderflow (`engine::stream`, named by flow and stage, rounded to the millisecond the same
//! way), so the two engines see the same arrivals and service times and report the same waits.
//! Prints one JSON line: model, engine, served, mean and p95 wait [h], and `wall_s`, the time of
//! the simulation and its statistics (process start-up excluded).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use borderflow::engine::{Rng, stream};
use rand_distr::{Distribution, Exp1};

const MS_PER_HOUR: f64 = 3_600_000.0;

/// One reference model: `checkpoints` independent checkpoints of `lanes` lanes each, Poisson
/// arrivals and exponential service, 24/7, over `days`.
struct Model {
    name: &'static str,
    checkpoints: usize,
    lanes: u32,
    /// Arrival rate per checkpoint [1/h].
    rate_per_h: f64,
    /// Mean service time [ms].
    service_mean_ms: f64,
    days: i64,
    /// Flow id and stage name of checkpoint `i`, as borderflow names their random streams.
    names: fn(usize) -> (String, String),
}

const P1: Model = Model {
    name: "P1",
    checkpoints: 8,
    lanes: 4,
    rate_per_h: 32.0,
    service_mean_ms: 360_000.0,
    days: 365,
    names: |i| {
        (
            format!("flow/trucks{i}/arrivals"),
            format!("stage/cp{i}/control/service"),
        )
    },
};

const MM1: Model = Model {
    name: "M/M/1",
    checkpoints: 1,
    lanes: 1,
    rate_per_h: 60.0,
    service_mean_ms: 54_545.0,
    days: 1000,
    names: |_| {
        (
            "flow/customers/arrivals".to_string(),
            "stage/server/service/service".to_string(),
        )
    },
};

/// An exponential sample `e` of mean one times `scale`, divided by `div`, rounded half away from
/// zero to whole milliseconds (borderflow's arithmetic, so the values agree to the millisecond).
#[inline]
fn exp_ms(rng: &mut Rng, scale: f64, div: f64) -> i64 {
    let e: f64 = Exp1.sample(rng);
    (e * scale / div).round() as i64
}

/// The state of one checkpoint.
struct Checkpoint {
    busy: u32,
    /// Arrival times of the trucks waiting, in order [ms].
    queue: VecDeque<i64>,
    arrivals: Rng,
    service: Rng,
}

const ARRIVAL: u32 = 0;
const DEPARTURE: u32 = 1;

fn main() {
    let model = match std::env::args().nth(1).as_deref() {
        Some("p1") => P1,
        Some("mm1") => MM1,
        _ => {
            eprintln!("usage: handloop p1|mm1");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let horizon = model.days * 24 * 3_600_000;
    // Arrival gaps: e × 3.6e6 / rate; service times: e × 1/(1/mean) (`Dist::exponential`).
    let service_scale = 1.0 / (1.0 / model.service_mean_ms);
    let mut cps: Vec<Checkpoint> = (0..model.checkpoints)
        .map(|i| {
            let (arrivals, service) = (model.names)(i);
            Checkpoint {
                busy: 0,
                queue: VecDeque::new(),
                arrivals: stream(1, 0, &arrivals),
                service: stream(1, 0, &service),
            }
        })
        .collect();
    // (time [ms], sequence, checkpoint << 1 | kind): the sequence breaks ties first-scheduled first.
    let mut events: BinaryHeap<Reverse<(i64, u64, u32)>> = BinaryHeap::new();
    let mut seq = 0u64;
    for (i, cp) in cps.iter_mut().enumerate() {
        let t = exp_ms(&mut cp.arrivals, MS_PER_HOUR, model.rate_per_h);
        events.push(Reverse((t, seq, (i as u32) << 1 | ARRIVAL)));
        seq += 1;
    }
    let (mut served, mut waits, mut wait_sum_ms) = (0u64, 0u64, 0i128);
    let mut wait_s_hist = vec![0u64; 48 * 3600];
    let mut record = |w: i64| {
        wait_sum_ms += i128::from(w);
        waits += 1;
        let s = ((w / 1000) as usize).min(wait_s_hist.len() - 1);
        wait_s_hist[s] += 1;
    };
    while let Some(Reverse((t, _, ev))) = events.pop() {
        if t > horizon {
            break;
        }
        let i = (ev >> 1) as usize;
        let cp = &mut cps[i];
        if ev & 1 == ARRIVAL {
            let next = t + exp_ms(&mut cp.arrivals, MS_PER_HOUR, model.rate_per_h);
            if next <= horizon {
                events.push(Reverse((next, seq, ev)));
                seq += 1;
            }
            if cp.busy < model.lanes {
                cp.busy += 1;
                record(0);
                let done = t + exp_ms(&mut cp.service, service_scale, 1.0);
                events.push(Reverse((done, seq, (i as u32) << 1 | DEPARTURE)));
                seq += 1;
            } else {
                cp.queue.push_back(t);
            }
        } else {
            served += 1;
            if let Some(arrived) = cp.queue.pop_front() {
                record(t - arrived);
                let done = t + exp_ms(&mut cp.service, service_scale, 1.0);
                events.push(Reverse((done, seq, ev)));
                seq += 1;
            } else {
                cp.busy -= 1;
            }
        }
    }
    let mean_h = wait_sum_ms as f64 / waits.max(1) as f64 / MS_PER_HOUR;
    let rank = (0.95 * waits as f64).ceil() as u64;
    let mut cum = 0;
    let p95_s = wait_s_hist
        .iter()
        .position(|&c| {
            cum += c;
            cum >= rank
        })
        .unwrap_or(0);
    let wall_s = t0.elapsed().as_secs_f64();
    println!(
        "{{\"model\":\"{}\",\"engine\":\"hand-written\",\"served\":{served},\"mean_wait_h\":{mean_h:.6},\
         \"p95_wait_h\":{:.6},\"wall_s\":{wall_s:.6}}}",
        model.name,
        p95_s as f64 / 3600.0
    );
}
