//! The [`Calendar`] type: open intervals per weekday and closed days, whether it is open at an
//! instant and until when, and its local clock (local day and hour of an instant).

use super::parse::{ClosedDate, Window};
use crate::time::{Buckets, Date, MS_PER_DAY, SimDuration, SimTime, date_plus_days, hour_of_day};

/// How many local days ahead a state search looks before answering "never" (about three years).
pub const SEARCH_DAYS: i64 = 1100;

/// Largest day count `time::date_plus_days` can take without jiff's `Span::days` panicking.
const MAX_SPAN_DAYS: i64 = 7_304_484;

/// One day in ms, as `i128` for arithmetic on local instants.
pub(super) const DAY: i128 = MS_PER_DAY as i128;

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
    pub(super) always: bool,
    any_open: bool,
    shift_ms: i64,
    start_date: Date,
    start_weekday: i64,
    /// Per weekday: sorted, disjoint, non-touching `[start, end)` within `[0, 24h]` covered by
    /// that day's own windows (used when the previous day is a closed date).
    pub(super) own: [Vec<(i64, i64)>; 7],
    /// As `own`, plus the tails of the previous weekday's over-midnight windows.
    pub(super) full: [Vec<(i64, i64)>; 7],
    /// Open ms of each weekday under `full`.
    pub(super) full_len: [i64; 7],
    pub(super) closed: Vec<ClosedDate>,
    /// Local days on which a date exists (outside, nothing can be a closed date).
    pub(super) date_days: (i64, i64),
    /// Closed before this instant (a crossing that opens on a date); the earliest instant if
    /// open from the start.
    pub(super) opens: SimTime,
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

    /// `week[0]` = Monday .. `week[6]` = Sunday windows (each as from [`parse_windows`](super::parse_windows)), closed dates, start date of sim day 0, `shift` = local clock minus reference clock.
    ///
    /// Windows not produced by [`parse_windows`](super::parse_windows) are made safe rather than rejected: a window
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

    /// The calendar's clock minus the reference clock (its local instant of `t` is `t + shift`).
    pub fn shift(&self) -> SimDuration {
        SimDuration::from_ms(self.shift_ms)
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

    /// The local days of this calendar's clock, by the one bucketing rule ([`Buckets`]).
    pub fn days(&self) -> Buckets {
        Buckets::days(self.shift_ms)
    }

    /// Index of the local calendar day containing t (used to count daily quotas per local day):
    /// local day d is the date `start_date + d` on this clock.
    #[inline]
    pub fn local_day(&self, t: SimTime) -> i64 {
        // Called on every quota check: exact i64 arithmetic except at the extremes of time.
        self.days().of(t.as_ms())
    }

    /// The first instant of local day `day` in sim time (start of the next quota day = local_day_start(local_day(t)+1)).
    pub fn local_day_start(&self, day: i64) -> SimTime {
        SimTime::from_ms(self.days().start(day))
    }

    /// Local hour of day 0..24 of t.
    pub fn local_hour(&self, t: SimTime) -> usize {
        hour_of_day(Buckets::hours(self.shift_ms).of(t.as_ms()))
    }

    /// The local instant of `t` in ms since local midnight of the start date.
    pub(super) fn local(&self, t: SimTime) -> i128 {
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

    pub(super) fn weekday(&self, day: i64) -> usize {
        ((self.start_weekday + day.rem_euclid(7)) % 7) as usize
    }

    /// The date of local day `day`, if it exists.
    pub(super) fn date_of(&self, day: i64) -> Option<Date> {
        // date_plus_days panics (via jiff's Span::days) on huge counts, so stay in range.
        if (self.date_days.0..=self.date_days.1).contains(&day) {
            date_plus_days(self.start_date, day)
        } else {
            None
        }
    }

    pub(super) fn is_closed_date(&self, date: Date) -> bool {
        self.closed.iter().any(|c| c.matches(date))
    }

    pub(super) fn is_closed_day(&self, day: i64) -> bool {
        !self.closed.is_empty() && self.date_of(day).is_some_and(|d| self.is_closed_date(d))
    }

    /// Open intervals of local day `day`, in ms after its midnight.
    pub(super) fn coverage(&self, day: i64) -> &[(i64, i64)] {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_closed_date;
    use crate::calendar::test_util::*;

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
    fn annual_02_29_closes_only_in_leap_years() {
        // 02-29 matches only in leap years: 2028-02-29 is day 785 from 2026-01-05.
        let c = cal(every_day("24/7"), &["02-29"]);
        assert_eq!(c.state_at(t(0)), open(785 * D));
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
}
