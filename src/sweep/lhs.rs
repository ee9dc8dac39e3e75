//! Latin hypercube sampling and the rank statistics of the robustness report.
//!
//! A Latin hypercube of `n` draws splits each input's unit interval into `n` equal strata and
//! puts exactly one draw in each, in an order that is a random permutation per input: every
//! input covers its whole range evenly even with few draws, and the inputs are paired at random.
//! Each input has its own stream, derived from (seed, input position), so adding an input does
//! not move the draws of the others. The generator is SplitMix64, fixed by its algorithm: the
//! draws depend on the seed alone, never on threads or platform.

/// SplitMix64: a small generator whose output is fixed by its algorithm.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    /// The generator of stream `stream` of seed `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> SplitMix {
        let mut g = SplitMix(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        // Mix once so that neighbouring seeds and streams start far apart.
        g.next_u64();
        g
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1) with 53 random bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in 0..n (n > 0), without modulo bias worth the name (n ≪ 2⁶⁴).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The Latin hypercube of `n` draws of `inputs` inputs: `u[draw][input]` in [0, 1), input `j`
/// having exactly one draw in each stratum [k/n, (k+1)/n).
pub(crate) fn latin_hypercube(n: usize, inputs: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut u = vec![vec![0.0; inputs]; n];
    for j in 0..inputs {
        let mut g = SplitMix::new(seed, j as u64 + 1);
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher–Yates: which stratum each draw takes.
        for i in (1..n).rev() {
            strata.swap(i, g.below(i + 1));
        }
        for (row, k) in u.iter_mut().zip(strata) {
            row[j] = (k as f64 + g.unit()) / n as f64;
        }
    }
    u
}

/// Ranks of `xs` from 1, ties sharing their mean rank.
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = mean;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation of `x` and `y` (the Pearson correlation of their ranks, ties at
/// their mean rank); `None` below three pairs or when either side is constant.
pub(crate) fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 3 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let m = (x.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - m) * (b - m);
        sxx += (a - m) * (a - m);
        syy += (b - m) * (b - m);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// The `q` quantile of `xs` (0 ≤ q ≤ 1) by linear interpolation between order statistics
/// (Hyndman–Fan type 7, the default of R and NumPy); `None` for no values.
pub(crate) fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let last = v.len().checked_sub(1)?;
    let h = q.clamp(0.0, 1.0) * last as f64;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(last);
    Some(v[lo] + frac * (v[hi] - v[lo]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_input_uses_every_stratum_exactly_once() {
        for (n, inputs, seed) in [(20, 3, 7), (2, 1, 0), (97, 5, 12345)] {
            let u = latin_hypercube(n, inputs, seed);
            assert_eq!(u.len(), n);
            for j in 0..inputs {
                let mut strata: Vec<usize> =
                    u.iter().map(|row| (row[j] * n as f64) as usize).collect();
                strata.sort_unstable();
                assert_eq!(strata, (0..n).collect::<Vec<_>>(), "n {n}, input {j}");
                assert!(u.iter().all(|row| (0.0..1.0).contains(&row[j])));
            }
        }
    }

    #[test]
    fn the_draws_depend_on_the_seed_alone_and_inputs_do_not_move_each_other() {
        assert_eq!(latin_hypercube(20, 2, 7), latin_hypercube(20, 2, 7));
        assert_ne!(latin_hypercube(20, 2, 7), latin_hypercube(20, 2, 8));
        // A third input leaves the first two as they were.
        let two = latin_hypercube(20, 2, 7);
        let three = latin_hypercube(20, 3, 7);
        for (a, b) in two.iter().zip(&three) {
            assert_eq!(a[..], b[..2]);
        }
        // The permutations differ between inputs (they are not all in draw order).
        let order =
            |j: usize| -> Vec<usize> { two.iter().map(|r| (r[j] * 20.0) as usize).collect() };
        assert_ne!(order(0), order(1));
    }

    #[test]
    fn splitmix_gives_its_published_first_output() {
        // SplitMix64 from state 0: first output 0xe220a8397b1dcdaf (Vigna's reference code).
        let mut g = SplitMix(0);
        assert_eq!(g.next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn spearman_of_monotone_and_reversed_ranks() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spearman(&x, &[2.0, 4.0, 8.0, 16.0, 32.0]), Some(1.0));
        assert_eq!(spearman(&x, &[5.0, 3.0, 2.0, 1.0, 0.0]), Some(-1.0));
        // 1 − 6Σd²/(n(n²−1)) with d = (0, 0, 1, −1, 0): 1 − 12/120 = 0.9.
        let r = spearman(&x, &[1.0, 2.0, 4.0, 3.0, 5.0]).unwrap();
        assert!((r - 0.9).abs() < 1e-12, "{r}");
        assert_eq!(spearman(&x, &[1.0; 5]), None);
        assert_eq!(spearman(&x[..2], &[1.0, 2.0]), None);
        // Ties share their mean rank: ranks (1.5, 1.5, 3) against (1, 2, 3) → r = √3/2.
        let r = spearman(&[1.0, 1.0, 2.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!((r - 3f64.sqrt() / 2.0).abs() < 1e-12, "{r}");
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let xs = [4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&xs, 0.5), Some(3.0));
        // Type 7: h = 0.05 × 4 = 0.2 → 1 + 0.2 × (2 − 1).
        assert!((quantile(&xs, 0.05).unwrap() - 1.2).abs() < 1e-12);
        assert!((quantile(&xs, 0.95).unwrap() - 4.8).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7.0], 0.95), Some(7.0));
    }
}
