//! Replication 0's time series per stage as CSV, for the HTML report and for users' own plots:
//! the writer, the reader, and the report's samples taken straight from memory, all three
//! agreeing on what a column holds and how precisely it is printed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;

use super::read::{as_printed, columns, csv_err, field, number};
use crate::error::Error;
use crate::model::{Model, SeriesRow};
use crate::time::{MS_PER_DAY, MS_PER_HOUR, date_plus_days};

/// Column names of the time-series CSV.
pub const SERIES_HEADER: [&str; 18] = [
    "time",
    "hours",
    "checkpoint",
    "stage",
    "queue",
    "queue_km",
    "road",
    "busy",
    "lanes_open",
    "lanes",
    "arrivals",
    "served",
    "started",
    "wait_mean_h",
    "daily_quota",
    "blocked",
    "busy_lane_h",
    "open_lane_h",
];

/// Decimals of the `hours` column.
const HOURS_DECIMALS: usize = 4;
/// Decimals of the `queue_km` column.
const KM_DECIMALS: usize = 3;
/// Decimals of the lane-time columns [lane-h].
const LANE_H_DECIMALS: usize = 6;

fn lane_h(ms: i64) -> f64 {
    ms as f64 / MS_PER_HOUR as f64
}

/// Local date and time of `ms` after day 0 on the reference clock, as "YYYY-MM-DD HH:MM".
pub fn timestamp(model: &Model, ms: i64) -> String {
    let day = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (h, m) = (in_day / MS_PER_HOUR, in_day % MS_PER_HOUR / 60_000);
    match date_plus_days(model.start_date, day) {
        Some(d) => format!("{d} {h:02}:{m:02}"),
        None => format!("day {day} {h:02}:{m:02}"),
    }
}

fn hours(r: &SeriesRow) -> f64 {
    r.at.as_ms() as f64 / MS_PER_HOUR as f64
}

fn queue_km(model: &Model, r: &SeriesRow) -> f64 {
    let km = model.metres_per_vehicle / 1000.0;
    r.road as f64 * km
}

/// "checkpoint/stage" of a row.
fn stage_key(model: &Model, r: &SeriesRow) -> (String, String) {
    let st = &model.stages[r.stage as usize];
    let cp = &model.checkpoints[st.checkpoint as usize];
    (cp.id.clone(), st.id.clone())
}

