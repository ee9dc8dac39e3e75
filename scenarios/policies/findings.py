#!/usr/bin/env python3
"""Run the policy sweeps of scenarios/policies/ and write scenarios/policies/README.md from their results.

    python3 scenarios/policies/findings.py                      # run every sweep into results/policies/<name>/
    python3 scenarios/policies/findings.py --results DIR        # use existing runs DIR/<name>/ (no simulation)
    python3 scenarios/policies/findings.py --only green-corridor --binary target/release/borderflow

Reads each sweep's summary.json (means, 95% CIs, paired differences against the sweep's baseline point),
manifest.json (borderflow version) and runs.csv (per-replication values, for paired differences between
any two points that share replications, e.g. a policy against "today" at the same demand).
Python 3 standard library only. The README it writes is generated: do not edit it by hand.
"""

import argparse
import csv
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Student t, 0.975 quantile, by degrees of freedom (a paired difference over R replications has R - 1).
T975 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
        2.048, 2.045, 2.042]


def t975(df):
    return T975[df] if df < len(T975) else 1.96


KPI_NAMES = {
    "served_per_day": "served/day",
    "tonnes_per_day": "t/day",
    "teu_per_day": "TEU/day",
    "wait_mean_h": "wait mean [h]",
    "wait_p95_h": "wait p95 [h]",
    "queue_km_mean": "road queue mean [km]",
    "queue_km_max": "road queue max [km]",
    "utilization": "utilisation",
    "over_limit": "held past max_wait [veh]",
    "backlog_end": "backlog at end [veh]",
    "quota_days_exhausted": "days path/quota used up",
    "held_outside": "trains held outside",
    "blocked_mean": "blocked (mean)",
    "blocked_share": "blocked share",
    "queue_inside_mean": "queue inside mean [veh]",
}


def kpi_name(kpi):
    if kpi.startswith("y") and "." in kpi:
        year, rest = kpi.split(".", 1)
        return f"{year[1:]} {KPI_NAMES.get(rest, rest)}"
    return KPI_NAMES.get(kpi, kpi)


