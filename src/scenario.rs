//! Scenario files: TOML read into serde "raw" structs, then checked and converted into a
//! [`Model`]. Every problem is reported — with the file, the field path and its line:column —
//! rather than the first one only; nothing a user wrote is silently ignored (unknown fields are
//! errors).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::calendar::{
    Calendar, ClosedDate, Window, parse_closed_date, parse_season, parse_windows,
};
use crate::dist::{Dist, parse_rate_per_hour};
use crate::model::{
    Alternative, Arrivals, CheckpointSpec, ClassSpec, FlowSpec, Inspection, LaneGroup, Mode, Model,
    NodeKind, RateProfile, RouteChoice, StageChange, StageKind, StageSpec,
};
use crate::time::{
    Date, SimDuration, SimTime, days_between, parse_date, parse_duration, parse_time_of_day,
    parse_utc_offset,
};

/// The built-in default scenario (the Kazakhstan–China road crossings).
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/kz-cn-road.toml");
/// The name used for the built-in scenario in messages.
pub const DEFAULT_SCENARIO_NAME: &str = "<built-in kz-cn-road.toml>";

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file it is in.
    pub file: String,
    /// Field path, e.g. `checkpoints[0].stages[1].lanes` (empty for the file as a whole).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong, lowercase.
    pub message: String,
    /// Which check found it.
    pub kind: ProblemKind,
}

/// Which check found a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file could not be read.
    Io,
    /// Not valid TOML.
    Syntax,
    /// Valid TOML, but an unknown field, a missing field or a value of the wrong type.
    Schema,
    /// Well-formed, but a value is out of range or inconsistent with another.
    Value,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if self.path.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.path, self.message)
        }
    }
}

