//! `borderflow._native`: the library's entry points for the Python package.
//!
//! The bindings convert, they do not compute: each function calls the library function the
//! command line calls and hands back the document the command line writes (the `run --json`
//! text, the series CSV, the sweep's files), which the pure-Python layer turns into DataFrames.
//! Work runs on a thread of its own while the calling thread, without the GIL, waits for it and
//! checks for Ctrl-C every 50 ms; an interrupt sets the library's cancel flag, waits for the
//! jobs in flight and raises `KeyboardInterrupt`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use borderflow::Error;
use borderflow::kpi::{self, EntityValues, Summary};
use borderflow::model::{Model, RepResult};
use borderflow::report::{self, html};
use borderflow::scenario::{self, Overrides, ScenarioError};
use borderflow::sweep::{self, plan};

/// How often the waiting thread looks for a pending Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

/// The built-in default scenario's TOML text and the name its messages use.
#[pyfunction]
fn default_scenario_text() -> (&'static str, &'static str) {
    (scenario::DEFAULT_SCENARIO, scenario::DEFAULT_SCENARIO_NAME)
}

/// A library error as a Python exception: a scenario error as `borderflow.ScenarioError`, an
/// interruption as `KeyboardInterrupt`, other input errors as `ValueError`, failures as
/// `RuntimeError`; the message is the one the command line prints.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Scenario(s) => scenario_error(py, &s),
        Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        e if e.is_input() => PyValueError::new_err(format!("error: {e}")),
        e => PyRuntimeError::new_err(format!("error: {e}")),
    }
}

/// A problem as Python receives it: `(file, field, line, column, message)`.
type ProblemTuple = (String, String, Option<usize>, Option<usize>, String);

