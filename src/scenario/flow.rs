//! Flows: mode, class, the cargo each vehicle carries, route, arrivals and dates.

use std::collections::HashMap;

use crate::model::{CheckpointSpec, FlowSpec, Mode, RouteChoice, StageSpec};
use crate::time::{Date, SimDuration, SimTime, days_between, parse_date};

use super::arrivals::build_arrivals;
use super::check;
use super::choice::build_choice;
use super::error::{Checker, FieldPath};
use super::raw::RawFlow;
use super::route::{RouteCtx, build_route};
use super::value::{int_in, nonneg, num, parse_opt};

/// A flow at `p`, checked, with its route choice if it has one.
#[allow(clippy::too_many_arguments)]
pub(super) fn build_flow(
    ck: &mut Checker,
    p: &FieldPath,
    f: &RawFlow,
    link_modes: &HashMap<&str, &str>,
    cp_index: &HashMap<String, u32>,
    class_index: &HashMap<&str, u16>,
    stages: &[StageSpec],
    checkpoints: &[CheckpointSpec],
    start: Date,
    horizon_days: u32,
) -> Option<BuiltFlow> {
    let mode = match f.mode.as_str() {
        "truck" => Some(Mode::Truck),
        "train" => Some(Mode::Train),
        "barge" => Some(Mode::Barge),
        other => {
            ck.report(
                &p.key("mode"),
                format!("unknown mode \"{other}\" (known: truck, train, barge)"),
            );
            None
        }
    };
    let class = class_index[f.class.as_deref().unwrap_or("general")];
    let value = nonneg(ck, &p.key("value"), f.value.unwrap_or(0.0))
        .and_then(|v| at_most(ck, &p.key("value"), v, MAX_VALUE_PER_VEHICLE, "USD"));
    let teu_per_container = f.teu_per_container.unwrap_or(2.0);
    if !(teu_per_container > 0.0 && teu_per_container <= 3.0) {
        ck.report(
            &p.key("teu_per_container"),
            format!("must be between 0 and 3 TEU (got {teu_per_container})"),
        );
    }
    // Cargo per vehicle: a train is built from wagons; trucks and barges state their load.
    let (wagons, containers, tonnes) = if mode == Some(Mode::Train) {
        train_cargo(ck, p, f, teu_per_container)
    } else {
        check::train_only_keys(ck, p, f);
        vehicle_cargo(ck, p, f)
    };
    let rc = RouteCtx {
        mode,
        mode_name: &f.mode,
        class,
        class_name: f.class.as_deref().unwrap_or("general"),
        link_modes,
        cp_index,
        stages,
        checkpoints,
    };
    let (route, travel) = build_route(ck, p, &f.route, &f.travel, rc);
    let arrivals = build_arrivals(ck, &p.key("arrivals"), &f.arrivals, horizon_days);
    // Dates on the reference clock: vehicles appear from `starts`, none from `ends` on.
    let date_at = |ck: &mut Checker, key: &str, v: &Option<String>, none: SimTime| match parse_opt(
        ck,
        &p.key(key),
        v,
        parse_date,
    ) {
        Ok(Some(d)) => Some(SimTime::from_days(days_between(start, d).unwrap_or(0))),
        Ok(None) => Some(none),
        Err(()) => None,
    };
    let starts = date_at(ck, "starts", &f.starts, SimTime::ZERO);
    let ends = date_at(ck, "ends", &f.ends, SimTime::MAX);
    if let (Some(a), Some(b)) = (starts, ends)
        && b <= a
    {
        ck.report(&p.key("ends"), "must be a later date than `starts`");
    }
    let flow = FlowSpec {
        id: f.id.clone(),
        mode: mode?,
        wagons: wagons?,
        containers: containers?,
        teu_per_container,
        class,
        tonnes: tonnes?,
        value: value?,
        route,
        travel,
        arrivals: arrivals?,
        starts: starts?,
        ends: ends?,
        choice: None,
    };
    let choice = match &f.choice {
        None => None,
        Some(c) => Some(build_choice(ck, &p.key("choice"), c, &flow, rc)?),
    };
    Some((flow, choice))
}

/// Wagons, containers and tonnes per vehicle.
type Cargo = (Option<u32>, Option<u32>, Option<f64>);

