//! Detail outputs of one replication, as CSV for the HTML report and for users' own plots:
//! the per-stage time series ([`SeriesRow`]) and the wait distributions (as quantile tables).
//!
//! Both are written for replication 0 of a run or of each sweep point: the summaries carry the
//! across-replication confidence intervals; these files show what one simulated year looked like.

use std::io::Write;

use crate::model::{Model, RepResult, SeriesRow};
use crate::stats::Distribution;
use crate::time::{MS_PER_DAY, MS_PER_HOUR, date_plus_days};

/// Column names of the time-series CSV.
pub const SERIES_HEADER: [&str; 15] = [
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
];

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

/// Writes `rows` (from [`crate::model::simulate_with`]) as CSV: one line per stage and sampling
/// instant. Levels (`queue`, `queue_km`, `road`, `busy`, `lanes_open`) are those just before the
/// instant; `arrivals`, `served`, `started` and `wait_mean_h` (mean wait of the services started)
/// cover the step `[previous instant, instant)`. `lanes` and `daily_quota` are the stage's
/// capacity at the instant (after its dated changes).
pub fn write_series<W: Write>(w: W, model: &Model, rows: &[SeriesRow]) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SERIES_HEADER)?;
    let km = model.metres_per_vehicle / 1000.0;
    for r in rows {
        let st = &model.stages[r.stage as usize];
        let cp = &model.checkpoints[st.checkpoint as usize];
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
            format!("{:.4}", r.at.as_ms() as f64 / MS_PER_HOUR as f64),
            cp.id.clone(),
            st.id.clone(),
            r.queue.to_string(),
            format!("{:.3}", r.road as f64 * km),
            r.road.to_string(),
            r.busy.to_string(),
            r.lanes_open.to_string(),
            r.lanes.to_string(),
            r.arrivals.to_string(),
            r.served.to_string(),
            r.started.to_string(),
            wait,
            r.daily_quota.map(|q| q.to_string()).unwrap_or_default(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// Quantile levels of the wait-distribution table: 0, 0.01, …, 1.
fn levels() -> impl Iterator<Item = f64> {
    (0..=100).map(|i| i as f64 / 100.0)
}

/// Column names of the wait-distribution CSV.
pub const CDF_HEADER: [&str; 5] = ["entity_kind", "entity", "quantile", "wait_h", "vehicles"];

/// Writes the wait distributions of one replication as quantile tables (101 levels each): for
/// the whole system (all flows), each checkpoint and each cargo class. `vehicles` is the number of
/// waits the table is made of.
pub fn write_cdf<W: Write>(w: W, model: &Model, res: &RepResult) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CDF_HEADER)?;
    let mut system = Distribution::new();
    for f in &res.flows {
        system.merge(&f.wait);
    }
    let mut table = |kind: &str, id: &str, d: &Distribution| -> csv::Result<()> {
        for q in levels() {
            out.write_record([
                kind,
                id,
                &format!("{q:.2}"),
                &format!("{:.4}", d.quantile(q) / MS_PER_HOUR as f64),
                &d.count().to_string(),
            ])?;
        }
        Ok(())
    };
    table("system", "all", &system)?;
    for (spec, c) in model.checkpoints.iter().zip(&res.checkpoints) {
        table("checkpoint", &spec.id, &c.kpi.wait)?;
    }
    for (spec, k) in model.classes.iter().zip(&res.classes) {
        table("class", &spec.id, &k.wait)?;
    }
    out.flush()?;
    Ok(())
}
