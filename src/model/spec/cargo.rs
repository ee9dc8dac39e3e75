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
/// as that number. `x` must be finite and ≥ 0; saturates at `u64::MAX`.
fn ceil_count(x: f64) -> u64 {
    let r = x.round();
    let n = if (x - r).abs() <= COUNT_TOLERANCE * r.max(1.0) {
        r
    } else {
        x.ceil()
    };
    n.clamp(0.0, u64::MAX as f64) as u64
}

/// The greatest whole number `n ≤ x`, with the same tolerance as [`ceil_count`].
fn floor_count(x: f64) -> u64 {
    let r = x.round();
    let n = if (x - r).abs() <= COUNT_TOLERANCE * r.max(1.0) {
        r
    } else {
        x.floor()
    };
    n.clamp(0.0, u64::MAX as f64) as u64
}

/// How one vehicle's load is cut into onward loads.
#[derive(Clone, Copy, Debug)]
enum Cut {
    /// One vehicle takes it all.
    Whole,
    /// Whole boxes, `per` a vehicle; a vehicle carries its boxes' share of the load.
    Boxes { per: u64 },
    /// Bulk stuffed into boxes of `t_per_c` tonnes and `teu_per_c` TEU, `per` a vehicle.
    Stuffed {
        per: u64,
        t_per_c: f64,
        teu_per_c: f64,
    },
    /// Bulk, `per_t` tonnes a vehicle.
    Bulk { per_t: f64 },
}

/// The onward loads of one transfer, made one at a time (a load may need many vehicles: the
/// vehicle budget, not this list, bounds how many exist at once). The last takes exactly what
/// is left of the load.
#[derive(Clone, Debug)]
pub struct Split {
    load: Load,
    /// Containers to hand on: the load's, or the boxes stuffed bulk fills.
    boxes: u64,
    cut: Cut,
    vehicles: u64,
    made: u64,
    sum: (u64, f64, f64, f64),
}

impl Split {
    /// Onward vehicles in all.
    pub fn vehicles(&self) -> u64 {
        self.vehicles
    }

    /// Containers handed on in all: the load's own, or the boxes stuffed bulk fills.
    pub fn boxes(&self) -> u64 {
        self.boxes
    }

    /// The `i`-th load, if it is a full one (not the last).
    fn full(&self, i: u64) -> Load {
        let value_of = |w: f64| {
            if self.load.tonnes > 0.0 {
                self.load.value * w / self.load.tonnes
            } else {
                0.0
            }
        };
        match self.cut {
            Cut::Whole => self.load,
            Cut::Boxes { per } => {
                let c = per.min(self.boxes - i * per);
                let share = c as f64 / self.boxes as f64;
                Load {
                    containers: c as u32,
                    teu: self.load.teu * share,
                    tonnes: self.load.tonnes * share,
                    // Empty boxes carry their value by count.
                    value: self.load.value * share,
                }
            }
            Cut::Stuffed {
                per,
                t_per_c,
                teu_per_c,
            } => Load {
                containers: per as u32,
                teu: per as f64 * teu_per_c,
                tonnes: per as f64 * t_per_c,
                value: value_of(per as f64 * t_per_c),
            },
            Cut::Bulk { per_t } => Load {
                containers: 0,
                teu: 0.0,
                tonnes: per_t,
                value: value_of(per_t),
            },
        }
    }
}

impl Iterator for Split {
    type Item = Load;

    fn next(&mut self) -> Option<Load> {
        if self.made >= self.vehicles {
            return None;
        }
        let i = self.made;
        self.made += 1;
        let part = if self.made < self.vehicles {
            self.full(i)
        } else {
            // The last takes exactly what is left.
            let (c, w, e, v) = self.sum;
            let teu = match self.cut {
                Cut::Stuffed { teu_per_c, .. } => (self.boxes - c) as f64 * teu_per_c,
                _ => (self.load.teu - e).max(0.0),
            };
            Load {
                containers: (self.boxes - c) as u32,
                teu,
                tonnes: (self.load.tonnes - w).max(0.0),
                value: (self.load.value - v).max(0.0),
            }
        };
        self.sum.0 += u64::from(part.containers);
        self.sum.1 += part.tonnes;
        self.sum.2 += part.teu;
        self.sum.3 += part.value;
        Some(part)
    }
}

