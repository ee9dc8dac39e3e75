//! Overload, judged. At an overloaded crossing the queue grows without bound, so its waits and
//! queues measure how long the run was, not the crossing; they must not read as results.
//!
//! - **Per replication** (KPIs of every checkpoint, link, terminal and stage, and of the system):
//!   `overload` is 1 when the static arithmetic says so — demand above lanes × open hours,
//!   above the daily quota, or above a link's paths per day ([`Model::overloads`]) — or when the
//!   entity's backlog keeps growing over the second half of the run (the trend test below); the
//!   reasons are 0/1 KPIs beside it (`overload_capacity`, `overload_quota`, `overload_paths`,
//!   `overload_growth`) and `backlog_growth_per_day` is the fitted growth. A checkpoint carries
//!   its stages' reasons; the system is overloaded when one of its nodes is.
//! - **Flows, classes, crossing rows** (their vehicles queue at the nodes they pass, so their
//!   waits grow with the run too): no static reason of their own, but `overload_route` when a
//!   node their vehicles pass is overloaded — for a flow, unless those nodes visibly pile up
//!   (their trend test flags them) while the flow's own vehicles in the system clearly stay
//!   steady ([`steady`]: priority at that node) — and, for a flow, `overload_growth` from the
//!   trend test on its own vehicles. A flow that had no vehicle is not overloaded; a class is
//!   overloaded where one of its flows is.
//! - **Trend test**: the vehicles inside the entity, time-averaged over 8 equal blocks that end
//!   at the horizon and fill the second half of the measured span (whole weeks, or whole days in
//!   a short run; see `sim::observe`), get a least-squares line. The replication is flagged when
//!   the slope is clear against the block-to-block scatter (one-sided t test at 1 %, 6 degrees
//!   of freedom) **and** material: at least 1 % of the entity's arrival rate, i.e. the backlog
//!   grows by at least one vehicle for every hundred that arrive. A stable queue's level wanders
//!   but does not grow in proportion to the arrivals, however loaded; an overloaded one grows by
//!   (arrivals − departures) a day, 4.8 % of the arrivals at ρ = 1.05.
//! - **Across replications** ([`judge`]): an entity is overloaded when the static check says so
//!   or the trend test flags it in a majority of the replications (the mean of `overload`, the
//!   share of replications, is above one half): `overloaded` (true/false) and `overload_reasons`
//!   in the JSON documents. A point is overloaded when one of its nodes is ([`judge_point`]).

use super::catalog::EntityKind;
use super::estimate::{EntitySummary, PointEstimates};
use crate::model::{Blocks, Overload, OverloadReason};
use crate::stats::Trend;
use crate::time::MS_PER_DAY;

/// KPI: 1 if the entity is overloaded in the replication, else 0 (its mean over replications is
/// the share of them; the judgement across replications is the JSON key `overloaded`).
pub const OVERLOADED: &str = "overload";
/// KPI: 1 if the entity's backlog grows over the second half of the replication (trend test).
pub const GROWTH: &str = "overload_growth";
/// KPI: the backlog's least-squares growth over the second half \[vehicles/day\].
pub const GROWTH_RATE: &str = "backlog_growth_per_day";
/// The static reasons: KPI name (1 if the limit is exceeded) and reason.
pub const STATIC_REASONS: [(&str, OverloadReason); 3] = [
    ("overload_capacity", OverloadReason::Capacity),
    ("overload_quota", OverloadReason::Quota),
    ("overload_paths", OverloadReason::Paths),
];

/// KPI: 1 if a node that the entity's vehicles pass is overloaded in the replication and the
/// entity's own vehicles do not clearly stay steady (flows, classes and crossing rows).
pub const ROUTE: &str = "overload_route";

/// One-sided level of the trend test: a rise this clear happens by chance once in 100 stable
/// replications at most (fewer still with the materiality rule).
const ALPHA: f64 = 0.01;
/// Least growth that counts, as a share of the entity's arrival rate.
const MATERIAL_SHARE: f64 = 0.01;

/// Growth of the trend test in one replication: the slope \[vehicles/day\] (NaN where the run
/// is too short for the blocks) and whether it is clear and material.
pub fn growth(blocks: &Blocks, arrivals_per_day: f64) -> (f64, bool) {
    let step_days = blocks.len_ms as f64 / MS_PER_DAY as f64;
    let Some(trend) = Trend::fit(&blocks.means, step_days) else {
        return (f64::NAN, false);
    };
    let material = trend.slope >= MATERIAL_SHARE * arrivals_per_day && trend.slope > 0.0;
    (trend.slope, material && trend.rises(ALPHA))
}

