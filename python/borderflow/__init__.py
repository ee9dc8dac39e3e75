"""borderflow from Python: run scenarios and policy sweeps, get pandas DataFrames back.

The simulation is borderflow's Rust library; this package converts what it returns — the
documents and files the ``borderflow`` command line writes — into DataFrames. For the same
scenario and seed the numbers equal the command line's exactly.

>>> import borderflow
>>> r = borderflow.run("scenarios/examples/mm1.toml")          # doctest: +SKIP
>>> r.checkpoints.query("kpi == 'wait_mean_h'")                 # doctest: +SKIP

Functions: :func:`run`, :func:`sweep`, :func:`validate`, :func:`default_scenario`.
Errors: :class:`ScenarioError` (a ``ValueError``) for a wrong scenario or sweep;
``KeyboardInterrupt`` when Ctrl-C or a notebook's interrupt stops a run; ``ValueError`` for
another bad request; ``RuntimeError`` when running fails (a queue beyond the vehicle budget, a
file that cannot be written).
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import pandas as pd

from . import _native
from ._errors import Problem, ScenarioError
from ._source import Source, resolve

__all__ = [
    "Problem",
    "RunResult",
    "ScenarioError",
    "Source",
    "SweepResult",
    "default_scenario",
    "run",
    "sweep",
    "validate",
]
__version__ = "0.1.0"

if sys.version_info >= (3, 11):
    import tomllib as _toml
else:  # pragma: no cover - Python 3.9 and 3.10
    import tomli as _toml

#: Columns of the tidy KPI tables of a run.
KPI_COLUMNS = ["entity", "kpi", "mean", "ci95", "n"]
#: The prefix of the hour-of-day wait KPIs (``wait_by_hour_h.07``: arrivals 07:00-08:00).
HOUR_PREFIX = "wait_by_hour_h."


def default_scenario() -> Dict[str, Any]:
    """The built-in default scenario (the Kazakhstan-China road crossings, ``borderflow run``
    without a file) as a dict with the structure of its TOML file: change it and pass it to
    :func:`run`, or use it as a sweep's ``base``."""
    text, _name = _native.default_scenario_text()
    return _toml.loads(text)


def _check_seed(seed: Optional[int]) -> None:
    """The command line takes a seed from 0 to 2**64 - 1; so does Python."""
    if seed is not None and not 0 <= seed < 2**64:
        raise ValueError(f"seed must be between 0 and 2**64 - 1 (got {seed})")


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _tidy(entities: Dict[str, Dict[str, Any]]) -> pd.DataFrame:
    """One row per entity x KPI (``entity, kpi, mean, ci95, n``) from a group of ``run --json``.

    The hour-of-day waits become ``wait_by_hour_h.HH`` rows (``ci95`` NaN: the document has the
    mean and the replications behind it); an hour without arrivals has ``mean`` NaN, ``n`` 0.
    """
    rows: List[tuple] = []
    for entity, kpis in entities.items():
        for kpi, v in kpis.items():
            if isinstance(v, dict) and "mean" in v:
                rows.append((entity, kpi, _num(v["mean"]), _num(v.get("ci95")), int(v.get("n", 0))))
        hours = kpis.get("wait_by_hour_h")
        if isinstance(hours, list):
            ns = kpis.get("wait_by_hour_n") or [0] * len(hours)
            for h, (m, n) in enumerate(zip(hours, ns)):
                rows.append((entity, f"{HOUR_PREFIX}{h:02d}", _num(m), math.nan, int(n)))
    df = pd.DataFrame(rows, columns=KPI_COLUMNS)
    return df.astype({"entity": str, "kpi": str, "mean": float, "ci95": float, "n": "int64"})


