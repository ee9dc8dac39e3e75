//! The JSON document of a run (`run --json`): the key names of the README contract, plus
//! stages, classes, warnings and the assumptions simulated. Each estimate says how many replications stand behind it (`n`:
//! those where the statistic exists); one that no replication had is `null`.

use serde_json::{Map, Value, json};

use crate::kpi::{
    EntityKind, EntitySummary, HOUR_PREFIX, PointEstimates, Summary, json_num, judge_in,
};
use crate::stats::Estimate;

fn estimate(e: &Estimate) -> Value {
    json!({ "mean": json_num(e.mean), "ci95": json_num(e.ci95), "n": e.n })
}

/// An entity's KPIs as `{ "mean", "ci95", "n" }` each, then its hour-of-day waits as one array
/// (`null` for an hour without arrivals) with the replications behind each hour, and where it is
/// judged its `overloaded` and `overload_reasons`.
fn entity(p: &PointEstimates, e: &EntitySummary) -> Value {
    let mut m = Map::new();
    for (name, c) in &e.metrics {
        if !name.starts_with(HOUR_PREFIX) {
            m.insert(name.clone(), estimate(&c.estimate));
        }
    }
    let by_hour = e.wait_by_hour();
    m.insert(
        "wait_by_hour_h".into(),
        Value::Array(
            by_hour
                .iter()
                .map(|x| x.map_or(Value::Null, |e| json_num(e.mean)))
                .collect(),
        ),
    );
    m.insert(
        "wait_by_hour_n".into(),
        Value::Array(
            by_hour
                .iter()
                .map(|x| json!(x.map_or(0, |e| e.n)))
                .collect(),
        ),
    );
    if let Some(j) = judge_in(p, e) {
        m.insert("overloaded".into(), json!(j.overloaded));
        m.insert("overload_reasons".into(), json!(j.reasons));
    }
    Value::Object(m)
}

fn group(p: &PointEstimates, es: &[&EntitySummary]) -> Value {
    Value::Object(es.iter().map(|e| (e.id.clone(), entity(p, e))).collect())
}

/// The `run --json` document (keys of the contract plus stages, classes, warnings).
pub fn to_json(s: &Summary) -> Value {
    let no_system = EntitySummary {
        kind: EntityKind::System,
        id: "all".into(),
        metrics: Vec::new(),
    };
    let p = &s.point;
    json!({
        "scenario": s.scenario,
        "seed": s.seed,
        "replications": s.replications,
        "days": s.days,
        "warmup_days": s.warmup_days,
        "events": s.events,
        "wall_s": json_num(s.wall_s),
        "system": entity(p, s.system().unwrap_or(&no_system)),
        "checkpoints": group(p, &s.checkpoints()),
        "links": group(p, &s.links()),
        "terminals": group(p, &s.terminals()),
        "stages": group(p, &s.stages()),
        "flows": group(p, &s.flows()),
        "classes": group(p, &s.classes()),
        "crossings": super::crossings::json(s),
        "warnings": s.warnings,
        "assumptions": serde_json::to_value(&s.assumptions).unwrap_or(Value::Null),
    })
}
