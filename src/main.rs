//! The `borderflow` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use borderflow::scenario::{self, Overrides};
use borderflow::{report, sweep};

/// Discrete-event simulation of cargo flow through land border crossings.
#[derive(Parser)]
#[command(name = "borderflow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (the built-in Kazakhstan–China road scenario if none is given).
    Run {
        /// Scenario TOML file.
        scenario: Option<PathBuf>,
        /// Base seed (replaces simulation.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Number of replications (replaces simulation.replications).
        #[arg(long)]
        replications: Option<i64>,
        /// Horizon in days (replaces simulation.days).
        #[arg(long)]
        days: Option<i64>,
        /// Print one JSON document on stdout instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario TOML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // --help and --version are successes; anything else is a usage error.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        None => run(None, Overrides::default(), false),
        Some(Command::Run {
            scenario,
            seed,
            replications,
            days,
            json,
        }) => run(
            scenario,
            Overrides {
                seed,
                replications,
                days,
            },
            json,
        ),
        Some(Command::Validate { files }) => validate(&files),
    }
}

fn run(path: Option<PathBuf>, overrides: Overrides, json: bool) -> ExitCode {
    let model = match &path {
        Some(p) => scenario::load(p, overrides),
        None => scenario::default_scenario(overrides),
    };
    let model = match model {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for w in model.overload_warnings() {
        eprintln!("warning: {w}");
    }
    let summary = sweep::run(&model);
    if json {
        match serde_json::to_string_pretty(&report::to_json(&summary)) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", report::to_text(&summary));
    }
    ExitCode::SUCCESS
}

fn validate(files: &[PathBuf]) -> ExitCode {
    let mut bad = false;
    for f in files {
        match scenario::load(f, Overrides::default()) {
            Ok(m) => {
                println!(
                    "{}: ok ({} checkpoints, {} stages, {} flows)",
                    f.display(),
                    m.checkpoints.len(),
                    m.stages.len(),
                    m.flows.len()
                );
                for w in m.overload_warnings() {
                    eprintln!("warning: {}: {w}", f.display());
                }
            }
            Err(e) => {
                eprintln!("{e}");
                bad = true;
            }
        }
    }
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
