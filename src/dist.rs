//! Service-time and travel-time distributions, and arrival rates ("32/h").
//!
//! Every distribution is parameterised the way planners state it — by mean and standard deviation,
//! not by shape and scale — and samples whole milliseconds (rounded, never negative).

use rand::Rng;
use rand::RngExt;
use rand_distr::{Distribution as _, Exp, Exp1, Gamma, LogNormal, Triangular};

use crate::time::{
    DURATION_UNITS, MS_PER_DAY, MS_PER_HOUR, MS_PER_WEEK, SimDuration, unit_hint, unknown_unit,
};

/// Why distribution parameters were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

/// How many samples a [`Drawn`] buffer draws at a time.
pub const DRAWN: usize = 64;

/// Samples of one random stream drawn ahead, [`DRAWN`] at a time, and handed out in order.
///
/// For a stream that feeds one sampler only, the k-th value handed out is exactly the k-th sample
/// of the stream, so results are identical to drawing one at a time. Drawing in a batch runs the
/// sampler in a tight loop, where its call, the rounding to milliseconds and (for arrival gaps) a
/// division overlap from one sample to the next, instead of one at a time inside an event
/// handler, where they sat on the path to the next event (P1: ~8% of the run's wall time).
#[derive(Clone, Debug)]
pub struct Drawn {
    buf: [SimDuration; DRAWN],
    next: usize,
}

impl Default for Drawn {
    fn default() -> Self {
        Self::new()
    }
}

impl Drawn {
    /// An empty buffer: the first [`Self::take`] draws.
    pub fn new() -> Self {
        Drawn {
            buf: [SimDuration::ZERO; DRAWN],
            next: DRAWN,
        }
    }

    /// The next sample; `fill` draws the next [`DRAWN`] when the buffer is used up.
    #[inline(always)]
    pub fn take(&mut self, fill: impl FnOnce(&mut [SimDuration; DRAWN])) -> SimDuration {
        if self.next >= DRAWN {
            fill(&mut self.buf);
            self.next = 0;
        }
        let d = self.buf[self.next];
        self.next += 1;
        d
    }
}

/// A distribution of non-negative durations.
#[derive(Clone, Debug)]
pub enum Dist {
    /// Always the same value.
    Deterministic(SimDuration),
    /// Exponential with the given mean \[ms\].
    Exponential {
        /// Mean \[ms\].
        mean_ms: f64,
        /// Sampler.
        exp: Exp<f64>,
    },
    /// Uniform on [min, max] \[ms\].
    Uniform {
        /// Lower bound \[ms\].
        min_ms: f64,
        /// Upper bound \[ms\].
        max_ms: f64,
    },
    /// Triangular with min, mode, max \[ms\].
    Triangular {
        /// Mean \[ms\].
        mean_ms: f64,
        /// Variance \[ms²\].
        var_ms2: f64,
        /// Sampler.
        tri: Triangular<f64>,
    },
    /// Lognormal given by its own mean and standard deviation \[ms\].
    LogNormal {
        /// Mean \[ms\].
        mean_ms: f64,
        /// Standard deviation \[ms\].
        sd_ms: f64,
        /// Sampler.
        ln: LogNormal<f64>,
    },
    /// Gamma (Erlang-k when the shape is the integer k) given by mean and standard deviation \[ms\].
    Gamma {
        /// Mean \[ms\].
        mean_ms: f64,
        /// Standard deviation \[ms\].
        sd_ms: f64,
        /// Sampler.
        gamma: Gamma<f64>,
    },
    /// Uniform choice among observed values.
    Empirical(Vec<SimDuration>),
}

fn positive(what: &str, d: SimDuration) -> Result<f64, DistError> {
    if d.as_ms() <= 0 {
        Err(DistError(format!("{what} must be greater than zero")))
    } else {
        Ok(d.as_ms() as f64)
    }
}

fn positive_cv(cv: f64) -> Result<f64, DistError> {
    if cv.is_finite() && cv > 0.0 {
        Ok(cv)
    } else {
        Err(DistError(format!(
            "cv must be a finite number greater than zero (got {cv})"
        )))
    }
}

