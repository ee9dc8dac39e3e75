//! The "Robustness to uncertain inputs" section of a sweep's text output (and the words the
//! HTML section shares with it): per policy and context, for the system and each checkpoint,
//! how often the policy beats the baseline over the input sets, its effect's median and 5–95 %
//! range, and which uncertain input moves the effect most.

use std::fmt::Write as _;

use super::figure::fixed;
use crate::sweep::SweepSummary;
use crate::sweep::robust::{HEADLINE_KPIS, Outcome, Robustness, Row, robustness};

/// |ρ| below which no input is said to move the effect.
pub(crate) const WEAK_RHO: f64 = 0.3;

/// Decimals of an effect on `kpi`: hours to 0.01, per-day counts to 0.1, others to 0.01.
fn decimals(kpi: &str) -> i32 {
    if kpi.ends_with("_per_day") { 1 } else { 2 }
}

/// The unit of `kpi` after a number: " h", "/day" or "".
pub(crate) fn unit(kpi: &str) -> &'static str {
    if kpi.ends_with("_h") {
        " h"
    } else if kpi.ends_with("_per_day") {
        "/day"
    } else {
        ""
    }
}

/// An effect with its sign: "+0.10", "−0.23", "0.00".
pub(crate) fn signed(x: f64, kpi: &str) -> String {
    let t = fixed(x, decimals(kpi));
    if t.starts_with('-') {
        t.replacen('-', "−", 1)
    } else if t.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        format!("+{t}")
    } else {
        t
    }
}

/// The effect's median and 5–95 % range: "+0.10 h [−0.23, +0.21]", "—" when nothing was
/// measured.
pub(crate) fn effect_text(r: &Row) -> String {
    match (r.effect_median, r.effect_p05, r.effect_p95) {
        (Some(m), Some(lo), Some(hi)) => format!(
            "{}{} [{}, {}]",
            signed(m, &r.kpi),
            unit(&r.kpi),
            signed(lo, &r.kpi),
            signed(hi, &r.kpi)
        ),
        _ => "—".into(),
    }
}

/// The wins in words: "6 of 20 (30 %); lost 2, unclear 12", with the measured draws as the
/// base.
pub(crate) fn wins_text(r: &Row) -> String {
    let ties = r.outcomes.iter().filter(|o| **o == Outcome::Tie).count();
    let ties = match ties {
        0 => String::new(),
        1 => "; 1 tie".into(),
        n => format!("; {n} ties"),
    };
    match r.win_share {
        Some(s) => format!(
            "{} of {} ({:.0} %{ties}); lost {}, unclear {}",
            r.wins,
            r.measured,
            s * 100.0,
            r.losses,
            r.unclear
        ),
        None => "—".into(),
    }
}

/// The overloaded input sets: "16 (12 / 16)" — in all, at the policy, at the baseline.
pub(crate) fn overloaded_text(r: &Row) -> String {
    if r.overloaded == 0 {
        "0".into()
    } else {
        format!(
            "{} ({} / {})",
            r.overloaded, r.overloaded_policy, r.overloaded_baseline
        )
    }
}

/// Which input moves the effect most, in words: "service at a (ρ = −1.00): the higher it is,
/// the larger the gain" where every measured effect is a gain, else "…, the smaller the effect
/// (policy − baseline)"; or that none does clearly.
pub(crate) fn driver_text(r: &Row) -> String {
    let (Some(name), Some(rho)) = (&r.driver, r.driver_spearman) else {
        return if r.measured < 3 {
            "— (fewer than 3 measured input sets)".into()
        } else {
            "— (the effect is the same in every input set)".into()
        };
    };
    let rho_text = signed(rho, "");
    if rho.abs() < WEAK_RHO {
        return format!("no input clearly (largest |ρ|: {name}, ρ = {rho_text})");
    }
    // A gain is a fall of a lower-is-better KPI, a rise of a higher-is-better one; only where
    // every measured effect is one is the effect called a gain.
    let all_gains = r.effects.iter().flatten().all(|&d| {
        let gain = if r.higher_better() { d } else { -d };
        gain > 0.0
    });
    if all_gains {
        let gain_rises = (rho > 0.0) == r.higher_better();
        format!(
            "{name} (ρ = {rho_text}): the higher it is, the {} the gain",
            if gain_rises { "larger" } else { "smaller" }
        )
    } else {
        format!(
            "{name} (ρ = {rho_text}): the higher it is, the {} the effect (policy − baseline)",
            if rho > 0.0 { "larger" } else { "smaller" }
        )
    }
}

/// The headline rows of one comparison: the system, then each checkpoint or terminal, each with
/// [`HEADLINE_KPIS`].
pub(crate) fn headline<'a>(r: &'a Robustness, policy: &str, context: &str) -> Vec<&'a Row> {
    let mut out = Vec::new();
    for kind in ["system", "checkpoint", "terminal"] {
        let mut ids: Vec<&str> = Vec::new();
        for row in &r.results {
            if row.policy == policy
                && row.context == context
                && row.entity_kind == kind
                && !ids.contains(&row.entity.as_str())
            {
                ids.push(&row.entity);
            }
        }
        for id in ids {
            for kpi in HEADLINE_KPIS {
                if let Some(row) = r.row(policy, context, kind, id, kpi) {
                    out.push(row);
                }
            }
        }
    }
    out
}

