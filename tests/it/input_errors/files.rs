//! Files that are not scenario files: a FIFO, a directory or a device is refused at once (never
//! opened, so a FIFO cannot block and /dev/zero is not read until memory runs out), a file over
//! the size limit before it is read, bytes that are not UTF-8 at the line:column of the first bad
//! one, and garbage from its first bad line without parsing the rest.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::located_errors;
use super::road::GOOD;
use crate::common::*;

/// Runs the binary with `args`, at most `limit`: (exit code, stderr, seconds taken). `None` for
/// the code if it had to be killed.
fn run_limited(args: &[&str], limit: Duration) -> (Option<i32>, String, f64) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start borderflow");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for borderflow") {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (
        status.and_then(|s| s.code()),
        err,
        start.elapsed().as_secs_f64(),
    )
}

/// Asserts that `validate`, `run` and `sweep` refuse `path` within two seconds with exit 2 and
/// a message naming it and saying `says`.
fn assert_refused_at_once(path: &str, says: &str) {
    for args in [
        vec!["validate", path],
        vec!["run", path],
        vec!["sweep", path, "--dry-run"],
    ] {
        let (code, err, secs) = run_limited(&args, Duration::from_secs(10));
        assert_eq!(
            code,
            Some(2),
            "{args:?}: exit {code:?} after {secs:.1} s\n{err}"
        );
        assert!(secs < 2.0, "{args:?} took {secs:.1} s");
        assert!(
            err.contains(&format!("error: {path}: ")) && err.contains(says),
            "{args:?}: the message must name {path} and say {says:?}:\n{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_being_opened() {
    let d = TempDir::new("fifo");
    let fifo = d.join("fifo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    assert_refused_at_once(
        fifo.to_str().unwrap(),
        "it is a FIFO (named pipe), not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn devices_are_refused_without_being_read() {
    for dev in ["/dev/zero", "/dev/urandom"] {
        assert_refused_at_once(dev, "it is a character device, not a regular file");
    }
}

#[test]
fn a_directory_is_refused() {
    let d = TempDir::new("dir-input");
    let dir = d.join("scenario.toml");
    std::fs::create_dir(&dir).unwrap();
    assert_refused_at_once(
        dir.to_str().unwrap(),
        "it is a directory, not a regular file",
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    assert_eq!(borderflow::scenario::MAX_INPUT_BYTES, 8 * 1024 * 1024);
    let d = TempDir::new("too-big");
    let big = d.join("big.toml");
    // A valid scenario padded with comments to one byte over the limit.
    let mut text = GOOD.to_string();
    let pad = borderflow::scenario::MAX_INPUT_BYTES as usize + 1 - text.len();
    text.push_str(&"#".repeat(pad - 1));
    text.push('\n');
    assert_eq!(text.len() as u64, borderflow::scenario::MAX_INPUT_BYTES + 1);
    std::fs::write(&big, &text).unwrap();
    assert_refused_at_once(
        big.to_str().unwrap(),
        "it is 8.0 MiB (8388609 bytes): larger than the 8.0 MiB a scenario or sweep file may have",
    );
    // One byte less is read (and is valid).
    text.replace_range(text.len() - 2..text.len() - 1, "");
    std::fs::write(&big, &text).unwrap();
    let o = borderflow(&["validate", big.to_str().unwrap()]);
    assert_code(&o, 0);
}

#[test]
fn garbage_is_reported_from_its_first_bad_line_without_parsing_the_rest() {
    // The header of the r13 case: a valid scenario followed by ~7.9 MB of bad lines.
    let line = "garbage line = = =\n";
    let mut text = GOOD.to_string();
    let first_bad = text.lines().count() + 1;
    let n = (borderflow::scenario::MAX_INPUT_BYTES as usize - text.len()) / line.len();
    text.push_str(&line.repeat(n));
    let d = TempDir::new("garbage");
    let f = d.file("garbage.toml", &text);
    let name = f.to_str().unwrap();
    let (code, err, secs) = run_limited(&["validate", name], Duration::from_secs(20));
    assert_eq!(code, Some(2), "{err}");
    let e = located_errors(&err, name);
    assert_eq!(e.len(), 1, "{err}");
    // "garbage line" is a key with a space: the parser stops at "line", column 9.
    assert_eq!((e[0].line, e[0].column), (first_bad, 9), "{err}");
    assert!(e[0].rest.contains("not valid TOML"), "{err}");
    // Parsing 8 MB whole takes seconds and hundreds of MB; up to line 22 it takes nothing.
    assert!(secs < 1.0, "took {secs:.2} s");
}

#[test]
fn bytes_that_are_not_utf8_are_refused_at_their_line_and_column() {
    let d = TempDir::new("utf8");
    // Line 2, after `name = "cli-` (12 characters, one of them two bytes: é).
    let text = GOOD.replace("name = \"cli-test\"", "name = \"clé-\u{1}test\"");
    let mut bytes = text.into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xFF;
    let f = d.join("latin.toml");
    std::fs::write(&f, &bytes).unwrap();
    let name = f.to_str().unwrap();
    for args in [vec!["validate", name], vec!["run", name]] {
        let o = borderflow(&args);
        assert_code(&o, 2);
        let err = stderr(&o);
        let e = located_errors(&err, name);
        assert_eq!(e.len(), 1, "{err}");
        assert_eq!((e[0].line, e[0].column), (2, 13), "{err}");
        assert!(e[0].rest.contains("not valid UTF-8 (byte 0xFF"), "{err}");
    }
}

#[test]
fn a_sweep_file_and_its_base_are_read_by_the_same_rules() {
    let d = TempDir::new("sweep-files");
    // A sweep file that is not UTF-8: its own line:column.
    let sweep = "name = \"s\"\nbase = \"base.toml\"\n# caf\u{1}\n";
    let mut bytes = sweep.as_bytes().to_vec();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xE9;
    let sf = d.join("latin-sweep.toml");
    std::fs::write(&sf, &bytes).unwrap();
    let name = sf.to_str().unwrap();
    let o = borderflow(&["sweep", name, "--dry-run"]);
    assert_code(&o, 2);
    let e = located_errors(&stderr(&o), name);
    assert_eq!(e.len(), 1, "{}", stderr(&o));
    assert_eq!((e[0].line, e[0].column), (3, 6), "{}", stderr(&o));
    // A base that is a directory: blamed on the sweep's `base`, at its line.
    std::fs::create_dir(d.join("base.toml")).unwrap();
    let sf = d.file(
        "sweep.toml",
        "name = \"s\"\nbase = \"base.toml\"\n[[axes]]\npath = \"flows.*.arrivals.scale\"\nvalues = [1.0]\n",
    );
    let name = sf.to_str().unwrap();
    let o = borderflow(&["sweep", name, "--dry-run"]);
    assert_code(&o, 2);
    let e = located_errors(&stderr(&o), name);
    assert_eq!(e.len(), 1, "{}", stderr(&o));
    assert_eq!(e[0].line, 2, "{}", stderr(&o));
    assert!(
        e[0].rest.starts_with("base: ")
            && e[0].rest.contains("it is a directory, not a regular file"),
        "{}",
        stderr(&o)
    );
}

/// Files read back from a results directory or given as a benchmark baseline follow the same
/// rule: a FIFO or device in their place is refused at once, never opened or read.
#[cfg(unix)]
#[test]
fn result_files_and_baselines_that_are_not_regular_files_are_refused_at_once() {
    let d = TempDir::new("fifo-results");
    let fifo = |name: &str| {
        let p = d.join(name);
        let _ = std::fs::remove_file(&p);
        assert!(
            Command::new("mkfifo")
                .arg(&p)
                .status()
                .expect("mkfifo")
                .success()
        );
        p.to_str().unwrap().to_string()
    };
    let check = |args: &[&str], code: i32, says: &str| {
        let (got, err, secs) = run_limited(args, Duration::from_secs(10));
        assert_eq!(got, Some(code), "{args:?}: after {secs:.1} s\n{err}");
        assert!(secs < 2.0, "{args:?} took {secs:.1} s");
        assert!(err.contains(says), "{args:?} must say {says:?}:\n{err}");
    };
    let fifo_says = "it is a FIFO (named pipe), not a regular file";
    let baseline = fifo("baseline.json");
    check(&["bench", "--quick", "--compare", &baseline], 2, fifo_says);
    check(
        &["bench", "--quick", "--compare", "/dev/zero"],
        2,
        "it is a character device, not a regular file",
    );

    // A finished sweep directory, then each file it is read back from replaced by a FIFO.
    let base = repo_path("scenarios/examples/mm1.toml");
    let sweep = d.file(
        "s.toml",
        &format!(
            "name = \"s\"\nbase = {:?}\nreplications = 2\ndays = 12\n[[axes]]\nname = \"lanes\"\n\
             path = \"checkpoints.*.stages.*.lanes\"\nvalues = [1, 2]\n",
            base.to_str().unwrap()
        ),
    );
    let sweep = sweep.to_str().unwrap();
    let out = d.join("out");
    let out = out.to_str().unwrap();
    let o = borderflow(&["sweep", sweep, "--out", out, "--quiet"]);
    assert_code(&o, 0);
    for (file, args, code) in [
        (
            "runs.csv",
            vec!["sweep", sweep, "--resume", out, "--quiet"],
            1,
        ),
        ("summary.json", vec!["report", out, "-o", "/dev/null"], 2),
        ("manifest.json", vec!["report", out, "-o", "/dev/null"], 2),
    ] {
        let path = format!("{out}/{file}");
        let _ = std::fs::remove_file(&path);
        assert!(
            Command::new("mkfifo")
                .arg(&path)
                .status()
                .expect("mkfifo")
                .success()
        );
        check(&args, code, fifo_says);
    }
}
