//! One replication: the [`Sim`] state — vehicles, stage and flow run-time state — as a handler of
//! the engine's events, and the entry points [`simulate`], [`simulate_with`] and
//! [`simulate_traced`].
//!
//! The work is split by concept: `arrivals` (flows' arrival processes), `vehicle` (a vehicle's
//! way along its route), `stage` (arriving at, waiting at and leaving a stage), `queue` (the
//! queue discipline), `hours` and `quota` (operating hours and daily quotas), `pooled`
//! (cranes and bogie exchange), `route_choice`, `observe` (time series and yearly figures),
//! `mirror` and `finish` (results).
//!
//! Inlining: the small steps every vehicle takes (create, enter, go to and arrive at a stage, wait,
//! start service, leave a stage, queue changes) are `#[inline(always)]`: the compiler left them as
//! calls, and inlining them saved ~10% of P1's instructions. Inlining the larger event handlers too
//! (`on_done`, `dispatch`, `after_stage`) measured worse, so they stay calls.

mod arrivals;
mod blocking;
mod budget;
pub use budget::default_vehicle_budget;
mod crossing;
mod finish;
mod hours;
mod ids;
mod lanes;
mod mirror;
mod observe;
mod pooled;
mod queue;
mod quota;
mod route_choice;
mod setup;
mod stage;
mod vehicle;

use std::collections::VecDeque;

use crate::dist::Drawn;
use crate::engine::{EventQueue, Handler, PastEventError, Rng, run_before};
use crate::stats::TimeWeighted;
use crate::time::SimTime;

use super::error::SimError;
use super::result::{CheckpointResult, EntityStats, Observe, RepResult, ServiceStart};
use super::spec::{Load, Model};
use ids::{CheckpointId, FlowId, Id, IdVec, StageId, VehicleId};
use lanes::LaneRt;
use observe::Observations;
use stage::StageRt;
use vehicle::{Vehicle, VehicleExtra};

/// An event of the simulation, naming its entity by index.
#[derive(Clone, Copy, Debug)]
enum Ev {
    /// Next scheduled departure of a flow (a vehicle appears, or starts its delay).
    Arrival(FlowId),
    /// A late timetable vehicle of a flow finally appears.
    Late(FlowId),
    /// A vehicle reaches the gate of its next node.
    Gate(VehicleId),
    /// A vehicle reaches its next stage (after neutral-zone travel).
    Stage(VehicleId),
    /// A vehicle's service ends (lanes and tracks stages).
    Done(VehicleId),
    /// One container or wagon move of a vehicle ends (cranes and bogie-exchange stages).
    Move(VehicleId),
    /// A stage re-checks its queue (opening time or new quota day).
    Wake(StageId),
    /// Warm-up ends: statistics restart.
    Warmup,
    /// A stage's next dated capacity change takes effect.
    Change(StageId),
    /// The end of an instant: stages whose discipline was deferred (see `Sim::dispatch`) choose
    /// whom to serve, now that every vehicle arriving at this instant has arrived.
    Settle,
    /// A stage's lane schedule steps to its next count.
    LaneStep(StageId),
    /// Cargo left a terminal's storage: vehicles blocked for want of room there move on.
    Storage(CheckpointId),
}

/// Run-time state of a flow: its random streams, arrival-process position and statistics.
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
    kpi: EntityStats,
    // The cargo of one of its vehicles (`Load::of_flow`), unless a terminal splits it.
    own_load: Load,
    // The checkpoint records this flow's statistics (see `flow_mirrors_checkpoint`); `finish`
    // copies them.
    mirrors_checkpoint: bool,
    // Its vehicles in the system (created, not yet gone), for the trend test of overload; kept
    // only where the flow does not mirror its checkpoint (whose level is the same).
    in_system: TimeWeighted,
}

/// The state of one replication: the handler of the engine's events.
struct Sim<'m> {
    m: &'m Model,
    warmup: SimTime,
    horizon: SimTime,
    vehicles: IdVec<VehicleId, Vehicle>,
    free_ids: Vec<VehicleId>,
    // The extra records of the vehicles that need one (see `VehicleExtra`), and the free ones.
    extras: Vec<VehicleExtra>,
    free_extras: Vec<u32>,
    stages: IdVec<StageId, StageRt>,
    // Per stage: lane schedule steps and the overtime of retiring lanes (see `lanes`).
    lanes: IdVec<StageId, LaneRt>,
    cps: IdVec<CheckpointId, CheckpointResult>,
    flows: IdVec<FlowId, FlowRt>,
    seq: u64,
    trace: Option<Vec<ServiceStart>>,
    // Per checkpoint: true if a stage has a holding area, so its road level differs from its
    // queue and is tracked on its own.
    cp_road_tracked: IdVec<CheckpointId, bool>,
    obs: Observations,
    // The event being handled (None while the run is set up).
    handling: Option<Ev>,
    // The first internal error; it stops the run.
    error: Option<SimError>,
    // Stages whose dispatch waits for the end of the instant, and whether an `Ev::Settle` is
    // pending for it.
    settle: Vec<StageId>,
    settle_scheduled: bool,
    // Terminal storage (see `blocking`): containers and tonnes stored per node, the vehicles
    // blocked for want of room there, and per flow the terminal whose storage its vehicles leave
    // when they first start service. `has_storage`: any terminal has storage.
    stored: IdVec<CheckpointId, (u64, f64)>,
    storage_waiting: IdVec<CheckpointId, VecDeque<VehicleId>>,
    storage_of_flow: IdVec<FlowId, Option<CheckpointId>>,
    has_storage: bool,
    // Crossing times per crossing × mode row (see `crossing`).
    crossing: crossing::CrossingRt,
}

