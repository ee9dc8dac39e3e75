//! Where a sweep records its values: the journal that keeps finished jobs while running (so a killed sweep loses only the jobs in flight and can be resumed),
//! and the files of a result directory, always written from the recorded values in job order so
//! that they do not depend on thread count, completion order, interruption or sharding.
//!
//! Files in the output directory:
//! - `manifest.json`: what was run (binary version, sweep and base scenario text, points),
//!   written and read back by the `manifest` module;
//! - `journal.csv`: rows of finished jobs while running (removed when the run completes);
//! - `runs.csv`: one row per point × replication × entity × KPI (tidy); `value` is empty where
//!   the statistic does not exist in that replication (a mean wait where nobody was served);
//! - `runs-check.csv`: per job, its row count and a checksum of its rows in `runs.csv`, so a
//!   resumed or merged directory takes a job from `runs.csv` only if every row of it is there
//!   as written (the journal's end marks carry the same check);
//! - `summary.csv`, `summary.json`: per point, entity and KPI: n (the replications that had a
//!   value), mean, sd, 95% half-width (empty / null when n = 0), and the paired difference from
//!   the baseline point with its own interval and its number of pairs;
//! - `detail/point-NNN-series.csv`, `-waits.csv`: replication 0's time series and wait tables;
//! - `shard.json` (shards only): which part of the jobs this directory holds.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::manifest::{MANIFEST_MAX_BYTES, Manifest};
use super::pairing::SweepSummary;
use super::plan::Plan;
use super::results::{Results, Row};
use crate::error::{Error, Result};
use crate::files::read_regular;
use crate::files::write_atomic;
use crate::kpi::{self, EntityKind};
use crate::model::{Model, RepResult};

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

/// Reads the complete jobs recorded in `runs.csv` and `journal.csv` of `dir`. A job counts only
/// if its rows are all there as written: in the journal, its end mark gives their count and
/// checksum; in `runs.csv`, `runs-check.csv` does. A torn last write, a cut file or a damaged
/// value drops the job (a resumed sweep runs it again; a merge reports it missing).
pub fn read_dir_results(dir: &Path, replications: u32, into: &mut Results) -> Result<()> {
    for name in ["runs.csv", "journal.csv"] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        // What each job must hold: from its end mark (journal) or the check file (runs.csv).
        let mut expected: BTreeMap<usize, JobCheck> = if name == "runs.csv" {
            read_checks(dir, replications)?
        } else {
            BTreeMap::new()
        };
        let text = read_regular(&path, u64::MAX).map_err(|e| Error::io("cannot read", &path, e))?;
        // Every record is written with its newline: a last line without one was torn by a
        // kill mid-write (and one torn right after a comma would read as a missing value).
        let whole = match text.rfind('\n') {
            Some(end) => &text[..=end],
            None => "",
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(whole.as_bytes());
        let mut pending: BTreeMap<usize, (ReadRows, JobCheck)> = BTreeMap::new();
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
                if let Some((rows, got)) = pending.remove(&job)
                    && JobCheck::parse(&rec[5], &rec[6]) == Some(got)
                {
                    record(into, job, &rows);
                }
                continue;
            }
            // An empty value is a statistic that did not exist in that replication.
            let value = match &rec[6] {
                "" => Ok(f64::NAN),
                v => v.parse::<f64>(),
            };
            let (Some(kind), Ok(v)) = (EntityKind::parse(&rec[3]), value) else {
                break;
            };
            let (rows, check) = pending.entry(job).or_default();
            check.add(&rec[3], &rec[4], &rec[5], &rec[6]);
            rows.push((kind, rec[4].to_string(), rec[5].to_string(), v));
        }
        if name == "runs.csv" {
            for (job, (rows, got)) in pending {
                if expected.remove(&job) == Some(got) {
                    record(into, job, &rows);
                }
            }
        }
    }
    Ok(())
}

/// The row count and checksum (64-bit FNV-1a over the written fields) of one job's rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct JobCheck {
    rows: usize,
    hash: u64,
}

impl JobCheck {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

    /// Adds one row, as its fields are written (kind, entity, KPI, value).
    fn add(&mut self, kind: &str, entity: &str, kpi: &str, value: &str) {
        if self.rows == 0 {
            self.hash = Self::FNV_OFFSET;
        }
        self.rows += 1;
        for field in [kind, entity, kpi, value] {
            for &b in field.as_bytes().iter().chain(b"\x1f") {
                self.hash = (self.hash ^ u64::from(b)).wrapping_mul(Self::FNV_PRIME);
            }
        }
    }

