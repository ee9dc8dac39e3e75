//! Links: a road, rail or river stretch as a node with one stage.

use crate::calendar::parse_season;
use crate::model::{LaneGroup, LaneProfile, StageKind, StageSpec};
use crate::time::parse_utc_offset;

use super::error::{Checker, FieldPath};
use super::hours::{Calendars, Clock, stage_calendar};
use super::raw::RawLink;
use super::value::{dist_or_duration, int_in, parse_opt};

/// A link as a node with one stage: as many vehicles on it at once as arrive, each for its
/// travel time; `paths_per_day` caps entries per local day; hours and a season close it.
pub(super) fn build_link(
    ck: &mut Checker,
    p: &FieldPath,
    l: &RawLink,
    node: u32,
    clock: &Clock,
    calendars: &Calendars,
    n_classes: usize,
) -> Option<StageSpec> {
    if !["rail", "road", "river"].contains(&l.mode.as_str()) {
        ck.report(
            &p.key("mode"),
            format!(
                "unknown link mode \"{}\" (known: rail, road, river)",
                l.mode
            ),
        );
    }
    let travel = dist_or_duration(ck, &p.key("travel"), &l.travel);
    let offset = parse_opt(ck, &p.key("utc_offset"), &l.utc_offset, parse_utc_offset).ok()?;
    let season = parse_opt(ck, &p.key("season"), &l.season, parse_season).ok()?;
    let calendar = stage_calendar(
        ck,
        &p.key("hours"),
        &l.hours,
        offset,
        season,
        clock,
        calendars,
    );
    let paths = match l.paths_per_day {
        Some(n) => Some(int_in(
            ck,
            &p.key("paths_per_day"),
            n,
            1,
            10_000_000,
            "paths_per_day",
        )? as u32),
        None => None,
    };
    // A rail line has no place to wait: a train waiting for its path keeps its track at the
    // previous node (buffer 0) unless the link gives a siding; roads and rivers default to
    // unlimited room (roadside, anchorage).
    let buffer = match l.buffer {
        Some(n) => Some(int_in(ck, &p.key("buffer"), n, 0, 10_000_000, "buffer")? as u32),
        None if l.mode == "rail" => Some(0),
        None => None,
    };
    // Effectively unlimited: every vehicle allowed onto the link travels at once.
    const ON_LINK: u32 = 1_000_000;
    Some(StageSpec {
        changes: Vec::new(),
        id: "link".into(),
        checkpoint: node,
        kind: StageKind::Lanes,
        unit: "link",
        lanes: ON_LINK,
        profile: LaneProfile::Fixed(ON_LINK),
        service: travel?,
        max_per_vehicle: None,
        handling_rate_tph: None,
        daily_quota_wagons: None,
        calendar: calendar?,
        daily_quota: paths,
        inspection: None,
        holding_capacity: 0,
        buffer,
        travel: None,
        class_rank: vec![0; n_classes.max(1)],
        groups: vec![LaneGroup {
            lanes: ON_LINK,
            class_mask: u64::MAX,
        }],
    })
}
