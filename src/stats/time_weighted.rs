//! Exact time average of an integer level (queue length, busy servers) on an integer clock.

/// Time-weighted average of an integer level (queue length, busy servers) over time, exact integer
/// arithmetic.
///
/// Times are the caller's integer clock and must be non-decreasing. The area is not integrated
/// segment by segment: with `L0` the level at the start `t0` and `d_k` the changes at `t_k`,
///
/// ```text
/// area(T) = L0·(T − t0) + Σ d_k·(T − t_k) = L(T)·T − (L0·t0 + Σ d_k·t_k)
/// ```
///
/// so a change only adds `d·t` to one `i128` (for the usual ±1 an add or subtract, no multiply and
/// no branch) and the area is exact for any realistic horizon.
#[derive(Clone, Debug)]
pub struct TimeWeighted {
    start: i64,
    level: i64,
    // L0·t0 + Σ d_k·t_k since the start.
    weighted: i128,
    // The latest change, to check that time never goes backwards (debug builds).
    #[cfg(debug_assertions)]
    last: i64,
}

impl TimeWeighted {
    /// Level 0 from `t0`.
    pub fn new(t0: i64) -> Self {
        TimeWeighted {
            start: t0,
            level: 0,
            weighted: 0,
            #[cfg(debug_assertions)]
            last: t0,
        }
    }

    #[inline]
    fn check_time(&mut self, t: i64) {
        #[cfg(debug_assertions)]
        {
            assert!(t >= self.last, "time went backwards: {t} < {}", self.last);
            self.last = t;
        }
        let _ = t;
    }

    /// Sets the level to `level` at time `t` (`t` must not precede the previous change).
    #[inline]
    pub fn set(&mut self, t: i64, level: i64) {
        self.add(t, level - self.level);
    }

    /// Changes the level by `delta` at time `t` (`t` must not precede the previous change).
    #[inline]
    pub fn add(&mut self, t: i64, delta: i64) {
        self.check_time(t);
        self.weighted += i128::from(delta) * i128::from(t);
        self.level += delta;
    }

    /// Current level.
    pub fn level(&self) -> i64 {
        self.level
    }

    /// Start of the averaging window (construction or last reset time).
    pub fn start(&self) -> i64 {
        self.start
    }

    /// Forgets history before `t` (warm-up deletion): area 0, window starts at `t`.
    pub fn reset(&mut self, t: i64) {
        self.check_time(t);
        self.start = t;
        self.weighted = i128::from(self.level) * i128::from(t);
    }

    /// Integral of the level over [start, `t_end`], the current level extending to `t_end`
    /// (`t_end` at or after the last change).
    pub fn area(&self, t_end: i64) -> i128 {
        i128::from(self.level) * i128::from(t_end) - self.weighted
    }

    /// Time average over [start, `t_end`], the current level extending to `t_end`; 0 if zero-length.
    pub fn mean(&self, t_end: i64) -> f64 {
        let len = i128::from(t_end) - i128::from(self.start);
        if len <= 0 {
            0.0
        } else {
            self.area(t_end) as f64 / len as f64
        }
    }
}

/// A [`TimeWeighted`] level that also keeps its maximum (queues): the highest level held for a
/// positive time. A level passed through within one instant — a vehicle that joins a queue and
/// starts service at the same instant — is no maximum. The levels whose maximum nobody reads
/// (busy servers, vehicles inside) stay plain [`TimeWeighted`]: the check costs on every change.
#[derive(Clone, Debug)]
pub struct PeakLevel {
    tw: TimeWeighted,
    // Highest level held for a positive time before `at`.
    max: i64,
    // The time of the latest change.
    at: i64,
}

impl PeakLevel {
    /// Level 0 from `t0`.
    pub fn new(t0: i64) -> Self {
        PeakLevel {
            tw: TimeWeighted::new(t0),
            max: 0,
            at: t0,
        }
    }

    /// Changes the level by `delta` at time `t` (`t` must not precede the previous change).
    #[inline]
    pub fn add(&mut self, t: i64, delta: i64) {
        // The level before this change was held on [at, t): it counts only if that is a
        // positive time. Branch-free: the queue changes on most events.
        let held = if t > self.at { self.tw.level } else { i64::MIN };
        self.max = self.max.max(held);
        self.at = t;
        self.tw.add(t, delta);
    }

