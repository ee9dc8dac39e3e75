//! A vehicle and its way along its route: created by its flow (or a terminal), it enters each
//! checkpoint, goes from stage to stage, leaves the checkpoint and travels on to the next node, or
//! leaves the system (at a terminal, its cargo goes on in onward vehicles).

use crate::engine::EventQueue;
use crate::model::result::EntityStats;
use crate::model::spec::{FlowSpec, Load};
use crate::time::SimTime;

use super::ids::{CheckpointId, ClassId, FlowId, GroupId, StageId, VehicleId};
use super::{Ev, Sim};

/// `Vehicle::track_stage` of a vehicle that holds no receiving track.
pub(super) const NO_TRACK: StageId = StageId(u32::MAX);

/// `Vehicle::extra` of a vehicle without an extra record.
pub(super) const NO_EXTRA: u32 = u32::MAX;

/// `Vehicle::flags`: inside a checkpoint (between its gate and its exit).
const IN_CP: u8 = 1;
/// `Vehicle::flags`: at a stage (arrived, not yet left).
const IN_STAGE: u8 = 2;
/// `Vehicle::flags`: found every receiving track taken when it reached its stage.
const FOUND_TRACKS_FULL: u8 = 4;
/// `Vehicle::flags`: its statistics count (it arrived after the warm-up, or carries cargo that
/// did).
const COUNTED: u8 = 8;
/// `Vehicle::flags`: waiting in its stage's queue.
const QUEUED: u8 = 16;
/// `Vehicle::flags`: done at its stage but waiting for a place at the next one (its waits then
/// hold `wait − blocked since`: see `Sim::block`).
const BLOCKED: u8 = 32;

/// A vehicle in the system: where it is on its route and its times so far; 64 bytes, a cache
/// line. What few vehicles need (cargo other than their flow's own, moves at a pooled stage, a
/// held track) is in a [`VehicleExtra`] of their own, so a truck waiting in a road queue costs no
/// more than this. Its class is its flow's; its place on the route and in the node, and its lane
/// group, fit a byte each (the scenario checks allow at most 256 nodes a route and 256 stages a
/// node; a stage has at most 65 lane groups: one per class of at most 64, and one general).
#[derive(Clone, Copy, Debug)]
pub(super) struct Vehicle {
    pub(super) flow: FlowId,
    // Index of the current stage (derived from flow, leg and step; cached for the hot path).
    pub(super) stage: StageId,
    // Its `VehicleExtra` in `Sim::extras`, or NO_EXTRA: it carries its flow's own cargo
    // (`Load::of_flow`), works at no pooled stage and holds no track.
    pub(super) extra: u32,
    // Lane group serving it, route position (node) and position in the node (stage).
    group: u8,
    pub(super) leg: u8,
    pub(super) step: u8,
    // IN_CP, IN_STAGE, FOUND_TRACKS_FULL, COUNTED, QUEUED, BLOCKED.
    flags: u8,
    pub(super) created: SimTime,
    pub(super) cp_enter: SimTime,
    pub(super) stage_arrive: SimTime,
    pub(super) service_start: SimTime,
    pub(super) cp_wait_ms: i64,
    pub(super) total_wait_ms: i64,
}

const _: () = assert!(std::mem::size_of::<Vehicle>() == 64);

/// What a vehicle needs beyond [`Vehicle`] when it carries cargo other than its flow's own (a
/// terminal splits a load), works at a pooled stage or holds a receiving track: an entry of
/// `Sim::extras`, freed when the vehicle leaves the system.
#[derive(Clone, Copy, Debug)]
pub(super) struct VehicleExtra {
    // Cargo on board.
    pub(super) load: Load,
    // Pooled stages: moves not yet started, and moves in progress.
    pub(super) units_left: u32,
    pub(super) units_busy: u32,
    // A receiving track held until the vehicle leaves the checkpoint (NO_TRACK: none).
    pub(super) track_stage: StageId,
    pub(super) track_group: GroupId,
    pub(super) track_since: SimTime,
}

