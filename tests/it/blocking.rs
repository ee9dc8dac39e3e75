//! Finite waiting space that blocks (`buffer`).
//!
//! - A two-stage line with Poisson arrivals, exponential services and a finite buffer in front
//!   of the second stage, against the stationary distribution of its Markov chain, solved here;
//! - hand cases to the millisecond: blocking and unblocking, travel through a buffer, a rail
//!   station behind a link with few paths, a suspension of intake, a first stage's buffer that
//!   splits its queue into inside and approach road;
//! - conservation with blocking over random small scenarios;
//! - the tell-tale of the old behaviour: a buffer that never fills changes nothing;
//! - bad `buffer` input: exit 2 with file, field and line:column.

use crate::common::*;
use crate::input_errors::rail::GOOD as RAIL;
use crate::input_errors::road::GOOD as ROAD;
use crate::input_errors::{Field, assert_rejected};
use borderflow::kpi::{self, EntityKind, EntitySummary, rep_values};
use borderflow::model::{Model, RepResult, ServiceStart, simulate_traced};
use borderflow::scenario::{Overrides, parse};
use borderflow::stats::Estimate;
use borderflow::sweep;
use borderflow::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The two-stage line against its Markov chain
// ---------------------------------------------------------------------------------------------

/// A banded square matrix (`w` diagonals either side), stored row by row.
struct Band {
    n: usize,
    w: usize,
    a: Vec<f64>,
}

impl Band {
    fn new(n: usize, w: usize) -> Band {
        Band {
            n,
            w,
            a: vec![0.0; n * (2 * w + 1)],
        }
    }
    fn at(&mut self, r: usize, c: usize) -> &mut f64 {
        debug_assert!(r.abs_diff(c) <= self.w);
        &mut self.a[r * (2 * self.w + 1) + c + self.w - r]
    }
    /// Solves `A x = b` by Gaussian elimination without pivoting, which is stable here: the
    /// matrix is a generator's transpose, diagonally dominant by columns. Fill-in stays in the band.
    fn solve(mut self, mut b: Vec<f64>) -> Vec<f64> {
        let (n, w) = (self.n, self.w);
        for k in 0..n {
            let pivot = *self.at(k, k);
            assert!(pivot.abs() > 0.0, "zero pivot at {k}");
            for r in k + 1..n.min(k + w + 1) {
                let f = *self.at(r, k) / pivot;
                if f == 0.0 {
                    continue;
                }
                for c in k..n.min(k + w + 1) {
                    let v = *self.at(k, c);
                    *self.at(r, c) -= f * v;
                }
                b[r] -= f * b[k];
            }
        }
        let mut x = vec![0.0; n];
        for k in (0..n).rev() {
            let mut s = b[k];
            let hi = n.min(k + w + 1);
            for (c, xc) in x.iter().enumerate().take(hi).skip(k + 1) {
                s -= *self.at(k, c) * xc;
            }
            x[k] = s / *self.at(k, k);
        }
        x
    }
}

/// Two single-server stages in tandem, Poisson arrivals λ, exponential services μ1 and μ2,
/// `b` places in front of stage 2 and an unlimited queue at stage 1; blocking after service.
///
/// State (n1, m): n1 vehicles at stage 1 (waiting, in service, or done and blocked); m = the
/// vehicles at stage 2 (waiting or in service, at most b + 1), plus one if stage 1's server is
/// blocked (m = b + 2). Transitions:
/// - arrival, λ: (n1 + 1, m);
/// - stage 1 done, μ1, when n1 ≥ 1 and not blocked: (n1 − 1, m + 1) if m ≤ b (a place, or
///   stage 2 idle with m = 0 — it starts at once), else blocked: (n1, b + 2);
/// - stage 2 done, μ2, when m ≥ 1: (n1, m − 1), or if blocked the blocked vehicle moves up:
///   (n1 − 1, b + 1).
///
/// Stage 1's queue is cut at `cap` (arrivals then lost); the test checks that the mass near
/// the cut is negligible.
struct Chain {
    b: usize,
    cap: usize,
    /// Stationary probability of (n1, m), at `n1 * (b + 3) + m`.
    pi: Vec<f64>,
}

/// The stationary figures of the chain, named as the simulator reports them.
#[derive(Debug)]
struct Exact {
    /// Stage 1's `in_system_mean`: E[n1] (a blocked vehicle stays in stage 1 until it moves).
    in_a: f64,
    /// Stage 2's `in_system_mean`: E[min(m, b + 1)].
    in_b: f64,
    /// Stage 2's `queue_mean`: E[max(min(m, b + 1) − 1, 0)].
    queue_b: f64,
    /// Stage 1's `blocked_mean`: P(m = b + 2).
    blocked: f64,
    /// Stage 1's `blocked_share`: blocked ÷ (busy + blocked) = P(m = b + 2) ÷ P(n1 ≥ 1).
    blocked_share: f64,
    /// Departures per hour from stage 2: μ2 P(m ≥ 1).
    throughput_h: f64,
    /// Checkpoint `wait_mean_h` by Little's law: (E[n1] + E[n2]) / λ − 1/μ1 − 1/μ2.
    wait_h: f64,
    /// Probability of the states with n1 ≥ cap − 10 (truncation check).
    tail: f64,
}

impl Chain {
    fn solve(lambda: f64, mu1: f64, mu2: f64, b: usize, cap: usize) -> Chain {
        let k = b + 3;
        let n = (cap + 1) * k;
        let idx = |n1: usize, m: usize| n1 * k + m;
        // Outgoing transitions of (n1, m): (target, rate).
        let moves = |n1: usize, m: usize| {
            let mut out: Vec<(usize, f64)> = Vec::with_capacity(3);
            if n1 < cap {
                out.push((idx(n1 + 1, m), lambda));
            }
            if n1 >= 1 && m <= b + 1 {
                let to = if m <= b {
                    idx(n1 - 1, m + 1)
                } else {
                    idx(n1, b + 2)
                };
                out.push((to, mu1));
            }
            // (0, b + 2) is unreachable; it keeps only its arrivals.
            if m >= 1 && (n1 >= 1 || m <= b + 1) {
                let to = if m == b + 2 {
                    idx(n1 - 1, b + 1)
                } else {
                    idx(n1, m - 1)
                };
                out.push((to, mu2));
            }
            out
        };
        // Balance: for every state j ≠ 0, Σ_i π_i q_ij − π_j q_j = 0, with π_0 = 1; unknown j
        // at row and column j − 1. The state (0, b + 2) cannot be reached: its π comes out 0.
        let mut a = Band::new(n - 1, k + 1);
        let mut rhs = vec![0.0; n - 1];
        for n1 in 0..=cap {
            for m in 0..k {
                let i = idx(n1, m);
                for (j, rate) in moves(n1, m) {
                    if i != 0 {
                        *a.at(i - 1, i - 1) -= rate;
                    }
                    match (i, j) {
                        (_, 0) => {}
                        (0, _) => rhs[j - 1] -= rate,
                        _ => *a.at(j - 1, i - 1) += rate,
                    }
                }
            }
        }
        let x = a.solve(rhs);
        let mut pi = Vec::with_capacity(n);
        pi.push(1.0);
        pi.extend(x);
        let total: f64 = pi.iter().sum();
        for p in &mut pi {
            *p /= total;
        }
        assert!(pi.iter().all(|&p| p > -1e-15), "negative probability");
        Chain { b, cap, pi }
    }

