//! The rules of a calendar as written: daily windows and closed dates, parsed from text.

use crate::time::{
    Date, MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, MS_PER_SEC, ParseTimeError, no_such_date,
    parse_date, parse_time_of_day,
};

/// One daily window in local ms after midnight: [start, end). end may exceed MS_PER_DAY for windows over midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Opening, in ms after local midnight (0 ≤ start < 24 h).
    pub start_ms: i64,
    /// Closing, in ms after the same midnight (start < end < start + 24 h).
    pub end_ms: i64,
}

/// "HH:MM" (or "HH:MM:SS") for error messages; `ms` past 24 h wraps to the next day.
fn fmt_time_of_day(ms: i64) -> String {
    let ms = if ms > MS_PER_DAY { ms - MS_PER_DAY } else { ms };
    let (h, m, s) = (
        ms / MS_PER_HOUR,
        (ms / MS_PER_MIN) % 60,
        (ms / MS_PER_SEC) % 60,
    );
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Parses "24/7" (→ one window 0..MS_PER_DAY), "closed" (→ empty), or comma-separated "HH:MM-HH:MM" windows.
///
/// "20:00-06:00" (end before start) runs over midnight and is stored with `end_ms = end + 24 h`.
/// Windows come back sorted by start. Same-day overlaps are errors; an over-midnight window may
/// overlap the next day's early window, because that is a different day's list.
pub fn parse_windows(text: &str) -> Result<Vec<Window>, ParseTimeError> {
    let s = text.trim();
    let err = |why: String| ParseTimeError(format!("malformed hours \"{text}\": {why}"));
    if s.is_empty() {
        return Err(err(
            "empty; expected \"24/7\", \"closed\" or windows like \"08:30-12:00,13:00-17:00\""
                .into(),
        ));
    }
    if s.eq_ignore_ascii_case("24/7") {
        return Ok(vec![Window {
            start_ms: 0,
            end_ms: MS_PER_DAY,
        }]);
    }
    if s.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        let Some((a, b)) = part.split_once('-') else {
            return Err(err(format!(
                "window \"{part}\" is not HH:MM-HH:MM (or use \"24/7\" / \"closed\")"
            )));
        };
        let start = parse_time_of_day(a).map_err(|e| err(e.0))?;
        let end = parse_time_of_day(b).map_err(|e| err(e.0))?;
        if start >= MS_PER_DAY {
            return Err(err(format!(
                "window \"{part}\" starts at 24:00; start it at 00:00 on the next day instead"
            )));
        }
        if start == end {
            return Err(err(format!(
                "window \"{part}\" is empty (start equals end); use \"24/7\" for all day"
            )));
        }
        // An end before the start means the window closes on the next day.
        let end_ms = if end < start { end + MS_PER_DAY } else { end };
        out.push(Window {
            start_ms: start,
            end_ms,
        });
    }
    out.sort_by_key(|w| w.start_ms);
    for pair in out.windows(2) {
        if pair[1].start_ms < pair[0].end_ms {
            return Err(err(format!(
                "windows {}-{} and {}-{} overlap",
                fmt_time_of_day(pair[0].start_ms),
                fmt_time_of_day(pair[0].end_ms),
                fmt_time_of_day(pair[1].start_ms),
                fmt_time_of_day(pair[1].end_ms),
            )));
        }
    }
    Ok(out)
}

/// Where the window of `today` that runs past midnight overlaps `tomorrow`'s first window (the
/// day after, on the same clock), a description of the two: "20:00-06:00 runs to 06:00 the
/// next day, past the start of 05:00-07:00". Lists as [`parse_windows`] returns them.
pub fn next_day_overlap(today: &[Window], tomorrow: &[Window]) -> Option<String> {
    let tail = today.iter().find(|w| w.end_ms > MS_PER_DAY)?;
    let first = tomorrow.first()?;
    (first.start_ms < tail.end_ms - MS_PER_DAY).then(|| {
        format!(
            "{}-{} runs to {} the next day, past the start of {}-{}",
            fmt_time_of_day(tail.start_ms),
            fmt_time_of_day(tail.end_ms),
            fmt_time_of_day(tail.end_ms),
            fmt_time_of_day(first.start_ms),
            fmt_time_of_day(first.end_ms),
        )
    })
}

