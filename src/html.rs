//! The self-contained HTML report: one offline file with inline CSS and inline SVG charts (drawn
//! with `plotters`' SVG backend, which writes `<text>` elements and needs no fonts), no scripts
//! and no external resources.
//!
//! Two sources fill the same [`ReportData`]: a sweep output directory ([`load_dir`]: manifest,
//! summary and the `detail/` CSVs of replication 0 of each point) and a single run
//! ([`from_run`], which writes the same CSVs into memory and reads them back with the same
//! parser). [`render`] turns it into the page: a header (what was simulated), a comparison table
//! of the points with 95% intervals and paired differences, a yearly table when the run spans
//! more than a year, and five charts per checkpoint.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

use crate::model::{Model, RepResult};
use crate::stats::Estimate;
use crate::sweep::{EntitySummary, HOUR_PREFIX, Summary, exec};

/// A report input that cannot be read: the file and what is wrong with it.
#[derive(Debug)]
pub struct ReportError {
    /// The file or directory at fault.
    pub path: PathBuf,
    /// What is wrong, lowercase.
    pub message: String,
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ReportError {}

fn err(path: &Path, message: impl Into<String>) -> ReportError {
    ReportError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Paired difference of a KPI from the baseline point (this point − baseline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diff {
    /// Mean difference over paired replications.
    pub mean: f64,
    /// 95% half-width of the difference.
    pub ci95: f64,
    /// True when the interval excludes zero.
    pub significant: bool,
}

/// One KPI of one entity at one point: mean and 95% half-width over replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kpi {
    /// Mean over replications.
    pub mean: f64,
    /// 95% confidence half-width (0 for one replication).
    pub ci95: f64,
    /// Difference from the baseline, if the point has one and is not it.
    pub diff: Option<Diff>,
}

/// A stage of a checkpoint as configured at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct StageInfo {
    /// Stage id ("kz-exit").
    pub id: String,
    /// Lanes.
    pub lanes: u32,
    /// Service starts allowed per local day, if capped.
    pub daily_quota: Option<u32>,
}

/// A checkpoint as configured at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckpointInfo {
    /// Checkpoint id ("nur-zholy").
    pub id: String,
    /// Display name, if the scenario gives one.
    pub name: Option<String>,
    /// Stages in the order a vehicle passes them.
    pub stages: Vec<StageInfo>,
}

impl CheckpointInfo {
    /// The name to show: the display name with the id, or the id.
    pub fn title(&self) -> String {
        match &self.name {
            Some(n) if n != &self.id => format!("{n} ({})", self.id),
            _ => self.id.clone(),
        }
    }
}

/// One sampling instant of one stage (a row of the series CSV, the columns the report uses).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Hours since midnight of day 0 on the reference clock.
    pub hours: f64,
    /// Vehicles waiting at the instant.
    pub queue: f64,
    /// Road queue at the instant [km].
    pub queue_km: f64,
    /// Lanes busy at the instant.
    pub busy: f64,
    /// Lanes open at the instant.
    pub lanes_open: f64,
    /// Vehicles that finished service in the step ending at the instant.
    pub served: f64,
    /// The stage's daily quota at the instant (it may change on dates); `None` without one.
    pub daily_quota: Option<f64>,
}

/// Wait quantiles: (share of vehicles, wait [h]) with shares 0, 0.01, …, 1.
pub type Quantiles = Vec<(f64, f64)>;

/// The results of one point (one policy combination, or the single scenario of a run).
#[derive(Clone, Debug, Default)]
pub struct Point {
    /// Point index in the sweep.
    pub index: usize,
    /// Point label ("policy=today, demand=x1").
    pub label: String,
    /// Checkpoints as configured at this point.
    pub checkpoints: Vec<CheckpointInfo>,
    /// KPIs by entity ("system/all", "checkpoint/nur-zholy", "stage/nur-zholy/kz-exit") and KPI
    /// name; hour-of-day waits are `wait_by_hour_h.HH`.
    pub kpis: HashMap<String, HashMap<String, Kpi>>,
    /// Replication 0's time series by stage ("nur-zholy/kz-exit"); `None` without detail files.
    pub series: Option<HashMap<String, Vec<Sample>>>,
    /// Replication 0's wait quantiles by entity ("checkpoint/nur-zholy", "system/all").
    pub waits: HashMap<String, Quantiles>,
}

impl Point {
    /// KPI `kpi` of entity `entity` ("checkpoint/nur-zholy").
    pub fn kpi(&self, entity: &str, kpi: &str) -> Option<Kpi> {
        self.kpis.get(entity)?.get(kpi).copied()
    }

    /// Mean system wait [h], the ranking key (points without it rank last).
    fn rank_key(&self) -> f64 {
        self.kpi("system/all", "wait_mean_h")
            .map(|k| k.mean)
            .filter(|m| m.is_finite())
            .unwrap_or(f64::INFINITY)
    }
}

/// Everything the report shows, from a sweep directory or a single run.
#[derive(Clone, Debug, Default)]
pub struct ReportData {
    /// "sweep" or "scenario".
    pub kind: String,
    /// Sweep name, or scenario name for a single run.
    pub name: String,
    /// Base scenario name.
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Horizon [days].
    pub days: u32,
    /// Warm-up [days].
    pub warmup_days: u32,
    /// Date of day 0 ("YYYY-MM-DD").
    pub start_date: String,
    /// Sampling step of the series [h].
    pub series_step_h: f64,
    /// borderflow version that produced the results.
    pub version: String,
    /// Position in `points` of the baseline point, if any.
    pub baseline: Option<usize>,
    /// The valid points, in index order.
    pub points: Vec<Point>,
    /// Remarks shown under the header (skipped points, missing detail files).
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Loading

fn read_text(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|e| err(path, format!("cannot read: {e}")))
}

fn read_json(path: &Path) -> Result<Value, ReportError> {
    serde_json::from_str(&read_text(path)?).map_err(|e| err(path, format!("invalid JSON: {e}")))
}

fn as_u64(v: &Value, key: &str, path: &Path) -> Result<u64, ReportError> {
    v.get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| err(path, format!("missing or invalid \"{key}\"")))
}

fn as_str<'a>(v: &'a Value, key: &str, path: &Path) -> Result<&'a str, ReportError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| err(path, format!("missing or invalid \"{key}\"")))
}

