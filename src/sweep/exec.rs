//! Running a sweep: every (point, replication) is one job; rayon runs the jobs; one collector
//! thread records each finished job and appends it to the journal (see [`super::store`]), so a
//! killed sweep loses only the jobs in flight.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;
use serde_json::json;

use super::manifest::manifest_text;
use super::pairing::{SweepSummary, estimate_plan};
use super::plan::Plan;
use super::results::{Results, canonical};
use super::store::{Journal, write_detail, write_runs, write_summary};
use crate::error::{Error, Result};
use crate::kpi::{EntityValues, rep_values};
use crate::model::{Model, Observe, try_simulate, try_simulate_with};

/// How to run a sweep.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Run only jobs `j` with `j % n == i` (`(i, n)`, 0-based).
    pub shard: Option<(usize, usize)>,
    /// Output directory (none: results stay in memory).
    pub out: Option<PathBuf>,
    /// Continue the sweep recorded in `out` instead of starting afresh.
    pub resume: bool,
}

/// What a sweep run produced.
#[derive(Debug)]
pub struct Outcome {
    /// All recorded values (resumed and new).
    pub results: Results,
    /// Jobs run by this invocation.
    pub ran: usize,
    /// Wall time of this invocation's jobs \[s\].
    pub wall_s: f64,
    /// Events processed by this invocation's jobs.
    pub events: u64,
}

/// Job indices of the valid points, in order.
pub fn all_jobs(plan: &Plan) -> Vec<usize> {
    let r = plan.replications as usize;
    plan.points
        .iter()
        .filter(|p| p.model.is_ok())
        .flat_map(|p| (0..r).map(move |k| p.index * r + k))
        .collect()
}

/// A job's cost, estimated before it runs: the vehicles its point's flows bring over the horizon
/// times the stages each passes on its own route (mean arrival rates). Flows fed by a terminal
/// or a route choice add nothing of their own, so points that differ only in an onward leg or a
/// split estimate alike and start in job order. Only the order in which jobs start depends on it.
fn estimated_cost(model: &Model) -> f64 {
    let hours = model.days as f64 * 24.0;
    model
        .flows
        .iter()
        .map(|f| {
            let stages: usize = f
                .route
                .iter()
                .map(|&n| model.checkpoints[n as usize].stages.len())
                .sum();
            model.mean_rate_per_h(f) * hours * (1 + stages) as f64
        })
        .sum()
}

/// `jobs` in the order to start them: costliest point first (longest processing time first),
/// ties in job order, so the last jobs to start are short ones and the threads finish close
/// together. Results are recorded by job index: the order changes nothing in them.
fn dispatch_order(plan: &Plan, jobs: &[usize]) -> Vec<usize> {
    let r = plan.replications as usize;
    let cost: Vec<f64> = plan
        .points
        .iter()
        .map(|p| p.model.as_ref().map_or(0.0, estimated_cost))
        .collect();
    let mut order = jobs.to_vec();
    order.sort_by(|a, b| cost[b / r].total_cmp(&cost[a / r]).then(a.cmp(b)));
    order
}

/// Runs one job. Replication 0 of each point also writes the point's detail files (time series
/// and wait distributions) into `out`, before the job is journaled, so a journaled job always has
/// its files.
fn run_job(plan: &Plan, job: usize, out: Option<&Path>) -> Result<(Vec<EntityValues>, u64), Error> {
    let r = plan.replications as usize;
    let point = &plan.points[job / r];
    let model = point
        .model
        .as_ref()
        .expect("jobs are made for valid points only");
    let rep = (job % r) as u32;
    // Which point stopped, and why (a deadlock or a queue beyond the budget is the point's).
    let at_point = |e: crate::model::SimError| {
        Error::Failed(format!(
            "point \"{}\", replication {rep}: simulation failed: {e}",
            point.label
        ))
    };
    let res = match out {
        Some(dir) if rep == 0 => {
            let res = try_simulate_with(
                model,
                rep,
                Observe {
                    series_step: Some(model.series_step),
                },
            )
            .map_err(at_point)?;
            write_detail(dir, job / r, model, &res)?;
            res
        }
        _ => try_simulate(model, rep).map_err(at_point)?,
    };
    Ok((rep_values(model, &res), res.events))
}

