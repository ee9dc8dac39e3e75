//! Stages: the resource a stage is made of (lanes, tracks, cranes, bogie-exchange positions),
//! its service, hours, quotas, inspections, lane groups and dated capacity changes.

use crate::calendar::Calendar;
use crate::dist::Dist;
use crate::time::SimTime;

use super::lanes::LaneProfile;

/// The resource a stage is made of, and what one unit of service is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageKind {
    /// Lanes (booths, teams, berths): one vehicle per lane for its service time.
    Lanes,
    /// Receiving–departure tracks: a train keeps its track until it leaves the checkpoint.
    Tracks,
    /// Pooled servers that each handle one container at a time (gantry cranes, reach stackers).
    Cranes,
    /// Pooled servers that each handle one wagon at a time (bogie-exchange positions).
    BogieExchange,
}

impl StageKind {
    /// True for stages whose servers handle one container or wagon at a time, pooled over
    /// vehicles.
    pub fn is_pooled(self) -> bool {
        matches!(self, StageKind::Cranes | StageKind::BogieExchange)
    }
}

/// Extra service a share of vehicles gets on the same lane (X-ray, phytosanitary check).
#[derive(Clone, Debug)]
pub struct Inspection {
    /// Name, for reports.
    pub name: String,
    /// Probability that a vehicle is inspected, in [0, 1].
    pub probability: f64,
    /// Extra service time.
    pub service: Dist,
}

/// A set of lanes: either open to every class, or reserved for some.
#[derive(Clone, Debug)]
pub struct LaneGroup {
    /// Number of lanes in the group.
    pub lanes: u32,
    /// Bit mask of the class indices it serves (all bits set for general lanes).
    pub class_mask: u64,
}

/// One step of a checkpoint: parallel lanes with a service time under operating hours.
#[derive(Clone, Debug)]
pub struct StageSpec {
    /// Identifier, unique within its checkpoint.
    pub id: String,
    /// Index of the checkpoint it belongs to.
    pub checkpoint: u32,
    /// The resource and its unit of work.
    pub kind: StageKind,
    /// What one server is called, as the scenario counts it ("lanes", "tracks", "cranes",
    /// "positions", "berths"; "link" for a link, whose servers are room for every vehicle on
    /// it): reports name the servers in it.
    pub unit: &'static str,
    /// Servers the stage is built with: lanes, tracks, cranes or positions (sum over `groups`):
    /// the fixed count, or the largest count of a daily schedule. The count in effect at an
    /// instant is [`Self::lanes_at`].
    pub lanes: u32,
    /// Servers over the day before dated changes: fixed, or a daily schedule (reserved lanes are
    /// part of every scheduled count; the general group takes the rest).
    pub profile: LaneProfile,
    /// Service time per vehicle (lanes, tracks) or per container / wagon move (cranes, bogies).
    pub service: Dist,
    /// Most cranes/positions working on one vehicle at once (pooled stages).
    pub max_per_vehicle: Option<u32>,
    /// Cargo handling rate [t/h]: adds tonnes ÷ rate to a vehicle's service (berths).
    pub handling_rate_tph: Option<f64>,
    /// Maximum wagons admitted per local day.
    pub daily_quota_wagons: Option<u32>,
    /// Operating hours on the stage's clock.
    pub calendar: Calendar,
    /// Maximum service starts per local day.
    pub daily_quota: Option<u32>,
    /// Optional extra service for a share of vehicles.
    pub inspection: Option<Inspection>,
    /// Vehicles that can wait off the road; the rest of the queue stands on the road.
    pub holding_capacity: u32,
    /// Places to wait in front of the stage (`None`: unlimited). A vehicle on its way from the
    /// previous stage takes a place when it leaves it; when every place is taken, a vehicle done
    /// at the previous stage keeps its server there (blocking after service). At the first stage
    /// of a node the places bound the queue at the gate and the rest waits on the approach road —
    /// except for trains and barges coming straight from the previous node, which keep their
    /// track or berth there.
    pub buffer: Option<u32>,
    /// Driving time from the previous stage (or the checkpoint gate) to this one.
    pub travel: Option<Dist>,
    /// Priority rank per class index (0 = served first).
    pub class_rank: Vec<u8>,
    /// Lane groups: reserved groups first, the general group last.
    pub groups: Vec<LaneGroup>,
    /// Capacity changes on dates, in time order.
    pub changes: Vec<StageChange>,
}

