//! Estimates: the KPIs of several replications folded into means with 95% Student-t confidence
//! half-widths.
//!
//! One shape holds "the estimate of KPI k for entity e at point p" everywhere: a [`Cell`] per KPI
//! in an [`EntitySummary`] per entity in a [`PointEstimates`] per point. A run is one point (its
//! scenario); a sweep, a comparison and a merge are several, with paired differences from the
//! baseline; the reports read the same shape. Order is part of the data: entities and their KPIs
//! stay in the order they were folded, which is the order every output writes them in.

use std::collections::HashMap;

use super::assumptions::Assumptions;
use super::catalog::{EntityKind, EntityValues, HOUR_PREFIX, rep_values};
use crate::model::{Model, RepResult};
use crate::stats::Estimate;

/// Paired difference of a KPI from the baseline point (this point − baseline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diff {
    /// Mean difference over paired replications.
    pub mean: f64,
    /// 95% half-width of the difference.
    pub ci95: f64,
    /// True when the interval excludes zero; in a sweep, once [`Diff::adjust`]ed, when the
    /// Holm-adjusted p-value is below 5 %.
    pub significant: bool,
    /// Pairs of replications behind it (both points had a value).
    pub n: usize,
    /// Two-sided p-value of the paired t-test (NaN below two pairs).
    pub p: f64,
    /// `p` after the Holm adjustment over its family of comparisons (`p` until adjusted).
    pub p_holm: f64,
}

impl Diff {
    /// The difference estimated from per-replication differences; significant when its 95%
    /// interval excludes zero, which takes at least two pairs.
    pub fn from_estimate(d: Estimate) -> Diff {
        let p = crate::stats::paired_p(d.mean, d.sd, d.n);
        Diff {
            mean: d.mean,
            ci95: d.ci95,
            significant: d.n >= 2 && d.mean.abs() > d.ci95,
            n: d.n,
            p,
            p_holm: p,
        }
    }

    /// Sets the Holm-adjusted p-value; the difference is then significant when it is below 5 %
    /// (the interval stays the nominal 95 % one).
    pub fn adjust(&mut self, p_holm: f64) {
        self.p_holm = p_holm;
        self.significant = self.n >= 2 && p_holm < 0.05;
    }

    /// The difference and its interval as an estimate (for formatting).
    pub fn as_estimate(&self) -> Estimate {
        Estimate {
            mean: self.mean,
            ci95: self.ci95,
            sd: f64::NAN,
            n: self.n,
        }
    }
}

/// The estimate of one KPI of one entity at one point, with the paired difference from the
/// baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    /// Across replications.
    pub estimate: Estimate,
    /// Difference from the baseline, when the point has one and is not it.
    pub diff: Option<Diff>,
}

impl Cell {
    /// The cell of one KPI from its value in each replication (`None` or a non-finite value
    /// where a replication has none: an hour without arrivals, a mean wait where nobody was
    /// served), paired replication by replication with the baseline's values when there is a
    /// baseline: the one fold over replications that every estimate in borderflow goes through.
    ///
    /// The estimate uses the replications that have a value (its `n` says how many); the
    /// difference, the replications where both have one (replication r of a point drew the same
    /// random numbers as replication r of the baseline). No common replication: no difference.
    pub fn fold(values: &[Option<f64>], baseline: Option<&[Option<f64>]>) -> Cell {
        let have = |v: &Option<f64>| v.filter(|x| x.is_finite());
        let present: Vec<f64> = values.iter().filter_map(have).collect();
        let diff = baseline.and_then(|base| {
            let ds: Vec<f64> = values
                .iter()
                .zip(base)
                .filter_map(|(a, b)| Some(have(a)? - have(b)?))
                .collect();
            (!ds.is_empty()).then(|| Diff::from_estimate(Estimate::from_samples(&ds)))
        });
        Cell {
            estimate: Estimate::from_samples(&present),
            diff,
        }
    }

    /// True when the difference's 95% interval excludes zero.
    pub fn significant(&self) -> bool {
        self.diff.is_some_and(|d| d.significant)
    }
}

/// Across-replication results of one entity (system, checkpoint, stage, flow or class).
#[derive(Clone, Debug, PartialEq)]
pub struct EntitySummary {
    /// What the entity is.
    pub kind: EntityKind,
    /// Entity id ("nur-zholy", "nur-zholy/kz-exit", a flow id, a class name, "all").
    pub id: String,
    /// (KPI name, cell), in the order folded; hour-of-day waits are `wait_by_hour_h.HH`.
    pub metrics: Vec<(String, Cell)>,
}

