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

use crate::time::{
    Date, MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, MS_PER_SEC, ParseTimeError, SimDuration, SimTime,
    date_plus_days, parse_date, parse_time_of_day,
};

/// How many local days ahead a state search looks before answering "never" (about three years).
pub const SEARCH_DAYS: i64 = 1100;

/// Largest day count `time::date_plus_days` can take without jiff's `Span::days` panicking.
const MAX_SPAN_DAYS: i64 = 7_304_484;

const DAY: i128 = MS_PER_DAY as i128;

/// One daily window in local ms after midnight: [start, end). end may exceed MS_PER_DAY for windows over midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Opening, in ms after local midnight (0 ≤ start < 24 h).
    pub start_ms: i64,
    /// Closing, in ms after the same midnight (start < end < start + 24 h).
    pub end_ms: i64,
}

/// "HH:MM" (or "HH:MM:SS") for error messages; `ms` past 24 h wraps to the next day.
fn fmt_time_of_day(ms: i64) -> String {
    let ms = if ms > MS_PER_DAY { ms - MS_PER_DAY } else { ms };
    let (h, m, s) = (
        ms / MS_PER_HOUR,
        (ms / MS_PER_MIN) % 60,
        (ms / MS_PER_SEC) % 60,
    );
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Parses "24/7" (→ one window 0..MS_PER_DAY), "closed" (→ empty), or comma-separated "HH:MM-HH:MM" windows.
///
/// "20:00-06:00" (end before start) runs over midnight and is stored with `end_ms = end + 24 h`.
/// Windows come back sorted by start. Same-day overlaps are errors; an over-midnight window may
/// overlap the next day's early window, because that is a different day's list.
pub fn parse_windows(text: &str) -> Result<Vec<Window>, ParseTimeError> {
    let s = text.trim();
    let err = |why: String| ParseTimeError(format!("malformed hours \"{text}\": {why}"));
    if s.is_empty() {
        return Err(err(
            "empty; expected \"24/7\", \"closed\" or windows like \"08:30-12:00,13:00-17:00\""
                .into(),
        ));
    }
    if s.eq_ignore_ascii_case("24/7") {
        return Ok(vec![Window {
            start_ms: 0,
            end_ms: MS_PER_DAY,
        }]);
    }
    if s.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        let Some((a, b)) = part.split_once('-') else {
            return Err(err(format!(
                "window \"{part}\" is not HH:MM-HH:MM (or use \"24/7\" / \"closed\")"
            )));
        };
        let start = parse_time_of_day(a).map_err(|e| err(e.0))?;
        let end = parse_time_of_day(b).map_err(|e| err(e.0))?;
        if start >= MS_PER_DAY {
            return Err(err(format!(
                "window \"{part}\" starts at 24:00; start it at 00:00 on the next day instead"
            )));
        }
        if start == end {
            return Err(err(format!(
                "window \"{part}\" is empty (start equals end); use \"24/7\" for all day"
            )));
        }
        // An end before the start means the window closes on the next day.
        let end_ms = if end < start { end + MS_PER_DAY } else { end };
        out.push(Window {
            start_ms: start,
            end_ms,
        });
    }
    out.sort_by_key(|w| w.start_ms);
    for pair in out.windows(2) {
        if pair[1].start_ms < pair[0].end_ms {
            return Err(err(format!(
                "windows {}-{} and {}-{} overlap",
                fmt_time_of_day(pair[0].start_ms),
                fmt_time_of_day(pair[0].end_ms),
                fmt_time_of_day(pair[1].start_ms),
                fmt_time_of_day(pair[1].end_ms),
            )));
        }
    }
    Ok(out)
}

/// A closed date: every year on month/day, or one specific date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosedDate {
    /// Every year on this month (1–12) and day (1–31); 02-29 only matches in leap years.
    Annual {
        /// Month, 1–12.
        month: i8,
        /// Day of the month, 1–31.
        day: i8,
    },
    /// One specific date.
    On(Date),
    /// Every day outside a yearly season (inclusive month/day bounds; a season may run over the
    /// new year, e.g. 11-01..03-31): a river closed outside its navigation season.
    OutsideSeason {
        /// First open day (month, day).
        from: (i8, i8),
        /// Last open day (month, day).
        to: (i8, i8),
    },
}

impl ClosedDate {
    /// True if `date` is this closed date.
    pub fn matches(&self, date: Date) -> bool {
        match *self {
            ClosedDate::Annual { month, day } => date.month() == month && date.day() == day,
            ClosedDate::On(d) => d == date,
            ClosedDate::OutsideSeason { from, to } => {
                let md = (date.month(), date.day());
                let inside = if from <= to {
                    from <= md && md <= to
                } else {
                    md >= from || md <= to
                };
                !inside
            }
        }
    }
}

/// Parses a yearly season "MM-DD..MM-DD" (e.g. "04-15..11-15") into the closed days outside it.
pub fn parse_season(text: &str) -> Result<ClosedDate, ParseTimeError> {
    let bad = || {
        ParseTimeError(format!(
            "malformed season \"{text}\": expected MM-DD..MM-DD, e.g. \"04-15..11-15\""
        ))
    };
    let (a, b) = text.trim().split_once("..").ok_or_else(bad)?;
    let md = |x: &str| match parse_closed_date(x) {
        Ok(ClosedDate::Annual { month, day }) => Ok((month, day)),
        _ => Err(bad()),
    };
    Ok(ClosedDate::OutsideSeason {
        from: md(a)?,
        to: md(b)?,
    })
}

