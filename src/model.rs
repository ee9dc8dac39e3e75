//! The border: checkpoints made of stages (lanes, service times, operating hours, daily quotas,
//! inspections, holding areas, neutral-zone travel), cargo classes with priorities and reserved
//! lanes, and flows of vehicles along routes — as a state machine on the [`engine`](crate::engine).
//!
//! A [`Model`] is the validated, immutable description (built by `scenario` from TOML, or by hand
//! in code); [`simulate`] runs one replication of it and returns raw per-entity results.
//!
//! Rules a reader needs to trust the numbers:
//! - A vehicle's *wait* at a stage is the time from its arrival at the stage to its service start.
//!   A checkpoint's wait is the sum over its stages; a flow's, over its whole route.
//! - Operating hours are half-open windows `[open, close)`: a vehicle arriving exactly at the
//!   opening may start at once; at the closing instant no service starts; a service in progress at
//!   closing finishes. Events at the same instant run in the order they were scheduled, but the
//!   queue discipline does not depend on that order: a vehicle arriving at the opening instant
//!   joins the queue behind those already waiting (same rank), and a lane freed at an instant
//!   goes to the queue before the vehicle that freed it moves on.
//! - A daily quota counts service starts per local calendar day of the stage; a vehicle that
//!   finds the day's quota used waits for the next local day.
//! - Queue discipline: non-preemptive priority by class rank (classes listed in `priority` first,
//!   in list order; the rest after them), first come first served within a rank. Reserved lanes
//!   serve only their classes; the other lanes serve every class. An arriving vehicle takes a free
//!   reserved lane of its class first, then a free general lane.
//! - Warm-up: vehicles created before the warm-up end are left out of every count and
//!   distribution; time averages (queues, utilisation) start at the warm-up end.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::Exp1;

use crate::calendar::{Calendar, OpenState};
use crate::dist::{Dist, Drawn};
use crate::engine::{EventQueue, Handler, Rng, run_before, stream};
use crate::stats::{Distribution, HourProfile, TimeWeighted};
use crate::time::{Date, MS_PER_DAY, MS_PER_HOUR, SimDuration, SimTime};

/// Transport mode of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Road trucks.
    Truck,
    /// Container trains.
    Train,
    /// River barges.
    Barge,
}

/// What a node of a route is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A border crossing point (road checkpoint or rail border station).
    Checkpoint,
    /// A line, road or river section between nodes, with a travel time and optional capacity.
    Link,
    /// A terminal where cargo may change mode.
    Terminal,
}

/// The resource a stage is made of, and what one unit of service is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageKind {
    /// Lanes (booths, teams, berths): one vehicle per lane for its service time.
    Lanes,
    /// Receiving–departure tracks: a train keeps its track until it leaves the checkpoint.
    Tracks,
    /// Pooled servers that each handle one container at a time (gantry cranes, reach stackers).
    Cranes,
    /// Pooled servers that each handle one wagon at a time (bogie-exchange positions).
    BogieExchange,
}

/// A cargo class (general, perishable, hazardous, …).
#[derive(Clone, Debug)]
pub struct ClassSpec {
    /// Class name.
    pub id: String,
    /// Longest acceptable total wait; vehicles beyond it are counted as over the limit.
    pub max_wait: Option<SimDuration>,
}

/// A node of a route — a border crossing point, a link or a terminal: an ordered chain of stages.
#[derive(Clone, Debug)]
pub struct CheckpointSpec {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the node is.
    pub kind: NodeKind,
    /// Indices into [`Model::stages`], in the order vehicles pass them.
    pub stages: Vec<u32>,
    /// For a terminal: the flow whose vehicles carry the cargo on from here.
    pub transfer_to: Option<u32>,
}

/// Extra service a share of vehicles gets on the same lane (X-ray, phytosanitary check).
#[derive(Clone, Debug)]
pub struct Inspection {
    /// Name, for reports.
    pub name: String,
    /// Probability that a vehicle is inspected, in [0, 1].
    pub probability: f64,
    /// Extra service time.
    pub service: Dist,
}

/// A set of lanes: either open to every class, or reserved for some.
#[derive(Clone, Debug)]
pub struct LaneGroup {
    /// Number of lanes in the group.
    pub lanes: u32,
    /// Bit mask of the class indices it serves (all bits set for general lanes).
    pub class_mask: u64,
}

/// One step of a checkpoint: parallel lanes with a service time under operating hours.
#[derive(Clone, Debug)]
pub struct StageSpec {
    /// Identifier, unique within its checkpoint.
    pub id: String,
    /// Index of the checkpoint it belongs to.
    pub checkpoint: u32,
    /// The resource and its unit of work.
    pub kind: StageKind,
    /// Servers: lanes, tracks, cranes or positions (sum over `groups`).
    pub lanes: u32,
    /// Service time per vehicle (lanes, tracks) or per container / wagon move (cranes, bogies).
    pub service: Dist,
    /// Most cranes/positions working on one vehicle at once (pooled stages).
    pub max_per_vehicle: Option<u32>,
    /// Cargo handling rate [t/h]: adds tonnes ÷ rate to a vehicle's service (berths).
    pub handling_rate_tph: Option<f64>,
    /// Maximum wagons admitted per local day.
    pub daily_quota_wagons: Option<u32>,
    /// Operating hours on the stage's clock.
    pub calendar: Calendar,
    /// Maximum service starts per local day.
    pub daily_quota: Option<u32>,
    /// Optional extra service for a share of vehicles.
    pub inspection: Option<Inspection>,
    /// Vehicles that can wait off the road; the rest of the queue stands on the road.
    pub holding_capacity: u32,
    /// Driving time from the previous stage (or the checkpoint gate) to this one.
    pub travel: Option<Dist>,
    /// Priority rank per class index (0 = served first).
    pub class_rank: Vec<u8>,
    /// Lane groups: reserved groups first, the general group last.
    pub groups: Vec<LaneGroup>,
    /// Capacity changes on dates, in time order.
    pub changes: Vec<StageChange>,
}

/// A change of a stage's capacity from an instant on (new lanes, a new quota).
#[derive(Clone, Debug, PartialEq)]
pub struct StageChange {
    /// When it takes effect (local midnight of its date on the stage's clock).
    pub at: SimTime,
    /// New number of servers (the general lanes change; reserved lanes stay).
    pub lanes: Option<u32>,
    /// New daily quota.
    pub daily_quota: Option<u32>,
}

impl StageSpec {
    /// Servers of the stage at `t`, after the changes up to `t`.
    pub fn lanes_at(&self, t: SimTime) -> u32 {
        self.changes
            .iter()
            .take_while(|c| c.at <= t)
            .filter_map(|c| c.lanes)
            .last()
            .unwrap_or(self.lanes)
    }

    /// Daily quota of the stage at `t`, after the changes up to `t`.
    pub fn daily_quota_at(&self, t: SimTime) -> Option<u32> {
        self.changes
            .iter()
            .take_while(|c| c.at <= t)
            .filter_map(|c| c.daily_quota)
            .last()
            .or(self.daily_quota)
    }

    /// Open server-time in [from, to): open hours × servers, piece by piece between changes.
    pub fn open_lane_ms(&self, from: SimTime, to: SimTime) -> i128 {
        let mut total = 0i128;
        let mut start = from;
        let mut lanes = self.lanes_at(from);
        for c in self.changes.iter().filter(|c| c.at > from && c.at < to) {
            total += self.calendar.open_duration(start, c.at).as_ms() as i128 * lanes as i128;
            start = c.at;
            lanes = c.lanes.unwrap_or(lanes);
        }
        total + self.calendar.open_duration(start, to).as_ms() as i128 * lanes as i128
    }
}

/// Arrival process of a flow.
#[derive(Clone, Debug)]
pub enum Arrivals {
    /// Poisson arrivals at a constant rate [vehicles/h].
    Poisson {
        /// Rate [vehicles/h].
        rate_per_h: f64,
    },
    /// Non-homogeneous Poisson: rate × hour-of-day shape × weekday × month, by thinning.
    Profiled(Box<RateProfile>),
    /// The same list of times every day [ms after midnight, reference clock], sorted, each
    /// departure late by an optional random delay.
    Timetable {
        /// Departure times of day [ms].
        times_ms: Vec<i64>,
        /// Random lateness of each departure.
        delay: Option<Dist>,
    },
    /// No arrivals of its own: vehicles are created by a terminal transferring cargo to this flow.
    Transfer,
    /// No arrivals of its own: vehicles of another flow that chose this flow's route (see
    /// [`RouteChoice`]).
    Diverted,
}

/// How a flow's vehicles choose among alternative routes (crossings).
///
/// The rule: a share `loyal_share` of vehicles always keeps the flow's own route. Each other
/// vehicle, when it appears, takes the route with the least expected time, ties to the flow's
/// own route. A route's expected time is its `extra_travel`, plus for each of its nodes the mean
/// travel to it, and for each stage the mean neutral-zone travel, the time until the stage opens
/// (hours are public), the drain time of the queue it can see — vehicles waiting ÷ the
/// stage's service rate (servers ÷ mean service × the share of the coming 24 h the stage is
/// open, capped by the daily quota spread over the day) — and the mean service. The queue it sees is the one published at the last multiple of
/// `info_every` that is at least `info_delay` old (an e-queue website updated every 15 minutes,
/// or word of mouth hours late).
#[derive(Clone, Debug)]
pub struct RouteChoice {
    /// The other routes, each run as its own flow (`Arrivals::Diverted`).
    pub alternatives: Vec<Alternative>,
    /// Queue figures are published this often.
    pub info_every: SimDuration,
    /// A published figure reaches drivers this late.
    pub info_delay: SimDuration,
    /// Share of vehicles that always keep the flow's own route, in [0, 1].
    pub loyal_share: f64,
}

/// One alternative route of a [`RouteChoice`].
#[derive(Clone, Debug)]
pub struct Alternative {
    /// Index of the flow that runs this route.
    pub flow: u32,
    /// Extra driving to reach this route compared with the flow's own (a detour): the vehicle
    /// drives it (the alternative flow's `travel[0]`) before reaching the first gate.
    pub extra_travel: SimDuration,
}

/// A time-varying arrival rate.
#[derive(Clone, Debug)]
pub struct RateProfile {
    /// Base rate [vehicles/h].
    pub rate_per_h: f64,
    /// Hour-of-day multipliers, mean 1.
    pub hourly: [f64; 24],
    /// Weekday multipliers, Monday first.
    pub weekday: [f64; 7],
    /// Month multipliers, January first.
    pub monthly: [f64; 12],
    /// Demand growth per year (0.23 = +23 % a year), compounded day by day from day 0.
    pub growth_per_year: f64,
}

impl RateProfile {
    /// The highest instantaneous rate over the first `days` days [vehicles/h]: the thinning
    /// envelope.
    pub fn peak_per_h(&self, days: u32) -> f64 {
        let mx = |xs: &[f64]| xs.iter().cloned().fold(0.0, f64::max);
        let growth = self.growth(0).max(self.growth(days as i64));
        self.rate_per_h * mx(&self.hourly) * mx(&self.weekday) * mx(&self.monthly) * growth
    }

    /// Growth factor of simulated day `day`: (1 + growth)^(day / 365).
    pub fn growth(&self, day: i64) -> f64 {
        if self.growth_per_year == 0.0 {
            1.0
        } else {
            (1.0 + self.growth_per_year).powf(day as f64 / 365.0)
        }
    }

    /// Weekday × month × growth factor of simulated day `day` (the hour-of-day factor aside).
    pub fn day_factor(&self, start: Date, day: i64) -> f64 {
        let (wd, mo) = day_factors_index(start, day);
        self.weekday[wd] * self.monthly[mo] * self.growth(day)
    }
}

