//! Tests of `borderflow sweep`, `compare` and `merge` as a user meets them, and of the sweep
//! planner (`borderflow::sweep::plan`) where the model a point builds is the clearest witness.
//!
//! Fixtures are in `tests/fixtures/`: `base.toml` (one checkpoint of two stages, two Poisson
//! flows, 30 days × 4 replications; a job takes milliseconds) and sweep files over it. Sweep
//! files with errors are written to a temp directory by the tests, so the line numbers the
//! messages must point at are visible here.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use borderflow::model::Arrivals;
use borderflow::scenario::Overrides;
use borderflow::sweep::plan::{self, Plan};
use serde_json::Value;

/// The files a complete (unsharded) sweep run leaves in its output directory.
const RUN_FILES: [&str; 5] = [
    "manifest.json",
    "runs-check.csv",
    "runs.csv",
    "summary.csv",
    "summary.json",
];

const RUNS_HEADER: &str = "point_index,point,replication,entity_kind,entity,kpi,value";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `borderflow sweep FILE --quiet EXTRA…`, which must succeed.
fn sweep_ok(file: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<std::ffi::OsString> = vec!["sweep".into(), file.into(), "--quiet".into()];
    args.extend(extra.iter().map(Into::into));
    let o = borderflow(&args);
    assert_code(&o, 0);
    o
}

/// `borderflow sweep FILE --quiet --out DIR EXTRA…`, which must succeed.
fn sweep_to(file: &Path, dir: &Path, extra: &[&str]) -> Output {
    let mut all = vec!["--out", dir.to_str().expect("utf-8 temp path")];
    all.extend_from_slice(extra);
    sweep_ok(file, &all)
}

/// Every file of `dir` by name (files in subfolders as `folder/name`), with its bytes.
fn dir_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let e = e.expect("dir entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            for (inner, bytes) in dir_files(&e.path()) {
                out.insert(format!("{name}/{inner}"), bytes);
            }
        } else {
            out.insert(name, fs::read(e.path()).expect("read file"));
        }
    }
    out
}

/// Names of the top-level files of a directory listing.
fn top_level(files: &BTreeMap<String, Vec<u8>>) -> Vec<&String> {
    files.keys().filter(|k| !k.contains('/')).collect()
}

/// Asserts that `dir` holds exactly the files of a complete run, byte for byte those of `reference`.
fn assert_same_run(reference: &Path, dir: &Path) {
    let a = dir_files(reference);
    let b = dir_files(dir);
    assert_eq!(
        top_level(&a),
        RUN_FILES.iter().collect::<Vec<_>>(),
        "files of the reference {}",
        reference.display()
    );
    assert_eq!(
        top_level(&b),
        RUN_FILES.iter().collect::<Vec<_>>(),
        "files of {} (a journal.csv or shard.json must not be left behind)",
        dir.display()
    );
    assert!(
        a.keys()
            .any(|k| k.starts_with("detail/point-000-series.csv")),
        "{} has no detail files",
        reference.display()
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "detail files of {} and {}",
        reference.display(),
        dir.display()
    );
    for name in a.keys() {
        assert!(
            a[name] == b[name],
            "{name} differs between {} and {}",
            reference.display(),
            dir.display()
        );
    }
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Records of a CSV file (header included as record 0).
fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    rdr.records()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: bad CSV record: {e}", path.display())))
        .collect()
}

/// The system-wide (`system/all`) estimate of `kpi` at point `p` in a summary.json document.
fn system_cell<'a>(summary: &'a Value, p: usize, kpi: &str) -> &'a Value {
    let cell = &summary["points"][p]["results"]["system"]["all"][kpi];
    assert!(cell.is_object(), "no system/all {kpi} at point {p}");
    cell
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, found {v}"))
}

/// A sweep file in `dir` over the fixture base scenario; `body` follows the `base` line
/// (so line 1 is `name`, line 2 is `base`, and `body` starts on line 3).
fn sweep_file(dir: &TempDir, name: &str, body: &str) -> PathBuf {
    let base = fixture("base.toml");
    let text = format!(
        "name = \"{name}\"\nbase = '{}'\n{body}",
        base.to_str().expect("utf-8 fixture path")
    );
    dir.file(&format!("{name}.toml"), &text)
}

/// Plans a sweep given as text, relative paths resolved in the fixture directory.
fn plan_text(text: &str) -> Plan {
    plan::parse(
        text,
        "inline.toml",
        &fixture(""),
        Overrides::default(),
        None,
    )
    .unwrap_or_else(|e| panic!("sweep should plan:\n{e}"))
}

// ---------------------------------------------------------------------------------------------
// 1. Determinism across thread counts
// ---------------------------------------------------------------------------------------------

#[test]
fn output_files_are_byte_identical_for_one_and_two_threads() {
    let t = TempDir::new("threads");
    let (a, b) = (t.join("a"), t.join("b"));
    let grid = fixture("grid.toml");
    sweep_to(&grid, &a, &["--threads", "1"]);
    sweep_to(&grid, &b, &["--threads", "2"]);
    assert_same_run(&a, &b);
    assert!(!a.join("journal.csv").exists());
    // A real result, not two empty files: 4 points × 4 replications.
    let runs = read_csv(&a.join("runs.csv"));
    let served_rows = runs
        .iter()
        .filter(|r| &r[3] == "system" && &r[4] == "all" && &r[5] == "served")
        .count();
    assert_eq!(served_rows, 16);
}

// ---------------------------------------------------------------------------------------------
// 2. Shards and merge
// ---------------------------------------------------------------------------------------------

