//! Arrival processes at run time: Poisson (gaps drawn ahead), profiled rates by thinning,
//! timetables with random lateness.

use rand::RngExt;
use rand_distr::Exp1;

use crate::engine::{EventQueue, Rng};
use crate::model::spec::Arrivals;
use crate::time::{MS_PER_DAY, MS_PER_HOUR, SimDuration, SimTime};

use super::ids::FlowId;
use super::{Ev, Sim};

/// Fills `buf` with consecutive gaps of a Poisson process of `rate_per_h` drawn from `rng`.
#[inline(never)]
fn poisson_gaps(rng: &mut Rng, rate_per_h: f64, buf: &mut [SimDuration]) {
    for gap in buf {
        let e: f64 = rand_distr::Distribution::sample(&Exp1, rng);
        *gap = SimDuration::from_ms_f64_nonneg(e * MS_PER_HOUR as f64 / rate_per_h);
    }
}

impl Sim<'_> {
    /// The first arrival of flow `f` after `t` (at or after `t` when `first`).
    #[inline]
    pub(super) fn next_arrival(&mut self, f: FlowId, t: SimTime, first: bool) -> Option<SimTime> {
        // Poisson arrivals inline at the call site; the other processes go through one call.
        if let Arrivals::Poisson { rate_per_h } = &self.m.flows[f].arrivals {
            if *rate_per_h <= 0.0 {
                return None;
            }
            let rate = *rate_per_h;
            let rt = &mut self.flows[f];
            let gap = rt
                .gaps_drawn
                .take(|buf| poisson_gaps(&mut rt.rng_arrivals, rate, buf));
            return t.checked_add(gap);
        }
        self.next_arrival_other(f, t, first)
    }

    /// [`Self::next_arrival`] for profiled, timetabled and transfer flows.
    #[inline(never)]
    pub(super) fn next_arrival_other(
        &mut self,
        f: FlowId,
        t: SimTime,
        first: bool,
    ) -> Option<SimTime> {
        let spec = &self.m.flows[f];
        let rt = &mut self.flows[f];
        match &spec.arrivals {
            Arrivals::Poisson { .. } => unreachable!("handled by next_arrival"),
            Arrivals::Profiled(p) => {
                let max = rt.peak_per_h;
                if max <= 0.0 {
                    return None;
                }
                // Exact thinning: candidates at the peak rate, each kept with probability
                // rate(t)/peak. Gives up after the horizon, so a zero profile cannot loop forever.
                let mut at = t;
                loop {
                    let e: f64 = rt.rng_arrivals.sample(Exp1);
                    let gap_ms = e * MS_PER_HOUR as f64 / max;
                    at = at.checked_add(SimDuration::from_ms_f64_nonneg(gap_ms))?;
                    if at > self.horizon {
                        return Some(at);
                    }
                    let day = at.day_index();
                    if rt.factor_day != day {
                        rt.factor = p.day_factor(self.m.start_date, day);
                        rt.factor_day = day;
                    }
                    let rate = p.rate_per_h * p.hourly[at.hour_of_day()] * rt.factor;
                    if rt.rng_arrivals.random::<f64>() * max < rate {
                        return Some(at);
                    }
                }
            }
            Arrivals::Timetable { times_ms, .. } => {
                if times_ms.is_empty() {
                    return None;
                }
                if first {
                    rt.tt_day = t.day_index();
                    rt.tt_idx = times_ms.partition_point(|&x| x < t.ms_of_day());
                } else {
                    rt.tt_idx += 1;
                }
                if rt.tt_idx >= times_ms.len() {
                    rt.tt_idx = 0;
                    rt.tt_day += 1;
                }
                Some(SimTime::from_ms(
                    rt.tt_day * MS_PER_DAY + times_ms[rt.tt_idx],
                ))
            }
            Arrivals::Transfer | Arrivals::Diverted => None,
        }
    }

    // The handlers of the events that follow a delay are calls of their own: inlined into the
    // event loop, each added another copy of the arrival path to it, and the loop's common events
    // (arrivals and departures) ran slower in the bigger function.
    /// A late timetable vehicle of flow `f` appears.
    #[inline(never)]
    pub(super) fn on_late(&mut self, q: &mut EventQueue<Ev>, t: SimTime, f: FlowId) {
        self.create_vehicle(q, t, f, None, t >= self.warmup);
    }

    pub(super) fn on_arrival(&mut self, q: &mut EventQueue<Ev>, t: SimTime, f: FlowId) {
        if let Some(next) = self.next_arrival(f, t, false)
            && next < self.m.flows[f].ends
        {
            self.schedule(q, next, Ev::Arrival(f));
        }
        let spec = &self.m.flows[f];
        if let Arrivals::Timetable { delay: Some(d), .. } = &spec.arrivals {
            // The timetable chain stays on schedule; this vehicle turns up late.
            let late = d.sample(&mut self.flows[f].rng_delay);
            if !late.is_zero() {
                if let Some(at) = t.checked_add(late) {
                    self.schedule(q, at, Ev::Late(f));
                }
                return;
            }
        }
        self.create_vehicle(q, t, f, None, t >= self.warmup);
    }
}
