//! A stage at run time: vehicles arrive, wait, start service on a lane or track, and leave; the
//! queue and busy levels; dated capacity changes.

use std::collections::VecDeque;

use rand::RngExt;

use crate::dist::Drawn;
use crate::engine::{EventQueue, Rng};
use crate::model::result::{EntityStats, Levels, ServiceStart};
use crate::model::spec::StageKind;
use crate::time::{MS_PER_HOUR, SimDuration, SimTime};

use super::ids::{CheckpointId, ClassId, GroupId, StageId, VehicleId};
use super::queue::StageQueue;
use super::vehicle::add_cargo;
use super::{Ev, Sim};

/// Run-time state of a stage: its queues, free servers, hours and quota caches, random streams
/// and statistics.
pub(super) struct StageRt {
    // Waiting vehicles per class and free servers per lane group: the queue discipline.
    pub(super) queue: StageQueue,
    // Servers and daily quota now (the stage's dated changes move them).
    pub(super) lanes_now: u32,
    // The next step of the stage's lane schedule (SimTime::MAX: none; see `lanes`).
    pub(super) lane_step_at: SimTime,
    pub(super) quota_now: Option<u32>,
    pub(super) next_change: usize,
    // Pooled stages: vehicles admitted and being worked on, in admission order.
    pub(super) work: VecDeque<VehicleId>,
    pub(super) open_cache_until: SimTime,
    pub(super) open_cache: bool,
    pub(super) wake_at: Option<SimTime>,
    pub(super) quota_day: i64,
    pub(super) quota_used: u32,
    pub(super) quota_wagons_used: u32,
    // The last local day counted in quota_days (each day counts once).
    pub(super) exhausted_day: i64,
    pub(super) rng_service: Rng,
    // Service times drawn ahead from rng_service, its only use (see `Drawn`).
    pub(super) service_drawn: Drawn,
    pub(super) rng_inspect: Rng,
    pub(super) rng_travel: Rng,
    pub(super) kpi: EntityStats,
    pub(super) levels: Levels,
    pub(super) busy_open_ms: i128,
    // When (after warm-up) the quota ran out, once per local day, ascending.
    pub(super) quota_out_at: Vec<SimTime>,
    // The checkpoint records this stage's statistics (see `mirrored_stage`); `finish` copies them.
    pub(super) mirrors_checkpoint: bool,
    // Lanes open to everyone: one lane group, one class queue, always open, no quota (see
    // `is_lean`). The hot path skips the discipline, hours and quota machinery for them.
    pub(super) lean: bool,
    // Who is served next may depend on same-instant event order (see `needs_settling`): the
    // stage chooses at the end of each instant. `settle_pending`: it is on the list for this one.
    pub(super) fair: bool,
    pub(super) settle_pending: bool,
    // Vehicles on their way to the stage (through its travel), counted only at stages with a
    // finite buffer: they take a place in front of it.
    pub(super) travelling: u32,
    // Vehicles done elsewhere that wait for a place here, in the order they were blocked, each
    // with the instant it was blocked.
    pub(super) blocked: VecDeque<(VehicleId, SimTime)>,
    // Time that counted vehicles spent blocked elsewhere waiting for a place here, summed [ms]
    // (a train held on its station track for a path on this link).
    pub(super) held_for_ms: i128,
    // Waiting vehicles that stand off the road: the holding area, the buffer of a first stage, or
    // every one at a later stage with a buffer (`i64::MAX`). The rest stands on the road.
    pub(super) off_road: i64,
    // A vehicle done here may have to wait for a place at the next stage or node.
    pub(super) may_block: bool,
}

