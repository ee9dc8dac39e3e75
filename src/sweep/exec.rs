//! Running a sweep: every (point, replication) is one job; rayon runs the jobs; one collector
//! thread appends each finished job to a journal, so a killed sweep loses only the jobs in flight.
//! Final files are always written from the recorded values in job order, which makes them
//! independent of thread count, completion order, interruption and resumption, and sharding.
//!
//! Files in the output directory:
//! - `manifest.json`: what was run (binary version, sweep and base scenario text, points);
//! - `journal.csv`: rows of finished jobs while running (removed when the run completes);
//! - `runs.csv`: one row per point × replication × entity × KPI (tidy);
//! - `summary.csv`, `summary.json`: per point, entity and KPI: n, mean, sd, 95% half-width, and the
//!   paired difference from the baseline point with its own interval;
//! - `shard.json` (shards only): which part of the jobs this directory holds.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::plan::Plan;
use super::{EntityKind, EntityValues, rep_values};
use crate::detail;
use crate::model::{Model, Observe, RepResult, simulate, simulate_with};
use crate::stats::Estimate;

/// How to run a sweep.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Run only jobs `j` with `j % n == i` (`(i, n)`, 0-based).
    pub shard: Option<(usize, usize)>,
    /// Output directory (none: results stay in memory).
    pub out: Option<PathBuf>,
    /// Continue the sweep recorded in `out` instead of starting afresh.
    pub resume: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// Why a sweep could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The request is inconsistent with what is on disk or on the command line (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something failed while running or writing (exit 1).
    #[error("{0}")]
    Failed(String),
}

/// One recorded value.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Entity index into [`Results::entities`].
    pub entity: u32,
    /// KPI index into [`Results::kpis`].
    pub kpi: u32,
    /// The value.
    pub value: f64,
}

/// Recorded values of the finished jobs, compact (names interned).
#[derive(Clone, Debug, Default)]
pub struct Results {
    /// Entities seen, in first-seen order.
    pub entities: Vec<(EntityKind, String)>,
    /// KPI names seen, in first-seen order.
    pub kpis: Vec<String>,
    /// Rows of each finished job, by job index (point × replications + replication).
    pub jobs: BTreeMap<usize, Vec<Row>>,
    entity_index: std::collections::HashMap<(EntityKind, String), u32>,
    kpi_index: std::collections::HashMap<String, u32>,
}

impl Results {
    fn entity(&mut self, kind: EntityKind, id: &str) -> u32 {
        if let Some(&i) = self.entity_index.get(&(kind, id.to_string())) {
            return i;
        }
        let i = self.entities.len() as u32;
        self.entities.push((kind, id.to_string()));
        self.entity_index.insert((kind, id.to_string()), i);
        i
    }
    fn kpi(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.kpi_index.get(name) {
            return i;
        }
        let i = self.kpis.len() as u32;
        self.kpis.push(name.to_string());
        self.kpi_index.insert(name.to_string(), i);
        i
    }
    fn insert(&mut self, job: usize, values: &[EntityValues]) {
        let mut rows = Vec::with_capacity(values.iter().map(|e| e.values.len()).sum());
        for e in values {
            let ei = self.entity(e.kind, &e.id);
            for (k, v) in &e.values {
                let ki = self.kpi(k);
                rows.push(Row {
                    entity: ei,
                    kpi: ki,
                    value: *v,
                });
            }
        }
        self.jobs.insert(job, rows);
    }
}

/// What a sweep run produced.
#[derive(Debug)]
pub struct Outcome {
    /// All recorded values (resumed and new).
    pub results: Results,
    /// Jobs run by this invocation.
    pub ran: usize,
    /// Wall time of this invocation's jobs [s].
    pub wall_s: f64,
    /// Events processed by this invocation's jobs.
    pub events: u64,
}

/// Job indices of the valid points, in order.
pub fn all_jobs(plan: &Plan) -> Vec<usize> {
    let r = plan.replications as usize;
    plan.points
        .iter()
        .filter(|p| p.model.is_ok())
        .flat_map(|p| (0..r).map(move |k| p.index * r + k))
        .collect()
}

