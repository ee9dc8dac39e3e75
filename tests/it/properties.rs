//! Invariants over random inputs: durations print and parse back to themselves, a calendar's
//! open time is additive over adjacent intervals and agrees with its open/closed state, and a
//! histogram merged from two halves equals one that recorded every sample.

use borderflow::calendar::{Calendar, OpenState, parse_closed_date, parse_windows};
use borderflow::stats::Histogram;
use borderflow::time::{
    MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, SimDuration, SimTime, parse_date, parse_duration,
};
use proptest::prelude::*;

/// "HH:MM" of `minutes` after midnight (0..=1440).
fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Windows text of up to three windows of one day, some of which may run over midnight:
/// each as (start minute, length in minutes).
fn windows_text(ws: &[(i64, i64)]) -> String {
    if ws.is_empty() {
        return "closed".into();
    }
    ws.iter()
        .map(|&(s, len)| hhmm(s) + "-" + &hhmm((s + len) % (24 * 60)))
        .collect::<Vec<_>>()
        .join(",")
}

/// A calendar with random windows on each weekday, random closed dates in January 2026 and a
/// random clock offset. The simulation starts on Monday 2026-01-05.
fn calendar() -> impl Strategy<Value = Calendar> {
    let window = (0i64..24 * 60, 1i64..24 * 60 - 1);
    let day = proptest::collection::vec(window, 0..3);
    let week = proptest::collection::vec(day, 7);
    let closed = proptest::collection::vec(1u32..=31, 0..4);
    let shift_h = -12i64..=12;
    (week, closed, shift_h).prop_filter_map("windows overlap", |(week, closed, shift_h)| {
        let mut parsed: [Vec<_>; 7] = Default::default();
        for (wd, ws) in week.iter().enumerate() {
            if ws.is_empty() {
                continue;
            }
            // Overlapping windows are an input error; the strategy skips them.
            parsed[wd] = parse_windows(&windows_text(ws)).ok()?;
        }
        let closed = closed
            .iter()
            .map(|d| parse_closed_date(&format!("2026-01-{d:02}")).expect("valid date"))
            .collect();
        let start = parse_date("2026-01-05").expect("valid date");
        Some(Calendar::new(
            parsed,
            closed,
            start,
            SimDuration::from_hours(shift_h),
        ))
    })
}

/// An instant within the first five weeks, to the minute (so windows' edges are hit often).
fn instant() -> impl Strategy<Value = SimTime> {
    (0i64..35 * 24 * 60).prop_map(|m| SimTime::from_ms(m * MS_PER_MIN))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_duration_prints_as_text_that_parses_back_to_it(ms in 0i64..1_000_000_000_000) {
        let d = SimDuration::from_ms(ms);
        let text = d.to_string();
        prop_assert_eq!(parse_duration(&text), Ok(d), "printed as {}", text);
    }

    #[test]
    fn a_whole_number_of_units_parses_to_its_milliseconds(
        n in 0i64..100_000,
        unit in prop::sample::select(vec![
            ("ms", 1), ("s", 1_000), ("min", MS_PER_MIN), ("h", MS_PER_HOUR), ("d", MS_PER_DAY),
        ]),
    ) {
        let text = format!("{n}{}", unit.0);
        prop_assert_eq!(parse_duration(&text), Ok(SimDuration::from_ms(n * unit.1)));
    }

    #[test]
    fn open_time_is_additive_over_adjacent_intervals(
        cal in calendar(),
        mut t in proptest::collection::vec(instant(), 3),
    ) {
        t.sort();
        let (a, b, c) = (t[0], t[1], t[2]);
        let whole = cal.open_duration(a, c);
        let parts = cal.open_duration(a, b) + cal.open_duration(b, c);
        prop_assert_eq!(whole, parts);
        prop_assert!(whole <= c.since(a));
    }

    #[test]
    fn is_open_agrees_with_the_state_and_its_next_change(cal in calendar(), t in instant()) {
        let one_ms = SimDuration::from_ms(1);
        // Open for the first millisecond after t exactly when t is open.
        prop_assert_eq!(cal.open_duration(t, t + one_ms) == one_ms, cal.is_open(t));
        match cal.state_at(t) {
            OpenState::Open { until } => {
                prop_assert!(cal.is_open(t));
                prop_assert!(until > t);
                if until < SimTime::MAX {
                    // Open up to the change, closed at it (windows are half-open).
                    prop_assert!(cal.is_open(SimTime::from_ms(until.as_ms() - 1)));
                    prop_assert!(!cal.is_open(until));
                    prop_assert_eq!(cal.open_duration(t, until), until.since(t));
                }
            }
            OpenState::Closed { until } => {
                prop_assert!(!cal.is_open(t));
                prop_assert!(until > t);
                if until < SimTime::MAX {
                    prop_assert!(!cal.is_open(SimTime::from_ms(until.as_ms() - 1)));
                    prop_assert!(cal.is_open(until));
                    prop_assert_eq!(cal.open_duration(t, until), SimDuration::ZERO);
                }
            }
        }
    }

    #[test]
    fn merging_two_histograms_equals_recording_every_sample_into_one(
        samples in proptest::collection::vec(
            prop_oneof![0u64..300, 0u64..100_000_000, 0u64..u64::MAX / 4],
            0..400,
        ),
        split in 0usize..400,
    ) {
        let split = split.min(samples.len());
        let (mut all, mut left, mut right) =
            (Histogram::new(), Histogram::new(), Histogram::new());
        for (i, &v) in samples.iter().enumerate() {
            all.record(v);
            if i < split { left.record(v) } else { right.record(v) }
        }
        left.merge(&right);
        prop_assert_eq!(left.count(), all.count());
        prop_assert_eq!(left.sum(), all.sum());
        prop_assert_eq!(left.is_empty(), all.is_empty());
        if !all.is_empty() {
            prop_assert_eq!(left.min(), all.min());
            prop_assert_eq!(left.max(), all.max());
        }
        for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
            prop_assert_eq!(left.quantile(q).to_bits(), all.quantile(q).to_bits(), "q = {}", q);
        }
        for threshold in [0, 1, 255, 256, 10_000, 1 << 40] {
            prop_assert_eq!(left.count_above(threshold), all.count_above(threshold));
        }
    }
}