/// A stream of vehicles of one mode and class along a route.
#[derive(Clone, Debug)]
pub struct FlowSpec {
    /// Identifier.
    pub id: String,
    /// Transport mode.
    pub mode: Mode,
    /// Cargo class index.
    pub class: u16,
    /// Cargo per vehicle [t].
    pub tonnes: f64,
    /// Cargo value per vehicle [USD].
    pub value: f64,
    /// Wagons per vehicle (trains; 0 otherwise).
    pub wagons: u32,
    /// Containers per vehicle.
    pub containers: u32,
    /// TEU per container.
    pub teu_per_container: f64,
    /// Node indices (checkpoints, links, terminals) in order.
    pub route: Vec<u32>,
    /// Travel before each route leg. `travel[0]` is `None` (vehicles appear at the first gate)
    /// except for a route-choice alternative, where it is the detour to reach that route.
    pub travel: Vec<Option<Dist>>,
    /// Arrival process.
    pub arrivals: Arrivals,
    /// Vehicles appear from this instant (a flow starting on a date; `SimTime::ZERO` otherwise).
    pub starts: SimTime,
    /// No vehicle appears at or after this instant (`SimTime::MAX` if the flow never ends).
    pub ends: SimTime,
    /// Alternative routes its vehicles may choose.
    pub choice: Option<Box<RouteChoice>>,
}

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Horizon [days].
    pub days: u32,
    /// Warm-up [days], less than `days`.
    pub warmup_days: u32,
    /// Base seed.
    pub seed: u64,
    /// Number of replications.
    pub replications: u32,
    /// Date of simulated day 0.
    pub start_date: Date,
    /// Road queue length per waiting vehicle [m].
    pub metres_per_vehicle: f64,
    /// Step of the time series written for reports (`run --series`, sweep `detail/`).
    pub series_step: SimDuration,
    /// Cargo classes.
    pub classes: Vec<ClassSpec>,
    /// Checkpoints.
    pub checkpoints: Vec<CheckpointSpec>,
    /// All stages of all checkpoints.
    pub stages: Vec<StageSpec>,
    /// Flows.
    pub flows: Vec<FlowSpec>,
}

impl Model {
    /// The end of the simulated horizon.
    pub fn horizon(&self) -> SimTime {
        SimTime::from_days(self.days as i64)
    }
    /// The end of the warm-up.
    pub fn warmup_end(&self) -> SimTime {
        SimTime::from_days(self.warmup_days as i64)
    }

    /// Mean arrival rate of a flow over the horizon [vehicles/h].
    pub fn mean_rate_per_h(&self, flow: &FlowSpec) -> f64 {
        match &flow.arrivals {
            Arrivals::Poisson { rate_per_h } => *rate_per_h * self.active_share(flow),
            Arrivals::Profiled(p) => {
                // Average of weekday × month × growth factors over the flow's simulated days.
                let days = self.days.max(1) as i64;
                let active = |d: i64| {
                    let t = SimTime::from_days(d);
                    t >= SimTime::from_days(flow.starts.day_index()) && t < flow.ends
                };
                let mut sum = 0.0;
                for d in (0..days).filter(|&d| active(d)) {
                    sum += p.day_factor(self.start_date, d);
                }
                p.rate_per_h * sum / days as f64
            }
            Arrivals::Timetable { times_ms, .. } => {
                times_ms.len() as f64 / 24.0 * self.active_share(flow)
            }
            // Fed by a terminal or by a route choice: its rate is that of the feeding flows.
            Arrivals::Transfer | Arrivals::Diverted => 0.0,
        }
    }

    /// True if the measured span is longer than a year, so results are also given per calendar
    /// year.
    pub fn reports_years(&self) -> bool {
        self.days.saturating_sub(self.warmup_days) > 366
    }

    /// Share of the horizon during which a flow's vehicles appear (its `starts`..`ends`).
    pub fn active_share(&self, flow: &FlowSpec) -> f64 {
        let h = self.horizon();
        let (a, b) = (flow.starts.min(h), flow.ends.min(h));
        if b <= a || h == SimTime::ZERO {
            0.0
        } else {
            b.since(a).as_ms() as f64 / h.as_ms() as f64
        }
    }

    /// Stages whose offered load exceeds their capacity over open hours (or their daily quota):
    /// their queues grow without bound. One readable line per stage.
    pub fn overload_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let horizon = self.horizon();
        for s in &self.stages {
            let cp = &self.checkpoints[s.checkpoint as usize];
            // Tracks are held through later stages and links have room for all: neither has a
            // capacity of its own to compare with.
            if s.kind == StageKind::Tracks || cp.kind == NodeKind::Link {
                continue;
            }
            let through: Vec<&FlowSpec> = self
                .flows
                .iter()
                .filter(|f| f.route.contains(&s.checkpoint))
                .collect();
            let rate: f64 = through.iter().map(|f| self.mean_rate_per_h(f)).sum();
            if rate <= 0.0 {
                continue;
            }
            // Offered work [server-hours per hour]: per vehicle, its service (per container or
            // wagon at pooled stages), inspection and handling.
            let h = MS_PER_HOUR as f64;
            let work: f64 = through
                .iter()
                .map(|f| {
                    let units = match s.kind {
                        StageKind::Cranes => f.containers as f64,
                        StageKind::BogieExchange => f.wagons as f64,
                        _ => 1.0,
                    };
                    let mut per = s.service.mean_ms() / h * units;
                    if let Some(i) = &s.inspection {
                        per += i.probability * i.service.mean_ms() / h;
                    }
                    if let Some(r) = s.handling_rate_tph {
                        per += f.tonnes / r;
                    }
                    self.mean_rate_per_h(f) * per
                })
                .sum();
            let open = s.calendar.open_duration(SimTime::ZERO, horizon).as_ms() as f64
                / horizon.as_ms().max(1) as f64;
            // Dated changes: the capacity in effect at the end of the run, where a queue that
            // grows without bound would be.
            let last = SimTime::from_ms(horizon.as_ms() - 1);
            let lanes = s.lanes_at(last);
            let servers = lanes as f64 * open;
            if work >= servers && work > 0.0 {
                let per_vehicle_h = work / rate;
                out.push(format!(
                    "stage {}/{}: offered {:.1} vehicles/h but capacity is {:.1}/h ({} servers × {:.0}% open, {:.2} server-hours per vehicle); the queue will grow without bound",
                    cp.id,
                    s.id,
                    rate,
                    servers / per_vehicle_h,
                    lanes,
                    open * 100.0,
                    per_vehicle_h
                ));
            }
            if let Some(q) = s.daily_quota_at(last)
                && rate * 24.0 > q as f64
            {
                out.push(format!(
                    "stage {}/{}: {:.0} vehicles/day arrive but the daily quota accepts {q}; the queue will grow without bound",
                    cp.id,
                    s.id,
                    rate * 24.0
                ));
            }
        }
        out
    }
}

/// Lane-time of a service on [start, end) that falls in open hours after the warm-up.
fn busy_open(spec: &StageSpec, warmup: SimTime, start: SimTime, end: SimTime) -> i128 {
    let from = start.max(warmup);
    if end <= from {
        0
    } else if spec.calendar.is_always_open() {
        end.since(from).as_ms() as i128
    } else {
        spec.calendar.open_duration(from, end).as_ms() as i128
    }
}

/// Weekday (0 = Monday) and month (0 = January) of simulated day `day`.
fn day_factors_index(start: Date, day: i64) -> (usize, usize) {
    match crate::time::date_plus_days(start, day) {
        Some(d) => (
            d.weekday().to_monday_zero_offset() as usize,
            (d.month() - 1) as usize,
        ),
        None => (0, 0),
    }
}

// ---------------------------------------------------------------------------------------------
// Results of one replication
// ---------------------------------------------------------------------------------------------

/// Raw statistics of one entity (stage, checkpoint, flow or class) in one replication.
#[derive(Clone, Debug, Default)]
pub struct Kpi {
    /// Vehicles that arrived (after warm-up).
    pub arrivals: u64,
    /// Vehicles that finished (after warm-up arrivals only).
    pub served: u64,
    /// Vehicles still inside at the horizon.
    pub backlog_end: u64,
    /// Tonnes served.
    pub tonnes: f64,
    /// Cargo value served [USD].
    pub value: f64,
    /// Wagons served.
    pub wagons: f64,
    /// Containers served.
    pub containers: f64,
    /// TEU served.
    pub teu: f64,
    /// Vehicles that had to wait for a receiving track ("held outside" the station).
    pub held_outside: u64,
    /// Waits [ms].
    pub wait: Distribution,
    /// Time in system [ms].
    pub time_in_system: Distribution,
    /// Mean wait [ms] by hour of arrival (reference clock).
    pub wait_by_hour: HourProfile,
    /// Vehicles whose wait exceeded their class's max_wait (finished or still waiting).
    pub over_limit: u64,
}

impl Kpi {
    /// Adds `other`'s counts and samples to this one (as if its vehicles had been recorded here).
    pub fn merge(&mut self, other: &Kpi) {
        self.arrivals += other.arrivals;
        self.served += other.served;
        self.backlog_end += other.backlog_end;
        self.tonnes += other.tonnes;
        self.value += other.value;
        self.wagons += other.wagons;
        self.containers += other.containers;
        self.teu += other.teu;
        self.held_outside += other.held_outside;
        self.over_limit += other.over_limit;
        self.wait.merge(&other.wait);
        self.time_in_system.merge(&other.time_in_system);
        self.wait_by_hour.merge(&other.wait_by_hour);
    }
}

/// Time-weighted levels of a stage or checkpoint.
#[derive(Clone, Debug)]
pub struct Levels {
    /// Vehicles waiting.
    pub queue: TimeWeighted,
    /// Vehicles waiting on the road (beyond holding capacity).
    pub road: TimeWeighted,
    /// Vehicles inside (waiting or in service, for a checkpoint also travelling between stages).
    pub in_system: TimeWeighted,
    /// Busy lanes.
    pub busy: TimeWeighted,
}

impl Levels {
    fn new() -> Self {
        Levels {
            queue: TimeWeighted::new(0),
            road: TimeWeighted::new(0),
            in_system: TimeWeighted::new(0),
            busy: TimeWeighted::new(0),
        }
    }
    fn reset(&mut self, t: i64) {
        self.queue.reset(t);
        self.road.reset(t);
        self.in_system.reset(t);
        self.busy.reset(t);
    }
}

/// Per-stage results of one replication.
#[derive(Clone, Debug)]
pub struct StageResult {
    /// Counts and distributions.
    pub kpi: Kpi,
    /// Queue and busy-lane levels.
    pub levels: Levels,
    /// Open lane-time after warm-up [ms].
    pub open_lane_ms: i128,
    /// Busy lane-time inside open hours after warm-up [ms] (service overrunning a closing is
    /// not counted, so utilisation never exceeds 1).
    pub busy_open_lane_ms: i128,
    /// Local days (after warm-up) on which the daily quota was used up.
    pub quota_days_exhausted: u64,
}

/// Per-checkpoint results of one replication.
#[derive(Clone, Debug)]
pub struct CheckpointResult {
    /// Counts and distributions.
    pub kpi: Kpi,
    /// Queue levels (summed over stages).
    pub levels: Levels,
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct RepResult {
    /// Replication index.
    pub replication: u32,
    /// Events processed.
    pub events: u64,
    /// Measured span after warm-up [ms].
    pub measured_ms: i64,
    /// Per stage, indexed like [`Model::stages`].
    pub stages: Vec<StageResult>,
    /// Per checkpoint.
    pub checkpoints: Vec<CheckpointResult>,
    /// Per flow.
    pub flows: Vec<Kpi>,
    /// Per class.
    pub classes: Vec<Kpi>,
    /// Per-stage samples on a fixed step (empty unless asked for with [`Observe::series_step`]).
    pub series: Vec<SeriesRow>,
    /// Per calendar year of the measured span (reference clock): checkpoint and flow statistics.
    pub years: Vec<YearResult>,
}

/// What to record besides the standard statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct Observe {
    /// Sample every stage on this step, from the warm-up end (`None`: no time series).
    pub series_step: Option<SimDuration>,
}