/// The explanation printed under the section's title.
pub(crate) const RULES: &str = "effect = policy − baseline on the same input set (the paired difference \
of replication means, same seeds); a policy wins an input set when its mean is better (lower for waits, \
queues and backlogs, higher for served and throughput) and the paired t-test over the replications says so \
at 5 % (two-sided; with one replication there is no test and the sign decides), loses when it says the \
opposite, and is unclear otherwise; a tie (exactly 0) does not win. Input sets where the policy \
or the baseline is overloaded are counted apart and left out of wins, effects and ρ. ρ: Spearman rank \
correlation of the input's value with the effect.";

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// The section, or "" for a sweep without uncertain inputs.
pub fn robustness_text(s: &SweepSummary) -> String {
    let Some(r) = robustness(s) else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nRobustness to uncertain inputs: {} input sets (Latin hypercube, seed {}); every policy \
         ran on each with the same replication seeds",
        r.draws, r.seed
    );
    let w = r
        .inputs
        .iter()
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(0);
    for i in &r.inputs {
        let source = i
            .source
            .as_ref()
            .map(|s| format!("  [{s}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<w$}  {}: {}{source}",
            i.name,
            i.path,
            i.range_text()
        );
    }
    for l in wrap(RULES, 110) {
        let _ = writeln!(out, "  {l}");
    }
    for (policy, context, baseline) in r.comparisons() {
        let ctx = if context.is_empty() {
            String::new()
        } else {
            format!(" at {context}")
        };
        let _ = writeln!(out, "\n{policy} vs {baseline}{ctx}");
        let rows = headline(&r, policy, context);
        let cells: Vec<[String; 5]> = rows
            .iter()
            .map(|row| {
                let who = if row.entity_kind == "system" {
                    "all vehicles".to_string()
                } else {
                    row.entity.clone()
                };
                [
                    format!("{who}  {}", row.kpi),
                    wins_text(row),
                    overloaded_text(row),
                    effect_text(row),
                    driver_text(row),
                ]
            })
            .collect();
        let header = [
            "entity  KPI",
            "wins of measured; lost, unclear",
            "overloaded (policy / baseline)",
            "effect median [5–95 %]",
            "moved most by",
        ];
        let mut width = header.map(|h| h.chars().count());
        for c in &cells {
            for (k, x) in c.iter().enumerate() {
                width[k] = width[k].max(x.chars().count());
            }
        }
        let line = |cols: [&str; 5]| {
            let mut l = String::from(" ");
            for (k, x) in cols.iter().enumerate() {
                let pad = width[k] - x.chars().count();
                if k == 4 {
                    l += &format!(" {x}");
                } else if k == 0 {
                    l += &format!(" {x}{}", " ".repeat(pad));
                } else {
                    l += &format!(" {}{x}", " ".repeat(pad));
                }
                l.push(' ');
            }
            l.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(header));
        for c in &cells {
            let _ = writeln!(
                out,
                "{}",
                line([&c[0], &c[1], &c[2], &c[3], &c[4]].map(|s| s.as_str()))
            );
        }
        if let Some(sys) = rows
            .iter()
            .find(|x| x.entity_kind == "system" && x.overloaded > 0)
        {
            let _ = writeln!(
                out,
                "  {} of {} input sets overloaded ({} at the policy, {} at the baseline): their \
                 queues grow with the run, so they are counted, not measured",
                sys.overloaded, sys.draws, sys.overloaded_policy, sys.overloaded_baseline
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of `wait_mean_h` with these measured effects and the driver's ρ.
    fn driven(effects: &[f64], rho: f64) -> Row {
        let mut row: Row = serde_json::from_value(serde_json::json!({
            "policy": "p", "context": "", "baseline": "b", "entity_kind": "system",
            "entity": "all", "kpi": "wait_mean_h", "better": "lower", "draws": effects.len(),
            "measured": effects.len(), "wins": 0, "win_share": null, "overloaded": 0,
            "overloaded_policy": 0, "overloaded_baseline": 0, "missing": 0,
            "effect_median": null, "effect_p05": null, "effect_p95": null, "spearman": [],
            "driver": "service", "driver_spearman": rho, "outcomes": [], "effects": []
        }))
        .expect("a row");
        row.effects = effects.iter().map(|&e| Some(e)).collect();
        row
    }

    #[test]
    fn the_driver_speaks_of_a_gain_only_where_every_effect_is_one() {
        // Waits: every effect below 0 is a gain; a higher input, a smaller gain at ρ = +0.9.
        assert_eq!(
            driver_text(&driven(&[-0.5, -0.2, -0.1], 0.9)),
            "service (ρ = +0.90): the higher it is, the smaller the gain"
        );
        // Every effect a loss or a tie: neutral words, the effect itself rising with the input.
        assert_eq!(
            driver_text(&driven(&[0.5, 0.2, 0.0], 0.9)),
            "service (ρ = +0.90): the higher it is, the larger the effect (policy − baseline)"
        );
        assert_eq!(
            driver_text(&driven(&[0.5, -0.2, 0.1], -0.8)),
            "service (ρ = −0.80): the higher it is, the smaller the effect (policy − baseline)"
        );
    }

    #[test]
    fn effects_carry_their_sign_and_unit() {
        assert_eq!(signed(0.1048, "wait_mean_h"), "+0.10");
        assert_eq!(signed(-0.229, "wait_mean_h"), "−0.23");
        assert_eq!(signed(-0.001, "wait_mean_h"), "0.00");
        assert_eq!(signed(12.34, "served_per_day"), "+12.3");
        assert_eq!(unit("served_per_day"), "/day");
    }
}
