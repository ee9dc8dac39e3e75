//! Robustness to uncertain inputs: how each policy fares against the baseline over the input
//! sets of a sweep's `[[uncertain]]` inputs.
//!
//! The input sets are the context axis `draw`, the last dimension of the sweep, so the points
//! of one policy (at one level of the other context axes) are consecutive, one per draw, and
//! each is paired with the baseline policy at the same draw and the same replication seeds.
//! Per policy, other context, entity and KPI, over the draws:
//!
//! - **outcome per draw**: *win* when the paired difference of replication means (policy −
//!   baseline) is on the better side of 0 — below for KPIs where lower is better (waits, queues,
//!   backlogs), above where higher is better (served, throughput) — and significant by the
//!   paired t-test over the replications (two-sided, 5 %; with one replication there is no
//!   test and the sign decides); *lose* when significant the other way; *unclear* otherwise; a
//!   difference of exactly 0 is a *tie* and does not win. A draw where the entity (for the
//!   system: the whole point; for a flow, class or crossing row: as `kpi::overload` judges it,
//!   through the nodes its vehicles pass) is overloaded at the policy or at the baseline is
//!   *overloaded*: its waits grow
//!   with the run, so its difference is not a measurement and is left out of every statistic
//!   below. A draw whose point is invalid or lacks the value is *missing*.
//! - **share of wins** over the measured draws; **effect**: median and 5–95 % range (type-7
//!   quantiles) of the measured differences;
//! - **which input moves the effect**: Spearman's rank correlation of each input's drawn value
//!   with the effect over the measured draws; the input with the largest |ρ| is the driver.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::lhs::{quantile, spearman};
use super::pairing::SweepSummary;
use super::plan::{DRAW_AXIS, Input, Uncertainty};
use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::kpi::{EntityKind, EntitySummary, PointEstimates, judge_in, judge_point};

/// The KPIs the text and HTML reports show for the system and each checkpoint.
pub const HEADLINE_KPIS: [&str; 2] = ["wait_mean_h", "served_per_day"];

/// Which way a KPI is better: `Some(true)` when higher is better (served, throughput),
/// `Some(false)` when lower is (waits, times, queues, backlogs), `None` for KPIs without a
/// better side (arrivals, utilisation, staff hours, overload flags) or per hour or year.
pub fn higher_is_better(kpi: &str) -> Option<bool> {
    if kpi.contains('.') {
        return None;
    }
    const HIGHER: [&str; 11] = [
        "served",
        "served_per_day",
        "tonnes_per_day",
        "wagons_per_day",
        "containers_per_day",
        "teu_per_day",
        "departures_per_day",
        "trucks_per_day",
        "trains_per_day",
        "barges_per_day",
        "value_per_day_usd",
    ];
    const LOWER_PREFIX: [&str; 8] = [
        "wait_",
        "time_in_system_",
        "crossing_",
        "path_wait_",
        "queue_",
        "blocked_",
        "backlog_",
        "travel_",
    ];
    const LOWER: [&str; 6] = [
        "waited_share",
        "in_system_mean",
        "held_outside",
        "over_limit",
        "quota_days_exhausted",
        "overtime_lane_hours_per_day",
    ];
    if HIGHER.contains(&kpi) {
        Some(true)
    } else if kpi == "backlog_growth_per_day" {
        None
    } else if LOWER.contains(&kpi) || LOWER_PREFIX.iter().any(|p| kpi.starts_with(p)) {
        Some(false)
    } else {
        None
    }
}

/// What one draw shows for a policy against the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Better than the baseline: significantly (paired t-test over the replications, two-sided,
    /// 5 %), or on the better side with a single replication (no test).
    Win,
    /// Worse than the baseline, in the same sense.
    Lose,
    /// Exactly equal: not a win.
    Tie,
    /// A difference the replications cannot tell from 0 (p ≥ 5 %): neither a win nor a loss.
    Unclear,
    /// Overloaded at the policy or the baseline: not measured.
    Overloaded,
    /// Invalid point or no value.
    Missing,
}

