//! Golden outputs: `run --json` of fixed scenarios, seeds and horizons must stay byte-identical
//! (apart from the `wall_s` line) across refactors and optimisations of the engine. A change that
//! is meant to alter results regenerates them with `BORDERFLOW_BLESS=1 cargo test --release --test it golden`
//! and says why in its commit.

use crate::common::*;
use std::process::Command;

fn check(name: &str, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("run borderflow");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text: String = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter(|l| !l.trim_start().starts_with("\"wall_s\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = repo_path(&format!("tests/golden/{name}.json"));
    if std::env::var_os("BORDERFLOW_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("golden file");
    if text != want {
        let diff = text
            .lines()
            .zip(want.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| {
                format!(
                    "first difference at line {}:\n  got:  {a}\n  want: {b}",
                    i + 1
                )
            })
            .unwrap_or_else(|| "outputs differ in length".into());
        panic!("{name}: output differs from tests/golden/{name}.json; {diff}");
    }
}

#[test]
fn mmc_erlang_is_unchanged() {
    check(
        "mmc-erlang",
        &[
            "run",
            "scenarios/examples/mmc-erlang.toml",
            "--days",
            "60",
            "--replications",
            "3",
            "--json",
        ],
    );
}

#[test]
fn green_corridor_is_unchanged() {
    check(
        "green-corridor",
        &[
            "run",
            "scenarios/examples/green-corridor.toml",
            "--days",
            "60",
            "--replications",
            "3",
            "--json",
        ],
    );
}

#[test]
fn lunch_break_is_unchanged() {
    check(
        "lunch-break",
        &[
            "run",
            "scenarios/examples/lunch-break.toml",
            "--days",
            "60",
            "--replications",
            "3",
            "--json",
        ],
    );
}

#[test]
fn two_sides_clocks_is_unchanged() {
    check(
        "two-sides-clocks",
        &[
            "run",
            "scenarios/examples/two-sides-clocks.toml",
            "--days",
            "60",
            "--replications",
            "3",
            "--json",
        ],
    );
}

#[test]
fn rail_is_unchanged() {
    check(
        "kz-cn-rail",
        &[
            "run",
            "scenarios/kz-cn-rail.toml",
            "--days",
            "30",
            "--replications",
            "2",
            "--json",
        ],
    );
}

#[test]
fn default_road_scenario_is_unchanged() {
    check(
        "kz-cn-road",
        &["run", "--days", "30", "--replications", "2", "--json"],
    );
}
