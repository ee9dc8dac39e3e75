//! The static overload check: per stage, the planning arithmetic of demand against what the stage
//! can pass — offered work against lanes × open hours, arrivals against the daily quota, and on a
//! link arrivals against its paths per day. A stage that fails it has a queue that grows without
//! bound, whatever the run length. The judgement is a structure ([`Overload`]); the warnings
//! `validate` and `run` print are derived from it ([`Overload::text`]).
//!
//! The dynamic half of the overload judgement (a backlog that keeps growing over the second half
//! of a run) is measured per replication; see `crate::kpi` and [`crate::stats::Trend`].

use super::{Arrivals, FlowSpec, LaneProfile, Model, NodeKind, StageKind};
use crate::time::{MS_PER_HOUR, SimTime};

/// Why the static arithmetic finds a stage overloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverloadReason {
    /// Offered work above lanes × open hours.
    Capacity,
    /// Arrivals per day above the daily quota.
    Quota,
    /// Arrivals per day above a link's paths per day.
    Paths,
}

impl OverloadReason {
    /// The reason in a few words, as the outputs list it ("demand above lanes × open hours").
    pub fn as_str(self) -> &'static str {
        match self {
            OverloadReason::Capacity => "demand above lanes × open hours",
            OverloadReason::Quota => "demand above the daily quota",
            OverloadReason::Paths => "demand above the link's paths per day",
        }
    }
}

/// A stage whose demand exceeds what it can pass by the static arithmetic: its queue grows
/// without bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Overload {
    /// Index into [`Model::checkpoints`] (a checkpoint, link or terminal).
    pub checkpoint: u32,
    /// Index into [`Model::stages`].
    pub stage: u32,
    /// Which limit the demand exceeds.
    pub reason: OverloadReason,
    /// Demand: vehicles per hour (capacity) or per day (quota, paths).
    pub offered: f64,
    /// What the stage passes, in the unit of `offered`.
    pub capacity: f64,
    /// Capacity only: the servers as the warning names them ("4", "2.5 scheduled (mean)").
    pub servers: String,
    /// Capacity only: the share of the time the stage is open.
    pub open_share: f64,
    /// Capacity only: server-hours of work per vehicle.
    pub work_per_vehicle_h: f64,
    /// Capacity only: demand equals capacity up to rounding (ρ = 1), overloaded because
    /// arrivals or work are random.
    pub exactly: bool,
}

impl Overload {
    /// The warning line (`validate` and `run` print it on stderr).
    pub fn text(&self, m: &Model) -> String {
        let cp = &m.checkpoints[self.checkpoint as usize];
        let s = &m.stages[self.stage as usize];
        match self.reason {
            OverloadReason::Capacity => {
                let (offered, capacity) = apart(self.offered, self.capacity, 1);
                let exactly = if self.exactly {
                    ", exactly its capacity: with random arrivals or service times"
                } else {
                    ";"
                };
                format!(
                    "stage {}/{}: offered {offered} vehicles/h but capacity is {capacity}/h ({} servers × {:.0}% open, {:.2} server-hours per vehicle){exactly} the queue will grow without bound",
                    cp.id,
                    s.id,
                    self.servers,
                    self.open_share * 100.0,
                    self.work_per_vehicle_h
                )
            }
            OverloadReason::Quota => {
                let (arrive, _) = apart(self.offered, self.capacity, 0);
                format!(
                    "stage {}/{}: {arrive} vehicles/day arrive but the daily quota accepts {}; the queue will grow without bound",
                    cp.id, s.id, self.capacity as u64
                )
            }
            OverloadReason::Paths => {
                let (arrive, _) = apart(self.offered, self.capacity, 0);
                format!(
                    "link {}: {arrive} vehicles/day arrive but it has {} paths a day; the queue will grow without bound",
                    cp.id, self.capacity as u64
                )
            }
        }
    }
}

impl Model {
    /// True if the vehicles of `flow` reach each stage of their route at fixed times and take
    /// fixed work there: a timetable without random delay, fixed travel, and at every stage of the
    /// route a service, neutral-zone travel and inspection that never vary.
    fn fixed_arrivals(&self, flow: &FlowSpec) -> bool {
        let fixed = |d: &crate::dist::Dist| d.variance_ms2() == 0.0;
        let timetable = matches!(&flow.arrivals, Arrivals::Timetable { delay, .. } if delay.as_ref().is_none_or(fixed));
        timetable
            && flow.travel.iter().flatten().all(fixed)
            && flow
                .route
                .iter()
                .flat_map(|&n| &self.checkpoints[n as usize].stages)
                .map(|&st| &self.stages[st as usize])
                .all(|st| {
                    fixed(&st.service)
                        && st.travel.as_ref().is_none_or(fixed)
                        && st.inspection.as_ref().is_none_or(|i| {
                            (i.probability == 0.0 || i.probability == 1.0) && fixed(&i.service)
                        })
                })
    }