/// One policy × other context × entity × KPI over the draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The policy: its points' label without the draw ("policy=all-road-24x7").
    pub policy: String,
    /// The levels of the other context axes ("demand=x1.5"), "" without any.
    pub context: String,
    /// The baseline it is compared with, without the draw.
    pub baseline: String,
    /// Entity kind ("system", "checkpoint", …).
    pub entity_kind: String,
    /// Entity id.
    pub entity: String,
    /// KPI name.
    pub kpi: String,
    /// "lower" or "higher": which side of the baseline wins.
    pub better: String,
    /// Input sets.
    pub draws: usize,
    /// Draws with a measured effect (neither side overloaded, both values there).
    pub measured: usize,
    /// Measured draws where the policy is better.
    pub wins: usize,
    /// `wins / measured` (null when nothing was measured).
    pub win_share: Option<f64>,
    /// Measured draws where the policy is significantly worse.
    #[serde(default)]
    pub losses: usize,
    /// Measured draws whose difference is not significant (nor exactly 0).
    #[serde(default)]
    pub unclear: usize,
    /// Draws overloaded at the policy or the baseline (not measured).
    pub overloaded: usize,
    /// Draws overloaded at the policy.
    pub overloaded_policy: usize,
    /// Draws overloaded at the baseline.
    pub overloaded_baseline: usize,
    /// Draws without a value (invalid point, statistic missing).
    pub missing: usize,
    /// Median effect (policy − baseline, in the KPI's unit) over the measured draws.
    pub effect_median: Option<f64>,
    /// 5 % quantile of the effect.
    pub effect_p05: Option<f64>,
    /// 95 % quantile of the effect.
    pub effect_p95: Option<f64>,
    /// Spearman's ρ of each input (in input order) with the effect; null where undefined.
    pub spearman: Vec<Option<f64>>,
    /// The input with the largest |ρ|.
    pub driver: Option<String>,
    /// Its ρ.
    pub driver_spearman: Option<f64>,
    /// Per draw: the outcome.
    pub outcomes: Vec<Outcome>,
    /// Per draw: the effect where measured.
    pub effects: Vec<Option<f64>>,
}

impl Row {
    /// True when higher values of the KPI are better.
    pub fn higher_better(&self) -> bool {
        self.better == "higher"
    }
}

/// The robustness of every policy of a sweep with uncertain inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// Input sets drawn.
    pub draws: usize,
    /// Seed of the Latin hypercube.
    pub seed: u64,
    /// The uncertain inputs.
    pub inputs: Vec<Input>,
    /// `values[d][j]`: input `j` in draw d + 1, in its unit.
    pub values: Vec<Vec<f64>>,
    /// One row per policy × other context × entity × KPI with a better side.
    pub results: Vec<Row>,
}

impl Robustness {
    /// The row of `kpi` of entity (`kind`, `id`) for `policy` in `context`.
    pub fn row(
        &self,
        policy: &str,
        context: &str,
        kind: &str,
        id: &str,
        kpi: &str,
    ) -> Option<&Row> {
        self.results.iter().find(|r| {
            r.policy == policy
                && r.context == context
                && r.entity_kind == kind
                && r.entity == id
                && r.kpi == kpi
        })
    }

    /// The (policy, context, baseline) compared, in sweep order.
    pub fn comparisons(&self) -> Vec<(&str, &str, &str)> {
        let mut out: Vec<(&str, &str, &str)> = Vec::new();
        for r in &self.results {
            let key = (r.policy.as_str(), r.context.as_str(), r.baseline.as_str());
            if !out.contains(&key) {
                out.push(key);
            }
        }
        out
    }
}

/// A point's label without its draw (`policy=x, draw=3` → `policy=x`).
pub fn without_draw(label: &str) -> &str {
    let tail = format!("{DRAW_AXIS}=");
    match label.rfind(&tail) {
        Some(0) => "",
        Some(i) => label[..i].trim_end_matches(", "),
        None => label,
    }
}

/// Whether entity `e` is overloaded at point `p`: its own judgement (the whole point's for the
/// system), or the point's for results written before flows, classes and crossing rows were
/// judged.
fn overloaded(p: &PointEstimates, e: &EntitySummary) -> bool {
    judge_in(p, e)
        .or_else(|| judge_point(p))
        .is_some_and(|j| j.overloaded)
}