/// Splits `load` over vehicles of the onward flow `onward` (see the module docs for the rule).
/// Always at least one vehicle; the containers handed on are `load.containers` (or, for stuffed
/// bulk, the boxes it fills), and the sums of tonnes, TEU and value equal the load's up to
/// rounding. Value goes with the tonnes (with the boxes, for empty boxes).
pub fn split(load: Load, onward: &FlowSpec) -> Split {
    let (per_c, per_t) = (u64::from(onward.containers), onward.tonnes);
    let (boxes, cut, vehicles) = if load.containers > 0 {
        let boxes = u64::from(load.containers);
        // Boxes travel as they are; how many fit one onward vehicle?
        let per = if per_c > 0 {
            per_c
        } else {
            let box_tonnes = load.tonnes / boxes as f64;
            if per_t > 0.0 && box_tonnes > 0.0 {
                floor_count(per_t / box_tonnes).max(1)
            } else {
                boxes
            }
        };
        (boxes, Cut::Boxes { per }, boxes.div_ceil(per))
    } else if load.tonnes > 0.0 && per_t > 0.0 && per_c > 0 {
        // Stuffing: new boxes of the onward flow's size.
        let t_per_c = per_t / per_c as f64;
        let boxes = ceil_count(load.tonnes / t_per_c).max(1);
        let cut = Cut::Stuffed {
            per: per_c,
            t_per_c,
            teu_per_c: onward.teu_per_container,
        };
        (boxes, cut, boxes.div_ceil(per_c))
    } else if load.tonnes > 0.0 && per_t > 0.0 {
        let n = ceil_count(load.tonnes / per_t).max(1);
        (0, Cut::Bulk { per_t }, n)
    } else {
        // Nothing the onward flow measures its vehicles by: one vehicle takes it all.
        (u64::from(load.containers), Cut::Whole, 1)
    };
    Split {
        load,
        boxes,
        cut,
        vehicles,
        made: 0,
        sum: (0, 0.0, 0.0, 0.0),
    }
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

    fn parts(load: Load, onward: &FlowSpec) -> Vec<Load> {
        split(load, onward).collect()
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
        let got = parts(load(10, 10.0, 200.0), &flow(0, 20.0, 2.0));
        assert_eq!(got, vec![load(1, 1.0, 20.0); 10]);
    }

    #[test]
    fn boxes_onto_a_bulk_train_fill_it_by_tonnes() {
        // 150 boxes of 20 t onto 1,000 t trains: 50 boxes a train, 3 trains.
        let got = parts(load(150, 150.0, 3000.0), &flow(0, 1000.0, 2.0));
        assert_eq!(got, vec![load(50, 50.0, 1000.0); 3]);
    }

    #[test]
    fn boxes_heavier_than_a_truck_still_go_one_to_a_truck() {
        let got = parts(load(3, 6.0, 75.0), &flow(0, 20.0, 2.0));
        assert_eq!(got, vec![load(1, 2.0, 25.0); 3]);
    }

    #[test]
    fn boxes_keep_their_size_on_a_flow_declared_with_other_boxes() {
        // 100 boxes of 1 TEU onto 100-box trains declared at 2 TEU a box: still 100 TEU.
        let got = parts(load(100, 100.0, 1000.0), &flow(100, 1000.0, 2.0));
        assert_eq!(got, vec![load(100, 100.0, 1000.0)]);
    }

    #[test]
    fn boxes_by_count_leave_the_rest_on_the_last_vehicle() {
        let got = parts(load(250, 500.0, 5000.0), &flow(120, 2400.0, 2.0));
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
        let got = parts(load(0, 0.0, 2568.0), &flow(120, 120.0 * 21.4, 1.0));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].containers, 120);
        assert_eq!(got[0].teu, 120.0);
        assert_eq!(got[0].tonnes, 2568.0);
        // One tonne more needs a 121st box, on a second train.
        let got = parts(load(0, 0.0, 2569.0), &flow(120, 120.0 * 21.4, 1.0));
        assert_eq!(
            got.iter().map(|l| l.containers).collect::<Vec<_>>(),
            [120, 1]
        );
    }

    #[test]
    fn bulk_by_tonnes_leaves_the_rest_on_the_last_vehicle() {
        let got = parts(load(0, 0.0, 2500.0), &flow(0, 1000.0, 2.0));
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
        let got: Vec<f64> = parts(cargo, &flow(0, 1000.0, 2.0))
            .iter()
            .map(|l| l.value)
            .collect();
        assert_eq!(got, [100_000.0, 100_000.0, 50_000.0]);
        let boxes = Load {
            value: 1_000.0,
            ..load(4, 4.0, 80.0)
        };
        let got: Vec<f64> = parts(boxes, &flow(0, 40.0, 1.0))
            .iter()
            .map(|l| l.value)
            .collect();
        assert_eq!(got, [500.0, 500.0]);
    }

    #[test]
    fn an_empty_vehicle_hands_on_one_empty_vehicle() {
        assert_eq!(
            parts(Load::default(), &flow(0, 20.0, 2.0)),
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
