//! How a paired difference is put into words: the note that says what the `*` marks mean (Holm
//! over the comparisons of a sweep; the intervals stay nominal), and a relative change that is
//! only given where it means something — never on a baseline indistinguishable from zero, never
//! a "0 %" beside a significant difference.

use crate::kpi::Diff;
use crate::stats::Estimate;
use crate::sweep::Group;

/// The note under a table of differences: what `*` means when `comparisons` were made.
pub(crate) fn holm_note(comparisons: usize) -> String {
    match comparisons {
        0 | 1 => {
            "intervals are nominal 95%; * = the paired interval excludes zero (p < 0.05)".into()
        }
        n => format!(
            "intervals are nominal 95%; * = significant after Holm over the {n} comparisons of \
             each column (one family per entity and KPI: family-wise error ≤ 5% within a column, \
             not across columns)"
        ),
    }
}

/// The line under a sweep's title that says how points are compared when it has context axes.
pub(crate) fn context_line(axes: &[String]) -> String {
    let axes = axes.join(", ");
    format!(
        "compared at equal {axes} (context): each point against the baseline policy at its own \
         {axes}; ranked within each context, never across"
    )
}

/// The heading of a context's rows: "demand=x1.5 (baseline: policy=today, demand=x1.5)".
pub(crate) fn group_heading<'a>(g: &Group, label: impl Fn(usize) -> &'a str) -> String {
    match g.baseline {
        Some(b) => format!("{} (baseline: {})", g.label, label(b)),
        None => g.label.clone(),
    }
}

/// A rendered table (header, rule, one line per member of `groups` in order) with a heading
/// line before each group's rows; the table as it is when there is one group without a label.
pub(crate) fn with_group_headings(
    table: &str,
    groups: &[Group],
    heading: impl Fn(&Group) -> String,
) -> String {
    if groups.len() <= 1 && groups.iter().all(|g| g.label.is_empty()) {
        return table.to_string();
    }
    let mut lines = table.lines();
    let mut out = String::new();
    for l in lines.by_ref().take(2) {
        out.push_str(l);
        out.push('\n');
    }
    for g in groups {
        out.push_str(&heading(g));
        out.push('\n');
        for l in lines.by_ref().take(g.members.len()) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The smallest baseline magnitude of KPI `kpi` a percentage is given against (in its unit):
/// 0.05 h for times, 0.05 km, half a vehicle (or tonne, TEU, day) for counts and rates, five
/// percentage points for shares (a share's change reads better in points: 1% → 67% is not
/// "+6600%").
fn floor(kpi: &str) -> f64 {
    let name = kpi.rsplit('.').next().unwrap_or(kpi);
    let fine = name.ends_with("_h")
        || name.contains("_km")
        || name.contains("utilization")
        || name.ends_with("_share");
    if fine { 0.05 } else { 0.5 }
}

/// The change `d` relative to the baseline estimate `base` of KPI `kpi`, as a signed whole
/// percentage ("−42%"), or `None` where a percentage would mislead: the baseline is near zero
/// (within its own 95% half-width of zero, or under the KPI's floor), or the percentage rounds
/// to 0 (the absolute change says more).
pub(crate) fn relative(base: &Estimate, d: &Diff, kpi: &str) -> Option<String> {
    let b = base.value()?;
    if !d.mean.is_finite() || b.abs() <= floor(kpi) || b.abs() <= base.ci95.abs() {
        return None;
    }
    let pct = (d.mean / b * 100.0).round();
    if pct == 0.0 {
        return None;
    }
    Some(format!("{pct:+.0}%").replacen('-', "−", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, ci95: f64) -> Estimate {
        Estimate {
            mean,
            ci95,
            sd: 1.0,
            n: 5,
        }
    }

    fn diff(mean: f64) -> Diff {
        Diff {
            mean,
            ci95: 0.01,
            significant: true,
            n: 5,
            p: 0.001,
            p_holm: 0.002,
        }
    }

    #[test]
    fn a_percentage_only_against_a_baseline_clear_of_zero() {
        // 3.97 h → 0.05 h: −3.92 / 3.97 = −98.7%.
        assert_eq!(
            relative(&est(3.97, 0.07), &diff(-3.92), "wait_mean_h").as_deref(),
            Some("−99%")
        );
        // A 0.02 h baseline (under the 0.05 h floor): +1.24 h is not "+6200%".
        assert_eq!(
            relative(&est(0.02, 0.001), &diff(1.24), "wait_mean_h"),
            None
        );
        // A baseline within its own interval of zero.
        assert_eq!(relative(&est(3.0, 4.0), &diff(5.0), "backlog_end"), None);
        // 2 more trucks a day on 1945: +0.1% rounds to 0; the absolute change is the figure.
        assert_eq!(
            relative(&est(1945.0, 38.0), &diff(2.0), "served_per_day"),
            None
        );
        assert_eq!(
            relative(&est(1945.0, 38.0), &diff(584.0), "served_per_day").as_deref(),
            Some("+30%")
        );
        assert_eq!(
            relative(&Estimate::MISSING, &diff(1.0), "served_per_day"),
            None
        );
    }

    #[test]
    fn the_note_names_the_family_size() {
        assert!(holm_note(6).contains("Holm over the 6 comparisons of each column"));
        assert!(holm_note(6).contains("not across columns"));
        assert!(holm_note(1).contains("excludes zero"));
        assert!(holm_note(6).starts_with("intervals are nominal 95%"));
    }
}