# ---------------------------------------------------------------------------------------------------------
# What to report per sweep. `axis` is the policy axis, `ref` its "no policy" value: every point is compared,
# replication by replication, with the point that differs from it only on that axis (same demand).
# `cols`: table columns (entity kind, entity, KPI). `lines`: the headline comparisons in sentences.
# ---------------------------------------------------------------------------------------------------------
SWEEPS = [
    {
        "name": "round-the-clock",
        "title": "Round-the-clock road checkpoints and synchronised hours",
        "what": "Kazakh side one hour earlier at the four baseline-hours crossings (`sync`), Kazakh side 24/7 "
                "(`kz-24x7`), both sides 24/7 (`24x7-both`), at today's demand, at x1.5 (half-way to doubled "
                "trade) and at x3, which saturates the lanes of Dostyk road and Maikapchagay (so their served/day "
                "at x3 is capacity; Kalzhat and Nur Zholy are bound by China's quotas). The neutral zone before each Chinese entry "
                "holds 100 trucks (the base's assumption, range 50–200; no figure in the sheet); "
                "`neutral-zone.toml` below repeats `sync` for other sizes.",
        "axis": "hours", "ref": "today",
        "cols": [("system", "all", "served_per_day"), ("system", "all", "wait_mean_h"),
                 ("checkpoint", "dostyk-road", "served_per_day"), ("checkpoint", "dostyk-road", "wait_mean_h"),
                 ("checkpoint", "kalzhat", "wait_mean_h"), ("checkpoint", "dostyk-road", "queue_km_mean"),
                 ("stage", "dostyk-road/kz-exit", "blocked_share")],
        "lines": [("system", "all", "served_per_day", "served/day (all road checkpoints)"),
                  ("system", "all", "wait_mean_h", "the mean wait (all trucks)"),
                  ("checkpoint", "dostyk-road", "served_per_day", "served/day at Dostyk road (no quota)"),
                  ("checkpoint", "kalzhat", "wait_mean_h", "the mean wait at Kalzhat"),
                  ("checkpoint", "dostyk-road", "queue_km_mean", "the mean road queue at Dostyk road (km)"),
                  ("stage", "dostyk-road/kz-exit", "blocked_share",
                   "the blocked share of the Dostyk road Kazakh exit lanes (time holding a cleared truck the full "
                   "neutral zone cannot take, of all time holding a truck)")],
        "extra": "capacity_claim",
    },
    {
        "name": "neutral-zone",
        "title": "Synchronised hours under several neutral-zone sizes",
        "what": "`sync` (as above) against today's hours with the neutral zone before every Chinese entry holding "
                "25, 50, 100 (the base's assumption), 200 trucks or without limit (the model before finite "
                "buffers), at today's demand and at x3 (capacity of the lane-bound crossings).",
        "axis": "hours", "ref": "today",
        "cols": [("system", "all", "served_per_day"), ("checkpoint", "dostyk-road", "served_per_day"),
                 ("checkpoint", "maikapchagay", "served_per_day"), ("system", "all", "wait_mean_h"),
                 ("stage", "dostyk-road/kz-exit", "blocked_share"), ("checkpoint", "dostyk-road", "queue_inside_mean")],
        "lines": [("system", "all", "served_per_day", "served/day (all road checkpoints)"),
                  ("checkpoint", "dostyk-road", "served_per_day", "served/day at Dostyk road (no quota)"),
                  ("system", "all", "wait_mean_h", "the mean wait (all trucks)"),
                  ("stage", "dostyk-road/kz-exit", "blocked_share",
                   "the blocked share of the Dostyk road Kazakh exit lanes (time holding a cleared truck the full "
                   "neutral zone cannot take, of all time holding a truck)")],
        "extra": "zone_claim",
    },
    {
        "name": "green-corridor",
        "title": "Green corridors for perishables",
        "what": "Priority for perishables at Nur Zholy (Bakhty has it since 2013), then priority plus reserved "
                "lanes (2 at Nur Zholy, 1 at Bakhty), at x1 and x1.5 demand.",
        "axis": "corridor", "ref": "today",
        "cols": [("class", "perishable", "over_limit"), ("class", "perishable", "wait_mean_h"),
                 ("class", "general", "wait_mean_h"), ("class", "general", "wait_p95_h"),
                 ("checkpoint", "nur-zholy", "served_per_day"), ("checkpoint", "nur-zholy", "queue_km_mean")],
        "lines": [("class", "perishable", "over_limit", "perishable trucks held past max_wait (24 h) per year"),
                  ("class", "perishable", "wait_mean_h", "the perishables' mean wait"),
                  ("class", "general", "wait_mean_h", "general cargo's mean wait"),
                  ("flow", "nur-zholy-general", "wait_p95_h", "the p95 wait of general trucks at Nur Zholy")],
    },
    {
        "name": "new-checkpoints",
        "title": "New road checkpoints Narynkol–Muzart and Terekty–Aktobek",
        "what": "The two crossings open 2027-01-01 / 2027-07-01 (assumed) at the projected size (1 lane per side) "
                "or Bakhty's (3 lanes), with route choice from the neighbouring crossings, over 2026–2028, at flat "
                "demand and at +22.46%/yr.",
        "axis": "crossings", "ref": "not-built",
        "cols": [("checkpoint", "kalzhat", "y2028.wait_mean_h"), ("checkpoint", "maikapchagay", "y2028.wait_mean_h"),
                 ("checkpoint", "narynkol", "y2028.served_per_day"), ("checkpoint", "narynkol", "y2028.wait_mean_h"),
                 ("checkpoint", "terekty", "y2028.served_per_day"), ("system", "all", "y2028.served_per_day")],
        "lines": [("system", "all", "y2028.served_per_day", "served/day in 2028 (all road checkpoints)"),
                  ("checkpoint", "kalzhat", "y2028.wait_mean_h", "the 2028 mean wait at Kalzhat"),
                  ("checkpoint", "maikapchagay", "y2028.wait_mean_h", "the 2028 mean wait at Maikapchagay"),
                  ("checkpoint", "narynkol", "y2028.served_per_day", "trucks/day through Narynkol in 2028"),
                  ("checkpoint", "narynkol", "y2028.wait_mean_h", "the 2028 mean wait at Narynkol")],
    },
    {
        "name": "rail-growth",
        "title": "Rail growth: Middle-Corridor trains, the fourth rail crossing and the Irtysh",
        "what": "Middle-Corridor container trains 600 -> 2,000/yr by 2029 (read as trains per year, added above "
                "2026 traffic), then Maikapchagay–Zimunay rail + Tugyl port from 2028 with 0.9 Mt or 2.5 Mt of "
                "barges, 2026–2029. A rail link has no place to wait, so a train without a westbound path "
                "Altynkol–Zhetygen keeps its Khorgos track: the path shortage shows at the station (trains "
                "blocked on the departure stage, then trains held outside), not as a wait at the link.",
        "axis": "rail", "ref": "no-growth",
        "cols": [("checkpoint", "khorgos", "y2029.served_per_day"), ("checkpoint", "khorgos", "y2029.wait_mean_h"),
                 ("stage", "khorgos/transship", "utilization"), ("stage", "khorgos/departure", "blocked_mean"),
                 ("checkpoint", "maikapchagay-rail", "y2029.tonnes_per_day"), ("link", "irtysh", "wait_mean_h")],
        "lines": [("checkpoint", "khorgos", "y2029.served_per_day", "Khorgos trains/day in 2029"),
                  ("checkpoint", "khorgos", "y2029.wait_mean_h", "the 2029 mean wait of trains at Khorgos"),
                  ("stage", "khorgos/departure", "blocked_mean",
                   "the trains standing on a Khorgos track ready but without a westbound path (time-average)"),
                  ("checkpoint", "maikapchagay-rail", "y2029.tonnes_per_day", "t/day through Maikapchagay rail in 2029"),
                  ("link", "irtysh", "wait_mean_h", "barges' wait for an Irtysh lock passage")],
        "extra": "river_mt",
    },
    {
        "name": "middle-corridor",
        "title": "Middle Corridor to 10 Mt/yr by 2030",
        "what": "Growth of +14.1%/yr (derived: 3.4 Mt in 9 months of 2024 -> 10 Mt/yr in 2030) as extra "
                "container trains through Khorgos/Dostyk, half or all of it, and all of it with free route "
                "choice, 2026–2030; no fourth crossing. As in rail growth, trains without a westbound path "
                "Altynkol–Zhetygen (17/day) keep their Khorgos tracks, and eastbound trains, which share the "
                "tracks, are held outside behind them.",
        "axis": "mc", "ref": "no-growth",
        "cols": [("checkpoint", "khorgos", "y2030.served_per_day"), ("checkpoint", "khorgos", "y2030.wait_mean_h"),
                 ("checkpoint", "dostyk", "y2030.served_per_day"), ("stage", "khorgos/transship", "utilization"),
                 ("stage", "khorgos/departure", "blocked_mean"), ("checkpoint", "khorgos", "held_outside"),
                 ("system", "all", "backlog_end")],
        "lines": [("checkpoint", "khorgos", "y2030.wait_mean_h", "the 2030 mean wait of trains at Khorgos"),
                  ("checkpoint", "dostyk", "y2030.served_per_day", "Dostyk trains/day in 2030"),
                  ("stage", "khorgos/departure", "blocked_mean",
                   "the trains standing on a Khorgos track ready but without a westbound path (time-average)"),
                  ("checkpoint", "khorgos", "held_outside", "trains held outside Khorgos (all five years)"),
                  ("system", "all", "backlog_end", "trains still queued at the end of 2030")],
    },
    {
        "name": "demand-x2",
        "title": "Kazakhstan–XUAR trade doubled (demand x2)",
        "what": "Road demand x2, with round-the-clock on both sides, plus the green corridor, plus (a what-if "
                "outside the statement) China's daily quotas lifted.",
        "axis": "road", "ref": "today",
        "cols": [("system", "all", "served_per_day"), ("system", "all", "wait_mean_h"),
                 ("system", "all", "backlog_end"), ("checkpoint", "nur-zholy", "queue_km_max"),
                 ("checkpoint", "kalzhat", "wait_mean_h"), ("class", "perishable", "over_limit")],
        "lines": [("system", "all", "served_per_day", "served/day (all road checkpoints)"),
                  ("system", "all", "backlog_end", "trucks still queued at the end of the year"),
                  ("system", "all", "wait_mean_h", "the mean wait (all trucks)"),
                  ("class", "perishable", "over_limit", "perishables held past max_wait")],
        "extra": "x2_capacity",
    },
    {
        "name": "robust-road",
        "title": "Road policies under the assumed inputs (robustness)",
        "what": "`sync`, `24x7-both` and `priority` against today's regime on 20 input sets drawn by Latin "
                "hypercube across the assumed ranges of the road inputs (truck service time, both "
                "neutral zones, Maikapchagay and Dostyk road demand, the perishables' limit; the file says "
                "which sheet row each comes from), common random numbers within each set. Only the service "
                "time's mean is drawn; the scenario gives its spread as a coefficient of variation (0.9, "
                "sheet R11), so every set keeps that shape and its sd follows the mean.",
        "axis": "hours", "ref": "today", "robust": True,
        "rows": [("system", "all", "wait_mean_h"), ("system", "all", "served_per_day"),
                 ("checkpoint", "kalzhat", "wait_mean_h"), ("checkpoint", "maikapchagay", "wait_mean_h"),
                 ("checkpoint", "dostyk-road", "wait_mean_h"), ("class", "perishable", "wait_mean_h"),
                 ("class", "perishable", "over_limit")],
        "cols": [], "lines": [],
    },
    {
        "name": "robust-rail",
        "title": "Rail growth under the assumed inputs (robustness)",
        "what": "`mc-trains` (600 -> 2,000 trains a year by 2029) and `mc-half` (half the Middle-Corridor "
                "growth to 10 Mt by container train) against no growth, 2026–2029, on 20 input sets drawn by "
                "Latin hypercube across the assumed ranges of the rail inputs (Altynkol–Zhetygen paths each way, "
                "train lateness, customs per train, Khorgos departure), common random numbers within each set.",
        "axis": "rail", "ref": "no-growth", "robust": True,
        "rows": [("system", "all", "wait_mean_h"), ("system", "all", "served_per_day"),
                 ("checkpoint", "khorgos", "wait_mean_h"), ("checkpoint", "khorgos", "served_per_day"),
                 ("checkpoint", "dostyk", "wait_mean_h")],
        "cols": [], "lines": [],
    },
]