/// Lognormal with mean `m` and standard deviation `s` \[ms\]: σ² = ln(1 + (s/m)²), μ = ln m − σ²/2.
fn lognormal_ms(m: f64, s: f64) -> Result<Dist, DistError> {
    let sigma2 = (1.0 + (s / m).powi(2)).ln();
    let mu = m.ln() - sigma2 / 2.0;
    let ln = LogNormal::new(mu, sigma2.sqrt()).map_err(|e| DistError(format!("lognormal: {e}")))?;
    Ok(Dist::LogNormal {
        mean_ms: m,
        sd_ms: s,
        ln,
    })
}

/// Gamma with mean `m` and standard deviation `s` \[ms\]: shape (m/s)², scale s²/m.
fn gamma_ms(m: f64, s: f64) -> Result<Dist, DistError> {
    let shape = (m / s).powi(2);
    let gamma = Gamma::new(shape, s * s / m).map_err(|e| DistError(format!("gamma: {e}")))?;
    Ok(Dist::Gamma {
        mean_ms: m,
        sd_ms: s,
        gamma,
    })
}

impl Dist {
    /// A constant duration (zero allowed: an instantaneous step).
    pub fn deterministic(value: SimDuration) -> Result<Dist, DistError> {
        if value.as_ms() < 0 {
            return Err(DistError("value must not be negative".into()));
        }
        Ok(Dist::Deterministic(value))
    }

    /// Exponential with mean `mean`.
    pub fn exponential(mean: SimDuration) -> Result<Dist, DistError> {
        let m = positive("mean", mean)?;
        let exp = Exp::new(1.0 / m).map_err(|e| DistError(format!("exponential: {e}")))?;
        Ok(Dist::Exponential { mean_ms: m, exp })
    }

    /// Uniform on [min, max].
    pub fn uniform(min: SimDuration, max: SimDuration) -> Result<Dist, DistError> {
        if min.as_ms() < 0 || max < min {
            return Err(DistError(format!(
                "uniform needs 0 <= min <= max (got min {min}, max {max})"
            )));
        }
        Ok(Dist::Uniform {
            min_ms: min.as_ms() as f64,
            max_ms: max.as_ms() as f64,
        })
    }

