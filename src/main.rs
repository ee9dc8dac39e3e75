//! The `borderflow` command line: a thin layer over the library.

use std::io::Write as _;
use std::path::{Path, PathBuf};

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

use borderflow::Error;
use borderflow::kpi;
use borderflow::model::NodeKind;
use borderflow::report::{self, html};
use borderflow::scenario::{self, Overrides};
use borderflow::sweep::{self, plan};

mod cli;
use cli::bench as b;

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
        /// Most vehicles one replication may hold at once (a memory budget; default: a share of
        /// this machine's memory). A replication that reaches it stops with exit 1.
        #[arg(long, value_name = "N")]
        max_queue: Option<u64>,
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
    /// Check scenario and sweep files without running them.
    Validate {
        /// Scenario or sweep TOML files.
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
        /// Most vehicles one replication may hold at once (a memory budget; default: a share of
        /// this machine's memory). A replication that reaches it stops with exit 1.
        #[arg(long, value_name = "N")]
        max_queue: Option<u64>,
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
        /// Most vehicles one replication may hold at once (a memory budget; default: a share of
        /// this machine's memory). A replication that reaches it stops with exit 1.
        #[arg(long, value_name = "N")]
        max_queue: Option<u64>,
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
    b::parse_fraction(s)
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

/// The largest benchmark baseline (`bench --compare`) read [bytes]; a `bench --json` document is
/// a few KB.
const BASELINE_MAX_BYTES: u64 = 64 * 1024 * 1024;

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
    // The one place where an outcome becomes an exit code: 0 success, 2 the user's input was
    // wrong, 1 running failed.
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let input = match f {
                Failure::Error(e) => {
                    match &e {
                        // A scenario error prints one `error: …` line per problem itself.
                        Error::Scenario(_) => eprintln!("{e}"),
                        _ => eprintln!("error: {e}"),
                    }
                    e.is_input()
                }
                Failure::Printed { input } => input,
            };
            ExitCode::from(if input { 2 } else { 1 })
        }
    }
}

/// How a command failed: an error still to print, or one whose messages were printed as they
/// were found (`validate` reports every file before it ends).
enum Failure {
    Error(Error),
    Printed { input: bool },
}

impl<E: Into<Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Error(e.into())
    }
}

type Outcome = Result<(), Failure>;

/// A usage error of the command line itself (exit 2).
fn usage(message: impl Into<String>) -> Failure {
    Failure::Error(Error::Request(message.into()))
}

/// A failure of the command line itself (exit 1).
fn failed(message: impl Into<String>) -> Failure {
    Failure::Error(Error::Failed(message.into()))
}

fn dispatch(command: Option<Command>) -> Outcome {
    match command {
        None => run(None, Overrides::default(), false, Details::default()),
        Some(Command::Run {
            scenario,
            seed,
            replications,
            days,
            max_queue,
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
            Details {
                series,
                html,
                max_queue,
            },
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
            max_queue,
            json,
        }) => {
            let ov = Overrides {
                seed,
                replications,
                days,
            };
            let mut p = plan::load(&file, ov, baseline.as_deref())?;
            limit_vehicles(&mut p, max_queue);
            if dry_run {
                dry_run_list(&p);
                return Ok(());
            }
            let opts = sweep::Options {
                threads,
                shard,
                resume: resume.is_some(),
                out: resume.or(out),
            };
            sweep_run(&p, &opts, quiet, json, false)
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
            max_queue,
            json,
        }) => {
            let ov = Overrides {
                seed,
                replications,
                days,
            };
            let mut p = plan::compare(&a, &b, ov)?;
            limit_vehicles(&mut p, max_queue);
            let opts = sweep::Options {
                threads,
                shard: None,
                out,
                resume: false,
            };
            sweep_run(&p, &opts, quiet, json, true)
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
        Some(Command::Merge { dirs, out, json }) => {
            let s = sweep::merge(&dirs, &out)?;
            print_summary(
                &s,
                &format!("merged {} directories into {}", dirs.len(), out.display()),
                json,
                None,
            )
        }
    }
}

/// Detail files `run` writes besides its tables.
#[derive(Default)]
struct Details {
    /// Replication 0's time series as CSV.
    series: Option<PathBuf>,
    /// The HTML report.
    html: Option<PathBuf>,
    /// `--max-queue`: replaces the model's default budget of vehicles.
    max_queue: Option<u64>,
}

