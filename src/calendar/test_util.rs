//! Fixtures shared by the calendar unit tests: instants, states and calendars from short text.

use super::{Calendar, OpenState, Window, parse_closed_date, parse_windows};
use crate::time::{Date, MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, SimDuration, SimTime, parse_date};

pub(super) const H: i64 = MS_PER_HOUR;
pub(super) const M: i64 = MS_PER_MIN;
pub(super) const D: i64 = MS_PER_DAY;

pub(super) fn t(ms: i64) -> SimTime {
    SimTime::from_ms(ms)
}
pub(super) fn open(ms: i64) -> OpenState {
    OpenState::Open { until: t(ms) }
}
pub(super) fn closed(ms: i64) -> OpenState {
    OpenState::Closed { until: t(ms) }
}
pub(super) fn date(s: &str) -> Date {
    parse_date(s).unwrap()
}
/// 2026-01-05 is a Monday.
pub(super) fn monday() -> Date {
    date("2026-01-05")
}
pub(super) fn every_day(hours: &str) -> [Vec<Window>; 7] {
    let w = parse_windows(hours).unwrap();
    std::array::from_fn(|_| w.clone())
}
pub(super) fn by_weekday(hours: [&str; 7]) -> [Vec<Window>; 7] {
    std::array::from_fn(|i| parse_windows(hours[i]).unwrap())
}
pub(super) fn cal(week: [Vec<Window>; 7], closed_dates: &[&str]) -> Calendar {
    let c = closed_dates
        .iter()
        .map(|s| parse_closed_date(s).unwrap())
        .collect();
    Calendar::new(week, c, monday(), SimDuration::ZERO)
}
