//! The expansion of the dimensions into points (the Cartesian product, first dimension slowest)
//! with their labels and scenarios, the resolution of the baseline label to a point, and each
//! point's baseline at its context values.

use crate::scenario::{self, Checker, FieldPath, Overrides, Problem, ScenarioError};

use super::super::context::Pairing;
use super::paths::{apply, matched};
use super::{Assignment, Dimension, Point, Role, Stop, problem};

/// The most points a sweep may have.
const MAX_POINTS: usize = 100_000;

/// Every point of the product of `dims`, each the base `table` with its levels' changes applied,
/// labelled `axis=level, …`; a point whose scenario is invalid carries its error.
pub(super) fn expand(
    ck: &mut Checker,
    file: &str,
    table: &toml::Table,
    dims: &[Dimension],
    overrides: Overrides,
) -> Result<Vec<Point>, Stop> {
    let total: usize = dims.iter().map(|d| d.levels.len()).product();
    if total > MAX_POINTS {
        ck.report(
            &FieldPath::default().key("axes"),
            format!("{total} points: at most {MAX_POINTS} are supported"),
        );
        return Err(Stop::Checked);
    }
    Ok((0..total)
        .map(|index| {
            let mut p = point(file, table, dims, index, overrides);
            if let Err(e) = &mut p.model {
                blame_changes(ck, table, dims, index, &p.label, e);
            }
            p
        })
        .collect())
}