class RunResult:
    """The result of :func:`run`: one scenario, its replications folded into estimates.

    KPI tables (tidy ``pandas.DataFrame``, one row per entity x KPI, in the command line's order):
    ``system`` (entity ``"all"``), ``checkpoints``, ``links``, ``terminals``, ``stages`` (entity
    ``"checkpoint/stage"``), ``flows``, ``classes`` and ``crossings`` (``"crossing/mode"``); columns
    ``entity`` (str), ``kpi`` (str: the README's KPI names, units in the name: ``_h`` hours,
    ``_per_day``, ``_km``), ``mean`` and ``ci95`` (float: mean over replications and the 95%
    confidence half-width; NaN where no replication had the statistic) and ``n`` (int: the
    replications behind the estimate).

    Facts: ``scenario`` (name), ``seed``, ``replications``, ``days``, ``warmup_days``,
    ``events``, ``wall_s``; ``warnings`` (the overload warnings, as the command line prints them),
    ``overload`` (a DataFrame ``kind, entity, overloaded, reasons``), ``assumptions`` (what was
    simulated) and ``document`` (the whole ``borderflow run --json`` document as a dict).
    """

    def __init__(self, native: Any) -> None:
        self._native = native
        doc = json.loads(native.json())
        self.document: Dict[str, Any] = doc
        self.scenario: str = doc["scenario"]
        self.seed: int = doc["seed"]
        self.replications: int = doc["replications"]
        self.days: int = doc["days"]
        self.warmup_days: int = doc["warmup_days"]
        self.events: int = doc["events"]
        self.wall_s: float = _num(doc["wall_s"])
        self.warnings: List[str] = list(doc["warnings"])
        self.assumptions: Dict[str, Any] = doc["assumptions"]
        self.system = _tidy({"all": doc["system"]})
        self.checkpoints = _tidy(doc["checkpoints"])
        self.links = _tidy(doc["links"])
        self.terminals = _tidy(doc["terminals"])
        self.stages = _tidy(doc["stages"])
        self.flows = _tidy(doc["flows"])
        self.classes = _tidy(doc["classes"])
        self.crossings = _tidy(doc["crossings"])
        rows = []
        for kind in ("checkpoints", "links", "terminals", "stages", "flows", "classes", "crossings"):
            for entity, kpis in doc[kind].items():
                if "overloaded" in kpis:
                    rows.append((kind, entity, bool(kpis["overloaded"]), list(kpis["overload_reasons"])))
        if "overloaded" in doc["system"]:
            s = doc["system"]
            rows.insert(0, ("system", "all", bool(s["overloaded"]), list(s["overload_reasons"])))
        self.overload = pd.DataFrame(rows, columns=["kind", "entity", "overloaded", "reasons"])

    def kpi(self, kpi: str, table: str = "checkpoints") -> pd.DataFrame:
        """Rows of one KPI from one table, indexed by entity: ``mean, ci95, n``."""
        df: pd.DataFrame = getattr(self, table)
        return df[df["kpi"] == kpi].set_index("entity")[["mean", "ci95", "n"]]

    @property
    def replication_values(self) -> pd.DataFrame:
        """Every replication's value of every KPI: ``replication, kind, entity, kpi, value``
        (the values the estimates fold). Only if :func:`run` was called with
        ``replication_values=True``; otherwise ``ValueError``."""
        rows = self._native.values()
        if rows is None:
            raise ValueError("run(..., replication_values=True) keeps the replications' values")
        return pd.DataFrame(rows, columns=["replication", "kind", "entity", "kpi", "value"])

    def series(self) -> pd.DataFrame:
        """Replication 0's time series, as ``borderflow run --series FILE`` writes it: one row
        per stage and sampling step (``simulation.series_step``) with queue, road km, busy and
        open lanes, arrivals and served."""
        return pd.read_csv(io.StringIO(self._native.series_csv()))

    def report(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Writes the run's self-contained HTML report (as ``run --html``) to ``path``."""
        p = Path(os.fspath(path))
        self._native.write_report(str(p))
        return p

    def __repr__(self) -> str:
        return (
            f"<RunResult {self.scenario!r}: {self.replications} replications x {self.days} days, "
            f"seed {self.seed}, {len(self.warnings)} warnings>"
        )


def run(
    scenario: Optional[Source] = None,
    *,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    days: Optional[int] = None,
    replication_values: bool = False,
) -> RunResult:
    """Runs a scenario, as ``borderflow run SCENARIO --json``, and returns its estimates.

    ``scenario``: a path (``str`` or ``pathlib.Path``), TOML text (a ``str`` holding a newline
    or ``=``), a dict with the structure of the TOML file (see :func:`default_scenario`), or
    ``None`` for the built-in default. ``seed``, ``replications`` and ``days`` replace the
    ``[simulation]`` values. ``replication_values=True`` keeps every replication's KPI values
    (:attr:`RunResult.replication_values`).

    Replications run in parallel on all cores without holding the GIL. Ctrl-C (or a notebook's
    interrupt) stops the run after the replications in flight and raises ``KeyboardInterrupt``.

    Raises :class:`ScenarioError` for a wrong scenario, ``RuntimeError`` when a replication
    cannot finish (a queue beyond the vehicle budget).
    """
    _check_seed(seed)
    src = resolve(scenario)
    native = _native.run(src.path, src.text, src.file, seed, replications, days, replication_values)
    return RunResult(native)


def validate(scenario: Source) -> List[str]:
    """Checks a scenario or sweep (recognised by its ``base`` and ``[[axes]]``) without running
    it, as ``borderflow validate``. Returns the warnings (overloaded stages; sweep points that are
    invalid and would be skipped); raises :class:`ScenarioError` if it is wrong."""
    src = resolve(scenario)
    _kind, warnings = _native.validate(src.path, src.text, src.file, src.dir)
    return list(warnings)


class SweepResult:
    """The result of :func:`sweep`: the files of ``borderflow sweep --out DIR`` as DataFrames.

    ``summary``: ``summary.csv`` (one row per point x entity x KPI: ``point_index, point,
    entity_kind, entity, kpi, n, mean, sd, ci95``, and the paired difference from the point's
    baseline ``diff_mean, diff_ci95, diff_significant, diff_n, diff_p, diff_p_holm,
    baseline_point``). ``runs``: ``runs.csv`` (one row per point x replication x entity x KPI:
    ``value``). ``differences``: the rows of ``summary`` that have a paired difference.
    ``document``: ``summary.json`` as a dict; ``baseline``: the baseline point's label (or
    ``None``); ``dir``: the output directory (a temporary one, removed with this object, unless
    ``out=`` was given).
    """

    def __init__(self, out: Path, summary_json: str, temporary: bool = False) -> None:
        if temporary:
            weakref.finalize(self, shutil.rmtree, str(out), ignore_errors=True)
        self.dir = out
        self.document: Dict[str, Any] = json.loads(summary_json)
        self.summary = pd.read_csv(out / "summary.csv")
        self.runs = pd.read_csv(out / "runs.csv")
        base = self.document.get("baseline")
        self.baseline: Optional[str] = base if isinstance(base, str) else None
        self.differences = self.summary[self.summary["diff_mean"].notna()].reset_index(drop=True)

    @property
    def points(self) -> List[str]:
        """The point labels, in index order."""
        return [p["label"] for p in self.document.get("points", [])]

    def diff(self, kpi: str, entity_kind: str = "system", entity: str = "all") -> pd.DataFrame:
        """The paired difference of one KPI of one entity at every point against its baseline:
        ``point`` indexed rows of ``mean, diff_mean, diff_ci95, diff_significant, diff_p_holm``."""
        d = self.summary
        d = d[(d["kpi"] == kpi) & (d["entity_kind"] == entity_kind) & (d["entity"] == entity)]
        return d.set_index("point")[["mean", "diff_mean", "diff_ci95", "diff_significant", "diff_p_holm"]]

    def report(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Writes the sweep's self-contained HTML report (as ``borderflow report DIR -o FILE``)."""
        p = Path(os.fspath(path))
        _native.sweep_report(str(self.dir), str(p))
        return p

    def __repr__(self) -> str:
        return f"<SweepResult {len(self.points)} points, baseline {self.baseline!r}, in {self.dir}>"


class _Progress:
    """A tqdm bar of jobs (``tqdm.auto``: a widget in a notebook, text in a terminal), made at the
    first report, when the number of jobs is known."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, unit="job", desc="sweep")
        self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def sweep(
    sweep: Source,
    *,
    threads: Optional[int] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    progress: bool = True,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    days: Optional[int] = None,
    resume: bool = False,
) -> SweepResult:
    """Runs a policy sweep, as ``borderflow sweep FILE --out DIR``.

    ``sweep``: a sweep file's path, its TOML text, or a dict with its structure (``base`` may be a
    path, relative to the sweep file or, for text and dicts, to the current directory, or a
    scenario dict such as :func:`default_scenario`'s). ``threads``: worker threads (default: all
    cores). ``out``: a new or empty directory for the files (default: a temporary directory
    kept as long as the result). ``progress``: a progress bar (tqdm: a widget in notebooks, a
    text bar in terminals). ``seed``, ``replications``, ``days`` replace the sweep's.

    Ctrl-C stops the sweep after the jobs in flight and raises ``KeyboardInterrupt``: ``out``
    then holds only the journal of the finished jobs, each whole, and no summary files;
    ``resume=True`` with the same sweep and ``out`` runs only the jobs it lacks (as ``borderflow
    sweep --resume``).

    Raises :class:`ScenarioError` for a wrong sweep or base, ``ValueError`` for an output
    directory that holds other files, ``RuntimeError`` when a job fails.
    """
    _check_seed(seed)
    src = resolve(sweep)
    if resume and out is None:
        raise ValueError("resume=True needs out=, the directory of the sweep to continue")
    temporary = out is None
    if temporary:
        dest = Path(tempfile.mkdtemp(prefix="borderflow-sweep-"))
    else:
        dest = Path(os.fspath(out))
    bar = _Progress() if progress else None
    try:
        text = _native.sweep_run(
            src.path,
            src.text,
            src.file,
            src.dir,
            str(dest),
            threads,
            seed,
            replications,
            days,
            bar,
            resume,
        )
    except BaseException:
        if temporary:
            shutil.rmtree(dest, ignore_errors=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    return SweepResult(dest, text, temporary)

