//! The HTML report (`borderflow report`, `run --html`): its structure, its error handling and
//! what a browser actually draws of it (headless Chromium screenshot, decoded and inspected).
//!
//! The browser test needs `chromium` (or `chromium-browser`) on the PATH. Without it the test is
//! skipped with one line on the terminal, unless `BORDERFLOW_REQUIRE_BROWSER=1` (set by CI)
//! makes a missing browser a failure.

use crate::common::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Charts per checkpoint (must match `borderflow::report::html::CHARTS_PER_CHECKPOINT`).
const CHARTS: usize = borderflow::report::html::CHARTS_PER_CHECKPOINT;

/// A fresh scratch directory for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("borderflow-html-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create a scratch directory");
    dir
}

/// A small round-the-clock sweep (6 points × 2 replications × 60 days), run once per test binary.
fn sweep_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("sweep").join("out");
        let d = dir.display().to_string();
        let o = borderflow(&[
            "sweep",
            "scenarios/sweeps/round-the-clock.toml",
            "--out",
            &d,
            "--quiet",
            "--replications",
            "2",
            "--days",
            "60",
        ]);
        assert!(
            o.status.success(),
            "sweep failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        dir
    })
}

/// The report of [`sweep_dir`], written once.
fn sweep_report() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| std::fs::read_to_string(sweep_report_file()).expect("report not written"))
}

/// The file of [`sweep_report`], written once.
fn sweep_report_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let file = scratch("sweep-report").join("report.html");
        let o = borderflow(&[
            "report",
            &sweep_dir().display().to_string(),
            "-o",
            &file.display().to_string(),
        ]);
        assert!(
            o.status.success(),
            "report failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        file
    })
}

/// `run scenarios/examples/mm1.toml --html FILE`, two short replications; returns the file.
fn mm1_report(name: &str) -> PathBuf {
    let file = scratch(name).join("mm1.html");
    let o = borderflow(&[
        "run",
        "scenarios/examples/mm1.toml",
        "--replications",
        "2",
        "--days",
        "40",
        "--html",
        &file.display().to_string(),
    ]);
    assert!(
        o.status.success(),
        "run --html failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    file
}

/// Rows in the body of the table whose class attribute is `class`.
fn table_rows(html: &str, class: &str) -> usize {
    let start = html
        .find(&format!("<table class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no table of class {class}"));
    let body = &html[start..];
    let body =
        &body[body.find("<tbody>").expect("no tbody")..body.find("</tbody>").expect("no /tbody")];
    body.matches("<tr").count()
}

/// Every absolute URL in `html` other than the SVG namespace.
fn external_urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        for (i, _) in html.match_indices(scheme) {
            let rest = &html[i..];
            let end = rest.find(['"', '\'', ' ', ')', '<']).unwrap_or(rest.len());
            let url = &rest[..end];
            if url != "http://www.w3.org/2000/svg" {
                out.push(url.to_string());
            }
        }
    }
    out
}

const CHART_TITLES: [&str; CHARTS] = [
    "Mean wait by hour of arrival",
    "(busiest baseline fortnight)",
    "Wait distribution (share of trucks waiting at most x)",
    "Lane utilisation of the bottleneck stage",
    "Vehicles served per day at the last stage",
];

