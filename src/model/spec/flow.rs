//! Flows: streams of vehicles of one mode and class along a route, their arrival processes
//! (Poisson, profiled, timetabled, transferred, diverted) and route choice among alternatives.

use super::Mode;
use crate::dist::Dist;
use crate::time::{Date, SimDuration, SimTime};

/// Arrival process of a flow.
#[derive(Clone, Debug)]
pub enum Arrivals {
    /// Poisson arrivals at a constant rate [vehicles/h].
    Poisson {
        /// Rate [vehicles/h].
        rate_per_h: f64,
    },
    /// Non-homogeneous Poisson: rate × hour-of-day shape × weekday × month, by thinning.
    Profiled(Box<RateProfile>),
    /// The same list of times every day [ms after midnight, reference clock], sorted, each
    /// departure late by an optional random delay.
    Timetable {
        /// Departure times of day \[ms\].
        times_ms: Vec<i64>,
        /// Random lateness of each departure.
        delay: Option<Dist>,
    },
    /// No arrivals of its own: vehicles are created by a terminal transferring cargo to this flow.
    Transfer,
    /// No arrivals of its own: vehicles of another flow that chose this flow's route (see
    /// [`RouteChoice`]).
    Diverted,
}

/// How a flow's vehicles choose among alternative routes (crossings).
///
/// The rule: a share `loyal_share` of vehicles always keeps the flow's own route. Each other
/// vehicle, when it appears, takes the route with the least expected time, ties to the flow's
/// own route. A route's expected time is its `extra_travel`, plus for each of its nodes the mean
/// travel to it, and for each stage the mean neutral-zone travel, the time until the stage opens
/// (hours are public), the drain time of the queue it can see — vehicles waiting ÷ the
/// stage's service rate (servers ÷ mean service × the share of the coming 24 h the stage is
/// open, capped by the daily quota spread over the day) — and the mean service. The queue it sees is the one published at the last multiple of
/// `info_every` that is at least `info_delay` old (an e-queue website updated every 15 minutes,
/// or word of mouth hours late).
#[derive(Clone, Debug)]
pub struct RouteChoice {
    /// The other routes, each run as its own flow (`Arrivals::Diverted`).
    pub alternatives: Vec<Alternative>,
    /// Queue figures are published this often.
    pub info_every: SimDuration,
    /// A published figure reaches drivers this late.
    pub info_delay: SimDuration,
    /// Share of vehicles that always keep the flow's own route, in [0, 1].
    pub loyal_share: f64,
}

/// One alternative route of a [`RouteChoice`].
#[derive(Clone, Debug)]
pub struct Alternative {
    /// Index of the flow that runs this route.
    pub flow: u32,
    /// Extra driving to reach this route compared with the flow's own (a detour): the vehicle
    /// drives it (the alternative flow's `travel[0]`) before reaching the first gate.
    pub extra_travel: SimDuration,
}

/// A time-varying arrival rate.
#[derive(Clone, Debug)]
pub struct RateProfile {
    /// Base rate [vehicles/h].
    pub rate_per_h: f64,
    /// Hour-of-day multipliers, mean 1.
    pub hourly: [f64; 24],
    /// Weekday multipliers, Monday first.
    pub weekday: [f64; 7],
    /// Month multipliers, January first.
    pub monthly: [f64; 12],
    /// Demand growth per year (0.23 = +23 % a year), compounded day by day from day 0.
    pub growth_per_year: f64,
}

impl RateProfile {
    /// The highest instantaneous rate over the first `days` days [vehicles/h]: the thinning
    /// envelope.
    pub fn peak_per_h(&self, days: u32) -> f64 {
        let mx = |xs: &[f64]| xs.iter().cloned().fold(0.0, f64::max);
        let growth = self.growth(0).max(self.growth(days as i64));
        self.rate_per_h * mx(&self.hourly) * mx(&self.weekday) * mx(&self.monthly) * growth
    }

    /// Growth factor of simulated day `day`: (1 + growth)^(day / 365).
    pub fn growth(&self, day: i64) -> f64 {
        if self.growth_per_year == 0.0 {
            1.0
        } else {
            (1.0 + self.growth_per_year).powf(day as f64 / 365.0)
        }
    }

    /// Weekday × month × growth factor of simulated day `day` (the hour-of-day factor aside).
    pub fn day_factor(&self, start: Date, day: i64) -> f64 {
        let (wd, mo) = day_factors_index(start, day);
        self.weekday[wd] * self.monthly[mo] * self.growth(day)
    }
}

/// A stream of vehicles of one mode and class along a route.
#[derive(Clone, Debug)]
pub struct FlowSpec {
    /// Identifier.
    pub id: String,
    /// Transport mode.
    pub mode: Mode,
    /// Cargo class index.
    pub class: u16,
    /// Cargo per vehicle \[t\].
    pub tonnes: f64,
    /// Cargo value per vehicle \[USD\].
    pub value: f64,
    /// Wagons per vehicle (trains; 0 otherwise).
    pub wagons: u32,
    /// Containers per vehicle.
    pub containers: u32,
    /// TEU per container.
    pub teu_per_container: f64,
    /// Node indices (checkpoints, links, terminals) in order; at most
    /// [`MAX_ROUTE_NODES`](super::MAX_ROUTE_NODES).
    pub route: Vec<u32>,
    /// Travel before each route leg. `travel[0]` is `None` (vehicles appear at the first gate)
    /// except for a route-choice alternative, where it is the detour to reach that route.
    pub travel: Vec<Option<Dist>>,
    /// Arrival process.
    pub arrivals: Arrivals,
    /// Vehicles appear from this instant (a flow starting on a date; `SimTime::ZERO` otherwise).
    pub starts: SimTime,
    /// No vehicle appears at or after this instant (`SimTime::MAX` if the flow never ends).
    pub ends: SimTime,
    /// Alternative routes its vehicles may choose.
    pub choice: Option<Box<RouteChoice>>,
}

/// Weekday (0 = Monday) and month (0 = January) of simulated day `day`.
fn day_factors_index(start: Date, day: i64) -> (usize, usize) {
    match crate::time::date_plus_days(start, day) {
        Some(d) => (
            d.weekday().to_monday_zero_offset() as usize,
            (d.month() - 1) as usize,
        ),
        None => (0, 0),
    }
}