impl EntitySummary {
    /// The cell of KPI `name`, if this entity has it.
    pub fn cell(&self, name: &str) -> Option<&Cell> {
        self.metrics.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The estimate of KPI `name`, if this entity has it.
    pub fn get(&self, name: &str) -> Option<Estimate> {
        self.cell(name).map(|c| c.estimate)
    }

    /// Mean wait \[h\] by hour of arrival (reference clock), averaged over the replications that
    /// saw arrivals in that hour; `None` where none did.
    pub fn wait_by_hour_h(&self) -> [Option<f64>; 24] {
        self.wait_by_hour().map(|e| e.and_then(|e| e.value()))
    }

    /// The estimates behind [`Self::wait_by_hour_h`], hour by hour (with their `n`).
    pub fn wait_by_hour(&self) -> [Option<Estimate>; 24] {
        let mut out = [None; 24];
        for (name, c) in &self.metrics {
            if let Some(h) = name.strip_prefix(HOUR_PREFIX)
                && let Ok(h) = h.parse::<usize>()
                && h < 24
            {
                out[h] = Some(c.estimate);
            }
        }
        out
    }
}

/// The estimates of all entities at one point: the single scenario of a run, or one point of a
/// sweep (empty for a point that was not run).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointEstimates {
    /// Point index (0 for a run).
    pub index: usize,
    /// Point label ("policy=today, demand=x1"; the scenario name for a run).
    pub label: String,
    /// Entities, in the order folded.
    pub entities: Vec<EntitySummary>,
}

impl PointEstimates {
    /// The entity `id` of kind `kind`.
    pub fn entity(&self, kind: EntityKind, id: &str) -> Option<&EntitySummary> {
        self.entities.iter().find(|e| e.kind == kind && e.id == id)
    }

    /// The cell of KPI `kpi` of entity `id` of kind `kind`.
    pub fn cell(&self, kind: EntityKind, id: &str, kpi: &str) -> Option<&Cell> {
        self.entity(kind, id)?.cell(kpi)
    }

    /// The entities of kind `kind`, in order.
    pub fn of_kind(&self, kind: EntityKind) -> Vec<&EntitySummary> {
        self.entities.iter().filter(|e| e.kind == kind).collect()
    }

    /// All flows together (the first entity of kind system).
    pub fn system(&self) -> Option<&EntitySummary> {
        self.entities.iter().find(|e| e.kind == EntityKind::System)
    }
}

/// Folds the values of several replications (each as from [`rep_values`], replications in
/// order) into one summary per entity, in first-seen order, KPIs in first-seen order. A KPI
/// missing from a replication (an hour without arrivals, or NaN: a mean wait where nobody was
/// served) is estimated from the replications that have it. No baseline: cells carry no
/// difference.
pub fn estimate_entities(reps: &[Vec<EntityValues>]) -> Vec<EntitySummary> {
    let mut columns = Columns::default();
    for rep in reps {
        columns.add(rep);
    }
    columns.estimate()
}

/// Every replication's KPI values as one column per entity and KPI, in the order first seen: a
/// replication's values join the columns as it ends, and its names are kept once, not once a
/// replication (a run of 100,000 replications keeps about 16 B a value).
#[derive(Default)]
pub struct Columns {
    order: Vec<(EntityKind, String)>,
    index: HashMap<(EntityKind, String), usize>,
    samples: Vec<Vec<(String, Vec<Option<f64>>)>>,
}

impl Columns {
    /// Appends one replication's values (replications in order).
    pub fn add(&mut self, rep: &[EntityValues]) {
        for e in rep {
            let i = match self.index.get(&(e.kind, e.id.clone())) {
                Some(&i) => i,
                None => {
                    let key = (e.kind, e.id.clone());
                    self.order.push(key.clone());
                    self.samples.push(Vec::new());
                    self.index.insert(key, self.samples.len() - 1);
                    self.samples.len() - 1
                }
            };
            let slots = &mut self.samples[i];
            for (name, v) in &e.values {
                match slots.iter_mut().find(|(n, _)| n == name) {
                    Some((_, xs)) => xs.push(Some(*v)),
                    None => slots.push((name.clone(), vec![Some(*v)])),
                }
            }
        }
    }

    /// The estimates of every column, entities and KPIs in the order first seen.
    pub fn estimate(self) -> Vec<EntitySummary> {
        self.order
            .into_iter()
            .zip(self.samples)
            .map(|((kind, id), slots)| EntitySummary {
                kind,
                id,
                metrics: slots
                    .into_iter()
                    .map(|(name, xs)| (name, Cell::fold(&xs, None)))
                    .collect(),
            })
            .collect()
    }
}

/// Everything a run reports: what was run, the overload warnings and the estimates.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Horizon \[days\].
    pub days: u32,
    /// Warm-up \[days\].
    pub warmup_days: u32,
    /// Events processed over all replications.
    pub events: u64,
    /// Wall time of the simulation \[s\].
    pub wall_s: f64,
    /// Stages whose offered load exceeds their capacity (the model's overload check, made once
    /// per run here).
    pub warnings: Vec<String>,
    /// The estimates: one point, labelled with the scenario name.
    pub point: PointEstimates,
    /// What was simulated (hours, servers, quotas, demand), from the model.
    pub assumptions: Assumptions,
}

