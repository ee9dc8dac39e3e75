//! Operating hours at run time: whether a stage is open now, wake-ups at the next opening, and
//! the share of a service that falls inside open hours (utilisation).

use crate::calendar::OpenState;
use crate::engine::EventQueue;
use crate::model::spec::StageSpec;
use crate::time::SimTime;

use super::ids::StageId;
use super::{Ev, Sim};

/// Lane-time of a service on [start, end) that falls in open hours after the warm-up.
fn busy_open(spec: &StageSpec, warmup: SimTime, start: SimTime, end: SimTime) -> i128 {
    let from = start.max(warmup);
    if end <= from {
        0
    } else if spec.calendar.is_always_open() {
        end.since(from).as_ms() as i128
    } else {
        spec.calendar.open_duration(from, end).as_ms() as i128
    }
}

impl Sim<'_> {
    /// True if stage `s` is open at `t`; otherwise makes sure a wake-up is scheduled for its
    /// next opening.
    #[inline]
    pub(super) fn is_open(&mut self, q: &mut EventQueue<Ev>, t: SimTime, s: StageId) -> bool {
        let spec = &self.m.stages[s];
        if spec.calendar.is_always_open() {
            return true;
        }
        let st = &mut self.stages[s];
        if t >= st.open_cache_until {
            match spec.calendar.state_at(t) {
                OpenState::Open { until } => {
                    st.open_cache = true;
                    st.open_cache_until = until;
                }
                OpenState::Closed { until } => {
                    st.open_cache = false;
                    st.open_cache_until = until;
                }
            }
        }
        if !st.open_cache {
            let at = st.open_cache_until;
            self.wake(q, s, at);
            return false;
        }
        true
    }

    pub(super) fn wake(&mut self, q: &mut EventQueue<Ev>, s: StageId, at: SimTime) {
        if at >= self.horizon {
            return;
        }
        let st = &mut self.stages[s];
        if st.wake_at.is_none_or(|w| at < w) {
            st.wake_at = Some(at);
            self.schedule(q, at, Ev::Wake(s));
        }
    }

    /// Lane-time of a service on [start, end) inside open hours, warm-up and horizon.
    #[inline]
    pub(super) fn busy_open(&self, s: StageId, start: SimTime, end: SimTime) -> i128 {
        busy_open(&self.m.stages[s], self.warmup, start, end.min(self.horizon))
    }

    /// [`Self::busy_open`] for a service starting now at an open stage: when it ends before the
    /// stage's current open interval does (the common case), it is all open time and no
    /// calendar walk is needed.
    #[inline]
    pub(super) fn busy_open_from_now(&self, s: StageId, t: SimTime, end: SimTime) -> i128 {
        let st = &self.stages[s];
        let spec = &self.m.stages[s];
        let inside_open = st.open_cache && end <= st.open_cache_until;
        if !(spec.calendar.is_always_open() || inside_open) {
            return self.busy_open(s, t, end);
        }
        let from = t.max(self.warmup);
        let to = end.min(self.horizon);
        if to <= from {
            0
        } else {
            to.since(from).as_ms() as i128
        }
    }
}
