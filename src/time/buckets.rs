//! Time buckets: the one rule by which every hourly and daily figure — hour-of-day profiles,
//! quota days, lanes and served vehicles per hour or per day in the report — assigns instants
//! and spans of time to hours and days, on any clock.
//!
//! Buckets are half-open, `[start, start + width)`, on a clock `offset` ahead of the reference
//! clock (a stage's `utc_offset` minus the simulation's), exactly like calendar windows:
//! - an **instant** belongs to the bucket that contains it: 09:00 is in hour 09 and
//!   08:59:59.999 in hour 08. A level observed "just before t" (the series' levels) is the
//!   level at t − 1 ms, so it belongs to the bucket of t − 1 ms;
//! - an **amount over a span** `[a, b)` (busy lane-time, vehicles served in a sampling step)
//!   belongs to the buckets the span overlaps, in proportion to the overlap: all of it to one
//!   bucket when the span lies inside it, as every sampling step that divides the hour does.
//!
//! Indices count from the local midnight of the start date: day bucket d is the local date
//! `start_date + d` on every clock, and hour bucket k is hour `k mod 24` of day `k div 24`.

use super::{MS_PER_DAY, MS_PER_HOUR};

/// A partition of time into buckets of one width on one clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buckets {
    width: i64,
    offset: i64,
}

impl Buckets {
    /// Hours on a clock `offset_ms` ahead of the reference clock.
    pub const fn hours(offset_ms: i64) -> Buckets {
        Buckets {
            width: MS_PER_HOUR,
            offset: offset_ms,
        }
    }

    /// Days (local dates) on a clock `offset_ms` ahead of the reference clock.
    pub const fn days(offset_ms: i64) -> Buckets {
        Buckets {
            width: MS_PER_DAY,
            offset: offset_ms,
        }
    }

    /// Index of the bucket holding instant `t` (ms on the reference clock).
    #[inline]
    pub fn of(&self, t: i64) -> i64 {
        // Exact in i64 for every simulated instant; i128 only at the extremes.
        match t.checked_add(self.offset) {
            Some(local) => local.div_euclid(self.width),
            None => {
                (i128::from(t) + i128::from(self.offset)).div_euclid(i128::from(self.width)) as i64
            }
        }
    }

    /// First instant of bucket `k` on the reference clock (saturating at the ends of time).
    pub fn start(&self, k: i64) -> i64 {
        let v = i128::from(k) * i128::from(self.width) - i128::from(self.offset);
        v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// The buckets the span `[a, b)` overlaps, each with the ms of the span inside it, in time
    /// order (nothing for an empty span).
    pub fn split(self, a: i64, b: i64) -> impl Iterator<Item = (i64, i64)> {
        let first = self.of(a);
        let last = if b > a { self.of(b - 1) } else { first - 1 };
        (first..=last).map(move |k| {
            let from = self.start(k).max(a);
            let to = self.start(k.saturating_add(1)).min(b);
            (k, to - from)
        })
    }
}

/// Hour of day (0–23) of hour bucket `k`.
pub fn hour_of_day(k: i64) -> usize {
    k.rem_euclid(24) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = MS_PER_HOUR;
    const MIN: i64 = 60_000;

    #[test]
    fn an_instant_belongs_to_the_bucket_that_contains_it() {
        let utc5 = Buckets::hours(0);
        assert_eq!(utc5.of(9 * H), 9);
        assert_eq!(utc5.of(9 * H - 1), 8);
        assert_eq!(hour_of_day(utc5.of(33 * H)), 9);
        assert_eq!(utc5.of(-1), -1);
        // A clock 3 h ahead (UTC+08:00 against a UTC+05:00 reference): reference 05:00 is local
        // 08:00, so the instant just before is local hour 07 and reference 06:00 is hour 09.
        let utc8 = Buckets::hours(3 * H);
        assert_eq!(utc8.of(5 * H), 8);
        assert_eq!(utc8.of(5 * H - 1), 7);
        assert_eq!(hour_of_day(utc8.of(22 * H)), 1);
        // Days: local midnight of UTC+08:00 is reference 21:00 of the day before.
        let days8 = Buckets::days(3 * H);
        assert_eq!(days8.of(21 * H - 1), 0);
        assert_eq!(days8.of(21 * H), 1);
        assert_eq!(days8.start(1), 21 * H);
        assert_eq!(days8.start(0), -3 * H);
        // A clock behind the reference.
        assert_eq!(Buckets::days(-2 * H).of(H), -1);
    }

    #[test]
    fn a_span_is_split_by_its_overlap() {
        let utc5 = Buckets::hours(0);
        // A sampling step 08:00–09:00 lies in hour 08 only.
        assert_eq!(utc5.split(8 * H, 9 * H).collect::<Vec<_>>(), [(8, H)]);
        // 08:40–10:10: 20 min in 08, a whole 09, 10 min in 10.
        assert_eq!(
            utc5.split(8 * H + 40 * MIN, 10 * H + 10 * MIN)
                .collect::<Vec<_>>(),
            [(8, 20 * MIN), (9, H), (10, 10 * MIN)]
        );
        assert_eq!(utc5.split(5 * H, 5 * H).count(), 0);
        // On UTC+08:00 against UTC+05:00 the step reference 05:00–06:00 is local hour 08, and
        // the step 04:30–05:30 is half in 07, half in 08.
        let utc8 = Buckets::hours(3 * H);
        assert_eq!(utc8.split(5 * H, 6 * H).collect::<Vec<_>>(), [(8, H)]);
        assert_eq!(
            utc8.split(4 * H + 30 * MIN, 5 * H + 30 * MIN)
                .collect::<Vec<_>>(),
            [(7, 30 * MIN), (8, 30 * MIN)]
        );
    }

    #[test]
    fn extremes_do_not_overflow() {
        let b = Buckets::days(3 * H);
        assert_eq!(
            b.of(i64::MAX),
            ((i64::MAX as i128 + 3 * H as i128) / MS_PER_DAY as i128) as i64
        );
        assert_eq!(b.start(i64::MAX), i64::MAX);
        assert_eq!(b.start(i64::MIN), i64::MIN);
    }
}
