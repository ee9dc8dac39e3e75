//! Queueing-theory checks: the simulator's steady-state outputs against closed-form results.
//!
//! Every test runs a 24/7 scenario (no hours, no quota, no travel) long enough that the
//! replication 95% confidence interval of the checked KPI is narrow, then requires **both**
//!
//! 1. the theoretical value lies inside the 95% CI widened to `CI_WIDEN` = 3 half-widths
//!    (with fixed seeds the test is deterministic; 3 half-widths keeps the chance that an honest
//!    engine fails at ~1e-4 even after the t-quantile and replication correlation are accounted
//!    for), and
//! 2. the relative error is at most a stated tolerance (5% for means), so that a real bug of
//!    about 10% fails even if a replication set happened to be noisy,
//!
//! and, as a guard that (1) is meaningful, that the CI half-width itself is small (at most
//! `MAX_REL_CI` of the theoretical value): a 10% error is then at least 4 half-widths away.
//!
//! Seeds are fixed, so the tests are deterministic. Runs are shared between tests through
//! `OnceLock`s so that each long simulation is done once per test binary.

use std::sync::OnceLock;

use crate::common::*;
use borderflow::kpi::{self, EntitySummary, Summary};
use borderflow::model::{Model, RepResult};
use borderflow::stats::Estimate;
use borderflow::sweep;
use borderflow::time::MS_PER_HOUR;

/// The theoretical value must lie within this many 95% half-widths of the simulated mean.
const CI_WIDEN: f64 = 3.0;
/// Relative tolerance on means.
const REL_TOL: f64 = 0.05;
/// The 95% half-width must be at most this share of the theoretical value (precision guard).
const MAX_REL_CI: f64 = 0.025;

const H: f64 = MS_PER_HOUR as f64;

/// A one-checkpoint scenario: `stages` is the TOML of the `[[checkpoints.stages]]` tables,
/// `flows` of the `[[flows]]` tables.
fn scenario(days: u32, reps: u32, seed: u64, stages: &str, flows: &str) -> Model {
    model(&format!(
        r#"
[simulation]
name = "queueing"
days = {days}
warmup_days = 10
seed = {seed}
replications = {reps}

[[checkpoints]]
id = "cp"
{stages}
{flows}
"#
    ))
}

/// A single-stage, single-flow M/G/c scenario.
fn single(days: u32, reps: u32, seed: u64, lanes: u32, service: &str, rate: &str) -> Model {
    scenario(
        days,
        reps,
        seed,
        &format!(
            r#"
[[checkpoints.stages]]
id = "s"
lanes = {lanes}
service = {service}
"#
        ),
        &format!(
            r#"
[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "poisson", rate = "{rate}" }}
"#
        ),
    )
}

/// Erlang C: the probability that an arrival to an M/M/c queue waits.
fn erlang_c_prob(c: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let rho = a / c as f64;
    assert!(rho < 1.0);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    // term = a^c / c!
    let top = term / (1.0 - rho);
    top / (sum + top)
}

/// Mean wait in queue of M/M/c [h]: Wq = C(c, a) / (cμ − λ).
fn erlang_c_wq(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c_prob(c, lambda, mu) / (c as f64 * mu - lambda)
}

/// Pollaczek–Khinchine mean wait of M/G/1 [h]: Wq = λ E[S²] / (2 (1 − ρ)).
fn pk_wq(lambda: f64, es: f64, es2: f64) -> f64 {
    lambda * es2 / (2.0 * (1.0 - lambda * es))
}

/// Asserts that `est` agrees with `theory` (see the module docs) and prints the comparison.
fn check(what: &str, est: Estimate, theory: f64, rel_tol: f64) {
    let err = est.mean - theory;
    println!(
        "{what}: theory {theory:.5}, simulated {:.5} ± {:.5} (95% CI, n = {}), error {:+.2}%",
        est.mean,
        est.ci95,
        est.n,
        100.0 * err / theory
    );
    assert!(est.n >= 8, "{what}: too few replications ({})", est.n);
    assert!(
        est.ci95 <= MAX_REL_CI * theory.abs(),
        "{what}: CI half-width {:.5} is wider than {:.1}% of the theoretical {theory:.5}; \
         the run is too short for the check to mean anything",
        est.ci95,
        100.0 * MAX_REL_CI
    );
    assert!(
        err.abs() <= CI_WIDEN * est.ci95,
        "{what}: theory {theory:.5} outside simulated {:.5} ± {CI_WIDEN}×{:.5}",
        est.mean,
        est.ci95
    );
    assert!(
        err.abs() <= rel_tol * theory.abs(),
        "{what}: relative error {:.2}% > {:.1}% (theory {theory:.5}, simulated {:.5})",
        100.0 * err / theory,
        100.0 * rel_tol,
        est.mean
    );
}