/// Runs the plan's jobs (those of this shard, not yet recorded) and records them.
///
/// `progress(done, total)` is called on the calling thread with `done = 0` before the first job
/// and after each job (jobs already recorded in a resumed directory are not counted).
///
/// # Errors
/// [`Error::Request`] for a shard without an output directory (its jobs would be lost);
/// [`Error::Results`] for an output directory that cannot be used; [`Error::Io`] when a file
/// cannot be written; [`Error::Simulation`] when a replication fails.
pub fn execute(
    plan: &Plan,
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome, Error> {
    execute_cancellable(plan, opts, &AtomicBool::new(false), progress)
}

/// [`execute`] that a caller can stop: a job not yet started when `cancel` becomes true is not
/// started, and once the jobs in flight have ended and been journaled the call returns
/// [`Error::Interrupted`]. The output directory then holds the journal of the finished jobs
/// (each whole, as after a killed sweep: resumable) and no result files.
///
/// # Errors
/// As [`execute`]; [`Error::Interrupted`] when cancelled.
pub fn execute_cancellable(
    plan: &Plan,
    opts: &Options,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome, Error> {
    if opts.shard.is_some() && opts.out.is_none() {
        return Err(Error::Request(
            "a shard needs an output directory to record its jobs".into(),
        ));
    }
    let manifest_text = manifest_text(plan)?;
    let mut results = Results::default();

    // Prepare the output directory and what it already holds.
    let mut journal = match &opts.out {
        Some(dir) => Some(Journal::open(
            dir,
            plan,
            opts.resume,
            &manifest_text,
            &mut results,
        )?),
        None => None,
    };

    let todo: Vec<usize> = all_jobs(plan)
        .into_iter()
        .filter(|j| opts.shard.is_none_or(|(i, n)| j % n == i))
        .filter(|j| !results.jobs.contains_key(j))
        .collect();

    let total = todo.len();
    progress(0, total);
    let mut done_jobs = 0;

    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = opts.threads {
            b = b.num_threads(t.max(1));
        }
        b.build()
            .map_err(|e| Error::Failed(format!("cannot start worker threads: {e}")))?
    };
    let t0 = std::time::Instant::now();
    type Done = Result<(Vec<EntityValues>, u64), Error>;
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    let mut events = 0u64;
    let mut write_error: Option<Error> = None;
    // The failed job of lowest index: every job runs, so which one that is does not depend on
    // the order in which the threads finish (the message is the same at any thread count).
    let mut failed: Option<(usize, Error)> = None;
    // Jobs start one at a time in this order, whichever thread is free taking the next.
    let order = dispatch_order(plan, &todo);
    std::thread::scope(|s| {
        let order = &order;
        s.spawn(move || {
            pool.install(|| {
                order.iter().par_bridge().for_each_with(tx, |tx, &job| {
                    if cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let done = run_job(plan, job, opts.out.as_deref());
                    // The receiver only goes away if the collector failed; nothing to do then.
                    let _ = tx.send((job, done));
                })
            })
        });
        // The collector: the only writer, so rows of one job are contiguous and complete.
        for (job, done) in rx {
            let (values, ev) = match done {
                Ok(x) => x,
                Err(e) => {
                    if failed.as_ref().is_none_or(|(j, _)| job < *j) {
                        failed = Some((job, e));
                    }
                    continue;
                }
            };
            events += ev;
            results.insert(job, &values);
            if let Some(j) = &mut journal
                && write_error.is_none()
                && let Err(e) = j.append(job, &results)
            {
                write_error = Some(e);
            }
            done_jobs += 1;
            progress(done_jobs, total);
        }
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(write_error.unwrap_or(Error::Interrupted));
    }
    if let Some(e) = write_error.or(failed.map(|(_, e)| e)) {
        return Err(e);
    }
    Ok(Outcome {
        results,
        ran: todo.len(),
        wall_s: t0.elapsed().as_secs_f64(),
        events,
    })
}

/// Finishes a run directory: `runs.csv`, and for a complete (unsharded) run the summaries; for
/// a shard, `shard.json`.
pub fn finish_dir(
    dir: &Path,
    plan: &Plan,
    opts: &Options,
    results: &Results,
) -> Result<Option<SweepSummary>, Error> {
    let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
    let results = canonical(results);
    write_runs(dir, &labels, plan.replications, &results)?;
    if let Some((i, n)) = opts.shard {
        let path = dir.join("shard.json");
        let text = serde_json::to_string_pretty(
            &json!({ "shard": i, "of": n, "jobs": results.jobs.len() }),
        )
        .unwrap_or_default();
        crate::files::write_atomic(&path, (text + "\n").as_bytes())?;
        return Ok(None);
    }
    // A directory that held a shard and was resumed unsharded is a complete run now.
    let _ = fs::remove_file(dir.join("shard.json"));
    let summary = estimate_plan(plan, &results);
    write_summary(dir, &summary)?;
    Ok(Some(summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Overrides;

    /// Three demand levels × 2 replications: jobs 0–1 at ×1, 2–3 at ×3, 4–5 at ×2.
    fn plan() -> Plan {
        let sweep = "name = \"d\"\nreplications = 2\ndays = 20\nbase = \"mm1.toml\"\n\
                     [[axes]]\nname = \"demand\"\npath = \"flows.*.arrivals.scale\"\nvalues = [0.3, 0.9, 0.6]\n";
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples");
        super::super::plan::parse(sweep, "d.toml", &here, Overrides::default(), None)
            .expect("a valid sweep")
    }

    #[test]
    fn the_costliest_points_start_first() {
        let p = plan();
        // 9 arrivals/h for 20 days (480 h), each counted on arrival and at its one stage.
        let cost: Vec<f64> = p
            .points
            .iter()
            .map(|pt| estimated_cost(pt.model.as_ref().unwrap()))
            .collect();
        let want = [0.3, 0.9, 0.6].map(|s| s * 9.0 * 480.0 * 2.0);
        for (got, want) in cost.iter().zip(want) {
            assert!((got - want).abs() < 1e-6 * want, "{cost:?}");
        }
        assert_eq!(dispatch_order(&p, &all_jobs(&p)), [2, 3, 4, 5, 0, 1]);
        // A resumed sweep orders what is left the same way.
        assert_eq!(dispatch_order(&p, &[0, 3, 4]), [3, 4, 0]);
    }

    #[test]
    fn the_results_are_the_same_whatever_the_threads() {
        let p = plan();
        let run = |threads| {
            let opts = Options {
                threads: Some(threads),
                ..Options::default()
            };
            let r = canonical(
                &execute(&p, &opts, &mut |_, _| {})
                    .expect("the sweep runs")
                    .results,
            );
            format!("{:?} {:?} {:?}", r.entities, r.kpis, r.jobs)
        };
        assert_eq!(run(1), run(2));
    }
}