# ---------------------------------------------------------------------------------------------------------
def fmt(x, ref=None):
    """A number with decimals suited to its size (ref: the size that decides, e.g. the mean for its CI)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    a = abs(ref if ref is not None else x)
    if a >= 100:
        return f"{x:,.0f}".replace(",", " ")
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def pm(mean, ci):
    return f"{fmt(mean)} ± {fmt(ci, mean if abs(mean) > abs(ci) else ci)}"


def parse_label(label):
    out = {}
    for part in label.split(","):
        k, _, v = part.strip().partition("=")
        out[k.strip()] = v.strip()
    return out


def get(point, kind, entity, kpi):
    try:
        return point["results"][kind][entity][kpi]
    except (KeyError, TypeError):
        return None


# KPIs that keep growing with the length of the run where demand exceeds capacity: at an overloaded point they
# are not a measurement, so they are not reported there.
# (Blocked lanes are bounded by the lanes, so blocked_mean and blocked_share stay measurements.)
GROWING = ("wait", "queue", "over_limit", "held_outside", "time_in_system")


def grows(kpi):
    return any(g in kpi for g in GROWING)


def overloaded(point, kind, entity):
    """(backlog at the end, growth per day, reasons) if borderflow judged the entity overloaded at this point
    (README "Overload": a static reason — demand above lanes × open hours, a quota or a link's paths — or the
    trend test on its backlog in most replications), else None. A flow or class is overloaded where a node its
    vehicles pass is; results written before flows and classes were judged take the system's."""
    e = entity
    r = (point or {}).get("results", {}).get(kind, {}).get(e)
    if r is None or "overloaded" not in r:
        kind, e = "system", "all"
        r = (point or {}).get("results", {}).get("system", {}).get("all")
    if not r or not r.get("overloaded"):
        return None
    b = get(point, kind, e, "backlog_end")
    g = get(point, kind, e, "backlog_growth_per_day")
    return (b["mean"] if b else None, g["mean"] if g else None, r.get("overload_reasons", []))


def overload_note(ov):
    parts = []
    if ov[1] is not None and ov[1] > 0:
        parts.append(f"its backlog grows by {fmt(ov[1])} a day")
    if ov[0] is not None:
        parts.append(f"{fmt(ov[0])} still queued at the end")
    return "overloaded" + (": " + ", ".join(parts) if parts else "")


def load_runs(path, wanted):
    """runs.csv -> {(point label, kind, entity, kpi): {replication: value}} for the wanted (kind, entity, kpi)."""
    runs = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["entity_kind"], row["entity"], row["kpi"])
            if key in wanted and row["value"] != "":  # an empty cell: no value (e.g. no road km for trains)
                runs.setdefault((row["point"],) + key, {})[int(row["replication"])] = float(row["value"])
    return runs


def paired(runs, a, b, kind, entity, kpi):
    """Paired difference b − a over the replications both points have: (mean, ci95, significant, n)."""
    ra = runs.get((a, kind, entity, kpi), {})
    rb = runs.get((b, kind, entity, kpi), {})
    reps = sorted(set(ra) & set(rb))
    d = [rb[r] - ra[r] for r in reps]
    n = len(d)
    if n == 0:
        return None
    m = sum(d) / n
    if n < 2:
        return (m, 0.0, False, n)
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1))
    ci = t975(n - 1) * sd / math.sqrt(n)
    # a difference below rounding noise (identical runs give exactly 0 ± 0) is not significant
    scale = max(1.0, abs(sum(ra[r] for r in reps) / n))
    return (m, ci, abs(m) > ci and abs(m) > 1e-6 * scale, n)


def mean_ci(runs, label, kind, entity, kpi):
    r = list(runs.get((label, kind, entity, kpi), {}).values())
    n = len(r)
    if n == 0:
        return None
    m = sum(r) / n
    if n < 2:
        return (m, 0.0)
    sd = math.sqrt(sum((x - m) ** 2 for x in r) / (n - 1))
    return (m, t975(n - 1) * sd / math.sqrt(n))


def reference_label(label, axis, ref):
    parts = parse_label(label)
    if parts.get(axis) == ref or axis not in parts:
        return None
    parts[axis] = ref
    return ", ".join(f"{k}={v}" for k, v in parts.items())


def sentence(runs, a, b, kind, entity, kpi, phrase, points=None):
    if grows(kpi) and points:
        for lab, which in ((b, "the point"), (a, "its reference")):
            ov = overloaded(points.get(lab), kind, entity) if points.get(lab) else None
            if ov:
                return f"does not measure {phrase} ({which} is {overload_note(ov)})"
    ma, mb = mean_ci(runs, a, kind, entity, kpi), mean_ci(runs, b, kind, entity, kpi)
    d = paired(runs, a, b, kind, entity, kpi)
    if not ma or not mb or not d:
        return None
    dm, dci, sig, _ = d
    # The sweep's own verdict where it made this comparison (b against a, its context's baseline):
    # significant after the Holm adjustment over the sweep's comparisons of this measure.
    held = points.get(b) if points else None
    if held and held.get("baseline") == a:
        dd = (get(held, kind, entity, kpi) or {}).get("diff")
        if dd:
            sig = bool(dd["significant"])
    if sig:
        verb = "raises" if dm > 0 else "cuts"
    else:
        verb = "leaves"
    change = f"{'+' if dm >= 0 else '−'}{fmt(abs(dm), max(abs(dm), dci))} ± {fmt(dci, max(abs(dm), dci))}"
    rel = ""
    # A percentage only against a baseline clear of zero (above its own 95% half-width and a floor in
    # the KPI's unit) and when it does not round to 0%: no "+6223%" on a near-zero wait, no "−0%".
    floor = 0.05 if (kpi.endswith("_h") or "_km" in kpi or "utilization" in kpi or kpi.endswith("_share")) else 0.5
    if abs(ma[0]) > max(ma[1], floor) and round(dm / ma[0] * 100) != 0:
        rel = f", {dm / ma[0] * 100:+.0f}%".replace("-", "−")
    if sig:
        return f"{verb} {phrase} from {pm(*ma)} to {pm(*mb)} ({change}{rel}, significant)"
    return f"leaves {phrase} at {pm(*mb)} against {pm(*ma)} ({change}, not significant)"


# ---------------------------------------------------------------------------------------------------------
# Extra, sweep-specific verdicts
# ---------------------------------------------------------------------------------------------------------
CLAIM = "**Capacity claim (kt.kz, Feb 2026: synchronising operating hours with China adds ≥ 20% capacity).**"
# The baseline-hours crossings whose lanes, not China's quotas, limit them at the saturating demand (x3): Kalzhat
# is bound by its quota of 300/day and Bakhty (60/day at x3) never reaches its 375/day (round-the-clock.toml).
BASELINE_HOURS_CPS = ["dostyk-road", "maikapchagay"]


def pct(runs, a, b, kind, entity):
    """Paired relative change of served/day, b against a: (percent, ci percent, significant)."""
    d = paired(runs, a, b, kind, entity, "served_per_day")
    m = mean_ci(runs, a, kind, entity, "served_per_day")
    if not d or not m:
        return None
    return (d[0] / m[0] * 100, d[1] / m[0] * 100, d[2])


def sg(x, nd):
    """A signed number with nd decimals and a true minus sign."""
    if round(x, nd) == 0:
        x = 0.0
    return f"{x:+.{nd}f}".replace("-", "−")


def fmt_pct(x):
    return f"{sg(x[0], 2)}% ± {x[1]:.2f}%" + ("" if x[2] else " (not significant)")


def four_gain(runs, a, b):
    """Served/day of the lane-bound baseline-hours crossings together, b against a, replication by replication:
    (percent, ci percent, served/day at a, served/day at b)."""
    tot = {}
    for lab in (a, b):
        per = {}
        for c in BASELINE_HOURS_CPS:
            for r, v in runs.get((lab, "checkpoint", c, "served_per_day"), {}).items():
                per[r] = per.get(r, 0.0) + v
        tot[lab] = per
    reps = sorted(set(tot[a]) & set(tot[b]))
    if len(reps) < 2:
        return None
    d = [tot[b][r] - tot[a][r] for r in reps]
    base = sum(tot[a][r] for r in reps) / len(reps)
    m = sum(d) / len(d)
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (len(d) - 1))
    ci = t975(len(d) - 1) * sd / math.sqrt(len(d))
    return (m / base * 100, ci / base * 100, base, base + m)


