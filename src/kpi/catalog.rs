//! The KPI catalogue: the named scalar results of one replication, per entity (the whole
//! system, each checkpoint, link, terminal and stage, each flow and cargo class), in a fixed
//! order. `runs.csv`, `summary.*` and the JSON document name their KPIs from here; the text and
//! HTML reports pick the ones they show by these names.
//!
//! Missing, not zero: a statistic that does not exist in a replication — a mean or quantile of
//! waits where nobody was served, a utilisation where no lane was open — is NaN here, never 0.
//! The fold over replications skips it ([`crate::kpi::Cell::fold`]) and counts the replications
//! that had it (`n`); the outputs show a missing estimate as null or "—". Counts (arrivals,
//! served, backlog, vehicles over their limit) are real zeros.

use super::overload::{self, Flags};
use crate::model::{
    Blocks, EntityStats, Levels, Model, NodeKind, RepResult, StageKind, StageResult, YearResult,
    YearStats,
};
use crate::stats::Histogram;
use crate::time::{Buckets, MS_PER_DAY, MS_PER_HOUR};

/// What a set of results describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    /// All flows together.
    System,
    /// A checkpoint.
    Checkpoint,
    /// A stage of a checkpoint, link or terminal ("node/stage").
    Stage,
    /// A link between nodes of routes.
    Link,
    /// A terminal (mode change).
    Terminal,
    /// A flow.
    Flow,
    /// A cargo class.
    Class,
    /// A crossing × mode row ("khorgos-road-out/truck").
    Crossing,
}

impl EntityKind {
    /// The name used in files ("system", "checkpoint", "stage", "flow", "class").
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::System => "system",
            EntityKind::Checkpoint => "checkpoint",
            EntityKind::Stage => "stage",
            EntityKind::Link => "link",
            EntityKind::Terminal => "terminal",
            EntityKind::Flow => "flow",
            EntityKind::Class => "class",
            EntityKind::Crossing => "crossing",
        }
    }
    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<EntityKind> {
        Some(match s {
            "system" => EntityKind::System,
            "checkpoint" => EntityKind::Checkpoint,
            "stage" => EntityKind::Stage,
            "link" => EntityKind::Link,
            "terminal" => EntityKind::Terminal,
            "flow" => EntityKind::Flow,
            "class" => EntityKind::Class,
            "crossing" => EntityKind::Crossing,
            _ => return None,
        })
    }
}

/// The scalar results of one entity in one replication, in a fixed order.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityValues {
    /// What the entity is.
    pub kind: EntityKind,
    /// Its id.
    pub id: String,
    /// (KPI name, value); hour-of-day waits are named `wait_by_hour_h.HH`.
    pub values: Vec<(String, f64)>,
}

/// Prefix of the hour-of-day wait KPIs (`wait_by_hour_h.07` = mean wait of arrivals 07:00–08:00).
pub const HOUR_PREFIX: &str = "wait_by_hour_h.";

const H: f64 = MS_PER_HOUR as f64;

type Values = Vec<(String, f64)>;

fn push(out: &mut Values, name: &str, v: f64) {
    out.push((name.to_string(), v));
}

/// `x` if the statistic exists (`exists`), else NaN: missing, not zero.
fn or_missing(exists: bool, x: impl FnOnce() -> f64) -> f64 {
    if exists { x() } else { f64::NAN }
}

/// `part / whole`, missing when `whole` is 0 (a share of nothing).
fn ratio(part: f64, whole: f64) -> f64 {
    or_missing(whole > 0.0, || part / whole)
}

/// Scalar KPIs of a vehicle-level statistic, in report order. The wait and time-in-system
/// statistics are missing where no vehicle was recorded.
fn kpi_metrics(k: &EntityStats, measured_days: f64, out: &mut Values) {
    let (w, s) = (&k.wait, &k.time_in_system);
    let wait = |x: fn(&Histogram) -> f64| or_missing(!w.is_empty(), || x(w) / H);
    let tis = |x: fn(&Histogram) -> f64| or_missing(!s.is_empty(), || x(s) / H);
    for (name, v) in [
        ("arrivals", k.arrivals as f64),
        ("served", k.served as f64),
        ("backlog_end", k.backlog_end as f64),
        ("backlog_tonnes_end", k.backlog_cargo.tonnes),
        ("backlog_containers_end", k.backlog_cargo.containers),
        ("backlog_teu_end", k.backlog_cargo.teu),
        ("served_per_day", k.served as f64 / measured_days),
        ("tonnes_per_day", k.tonnes / measured_days),
        ("wagons_per_day", k.wagons / measured_days),
        ("containers_per_day", k.containers / measured_days),
        ("teu_per_day", k.teu / measured_days),
        ("wait_mean_h", wait(|w| w.mean())),
        ("wait_p50_h", wait(|w| w.quantile(0.5))),
        ("wait_p95_h", wait(|w| w.quantile(0.95))),
        ("wait_p99_h", wait(|w| w.quantile(0.99))),
        ("wait_max_h", wait(|w| w.max() as f64)),
        (
            "waited_share",
            ratio(w.count_above(0) as f64, w.count() as f64),
        ),
        ("time_in_system_mean_h", tis(|s| s.mean())),
        ("time_in_system_p95_h", tis(|s| s.quantile(0.95))),
        ("over_limit", k.over_limit as f64),
        ("departures_per_day", k.departures as f64 / measured_days),
    ] {
        push(out, name, v);
    }
}

