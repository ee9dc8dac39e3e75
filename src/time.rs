//! Simulation time: integer milliseconds in newtypes, with checked arithmetic and the text forms
//! scenarios use ("90s", "6min", "1.5h", "08:30", "+05:00").
//!
//! Float time compared with an epsilon is how simulators drift; here every instant is an exact
//! integer, so two events are simultaneous exactly when they look simultaneous.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

mod buckets;
pub use buckets::{Buckets, hour_of_day};

/// Milliseconds in a second.
pub const MS_PER_SEC: i64 = 1_000;
/// Milliseconds in a minute.
pub const MS_PER_MIN: i64 = 60 * MS_PER_SEC;
/// Milliseconds in an hour.
pub const MS_PER_HOUR: i64 = 60 * MS_PER_MIN;
/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
/// Milliseconds in a week.
pub const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;

/// An instant of simulated time: milliseconds since the scenario start (midnight of
/// `simulation.start_date` on the scenario's reference clock).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(i64);

/// A span of simulated time in milliseconds (may be negative, e.g. a clock offset difference).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(i64);

impl SimTime {
    /// The scenario start.
    pub const ZERO: SimTime = SimTime(0);
    /// The latest representable instant; used as "never".
    pub const MAX: SimTime = SimTime(i64::MAX);

