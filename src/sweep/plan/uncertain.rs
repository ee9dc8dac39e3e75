//! Uncertain inputs: `[uncertainty]` and `[[uncertain]]` in a sweep file.
//!
//! ```toml
//! [uncertainty]
//! draws = 20                      # input sets, drawn by Latin hypercube
//! # seed = 7                      # default: the sweep's seed
//!
//! [[uncertain]]
//! path = "checkpoints.nur-zholy.stages.*.service.mean"
//! range = ["6min", "30min"]       # numbers, durations or rates, of the type the field takes
//! # dist = "triangular", mode = "9.6min"   # or "uniform" (default), "log-uniform"
//! label = "truck service time"
//! source = "sheet R11: assumed, 6–30 min"
//! ```
//!
//! Each input is checked like an axis value (its path against the base, both ends of its range
//! against the scenario's schema), must not set a field an axis, a policy or another input sets,
//! and its draws are changes like an axis value's: a drawn value that makes a point invalid is
//! blamed on the input's `range`. The input sets become an implicit context axis `draw`, the
//! last (fastest) dimension, so that every policy runs on every input set with the same seeds,
//! and is compared with the baseline policy on the same input set.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::base::Base;
use super::paths::{check_fits, check_matches, matched, misfits};
use super::raw::{RawSweep, RawUncertain};
use super::{Assignment, Dimension, Level, Role};
use crate::dist::parse_rate_per_hour;
use crate::scenario::{Checker, FieldPath};
use crate::sweep::lhs::latin_hypercube;
use crate::time::parse_duration;

/// Name of the implicit context axis of the input sets (a point's label ends `draw=K`).
pub const DRAW_AXIS: &str = "draw";
/// The most input sets a sweep may draw.
pub const MAX_DRAWS: i64 = 1000;

/// What values an uncertain input takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// Whole numbers (lanes, buffer places).
    Integer,
    /// Numbers (a scale, a probability, tonnes).
    Number,
    /// Durations ("6min"), drawn in the unit of the range's low end.
    Duration,
    /// Rates ("32/h"), drawn in the unit of the range's low end.
    Rate,
}

/// How the draws spread over the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spread {
    /// Evenly between the ends (the default).
    Uniform,
    /// Triangular, peaking at `mode`.
    Triangular,
    /// Evenly in the logarithm (each factor of 10 equally likely); both ends above 0.
    LogUniform,
}

impl Spread {
    /// The name as written in a sweep file.
    pub fn as_str(self) -> &'static str {
        match self {
            Spread::Uniform => "uniform",
            Spread::Triangular => "triangular",
            Spread::LogUniform => "log-uniform",
        }
    }
}

/// One uncertain input, checked; numbers are in its `unit`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Its `label`, else its path.
    pub name: String,
    /// Field path, as for an axis.
    pub path: String,
    /// The values it takes.
    pub kind: ValueKind,
    /// The unit of its numbers: "min", "h"… for durations, "/h", "/day" for rates, "" else.
    pub unit: String,
    /// How draws spread over the range.
    pub dist: Spread,
    /// Low end of the range.
    pub low: f64,
    /// High end of the range.
    pub high: f64,
    /// Peak of a triangular spread.
    pub mode: Option<f64>,
    /// Where the range comes from (`source`), echoed in reports.
    pub source: Option<String>,
}

impl Input {
    /// The value `x` (in the input's unit) as it is set in the scenario.
    pub fn toml_value(&self, x: f64) -> toml::Value {
        match self.kind {
            ValueKind::Integer => toml::Value::Integer(x as i64),
            ValueKind::Number => toml::Value::Float(x),
            ValueKind::Duration | ValueKind::Rate => toml::Value::String(self.text(x)),
        }
    }

    /// The value `x` (in the input's unit) in words: "17.35min", "12/h", "85".
    pub fn text(&self, x: f64) -> String {
        match self.kind {
            ValueKind::Integer => format!("{}", x as i64),
            ValueKind::Number => format!("{x}"),
            ValueKind::Duration | ValueKind::Rate => format!("{x}{}", self.unit),
        }
    }

    /// The range in words: "6min–30min, uniform" ("…, triangular peaking at 9.6min").
    pub fn range_text(&self) -> String {
        let mode = self
            .mode
            .map(|m| format!(" peaking at {}", self.text(m)))
            .unwrap_or_default();
        format!(
            "{}–{}, {}{mode}",
            self.text(self.low),
            self.text(self.high),
            self.dist.as_str()
        )
    }