    /// The check written in an end mark or `runs-check.csv`: hash in hex, row count.
    fn parse(hash: &str, rows: &str) -> Option<JobCheck> {
        Some(JobCheck {
            rows: rows.parse().ok()?,
            hash: u64::from_str_radix(hash, 16).ok()?,
        })
    }
}

/// `runs-check.csv` of `dir`: the check of every job in `runs.csv` (none if it is missing, so
/// that `runs.csv` then counts for nothing).
fn read_checks(dir: &Path, replications: u32) -> Result<BTreeMap<usize, JobCheck>> {
    let path = dir.join(CHECK_FILE);
    let mut checks = BTreeMap::new();
    let Ok(text) = read_regular(&path, u64::MAX) else {
        return Ok(checks);
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for rec in rdr.records() {
        let Ok(rec) = rec else { break };
        let (Ok(p), Ok(r)) = (rec[0].parse::<usize>(), rec[1].parse::<usize>()) else {
            break;
        };
        if rec.len() == 4
            && let Some(c) = JobCheck::parse(&rec[3], &rec[2])
        {
            checks.insert(p * replications as usize + r, c);
        }
    }
    Ok(checks)
}

/// File of per-job checks of `runs.csv`.
const CHECK_FILE: &str = "runs-check.csv";

/// A job's rows as read from a file: (entity kind, entity, KPI, value).
type ReadRows = Vec<(EntityKind, String, String, f64)>;

fn record(into: &mut Results, job: usize, rows: &ReadRows) {
    let named = rows
        .iter()
        .map(|(kind, id, kpi, v)| (*kind, id.as_str(), kpi.as_str(), *v));
    into.insert_named(job, rows.len(), named);
}

fn write_rows<W: Write>(
    w: &mut csv::Writer<W>,
    plan_labels: &[String],
    replications: usize,
    job: usize,
    results: &Results,
    rows: &[Row],
) -> csv::Result<JobCheck> {
    let (p, r) = (job / replications, job % replications);
    let (ps, rs) = (p.to_string(), r.to_string());
    let mut check = JobCheck::default();
    for row in rows {
        let (kind, id) = &results.entities[row.entity as usize];
        let (kpi, value) = (results.kpis[row.kpi as usize].as_str(), f(row.value));
        check.add(kind.as_str(), id, kpi, &value);
        w.write_record([
            ps.as_str(),
            plan_labels[p].as_str(),
            rs.as_str(),
            kind.as_str(),
            id.as_str(),
            kpi,
            &value,
        ])?;
    }
    Ok(check)
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
pub(crate) fn write_detail(dir: &Path, p: usize, model: &Model, res: &RepResult) -> Result<()> {
    let (series, waits) = detail_paths(dir, p);
    let folder = dir.join(DETAIL_DIR);
    fs::create_dir_all(&folder).map_err(|e| Error::io("cannot create", &folder, e))?;
    let write = |path: &Path, f: &dyn Fn(&mut Vec<u8>) -> csv::Result<()>| {
        let mut buf = Vec::new();
        f(&mut buf).map_err(|e| Error::io("cannot write", path, e))?;
        write_atomic(path, &buf)
    };
    write(&series, &|b| kpi::write_series(b, model, &res.series))?;
    write(&waits, &|b| kpi::write_waits(b, model, res))
}

/// The journal of a running sweep: complete jobs, each closed by an end mark.
pub(crate) struct Journal {
    w: csv::Writer<fs::File>,
    path: PathBuf,
    labels: Vec<String>,
    replications: usize,
}

impl Journal {
    /// Prepares the output directory `dir` for `plan` and opens its journal. With `resume`, the
    /// directory must hold the same sweep (`manifest_text`); its complete jobs go into `results`
    /// and are rewritten into a fresh journal. Without, the directory must be empty or absent.
    pub(crate) fn open(
        dir: &Path,
        plan: &Plan,
        resume: bool,
        manifest_text: &str,
        results: &mut Results,
    ) -> Result<Journal, Error> {
        let r = plan.replications as usize;
        let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
        let mpath = Manifest::path(dir);
        if resume {
            let old = read_regular(&mpath, MANIFEST_MAX_BYTES).map_err(|e| {
                Error::results(
                    dir,
                    format!("cannot resume: no manifest.json from an earlier run ({e})"),
                )
            })?;
            if old != manifest_text {
                return Err(Error::results(
                    dir,
                    "cannot resume: the results there come from a different sweep, scenario, \
                     replication count or borderflow version",
                ));
            }
            read_dir_results(dir, plan.replications, results)?;
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
            return Err(Error::results(
                dir,
                "already holds files: write into an empty directory, or resume the sweep there",
            ));
        }
        fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        write_atomic(&mpath, manifest_text.as_bytes())?;
        // Rewrite the journal with complete jobs only, so appends never follow a torn line.
        let jpath = dir.join("journal.csv");
        let mut w =
            csv::Writer::from_path(&jpath).map_err(|e| Error::io("cannot write", &jpath, e))?;
        w.write_record(HEADER)
            .map_err(|e| Error::io("cannot write", &jpath, e))?;
        for (job, rows) in &results.jobs {
            write_rows(&mut w, &labels, r, *job, results, rows)
                .and_then(|check| end_mark(&mut w, *job, r, check))
                .map_err(|e| Error::io("cannot write", &jpath, e))?;
        }
        w.flush()
            .map_err(|e| Error::io("cannot write", &jpath, e))?;
        // Drop the old complete-run file: its jobs are in the journal now.
        let _ = fs::remove_file(dir.join("runs.csv"));
        Ok(Journal {
            w,
            path: jpath,
            labels,
            replications: r,
        })
    }

    /// Appends the recorded rows of `job` with its end mark, and flushes.
    pub(crate) fn append(&mut self, job: usize, results: &Results) -> Result<()> {
        let (w, r) = (&mut self.w, self.replications);
        write_rows(w, &self.labels, r, job, results, &results.jobs[&job])
            .and_then(|check| end_mark(w, job, r, check))
            .and_then(|_| w.flush().map_err(csv::Error::from))
            .map_err(|e| Error::io("cannot append to", &self.path, e))
    }
}

/// The end mark of `job`: its rows' check in the `kpi` (hash) and `value` (count) columns.
fn end_mark<W: Write>(
    w: &mut csv::Writer<W>,
    job: usize,
    r: usize,
    c: JobCheck,
) -> csv::Result<()> {
    w.write_record([
        (job / r).to_string().as_str(),
        "",
        (job % r).to_string().as_str(),
        END_MARK,
        "",
        format!("{:016x}", c.hash).as_str(),
        c.rows.to_string().as_str(),
    ])
}

/// Writes `runs.csv` (all recorded jobs in job order) and removes the journal.
pub fn write_runs(
    dir: &Path,
    labels: &[String],
    replications: u32,
    results: &Results,
) -> Result<()> {
    let path = dir.join("runs.csv");
    let tmp = dir.join("runs.csv.tmp");
    let mut w = csv::Writer::from_path(&tmp).map_err(|e| Error::io("cannot write", &tmp, e))?;
    w.write_record(HEADER)
        .map_err(|e| Error::io("cannot write", &tmp, e))?;
    let mut checks = Vec::with_capacity(results.jobs.len());
    for (job, rows) in &results.jobs {
        let c = write_rows(&mut w, labels, replications as usize, *job, results, rows)
            .map_err(|e| Error::io("cannot write", &tmp, e))?;
        checks.push((*job, c));
    }
    w.flush().map_err(|e| Error::io("cannot write", &tmp, e))?;
    drop(w);
    // The checks go first: a runs.csv is never there without the checks of its jobs.
    let r = replications as usize;
    let mut text = String::from("point_index,replication,rows,fnv1a64\n");
    for (job, c) in checks {
        text += &format!("{},{},{},{:016x}\n", job / r, job % r, c.rows, c.hash);
    }
    write_atomic(&dir.join(CHECK_FILE), text.as_bytes())?;
    fs::rename(&tmp, &path).map_err(|e| Error::io("cannot write", &path, e))?;
    let _ = fs::remove_file(dir.join("journal.csv"));
    Ok(())
}

/// A value as written in the CSV files: empty when missing (NaN).
fn f(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// Writes `summary.csv` and `summary.json`.
pub fn write_summary(dir: &Path, s: &SweepSummary) -> Result<()> {
    let path = dir.join("summary.csv");
    let mut w = csv::Writer::from_writer(Vec::new());
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
            "diff_n",
            "diff_p",
            "diff_p_holm",
            "baseline_point",
        ])?;
        for p in &s.points {
            let ps = p.index.to_string();
            let base = s.pairing.anchor.get(p.index).copied().flatten();
            let base = base.map_or("", |b| s.points[b].label.as_str());
            for e in &p.entities {
                for (kpi, c) in &e.metrics {
                    let (dm, dc, sig, dn, dp, dh) = match c.diff {
                        Some(d) => (
                            f(d.mean),
                            f(d.ci95),
                            c.significant().to_string(),
                            d.n.to_string(),
                            f(d.p),
                            f(d.p_holm),
                        ),
                        None => Default::default(),
                    };
                    w.write_record([
                        ps.as_str(),
                        p.label.as_str(),
                        e.kind.as_str(),
                        &e.id,
                        kpi.as_str(),
                        c.estimate.n.to_string().as_str(),
                        &f(c.estimate.mean),
                        &f(c.estimate.sd),
                        &f(c.estimate.ci95),
                        &dm,
                        &dc,
                        &sig,
                        &dn,
                        &dp,
                        &dh,
                        base,
                    ])?;
                }
            }
        }
        w.flush()?;
        Ok(())
    })();
    res.map_err(|e| Error::io("cannot write", &path, e))?;
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Failed(format!("cannot write summary.csv: {e}")))?;
    write_atomic(&path, &bytes)?;

    if let Some(r) = super::robust::robustness(s) {
        super::robust::write_csv(dir, &r)?;
    }
    let json = summary_json(s);
    let jpath = dir.join("summary.json");
    let text = serde_json::to_string_pretty(&json)
        .map_err(|e| Error::Failed(format!("cannot write summary.json: {e}")))?;
    write_atomic(&jpath, (text + "\n").as_bytes())
}