    /// The instant `ms` milliseconds after the start.
    pub const fn from_ms(ms: i64) -> Self {
        SimTime(ms)
    }
    /// The instant at the start of day `day` (day 0 is the start date).
    pub const fn from_days(day: i64) -> Self {
        SimTime(day * MS_PER_DAY)
    }
    /// The instant `h` hours after the start.
    pub const fn from_hours(h: i64) -> Self {
        SimTime(h * MS_PER_HOUR)
    }
    /// Milliseconds since the start.
    pub const fn as_ms(self) -> i64 {
        self.0
    }
    /// Hours since the start, as a float (for reporting only).
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / MS_PER_HOUR as f64
    }
    /// This instant plus `d`, or `None` on overflow.
    pub const fn checked_add(self, d: SimDuration) -> Option<SimTime> {
        match self.0.checked_add(d.0) {
            Some(v) => Some(SimTime(v)),
            None => None,
        }
    }
    /// This instant plus `d`, clamped to [`SimTime::MAX`].
    pub const fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
    /// The span from `earlier` to `self`, or `None` on overflow.
    pub const fn checked_since(self, earlier: SimTime) -> Option<SimDuration> {
        match self.0.checked_sub(earlier.0) {
            Some(v) => Some(SimDuration(v)),
            None => None,
        }
    }
    /// The span from `earlier` to `self`; panics only on i64 overflow, which bounded horizons exclude.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        self.checked_since(earlier)
            .expect("SimTime difference overflow")
    }
    /// Index of the day containing this instant (floor division, so negative instants work).
    pub const fn day_index(self) -> i64 {
        self.0.div_euclid(MS_PER_DAY)
    }
    /// Milliseconds since the midnight that starts this instant's day.
    pub const fn ms_of_day(self) -> i64 {
        self.0.rem_euclid(MS_PER_DAY)
    }
    /// Hour of the day on the reference clock, 0..24 (by the one bucketing rule, [`Buckets`]).
    #[inline]
    pub fn hour_of_day(self) -> usize {
        hour_of_day(Buckets::hours(0).of(self.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The longest representable span.
    pub const MAX: SimDuration = SimDuration(i64::MAX);

    /// A span of `ms` milliseconds.
    pub const fn from_ms(ms: i64) -> Self {
        SimDuration(ms)
    }
    /// A span of `s` seconds.
    pub const fn from_secs(s: i64) -> Self {
        SimDuration(s * MS_PER_SEC)
    }
    /// A span of `m` minutes.
    pub const fn from_mins(m: i64) -> Self {
        SimDuration(m * MS_PER_MIN)
    }
    /// A span of `h` hours.
    pub const fn from_hours(h: i64) -> Self {
        SimDuration(h * MS_PER_HOUR)
    }
    /// A span of `d` days.
    pub const fn from_days(d: i64) -> Self {
        SimDuration(d * MS_PER_DAY)
    }
    /// A span from a float number of milliseconds, rounded to the nearest millisecond and clamped
    /// to `[0, MAX]` (sampled service times are never negative).
    pub fn from_ms_f64_nonneg(ms: f64) -> Self {
        if ms.is_nan() || ms <= 0.0 {
            SimDuration(0)
        } else if ms >= i64::MAX as f64 {
            SimDuration(i64::MAX)
        } else {
            // `ms.round()` without the libm call (x86-64 has no rounding instruction before
            // SSE4.1): truncate, then add one if the dropped fraction is at least a half. Exact
            // for every 0 < ms < 2^63: the fraction `ms - whole` is representable, and the result
            // rounds half away from zero like `f64::round`.
            let whole = ms as i64;
            let frac = ms - whole as f64;
            SimDuration(whole + i64::from(frac >= 0.5))
        }
    }
    /// Milliseconds in this span.
    pub const fn as_ms(self) -> i64 {
        self.0
    }
    /// This span in hours, as a float (for reporting only).
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / MS_PER_HOUR as f64
    }
    /// This span in minutes, as a float (for reporting only).
    pub fn as_mins_f64(self) -> f64 {
        self.0 as f64 / MS_PER_MIN as f64
    }
    /// Sum, or `None` on overflow.
    pub const fn checked_add(self, o: SimDuration) -> Option<SimDuration> {
        match self.0.checked_add(o.0) {
            Some(v) => Some(SimDuration(v)),
            None => None,
        }
    }
    /// Product with an integer, or `None` on overflow.
    pub const fn checked_mul(self, k: i64) -> Option<SimDuration> {
        match self.0.checked_mul(k) {
            Some(v) => Some(SimDuration(v)),
            None => None,
        }
    }
    /// True for a span of zero length.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    /// Checked: overflowing `i64` milliseconds (292 million years) is a bug, not a wrap.
    fn add(self, d: SimDuration) -> SimTime {
        self.checked_add(d).expect("SimTime overflow")
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, o: SimTime) -> SimDuration {
        self.since(o)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, o: SimDuration) -> SimDuration {
        self.checked_add(o).expect("SimDuration overflow")
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, o: SimDuration) {
        *self = *self + o;
    }
}

impl fmt::Display for SimDuration {
    /// Shortest exact form among "ms", "s", "min", "h", "d".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        for (unit, size) in [
            ("d", MS_PER_DAY),
            ("h", MS_PER_HOUR),
            ("min", MS_PER_MIN),
            ("s", MS_PER_SEC),
        ] {
            if ms != 0 && ms % size == 0 {
                return write!(f, "{}{}", ms / size, unit);
            }
        }
        write!(f, "{ms}ms")
    }
}

impl fmt::Display for SimTime {
    /// "day D HH:MM:SS.mmm" on the reference clock.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.ms_of_day();
        write!(
            f,
            "day {} {:02}:{:02}:{:02}.{:03}",
            self.day_index(),
            t / MS_PER_HOUR,
            (t / MS_PER_MIN) % 60,
            (t / MS_PER_SEC) % 60,
            t % MS_PER_SEC
        )
    }
}

/// Why a duration, time of day or offset string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseTimeError(pub String);

/// The duration units, largest first: the one unit vocabulary of durations and rates.
pub const DURATION_UNITS: [(&str, i64); 5] = [
    ("d", MS_PER_DAY),
    ("h", MS_PER_HOUR),
    ("min", MS_PER_MIN),
    ("s", MS_PER_SEC),
    ("ms", 1),
];

/// The longest duration accepted [ms]: about 31,700 years, far beyond any horizon, and far below
/// `i64` milliseconds, so sums of a few durations cannot overflow.
const MAX_DURATION_MS: f64 = 1e15;

/// What to write instead of a unit outside [`DURATION_UNITS`] that people often use.
pub(crate) fn unit_hint(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "sec" | "secs" | "second" | "seconds" => "s",
        "m" | "mins" | "minute" | "minutes" => "min",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "day" | "days" => "d",
        "w" | "wk" | "week" | "weeks" => "7d",
        _ => return None,
    })
}

