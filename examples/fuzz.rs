//! Structured mutation fuzzing of the scenario and sweep loaders and of the engine behind them.
//!
//! ```text
//! cargo run --release --example fuzz -- [--seconds S] [--execs N] [--seed N] [--save DIR]
//!     [--corpus-cap N] CORPUS_DIR…
//! ```
//!
//! Starts from every `.toml` file under the corpus folders; each execution takes one input,
//! applies one to four mutations that know TOML (a number set to an extreme, a string to a
//! duration, date, rate or window that is odd, a key or table entry removed or repeated, a value
//! of the wrong type) or bytes (truncation, a line swapped or repeated, a stray byte), and loads
//! the result as a scenario or a sweep. A scenario that validates runs one replication of at most
//! five days (within a vehicle budget), and its results go through the text and JSON reports.
//!
//! Feedback without instrumentation: an input whose outcome is new — the shape of an error
//! message (digits and quoted text removed), or for a valid input the set of KPIs it reports —
//! joins the corpus, so mutations build on inputs that reached new code. A panic is saved to
//! `--save` (default `fuzz-findings/`) and counted; one execution taking more than 20 s of CPU is a hang:
//! the input is saved and the process exits 3. Exit 1 if any panic was found.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use borderflow::kpi::estimate_run;
use borderflow::model::try_simulate;
use borderflow::report::{to_json, to_text};
use borderflow::scenario::{Overrides, parse};
use borderflow::sweep::plan;
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One corpus entry: its text and the folder its relative paths (a sweep's base) resolve from.
#[derive(Clone)]
struct Input {
    text: String,
    dir: PathBuf,
}

/// Odd values a mutation may put in place of a number.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "1e308",
    "-1e308",
    "9223372036854775807",
    "0.5",
    "1e-300",
    "100000",
    "36500",
    "nan",
    "inf",
    "4294967296",
];

/// Odd values a mutation may put in place of a string.
const STRINGS: &[&str] = &[
    "",
    "0s",
    "1ms",
    "1min",
    "1h30min",
    "6 mins",
    "99999d",
    "-1h",
    "24/7",
    "00:00-24:00",
    "23:00-01:00",
    "22:00-02:00,01:00-03:00",
    "25:00-26:00",
    "2026-02-30",
    "2026-12-31",
    "1900-01-01",
    "0/h",
    "1e9/h",
    "100000/h",
    "0.001/day",
    "+14:00",
    "-12:00",
    "+5",
    "perishible",
    "general",
    "exponential",
    "deterministic",
    "train",
    "barge",
    "truck",
    "rail",
    "river",
    "road",
    "transfer",
    "poisson",
    "timetable",
    "cranes",
    "tracks",
    "berths",
    "bogie_exchange",
];