impl Vehicle {
    /// Its statistics count.
    #[inline(always)]
    pub(super) fn counted(&self) -> bool {
        self.flag(COUNTED)
    }

    #[inline(always)]
    pub(super) fn set_counted(&mut self, on: bool) {
        self.set_flag(COUNTED, on);
    }

    /// Waiting in its stage's queue.
    #[inline(always)]
    pub(super) fn queued(&self) -> bool {
        self.flag(QUEUED)
    }

    #[inline(always)]
    pub(super) fn set_queued(&mut self, on: bool) {
        self.set_flag(QUEUED, on);
    }

    /// Done at its stage but waiting for a place at the next one.
    #[inline(always)]
    pub(super) fn blocked(&self) -> bool {
        self.flag(BLOCKED)
    }

    #[inline(always)]
    pub(super) fn set_blocked(&mut self, on: bool) {
        self.set_flag(BLOCKED, on);
    }

    /// The lane group serving it.
    #[inline(always)]
    pub(super) fn group(&self) -> GroupId {
        GroupId(u16::from(self.group))
    }

    #[inline(always)]
    pub(super) fn set_group(&mut self, g: GroupId) {
        debug_assert!(g.0 <= u16::from(u8::MAX));
        self.group = g.0 as u8;
    }

    #[inline(always)]
    fn flag(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    #[inline(always)]
    fn set_flag(&mut self, flag: u8, on: bool) {
        self.flags = (self.flags & !flag) | if on { flag } else { 0 };
    }

    /// Inside a checkpoint (between its gate and its exit).
    pub(super) fn in_cp(&self) -> bool {
        self.flag(IN_CP)
    }

    /// At a stage (arrived, not yet left).
    pub(super) fn in_stage(&self) -> bool {
        self.flag(IN_STAGE)
    }

    /// Found every receiving track taken when it reached its stage.
    pub(super) fn found_tracks_full(&self) -> bool {
        self.flag(FOUND_TRACKS_FULL)
    }

    #[inline(always)]
    pub(super) fn set_in_cp(&mut self, on: bool) {
        self.set_flag(IN_CP, on);
    }

    /// Arrives at a stage: at it, and not (yet) held outside.
    #[inline(always)]
    pub(super) fn arrive(&mut self) {
        self.flags = (self.flags | IN_STAGE) & !FOUND_TRACKS_FULL;
    }

    #[inline(always)]
    pub(super) fn set_left_stage(&mut self) {
        self.flags &= !IN_STAGE;
    }

    pub(super) fn set_found_tracks_full(&mut self, on: bool) {
        self.set_flag(FOUND_TRACKS_FULL, on);
    }
}

impl Default for Vehicle {
    fn default() -> Self {
        Vehicle {
            flow: FlowId(0),
            stage: StageId(0),
            extra: NO_EXTRA,
            group: 0,
            leg: 0,
            step: 0,
            flags: 0,
            created: SimTime::ZERO,
            cp_enter: SimTime::ZERO,
            stage_arrive: SimTime::ZERO,
            service_start: SimTime::ZERO,
            cp_wait_ms: 0,
            total_wait_ms: 0,
        }
    }
}

impl VehicleExtra {
    /// The record of a vehicle carrying `load`, at no pooled stage and holding no track.
    pub(super) fn new(load: Load) -> Self {
        VehicleExtra {
            load,
            units_left: 0,
            units_busy: 0,
            track_stage: NO_TRACK,
            track_group: GroupId::FIRST,
            track_since: SimTime::ZERO,
        }
    }
}

/// Adds one vehicle's cargo to a KPI's served totals.
#[inline]
pub(super) fn add_cargo(k: &mut EntityStats, flow: &FlowSpec, load: &Load) {
    k.tonnes += load.tonnes;
    k.value += load.value;
    k.wagons += flow.wagons as f64;
    k.containers += load.containers as f64;
    k.teu += load.teu;
}

impl Sim<'_> {
    /// The cargo class of vehicle `v` (its flow's).
    #[inline(always)]
    pub(super) fn class_of(&self, v: VehicleId) -> ClassId {
        ClassId(self.m.flows[self.vehicles[v].flow].class)
    }

