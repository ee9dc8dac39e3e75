//! The report's hourly and daily aggregates of a stage's time series — lane utilisation by hour
//! of day, vehicles served and the quota per day — by the one bucketing rule
//! ([`crate::time::Buckets`]): each sample covers the step `[previous sample, sample)`, and what it
//! counts over that step goes to the hours or days the step overlaps, by overlap, on the stage's
//! own clock. So the sample taken at 09:00 (the step 08:00–09:00) is hour 08, and a booth open
//! 08:00–09:00 shows its whole utilisation there.

use std::collections::BTreeMap;

use crate::kpi::Sample;
use crate::time::{Buckets, MS_PER_DAY, MS_PER_HOUR, hour_of_day};

/// Each sample's step as the span `[from, to)` it covers, in ms on the reference clock: from
/// the previous sample, the first from the end of the warm-up.
fn steps(samples: &[Sample], warmup_h: f64) -> impl Iterator<Item = (i64, i64, &Sample)> {
    let ms = |h: f64| (h * MS_PER_HOUR as f64).round() as i64;
    let mut from = ms(warmup_h);
    samples.iter().map(move |s| {
        let to = ms(s.hours);
        let step = (from, to, s);
        from = to;
        step
    })
}

/// `amount` over the span `[a, b)` split among the buckets it overlaps, by overlap (the one
/// bucketing rule, [`Buckets`]): (bucket, share of `amount`, ms covered).
fn spread(buckets: Buckets, a: i64, b: i64, amount: f64) -> impl Iterator<Item = (i64, f64, i64)> {
    let len = (b - a).max(1) as f64;
    buckets
        .split(a, b)
        .map(move |(k, ms)| (k, amount * ms as f64 / len, ms))
}

/// Utilisation by hour of day of one stage's samples: per hour of its clock, busy lane-time
/// within open lane-time over open lane-time [%], over the sampled days.
pub(super) fn utilisation_by_hour(
    samples: &[Sample],
    warmup_h: f64,
    shift_ms: i64,
) -> [Option<f64>; 24] {
    let hours = Buckets::hours(shift_ms);
    let mut busy = [0.0; 24];
    let mut open = [0.0; 24];
    for (a, b, s) in steps(samples, warmup_h) {
        let (Some(bu), Some(op)) = (s.busy_lane_h, s.open_lane_h) else {
            continue;
        };
        // A step counts only where its busy time inside opening hours is known: it lies in one
        // hour of the stage's clock, and its lanes were open throughout it (or not at all).
        // In a step open only in part, busy time may be overtime past closing (a truck at
        // 16:20 served 30 min at a booth closing at 16:30 is 10 busy minutes of 30 open, not
        // 100 %), and the series does not say how much.
        let mut parts = hours.split(a, b);
        let (Some((k, _)), None) = (parts.next(), parts.next()) else {
            continue;
        };
        let step_h = (b - a) as f64 / MS_PER_HOUR as f64;
        let whole = op == 0.0 || (op - s.lanes_open * step_h).abs() <= 1e-6 * op.max(1.0);
        if !whole {
            continue;
        }
        // A lane that retired while serving: busy beyond the open lanes is overtime.
        busy[hour_of_day(k)] += bu.min(op);
        open[hour_of_day(k)] += op;
    }
    std::array::from_fn(|h| (open[h] > 0.0).then(|| 100.0 * busy[h] / open[h]))
}