/// The most inputs kept by default (`--corpus-cap`): the shipped files and finds. A run with
/// 20,000 slowed from ~290 to ~100 executions/s once its corpus was full: replacing random
/// entries fragmented the allocator's heap, and `malloc` took over half of the time.
const CORPUS_CAP: usize = 5_000;
/// A find longer than this many times the longest shipped file is run but not kept: mutations that
/// repeat lines would otherwise grow inputs generation after generation and slow a long run down.
const MAX_LEN_FACTOR: usize = 2;
/// How often a long run prints its progress (on stderr).
const REPORT_EVERY: Duration = Duration::from_secs(60);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 60.0;
    let mut execs_max = u64::MAX;
    let mut seed = 1u64;
    let mut save = PathBuf::from("fuzz-findings");
    let mut cap = CORPUS_CAP;
    let mut dirs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--seconds" => seconds = value().parse().unwrap_or(seconds),
            "--execs" => execs_max = value().parse().unwrap_or(execs_max),
            "--seed" => seed = value().parse().unwrap_or(seed),
            "--save" => save = PathBuf::from(value()),
            "--corpus-cap" => cap = value().parse().unwrap_or(cap),
            dir => dirs.push(PathBuf::from(dir)),
        }
    }
    let mut corpus: Vec<Input> = Vec::new();
    for d in &dirs {
        collect(d, &mut corpus);
    }
    if corpus.is_empty() {
        eprintln!("no .toml files under {dirs:?}");
        std::process::exit(2);
    }
    let seeds = corpus.len();
    let max_len = MAX_LEN_FACTOR * corpus.iter().map(|i| i.text.len()).max().unwrap_or(0);
    // Quiet panics: they are counted and saved, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));

    let current = Arc::new(Mutex::new(String::new()));
    let started = Arc::new(AtomicU64::new(0));
    watchdog(Arc::clone(&current), Arc::clone(&started), save.clone());

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let t0 = Instant::now();
    let (mut execs, mut valid, mut panics) = (0u64, 0u64, 0u64);
    let mut outcomes: HashSet<String> = HashSet::new();
    let mut last_report = Instant::now();
    while execs < execs_max && t0.elapsed().as_secs_f64() < seconds {
        // The shipped files two times in five (most inputs that reached new code are invalid,
        // and mutations of them rarely validate); mostly one mutation, at times up to four.
        let pick = if rng.random_range(0..5) < 2 {
            rng.random_range(0..seeds)
        } else {
            rng.random_range(0..corpus.len())
        };
        let base = &corpus[pick];
        let mut text = base.text.clone();
        let n = match rng.random_range(0..20) {
            0..=11 => 1,
            12..=16 => 2,
            _ => rng.random_range(3..=4),
        };
        for _ in 0..n {
            text = mutate(&text, &mut rng);
        }
        *current.lock().unwrap_or_else(|e| e.into_inner()) = text.clone();
        started.store(execs + 1, Ordering::SeqCst);
        let dir = base.dir.clone();
        let result = catch_unwind(AssertUnwindSafe(|| execute(&text, &dir)));
        started.store(0, Ordering::SeqCst);
        execs += 1;
        if last_report.elapsed() >= REPORT_EVERY {
            last_report = Instant::now();
            let secs = t0.elapsed().as_secs_f64();
            eprintln!(
                "{execs} executions in {secs:.0} s ({:.0}/s): {valid} valid, {} distinct outcomes, \
                 corpus {} (mean {:.1} KB), {panics} panics",
                execs as f64 / secs.max(1e-9),
                outcomes.len(),
                corpus.len(),
                corpus.iter().map(|i| i.text.len()).sum::<usize>() as f64
                    / corpus.len() as f64
                    / 1e3
            );
        }
        match result {
            Ok((ok, outcome)) => {
                valid += u64::from(ok);
                if outcomes.insert(outcome) && text.len() <= max_len {
                    // Past the cap a new input replaces a random earlier find (never a shipped
                    // file), so a long run keeps learning in bounded memory.
                    if corpus.len() < cap.max(seeds + 1) {
                        corpus.push(Input { text, dir });
                    } else {
                        let at = rng.random_range(seeds..corpus.len());
                        corpus[at] = Input { text, dir };
                    }
                }
            }
            Err(_) => {
                panics += 1;
                let _ = std::fs::create_dir_all(&save);
                let _ = std::fs::write(save.join(format!("panic-{panics:03}.toml")), &text);
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{execs} executions in {secs:.0} s ({:.0}/s): {valid} valid, {} distinct outcomes, \
         corpus {seeds} -> {}, {panics} panics",
        execs as f64 / secs.max(1e-9),
        outcomes.len(),
        corpus.len()
    );
    if panics > 0 {
        println!("panicking inputs saved in {}", save.display());
        std::process::exit(1);
    }
}

/// Every `.toml` file under `dir`, recursively.
fn collect(dir: &Path, into: &mut Vec<Input>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, into);
        } else if p.extension().is_some_and(|e| e == "toml")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            into.push(Input {
                text,
                dir: p.parent().unwrap_or(Path::new(".")).to_path_buf(),
            });
        }
    }
}

