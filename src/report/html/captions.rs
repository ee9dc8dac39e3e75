//! "How to read" lines that fit the checkpoint they describe. Whether a stage closes for the
//! night and on which days it is closed are read from the reference point's time series (its
//! open lane-time per step), so a round-the-clock crossing is never told about "closing" or
//! "weekends", and a crossing closed on Sundays is told so.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};

use crate::kpi::Sample;
use crate::time::{Buckets, MS_PER_DAY, MS_PER_HOUR};

/// When a stage's lanes were open over the sampled days.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Opening {
    /// Days with some open lane-time that also had steps without any (it closes for part of
    /// the day: nights, a lunch break), out of `open_days`.
    pub(super) part_days: usize,
    /// Days (on the stage's clock) with some open lane-time.
    pub(super) open_days: usize,
    /// Whole days (on the stage's clock) without any open lane-time.
    pub(super) closed_days: Vec<i64>,
    /// Every whole day sampled.
    pub(super) days: Vec<i64>,
}

impl Opening {
    /// True when the stage closes for part of most open days.
    pub(super) fn closes_daily(&self) -> bool {
        self.open_days > 0 && 2 * self.part_days >= self.open_days
    }
}

/// The opening of one stage from its samples (steps after the warm-up, `warmup_h` hours from
/// day 0), days on the clock `shift_ms` ahead of the reference. `None` without lane-time in the
/// series (older files).
pub(super) fn opening(samples: &[Sample], warmup_h: f64, shift_ms: i64) -> Option<Opening> {
    let days = Buckets::days(shift_ms);
    let ms = |h: f64| (h * MS_PER_HOUR as f64).round() as i64;
    // Per day: ms covered, open lane-h, and whether a step of it had no open lane.
    let mut per_day: BTreeMap<i64, (i64, f64, bool)> = BTreeMap::new();
    let mut from = ms(warmup_h);
    for s in samples {
        let to = ms(s.hours);
        let open = s.open_lane_h?;
        let len = (to - from).max(1) as f64;
        for (day, covered) in days.split(from, to) {
            let e = per_day.entry(day).or_default();
            e.0 += covered;
            e.1 += open * covered as f64 / len;
            e.2 |= open == 0.0;
        }
        from = to;
    }
    let mut out = Opening::default();
    for (day, (covered, open, some_closed)) in per_day {
        if covered < MS_PER_DAY {
            continue;
        }
        out.days.push(day);
        if open > 0.0 {
            out.open_days += 1;
            out.part_days += usize::from(some_closed);
        } else {
            out.closed_days.push(day);
        }
    }
    Some(out)
}

/// The closed days in words: weekdays closed every time they came ("Sundays"), then the other
/// closed dates ("01 May, 09 May"), at most six of them.
pub(super) fn closed_days_words(o: &Opening, start: Option<Date>) -> String {
    let Some(start) = start else {
        return format!("{} days", o.closed_days.len());
    };
    let date = |d: i64| start.checked_add(jiff::Span::new().days(d)).ok();
    let weekday_of = |d: i64| date(d).map(|x| x.weekday());
    let weekdays = [
        (Weekday::Monday, "Mondays"),
        (Weekday::Tuesday, "Tuesdays"),
        (Weekday::Wednesday, "Wednesdays"),
        (Weekday::Thursday, "Thursdays"),
        (Weekday::Friday, "Fridays"),
        (Weekday::Saturday, "Saturdays"),
        (Weekday::Sunday, "Sundays"),
    ];
    let always: Vec<(Weekday, &str)> = weekdays
        .into_iter()
        .filter(|(w, _)| {
            let all: Vec<i64> = o
                .days
                .iter()
                .copied()
                .filter(|&d| weekday_of(d) == Some(*w))
                .collect();
            !all.is_empty() && all.iter().all(|d| o.closed_days.contains(d))
        })
        .collect();
    let others: Vec<String> = o
        .closed_days
        .iter()
        .filter(|&&d| !always.iter().any(|(w, _)| weekday_of(d) == Some(*w)))
        .filter_map(|&d| date(d).map(|x| x.strftime("%d %b").to_string()))
        .collect();
    let mut parts: Vec<String> = always.iter().map(|(_, n)| n.to_string()).collect();
    if !others.is_empty() {
        let more = others.len().saturating_sub(6);
        let mut list = others.into_iter().take(6).collect::<Vec<_>>().join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        parts.push(list);
    }
    parts.join("; ")
}

