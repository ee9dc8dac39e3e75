//! Across-replication estimates: mean, sample sd and 95% Student-t half-width, and the
//! Student-t critical values behind them.

use std::sync::OnceLock;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Across-replication summary: mean, sample sd, and 95% Student-t half-width.
///
/// `ci95 = t_{0.975, n-1} · sd / sqrt(n)`; `sd` and `ci95` are 0 for n = 1. With no sample at
/// all (n = 0) there is no estimate: mean, sd and ci95 are NaN, which JSON writes as `null` —
/// never a 0 that would read as a measured value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Mean of the finite samples (NaN if none).
    pub mean: f64,
    /// 95% confidence half-width of the mean (0 if n = 1, NaN if n = 0).
    pub ci95: f64,
    /// Sample standard deviation, divisor n-1 (0 if n = 1, NaN if n = 0).
    pub sd: f64,
    /// Number of finite samples used.
    pub n: usize,
}

impl Estimate {
    /// Summarises one value per replication.
    ///
    /// Non-finite samples (NaN, ±inf — a replication where the statistic does not exist, e.g. a
    /// mean wait where nothing was served) are missing: skipped, and `n` counts only the finite
    /// ones. No finite sample: [`Estimate::MISSING`].
    pub fn from_samples(xs: &[f64]) -> Estimate {
        let finite = || xs.iter().copied().filter(|x| x.is_finite());
        let n = finite().count();
        if n == 0 {
            return Estimate::MISSING;
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

    /// No estimate: no replication had a value.
    pub const MISSING: Estimate = Estimate {
        mean: f64::NAN,
        ci95: f64::NAN,
        sd: f64::NAN,
        n: 0,
    };

    /// The mean, if at least one replication had a value.
    pub fn value(&self) -> Option<f64> {
        (self.n > 0 && self.mean.is_finite()).then_some(self.mean)
    }

    /// The 95% half-width, if there is an interval (at least two replications had a value).
    pub fn interval(&self) -> Option<f64> {
        (self.n >= 2 && self.ci95.is_finite()).then_some(self.ci95)
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

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
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
        let none = Estimate::from_samples(&[]);
        assert_eq!(none.n, 0);
        assert!(none.mean.is_nan() && none.ci95.is_nan() && none.sd.is_nan());
        assert_eq!((none.value(), none.interval()), (None, None));
        let one = Estimate::from_samples(&[42.5]);
        assert_eq!((one.mean, one.ci95, one.sd, one.n), (42.5, 0.0, 0.0, 1));
        assert_eq!((one.value(), one.interval()), (Some(42.5), None));
    }

    #[test]
    fn estimate_skips_non_finite_samples() {
        let e = Estimate::from_samples(&[1.0, f64::NAN, 2.0, f64::INFINITY, 3.0, 4.0, 5.0]);
        assert_eq!(e, Estimate::from_samples(&[1.0, 2.0, 3.0, 4.0, 5.0]));
        let none = Estimate::from_samples(&[f64::NAN, f64::NEG_INFINITY]);
        assert_eq!((none.value(), none.n), (None, 0));
        // A missing estimate is JSON null, not 0.
        let json = serde_json::to_string(&none).unwrap();
        assert_eq!(json, r#"{"mean":null,"ci95":null,"sd":null,"n":0}"#);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.starts_with(r#"{"mean":3.0,"ci95":1.96"#), "{json}");
    }
}
