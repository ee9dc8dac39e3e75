//! Pooled stages (gantry cranes, bogie exchange): servers that handle one container or wagon at a
//! time, shared by the vehicles admitted, first admitted first.

use crate::engine::EventQueue;
use crate::model::result::ServiceStart;
use crate::model::spec::StageKind;
use crate::time::{SimDuration, SimTime};

use super::ids::{GroupId, StageId, VehicleId};
use super::vehicle::NO_EXTRA;
use super::{Ev, Sim};

impl Sim<'_> {
    /// Pooled stages (cranes, bogie exchange): free servers take the next move of the vehicles
    /// being worked on, first admitted first; when none has a move left to start, the next
    /// waiting vehicle is admitted.
    pub(super) fn dispatch_pooled(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        self.catch_up_lanes(q, t, s);
        let spec = &self.m.stages[s];
        let cap = spec.max_per_vehicle.unwrap_or(u32::MAX);
        loop {
            let free = self.stages[s].queue.has_free(GroupId::FIRST);
            let next = self.stages[s].work.iter().copied().find(|&v| {
                let (left, busy) = self.moves_of(v);
                left > 0 && busy < cap
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
            let Some(class) = self.stages[s].queue.head_class() else {
                return;
            };
            let Some(v) = self.stages[s].queue.front(class) else {
                return;
            };
            let units = self.units_at(s, v);
            if units > 0 && (!free || next.is_some()) {
                return;
            }
            let wagons = self.m.flows[self.vehicles[v].flow].wagons;
            if !self.is_open(q, t, s) || !self.quota_allows(q, t, s, wagons) {
                return;
            }
            self.stages[s].queue.pop(class);
            self.vehicles[v].set_queued(false);
            self.change_waiting(t, s, -1);
            self.admit(t, s, v);
            if self.has_storage {
                self.leave_storage(q, t, v);
            }
            if units == 0 {
                self.finish_pooled(q, t, s, v);
            }
        }
    }

    /// Moves vehicle `v` needs at pooled stage `s`: its containers (cranes) or wagons (bogies).
    pub(super) fn units_at(&self, s: StageId, v: VehicleId) -> u32 {
        match self.m.stages[s].kind {
            StageKind::Cranes => self.load_of(v).containers,
            StageKind::BogieExchange => self.m.flows[self.vehicles[v].flow].wagons,
            StageKind::Lanes | StageKind::Tracks => 1,
        }
    }

    /// Admits a vehicle at a pooled stage: its wait ends and its moves become available.
    pub(super) fn admit(&mut self, t: SimTime, s: StageId, v: VehicleId) {
        self.end_wait(t, s, v);
        let units = self.units_at(s, v);
        let extra = self.extra_of(v);
        extra.units_left = units;
        extra.units_busy = 0;
        self.stages[s].work.push_back(v);
    }

    /// Moves of vehicle `v` at its pooled stage: not yet started, and in progress.
    fn moves_of(&self, v: VehicleId) -> (u32, u32) {
        match self.vehicles[v].extra {
            NO_EXTRA => (0, 0),
            x => (
                self.extras[x as usize].units_left,
                self.extras[x as usize].units_busy,
            ),
        }
    }

    /// Starts one container or wagon move of vehicle `v`.
    pub(super) fn start_move(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        s: StageId,
        v: VehicleId,
    ) {
        let spec = &self.m.stages[s];
        let st = &mut self.stages[s];
        st.queue.take_server(GroupId::FIRST);
        st.levels.busy.add(t.as_ms(), 1);
        let extra = &mut self.extras[self.vehicles[v].extra as usize];
        extra.units_left -= 1;
        extra.units_busy += 1;
        let veh = &self.vehicles[v];
        if let Some(tr) = &mut self.trace {
            tr.push(ServiceStart {
                at: t,
                stage: s.0,
                flow: veh.flow.0,
                class: self.m.flows[veh.flow].class,
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
        self.stages[s].busy_open_ms += busy;
        self.schedule(q, end, Ev::Move(v));
    }

    pub(super) fn on_move(&mut self, q: &mut EventQueue<Ev>, t: SimTime, v: VehicleId) {
        let s = self.stage_of(v);
        if self.stages[s].queue.is_retiring(GroupId::FIRST) {
            self.lane_retires(t, s);
        }
        {
            let st = &mut self.stages[s];
            st.queue.release_server(GroupId::FIRST);
            st.levels.busy.add(t.as_ms(), -1);
        }
        let extra = &mut self.extras[self.vehicles[v].extra as usize];
        extra.units_busy -= 1;
        if extra.units_left == 0 && extra.units_busy == 0 {
            self.finish_pooled(q, t, s, v);
        } else {
            self.dispatch(q, t, s);
        }
    }

    /// The last move of `v` at pooled stage `s` is done: it leaves the stage.
    pub(super) fn finish_pooled(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        s: StageId,
        v: VehicleId,
    ) {
        let st = &mut self.stages[s];
        if let Some(pos) = st.work.iter().position(|&x| x == v) {
            st.work.remove(pos);
        }
        if self.stages[s].may_block && self.must_wait_for_place(q, t, v, s) {
            self.block(q, t, s, v);
            self.dispatch(q, t, s);
            return;
        }
        self.stage_served(t, s, v);
        self.dispatch(q, t, s);
        self.after_stage(q, t, v, s);
    }
}