/// The "how to read" line of the wait by hour of arrival; `closes` when a stage of the
/// checkpoint closes for part of the day, `several` when the chart has a line per policy;
/// `noun` names the node's vehicles ("trucks", "trains").
pub(super) fn wait_by_hour(closes: bool, several: bool, noun: &str) -> String {
    let lines = if several {
        "each line is a policy; "
    } else {
        ""
    };
    let peaks = if closes {
        "Peaks show the hours when arriving is worst, e.g. just after closing.".to_string()
    } else {
        format!(
            "Its stages do not close for the night, so peaks follow the hours when most {noun} \
             arrive (or a daily quota running out)."
        )
    };
    format!(
        "{lines}a point is the mean wait, over all stages of the checkpoint and all \
         replications, of the {noun} that arrived in that hour. {peaks}"
    )
}

/// The "how to read" line of vehicles served per day: against a daily quota (`quota`) or not,
/// with the stage's closed days in words (`closed`, empty when it never closed); `noun` names the
/// node's vehicles ("trucks", "trains").
pub(super) fn served_per_day(quota: bool, closed: &str, noun: &str) -> String {
    let what = format!(
        "{noun} that cleared the checkpoint each day (replication 0; like every statistic, \
         only {noun} that arrived after the warm-up), on the last stage's clock"
    );
    let dips = if closed.is_empty() {
        "The stage was open every day, so dips are days with fewer arrivals.".to_string()
    } else {
        format!("Dips to zero are the days the stage was closed: {closed}.")
    };
    if quota {
        format!(
            "{what}, so its days are its quota days; the dashed red line is that daily quota. \
             Days on the line are capped by the quota, not by lanes or hours; the quota counts \
             service starts, so a day may end one or two above it (served after midnight). \
             {dips}"
        )
    } else {
        format!("{what}. {dips} The stage has no daily quota.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(hours: f64, open: f64) -> Sample {
        Sample {
            hours,
            queue: 0.0,
            queue_km: 0.0,
            busy: 0.0,
            lanes_open: 0.0,
            served: 0.0,
            daily_quota: None,
            busy_lane_h: Some(0.0),
            open_lane_h: Some(open),
        }
    }

    /// Hourly samples over `days` days after a one-day warm-up, one lane open when
    /// `open(day, hour)`.
    fn week(days: i64, open: impl Fn(i64, i64) -> bool) -> Vec<Sample> {
        (25..=24 * (days + 1))
            .map(|h| {
                let (d, hour) = ((h - 1) / 24, (h - 1) % 24);
                sample(h as f64, if open(d, hour) { 1.0 } else { 0.0 })
            })
            .collect()
    }

    #[test]
    fn a_round_the_clock_stage_neither_closes_nor_has_closed_days() {
        let o = opening(&week(14, |_, _| true), 24.0, 0).unwrap();
        assert_eq!((o.open_days, o.part_days, o.days.len()), (14, 0, 14));
        assert!(!o.closes_daily() && o.closed_days.is_empty());
        assert!(served_per_day(false, "", "trucks").contains("open every day"));
        assert!(!served_per_day(false, "", "trucks").contains("weekend"));
        assert!(!wait_by_hour(false, true, "trucks").contains("closing"));
        assert!(wait_by_hour(true, true, "trucks").starts_with("each line is a policy; "));
        assert!(wait_by_hour(true, false, "trucks").starts_with("a point is the mean wait"));
    }

    #[test]
    fn a_day_stage_closed_on_sundays_says_so() {
        // 2026-01-05 is a Monday: day 6, 13 are Sundays. Open 09:00–18:00 on other days, and
        // closed on day 8 (a Wednesday holiday, 2026-01-14 is day 9: use day 9).
        let start: Date = "2026-01-05".parse().unwrap();
        let o = opening(
            &week(14, |d, h| d % 7 != 6 && d != 9 && (9..18).contains(&h)),
            24.0,
            0,
        )
        .unwrap();
        // Days 1..=14 sampled: Sundays 6 and 13 and day 9 closed; 11 open days, all in part.
        assert_eq!(o.closed_days, [6, 9, 13]);
        assert_eq!((o.open_days, o.part_days), (11, 11));
        assert!(o.closes_daily());
        assert_eq!(closed_days_words(&o, Some(start)), "Sundays; 14 Jan");
    }
}