    /// The cargo on board vehicle `v`.
    #[inline]
    pub(super) fn load_of(&self, v: VehicleId) -> Load {
        let veh = &self.vehicles[v];
        match veh.extra {
            NO_EXTRA => self.flows[veh.flow].own_load,
            x => self.extras[x as usize].load,
        }
    }

    /// The extra record of vehicle `v` (made now, with its flow's cargo, if it has none).
    pub(super) fn extra_of(&mut self, v: VehicleId) -> &mut VehicleExtra {
        if self.vehicles[v].extra == NO_EXTRA {
            let load = self.load_of(v);
            self.vehicles[v].extra = self.new_extra(VehicleExtra::new(load));
        }
        &mut self.extras[self.vehicles[v].extra as usize]
    }

    /// The receiving track vehicle `v` holds (`NO_TRACK` if none), its lane group and since when.
    #[inline]
    pub(super) fn held_track(&self, v: VehicleId) -> (StageId, GroupId, SimTime) {
        match self.vehicles[v].extra {
            NO_EXTRA => (NO_TRACK, GroupId::FIRST, SimTime::ZERO),
            x => {
                let e = &self.extras[x as usize];
                (e.track_stage, e.track_group, e.track_since)
            }
        }
    }

    /// Stores `extra` in a free entry of `extras` and returns its index.
    fn new_extra(&mut self, extra: VehicleExtra) -> u32 {
        match self.free_extras.pop() {
            Some(i) => {
                self.extras[i as usize] = extra;
                i
            }
            None => {
                self.extras.push(extra);
                (self.extras.len() - 1) as u32
            }
        }
    }

    /// A new vehicle of flow `f` with the given cargo appears at the first node of its route
    /// (or of the route it chooses, if `f` has alternatives); `counted` if its statistics count
    /// (it arrived after the warm-up, or carries cargo that did).
    #[inline(always)]
    pub(super) fn create_vehicle(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        f: FlowId,
        load: Option<Load>,
        counted: bool,
    ) {
        let from = f;
        let f = if self.m.flows[f].choice.is_some() {
            self.choose_route(t, f)
        } else {
            f
        };
        // Cargo other than the flow's own (a terminal's split, or a route-choice alternative
        // with a load of its own) goes into an extra record.
        let extra = match load {
            None if f == from => NO_EXTRA,
            _ => {
                let load = load.unwrap_or(self.flows[from].own_load);
                if load == self.flows[f].own_load {
                    NO_EXTRA
                } else {
                    self.new_extra(VehicleExtra::new(load))
                }
            }
        };
        let v = Vehicle {
            flow: f,
            flags: if counted { COUNTED } else { 0 },
            created: t,
            extra,
            ..Vehicle::default()
        };
        let id = match self.free_ids.pop() {
            Some(id) => {
                self.vehicles[id] = v;
                id
            }
            None => {
                if self.vehicles.len() as u64 >= self.m.max_in_system && self.over_budget(q, t) {
                    return;
                }
                self.vehicles.push(v)
            }
        };
        let fr = &mut self.flows[f];
        if !fr.mirrors_checkpoint {
            fr.in_system.add(t.as_ms(), 1);
            if counted {
                fr.kpi.arrivals += 1;
            }
        }
        // A route-choice alternative starts with its detour to the first gate.
        if let Some(d) = &self.m.flows[f].travel[0]
            && !d.is_zero()
        {
            let dt = d.sample(&mut self.flows[f].rng_travel);
            if let Some(at) = t.checked_add(dt) {
                self.schedule(q, at, Ev::Gate(id));
            }
            return;
        }
        self.enter_checkpoint(q, t, id);
    }