/// True if the level of `blocks` clearly grows by less than the material share: the upper
/// one-sided 99 % bound of its trend is below 1 % of `arrivals_per_day` a day. False where the
/// run is too short for the blocks. A flow given priority at an overloaded crossing is steady
/// there while the crossing's other vehicles pile up.
pub fn steady(blocks: &Blocks, arrivals_per_day: f64) -> bool {
    if arrivals_per_day <= 0.0 {
        return !blocks.means.is_empty() && blocks.means.iter().all(|&m| m == 0.0);
    }
    let step_days = blocks.len_ms as f64 / MS_PER_DAY as f64;
    Trend::fit(&blocks.means, step_days)
        .is_some_and(|t| t.below(MATERIAL_SHARE * arrivals_per_day, ALPHA))
}

/// The overload KPIs of one entity in one replication.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Flags {
    capacity: bool,
    quota: bool,
    paths: bool,
    growth: bool,
    rate: Option<f64>,
    // Flows, classes and crossing rows: judged by the nodes their vehicles pass (`route`: one
    // of them is overloaded, and the entity's own vehicles do not clearly stay steady).
    derived: bool,
    route: bool,
}

impl Flags {
    /// The static reasons of stage `stage` among `statics`, and its trend test.
    pub(super) fn of_stage(statics: &[Overload], stage: usize, growth: (f64, bool)) -> Flags {
        let has = |r| {
            statics
                .iter()
                .any(|o| o.stage as usize == stage && o.reason == r)
        };
        Flags {
            capacity: has(OverloadReason::Capacity),
            quota: has(OverloadReason::Quota),
            paths: has(OverloadReason::Paths),
            growth: growth.1,
            rate: Some(growth.0),
            ..Flags::default()
        }
    }

    /// Its own trend test, no static reason (a node's or the system's, before its parts join).
    pub(super) fn of_trend(growth: Option<(f64, bool)>) -> Flags {
        Flags {
            growth: growth.is_some_and(|g| g.1),
            rate: growth.map(|g| g.0),
            ..Flags::default()
        }
    }

    /// The flags of a flow or crossing row: overloaded where a node its vehicles pass is
    /// (`nodes`: their flags joined), unless those nodes visibly pile up (`piles_up`: each
    /// overloaded one's own trend test flags it) while its own vehicles clearly stay steady,
    /// and where its own vehicles grow. `own`: its trend test (slope, flagged) and whether it is
    /// steady (see [`steady`]); none for a crossing row or a run too short for the test. A
    /// vehicle alone at a node, or a flow that mirrors its checkpoint, grows as the node does,
    /// so it is never steady where the node piles up.
    pub(super) fn of_vehicles(
        nodes: &Flags,
        own: Option<((f64, bool), bool)>,
        piles_up: bool,
    ) -> Flags {
        let steady = piles_up && own.is_some_and(|(_, steady)| steady);
        Flags {
            derived: true,
            route: nodes.overloaded() && !steady,
            growth: own.is_some_and(|((_, grows), _)| grows),
            rate: own.map(|((slope, _), _)| slope),
            ..Flags::default()
        }
    }

    /// Adds the reasons of a part (a stage of a node, a node of the system).
    pub(super) fn join(&mut self, part: &Flags) {
        self.capacity |= part.capacity;
        self.quota |= part.quota;
        self.paths |= part.paths;
        self.growth |= part.growth;
        self.route |= part.route;
    }