/// The robustness of the policies of `s`, if it has uncertain inputs.
pub fn robustness(s: &SweepSummary) -> Option<Robustness> {
    let u = s.uncertainty.as_ref()?;
    let n = u.draws;
    if n == 0 || !s.points.len().is_multiple_of(n) {
        return None;
    }
    let mut results = Vec::new();
    for cell in 0..s.points.len() / n {
        let members: Vec<usize> = (cell * n..(cell + 1) * n).collect();
        // Baseline cells compare with nothing; a sweep without a baseline has no comparisons.
        let Some(&first) = members
            .iter()
            .find(|&&p| s.pairing.compared_with(p).is_some())
        else {
            continue;
        };
        let base = s.pairing.compared_with(first).unwrap_or(first);
        let context = s.pairing.context.get(first).map_or(String::new(), |c| {
            c.iter()
                .filter(|(a, _)| a != DRAW_AXIS)
                .map(|(a, l)| format!("{a}={l}"))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let head = Row {
            policy: without_draw(&s.points[first].label).to_string(),
            context,
            baseline: without_draw(&s.points[base].label).to_string(),
            entity_kind: String::new(),
            entity: String::new(),
            kpi: String::new(),
            better: String::new(),
            draws: n,
            measured: 0,
            wins: 0,
            win_share: None,
            losses: 0,
            unclear: 0,
            overloaded: 0,
            overloaded_policy: 0,
            overloaded_baseline: 0,
            missing: 0,
            effect_median: None,
            effect_p05: None,
            effect_p95: None,
            spearman: Vec::new(),
            driver: None,
            driver_spearman: None,
            outcomes: Vec::new(),
            effects: Vec::new(),
        };
        // Entities and KPIs in the order of the cell's first point that has results.
        let Some(model) = members
            .iter()
            .map(|&p| &s.points[p])
            .find(|p| !p.entities.is_empty())
        else {
            continue;
        };
        for e in &model.entities {
            for (kpi, _) in &e.metrics {
                let Some(higher) = higher_is_better(kpi) else {
                    continue;
                };
                let row = row(s, u, &members, &head, e.kind, &e.id, kpi, higher);
                if row.measured + row.overloaded > 0 {
                    results.push(row);
                }
            }
        }
    }
    Some(Robustness {
        draws: n,
        seed: u.seed,
        inputs: u.inputs.clone(),
        values: u.values.clone(),
        results,
    })
}

/// The row of KPI `kpi` of entity (`kind`, `id`) over the draws `members` of one policy.
#[allow(clippy::too_many_arguments)]
fn row(
    s: &SweepSummary,
    u: &Uncertainty,
    members: &[usize],
    head: &Row,
    kind: EntityKind,
    id: &str,
    kpi: &str,
    higher: bool,
) -> Row {
    let mut r = Row {
        entity_kind: kind.as_str().to_string(),
        entity: id.to_string(),
        kpi: kpi.to_string(),
        better: if higher { "higher" } else { "lower" }.to_string(),
        ..head.clone()
    };
    for &p in members {
        let base = s.pairing.compared_with(p);
        let pe = &s.points[p];
        let sides = base.and_then(|b| {
            let be = &s.points[b];
            Some((pe, pe.entity(kind, id)?, be, be.entity(kind, id)?))
        });
        let invalid = s.invalid.iter().any(|(i, _)| *i == p);
        let (outcome, effect) = match sides {
            Some((pp, pent, bp, bent)) if !invalid => {
                let (op, ob) = (overloaded(pp, pent), overloaded(bp, bent));
                r.overloaded_policy += usize::from(op);
                r.overloaded_baseline += usize::from(ob);
                let d = pent
                    .cell(kpi)
                    .and_then(|c| c.diff)
                    .filter(|d| d.mean.is_finite());
                match d {
                    _ if op || ob => (Outcome::Overloaded, None),
                    None => (Outcome::Missing, None),
                    Some(d) => (judge(d.mean, d.p, higher), Some(d.mean)),
                }
            }
            _ => (Outcome::Missing, None),
        };
        match outcome {
            Outcome::Overloaded => r.overloaded += 1,
            Outcome::Missing => r.missing += 1,
            Outcome::Win => r.wins += 1,
            Outcome::Lose => r.losses += 1,
            Outcome::Unclear => r.unclear += 1,
            Outcome::Tie => {}
        }
        r.outcomes.push(outcome);
        r.effects.push(effect);
    }
    let measured: Vec<(usize, f64)> = r
        .effects
        .iter()
        .enumerate()
        .filter_map(|(d, e)| e.map(|e| (d, e)))
        .collect();
    r.measured = measured.len();
    r.win_share = (r.measured > 0).then(|| r.wins as f64 / r.measured as f64);
    let effects: Vec<f64> = measured.iter().map(|&(_, e)| e).collect();
    r.effect_median = quantile(&effects, 0.5);
    r.effect_p05 = quantile(&effects, 0.05);
    r.effect_p95 = quantile(&effects, 0.95);
    r.spearman = (0..u.inputs.len())
        .map(|j| {
            let xs: Vec<f64> = measured.iter().map(|&(d, _)| u.values[d][j]).collect();
            spearman(&xs, &effects)
        })
        .collect();
    // The first input of largest |ρ| (ties keep file order).
    let driver = r
        .spearman
        .iter()
        .enumerate()
        .filter_map(|(j, rho)| rho.map(|x| (j, x)))
        .fold(None, |best: Option<(usize, f64)>, (j, x)| match best {
            Some((_, b)) if b.abs() >= x.abs() => best,
            _ => Some((j, x)),
        });
    r.driver = driver.map(|(j, _)| u.inputs[j].name.clone());
    r.driver_spearman = driver.map(|(_, x)| x);
    r
}

/// Significance level of a draw's paired t-test (two-sided).
pub const ALPHA: f64 = 0.05;

/// The outcome of one draw whose paired difference has mean `d` and two-sided paired t-test
/// p-value `p` (NaN with one replication: no test, the sign decides): a tie at exactly 0, a
/// win or loss when significant (a difference without spread is, p = 0), else unclear.
fn judge(d: f64, p: f64, higher: bool) -> Outcome {
    let gain = if higher { d } else { -d };
    if gain == 0.0 {
        Outcome::Tie
    } else if p.is_nan() || p < ALPHA {
        if gain > 0.0 {
            Outcome::Win
        } else {
            Outcome::Lose
        }
    } else {
        Outcome::Unclear
    }
}

/// The `uncertainty` key of the manifest: the inputs, the seed and the drawn values, with the
/// values as they were set (`applied`, for people).
pub(crate) fn manifest_json(u: &Uncertainty) -> Value {
    let mut v = serde_json::to_value(u).unwrap_or(Value::Null);
    let applied: Vec<Vec<String>> = u
        .values
        .iter()
        .map(|row| u.inputs.iter().zip(row).map(|(i, &x)| i.text(x)).collect())
        .collect();
    v["applied"] = json!(applied);
    v
}

/// A value as written in the CSV files: empty when missing.
fn f(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map_or(String::new(), |x| x.to_string())
}

/// Writes `robustness.csv` (one line per row of `r`) and `draws.csv` (the input sets) into
/// `dir`.
pub fn write_csv(dir: &Path, r: &Robustness) -> Result<()> {
    let path = dir.join("robustness.csv");
    let mut w = csv::Writer::from_writer(Vec::new());
    let res: csv::Result<()> = (|| {
        let mut header: Vec<String> = [
            "policy",
            "context",
            "baseline",
            "entity_kind",
            "entity",
            "kpi",
            "better",
            "draws",
            "measured",
            "wins",
            "win_share",
            "losses",
            "unclear",
            "overloaded",
            "overloaded_policy",
            "overloaded_baseline",
            "missing",
            "effect_median",
            "effect_p05",
            "effect_p95",
            "driver",
            "driver_spearman",
        ]
        .map(String::from)
        .to_vec();
        header.extend(r.inputs.iter().map(|i| format!("spearman[{}]", i.name)));
        w.write_record(&header)?;
        for row in &r.results {
            let mut rec = vec![
                row.policy.clone(),
                row.context.clone(),
                row.baseline.clone(),
                row.entity_kind.clone(),
                row.entity.clone(),
                row.kpi.clone(),
                row.better.clone(),
                row.draws.to_string(),
                row.measured.to_string(),
                row.wins.to_string(),
                f(row.win_share),
                row.losses.to_string(),
                row.unclear.to_string(),
                row.overloaded.to_string(),
                row.overloaded_policy.to_string(),
                row.overloaded_baseline.to_string(),
                row.missing.to_string(),
                f(row.effect_median),
                f(row.effect_p05),
                f(row.effect_p95),
                row.driver.clone().unwrap_or_default(),
                f(row.driver_spearman),
            ];
            rec.extend(row.spearman.iter().map(|x| f(*x)));
            w.write_record(&rec)?;
        }
        w.flush().map_err(csv::Error::from)
    })();
    res.map_err(|e| Error::io("cannot write", &path, e))?;
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Failed(format!("cannot write robustness.csv: {e}")))?;
    write_atomic(&path, &bytes)?;

    let mut text = String::from("draw");
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for i in &r.inputs {
        text += &format!(",{}", quote(&i.name));
    }
    text.push('\n');
    for (d, row) in r.values.iter().enumerate() {
        text += &(d + 1).to_string();
        for (i, &x) in r.inputs.iter().zip(row) {
            text += &format!(",{}", quote(&i.text(x)));
        }
        text.push('\n');
    }
    write_atomic(&dir.join("draws.csv"), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draw_wins_only_where_its_difference_is_significant() {
        use crate::stats::paired_p;
        // Waits (lower is better). −0.06 h over 5 replications with sd 0.2: t = −0.67, p ≈ 0.54.
        let p = paired_p(-0.06, 0.2, 5);
        assert!((0.5..0.6).contains(&p), "{p}");
        assert_eq!(judge(-0.06, p, false), Outcome::Unclear);
        // −0.5 h with the same spread: t = −5.59, p ≈ 0.005 — a win; +0.5 h a loss.
        assert_eq!(judge(-0.5, paired_p(-0.5, 0.2, 5), false), Outcome::Win);
        assert_eq!(judge(0.5, paired_p(0.5, 0.2, 5), false), Outcome::Lose);
        // Deterministic services: no spread, any difference is certain (p = 0).
        assert_eq!(judge(0.06, paired_p(0.06, 0.0, 3), true), Outcome::Win);
        // One replication: no test, the sign decides; exactly 0 is a tie either way.
        assert_eq!(judge(0.06, paired_p(0.06, 0.0, 1), true), Outcome::Win);
        assert_eq!(judge(-0.06, f64::NAN, true), Outcome::Lose);
        assert_eq!(judge(0.0, 1.0, true), Outcome::Tie);
    }

    #[test]
    fn a_label_loses_its_draw() {
        assert_eq!(without_draw("policy=x, draw=3"), "policy=x");
        assert_eq!(
            without_draw("policy=x, demand=x2, draw=17"),
            "policy=x, demand=x2"
        );
        assert_eq!(without_draw("policy=x"), "policy=x");
    }

    #[test]
    fn kpis_have_the_better_side_a_planner_expects() {
        for k in [
            "wait_mean_h",
            "wait_p95_h",
            "queue_km_max",
            "backlog_end",
            "time_in_system_mean_h",
        ] {
            assert_eq!(higher_is_better(k), Some(false), "{k}");
        }
        for k in ["served_per_day", "teu_per_day", "trucks_per_day", "served"] {
            assert_eq!(higher_is_better(k), Some(true), "{k}");
        }
        for k in [
            "arrivals",
            "utilization",
            "overload",
            "backlog_growth_per_day",
            "wait_by_hour_h.07",
            "y2027.served_per_day",
        ] {
            assert_eq!(higher_is_better(k), None, "{k}");
        }
    }
}
