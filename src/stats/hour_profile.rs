//! Mean of a non-negative integer quantity by hour of day.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
