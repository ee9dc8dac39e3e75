//! Cargo on a vehicle, and how a transfer terminal splits one vehicle's cargo over the vehicles of
//! the onward flow.
//!
//! One rule holds for every transfer: what leaves equals what came in — the same tonnes, the same
//! containers, the same TEU, the same cargo value. Containers are whole boxes that keep their size: they are never cut,
//! duplicated or resized. The one conversion is stuffing: bulk (no containers) handed to a flow
//! whose vehicles carry containers is packed into new boxes of that flow's size.
//!
//! - Containers onto a flow that states containers per vehicle: by count, that many boxes a
//!   vehicle; tonnes and TEU go with the boxes.
//! - Containers onto a flow that states none (trucks by tonnes, a train of flat wagons): as many
//!   whole boxes a vehicle as its tonnes allow, at least one.
//! - Bulk onto a flow with containers: stuffed at the flow's tonnes per container (its tonnes ÷
//!   its containers), `N` boxes where `N` is the least whole number with `N × t ≥ load`.
//! - Bulk onto a flow without containers: by tonnes, the flow's tonnes a vehicle.
//!
//! Counts are whole numbers computed once from the load; only the last vehicle may be part-loaded,
//! and it takes exactly what is left, so the sums are conserved to the last bit for counts and to
//! rounding for tonnes and TEU.

use super::FlowSpec;

/// Relative tolerance for whole-number counts from a division of tonnes: 2,568 t ÷ 21.4 t is
/// 120.00000000000001 in floating point and must give 120 containers, not 121.
const COUNT_TOLERANCE: f64 = 1e-9;

/// Cargo on one vehicle.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Load {
    /// Whole containers.
    pub containers: u32,
    /// Twenty-foot equivalent units of those containers.
    pub teu: f64,
    /// Tonnes of cargo.
    pub tonnes: f64,
    /// Value of the cargo \[USD\].
    pub value: f64,
}

impl Load {
    /// The load of a vehicle of `flow` as its flow states it.
    pub fn of_flow(flow: &FlowSpec) -> Load {
        Load {
            containers: flow.containers,
            teu: f64::from(flow.containers) * flow.teu_per_container,
            tonnes: flow.tonnes,
            value: flow.value,
        }
    }
}

/// The least whole number `n ≥ x`, where `x` within [`COUNT_TOLERANCE`] of a whole number counts
/// as that number. `x` must be finite and ≥ 0; saturates at `u32::MAX`.
fn ceil_count(x: f64) -> u32 {
    let r = x.round();
    let n = if (x - r).abs() <= COUNT_TOLERANCE * r.max(1.0) {
        r
    } else {
        x.ceil()
    };
    n.clamp(0.0, f64::from(u32::MAX)) as u32
}

/// The greatest whole number `n ≤ x`, with the same tolerance as [`ceil_count`].
fn floor_count(x: f64) -> u32 {
    let r = x.round();
    let n = if (x - r).abs() <= COUNT_TOLERANCE * r.max(1.0) {
        r
    } else {
        x.floor()
    };
    n.clamp(0.0, f64::from(u32::MAX)) as u32
}

