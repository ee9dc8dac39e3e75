"""Same scenario and seed: the DataFrames hold exactly the command line's values."""

import json
import math
import subprocess

import pandas as pd
import pytest

import borderflow

GROUPS = ["checkpoints", "links", "terminals", "stages", "flows", "classes", "crossings"]


def cli_json(cli, *args):
    p = subprocess.run([str(cli), "run", *args, "--json"], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def same(a, b):
    return (a is None and math.isnan(b)) or a == b


def assert_table_is(df, entities):
    """Every row of ``df`` is the value of the command line's document, and nothing is missing."""
    seen = 0
    for row in df.itertuples(index=False):
        kpis = entities[row.entity]
        if row.kpi.startswith("wait_by_hour_h."):
            h = int(row.kpi.rsplit(".", 1)[1])
            assert same(kpis["wait_by_hour_h"][h], row.mean) and kpis["wait_by_hour_n"][h] == row.n
        else:
            v = kpis[row.kpi]
            assert same(v["mean"], row.mean), (row, v)
            assert same(v["ci95"], row.ci95) and v["n"] == row.n, (row, v)
        seen += 1
    expected = sum(
        sum(1 for v in kpis.values() if isinstance(v, dict) and "mean" in v) + len(kpis.get("wait_by_hour_h", []))
        for kpis in entities.values()
    )
    assert seen == expected


@pytest.mark.parametrize(
    "scenario, kw",
    [
        ("scenarios/examples/mm1.toml", dict(seed=7, replications=3, days=40)),
        ("scenarios/kz-cn-multimodal.toml", dict(replications=2, days=30)),
        (None, dict(replications=2, days=30)),  # the built-in default
    ],
)
def test_run_equals_run_json(cli, repo, monkeypatch, scenario, kw):
    monkeypatch.chdir(repo)
    args = ([scenario] if scenario else []) + [x for k, v in kw.items() for x in (f"--{k}", str(v))]
    doc = cli_json(cli, *args)
    r = borderflow.run(scenario, **kw)
    mine = dict(r.document, wall_s=None)
    assert mine == dict(doc, wall_s=None)
    assert_table_is(r.system, {"all": doc["system"]})
    for g in GROUPS:
        assert_table_is(getattr(r, g), doc[g])
    assert r.warnings == doc["warnings"]
    assert (r.scenario, r.seed, r.replications, r.days, r.events) == (
        doc["scenario"], doc["seed"], doc["replications"], doc["days"], doc["events"],
    )


def test_series_equals_run_series(cli, mm1, tmp_path):
    f = tmp_path / "series.csv"
    subprocess.run([str(cli), "run", str(mm1), "--days", "30", "--replications", "2", "--series", str(f)],
                   check=True, capture_output=True)
    r = borderflow.run(mm1, days=30, replications=2)
    pd.testing.assert_frame_equal(r.series(), pd.read_csv(f))
    assert r._native.series_csv() == f.read_text()


def test_sweep_equals_sweep_files(cli, small_sweep, tmp_path):
    theirs = tmp_path / "cli"
    subprocess.run([str(cli), "sweep", str(small_sweep), "--out", str(theirs), "--quiet"],
                   check=True, capture_output=True)
    s = borderflow.sweep(small_sweep, out=tmp_path / "py", progress=False)
    pd.testing.assert_frame_equal(s.summary, pd.read_csv(theirs / "summary.csv"))
    pd.testing.assert_frame_equal(s.runs, pd.read_csv(theirs / "runs.csv"))
    for name in ("summary.csv", "runs.csv", "summary.json"):
        assert (tmp_path / "py" / name).read_bytes() == (theirs / name).read_bytes(), name
    assert s.document == json.loads((theirs / "summary.json").read_text())
