//! What one replication measured: per stage, checkpoint, flow and class statistics, time series
//! rows, yearly figures, and traced service starts.

use crate::stats::{Histogram, HourProfile, PeakLevel, TimeWeighted};
use crate::time::{SimDuration, SimTime};

/// Raw statistics of one entity (stage, checkpoint, flow or class) in one replication.
#[derive(Clone, Debug, Default)]
pub struct EntityStats {
    /// Vehicles that arrived (after warm-up).
    pub arrivals: u64,
    /// Vehicles that finished (after warm-up arrivals only).
    pub served: u64,
    /// Vehicles that left after the warm-up, whenever they arrived (warm-up arrivals included):
    /// the throughput of a crossing that works flat out, which `served` understates when the
    /// queue holds vehicles from the warm-up.
    pub departures: u64,
    /// Vehicles still inside at the horizon.
    pub backlog_end: u64,
    /// Cargo on the vehicles still inside at the horizon.
    pub backlog_cargo: Cargo,
    /// Tonnes served.
    pub tonnes: f64,
    /// Cargo value served \[USD\].
    pub value: f64,
    /// Wagons served.
    pub wagons: f64,
    /// Containers served.
    pub containers: f64,
    /// TEU served.
    pub teu: f64,
    /// Vehicles that had to wait for a receiving track ("held outside" the station).
    pub held_outside: u64,
    /// Waits \[ms\].
    pub wait: Histogram,
    /// Time in system \[ms\].
    pub time_in_system: Histogram,
    /// Mean wait \[ms\] by hour of arrival (reference clock).
    pub wait_by_hour: HourProfile,
    /// Vehicles whose wait exceeded their class's max_wait (finished or still waiting).
    pub over_limit: u64,
}

impl EntityStats {
    /// Adds `other`'s counts and samples to this one (as if its vehicles had been recorded here).
    pub fn merge(&mut self, other: &EntityStats) {
        self.arrivals += other.arrivals;
        self.served += other.served;
        self.departures += other.departures;
        self.backlog_end += other.backlog_end;
        self.backlog_cargo.add(other.backlog_cargo);
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

    /// Adds `other` like [`Self::merge`] but leaves out the cargo it served (tonnes, value,
    /// containers, TEU): for a flow that hands its cargo on at a terminal, whose cargo is
    /// counted where an onward flow delivers it. Its vehicles, waits and backlog still count.
    pub fn merge_moved(&mut self, other: &EntityStats) {
        let kept = (self.tonnes, self.value, self.containers, self.teu);
        self.merge(other);
        (self.tonnes, self.value, self.containers, self.teu) = kept;
    }
}

/// An amount of cargo: tonnes, containers, TEU and value (sums over vehicles, so containers are
/// a whole number held as `f64`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cargo {
    /// Tonnes.
    pub tonnes: f64,
    /// Containers.
    pub containers: f64,
    /// Twenty-foot equivalent units.
    pub teu: f64,
    /// Value \[USD\].
    pub value: f64,
}

impl Cargo {
    /// Adds `other` to this amount.
    pub fn add(&mut self, other: Cargo) {
        self.tonnes += other.tonnes;
        self.containers += other.containers;
        self.teu += other.teu;
        self.value += other.value;
    }
}

/// Time-weighted levels of a stage or checkpoint.
#[derive(Clone, Debug)]
pub struct Levels {
    /// Vehicles waiting.
    pub queue: PeakLevel,
    /// Vehicles waiting on the road (beyond holding capacity).
    pub road: PeakLevel,
    /// Vehicles inside (waiting or in service, for a checkpoint also travelling between stages).
    pub in_system: TimeWeighted,
    /// Busy lanes.
    pub busy: TimeWeighted,
    /// Servers blocked: their vehicle is done but waits for a place at the next stage or node.
    pub blocked: TimeWeighted,
}

impl Levels {
    /// All levels zero from time zero.
    pub(crate) fn new() -> Self {
        Levels {
            queue: PeakLevel::new(0),
            road: PeakLevel::new(0),
            in_system: TimeWeighted::new(0),
            busy: TimeWeighted::new(0),
            blocked: TimeWeighted::new(0),
        }
    }
    /// Restarts the time averages at `t` (the warm-up end), keeping the current levels.
    pub(crate) fn reset(&mut self, t: i64) {
        self.queue.reset(t);
        self.road.reset(t);
        self.in_system.reset(t);
        self.busy.reset(t);
        self.blocked.reset(t);
    }
}

