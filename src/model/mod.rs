//! The border: checkpoints made of stages (lanes, service times, operating hours, daily quotas,
//! inspections, holding areas, neutral-zone travel), cargo classes with priorities and reserved
//! lanes, and flows of vehicles along routes — as a state machine on the [`engine`](crate::engine).
//!
//! A [`Model`] is the validated, immutable description (built by `scenario` from TOML, or by hand
//! in code); [`simulate`] runs one replication of it and returns raw per-entity results.
//!
//! - `spec`: the description — classes, checkpoints, stages, flows, arrivals, route choice.
//! - `result`: what one replication measured.
//! - `sim`: the run itself.
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

mod error;
mod result;
mod sim;
mod spec;

pub use error::SimError;
pub use result::{
    Blocks, Cargo, CheckpointResult, CrossingResult, EntityStats, Levels, Observe, RepResult,
    SeriesRow, ServiceStart, StageResult, YearResult, YearStats,
};
pub use sim::{
    default_vehicle_budget, simulate, simulate_traced, simulate_with, try_simulate,
    try_simulate_traced, try_simulate_with,
};
pub use spec::{
    Alternative, Ambiguity, Arrivals, CheckpointSpec, ClassSpec, CrossingRun, CrossingSlot,
    CrossingSpec, DailyLanes, FlowSpec, Inspection, LaneGroup, LaneProfile, Load, MAX_ROUTE_NODES,
    MAX_STAGES_PER_NODE, Mode, Model, NodeKind, Overload, OverloadReason, Partial, RateProfile,
    RouteChoice, RouteConflict, Split, StageChange, StageKind, StageSpec, Storage, route_runs,
    split,
};