/// The manifest recorded with every result directory: enough to check a resume or a merge
/// against, and to summarise without the original files. No times, paths or shard numbers, so
/// every complete run of the same sweep writes the same bytes.
pub fn manifest(plan: &Plan) -> Value {
    json!({
        "borderflow_version": env!("CARGO_PKG_VERSION"),
        "sweep": plan.name,
        "replications": plan.replications,
        "baseline": plan.baseline.map(|b| plan.points[b].label.clone()),
        "points": plan.points.iter().map(|p| match &p.model {
            Ok(m) => json!({
                "index": p.index,
                "label": p.label,
                "status": "ok",
                "scenario": scenario_facts(m),
            }),
            Err(e) => json!({
                "index": p.index,
                "label": p.label,
                "status": "invalid",
                "problems": e.problems.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            }),
        }).collect::<Vec<_>>(),
        "sweep_text": plan.sweep_text,
        "base_text": plan.base_text,
    })
}

/// What a report needs to title a point's results: name, seed, dates, and checkpoint names.
pub fn scenario_facts(m: &Model) -> Value {
    json!({
        "name": m.name,
        "seed": m.seed,
        "days": m.days,
        "warmup_days": m.warmup_days,
        "start_date": m.start_date.to_string(),
        "series_step_h": m.series_step.as_hours_f64(),
        "metres_per_vehicle": m.metres_per_vehicle,
        "checkpoints": m.checkpoints.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "stages": c.stages.iter().map(|&s| {
                let st = &m.stages[s as usize];
                json!({ "id": st.id, "lanes": st.lanes, "daily_quota": st.daily_quota })
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

const HEADER: [&str; 7] = [
    "point_index",
    "point",
    "replication",
    "entity_kind",
    "entity",
    "kpi",
    "value",
];
const END_MARK: &str = "#end";

fn io_err(what: &str, p: &Path, e: impl std::fmt::Display) -> SweepError {
    SweepError::Failed(format!("{what} {}: {e}", p.display()))
}

/// Reads the complete jobs recorded in `runs.csv` and `journal.csv` of `dir` (a job in the
/// journal counts only once its end mark is there: a torn last write is dropped).
pub fn read_dir_results(
    dir: &Path,
    replications: u32,
    into: &mut Results,
) -> Result<(), SweepError> {
    for (name, needs_mark) in [("runs.csv", false), ("journal.csv", true)] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| io_err("cannot read", &path, e))?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut pending: BTreeMap<usize, Vec<(EntityKind, String, String, f64)>> = BTreeMap::new();
        for rec in rdr.records() {
            // A torn final line (killed mid-write) is not a complete record: stop there.
            let Ok(rec) = rec else { break };
            if rec.len() != 7 {
                break;
            }
            let (Ok(p), Ok(r)) = (rec[0].parse::<usize>(), rec[2].parse::<usize>()) else {
                break;
            };
            let job = p * replications as usize + r;
            if &rec[3] == END_MARK {
                if let Some(rows) = pending.remove(&job) {
                    let values = group_rows(rows);
                    into.insert(job, &values);
                }
                continue;
            }
            let (Some(kind), Ok(v)) = (EntityKind::parse(&rec[3]), rec[6].parse::<f64>()) else {
                break;
            };
            pending
                .entry(job)
                .or_default()
                .push((kind, rec[4].to_string(), rec[5].to_string(), v));
        }
        if !needs_mark {
            for (job, rows) in pending {
                into.insert(job, &group_rows(rows));
            }
        }
    }
    Ok(())
}

fn group_rows(rows: Vec<(EntityKind, String, String, f64)>) -> Vec<EntityValues> {
    let mut out: Vec<EntityValues> = Vec::new();
    for (kind, id, kpi, v) in rows {
        match out.last_mut() {
            Some(e) if e.kind == kind && e.id == id => e.values.push((kpi, v)),
            _ => out.push(EntityValues {
                kind,
                id,
                values: vec![(kpi, v)],
            }),
        }
    }
    out
}

fn write_rows<W: Write>(
    w: &mut csv::Writer<W>,
    plan_labels: &[String],
    replications: usize,
    job: usize,
    results: &Results,
    rows: &[Row],
) -> csv::Result<()> {
    let (p, r) = (job / replications, job % replications);
    let (ps, rs) = (p.to_string(), r.to_string());
    for row in rows {
        let (kind, id) = &results.entities[row.entity as usize];
        w.write_record([
            ps.as_str(),
            plan_labels[p].as_str(),
            rs.as_str(),
            kind.as_str(),
            id.as_str(),
            results.kpis[row.kpi as usize].as_str(),
            &row.value.to_string(),
        ])?;
    }
    Ok(())
}

/// Runs one job. Replication 0 of each point also writes the point's detail files (time series
/// and wait distributions) into `out`, before the job is journaled, so a journaled job always has
/// its files.
fn run_job(
    plan: &Plan,
    job: usize,
    out: Option<&Path>,
) -> Result<(Vec<EntityValues>, u64), SweepError> {
    let r = plan.replications as usize;
    let point = &plan.points[job / r];
    let model = point
        .model
        .as_ref()
        .expect("jobs are made for valid points only");
    let rep = (job % r) as u32;
    let res = match out {
        Some(dir) if rep == 0 => {
            let res = simulate_with(
                model,
                rep,
                Observe {
                    series_step: Some(model.series_step),
                },
            );
            write_detail(dir, job / r, model, &res)?;
            res
        }
        _ => simulate(model, rep),
    };
    Ok((rep_values(model, &res), res.events))
}

/// Folder of the per-point detail files inside a sweep output directory.
pub const DETAIL_DIR: &str = "detail";

/// Paths of point `p`'s time series and wait-distribution files in `dir`.
pub fn detail_paths(dir: &Path, p: usize) -> (PathBuf, PathBuf) {
    let d = dir.join(DETAIL_DIR);
    (
        d.join(format!("point-{p:03}-series.csv")),
        d.join(format!("point-{p:03}-waits.csv")),
    )
}

/// Writes point `p`'s detail files (each to a temporary name first, then renamed, so a killed
/// run never leaves half a file under the final name).
fn write_detail(dir: &Path, p: usize, model: &Model, res: &RepResult) -> Result<(), SweepError> {
    let (series, waits) = detail_paths(dir, p);
    let folder = dir.join(DETAIL_DIR);
    fs::create_dir_all(&folder).map_err(|e| io_err("cannot create", &folder, e))?;
    let write = |path: &Path, f: &dyn Fn(&mut Vec<u8>) -> csv::Result<()>| {
        let mut buf = Vec::new();
        f(&mut buf).map_err(|e| io_err("cannot write", path, e))?;
        let tmp = path.with_extension("csv.tmp");
        fs::write(&tmp, &buf).map_err(|e| io_err("cannot write", &tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| io_err("cannot write", path, e))
    };
    write(&series, &|b| detail::write_series(b, model, &res.series))?;
    write(&waits, &|b| detail::write_cdf(b, model, res))
}

/// Runs the plan's jobs (those of this shard, not yet recorded) and records them.
pub fn execute(plan: &Plan, opts: &Options) -> Result<Outcome, SweepError> {
    let r = plan.replications as usize;
    let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
    let manifest_text = serde_json::to_string_pretty(&manifest(plan))
        .map_err(|e| SweepError::Failed(format!("cannot write the manifest: {e}")))?
        + "\n";
    let mut results = Results::default();

    // Prepare the output directory and what it already holds.
    let mut journal: Option<csv::Writer<fs::File>> = None;
    if let Some(dir) = &opts.out {
        let mpath = dir.join("manifest.json");
        if opts.resume {
            let old = fs::read_to_string(&mpath).map_err(|e| {
                SweepError::Usage(format!(
                    "--resume {}: no manifest.json from an earlier run ({e})",
                    dir.display()
                ))
            })?;
            if old != manifest_text {
                return Err(SweepError::Usage(format!(
                    "--resume {}: the results there come from a different sweep, scenario, replication count or borderflow version",
                    dir.display()
                )));
            }
            read_dir_results(dir, plan.replications, &mut results)?;
            // A replication 0 whose detail files are gone (deleted by hand) runs again.
            results.jobs.retain(|&job, _| {
                let (series, waits) = detail_paths(dir, job / r);
                job % r != 0 || (series.exists() && waits.exists())
            });
        } else if dir.exists()
            && fs::read_dir(dir)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false)
        {
            return Err(SweepError::Usage(format!(
                "{} already holds files: choose an empty --out directory, or continue it with --resume {}",
                dir.display(),
                dir.display()
            )));
        }
        fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
        fs::write(&mpath, &manifest_text).map_err(|e| io_err("cannot write", &mpath, e))?;
        // Rewrite the journal with complete jobs only, so appends never follow a torn line.
        let jpath = dir.join("journal.csv");
        let mut w =
            csv::Writer::from_path(&jpath).map_err(|e| io_err("cannot write", &jpath, e))?;
        w.write_record(HEADER)
            .map_err(|e| io_err("cannot write", &jpath, e))?;
        for (job, rows) in &results.jobs {
            write_rows(&mut w, &labels, r, *job, &results, rows)
                .and_then(|_| end_mark(&mut w, *job, r))
                .map_err(|e| io_err("cannot write", &jpath, e))?;
        }
        w.flush().map_err(|e| io_err("cannot write", &jpath, e))?;
        // Drop the old complete-run file: its jobs are in the journal now.
        let _ = fs::remove_file(dir.join("runs.csv"));
        journal = Some(w);
    }

    let todo: Vec<usize> = all_jobs(plan)
        .into_iter()
        .filter(|j| opts.shard.is_none_or(|(i, n)| j % n == i))
        .filter(|j| !results.jobs.contains_key(j))
        .collect();

    let bar = if opts.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::with_draw_target(
            Some(todo.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} jobs  {per_sec}  ETA {eta}",
        ) {
            b.set_style(style);
        }
        b
    };

    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = opts.threads {
            b = b.num_threads(t.max(1));
        }
        b.build()
            .map_err(|e| SweepError::Failed(format!("cannot start worker threads: {e}")))?
    };
    let t0 = std::time::Instant::now();
    type Done = Result<(Vec<EntityValues>, u64), SweepError>;
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    let mut events = 0u64;
    let mut write_error: Option<SweepError> = None;
    std::thread::scope(|s| {
        let todo = &todo;
        s.spawn(move || {
            pool.install(|| {
                todo.par_iter().for_each_with(tx, |tx, &job| {
                    let done = run_job(plan, job, opts.out.as_deref());
                    // The receiver only goes away if the collector failed; nothing to do then.
                    let _ = tx.send((job, done));
                })
            })
        });
        // The collector: the only writer, so rows of one job are contiguous and complete.
        for (job, done) in rx {
            let (values, ev) = match done {
                Ok(x) => x,
                Err(e) => {
                    write_error.get_or_insert(e);
                    continue;
                }
            };
            events += ev;
            results.insert(job, &values);
            if let Some(w) = &mut journal
                && write_error.is_none()
            {
                let rows = &results.jobs[&job];
                if let Err(e) = write_rows(w, &labels, r, job, &results, rows)
                    .and_then(|_| end_mark(w, job, r))
                    .and_then(|_| w.flush().map_err(csv::Error::from))
                {
                    write_error = Some(SweepError::Failed(format!(
                        "cannot append to the journal: {e}"
                    )));
                }
            }
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e);
    }
    Ok(Outcome {
        results,
        ran: todo.len(),
        wall_s: t0.elapsed().as_secs_f64(),
        events,
    })
}

fn end_mark<W: Write>(w: &mut csv::Writer<W>, job: usize, r: usize) -> csv::Result<()> {
    w.write_record([
        (job / r).to_string().as_str(),
        "",
        (job % r).to_string().as_str(),
        END_MARK,
        "",
        "",
        "",
    ])
}

/// Writes `runs.csv` (all recorded jobs in job order) and removes the journal.
pub fn write_runs(
    dir: &Path,
    labels: &[String],
    replications: u32,
    results: &Results,
) -> Result<(), SweepError> {
    let path = dir.join("runs.csv");
    let tmp = dir.join("runs.csv.tmp");
    let mut w = csv::Writer::from_path(&tmp).map_err(|e| io_err("cannot write", &tmp, e))?;
    w.write_record(HEADER)
        .map_err(|e| io_err("cannot write", &tmp, e))?;
    for (job, rows) in &results.jobs {
        write_rows(&mut w, labels, replications as usize, *job, results, rows)
            .map_err(|e| io_err("cannot write", &tmp, e))?;
    }
    w.flush().map_err(|e| io_err("cannot write", &tmp, e))?;
    drop(w);
    fs::rename(&tmp, &path).map_err(|e| io_err("cannot write", &path, e))?;
    let _ = fs::remove_file(dir.join("journal.csv"));
    Ok(())
}

/// Estimates of one KPI of one entity at one point, with the paired difference from the baseline.
#[derive(Clone, Debug)]
pub struct Cell {
    /// Across replications.
    pub estimate: Estimate,
    /// Paired difference (this point − baseline), per replication, when there is a baseline.
    pub diff: Option<Estimate>,
}

impl Cell {
    /// True when the difference's 95% interval excludes zero.
    pub fn significant(&self) -> bool {
        self.diff.is_some_and(|d| d.n >= 2 && d.mean.abs() > d.ci95)
    }
}

/// Per-point summaries of a sweep.
#[derive(Clone, Debug)]
pub struct SweepSummary {
    /// Point labels, by index.
    pub labels: Vec<String>,
    /// Invalid points with their problems.
    pub invalid: InvalidPoints,
    /// Baseline point.
    pub baseline: Option<usize>,
    /// Entities, in first-seen order.
    pub entities: Vec<(EntityKind, String)>,
    /// KPI names.
    pub kpis: Vec<String>,
    /// (point, entity, kpi) → cell, in that order.
    pub cells: BTreeMap<(usize, u32, u32), Cell>,
}

/// Summarises recorded results: per point, entity and KPI, and paired against the baseline
/// (replication r of a point against replication r of the baseline: common random numbers).
pub fn summarize(
    labels: Vec<String>,
    invalid: InvalidPoints,
    baseline: Option<usize>,
    replications: u32,
    results: &Results,
) -> SweepSummary {
    let r = replications as usize;
    // (point, entity, kpi) → values by replication.
    let mut samples: BTreeMap<(usize, u32, u32), Vec<Option<f64>>> = BTreeMap::new();
    for (job, rows) in &results.jobs {
        let (p, k) = (job / r, job % r);
        for row in rows {
            let slot = samples
                .entry((p, row.entity, row.kpi))
                .or_insert_with(|| vec![None; r]);
            slot[k] = Some(row.value);
        }
    }
    let mut cells = BTreeMap::new();
    for (&(p, e, k), xs) in &samples {
        let vals: Vec<f64> = xs.iter().flatten().copied().collect();
        let diff = baseline.filter(|&b| b != p).and_then(|b| {
            let base = samples.get(&(b, e, k))?;
            let ds: Vec<f64> = xs
                .iter()
                .zip(base)
                .filter_map(|(a, b)| Some((*a)? - (*b)?))
                .collect();
            (!ds.is_empty()).then(|| Estimate::from_samples(&ds))
        });
        cells.insert(
            (p, e, k),
            Cell {
                estimate: Estimate::from_samples(&vals),
                diff,
            },
        );
    }
    SweepSummary {
        labels,
        invalid,
        baseline,
        entities: results.entities.clone(),
        kpis: results.kpis.clone(),
        cells,
    }
}

/// Invalid points: (index, problems).
pub type InvalidPoints = Vec<(usize, Vec<String>)>;

/// Labels, invalid points, baseline and replications recorded in a manifest.
pub fn manifest_points(m: &Value) -> (Vec<String>, InvalidPoints, Option<usize>, u32) {
    let mut labels = Vec::new();
    let mut invalid = Vec::new();
    if let Some(points) = m["points"].as_array() {
        for (i, p) in points.iter().enumerate() {
            labels.push(p["label"].as_str().unwrap_or_default().to_string());
            if p["status"] != "ok" {
                let probs = p["problems"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                invalid.push((i, probs));
            }
        }
    }
    let baseline = m["baseline"]
        .as_str()
        .and_then(|b| labels.iter().position(|l| l == b));
    let reps = m["replications"].as_u64().unwrap_or(1) as u32;
    (labels, invalid, baseline, reps)
}

fn f(x: f64) -> String {
    x.to_string()
}

/// Writes `summary.csv` and `summary.json`.
pub fn write_summary(dir: &Path, s: &SweepSummary) -> Result<(), SweepError> {
    let path = dir.join("summary.csv");
    let mut w = csv::Writer::from_path(&path).map_err(|e| io_err("cannot write", &path, e))?;
    let res: csv::Result<()> = (|| {
        w.write_record([
            "point_index",
            "point",
            "entity_kind",
            "entity",
            "kpi",
            "n",
            "mean",
            "sd",
            "ci95",
            "diff_mean",
            "diff_ci95",
            "diff_significant",
        ])?;
        for (&(p, e, k), c) in &s.cells {
            let (kind, id) = &s.entities[e as usize];
            let (dm, dc, sig) = match c.diff {
                Some(d) => (f(d.mean), f(d.ci95), c.significant().to_string()),
                None => (String::new(), String::new(), String::new()),
            };
            w.write_record([
                p.to_string().as_str(),
                s.labels[p].as_str(),
                kind.as_str(),
                id,
                s.kpis[k as usize].as_str(),
                c.estimate.n.to_string().as_str(),
                &f(c.estimate.mean),
                &f(c.estimate.sd),
                &f(c.estimate.ci95),
                &dm,
                &dc,
                &sig,
            ])?;
        }
        w.flush()?;
        Ok(())
    })();
    res.map_err(|e| io_err("cannot write", &path, e))?;

    let json = summary_json(s);
    let jpath = dir.join("summary.json");
    let text = serde_json::to_string_pretty(&json)
        .map_err(|e| SweepError::Failed(format!("cannot write summary.json: {e}")))?;
    fs::write(&jpath, text + "\n").map_err(|e| io_err("cannot write", &jpath, e))
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// The `summary.json` document.
pub fn summary_json(s: &SweepSummary) -> Value {
    let mut points = Vec::new();
    for (p, label) in s.labels.iter().enumerate() {
        if let Some((_, probs)) = s.invalid.iter().find(|(i, _)| *i == p) {
            points.push(
                json!({ "index": p, "label": label, "status": "invalid", "problems": probs }),
            );
            continue;
        }
        let mut by_kind: Map<String, Value> = Map::new();
        for (&(pp, e, k), c) in s.cells.range((p, 0, 0)..(p + 1, 0, 0)) {
            debug_assert_eq!(pp, p);
            let (kind, id) = &s.entities[e as usize];
            let ent = by_kind
                .entry(kind.as_str().to_string())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("object")
                .entry(id.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let mut cell = json!({
                "n": c.estimate.n,
                "mean": num(c.estimate.mean),
                "sd": num(c.estimate.sd),
                "ci95": num(c.estimate.ci95),
            });
            if let Some(d) = c.diff {
                cell["diff"] = json!({ "mean": num(d.mean), "ci95": num(d.ci95), "significant": c.significant() });
            }
            if let Some(o) = ent.as_object_mut() {
                o.insert(s.kpis[k as usize].clone(), cell);
            }
        }
        points.push(json!({ "index": p, "label": label, "status": "ok", "results": by_kind }));
    }
    json!({
        "baseline": s.baseline.map(|b| s.labels[b].clone()),
        "points": points,
    })
}

/// Combines shard directories into `out`: exactly the files one unsharded run writes.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<SweepSummary, SweepError> {
    let first = dirs
        .first()
        .ok_or_else(|| SweepError::Usage("merge needs at least one directory".into()))?;
    let read_manifest = |d: &Path| {
        fs::read_to_string(d.join("manifest.json")).map_err(|e| {
            SweepError::Usage(format!(
                "{}: no manifest.json ({e}); is it a sweep output directory?",
                d.display()
            ))
        })
    };
    let manifest_text = read_manifest(first)?;
    for d in &dirs[1..] {
        if read_manifest(d)? != manifest_text {
            return Err(SweepError::Usage(format!(
                "{} and {} hold different sweeps (their manifest.json differ)",
                first.display(),
                d.display()
            )));
        }
    }
    let m: Value = serde_json::from_str(&manifest_text).map_err(|e| {
        SweepError::Usage(format!(
            "{}: manifest.json is not valid JSON: {e}",
            first.display()
        ))
    })?;
    let (labels, invalid, baseline, reps) = manifest_points(&m);
    let mut results = Results::default();
    for d in dirs {
        let mut part = Results::default();
        read_dir_results(d, reps, &mut part)?;
        for (job, rows) in &part.jobs {
            let values = to_values(&part, rows);
            if let Some(existing) = results.jobs.get(job) {
                if to_values(&results, existing) != values {
                    return Err(SweepError::Usage(format!(
                        "job {job} differs between shards (point {}, replication {})",
                        job / reps as usize,
                        job % reps as usize
                    )));
                }
                continue;
            }
            results.insert(*job, &values);
        }
    }
    let expected: usize = (labels.len() - invalid.len()) * reps as usize;
    let missing: Vec<usize> = (0..labels.len())
        .filter(|p| !invalid.iter().any(|(i, _)| i == p))
        .flat_map(|p| (0..reps as usize).map(move |k| p * reps as usize + k))
        .filter(|j| !results.jobs.contains_key(j))
        .collect();
    if !missing.is_empty() {
        return Err(SweepError::Usage(format!(
            "{} of {expected} jobs are missing from these directories (first: point {}, replication {}); run the missing shards or --resume them",
            missing.len(),
            missing[0] / reps as usize,
            missing[0] % reps as usize
        )));
    }
    let results = canonical(&results, reps);
    if out.exists()
        && fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        return Err(SweepError::Usage(format!(
            "{} already holds files: merge into a new or empty directory",
            out.display()
        )));
    }
    fs::create_dir_all(out).map_err(|e| io_err("cannot create", out, e))?;
    fs::write(out.join("manifest.json"), &manifest_text)
        .map_err(|e| io_err("cannot write", &out.join("manifest.json"), e))?;
    write_runs(out, &labels, reps, &results)?;
    // Each point's detail files were written by the shard that ran its replication 0.
    for d in dirs {
        let Ok(entries) = fs::read_dir(d.join(DETAIL_DIR)) else {
            continue;
        };
        let folder = out.join(DETAIL_DIR);
        fs::create_dir_all(&folder).map_err(|e| io_err("cannot create", &folder, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().ends_with(".csv") {
                let to = folder.join(&name);
                fs::copy(entry.path(), &to).map_err(|e| io_err("cannot write", &to, e))?;
            }
        }
    }
    let summary = summarize(labels, invalid, baseline, reps, &results);
    write_summary(out, &summary)?;
    Ok(summary)
}

fn to_values(r: &Results, rows: &[Row]) -> Vec<EntityValues> {
    let mut out: Vec<EntityValues> = Vec::new();
    for row in rows {
        let (kind, id) = &r.entities[row.entity as usize];
        let kpi = r.kpis[row.kpi as usize].clone();
        match out.last_mut() {
            Some(e) if e.kind == *kind && e.id == *id => e.values.push((kpi, row.value)),
            _ => out.push(EntityValues {
                kind: *kind,
                id: id.clone(),
                values: vec![(kpi, row.value)],
            }),
        }
    }
    out
}

/// The same results with names interned in job order, so that entity and KPI order (and so
/// every output file) do not depend on which job happened to finish first.
pub fn canonical(r: &Results, _replications: u32) -> Results {
    let mut out = Results::default();
    for (job, rows) in &r.jobs {
        out.insert(*job, &to_values(r, rows));
    }
    out
}

/// Finishes a run directory: `runs.csv`, and for a complete (unsharded) run the summaries; for
/// a shard, `shard.json`.
pub fn finish_dir(
    dir: &Path,
    plan: &Plan,
    opts: &Options,
    results: &Results,
) -> Result<Option<SweepSummary>, SweepError> {
    let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
    let results = canonical(results, plan.replications);
    write_runs(dir, &labels, plan.replications, &results)?;
    if let Some((i, n)) = opts.shard {
        let path = dir.join("shard.json");
        let text = serde_json::to_string_pretty(
            &json!({ "shard": i, "of": n, "jobs": results.jobs.len() }),
        )
        .unwrap_or_default();
        fs::write(&path, text + "\n").map_err(|e| io_err("cannot write", &path, e))?;
        return Ok(None);
    }
    // A directory that held a shard and was resumed unsharded is a complete run now.
    let _ = fs::remove_file(dir.join("shard.json"));
    let summary = summarize_plan(plan, &results);
    write_summary(dir, &summary)?;
    Ok(Some(summary))
}

/// Summarises `results` of `plan`.
pub fn summarize_plan(plan: &Plan, results: &Results) -> SweepSummary {
    let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
    let invalid = plan
        .points
        .iter()
        .filter_map(|p| {
            p.model
                .as_ref()
                .err()
                .map(|e| (p.index, e.problems.iter().map(|x| x.to_string()).collect()))
        })
        .collect();
    summarize(
        labels,
        invalid,
        plan.baseline,
        plan.replications,
        &canonical(results, plan.replications),
    )
}
