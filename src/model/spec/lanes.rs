//! How many servers a stage has over the day: a fixed count, or a daily schedule on the stage's
//! clock (`lanes = { "08:00-20:00" = 10, "20:00-08:00" = 4 }`) that repeats every local day.
//!
//! A schedule is piecewise constant. Time no window covers has no lanes: the stage starts no
//! service then, as if closed. The stage's calendar (`hours`) applies on top: the servers *open*
//! at an instant are the scheduled count while the calendar is open, and none while it is closed.

use crate::calendar::Calendar;
use crate::time::{MS_PER_DAY, SimDuration, SimTime};

/// Servers of a stage over the day, before dated changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LaneProfile {
    /// The same count all day.
    Fixed(u32),
    /// A daily schedule on the stage's clock.
    Daily(DailyLanes),
}

/// A daily lane schedule: piecewise-constant counts over the local day, repeated every day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyLanes {
    // The stage clock minus the reference clock [ms].
    shift_ms: i64,
    // (ms after local midnight, lanes from then on): sorted, the first at 0, neighbours differ.
    steps: Vec<(i64, u32)>,
}

impl DailyLanes {
    /// A schedule from windows `(start, end, lanes)` in ms after local midnight (`end` past 24 h
    /// for a window over midnight, as [`parse_windows`](crate::calendar::parse_windows) gives
    /// them), on a clock `shift` ahead of the reference clock. Time no window covers has 0 lanes;
    /// where windows overlap (the scenario checks forbid it) the larger count holds.
    pub fn new(windows: &[(i64, i64, u32)], shift: SimDuration) -> DailyLanes {
        let covers = |&(s, e, _): &(i64, i64, u32), x: i64| {
            (s <= x && x < e.min(MS_PER_DAY)) || (e > MS_PER_DAY && x < e - MS_PER_DAY)
        };
        let mut cuts: Vec<i64> = vec![0];
        for &(s, e, _) in windows {
            cuts.push(s.rem_euclid(MS_PER_DAY));
            cuts.push(e.rem_euclid(MS_PER_DAY));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut steps: Vec<(i64, u32)> = Vec::with_capacity(cuts.len());
        for x in cuts {
            let n = windows
                .iter()
                .filter(|w| covers(w, x))
                .map(|w| w.2)
                .max()
                .unwrap_or(0);
            if steps.last().is_none_or(|&(_, last)| last != n) {
                steps.push((x, n));
            }
        }
        DailyLanes {
            shift_ms: shift.as_ms(),
            steps,
        }
    }

    /// Local ms after midnight of `t` and the local instant itself.
    fn local(&self, t: SimTime) -> (i64, i128) {
        let local = i128::from(t.as_ms()) + i128::from(self.shift_ms);
        (local.rem_euclid(i128::from(MS_PER_DAY)) as i64, local)
    }

    /// Lanes scheduled at local ms-of-day `ms`.
    fn at_ms(&self, ms: i64) -> u32 {
        let i = self.steps.partition_point(|&(s, _)| s <= ms);
        self.steps[i.saturating_sub(1)].1
    }

    /// Lanes scheduled at `t`.
    pub fn at(&self, t: SimTime) -> u32 {
        self.at_ms(self.local(t).0)
    }

    /// The first instant after `t` at which the scheduled count changes (`None` if it never
    /// does: the same count all day).
    pub fn next_step(&self, t: SimTime) -> Option<SimTime> {
        if self.steps.len() < 2 {
            return None;
        }
        let (ms, local) = self.local(t);
        let now = self.at_ms(ms);
        // The boundaries after `ms` today, then tomorrow's; midnight is one only if the count
        // changes there (it is always listed as a step).
        let i = self.steps.partition_point(|&(s, _)| s <= ms);
        let later = self.steps[i..]
            .iter()
            .copied()
            .chain(self.steps.iter().map(|&(s, n)| (s + MS_PER_DAY, n)));
        let (at_ms, _) = later.into_iter().find(|&(_, n)| n != now)?;
        let at = local + i128::from(at_ms - ms) - i128::from(self.shift_ms);
        Some(SimTime::from_ms(at.clamp(0, i128::from(i64::MAX)) as i64))
    }

    /// The largest scheduled count.
    pub fn max(&self) -> u32 {
        self.steps.iter().map(|&(_, n)| n).max().unwrap_or(0)
    }

    /// Scheduled lane-time of one whole day [lane-ms].
    pub fn lane_ms_per_day(&self) -> i64 {
        let ends = self
            .steps
            .iter()
            .skip(1)
            .map(|&(s, _)| s)
            .chain([MS_PER_DAY]);
        self.steps
            .iter()
            .zip(ends)
            .map(|(&(s, n), e)| (e - s) * n as i64)
            .sum()
    }

    /// The steps as (local ms after midnight, lanes from then on), the first at 0.
    pub fn steps(&self) -> &[(i64, u32)] {
        &self.steps
    }

    /// The schedule in words on the stage's clock: "08:00-20:00 10, 20:00-08:00 4" (hours
    /// without lanes left out; a count over midnight is one window).
    pub fn describe(&self) -> String {
        let hhmm = |ms: i64| {
            let ms = ms.rem_euclid(MS_PER_DAY);
            format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60)
        };
        let n = self.steps.len();
        let wraps = n > 1 && self.steps[n - 1].1 == self.steps[0].1;
        let mut parts = Vec::new();
        for (i, &(s, lanes)) in self.steps.iter().enumerate() {
            if lanes == 0 || (wraps && i == 0) {
                continue;
            }
            let end = match self.steps.get(i + 1) {
                Some(&(e, _)) => e,
                None if wraps => self.steps.get(1).map_or(MS_PER_DAY, |&(e, _)| e),
                None => MS_PER_DAY,
            };
            parts.push(format!("{}-{} {lanes}", hhmm(s), hhmm(end)));
        }
        if n == 1 {
            return format!("00:00-24:00 {}", self.steps[0].1);
        }
        parts.join(", ")
    }
}

