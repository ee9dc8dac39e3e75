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
fn sweep_report_has_five_charts_per_checkpoint_and_a_row_per_point() {
    let html = sweep_report();
    // The round-the-clock base scenario has five road checkpoints.
    assert_eq!(html.matches("<svg").count(), 5 * CHARTS);
    for title in CHART_TITLES {
        assert_eq!(html.matches(title).count(), 5, "chart title {title:?}");
    }
    assert_eq!(html.matches("<b>How to read:</b>").count(), 5 * CHARTS + 1);
    assert!(html.contains("<title>borderflow report: sweep round-the-clock</title>"));
    assert!(html.contains("seed 42"));
    assert!(html.contains("2 replications per point"));
    assert!(html.contains("simulated 2026-01-05 to 2026-03-05"));
    assert!(html.contains("baseline: <b>policy=today, demand=x1</b>"));
    assert!(html.contains("Nur Zholy – Khorgos (nur-zholy)"));
    // One ranked row per point; the baseline marks its own difference cells.
    assert_eq!(table_rows(html, "compare"), 6);
    assert_eq!(html.matches("<td class=\"base\">baseline</td>").count(), 2);
    assert_eq!(table_rows(html, "checkpoint"), 6);
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
    let rows = rows_of(html, "compare");
    assert_eq!(rows.len(), 6);
    for (k, row) in rows.iter().enumerate() {
        let over = row.contains("demand=x1.5") || row.contains("demand=x2");
        assert_eq!(row.contains(BADGE), over, "row {k}: {row}");
        // Ranked rows first (1, 2), then the overloaded ones unranked, their waits marked.
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
    // Six points of a 60-day run: the page stays small.
    assert!(html.len() < 1_500_000, "report is {} bytes", html.len());
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

    // The quota's dashes, in drawing order; the last polyline is the legend's sample.
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
    dashes.pop();
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
    let png = html.with_extension("png");
    let o = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,3000",
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
