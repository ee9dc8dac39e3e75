//! Whole-simulation benchmarks of the reference models. P1: 8 independent checkpoints × 4 lanes,
//! exponential 6-min service, Poisson 32 trucks/h each, 24/7, one simulated year (≈ 2.2M trucks),
//! all KPIs on. P3: the same demand through an exit post with lanes by hour of day and an entry
//! post behind a 6-place neutral zone that blocks the exit. P4: a chain of three stages, the entry
//! post behind its zone and an inspection stage behind a 4-place yard, with lanes by hour at the
//! exit and the inspection, so trucks block at two places. Criterion reports throughput in trucks
//! served per second ("elements/s").

use std::hint::black_box;

use borderflow::model::simulate;
use borderflow::scenario::{Overrides, parse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const P1: &str = include_str!("models/p1.toml");
const P3: &str = include_str!("models/p3.toml");
const P4: &str = include_str!("models/p4.toml");

fn p1_year(c: &mut Criterion) {
    let model = parse(P1, "benches/models/p1.toml", Overrides::default()).expect("P1 parses");
    // Trucks served in one year, to express the time as trucks/s.
    let served: u64 = simulate(&model, 0).flows.iter().map(|f| f.served).sum();
    let mut g = c.benchmark_group("whole");
    g.sample_size(10);
    g.throughput(Throughput::Elements(served));
    g.bench_function("p1_year", |b| {
        b.iter(|| {
            let r = simulate(black_box(&model), 0);
            let n: u64 = r.flows.iter().map(|f| f.served).sum();
            // Plausibility inside the measured loop: 8 × 32/h × 8760 h ≈ 2.24M trucks.
            assert!((2_150_000..2_330_000).contains(&n), "served {n}");
            n
        })
    });
    g.finish();
}

/// Benchmarks `whole/<name>`: one year of a model with finite buffers, checking inside the
/// measured loop that all P1's demand is served and that `blocked` stages block for some time.
fn bench_blocking(c: &mut Criterion, name: &str, text: &str, file: &str, blocked: usize) {
    let model = parse(text, file, Overrides::default()).expect("the model parses");
    let served: u64 = simulate(&model, 0).flows.iter().map(|f| f.served).sum();
    let mut g = c.benchmark_group("whole");
    g.sample_size(10);
    g.throughput(Throughput::Elements(served));
    g.bench_function(name, |b| {
        b.iter(|| {
            let r = simulate(black_box(&model), 0);
            let n: u64 = r.flows.iter().map(|f| f.served).sum();
            // The same demand as P1, all served.
            assert!((2_150_000..2_330_000).contains(&n), "served {n}");
            let end = model.horizon().as_ms();
            let n_blocked = r
                .stages
                .iter()
                .filter(|s| s.levels.blocked.area(end) > 0)
                .count();
            assert_eq!(n_blocked, blocked, "stages blocked");
            n
        })
    });
    g.finish();
}

/// P3: the entry posts run at rho = 0.8 and the neutral zones fill, so every exit post blocks.
fn p3_year(c: &mut Criterion) {
    bench_blocking(c, "p3_year", P3, "benches/models/p3.toml", 8);
}

/// P4: both buffers fill (the night inspection runs at rho = 0.93), so every exit and entry post
/// blocks.
fn p4_year(c: &mut Criterion) {
    bench_blocking(c, "p4_year", P4, "benches/models/p4.toml", 16);
}

criterion_group!(benches, p1_year, p3_year, p4_year);
criterion_main!(benches);
