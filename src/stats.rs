//! Streaming statistics: the reusable kernel that turns a run into numbers.
//!
//! Everything here works on plain integers and floats in the caller's units (the simulator passes
//! milliseconds as integers) and knows nothing of what is being measured. Memory is fixed at
//! construction and independent of the number of samples, so statistics can stream through runs of
//! any length. The `record`/`add`/`set` methods are on the simulator's hot path: they do not
//! allocate (except the rare, amortised growth of a [`Histogram`] past 2^32) and do no
//! transcendental maths.
//!
//! - [`Welford`]: running mean, variance, min and max of `f64` samples, mergeable.
//! - [`Histogram`]: exact count/sum/mean/min/max plus quantiles within 1% of non-negative integers.
//! - [`TimeWeighted`]: exact time average of an integer level (queue length, busy servers).
//! - [`HourProfile`]: mean of a quantity by hour of day.
//! - [`Estimate`] and [`t_critical_95`]: across-replication mean with a 95% Student-t half-width.

use std::sync::OnceLock;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Welford running mean/variance plus min/max of f64 samples.
///
/// Numerically stable for samples with a large common offset. Non-finite samples propagate into the
/// results (they are not filtered here; [`Estimate::from_samples`] does filter).
#[derive(Clone, Debug, Default)]
pub struct Welford {
    count: u64,
    mean: f64,
    /// Sum of squared deviations from the running mean.
    m2: f64,
    min: f64,
    max: f64,
}

