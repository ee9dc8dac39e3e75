"""Shared fixtures: the repository's paths and the command-line binary to compare with."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MM1 = REPO / "scenarios" / "examples" / "mm1.toml"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def mm1() -> Path:
    return MM1


@pytest.fixture(scope="session")
def cli() -> Path:
    """The ``borderflow`` binary: ``BORDERFLOW_BIN``, or the top-level crate's release build
    (built here if missing)."""
    env = os.environ.get("BORDERFLOW_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "release" / "borderflow"
    if not binary.exists():
        if shutil.which("cargo") is None:
            pytest.skip("no borderflow binary (set BORDERFLOW_BIN) and no cargo to build one")
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
    return binary


@pytest.fixture
def small_sweep(tmp_path: Path) -> Path:
    """A two-point sweep of the M/M/1 example (one lane against two), paired."""
    f = tmp_path / "lanes.toml"
    f.write_text(
        f'name = "lanes"\nbase = "{MM1.as_posix()}"\nreplications = 3\ndays = 30\n'
        'baseline = "lanes=1"\n\n[[axes]]\nname = "lanes"\n'
        'path = "checkpoints.booth.stages.service.lanes"\nvalues = [1, 2]\n'
    )
    return f