/// The message for an unknown unit `unit` in `what` (e.g. `duration "6 mins"`), suggesting
/// `hint` if there is one.
pub(crate) fn unknown_unit(what: &str, unit: &str, hint: Option<&str>) -> String {
    let hint = hint
        .map(|h| format!(" (write \"{h}\")"))
        .unwrap_or_default();
    format!("malformed {what}: unknown unit \"{unit}\"{hint}; the units are ms, s, min, h and d")
}

/// Parses a duration: a number and a unit (`ms`, `s`, `min`, `h`, `d`), or several such terms
/// with units from largest to smallest, each at most once: "500ms", "90s", "6min", "1.5h", "3d",
/// "1h30min", "2d 12h". Spaces between a number and its unit and between terms are allowed.
/// Negative, unitless, non-finite and sub-millisecond values are errors.
pub fn parse_duration(text: &str) -> Result<SimDuration, ParseTimeError> {
    let what = format!("duration \"{text}\"");
    let bad = || {
        ParseTimeError(format!(
            "malformed {what}: expected a number and a unit (ms, s, min, h, d), e.g. \"90s\", \"6min\", \"1.5h\", \"1h30min\""
        ))
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut last_rank: Option<usize> = None;
    let mut total_ms = 0.0_f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        if num.is_empty() || unit.is_empty() {
            return Err(bad());
        }
        let Some(rank) = DURATION_UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(ParseTimeError(unknown_unit(&what, unit, unit_hint(unit))));
        };
        if last_rank.is_some_and(|r| rank <= r) {
            return Err(ParseTimeError(format!(
                "malformed {what}: give each unit once, from the largest to the smallest, e.g. \"1h30min\""
            )));
        }
        last_rank = Some(rank);
        let value: f64 = num.parse().map_err(|_| bad())?;
        let ms = value * DURATION_UNITS[rank].1 as f64;
        let rounded = ms.round();
        if (rounded - ms).abs() > 1e-6 * ms.max(1.0) {
            return Err(ParseTimeError(format!(
                "{what} is not a whole number of milliseconds"
            )));
        }
        total_ms += rounded;
        if !total_ms.is_finite() || total_ms > MAX_DURATION_MS {
            return Err(ParseTimeError(format!(
                "{what} is too long (at most 1e15 ms, about 31,700 years)"
            )));
        }
    }
    Ok(SimDuration(total_ms as i64))
}

/// Parses a time of day "HH:MM" or "HH:MM:SS" into milliseconds after midnight. "24:00" is
/// accepted (end of day) so that windows like "18:00-24:00" read naturally.
pub fn parse_time_of_day(text: &str) -> Result<i64, ParseTimeError> {
    let s = text.trim();
    let bad = || {
        ParseTimeError(format!(
            "malformed time of day \"{text}\": expected HH:MM between 00:00 and 24:00"
        ))
    };
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let h: i64 = parts[0].parse().map_err(|_| bad())?;
    let m: i64 = parts[1].parse().map_err(|_| bad())?;
    let sec: i64 = if parts.len() == 3 {
        parts[2].parse().map_err(|_| bad())?
    } else {
        0
    };
    if m >= 60 || sec >= 60 || h > 24 || (h == 24 && (m > 0 || sec > 0)) {
        return Err(bad());
    }
    Ok(h * MS_PER_HOUR + m * MS_PER_MIN + sec * MS_PER_SEC)
}

/// Parses a UTC offset "+05:00", "-03:30", "+8", "UTC+8" into a signed duration.
pub fn parse_utc_offset(text: &str) -> Result<SimDuration, ParseTimeError> {
    let s = text.trim();
    let s = s.strip_prefix("UTC").unwrap_or(s);
    let bad = || {
        ParseTimeError(format!(
            "malformed UTC offset \"{text}\": expected e.g. \"+05:00\" or \"+8\""
        ))
    };
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None => (rest, "0"),
    };
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(SimDuration(sign * (h * MS_PER_HOUR + m * MS_PER_MIN)))
}

