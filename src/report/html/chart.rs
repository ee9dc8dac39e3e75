//! Line charts as inline SVG, drawn with `plotters`' SVG backend (which writes `<text>` elements
//! and needs no fonts): the chart and line types, the palette, the one rule for value axes
//! (linear, or log10 when one line dwarfs the reference), and the figure around a chart.

use std::fmt::Write as _;
use std::ops::Range;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::esc;

/// Most lines drawn per chart; with more points, see [`super::figures::shown_points`].
pub(super) const MAX_LINES: usize = 8;
/// Chart width [px]; two fit side by side in a 1400 px window.
pub(super) const CHART_W: u32 = 670;
/// Height of a chart's plot (caption, axes, plot) [px]; the legend adds rows below.
pub(super) const PLOT_H: u32 = 360;
/// Height of one legend row [px].
pub(super) const LEGEND_ROW_H: u32 = 20;
/// Colour of the baseline point's line (dark grey, drawn wider).
pub(super) const BASELINE_COLOR: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Colours of the other points' lines (colour-blind-friendly Tableau order, without red).
pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xbc, 0xbd, 0x22),
];
/// Background of the plot area, a faint blue-white that marks where a chart plots (the browser
/// test finds the charts by it).
pub const PLOT_BG: (u8, u8, u8) = (0xfa, 0xfb, 0xff);
/// Colour of reference lines such as a daily quota (red, dashed).
pub(super) const QUOTA_COLOR: RGBColor = RGBColor(0xd6, 0x27, 0x28);

/// One line of a chart: its legend label, style and data (segments break where data is missing).
pub(super) struct Line {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) dashed: bool,
    /// True for the reference point's line (the baseline, or the only point).
    pub(super) reference: bool,
    pub(super) segments: Vec<Vec<(f64, f64)>>,
}

/// A line chart: title, axis labels with units, ranges, lines.
pub(super) struct Chart<'a> {
    pub(super) title: String,
    pub(super) x_desc: &'a str,
    pub(super) y_desc: &'a str,
    pub(super) x: Range<f64>,
    pub(super) y: Range<f64>,
    pub(super) x_fmt: &'a dyn Fn(&f64) -> String,
    pub(super) y_fmt: &'a dyn Fn(&f64) -> String,
    pub(super) lines: Vec<Line>,
}

/// Axis values without spurious decimals: "1500", "2.5", "0.25".
pub(super) fn plain(x: &f64) -> String {
    let dec = match x.abs() {
        a if a >= 10.0 || a == 0.0 => 0,
        a if a >= 1.0 => 1,
        _ => 2,
    };
    format!("{x:.dec$}")
}

/// Labels of a log10-transformed axis: the value 10^x.
pub(super) fn pow10(x: &f64) -> String {
    plain(&10f64.powf(*x))
}

/// Whether values up to `max` should go on a log axis because they dwarf `reference` (the
/// baseline's largest value): more than 10 times larger squeezes the reference into the bottom
/// tenth of a linear axis, where its shape cannot be read (Dostyk road at demand ×2 reaches 25
/// times today's wait).
fn wants_log(max: f64, reference: f64) -> bool {
    reference > 0.0 && max / reference > LOG_RATIO
}

/// The ratio of the largest value to the reference's beyond which a value axis is logarithmic.
const LOG_RATIO: f64 = 10.0;

/// Splits `(x, Option<y>)` into runs of present values.
pub(super) fn segments(
    points: impl IntoIterator<Item = (f64, Option<f64>)>,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        match y.filter(|v| v.is_finite()) {
            Some(y) => out.last_mut().map_or((), |s| s.push((x, y))),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Upper end of a y axis showing values up to `max` (at least `floor`), with 10% headroom.
pub(super) fn y_top(max: f64, floor: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        (max * 1.1).max(floor)
    } else {
        floor
    }
}

pub(super) fn max_y(lines: &[Line]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.segments.iter().flatten())
        .map(|p| p.1)
        .fold(0.0, f64::max)
}

/// Which coordinate of a chart an axis shows.
#[derive(Clone, Copy)]
pub(super) enum Dim {
    /// Horizontal.
    X,
    /// Vertical.
    Y,
}

/// Where a value axis ends.
#[derive(Clone, Copy)]
pub(super) enum Top {
    /// Above the largest value drawn: 10% headroom (at least the given value) on a linear
    /// scale, a fifth of a decade on a log scale.
    Headroom(f64),
    /// At this value.
    At(f64),
}

