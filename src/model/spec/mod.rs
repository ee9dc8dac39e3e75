//! The model description: a validated, immutable scenario — cargo classes, route nodes
//! (checkpoints, links, terminals), and the whole [`Model`] with its derived figures (horizon,
//! mean rates, overload warnings). Stages are in `stage`, flows and arrivals in `flow`.

use crate::time::{Date, MS_PER_HOUR, SimDuration, SimTime};

mod cargo;
mod flow;
mod lanes;
mod stage;

pub use cargo::{Load, Split, split};
pub use flow::{Alternative, Arrivals, FlowSpec, RateProfile, RouteChoice};
pub use lanes::{DailyLanes, LaneProfile};
pub use stage::{Inspection, LaneGroup, StageChange, StageKind, StageSpec};

/// Transport mode of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Road trucks.
    Truck,
    /// Container trains.
    Train,
    /// River barges.
    Barge,
}

/// What a node of a route is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A border crossing point (road checkpoint or rail border station).
    Checkpoint,
    /// A line, road or river section between nodes, with a travel time and optional capacity.
    Link,
    /// A terminal where cargo may change mode.
    Terminal,
}

/// A cargo class (general, perishable, hazardous, …).
#[derive(Clone, Debug)]
pub struct ClassSpec {
    /// Class name.
    pub id: String,
    /// Longest acceptable total wait; vehicles beyond it are counted as over the limit.
    pub max_wait: Option<SimDuration>,
}

/// A node of a route — a border crossing point, a link or a terminal: an ordered chain of stages.
#[derive(Clone, Debug)]
pub struct CheckpointSpec {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the node is.
    pub kind: NodeKind,
    /// Indices into [`Model::stages`], in the order vehicles pass them.
    pub stages: Vec<u32>,
    /// For a terminal: the flow whose vehicles carry the cargo on from here.
    pub transfer_to: Option<u32>,
    /// For a terminal with `transfer_to`: its storage for cargo waiting for its onward vehicle.
    pub storage: Option<Storage>,
}

/// A terminal's storage: cargo unloaded there waits in it until its onward vehicle starts service
/// at the first stage of its route. When the cargo of a vehicle done at the terminal's last stage
/// does not fit, that vehicle keeps its berth, lane or track there (blocking after service).
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    /// Most containers stored at once.
    pub containers: Option<u32>,
    /// Most tonnes stored at once.
    pub tonnes: Option<f64>,
}

impl Storage {
    /// True if `containers` and `tonnes` more fit beside `stored` (containers, tonnes). Into an
    /// empty storage anything fits, so a load larger than the whole storage still moves.
    pub fn fits(&self, stored: (u64, f64), containers: u64, tonnes: f64) -> bool {
        let empty = stored.0 == 0 && stored.1 <= 1e-9;
        empty
            || (self
                .containers
                .is_none_or(|c| stored.0.saturating_add(containers) <= u64::from(c))
                && self.tonnes.is_none_or(|t| stored.1 + tonnes <= t + 1e-9))
    }
}

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Horizon \[days\].
    pub days: u32,
    /// Warm-up \[days\], less than `days`.
    pub warmup_days: u32,
    /// Base seed.
    pub seed: u64,
    /// Number of replications.
    pub replications: u32,
    /// Date of simulated day 0.
    pub start_date: Date,
    /// The reference clock's UTC offset (`simulation.utc_offset`): timetables, arrival profiles
    /// and hour-of-day results are read on it; a stage's clock is this plus its calendar's shift.
    pub utc_offset: SimDuration,
    /// Road queue length per waiting vehicle \[m\].
    pub metres_per_vehicle: f64,
    /// Step of the time series written for reports (`run --series`, sweep `detail/`).
    pub series_step: SimDuration,
    /// Cargo classes.
    pub classes: Vec<ClassSpec>,
    /// Checkpoints.
    pub checkpoints: Vec<CheckpointSpec>,
    /// All stages of all checkpoints.
    pub stages: Vec<StageSpec>,
    /// Flows.
    pub flows: Vec<FlowSpec>,
    /// Most vehicles one replication may hold at once (waiting, in service or travelling): a
    /// memory budget. A replication that reaches it stops with an error (its queues grow without
    /// bound). Default: a share of the machine's memory (`sim::default_vehicle_budget`); `run`,
    /// `sweep` and `compare` take `--max-queue`.
    pub max_in_system: u64,
}

impl Model {
    /// The end of the simulated horizon.
    pub fn horizon(&self) -> SimTime {
        SimTime::from_days(self.days as i64)
    }
    /// True if flow `f`'s vehicles hand their cargo on to another flow at the end of their route
    /// (a terminal with `transfer_to`), so the cargo is delivered by the onward flow, not by `f`.
    pub fn hands_on(&self, f: usize) -> bool {
        self.flows[f]
            .route
            .last()
            .is_some_and(|&n| self.checkpoints[n as usize].transfer_to.is_some())
    }

