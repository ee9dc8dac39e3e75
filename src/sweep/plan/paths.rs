//! Field paths: setting every field a path matches in a scenario table, and checking a change
//! against the base scenario before any point is built.

use crate::scenario::{self, Checker, FieldPath, Overrides, ProblemKind};

/// Checks that `path` matches something in the base; reports at `at` if not.
pub(super) fn check_matches(
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
/// or an unknown field is an error of the sweep file, reported at the value. True if it fits.
pub(super) fn check_fits(
    ck: &mut Checker,
    at: &FieldPath,
    base: &toml::Table,
    base_file: &str,
    path: &str,
    value: &toml::Value,
) -> bool {
    let problems = misfits(base, base_file, path, value);
    for p in &problems {
        ck.report(
            at,
            format!(
                "setting {path} = {value} does not fit the scenario: {}: {}",
                p.path, p.message
            ),
        );
    }
    problems.is_empty()
}

/// The schema problems (wrong type, unknown field) of the base with `value` set at `path`;
/// none when the path matches nothing (that is [`check_matches`]' to say).
pub(super) fn misfits(
    base: &toml::Table,
    base_file: &str,
    path: &str,
    value: &toml::Value,
) -> Vec<scenario::Problem> {
    let mut probe = base.clone();
    if !matches!(apply(&mut probe, path, value), Ok(n) if n > 0) {
        return Vec::new();
    }
    match scenario::parse_table(&probe, base_file, Overrides::default()) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems
            .into_iter()
            .filter(|p| p.kind == ProblemKind::Schema)
            .collect(),
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

/// Follows `segs` from table `t`, counting in `n` the fields set.
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

/// Follows `segs` from value `v`: into a table by key, into an array by `*`, position or `id`.
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

/// The fields of `table` that `path` matches, as a [`crate::scenario::Problem`] writes paths
/// (`checkpoints[0].stages[1].lanes`): what [`apply`] would set.
pub(super) fn matched(table: &toml::Table, path: &str) -> Vec<String> {
    let segs: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    match_in_table(table, &segs, String::new(), &mut out);
    out
}

/// [`matched`] from table `t`, whose own path is `at`.
fn match_in_table(t: &toml::Table, segs: &[&str], at: String, out: &mut Vec<String>) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let key_path = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    if rest.is_empty() {
        if *first == "*" {
            out.extend(t.keys().map(|k| key_path(k)));
        } else {
            out.push(key_path(first));
        }
        return;
    }
    for (k, v) in t {
        if *first == "*" || k == first {
            match_in_value(v, rest, key_path(k), out);
        }
    }
}

/// [`matched`] from value `v`, whose own path is `at`.
fn match_in_value(v: &toml::Value, segs: &[&str], at: String, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) => match_in_table(t, segs, at, out),
        toml::Value::Array(items) => {
            let Some((first, rest)) = segs.split_first() else {
                return;
            };
            for (i, item) in items.iter().enumerate() {
                let hit = *first == "*"
                    || first.parse::<usize>() == Ok(i)
                    || item.get("id").and_then(|x| x.as_str()) == Some(*first);
                if hit && !rest.is_empty() {
                    match_in_value(item, rest, format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// An integer given where the base has a float becomes a float (`scale = 2` for `2.0`).
fn fit(old: &toml::Value, new: &toml::Value) -> toml::Value {
    match (old, new) {
        (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(*i as f64),
        _ => new.clone(),
    }
}