def capacity_claim(summary, runs):
    """The claim at the base's neutral zone (100 trucks). Capacity = served/day at x3 (saturated)."""
    a, b = "hours=today, demand=x3", "hours=sync, demand=x3"
    out = []
    for kind, ent, what in [("checkpoint", "dostyk-road", "dostyk-road"),
                            ("checkpoint", "maikapchagay", "maikapchagay")]:
        x = pct(runs, a, b, kind, ent)
        if x:
            out.append(f"{what}: {fmt_pct(x)}")
    g = four_gain(runs, a, b)
    if not g:
        return None
    out.append(f"the two together: {sg(g[0], 2)}% ± {g[1]:.2f}% "
               f"({fmt(g[2])} -> {fmt(g[3])} trucks/day)")
    verdict = "confirms" if g[0] - g[1] >= 20 else "does not confirm"
    return (f"{CLAIM} Neutral zone of 100 trucks before each Chinese entry (the base's assumption, range 50–200; "
            f"no figure in the sheet). Served/day at x3 demand, which saturates the lanes of Dostyk road and "
            f"Maikapchagay, `sync` against `today`, paired: "
            + "; ".join(out) + f". Under this assumption the model {verdict} the claim at the crossings whose lanes "
            "the hours limit (Nur Zholy already works 24/7 on both sides; Kalzhat is bound by China's quota of "
            "300/day whatever the hours; Bakhty's 20 trucks a day never reach its lanes). The gain is capacity the mismatch costs: "
            "with today's hours the Kazakh exit clears trucks into the zone for an hour after China closes and "
            "during China's lunch, and China serves from the zone an hour before the Kazakh side opens and during "
            "the Kazakh lunch; where the zone cannot hold an hour of the Kazakh exit's output (8 lanes, up to "
            "50 trucks an hour, plus the trucks on the drive) its lanes are blocked and that hour is "
            "lost. How the answer moves with the zone's size is the next section.")


def zone_claim(summary, runs):
    """The claim for each neutral-zone size of neutral-zone.toml."""
    zones = ["25", "50", "100", "200", "unlimited"]
    rows, gains, single = [], {}, {}
    for z in zones:
        a, b = (f"zone={z}, zone-in={z}, hours=today, demand=x3",
                f"zone={z}, zone-in={z}, hours=sync, demand=x3")
        g = four_gain(runs, a, b)
        if not g:
            continue
        gains[z] = g
        dy, mk = pct(runs, a, b, "checkpoint", "dostyk-road"), pct(runs, a, b, "checkpoint", "maikapchagay")
        for c, x in (("Dostyk road", dy), ("Maikapchagay", mk)):
            if x and x[0] - x[1] >= 20:
                single.setdefault(c, []).append(z)
        bl = mean_ci(runs, a, "stage", "dostyk-road/kz-exit", "blocked_share")
        rows.append(f"| {z} | {fmt(g[2])} | {fmt(g[3])} | {sg(g[0], 1)}% ± {g[1]:.2f}% | "
                    f"{sg(dy[0], 1)}% | {sg(mk[0], 1)}% | {fmt(bl[0]) if bl else '–'} |")
    if "100" not in gains or "unlimited" not in gains:
        return None
    table = ["| neutral zone [trucks] | Dostyk road + Maikapchagay today [served/day] | with `sync` | gain (paired) | "
             "Dostyk road gain | Maikapchagay gain | Dostyk road Kazakh exit blocked share, today |",
             "|---|---|---|---|---|---|---|"] + rows
    yes = [z for z in zones if z in gains and gains[z][0] - gains[z][1] >= 20]
    rng = [gains[z][0] for z in ("50", "100", "200") if z in gains]
    where = (f"only with a zone of {', '.join(yes)} trucks" if yes else
             "with none of the sizes swept")
    if single:
        where += (" (one crossing alone reaches it: " +
                  "; ".join(f"{c} with {' or '.join(zs)} trucks" for c, zs in single.items()) + ")")
    text = (f"{CLAIM} Capacity (served/day at x3) of the lane-bound baseline-hours crossings, Dostyk road and "
            f"Maikapchagay, together, `sync` against "
            f"`today` at the same neutral-zone size. The model reaches the claimed +20% {where}. With the assumed "
            f"~100 trucks it shows {sg(gains['100'][0], 1)}% ± {gains['100'][1]:.2f}%, and over the assumed range "
            f"50–200 {sg(min(rng), 1)}% to {sg(max(rng), 1)}%. With no limit on the zone (the model before finite "
            f"buffers) it shows {sg(gains['unlimited'][0], 2)}% ± {gains['unlimited'][1]:.2f}%: each side then "
            "works its full 7.5 h at saturation whatever the other does, because the zone absorbs any mismatch; "
            "that was this file's earlier verdict (+0.01%), and it holds only for a zone that never fills. The "
            "smaller the zone, the more the mismatch costs today and the more synchronising gives back "
            "(the zone holds two hours of an 8-lane exit's output at 100 places, one at 50). What the model cannot "
            "settle: the real size of the neutral zones (the sheet gives none, so which row holds is open); "
            "the claim's scope (kt.kz counts the whole border, 1.68 M vehicles a year with cars and buses, "
            "and Nur Zholy, already 24/7 and bound by China's quota, gains nothing from the hours); and "
            "places to wait that the model does not have (a parking area in or beyond the zone, trucks "
            "turned back) — each would move the answer towards the unlimited row.")
    return "\n".join(table) + "\n\n" + text


def river_mt(summary, runs):
    out = []
    points = {p["label"]: p for p in summary["points"] if p.get("status") == "ok"}
    for lab in ["rail=mc+4th", "rail=mc+4th@2.5Mt"]:
        m = mean_ci(runs, lab, "checkpoint", "maikapchagay-rail", "y2029.tonnes_per_day")
        w = mean_ci(runs, lab, "link", "irtysh", "wait_mean_h")
        ov = overloaded(points[lab], "link", "irtysh") if lab in points else None
        if m:
            out.append(f"`{lab.split('=')[1]}`: {fmt(m[0] * 365 / 1e6)} ± {fmt(m[1] * 365 / 1e6)} Mt in 2029"
                       + (f", the locks are {overload_note(ov)}" if ov else
                          f", barges wait {pm(*w)} h for a lock passage" if w else ""))
    if not out:
        return None
    return ("**River route (projected 2–2.5 Mt/yr, Kazinform Dec 2024).** Tonnes through Maikapchagay–Zimunay rail "
            "(derived: y2029 t/day × 365): " + "; ".join(out) + ". The Irtysh locks (350 vessels/yr, 2 passages a "
            "day in the season) cap the river supply near 1 Mt/yr whatever the port and the crossing can handle.")


def x2_capacity(summary, runs):
    offered = mean_ci(runs, "road=today, demand=x2", "system", "all", "arrivals")
    days = 365 - 14
    parts = []
    for pol in ["today", "24x7-both", "24x7+green", "24x7+green+no-quota"]:
        m = mean_ci(runs, f"road={pol}, demand=x2", "system", "all", "served_per_day")
        if m and offered:
            parts.append(f"`{pol}` {fmt(m[0])} ({m[0] / (offered[0] / days) * 100:.0f}%)")
    if not parts or not offered:
        return None
    return (f"**Does the road system carry doubled trade?** Offered at x2: {fmt(offered[0] / days)} trucks/day "
            f"(arrivals after warm-up ÷ {days} days); served/day and the share of demand served: " + ", ".join(parts)
            + ". With China's quotas in place (Nur Zholy 1,000/day, Kalzhat 300/day) no Kazakh-side policy "
              "reaches the doubled demand; the backlog column shows how far behind the year ends.")


