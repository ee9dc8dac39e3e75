//! Many simulations: the replications of one scenario, run in parallel with rayon; and sweeps —
//! a base scenario × axes of policies, each point run for R replications — with their journal,
//! result files, paired comparisons and merging of shards.
//!
//! Determinism: replication `r` draws only from streams derived from (seed, r, source), results
//! are collected by index, and estimates are folded in index order — so the output is the same
//! for any number of threads.

use rayon::prelude::*;

use crate::error::Result;
use crate::kpi::{Columns, EntityValues, Summary, rep_values, summary_of};
use crate::model::{Model, Observe, RepResult, try_simulate, try_simulate_with};

mod context;
mod exec;
pub(crate) mod lhs;
mod manifest;
mod merge;
mod pairing;
pub mod plan;
mod results;
pub mod robust;
mod store;

pub use context::{Group, Pairing, family_size, holm_families};
pub use exec::{Options, Outcome, all_jobs, execute, finish_dir};
pub(crate) use manifest::{Manifest, PointStatus};
pub use merge::merge;
pub use pairing::{SweepSummary, estimate_plan};
pub use robust::{Robustness, robustness};
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

/// Replications run together before their values are folded: enough to keep every core busy,
/// few enough that the raw results in flight stay small.
const CHUNK_PER_THREAD: usize = 16;

/// Runs `model` and estimates its KPIs; `wall_s` measures the simulation only. Replications run
/// in parallel in chunks; each is reduced to its KPI values as it ends and folded in replication
/// order, so a run keeps about 16 B per KPI value of each replication (100,000 replications of a
/// one-stage scenario: well under 1 GB), not its raw statistics.
///
/// # Errors
/// As [`run_replications`].
pub fn run(model: &Model) -> Result<Summary> {
    run_chunked(model, None).map(|(s, _)| s)
}

/// Like [`run`], also returning replication 0 with its time series (on the model's
/// `series_step`) and yearly statistics, for detail files and reports. The summary is the same.
///
/// # Errors
/// As [`run_replications`].
pub fn run_detailed(model: &Model) -> Result<(Summary, RepResult)> {
    let observe = Observe {
        series_step: Some(model.series_step),
    };
    let (summary, rep0) = run_chunked(model, Some(observe))?;
    Ok((summary, rep0.expect("a model has at least one replication")))
}

/// Runs every replication in chunks and folds their values in order; with `observe`, keeps
/// replication 0 whole, recorded with it.
fn run_chunked(model: &Model, observe: Option<Observe>) -> Result<(Summary, Option<RepResult>)> {
    let t0 = std::time::Instant::now();
    let chunk = (rayon::current_num_threads() * CHUNK_PER_THREAD).max(1) as u32;
    let mut columns = Columns::default();
    let (mut events, mut rep0) = (0u64, None);
    let mut start = 0;
    while start < model.replications {
        let end = model.replications.min(start.saturating_add(chunk));
        let runs: Vec<(Vec<EntityValues>, u64, Option<RepResult>)> = (start..end)
            .into_par_iter()
            .map(|r| {
                let res = match observe {
                    Some(o) if r == 0 => try_simulate_with(model, r, o)?,
                    _ => try_simulate(model, r)?,
                };
                let values = rep_values(model, &res);
                let events = res.events;
                Ok((values, events, (observe.is_some() && r == 0).then_some(res)))
            })
            .collect::<Result<_>>()?;
        for (values, e, whole) in runs {
            columns.add(&values);
            events += e;
            if whole.is_some() {
                rep0 = whole;
            }
        }
        start = end;
    }
    let wall_s = t0.elapsed().as_secs_f64();
    Ok((summary_of(model, columns.estimate(), events, wall_s), rep0))
}