fn kpi(e: &EntitySummary, name: &str) -> Estimate {
    e.get(name)
        .unwrap_or_else(|| panic!("{}: no KPI {name}", e.id))
}

/// A model with its replications and their summary, computed once.
struct Run {
    model: Model,
    reps: Vec<RepResult>,
    summary: Summary,
}

fn run(model: Model) -> Run {
    let reps = sweep::run_replications(&model).expect("runs");
    let summary = kpi::estimate_run(&model, &reps, 0.0);
    Run {
        model,
        reps,
        summary,
    }
}

/// M/M/1, λ = 9/h, μ = 10/h (ρ = 0.9): 10 replications × 4000 days (10 warm-up).
fn mm1() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        run(single(
            4000,
            10,
            11,
            1,
            r#"{ dist = "exponential", mean = "6min" }"#,
            "9/h",
        ))
    })
}

/// M/M/4, λ = 32/h, mean service 6 min (ρ = 0.8): 10 replications × 800 days.
fn mm4() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        run(single(
            800,
            10,
            12,
            4,
            r#"{ dist = "exponential", mean = "6min" }"#,
            "32/h",
        ))
    })
}

/// M/M/1 with λ = 9/h, μ = 10/h (ρ = 0.9).
///
/// Erlang C with c = 1: Wq = ρ / (μ − λ) = 0.9 / 1 = 0.9 h.
#[test]
fn mm1_rho_0_9_mean_wait_matches_erlang_c() {
    let r = mm1();
    let theory = erlang_c_wq(1, 9.0, 10.0);
    assert!((theory - 0.9).abs() < 1e-12);
    check(
        "M/M/1 ρ=0.9 Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        theory,
        REL_TOL,
    );
    // The checkpoint (one stage) and the flow see the same waits.
    check(
        "M/M/1 ρ=0.9 flow Wq [h]",
        kpi(r.summary.flows()[0], "wait_mean_h"),
        theory,
        REL_TOL,
    );
}

/// M/M/4 with λ = 32/h and mean service 6 min (μ = 10/h, a = 3.2, ρ = 0.8).
///
/// Erlang C: C(4, 3.2) = (a⁴/4! / (1 − ρ)) / (Σ_{k<4} aᵏ/k! + a⁴/4! / (1 − ρ)) = 0.5964,
/// Wq = C / (cμ − λ) = 0.5964 / 8 = 0.07455 h (4.47 min).
#[test]
fn mm4_rho_0_8_mean_wait_matches_erlang_c() {
    let r = mm4();
    let theory = erlang_c_wq(4, 32.0, 10.0);
    assert!((theory - 0.074_55).abs() < 1e-4, "{theory}");
    check(
        "M/M/4 ρ=0.8 Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        theory,
        REL_TOL,
    );
    // Erlang C itself: the share of vehicles that wait at all.
    check(
        "M/M/4 ρ=0.8 P(wait > 0)",
        kpi(r.summary.stages()[0], "waited_share"),
        erlang_c_prob(4, 32.0, 10.0),
        0.02,
    );
}

/// M/M/2 with λ = 18/h and μ = 10/h per lane (a = 1.8, ρ = 0.9).
///
/// Erlang C: C(2, 1.8) = (1.8²/2 / 0.1) / (1 + 1.8 + 16.2) = 16.2 / 19 = 0.85263,
/// Wq = C / (2·10 − 18) = 0.42632 h.
#[test]
fn mm2_rho_0_9_mean_wait_matches_erlang_c() {
    let r = run(single(
        2500,
        10,
        13,
        2,
        r#"{ dist = "exponential", mean = "6min" }"#,
        "18/h",
    ));
    let theory = erlang_c_wq(2, 18.0, 10.0);
    assert!((theory - 16.2 / 19.0 / 2.0).abs() < 1e-12);
    check(
        "M/M/2 ρ=0.9 Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        theory,
        REL_TOL,
    );
}

/// M/D/1 with λ = 8/h and a deterministic 6 min service (ρ = 0.8).
///
/// Pollaczek–Khinchine with E[S] = 0.1 h, E[S²] = 0.01 h²: Wq = 8 · 0.01 / (2 · 0.2) = 0.2 h,
/// half the M/M/1 value.
#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    let r = run(single(
        1500,
        10,
        14,
        1,
        r#"{ dist = "deterministic", value = "6min" }"#,
        "8/h",
    ));
    let theory = pk_wq(8.0, 0.1, 0.01);
    assert!((theory - 0.2).abs() < 1e-12);
    check(
        "M/D/1 ρ=0.8 Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        theory,
        REL_TOL,
    );
}

