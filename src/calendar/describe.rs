//! A calendar in words, on its own clock: "24/7", "08:30-12:00, 13:00-17:00", "Mon–Fri
//! 09:00-18:00; Sat-Sun closed", a window over midnight as one ("20:00-06:00"), then its closed
//! dates and season. Reports echo it so a reader sees the hours that were simulated.

use super::hours::Calendar;
use super::parse::ClosedDate;
use crate::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN};

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "HH:MM" (or "HH:MM:SS" off the minute) of `ms` after midnight; 24:00 stays 24:00.
fn hhmm(ms: i64) -> String {
    let (h, m, s) = (ms / MS_PER_HOUR, ms / MS_PER_MIN % 60, ms / 1000 % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

impl Calendar {
    /// The hours in words on the calendar's own clock: the weekly windows ("24/7" when always
    /// open), then "; closed " and the closed dates, then "; season MM-DD..MM-DD".
    pub fn describe(&self) -> String {
        let days: [String; 7] = std::array::from_fn(|wd| self.day_words(wd));
        let mut parts = vec![week_words(&days)];
        let dates: Vec<String> = self
            .closed
            .iter()
            .filter_map(|c| match *c {
                ClosedDate::Annual { month, day } => Some(format!("{month:02}-{day:02}")),
                ClosedDate::On(d) => Some(d.to_string()),
                ClosedDate::OutsideSeason { .. } => None,
            })
            .collect();
        if !dates.is_empty() {
            parts.push(format!("closed {}", dates.join(", ")));
        }
        for c in &self.closed {
            if let ClosedDate::OutsideSeason { from, to } = *c {
                parts.push(format!(
                    "season {:02}-{:02}..{:02}-{:02}",
                    from.0, from.1, to.0, to.1
                ));
            }
        }
        parts.join("; ")
    }

    /// The windows that start on weekday `wd` (0 = Monday), a window over midnight with its end
    /// the next morning; "closed" if none.
    fn day_words(&self, wd: usize) -> String {
        let next = (wd + 1) % 7;
        // The part of the next day's open time from midnight that is not its own: the tail of
        // this day's window over midnight.
        let own_start = self.own[next].first().map(|w| w.0);
        let tail_end = match self.full[next].first() {
            Some(&(0, e)) if own_start != Some(0) => own_start.map_or(e, |s| e.min(s)),
            _ => 0,
        };
        let windows = &self.own[wd];
        if windows.is_empty() {
            return "closed".into();
        }
        windows
            .iter()
            .enumerate()
            .map(|(i, &(s, e))| {
                let over_midnight = i + 1 == windows.len() && e == MS_PER_DAY && tail_end > 0;
                let end = if over_midnight { tail_end } else { e };
                format!("{}-{}", hhmm(s), hhmm(end))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The week in words: one text when every day is alike ("24/7" for round the clock), else runs
/// of alike days ("Mon–Fri 09:00-18:00; Sat-Sun closed").
fn week_words(days: &[String; 7]) -> String {
    if days.iter().all(|d| d == &days[0]) {
        return match days[0].as_str() {
            "00:00-24:00" => "24/7".into(),
            "closed" => "closed every day".into(),
            d => d.to_string(),
        };
    }
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for wd in 0..7 {
        match runs.last_mut() {
            Some(r) if days[r.0] == days[wd] => r.1 = wd,
            _ => runs.push((wd, wd)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            let names = match b - a {
                0 => DAY_NAMES[a].to_string(),
                1 => format!("{}-{}", DAY_NAMES[a], DAY_NAMES[b]),
                _ => format!("{}–{}", DAY_NAMES[a], DAY_NAMES[b]),
            };
            format!("{names} {}", days[a])
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::super::{parse_closed_date, parse_season, parse_windows};
    use super::*;
    use crate::time::{Date, SimDuration};

    fn cal(week: [&str; 7], closed: &[&str]) -> Calendar {
        Calendar::new(
            week.map(|w| parse_windows(w).unwrap()),
            closed
                .iter()
                .map(|c| parse_season(c).or_else(|_| parse_closed_date(c)).unwrap())
                .collect(),
            Date::constant(2026, 1, 5),
            SimDuration::ZERO,
        )
    }

    #[test]
    fn every_day_alike_reads_as_one_text() {
        assert_eq!(cal(["24/7"; 7], &[]).describe(), "24/7");
        assert_eq!(
            cal(["08:30-12:00,13:00-17:00"; 7], &["05-01", "2026-12-16"]).describe(),
            "08:30-12:00, 13:00-17:00; closed 05-01, 2026-12-16"
        );
        assert_eq!(
            cal(["24/7"; 7], &["04-15..10-24"]).describe(),
            "24/7; season 04-15..10-24"
        );
    }

    #[test]
    fn a_window_over_midnight_reads_as_one() {
        assert_eq!(cal(["20:00-06:00"; 7], &[]).describe(), "20:00-06:00");
        // Touching the next day's own window: the tail ends where that window starts.
        let mut week = ["closed"; 7];
        week[0] = "22:00-06:00";
        week[1] = "06:00-10:00";
        assert_eq!(
            cal(week, &[]).describe(),
            "Mon 22:00-06:00; Tue 06:00-10:00; Wed–Sun closed"
        );
    }

    #[test]
    fn weekdays_group_into_runs() {
        let mut week = ["09:00-18:00"; 7];
        week[5] = "closed";
        week[6] = "closed";
        assert_eq!(
            cal(week, &[]).describe(),
            "Mon–Fri 09:00-18:00; Sat-Sun closed"
        );
    }
}