/// Reads the checkpoints of a scenario-facts object (see [`exec::scenario_facts`]).
fn parse_checkpoints(facts: &Value, path: &Path) -> Result<Vec<CheckpointInfo>, ReportError> {
    let list = facts
        .get("checkpoints")
        .and_then(Value::as_array)
        .ok_or_else(|| err(path, "scenario facts lack \"checkpoints\""))?;
    list.iter()
        .map(|c| {
            let stages = c
                .get("stages")
                .and_then(Value::as_array)
                .ok_or_else(|| err(path, "a checkpoint lacks \"stages\""))?
                .iter()
                .map(|s| {
                    Ok(StageInfo {
                        id: as_str(s, "id", path)?.to_string(),
                        lanes: as_u64(s, "lanes", path)? as u32,
                        daily_quota: s
                            .get("daily_quota")
                            .and_then(Value::as_u64)
                            .map(|q| q as u32),
                    })
                })
                .collect::<Result<_, ReportError>>()?;
            Ok(CheckpointInfo {
                id: as_str(c, "id", path)?.to_string(),
                name: c.get("name").and_then(Value::as_str).map(str::to_string),
                stages,
            })
        })
        .collect()
}

/// Fills the header fields of `data` from a scenario-facts object.
fn apply_facts(data: &mut ReportData, facts: &Value, path: &Path) -> Result<(), ReportError> {
    data.scenario = as_str(facts, "name", path)?.to_string();
    data.seed = as_u64(facts, "seed", path)?;
    data.days = as_u64(facts, "days", path)? as u32;
    data.warmup_days = as_u64(facts, "warmup_days", path)? as u32;
    data.start_date = as_str(facts, "start_date", path)?.to_string();
    data.series_step_h = facts
        .get("series_step_h")
        .and_then(Value::as_f64)
        .unwrap_or(1.0);
    Ok(())
}

fn csv_err(path: &Path, e: csv::Error) -> ReportError {
    err(path, format!("invalid CSV: {e}"))
}

/// Column positions of `names` in a CSV header.
fn columns<const N: usize>(
    header: &csv::ByteRecord,
    names: [&str; N],
    path: &Path,
) -> Result<[usize; N], ReportError> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header
            .iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| err(path, format!("no column \"{name}\"")))?;
    }
    Ok(out)
}

fn field(rec: &csv::ByteRecord, i: usize) -> &str {
    rec.get(i)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

fn number(rec: &csv::ByteRecord, i: usize, path: &Path) -> Result<f64, ReportError> {
    let s = field(rec, i);
    s.parse::<f64>().map_err(|_| {
        let line = rec.position().map_or(0, |p| p.line());
        err(path, format!("line {line}: \"{s}\" is not a number"))
    })
}

/// Reads a time-series CSV (as written by [`crate::detail::write_series`]) into samples per
/// stage ("checkpoint/stage"). `path` names the source in errors.
pub fn parse_series<R: Read>(
    r: R,
    path: &Path,
) -> Result<HashMap<String, Vec<Sample>>, ReportError> {
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
    // Optional: older series files have no per-instant quota.
    let quota = header.iter().position(|h| h == b"daily_quota");
    let mut out: HashMap<String, Vec<Sample>> = HashMap::new();
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
            daily_quota: match quota {
                Some(i) if !field(&rec, i).is_empty() => Some(number(&rec, i, path)?),
                _ => None,
            },
        };
        match out.get_mut(key.as_str()) {
            Some(v) => v.push(s),
            None => {
                out.insert(key.clone(), vec![s]);
            }
        }
    }
    Ok(out)
}

/// Reads a wait-quantile CSV (as written by [`crate::detail::write_cdf`]) into quantile tables
/// per entity ("checkpoint/nur-zholy"), sorted by share.
pub fn parse_waits<R: Read>(r: R, path: &Path) -> Result<HashMap<String, Quantiles>, ReportError> {
    let mut rd = csv::Reader::from_reader(r);
    let header = rd.byte_headers().map_err(|e| csv_err(path, e))?.clone();
    let [kind, entity, q, wait] = columns(
        &header,
        ["entity_kind", "entity", "quantile", "wait_h"],
        path,
    )?;
    let mut out: HashMap<String, Quantiles> = HashMap::new();
    let mut rec = csv::ByteRecord::new();
    while rd
        .read_byte_record(&mut rec)
        .map_err(|e| csv_err(path, e))?
    {
        let key = format!("{}/{}", field(&rec, kind), field(&rec, entity));
        let pair = (number(&rec, q, path)?, number(&rec, wait, path)?);
        out.entry(key).or_default().push(pair);
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(out)
}

/// Reads the KPIs of one point of `summary.json` (`results`: kind → id → KPI → estimate).
fn parse_results(results: &Value) -> HashMap<String, HashMap<String, Kpi>> {
    let mut out = HashMap::new();
    let Some(kinds) = results.as_object() else {
        return out;
    };
    // The report uses system, checkpoint and stage KPIs; flows and classes stay in summary.json.
    for kind in ["system", "checkpoint", "stage"] {
        let Some(ids) = kinds.get(kind).and_then(Value::as_object) else {
            continue;
        };
        for (id, kpis) in ids {
            let Some(kpis) = kpis.as_object() else {
                continue;
            };
            let map = kpis
                .iter()
                .filter_map(|(name, c)| {
                    let f = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
                    let diff = c.get("diff").and_then(|d| {
                        Some(Diff {
                            mean: f(d, "mean")?,
                            ci95: f(d, "ci95")?,
                            significant: d.get("significant")?.as_bool()?,
                        })
                    });
                    Some((
                        name.clone(),
                        Kpi {
                            mean: f(c, "mean")?,
                            ci95: f(c, "ci95").unwrap_or(0.0),
                            diff,
                        },
                    ))
                })
                .collect();
            out.insert(format!("{kind}/{id}"), map);
        }
    }
    out
}

/// Reads a sweep output directory (`borderflow sweep … --out DIR`): `manifest.json`,
/// `summary.json` and, where present, `detail/point-NNN-series.csv` and `-waits.csv`.
pub fn load_dir(dir: &Path) -> Result<ReportData, ReportError> {
    if !dir.is_dir() {
        return Err(err(
            dir,
            "no such directory (expected a sweep output directory)",
        ));
    }
    let mpath = dir.join("manifest.json");
    if !mpath.is_file() {
        return Err(err(
            &mpath,
            "not found; is this a sweep output directory (borderflow sweep FILE --out DIR)?",
        ));
    }
    let manifest = read_json(&mpath)?;
    let spath = dir.join("summary.json");
    if !spath.is_file() {
        return Err(err(
            &spath,
            "not found; the sweep is incomplete (merge the shards or --resume it)",
        ));
    }
    let summary = read_json(&spath)?;

    let mut data = ReportData {
        kind: "sweep".into(),
        name: as_str(&manifest, "sweep", &mpath)?.to_string(),
        replications: as_u64(&manifest, "replications", &mpath)? as u32,
        version: manifest
            .get("borderflow_version")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string(),
        ..ReportData::default()
    };
    let baseline_label = manifest.get("baseline").and_then(Value::as_str);
    let mpoints = manifest
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| err(&mpath, "missing \"points\""))?;
    let spoints = summary
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| err(&spath, "missing \"points\""))?;
    let mut facts_set = false;
    for mp in mpoints {
        let index = as_u64(mp, "index", &mpath)? as usize;
        let label = as_str(mp, "label", &mpath)?.to_string();
        if mp.get("status").and_then(Value::as_str) != Some("ok") {
            data.notes.push(format!(
                "Point \"{label}\" is invalid and was not run; it is left out."
            ));
            continue;
        }
        let facts = mp
            .get("scenario")
            .ok_or_else(|| err(&mpath, format!("point {index} lacks \"scenario\"")))?;
        let is_baseline = baseline_label == Some(label.as_str());
        if !facts_set || is_baseline {
            apply_facts(&mut data, facts, &mpath)?;
            facts_set = true;
        }
        let Some(results) = spoints
            .iter()
            .find(|p| p.get("index").and_then(Value::as_u64) == Some(index as u64))
            .and_then(|p| p.get("results"))
        else {
            data.notes.push(format!(
                "Point \"{label}\" has no results in summary.json; it is left out."
            ));
            continue;
        };
        let detail = dir.join("detail");
        let spath = detail.join(format!("point-{index:03}-series.csv"));
        let series = if spath.is_file() {
            let f = std::fs::File::open(&spath).map_err(|e| err(&spath, e.to_string()))?;
            Some(parse_series(std::io::BufReader::new(f), &spath)?)
        } else {
            data.notes.push(format!(
                "No time series for \"{label}\" ({} missing): its time charts are empty.",
                spath.display()
            ));
            None
        };
        let wpath = detail.join(format!("point-{index:03}-waits.csv"));
        let waits = if wpath.is_file() {
            let f = std::fs::File::open(&wpath).map_err(|e| err(&wpath, e.to_string()))?;
            parse_waits(std::io::BufReader::new(f), &wpath)?
        } else {
            HashMap::new()
        };
        if is_baseline {
            data.baseline = Some(data.points.len());
        }
        data.points.push(Point {
            index,
            label,
            checkpoints: parse_checkpoints(facts, &mpath)?,
            kpis: parse_results(results),
            series,
            waits,
        });
    }
    if data.points.is_empty() {
        return Err(err(&mpath, "the sweep has no valid point to report"));
    }
    Ok(data)
}

