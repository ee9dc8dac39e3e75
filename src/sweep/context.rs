//! Comparisons at equal context. A sweep axis is a *policy* (what a planner decides) or a
//! *context* (`role = "context"`: demand, year, a scenario variant — what the planner does not
//! decide). The baseline label picks the baseline's policy levels; for each combination of
//! context levels, the point with those policy levels and that context is the context's
//! baseline, and every other point of the context is compared with it. So at demand ×2 a policy
//! is compared with today's hours at demand ×2, not at ×1: the difference is the policy's.
//!
//! Without context axes there is one context and one baseline, as before.
//!
//! The comparisons of a sweep are tested together: for each entity × KPI the paired t-tests of
//! every point that has a baseline form one *family*, and their p-values are Holm-adjusted
//! ([`holm_families`]), so that the chance of any false "significant" in a family stays under 5 %.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::kpi::{EntityKind, PointEstimates, err};
use crate::stats::holm;

/// Which baseline each point of a sweep is compared with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pairing {
    /// Names of the context axes, in file order; empty when every axis is a policy.
    pub axes: Vec<String>,
    /// Per point (by index): its level on each context axis as (axis, level label).
    pub context: Vec<Vec<(String, String)>>,
    /// Per point: the baseline of its context (the point itself at a baseline); `None` in a
    /// sweep without a baseline.
    pub anchor: Vec<Option<usize>>,
}

/// The points of one context, in the order given, with the context's baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The context in words ("demand=x1.5"); empty without context axes.
    pub label: String,
    /// The baseline point of the context, if the sweep has a baseline.
    pub baseline: Option<usize>,
    /// Its points.
    pub members: Vec<usize>,
}

impl Pairing {
    /// One context: every one of the `n` points is compared with `baseline`.
    pub fn single(n: usize, baseline: Option<usize>) -> Pairing {
        Pairing {
            axes: Vec::new(),
            context: vec![Vec::new(); n],
            anchor: vec![baseline; n],
        }
    }

    /// True when the sweep has context axes.
    pub fn has_context(&self) -> bool {
        !self.axes.is_empty()
    }

    /// The point `p` is compared with: its context's baseline, unless `p` is that baseline.
    pub fn compared_with(&self, p: usize) -> Option<usize> {
        self.anchor.get(p).copied().flatten().filter(|&b| b != p)
    }

    /// True when `p` is the baseline of its context.
    pub fn is_baseline(&self, p: usize) -> bool {
        self.anchor.get(p).copied().flatten() == Some(p)
    }

