//! What the HTML report shows, from either source: a sweep output directory ([`load_dir`]:
//! manifest, summary and the detail files of replication 0 of each point, read with the KPI
//! layer's readers) or a single run in memory ([`from_run`]: the model, its estimates and
//! replication 0, nothing written or read back).

use std::path::Path;

use serde_json::Value;

use super::contexts::{Context, contexts_of};
use crate::error::Error;
use crate::files::open_regular;
use crate::kpi::{
    self, Assumptions, Cell, CheckpointInfo, EntityKind, Facts, PointEstimates, StageSeries,
    Summary, WaitTables, err,
};
use crate::model::{Model, RepResult};
use crate::sweep::{Manifest, PointStatus, detail_paths};

/// The results of one point (one policy combination, or the single scenario of a run).
#[derive(Clone, Debug, Default)]
pub struct Point {
    /// Index, label and estimates of the point.
    pub estimates: PointEstimates,
    /// Checkpoints as configured at this point.
    pub checkpoints: Vec<CheckpointInfo>,
    /// Replication 0's time series by stage ("nur-zholy/kz-exit"); `None` without detail files.
    pub series: Option<StageSeries>,
    /// Replication 0's wait quantiles by entity ("checkpoint/nur-zholy", "system/all").
    pub waits: WaitTables,
    /// Name of the point's scenario (they differ between the sides of `compare`).
    pub scenario: String,
    /// What the point simulated (none from results written without it).
    pub assumptions: Option<Assumptions>,
}

impl Point {
    /// The point's label.
    pub fn label(&self) -> &str {
        &self.estimates.label
    }

    /// The cell of KPI `kpi` of entity `id` of kind `kind`.
    pub fn cell(&self, kind: EntityKind, id: &str, kpi: &str) -> Option<&Cell> {
        self.estimates.cell(kind, id, kpi)
    }

    /// KPI `kpi` of all vehicles together.
    pub fn system(&self, kpi: &str) -> Option<&Cell> {
        self.cell(EntityKind::System, "all", kpi)
    }

    /// Mean system wait \[h\], the ranking key (points without it rank last).
    fn rank_key(&self) -> f64 {
        self.system("wait_mean_h")
            .and_then(|k| k.estimate.value())
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
    /// Horizon \[days\].
    pub days: u32,
    /// Warm-up \[days\].
    pub warmup_days: u32,
    /// Date of day 0 ("YYYY-MM-DD").
    pub start_date: String,
    /// Sampling step of the series \[h\].
    pub series_step_h: f64,
    /// borderflow version that produced the results.
    pub version: String,
    /// Position in `points` of the baseline point, if any.
    pub baseline: Option<usize>,
    /// The valid points, in index order.
    pub points: Vec<Point>,
    /// The contexts of a sweep with context axes, each with its baseline; empty otherwise.
    pub contexts: Vec<Context>,
    /// Remarks shown under the header (skipped points, missing detail files).
    pub notes: Vec<String>,
    /// Robustness to the sweep's uncertain inputs (`summary.json` key `robustness`), if any.
    pub robustness: Option<crate::sweep::Robustness>,
}

impl ReportData {
    /// The points, the reference one (the baseline, or the first) first, then all of them in
    /// order: the order in which an entity's first appearance decides how it is listed and
    /// described, so that entities only other points have (scenario B's own in `compare`)
    /// follow the reference point's.
    pub fn reference_first(&self) -> impl Iterator<Item = &Point> {
        self.points
            .get(self.baseline.unwrap_or(0))
            .into_iter()
            .chain(&self.points)
    }

    /// The first assumptions, in [`Self::reference_first`] order, that `has` something (a node,
    /// flow or crossing); else the reference point's.
    pub fn describing(&self, has: impl Fn(&Assumptions) -> bool) -> Option<&Assumptions> {
        let mut all = self
            .reference_first()
            .filter_map(|p| p.assumptions.as_ref());
        all.find(|a| has(a)).or_else(|| {
            self.points
                .get(self.baseline.unwrap_or(0))
                .and_then(|p| p.assumptions.as_ref())
        })
    }

    /// Positions of the points in ranking order: lowest mean system wait first, overloaded
    /// points last (they are left out of the ranking).
    pub fn ranked(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.points.len()).collect();
        let over = |i: usize| super::badge::point_is_overloaded(&self.points[i]);
        order.sort_by(|&a, &b| {
            over(a).cmp(&over(b)).then(
                self.points[a]
                    .rank_key()
                    .total_cmp(&self.points[b].rank_key()),
            )
        });
        order
    }