fn hour_metrics(k: &EntityStats, out: &mut Values) {
    for (h, m) in k.wait_by_hour.means().iter().enumerate() {
        if let Some(m) = m {
            out.push((format!("{HOUR_PREFIX}{h:02}"), *m / H));
        }
    }
}

/// Prefix of the per-year KPIs: `y2027.served_per_day` is served per day in calendar year 2027.
pub const YEAR_PREFIX: char = 'y';

/// Per-year KPIs of entity `pick(year)` for runs whose measured span is longer than a year.
fn year_metrics(r: &RepResult, pick: impl Fn(&YearResult) -> YearStats, out: &mut Values) {
    for y in &r.years {
        let k = pick(y);
        let days = y.days.max(1e-9);
        let waited = k.waits > 0;
        for (name, v) in [
            ("served_per_day", k.served as f64 / days),
            ("tonnes_per_day", k.tonnes / days),
            ("teu_per_day", k.teu / days),
            (
                "wait_mean_h",
                ratio(k.wait_sum_ms as f64, k.waits as f64) / H,
            ),
            ("wait_p95_h", or_missing(waited, || k.wait_p95_ms / H)),
        ] {
            out.push((format!("{YEAR_PREFIX}{}.{name}", y.year), v));
        }
    }
}

/// Metres of road a queued vehicle at node `node` takes: `mpv` where trucks pass it, NaN (the
/// road queue in km is missing, not zero) where only trains or barges do — they queue on tracks
/// and rivers, not on the road.
fn road_metres(model: &Model, node: usize, mpv: f64) -> f64 {
    let trucks = model
        .flows
        .iter()
        .any(|f| f.mode == crate::model::Mode::Truck && f.route.contains(&(node as _)));
    if trucks { mpv } else { f64::NAN }
}

/// Scalar KPIs of time-weighted levels, in report order.
fn level_metrics(l: &Levels, end_ms: i64, m_per_vehicle: f64, out: &mut Values) {
    let km = m_per_vehicle / 1000.0;
    for (name, v) in [
        ("queue_mean", l.queue.mean(end_ms)),
        ("queue_max", l.queue.max() as f64),
        ("queue_km_mean", l.road.mean(end_ms) * km),
        ("queue_km_max", l.road.max() as f64 * km),
        ("in_system_mean", l.in_system.mean(end_ms)),
        ("blocked_mean", l.blocked.mean(end_ms)),
    ] {
        push(out, name, v);
    }
}

/// Blocked server-time over busy-or-blocked server-time: the share of the time its servers hold
/// a vehicle that a stage loses to blocking (missing if they never held one).
fn blocked_share(l: &Levels, end_ms: i64) -> f64 {
    let blocked = l.blocked.area(end_ms) as f64;
    ratio(blocked, l.busy.area(end_ms) as f64 + blocked)
}

/// Busy lane-time inside open lane-time over open lane-time (never above 1: overtime is apart);
/// missing if no lane was open after the warm-up.
fn utilization(s: &StageResult) -> f64 {
    ratio(s.busy_open_lane_ms as f64, s.open_lane_ms as f64)
}

/// The largest of the values that exist (missing if none does).
fn max_present(xs: impl Iterator<Item = f64>) -> f64 {
    xs.filter(|x| x.is_finite())
        .reduce(f64::max)
        .unwrap_or(f64::NAN)
}

