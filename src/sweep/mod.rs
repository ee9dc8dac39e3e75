//! Many simulations: the replications of one scenario, run in parallel with rayon; and sweeps —
//! a base scenario × axes of policies, each point run for R replications — with their journal,
//! result files, paired comparisons and merging of shards.
//!
//! Determinism: replication `r` draws only from streams derived from (seed, r, source), results
//! are collected by index, and estimates are folded in index order — so the output is the same
//! for any number of threads.

use rayon::prelude::*;

use crate::error::Result;
use crate::kpi::{Summary, estimate_run};
use crate::model::{Model, Observe, RepResult, try_simulate, try_simulate_with};

mod exec;
mod manifest;
mod merge;
mod pairing;
pub mod plan;
mod results;
mod store;

pub use exec::{Options, Outcome, all_jobs, execute, finish_dir};
pub(crate) use manifest::{Manifest, PointStatus};
pub use merge::merge;
pub use pairing::{SweepSummary, estimate_plan};
pub use store::{detail_paths, summary_json};

/// Runs all replications of `model` (in parallel; results in replication order).
///
/// # Errors
/// [`crate::Error::Simulation`] if a replication stops on a broken invariant.
pub fn run_replications(model: &Model) -> Result<Vec<RepResult>> {
    (0..model.replications)
        .into_par_iter()
        .map(|r| Ok(try_simulate(model, r)?))
        .collect()
}

/// Runs `model` and estimates its KPIs; `wall_s` measures the simulation only.
///
/// # Errors
/// As [`run_replications`].
pub fn run(model: &Model) -> Result<Summary> {
    let t0 = std::time::Instant::now();
    let reps = run_replications(model)?;
    let wall_s = t0.elapsed().as_secs_f64();
    Ok(estimate_run(model, &reps, wall_s))
}

/// Like [`run`], also returning replication 0 with its time series (on the model's
/// `series_step`) and yearly statistics, for detail files and reports. The summary is the same.
///
/// # Errors
/// As [`run_replications`].
pub fn run_detailed(model: &Model) -> Result<(Summary, RepResult)> {
    let t0 = std::time::Instant::now();
    let observe = Observe {
        series_step: Some(model.series_step),
    };
    let mut reps: Vec<RepResult> = (0..model.replications)
        .into_par_iter()
        .map(|r| {
            Ok(if r == 0 {
                try_simulate_with(model, r, observe)?
            } else {
                try_simulate(model, r)?
            })
        })
        .collect::<Result<_>>()?;
    let wall_s = t0.elapsed().as_secs_f64();
    let summary = estimate_run(model, &reps, wall_s);
    Ok((summary, reps.swap_remove(0)))
}