#[test]
fn sweep_report_has_five_charts_per_checkpoint_and_context_and_a_row_per_point() {
    let html = sweep_report();
    // The round-the-clock base scenario has ten road checkpoints (five crossings, each way), and
    // its demand axis is a context of three levels: a panel of charts per checkpoint and demand.
    let checkpoints = 10;
    assert_eq!(html.matches("<svg").count(), checkpoints * 3 * CHARTS);
    assert_eq!(
        html.matches("<div class=\"panel\">").count(),
        checkpoints * 3
    );
    for title in CHART_TITLES {
        assert_eq!(
            html.matches(title).count(),
            checkpoints * 3,
            "chart title {title:?}"
        );
    }
    // One per chart, and one each for the assumptions, the comparison, the crossing times, the
    // flows and the classes (general and perishable).
    assert_eq!(
        html.matches("<b>How to read:</b>").count(),
        checkpoints * 3 * CHARTS + 5
    );
    for d in ["x1", "x1.5", "x2"] {
        let heading = format!(
            "<h3 class=\"context\">demand={d} <span class=\"base\">(baseline policy=today, demand={d})</span>"
        );
        assert_eq!(html.matches(&heading).count(), checkpoints, "{heading}");
    }
    assert!(html.contains("<title>borderflow report: sweep round-the-clock</title>"));
    assert!(html.contains("seed 42"));
    assert!(html.contains("2 replications per point"));
    assert!(html.contains("simulated 2026-01-05 to 2026-03-05"));
    assert!(html.contains("baseline: <b>policy=today, demand=x1</b>"));
    assert!(html.contains("Nur Zholy – Khorgos (nur-zholy)"));
    // One ranked row per point under a heading row per demand; each demand's baseline marks
    // its own difference cells.
    assert_eq!(table_rows(html, "compare"), 6 + 3);
    // Heading rows: in the comparison table and in each of the ten checkpoints' tables.
    assert_eq!(html.matches("<tr class=\"context\">").count(), 3 * (1 + 10));
    assert_eq!(
        html.matches("<td class=\"base\">baseline</td>").count(),
        3 * 2
    );
    assert_eq!(table_rows(html, "checkpoint"), 6 + 3);
    assert!(html.contains("significant after Holm over the 3 comparisons of each column"));
    // Sixty days: no yearly table.
    assert!(!html.contains("id=\"yearly\""));
    // A quota line in the charts of the two checkpoints with a daily quota.
    assert!(html.contains("daily quota (1000 vehicles/day)"));
    assert!(html.contains("daily quota (300 vehicles/day)"));
    assert!(html.contains(&format!("borderflow {}", env!("CARGO_PKG_VERSION"))));
}

/// The badge on an overloaded point or checkpoint.
const BADGE: &str = "<span class=\"overload\"";

/// The body rows of the table whose class attribute is `class`, as HTML.
fn rows_of<'a>(html: &'a str, class: &str) -> Vec<&'a str> {
    let start = html
        .find(&format!("<table class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no table of class {class}"));
    let body = &html[start..];
    let body =
        &body[body.find("<tbody>").expect("no tbody")..body.find("</tbody>").expect("no /tbody")];
    body.split("<tr").skip(1).collect()
}

#[test]
fn sweep_report_badges_the_overloaded_points_and_leaves_them_unranked() {
    let html = sweep_report();
    // At ×1.5 and ×2 the demand exceeds the lanes × open hours or the quota of several crossings
    // (the static check); at ×1 nothing is overloaded.
    // Six points under three context headings (demand); the data rows only.
    let rows: Vec<&str> = rows_of(html, "compare")
        .into_iter()
        .filter(|r| !r.starts_with(" class=\"context\""))
        .collect();
    assert_eq!(rows.len(), 6);
    for (k, row) in rows.iter().enumerate() {
        let over = row.contains("demand=x1.5") || row.contains("demand=x2");
        assert_eq!(row.contains(BADGE), over, "row {k}: {row}");
        // The ×1 context's rows ranked (1, 2), the overloaded ones unranked, their waits marked.
        let rank = if over {
            "–".to_string()
        } else {
            (k + 1).to_string()
        };
        let cells = row.split_once('>').map_or("", |(_, c)| c);
        assert!(
            cells.starts_with(&format!("<td>{rank}</td>")),
            "row {k}: {row}"
        );
        assert_eq!(
            row.matches("grows with run length").count(),
            if over { 3 } else { 0 }
        );
        // An overloaded point shows the vehicles that left beside those served.
        assert_eq!(row.contains(" left</span>"), over, "row {k}");
    }
    assert!(html.contains("4 of 6 points are overloaded"));
    // Nur Zholy: its quota of 1000/day is below 1.5 × today's demand at every such point.
    let nz = &html[html.find("id=\"cp-nur-zholy\"").unwrap()..];
    let nz = &nz[..nz.find("</section>").unwrap()];
    assert!(nz.contains(&format!("Nur Zholy – Khorgos (nur-zholy){BADGE}")));
    assert!(nz.contains("at <b>policy=today, demand=x1.5</b>: demand above the daily quota"));
    let rows = rows_of(nz, "checkpoint");
    assert_eq!(rows.iter().filter(|r| r.contains(BADGE)).count(), 4);
}

/// Pixels of the badge's red (#c62828) in a screenshot.
fn badge_pixels(px: &[[u8; 3]]) -> usize {
    px.iter()
        .filter(|p| {
            p[0].abs_diff(0xc6) <= 4 && p[1].abs_diff(0x28) <= 4 && p[2].abs_diff(0x28) <= 4
        })
        .count()
}

