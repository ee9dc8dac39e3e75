//! Reading this layer's files back: the error that names the file at fault, and the CSV field
//! helpers the readers share.

use std::path::Path;

use crate::error::Error;

use serde_json::Value;

/// The error `message` about `path`.
pub(crate) fn err(path: &Path, message: impl Into<String>) -> Error {
    Error::results(path, message)
}

/// The unsigned integer at `key` of `v`.
pub(crate) fn as_u64(v: &Value, key: &str, path: &Path) -> Result<u64, Error> {
    v.get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| err(path, format!("missing or invalid \"{key}\"")))
}

/// The string at `key` of `v`.
pub(crate) fn as_str<'a>(v: &'a Value, key: &str, path: &Path) -> Result<&'a str, Error> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| err(path, format!("missing or invalid \"{key}\"")))
}

pub(crate) fn csv_err(path: &Path, e: csv::Error) -> Error {
    err(path, format!("invalid CSV: {e}"))
}

/// Column positions of `names` in a CSV header.
pub(crate) fn columns<const N: usize>(
    header: &csv::ByteRecord,
    names: [&str; N],
    path: &Path,
) -> Result<[usize; N], Error> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header
            .iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| err(path, format!("no column \"{name}\"")))?;
    }
    Ok(out)
}

pub(crate) fn field(rec: &csv::ByteRecord, i: usize) -> &str {
    rec.get(i)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

pub(crate) fn number(rec: &csv::ByteRecord, i: usize, path: &Path) -> Result<f64, Error> {
    let s = field(rec, i);
    s.parse::<f64>().map_err(|_| {
        let line = rec.position().map_or(0, |p| p.line());
        err(path, format!("line {line}: \"{s}\" is not a number"))
    })
}

/// `x` as a reader gets it back from a file that prints it with `decimals` decimals: what the
/// in-memory report shows must be what the same report read from files shows.
pub(crate) fn as_printed(x: f64, decimals: usize) -> f64 {
    format!("{x:.decimals$}").parse().unwrap_or(x)
}