    #[inline(always)]
    pub(super) fn enter_checkpoint(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let veh = &mut self.vehicles[v];
        let cp = CheckpointId(self.m.flows[veh.flow].route[veh.leg as usize]);
        veh.cp_enter = t;
        veh.cp_wait_ms = 0;
        veh.step = 0;
        veh.set_in_cp(true);
        let counted = veh.counted();
        let c = &mut self.cps[cp];
        if counted {
            c.kpi.arrivals += 1;
        }
        c.levels.in_system.add(t.as_ms(), 1);
        if self.crossing.active {
            self.crossing_enter(t, v);
        }
        self.go_to_stage(q, t, v, cp);
    }

    /// Sends a vehicle towards its current stage, through the neutral zone if there is one.
    #[inline(always)]
    pub(super) fn go_to_stage(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        v: VehicleId,
        cp: CheckpointId,
    ) {
        let step = self.vehicles[v].step;
        let s = StageId(self.m.checkpoints[cp].stages[step as usize]);
        self.vehicles[v].stage = s;
        match &self.m.stages[s].travel {
            Some(d) if !d.is_zero() => {
                // On its way it takes one of the places in front of the stage.
                self.stages[s].travelling += 1;
                let dt = d.sample(&mut self.stages[s].rng_travel);
                if let Some(at) = t.checked_add(dt) {
                    self.schedule(q, at, Ev::Stage(v));
                }
            }
            _ => self.arrive_stage(q, t, v),
        }
    }

    /// The stage vehicle `v` is at or heading to (kept up to date by `go_to_stage`).
    #[inline]
    pub(super) fn stage_of(&self, v: VehicleId) -> StageId {
        self.vehicles[v].stage
    }

    /// Vehicle `v` reaches the gate of its next checkpoint.
    #[inline(never)]
    pub(super) fn on_gate(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        self.enter_checkpoint(q, t, v);
    }