    /// Sets the level to `level` at time `t`.
    #[inline]
    pub fn set(&mut self, t: i64, level: i64) {
        self.add(t, level - self.tw.level);
    }

    /// Current level.
    pub fn level(&self) -> i64 {
        self.tw.level
    }

    /// Highest level held for a positive time since construction or the last
    /// [`reset`](Self::reset), the current level included (it holds until it next changes).
    pub fn max(&self) -> i64 {
        self.max.max(self.tw.level)
    }

    /// Start of the averaging window.
    pub fn start(&self) -> i64 {
        self.tw.start
    }

    /// Forgets history before `t` (warm-up deletion); the maximum restarts from the current level.
    pub fn reset(&mut self, t: i64) {
        self.tw.reset(t);
        self.max = i64::MIN;
        self.at = t;
    }

    /// See [`TimeWeighted::area`].
    pub fn area(&self, t_end: i64) -> i128 {
        self.tw.area(t_end)
    }

    /// See [`TimeWeighted::mean`].
    pub fn mean(&self, t_end: i64) -> f64 {
        self.tw.mean(t_end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_weighted_step_function_mean() {
        // 0 on [0,10), 2 on [10,15), 1 on [15,20): area 0 + 10 + 5 = 15 over 20.
        let mut tw = PeakLevel::new(0);
        tw.set(10, 2);
        tw.add(15, -1);
        assert_eq!(tw.level(), 1);
        assert_eq!(tw.area(20), 15);
        assert_eq!(tw.mean(20), 0.75);
        assert_eq!(tw.max(), 2);
        // Querying does not change state.
        assert_eq!(tw.mean(20), 0.75);
        assert_eq!(tw.area(30), 25);
    }

    #[test]
    fn time_weighted_zero_length_mean_is_zero() {
        let mut tw = TimeWeighted::new(100);
        tw.set(100, 5);
        assert_eq!(tw.mean(100), 0.0);
        assert_eq!(tw.area(100), 0);
        assert_eq!(tw.mean(110), 5.0);
    }

    #[test]
    fn time_weighted_reset_drops_warmup() {
        let mut tw = PeakLevel::new(0);
        tw.set(0, 10); // large warm-up transient
        tw.set(50, 3);
        tw.reset(60);
        assert_eq!((tw.start(), tw.level(), tw.max()), (60, 3, 3));
        assert_eq!(tw.area(60), 0);
        tw.add(70, 1); // 3 on [60,70), 4 on [70,80)
        assert_eq!(tw.area(80), 70);
        assert_eq!(tw.mean(80), 3.5);
        assert_eq!(tw.max(), 4);
    }

    #[test]
    fn time_weighted_max_tracks_peak_since_reset() {
        let mut tw = PeakLevel::new(-5);
        for (t, d) in [(0, 1), (1, 1), (2, 1), (3, -2), (4, -1)] {
            tw.add(t, d);
        }
        assert_eq!((tw.level(), tw.max()), (0, 3));
        tw.reset(4);
        assert_eq!(tw.max(), 0);
        tw.add(6, 2);
        assert_eq!(tw.max(), 2);
    }

    #[test]
    fn a_level_passed_through_within_one_instant_is_no_maximum() {
        let mut tw = PeakLevel::new(0);
        // Joins and leaves at t = 10: the queue never held 1 for any time.
        tw.add(10, 1);
        tw.add(10, -1);
        assert_eq!(tw.max(), 0);
        // 2 at t = 20 for 5 ms, then 3 and back to 1 at t = 25.
        tw.add(20, 2);
        tw.add(25, 1);
        tw.add(25, -2);
        assert_eq!(tw.max(), 2);
        // The current level counts: it holds until it next changes.
        tw.add(30, 4);
        assert_eq!((tw.level(), tw.max()), (5, 5));
        tw.reset(40);
        tw.add(40, -5);
        assert_eq!(tw.max(), 0);
        assert_eq!(tw.area(50), 0);
    }

    #[test]
    fn time_weighted_handles_millisecond_years_without_overflow() {
        let year_ms: i64 = 365 * 86_400_000;
        let mut tw = TimeWeighted::new(0);
        tw.set(0, i64::from(i32::MAX));
        assert_eq!(
            tw.area(100 * year_ms),
            i128::from(i32::MAX) * i128::from(100 * year_ms)
        );
        assert_eq!(tw.mean(100 * year_ms), f64::from(i32::MAX));
    }
}
