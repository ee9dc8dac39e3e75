#!/usr/bin/env bash
# borderflow against two peers on the reference models P1 and M/M/1 (simmer's): a hand-written
# Rust event loop (benches/peers/handloop.rs) and SimPy. See BENCHMARKS.md.
#
# Usage: benches/peers/run.sh [ROUNDS]   (default 9)
# Each round runs, for each model, the hand-written loop, borderflow and SimPy one after the other,
# so all three see the same machine load; medians over the rounds are reported.
#   SIMPY_ROUNDS=N  run SimPy in the first N rounds only (default 3: one SimPy P1 run takes ~20 s)
#   RAW=file.jsonl  keep every run's JSON line
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${1:-9}"
SIMPY_ROUNDS="${SIMPY_ROUNDS:-3}"
SIMPY_VERSION=4.1.2
PY="${PYTHON:-python3}"

if [ "$SIMPY_ROUNDS" -gt 0 ] && ! "$PY" -c "import simpy, sys; sys.exit(simpy.__version__ != '$SIMPY_VERSION')" 2>/dev/null; then
    "$PY" -m pip install --quiet "simpy==$SIMPY_VERSION"
fi
cargo build --release --quiet --bin borderflow --example handloop
DIR="${CARGO_TARGET_DIR:-target}/release"

"$PY" - "$DIR" "$ROUNDS" "$SIMPY_ROUNDS" "${RAW:-}" <<'PYEOF'
import json, statistics, subprocess, sys, time

bindir, rounds, simpy_rounds, raw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
models = {
    "P1": ("benches/models/p1.toml", "p1", "benches/peers/simpy_p1.py"),
    "M/M/1": ("benches/models/mm1.toml", "mm1", "benches/peers/simpy_mm1.py"),
}

def timed(cmd):
    """Runs cmd; returns its stdout and the whole process's wall time [s]."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return out, time.perf_counter() - t0

rows = []
for r in range(rounds):
    print(f"round {r + 1}/{rounds}", file=sys.stderr)
    for model, (toml, key, simpy) in models.items():
        out, whole = timed([f"{bindir}/examples/handloop", key])
        d = json.loads(out)
        rows.append({**d, "engine": "hand-written", "whole_s": whole})
        out, whole = timed([f"{bindir}/borderflow", "run", toml, "--json"])
        d = json.loads(out)
        rows.append({"model": model, "engine": "borderflow",
                     "served": sum(f["served"]["mean"] for f in d["flows"].values()),
                     "mean_wait_h": d["system"]["wait_mean_h"]["mean"],
                     "wall_s": d["wall_s"], "whole_s": whole})
        if r < simpy_rounds:
            out, whole = timed([sys.executable, simpy])
            rows.append({**json.loads(out), "engine": "SimPy", "whole_s": whole})

if raw:
    with open(raw, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")

def med(model, engine, key):
    v = [r[key] for r in rows if r["model"] == model and r["engine"] == engine]
    return statistics.median(v) if v else None

print(f"medians of {rounds} rounds (SimPy: {min(rounds, simpy_rounds)}); whole = process wall time,"
      " sim = simulation and statistics only")
print(f"{'model':<6} {'engine':<12} {'served':>10} {'whole s':>8} {'sim s':>8} {'served/s (sim)':>15}")
for model in models:
    for engine in ("hand-written", "borderflow", "SimPy"):
        w, s = med(model, engine, "whole_s"), med(model, engine, "wall_s")
        if w is None:
            continue
        served = med(model, engine, "served")
        print(f"{model:<6} {engine:<12} {int(served):>10} {w:>8.3f} {s:>8.3f} {served / s:>15,.0f}")
    hand, bf = med(model, "hand-written", "whole_s"), med(model, "borderflow", "whole_s")
    ratios = [r_bf["whole_s"] / r_h["whole_s"] for r_h, r_bf in zip(
        [r for r in rows if r["model"] == model and r["engine"] == "hand-written"],
        [r for r in rows if r["model"] == model and r["engine"] == "borderflow"])]
    print(f"  borderflow / hand-written, whole process: {bf / hand:.2f}x of medians"
          f" (per round {min(ratios):.2f}-{max(ratios):.2f}x, median {statistics.median(ratios):.2f}x)")
    sp = med(model, "SimPy", "wall_s")
    if sp is not None:
        bf_rate = med(model, "borderflow", "served") / med(model, "borderflow", "wall_s")
        sp_rate = med(model, "SimPy", "served") / sp
        print(f"  borderflow / SimPy, served per second of simulation: {bf_rate / sp_rate:.0f}x")
PYEOF
