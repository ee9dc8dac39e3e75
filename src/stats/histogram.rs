//! The quantile histogram: exact count, sum, mean, min and max of non-negative integers, and
//! quantiles within 0.4%, in fixed memory.

/// Streaming histogram of non-negative integer samples (e.g. waits in ms): exact count, sum, mean,
/// min and max, and quantiles with relative error below 0.4%.
///
/// Backed by a log-linear histogram in the manner of HdrHistogram: values below 512 are held
/// exactly, larger ones in buckets no wider than 1/256 of their value. A quantile is placed
/// inside its bucket by its rank among the bucket's samples (linear interpolation), so it moves
/// with the data instead of snapping to the bucket's middle: two runs whose quantiles differ by
/// less than a bucket still give different values, and an interval over replications does not
/// collapse to zero because their quantiles share a bucket. Memory is independent of the number
/// of samples (60 KB for values below 2^36, growing by 2 KB per doubling beyond).
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

/// Sub-buckets per power of two: a bucket spans at most 1/256 of its values, so any value in it is
/// within 0.4% of any sample in it.
const SUB_BITS: u32 = 8;
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
    /// An empty histogram, pre-sized for values below 2^36.
    pub fn new() -> Self {
        Histogram {
            counts: vec![0; PRESIZED_BUCKETS],
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// An empty histogram with no buckets allocated: they grow as samples come (or through
    /// [`Self::merge`]). For histograms that mostly hold copies, such as yearly snapshots.
    pub fn empty() -> Self {
        Histogram {
            counts: Vec::new(),
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// A copy holding the buckets up to the last occupied one only: the same count, sum,
    /// min, max and quantiles in less memory (a snapshot of waits below an hour takes ~28 KB
    /// instead of the 60 KB presized).
    pub fn snapshot(&self) -> Self {
        let used = self
            .counts
            .iter()
            .rposition(|&c| c > 0)
            .map_or(0, |i| i + 1);
        Histogram {
            counts: self.counts[..used].to_vec(),
            count: self.count,
            sum: self.sum,
            min: self.min,
            max: self.max,
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
    /// `q <= 0` (or NaN) returns the exact min, `q >= 1` the exact max. In between, the histogram
    /// bucket holding that rank is found and its samples are taken as spread evenly over its
    /// values: the j-th of its c samples stands at (j − ½)/c of its width from its low end
    /// (exact below 512, where a bucket is one value), clamped to [min, max].
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
        let rank = nearest_rank(q, self.count);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            if seen + c >= rank {
                // The rank's place among the bucket's c samples, taken as spread evenly over
                // its values: the j-th of c sits at (j − ½)/c of the bucket's width.
                let (low, high) = bucket_bounds(i);
                let width = (high - low) as f64 + 1.0;
                let at = if width > 1.0 {
                    low as f64 + ((rank - seen) as f64 - 0.5) / c as f64 * width
                } else {
                    low as f64
                };
                return at.clamp(self.min as f64, self.max as f64);
            }
            seen += c;
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

    /// The samples recorded after `earlier`, a snapshot of this same histogram (yearly
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
    /// Exact when `threshold` is below the min, at/above the max, or below 512. Otherwise the
    /// samples sharing `threshold`'s histogram bucket (values within 1/256 of it) are split in
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

    /// How finely a quantile near `v` is known: the half-width of the bucket that holds `v` (0
    /// below 512, where values are exact), in the samples' unit. A quantile lies inside its
    /// bucket, placed by its rank there; printing it finer than half the bucket shows digits the
    /// histogram does not vouch for (the interval over replications may still need them).
    pub fn quantile_resolution(v: f64) -> f64 {
        if v.is_nan() || v < (2 * SUB) as f64 {
            return 0.0;
        }
        let v = v.min(u64::MAX as f64) as u64;
        let (low, high) = bucket_bounds(bucket(v));
        (high - low + 1) as f64 / 2.0
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

/// The nearest rank of the `q`-quantile among `n` samples (1-based): the smallest r with
/// r ≥ q·n, clamped to [1, n]. Levels given in hundredths (0.07, 0.55, 0.95 — the report's levels)
/// are ranked in integers, ⌈k·n/100⌉: in floating point 0.07·100 is 7.000000000000001, whose
/// ceiling would take the next sample.
fn nearest_rank(q: f64, n: u64) -> u64 {
    let k = (q * 100.0).round();
    let rank = if (0.0..=100.0).contains(&k) && k / 100.0 == q {
        (k as u64 * n).div_ceil(100)
    } else {
        (q * n as f64).ceil() as u64
    };
    rank.clamp(1, n.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_since_a_snapshot_holds_exactly_the_later_samples() {
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
        // Min and max are known to their buckets (exact below 512), never beyond the samples.
        assert_eq!(diff.min(), 200);
        assert!(diff.max() <= 9_000_000 && diff.max() as f64 >= 9_000_000.0 * 0.99);
        assert!(d.since(&d).is_empty());
    }

    /// A compact snapshot answers as the whole histogram does, in as many buckets as the
    /// largest sample needs, and differences against it are those against a full copy.
    #[test]
    fn a_snapshot_is_the_histogram_in_fewer_buckets() {
        let mut d = Histogram::new();
        for v in [0u64, 5, 1_000, 70_000, 3_600_000] {
            d.record(v);
        }
        let snap = d.snapshot();
        assert_eq!(snap.counts.len(), bucket(3_600_000) + 1);
        assert!(snap.counts.len() < d.counts.len());
        assert_eq!(snap.counts.capacity(), snap.counts.len());
        assert_eq!(
            (snap.count(), snap.sum(), snap.min(), snap.max()),
            (d.count(), d.sum(), d.min(), d.max())
        );
        for q in [0.0, 0.2, 0.5, 0.8, 0.95, 1.0] {
            assert_eq!(snap.quantile(q), d.quantile(q), "q = {q}");
        }
        let full = d.clone();
        for v in [200u64, 45_000, 9_000_000, 80_000_000_000] {
            d.record(v);
        }
        let (a, b) = (d.since(&snap), d.since(&full));
        assert_eq!(
            (a.count(), a.sum(), a.min(), a.max()),
            (4, b.sum(), b.min(), b.max())
        );
        for q in [0.25, 0.5, 0.75, 0.9] {
            assert_eq!(a.quantile(q), b.quantile(q), "q = {q}");
        }
        // Empty: no buckets; merging into it gives the other histogram's figures.
        let mut e = Histogram::empty();
        assert_eq!(
            (e.counts.len(), Histogram::new().snapshot().counts.len()),
            (0, 0)
        );
        e.merge(&snap);
        assert_eq!(
            (e.count(), e.quantile(0.5)),
            (snap.count(), snap.quantile(0.5))
        );
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

    /// Nearest-rank quantile of sorted data: the smallest value with at least q·n values at or below.
    fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
        sorted[nearest_rank(q, sorted.len() as u64) as usize - 1]
    }

    #[test]
    fn percent_levels_are_ranked_in_integers() {
        // 0.07 * 100 = 7.000000000000001 in floating point: the 7th of 100, not the 8th.
        for (q, n, rank) in [
            (0.07, 100, 7),
            (0.14, 100, 14),
            (0.28, 100, 28),
            (0.55, 100, 55),
            (0.56, 100, 56),
            (0.95, 20, 19),
            (0.5, 3, 2),
            (0.01, 1, 1),
            (1.0 / 3.0, 3, 1),
        ] {
            assert_eq!(nearest_rank(q, n), rank, "q = {q}, n = {n}");
        }
        // Waits of k minutes, k = 0..99 (the s06 case): the 0.07-quantile is 6 min.
        let mut d = Histogram::new();
        for k in 0..100u64 {
            d.record(k * 60_000);
        }
        let six = d.quantile(0.07);
        assert!((six - 360_000.0).abs() <= 360_000.0 * 0.004, "{six}");
        let fifty_four = d.quantile(0.55);
        assert!(
            (fifty_four - 3_240_000.0).abs() <= 3_240_000.0 * 0.004,
            "{fifty_four}"
        );
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
    fn histogram_quantiles_within_one_percent_exponential() {
        let mut rng = Lcg(20240601);
        // Mean 5e6 with an exact-zero floor: spans 0..~8e7 with plenty of tiny values.
        let samples: Vec<u64> = (0..100_000)
            .map(|_| (-5e6 * rng.next_f64().ln()) as u64)
            .collect();
        check_quantiles(&samples);
    }

    #[test]
    fn histogram_quantiles_within_one_percent_lognormal_spanning_1_to_1e9() {
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
    fn histogram_quantiles_within_one_percent_log_uniform() {
        let mut rng = Lcg(99);
        let samples: Vec<u64> = (0..100_000)
            .map(|_| 1e9f64.powf(rng.next_f64()) as u64)
            .collect();
        check_quantiles(&samples);
    }

    #[test]
    fn quantile_resolution_is_half_the_bucket() {
        const H: f64 = 3_600_000.0;
        assert_eq!(Histogram::quantile_resolution(500.0), 0.0);
        // 22 h = 7.92e7 ms lies in [2^26, 2^27): buckets of 2^18 ms (4.4 min), half 2^17 ms.
        assert_eq!(Histogram::quantile_resolution(22.0 * H), 131_072.0);
        // 10 h = 3.6e7 ms lies in [2^25, 2^26): buckets of 2^17 ms (2.2 min).
        assert_eq!(Histogram::quantile_resolution(10.0 * H), 65_536.0);
        assert_eq!(Histogram::quantile_resolution(f64::NAN), 0.0);
    }

    #[test]
    fn a_quantile_is_placed_in_its_bucket_by_its_rank() {
        // 15 h = 5.4e7 ms lies in [2^25, 2^26): buckets of 2^17 = 131,072 ms. The bucket of
        // 5.4e7 starts at 412·2^17 = 54,001,664 ms.
        let low = 412u64 << 17;
        let mut d = Histogram::new();
        for k in 0..100u64 {
            // 100 samples spread over the bucket, 1,310 ms apart.
            d.record(low + k * 1_310);
        }
        // The 95th of 100 stands at (95 − ½)/100 of the bucket: 54,001,664 + 0.945 · 131,072.
        assert_eq!(d.quantile(0.95), low as f64 + 0.945 * 131_072.0);
        // The middle of the bucket would have said 54,067,199.5 for every quantile; the exact
        // 95th sample is 54,124,754: the interpolated 54,125,527 is 0.8 s off, not 57 s.
        let exact = (low + 94 * 1_310) as f64;
        assert!((d.quantile(0.95) - exact).abs() < 1_000.0);
        // Samples that share a bucket but not their ranks give different quantiles: an interval
        // over replications does not collapse to zero.
        let mut e = Histogram::new();
        for k in 0..100u64 {
            e.record(low + 20_000 + k * 1_000);
        }
        assert!(e.quantile(0.95) != d.quantile(0.95));
        // One sample in its bucket: the bucket's middle (as before interpolation), clamped to
        // the samples' range.
        let mut one = Histogram::new();
        one.record(low + 5);
        one.record(2 * low);
        assert_eq!(one.quantile(0.5), (low + 65_536) as f64);
        one.reset();
        one.record(low + 5);
        assert_eq!(one.quantile(0.5), (low + 5) as f64);
    }

    #[test]
    fn histogram_empty_returns_zeros() {
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
    fn histogram_records_zero_samples() {
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
    fn histogram_small_values_are_exact() {
        let mut d = Histogram::new();
        (1..=200u64).for_each(|v| d.record(v));
        assert_eq!(d.quantile(0.5), 100.0);
        assert_eq!(d.quantile(0.95), 190.0);
        assert_eq!(d.mean(), 100.5);
        assert_eq!(d.count_above(150), 50);
    }

    #[test]
    fn histogram_merge_equals_sequential() {
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
    fn histogram_count_above_approximates_tail() {
        let mut rng = Lcg(11);
        let samples: Vec<u64> = (0..100_000)
            .map(|_| (-3.6e6 * rng.next_f64().ln()) as u64)
            .collect();
        let mut d = Histogram::new();
        samples.iter().for_each(|&v| d.record(v));
        for t in [1_000u64, 600_000, 3_600_000, 7_200_000, 14_400_000] {
            let exact = samples.iter().filter(|&&v| v > t).count() as u64;
            let got = d.count_above(t);
            // Only samples within 1/256 of t are uncertain: well under 1% of the tail here.
            assert!(
                got.abs_diff(exact) <= exact / 200 + 5,
                "t={t}: got {got}, exact {exact}"
            );
        }
        assert_eq!(d.count_above(d.max()), 0);
        assert_eq!(d.count_above(d.max() - 1), 1);
    }

    #[test]
    fn histogram_grows_past_presize_and_handles_u64_max() {
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
}