/// Parses "MM-DD" (annual, validated: 02-30 is an error, 02-29 is allowed) or "YYYY-MM-DD".
pub fn parse_closed_date(text: &str) -> Result<ClosedDate, ParseTimeError> {
    let s = text.trim();
    let bad = || {
        ParseTimeError(format!(
            "malformed closed date \"{text}\": expected MM-DD (every year) or YYYY-MM-DD"
        ))
    };
    let two_digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some((m, d)) = s.split_once('-')
        && two_digits(m)
        && two_digits(d)
    {
        let month: i8 = m.parse().map_err(|_| bad())?;
        let day: i8 = d.parse().map_err(|_| bad())?;
        // 2000 is a leap year, so this accepts exactly the month/day pairs some year has.
        if Date::new(2000, month, day).is_err() {
            return Err(ParseTimeError(format!(
                "closed date \"{text}\": no such day of the year"
            )));
        }
        return Ok(ClosedDate::Annual { month, day });
    }
    parse_date(s).map(ClosedDate::On).map_err(|_| bad())
}

/// Whether a calendar is open at an instant, and until when that lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenState {
    /// Open now; `until` is the next closing instant ([`SimTime::MAX`] if never).
    Open {
        /// The next closing instant.
        until: SimTime,
    },
    /// Closed now; `until` is the next opening instant ([`SimTime::MAX`] if never).
    Closed {
        /// The next opening instant.
        until: SimTime,
    },
}

/// Operating hours. Clone + Debug.
#[derive(Clone, Debug)]
pub struct Calendar {
    always: bool,
    any_open: bool,
    shift_ms: i64,
    start_date: Date,
    start_weekday: i64,
    /// Per weekday: sorted, disjoint, non-touching `[start, end)` within `[0, 24h]` covered by
    /// that day's own windows (used when the previous day is a closed date).
    own: [Vec<(i64, i64)>; 7],
    /// As `own`, plus the tails of the previous weekday's over-midnight windows.
    full: [Vec<(i64, i64)>; 7],
    /// Open ms of each weekday under `full`.
    full_len: [i64; 7],
    closed: Vec<ClosedDate>,
    /// Local days on which a date exists (outside, nothing can be a closed date).
    date_days: (i64, i64),
    /// Closed before this instant (a crossing that opens on a date); the earliest instant if
    /// open from the start.
    opens: SimTime,
}

