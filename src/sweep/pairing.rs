//! Paired comparisons: the recorded values of a sweep estimated per point, entity and KPI, each
//! point paired against the baseline (replication r of a point against replication r of the
//! baseline, which drew the same random numbers: common random numbers make the difference's
//! interval far narrower than the two points' own).

use std::collections::BTreeMap;

use super::context::{Pairing, holm_families};
use super::plan::{Plan, Uncertainty};
use super::results::{InvalidPoints, Results, canonical};
use crate::kpi::{Cell, EntitySummary, PointEstimates};

/// Per-point estimates of a sweep, with paired differences from the baseline.
#[derive(Clone, Debug)]
pub struct SweepSummary {
    /// Every point by index (label and estimates; no entities for a point that was not run).
    pub points: Vec<PointEstimates>,
    /// Invalid points with their problems.
    pub invalid: InvalidPoints,
    /// Baseline point.
    pub baseline: Option<usize>,
    /// The baseline each point is compared with (its context's).
    pub pairing: Pairing,
    /// Replications per point (an estimate's `n` may be fewer: those where its statistic exists).
    pub replications: usize,
    /// The uncertain inputs and their input sets, if the sweep has them (see `robustness`).
    pub uncertainty: Option<Uncertainty>,
}

/// Estimates recorded results per point, entity and KPI, and pairs every point against the
/// baseline of its context (`pairing`), the differences Holm-adjusted family by family.
/// Entities and KPIs come in the order `results` interned them (first seen in job order, see
/// [`canonical`]).
pub fn estimate_points(
    labels: Vec<String>,
    invalid: InvalidPoints,
    baseline: Option<usize>,
    pairing: Pairing,
    replications: u32,
    results: &Results,
) -> SweepSummary {
    let r = replications as usize;
    // (point, entity, kpi) → values by replication.
    let mut samples: BTreeMap<(usize, u32, u32), Vec<Option<f64>>> = BTreeMap::new();
    for (job, rows) in &results.jobs {
        let (p, k) = (job / r, job % r);
        for row in rows {
            let slot = samples
                .entry((p, row.entity, row.kpi))
                .or_insert_with(|| vec![None; r]);
            slot[k] = Some(row.value);
        }
    }
    let mut points: Vec<PointEstimates> = labels
        .into_iter()
        .enumerate()
        .map(|(index, label)| PointEstimates {
            index,
            label,
            entities: Vec::new(),
        })
        .collect();
    let mut current: Option<(usize, u32)> = None;
    for (&(p, e, k), xs) in &samples {
        let base = pairing
            .compared_with(p)
            .and_then(|b| samples.get(&(b, e, k)));
        let cell = Cell::fold(xs, base.map(Vec::as_slice));
        let Some(point) = points.get_mut(p) else {
            continue;
        };
        let entities = &mut point.entities;
        if current != Some((p, e)) {
            let (kind, id) = &results.entities[e as usize];
            entities.push(EntitySummary {
                kind: *kind,
                id: id.clone(),
                metrics: Vec::new(),
            });
            current = Some((p, e));
        }
        if let Some(ent) = entities.last_mut() {
            ent.metrics.push((results.kpis[k as usize].clone(), cell));
        }
    }
    holm_families(&mut points);
    SweepSummary {
        points,
        invalid,
        baseline,
        pairing,
        replications: r,
        uncertainty: None,
    }
}

/// The invalid points of `plan` with their problems.
pub fn invalid_points(plan: &Plan) -> InvalidPoints {
    plan.points
        .iter()
        .filter_map(|p| {
            p.model
                .as_ref()
                .err()
                .map(|e| (p.index, e.problems.iter().map(|x| x.to_string()).collect()))
        })
        .collect()
}

/// Estimates `results` of `plan` per point, paired against its baseline.
pub fn estimate_plan(plan: &Plan, results: &Results) -> SweepSummary {
    let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
    let mut s = estimate_points(
        labels,
        invalid_points(plan),
        plan.baseline,
        plan.pairing.clone(),
        plan.replications,
        &canonical(results),
    );
    s.uncertainty = plan.uncertainty.clone();
    s
}