    /// Stages whose offered load exceeds their capacity over open hours, their daily quota or
    /// (links) their paths per day: their queues grow without bound. In stage order; a stage may
    /// fail more than one limit.
    pub fn overloads(&self) -> Vec<Overload> {
        let mut out = Vec::new();
        let horizon = self.horizon();
        for (si, s) in self.stages.iter().enumerate() {
            let cp = &self.checkpoints[s.checkpoint as usize];
            // Tracks are held through later stages: they have no capacity of their own to compare
            // with. A link has room for every vehicle on it; only its paths limit it.
            if s.kind == StageKind::Tracks {
                continue;
            }
            let link = cp.kind == NodeKind::Link;
            let through: Vec<&FlowSpec> = self
                .flows
                .iter()
                .filter(|f| f.route.contains(&s.checkpoint))
                .collect();
            let rate: f64 = through.iter().map(|f| self.mean_rate_per_h(f)).sum();
            if rate <= 0.0 {
                continue;
            }
            // At exactly full load (ρ = 1) a queue of fixed arrivals and fixed work stays bounded
            // (the same day repeats); any randomness makes it grow without bound.
            let fixed = through
                .iter()
                .filter(|f| self.mean_rate_per_h(f) > 0.0)
                .all(|f| self.fixed_arrivals(f));
            let last = SimTime::from_ms(horizon.as_ms() - 1);
            let at = |reason, offered, capacity| Overload {
                checkpoint: s.checkpoint,
                stage: si as u32,
                reason,
                offered,
                capacity,
                servers: String::new(),
                open_share: 0.0,
                work_per_vehicle_h: 0.0,
                exactly: false,
            };
            if !link && let Some(o) = self.capacity_overload(si, &through, rate, fixed) {
                out.push(o);
            }
            if let Some(q) = s.daily_quota_at(last)
                && beyond(rate * 24.0, q as f64, fixed)
            {
                let reason = if link {
                    OverloadReason::Paths
                } else {
                    OverloadReason::Quota
                };
                out.push(at(reason, rate * 24.0, q as f64));
            }
        }
        out
    }

    /// Stage `si` against lanes × open hours, if its offered work (`through` flows, `rate`
    /// vehicles/h in all) exceeds them.
    fn capacity_overload(
        &self,
        si: usize,
        through: &[&FlowSpec],
        rate: f64,
        fixed: bool,
    ) -> Option<Overload> {
        let s = &self.stages[si];
        let horizon = self.horizon();
        // Offered work [server-hours per hour]: per vehicle, its service (per container or
        // wagon at pooled stages), inspection and handling.
        let h = MS_PER_HOUR as f64;
        let work: f64 = through
            .iter()
            .map(|f| {
                let units = match s.kind {
                    StageKind::Cranes => f.containers as f64,
                    StageKind::BogieExchange => f.wagons as f64,
                    _ => 1.0,
                };
                let mut per = s.service.mean_ms() / h * units;
                if let Some(i) = &s.inspection {
                    per += i.probability * i.service.mean_ms() / h;
                }
                if let Some(r) = s.handling_rate_tph {
                    per += f.tonnes / r;
                }
                self.mean_rate_per_h(f) * per
            })
            .sum();
        let open = s.calendar.open_duration(SimTime::ZERO, horizon).as_ms() as f64
            / horizon.as_ms().max(1) as f64;
        // Dated changes: the capacity in effect at the end of the run, where a queue that
        // grows without bound would be. A lane schedule counts with its mean open lanes.
        let last = SimTime::from_ms(horizon.as_ms() - 1);
        let (servers, lanes) = match s.profile_at(last) {
            LaneProfile::Fixed(n) => (*n as f64 * open, n.to_string()),
            p => {
                let open_lane_ms = p.open_lane_ms(&s.calendar, SimTime::ZERO, horizon);
                let mean = open_lane_ms as f64 / horizon.as_ms().max(1) as f64;
                let per_open = if open > 0.0 { mean / open } else { 0.0 };
                (mean, format!("{per_open:.1} scheduled (mean)"))
            }
        };
        if !(work > 0.0 && beyond(work, servers, fixed)) {
            return None;
        }
        let per_vehicle_h = work / rate;
        Some(Overload {
            checkpoint: s.checkpoint,
            stage: si as u32,
            reason: OverloadReason::Capacity,
            offered: rate,
            capacity: servers / per_vehicle_h,
            servers: lanes,
            open_share: open,
            work_per_vehicle_h: per_vehicle_h,
            exactly: at_capacity(work, servers),
        })
    }