/// Runs grid.toml as shards i/3 into `t/s{i}`, checking each `shard.json`.
fn run_shards(t: &TempDir, file: &Path, tag: &str) -> Vec<PathBuf> {
    let mut total = 0;
    let dirs: Vec<PathBuf> = (0..3)
        .map(|i| {
            let d = t.join(&format!("{tag}{i}"));
            let o = sweep_to(file, &d, &["--shard", &format!("{i}/3")]);
            assert!(
                stdout(&o).contains(&format!("shard {i}/3:")),
                "shard run names its shard:\n{}",
                stdout(&o)
            );
            let files = dir_files(&d);
            assert_eq!(
                top_level(&files),
                ["manifest.json", "runs-check.csv", "runs.csv", "shard.json"]
            );
            // 4 points × 4 replications: a shard writes the detail files of the points whose
            // replication 0 it ran.
            let detail: Vec<String> = (0..4usize)
                .filter(|p| (p * 4) % 3 == i)
                .flat_map(|p| ["series", "waits"].map(|k| format!("detail/point-{p:03}-{k}.csv")))
                .collect();
            let got: Vec<&String> = files.keys().filter(|k| k.contains('/')).collect();
            assert_eq!(
                got,
                detail.iter().collect::<Vec<_>>(),
                "detail files of shard {i}"
            );
            let sj = read_json(&d.join("shard.json"));
            assert_eq!(sj["shard"], i);
            assert_eq!(sj["of"], 3);
            // 16 jobs; shard i holds the jobs j with j % 3 == i.
            let expect = (0..16).filter(|j| j % 3 == i).count();
            assert_eq!(sj["jobs"], expect, "jobs of shard {i}");
            total += expect;
            d
        })
        .collect();
    assert_eq!(total, 16);
    dirs
}

#[test]
fn merged_shards_are_byte_identical_to_the_unsharded_run() {
    let t = TempDir::new("shards");
    let grid = fixture("grid.toml");
    let whole = t.join("whole");
    sweep_to(&grid, &whole, &["--threads", "2"]);
    let shards = run_shards(&t, &grid, "s");
    let merged = t.join("merged");
    // Out of order on purpose: the result must not depend on the order of the directories.
    let o = borderflow(&[
        "merge".as_ref(),
        shards[2].as_os_str(),
        shards[0].as_os_str(),
        shards[1].as_os_str(),
        "--out".as_ref(),
        merged.as_os_str(),
    ]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("merged 3 directories"),
        "{}",
        stdout(&o)
    );
    assert_same_run(&whole, &merged);
}

#[test]
fn merge_with_a_shard_missing_fails_and_names_the_missing_jobs() {
    let t = TempDir::new("merge-missing");
    let shards = run_shards(&t, &fixture("grid.toml"), "s");
    let merged = t.join("merged");
    let o = borderflow(&[
        "merge".as_ref(),
        shards[0].as_os_str(),
        shards[2].as_os_str(),
        "--out".as_ref(),
        merged.as_os_str(),
    ]);
    assert_code(&o, 2);
    // Shard 1/3 holds jobs 1, 4, 7, 10, 13: the first is point 0, replication 1.
    let err = stderr(&o);
    assert!(
        err.contains("5 of 16 jobs are missing") && err.contains("first: point 0, replication 1"),
        "{err}"
    );
    assert!(!merged.exists(), "nothing is written when jobs are missing");
}