    fn exact(&self, lambda: f64, mu1: f64, mu2: f64) -> Exact {
        let (b, k) = (self.b, self.b + 3);
        let mut e = Exact {
            in_a: 0.0,
            in_b: 0.0,
            queue_b: 0.0,
            blocked: 0.0,
            blocked_share: 0.0,
            throughput_h: 0.0,
            wait_h: 0.0,
            tail: 0.0,
        };
        let mut held_a = 0.0;
        for (i, &p) in self.pi.iter().enumerate() {
            let (n1, m) = (i / k, i % k);
            let n2 = m.min(b + 1);
            e.in_a += p * n1 as f64;
            e.in_b += p * n2 as f64;
            e.queue_b += p * n2.saturating_sub(1) as f64;
            if m == b + 2 {
                e.blocked += p;
            }
            if n1 >= 1 {
                held_a += p;
            }
            if m >= 1 {
                e.throughput_h += p * mu2;
            }
            if n1 + 10 >= self.cap {
                e.tail += p;
            }
        }
        e.blocked_share = e.blocked / held_a;
        e.wait_h = (e.in_a + e.in_b) / lambda - 1.0 / mu1 - 1.0 / mu2;
        e
    }
}

/// The chain's solution matches closed forms at both ends. With a buffer too large to fill
/// (b = 60) the line is a Jackson network of two M/M/1 queues: E[n1] = ρ1/(1 − ρ1) = 1 and
/// E[n2] = ρ2/(1 − ρ2) = 5/3 for λ = 5/h, μ1 = 10/h, μ2 = 8/h. With b = 0 stage 2 holds at most
/// one vehicle and is busy λ/μ2 of the time: E[n2] = 0.625. Both throughputs are λ.
#[test]
fn the_chain_solver_matches_jackson_and_the_busy_share() {
    let big = Chain::solve(5.0, 10.0, 8.0, 60, 400).exact(5.0, 10.0, 8.0);
    assert!((big.in_a - 1.0).abs() < 1e-9, "{big:?}");
    assert!((big.in_b - 5.0 / 3.0).abs() < 1e-9, "{big:?}");
    assert!(big.blocked < 1e-12 && big.tail < 1e-12, "{big:?}");
    let none = Chain::solve(5.0, 10.0, 8.0, 0, 400).exact(5.0, 10.0, 8.0);
    assert!((none.in_b - 0.625).abs() < 1e-12, "{none:?}");
    assert_eq!(none.queue_b, 0.0);
    for e in [big, none] {
        assert!((e.throughput_h - 5.0).abs() < 1e-9, "{e:?}");
    }
}

/// Arrival rate and service rates of the simulated line [1/h]: 6 min at stage a, 10 min at b.
const LAMBDA: f64 = 4.0;
const MU1: f64 = 10.0;
const MU2: f64 = 6.0;

/// The simulated estimate must lie within this many 95% half-widths of the exact value …
const CI_WIDEN: f64 = 3.0;
/// … and within this relative error of it …
const REL_TOL: f64 = 0.05;
/// … with a half-width of at most this share of it (else the run is too short to mean anything).
const MAX_REL_CI: f64 = 0.03;

/// Asserts that `est` agrees with the exact `value` (see the constants) and prints both.
fn check(what: &str, est: Estimate, value: f64, rel_tol: f64) {
    let err = est.mean - value;
    println!(
        "{what}: exact {value:.5}, simulated {:.5} ± {:.5} (95% CI, n = {}), error {:+.2}%",
        est.mean,
        est.ci95,
        est.n,
        100.0 * err / value
    );
    assert!(est.n >= 8, "{what}: too few replications ({})", est.n);
    assert!(
        est.ci95 <= MAX_REL_CI * value.abs(),
        "{what}: CI half-width {:.5} wider than {:.1}% of {value:.5}",
        est.ci95,
        100.0 * MAX_REL_CI
    );
    assert!(
        err.abs() <= CI_WIDEN * est.ci95,
        "{what}: exact {value:.5} outside simulated {:.5} ± {CI_WIDEN}×{:.5}",
        est.mean,
        est.ci95
    );
    assert!(
        err.abs() <= rel_tol * value.abs(),
        "{what}: relative error {:.2}% > {:.1}%",
        100.0 * err / value,
        100.0 * rel_tol
    );
}

fn kpi(e: &EntitySummary, name: &str) -> Estimate {
    e.get(name)
        .unwrap_or_else(|| panic!("{}: no KPI {name}", e.id))
}

/// The line of [`Chain`] as a scenario: checkpoint `cp`, stages `a` (1 lane, exponential 6 min)
/// and `b` (1 lane, exponential 10 min, `buffer = b`), Poisson 4/h, 24/7, no travel.
fn line(b: usize, days: u32, reps: u32, seed: u64) -> Model {
    model(&format!(
        r#"
[simulation]
name = "blocking-line"
days = {days}
warmup_days = 10
seed = {seed}
replications = {reps}

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = 1
service = {{ dist = "exponential", mean = "6min" }}
[[checkpoints.stages]]
id = "b"
lanes = 1
service = {{ dist = "exponential", mean = "10min" }}
buffer = {b}

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "poisson", rate = "4/h" }}
"#
    ))
}

/// Simulates the line with buffer `b` (10 replications × 4000 days) and checks it against the
/// chain: stage a's vehicles (a blocked one stays in a until it moves) and blocking, stage b's
/// vehicles, queue and throughput, and the checkpoint's wait (blocked time counts as waiting),
/// blocking and queue inside (b's queue plus a's blocked lane).
fn line_matches_chain(b: usize, seed: u64, stated: [f64; 4]) {
    let chain = Chain::solve(LAMBDA, MU1, MU2, b, 400);
    let e = chain.exact(LAMBDA, MU1, MU2);
    // The figures stated in the tests' docs.
    for (got, want) in [e.in_a, e.in_b, e.blocked, e.wait_h]
        .into_iter()
        .zip(stated)
    {
        assert!((got - want).abs() < 5e-6, "{e:?} against {stated:?}");
    }
    assert!(e.tail < 1e-12, "truncation: {e:?}");
    assert!((e.throughput_h - LAMBDA).abs() < 1e-9, "{e:?}");
    let m = line(b, 4000, 10, seed);
    let reps = sweep::run_replications(&m).expect("runs");
    let s = kpi::estimate_run(&m, &reps, 0.0);
    let (sa, sb, cp) = (s.stages()[0], s.stages()[1], s.checkpoints()[0]);
    let tag = |what: &str| format!("buffer {b}: {what}");
    check(
        &tag("a in_system_mean"),
        kpi(sa, "in_system_mean"),
        e.in_a,
        REL_TOL,
    );
    check(
        &tag("a blocked_mean"),
        kpi(sa, "blocked_mean"),
        e.blocked,
        REL_TOL,
    );
    check(
        &tag("a blocked_share"),
        kpi(sa, "blocked_share"),
        e.blocked_share,
        REL_TOL,
    );
    check(
        &tag("b in_system_mean"),
        kpi(sb, "in_system_mean"),
        e.in_b,
        REL_TOL,
    );
    check(
        &tag("b served_per_day"),
        kpi(sb, "served_per_day"),
        24.0 * e.throughput_h,
        0.01,
    );
    check(
        &tag("cp wait_mean_h"),
        kpi(cp, "wait_mean_h"),
        e.wait_h,
        REL_TOL,
    );
    check(
        &tag("cp blocked_mean"),
        kpi(cp, "blocked_mean"),
        e.blocked,
        REL_TOL,
    );
    check(
        &tag("cp queue_inside_mean"),
        kpi(cp, "queue_inside_mean"),
        e.queue_b + e.blocked,
        REL_TOL,
    );
    if b == 0 {
        // Nobody ever waits at b: a vehicle moves up only when it can start at once.
        assert_eq!(e.queue_b, 0.0);
        assert_eq!(kpi(sb, "queue_mean").mean, 0.0);
        assert_eq!(kpi(sb, "queue_max").mean, 0.0);
    } else {
        check(
            &tag("b queue_mean"),
            kpi(sb, "queue_mean"),
            e.queue_b,
            REL_TOL,
        );
        assert_eq!(
            kpi(sb, "queue_max").mean,
            b as f64,
            "b never holds more than its buffer"
        );
    }
}

