//! The queue discipline of a stage: who a free server takes next.
//!
//! [`StageQueue`] holds a stage's waiting vehicles, one first-come-first-served queue per cargo
//! class, and its free servers per lane group. The rule (see the model's rules): non-preemptive
//! priority by class rank — classes listed in the stage's `priority` first, in list order, the
//! others after them with one shared rank — and arrival order within a rank. Reserved lane groups
//! come first and serve only their classes; the general group, last, serves every class. An
//! arriving vehicle takes a free reserved lane of its class first, then a free general lane.
//!
//! Nothing here allocates once the class queues have grown to their working size.

use std::collections::VecDeque;

use crate::model::spec::{LaneGroup, StageKind, StageSpec};

use super::ids::{ClassId, GroupId, Id, IdVec, VehicleId};

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
        && s.buffer.is_none()
        && s.profile.is_fixed()
}

/// True for a stage where who is served next can depend on the order of same-instant events: it
/// ranks classes differently (a priority list) or has lane groups reserved for some classes.
/// Such a stage chooses at the end of each instant (see `Sim::dispatch`), so a vehicle arriving at
/// an instant competes with those already waiting by its rank, whichever event came first.
pub(super) fn needs_settling(s: &StageSpec, n_classes: usize) -> bool {
    let ranks = &s.class_rank[..n_classes.min(s.class_rank.len())];
    s.groups.len() > 1 || ranks.iter().any(|&r| r != ranks[0])
}

/// The waiting vehicles of one stage and its free servers per lane group, with the rule that
/// picks who is served next.
#[derive(Clone, Debug)]
pub(super) struct StageQueue {
    // Per class: waiting vehicles and their arrival sequence numbers, first come first.
    queues: IdVec<ClassId, VecDeque<(VehicleId, u64)>>,
    // Vehicles waiting, over all classes.
    waiting: u32,
    // Free servers per lane group; negative while a lane reduction waits for busy lanes to finish.
    free: IdVec<GroupId, i32>,
    // Per lane group: bit mask of the classes it serves.
    masks: IdVec<GroupId, u64>,
    // Per class: priority rank (0 = served first).
    rank: IdVec<ClassId, u8>,
}

impl StageQueue {
    /// An empty queue for `n_classes` classes of the given ranks, every server of `groups` free.
    pub(super) fn new(n_classes: usize, rank: &[u8], groups: &[LaneGroup]) -> Self {
        StageQueue {
            queues: vec![VecDeque::new(); n_classes].into(),
            waiting: 0,
            free: groups.iter().map(|g| g.lanes as i32).collect(),
            masks: groups.iter().map(|g| g.class_mask).collect(),
            rank: rank.to_vec().into(),
        }
    }

    /// Vehicles waiting, over all classes.
    #[inline(always)]
    pub(super) fn waiting(&self) -> u32 {
        self.waiting
    }

    /// Vehicle `v` of `class` joins the back of its class queue; `seq` orders arrivals across
    /// classes (increasing).
    #[inline(always)]
    pub(super) fn push(&mut self, class: ClassId, v: VehicleId, seq: u64) {
        self.queues[class].push_back((v, seq));
        self.waiting += 1;
    }

    /// The vehicle at the head of `class`'s queue.
    #[inline(always)]
    pub(super) fn front(&self, class: ClassId) -> Option<VehicleId> {
        self.queues[class].front().map(|&(v, _)| v)
    }

    /// Removes and returns the vehicle at the head of `class`'s queue.
    #[inline(always)]
    pub(super) fn pop(&mut self, class: ClassId) -> Option<VehicleId> {
        let (v, _) = self.queues[class].pop_front()?;
        self.waiting -= 1;
        Some(v)
    }

    /// True if group `g` has a free server.
    #[inline(always)]
    pub(super) fn has_free(&self, g: GroupId) -> bool {
        self.free[g] > 0
    }

    /// A server of group `g` starts working.
    #[inline(always)]
    pub(super) fn take_server(&mut self, g: GroupId) {
        self.free[g] -= 1;
    }

    /// A server of group `g` is free again.
    #[inline(always)]
    pub(super) fn release_server(&mut self, g: GroupId) {
        self.free[g] += 1;
    }

    /// The last lane group (the general one) gains `delta` servers (loses, if negative: busy
    /// lanes retire as they finish).
    pub(super) fn add_general_servers(&mut self, delta: i32) {
        let general = GroupId::from_index(self.free.len() - 1);
        self.free[general] += delta;
    }

    /// True if no lane group has a free server.
    pub(super) fn all_taken(&self) -> bool {
        self.free.iter().all(|&f| f <= 0)
    }

