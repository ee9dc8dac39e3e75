//! What every test module shares: the binary and its output, scratch files and directories that
//! clean up after themselves, scenarios built from TOML text, and edits of scenario text.
//!
//! A test should state only what it is about; anything two modules need lives here.

#![allow(dead_code)] // not every module uses every helper

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use borderflow::model::{EntityStats, Model};
use borderflow::scenario::{Overrides, load, parse};

/// The `borderflow` binary built for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_borderflow");

/// Runs the binary with `args` from the crate root (so `scenarios/…` paths resolve).
pub fn borderflow<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot start borderflow")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code (`None` when killed by a signal).
pub fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// Asserts the exit code, showing the output when it is not the expected one.
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "expected exit {code}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        stdout(o),
        stderr(o)
    );
}

/// A path under the crate root, e.g. `repo_path("scenarios/kz-cn-rail.toml")`.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A file of `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    repo_path("tests/fixtures").join(name)
}

/// A unique name under the system temp directory for this test process: `borderflow-TAG-PID-N`.
fn unique_temp(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("borderflow-{}-{n}-{tag}", std::process::id()))
}

/// A scenario file under the temp directory, removed on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    /// Writes `text` to a new `.toml` file whose name contains `tag`.
    pub fn new(tag: &str, text: &str) -> TempFile {
        let path = unique_temp(tag).with_extension("toml");
        fs::write(&path, text).expect("write temp scenario");
        TempFile(path)
    }
    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
    /// Its path as text, as it appears in messages.
    pub fn name(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// A fresh directory under the temp directory, removed (with its contents) on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates an empty directory whose name contains `tag`.
    pub fn new(tag: &str) -> TempDir {
        let path = unique_temp(tag);
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
    /// `name` inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// Writes `text` to `name` inside the directory and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.join(name);
        fs::write(&p, text).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The model of a scenario given as TOML text; panics with the message if it is rejected.
pub fn model(text: &str) -> Model {
    parse(text, "test.toml", Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The model of a scenario file of the repository (`scenarios/…`), with `overrides`.
pub fn repo_scenario(relative: &str, overrides: Overrides) -> Model {
    load(&repo_path(relative), overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// Index of the stage whose id is `id` (the first, where several nodes have one of that name).
pub fn stage_index(m: &Model, id: &str) -> usize {
    m.stages
        .iter()
        .position(|s| s.id == id)
        .unwrap_or_else(|| panic!("no stage {id}"))
}

/// Index of the checkpoint, link or terminal `id`.
pub fn node_index(m: &Model, id: &str) -> usize {
    m.checkpoints
        .iter()
        .position(|c| c.id == id)
        .unwrap_or_else(|| panic!("no checkpoint, link or terminal {id}"))
}

/// Index of stage `stage` of node `node` (a link's only stage is called "link").
pub fn stage_of(m: &Model, node: &str, stage: &str) -> usize {
    let n = node_index(m, node);
    m.checkpoints[n]
        .stages
        .iter()
        .map(|&s| s as usize)
        .find(|&s| m.stages[s].id == stage)
        .unwrap_or_else(|| panic!("no stage {node}/{stage}"))
}

/// Index of the flow `id`.
pub fn flow_index(m: &Model, id: &str) -> usize {
    m.flows
        .iter()
        .position(|f| f.id == id)
        .unwrap_or_else(|| panic!("no flow {id}"))
}

/// Index of the cargo class `id`.
pub fn class_index(m: &Model, id: &str) -> usize {
    m.classes
        .iter()
        .position(|c| c.id == id)
        .unwrap_or_else(|| panic!("no class {id}"))
}

/// Asserts arrivals = served + backlog at the end: no vehicle lost or created.
pub fn assert_conserved(what: &str, k: &EntityStats) {
    assert_eq!(
        k.arrivals,
        k.served + k.backlog_end,
        "{what}: arrivals {} != served {} + backlog {}",
        k.arrivals,
        k.served,
        k.backlog_end
    );
}

/// The message a scenario given as TOML text is rejected with; panics if it is accepted.
pub fn rejection(text: &str) -> String {
    parse(text, "test.toml", Overrides::default())
        .expect_err("must be rejected")
        .to_string()
}

/// `text` with the one line equal to `from` replaced by `to` (which may span several lines).
pub fn edit(text: &str, from: &str, to: &str) -> String {
    let hits = text.lines().filter(|l| *l == from).count();
    assert_eq!(hits, 1, "edit: line {from:?} must occur exactly once");
    text.lines()
        .map(|l| if l == from { to } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// 1-based number of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in scenario text"))
        + 1
}

/// 1-based number of the `n`-th (1-based) line of `text` equal to `line`.
pub fn nth_line(text: &str, line: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == line)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("no occurrence {n} of {line:?}"))
        .0
        + 1
}

/// Runs the binary with `args` and environment `envs`, which must succeed; returns its stdout.
pub fn run_json(args: &[&str], envs: &[(&str, &str)]) -> String {
    let o = Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("start borderflow");
    assert_eq!(o.status.code(), Some(0), "{args:?} failed:\n{}", stderr(&o));
    stdout(&o)
}

/// JSON text without its `wall_s` line (the only part allowed to differ between runs).
pub fn without_wall(json: &str) -> String {
    json.lines()
        .filter(|l| !l.contains("\"wall_s\""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits for `child` at most `limit`; kills it and returns `None` if it is still running.
pub fn wait_at_most(mut child: Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for borderflow") {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