/// A train's cargo: `wagons` × `containers_per_wagon`, with tonnes per train or per container.
fn train_cargo(ck: &mut Checker, p: &FieldPath, f: &RawFlow, teu_per_container: f64) -> Cargo {
    if f.containers.is_some() {
        ck.report(
            &p.key("containers"),
            "a train's containers come from `wagons` × `containers_per_wagon`",
        );
    }
    let wagons = match f.wagons {
        Some(w) => int_in(ck, &p.key("wagons"), w, 1, 1000, "wagons"),
        None => {
            ck.report(p, "a train flow needs `wagons` (wagons per train)");
            None
        }
    };
    let cpw = int_in(
        ck,
        &p.key("containers_per_wagon"),
        f.containers_per_wagon.unwrap_or(1),
        0,
        10,
        "containers_per_wagon",
    );
    let capacity = f.wagon_capacity_teu.unwrap_or(4.0);
    if let Some(c) = cpw
        && c as f64 * teu_per_container > capacity + 1e-9
    {
        ck.report(
            &p.key("containers_per_wagon"),
            format!(
                "{c} containers of {teu_per_container} TEU do not fit a wagon of {capacity} TEU (wagon_capacity_teu)"
            ),
        );
    }
    let containers = wagons.zip(cpw).map(|(w, c)| (w * c) as u32);
    let tonnes = match (f.tonnes, f.tonnes_per_container) {
        (Some(_), Some(_)) => {
            ck.report(
                &p.key("tonnes"),
                "give either `tonnes` (per train) or `tonnes_per_container`, not both",
            );
            None
        }
        (Some(t), None) => nonneg(ck, &p.key("tonnes"), t)
            .and_then(|t| at_most(ck, &p.key("tonnes"), t, MAX_TONNES_PER_VEHICLE, "t")),
        (None, tpc) => {
            let tp = p.key("tonnes_per_container");
            nonneg(ck, &tp, tpc.unwrap_or(0.0))
                .zip(containers)
                .map(|(t, c)| (t, t * c as f64))
                .and_then(|(t, train)| {
                    if train <= MAX_TONNES_PER_VEHICLE {
                        return Some(train);
                    }
                    ck.report(
                        &tp,
                        format!(
                            "{} containers of {} t make a train of {} t: at most {} t a vehicle is accepted",
                            containers.unwrap_or(0),
                            num(t),
                            num(train),
                            num(MAX_TONNES_PER_VEHICLE)
                        ),
                    );
                    None
                })
        }
    };
    (wagons.map(|w| w as u32), containers, tonnes)
}

/// A truck's or barge's cargo: the containers and tonnes it states.
fn vehicle_cargo(ck: &mut Checker, p: &FieldPath, f: &RawFlow) -> Cargo {
    let containers = int_in(
        ck,
        &p.key("containers"),
        f.containers.unwrap_or(0),
        0,
        100_000,
        "containers",
    )
    .map(|c| c as u32);
    (
        Some(0),
        containers,
        nonneg(ck, &p.key("tonnes"), f.tonnes.unwrap_or(0.0))
            .and_then(|t| at_most(ck, &p.key("tonnes"), t, MAX_TONNES_PER_VEHICLE, "t")),
    )
}

/// Most cargo one vehicle may carry [t]: a hundred times a heavy freight train (~10,000 t), and
/// small enough that KPIs summing it over every vehicle of the longest run stay finite and exact
/// to far more digits than they print.
pub const MAX_TONNES_PER_VEHICLE: f64 = 1e6;

/// Most cargo value one vehicle may carry [USD]: a thousand times a train of a hundred
/// containers of high-value goods, with the same headroom in the KPIs as tonnes.
pub const MAX_VALUE_PER_VEHICLE: f64 = 1e12;

/// `v` (at `path`, in `unit`) if it is at most `max`; else reported.
fn at_most(ck: &mut Checker, path: &FieldPath, v: f64, max: f64, unit: &str) -> Option<f64> {
    if v <= max {
        return Some(v);
    }
    ck.report(
        path,
        format!(
            "{} {unit} a vehicle is more than the {} {unit} accepted: KPIs sum it over every vehicle of a run",
            num(v),
            num(max)
        ),
    );
    None
}

/// A flow, and its route choice with the flows that run its alternative routes.
pub(super) type BuiltFlow = (
    FlowSpec,
    Option<(RouteChoice, Vec<(FlowSpec, SimDuration)>)>,
);
