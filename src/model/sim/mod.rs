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
mod finish;
mod hours;
mod ids;
mod mirror;
mod observe;
mod pooled;
mod queue;
mod quota;
mod route_choice;
mod stage;
mod vehicle;

use std::collections::VecDeque;

use crate::dist::Drawn;
use crate::engine::{EventQueue, Handler, Rng, run_before, stream};
use crate::time::SimTime;

use super::result::{CheckpointResult, Kpi, Levels, Observe, RepResult, ServiceStart};
use super::spec::{Arrivals, Model};
use ids::{CheckpointId, FlowId, Id, IdVec, StageId, VehicleId};
use mirror::{flow_mirrors_checkpoint, mirrored_stage};
use observe::Observations;
use queue::{StageQueue, is_lean};
use stage::StageRt;
use vehicle::Vehicle;

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
    kpi: Kpi,
    // The checkpoint records this flow's statistics (see `flow_mirrors_checkpoint`); `finish`
    // copies them.
    mirrors_checkpoint: bool,
}

/// The state of one replication: the handler of the engine's events.
struct Sim<'m> {
    m: &'m Model,
    warmup: SimTime,
    horizon: SimTime,
    vehicles: IdVec<VehicleId, Vehicle>,
    free_ids: Vec<VehicleId>,
    stages: IdVec<StageId, StageRt>,
    cps: IdVec<CheckpointId, CheckpointResult>,
    flows: IdVec<FlowId, FlowRt>,
    seq: u64,
    trace: Option<Vec<ServiceStart>>,
    // Per checkpoint: true if a stage has a holding area, so its road level differs from its
    // queue and is tracked on its own.
    cp_road_tracked: IdVec<CheckpointId, bool>,
    obs: Observations,
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
                queue: StageQueue::new(n_classes, &s.class_rank, &s.groups),
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
        vehicles: Vec::with_capacity(1024).into(),
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
        let f = FlowId::from_index(f);
        // Poisson arrivals are memoryless, so a flow starting on a date starts its chain there.
        if let Some(t) = sim.next_arrival(f, spec.starts.max(SimTime::ZERO), true)
            && t < spec.ends
        {
            sim.schedule(&mut q, t, Ev::Arrival(f));
        }
    }
    for (s, spec) in m.stages.iter().enumerate() {
        let s = StageId::from_index(s);
        // Changes dated at or before the start (a stage clock ahead of the reference clock puts
        // a change on the start date a few hours before time 0) hold from the start.
        while spec
            .changes
            .get(sim.stages[s].next_change)
            .is_some_and(|c| c.at <= SimTime::ZERO)
        {
            sim.change_capacity(&mut q, SimTime::ZERO, s);
        }
        if let Some(c) = spec.changes.get(sim.stages[s].next_change)
            && c.at < sim.horizon
        {
            sim.schedule(&mut q, c.at, Ev::Change(s));
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
                if self.stages[s].wake_at == Some(t) {
                    self.stages[s].wake_at = None;
                }
                self.dispatch(q, t, s);
            }
            Ev::Warmup => self.reset_stats(t),
            Ev::Change(s) => self.change_capacity(q, t, s),
        }
    }
}

impl Sim<'_> {
    #[inline]
    fn schedule(&mut self, q: &mut EventQueue<Ev>, at: SimTime, ev: Ev) {
        // Events are only ever scheduled at or after now; an error here is a model bug.
        if let Err(e) = q.schedule(at, ev) {
            debug_assert!(false, "{e}");
        }
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
}
