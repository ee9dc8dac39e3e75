//! Finite waiting space: blocking after service.
//!
//! A stage with a `buffer` has that many places in front of it; a vehicle on its way there
//! (through the stage's travel) or waiting there takes one. A vehicle done at the previous stage
//! moves on only if a place is free or it can start service at once; otherwise it keeps its lane
//! — the lane is *blocked*, not free — and joins the stage's list of blocked vehicles. When a
//! place frees (a waiting vehicle starts service, a lane frees, opens or is added, a new quota
//! day starts), blocked vehicles move on in the order they were blocked.
//!
//! Across nodes, trains and barges block the same way: one done at the last stage of a node
//! moves straight on (no travel of the route in between) only when the first stage of the next
//! node has a place or lets it start at once — a rail link has no place to wait, so a train
//! waiting for its path keeps its track. Trucks instead queue at the next node's gate, beyond
//! its buffer on the approach road.

use crate::engine::EventQueue;
use crate::model::spec::{
    CheckpointSpec, FlowSpec, Load, Mode, Model, StageKind, StageSpec, split,
};
use crate::time::SimTime;

use super::ids::{CheckpointId, Id, StageId, VehicleId};
use super::{Ev, Sim, SimError};

/// The first stage of the node that a vehicle of `flow`, leaving node `cp` at leg `leg` of its
/// route, moves straight on to while keeping its place: only trains and barges, only without a
/// transfer at `cp` and without route travel in between. `None` otherwise (trucks queue at the
/// next gate).
pub(super) fn held_move_target(
    m: &Model,
    flow: &FlowSpec,
    cp: &CheckpointSpec,
    leg: usize,
) -> Option<StageId> {
    let next = leg + 1;
    let held = matches!(flow.mode, Mode::Train | Mode::Barge)
        && cp.transfer_to.is_none()
        && next < flow.route.len()
        && flow.travel[next].as_ref().is_none_or(|d| d.is_zero());
    held.then(|| StageId(m.checkpoints[flow.route[next] as usize].stages[0]))
}

