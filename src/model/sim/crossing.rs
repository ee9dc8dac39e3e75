//! Crossing times: for each vehicle whose route enters a crossing, the time from its arrival at
//! the first node of the crossing on its route to leaving its last node (waits,
//! blocking, path waits, travel and transshipment included), per crossing × mode row
//! ([`crate::model::CrossingSlot`]).
//!
//! Cost: nothing on the hot path where a row is its node's: a one-node crossing whose node sees
//! only that row's vehicles (every road crossing of the built-in scenarios) copies the node's
//! statistics at the end. Otherwise one table lookup per vehicle entering and leaving a node of
//! the stretch. The vehicle does not grow: where the stretch is one node, its crossing started at
//! `Vehicle::cp_enter`; where it spans several, the arrival at the first is kept in a side table
//! by vehicle id (grown, like the vehicle arena, only to the most vehicles present at once).

use crate::model::result::{CrossingResult, EntityStats};
use crate::model::spec::Model;
use crate::stats::TimeWeighted;
use crate::time::SimTime;

use super::Sim;
use super::ids::{CheckpointId, FlowId, Id, IdVec, VehicleId};
use super::vehicle::add_cargo;

/// A flow's route leg that starts or ends a stretch inside a crossing.
#[derive(Clone, Copy, Debug)]
struct Mark {
    /// The row the stretch's vehicles are counted in.
    slot: u32,
    /// The leg is the first of the stretch.
    starts: bool,
    /// The leg is the last of the stretch.
    ends: bool,
    /// The stretch is this one leg: its crossing started at `cp_enter`.
    single: bool,
}

/// Run-time state of the crossing rows.
#[derive(Default)]
pub(super) struct CrossingRt {
    /// Any row recorded on the hot path.
    pub(super) active: bool,
    /// Per flow, its legs' marks (`None`: the leg neither starts nor ends a recorded stretch).
    marks: IdVec<FlowId, Box<[Option<Mark>]>>,
    /// Per vehicle id, its arrival at the first node of a stretch of several nodes.
    since: Vec<SimTime>,
    /// Per row, its statistics; a row that mirrors a node is filled from it at the end.
    results: Vec<CrossingResult>,
    /// Per row, the node whose statistics are the row's, if any.
    mirror: Vec<Option<CheckpointId>>,
}

impl CrossingRt {
    /// The crossing rows of `m` and the marks of its flows' legs.
    pub(super) fn new(m: &Model) -> CrossingRt {
        if m.crossings.is_empty() {
            return CrossingRt::default();
        }
        let slots = m.crossing_slots();
        let runs = m.crossing_runs();
        let slot_of = |c: u32, f: usize| {
            slots
                .iter()
                .position(|s| s.crossing == c && s.mode == m.flows[f].mode)
                .map(|i| i as u32)
        };
        // A one-node crossing mirrors its node when every vehicle through the node is the row's
        // and passes it as the whole stretch.
        let mirror: Vec<Option<CheckpointId>> = slots
            .iter()
            .map(|s| {
                let &[node] = m.crossings[s.crossing as usize].nodes.as_slice() else {
                    return None;
                };
                let all_the_rows = m.flows.iter().zip(&runs).all(|(f, r)| {
                    f.route.iter().enumerate().all(|(leg, &n)| {
                        n != node
                            || (f.mode == s.mode
                                && r.iter().any(|x| {
                                    x.crossing == s.crossing
                                        && x.first as usize == leg
                                        && x.last as usize == leg
                                }))
                    })
                });
                all_the_rows.then_some(CheckpointId(node))
            })
            .collect();
        let mut active = false;
        let marks = m
            .flows
            .iter()
            .enumerate()
            .map(|(f, spec)| {
                let mut legs = vec![None; spec.route.len()];
                for r in &runs[f] {
                    let Some(slot) = slot_of(r.crossing, f) else {
                        continue;
                    };
                    if mirror[slot as usize].is_some() {
                        continue;
                    }
                    active = true;
                    let single = r.first == r.last;
                    let mark = |starts, ends| Mark {
                        slot,
                        starts,
                        ends,
                        single,
                    };
                    legs[r.first as usize] = Some(mark(true, single));
                    if !single {
                        legs[r.last as usize] = Some(mark(false, true));
                    }
                }
                legs.into_boxed_slice()
            })
            .collect();
        CrossingRt {
            active,
            marks,
            since: Vec::new(),
            results: slots
                .iter()
                .map(|_| CrossingResult {
                    kpi: EntityStats::default(),
                    in_crossing: TimeWeighted::new(0),
                })
                .collect(),
            mirror,
        }
    }

    /// Restarts the statistics at the warm-up end `t` [ms].
    pub(super) fn reset(&mut self, t: i64) {
        for r in &mut self.results {
            r.in_crossing.reset(t);
            r.kpi.departures = 0;
        }
    }
}

impl Sim<'_> {
    /// Vehicle `v` entered the node of its current leg at `t`: a stretch in a crossing may start.
    #[inline(never)]
    pub(super) fn crossing_enter(&mut self, t: SimTime, v: VehicleId) {
        let veh = &self.vehicles[v];
        let Some(mark) = self.crossing.marks[veh.flow][veh.leg as usize] else {
            return;
        };
        if !mark.starts {
            return;
        }
        let counted = veh.counted();
        let rt = &mut self.crossing;
        let r = &mut rt.results[mark.slot as usize];
        r.in_crossing.add(t.as_ms(), 1);
        if counted {
            r.kpi.arrivals += 1;
        }
        if !mark.single {
            let i = v.index();
            if rt.since.len() <= i {
                rt.since.resize(i + 1, SimTime::ZERO);
            }
            rt.since[i] = t;
        }
    }

    /// Vehicle `v` leaves the node of its current leg at `t`: a stretch in a crossing may end.
    #[inline(never)]
    pub(super) fn crossing_leave(&mut self, t: SimTime, v: VehicleId) {
        let veh = &self.vehicles[v];
        let Some(mark) = self.crossing.marks[veh.flow][veh.leg as usize] else {
            return;
        };
        if !mark.ends {
            return;
        }
        let since = if mark.single {
            veh.cp_enter
        } else {
            self.crossing.since[v.index()]
        };
        let load = self.load_of(v);
        let veh = &self.vehicles[v];
        let r = &mut self.crossing.results[mark.slot as usize];
        r.in_crossing.add(t.as_ms(), -1);
        r.kpi.departures += 1;
        if veh.counted() {
            r.kpi.served += 1;
            add_cargo(&mut r.kpi, &self.m.flows[veh.flow], &load);
            r.kpi.time_in_system.record(t.since(since).as_ms() as u64);
        }
    }

    /// The crossing rows' results at the end of the run: mirrored rows copied from their nodes.
    pub(super) fn crossing_results(&mut self) -> Vec<CrossingResult> {
        let mut out = std::mem::take(&mut self.crossing.results);
        for (r, node) in out.iter_mut().zip(&self.crossing.mirror) {
            if let Some(n) = node {
                let c = &self.cps[*n];
                let k = &c.kpi;
                r.kpi.arrivals = k.arrivals;
                r.kpi.served = k.served;
                r.kpi.departures = k.departures;
                r.kpi.tonnes = k.tonnes;
                r.kpi.value = k.value;
                r.kpi.wagons = k.wagons;
                r.kpi.containers = k.containers;
                r.kpi.teu = k.teu;
                r.kpi.time_in_system = k.time_in_system.clone();
                r.in_crossing = c.levels.in_system.clone();
            }
        }
        out
    }
}
