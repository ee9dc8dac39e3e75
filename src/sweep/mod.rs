//! Many simulations: the replications of one scenario, run in parallel with rayon; and sweeps —
//! a base scenario × axes of policies, each point run for R replications — with their journal,
//! result files, paired comparisons and merging of shards.
//!
//! Determinism: replication `r` draws only from streams derived from (seed, r, source), results
//! are collected by index, and estimates are folded in index order — so the output is the same
//! for any number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
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
pub use exec::{Options, Outcome, all_jobs, execute, execute_cancellable, finish_dir};
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
    run_chunked(model, None, None, &mut |_, _| {}).map(|(s, _)| s)
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
    let (summary, rep0) = run_chunked(model, Some(observe), None, &mut |_, _| {})?;
    Ok((summary, rep0.expect("a model has at least one replication")))
}

/// [`run_detailed`] that a caller can stop and watch: a replication not yet started when
/// `cancel` becomes true is not started, and the run returns [`Error::Interrupted`] once those
/// in flight have ended (a replication itself is not cut short). `each(r, values)` is called on
/// the calling thread with replication `r`'s KPI values, in replication order, as they are
/// folded. The summary and replication 0 are those of [`run_detailed`].
///
/// # Errors
/// As [`run_replications`]; [`Error::Interrupted`] when cancelled.
pub fn run_cancellable(
    model: &Model,
    cancel: &AtomicBool,
    each: &mut dyn FnMut(u32, &[EntityValues]),
) -> Result<(Summary, RepResult)> {
    let observe = Observe {
        series_step: Some(model.series_step),
    };
    let (summary, rep0) = run_chunked(model, Some(observe), Some(cancel), each)?;
    Ok((summary, rep0.expect("a model has at least one replication")))
}

/// Runs every replication in chunks and folds their values in order; with `observe`, keeps
/// replication 0 whole, recorded with it.
fn run_chunked(
    model: &Model,
    observe: Option<Observe>,
    cancel: Option<&AtomicBool>,
    each: &mut dyn FnMut(u32, &[EntityValues]),
) -> Result<(Summary, Option<RepResult>)> {
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
                if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return Err(Error::Interrupted);
                }
                let res = match observe {
                    Some(o) if r == 0 => try_simulate_with(model, r, o)?,
                    _ => try_simulate(model, r)?,
                };
                let values = rep_values(model, &res);
                let events = res.events;
                Ok((values, events, (observe.is_some() && r == 0).then_some(res)))
            })
            .collect::<Result<_>>()?;
        for (r, (values, e, whole)) in (start..).zip(runs) {
            each(r, &values);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Overrides, parse};

    const MM1: &str = include_str!("../../scenarios/examples/mm1.toml");

    #[test]
    fn a_cancelled_run_stops_and_says_so() {
        let ov = Overrides {
            days: Some(20),
            replications: Some(4),
            ..Overrides::default()
        };
        let model = parse(MM1, "mm1.toml", ov).expect("a valid scenario");
        let cancel = AtomicBool::new(true);
        let mut seen = 0;
        let out = run_cancellable(&model, &cancel, &mut |_, _| seen += 1);
        assert!(matches!(out, Err(Error::Interrupted)));
        assert_eq!(seen, 0);

        // Not cancelled: the same summary as `run`, each replication seen once, in order.
        cancel.store(false, Ordering::Relaxed);
        let mut order = Vec::new();
        let (summary, rep0) =
            run_cancellable(&model, &cancel, &mut |r, _| order.push(r)).expect("the run finishes");
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert!(!rep0.series.is_empty());
        let plain = run(&model).expect("the run finishes");
        assert_eq!(summary.point, plain.point);
    }

    #[test]
    fn a_cancelled_sweep_writes_no_results() {
        let dir = std::env::temp_dir().join(format!("bf-cancel-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sweep = "name = \"c\"\nreplications = 2\ndays = 20\nbase = \"mm1.toml\"\n\
                     [[axes]]\nname = \"lanes\"\npath = \"checkpoints.booth.stages.service.lanes\"\nvalues = [1, 2]\n";
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples");
        let p = plan::parse(sweep, "c.toml", &here, Default::default(), None).expect("valid");
        let opts = Options {
            out: Some(dir.clone()),
            ..Options::default()
        };
        let out = execute_cancellable(&p, &opts, &AtomicBool::new(true), &mut |_, _| {});
        assert!(matches!(out, Err(Error::Interrupted)));
        assert!(!dir.join("summary.csv").exists() && !dir.join("runs.csv").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
