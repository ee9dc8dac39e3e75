//! Summaries that count only what happened: a statistic that does not exist in a replication is
//! missing, not 0, in every output, with the replications behind each estimate; totals defined
//! once; hour and day buckets by one rule; no more digits than a figure has.
//!
//! Each case is small enough to derive its right value by hand (in its comment).

use std::fs;

use crate::common::*;
use serde_json::Value;

/// Rare trucks (Poisson 0.5/day) over 2 days at a booth open 23:00–24:00 only; in 9 of the 30
/// replications of seed 3 no truck arrives at all.
const EMPTY_REPS: &str = r#"
[simulation]
name = "empty-reps"
days = 2
warmup_days = 0
seed = 3
replications = 30

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = { dist = "deterministic", value = "1min" }
  hours = "23:00-24:00"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "poisson", rate = "0.5/day" }
"#;

fn run_doc(text: &str, extra: &[&str]) -> Value {
    let file = TempFile::new("summaries", text);
    let path = file.path().to_string_lossy().into_owned();
    let mut args = vec!["run", path.as_str(), "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&run_json(&args, &[])).expect("run --json is JSON")
}

fn run_text(text: &str, extra: &[&str]) -> String {
    let file = TempFile::new("summaries", text);
    let mut args: Vec<std::ffi::OsString> = vec!["run".into(), file.path().into()];
    args.extend(extra.iter().map(Into::into));
    let o = borderflow(&args);
    assert_code(&o, 0);
    stdout(&o)
}

/// (mean, ci95, n) of an estimate in a JSON document.
fn est(v: &Value) -> (Option<f64>, Option<f64>, u64) {
    (
        v["mean"].as_f64(),
        v["ci95"].as_f64(),
        v["n"].as_u64().expect("n"),
    )
}

#[test]
fn a_replication_that_served_nobody_is_missing_from_the_mean_wait() {
    let d = run_doc(EMPTY_REPS, &[]);
    // The 21 replications with a truck wait 12.0505 h on average; filling the other 9 with 0 h
    // gave 12.0505 × 21 / 30 = 8.435 h, the wrong figure.
    for path in [
        &d["flows"]["f"],
        &d["checkpoints"]["cp"],
        &d["stages"]["cp/s"],
        &d["classes"]["general"],
        &d["system"],
    ] {
        let (mean, _, n) = est(&path["wait_mean_h"]);
        assert_eq!(n, 21, "{path}");
        assert!((mean.unwrap() - 12.0505).abs() < 1e-3, "{mean:?}");
        for kpi in [
            "wait_p50_h",
            "wait_p95_h",
            "wait_p99_h",
            "wait_max_h",
            "waited_share",
            "time_in_system_mean_h",
            "time_in_system_p95_h",
        ] {
            assert_eq!(est(&path[kpi]).2, 21, "{kpi}");
        }
        // Counts are real zeros: every replication has them.
        assert_eq!(est(&path["served"]).2, 30);
    }
    // Every truck waits until 23:00, so its wait is below 23 h: so is any honest mean of waits.
    let p95 = est(&d["flows"]["f"]["wait_p95_h"]).0.unwrap();
    assert!(p95 > 12.0505 && p95 < 23.0, "{p95}");
    // The hour profile counts the replications with an arrival in each hour.
    let by_hour_n: Vec<u64> = d["flows"]["f"]["wait_by_hour_n"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(by_hour_n.len(), 24);
    assert!(by_hour_n.iter().all(|&n| n <= 21));
    // The text says over how many replications.
    let text = run_text(EMPTY_REPS, &[]);
    let flow = text.lines().find(|l| l.starts_with("f ")).unwrap();
    assert!(flow.contains("12.1 ± 2.8 (n=21)"), "{flow}");
    assert!(
        text.contains("(n=K): over the K of 30 replications"),
        "{text}"
    );
}

/// A crossing that opens after the horizon: trucks arrive, nobody is served.
const NEVER_OPEN: &str = r#"
[simulation]
name = "never-open"
days = 3
start_date = "2026-03-02"
replications = 2

[[checkpoints]]
id = "new"
opens = "2026-04-01"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = { dist = "deterministic", value = "10min" }

[[flows]]
id = "f"
mode = "truck"
route = ["new"]
arrivals = { process = "timetable", times = ["08:00"] }
"#;

#[test]
fn a_statistic_no_replication_has_is_null_and_a_dash() {
    let d = run_doc(NEVER_OPEN, &[]);
    let cp = &d["checkpoints"]["new"];
    // 3 arrivals, none served, in both replications: the counts are real.
    assert_eq!(est(&cp["arrivals"]), (Some(3.0), Some(0.0), 2));
    assert_eq!(est(&cp["served"]), (Some(0.0), Some(0.0), 2));
    // No wait, no time in system and no open lane: no estimate at all, not 0.
    for kpi in [
        "wait_mean_h",
        "wait_p95_h",
        "time_in_system_mean_h",
        "utilization",
    ] {
        assert_eq!(est(&cp[kpi]), (None, None, 0), "{kpi}");
        assert!(cp[kpi]["mean"].is_null());
    }
    assert_eq!(est(&d["stages"]["new/s"]["utilization"]), (None, None, 0));
    assert_eq!(est(&d["flows"]["f"]["wait_mean_h"]), (None, None, 0));
    let text = run_text(NEVER_OPEN, &[]);
    let row = text.lines().find(|l| l.starts_with("new ")).unwrap();
    assert!(row.contains('—') && !row.contains("0.00 ± 0.00"), "{row}");
    assert!(text.contains("—: in none"), "{text}");
}

#[test]
fn a_sweep_keeps_missing_values_missing_in_every_file() {
    let dir = TempDir::new("summaries-sweep");
    let base = dir.file("empty.toml", EMPTY_REPS);
    let sweep = dir.file(
        "sweep.toml",
        "name = \"empty-reps\"\nbase = \"empty.toml\"\nbaseline = \"lanes=1\"\n[[axes]]\nname = \"lanes\"\n\
         path = \"checkpoints.cp.stages.s.lanes\"\nvalues = [1, 2]\n",
    );
    let _ = base;
    let out = dir.join("out");
    let o = borderflow(&[
        "sweep".as_ref(),
        sweep.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(text.contains("12.1 ± 2.8 (n=21)"), "{text}");
    assert!(
        text.contains("wait_mean_h      lanes=2  (12.0 ± 2.8, n=21)"),
        "{text}"
    );
    // runs.csv: an empty value in the 9 replications without a truck.
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let empty = runs
        .lines()
        .filter(|l| l.starts_with("0,") && l.ends_with(",flow,f,wait_mean_h,"))
        .count();
    assert_eq!(empty, 9);
    // summary.csv and summary.json: n = 21 and the mean over those.
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let row = summary
        .lines()
        .find(|l| l.starts_with("0,lanes=1,flow,f,wait_mean_h,"))
        .unwrap();
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!(fields[5], "21");
    assert!((fields[6].parse::<f64>().unwrap() - 12.0505).abs() < 1e-3);
    let json: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let cell = &json["points"][0]["results"]["flow"]["f"]["wait_mean_h"];
    assert_eq!(cell["n"], 21);
    // Both points draw the same trucks (common random numbers): the difference pairs the same
    // 21 replications.
    let diff = &json["points"][1]["results"]["flow"]["f"]["wait_mean_h"]["diff"];
    assert_eq!(diff["n"], 21, "{json}");
    // The report of the directory reads them back the same.
    let html = dir.join("r.html");
    let o = borderflow(&[
        "report".as_ref(),
        out.as_os_str(),
        "-o".as_ref(),
        html.as_os_str(),
    ]);
    assert_code(&o, 0);
    let page = fs::read_to_string(html).unwrap();
    assert!(page.contains("12.1 ± 2.8 (n=21)"));
    assert!(page.contains("(n=K): over the K of 30 replications"));
}

/// One-stage checkpoint; 60 perishable trucks a night, 23:00–23:59 every minute, 2 min fixed
/// service: truck k waits k min. `max_wait` 30 min; 3 days, the first a warm-up.
const STAGE_OVER_LIMIT: &str = r#"
[simulation]
name = "stage-over-limit"
days = 3
warmup_days = 1

[classes.perishable]
max_wait = "30min"

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = { dist = "deterministic", value = "2min" }

[[flows]]
id = "f"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "timetable", every = "1min", from = "23:00", to = "23:59" }
"#;

#[test]
fn a_stage_counts_the_vehicles_over_the_limit_at_that_stage() {
    let d = run_doc(STAGE_OVER_LIMIT, &[]);
    // Night of day 1: trucks 31…59 wait more than 30 min: 29. Night of day 2: at the horizon
    // (24:00) trucks 0…29 have started after waits ≤ 29 min and truck k ≥ 30 has waited
    // 60 − k ≤ 30 min so far: none.
    for v in [
        &d["stages"]["cp/s"],
        &d["checkpoints"]["cp"],
        &d["flows"]["f"],
        &d["classes"]["perishable"],
    ] {
        assert_eq!(v["over_limit"]["mean"], 29.0, "{v}");
    }
}

/// Trucks at 08:00 and 08:01 through two stages: `a` (20 min) then `b` (40 min). The second
/// waits 19 min at `a` (08:01–08:20) and 20 min at `b` (08:40–09:00): 39 min at the checkpoint,
/// over its 30 min limit, but at neither stage alone.
const SPLIT_WAIT: &str = r#"
[simulation]
name = "split-wait"
days = 1

[classes.perishable]
max_wait = "30min"

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "a"
  lanes = 1
  service = { dist = "deterministic", value = "20min" }
  [[checkpoints.stages]]
  id = "b"
  lanes = 1
  service = { dist = "deterministic", value = "40min" }

[[flows]]
id = "f"
mode = "truck"
class = "perishable"
route = ["cp"]
arrivals = { process = "timetable", times = ["08:00", "08:01"] }
"#;

#[test]
fn over_limit_follows_the_wait_of_each_entity() {
    let d = run_doc(SPLIT_WAIT, &["--replications", "1"]);
    assert_eq!(d["checkpoints"]["cp"]["wait_max_h"]["mean"], 39.0 / 60.0);
    assert_eq!(d["checkpoints"]["cp"]["over_limit"]["mean"], 1.0);
    assert_eq!(d["flows"]["f"]["over_limit"]["mean"], 1.0);
    for (s, wait_min) in [("cp/a", 19.0), ("cp/b", 20.0)] {
        assert_eq!(d["stages"][s]["wait_max_h"]["mean"], wait_min / 60.0);
        assert_eq!(d["stages"][s]["over_limit"]["mean"], 0.0, "{s}");
    }
}

/// Two stages in a row, each with a daily quota of 1; two trucks a day (01:00, 02:00): from the
/// second day both stages use up their quota every day. 4 measured days (5 days, 1 warm-up).
const QUOTA_DAYS: &str = r#"
[simulation]
name = "quota-days"
days = 5
warmup_days = 1
utc_offset = "+05:00"

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "exit"
  lanes = 1
  service = { dist = "deterministic", value = "10min" }
  daily_quota = 1
  [[checkpoints.stages]]
  id = "entry"
  lanes = 1
  service = { dist = "deterministic", value = "10min" }
  daily_quota = 1

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["01:00", "02:00"] }
"#;

fn quota_days(d: &Value) -> [f64; 3] {
    [
        &d["checkpoints"]["cp"],
        &d["stages"]["cp/exit"],
        &d["stages"]["cp/entry"],
    ]
    .map(|e| e["quota_days_exhausted"]["mean"].as_f64().unwrap())
}

#[test]
fn a_checkpoint_counts_a_quota_day_once_whatever_its_stages() {
    // Each stage runs out on each of the 4 measured days; the checkpoint on the same 4 days,
    // not 4 + 4 = 8.
    let d = run_doc(QUOTA_DAYS, &[]);
    assert_eq!(quota_days(&d), [4.0, 4.0, 4.0]);
    // The entry post on UTC+00:00 (5 h behind the reference clock): the exit post serves the
    // day's truck at 00:00 and runs out (reference days 1–4); the truck reaches the entry at
    // 00:10, local 19:10 of the day before, and runs out its local days 0–3. Four local days
    // each, on four reference days: 4 (counting dates of both clocks would give 5).
    let two_clocks = QUOTA_DAYS.replace(
        "  id = \"entry\"\n",
        "  id = \"entry\"\n  utc_offset = \"+00:00\"\n",
    );
    let d = run_doc(&two_clocks, &[]);
    assert_eq!(quota_days(&d), [4.0, 4.0, 4.0]);
}

/// Booth open 08:00–09:00 only; trucks at 07:00 (waits, served 08:00–08:30) and 08:50 (served
/// 08:50–09:20): 40 of the 60 open minutes are busy each day, all in hour 08.
const BOOTH: &str = r#"
[simulation]
name = "u1"
days = 4
warmup_days = 1
start_date = "2026-03-02"

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = { dist = "deterministic", value = "30min" }
  hours = "08:00-09:00"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", times = ["07:00", "08:50"] }
"#;

/// The SVG of the chart titled `title` in a report.
fn chart<'a>(html: &'a str, title: &str) -> &'a str {
    let at = html.find(title).expect("chart title");
    let svg = &html[html[..at].rfind("<svg").expect("svg")..];
    &svg[..svg.find("</svg>").expect("end of svg")]
}