/// `borderflow.ScenarioError(message, problems)`, each problem a [`ProblemTuple`].
fn scenario_error(py: Python<'_>, e: &ScenarioError) -> PyErr {
    let problems: Vec<ProblemTuple> = e
        .problems
        .iter()
        .map(|p| {
            (
                p.file.clone(),
                p.path.clone(),
                p.line,
                p.column,
                p.message.clone(),
            )
        })
        .collect();
    let made = py
        .import("borderflow._errors")
        .and_then(|m| m.getattr("ScenarioError"))
        .and_then(|cls| cls.call1((e.to_string(), problems)));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// What the worker thread tells the waiting one.
enum Message {
    /// (done, total) jobs of a sweep.
    Progress(usize, usize),
}

/// Runs `work` on a thread of its own and waits for it without the GIL, checking for Ctrl-C
/// (then setting the cancel flag and waiting for the work to stop) and passing progress to
/// `progress(done, total)`.
fn in_background<T, F>(py: Python<'_>, progress: Option<&Bound<'_, PyAny>>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&AtomicBool, &mpsc::Sender<Message>) -> T + Send,
{
    let cancel = AtomicBool::new(false);
    let (tx, mut rx) = mpsc::channel::<Message>();
    let mut interrupt: Option<PyErr> = None;
    let mut callback_error: Option<PyErr> = None;
    let result = std::thread::scope(|s| {
        let cancel = &cancel;
        let worker = s.spawn(move || work(cancel, &tx));
        loop {
            // The receiver is moved to the GIL-free closure and back: it is `Send`, not `Sync`.
            let (got, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
            rx = back;
            match got {
                Ok(Message::Progress(done, total)) => {
                    if let Some(cb) = progress
                        && callback_error.is_none()
                        && let Err(e) = cb.call1((done, total))
                    {
                        callback_error = Some(e);
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if interrupt.is_none()
                && let Err(e) = py.check_signals()
            {
                interrupt = Some(e);
                cancel.store(true, Ordering::Relaxed);
            }
        }
        py.detach(|| worker.join())
    });
    if let Some(e) = interrupt.or(callback_error) {
        return Err(e);
    }
    result.map_err(|_| PyRuntimeError::new_err("the simulation thread panicked"))
}

/// The overrides of the keyword arguments.
fn overrides(seed: Option<u64>, replications: Option<i64>, days: Option<i64>) -> Overrides {
    Overrides {
        seed,
        replications,
        days,
    }
}

/// A scenario from a file (`path`) or from TOML `text` named `file` in messages.
fn load_scenario(
    path: Option<&str>,
    text: Option<&str>,
    file: &str,
    ov: Overrides,
) -> Result<Model, Error> {
    match (path, text) {
        (Some(p), _) => Ok(scenario::load(Path::new(p), ov)?),
        (None, Some(t)) => Ok(scenario::load_text(t, file, ov)?),
        (None, None) => Ok(scenario::default_scenario(ov)?),
    }
}

/// One finished run: the model, its summary and replication 0, kept for the series and the
/// report; with the replications' KPI values if they were asked for.
#[pyclass(frozen, module = "borderflow._native")]
struct Run {
    model: Model,
    summary: Summary,
    rep0: RepResult,
    values: Option<Vec<(u32, Vec<EntityValues>)>>,
}

#[pymethods]
impl Run {
    /// The `run --json` document, as the command line prints it.
    fn json(&self) -> PyResult<String> {
        serde_json::to_string_pretty(&report::to_json(&self.summary))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot write JSON: {e}")))
    }

    /// Replication 0's time series as the CSV text `run --series` writes.
    fn series_csv(&self) -> PyResult<String> {
        let mut csv = Vec::new();
        kpi::write_series(&mut csv, &self.model, &self.rep0.series)
            .map_err(|e| PyRuntimeError::new_err(format!("cannot write the series: {e}")))?;
        String::from_utf8(csv).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Writes the run's HTML report (as `run --html`) to `path`, whole or not at all.
    fn write_report(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let text = html::render(&html::from_run(&self.model, &self.summary, &self.rep0));
        borderflow::files::write_atomic(&path, text.as_bytes()).map_err(|e| to_py(py, e))
    }

    /// Every replication's KPI values as `(replication, kind, entity, kpi, value)` rows, or
    /// `None` if the run did not keep them.
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let Some(values) = &self.values else {
            return Ok(None);
        };
        let mut rows = Vec::new();
        for (r, entities) in values {
            for e in entities {
                for (k, v) in &e.values {
                    rows.push((*r, e.kind.as_str(), e.id.as_str(), k.as_str(), *v));
                }
            }
        }
        PyList::new(py, rows).map(Some)
    }
}

/// Runs a scenario (`path`, TOML `text`, or the built-in default when both are `None`).
#[pyfunction]
#[pyo3(signature = (path, text, file, seed=None, replications=None, days=None, keep_values=false))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    path: Option<String>,
    text: Option<String>,
    file: String,
    seed: Option<u64>,
    replications: Option<i64>,
    days: Option<i64>,
    keep_values: bool,
) -> PyResult<Run> {
    let ov = overrides(seed, replications, days);
    let model = py
        .detach(|| load_scenario(path.as_deref(), text.as_deref(), &file, ov))
        .map_err(|e| to_py(py, e))?;
    let done = in_background(py, None, |cancel, _| {
        let mut values = keep_values.then(Vec::new);
        let out = sweep::run_cancellable(&model, cancel, &mut |r, v| {
            if let Some(vs) = &mut values {
                vs.push((r, v.to_vec()));
            }
        });
        out.map(|(summary, rep0)| (summary, rep0, values))
    })?;
    let (summary, rep0, values) = done.map_err(|e| to_py(py, e))?;
    Ok(Run {
        model,
        summary,
        rep0,
        values,
    })
}

/// Checks a scenario or sweep (`path` or TOML `text`; relative paths of a sweep resolved
/// against `dir`) without running it: returns `("scenario" | "sweep", warnings)`.
#[pyfunction]
#[pyo3(signature = (path, text, file, dir))]
fn validate(
    py: Python<'_>,
    path: Option<String>,
    text: Option<String>,
    file: String,
    dir: PathBuf,
) -> PyResult<(&'static str, Vec<String>)> {
    let checked = py.detach(|| -> Result<(&'static str, Vec<String>), ScenarioError> {
        let (text, dir) = match &path {
            Some(p) => {
                let p = Path::new(p);
                (
                    scenario::read_input(p)?,
                    p.parent().unwrap_or(Path::new(".")).to_path_buf(),
                )
            }
            None => (text.unwrap_or_default(), dir),
        };
        match scenario::input_kind(&text) {
            scenario::InputKind::Scenario => {
                let m = scenario::parse(&text, &file, Overrides::default())?;
                Ok(("scenario", m.overload_warnings()))
            }
            scenario::InputKind::Sweep => {
                let p = plan::parse(&text, &file, &dir, Overrides::default(), None)?;
                let skipped = p
                    .points
                    .iter()
                    .filter_map(|x| match &x.model {
                        Err(e) => Some(format!(
                            "point \"{}\" is invalid and will be skipped: {}",
                            x.label,
                            e.problems
                                .iter()
                                .map(|p| p.to_string())
                                .collect::<Vec<_>>()
                                .join("; ")
                        )),
                        Ok(_) => None,
                    })
                    .collect();
                Ok(("sweep", skipped))
            }
        }
    });
    checked.map_err(|e| scenario_error(py, &e))
}

/// Runs a sweep (`path` or TOML `text`, relative paths resolved against `dir`) into the output
/// directory `out` (runs.csv, summary.csv, summary.json, manifest.json and the detail files,
/// as `borderflow sweep --out`, or with `resume` the jobs `out` lacks, as `--resume`); returns
/// summary.json's text. `progress(done, total)` is called as jobs end.
#[pyfunction]
#[pyo3(signature = (path, text, file, dir, out, threads=None, seed=None, replications=None, days=None, progress=None, resume=false))]
#[allow(clippy::too_many_arguments)]
fn sweep_run(
    py: Python<'_>,
    path: Option<String>,
    text: Option<String>,
    file: String,
    dir: PathBuf,
    out: PathBuf,
    threads: Option<usize>,
    seed: Option<u64>,
    replications: Option<i64>,
    days: Option<i64>,
    progress: Option<Bound<'_, PyAny>>,
    resume: bool,
) -> PyResult<String> {
    let ov = overrides(seed, replications, days);
    let p = py
        .detach(|| match &path {
            Some(f) => plan::load(Path::new(f), ov, None),
            None => plan::parse(text.as_deref().unwrap_or(""), &file, &dir, ov, None),
        })
        .map_err(|e| scenario_error(py, &e))?;
    let opts = sweep::Options {
        threads,
        shard: None,
        out: Some(out.clone()),
        resume,
    };
    let done = in_background(py, progress.as_ref(), |cancel, tx| {
        let outcome = sweep::execute_cancellable(&p, &opts, cancel, &mut |done, total| {
            let _ = tx.send(Message::Progress(done, total));
        })?;
        let summary = sweep::finish_dir(&out, &p, &opts, &outcome.results)?;
        let summary = summary.ok_or_else(|| Error::Failed("the sweep did not finish".into()))?;
        serde_json::to_string_pretty(&sweep::summary_json(&summary))
            .map_err(|e| Error::Failed(format!("cannot write JSON: {e}")))
    })?;
    done.map_err(|e| to_py(py, e))
}

/// Writes the HTML report of the sweep output directory `dir` to `path` (as `borderflow
/// report`).
#[pyfunction]
fn sweep_report(py: Python<'_>, dir: PathBuf, path: PathBuf) -> PyResult<()> {
    let text = py
        .detach(|| html::load_dir(&dir).map(|d| html::render(&d)))
        .map_err(|e| to_py(py, e))?;
    borderflow::files::write_atomic(&path, text.as_bytes()).map_err(|e| {
        to_py(
            py,
            Error::Failed(format!("cannot write {}: {e}", path.display())),
        )
    })
}

/// The native half of the `borderflow` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(default_scenario_text, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_report, m)?)?;
    m.add_class::<Run>()?;
    Ok(())
}
