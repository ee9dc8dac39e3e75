//! The `borderflow` command line: a thin layer over the library.

use std::io::Write as _;
use std::path::PathBuf;

/// Writes to stdout, ignoring a closed pipe (`borderflow … | head` is not an error).
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use borderflow::kpi;
use borderflow::model::NodeKind;
use borderflow::report::{self, html};
use borderflow::scenario::{self, Overrides};
use borderflow::sweep::{self, SweepError, compare, exec, merge, plan, store};

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
        /// Also write replication 0's time series (per stage, every simulation.series_step) as CSV.
        #[arg(long, value_name = "FILE")]
        series: Option<PathBuf>,
        /// Also write a self-contained HTML report (tables and SVG charts, works offline).
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario TOML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a sweep: a base scenario × axes of policies, each point for R replications.
    Sweep {
        /// Sweep TOML file.
        file: PathBuf,
        /// Write runs.csv, summary.csv, summary.json and manifest.json here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue an interrupted sweep in DIR, running only the jobs it lacks.
        #[arg(long, value_name = "DIR", conflicts_with = "out")]
        resume: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Run only shard I of N (0-based), e.g. 0/3; combine shards with `merge`.
        #[arg(long, value_name = "I/N", value_parser = parse_shard)]
        shard: Option<(usize, usize)>,
        /// Compare every point with this one (paired differences); replaces the file's baseline.
        #[arg(long)]
        baseline: Option<String>,
        /// List the points and stop.
        #[arg(long)]
        dry_run: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Base seed (replaces the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Replications per point.
        #[arg(long)]
        replications: Option<i64>,
        /// Horizon in days.
        #[arg(long)]
        days: Option<i64>,
        /// Print summary.json on stdout instead of the ranked table.
        #[arg(long)]
        json: bool,
    },
    /// Compare two scenarios with paired replications (B − A), as a two-point sweep.
    Compare {
        /// Baseline scenario.
        a: PathBuf,
        /// Alternative scenario.
        b: PathBuf,
        /// Write the sweep files here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Base seed (replaces both scenarios').
        #[arg(long)]
        seed: Option<u64>,
        /// Replications.
        #[arg(long)]
        replications: Option<i64>,
        /// Horizon in days.
        #[arg(long)]
        days: Option<i64>,
        /// Print summary.json on stdout instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run the standard benchmark workloads and print wall time, events/s, served/s and peak
    /// memory; optionally fail on a regression against a baseline.
    Bench {
        /// The CI subset (under 30 s).
        #[arg(long)]
        quick: bool,
        /// Print the results as JSON (store it as a baseline).
        #[arg(long)]
        json: bool,
        /// Compare with a baseline written by `bench --json`; exit 1 on a regression.
        #[arg(long, value_name = "BASELINE.json")]
        compare: Option<PathBuf>,
        /// Largest accepted slowdown in served/s per workload, e.g. 10%.
        #[arg(long, default_value = "10%", value_parser = parse_regression)]
        max_regression: f64,
        /// Run only this workload (see the list with --list).
        #[arg(long)]
        only: Option<String>,
        /// List the workloads and exit.
        #[arg(long)]
        list: bool,
        /// Internal: run one workload in this process and print its JSON line.
        #[arg(long, hide = true)]
        workload: Option<String>,
    },
    /// Write a self-contained HTML report (tables and SVG charts, works offline) of a sweep
    /// output directory.
    Report {
        /// Sweep output directory (`borderflow sweep FILE --out DIR`).
        dir: PathBuf,
        /// HTML file to write.
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Combine shard directories of one sweep into the files an unsharded run writes.
    Merge {
        /// Shard output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the combined files.
        #[arg(long)]
        out: PathBuf,
        /// Print summary.json on stdout instead of the ranked table.
        #[arg(long)]
        json: bool,
    },
}

fn parse_regression(s: &str) -> Result<f64, String> {
    borderflow::bench::parse_fraction(s)
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected I/N such as 0/3, got \"{s}\""))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("shard index \"{i}\" is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("shard count \"{n}\" is not a number"))?;
    if n == 0 || i >= n {
        return Err(format!("need 0 <= I < N, got {i}/{n}"));
    }
    Ok((i, n))
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
        None => run(None, Overrides::default(), false, Details::default()),
        Some(Command::Run {
            scenario,
            seed,
            replications,
            days,
            json,
            series,
            html,
        }) => run(
            scenario,
            Overrides {
                seed,
                replications,
                days,
            },
            json,
            Details { series, html },
        ),
        Some(Command::Report { dir, out }) => report_dir(&dir, &out),
        Some(Command::Validate { files }) => validate(&files),
        Some(Command::Sweep {
            file,
            out,
            resume,
            threads,
            shard,
            baseline,
            dry_run,
            quiet,
            seed,
            replications,
            days,
            json,
        }) => {
            let ov = Overrides {
                seed,
                replications,
                days,
            };
            match plan::load(&file, ov, baseline.as_deref()) {
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
                Ok(p) if dry_run => dry_run_list(&p),
                Ok(p) => {
                    let opts = exec::Options {
                        threads,
                        shard,
                        resume: resume.is_some(),
                        out: resume.or(out),
                        quiet,
                    };
                    sweep_run(&p, &opts, json)
                }
            }
        }
        Some(Command::Compare {
            a,
            b,
            out,
            threads,
            quiet,
            seed,
            replications,
            days,
            json,
        }) => {
            let ov = Overrides {
                seed,
                replications,
                days,
            };
            match plan::compare(&a, &b, ov) {
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
                Ok(p) => sweep_run(
                    &p,
                    &exec::Options {
                        threads,
                        shard: None,
                        out,
                        resume: false,
                        quiet,
                    },
                    json,
                ),
            }
        }
        Some(Command::Bench {
            quick,
            json,
            compare,
            max_regression,
            only,
            list,
            workload,
        }) => bench(quick, json, compare, max_regression, only, list, workload),
        Some(Command::Merge { dirs, out, json }) => match merge::merge(&dirs, &out) {
            Ok(s) => {
                print_summary(
                    &s,
                    &format!("merged {} directories into {}", dirs.len(), out.display()),
                    json,
                );
                ExitCode::SUCCESS
            }
            Err(e) => sweep_error(e),
        },
    }
}