/// A calendar date on the scenario's clock (re-exported so callers need not name jiff).
pub type Date = jiff::civil::Date;

/// Parses an ISO date "YYYY-MM-DD" (four, two and two digits). A well-formed date that is not
/// on the calendar ("2026-02-30", "2026-13-01") is "no such date".
pub fn parse_date(text: &str) -> Result<Date, ParseTimeError> {
    let s = text.trim();
    let bad = || ParseTimeError(format!("malformed date \"{text}\": expected YYYY-MM-DD"));
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(bad());
    }
    let (y, m, d): (i16, i8, i8) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    Date::new(y, m, d).map_err(|_| ParseTimeError(no_such_date(text, Some(y), m, d)))
}

/// The message for a well-formed date `text` that is not on the calendar: month `m`, day `d`,
/// in year `y` (or in no year, for a yearly "MM-DD").
pub(crate) fn no_such_date(text: &str, y: Option<i16>, m: i8, d: i8) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let why = if !(1..=12).contains(&m) {
        "months run from 01 to 12".to_string()
    } else if d < 1 {
        "days start at 01".to_string()
    } else {
        let month = MONTHS[(m - 1) as usize];
        // The last day of the month: of year `y`, or of a leap year for a yearly date.
        let last = (28..=31)
            .rev()
            .find(|&n| Date::new(y.unwrap_or(2000), m, n).is_ok())
            .unwrap_or(28);
        match y {
            Some(y) => format!("{month} {y} has {last} days"),
            None => format!("{month} has at most {last} days"),
        }
    };
    format!("no such date \"{text}\" ({why})")
}

/// Days from `start` to `date` (negative if `date` is earlier), or `None` if jiff cannot say.
pub fn days_between(start: Date, date: Date) -> Option<i64> {
    start
        .until(date)
        .ok()
        .map(|span| i64::from(span.get_days()))
}

