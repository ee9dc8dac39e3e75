//! Standard benchmark workloads, measured without criterion so that any CI can run them:
//! wall time, events/s, vehicles served/s and peak memory per workload, with a JSON form and a
//! comparison against a stored baseline that fails on a regression.
//!
//! Each workload runs in a child process of the same binary (`borderflow bench --workload NAME`)
//! so that its peak resident memory is its own; the child prints one JSON line.

use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};

use borderflow::model::{Model, simulate};
use borderflow::scenario::{self, Overrides};
use borderflow::sweep::plan;
use borderflow::sweep::{Options, execute};

/// A standard workload.
pub struct Workload {
    /// Name, e.g. "p1-year".
    pub name: &'static str,
    /// What it measures.
    pub about: &'static str,
    /// Part of `--quick`.
    pub quick: bool,
}

/// The standard workloads, in run order.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "mm1",
        about: "M/M/1, lambda = 1, mu = 1.1 per minute, 2,000 days (~2.9M customers)",
        quick: false,
    },
    Workload {
        name: "mm1-quick",
        about: "M/M/1, lambda = 1, mu = 1.1 per minute, 200 days",
        quick: true,
    },
    Workload {
        name: "p1-year",
        about: "P1: 8 checkpoints x 4 lanes, exp 6 min, 32 trucks/h each, 24/7, one year (~2.2M trucks)",
        quick: false,
    },
    Workload {
        name: "p1-60d",
        about: "P1 for 60 days (~370k trucks)",
        quick: true,
    },
    Workload {
        name: "p1-10y",
        about: "P1 for ten years: peak memory must stay within 1.1x of p1-year",
        quick: false,
    },
    Workload {
        name: "p2-year",
        about: "P2: P1 with 10 lanes open 09:00-18:00 only, one year",
        quick: false,
    },
    Workload {
        name: "p3-year",
        about: "P3: P1 as exit + entry posts, lanes by hour at the exit, a 6-place neutral zone that blocks, one year",
        quick: false,
    },
    Workload {
        name: "p3-60d",
        about: "P3 for 60 days",
        quick: true,
    },
    Workload {
        name: "p4-year",
        about: "P4: P1 through three stages (exit, entry behind a 6-place zone, inspection behind a 4-place yard), lanes by hour at two, one year",
        quick: false,
    },
    Workload {
        name: "default-year",
        about: "the built-in KZ-CN road scenario, one year, one replication",
        quick: true,
    },
    Workload {
        name: "rail-year",
        about: "scenarios/kz-cn-rail.toml, one year, one replication",
        quick: true,
    },
    Workload {
        name: "sweep16",
        about: "16-job sweep (P1 60 days, 4 points x 4 replications) on all cores",
        quick: false,
    },
];

const P1: &str = include_str!("../../benches/models/p1.toml");
const P2: &str = include_str!("../../benches/models/p2.toml");
const P3: &str = include_str!("../../benches/models/p3.toml");
const P4: &str = include_str!("../../benches/models/p4.toml");
const MM1: &str = include_str!("../../benches/models/mm1.toml");
const RAIL: &str = include_str!("../../scenarios/kz-cn-rail.toml");
const SWEEP16: &str = include_str!("../../benches/models/sweep16.toml");

fn model(text: &str, file: &str, days: Option<i64>) -> Result<Model, String> {
    let ov = Overrides {
        replications: Some(1),
        days,
        seed: None,
    };
    scenario::parse(text, file, ov).map_err(|e| e.to_string())
}