/// Buffer 0: stage b holds only the vehicle it serves. Exact: E[n1] = 3.40606, E[n2] = 2/3,
/// P(blocked) = 0.35556, blocked share 0.47059, checkpoint wait 0.75152 h.
#[test]
fn line_with_buffer_0_matches_its_markov_chain() {
    line_matches_chain(0, 101, [3.40606, 2.0 / 3.0, 0.35556, 0.75152]);
}

/// Buffer 1. Exact: E[n1] = 1.91259, E[n2] = 1.08604, b's queue 0.41937, P(blocked) = 0.21273,
/// blocked share 0.34718, checkpoint wait 0.48299 h.
#[test]
fn line_with_buffer_1_matches_its_markov_chain() {
    line_matches_chain(1, 102, [1.91259, 1.08604, 0.21273, 0.48299]);
}

/// Buffer 3. Exact: E[n1] = 1.13161, E[n2] = 1.57194, b's queue 0.90527, P(blocked) = 0.08753,
/// blocked share 0.17953, checkpoint wait 0.40922 h.
#[test]
fn line_with_buffer_3_matches_its_markov_chain() {
    line_matches_chain(3, 103, [1.13161, 1.57194, 0.08753, 0.40922]);
}

// ---------------------------------------------------------------------------------------------
// Hand cases, to the millisecond
// ---------------------------------------------------------------------------------------------

const MIN: i64 = MS_PER_MIN;
const HOUR: i64 = MS_PER_HOUR;
const DAY: i64 = MS_PER_DAY;

/// KPI `name` of the entity `id` of kind `kind` in one replication's results.
fn value(m: &Model, r: &RepResult, kind: EntityKind, id: &str, name: &str) -> f64 {
    let e = rep_values(m, r)
        .into_iter()
        .find(|e| e.kind == kind && e.id == id)
        .unwrap_or_else(|| panic!("no {} {id}", kind.as_str()));
    e.values
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{id}: no KPI {name}"))
        .1
}

fn stage_kpi(m: &Model, r: &RepResult, id: &str, name: &str) -> f64 {
    value(m, r, EntityKind::Stage, id, name)
}

fn cp_kpi(m: &Model, r: &RepResult, id: &str, name: &str) -> f64 {
    value(m, r, EntityKind::Checkpoint, id, name)
}

fn assert_close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} != {want}"
    );
}

/// (start, waited) of the service starts at stage `s`, in ms, in order.
fn starts_at(trace: &[ServiceStart], s: usize) -> Vec<(i64, i64)> {
    trace
        .iter()
        .filter(|x| x.stage as usize == s && !x.unit_move)
        .map(|x| (x.at.as_ms(), x.waited.as_ms()))
        .collect()
}

/// One checkpoint `cp` of stages a (1 lane, 1 h) and b (1 lane, 2 h, `b_extra`), one day,
/// trucks at 00:00, 00:01, 00:02 and 00:03.
fn tandem(b_extra: &str) -> Model {
    model(&format!(
        r#"
[simulation]
name = "blocking-tandem"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = 1
service = {{ dist = "deterministic", value = "1h" }}
[[checkpoints.stages]]
id = "b"
lanes = 1
service = {{ dist = "deterministic", value = "2h" }}
{b_extra}

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "timetable", times = ["00:00", "00:01", "00:02", "00:03"] }}
"#
    ))
}

/// a (1 lane, 1 h) → b (1 lane, 2 h, buffer 1), trucks T1–T4 at 00:00–00:03.
///
/// a serves T1 00–01, T2 01–02, T3 02–03, T4 03–04 (waits 0, 59, 118, 177 min). b serves T1
/// 01–03; T2 waits in b's one place from 02:00 and starts 03:00; T3 done at a at 03:00 takes
/// the place T2 leaves and starts 05:00; T4 done at a at 04:00 finds the place taken: a's lane
/// is blocked 04:00–05:00, then T4 waits at b 05:00–07:00. b's waits 0, 1, 2, 2 h.
/// Checkpoint waits 0, 1:59, 3:58, 5:57 (2:57 at a + 1 h blocked + 2 h at b): mean 2.975 h.
/// a: busy 4 h, blocked 1 h → blocked_share 0.2, blocked_mean 1/24; in a T4 stays until 05:00.
#[test]
fn a_full_buffer_blocks_the_lane_before_it_to_the_millisecond() {
    let m = tandem("buffer = 1");
    let (a, b) = (stage_of(&m, "cp", "a"), stage_of(&m, "cp", "b"));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(
        starts_at(&trace, a),
        vec![
            (0, 0),
            (HOUR, 59 * MIN),
            (2 * HOUR, 118 * MIN),
            (3 * HOUR, 177 * MIN)
        ]
    );
    assert_eq!(
        starts_at(&trace, b),
        vec![
            (HOUR, 0),
            (3 * HOUR, HOUR),
            (5 * HOUR, 2 * HOUR),
            (7 * HOUR, 2 * HOUR)
        ]
    );
    let cp = &r.checkpoints[0].kpi;
    assert_eq!((cp.arrivals, cp.served, cp.backlog_end), (4, 4, 0));
    // 0 + 119 + 238 + 357 min.
    assert_eq!(cp.wait.mean(), (714 * MIN) as f64 / 4.0);
    assert_eq!(cp.wait.max(), (357 * MIN) as u64);
    assert_close("cp wait_mean_h", cp_kpi(&m, &r, "cp", "wait_mean_h"), 2.975);
    assert_close(
        "a blocked_share",
        stage_kpi(&m, &r, "cp/a", "blocked_share"),
        0.2,
    );
    assert_close(
        "a blocked_mean",
        stage_kpi(&m, &r, "cp/a", "blocked_mean"),
        1.0 / 24.0,
    );
    assert_close(
        "cp blocked_mean",
        cp_kpi(&m, &r, "cp", "blocked_mean"),
        1.0 / 24.0,
    );
    assert_eq!(stage_kpi(&m, &r, "cp/b", "blocked_share"), 0.0);
    // a's own wait is its queue (0, 59, 118, 177 min); its time in system runs to the move:
    // 60 + 119 + 178 + 297 min.
    assert_close(
        "a wait_mean_h",
        stage_kpi(&m, &r, "cp/a", "wait_mean_h"),
        88.5 / 60.0,
    );
    assert_close(
        "a time_in_system_mean_h",
        stage_kpi(&m, &r, "cp/a", "time_in_system_mean_h"),
        654.0 / 4.0 / 60.0,
    );
    // Inside a: 60 + 119 + 178 + 297 vehicle-minutes; inside b: 2 + 3 + 4 + 4 vehicle-hours.
    assert_close(
        "a in_system_mean",
        stage_kpi(&m, &r, "cp/a", "in_system_mean"),
        654.0 / 1440.0,
    );
    assert_close(
        "b in_system_mean",
        stage_kpi(&m, &r, "cp/b", "in_system_mean"),
        13.0 / 24.0,
    );
    // Inside the crossing: b's place (T2 1 h, T3 2 h, T4 2 h) and a's blocked hour; a's queue
    // (59 + 118 + 177 min) stands on the road.
    assert_close(
        "cp queue_inside_mean",
        cp_kpi(&m, &r, "cp", "queue_inside_mean"),
        6.0 / 24.0,
    );
    assert_close(
        "cp queue_km_mean",
        cp_kpi(&m, &r, "cp", "queue_km_mean"),
        354.0 / 1440.0 * m.metres_per_vehicle / 1000.0,
    );
    assert_eq!(r.stages[b].levels.queue.max(), 1);
}

