//! Arrivals: Poisson processes (with hourly, weekday, monthly profiles and growth), daily
//! timetables, and transfers from a terminal.

use crate::dist::parse_rate_per_hour;
use crate::model::{Arrivals, RateProfile};
use crate::time::parse_time_of_day;

use super::error::{Checker, FieldPath};
use super::raw::RawArrivals;
use super::value::{dist, duration, nonneg};

/// Highest accepted arrival rate [vehicles/h]: far beyond any crossing, and low enough that
/// inter-arrival gaps stay well above the 1 ms clock resolution.
const MAX_RATE_PER_H: f64 = 100_000.0;
/// Most departures a daily timetable may list.
const MAX_TIMETABLE_PER_DAY: usize = 100_000;

/// A profile of `N` non-negative weights (`what` says which), all 1 when not given.
fn profile<const N: usize>(
    ck: &mut Checker,
    p: &FieldPath,
    xs: &Option<Vec<f64>>,
    what: &str,
) -> Option<[f64; N]> {
    let Some(xs) = xs else {
        return Some([1.0; N]);
    };
    if xs.len() != N {
        ck.report(
            p,
            format!("needs exactly {N} values ({what}), got {}", xs.len()),
        );
        return None;
    }
    if let Some((i, x)) = xs
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_finite() || **x < 0.0)
    {
        ck.report(
            &p.index(i),
            format!("must be a finite number >= 0 (got {x})"),
        );
        return None;
    }
    let mut out = [0.0; N];
    out.copy_from_slice(xs);
    Some(out)
}