    /// Vehicle `v` reaches its next stage through the neutral zone.
    #[inline(never)]
    pub(super) fn on_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let s = self.stage_of(v);
        self.stages[s].travelling -= 1;
        self.arrive_stage(q, t, v);
        // Its place frees if it started service at once: vehicles blocked for one move on now.
        if !self.stages[s].blocked.is_empty() {
            self.unblock(q, t, s);
        }
    }

    /// Sends `v`, done at stage `s`, to the next stage of its checkpoint, or out of it. The
    /// checkpoint is the stage's: one lookup instead of the route walk (flow → leg → checkpoint).
    pub(super) fn after_stage(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        v: VehicleId,
        s: StageId,
    ) {
        let cp = CheckpointId(self.m.stages[s].checkpoint);
        let step = self.vehicles[v].step;
        if (step as usize + 1) < self.m.checkpoints[cp].stages.len() {
            self.next_stage(q, t, v, cp);
        } else {
            self.leave_checkpoint(q, t, v, cp);
        }
    }

    /// Sends `v` on to the next stage of its checkpoint. A call of its own: inlined, it put a
    /// second copy of the arrival path into `after_stage` and made the common way out of a
    /// one-stage checkpoint slower.
    #[inline(never)]
    pub(super) fn next_stage(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        v: VehicleId,
        cp: CheckpointId,
    ) {
        self.vehicles[v].step += 1;
        self.go_to_stage(q, t, v, cp);
    }

    pub(super) fn leave_checkpoint(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        v: VehicleId,
        cp: CheckpointId,
    ) {
        let m = self.m;
        // A departing train frees its receiving track; the next train outside takes it now.
        let (track_stage, group, since) = self.held_track(v);
        if track_stage != NO_TRACK {
            let s = track_stage;
            self.extra_of(v).track_stage = NO_TRACK;
            let busy = self.busy_open(s, since, t);
            if self.stages[s].queue.is_retiring(group) {
                self.lane_retires(t, s);
            }
            let st = &mut self.stages[s];
            st.queue.release_server(group);
            st.levels.busy.add(t.as_ms(), -1);
            st.busy_open_ms += busy;
            self.dispatch(q, t, s);
        }
        if self.crossing.active {
            self.crossing_leave(t, v);
        }
        let load = self.load_of(v);
        // The vehicle is read in place (the fields below are disjoint from it).
        let veh = &mut self.vehicles[v];
        veh.set_in_cp(false);
        let veh = &*veh;
        let flow = &m.flows[veh.flow];
        debug_assert_eq!(cp, CheckpointId(flow.route[veh.leg as usize]));
        let limit = m.classes[ClassId(flow.class)].max_wait.map(|d| d.as_ms());
        {
            let c = &mut self.cps[cp];
            c.levels.in_system.add(t.as_ms(), -1);
            c.kpi.departures += 1;
            if veh.counted() {
                c.kpi.served += 1;
                add_cargo(&mut c.kpi, flow, &load);
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
        let fr = &mut self.flows[veh.flow];
        fr.kpi.departures += 1;
        if !fr.mirrors_checkpoint {
            fr.in_system.add(t.as_ms(), -1);
        }
        if veh.counted() {
            let tis = t.since(veh.created).as_ms() as u64;
            let over = limit.is_some_and(|l| veh.total_wait_ms > l);
            // Class statistics are the flows' merged at the end: a vehicle's class is its flow's.
            let fr = &mut self.flows[veh.flow];
            let k = &mut fr.kpi;
            if !fr.mirrors_checkpoint {
                k.served += 1;
                add_cargo(k, flow, &load);
                k.wait.record(veh.total_wait_ms as u64);
                k.time_in_system.record(tis);
                k.wait_by_hour
                    .add(veh.created.hour_of_day(), veh.total_wait_ms as u64);
            }
            if over {
                k.over_limit += 1;
            }
        }
        let counted = veh.counted();
        let veh = &mut self.vehicles[v];
        veh.set_counted(false);
        veh.flow = FlowId(u32::MAX);
        let extra = std::mem::replace(&mut veh.extra, NO_EXTRA);
        if extra != NO_EXTRA {
            self.free_extras.push(extra);
        }
        self.free_ids.push(v);
        if let Some(onward) = transfer {
            self.store(cp, load);
            self.transfer(q, t, FlowId(onward), load, counted);
        }
    }

    /// Sends `v` on from the checkpoint it just left to the next one of its route (a call of its
    /// own, like `next_stage`).
    #[inline(never)]
    pub(super) fn next_leg(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let veh = &mut self.vehicles[v];
        veh.leg += 1;
        let flow = &self.m.flows[veh.flow];
        match &flow.travel[veh.leg as usize] {
            Some(d) if !d.is_zero() => {
                let dt = d.sample(&mut self.flows[veh.flow].rng_travel);
                if let Some(at) = t.checked_add(dt) {
                    self.schedule(q, at, Ev::Gate(v));
                }
            }
            _ => self.enter_checkpoint(q, t, v),
        }
    }

    /// Hands `load` on to as many vehicles of flow `onward` as it needs (the rule is
    /// [`crate::model::spec::split`]'s); they start the onward route now. They count in the
    /// statistics as the vehicle that brought the cargo did (`counted`): cargo that arrived in
    /// the warm-up stays out of them on its onward legs too, so that the cargo counted in is the
    /// cargo counted delivered or still on its way.
    #[inline(never)]
    pub(super) fn transfer(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        onward: FlowId,
        load: Load,
        counted: bool,
    ) {
        for part in crate::model::spec::split(load, &self.m.flows[onward]) {
            self.create_vehicle(q, t, onward, Some(part), counted);
            // A replication stopped (over its vehicle budget) makes no more.
            if self.error.is_some() {
                return;
            }
        }
    }
}
