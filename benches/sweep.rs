//! Sweep benchmarks: a 16-job sweep (P1 for 60 days, 4 points × 4 replications) at 1 and 2
//! threads, against the same 16 simulations run bare (no journal, no collector, no summaries).
//! After criterion's figures it prints the two ratios the sweep is held to: speed-up at 2
//! threads (target ≥ 1.85×) and overhead per job against a bare run (target < 2%).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use borderflow::model::simulate;
use borderflow::scenario::Overrides;
use borderflow::sweep::plan::{Plan, parse};
use borderflow::sweep::{Options, execute};
use criterion::{Criterion, criterion_group, criterion_main};

fn plan() -> Plan {
    let text = include_str!("models/sweep16.toml");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/models");
    parse(
        text,
        "benches/models/sweep16.toml",
        &dir,
        Overrides::default(),
        None,
    )
    .expect("sweep parses")
}

fn sweep(plan: &Plan, threads: usize) -> usize {
    let opts = Options {
        threads: Some(threads),
        ..Options::default()
    };
    let out = execute(plan, &opts, &mut |_, _| {}).expect("sweep runs");
    assert_eq!(out.results.jobs.len(), 16);
    out.results.jobs.len()
}

fn bare(plan: &Plan) -> u64 {
    let mut served = 0;
    for p in &plan.points {
        let m = p.model.as_ref().expect("valid point");
        for r in 0..plan.replications {
            served += simulate(m, r).flows.iter().map(|f| f.served).sum::<u64>();
        }
    }
    // 16 runs of 8 × ~32/h × 24 h × 60 days ≈ 5.9M trucks (0.9–1.0 × demand).
    assert!((5_000_000..6_200_000).contains(&served), "served {served}");
    served
}

fn best_of(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn benches(c: &mut Criterion) {
    let plan = plan();
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.bench_function("16_jobs/bare", |b| b.iter(|| bare(black_box(&plan))));
    g.bench_function("16_jobs/threads_1", |b| {
        b.iter(|| sweep(black_box(&plan), 1))
    });
    g.bench_function("16_jobs/threads_2", |b| {
        b.iter(|| sweep(black_box(&plan), 2))
    });
    g.finish();

    let t_bare = best_of(5, || {
        bare(&plan);
    });
    let t1 = best_of(5, || {
        sweep(&plan, 1);
    });
    let t2 = best_of(5, || {
        sweep(&plan, 2);
    });
    println!(
        "sweep/16_jobs: bare {:.3} s, 1 thread {:.3} s, 2 threads {:.3} s; speed-up at 2 threads {:.2}x (target >= 1.85x); overhead per job vs bare {:+.2}% (target < 2%)",
        t_bare,
        t1,
        t2,
        t1 / t2,
        (t1 / t_bare - 1.0) * 100.0
    );
}

criterion_group!(sweep_benches, benches);
criterion_main!(sweep_benches);
