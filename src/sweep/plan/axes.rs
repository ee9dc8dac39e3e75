//! Policies, axes and zip groups: each axis becomes a list of labelled levels (the changes it
//! makes), and the axes become the dimensions of the sweep — a zip group is one dimension.

use std::collections::{BTreeMap, HashSet};

use crate::scenario::{Checker, FieldPath};

use super::base::Base;
use super::paths::{check_fits, check_matches};
use super::raw::{RawAxis, RawPolicy};
use super::{Assignment, Dimension, Level, Role};

/// The changes of every policy, by label; each change is checked against the base.
pub(super) fn policies(
    ck: &mut Checker,
    raw: &[RawPolicy],
    base: &Base,
) -> BTreeMap<String, Vec<Assignment>> {
    let mut policies = BTreeMap::new();
    for (i, p) in raw.iter().enumerate() {
        let pp = FieldPath::default().key("policies").index(i);
        if p.label.trim().is_empty() {
            ck.report(&pp.key("label"), "must not be empty");
        }
        let mut changes = Vec::new();
        for (path, value) in &p.set {
            let vp = pp.key("set").key(path);
            if check_matches(ck, &vp, &base.table, &base.file, path, value) {
                check_fits(ck, &vp, &base.table, &base.file, path, value);
            }
            changes.push(Assignment {
                path: path.clone(),
                value: value.clone(),
                at: vp,
            });
        }
        if policies.insert(p.label.clone(), changes).is_some() {
            ck.report(
                &pp.key("label"),
                format!("duplicate policy label \"{}\"", p.label),
            );
        }
    }
    policies
}

/// One axis, checked: its name, its zip group and its levels in order.
pub(super) struct Axis {
    /// `name`, else the path, else "policy".
    pub(super) name: String,
    /// The zip group it moves with, if any.
    pub(super) zip: Option<String>,
    /// A policy or a context.
    pub(super) role: Role,
    /// Its positions.
    pub(super) levels: Vec<Level>,
}

/// Every axis in file order; names and the labels within an axis must be unique.
pub(super) fn axes(
    ck: &mut Checker,
    raw: &[RawAxis],
    policies: &BTreeMap<String, Vec<Assignment>>,
    base: &Base,
) -> Vec<Axis> {
    let root = FieldPath::default();
    let mut axes: Vec<Axis> = Vec::new();
    if raw.is_empty() {
        ck.report(
            &root.key("axes"),
            "a sweep needs at least one [[axes]] entry",
        );
    }
    for (ai, a) in raw.iter().enumerate() {
        let ap = root.key("axes").index(ai);
        let levels = match (&a.path, &a.values, &a.policies) {
            (Some(path), Some(values), None) => value_levels(ck, &ap, a, path, values, base),
            (None, None, Some(names)) => policy_levels(ck, &ap, a, names, policies),
            _ => {
                ck.report(
                    &ap,
                    "an axis needs either `path` and `values`, or `policies`",
                );
                Vec::new()
            }
        };
        let name = a
            .name
            .clone()
            .unwrap_or_else(|| match (&a.path, &a.policies) {
                (Some(p), _) => p.clone(),
                _ => "policy".into(),
            });
        if axes.iter().any(|x| x.name == name) {
            ck.report(&ap.key("name"), format!("duplicate axis name \"{name}\""));
        }
        let mut seen = HashSet::new();
        for l in &levels {
            if !seen.insert(l.label.clone()) {
                ck.report(
                    &ap,
                    format!(
                        "two values of axis \"{name}\" have the label \"{}\"",
                        l.label
                    ),
                );
            }
        }
        let role = match a.role.as_deref() {
            None | Some("policy") => Role::Policy,
            Some("context") => Role::Context,
            Some(other) => {
                ck.report(
                    &ap.key("role"),
                    format!(
                        "unknown role \"{other}\": an axis is a \"policy\" (the default) or a \"context\""
                    ),
                );
                Role::Policy
            }
        };
        axes.push(Axis {
            name,
            zip: a.zip.clone(),
            role,
            levels,
        });
    }
    axes
}