/// `--max-queue N` on every point of a sweep.
fn limit_vehicles(p: &mut plan::Plan, max_queue: Option<u64>) {
    if let Some(n) = max_queue {
        for point in &mut p.points {
            if let Ok(m) = &mut point.model {
                m.max_in_system = n;
            }
        }
    }
}

/// `borderflow report DIR -o FILE`: bad input (no such directory, unreadable results) exits 2,
/// a file that cannot be written exits 1.
fn report_dir(dir: &Path, out: &Path) -> Outcome {
    let data = html::load_dir(dir)?;
    write_file(out, html::render(&data))
}

/// Writes `text` to `file` (whole or not at all).
fn write_file(file: &Path, text: String) -> Outcome {
    borderflow::files::write_atomic(file, text.as_bytes())
        .map_err(|e| failed(format!("cannot write {}: {e}", file.display())))
}

fn run(path: Option<PathBuf>, overrides: Overrides, json: bool, details: Details) -> Outcome {
    let mut model = match &path {
        Some(p) => scenario::load(p, overrides)?,
        None => scenario::default_scenario(overrides)?,
    };
    if let Some(n) = details.max_queue {
        model.max_in_system = n;
    }
    let summary = if details.series.is_none() && details.html.is_none() {
        let summary = sweep::run(&model)?;
        warn(&summary);
        summary
    } else {
        let (summary, rep0) = sweep::run_detailed(&model)?;
        warn(&summary);
        if let Some(file) = &details.series {
            let mut csv = Vec::new();
            kpi::write_series(&mut csv, &model, &rep0.series)
                .map_err(|e| failed(format!("cannot write {}: {e}", file.display())))?;
            borderflow::files::write_atomic(file, &csv)
                .map_err(|e| failed(format!("cannot write {}: {e}", file.display())))?;
        }
        if let Some(file) = &details.html {
            write_file(file, html::render(&html::from_run(&model, &summary, &rep0)))?;
        }
        summary
    };
    if json {
        let s = serde_json::to_string_pretty(&report::to_json(&summary))
            .map_err(|e| failed(format!("cannot write JSON: {e}")))?;
        outln!("{s}");
    } else {
        out!("{}", report::to_text(&summary));
    }
    Ok(())
}

/// Prints a run's overload warnings.
fn warn(summary: &kpi::Summary) {
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
}

/// `borderflow validate FILE…`: each file checked as a scenario or, if it is one, a sweep
/// (with its base and every point); all are reported before the exit code says if one was bad.
fn validate(files: &[PathBuf]) -> Outcome {
    let mut bad = false;
    for f in files {
        let checked = scenario::read_input(f).and_then(|text| {
            let file = f.display().to_string();
            match scenario::input_kind(&text) {
                scenario::InputKind::Scenario => {
                    scenario::parse(&text, &file, Overrides::default()).map(|m| {
                        validated_scenario(f, &m);
                    })
                }
                scenario::InputKind::Sweep => {
                    let dir = f.parent().unwrap_or(Path::new("."));
                    plan::parse(&text, &file, dir, Overrides::default(), None).map(|p| {
                        validated_sweep(f, &p);
                    })
                }
            }
        });
        if let Err(e) = checked {
            eprintln!("{e}");
            bad = true;
        }
    }
    if bad {
        Err(Failure::Printed { input: true })
    } else {
        Ok(())
    }
}