impl Sim<'_> {
    /// The stage with a finite buffer that vehicle `v`, done at stage `s`, moves to next, if its
    /// move there can be blocked.
    pub(super) fn blocking_target(&self, v: VehicleId, s: StageId) -> Option<StageId> {
        let m = self.m;
        let spec = &m.stages[s];
        let cp = &m.checkpoints[spec.checkpoint as usize];
        let veh = &self.vehicles[v];
        let next = match cp.stages.get(veh.step as usize + 1) {
            Some(&n) => StageId(n),
            None => held_move_target(m, &m.flows[veh.flow], cp, veh.leg as usize)?,
        };
        m.stages[next].buffer.is_some().then_some(next)
    }

    /// True if vehicle `v`, done at stage `s`, must wait there for a place at the next stage.
    #[inline(never)]
    pub(super) fn must_wait_for_place(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        v: VehicleId,
        s: StageId,
    ) -> bool {
        if let Some(cp) = self.storage_node(s) {
            // Vehicles blocked before it go first.
            return !self.storage_waiting[cp].is_empty() || !self.storage_fits(cp, self.load_of(v));
        }
        match self.blocking_target(v, s) {
            // Vehicles blocked before it go first.
            Some(next) => !self.stages[next].blocked.is_empty() || !self.has_place(q, t, next, v),
            None => false,
        }
    }

    /// The terminal with storage whose last stage is `s`, if any: a vehicle done there unloads
    /// into the storage.
    fn storage_node(&self, s: StageId) -> Option<CheckpointId> {
        let cp = CheckpointId(self.m.stages[s].checkpoint);
        let spec = &self.m.checkpoints[cp];
        (spec.storage.is_some() && spec.stages.last() == Some(&s.0)).then_some(cp)
    }

    /// The containers `load` takes in terminal `cp`'s storage: its own boxes, or the boxes bulk
    /// is stuffed into there for an onward flow that carries containers.
    fn boxes_stored(&self, cp: CheckpointId, load: Load) -> u64 {
        match self.m.checkpoints[cp].transfer_to {
            Some(f) => split(load, &self.m.flows[f as usize]).boxes(),
            None => u64::from(load.containers),
        }
    }

    /// True if `load` fits in the storage of terminal `cp`.
    fn storage_fits(&self, cp: CheckpointId, load: Load) -> bool {
        self.m.checkpoints[cp]
            .storage
            .as_ref()
            .is_none_or(|st| st.fits(self.stored[cp], self.boxes_stored(cp, load), load.tonnes))
    }

    /// Cargo unloaded at terminal `cp` enters its storage (when it has one).
    pub(super) fn store(&mut self, cp: CheckpointId, load: Load) {
        if self.m.checkpoints[cp].storage.is_some() {
            let boxes = self.boxes_stored(cp, load);
            let st = &mut self.stored[cp];
            st.0 += boxes;
            st.1 += load.tonnes;
        }
    }

    /// Vehicle `v` starts service for the first time: if it carries cargo from a terminal's
    /// storage, the cargo leaves it, and vehicles blocked for room there may move on (at the end
    /// of this instant's events, so nothing moves in the middle of a service start).
    #[cold]
    #[inline(never)]
    pub(super) fn leave_storage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let veh = &self.vehicles[v];
        if veh.leg != 0 || veh.step != 0 || veh.flow.index() >= self.storage_of_flow.len() {
            return;
        }
        let Some(cp) = self.storage_of_flow[veh.flow] else {
            return;
        };
        let load = self.load_of(v);
        let (containers, tonnes) = (load.containers, load.tonnes);
        let st = &mut self.stored[cp];
        st.0 = st.0.saturating_sub(u64::from(containers));
        st.1 = (st.1 - tonnes).max(0.0);
        if !self.storage_waiting[cp].is_empty() {
            self.schedule(q, t, Ev::Storage(cp));
        }
    }

    /// Vehicles blocked for want of room in terminal `cp`'s storage move on, in the order they
    /// were blocked, while their cargo fits.
    pub(super) fn unblock_storage(&mut self, q: &mut EventQueue<Ev>, t: SimTime, cp: CheckpointId) {
        while let Some(&v) = self.storage_waiting[cp].front() {
            if !self.storage_fits(cp, self.load_of(v)) {
                return;
            }
            self.storage_waiting[cp].pop_front();
            self.move_on(q, t, v);
        }
    }

    /// True if stage `s` has a free place in front of it for `v`, or would start its service at
    /// once on arrival (no travel, nobody waiting, a lane of its class free and open, quota
    /// left).
    fn has_place(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId, v: VehicleId) -> bool {
        // A lane schedule step due now holds before anyone counts on a free lane.
        self.catch_up_lanes(q, t, s);
        let spec = &self.m.stages[s];
        let st = &self.stages[s];
        let taken = st.travelling + st.queue.waiting();
        if spec.buffer.is_none_or(|b| taken < b) {
            return true;
        }
        let class = self.class_of(v);
        let no_travel = spec.travel.as_ref().is_none_or(|d| d.is_zero());
        let wagons = self.m.flows[self.vehicles[v].flow].wagons;
        no_travel
            && !spec.kind.is_pooled()
            && st.queue.waiting() == 0
            && st.queue.free_group_for(class).is_some()
            && self.is_open(q, t, s)
            && self.quota_allows(q, t, s, wagons)
    }

    /// Vehicle `v`, done at stage `s`, keeps its server there until the next stage has a place.
    #[inline(never)]
    pub(super) fn block(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId, v: VehicleId) {
        let storage = self.storage_node(s);
        let next = self.blocking_target(v, s);
        if storage.is_none() && next.is_none() {
            return;
        }
        let veh = &mut self.vehicles[v];
        veh.set_blocked(true);
        // Its waits run on while it is blocked: they hold `wait − t` until it moves on at `t'`
        // and adds `t'` (no field of its own for the start keeps the vehicle small).
        veh.cp_wait_ms -= t.as_ms();
        veh.total_wait_ms -= t.as_ms();
        match (storage, next) {
            (Some(cp), _) => self.storage_waiting[cp].push_back(v),
            (None, Some(next)) => self.stages[next].blocked.push_back((v, t)),
            (None, None) => unreachable!("returned above"),
        }
        self.count_blocked(t, s, 1);
        if self.is_frozen(t, s) {
            self.check_deadlock(q, t, s);
        }
    }

    /// True if every server of lanes or tracks stage `s` is taken and none is serving: each holds
    /// a blocked vehicle, so the stage moves only when one of them does — unless its schedule or
    /// a dated change still gives it more servers than are blocked (a night without lanes ends).
    fn is_frozen(&self, t: SimTime, s: StageId) -> bool {
        let st = &self.stages[s];
        let spec = &self.m.stages[s];
        let blocked = st.levels.blocked.level();
        !spec.kind.is_pooled()
            && st.levels.busy.level() == 0
            && blocked > 0
            && st.queue.all_taken()
            && (!spec.lanes_vary() || blocked >= i64::from(most_lanes_after(spec, t)))
    }

    /// Stops the run with [`SimError::Deadlock`] if stage `s`, just frozen, belongs to a set of
    /// frozen stages whose blocked vehicles all wait for places at stages of the same set: none
    /// of them can ever move again. Runs only when a stage freezes.
    #[cold]
    fn check_deadlock(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        // Edges: the stage a blocked vehicle is on -> the stage it waits for.
        let edges: Vec<(StageId, StageId)> = self
            .stages
            .iter_enumerated()
            .flat_map(|(target, st)| st.blocked.iter().map(move |&(v, _)| (v, target)))
            .map(|(v, target)| (self.stage_of(v), target))
            .collect();
        // The greatest set of frozen stages closed under "every vehicle blocked on me waits for a
        // member": start from every frozen stage and drop those with a way out until none is left.
        let mut set: Vec<StageId> = edges
            .iter()
            .map(|&(from, _)| from)
            .filter(|&x| self.is_frozen(t, x))
            .collect();
        set.sort_unstable();
        set.dedup();
        loop {
            let before = set.len();
            let keep: Vec<StageId> = set
                .iter()
                .copied()
                .filter(|&x| {
                    edges
                        .iter()
                        .filter(|&&(from, _)| from == x)
                        .all(|&(_, to)| set.binary_search(&to).is_ok())
                })
                .collect();
            set = keep;
            if set.len() == before {
                break;
            }
        }
        if set.binary_search(&s).is_err() {
            return;
        }
        let m = self.m;
        let stages = set
            .iter()
            .map(|&x| {
                let spec = &m.stages[x];
                format!("{}/{}", m.checkpoints[spec.checkpoint as usize].id, spec.id)
            })
            .collect();
        if self.error.is_none() {
            self.error = Some(SimError::Deadlock { at: t, stages });
        }
        q.halt();
    }

    /// Servers blocked at stage `s` (and its checkpoint) change by `delta`: a blocked lane or
    /// track is not busy. Cranes and bogie-exchange positions are shared per move, so a vehicle
    /// blocked after its last move holds none of them and is not counted.
    fn count_blocked(&mut self, t: SimTime, s: StageId, delta: i64) {
        if self.m.stages[s].kind.is_pooled() {
            return;
        }
        // A track's busy time is added when its train leaves, from the start of its service:
        // the time blocked comes off it here (all that is left of the run when it blocks, given
        // back when it moves on), as it comes off the busy level.
        if self.m.stages[s].kind == StageKind::Tracks {
            let rest = self.busy_open(s, t, self.horizon);
            self.stages[s].busy_open_ms -= i128::from(delta) * rest;
        }
        let tm = t.as_ms();
        let st = &mut self.stages[s];
        st.levels.busy.add(tm, -delta);
        st.levels.blocked.add(tm, delta);
        let cp = CheckpointId(self.m.stages[s].checkpoint);
        self.cps[cp].levels.blocked.add(tm, delta);
        if self.m.stages[s].lanes_vary() {
            self.blocked_changed(t, s);
        }
    }

    /// Vehicles blocked on their way to stage `s` move on, in the order they were blocked, while
    /// it has places for them.
    #[inline(never)]
    pub(super) fn unblock(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        while let Some(&(v, since)) = self.stages[s].blocked.front() {
            if !self.has_place(q, t, s, v) {
                return;
            }
            self.stages[s].blocked.pop_front();
            if self.vehicles[v].counted() {
                self.stages[s].held_for_ms += i128::from(t.since(since).as_ms());
            }
            self.move_on(q, t, v);
        }
    }

    /// Blocked vehicle `v` moves on from its stage now.
    fn move_on(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let from = self.stage_of(v);
        let veh = &mut self.vehicles[v];
        veh.set_blocked(false);
        // Time blocked is time waited, at the checkpoint and on the route (see `block`).
        veh.cp_wait_ms += t.as_ms();
        veh.total_wait_ms += t.as_ms();
        self.count_blocked(t, from, -1);
        self.leave_stage(q, t, v, from);
    }
}

/// The most servers stage `spec` can have from `t` on: the largest count of the lanes in effect
/// and of every later dated change.
fn most_lanes_after(spec: &StageSpec, t: SimTime) -> u32 {
    spec.changes
        .iter()
        .filter(|c| c.at > t)
        .filter_map(|c| c.lanes.as_ref())
        .chain([spec.profile_at(t)])
        .map(|p| p.max())
        .max()
        .unwrap_or(0)
}