/// One stage's state at a sampling instant, and what happened there since the previous sample.
///
/// Levels are those just before `at` (after every event before `at`, before any at `at`);
/// counts cover the half-open span `[previous sample, at)` (vehicles created before the warm-up
/// end are not counted, as everywhere).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesRow {
    /// Sampling instant.
    pub at: SimTime,
    /// Stage index.
    pub stage: u32,
    /// Vehicles waiting.
    pub queue: u32,
    /// Vehicles waiting on the road (beyond the holding area).
    pub road: u32,
    /// Busy servers.
    pub busy: u32,
    /// Servers open at `at` (0 while the stage is closed).
    pub lanes_open: u32,
    /// Servers of the stage at `at` (after its dated changes).
    pub lanes: u32,
    /// Daily quota of the stage at `at` (after its dated changes).
    pub daily_quota: Option<u32>,
    /// Arrivals since the previous sample.
    pub arrivals: u64,
    /// Vehicles that finished the stage since the previous sample.
    pub served: u64,
    /// Services started since the previous sample.
    pub started: u64,
    /// Sum of the waits of those services [ms].
    pub wait_sum_ms: u128,
}

/// Statistics of one calendar year (or the part of it inside the measured span), for runs whose
/// measured span is longer than a year ([`Model::reports_years`]).
#[derive(Clone, Debug)]
pub struct YearResult {
    /// Calendar year.
    pub year: i16,
    /// Measured days of that year in the run.
    pub days: f64,
    /// All flows together.
    pub system: YearKpi,
    /// Per checkpoint (vehicles that left it during the year; waits of those vehicles).
    pub checkpoints: Vec<YearKpi>,
    /// Per flow (vehicles that completed their route during the year).
    pub flows: Vec<YearKpi>,
}

/// What one entity did in one year: a few numbers, so that memory stays independent of the
/// horizon however many years a run spans.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct YearKpi {
    /// Vehicles that arrived.
    pub arrivals: u64,
    /// Vehicles that finished.
    pub served: u64,
    /// Tonnes served.
    pub tonnes: f64,
    /// Containers served.
    pub containers: f64,
    /// TEU served.
    pub teu: f64,
    /// Waits recorded (vehicles that finished).
    pub waits: u64,
    /// Sum of those waits [ms].
    pub wait_sum_ms: u128,
    /// 95th percentile of those waits [ms].
    pub wait_p95_ms: f64,
}

/// Cumulative statistics of an entity at a year boundary.
#[derive(Clone, Debug, Default)]
struct YearSnap {
    arrivals: u64,
    served: u64,
    tonnes: f64,
    containers: f64,
    teu: f64,
    wait: Distribution,
}

impl YearSnap {
    fn of(k: &Kpi) -> YearSnap {
        YearSnap {
            arrivals: k.arrivals,
            served: k.served,
            tonnes: k.tonnes,
            containers: k.containers,
            teu: k.teu,
            wait: k.wait.clone(),
        }
    }

    /// What happened between `earlier` and this snapshot.
    fn since(&self, earlier: &YearSnap) -> YearKpi {
        let wait = self.wait.since(&earlier.wait);
        YearKpi {
            arrivals: self.arrivals - earlier.arrivals,
            served: self.served - earlier.served,
            tonnes: self.tonnes - earlier.tonnes,
            containers: self.containers - earlier.containers,
            teu: self.teu - earlier.teu,
            waits: wait.count(),
            wait_sum_ms: wait.sum(),
            wait_p95_ms: wait.quantile(0.95),
        }
    }
}

/// A service start, recorded when tracing (tests check calendars and quotas with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceStart {
    /// When service started.
    pub at: SimTime,
    /// Stage index.
    pub stage: u32,
    /// Vehicle's flow index.
    pub flow: u32,
    /// Vehicle's class index.
    pub class: u16,
    /// Time the vehicle waited at this stage (zero for a move after the first).
    pub waited: SimDuration,
    /// True for one container or wagon move at a crane or bogie-exchange stage; false for the
    /// start of a vehicle's service (at pooled stages: its first move).
    pub unit_move: bool,
}

// ---------------------------------------------------------------------------------------------
// Simulation state
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Ev {
    /// Next scheduled departure of a flow (a vehicle appears, or starts its delay).
    Arrival(u32),
    /// A late timetable vehicle of a flow finally appears.
    Late(u32),
    /// A vehicle reaches the gate of its next node.
    Gate(u32),
    /// A vehicle reaches its next stage (after neutral-zone travel).
    Stage(u32),
    /// A vehicle's service ends (lanes and tracks stages).
    Done(u32),
    /// One container or wagon move of a vehicle ends (cranes and bogie-exchange stages).
    Move(u32),
    /// A stage re-checks its queue (opening time or new quota day).
    Wake(u32),
    /// Warm-up ends: statistics restart.
    Warmup,
    /// A stage's next dated capacity change takes effect.
    Change(u32),
}

const NO_TRACK: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Vehicle {
    flow: u32,
    class: u16,
    group: u16,
    counted: bool,
    leg: u16,
    step: u16,
    // Index of the current stage (derived from flow, leg and step; cached for the hot path).
    stage: u32,
    created: SimTime,
    cp_enter: SimTime,
    stage_arrive: SimTime,
    service_start: SimTime,
    cp_wait_ms: i64,
    total_wait_ms: i64,
    // Where the vehicle is, for the backlog at the horizon.
    in_cp: bool,
    in_stage: bool,
    queued: bool,
    // Cargo on board (a terminal may split it over several onward vehicles).
    containers: u32,
    tonnes: f64,
    // Pooled stages: moves not yet started, and moves in progress.
    units_left: u32,
    units_busy: u32,
    // A receiving track held until the vehicle leaves the checkpoint.
    found_tracks_full: bool,
    track_stage: u32,
    track_group: u16,
    track_since: SimTime,
}

impl Default for Vehicle {
    fn default() -> Self {
        Vehicle {
            flow: 0,
            class: 0,
            group: 0,
            counted: false,
            leg: 0,
            step: 0,
            stage: 0,
            created: SimTime::ZERO,
            cp_enter: SimTime::ZERO,
            stage_arrive: SimTime::ZERO,
            service_start: SimTime::ZERO,
            cp_wait_ms: 0,
            total_wait_ms: 0,
            in_cp: false,
            in_stage: false,
            queued: false,
            containers: 0,
            tonnes: 0.0,
            units_left: 0,
            units_busy: 0,
            found_tracks_full: false,
            track_stage: NO_TRACK,
            track_group: 0,
            track_since: SimTime::ZERO,
        }
    }
}

struct StageRt {
    queues: Vec<VecDeque<(u32, u64)>>,
    waiting: u32,
    // Free servers per lane group; negative while a lane reduction waits for busy lanes to finish.
    free: Vec<i32>,
    // Servers and daily quota now (the stage's dated changes move them).
    lanes_now: u32,
    quota_now: Option<u32>,
    next_change: usize,
    // Pooled stages: vehicles admitted and being worked on, in admission order.
    work: VecDeque<u32>,
    open_cache_until: SimTime,
    open_cache: bool,
    wake_at: Option<SimTime>,
    quota_day: i64,
    quota_used: u32,
    quota_wagons_used: u32,
    // The last local day counted in quota_days_exhausted (each day counts once).
    exhausted_day: i64,
    rng_service: Rng,
    // Service times drawn ahead from rng_service, its only use (see `Drawn`).
    service_drawn: Drawn,
    rng_inspect: Rng,
    rng_travel: Rng,
    kpi: Kpi,
    levels: Levels,
    busy_open_ms: i128,
    quota_days_exhausted: u64,
    // The checkpoint records this stage's statistics (see `mirrored_stage`); `finish` copies them.
    mirrors_checkpoint: bool,
    // Lanes open to everyone: one lane group, one class queue, always open, no quota (see
    // `is_lean`). The hot path skips the discipline, hours and quota machinery for them.
    lean: bool,
}

/// True for a lanes stage with nothing to decide: one lane group serving the only class (so one
/// queue), always open, without daily quotas. A free lane takes the head of the queue at once.
fn is_lean(s: &StageSpec, n_classes: usize) -> bool {
    s.kind == StageKind::Lanes
        && n_classes == 1
        && s.groups.len() == 1
        && s.groups[0].class_mask & 1 != 0
        && s.calendar.is_always_open()
        && s.daily_quota.is_none()
        && s.daily_quota_wagons.is_none()
        && s.changes.is_empty()
}

struct FlowRt {
    rng_arrivals: Rng,
    // Poisson arrival gaps drawn ahead from rng_arrivals, its only use for a Poisson flow.
    gaps_drawn: Drawn,
    rng_travel: Rng,
    rng_delay: Rng,
    // Route choice: loyalty draws, and the index of its queue-information feed.
    rng_choice: Rng,
    feed: usize,
    // Timetable position: day and index of the next departure.
    tt_day: i64,
    tt_idx: usize,
    // Profiled rate: cached weekday × month factor of one day.
    factor_day: i64,
    factor: f64,
    // Profiled rate: the thinning envelope, computed once.
    peak_per_h: f64,
    kpi: Kpi,
    // The checkpoint records this flow's statistics (see `flow_mirrors_checkpoint`); `finish`
    // copies them.
    mirrors_checkpoint: bool,
}

struct Sim<'m> {
    m: &'m Model,
    warmup: SimTime,
    horizon: SimTime,
    vehicles: Vec<Vehicle>,
    free_ids: Vec<u32>,
    stages: Vec<StageRt>,
    cps: Vec<CheckpointResult>,
    flows: Vec<FlowRt>,
    seq: u64,
    trace: Option<Vec<ServiceStart>>,
    // Per checkpoint: true if a stage has a holding area, so its road level differs from its
    // queue and is tracked on its own.
    cp_road_tracked: Vec<bool>,
    obs: Observations,
}

/// Time series and yearly statistics. They are not events: the event loop takes the samples
/// and closes the years that are due before it handles an event at or after their instant, so
/// each sees the state just before that instant, and counts cover half-open spans
/// `[previous, instant)` exactly like the horizon.
#[derive(Default)]
struct Observations {
    // The earliest pending sampling instant or year end (SimTime::MAX when none).
    next_at: SimTime,
    step: Option<SimDuration>,
    next_sample: Option<SimTime>,
    rows: Vec<SeriesRow>,
    // Per stage, cumulative (arrivals, served, started, wait sum) at the previous sample.
    last: Vec<(u64, u64, u64, u128)>,
    // Calendar years of the measured span with their start instants, in order.
    years: Vec<(i16, SimTime)>,
    year_idx: usize,
    // Checkpoint and flow statistics at the start of the current year.
    snap_system: YearSnap,
    snap_cps: Vec<YearSnap>,
    snap_flows: Vec<YearSnap>,
    done: Vec<YearResult>,
    // Queue figures published for route choice, one feed per choosing flow.
    feeds: Vec<Feed>,
}

/// Published queue figures (vehicles waiting per stage) of one route-choosing flow.
struct Feed {
    every: SimDuration,
    delay: SimDuration,
    next: SimTime,
    // (published at, waiting per stage), oldest first; older ones are dropped once a newer one
    // is visible.
    published: VecDeque<(SimTime, Vec<u32>)>,
}

impl Feed {
    /// Drops the figures a driver can no longer see at `t`: those older than the newest
    /// visible one.
    fn forget_before(&mut self, t: SimTime) {
        while self.published.len() >= 2 && self.published[1].0 + self.delay <= t {
            self.published.pop_front();
        }
    }

    /// The figures a driver sees at `t` (after [`Self::forget_before`]); empty before the
    /// first one reaches drivers.
    fn visible(&self, t: SimTime) -> &[u32] {
        match self.published.front() {
            Some((at, w)) if *at + self.delay <= t => w,
            _ => &[],
        }
    }
}