    /// Lane group `g` gains `delta` servers (loses, if negative: busy lanes retire as they
    /// finish).
    pub(super) fn add_servers(&mut self, g: GroupId, delta: i32) {
        self.free[g] += delta;
    }

    /// True if a busy server of group `g` that frees now retires (the group has more busy
    /// servers than lanes).
    #[inline(always)]
    pub(super) fn is_retiring(&self, g: GroupId) -> bool {
        self.free[g] < 0
    }

    /// Busy servers beyond their groups' lanes, over all groups (lanes that retire when free).
    pub(super) fn retiring(&self) -> u32 {
        self.free.iter().map(|&f| (-f).max(0) as u32).sum()
    }

    /// A free lane group that serves `class`: reserved groups first.
    #[inline]
    pub(super) fn free_group_for(&self, class: ClassId) -> Option<GroupId> {
        self.masks
            .iter_enumerated()
            .find(|&(g, &mask)| self.free[g] > 0 && mask & (1u64 << class.0) != 0)
            .map(|(g, _)| g)
    }

    /// The class queue whose head is served next, whatever the free servers: lowest (rank,
    /// arrival order).
    pub(super) fn head_class(&self) -> Option<ClassId> {
        self.queues
            .iter_enumerated()
            .filter_map(|(c, q)| q.front().map(|&(_, seq)| (self.rank[c], seq, c)))
            .min_by_key(|&(rank, seq, _)| (rank, seq))
            .map(|(_, _, c)| c)
    }

