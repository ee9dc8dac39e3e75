//! The sweep-wide values (name, replications, days, seed) and the base scenario every point
//! starts from: a file next to the sweep, or an inline `[base]` table.

use std::path::{Path, PathBuf};

use crate::scenario::{self, Checker, FieldPath, Overrides, Refusal, deserialize_located};

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

/// The base scenario (`base`, a path relative to `dir` or an inline table), which must be valid
/// on its own with the sweep's `overrides`: they apply to every point alike.
pub(super) fn base(
    ck: &mut Checker,
    file: &str,
    dir: &Path,
    base: &toml::Value,
    overrides: Overrides,
) -> Result<Base, Stop> {
    match base {
        toml::Value::String(p) => base_file(ck, dir, p, overrides),
        toml::Value::Table(t) => {
            let bfile = format!("{file} [base]");
            let text = toml::to_string(t).unwrap_or_default();
            scenario::parse_table(t, &bfile, overrides)?;
            Ok(Base {
                table: t.clone(),
                text,
                file: bfile,
            })
        }
        other => {
            ck.report(
                &FieldPath::default().key("base"),
                format!(
                    "expected a scenario file path or an inline [base] table, found {}",
                    other.type_str()
                ),
            );
            Err(Stop::Checked)
        }
    }
}

/// The base scenario in the file at `p` (relative to `dir`); its own problems are reported
/// where they are, in that file.
fn base_file(ck: &mut Checker, dir: &Path, p: &str, overrides: Overrides) -> Result<Base, Stop> {
    let bp: PathBuf = dir.join(p);
    let bfile = bp.display().to_string();
    let text = match scenario::read_checked(&bp) {
        Ok(t) => t,
        // Cannot be read at all: blamed on the sweep's `base`, which names it.
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
    scenario::parse(&text, &bfile, overrides)?;
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
