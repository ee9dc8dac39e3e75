//! The five charts of a checkpoint, one function each: mean wait by hour of arrival, the queue
//! over the busiest fortnight, the wait distribution, the bottleneck's lane utilisation by hour,
//! and vehicles served per day against the daily quota. Every line is one point; the baseline
//! (or the only point) is the reference the axes are scaled against.

use jiff::civil::Date;
use plotters::style::RGBColor;

use super::captions;
use super::chart::{
    BASELINE_COLOR, Chart, Dim, Line, MAX_LINES, PALETTE, QUOTA_COLOR, Top, figure, max_y,
    segments, value_axis, y_top,
};
use super::data::{Point, ReportData};
use super::esc;
use super::hourly::{served_by_day, utilisation_by_hour};
use crate::kpi::{CheckpointInfo, EntityKind, HOUR_PREFIX, Sample, StageInfo, StageSeries};
use crate::time::MS_PER_HOUR;

/// The points drawn in the charts (at most [`MAX_LINES`]: the baseline, the best four and the
/// worst one when there are more) and a remark saying so when some are left out.
pub(super) fn shown_points(d: &ReportData) -> (Vec<usize>, Option<String>) {
    let rank = d.ranked();
    if d.points.len() <= MAX_LINES {
        let mut all: Vec<usize> = d.baseline.into_iter().collect();
        all.extend(rank.iter().filter(|&&i| Some(i) != d.baseline));
        return (all, None);
    }
    let others: Vec<usize> = rank
        .into_iter()
        .filter(|&i| Some(i) != d.baseline)
        .collect();
    let mut shown: Vec<usize> = d.baseline.into_iter().collect();
    shown.extend(others.iter().take(4));
    if let Some(&worst) = others.last() {
        shown.push(worst);
    }
    let note = format!(
        "The charts show {} of the {} points: {}the best four and the worst by mean wait; the tables list all.",
        shown.len(),
        d.points.len(),
        if d.baseline.is_some() {
            "the baseline, "
        } else {
            ""
        }
    );
    (shown, Some(note))
}

/// Line colour and width of point `i` drawn as the `k`-th non-baseline line.
fn style_of(d: &ReportData, i: usize, k: usize) -> (RGBColor, u32) {
    if Some(i) == d.baseline {
        (BASELINE_COLOR, 3)
    } else {
        (PALETTE[k % PALETTE.len()], 2)
    }
}

/// One line per shown point, from `data(point)` (points without data are skipped).
fn point_lines(
    d: &ReportData,
    shown: &[usize],
    mut data: impl FnMut(&Point) -> Vec<Vec<(f64, f64)>>,
) -> Vec<Line> {
    let mut k = 0;
    let mut out = Vec::new();
    for &i in shown {
        let p = &d.points[i];
        let (color, width) = style_of(d, i, k);
        if Some(i) != d.baseline {
            k += 1;
        }
        let segments = data(p);
        if segments.is_empty() {
            continue;
        }
        let label = if Some(i) == d.baseline {
            format!("{} (baseline)", p.label())
        } else {
            p.label().to_string()
        };
        out.push(Line {
            label,
            color,
            width,
            dashed: false,
            reference: i == d.baseline.unwrap_or(0),
            segments,
        });
    }
    out
}

/// Date `days` after `start` as "05 Jan"; falls back to "day N".
fn day_label(start: Option<jiff::civil::Date>, days: f64) -> String {
    let whole = days.floor() as i64;
    start
        .and_then(|s| s.checked_add(jiff::Span::new().days(whole)).ok())
        .map(|d| d.strftime("%d %b").to_string())
        .unwrap_or_else(|| format!("day {whole}"))
}

/// Sum over `stages` of `f(sample)` per sampling instant (stages share their instants).
fn summed(series: &StageSeries, stages: &[String], f: impl Fn(&Sample) -> f64) -> Vec<(f64, f64)> {
    let lists: Vec<&Vec<Sample>> = stages.iter().filter_map(|s| series.get(s)).collect();
    let Some(first) = lists.first() else {
        return Vec::new();
    };
    let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
    (0..n)
        .map(|j| (first[j].hours, lists.iter().map(|l| f(&l[j])).sum()))
        .collect()
}

