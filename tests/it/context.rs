//! Comparisons at equal context (`role = "context"` on a sweep axis): every point is paired with
//! the baseline policy at its own context values, the comparisons are Holm-adjusted, and the
//! text, summaries, merge and report keep the contexts apart. Checked against the values of
//! `runs.csv`, by hand.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::*;
use borderflow::stats::{holm, paired_p, t_critical_95};
use serde_json::Value;

/// Labels of the fixture's points, by index: service slowest, demand fastest.
const LABELS: [&str; 4] = [
    "service=6min, demand=x1",
    "service=6min, demand=x1.2",
    "service=5min, demand=x1",
    "service=5min, demand=x1.2",
];

/// `sweep tests/fixtures/context.toml --out DIR EXTRA…`; returns stdout.
fn sweep(dir: &Path, extra: &[&str]) -> String {
    let f = fixture("context.toml");
    let mut args = vec!["sweep", f.to_str().expect("utf-8"), "--quiet", "--out"];
    args.push(dir.to_str().expect("utf-8"));
    args.extend_from_slice(extra);
    let o = borderflow(&args);
    assert_code(&o, 0);
    stdout(&o)
}

/// The values of (point, KPI) of the system in `runs.csv`, by replication.
fn system_runs(dir: &Path, kpi: &str) -> BTreeMap<usize, Vec<f64>> {
    let mut rdr = csv::Reader::from_path(dir.join("runs.csv")).expect("runs.csv");
    let mut out: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.expect("record");
        if &r[3] == "system" && &r[4] == "all" && &r[5] == kpi {
            let p: usize = r[0].parse().expect("point");
            let rep: usize = r[2].parse().expect("replication");
            let v = out.entry(p).or_default();
            assert_eq!(v.len(), rep, "replications in order");
            v.push(r[6].parse().expect("value"));
        }
    }
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("JSON")
}