/// Runs replication `replication` of `model` and returns its raw results.
///
/// # Panics
///
/// If an internal invariant of the simulation breaks (a [`SimError`], a bug); use
/// [`try_simulate`] to get it as an error. Also as [`try_simulate`] does.
pub fn simulate(model: &Model, replication: u32) -> RepResult {
    try_simulate(model, replication).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`simulate`], also recording what `observe` asks for (the statistics are identical).
///
/// # Panics
///
/// Only if an internal invariant of the simulation breaks; see [`try_simulate_with`].
pub fn simulate_with(model: &Model, replication: u32, observe: Observe) -> RepResult {
    try_simulate_with(model, replication, observe).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`simulate`], also returning every service start and every container or wagon move in
/// order (for tests and debugging; memory grows with the number of vehicles).
///
/// # Panics
///
/// Only if an internal invariant of the simulation breaks; see [`try_simulate_traced`].
pub fn simulate_traced(model: &Model, replication: u32) -> (RepResult, Vec<ServiceStart>) {
    try_simulate_traced(model, replication).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs replication `replication` of `model`: its raw results, or the [`SimError`] that stopped
/// it.
///
/// # Panics
///
/// If `model` breaks a limit the scenario checks enforce, which only a model built in code
/// can: a node of more than [`MAX_STAGES_PER_NODE`](crate::model::MAX_STAGES_PER_NODE) stages
/// or a route of more than [`MAX_ROUTE_NODES`](crate::model::MAX_ROUTE_NODES) nodes.
pub fn try_simulate(model: &Model, replication: u32) -> Result<RepResult, SimError> {
    try_simulate_with(model, replication, Observe::default())
}

/// Like [`try_simulate`], also recording what `observe` asks for (the statistics are identical).
pub fn try_simulate_with(
    model: &Model,
    replication: u32,
    observe: Observe,
) -> Result<RepResult, SimError> {
    let (mut sim, mut q) = Sim::new(model, replication, None, observe);
    sim.run(&mut q, replication)
}

/// Like [`try_simulate`], also returning every service start and every container or wagon move
/// in order (for tests and debugging; memory grows with the number of vehicles).
pub fn try_simulate_traced(
    model: &Model,
    replication: u32,
) -> Result<(RepResult, Vec<ServiceStart>), SimError> {
    let (mut sim, mut q) = Sim::new(model, replication, Some(Vec::new()), Observe::default());
    let result = sim.run(&mut q, replication)?;
    Ok((result, sim.trace.take().unwrap_or_default()))
}

impl Sim<'_> {
    /// Runs the events before the horizon and collects the results, or returns the error that
    /// stopped the run.
    fn run(&mut self, q: &mut EventQueue<Ev>, replication: u32) -> Result<RepResult, SimError> {
        let events = run_before(q, self, self.horizon);
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        Ok(self.finish(replication, events))
    }
}

impl Handler<Ev> for Sim<'_> {
    #[inline]
    fn handle(&mut self, q: &mut EventQueue<Ev>, t: SimTime, ev: Ev) {
        // Named in a scheduling error.
        self.handling = Some(ev);
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
                if self.stages[s].wake_at == Some(t) {
                    self.stages[s].wake_at = None;
                }
                self.dispatch(q, t, s);
            }
            Ev::Warmup => self.reset_stats(t),
            Ev::Change(s) => self.change_capacity(q, t, s),
            Ev::Settle => self.settle(q, t),
            Ev::LaneStep(s) => self.on_lane_step(q, t, s),
            Ev::Storage(cp) => self.unblock_storage(q, t, cp),
        }
    }
}

