//! Replication 0's wait distributions as quantile tables (CSV): for the whole system, each
//! checkpoint and each cargo class. The writer, the reader, and the report's tables taken
//! straight from memory sit side by side and agree on the precision of every column.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use super::read::{as_printed, columns, csv_err, field, number};
use crate::error::Error;
use crate::model::{Model, RepResult};
use crate::stats::Histogram;
use crate::time::MS_PER_HOUR;

/// Column names of the wait-distribution CSV.
pub const CDF_HEADER: [&str; 5] = ["entity_kind", "entity", "quantile", "wait_h", "vehicles"];

/// Decimals of the `quantile` column.
const SHARE_DECIMALS: usize = 2;
/// Decimals of the `wait_h` column.
const WAIT_DECIMALS: usize = 4;

/// Quantile levels of the wait-distribution table: 0, 0.01, …, 1.
fn levels() -> impl Iterator<Item = f64> {
    (0..=100).map(|i| i as f64 / 100.0)
}

fn wait_h(d: &Histogram, q: f64) -> f64 {
    d.quantile(q) / MS_PER_HOUR as f64
}

/// All flows' waits together.
fn system_waits(res: &RepResult) -> Histogram {
    let mut system = Histogram::new();
    for f in &res.flows {
        system.merge(&f.wait);
    }
    system
}

/// The distributions written, in order: (entity kind, id, waits).
fn tables<'a>(
    model: &'a Model,
    res: &'a RepResult,
    system: &'a Histogram,
) -> impl Iterator<Item = (&'static str, &'a str, &'a Histogram)> {
    let checkpoints = (model.checkpoints.iter().zip(&res.checkpoints))
        .map(|(spec, c)| ("checkpoint", spec.id.as_str(), &c.kpi.wait));
    let classes = (model.classes.iter().zip(&res.classes))
        .map(|(spec, k)| ("class", spec.id.as_str(), &k.wait));
    std::iter::once(("system", "all", system))
        .chain(checkpoints)
        .chain(classes)
}

/// Writes the wait distributions of one replication as quantile tables (101 levels each): for
/// the whole system (all flows), each checkpoint and each cargo class. `vehicles` is the number of
/// waits the table is made of; with none, `wait_h` is empty (there is no distribution, not a
/// distribution at 0 h).
pub fn write_waits<W: Write>(w: W, model: &Model, res: &RepResult) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CDF_HEADER)?;
    let system = system_waits(res);
    for (kind, id, d) in tables(model, res, &system) {
        for q in levels() {
            out.write_record([
                kind,
                id,
                &format!("{q:.SHARE_DECIMALS$}"),
                &if d.is_empty() {
                    String::new()
                } else {
                    format!("{:.WAIT_DECIMALS$}", wait_h(d, q))
                },
                &d.count().to_string(),
            ])?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Wait quantiles: (share of vehicles, wait \[h\]) with shares 0, 0.01, …, 1.
pub type Quantiles = Vec<(f64, f64)>;

/// Quantile tables per entity ("checkpoint/nur-zholy", "system/all").
pub type WaitTables = HashMap<String, Quantiles>;

/// The tables [`read_waits`] gets back from the file [`write_waits`] writes of `res`, taken
/// from memory (values at the precision the file prints them with); none for an entity without
/// waits.
pub fn wait_tables(model: &Model, res: &RepResult) -> WaitTables {
    let mut out = WaitTables::new();
    let system = system_waits(res);
    for (kind, id, d) in tables(model, res, &system) {
        if d.is_empty() {
            continue;
        }
        let table = out.entry(format!("{kind}/{id}")).or_default();
        for q in levels() {
            table.push((
                as_printed(q, SHARE_DECIMALS),
                as_printed(wait_h(d, q), WAIT_DECIMALS),
            ));
        }
    }
    sort(&mut out);
    out
}

fn sort(tables: &mut WaitTables) {
    for v in tables.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
}

/// Reads a wait-quantile CSV (as written by [`write_waits`]) into quantile tables per entity
/// ("checkpoint/nur-zholy"), sorted by share; rows without a wait (an entity without vehicles)
/// are left out.
pub fn read_waits<R: Read>(r: R, path: &Path) -> Result<WaitTables, Error> {
    let mut rd = csv::Reader::from_reader(r);
    let header = rd.byte_headers().map_err(|e| csv_err(path, e))?.clone();
    let [kind, entity, q, wait] = columns(
        &header,
        ["entity_kind", "entity", "quantile", "wait_h"],
        path,
    )?;
    let mut out = WaitTables::new();
    let mut rec = csv::ByteRecord::new();
    while rd
        .read_byte_record(&mut rec)
        .map_err(|e| csv_err(path, e))?
    {
        if field(&rec, wait).is_empty() {
            continue;
        }
        let key = format!("{}/{}", field(&rec, kind), field(&rec, entity));
        let pair = (number(&rec, q, path)?, number(&rec, wait, path)?);
        out.entry(key).or_default().push(pair);
    }
    sort(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::simulate;
    use crate::scenario::{Overrides, default_scenario};

    #[test]
    fn wait_tables_read_back_are_the_tables_taken_from_memory() {
        let overrides = Overrides {
            days: Some(20),
            replications: Some(1),
            ..Overrides::default()
        };
        let model = default_scenario(overrides).expect("the built-in scenario is valid");
        let rep = simulate(&model, 0);
        let mut file = Vec::new();
        write_waits(&mut file, &model, &rep).unwrap();
        let back = read_waits(file.as_slice(), Path::new("waits.csv")).unwrap();
        let memory = wait_tables(&model, &rep);
        assert_eq!(back, memory);
        assert_eq!(memory["system/all"].len(), 101);
    }
}
