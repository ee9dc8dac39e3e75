//! The queue discipline of a stage: which waiting vehicle a free lane takes next (priority by
//! class rank, first come first served within a rank, reserved lane groups).

use crate::model::spec::{StageKind, StageSpec};

use super::Sim;
use super::ids::{ClassId, GroupId, Id, StageId};

/// True for a lanes stage with nothing to decide: one lane group serving the only class (so one
/// queue), always open, without daily quotas. A free lane takes the head of the queue at once.
pub(super) fn is_lean(s: &StageSpec, n_classes: usize) -> bool {
    s.kind == StageKind::Lanes
        && n_classes == 1
        && s.groups.len() == 1
        && s.groups[0].class_mask & 1 != 0
        && s.calendar.is_always_open()
        && s.daily_quota.is_none()
        && s.daily_quota_wagons.is_none()
        && s.changes.is_empty()
}

impl Sim<'_> {
    /// Index of a free lane group that serves `class`: reserved groups first.
    #[inline]
    pub(super) fn free_group_for(&self, s: StageId, class: ClassId) -> Option<GroupId> {
        let spec = &self.m.stages[s];
        let st = &self.stages[s];
        spec.groups
            .iter()
            .enumerate()
            .find(|(g, grp)| {
                st.free[GroupId::from_index(*g)] > 0 && grp.class_mask & (1u64 << class.0) != 0
            })
            .map(|(g, _)| GroupId::from_index(g))
    }

    /// The class queue whose head is served next at stage `s`, whatever the free servers:
    /// lowest (rank, arrival order).
    pub(super) fn head_class(&self, s: StageId) -> Option<ClassId> {
        let spec = &self.m.stages[s];
        let st = &self.stages[s];
        st.queues
            .iter_enumerated()
            .filter_map(|(c, q)| {
                q.front()
                    .map(|&(_, seq)| (spec.class_rank[c.index()], seq, c))
            })
            .min_by_key(|&(rank, seq, _)| (rank, seq))
            .map(|(_, _, c)| c)
    }

    /// The lane group and class queue to serve next: for each group with a free lane (reserved
    /// first), the waiting vehicle of lowest (rank, arrival order) among the classes it serves.
    #[inline]
    pub(super) fn pick(&self, s: StageId) -> Option<(GroupId, ClassId)> {
        let spec = &self.m.stages[s];
        let st = &self.stages[s];
        for (g, grp) in spec.groups.iter().enumerate() {
            if st.free[GroupId::from_index(g)] <= 0 {
                continue;
            }
            let mut best: Option<(u8, u64, ClassId)> = None;
            for (c, queue) in st.queues.iter_enumerated() {
                if grp.class_mask & (1u64 << c.0) == 0 {
                    continue;
                }
                if let Some(&(_, seq)) = queue.front() {
                    let key = (spec.class_rank[c.index()], seq, c);
                    if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                        best = Some(key);
                    }
                }
            }
            if let Some((_, _, c)) = best {
                return Some((GroupId::from_index(g), c));
            }
        }
        None
    }
}
