//! Mirrored statistics: a stage or flow whose statistics are necessarily its checkpoint's is not
//! recorded twice on the hot path; the checkpoint records them and `finish` copies them.

use crate::model::result::EntityStats;
use crate::model::spec::{CheckpointSpec, FlowSpec, Model, StageKind};

use super::ids::StageId;

/// The only stage of checkpoint `cp`, if the stage's statistics (arrivals, served and cargo,
/// times in system, queue and in-system levels; waits but for the vehicles in service at the
/// horizon) are necessarily the checkpoint's: a single lanes stage reached without travel, so a
/// vehicle enters the stage when it enters the checkpoint, waits only there, and leaves both at
/// one instant.
pub(super) fn mirrored_stage(m: &Model, cp: &CheckpointSpec) -> Option<StageId> {
    let &[s] = cp.stages.as_slice() else {
        return None;
    };
    let s = StageId(s);
    let spec = &m.stages[s];
    let no_travel = spec.travel.as_ref().is_none_or(|d| d.is_zero());
    (spec.kind == StageKind::Lanes && no_travel).then_some(s)
}

/// True if flow `f`'s recorded statistics are necessarily equal to its checkpoint's: its route is
/// one checkpoint that no other flow passes, so the checkpoint sees exactly this flow's vehicles,
/// each entering it when created and leaving the system when it leaves the checkpoint.
pub(super) fn flow_mirrors_checkpoint(m: &Model, f: &FlowSpec) -> bool {
    let &[cp] = f.route.as_slice() else {
        return false;
    };
    // A route-choice alternative drives its detour before the gate: created before it enters.
    let enters_when_created = f.travel[0].as_ref().is_none_or(|d| d.is_zero());
    enters_when_created && m.flows.iter().filter(|g| g.route.contains(&cp)).count() == 1
}

/// Copies the statistics recorded on the hot path (not the end-of-run backlog and over-limit
/// counts, nor "held outside", which mirrored entities record on their own) from `from` to `to`.
pub(super) fn copy_recorded(from: &EntityStats, to: &mut EntityStats) {
    to.arrivals = from.arrivals;
    to.served = from.served;
    to.departures = from.departures;
    to.tonnes = from.tonnes;
    to.value = from.value;
    to.wagons = from.wagons;
    to.containers = from.containers;
    to.teu = from.teu;
    to.wait = from.wait.clone();
    to.time_in_system = from.time_in_system.clone();
    to.wait_by_hour = from.wait_by_hour.clone();
}