/// A flow's arrivals at `p`; `horizon_days` bounds the peak rate of a growing profile.
pub(super) fn build_arrivals(
    ck: &mut Checker,
    p: &FieldPath,
    raw: &RawArrivals,
    horizon_days: u32,
) -> Option<Arrivals> {
    match raw {
        RawArrivals::Poisson {
            rate,
            hourly,
            weekday,
            monthly,
            scale,
            growth_per_year,
        } => {
            let r = match parse_rate_per_hour(rate) {
                Ok(r) => Some(r),
                Err(e) => {
                    ck.report(&p.key("rate"), e.to_string());
                    None
                }
            };
            let scale = nonneg(ck, &p.key("scale"), scale.unwrap_or(1.0));
            let h = profile::<24>(
                ck,
                &p.key("hourly"),
                hourly,
                "one per hour of the day, 00:00 first",
            );
            let w = profile::<7>(ck, &p.key("weekday"), weekday, "Monday to Sunday");
            let m = profile::<12>(ck, &p.key("monthly"), monthly, "January to December");
            let rate_per_h = r? * scale?;
            let (mut h, w, m) = (h?, w?, m?);
            if rate_per_h > MAX_RATE_PER_H {
                ck.report(
                    &p.key("rate"),
                    format!("{rate_per_h:.0} vehicles/h (after scale) is beyond what a border crossing can see; at most {MAX_RATE_PER_H:.0}/h is accepted"),
                );
                return None;
            }
            let growth = growth_per_year.unwrap_or(0.0);
            if !(growth.is_finite() && growth > -1.0 && growth <= 10.0) {
                ck.report(
                    &p.key("growth_per_year"),
                    format!("must be a share per year above -1 and at most 10, e.g. 0.23 for +23 %/yr (got {growth})"),
                );
                return None;
            }
            if hourly.is_none() && weekday.is_none() && monthly.is_none() && growth == 0.0 {
                return Some(Arrivals::Poisson { rate_per_h });
            }
            let mean_h = h.iter().sum::<f64>() / 24.0;
            if mean_h <= 0.0 {
                ck.report(
                    &p.key("hourly"),
                    "all hourly weights are zero: nothing would arrive",
                );
                return None;
            }
            for x in &mut h {
                *x /= mean_h;
            }
            let profile = RateProfile {
                rate_per_h,
                hourly: h,
                weekday: w,
                monthly: m,
                growth_per_year: growth,
            };
            if profile.peak_per_h(horizon_days) > MAX_RATE_PER_H {
                ck.report(
                    p,
                    format!(
                        "the peak rate (rate × busiest hour × weekday × month × growth) is {:.0} vehicles/h; at most {MAX_RATE_PER_H:.0}/h is accepted",
                        profile.peak_per_h(horizon_days)
                    ),
                );
                return None;
            }
            Some(Arrivals::Profiled(Box::new(profile)))
        }
        RawArrivals::Transfer {} => Some(Arrivals::Transfer),
        RawArrivals::Timetable {
            every,
            from,
            to,
            times,
            delay,
        } => {
            let delay = match delay {
                Some(d) => Some(dist(ck, &p.key("delay"), d)?),
                None => None,
            };
            let mut out = Vec::new();
            match (times, every) {
                (Some(_), Some(_)) => {
                    ck.report(
                        p,
                        "give either `times` or `every` (with `from` and `to`), not both",
                    );
                    return None;
                }
                (None, None) => {
                    ck.report(p, "a timetable needs `times = [\"08:00\", …]` or `every = \"30min\"` with `from` and `to`");
                    return None;
                }
                (Some(ts), None) => {
                    if from.is_some() || to.is_some() {
                        ck.report(p, "`from` and `to` go with `every`, not with `times`");
                    }
                    if ts.is_empty() {
                        ck.report(&p.key("times"), "needs at least one time of day");
                    }
                    for (i, t) in ts.iter().enumerate() {
                        match parse_time_of_day(t) {
                            Ok(ms) if ms < crate::time::MS_PER_DAY => out.push(ms),
                            Ok(_) => ck.report(
                                &p.key("times").index(i),
                                "24:00 is the next day's 00:00; write \"00:00\"",
                            ),
                            Err(e) => ck.report(&p.key("times").index(i), e.to_string()),
                        }
                    }
                }
                (None, Some(ev)) => {
                    let step = duration(ck, &p.key("every"), ev)?;
                    if step.as_ms() <= 0 {
                        ck.report(&p.key("every"), "must be greater than zero");
                        return None;
                    }
                    let tod = |ck: &mut Checker, key: &str, v: &Option<String>, default: &str| {
                        match parse_time_of_day(v.as_deref().unwrap_or(default)) {
                            Ok(x) => Some(x),
                            Err(e) => {
                                ck.report(&p.key(key), e.to_string());
                                None
                            }
                        }
                    };
                    let a = tod(ck, "from", from, "00:00");
                    let b = tod(ck, "to", to, "24:00");
                    let (a, b) = (a?, b?);
                    if b < a {
                        ck.report(
                            &p.key("to"),
                            "must not be before `from` (a timetable runs within one day)",
                        );
                        return None;
                    }
                    let mut t = a;
                    while t <= b
                        && t < crate::time::MS_PER_DAY
                        && out.len() <= MAX_TIMETABLE_PER_DAY
                    {
                        out.push(t);
                        t += step.as_ms();
                    }
                }
            }
            if out.len() > MAX_TIMETABLE_PER_DAY {
                ck.report(
                    p,
                    format!(
                        "{} departures a day; at most {MAX_TIMETABLE_PER_DAY} are accepted",
                        out.len()
                    ),
                );
                return None;
            }
            out.sort_unstable();
            out.dedup();
            Some(Arrivals::Timetable {
                times_ms: out,
                delay,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::problems_of;

    #[test]
    fn timetable_times_are_within_the_day_and_not_mixed_with_every() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = { process = "timetable", times = ["08:00", "24:00"] }

[[flows]]
id = "g"
mode = "truck"
route = ["gate"]
arrivals = { process = "timetable", times = ["08:00"], every = "1h" }
"#,
        );
        let want = [
            r#"t.toml:17:55: flows[0].arrivals.times[1]: 24:00 is the next day's 00:00; write "00:00""#,
            r#"t.toml:23:12: flows[1].arrivals: give either `times` or `every` (with `from` and `to`), not both"#,
        ];
        assert_eq!(got, want);
    }
}
