//! Setting up a replication: run-time state of every stage and flow (random streams named by
//! entity, so adding one leaves the others' numbers unchanged), and the first events.

use std::collections::VecDeque;

use crate::dist::Drawn;
use crate::engine::{EventQueue, stream};
use crate::model::result::{CheckpointResult, EntityStats, Levels, Observe, ServiceStart};
use crate::model::spec::{Arrivals, Load, MAX_ROUTE_NODES, MAX_STAGES_PER_NODE, Model};
use crate::stats::TimeWeighted;
use crate::time::SimTime;

use super::blocking::held_move_target;
use super::ids::{CheckpointId, FlowId, Id, IdVec, StageId};
use super::lanes::LaneRt;
use super::mirror::{flow_mirrors_checkpoint, mirrored_stage};
use super::observe::Observations;
use super::queue::{StageQueue, is_lean, needs_settling};
use super::stage::StageRt;
use super::{Ev, FlowRt, Sim};

/// Waiting vehicles of stage `s` that stand off the road: its holding area; with a buffer, the
/// buffer at the first stage of a node (the rest of its queue is on the approach road) and every
/// one at a later stage (blocking keeps the rest on the previous stage's lanes).
fn off_road(m: &Model, s: usize) -> i64 {
    let spec = &m.stages[s];
    let first = m.checkpoints[spec.checkpoint as usize].stages[0] as usize == s;
    match spec.buffer {
        Some(b) if first => b as i64,
        Some(_) => i64::MAX,
        None => spec.holding_capacity as i64,
    }
}

/// True if a vehicle done at stage `s` may have to wait for a place: the next stage of its node
/// has a buffer, or `s` ends a node from which trains or barges go straight on to a node whose
/// first stage has one (see `Sim::blocking_target`).
fn may_block(m: &Model, s: usize) -> bool {
    let spec = &m.stages[s];
    let c = spec.checkpoint as usize;
    let cp = &m.checkpoints[c];
    match cp.stages.iter().position(|&x| x as usize == s) {
        Some(i) if i + 1 < cp.stages.len() => m.stages[cp.stages[i + 1] as usize].buffer.is_some(),
        // The last stage of a terminal with storage: its vehicles wait for room there.
        _ if cp.storage.is_some() => true,
        _ => m.flows.iter().any(|f| {
            f.route.iter().enumerate().any(|(leg, &n)| {
                n as usize == c
                    && held_move_target(m, f, cp, leg).is_some_and(|t| m.stages[t].buffer.is_some())
            })
        }),
    }
}

/// Per flow, the terminal with storage whose cargo its vehicles carry on: the flow a terminal
/// with storage transfers to, and that flow's route-choice alternatives.
fn storage_of_flow(m: &Model) -> IdVec<FlowId, Option<CheckpointId>> {
    let mut out: IdVec<FlowId, Option<CheckpointId>> = vec![None; m.flows.len()].into();
    for (c, cp) in m.checkpoints.iter().enumerate() {
        if let (Some(_), Some(f)) = (&cp.storage, cp.transfer_to) {
            let node = Some(CheckpointId(c as u32));
            out[FlowId(f)] = node;
            if let Some(choice) = &m.flows[f as usize].choice {
                for alt in &choice.alternatives {
                    out[FlowId(alt.flow)] = node;
                }
            }
        }
    }
    out
}