/// A value axis as drawn: its range (in drawn units), description and tick labels.
pub(super) struct Axis<'a> {
    /// Range in drawn units (log10 of the value on a log scale).
    pub(super) range: Range<f64>,
    /// Description with unit, marked when the scale is logarithmic.
    pub(super) desc: &'a str,
    /// Tick labels: the values, on either scale.
    pub(super) fmt: &'static dyn Fn(&f64) -> String,
}

fn coord(p: &mut (f64, f64), dim: Dim) -> &mut f64 {
    match dim {
        Dim::X => &mut p.0,
        Dim::Y => &mut p.1,
    }
}

fn max_of(lines: &[Line], dim: Dim) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.segments.iter().flatten())
        .map(|p| match dim {
            Dim::X => p.0,
            Dim::Y => p.1,
        })
        .fold(0.0, f64::max)
}

/// The one axis rule of the report's charts. Values up to `max` go on a linear axis from 0,
/// unless they dwarf `reference` (the reference point's largest value; see [`wants_log`]): then
/// coordinate `dim` of every line is replaced by its log10, values below 10^`floor_exp` drawn at
/// that edge, and the axis starts there. `desc` and `log_desc` describe the two scales.
pub(super) fn value_axis<'a>(
    lines: &mut [Line],
    dim: Dim,
    (max, reference): (f64, f64),
    floor_exp: i32,
    top: Top,
    (desc, log_desc): (&'a str, &'a str),
) -> Axis<'a> {
    if !wants_log(max, reference) {
        let end = match top {
            Top::Headroom(at_least) => y_top(max, at_least),
            Top::At(v) => v,
        };
        return Axis {
            range: 0.0..end,
            desc,
            fmt: &plain,
        };
    }
    let floor = 10f64.powi(floor_exp);
    for p in lines
        .iter_mut()
        .flat_map(|l| l.segments.iter_mut().flatten())
    {
        let v = coord(p, dim);
        *v = v.max(floor).log10();
    }
    let end = match top {
        Top::Headroom(_) => max_of(lines, dim) + 0.2,
        Top::At(v) => v.log10(),
    };
    Axis {
        range: f64::from(floor_exp)..end,
        desc: log_desc,
        fmt: &pow10,
    }
}

