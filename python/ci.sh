#!/usr/bin/env bash
# CI for the Python package: build and install it in a fresh virtual environment (as a user's
# `pip install ./python` would), run its tests against the command line, and run the example.
# Usage: bash python/ci.sh [BORDERFLOW_BIN]   (default: target/release/borderflow, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Debian's python3 needs python3-venv for `python3 -m venv` (ensurepip).
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --upgrade pip

# The extension's build artefacts stay under target/ between local runs (CI starts clean);
# --locked: python/Cargo.lock is what gets built.
export CARGO_TARGET_DIR="$root/target/python-ext"
export MATURIN_PEP517_ARGS="--locked"
start=$(date +%s)
"$py" -m pip install -q "./python[test]"
echo "built and installed the package in $(( $(date +%s) - start )) s ($("$py" --version))"

# Absolute: the tests run from another directory.
bin="${1:-target/release/borderflow}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
export BORDERFLOW_BIN="$bin"
[ -x "$BORDERFLOW_BIN" ] || CARGO_TARGET_DIR="$root/target" cargo build --release --locked

# Tests run from outside the source tree so they import the installed package.
(cd "$work" && "$py" -m pytest -q -p no:cacheprovider "$root/python/tests")
(cd "$work" && "$py" "$root/python/examples/round_the_clock.py" "$work/round_the_clock.png")
test -s "$work/round_the_clock.png"
