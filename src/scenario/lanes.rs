//! Server counts: an integer, or a daily schedule on the stage's clock
//! (`lanes = { "08:00-20:00" = 10, "20:00-08:00" = 4 }`), checked — windows that parse and do not
//! overlap, whole positive counts, enough lanes in every window for the reserved lane groups.

use crate::calendar::parse_windows;
use crate::model::{DailyLanes, LaneProfile};
use crate::time::{MS_PER_DAY, SimDuration};

use super::error::{Checker, FieldPath};
use super::raw::RawCount;
use super::value::int_in;

/// Most servers a stage may have.
const MAX_SERVERS: i64 = 100_000;

/// A checked server count: fixed, or schedule windows `(start, end, lanes)` in ms after local
/// midnight (an `end` past 24 h runs over midnight), each with the window text it came from.
#[derive(Clone, Debug)]
pub(super) enum Count {
    /// The same count all day.
    Fixed(u32),
    /// A daily schedule.
    Schedule(Vec<(String, i64, i64, u32)>),
}

impl Count {
    /// The largest count (the servers the stage is built with).
    pub(super) fn max(&self) -> u32 {
        match self {
            Count::Fixed(n) => *n,
            Count::Schedule(w) => w.iter().map(|x| x.3).max().unwrap_or(0),
        }
    }

    /// The count as a lane profile on a clock `shift` ahead of the reference clock.
    pub(super) fn profile(&self, shift: SimDuration) -> LaneProfile {
        match self {
            Count::Fixed(n) => LaneProfile::Fixed(*n),
            Count::Schedule(w) => {
                let windows: Vec<(i64, i64, u32)> = w.iter().map(|x| (x.1, x.2, x.3)).collect();
                LaneProfile::Daily(DailyLanes::new(&windows, shift))
            }
        }
    }
}

/// The server count `raw` at `p` (key `what`), checked: a count from 1, or a schedule table.
pub(super) fn count(ck: &mut Checker, p: &FieldPath, raw: &RawCount, what: &str) -> Option<Count> {
    match raw {
        RawCount::Count(n) => {
            int_in(ck, p, *n, 1, MAX_SERVERS, what).map(|n| Count::Fixed(n as u32))
        }
        RawCount::Schedule(entries) => schedule(ck, p, entries, what).map(Count::Schedule),
    }
}

/// Daily intervals within [0, 24 h) a window covers (two for one over midnight).
fn pieces(start: i64, end: i64) -> [(i64, i64); 2] {
    if end > MS_PER_DAY {
        [(start, MS_PER_DAY), (0, end - MS_PER_DAY)]
    } else {
        [(start, end), (0, 0)]
    }
}

/// The windows of a schedule table at `p`, checked.
fn schedule(
    ck: &mut Checker,
    p: &FieldPath,
    entries: &[(String, i64)],
    what: &str,
) -> Option<Vec<(String, i64, i64, u32)>> {
    if entries.is_empty() {
        ck.report(
            p,
            format!(
                "an empty schedule gives no {what} at any hour; list windows like {{ \"08:00-20:00\" = 10, \"20:00-08:00\" = 4 }} (use `hours` to close the stage)"
            ),
        );
        return None;
    }
    let mut out: Vec<(String, i64, i64, u32)> = Vec::new();
    let mut ok = true;
    for (key, n) in entries {
        let kp = p.key(key);
        let n = match *n {
            0 => {
                ck.report(
                    &kp,
                    format!(
                        "a window with 0 {what}: leave those hours out of the schedule, or use `hours` to close the stage"
                    ),
                );
                None
            }
            n => int_in(ck, &kp, n, 1, MAX_SERVERS, what),
        };
        let windows = match parse_windows(key) {
            Ok(w) if w.is_empty() => {
                ck.report(
                    &kp,
                    "a schedule window needs times like \"08:00-20:00\" (hours not listed have none)",
                );
                None
            }
            Ok(w) => Some(w),
            Err(e) => {
                ck.report(&kp, e.to_string());
                None
            }
        };
        let (Some(n), Some(windows)) = (n, windows) else {
            ok = false;
            continue;
        };
        for w in windows {
            let overlap = out.iter().find(|o| {
                pieces(o.1, o.2).iter().any(|&(a, b)| {
                    pieces(w.start_ms, w.end_ms)
                        .iter()
                        .any(|&(c, d)| a.max(c) < b.min(d))
                })
            });
            if let Some(o) = overlap {
                ck.report(
                    &kp,
                    format!(
                        "window \"{key}\" overlaps window \"{}\" (each hour has one count)",
                        o.0
                    ),
                );
                ok = false;
            }
            out.push((key.clone(), w.start_ms, w.end_ms, n as u32));
        }
    }
    ok.then_some(out)
}

