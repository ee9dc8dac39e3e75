//! The model description: a validated, immutable scenario — cargo classes, route nodes
//! (checkpoints, links, terminals), and the whole [`Model`] with its derived figures (horizon,
//! mean rates). Stages are in `stage`, flows and arrivals in `flow`, the static overload check
//! in `overload`.

use crate::time::{Date, SimDuration, SimTime};

mod cargo;
mod crossing;
mod flow;
mod lanes;
mod overload;
mod stage;

pub use cargo::{Load, Split, split};
pub use crossing::{
    Ambiguity, CrossingRun, CrossingSlot, CrossingSpec, Partial, RouteConflict, route_runs,
};
pub use flow::{Alternative, Arrivals, FlowSpec, RateProfile, RouteChoice};
pub use lanes::{DailyLanes, LaneProfile};
pub use overload::{Overload, OverloadReason};
pub use stage::{Inspection, LaneGroup, StageChange, StageKind, StageSpec};

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

/// A cargo class (general, perishable, hazardous, …).
#[derive(Clone, Debug)]
pub struct ClassSpec {
    /// Class name.
    pub id: String,
    /// Longest acceptable total wait; vehicles beyond it are counted as over the limit.
    pub max_wait: Option<SimDuration>,
}

/// Most stages a node may have ([`CheckpointSpec::stages`]) and most nodes a route may pass
/// ([`FlowSpec::route`]): a vehicle keeps its place in its node and on its route in a byte each
/// (a 64-byte vehicle record). The scenario checks refuse more; simulating a [`Model`] built in
/// code with more panics.
pub const MAX_STAGES_PER_NODE: usize = 256;
/// See [`MAX_STAGES_PER_NODE`].
pub const MAX_ROUTE_NODES: usize = 256;

/// A node of a route — a border crossing point, a link or a terminal: an ordered chain of stages.
#[derive(Clone, Debug)]
pub struct CheckpointSpec {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the node is.
    pub kind: NodeKind,
    /// Indices into [`Model::stages`], in the order vehicles pass them; at most
    /// [`MAX_STAGES_PER_NODE`].
    pub stages: Vec<u32>,
    /// For a terminal: the flow whose vehicles carry the cargo on from here.
    pub transfer_to: Option<u32>,
    /// For a terminal with `transfer_to`: its storage for cargo waiting for its onward vehicle.
    pub storage: Option<Storage>,
}

/// A terminal's storage: cargo unloaded there waits in it until its onward vehicle starts service
/// at the first stage of its route. When the cargo of a vehicle done at the terminal's last stage
/// does not fit, that vehicle keeps its berth, lane or track there (blocking after service).
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    /// Most containers stored at once.
    pub containers: Option<u32>,
    /// Most tonnes stored at once.
    pub tonnes: Option<f64>,
}

impl Storage {
    /// True if `containers` and `tonnes` more fit beside `stored` (containers, tonnes). Into an
    /// empty storage anything fits, so a load larger than the whole storage still moves.
    pub fn fits(&self, stored: (u64, f64), containers: u64, tonnes: f64) -> bool {
        let empty = stored.0 == 0 && stored.1 <= 1e-9;
        empty
            || (self
                .containers
                .is_none_or(|c| stored.0.saturating_add(containers) <= u64::from(c))
                && self.tonnes.is_none_or(|t| stored.1 + tonnes <= t + 1e-9))
    }
}

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Horizon \[days\].
    pub days: u32,
    /// Warm-up \[days\], less than `days`.
    pub warmup_days: u32,
    /// Base seed.
    pub seed: u64,
    /// Number of replications.
    pub replications: u32,
    /// Date of simulated day 0.
    pub start_date: Date,
    /// The reference clock's UTC offset (`simulation.utc_offset`): timetables, arrival profiles
    /// and hour-of-day results are read on it; a stage's clock is this plus its calendar's shift.
    pub utc_offset: SimDuration,
    /// Road queue length per waiting vehicle \[m\].
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
    /// Crossings: named stretches of routes whose crossing time is reported.
    pub crossings: Vec<CrossingSpec>,
    /// Most vehicles one replication may hold at once (waiting, in service or travelling): a
    /// memory budget. A replication that reaches it stops with an error (its queues grow without
    /// bound). Default: a share of the machine's memory (`sim::default_vehicle_budget`); `run`,
    /// `sweep` and `compare` take `--max-queue`.
    pub max_in_system: u64,
}

impl Model {
    /// The end of the simulated horizon.
    pub fn horizon(&self) -> SimTime {
        SimTime::from_days(self.days as i64)
    }
    /// True if flow `f`'s vehicles hand their cargo on to another flow at the end of their route
    /// (a terminal with `transfer_to`), so the cargo is delivered by the onward flow, not by `f`.
    pub fn hands_on(&self, f: usize) -> bool {
        self.flows[f]
            .route
            .last()
            .is_some_and(|&n| self.checkpoints[n as usize].transfer_to.is_some())
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
}