/// A closed date: every year on month/day, or one specific date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosedDate {
    /// Every year on this month (1–12) and day (1–31); 02-29 only matches in leap years.
    Annual {
        /// Month, 1–12.
        month: i8,
        /// Day of the month, 1–31.
        day: i8,
    },
    /// One specific date.
    On(Date),
    /// Every day outside a yearly season (inclusive month/day bounds; a season may run over the
    /// new year, e.g. 11-01..03-31): a river closed outside its navigation season.
    OutsideSeason {
        /// First open day (month, day).
        from: (i8, i8),
        /// Last open day (month, day).
        to: (i8, i8),
    },
}

impl ClosedDate {
    /// True if `date` is this closed date.
    pub fn matches(&self, date: Date) -> bool {
        match *self {
            ClosedDate::Annual { month, day } => date.month() == month && date.day() == day,
            ClosedDate::On(d) => d == date,
            ClosedDate::OutsideSeason { from, to } => {
                let md = (date.month(), date.day());
                let inside = if from <= to {
                    from <= md && md <= to
                } else {
                    md >= from || md <= to
                };
                !inside
            }
        }
    }
}

/// Parses a yearly season "MM-DD..MM-DD" (e.g. "04-15..11-15") into the closed days outside it.
pub fn parse_season(text: &str) -> Result<ClosedDate, ParseTimeError> {
    let bad = || {
        ParseTimeError(format!(
            "malformed season \"{text}\": expected MM-DD..MM-DD, e.g. \"04-15..11-15\""
        ))
    };
    let (a, b) = text.trim().split_once("..").ok_or_else(bad)?;
    let md = |x: &str| parse_month_day(x)?.ok_or_else(bad);
    Ok(ClosedDate::OutsideSeason {
        from: md(a)?,
        to: md(b)?,
    })
}

/// A yearly date "MM-DD" as (month, day): `None` if `text` does not have that shape, "no such
/// date" if it has but no year has that day (02-29 is allowed: leap years have it).
fn parse_month_day(text: &str) -> Result<Option<(i8, i8)>, ParseTimeError> {
    let two_digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    let Some((m, d)) = text.trim().split_once('-') else {
        return Ok(None);
    };
    if !(two_digits(m) && two_digits(d)) {
        return Ok(None);
    }
    let (Ok(month), Ok(day)) = (m.parse::<i8>(), d.parse::<i8>()) else {
        return Ok(None);
    };
    // 2000 is a leap year, so this accepts exactly the month/day pairs some year has.
    if Date::new(2000, month, day).is_err() {
        return Err(ParseTimeError(no_such_date(text, None, month, day)));
    }
    Ok(Some((month, day)))
}