impl Sim<'_> {
    /// Schedules `ev` at `at`. Events are only ever scheduled at or after now: one in the past is
    /// a bug, which stops the run (see [`Self::schedule_failed`]).
    #[inline]
    fn schedule(&mut self, q: &mut EventQueue<Ev>, at: SimTime, ev: Ev) {
        if let Err(e) = q.schedule(at, ev) {
            self.schedule_failed(q, e, ev);
        }
    }

    /// Records the first scheduling error and stops the run: the event queue drops every
    /// pending event and accepts no earlier one, so the run loop returns at once.
    #[cold]
    #[inline(never)]
    fn schedule_failed(&mut self, q: &mut EventQueue<Ev>, e: PastEventError, ev: Ev) {
        if self.error.is_none() {
            self.error = Some(SimError::PastEvent {
                at: e.at,
                now: e.now,
                event: self.describe(ev),
                handling: self
                    .handling
                    .map_or_else(|| "the start of the run".to_string(), |h| self.describe(h)),
            });
        }
        q.halt();
    }

    /// An event in words, with the names of the entities it concerns.
    fn describe(&self, ev: Ev) -> String {
        let m = self.m;
        let stage = |s: StageId| {
            let spec = &m.stages[s];
            format!("{}/{}", m.checkpoints[spec.checkpoint as usize].id, spec.id)
        };
        let vehicle = |v: VehicleId| match self.vehicles.get(v) {
            Some(veh) if veh.flow.index() < m.flows.len() => {
                format!("{v} of flow {}", m.flows[veh.flow].id)
            }
            _ => v.to_string(),
        };
        match ev {
            Ev::Arrival(f) => format!("arrival of flow {}", m.flows[f].id),
            Ev::Late(f) => format!("late arrival of flow {}", m.flows[f].id),
            Ev::Gate(v) => format!("gate of {}", vehicle(v)),
            Ev::Stage(v) => format!("stage arrival of {}", vehicle(v)),
            Ev::Done(v) => format!("service end of {}", vehicle(v)),
            Ev::Move(v) => format!("move end of {}", vehicle(v)),
            Ev::Wake(s) => format!("wake-up of stage {}", stage(s)),
            Ev::Warmup => "warm-up end".to_string(),
            Ev::Change(s) => format!("capacity change of stage {}", stage(s)),
            Ev::Settle => "end of instant".to_string(),
            Ev::LaneStep(s) => format!("lane schedule step of stage {}", stage(s)),
            Ev::Storage(cp) => format!("storage freed at terminal {}", m.checkpoints[cp].id),
        }
    }

    fn reset_stats(&mut self, t: SimTime) {
        let tm = t.as_ms();
        for st in &mut self.stages {
            st.levels.reset(tm);
            st.kpi.departures = 0;
        }
        for c in &mut self.cps {
            c.levels.reset(tm);
            c.kpi.departures = 0;
        }
        for f in &mut self.flows {
            f.kpi.departures = 0;
        }
        self.crossing.reset(tm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MAX_ROUTE_NODES;
    use crate::scenario::{Overrides, default_scenario};

    /// The built-in scenario over a few days.
    fn model() -> Model {
        let mut m = default_scenario(Overrides::default()).unwrap();
        m.days = 3;
        m.warmup_days = 1;
        m
    }

    #[test]
    fn an_event_in_the_past_stops_the_run_with_an_error() {
        let m = model();
        let (mut sim, mut q) = Sim::new(&m, 0, None, Observe::default());
        assert!(!q.is_empty());
        // As if the warm-up end at 1 h scheduled a wake-up at 1 s.
        let now = SimTime::from_ms(3_600_000);
        q.advance_to(now);
        sim.handling = Some(Ev::Warmup);
        sim.schedule(&mut q, SimTime::from_ms(1_000), Ev::Wake(StageId(0)));
        assert!(q.is_empty());
        // Nothing more runs or can be scheduled, and the first error is the one reported.
        sim.schedule(&mut q, now, Ev::Warmup);
        assert!(q.is_empty());
        let err = sim.run(&mut q, 0).unwrap_err();
        let SimError::PastEvent {
            at,
            now: clock,
            event,
            handling,
        } = &err
        else {
            panic!("not a scheduling error: {err}");
        };
        assert_eq!((*at, *clock), (SimTime::from_ms(1_000), now));
        let stage = &m.stages[0];
        let name = format!(
            "{}/{}",
            m.checkpoints[stage.checkpoint as usize].id, stage.id
        );
        assert_eq!(event, &format!("wake-up of stage {name}"));
        assert_eq!(handling, "warm-up end");
        assert_eq!(
            err.to_string(),
            format!(
                "event wake-up of stage {name} scheduled in the past at t=day 0 00:00:01.000 \
                 (now day 0 01:00:00.000) while handling warm-up end"
            )
        );
    }

    /// A model built in code past the byte-sized route and node positions stops at once
    /// instead of sending vehicles to the wrong stage; at the limit it runs.
    #[test]
    fn a_route_of_more_than_256_nodes_is_refused_at_the_start() {
        let mut m = model();
        let f = &mut m.flows[0];
        let node = f.route[0];
        f.route = vec![node; MAX_ROUTE_NODES];
        f.travel = vec![None; MAX_ROUTE_NODES];
        m.days = 2;
        assert!(try_simulate(&m, 0).is_ok());
        let f = &mut m.flows[0];
        f.route.push(node);
        f.travel.push(None);
        let panic = std::panic::catch_unwind(|| try_simulate(&m, 0)).unwrap_err();
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(message.contains("more than 256 nodes"), "{message}");
    }

    #[test]
    fn a_run_without_errors_is_the_same_through_either_entry_point() {
        let m = model();
        let a = try_simulate(&m, 1).unwrap();
        let b = simulate(&m, 1);
        assert!(a.events > 0);
        assert_eq!(a.events, b.events);
        assert_eq!(a.flows[0].served, b.flows[0].served);
        let (c, trace) = try_simulate_traced(&m, 1).unwrap();
        assert_eq!(c.events, a.events);
        assert!(!trace.is_empty());
    }
}
