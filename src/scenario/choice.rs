//! Route choice: a flow's alternative routes, each run by a flow of its own, and when drivers
//! learn the queues.

use crate::dist::Dist;
use crate::model::{Arrivals, FlowSpec, RouteChoice};
use crate::time::{SimDuration, parse_duration};

use super::error::{Checker, FieldPath};
use super::raw::RawChoice;
use super::route::{RouteCtx, build_route};

/// Most frequent publication of queue figures.
const MIN_INFO_EVERY: SimDuration = SimDuration::from_ms(60_000);

/// Most publications in flight (published, not yet seen by drivers) at once.
const MAX_INFO_KEPT: i64 = 100_000;

/// A flow's alternative routes, checked, each as the flow that will run it (same vehicles and
/// cargo, its own route, no arrivals of its own) with its extra travel; and the choice settings
/// (its `alternatives` are filled in when the flows get their indices).
pub(super) fn build_choice(
    ck: &mut Checker,
    p: &FieldPath,
    raw: &RawChoice,
    parent: &FlowSpec,
    rc: RouteCtx,
) -> Option<(RouteChoice, Vec<(FlowSpec, SimDuration)>)> {
    let mut ok = true;
    // A duration field, or its default; `ok` turns false on a bad one.
    let dur = |ck: &mut Checker, path: FieldPath, v: &Option<String>, default: SimDuration| match v
    {
        None => Some(default),
        Some(text) => parse_duration(text)
            .map_err(|e| ck.report(&path, e.to_string()))
            .ok(),
    };
    let info_every = dur(
        ck,
        p.key("info_every"),
        &raw.info_every,
        SimDuration::from_ms(15 * 60_000),
    );
    let info_delay = dur(ck, p.key("info_delay"), &raw.info_delay, SimDuration::ZERO);
    ok &= info_every.is_some() && info_delay.is_some();
    let (info_every, info_delay) = (
        info_every.unwrap_or(SimDuration::MAX),
        info_delay.unwrap_or_default(),
    );
    // Each publication is an event and, until its delay has passed, a copy of every queue.
    if info_every < MIN_INFO_EVERY {
        ck.report(
            &p.key("info_every"),
            format!(
                "must be at least 1min (got {info_every}): drivers cannot act on fresher figures"
            ),
        );
        ok = false;
    } else if info_delay.as_ms() / info_every.as_ms() > MAX_INFO_KEPT {
        ck.report(
            &p.key("info_delay"),
            format!(
                "{info_delay} late at one publication every {info_every} keeps {} publications \
                 in flight, more than {MAX_INFO_KEPT}: publish less often or sooner",
                info_delay.as_ms() / info_every.as_ms()
            ),
        );
        ok = false;
    }
    let loyal_share = raw.loyal_share.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&loyal_share) {
        ck.report(
            &p.key("loyal_share"),
            format!("must be a share between 0 and 1 (got {loyal_share})"),
        );
        ok = false;
    }
    if raw.alternatives.is_empty() {
        ck.report(
            &p.key("alternatives"),
            "needs at least one alternative route",
        );
        ok = false;
    }
    let mut children = Vec::new();
    for (i, alt) in raw.alternatives.iter().enumerate() {
        let ap = p.key("alternatives").index(i);
        let (route, travel) = build_route(ck, &ap, &alt.route, &alt.travel, rc);
        if route == parent.route {
            ck.report(&ap.key("route"), "is the flow's own route");
            ok = false;
        }
        let extra = dur(
            ck,
            ap.key("extra_travel"),
            &alt.extra_travel,
            SimDuration::ZERO,
        );
        ok &= extra.is_some();
        let extra = extra.unwrap_or_default();
        let id = alt
            .id
            .clone()
            .unwrap_or_else(|| format!("{}@{}", parent.id, alt.route.join("+")));
        let mut child = parent.clone();
        child.id = id;
        child.route = route;
        child.travel = travel;
        // The detour is driven before the first gate (and counted in time in system).
        if !extra.is_zero() {
            child.travel[0] = Some(Dist::Deterministic(extra));
        }
        child.arrivals = Arrivals::Diverted;
        children.push((child, extra));
    }
    ok.then_some((
        RouteChoice {
            alternatives: Vec::new(),
            info_every,
            info_delay,
            loyal_share,
        },
        children,
    ))
}