impl Welford {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        if self.count == 1 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Number of samples added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Mean of the samples; 0 if empty.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample variance (divisor n-1); 0 if fewer than two samples.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            // Rounding can leave m2 a hair below zero for constant samples.
            (self.m2 / (self.count - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation (divisor n-1); 0 if fewer than two samples.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Smallest sample; 0 if empty.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest sample; 0 if empty.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Combines `other` into `self` as if its samples had been added here (Chan et al.).
    pub fn merge(&mut self, other: &Welford) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * nb / n;
        self.m2 += other.m2 + delta * delta * na * nb / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

/// Streaming histogram of non-negative integer samples (e.g. waits in ms): exact count, sum, mean,
/// min and max, and quantiles with relative error <= 1% (in fact <= 0.4%).
///
/// Backed by a log-linear histogram in the manner of HdrHistogram: values below 256 are held
/// exactly, larger ones in buckets no wider than 1/128 of their value. Memory is independent of
/// the number of samples (30 KB for values below 2^36, growing by 1 KB per doubling beyond).
/// Hand-written rather than the `hdrhistogram` crate because it is recorded several times per
/// simulated vehicle: the P1 benchmark measured the crate's `record` at 12% of all instructions.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

/// Sub-buckets per power of two: a bucket spans at most 1/128 of its values, so the bucket
/// midpoint is within 0.4% of any sample in it.
const SUB_BITS: u32 = 7;
const SUB: usize = 1 << SUB_BITS;
/// Buckets allocated up front: values below 2^36 (about two years in ms).
const PRESIZED_BUCKETS: usize = (36 - SUB_BITS as usize) * SUB + 2 * SUB;

/// Bucket of `v`: exact below 2·SUB, then SUB buckets per power of two (log-linear, as in
/// HdrHistogram). This runs several times per simulated vehicle, so it has no branch: below 2·SUB,
/// `v | (2·SUB − 1)` has its top bit at SUB_BITS and the formula reduces to `v` itself (waits of
/// zero and of seconds are mixed at random, and a branch on them was mispredicted).
#[inline(always)]
fn bucket(v: u64) -> usize {
    let e = 63 - (v | (2 * SUB as u64 - 1)).leading_zeros();
    (e - SUB_BITS) as usize * SUB + (v >> (e - SUB_BITS)) as usize
}

/// Smallest and largest value of bucket `i`.
fn bucket_bounds(i: usize) -> (u64, u64) {
    if i < 2 * SUB {
        (i as u64, i as u64)
    } else {
        let e = (i / SUB) as u32 + SUB_BITS - 1;
        let m = (i - (e - SUB_BITS) as usize * SUB) as u64;
        let shift = e - SUB_BITS;
        let low = m << shift;
        (low, low + ((1u64 << shift) - 1))
    }
}

impl Histogram {
    /// An empty distribution, pre-sized for values below 2^36.
    pub fn new() -> Self {
        Histogram {
            counts: vec![0; PRESIZED_BUCKETS],
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Records one sample.
    #[inline]
    pub fn record(&mut self, v: u64) {
        let i = bucket(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.count += 1;
        self.sum += u128::from(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Number of samples recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// True if no sample has been recorded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exact sum of the samples.
    pub fn sum(&self) -> u128 {
        self.sum
    }

    /// Exact mean (sum / count); 0 if empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// Exact largest sample; 0 if empty.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Exact smallest sample; 0 if empty.
    pub fn min(&self) -> u64 {
        if self.count == 0 { 0 } else { self.min }
    }

    /// The `q`-quantile (nearest rank: the smallest sample with at least `q·count` samples at or
    /// below it), within 0.4% relative error; 0 if empty.
    ///
    /// `q <= 0` (or NaN) returns the exact min, `q >= 1` the exact max. In between, the middle of
    /// the histogram bucket holding that rank is returned, clamped to [min, max].
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        if q.is_nan() || q <= 0.0 {
            return self.min as f64;
        }
        if q >= 1.0 {
            return self.max as f64;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (low, high) = bucket_bounds(i);
                let mid = (low as f64 + high as f64) / 2.0;
                return mid.clamp(self.min as f64, self.max as f64);
            }
        }
        self.max as f64
    }

    /// Combines `other` into `self` as if its samples had been recorded here.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The samples recorded after `earlier`, a snapshot of this same distribution (yearly
    /// statistics from cumulative ones). Count, sum, mean and quantiles are exact as usual; min
    /// and max are known only to their histogram buckets (within 0.4%) unless the difference
    /// holds all samples.
    pub fn since(&self, earlier: &Histogram) -> Histogram {
        if earlier.count == 0 {
            return self.clone();
        }
        let mut counts = self.counts.clone();
        for (a, b) in counts.iter_mut().zip(&earlier.counts) {
            *a -= b;
        }
        let first = counts.iter().position(|&c| c > 0);
        let last = counts.iter().rposition(|&c| c > 0);
        let (min, max) = match (first, last) {
            (Some(f), Some(l)) => (
                bucket_bounds(f).0.max(self.min),
                bucket_bounds(l).1.min(self.max),
            ),
            _ => (u64::MAX, 0),
        };
        Histogram {
            counts,
            count: self.count - earlier.count,
            sum: self.sum - earlier.sum,
            min,
            max,
        }
    }

    /// Approximate number of samples greater than `threshold` (e.g. for P(wait > t)).
    ///
    /// Exact when `threshold` is below the min, at/above the max, or below 256. Otherwise the
    /// samples sharing `threshold`'s histogram bucket (values within 1/128 of it) are split in
    /// proportion to the part of the bucket above `threshold`.
    pub fn count_above(&self, threshold: u64) -> u64 {
        if self.count == 0 || threshold >= self.max {
            return 0;
        }
        if threshold < self.min {
            return self.count;
        }
        let i = bucket(threshold);
        let through_bucket: u64 = self.counts.iter().take(i + 1).sum();
        // Samples sharing threshold's bucket are split by assuming them uniform over the bucket.
        let in_bucket = self.counts.get(i).copied().unwrap_or(0);
        let (low, high) = bucket_bounds(i);
        let width = high - low + 1;
        let above_in_bucket = high - threshold;
        let share = (in_bucket as f64 * above_in_bucket as f64 / width as f64).round() as u64;
        // The max sample is known exactly and lies above threshold.
        (self.count.saturating_sub(through_bucket) + share).max(1)
    }

    /// Forgets all samples, keeping the allocated buckets.
    pub fn reset(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.count = 0;
        self.sum = 0;
        self.min = u64::MAX;
        self.max = 0;
    }
}

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
    max: i64,
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
            max: 0,
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
        self.max = self.max.max(self.level);
    }

    /// Current level.
    pub fn level(&self) -> i64 {
        self.level
    }

    /// Highest level since construction or the last [`reset`](Self::reset).
    pub fn max(&self) -> i64 {
        self.max
    }

    /// Start of the averaging window (construction or last reset time).
    pub fn start(&self) -> i64 {
        self.start
    }

    /// Forgets history before `t` (warm-up deletion): area 0, window starts at `t`, max = current level.
    pub fn reset(&mut self, t: i64) {
        self.check_time(t);
        self.start = t;
        self.weighted = i128::from(self.level) * i128::from(t);
        self.max = self.level;
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

/// Mean of a non-negative integer quantity (e.g. a wait in ms) by hour of day (0..24): 24
/// (sum, count) bins.
///
/// Sums are exact integers, so the means do not depend on the order samples were added in: two
/// profiles fed the same samples in different orders (a stage's waits recorded at service start, its
/// checkpoint's at departure) are equal, and one can stand in for the other.
#[derive(Clone, Debug, Default)]
pub struct HourProfile {
    sums: [u128; 24],
    counts: [u64; 24],
}

impl HourProfile {
    /// An empty profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` to hour `hour`; hours >= 24 wrap modulo 24.
    #[inline]
    pub fn add(&mut self, hour: usize, x: u64) {
        // The branch keeps the division off the usual path.
        let h = if hour < 24 { hour } else { hour % 24 };
        self.sums[h] += u128::from(x);
        self.counts[h] += 1;
    }

    /// Mean for hour `hour` (wrapping modulo 24), or `None` if that hour has no samples.
    pub fn mean(&self, hour: usize) -> Option<f64> {
        let h = hour % 24;
        (self.counts[h] > 0).then(|| self.sums[h] as f64 / self.counts[h] as f64)
    }

    /// Number of samples for hour `hour` (wrapping modulo 24).
    pub fn count(&self, hour: usize) -> u64 {
        self.counts[hour % 24]
    }

    /// Means of all 24 hours, `None` where an hour has no samples.
    pub fn means(&self) -> [Option<f64>; 24] {
        std::array::from_fn(|h| self.mean(h))
    }

    /// Adds `o`'s samples to this profile.
    pub fn merge(&mut self, o: &HourProfile) {
        for h in 0..24 {
            self.sums[h] += o.sums[h];
            self.counts[h] += o.counts[h];
        }
    }
}

/// Across-replication summary: mean, sample sd, and 95% Student-t half-width.
///
/// `ci95 = t_{0.975, n-1} · sd / sqrt(n)`; `sd` and `ci95` are 0 for n < 2. All fields are finite
/// for finite inputs, so the value always serialises to valid JSON.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Mean of the finite samples (0 if none).
    pub mean: f64,
    /// 95% confidence half-width of the mean (0 if n < 2).
    pub ci95: f64,
    /// Sample standard deviation, divisor n-1 (0 if n < 2).
    pub sd: f64,
    /// Number of finite samples used.
    pub n: usize,
}

impl Estimate {
    /// Summarises one value per replication.
    ///
    /// Non-finite samples (NaN, ±inf — e.g. a replication with nothing served) are skipped, and `n`
    /// counts only the finite ones, so the result never carries NaN into JSON. No samples: all zeros.
    pub fn from_samples(xs: &[f64]) -> Estimate {
        let finite = || xs.iter().copied().filter(|x| x.is_finite());
        let n = finite().count();
        if n == 0 {
            return Estimate {
                mean: 0.0,
                ci95: 0.0,
                sd: 0.0,
                n: 0,
            };
        }
        // Two passes: the sample is small and this is exact-as-possible for the mean first.
        let mean = finite().sum::<f64>() / n as f64;
        if n < 2 {
            return Estimate {
                mean,
                ci95: 0.0,
                sd: 0.0,
                n,
            };
        }
        let ss: f64 = finite().map(|x| (x - mean) * (x - mean)).sum();
        let sd = (ss / (n - 1) as f64).sqrt();
        let ci95 = t_critical_95(n - 1) * sd / (n as f64).sqrt();
        Estimate { mean, ci95, sd, n }
    }
}

/// Largest degrees of freedom kept in the [`t_critical_95`] table.
const T_TABLE_MAX_DF: usize = 100;

/// Beyond this many degrees of freedom t_{0.975} equals the normal quantile to better than 1e-6.
const T_NORMAL_DF: usize = 1_000_000;

/// Normal quantile z_{0.975}.
const Z_975: f64 = 1.959_963_984_540_054;

/// Two-sided 95% Student-t critical value t_{0.975, df}; df = 0 gives 0.0 (no interval).
///
/// Computed with statrs' inverse CDF; values for df <= 100 are cached on first use.
pub fn t_critical_95(df: usize) -> f64 {
    static TABLE: OnceLock<[f64; T_TABLE_MAX_DF + 1]> = OnceLock::new();
    match df {
        0 => 0.0,
        1..=T_TABLE_MAX_DF => {
            TABLE.get_or_init(|| std::array::from_fn(|d| if d == 0 { 0.0 } else { t_975(d) }))[df]
        }
        _ if df > T_NORMAL_DF => Z_975,
        _ => t_975(df),
    }
}

/// t_{0.975, df} for df >= 1, straight from statrs.
fn t_975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df >= 1 is a valid Student-t parameter")
        .inverse_cdf(0.975)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_since_a_snapshot_holds_exactly_the_later_samples() {
        let mut d = Histogram::new();
        for v in [5u64, 1_000, 70_000, 3_600_000] {
            d.record(v);
        }
        let snap = d.clone();
        let mut later = Histogram::new();
        for v in [200u64, 45_000, 45_100, 9_000_000] {
            d.record(v);
            later.record(v);
        }
        let diff = d.since(&snap);
        assert_eq!(diff.count(), 4);
        assert_eq!(diff.sum(), later.sum());
        for q in [0.25, 0.5, 0.75, 0.9] {
            assert_eq!(diff.quantile(q), later.quantile(q), "q = {q}");
        }
        // Min and max are known to their buckets (exact below 256), never beyond the samples.
        assert_eq!(diff.min(), 200);
        assert!(diff.max() <= 9_000_000 && diff.max() as f64 >= 9_000_000.0 * 0.99);
        assert!(d.since(&d).is_empty());
    }

    /// Minimal 64-bit LCG (Knuth MMIX constants) so the fixtures are fixed without a rand dependency.
    struct Lcg(u64);

    impl Lcg {
        /// Uniform in (0, 1), never exactly 0 so `ln` is safe.
        fn next_f64(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }

        /// Standard normal by Box–Muller.
        fn next_normal(&mut self) -> f64 {
            let (u1, u2) = (self.next_f64(), self.next_f64());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn two_pass(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    const DATA: [f64; 12] = [
        2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0, 11.5, -3.25, 0.0, 8.125,
    ];

    #[test]
    fn welford_matches_two_pass_mean_and_variance() {
        let mut w = Welford::new();
        for &x in &DATA {
            w.add(x);
        }
        let (mean, var) = two_pass(&DATA);
        assert_eq!(w.count(), 12);
        assert!(close(w.mean(), mean, 1e-12), "{} vs {mean}", w.mean());
        assert!(close(w.variance(), var, 1e-12), "{} vs {var}", w.variance());
        assert!(close(w.sd(), var.sqrt(), 1e-12));
        assert_eq!(w.min(), -3.25);
        assert_eq!(w.max(), 11.5);
        // Textbook values for the first eight: mean 5, sample variance 32/7.
        let mut w8 = Welford::new();
        DATA[..8].iter().for_each(|&x| w8.add(x));
        assert_eq!(w8.mean(), 5.0);
        assert!(close(w8.variance(), 32.0 / 7.0, 1e-12));
    }

    #[test]
    fn welford_is_stable_under_large_offset() {
        let shifted: Vec<f64> = DATA.iter().map(|x| x + 1e9).collect();
        let mut w = Welford::new();
        shifted.iter().for_each(|&x| w.add(x));
        let (_, var) = two_pass(&DATA);
        assert!(close(w.variance(), var, 1e-5), "{} vs {var}", w.variance());
        assert!(close(w.mean(), two_pass(&DATA).0 + 1e9, 1e-6));
    }

    #[test]
    fn welford_empty_and_single_are_zero_spread() {
        let w = Welford::new();
        assert_eq!(
            (w.count(), w.mean(), w.variance(), w.sd()),
            (0, 0.0, 0.0, 0.0)
        );
        assert_eq!((w.min(), w.max()), (0.0, 0.0));
        let mut w = Welford::default();
        w.add(-7.5);
        assert_eq!(
            (w.mean(), w.variance(), w.min(), w.max()),
            (-7.5, 0.0, -7.5, -7.5)
        );
    }

    #[test]
    fn welford_merge_equals_sequential() {
        let mut seq = Welford::new();
        DATA.iter().for_each(|&x| seq.add(x));
        for split in 0..=DATA.len() {
            let (mut a, mut b) = (Welford::new(), Welford::new());
            DATA[..split].iter().for_each(|&x| a.add(x));
            DATA[split..].iter().for_each(|&x| b.add(x));
            a.merge(&b);
            assert_eq!(a.count(), seq.count());
            assert!(close(a.mean(), seq.mean(), 1e-12), "split {split}");
            assert!(close(a.variance(), seq.variance(), 1e-12), "split {split}");
            assert_eq!((a.min(), a.max()), (seq.min(), seq.max()), "split {split}");
        }
    }

    /// Nearest-rank quantile of sorted data: the smallest value with at least q·n values at or below.
    fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    fn check_quantiles(samples: &[u64]) {
        let mut d = Histogram::new();
        samples.iter().for_each(|&v| d.record(v));
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let sum: u128 = samples.iter().map(|&v| u128::from(v)).sum();
        assert_eq!(d.count(), samples.len() as u64);
        assert_eq!(d.sum(), sum);
        assert_eq!(d.mean(), sum as f64 / samples.len() as f64);
        assert_eq!(d.max(), *sorted.last().unwrap());
        assert_eq!(d.min(), sorted[0]);
        assert_eq!(d.quantile(1.0), d.max() as f64);
        assert_eq!(d.quantile(0.0), d.min() as f64);
        for q in [
            0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999,
        ] {
            let exact = exact_quantile(&sorted, q) as f64;
            let got = d.quantile(q);
            let rel = (got - exact).abs() / exact.max(1.0);
            assert!(rel <= 0.01, "q={q}: got {got}, exact {exact}, rel {rel}");
        }
    }

    #[test]
    fn distribution_quantiles_within_one_percent_exponential() {
        let mut rng = Lcg(20240601);
        // Mean 5e6 with an exact-zero floor: spans 0..~8e7 with plenty of tiny values.
        let samples: Vec<u64> = (0..100_000)
            .map(|_| (-5e6 * rng.next_f64().ln()) as u64)
            .collect();
        check_quantiles(&samples);
    }

    #[test]
    fn distribution_quantiles_within_one_percent_lognormal_spanning_1_to_1e9() {
        let mut rng = Lcg(7);
        let (mu, sigma) = (1e9f64.sqrt().ln(), 3.0);
        let samples: Vec<u64> = (0..100_000)
            .map(|_| (mu + sigma * rng.next_normal()).exp().clamp(1.0, 1e9) as u64)
            .collect();
        assert_eq!(*samples.iter().min().unwrap(), 1);
        assert_eq!(*samples.iter().max().unwrap(), 1_000_000_000);
        check_quantiles(&samples);
    }

    #[test]
    fn distribution_quantiles_within_one_percent_log_uniform() {
        let mut rng = Lcg(99);
        let samples: Vec<u64> = (0..100_000)
            .map(|_| 1e9f64.powf(rng.next_f64()) as u64)
            .collect();
        check_quantiles(&samples);
    }

    #[test]
    fn distribution_empty_returns_zeros() {
        let d = Histogram::default();
        assert!(d.is_empty());
        assert_eq!((d.count(), d.sum(), d.max(), d.min()), (0, 0, 0, 0));
        assert_eq!(d.mean(), 0.0);
        for q in [0.0, 0.5, 0.99, 1.0] {
            assert_eq!(d.quantile(q), 0.0);
        }
        assert_eq!(d.count_above(0), 0);
    }

    #[test]
    fn distribution_records_zero_samples() {
        let mut d = Histogram::new();
        for _ in 0..1000 {
            d.record(0);
        }
        d.record(10);
        assert_eq!((d.count(), d.sum(), d.min(), d.max()), (1001, 10, 0, 10));
        assert_eq!(d.quantile(0.5), 0.0);
        assert_eq!(d.quantile(0.999), 0.0);
        assert_eq!(d.quantile(1.0), 10.0);
        assert_eq!(d.count_above(0), 1);
        assert_eq!(d.count_above(9), 1);
        assert_eq!(d.count_above(10), 0);
    }

    #[test]
    fn distribution_small_values_are_exact() {
        let mut d = Histogram::new();
        (1..=200u64).for_each(|v| d.record(v));
        assert_eq!(d.quantile(0.5), 100.0);
        assert_eq!(d.quantile(0.95), 190.0);
        assert_eq!(d.mean(), 100.5);
        assert_eq!(d.count_above(150), 50);
    }

    #[test]
    fn distribution_merge_equals_sequential() {
        let mut rng = Lcg(3);
        let samples: Vec<u64> = (0..20_000)
            .map(|_| (-1e5 * rng.next_f64().ln()) as u64)
            .collect();
        let mut seq = Histogram::new();
        samples.iter().for_each(|&v| seq.record(v));
        let (mut a, mut b) = (Histogram::new(), Histogram::new());
        samples[..7_000].iter().for_each(|&v| a.record(v));
        samples[7_000..].iter().for_each(|&v| b.record(v));
        a.merge(&b);
        a.merge(&Histogram::new());
        assert_eq!(
            (a.count(), a.sum(), a.min(), a.max()),
            (seq.count(), seq.sum(), seq.min(), seq.max())
        );
        for q in [0.1, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(a.quantile(q), seq.quantile(q), "q={q}");
        }
        let mut empty = Histogram::new();
        empty.merge(&seq);
        assert_eq!(
            (empty.count(), empty.min(), empty.quantile(0.5)),
            (seq.count(), seq.min(), seq.quantile(0.5))
        );
    }

    #[test]
    fn distribution_count_above_approximates_tail() {
        let mut rng = Lcg(11);
        let samples: Vec<u64> = (0..100_000)
            .map(|_| (-3.6e6 * rng.next_f64().ln()) as u64)
            .collect();
        let mut d = Histogram::new();
        samples.iter().for_each(|&v| d.record(v));
        for t in [1_000u64, 600_000, 3_600_000, 7_200_000, 14_400_000] {
            let exact = samples.iter().filter(|&&v| v > t).count() as u64;
            let got = d.count_above(t);
            // Only samples within 1/128 of t are uncertain: well under 1% of the tail here.
            assert!(
                got.abs_diff(exact) <= exact / 200 + 5,
                "t={t}: got {got}, exact {exact}"
            );
        }
        assert_eq!(d.count_above(d.max()), 0);
        assert_eq!(d.count_above(d.max() - 1), 1);
    }

    #[test]
    fn distribution_grows_past_presize_and_handles_u64_max() {
        let mut d = Histogram::new();
        d.record(5);
        d.record(1 << 40);
        d.record(u64::MAX);
        assert_eq!(d.max(), u64::MAX);
        assert_eq!(d.sum(), 5 + (1u128 << 40) + u128::from(u64::MAX));
        assert_eq!(d.quantile(1.0), u64::MAX as f64);
        let p50 = d.quantile(0.5);
        assert!((p50 - (1u64 << 40) as f64).abs() / (1u64 << 40) as f64 <= 0.01);
        assert_eq!(d.quantile(0.2), 5.0);
        d.reset();
        assert!(d.is_empty());
        assert_eq!(d.quantile(0.5), 0.0);
    }

    #[test]
    fn time_weighted_step_function_mean() {
        // 0 on [0,10), 2 on [10,15), 1 on [15,20): area 0 + 10 + 5 = 15 over 20.
        let mut tw = TimeWeighted::new(0);
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
        let mut tw = TimeWeighted::new(0);
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
        let mut tw = TimeWeighted::new(-5);
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

    #[test]
    fn hour_profile_means_counts_and_wrap() {
        let mut p = HourProfile::new();
        p.add(0, 2);
        p.add(0, 5);
        p.add(23, 1);
        p.add(24 + 7, 10); // wraps to hour 7
        p.add(48 + 7, 20);
        assert_eq!(p.mean(0), Some(3.5));
        assert_eq!(p.count(0), 2);
        assert_eq!(p.mean(23), Some(1.0));
        assert_eq!(p.mean(7), Some(15.0));
        assert_eq!(p.count(7), 2);
        assert_eq!(p.mean(12), None);
        let means = p.means();
        assert_eq!(means.iter().filter(|m| m.is_some()).count(), 3);
        assert_eq!(means[7], Some(15.0));
    }

    #[test]
    fn hour_profile_merge_adds_bins() {
        let (mut a, mut b) = (HourProfile::default(), HourProfile::new());
        a.add(5, 1);
        b.add(5, 3);
        b.add(6, 8);
        a.merge(&b);
        assert_eq!((a.mean(5), a.count(5)), (Some(2.0), 2));
        assert_eq!((a.mean(6), a.count(6)), (Some(8.0), 1));
    }

    #[test]
    fn t_critical_95_matches_tables() {
        assert_eq!(t_critical_95(0), 0.0);
        for (df, t) in [
            (1, 12.706),
            (2, 4.303),
            (4, 2.776),
            (9, 2.262),
            (29, 2.045),
            (100, 1.984),
            (101, 1.984),
            (1000, 1.962),
        ] {
            let got = t_critical_95(df);
            assert!(close(got, t, 5e-4), "df={df}: {got} vs {t}");
        }
        assert!(close(t_critical_95(5_000_000), 1.959_964, 1e-6));
        // Decreasing in df and above the normal quantile.
        for df in 1..300 {
            assert!(t_critical_95(df) > t_critical_95(df + 1));
            assert!(t_critical_95(df) > Z_975);
        }
    }

    #[test]
    fn estimate_of_one_to_five() {
        let e = Estimate::from_samples(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.n, 5);
        assert_eq!(e.mean, 3.0);
        assert!(close(e.sd, 1.581_139, 1e-6), "{}", e.sd);
        assert!(close(e.ci95, 1.963, 5e-4), "{}", e.ci95);
        assert!(close(e.ci95, t_critical_95(4) * e.sd / 5f64.sqrt(), 1e-12));
    }

    #[test]
    fn estimate_with_fewer_than_two_samples_has_no_interval() {
        let zero = Estimate {
            mean: 0.0,
            ci95: 0.0,
            sd: 0.0,
            n: 0,
        };
        assert_eq!(Estimate::from_samples(&[]), zero);
        let one = Estimate::from_samples(&[42.5]);
        assert_eq!((one.mean, one.ci95, one.sd, one.n), (42.5, 0.0, 0.0, 1));
    }

    #[test]
    fn estimate_skips_non_finite_samples() {
        let e = Estimate::from_samples(&[1.0, f64::NAN, 2.0, f64::INFINITY, 3.0, 4.0, 5.0]);
        assert_eq!(e, Estimate::from_samples(&[1.0, 2.0, 3.0, 4.0, 5.0]));
        let none = Estimate::from_samples(&[f64::NAN, f64::NEG_INFINITY]);
        assert_eq!((none.mean, none.ci95, none.n), (0.0, 0.0, 0));
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.starts_with(r#"{"mean":3.0,"ci95":1.96"#), "{json}");
    }
}