/// The same with `travel = "30min"` to b: a truck on its way to b takes b's one place.
///
/// T1 leaves a 01:00, reaches b 01:30, served 01:30–03:30. T2 leaves a 02:00 (the place is
/// free again), waits at b 02:30–03:30. T3 done at a 03:00 finds T2 in the place: blocked
/// 03:00–03:30, then travels, waits at b 04:00–05:30. a serves T4 03:30–04:30 (waited 207 min);
/// T4 finds T3 in the place: blocked 04:30–05:30, travels, waits at b 06:00–07:30.
/// a's starts 00:00, 01:00, 02:00, 03:30; b's 01:30, 03:30, 05:30, 07:30 (waits 0, 1, 1.5,
/// 1.5 h). a: busy 4 h, blocked 1.5 h → blocked_share 3/11. Checkpoint waits (travel is not a
/// wait) 0, 119, 118 + 30 + 90 = 238, 207 + 60 + 90 = 357 min: mean 2.975 h again.
#[test]
fn a_truck_travelling_to_a_buffered_stage_takes_a_place() {
    let m = tandem("buffer = 1\ntravel = \"30min\"");
    let (a, b) = (stage_of(&m, "cp", "a"), stage_of(&m, "cp", "b"));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(
        starts_at(&trace, a),
        vec![
            (0, 0),
            (HOUR, 59 * MIN),
            (2 * HOUR, 118 * MIN),
            (210 * MIN, 207 * MIN)
        ]
    );
    assert_eq!(
        starts_at(&trace, b),
        vec![
            (90 * MIN, 0),
            (210 * MIN, HOUR),
            (330 * MIN, 90 * MIN),
            (450 * MIN, 90 * MIN)
        ]
    );
    assert_close(
        "a blocked_share",
        stage_kpi(&m, &r, "cp/a", "blocked_share"),
        1.5 / 5.5,
    );
    assert_close(
        "a blocked_mean",
        stage_kpi(&m, &r, "cp/a", "blocked_mean"),
        1.5 / 24.0,
    );
    assert_close("cp wait_mean_h", cp_kpi(&m, &r, "cp", "wait_mean_h"), 2.975);
    // T4 leaves b at 09:30: 9 h 27 min in the checkpoint.
    assert_eq!(
        r.checkpoints[0].kpi.time_in_system.max(),
        (567 * MIN) as u64
    );
}

/// A station of 2 tracks (1 h) before a rail line with 4 paths a day; trains every 2 h
/// (12 a day) for 30 days. The line has no place to wait (a rail link's buffer is 0), so a
/// train that finished at the station keeps its track until it gets a path.
///
/// Day 0: trains 00:00–06:00 get the 4 paths at 01:00, 03:00, 05:00, 07:00; the 08:00 and
/// 10:00 trains finish at 09:00 and 11:00 and keep both tracks; 12:00–22:00 wait outside.
/// Each later day: at 00:00 the 2 trains on the tracks take 2 paths and the 2 oldest waiting
/// start; at 01:00 those take the other 2 paths and the next 2 start, to hold the tracks from
/// 02:00 until the next midnight. 4 paths a day: 120 trains leave in 30 days, 240 stay — 2 on
/// the tracks and 238 outside — and none waits on the line. Starts at the station: 6 on day 0
/// (none held outside) and 4 a day after (all held outside): 116 held outside.
#[test]
fn trains_waiting_for_a_path_keep_their_tracks_and_hold_the_rest_outside() {
    let m = model(
        r#"
[simulation]
name = "blocking-rail"
days = 30
seed = 1
replications = 1

[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 2
service = { dist = "deterministic", value = "1h" }

[[links]]
id = "line"
mode = "rail"
travel = "1h"
paths_per_day = 4

[[flows]]
id = "trains"
mode = "train"
wagons = 50
route = ["st", "line"]
arrivals = { process = "timetable", every = "2h", from = "00:00", to = "22:00" }
"#,
    );
    let (st, line) = (stage_of(&m, "st", "tracks"), stage_of(&m, "line", "link"));
    let (r, trace) = simulate_traced(&m, 0);
    let paths = starts_at(&trace, line);
    assert_eq!(paths.len(), 120);
    assert_eq!(
        paths[..4].iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![HOUR, 3 * HOUR, 5 * HOUR, 7 * HOUR]
    );
    for day in 1..30 {
        let got: Vec<i64> = paths[4 * day..4 * day + 4].iter().map(|p| p.0).collect();
        let d = day as i64 * DAY;
        assert_eq!(got, vec![d, d, d + HOUR, d + HOUR], "day {day}");
    }
    // Nobody waits on the line: a train enters it only when it can start at once.
    assert!(paths.iter().all(|p| p.1 == 0));
    let station = starts_at(&trace, st);
    assert_eq!(station.len(), 6 + 4 * 29);
    let k = &r.checkpoints[node_index(&m, "st")].kpi;
    assert_eq!((k.arrivals, k.served, k.backlog_end), (360, 120, 240));
    // Held outside: the 116 that waited and later got a track, and the 238 still waiting
    // outside at the horizon (each arrived before it and found both tracks taken).
    assert_eq!(k.held_outside, 116 + 238);
    assert_eq!(r.stages[st].kpi.held_outside, 116 + 238);
    assert_eq!(r.stages[st].levels.queue.level(), 238);
    assert_eq!(r.stages[st].levels.queue.max(), 238);
    assert_close(
        "station served_per_day",
        stage_kpi(&m, &r, "st/tracks", "served_per_day"),
        4.0,
    );
    let l = &r.checkpoints[node_index(&m, "line")].kpi;
    assert_eq!((l.arrivals, l.served, l.backlog_end), (120, 120, 0));
    assert_eq!(r.stages[line].levels.queue.max(), 0);
    // The tracks are blocked by trains waiting for a path: on day 0 the 08:00 and 10:00 trains
    // from 09:00 and 11:00 to midnight (15 + 13 h); every later day the two trains taking the
    // tracks at 01:00 from 02:00 to midnight (2 x 22 h). 28 + 29 x 44 = 1304 track-hours over
    // 720 h; busy 6 + 29 x 4 = 122 track-hours.
    assert_close(
        "station blocked_mean",
        stage_kpi(&m, &r, "st/tracks", "blocked_mean"),
        1304.0 / 720.0,
    );
    assert_close(
        "station blocked_share",
        stage_kpi(&m, &r, "st/tracks", "blocked_share"),
        1304.0 / (1304.0 + 122.0),
    );
}

/// An exit post (1 lane, 30 min) and an entry post (1 lane, 30 min, `daily_quota = 10`) with 2
/// places between them; intake suspended on 8 and 9 January (`daily_quota = 0`), resumed at 10
/// from the 10th. Trucks at 08:00, 10:00, …, 18:00 (6 a day) from Monday 5 January, `days` days.
fn suspension(days: u32) -> Model {
    model(&format!(
        r#"
[simulation]
name = "blocking-suspension"
days = {days}
seed = 1
replications = 1
start_date = "2026-01-05"

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "exit"
lanes = 1
service = {{ dist = "deterministic", value = "30min" }}
[[checkpoints.stages]]
id = "entry"
lanes = 1
service = {{ dist = "deterministic", value = "30min" }}
daily_quota = 10
buffer = 2
changes = [{{ from = "2026-01-08", daily_quota = 0 }}, {{ from = "2026-01-10", daily_quota = 10 }}]

[[flows]]
id = "trucks"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "timetable", every = "2h", from = "08:00", to = "18:00" }}
"#
    ))
}

