//! Rail benchmark: one simulated year of scenarios/kz-cn-rail.toml (one replication), against a
//! truck year moving the same number of containers. Criterion reports trains/s ("elements/s");
//! afterwards the bench prints events/s, trains/s and the train-year / truck-year time ratio
//! (the per-container crane events must keep it under ~10x).

use std::hint::black_box;
use std::time::Instant;

use borderflow::model::{Model, simulate};
use borderflow::scenario::{Overrides, parse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn model(text: &str, file: &str) -> Model {
    let ov = Overrides {
        replications: Some(1),
        ..Overrides::default()
    };
    parse(text, file, ov).expect("bench scenario parses")
}

fn served(m: &Model) -> (u64, u64, f64) {
    let r = simulate(m, 0);
    let vehicles = r.flows.iter().map(|f| f.served).sum();
    let containers = r.flows.iter().map(|f| f.containers).sum();
    (vehicles, r.events, containers)
}

fn benches(c: &mut Criterion) {
    let rail = model(
        include_str!("../scenarios/kz-cn-rail.toml"),
        "kz-cn-rail.toml",
    );
    let trucks = model(
        include_str!("models/trucks-equal-to-rail.toml"),
        "trucks-equal-to-rail.toml",
    );
    let (trains, _, containers) = served(&rail);
    let (truck_n, _, _) = served(&trucks);
    let mut g = c.benchmark_group("whole");
    g.sample_size(10);
    g.throughput(Throughput::Elements(trains));
    g.bench_function("rail_year", |b| {
        b.iter(|| {
            let (n, _, _) = served(black_box(&rail));
            // ~31 trains/day over 351 measured days.
            assert!((9_500..12_000).contains(&n), "trains {n}");
            n
        })
    });
    g.throughput(Throughput::Elements(truck_n));
    g.bench_function("trucks_equal_to_rail_year", |b| {
        b.iter(|| {
            let (n, _, _) = served(black_box(&trucks));
            assert!((450_000..520_000).contains(&n), "trucks {n}");
            n
        })
    });
    g.finish();

    let time = |m: &Model| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let out = served(m);
                (t.elapsed().as_secs_f64(), out)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("five runs")
    };
    let (t_rail, (n_trains, ev_rail, _)) = time(&rail);
    let (t_trucks, (n_trucks, ev_trucks, _)) = time(&trucks);
    println!(
        "rail year: {:.3} s, {:.1} M events/s, {:.0} trains/s ({} trains, {:.0} containers); truck year of equal containers: {:.3} s ({} trucks, {:.1} M events/s); ratio {:.2}x (target < 10x)",
        t_rail,
        ev_rail as f64 / t_rail / 1e6,
        n_trains as f64 / t_rail,
        n_trains,
        containers,
        t_trucks,
        n_trucks,
        ev_trucks as f64 / t_trucks / 1e6,
        t_rail / t_trucks
    );
}

criterion_group!(rail_benches, benches);
criterion_main!(rail_benches);
