//! The end of a run: samples due up to the horizon, mirrored statistics copied, the backlog and
//! over-limit counts of vehicles still inside, the last year closed, and the [`RepResult`].

use crate::model::result::{Blocks, Cargo, EntityStats, RepResult, StageResult};
use crate::model::spec::StageKind;

use super::Sim;
use super::ids::{CheckpointId, ClassId, Id, StageId, VehicleId};
use super::mirror::copy_recorded;
use super::vehicle::NO_TRACK;

impl Sim<'_> {
    pub(super) fn finish(&mut self, replication: u32, events: u64) -> RepResult {
        let end = self.horizon;
        // Samples due after the last event, up to the one at the horizon.
        self.observe_until(end);
        // Statistics recorded once, by the checkpoint, for the stages and flows that mirror it.
        for (spec, st) in self.m.stages.iter().zip(&mut self.stages) {
            if st.mirrors_checkpoint {
                let c = &self.cps[CheckpointId(spec.checkpoint)];
                copy_recorded(&c.kpi, &mut st.kpi);
                st.levels.queue = c.levels.queue.clone();
                st.levels.road = c.levels.road.clone();
                st.levels.in_system = c.levels.in_system.clone();
            }
        }
        for (spec, f) in self.m.flows.iter().zip(&mut self.flows) {
            if f.mirrors_checkpoint {
                copy_recorded(&self.cps[CheckpointId(spec.route[0])].kpi, &mut f.kpi);
            }
        }
        // The trend test's blocks; a mirrored stage's vehicles are its checkpoint's.
        let n_cps = self.cps.len();
        let cp_blocks: Vec<Blocks> = (0..n_cps).map(|c| self.block_means(c)).collect();
        let stage_blocks: Vec<Blocks> = (self.m.stages.iter().zip(&self.stages))
            .enumerate()
            .map(|(i, (spec, st))| match st.mirrors_checkpoint {
                true => cp_blocks[spec.checkpoint as usize].clone(),
                false => self.block_means(n_cps + i),
            })
            .collect();
        // A flow that mirrors its checkpoint has the checkpoint's vehicles.
        let n_stages = self.stages.len();
        let flow_blocks: Vec<Blocks> = (self.m.flows.iter().zip(&self.flows))
            .enumerate()
            .map(|(i, (spec, f))| match f.mirrors_checkpoint {
                true => cp_blocks[spec.route[0] as usize].clone(),
                false => self.block_means(n_cps + n_stages + i),
            })
            .collect();
        // Vehicles still inside: the backlog, and waits that are already over their limit.
        let free: std::collections::HashSet<VehicleId> = self.free_ids.iter().copied().collect();
        for i in 0..self.vehicles.len() {
            let id = VehicleId::from_index(i);
            if free.contains(&id) {
                continue;
            }
            let veh = self.vehicles[id];
            let (track_stage, _, track_since) = self.held_track(id);
            if track_stage != NO_TRACK {
                // Still on its receiving track at the horizon: the track was busy until the end.
                let busy = self.busy_open(track_stage, track_since, end);
                self.stages[track_stage].busy_open_ms += busy;
            }
            if !veh.counted() {
                continue;
            }
            let flow = &self.m.flows[veh.flow];
            let queued_now = if veh.queued() {
                end.since(veh.stage_arrive).as_ms()
            } else if veh.blocked() {
                // Its waits hold `wait − blocked since` (see `Sim::block`).
                end.as_ms()
            } else {
                0
            };
            let limit = self.m.classes[ClassId(flow.class)]
                .max_wait
                .map(|d| d.as_ms());
            let load = self.load_of(id);
            let cargo = Cargo {
                tonnes: load.tonnes,
                containers: f64::from(load.containers),
                teu: load.teu,
                value: load.value,
            };
            let fk = &mut self.flows[veh.flow].kpi;
            fk.backlog_end += 1;
            fk.backlog_cargo.add(cargo);
            let over_total = limit.is_some_and(|l| veh.total_wait_ms + queued_now > l);
            if over_total {
                fk.over_limit += 1;
            }
            if veh.in_cp() {
                let cp = CheckpointId(flow.route[veh.leg as usize]);
                let k = &mut self.cps[cp].kpi;
                k.backlog_end += 1;
                k.backlog_cargo.add(cargo);
                if limit.is_some_and(|l| veh.cp_wait_ms + queued_now > l) {
                    k.over_limit += 1;
                }
                if veh.in_stage() {
                    let s = StageId(self.m.checkpoints[cp].stages[veh.step as usize]);
                    let st = &mut self.stages[s];
                    st.kpi.backlog_end += 1;
                    st.kpi.backlog_cargo.add(cargo);
                    // Still outside at the horizon, after every track was found taken.
                    if veh.queued()
                        && veh.found_tracks_full()
                        && end > veh.stage_arrive
                        && self.m.stages[s].kind == StageKind::Tracks
                    {
                        st.kpi.held_outside += 1;
                        self.cps[cp].kpi.held_outside += 1;
                    }
                    // Still queued there with a wait at the stage already over the limit.
                    if veh.queued() && limit.is_some_and(|l| queued_now > l) {
                        st.kpi.over_limit += 1;
                    }
                    if st.mirrors_checkpoint && !veh.queued() {
                        // In service: its wait at the stage is over, but the checkpoint records
                        // waits only when vehicles leave.
                        let waited = veh.service_start.since(veh.stage_arrive).as_ms() as u64;
                        st.kpi.wait.record(waited);
                        st.kpi
                            .wait_by_hour
                            .add(veh.stage_arrive.hour_of_day(), waited);
                    }
                }
            }
        }
        // The last year closes at the horizon, with the backlog counted above.
        self.close_year(end);
        // Class statistics: the merged statistics of the flows of each class, cargo counted
        // where it is delivered (not again on a flow that handed it on).
        let mut classes = vec![EntityStats::default(); self.m.classes.len()];
        for (i, (spec, f)) in self.m.flows.iter().zip(&self.flows).enumerate() {
            if self.m.hands_on(i) {
                classes[spec.class as usize].merge_moved(&f.kpi);
            } else {
                classes[spec.class as usize].merge(&f.kpi);
            }
        }
        let measured_ms = end.since(self.warmup).as_ms();
        for i in 0..self.stages.len() {
            self.flush_excess(end, StageId::from_index(i));
        }
        let stages = self
            .m
            .stages
            .iter()
            .zip(self.stages.iter_mut())
            .zip(&self.lanes)
            .zip(stage_blocks)
            .map(|(((spec, st), lanes), blocks)| {
                let busy_open = st.busy_open_ms - lanes.excess_open_ms();
                (spec, st, busy_open, blocks)
            })
            .map(|(spec, st, busy_open, inside_blocks)| StageResult {
                kpi: std::mem::take(&mut st.kpi),
                levels: {
                    let mut l = st.levels.clone();
                    if st.off_road == 0 {
                        l.road = l.queue.clone();
                    }
                    l
                },
                busy_open_lane_ms: busy_open,
                overtime_lane_ms: st.levels.busy.area(end.as_ms()) - busy_open,
                open_lane_ms: spec.open_lane_ms(self.warmup, end),
                quota_days_exhausted: st.quota_out_at.len() as u64,
                quota_out_at: std::mem::take(&mut st.quota_out_at),
                held_for_ms: st.held_for_ms,
                inside_blocks,
            })
            .collect();
        let crossings = self.crossing_results();
        RepResult {
            replication,
            events,
            measured_ms,
            stages,
            checkpoints: {
                let mut cps = std::mem::take(&mut self.cps);
                for ((c, tracked), blocks) in
                    cps.iter_mut().zip(&self.cp_road_tracked).zip(cp_blocks)
                {
                    if !tracked {
                        c.levels.road = c.levels.queue.clone();
                    }
                    c.inside_blocks = blocks;
                }
                cps.into_vec()
            },
            flows: self
                .flows
                .iter_mut()
                .map(|f| std::mem::take(&mut f.kpi))
                .collect(),
            flow_inside_blocks: flow_blocks,
            classes,
            crossings,
            series: std::mem::take(&mut self.obs.rows),
            years: std::mem::take(&mut self.obs.done),
        }
    }
}
