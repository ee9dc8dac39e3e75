//! The least-squares trend of equally spaced values (the block means of a level), with the
//! standard error of its slope and a one-sided test that the values rise.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A straight line fitted by least squares to values at x = 0, step, 2·step, …
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trend {
    /// Slope, in the values' unit per unit of x.
    pub slope: f64,
    /// Standard error of the slope, from the scatter of the values about the line
    /// (residual variance with n − 2 degrees of freedom).
    pub se: f64,
    /// Number of values fitted.
    pub n: usize,
}

impl Trend {
    /// The trend of `ys` spaced `step` apart; `None` with fewer than three values, a step that
    /// is not positive, or a value that is not finite.
    pub fn fit(ys: &[f64], step: f64) -> Option<Trend> {
        let n = ys.len();
        if n < 3 || step.is_nan() || step <= 0.0 || ys.iter().any(|y| !y.is_finite()) {
            return None;
        }
        let xs = || (0..n).map(|i| i as f64 * step);
        let x_mean = xs().sum::<f64>() / n as f64;
        let y_mean = ys.iter().sum::<f64>() / n as f64;
        let sxx: f64 = xs().map(|x| (x - x_mean) * (x - x_mean)).sum();
        let sxy: f64 = xs().zip(ys).map(|(x, y)| (x - x_mean) * (y - y_mean)).sum();
        let slope = sxy / sxx;
        let sse: f64 = xs()
            .zip(ys)
            .map(|(x, y)| {
                let r = y - y_mean - slope * (x - x_mean);
                r * r
            })
            .sum();
        let se = (sse / (n - 2) as f64 / sxx).sqrt();
        Some(Trend { slope, se, n })
    }

    /// The t statistic of the slope, slope ÷ its standard error: +∞ for values on a rising
    /// straight line, NaN for constant values.
    pub fn t(&self) -> f64 {
        self.slope / self.se
    }

    /// True if the values rise beyond their scatter: the slope's one-sided t test at level
    /// `alpha` (t > t_{1−α, n−2}).
    pub fn rises(&self, alpha: f64) -> bool {
        let t = self.t();
        if t.is_nan() || self.slope <= 0.0 {
            return false;
        }
        t > t_quantile(1.0 - alpha, self.n - 2)
    }

    /// True if the values clearly rise by less than `bound` per unit of x: the slope's upper
    /// one-sided confidence bound at level 1 − `alpha` (slope + t_{1−α, n−2} · se) is below
    /// `bound`. Constant values (no scatter) are below any positive bound.
    pub fn below(&self, bound: f64, alpha: f64) -> bool {
        let upper = if self.se == 0.0 {
            self.slope
        } else {
            self.slope + t_quantile(1.0 - alpha, self.n - 2) * self.se
        };
        upper < bound
    }
}

/// The `p`-quantile of Student's t with `df` ≥ 1 degrees of freedom.
fn t_quantile(p: f64, df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df.max(1) as f64)
        .map(|t| t.inverse_cdf(p))
        .unwrap_or(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_through_worked_values() {
        // y = 1, 3, 2, 5, 4 at x = 0, 2, 4, 6, 8: x̄ = 4, ȳ = 3, Sxx = 40, Sxy = 16 → slope 0.4.
        // Residuals about 3 + 0.4·(x − 4): −0.4, 0.8, −1, 1.2, −0.6; SSE = 3.6;
        // se = √(3.6 / 3 / 40) = √0.03 = 0.173205.
        let t = Trend::fit(&[1.0, 3.0, 2.0, 5.0, 4.0], 2.0).unwrap();
        assert!((t.slope - 0.4).abs() < 1e-12, "{t:?}");
        assert!((t.se - 0.03f64.sqrt()).abs() < 1e-12, "{t:?}");
        assert_eq!(t.n, 5);
        // Upper 95 % bound: 0.4 + 2.353 × 0.173205 = 0.8076.
        assert!(t.below(0.81, 0.05) && !t.below(0.80, 0.05), "{t:?}");
        // No scatter: the slope itself.
        let flat = Trend::fit(&[2.0, 2.0, 2.0], 1.0).unwrap();
        assert!(flat.below(1e-9, 0.01) && !flat.below(0.0, 0.01));
        // t = 2.309 < t_{0.95, 3} = 2.353: not a clear rise at 5 %; it is at 10 % (1.638).
        assert!((t.t() - 2.309_401).abs() < 1e-5);
        assert!(!t.rises(0.05));
        assert!(t.rises(0.10));
        // A clean rise of 1 per step with scatter ±0.1 is clear at 1 %.
        let up = Trend::fit(&[0.0, 1.1, 1.9, 3.1, 3.9, 5.0], 1.0).unwrap();
        assert!(up.rises(0.01), "{up:?}");
    }

    #[test]
    fn constant_falling_and_short_series_do_not_rise() {
        let flat = Trend::fit(&[4.0; 8], 1.0).unwrap();
        assert_eq!(flat.slope, 0.0);
        assert!(!flat.rises(0.01));
        let exact = Trend::fit(&[1.0, 2.0, 3.0], 1.0).unwrap();
        assert_eq!((exact.slope, exact.se), (1.0, 0.0));
        assert!(exact.rises(0.01));
        let down = Trend::fit(&[5.0, 4.0, 3.1, 2.0], 1.0).unwrap();
        assert!(down.slope < 0.0 && !down.rises(0.01));
        assert_eq!(Trend::fit(&[1.0, 2.0], 1.0), None);
        assert_eq!(Trend::fit(&[1.0, f64::NAN, 3.0], 1.0), None);
        assert_eq!(Trend::fit(&[1.0, 2.0, 3.0], 0.0), None);
    }

    #[test]
    fn t_quantiles_match_tables() {
        for (p, df, t) in [(0.99, 6, 3.143), (0.95, 3, 2.353), (0.99, 30, 2.457)] {
            assert!((t_quantile(p, df) - t).abs() < 5e-4, "p={p} df={df}");
        }
    }
}
