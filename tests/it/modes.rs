//! Every mode in its own terms and the assumptions echoed: trains reported in trains, wagons and
//! TEU with no road km, a link's wait for a path apart from its travel, vehicles counted by mode
//! at the system level, and the assumptions of a run (and of a sweep's points) in the output.

use crate::common::*;
use serde_json::Value;

/// `run FILE ARGS… --json` as a document.
fn doc(file: &str, args: &[&str]) -> Value {
    let mut all = vec!["run", file, "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run_json(&all, &[])).expect("run --json prints JSON")
}

/// `run FILE ARGS…` as text.
fn text(file: &str, args: &[&str]) -> String {
    let mut all = vec!["run", file];
    all.extend_from_slice(args);
    let o = borderflow(&all);
    assert_code(&o, 0);
    stdout(&o)
}

fn mean(v: &Value) -> f64 {
    v["mean"].as_f64().expect("an estimate with a mean")
}

#[test]
fn rail_text_speaks_in_trains_wagons_and_teu_without_road_km() {
    let args = ["--days", "30", "--replications", "2"];
    let t = text("scenarios/kz-cn-rail.toml", &args);
    // Trains, not trucks; no road queue for trains, in any table.
    assert!(!t.contains("trucks"), "{t}");
    assert!(!t.contains("[km]"), "{t}");
    assert!(!t.contains("served/day"), "{t}");
    for header in [
        "rail station",
        "trains/day",
        "wagons/day",
        "TEU/day",
        "dwell mean [h]",
        "held outside [trains, total]",
        "crane util [%]",
        "rail link",
        "path wait mean [h]",
        "travel mean [h]",
    ] {
        assert!(t.contains(header), "{header:?} missing:\n{t}");
    }
    // Hand arithmetic on the figures behind the table: each Dostyk train has 41 wagons of one
    // 40-ft container (2 TEU) and 20 t each.
    let d = doc("scenarios/kz-cn-rail.toml", &args);
    let dostyk = &d["checkpoints"]["dostyk"];
    let trains = mean(&dostyk["served_per_day"]);
    assert!((mean(&dostyk["wagons_per_day"]) - 41.0 * trains).abs() < 1e-9);
    assert!((mean(&dostyk["teu_per_day"]) - 82.0 * trains).abs() < 1e-9);
    assert!((mean(&dostyk["tonnes_per_day"]) - 820.0 * trains).abs() < 1e-6);
    // A rail link's time on it is its wait for a path plus its travel (uniform 14–20 h).
    let link = &d["links"]["dostyk-moyinty"];
    let (tis, wait, travel) = (
        mean(&link["time_in_system_mean_h"]),
        mean(&link["wait_mean_h"]),
        mean(&link["travel_mean_h"]),
    );
    assert!((tis - wait - travel).abs() < 1e-9, "{tis} {wait} {travel}");
    assert!((14.0..=20.0).contains(&travel), "{travel}");
    // The system counts trains as trains.
    let sys = &d["system"];
    assert!((mean(&sys["trains_per_day"]) - mean(&sys["served_per_day"])).abs() < 1e-9);
    assert!(sys.get("trucks_per_day").is_none());
}

/// A station with two tracks (1 h each) before a rail line whose departures run only 12:00–13:00
/// and take 10 h: trains at 00:00 and 06:00 are done at 01:00 and 07:00 and are held on their
/// tracks until 12:00, 11 h and 5 h. Ten measured days, every train through by 22:00.
const PATH_WAIT: &str = r#"
[simulation]
name = "path-wait"
days = 11
warmup_days = 1
seed = 1
replications = 2

[[checkpoints]]
id = "st"
  [[checkpoints.stages]]
  id = "tracks"
  kind = "tracks"
  tracks = 2
  service = { dist = "deterministic", value = "1h" }

[[links]]
id = "line"
mode = "rail"
travel = "10h"
hours = "12:00-13:00"

[[flows]]
id = "trains"
mode = "train"
wagons = 10
route = ["st", "line"]
arrivals = { process = "timetable", times = ["00:00", "06:00"] }
"#;

#[test]
fn a_link_reports_the_wait_for_a_path_apart_from_the_travel() {
    let f = TempFile::new("path-wait", PATH_WAIT);
    let d = doc(&f.name(), &[]);
    let line = &d["links"]["line"];
    // (11 h + 5 h) / 2 = 8 h held on the track for a path; none at the link itself.
    assert_eq!(mean(&line["path_wait_mean_h"]), 8.0);
    assert_eq!(mean(&line["wait_mean_h"]), 0.0);
    assert_eq!(mean(&line["travel_mean_h"]), 10.0);
    assert_eq!(mean(&line["time_in_system_mean_h"]), 10.0);
    assert_eq!(line["path_wait_mean_h"]["n"].as_u64(), Some(2));
    // The station counts the time held as its own wait (blocking is waiting).
    assert_eq!(mean(&d["checkpoints"]["st"]["wait_mean_h"]), 8.0);
    assert_eq!(mean(&d["system"]["trains_per_day"]), 2.0);
    let t = text(&f.name(), &[]);
    let row = t
        .lines()
        .skip_while(|l| !l.starts_with("rail link"))
        .find(|l| l.starts_with("line "))
        .expect("a rail link row");
    let cells: Vec<&str> = row
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    // trains/day, t/day, path wait, travel, …
    assert_eq!(
        &cells[1..5],
        ["2.00 ± 0.00", "0 ± 0", "8.00 ± 0.00", "10.00 ± 0.00"],
        "{row}"
    );
}

#[test]
fn the_multimodal_system_counts_vehicles_by_mode_and_cargo_once() {
    let args = ["--days", "200", "--replications", "1"];
    let d = doc("scenarios/kz-cn-multimodal.toml", &args);
    let sys = &d["system"];
    let by_mode: Vec<f64> = ["trucks_per_day", "trains_per_day", "barges_per_day"]
        .iter()
        .map(|k| mean(&sys[*k]))
        .collect();
    assert!(by_mode.iter().all(|&x| x > 0.0), "{by_mode:?}");
    let sum: f64 = by_mode.iter().sum();
    assert!((sum - mean(&sys["served_per_day"])).abs() < 1e-9);
    // Trains per day: the train flows' trains (each flow whose assumptions say "train").
    let flows = &d["flows"];
    let train_flows: Vec<&str> = d["assumptions"]["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["mode"] == "train")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        train_flows,
        [
            "dostyk-westbound",
            "dostyk-eastbound",
            "khorgos-westbound",
            "khorgos-eastbound",
            "tugyl-trains"
        ]
    );
    let trains: f64 = train_flows
        .iter()
        .map(|f| mean(&flows[*f]["served_per_day"]))
        .sum();
    assert!((trains - by_mode[1]).abs() < 1e-9);
    // Cargo once: the barges' tonnes arrive again on the onward trains, and count there only.
    let delivered: f64 = ["nur-zholy-trucks", "maikapchagay-trucks"]
        .iter()
        .chain(&["dostyk-westbound", "dostyk-eastbound"])
        .chain(&["khorgos-westbound", "khorgos-eastbound"])
        .chain(&["tugyl-trains"])
        .map(|f| mean(&flows[*f]["tonnes_per_day"]))
        .sum();
    assert!((mean(&sys["tonnes_per_day"]) - delivered).abs() < 1e-6);
    let t = text("scenarios/kz-cn-multimodal.toml", &args);
    assert!(t.contains("all flows"), "{t}");
    let header = t.lines().find(|l| l.starts_with("all flows")).unwrap();
    assert!(
        header.contains("trucks/day")
            && header.contains("trains/day")
            && header.contains("barges/day"),
        "{header}"
    );
    assert!(t.contains("counts on tugyl-trains"), "{t}");
    assert!(
        t.contains("river link") && t.contains("lock/path wait mean [h]"),
        "{t}"
    );
    assert!(t.contains("irtysh: open 24/7; season 04-15..10-24"), "{t}");
    assert!(
        t.contains("port ") && t.contains("berth wait mean [h]"),
        "{t}"
    );
    // Road km only in the road tables.
    for line in t.lines().filter(|l| l.contains("[km]")) {
        assert!(
            line.starts_with("road checkpoint")
                || line.starts_with("stage ")
                || line.starts_with("where the queue stands"),
            "{line}"
        );
    }
}

#[test]
fn the_assumptions_of_mm1_list_its_lane_service_and_demand() {
    let t = text(
        "scenarios/examples/mm1.toml",
        &["--days", "20", "--replications", "1"],
    );
    let block: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.starts_with("what was simulated"))
        .take_while(|l| !l.is_empty())
        .collect();
    let stage = block
        .iter()
        .find(|l| l.trim_start().starts_with("booth/service"))
        .expect("the stage line");
    let cells: Vec<&str> = stage
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    // One lane, open round the clock on the reference clock (UTC), no quota or buffer, an
    // exponential service of mean 6 min (μ = 10/h).
    assert_eq!(
        cells,
        [
            "booth/service",
            "1 lane",
            "24/7",
            "UTC+00:00",
            "-",
            "-",
            "6 min per truck",
            "-"
        ],
        "{stage}"
    );
    let flow = block
        .iter()
        .find(|l| l.trim_start().starts_with("arrivals"))
        .expect("the flow line");
    // λ = 9/h = 9 × 24 = 216 a day.
    assert!(flow.contains("Poisson, 9/h = 216/day"), "{flow}");
    assert!(flow.contains(" 216 "), "{flow}");
    let d = doc(
        "scenarios/examples/mm1.toml",
        &["--days", "20", "--replications", "1"],
    );
    let a = &d["assumptions"];
    let st = &a["nodes"][0]["stages"][0];
    assert_eq!(st["servers"].as_u64(), Some(1));
    assert_eq!(st["unit"].as_str(), Some("lanes"));
    assert_eq!(st["service_mean_min"].as_f64(), Some(6.0));
    assert_eq!(st["hours"].as_str(), Some("24/7"));
    assert_eq!(a["flows"][0]["per_day"].as_f64(), Some(216.0));
    assert_eq!(a["flows"][0]["mode"].as_str(), Some("truck"));
}