impl LaneProfile {
    /// Lanes at `t` (scheduled, whether or not the calendar is open).
    #[inline]
    pub fn at(&self, t: SimTime) -> u32 {
        match self {
            LaneProfile::Fixed(n) => *n,
            LaneProfile::Daily(d) => d.at(t),
        }
    }

    /// The largest count of the profile.
    pub fn max(&self) -> u32 {
        match self {
            LaneProfile::Fixed(n) => *n,
            LaneProfile::Daily(d) => d.max(),
        }
    }

    /// True for a fixed count.
    pub fn is_fixed(&self) -> bool {
        matches!(self, LaneProfile::Fixed(_))
    }

    /// The first instant after `t` at which the count changes (`None` if it never does).
    pub fn next_step(&self, t: SimTime) -> Option<SimTime> {
        match self {
            LaneProfile::Fixed(_) => None,
            LaneProfile::Daily(d) => d.next_step(t),
        }
    }

    /// Open lane-time in [from, to) under `calendar` [lane-ms]: the scheduled count times the
    /// calendar's open time, piece by piece.
    pub fn open_lane_ms(&self, calendar: &Calendar, from: SimTime, to: SimTime) -> i128 {
        let mut total = 0i128;
        let mut t = from;
        while t < to {
            let next = self.next_step(t).map_or(to, |n| n.min(to));
            let n = self.at(t);
            if n > 0 {
                total += calendar.open_duration(t, next).as_ms() as i128 * n as i128;
            }
            t = next;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_windows;
    use crate::time::{Date, MS_PER_HOUR};

    const H: i64 = MS_PER_HOUR;

    fn at_h(h: i64) -> SimTime {
        SimTime::from_ms(h * H)
    }

    /// 10 lanes 08:00-20:00, 4 lanes 20:00-08:00, on a clock `shift_h` ahead.
    fn day_night(shift_h: i64) -> DailyLanes {
        DailyLanes::new(
            &[(8 * H, 20 * H, 10), (20 * H, 32 * H, 4)],
            SimDuration::from_ms(shift_h * H),
        )
    }

    #[test]
    fn a_day_and_night_schedule_steps_at_its_window_edges() {
        let d = day_night(0);
        assert_eq!(d.steps(), [(0, 4), (8 * H, 10), (20 * H, 4)]);
        assert_eq!((d.at(at_h(0)), d.at(at_h(7)), d.at(at_h(8))), (4, 4, 10));
        assert_eq!((d.at(at_h(19)), d.at(at_h(20)), d.at(at_h(31))), (10, 4, 4));
        // Midnight is no step: the count is 4 on both sides.
        assert_eq!(d.next_step(at_h(21)), Some(at_h(32)));
        assert_eq!(d.next_step(at_h(8)), Some(at_h(20)));
        assert_eq!(d.next_step(SimTime::from_ms(8 * H - 1)), Some(at_h(8)));
        assert_eq!(d.max(), 10);
        assert_eq!(d.describe(), "08:00-20:00 10, 20:00-08:00 4");
        // 10 × 12 h + 4 × 12 h = 168 lane-hours a day.
        assert_eq!(d.lane_ms_per_day(), 168 * H);
    }

    #[test]
    fn a_schedule_keeps_the_stage_clock() {
        // The stage clock is 3 h ahead: its 08:00 is 05:00 on the reference clock.
        let d = day_night(3);
        assert_eq!((d.at(SimTime::from_ms(5 * H - 1)), d.at(at_h(5))), (4, 10));
        assert_eq!(d.next_step(at_h(5)), Some(at_h(17)));
        // A clock behind: its 20:00 is the reference's 01:00 the next day.
        let d = day_night(-5);
        assert_eq!(d.at(at_h(0)), 10);
        assert_eq!(d.next_step(at_h(0)), Some(at_h(1)));
    }

    #[test]
    fn uncovered_hours_have_no_lanes_and_one_count_all_day_never_steps() {
        let d = DailyLanes::new(&[(9 * H, 17 * H, 2)], SimDuration::ZERO);
        assert_eq!((d.at(at_h(8)), d.at(at_h(9)), d.at(at_h(17))), (0, 2, 0));
        assert_eq!(d.lane_ms_per_day(), 16 * H);
        assert_eq!(d.describe(), "09:00-17:00 2");
        let all = DailyLanes::new(&[(0, 12 * H, 3), (12 * H, 24 * H, 3)], SimDuration::ZERO);
        assert_eq!(all.steps(), [(0, 3)]);
        assert_eq!(all.next_step(at_h(5)), None);
    }

    #[test]
    fn open_lane_time_is_the_schedule_times_the_calendar() {
        let p = LaneProfile::Daily(day_night(0));
        let always = Calendar::always_open();
        // Two days round the clock: 2 × 168 lane-hours.
        assert_eq!(p.open_lane_ms(&always, at_h(0), at_h(48)), 336 * H as i128);
        // From 06:00 to 10:00: 2 h × 4 + 2 h × 10.
        assert_eq!(p.open_lane_ms(&always, at_h(6), at_h(10)), 28 * H as i128);
        // Hours 06:00-09:00 and 19:00-22:00 every day: 2×4 + 1×10 + 1×10 + 2×4 = 36 per day.
        let week = std::array::from_fn(|_| parse_windows("06:00-09:00,19:00-22:00").unwrap());
        let cal = Calendar::new(
            week,
            Vec::new(),
            Date::constant(2026, 1, 5),
            SimDuration::ZERO,
        );
        assert_eq!(p.open_lane_ms(&cal, at_h(0), at_h(72)), 3 * 36 * H as i128);
        assert_eq!(
            LaneProfile::Fixed(3).open_lane_ms(&cal, at_h(0), at_h(24)),
            18 * H as i128
        );
    }
}
