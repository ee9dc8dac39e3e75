//! Sweep files: a base scenario plus axes of changes, expanded into labelled points.
//!
//! ```toml
//! name = "round-the-clock"
//! base = "../kz-cn-road.toml"          # path relative to this file, or an inline [base] table
//! replications = 10                    # optional: replace the base's simulation values
//! baseline = "policy=today, demand=x1"  # optional: the point the others are compared with
//!
//! [[policies]]                         # a named set of changes
//! label = "all-road-24x7"
//! set = { "checkpoints.*.stages.*.hours" = "24/7" }
//!
//! [[axes]]                             # an axis of policies…
//! name = "policy"
//! policies = ["today", "all-road-24x7"] # "today" = a policy with no changes
//!
//! [[axes]]                             # …or of values of one field
//! name = "demand"
//! path = "flows.*.arrivals.scale"
//! values = [1.0, 1.5, 2.0]
//! labels = ["x1", "x1.5", "x2"]        # optional
//! zip = "growth"                       # optional: axes with the same zip move together
//! ```
//!
//! Field paths name tables by key and array elements by their `id` (`checkpoints.nur-zholy`), by
//! position (`flows.0`) or all at once (`*`). Every segment but the last must exist in the base;
//! the last is set, created if absent. A path that matches nothing is an error.
//!
//! Points are the Cartesian product of the axes (zip groups count as one axis), first axis
//! slowest; a point's label is `axis=value` for each axis, joined by ", ".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Model;
use crate::scenario::{
    self, Checker, FieldPath, Overrides, Problem, ProblemKind, ScenarioError, deserialize_located,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    #[allow(dead_code)] // documentation for readers of the file
    description: Option<String>,
    base: toml::Value,
    replications: Option<i64>,
    seed: Option<u64>,
    days: Option<i64>,
    baseline: Option<String>,
    #[serde(default)]
    policies: Vec<RawPolicy>,
    #[serde(default)]
    axes: Vec<RawAxis>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    label: String,
    #[serde(default)]
    set: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    name: Option<String>,
    path: Option<String>,
    values: Option<Vec<toml::Value>>,
    labels: Option<Vec<String>>,
    policies: Option<Vec<String>>,
    zip: Option<String>,
}

/// One change: set the field(s) at `path` to `value`.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// Field path with `*` wildcards and ids.
    pub path: String,
    /// New value.
    pub value: toml::Value,
}

/// One labelled position on an axis: the changes it makes.
#[derive(Clone, Debug)]
pub struct Level {
    /// Label, e.g. "x1.5" or "all-road-24x7".
    pub label: String,
    /// Changes, applied in order.
    pub changes: Vec<Assignment>,
}

/// One dimension of the sweep (a zip group is one dimension with several named axes).
#[derive(Clone, Debug)]
pub struct Dimension {
    /// Names of the axes moving together.
    pub names: Vec<String>,
    /// Positions; for a zip group, each position combines the axes' levels at that index.
    pub levels: Vec<Vec<Level>>,
}

/// One combination of levels: a scenario to run.
#[derive(Clone, Debug)]
pub struct Point {
    /// Index in the sweep.
    pub index: usize,
    /// Readable label, unique within the sweep.
    pub label: String,
    /// The scenario, or why it is invalid (such points are reported and skipped).
    pub model: Result<Model, ScenarioError>,
}

/// A checked sweep, ready to run.
#[derive(Debug)]
pub struct Plan {
    /// Sweep name.
    pub name: String,
    /// Text of the sweep file (recorded in the manifest).
    pub sweep_text: String,
    /// Text of the base scenario (recorded in the manifest).
    pub base_text: String,
    /// Replications of every point.
    pub replications: u32,
    /// Points in order.
    pub points: Vec<Point>,
    /// Index of the baseline point.
    pub baseline: Option<usize>,
}

fn problem(file: &str, path: &str, message: String) -> ScenarioError {
    ScenarioError {
        problems: vec![Problem {
            file: file.to_string(),
            path: path.to_string(),
            line: None,
            column: None,
            message,
            kind: ProblemKind::Value,
        }],
    }
}

/// Reads and checks the sweep file at `path`; `cli` values replace the file's.
pub fn load(path: &Path, cli: Overrides, baseline: Option<&str>) -> Result<Plan, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        problems: vec![Problem {
            file: file.clone(),
            path: String::new(),
            line: None,
            column: None,
            message: format!("cannot read the sweep file: {e}"),
            kind: ProblemKind::Io,
        }],
    })?;
    parse(
        &text,
        &file,
        path.parent().unwrap_or(Path::new(".")),
        cli,
        baseline,
    )
}