/// Exits 3, saving the input, if one execution runs for more than 20 s of CPU time (of wall time
/// where the system does not report CPU time): a starved process on a busy machine is no hang.
fn watchdog(current: Arc<Mutex<String>>, started: Arc<AtomicU64>, save: PathBuf) {
    let t0 = Instant::now();
    let clock = move || cpu_ms().unwrap_or_else(|| t0.elapsed().as_millis() as u64);
    std::thread::spawn(move || {
        let mut seen = (0, 0);
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let s = started.load(Ordering::SeqCst);
            if s == 0 || s != seen.0 {
                seen = (s, clock());
                continue;
            }
            if clock() > seen.1 + 20_000 {
                let _ = std::fs::create_dir_all(&save);
                let text = current.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let _ = std::fs::write(save.join("hang.toml"), text);
                eprintln!("an execution ran over 20 s of CPU time: saved as hang.toml");
                std::process::exit(3);
            }
        }
    });
}

/// CPU time of this process so far \[ms\] (user + system, from `/proc/self/stat` at 100 ticks
/// a second), where the system reports it.
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let (utime, stime): (u64, u64) = (fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?);
    Some((utime + stime) * 10)
}

/// Loads `text` as a sweep (if it has axes) or a scenario, runs a valid scenario briefly, and
/// returns whether it was valid and the shape of its outcome.
fn execute(text: &str, dir: &Path) -> (bool, String) {
    if text.contains("[[axes]]") || text.contains("[[policies]]") {
        return match plan::parse(text, "fuzz.toml", dir, Overrides::default(), None) {
            Ok(p) => (true, format!("sweep {} points", p.points.len().min(3))),
            Err(e) => (false, shape(&e.to_string())),
        };
    }
    match parse(text, "fuzz.toml", Overrides::default()) {
        Ok(mut m) => {
            m.days = m.days.min(5);
            m.warmup_days = m.warmup_days.min(m.days - 1);
            m.replications = 1;
            m.max_in_system = m.max_in_system.min(200_000);
            match try_simulate(&m, 0) {
                Ok(r) => {
                    let s = estimate_run(&m, std::slice::from_ref(&r), 0.0);
                    let text = to_text(&s);
                    let json = to_json(&s).to_string();
                    assert!(!json.contains("NaN"), "NaN in the JSON output");
                    let kpis: HashSet<&str> = s
                        .point
                        .entities
                        .iter()
                        .flat_map(|e| e.metrics.iter().map(|(k, _)| k.as_str()))
                        .collect();
                    let mut kpis: Vec<&str> = kpis.into_iter().collect();
                    kpis.sort_unstable();
                    (
                        true,
                        format!("ok {} {}", kpis.join(","), text.lines().count().min(5)),
                    )
                }
                Err(e) => (true, shape(&e.to_string())),
            }
        }
        Err(e) => (false, shape(&e.to_string())),
    }
}