/// Per-stage results of one replication.
#[derive(Clone, Debug)]
pub struct StageResult {
    /// Counts and distributions.
    pub kpi: EntityStats,
    /// Queue and busy-lane levels.
    pub levels: Levels,
    /// Open lane-time after warm-up \[ms\]: open hours × the lanes in effect (schedule and
    /// dated changes included).
    pub open_lane_ms: i128,
    /// Busy lane-time inside open lane-time after warm-up \[ms\]: per lane group,
    /// ∫ min(busy, open lanes) dt. Service running past a closing, or on a lane that retired
    /// while serving, is overtime instead, so utilisation never exceeds 1.
    pub busy_open_lane_ms: i128,
    /// Busy lane-time outside open lane-time after warm-up \[ms\] (overtime): after closing,
    /// in hours a schedule leaves without lanes, or on a lane that retired while serving.
    pub overtime_lane_ms: i128,
    /// Local days (after warm-up) on which the daily quota was used up.
    pub quota_days_exhausted: u64,
    /// When (after warm-up) the daily quota was used up or turned a vehicle away: once per
    /// local day of the stage's clock on which that happened, ascending.
    pub quota_out_at: Vec<SimTime>,
    /// Time that vehicles counted in the statistics spent blocked at the previous stage or node
    /// waiting for a place here, summed over those that got one \[ms\]: for a rail link without
    /// a siding, trains held on their station track waiting for a path.
    pub held_for_ms: i128,
    /// Vehicles inside the stage, time-averaged over the blocks of the second half of the run.
    pub inside_blocks: Blocks,
}

/// Per-checkpoint results of one replication.
#[derive(Clone, Debug)]
pub struct CheckpointResult {
    /// Counts and distributions.
    pub kpi: EntityStats,
    /// Queue levels (summed over stages).
    pub levels: Levels,
    /// Vehicles inside the checkpoint, time-averaged over the blocks of the second half of the
    /// run (filled when the run ends).
    pub inside_blocks: Blocks,
}

/// A level time-averaged over equal consecutive blocks that end at the horizon and lie in the
/// second half of the measured span: the data of the trend test of overload (a backlog that
/// keeps growing). Empty when the second half is too short to hold the blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Blocks {
    /// Length of each block \[ms\].
    pub len_ms: i64,
    /// The level's time average in each block, in time order.
    pub means: Vec<f64>,
}

/// Results of one crossing × mode row ([`crate::model::CrossingSlot`]) in one replication: its
/// vehicles' crossing times (`kpi.time_in_system`), counts and cargo.
#[derive(Clone, Debug)]
pub struct CrossingResult {
    /// Arrivals at the stretch's first node, vehicles that left its last one, their cargo and
    /// crossing times \[ms\].
    pub kpi: EntityStats,
    /// Vehicles inside the crossing (between arriving at its first node and leaving its last).
    pub in_crossing: TimeWeighted,
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct RepResult {
    /// Replication index.
    pub replication: u32,
    /// Events processed.
    pub events: u64,
    /// Measured span after warm-up \[ms\].
    pub measured_ms: i64,
    /// Per stage, indexed like [`Model::stages`](crate::model::Model::stages).
    pub stages: Vec<StageResult>,
    /// Per checkpoint.
    pub checkpoints: Vec<CheckpointResult>,
    /// Per flow.
    pub flows: Vec<EntityStats>,
    /// Per flow: its vehicles in the system, time-averaged over the blocks of the trend test
    /// (see [`CheckpointResult::inside_blocks`]).
    pub flow_inside_blocks: Vec<Blocks>,
    /// Per class.
    pub classes: Vec<EntityStats>,
    /// Per crossing × mode row, indexed like [`Model::crossing_slots`](crate::model::Model::crossing_slots).
    pub crossings: Vec<CrossingResult>,
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
    /// Servers blocked: their vehicle is done and waits for a place at the next stage or node.
    pub blocked: u32,
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
    /// Sum of the waits of those services \[ms\].
    pub wait_sum_ms: u128,
    /// Busy server-time since the previous sample (∫ busy dt, overtime included) \[ms\].
    pub busy_lane_ms: i64,
    /// Open server-time since the previous sample (open hours × servers in effect) \[ms\].
    pub open_lane_ms: i64,
}

/// Statistics of one calendar year (or the part of it inside the measured span), for runs whose
/// measured span is longer than a year
/// ([`Model::reports_years`](crate::model::Model::reports_years)).
#[derive(Clone, Debug)]
pub struct YearResult {
    /// Calendar year.
    pub year: i16,
    /// Measured days of that year in the run.
    pub days: f64,
    /// All flows together.
    pub system: YearStats,
    /// Per checkpoint (vehicles that left it during the year; waits of those vehicles).
    pub checkpoints: Vec<YearStats>,
    /// Per flow (vehicles that completed their route during the year).
    pub flows: Vec<YearStats>,
}

/// What one entity did in one year: a few numbers, so that memory stays independent of the
/// horizon however many years a run spans.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct YearStats {
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
    /// Sum of those waits \[ms\].
    pub wait_sum_ms: u128,
    /// 95th percentile of those waits \[ms\].
    pub wait_p95_ms: f64,
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
