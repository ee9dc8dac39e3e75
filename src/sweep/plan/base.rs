//! The sweep-wide values (name, replications, days, seed) and the base scenario every point
//! starts from: a file next to the sweep, or an inline `[base]` table.

use std::path::{Path, PathBuf};

use crate::scenario::{self, Checker, FieldPath, Overrides, Problem, Refusal, deserialize_located};

use super::raw::RawSweep;
use super::{Stop, problem};

/// The base scenario as a table, with its text (for the manifest) and the file name its
/// problems are reported under.
pub(super) struct Base {
    /// The base as a TOML table, to which each point's changes are applied.
    pub(super) table: toml::Table,
    /// Its text as written (a file) or rendered (an inline table).
    pub(super) text: String,
    /// Its file, or `<sweep file> [base]` when inline.
    pub(super) file: String,
}

/// The sweep's overrides (the command line's `cli` before the file's), with replications and
/// days checked once, where they were written: an out-of-range command-line value is blamed on
/// its option, a file value on its line.
pub(super) fn overrides(
    ck: &mut Checker,
    file: &str,
    raw: &RawSweep,
    cli: Overrides,
) -> Result<Overrides, Stop> {
    let root = FieldPath::default();
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
                return Err(Stop::Error(problem(
                    file,
                    &format!("--{key}"),
                    format!("must be between {lo} and {hi} (got {v})"),
                )));
            }
            (None, Some(v)) if !(lo..=hi).contains(&v) => {
                ck.report(
                    &root.key(key),
                    format!("must be between {lo} and {hi} (got {v})"),
                );
                return Err(Stop::Checked);
            }
            _ => {}
        }
    }
    Ok(Overrides {
        seed: cli.seed.or(raw.seed),
        replications: cli.replications.or(raw.replications),
        days: cli.days.or(raw.days),
    })
}

/// The base scenario (`raw.base`, a path relative to `dir` or an inline table), which must be
/// valid on its own with the sweep's `overrides` (the command line's `cli` before the file's):
/// they apply to every point alike. Its problems are reported where they are: in the base file,
/// at their place in the sweep file for an inline `[base]`, and at the sweep's own `days`,
/// `replications` or `seed` line when that value is what makes the base invalid.
pub(super) fn base(
    ck: &mut Checker,
    file: &str,
    dir: &Path,
    raw: &RawSweep,
    cli: Overrides,
    overrides: Overrides,
) -> Result<Base, Stop> {
    let base = match &raw.base {
        toml::Value::String(p) => base_file(ck, dir, p)?,
        toml::Value::Table(t) => Base {
            table: t.clone(),
            text: toml::to_string(t).unwrap_or_default(),
            file: format!("{file} [base]"),
        },
        other => {
            ck.report(
                &FieldPath::default().key("base"),
                format!(
                    "expected a scenario file path or an inline [base] table, found {}",
                    other.type_str()
                ),
            );
            return Err(Stop::Checked);
        }
    };
    let inline = raw.base.is_table();
    let check = |ov: Overrides| {
        if inline {
            scenario::parse_table(&base.table, &base.file, ov)
        } else {
            scenario::parse(&base.text, &base.file, ov)
        }
    };
    let Err(e) = check(overrides) else {
        return Ok(base);
    };
    // Whose doing each problem is: the sweep file's own values (where the command line did not
    // replace them), the command line's, or the base's own. A problem that goes away without
    // someone's values is theirs.
    let own = given(raw.days, raw.replications, raw.seed, cli);
    let from_cli = given(cli.days, cli.replications, cli.seed, Overrides::default());
    let paths_with = |ov: Overrides| -> Vec<String> {
        check(ov)
            .err()
            .map(|e| e.problems.into_iter().map(|p| p.path).collect())
            .unwrap_or_default()
    };
    let with_cli_only = (!own.is_empty()).then(|| paths_with(cli));
    let with_none = (!from_cli.is_empty()).then(|| paths_with(Overrides::default()));
    let root = FieldPath::default();
    let mut cli_problems = Vec::new();
    for p in e.problems {
        let gone =
            |paths: &Option<Vec<String>>| paths.as_ref().is_some_and(|w| !w.contains(&p.path));
        if gone(&with_cli_only) {
            let (key, value) = blamed(&own, &p.path);
            let p = if inline { relocated(ck, p) } else { p };
            ck.report(
                &root.key(key),
                format!("{key} = {value} here makes the base scenario invalid: {p}"),
            );
        } else if gone(&with_none) {
            let (key, value) = blamed(&from_cli, &p.path);
            let p = if inline { relocated(ck, p) } else { p };
            cli_problems.push(format!(
                "--{key} {value} makes the base scenario invalid: {p}"
            ));
        } else if inline {
            let path = root.key("base").join(&p.path);
            ck.report_kind(&path, p.message, p.kind);
        } else {
            ck.push(p);
        }
    }
    for message in cli_problems {
        ck.push(problem(file, "", message).problems.remove(0));
    }
    Err(Stop::Checked)
}