/// Checks sweep `text` (from `file`, relative paths resolved against `dir`).
pub fn parse(
    text: &str,
    file: &str,
    dir: &Path,
    cli: Overrides,
    baseline: Option<&str>,
) -> Result<Plan, ScenarioError> {
    let raw: RawSweep = deserialize_located(text, file)?;
    let mut ck = Checker::new(file, text);
    let root = FieldPath::default();

    let overrides = Overrides {
        seed: cli.seed.or(raw.seed),
        replications: cli.replications.or(raw.replications),
        days: cli.days.or(raw.days),
    };

    // Sweep-wide values are checked once, where they were written.
    for (key, cli_v, file_v, lo, hi) in [
        (
            "replications",
            cli.replications,
            raw.replications,
            1,
            100_000,
        ),
        ("days", cli.days, raw.days, 1, 36_500),
    ] {
        match (cli_v, file_v) {
            (Some(v), _) if !(lo..=hi).contains(&v) => {
                return Err(problem(
                    file,
                    &format!("--{key}"),
                    format!("must be between {lo} and {hi} (got {v})"),
                ));
            }
            (None, Some(v)) if !(lo..=hi).contains(&v) => {
                ck.report(
                    &root.key(key),
                    format!("must be between {lo} and {hi} (got {v})"),
                );
                return Err(ck.into_error());
            }
            _ => {}
        }
    }

    // The base scenario: a file next to the sweep, or inline. It must be valid on its own with the
    // sweep's overrides (replications, days, seed apply to every point alike).
    let (base_table, base_text, base_file) = match &raw.base {
        toml::Value::String(p) => {
            let bp: PathBuf = dir.join(p);
            let bfile = bp.display().to_string();
            let btext = match std::fs::read_to_string(&bp) {
                Ok(t) => t,
                Err(e) => {
                    ck.report(
                        &root.key("base"),
                        format!("cannot read base scenario {bfile}: {e}"),
                    );
                    return Err(ck.into_error());
                }
            };
            // Report the base's own problems where they are.
            scenario::parse(&btext, &bfile, overrides)?;
            let table: toml::Table = deserialize_located(&btext, &bfile)?;
            (table, btext, bfile)
        }
        toml::Value::Table(t) => {
            let btext = toml::to_string(t).unwrap_or_default();
            scenario::parse_table(t, &format!("{file} [base]"), overrides)?;
            (t.clone(), btext, format!("{file} [base]"))
        }
        other => {
            ck.report(
                &root.key("base"),
                format!(
                    "expected a scenario file path or an inline [base] table, found {}",
                    other.type_str()
                ),
            );
            return Err(ck.into_error());
        }
    };

    // Policies by label; "today"/"baseline" need no definition.
    let mut policies: BTreeMap<String, Vec<Assignment>> = BTreeMap::new();
    for (i, p) in raw.policies.iter().enumerate() {
        let pp = root.key("policies").index(i);
        if p.label.trim().is_empty() {
            ck.report(&pp.key("label"), "must not be empty");
        }
        let mut changes = Vec::new();
        for (path, value) in &p.set {
            let vp = pp.key("set").key(path);
            if check_matches(&mut ck, &vp, &base_table, &base_file, path, value) {
                check_fits(&mut ck, &vp, &base_table, &base_file, path, value);
            }
            changes.push(Assignment {
                path: path.clone(),
                value: value.clone(),
            });
        }
        if policies.insert(p.label.clone(), changes).is_some() {
            ck.report(
                &pp.key("label"),
                format!("duplicate policy label \"{}\"", p.label),
            );
        }
    }

    // Axes → levels.
    let mut named: Vec<(String, Option<String>, Vec<Level>)> = Vec::new();
    if raw.axes.is_empty() {
        ck.report(
            &root.key("axes"),
            "a sweep needs at least one [[axes]] entry",
        );
    }
    for (ai, a) in raw.axes.iter().enumerate() {
        let ap = root.key("axes").index(ai);
        let mut levels = Vec::new();
        match (&a.path, &a.values, &a.policies) {
            (Some(path), Some(values), None) => {
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
                    check_matches(
                        &mut ck,
                        &ap.key("path"),
                        &base_table,
                        &base_file,
                        path,
                        first,
                    );
                }
                for (vi, v) in values.iter().enumerate() {
                    check_fits(
                        &mut ck,
                        &ap.key("values").index(vi),
                        &base_table,
                        &base_file,
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
                            path: path.clone(),
                            value: v.clone(),
                        }],
                    });
                }
            }
            (None, None, Some(names)) => {
                if names.is_empty() {
                    ck.report(&ap.key("policies"), "an axis needs at least one policy");
                }
                if a.labels.is_some() {
                    ck.report(
                        &ap.key("labels"),
                        "a policy axis is labelled by its policies",
                    );
                }
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
            }
            _ => ck.report(
                &ap,
                "an axis needs either `path` and `values`, or `policies`",
            ),
        }
        let name = a
            .name
            .clone()
            .unwrap_or_else(|| match (&a.path, &a.policies) {
                (Some(p), _) => p.clone(),
                _ => "policy".into(),
            });
        if named.iter().any(|(n, _, _)| *n == name) {
            ck.report(&ap.key("name"), format!("duplicate axis name \"{name}\""));
        }
        let mut seen = std::collections::HashSet::new();
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
        named.push((name, a.zip.clone(), levels));
    }

    // Zip groups become one dimension each, at the position of their first axis.
    let mut dims: Vec<Dimension> = Vec::new();
    let mut zip_dim: BTreeMap<String, usize> = BTreeMap::new();
    for (ai, (name, zip, levels)) in named.into_iter().enumerate() {
        match zip.and_then(|z| {
            zip_dim
                .get(&z)
                .map(|&d| (z.clone(), d))
                .or(Some((z, usize::MAX)))
        }) {
            Some((z, d)) if d != usize::MAX => {
                let dim = &mut dims[d];
                if dim.levels.len() != levels.len() {
                    ck.report(
                        &root.key("axes").index(ai).key("zip"),
                        format!(
                            "axes zipped in \"{z}\" must have the same number of values ({} vs {})",
                            dim.levels.len(),
                            levels.len()
                        ),
                    );
                    continue;
                }
                dim.names.push(name);
                for (slot, l) in dim.levels.iter_mut().zip(levels) {
                    slot.push(l);
                }
            }
            Some((z, _)) => {
                zip_dim.insert(z, dims.len());
                dims.push(Dimension {
                    names: vec![name],
                    levels: levels.into_iter().map(|l| vec![l]).collect(),
                });
            }
            None => dims.push(Dimension {
                names: vec![name],
                levels: levels.into_iter().map(|l| vec![l]).collect(),
            }),
        }
    }
    if !ck.is_clean() {
        return Err(ck.into_error());
    }

    // Expand the product, first dimension slowest.
    let total: usize = dims.iter().map(|d| d.levels.len()).product();
    if total > 100_000 {
        ck.report(
            &root.key("axes"),
            format!("{total} points: at most 100000 are supported"),
        );
        return Err(ck.into_error());
    }
    let mut points = Vec::with_capacity(total);
    for index in 0..total {
        let mut rest = index;
        let mut picks = vec![0; dims.len()];
        for (d, dim) in dims.iter().enumerate().rev() {
            picks[d] = rest % dim.levels.len();
            rest /= dim.levels.len();
        }
        let mut table = base_table.clone();
        let mut label_parts = Vec::new();
        for (d, dim) in dims.iter().enumerate() {
            for (name, level) in dim.names.iter().zip(&dim.levels[picks[d]]) {
                label_parts.push(format!("{name}={}", level.label));
                for c in &level.changes {
                    // Paths were checked against the base above; applying cannot miss.
                    let _ = apply(&mut table, &c.path, &c.value);
                }
            }
        }
        let label = label_parts.join(", ");
        let model = scenario::parse_table(&table, &format!("{file} [point {label}]"), overrides);
        points.push(Point {
            index,
            label,
            model,
        });
    }

    let replications = points
        .iter()
        .find_map(|p| p.model.as_ref().ok().map(|m| m.replications))
        .unwrap_or(1);
    let wanted = baseline.map(str::to_string).or(raw.baseline.clone());
    let baseline_index = match &wanted {
        None => None,
        Some(b) => match points.iter().position(|p| p.label == *b) {
            Some(i) => Some(i),
            None => {
                let msg = format!(
                    "no point is labelled \"{b}\"; labels are: {}",
                    points
                        .iter()
                        .map(|p| format!("\"{}\"", p.label))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if baseline.is_some() {
                    return Err(problem(
                        file,
                        "baseline",
                        format!("{msg} (the requested baseline)"),
                    ));
                }
                ck.report(&root.key("baseline"), msg);
                return Err(ck.into_error());
            }
        },
    };
    Ok(Plan {
        name: raw.name.unwrap_or_else(|| {
            Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sweep".into())
        }),
        sweep_text: text.to_string(),
        base_text,
        replications,
        points,
        baseline: baseline_index,
    })
}