/// Splits `load` over vehicles of the onward flow `onward` (see the module docs for the rule).
/// Always at least one vehicle; the sum of containers equals `load.containers` (or, for stuffed
/// bulk, the boxes it needs), and the sums of tonnes, TEU and value equal the load's up to
/// rounding (the last vehicle takes exactly what is left). Value goes with the tonnes (with the
/// boxes, for empty boxes).
pub fn split(load: Load, onward: &FlowSpec) -> Vec<Load> {
    let (per_c, per_t) = (onward.containers, onward.tonnes);
    if load.containers > 0 {
        // Boxes travel as they are; how many fit one onward vehicle?
        let per_vehicle = if per_c > 0 {
            per_c
        } else {
            let box_tonnes = load.tonnes / f64::from(load.containers);
            if per_t > 0.0 && box_tonnes > 0.0 {
                floor_count(per_t / box_tonnes).max(1)
            } else {
                load.containers
            }
        };
        // A full vehicle carries its boxes' share of the load.
        let share = |c: u32| f64::from(c) / f64::from(load.containers);
        return by_count(load, per_vehicle, |c| {
            (
                load.tonnes * share(c),
                load.teu * share(c),
                load.value * share(c),
            )
        });
    }
    let value_of = |w: f64| {
        if load.tonnes > 0.0 {
            load.value * w / load.tonnes
        } else {
            0.0
        }
    };
    if load.tonnes > 0.0 && per_t > 0.0 {
        if per_c > 0 {
            // Stuffing: new boxes of the onward flow's size.
            let t_per_c = per_t / f64::from(per_c);
            let boxes = ceil_count(load.tonnes / t_per_c).max(1);
            let stuffed = Load {
                containers: boxes,
                teu: f64::from(boxes) * onward.teu_per_container,
                ..load
            };
            return by_count(stuffed, per_c, |c| {
                let w = f64::from(c) * t_per_c;
                (w, f64::from(c) * onward.teu_per_container, value_of(w))
            });
        }
        let n = ceil_count(load.tonnes / per_t).max(1);
        let full = Load {
            containers: 0,
            teu: 0.0,
            tonnes: per_t,
            value: value_of(per_t),
        };
        let mut loads = vec![full; n as usize];
        let before = f64::from(n - 1);
        loads[n as usize - 1] = Load {
            tonnes: (load.tonnes - per_t * before).max(0.0),
            value: (load.value - full.value * before).max(0.0),
            ..full
        };
        return loads;
    }
    // Nothing the onward flow measures its vehicles by: one vehicle takes it all.
    vec![load]
}

