//! Replications of a scenario, run in parallel with rayon and summarised across replications with
//! 95% Student-t confidence intervals.
//!
//! Determinism: replication `r` draws only from streams derived from (seed, r, source), results
//! are collected by index, and summaries are folded in index order — so the output is the same
//! for any number of threads. (Policy axes and paired comparisons build on this in a later issue.)

use rayon::prelude::*;

use crate::model::{
    Kpi, Levels, Model, NodeKind, Observe, RepResult, StageResult, YearKpi, YearResult, simulate,
    simulate_with,
};
use crate::stats::Estimate;
use crate::time::{MS_PER_DAY, MS_PER_HOUR};

pub mod exec;
pub mod plan;

/// What a set of results describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    /// All flows together.
    System,
    /// A checkpoint.
    Checkpoint,
    /// A stage of a checkpoint, link or terminal ("node/stage").
    Stage,
    /// A link between nodes of routes.
    Link,
    /// A terminal (mode change).
    Terminal,
    /// A flow.
    Flow,
    /// A cargo class.
    Class,
}

impl EntityKind {
    /// The name used in files ("system", "checkpoint", "stage", "flow", "class").
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::System => "system",
            EntityKind::Checkpoint => "checkpoint",
            EntityKind::Stage => "stage",
            EntityKind::Link => "link",
            EntityKind::Terminal => "terminal",
            EntityKind::Flow => "flow",
            EntityKind::Class => "class",
        }
    }
    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<EntityKind> {
        Some(match s {
            "system" => EntityKind::System,
            "checkpoint" => EntityKind::Checkpoint,
            "stage" => EntityKind::Stage,
            "link" => EntityKind::Link,
            "terminal" => EntityKind::Terminal,
            "flow" => EntityKind::Flow,
            "class" => EntityKind::Class,
            _ => return None,
        })
    }
}

/// The scalar results of one entity in one replication, in a fixed order.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityValues {
    /// What the entity is.
    pub kind: EntityKind,
    /// Its id.
    pub id: String,
    /// (KPI name, value); hour-of-day waits are named `wait_by_hour_h.HH`.
    pub values: Vec<(String, f64)>,
}

/// Prefix of the hour-of-day wait KPIs (`wait_by_hour_h.07` = mean wait of arrivals 07:00–08:00).
pub const HOUR_PREFIX: &str = "wait_by_hour_h.";

/// One named KPI of one entity, across replications.
pub type Metric = (String, Estimate);

/// Across-replication results of one entity (checkpoint, stage, flow or class).
#[derive(Clone, Debug)]
pub struct EntitySummary {
    /// What the entity is.
    pub kind: EntityKind,
    /// Entity id ("nur-zholy", "nur-zholy/kz-exit", a flow id, a class name, "all").
    pub id: String,
    /// Scalar KPIs in a fixed order.
    pub metrics: Vec<Metric>,
    /// Mean wait [h] by hour of arrival (reference clock), averaged over the replications that
    /// saw arrivals in that hour; `None` where none did.
    pub wait_by_hour_h: [Option<f64>; 24],
}