    /// A class's flags: overloaded where one of its flows is (`flows`, their flags), each
    /// judged on its own (a class's vehicles together would dilute one overloaded flow among
    /// many steady ones); `rate`: the growth of the class's own vehicles, for the record.
    pub(super) fn of_class<'a>(flows: impl Iterator<Item = &'a Flags>, rate: Option<f64>) -> Flags {
        let mut f = Flags {
            derived: true,
            rate,
            ..Flags::default()
        };
        flows.for_each(|ff| f.join(ff));
        f
    }

    /// True unless the entity is overloaded without its own trend test flagging it (a static
    /// reason alone): where it is overloaded, its backlog visibly piles up.
    pub(super) fn piles_up(&self) -> bool {
        !self.overloaded() || self.growth
    }

    fn overloaded(&self) -> bool {
        self.capacity || self.quota || self.paths || self.growth || self.route
    }

    /// Appends the KPIs: `overload`, the reasons, and the growth where it was measured.
    pub(super) fn push(&self, out: &mut Vec<(String, f64)>) {
        let one = |b: bool| if b { 1.0 } else { 0.0 };
        out.push((OVERLOADED.into(), one(self.overloaded())));
        for ((name, _), b) in STATIC_REASONS
            .iter()
            .zip([self.capacity, self.quota, self.paths])
        {
            out.push(((*name).into(), one(b)));
        }
        out.push((GROWTH.into(), one(self.growth)));
        if self.derived {
            out.push((ROUTE.into(), one(self.route)));
        }
        // Only where the trend test ran (a run long enough for its blocks).
        if let Some(r) = self.rate.filter(|r| r.is_finite()) {
            out.push((GROWTH_RATE.into(), r));
        }
    }
}

/// The overload judgement of one entity across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// True when the static check says so or the trend test flags a majority of replications.
    pub overloaded: bool,
    /// Why, in words: each static reason, and the growth with the replications that showed it.
    /// Empty when not overloaded.
    pub reasons: Vec<String>,
}

/// Vehicles per day in words: "412", "3.5", "0.25".
fn per_day(x: f64) -> String {
    match x.abs() {
        a if a >= 100.0 => format!("{x:.0}"),
        a if a >= 1.0 => format!("{x:.1}"),
        _ => format!("{x:.2}"),
    }
}

/// The judgement of entity `e`, if it is judged (it has the `overload` KPI).
pub fn judge(e: &EntitySummary) -> Option<Judgement> {
    let share = |kpi: &str| e.get(kpi).and_then(|c| c.value());
    let overloaded = share(OVERLOADED)? > 0.5;
    let mut reasons = Vec::new();
    if overloaded {
        // A flow, class or crossing row is judged by the nodes its vehicles pass (see
        // `rep_values`); the nodes say why.
        if let Some(r) = e.get(ROUTE).filter(|r| r.value().is_some_and(|s| s > 0.0)) {
            let k = (r.mean * r.n as f64).round() as usize;
            reasons.push(format!(
                "a node its vehicles pass is overloaded ({k} of {} replications)",
                r.n
            ));
        }
        for (kpi, reason) in STATIC_REASONS {
            if share(kpi).is_some_and(|s| s > 0.0) {
                reasons.push(reason.as_str().to_string());
            }
        }
        if let Some(g) = e.get(GROWTH).filter(|g| g.value().is_some_and(|s| s > 0.0)) {
            let k = (g.mean * g.n as f64).round() as usize;
            // (A class's growth is its flows'; its own pooled rate may be lower, even negative.)
            let rate = e
                .get(GROWTH_RATE)
                .and_then(|r| r.value())
                .filter(|&r| r > 0.0)
                .map(|r| format!(" by {} vehicles a day", per_day(r)))
                .unwrap_or_default();
            reasons.push(format!(
                "backlog grows{rate} over the second half of the run ({k} of {} replications)",
                g.n
            ));
        }
    }
    Some(Judgement {
        overloaded,
        reasons,
    })
}

/// The judgement of a point: overloaded when one of its checkpoints, links or terminals is
/// (a node carries its stages' reasons); the reasons name the node. `None` when nothing at the
/// point is judged (results written before overload was judged).
pub fn judge_point(p: &PointEstimates) -> Option<Judgement> {
    let (mut judged, mut overloaded) = (false, false);
    let mut reasons = Vec::new();
    for e in &p.entities {
        if !matches!(
            e.kind,
            EntityKind::Checkpoint | EntityKind::Link | EntityKind::Terminal
        ) {
            continue;
        }
        let Some(j) = judge(e) else { continue };
        judged = true;
        overloaded |= j.overloaded;
        for r in j.reasons {
            reasons.push(format!("{} {}: {r}", e.kind.as_str(), e.id));
        }
    }
    judged.then_some(Judgement {
        overloaded,
        reasons,
    })
}

/// The judgement shown for entity `e` of point `p`: the point's for the system, its own for the
/// others.
pub fn judge_in(p: &PointEstimates, e: &EntitySummary) -> Option<Judgement> {
    match e.kind {
        EntityKind::System => judge(e).and_then(|_| judge_point(p)),
        _ => judge(e),
    }
}