    /// The context of point `p` in words, "demand=x1.5, year=2027" ("" without context axes).
    pub fn context_label(&self, p: usize) -> String {
        self.context.get(p).map_or(String::new(), |c| {
            c.iter()
                .map(|(a, l)| format!("{a}={l}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// The `points` grouped by context, groups in the order of their first point, points in the
    /// order given; each group with its baseline. Without context axes: one group of all.
    pub fn groups(&self, points: impl IntoIterator<Item = usize>) -> Vec<Group> {
        let mut out: Vec<Group> = Vec::new();
        for p in points {
            let label = self.context_label(p);
            match out.iter_mut().find(|g| g.label == label) {
                Some(g) => g.members.push(p),
                None => out.push(Group {
                    label,
                    baseline: self.anchor.get(p).copied().flatten(),
                    members: vec![p],
                }),
            }
        }
        out
    }

    /// Adds the context keys to a point's JSON entry (manifest, `summary.json`): `context`
    /// (axis → level) and `baseline` (the label of its context's baseline). Nothing without
    /// context axes, so those files stay as they were.
    pub(crate) fn annotate(&self, entry: &mut Value, p: usize, labels: &[String]) {
        if !self.has_context() {
            return;
        }
        let Some(o) = entry.as_object_mut() else {
            return;
        };
        let ctx: Map<String, Value> = self
            .context
            .get(p)
            .into_iter()
            .flatten()
            .map(|(a, l)| (a.clone(), json!(l)))
            .collect();
        o.insert("context".into(), Value::Object(ctx));
        let base = self.anchor.get(p).copied().flatten();
        o.insert(
            "baseline".into(),
            base.and_then(|b| labels.get(b))
                .map_or(Value::Null, |l| json!(l)),
        );
    }

    /// Reads the pairing of a manifest (`v`, read from `path`) whose points have `labels` and
    /// whose sweep-wide baseline is `baseline`: its `context_axes`, and each point's `context`
    /// and `baseline`; a manifest without `context_axes` has one context.
    pub(crate) fn from_manifest(
        v: &Value,
        labels: &[String],
        baseline: Option<usize>,
        path: &Path,
    ) -> Result<Pairing> {
        let Some(axes) = v.get("context_axes") else {
            return Ok(Pairing::single(labels.len(), baseline));
        };
        let axes: Vec<String> = axes
            .as_array()
            .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
            .ok_or_else(|| err(path, "\"context_axes\" must be a list of axis names"))?;
        let points = v.get("points").and_then(Value::as_array);
        let mut out = Pairing {
            axes,
            ..Pairing::default()
        };
        for (i, _) in labels.iter().enumerate() {
            let entry = points.and_then(|ps| ps.get(i));
            let ctx = entry.and_then(|e| e.get("context"));
            let context = out
                .axes
                .iter()
                .map(|a| {
                    let level = ctx.and_then(|c| c.get(a)).and_then(Value::as_str);
                    level.map(|l| (a.clone(), l.to_string())).ok_or_else(|| {
                        err(
                            path,
                            format!("point {i} lacks its level of context \"{a}\""),
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let anchor = match entry.and_then(|e| e.get("baseline")) {
                None | Some(Value::Null) => None,
                Some(Value::String(b)) => {
                    Some(labels.iter().position(|l| l == b).ok_or_else(|| {
                        err(
                            path,
                            format!("point {i}'s baseline \"{b}\" is no point's label"),
                        )
                    })?)
                }
                Some(_) => return Err(err(path, format!("point {i} has an invalid \"baseline\""))),
            };
            out.context.push(context);
            out.anchor.push(anchor);
        }
        Ok(out)
    }
}

/// Holm-adjusts the paired comparisons of a sweep, family by family: for each entity × KPI,
/// the differences of every point that has one (each against the baseline of its context). Sets
/// each difference's `p_holm` and makes it significant when that is below 5 %.
pub fn holm_families(points: &mut [PointEstimates]) {
    type Key<'a> = (EntityKind, &'a str, &'a str);
    // (point, entity, metric) of every difference, by family, in point order.
    let mut families: HashMap<Key, Vec<(usize, usize, usize)>> = HashMap::new();
    let mut order: Vec<Key> = Vec::new();
    for (pi, p) in points.iter().enumerate() {
        for (ei, e) in p.entities.iter().enumerate() {
            for (mi, (kpi, c)) in e.metrics.iter().enumerate() {
                if c.diff.is_none() {
                    continue;
                }
                let key = (e.kind, e.id.as_str(), kpi.as_str());
                families
                    .entry(key)
                    .or_insert_with(|| {
                        order.push(key);
                        Vec::new()
                    })
                    .push((pi, ei, mi));
            }
        }
    }
    let mut adjusted: Vec<((usize, usize, usize), f64)> = Vec::new();
    for key in order {
        let members = &families[&key];
        let ps: Vec<f64> = members
            .iter()
            .map(|&(p, e, m)| {
                points[p].entities[e].metrics[m]
                    .1
                    .diff
                    .map_or(f64::NAN, |d| d.p)
            })
            .collect();
        adjusted.extend(members.iter().copied().zip(holm(&ps)));
    }
    for ((p, e, m), q) in adjusted {
        if let Some(d) = &mut points[p].entities[e].metrics[m].1.diff {
            d.adjust(q);
        }
    }
}

/// The number of comparisons in the family of KPI `kpi` of the system (all vehicles): the points
/// whose difference on it could be tested.
pub fn family_size(points: &[PointEstimates], kpi: &str) -> usize {
    points
        .iter()
        .filter_map(|p| p.system()?.cell(kpi)?.diff)
        .filter(|d| !d.p.is_nan())
        .count()
}

/// The points of `pairing` as JSON entries get their context keys; see [`Pairing::annotate`].
pub(crate) fn manifest_keys(pairing: &Pairing, doc: &mut Value) {
    if !pairing.has_context() {
        return;
    }
    if let Some(o) = doc.as_object_mut() {
        o.insert("context_axes".into(), json!(pairing.axes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{Cell, EntitySummary};

    /// Two contexts (demand x1, x2) × two policies: points 0 = today x1, 1 = today x2,
    /// 2 = fast x1, 3 = fast x2; baseline "today".
    fn two_by_two() -> Pairing {
        let ctx = |l: &str| vec![("demand".to_string(), l.to_string())];
        Pairing {
            axes: vec!["demand".into()],
            context: vec![ctx("x1"), ctx("x2"), ctx("x1"), ctx("x2")],
            anchor: vec![Some(0), Some(1), Some(0), Some(1)],
        }
    }

    #[test]
    fn each_context_has_its_own_baseline() {
        let p = two_by_two();
        assert_eq!(
            (0..4).map(|i| p.compared_with(i)).collect::<Vec<_>>(),
            [None, None, Some(0), Some(1)]
        );
        assert!(p.is_baseline(0) && p.is_baseline(1) && !p.is_baseline(2));
        assert_eq!(p.context_label(3), "demand=x2");
        let g = p.groups([2, 0, 3, 1]);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].label.as_str(), g[0].baseline), ("demand=x1", Some(0)));
        assert_eq!(g[0].members, [2, 0]);
        assert_eq!((g[1].label.as_str(), g[1].baseline), ("demand=x2", Some(1)));
        assert_eq!(g[1].members, [3, 1]);
        let one = Pairing::single(3, Some(1));
        assert_eq!(one.groups(0..3).len(), 1);
        assert_eq!(
            (0..3).map(|i| one.compared_with(i)).collect::<Vec<_>>(),
            [Some(1), None, Some(1)]
        );
    }

    #[test]
    fn the_pairing_reads_back_from_the_manifest_keys() {
        let p = two_by_two();
        let labels: Vec<String> = ["t1", "t2", "f1", "f2"].map(String::from).to_vec();
        let mut doc = json!({ "points": [{}, {}, {}, {}] });
        manifest_keys(&p, &mut doc);
        for i in 0..4 {
            p.annotate(&mut doc["points"][i], i, &labels);
        }
        assert_eq!(doc["points"][3]["baseline"], "t2");
        assert_eq!(doc["points"][3]["context"]["demand"], "x2");
        let back = Pairing::from_manifest(&doc, &labels, Some(0), Path::new("m.json")).unwrap();
        assert_eq!(back, p);
        // Without context axes: one context, no keys written.
        let one = Pairing::single(4, Some(0));
        let mut plain = json!({ "points": [{}, {}, {}, {}] });
        manifest_keys(&one, &mut plain);
        one.annotate(&mut plain["points"][1], 1, &labels);
        assert_eq!(plain, json!({ "points": [{}, {}, {}, {}] }));
        let back = Pairing::from_manifest(&plain, &labels, Some(0), Path::new("m.json")).unwrap();
        assert_eq!(back, one);
    }

    fn point(index: usize, diffs: &[(&str, Option<[f64; 2]>)]) -> PointEstimates {
        PointEstimates {
            index,
            label: format!("p{index}"),
            entities: vec![EntitySummary {
                kind: EntityKind::System,
                id: "all".into(),
                metrics: diffs
                    .iter()
                    .map(|(k, d)| {
                        let mut c = Cell::fold(&[Some(1.0), Some(2.0)], None);
                        c.diff = d.map(|[mean, p]| crate::kpi::Diff {
                            mean,
                            ci95: 0.1,
                            significant: true,
                            n: 5,
                            p,
                            p_holm: p,
                        });
                        (k.to_string(), c)
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn holm_adjusts_each_entity_and_kpi_as_one_family() {
        // Wait: four comparisons with p = 0.01, 0.04, 0.03, 0.005 → 0.03, 0.06, 0.06, 0.02
        // (the worked example of stats::holm); served: one comparison, left as it is.
        let mut pts = vec![
            point(0, &[("wait_mean_h", None), ("served", None)]),
            point(
                1,
                &[
                    ("wait_mean_h", Some([1.0, 0.01])),
                    ("served", Some([2.0, 0.03])),
                ],
            ),
            point(2, &[("wait_mean_h", Some([1.0, 0.04]))]),
            point(3, &[("wait_mean_h", Some([1.0, 0.03]))]),
            point(4, &[("wait_mean_h", Some([1.0, 0.005]))]),
        ];
        holm_families(&mut pts);
        let d = |p: usize, k: &str| pts[p].system().unwrap().cell(k).unwrap().diff.unwrap();
        for (p, want, sig) in [
            (1, 0.03, true),
            (2, 0.06, false),
            (3, 0.06, false),
            (4, 0.02, true),
        ] {
            assert!(
                (d(p, "wait_mean_h").p_holm - want).abs() < 1e-15,
                "point {p}"
            );
            assert_eq!(d(p, "wait_mean_h").significant, sig, "point {p}");
        }
        assert_eq!(d(1, "served").p_holm, 0.03);
        assert!(d(1, "served").significant);
        assert_eq!(family_size(&pts, "wait_mean_h"), 4);
        assert_eq!(family_size(&pts, "served"), 1);
    }
}