impl Summary {
    /// All flows together.
    pub fn system(&self) -> Option<&EntitySummary> {
        self.point.system()
    }
    /// The checkpoints, in model order.
    pub fn checkpoints(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Checkpoint)
    }
    /// The links, in model order.
    pub fn links(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Link)
    }
    /// The terminals, in model order.
    pub fn terminals(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Terminal)
    }
    /// The stages ("checkpoint/stage"), in model order.
    pub fn stages(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Stage)
    }
    /// The flows, in model order.
    pub fn flows(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Flow)
    }
    /// The cargo classes, in model order.
    pub fn classes(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Class)
    }
    /// The crossing × mode rows ("crossing-id/mode"), in model order.
    pub fn crossings(&self) -> Vec<&EntitySummary> {
        self.point.of_kind(EntityKind::Crossing)
    }
}

/// Estimates the KPIs of `model` from its replications (in replication order): means and 95%
/// confidence half-widths, with the run's overload warnings. `wall_s` is the simulation's wall
/// time, reported as given.
pub fn estimate_run(model: &Model, reps: &[RepResult], wall_s: f64) -> Summary {
    let values: Vec<Vec<EntityValues>> = reps.iter().map(|r| rep_values(model, r)).collect();
    let events = reps.iter().map(|r| r.events).sum();
    estimate_values(model, &values, events, wall_s)
}

/// Like [`estimate_run`], from each replication's KPI values (in replication order, as
/// [`rep_values`] gives them) and the events of all: a run keeps only these once a replication
/// ends, so its memory grows by the KPI values of a replication, not by its raw statistics.
pub fn estimate_values(
    model: &Model,
    values: &[Vec<EntityValues>],
    events: u64,
    wall_s: f64,
) -> Summary {
    summary_of(model, estimate_entities(values), events, wall_s)
}

/// The summary of a run whose replications' values are folded into `entities`.
pub fn summary_of(
    model: &Model,
    entities: Vec<EntitySummary>,
    events: u64,
    wall_s: f64,
) -> Summary {
    Summary {
        scenario: model.name.clone(),
        seed: model.seed,
        replications: model.replications,
        days: model.days,
        warmup_days: model.warmup_days,
        events,
        wall_s,
        warnings: model.overload_warnings(),
        point: PointEstimates {
            index: 0,
            label: model.name.clone(),
            entities,
        },
        assumptions: Assumptions::of(model),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_folds_present_values_and_pairs_common_replications() {
        let values = [Some(1.0), Some(2.0), Some(3.0), None];
        let base = [Some(0.5), Some(1.0), None, Some(9.0)];
        let cell = Cell::fold(&values, Some(&base));
        // Replications 0–2: mean 2, sd 1, half-width t(0.975, 2) / √3 = 4.3027 / 1.7321.
        assert_eq!((cell.estimate.n, cell.estimate.mean), (3, 2.0));
        assert!((cell.estimate.ci95 - 2.4841).abs() < 1e-4, "{cell:?}");
        // Pairs 0 and 1 only: differences 0.5 and 1.0, mean 0.75, sd √0.125,
        // half-width t(0.975, 1) · sd / √2 = 12.7062 · 0.25 = 3.1766: not significant.
        let d = cell.diff.expect("two common replications");
        assert!((d.mean - 0.75).abs() < 1e-12);
        assert!((d.ci95 - 3.1766).abs() < 1e-4, "{d:?}");
        assert!(!d.significant);
    }

    #[test]
    fn a_cell_skips_replications_where_the_statistic_does_not_exist() {
        // Replication 1 served nobody (NaN); the baseline's replication 2 neither.
        let values = [Some(10.0), Some(f64::NAN), Some(14.0), Some(12.0)];
        let base = [Some(9.0), Some(5.0), Some(f64::NAN), Some(8.0)];
        let cell = Cell::fold(&values, Some(&base));
        assert_eq!((cell.estimate.n, cell.estimate.mean), (3, 12.0));
        // Pairs 0 and 3 only: differences 1 and 4.
        let d = cell.diff.expect("two common replications");
        assert_eq!((d.n, d.mean), (2, 2.5));
        let none = Cell::fold(&[Some(f64::NAN), None], Some(&[Some(1.0), Some(2.0)]));
        assert_eq!(
            (none.estimate.n, none.estimate.value(), none.diff),
            (0, None, None)
        );
    }

    #[test]
    fn a_cell_has_no_difference_without_a_baseline_or_a_common_replication() {
        let values = [Some(4.0), None];
        assert_eq!(Cell::fold(&values, None).diff, None);
        assert_eq!(Cell::fold(&values, Some(&[None, Some(1.0)])).diff, None);
        assert_eq!(Cell::fold(&values, None).estimate.mean, 4.0);
    }
}