/// The sweep-wide values given (`days`, `replications`, `seed`) that `over` does not replace, as
/// (key, value as written).
fn given(
    days: Option<i64>,
    replications: Option<i64>,
    seed: Option<u64>,
    over: Overrides,
) -> Vec<(&'static str, String)> {
    let text = |v: Option<String>, replaced: bool| v.filter(|_| !replaced);
    [
        (
            "days",
            text(days.map(|v| v.to_string()), over.days.is_some()),
        ),
        (
            "replications",
            text(
                replications.map(|v| v.to_string()),
                over.replications.is_some(),
            ),
        ),
        (
            "seed",
            text(seed.map(|v| v.to_string()), over.seed.is_some()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

/// Which of the `values` given (never empty) a base problem at `path` is blamed on: the one it
/// names (`simulation.replications`), else `days` (the horizon other checks depend on), else
/// the first.
fn blamed<'v>(values: &'v [(&'static str, String)], path: &str) -> &'v (&'static str, String) {
    let field = path.rsplit('.').next().unwrap_or_default();
    values
        .iter()
        .find(|(k, _)| *k == field)
        .or_else(|| values.iter().find(|(k, _)| *k == "days"))
        .unwrap_or(&values[0])
}

/// A problem of an inline `[base]` (which has no text of its own) located at its place in the
/// sweep file: `base.<path>`.
fn relocated(ck: &Checker, mut p: Problem) -> Problem {
    let (line, column) = ck
        .locate(&FieldPath::default().key("base").join(&p.path))
        .unzip();
    p.file = ck.file().to_string();
    p.path = format!("base.{}", p.path);
    (p.line, p.column) = (line, column);
    p
}

/// The base scenario in the file at `p` (relative to `dir`), read but not yet checked; a file
/// that cannot be read is blamed on the sweep's `base`.
fn base_file(ck: &mut Checker, dir: &Path, p: &str) -> Result<Base, Stop> {
    let bp: PathBuf = dir.join(p);
    let bfile = bp.display().to_string();
    let text = match scenario::read_checked(&bp) {
        Ok(t) => t,
        Err(Refusal::Unreadable(why)) => {
            ck.report(
                &FieldPath::default().key("base"),
                format!("cannot read base scenario {bfile}: {why}"),
            );
            return Err(Stop::Checked);
        }
        // Read, but not UTF-8: at its own place in its own file.
        Err(r) => return Err(Stop::Error(r.into_error(&bfile, "base scenario"))),
    };
    let table: toml::Table = deserialize_located(&text, &bfile)?;
    Ok(Base {
        table,
        text,
        file: bfile,
    })
}

/// The sweep's name: `name` if given, else the sweep file's stem.
pub(super) fn name(name: Option<String>, file: &str) -> String {
    name.unwrap_or_else(|| {
        Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sweep".into())
    })
}