/// Intake suspended for two days leaves 12 trucks: the first two of the 8th fill the 2 places,
/// the third (done at the exit 12:30) blocks the exit lane, and 9 wait on the road before the
/// exit. From the 10th the entry takes 10 a day against 6 arriving: the backlog is 12 → 8 → 4
/// → 0 at the ends of the 10th, 11th and 12th.
///
/// The 10th: the entry starts at 00:00, 00:30, …, 04:30 (the 10 oldest), then the 2 places
/// fill again and the 08:00 truck blocks the exit at 08:30 until midnight. The 11th: 8 from
/// the backlog 00:00–03:30, then the 08:00 and 10:00 trucks at 08:30 and 10:30; the 12:00 and
/// 14:00 trucks take the places, the 16:00 truck blocks the exit at 16:30. The 12th: those 4
/// at 00:00–01:30 and the day's 6 at their own time: the 10th start, at 18:30, exhausts the
/// quota exactly; from the 13th all is as before the suspension.
///
/// The exit lane is blocked 12:30 (8th) → 00:00 (10th) = 35.5 h, 08:30 → 00:00 = 15.5 h and
/// 16:30 → 00:00 = 7.5 h: 58.5 h in 12 days; busy 72 × 30 min = 36 h: blocked share 13/21.
#[test]
fn a_suspension_of_intake_blocks_the_exit_and_leaves_a_backlog_that_clears_at_the_quota() {
    let m = suspension(5);
    let (exit, entry) = (stage_of(&m, "cp", "exit"), stage_of(&m, "cp", "entry"));
    let r = borderflow::model::simulate(&m, 0);
    let k = &r.checkpoints[0].kpi;
    assert_eq!((k.arrivals, k.served, k.backlog_end), (30, 18, 12));
    assert_eq!(r.stages[entry].levels.queue.level(), 2);
    assert_eq!(r.stages[exit].levels.blocked.level(), 1);
    assert_eq!(r.stages[exit].levels.queue.level(), 9);
    // On the road: the exit's queue; inside: the 2 places and the blocked lane.
    assert_eq!(r.checkpoints[0].levels.road.level(), 9);

    let m = suspension(12);
    let (exit, entry) = (stage_of(&m, "cp", "exit"), stage_of(&m, "cp", "entry"));
    let (r, trace) = simulate_traced(&m, 0);
    let starts = starts_at(&trace, entry);
    let mut per_day = [0; 12];
    for &(at, _) in &starts {
        per_day[(at / DAY) as usize] += 1;
    }
    assert_eq!(per_day, [6, 6, 6, 0, 0, 10, 10, 10, 6, 6, 6, 6]);
    let own_times: Vec<i64> = (0..6).map(|i| (8 + 2 * i) * HOUR + 30 * MIN).collect();
    // The 10th (day 5): every 30 min from midnight.
    let d5: Vec<i64> = starts[18..28].iter().map(|s| s.0 - 5 * DAY).collect();
    assert_eq!(d5, (0..10).map(|i| 30 * MIN * i).collect::<Vec<_>>());
    // The 11th (day 6): the rest of the backlog, then the 08:00 and 10:00 trucks.
    let d6: Vec<i64> = starts[28..38].iter().map(|s| s.0 - 6 * DAY).collect();
    let mut want: Vec<i64> = (0..8).map(|i| 30 * MIN * i).collect();
    want.extend(&own_times[..2]);
    assert_eq!(d6, want);
    // The 12th (day 7): the last 4 of the backlog, then the day's own 6, which do not wait.
    let d7 = &starts[38..48];
    let mut want: Vec<i64> = (0..4).map(|i| 30 * MIN * i).collect();
    want.extend(&own_times);
    assert_eq!(d7.iter().map(|s| s.0 - 7 * DAY).collect::<Vec<_>>(), want);
    assert!(d7[..4].iter().all(|s| s.1 > 0) && d7[4..].iter().all(|s| s.1 == 0));
    // From the 13th on, as before the suspension: every truck goes straight through.
    for &(at, waited) in &starts[48..] {
        assert_eq!(waited, 0);
        assert!(own_times.contains(&(at % DAY)));
    }
    let k = &r.checkpoints[0].kpi;
    assert_eq!((k.arrivals, k.served, k.backlog_end), (72, 72, 0));
    assert_close(
        "exit blocked_mean",
        stage_kpi(&m, &r, "cp/exit", "blocked_mean"),
        58.5 / 288.0,
    );
    assert_close(
        "exit blocked_share",
        stage_kpi(&m, &r, "cp/exit", "blocked_share"),
        13.0 / 21.0,
    );
    assert!(r.stages[entry].levels.queue.max() <= 2);
    assert_eq!(r.stages[exit].levels.queue.max(), 9);
}

/// At the first stage of a checkpoint the buffer holds the head of the queue inside; the rest
/// waits on the approach road, never lost. One lane (1 h), buffer 5, 20 trucks at 00:00,
/// 00:01, …, 00:19, one day: truck i (0-based) starts at i h, having waited i h − i min.
///
/// Queue: j trucks during minute j (j < 19), 19 from 00:19 to 01:00, then 19 − k during hour k
/// (k = 1 … 18): 171 + 19 × 41 + 60 × 171 = 11 210 vehicle-minutes. On the road (beyond 5):
/// Σ_{j=6}^{18} (j − 5) = 91, 14 × 41 = 574, 60 × Σ_{k=1}^{13} (14 − k) = 5460: 6125. Inside:
/// 11 210 − 6125 = 5085 vehicle-minutes, 3.53125 on average over the 1440 minutes; at most 5.
#[test]
fn a_first_stage_buffer_splits_a_burst_into_inside_and_road() {
    let m = model(
        r#"
[simulation]
name = "blocking-burst"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "deterministic", value = "1h" }
buffer = 5

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", every = "1min", from = "00:00", to = "00:19" }
"#,
    );
    let s = stage_of(&m, "cp", "s");
    let (r, trace) = simulate_traced(&m, 0);
    let starts = starts_at(&trace, s);
    assert_eq!(starts.len(), 20);
    for (i, &(at, waited)) in starts.iter().enumerate() {
        let i = i as i64;
        assert_eq!((at, waited), (i * HOUR, i * HOUR - i * MIN));
    }
    let km = m.metres_per_vehicle / 1000.0;
    assert_close(
        "queue_mean",
        cp_kpi(&m, &r, "cp", "queue_mean"),
        11210.0 / 1440.0,
    );
    assert_close("queue_max", cp_kpi(&m, &r, "cp", "queue_max"), 19.0);
    assert_close(
        "queue_inside_mean",
        cp_kpi(&m, &r, "cp", "queue_inside_mean"),
        5085.0 / 1440.0,
    );
    assert_close(
        "queue_km_mean",
        cp_kpi(&m, &r, "cp", "queue_km_mean"),
        6125.0 / 1440.0 * km,
    );
    assert_close(
        "queue_km_max",
        cp_kpi(&m, &r, "cp", "queue_km_max"),
        14.0 * km,
    );
    // The stage reports the same split.
    assert_close(
        "stage queue_km_mean",
        stage_kpi(&m, &r, "cp/s", "queue_km_mean"),
        6125.0 / 1440.0 * km,
    );
    assert_eq!(r.stages[s].levels.road.max(), 14);
    // Nothing blocks at a first stage: the road holds the rest.
    assert_eq!(cp_kpi(&m, &r, "cp", "blocked_mean"), 0.0);
    assert_eq!(r.checkpoints[0].kpi.served, 20);
}

// ---------------------------------------------------------------------------------------------
// Conservation with blocking
// ---------------------------------------------------------------------------------------------

/// One stage of a random scenario.
#[derive(Clone, Debug)]
struct RandomStage {
    lanes: u32,
    service_min: u32,
    exponential: bool,
    buffer: Option<u32>,
    travel_min: Option<u32>,
    day_hours: bool,
    quota: Option<u32>,
}