/// The scalar results of one replication: system, checkpoints, stages, flows, classes.
pub fn rep_values(model: &Model, r: &RepResult) -> Vec<EntityValues> {
    let end = model.horizon().as_ms();
    let mpv = model.metres_per_vehicle;
    let days = (r.measured_ms as f64 / MS_PER_DAY as f64).max(1e-9);
    let mut out = Vec::with_capacity(1 + model.checkpoints.len() * 3 + model.flows.len());
    // Overload: each stage's static reasons and trend test; a node carries its stages' reasons,
    // the system its nodes'.
    let statics = model.overloads();
    let per_day = |k: &EntityStats| k.arrivals as f64 / days;
    let stage_flags: Vec<Flags> = r
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let g = overload::growth(&s.inside_blocks, per_day(&s.kpi));
            Flags::of_stage(&statics, i, g)
        })
        .collect();
    let node_flags: Vec<Flags> = model
        .checkpoints
        .iter()
        .zip(&r.checkpoints)
        .map(|(cp, c)| {
            let g = overload::growth(&c.inside_blocks, per_day(&c.kpi));
            let mut f = Flags::of_trend(Some(g));
            for &s in &cp.stages {
                f.join(&stage_flags[s as usize]);
            }
            f
        })
        .collect();
    let mut system_flags = Flags::of_trend(None);
    node_flags.iter().for_each(|f| system_flags.join(f));
    // A flow is overloaded where a node of its route is (its vehicles queue there, so its waits
    // grow with the run too; vehicles that chose another route are that route's flow's) unless
    // those nodes visibly pile up while its own vehicles clearly stay steady (priority there), or
    // where its own vehicles grow; a flow that had no vehicle is not; a class is overloaded
    // where one of its flows is; a crossing row where a node its vehicles pass is.
    let joined = |nodes: &mut dyn Iterator<Item = usize>| {
        let mut f = Flags::of_trend(None);
        nodes.for_each(|n| f.join(&node_flags[n]));
        f
    };
    let piles_up = |route: &[u32]| route.iter().all(|&n| node_flags[n as usize].piles_up());
    let own = |blocks: &Blocks, k: &EntityStats| {
        (!blocks.means.is_empty()).then(|| {
            let per_day = per_day(k);
            (
                overload::growth(blocks, per_day),
                overload::steady(blocks, per_day),
            )
        })
    };
    let flow_flags: Vec<Flags> = model
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let nodes = joined(&mut f.route.iter().map(|&n| n as usize));
            let blocks = r.flow_inside_blocks.get(i).cloned().unwrap_or_default();
            let k = &r.flows[i];
            let no_vehicle = k.arrivals == 0
                && k.departures == 0
                && k.backlog_end == 0
                && blocks.means.iter().all(|&m| m == 0.0);
            if no_vehicle {
                return Flags::of_vehicles(&Flags::default(), None, false);
            }
            Flags::of_vehicles(&nodes, own(&blocks, k), piles_up(&f.route))
        })
        .collect();
    let class_flags = |c: usize| {
        let of_class = || {
            model
                .flows
                .iter()
                .enumerate()
                .filter(move |(_, spec)| spec.class as usize == c)
                .map(|(i, _)| i)
        };
        // Its vehicles in the system: its flows' together (a time average of a sum is the sum).
        let mut blocks = Blocks::default();
        for i in of_class() {
            let b = r.flow_inside_blocks.get(i).cloned().unwrap_or_default();
            if blocks.means.is_empty() {
                blocks = b;
            } else if b.means.len() == blocks.means.len() {
                blocks
                    .means
                    .iter_mut()
                    .zip(&b.means)
                    .for_each(|(a, x)| *a += x);
            }
        }
        let rate =
            (!blocks.means.is_empty()).then(|| overload::growth(&blocks, per_day(&r.classes[c])).0);
        Flags::of_class(of_class().map(|i| &flow_flags[i]), rate)
    };

    // The whole system: every flow's vehicles together.
    // Cargo counts once, where it is delivered: a flow that hands its cargo on at a terminal
    // moves it but does not deliver it.
    let mut all = EntityStats::default();
    for (i, f) in r.flows.iter().enumerate() {
        if model.hands_on(i) {
            all.merge_moved(f);
        } else {
            all.merge(f);
        }
    }
    let mut v = Vec::with_capacity(48);
    kpi_metrics(&all, days, &mut v);
    push(&mut v, "value_per_day_usd", all.value / days);
    super::modes::system_metrics(model, r, days, &mut v);
    hour_metrics(&all, &mut v);
    year_metrics(r, |y| y.system, &mut v);
    system_flags.push(&mut v);
    out.push(EntityValues {
        kind: EntityKind::System,
        id: "all".into(),
        values: v,
    });

    for (i, cp) in model.checkpoints.iter().enumerate() {
        let c = &r.checkpoints[i];
        let mut v = Vec::with_capacity(48);
        kpi_metrics(&c.kpi, days, &mut v);
        level_metrics(&c.levels, end, road_metres(model, i, mpv), &mut v);
        // A checkpoint is as busy as its bottleneck stage (among those that were open).
        let util = max_present(
            cp.stages
                .iter()
                .map(|&s| utilization(&r.stages[s as usize])),
        );
        push(&mut v, "utilization", util);
        // Staff: the staffed stages' lane-hours (a receiving track is not staff).
        if cp.kind != NodeKind::Link {
            let staffed = || {
                cp.stages
                    .iter()
                    .filter(|&&s| model.stages[s as usize].kind != StageKind::Tracks)
                    .map(|&s| &r.stages[s as usize])
            };
            let staff: i128 = staffed().map(|s| s.open_lane_ms).sum();
            let overtime: i128 = staffed().map(|s| s.overtime_lane_ms).sum();
            push(&mut v, "staff_lane_hours_per_day", staff as f64 / H / days);
            push(
                &mut v,
                "overtime_lane_hours_per_day",
                overtime as f64 / H / days,
            );
        }
        // Days on which any stage ran out of its quota, each counted once. Its stages may keep
        // different clocks, so the days are the reference clock's (at most the measured days).
        let day = Buckets::days(0);
        let mut quota_days: Vec<i64> = cp
            .stages
            .iter()
            .flat_map(|&s| r.stages[s as usize].quota_out_at.iter())
            .map(|t| day.of(t.as_ms()))
            .collect();
        quota_days.sort_unstable();
        quota_days.dedup();
        push(&mut v, "quota_days_exhausted", quota_days.len() as f64);
        push(&mut v, "held_outside", c.kpi.held_outside as f64);
        // Where the queue stands: vehicles inside the crossing (waiting off the road, or blocked
        // on a lane), the rest being `queue_km_*` on the road.
        push(
            &mut v,
            "queue_inside_mean",
            (c.levels.queue.mean(end) - c.levels.road.mean(end)).max(0.0)
                + c.levels.blocked.mean(end),
        );
        // Gauge-change equipment (cranes, bogie positions): the busiest such stage.
        let pooled: Vec<f64> = cp
            .stages
            .iter()
            .filter(|&&s| model.stages[s as usize].kind.is_pooled())
            .map(|&s| utilization(&r.stages[s as usize]))
            .collect();
        if !pooled.is_empty() {
            push(&mut v, "crane_utilization", max_present(pooled.into_iter()));
        }
        super::modes::link_metrics(model, r, i, &mut v);
        hour_metrics(&c.kpi, &mut v);
        year_metrics(r, |y| y.checkpoints[i], &mut v);
        node_flags[i].push(&mut v);
        out.push(EntityValues {
            kind: match cp.kind {
                NodeKind::Checkpoint => EntityKind::Checkpoint,
                NodeKind::Link => EntityKind::Link,
                NodeKind::Terminal => EntityKind::Terminal,
            },
            id: cp.id.clone(),
            values: v,
        });
    }
    for (i, spec) in model.stages.iter().enumerate() {
        let s = &r.stages[i];
        let mut v = Vec::with_capacity(48);
        kpi_metrics(&s.kpi, days, &mut v);
        let node = spec.checkpoint as usize;
        level_metrics(&s.levels, end, road_metres(model, node, mpv), &mut v);
        push(&mut v, "utilization", utilization(s));
        push(&mut v, "blocked_share", blocked_share(&s.levels, end));
        // A link's "lanes" are room for every vehicle on it, not staff.
        if model.checkpoints[spec.checkpoint as usize].kind != NodeKind::Link {
            push(
                &mut v,
                "staff_lane_hours_per_day",
                s.open_lane_ms as f64 / H / days,
            );
            push(
                &mut v,
                "overtime_lane_hours_per_day",
                s.overtime_lane_ms as f64 / H / days,
            );
        }
        push(
            &mut v,
            "quota_days_exhausted",
            s.quota_days_exhausted as f64,
        );
        push(&mut v, "held_outside", s.kpi.held_outside as f64);
        hour_metrics(&s.kpi, &mut v);
        stage_flags[i].push(&mut v);
        out.push(EntityValues {
            kind: EntityKind::Stage,
            id: format!(
                "{}/{}",
                model.checkpoints[spec.checkpoint as usize].id, spec.id
            ),
            values: v,
        });
    }
    let vehicle_level = |kind, id: String, k: &EntityStats| {
        let mut v = Vec::with_capacity(40);
        kpi_metrics(k, days, &mut v);
        push(&mut v, "value_per_day_usd", k.value / days);
        hour_metrics(k, &mut v);
        EntityValues {
            kind,
            id,
            values: v,
        }
    };
    for (i, f) in model.flows.iter().enumerate() {
        let mut e = vehicle_level(EntityKind::Flow, f.id.clone(), &r.flows[i]);
        year_metrics(r, |y| y.flows[i], &mut e.values);
        flow_flags[i].push(&mut e.values);
        out.push(e);
    }
    for (i, c) in model.classes.iter().enumerate() {
        let mut e = vehicle_level(EntityKind::Class, c.id.clone(), &r.classes[i]);
        class_flags(i).push(&mut e.values);
        out.push(e);
    }
    out.extend(super::crossings::crossing_values(
        model,
        r,
        days,
        end,
        |nodes| Flags::of_vehicles(&joined(nodes), None, false),
    ));
    out
}