/// Sorts and merges intervals, joining touching ones, dropping empty ones.
fn merge(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.retain(|&(s, e)| s < e);
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

impl Calendar {
    /// Always open (the 24/7 fast path: every query is O(1)).
    pub fn always_open() -> Calendar {
        let all_day = || vec![(0, MS_PER_DAY)];
        Calendar {
            always: true,
            any_open: true,
            shift_ms: 0,
            start_date: Date::constant(2000, 1, 1),
            start_weekday: 0,
            own: std::array::from_fn(|_| all_day()),
            full: std::array::from_fn(|_| all_day()),
            full_len: [MS_PER_DAY; 7],
            closed: Vec::new(),
            date_days: (0, 0),
            opens: SimTime::from_ms(i64::MIN),
        }
    }

    /// The same hours, but closed before `at` (a new crossing opening on a date). Opening
    /// before the start of the simulation changes nothing.
    pub fn opening_at(mut self, at: SimTime) -> Calendar {
        if at > SimTime::ZERO {
            self.opens = at;
            self.always = false;
        }
        self
    }

    /// The instant before which the calendar is closed whatever its hours (see [`Self::opening_at`]).
    pub fn opens(&self) -> SimTime {
        self.opens
    }

    /// `week[0]` = Monday .. `week[6]` = Sunday windows (each as from [`parse_windows`]), closed dates, start date of sim day 0, `shift` = local clock minus reference clock.
    ///
    /// Windows not produced by [`parse_windows`] are made safe rather than rejected: a window
    /// starting outside [0, 24 h) or with `end <= start` is ignored, and ends are capped at 48 h.
    pub fn new(
        week: [Vec<Window>; 7],
        closed: Vec<ClosedDate>,
        start_date: Date,
        shift: SimDuration,
    ) -> Calendar {
        let clean: [Vec<(i64, i64)>; 7] = std::array::from_fn(|wd| {
            week[wd]
                .iter()
                .filter(|w| (0..MS_PER_DAY).contains(&w.start_ms) && w.end_ms > w.start_ms)
                .map(|w| (w.start_ms, w.end_ms.min(2 * MS_PER_DAY)))
                .collect()
        });
        let own: [Vec<(i64, i64)>; 7] = std::array::from_fn(|wd| {
            merge(
                clean[wd]
                    .iter()
                    .map(|&(s, e)| (s, e.min(MS_PER_DAY)))
                    .collect(),
            )
        });
        let full: [Vec<(i64, i64)>; 7] = std::array::from_fn(|wd| {
            let tails = clean[(wd + 6) % 7]
                .iter()
                .filter(|&&(_, e)| e > MS_PER_DAY)
                .map(|&(_, e)| (0, e - MS_PER_DAY));
            merge(own[wd].iter().copied().chain(tails).collect())
        });
        let full_len: [i64; 7] =
            std::array::from_fn(|wd| full[wd].iter().map(|&(s, e)| e - s).sum());
        let always = closed.is_empty() && full.iter().all(|v| v[..] == [(0, MS_PER_DAY)]);
        let any_open = own.iter().any(|v| !v.is_empty());
        let days_to = |d: Date| crate::time::days_between(start_date, d).unwrap_or(0);
        let date_days = (
            days_to(Date::MIN).max(-MAX_SPAN_DAYS),
            days_to(Date::MAX).min(MAX_SPAN_DAYS),
        );
        Calendar {
            always,
            any_open,
            shift_ms: shift.as_ms(),
            start_date,
            start_weekday: i64::from(start_date.weekday().to_monday_zero_offset()),
            own,
            full,
            full_len,
            closed,
            date_days,
            opens: SimTime::from_ms(i64::MIN),
        }
    }

    /// True if every instant is open (24/7 every weekday and no closed dates).
    pub fn is_always_open(&self) -> bool {
        self.always
    }

    /// Open at instant t? Intervals are half-open [open, close): open at the opening instant, closed at the closing instant.
    pub fn is_open(&self, t: SimTime) -> bool {
        if self.always {
            return true;
        }
        if t < self.opens {
            return false;
        }
        let (day, m) = self.split(t);
        self.coverage(day).iter().any(|&(s, e)| s <= m && m < e)
    }

    /// The open/closed interval containing t, with `until` the next change (merged across touching intervals).
    ///
    /// Open { until }: the next closing instant; Closed { until }: the next opening instant;
    /// either is [`SimTime::MAX`] if it is not within [`SEARCH_DAYS`] local days.
    pub fn state_at(&self, t: SimTime) -> OpenState {
        if self.always {
            return OpenState::Open {
                until: SimTime::MAX,
            };
        }
        if !self.any_open {
            return OpenState::Closed {
                until: SimTime::MAX,
            };
        }
        if t < self.opens {
            return OpenState::Closed {
                until: self.next_open(self.opens),
            };
        }
        let (day, m) = self.split(t);
        let cov = self.coverage(day);
        if let Some(&(_, mut end)) = cov.iter().find(|&&(s, e)| s <= m && m < e) {
            let mut end_day = day;
            loop {
                if end < MS_PER_DAY {
                    return OpenState::Open {
                        until: self.to_sim(i128::from(end_day) * DAY + i128::from(end)),
                    };
                }
                if end_day - day >= SEARCH_DAYS {
                    return OpenState::Open {
                        until: SimTime::MAX,
                    };
                }
                end_day += 1;
                match self.coverage(end_day).first() {
                    Some(&(0, e)) => end = e,
                    _ => {
                        return OpenState::Open {
                            until: self.to_sim(i128::from(end_day) * DAY),
                        };
                    }
                }
            }
        }
        if let Some(&(s, _)) = cov.iter().find(|&&(s, _)| s > m) {
            return OpenState::Closed {
                until: self.to_sim(i128::from(day) * DAY + i128::from(s)),
            };
        }
        for d in day + 1..=day + SEARCH_DAYS {
            if let Some(&(s, _)) = self.coverage(d).first() {
                return OpenState::Closed {
                    until: self.to_sim(i128::from(d) * DAY + i128::from(s)),
                };
            }
        }
        OpenState::Closed {
            until: SimTime::MAX,
        }
    }

    /// The first instant at or after t at which service may start ([`SimTime::MAX`] if none is found).
    pub fn next_open(&self, t: SimTime) -> SimTime {
        match self.state_at(t) {
            OpenState::Open { .. } => t,
            OpenState::Closed { until } => until,
        }
    }

    /// The first closing instant after t: the end of the current open interval, or of the next one if closed now.
    pub fn next_close(&self, t: SimTime) -> SimTime {
        match self.state_at(t) {
            OpenState::Open { until } => until,
            OpenState::Closed { until } if until == SimTime::MAX => SimTime::MAX,
            OpenState::Closed { until } => match self.state_at(until) {
                OpenState::Open { until } => until,
                OpenState::Closed { .. } => SimTime::MAX,
            },
        }
    }

    /// Total open time within [from, to) (ZERO if to <= from).
    pub fn open_duration(&self, from: SimTime, to: SimTime) -> SimDuration {
        let from = from.max(self.opens);
        if to <= from {
            return SimDuration::ZERO;
        }
        let total = if self.always {
            i128::from(to.as_ms()) - i128::from(from.as_ms())
        } else {
            let (a, b) = (self.local(from), self.local(to));
            let d0 = a.div_euclid(DAY) as i64;
            let d1 = (b - 1).div_euclid(DAY) as i64;
            let lo_ms = (a - i128::from(d0) * DAY) as i64;
            let hi_ms = (b - i128::from(d1) * DAY) as i64;
            if d0 == d1 {
                self.day_overlap(d0, lo_ms, hi_ms)
            } else {
                self.day_overlap(d0, lo_ms, MS_PER_DAY)
                    + self.full_days(d0 + 1, d1)
                    + self.day_overlap(d1, 0, hi_ms)
            }
        };
        SimDuration::from_ms(total.clamp(0, i128::from(i64::MAX)) as i64)
    }

    /// Index of the local calendar day containing t (used to count daily quotas per local day).
    pub fn local_day(&self, t: SimTime) -> i64 {
        // The i64 path is exact whenever the sum does not overflow (every simulated instant);
        // i128 only for the extremes. Called on every quota check, so no 128-bit division.
        match t.as_ms().checked_add(self.shift_ms) {
            Some(local) => local.div_euclid(MS_PER_DAY),
            None => self.local(t).div_euclid(DAY) as i64,
        }
    }

    /// The first instant of local day `day` in sim time (start of the next quota day = local_day_start(local_day(t)+1)).
    pub fn local_day_start(&self, day: i64) -> SimTime {
        self.to_sim(i128::from(day) * DAY)
    }

    /// Local hour of day 0..24 of t.
    pub fn local_hour(&self, t: SimTime) -> usize {
        (self.local(t).rem_euclid(DAY) / i128::from(MS_PER_HOUR)) as usize
    }

    /// The local instant of `t` in ms since local midnight of the start date.
    fn local(&self, t: SimTime) -> i128 {
        i128::from(t.as_ms()) + i128::from(self.shift_ms)
    }

    /// Local day index and ms into that day.
    fn split(&self, t: SimTime) -> (i64, i64) {
        let local = self.local(t);
        (local.div_euclid(DAY) as i64, local.rem_euclid(DAY) as i64)
    }

    /// A local instant back on the reference clock, clamped to the representable range.
    fn to_sim(&self, local: i128) -> SimTime {
        let v = local - i128::from(self.shift_ms);
        SimTime::from_ms(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }

    fn weekday(&self, day: i64) -> usize {
        ((self.start_weekday + day.rem_euclid(7)) % 7) as usize
    }

    /// The date of local day `day`, if it exists.
    fn date_of(&self, day: i64) -> Option<Date> {
        // date_plus_days panics (via jiff's Span::days) on huge counts, so stay in range.
        if (self.date_days.0..=self.date_days.1).contains(&day) {
            date_plus_days(self.start_date, day)
        } else {
            None
        }
    }

    fn is_closed_date(&self, date: Date) -> bool {
        self.closed.iter().any(|c| c.matches(date))
    }

    fn is_closed_day(&self, day: i64) -> bool {
        !self.closed.is_empty() && self.date_of(day).is_some_and(|d| self.is_closed_date(d))
    }

    /// Open intervals of local day `day`, in ms after its midnight.
    fn coverage(&self, day: i64) -> &[(i64, i64)] {
        let wd = self.weekday(day);
        if self.closed.is_empty() {
            &self.full[wd]
        } else if self.is_closed_day(day) {
            &[]
        } else if self.is_closed_day(day.saturating_sub(1)) {
            &self.own[wd]
        } else {
            &self.full[wd]
        }
    }

    /// Open ms of local day `day` within [lo, hi) ms of that day.
    fn day_overlap(&self, day: i64, lo: i64, hi: i64) -> i128 {
        self.coverage(day)
            .iter()
            .map(|&(s, e)| i128::from((e.min(hi) - s.max(lo)).max(0)))
            .sum()
    }

    /// Open ms over whole local days [a, b).
    fn full_days(&self, a: i64, b: i64) -> i128 {
        if a >= b {
            return 0;
        }
        if self.closed.is_empty() {
            return self.periodic_days(a, b);
        }
        // A closed date affects its own day and the next (whose tails it cuts). Outside the dated
        // range the week repeats; inside, walk day by day (at most ~7.3 million days, reached only
        // by queries spanning millennia).
        let (lo, hi) = (self.date_days.0, self.date_days.1.saturating_add(2));
        let (mid_a, mid_b) = (a.max(lo), b.min(hi));
        if mid_a >= mid_b {
            return self.periodic_days(a, b);
        }
        let mut total = self.periodic_days(a, mid_a) + self.periodic_days(mid_b, b);
        let mut prev_closed = self.is_closed_day(mid_a - 1);
        let mut date = self.date_of(mid_a);
        for d in mid_a..mid_b {
            let closed = date.is_some_and(|dt| self.is_closed_date(dt));
            if !closed {
                let wd = self.weekday(d);
                let cov = if prev_closed {
                    &self.own[wd]
                } else {
                    &self.full[wd]
                };
                total += cov.iter().map(|&(s, e)| i128::from(e - s)).sum::<i128>();
            }
            prev_closed = closed;
            date = date.and_then(|dt| dt.tomorrow().ok());
        }
        total
    }

    /// Open ms over whole local days [a, b), ignoring closed dates.
    fn periodic_days(&self, a: i64, b: i64) -> i128 {
        if a >= b {
            return 0;
        }
        let n = i128::from(b) - i128::from(a);
        let week: i128 = self.full_len.iter().map(|&l| i128::from(l)).sum();
        let mut total = (n / 7) * week;
        for k in 0..(n % 7) as i64 {
            total += i128::from(self.full_len[self.weekday(b - 1 - k)]);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = MS_PER_HOUR;
    const M: i64 = MS_PER_MIN;
    const D: i64 = MS_PER_DAY;

    fn t(ms: i64) -> SimTime {
        SimTime::from_ms(ms)
    }
    fn open(ms: i64) -> OpenState {
        OpenState::Open { until: t(ms) }
    }
    fn closed(ms: i64) -> OpenState {
        OpenState::Closed { until: t(ms) }
    }
    fn date(s: &str) -> Date {
        parse_date(s).unwrap()
    }
    /// 2026-01-05 is a Monday.
    fn monday() -> Date {
        date("2026-01-05")
    }
    fn every_day(hours: &str) -> [Vec<Window>; 7] {
        let w = parse_windows(hours).unwrap();
        std::array::from_fn(|_| w.clone())
    }
    fn by_weekday(hours: [&str; 7]) -> [Vec<Window>; 7] {
        std::array::from_fn(|i| parse_windows(hours[i]).unwrap())
    }
    fn cal(week: [Vec<Window>; 7], closed_dates: &[&str]) -> Calendar {
        let c = closed_dates
            .iter()
            .map(|s| parse_closed_date(s).unwrap())
            .collect();
        Calendar::new(week, c, monday(), SimDuration::ZERO)
    }

    #[test]
    fn season_closes_the_days_outside_it() {
        let s = parse_season("04-15..11-15").unwrap();
        assert!(s.matches(date("2026-04-14")));
        assert!(!s.matches(date("2026-04-15")));
        assert!(!s.matches(date("2026-11-15")));
        assert!(s.matches(date("2026-11-16")));
        let winter = parse_season("11-01..03-31").unwrap();
        assert!(!winter.matches(date("2026-01-10")));
        assert!(winter.matches(date("2026-07-10")));
        for bad in ["04-15", "04-15..13-01", "2026-04-15..2026-11-15", "x..y"] {
            assert!(parse_season(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn always_open_is_open_everywhere_with_no_end() {
        let c = Calendar::always_open();
        assert!(c.is_always_open());
        for x in [i64::MIN, -1, 0, 12 * H, i64::MAX] {
            assert!(c.is_open(t(x)));
            assert_eq!(
                c.state_at(t(x)),
                OpenState::Open {
                    until: SimTime::MAX
                }
            );
        }
        assert_eq!(c.open_duration(t(0), t(3 * D)).as_ms(), 3 * D);
        let parsed = cal(every_day("24/7"), &[]);
        assert!(parsed.is_always_open());
        assert_eq!(
            parsed.state_at(t(5 * H)),
            OpenState::Open {
                until: SimTime::MAX
            }
        );
        // Covering the day in two pieces (over midnight + day) is still 24/7.
        let split = cal(every_day("06:00-20:00,20:00-06:00"), &[]);
        assert!(split.is_always_open());
        assert!(!cal(every_day("24/7"), &["05-01"]).is_always_open());
    }

    #[test]
    fn lunch_break_opens_at_opening_instant_and_closes_at_closing_instant() {
        let c = cal(every_day("08:30-12:00,13:00-17:00"), &[]);
        assert!(!c.is_always_open());
        assert_eq!(c.state_at(t(0)), closed(8 * H + 30 * M));
        assert_eq!(c.state_at(t(8 * H + 30 * M - 1)), closed(8 * H + 30 * M));
        assert_eq!(c.state_at(t(8 * H + 30 * M)), open(12 * H));
        assert_eq!(c.state_at(t(12 * H - 1)), open(12 * H));
        assert_eq!(c.state_at(t(12 * H)), closed(13 * H));
        assert_eq!(c.state_at(t(13 * H)), open(17 * H));
        assert_eq!(c.state_at(t(17 * H)), closed(D + 8 * H + 30 * M));
        assert!(c.is_open(t(8 * H + 30 * M)));
        assert!(!c.is_open(t(12 * H)));
        assert!(!c.is_open(t(17 * H)));
        assert_eq!(c.next_open(t(12 * H + 5 * M)), t(13 * H));
        assert_eq!(c.next_open(t(9 * H)), t(9 * H));
        assert_eq!(c.next_close(t(12 * H + 5 * M)), t(17 * H));
    }

    #[test]
    fn over_midnight_window_runs_into_next_day() {
        let c = cal(every_day("20:00-06:00"), &[]);
        // Day 0 00:00 is the tail of the (unclosed) previous Sunday's window.
        assert_eq!(c.state_at(t(0)), open(6 * H));
        assert_eq!(c.state_at(t(6 * H)), closed(20 * H));
        assert_eq!(c.state_at(t(20 * H)), open(D + 6 * H));
        assert_eq!(c.state_at(t(D)), open(D + 6 * H));

        // Only Friday (day 4): covers Fri 20:00–24:00 and Sat 00:00–06:00.
        let fri = cal(
            by_weekday([
                "closed",
                "closed",
                "closed",
                "closed",
                "20:00-06:00",
                "closed",
                "closed",
            ]),
            &[],
        );
        assert_eq!(fri.state_at(t(0)), closed(4 * D + 20 * H));
        assert_eq!(fri.state_at(t(4 * D + 20 * H)), open(5 * D + 6 * H));
        assert_eq!(fri.state_at(t(5 * D + 5 * H)), open(5 * D + 6 * H));
        assert_eq!(fri.state_at(t(5 * D + 6 * H)), closed(11 * D + 20 * H));
    }

    #[test]
    fn weekend_closed_friday_evening_waits_for_monday_morning() {
        let wd = "08:30-17:00";
        let c = cal(by_weekday([wd, wd, wd, wd, wd, "closed", "closed"]), &[]);
        assert_eq!(
            c.state_at(t(4 * D + 17 * H)),
            closed(7 * D + 8 * H + 30 * M)
        );
        assert_eq!(
            c.state_at(t(5 * D + 12 * H)),
            closed(7 * D + 8 * H + 30 * M)
        );
        assert_eq!(c.state_at(t(7 * D + 8 * H + 30 * M)), open(7 * D + 17 * H));
        assert!(!c.is_open(t(6 * D + 10 * H)));
    }

    #[test]
    fn annual_holiday_closes_the_whole_local_day_every_year() {
        // From Monday 2026-01-05, 2026-05-01 is day 116 and 2027-05-01 is day 481.
        let c = cal(every_day("24/7"), &["05-01"]);
        assert_eq!(c.state_at(t(0)), open(116 * D));
        assert_eq!(c.state_at(t(116 * D)), closed(117 * D));
        assert_eq!(c.state_at(t(117 * D)), open(481 * D));
        assert!(!c.is_open(t(116 * D + 12 * H)));
        assert_eq!(c.open_duration(t(115 * D), t(118 * D)).as_ms(), 2 * D);

        // Over midnight: 04-30's window stops at the holiday; 05-01's window never runs.
        let n = cal(every_day("20:00-06:00"), &["05-01"]);
        assert_eq!(n.state_at(t(115 * D + 20 * H)), open(116 * D));
        assert_eq!(n.state_at(t(116 * D)), closed(117 * D + 20 * H));
        assert!(!n.is_open(t(117 * D + 3 * H)));
        assert_eq!(n.state_at(t(117 * D + 20 * H)), open(118 * D + 6 * H));
    }

    #[test]
    fn specific_closed_date_closes_only_that_day() {
        // 2026-01-07 is day 2.
        let c = cal(every_day("09:00-18:00"), &["2026-01-07"]);
        assert_eq!(c.state_at(t(D + 18 * H)), closed(3 * D + 9 * H));
        assert!(!c.is_open(t(2 * D + 10 * H)));
        // The same date in other years is not closed.
        let other = cal(every_day("09:00-18:00"), &["2025-01-07"]);
        assert!(other.is_open(t(2 * D + 10 * H)));
        assert_eq!(
            parse_closed_date("2026-01-07").unwrap(),
            ClosedDate::On(date("2026-01-07"))
        );
    }

    #[test]
    fn shifted_clock_converts_local_hours_to_sim_time() {
        // Calendar on +08:00, reference +05:00: local 09:00 is sim 06:00.
        let c = Calendar::new(
            every_day("09:00-18:00"),
            Vec::new(),
            monday(),
            SimDuration::from_hours(3),
        );
        assert_eq!(c.state_at(t(5 * H)), closed(6 * H));
        assert_eq!(c.state_at(t(6 * H)), open(15 * H));
        assert_eq!(c.state_at(t(15 * H)), closed(D + 6 * H));
        assert_eq!(c.local_hour(t(0)), 3);
        assert_eq!(c.local_day(t(21 * H - 1)), 0);
        assert_eq!(c.local_day(t(21 * H)), 1);
        assert_eq!(c.local_day_start(1), t(21 * H));
        assert_eq!(c.local_day_start(0), t(-3 * H));

        // Shifted weekdays: with -5h local Monday begins at sim 05:00, so sim 02:00 is Sunday.
        let wd = "00:00-24:00";
        let w = Calendar::new(
            by_weekday([wd, wd, wd, wd, wd, "closed", "closed"]),
            Vec::new(),
            monday(),
            SimDuration::from_hours(-5),
        );
        assert_eq!(w.state_at(t(2 * H)), closed(5 * H));
        assert_eq!(w.local_day(t(2 * H)), -1);
        assert_eq!(w.local_hour(t(2 * H)), 21);
    }

    #[test]
    fn open_duration_counts_exact_open_time() {
        let wd = "08:30-12:00,13:00-17:00"; // 3.5 h + 4 h = 7.5 h
        let c = cal(by_weekday([wd, wd, wd, wd, wd, "closed", "closed"]), &[]);
        let day_ms = 7 * H + 30 * M;
        assert_eq!(c.open_duration(t(0), t(7 * D)).as_ms(), 5 * day_ms);
        assert_eq!(c.open_duration(t(9 * H), t(14 * H)).as_ms(), 3 * H + H);
        assert_eq!(c.open_duration(t(12 * H), t(13 * H)).as_ms(), 0);
        assert_eq!(c.open_duration(t(10 * H), t(10 * H)), SimDuration::ZERO);
        assert_eq!(c.open_duration(t(10 * H), t(9 * H)), SimDuration::ZERO);
        assert_eq!(c.open_duration(t(0), t(364 * D)).as_ms(), 52 * 5 * day_ms);
        assert_eq!(c.open_duration(t(-7 * D), t(0)).as_ms(), 5 * day_ms);
        // Thursday noon to next Tuesday 10:00: Thu 4 h, Fri 7.5 h, Mon 7.5 h, Tue 1.5 h.
        assert_eq!(
            c.open_duration(t(3 * D + 12 * H), t(8 * D + 10 * H))
                .as_ms(),
            4 * H + 2 * day_ms + H + 30 * M
        );
        // Overlapping tail and early window count once.
        let o = cal(every_day("22:00-02:00,01:00-03:00"), &[]);
        assert_eq!(o.open_duration(t(0), t(7 * D)).as_ms(), 7 * 5 * H);
    }

    #[test]
    fn touching_intervals_merge_across_midnight() {
        let c = cal(
            by_weekday([
                "20:00-24:00",
                "00:00-06:00",
                "closed",
                "closed",
                "closed",
                "closed",
                "closed",
            ]),
            &[],
        );
        assert_eq!(c.state_at(t(21 * H)), open(D + 6 * H));
        assert_eq!(c.next_close(t(0)), t(D + 6 * H));
        let t2 = cal(
            by_weekday([
                "20:00-06:00",
                "06:00-08:00",
                "closed",
                "closed",
                "closed",
                "closed",
                "closed",
            ]),
            &[],
        );
        assert_eq!(t2.state_at(t(20 * H)), open(D + 8 * H));
        let overlap = cal(
            by_weekday([
                "22:00-02:00",
                "01:00-03:00",
                "closed",
                "closed",
                "closed",
                "closed",
                "closed",
            ]),
            &[],
        );
        assert_eq!(overlap.state_at(t(23 * H)), open(D + 3 * H));
        // 24/7 on some days runs over several midnights in one interval.
        let a = "24/7";
        let wk = cal(by_weekday([a, a, a, a, a, "closed", "closed"]), &[]);
        assert_eq!(wk.state_at(t(H)), open(5 * D));
        assert_eq!(wk.state_at(t(5 * D)), closed(7 * D));
    }

    #[test]
    fn calendar_that_never_opens_reports_closed_forever() {
        let c = cal(every_day("closed"), &[]);
        assert!(!c.is_always_open());
        assert_eq!(
            c.state_at(t(0)),
            OpenState::Closed {
                until: SimTime::MAX
            }
        );
        assert!(!c.is_open(t(0)));
        assert_eq!(c.open_duration(t(0), t(30 * D)), SimDuration::ZERO);
        assert_eq!(c.next_open(t(0)), SimTime::MAX);
        assert_eq!(c.next_close(t(0)), SimTime::MAX);

        // Open only on Mondays, and every Monday for 1200 days is a closed date.
        let dates: Vec<ClosedDate> = (0..172)
            .map(|w| ClosedDate::On(date_plus_days(monday(), 7 * w).unwrap()))
            .collect();
        let mondays = Calendar::new(
            by_weekday([
                "24/7", "closed", "closed", "closed", "closed", "closed", "closed",
            ]),
            dates,
            monday(),
            SimDuration::ZERO,
        );
        assert_eq!(
            mondays.state_at(t(0)),
            OpenState::Closed {
                until: SimTime::MAX
            }
        );
    }

    #[test]
    fn extreme_instants_and_shifts_do_not_panic() {
        let wd = "20:00-06:00";
        let cals = [
            cal(every_day("24/7"), &["05-01"]),
            cal(
                by_weekday([wd, "24/7", "closed", wd, "08:00-09:00", "closed", "24/7"]),
                &["02-29"],
            ),
            Calendar::new(every_day("09:00-18:00"), vec![], monday(), SimDuration::MAX),
            Calendar::new(
                every_day("24/7"),
                vec![ClosedDate::Annual { month: 1, day: 1 }],
                monday(),
                SimDuration::from_ms(i64::MIN),
            ),
            Calendar::new(
                std::array::from_fn(|_| {
                    vec![
                        Window {
                            start_ms: -5,
                            end_ms: 10,
                        },
                        Window {
                            start_ms: 10,
                            end_ms: i64::MAX,
                        },
                        Window {
                            start_ms: 7,
                            end_ms: 3,
                        },
                    ]
                }),
                vec![],
                Date::MAX,
                SimDuration::ZERO,
            ),
        ];
        for c in &cals {
            for x in [
                i64::MIN,
                i64::MIN + 1,
                -1,
                0,
                1,
                i64::MAX - D,
                i64::MAX - 1,
                i64::MAX,
            ] {
                let _ = c.is_open(t(x));
                let s = c.state_at(t(x));
                let until = match s {
                    OpenState::Open { until } | OpenState::Closed { until } => until,
                };
                assert!(until >= t(x), "{s:?} at {x}");
                let _ = c.local_day(t(x));
                let _ = c.local_hour(t(x));
                let _ = c.next_close(t(x));
                let _ = c.open_duration(t(x), t(x).saturating_add(SimDuration::from_days(10)));
            }
            // Walks every dated day (about 7.3 million) when there are closed dates: slow, not stuck.
            let _ = c.open_duration(t(i64::MIN), SimTime::MAX);
            let _ = c.local_day_start(i64::MAX);
            let _ = c.local_day_start(i64::MIN);
        }
        // Open the full range with a clamped total rather than an overflow.
        assert_eq!(
            Calendar::always_open().open_duration(t(i64::MIN), SimTime::MAX),
            SimDuration::MAX
        );
    }

    #[test]
    fn parse_windows_accepts_the_documented_forms() {
        assert_eq!(
            parse_windows("24/7").unwrap(),
            vec![Window {
                start_ms: 0,
                end_ms: D
            }]
        );
        assert_eq!(parse_windows(" closed ").unwrap(), vec![]);
        assert_eq!(
            parse_windows("13:00-17:00, 08:30-12:00").unwrap(),
            vec![
                Window {
                    start_ms: 8 * H + 30 * M,
                    end_ms: 12 * H
                },
                Window {
                    start_ms: 13 * H,
                    end_ms: 17 * H
                },
            ]
        );
        assert_eq!(
            parse_windows("20:00-06:00").unwrap(),
            vec![Window {
                start_ms: 20 * H,
                end_ms: D + 6 * H
            }]
        );
        assert_eq!(
            parse_windows("18:00-24:00").unwrap(),
            vec![Window {
                start_ms: 18 * H,
                end_ms: D
            }]
        );
        // Touching windows are fine; an over-midnight tail may overlap an early window.
        assert!(parse_windows("08:00-12:00,12:00-13:00").is_ok());
        assert!(parse_windows("22:00-02:00,01:00-03:00").is_ok());
    }

    #[test]
    fn parse_windows_rejects_malformed_text() {
        for bad in [
            "25:00-26:00",
            "9-18",
            "6 minutes?",
            "",
            "   ",
            "10:00-10:00",
            "08:00-12:00,11:00-13:00",
            "20:00-06:00,21:00-22:00",
            "garbage",
            "08:00-12:00,",
            "24:00-02:00",
        ] {
            let e = parse_windows(bad).expect_err(bad);
            assert!(e.0.contains(&format!("\"{bad}\"")), "{bad:?}: {}", e.0);
        }
        let e = parse_windows("08:00-12:00,11:00-13:00").unwrap_err();
        assert!(e.0.contains("overlap"), "{}", e.0);
    }

    #[test]
    fn parse_closed_date_validates_day_of_year() {
        assert_eq!(
            parse_closed_date("05-01").unwrap(),
            ClosedDate::Annual { month: 5, day: 1 }
        );
        assert_eq!(
            parse_closed_date("02-29").unwrap(),
            ClosedDate::Annual { month: 2, day: 29 }
        );
        for bad in [
            "02-30",
            "13-01",
            "00-10",
            "5-1",
            "2026-02-30",
            "",
            "May 1",
            "05-01-",
        ] {
            let e = parse_closed_date(bad).expect_err(bad);
            assert!(e.0.contains(&format!("\"{bad}\"")), "{bad:?}: {}", e.0);
        }
        // 02-29 matches only in leap years: 2028-02-29 is day 785 from 2026-01-05.
        let c = cal(every_day("24/7"), &["02-29"]);
        assert_eq!(c.state_at(t(0)), open(785 * D));
    }

    /// Compares every query against a minute-by-minute scan of `days` days from `from_day`.
    fn brute_force_check(c: &Calendar, from_day: i64, days: i64) {
        let start = from_day * D / M;
        let n = (days * D / M) as usize;
        let opens: Vec<bool> = (0..n)
            .map(|i| c.is_open(t((start + i as i64) * M)))
            .collect();
        // next_flip[i]: first minute index > i whose state differs, if within the scan.
        let mut next_flip = vec![None; n];
        for i in (0..n.saturating_sub(1)).rev() {
            next_flip[i] = if opens[i + 1] != opens[i] {
                Some(i + 1)
            } else {
                next_flip[i + 1]
            };
        }
        let mut cum = 0i64;
        for i in 0..n {
            let now = t((start + i as i64) * M);
            let s = c.state_at(now);
            let (is_open, until) = match s {
                OpenState::Open { until } => (true, until),
                OpenState::Closed { until } => (false, until),
            };
            assert_eq!(is_open, opens[i], "minute {i}: {s:?}");
            if let Some(j) = next_flip[i] {
                assert_eq!(until, t((start + j as i64) * M), "minute {i}: {s:?}");
            } else {
                assert!(until >= t((start + n as i64) * M), "minute {i}: {s:?}");
            }
            // Also a sub-minute instant inside the minute.
            assert_eq!(c.is_open(t(now.as_ms() + 59_999)), is_open);
            if i % 37 == 0 {
                assert_eq!(
                    c.open_duration(t(start * M), now).as_ms(),
                    cum * M,
                    "open_duration to minute {i}"
                );
            }
            cum += i64::from(opens[i]);
        }
    }

    #[test]
    fn brute_force_minute_scan_agrees_with_state_at() {
        let wd = "08:30-12:00,13:00-17:00";
        // 2026-04-28 (Tuesday): 05-01 is local day 3.
        let tue = date("2026-04-28");
        let cals = [
            cal(every_day(wd), &["01-07"]),
            Calendar::new(
                by_weekday([
                    wd,
                    "20:00-06:00",
                    "closed",
                    "22:00-02:00,01:00-03:00",
                    "20:00-06:00",
                    "00:00-24:00",
                    "06:00-07:30",
                ]),
                vec![parse_closed_date("05-01").unwrap()],
                tue,
                SimDuration::from_hours(3),
            ),
            Calendar::new(
                by_weekday([
                    "20:00-24:00",
                    "00:00-06:00,06:00-09:15",
                    "24/7",
                    "24/7",
                    "closed",
                    "23:59-00:01",
                    "12:00-12:01",
                ]),
                vec![parse_closed_date("2026-05-02").unwrap()],
                tue,
                SimDuration::from_mins(-330),
            ),
            cal(every_day("20:00-06:00"), &["2026-01-08", "01-10"]),
            // No closed dates: open_duration takes the whole-week shortcut.
            Calendar::new(
                by_weekday([
                    "09:00-18:00",
                    "closed",
                    "23:00-01:30",
                    "24/7",
                    "closed",
                    "10:00-11:00,20:00-04:00",
                    "closed",
                ]),
                vec![],
                tue,
                SimDuration::from_mins(90),
            ),
        ];
        for c in &cals {
            brute_force_check(c, -1, 10);
            brute_force_check(c, -30, 45);
        }
    }
}
