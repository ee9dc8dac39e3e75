#!/usr/bin/env bash
# borderflow vs SimPy on two reference models (P1 and simmer's M/M/1); see BENCHMARKS.md.
# Usage: benches/peers/run.sh [RUNS]   (default 3; the best wall time of RUNS is reported)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-3}"
SIMPY_VERSION=4.1.2
PY="${PYTHON:-python3}"

if ! "$PY" -c "import simpy, sys; sys.exit(simpy.__version__ != '$SIMPY_VERSION')" 2>/dev/null; then
    "$PY" -m pip install --quiet "simpy==$SIMPY_VERSION"
fi
cargo build --release --quiet
BIN=target/release/borderflow

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
# RAW=file.jsonl keeps every run's JSON line.

for i in $(seq 1 "$RUNS"); do
    echo "run $i/$RUNS" >&2
    "$BIN" run benches/models/p1.toml --json \
        | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"model":"P1","engine":"borderflow","served":sum(f["served"]["mean"] for f in d["flows"].values()),"wall_s":d["wall_s"]}))' >>"$OUT"
    "$PY" benches/peers/simpy_p1.py >>"$OUT"
    "$BIN" run benches/models/mm1.toml --json \
        | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"model":"M/M/1","engine":"borderflow","served":sum(f["served"]["mean"] for f in d["flows"].values()),"wall_s":d["wall_s"]}))' >>"$OUT"
    "$PY" benches/peers/simpy_mm1.py >>"$OUT"
done

if [ -n "${RAW:-}" ]; then cp "$OUT" "$RAW"; fi

"$PY" - "$OUT" "$RUNS" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
best = {}
for r in rows:
    k = (r["model"], r["engine"])
    if k not in best or r["wall_s"] < best[k]["wall_s"]:
        best[k] = r
print(f"best of {sys.argv[2]} runs (wall = simulation only, excluding process start-up)")
print(f"{'model':<6} {'engine':<10} {'served':>10} {'wall s':>8} {'served/s':>12} {'ratio bf/SimPy':>15}")
for model in ("P1", "M/M/1"):
    bf, sp = best[(model, "borderflow")], best[(model, "simpy")]
    rate = lambda r: r["served"] / r["wall_s"]
    for r in (bf, sp):
        ratio = f"{rate(bf) / rate(sp):.1f}x" if r is bf else ""
        print(f"{model:<6} {r['engine']:<10} {int(r['served']):>10} {r['wall_s']:>8.3f} {rate(r):>12,.0f} {ratio:>15}")
PYEOF