/// A plan comparing two scenario files, the first as baseline (`borderflow compare A B`).
pub fn compare(a: &Path, b: &Path, cli: Overrides) -> Result<Plan, ScenarioError> {
    let read = |p: &Path| -> Result<(String, Model), ScenarioError> {
        let text = std::fs::read_to_string(p).map_err(|e| ScenarioError {
            problems: vec![Problem {
                file: p.display().to_string(),
                path: String::new(),
                line: None,
                column: None,
                message: format!("cannot read the scenario file: {e}"),
                kind: ProblemKind::Io,
            }],
        })?;
        let model = scenario::parse(&text, &p.display().to_string(), cli)?;
        Ok((text, model))
    };
    let (ta, ma) = read(a)?;
    let (tb, mb) = read(b)?;
    let mut la = format!("A: {}", a.display());
    let lb = format!("B: {}", b.display());
    if la == lb {
        la.push_str(" (1)");
    }
    let replications = ma.replications.max(mb.replications);
    let (mut ma, mut mb) = (ma, mb);
    // Paired comparison needs the same replications and seeds on both sides.
    ma.replications = replications;
    mb.replications = replications;
    mb.seed = ma.seed;
    Ok(Plan {
        name: "compare".into(),
        sweep_text: format!("# compare\n# A = {}\n# B = {}\n", a.display(), b.display()),
        base_text: format!("{ta}\n# ---- B ----\n{tb}"),
        replications,
        points: vec![
            Point {
                index: 0,
                label: la,
                model: Ok(ma),
            },
            Point {
                index: 1,
                label: lb,
                model: Ok(mb),
            },
        ],
        baseline: Some(0),
    })
}