/// The only stage of checkpoint `cp`, if the stage's statistics (arrivals, served and cargo,
/// times in system, queue and in-system levels; waits but for the vehicles in service at the
/// horizon) are necessarily the checkpoint's: a single lanes stage reached without travel, so a
/// vehicle enters the stage when it enters the checkpoint, waits only there, and leaves both at
/// one instant.
fn mirrored_stage(m: &Model, cp: &CheckpointSpec) -> Option<u32> {
    let &[s] = cp.stages.as_slice() else {
        return None;
    };
    let spec = &m.stages[s as usize];
    let no_travel = spec.travel.as_ref().is_none_or(|d| d.is_zero());
    (spec.kind == StageKind::Lanes && no_travel).then_some(s)
}

/// True if flow `f`'s recorded statistics are necessarily equal to its checkpoint's: its route is
/// one checkpoint that no other flow passes, so the checkpoint sees exactly this flow's vehicles,
/// each entering it when created and leaving the system when it leaves the checkpoint.
fn flow_mirrors_checkpoint(m: &Model, f: &FlowSpec) -> bool {
    let &[cp] = f.route.as_slice() else {
        return false;
    };
    // A route-choice alternative drives its detour before the gate: created before it enters.
    let enters_when_created = f.travel[0].as_ref().is_none_or(|d| d.is_zero());
    enters_when_created && m.flows.iter().filter(|g| g.route.contains(&cp)).count() == 1
}

/// Copies the statistics recorded on the hot path (not the end-of-run backlog and over-limit
/// counts, nor "held outside", which mirrored entities record on their own) from `from` to `to`.
fn copy_recorded(from: &Kpi, to: &mut Kpi) {
    to.arrivals = from.arrivals;
    to.served = from.served;
    to.tonnes = from.tonnes;
    to.value = from.value;
    to.wagons = from.wagons;
    to.containers = from.containers;
    to.teu = from.teu;
    to.wait = from.wait.clone();
    to.time_in_system = from.time_in_system.clone();
    to.wait_by_hour = from.wait_by_hour.clone();
}

/// Runs replication `replication` of `model` and returns its raw results.
pub fn simulate(model: &Model, replication: u32) -> RepResult {
    run(model, replication, None, Observe::default()).0
}

/// Like [`simulate`], also recording what `observe` asks for (the statistics are identical).
pub fn simulate_with(model: &Model, replication: u32, observe: Observe) -> RepResult {
    run(model, replication, None, observe).0
}

/// Like [`simulate`], also returning every service start and every container or wagon move in
/// order (for tests and debugging; memory grows with the number of vehicles).
pub fn simulate_traced(model: &Model, replication: u32) -> (RepResult, Vec<ServiceStart>) {
    let (r, t) = run(model, replication, Some(Vec::new()), Observe::default());
    (r, t.unwrap_or_default())
}

fn run(
    m: &Model,
    replication: u32,
    trace: Option<Vec<ServiceStart>>,
    observe: Observe,
) -> (RepResult, Option<Vec<ServiceStart>>) {
    let rep = replication as u64;
    let n_classes = m.classes.len().max(1);
    let mirrored: Vec<Option<u32>> = m.checkpoints.iter().map(|c| mirrored_stage(m, c)).collect();
    let stages = m
        .stages
        .iter()
        .map(|s| {
            let name = format!("stage/{}/{}", m.checkpoints[s.checkpoint as usize].id, s.id);
            StageRt {
                queues: vec![VecDeque::new(); n_classes],
                waiting: 0,
                free: s.groups.iter().map(|g| g.lanes as i32).collect(),
                lanes_now: s.lanes,
                quota_now: s.daily_quota,
                next_change: 0,
                work: VecDeque::new(),
                open_cache_until: SimTime::ZERO,
                open_cache: false,
                wake_at: None,
                quota_day: i64::MIN,
                quota_used: 0,
                quota_wagons_used: 0,
                exhausted_day: i64::MIN,
                rng_service: stream(m.seed, rep, &format!("{name}/service")),
                service_drawn: Drawn::new(),
                rng_inspect: stream(m.seed, rep, &format!("{name}/inspection")),
                rng_travel: stream(m.seed, rep, &format!("{name}/travel")),
                kpi: Kpi::default(),
                levels: Levels::new(),
                busy_open_ms: 0,
                quota_days_exhausted: 0,
                // A time series samples every stage's own counts during the run, so a sampled
                // run keeps them (the results are the same either way).
                mirrors_checkpoint: mirrored[s.checkpoint as usize].is_some()
                    && observe.series_step.is_none(),
                lean: is_lean(s, n_classes),
            }
        })
        .collect();
    let flows = m
        .flows
        .iter()
        .map(|f| FlowRt {
            rng_arrivals: stream(m.seed, rep, &format!("flow/{}/arrivals", f.id)),
            gaps_drawn: Drawn::new(),
            rng_travel: stream(m.seed, rep, &format!("flow/{}/travel", f.id)),
            rng_delay: stream(m.seed, rep, &format!("flow/{}/delay", f.id)),
            rng_choice: stream(m.seed, rep, &format!("flow/{}/choice", f.id)),
            feed: usize::MAX,
            tt_day: 0,
            tt_idx: 0,
            factor_day: i64::MIN,
            factor: 1.0,
            peak_per_h: match &f.arrivals {
                Arrivals::Profiled(p) => p.peak_per_h(m.days),
                _ => 0.0,
            },
            kpi: Kpi::default(),
            mirrors_checkpoint: flow_mirrors_checkpoint(m, f),
        })
        .collect();
    let mut sim = Sim {
        m,
        warmup: m.warmup_end(),
        horizon: m.horizon(),
        vehicles: Vec::with_capacity(1024),
        free_ids: Vec::with_capacity(1024),
        stages,
        cps: m
            .checkpoints
            .iter()
            .map(|_| CheckpointResult {
                kpi: Kpi::default(),
                levels: Levels::new(),
            })
            .collect(),
        flows,
        seq: 0,
        trace,
        cp_road_tracked: m
            .checkpoints
            .iter()
            .map(|c| {
                c.stages
                    .iter()
                    .any(|&s| m.stages[s as usize].holding_capacity > 0)
            })
            .collect(),
        obs: Observations::default(),
    };
    let mut q: EventQueue<Ev> = EventQueue::with_capacity(256);
    for (f, spec) in m.flows.iter().enumerate() {
        // Poisson arrivals are memoryless, so a flow starting on a date starts its chain there.
        if let Some(t) = sim.next_arrival(f, spec.starts.max(SimTime::ZERO), true)
            && t < spec.ends
        {
            sim.schedule(&mut q, t, Ev::Arrival(f as u32));
        }
    }
    for (s, spec) in m.stages.iter().enumerate() {
        // Changes dated at or before the start (a stage clock ahead of the reference clock puts
        // a change on the start date a few hours before time 0) hold from the start.
        while spec
            .changes
            .get(sim.stages[s].next_change)
            .is_some_and(|c| c.at <= SimTime::ZERO)
        {
            sim.change_capacity(&mut q, SimTime::ZERO, s as u32);
        }
        if let Some(c) = spec.changes.get(sim.stages[s].next_change)
            && c.at < sim.horizon
        {
            sim.schedule(&mut q, c.at, Ev::Change(s as u32));
        }
    }
    if sim.warmup > SimTime::ZERO {
        sim.schedule(&mut q, sim.warmup, Ev::Warmup);
    }
    sim.start_observations(observe);
    let horizon = sim.horizon;
    let events = run_before(&mut q, &mut sim, horizon);
    let result = sim.finish(replication, events);
    (result, sim.trace)
}

impl Handler<Ev> for Sim<'_> {
    #[inline]
    fn handle(&mut self, q: &mut EventQueue<Ev>, t: SimTime, ev: Ev) {
        // Samples and year ends due at or before `t` see the state before the events at `t`.
        if t >= self.obs.next_at {
            self.observe_until(t);
        }
        match ev {
            Ev::Arrival(f) => self.on_arrival(q, t, f),
            Ev::Late(f) => self.on_late(q, t, f),
            Ev::Gate(v) => self.on_gate(q, t, v),
            Ev::Stage(v) => self.on_stage(q, t, v),
            Ev::Done(v) => self.on_done(q, t, v),
            Ev::Move(v) => self.on_move(q, t, v),
            Ev::Wake(s) => {
                if self.stages[s as usize].wake_at == Some(t) {
                    self.stages[s as usize].wake_at = None;
                }
                self.dispatch(q, t, s);
            }
            Ev::Warmup => self.reset_stats(t),
            Ev::Change(s) => self.change_capacity(q, t, s),
        }
    }
}

/// Fills `buf` with consecutive gaps of a Poisson process of `rate_per_h` drawn from `rng`.
#[inline(never)]
fn poisson_gaps(rng: &mut Rng, rate_per_h: f64, buf: &mut [SimDuration]) {
    for gap in buf {
        let e: f64 = rand_distr::Distribution::sample(&Exp1, rng);
        *gap = SimDuration::from_ms_f64_nonneg(e * MS_PER_HOUR as f64 / rate_per_h);
    }
}

/// Adds one vehicle's cargo to a KPI's served totals.
#[inline]
fn add_cargo(k: &mut Kpi, flow: &FlowSpec, veh: &Vehicle) {
    k.tonnes += veh.tonnes;
    k.value += flow.value;
    k.wagons += flow.wagons as f64;
    k.containers += veh.containers as f64;
    k.teu += veh.containers as f64 * flow.teu_per_container;
}

