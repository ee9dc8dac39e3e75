//! How every figure is printed — text tables, the sweep listing and the HTML report alike: no
//! more digits than the figure has, no interval where there is none, a missing estimate as "—",
//! and the number of replications behind an estimate when it is not all of them.
//!
//! The digits of an estimate are the fewest of:
//! - the column's own precision (`max_decimals`: 1 decimal for vehicles per day, 2 for hours…);
//! - about two significant digits of its 95% half-width (`1.333 ± 3.795` prints `1.3 ± 3.8`,
//!   `12345 ± 370` prints `12350 ± 370`);
//! - for a quantile, no finer than the histogram it comes from: a wait quantile of 22 h lies in
//!   a bucket 4.4 min wide, known to ±0.04 h, so it prints to 0.1 h;
//!
//! but never so few that a non-zero interval prints as zero: it keeps one significant digit
//! (`0.03 ± 0.01` in a column of 1 decimal, not `0.0 ± 0.0`).
//!
//! A half-width that is only floating-point rounding (at most 1e-9 of the mean: every replication
//! gave the same value) counts as zero: `57.9 ± 0.0`, not `57.948717949 ± 0.000000000`.
//!
//! An estimate over one replication has no interval and prints none (a JSON `ci95` stays 0, as the
//! contract says).

use crate::stats::{Estimate, Histogram};
use crate::time::MS_PER_HOUR;

/// The dash shown for an estimate that no replication had.
pub(crate) const MISSING: &str = "—";

/// What a printed figure may show: its column's precision and, for a quantile, the resolution of
/// the histogram behind it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Digits {
    /// Most decimals the column shows (negative: rounded to tens, hundreds…).
    pub max_decimals: i32,
    /// How finely the figure itself is known, in its printed unit (0: exactly).
    pub resolution: f64,
}

impl Digits {
    /// The digits of KPI `kpi` at value `x` (in the KPI's unit), printed × `scale` with at most
    /// `max_decimals` decimals.
    pub(crate) fn of(kpi: &str, x: f64, scale: f64, max_decimals: i32) -> Digits {
        Digits {
            max_decimals,
            resolution: resolution(kpi, x) * scale.abs(),
        }
    }

    /// Decimals for a figure with 95% half-width `ci` (in the printed unit), if it has one.
    pub(crate) fn decimals(&self, ci: Option<f64>) -> i32 {
        let mut d = self.max_decimals;
        if let Some(ci) = ci.filter(|c| c.is_finite() && *c > 0.0) {
            // Two significant digits of the half-width.
            d = d.min(1 - ci.log10().floor() as i32);
        }
        if self.resolution.is_finite() && self.resolution > 0.0 {
            // The last digit no finer than the resolution.
            d = d.min(-(self.resolution.log10().ceil() as i32));
        }
        if let Some(ci) = ci.filter(|c| c.is_finite() && *c > 0.0) {
            // Never a real interval shown as "± 0": at least one significant digit of it
            // (0.03 ± 0.01, not 0.0 ± 0.0), whatever the column's precision.
            d = d.max((-(ci.log10().floor() as i32)).min(9));
        }
        d
    }
}

/// How finely KPI `kpi` is known at value `x` (its unit): half a histogram bucket for the wait
/// and time-in-system quantiles (`*_p50_h`, `*_p95_h`, `*_p99_h`), 0 for every other figure.
pub(crate) fn resolution(kpi: &str, x: f64) -> f64 {
    let quantile = ["_p50_h", "_p95_h", "_p99_h"]
        .iter()
        .any(|q| kpi.ends_with(q));
    if quantile && x.is_finite() {
        let h = MS_PER_HOUR as f64;
        Histogram::quantile_resolution(x * h) / h
    } else {
        0.0
    }
}

/// `x` rounded to `decimals` decimals (negative: to tens, hundreds…), never "-0".
pub(crate) fn fixed(x: f64, decimals: i32) -> String {
    let text = if decimals >= 0 {
        format!("{:.*}", decimals as usize, x)
    } else {
        let step = 10f64.powi(-decimals);
        format!("{:.0}", (x / step).round() * step)
    };
    match text.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| matches!(b, b'0' | b'.')) => rest.to_string(),
        _ => text,
    }
}

/// `e` × `scale` as "mean ± ci95" (an interval only when at least two replications had a
/// value), "mean" (one did), or [`MISSING`] (none did); followed by " (n=K)" when K of
/// `replications` replications stand behind it. `sign` prints a + on positive means.
pub(crate) fn estimate(
    e: &Estimate,
    scale: f64,
    digits: Digits,
    replications: usize,
    sign: bool,
) -> String {
    let Some(mean) = e.value() else {
        return MISSING.into();
    };
    // A half-width at the level of floating-point rounding of the mean (every replication gave
    // the same value, up to the last bits) is no interval: it must not demand nine decimals.
    let ci = e.interval().map(|c| c * scale).map(|c| {
        if c <= 1e-9 * (mean * scale).abs() {
            0.0
        } else {
            c
        }
    });
    let d = digits.decimals(ci);
    let mut text = fixed(mean * scale, d);
    if sign && !text.starts_with('-') && text.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        text.insert(0, '+');
    }
    if let Some(ci) = ci {
        text.push_str(" ± ");
        text.push_str(&fixed(ci, d));
    }
    if e.n < replications {
        text.push_str(&format!(" (n={})", e.n));
    }
    text
}

