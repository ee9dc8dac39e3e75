//! Welford running mean and variance of `f64` samples, with min, max and merging.

/// Welford running mean/variance plus min/max of f64 samples.
///
/// Numerically stable for samples with a large common offset. Non-finite samples propagate into the
/// results (they are not filtered here; [`Estimate::from_samples`](super::Estimate::from_samples) does filter).
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