    /// The value at quantile `u` of the input's spread (0 ≤ u < 1), rounded to 6 significant
    /// digits (whole numbers for an integer input).
    fn at(&self, u: f64) -> f64 {
        let (lo, hi) = (self.low, self.high);
        if self.kind == ValueKind::Integer && self.dist == Spread::Uniform {
            // Each whole number of the range equally likely.
            return (lo + (u * (hi - lo + 1.0)).floor()).min(hi);
        }
        let x = match (self.dist, self.mode) {
            (Spread::Triangular, Some(m)) => {
                let w = hi - lo;
                if u * w < m - lo {
                    lo + (u * w * (m - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * w * (hi - m)).sqrt()
                }
            }
            (Spread::LogUniform, _) => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            _ => lo + u * (hi - lo),
        };
        match self.kind {
            ValueKind::Integer => x.round().clamp(lo, hi),
            // A duration is a whole number of milliseconds: at most log10(unit in ms) decimals.
            ValueKind::Duration => {
                let unit_ms = parse_duration(&format!("1{}", self.unit)).map_or(1, |d| d.as_ms());
                let k = 10f64.powi((unit_ms as f64).log10().floor() as i32);
                (round_sig(x) * k).round() / k
            }
            ValueKind::Number | ValueKind::Rate => round_sig(x),
        }
    }
}

/// `x` rounded to 6 significant digits.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let d = 5 - x.abs().log10().floor() as i32;
    if d >= 0 {
        let k = 10f64.powi(d);
        (x * k).round() / k
    } else {
        let k = 10f64.powi(-d);
        (x / k).round() * k
    }
}

/// The uncertain inputs of a sweep and the input sets drawn for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    /// Number of input sets.
    pub draws: usize,
    /// Seed of the Latin hypercube.
    pub seed: u64,
    /// The inputs, in file order.
    pub inputs: Vec<Input>,
    /// `values[d][j]`: input `j` in input set `d` (draw d + 1), in the input's unit.
    pub values: Vec<Vec<f64>>,
}

impl Uncertainty {
    /// Draws `draws` input sets of `inputs` by Latin hypercube from `seed`.
    pub fn draw(draws: usize, seed: u64, inputs: Vec<Input>) -> Uncertainty {
        let values = latin_hypercube(draws, inputs.len(), seed)
            .into_iter()
            .map(|row| row.iter().zip(&inputs).map(|(&u, i)| i.at(u)).collect())
            .collect();
        Uncertainty {
            draws,
            seed,
            inputs,
            values,
        }
    }

    /// The implicit context axis: one level per input set, labelled 1…N, setting every input.
    pub(super) fn dimension(&self) -> Dimension {
        let levels = self
            .values
            .iter()
            .enumerate()
            .map(|(d, row)| {
                vec![Level {
                    label: (d + 1).to_string(),
                    changes: self
                        .inputs
                        .iter()
                        .zip(row)
                        .enumerate()
                        .map(|(j, (input, &x))| Assignment {
                            path: input.path.clone(),
                            value: input.toml_value(x),
                            at: FieldPath::default().key("uncertain").index(j).key("range"),
                        })
                        .collect(),
                }]
            })
            .collect();
        Dimension {
            names: vec![DRAW_AXIS.to_string()],
            levels,
            role: Role::Context,
        }
    }
}