/// Parses "MM-DD" (annual, validated: 02-30 is "no such date", 02-29 is allowed) or
/// "YYYY-MM-DD" (one date, read as every date is: see [`parse_date`]).
pub fn parse_closed_date(text: &str) -> Result<ClosedDate, ParseTimeError> {
    if let Some((month, day)) = parse_month_day(text)? {
        return Ok(ClosedDate::Annual { month, day });
    }
    if text.trim().split('-').count() == 3 {
        return parse_date(text).map(ClosedDate::On);
    }
    Err(ParseTimeError(format!(
        "malformed closed date \"{text}\": expected MM-DD (every year) or YYYY-MM-DD"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::test_util::*;

    #[test]
    fn season_closes_the_days_outside_it() {
        let s = parse_season("04-15..11-15").unwrap();
        assert!(s.matches(date("2026-04-14")));
        assert!(!s.matches(date("2026-04-15")));
        assert!(!s.matches(date("2026-11-15")));
        assert!(s.matches(date("2026-11-16")));
        let winter = parse_season("11-01..03-31").unwrap();
        assert!(!winter.matches(date("2026-01-10")));
        assert!(winter.matches(date("2026-07-10")));
        for bad in ["04-15", "04-15..13-01", "2026-04-15..2026-11-15", "x..y"] {
            assert!(parse_season(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parse_windows_accepts_the_documented_forms() {
        assert_eq!(
            parse_windows("24/7").unwrap(),
            vec![Window {
                start_ms: 0,
                end_ms: D
            }]
        );
        assert_eq!(parse_windows(" closed ").unwrap(), vec![]);
        assert_eq!(
            parse_windows("13:00-17:00, 08:30-12:00").unwrap(),
            vec![
                Window {
                    start_ms: 8 * H + 30 * M,
                    end_ms: 12 * H
                },
                Window {
                    start_ms: 13 * H,
                    end_ms: 17 * H
                },
            ]
        );
        assert_eq!(
            parse_windows("20:00-06:00").unwrap(),
            vec![Window {
                start_ms: 20 * H,
                end_ms: D + 6 * H
            }]
        );
        assert_eq!(
            parse_windows("18:00-24:00").unwrap(),
            vec![Window {
                start_ms: 18 * H,
                end_ms: D
            }]
        );
        // Touching windows are fine; an over-midnight tail may overlap an early window of the
        // same list, because the list is one day's: whether the next day's list overlaps it is
        // `next_day_overlap`'s to say.
        assert!(parse_windows("08:00-12:00,12:00-13:00").is_ok());
        assert!(parse_windows("22:00-02:00,01:00-03:00").is_ok());
    }

    #[test]
    fn an_over_midnight_window_may_not_overlap_the_next_day() {
        let w = |t: &str| parse_windows(t).unwrap();
        for (today, tomorrow, why) in [
            (
                "20:00-06:00,05:00-07:00",
                "20:00-06:00,05:00-07:00",
                "20:00-06:00 runs to 06:00 the next day, past the start of 05:00-07:00",
            ),
            (
                "22:00-02:00",
                "01:00-03:00",
                "22:00-02:00 runs to 02:00 the next day, past the start of 01:00-03:00",
            ),
            (
                "23:00-01:00",
                "00:30-00:45",
                "23:00-01:00 runs to 01:00 the next day, past the start of 00:30-00:45",
            ),
            (
                "20:00-06:00",
                "24/7",
                "20:00-06:00 runs to 06:00 the next day, past the start of 00:00-24:00",
            ),
        ] {
            assert_eq!(
                next_day_overlap(&w(today), &w(tomorrow)).as_deref(),
                Some(why)
            );
        }
        // Touching, later or closed the next day: no overlap.
        assert_eq!(next_day_overlap(&w("20:00-06:00"), &w("06:00-07:00")), None);
        assert_eq!(next_day_overlap(&w("22:00-02:00"), &w("08:00-18:00")), None);
        assert_eq!(next_day_overlap(&w("20:00-06:00"), &w("closed")), None);
        assert_eq!(next_day_overlap(&w("24/7"), &w("24/7")), None);
        assert_eq!(next_day_overlap(&w("08:00-18:00"), &w("00:00-01:00")), None);
    }

    #[test]
    fn parse_windows_rejects_malformed_text() {
        for bad in [
            "25:00-26:00",
            "9-18",
            "6 minutes?",
            "",
            "   ",
            "10:00-10:00",
            "08:00-12:00,11:00-13:00",
            "20:00-06:00,21:00-22:00",
            "garbage",
            "08:00-12:00,",
            "24:00-02:00",
        ] {
            let e = parse_windows(bad).expect_err(bad);
            assert!(e.0.contains(&format!("\"{bad}\"")), "{bad:?}: {}", e.0);
        }
        let e = parse_windows("08:00-12:00,11:00-13:00").unwrap_err();
        assert!(e.0.contains("overlap"), "{}", e.0);
    }

    #[test]
    fn parse_closed_date_validates_day_of_year() {
        assert_eq!(
            parse_closed_date("05-01").unwrap(),
            ClosedDate::Annual { month: 5, day: 1 }
        );
        assert_eq!(
            parse_closed_date("02-29").unwrap(),
            ClosedDate::Annual { month: 2, day: 29 }
        );
        for bad in [
            "02-30",
            "13-01",
            "00-10",
            "5-1",
            "2026-02-30",
            "",
            "May 1",
            "05-01-",
        ] {
            let e = parse_closed_date(bad).expect_err(bad);
            assert!(e.0.contains(&format!("\"{bad}\"")), "{bad:?}: {}", e.0);
        }
        assert_eq!(
            parse_closed_date("02-30").unwrap_err().0,
            "no such date \"02-30\" (February has at most 29 days)"
        );
        assert_eq!(
            parse_closed_date("2026-02-30").unwrap_err().0,
            "no such date \"2026-02-30\" (February 2026 has 28 days)"
        );
        assert_eq!(
            parse_season("04-15..06-31").unwrap_err().0,
            "no such date \"06-31\" (June has at most 30 days)"
        );
    }
}
