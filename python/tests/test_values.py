"""The numbers: the M/M/1 example against queueing theory, and the same run from every kind of source."""

import math

import pandas as pd
import pytest

import borderflow

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib


def test_mm1_mean_wait_matches_the_closed_form_within_its_interval(mm1):
    r = borderflow.run(mm1)
    lam, mu = 9.0, 10.0  # arrivals and services per hour (scenarios/examples/mm1.toml)
    closed_form = (lam / mu) / (mu - lam)  # Wq = rho / (mu - lambda) = 0.9 h
    w = r.kpi("wait_mean_h").loc["booth"]
    assert r.replications == 10 and w["n"] == 10
    assert abs(w["mean"] - closed_form) <= w["ci95"], (w["mean"], w["ci95"], closed_form)
    util = r.kpi("utilization", "stages").loc["booth/service"]
    assert abs(util["mean"] - lam / mu) <= max(util["ci95"], 0.01)


def test_path_text_and_dict_give_the_same_numbers(mm1):
    text = mm1.read_text()
    by_path = borderflow.run(mm1, days=30, replications=3)
    by_str = borderflow.run(str(mm1), days=30, replications=3)
    by_text = borderflow.run(text, days=30, replications=3)
    by_dict = borderflow.run(tomllib.loads(text), days=30, replications=3)
    for other in (by_str, by_text, by_dict):
        for table in ("system", "checkpoints", "stages", "flows", "classes"):
            pd.testing.assert_frame_equal(getattr(by_path, table), getattr(other, table))


def test_the_default_scenario_as_a_dict_is_the_built_in_run():
    d = borderflow.default_scenario()
    assert d["simulation"]["name"] == "kz-cn-road"
    a = borderflow.run(None, days=20, replications=2)
    b = borderflow.run(d, days=20, replications=2)
    pd.testing.assert_frame_equal(a.checkpoints, b.checkpoints)
    assert a.scenario == b.scenario == "kz-cn-road"


def test_overrides_replace_the_files_values(mm1):
    r = borderflow.run(mm1, seed=7, replications=3, days=25)
    assert (r.seed, r.replications, r.days) == (7, 3, 25)


def test_replication_values_fold_into_the_estimates(mm1):
    r = borderflow.run(mm1, days=30, replications=4, replication_values=True)
    v = r.replication_values
    assert list(v.columns) == ["replication", "kind", "entity", "kpi", "value"]
    assert sorted(v["replication"].unique()) == [0, 1, 2, 3]
    waits = v[(v["entity"] == "booth") & (v["kpi"] == "wait_mean_h")]["value"]
    assert len(waits) == 4
    assert math.isclose(waits.mean(), r.kpi("wait_mean_h").loc["booth", "mean"], rel_tol=1e-12)
    with pytest.raises(ValueError):
        borderflow.run(mm1, days=30, replications=2).replication_values


def test_an_overloaded_scenario_warns(mm1):
    text = mm1.read_text().replace('rate = "9/h"', 'rate = "12/h"')
    assert borderflow.validate(text)  # offered load 1.2 per lane: a warning
    r = borderflow.run(text, days=20, replications=2)
    assert len(r.warnings) == 1 and "booth" in r.warnings[0]
    row = r.overload.set_index("entity").loc["booth"]
    assert bool(row["overloaded"]) and row["reasons"]
