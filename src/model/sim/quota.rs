//! Daily quotas at run time: service starts and wagons admitted per local day of a stage.

use crate::engine::EventQueue;
use crate::time::SimTime;

use super::ids::StageId;
use super::{Ev, Sim};

impl Sim<'_> {
    /// True if the day's quotas leave room for a vehicle of `wagons` wagons; otherwise makes
    /// sure a wake-up is scheduled for the next local day.
    #[inline]
    pub(super) fn quota_allows(
        &mut self,
        q: &mut EventQueue<Ev>,
        t: SimTime,
        s: StageId,
        wagons: u32,
    ) -> bool {
        let spec = &self.m.stages[s];
        if self.stages[s].quota_now.is_none() && spec.daily_quota_wagons.is_none() {
            return true;
        }
        let st = &mut self.stages[s];
        let day = spec.calendar.local_day(t);
        if day != st.quota_day {
            st.quota_day = day;
            st.quota_used = 0;
            st.quota_wagons_used = 0;
        }
        let full_vehicles = st.quota_now.is_some_and(|qv| st.quota_used >= qv);
        // A train longer than the whole wagon quota may still enter as the day's first.
        let full_wagons = spec
            .daily_quota_wagons
            .is_some_and(|qw| st.quota_wagons_used > 0 && st.quota_wagons_used + wagons > qw);
        if full_vehicles || full_wagons {
            // A day counts once, at the moment its quota runs out, if that is after warm-up.
            if st.exhausted_day != day {
                st.exhausted_day = day;
                if t >= self.warmup {
                    st.quota_out_at.push(t);
                }
            }
            let at = spec.calendar.local_day_start(day + 1);
            self.wake(q, s, at);
            return false;
        }
        true
    }

    /// Counts one admitted vehicle against the day's quotas.
    pub(super) fn use_quota(&mut self, t: SimTime, s: StageId, wagons: u32) {
        let spec = &self.m.stages[s];
        let st = &mut self.stages[s];
        let mut exhausted = false;
        if let Some(quota) = st.quota_now {
            st.quota_used += 1;
            exhausted |= st.quota_used == quota;
        }
        if let Some(qw) = spec.daily_quota_wagons {
            let before = st.quota_wagons_used;
            st.quota_wagons_used += wagons;
            exhausted |= before < qw && st.quota_wagons_used >= qw;
        }
        if exhausted && st.exhausted_day != st.quota_day {
            st.exhausted_day = st.quota_day;
            if t >= self.warmup {
                st.quota_out_at.push(t);
            }
        }
    }
}