/// Every window of a schedule at `p` keeps the `reserved` lanes and at least one shared lane
/// (the general group takes what the reserved groups leave).
pub(super) fn check_reserved(
    ck: &mut Checker,
    p: &FieldPath,
    count: &Count,
    reserved: u32,
) -> bool {
    let Count::Schedule(windows) = count else {
        return true;
    };
    let mut ok = true;
    let mut told: Vec<&str> = Vec::new();
    for (key, _, _, n) in windows {
        if reserved > 0 && *n <= reserved && !told.contains(&key.as_str()) {
            told.push(key);
            ck.report(
                &p.key(key),
                format!(
                    "window \"{key}\" has {n} lanes but the stage reserves {reserved}: every window must keep the reserved lanes and at least one shared lane"
                ),
            );
            ok = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use crate::scenario::problems_of;

    fn stage_with(lanes: &str) -> Vec<String> {
        problems_of(&format!(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = {lanes}
service = {{ dist = "deterministic", value = "5min" }}

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = {{ process = "poisson", rate = "1/h" }}
"#
        ))
    }

    #[test]
    fn a_schedule_over_midnight_is_accepted() {
        assert!(stage_with(r#"{ "08:00-20:00" = 10, "20:00-08:00" = 4 }"#).is_empty());
        assert!(stage_with(r#"{ "06:00-09:00,17:00-20:00" = 2, "09:00-17:00" = 5 }"#).is_empty());
    }

    #[test]
    fn overlapping_windows_are_rejected_where_the_second_is() {
        let got = stage_with(r#"{ "08:00-20:00" = 10, "19:00-09:00" = 4 }"#);
        let want = [
            r#"t.toml:10:47: checkpoints[0].stages[0].lanes.19:00-09:00: window "19:00-09:00" overlaps window "08:00-20:00" (each hour has one count)"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn bad_times_zero_and_negative_counts_are_rejected() {
        let got = stage_with(r#"{ "08:00-25:00" = 2, "01:00-02:00" = 0, "03:00-04:00" = -1 }"#);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].starts_with("t.toml:10:27: checkpoints[0].stages[0].lanes.08:00-25:00: "));
        assert!(
            got[1].contains("lanes.01:00-02:00: a window with 0 lanes"),
            "{}",
            got[1]
        );
        assert!(
            got[1].contains("use `hours` to close the stage"),
            "{}",
            got[1]
        );
        assert!(
            got[2].ends_with("lanes.03:00-04:00: lanes must be between 1 and 100000 (got -1)"),
            "{}",
            got[2]
        );
    }

    #[test]
    fn an_empty_or_fractional_schedule_is_rejected() {
        let got = stage_with("{}");
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("t.toml:10:9: checkpoints[0].stages[0].lanes: an empty schedule"),
            "{}",
            got[0]
        );
        let got = stage_with(r#"{ "08:00-20:00" = 2.5 }"#);
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("t.toml:10:"), "{}", got[0]);
        assert!(got[0].contains("expected an integer"), "{}", got[0]);
    }
}