/// Writes `rows` (from [`crate::model::simulate_with`]) as CSV: one line per stage and sampling
/// instant. Levels (`queue`, `queue_km`, `road`, `busy`, `lanes_open`) are those just before the
/// instant; `arrivals`, `served`, `started`, `wait_mean_h` (mean wait of the services started),
/// `busy_lane_h` (busy lane-time) and `open_lane_h` (open lane-time) cover the step
/// `[previous instant, instant)`. `lanes` and `daily_quota` are the stage's capacity just before
/// the instant, like the levels (a dated change at the instant shows from the next sample).
pub fn write_series<W: Write>(w: W, model: &Model, rows: &[SeriesRow]) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SERIES_HEADER)?;
    for r in rows {
        let (cp, st) = stage_key(model, r);
        let wait = if r.started > 0 {
            format!(
                "{:.4}",
                r.wait_sum_ms as f64 / r.started as f64 / MS_PER_HOUR as f64
            )
        } else {
            String::new()
        };
        out.write_record([
            timestamp(model, r.at.as_ms()),
            format!("{:.HOURS_DECIMALS$}", hours(r)),
            cp,
            st,
            r.queue.to_string(),
            format!("{:.KM_DECIMALS$}", queue_km(model, r)),
            r.road.to_string(),
            r.busy.to_string(),
            r.lanes_open.to_string(),
            r.lanes.to_string(),
            r.arrivals.to_string(),
            r.served.to_string(),
            r.started.to_string(),
            wait,
            r.daily_quota.map(|q| q.to_string()).unwrap_or_default(),
            r.blocked.to_string(),
            format!("{:.LANE_H_DECIMALS$}", lane_h(r.busy_lane_ms)),
            format!("{:.LANE_H_DECIMALS$}", lane_h(r.open_lane_ms)),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// One sampling instant of one stage (a row of the series, the columns the report uses).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Hours since midnight of day 0 on the reference clock.
    pub hours: f64,
    /// Vehicles waiting at the instant.
    pub queue: f64,
    /// Road queue at the instant \[km\].
    pub queue_km: f64,
    /// Lanes busy at the instant.
    pub busy: f64,
    /// Lanes open at the instant.
    pub lanes_open: f64,
    /// Vehicles that finished service in the step ending at the instant.
    pub served: f64,
    /// The stage's daily quota at the instant (it may change on dates); `None` without one.
    pub daily_quota: Option<f64>,
    /// Busy lane-time in the step ending at the instant \[lane-h\]; `None` in older files.
    pub busy_lane_h: Option<f64>,
    /// Open lane-time in the step ending at the instant \[lane-h\]; `None` in older files.
    pub open_lane_h: Option<f64>,
}

/// Samples per stage ("checkpoint/stage"), in time order.
pub type StageSeries = HashMap<String, Vec<Sample>>;

fn push(out: &mut StageSeries, key: &str, s: Sample) {
    match out.get_mut(key) {
        Some(v) => v.push(s),
        None => {
            out.insert(key.to_string(), vec![s]);
        }
    }
}

/// The samples [`read_series`] gets back from the file [`write_series`] writes of `rows`,
/// taken from memory (values at the precision the file prints them with).
pub fn series_samples(model: &Model, rows: &[SeriesRow]) -> StageSeries {
    let mut out = StageSeries::new();
    for r in rows {
        let (cp, st) = stage_key(model, r);
        let s = Sample {
            hours: as_printed(hours(r), HOURS_DECIMALS),
            queue: r.queue as f64,
            queue_km: as_printed(queue_km(model, r), KM_DECIMALS),
            busy: r.busy as f64,
            lanes_open: r.lanes_open as f64,
            served: r.served as f64,
            daily_quota: r.daily_quota.map(f64::from),
            busy_lane_h: Some(as_printed(lane_h(r.busy_lane_ms), LANE_H_DECIMALS)),
            open_lane_h: Some(as_printed(lane_h(r.open_lane_ms), LANE_H_DECIMALS)),
        };
        push(&mut out, &format!("{cp}/{st}"), s);
    }
    out
}

/// Reads a time-series CSV (as written by [`write_series`]) into samples per stage
/// ("checkpoint/stage"). `path` names the source in errors.
pub fn read_series<R: Read>(r: R, path: &Path) -> Result<StageSeries, Error> {
    let mut rd = csv::Reader::from_reader(r);
    let header = rd.byte_headers().map_err(|e| csv_err(path, e))?.clone();
    let [hours, cp, stage, queue, km, busy, open, served] = columns(
        &header,
        [
            "hours",
            "checkpoint",
            "stage",
            "queue",
            "queue_km",
            "busy",
            "lanes_open",
            "served",
        ],
        path,
    )?;
    // Optional: older series files have no per-instant quota and no lane-time.
    let optional = |name: &str| header.iter().position(|h| h == name.as_bytes());
    let (quota, busy_h, open_h) = (
        optional("daily_quota"),
        optional("busy_lane_h"),
        optional("open_lane_h"),
    );
    let maybe = |rec: &csv::ByteRecord, i: Option<usize>| -> Result<Option<f64>, Error> {
        match i {
            Some(i) if !field(rec, i).is_empty() => Ok(Some(number(rec, i, path)?)),
            _ => Ok(None),
        }
    };
    let mut out = StageSeries::new();
    let mut rec = csv::ByteRecord::new();
    let mut key = String::new();
    while rd
        .read_byte_record(&mut rec)
        .map_err(|e| csv_err(path, e))?
    {
        key.clear();
        let _ = write!(key, "{}/{}", field(&rec, cp), field(&rec, stage));
        let s = Sample {
            hours: number(&rec, hours, path)?,
            queue: number(&rec, queue, path)?,
            queue_km: number(&rec, km, path)?,
            busy: number(&rec, busy, path)?,
            lanes_open: number(&rec, open, path)?,
            served: number(&rec, served, path)?,
            daily_quota: maybe(&rec, quota)?,
            busy_lane_h: maybe(&rec, busy_h)?,
            open_lane_h: maybe(&rec, open_h)?,
        };
        push(&mut out, &key, s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Observe, simulate_with};
    use crate::scenario::{Overrides, default_scenario};

    #[test]
    fn series_read_back_are_the_samples_taken_from_memory() {
        let overrides = Overrides {
            days: Some(20),
            replications: Some(1),
            ..Overrides::default()
        };
        let model = default_scenario(overrides).expect("the built-in scenario is valid");
        let observe = Observe {
            series_step: Some(model.series_step),
        };
        let rep = simulate_with(&model, 0, observe);
        assert!(!rep.series.is_empty());
        let mut file = Vec::new();
        write_series(&mut file, &model, &rep.series).unwrap();
        let back = read_series(file.as_slice(), Path::new("series.csv")).unwrap();
        assert_eq!(back, series_samples(&model, &rep.series));
    }
}
