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
use borderflow::kpi::{self, EntitySummary};
use borderflow::model::Model;
use borderflow::stats::Estimate;
use borderflow::sweep;

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
            for c in k + 1..n.min(k + w + 1) {
                s -= *self.at(k, c) * x[c];
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