// The small steps every vehicle takes (create, enter, go to and arrive at a stage, wait, start
// service, leave a stage, queue changes) are `#[inline(always)]`: the compiler left them as calls,
// and inlining them saved ~10% of P1's instructions. Inlining the larger event handlers too
// (`on_done`, `dispatch`, `after_stage`) measured worse, so they stay calls.
impl Sim<'_> {
    #[inline]
    fn schedule(&mut self, q: &mut EventQueue<Ev>, at: SimTime, ev: Ev) {
        // Events are only ever scheduled at or after now; an error here is a model bug.
        if let Err(e) = q.schedule(at, ev) {
            debug_assert!(false, "{e}");
        }
    }

    /// The first arrival of flow `f` after `t` (at or after `t` when `first`).
    #[inline]
    fn next_arrival(&mut self, f: usize, t: SimTime, first: bool) -> Option<SimTime> {
        // Poisson arrivals inline at the call site; the other processes go through one call.
        if let Arrivals::Poisson { rate_per_h } = &self.m.flows[f].arrivals {
            if *rate_per_h <= 0.0 {
                return None;
            }
            let rate = *rate_per_h;
            let rt = &mut self.flows[f];
            let gap = rt
                .gaps_drawn
                .take(|buf| poisson_gaps(&mut rt.rng_arrivals, rate, buf));
            return t.checked_add(gap);
        }
        self.next_arrival_other(f, t, first)
    }

    /// [`Self::next_arrival`] for profiled, timetabled and transfer flows.
    #[inline(never)]
    fn next_arrival_other(&mut self, f: usize, t: SimTime, first: bool) -> Option<SimTime> {
        let spec = &self.m.flows[f];
        let rt = &mut self.flows[f];
        match &spec.arrivals {
            Arrivals::Poisson { .. } => unreachable!("handled by next_arrival"),
            Arrivals::Profiled(p) => {
                let max = rt.peak_per_h;
                if max <= 0.0 {
                    return None;
                }
                // Exact thinning: candidates at the peak rate, each kept with probability
                // rate(t)/peak. Gives up after the horizon, so a zero profile cannot loop forever.
                let mut at = t;
                loop {
                    let e: f64 = rt.rng_arrivals.sample(Exp1);
                    let gap_ms = e * MS_PER_HOUR as f64 / max;
                    at = at.checked_add(SimDuration::from_ms_f64_nonneg(gap_ms))?;
                    if at > self.horizon {
                        return Some(at);
                    }
                    let day = at.day_index();
                    if rt.factor_day != day {
                        rt.factor = p.day_factor(self.m.start_date, day);
                        rt.factor_day = day;
                    }
                    let rate = p.rate_per_h * p.hourly[at.hour_of_day()] * rt.factor;
                    if rt.rng_arrivals.random::<f64>() * max < rate {
                        return Some(at);
                    }
                }
            }
            Arrivals::Timetable { times_ms, .. } => {
                if times_ms.is_empty() {
                    return None;
                }
                if first {
                    rt.tt_day = t.day_index();
                    rt.tt_idx = times_ms.partition_point(|&x| x < t.ms_of_day());
                } else {
                    rt.tt_idx += 1;
                }
                if rt.tt_idx >= times_ms.len() {
                    rt.tt_idx = 0;
                    rt.tt_day += 1;
                }
                Some(SimTime::from_ms(
                    rt.tt_day * MS_PER_DAY + times_ms[rt.tt_idx],
                ))
            }
            Arrivals::Transfer | Arrivals::Diverted => None,
        }
    }

    // The handlers of the events that follow a delay are calls of their own: inlined into the
    // event loop, each added another copy of the arrival path to it, and the loop's common events
    // (arrivals and departures) ran slower in the bigger function.

    /// A late timetable vehicle of flow `f` appears.
    #[inline(never)]
    fn on_late(&mut self, q: &mut EventQueue<Ev>, t: SimTime, f: u32) {
        let spec = &self.m.flows[f as usize];
        self.create_vehicle(q, t, f, spec.containers, spec.tonnes);
    }

    /// Vehicle `v` reaches the gate of its next checkpoint.
    #[inline(never)]
    fn on_gate(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        self.enter_checkpoint(q, t, v);
    }

    /// Vehicle `v` reaches its next stage through the neutral zone.
    #[inline(never)]
    fn on_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        self.arrive_stage(q, t, v);
    }

    fn on_arrival(&mut self, q: &mut EventQueue<Ev>, t: SimTime, f: u32) {
        if let Some(next) = self.next_arrival(f as usize, t, false)
            && next < self.m.flows[f as usize].ends
        {
            self.schedule(q, next, Ev::Arrival(f));
        }
        let spec = &self.m.flows[f as usize];
        if let Arrivals::Timetable { delay: Some(d), .. } = &spec.arrivals {
            // The timetable chain stays on schedule; this vehicle turns up late.
            let late = d.sample(&mut self.flows[f as usize].rng_delay);
            if !late.is_zero() {
                if let Some(at) = t.checked_add(late) {
                    self.schedule(q, at, Ev::Late(f));
                }
                return;
            }
        }
        self.create_vehicle(q, t, f, spec.containers, spec.tonnes);
    }

    /// A new vehicle of flow `f` with the given cargo appears at the first node of its route
    /// (or of the route it chooses, if `f` has alternatives).
    #[inline(always)]
    fn create_vehicle(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        f: u32,
        containers: u32,
        tonnes: f64,
    ) {
        let f = if self.m.flows[f as usize].choice.is_some() {
            self.choose_route(t, f)
        } else {
            f
        };
        let spec = &self.m.flows[f as usize];
        let counted = t >= self.warmup;
        let v = Vehicle {
            flow: f,
            class: spec.class,
            counted,
            created: t,
            containers,
            tonnes,
            ..Vehicle::default()
        };
        let id = match self.free_ids.pop() {
            Some(id) => {
                self.vehicles[id as usize] = v;
                id
            }
            None => {
                self.vehicles.push(v);
                (self.vehicles.len() - 1) as u32
            }
        };
        if counted && !self.flows[f as usize].mirrors_checkpoint {
            self.flows[f as usize].kpi.arrivals += 1;
        }
        // A route-choice alternative starts with its detour to the first gate.
        if let Some(d) = &self.m.flows[f as usize].travel[0]
            && !d.is_zero()
        {
            let dt = d.sample(&mut self.flows[f as usize].rng_travel);
            if let Some(at) = t.checked_add(dt) {
                self.schedule(q, at, Ev::Gate(id));
            }
            return;
        }
        self.enter_checkpoint(q, t, id);
    }

    #[inline(always)]
    fn enter_checkpoint(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        let veh = &mut self.vehicles[v as usize];
        let cp = self.m.flows[veh.flow as usize].route[veh.leg as usize] as usize;
        veh.cp_enter = t;
        veh.cp_wait_ms = 0;
        veh.step = 0;
        veh.in_cp = true;
        let counted = veh.counted;
        let c = &mut self.cps[cp];
        if counted {
            c.kpi.arrivals += 1;
        }
        c.levels.in_system.add(t.as_ms(), 1);
        self.go_to_stage(q, t, v, cp as u32);
    }

    /// Sends a vehicle towards its current stage, through the neutral zone if there is one.
    #[inline(always)]
    fn go_to_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32, cp: u32) {
        let step = self.vehicles[v as usize].step;
        let s = self.m.checkpoints[cp as usize].stages[step as usize];
        self.vehicles[v as usize].stage = s;
        match &self.m.stages[s as usize].travel {
            Some(d) if !d.is_zero() => {
                let dt = d.sample(&mut self.stages[s as usize].rng_travel);
                if let Some(at) = t.checked_add(dt) {
                    self.schedule(q, at, Ev::Stage(v));
                }
            }
            _ => self.arrive_stage(q, t, v),
        }
    }

    /// The stage vehicle `v` is at or heading to (kept up to date by `go_to_stage`).
    #[inline]
    fn stage_of(&self, v: u32) -> u32 {
        self.vehicles[v as usize].stage
    }

    #[inline(always)]
    fn arrive_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        let s = self.stage_of(v);
        let (class, wagons) = {
            let veh = &mut self.vehicles[v as usize];
            veh.stage_arrive = t;
            veh.in_stage = true;
            veh.found_tracks_full = false;
            (veh.class, self.m.flows[veh.flow as usize].wagons)
        };
        let pooled = self.m.stages[s as usize].kind.is_pooled();
        let counted = self.vehicles[v as usize].counted;
        let st = &mut self.stages[s as usize];
        if !st.mirrors_checkpoint {
            if counted {
                st.kpi.arrivals += 1;
            }
            st.levels.in_system.add(t.as_ms(), 1);
        }
        // Fast path: nobody waiting, a lane this class may use is free, and service may start.
        if st.lean {
            if st.waiting == 0 && st.free[0] > 0 {
                self.start(q, t, s, v, 0);
                return;
            }
        } else if !pooled
            && self.stages[s as usize].waiting == 0
            && let Some(g) = self.free_group_for(s, class)
            && self.is_open(q, t, s)
            && self.quota_allows(q, t, s, wagons)
        {
            self.start(q, t, s, v, g);
            return;
        }
        // Otherwise join the queue and let the discipline decide: at an opening instant, vehicles
        // that waited go before one arriving at that instant, whatever the event order.
        let seq = self.seq;
        self.seq += 1;
        // "Held outside" means no track was free, not a wait for the day's quota.
        self.vehicles[v as usize].found_tracks_full = self.m.stages[s as usize].kind
            == StageKind::Tracks
            && self.free_group_for(s, class).is_none();
        self.vehicles[v as usize].queued = true;
        let st = &mut self.stages[s as usize];
        st.queues[class as usize].push_back((v, seq));
        let lean = st.lean;
        self.change_waiting(t, s, 1);
        // A lean stage hands a freed lane straight to the head of its queue, so a vehicle that
        // had to queue there found every lane busy: nothing to dispatch.
        if lean {
            debug_assert_eq!(self.stages[s as usize].free[0], 0);
        } else {
            self.dispatch(q, t, s);
        }
    }

    /// Index of a free lane group that serves `class`: reserved groups first.
    #[inline]
    fn free_group_for(&self, s: u32, class: u16) -> Option<u16> {
        let spec = &self.m.stages[s as usize];
        let st = &self.stages[s as usize];
        spec.groups
            .iter()
            .enumerate()
            .find(|(g, grp)| st.free[*g] > 0 && grp.class_mask & (1u64 << class) != 0)
            .map(|(g, _)| g as u16)
    }

    /// True if stage `s` is open at `t`; otherwise makes sure a wake-up is scheduled for its
    /// next opening.
    #[inline]
    fn is_open(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32) -> bool {
        let spec = &self.m.stages[s as usize];
        if spec.calendar.is_always_open() {
            return true;
        }
        let st = &mut self.stages[s as usize];
        if t >= st.open_cache_until {
            match spec.calendar.state_at(t) {
                OpenState::Open { until } => {
                    st.open_cache = true;
                    st.open_cache_until = until;
                }
                OpenState::Closed { until } => {
                    st.open_cache = false;
                    st.open_cache_until = until;
                }
            }
        }
        if !st.open_cache {
            let at = st.open_cache_until;
            self.wake(q, s, at);
            return false;
        }
        true
    }

    /// True if the day's quotas leave room for a vehicle of `wagons` wagons; otherwise makes
    /// sure a wake-up is scheduled for the next local day.
    #[inline]
    fn quota_allows(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32, wagons: u32) -> bool {
        let spec = &self.m.stages[s as usize];
        if self.stages[s as usize].quota_now.is_none() && spec.daily_quota_wagons.is_none() {
            return true;
        }
        let st = &mut self.stages[s as usize];
        let day = spec.calendar.local_day(t);
        if day != st.quota_day {
            st.quota_day = day;
            st.quota_used = 0;
            st.quota_wagons_used = 0;
        }
        let full_vehicles = st.quota_now.is_some_and(|qv| st.quota_used >= qv);
        // A train longer than the whole wagon quota may still enter as the day's first.
        let full_wagons = spec
            .daily_quota_wagons
            .is_some_and(|qw| st.quota_wagons_used > 0 && st.quota_wagons_used + wagons > qw);
        if full_vehicles || full_wagons {
            // A day counts once, at the moment its quota runs out, if that is after warm-up.
            if st.exhausted_day != day {
                st.exhausted_day = day;
                if t >= self.warmup {
                    st.quota_days_exhausted += 1;
                }
            }
            let at = spec.calendar.local_day_start(day + 1);
            self.wake(q, s, at);
            return false;
        }
        true
    }

    /// Counts one admitted vehicle against the day's quotas.
    fn use_quota(&mut self, t: SimTime, s: u32, wagons: u32) {
        let spec = &self.m.stages[s as usize];
        let st = &mut self.stages[s as usize];
        let mut exhausted = false;
        if let Some(quota) = st.quota_now {
            st.quota_used += 1;
            exhausted |= st.quota_used == quota;
        }
        if let Some(qw) = spec.daily_quota_wagons {
            let before = st.quota_wagons_used;
            st.quota_wagons_used += wagons;
            exhausted |= before < qw && st.quota_wagons_used >= qw;
        }
        if exhausted && st.exhausted_day != st.quota_day {
            st.exhausted_day = st.quota_day;
            if t >= self.warmup {
                st.quota_days_exhausted += 1;
            }
        }
    }

    fn wake(&mut self, q: &mut EventQueue<Ev>, s: u32, at: SimTime) {
        if at >= self.horizon {
            return;
        }
        let st = &mut self.stages[s as usize];
        if st.wake_at.is_none_or(|w| at < w) {
            st.wake_at = Some(at);
            self.schedule(q, at, Ev::Wake(s));
        }
    }

    #[inline(always)]
    fn change_waiting(&mut self, t: SimTime, s: u32, delta: i64) {
        let spec = &self.m.stages[s as usize];
        let st = &mut self.stages[s as usize];
        let tm = t.as_ms();
        let holding = spec.holding_capacity as i64;
        let before_road = (st.waiting as i64 - holding).max(0);
        st.waiting = (st.waiting as i64 + delta) as u32;
        let road_delta = (st.waiting as i64 - holding).max(0) - before_road;
        // The checkpoint's levels are this stage's when it mirrors it, copied in `finish`.
        if !st.mirrors_checkpoint {
            st.levels.queue.add(tm, delta);
            // Without a holding area the whole queue is on the road: `finish` copies the queue
            // level instead of tracking the same numbers twice.
            if holding > 0 && road_delta != 0 {
                st.levels.road.add(tm, road_delta);
            }
        }
        let cp = spec.checkpoint as usize;
        let levels = &mut self.cps[cp].levels;
        levels.queue.add(tm, delta);
        // The same holds for the checkpoint, unless another of its stages has a holding area.
        if self.cp_road_tracked[cp] && road_delta != 0 {
            levels.road.add(tm, road_delta);
        }
    }

    /// Starts as many waiting vehicles (and, at pooled stages, container or wagon moves) as
    /// servers, hours and quotas allow.
    fn dispatch(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32) {
        if self.m.stages[s as usize].kind.is_pooled() {
            return self.dispatch_pooled(q, t, s);
        }
        if self.stages[s as usize].lean {
            // One queue, one lane group, nothing closed: serve the queue's head while lanes are free.
            while self.stages[s as usize].free[0] > 0
                && let Some((v, _)) = self.stages[s as usize].queues[0].pop_front()
            {
                self.vehicles[v as usize].queued = false;
                self.change_waiting(t, s, -1);
                self.start(q, t, s, v, 0);
            }
            return;
        }
        loop {
            if self.stages[s as usize].waiting == 0 {
                return;
            }
            let Some((g, class)) = self.pick(s) else {
                return;
            };
            let Some(&(v, _)) = self.stages[s as usize].queues[class as usize].front() else {
                return;
            };
            let wagons = self.m.flows[self.vehicles[v as usize].flow as usize].wagons;
            if !self.is_open(q, t, s) || !self.quota_allows(q, t, s, wagons) {
                return;
            }
            self.stages[s as usize].queues[class as usize].pop_front();
            self.vehicles[v as usize].queued = false;
            self.change_waiting(t, s, -1);
            self.start(q, t, s, v, g);
        }
    }

    /// Pooled stages (cranes, bogie exchange): free servers take the next move of the vehicles
    /// being worked on, first admitted first; when none has a move left to start, the next
    /// waiting vehicle is admitted.
    fn dispatch_pooled(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32) {
        let spec = &self.m.stages[s as usize];
        let cap = spec.max_per_vehicle.unwrap_or(u32::MAX);
        loop {
            let free = self.stages[s as usize].free[0] > 0;
            let next = self.stages[s as usize].work.iter().copied().find(|&v| {
                let veh = &self.vehicles[v as usize];
                veh.units_left > 0 && veh.units_busy < cap
            });
            if free && let Some(v) = next {
                if !self.is_open(q, t, s) {
                    return;
                }
                self.start_move(q, t, s, v);
                continue;
            }
            // Admit the next waiting vehicle once the admitted ones have no move left to start
            // and a server is free — or at once if it has nothing to move (it needs no server).
            let Some(class) = self.head_class(s) else {
                return;
            };
            let Some(&(v, _)) = self.stages[s as usize].queues[class as usize].front() else {
                return;
            };
            let units = self.units_at(s, v);
            if units > 0 && (!free || next.is_some()) {
                return;
            }
            let wagons = self.m.flows[self.vehicles[v as usize].flow as usize].wagons;
            if !self.is_open(q, t, s) || !self.quota_allows(q, t, s, wagons) {
                return;
            }
            self.stages[s as usize].queues[class as usize].pop_front();
            self.vehicles[v as usize].queued = false;
            self.change_waiting(t, s, -1);
            self.admit(t, s, v);
            if units == 0 {
                self.finish_pooled(q, t, s, v);
            }
        }
    }

    /// The class queue whose head is served next at stage `s`, whatever the free servers:
    /// lowest (rank, arrival order).
    fn head_class(&self, s: u32) -> Option<u16> {
        let spec = &self.m.stages[s as usize];
        let st = &self.stages[s as usize];
        st.queues
            .iter()
            .enumerate()
            .filter_map(|(c, q)| {
                q.front()
                    .map(|&(_, seq)| (spec.class_rank[c], seq, c as u16))
            })
            .min_by_key(|&(rank, seq, _)| (rank, seq))
            .map(|(_, _, c)| c)
    }

    /// Moves vehicle `v` needs at pooled stage `s`: its containers (cranes) or wagons (bogies).
    fn units_at(&self, s: u32, v: u32) -> u32 {
        let veh = &self.vehicles[v as usize];
        match self.m.stages[s as usize].kind {
            StageKind::Cranes => veh.containers,
            StageKind::BogieExchange => self.m.flows[veh.flow as usize].wagons,
            StageKind::Lanes | StageKind::Tracks => 1,
        }
    }

    /// The lane group and class queue to serve next: for each group with a free lane (reserved
    /// first), the waiting vehicle of lowest (rank, arrival order) among the classes it serves.
    #[inline]
    fn pick(&self, s: u32) -> Option<(u16, u16)> {
        let spec = &self.m.stages[s as usize];
        let st = &self.stages[s as usize];
        for (g, grp) in spec.groups.iter().enumerate() {
            if st.free[g] <= 0 {
                continue;
            }
            let mut best: Option<(u8, u64, u16)> = None;
            for (c, queue) in st.queues.iter().enumerate() {
                if grp.class_mask & (1u64 << c) == 0 {
                    continue;
                }
                if let Some(&(_, seq)) = queue.front() {
                    let key = (spec.class_rank[c], seq, c as u16);
                    if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                        best = Some(key);
                    }
                }
            }
            if let Some((_, _, c)) = best {
                return Some((g as u16, c));
            }
        }
        None
    }

    /// The vehicle's wait at stage `s` ends now: statistics, quota and trace.
    #[inline(always)]
    fn end_wait(&mut self, t: SimTime, s: u32, v: u32) -> SimDuration {
        if !self.stages[s as usize].lean {
            let wagons = self.m.flows[self.vehicles[v as usize].flow as usize].wagons;
            self.use_quota(t, s, wagons);
        }
        let kind = self.m.stages[s as usize].kind;
        let cp = self.m.stages[s as usize].checkpoint as usize;
        let st = &mut self.stages[s as usize];
        let veh = &mut self.vehicles[v as usize];
        veh.service_start = t;
        let waited = t.since(veh.stage_arrive);
        veh.cp_wait_ms += waited.as_ms();
        veh.total_wait_ms += waited.as_ms();
        if veh.counted {
            // A stage that mirrors its checkpoint gets the checkpoint's waits (recorded when the
            // vehicle leaves) and, in `finish`, those of vehicles still in service.
            if !st.mirrors_checkpoint {
                st.kpi.wait.record(waited.as_ms() as u64);
                st.kpi
                    .wait_by_hour
                    .add(veh.stage_arrive.hour_of_day(), waited.as_ms() as u64);
            }
            if kind == StageKind::Tracks && veh.found_tracks_full {
                st.kpi.held_outside += 1;
                self.cps[cp].kpi.held_outside += 1;
            }
        }
        if let Some(tr) = &mut self.trace {
            tr.push(ServiceStart {
                at: t,
                stage: s,
                flow: veh.flow,
                class: veh.class,
                waited,
                unit_move: false,
            });
        }
        waited
    }

    /// Lane-time of a service on [start, end) inside open hours, warm-up and horizon.
    #[inline]
    fn busy_open(&self, s: u32, start: SimTime, end: SimTime) -> i128 {
        busy_open(
            &self.m.stages[s as usize],
            self.warmup,
            start,
            end.min(self.horizon),
        )
    }

    /// [`Self::busy_open`] for a service starting now at an open stage: when it ends before the
    /// stage's current open interval does (the common case), it is all open time and no
    /// calendar walk is needed.
    #[inline]
    fn busy_open_from_now(&self, s: u32, t: SimTime, end: SimTime) -> i128 {
        let st = &self.stages[s as usize];
        let spec = &self.m.stages[s as usize];
        let inside_open = st.open_cache && end <= st.open_cache_until;
        if !(spec.calendar.is_always_open() || inside_open) {
            return self.busy_open(s, t, end);
        }
        let from = t.max(self.warmup);
        let to = end.min(self.horizon);
        if to <= from {
            0
        } else {
            to.since(from).as_ms() as i128
        }
    }

    /// Starts a vehicle's service on a free lane or track of group `g`.
    fn start(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32, v: u32, g: u16) {
        let st = &mut self.stages[s as usize];
        st.free[g as usize] -= 1;
        st.levels.busy.add(t.as_ms(), 1);
        self.serve(q, t, s, v, g);
    }

    /// Starts a vehicle's service on a lane or track of group `g` already counted busy.
    #[inline(always)]
    fn serve(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32, v: u32, g: u16) {
        self.end_wait(t, s, v);
        let spec = &self.m.stages[s as usize];
        let st = &mut self.stages[s as usize];
        let veh = &mut self.vehicles[v as usize];
        veh.group = g;
        let mut service = st
            .service_drawn
            .take(|buf| spec.service.fill(&mut st.rng_service, buf));
        if let Some(insp) = &spec.inspection
            && st.rng_inspect.random::<f64>() < insp.probability
        {
            service += insp.service.sample(&mut st.rng_inspect);
        }
        if let Some(rate) = spec.handling_rate_tph {
            service += SimDuration::from_ms_f64_nonneg(veh.tonnes / rate * MS_PER_HOUR as f64);
        }
        let Some(end) = t.checked_add(service) else {
            return;
        };
        // A track stays busy until the train leaves the checkpoint: counted then.
        if spec.kind != StageKind::Tracks {
            let busy = self.busy_open_from_now(s, t, end);
            self.stages[s as usize].busy_open_ms += busy;
        }
        self.schedule(q, end, Ev::Done(v));
    }

    /// Admits a vehicle at a pooled stage: its wait ends and its moves become available.
    fn admit(&mut self, t: SimTime, s: u32, v: u32) {
        self.end_wait(t, s, v);
        let units = self.units_at(s, v);
        let veh = &mut self.vehicles[v as usize];
        veh.units_left = units;
        veh.units_busy = 0;
        self.stages[s as usize].work.push_back(v);
    }

    /// Starts one container or wagon move of vehicle `v`.
    fn start_move(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32, v: u32) {
        let spec = &self.m.stages[s as usize];
        let st = &mut self.stages[s as usize];
        st.free[0] -= 1;
        st.levels.busy.add(t.as_ms(), 1);
        let veh = &mut self.vehicles[v as usize];
        veh.units_left -= 1;
        veh.units_busy += 1;
        if let Some(tr) = &mut self.trace {
            tr.push(ServiceStart {
                at: t,
                stage: s,
                flow: veh.flow,
                class: veh.class,
                waited: SimDuration::ZERO,
                unit_move: true,
            });
        }
        let dur = st
            .service_drawn
            .take(|buf| spec.service.fill(&mut st.rng_service, buf));
        let Some(end) = t.checked_add(dur) else {
            return;
        };
        let busy = self.busy_open_from_now(s, t, end);
        self.stages[s as usize].busy_open_ms += busy;
        self.schedule(q, end, Ev::Move(v));
    }

    fn on_move(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        let s = self.stage_of(v);
        {
            let st = &mut self.stages[s as usize];
            st.free[0] += 1;
            st.levels.busy.add(t.as_ms(), -1);
        }
        let veh = &mut self.vehicles[v as usize];
        veh.units_busy -= 1;
        if veh.units_left == 0 && veh.units_busy == 0 {
            self.finish_pooled(q, t, s, v);
        } else {
            self.dispatch_pooled(q, t, s);
        }
    }

    /// The last move of `v` at pooled stage `s` is done: it leaves the stage.
    fn finish_pooled(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32, v: u32) {
        let st = &mut self.stages[s as usize];
        if let Some(pos) = st.work.iter().position(|&x| x == v) {
            st.work.remove(pos);
        }
        self.stage_served(t, s, v);
        self.dispatch_pooled(q, t, s);
        self.after_stage(q, t, v, s);
    }

    /// Served-at-stage statistics of `v` leaving stage `s` at `t`.
    #[inline(always)]
    fn stage_served(&mut self, t: SimTime, s: u32, v: u32) {
        let st = &mut self.stages[s as usize];
        let veh = &mut self.vehicles[v as usize];
        veh.in_stage = false;
        if st.mirrors_checkpoint {
            // Recorded by the checkpoint the vehicle leaves at this same instant.
            return;
        }
        let veh = &self.vehicles[v as usize];
        let flow = &self.m.flows[veh.flow as usize];
        st.levels.in_system.add(t.as_ms(), -1);
        if veh.counted {
            st.kpi.served += 1;
            add_cargo(&mut st.kpi, flow, veh);
            st.kpi
                .time_in_system
                .record(t.since(veh.stage_arrive).as_ms() as u64);
        }
    }

    fn on_done(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        let s = self.stage_of(v);
        let group = self.vehicles[v as usize].group;
        if self.m.stages[s as usize].kind == StageKind::Tracks {
            // The train keeps its track until it leaves the checkpoint.
            let veh = &mut self.vehicles[v as usize];
            veh.track_stage = s;
            veh.track_group = veh.group;
            veh.track_since = veh.service_start;
            self.stage_served(t, s, v);
        } else if self.stages[s as usize].lean && self.stages[s as usize].waiting > 0 {
            // The lane goes straight to the head of the queue: lanes free and busy are unchanged
            // (a -1 and a +1 at one instant leave the time-weighted busy level as it is).
            self.stage_served(t, s, v);
            if let Some((next, _)) = self.stages[s as usize].queues[0].pop_front() {
                self.vehicles[next as usize].queued = false;
                self.change_waiting(t, s, -1);
                self.serve(q, t, s, next, group);
            }
        } else {
            let st = &mut self.stages[s as usize];
            st.free[group as usize] += 1;
            st.levels.busy.add(t.as_ms(), -1);
            // A lean stage gets here with nobody waiting (see above): nothing to dispatch.
            let lean = st.lean;
            self.stage_served(t, s, v);
            if !lean {
                // The freed lane goes to the next waiting vehicle at this same instant.
                self.dispatch(q, t, s);
            }
        }
        self.after_stage(q, t, v, s);
    }

    /// Sends `v`, done at stage `s`, to the next stage of its checkpoint, or out of it. The
    /// checkpoint is the stage's: one lookup instead of the route walk (flow → leg → checkpoint).
    fn after_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32, s: u32) {
        let cp = self.m.stages[s as usize].checkpoint;
        let step = self.vehicles[v as usize].step;
        if (step as usize + 1) < self.m.checkpoints[cp as usize].stages.len() {
            self.next_stage(q, t, v, cp);
        } else {
            self.leave_checkpoint(q, t, v, cp as usize);
        }
    }

    /// Sends `v` on to the next stage of its checkpoint. A call of its own: inlined, it put a
    /// second copy of the arrival path into `after_stage` and made the common way out of a
    /// one-stage checkpoint slower.
    #[inline(never)]
    fn next_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32, cp: u32) {
        self.vehicles[v as usize].step += 1;
        self.go_to_stage(q, t, v, cp);
    }

    fn leave_checkpoint(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32, cp: usize) {
        let m = self.m;
        // A departing train frees its receiving track; the next train outside takes it now.
        let track_stage = self.vehicles[v as usize].track_stage;
        if track_stage != NO_TRACK {
            let s = track_stage;
            let veh = &mut self.vehicles[v as usize];
            veh.track_stage = NO_TRACK;
            let (since, group) = (veh.track_since, veh.track_group);
            let busy = self.busy_open(s, since, t);
            let st = &mut self.stages[s as usize];
            st.free[group as usize] += 1;
            st.levels.busy.add(t.as_ms(), -1);
            st.busy_open_ms += busy;
            self.dispatch(q, t, s);
        }
        // The vehicle is read in place (the fields below are disjoint from it).
        let veh = &mut self.vehicles[v as usize];
        veh.in_cp = false;
        let veh = &*veh;
        let flow = &m.flows[veh.flow as usize];
        debug_assert_eq!(cp, flow.route[veh.leg as usize] as usize);
        let limit = m.classes[veh.class as usize].max_wait.map(|d| d.as_ms());
        {
            let c = &mut self.cps[cp];
            c.levels.in_system.add(t.as_ms(), -1);
            if veh.counted {
                c.kpi.served += 1;
                add_cargo(&mut c.kpi, flow, veh);
                c.kpi.wait.record(veh.cp_wait_ms as u64);
                c.kpi
                    .time_in_system
                    .record(t.since(veh.cp_enter).as_ms() as u64);
                c.kpi
                    .wait_by_hour
                    .add(veh.cp_enter.hour_of_day(), veh.cp_wait_ms as u64);
                if limit.is_some_and(|l| veh.cp_wait_ms > l) {
                    c.kpi.over_limit += 1;
                }
            }
        }
        let transfer = m.checkpoints[cp].transfer_to;
        let next_leg = veh.leg as usize + 1;
        if transfer.is_none() && next_leg < flow.route.len() {
            self.next_leg(q, t, v);
            return;
        }
        // Leaves the system (at a transfer terminal, its cargo goes on in other vehicles).
        if veh.counted {
            let tis = t.since(veh.created).as_ms() as u64;
            let over = limit.is_some_and(|l| veh.total_wait_ms > l);
            // Class statistics are the flows' merged at the end: a vehicle's class is its flow's.
            let fr = &mut self.flows[veh.flow as usize];
            let k = &mut fr.kpi;
            if !fr.mirrors_checkpoint {
                k.served += 1;
                add_cargo(k, flow, veh);
                k.wait.record(veh.total_wait_ms as u64);
                k.time_in_system.record(tis);
                k.wait_by_hour
                    .add(veh.created.hour_of_day(), veh.total_wait_ms as u64);
            }
            if over {
                k.over_limit += 1;
            }
        }
        let (containers, tonnes) = (veh.containers, veh.tonnes);
        let veh = &mut self.vehicles[v as usize];
        veh.counted = false;
        veh.flow = u32::MAX;
        self.free_ids.push(v);
        if let Some(onward) = transfer {
            self.transfer(q, t, onward, containers, tonnes);
        }
    }

    /// Sends `v` on from the checkpoint it just left to the next one of its route (a call of its
    /// own, like `next_stage`).
    #[inline(never)]
    fn next_leg(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: u32) {
        let veh = &mut self.vehicles[v as usize];
        veh.leg += 1;
        let flow = &self.m.flows[veh.flow as usize];
        match &flow.travel[veh.leg as usize] {
            Some(d) if !d.is_zero() => {
                let dt = d.sample(&mut self.flows[veh.flow as usize].rng_travel);
                if let Some(at) = t.checked_add(dt) {
                    self.schedule(q, at, Ev::Gate(v));
                }
            }
            _ => self.enter_checkpoint(q, t, v),
        }
    }

    /// Loads `containers` and `tonnes` onto as many vehicles of flow `onward` as they need, each
    /// filled up to that flow's load per vehicle; they start the onward route now. Containers are
    /// split by count; bulk (no containers) by tonnes — and if the onward flow carries
    /// containers, bulk is stuffed into them at that flow's tonnes per container.
    #[inline(never)]
    fn transfer(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        onward: u32,
        containers: u32,
        tonnes: f64,
    ) {
        let spec = &self.m.flows[onward as usize];
        let (per_c, per_t) = (spec.containers, spec.tonnes);
        let mut loads: Vec<(u32, f64)> = Vec::new();
        if containers > 0 && per_c > 0 {
            let mut left = containers;
            while left > 0 {
                let c = left.min(per_c);
                loads.push((c, tonnes * c as f64 / containers as f64));
                left -= c;
            }
        } else if tonnes > 0.0 && per_t > 0.0 {
            let t_per_c = if per_c > 0 { per_t / per_c as f64 } else { 0.0 };
            let mut left = tonnes;
            while left > 1e-9 {
                let w = left.min(per_t);
                let c = if t_per_c > 0.0 {
                    (w / t_per_c).ceil() as u32
                } else {
                    containers
                };
                loads.push((c, w));
                left -= w;
            }
        } else {
            loads.push((containers, tonnes));
        }
        for (c, w) in loads {
            self.create_vehicle(q, t, onward, c, w);
        }
    }

    /// Plans the sampling instants (warm-up end + k·step, and the horizon) and the calendar
    /// years (reference clock) of the measured span [warm-up, horizon).
    fn start_observations(&mut self, observe: Observe) {
        let m = self.m;
        self.obs.step = observe.series_step.filter(|d| !d.is_zero());
        self.obs.last = vec![(0, 0, 0, 0); m.stages.len()];
        self.obs.next_sample = self
            .obs
            .step
            .and_then(|d| self.warmup.checked_add(d))
            .map(|t| t.min(self.horizon));
        let start_year = crate::time::date_plus_days(m.start_date, self.warmup.day_index())
            .map(|d| d.year())
            .unwrap_or(m.start_date.year());
        let mut year = start_year;
        self.obs.years.push((year, self.warmup));
        loop {
            let Ok(next) = Date::new(year.saturating_add(1), 1, 1) else {
                break;
            };
            let Some(days) = crate::time::days_between(m.start_date, next) else {
                break;
            };
            let at = SimTime::from_days(days);
            if at >= self.horizon {
                break;
            }
            year += 1;
            self.obs.years.push((year, at));
        }
        if m.reports_years() {
            let empty = YearSnap::default();
            self.obs.snap_system = empty.clone();
            self.obs.snap_cps = vec![empty.clone(); m.checkpoints.len()];
            self.obs.snap_flows = vec![empty; m.flows.len()];
        } else {
            self.obs.years.clear();
        }
        for (f, spec) in m.flows.iter().enumerate() {
            if let Some(ch) = &spec.choice {
                self.flows[f].feed = self.obs.feeds.len();
                self.obs.feeds.push(Feed {
                    every: ch.info_every,
                    delay: ch.info_delay,
                    next: SimTime::ZERO,
                    published: VecDeque::new(),
                });
            }
        }
        self.update_next_observation();
    }

    fn update_next_observation(&mut self) {
        let year_end = self
            .obs
            .years
            .get(self.obs.year_idx + 1)
            .map(|&(_, at)| at)
            .unwrap_or(SimTime::MAX);
        let feeds = self.obs.feeds.iter().map(|f| f.next).min();
        self.obs.next_at = self
            .obs
            .next_sample
            .unwrap_or(SimTime::MAX)
            .min(year_end)
            .min(feeds.unwrap_or(SimTime::MAX));
    }

    /// Takes the samples and closes the years due at or before `t`, in time order.
    fn observe_until(&mut self, t: SimTime) {
        while self.obs.next_at <= t {
            let at = self.obs.next_at;
            if self.obs.next_sample == Some(at) {
                self.sample(at);
                self.obs.next_sample = match self.obs.step.and_then(|d| at.checked_add(d)) {
                    _ if at >= self.horizon => None,
                    Some(n) => Some(n.min(self.horizon)),
                    None => None,
                };
            }
            if self
                .obs
                .years
                .get(self.obs.year_idx + 1)
                .is_some_and(|&(_, y)| y == at)
            {
                self.close_year(at);
            }
            if self.obs.feeds.iter().any(|f| f.next == at) {
                let waiting: Vec<u32> = self.stages.iter().map(|st| st.waiting).collect();
                for feed in self.obs.feeds.iter_mut().filter(|f| f.next == at) {
                    feed.forget_before(at);
                    feed.published.push_back((at, waiting.clone()));
                    feed.next = at.checked_add(feed.every).unwrap_or(SimTime::MAX);
                }
            }
            self.update_next_observation();
        }
    }

    /// Appends one row per stage: levels now, counts since the previous sample.
    fn sample(&mut self, t: SimTime) {
        for (i, (spec, st)) in self.m.stages.iter().zip(&self.stages).enumerate() {
            let now = (
                st.kpi.arrivals,
                st.kpi.served,
                st.kpi.wait.count(),
                st.kpi.wait.sum(),
            );
            let last = std::mem::replace(&mut self.obs.last[i], now);
            let queue = st.levels.queue.level();
            let road = if spec.holding_capacity == 0 {
                queue
            } else {
                st.levels.road.level()
            };
            self.obs.rows.push(SeriesRow {
                at: t,
                stage: i as u32,
                queue: queue as u32,
                road: road as u32,
                busy: st.levels.busy.level() as u32,
                // Like the levels, the state just before the instant.
                lanes_open: if spec.calendar.is_open(SimTime::from_ms(t.as_ms() - 1)) {
                    st.lanes_now
                } else {
                    0
                },
                lanes: st.lanes_now,
                daily_quota: st.quota_now,
                arrivals: now.0 - last.0,
                served: now.1 - last.1,
                started: now.2 - last.2,
                wait_sum_ms: now.3 - last.3,
            });
        }
    }

    /// Closes the current calendar year at `t`: its statistics are the difference between now
    /// and the snapshot taken when it began.
    fn close_year(&mut self, t: SimTime) {
        let Some(&(year, from)) = self.obs.years.get(self.obs.year_idx) else {
            return;
        };
        let cps: Vec<YearSnap> = self.cps.iter().map(|c| YearSnap::of(&c.kpi)).collect();
        // A flow that mirrors its checkpoint has its recorded statistics there until `finish`.
        let flows: Vec<YearSnap> = self
            .m
            .flows
            .iter()
            .zip(&self.flows)
            .map(|(spec, f)| {
                if f.mirrors_checkpoint {
                    YearSnap::of(&self.cps[spec.route[0] as usize].kpi)
                } else {
                    YearSnap::of(&f.kpi)
                }
            })
            .collect();
        let mut system = YearSnap::default();
        for f in &flows {
            system.arrivals += f.arrivals;
            system.served += f.served;
            system.tonnes += f.tonnes;
            system.containers += f.containers;
            system.teu += f.teu;
            system.wait.merge(&f.wait);
        }
        let diff = |now: &[YearSnap], before: &[YearSnap]| -> Vec<YearKpi> {
            now.iter().zip(before).map(|(a, b)| a.since(b)).collect()
        };
        self.obs.done.push(YearResult {
            year,
            days: t.since(from).as_ms() as f64 / MS_PER_DAY as f64,
            system: system.since(&self.obs.snap_system),
            checkpoints: diff(&cps, &self.obs.snap_cps),
            flows: diff(&flows, &self.obs.snap_flows),
        });
        self.obs.snap_system = system;
        self.obs.snap_cps = cps;
        self.obs.snap_flows = flows;
        self.obs.year_idx += 1;
    }

    /// The flow whose route a new vehicle of flow `f` takes: see [`RouteChoice`] for the rule.
    fn choose_route(&mut self, t: SimTime, f: u32) -> u32 {
        let Some(ch) = &self.m.flows[f as usize].choice else {
            return f;
        };
        let rt = &mut self.flows[f as usize];
        if rt.rng_choice.random::<f64>() < ch.loyal_share {
            return f;
        }
        let fi = rt.feed;
        self.obs.feeds[fi].forget_before(t);
        let seen = self.obs.feeds[fi].visible(t);
        let mut best = (self.expected_route_ms(t, f, seen), f);
        for alt in &ch.alternatives {
            // The alternative's detour is its first travel leg: included, and its hours are
            // checked for when the vehicle would get there.
            let ms = self.expected_route_ms(t, alt.flow, seen);
            if ms < best.0 {
                best = (ms, alt.flow);
            }
        }
        best.1
    }

    /// Expected time [ms] for a vehicle appearing at `t` to pass flow `f`'s route, seeing the
    /// queues `seen` (vehicles waiting per stage; none if empty).
    fn expected_route_ms(&self, t: SimTime, f: u32, seen: &[u32]) -> f64 {
        let flow = &self.m.flows[f as usize];
        let mut total = 0.0;
        for (leg, &node) in flow.route.iter().enumerate() {
            if let Some(d) = &flow.travel[leg] {
                total += d.mean_ms();
            }
            for &s in &self.m.checkpoints[node as usize].stages {
                let spec = &self.m.stages[s as usize];
                let st = &self.stages[s as usize];
                if let Some(d) = &spec.travel {
                    total += d.mean_ms();
                }
                let at = SimTime::from_ms(t.as_ms().saturating_add(total as i64));
                let opens = spec.calendar.next_open(at);
                if opens == SimTime::MAX {
                    return f64::INFINITY;
                }
                total += opens.since(at).as_ms() as f64;
                let mut service = spec.service.mean_ms();
                if let Some(i) = &spec.inspection {
                    service += i.probability * i.service.mean_ms();
                }
                // Drained at the service rate over the share of the coming day the stage is open.
                // The coming day from the opening (a closure is already counted above).
                let day = opens
                    .checked_add(SimDuration::from_ms(MS_PER_DAY))
                    .unwrap_or(opens);
                let open_share =
                    spec.calendar.open_duration(opens, day).as_ms() as f64 / MS_PER_DAY as f64;
                let servers = st.lanes_now.max(1) as f64;
                let mut per_ms = servers / service.max(1.0) * open_share.max(1e-6);
                if let Some(q) = st.quota_now {
                    per_ms = per_ms.min(q as f64 / MS_PER_DAY as f64);
                }
                let waiting = seen.get(s as usize).copied().unwrap_or(0) as f64;
                total += waiting / per_ms + service;
            }
        }
        total
    }

    /// Applies stage `s`'s next dated change. More lanes serve the queue at once; fewer lanes
    /// retire as their vehicles finish (services in progress are never cut short).
    fn change_capacity(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: u32) {
        let spec = &self.m.stages[s as usize];
        let st = &mut self.stages[s as usize];
        let Some(c) = spec.changes.get(st.next_change) else {
            return;
        };
        st.next_change += 1;
        if let Some(lanes) = c.lanes {
            let general = st.free.len() - 1;
            st.free[general] += lanes as i32 - st.lanes_now as i32;
            st.lanes_now = lanes;
        }
        if c.daily_quota.is_some() {
            st.quota_now = c.daily_quota;
        }
        if let Some(next) = spec.changes.get(st.next_change)
            && next.at < self.horizon
            && next.at > t
        {
            self.schedule(q, next.at, Ev::Change(s));
        }
        self.dispatch(q, t, s);
    }

    fn reset_stats(&mut self, t: SimTime) {
        let tm = t.as_ms();
        for st in &mut self.stages {
            st.levels.reset(tm);
        }
        for c in &mut self.cps {
            c.levels.reset(tm);
        }
    }

    fn finish(&mut self, replication: u32, events: u64) -> RepResult {
        let end = self.horizon;
        // Samples due after the last event, up to the one at the horizon.
        self.observe_until(end);
        // Statistics recorded once, by the checkpoint, for the stages and flows that mirror it.
        for (spec, st) in self.m.stages.iter().zip(&mut self.stages) {
            if st.mirrors_checkpoint {
                let c = &self.cps[spec.checkpoint as usize];
                copy_recorded(&c.kpi, &mut st.kpi);
                st.levels.queue = c.levels.queue.clone();
                st.levels.road = c.levels.road.clone();
                st.levels.in_system = c.levels.in_system.clone();
            }
        }
        for (spec, f) in self.m.flows.iter().zip(&mut self.flows) {
            if f.mirrors_checkpoint {
                copy_recorded(&self.cps[spec.route[0] as usize].kpi, &mut f.kpi);
            }
        }
        // Vehicles still inside: the backlog, and waits that are already over their limit.
        let free: std::collections::HashSet<u32> = self.free_ids.iter().copied().collect();
        for id in 0..self.vehicles.len() {
            if free.contains(&(id as u32)) {
                continue;
            }
            let veh = self.vehicles[id];
            if veh.track_stage != NO_TRACK {
                // Still on its receiving track at the horizon: the track was busy until the end.
                let busy = self.busy_open(veh.track_stage, veh.track_since, end);
                self.stages[veh.track_stage as usize].busy_open_ms += busy;
            }
            if !veh.counted {
                continue;
            }
            let flow = &self.m.flows[veh.flow as usize];
            let queued_now = if veh.queued {
                end.since(veh.stage_arrive).as_ms()
            } else {
                0
            };
            let limit = self.m.classes[veh.class as usize]
                .max_wait
                .map(|d| d.as_ms());
            let fk = &mut self.flows[veh.flow as usize].kpi;
            fk.backlog_end += 1;
            let over_total = limit.is_some_and(|l| veh.total_wait_ms + queued_now > l);
            if over_total {
                fk.over_limit += 1;
            }
            if veh.in_cp {
                let cp = flow.route[veh.leg as usize] as usize;
                let k = &mut self.cps[cp].kpi;
                k.backlog_end += 1;
                if limit.is_some_and(|l| veh.cp_wait_ms + queued_now > l) {
                    k.over_limit += 1;
                }
                if veh.in_stage {
                    let s = self.m.checkpoints[cp].stages[veh.step as usize];
                    let st = &mut self.stages[s as usize];
                    st.kpi.backlog_end += 1;
                    if st.mirrors_checkpoint && !veh.queued {
                        // In service: its wait at the stage is over, but the checkpoint records
                        // waits only when vehicles leave.
                        let waited = veh.service_start.since(veh.stage_arrive).as_ms() as u64;
                        st.kpi.wait.record(waited);
                        st.kpi
                            .wait_by_hour
                            .add(veh.stage_arrive.hour_of_day(), waited);
                    }
                }
            }
        }
        // The last year closes at the horizon, with the backlog counted above.
        self.close_year(end);
        // Class statistics: the merged statistics of the flows of each class.
        let mut classes = vec![Kpi::default(); self.m.classes.len()];
        for (spec, f) in self.m.flows.iter().zip(&self.flows) {
            classes[spec.class as usize].merge(&f.kpi);
        }
        let measured_ms = end.since(self.warmup).as_ms();
        let stages = self
            .m
            .stages
            .iter()
            .zip(self.stages.iter_mut())
            .map(|(spec, st)| StageResult {
                kpi: std::mem::take(&mut st.kpi),
                levels: {
                    let mut l = st.levels.clone();
                    if spec.holding_capacity == 0 {
                        l.road = l.queue.clone();
                    }
                    l
                },
                busy_open_lane_ms: st.busy_open_ms,
                open_lane_ms: spec.open_lane_ms(self.warmup, end),
                quota_days_exhausted: st.quota_days_exhausted,
            })
            .collect();
        RepResult {
            replication,
            events,
            measured_ms,
            stages,
            checkpoints: {
                let mut cps = std::mem::take(&mut self.cps);
                for (c, tracked) in cps.iter_mut().zip(&self.cp_road_tracked) {
                    if !tracked {
                        c.levels.road = c.levels.queue.clone();
                    }
                }
                cps
            },
            flows: self
                .flows
                .iter_mut()
                .map(|f| std::mem::take(&mut f.kpi))
                .collect(),
            classes,
            series: std::mem::take(&mut self.obs.rows),
            years: std::mem::take(&mut self.obs.done),
        }
    }
}

impl StageKind {
    /// True for stages whose servers handle one container or wagon at a time, pooled over
    /// vehicles.
    pub fn is_pooled(self) -> bool {
        matches!(self, StageKind::Cranes | StageKind::BogieExchange)
    }
}