/// The levels of a value axis (at `ap`): one per value, each setting `path`, labelled by
/// `labels` or by the value itself.
fn value_levels(
    ck: &mut Checker,
    ap: &FieldPath,
    a: &RawAxis,
    path: &str,
    values: &[toml::Value],
    base: &Base,
) -> Vec<Level> {
    if values.is_empty() {
        ck.report(&ap.key("values"), "an axis needs at least one value");
    }
    if let Some(labels) = &a.labels
        && labels.len() != values.len()
    {
        ck.report(
            &ap.key("labels"),
            format!("{} labels for {} values", labels.len(), values.len()),
        );
    }
    if let Some(first) = values.first() {
        check_matches(ck, &ap.key("path"), &base.table, &base.file, path, first);
    }
    let mut levels = Vec::new();
    for (vi, v) in values.iter().enumerate() {
        check_fits(
            ck,
            &ap.key("values").index(vi),
            &base.table,
            &base.file,
            path,
            v,
        );
        let label = a
            .labels
            .as_ref()
            .and_then(|l| l.get(vi).cloned())
            .unwrap_or_else(|| value_label(v));
        levels.push(Level {
            label,
            changes: vec![Assignment {
                path: path.to_string(),
                value: v.clone(),
                at: ap.key("values").index(vi),
            }],
        });
    }
    levels
}

/// The levels of a policy axis (at `ap`): one per named policy; "today" and "baseline" need no
/// definition and change nothing.
fn policy_levels(
    ck: &mut Checker,
    ap: &FieldPath,
    a: &RawAxis,
    names: &[String],
    policies: &BTreeMap<String, Vec<Assignment>>,
) -> Vec<Level> {
    if names.is_empty() {
        ck.report(&ap.key("policies"), "an axis needs at least one policy");
    }
    if a.labels.is_some() {
        ck.report(
            &ap.key("labels"),
            "a policy axis is labelled by its policies",
        );
    }
    let mut levels = Vec::new();
    for (pi, n) in names.iter().enumerate() {
        match policies.get(n) {
            Some(changes) => levels.push(Level {
                label: n.clone(),
                changes: changes.clone(),
            }),
            None if n == "today" || n == "baseline" => levels.push(Level {
                label: n.clone(),
                changes: Vec::new(),
            }),
            None => ck.report(
                &ap.key("policies").index(pi),
                format!(
                    "unknown policy \"{n}\" (defined: {}; \"today\" means no change)",
                    policies.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
    levels
}

/// A short label for a value: strings bare, numbers as written, tables in inline TOML.
fn value_label(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The dimensions of the sweep: one per axis, except that the axes of a zip group share one, at
/// the position of the group's first axis, and must have as many levels as it.
pub(super) fn dimensions(ck: &mut Checker, axes: Vec<Axis>) -> Vec<Dimension> {
    let alone = |name: String, levels: Vec<Level>, role: Role| Dimension {
        names: vec![name],
        levels: levels.into_iter().map(|l| vec![l]).collect(),
        role,
    };
    let mut dims: Vec<Dimension> = Vec::new();
    let mut zip_dim: BTreeMap<String, usize> = BTreeMap::new();
    for (ai, axis) in axes.into_iter().enumerate() {
        let Some(z) = axis.zip else {
            dims.push(alone(axis.name, axis.levels, axis.role));
            continue;
        };
        let Some(&d) = zip_dim.get(&z) else {
            zip_dim.insert(z, dims.len());
            dims.push(alone(axis.name, axis.levels, axis.role));
            continue;
        };
        let dim = &mut dims[d];
        if dim.levels.len() != axis.levels.len() {
            ck.report(
                &FieldPath::default().key("axes").index(ai).key("zip"),
                format!(
                    "axes zipped in \"{z}\" must have the same number of values ({} vs {})",
                    dim.levels.len(),
                    axis.levels.len()
                ),
            );
            continue;
        }
        if dim.role != axis.role {
            ck.report(
                &FieldPath::default().key("axes").index(ai).key("role"),
                format!(
                    "axes zipped in \"{z}\" move together, so they must have the same role (\"{}\" is a {})",
                    dim.names[0],
                    dim.role.as_str()
                ),
            );
            continue;
        }
        dim.names.push(axis.name);
        for (slot, l) in dim.levels.iter_mut().zip(axis.levels) {
            slot.push(l);
        }
    }
    dims
}
