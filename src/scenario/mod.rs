//! Scenario files: TOML read into serde "raw" structs, then checked and converted into a
//! [`Model`]. Every problem is reported — with the file, the field path and its line:column —
//! rather than the first one only; nothing a user wrote is silently ignored (unknown fields are
//! errors).
//!
//! The parent module is the face: the entry points ([`load`], [`parse`], [`parse_table`],
//! [`default_scenario`]) and the error types are here or re-exported from here. Inside:
//!
//! | module | role |
//! |---|---|
//! | `error` | [`Problem`], [`ScenarioError`]; field paths and their line:column in the text |
//! | `input` | reading a file: regular files only, a size limit, UTF-8; the first syntax error early |
//! | `raw` | the serde structs: what the TOML says, before any checking |
//! | `build` | raw → [`Model`], one function per section |
//! | `check` | validation rules that convert nothing |
//! | `value` | checked field values: durations, distributions, ranges |
//! | `hours` | operating hours and named calendars |
//! | `stage`, `changes`, `link` | stages of checkpoints and terminals, their dated changes, links |
//! | `flow`, `route`, `choice`, `arrivals` | flows, their routes, route choice and arrivals |

mod arrivals;
mod build;
mod changes;
mod check;
mod choice;
mod crossing;
mod error;
mod flow;
mod hours;
mod input;
mod lanes;
mod link;
mod raw;
mod route;
mod stage;
mod value;

use std::path::Path;

use crate::model::Model;

pub use build::MAX_METRES_PER_VEHICLE;
pub(crate) use error::{Checker, FieldPath};
pub use error::{Problem, ProblemKind, ScenarioError};
pub use flow::{MAX_TONNES_PER_VEHICLE, MAX_VALUE_PER_VEHICLE};
pub use input::MAX_INPUT_BYTES;
pub use input::{InputKind, input_kind};
pub(crate) use input::{Refusal, read_checked, read_text, wrong_kind};
use raw::RawScenario;

/// The built-in default scenario (the Kazakhstan–China road crossings).
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/kz-cn-road.toml");
/// The name used for the built-in scenario in messages.
pub const DEFAULT_SCENARIO_NAME: &str = "<built-in kz-cn-road.toml>";

/// Values given on the command line that replace the file's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// Replaces `simulation.seed`.
    pub seed: Option<u64>,
    /// Replaces `simulation.replications`.
    pub replications: Option<i64>,
    /// Replaces `simulation.days`.
    pub days: Option<i64>,
}

/// Reads and checks the scenario file at `path` (a sweep file is refused as such).
pub fn load(path: &Path, overrides: Overrides) -> Result<Model, ScenarioError> {
    let text = read_text(path, "scenario file")?;
    load_text(&text, &path.display().to_string(), overrides)
}

/// Checks scenario `text` as [`load`] checks a file's (a sweep is refused as such); `file`
/// names it in messages.
pub fn load_text(text: &str, file: &str, overrides: Overrides) -> Result<Model, ScenarioError> {
    if let Some(e) = wrong_kind(text, file, InputKind::Scenario) {
        return Err(e);
    }
    parse(text, file, overrides)
}

/// The text of the scenario or sweep file at `path`: a regular file of at most
/// [`MAX_INPUT_BYTES`] in UTF-8, or the problem that says why not (see the README, Scenario
/// reference).
pub fn read_input(path: &Path) -> Result<String, ScenarioError> {
    read_text(path, "file")
}

/// The built-in default scenario.
pub fn default_scenario(overrides: Overrides) -> Result<Model, ScenarioError> {
    parse(DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME, overrides)
}

/// Reads `text` (from `file`) into `T`, reporting a syntax or schema problem (unknown field,
/// wrong type, missing field) with its field path and line:column.
pub(crate) fn deserialize_located<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, ScenarioError> {
    let located = |off: Option<usize>, path: String, kind, message: String| {
        let (line, column) = match off {
            Some(o) => {
                let (l, c) = error::line_col(text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ScenarioError {
            problems: vec![Problem {
                file: file.to_string(),
                path,
                line,
                column,
                message,
                kind,
            }],
        }
    };
    // Large garbage is reported from its first bad statement: only the text up to it is parsed
    // whole. Small texts (every real scenario, and each point a sweep renders) parse whole at
    // once, which is cheaper than the scan.
    if text.len() > input::EARLY_SYNTAX_BYTES
        && let Some(end) = input::first_syntax_error_end(text)
        && let Err(e) = toml::Deserializer::parse(&text[..end])
    {
        return Err(located(
            e.span().map(|s| s.start),
            String::new(),
            ProblemKind::Syntax,
            format!("not valid TOML: {}", e.message()),
        ));
    }
    match toml::Deserializer::parse(text) {
        Err(e) => Err(located(
            e.span().map(|s| s.start),
            String::new(),
            ProblemKind::Syntax,
            format!("not valid TOML: {}", e.message()),
        )),
        Ok(de) => serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let path = if path == "." { String::new() } else { path };
            located(
                inner.span().map(|s| s.start),
                path,
                ProblemKind::Schema,
                plain_types(inner.message()),
            )
        }),
    }
}

/// Checks scenario `text` (from `file`, for messages) and builds its model.
pub fn parse(text: &str, file: &str, overrides: Overrides) -> Result<Model, ScenarioError> {
    let raw: RawScenario = deserialize_located(text, file)?;
    let mut ck = Checker::new(file, text);
    let model = build::build(&mut ck, raw, overrides);
    if ck.is_clean() {
        model.ok_or_else(|| ck.into_error())
    } else {
        Err(ck.into_error())
    }
}

/// Checks a scenario given as a TOML table (e.g. a base scenario with a sweep's changes applied).
/// Positions refer to no file, so problems carry field paths only.
pub fn parse_table(
    table: &toml::Table,
    file: &str,
    overrides: Overrides,
) -> Result<Model, ScenarioError> {
    let text = toml::to_string(table).map_err(|e| ScenarioError {
        problems: vec![Problem {
            file: file.to_string(),
            path: String::new(),
            line: None,
            column: None,
            message: format!("cannot write the scenario as TOML: {e}"),
            kind: ProblemKind::Schema,
        }],
    })?;
    parse(&text, file, overrides).map_err(|mut e| {
        for p in &mut e.problems {
            p.line = None;
            p.column = None;
        }
        e
    })
}

/// Serde names Rust types ("expected i64"); planners read "an integer".
fn plain_types(msg: &str) -> String {
    msg.replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a string", "expected a string (in quotes)")
}

/// The problems [`parse`] finds in `body` after a minimal `[simulation]` table (three lines),
/// read as `t.toml`: one `file:line:column: path: message` each.
#[cfg(test)]
fn problems_of(body: &str) -> Vec<String> {
    let text = format!("[simulation]\nname = \"t\"\ndays = 10\n{body}");
    match parse(&text, "t.toml", Overrides::default()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(ToString::to_string).collect(),
    }
}