impl EntitySummary {
    /// The estimate of KPI `name`, if this entity has it.
    pub fn get(&self, name: &str) -> Option<Estimate> {
        self.metrics
            .iter()
            .find(|(n, _)| n == name)
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
    /// All flows together.
    pub system: EntitySummary,
    /// Per checkpoint.
    pub checkpoints: Vec<EntitySummary>,
    /// Per link.
    pub links: Vec<EntitySummary>,
    /// Per terminal.
    pub terminals: Vec<EntitySummary>,
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
    let summary = summarize(model, &reps, wall_s);
    (summary, reps.swap_remove(0))
}

const H: f64 = MS_PER_HOUR as f64;

type Values = Vec<(String, f64)>;

fn push(out: &mut Values, name: &str, v: f64) {
    out.push((name.to_string(), v));
}

/// Scalar KPIs of a vehicle-level statistic, in report order.
fn kpi_metrics(k: &Kpi, measured_days: f64, out: &mut Values) {
    let w = &k.wait;
    let s = &k.time_in_system;
    let share = |n: u64, d: u64| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    for (name, v) in [
        ("arrivals", k.arrivals as f64),
        ("served", k.served as f64),
        ("backlog_end", k.backlog_end as f64),
        ("served_per_day", k.served as f64 / measured_days),
        ("tonnes_per_day", k.tonnes / measured_days),
        ("wagons_per_day", k.wagons / measured_days),
        ("containers_per_day", k.containers / measured_days),
        ("teu_per_day", k.teu / measured_days),
        ("wait_mean_h", w.mean() / H),
        ("wait_p50_h", w.quantile(0.5) / H),
        ("wait_p95_h", w.quantile(0.95) / H),
        ("wait_p99_h", w.quantile(0.99) / H),
        ("wait_max_h", w.max() as f64 / H),
        ("waited_share", share(w.count_above(0), w.count())),
        ("time_in_system_mean_h", s.mean() / H),
        ("time_in_system_p95_h", s.quantile(0.95) / H),
        ("over_limit", k.over_limit as f64),
    ] {
        push(out, name, v);
    }
}

fn hour_metrics(k: &Kpi, out: &mut Values) {
    for (h, m) in k.wait_by_hour.means().iter().enumerate() {
        if let Some(m) = m {
            out.push((format!("{HOUR_PREFIX}{h:02}"), *m / H));
        }
    }
}

/// Prefix of the per-year KPIs: `y2027.served_per_day` is served per day in calendar year 2027.
pub const YEAR_PREFIX: char = 'y';

/// Per-year KPIs of entity `pick(year)` for runs whose measured span is longer than a year.
fn year_metrics(r: &RepResult, pick: impl Fn(&YearResult) -> YearKpi, out: &mut Values) {
    for y in &r.years {
        let k = pick(y);
        let days = y.days.max(1e-9);
        let mean = if k.waits == 0 {
            0.0
        } else {
            k.wait_sum_ms as f64 / k.waits as f64
        };
        for (name, v) in [
            ("served_per_day", k.served as f64 / days),
            ("tonnes_per_day", k.tonnes / days),
            ("teu_per_day", k.teu / days),
            ("wait_mean_h", mean / H),
            ("wait_p95_h", k.wait_p95_ms / H),
        ] {
            out.push((format!("{YEAR_PREFIX}{}.{name}", y.year), v));
        }
    }
}

/// Scalar KPIs of time-weighted levels, in report order.
fn level_metrics(l: &Levels, end_ms: i64, m_per_vehicle: f64, out: &mut Values) {
    let km = m_per_vehicle / 1000.0;
    for (name, v) in [
        ("queue_mean", l.queue.mean(end_ms)),
        ("queue_max", l.queue.max() as f64),
        ("queue_km_mean", l.road.mean(end_ms) * km),
        ("queue_km_max", l.road.max() as f64 * km),
        ("in_system_mean", l.in_system.mean(end_ms)),
    ] {
        push(out, name, v);
    }
}

/// Busy lane-time in open hours over open lane-time.
fn utilization(s: &StageResult) -> f64 {
    if s.open_lane_ms <= 0 {
        0.0
    } else {
        s.busy_open_lane_ms as f64 / s.open_lane_ms as f64
    }
}

/// The scalar results of one replication: system, checkpoints, stages, flows, classes.
pub fn rep_values(model: &Model, r: &RepResult) -> Vec<EntityValues> {
    let end = model.horizon().as_ms();
    let mpv = model.metres_per_vehicle;
    let days = (r.measured_ms as f64 / MS_PER_DAY as f64).max(1e-9);
    let mut out = Vec::with_capacity(1 + model.checkpoints.len() * 3 + model.flows.len());

    // The whole system: every flow's vehicles together.
    let mut all = Kpi::default();
    for f in &r.flows {
        all.merge(f);
    }
    let mut v = Vec::with_capacity(48);
    kpi_metrics(&all, days, &mut v);
    push(&mut v, "value_per_day_usd", all.value / days);
    hour_metrics(&all, &mut v);
    year_metrics(r, |y| y.system, &mut v);
    out.push(EntityValues {
        kind: EntityKind::System,
        id: "all".into(),
        values: v,
    });

    for (i, cp) in model.checkpoints.iter().enumerate() {
        let c = &r.checkpoints[i];
        let mut v = Vec::with_capacity(48);
        kpi_metrics(&c.kpi, days, &mut v);
        level_metrics(&c.levels, end, mpv, &mut v);
        // A checkpoint is as busy as its bottleneck stage.
        let util = cp
            .stages
            .iter()
            .map(|&s| utilization(&r.stages[s as usize]))
            .fold(0.0, f64::max);
        push(&mut v, "utilization", util);
        let quota_days: u64 = cp
            .stages
            .iter()
            .map(|&s| r.stages[s as usize].quota_days_exhausted)
            .sum();
        push(&mut v, "quota_days_exhausted", quota_days as f64);
        push(&mut v, "held_outside", c.kpi.held_outside as f64);
        // Gauge-change equipment (cranes, bogie positions): the busiest such stage.
        let pooled: Vec<f64> = cp
            .stages
            .iter()
            .filter(|&&s| model.stages[s as usize].kind.is_pooled())
            .map(|&s| utilization(&r.stages[s as usize]))
            .collect();
        if !pooled.is_empty() {
            push(
                &mut v,
                "crane_utilization",
                pooled.iter().cloned().fold(0.0, f64::max),
            );
        }
        hour_metrics(&c.kpi, &mut v);
        year_metrics(r, |y| y.checkpoints[i], &mut v);
        out.push(EntityValues {
            kind: match cp.kind {
                NodeKind::Checkpoint => EntityKind::Checkpoint,
                NodeKind::Link => EntityKind::Link,
                NodeKind::Terminal => EntityKind::Terminal,
            },
            id: cp.id.clone(),
            values: v,
        });
    }
    for (i, spec) in model.stages.iter().enumerate() {
        let s = &r.stages[i];
        let mut v = Vec::with_capacity(48);
        kpi_metrics(&s.kpi, days, &mut v);
        level_metrics(&s.levels, end, mpv, &mut v);
        push(&mut v, "utilization", utilization(s));
        push(
            &mut v,
            "quota_days_exhausted",
            s.quota_days_exhausted as f64,
        );
        push(&mut v, "held_outside", s.kpi.held_outside as f64);
        hour_metrics(&s.kpi, &mut v);
        out.push(EntityValues {
            kind: EntityKind::Stage,
            id: format!(
                "{}/{}",
                model.checkpoints[spec.checkpoint as usize].id, spec.id
            ),
            values: v,
        });
    }
    let vehicle_level = |kind, id: String, k: &Kpi| {
        let mut v = Vec::with_capacity(40);
        kpi_metrics(k, days, &mut v);
        push(&mut v, "value_per_day_usd", k.value / days);
        hour_metrics(k, &mut v);
        EntityValues {
            kind,
            id,
            values: v,
        }
    };
    for (i, f) in model.flows.iter().enumerate() {
        let mut e = vehicle_level(EntityKind::Flow, f.id.clone(), &r.flows[i]);
        year_metrics(r, |y| y.flows[i], &mut e.values);
        out.push(e);
    }
    for (i, c) in model.classes.iter().enumerate() {
        out.push(vehicle_level(
            EntityKind::Class,
            c.id.clone(),
            &r.classes[i],
        ));
    }
    out
}

/// Folds the values of several replications (each as from [`rep_values`], replications in
/// order) into one summary per entity, in first-seen order. A KPI missing from a replication
/// (an hour without arrivals) is estimated from the replications that have it.
pub fn fold(reps: &[Vec<EntityValues>]) -> Vec<EntitySummary> {
    let mut order: Vec<(EntityKind, String)> = Vec::new();
    let mut index: std::collections::HashMap<(EntityKind, String), usize> = Default::default();
    let mut samples: Vec<Vec<(String, Vec<f64>)>> = Vec::new();
    for rep in reps {
        for e in rep {
            let key = (e.kind, e.id.clone());
            let i = *index.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                samples.push(Vec::new());
                samples.len() - 1
            });
            let slots = &mut samples[i];
            for (name, v) in &e.values {
                match slots.iter_mut().find(|(n, _)| n == name) {
                    Some((_, xs)) => xs.push(*v),
                    None => slots.push((name.clone(), vec![*v])),
                }
            }
        }
    }
    order
        .into_iter()
        .zip(samples)
        .map(|((kind, id), slots)| {
            let mut metrics = Vec::with_capacity(slots.len());
            let mut wait_by_hour_h = [None; 24];
            for (name, xs) in slots {
                if let Some(h) = name.strip_prefix(HOUR_PREFIX) {
                    if let Ok(h) = h.parse::<usize>()
                        && h < 24
                    {
                        wait_by_hour_h[h] = Some(xs.iter().sum::<f64>() / xs.len() as f64);
                    }
                } else {
                    metrics.push((name, Estimate::from_samples(&xs)));
                }
            }
            EntitySummary {
                kind,
                id,
                metrics,
                wait_by_hour_h,
            }
        })
        .collect()
}

