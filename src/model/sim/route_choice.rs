//! Route choice at run time: the queue figures drivers see (published with a delay), and the
//! expected time of each alternative route.

use std::collections::VecDeque;

use rand::RngExt;

use crate::time::{MS_PER_DAY, SimDuration, SimTime};

use super::Sim;
use super::ids::{CheckpointId, FlowId, Id, StageId};

/// Published queue figures (vehicles waiting per stage) of one route-choosing flow.
pub(super) struct Feed {
    pub(super) every: SimDuration,
    pub(super) delay: SimDuration,
    pub(super) next: SimTime,
    // (published at, waiting per stage), oldest first; older ones are dropped once a newer one
    // is visible.
    pub(super) published: VecDeque<(SimTime, Vec<u32>)>,
}

impl Feed {
    /// Drops the figures a driver can no longer see at `t`: those older than the newest
    /// visible one.
    pub(super) fn forget_before(&mut self, t: SimTime) {
        while self.published.len() >= 2 && self.published[1].0 + self.delay <= t {
            self.published.pop_front();
        }
    }

    /// The figures a driver sees at `t` (after [`Self::forget_before`]); empty before the
    /// first one reaches drivers.
    pub(super) fn visible(&self, t: SimTime) -> &[u32] {
        match self.published.front() {
            Some((at, w)) if *at + self.delay <= t => w,
            _ => &[],
        }
    }
}

impl Sim<'_> {
    /// The flow whose route a new vehicle of flow `f` takes: see [`RouteChoice`] for the rule.
    pub(super) fn choose_route(&mut self, t: SimTime, f: FlowId) -> FlowId {
        let Some(ch) = &self.m.flows[f].choice else {
            return f;
        };
        let rt = &mut self.flows[f];
        if rt.rng_choice.random::<f64>() < ch.loyal_share {
            return f;
        }
        let fi = rt.feed;
        self.obs.feeds[fi].forget_before(t);
        let seen = self.obs.feeds[fi].visible(t);
        let mut best = (self.expected_route_ms(t, f, seen), f);
        for alt in &ch.alternatives {
            // The alternative's detour is its first travel leg: included, and its hours are
            // checked for when the vehicle would get there.
            let ms = self.expected_route_ms(t, FlowId(alt.flow), seen);
            if ms < best.0 {
                best = (ms, FlowId(alt.flow));
            }
        }
        best.1
    }

    /// Expected time \[ms\] for a vehicle appearing at `t` to pass flow `f`'s route, seeing the
    /// queues `seen` (vehicles waiting per stage; none if empty).
    pub(super) fn expected_route_ms(&self, t: SimTime, f: FlowId, seen: &[u32]) -> f64 {
        let flow = &self.m.flows[f];
        let mut total = 0.0;
        for (leg, &node) in flow.route.iter().enumerate() {
            if let Some(d) = &flow.travel[leg] {
                total += d.mean_ms();
            }
            for &s in &self.m.checkpoints[CheckpointId(node)].stages {
                let s = StageId(s);
                let spec = &self.m.stages[s];
                let st = &self.stages[s];
                if let Some(d) = &spec.travel {
                    total += d.mean_ms();
                }
                let at = SimTime::from_ms(t.as_ms().saturating_add(total as i64));
                let opens = spec.calendar.next_open(at);
                if opens == SimTime::MAX {
                    return f64::INFINITY;
                }
                total += opens.since(at).as_ms() as f64;
                let mut service = spec.service.mean_ms();
                if let Some(i) = &spec.inspection {
                    service += i.probability * i.service.mean_ms();
                }
                // Drained at the service rate over the share of the coming day the stage is open.
                // The coming day from the opening (a closure is already counted above).
                let day = opens
                    .checked_add(SimDuration::from_ms(MS_PER_DAY))
                    .unwrap_or(opens);
                let open_share =
                    spec.calendar.open_duration(opens, day).as_ms() as f64 / MS_PER_DAY as f64;
                let servers = st.lanes_now.max(1) as f64;
                let mut per_ms = servers / service.max(1.0) * open_share.max(1e-6);
                if let Some(q) = st.quota_now {
                    per_ms = per_ms.min(q as f64 / MS_PER_DAY as f64);
                }
                let waiting = seen.get(s.index()).copied().unwrap_or(0) as f64;
                total += waiting / per_ms + service;
            }
        }
        total
    }
}