/// Draws `c` as an SVG document (`<svg …>…</svg>`), legend in rows under the plot.
fn draw(c: &Chart) -> Result<String, Box<dyn std::error::Error>> {
    let cols = 2usize;
    let rows = c.lines.len().div_ceil(cols).max(1) as u32;
    let height = PLOT_H + 10 + rows * LEGEND_ROW_H;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_vertically(PLOT_H);
        let mut ch = ChartBuilder::on(&plot)
            .caption(&c.title, ("sans-serif", 17))
            .margin(8)
            .margin_right(18)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(c.x.clone(), c.y.clone())?;
        ch.plotting_area()
            .fill(&RGBColor(PLOT_BG.0, PLOT_BG.1, PLOT_BG.2))?;
        ch.configure_mesh()
            .x_desc(c.x_desc)
            .y_desc(c.y_desc)
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(c.x_fmt)
            .y_label_formatter(c.y_fmt)
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 13))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
            .draw()?;
        // The reference line after the others, so that it stays visible where lines
        // coincide; a line that coincides with one drawn before it comes last, dashed, so that
        // the one under it shows through its gaps.
        let same = coincident(c);
        let order = (0..c.lines.len())
            .filter(|&i| !c.lines[i].reference && same[i].is_none())
            .chain((0..c.lines.len()).filter(|&i| c.lines[i].reference && same[i].is_none()))
            .chain((0..c.lines.len()).filter(|&i| same[i].is_some()));
        for i in order {
            let l = &c.lines[i];
            let style = l.color.stroke_width(l.width);
            let dash = dash_of(l, same[i]);
            for seg in &l.segments {
                if let [p] = seg.as_slice() {
                    // A lone value (an hour with no neighbour) is a dot, not an invisible line.
                    let dot = Circle::new(*p, l.width + 1, l.color.filled());
                    ch.draw_series(std::iter::once(dot))?;
                } else if let Some((on, off)) = dash {
                    ch.draw_series(DashedLineSeries::new(seg.iter().copied(), on, off, style))?;
                } else {
                    ch.draw_series(LineSeries::new(seg.iter().copied(), style))?;
                }
            }
        }
        // The legend: a short stroke and the label per line, two columns.
        let col_w = (CHART_W as i32 - 40) / cols as i32;
        for (i, l) in c.lines.iter().enumerate() {
            let x = 30 + (i % cols) as i32 * col_w;
            let y = 8 + (i / cols) as i32 * LEGEND_ROW_H as i32 + LEGEND_ROW_H as i32 / 2;
            let style = l.color.stroke_width(l.width.max(2));
            // The sample shows the line's dashes, in proportion.
            match dash_of(l, same[i]) {
                Some((on, off)) => {
                    let (on, off) = ((on as i32 / 2).max(2), (off as i32 / 2).max(2));
                    let mut a = x;
                    while a < x + 24 {
                        let b = (a + on).min(x + 24);
                        legend.draw(&PathElement::new(vec![(a, y), (b, y)], style))?;
                        a = b + off;
                    }
                }
                None => legend.draw(&PathElement::new(vec![(x, y), (x + 24, y)], style))?,
            }
            let mut label = l.label.clone();
            if label.chars().count() > 42 {
                label = label.chars().take(41).collect::<String>() + "…";
            }
            let font = ("sans-serif", 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            legend.draw(&Text::new(label, (x + 30, y), font))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// The chart as SVG, or a short note in its place if plotters fails (never a panic).
fn chart_svg(c: &Chart) -> String {
    match draw(c) {
        Ok(svg) => svg,
        Err(e) => format!(
            "<p class=\"note\">Chart \"{}\" could not be drawn: {}</p>",
            esc(&c.title),
            esc(&e.to_string())
        ),
    }
}

/// A figure: the chart and its "how to read" line, with a note naming the lines that coincide
/// (drawn dashed over the line they hide).
pub(super) fn figure(out: &mut String, chart: &Chart, how: &str) {
    let same = coincident(chart);
    let pairs: Vec<String> = same
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (j, _) = (*s)?;
            Some(format!(
                "“{}” lies on “{}”",
                esc(&chart.lines[i].label),
                esc(&chart.lines[j].label)
            ))
        })
        .collect();
    let note = if pairs.is_empty() {
        String::new()
    } else {
        format!(
            " <i>Lines drawn on one another (the later one dashed, on top):</i> {}.",
            pairs.join("; ")
        )
    };
    let _ = writeln!(
        out,
        "<figure>{}<figcaption><b>How to read:</b> {}{note}</figcaption></figure>",
        chart_svg(chart),
        how
    );
}

/// Dash pattern (on, off) \[px\] of a line: its own when it is a dashed reference line (a
/// quota); for a line that coincides with another (`same`: that line and this one's rank among
/// the lines that coincide with it), one pattern per rank, so that three coinciding lines stay
/// three; none for a plain line.
fn dash_of(l: &Line, same: Option<(usize, usize)>) -> Option<(u32, u32)> {
    const PATTERNS: [(u32, u32); 4] = [(10, 8), (3, 7), (16, 6), (6, 4)];
    if l.dashed {
        return Some((8, 6));
    }
    same.map(|(_, rank)| PATTERNS[rank % PATTERNS.len()])
}