    /// Fills the header fields from the facts of the scenario (or the baseline point's).
    fn apply(&mut self, f: Facts) {
        self.scenario = f.name;
        self.seed = f.seed;
        self.days = f.days;
        self.warmup_days = f.warmup_days;
        self.start_date = f.start_date;
        self.series_step_h = f.series_step_h;
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    crate::files::read_regular(path, u64::MAX).map_err(|e| err(path, format!("cannot read: {e}")))
}

fn read_json(path: &Path) -> Result<Value, Error> {
    serde_json::from_str(&read_text(path)?).map_err(|e| err(path, format!("invalid JSON: {e}")))
}

/// Reads a sweep output directory (`borderflow sweep … --out DIR`): `manifest.json`,
/// `summary.json` and, where present, `detail/point-NNN-series.csv` and `-waits.csv`.
pub fn load_dir(dir: &Path) -> Result<ReportData, Error> {
    if !dir.is_dir() {
        return Err(err(
            dir,
            "no such directory (expected a sweep output directory)",
        ));
    }
    let mpath = Manifest::path(dir);
    if !mpath.exists() {
        return Err(err(
            &mpath,
            "not found; is this a sweep's output directory?",
        ));
    }
    let manifest = Manifest::read(dir)?;
    let spath = dir.join("summary.json");
    if !spath.exists() {
        return Err(err(
            &spath,
            "not found; the sweep is incomplete (merge its shards or resume it)",
        ));
    }
    let summary = read_json(&spath)?;
    let robustness = match summary.get("robustness") {
        None => None,
        Some(r) => Some(
            serde_json::from_value(r.clone())
                .map_err(|e| err(&spath, format!("unreadable \"robustness\": {e}")))?,
        ),
    };

    let mut data = ReportData {
        kind: "sweep".into(),
        name: manifest.sweep,
        replications: manifest.replications,
        version: manifest.version,
        robustness,
        ..ReportData::default()
    };
    let spoints = summary
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| err(&spath, "missing \"points\""))?;
    let mut facts_set = false;
    let pairing = manifest.pairing.clone();
    let mut indices = Vec::new();
    for (index, mp) in manifest.points.into_iter().enumerate() {
        let label = mp.label;
        let assumptions = mp.assumptions;
        let PointStatus::Ok { facts, checkpoints } = mp.status else {
            data.notes.push(format!(
                "Point \"{label}\" is invalid and was not run; it is left out."
            ));
            continue;
        };
        let is_baseline = manifest.baseline == Some(index);
        let scenario = facts.name.clone();
        if !facts_set || is_baseline {
            data.apply(facts);
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
        let (spath, wpath) = detail_paths(dir, index);
        let series = if spath.exists() {
            let (f, _) = open_regular(&spath).map_err(|e| err(&spath, e.to_string()))?;
            Some(kpi::read_series(std::io::BufReader::new(f), &spath)?)
        } else {
            data.notes.push(format!(
                "No time series for \"{label}\" ({} missing): its time charts are empty.",
                spath.display()
            ));
            None
        };
        let waits = if wpath.exists() {
            let (f, _) = open_regular(&wpath).map_err(|e| err(&wpath, e.to_string()))?;
            kpi::read_waits(std::io::BufReader::new(f), &wpath)?
        } else {
            WaitTables::new()
        };
        if is_baseline {
            data.baseline = Some(data.points.len());
        }
        indices.push(index);
        data.points.push(Point {
            checkpoints,
            estimates: kpi::read_results(index, &label, data.replications as usize, results),
            series,
            waits,
            scenario,
            assumptions,
        });
    }
    data.contexts = contexts_of(&pairing, &indices);
    if data.points.is_empty() {
        return Err(err(&mpath, "the sweep has no valid point to report"));
    }
    Ok(data)
}

/// The report of a single run: one point (the scenario), no baseline, built from memory.
/// `rep0` must come from [`crate::sweep::run_detailed`] so that it carries the time series.
pub fn from_run(model: &Model, summary: &Summary, rep0: &RepResult) -> ReportData {
    let mut data = ReportData {
        kind: "scenario".into(),
        name: model.name.clone(),
        replications: summary.replications,
        version: env!("CARGO_PKG_VERSION").into(),
        ..ReportData::default()
    };
    data.apply(Facts::of(model));
    data.points.push(Point {
        estimates: summary.point.clone(),
        checkpoints: kpi::checkpoints_of(model),
        series: Some(kpi::series_samples(model, &rep0.series)),
        waits: kpi::wait_tables(model, rep0),
        scenario: model.name.clone(),
        assumptions: Some(summary.assumptions.clone()),
    });
    data
}