/// The line that explains "(n=K)" and "—" under a table of estimates over `replications`.
pub(crate) fn n_note(replications: usize) -> String {
    format!(
        "(n=K): over the K of {replications} replications where the statistic exists (e.g. a wait \
         needs a vehicle served); {MISSING}: in none."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, ci95: f64, n: usize) -> Estimate {
        Estimate {
            mean,
            ci95,
            sd: 0.0,
            n,
        }
    }

    fn plain(max_decimals: i32) -> Digits {
        Digits {
            max_decimals,
            resolution: 0.0,
        }
    }

    #[test]
    fn an_interval_keeps_two_significant_digits() {
        assert_eq!(
            estimate(&est(1.333, 3.795, 5), 1.0, plain(3), 5, false),
            "1.3 ± 3.8"
        );
        assert_eq!(
            estimate(&est(8.142, 0.063, 5), 1.0, plain(2), 5, false),
            "8.14 ± 0.06"
        );
        assert_eq!(
            estimate(&est(12345.0, 370.0, 5), 1.0, plain(0), 5, false),
            "12350 ± 370"
        );
        assert_eq!(
            estimate(&est(749.23, 0.8, 5), 1.0, plain(1), 5, false),
            "749.2 ± 0.8"
        );
        // An interval of exactly 0 over several replications is an interval.
        assert_eq!(
            estimate(&est(584.6, 0.0, 5), 1.0, plain(1), 5, false),
            "584.6 ± 0.0"
        ); // So is one of floating-point dust: 175.384615385 staff hours a day in every replication,
        // summed in a different order (not 175.384615385 ± 0.000000000).
        assert_eq!(
            estimate(
                &est(175.384_615_384_615_4, 3e-14, 10),
                1.0,
                plain(1),
                10,
                false
            ),
            "175.4 ± 0.0"
        );
    }

    #[test]
    fn a_real_interval_never_prints_as_zero() {
        // Road max 0.030 ± 0.010 km in a column of 1 decimal; queue max 0.90 ± 0.30 in a column
        // of whole vehicles.
        assert_eq!(
            estimate(&est(0.03, 0.01, 30), 1.0, plain(1), 30, false),
            "0.03 ± 0.01"
        );
        assert_eq!(
            estimate(&est(0.9, 0.3, 30), 1.0, plain(0), 30, false),
            "0.9 ± 0.3"
        );
    }

    #[test]
    fn rounding_noise_is_no_interval() {
        // Staff hours that every replication shares, up to the last bits of the mean (seen as
        // "57.948717949 ± 0.000000000"), and a p95 that fell in the same bucket every time.
        assert_eq!(
            estimate(
                &est(57.948_717_948_717_95, 7.1e-15, 10),
                1.0,
                plain(1),
                10,
                false
            ),
            "57.9 ± 0.0"
        );
        let p95 = Digits::of("wait_p95_h", 15.400959861, 1.0, 2);
        assert_eq!(
            estimate(&est(15.400959861, 3.6e-15, 10), 1.0, p95, 10, false),
            "15.4 ± 0.0"
        );
        // A small but real interval keeps its digit.
        assert_eq!(
            estimate(&est(57.9, 1e-6, 10), 1.0, plain(1), 10, false),
            "57.900000 ± 0.000001"
        );
    }

    #[test]
    fn one_replication_has_no_interval_and_none_has_no_figure() {
        assert_eq!(estimate(&est(0.5, 0.0, 1), 1.0, plain(2), 1, false), "0.50");
        assert_eq!(estimate(&Estimate::MISSING, 1.0, plain(2), 30, false), "—");
        assert_eq!(
            estimate(&est(12.0505, 2.5, 21), 1.0, plain(2), 30, false),
            "12.1 ± 2.5 (n=21)"
        );
        assert_eq!(
            estimate(&est(3.0, 0.0, 1), 1.0, plain(2), 4, false),
            "3.00 (n=1)"
        );
    }

    #[test]
    fn a_quantile_prints_no_finer_than_its_bucket() {
        // 22.06 h: buckets of 4.4 min, ±0.036 h → 0.1 h.
        let d = Digits::of("wait_p95_h", 22.06, 1.0, 2);
        assert_eq!(d.decimals(None), 1);
        assert_eq!(estimate(&est(22.06, 0.0, 1), 1.0, d, 1, false), "22.1");
        // 1.5 h: buckets of 16 s, ±0.0023 h → 0.01 h, the column's precision.
        assert_eq!(
            Digits::of("y2027.wait_p95_h", 1.5, 1.0, 2).decimals(None),
            2
        );
        // A mean is exact.
        assert_eq!(Digits::of("wait_mean_h", 22.06, 1.0, 2).decimals(None), 2);
    }

    #[test]
    fn signs_and_rounding_to_tens() {
        assert_eq!(fixed(-0.001, 2), "0.00");
        assert_eq!(fixed(-12.0, -1), "-10");
        assert_eq!(
            estimate(&est(0.48, 0.05, 3), 1.0, plain(2), 3, true),
            "+0.48 ± 0.05"
        );
        assert_eq!(
            estimate(&est(-0.48, 0.05, 3), 1.0, plain(2), 3, true),
            "-0.48 ± 0.05"
        );
        assert_eq!(
            estimate(&est(0.001, 0.0, 1), 1.0, plain(2), 1, true),
            "0.00"
        );
    }
}
