//! Operating hours: when a checkpoint stage is open for *starting* service.
//!
//! A calendar is a pure function of time. It keeps its own local clock: the local instant of sim
//! time `t` is `t + shift`, where `shift` is the calendar's UTC offset minus the reference clock's.
//! Local day `d` is the date `start_date + d`, and its weekday comes from that date.
//!
//! Rules:
//! - **Windows** are daily `[start, end)` intervals per weekday. A window over midnight belongs to
//!   the weekday it starts on: Friday "20:00-06:00" covers Fri 20:00–24:00 and Sat 00:00–06:00.
//! - **Closed dates** close their whole local day 00:00–24:00. That includes the tail of the
//!   previous day's over-midnight window that falls into it; and a window that starts on a closed
//!   day does not run at all, not even its part after midnight.
//! - **Same instant**: intervals are half-open. A vehicle arriving exactly at the opening instant
//!   may start service; at the closing instant no service starts, while a service already in
//!   progress finishes.
//! - **Merging**: touching or overlapping open intervals are one interval, also across midnight
//!   ("20:00-24:00" on Monday and "00:00-06:00" on Tuesday close once, at Tuesday 06:00).
//! - **Bounded search**: [`Calendar::state_at`] looks at most [`SEARCH_DAYS`] local days ahead; a
//!   change further away than that is reported as [`SimTime::MAX`] ("never"), so a calendar that
//!   never opens, or one whose open days are all closed dates, cannot hang a query.
//!
//! Arithmetic on local instants is done in `i128` and clamped back to `i64`, so instants near
//! [`SimTime::MAX`] and any shift are safe: nothing here panics.
//!
//! [`SimTime::MAX`]: crate::time::SimTime::MAX

mod describe;
mod hours;
mod open_time;
mod parse;
#[cfg(test)]
mod test_util;

pub use hours::{Calendar, OpenState, SEARCH_DAYS};
pub use parse::{
    ClosedDate, Window, next_day_overlap, parse_closed_date, parse_season, parse_windows,
};