fn random_stage() -> impl Strategy<Value = RandomStage> {
    (
        1u32..=3,
        5u32..=90,
        any::<bool>(),
        proptest::option::weighted(0.7, 0u32..=3),
        proptest::option::weighted(0.3, 1u32..=30),
        proptest::bool::weighted(0.25),
        proptest::option::weighted(0.2, 10u32..=80),
    )
        .prop_map(
            |(lanes, service_min, exponential, buffer, travel_min, day_hours, quota)| {
                RandomStage {
                    lanes,
                    service_min,
                    exponential,
                    // Vehicles on their way take a place: travel needs at least one.
                    buffer: match (buffer, travel_min) {
                        (Some(0), Some(_)) => Some(1),
                        (b, _) => b,
                    },
                    travel_min,
                    day_hours,
                    quota,
                }
            },
        )
}

/// A route through 1 or 2 checkpoints of 1 to 3 random stages, Poisson arrivals, 2 to 4 days.
fn random_scenario() -> impl Strategy<Value = (String, Vec<Vec<RandomStage>>)> {
    let cp = proptest::collection::vec(random_stage(), 1..=3);
    (
        proptest::collection::vec(cp, 1..=2),
        2u32..=30,
        2u32..=4,
        0u64..1000,
    )
        .prop_map(|(cps, rate, days, seed)| {
            let mut text = format!(
                "[simulation]\nname = \"blocking-random\"\ndays = {days}\nseed = {seed}\n\
                 replications = 1\nstart_date = \"2026-01-05\"\n"
            );
            for (c, stages) in cps.iter().enumerate() {
                text += &format!("\n[[checkpoints]]\nid = \"c{c}\"\n");
                for (i, s) in stages.iter().enumerate() {
                    let service = if s.exponential {
                        format!(
                            "{{ dist = \"exponential\", mean = \"{}min\" }}",
                            s.service_min
                        )
                    } else {
                        format!(
                            "{{ dist = \"deterministic\", value = \"{}min\" }}",
                            s.service_min
                        )
                    };
                    text += &format!(
                        "[[checkpoints.stages]]\nid = \"s{i}\"\nlanes = {}\nservice = {service}\n",
                        s.lanes
                    );
                    if let Some(b) = s.buffer {
                        text += &format!("buffer = {b}\n");
                    }
                    if let Some(t) = s.travel_min {
                        text += &format!("travel = \"{t}min\"\n");
                    }
                    if s.day_hours {
                        text += "hours = \"06:00-22:00\"\n";
                    }
                    if let Some(q) = s.quota {
                        text += &format!("daily_quota = {q}\n");
                    }
                }
            }
            let route: Vec<String> = (0..cps.len()).map(|c| format!("\"c{c}\"")).collect();
            text += &format!(
                "\n[[flows]]\nid = \"f\"\nmode = \"truck\"\nroute = [{}]\n\
                 arrivals = {{ process = \"poisson\", rate = \"{rate}/h\" }}\n",
                route.join(", ")
            );
            (text, cps)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every vehicle that arrived is served, waiting (in a buffer or on the road), in service,
    /// blocked on a server, or on its way between stages — per stage, checkpoint and flow;
    /// blocked_share is a share; a stage behind a buffer of B never has more than B waiting.
    #[test]
    fn blocking_loses_and_creates_no_vehicle((text, cps) in random_scenario()) {
        let m = model(&text);
        let r = borderflow::model::simulate(&m, 0);
        let end = m.horizon().as_ms();
        assert_conserved("flow", &r.flows[0]);
        for (c, stages) in cps.iter().enumerate() {
            let node = node_index(&m, &format!("c{c}"));
            let k = &r.checkpoints[node].kpi;
            assert_conserved(&format!("c{c}"), k);
            let mut inside = 0;
            for (i, spec) in stages.iter().enumerate() {
                let s = stage_of(&m, &format!("c{c}"), &format!("s{i}"));
                let st = &r.stages[s];
                let what = format!("c{c}/s{i}");
                assert_conserved(&what, &st.kpi);
                // At the horizon each vehicle of the stage waits, is served or is blocked.
                let l = &st.levels;
                prop_assert_eq!(
                    l.in_system.level(),
                    l.queue.level() + l.busy.level() + l.blocked.level(),
                    "{}", what
                );
                prop_assert_eq!(l.in_system.level() as u64, st.kpi.backlog_end, "{}", what);
                // Never more lanes blocked than the stage has, on average or at the horizon.
                prop_assert!(l.blocked.level() + l.busy.level() <= i64::from(spec.lanes), "{}", what);
                prop_assert!(l.blocked.mean(end) <= f64::from(spec.lanes), "{}", what);
                let share = stage_kpi(&m, &r, &what, "blocked_share");
                prop_assert!((0.0..=1.0).contains(&share), "{}: {}", what, share);
                if i > 0 && let Some(b) = spec.buffer {
                    prop_assert!(l.queue.max() <= i64::from(b), "{}: {} > {}", what, l.queue.max(), b);
                }
                // The blocking of the last stage before a checkpoint of trucks: none.
                if i + 1 == stages.len() {
                    prop_assert_eq!(l.blocked.area(end), 0, "{}", what);
                }
                inside += st.kpi.backlog_end;
            }
            // The rest of the checkpoint's backlog is on its way to a stage (travel).
            let travelling = k.backlog_end - inside;
            if stages.iter().all(|s| s.travel_min.is_none()) {
                prop_assert_eq!(travelling, 0, "c{}", c);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tell-tale of the old behaviour
// ---------------------------------------------------------------------------------------------

/// KPIs a buffer on a first stage changes by design: its places count as inside the crossing,
/// so less of the queue stands on the road. Everything else must be identical.
const WHERE_THE_QUEUE_STANDS: [&str; 3] = ["queue_km_mean", "queue_km_max", "queue_inside_mean"];

/// A buffer that never fills changes no wait and no count: each shipped road scenario without
/// its buffers, and the same with `buffer = 10000000` on every stage, give identical KPIs (60
/// days, 2 replications) except where the queue stands. (With `buffer` unset, the golden outputs are unchanged:
/// `golden`.)
#[test]
fn a_buffer_that_never_fills_changes_no_wait_and_no_count() {
    for file in [
        "scenarios/kz-cn-road.toml",
        "scenarios/examples/green-corridor.toml",
        "scenarios/examples/lunch-break.toml",
        "scenarios/examples/two-sides-clocks.toml",
        "scenarios/validation/nur-zholy-nov-2025.toml",
    ] {
        // The shipped buffers (neutral zones) removed: the scenario as it was before them.
        let text: String = std::fs::read_to_string(repo_path(file))
            .expect("scenario")
            .lines()
            .filter(|l| !l.trim_start().starts_with("buffer ="))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(!text.contains("holding_capacity ="), "{file}");
        let stage = "[[checkpoints.stages]]\n";
        assert!(text.contains(stage), "{file}");
        let roomy = text.replace(stage, &format!("{stage}buffer = 10000000\n"));
        let overrides = || Overrides {
            days: Some(60),
            replications: Some(2),
            ..Overrides::default()
        };
        let plain = parse(&text, file, overrides()).unwrap_or_else(|e| panic!("{e}"));
        let buffered = parse(&roomy, file, overrides()).unwrap_or_else(|e| panic!("{e}"));
        assert!(buffered.stages.iter().all(|s| s.buffer == Some(10_000_000)));
        for rep in 0..2 {
            let a = rep_values(&plain, &borderflow::model::simulate(&plain, rep));
            let b = rep_values(&buffered, &borderflow::model::simulate(&buffered, rep));
            assert_eq!(a.len(), b.len());
            let mut compared = 0;
            for (ea, eb) in a.iter().zip(&b) {
                assert_eq!((ea.kind, &ea.id), (eb.kind, &eb.id));
                assert_eq!(ea.values.len(), eb.values.len(), "{file}: {}", ea.id);
                for ((na, va), (nb, vb)) in ea.values.iter().zip(&eb.values) {
                    assert_eq!(na, nb);
                    if WHERE_THE_QUEUE_STANDS.contains(&na.as_str()) {
                        continue;
                    }
                    assert_eq!(va, vb, "{file} replication {rep}: {} {na}", ea.id);
                    compared += 1;
                }
            }
            assert!(compared > 100, "{file}: {compared}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2 with file, field and line:column, for validate and run
// ---------------------------------------------------------------------------------------------

/// The road scenario of `input_errors` with `extra` lines after its stage's `lanes = 3`.
fn road_with(extra: &str) -> String {
    edit(ROAD, "lanes = 3", &format!("lanes = 3\n{extra}"))
}

const STAGE: &str = "checkpoints[0].stages[0]";

#[test]
fn a_negative_buffer_is_rejected() {
    assert_rejected(
        "buffer-neg",
        &road_with("buffer = -1"),
        Field::Exactly(&format!("{STAGE}.buffer")),
        "buffer = -1",
        "between 0 and 10000000 (got -1)",
    );
}

#[test]
fn a_fractional_buffer_is_rejected() {
    assert_rejected(
        "buffer-frac",
        &road_with("buffer = 2.5"),
        Field::Exactly(&format!("{STAGE}.buffer")),
        "buffer = 2.5",
        "expected an integer",
    );
}

#[test]
fn a_buffer_that_is_text_is_rejected() {
    assert_rejected(
        "buffer-text",
        &road_with("buffer = \"x\""),
        Field::Exactly(&format!("{STAGE}.buffer")),
        "buffer = \"x\"",
        "expected an integer",
    );
}

#[test]
fn a_buffer_beside_a_holding_capacity_is_rejected() {
    assert_rejected(
        "buffer-holding",
        &road_with("buffer = 2\nholding_capacity = 5"),
        Field::Exactly(&format!("{STAGE}.holding_capacity")),
        "holding_capacity = 5",
        "holding_capacity and buffer on one stage",
    );
}

#[test]
fn a_zero_buffer_on_a_stage_with_travel_is_rejected() {
    assert_rejected(
        "buffer-travel",
        &road_with("buffer = 0\ntravel = \"10min\""),
        Field::Exactly(&format!("{STAGE}.buffer")),
        "buffer = 0",
        "needs at least 1",
    );
    // One place is enough.
    model(&road_with("buffer = 1\ntravel = \"10min\""));
}

#[test]
fn a_negative_or_fractional_link_buffer_is_rejected() {
    for (value, says) in [
        ("-1", "between 0 and 10000000 (got -1)"),
        ("1.5", "expected an integer"),
    ] {
        let text = edit(
            RAIL,
            "paths_per_day = 8",
            &format!("paths_per_day = 8\nbuffer = {value}"),
        );
        assert_rejected(
            "link-buffer",
            &text,
            Field::Exactly("links[1].buffer"),
            &format!("buffer = {value}"),
            says,
        );
    }
}

/// Blocked vehicles move on in the order they were blocked, not the order they arrived. a has
/// 2 lanes whose service is 1 h plus 10 t/h of cargo; b (1 lane, 5 h) has no place in front.
/// L1 (10 t, 00:00) is served at a 00:00–02:00 and at b 02:00–07:00. H (30 t, 00:01) is
/// served at a 00:01–04:01 and blocked there at 04:01. L2 (10 t, 00:02) gets L1's lane at
/// 02:00, is done at 04:00 and blocked first: at 07:00 L2 moves (b 07:00–12:00), H waits until
/// 12:00 (b 12:00–17:00). a's lanes are blocked 3 h + 7 h 59 min.
#[test]
fn blocked_vehicles_move_on_in_the_order_they_were_blocked() {
    let m = model(
        r#"
[simulation]
name = "blocking-order"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = 2
service = { dist = "deterministic", value = "1h" }
handling_rate = "10/h"
[[checkpoints.stages]]
id = "b"
lanes = 1
service = { dist = "deterministic", value = "5h" }
buffer = 0

[[flows]]
id = "light"
mode = "truck"
tonnes = 10.0
route = ["cp"]
arrivals = { process = "timetable", times = ["00:00", "00:02"] }

[[flows]]
id = "heavy"
mode = "truck"
tonnes = 30.0
route = ["cp"]
arrivals = { process = "timetable", times = ["00:01"] }
"#,
    );
    let b = stage_of(&m, "cp", "b");
    let (r, trace) = simulate_traced(&m, 0);
    let at_b: Vec<(String, i64)> = trace
        .iter()
        .filter(|x| x.stage as usize == b)
        .map(|x| (m.flows[x.flow as usize].id.clone(), x.at.as_ms()))
        .collect();
    let want = [
        ("light", 2 * HOUR),
        ("light", 7 * HOUR),
        ("heavy", 12 * HOUR),
    ];
    assert_eq!(
        at_b,
        want.map(|(f, t)| (f.to_string(), t)).to_vec(),
        "L2, blocked at 04:00, goes before H, blocked at 04:01"
    );
    assert_close(
        "a blocked_mean",
        stage_kpi(&m, &r, "cp/a", "blocked_mean"),
        (180.0 + 479.0) / 1440.0,
    );
    // Checkpoint waits: L1 0; L2 118 min at a + 3 h blocked; H 7 h 59 min blocked.
    assert_eq!(
        r.checkpoints[0].kpi.wait.mean(),
        ((118 + 180 + 479) * MIN) as f64 / 3.0
    );
}

/// A stage with no place in front that is closed blocks the lane before it until it opens:
/// the tandem with b open 08:00–18:00 and `buffer = 0`. T1: a 00:00–01:00, blocked until b
/// opens at 08:00, b 08:00–10:00. Then each of T2, T3, T4 gets a at 08:00, 10:00, 12:00
/// (waits 479, 598, 717 min), is done an hour later while b still serves, is blocked 1 h and
/// starts at b at 10:00, 12:00, 14:00 without waiting there. Checkpoint waits 420, 539, 658,
/// 777 min (mean 9.975 h); a blocked 10 h against 4 h busy: share 5/7.
#[test]
fn a_closed_stage_without_places_blocks_until_it_opens() {
    let m = tandem("hours = \"08:00-18:00\"\nbuffer = 0");
    let (a, b) = (stage_of(&m, "cp", "a"), stage_of(&m, "cp", "b"));
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(
        starts_at(&trace, a),
        vec![
            (0, 0),
            (8 * HOUR, 479 * MIN),
            (10 * HOUR, 598 * MIN),
            (12 * HOUR, 717 * MIN)
        ]
    );
    assert_eq!(
        starts_at(&trace, b),
        vec![
            (8 * HOUR, 0),
            (10 * HOUR, 0),
            (12 * HOUR, 0),
            (14 * HOUR, 0)
        ]
    );
    assert_close("cp wait_mean_h", cp_kpi(&m, &r, "cp", "wait_mean_h"), 9.975);
    assert_close(
        "a blocked_share",
        stage_kpi(&m, &r, "cp/a", "blocked_share"),
        5.0 / 7.0,
    );
    assert_close(
        "a blocked_mean",
        stage_kpi(&m, &r, "cp/a", "blocked_mean"),
        10.0 / 24.0,
    );
    assert_eq!(r.stages[b].levels.queue.max(), 0);
}

/// A vehicle that reaches a buffered stage through its travel and starts at once frees its
/// place then, and the vehicle blocked for it moves on at that instant. a: 2 lanes, 10 min;
/// b: 5 lanes, 5 h, travel 30 min, 1 place. T1 (00:00) leaves a at 00:10 and takes the place,
/// reaches b at 00:40 and starts. T2 (00:01), done at a at 00:11, is blocked until 00:40,
/// reaches b at 01:10 and starts at once. Checkpoint waits 0 and 29 min; a busy 20 min and
/// blocked 29 min.
#[test]
fn a_vehicle_that_starts_on_arrival_through_travel_frees_its_place_at_once() {
    let m = model(
        r#"
[simulation]
name = "blocking-travel-start"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = 2
service = { dist = "deterministic", value = "10min" }
[[checkpoints.stages]]
id = "b"
lanes = 5
service = { dist = "deterministic", value = "5h" }
travel = "30min"
buffer = 1

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["00:00", "00:01"] }
"#,
    );
    let b = stage_of(&m, "cp", "b");
    let (r, trace) = simulate_traced(&m, 0);
    assert_eq!(starts_at(&trace, b), vec![(40 * MIN, 0), (70 * MIN, 0)]);
    assert_eq!(r.checkpoints[0].kpi.wait.mean(), (29 * MIN) as f64 / 2.0);
    assert_close(
        "a blocked_share",
        stage_kpi(&m, &r, "cp/a", "blocked_share"),
        29.0 / 49.0,
    );
}

/// A stage whose lane schedule closes its only lane at 20:00 has no place at 20:00, whatever
/// the order of the events there: a: 2 lanes, 13 h; b: 1 lane 08:00–20:00 only, 1 h, no place.
/// T1 (07:00) is done at a at 20:00 — its end was scheduled before b's 20:00 step — and stays
/// blocked on a's lane to the end of the day (4 h); b's queue stays empty.
#[test]
fn a_lane_schedule_step_at_the_instant_a_vehicle_is_done_leaves_no_place() {
    let m = model(
        r#"
[simulation]
name = "blocking-lane-step"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = 2
service = { dist = "deterministic", value = "13h" }
[[checkpoints.stages]]
id = "b"
lanes = { "08:00-20:00" = 1 }
service = { dist = "deterministic", value = "1h" }
buffer = 0

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["07:00"] }
"#,
    );
    let b = stage_of(&m, "cp", "b");
    let r = borderflow::model::simulate(&m, 0);
    assert_eq!(r.stages[b].levels.queue.max(), 0);
    assert_close(
        "a blocked_mean",
        stage_kpi(&m, &r, "cp/a", "blocked_mean"),
        4.0 / 24.0,
    );
}

/// A track blocked by a train waiting for its path is not busy, in utilisation as in the busy
/// level: the station of `trains_waiting_for_a_path_keep_their_tracks_and_hold_the_rest_outside`
/// (2 tracks, 4 paths a day, 30 days) is busy 122 track-hours of 1440 and works no overtime.
#[test]
fn a_blocked_track_is_neither_utilised_nor_overtime() {
    let m = model(
        r#"
[simulation]
name = "blocking-rail-util"
days = 30
seed = 1
replications = 1

[[checkpoints]]
id = "st"
[[checkpoints.stages]]
id = "tracks"
kind = "tracks"
tracks = 2
service = { dist = "deterministic", value = "1h" }

[[links]]
id = "line"
mode = "rail"
travel = "1h"
paths_per_day = 4

[[flows]]
id = "trains"
mode = "train"
wagons = 50
route = ["st", "line"]
arrivals = { process = "timetable", every = "2h", from = "00:00", to = "22:00" }
"#,
    );
    let r = borderflow::model::simulate(&m, 0);
    assert_close(
        "station utilization",
        stage_kpi(&m, &r, "st/tracks", "utilization"),
        122.0 / 1440.0,
    );
    assert_close(
        "station overtime",
        stage_kpi(&m, &r, "st/tracks", "overtime_lane_hours_per_day"),
        0.0,
    );
}

/// Lanes that a schedule retires while they are blocked are not busy: they are neither taken
/// out of the busy time inside open lanes nor overtime. a: 2 lanes 08:00–20:00, 1 lane
/// 20:00–08:00, 1 h; b: 1 lane, 5 h, no place. T1 (18:00) and T2 (18:01) are served at a by
/// 19:01; T1 goes on to b (19:00–00:00), T2 is blocked from 19:01; T3 (19:00) is served on T1's
/// lane and blocked from 20:00, when a drops to 1 lane with 2 held. a is busy 3 lane-hours, all
/// inside its open lanes: utilisation 3 / (12 × 2 + 12 × 1), overtime 0.
#[test]
fn lanes_retired_while_blocked_are_neither_busy_nor_overtime() {
    let m = model(
        r#"
[simulation]
name = "blocking-retiring"
days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = { "08:00-20:00" = 2, "20:00-08:00" = 1 }
service = { dist = "deterministic", value = "1h" }
[[checkpoints.stages]]
id = "b"
lanes = 1
service = { dist = "deterministic", value = "5h" }
buffer = 0

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["18:00", "18:01", "19:00"] }
"#,
    );
    let r = borderflow::model::simulate(&m, 0);
    assert_close(
        "a utilization",
        stage_kpi(&m, &r, "cp/a", "utilization"),
        3.0 / 36.0,
    );
    assert_close(
        "a overtime",
        stage_kpi(&m, &r, "cp/a", "overtime_lane_hours_per_day"),
        0.0,
    );
}

/// The time series shows the blocked lane: in the tandem of the first hand case (a: 1 lane, 1 h;
/// b: 1 lane, 2 h, 1 place; trucks at 00:00–00:03) a's lane is blocked 04:00–05:00, so the
/// 30-min samples of a read blocked 1 at 04:30 and 05:00 (levels just before the instant) and 0
/// elsewhere, and busy 0 while it is blocked.
#[test]
fn the_time_series_shows_blocked_lanes() {
    let text = r#"
[simulation]
name = "blocking-series"
days = 1
seed = 1
replications = 1
series_step = "30min"

[[checkpoints]]
id = "cp"
[[checkpoints.stages]]
id = "a"
lanes = 1
service = { dist = "deterministic", value = "1h" }
[[checkpoints.stages]]
id = "b"
lanes = 1
buffer = 1
service = { dist = "deterministic", value = "2h" }

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["00:00", "00:01", "00:02", "00:03"] }
"#;
    let f = TempFile::new("blocking-series", text);
    let dir = TempDir::new("blocking-series");
    let csv = dir.join("s.csv");
    let out = borderflow(&["run", &f.name(), "--series", csv.to_str().unwrap()]);
    assert_code(&out, 0);
    let body = std::fs::read_to_string(&csv).unwrap();
    let mut lines = body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (hours, stage, busy, blocked) = (col("hours"), col("stage"), col("busy"), col("blocked"));
    let mut a_blocked = Vec::new();
    for line in lines {
        let r: Vec<&str> = line.split(',').collect();
        if r[stage] == "a" {
            let h: f64 = r[hours].parse().unwrap();
            a_blocked.push((h, r[blocked].to_string(), r[busy].to_string()));
        }
    }
    for (h, blocked, busy) in &a_blocked {
        let want = if *h == 4.5 || *h == 5.0 { "1" } else { "0" };
        assert_eq!(blocked, want, "blocked at {h} h");
        if want == "1" {
            assert_eq!(busy, "0", "busy at {h} h");
        }
    }
    assert!(a_blocked.iter().any(|(h, _, _)| *h == 4.5));
}

/// The run's JSON document of `m` computed on a pool of `threads` threads, its wall time left out.
fn json_on_threads(m: &Model, threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut s = pool.install(|| sweep::run(m)).unwrap();
    s.wall_s = 0.0;
    borderflow::report::to_json(&s).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random valid scenarios (chains with buffers, travel, day hours and quotas) give the same
    /// estimates, to the last byte, on one thread and on two: replications are folded in
    /// replication order whatever thread finished first.
    #[test]
    fn random_scenarios_give_the_same_results_on_one_and_two_threads(
        (text, _) in random_scenario()
    ) {
        let m = model(&text.replace("replications = 1", "replications = 5"));
        prop_assert_eq!(json_on_threads(&m, 1), json_on_threads(&m, 2));
    }
}