EXTRAS = {"capacity_claim": capacity_claim, "zone_claim": zone_claim, "river_mt": river_mt,
          "x2_capacity": x2_capacity}


# ---------------------------------------------------------------------------------------------------------
# Findings, policy by policy: one paragraph for each policy of the December 2024 statement — what the model
# shows at equal demand, how robust that is to the inputs no source gives, and what it cannot tell.
# ---------------------------------------------------------------------------------------------------------
PARAGRAPH_KPIS = [
    ("system", "all", "wait_mean_h"), ("system", "all", "served_per_day"),
    ("checkpoint", "nur-zholy", "wait_mean_h"), ("checkpoint", "kalzhat", "wait_mean_h"),
    ("class", "perishable", "over_limit"), ("class", "perishable", "wait_mean_h"),
    ("class", "general", "wait_mean_h"),
    ("checkpoint", "narynkol", "y2028.served_per_day"), ("checkpoint", "kalzhat", "y2028.wait_mean_h"),
    ("checkpoint", "khorgos", "y2029.served_per_day"), ("checkpoint", "khorgos", "y2029.wait_mean_h"),
    ("checkpoint", "khorgos", "y2030.served_per_day"), ("checkpoint", "dostyk", "y2030.served_per_day"),
]


def say(data, sweep, a, b, kind, entity, kpi, phrase):
    """One comparison as a clause (`sentence`), or None when the sweep was not run."""
    d = data.get(sweep)
    if not d:
        return None
    return sentence(d["runs"], a, b, kind, entity, kpi, phrase, d["points"])


def overloaded_names(data, sweep, label, kinds=("checkpoint", "link", "terminal")):
    """Entities borderflow judged overloaded at a point, by id."""
    p = data.get(sweep, {}).get("points", {}).get(label)
    if not p:
        return []
    out = []
    for k in kinds:
        for e, r in p.get("results", {}).get(k, {}).items():
            if r.get("overloaded"):
                out.append(e)
    return out


ROBUST = {"round-the-clock": "robust-road", "green-corridor": "robust-road", "rail-growth": "robust-rail",
          "middle-corridor": "robust-rail"}


def robustness(data, sweep, policy, entity_kind, entity, kpi, phrase, ref="today's regime"):
    """What the uncertain-input draws of the sweep's robustness companion (robust-road.toml, robust-rail.toml)
    say about one policy's effect, as a sentence; None when that sweep was not run."""
    rob = data.get(ROBUST.get(sweep, sweep), {}).get("summary", {}).get("robustness")
    t = robust_sentence(rob, policy, entity_kind, entity, kpi, phrase, ref) if rob else None
    return t or ("Its robustness to the assumed inputs was not drawn: no robustness sweep of this library "
                 "varies them for this policy (a sweep with `[[uncertain]]` inputs would).")


def robust_entry(rob, policy, entity_kind, entity, kpi):
    """The `robustness.results` entry of one policy (its label without the draw, or just the policy value)."""
    for r in rob.get("results", []):
        pol = r.get("policy", "")
        if (pol == policy or pol.split("=")[-1] == policy) and r.get("entity_kind") == entity_kind \
                and r.get("entity") == entity and r.get("kpi") == kpi and not r.get("context"):
            return r
    return None


def robust_sentence(rob, policy, entity_kind, entity, kpi, phrase, ref="today's regime"):
    r = robust_entry(rob, policy, entity_kind, entity, kpi)
    if not r:
        return None
    n, m = r.get("draws", 0), r.get("measured", 0)
    ov, ovp, ovb = r.get("overloaded", 0), r.get("overloaded_policy", 0), r.get("overloaded_baseline", 0)
    inputs = "; ".join(i.get("name", i.get("path", "?")) for i in rob.get("inputs", []))
    head = f"Over {n} input sets drawn across the assumed ranges ({inputs})"
    ovt = (f"{ov} sets are overloaded and not measured ({ovp} with it, {ovb} with {ref})" if ov else
           "no set is overloaded")
    # What is overloaded: the whole network for the system, a crossing for a node, the vehicles for a
    # flow or class (borderflow judges each by the nodes they pass and their own backlog).
    what = {"flow": "these vehicles", "class": "these vehicles"}.get(entity_kind)
    def sets(k):
        return f"{k} set" if k == 1 else f"{k} sets"
    if ovb > ovp:
        kept = f"keeps {what} stable" if what else "keeps every crossing stable"
        ovt += (f": in at least {sets(ovb - ovp)} where {ref} is overloaded (its queue grows all year) the "
                f"policy {kept}, the largest effect it has and one no mean can show")
    elif ovp > ovb:
        over = f"overloads {what}, stable" if what else "overloads a crossing that is stable"
        ovt += f": in at least {sets(ovp - ovb)} it {over} with {ref}"
    if m == 0:
        return f"{head}, {phrase} is never measured: {ovt}."
    unit = " h" if kpi.endswith("_h") else ""
    better = "lower" if r.get("better") == "lower" else "higher"
    worse = "higher" if better == "lower" else "lower"
    t = (f"{head}, compared with {ref} the {phrase} is clearly {better} (paired t-test, 5 %) in {r['wins']} of "
         f"the {m} sets where both are measured, clearly {worse} in {r.get('losses', 0)} and not clearly "
         f"different in {r.get('unclear', 0)}; the change has a median of {sgn(r['effect_median'])}{unit} (5–95 %: {sgn(r['effect_p05'])} to "
         f"{sgn(r['effect_p95'])}{unit}); {ovt}")
    d, rho = r.get("driver"), r.get("driver_spearman")
    if d and rho is not None and abs(rho) >= 0.3:
        t += f"; the input that moves the change most is {d} (Spearman ρ = {rho:+.2f})".replace("-", "−")
    elif m >= 3:
        t += "; no single input moves it clearly (every |ρ| < 0.3)"
    return t + "."


def num(x):
    """A range end as written: whole numbers without decimals."""
    if isinstance(x, (int, float)) and float(x).is_integer():
        return f"{int(x):,}"
    return fmt(x) if isinstance(x, (int, float)) else str(x)


def sgn(x):
    if x is None:
        return "–"
    return ("+" if x >= 0 else "−") + fmt(abs(x))


def join(*parts):
    return " ".join(p for p in parts if p)


def clause_list(parts):
    parts = [p for p in parts if p]
    return "; ".join(parts)