/// The `summary.json` document.
pub fn summary_json(s: &SweepSummary) -> Value {
    let mut points = Vec::new();
    let labels: Vec<String> = s.points.iter().map(|p| p.label.clone()).collect();
    for p in &s.points {
        let (index, label) = (p.index, &p.label);
        if let Some((_, probs)) = s.invalid.iter().find(|(i, _)| *i == index) {
            let mut entry =
                json!({ "index": index, "label": label, "status": "invalid", "problems": probs });
            s.pairing.annotate(&mut entry, index, &labels);
            points.push(entry);
            continue;
        }
        let results = kpi::results_json(p);
        let mut entry = json!({ "index": index, "label": label, "status": "ok" });
        s.pairing.annotate(&mut entry, index, &labels);
        if let Some(j) = kpi::judge_point(p) {
            entry["overloaded"] = json!(j.overloaded);
            entry["overload_reasons"] = json!(j.reasons);
        }
        entry["results"] = results;
        points.push(entry);
    }
    let mut doc = json!({
        "baseline": s.baseline.map(|b| s.points[b].label.clone()),
        "points": points,
    });
    if let Some(r) = super::robust::robustness(s) {
        doc["robustness"] = serde_json::to_value(r).unwrap_or(Value::Null);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::super::results::canonical;
    use super::*;
    use crate::kpi::EntityValues;

    /// A fresh scratch directory for one test.
    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("borderflow-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    /// An entity's values: kind, id, (KPI, value) pairs.
    type Entity<'a> = (EntityKind, &'a str, &'a [(&'a str, f64)]);

    fn values(rows: &[Entity]) -> Vec<EntityValues> {
        rows.iter()
            .map(|(kind, id, kv)| EntityValues {
                kind: *kind,
                id: id.to_string(),
                values: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            })
            .collect()
    }

    /// The recorded values of `job` with their names.
    fn job(r: &Results, job: usize) -> Vec<(EntityKind, String, String, f64)> {
        r.named(&r.jobs[&job])
            .map(|(kind, id, kpi, v)| (kind, id.to_string(), kpi.to_string(), v))
            .collect()
    }

    fn row(kind: EntityKind, id: &str, kpi: &str, v: f64) -> (EntityKind, String, String, f64) {
        (kind, id.to_string(), kpi.to_string(), v)
    }

    const HEADER_LINE: &str = "point_index,point,replication,entity_kind,entity,kpi,value\n";

    /// The check of rows given as (kind, entity, KPI, value) text.
    fn check(rows: &[[&str; 4]]) -> JobCheck {
        let mut c = JobCheck::default();
        for [k, e, kpi, v] in rows {
            c.add(k, e, kpi, v);
        }
        c
    }

    /// Journal lines of job (p, r) with `rows`, closed by its end mark.
    fn journal_job(p: usize, label: &str, r: usize, rows: &[[&str; 4]]) -> String {
        let mut out = String::new();
        for [k, e, kpi, v] in rows {
            out += &format!("{p},{label},{r},{k},{e},{kpi},{v}\n");
        }
        let c = check(rows);
        out + &format!("{p},,{r},#end,,{:016x},{}\n", c.hash, c.rows)
    }

    #[test]
    fn a_torn_journal_yields_only_the_complete_jobs() {
        let d = scratch("torn");
        let job0 = [
            ["system", "all", "served", "10"],
            ["checkpoint", "bcp", "wait_mean_h", "1.5"],
        ];
        let job1 = [["system", "all", "served", "11"]];
        // Two replications: jobs 0 and 1 are point 0, job 2 is point 1 replication 0, killed
        // while writing its second row (no end mark, a torn last line).
        fs::write(
            d.join("journal.csv"),
            format!(
                "{HEADER_LINE}{}{}1,b,0,system,all,served,12\n1,b,0,checkpoint,bcp,wait_m",
                journal_job(0, "a", 0, &job0),
                journal_job(0, "a", 1, &job1)
            ),
        )
        .unwrap();
        let mut r = Results::default();
        read_dir_results(&d, 2, &mut r).unwrap();
        assert_eq!(r.jobs.keys().copied().collect::<Vec<_>>(), [0, 1]);
        assert_eq!(
            job(&r, 0),
            [
                row(EntityKind::System, "all", "served", 10.0),
                row(EntityKind::Checkpoint, "bcp", "wait_mean_h", 1.5),
            ]
        );
        assert_eq!(job(&r, 1), [row(EntityKind::System, "all", "served", 11.0)]);

        // A job whose rows are all there but whose end mark is not is dropped too.
        fs::write(
            d.join("journal.csv"),
            format!(
                "{HEADER_LINE}{}1,b,0,system,all,served,12\n",
                journal_job(0, "a", 1, &job1)
            ),
        )
        .unwrap();
        let mut r = Results::default();
        read_dir_results(&d, 2, &mut r).unwrap();
        assert_eq!(r.jobs.keys().copied().collect::<Vec<_>>(), [1]);

        // An end mark whose count or checksum does not match the rows before it drops the job.
        let marked = journal_job(0, "a", 1, &job1).replace(",served,11", ",served,1");
        fs::write(d.join("journal.csv"), format!("{HEADER_LINE}{marked}")).unwrap();
        let mut r = Results::default();
        read_dir_results(&d, 2, &mut r).unwrap();
        assert!(r.jobs.is_empty());
        let _ = fs::remove_dir_all(&d);
    }

    /// `runs-check.csv` for jobs given as (point, replication, rows).
    fn check_file(jobs: &[(usize, usize, &[[&str; 4]])]) -> String {
        let mut out = String::from("point_index,replication,rows,fnv1a64\n");
        for (p, r, rows) in jobs {
            let c = check(rows);
            out += &format!("{p},{r},{},{:016x}\n", c.rows, c.hash);
        }
        out
    }

    #[test]
    fn a_missing_value_is_an_empty_cell_and_a_torn_line_is_not_one() {
        let d = scratch("missing");
        let mut r = Results::default();
        let vals = values(&[(
            EntityKind::Flow,
            "f",
            &[("served", 0.0), ("wait_mean_h", f64::NAN)],
        )]);
        r.insert(0, &vals);
        write_runs(&d, &["p".into()], 1, &r).unwrap();
        let text = fs::read_to_string(d.join("runs.csv")).unwrap();
        assert!(text.ends_with("0,p,0,flow,f,wait_mean_h,\n"), "{text}");
        let mut back = Results::default();
        read_dir_results(&d, 1, &mut back).unwrap();
        let rows = job(&back, 0);
        assert_eq!(rows[0], row(EntityKind::Flow, "f", "served", 0.0));
        assert!(rows[1].3.is_nan() && rows[1].2 == "wait_mean_h");
        // Torn right after the comma (no newline): not a missing value; the job lacks a row, so
        // it does not count at all.
        fs::write(d.join("runs.csv"), text.trim_end_matches('\n')).unwrap();
        let mut torn = Results::default();
        read_dir_results(&d, 1, &mut torn).unwrap();
        assert!(torn.jobs.is_empty());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn runs_csv_counts_the_jobs_its_check_file_vouches_for_and_the_journal_adds_to_it() {
        let d = scratch("runs");
        let (j0, j2) = (
            [["system", "all", "served", "10"]],
            [["system", "all", "served", "12"]],
        );
        fs::write(
            d.join("runs.csv"),
            format!("{HEADER_LINE}0,a,0,system,all,served,10\n1,b,0,system,all,served,12\n"),
        )
        .unwrap();
        fs::write(d.join(CHECK_FILE), check_file(&[(0, 0, &j0), (1, 0, &j2)])).unwrap();
        fs::write(
            d.join("journal.csv"),
            format!(
                "{HEADER_LINE}{}",
                journal_job(0, "a", 1, &[["system", "all", "served", "11"]])
            ),
        )
        .unwrap();
        let mut r = Results::default();
        read_dir_results(&d, 2, &mut r).unwrap();
        assert_eq!(r.jobs.keys().copied().collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(job(&r, 2), [row(EntityKind::System, "all", "served", 12.0)]);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_cut_or_damaged_runs_csv_loses_only_the_jobs_it_tore() {
        let d = scratch("cut");
        let j0: &[[&str; 4]] = &[
            ["system", "all", "served", "10"],
            ["system", "all", "wait_p50_h", "0.11918208"],
        ];
        let j1: &[[&str; 4]] = &[["system", "all", "served", "11"]];
        fs::write(d.join(CHECK_FILE), check_file(&[(0, 0, j0), (0, 1, j1)])).unwrap();
        let read = |runs: &str| {
            fs::write(d.join("runs.csv"), format!("{HEADER_LINE}{runs}")).unwrap();
            let mut r = Results::default();
            read_dir_results(&d, 2, &mut r).unwrap();
            r.jobs.keys().copied().collect::<Vec<_>>()
        };
        let whole = "0,a,0,system,all,served,10\n0,a,0,system,all,wait_p50_h,0.11918208\n\
                     0,a,1,system,all,served,11\n";
        assert_eq!(read(whole), [0, 1]);
        // A value cut short still parses (0.1191), but the job's checksum differs.
        assert_eq!(
            read("0,a,0,system,all,served,10\n0,a,0,system,all,wait_p50_h,0.1191"),
            [0usize; 0]
        );
        // A row missing from job 0: its count differs; job 1 is whole.
        assert_eq!(
            read("0,a,0,system,all,served,10\n0,a,1,system,all,served,11\n"),
            [1]
        );
        // Without its check file, runs.csv vouches for nothing (the jobs run again).
        fs::remove_file(d.join(CHECK_FILE)).unwrap();
        assert_eq!(read(whole), [0usize; 0]);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn canonical_orders_entities_and_kpis_by_job_order() {
        use EntityKind::{Checkpoint, System};
        let job0 = values(&[
            (System, "all", &[("served", 4.0), ("wait_mean_h", 1.0)]),
            (Checkpoint, "bcp", &[("wait_mean_h", 1.5)]),
        ]);
        let job3 = values(&[
            (Checkpoint, "bcp", &[("wait_mean_h", 2.0)]),
            (System, "all", &[("served", 5.0)]),
        ]);
        // Job 3 finished first: it interned the checkpoint and wait first.
        let mut late = Results::default();
        late.insert(3, &job3);
        late.insert(0, &job0);
        assert_eq!(late.kpis, ["wait_mean_h", "served"]);
        let mut early = Results::default();
        early.insert(0, &job0);
        early.insert(3, &job3);

        let expected_entities = [(System, "all".to_string()), (Checkpoint, "bcp".to_string())];
        for r in [&late, &early] {
            let c = canonical(r);
            assert_eq!(c.entities, expected_entities);
            assert_eq!(c.kpis, ["served", "wait_mean_h"]);
            assert_eq!(c.jobs, canonical(&early).jobs);
            assert_eq!(
                job(&c, 0),
                [
                    row(System, "all", "served", 4.0),
                    row(System, "all", "wait_mean_h", 1.0),
                    row(Checkpoint, "bcp", "wait_mean_h", 1.5),
                ]
            );
            assert_eq!(
                job(&c, 3),
                [
                    row(Checkpoint, "bcp", "wait_mean_h", 2.0),
                    row(System, "all", "served", 5.0),
                ]
            );
        }
        // Rows refer to the canonical indices: job 3's first row is entity 1, KPI 1.
        assert_eq!(
            canonical(&late).jobs[&3][0],
            Row {
                entity: 1,
                kpi: 1,
                value: 2.0
            }
        );
    }
}