#[test]
fn each_point_is_paired_with_the_baseline_policy_at_its_own_demand() {
    let t = TempDir::new("context");
    let d = t.join("out");
    let text = sweep(&d, &[]);
    let s = read_json(&d.join("summary.json"));
    for (i, l) in LABELS.iter().enumerate() {
        assert_eq!(s["points"][i]["label"], *l);
    }
    // Each point's context and the baseline of that context.
    let ctx = |i: usize| s["points"][i]["context"]["demand"].as_str().unwrap_or("?");
    let base = |i: usize| s["points"][i]["baseline"].as_str().unwrap_or("?");
    assert_eq!(
        [ctx(0), ctx(1), ctx(2), ctx(3)],
        ["x1", "x1.2", "x1", "x1.2"]
    );
    assert_eq!(base(2), LABELS[0]);
    assert_eq!(
        base(3),
        LABELS[1],
        "demand x1.2 is compared at x1.2, not x1"
    );
    assert_eq!(base(1), LABELS[1], "the baseline of its own context");
    let wait = |i: usize| &s["points"][i]["results"]["system"]["all"]["wait_mean_h"];
    assert!(wait(0).get("diff").is_none() && wait(1).get("diff").is_none());

    // By hand from runs.csv: the paired differences, replication by replication.
    let runs = system_runs(&d, "wait_mean_h");
    let mut ps = Vec::new();
    for (p, b) in [(2, 0), (3, 1)] {
        let diffs: Vec<f64> = runs[&p].iter().zip(&runs[&b]).map(|(x, y)| x - y).collect();
        assert_eq!(diffs.len(), 4);
        let mean = diffs.iter().sum::<f64>() / 4.0;
        let sd = (diffs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
        let diff = &wait(p)["diff"];
        let got = diff["mean"].as_f64().expect("mean");
        assert!((got - mean).abs() < 1e-9, "point {p}: {got} vs {mean}");
        // Half-width t(0.975, 3) · sd / √4 = 3.182 · sd / 2.
        let ci = diff["ci95"].as_f64().expect("ci95");
        assert!((ci - t_critical_95(3) * sd / 2.0).abs() < 1e-9, "{ci}");
        // Faster service waits less.
        assert!(mean < 0.0);
        let p_value = diff["p"].as_f64().expect("p");
        assert!((p_value - paired_p(mean, sd, 4)).abs() < 1e-12);
        ps.push(p_value);
    }
    // Not against the sweep's baseline (x1): that difference would mix demand growth in.
    let mixed = runs[&3]
        .iter()
        .zip(&runs[&0])
        .map(|(x, y)| x - y)
        .sum::<f64>()
        / 4.0;
    let got = wait(3)["diff"]["mean"].as_f64().expect("mean");
    assert!((got - mixed).abs() > 1e-6, "{got} vs the mixed {mixed}");

    // The family of system wait: two comparisons, Holm-adjusted. With m = 2 the smaller p
    // doubles and the larger stays, at least the smaller's adjusted value.
    let (lo, hi) = (ps[0].min(ps[1]), ps[0].max(ps[1]));
    let want = holm(&ps);
    assert!(
        (want.iter().cloned().fold(f64::INFINITY, f64::min) - (2.0 * lo).min(1.0)).abs() < 1e-15
    );
    assert!((want.iter().cloned().fold(0.0, f64::max) - hi.max((2.0 * lo).min(1.0))).abs() < 1e-15);
    for (k, p) in [2usize, 3].into_iter().enumerate() {
        let diff = &wait(p)["diff"];
        assert!((diff["p_holm"].as_f64().unwrap() - want[k]).abs() < 1e-15);
        assert_eq!(diff["significant"], want[k] < 0.05);
    }

    // summary.csv: the last columns are diff_p, diff_p_holm and the baseline compared with.
    let mut rdr = csv::Reader::from_path(d.join("summary.csv")).expect("summary.csv");
    let header = rdr.headers().expect("header").clone();
    let n = header.len();
    assert_eq!(
        [&header[n - 3], &header[n - 2], &header[n - 1]],
        ["diff_p", "diff_p_holm", "baseline_point"]
    );
    let row = rdr
        .records()
        .map(|r| r.expect("record"))
        .find(|r| &r[0] == "3" && &r[2] == "system" && &r[4] == "wait_mean_h")
        .expect("a row of point 3");
    assert_eq!(&row[n - 1], LABELS[1]);
    assert!((row[n - 3].parse::<f64>().unwrap() - ps[1]).abs() < 1e-12);
    assert!((row[n - 2].parse::<f64>().unwrap() - want[1]).abs() < 1e-12);

    // The text ranks within each context, under its heading, and says how many comparisons.
    let x1 = text
        .find("demand=x1 (baseline: service=6min, demand=x1)")
        .expect(&text);
    let x15 = text
        .find("demand=x1.2 (baseline: service=6min, demand=x1.2)")
        .expect(&text);
    assert!(x1 < x15, "{text}");
    let ranks: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(ranks, ["1", "2", "1", "2"], "{text}");
    assert!(
        text.contains("* = significant after Holm over the 2 comparisons of each column"),
        "{text}"
    );
}

#[test]
fn a_merge_and_the_report_keep_the_contexts() {
    let t = TempDir::new("context-merge");
    let whole = t.join("whole");
    sweep(&whole, &[]);
    let mut shards = Vec::new();
    for i in 0..2 {
        let dir = t.join(&format!("shard-{i}"));
        sweep(&dir, &["--shard", &format!("{i}/2")]);
        shards.push(dir);
    }
    let merged = t.join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().map(|d| d.display().to_string()));
    args.extend(["--out".to_string(), merged.display().to_string()]);
    assert_code(&borderflow(&args), 0);
    for f in ["summary.json", "summary.csv", "manifest.json"] {
        assert_eq!(
            fs::read(whole.join(f)).expect("whole"),
            fs::read(merged.join(f)).expect("merged"),
            "{f}"
        );
    }
    let m = read_json(&whole.join("manifest.json"));
    assert_eq!(m["context_axes"], serde_json::json!(["demand"]));

    let html = t.join("r.html");
    let o = borderflow(&[
        "report",
        &whole.display().to_string(),
        "-o",
        &html.display().to_string(),
    ]);
    assert_code(&o, 0);
    let html = fs::read_to_string(&html).expect("report");
    // One checkpoint: one panel of five charts per demand level, each against its baseline.
    let panels: Vec<&str> = html.split("<div class=\"panel\">").skip(1).collect();
    assert_eq!(panels.len(), 2);
    for (panel, (ctx, other)) in panels.iter().zip([("x1", "x1.2"), ("x1.2", "x1")]) {
        let panel = &panel[..panel.find("</div></div>").expect("end of panel")];
        assert_eq!(panel.matches("<svg").count(), 5);
        assert!(
            panel.starts_with(&format!("<h3 class=\"context\">demand={ctx} ")),
            "{panel:.80}"
        );
        assert_eq!(
            panel
                .matches(&format!("service=6min, demand={ctx} (baseline)"))
                .count(),
            5,
            "the context's baseline in every chart's legend"
        );
        assert!(
            !panel.contains(&format!("demand={other}<"))
                && !panel.contains(&format!("demand={other} "))
        );
    }
    // The tables rank within each context under a heading row.
    assert_eq!(html.matches("<tr class=\"context\">").count(), 2 * 2);
    assert!(
        html.contains("* = significant after Holm over the 2 comparisons of each column")
            || html.contains(
                "<b>*</b> = significant after Holm over the 2 comparisons of each column"
            )
    );
}

#[test]
fn a_role_other_than_policy_or_context_is_an_error_at_its_line() {
    let t = TempDir::new("context-role");
    let text = fs::read_to_string(fixture("context.toml"))
        .expect("fixture")
        .replace("role = \"context\"", "role = \"demand\"")
        .replace(
            "base = \"base.toml\"",
            &format!("base = '{}'", fixture("base.toml").display()),
        );
    let f = t.file("role.toml", &text);
    let o = borderflow(&["sweep", f.to_str().expect("utf-8"), "--dry-run"]);
    assert_code(&o, 2);
    let err = stderr(&o);
    let line = line_of(&text, "role = \"demand\"");
    assert!(
        err.contains(&format!(
            "{}:{line}:8: axes[1].role: unknown role \"demand\"",
            f.display()
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}