    /// Triangular on [min, max] with the given mode.
    pub fn triangular(
        min: SimDuration,
        mode: SimDuration,
        max: SimDuration,
    ) -> Result<Dist, DistError> {
        if min.as_ms() < 0 || mode < min || max < mode || max == min {
            return Err(DistError(format!(
                "triangular needs 0 <= min <= mode <= max and min < max (got {min}, {mode}, {max})"
            )));
        }
        let (a, c, b) = (min.as_ms() as f64, mode.as_ms() as f64, max.as_ms() as f64);
        let tri = Triangular::new(a, b, c).map_err(|e| DistError(format!("triangular: {e}")))?;
        Ok(Dist::Triangular {
            mean_ms: (a + b + c) / 3.0,
            var_ms2: (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
            tri,
        })
    }

    /// Lognormal with the given mean and standard deviation of the duration itself.
    pub fn lognormal(mean: SimDuration, sd: SimDuration) -> Result<Dist, DistError> {
        let m = positive("mean", mean)?;
        let s = positive("sd", sd)?;
        lognormal_ms(m, s)
    }

    /// Lognormal with the given mean and coefficient of variation: sd = cv × mean.
    pub fn lognormal_cv(mean: SimDuration, cv: f64) -> Result<Dist, DistError> {
        let m = positive("mean", mean)?;
        lognormal_ms(m, m * positive_cv(cv)?)
    }

    /// Gamma with the given mean and standard deviation.
    pub fn gamma(mean: SimDuration, sd: SimDuration) -> Result<Dist, DistError> {
        let m = positive("mean", mean)?;
        let s = positive("sd", sd)?;
        gamma_ms(m, s)
    }

    /// Gamma with the given mean and coefficient of variation: sd = cv × mean (shape 1/cv²).
    pub fn gamma_cv(mean: SimDuration, cv: f64) -> Result<Dist, DistError> {
        let m = positive("mean", mean)?;
        gamma_ms(m, m * positive_cv(cv)?)
    }

    /// Erlang with `k` phases and the given overall mean (a gamma with integer shape k).
    pub fn erlang(mean: SimDuration, k: u32) -> Result<Dist, DistError> {
        let m = positive("mean", mean)?;
        if k == 0 {
            return Err(DistError("k must be at least 1".into()));
        }
        let gamma =
            Gamma::new(k as f64, m / k as f64).map_err(|e| DistError(format!("erlang: {e}")))?;
        Ok(Dist::Gamma {
            mean_ms: m,
            sd_ms: m / (k as f64).sqrt(),
            gamma,
        })
    }

    /// Uniform choice among observed values (at least one).
    pub fn empirical(values: Vec<SimDuration>) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError("empirical needs at least one value".into()));
        }
        if values.iter().any(|v| v.as_ms() < 0) {
            return Err(DistError("empirical values must not be negative".into()));
        }
        Ok(Dist::Empirical(values))
    }

    /// One sample, rounded to whole milliseconds and never negative.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimDuration {
        // The common cases inline at the call site; the rest go through one call.
        match self {
            Dist::Deterministic(d) => *d,
            Dist::Exponential { exp, .. } => SimDuration::from_ms_f64_nonneg(exp.sample(rng)),
            _ => self.sample_other(rng),
        }
    }

    /// Fills `buf` with consecutive samples, exactly as repeated [`Self::sample`] calls would.
    #[inline(never)]
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, buf: &mut [SimDuration]) {
        match self {
            Dist::Exponential { mean_ms, .. } => {
                // `Exp::sample` is an `Exp1` sample times 1/λ, with λ = 1/mean as built in
                // `Self::exponential`: the same product, with the ziggurat inlined into this loop
                // (a test checks the values against `Self::sample`).
                let scale = 1.0 / (1.0 / mean_ms);
                for x in buf {
                    let e: f64 = Exp1.sample(rng);
                    *x = SimDuration::from_ms_f64_nonneg(e * scale);
                }
            }
            _ => {
                for x in buf {
                    *x = self.sample(rng);
                }
            }
        }
    }

    /// [`Self::sample`] for the distributions other than deterministic and exponential.
    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> SimDuration {
        let ms = match self {
            Dist::Deterministic(d) => return *d,
            Dist::Exponential { exp, .. } => exp.sample(rng),
            Dist::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * rng.random::<f64>(),
            Dist::Triangular { tri, .. } => tri.sample(rng),
            Dist::LogNormal { ln, .. } => ln.sample(rng),
            Dist::Gamma { gamma, .. } => gamma.sample(rng),
            Dist::Empirical(v) => return v[rng.random_range(0..v.len())],
        };
        SimDuration::from_ms_f64_nonneg(ms)
    }

    /// The mean \[ms\].
    pub fn mean_ms(&self) -> f64 {
        match self {
            Dist::Deterministic(d) => d.as_ms() as f64,
            Dist::Exponential { mean_ms, .. } => *mean_ms,
            Dist::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Dist::Triangular { mean_ms, .. } => *mean_ms,
            Dist::LogNormal { mean_ms, .. } | Dist::Gamma { mean_ms, .. } => *mean_ms,
            Dist::Empirical(v) => v.iter().map(|d| d.as_ms() as f64).sum::<f64>() / v.len() as f64,
        }
    }

    /// The variance \[ms²\].
    pub fn variance_ms2(&self) -> f64 {
        match self {
            Dist::Deterministic(_) => 0.0,
            Dist::Exponential { mean_ms, .. } => mean_ms * mean_ms,
            Dist::Uniform { min_ms, max_ms } => (max_ms - min_ms).powi(2) / 12.0,
            Dist::Triangular { var_ms2, .. } => *var_ms2,
            Dist::LogNormal { sd_ms, .. } | Dist::Gamma { sd_ms, .. } => sd_ms * sd_ms,
            Dist::Empirical(v) => {
                let m = self.mean_ms();
                v.iter()
                    .map(|d| (d.as_ms() as f64 - m).powi(2))
                    .sum::<f64>()
                    / v.len() as f64
            }
        }
    }

    /// True if every sample is zero (no delay at all), so callers can skip an event.
    pub fn is_zero(&self) -> bool {
        match self {
            Dist::Deterministic(d) => d.is_zero(),
            Dist::Empirical(v) => v.iter().all(|d| d.is_zero()),
            _ => false,
        }
    }
}

