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
//! role = "context"                     # optional: compare points at equal levels of this axis
//! ```
//!
//! Field paths name tables by key and array elements by their `id` (`checkpoints.nur-zholy`), by
//! position (`flows.0`) or all at once (`*`). Every segment but the last must exist in the base;
//! the last is set, created if absent. A path that matches nothing is an error.
//!
//! Points are the Cartesian product of the axes (zip groups count as one axis), first axis
//! slowest; a point's label is `axis=value` for each axis, joined by ", ".
//!
//! This module is the face: the plan's types and its entry points ([`load`], [`parse`],
//! [`compare`], [`apply`]). [`parse`] checks a sweep file one section at a time:
//!
//! | module | role |
//! |---|---|
//! | `raw` | the serde structs: what the sweep file says, before any checking |
//! | `base` | sweep-wide values (name, replications, days, seed) and the base scenario, file or inline |
//! | `axes` | policies, axes and their levels, zip groups into dimensions |
//! | `points` | the product of the dimensions into labelled points; the baseline label to its index |
//! | `paths` | field paths: setting what a path matches, checking a change against the base |
//! | `uncertain` | `[uncertainty]` and `[[uncertain]]`: inputs drawn by Latin hypercube, an implicit context axis |

use std::path::Path;

use super::context::Pairing;
use crate::model::Model;
use crate::scenario::{
    self, Checker, FieldPath, Overrides, Problem, ProblemKind, ScenarioError, deserialize_located,
};

mod axes;
mod base;
mod paths;
mod points;
mod raw;
#[cfg(test)]
mod tests;
mod uncertain;

pub use paths::apply;
pub use uncertain::{DRAW_AXIS, Input, MAX_DRAWS, Spread, Uncertainty, ValueKind};

/// One change: set the field(s) at `path` to `value`.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// Field path with `*` wildcards and ids.
    pub path: String,
    /// New value.
    pub value: toml::Value,
    /// Where the sweep file gives it (`axes[0].values[1]`, `policies[2].set.<path>`), so that a
    /// point it makes invalid is blamed there.
    pub(crate) at: FieldPath,
}

/// One labelled position on an axis: the changes it makes.
#[derive(Clone, Debug)]
pub struct Level {
    /// Label, e.g. "x1.5" or "all-road-24x7".
    pub label: String,
    /// Changes, applied in order.
    pub changes: Vec<Assignment>,
}

/// What an axis varies, for the comparisons (see [`crate::sweep::Pairing`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    /// A policy: points are compared with the baseline's level of it (the default).
    #[default]
    Policy,
    /// A context (demand, year, scenario variant): points are compared at equal levels of it.
    Context,
}

impl Role {
    /// The role as written in a sweep file.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Policy => "policy",
            Role::Context => "context",
        }
    }
}

/// One dimension of the sweep (a zip group is one dimension with several named axes).
#[derive(Clone, Debug)]
pub struct Dimension {
    /// Names of the axes moving together.
    pub names: Vec<String>,
    /// Positions; for a zip group, each position combines the axes' levels at that index.
    pub levels: Vec<Vec<Level>>,
    /// A policy or a context (the axes of a zip group share it).
    pub role: Role,
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
    /// The baseline each point is compared with (the baseline policy at its context values).
    pub pairing: Pairing,
    /// The uncertain inputs and their input sets (the last dimension, context axis `draw`).
    pub uncertainty: Option<Uncertainty>,
}

/// One problem of the sweep file with no place in its text (a command-line value).
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

/// Why a section stopped the check before the points were built.
enum Stop {
    /// Report the problems recorded in the checker so far.
    Checked,
    /// Report this error as it is: the base scenario's own problems, or a command-line value.
    Error(ScenarioError),
}

impl From<ScenarioError> for Stop {
    fn from(e: ScenarioError) -> Self {
        Stop::Error(e)
    }
}

/// Reads and checks the sweep file at `path`; `cli` values replace the file's.
pub fn load(path: &Path, cli: Overrides, baseline: Option<&str>) -> Result<Plan, ScenarioError> {
    let file = path.display().to_string();
    let text = scenario::read_text(path, "sweep file")?;
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
    if let Some(e) = scenario::wrong_kind(text, file, scenario::InputKind::Sweep) {
        return Err(e);
    }
    let raw: raw::RawSweep = deserialize_located(text, file)?;
    let mut ck = Checker::new(file, text);
    match check(&mut ck, raw, text, file, dir, cli, baseline) {
        Ok(plan) => Ok(plan),
        Err(Stop::Checked) => Err(ck.into_error()),
        Err(Stop::Error(e)) => Err(e),
    }
}

/// The sections of the sweep file in order; problems of policies and axes are all collected
/// before the check stops, those of the other sections stop it at once.
fn check(
    ck: &mut Checker,
    raw: raw::RawSweep,
    text: &str,
    file: &str,
    dir: &Path,
    cli: Overrides,
    baseline: Option<&str>,
) -> Result<Plan, Stop> {
    let overrides = base::overrides(ck, file, &raw, cli)?;
    let base = base::base(ck, file, dir, &raw, cli, overrides)?;
    let policies = axes::policies(ck, &raw.policies, &base);
    let axes = axes::axes(ck, &raw.axes, &policies, &base);
    let mut dims = axes::dimensions(ck, axes);
    let seed = overrides.seed.or_else(|| {
        let s = base.table.get("simulation")?.get("seed")?.as_integer()?;
        u64::try_from(s).ok()
    });
    let uncertainty = uncertain::uncertainty(ck, &raw, &base, seed.unwrap_or(0));
    if !ck.is_clean() {
        return Err(Stop::Checked);
    }
    if let Some(u) = &uncertainty {
        dims.push(u.dimension());
    }
    let points = points::expand(ck, file, &base.table, &dims, overrides)?;
    let from_cli = baseline.is_some();
    // With input sets, a baseline named without its draw is the baseline policy at draw 1 (each
    // draw is a context with its own baseline).
    let with_draw = |b: &str| match &uncertainty {
        Some(_) if !b.contains(&format!("{DRAW_AXIS}=")) => format!("{b}, {DRAW_AXIS}=1"),
        _ => b.to_string(),
    };
    let (cli_base, file_base) = (
        baseline.map(with_draw),
        raw.baseline.as_deref().map(with_draw),
    );
    let baseline = points::baseline(ck, file, &points, cli_base.as_deref(), file_base.as_deref())?;
    let pairing = points::pairing(ck, file, &dims, &points, baseline, from_cli)?;
    Ok(Plan {
        name: base::name(raw.name, file),
        sweep_text: text.to_string(),
        base_text: base.text,
        replications: points::replications(&points),
        points,
        baseline,
        pairing,
        uncertainty,
    })
}

/// A plan comparing two scenario files, the first as baseline (`borderflow compare A B`).
pub fn compare(a: &Path, b: &Path, cli: Overrides) -> Result<Plan, ScenarioError> {
    let read = |p: &Path| -> Result<(String, Model), ScenarioError> {
        let text = scenario::read_text(p, "scenario file")?;
        let file = p.display().to_string();
        if let Some(e) = scenario::wrong_kind(&text, &file, scenario::InputKind::Scenario) {
            return Err(e);
        }
        let model = scenario::parse(&text, &file, cli)?;
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
        pairing: Pairing::single(2, Some(0)),
        uncertainty: None,
    })
}
