//! Lanes by hour of day at run time: a stage's servers follow its daily schedule and dated
//! changes, and the lane-time worked beyond the open lanes (overtime) is measured.
//!
//! At each step of a schedule (and at each dated change of lanes) the lane groups change by the
//! difference: reserved groups keep their lanes while the stage has any, the general group takes
//! the rest, and hours a schedule does not cover have no lanes at all. More lanes serve the queue
//! at once; fewer retire as their vehicles finish — a lane that closes while serving finishes its
//! vehicle, and that work is overtime. Steps are events only for stages with a schedule.
//!
//! Utilisation counts busy lane-time *inside* open lane-time: per lane group,
//! ∫ min(busy, open lanes) dt. Each service adds its busy time within the stage's open hours
//! (`hours.rs`); from that this module subtracts, while the calendar is open, the lanes busy
//! beyond their group's count (retiring lanes, "excess"), a level that changes only when lanes
//! change or a retiring lane frees. Stages whose lanes never change never have any.
//!
//! Same instant: a step is due at its instant whatever the order of the events there. Every
//! path that may start a service (a vehicle arriving, a lane freeing, a wake-up) first applies a
//! step that is due ([`Sim::catch_up_lanes`]), so no service starts at 20:00 on a lane that
//! closes at 20:00, and a lane that opens at 08:00 serves a vehicle that arrives at 08:00.

use crate::engine::EventQueue;
use crate::time::SimTime;

use super::ids::{GroupId, Id, StageId};
use super::{Ev, Sim};

/// Run-time lane state of a stage besides its lane groups and next step (in `StageRt`): the
/// overtime of retiring lanes.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct LaneRt {
    // Busy servers beyond their lane group's count (retiring lanes), and since when.
    excess: u32,
    excess_since: SimTime,
    // ∫ excess dt over open hours of the measured span so far [lane-ms].
    excess_open_ms: i128,
}

impl LaneRt {
    /// Busy lane-time of retiring lanes inside open hours of the measured span [lane-ms].
    pub(super) fn excess_open_ms(&self) -> i128 {
        self.excess_open_ms
    }
}

impl Sim<'_> {
    /// Sets stage `s`'s servers to what its schedule and changes give at `t`, and plans its
    /// next schedule step.
    pub(super) fn apply_lanes(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        let m = self.m;
        let spec = &m.stages[s];
        self.set_lanes(t, s, spec.lanes_at(t));
        let next = spec
            .next_lane_step(t)
            .filter(|&at| at < self.horizon)
            .unwrap_or(SimTime::MAX);
        let st = &mut self.stages[s];
        if next != st.lane_step_at {
            st.lane_step_at = next;
            if next != SimTime::MAX {
                self.schedule(q, next, Ev::LaneStep(s));
            }
        }
    }

    /// A step of stage `s`'s lane schedule: the new count takes effect (unless it was applied
    /// already at this instant, or replaced by a dated change) and, if it is larger, serves the
    /// queue and the vehicles blocked for a place at once — also when a check of places caught
    /// the step up earlier at this instant without serving anyone.
    pub(super) fn on_lane_step(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        if self.stages[s].lane_step_at == t {
            self.apply_lanes(q, t, s);
        }
        self.dispatch(q, t, s);
    }

    /// Applies stage `s`'s schedule step if it is due at `t` and not applied yet: called before
    /// anything may start a service, so a step holds at its instant whatever the event order.
    #[inline(always)]
    pub(super) fn catch_up_lanes(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        if self.stages[s].lane_step_at <= t {
            self.lane_step_due(q, t, s);
        }
    }

    #[cold]
    #[inline(never)]
    fn lane_step_due(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) {
        self.apply_lanes(q, t, s);
    }

    /// Stage `s` has `lanes` servers from `t` (0 where its schedule has none): each lane group
    /// changes by the difference, busy lanes beyond the new count retire as they free.
    fn set_lanes(&mut self, t: SimTime, s: StageId, lanes: u32) {
        let old = self.stages[s].lanes_now;
        if lanes == old {
            return;
        }
        self.flush_excess(t, s);
        let groups = &self.m.stages[s].groups;
        let general = groups
            .last()
            .filter(|g| g.class_mask == u64::MAX)
            .map(|_| groups.len() - 1);
        let reserved: u32 = groups
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != general)
            .map(|(_, g)| g.lanes)
            .sum();
        // Lanes of group `i` when the stage has `n`: reserved groups theirs, the general group
        // the rest; none at all when the stage has none.
        let share = |i: usize, n: u32| -> i32 {
            if n == 0 {
                0
            } else if Some(i) == general {
                n.saturating_sub(reserved) as i32
            } else {
                groups[i].lanes as i32
            }
        };
        let st = &mut self.stages[s];
        for i in 0..groups.len() {
            let delta = share(i, lanes) - share(i, old);
            if delta != 0 && Some(i) == general {
                st.queue.add_general_servers(delta);
            } else if delta != 0 {
                st.queue.add_servers(GroupId::from_index(i), delta);
            }
        }
        st.lanes_now = lanes;
        let retiring = st.queue.retiring();
        self.set_excess(s, retiring);
    }

    /// A retiring lane of stage `s` frees at `t` (its vehicle is done): one lane less works
    /// beyond the open count.
    #[cold]
    pub(super) fn lane_retires(&mut self, t: SimTime, s: StageId) {
        self.flush_excess(t, s);
        let retiring = self.stages[s].queue.retiring().saturating_sub(1);
        self.set_excess(s, retiring);
    }

    /// Servers of stage `s` blocked at `t` changed: a blocked lane beyond the count is not busy,
    /// so it is no overtime (and never counted busy in open time).
    #[cold]
    pub(super) fn blocked_changed(&mut self, t: SimTime, s: StageId) {
        self.flush_excess(t, s);
        let retiring = self.stages[s].queue.retiring();
        self.set_excess(s, retiring);
    }

    /// The excess level of stage `s` from `retiring` busy-or-blocked servers beyond the lanes:
    /// those beyond the blocked ones serve. (With several lane groups the blocked ones are taken
    /// to be among the retiring.)
    fn set_excess(&mut self, s: StageId, retiring: u32) {
        let blocked = self.stages[s].levels.blocked.level().max(0) as u32;
        self.lanes[s].excess = retiring.saturating_sub(blocked);
    }

    /// Adds the excess level's open time since its last change up to `t` (within the measured
    /// span) to the stage's total.
    pub(super) fn flush_excess(&mut self, t: SimTime, s: StageId) {
        let lr = &mut self.lanes[s];
        let since = std::mem::replace(&mut lr.excess_since, t);
        if lr.excess == 0 {
            return;
        }
        let from = since.max(self.warmup);
        let to = t.min(self.horizon);
        if to > from {
            let open = self.m.stages[s].calendar.open_duration(from, to).as_ms();
            lr.excess_open_ms += i128::from(open) * i128::from(lr.excess);
        }
    }
}