    /// Stages whose offered load exceeds their capacity over open hours (or their daily quota,
    /// or a link's paths): their queues grow without bound. One readable line per limit
    /// ([`Self::overloads`] as text).
    pub fn overload_warnings(&self) -> Vec<String> {
        self.overloads().iter().map(|o| o.text(self)).collect()
    }
}

/// True if `load` and `capacity` are equal up to floating-point rounding (ρ = 1).
fn at_capacity(load: f64, capacity: f64) -> bool {
    (load - capacity).abs() <= 1e-9 * capacity.abs().max(load.abs())
}

/// True if `load` overloads `capacity`: beyond it, or exactly at it unless arrivals and work are
/// `fixed` (then the same day repeats and the queue stays bounded).
fn beyond(load: f64, capacity: f64, fixed: bool) -> bool {
    if at_capacity(load, capacity) {
        !fixed
    } else {
        load > capacity
    }
}

/// `a` and `b` with at least `decimals` decimals, and as many more (up to 12) as it takes for
/// two different values to print differently: "0.1004" vs "0.1000", not "0.1" vs "0.1".
fn apart(a: f64, b: f64, decimals: usize) -> (String, String) {
    let mut d = decimals;
    while d < 12 && format!("{a:.d$}") == format!("{b:.d$}") && !at_capacity(a, b) {
        d += 1;
    }
    (format!("{a:.d$}"), format!("{b:.d$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_values_print_apart() {
        assert_eq!(apart(10.0, 9.4, 1), ("10.0".into(), "9.4".into()));
        assert_eq!(apart(0.1004, 0.1, 1), ("0.1004".into(), "0.1000".into()));
        assert_eq!(apart(725.4, 725.0, 0), ("725.4".into(), "725.0".into()));
        // Equal up to rounding: as few decimals as asked.
        assert_eq!(apart(0.1 + 0.2, 0.3, 1), ("0.3".into(), "0.3".into()));
    }

    /// A gate of two lanes (10 min each, 12 an hour between them) before a road link with
    /// `paths` paths a day; 24 trucks a day.
    fn gate_and_link(paths: u32, minutes: u32) -> Model {
        let text = format!(
            r#"
[simulation]
name = "link-paths"
days = 60

[[checkpoints]]
id = "gate"
[[checkpoints.stages]]
id = "check"
lanes = 2
service = {{ dist = "exponential", mean = "{minutes}min" }}

[[links]]
id = "pass"
mode = "road"
travel = "2h"
paths_per_day = {paths}

[[flows]]
id = "trucks"
mode = "truck"
route = ["gate", "pass"]
arrivals = {{ process = "poisson", rate = "24/day" }}
"#
        );
        crate::scenario::parse(&text, "t.toml", crate::scenario::Overrides::default())
            .expect("a valid scenario")
    }

    #[test]
    fn a_link_is_judged_by_its_paths_and_a_stage_by_its_lanes() {
        let m = gate_and_link(20, 10);
        let o = m.overloads();
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].reason, OverloadReason::Paths);
        assert_eq!((o[0].offered, o[0].capacity), (24.0, 20.0));
        assert_eq!(
            o[0].text(&m),
            "link pass: 24 vehicles/day arrive but it has 20 paths a day; the queue will grow without bound"
        );
        assert!(gate_and_link(30, 10).overloads().is_empty());
        // 1 truck an hour × 150 min = 2.5 server-hours an hour on 2 lanes.
        let m = gate_and_link(30, 150);
        let o = m.overloads();
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].reason, OverloadReason::Capacity);
        assert_eq!((o[0].offered, o[0].capacity), (1.0, 0.8));
        assert_eq!(
            o[0].text(&m),
            "stage gate/check: offered 1.0 vehicles/h but capacity is 0.8/h (2 servers × 100% open, \
             2.50 server-hours per vehicle); the queue will grow without bound"
        );
        assert_eq!(m.overload_warnings(), [o[0].text(&m)]);
    }

    #[test]
    fn full_load_is_an_overload_only_with_randomness() {
        assert!(!beyond(1.0, 1.0, true));
        assert!(beyond(1.0, 1.0, false));
        assert!(!beyond(0.1 + 0.2, 0.3, true));
        assert!(beyond(1.000001, 1.0, true));
        assert!(!beyond(0.999999, 1.0, false));
    }
}
