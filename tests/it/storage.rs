//! A terminal's storage: cargo unloaded there waits in it until its onward vehicle starts service;
//! when the next load does not fit, the vehicle done at the terminal keeps its berth (blocking after
//! service) until an onward vehicle leaves. Hand case `tests/fixtures/storage.toml`, and bad input.

use crate::common::*;
use crate::input_errors::{Field, assert_rejected};
use borderflow::model::simulate_traced;
use borderflow::time::MS_PER_HOUR;

const HOUR: i64 = MS_PER_HOUR;

fn fixture_text() -> String {
    std::fs::read_to_string(fixture("storage.toml")).expect("fixture")
}

/// One berth (1 h), storage for 100 containers, barges of 50 containers at 00:00–04:00 on day 0,
/// onward trains of 50 containers on a rail line with one path a day.
/// - B1 00:00–01:00: its train takes day 0's path at once; storage 0.
/// - B2 01:00–02:00, B3 02:00–03:00: their trains wait for day 1's path; storage 100.
/// - B4 03:00–04:00: 50 more do not fit: B4 keeps the berth from 04:00; B5 (04:00) waits.
/// - Day 1 00:00: B2's train takes the path, 50 leave, B4 unloads (storage 100 again) and frees
///   the berth; B5 is served 00:00–01:00 and is blocked from 01:00 to the horizon (48:00).
#[test]
fn a_full_storage_keeps_the_barge_on_its_berth_until_a_train_leaves() {
    let m = model(&fixture_text());
    let berth = stage_of(&m, "port", "berth");
    let link = stage_of(&m, "line", "link");
    let (r, trace) = simulate_traced(&m, 0);
    let at = |s: usize| -> Vec<i64> {
        trace
            .iter()
            .filter(|x| x.stage as usize == s)
            .map(|x| x.at.as_ms())
            .collect()
    };
    assert_eq!(at(berth), [0, HOUR, 2 * HOUR, 3 * HOUR, 24 * HOUR]);
    assert_eq!(at(link), [HOUR, 24 * HOUR]);
    let port = &r.checkpoints[node_index(&m, "port")].kpi;
    // B4's 20 h on the berth are its wait at the terminal; B5 is still there at the horizon.
    assert_eq!((port.arrivals, port.served, port.backlog_end), (5, 4, 1));
    assert_eq!(port.wait.sum(), 20 * HOUR as u128);
    let st = &r.stages[berth];
    // At the stage only B5 waited (20 h for the berth); blocked time is not a stage wait.
    assert_eq!(st.kpi.wait.sum(), 20 * HOUR as u128);
    // Blocked 04:00–24:00 (B4) and 25:00–48:00 (B5): 43 berth-hours; busy 5 h.
    let end = m.horizon().as_ms();
    assert_eq!(st.levels.blocked.area(end), i128::from(43 * HOUR));
    assert_eq!(st.levels.busy.area(end), i128::from(5 * HOUR));
}

/// Bulk stuffed into boxes at the terminal takes the boxes it fills in the storage: barges of
/// 1,000 t onto trains of 50 boxes of 20 t block exactly as barges of 50 boxes do (43 h).
#[test]
fn stuffed_bulk_takes_the_boxes_it_fills_in_the_storage() {
    let text = fixture_text()
        .replace("containers = 50\n", "tonnes = 1000.0\n")
        .replace(
            "containers_per_wagon = 2\n",
            "containers_per_wagon = 2\ntonnes_per_container = 20.0\n",
        );
    assert!(text.contains("tonnes = 1000.0") && text.contains("tonnes_per_container"));
    let m = model(&text);
    let berth = stage_of(&m, "port", "berth");
    let (r, _) = simulate_traced(&m, 0);
    let end = m.horizon().as_ms();
    assert_eq!(
        r.stages[berth].levels.blocked.area(end),
        i128::from(43 * HOUR)
    );
    let trains = &r.flows[flow_index(&m, "trains")];
    assert_eq!((trains.served, trains.containers), (2, 100.0));
}

/// Without storage the berth never blocks: every barge unloads at once and the trains queue for
/// their paths at the line.
#[test]
fn without_storage_the_berth_never_blocks() {
    let text = fixture_text().replace("storage_containers = 100\n", "");
    let m = model(&text);
    let berth = stage_of(&m, "port", "berth");
    let (r, _) = simulate_traced(&m, 0);
    let end = m.horizon().as_ms();
    assert_eq!(r.stages[berth].levels.blocked.area(end), 0);
    let port = &r.checkpoints[node_index(&m, "port")].kpi;
    assert_eq!((port.served, port.backlog_end), (5, 0));
    let line = &r.checkpoints[node_index(&m, "line")].kpi;
    // Five trains, one path a day over two days: two leave (01:00 and 24:00), three wait.
    assert_eq!((line.arrivals, line.served, line.backlog_end), (5, 2, 3));
}

#[test]
fn storage_on_a_terminal_without_transfers_is_rejected() {
    let text = fixture_text().replace("transfer_to = \"trains\"\n", "");
    // The trains then have no feeding terminal: reported too; the storage line is what we check.
    assert_rejected(
        "storage-no-transfer",
        &text,
        Field::Exactly("terminals[0].storage_containers"),
        "storage_containers = 100",
        "without transfer_to",
    );
}

#[test]
fn storage_must_be_positive() {
    for (bad, field, needle) in [
        (
            "storage_containers = 0",
            "terminals[0].storage_containers",
            "storage_containers = 0",
        ),
        (
            "storage_tonnes = -5.0",
            "terminals[0].storage_tonnes",
            "storage_tonnes = -5.0",
        ),
    ] {
        let text = fixture_text().replace("storage_containers = 100", bad);
        assert_rejected("storage-bad", &text, Field::Exactly(field), needle, "");
    }
}

#[test]
fn storage_of_the_wrong_type_is_rejected() {
    let text = fixture_text().replace("storage_containers = 100", "storage_containers = \"many\"");
    assert_rejected(
        "storage-type",
        &text,
        Field::Within("terminals[0].storage_containers"),
        "storage_containers = \"many\"",
        "",
    );
}