/// M/E₄/1 with λ = 8/h and Erlang-4 service of mean 6 min (ρ = 0.8).
///
/// E[S²] = (1 + 1/k) E[S]² = 1.25 · 0.01 h²; Pollaczek–Khinchine:
/// Wq = 8 · 0.0125 / (2 · 0.2) = 0.25 h.
#[test]
fn me4_1_mean_wait_matches_pollaczek_khinchine() {
    let r = run(single(
        1500,
        10,
        15,
        1,
        r#"{ dist = "erlang", mean = "6min", k = 4 }"#,
        "8/h",
    ));
    let theory = pk_wq(8.0, 0.1, 1.25 * 0.01);
    assert!((theory - 0.25).abs() < 1e-12);
    check(
        "M/E4/1 ρ=0.8 Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        theory,
        REL_TOL,
    );
}

/// The M/M/1 waiting-time distribution (λ = 9/h, μ = 10/h): P(W > t) = ρ e^{−(μ−λ) t}.
///
/// t = 0: 0.9; t = 1 h: 0.9 e^{−1} = 0.33109; t = 2 h: 0.9 e^{−2} = 0.12180;
/// t = 4 h: 0.9 e^{−4} = 0.01648. Estimated per replication as
/// `count_above(t) / count` of the stage's wait distribution (the histogram splits the bucket
/// holding t, whose width is < 1% of t), then across replications. Tail probabilities are
/// noisier, so the relative tolerance grows with t (5%, 5%, 7%, 12%); the CI checks still apply.
#[test]
fn mm1_wait_tail_matches_exponential() {
    let r = mm1();
    let (lambda, mu) = (9.0, 10.0);
    for (t_h, tol) in [(0.0, REL_TOL), (1.0, REL_TOL), (2.0, 0.07), (4.0, 0.12)] {
        let threshold = (t_h * H) as u64;
        let shares: Vec<f64> = r
            .reps
            .iter()
            .map(|rep| {
                let w = &rep.stages[0].kpi.wait;
                w.count_above(threshold) as f64 / w.count() as f64
            })
            .collect();
        let theory = lambda / mu * (-(mu - lambda) * t_h).exp();
        let est = Estimate::from_samples(&shares);
        // The precision guard is relaxed for deep tails (few vehicles wait that long).
        if t_h <= 1.0 {
            check(&format!("M/M/1 P(W > {t_h} h)"), est, theory, tol);
        } else {
            let err = est.mean - theory;
            println!(
                "M/M/1 P(W > {t_h} h): theory {theory:.5}, simulated {:.5} ± {:.5}, error {:+.2}%",
                est.mean,
                est.ci95,
                100.0 * err / theory
            );
            assert!(
                err.abs() <= CI_WIDEN * est.ci95,
                "P(W > {t_h} h) outside CI"
            );
            assert!(err.abs() <= tol * theory, "P(W > {t_h} h) off by > {tol}");
        }
    }
}

/// Two stages in series, 24/7 and no travel: stage 1 is M/M/1 (λ = 8/h, μ = 10/h), stage 2 is
/// M/M/2 with mean service 12 min (μ = 5/h per lane, ρ = 0.8). By Burke's theorem stage 1's
/// departures are Poisson(8/h), so this is a Jackson network and the waits add up:
/// Wq₁ = 0.8 / (10 − 8) = 0.4 h, Wq₂ = C(2, 1.6) / (10 − 8) = (6.4/9) / 2 = 0.35556 h,
/// checkpoint wait = 0.75556 h.
#[test]
fn tandem_stages_match_jackson_network() {
    let m = scenario(
        1500,
        10,
        16,
        r#"
[[checkpoints.stages]]
id = "a"
lanes = 1
service = { dist = "exponential", mean = "6min" }

[[checkpoints.stages]]
id = "b"
lanes = 2
service = { dist = "exponential", mean = "12min" }
"#,
        r#"
[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "poisson", rate = "8/h" }
"#,
    );
    let r = run(m);
    let w1 = erlang_c_wq(1, 8.0, 10.0);
    let w2 = erlang_c_wq(2, 8.0, 5.0);
    assert!((w1 - 0.4).abs() < 1e-12 && (w2 - 3.2 / 9.0).abs() < 1e-12);
    check(
        "tandem stage a Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        w1,
        REL_TOL,
    );
    check(
        "tandem stage b Wq [h]",
        kpi(r.summary.stages()[1], "wait_mean_h"),
        w2,
        REL_TOL,
    );
    check(
        "tandem checkpoint W [h]",
        kpi(r.summary.checkpoints()[0], "wait_mean_h"),
        w1 + w2,
        REL_TOL,
    );
    // Time in system adds the two mean services: 0.1 h + 0.2 h.
    check(
        "tandem checkpoint T [h]",
        kpi(r.summary.checkpoints()[0], "time_in_system_mean_h"),
        w1 + w2 + 0.3,
        REL_TOL,
    );
}

