//! Dated changes of a stage's capacity (`changes = [{ from = "…", lanes = … }]`).

use crate::calendar::Calendar;
use crate::model::StageChange;
use crate::time::{days_between, parse_date};

use super::error::{Checker, FieldPath};
use super::hours::Clock;
use super::lanes::{Count, check_reserved, count};
use super::raw::RawChange;
use super::value::int_in;

/// A stage's dated capacity changes, checked: dates in increasing order, each changing
/// something, lane counts that keep the reserved lanes.
pub(super) fn stage_changes(
    ck: &mut Checker,
    p: &FieldPath,
    raw: &[RawChange],
    calendar: &Calendar,
    clock: &Clock,
    reserved: u32,
    has_general: bool,
) -> Option<Vec<StageChange>> {
    let mut out: Vec<StageChange> = Vec::new();
    let mut ok = true;
    for (i, c) in raw.iter().enumerate() {
        let cp = p.index(i);
        let Ok(date) = parse_date(&c.from).map_err(|e| ck.report(&cp.key("from"), e.to_string()))
        else {
            ok = false;
            continue;
        };
        let at = calendar.local_day_start(days_between(clock.start_date, date).unwrap_or(0));
        if out.last().is_some_and(|prev| prev.at >= at) {
            ck.report(
                &cp.key("from"),
                "changes must be listed in date order, one per date",
            );
            ok = false;
        }
        if c.lanes.is_none() && c.daily_quota.is_none() {
            ck.report(&cp, "a change needs `lanes` or `daily_quota`");
            ok = false;
        }
        let lanes = c
            .lanes
            .as_ref()
            .and_then(|n| count(ck, &cp.key("lanes"), n, "lanes"));
        if let Some(n) = &lanes {
            if !has_general {
                ck.report(
                    &cp.key("lanes"),
                    "a change of lanes changes the general lanes, and every lane of this stage is reserved",
                );
                ok = false;
            } else if matches!(n, Count::Schedule(_)) {
                ok &= check_reserved(ck, &cp.key("lanes"), n, reserved);
            } else if n.max() <= reserved {
                let n = n.max();
                ck.report(
                    &cp.key("lanes"),
                    format!(
                        "must keep the {reserved} reserved lanes and at least one shared lane (got {n})"
                    ),
                );
                ok = false;
            }
        }
        // 0 suspends intake from that date ("intake suspended 4–8 September"); a later change
        // resumes it.
        let daily_quota = c
            .daily_quota
            .and_then(|n| int_in(ck, &cp.key("daily_quota"), n, 0, 10_000_000, "daily_quota"))
            .map(|n| n as u32);
        if (c.lanes.is_some() && lanes.is_none())
            || (c.daily_quota.is_some() && daily_quota.is_none())
        {
            ok = false;
        }
        out.push(StageChange {
            at,
            lanes: lanes.map(|n| n.profile(calendar.shift())),
            daily_quota,
        });
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use crate::scenario::problems_of;

    #[test]
    fn changes_are_in_date_order_and_change_something() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 2
service = { dist = "deterministic", value = "5min" }
changes = [
  { from = "2026-01-09", lanes = 3 },
  { from = "2026-01-07", lanes = 1 },
  { from = "2026-01-10" },
]

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:14:12: checkpoints[0].stages[0].changes[1].from: changes must be listed in date order, one per date"#,
            r#"t.toml:15:3: checkpoints[0].stages[0].changes[2]: a change needs `lanes` or `daily_quota`"#,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_change_of_lanes_needs_general_lanes() {
        let got = problems_of(
            r#"
[classes.perishable]

[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 2
reserved_lanes = { perishable = 2 }
service = { dist = "deterministic", value = "5min" }
changes = [{ from = "2026-01-09", lanes = 3 }]

[[flows]]
id = "f"
mode = "truck"
class = "perishable"
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:15:43: checkpoints[0].stages[0].changes[0].lanes: a change of lanes changes the general lanes, and every lane of this stage is reserved"#,
        ];
        assert_eq!(got, want);
    }
}
