//! The estimates of one point as JSON (the `results` object of a sweep's `summary.json`: kind →
//! id → KPI → `{ n, mean, sd, ci95, diff? }`), written and read back side by side. A KPI that no
//! replication had (n = 0) keeps its key, with `null` for mean, sd and ci95.

use serde_json::{Map, Value, json};

use super::catalog::EntityKind;
use super::estimate::{Cell, Diff, EntitySummary, PointEstimates};
use crate::stats::Estimate;

/// A number as JSON; JSON has no NaN or infinity, so those become `null` (never invalid JSON).
pub(crate) fn json_num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// The `results` object of point `p`: entities grouped by kind (kinds in order of their first
/// entity), each KPI with its estimate and, when there is one, the paired difference.
pub fn results_json(p: &PointEstimates) -> Value {
    let mut by_kind: Map<String, Value> = Map::new();
    for e in &p.entities {
        let ent = by_kind
            .entry(e.kind.as_str().to_string())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("object")
            .entry(e.id.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        for (name, c) in &e.metrics {
            let mut cell = json!({
                "n": c.estimate.n,
                "mean": json_num(c.estimate.mean),
                "sd": json_num(c.estimate.sd),
                "ci95": json_num(c.estimate.ci95),
            });
            if let Some(d) = c.diff {
                cell["diff"] = json!({
                    "mean": json_num(d.mean),
                    "ci95": json_num(d.ci95),
                    "significant": d.significant,
                    "n": d.n,
                    "p": json_num(d.p),
                    "p_holm": json_num(d.p_holm),
                });
            }
            if let Some(o) = ent.as_object_mut() {
                o.insert(name.clone(), cell);
            }
        }
        if let (Some(j), Some(o)) = (super::judge_in(p, e), ent.as_object_mut()) {
            o.insert("overloaded".into(), json!(j.overloaded));
            o.insert("overload_reasons".into(), json!(j.reasons));
        }
    }
    Value::Object(by_kind)
}

/// Reads a `results` object (as from [`results_json`]) back into the estimates of point `index`
/// labelled `label`, run with `replications` replications. Lenient, like a reader of older files
/// should be: unknown kinds and KPIs without a mean (unless `n` is 0: a missing estimate) are
/// left out, a missing `ci95` or `sd` reads as 0, a missing `n` as `replications`, a difference
/// lacking a field as none (lacking only `n`: over `replications` pairs; lacking `p` or
/// `p_holm`: NaN).
pub fn read_results(
    index: usize,
    label: &str,
    replications: usize,
    results: &Value,
) -> PointEstimates {
    let mut out = PointEstimates {
        index,
        label: label.to_string(),
        entities: Vec::new(),
    };
    let Some(kinds) = results.as_object() else {
        return out;
    };
    for (kind, ids) in kinds {
        let (Some(kind), Some(ids)) = (EntityKind::parse(kind), ids.as_object()) else {
            continue;
        };
        for (id, kpis) in ids {
            let Some(kpis) = kpis.as_object() else {
                continue;
            };
            let f = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
            let metrics = kpis
                .iter()
                .filter_map(|(name, c)| {
                    let count = |v: &Value| {
                        v.get("n")
                            .and_then(Value::as_u64)
                            .map_or(replications, |n| n as usize)
                    };
                    let diff = c.get("diff").and_then(|d| {
                        Some(Diff {
                            mean: f(d, "mean")?,
                            ci95: f(d, "ci95")?,
                            significant: d.get("significant")?.as_bool()?,
                            n: count(d),
                            p: f(d, "p").unwrap_or(f64::NAN),
                            p_holm: f(d, "p_holm").unwrap_or(f64::NAN),
                        })
                    });
                    let n = count(c);
                    let estimate = match f(c, "mean") {
                        Some(mean) => Estimate {
                            mean,
                            ci95: f(c, "ci95").unwrap_or(0.0),
                            sd: f(c, "sd").unwrap_or(0.0),
                            n,
                        },
                        None if n == 0 => Estimate::MISSING,
                        None => return None,
                    };
                    Some((name.clone(), Cell { estimate, diff }))
                })
                .collect();
            out.entities.push(EntitySummary {
                kind,
                id: id.clone(),
                metrics,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(mean: f64, diff: Option<Diff>) -> Cell {
        Cell {
            estimate: Estimate {
                mean,
                ci95: 0.25,
                sd: 0.5,
                n: 3,
            },
            diff,
        }
    }

    #[test]
    fn results_read_back_are_the_results_written() {
        let diff = Diff {
            mean: -1.5,
            ci95: 0.125,
            significant: true,
            n: 3,
            p: 0.0078125,
            p_holm: 0.015625,
        };
        let p = PointEstimates {
            index: 2,
            label: "policy=24x7".into(),
            entities: vec![
                EntitySummary {
                    kind: EntityKind::System,
                    id: "all".into(),
                    metrics: vec![
                        ("served".into(), cell(12.0, Some(diff))),
                        ("wait_mean_h".into(), cell(0.375, None)),
                    ],
                },
                EntitySummary {
                    kind: EntityKind::Stage,
                    id: "nur-zholy/kz-exit".into(),
                    metrics: vec![("utilization".into(), cell(2.5, None))],
                },
            ],
        };
        let text = serde_json::to_string(&results_json(&p)).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read_results(2, "policy=24x7", 3, &back), p);
    }

    #[test]
    fn a_missing_estimate_is_written_null_and_read_back_missing() {
        let p = PointEstimates {
            index: 0,
            label: "p".into(),
            entities: vec![EntitySummary {
                kind: EntityKind::Flow,
                id: "f".into(),
                metrics: vec![("wait_mean_h".into(), Cell::fold(&[None, None], None))],
            }],
        };
        let json = results_json(&p);
        let cell = &json["flow"]["f"]["wait_mean_h"];
        assert_eq!(cell["n"], 0);
        assert!(cell["mean"].is_null() && cell["ci95"].is_null() && cell["sd"].is_null());
        let back = read_results(0, "p", 2, &json);
        let e = back
            .cell(EntityKind::Flow, "f", "wait_mean_h")
            .unwrap()
            .estimate;
        assert_eq!((e.n, e.value()), (0, None));
    }
}
