//! Checked field values: durations, distributions, integers in a range, non-negative numbers and
//! optional text fields. Each reports a bad value at its field path and yields `None`.

use std::fmt;

use crate::dist::Dist;
use crate::time::{SimDuration, parse_duration};

use super::error::{Checker, FieldPath};
use super::raw::RawDist;

/// A duration like `"20min"`.
pub(super) fn duration(ck: &mut Checker, path: &FieldPath, text: &str) -> Option<SimDuration> {
    match parse_duration(text) {
        Ok(d) => Some(d),
        Err(e) => {
            ck.report(path, e.to_string());
            None
        }
    }
}

/// A distribution table.
pub(super) fn dist(ck: &mut Checker, path: &FieldPath, raw: &RawDist) -> Option<Dist> {
    let mut d = |k: &str, t: &str| duration(ck, &path.key(k), t);
    let built = match raw {
        RawDist::Exponential { mean } => Dist::exponential(d("mean", mean)?),
        RawDist::Deterministic { value } => Dist::deterministic(d("value", value)?),
        RawDist::Uniform { min, max } => {
            let (a, b) = (d("min", min), d("max", max));
            Dist::uniform(a?, b?)
        }
        RawDist::Triangular { min, mode, max } => {
            let (a, m, b) = (d("min", min), d("mode", mode), d("max", max));
            Dist::triangular(a?, m?, b?)
        }
        RawDist::Lognormal { mean, sd, cv } => {
            let m = d("mean", mean);
            match spread(ck, path, sd, *cv)? {
                Spread::Sd(s) => Dist::lognormal(m?, s),
                Spread::Cv(cv) => Dist::lognormal_cv(m?, cv),
            }
        }
        RawDist::Gamma { mean, sd, cv } => {
            let m = d("mean", mean);
            match spread(ck, path, sd, *cv)? {
                Spread::Sd(s) => Dist::gamma(m?, s),
                Spread::Cv(cv) => Dist::gamma_cv(m?, cv),
            }
        }
        RawDist::Erlang { mean, k } => {
            let m = d("mean", mean);
            if *k < 1 || *k > 1000 {
                ck.report(
                    &path.key("k"),
                    format!("k must be between 1 and 1000 (got {k})"),
                );
                return None;
            }
            Dist::erlang(m?, *k as u32)
        }
        RawDist::Empirical { values } => {
            let mut out = Vec::with_capacity(values.len());
            let mut ok = true;
            for (i, v) in values.iter().enumerate() {
                match duration(ck, &path.key("values").index(i), v) {
                    Some(x) => out.push(x),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Dist::empirical(out)
        }
    };
    match built {
        Ok(x) => Some(x),
        Err(e) => {
            ck.report(path, e.to_string());
            None
        }
    }
}

/// The spread of a lognormal or gamma: a standard deviation or a coefficient of variation.
enum Spread {
    Sd(SimDuration),
    Cv(f64),
}

/// Exactly one of `sd` (a duration) and `cv` (sd ÷ mean, finite and > 0) of the table at `path`.
fn spread(
    ck: &mut Checker,
    path: &FieldPath,
    sd: &Option<String>,
    cv: Option<f64>,
) -> Option<Spread> {
    match (sd, cv) {
        (Some(sd), None) => duration(ck, &path.key("sd"), sd).map(Spread::Sd),
        (None, Some(cv)) if cv.is_finite() && cv > 0.0 => Some(Spread::Cv(cv)),
        (None, Some(cv)) => {
            ck.report(
                &path.key("cv"),
                format!("cv (sd ÷ mean) must be a finite number greater than zero (got {cv})"),
            );
            None
        }
        (Some(_), Some(_)) => {
            ck.report(
                &path.key("cv"),
                "give the spread once: sd (a duration) or cv (sd ÷ mean), not both",
            );
            None
        }
        (None, None) => {
            ck.report(
                path,
                "needs its spread: sd (a duration, e.g. sd = \"8min\") or cv (sd ÷ mean, e.g. \
                 cv = 0.9)",
            );
            None
        }
    }
}

/// A duration string or a distribution table (travel times).
pub(super) fn dist_or_duration(
    ck: &mut Checker,
    path: &FieldPath,
    v: &toml::Value,
) -> Option<Dist> {
    match v {
        toml::Value::String(s) => {
            let d = duration(ck, path, s)?;
            Dist::deterministic(d).ok()
        }
        toml::Value::Table(_) => match v.clone().try_into::<RawDist>() {
            Ok(raw) => dist(ck, path, &raw),
            Err(e) => {
                ck.report_type(path, e.message().to_string());
                None
            }
        },
        other => {
            ck.report_type(
                path,
                format!(
                    "expected a duration like \"20min\" or a distribution table, found {}",
                    other.type_str()
                ),
            );
            None
        }
    }
}

/// An integer between `lo` and `hi`; `what` names it in the message.
pub(super) fn int_in(
    ck: &mut Checker,
    path: &FieldPath,
    v: i64,
    lo: i64,
    hi: i64,
    what: &str,
) -> Option<i64> {
    if v < lo || v > hi {
        ck.report(
            path,
            format!("{what} must be between {lo} and {hi} (got {v})"),
        );
        None
    } else {
        Some(v)
    }
}

/// A finite number >= 0.
pub(super) fn nonneg(ck: &mut Checker, path: &FieldPath, v: f64) -> Option<f64> {
    if !v.is_finite() || v < 0.0 {
        ck.report(
            path,
            format!("must be a finite number >= 0 (got {})", num(v)),
        );
        None
    } else {
        Some(v)
    }
}

/// Parses an optional text field, reporting a malformed value at `path` (then `Err`).
pub(super) fn parse_opt<T, E: fmt::Display>(
    ck: &mut Checker,
    path: &FieldPath,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ()> {
    match value {
        None => Ok(None),
        Some(text) => parse(text)
            .map(Some)
            .map_err(|e| ck.report(path, e.to_string())),
    }
}

/// A number as people write it: plain up to a billion billion, in exponent form beyond (1e308
/// is not 309 digits).
pub(super) fn num(v: f64) -> String {
    if v.abs() < 1e18 {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}
