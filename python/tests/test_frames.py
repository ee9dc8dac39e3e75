"""DataFrame shapes and columns."""

import pandas as pd

import borderflow

KPI_COLUMNS = ["entity", "kpi", "mean", "ci95", "n"]


def test_run_tables_are_tidy():
    r = borderflow.run(None, days=20, replications=2)
    doc = r.document
    for name in ("checkpoints", "links", "terminals", "stages", "flows", "classes", "crossings"):
        df = getattr(r, name)
        assert list(df.columns) == KPI_COLUMNS, name
        assert list(dict.fromkeys(df["entity"])) == list(doc[name]), name
        assert df["mean"].dtype == float and df["n"].dtype == "int64"
        assert not df.duplicated(["entity", "kpi"]).any()
    assert len(r.checkpoints) > 0 and r.links.empty and r.terminals.empty
    assert set(r.system["entity"]) == {"all"}
    # One row per entity x KPI: the hour-of-day waits as 24 rows each.
    per_checkpoint = r.checkpoints.groupby("entity").size()
    assert per_checkpoint.nunique() == 1
    hours = r.checkpoints[r.checkpoints["kpi"].str.startswith("wait_by_hour_h.")]
    assert len(hours) == 24 * len(doc["checkpoints"])
    assert list(r.overload.columns) == ["kind", "entity", "overloaded", "reasons"]
    assert isinstance(r.warnings, list)


def test_series_is_replication_zeros(mm1):
    r = borderflow.run(mm1, days=20, replications=2)
    s = r.series()
    assert {"stage", "queue"} <= set(s.columns)
    assert len(s) > 0 and s["stage"].nunique() == 1


def test_sweep_frames(small_sweep, tmp_path):
    s = borderflow.sweep(small_sweep, progress=False)
    assert s.points == ["lanes=1", "lanes=2"] and s.baseline == "lanes=1"
    assert list(s.summary.columns[:9]) == [
        "point_index", "point", "entity_kind", "entity", "kpi", "n", "mean", "sd", "ci95",
    ]
    assert list(s.runs.columns) == ["point_index", "point", "replication", "entity_kind", "entity", "kpi", "value"]
    assert s.runs.groupby(["point", "entity_kind", "entity", "kpi"]).size().max() == 3
    assert set(s.differences["point"]) == {"lanes=2"}
    d = s.diff("wait_mean_h")
    assert d.loc["lanes=2", "diff_mean"] < 0 and pd.isna(d.loc["lanes=1", "diff_mean"])
    html = s.report(tmp_path / "r.html")
    assert html.read_text().lstrip().lower().startswith("<!doctype html")
    kept = s.dir
    del s
    assert not kept.exists()  # the temporary output went with the result


def test_run_report(mm1, tmp_path):
    r = borderflow.run(mm1, days=20, replications=2)
    page = r.report(tmp_path / "run.html").read_text()
    assert "mm1" in page and "<svg" in page