/// The sweep's uncertain inputs, checked and drawn; `None` without `[[uncertain]]` (or with
/// problems, which are recorded in `ck`). `seed` is the sweep's, the default of the draws'.
pub(super) fn uncertainty(
    ck: &mut Checker,
    raw: &RawSweep,
    base: &Base,
    seed: u64,
) -> Option<Uncertainty> {
    let root = FieldPath::default();
    let table = match (&raw.uncertainty, raw.uncertain.is_empty()) {
        (None, true) => return None,
        (None, false) => {
            ck.report(
                &root.key("uncertain"),
                "uncertain inputs need an [uncertainty] table saying how many input sets to draw \
                 (draws = N)",
            );
            return None;
        }
        (Some(_), true) => {
            ck.report(
                &root.key("uncertainty"),
                "[uncertainty] without any [[uncertain]] input: nothing to draw",
            );
            return None;
        }
        (Some(t), false) => t,
    };
    if !(2..=MAX_DRAWS).contains(&table.draws) {
        ck.report(
            &root.key("uncertainty").key("draws"),
            format!(
                "must be between 2 and {MAX_DRAWS} (got {}): a share of input sets needs at \
                 least two",
                table.draws
            ),
        );
    }
    for (ai, a) in raw.axes.iter().enumerate() {
        if a.name.as_deref() == Some(DRAW_AXIS) {
            ck.report(
                &root.key("axes").index(ai).key("name"),
                format!(
                    "the axis name \"{DRAW_AXIS}\" is taken by the input sets of [[uncertain]]"
                ),
            );
        }
    }
    // Fields set elsewhere: (field, who sets it).
    let mut taken: Vec<(String, String)> = Vec::new();
    for (ai, a) in raw.axes.iter().enumerate() {
        if let Some(path) = &a.path {
            for f in matched(&base.table, path) {
                taken.push((f, format!("axes[{ai}]")));
            }
        }
    }
    for (pi, p) in raw.policies.iter().enumerate() {
        for path in p.set.keys() {
            for f in matched(&base.table, path) {
                taken.push((f, format!("policies[{pi}].set.\"{path}\"")));
            }
        }
    }
    let mut inputs = Vec::new();
    for (i, u) in raw.uncertain.iter().enumerate() {
        let at = root.key("uncertain").index(i);
        if let Some(input) = input(ck, &at, u, base, &taken) {
            for f in matched(&base.table, &u.path) {
                taken.push((f, format!("uncertain[{i}]")));
            }
            inputs.push(input);
        }
    }
    if !ck.is_clean() {
        return None;
    }
    let draws = table.draws as usize;
    Some(Uncertainty::draw(draws, table.seed.unwrap_or(seed), inputs))
}

/// A value kind in words, with an example: "duration (\"6min\")".
fn kind_word(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Integer => "whole number",
        ValueKind::Number => "number",
        ValueKind::Duration => "duration (\"6min\")",
        ValueKind::Rate => "rate (\"32/h\")",
    }
}