/// For each line of `c`, the earlier line it coincides with (within half a percent of each
/// axis's span at every point, so that one hides the other when drawn) and how many lines
/// before it coincide with that one too; `None` for a line that hides no other. Dashed
/// reference lines (quotas) are not compared.
fn coincident(c: &Chart) -> Vec<Option<(usize, usize)>> {
    let span = |r: &Range<f64>| (r.end - r.start).abs().max(f64::MIN_POSITIVE);
    let (tx, ty) = (0.005 * span(&c.x), 0.005 * span(&c.y));
    let close = |a: &Line, b: &Line| {
        a.segments.len() == b.segments.len()
            && a.segments.iter().zip(&b.segments).all(|(sa, sb)| {
                sa.len() == sb.len()
                    && sa
                        .iter()
                        .zip(sb)
                        .all(|(p, q)| (p.0 - q.0).abs() <= tx && (p.1 - q.1).abs() <= ty)
            })
    };
    let mut out: Vec<Option<(usize, usize)>> = vec![None; c.lines.len()];
    for i in 0..c.lines.len() {
        if c.lines[i].dashed || c.lines[i].segments.is_empty() {
            continue;
        }
        let first = (0..i).find(|&j| {
            out[j].is_none()
                && !c.lines[j].dashed
                && !c.lines[j].segments.is_empty()
                && close(&c.lines[i], &c.lines[j])
        });
        out[i] = first.map(|j| {
            (
                j,
                out[..i]
                    .iter()
                    .filter(|s| s.is_some_and(|s| s.0 == j))
                    .count(),
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(label: &str, reference: bool, pts: &[(f64, f64)]) -> Line {
        Line {
            label: label.into(),
            color: BASELINE_COLOR,
            width: 2,
            dashed: false,
            reference,
            segments: vec![pts.to_vec()],
        }
    }

    #[test]
    fn a_line_25_times_the_baseline_puts_the_axis_on_a_log_scale() {
        // Dostyk road: today's wait peaks at 15 h; at demand ×2 at 375 h (25×). On a linear
        // axis to 412 h the baseline would fill 4% of the height; on log10 from 0.1 h it spans
        // from −1 to log10(15) = 1.18 of the axis's −1 … 2.77: more than half.
        let mut lines = vec![
            line("today", true, &[(0.0, 0.35), (1.0, 15.0)]),
            line("x2", false, &[(0.0, 200.0), (1.0, 375.0)]),
        ];
        let axis = value_axis(
            &mut lines,
            Dim::Y,
            (375.0, 15.0),
            -1,
            Top::Headroom(1.0),
            ("wait", "wait (log)"),
        );
        assert_eq!(axis.desc, "wait (log)");
        assert_eq!(axis.range.start, -1.0);
        assert!((axis.range.end - (375f64.log10() + 0.2)).abs() < 1e-12);
        let base = &lines[0].segments[0];
        assert!((base[1].1 - 15f64.log10()).abs() < 1e-12);
        let share = (base[1].1 - axis.range.start) / (axis.range.end - axis.range.start);
        assert!(share > 0.5, "{share}");
        // 8× stays linear, from 0.
        let mut lines = vec![
            line("today", true, &[(0.0, 1.0), (1.0, 15.0)]),
            line("x1.5", false, &[(0.0, 100.0), (1.0, 120.0)]),
        ];
        let axis = value_axis(
            &mut lines,
            Dim::Y,
            (120.0, 15.0),
            -1,
            Top::Headroom(1.0),
            ("wait", "wait (log)"),
        );
        assert_eq!((axis.desc, axis.range.start), ("wait", 0.0));
        assert!((axis.range.end - 132.0).abs() < 1e-9);
        assert!(wants_log(10.1, 1.0) && !wants_log(10.0, 1.0) && !wants_log(50.0, 0.0));
    }

    fn chart(lines: Vec<Line>) -> Chart<'static> {
        Chart {
            title: "t".into(),
            x_desc: "x",
            y_desc: "y",
            x: 0.0..10.0,
            y: 0.0..100.0,
            x_fmt: &plain,
            y_fmt: &plain,
            lines,
        }
    }

    #[test]
    fn lines_drawn_on_one_another_are_dashed_and_named() {
        let pts = [(0.0, 10.0), (5.0, 50.0), (10.0, 20.0)];
        // Within half a percent of the 100-high axis (0.4 < 0.5): one hides the other.
        let near = [(0.0, 10.4), (5.0, 50.0), (10.0, 20.0)];
        let apart = [(0.0, 10.0), (5.0, 52.0), (10.0, 20.0)];
        let c = chart(vec![
            line("today (baseline)", true, &pts),
            line("24x7", false, &apart),
            line("priority", false, &near),
            line("priority+lane", false, &pts),
        ]);
        assert_eq!(coincident(&c), [None, None, Some((0, 0)), Some((0, 1))]);
        // The two on the baseline get different dashes, the others none.
        let dashes: Vec<_> = c
            .lines
            .iter()
            .zip(coincident(&c))
            .map(|(l, s)| dash_of(l, s))
            .collect();
        assert_eq!(dashes[..2], [None, None]);
        assert!(dashes[2].is_some() && dashes[3].is_some() && dashes[2] != dashes[3]);
        let mut out = String::new();
        figure(&mut out, &c, "how.");
        assert!(out.contains(
            "“priority” lies on “today (baseline)”; “priority+lane” lies on “today (baseline)”."
        ));
        // A quota line is dashed already and never compared.
        let mut quota = line("daily quota", false, &pts);
        quota.dashed = true;
        let c = chart(vec![line("a", true, &pts), quota]);
        assert_eq!(coincident(&c), [None, None]);
        assert_eq!(dash_of(&c.lines[1], None), Some((8, 6)));
    }
}