def p_round_the_clock(data):
    s = "round-the-clock"
    if s not in data:
        return None
    x1 = clause_list([
        say(data, s, "hours=today, demand=x1", "hours=24x7-both, demand=x1", "system", "all", "wait_mean_h",
            "the mean wait of all trucks"),
        say(data, s, "hours=today, demand=x1", "hours=24x7-both, demand=x1", "checkpoint", "kalzhat",
            "wait_mean_h", "the mean wait at Kalzhat"),
        say(data, s, "hours=today, demand=x1", "hours=24x7-both, demand=x1", "system", "all", "served_per_day",
            "trucks served a day")])
    x15 = say(data, s, "hours=today, demand=x1.5", "hours=24x7-both, demand=x1.5", "system", "all",
              "served_per_day", "the trucks served a day")
    ov_t = overloaded_names(data, s, "hours=today, demand=x1.5")
    ov_p = overloaded_names(data, s, "hours=24x7-both, demand=x1.5")
    return join(
        "**Round-the-clock at every road checkpoint** (both sides 24/7, `round-the-clock.toml`, point `24x7-both`).",
        f"At today's demand, against today's hours, it {x1}." if x1 else None,
        f"At x1.5 demand it {x15}; there {', '.join(ov_p) or 'no crossing'} are overloaded with the policy and "
        f"{', '.join(ov_t) or 'none'} without it, so their waits are not measured and what they serve is what "
        "their lanes or China's quotas pass." if x15 else None,
        (f"Capacity, at saturating demand (x3): {cap}." if (cap := capacity_24(data)) else None),
        robustness(data, s, "24x7-both", "system", "all", "wait_mean_h", "mean wait of all trucks"),
        "What the model cannot tell: the absolute waits. It queues trucks at the lanes only, and Khorgos/Nur "
        "Zholy cargo is transloaded at warehouses (Chinese trucks unload, Kazakh trucks collect), which is where "
        "the CPMM's 51.4 h comes from; the model has no such mechanism, so it gives hours, not days "
        "(`scenarios/validation/README.md`). The hours of the four smaller crossings today are the 2005 ones "
        "(sheet R12, assumed), so the size of the gain rests on them; China's quotas at Nur Zholy and Kalzhat "
        "cap what any change of hours can add there.")


def capacity_24(data):
    """Round-the-clock against today's hours at x3, at the crossings whose lanes are the limit there."""
    d = data.get("round-the-clock")
    if not d:
        return None
    g = four_gain(d["runs"], "hours=today, demand=x3", "hours=24x7-both, demand=x3")
    if not g:
        return None
    return (f"Dostyk road and Maikapchagay together pass {fmt(g[3])} trucks a day instead of {fmt(g[2])} "
            f"({sg(g[0], 0)}% ± {g[1]:.1f}%, paired)")


def p_sync(data):
    s = "round-the-clock"
    if s not in data:
        return None
    x1 = say(data, s, "hours=today, demand=x1", "hours=sync, demand=x1", "system", "all", "wait_mean_h",
             "the mean wait of all trucks")
    claim = zone_summary(data)
    return join(
        "**Synchronised operating hours** (the Kazakh side one hour earlier at the four crossings that keep "
        "baseline hours, `sync`).",
        f"At today's demand it {x1}." if x1 else None,
        claim,
        robustness(data, s, "sync", "system", "all", "wait_mean_h", "mean wait of all trucks"),
        "What the model cannot tell: whether the claimed ≥ 20 % capacity holds, because that turns on the size "
        "of the neutral zones, which no source gives (sheet R18, assumed 50–200 trucks), and on places to wait "
        "that the model does not have (parking beyond the zone, trucks turned back). The claim counts the whole "
        "border (kt.kz), cars and buses included; the model has trucks only.")


def zone_summary(data):
    d = data.get("neutral-zone")
    if not d:
        return None
    gains = {}
    for z in ["50", "100", "200", "unlimited"]:
        g = four_gain(d["runs"], f"zone={z}, zone-in={z}, hours=today, demand=x3",
                      f"zone={z}, zone-in={z}, hours=sync, demand=x3")
        if g:
            gains[z] = g
    if "100" not in gains:
        return None
    rng = [gains[z][0] for z in ("50", "100", "200") if z in gains]
    return (f"At saturating demand (x3) it adds {sg(gains['100'][0], 1)}% ± {gains['100'][1]:.2f}% to the "
            f"capacity of the crossings whose lanes the hours limit (Dostyk road and Maikapchagay) with a neutral zone of 100 trucks, {sg(min(rng), 1)}% to {sg(max(rng), 1)}% "
            f"over the assumed 50–200"
            + (f", and {sg(gains['unlimited'][0], 2)}% with a zone that never fills" if "unlimited" in gains
               else "") + " (`neutral-zone.toml`).")


def p_green(data):
    s = "green-corridor"
    if s not in data:
        return None
    x1 = clause_list([
        say(data, s, "corridor=today, demand=x1", "corridor=priority, demand=x1", "class", "perishable",
            "over_limit", "the perishable trucks held past their 24 h limit in a year"),
        say(data, s, "corridor=today, demand=x1", "corridor=priority, demand=x1", "class", "perishable",
            "wait_mean_h", "the perishables' mean wait"),
        say(data, s, "corridor=today, demand=x1", "corridor=priority, demand=x1", "class", "general",
            "wait_mean_h", "general cargo's mean wait")])
    ov = overloaded_names(data, s, "corridor=priority, demand=x1.5")
    return join(
        "**Green corridors for farm products** (priority for perishables at Nur Zholy, `green-corridor.toml`).",
        f"At today's demand it {x1}." if x1 else None,
        f"At x1.5 the crossings are overloaded ({', '.join(ov)}), so the waits there are not measured." if ov
        else None,
        robustness(data, s, "priority", "class", "perishable", "wait_mean_h", "perishables' mean wait"),
        "What the model cannot tell: whether a green corridor also shortens the phytosanitary control itself "
        "(the model gives perishables priority in the queue and, in `priority+lanes`, lanes of their own; their "
        "service time is unchanged), nor the real share of perishables (sheet R4, R7: assumed) or how long they "
        "may wait (24 h, sheet R19: assumed 12–72 h), which sets the count held past the limit.")


def p_new_checkpoints(data):
    s = "new-checkpoints"
    if s not in data:
        return None
    flat = clause_list([
        say(data, s, "crossings=not-built, demand=flat", "crossings=projected, demand=flat", "checkpoint",
            "kalzhat", "y2028.wait_mean_h", "the 2028 mean wait at Kalzhat"),
        say(data, s, "crossings=not-built, demand=flat", "crossings=projected, demand=flat", "system", "all",
            "y2028.served_per_day", "the trucks served a day in 2028")])
    ov = overloaded_names(data, s, "crossings=projected, demand=growth")
    return join(
        "**New checkpoints Narynkol–Muzart and Terekty–Aktobek** (`new-checkpoints.toml`, at their projected "
        "size of one lane a side).",
        f"With flat demand, building them {flat}." if flat else None,
        f"With trade growing 22.46 % a year the network is overloaded by 2028 with or without them "
        f"({', '.join(ov)})." if ov else None,
        robustness(data, s, "projected", "checkpoint", "kalzhat", "y2028.wait_mean_h",
                   "the 2028 wait at Kalzhat"),
        "What the model cannot tell: their real effect, because every input of the new crossings is assumed "
        "(sheet R38: opening dates, lanes, detours, the share of hauliers who would switch); the run is a "
        "what-if on those assumptions, and says which of them the answer turns on.")


def p_trains(data):
    s = "rail-growth"
    if s not in data:
        return None
    x = clause_list([
        say(data, s, "rail=no-growth", "rail=mc-trains", "checkpoint", "khorgos", "y2029.served_per_day",
            "Khorgos trains a day in 2029"),
        say(data, s, "rail=no-growth", "rail=mc-trains", "checkpoint", "khorgos", "y2029.wait_mean_h",
            "the 2029 mean wait of trains at Khorgos")])
    return join(
        "**Container trains from 600 to 2,000 a year by 2029** (`rail-growth.toml`, point `mc-trains`: the "
        "extra trains added to 2026 traffic through Khorgos).",
        f"It {x}." if x else None,
        robustness(data, s, "mc-trains", "checkpoint", "khorgos", "wait_mean_h", "mean wait of trains at Khorgos",
                   "no growth"),
        "What the model cannot tell: the Kazakh rail crossing times the CPMM measures (57–70 h, 2021–23), which "
        "come from wagon sourcing, priority for express trains and Chinese intake limits that the model does "
        "not have; its station times are hours. The Khorgos volumes also disagree with each other (sheet R25: "
        "1,019 TEU a day reported for 2025 against 20 trains a day), so the base load is uncertain.")