    /// The end of the warm-up.
    pub fn warmup_end(&self) -> SimTime {
        SimTime::from_days(self.warmup_days as i64)
    }

    /// Mean arrival rate of a flow over the horizon [vehicles/h].
    pub fn mean_rate_per_h(&self, flow: &FlowSpec) -> f64 {
        match &flow.arrivals {
            Arrivals::Poisson { rate_per_h } => *rate_per_h * self.active_share(flow),
            Arrivals::Profiled(p) => {
                // Average of weekday × month × growth factors over the flow's simulated days.
                let days = self.days.max(1) as i64;
                let active = |d: i64| {
                    let t = SimTime::from_days(d);
                    t >= SimTime::from_days(flow.starts.day_index()) && t < flow.ends
                };
                let mut sum = 0.0;
                for d in (0..days).filter(|&d| active(d)) {
                    sum += p.day_factor(self.start_date, d);
                }
                p.rate_per_h * sum / days as f64
            }
            Arrivals::Timetable { times_ms, .. } => {
                times_ms.len() as f64 / 24.0 * self.active_share(flow)
            }
            // Fed by a terminal or by a route choice: its rate is that of the feeding flows.
            Arrivals::Transfer | Arrivals::Diverted => 0.0,
        }
    }

    /// True if the measured span is longer than a year, so results are also given per calendar
    /// year.
    pub fn reports_years(&self) -> bool {
        self.days.saturating_sub(self.warmup_days) > 366
    }

    /// Share of the horizon during which a flow's vehicles appear (its `starts`..`ends`).
    pub fn active_share(&self, flow: &FlowSpec) -> f64 {
        let h = self.horizon();
        let (a, b) = (flow.starts.min(h), flow.ends.min(h));
        if b <= a || h == SimTime::ZERO {
            0.0
        } else {
            b.since(a).as_ms() as f64 / h.as_ms() as f64
        }
    }

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

    /// Stages whose offered load exceeds their capacity over open hours (or their daily quota):
    /// their queues grow without bound. One readable line per stage.
    pub fn overload_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let horizon = self.horizon();
        for s in &self.stages {
            let cp = &self.checkpoints[s.checkpoint as usize];
            // Tracks are held through later stages and links have room for all: neither has a
            // capacity of its own to compare with.
            if s.kind == StageKind::Tracks || cp.kind == NodeKind::Link {
                continue;
            }
            let through: Vec<&FlowSpec> = self
                .flows
                .iter()
                .filter(|f| f.route.contains(&s.checkpoint))
                .collect();
            let rate: f64 = through.iter().map(|f| self.mean_rate_per_h(f)).sum();
            if rate <= 0.0 {
                continue;
            }
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
            // At exactly full load (ρ = 1) a queue of fixed arrivals and fixed work stays bounded
            // (the same day repeats); any randomness makes it grow without bound.
            let fixed = through
                .iter()
                .filter(|f| self.mean_rate_per_h(f) > 0.0)
                .all(|f| self.fixed_arrivals(f));
            if work > 0.0 && beyond(work, servers, fixed) {
                let per_vehicle_h = work / rate;
                let (offered, capacity) = apart(rate, servers / per_vehicle_h, 1);
                let exactly = if at_capacity(work, servers) {
                    ", exactly its capacity: with random arrivals or service times"
                } else {
                    ";"
                };
                out.push(format!(
                    "stage {}/{}: offered {offered} vehicles/h but capacity is {capacity}/h ({} servers × {:.0}% open, {:.2} server-hours per vehicle){exactly} the queue will grow without bound",
                    cp.id, s.id, lanes, open * 100.0, per_vehicle_h
                ));
            }
            if let Some(q) = s.daily_quota_at(last)
                && beyond(rate * 24.0, q as f64, fixed)
            {
                let (arrive, _) = apart(rate * 24.0, q as f64, 0);
                out.push(format!(
                    "stage {}/{}: {arrive} vehicles/day arrive but the daily quota accepts {q}; the queue will grow without bound",
                    cp.id, s.id,
                ));
            }
        }
        out
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

    #[test]
    fn full_load_is_an_overload_only_with_randomness() {
        assert!(!beyond(1.0, 1.0, true));
        assert!(beyond(1.0, 1.0, false));
        assert!(!beyond(0.1 + 0.2, 0.3, true));
        assert!(beyond(1.000001, 1.0, true));
        assert!(!beyond(0.999999, 1.0, false));
    }
}