/// Parses a rate: a count per unit, the unit one of the duration units (`ms`, `s`, `min`, `h`,
/// `d`) or `day` or `week` ("32/h", "600/day", "1.5/min", "100/week"), into counts per hour.
pub fn parse_rate_per_hour(text: &str) -> Result<f64, DistError> {
    let bad = || {
        DistError(format!(
            "malformed rate \"{text}\": expected a count per unit, e.g. \"32/h\", \"600/day\""
        ))
    };
    let (num, unit) = text.split_once('/').ok_or_else(bad)?;
    let n: f64 = num.trim().parse().map_err(|_| bad())?;
    let unit = unit.trim();
    let unit_ms = match unit {
        "day" => MS_PER_DAY,
        "week" => MS_PER_WEEK,
        u => match DURATION_UNITS.iter().find(|(name, _)| *name == u) {
            Some(&(_, ms)) => ms,
            None if u.is_empty() || !u.bytes().all(|b| b.is_ascii_alphabetic()) => {
                return Err(bad());
            }
            None => {
                let hint = match u {
                    "w" | "wk" | "weeks" => Some("week"),
                    "days" => Some("day"),
                    _ => unit_hint(u),
                };
                let what = format!("rate \"{text}\"");
                return Err(DistError(format!(
                    "{}, or day and week",
                    unknown_unit(&what, u, hint)
                )));
            }
        },
    };
    if !n.is_finite() || n < 0.0 {
        return Err(DistError(format!(
            "rate \"{text}\" must be a finite, non-negative number"
        )));
    }
    Ok(n * MS_PER_HOUR as f64 / unit_ms as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream;

    /// Drawing ahead hands out exactly the values of drawing one at a time, for every kind of
    /// distribution (the exponential's batch re-implements `Exp::sample`'s product).
    #[test]
    fn drawn_batches_equal_single_samples() {
        let ms = SimDuration::from_ms;
        let dists = [
            Dist::exponential(ms(360_000)).unwrap(),
            Dist::exponential(ms(54_545)).unwrap(),
            Dist::exponential(ms(7)).unwrap(),
            Dist::exponential(ms(86_400_000 * 30)).unwrap(),
            Dist::uniform(ms(10), ms(1_000)).unwrap(),
            Dist::uniform(ms(300_000), ms(1_200_000)).unwrap(),
            Dist::lognormal(ms(1_800_000), ms(900_000)).unwrap(),
            Dist::lognormal_cv(ms(40), 2.5).unwrap(),
            Dist::gamma(ms(600_000), ms(300_000)).unwrap(),
            Dist::triangular(ms(10), ms(20), ms(90)).unwrap(),
            Dist::Deterministic(ms(5)),
        ];
        for (i, d) in dists.iter().enumerate() {
            let name = format!("drawn/{i}");
            let mut one = stream(7, 0, &name);
            let mut ahead = stream(7, 0, &name);
            let mut drawn = Drawn::new();
            for k in 0..3 * DRAWN + 5 {
                let want = d.sample(&mut one);
                let got = drawn.take(|buf| d.fill(&mut ahead, buf));
                assert_eq!(got, want, "distribution {i}, sample {k}");
            }
        }
    }

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let mut rng = stream(1, 0, "test");
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng).as_ms() as f64).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    #[test]
    fn sample_moments_match_stated_parameters() {
        let min = SimDuration::from_mins;
        let cases = [
            Dist::exponential(min(6)).unwrap(),
            Dist::uniform(min(2), min(10)).unwrap(),
            Dist::triangular(min(2), min(3), min(10)).unwrap(),
            Dist::lognormal(min(30), min(24)).unwrap(),
            Dist::gamma(min(30), min(10)).unwrap(),
            Dist::erlang(min(6), 4).unwrap(),
            Dist::empirical(vec![min(1), min(2), min(6)]).unwrap(),
        ];
        for d in &cases {
            let (m, v) = moments(d, 200_000);
            let rel_m = (m - d.mean_ms()).abs() / d.mean_ms();
            let rel_v = (v - d.variance_ms2()).abs() / d.variance_ms2();
            assert!(rel_m < 0.01, "{d:?}: mean {m} vs {}", d.mean_ms());
            assert!(rel_v < 0.05, "{d:?}: var {v} vs {}", d.variance_ms2());
        }
    }

    #[test]
    fn a_cv_gives_the_spread_in_proportion_to_the_mean() {
        // mean 9.6 min = 576,000 ms, cv 0.9: sd 518,400 ms.
        let mean = SimDuration::from_secs(576);
        let (m, cv) = (576_000.0_f64, 0.9_f64);
        for d in [
            Dist::lognormal_cv(mean, cv).unwrap(),
            Dist::gamma_cv(mean, cv).unwrap(),
        ] {
            assert!((d.mean_ms() - m).abs() < 1e-9);
            assert!((d.variance_ms2().sqrt() - 518_400.0).abs() < 1e-6);
            let (sm, sv) = moments(&d, 400_000);
            assert!((sm - m).abs() / m < 0.01, "{d:?}: mean {sm}");
            assert!(
                (sv.sqrt() - 518_400.0).abs() / 518_400.0 < 0.03,
                "{d:?}: sd {}",
                sv.sqrt()
            );
        }
        // The lognormal's parameters: σ² = ln(1 + cv²) = ln 1.81, μ = ln(mean) − σ²/2; the log
        // of the draws has that mean and variance.
        let sigma2 = 1.81_f64.ln();
        let mu = m.ln() - sigma2 / 2.0;
        let mut rng = stream(1, 0, "test");
        let d = Dist::lognormal_cv(mean, cv).unwrap();
        let logs: Vec<f64> = (0..400_000)
            .map(|_| (d.sample(&mut rng).as_ms() as f64).ln())
            .collect();
        let lm = logs.iter().sum::<f64>() / logs.len() as f64;
        let lv = logs.iter().map(|x| (x - lm).powi(2)).sum::<f64>() / (logs.len() - 1) as f64;
        assert!((lm - mu).abs() < 0.005, "E ln X {lm} vs μ {mu}");
        assert!(
            (lv - sigma2).abs() / sigma2 < 0.01,
            "Var ln X {lv} vs σ² {sigma2}"
        );
        // The gamma's shape is 1/cv² = 1.2346: mean² ÷ variance of the draws.
        let (gm, gv) = moments(&Dist::gamma_cv(mean, cv).unwrap(), 400_000);
        assert!(
            (gm * gm / gv - 1.0 / 0.81).abs() < 0.03,
            "shape {}",
            gm * gm / gv
        );
        // The same spread given as sd samples the same durations.
        let sd = SimDuration::from_ms(518_400);
        let (a, b) = (
            Dist::gamma_cv(mean, cv).unwrap(),
            Dist::gamma(mean, sd).unwrap(),
        );
        let (mut ra, mut rb) = (stream(3, 0, "x"), stream(3, 0, "x"));
        for _ in 0..1000 {
            assert_eq!(a.sample(&mut ra), b.sample(&mut rb));
        }
        for bad in [0.0, -0.5, f64::NAN, f64::INFINITY] {
            assert!(Dist::lognormal_cv(mean, bad).is_err(), "{bad}");
            assert!(Dist::gamma_cv(mean, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deterministic_is_exact() {
        let d = Dist::deterministic(SimDuration::from_secs(90)).unwrap();
        let mut rng = stream(1, 0, "x");
        assert_eq!(d.sample(&mut rng), SimDuration::from_secs(90));
        assert_eq!(d.variance_ms2(), 0.0);
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        let z = SimDuration::ZERO;
        let m = SimDuration::from_mins(5);
        assert!(Dist::exponential(z).is_err());
        assert!(Dist::uniform(m, SimDuration::from_mins(1)).is_err());
        assert!(Dist::triangular(m, SimDuration::from_mins(1), m).is_err());
        assert!(Dist::lognormal(m, z).is_err());
        assert!(Dist::erlang(m, 0).is_err());
        assert!(Dist::empirical(vec![]).is_err());
    }

    #[test]
    fn rates_parse_to_per_hour() {
        assert_eq!(parse_rate_per_hour("32/h").unwrap(), 32.0);
        assert_eq!(parse_rate_per_hour("600/day").unwrap(), 25.0);
        assert_eq!(parse_rate_per_hour("1/min").unwrap(), 60.0);
        assert_eq!(parse_rate_per_hour("100/week").unwrap(), 100.0 / 168.0);
        assert_eq!(parse_rate_per_hour("48/d").unwrap(), 2.0);
        assert_eq!(parse_rate_per_hour("1/s").unwrap(), 3600.0);
        for bad in ["32", "32/hr?", "-1/h", "x/h", "32/parsec", "32/", "32/1h"] {
            assert!(parse_rate_per_hour(bad).is_err(), "{bad}");
        }
        // The units of durations, with the unit to write for the ones people often use.
        for (bad, write) in [
            ("32/hour", "h"),
            ("32/hr", "h"),
            ("1/minute", "min"),
            ("1/m", "min"),
            ("5/w", "week"),
            ("5/days", "day"),
        ] {
            let e = parse_rate_per_hour(bad).expect_err(bad).0;
            assert!(e.contains(&format!("(write \"{write}\")")), "{bad}: {e}");
        }
    }
}
