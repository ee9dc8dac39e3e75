//! KPIs that keep each mode in its own terms: vehicles served per day by mode for the whole
//! system (a sum over modes would count a 3,000 t barge like a 20 t truck), and for a link the
//! wait for a path apart from the travel.

use crate::model::{Mode, Model, NodeKind, RepResult};
use crate::time::MS_PER_HOUR;

const H: f64 = MS_PER_HOUR as f64;

/// The KPI name of vehicles of mode `m` served per day at the system level.
pub fn per_day_kpi(m: Mode) -> &'static str {
    match m {
        Mode::Truck => "trucks_per_day",
        Mode::Train => "trains_per_day",
        Mode::Barge => "barges_per_day",
    }
}

/// System KPIs: for each mode some flow has, its vehicles served per day (`trucks_per_day`,
/// `trains_per_day`, `barges_per_day`; a flow's vehicles count when they finish its route).
pub(super) fn system_metrics(
    model: &Model,
    r: &RepResult,
    days: f64,
    out: &mut Vec<(String, f64)>,
) {
    for mode in [Mode::Truck, Mode::Train, Mode::Barge] {
        let flows = || {
            model
                .flows
                .iter()
                .enumerate()
                .filter(|(_, f)| f.mode == mode)
        };
        if flows().next().is_none() {
            continue;
        }
        let served: u64 = flows().map(|(i, _)| r.flows[i].served).sum();
        out.push((per_day_kpi(mode).into(), served as f64 / days));
    }
}

/// Link KPIs of node `node` (nothing for other nodes):
/// - `path_wait_mean_h`: from the moment a vehicle could move onto the link to the start of its
///   travel, over the vehicles that started it — its wait at the link plus, for a train held on
///   its station track (a rail link without a siding), the time it was held there;
/// - `travel_mean_h`: the travel itself, over the vehicles that left the link (their time on it
///   less their wait there: `time_in_system_mean_h` is the two together).
///
/// Each is missing where no vehicle was recorded.
pub(super) fn link_metrics(
    model: &Model,
    r: &RepResult,
    node: usize,
    out: &mut Vec<(String, f64)>,
) {
    let cp = &model.checkpoints[node];
    if cp.kind != NodeKind::Link {
        return;
    }
    let stage = cp.stages.first().map(|&s| &r.stages[s as usize]);
    let path_wait = match stage {
        Some(s) if !s.kpi.wait.is_empty() => {
            (s.kpi.wait.sum() as f64 + s.held_for_ms as f64) / s.kpi.wait.count() as f64 / H
        }
        _ => f64::NAN,
    };
    out.push(("path_wait_mean_h".into(), path_wait));
    let k = &r.checkpoints[node].kpi;
    let travel = if k.time_in_system.is_empty() {
        f64::NAN
    } else {
        // Both recorded as each vehicle leaves the link, for the same vehicles.
        let on_link = k.time_in_system.sum() as f64 - k.wait.sum() as f64;
        on_link / k.time_in_system.count() as f64 / H
    };
    out.push(("travel_mean_h".into(), travel));
}
