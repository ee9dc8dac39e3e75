//! Operating hours: named `[calendars]`, and a stage's or link's `hours` (a window list, a
//! calendar id or an inline calendar table) turned into a [`Calendar`] on the reference clock.

use std::collections::HashMap;

use crate::calendar::{
    Calendar, ClosedDate, Window, next_day_overlap, parse_closed_date, parse_windows,
};
use crate::time::{Date, SimDuration, parse_utc_offset};

use super::error::{Checker, FieldPath};
use super::raw::RawCalendar;

/// The named calendars by id: `None` for one whose definition has errors (reported where it is
/// defined, not again where it is used).
pub(super) type Calendars = HashMap<String, Option<CalendarParts>>;

/// Weekday windows and closed dates of a calendar definition, checked.
pub(super) struct CalendarParts {
    week: [Vec<Window>; 7],
    closed: Vec<ClosedDate>,
    offset: Option<SimDuration>,
}

/// A calendar definition (`[calendars.<id>]` or an inline table) at `path`, checked.
pub(super) fn calendar_parts(
    ck: &mut Checker,
    path: &FieldPath,
    raw: &RawCalendar,
) -> Option<CalendarParts> {
    let mut ok = true;
    let mut windows = |ck: &mut Checker, key: &str, text: &str| match parse_windows(text) {
        Ok(w) => Some(w),
        Err(e) => {
            ck.report(&path.key(key), e.to_string());
            ok = false;
            None
        }
    };
    let base = match &raw.hours {
        Some(h) => windows(ck, "hours", h).unwrap_or_default(),
        None => parse_windows("24/7").unwrap_or_default(),
    };
    let days = [
        ("mon", &raw.mon),
        ("tue", &raw.tue),
        ("wed", &raw.wed),
        ("thu", &raw.thu),
        ("fri", &raw.fri),
        ("sat", &raw.sat),
        ("sun", &raw.sun),
    ];
    let mut week: [Vec<Window>; 7] = std::array::from_fn(|_| base.clone());
    for (i, (key, val)) in days.iter().enumerate() {
        if let Some(text) = val
            && let Some(w) = windows(ck, key, text)
        {
            week[i] = w;
        }
    }
    // A window over midnight runs into the next day's list: it must not overlap it (only once
    // each day's own list is known to be good).
    if ok {
        let key_of = |i: usize| match days[i].1 {
            Some(_) => days[i].0,
            None => "hours",
        };
        let mut blamed = Vec::new();
        for i in 0..7 {
            let next = (i + 1) % 7;
            if let Some(why) = next_day_overlap(&week[i], &week[next]) {
                // The next day's own list if it has one, else this day's, else the common hours.
                let key = if days[next].1.is_some() {
                    key_of(next)
                } else {
                    key_of(i)
                };
                if !blamed.contains(&key) {
                    blamed.push(key);
                    let when = if key == "hours" {
                        "when the same hours apply the next day".to_string()
                    } else {
                        format!("from {} into {}", DAY_NAMES[i], DAY_NAMES[next])
                    };
                    ck.report(&path.key(key), format!("windows overlap {when}: {why}"));
                }
                ok = false;
            }
        }
    }
    let mut closed = Vec::new();
    for (i, c) in raw.closed.iter().enumerate() {
        match parse_closed_date(c) {
            Ok(d) => closed.push(d),
            Err(e) => {
                ck.report(&path.key("closed").index(i), e.to_string());
                ok = false;
            }
        }
    }
    let offset = match &raw.utc_offset {
        Some(o) => match parse_utc_offset(o) {
            Ok(x) => Some(x),
            Err(e) => {
                ck.report(&path.key("utc_offset"), e.to_string());
                ok = false;
                None
            }
        },
        None => None,
    };
    ok.then_some(CalendarParts {
        week,
        closed,
        offset,
    })
}

/// Weekday names, Monday first, for messages.
const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The scenario's clock: its start date and the UTC offset its times are given in.
pub(super) struct Clock {
    /// `simulation.start_date`: day 0.
    pub(super) start_date: Date,
    /// `simulation.utc_offset`: the reference offset.
    pub(super) reference: SimDuration,
}

/// The calendar of `parts` on the reference clock, in the stage's own offset if it has one.
fn make_calendar(
    clock: &Clock,
    parts: &CalendarParts,
    stage_offset: Option<SimDuration>,
) -> Calendar {
    let offset = stage_offset.or(parts.offset).unwrap_or(clock.reference);
    let shift = SimDuration::from_ms(offset.as_ms() - clock.reference.as_ms());
    Calendar::new(
        parts.week.clone(),
        parts.closed.clone(),
        clock.start_date,
        shift,
    )
}

/// The calendar of a stage (or link) from its `hours` value: "24/7" by default, a window list, the
/// id of a named calendar, or an inline calendar table; `extra` adds a closed-day rule (a season).
pub(super) fn stage_calendar(
    ck: &mut Checker,
    hours_p: &FieldPath,
    hours: &Option<toml::Value>,
    stage_offset: Option<SimDuration>,
    extra: Option<ClosedDate>,
    clock: &Clock,
    calendars: &Calendars,
) -> Option<Calendar> {
    match hours {
        None => Some(make_calendar(
            clock,
            &CalendarParts {
                week: std::array::from_fn(|_| parse_windows("24/7").unwrap_or_default()),
                closed: extra.into_iter().collect(),
                offset: None,
            },
            stage_offset,
        )),
        Some(toml::Value::String(text)) => {
            if let Some(parts) = calendars.get(text) {
                // A calendar with errors was reported where it is defined.
                Some(make_calendar(
                    clock,
                    &with_extra(parts.as_ref()?, extra),
                    stage_offset,
                ))
            } else {
                match parse_windows(text) {
                    Ok(w) => {
                        if let Some(why) = next_day_overlap(&w, &w) {
                            ck.report(
                                hours_p,
                                format!(
                                    "windows overlap when the same hours apply the next day: {why}"
                                ),
                            );
                            return None;
                        }
                        Some(make_calendar(
                            clock,
                            &CalendarParts {
                                week: std::array::from_fn(|_| w.clone()),
                                closed: extra.into_iter().collect(),
                                offset: None,
                            },
                            stage_offset,
                        ))
                    }
                    Err(e) => {
                        let hint = if calendars.is_empty() {
                            String::new()
                        } else {
                            let mut ids: Vec<&String> = calendars.keys().collect();
                            ids.sort();
                            format!(
                                " (nor is it one of the named calendars: {})",
                                ids.iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        ck.report(hours_p, format!("{e}{hint}"));
                        None
                    }
                }
            }
        }
        Some(v @ toml::Value::Table(_)) => match v.clone().try_into::<RawCalendar>() {
            Ok(rc) => calendar_parts(ck, hours_p, &rc)
                .map(|parts| make_calendar(clock, &with_extra(&parts, extra), stage_offset)),
            Err(e) => {
                ck.report_type(hours_p, e.message().to_string());
                None
            }
        },
        Some(other) => {
            ck.report_type(
                hours_p,
                format!(
                    "expected \"24/7\", windows like \"09:00-18:00\", a calendar id or a calendar table, found {}",
                    other.type_str()
                ),
            );
            None
        }
    }
}

/// `parts` with one more closed-day rule.
fn with_extra(parts: &CalendarParts, extra: Option<ClosedDate>) -> CalendarParts {
    let mut closed = parts.closed.clone();
    closed.extend(extra);
    CalendarParts {
        week: parts.week.clone(),
        closed,
        offset: parts.offset,
    }
}