/// The `ok` line of a valid scenario file, and its overload warnings.
fn validated_scenario(f: &Path, m: &borderflow::model::Model) {
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

/// The `ok` line of a valid sweep file, and a warning for each point a sweep would skip.
fn validated_sweep(f: &Path, p: &plan::Plan) {
    let invalid: Vec<&plan::Point> = p.points.iter().filter(|x| x.model.is_err()).collect();
    let mut baseline = p
        .baseline
        .map(|b| format!(", baseline \"{}\"", p.points[b].label))
        .unwrap_or_default();
    if p.pairing.has_context() {
        baseline.push_str(&format!(
            ", compared at equal {}",
            p.pairing.axes.join(", ")
        ));
    }
    let skipped = if invalid.is_empty() {
        String::new()
    } else {
        format!(", {} invalid and skipped", invalid.len())
    };
    outln!(
        "{}: ok (sweep {}: {} points × {} replications{skipped}{baseline})",
        f.display(),
        p.name,
        p.points.len(),
        p.replications
    );
    for pt in invalid {
        if let Err(e) = &pt.model {
            eprintln!(
                "warning: {}: point \"{}\" is invalid and will be skipped:",
                f.display(),
                pt.label
            );
            for prob in &e.problems {
                eprintln!("  {prob}");
            }
        }
    }
}

fn dry_run_list(p: &plan::Plan) {
    outln!(
        "sweep {}: {} points × {} replications = {} jobs",
        p.name,
        p.points.len(),
        p.replications,
        sweep::all_jobs(p).len()
    );
    for pt in &p.points {
        let base = if p.baseline == Some(pt.index) {
            "  (baseline)".to_string()
        } else if p.pairing.is_baseline(pt.index) {
            format!("  (baseline of {})", p.pairing.context_label(pt.index))
        } else {
            String::new()
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
}

/// Prints a sweep's summary; `compared` (the scenario names of `compare A B`) adds the rows of
/// each checkpoint.
fn print_summary(
    s: &sweep::SweepSummary,
    title: &str,
    json: bool,
    compared: Option<&[String]>,
) -> Outcome {
    if json {
        let t = serde_json::to_string_pretty(&sweep::summary_json(s))
            .map_err(|e| failed(format!("cannot write JSON: {e}")))?;
        outln!("{t}");
    } else {
        out!("{}", report::sweep_text(s, title));
        out!("{}", report::robustness_text(s));
        if let Some(names) = compared {
            out!("\n{}", report::compare_text(s, names));
        }
    }
    Ok(())
}

/// A progress bar of jobs on stderr (hidden with `quiet`).
fn job_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} jobs  {per_sec}  ETA {eta}")
    {
        b.set_style(style);
    }
    b
}

fn sweep_run(
    p: &plan::Plan,
    opts: &sweep::Options,
    quiet: bool,
    json: bool,
    compare: bool,
) -> Outcome {
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
        return Err(usage("--shard needs --out DIR to record its jobs"));
    }
    let bar = job_bar(quiet);
    let outcome = sweep::execute(p, opts, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let outcome = outcome?;
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
        Some(dir) => match sweep::finish_dir(dir, p, opts, &outcome.results)? {
            Some(s) => s,
            None => {
                let (i, n) = opts.shard.unwrap_or((0, 1));
                outln!(
                    "{title}\nshard {i}/{n}: {} jobs recorded in {}; combine the shards with `borderflow merge DIR… --out OUT`",
                    outcome.results.jobs.len(),
                    dir.display()
                );
                return Ok(());
            }
        },
        None => sweep::estimate_plan(p, &outcome.results),
    };
    let names: Vec<String> = p
        .points
        .iter()
        .map(|x| x.model.as_ref().map_or(String::new(), |m| m.name.clone()))
        .collect();
    print_summary(&summary, &title, json, compare.then_some(names.as_slice()))?;
    if !json {
        // What was simulated: the baseline's assumptions once, and what each point changed.
        out!("{}", report::sweep_assumptions(p));
    }
    Ok(())
}

fn bench(
    quick: bool,
    json: bool,
    compare: Option<PathBuf>,
    max_regression: f64,
    only: Option<String>,
    list: bool,
    workload: Option<String>,
) -> Outcome {
    if list {
        for w in b::WORKLOADS {
            outln!(
                "{:<14} {}{}",
                w.name,
                w.about,
                if w.quick { "  [quick]" } else { "" }
            );
        }
        return Ok(());
    }
    if let Some(name) = workload {
        outln!("{}", b::run_workload(&name).map_err(usage)?);
        return Ok(());
    }
    if let Some(o) = &only
        && !b::WORKLOADS.iter().any(|w| w.name == o)
    {
        return Err(usage(format!(
            "unknown workload \"{o}\" (see borderflow bench --list)"
        )));
    }
    let baseline = match &compare {
        None => None,
        Some(p) => Some(
            borderflow::files::read_regular(p, BASELINE_MAX_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string())
                })
                .map_err(|e| usage(format!("{}: cannot read the baseline: {e}", p.display())))?,
        ),
    };
    let exe = std::env::current_exe()
        .map_err(|e| failed(format!("cannot find this program's path: {e}")))?;
    let result = b::run_all(&exe, quick, only.as_deref()).map_err(failed)?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        );
    } else {
        out!("{}", b::table(&result));
    }
    if let Some(base) = baseline {
        let (text, regressed) = b::compare(&base, &result, max_regression);
        if json {
            eprint!("{text}");
        } else {
            out!("\n{text}");
        }
        if regressed {
            return Err(failed(format!(
                "a workload is more than {:.0}% slower than the baseline",
                max_regression * 100.0
            )));
        }
    }
    Ok(())
}