/// Detail files `run` writes besides its tables.
#[derive(Default)]
struct Details {
    /// Replication 0's time series as CSV.
    series: Option<PathBuf>,
    /// The HTML report.
    html: Option<PathBuf>,
}

/// `borderflow report DIR -o FILE`: bad input (no such directory, unreadable results) exits 2,
/// a file that cannot be written exits 1.
fn report_dir(dir: &std::path::Path, out: &std::path::Path) -> ExitCode {
    let data = match html::load_dir(dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(out, html::render(&data)) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn run(path: Option<PathBuf>, overrides: Overrides, json: bool, details: Details) -> ExitCode {
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
    let summary = if details.series.is_none() && details.html.is_none() {
        let summary = sweep::run(&model);
        warn(&summary);
        summary
    } else {
        let (summary, rep0) = sweep::run_detailed(&model);
        warn(&summary);
        if let Some(file) = &details.series {
            let written = std::fs::File::create(file)
                .map_err(csv::Error::from)
                .and_then(|f| kpi::write_series(std::io::BufWriter::new(f), &model, &rep0.series));
            if let Err(e) = written {
                eprintln!("error: cannot write {}: {e}", file.display());
                return ExitCode::from(1);
            }
        }
        if let Some(file) = &details.html {
            let page = html::render(&html::from_run(&model, &summary, &rep0));
            if let Err(e) = std::fs::write(file, page) {
                eprintln!("error: cannot write {}: {e}", file.display());
                return ExitCode::from(1);
            }
        }
        summary
    };
    if json {
        match serde_json::to_string_pretty(&report::to_json(&summary)) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        out!("{}", report::to_text(&summary));
    }
    ExitCode::SUCCESS
}

/// Prints a run's overload warnings.
fn warn(summary: &kpi::Summary) {
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
}

fn validate(files: &[PathBuf]) -> ExitCode {
    let mut bad = false;
    for f in files {
        match scenario::load(f, Overrides::default()) {
            Ok(m) => {
                let count = |k: NodeKind| m.checkpoints.iter().filter(|c| c.kind == k).count();
                let (links, terminals) = (count(NodeKind::Link), count(NodeKind::Terminal));
                let mut extra = String::new();
                if links > 0 {
                    extra.push_str(&format!(", {links} links"));
                }
                if terminals > 0 {
                    extra.push_str(&format!(", {terminals} terminals"));
                }
                outln!(
                    "{}: ok ({} checkpoints{extra}, {} stages, {} flows)",
                    f.display(),
                    count(NodeKind::Checkpoint),
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

fn sweep_error(e: SweepError) -> ExitCode {
    eprintln!("error: {e}");
    match e {
        SweepError::Usage(_) => ExitCode::from(2),
        SweepError::Failed(_) => ExitCode::from(1),
    }
}

fn dry_run_list(p: &plan::Plan) -> ExitCode {
    outln!(
        "sweep {}: {} points × {} replications = {} jobs",
        p.name,
        p.points.len(),
        p.replications,
        exec::all_jobs(p).len()
    );
    for pt in &p.points {
        let base = if p.baseline == Some(pt.index) {
            "  (baseline)"
        } else {
            ""
        };
        match &pt.model {
            Ok(_) => outln!("{:>4}  {}{base}", pt.index, pt.label),
            Err(e) => {
                outln!("{:>4}  {}  INVALID, will be skipped:", pt.index, pt.label);
                for prob in &e.problems {
                    outln!("        {prob}");
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn print_summary(s: &compare::SweepSummary, title: &str, json: bool) {
    if json {
        match serde_json::to_string_pretty(&store::summary_json(s)) {
            Ok(t) => outln!("{t}"),
            Err(e) => eprintln!("error: cannot write JSON: {e}"),
        }
    } else {
        out!("{}", report::sweep_text(s, title));
    }
}

fn sweep_run(p: &plan::Plan, opts: &exec::Options, json: bool) -> ExitCode {
    for pt in &p.points {
        if let Err(e) = &pt.model {
            eprintln!(
                "warning: point \"{}\" is invalid and will be skipped:",
                pt.label
            );
            for prob in &e.problems {
                eprintln!("  {prob}");
            }
        }
    }
    if opts.shard.is_some() && opts.out.is_none() {
        eprintln!("error: --shard needs --out DIR to record its jobs");
        return ExitCode::from(2);
    }
    let outcome = match exec::execute(p, opts) {
        Ok(o) => o,
        Err(e) => return sweep_error(e),
    };
    let title = format!(
        "sweep {} · {} points × {} replications · {} jobs run in {:.2} s ({:.1} M events/s)",
        p.name,
        p.points.len(),
        p.replications,
        outcome.ran,
        outcome.wall_s,
        outcome.events as f64 / outcome.wall_s.max(1e-9) / 1e6
    );
    let summary = match &opts.out {
        Some(dir) => match store::finish_dir(dir, p, opts, &outcome.results) {
            Ok(Some(s)) => s,
            Ok(None) => {
                let (i, n) = opts.shard.unwrap_or((0, 1));
                outln!(
                    "{title}\nshard {i}/{n}: {} jobs recorded in {}; combine the shards with `borderflow merge DIR… --out OUT`",
                    outcome.results.jobs.len(),
                    dir.display()
                );
                return ExitCode::SUCCESS;
            }
            Err(e) => return sweep_error(e),
        },
        None => compare::estimate_plan(p, &outcome.results),
    };
    print_summary(&summary, &title, json);
    ExitCode::SUCCESS
}

fn bench(
    quick: bool,
    json: bool,
    compare: Option<PathBuf>,
    max_regression: f64,
    only: Option<String>,
    list: bool,
    workload: Option<String>,
) -> ExitCode {
    use borderflow::bench as b;
    if list {
        for w in b::WORKLOADS {
            outln!(
                "{:<14} {}{}",
                w.name,
                w.about,
                if w.quick { "  [quick]" } else { "" }
            );
        }
        return ExitCode::SUCCESS;
    }
    if let Some(name) = workload {
        return match b::run_workload(&name) {
            Ok(v) => {
                outln!("{v}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    if let Some(o) = &only
        && !b::WORKLOADS.iter().any(|w| w.name == o)
    {
        eprintln!("error: unknown workload \"{o}\" (see borderflow bench --list)");
        return ExitCode::from(2);
    }
    let baseline = match &compare {
        None => None,
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string()))
        {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("error: {}: cannot read the baseline: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot find this program's path: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match b::run_all(&exe, quick, only.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        );
    } else {
        out!("{}", b::table(&result));
    }
    if let Some(base) = baseline {
        let (text, failed) = b::compare(&base, &result, max_regression);
        if json {
            eprint!("{text}");
        } else {
            out!("\n{text}");
        }
        if failed {
            eprintln!(
                "error: a workload is more than {:.0}% slower than the baseline",
                max_regression * 100.0
            );
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