/// The numbers of attribute `name` in the elements of `svg` starting with `tag`.
fn attrs(svg: &str, tag: &str, name: &str) -> Vec<f64> {
    svg.split(tag)
        .skip(1)
        .map(|e| {
            let v = &e[e.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3..];
            v[..v.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// Position of the tick label `text` along attribute `axis` ("x" or "y").
fn tick(svg: &str, text: &str, axis: &str) -> f64 {
    let at = svg
        .find(&format!(">\n{text}\n</text>"))
        .expect("tick label");
    let start = svg[..at].rfind("<text").unwrap();
    attrs(&svg[start..], "<text", axis)[0]
}

#[test]
fn the_utilisation_chart_shows_the_hour_average_in_its_own_hour() {
    let dir = TempDir::new("summaries-html");
    let file = dir.file("booth.toml", BOOTH);
    let html = dir.join("booth.html");
    let o = borderflow(&[
        "run".as_ref(),
        file.as_os_str(),
        "--html".as_ref(),
        html.as_os_str(),
    ]);
    assert_code(&o, 0);
    let page = fs::read_to_string(html).unwrap();
    let svg = chart(&page, "Lane utilisation of the bottleneck stage");
    // One value, so one dot: at hour 08 (not 09), at 66.7 % (not an instant's 100 %).
    let (cx, cy) = (attrs(svg, "<circle", "cx"), attrs(svg, "<circle", "cy"));
    assert_eq!(cx.len(), 1, "{svg}");
    let (x0, x5) = (tick(svg, "00:00", "x"), tick(svg, "05:00", "x"));
    let (y0, y100) = (tick(svg, "0", "y"), tick(svg, "100", "y"));
    let hour = (cx[0] - x0) / (x5 - x0) * 5.0;
    let percent = (cy[0] - y0) / (y100 - y0) * 100.0;
    assert!((hour - 8.0).abs() < 0.1, "hour {hour}");
    // Pixels are whole: within 0.5 px of 66.7 %.
    assert!(
        (percent - 200.0 / 3.0).abs() < 0.5 * 100.0 / (y0 - y100),
        "{percent} %"
    );
}

/// An M/M/1-like booth (Poisson 8/h, exponential 6 min), 40 days, 5 warm-up, seed 7.
const SMALL_MM1: &str = r#"
[simulation]
name = "small-mm1"
days = 40
warmup_days = 5
seed = 7
replications = 3

[[checkpoints]]
id = "booth"
  [[checkpoints.stages]]
  id = "a"
  lanes = 1
  service = { dist = "exponential", mean = "6min" }

[[flows]]
id = "gen"
mode = "truck"
tonnes = 20.0
route = ["booth"]
arrivals = { process = "poisson", rate = "8/h" }
"#;

const SMALL_SWEEP: &str = "name = \"small\"\nbase = \"mm1.toml\"\nbaseline = \"lanes=1\"\n\
    [[axes]]\nname = \"lanes\"\npath = \"checkpoints.booth.stages.a.lanes\"\nvalues = [1, 2]\n";

/// Every "x ± y" of `text` as (x, y) strings.
fn intervals(text: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(3)
        .filter(|w| w[1] == "±")
        .map(|w| {
            let clean = |s: &str| s.trim_matches(|c: char| "()*,".contains(c)).to_string();
            (clean(w[0]), clean(w[2]))
        })
        .collect()
}

fn decimals(x: &str) -> usize {
    x.split_once('.').map_or(0, |(_, d)| d.len())
}

#[test]
fn one_replication_prints_no_interval() {
    let dir = TempDir::new("summaries-one-rep");
    dir.file("mm1.toml", SMALL_MM1);
    let sweep = dir.file("sweep.toml", SMALL_SWEEP);
    let out = dir.join("out");
    let o = borderflow(&[
        "sweep".as_ref(),
        sweep.as_os_str(),
        "--replications".as_ref(),
        "1".as_ref(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(!text.contains('±'), "{text}");
    // Each figure at its column's precision: 0.50 h, 193.6 vehicles a day.
    let baseline = text.lines().find(|l| l.contains("lanes=1  ")).unwrap();
    assert!(
        baseline.contains(" 0.50 ") && baseline.contains(" 193.6 "),
        "{baseline}"
    );
    // The JSON keeps ci95 = 0 for one replication, as the contract says.
    let json: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let cell = &json["points"][0]["results"]["system"]["all"]["wait_mean_h"];
    assert_eq!(
        (cell["ci95"].as_f64(), cell["n"].as_u64()),
        (Some(0.0), Some(1))
    );
    let html = dir.join("r.html");
    let o = borderflow(&[
        "report".as_ref(),
        out.as_os_str(),
        "-o".as_ref(),
        html.as_os_str(),
    ]);
    assert_code(&o, 0);
    let page = fs::read_to_string(html).unwrap();
    let cells: Vec<&str> = page.split("<td").skip(1).collect();
    assert!(cells.len() > 10);
    assert!(
        cells
            .iter()
            .all(|c| !c[..c.find("</td>").unwrap()].contains('±'))
    );
}

#[test]
fn a_figure_has_two_significant_digits_of_its_interval() {
    let dir = TempDir::new("summaries-digits");
    dir.file("mm1.toml", SMALL_MM1);
    let sweep = dir.file("sweep.toml", SMALL_SWEEP);
    let o = borderflow(&["sweep".as_ref(), sweep.as_os_str(), "--quiet".as_ref()]);
    assert_code(&o, 0);
    let text = stdout(&o);
    // Two lanes end with 3, 1 and 0 trucks waiting: mean 4/3, sd √(7/3) = 1.528, half-width
    // t(0.975, 2) · 1.528 / √3 = 4.303 · 0.882 = 3.795, printed with two digits of it (not
    // 1.333 ± 3.795). One lane: 8, 1, 0: mean 3, sd 4.36, half-width 10.8 → 3 ± 11.
    let best = text.lines().find(|l| l.contains("backlog_end")).unwrap();
    assert_eq!(best.trim(), "backlog_end      lanes=2  (1.3 ± 3.8)");
    let baseline = text.lines().find(|l| l.contains("lanes=1  ")).unwrap();
    assert!(baseline.contains(" 3 ± 11 "), "{baseline}");
    // And the rule holds for every figure of the listing.
    let all = intervals(&text);
    assert!(all.len() >= 19, "{text}");
    for (x, y) in &all {
        assert_eq!(decimals(x), decimals(y), "{x} ± {y}");
        let digits: String = y.chars().filter(|c| c.is_ascii_digit()).collect();
        let significant = digits.trim_start_matches('0');
        assert!(
            significant.len() <= 2,
            "{x} ± {y} has more than two significant digits"
        );
    }
}

/// One truck every hour on the hour; the booth opens 23:00–24:00 with 24 lanes and 1 min
/// service, so the truck of hh:00 waits exactly 23 − hh hours: waits 0, 1, …, 23 h, each 10 times
/// in the 10 measured days.
const LARGE_WAITS: &str = r#"
[simulation]
name = "digits"
days = 11
warmup_days = 1
seed = 1
replications = 1

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 24
  service = { dist = "deterministic", value = "1min" }
  hours = "23:00-24:00"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = { process = "timetable", every = "1h", from = "00:00", to = "23:00" }
"#;

#[test]
fn a_quantile_prints_no_finer_than_its_histogram() {
    let text = run_text(LARGE_WAITS, &[]);
    let flow: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("f "))
        .unwrap()
        .split_whitespace()
        .collect();
    // served/day, t/day, wait mean, p95, p99, in system, over limit, backlog.
    // Mean wait (0 + … + 23) / 24 = 11.5 h, exact: the column's 0.01 h.
    assert_eq!(flow[3], "11.50");
    // p95 of 240 waits is the 228th, 22 h; p99 the 238th, 23 h. Between 18.6 h and 37.3 h the
    // histogram's buckets are 2^18 ms = 4.4 min wide, so a quantile is known to ±0.036 h: 0.1 h,
    // not 0.01 h. The 228th is the 8th of the ten 22 h waits in its bucket, placed at 7.5/10 of
    // the bucket [79,167,488, 79,429,632) ms: 79,364,096 ms = 22.046 h (the bucket's middle, printed
    // before interpolation, was 22.06); the 238th likewise 22.992 h.
    assert_eq!(flow[4], "22.0");
    assert_eq!(flow[5], "23.0");
    let d = run_doc(LARGE_WAITS, &[]);
    let p95 = d["flows"]["f"]["wait_p95_h"]["mean"].as_f64().unwrap();
    assert!((p95 - 79_364_096.0 / 3_600_000.0).abs() < 1e-9, "{p95}");
}

/// A truck at 07:00 every day of 2026 at a booth open 08:00–18:00: each waits 1 h. The run goes
/// on 35 days into 2027, when no truck comes.
const YEARS: &str = r#"
[simulation]
name = "years"
days = 400
start_date = "2026-01-01"
replications = 2

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = { dist = "deterministic", value = "10min" }
  hours = "08:00-18:00"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
ends = "2027-01-01"
arrivals = { process = "timetable", times = ["07:00"] }
"#;

#[test]
fn a_year_without_waits_has_no_yearly_wait() {
    let d = run_doc(YEARS, &[]);
    for e in [&d["flows"]["f"], &d["checkpoints"]["cp"], &d["system"]] {
        assert_eq!(est(&e["y2026.wait_mean_h"]), (Some(1.0), Some(0.0), 2));
        assert_eq!(est(&e["y2026.served_per_day"]), (Some(1.0), Some(0.0), 2));
        // 2027: nobody served, a real 0 a day; nobody waited, no wait at all.
        assert_eq!(est(&e["y2027.served_per_day"]), (Some(0.0), Some(0.0), 2));
        assert_eq!(est(&e["y2027.wait_mean_h"]), (None, None, 0));
        assert_eq!(est(&e["y2027.wait_p95_h"]), (None, None, 0));
    }
}
