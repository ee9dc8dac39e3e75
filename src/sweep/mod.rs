//! Many simulations: the replications of one scenario, run in parallel with rayon; and sweeps —
//! a base scenario × axes of policies, each point run for R replications — with their journal,
//! result files, paired comparisons and merging of shards.
//!
//! Determinism: replication `r` draws only from streams derived from (seed, r, source), results
//! are collected by index, and estimates are folded in index order — so the output is the same
//! for any number of threads.

use rayon::prelude::*;

use crate::kpi::estimate_run;
use crate::model::{Model, Observe, RepResult, simulate, simulate_with};

pub mod compare;
pub mod exec;
pub mod merge;
pub mod plan;
pub mod store;

// The KPI layer's names, where callers of earlier versions found them.
pub use crate::kpi::{
    EntityKind, EntitySummary, EntityValues, HOUR_PREFIX, Summary, YEAR_PREFIX, rep_values,
};

/// Runs all replications of `model` (in parallel; results in replication order).
pub fn run_replications(model: &Model) -> Vec<RepResult> {
    (0..model.replications)
        .into_par_iter()
        .map(|r| simulate(model, r))
        .collect()
}

/// Runs `model` and estimates its KPIs; `wall_s` measures the simulation only.
pub fn run(model: &Model) -> Summary {
    let t0 = std::time::Instant::now();
    let reps = run_replications(model);
    let wall_s = t0.elapsed().as_secs_f64();
    estimate_run(model, &reps, wall_s)
}

/// Like [`run`], also returning replication 0 with its time series (on the model's
/// `series_step`) and yearly statistics, for detail files and reports. The summary is the same.
pub fn run_detailed(model: &Model) -> (Summary, RepResult) {
    let t0 = std::time::Instant::now();
    let observe = Observe {
        series_step: Some(model.series_step),
    };
    let mut reps: Vec<RepResult> = (0..model.replications)
        .into_par_iter()
        .map(|r| {
            if r == 0 {
                simulate_with(model, r, observe)
            } else {
                simulate(model, r)
            }
        })
        .collect();
    let wall_s = t0.elapsed().as_secs_f64();
    let summary = estimate_run(model, &reps, wall_s);
    (summary, reps.swap_remove(0))
}