def p_fourth(data):
    s = "rail-growth"
    if s not in data:
        return None
    return join(
        "**The fourth rail crossing Maikapchagay–Zimunay with the Tugyl port and the Irtysh** "
        "(`rail-growth.toml`, points `mc+4th` and `mc+4th@2.5Mt`).",
        river_mt(data[s]["summary"], data[s]["runs"]),
        robustness(data, s, "mc+4th", "checkpoint", "maikapchagay-rail", "y2029.tonnes_per_day",
                   "the tonnes through the new crossing"),
        "What the model cannot tell: the port, the line and the crossing are planned and no source gives their "
        "design (sheet R37: berths, handling rate, paths, opening date are assumed); what the model can show is "
        "that the river leg, at the lock figure in the sheet, cannot supply the projected 2–2.5 Mt.")


def p_middle(data):
    s = "middle-corridor"
    if s not in data:
        return None
    ov_half = overloaded_names(data, s, "mc=half")
    ov_all = overloaded_names(data, s, "mc=all")
    dost = say(data, s, "mc=no-growth", "mc=all", "checkpoint", "dostyk", "y2030.served_per_day",
               "Dostyk trains a day in 2030")
    return join(
        "**The Middle Corridor at 10 Mt a year by 2030** (`middle-corridor.toml`: the growth as extra container "
        "trains through Khorgos and Dostyk, half or all of it).",
        f"With half the growth by container train the crossing is overloaded ({', '.join(ov_half)})." if ov_half
        else "With half the growth by container train no crossing is overloaded at the central inputs.",
        f"With all of it, {', '.join(ov_all)} are overloaded, and it {dost}." if ov_all and dost else None,
        robustness(data, s, "mc-half", "checkpoint", "khorgos", "wait_mean_h", "mean wait of trains at Khorgos",
                   "no growth"),
        "What the model cannot tell: the binding limit is the Altynkol–Zhetygen line's paths, 17 a day each way, "
        "for which no public source exists (sheet R26, assumed 8–27); so 'overloaded' here means overloaded at "
        "an assumed path count, and the share of the 10 Mt that would travel by container train is assumed too "
        "(sheet R39).")


def p_untestable(title, why):
    return f"**{title}** — untestable with the data at hand: {why}"


def paragraphs(data):
    out = ["# Findings, policy by policy", "",
           "One paragraph per policy of the December 2024 statement (Kazinform): what the model shows at equal "
           "demand, how robust it is to the inputs no source gives (where the sweep draws them), and what the "
           "model cannot tell and why. The numbers come from the sweeps detailed below.", ""]
    for f in (p_round_the_clock, p_sync, p_green, p_new_checkpoints, p_trains, p_fourth, p_middle):
        t = f(data)
        if t:
            out += [t, ""]
    out += [p_untestable(
        "A multimodal terminal at Khorgos station",
        "no source gives its capacity, the cargo it would move from road to rail, or how trucks would reach it. "
        "The format can express it (a terminal whose vehicles' cargo is handed to an onward train flow, as the "
        "Tugyl port is), so this is a gap in the data, not in the model."), "",
        p_untestable(
        "The Ili river route Konayev–Yining",
        "no source we hold gives its length, navigable season, depth, vessels or ports, so there is nothing to "
        "run. A river link with a season and lock paths, as the Irtysh has, would carry it once figures exist."),
        ""]
    x2 = data.get("demand-x2")
    if x2:
        t = x2_capacity(x2["summary"], x2["runs"])
        if t:
            out += [t, ""]
    return out