/// `load.containers` boxes, `per_vehicle` a vehicle; `full(c)` gives the tonnes, TEU and value
/// of a vehicle with `c` boxes; the last vehicle takes exactly what is left.
fn by_count(load: Load, per_vehicle: u32, full: impl Fn(u32) -> (f64, f64, f64)) -> Vec<Load> {
    let per_vehicle = per_vehicle.max(1);
    let n = load.containers.div_ceil(per_vehicle);
    let mut loads = Vec::with_capacity(n as usize);
    let mut sum = Load::default();
    for i in 0..n {
        let c = per_vehicle.min(load.containers - i * per_vehicle);
        let (tonnes, teu, value) = if i + 1 == n {
            (
                (load.tonnes - sum.tonnes).max(0.0),
                (load.teu - sum.teu).max(0.0),
                (load.value - sum.value).max(0.0),
            )
        } else {
            full(c)
        };
        sum.tonnes += tonnes;
        sum.teu += teu;
        sum.value += value;
        loads.push(Load {
            containers: c,
            teu,
            tonnes,
            value,
        });
    }
    loads
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::spec::{Arrivals, FlowSpec};
    use crate::time::SimTime;

    use crate::model::spec::Mode;

    fn flow(containers: u32, tonnes: f64, teu_per_container: f64) -> FlowSpec {
        FlowSpec {
            id: "onward".into(),
            mode: Mode::Train,
            class: 0,
            tonnes,
            value: 0.0,
            wagons: 0,
            containers,
            teu_per_container,
            route: vec![0],
            travel: vec![None],
            arrivals: Arrivals::Transfer,
            starts: SimTime::ZERO,
            ends: SimTime::MAX,
            choice: None,
        }
    }

    fn load(containers: u32, teu: f64, tonnes: f64) -> Load {
        Load {
            containers,
            teu,
            tonnes,
            value: 0.0,
        }
    }

    #[test]
    fn boxes_onto_trucks_that_state_none_go_one_truck_per_box_of_their_weight() {
        // 10 boxes of 20 t (1 TEU each) onto 20 t trucks: 10 trucks, one box each.
        let got = split(load(10, 10.0, 200.0), &flow(0, 20.0, 2.0));
        assert_eq!(got, vec![load(1, 1.0, 20.0); 10]);
    }

    #[test]
    fn boxes_onto_a_bulk_train_fill_it_by_tonnes() {
        // 150 boxes of 20 t onto 1,000 t trains: 50 boxes a train, 3 trains.
        let got = split(load(150, 150.0, 3000.0), &flow(0, 1000.0, 2.0));
        assert_eq!(got, vec![load(50, 50.0, 1000.0); 3]);
    }

    #[test]
    fn boxes_heavier_than_a_truck_still_go_one_to_a_truck() {
        let got = split(load(3, 6.0, 75.0), &flow(0, 20.0, 2.0));
        assert_eq!(got, vec![load(1, 2.0, 25.0); 3]);
    }

    #[test]
    fn boxes_keep_their_size_on_a_flow_declared_with_other_boxes() {
        // 100 boxes of 1 TEU onto 100-box trains declared at 2 TEU a box: still 100 TEU.
        let got = split(load(100, 100.0, 1000.0), &flow(100, 1000.0, 2.0));
        assert_eq!(got, vec![load(100, 100.0, 1000.0)]);
    }

    #[test]
    fn boxes_by_count_leave_the_rest_on_the_last_vehicle() {
        let got = split(load(250, 500.0, 5000.0), &flow(120, 2400.0, 2.0));
        assert_eq!(
            got,
            vec![
                load(120, 240.0, 2400.0),
                load(120, 240.0, 2400.0),
                load(10, 20.0, 200.0)
            ]
        );
    }

    #[test]
    fn stuffing_counts_whole_boxes_without_a_rounding_box_too_many() {
        // 2,568 t at 21.4 t a box: 120 boxes (2568 / 21.4 = 120.00000000000001 in floating point).
        let got = split(load(0, 0.0, 2568.0), &flow(120, 120.0 * 21.4, 1.0));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].containers, 120);
        assert_eq!(got[0].teu, 120.0);
        assert_eq!(got[0].tonnes, 2568.0);
        // One tonne more needs a 121st box, on a second train.
        let got = split(load(0, 0.0, 2569.0), &flow(120, 120.0 * 21.4, 1.0));
        assert_eq!(
            got.iter().map(|l| l.containers).collect::<Vec<_>>(),
            [120, 1]
        );
    }

    #[test]
    fn bulk_by_tonnes_leaves_the_rest_on_the_last_vehicle() {
        let got = split(load(0, 0.0, 2500.0), &flow(0, 1000.0, 2.0));
        assert_eq!(
            got,
            vec![
                load(0, 0.0, 1000.0),
                load(0, 0.0, 1000.0),
                load(0, 0.0, 500.0)
            ]
        );
    }

    #[test]
    fn value_goes_with_the_tonnes() {
        let cargo = Load {
            value: 250_000.0,
            ..load(0, 0.0, 2500.0)
        };
        let got: Vec<f64> = split(cargo, &flow(0, 1000.0, 2.0))
            .iter()
            .map(|l| l.value)
            .collect();
        assert_eq!(got, [100_000.0, 100_000.0, 50_000.0]);
        let boxes = Load {
            value: 1_000.0,
            ..load(4, 4.0, 80.0)
        };
        let got: Vec<f64> = split(boxes, &flow(0, 40.0, 1.0))
            .iter()
            .map(|l| l.value)
            .collect();
        assert_eq!(got, [500.0, 500.0]);
    }

    #[test]
    fn an_empty_vehicle_hands_on_one_empty_vehicle() {
        assert_eq!(
            split(Load::default(), &flow(0, 20.0, 2.0)),
            vec![Load::default()]
        );
    }

    #[test]
    fn whole_counts_tolerate_floating_point_dust_only() {
        assert_eq!(ceil_count(120.000_000_000_000_01), 120);
        assert_eq!(ceil_count(120.001), 121);
        assert_eq!(floor_count(49.999_999_999_999_99), 50);
        assert_eq!(floor_count(49.9), 49);
        assert_eq!(ceil_count(0.0), 0);
    }
}