/// The 14-day window (start, end in hours) with the highest mean of `total`, among complete
/// windows counted from the first sample; the whole span if it is shorter than 14 days.
fn busiest_fortnight(total: &[(f64, f64)]) -> Option<(f64, f64)> {
    const SPAN_H: f64 = 14.0 * 24.0;
    let (t0, t1) = (total.first()?.0, total.last()?.0);
    if t1 - t0 < SPAN_H {
        return Some((t0, t1));
    }
    let mut best: Option<(f64, f64)> = None;
    let mut k = 0.0;
    while t0 + (k + 1.0) * SPAN_H <= t1 + 1e-9 {
        let (a, b) = (t0 + k * SPAN_H, t0 + (k + 1.0) * SPAN_H);
        let vals: Vec<f64> = total
            .iter()
            .filter(|(h, _)| *h >= a && *h < b)
            .map(|p| p.1)
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
        if best.is_none_or(|(_, m)| mean > m) {
            best = Some((a, mean));
        }
        k += 1.0;
    }
    best.map(|(a, _)| (a, a + SPAN_H))
}

/// The wait at share `q` of a quantile table, interpolated.
fn wait_at(table: &[(f64, f64)], q: f64) -> Option<f64> {
    let i = table.iter().position(|p| p.0 >= q)?;
    if i == 0 {
        return Some(table[0].1);
    }
    let (a, b) = (table[i - 1], table[i]);
    let t = if b.0 > a.0 {
        (q - a.0) / (b.0 - a.0)
    } else {
        1.0
    };
    Some(a.1 + t * (b.1 - a.1))
}

/// A quantile table as CDF points (wait \[h\], share [%]) cut at `x_max` (interpolated there).
fn cdf_points(table: &[(f64, f64)], x_max: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(table.len());
    for (j, &(q, w)) in table.iter().enumerate() {
        if w <= x_max {
            out.push((w, q * 100.0));
        } else {
            if j > 0 {
                let (q0, w0) = table[j - 1];
                let t = if w > w0 { (x_max - w0) / (w - w0) } else { 0.0 };
                out.push((x_max, (q0 + t * (q - q0)) * 100.0));
            }
            break;
        }
    }
    out
}

/// What the charts of one checkpoint share.
struct Ctx<'a> {
    d: &'a ReportData,
    /// Positions of the points drawn.
    shown: &'a [usize],
    cp: &'a CheckpointInfo,
    /// Day 0, for date labels.
    start: Option<Date>,
    /// Position of the reference point: the baseline, or the first.
    reference: usize,
    /// The checkpoint's vehicles ("trucks", "trains"): the charts speak of them in their own
    /// terms.
    noun: &'static str,
}

impl Ctx<'_> {
    /// One line per shown point (see [`point_lines`]).
    fn lines(&self, data: impl FnMut(&Point) -> Vec<Vec<(f64, f64)>>) -> Vec<Line> {
        point_lines(self.d, self.shown, data)
    }

    /// Series keys ("checkpoint/stage") of the checkpoint's stages.
    fn stage_key(&self, s: &StageInfo) -> String {
        format!("{}/{}", self.cp.id, s.id)
    }

    /// When stage `s` was open in the reference point's series (on its clock), if recorded.
    fn opening(&self, s: &StageInfo) -> Option<captions::Opening> {
        let samples = self.d.points[self.reference]
            .series
            .as_ref()?
            .get(&self.stage_key(s))?;
        let warmup_h = f64::from(self.d.warmup_days) * 24.0;
        captions::opening(samples, warmup_h, s.clock_shift_ms)
    }
}

/// The largest value of the reference point's line.
fn reference_max(lines: &[Line]) -> f64 {
    lines
        .iter()
        .filter(|l| l.reference)
        .flat_map(|l| l.segments.iter().flatten())
        .map(|p| p.1)
        .fold(0.0, f64::max)
}

fn hour_fmt(x: &f64) -> String {
    format!("{:02}:00", x.round() as i64)
}

