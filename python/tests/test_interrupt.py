"""Ctrl-C during a long run or sweep: KeyboardInterrupt within seconds, nothing half-written."""

import os
import signal
import threading
import time

import pandas as pd
import pytest

import borderflow


def interrupt_after(seconds):
    t = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    t.start()
    return t


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
def test_ctrl_c_stops_a_long_run():
    t0 = time.monotonic()
    timer = interrupt_after(1.0)
    with pytest.raises(KeyboardInterrupt):
        # A year of the default scenario, 400 replications: minutes of work.
        borderflow.run(None, replications=400)
    timer.join()
    elapsed = time.monotonic() - t0
    assert elapsed < 6.0, f"stopped after {elapsed:.1f} s"
    # The library is usable afterwards.
    assert borderflow.run(None, days=20, replications=1).replications == 1


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
def test_ctrl_c_stops_a_sweep_with_nothing_half_written(tmp_path):
    base = borderflow.default_scenario()
    plan = {
        "name": "long",
        "base": base,
        "replications": 200,
        "axes": [{"name": "demand", "path": "flows.*.arrivals.scale", "values": [1.0, 1.2]}],
    }
    out = tmp_path / "out"
    t0 = time.monotonic()
    timer = interrupt_after(1.0)
    with pytest.raises(KeyboardInterrupt):
        borderflow.sweep(plan, out=out, progress=True)
    timer.join()
    assert time.monotonic() - t0 < 6.0
    # No summaries; the journal holds whole jobs only: every row complete.
    for name in ("summary.csv", "summary.json"):
        assert not (out / name).exists(), name
    runs = out / "runs.csv"
    if runs.exists():
        text = runs.read_text()
        assert text == "" or text.endswith("\n")
        lines = text.splitlines()
        if lines:
            width = lines[0].count(",")
            assert all(line.count(",") == width for line in lines)


def test_resume_runs_only_what_is_missing(small_sweep, tmp_path):
    out = tmp_path / "out"
    first = borderflow.sweep(small_sweep, out=out, progress=False)
    # Drop the summary, as an interrupted sweep leaves the directory without one.
    (out / "summary.csv").unlink()
    again = borderflow.sweep(small_sweep, out=out, progress=False, resume=True)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    with pytest.raises(ValueError):
        borderflow.sweep(small_sweep, progress=False, resume=True)
    with pytest.raises(ValueError):  # a directory that holds a sweep is not overwritten
        borderflow.sweep(small_sweep, out=out, progress=False)