/// A short label for a value: strings bare, numbers as written, tables in inline TOML.
fn value_label(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks that `path` matches something in the base; reports at `at` if not.
fn check_matches(
    ck: &mut Checker,
    at: &FieldPath,
    base: &toml::Table,
    base_file: &str,
    path: &str,
    value: &toml::Value,
) -> bool {
    let mut probe = base.clone();
    match apply(&mut probe, path, value) {
        Err(msg) => {
            ck.report(at, msg);
            false
        }
        Ok(0) => {
            ck.report(
                at,
                format!("path \"{path}\" matches nothing in {base_file}"),
            );
            false
        }
        Ok(_) => true,
    }
}

/// Checks that setting `value` at `path` leaves the base scenario's schema intact: a wrong type
/// or an unknown field is an error of the sweep file, reported at the value.
fn check_fits(
    ck: &mut Checker,
    at: &FieldPath,
    base: &toml::Table,
    base_file: &str,
    path: &str,
    value: &toml::Value,
) {
    let mut probe = base.clone();
    if !matches!(apply(&mut probe, path, value), Ok(n) if n > 0) {
        return;
    }
    if let Err(e) = scenario::parse_table(&probe, base_file, Overrides::default()) {
        for p in e.problems.iter().filter(|p| p.kind == ProblemKind::Schema) {
            ck.report(
                at,
                format!(
                    "setting {path} = {value} does not fit the scenario: {}: {}",
                    p.path, p.message
                ),
            );
        }
    }
}

/// Sets every field matched by `path` to `value`; returns how many were set.
pub fn apply(table: &mut toml::Table, path: &str, value: &toml::Value) -> Result<usize, String> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(format!("malformed path \"{path}\": empty segment"));
    }
    let mut n = 0;
    set_in_table(table, &segs, value, &mut n)?;
    Ok(n)
}

fn set_in_table(
    t: &mut toml::Table,
    segs: &[&str],
    value: &toml::Value,
    n: &mut usize,
) -> Result<(), String> {
    let (first, rest) = segs.split_first().ok_or("empty path")?;
    if rest.is_empty() {
        if *first == "*" {
            for (_, v) in t.iter_mut() {
                *v = fit(v, value);
                *n += 1;
            }
        } else {
            let new = match t.get(*first) {
                Some(old) => fit(old, value),
                None => value.clone(),
            };
            t.insert((*first).to_string(), new);
            *n += 1;
        }
        return Ok(());
    }
    if *first == "*" {
        for (_, v) in t.iter_mut() {
            set_in_value(v, rest, value, n)?;
        }
    } else if let Some(v) = t.get_mut(*first) {
        set_in_value(v, rest, value, n)?;
    }
    Ok(())
}

fn set_in_value(
    v: &mut toml::Value,
    segs: &[&str],
    value: &toml::Value,
    n: &mut usize,
) -> Result<(), String> {
    match v {
        toml::Value::Table(t) => set_in_table(t, segs, value, n),
        toml::Value::Array(items) => {
            let (first, rest) = segs.split_first().ok_or("empty path")?;
            if rest.is_empty() {
                return Err(format!(
                    "\"{first}\" names a whole list element; set one of its fields instead"
                ));
            }
            for (i, item) in items.iter_mut().enumerate() {
                let hit = *first == "*"
                    || first.parse::<usize>() == Ok(i)
                    || item.get("id").and_then(|x| x.as_str()) == Some(*first);
                if hit {
                    set_in_value(item, rest, value, n)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// An integer given where the base has a float becomes a float (`scale = 2` for `2.0`).
fn fit(old: &toml::Value, new: &toml::Value) -> toml::Value {
    match (old, new) {
        (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(*i as f64),
        _ => new.clone(),
    }
}