/// KPIs of a run's entity summary in the report's shape (hour-of-day waits as KPIs).
fn entity_kpis(e: &EntitySummary) -> HashMap<String, Kpi> {
    let kpi = |est: &Estimate| Kpi {
        mean: est.mean,
        ci95: est.ci95,
        diff: None,
    };
    let mut m: HashMap<String, Kpi> = e
        .metrics
        .iter()
        .map(|(n, est)| (n.clone(), kpi(est)))
        .collect();
    for (h, w) in e.wait_by_hour_h.iter().enumerate() {
        if let Some(w) = w {
            m.insert(
                format!("{HOUR_PREFIX}{h:02}"),
                Kpi {
                    mean: *w,
                    ci95: 0.0,
                    diff: None,
                },
            );
        }
    }
    m
}

/// The report of a single run: one point (the scenario), no baseline. `rep0` must come from
/// [`crate::sweep::run_detailed`] so that it carries the time series.
pub fn from_run(
    model: &Model,
    summary: &Summary,
    rep0: &RepResult,
) -> Result<ReportData, ReportError> {
    let source = PathBuf::from(format!("<run of {}>", model.name));
    let facts = exec::scenario_facts(model);
    let mut data = ReportData {
        kind: "scenario".into(),
        name: model.name.clone(),
        replications: summary.replications,
        version: env!("CARGO_PKG_VERSION").into(),
        ..ReportData::default()
    };
    apply_facts(&mut data, &facts, &source)?;

    // The same CSVs a sweep writes, read back by the same parsers.
    let mut buf = Vec::new();
    crate::detail::write_series(&mut buf, model, &rep0.series)
        .map_err(|e| err(&source, format!("cannot write the series: {e}")))?;
    let series = parse_series(buf.as_slice(), &source)?;
    buf.clear();
    crate::detail::write_cdf(&mut buf, model, rep0)
        .map_err(|e| err(&source, format!("cannot write the wait table: {e}")))?;
    let waits = parse_waits(buf.as_slice(), &source)?;

    let mut kpis = HashMap::new();
    let groups = [
        std::slice::from_ref(&summary.system),
        &summary.checkpoints,
        &summary.stages,
    ];
    for e in groups.into_iter().flatten() {
        kpis.insert(format!("{}/{}", e.kind.as_str(), e.id), entity_kpis(e));
    }
    data.points.push(Point {
        index: 0,
        label: model.name.clone(),
        checkpoints: parse_checkpoints(&facts, &source)?,
        kpis,
        series: Some(series),
        waits,
    });
    Ok(data)
}

// ---------------------------------------------------------------------------------------------
// Charts

/// Most lines drawn per chart; with more points, see [`shown_points`].
const MAX_LINES: usize = 8;
/// Chart width [px]; two fit side by side in a 1400 px window.
const CHART_W: u32 = 670;
/// Height of a chart's plot (caption, axes, plot) [px]; the legend adds rows below.
const PLOT_H: u32 = 360;
/// Height of one legend row [px].
const LEGEND_ROW_H: u32 = 20;
/// Colour of the baseline point's line (dark grey, drawn wider).
const BASELINE_COLOR: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Colours of the other points' lines (colour-blind-friendly Tableau order, without red).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xbc, 0xbd, 0x22),
];
/// Background of the plot area, a faint blue-white that marks where a chart plots (the browser
/// test finds the charts by it).
pub const PLOT_BG: (u8, u8, u8) = (0xfa, 0xfb, 0xff);
/// Colour of reference lines such as a daily quota (red, dashed).
const QUOTA_COLOR: RGBColor = RGBColor(0xd6, 0x27, 0x28);

/// One line of a chart: its legend label, style and data (segments break where data is missing).
struct Line {
    label: String,
    color: RGBColor,
    width: u32,
    dashed: bool,
    /// True for the reference point's line (the baseline, or the only point).
    reference: bool,
    segments: Vec<Vec<(f64, f64)>>,
}

/// A line chart: title, axis labels with units, ranges, lines.
struct Chart<'a> {
    title: String,
    x_desc: &'a str,
    y_desc: &'a str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_fmt: &'a dyn Fn(&f64) -> String,
    y_fmt: &'a dyn Fn(&f64) -> String,
    lines: Vec<Line>,
}

/// Axis values without spurious decimals: "1500", "2.5", "0.25".
fn plain(x: &f64) -> String {
    let dec = match x.abs() {
        a if a >= 10.0 || a == 0.0 => 0,
        a if a >= 1.0 => 1,
        _ => 2,
    };
    format!("{x:.dec$}")
}