/// A change of a stage's capacity from an instant on (new lanes, a new quota).
#[derive(Clone, Debug, PartialEq)]
pub struct StageChange {
    /// When it takes effect (local midnight of its date on the stage's clock).
    pub at: SimTime,
    /// New servers, a count or a daily schedule (the general lanes change; reserved lanes stay).
    pub lanes: Option<LaneProfile>,
    /// New daily quota.
    pub daily_quota: Option<u32>,
}

impl StageSpec {
    /// The lane profile in effect at `t`: the last dated change of lanes up to `t`, else the
    /// stage's own.
    pub fn profile_at(&self, t: SimTime) -> &LaneProfile {
        self.changes
            .iter()
            .take_while(|c| c.at <= t)
            .filter_map(|c| c.lanes.as_ref())
            .last()
            .unwrap_or(&self.profile)
    }

    /// Servers of the stage at `t`, by its schedule and the changes up to `t` (whether or not
    /// its hours are open).
    pub fn lanes_at(&self, t: SimTime) -> u32 {
        self.profile_at(t).at(t)
    }

    /// Servers open at `t`: [`Self::lanes_at`] while the calendar is open, 0 while it is closed.
    pub fn open_lanes_at(&self, t: SimTime) -> u32 {
        if self.calendar.is_open(t) {
            self.lanes_at(t)
        } else {
            0
        }
    }

    /// True if the count of servers may change during a run (a schedule or a dated change of
    /// lanes).
    pub fn lanes_vary(&self) -> bool {
        !self.profile.is_fixed() || self.changes.iter().any(|c| c.lanes.is_some())
    }

    /// The next instant after `t` at which the schedule in effect at `t` steps, unless a dated
    /// change of lanes comes first (or at the same instant): that change takes over.
    pub fn next_lane_step(&self, t: SimTime) -> Option<SimTime> {
        let step = self.profile_at(t).next_step(t)?;
        let change_first = self
            .changes
            .iter()
            .any(|c| c.lanes.is_some() && c.at > t && c.at <= step);
        (!change_first).then_some(step)
    }

    /// True if the stage may have a daily quota at some time (its own, by wagons or from a
    /// dated change).
    pub fn has_quota(&self) -> bool {
        self.daily_quota.is_some()
            || self.daily_quota_wagons.is_some()
            || self.changes.iter().any(|c| c.daily_quota.is_some())
    }

    /// Daily quota of the stage at `t`, after the changes up to `t`.
    pub fn daily_quota_at(&self, t: SimTime) -> Option<u32> {
        self.changes
            .iter()
            .take_while(|c| c.at <= t)
            .filter_map(|c| c.daily_quota)
            .last()
            .or(self.daily_quota)
    }

    /// Open server-time in [from, to): open hours × servers in effect, piece by piece between
    /// changes and schedule steps [lane-ms].
    pub fn open_lane_ms(&self, from: SimTime, to: SimTime) -> i128 {
        let mut total = 0i128;
        let mut start = from;
        for c in self
            .changes
            .iter()
            .filter(|c| c.lanes.is_some() && c.at > from && c.at < to)
        {
            total += self
                .profile_at(start)
                .open_lane_ms(&self.calendar, start, c.at);
            start = c.at;
        }
        total
            + self
                .profile_at(start)
                .open_lane_ms(&self.calendar, start, to)
    }
}