/// Vehicles served per day (on the clock `shift_ms` ahead of the reference) over the days the
/// samples cover completely, and the daily quota in effect on each of those days.
pub(super) fn served_by_day(
    samples: &[Sample],
    warmup_h: f64,
    shift_ms: i64,
) -> Vec<(i64, f64, Option<f64>)> {
    let days = Buckets::days(shift_ms);
    let mut per_day: BTreeMap<i64, (f64, i64, Option<f64>)> = BTreeMap::new();
    for (a, b, s) in steps(samples, warmup_h) {
        for (day, served, ms) in spread(days, a, b, s.served) {
            let e = per_day.entry(day).or_default();
            e.0 += served;
            e.1 += ms;
        }
        // The quota is a level just before the sampling instant: the quota of the day that
        // holds the step's last millisecond.
        if let Some(q) = s.daily_quota {
            per_day.entry(days.of(b - 1)).or_default().2 = Some(q);
        }
    }
    per_day
        .into_iter()
        .filter(|(_, (_, covered, _))| *covered >= MS_PER_DAY)
        .map(|(day, (served, _, quota))| (day, served, quota))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::series_samples;
    use crate::model::{Observe, simulate_with};
    use crate::scenario::{Overrides, parse};

    /// A booth open 08:00–09:00 (on its own clock); trucks at 07:00 (waits, served 08:00–08:30)
    /// and 08:50 (served 08:50–09:20) local time, with a quota of 2 a day. Busy within open
    /// hours: 40 of the 60 open minutes each day, all in hour 08. 4 days, 1 warm-up.
    fn booth(stage_clock: &str, arrivals: &str) -> String {
        format!(
            r#"
[simulation]
name = "u1"
days = 4
warmup_days = 1
start_date = "2026-03-02"
utc_offset = "+05:00"

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = {{ dist = "deterministic", value = "30min" }}
  hours = {{ hours = "08:00-09:00", utc_offset = "{stage_clock}" }}
  daily_quota = 2

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "timetable", times = [{arrivals}] }}
"#
        )
    }

    fn samples(text: &str) -> Vec<Sample> {
        let model = parse(text, "t.toml", Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        let observe = Observe {
            series_step: Some(model.series_step),
        };
        let rep = simulate_with(&model, 0, observe);
        series_samples(&model, &rep.series)
            .remove("cp/s")
            .expect("samples")
    }

    fn only_hour_8(util: [Option<f64>; 24]) {
        for (h, u) in util.iter().enumerate() {
            match h {
                // Lane-time is printed to 1e-6 lane-h: 0.666667 of 1.
                8 => assert!((u.unwrap() - 200.0 / 3.0).abs() < 1e-3, "{util:?}"),
                _ => assert_eq!(*u, None, "hour {h}: {util:?}"),
            }
        }
    }

    #[test]
    fn utilisation_of_an_hour_is_that_hour_averaged() {
        // The sample at 09:00 covers 08:00–09:00: hour 08, 40/60 busy; at 10:00 the lane worked
        // 20 min past closing, which is overtime, and no lane was open: no point at 09.
        let s = samples(&booth("+05:00", r#""07:00", "08:50""#));
        only_hour_8(utilisation_by_hour(&s, 24.0, 0));
    }

    #[test]
    fn utilisation_by_hour_is_on_the_stage_clock() {
        // The booth keeps UTC+08:00, 3 h ahead of the reference: trucks at 04:00 and 05:50 on
        // the reference clock are 07:00 and 08:50 on the booth's. Its hour 08 is reference 05.
        let s = samples(&booth("+08:00", r#""04:00", "05:50""#));
        only_hour_8(utilisation_by_hour(&s, 24.0, 3 * MS_PER_HOUR));
        let on_reference = utilisation_by_hour(&s, 24.0, 0);
        assert!((on_reference[5].unwrap() - 200.0 / 3.0).abs() < 1e-3);
    }

    /// A booth open 08:00–16:30, one truck a day at 16:20 served 16:20–16:50: 10 of its 30 min
    /// inside opening hours, 20 min overtime. Series every `step`.
    fn late_truck(step: &str) -> Vec<Sample> {
        samples(&format!(
            r#"
[simulation]
name = "u2"
days = 4
warmup_days = 1
start_date = "2026-03-02"
series_step = "{step}"

[[checkpoints]]
id = "cp"
  [[checkpoints.stages]]
  id = "s"
  lanes = 1
  service = {{ dist = "deterministic", value = "30min" }}
  hours = "08:00-16:30"

[[flows]]
id = "f"
mode = "truck"
route = ["cp"]
arrivals = {{ process = "timetable", times = ["16:20"] }}
"#
        ))
    }

    #[test]
    fn overtime_past_closing_is_not_utilisation_of_the_hour() {
        // Half-hour steps: 16:00–16:30 is wholly open, 10 of 30 min busy: 33.3 %; 08–15 idle.
        let u = utilisation_by_hour(&late_truck("30min"), 24.0, 0);
        assert!((u[16].unwrap() - 100.0 / 3.0).abs() < 1e-3, "{u:?}");
        assert!((8..16).all(|h| u[h] == Some(0.0)), "{u:?}");
        assert!((0..8).chain(17..24).all(|h| u[h].is_none()), "{u:?}");
        // Hourly steps: 16:00–17:00 is open only in part and its busy time inside the opening
        // is not known: no figure for hour 16 rather than 30 min busy of 30 open = 100 %.
        let u = utilisation_by_hour(&late_truck("1h"), 24.0, 0);
        assert_eq!(u[16], None, "{u:?}");
        assert_eq!(u[15], Some(0.0));
    }

    #[test]
    fn steps_longer_than_an_hour_give_no_hourly_figure() {
        // 2 h steps span two hours each: nothing is drawn rather than the step's mean twice.
        let text = booth("+05:00", r#""07:00", "08:50""#).replace(
            "utc_offset = \"+05:00\"\n\n[[checkpoints]]",
            "utc_offset = \"+05:00\"\nseries_step = \"2h\"\n\n[[checkpoints]]",
        );
        assert!(text.contains("series_step"));
        let u = utilisation_by_hour(&samples(&text), 24.0, 0);
        assert!(u.iter().all(Option::is_none), "{u:?}");
    }

    #[test]
    fn served_per_day_counts_whole_days_of_the_stage_clock() {
        // Same clock: measured days 1, 2, 3 are whole; 2 trucks a day (the last, served until
        // 09:20, is counted when it leaves, in the step ending 10:00 of the same day).
        let s = samples(&booth("+05:00", r#""07:00", "08:50""#));
        assert_eq!(
            served_by_day(&s, 24.0, 0),
            [
                (1, 2.0, Some(2.0)),
                (2, 2.0, Some(2.0)),
                (3, 2.0, Some(2.0))
            ]
        );
        // UTC+08:00: the measured span, reference day 1 00:00 to day 4 00:00, is local day 1
        // 03:00 to day 4 03:00; whole local days 2 and 3 only.
        let s = samples(&booth("+08:00", r#""04:00", "05:50""#));
        assert_eq!(
            served_by_day(&s, 24.0, 3 * MS_PER_HOUR),
            [(2, 2.0, Some(2.0)), (3, 2.0, Some(2.0))]
        );
    }
}