#[test]
fn a_sweep_lists_the_baseline_assumptions_and_what_each_point_changes() {
    let dir = TempDir::new("modes-sweep");
    dir.file(
        "mm1.toml",
        &std::fs::read_to_string(repo_path("scenarios/examples/mm1.toml")).unwrap(),
    );
    let sweep = dir.file(
        "s.toml",
        "name = \"lanes\"\nbase = \"mm1.toml\"\nreplications = 2\ndays = 20\nbaseline = \"lanes=1, demand=1.0\"\n\
         [[axes]]\nname = \"lanes\"\npath = \"checkpoints.booth.stages.service.lanes\"\nvalues = [1, 2]\n\
         [[axes]]\nname = \"demand\"\npath = \"flows.arrivals.arrivals.scale\"\nvalues = [1.0, 1.5]\n",
    );
    let out = dir.join("out");
    let o = borderflow(&[
        "sweep".as_ref(),
        sweep.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_code(&o, 0);
    let t = stdout(&o);
    assert!(
        t.contains("what was simulated at lanes=1, demand=1.0"),
        "{t}"
    );
    assert!(
        t.contains("  lanes=2, demand=1.0:\n    booth/service servers: 1 lane → 2 lanes\n"),
        "{t}"
    );
    // 9/h × 1.5 = 13.5/h = 324 a day: the one flow's demand ×1.5.
    assert!(
        t.contains(
            "  lanes=1, demand=1.5:\n    mean/day ×1.5 for every flow (as arrivals: 216 → 324)\n"
        ),
        "{t}"
    );
    // The manifest keeps every point's assumptions, so the report can say the same.
    let html = dir.join("r.html");
    let o = borderflow(&[
        "report".as_ref(),
        out.as_os_str(),
        "-o".as_ref(),
        html.as_os_str(),
    ]);
    assert_code(&o, 0);
    let page = std::fs::read_to_string(html).unwrap();
    assert!(page.contains("What was simulated at lanes=1, demand=1.0"));
    assert!(page.contains("<li>booth/service servers: 1 lane → 2 lanes</li>"));
    assert!(page.contains("<li>mean/day ×1.5 for every flow (as arrivals: 216 → 324)</li>"));
}
