//! Crossing KPIs: per crossing × mode row ("khorgos-road-out/truck"), the time from a vehicle's
//! arrival at the first node of the crossing on its route to leaving the last one — the
//! quantity the CAREC Corridor Performance Measurement and Monitoring (CPMM) reports as "time
//! to cross the border" — and the vehicles and cargo that crossed.

use super::catalog::{EntityKind, EntityValues};
use super::overload::Flags;
use crate::model::{Model, RepResult};
use crate::time::MS_PER_HOUR;

const H: f64 = MS_PER_HOUR as f64;

/// The crossing rows of replication `r` (none without `[[crossings]]`): see README, "Crossing
/// time". `days`: measured days; `end_ms`: the horizon; `overload`: the overload KPIs of a row
/// from the nodes its vehicles pass there (overloaded where one of them is).
pub(super) fn crossing_values(
    model: &Model,
    r: &RepResult,
    days: f64,
    end_ms: i64,
    overload: impl Fn(&mut dyn Iterator<Item = usize>) -> Flags,
) -> Vec<EntityValues> {
    let runs = model.crossing_runs();
    model
        .crossing_slots()
        .into_iter()
        .zip(&r.crossings)
        .map(|(slot, c)| {
            let k = &c.kpi;
            let t = &k.time_in_system;
            let time = |q: Option<f64>| match (t.is_empty(), q) {
                (true, _) => f64::NAN,
                (false, None) => t.mean() / H,
                (false, Some(q)) => t.quantile(q) / H,
            };
            let values = [
                ("crossing_time_mean_h", time(None)),
                ("crossing_time_p50_h", time(Some(0.5))),
                ("crossing_time_p95_h", time(Some(0.95))),
                ("crossings_per_day", k.served as f64 / days),
                ("arrivals_per_day", k.arrivals as f64 / days),
                ("tonnes_per_day", k.tonnes / days),
                ("teu_per_day", k.teu / days),
                ("in_crossing_mean", c.in_crossing.mean(end_ms)),
            ];
            let mut values: Vec<(String, f64)> =
                values.iter().map(|(n, v)| (n.to_string(), *v)).collect();
            // The nodes that vehicles of this mode pass inside this crossing.
            let mut nodes = model
                .flows
                .iter()
                .zip(&runs)
                .filter(|(f, _)| f.mode == slot.mode)
                .flat_map(|(f, rs)| {
                    rs.iter()
                        .filter(|run| run.crossing == slot.crossing)
                        .flat_map(|run| &f.route[run.first as usize..=run.last as usize])
                })
                .map(|&n| n as usize);
            overload(&mut nodes).push(&mut values);
            EntityValues {
                kind: EntityKind::Crossing,
                id: model.crossing_slot_id(slot),
                values,
            }
        })
        .collect()
}
