//! Open time of a [`Calendar`] over an interval: exact, whole weeks at a time where no closed
//! date can interfere.

use super::hours::{Calendar, DAY};
use crate::time::{MS_PER_DAY, SimDuration, SimTime};

impl Calendar {
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
    use crate::calendar::test_util::*;
    use crate::calendar::{OpenState, parse_closed_date};

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
