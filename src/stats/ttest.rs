//! Paired t-tests and the Holm adjustment of a family of them: the two-sided p-value of a
//! Student-t statistic (from the regularized incomplete beta function, computed here by its
//! continued fraction) and Holm's step-down adjustment, which keeps the probability of any false
//! "significant" in the family at most the level, whatever the dependence between the tests.

/// Natural log of the gamma function for x > 0 (Lanczos, g = 7, 9 terms; relative error below
/// 1e-13 over the range used here).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + G + 0.5;
    let sum = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |s, (i, c)| s + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The continued fraction of the incomplete beta function (modified Lentz), valid for
/// x < (a + 1) / (a + b + 2).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1
/// (NaN outside that domain).
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&x)) {
        return f64::NAN;
    }
    if x == 0.0 || x == 1.0 {
        return x;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    // The fraction converges fast on one side of the mean a / (a + b); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) on the other.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// Two-sided p-value of a Student-t statistic `t` with `df` degrees of freedom:
/// P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2). An infinite `t` gives 0; NaN or df ≤ 0 give NaN.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    incomplete_beta(df / 2.0, 0.5, x).clamp(0.0, 1.0)
}

/// Two-sided p-value of the paired t-test of a mean difference `mean` with sample sd `sd` over
/// `n` pairs (t = mean / (sd / √n), n − 1 degrees of freedom). NaN below two pairs (no test); a
/// difference with no spread is certain: p = 0 when it is not zero, 1 when it is.
pub fn paired_p(mean: f64, sd: f64, n: usize) -> f64 {
    if n < 2 || !mean.is_finite() || !sd.is_finite() {
        return f64::NAN;
    }
    if sd == 0.0 {
        return if mean == 0.0 { 1.0 } else { 0.0 };
    }
    t_two_sided_p(mean / (sd / (n as f64).sqrt()), (n - 1) as f64)
}

/// Holm's step-down adjustment of the p-values of one family of tests, in their given order.
/// Sorted ascending, the i-th smallest of m (from 1) becomes max over j ≤ i of min(1, (m − j + 1)
/// · p_(j)). NaN entries (comparisons that could not be tested) are not members of the family
/// and stay NaN; m counts the others.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = order.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running: f64 = 0.0;
    for (j, &i) in order.iter().enumerate() {
        let adjusted = ((m - j) as f64 * p[i]).min(1.0);
        running = running.max(adjusted);
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b; I_0.5(a, a) = 0.5.
        for x in [0.0, 0.1, 0.37, 0.5, 0.9, 1.0] {
            assert!(close(incomplete_beta(1.0, 1.0, x), x, 1e-13), "{x}");
            assert!(close(incomplete_beta(3.0, 1.0, x), x.powi(3), 1e-13), "{x}");
            let want = 1.0 - (1.0 - x).powf(2.5);
            assert!(close(incomplete_beta(1.0, 2.5, x), want, 1e-13), "{x}");
        }
        for a in [0.5, 2.0, 7.5, 40.0] {
            assert!(close(incomplete_beta(a, a, 0.5), 0.5, 1e-12), "{a}");
        }
        assert!(incomplete_beta(0.0, 1.0, 0.5).is_nan());
        assert!(incomplete_beta(1.0, 1.0, 1.5).is_nan());
    }

    #[test]
    fn t_p_values_match_tables_and_closed_forms() {
        // The 0.975 quantiles of the tables give p = 0.05 two-sided.
        for (t, df) in [(2.262, 9.0), (12.706, 1.0), (2.776, 4.0), (2.045, 29.0)] {
            let p = t_two_sided_p(t, df);
            assert!(close(p, 0.05, 2e-4), "t={t} df={df}: p={p}");
        }
        // df = 1 is the Cauchy distribution: P(|T| ≥ 1) = 1/2 exactly.
        assert!(close(t_two_sided_p(1.0, 1.0), 0.5, 1e-13));
        // df = 2: P(|T| ≥ t) = 1 − t / √(t² + 2); at t = 2, 1 − 2/√6 = 0.183503.
        assert!(close(
            t_two_sided_p(2.0, 2.0),
            1.0 - 2.0 / 6f64.sqrt(),
            1e-12
        ));
        assert!(close(
            t_two_sided_p(-2.0, 2.0),
            1.0 - 2.0 / 6f64.sqrt(),
            1e-12
        ));
        // Large df: the normal distribution, P(|Z| ≥ 1.959964) = 0.05.
        assert!(close(t_two_sided_p(1.959_964, 1e7), 0.05, 1e-6));
        assert_eq!(t_two_sided_p(0.0, 5.0), 1.0);
        assert_eq!(t_two_sided_p(f64::INFINITY, 5.0), 0.0);
        assert!(t_two_sided_p(1.0, 0.0).is_nan());
        // Agrees with the interval: |t| at the 95% critical value is p = 0.05 for every df.
        for df in 1..60 {
            let t = crate::stats::t_critical_95(df);
            let p = t_two_sided_p(t, df as f64);
            assert!(close(p, 0.05, 1e-9), "df={df}: p={p}");
        }
    }

    #[test]
    fn paired_p_tests_the_mean_difference() {
        // Differences 1, 2, 3, 4, 5: mean 3, sd √2.5, t = 3 / (√2.5 / √5) = 3√2 = 4.2426, df 4;
        // two-sided p = 0.01324 (tables: t(0.99, 4) = 3.747, t(0.995, 4) = 4.604).
        let p = paired_p(3.0, 2.5f64.sqrt(), 5);
        assert!(close(p, 0.013_24, 1e-4), "{p}");
        assert!(p > 0.01 && p < 0.02);
        assert!(paired_p(3.0, 1.0, 1).is_nan());
        assert_eq!(paired_p(0.5, 0.0, 4), 0.0);
        assert_eq!(paired_p(0.0, 0.0, 4), 1.0);
    }

    #[test]
    fn holm_adjusts_a_worked_example() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005, 0.01, 0.03, 0.04.
        //   0.005 × 4 = 0.02
        //   0.01 × 3 = 0.03, max(0.02, 0.03) = 0.03
        //   0.03 × 2 = 0.06, max(0.03, 0.06) = 0.06
        //   0.04 × 1 = 0.04, max(0.06, 0.04) = 0.06
        // Back in the given order: 0.03, 0.06, 0.06, 0.02. At 5 %, only the smallest two remain
        // significant, where all four were nominally.
        let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
        for (a, want) in adj.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert!(close(*a, want, 1e-15), "{adj:?}");
        }
        // Capped at 1; untestable members left out of m.
        let adj = holm(&[0.6, f64::NAN, 0.2]);
        // m = 2: 0.2 × 2 = 0.4; 0.6 × 1 = 0.6.
        assert!(close(adj[0], 0.6, 1e-15) && close(adj[2], 0.4, 1e-15) && adj[1].is_nan());
        assert_eq!(holm(&[0.7, 0.9]), [1.0, 1.0]);
        // A family of one is not adjusted.
        assert_eq!(holm(&[0.03]), [0.03]);
        assert!(holm(&[]).is_empty());
    }
}