/// Sorts summaries of one run into a [`Summary`].
pub fn assemble(model: &Model, entities: Vec<EntitySummary>, events: u64, wall_s: f64) -> Summary {
    let mut s = Summary {
        scenario: model.name.clone(),
        seed: model.seed,
        replications: model.replications,
        days: model.days,
        warmup_days: model.warmup_days,
        events,
        wall_s,
        system: EntitySummary {
            kind: EntityKind::System,
            id: "all".into(),
            metrics: Vec::new(),
            wait_by_hour_h: [None; 24],
        },
        checkpoints: Vec::new(),
        links: Vec::new(),
        terminals: Vec::new(),
        stages: Vec::new(),
        flows: Vec::new(),
        classes: Vec::new(),
        warnings: model.overload_warnings(),
    };
    for e in entities {
        match e.kind {
            EntityKind::System => s.system = e,
            EntityKind::Checkpoint => s.checkpoints.push(e),
            EntityKind::Link => s.links.push(e),
            EntityKind::Terminal => s.terminals.push(e),
            EntityKind::Stage => s.stages.push(e),
            EntityKind::Flow => s.flows.push(e),
            EntityKind::Class => s.classes.push(e),
        }
    }
    s
}

/// Summarises replications of `model` with means and 95% confidence half-widths.
pub fn summarize(model: &Model, reps: &[RepResult], wall_s: f64) -> Summary {
    let values: Vec<Vec<EntityValues>> = reps.iter().map(|r| rep_values(model, r)).collect();
    assemble(
        model,
        fold(&values),
        reps.iter().map(|r| r.events).sum(),
        wall_s,
    )
}
