//! The README documents every name a planner meets in the files: each KPI of `runs.csv` and
//! `summary.csv`, each key of `run --json` and `summary.json`, and each CSV column — in
//! a code span, as written in the files (a word of a span counts: `checkpoints.<id>`).

use std::collections::BTreeSet;

use crate::common::*;
use borderflow::kpi::{HOUR_PREFIX, YEAR_PREFIX, rep_values};
use borderflow::model::simulate;
use borderflow::scenario::{InputKind, Overrides, input_kind, load};
use serde_json::Value;

/// Keys whose children are named by the scenario (ids, labels, axis names, years), not by
/// borderflow.
const NAMED_BY_THE_SCENARIO: &[&str] = &[
    "checkpoints",
    "stages",
    "flows",
    "links",
    "terminals",
    "classes",
    "checkpoint",
    "stage",
    "flow",
    "link",
    "terminal",
    "class",
    "context",
    "years",
    "crossings",
    "crossing",
];

/// Every scenario file shipped under `scenarios/` (sweep files left out).
fn shipped_scenarios() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![repo_path("scenarios")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "toml")
                && input_kind(&std::fs::read_to_string(&p).unwrap()) == InputKind::Scenario
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The names borderflow gives in `v`: object keys, except those named by the scenario (whose
/// values are still walked).
fn keys(v: &Value, named_by_scenario: bool, into: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if !named_by_scenario {
                    let k = k
                        .strip_prefix(HOUR_PREFIX)
                        .map_or(k.as_str(), |_| "wait_by_hour_h");
                    into.insert(k.to_string());
                }
                keys(x, NAMED_BY_THE_SCENARIO.contains(&k.as_str()), into);
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| keys(x, false, into)),
        _ => {}
    }
}

#[test]
fn the_readme_documents_every_kpi_key_and_column_in_the_files() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let mut names = BTreeSet::new();
    for path in shipped_scenarios() {
        let m = load(&path, Overrides::default()).unwrap();
        let days = i64::from(m.warmup_days) + 2;
        let m = load(
            &path,
            Overrides {
                days: Some(days),
                replications: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
        let r = simulate(&m, 0);
        for e in rep_values(&m, &r) {
            for (k, _) in &e.values {
                let k = k
                    .strip_prefix(HOUR_PREFIX)
                    .map_or(k.as_str(), |_| "wait_by_hour_h");
                // `y2027.served_per_day`: the name after the year.
                let k = match k.split_once('.') {
                    Some((y, rest))
                        if y.starts_with(YEAR_PREFIX) && y[1..].parse::<u32>().is_ok() =>
                    {
                        rest
                    }
                    _ => k,
                };
                names.insert(k.to_string());
            }
        }
        let o = borderflow(&[
            "run",
            path.to_str().unwrap(),
            "--days",
            &days.to_string(),
            "--replications",
            "2",
            "--json",
        ]);
        assert_code(&o, 0);
        let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
        keys(&doc, false, &mut names);
    }
    // A sweep's files.
    let d = TempDir::new("docs-sweep");
    let out = d.join("out");
    let o = borderflow(&[
        "sweep",
        repo_path("scenarios/sweeps/green-corridor.toml")
            .to_str()
            .unwrap(),
        "--days",
        "16",
        "--replications",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    keys(&summary, false, &mut names);
    for file in ["runs.csv", "summary.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        names.extend(text.lines().next().unwrap().split(',').map(str::to_string));
    }
    // A sweep with uncertain inputs: its `robustness` keys and `robustness.csv` columns (the
    // per-input `spearman[<input>]` by their stem).
    let u = repo_path("scenarios/sweeps/round-the-clock-uncertain.toml");
    let uout = d.join("uncertain");
    let o = borderflow(&[
        "sweep",
        u.to_str().unwrap(),
        "--days",
        "16",
        "--replications",
        "1",
        "--quiet",
        "--out",
        uout.to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(uout.join("summary.json")).unwrap()).unwrap();
    keys(&summary["robustness"], false, &mut names);
    let text = std::fs::read_to_string(uout.join("robustness.csv")).unwrap();
    names.extend(
        text.lines()
            .next()
            .unwrap()
            .split(',')
            .map(|c| c.split('[').next().unwrap().to_string()),
    );
    // Documented: the words of every `code span` (`checkpoints.<id>` documents `checkpoints`).
    // Fenced examples are left out: a name must be explained in the text or a table.
    let mut fenced = false;
    let prose: String = readme
        .lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect::<Vec<_>>()
        .join("\n");
    let documented: BTreeSet<&str> = prose
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .collect();
    let undocumented: Vec<&String> = names
        .iter()
        .filter(|n| !documented.contains(n.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "{} names in the output files are not documented in README.md (in backticks): {undocumented:?}",
        undocumented.len()
    );
}