/// The problems of the invalid point `index` (labelled `label`), each moved to the place in
/// the sweep file of the change that made it: the change whose field it is in (the last one
/// applied), or the point's only change. The base alone was valid, so a change is at fault; one
/// that cannot be told stays as it is.
fn blame_changes(
    ck: &Checker,
    base: &toml::Table,
    dims: &[Dimension],
    index: usize,
    label: &str,
    e: &mut ScenarioError,
) {
    let changes: Vec<&Assignment> = dims
        .iter()
        .zip(picks(dims, index))
        .flat_map(|(dim, pick)| dim.levels[pick].iter().flat_map(|l| &l.changes))
        .collect();
    let within = |p: &str, field: &str| {
        p.strip_prefix(field)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    for p in &mut e.problems {
        let culprit = changes
            .iter()
            .rev()
            .find(|c| matched(base, &c.path).iter().any(|f| within(&p.path, f)))
            .or(if changes.len() == 1 {
                changes.first()
            } else {
                None
            });
        let Some(c) = culprit else {
            continue;
        };
        let (line, column) = ck.locate(&c.at).unzip();
        *p = Problem {
            file: ck.file().to_string(),
            path: c.at.to_string(),
            line,
            column,
            message: format!("makes point \"{label}\" invalid: {}: {}", p.path, p.message),
            kind: p.kind,
        };
    }
}

/// The point at `index`: its level on each dimension, its label and its scenario.
fn point(
    file: &str,
    base: &toml::Table,
    dims: &[Dimension],
    index: usize,
    overrides: Overrides,
) -> Point {
    let picks = picks(dims, index);
    let mut table = base.clone();
    let mut label_parts = Vec::new();
    for (dim, &pick) in dims.iter().zip(&picks) {
        for (name, level) in dim.names.iter().zip(&dim.levels[pick]) {
            label_parts.push(format!("{name}={}", level.label));
            for c in &level.changes {
                // Paths were checked against the base; applying cannot miss.
                let _ = apply(&mut table, &c.path, &c.value);
            }
        }
    }
    let label = label_parts.join(", ");
    let model = scenario::parse_table(&table, &format!("{file} [point {label}]"), overrides);
    Point {
        index,
        label,
        model,
    }
}

/// The level picked on each dimension by point `index` (mixed radix, last dimension fastest).
fn picks(dims: &[Dimension], index: usize) -> Vec<usize> {
    let mut rest = index;
    let mut picks = vec![0; dims.len()];
    for (d, dim) in dims.iter().enumerate().rev() {
        picks[d] = rest % dim.levels.len();
        rest /= dim.levels.len();
    }
    picks
}

/// Replications of every point: those of the first valid point (all share the sweep's), else 1.
pub(super) fn replications(points: &[Point]) -> u32 {
    points
        .iter()
        .find_map(|p| p.model.as_ref().ok().map(|m| m.replications))
        .unwrap_or(1)
}

/// The index of the baseline point: the label asked for on the command line (`cli`), else in
/// the file (`in_file`); a label no point has is an error, blamed on whichever named it.
pub(super) fn baseline(
    ck: &mut Checker,
    file: &str,
    points: &[Point],
    cli: Option<&str>,
    in_file: Option<&str>,
) -> Result<Option<usize>, Stop> {
    let Some(wanted) = cli.or(in_file) else {
        return Ok(None);
    };
    if let Some(i) = points.iter().position(|p| p.label == wanted) {
        let Err(e) = &points[i].model else {
            return Ok(Some(i));
        };
        // Every comparison is with the baseline: an invalid one would leave none, silently.
        let why = e
            .problems
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        let msg = format!(
            "the baseline point \"{wanted}\" is invalid, so no point could be compared with it: {why}"
        );
        if cli.is_some() {
            return Err(Stop::Error(problem(
                file,
                "baseline",
                format!("{msg} (the requested baseline)"),
            )));
        }
        ck.report(&FieldPath::default().key("baseline"), msg);
        return Err(Stop::Checked);
    }
    let msg = format!(
        "no point is labelled \"{wanted}\"; labels are: {}",
        points
            .iter()
            .map(|p| format!("\"{}\"", p.label))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if cli.is_some() {
        return Err(Stop::Error(problem(
            file,
            "baseline",
            format!("{msg} (the requested baseline)"),
        )));
    }
    ck.report(&FieldPath::default().key("baseline"), msg);
    Err(Stop::Checked)
}

/// The index of the point whose level on each dimension is `picks` (the inverse of [`picks`]).
fn index_of(dims: &[Dimension], picks: &[usize]) -> usize {
    dims.iter()
        .zip(picks)
        .fold(0, |i, (dim, &p)| i * dim.levels.len() + p)
}

/// Which baseline each point is compared with: the point with the baseline's policy levels and
/// the point's own context levels (see [`Pairing`]). Without context dimensions, the baseline
/// for all. A context whose baseline point is invalid is an error, blamed on the baseline label
/// (given on the command line when `from_cli`): no point of that context could be compared.
pub(super) fn pairing(
    ck: &mut Checker,
    file: &str,
    dims: &[Dimension],
    points: &[Point],
    baseline: Option<usize>,
    from_cli: bool,
) -> Result<Pairing, Stop> {
    let is_context: Vec<bool> = dims.iter().map(|d| d.role == Role::Context).collect();
    if !is_context.contains(&true) {
        return Ok(Pairing::single(points.len(), baseline));
    }
    let axes = dims
        .iter()
        .filter(|d| d.role == Role::Context)
        .flat_map(|d| d.names.iter().cloned())
        .collect();
    let base_picks = baseline.map(|b| picks(dims, b));
    let mut out = Pairing {
        axes,
        ..Pairing::default()
    };
    for p in points {
        let own = picks(dims, p.index);
        let context = dims
            .iter()
            .zip(&own)
            .filter(|(d, _)| d.role == Role::Context)
            .flat_map(|(d, &pick)| {
                d.names
                    .iter()
                    .zip(&d.levels[pick])
                    .map(|(n, l)| (n.clone(), l.label.clone()))
            })
            .collect();
        let anchor = base_picks.as_ref().map(|bp| {
            let mixed: Vec<usize> = (0..dims.len())
                .map(|d| if is_context[d] { own[d] } else { bp[d] })
                .collect();
            index_of(dims, &mixed)
        });
        out.context.push(context);
        out.anchor.push(anchor);
    }
    // Each context's baseline must be valid, like the sweep's.
    for (i, a) in out.anchor.iter().enumerate() {
        let Some(a) = *a else { continue };
        if a != i || points[a].model.is_ok() {
            continue;
        }
        let why = points[a]
            .model
            .as_ref()
            .err()
            .and_then(|e| e.problems.first())
            .map(ToString::to_string)
            .unwrap_or_default();
        let msg = format!(
            "the baseline point \"{}\" of context \"{}\" is invalid, so no point of that context \
             could be compared with it: {why}",
            points[a].label,
            out.context_label(a)
        );
        if from_cli {
            return Err(Stop::Error(problem(
                file,
                "baseline",
                format!("{msg} (the requested baseline)"),
            )));
        }
        ck.report(&FieldPath::default().key("baseline"), msg);
        return Err(Stop::Checked);
    }
    Ok(out)
}
