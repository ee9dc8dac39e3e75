//! Replications of a scenario, run in parallel with rayon and summarised across replications with
//! 95% Student-t confidence intervals.
//!
//! Determinism: replication `r` draws only from streams derived from (seed, r, source), results
//! are collected by index, and summaries are folded in index order — so the output is the same
//! for any number of threads. (Policy axes and paired comparisons build on this in a later issue.)

use rayon::prelude::*;

use crate::model::{Kpi, Levels, Model, RepResult, StageResult, simulate};
use crate::stats::Estimate;
use crate::time::{MS_PER_DAY, MS_PER_HOUR};

/// One named KPI of one entity, across replications.
pub type Metric = (&'static str, Estimate);

/// Across-replication results of one entity (checkpoint, stage, flow or class).
#[derive(Clone, Debug)]
pub struct EntitySummary {
    /// Entity id ("nur-zholy", "nur-zholy/kz-exit", a flow id, a class name).
    pub id: String,
    /// Scalar KPIs in a fixed order.
    pub metrics: Vec<Metric>,
    /// Mean wait [h] by hour of arrival (reference clock), averaged over replications;
    /// `None` where no vehicle arrived in that hour.
    pub wait_by_hour_h: [Option<f64>; 24],
}

impl EntitySummary {
    /// The estimate of KPI `name`, if this entity has it.
    pub fn get(&self, name: &str) -> Option<Estimate> {
        self.metrics
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| *e)
    }
}

/// Everything a run reports.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Horizon [days].
    pub days: u32,
    /// Warm-up [days].
    pub warmup_days: u32,
    /// Events processed over all replications.
    pub events: u64,
    /// Wall time of the simulation [s].
    pub wall_s: f64,
    /// Per checkpoint.
    pub checkpoints: Vec<EntitySummary>,
    /// Per stage ("checkpoint/stage").
    pub stages: Vec<EntitySummary>,
    /// Per flow.
    pub flows: Vec<EntitySummary>,
    /// Per cargo class.
    pub classes: Vec<EntitySummary>,
    /// Overload warnings found before running.
    pub warnings: Vec<String>,
}

/// Runs all replications of `model` (in parallel; results in replication order).
pub fn run_replications(model: &Model) -> Vec<RepResult> {
    (0..model.replications)
        .into_par_iter()
        .map(|r| simulate(model, r))
        .collect()
}

/// Runs `model` and summarises it; `wall_s` measures the simulation only.
pub fn run(model: &Model) -> Summary {
    let t0 = std::time::Instant::now();
    let reps = run_replications(model);
    let wall_s = t0.elapsed().as_secs_f64();
    summarize(model, &reps, wall_s)
}

const H: f64 = MS_PER_HOUR as f64;