/// The date `days` days after `start` (negative goes back), or `None` outside jiff's range.
pub fn date_plus_days(start: Date, days: i64) -> Option<Date> {
    start
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn from_ms_f64_nonneg_rounds_like_f64_round() {
        let cases = [
            0.0,
            0.25,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            1e6 + 0.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            9.2e18,
            f64::from_bits(1),
        ];
        for x in cases {
            assert_eq!(
                super::SimDuration::from_ms_f64_nonneg(x).as_ms(),
                x.round() as i64,
                "{x}"
            );
        }
        let mut z: u64 = 12345;
        for _ in 0..100_000 {
            z = z.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let x = f64::from_bits(z >> 2) % 1e12;
            if x.is_finite() && x > 0.0 {
                assert_eq!(
                    super::SimDuration::from_ms_f64_nonneg(x).as_ms(),
                    x.round() as i64
                );
            }
        }
    }

    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90s").unwrap(), SimDuration::from_secs(90));
        assert_eq!(parse_duration("6min").unwrap(), SimDuration::from_mins(6));
        assert_eq!(parse_duration("2h").unwrap(), SimDuration::from_hours(2));
        assert_eq!(parse_duration("1.5h").unwrap(), SimDuration::from_mins(90));
        assert_eq!(parse_duration("3d").unwrap(), SimDuration::from_days(3));
        assert_eq!(parse_duration("250ms").unwrap(), SimDuration::from_ms(250));
        assert_eq!(
            parse_duration(" 10 min ").unwrap(),
            SimDuration::from_mins(10)
        );
    }

    #[test]
    fn compound_durations_add_their_terms() {
        assert_eq!(
            parse_duration("1h30min").unwrap(),
            SimDuration::from_mins(90)
        );
        assert_eq!(
            parse_duration("2d 12h").unwrap(),
            SimDuration::from_hours(60)
        );
        assert_eq!(
            parse_duration("1h 0min 1s 500ms").unwrap(),
            SimDuration::from_ms(3_601_500)
        );
        assert_eq!(
            parse_duration("1.5h30min").unwrap(),
            SimDuration::from_hours(2)
        );
    }

    #[test]
    fn units_outside_the_vocabulary_are_refused_with_the_unit_to_write() {
        for (bad, write) in [
            ("6 mins", "min"),
            ("6 m", "min"),
            ("6 hrs", "h"),
            ("2 hours", "h"),
            ("3 days", "d"),
            ("90 sec", "s"),
            ("1 week", "7d"),
        ] {
            let e = parse_duration(bad).expect_err(bad).0;
            assert!(
                e.contains(&format!("\"{bad}\"")) && e.contains(&format!("(write \"{write}\")")),
                "{bad:?}: {e}"
            );
        }
    }

    #[test]
    fn compound_units_go_from_largest_to_smallest_once() {
        for bad in ["30min1h", "1h1h", "1h 2h", "5min 30min", "1h30", "h30min"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        let e = parse_duration("30min1h").unwrap_err().0;
        assert!(e.contains("from the largest to the smallest"), "{e}");
    }

    #[test]
    fn dates_are_four_two_two_digits_on_the_calendar() {
        assert_eq!(
            parse_date("2028-02-29").unwrap(),
            Date::constant(2028, 2, 29)
        );
        assert_eq!(
            parse_date("2026-02-30").unwrap_err().0,
            "no such date \"2026-02-30\" (February 2026 has 28 days)"
        );
        assert_eq!(
            parse_date("2026-04-31").unwrap_err().0,
            "no such date \"2026-04-31\" (April 2026 has 30 days)"
        );
        assert_eq!(
            parse_date("2026-13-01").unwrap_err().0,
            "no such date \"2026-13-01\" (months run from 01 to 12)"
        );
        assert_eq!(
            parse_date("2026-01-00").unwrap_err().0,
            "no such date \"2026-01-00\" (days start at 01)"
        );
        for bad in [
            "2026-1-5",
            "26-01-05",
            "2026-01-05T00:00",
            "2026/01/05",
            "",
            "-2026-01-05",
        ] {
            let e = parse_date(bad).expect_err(bad).0;
            assert!(e.starts_with("malformed date"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn malformed_durations_are_errors() {
        for bad in [
            "6",
            "min",
            "6 minutes?",
            "-5min",
            "",
            "1e400h",
            "0.0001ms",
            "5 parsecs",
            "1.2.3h",
            ".h",
            "6min?",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn time_of_day_bounds() {
        assert_eq!(
            parse_time_of_day("08:30").unwrap(),
            8 * MS_PER_HOUR + 30 * MS_PER_MIN
        );
        assert_eq!(parse_time_of_day("24:00").unwrap(), MS_PER_DAY);
        for bad in ["25:00", "9", "9:00", "24:01", "12:60", "ab:cd"] {
            assert!(parse_time_of_day(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(
            parse_utc_offset("+05:00").unwrap(),
            SimDuration::from_hours(5)
        );
        assert_eq!(
            parse_utc_offset("UTC+8").unwrap(),
            SimDuration::from_hours(8)
        );
        assert_eq!(
            parse_utc_offset("-03:30").unwrap(),
            SimDuration::from_mins(-210)
        );
        assert!(parse_utc_offset("5").is_err());
        assert!(parse_utc_offset("+15:00").is_err());
    }

    #[test]
    fn day_index_and_time_of_day_floor_for_negatives() {
        let t = SimTime::from_ms(-1);
        assert_eq!(t.day_index(), -1);
        assert_eq!(t.ms_of_day(), MS_PER_DAY - 1);
        assert_eq!(SimTime::from_hours(49).hour_of_day(), 1);
    }

    #[test]
    fn arithmetic_is_checked() {
        assert!(SimTime::MAX.checked_add(SimDuration::from_ms(1)).is_none());
        assert_eq!(
            SimTime::MAX.saturating_add(SimDuration::from_days(1)),
            SimTime::MAX
        );
        assert_eq!(SimDuration::from_mins(90).to_string(), "90min");
        assert_eq!(SimDuration::from_hours(48).to_string(), "2d");
    }
}