#[test]
fn merge_of_directories_from_different_sweeps_fails() {
    let t = TempDir::new("merge-different");
    let a = run_shards(&t, &fixture("grid.toml"), "a");
    let b = run_shards(&t, &fixture("other.toml"), "b");
    let merged = t.join("merged");
    let o = borderflow(&[
        "merge".as_ref(),
        a[0].as_os_str(),
        a[1].as_os_str(),
        b[2].as_os_str(),
        "--out".as_ref(),
        merged.as_os_str(),
    ]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("holds a different sweep"),
        "{}",
        stderr(&o)
    );
    assert!(!merged.exists());
    // A directory that is not a sweep output at all.
    let o = borderflow(&[
        "merge".as_ref(),
        a[0].as_os_str(),
        t.join("nothing-here").as_os_str(),
        "--out".as_ref(),
        merged.as_os_str(),
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
}

#[test]
fn merge_into_a_shard_directory_is_refused_or_leaves_exactly_a_complete_run() {
    let t = TempDir::new("merge-into-shard");
    let grid = fixture("grid.toml");
    let whole = t.join("whole");
    sweep_to(&grid, &whole, &[]);
    let shards = run_shards(&t, &grid, "s");
    let o = borderflow(&[
        "merge".as_ref(),
        shards[0].as_os_str(),
        shards[1].as_os_str(),
        shards[2].as_os_str(),
        "--out".as_ref(),
        shards[0].as_os_str(),
    ]);
    match o.status.code() {
        Some(2) => assert!(dir_files(&shards[0]).contains_key("shard.json")),
        _ => {
            assert_code(&o, 0);
            assert_same_run(&whole, &shards[0]);
        }
    }
}

#[test]
fn shard_without_out_is_a_usage_error() {
    let o = borderflow(&[
        "sweep".as_ref(),
        fixture("grid.toml").as_os_str(),
        "--quiet".as_ref(),
        "--shard".as_ref(),
        "1/3".as_ref(),
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--shard needs --out"), "{}", stderr(&o));
    for bad in ["3/3", "1-3", "x/3"] {
        let o = borderflow(&[
            "sweep".as_ref(),
            fixture("grid.toml").as_os_str(),
            "--shard".as_ref(),
            bad.as_ref(),
            "--out".as_ref(),
            std::env::temp_dir()
                .join("borderflow-never-created")
                .as_os_str(),
        ]);
        assert_code(&o, 2);
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Journal and resume
// ---------------------------------------------------------------------------------------------

/// The "N jobs run" count of a sweep's title line.
fn jobs_run(o: &Output) -> usize {
    let out = stdout(o);
    let title = out.lines().next().unwrap_or_default();
    let before = title
        .split(" jobs run")
        .next()
        .filter(|_| title.contains(" jobs run"))
        .unwrap_or_else(|| panic!("no \"N jobs run\" in the title: {title}"));
    before
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no job count in the title: {title}"))
}

#[test]
fn resume_of_a_torn_journal_runs_only_the_missing_jobs_and_matches_a_complete_run() {
    let t = TempDir::new("resume");
    let grid = fixture("grid.toml");
    let reference = t.join("ref");
    let o = sweep_to(&grid, &reference, &[]);
    assert_eq!(jobs_run(&o), 16);

    // An interrupted run: jobs 0..5 complete (with end marks), job 5 (point 1, replication 1)
    // half written without its end mark, then a line torn mid-write: inside a field, inside
    // the quoted label, or after the last comma (7 fields, value cut short).
    let records = read_csv(&reference.join("runs.csv"));
    assert_eq!(records[0].iter().collect::<Vec<_>>().join(","), RUNS_HEADER);
    let job_of = |rec: &csv::StringRecord| -> usize {
        rec[0].parse::<usize>().unwrap() * 4 + rec[2].parse::<usize>().unwrap()
    };
    let complete = 5;
    let torn_tails: [&[u8]; 3] = [
        b"1,\"lanes=4, demand=x1.2\",1,sys",
        b"1,\"lanes=4, dem",
        b"1,\"lanes=4, demand=x1.2\",1,system,all,served,20",
    ];
    for (n, tail) in torn_tails.iter().enumerate() {
        let r = t.join(&format!("r{n}"));
        fs::create_dir_all(&r).unwrap();
        fs::copy(reference.join("manifest.json"), r.join("manifest.json")).unwrap();
        // Replication 0 of points 0 and 1 finished, so their detail files were written.
        fs::create_dir_all(r.join("detail")).unwrap();
        for name in ["000-series", "000-waits", "001-series", "001-waits"] {
            let f = format!("detail/point-{name}.csv");
            fs::copy(reference.join(&f), r.join(&f)).unwrap();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&records[0]).unwrap();
        for job in 0..complete {
            let mut check = JobCheck::default();
            for rec in records[1..].iter().filter(|rec| job_of(rec) == job) {
                w.write_record(rec).unwrap();
                check.add(&rec[3], &rec[4], &rec[5], &rec[6]);
            }
            let (p, k) = ((job / 4).to_string(), (job % 4).to_string());
            let (hash, rows) = (format!("{:016x}", check.hash), check.rows.to_string());
            w.write_record([p.as_str(), "", k.as_str(), "#end", "", &hash, &rows])
                .unwrap();
        }
        let partial: Vec<&csv::StringRecord> = records[1..]
            .iter()
            .filter(|rec| job_of(rec) == complete)
            .collect();
        assert!(partial.len() > 20);
        for rec in &partial[..10] {
            w.write_record(*rec).unwrap();
        }
        let mut journal = w.into_inner().unwrap();
        journal.extend_from_slice(tail);
        fs::write(r.join("journal.csv"), &journal).unwrap();

        let o = sweep_ok(&grid, &["--resume", r.to_str().unwrap()]);
        assert_eq!(jobs_run(&o), 16 - complete, "tail {n}: {}", stdout(&o));
        assert_same_run(&reference, &r);
    }
    let r = t.join("r0");

    // Resuming a complete directory runs nothing and changes no byte.
    let o = sweep_ok(&grid, &["--resume", r.to_str().unwrap()]);
    assert_eq!(jobs_run(&o), 0);
    assert_same_run(&reference, &r);
}

/// Complete job end marks in a journal, as the reader counts them (whole `P,,R,#end,,,` lines).
fn end_marks(journal: &str) -> usize {
    journal
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f.len() == 7
                && f[0].parse::<usize>().is_ok()
                && f[1].is_empty()
                && f[2].parse::<usize>().is_ok()
                && f[3] == "#end"
                && f[4..].iter().all(|x| x.is_empty())
        })
        .count()
}

#[test]
fn resume_after_a_killed_run_matches_a_complete_run() {
    let t = TempDir::new("kill");
    // 6 points × 8 replications of 60 days on one thread: long enough to be killed midway.
    let file = sweep_file(
        &t,
        "killme",
        r#"replications = 8
days = 60

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [4, 5, 6]

[[axes]]
name = "demand"
path = "flows.*.arrivals.scale"
values = [1.0, 1.2]
"#,
    );
    let reference = t.join("ref");
    sweep_to(&file, &reference, &["--threads", "2"]);

    let r = t.join("r");
    let mut child = Command::new(BIN)
        .args(["sweep".as_ref(), file.as_os_str(), "--quiet".as_ref()])
        .args(["--threads", "1", "--out"])
        .arg(&r)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sweep");
    let t0 = Instant::now();
    loop {
        let marks = fs::read_to_string(r.join("journal.csv"))
            .map(|j| end_marks(&j))
            .unwrap_or(0);
        if marks >= 3 || t0.elapsed() > Duration::from_secs(20) {
            break;
        }
        if child.try_wait().expect("poll child").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();

    // Whatever moment the kill hit, the resumed run must run exactly the jobs not yet recorded
    // and end with the reference bytes.
    let recorded = match fs::read_to_string(r.join("journal.csv")) {
        Ok(j) => end_marks(&j),
        Err(_) => {
            assert!(
                r.join("runs.csv").exists(),
                "neither a journal nor runs.csv"
            );
            48
        }
    };
    let o = sweep_ok(&file, &["--resume", r.to_str().unwrap()]);
    assert_eq!(jobs_run(&o), 48 - recorded, "{}", stdout(&o));
    assert_same_run(&reference, &r);
}

#[test]
fn resuming_a_shard_directory_without_shard_leaves_exactly_a_complete_run() {
    let t = TempDir::new("resume-shard");
    let grid = fixture("grid.toml");
    let reference = t.join("ref");
    sweep_to(&grid, &reference, &[]);
    let d = t.join("s1");
    sweep_to(&grid, &d, &["--shard", "1/3"]);
    let o = sweep_ok(&grid, &["--resume", d.to_str().unwrap()]);
    assert_eq!(jobs_run(&o), 11);
    assert_same_run(&reference, &d);
}

#[test]
fn resume_of_a_directory_from_another_replication_count_fails_and_keeps_it() {
    let t = TempDir::new("resume-other");
    let grid = fixture("grid.toml");
    let r = t.join("r");
    sweep_to(&grid, &r, &[]);
    let before = dir_files(&r);
    let o = borderflow(&[
        "sweep".as_ref(),
        grid.as_os_str(),
        "--quiet".as_ref(),
        "--replications".as_ref(),
        "5".as_ref(),
        "--resume".as_ref(),
        r.as_os_str(),
    ]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("different sweep, scenario, replication count"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        dir_files(&r),
        before,
        "a refused resume must not touch the directory"
    );

    // --resume of a directory without a manifest.
    let empty = t.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let o = borderflow(&[
        "sweep".as_ref(),
        grid.as_os_str(),
        "--quiet".as_ref(),
        "--resume".as_ref(),
        empty.as_os_str(),
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
}

#[test]
fn out_into_a_non_empty_directory_without_resume_fails_and_keeps_it() {
    let t = TempDir::new("nonempty");
    let d = t.join("d");
    fs::create_dir_all(&d).unwrap();
    fs::write(d.join("notes.txt"), "mine").unwrap();
    let grid = fixture("grid.toml");
    let o = borderflow(&[
        "sweep".as_ref(),
        grid.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        d.as_os_str(),
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("already holds files"), "{}", stderr(&o));
    let files = dir_files(&d);
    assert_eq!(files.keys().collect::<Vec<_>>(), ["notes.txt"]);
    assert_eq!(files["notes.txt"], b"mine");
}

// ---------------------------------------------------------------------------------------------
// 4. Paired differences (common random numbers)
// ---------------------------------------------------------------------------------------------

#[test]
fn paired_difference_interval_is_much_narrower_than_the_unpaired_one() {
    let t = TempDir::new("paired");
    let d = t.join("out");
    sweep_to(&fixture("paired.toml"), &d, &[]);
    let s = read_json(&d.join("summary.json"));
    assert_eq!(s["baseline"], "service=6min");
    assert_eq!(s["points"][0]["label"], "service=6min");
    assert_eq!(s["points"][1]["label"], "service=6.1min");

    let a = system_cell(&s, 0, "wait_mean_h");
    let b = system_cell(&s, 1, "wait_mean_h");
    assert!(a.get("diff").is_none(), "the baseline has no difference");
    assert_eq!(a["n"], 8);
    assert_eq!(b["n"], 8);
    let diff = &b["diff"];
    // The mean of the paired differences is the difference of the means.
    assert!(
        (num(&diff["mean"]) - (num(&b["mean"]) - num(&a["mean"]))).abs() < 1e-12,
        "{diff}"
    );
    // Slower service waits longer, and with CRN the interval is far tighter than unpaired.
    assert!(num(&diff["mean"]) > 0.0, "{diff}");
    let unpaired = num(&a["ci95"]).hypot(num(&b["ci95"]));
    let paired = num(&diff["ci95"]);
    assert!(
        paired > 0.0 && paired <= 0.5 * unpaired,
        "paired ci95 {paired} vs unpaired {unpaired}"
    );
    assert_eq!(diff["significant"], true);
}

// ---------------------------------------------------------------------------------------------
// 5. Invalid points
// ---------------------------------------------------------------------------------------------

#[test]
fn an_invalid_point_is_reported_and_skipped_while_the_others_run() {
    let t = TempDir::new("invalid");
    let d = t.join("out");
    let o = sweep_to(&fixture("invalid-point.toml"), &d, &[]);
    let err = stderr(&o);
    assert!(
        err.contains("point \"lanes=0\" is invalid")
            && err.contains("checkpoints[0].stages[0].lanes")
            && err.contains("lanes must be between 1 and 100000 (got 0)"),
        "{err}"
    );
    assert!(
        !err.contains("lanes=3"),
        "the valid point is not reported: {err}"
    );
    assert_eq!(jobs_run(&o), 3);

    let s = read_json(&d.join("summary.json"));
    let p0 = &s["points"][0];
    assert_eq!(p0["label"], "lanes=0");
    assert_eq!(p0["status"], "invalid");
    let probs = p0["problems"].as_array().expect("problems");
    assert!(
        probs.iter().any(|p| {
            let p = p.as_str().unwrap_or_default();
            p.contains("checkpoints[0].stages[0].lanes") && p.contains("(got 0)")
        }),
        "{probs:?}"
    );
    assert!(p0.get("results").is_none());
    assert_eq!(s["points"][1]["status"], "ok");
    assert_eq!(system_cell(&s, 1, "served")["n"], 3);
    let m = read_json(&d.join("manifest.json"));
    assert_eq!(m["points"][0]["status"], "invalid");
    assert_eq!(m["points"][1]["status"], "ok");

    let runs = read_csv(&d.join("runs.csv"));
    assert!(runs.len() > 1);
    for rec in &runs[1..] {
        assert_eq!((&rec[0], &rec[1]), ("1", "lanes=3"), "{rec:?}");
    }
    let summary_csv = fs::read_to_string(d.join("summary.csv")).unwrap();
    assert!(!summary_csv.lines().any(|l| l.starts_with("0,")));
}

// ---------------------------------------------------------------------------------------------
// 6. Bad sweep files
// ---------------------------------------------------------------------------------------------

/// Runs `sweep FILE --dry-run`, expects exit 2 and returns stderr.
fn sweep_fails(file: &Path) -> String {
    let o = borderflow(&[
        "sweep".as_ref(),
        file.as_os_str(),
        "--dry-run".as_ref(),
        "--quiet".as_ref(),
    ]);
    assert_code(&o, 2);
    assert!(o.stdout.is_empty(), "nothing on stdout: {}", stdout(&o));
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Asserts that `err` has a line `error: FILE:LINE:COL: …` containing every piece of `what`.
fn assert_located(err: &str, file: &Path, line: usize, col: usize, what: &[&str]) {
    let at = format!("error: {}:{line}:{col}: ", file.display());
    assert!(
        err.lines()
            .any(|l| l.starts_with(&at) && what.iter().all(|w| l.contains(w))),
        "expected a line starting {at:?} containing {what:?}, got:\n{err}"
    );
}

#[test]
fn axis_path_matching_nothing_is_an_error_at_the_axis() {
    let t = TempDir::new("bad-path");
    let f = sweep_file(
        &t,
        "nomatch",
        r#"
[[axes]]
name = "lanes"
path = "checkpoints.nosuch.stages.*.lanes"
values = [3, 4]
"#,
    );
    let err = sweep_fails(&f);
    // Lines 6 (`path`) and 7 (`values`) are the axis; the message names the path.
    let at6 = format!("error: {}:6:", f.display());
    let at7 = format!("error: {}:7:", f.display());
    assert!(
        err.lines()
            .any(|l| (l.starts_with(&at6) || l.starts_with(&at7))
                && l.contains("\"checkpoints.nosuch.stages.*.lanes\" matches nothing")),
        "{err}"
    );
}

#[test]
fn axis_path_matching_nothing_is_reported_once_at_the_path_line() {
    let t = TempDir::new("bad-path-line");
    let f = sweep_file(
        &t,
        "nomatch",
        r#"
[[axes]]
name = "lanes"
path = "checkpoints.nosuch.stages.*.lanes"
values = [3, 4]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(&err, &f, 6, 8, &["axes[0].path", "matches nothing"]);
    assert_eq!(err.matches("matches nothing").count(), 1, "{err}");
}

#[test]
fn empty_axis_is_an_error_at_its_values() {
    let t = TempDir::new("bad-empty");
    let f = sweep_file(
        &t,
        "empty",
        r#"
[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = []
"#,
    );
    let err = sweep_fails(&f);
    assert_located(
        &err,
        &f,
        7,
        10,
        &["axes[0].values", "an axis needs at least one value"],
    );
}

#[test]
fn value_of_the_wrong_type_is_an_error_at_that_value() {
    let t = TempDir::new("bad-type");
    let f = sweep_file(
        &t,
        "type",
        r#"
[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [4, "four"]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(
        &err,
        &f,
        7,
        14,
        &[
            "axes[0].values[1]",
            "checkpoints[0].stages[0].lanes",
            "expected an integer",
        ],
    );
    assert_eq!(err.lines().count(), 1, "only the bad value: {err}");
}

#[test]
fn unknown_field_in_the_sweep_file_is_an_error_at_its_line() {
    let t = TempDir::new("bad-field");
    let f = sweep_file(
        &t,
        "unknown",
        r#"repetitions = 3

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(&err, &f, 3, 1, &["repetitions", "unknown field"]);

    let f = sweep_file(
        &t,
        "unknown-axis-field",
        r#"
[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
valeus = [3]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(&err, &f, 7, 1, &["axes[0].valeus", "unknown field"]);
}

#[test]
fn unknown_policy_name_is_an_error_listing_the_defined_ones() {
    let t = TempDir::new("bad-policy");
    let f = sweep_file(
        &t,
        "policy",
        r#"
[[policies]]
label = "more-lanes"
set = { "checkpoints.*.stages.*.lanes" = 6 }

[[axes]]
name = "policy"
policies = ["today", "more-lane"]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(
        &err,
        &f,
        10,
        22,
        &[
            "axes[0].policies[1]",
            "unknown policy \"more-lane\"",
            "more-lanes",
        ],
    );
}

#[test]
fn zipped_axes_of_different_lengths_are_an_error_at_the_zip() {
    let t = TempDir::new("bad-zip");
    let f = sweep_file(
        &t,
        "zipbad",
        r#"
[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3, 4, 5]
zip = "g"

[[axes]]
name = "demand"
path = "flows.*.arrivals.scale"
values = [1.0, 1.5]
zip = "g"
"#,
    );
    let err = sweep_fails(&f);
    assert_located(
        &err,
        &f,
        14,
        7,
        &["axes[1].zip", "same number of values (3 vs 2)"],
    );
}

#[test]
fn missing_base_file_is_an_error_at_the_base_line() {
    let t = TempDir::new("bad-base");
    let f = t.file(
        "nobase.toml",
        r#"name = "nobase"
base = "no-such-base.toml"

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(
        &err,
        &f,
        2,
        8,
        &["base", "cannot read base scenario", "no-such-base.toml"],
    );
}

#[test]
fn unknown_baseline_label_is_an_error_listing_the_labels() {
    let grid = fixture("grid.toml");
    let o = borderflow(&[
        "sweep".as_ref(),
        grid.as_os_str(),
        "--dry-run".as_ref(),
        "--baseline".as_ref(),
        "lanes=9".as_ref(),
    ]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains("baseline: no point is labelled \"lanes=9\""),
        "{err}"
    );
    for label in [
        "\"lanes=4, demand=x1\"",
        "\"lanes=4, demand=x1.2\"",
        "\"lanes=5, demand=x1\"",
        "\"lanes=5, demand=x1.2\"",
    ] {
        assert!(err.contains(label), "{label} missing from: {err}");
    }

    // The same mistake in the file points at its `baseline` line.
    let t = TempDir::new("bad-baseline");
    let f = sweep_file(
        &t,
        "baseline",
        r#"baseline = "lanes=9"

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3, 4]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(
        &err,
        &f,
        3,
        12,
        &[
            "baseline",
            "no point is labelled \"lanes=9\"",
            "\"lanes=3\", \"lanes=4\"",
        ],
    );
}

#[test]
fn out_of_range_replications_for_the_whole_sweep_is_a_usage_error() {
    let grid = fixture("grid.toml");
    for (flag, value) in [("--replications", "0"), ("--days", "0")] {
        let o = borderflow(&[
            "sweep".as_ref(),
            grid.as_os_str(),
            "--quiet".as_ref(),
            flag.as_ref(),
            value.as_ref(),
        ]);
        assert_code(&o, 2);
        assert!(stderr(&o).contains(flag), "{}", stderr(&o));
    }
    let t = TempDir::new("bad-reps");
    let f = sweep_file(
        &t,
        "reps0",
        r#"replications = 0

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [3, 4]
"#,
    );
    let err = sweep_fails(&f);
    assert_located(&err, &f, 3, 16, &["replications"]);
}

// ---------------------------------------------------------------------------------------------
// 7. Dry run
// ---------------------------------------------------------------------------------------------

#[test]
fn dry_run_lists_the_points_and_job_count_and_runs_nothing() {
    let t = TempDir::new("dry");
    let out = t.join("never");
    let o = borderflow(&[
        "sweep".as_ref(),
        fixture("grid.toml").as_os_str(),
        "--dry-run".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "sweep grid: 4 points × 4 replications = 16 jobs\n\
         \x20  0  lanes=4, demand=x1  (baseline)\n\
         \x20  1  lanes=4, demand=x1.2\n\
         \x20  2  lanes=5, demand=x1\n\
         \x20  3  lanes=5, demand=x1.2\n"
    );
    assert!(
        !out.exists(),
        "--dry-run must not create the --out directory"
    );

    // Invalid points are listed as such and do not count as jobs.
    let o = borderflow(&[
        "sweep".as_ref(),
        fixture("invalid-point.toml").as_os_str(),
        "--dry-run".as_ref(),
    ]);
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(
        text.starts_with("sweep invalid-point: 2 points × 3 replications = 3 jobs\n"),
        "{text}"
    );
    assert!(
        text.contains("   0  lanes=0  INVALID, will be skipped:"),
        "{text}"
    );
    assert!(text.contains("   1  lanes=3\n"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// 8. Labels and zip groups
// ---------------------------------------------------------------------------------------------

#[test]
fn labels_are_cartesian_first_axis_slowest_with_zip_groups_moving_together() {
    let p = plan::load(&fixture("zip.toml"), Overrides::default(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let labels: Vec<&str> = p.points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "lanes=3, service=7min, demand=x1",
            "lanes=3, service=7min, demand=x1.5",
            "lanes=4, service=6min, demand=x1",
            "lanes=4, service=6min, demand=x1.5",
            "lanes=5, service=5min, demand=x1",
            "lanes=5, service=5min, demand=x1.5",
        ]
    );
    for (i, pt) in p.points.iter().enumerate() {
        assert_eq!(pt.index, i);
        let m = pt.model.as_ref().expect("valid point");
        assert_eq!(m.stages[0].lanes, 3 + (i / 2) as u32, "{}", pt.label);
        assert_eq!(m.stages[1].lanes, 4, "{}", pt.label);
        let scale = if i % 2 == 0 { 1.0 } else { 1.5 };
        match m.flows[0].arrivals {
            Arrivals::Poisson { rate_per_h } => assert_eq!(rate_per_h, 24.0 * scale),
            ref a => panic!("unexpected arrivals {a:?}"),
        }
    }
    assert_eq!(p.replications, 4);
    assert_eq!(p.baseline, None);

    // The binary lists the same labels.
    let o = borderflow(&[
        "sweep".as_ref(),
        fixture("zip.toml").as_os_str(),
        "--dry-run".as_ref(),
    ]);
    assert_code(&o, 0);
    let listed: Vec<String> = stdout(&o)
        .lines()
        .skip(1)
        .map(|l| {
            l.trim_start()
                .split_once("  ")
                .expect("index  label")
                .1
                .to_string()
        })
        .collect();
    assert_eq!(listed, labels);
    assert!(stdout(&o).starts_with("sweep zip: 6 points × 4 replications = 24 jobs\n"));
}

#[test]
fn policy_axis_labels_and_unlabelled_values() {
    let p = plan_text(
        r#"base = "base.toml"
[[policies]]
label = "wide"
set = { "checkpoints.bcp.stages.*.lanes" = 8 }

[[axes]]
name = "policy"
policies = ["today", "wide"]

[[axes]]
path = "flows.general.arrivals.scale"
values = [1.0, 2]
"#,
    );
    let labels: Vec<&str> = p.points.iter().map(|p| p.label.as_str()).collect();
    // An axis without a name is named by its path; values label themselves as written.
    assert_eq!(
        labels,
        [
            "policy=today, flows.general.arrivals.scale=1.0",
            "policy=today, flows.general.arrivals.scale=2",
            "policy=wide, flows.general.arrivals.scale=1.0",
            "policy=wide, flows.general.arrivals.scale=2",
        ]
    );
    let lanes = |i: usize| -> Vec<u32> {
        let m = p.points[i].model.as_ref().unwrap();
        m.stages.iter().map(|s| s.lanes).collect()
    };
    assert_eq!(lanes(0), [4, 4]);
    assert_eq!(lanes(3), [8, 8]);
    assert_eq!(p.name, "inline", "the name defaults to the file stem");
}

// ---------------------------------------------------------------------------------------------
// 9. Wildcards, ids and value types
// ---------------------------------------------------------------------------------------------

fn poisson_rates(p: &Plan, i: usize) -> Vec<f64> {
    let m = p.points[i].model.as_ref().expect("valid point");
    m.flows
        .iter()
        .map(|f| match f.arrivals {
            Arrivals::Poisson { rate_per_h } => rate_per_h,
            ref a => panic!("unexpected arrivals {a:?}"),
        })
        .collect()
}

#[test]
fn wildcard_paths_change_every_matching_field() {
    let p = plan_text(
        r#"base = "base.toml"
[[axes]]
name = "lanes"
path = "checkpoints.*.stages.*.lanes"
values = [4, 7]
"#,
    );
    for (i, want) in [(0, 4), (1, 7)] {
        let m = p.points[i].model.as_ref().unwrap();
        assert_eq!(m.stages.len(), 2);
        for s in &m.stages {
            assert_eq!(s.lanes, want, "stage {} at {}", s.id, p.points[i].label);
        }
    }

    // By id and by position reach the same stage; the other keeps its lanes.
    for path in [
        "checkpoints.bcp.stages.entry.lanes",
        "checkpoints.0.stages.1.lanes",
    ] {
        let p = plan_text(&format!(
            "base = \"base.toml\"\n[[axes]]\nname = \"l\"\npath = \"{path}\"\nvalues = [9]\n"
        ));
        let m = p.points[0].model.as_ref().unwrap();
        let lanes: Vec<u32> = m.stages.iter().map(|s| s.lanes).collect();
        assert_eq!(lanes, [4, 9], "{path}");
    }
}

#[test]
fn scale_wildcard_doubles_every_flow_and_accepts_an_integer_for_a_float() {
    let p = plan_text(
        r#"base = "base.toml"
[[axes]]
name = "demand"
path = "flows.*.arrivals.scale"
values = [1.0, 2.0, 2]
labels = ["x1", "x2", "x2-int"]
"#,
    );
    assert_eq!(poisson_rates(&p, 0), [24.0, 6.0]);
    assert_eq!(poisson_rates(&p, 1), [48.0, 12.0]);
    assert_eq!(
        poisson_rates(&p, 2),
        [48.0, 12.0],
        "scale = 2 is read as 2.0"
    );
}

#[test]
fn more_lanes_everywhere_lowers_every_stage_utilization() {
    let t = TempDir::new("util");
    let f = sweep_file(
        &t,
        "util",
        r#"replications = 3

[[axes]]
name = "lanes"
path = "checkpoints.*.stages.*.lanes"
values = [4, 8]
"#,
    );
    let d = t.join("out");
    sweep_to(&f, &d, &[]);
    let s = read_json(&d.join("summary.json"));
    let stages = |p: usize| {
        s["points"][p]["results"]["stage"]
            .as_object()
            .unwrap()
            .clone()
    };
    let (s4, s8) = (stages(0), stages(1));
    assert_eq!(
        s4.keys().collect::<Vec<_>>(),
        ["bcp/exit", "bcp/entry"],
        "entities in model order"
    );
    for (id, v4) in &s4 {
        let (u4, u8) = (
            num(&v4["utilization"]["mean"]),
            num(&s8[id]["utilization"]["mean"]),
        );
        // Same work over twice the lanes: about half the utilisation.
        assert!(
            u4 > 0.5 && (u8 / u4 - 0.5).abs() < 0.05,
            "{id}: {u4} → {u8}"
        );
    }
    // Demand is unchanged, so throughput is the same within noise.
    let sp = |p| num(&system_cell(&s, p, "served_per_day")["mean"]);
    assert!((sp(1) / sp(0) - 1.0).abs() < 0.01, "{} vs {}", sp(0), sp(1));
}

// ---------------------------------------------------------------------------------------------
// 10. compare
// ---------------------------------------------------------------------------------------------

#[test]
fn compare_prints_both_labels_and_a_paired_difference() {
    let (a, b) = (fixture("base.toml"), fixture("compare-b.toml"));
    let args = |json: bool| {
        let mut v: Vec<std::ffi::OsString> = vec![
            "compare".into(),
            a.clone().into(),
            b.clone().into(),
            "--replications".into(),
            "4".into(),
            "--quiet".into(),
        ];
        if json {
            v.push("--json".into());
        }
        v
    };
    let (la, lb) = (format!("A: {}", a.display()), format!("B: {}", b.display()));

    let o = borderflow(&args(false));
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(text.contains(&format!("baseline: {la}")), "{text}");
    assert!(text.contains(&lb), "{text}");
    assert!(text.contains("Δ wait mean vs baseline [h]"), "{text}");
    assert!(text.contains("(baseline)"), "{text}");
    assert!(
        text.contains("2 points × 4 replications · 8 jobs run"),
        "{text}"
    );

    let o = borderflow(&args(true));
    assert_code(&o, 0);
    let s: Value = serde_json::from_slice(&o.stdout).expect("--json prints one JSON document");
    assert_eq!(s["baseline"], la.as_str());
    assert_eq!(s["points"][0]["label"], la.as_str());
    assert_eq!(s["points"][1]["label"], lb.as_str());
    let wa = system_cell(&s, 0, "wait_mean_h");
    let wb = system_cell(&s, 1, "wait_mean_h");
    assert!(wa.get("diff").is_none());
    assert_eq!(wb["n"], 4);
    // One more lane: shorter waits, clearly.
    let d = &wb["diff"];
    assert!(num(&d["mean"]) < 0.0 && d["significant"] == true, "{d}");
    assert!((num(&d["mean"]) - (num(&wb["mean"]) - num(&wa["mean"]))).abs() < 1e-12);
    // Common random numbers: the same arrivals on both sides, replication by replication.
    let arr = system_cell(&s, 1, "arrivals");
    assert_eq!(num(&arr["diff"]["mean"]), 0.0, "{arr}");
    assert_eq!(num(&arr["diff"]["ci95"]), 0.0, "{arr}");
}

// ---------------------------------------------------------------------------------------------
// 11. runs.csv is tidy
// ---------------------------------------------------------------------------------------------

#[test]
fn runs_csv_is_tidy_one_row_per_point_replication_entity_kpi() {
    let t = TempDir::new("tidy");
    let d = t.join("out");
    sweep_to(&fixture("grid.toml"), &d, &[]);
    let text = fs::read_to_string(d.join("runs.csv")).unwrap();
    assert_eq!(text.lines().next(), Some(RUNS_HEADER));
    let records = read_csv(&d.join("runs.csv"));
    let labels = [
        "lanes=4, demand=x1",
        "lanes=4, demand=x1.2",
        "lanes=5, demand=x1",
        "lanes=5, demand=x1.2",
    ];
    let kinds = ["system", "checkpoint", "stage", "flow", "class"];
    let mut served: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
    let mut keys = std::collections::HashSet::new();
    let mut last_job = 0;
    for rec in &records[1..] {
        assert_eq!(rec.len(), 7, "{rec:?}");
        let p: usize = rec[0].parse().expect("point_index");
        let r: usize = rec[2].parse().expect("replication");
        assert!(p < 4 && r < 4, "{rec:?}");
        assert_eq!(&rec[1], labels[p], "{rec:?}");
        assert!(kinds.contains(&&rec[3]), "{rec:?}");
        assert!(!rec[4].is_empty() && !rec[5].is_empty(), "{rec:?}");
        let v: f64 = rec[6].parse().expect("value");
        assert!(v.is_finite(), "{rec:?}");
        // Rows come in job order, each job contiguous.
        let job = p * 4 + r;
        assert!(job >= last_job, "job order: {rec:?}");
        last_job = job;
        assert!(
            keys.insert((
                p,
                r,
                rec[3].to_string(),
                rec[4].to_string(),
                rec[5].to_string()
            )),
            "duplicate row {rec:?}"
        );
        if &rec[3] == "system" && &rec[4] == "all" && &rec[5] == "served" {
            served.entry((p, r)).or_default().push(v);
        }
    }
    assert_eq!(served.len(), 16, "one system/all served row per job");
    assert!(served.values().all(|v| v.len() == 1));

    // The summary's means are the means of these rows.
    let s = read_json(&d.join("summary.json"));
    for p in 0..4 {
        let mean = (0..4).map(|r| served[&(p, r)][0]).sum::<f64>() / 4.0;
        let cell = system_cell(&s, p, "served");
        assert!((num(&cell["mean"]) - mean).abs() < 1e-9, "point {p}");
        assert_eq!(cell["n"], 4);
    }
    // Entities of the fixture: one checkpoint, two stages, two flows, two classes.
    let entities: std::collections::BTreeSet<(String, String)> = records[1..]
        .iter()
        .map(|r| (r[3].to_string(), r[4].to_string()))
        .collect();
    let want: std::collections::BTreeSet<(String, String)> = [
        ("system", "all"),
        ("checkpoint", "bcp"),
        ("stage", "bcp/exit"),
        ("stage", "bcp/entry"),
        ("flow", "general"),
        ("flow", "perishable"),
        ("class", "general"),
        ("class", "perishable"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(entities, want);
}

/// A finished directory whose runs.csv was cut inside job 5 (a torn value that still parses):
/// resuming runs job 5 and every later job again and ends byte for byte as the uninterrupted run.
#[test]
fn resume_of_a_cut_runs_csv_runs_the_torn_jobs_again() {
    let t = TempDir::new("resume-cut");
    let grid = fixture("grid.toml");
    let reference = t.join("ref");
    sweep_to(&grid, &reference, &[]);
    let cut = t.join("cut");
    fs::create_dir_all(cut.join("detail")).unwrap();
    for (name, bytes) in dir_files(&reference) {
        fs::write(cut.join(&name), bytes).unwrap();
    }
    let text = fs::read_to_string(cut.join("runs.csv")).unwrap();
    // Keep the header, jobs 0-4 and 11 rows of job 5 (point 1, replication 1); cut the last
    // value short.
    let lines: Vec<&str> = text.lines().collect();
    let first_of_5 = lines
        .iter()
        .position(|l| l.starts_with("1,\"") && l.contains("\",1,"))
        .expect("job 5 in runs.csv");
    let mut kept = lines[..first_of_5 + 10].join("\n") + "\n";
    let last = lines[first_of_5 + 10];
    kept += &last[..last.len() - 3];
    fs::write(cut.join("runs.csv"), kept).unwrap();
    let o = sweep_ok(&grid, &["--resume", cut.to_str().unwrap()]);
    assert_eq!(jobs_run(&o), 16 - 5);
    assert_same_run(&reference, &cut);
}

/// A job's end-mark check as the journal format defines it: its row count and the 64-bit FNV-1a
/// hash of its rows' kind, entity, KPI and value fields, each followed by the byte 0x1f.
#[derive(Default)]
struct JobCheck {
    rows: usize,
    hash: u64,
}

impl JobCheck {
    fn add(&mut self, kind: &str, entity: &str, kpi: &str, value: &str) {
        if self.rows == 0 {
            self.hash = 0xcbf2_9ce4_8422_2325;
        }
        self.rows += 1;
        for field in [kind, entity, kpi, value] {
            for &b in field.as_bytes().iter().chain(b"\x1f") {
                self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
}