/// Peak resident memory of this process [MB] (Linux `VmHWM`; 0 where unavailable).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs one workload in this process and returns its measurement as JSON.
pub fn run_workload(name: &str) -> Result<Value, String> {
    let single = |m: Model| {
        let t0 = Instant::now();
        let r = simulate(&m, 0);
        let wall = t0.elapsed().as_secs_f64();
        let served: u64 = r.flows.iter().map(|f| f.served).sum();
        (wall, r.events, served)
    };
    let (wall, events, served) = match name {
        "mm1" => single(model(MM1, "mm1.toml", Some(2000))?),
        "mm1-quick" => single(model(MM1, "mm1.toml", Some(200))?),
        "p1-year" => single(model(P1, "p1.toml", Some(365))?),
        "p1-60d" => single(model(P1, "p1.toml", Some(60))?),
        "p1-10y" => single(model(P1, "p1.toml", Some(3650))?),
        "p2-year" => single(model(P2, "p2.toml", Some(365))?),
        "p3-year" => single(model(P3, "p3.toml", Some(365))?),
        "p3-60d" => single(model(P3, "p3.toml", Some(60))?),
        "p4-year" => single(model(P4, "p4.toml", Some(365))?),
        "default-year" => single(model(scenario::DEFAULT_SCENARIO, "kz-cn-road.toml", None)?),
        "rail-year" => single(model(RAIL, "kz-cn-rail.toml", None)?),
        "sweep16" => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/models");
            // The base is embedded too, so the workload does not depend on the working directory.
            let text = SWEEP16.replace("base = \"p1.toml\"", "");
            let base: toml::Table = toml::from_str(P1).map_err(|e| e.to_string())?;
            let mut sweep: toml::Table = toml::from_str(&text).map_err(|e| e.to_string())?;
            sweep.insert("base".into(), toml::Value::Table(base));
            let text = toml::to_string(&sweep).map_err(|e| e.to_string())?;
            let p = plan::parse(&text, "sweep16.toml", &dir, Overrides::default(), None)
                .map_err(|e| e.to_string())?;
            let t0 = Instant::now();
            let out =
                execute(&p, &Options::default(), &mut |_, _| {}).map_err(|e| e.to_string())?;
            let wall = t0.elapsed().as_secs_f64();
            let served_key = out.results.kpis.iter().position(|k| k == "served");
            let served: f64 = out
                .results
                .jobs
                .values()
                .flatten()
                .filter(|r| {
                    Some(r.kpi as usize) == served_key
                        && out.results.entities[r.entity as usize].0
                            == crate::kpi::EntityKind::System
                })
                .map(|r| r.value)
                .sum();
            (wall, out.events, served as u64)
        }
        other => return Err(format!("unknown workload \"{other}\"")),
    };
    Ok(json!({
        "workload": name,
        "wall_s": wall,
        "events": events,
        "served": served,
        "events_per_s": events as f64 / wall.max(1e-9),
        "served_per_s": served as f64 / wall.max(1e-9),
        "peak_mb": peak_rss_mb(),
    }))
}

/// Runs the workloads (`quick`: the CI subset), each in a child process of `exe`.
pub fn run_all(exe: &Path, quick: bool, only: Option<&str>) -> Result<Value, String> {
    let mut results = Vec::new();
    for w in WORKLOADS
        .iter()
        .filter(|w| only.map_or(!quick || w.quick, |o| o == w.name))
    {
        let out = std::process::Command::new(exe)
            .args(["bench", "--workload", w.name])
            .output()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        if !out.status.success() {
            return Err(format!(
                "workload {} failed: {}",
                w.name,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let v: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("workload {}: unreadable result: {e}", w.name))?;
        results.push(v);
    }
    Ok(json!({
        "borderflow_version": env!("CARGO_PKG_VERSION"),
        "quick": quick,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "workloads": results,
    }))
}

/// An aligned table of a bench result.
pub fn table(v: &Value) -> String {
    let mut out = format!(
        "{:<14} {:>9} {:>12} {:>14} {:>10}\n",
        "workload", "wall [s]", "M events/s", "served/s", "peak [MB]"
    );
    for w in v["workloads"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{:<14} {:>9.3} {:>12.2} {:>14.0} {:>10.1}\n",
            w["workload"].as_str().unwrap_or("?"),
            w["wall_s"].as_f64().unwrap_or(0.0),
            w["events_per_s"].as_f64().unwrap_or(0.0) / 1e6,
            w["served_per_s"].as_f64().unwrap_or(0.0),
            w["peak_mb"].as_f64().unwrap_or(0.0),
        ));
    }
    out
}

/// Compares `new` with `baseline` on served/s per workload present in both. Returns the table of
/// changes and whether any workload slowed by more than `max_regression` (a fraction, 0.10 = 10%).
pub fn compare(baseline: &Value, new: &Value, max_regression: f64) -> (String, bool) {
    let mut out = format!(
        "{:<14} {:>14} {:>14} {:>9}  verdict\n",
        "workload", "baseline/s", "now/s", "change"
    );
    let mut failed = false;
    for w in new["workloads"].as_array().into_iter().flatten() {
        let name = w["workload"].as_str().unwrap_or("?");
        let Some(b) = baseline["workloads"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["workload"] == name)
        else {
            out.push_str(&format!(
                "{name:<14} {:>14} {:>14} {:>9}  new workload\n",
                "-", "-", "-"
            ));
            continue;
        };
        let (old, now) = (
            b["served_per_s"].as_f64().unwrap_or(0.0),
            w["served_per_s"].as_f64().unwrap_or(0.0),
        );
        let change = if old > 0.0 { now / old - 1.0 } else { 0.0 };
        let bad = change < -max_regression;
        failed |= bad;
        out.push_str(&format!(
            "{name:<14} {old:>14.0} {now:>14.0} {:>+8.1}%  {}\n",
            change * 100.0,
            if bad { "REGRESSION" } else { "ok" }
        ));
    }
    (out, failed)
}

/// Parses "10%" or "0.1" into a fraction.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("expected a percentage such as 10% (got \"{s}\")"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("must be between 0% and 100% (got \"{s}\")"));
    }
    Ok(v)
}