#[test]
fn report_is_self_contained() {
    let html = sweep_report();
    assert_eq!(external_urls(html), Vec::<String>::new());
    assert!(!html.contains("<script"));
    assert!(!html.contains("<link"));
    assert!(!html.contains("@import"));
    assert!(!html.contains("src="));
    // Six points of a 60-day run, 150 charts (ten checkpoints × three contexts × five): the
    // page stays small, under 20 KB a chart.
    let charts = html.matches("<svg").count();
    assert_eq!(charts, 150);
    assert!(
        html.len() < charts * 20_000,
        "report is {} bytes",
        html.len()
    );
}

#[test]
fn run_html_reports_the_scenario_as_one_point() {
    let html = std::fs::read_to_string(mm1_report("run")).expect("no report");
    assert_eq!(html.matches("<svg").count(), CHARTS);
    assert!(html.contains("<title>borderflow report: scenario mm1</title>"));
    assert_eq!(table_rows(&html, "compare"), 1);
    // No baseline, so no paired differences.
    assert!(!html.contains("Δ mean wait"));
    assert_eq!(external_urls(&html), Vec::<String>::new());
}

#[test]
fn a_quota_that_changes_on_dates_is_drawn_as_steps() {
    let file = scratch("ramp").join("ramp.html");
    let o = borderflow(&[
        "run",
        "scenarios/validation/nur-zholy-mar-2023.toml",
        "--replications",
        "2",
        "--html",
        &file.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&file).expect("no report");
    // Not the scenario's initial quota as a flat line.
    assert!(!html.contains("daily quota (150 vehicles/day)"));
    let title = html
        .find("Vehicles served per day at the last stage")
        .expect("no throughput chart");
    let svg = &html[html[..title].rfind("<svg").expect("no svg")..];
    let svg = &svg[..svg.find("</svg>").expect("unclosed svg")];
    assert!(svg.contains("daily quota (changes on dates)"));

    // The quota's dashes, in drawing order; those under the plot (360 px high) are the
    // legend's sample, drawn dashed like the line.
    let mut dashes: Vec<Vec<(i64, i64)>> = svg
        .split("<polyline")
        .skip(1)
        .filter(|e| e.contains(r##"stroke="#D62728""##))
        .map(|e| {
            let pts = &e[e.find("points=\"").expect("points") + 8..];
            pts[..pts.find('"').expect("end of points")]
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').expect("x,y");
                    (x.parse().expect("x"), y.parse().expect("y"))
                })
                .collect()
        })
        .collect();
    dashes.retain(|d| d.iter().all(|p| p.1 < 360));
    // Levels of the horizontal runs, left to right (SVG y grows downwards).
    let mut levels: Vec<i64> = Vec::new();
    for w in dashes.iter().flat_map(|d| d.windows(2)) {
        if w[0].1 == w[1].1 && w[0].0 != w[1].0 && levels.last() != Some(&w[0].1) {
            levels.push(w[0].1);
        }
    }
    // The ramp of the scenario: 150, 238, 327, 415, 503, 592, 680 vehicles/day, one step a day.
    let ramp = [150.0, 238.0, 327.0, 415.0, 503.0, 592.0, 680.0];
    assert_eq!(levels.len(), ramp.len(), "quota levels drawn: {levels:?}");
    let (y0, y1) = (levels[0] as f64, levels[6] as f64);
    for (k, (&y, q)) in levels.iter().zip(ramp).enumerate() {
        let drawn = (y as f64 - y0) / (y1 - y0);
        let want = (q - 150.0) / (680.0 - 150.0);
        assert!(
            (drawn - want).abs() < 0.02,
            "step {k}: drawn at {drawn:.3} of the rise, the quota is at {want:.3}; levels {levels:?}"
        );
    }
}

/// Runs `report DIR -o OUT`, checks it exits 2 without a panic, and returns its error text.
fn report_error(dir: &Path, out: &Path) -> String {
    let o = borderflow(&[
        "report",
        &dir.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn report_on_a_missing_directory_exits_2_naming_it() {
    let missing = scratch("missing").join("no-such-results");
    let out = scratch("missing-out").join("r.html");
    let err = report_error(&missing, &out);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(!out.exists());
}

#[test]
fn report_on_a_directory_without_results_exits_2_naming_the_manifest() {
    let dir = scratch("empty");
    let err = report_error(&dir, &dir.join("r.html"));
    assert!(
        err.contains(&dir.join("manifest.json").display().to_string()),
        "{err}"
    );
}

#[test]
fn report_on_a_corrupt_series_exits_2_naming_the_file() {
    let dir = scratch("corrupt");
    for f in ["manifest.json", "summary.json"] {
        std::fs::copy(sweep_dir().join(f), dir.join(f)).expect("copy");
    }
    std::fs::create_dir_all(dir.join("detail")).expect("mkdir");
    let series = dir.join("detail/point-000-series.csv");
    std::fs::write(&series, "time,hours\n2026-01-05 01:00,abc\n").expect("write");
    let err = report_error(&dir, &dir.join("r.html"));
    assert!(err.contains(&series.display().to_string()), "{err}");
}

/// The Chromium binary, if installed.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Screenshot of `html` at 1400 px wide, decoded as RGB rows.
fn screenshot(browser: &str, html: &Path) -> (usize, usize, Vec<[u8; 3]>) {
    screenshot_of_height(browser, html, 3000)
}

/// Screenshot of `html` at 1400 × `height` px, decoded as RGB rows.
fn screenshot_of_height(browser: &str, html: &Path, height: usize) -> (usize, usize, Vec<[u8; 3]>) {
    let png = html.with_extension("png");
    let o = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            &format!("--screenshot={}", png.display()),
            &format!("--window-size=1400,{height}"),
        ])
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("cannot start chromium");
    assert!(
        png.is_file(),
        "chromium wrote no screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("open png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let (w, h) = (info.width as usize, info.height as usize);
    let pixels = buf[..w * h * channels]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (w, h, pixels)
}

/// Plot areas in columns `x0..x1` of the screenshot: runs of rows holding many pixels of the plot
/// background (short gaps from grid lines bridged), as (first row, last row).
fn plot_bands(w: usize, h: usize, px: &[[u8; 3]], x0: usize, x1: usize) -> Vec<(usize, usize)> {
    let bg = borderflow::report::html::PLOT_BG;
    let bg = [bg.0, bg.1, bg.2];
    // Grid lines cross the plot every few pixels, so count the background pixels of a row
    // rather than a run of them; allow for the browser's colour rounding.
    let near = |p: [u8; 3]| p.iter().zip(bg).all(|(a, b)| a.abs_diff(b) <= 2);
    let is_plot_row = |y: usize| (x0..x1.min(w)).filter(|&x| near(px[y * w + x])).count() >= 150;
    let mut bands: Vec<(usize, usize)> = Vec::new();
    for y in (0..h).filter(|&y| is_plot_row(y)) {
        match bands.last_mut() {
            Some(b) if y <= b.1 + 4 => b.1 = y,
            _ => bands.push((y, y)),
        }
    }
    bands.retain(|b| b.1 - b.0 >= 100);
    bands
}

/// Saturated (non-grey) pixels in a region: the drawn lines (grid, text and background are grey
/// or nearly white).
fn coloured_pixels(w: usize, px: &[[u8; 3]], rows: (usize, usize), x0: usize, x1: usize) -> usize {
    (rows.0..=rows.1)
        .flat_map(|y| (x0..x1.min(w)).map(move |x| px[y * w + x]))
        .filter(|p| {
            let (max, min) = (*p.iter().max().unwrap_or(&0), *p.iter().min().unwrap_or(&0));
            max - min > 60
        })
        .count()
}

/// The browser, or `None` after saying the test is skipped (a failure when CI requires it).
fn browser_or_skip(test: &str) -> Option<&'static str> {
    let found = chromium();
    if found.is_none() {
        if std::env::var("BORDERFLOW_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromium is not installed and BORDERFLOW_REQUIRE_BROWSER=1");
        }
        let _ = writeln!(
            std::io::stderr(),
            "html::{test}: SKIPPED, no chromium on the PATH"
        );
    }
    found
}

#[test]
fn chromium_draws_one_chart_panel_per_context() {
    let Some(browser) = browser_or_skip("chromium_draws_one_chart_panel_per_context") else {
        return;
    };
    // Two policies × two demand levels, demand a context: one checkpoint, so two panels of
    // five charts, each panel holding its context's two points.
    let dir = scratch("context");
    let out = dir.join("out");
    let f = fixture("context.toml");
    let o = borderflow(&[
        "sweep",
        f.to_str().expect("utf-8"),
        "--quiet",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = dir.join("context.html");
    let o = borderflow(&[
        "report",
        out.to_str().expect("utf-8"),
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&file).expect("report");
    let headings: Vec<&str> = html
        .match_indices("<h3 class=\"context\">")
        .map(|(i, m)| &html[i + m.len()..i + m.len() + 11])
        .collect();
    assert_eq!(headings, ["demand=x1 <", "demand=x1.2"]);
    let (w, h, px) = screenshot_of_height(browser, &file, 5000);
    let mut bands = Vec::new();
    for (x0, x1) in [(0, w / 2), (w / 2, w)] {
        for band in plot_bands(w, h, &px, x0, x1) {
            // Every chart draws its policy's coloured line beside the grey baseline.
            let coloured = coloured_pixels(w, &px, band, x0, x1);
            assert!(coloured >= 50, "blank chart at rows {band:?}: {coloured}");
            bands.push((band.0, x0));
        }
    }
    // 5 charts per panel, two panels: three rows each (2 + 2 + 1), one panel above the other.
    assert_eq!(bands.len(), 2 * CHARTS, "plot areas: {bands:?}");
    bands.sort();
    let left: Vec<usize> = bands.iter().filter(|b| b.1 == 0).map(|b| b.0).collect();
    assert_eq!(left.len(), 6, "{bands:?}");
    // Each panel opens with its heading bar: one above the first chart row, one between the
    // third and fourth rows, where the second panel begins, and none between the rows of a
    // panel.
    let headings = colour_bands(w, h, &px, PANEL_HEADING);
    let between = |a: usize, b: usize| headings.iter().filter(|&&y| y > a && y < b).count();
    assert_eq!(
        between(left[0].saturating_sub(120), left[0]),
        1,
        "{headings:?} {left:?}"
    );
    assert_eq!(between(left[2], left[3]), 1, "{headings:?} {left:?}");
    for (a, b) in [(0, 1), (1, 2), (3, 4), (4, 5)] {
        assert_eq!(between(left[a], left[b]), 0, "{headings:?} {left:?}");
    }
}

/// Background of a context panel's heading bar (`h3.context` in the report's CSS).
const PANEL_HEADING: [u8; 3] = [0xe3, 0xeb, 0xf6];

/// First rows of the bands of at least 600 pixels of colour `c` in a row.
fn colour_bands(w: usize, h: usize, px: &[[u8; 3]], c: [u8; 3]) -> Vec<usize> {
    let near = |p: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 2);
    let rows: Vec<usize> = (0..h)
        .filter(|&y| (0..w).filter(|&x| near(px[y * w + x])).count() >= 600)
        .collect();
    rows.iter()
        .enumerate()
        .filter(|&(i, &y)| i == 0 || rows[i - 1] + 1 != y)
        .map(|(_, &y)| y)
        .collect()
}

#[test]
fn chromium_draws_every_chart() {
    let Some(browser) = chromium() else {
        if std::env::var("BORDERFLOW_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "chromium (or chromium-browser) is not installed and BORDERFLOW_REQUIRE_BROWSER=1: \
                 install it (apt-get install -y chromium)"
            );
        }
        // Written to the terminal itself, not through the test harness's capture, so the skip
        // shows in a plain `cargo test` run.
        let _ = writeln!(
            std::io::stderr(),
            "html::chromium_draws_every_chart: SKIPPED, no chromium on the PATH; install chromium \
             (apt-get install -y chromium) to run it, BORDERFLOW_REQUIRE_BROWSER=1 makes its absence a failure"
        );
        return;
    };
    let html = mm1_report("browser");
    let (w, h, px) = screenshot(browser, &html);
    assert_eq!(w, 1400);
    // M/M/1 at ρ = 0.9 is not overloaded: no badge anywhere on the page.
    assert_eq!(badge_pixels(&px), 0);
    // The sweep's overloaded points carry the badge: at least the four of the comparison table
    // (a badge is about 70 × 16 px of red) and those of the checkpoint tables.
    let (_, _, sweep_px) = screenshot(browser, sweep_report_file());
    let red = badge_pixels(&sweep_px);
    eprintln!("badge pixels in the sweep report: {red}");
    assert!(
        red >= 8 * 600,
        "the overload badges are not drawn: {red} red pixels"
    );
    // Two columns of charts: the left half and the right half of the page.
    let halves = [(0, w / 2), (w / 2, w)];
    let mut charts = 0;
    for (x0, x1) in halves {
        for band in plot_bands(w, h, &px, x0, x1) {
            let coloured = coloured_pixels(w, &px, band, x0, x1);
            assert!(
                coloured >= 50,
                "the chart at rows {}..{} (columns {x0}..{x1}) is blank: {coloured} coloured pixels",
                band.0,
                band.1
            );
            eprintln!(
                "chart at rows {}..{}, columns {x0}..{x1}: {coloured} coloured pixels",
                band.0, band.1
            );
            charts += 1;
        }
    }
    assert_eq!(charts, CHARTS, "plot areas found in the screenshot");
}

/// `run SCENARIO ARGS… --json --html FILE`: the report and the JSON of the same run.
fn run_report(name: &str, scenario: &str, args: &[&str]) -> (String, serde_json::Value, PathBuf) {
    let file = scratch(name).join(format!("{name}.html"));
    let f = file.display().to_string();
    let mut all = vec!["run", scenario, "--json", "--html", &f];
    all.extend_from_slice(args);
    let o = borderflow(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = serde_json::from_slice(&o.stdout).expect("run --json prints JSON");
    (
        std::fs::read_to_string(&file).expect("no report"),
        json,
        file,
    )
}

/// The cells of the first row of the first table of class `class` after `anchor`, by header.
fn first_row(html: &str, anchor: &str, class: &str) -> Vec<(String, String)> {
    let at = html.find(anchor).unwrap_or_else(|| panic!("no {anchor}"));
    let rest = &html[at..];
    let table = &rest[rest
        .find(&format!("<table class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no table {class} after {anchor}"))..];
    let table = &table[..table.find("</table>").expect("unclosed table")];
    let strip = |s: &str| {
        let mut out = String::new();
        let mut tag = false;
        for ch in s.chars() {
            match ch {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out.trim().to_string()
    };
    let head = &table[..table.find("</thead>").expect("no thead")];
    let headers: Vec<String> = head.split("</th>").map(strip).collect();
    let body = &table[table.find("<tbody>").expect("no tbody")..];
    let row = &body[..body.find("</tr>").expect("no row")];
    let cells: Vec<String> = row.split("</td>").map(strip).collect();
    headers.into_iter().zip(cells).collect()
}

/// The mean printed in a cell "m ± h".
fn cell_mean(cell: &str) -> f64 {
    cell.split(" ± ")
        .next()
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or_else(|| panic!("not a figure: {cell:?}"))
}

#[test]
fn the_rail_report_speaks_in_trains_teu_and_trains_held_outside() {
    let (html, json, _) = run_report(
        "rail",
        "scenarios/kz-cn-rail.toml",
        &["--days", "60", "--replications", "3"],
    );
    // Dostyk's export station: receiving tracks, customs, the gauge change by crane.
    let row = first_row(&html, "id=\"cp-dostyk-export\"", "checkpoint");
    let get = |h: &str| {
        row.iter()
            .find(|(k, _)| k == h)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no column {h:?} in {row:?}"))
    };
    let cp = &json["checkpoints"]["dostyk-export"];
    let m = |k: &str| cp[k]["mean"].as_f64().unwrap();
    // Each figure drawn is the run's estimate, to the digits shown.
    for (header, kpi, tol) in [
        ("Trains [per day]", "served_per_day", 0.01),
        ("TEU [per day]", "teu_per_day", 0.1),
        ("Trains held outside [total]", "held_outside", 1.0),
        ("Crane utilisation [%]", "crane_utilization", 0.01),
    ] {
        let scale = if header.ends_with("[%]") { 100.0 } else { 1.0 };
        let shown = cell_mean(&get(header));
        assert!(
            (shown - m(kpi) * scale).abs() <= tol,
            "{header}: drawn {shown}, run {}",
            m(kpi) * scale
        );
    }
    // 41 wagons of one 40-ft container: TEU = 82 × trains.
    assert!((m("teu_per_day") - 82.0 * m("served_per_day")).abs() < 1e-9);
    // No road km and no trucks anywhere in a rail report.
    assert!(!html.contains("[km]"));
    assert!(!html.contains("trucks"));
    assert!(html.contains("tracks (4 tracks) → customs (1 lane) → transship (7 cranes)"));
    // Links: the wait for a path and the travel, apart.
    let link = first_row(&html, "id=\"rail-links\"", "link");
    // The train exchange across the border: uniform 30 min to 1 h, a mean of 45 min.
    assert_eq!(link[0].1, "dostyk-alashankou");
    assert!(link.iter().any(|(h, _)| h == "Mean wait for a path [h]"));
    let travel = cell_mean(&link.iter().find(|(h, _)| h == "Mean travel [h]").unwrap().1);
    assert!((0.6..=0.9).contains(&travel), "{travel}");
}

#[test]
fn the_multimodal_report_has_river_link_port_and_flow_sections() {
    let (html, json, _) = run_report(
        "multimodal",
        "scenarios/kz-cn-multimodal.toml",
        &["--days", "200", "--replications", "1"],
    );
    // The Irtysh in its own section, with its season and the barges' figures.
    let river = first_row(&html, "id=\"river-links\"", "link");
    assert_eq!(river[0].1, "irtysh");
    let barges = cell_mean(
        &river
            .iter()
            .find(|(h, _)| h == "Barges [per day]")
            .unwrap()
            .1,
    );
    let run = json["links"]["irtysh"]["served_per_day"]["mean"]
        .as_f64()
        .unwrap();
    assert!((barges - run).abs() <= 0.005, "{barges} vs {run}");
    assert!(barges > 0.0);
    assert!(html.contains("irtysh: 2 paths/day; open 24/7; season 04-15..10-24"));
    let port = first_row(&html, "id=\"terminals\"", "terminal");
    assert_eq!(port[0].1, "tugyl-port");
    assert!(port.iter().any(|(h, _)| h == "Mean berth wait [h]"));
    // Served per mode, never one "trucks/day" over every mode.
    let compare = first_row(&html, "id=\"comparison\"", "compare");
    let headers: Vec<&str> = compare.iter().map(|(h, _)| h.as_str()).collect();
    for h in ["Trucks[per day]", "Trains[per day]", "Barges[per day]"] {
        assert!(headers.contains(&h), "{headers:?}");
    }
    assert!(!html.contains("Served<br>[trucks/day]"));
    assert!(html.contains("<section id=\"flows\">"));
    assert!(html.contains("counts on tugyl-trains"));
}

#[test]
fn the_single_run_report_has_flow_and_class_tables() {
    let (html, json, _) = run_report(
        "green",
        "scenarios/examples/green-corridor.toml",
        &["--days", "30", "--replications", "2"],
    );
    let class = first_row(&html, "id=\"classes\"", "class");
    assert_eq!(class[0].1, "general");
    assert!(html.contains("<td class=\"label\">perishable</td>"));
    let flows = first_row(&html, "id=\"flows\"", "flow");
    let served = cell_mean(&flows[1].1);
    let id = &flows[0].1;
    let run = json["flows"][id]["served_per_day"]["mean"]
        .as_f64()
        .unwrap();
    assert!((served - run).abs() <= 0.05, "{served} vs {run}");
    // The assumptions in the header: its lanes, reserved lane and priority.
    assert!(html.contains("priority perishable first; 1 lane for perishable only"));
}

#[test]
fn chromium_draws_the_rail_and_river_tables() {
    let Some(browser) = chromium() else {
        if std::env::var("BORDERFLOW_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromium is not installed and BORDERFLOW_REQUIRE_BROWSER=1");
        }
        let _ = writeln!(
            std::io::stderr(),
            "html::chromium_draws_the_rail_and_river_tables: SKIPPED, no chromium on the PATH"
        );
        return;
    };
    // The document as the browser built it: the tables must survive its parser as tables, with
    // the cells in their columns.
    let dom = |file: &Path| {
        let o = Command::new(browser)
            .args(["--headless", "--disable-gpu", "--no-sandbox", "--dump-dom"])
            .arg(format!("file://{}", file.display()))
            .output()
            .expect("cannot start chromium");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let (_, json, file) = run_report(
        "rail-dom",
        "scenarios/kz-cn-rail.toml",
        &["--days", "60", "--replications", "3"],
    );
    let d = dom(&file);
    let row = first_row(&d, "id=\"cp-khorgos\"", "checkpoint");
    let teu = cell_mean(&row.iter().find(|(h, _)| h == "TEU [per day]").unwrap().1);
    let run = json["checkpoints"]["khorgos"]["teu_per_day"]["mean"]
        .as_f64()
        .unwrap();
    assert!((teu - run).abs() <= 0.5, "drawn {teu}, run {run}");
    let held = &row
        .iter()
        .find(|(h, _)| h == "Trains held outside [total]")
        .unwrap()
        .1;
    let run = json["checkpoints"]["khorgos"]["held_outside"]["mean"]
        .as_f64()
        .unwrap();
    assert!(
        (cell_mean(held) - run).abs() <= 0.5,
        "drawn {held}, run {run}"
    );
    let (_, _, file) = run_report(
        "mm-dom",
        "scenarios/kz-cn-multimodal.toml",
        &["--days", "200", "--replications", "1"],
    );
    let d = dom(&file);
    assert!(d.contains("<h2>River links</h2>"));
    assert_eq!(first_row(&d, "id=\"river-links\"", "link")[0].1, "irtysh");
}

#[test]
fn the_run_report_tables_each_crossing_direction_with_its_time_and_nodes() {
    let dir = scratch("crossings-report");
    let file = dir.join("rail.html");
    let o = borderflow(&[
        "run",
        "scenarios/kz-cn-rail.toml",
        "--days",
        "20",
        "--replications",
        "2",
        "--html",
        &file.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&file).unwrap();
    let at = html
        .find("<section id=\"crossings\">")
        .expect("crossing section");
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    // One row per crossing and direction (trains only), named as in the data sheet.
    assert_eq!(section.matches("<tr><td class=\"label\"").count(), 4);
    for (name, dir) in [
        ("Dostyk – Alashankou rail", "CN→KZ"),
        ("Dostyk – Alashankou rail", "KZ→CN"),
        ("Altynkol – Khorgos rail", "CN→KZ"),
        ("Altynkol – Khorgos rail", "KZ→CN"),
    ] {
        let row =
            format!("\">{name}</td><td class=\"label\">{dir}</td><td class=\"label\">train</td>");
        assert!(section.contains(&row), "no row {name} {dir}");
    }
    assert!(section.contains("<th>Crossing time<br>mean [h]</th>"));
    // Its nodes in order, and TEU shown (trains carry containers).
    assert!(section.contains("dostyk-rail-cn-kz: alashankou → dostyk-alashankou → dostyk"));
    assert!(section.contains("TEU/day"));
}

/// `compare` of A (crossing a) with B (crossings a and b): the report shows B's own checkpoint,
/// described as B has it, and B's own flow, with dashes where A lacks them.
#[test]
fn compare_report_shows_the_entities_only_scenario_b_has() {
    let dir = scratch("compare-b-only");
    let scenario = |name: &str, extra: &str, rate_a: &str| {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                r#"[simulation]
name = "{name}"
days = 20
warmup_days = 2
seed = 1
replications = 2
[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s"
lanes = 2
service = {{ dist = "exponential", mean = "10min" }}
[[flows]]
id = "fa"
mode = "truck"
route = ["a"]
arrivals = {{ process = "poisson", rate = "{rate_a}" }}
{extra}"#
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let a = scenario("A", "", "9/h");
    let b = scenario(
        "B",
        r#"[[checkpoints]]
id = "b"
[[checkpoints.stages]]
id = "gate"
lanes = 1
service = { dist = "exponential", mean = "10min" }
[[crossings]]
id = "xb"
name = "Crossing B"
nodes = ["b"]
[[flows]]
id = "fb"
mode = "truck"
route = ["b"]
arrivals = { process = "poisson", rate = "3/h" }
"#,
        "6/h",
    );
    let out = dir.join("out");
    let out_s = out.display().to_string();
    assert_code(
        &borderflow(&["compare", &a, &b, "--quiet", "--out", &out_s]),
        0,
    );
    let html_path = dir.join("r.html");
    let o = borderflow(&["report", &out_s, "-o", &html_path.display().to_string()]);
    assert_code(&o, 0);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("<section class=\"checkpoint\" id=\"cp-a\">"));
    let b_section = html
        .split("<section class=\"checkpoint\" id=\"cp-b\">")
        .nth(1)
        .expect("B's own checkpoint has its section");
    let b_section = &b_section[..b_section.find("</section>").unwrap()];
    assert!(
        b_section.contains("Stages (not at the baseline point): gate (1 lane)"),
        "{b_section}"
    );
    // One row per point: B's figures, A's dashes.
    assert_eq!(table_rows(b_section, "checkpoint"), 2);
    // Its queue is drawn over B's busiest fortnight, not an empty baseline one.
    assert!(b_section.contains("(busiest fortnight)"), "{b_section}");
    assert!(b_section.contains("when the queue at B: "), "{b_section}");
    // B's own crossing, named as B declares it, with its nodes.
    let crossings = rows_of(&html, "crossing");
    assert_eq!(
        crossings
            .iter()
            .filter(|r| r.contains(">Crossing B</td>"))
            .count(),
        2,
        "{crossings:?}"
    );
    assert!(html.contains("xb: b"));
    let flows = rows_of(&html, "flow");
    assert_eq!(
        flows
            .iter()
            .filter(|r| r.contains("<td class=\"label\">fb</td>"))
            .count(),
        2,
        "{flows:?}"
    );
}