/// Non-preemptive priority M/M/1 (Cobham): perishable λ₁ = 3/h listed first, general
/// λ₂ = 5/h, both exponential 6 min (μ = 10/h, ρ = 0.8).
///
/// W₀ = Σ λᵢ E[Sᵢ²] / 2 = 8 · 0.02 / 2 = 0.08 h; σ₁ = 0.3, σ₂ = 0.8;
/// W₁ = W₀ / (1 − σ₁) = 0.11429 h, W₂ = W₀ / ((1 − σ₁)(1 − σ₂)) = 0.57143 h.
#[test]
fn priority_mm1_matches_cobham() {
    let m = scenario(
        2500,
        10,
        17,
        r#"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = { dist = "exponential", mean = "6min" }
priority = ["perishable"]
"#,
        r#"
[[flows]]
id = "gen"
mode = "truck"
class = "general"
route = ["cp"]
arrivals = { process = "poisson", rate = "5/h" }

[[flows]]
id = "per"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "poisson", rate = "3/h" }
"#,
    );
    let r = run(m);
    let class = |id: &str| {
        r.summary
            .classes()
            .into_iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no class {id}"))
    };
    let w0 = 8.0 * 2.0 * 0.01 / 2.0;
    check(
        "priority M/M/1 perishable Wq [h]",
        kpi(class("perishable"), "wait_mean_h"),
        w0 / 0.7,
        REL_TOL,
    );
    check(
        "priority M/M/1 general Wq [h]",
        kpi(class("general"), "wait_mean_h"),
        w0 / (0.7 * 0.2),
        REL_TOL,
    );
    // Conservation law: the load-weighted mean wait equals the FIFO M/M/1 value 0.4 h.
    check(
        "priority M/M/1 stage Wq [h]",
        kpi(r.summary.stages()[0], "wait_mean_h"),
        0.4,
        REL_TOL,
    );
}

/// Little's law on the simulator's own outputs (M/M/4, ρ = 0.8), per replication:
/// L = λ W with λ = arrivals / measured hours, for the stage's vehicles inside
/// (`in_system_mean` vs time in system) and for the queue (`queue_mean` vs wait). Holds on every
/// sample path up to boundary terms (vehicles present at the warm-up end and at the horizon),
/// which here are far below the 2% tolerance. Also checked on the summary's `served_per_day`.
#[test]
fn littles_law_holds_on_outputs() {
    let r = mm4();
    let end = r.model.horizon().as_ms();
    let mut worst: f64 = 0.0;
    for rep in &r.reps {
        let st = &rep.stages[0];
        let hours = rep.measured_ms as f64 / H;
        let lambda = st.kpi.arrivals as f64 / hours;
        let pairs = [
            (
                "in_system",
                st.levels.in_system.mean(end),
                lambda * st.kpi.time_in_system.mean() / H,
            ),
            (
                "queue",
                st.levels.queue.mean(end),
                lambda * st.kpi.wait.mean() / H,
            ),
        ];
        for (what, l, lw) in pairs {
            let rel = (l - lw) / lw;
            worst = worst.max(rel.abs());
            assert!(
                rel.abs() <= 0.02,
                "replication {}: {what} L = {l:.4} but λW = {lw:.4} ({:+.2}%)",
                rep.replication,
                100.0 * rel
            );
        }
    }
    println!(
        "Little's law: worst relative gap over replications {:.4}%",
        100.0 * worst
    );
    // The summarised KPIs agree too, and L = λ W with the theoretical λ = 32/h and
    // W = Wq + 0.1 h: L = 32 · (0.07455 + 0.1) = 5.586.
    let s = r.summary.stages()[0];
    let theory_l = 32.0 * (erlang_c_wq(4, 32.0, 10.0) + 0.1);
    check(
        "M/M/4 in_system_mean",
        kpi(s, "in_system_mean"),
        theory_l,
        REL_TOL,
    );
    check(
        "M/M/4 queue_mean",
        kpi(s, "queue_mean"),
        32.0 * erlang_c_wq(4, 32.0, 10.0),
        REL_TOL,
    );
    check(
        "M/M/4 served_per_day",
        kpi(s, "served_per_day"),
        32.0 * 24.0,
        0.01,
    );
}

/// Utilisation of a 24/7 M/M/c equals ρ = λ / (c μ): M/M/4 with λ = 32/h, μ = 10/h → 0.8, and
/// M/M/1 with λ = 9/h, μ = 10/h → 0.9. Within 1%.
#[test]
fn utilization_equals_rho() {
    check(
        "M/M/4 utilization",
        kpi(mm4().summary.stages()[0], "utilization"),
        0.8,
        0.01,
    );
    check(
        "M/M/1 utilization",
        kpi(mm1().summary.stages()[0], "utilization"),
        0.9,
        0.01,
    );
}