# ---------------------------------------------------------------------------------------------------------
def run_sweep(binary, name, outdir):
    toml = os.path.join(HERE, f"{name}.toml")
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(os.path.dirname(outdir), exist_ok=True)
    t0 = time.monotonic()
    res = subprocess.run([binary, "sweep", toml, "--out", outdir, "--quiet"], cwd=REPO,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.monotonic() - t0
    if res.returncode != 0:
        sys.exit(f"sweep {name} failed (exit {res.returncode}):\n{res.stderr}")
    with open(os.path.join(outdir, "wall_s.txt"), "w") as f:  # read back by --reuse
        f.write(f"{dt:.1f}\n")
    return dt


def load(spec, d):
    """One sweep's outputs: summary.json, manifest.json and the runs.csv rows the findings read."""
    summary = json.load(open(os.path.join(d, "summary.json")))
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    wanted = {(k, e, kpi) for k, e, kpi in spec["cols"]} | {(k, e, kpi) for k, e, kpi, _ in spec["lines"]}
    wanted |= set(spec.get("rows", []))
    wanted |= {("checkpoint", c, "served_per_day") for c in
               ["kalzhat", "bakhty", "dostyk-road", "maikapchagay", "nur-zholy"]}
    wanted |= {("stage", "dostyk-road/kz-exit", "blocked_share")}
    wanted |= {("system", "all", "served_per_day"), ("system", "all", "arrivals"),
               ("checkpoint", "maikapchagay-rail", "y2029.tonnes_per_day"), ("link", "irtysh", "wait_mean_h")}
    wanted |= set(PARAGRAPH_KPIS)
    runs = load_runs(os.path.join(d, "runs.csv"), wanted)
    points = {p["label"]: p for p in summary["points"] if p.get("status") == "ok"}
    return {"summary": summary, "manifest": manifest, "runs": runs, "points": points}


def robust_section(spec, data, wall):
    """A robustness sweep: its inputs, then per policy one row per (entity, KPI) over the input sets."""
    summary, manifest = data["summary"], data["manifest"]
    rob = summary.get("robustness") or {}
    L = [f"## {spec['title']} — `{spec['name']}.toml`", "", spec["what"], ""]
    L.append(f"{rob.get('draws', '?')} input sets × {len(set(r['policy'] for r in rob.get('results', []))) + 1} "
             f"policies × {manifest.get('replications')} replications"
             + (f"; sweep wall time {wall:.1f} s on this machine." if wall is not None else "."))
    L += ["", "| input | path | range | source |", "|---|---|---|---|"]
    for i in rob.get("inputs", []):
        L.append(f"| {i.get('name')} | `{i.get('path')}` | {num(i.get('low'))}–{num(i.get('high'))} "
                 f"{i.get('unit') or ''} | {i.get('source') or ''} |")
    L.append("")
    names = {"system": "all vehicles"}
    for pol in sorted({r["policy"] for r in rob.get("results", [])}):
        L += [f"`{pol}` against `{spec['axis']}={spec['ref']}`:", "",
              "| entity | measure | better in | effect median [5–95 %] | overloaded sets (policy / baseline) | "
              "moved most by |", "|---|---|---|---|---|---|"]
        for k, e, kpi in spec["rows"]:
            r = robust_entry(rob, pol, k, e, kpi)
            if not r:
                continue
            m = r.get("measured", 0)
            better = (f"{r['wins']} of {m} (worse in {r.get('losses', 0)}, unclear in {r.get('unclear', 0)})"
                      if m else "not measured")
            eff = (f"{sgn(r['effect_median'])} [{sgn(r['effect_p05'])}, {sgn(r['effect_p95'])}]"
                   if m else "–")
            ov = f"{r.get('overloaded', 0)} ({r.get('overloaded_policy', 0)} / {r.get('overloaded_baseline', 0)})"
            rho = r.get("driver_spearman")
            drv = (f"{r['driver']} (ρ = {rho:+.2f})".replace("-", "−") if r.get("driver") and rho is not None
                   and abs(rho) >= 0.3 else "no input clearly")
            L.append(f"| {names.get(k, e)} | {kpi_name(kpi)} | {better} | {eff} | {ov} | {drv} |")
        L.append("")
    L.append("Effect = policy − baseline on the same input set (paired over replications with the same seeds); "
             "\"better in\" counts the input sets where the policy's value is better (lower waits, higher "
             "throughput) by a paired t-test at 5 % over the replications, among those measured; an input set where a crossing is overloaded at either side is "
             "counted apart and not measured. ρ: Spearman rank correlation of the input's value with the effect.")
    L.append("")
    return L, manifest


def section(spec, data, wall):
    if spec.get("robust"):
        return robust_section(spec, data, wall)
    summary, manifest, runs = data["summary"], data["manifest"], data["runs"]
    base = summary["baseline"]
    L = [f"## {spec['title']} — `{spec['name']}.toml`", "", spec["what"], ""]
    reps = manifest.get("replications")
    L.append(f"Baseline point: `{base}`. {len(summary['points'])} points × {reps} replications"
             + (f"; sweep wall time {wall:.1f} s on this machine." if wall is not None else "; existing results (time not measured)."))
    L.append("")
    # table: mean ± CI, and the paired difference from the baseline (* = significant)
    head = ["point"] + [f"{e if k != 'system' else 'all'} · {kpi_name(kpi)}" for k, e, kpi in spec["cols"]]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "---|" * len(head))
    for p in summary["points"]:
        if p.get("status") != "ok":
            L.append(f"| `{p['label']}` | " + " | ".join(["(" + str(p.get("status")) + ")"] * len(spec["cols"])) + " |")
            continue
        cells = [f"`{p['label']}`"]
        for k, e, kpi in spec["cols"]:
            v = get(p, k, e, kpi)
            if not v or v.get("mean") is None:
                cells.append("–")
                continue
            ov = overloaded(p, k, e) if grows(kpi) else None
            if ov:
                cells.append("overloaded" + (f"<br>(+{fmt(ov[1])}/day)" if ov[1] else ""))
                continue
            c = pm(v["mean"], v["ci95"])
            dd = v.get("diff")
            if dd and p["label"] != base:
                c += f"<br>Δ {'+' if dd['mean'] >= 0 else '−'}{fmt(abs(dd['mean']), max(abs(dd['mean']), dd['ci95']))}" \
                     f" ± {fmt(dd['ci95'], max(abs(dd['mean']), dd['ci95']))}{'*' if dd['significant'] else ''}"
            cells.append(c)
        L.append("| " + " | ".join(cells) + " |")
    L.append("")
    L.append("Cells: mean ± 95% half-width over replications; Δ = paired difference from the baseline point "
             "(same replications, common random numbers) at the same demand (the sweep's context axes), `*` when "
             "significant after the Holm adjustment over the sweep's comparisons of that measure (intervals are "
             "nominal 95%). "
             "\"overloaded\": borderflow judged the crossing (or the system) overloaded — demand above its lanes × "
             "open hours, its quota or its paths, or a backlog that grows through the run (README \"Overload\"; "
             "+N/day is that growth) — so its waits and queues measure the length of the run and are not reported.")
    L.append("")
    # sentences: each point against the reference policy at the same other settings
    for p in summary["points"]:
        ref = reference_label(p["label"], spec["axis"], spec["ref"])
        if ref is None or p.get("status") != "ok":
            continue
        by_label = {q["label"]: q for q in summary["points"] if q.get("status") == "ok"}
        parts = [s for s in (sentence(runs, ref, p["label"], k, e, kpi, ph, by_label)
                             for k, e, kpi, ph in spec["lines"]) if s]
        if parts:
            L.append(f"- `{p['label']}` against `{ref}`: " + "; ".join(parts) + ".")
    L.append("")
    if spec.get("extra"):
        x = EXTRAS[spec["extra"]](summary, runs)
        if x:
            L += [x, ""]
    return L, manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", help="directory of existing sweep outputs, one subdirectory per sweep name")
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "borderflow"))
    ap.add_argument("--out", default=os.path.join(HERE, "README.md"))
    ap.add_argument("--only", action="append", help="sweep name(s) to include (default: all)")
    ap.add_argument("--reuse", action="store_true",
                    help="use a sweep's existing outputs where they exist, run only the missing sweeps")
    args = ap.parse_args()
    specs = [s for s in SWEEPS if not args.only or s["name"] in args.only]
    root = args.results or os.path.join(REPO, "results", "policies")
    if not args.results and not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: build it with `cargo build --release` or pass --binary")
    body, versions, walls, data = [], set(), {}, {}
    for spec in specs:
        d = os.path.join(root, spec["name"])
        wall = None
        if args.reuse and os.path.exists(os.path.join(d, "summary.json")):
            print(f"reusing {d}", file=sys.stderr)
            w = os.path.join(d, "wall_s.txt")
            wall = float(open(w).read()) if os.path.exists(w) else None
        elif not args.results:
            print(f"running {spec['name']} ...", file=sys.stderr, flush=True)
            wall = run_sweep(args.binary, spec["name"], d)
            print(f"  {wall:.1f} s", file=sys.stderr)
        walls[spec["name"]] = wall
        data[spec["name"]] = load(spec, d)
        lines, manifest = section(spec, data[spec["name"]], wall)
        versions.add(manifest.get("borderflow_version", "?"))
        body += lines
    body = paragraphs(data) + ["# Details, sweep by sweep", ""] + [
        ("#" + x if x.startswith("## ") else x) for x in body]
    cmd = "python3 scenarios/policies/findings.py" + (f" --results {args.results}" if args.results else "")
    today = datetime.date.today().isoformat()
    head = [
        "# Policy findings (generated)",
        "",
        f"**Generated file — do not edit by hand.** Written by `{cmd}` on {today} from the sweeps in this folder, "
        f"borderflow version {', '.join(sorted(versions))} (from each sweep's `manifest.json`). "
        "Edit `findings.py` or the sweep files and rerun it instead.",
        "",
        "Each section is one policy of the Kazakh Deputy Premier's December 2024 statement (Kazinform), run as a "
        "sweep against today's baseline with common random numbers. Every input figure is sourced in the sweep "
        "and base files (`data/kz-cn-border.md`); their header comments say what is assumed. "
        "Sentences and tables compare a point with the no-policy point at the same demand (paired over "
        "replications; demand, and the neutral-zone size, are context axes of the sweeps). Waits are summed over both sides of a crossing. "
        "At an overloaded point (borderflow's own judgement, README \"Overload\": demand above lanes × open hours, "
        "a quota or a link's paths, or a backlog that grows through the run) waits and queues keep growing with the length of the run, so they are not reported there: "
        "the tables say \"overloaded\" and the sentences \"does not measure\"; throughput there is capacity. "
        "The road crossings' neutral zones hold an assumed 100 trucks each (`buffer`; no source gives their "
        "size): a full zone blocks the Kazakh exit lanes. A rail link has no place to wait, so a train without "
        "a path keeps its station track.",
        "",
        "| sweep | file | wall time |",
        "|---|---|---|",
    ]
    for s in specs:
        w = walls[s["name"]]
        head.append(f"| {s['title']} | `{s['name']}.toml` | {'%.1f s' % w if w is not None else 'not measured'} |")
    head.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(head + body).rstrip("\n") + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