/// Labels of a log10-transformed axis: the value 10^x.
fn pow10(x: &f64) -> String {
    plain(&10f64.powf(*x))
}

/// Whether values up to `max` should go on a log axis because they dwarf `reference` (the
/// baseline's largest value): more than 30 times larger hides the reference on a linear axis.
fn wants_log(max: f64, reference: f64) -> bool {
    reference > 0.0 && max / reference > 30.0
}

/// Replaces coordinate `axis` (0 = x, 1 = y) of every point by its log10, values below `floor`
/// taken as `floor`.
fn to_log(lines: &mut [Line], axis: usize, floor: f64) {
    for p in lines
        .iter_mut()
        .flat_map(|l| l.segments.iter_mut().flatten())
    {
        let v = if axis == 0 { &mut p.0 } else { &mut p.1 };
        *v = v.max(floor).log10();
    }
}

/// Splits `(x, Option<y>)` into runs of present values.
fn segments(points: impl IntoIterator<Item = (f64, Option<f64>)>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        match y.filter(|v| v.is_finite()) {
            Some(y) => out.last_mut().map_or((), |s| s.push((x, y))),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Upper end of a y axis showing values up to `max` (at least `floor`), with 10% headroom.
fn y_top(max: f64, floor: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        (max * 1.1).max(floor)
    } else {
        floor
    }
}

fn max_y(lines: &[Line]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.segments.iter().flatten())
        .map(|p| p.1)
        .fold(0.0, f64::max)
}

