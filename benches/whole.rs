//! Whole-simulation benchmarks (SimPy's "whole simulation" group): one replication of a full
//! scenario with every KPI on. Criterion reports vehicles served per second ("elements/s").
//!
//! - `whole/mm1`: benches/models/mm1.toml, M/M/1 with lambda = 1, mu = 1.1 per minute, 1,000 days
//!   (~1.44M customers).
//! - `whole/p2_year`: benches/models/p2.toml, P1 with 10 lanes open 09:00-18:00 only, one year.
//! - `whole/default_year`: the built-in KZ-CN road scenario, one year, one replication.
//!
//! P1, rail and the sweep have their own benches (p1.rs, rail.rs, sweep.rs). Each run is checked
//! inside the measured loop, so a broken model fails the bench instead of reporting a fast time.

use std::hint::black_box;

use borderflow::model::{Model, RepResult, simulate};
use borderflow::scenario::{Overrides, default_scenario, parse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn one_replication() -> Overrides {
    Overrides {
        replications: Some(1),
        ..Overrides::default()
    }
}

fn served(r: &RepResult) -> u64 {
    r.flows.iter().map(|f| f.served).sum()
}

/// Benchmarks `whole/<name>`: one replication of `model`, throughput in vehicles served, with
/// `check` asserting on the result inside the measured loop.
fn bench_model(c: &mut Criterion, name: &str, model: &Model, check: impl Fn(&RepResult)) {
    let first = simulate(model, 0);
    check(&first);
    let mut g = c.benchmark_group("whole");
    g.sample_size(10);
    g.throughput(Throughput::Elements(served(&first)));
    g.bench_function(name, |b| {
        b.iter(|| {
            let r = simulate(black_box(model), 0);
            check(&r);
            served(&r)
        })
    });
    g.finish();
}

fn mm1(c: &mut Criterion) {
    let model = parse(
        include_str!("models/mm1.toml"),
        "benches/models/mm1.toml",
        one_replication(),
    )
    .expect("mm1 parses");
    bench_model(c, "mm1", &model, |r| {
        // 1/min over 1,000 days = 1.44M customers.
        let n = served(r);
        assert!((1_400_000..1_480_000).contains(&n), "served {n}");
        assert!(r.events >= 2 * n, "events {} for {n} served", r.events);
        // Wq = rho / (mu - lambda) = 9.09 min.
        let wq_min = r.flows[0].wait.mean() / 60_000.0;
        assert!((7.5..11.0).contains(&wq_min), "mean wait {wq_min:.2} min");
    });
}

fn p2_year(c: &mut Criterion) {
    let model = parse(
        include_str!("models/p2.toml"),
        "benches/models/p2.toml",
        one_replication(),
    )
    .expect("P2 parses");
    bench_model(c, "p2_year", &model, |r| {
        // 8 checkpoints x 32/h x 8,760 h = 2.24M trucks, all cleared within the 9-hour day
        // (capacity 900/day against 768/day) but for the last night's queue.
        let n = served(r);
        assert!((2_150_000..2_330_000).contains(&n), "served {n}");
        assert!(r.events >= 2 * n, "events {} for {n} served", r.events);
    });
}

fn default_year(c: &mut Criterion) {
    let model = default_scenario(one_replication()).expect("the built-in scenario parses");
    bench_model(c, "default_year", &model, |r| {
        // ~1,970 trucks/day over 351 measured days (365 less 14 warm-up) = ~692k.
        let n = served(r);
        assert!((650_000..730_000).contains(&n), "served {n}");
        assert!(r.events >= 2 * n, "events {} for {n} served", r.events);
    });
}

criterion_group!(whole_benches, mm1, p2_year, default_year);
criterion_main!(whole_benches);