impl<'m> Sim<'m> {
    /// The state of replication `replication` of `m` at time zero, and the event queue with its
    /// first events: each flow's first arrival, the stages' dated changes, the warm-up end.
    /// `trace`: where to record service starts, if wanted.
    pub(super) fn new(
        m: &'m Model,
        replication: u32,
        trace: Option<Vec<ServiceStart>>,
        observe: Observe,
    ) -> (Self, EventQueue<Ev>) {
        // A vehicle's place in its node and on its route is a byte each (see `Vehicle`): past
        // these limits it would wrap and the vehicle would go to the wrong stage.
        assert!(
            m.checkpoints
                .iter()
                .all(|c| c.stages.len() <= MAX_STAGES_PER_NODE)
                && m.flows.iter().all(|f| f.route.len() <= MAX_ROUTE_NODES),
            "a node has more than {MAX_STAGES_PER_NODE} stages or a route more than \
             {MAX_ROUTE_NODES} nodes (the scenario checks refuse such input)"
        );
        let rep = replication as u64;
        let n_classes = m.classes.len().max(1);
        let mirrored: Vec<Option<StageId>> =
            m.checkpoints.iter().map(|c| mirrored_stage(m, c)).collect();
        let stages = m
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = format!("stage/{}/{}", m.checkpoints[s.checkpoint as usize].id, s.id);
                StageRt {
                    queue: StageQueue::new(n_classes, &s.class_rank, &s.groups),
                    lanes_now: s.lanes,
                    lane_step_at: SimTime::MAX,
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
                    kpi: EntityStats::default(),
                    levels: Levels::new(),
                    busy_open_ms: 0,
                    // Room for every day of the run, so recording one never allocates.
                    quota_out_at: if s.has_quota() {
                        Vec::with_capacity(m.days as usize + 2)
                    } else {
                        Vec::new()
                    },
                    // A time series samples every stage's own counts during the run, so a sampled
                    // run keeps them (the results are the same either way).
                    // A vehicle blocked at the stage waits at the checkpoint but not at the
                    // stage: a stage that may block keeps its own waits.
                    mirrors_checkpoint: mirrored[s.checkpoint as usize].is_some()
                        && observe.series_step.is_none()
                        && !may_block(m, i),
                    lean: is_lean(s, n_classes),
                    fair: needs_settling(s, n_classes),
                    settle_pending: false,
                    travelling: 0,
                    blocked: VecDeque::new(),
                    held_for_ms: 0,
                    off_road: off_road(m, i),
                    may_block: may_block(m, i),
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
                kpi: EntityStats::default(),
                own_load: Load::of_flow(f),
                mirrors_checkpoint: flow_mirrors_checkpoint(m, f),
                in_system: TimeWeighted::new(0),
            })
            .collect();
        let mut sim = Sim {
            m,
            warmup: m.warmup_end(),
            horizon: m.horizon(),
            vehicles: Vec::with_capacity(1024).into(),
            free_ids: Vec::with_capacity(1024),
            extras: Vec::new(),
            free_extras: Vec::new(),
            stages,
            lanes: m.stages.iter().map(|_| LaneRt::default()).collect(),
            cps: m
                .checkpoints
                .iter()
                .map(|_| CheckpointResult {
                    kpi: EntityStats::default(),
                    levels: Levels::new(),
                    inside_blocks: Default::default(),
                })
                .collect(),
            flows,
            seq: 0,
            trace,
            cp_road_tracked: m
                .checkpoints
                .iter()
                .map(|c| c.stages.iter().any(|&s| off_road(m, s as usize) > 0))
                .collect(),
            obs: Observations::default(),
            handling: None,
            error: None,
            settle: Vec::new(),
            settle_scheduled: false,
            stored: vec![(0, 0.0); m.checkpoints.len()].into(),
            storage_waiting: vec![VecDeque::new(); m.checkpoints.len()].into(),
            storage_of_flow: storage_of_flow(m),
            has_storage: m.checkpoints.iter().any(|c| c.storage.is_some()),
            crossing: super::crossing::CrossingRt::new(m),
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
            // A lane schedule: the count of the first instant, and its first step.
            if !spec.profile.is_fixed() {
                sim.apply_lanes(&mut q, SimTime::ZERO, s);
            }
        }
        if sim.warmup > SimTime::ZERO {
            sim.schedule(&mut q, sim.warmup, Ev::Warmup);
        }
        sim.start_observations(observe);
        (sim, q)
    }
}