/// An error message without its numbers and quoted text: its kind.
fn shape(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' | '`' => quoted = !quoted,
            _ if quoted || c.is_ascii_digit() => {}
            _ => out.push(c),
        }
    }
    out
}

/// One mutation of `text`, chosen at random.
fn mutate(text: &str, rng: &mut impl Rng) -> String {
    match rng.random_range(0..10) {
        0..=5 => mutate_toml(text, rng).unwrap_or_else(|| mutate_bytes(text, rng)),
        _ => mutate_bytes(text, rng),
    }
}

/// A mutation that keeps TOML valid: a value replaced, a key removed, an array entry repeated or
/// removed. `None` if the text is not TOML.
fn mutate_toml(text: &str, rng: &mut impl Rng) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    let mut slots: Vec<Vec<Step>> = Vec::new();
    walk(doc.as_item(), &mut Vec::new(), &mut slots);
    if slots.is_empty() {
        return None;
    }
    let path = slots[rng.random_range(0..slots.len())].clone();
    let (last, parent) = path.split_last()?;
    let container = reach(doc.as_item_mut(), parent)?;
    match (rng.random_range(0..6), last, container) {
        (0, Step::Key(k), c) => {
            if let Some(t) = c.as_table_like_mut() {
                t.remove(k);
            }
        }
        (1, Step::Index(i), toml_edit::Item::ArrayOfTables(a)) => {
            if let Some(t) = a.get(*i).cloned() {
                a.push(t);
            }
        }
        (2, Step::Index(i), toml_edit::Item::ArrayOfTables(a)) if a.len() > 1 => {
            a.remove(*i);
        }
        (_, step, c) => {
            let value = match rng.random_range(0..3) {
                0 => NUMBERS[rng.random_range(0..NUMBERS.len())].to_string(),
                1 => format!("\"{}\"", STRINGS[rng.random_range(0..STRINGS.len())]),
                _ => [
                    "[]",
                    "{}",
                    "true",
                    "[\"a\", 1]",
                    "{ dist = \"exponential\" }",
                ][rng.random_range(0..5)]
                .to_string(),
            };
            let item = toml_edit::value(value.parse::<toml_edit::Value>().ok()?);
            match (step, c) {
                (Step::Key(k), c) => {
                    if let Some(t) = c.as_table_like_mut() {
                        t.insert(k, item);
                    }
                }
                (Step::Index(i), toml_edit::Item::Value(toml_edit::Value::Array(a))) => {
                    if let Ok(v) = item.into_value() {
                        a.replace(*i, v);
                    }
                }
                _ => {}
            }
        }
    }
    Some(doc.to_string())
}

/// A step into a TOML document: a key of a table or an index of an array.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Paths of every value and array-of-tables entry under `item`.
fn walk(item: &toml_edit::Item, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match item {
        toml_edit::Item::Table(t) => {
            for (k, v) in t.iter() {
                at.push(Step::Key(k.to_string()));
                out.push(at.clone());
                walk(v, at, out);
                at.pop();
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            for (i, t) in a.iter().enumerate() {
                at.push(Step::Index(i));
                out.push(at.clone());
                for (k, v) in t.iter() {
                    at.push(Step::Key(k.to_string()));
                    out.push(at.clone());
                    walk(v, at, out);
                    at.pop();
                }
                at.pop();
            }
        }
        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
            for (k, _) in t.iter() {
                at.push(Step::Key(k.to_string()));
                out.push(at.clone());
                at.pop();
            }
        }
        toml_edit::Item::Value(toml_edit::Value::Array(a)) => {
            for i in 0..a.len() {
                at.push(Step::Index(i));
                out.push(at.clone());
                at.pop();
            }
        }
        _ => {}
    }
}

/// The item at `path` under `item`, mutably.
fn reach<'a>(item: &'a mut toml_edit::Item, path: &[Step]) -> Option<&'a mut toml_edit::Item> {
    let Some((first, rest)) = path.split_first() else {
        return Some(item);
    };
    let next = match (first, item) {
        (Step::Key(k), toml_edit::Item::Table(t)) => t.get_mut(k)?,
        (Step::Index(i), toml_edit::Item::ArrayOfTables(a)) => {
            let t = a.get_mut(*i)?;
            let Some((Step::Key(k), rest2)) = rest.split_first() else {
                return None;
            };
            return reach(t.get_mut(k)?, rest2);
        }
        _ => return None,
    };
    reach(next, rest)
}

/// A mutation of the bytes: a truncation, a line swapped, repeated or dropped, a stray byte.
fn mutate_bytes(text: &str, rng: &mut impl Rng) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return text.to_string();
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..5) {
        0 => {
            let cut = rng.random_range(0..=text.len());
            let cut = (0..=cut)
                .rev()
                .find(|&c| text.is_char_boundary(c))
                .unwrap_or(0);
            return text[..cut].to_string();
        }
        1 => {
            let j = rng.random_range(0..lines.len());
            lines.swap(i, j);
        }
        2 => lines.insert(i, lines[i]),
        3 => {
            lines.remove(i);
        }
        _ => {
            let mut out = text.to_string();
            let at = rng.random_range(0..=out.len());
            let at = (0..=at)
                .rev()
                .find(|&c| out.is_char_boundary(c))
                .unwrap_or(0);
            let c = ['"', '[', ']', '=', '\n', '#', '\\', '{', ',', 'é', '\u{0}']
                [rng.random_range(0..11)];
            out.insert(at, c);
            return out;
        }
    }
    lines.join("\n") + "\n"
}