    /// The lane group and class queue to serve next: for each group with a free server (reserved
    /// first), the waiting vehicle of lowest (rank, arrival order) among the classes it serves.
    #[inline]
    pub(super) fn pick(&self) -> Option<(GroupId, ClassId)> {
        for (g, &mask) in self.masks.iter_enumerated() {
            if self.free[g] <= 0 {
                continue;
            }
            let mut best: Option<(u8, u64, ClassId)> = None;
            for (c, queue) in self.queues.iter_enumerated() {
                if mask & (1u64 << c.0) == 0 {
                    continue;
                }
                if let Some(&(_, seq)) = queue.front() {
                    let key = (self.rank[c], seq, c);
                    if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                        best = Some(key);
                    }
                }
            }
            if let Some((_, _, c)) = best {
                return Some((g, c));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::dist::Dist;
    use crate::time::SimDuration;

    use ClassId as C;
    use GroupId as G;
    use VehicleId as V;

    fn general(lanes: u32) -> LaneGroup {
        LaneGroup {
            lanes,
            class_mask: u64::MAX,
        }
    }

    fn reserved(lanes: u32, class: u16) -> LaneGroup {
        LaneGroup {
            lanes,
            class_mask: 1 << class,
        }
    }

    /// Serves the queue until nothing more can be picked (servers stay free): the lane groups
    /// and vehicles in the order picked.
    fn drain(q: &mut StageQueue) -> Vec<(GroupId, VehicleId)> {
        let mut out = Vec::new();
        while let Some((g, c)) = q.pick() {
            out.push((g, q.pop(c).unwrap()));
        }
        out
    }

    #[test]
    fn lower_rank_first_whatever_the_arrival_order() {
        // Class 1 is listed first (rank 0), class 0 second (rank 1).
        let mut q = StageQueue::new(2, &[1, 0], &[general(1)]);
        q.push(C(0), V(10), 0);
        q.push(C(0), V(11), 1);
        q.push(C(1), V(20), 2);
        assert_eq!(q.waiting(), 3);
        assert_eq!(q.pick(), Some((G(0), C(1))));
        assert_eq!(q.head_class(), Some(C(1)));
        assert_eq!(drain(&mut q), [(G(0), V(20)), (G(0), V(10)), (G(0), V(11))]);
        assert_eq!(q.waiting(), 0);
        assert_eq!((q.pick(), q.head_class()), (None, None));
    }

    #[test]
    fn first_come_first_served_within_a_class() {
        let mut q = StageQueue::new(1, &[0], &[general(2)]);
        for (i, v) in [7, 3, 9, 1].into_iter().enumerate() {
            q.push(C(0), V(v), i as u64);
        }
        assert_eq!(q.front(C(0)), Some(V(7)));
        let order: Vec<VehicleId> = drain(&mut q).into_iter().map(|(_, v)| v).collect();
        assert_eq!(order, [V(7), V(3), V(9), V(1)]);
        assert_eq!(q.pop(C(0)), None);
    }

    #[test]
    fn unlisted_classes_come_after_listed_ones_in_arrival_order() {
        // Priority lists class 2 only: it has rank 0, classes 0 and 1 share rank 1.
        let mut q = StageQueue::new(3, &[1, 1, 0], &[general(1)]);
        q.push(C(1), V(1), 0);
        q.push(C(0), V(2), 1);
        q.push(C(1), V(3), 2);
        q.push(C(2), V(4), 3);
        q.push(C(0), V(5), 4);
        let order: Vec<VehicleId> = drain(&mut q).into_iter().map(|(_, v)| v).collect();
        assert_eq!(order, [V(4), V(1), V(2), V(3), V(5)]);
    }

    #[test]
    fn reserved_lanes_serve_only_their_class_and_come_first() {
        // Group 0: one lane reserved for class 1; group 1: one general lane.
        let mut q = StageQueue::new(2, &[0, 0], &[reserved(1, 1), general(1)]);
        assert_eq!(q.free_group_for(C(1)), Some(G(0)));
        assert_eq!(q.free_group_for(C(0)), Some(G(1)));
        q.take_server(G(0));
        assert_eq!(q.free_group_for(C(1)), Some(G(1)));
        q.take_server(G(1));
        assert_eq!(
            (q.free_group_for(C(0)), q.free_group_for(C(1))),
            (None, None)
        );
        // Both busy: nothing to pick even with vehicles waiting.
        q.push(C(0), V(1), 0);
        q.push(C(1), V(2), 1);
        assert_eq!(q.pick(), None);
        // The reserved lane frees: it takes class 1 although class 0 arrived first.
        q.release_server(G(0));
        assert!(q.has_free(G(0)) && !q.has_free(G(1)));
        assert_eq!(q.pick(), Some((G(0), C(1))));
        assert_eq!(q.pop(C(1)), Some(V(2)));
        // Only class 0 waits: the free reserved lane does not take it.
        assert_eq!(q.pick(), None);
        // The general lane frees: it takes class 0.
        q.release_server(G(1));
        assert_eq!(q.pick(), Some((G(1), C(0))));
    }

    #[test]
    fn a_general_lane_takes_the_best_waiting_vehicle_of_any_class() {
        let mut q = StageQueue::new(2, &[1, 0], &[reserved(1, 0), general(1)]);
        q.take_server(G(0));
        q.push(C(0), V(1), 0);
        q.push(C(1), V(2), 1);
        // Class 1 ranks first; the reserved lane (class 0) is busy, the general one serves it.
        assert_eq!(q.pick(), Some((G(1), C(1))));
    }

    #[test]
    fn fewer_general_lanes_retire_as_they_free() {
        let mut q = StageQueue::new(1, &[0], &[reserved(1, 0), general(2)]);
        q.take_server(G(1));
        q.take_server(G(1));
        q.add_general_servers(-1);
        q.push(C(0), V(1), 0);
        q.take_server(G(0));
        q.release_server(G(1));
        // One general lane freed but one retired: still none free.
        assert!(!q.has_free(G(1)));
        assert_eq!(q.pick(), None);
        q.release_server(G(1));
        assert_eq!(q.pick(), Some((G(1), C(0))));
        q.add_general_servers(2);
        assert_eq!(q.free_group_for(C(0)), Some(G(1)));
    }

    #[test]
    fn lean_only_for_one_open_general_lane_group_and_one_class() {
        let stage = StageSpec {
            id: "s".into(),
            checkpoint: 0,
            kind: StageKind::Lanes,
            unit: "lanes",
            lanes: 2,
            service: Dist::Deterministic(SimDuration::from_ms(1)),
            max_per_vehicle: None,
            handling_rate_tph: None,
            daily_quota_wagons: None,
            calendar: Calendar::always_open(),
            daily_quota: None,
            inspection: None,
            holding_capacity: 0,
            buffer: None,
            travel: None,
            class_rank: vec![0],
            groups: vec![general(2)],
            changes: Vec::new(),
            profile: crate::model::LaneProfile::Fixed(2),
        };
        assert!(is_lean(&stage, 1));
        assert!(!is_lean(&stage, 2));
        let quota = StageSpec {
            daily_quota: Some(5),
            ..stage.clone()
        };
        assert!(!is_lean(&quota, 1));
        let reserved = StageSpec {
            groups: vec![reserved(1, 0), general(1)],
            ..stage.clone()
        };
        assert!(!is_lean(&reserved, 1));
        let tracks = StageSpec {
            kind: StageKind::Tracks,
            ..stage
        };
        assert!(!is_lean(&tracks, 1));
    }
}