/// One run of points as the only segment, or none.
fn one_segment(pts: Vec<(f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    if pts.is_empty() {
        Vec::new()
    } else {
        vec![pts]
    }
}

/// The five charts of one checkpoint.
pub(super) fn checkpoint_charts(
    out: &mut String,
    d: &ReportData,
    shown: &[usize],
    cp: &CheckpointInfo,
) {
    let c = Ctx {
        d,
        shown,
        cp,
        start: d.start_date.parse().ok(),
        reference: d.baseline.unwrap_or(0),
        noun: super::sections::vehicle_noun(d, &cp.id),
    };
    wait_by_hour(out, &c);
    queue_fortnight(out, &c);
    wait_distribution(out, &c);
    bottleneck_utilisation(out, &c);
    served_per_day(out, &c);
}

/// 1. Mean wait by hour of arrival.
fn wait_by_hour(out: &mut String, c: &Ctx) {
    let mut lines = c.lines(|p| {
        segments((0..24).map(|h| {
            let k = p.cell(
                EntityKind::Checkpoint,
                &c.cp.id,
                &format!("{HOUR_PREFIX}{h:02}"),
            );
            (h as f64, k.and_then(|k| k.estimate.value()))
        }))
    });
    let scale = (max_y(&lines), reference_max(&lines));
    let y = value_axis(
        &mut lines,
        Dim::Y,
        scale,
        -1,
        Top::Headroom(1.0),
        ("mean wait [h]", "mean wait [h] (log scale)"),
    );
    figure(
        out,
        &Chart {
            title: "Mean wait by hour of arrival".into(),
            x_desc: "hour of arrival (reference clock)",
            y_desc: y.desc,
            x: 0.0..23.0,
            y: y.range,
            x_fmt: &hour_fmt,
            y_fmt: y.fmt,
            lines,
        },
        &captions::wait_by_hour(
            c.cp.stages
                .iter()
                .any(|s| c.opening(s).is_none_or(|o| o.closes_daily())),
            c.shown.len() > 1,
            c.noun,
        ),
    );
}

/// 2. Queue over the busiest baseline fortnight.
fn queue_fortnight(out: &mut String, c: &Ctx) {
    let stage_keys: Vec<String> = c.cp.stages.iter().map(|s| c.stage_key(s)).collect();
    let start = c.start;
    let day_fmt = move |x: &f64| day_label(start, *x);
    // The reference point's busiest fortnight; for a checkpoint it lacks (scenario B's own in
    // `compare`), that of the first point shown that has it.
    let found = std::iter::once(c.reference)
        .chain(c.shown.iter().copied())
        .filter_map(|i| Some((i, c.d.points[i].series.as_ref()?)))
        .find_map(|(i, s)| Some((i, busiest_fortnight(&summed(s, &stage_keys, |x| x.queue))?)));
    let window = found.map(|(_, w)| w);
    let at_baseline = c.d.baseline.is_some() && found.is_some_and(|(i, _)| i == c.reference);
    let (a, b) = window.unwrap_or((0.0, 1.0));
    let mut lines = c.lines(|p| {
        let Some(s) = &p.series else {
            return Vec::new();
        };
        one_segment(
            summed(s, &stage_keys, |x| x.queue)
                .into_iter()
                .filter(|(h, _)| *h >= a && *h <= b)
                .map(|(h, q)| (h / 24.0, q))
                .collect(),
        )
    });
    let scale = (max_y(&lines), reference_max(&lines));
    let y = value_axis(
        &mut lines,
        Dim::Y,
        scale,
        0,
        Top::Headroom(5.0),
        ("vehicles waiting", "vehicles waiting (log scale)"),
    );
    let title = match window {
        Some(_) => format!(
            "Queue, {} – {} (busiest {}fortnight)",
            day_label(start, a / 24.0),
            day_label(start, (b - 1.0) / 24.0),
            if at_baseline { "baseline " } else { "" }
        ),
        None => "Queue over a fortnight (no time series)".into(),
    };
    figure(
        out,
        &Chart {
            title,
            x_desc: "date (reference clock)",
            y_desc: y.desc,
            x: a / 24.0..b / 24.0,
            y: y.range,
            x_fmt: &day_fmt,
            y_fmt: y.fmt,
            lines,
        },
        &format!(
            "vehicles waiting at all stages of the checkpoint, every sampling step, in the 14 \
             days when {} was longest on average (replication 0). The same days are shown for \
             every policy, so the lines can be compared hour by hour.",
            match found {
                Some(_) if at_baseline => "the baseline queue".to_string(),
                Some((i, _)) => format!("the queue at {}", esc(c.d.points[i].label())),
                None => "the queue".to_string(),
            }
        ),
    );
}

/// 3. Wait distribution.
fn wait_distribution(out: &mut String, c: &Ctx) {
    let entity = format!("checkpoint/{}", c.cp.id);
    let x_max = c
        .shown
        .iter()
        .filter_map(|&i| c.d.points[i].waits.get(&entity))
        .filter_map(|t| wait_at(t, 0.99))
        .fold(0.0, f64::max);
    let x_max = if x_max > 0.0 { x_max * 1.05 } else { 1.0 };
    let base_p99 = c.d.points[c.reference]
        .waits
        .get(&entity)
        .and_then(|t| wait_at(t, 0.99))
        .unwrap_or(0.0);
    let mut lines = c.lines(|p| match p.waits.get(&entity) {
        Some(t) => one_segment(cdf_points(t, x_max)),
        None => Vec::new(),
    });
    let x = value_axis(
        &mut lines,
        Dim::X,
        (x_max, base_p99),
        -1,
        Top::At(x_max),
        (
            "wait [h]",
            "wait [h] (log scale; waits under 0.1 h at the left edge)",
        ),
    );
    figure(
        out,
        &Chart {
            title: format!("Wait distribution (share of {} waiting at most x)", c.noun),
            x_desc: x.desc,
            y_desc: &format!("{} [%]", c.noun),
            x: x.range,
            y: 0.0..100.0,
            x_fmt: x.fmt,
            y_fmt: &super::chart::plain,
            lines,
        },
        &format!(
            "for a wait x on the horizontal axis, the height of a line is the share of {} that \
             waited x hours or less (replication 0). A line further up and to the left is better; \
             the axis stops at the longest 99th percentile.",
            c.noun
        ),
    );
}

/// "reference clock", or the stage's clock when it keeps another.
fn clock_words(stage: Option<&StageInfo>) -> String {
    match stage {
        Some(s) if s.clock_shift_ms != 0 => {
            let h = s.clock_shift_ms as f64 / MS_PER_HOUR as f64;
            format!("clock of {}, {h:+} h from the reference", s.id)
        }
        _ => "reference clock".into(),
    }
}

/// 4. Utilisation of the bottleneck stage over open hours, by hour of day.
fn bottleneck_utilisation(out: &mut String, c: &Ctx) {
    let bottleneck = c.cp.stages.iter().max_by(|x, y| {
        let u = |s: &StageInfo| {
            c.d.points[c.reference]
                .cell(EntityKind::Stage, &c.stage_key(s), "utilization")
                .and_then(|k| k.estimate.value())
                .unwrap_or(f64::NEG_INFINITY)
        };
        u(x).total_cmp(&u(y))
    });
    let bkey = bottleneck.map(|s| c.stage_key(s)).unwrap_or_default();
    let shift = bottleneck.map_or(0, |s| s.clock_shift_ms);
    let warmup_h = f64::from(c.d.warmup_days) * 24.0;
    let lines = c.lines(|p| {
        let Some(samples) = p.series.as_ref().and_then(|s| s.get(&bkey)) else {
            return Vec::new();
        };
        let util = utilisation_by_hour(samples, warmup_h, shift);
        segments((0..24).map(|h| (h as f64, util[h])))
    });
    let x_desc = format!("hour of day ({})", clock_words(bottleneck));
    figure(
        out,
        &Chart {
            title: format!(
                "Lane utilisation of the bottleneck stage ({})",
                bottleneck.map_or("", |s| s.id.as_str())
            ),
            x_desc: &x_desc,
            y_desc: "busy lanes / open lanes [%]",
            x: 0.0..23.0,
            y: 0.0..100.0,
            x_fmt: &hour_fmt,
            y_fmt: &super::chart::plain,
            lines,
        },
        "share of the open lane-time that was busy, by hour of day (08 is 08:00–09:00), over \
         the sampled days (replication 0). Hours with no open lane have no point, nor have \
         hours whose series step was open only in part or spans two hours (busy time inside \
         the opening is not known there: give a shorter series_step). Near 100% \
         the stage is saturated: more lanes or hours there shorten the queue; well below, they \
         do not — unless its lanes are blocked by a full space after it (a lane holding a \
         vehicle that cannot move on is not busy): check the mean blocked lanes in the table \
         above.",
    );
}

/// 5. Throughput per day against the daily quota.
fn served_per_day(out: &mut String, c: &Ctx) {
    let d = c.d;
    let start = c.start;
    let day_fmt = move |x: &f64| day_label(start, *x);
    let last_stage = c.cp.stages.last();
    let last = last_stage.map(|s| c.stage_key(s)).unwrap_or_default();
    let shift = last_stage.map_or(0, |s| s.clock_shift_ms);
    let warmup_h = f64::from(d.warmup_days) * 24.0;
    let by_day = |p: &Point| {
        p.series
            .as_ref()
            .and_then(|s| s.get(&last))
            .map(|samples| served_by_day(samples, warmup_h, shift))
    };
    let mut x_range = (f64::INFINITY, f64::NEG_INFINITY);
    let mut lines = c.lines(|p| {
        let Some(days) = by_day(p) else {
            return Vec::new();
        };
        let pts: Vec<(f64, f64)> = days.iter().map(|&(day, n, _)| (day as f64, n)).collect();
        if let (Some(f), Some(l)) = (pts.first(), pts.last()) {
            x_range = (x_range.0.min(f.0), x_range.1.max(l.0));
        }
        one_segment(pts)
    });
    if !x_range.0.is_finite() {
        x_range = (0.0, 1.0);
    }
    if x_range.1 <= x_range.0 {
        x_range.1 = x_range.0 + 1.0;
    }
    // The quota per day from the series (it may change on dates), else the scenario's.
    let mut quota_steps: Vec<Vec<(f64, f64)>> = Vec::new();
    for &i in c.shown {
        let Some(days) = by_day(&d.points[i]) else {
            continue;
        };
        let quotas: Vec<(i64, f64)> = days
            .iter()
            .filter_map(|&(day, _, q)| Some((day, q?)))
            .collect();
        let steps: Vec<(f64, f64)> = quotas
            .iter()
            .flat_map(|&(day, q)| [(day as f64, q), (day as f64 + 1.0, q)])
            .collect();
        let varies = quotas
            .iter()
            .any(|&(_, q)| Some(q) != quotas.first().map(|f| f.1));
        if varies && !quota_steps.contains(&steps) {
            quota_steps.push(steps);
        }
    }
    let mut quotas: Vec<u32> = c
        .shown
        .iter()
        .filter_map(|&i| {
            let cp = d.points[i].checkpoints.iter().find(|x| x.id == c.cp.id)?;
            cp.stages.last()?.daily_quota
        })
        .collect();
    quotas.sort_unstable();
    quotas.dedup();
    let mut top = max_y(&lines);
    // A quota that changes on dates is drawn as steps (and no longer among `quotas`).
    let quota_varies = !quota_steps.is_empty();
    if !quota_steps.is_empty() {
        quotas.clear();
        for steps in quota_steps {
            top = steps.iter().map(|p| p.1).fold(top, f64::max);
            lines.push(quota_line(
                "daily quota (changes on dates)".to_string(),
                steps,
            ));
        }
    }
    for q in &quotas {
        top = top.max(*q as f64);
        lines.push(quota_line(
            format!("daily quota ({q} vehicles/day)"),
            vec![(x_range.0, *q as f64), (x_range.1, *q as f64)],
        ));
    }
    let closed = last_stage
        .and_then(|s| c.opening(s))
        .map_or(String::new(), |o| captions::closed_days_words(&o, start));
    let last_id = last_stage.map_or("", |s| s.id.as_str());
    let x_desc = format!("date ({})", clock_words(last_stage));
    figure(
        out,
        &Chart {
            title: format!("Vehicles served per day at the last stage ({last_id})"),
            x_desc: &x_desc,
            y_desc: "vehicles per day",
            x: x_range.0..x_range.1 + 1.0,
            y: 0.0..y_top(top, 5.0),
            x_fmt: &day_fmt,
            y_fmt: &super::chart::plain,
            lines,
        },
        &captions::served_per_day(quota_varies || !quotas.is_empty(), &closed, c.noun),
    );
}

/// A dashed red reference line for a daily quota.
fn quota_line(label: String, steps: Vec<(f64, f64)>) -> Line {
    Line {
        label,
        color: QUOTA_COLOR,
        width: 2,
        dashed: true,
        reference: false,
        segments: vec![steps],
    }
}