/// Draws `c` as an SVG document (`<svg …>…</svg>`), legend in rows under the plot.
fn draw(c: &Chart) -> Result<String, Box<dyn std::error::Error>> {
    let cols = 2usize;
    let rows = c.lines.len().div_ceil(cols).max(1) as u32;
    let height = PLOT_H + 10 + rows * LEGEND_ROW_H;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_vertically(PLOT_H);
        let mut ch = ChartBuilder::on(&plot)
            .caption(&c.title, ("sans-serif", 17))
            .margin(8)
            .margin_right(18)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(c.x.clone(), c.y.clone())?;
        ch.plotting_area()
            .fill(&RGBColor(PLOT_BG.0, PLOT_BG.1, PLOT_BG.2))?;
        ch.configure_mesh()
            .x_desc(c.x_desc)
            .y_desc(c.y_desc)
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(c.x_fmt)
            .y_label_formatter(c.y_fmt)
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 13))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
            .draw()?;
        // The reference line last, so that it stays visible where lines coincide.
        let order = c
            .lines
            .iter()
            .filter(|l| !l.reference)
            .chain(c.lines.iter().filter(|l| l.reference));
        for l in order {
            let style = l.color.stroke_width(l.width);
            for seg in &l.segments {
                if l.dashed {
                    ch.draw_series(DashedLineSeries::new(seg.iter().copied(), 8, 6, style))?;
                } else {
                    ch.draw_series(LineSeries::new(seg.iter().copied(), style))?;
                }
            }
        }
        // The legend: a short stroke and the label per line, two columns.
        let col_w = (CHART_W as i32 - 40) / cols as i32;
        for (i, l) in c.lines.iter().enumerate() {
            let x = 30 + (i % cols) as i32 * col_w;
            let y = 8 + (i / cols) as i32 * LEGEND_ROW_H as i32 + LEGEND_ROW_H as i32 / 2;
            let style = l.color.stroke_width(l.width.max(2));
            legend.draw(&PathElement::new(vec![(x, y), (x + 24, y)], style))?;
            let mut label = l.label.clone();
            if label.chars().count() > 42 {
                label = label.chars().take(41).collect::<String>() + "…";
            }
            let font = ("sans-serif", 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            legend.draw(&Text::new(label, (x + 30, y), font))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// The chart as SVG, or a short note in its place if plotters fails (never a panic).
fn chart_svg(c: &Chart) -> String {
    match draw(c) {
        Ok(svg) => svg,
        Err(e) => format!(
            "<p class=\"note\">Chart \"{}\" could not be drawn: {}</p>",
            esc(&c.title),
            esc(&e.to_string())
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Decimals for a value of this size: 0 from 1000, 1 from 100, else 2.
fn decimals(x: f64) -> usize {
    match x.abs() {
        a if a >= 1000.0 => 0,
        a if a >= 100.0 => 1,
        _ => 2,
    }
}

/// "mean ± ci95" with decimals fitted to the mean.
fn fmt_est(k: Option<Kpi>, scale: f64) -> String {
    match k {
        Some(k) if k.mean.is_finite() => {
            let d = decimals(k.mean * scale);
            format!("{:.d$} ± {:.d$}", k.mean * scale, k.ci95 * scale)
        }
        _ => "–".into(),
    }
}

/// A paired difference cell: signed mean ± half-width, marked when significant.
fn fmt_diff(k: Option<Kpi>, is_baseline: bool) -> String {
    if is_baseline {
        return "<td class=\"base\">baseline</td>".into();
    }
    match k.and_then(|k| k.diff) {
        Some(d) => {
            let dec = decimals(d.mean);
            let sign = if d.mean >= 0.0 { "+" } else { "−" };
            let text = format!("{sign}{:.dec$} ± {:.dec$}", d.mean.abs(), d.ci95);
            if d.significant {
                format!("<td class=\"sig\">{text} *</td>")
            } else {
                format!("<td>{text}</td>")
            }
        }
        None => "<td>–</td>".into(),
    }
}

/// Points in ranking order: lowest mean system wait first.
fn ranked(d: &ReportData) -> Vec<usize> {
    let mut order: Vec<usize> = (0..d.points.len()).collect();
    order.sort_by(|&a, &b| d.points[a].rank_key().total_cmp(&d.points[b].rank_key()));
    order
}

/// The points drawn in the charts (at most [`MAX_LINES`]: the baseline, the best four and the
/// worst one when there are more) and a remark saying so when some are left out.
fn shown_points(d: &ReportData) -> (Vec<usize>, Option<String>) {
    let rank = ranked(d);
    if d.points.len() <= MAX_LINES {
        let mut all: Vec<usize> = d.baseline.into_iter().collect();
        all.extend(rank.iter().filter(|&&i| Some(i) != d.baseline));
        return (all, None);
    }
    let others: Vec<usize> = rank
        .into_iter()
        .filter(|&i| Some(i) != d.baseline)
        .collect();
    let mut shown: Vec<usize> = d.baseline.into_iter().collect();
    shown.extend(others.iter().take(4));
    if let Some(&worst) = others.last() {
        shown.push(worst);
    }
    let note = format!(
        "The charts show {} of the {} points: {}the best four and the worst by mean wait; the tables list all.",
        shown.len(),
        d.points.len(),
        if d.baseline.is_some() {
            "the baseline, "
        } else {
            ""
        }
    );
    (shown, Some(note))
}

/// Line colour and width of point `i` drawn as the `k`-th non-baseline line.
fn style_of(d: &ReportData, i: usize, k: usize) -> (RGBColor, u32) {
    if Some(i) == d.baseline {
        (BASELINE_COLOR, 3)
    } else {
        (PALETTE[k % PALETTE.len()], 2)
    }
}

/// One line per shown point, from `data(point)` (points without data are skipped).
fn point_lines(
    d: &ReportData,
    shown: &[usize],
    mut data: impl FnMut(&Point) -> Vec<Vec<(f64, f64)>>,
) -> Vec<Line> {
    let mut k = 0;
    let mut out = Vec::new();
    for &i in shown {
        let p = &d.points[i];
        let (color, width) = style_of(d, i, k);
        if Some(i) != d.baseline {
            k += 1;
        }
        let segments = data(p);
        if segments.is_empty() {
            continue;
        }
        let label = if Some(i) == d.baseline {
            format!("{} (baseline)", p.label)
        } else {
            p.label.clone()
        };
        out.push(Line {
            label,
            color,
            width,
            dashed: false,
            reference: i == d.baseline.unwrap_or(0),
            segments,
        });
    }
    out
}

/// Date `days` after `start` as "05 Jan"; falls back to "day N".
fn day_label(start: Option<jiff::civil::Date>, days: f64) -> String {
    let whole = days.floor() as i64;
    start
        .and_then(|s| s.checked_add(jiff::Span::new().days(whole)).ok())
        .map(|d| d.strftime("%d %b").to_string())
        .unwrap_or_else(|| format!("day {whole}"))
}

/// Sum over `stages` of `f(sample)` per sampling instant (stages share their instants).
fn summed(
    series: &HashMap<String, Vec<Sample>>,
    stages: &[String],
    f: impl Fn(&Sample) -> f64,
) -> Vec<(f64, f64)> {
    let lists: Vec<&Vec<Sample>> = stages.iter().filter_map(|s| series.get(s)).collect();
    let Some(first) = lists.first() else {
        return Vec::new();
    };
    let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
    (0..n)
        .map(|j| (first[j].hours, lists.iter().map(|l| f(&l[j])).sum()))
        .collect()
}

/// The 14-day window (start, end in hours) with the highest mean of `total`, among complete
/// windows counted from the first sample; the whole span if it is shorter than 14 days.
fn busiest_fortnight(total: &[(f64, f64)]) -> Option<(f64, f64)> {
    const SPAN_H: f64 = 14.0 * 24.0;
    let (t0, t1) = (total.first()?.0, total.last()?.0);
    if t1 - t0 < SPAN_H {
        return Some((t0, t1));
    }
    let mut best: Option<(f64, f64)> = None;
    let mut k = 0.0;
    while t0 + (k + 1.0) * SPAN_H <= t1 + 1e-9 {
        let (a, b) = (t0 + k * SPAN_H, t0 + (k + 1.0) * SPAN_H);
        let vals: Vec<f64> = total
            .iter()
            .filter(|(h, _)| *h >= a && *h < b)
            .map(|p| p.1)
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
        if best.is_none_or(|(_, m)| mean > m) {
            best = Some((a, mean));
        }
        k += 1.0;
    }
    best.map(|(a, _)| (a, a + SPAN_H))
}

/// The wait at share `q` of a quantile table, interpolated.
fn wait_at(table: &[(f64, f64)], q: f64) -> Option<f64> {
    let i = table.iter().position(|p| p.0 >= q)?;
    if i == 0 {
        return Some(table[0].1);
    }
    let (a, b) = (table[i - 1], table[i]);
    let t = if b.0 > a.0 {
        (q - a.0) / (b.0 - a.0)
    } else {
        1.0
    };
    Some(a.1 + t * (b.1 - a.1))
}

/// A quantile table as CDF points (wait [h], share [%]) cut at `x_max` (interpolated there).
fn cdf_points(table: &[(f64, f64)], x_max: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(table.len());
    for (j, &(q, w)) in table.iter().enumerate() {
        if w <= x_max {
            out.push((w, q * 100.0));
        } else {
            if j > 0 {
                let (q0, w0) = table[j - 1];
                let t = if w > w0 { (x_max - w0) / (w - w0) } else { 0.0 };
                out.push((x_max, (q0 + t * (q - q0)) * 100.0));
            }
            break;
        }
    }
    out
}

/// A figure: the chart and its "how to read" line.
fn figure(out: &mut String, chart: &Chart, how: &str) {
    let _ = writeln!(
        out,
        "<figure>{}<figcaption><b>How to read:</b> {}</figcaption></figure>",
        chart_svg(chart),
        how
    );
}

/// The five charts of one checkpoint.
fn checkpoint_charts(out: &mut String, d: &ReportData, shown: &[usize], cp: &CheckpointInfo) {
    let entity = format!("checkpoint/{}", cp.id);
    let stage_keys: Vec<String> = cp
        .stages
        .iter()
        .map(|s| format!("{}/{}", cp.id, s.id))
        .collect();
    let start: Option<jiff::civil::Date> = d.start_date.parse().ok();
    let hour_fmt = |x: &f64| format!("{:02}:00", x.round() as i64);
    let day_fmt = move |x: &f64| day_label(start, *x);
    let reference = d.baseline.unwrap_or(0);
    let ref_max = |lines: &[Line]| {
        lines
            .iter()
            .filter(|l| l.reference)
            .flat_map(|l| l.segments.iter().flatten())
            .map(|p| p.1)
            .fold(0.0, f64::max)
    };

    // 1. Mean wait by hour of arrival.
    let lines = point_lines(d, shown, |p| {
        segments((0..24).map(|h| {
            let k = p.kpi(&entity, &format!("{HOUR_PREFIX}{h:02}"));
            (h as f64, k.map(|k| k.mean))
        }))
    });
    let mut lines = lines;
    let log = wants_log(max_y(&lines), ref_max(&lines));
    let (y, y_desc) = if log {
        to_log(&mut lines, 1, 0.1);
        (-1.0..max_y(&lines) + 0.2, "mean wait [h] (log scale)")
    } else {
        (0.0..y_top(max_y(&lines), 1.0), "mean wait [h]")
    };
    figure(
        out,
        &Chart {
            title: "Mean wait by hour of arrival".into(),
            x_desc: "hour of arrival (reference clock)",
            y_desc,
            x: 0.0..23.0,
            y,
            x_fmt: &hour_fmt,
            y_fmt: if log { &pow10 } else { &plain },
            lines,
        },
        "each line is a policy; a point is the mean wait, over all stages of the checkpoint and \
         all replications, of the trucks that arrived in that hour. Peaks show the hours when \
         arriving is worst, e.g. just after closing.",
    );

    // 2. Queue over the busiest baseline fortnight.
    let window = d.points[reference]
        .series
        .as_ref()
        .and_then(|s| busiest_fortnight(&summed(s, &stage_keys, |x| x.queue)));
    let (a, b) = window.unwrap_or((0.0, 1.0));
    let lines = point_lines(d, shown, |p| {
        let Some(s) = &p.series else {
            return Vec::new();
        };
        let pts: Vec<(f64, f64)> = summed(s, &stage_keys, |x| x.queue)
            .into_iter()
            .filter(|(h, _)| *h >= a && *h <= b)
            .map(|(h, q)| (h / 24.0, q))
            .collect();
        if pts.is_empty() {
            Vec::new()
        } else {
            vec![pts]
        }
    });
    let mut lines = lines;
    let log = wants_log(max_y(&lines), ref_max(&lines));
    let (y, y_desc) = if log {
        to_log(&mut lines, 1, 1.0);
        (0.0..max_y(&lines) + 0.2, "vehicles waiting (log scale)")
    } else {
        (0.0..y_top(max_y(&lines), 5.0), "vehicles waiting")
    };
    let title = match window {
        Some(_) => format!(
            "Queue, {} – {} (busiest {}fortnight)",
            day_label(start, a / 24.0),
            day_label(start, (b - 1.0) / 24.0),
            if d.baseline.is_some() {
                "baseline "
            } else {
                ""
            }
        ),
        None => "Queue over a fortnight (no time series)".into(),
    };
    figure(
        out,
        &Chart {
            title,
            x_desc: "date (reference clock)",
            y_desc,
            x: a / 24.0..b / 24.0,
            y,
            x_fmt: &day_fmt,
            y_fmt: if log { &pow10 } else { &plain },
            lines,
        },
        "vehicles waiting at all stages of the checkpoint, every sampling step, in the 14 days \
         when the baseline queue was longest on average (replication 0). The same days are shown \
         for every policy, so the lines can be compared hour by hour.",
    );

    // 3. Wait distribution.
    let x_max = shown
        .iter()
        .filter_map(|&i| d.points[i].waits.get(&entity))
        .filter_map(|t| wait_at(t, 0.99))
        .fold(0.0, f64::max);
    let x_max = if x_max > 0.0 { x_max * 1.05 } else { 1.0 };
    let base_p99 = d.points[reference]
        .waits
        .get(&entity)
        .and_then(|t| wait_at(t, 0.99))
        .unwrap_or(0.0);
    let log_x = wants_log(x_max, base_p99);
    let mut lines = point_lines(d, shown, |p| match p.waits.get(&entity) {
        Some(t) => {
            let pts = cdf_points(t, x_max);
            if pts.is_empty() {
                Vec::new()
            } else {
                vec![pts]
            }
        }
        None => Vec::new(),
    });
    let (x, x_desc) = if log_x {
        to_log(&mut lines, 0, 0.1);
        (
            -1.0..x_max.log10(),
            "wait [h] (log scale; waits under 0.1 h at the left edge)",
        )
    } else {
        (0.0..x_max, "wait [h]")
    };
    figure(
        out,
        &Chart {
            title: "Wait distribution (share of trucks waiting at most x)".into(),
            x_desc,
            y_desc: "trucks [%]",
            x,
            y: 0.0..100.0,
            x_fmt: if log_x { &pow10 } else { &plain },
            y_fmt: &plain,
            lines,
        },
        "for a wait x on the horizontal axis, the height of a line is the share of trucks that \
         waited x hours or less (replication 0). A line further up and to the left is better; \
         the axis stops at the longest 99th percentile.",
    );

    // 4. Utilisation of the bottleneck stage over open hours, by hour of day.
    let bottleneck = cp
        .stages
        .iter()
        .max_by(|x, y| {
            let u = |s: &StageInfo| {
                d.points[reference]
                    .kpi(&format!("stage/{}/{}", cp.id, s.id), "utilization")
                    .map_or(0.0, |k| k.mean)
            };
            u(x).total_cmp(&u(y))
        })
        .map(|s| s.id.clone())
        .unwrap_or_default();
    let bkey = format!("{}/{}", cp.id, bottleneck);
    let lines = point_lines(d, shown, |p| {
        let Some(samples) = p.series.as_ref().and_then(|s| s.get(&bkey)) else {
            return Vec::new();
        };
        let mut busy = [0.0; 24];
        let mut open = [0.0; 24];
        for s in samples.iter().filter(|s| s.lanes_open > 0.0) {
            let h = (s.hours.rem_euclid(24.0).floor() as usize).min(23);
            busy[h] += s.busy.min(s.lanes_open);
            open[h] += s.lanes_open;
        }
        segments((0..24).map(|h| {
            let u = (open[h] > 0.0).then(|| 100.0 * busy[h] / open[h]);
            (h as f64, u)
        }))
    });
    figure(
        out,
        &Chart {
            title: format!("Lane utilisation of the bottleneck stage ({bottleneck})"),
            x_desc: "hour of day (reference clock)",
            y_desc: "busy lanes / open lanes [%]",
            x: 0.0..23.0,
            y: 0.0..100.0,
            x_fmt: &hour_fmt,
            y_fmt: &plain,
            lines,
        },
        "share of the open lanes that were busy, by hour of day, over the sampled year \
         (replication 0). Hours with no open lane have no point. Near 100% the stage is \
         saturated: more lanes or hours there shorten the queue; well below, they do not.",
    );

    // 5. Throughput per day against the daily quota.
    let last = cp
        .stages
        .last()
        .map(|s| format!("{}/{}", cp.id, s.id))
        .unwrap_or_default();
    let step = if d.series_step_h > 0.0 {
        d.series_step_h
    } else {
        1.0
    };
    let per_day_samples = (24.0 / step).round() as usize;
    let mut x_range = (f64::INFINITY, f64::NEG_INFINITY);
    let mut lines = point_lines(d, shown, |p| {
        let Some(samples) = p.series.as_ref().and_then(|s| s.get(&last)) else {
            return Vec::new();
        };
        // Counts cover the step ending at the sample, so a sample at 24:00 belongs to the day before.
        let mut days: std::collections::BTreeMap<i64, (f64, usize)> = Default::default();
        for s in samples {
            let day = ((s.hours - 1e-6) / 24.0).floor() as i64;
            let e = days.entry(day).or_default();
            e.0 += s.served;
            e.1 += 1;
        }
        let pts: Vec<(f64, f64)> = days
            .into_iter()
            .filter(|(_, (_, n))| *n >= per_day_samples)
            .map(|(day, (served, _))| (day as f64, served))
            .collect();
        if let (Some(f), Some(l)) = (pts.first(), pts.last()) {
            x_range = (x_range.0.min(f.0), x_range.1.max(l.0));
        }
        if pts.is_empty() {
            Vec::new()
        } else {
            vec![pts]
        }
    });
    if !x_range.0.is_finite() {
        x_range = (0.0, 1.0);
    }
    if x_range.1 <= x_range.0 {
        x_range.1 = x_range.0 + 1.0;
    }
    // The quota per day from the series (it may change on dates), else the scenario's.
    let mut quota_steps: Vec<Vec<(f64, f64)>> = Vec::new();
    for &i in shown {
        let Some(samples) = d.points[i].series.as_ref().and_then(|s| s.get(&last)) else {
            continue;
        };
        let mut days: std::collections::BTreeMap<i64, f64> = Default::default();
        for s in samples {
            if let Some(q) = s.daily_quota {
                days.insert(((s.hours - 1e-6) / 24.0).floor() as i64, q);
            }
        }
        let steps: Vec<(f64, f64)> = days
            .iter()
            .flat_map(|(&day, &q)| [(day as f64, q), (day as f64 + 1.0, q)])
            .collect();
        let varies = days.values().any(|&q| Some(&q) != days.values().next());
        if varies && !quota_steps.contains(&steps) {
            quota_steps.push(steps);
        }
    }
    let mut quotas: Vec<u32> = shown
        .iter()
        .filter_map(|&i| {
            let c = d.points[i].checkpoints.iter().find(|c| c.id == cp.id)?;
            c.stages.last()?.daily_quota
        })
        .collect();
    quotas.sort_unstable();
    quotas.dedup();
    let mut top = max_y(&lines);
    if !quota_steps.is_empty() {
        quotas.clear();
        for steps in quota_steps {
            top = steps.iter().map(|p| p.1).fold(top, f64::max);
            lines.push(Line {
                label: "daily quota (changes on dates)".to_string(),
                color: QUOTA_COLOR,
                width: 2,
                dashed: true,
                reference: false,
                segments: vec![steps],
            });
        }
    }
    for q in &quotas {
        top = top.max(*q as f64);
        lines.push(Line {
            label: format!("daily quota ({q} vehicles/day)"),
            color: QUOTA_COLOR,
            width: 2,
            dashed: true,
            reference: false,
            segments: vec![vec![(x_range.0, *q as f64), (x_range.1, *q as f64)]],
        });
    }
    let last_id = cp.stages.last().map(|s| s.id.as_str()).unwrap_or("");
    figure(
        out,
        &Chart {
            title: format!("Vehicles served per day at the last stage ({last_id})"),
            x_desc: "date (reference clock)",
            y_desc: "vehicles per day",
            x: x_range.0..x_range.1 + 1.0,
            y: 0.0..y_top(top, 5.0),
            x_fmt: &day_fmt,
            y_fmt: &plain,
            lines,
        },
        if quotas.is_empty() {
            "trucks that cleared the checkpoint each day (replication 0; like every statistic, \
             only trucks that arrived after the warm-up). Dips are closed days (holidays, \
             weekends); the stage has no daily quota."
        } else {
            "trucks that cleared the checkpoint each day (replication 0; like every statistic, \
             only trucks that arrived after the warm-up); the dashed red line is the daily quota \
             of the last stage. Days on the line are capped by the quota, not by lanes \
             or hours (the quota day is on the stage's own clock, the days here on the reference \
             clock)."
        },
    );
}

const CSS: &str = "
body { font-family: sans-serif; color: #222; margin: 0 auto; max-width: 1400px; padding: 0 16px; }
h1 { font-size: 26px; margin: 20px 0 6px; }
h2 { font-size: 20px; margin: 28px 0 6px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
p.facts { font-size: 15px; color: #444; margin: 4px 0; }
p.how, p.note, figcaption { font-size: 13px; color: #555; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; }
td.label, th.label { text-align: left; }
td.sig { font-weight: bold; }
td.base { color: #777; font-style: italic; }
tr.baseline td { background: #f7f7f7; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 10px; }
figure { margin: 0; width: 670px; }
figure svg { display: block; }
figcaption { margin: 2px 6px 10px; }
footer { font-size: 12px; color: #777; margin: 30px 0 20px; border-top: 1px solid #ddd; padding-top: 6px; }
";

/// Columns of the comparison table: header, KPI (system level), scale.
const COMPARE_COLS: [(&str, &str, f64); 4] = [
    ("Served<br>[trucks/day]", "served_per_day", 1.0),
    ("Cargo<br>[t/day]", "tonnes_per_day", 1.0),
    ("Mean wait<br>[h]", "wait_mean_h", 1.0),
    ("95th percentile<br>wait [h]", "wait_p95_h", 1.0),
];

/// The longest road queue of a point: the checkpoint with the largest mean `queue_km_max`.
fn longest_queue(p: &Point) -> Option<(String, Kpi)> {
    p.kpis
        .iter()
        .filter_map(|(e, k)| {
            Some((
                e.strip_prefix("checkpoint/")?.to_string(),
                *k.get("queue_km_max")?,
            ))
        })
        .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
}

fn comparison_table(out: &mut String, d: &ReportData) {
    let _ = write!(
        out,
        "<section id=\"comparison\"><h2>{}</h2>\n<p class=\"how\"><b>How to read:</b> all trucks \
         of all flows together; mean ± 95% confidence half-width over {} replications. Rows are \
         ranked by mean wait, best first.{}</p>\n<table class=\"compare\"><thead><tr><th>#</th>\
         <th class=\"label\">Point</th>",
        if d.points.len() > 1 {
            "Policies compared"
        } else {
            "Results"
        },
        d.replications,
        if d.baseline.is_some() {
            " The Δ columns are paired differences from the baseline (same random numbers); \
             <b>*</b> marks a difference whose 95% interval excludes zero."
        } else {
            ""
        }
    );
    for (h, _, _) in COMPARE_COLS {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("<th>Longest road<br>queue [km]</th>");
    if d.baseline.is_some() {
        out.push_str("<th>Δ mean wait<br>[h]</th><th>Δ served<br>[trucks/day]</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for (rank, i) in ranked(d).into_iter().enumerate() {
        let p = &d.points[i];
        let is_base = Some(i) == d.baseline;
        let _ = write!(
            out,
            "<tr{}><td>{}</td><td class=\"label\">{}</td>",
            if is_base { " class=\"baseline\"" } else { "" },
            rank + 1,
            esc(&p.label)
        );
        for (_, kpi, scale) in COMPARE_COLS {
            let _ = write!(out, "<td>{}</td>", fmt_est(p.kpi("system/all", kpi), scale));
        }
        match longest_queue(p) {
            Some((cp, k)) => {
                let _ = write!(out, "<td>{} ({})</td>", fmt_est(Some(k), 1.0), esc(&cp));
            }
            None => out.push_str("<td>–</td>"),
        }
        if d.baseline.is_some() {
            out.push_str(&fmt_diff(p.kpi("system/all", "wait_mean_h"), is_base));
            out.push_str(&fmt_diff(p.kpi("system/all", "served_per_day"), is_base));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

/// Years with yearly KPIs (`y2027.served_per_day`) at the system level, ascending.
fn years(d: &ReportData) -> Vec<String> {
    let mut ys: Vec<String> = d
        .points
        .iter()
        .filter_map(|p| p.kpis.get("system/all"))
        .flat_map(|m| m.keys())
        .filter_map(|k| {
            let y = k
                .strip_prefix(crate::sweep::YEAR_PREFIX)?
                .strip_suffix(".served_per_day")?;
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then(|| y.to_string())
        })
        .collect();
    ys.sort();
    ys.dedup();
    ys
}

fn yearly_table(out: &mut String, d: &ReportData) {
    let ys = years(d);
    if ys.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"yearly\"><h2>Year by year</h2>\n<p class=\"how\"><b>How to read:</b> \
         trucks served per day and their mean wait in each calendar year of the run (all flows, \
         mean ± 95% half-width); a rising wait at the same throughput means the crossing is \
         filling up.</p>\n<table class=\"yearly\"><thead><tr><th class=\"label\">Point</th>",
    );
    for y in &ys {
        let _ = write!(
            out,
            "<th>{y}<br>served/day</th><th>{y}<br>mean wait [h]</th>"
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for i in ranked(d) {
        let p = &d.points[i];
        let _ = write!(out, "<tr><td class=\"label\">{}</td>", esc(&p.label));
        for y in &ys {
            for kpi in ["served_per_day", "wait_mean_h"] {
                let k = p.kpi("system/all", &format!("y{y}.{kpi}"));
                let _ = write!(out, "<td>{}</td>", fmt_est(k, 1.0));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

/// Per checkpoint: a one-line table of its KPIs per point, ranked like the comparison table.
fn checkpoint_table(out: &mut String, d: &ReportData, cp: &CheckpointInfo) {
    let entity = format!("checkpoint/{}", cp.id);
    let cols = [
        ("Served [trucks/day]", "served_per_day", 1.0),
        ("Mean wait [h]", "wait_mean_h", 1.0),
        ("95th pct wait [h]", "wait_p95_h", 1.0),
        ("Mean queue [trucks]", "queue_mean", 1.0),
        ("Max road queue [km]", "queue_km_max", 1.0),
        ("Utilisation [%]", "utilization", 100.0),
        ("Quota days", "quota_days_exhausted", 1.0),
    ];
    out.push_str("<table class=\"checkpoint\"><thead><tr><th class=\"label\">Point</th>");
    for (h, _, _) in cols {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for i in ranked(d) {
        let p = &d.points[i];
        let _ = write!(
            out,
            "<tr{}><td class=\"label\">{}</td>",
            if Some(i) == d.baseline {
                " class=\"baseline\""
            } else {
                ""
            },
            esc(&p.label)
        );
        for (_, kpi, scale) in cols {
            let _ = write!(out, "<td>{}</td>", fmt_est(p.kpi(&entity, kpi), scale));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The checkpoints to chart: those of the reference point that have checkpoint KPIs (links and
/// terminals are left out).
pub fn charted_checkpoints(d: &ReportData) -> Vec<&CheckpointInfo> {
    let Some(p) = d.points.get(d.baseline.unwrap_or(0)) else {
        return Vec::new();
    };
    p.checkpoints
        .iter()
        .filter(|c| p.kpis.contains_key(&format!("checkpoint/{}", c.id)))
        .collect()
}

/// Number of charts drawn per checkpoint.
pub const CHARTS_PER_CHECKPOINT: usize = 5;

/// The whole report as one self-contained HTML document.
pub fn render(d: &ReportData) -> String {
    let mut out = String::with_capacity(1 << 20);
    let title = match d.kind.as_str() {
        "sweep" => format!("borderflow report: sweep {}", d.name),
        _ => format!("borderflow report: scenario {}", d.name),
    };
    let start: Option<jiff::civil::Date> = d.start_date.parse().ok();
    let end = start
        .and_then(|s| {
            s.checked_add(jiff::Span::new().days(i64::from(d.days) - 1))
                .ok()
        })
        .map_or_else(|| format!("day {}", d.days), |e| e.to_string());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body>\n<header><h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p class=\"facts\">Scenario <b>{}</b> · seed {} · {} replication{} per point · \
         simulated {} to {} ({} days; the first {} are warm-up and not counted)</p>",
        esc(&d.scenario),
        d.seed,
        d.replications,
        if d.replications == 1 { "" } else { "s" },
        esc(&d.start_date),
        esc(&end),
        d.days,
        d.warmup_days
    );
    if d.kind == "sweep" {
        let _ = writeln!(
            out,
            "<p class=\"facts\">{} point{} · baseline: {}</p>",
            d.points.len(),
            if d.points.len() == 1 { "" } else { "s" },
            d.baseline.map_or("none".to_string(), |b| format!(
                "<b>{}</b>",
                esc(&d.points[b].label)
            ))
        );
    }
    let (shown, shown_note) = shown_points(d);
    for n in d.notes.iter().chain(&shown_note) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(n));
    }
    out.push_str(
        "<p class=\"note\">Charts of time series and wait distributions show replication 0 of \
         each point; tables show means over all replications with 95% confidence intervals. \
         Times are on the scenario's reference clock.</p></header>\n",
    );
    comparison_table(&mut out, d);
    yearly_table(&mut out, d);
    for cp in charted_checkpoints(d) {
        let stages: Vec<String> = cp
            .stages
            .iter()
            .map(|s| {
                let q = s
                    .daily_quota
                    .map_or(String::new(), |q| format!(", quota {q}/day"));
                format!("{} ({} lanes{q})", esc(&s.id), s.lanes)
            })
            .collect();
        let _ = write!(
            out,
            "<section class=\"checkpoint\" id=\"cp-{}\"><h2>{}</h2>\n<p class=\"facts\">Stages \
             (baseline): {}</p>\n",
            esc(&cp.id),
            esc(&cp.title()),
            stages.join(" → ")
        );
        checkpoint_table(&mut out, d, cp);
        out.push_str("<div class=\"charts\">\n");
        checkpoint_charts(&mut out, d, &shown, cp);
        out.push_str("</div></section>\n");
    }
    let _ = write!(
        out,
        "<footer>Made by borderflow {} (results written by borderflow {}). Self-contained: no \
         scripts, no network.</footer>\n</body></html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&d.version)
    );
    out
}