/// All problems found in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// One entry per problem, in file order where known.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Values given on the command line that replace the file's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// Replaces `simulation.seed`.
    pub seed: Option<u64>,
    /// Replaces `simulation.replications`.
    pub replications: Option<i64>,
    /// Replaces `simulation.days`.
    pub days: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Raw structs: what the TOML says, before any checking
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    simulation: RawSimulation,
    #[serde(default)]
    calendars: BTreeMap<String, RawCalendar>,
    #[serde(default)]
    classes: BTreeMap<String, RawClass>,
    #[serde(default)]
    checkpoints: Vec<RawCheckpoint>,
    #[serde(default)]
    links: Vec<RawLink>,
    #[serde(default)]
    terminals: Vec<RawTerminal>,
    #[serde(default)]
    flows: Vec<RawFlow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    id: String,
    name: Option<String>,
    mode: String,
    travel: toml::Value,
    paths_per_day: Option<i64>,
    hours: Option<toml::Value>,
    season: Option<String>,
    utc_offset: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerminal {
    id: String,
    name: Option<String>,
    transfer_to: Option<String>,
    #[serde(default)]
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // documentation for readers of the file
    description: Option<String>,
    days: i64,
    warmup_days: Option<i64>,
    seed: Option<i64>,
    replications: Option<i64>,
    start_date: Option<String>,
    utc_offset: Option<String>,
    metres_per_vehicle: Option<f64>,
    series_step: Option<String>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    hours: Option<String>,
    mon: Option<String>,
    tue: Option<String>,
    wed: Option<String>,
    thu: Option<String>,
    fri: Option<String>,
    sat: Option<String>,
    sun: Option<String>,
    #[serde(default)]
    closed: Vec<String>,
    utc_offset: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    max_wait: Option<String>,
    #[allow(dead_code)] // documentation for readers of the file
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheckpoint {
    id: String,
    name: Option<String>,
    opens: Option<String>,
    #[serde(default)]
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    from: String,
    lanes: Option<i64>,
    daily_quota: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: String,
    kind: Option<String>,
    lanes: Option<i64>,
    tracks: Option<i64>,
    cranes: Option<i64>,
    positions: Option<i64>,
    berths: Option<i64>,
    service: Option<RawDist>,
    max_cranes_per_train: Option<i64>,
    max_positions_per_train: Option<i64>,
    handling_rate: Option<String>,
    daily_quota_wagons: Option<i64>,
    hours: Option<toml::Value>,
    utc_offset: Option<String>,
    daily_quota: Option<i64>,
    inspection: Option<RawInspection>,
    holding_capacity: Option<i64>,
    travel: Option<toml::Value>,
    #[serde(default)]
    priority: Vec<String>,
    #[serde(default)]
    reserved_lanes: BTreeMap<String, i64>,
    #[serde(default)]
    changes: Vec<RawChange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInspection {
    name: Option<String>,
    probability: f64,
    service: RawDist,
}

#[derive(Deserialize, Clone)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
enum RawDist {
    Exponential {
        mean: String,
    },
    Deterministic {
        value: String,
    },
    Uniform {
        min: String,
        max: String,
    },
    Triangular {
        min: String,
        mode: String,
        max: String,
    },
    Lognormal {
        mean: String,
        sd: String,
    },
    Erlang {
        mean: String,
        k: i64,
    },
    Gamma {
        mean: String,
        sd: String,
    },
    Empirical {
        values: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    id: String,
    mode: String,
    class: Option<String>,
    tonnes: Option<f64>,
    value: Option<f64>,
    wagons: Option<i64>,
    containers_per_wagon: Option<i64>,
    teu_per_container: Option<f64>,
    tonnes_per_container: Option<f64>,
    wagon_capacity_teu: Option<f64>,
    containers: Option<i64>,
    #[serde(default)]
    route: Vec<String>,
    travel: Option<Vec<toml::Value>>,
    arrivals: RawArrivals,
    starts: Option<String>,
    ends: Option<String>,
    choice: Option<RawChoice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    alternatives: Vec<RawAlternative>,
    info_every: Option<String>,
    info_delay: Option<String>,
    loyal_share: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlternative {
    id: Option<String>,
    route: Vec<String>,
    travel: Option<Vec<toml::Value>>,
    extra_travel: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "process", rename_all = "lowercase", deny_unknown_fields)]
enum RawArrivals {
    Poisson {
        rate: String,
        hourly: Option<Vec<f64>>,
        weekday: Option<Vec<f64>>,
        monthly: Option<Vec<f64>>,
        scale: Option<f64>,
        growth_per_year: Option<f64>,
    },
    Timetable {
        every: Option<String>,
        from: Option<String>,
        to: Option<String>,
        times: Option<Vec<String>>,
        delay: Option<RawDist>,
    },
    Transfer {},
}

// ---------------------------------------------------------------------------------------------
// Locating fields in the text
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A field path under construction: `checkpoints[0].stages[1].lanes`.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldPath(pub(crate) Vec<Seg>);

impl FieldPath {
    pub(crate) fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    pub(crate) fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Collects problems and maps field paths to line:column through a span-keeping parse.
pub(crate) struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    doc: Option<toml_edit::Document<&'a str>>,
    problems: Vec<(Option<usize>, Problem)>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        Checker {
            file,
            text,
            doc: toml_edit::Document::parse(text).ok(),
            problems: Vec::new(),
        }
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// Byte offset of the value at `path`, or of its nearest located ancestor. For a key in a
    /// table, the value's own position is preferred; a table without a span (an implicit parent)
    /// falls back to the key.
    fn offset_of(&self, path: &FieldPath) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut item: &toml_edit::Item = doc.as_item();
        let mut best = None;
        for seg in &path.0 {
            let (next, key_span) = match seg {
                Seg::Key(k) => {
                    let kv = match item {
                        toml_edit::Item::Table(t) => t.get_key_value(k),
                        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => t
                            .get_key_value(k)
                            .map(|(key, _)| key)
                            .and_then(|key| item.get(k.as_str()).map(|i| (key, i))),
                        _ => None,
                    };
                    match kv {
                        Some((key, i)) => (Some(i), key.span()),
                        None => (None, None),
                    }
                }
                Seg::Index(i) => (item.get(*i), None),
            };
            let Some(next) = next else { return best };
            best = next.span().or(key_span).map(|s| s.start).or(best);
            item = next;
        }
        best
    }

    pub(crate) fn report(&mut self, path: &FieldPath, message: impl Into<String>) {
        let off = self.offset_of(path);
        let (line, column) = match off {
            Some(o) => {
                let (l, c) = self.line_col(o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.problems.push((
            off,
            Problem {
                file: self.file.to_string(),
                path: path.to_string(),
                line,
                column,
                message: message.into(),
                kind: ProblemKind::Value,
            },
        ));
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn into_error(mut self) -> ScenarioError {
        // File order where known; stable, so same-place problems keep their check order.
        self.problems.sort_by_key(|(o, _)| o.unwrap_or(usize::MAX));
        ScenarioError {
            problems: self.problems.into_iter().map(|(_, p)| p).collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/// Reads and checks the scenario file at `path`.
pub fn load(path: &Path, overrides: Overrides) -> Result<Model, ScenarioError> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &file, overrides),
        Err(e) => Err(ScenarioError {
            problems: vec![Problem {
                file,
                path: String::new(),
                line: None,
                column: None,
                message: format!("cannot read the scenario file: {e}"),
                kind: ProblemKind::Io,
            }],
        }),
    }
}

/// The built-in default scenario.
pub fn default_scenario(overrides: Overrides) -> Result<Model, ScenarioError> {
    parse(DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME, overrides)
}

/// Reads `text` (from `file`) into `T`, reporting a syntax or schema problem (unknown field,
/// wrong type, missing field) with its field path and line:column.
pub(crate) fn deserialize_located<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, ScenarioError> {
    let ck = Checker::new(file, text);
    let located = |off: Option<usize>, path: String, kind, message: String| {
        let (line, column) = match off {
            Some(o) => {
                let (l, c) = ck.line_col(o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ScenarioError {
            problems: vec![Problem {
                file: file.to_string(),
                path,
                line,
                column,
                message,
                kind,
            }],
        }
    };
    match toml::Deserializer::parse(text) {
        Err(e) => Err(located(
            e.span().map(|s| s.start),
            String::new(),
            ProblemKind::Syntax,
            format!("not valid TOML: {}", e.message()),
        )),
        Ok(de) => serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let path = if path == "." { String::new() } else { path };
            located(
                inner.span().map(|s| s.start),
                path,
                ProblemKind::Schema,
                plain_types(inner.message()),
            )
        }),
    }
}

/// Checks scenario `text` (from `file`, for messages) and builds its model.
pub fn parse(text: &str, file: &str, overrides: Overrides) -> Result<Model, ScenarioError> {
    let raw: RawScenario = deserialize_located(text, file)?;
    let mut ck = Checker::new(file, text);
    let model = build(&mut ck, raw, overrides);
    if ck.problems.is_empty() {
        model.ok_or_else(|| ck.into_error())
    } else {
        Err(ck.into_error())
    }
}

/// Checks a scenario given as a TOML table (e.g. a base scenario with a sweep's changes applied).
/// Positions refer to no file, so problems carry field paths only.
pub fn parse_table(
    table: &toml::Table,
    file: &str,
    overrides: Overrides,
) -> Result<Model, ScenarioError> {
    let text = toml::to_string(table).map_err(|e| ScenarioError {
        problems: vec![Problem {
            file: file.to_string(),
            path: String::new(),
            line: None,
            column: None,
            message: format!("cannot write the scenario as TOML: {e}"),
            kind: ProblemKind::Schema,
        }],
    })?;
    parse(&text, file, overrides).map_err(|mut e| {
        for p in &mut e.problems {
            p.line = None;
            p.column = None;
        }
        e
    })
}

/// Highest accepted arrival rate [vehicles/h]: far beyond any crossing, and low enough that
/// inter-arrival gaps stay well above the 1 ms clock resolution.
const MAX_RATE_PER_H: f64 = 100_000.0;
/// Most departures a daily timetable may list.
const MAX_TIMETABLE_PER_DAY: usize = 100_000;

/// Serde names Rust types ("expected i64"); planners read "an integer".
fn plain_types(msg: &str) -> String {
    msg.replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a string", "expected a string (in quotes)")
}

// ---------------------------------------------------------------------------------------------
// Checking and building
// ---------------------------------------------------------------------------------------------

fn duration(ck: &mut Checker, path: &FieldPath, text: &str) -> Option<SimDuration> {
    match parse_duration(text) {
        Ok(d) => Some(d),
        Err(e) => {
            ck.report(path, e.to_string());
            None
        }
    }
}

fn dist(ck: &mut Checker, path: &FieldPath, raw: &RawDist) -> Option<Dist> {
    let mut d = |k: &str, t: &str| duration(ck, &path.key(k), t);
    let built = match raw {
        RawDist::Exponential { mean } => Dist::exponential(d("mean", mean)?),
        RawDist::Deterministic { value } => Dist::deterministic(d("value", value)?),
        RawDist::Uniform { min, max } => {
            let (a, b) = (d("min", min), d("max", max));
            Dist::uniform(a?, b?)
        }
        RawDist::Triangular { min, mode, max } => {
            let (a, m, b) = (d("min", min), d("mode", mode), d("max", max));
            Dist::triangular(a?, m?, b?)
        }
        RawDist::Lognormal { mean, sd } => {
            let (m, s) = (d("mean", mean), d("sd", sd));
            Dist::lognormal(m?, s?)
        }
        RawDist::Gamma { mean, sd } => {
            let (m, s) = (d("mean", mean), d("sd", sd));
            Dist::gamma(m?, s?)
        }
        RawDist::Erlang { mean, k } => {
            let m = d("mean", mean);
            if *k < 1 || *k > 1000 {
                ck.report(
                    &path.key("k"),
                    format!("k must be between 1 and 1000 (got {k})"),
                );
                return None;
            }
            Dist::erlang(m?, *k as u32)
        }
        RawDist::Empirical { values } => {
            let mut out = Vec::with_capacity(values.len());
            let mut ok = true;
            for (i, v) in values.iter().enumerate() {
                match duration(ck, &path.key("values").index(i), v) {
                    Some(x) => out.push(x),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Dist::empirical(out)
        }
    };
    match built {
        Ok(x) => Some(x),
        Err(e) => {
            ck.report(path, e.to_string());
            None
        }
    }
}

/// A duration string or a distribution table (travel times).
fn dist_or_duration(ck: &mut Checker, path: &FieldPath, v: &toml::Value) -> Option<Dist> {
    match v {
        toml::Value::String(s) => {
            let d = duration(ck, path, s)?;
            Dist::deterministic(d).ok()
        }
        toml::Value::Table(_) => match v.clone().try_into::<RawDist>() {
            Ok(raw) => dist(ck, path, &raw),
            Err(e) => {
                ck.report(path, e.message().to_string());
                None
            }
        },
        other => {
            ck.report(
                path,
                format!(
                    "expected a duration like \"20min\" or a distribution table, found {}",
                    other.type_str()
                ),
            );
            None
        }
    }
}

fn int_in(ck: &mut Checker, path: &FieldPath, v: i64, lo: i64, hi: i64, what: &str) -> Option<i64> {
    if v < lo || v > hi {
        ck.report(
            path,
            format!("{what} must be between {lo} and {hi} (got {v})"),
        );
        None
    } else {
        Some(v)
    }
}

fn nonneg(ck: &mut Checker, path: &FieldPath, v: f64) -> Option<f64> {
    if !v.is_finite() || v < 0.0 {
        ck.report(path, format!("must be a finite number >= 0 (got {v})"));
        None
    } else {
        Some(v)
    }
}

/// Parses an optional text field, reporting a malformed value at `path` (then `Err`).
fn parse_opt<T, E: fmt::Display>(
    ck: &mut Checker,
    path: &FieldPath,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ()> {
    match value {
        None => Ok(None),
        Some(text) => parse(text)
            .map(Some)
            .map_err(|e| ck.report(path, e.to_string())),
    }
}

/// Weekday windows and closed dates of a calendar definition, checked.
struct CalendarParts {
    week: [Vec<Window>; 7],
    closed: Vec<ClosedDate>,
    offset: Option<SimDuration>,
}

fn calendar_parts(ck: &mut Checker, path: &FieldPath, raw: &RawCalendar) -> Option<CalendarParts> {
    let mut ok = true;
    let mut windows = |ck: &mut Checker, key: &str, text: &str| match parse_windows(text) {
        Ok(w) => Some(w),
        Err(e) => {
            ck.report(&path.key(key), e.to_string());
            ok = false;
            None
        }
    };
    let base = match &raw.hours {
        Some(h) => windows(ck, "hours", h).unwrap_or_default(),
        None => parse_windows("24/7").unwrap_or_default(),
    };
    let days = [
        ("mon", &raw.mon),
        ("tue", &raw.tue),
        ("wed", &raw.wed),
        ("thu", &raw.thu),
        ("fri", &raw.fri),
        ("sat", &raw.sat),
        ("sun", &raw.sun),
    ];
    let mut week: [Vec<Window>; 7] = std::array::from_fn(|_| base.clone());
    for (i, (key, val)) in days.iter().enumerate() {
        if let Some(text) = val
            && let Some(w) = windows(ck, key, text)
        {
            week[i] = w;
        }
    }
    let mut closed = Vec::new();
    for (i, c) in raw.closed.iter().enumerate() {
        match parse_closed_date(c) {
            Ok(d) => closed.push(d),
            Err(e) => {
                ck.report(&path.key("closed").index(i), e.to_string());
                ok = false;
            }
        }
    }
    let offset = match &raw.utc_offset {
        Some(o) => match parse_utc_offset(o) {
            Ok(x) => Some(x),
            Err(e) => {
                ck.report(&path.key("utc_offset"), e.to_string());
                ok = false;
                None
            }
        },
        None => None,
    };
    ok.then_some(CalendarParts {
        week,
        closed,
        offset,
    })
}

struct Ctx {
    start_date: Date,
    reference: SimDuration,
}

fn make_calendar(ctx: &Ctx, parts: &CalendarParts, stage_offset: Option<SimDuration>) -> Calendar {
    let offset = stage_offset.or(parts.offset).unwrap_or(ctx.reference);
    let shift = SimDuration::from_ms(offset.as_ms() - ctx.reference.as_ms());
    Calendar::new(
        parts.week.clone(),
        parts.closed.clone(),
        ctx.start_date,
        shift,
    )
}

fn build(ck: &mut Checker, raw: RawScenario, ov: Overrides) -> Option<Model> {
    let sim_p = FieldPath::default().key("simulation");
    let s = &raw.simulation;

    // --- simulation ---
    if s.name.trim().is_empty() {
        ck.report(&sim_p.key("name"), "must not be empty");
    }
    let days_raw = ov.days.unwrap_or(s.days);
    let days_note = if ov.days.is_some() {
        " (from --days)"
    } else {
        ""
    };
    let days = if !(1..=36_500).contains(&days_raw) {
        ck.report(
            &sim_p.key("days"),
            format!("must be between 1 and 36500 (got {days_raw}){days_note}"),
        );
        None
    } else {
        Some(days_raw as u32)
    };
    let warmup = s.warmup_days.unwrap_or(0);
    let warmup_days = if warmup < 0 {
        ck.report(
            &sim_p.key("warmup_days"),
            format!("must not be negative (got {warmup})"),
        );
        None
    } else if days.is_some_and(|d| warmup >= d as i64) {
        ck.report(
            &sim_p.key("warmup_days"),
            format!(
                "must be less than days ({warmup} >= {days_raw}{days_note}): nothing would be measured"
            ),
        );
        None
    } else {
        Some(warmup as u32)
    };
    let seed = match (ov.seed, s.seed) {
        (Some(x), _) => Some(x),
        (None, None) => Some(1),
        (None, Some(x)) if x >= 0 => Some(x as u64),
        (None, Some(x)) => {
            ck.report(
                &sim_p.key("seed"),
                format!("must not be negative (got {x})"),
            );
            None
        }
    };
    let reps_raw = ov.replications.or(s.replications).unwrap_or(1);
    let replications = if !(1..=100_000).contains(&reps_raw) {
        let note = if ov.replications.is_some() {
            " (from --replications)"
        } else {
            ""
        };
        ck.report(
            &sim_p.key("replications"),
            format!("must be between 1 and 100000 (got {reps_raw}){note}"),
        );
        None
    } else {
        Some(reps_raw as u32)
    };
    let start_date = match &s.start_date {
        Some(d) => match parse_date(d) {
            Ok(x) => Some(x),
            Err(e) => {
                ck.report(&sim_p.key("start_date"), e.to_string());
                None
            }
        },
        None => Some(Date::constant(2026, 1, 5)),
    };
    let reference = match &s.utc_offset {
        Some(o) => match parse_utc_offset(o) {
            Ok(x) => Some(x),
            Err(e) => {
                ck.report(&sim_p.key("utc_offset"), e.to_string());
                None
            }
        },
        None => Some(SimDuration::ZERO),
    };
    let mpv = s.metres_per_vehicle.unwrap_or(33.0);
    if !(mpv.is_finite() && mpv > 0.0) {
        ck.report(
            &sim_p.key("metres_per_vehicle"),
            format!("must be a number > 0 (got {mpv})"),
        );
    }
    let series_step = match &s.series_step {
        Some(text) => match parse_duration(text) {
            Ok(d) if d > SimDuration::ZERO => Some(d),
            Ok(_) => {
                ck.report(
                    &sim_p.key("series_step"),
                    format!("must be longer than zero (got \"{text}\")"),
                );
                None
            }
            Err(e) => {
                ck.report(&sim_p.key("series_step"), e.to_string());
                None
            }
        },
        None => Some(SimDuration::from_ms(crate::time::MS_PER_HOUR)),
    };
    let ctx = Ctx {
        start_date: start_date.unwrap_or(Date::constant(2026, 1, 5)),
        reference: reference.unwrap_or(SimDuration::ZERO),
    };

    // --- named calendars ---
    let mut calendars: HashMap<String, CalendarParts> = HashMap::new();
    for (id, c) in &raw.calendars {
        let p = FieldPath::default().key("calendars").key(id);
        if let Some(parts) = calendar_parts(ck, &p, c) {
            calendars.insert(id.clone(), parts);
        }
    }

    // --- classes: declared ones, then those first named by flows ---
    let mut class_ids: Vec<String> = Vec::new();
    for f in &raw.flows {
        let c = f.class.clone().unwrap_or_else(|| "general".to_string());
        if !class_ids.contains(&c) {
            class_ids.push(c);
        }
    }
    for id in raw.classes.keys() {
        if !class_ids.contains(id) {
            class_ids.push(id.clone());
        }
    }
    if class_ids.len() > 64 {
        ck.report(
            &FieldPath::default().key("classes"),
            format!(
                "at most 64 cargo classes are supported (found {})",
                class_ids.len()
            ),
        );
    }
    let class_index: HashMap<&str, u16> = class_ids
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u16))
        .collect();
    let mut classes: Vec<ClassSpec> = class_ids
        .iter()
        .map(|id| ClassSpec {
            id: id.clone(),
            max_wait: None,
        })
        .collect();
    for (id, c) in &raw.classes {
        let p = FieldPath::default().key("classes").key(id);
        if let Some(mw) = &c.max_wait
            && let Some(d) = duration(ck, &p.key("max_wait"), mw)
        {
            if d.as_ms() <= 0 {
                ck.report(&p.key("max_wait"), "must be greater than zero");
            }
            classes[class_index[id.as_str()] as usize].max_wait = Some(d);
        }
    }

    // --- nodes: checkpoints, terminals and links share one id space ---
    if raw.checkpoints.is_empty() && raw.terminals.is_empty() && raw.links.is_empty() {
        ck.report(
            &FieldPath::default().key("checkpoints"),
            "no checkpoints: define at least one [[checkpoints]]",
        );
    }
    let mut checkpoints: Vec<CheckpointSpec> = Vec::new();
    let mut stages: Vec<StageSpec> = Vec::new();
    let mut cp_index: HashMap<String, u32> = HashMap::new();
    // (section, index) of each node, to point at it in later messages.
    let mut node_paths: Vec<FieldPath> = Vec::new();
    let stage_nodes = raw
        .checkpoints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                "checkpoints",
                i,
                &c.id,
                &c.name,
                &c.stages,
                NodeKind::Checkpoint,
                &c.opens,
            )
        })
        .chain(raw.terminals.iter().enumerate().map(|(i, t)| {
            (
                "terminals",
                i,
                &t.id,
                &t.name,
                &t.stages,
                NodeKind::Terminal,
                &None,
            )
        }));
    for (section, ci, id, name, raw_stages, kind, opens) in stage_nodes {
        let cp_p = FieldPath::default().key(section).index(ci);
        let opens = parse_opt(ck, &cp_p.key("opens"), opens, parse_date)
            .ok()
            .flatten()
            .map(|d| days_between(ctx.start_date, d).unwrap_or(0));
        let node = checkpoints.len() as u32;
        if id.trim().is_empty() {
            ck.report(&cp_p.key("id"), "must not be empty");
        }
        if cp_index.insert(id.clone(), node).is_some() {
            ck.report(
                &cp_p.key("id"),
                format!(
                    "duplicate id \"{id}\" (checkpoints, terminals and links share one set of ids)"
                ),
            );
        }
        if raw_stages.is_empty() {
            ck.report(
                &cp_p.key("stages"),
                format!("needs at least one stage ([[{section}.stages]])"),
            );
        }
        let mut stage_ids = HashSet::new();
        let mut indices = Vec::new();
        for (si, st) in raw_stages.iter().enumerate() {
            let p = cp_p.key("stages").index(si);
            if st.id.trim().is_empty() {
                ck.report(&p.key("id"), "must not be empty");
            }
            if !stage_ids.insert(st.id.clone()) {
                ck.report(
                    &p.key("id"),
                    format!("duplicate stage id \"{}\" in \"{id}\"", st.id),
                );
            }
            if let Some(spec) = build_stage(
                ck,
                &p,
                st,
                node,
                &ctx,
                &calendars,
                &class_index,
                class_ids.len(),
            ) {
                let mut spec = spec;
                // A crossing opening on a date: every stage closed before its local midnight.
                if let Some(day) = opens {
                    let at = spec.calendar.local_day_start(day);
                    spec.calendar = spec.calendar.opening_at(at);
                }
                indices.push(stages.len() as u32);
                stages.push(spec);
            }
        }
        // A train holds one receiving track from its tracks stage until it leaves the node.
        let track_stages: Vec<usize> = raw_stages
            .iter()
            .enumerate()
            .filter(|(_, st)| st.kind.as_deref() == Some("tracks"))
            .map(|(i, _)| i)
            .collect();
        for &i in track_stages.iter().skip(1) {
            ck.report(
                &cp_p.key("stages").index(i).key("kind"),
                format!(
                    "\"{id}\" already has a tracks stage (\"{}\"): a train holds one receiving track until it leaves",
                    raw_stages[track_stages[0]].id
                ),
            );
        }
        checkpoints.push(CheckpointSpec {
            id: id.clone(),
            name: name.clone().unwrap_or_else(|| id.clone()),
            kind,
            stages: indices,
            transfer_to: None,
        });
        node_paths.push(cp_p);
    }
    for (li, l) in raw.links.iter().enumerate() {
        let p = FieldPath::default().key("links").index(li);
        let node = checkpoints.len() as u32;
        if l.id.trim().is_empty() {
            ck.report(&p.key("id"), "must not be empty");
        }
        if cp_index.insert(l.id.clone(), node).is_some() {
            ck.report(
                &p.key("id"),
                format!(
                    "duplicate id \"{}\" (checkpoints, terminals and links share one set of ids)",
                    l.id
                ),
            );
        }
        if let Some(spec) = build_link(ck, &p, l, node, &ctx, &calendars, class_ids.len()) {
            checkpoints.push(CheckpointSpec {
                id: l.id.clone(),
                name: l.name.clone().unwrap_or_else(|| l.id.clone()),
                kind: NodeKind::Link,
                stages: vec![stages.len() as u32],
                transfer_to: None,
            });
            stages.push(spec);
        } else {
            // Keep indices aligned with the id map even when the link is invalid.
            checkpoints.push(CheckpointSpec {
                id: l.id.clone(),
                name: l.id.clone(),
                kind: NodeKind::Link,
                stages: vec![],
                transfer_to: None,
            });
        }
        node_paths.push(p);
    }

    // --- flows ---
    if raw.flows.is_empty() {
        ck.report(
            &FieldPath::default().key("flows"),
            "no flows: define at least one [[flows]], or nothing ever arrives",
        );
    }
    let link_modes: HashMap<&str, &str> = raw
        .links
        .iter()
        .map(|l| (l.id.as_str(), l.mode.as_str()))
        .collect();
    let mut flows = Vec::new();
    let mut flow_index: HashMap<String, u32> = HashMap::new();
    for (fi, f) in raw.flows.iter().enumerate() {
        let p = FieldPath::default().key("flows").index(fi);
        if f.id.trim().is_empty() {
            ck.report(&p.key("id"), "must not be empty");
        }
        if flow_index.insert(f.id.clone(), fi as u32).is_some() {
            ck.report(&p.key("id"), format!("duplicate flow id \"{}\"", f.id));
        }
        if let Some(flow) = build_flow(
            ck,
            &p,
            f,
            &link_modes,
            &cp_index,
            &class_index,
            &stages,
            &checkpoints,
            ctx.start_date,
            days.unwrap_or(1),
        ) {
            flows.push(flow);
        }
    }
    // Alternative routes run as flows of their own, after the scenario's flows (whose indices
    // the terminals refer to).
    let mut alt_flows: Vec<FlowSpec> = Vec::new();
    let mut flows: Vec<FlowSpec> = flows
        .into_iter()
        .enumerate()
        .map(|(fi, (mut flow, choice))| {
            if let Some((mut ch, children)) = choice {
                for (ai, (child, extra)) in children.into_iter().enumerate() {
                    let taken = flow_index
                        .insert(child.id.clone(), (raw.flows.len() + alt_flows.len()) as u32);
                    if taken.is_some() {
                        ck.report(
                            &FieldPath::default()
                                .key("flows")
                                .index(fi)
                                .key("choice")
                                .key("alternatives")
                                .index(ai),
                            format!(
                                "flow id \"{}\" is taken: give the alternative another `id`",
                                child.id
                            ),
                        );
                    }
                    ch.alternatives.push(Alternative {
                        flow: (raw.flows.len() + alt_flows.len()) as u32,
                        extra_travel: extra,
                    });
                    alt_flows.push(child);
                }
                flow.choice = Some(Box::new(ch));
            }
            flow
        })
        .collect();
    flows.extend(alt_flows);

    // --- terminal transfers: terminal → onward flow (whose arrivals are "transfer") ---
    let mut fed: HashSet<String> = HashSet::new();
    for (ti, t) in raw.terminals.iter().enumerate() {
        let Some(target) = &t.transfer_to else {
            continue;
        };
        let tp = FieldPath::default()
            .key("terminals")
            .index(ti)
            .key("transfer_to");
        let Some(&fi) = flow_index.get(target) else {
            ck.report(&tp, format!("unknown flow \"{target}\""));
            continue;
        };
        // Alternative routes of a route choice are flows too, but never transfer targets.
        let is_transfer = raw
            .flows
            .get(fi as usize)
            .is_some_and(|f| matches!(f.arrivals, RawArrivals::Transfer {}));
        if !is_transfer {
            ck.report(
                &tp,
                format!("flow \"{target}\" must have arrivals = {{ process = \"transfer\" }} to take cargo from a terminal"),
            );
        }
        fed.insert(target.clone());
        if let Some(&node) = cp_index.get(&t.id) {
            checkpoints[node as usize].transfer_to = Some(fi);
        }
    }
    for (fi, f) in raw.flows.iter().enumerate() {
        let p = FieldPath::default().key("flows").index(fi);
        if matches!(f.arrivals, RawArrivals::Transfer {}) && !fed.contains(&f.id) {
            ck.report(
                &p.key("arrivals"),
                "a \"transfer\" flow needs a terminal with `transfer_to` naming it, or nothing ever arrives",
            );
        }
        // A terminal that hands cargo on must end the route, and transfers must not loop.
        for (i, id) in f.route.iter().enumerate() {
            let Some(&node) = cp_index.get(id) else {
                continue;
            };
            if checkpoints[node as usize].transfer_to.is_some() && i + 1 < f.route.len() {
                ck.report(
                    &p.key("route").index(i),
                    format!("terminal \"{id}\" hands its cargo to another flow, so the route must end there"),
                );
            }
        }
        let mut seen = vec![fi];
        let mut cur = fi;
        while let Some(last) = raw.flows[cur].route.last().and_then(|id| cp_index.get(id))
            && let Some(next) = checkpoints[*last as usize].transfer_to
        {
            if seen.contains(&(next as usize)) {
                ck.report(
                    &p.key("route"),
                    "cargo transfers loop back to this flow (terminal transfer_to chain is a cycle)",
                );
                break;
            }
            seen.push(next as usize);
            cur = next as usize;
        }
    }
    let _ = node_paths;

    Some(Model {
        name: s.name.clone(),
        days: days?,
        warmup_days: warmup_days?,
        seed: seed?,
        replications: replications?,
        start_date: start_date?,
        metres_per_vehicle: mpv,
        series_step: series_step?,
        classes,
        checkpoints,
        stages,
        flows,
    })
}

/// The calendar of a stage (or link) from its `hours` value: "24/7" by default, a window list, the
/// id of a named calendar, or an inline calendar table; `extra` adds a closed-day rule (a season).
fn stage_calendar(
    ck: &mut Checker,
    hours_p: &FieldPath,
    hours: &Option<toml::Value>,
    stage_offset: Option<SimDuration>,
    extra: Option<ClosedDate>,
    ctx: &Ctx,
    calendars: &HashMap<String, CalendarParts>,
) -> Option<Calendar> {
    match hours {
        None => Some(make_calendar(
            ctx,
            &CalendarParts {
                week: std::array::from_fn(|_| parse_windows("24/7").unwrap_or_default()),
                closed: extra.into_iter().collect(),
                offset: None,
            },
            stage_offset,
        )),
        Some(toml::Value::String(text)) => {
            if let Some(parts) = calendars.get(text) {
                Some(make_calendar(ctx, &with_extra(parts, extra), stage_offset))
            } else {
                match parse_windows(text) {
                    Ok(w) => Some(make_calendar(
                        ctx,
                        &CalendarParts {
                            week: std::array::from_fn(|_| w.clone()),
                            closed: extra.into_iter().collect(),
                            offset: None,
                        },
                        stage_offset,
                    )),
                    Err(e) => {
                        let hint = if calendars.is_empty() {
                            String::new()
                        } else {
                            let mut ids: Vec<&String> = calendars.keys().collect();
                            ids.sort();
                            format!(
                                " (nor is it one of the named calendars: {})",
                                ids.iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        ck.report(hours_p, format!("{e}{hint}"));
                        None
                    }
                }
            }
        }
        Some(v @ toml::Value::Table(_)) => match v.clone().try_into::<RawCalendar>() {
            Ok(rc) => calendar_parts(ck, hours_p, &rc)
                .map(|parts| make_calendar(ctx, &with_extra(&parts, extra), stage_offset)),
            Err(e) => {
                ck.report(hours_p, e.message().to_string());
                None
            }
        },
        Some(other) => {
            ck.report(
                hours_p,
                format!(
                    "expected \"24/7\", windows like \"09:00-18:00\", a calendar id or a calendar table, found {}",
                    other.type_str()
                ),
            );
            None
        }
    }
}

fn with_extra(parts: &CalendarParts, extra: Option<ClosedDate>) -> CalendarParts {
    let mut closed = parts.closed.clone();
    closed.extend(extra);
    CalendarParts {
        week: parts.week.clone(),
        closed,
        offset: parts.offset,
    }
}

/// A link as a node with one stage: as many vehicles on it at once as arrive, each for its
/// travel time; `paths_per_day` caps entries per local day; hours and a season close it.
#[allow(clippy::too_many_arguments)]
fn build_link(
    ck: &mut Checker,
    p: &FieldPath,
    l: &RawLink,
    node: u32,
    ctx: &Ctx,
    calendars: &HashMap<String, CalendarParts>,
    n_classes: usize,
) -> Option<StageSpec> {
    if !["rail", "road", "river"].contains(&l.mode.as_str()) {
        ck.report(
            &p.key("mode"),
            format!(
                "unknown link mode \"{}\" (known: rail, road, river)",
                l.mode
            ),
        );
    }
    let travel = dist_or_duration(ck, &p.key("travel"), &l.travel);
    let offset = parse_opt(ck, &p.key("utc_offset"), &l.utc_offset, parse_utc_offset).ok()?;
    let season = parse_opt(ck, &p.key("season"), &l.season, parse_season).ok()?;
    let calendar = stage_calendar(
        ck,
        &p.key("hours"),
        &l.hours,
        offset,
        season,
        ctx,
        calendars,
    );
    let paths = match l.paths_per_day {
        Some(n) => Some(int_in(
            ck,
            &p.key("paths_per_day"),
            n,
            1,
            10_000_000,
            "paths_per_day",
        )? as u32),
        None => None,
    };
    // Effectively unlimited: every vehicle allowed onto the link travels at once.
    const ON_LINK: u32 = 1_000_000;
    Some(StageSpec {
        changes: Vec::new(),
        id: "link".into(),
        checkpoint: node,
        kind: StageKind::Lanes,
        lanes: ON_LINK,
        service: travel?,
        max_per_vehicle: None,
        handling_rate_tph: None,
        daily_quota_wagons: None,
        calendar: calendar?,
        daily_quota: paths,
        inspection: None,
        holding_capacity: 0,
        travel: None,
        class_rank: vec![0; n_classes.max(1)],
        groups: vec![LaneGroup {
            lanes: ON_LINK,
            class_mask: u64::MAX,
        }],
    })
}

#[allow(clippy::too_many_arguments)]
fn build_stage(
    ck: &mut Checker,
    p: &FieldPath,
    st: &RawStage,
    checkpoint: u32,
    ctx: &Ctx,
    calendars: &HashMap<String, CalendarParts>,
    class_index: &HashMap<&str, u16>,
    n_classes: usize,
) -> Option<StageSpec> {
    // The kind decides which key counts the servers and what a service is.
    let kind_name = st.kind.as_deref().unwrap_or("lanes");
    let (kind, count_key) = match kind_name {
        "lanes" => (StageKind::Lanes, "lanes"),
        "berths" => (StageKind::Lanes, "berths"),
        "tracks" => (StageKind::Tracks, "tracks"),
        "cranes" => (StageKind::Cranes, "cranes"),
        "bogie-exchange" => (StageKind::BogieExchange, "positions"),
        other => {
            ck.report(
                &p.key("kind"),
                format!("unknown stage kind \"{other}\" (known: lanes, tracks, cranes, bogie-exchange, berths)"),
            );
            return None;
        }
    };
    let counts = [
        ("lanes", st.lanes),
        ("tracks", st.tracks),
        ("cranes", st.cranes),
        ("positions", st.positions),
        ("berths", st.berths),
    ];
    for (key, v) in counts {
        if key != count_key && v.is_some() {
            ck.report(
                &p.key(key),
                format!(
                    "a \"{kind_name}\" stage counts its servers with `{count_key}`, not `{key}`"
                ),
            );
        }
    }
    let lanes = match counts
        .iter()
        .find(|(k, _)| *k == count_key)
        .and_then(|(_, v)| *v)
    {
        Some(n) => int_in(ck, &p.key(count_key), n, 1, 100_000, count_key),
        None => {
            ck.report(
                p,
                format!("a \"{kind_name}\" stage needs `{count_key}` (how many)"),
            );
            None
        }
    };
    let handling_rate_tph = match &st.handling_rate {
        Some(r) if matches!(kind, StageKind::Lanes) => match parse_rate_per_hour(r) {
            Ok(x) if x > 0.0 => Some(x),
            Ok(_) => {
                ck.report(&p.key("handling_rate"), "must be greater than zero");
                None
            }
            Err(e) => {
                ck.report(&p.key("handling_rate"), format!("{e} (tonnes per hour)"));
                None
            }
        },
        Some(_) => {
            ck.report(
                &p.key("handling_rate"),
                format!("applies to lanes and berths stages, not \"{kind_name}\""),
            );
            None
        }
        None => None,
    };
    let service = match &st.service {
        Some(raw) => dist(ck, &p.key("service"), raw),
        // A track needs no time of its own; a berth may be timed by its handling rate alone.
        None if kind == StageKind::Tracks || handling_rate_tph.is_some() => {
            Dist::deterministic(SimDuration::ZERO).ok()
        }
        None => {
            ck.report(p, "missing field `service` (a distribution)");
            None
        }
    };
    let per_vehicle_key = match kind {
        StageKind::Cranes => Some("max_cranes_per_train"),
        StageKind::BogieExchange => Some("max_positions_per_train"),
        _ => None,
    };
    let mut max_per_vehicle = None;
    for (key, v) in [
        ("max_cranes_per_train", st.max_cranes_per_train),
        ("max_positions_per_train", st.max_positions_per_train),
    ] {
        if let Some(v) = v {
            if Some(key) == per_vehicle_key {
                max_per_vehicle = int_in(ck, &p.key(key), v, 1, 100_000, key).map(|x| x as u32);
            } else {
                ck.report(
                    &p.key(key),
                    format!("does not apply to a \"{kind_name}\" stage"),
                );
            }
        }
    }
    let daily_quota_wagons = match st.daily_quota_wagons {
        Some(q) => Some(int_in(
            ck,
            &p.key("daily_quota_wagons"),
            q,
            1,
            10_000_000,
            "daily_quota_wagons",
        )? as u32),
        None => None,
    };
    if kind.is_pooled() && st.inspection.is_some() {
        ck.report(
            &p.key("inspection"),
            "an inspection is per vehicle: put it on a lanes stage, not on a crane or bogie-exchange stage",
        );
    }
    if !matches!(kind, StageKind::Lanes) && !st.reserved_lanes.is_empty() {
        ck.report(
            &p.key("reserved_lanes"),
            format!("applies to lanes and berths stages, not \"{kind_name}\""),
        );
    }
    let stage_offset =
        parse_opt(ck, &p.key("utc_offset"), &st.utc_offset, parse_utc_offset).ok()?;
    let calendar = stage_calendar(
        ck,
        &p.key("hours"),
        &st.hours,
        stage_offset,
        None,
        ctx,
        calendars,
    );
    let daily_quota = match st.daily_quota {
        Some(q) => Some(int_in(ck, &p.key("daily_quota"), q, 1, 10_000_000, "daily_quota")? as u32),
        None => None,
    };
    let inspection = match &st.inspection {
        Some(i) => {
            let ip = p.key("inspection");
            if !(0.0..=1.0).contains(&i.probability) {
                ck.report(
                    &ip.key("probability"),
                    format!("must be between 0 and 1 (got {})", i.probability),
                );
            }
            let service = dist(ck, &ip.key("service"), &i.service);
            Some(Inspection {
                name: i.name.clone().unwrap_or_else(|| "inspection".into()),
                probability: i.probability,
                service: service?,
            })
        }
        None => None,
    };
    let holding = int_in(
        ck,
        &p.key("holding_capacity"),
        st.holding_capacity.unwrap_or(0),
        0,
        10_000_000,
        "holding_capacity",
    );
    let travel = match &st.travel {
        Some(v) => Some(dist_or_duration(ck, &p.key("travel"), v)?),
        None => None,
    };

    // Priority ranks: listed classes in order, then everyone else.
    let mut class_rank = vec![st.priority.len().min(255) as u8; n_classes.max(1)];
    let mut seen = HashSet::new();
    for (i, c) in st.priority.iter().enumerate() {
        let cp = p.key("priority").index(i);
        match class_index.get(c.as_str()) {
            Some(&ci) => {
                if !seen.insert(c) {
                    ck.report(&cp, format!("class \"{c}\" is listed twice"));
                }
                class_rank[ci as usize] = i.min(254) as u8;
            }
            None => ck.report(&cp, unknown_class(c, class_index)),
        }
    }
    // Lane groups: reserved first, general last.
    let lanes_n = lanes.unwrap_or(1) as u32;
    let mut groups = Vec::new();
    let mut reserved_total = 0u32;
    let mut reserved_mask = 0u64;
    for (c, n) in &st.reserved_lanes {
        let rp = p.key("reserved_lanes").key(c);
        if !matches!(kind, StageKind::Lanes) {
            break;
        }
        let Some(&ci) = class_index.get(c.as_str()) else {
            ck.report(&rp, unknown_class(c, class_index));
            continue;
        };
        if let Some(n) = int_in(ck, &rp, *n, 1, 100_000, "reserved lanes") {
            reserved_total += n as u32;
            reserved_mask |= 1u64 << ci;
            groups.push(LaneGroup {
                lanes: n as u32,
                class_mask: 1u64 << ci,
            });
        }
    }
    if reserved_total > lanes_n {
        ck.report(
            &p.key("reserved_lanes"),
            format!("reserves {reserved_total} lanes but the stage has only {lanes_n}"),
        );
    } else if reserved_total < lanes_n {
        groups.push(LaneGroup {
            lanes: lanes_n - reserved_total,
            class_mask: u64::MAX,
        });
    } else {
        // Every lane is reserved: classes without a reservation would never be served;
        // flows are checked against this below.
        let _ = reserved_mask;
    }
    let calendar = calendar?;
    let changes = stage_changes(
        ck,
        &p.key("changes"),
        &st.changes,
        &calendar,
        ctx,
        reserved_total,
        groups.last().is_some_and(|g| g.class_mask == u64::MAX),
    )?;
    Some(StageSpec {
        changes,
        id: st.id.clone(),
        checkpoint,
        kind,
        lanes: lanes? as u32,
        service: service?,
        max_per_vehicle,
        handling_rate_tph,
        daily_quota_wagons,
        calendar,
        daily_quota,
        inspection,
        holding_capacity: holding? as u32,
        travel,
        class_rank,
        groups,
    })
}

/// A stage's dated capacity changes, checked: dates in increasing order, each changing
/// something, lane counts that keep the reserved lanes.
fn stage_changes(
    ck: &mut Checker,
    p: &FieldPath,
    raw: &[RawChange],
    calendar: &Calendar,
    ctx: &Ctx,
    reserved: u32,
    has_general: bool,
) -> Option<Vec<StageChange>> {
    let mut out: Vec<StageChange> = Vec::new();
    let mut ok = true;
    for (i, c) in raw.iter().enumerate() {
        let cp = p.index(i);
        let Ok(date) = parse_date(&c.from).map_err(|e| ck.report(&cp.key("from"), e.to_string()))
        else {
            ok = false;
            continue;
        };
        let at = calendar.local_day_start(days_between(ctx.start_date, date).unwrap_or(0));
        if out.last().is_some_and(|prev| prev.at >= at) {
            ck.report(
                &cp.key("from"),
                "changes must be listed in date order, one per date",
            );
            ok = false;
        }
        if c.lanes.is_none() && c.daily_quota.is_none() {
            ck.report(&cp, "a change needs `lanes` or `daily_quota`");
            ok = false;
        }
        let lanes = c
            .lanes
            .and_then(|n| int_in(ck, &cp.key("lanes"), n, 1, 100_000, "lanes"))
            .map(|n| n as u32);
        if let Some(n) = lanes {
            if !has_general {
                ck.report(
                    &cp.key("lanes"),
                    "a change of lanes changes the general lanes, and every lane of this stage is reserved",
                );
                ok = false;
            } else if n <= reserved {
                ck.report(
                    &cp.key("lanes"),
                    format!(
                        "must keep the {reserved} reserved lanes and at least one shared lane (got {n})"
                    ),
                );
                ok = false;
            }
        }
        let daily_quota = c
            .daily_quota
            .and_then(|n| int_in(ck, &cp.key("daily_quota"), n, 1, 10_000_000, "daily_quota"))
            .map(|n| n as u32);
        if (c.lanes.is_some() && lanes.is_none())
            || (c.daily_quota.is_some() && daily_quota.is_none())
        {
            ok = false;
        }
        out.push(StageChange {
            at,
            lanes,
            daily_quota,
        });
    }
    ok.then_some(out)
}

fn unknown_class(c: &str, class_index: &HashMap<&str, u16>) -> String {
    let mut known: Vec<&&str> = class_index.keys().collect();
    known.sort();
    format!(
        "unknown class \"{c}\" (known classes, from flows and [classes]: {})",
        known.iter().map(|s| **s).collect::<Vec<_>>().join(", ")
    )
}

/// What checking a route needs to know about the flow and the network.
#[derive(Clone, Copy)]
struct RouteCtx<'a> {
    mode: Option<Mode>,
    mode_name: &'a str,
    class: u16,
    class_name: &'a str,
    link_modes: &'a HashMap<&'a str, &'a str>,
    cp_index: &'a HashMap<String, u32>,
    stages: &'a [StageSpec],
    checkpoints: &'a [CheckpointSpec],
}

/// A route (node ids under `p.route`) and its travel times (under `p.travel`), checked: known
/// nodes, none twice, lanes that serve the class, links of the flow's mode.
fn build_route(
    ck: &mut Checker,
    p: &FieldPath,
    route_ids: &[String],
    travel_raw: &Option<Vec<toml::Value>>,
    rc: RouteCtx,
) -> (Vec<u32>, Vec<Option<Dist>>) {
    let mut route = Vec::new();
    if route_ids.is_empty() {
        ck.report(
            &p.key("route"),
            "empty route: list at least one checkpoint id",
        );
    }
    for (i, id) in route_ids.iter().enumerate() {
        match rc.cp_index.get(id) {
            Some(&c) => {
                if route.contains(&c) {
                    ck.report(
                        &p.key("route").index(i),
                        format!("\"{id}\" appears twice in the route"),
                    );
                }
                route.push(c);
                // A class that no lane of a stage may serve would wait forever.
                for &s in &rc.checkpoints[c as usize].stages {
                    let st = &rc.stages[s as usize];
                    if !st
                        .groups
                        .iter()
                        .any(|g| g.class_mask & (1u64 << rc.class) != 0)
                    {
                        ck.report(
                            &p.key("route").index(i),
                            format!(
                                "class \"{}\" cannot be served at {}/{}: all its lanes are reserved for other classes",
                                rc.class_name,
                                id,
                                st.id
                            ),
                        );
                    }
                }
            }
            None => {
                let mut known: Vec<&String> = rc.cp_index.keys().collect();
                known.sort();
                ck.report(
                    &p.key("route").index(i),
                    format!(
                        "unknown checkpoint, link or terminal \"{id}\" (known: {})",
                        known
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }
    let mut travel: Vec<Option<Dist>> = vec![None; route_ids.len().max(1)];
    if let Some(list) = travel_raw {
        if list.len() + 1 != route_ids.len() {
            ck.report(
                &p.key("travel"),
                format!(
                    "needs one travel time between each pair of consecutive checkpoints: {} for a route of {}, got {}",
                    route_ids.len().saturating_sub(1),
                    route_ids.len(),
                    list.len()
                ),
            );
        } else {
            for (i, v) in list.iter().enumerate() {
                travel[i + 1] = dist_or_duration(ck, &p.key("travel").index(i), v);
            }
        }
    }
    // Links carry one mode each.
    if let Some(m) = rc.mode {
        for (i, id) in route_ids.iter().enumerate() {
            if let Some(&c) = rc.cp_index.get(id)
                && rc.checkpoints[c as usize].kind == NodeKind::Link
            {
                let link_mode = rc.link_modes.get(id.as_str()).copied().unwrap_or("");
                let ok = matches!(
                    (m, link_mode),
                    (Mode::Train, "rail") | (Mode::Truck, "road") | (Mode::Barge, "river")
                );
                if !ok {
                    ck.report(
                        &p.key("route").index(i),
                        format!("a {} cannot use {link_mode} link \"{id}\"", rc.mode_name),
                    );
                }
            }
        }
    }
    (route, travel)
}

#[allow(clippy::too_many_arguments)]
fn build_flow(
    ck: &mut Checker,
    p: &FieldPath,
    f: &RawFlow,
    link_modes: &HashMap<&str, &str>,
    cp_index: &HashMap<String, u32>,
    class_index: &HashMap<&str, u16>,
    stages: &[StageSpec],
    checkpoints: &[CheckpointSpec],
    start: Date,
    horizon_days: u32,
) -> Option<BuiltFlow> {
    let mode = match f.mode.as_str() {
        "truck" => Some(Mode::Truck),
        "train" => Some(Mode::Train),
        "barge" => Some(Mode::Barge),
        other => {
            ck.report(
                &p.key("mode"),
                format!("unknown mode \"{other}\" (known: truck, train, barge)"),
            );
            None
        }
    };
    let class = class_index[f.class.as_deref().unwrap_or("general")];
    let value = nonneg(ck, &p.key("value"), f.value.unwrap_or(0.0));
    let teu_per_container = f.teu_per_container.unwrap_or(2.0);
    if !(teu_per_container > 0.0 && teu_per_container <= 3.0) {
        ck.report(
            &p.key("teu_per_container"),
            format!("must be between 0 and 3 TEU (got {teu_per_container})"),
        );
    }
    // Cargo per vehicle: a train is built from wagons; trucks and barges state their load.
    let train_only = [
        ("wagons", f.wagons.is_some()),
        ("containers_per_wagon", f.containers_per_wagon.is_some()),
        ("tonnes_per_container", f.tonnes_per_container.is_some()),
        ("wagon_capacity_teu", f.wagon_capacity_teu.is_some()),
    ];
    let (wagons, containers, tonnes) = if mode == Some(Mode::Train) {
        if f.containers.is_some() {
            ck.report(
                &p.key("containers"),
                "a train's containers come from `wagons` × `containers_per_wagon`",
            );
        }
        let wagons = match f.wagons {
            Some(w) => int_in(ck, &p.key("wagons"), w, 1, 1000, "wagons"),
            None => {
                ck.report(p, "a train flow needs `wagons` (wagons per train)");
                None
            }
        };
        let cpw = int_in(
            ck,
            &p.key("containers_per_wagon"),
            f.containers_per_wagon.unwrap_or(1),
            0,
            10,
            "containers_per_wagon",
        );
        let capacity = f.wagon_capacity_teu.unwrap_or(4.0);
        if let Some(c) = cpw
            && c as f64 * teu_per_container > capacity + 1e-9
        {
            ck.report(
                &p.key("containers_per_wagon"),
                format!(
                    "{c} containers of {teu_per_container} TEU do not fit a wagon of {capacity} TEU (wagon_capacity_teu)"
                ),
            );
        }
        let containers = wagons.zip(cpw).map(|(w, c)| (w * c) as u32);
        let tonnes = match (f.tonnes, f.tonnes_per_container) {
            (Some(_), Some(_)) => {
                ck.report(
                    &p.key("tonnes"),
                    "give either `tonnes` (per train) or `tonnes_per_container`, not both",
                );
                None
            }
            (Some(t), None) => nonneg(ck, &p.key("tonnes"), t),
            (None, tpc) => nonneg(ck, &p.key("tonnes_per_container"), tpc.unwrap_or(0.0))
                .zip(containers)
                .map(|(t, c)| t * c as f64),
        };
        (wagons.map(|w| w as u32), containers, tonnes)
    } else {
        for (key, given) in train_only {
            if given {
                ck.report(
                    &p.key(key),
                    format!("applies to trains, not to a {} flow", f.mode),
                );
            }
        }
        let containers = int_in(
            ck,
            &p.key("containers"),
            f.containers.unwrap_or(0),
            0,
            100_000,
            "containers",
        )
        .map(|c| c as u32);
        (
            Some(0),
            containers,
            nonneg(ck, &p.key("tonnes"), f.tonnes.unwrap_or(0.0)),
        )
    };
    let rc = RouteCtx {
        mode,
        mode_name: &f.mode,
        class,
        class_name: f.class.as_deref().unwrap_or("general"),
        link_modes,
        cp_index,
        stages,
        checkpoints,
    };
    let (route, travel) = build_route(ck, p, &f.route, &f.travel, rc);
    let arrivals = build_arrivals(ck, &p.key("arrivals"), &f.arrivals, horizon_days);
    // Dates on the reference clock: vehicles appear from `starts`, none from `ends` on.
    let date_at = |ck: &mut Checker, key: &str, v: &Option<String>, none: SimTime| match parse_opt(
        ck,
        &p.key(key),
        v,
        parse_date,
    ) {
        Ok(Some(d)) => Some(SimTime::from_days(days_between(start, d).unwrap_or(0))),
        Ok(None) => Some(none),
        Err(()) => None,
    };
    let starts = date_at(ck, "starts", &f.starts, SimTime::ZERO);
    let ends = date_at(ck, "ends", &f.ends, SimTime::MAX);
    if let (Some(a), Some(b)) = (starts, ends)
        && b <= a
    {
        ck.report(&p.key("ends"), "must be a later date than `starts`");
    }
    let flow = FlowSpec {
        id: f.id.clone(),
        mode: mode?,
        wagons: wagons?,
        containers: containers?,
        teu_per_container,
        class,
        tonnes: tonnes?,
        value: value?,
        route,
        travel,
        arrivals: arrivals?,
        starts: starts?,
        ends: ends?,
        choice: None,
    };
    let choice = match &f.choice {
        None => None,
        Some(c) => Some(build_choice(ck, &p.key("choice"), c, &flow, rc)?),
    };
    Some((flow, choice))
}

/// A flow, and its route choice with the flows that run its alternative routes.
type BuiltFlow = (
    FlowSpec,
    Option<(RouteChoice, Vec<(FlowSpec, SimDuration)>)>,
);

/// A flow's alternative routes, checked, each as the flow that will run it (same vehicles and
/// cargo, its own route, no arrivals of its own) with its extra travel; and the choice settings
/// (its `alternatives` are filled in when the flows get their indices).
fn build_choice(
    ck: &mut Checker,
    p: &FieldPath,
    raw: &RawChoice,
    parent: &FlowSpec,
    rc: RouteCtx,
) -> Option<(RouteChoice, Vec<(FlowSpec, SimDuration)>)> {
    let mut ok = true;
    // A duration field, or its default; `ok` turns false on a bad one.
    let dur = |ck: &mut Checker, path: FieldPath, v: &Option<String>, default: SimDuration| match v
    {
        None => Some(default),
        Some(text) => parse_duration(text)
            .map_err(|e| ck.report(&path, e.to_string()))
            .ok(),
    };
    let info_every = dur(
        ck,
        p.key("info_every"),
        &raw.info_every,
        SimDuration::from_ms(15 * 60_000),
    );
    let info_delay = dur(ck, p.key("info_delay"), &raw.info_delay, SimDuration::ZERO);
    ok &= info_every.is_some() && info_delay.is_some();
    let (info_every, info_delay) = (
        info_every.unwrap_or(SimDuration::MAX),
        info_delay.unwrap_or_default(),
    );
    if info_every.is_zero() {
        ck.report(&p.key("info_every"), "must be longer than zero");
        ok = false;
    }
    let loyal_share = raw.loyal_share.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&loyal_share) {
        ck.report(
            &p.key("loyal_share"),
            format!("must be a share between 0 and 1 (got {loyal_share})"),
        );
        ok = false;
    }
    if raw.alternatives.is_empty() {
        ck.report(
            &p.key("alternatives"),
            "needs at least one alternative route",
        );
        ok = false;
    }
    let mut children = Vec::new();
    for (i, alt) in raw.alternatives.iter().enumerate() {
        let ap = p.key("alternatives").index(i);
        let (route, travel) = build_route(ck, &ap, &alt.route, &alt.travel, rc);
        if route == parent.route {
            ck.report(&ap.key("route"), "is the flow's own route");
            ok = false;
        }
        let extra = dur(
            ck,
            ap.key("extra_travel"),
            &alt.extra_travel,
            SimDuration::ZERO,
        );
        ok &= extra.is_some();
        let extra = extra.unwrap_or_default();
        let id = alt
            .id
            .clone()
            .unwrap_or_else(|| format!("{}@{}", parent.id, alt.route.join("+")));
        let mut child = parent.clone();
        child.id = id;
        child.route = route;
        child.travel = travel;
        // The detour is driven before the first gate (and counted in time in system).
        if !extra.is_zero() {
            child.travel[0] = Some(Dist::Deterministic(extra));
        }
        child.arrivals = Arrivals::Diverted;
        children.push((child, extra));
    }
    ok.then_some((
        RouteChoice {
            alternatives: Vec::new(),
            info_every,
            info_delay,
            loyal_share,
        },
        children,
    ))
}

fn profile<const N: usize>(
    ck: &mut Checker,
    p: &FieldPath,
    xs: &Option<Vec<f64>>,
    what: &str,
) -> Option<[f64; N]> {
    let Some(xs) = xs else {
        return Some([1.0; N]);
    };
    if xs.len() != N {
        ck.report(
            p,
            format!("needs exactly {N} values ({what}), got {}", xs.len()),
        );
        return None;
    }
    if let Some((i, x)) = xs
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_finite() || **x < 0.0)
    {
        ck.report(
            &p.index(i),
            format!("must be a finite number >= 0 (got {x})"),
        );
        return None;
    }
    let mut out = [0.0; N];
    out.copy_from_slice(xs);
    Some(out)
}

fn build_arrivals(
    ck: &mut Checker,
    p: &FieldPath,
    raw: &RawArrivals,
    horizon_days: u32,
) -> Option<Arrivals> {
    match raw {
        RawArrivals::Poisson {
            rate,
            hourly,
            weekday,
            monthly,
            scale,
            growth_per_year,
        } => {
            let r = match parse_rate_per_hour(rate) {
                Ok(r) => Some(r),
                Err(e) => {
                    ck.report(&p.key("rate"), e.to_string());
                    None
                }
            };
            let scale = nonneg(ck, &p.key("scale"), scale.unwrap_or(1.0));
            let h = profile::<24>(
                ck,
                &p.key("hourly"),
                hourly,
                "one per hour of the day, 00:00 first",
            );
            let w = profile::<7>(ck, &p.key("weekday"), weekday, "Monday to Sunday");
            let m = profile::<12>(ck, &p.key("monthly"), monthly, "January to December");
            let rate_per_h = r? * scale?;
            let (mut h, w, m) = (h?, w?, m?);
            if rate_per_h > MAX_RATE_PER_H {
                ck.report(
                    &p.key("rate"),
                    format!("{rate_per_h:.0} vehicles/h (after scale) is beyond what a border crossing can see; at most {MAX_RATE_PER_H:.0}/h is accepted"),
                );
                return None;
            }
            let growth = growth_per_year.unwrap_or(0.0);
            if !(growth.is_finite() && growth > -1.0 && growth <= 10.0) {
                ck.report(
                    &p.key("growth_per_year"),
                    format!("must be a share per year above -1 and at most 10, e.g. 0.23 for +23 %/yr (got {growth})"),
                );
                return None;
            }
            if hourly.is_none() && weekday.is_none() && monthly.is_none() && growth == 0.0 {
                return Some(Arrivals::Poisson { rate_per_h });
            }
            let mean_h = h.iter().sum::<f64>() / 24.0;
            if mean_h <= 0.0 {
                ck.report(
                    &p.key("hourly"),
                    "all hourly weights are zero: nothing would arrive",
                );
                return None;
            }
            for x in &mut h {
                *x /= mean_h;
            }
            let profile = RateProfile {
                rate_per_h,
                hourly: h,
                weekday: w,
                monthly: m,
                growth_per_year: growth,
            };
            if profile.peak_per_h(horizon_days) > MAX_RATE_PER_H {
                ck.report(
                    p,
                    format!(
                        "the peak rate (rate × busiest hour × weekday × month × growth) is {:.0} vehicles/h; at most {MAX_RATE_PER_H:.0}/h is accepted",
                        profile.peak_per_h(horizon_days)
                    ),
                );
                return None;
            }
            Some(Arrivals::Profiled(Box::new(profile)))
        }
        RawArrivals::Transfer {} => Some(Arrivals::Transfer),
        RawArrivals::Timetable {
            every,
            from,
            to,
            times,
            delay,
        } => {
            let delay = match delay {
                Some(d) => Some(dist(ck, &p.key("delay"), d)?),
                None => None,
            };
            let mut out = Vec::new();
            match (times, every) {
                (Some(_), Some(_)) => {
                    ck.report(
                        p,
                        "give either `times` or `every` (with `from` and `to`), not both",
                    );
                    return None;
                }
                (None, None) => {
                    ck.report(p, "a timetable needs `times = [\"08:00\", …]` or `every = \"30min\"` with `from` and `to`");
                    return None;
                }
                (Some(ts), None) => {
                    if from.is_some() || to.is_some() {
                        ck.report(p, "`from` and `to` go with `every`, not with `times`");
                    }
                    if ts.is_empty() {
                        ck.report(&p.key("times"), "needs at least one time of day");
                    }
                    for (i, t) in ts.iter().enumerate() {
                        match parse_time_of_day(t) {
                            Ok(ms) if ms < crate::time::MS_PER_DAY => out.push(ms),
                            Ok(_) => ck.report(
                                &p.key("times").index(i),
                                "24:00 is the next day's 00:00; write \"00:00\"",
                            ),
                            Err(e) => ck.report(&p.key("times").index(i), e.to_string()),
                        }
                    }
                }
                (None, Some(ev)) => {
                    let step = duration(ck, &p.key("every"), ev)?;
                    if step.as_ms() <= 0 {
                        ck.report(&p.key("every"), "must be greater than zero");
                        return None;
                    }
                    let tod = |ck: &mut Checker, key: &str, v: &Option<String>, default: &str| {
                        match parse_time_of_day(v.as_deref().unwrap_or(default)) {
                            Ok(x) => Some(x),
                            Err(e) => {
                                ck.report(&p.key(key), e.to_string());
                                None
                            }
                        }
                    };
                    let a = tod(ck, "from", from, "00:00");
                    let b = tod(ck, "to", to, "24:00");
                    let (a, b) = (a?, b?);
                    if b < a {
                        ck.report(
                            &p.key("to"),
                            "must not be before `from` (a timetable runs within one day)",
                        );
                        return None;
                    }
                    let mut t = a;
                    while t <= b
                        && t < crate::time::MS_PER_DAY
                        && out.len() <= MAX_TIMETABLE_PER_DAY
                    {
                        out.push(t);
                        t += step.as_ms();
                    }
                }
            }
            if out.len() > MAX_TIMETABLE_PER_DAY {
                ck.report(
                    p,
                    format!(
                        "{} departures a day; at most {MAX_TIMETABLE_PER_DAY} are accepted",
                        out.len()
                    ),
                );
                return None;
            }
            out.sort_unstable();
            out.dedup();
            Some(Arrivals::Timetable {
                times_ms: out,
                delay,
            })
        }
    }
}