/// Scalar KPIs of a vehicle-level statistic, in report order.
fn kpi_metrics(k: &Kpi, measured_days: f64, out: &mut Vec<(&'static str, f64)>) {
    let w = &k.wait;
    let s = &k.time_in_system;
    let share = |n: u64, d: u64| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    out.extend([
        ("arrivals", k.arrivals as f64),
        ("served", k.served as f64),
        ("backlog_end", k.backlog_end as f64),
        ("served_per_day", k.served as f64 / measured_days),
        ("tonnes_per_day", k.tonnes / measured_days),
        ("wait_mean_h", w.mean() / H),
        ("wait_p50_h", w.quantile(0.5) / H),
        ("wait_p95_h", w.quantile(0.95) / H),
        ("wait_p99_h", w.quantile(0.99) / H),
        ("wait_max_h", w.max() as f64 / H),
        ("waited_share", share(w.count_above(0), w.count())),
        ("time_in_system_mean_h", s.mean() / H),
        ("time_in_system_p95_h", s.quantile(0.95) / H),
        ("over_limit", k.over_limit as f64),
    ]);
}

/// Scalar KPIs of time-weighted levels, in report order.
fn level_metrics(l: &Levels, end_ms: i64, m_per_vehicle: f64, out: &mut Vec<(&'static str, f64)>) {
    let km = m_per_vehicle / 1000.0;
    out.extend([
        ("queue_mean", l.queue.mean(end_ms)),
        ("queue_max", l.queue.max() as f64),
        ("queue_km_mean", l.road.mean(end_ms) * km),
        ("queue_km_max", l.road.max() as f64 * km),
        ("in_system_mean", l.in_system.mean(end_ms)),
    ]);
}

/// Busy lane-time in open hours over open lane-time.
fn utilization(s: &StageResult) -> f64 {
    if s.open_lane_ms <= 0 {
        0.0
    } else {
        s.busy_open_lane_ms as f64 / s.open_lane_ms as f64
    }
}

/// Folds per-replication values (one `Vec` of named values per replication, same names in the
/// same order) into estimates.
fn fold(
    id: String,
    per_rep: Vec<Vec<(&'static str, f64)>>,
    hours: Vec<[Option<f64>; 24]>,
) -> EntitySummary {
    let names: Vec<&'static str> = per_rep
        .first()
        .map(|v| v.iter().map(|(n, _)| *n).collect())
        .unwrap_or_default();
    let metrics = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let xs: Vec<f64> = per_rep.iter().map(|v| v[i].1).collect();
            (*n, Estimate::from_samples(&xs))
        })
        .collect();
    let mut wait_by_hour_h = [None; 24];
    for (h, slot) in wait_by_hour_h.iter_mut().enumerate() {
        let xs: Vec<f64> = hours.iter().filter_map(|p| p[h]).collect();
        if !xs.is_empty() {
            *slot = Some(xs.iter().sum::<f64>() / xs.len() as f64);
        }
    }
    EntitySummary {
        id,
        metrics,
        wait_by_hour_h,
    }
}

/// Summarises replications of `model` with means and 95% confidence half-widths.
pub fn summarize(model: &Model, reps: &[RepResult], wall_s: f64) -> Summary {
    let end = model.horizon().as_ms();
    let mpv = model.metres_per_vehicle;
    let days_of = |r: &RepResult| (r.measured_ms as f64 / MS_PER_DAY as f64).max(1e-9);

    let stages: Vec<EntitySummary> = model
        .stages
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let cp = &model.checkpoints[spec.checkpoint as usize];
            let per_rep = reps
                .iter()
                .map(|r| {
                    let s = &r.stages[i];
                    let mut v = Vec::with_capacity(24);
                    kpi_metrics(&s.kpi, days_of(r), &mut v);
                    level_metrics(&s.levels, end, mpv, &mut v);
                    v.push(("utilization", utilization(s)));
                    v.push(("quota_days_exhausted", s.quota_days_exhausted as f64));
                    v
                })
                .collect();
            let hours = reps
                .iter()
                .map(|r| r.stages[i].kpi.wait_by_hour.means())
                .collect();
            fold(format!("{}/{}", cp.id, spec.id), per_rep, hours)
        })
        .collect();

    let checkpoints = model
        .checkpoints
        .iter()
        .enumerate()
        .map(|(i, cp)| {
            let per_rep = reps
                .iter()
                .map(|r| {
                    let c = &r.checkpoints[i];
                    let mut v = Vec::with_capacity(24);
                    kpi_metrics(&c.kpi, days_of(r), &mut v);
                    level_metrics(&c.levels, end, mpv, &mut v);
                    // A checkpoint is as busy as its bottleneck stage.
                    let util = cp
                        .stages
                        .iter()
                        .map(|&s| utilization(&r.stages[s as usize]))
                        .fold(0.0, f64::max);
                    v.push(("utilization", util));
                    let quota_days: u64 = cp
                        .stages
                        .iter()
                        .map(|&s| r.stages[s as usize].quota_days_exhausted)
                        .sum();
                    v.push(("quota_days_exhausted", quota_days as f64));
                    v
                })
                .collect();
            let hours = reps
                .iter()
                .map(|r| r.checkpoints[i].kpi.wait_by_hour.means())
                .collect();
            fold(cp.id.clone(), per_rep, hours)
        })
        .collect();

    let vehicle_level = |id: String, pick: &dyn Fn(&RepResult) -> &Kpi| {
        let per_rep = reps
            .iter()
            .map(|r| {
                let k = pick(r);
                let mut v = Vec::with_capacity(16);
                kpi_metrics(k, days_of(r), &mut v);
                v.push(("value_per_day_usd", k.value / days_of(r)));
                v
            })
            .collect();
        let hours = reps.iter().map(|r| pick(r).wait_by_hour.means()).collect();
        fold(id, per_rep, hours)
    };
    let flows = model
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| vehicle_level(f.id.clone(), &|r: &RepResult| &r.flows[i]))
        .collect();
    let classes = model
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| vehicle_level(c.id.clone(), &|r: &RepResult| &r.classes[i]))
        .collect();

    Summary {
        scenario: model.name.clone(),
        seed: model.seed,
        replications: model.replications,
        days: model.days,
        warmup_days: model.warmup_days,
        events: reps.iter().map(|r| r.events).sum(),
        wall_s,
        checkpoints,
        stages,
        flows,
        classes,
        warnings: model.overload_warnings(),
    }
}