impl Sim<'_> {
    #[inline(always)]
    pub(super) fn arrive_stage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let s = self.stage_of(v);
        let (class, wagons) = {
            let veh = &mut self.vehicles[v];
            veh.stage_arrive = t;
            veh.arrive();
            let flow = &self.m.flows[veh.flow];
            (ClassId(flow.class), flow.wagons)
        };
        let pooled = self.m.stages[s].kind.is_pooled();
        let counted = self.vehicles[v].counted();
        let st = &mut self.stages[s];
        if !st.mirrors_checkpoint {
            if counted {
                st.kpi.arrivals += 1;
            }
            st.levels.in_system.add(t.as_ms(), 1);
        }
        // Fast path: nobody waiting, a lane this class may use is free, and service may start.
        // (A lean stage has a fixed lane count: no schedule step to catch up.)
        if st.lean {
            if st.queue.waiting() == 0 && st.queue.has_free(GroupId::FIRST) {
                self.start(q, t, s, v, GroupId::FIRST);
                return;
            }
        } else if {
            self.catch_up_lanes(q, t, s);
            !pooled
        } && !self.stages[s].fair
            && self.stages[s].queue.waiting() == 0
            && let Some(g) = self.stages[s].queue.free_group_for(class)
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
        let full = self.m.stages[s].kind == StageKind::Tracks
            && self.stages[s].queue.free_group_for(class).is_none();
        self.vehicles[v].set_found_tracks_full(full);
        self.vehicles[v].set_queued(true);
        let st = &mut self.stages[s];
        st.queue.push(class, v, seq);
        let lean = st.lean;
        self.change_waiting(t, s, 1);
        // A lean stage hands a freed lane straight to the head of its queue, so a vehicle that
        // had to queue there found every lane busy: nothing to dispatch.
        if lean {
            debug_assert!(!self.stages[s].queue.has_free(GroupId::FIRST));
        } else {
            self.dispatch(q, t, s);
        }
    }

    #[inline(always)]
    pub(super) fn change_waiting(&mut self, t: SimTime, s: StageId, delta: i64) {
        let spec = &self.m.stages[s];
        let st = &mut self.stages[s];
        let tm = t.as_ms();
        let holding = st.off_road;
        // The queue has already changed by `delta`.
        let waiting = st.queue.waiting() as i64;
        let before_road = (waiting - delta - holding).max(0);
        let road_delta = (waiting - holding).max(0) - before_road;
        // The checkpoint's levels are this stage's when it mirrors it, copied in `finish`.
        if !st.mirrors_checkpoint {
            st.levels.queue.add(tm, delta);
            // Without a holding area the whole queue is on the road: `finish` copies the queue
            // level instead of tracking the same numbers twice.
            if holding > 0 && road_delta != 0 {
                st.levels.road.add(tm, road_delta);
            }
        }
        let cp = CheckpointId(spec.checkpoint);
        let levels = &mut self.cps[cp].levels;
        levels.queue.add(tm, delta);
        // The same holds for the checkpoint, unless another of its stages has a holding area.
        if self.cp_road_tracked[cp] && road_delta != 0 {
            levels.road.add(tm, road_delta);
        }
    }

    /// Starts as many waiting vehicles (and, at pooled stages, container or wagon moves) as
    /// servers, hours and quotas allow — at once, or, at a stage whose choice could depend on the
    /// order of same-instant events (`fair`), at the end of the instant: every vehicle that
    /// reaches the stage at `t` (from the gate, through travel, from a previous stage, a transfer
    /// or a link) has then joined its queue, and every lane that frees, opens or is added at `t`
    /// is free, so the discipline alone decides. When no other event is due at `t`, the end of
    /// the instant is now: no vehicle can still reach the stage at `t` (one handler moves a
    /// vehicle to one stage at a time, and never back to the stage it left).
    #[inline]
    pub(super) fn dispatch(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        if self.stages[s].fair && q.peek_time() == Some(t) {
            let st = &mut self.stages[s];
            if !st.settle_pending {
                st.settle_pending = true;
                self.settle.push(s);
            }
            if !self.settle_scheduled {
                self.settle_scheduled = true;
                self.schedule(q, t, Ev::Settle);
            }
            return;
        }
        self.dispatch_now(q, t, s);
    }

    /// The end of instant `t`, once no other event is due at `t`: the stages waiting for it
    /// dispatch, in stage order.
    #[cold]
    #[inline(never)]
    pub(super) fn settle(&mut self, q: &mut EventQueue<Ev>, t: SimTime) {
        // Events scheduled at `t` after this one (zero travel or service) come first.
        if q.peek_time() == Some(t) {
            self.schedule(q, t, Ev::Settle);
            return;
        }
        self.settle_scheduled = false;
        let mut pending = std::mem::take(&mut self.settle);
        pending.sort_unstable();
        for &s in &pending {
            self.stages[s].settle_pending = false;
            self.dispatch_now(q, t, s);
        }
        pending.clear();
        // Keep the allocation: the list refills as the run goes on.
        if self.settle.is_empty() {
            self.settle = pending;
        } else {
            self.settle.append(&mut pending);
        }
    }

    /// [`Self::dispatch`] now, whatever the stage; then vehicles blocked upstream take the
    /// places it freed.
    #[inline(never)]
    pub(super) fn dispatch_now(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        self.serve_waiting(q, t, s);
        if !self.stages[s].blocked.is_empty() {
            self.unblock(q, t, s);
        }
    }

    /// Starts as many waiting vehicles (or moves) as servers, hours and quotas allow.
    fn serve_waiting(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        if self.m.stages[s].kind.is_pooled() {
            return self.dispatch_pooled(q, t, s);
        }
        if self.stages[s].lean {
            // One queue, one lane group, nothing closed: serve the queue's head while lanes are free.
            while self.stages[s].queue.has_free(GroupId::FIRST)
                && let Some(v) = self.stages[s].queue.pop(ClassId::FIRST)
            {
                self.vehicles[v].set_queued(false);
                self.change_waiting(t, s, -1);
                self.start(q, t, s, v, GroupId::FIRST);
            }
            return;
        }
        self.catch_up_lanes(q, t, s);
        loop {
            if self.stages[s].queue.waiting() == 0 {
                return;
            }
            let Some((g, class)) = self.stages[s].queue.pick() else {
                return;
            };
            let Some(v) = self.stages[s].queue.front(class) else {
                return;
            };
            let wagons = self.m.flows[self.vehicles[v].flow].wagons;
            if !self.is_open(q, t, s) || !self.quota_allows(q, t, s, wagons) {
                return;
            }
            self.stages[s].queue.pop(class);
            self.vehicles[v].set_queued(false);
            self.change_waiting(t, s, -1);
            self.start(q, t, s, v, g);
        }
    }

    /// The vehicle's wait at stage `s` ends now: statistics, quota and trace.
    #[inline(always)]
    pub(super) fn end_wait(&mut self, t: SimTime, s: StageId, v: VehicleId) -> SimDuration {
        if !self.stages[s].lean {
            let wagons = self.m.flows[self.vehicles[v].flow].wagons;
            self.use_quota(t, s, wagons);
        }
        let kind = self.m.stages[s].kind;
        let cp = CheckpointId(self.m.stages[s].checkpoint);
        let st = &mut self.stages[s];
        let veh = &mut self.vehicles[v];
        let class = self.m.flows[veh.flow].class;
        veh.service_start = t;
        let waited = t.since(veh.stage_arrive);
        veh.cp_wait_ms += waited.as_ms();
        veh.total_wait_ms += waited.as_ms();
        if veh.counted() {
            // Over the limit here: this stage's own wait exceeds the class's max_wait (as the
            // checkpoint counts its wait and the flow its whole route's).
            if let Some(limit) = self.m.classes[ClassId(class)].max_wait
                && waited > limit
            {
                st.kpi.over_limit += 1;
            }
            // A stage that mirrors its checkpoint gets the checkpoint's waits (recorded when the
            // vehicle leaves) and, in `finish`, those of vehicles still in service.
            if !st.mirrors_checkpoint {
                st.kpi.wait.record(waited.as_ms() as u64);
                st.kpi
                    .wait_by_hour
                    .add(veh.stage_arrive.hour_of_day(), waited.as_ms() as u64);
            }
            // Held outside: found every track taken and waited for one (a track freed at the
            // instant it came is no wait, whatever the order of that instant's events).
            if kind == StageKind::Tracks && veh.found_tracks_full() && !waited.is_zero() {
                st.kpi.held_outside += 1;
                self.cps[cp].kpi.held_outside += 1;
            }
        }
        if let Some(tr) = &mut self.trace {
            tr.push(ServiceStart {
                at: t,
                stage: s.0,
                flow: veh.flow.0,
                class,
                waited,
                unit_move: false,
            });
        }
        waited
    }

    /// Starts a vehicle's service on a free lane or track of group `g`.
    pub(super) fn start(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        s: StageId,
        v: VehicleId,
        g: GroupId,
    ) {
        let st = &mut self.stages[s];
        st.queue.take_server(g);
        st.levels.busy.add(t.as_ms(), 1);
        self.serve(q, t, s, v, g);
    }

    /// Starts a vehicle's service on a lane or track of group `g` already counted busy.
    #[inline(always)]
    pub(super) fn serve(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        s: StageId,
        v: VehicleId,
        g: GroupId,
    ) {
        self.end_wait(t, s, v);
        let spec = &self.m.stages[s];
        let st = &mut self.stages[s];
        let veh = &mut self.vehicles[v];
        veh.set_group(g);
        let mut service = st
            .service_drawn
            .take(|buf| spec.service.fill(&mut st.rng_service, buf));
        if let Some(insp) = &spec.inspection
            && st.rng_inspect.random::<f64>() < insp.probability
        {
            service += insp.service.sample(&mut st.rng_inspect);
        }
        if let Some(rate) = spec.handling_rate_tph {
            let tonnes = self.load_of(v).tonnes;
            service += SimDuration::from_ms_f64_nonneg(tonnes / rate * MS_PER_HOUR as f64);
        }
        let Some(end) = t.checked_add(service) else {
            return;
        };
        // A track stays busy until the train leaves the checkpoint: counted then.
        if spec.kind != StageKind::Tracks {
            let busy = self.busy_open_from_now(s, t, end);
            self.stages[s].busy_open_ms += busy;
        }
        self.schedule(q, end, Ev::Done(v));
        if self.has_storage {
            self.leave_storage(q, t, v);
        }
    }

    pub(super) fn on_done(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let s = self.stage_of(v);
        // A lean stage is made of lanes.
        if !self.stages[s].lean && self.m.stages[s].kind == StageKind::Tracks {
            // The train keeps its track until it leaves the checkpoint.
            let (group, since) = (self.vehicles[v].group(), self.vehicles[v].service_start);
            let extra = self.extra_of(v);
            extra.track_stage = s;
            extra.track_group = group;
            extra.track_since = since;
        }
        if self.stages[s].may_block && self.must_wait_for_place(q, t, v, s) {
            self.block(q, t, s, v);
            return;
        }
        self.leave_stage(q, t, v, s);
    }

    /// Vehicle `v`, done at stage `s`, leaves it for the next stage or node: its lane goes to the
    /// next waiting vehicle (a track stays held until the train leaves the checkpoint). Inlined:
    /// as a call of its own it cost P1 ~10% more instructions.
    #[inline(always)]
    pub(super) fn leave_stage(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        v: VehicleId,
        s: StageId,
    ) {
        let group = self.vehicles[v].group();
        let kind = self.m.stages[s].kind;
        if self.stages[s].lean && self.stages[s].queue.waiting() > 0 {
            // The lane goes straight to the head of the queue: lanes free and busy are unchanged
            // (a -1 and a +1 at one instant leave the time-weighted busy level as it is).
            self.stage_served(t, s, v);
            if let Some(next) = self.stages[s].queue.pop(ClassId::FIRST) {
                self.vehicles[next].set_queued(false);
                self.change_waiting(t, s, -1);
                self.serve(q, t, s, next, group);
            }
        } else if kind.is_pooled() || kind == StageKind::Tracks {
            // A track stays held until the train leaves the checkpoint; a vehicle blocked after
            // its last move at a pooled stage held no crane or position while it waited.
            self.stage_served(t, s, v);
        } else {
            // A lean stage's lanes never change, so none retires.
            if !self.stages[s].lean && self.stages[s].queue.is_retiring(group) {
                self.lane_retires(t, s);
            }
            let st = &mut self.stages[s];
            st.queue.release_server(group);
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

    /// Served-at-stage statistics of `v` leaving stage `s` at `t`.
    #[inline(always)]
    pub(super) fn stage_served(&mut self, t: SimTime, s: StageId, v: VehicleId) {
        self.vehicles[v].set_left_stage();
        if self.stages[s].mirrors_checkpoint {
            // Recorded by the checkpoint the vehicle leaves at this same instant.
            return;
        }
        let load = self.load_of(v);
        let st = &mut self.stages[s];
        let veh = &self.vehicles[v];
        let flow = &self.m.flows[veh.flow];
        st.levels.in_system.add(t.as_ms(), -1);
        st.kpi.departures += 1;
        if veh.counted() {
            st.kpi.served += 1;
            add_cargo(&mut st.kpi, flow, &load);
            st.kpi
                .time_in_system
                .record(t.since(veh.stage_arrive).as_ms() as u64);
        }
    }

    /// Applies stage `s`'s next dated change. More lanes serve the queue at once; fewer lanes
    /// retire as their vehicles finish (services in progress are never cut short).
    pub(super) fn change_capacity(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        let m = self.m;
        let spec = &m.stages[s];
        let Some(c) = spec.changes.get(self.stages[s].next_change) else {
            return;
        };
        self.stages[s].next_change += 1;
        // A count or a schedule (see `lanes`).
        if c.lanes.is_some() {
            self.apply_lanes(q, t, s);
        }
        let st = &mut self.stages[s];
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
}