/// True when the field `inner` is `outer` or lies inside it (`a.b[1].c` inside `a.b`), segment
/// by segment: setting `outer` sets `inner` too.
fn nests(outer: &str, inner: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// A number in a range or mode, with its kind and unit: (value in unit, kind, unit).
fn number(v: &toml::Value, unit: Option<&str>) -> Result<(f64, ValueKind, String), String> {
    let with_unit = |s: &str, u: &str| -> Option<f64> {
        match s.trim().strip_suffix(u) {
            Some(num) => num.trim().parse().ok(),
            None => None,
        }
    };
    match v {
        toml::Value::Integer(n) => Ok((*n as f64, ValueKind::Integer, String::new())),
        toml::Value::Float(x) => Ok((*x, ValueKind::Number, String::new())),
        toml::Value::String(s) => {
            if let Ok(d) = parse_duration(s) {
                // In the unit of the low end: "6min" → minutes.
                let u = unit.map(str::to_string).unwrap_or_else(|| {
                    let tail: String = s
                        .trim()
                        .chars()
                        .skip_while(|c| !c.is_alphabetic())
                        .collect();
                    if tail.chars().all(|c| c.is_ascii_alphabetic())
                        && parse_duration(&format!("1{tail}")).is_ok()
                    {
                        tail
                    } else {
                        "h".into()
                    }
                });
                let one = parse_duration(&format!("1{u}")).map_err(|e| e.to_string())?;
                let x = with_unit(s, &u).unwrap_or(d.as_ms() as f64 / one.as_ms() as f64);
                return Ok((x, ValueKind::Duration, u));
            }
            if let Ok(per_h) = parse_rate_per_hour(s) {
                let u = unit.map(str::to_string).unwrap_or_else(|| {
                    s.split_once('/')
                        .map_or("/h".into(), |(_, u)| format!("/{}", u.trim()))
                });
                let one = parse_rate_per_hour(&format!("1{u}")).map_err(|e| e.to_string())?;
                let x = with_unit(s, &u).unwrap_or(per_h / one);
                return Ok((x, ValueKind::Rate, u));
            }
            Err(format!(
                "\"{s}\" is neither a duration (\"6min\") nor a rate (\"32/h\")"
            ))
        }
        other => Err(format!(
            "a range takes numbers, durations (\"6min\") or rates (\"32/h\"), not a {}",
            other.type_str()
        )),
    }
}

/// One `[[uncertain]]` entry (at `at`) checked; `None` after reporting its problems. `taken`:
/// the fields other entries, axes and policies set.
fn input(
    ck: &mut Checker,
    at: &FieldPath,
    u: &RawUncertain,
    base: &Base,
    taken: &[(String, String)],
) -> Option<Input> {
    let (file, table) = (&base.file, &base.table);
    let [lo_v, hi_v] = u.range.as_slice() else {
        ck.report(
            &at.key("range"),
            format!("a range is two values [low, high] (got {})", u.range.len()),
        );
        return None;
    };
    if !check_matches(ck, &at.key("path"), table, file, &u.path, lo_v) {
        return None;
    }
    let mine: BTreeSet<String> = matched(table, &u.path).into_iter().collect();
    let clash = taken.iter().find_map(|(theirs, who)| {
        let m = mine.iter().find(|m| nests(m, theirs) || nests(theirs, m))?;
        Some((m, theirs, who))
    });
    if let Some((m, theirs, who)) = clash {
        let what = if m == theirs {
            format!("sets {m}, which {who} also sets")
        } else if nests(theirs, m) {
            format!("sets {m}, inside {theirs}, which {who} sets whole")
        } else {
            format!("sets {m}, which holds {theirs}, set by {who}")
        };
        ck.report(
            &at.key("path"),
            format!(
                "{what}: an uncertain input must be a field no axis, policy or other uncertain \
                 input changes, nor a part or a whole of one"
            ),
        );
        return None;
    }
    let rp = at.key("range");
    let (lo, kind, unit) = match number(lo_v, None) {
        Ok(x) => x,
        Err(e) => {
            ck.report(&rp.index(0), e);
            return None;
        }
    };
    // A duration against a rate: say so at the low end, before the high end is read in the
    // low end's unit (which would call "30min" a malformed rate).
    if let Ok((_, k, _)) = number(hi_v, None)
        && k != kind
        && [k, kind]
            .iter()
            .all(|k| matches!(k, ValueKind::Duration | ValueKind::Rate))
    {
        ck.report(
            &rp.index(0),
            format!(
                "the two ends are of different kinds: {lo_v} is a {}, {hi_v} a {}",
                kind_word(kind),
                kind_word(k)
            ),
        );
        return None;
    }
    let hi = match number(hi_v, Some(&unit)) {
        Ok((x, k, _))
            if k == kind
                || (kind != ValueKind::Duration
                    && kind != ValueKind::Rate
                    && matches!(k, ValueKind::Integer | ValueKind::Number)) =>
        {
            x
        }
        Ok(_) => {
            ck.report(
                &rp.index(1),
                format!("{hi_v} is not of the same kind as the low end {lo_v}"),
            );
            return None;
        }
        Err(e) => {
            ck.report(&rp.index(1), e);
            return None;
        }
    };
    let fits_lo = check_fits(ck, &rp.index(0), table, file, &u.path, lo_v);
    if !(check_fits(ck, &rp.index(1), table, file, &u.path, hi_v) && fits_lo) {
        return None;
    }
    if lo >= hi {
        ck.report(
            &rp,
            format!("the low end {lo_v} must be below the high end {hi_v}"),
        );
        return None;
    }
    // Whole numbers where the field takes no fraction (lanes, buffer places).
    let kind = match (lo_v, hi_v) {
        (toml::Value::Integer(_), toml::Value::Integer(_)) => {
            let half = toml::Value::Float(lo + 0.5);
            if misfits(table, file, &u.path, &half).is_empty() {
                ValueKind::Number
            } else {
                ValueKind::Integer
            }
        }
        (toml::Value::Integer(_) | toml::Value::Float(_), _) => ValueKind::Number,
        _ => kind,
    };
    let dist = match u.dist.as_deref() {
        None | Some("uniform") => Spread::Uniform,
        Some("triangular") => Spread::Triangular,
        Some("log-uniform") => Spread::LogUniform,
        Some(other) => {
            ck.report(
                &at.key("dist"),
                format!(
                    "unknown dist \"{other}\": an uncertain input is \"uniform\" (the default), \
                     \"triangular\" (with mode) or \"log-uniform\""
                ),
            );
            return None;
        }
    };
    let mode = match (&u.mode, dist) {
        (None, Spread::Triangular) => {
            ck.report(
                &at.key("dist"),
                "a triangular input needs its mode (mode = the most likely value)",
            );
            return None;
        }
        (None, _) => None,
        (Some(_), d) if d != Spread::Triangular => {
            ck.report(&at.key("mode"), "mode is for dist = \"triangular\"");
            return None;
        }
        (Some(m), _) => match number(m, Some(&unit)) {
            Ok((x, k, _))
                if (k == kind || kind != ValueKind::Duration && kind != ValueKind::Rate)
                    && (lo..=hi).contains(&x) =>
            {
                Some(x)
            }
            Ok((_, k, _)) if k != kind && matches!(kind, ValueKind::Duration | ValueKind::Rate) => {
                ck.report(
                    &at.key("mode"),
                    format!(
                        "the mode {m} must be a {} like the range [{lo_v}, {hi_v}]",
                        kind_word(kind)
                    ),
                );
                return None;
            }
            Ok(_) => {
                ck.report(
                    &at.key("mode"),
                    format!("the mode {m} must lie in the range [{lo_v}, {hi_v}]"),
                );
                return None;
            }
            Err(e) => {
                ck.report(&at.key("mode"), e);
                return None;
            }
        },
    };
    if dist == Spread::LogUniform && lo <= 0.0 {
        ck.report(
            &rp.index(0),
            format!("a log-uniform input needs a low end above 0 (got {lo_v})"),
        );
        return None;
    }
    for (key, text) in [("label", &u.label), ("source", &u.source)] {
        if text.as_ref().is_some_and(|t| t.trim().is_empty()) {
            ck.report(&at.key(key), "must not be empty");
        }
    }
    Some(Input {
        name: u.label.clone().unwrap_or_else(|| u.path.clone()),
        path: u.path.clone(),
        kind,
        unit,
        dist,
        low: lo,
        high: hi,
        mode,
        source: u.source.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: ValueKind, dist: Spread, low: f64, high: f64, mode: Option<f64>) -> Input {
        Input {
            name: "x".into(),
            path: "p".into(),
            kind,
            unit: if kind == ValueKind::Duration {
                "min".into()
            } else {
                String::new()
            },
            dist,
            low,
            high,
            mode,
            source: None,
        }
    }

    #[test]
    fn draws_map_the_unit_interval_onto_the_range() {
        let u = input(ValueKind::Duration, Spread::Uniform, 6.0, 30.0, None);
        assert_eq!(u.at(0.0), 6.0);
        assert_eq!(u.at(0.5), 18.0);
        assert_eq!(u.at(0.25), 12.0);
        assert_eq!(
            u.toml_value(u.at(0.123_456_7)),
            toml::Value::String("8.963min".into())
        );
        // Whole numbers 1..=4 each take a quarter of the unit interval.
        let n = input(ValueKind::Integer, Spread::Uniform, 1.0, 4.0, None);
        assert_eq!(
            [0.0, 0.24, 0.25, 0.74, 0.75, 0.999].map(|x| n.at(x)),
            [1.0, 1.0, 2.0, 3.0, 4.0, 4.0]
        );
        // Triangular (0, 1, 4): F(1) = 1/4; the median solves (4 − x)² = 0.5 × 4 × 3.
        let t = input(ValueKind::Number, Spread::Triangular, 0.0, 4.0, Some(1.0));
        assert_eq!(t.at(0.25), 1.0);
        assert!((t.at(0.5) - (4.0 - 6f64.sqrt())).abs() < 1e-5);
        // Log-uniform 1–100: the median is 10.
        let l = input(ValueKind::Number, Spread::LogUniform, 1.0, 100.0, None);
        assert!((l.at(0.5) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn fields_nest_segment_by_segment() {
        assert!(nests("a.b[1].service", "a.b[1].service.mean"));
        assert!(nests("a.b", "a.b[1].c"));
        assert!(nests("a.b", "a.b"));
        // A longer name is not inside a shorter one it starts with.
        assert!(!nests("a.b[1].service", "a.b[1].service_mean"));
        assert!(!nests("a.b[1]", "a.b[10].c"));
        assert!(!nests("a.b[1].service.mean", "a.b[1].service"));
    }

    #[test]
    fn values_keep_six_significant_digits() {
        assert_eq!(round_sig(17.352_612_3), 17.3526);
        assert_eq!(round_sig(1_234_567.0), 1_234_570.0);
        assert_eq!(round_sig(0.000_123_456_78), 0.000_123_457);
    }
}
