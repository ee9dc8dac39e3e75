//! The event wheel's bucket width, adapted to the event density (Brown's calendar queue resizes
//! its buckets for the same reason). Too wide, and many events share a bucket: each goes onto the
//! wheel, then through the near heap. Too narrow, and the wheel's ≈ 8,192 buckets reach too short
//! a way ahead: events wait in the far heap, and the bitmap scan crosses empty words.
//!
//! The width is decided when the queue spreads onto the wheel (from the spacing of the events
//! pending then; narrower than the default only) and then at checkpoints, from counts kept as
//! buckets are taken off the wheel. The counts cost an add or two a bucket; a change re-buckets
//! every pending event, so checkpoints are at least twice the pending count apart, and further
//! each time the width turns back the other way.

use super::{BUCKET_SHIFT, BinaryHeap, EventQueue, NIL, WHEEL};

/// Widest buckets: 2^20 ms ≈ 17 min (the wheel then reaches ≈ 16 years); the narrowest are 1 ms.
const MAX_SHIFT: u32 = 20;
/// Events taken off the wheel between two checkpoints, at least.
const CHECK_EVERY: u64 = 2_048;

/// What the queue has seen since the last checkpoint.
pub(super) struct Density {
    /// Events taken off the wheel, and the next checkpoint's threshold for it.
    pub(super) moved: u64,
    pub(super) check_at: u64,
    /// Occupied buckets taken, and those of them holding more than one event.
    pub(super) takes: u64,
    pub(super) multi: u64,
    /// Sum over the buckets holding several events of their last time minus their first [ms].
    pub(super) span: u64,
    /// Buckets stepped over to reach the occupied ones (a bitmap word covers 64).
    pub(super) gaps: u64,
    /// Events scheduled beyond the wheel (into the far heap).
    pub(super) far_in: u64,
    /// Events popped and the clock [ms] at the last checkpoint (or when the queue spread onto
    /// the wheel).
    pub(super) pops_at: u64,
    pub(super) t_at: u64,
    /// Direction of the last change: -1 narrower, +1 wider, 0 none yet.
    last: i8,
}

impl Default for Density {
    fn default() -> Self {
        Density {
            moved: 0,
            check_at: CHECK_EVERY,
            takes: 0,
            multi: 0,
            span: 0,
            gaps: 0,
            far_in: 0,
            pops_at: 0,
            t_at: 0,
            last: 0,
        }
    }
}

impl<E: Copy> EventQueue<E> {
    /// The width when the queue spreads onto the wheel: an eighth to a sixteenth of the mean
    /// spacing of the pending events nearer than their median, and never wider than the default
    /// (widening is left to the checkpoints, which measure). Events all at one instant say
    /// nothing of the spacing: the default stays.
    pub(super) fn initial_shift(&self) -> u32 {
        let now = self.now.as_ms() as u64;
        let mut times: Vec<u64> = self.near.iter().map(|e| e.time).collect();
        let half = times.len() / 2;
        if half == 0 {
            return BUCKET_SHIFT;
        }
        let (_, &mut median, _) = times.select_nth_unstable(half);
        let spacing = (median - now) / half as u64;
        if spacing == 0 {
            return BUCKET_SHIFT;
        }
        spacing.ilog2().saturating_sub(3).min(BUCKET_SHIFT)
    }

    /// A checkpoint (the near heap is empty, the wheel is not): re-decides the width, re-buckets
    /// if it changed, and moves the next event into `front`.
    #[cold]
    #[inline(never)]
    pub(super) fn checkpoint(&mut self) {
        let shift = self.next_shift();
        let last = self.density.last;
        let mut check_at = self.density.check_at;
        if shift != self.shift {
            let turn: i8 = if shift < self.shift { -1 } else { 1 };
            if turn == -last {
                check_at = check_at.saturating_mul(2);
            }
            self.rebucket(shift);
            self.density = Density {
                check_at: check_at.max(CHECK_EVERY).max(2 * self.len() as u64),
                last: turn,
                ..Density::default()
            };
        } else {
            self.density = Density {
                check_at,
                last,
                ..Density::default()
            };
        }
        self.density.pops_at = self.processed;
        self.density.t_at = self.now.as_ms() as u64;
        self.refill_front();
    }

    /// The width the counts since the last checkpoint ask for.
    fn next_shift(&self) -> u32 {
        let d = &self.density;
        let takes = d.takes.max(1);
        let pops = self.processed - d.pops_at;
        let far_rare = d.far_in * 16 < pops;
        // Two or more events a bucket on average, a quarter of the buckets holding several,
        // spread over a good part of the bucket (not ties at one instant, which no width
        // separates), and few events beyond the wheel: narrow to a quarter of the mean time
        // between pops, so most buckets hold one event (taken straight off the wheel) and the
        // scan for the next one stays within a bitmap word or two.
        if d.moved >= 2 * takes
            && d.multi * 4 >= takes
            && far_rare
            && d.span * 4 >= d.multi << self.shift
        {
            let between = (self.now.as_ms() as u64 - d.t_at) / pops.max(1);
            let to = between.max(1).ilog2().saturating_sub(2);
            if to < self.shift {
                return to;
            }
        }
        // Fewer than 1.5 events a bucket, and more than one event in 16 sent to the far heap or
        // more than 8 empty bitmap words stepped over per bucket: one step wider.
        if 2 * d.moved < 3 * takes && (!far_rare || d.gaps >= 512 * takes) {
            return (self.shift + 1).min(MAX_SHIFT);
        }
        self.shift
    }

    /// Re-buckets every pending event (but `front`) at width 2^`shift`.
    fn rebucket(&mut self, shift: u32) {
        self.drop_taken();
        let mut all = std::mem::take(&mut self.far).into_vec();
        let near = std::mem::replace(&mut self.near, BinaryHeap::with_capacity(64));
        all.extend(near.into_vec());
        for slot in 0..WHEEL {
            let mut id = self.head[slot];
            while id != NIL {
                let node = self.nodes[id as usize];
                all.push(node.entry);
                id = node.next;
            }
        }
        self.head.fill(NIL);
        self.occupied.fill(0);
        self.nodes.clear();
        self.free = NIL;
        self.in_wheel = 0;
        self.shift = shift;
        // Every pending event is at or after `now`, so in the current bucket or later.
        self.cur = self.now.as_ms() as u64 >> shift;
        for e in all {
            self.insert(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EventQueue, SimTime, stream};
    use super::BUCKET_SHIFT;
    use rand::RngExt;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// The shape of one test run: a dense phase (`dense` chains re-arming after about
    /// `dense_ms`), a sparse one (`sparse` pending at delays of up to `sparse_ms`, some of them
    /// days ahead), then a shrink to a handful pending; `ties_pct` of the re-arms are at the
    /// current instant.
    #[derive(Clone, Copy, Debug)]
    struct Shape {
        seed: u64,
        dense: u32,
        dense_ms: i64,
        sparse: usize,
        sparse_ms: i64,
        ties_pct: u32,
        halt: bool,
    }

    /// The queue and a reference heap of (time, seq) side by side; every pop must agree.
    struct Pair {
        q: EventQueue<u32>,
        r: BinaryHeap<Reverse<(i64, u64, u32)>>,
        seq: u64,
        shifts: Vec<u32>,
    }

    impl Pair {
        fn schedule(&mut self, at: i64, id: u32) {
            self.q.schedule(SimTime::from_ms(at), id).unwrap();
            self.r.push(Reverse((at, self.seq, id)));
            self.seq += 1;
        }
        fn pop(&mut self) -> Option<(i64, u32)> {
            let got = self.q.pop().map(|(t, e)| (t.as_ms(), e));
            let want = self.r.pop().map(|Reverse((t, _, id))| (t, id));
            assert_eq!(got, want);
            assert_eq!(self.q.len(), self.r.len());
            let next = self.r.peek().map(|Reverse((t, _, _))| *t);
            assert_eq!(self.q.peek_time().map(|t| t.as_ms()), next);
            if self.shifts.last() != Some(&self.q.shift) {
                self.shifts.push(self.q.shift);
            }
            got
        }
        fn now(&self) -> i64 {
            self.q.now().as_ms()
        }
    }

    /// Runs `s` and returns the bucket widths the queue went through, in order.
    fn run(s: Shape) -> Vec<u32> {
        let mut rng = stream(s.seed, 0, "engine/width/test");
        let mut p = Pair {
            q: EventQueue::new(),
            r: BinaryHeap::new(),
            seq: 0,
            shifts: vec![BUCKET_SHIFT],
        };
        let tie = |rng: &mut crate::engine::Rng| rng.random_range(0..100) < s.ties_pct;
        // Dense: chains that re-arm after dense_ms plus their own small offset.
        for id in 0..s.dense {
            p.schedule(rng.random_range(0..s.dense_ms), id);
        }
        for _ in 0..8_000 {
            let (t, id) = p.pop().unwrap();
            let at = if tie(&mut rng) {
                t
            } else {
                t + s.dense_ms + i64::from(id % 97)
            };
            p.schedule(at, id);
        }
        // Sparse: grow to `sparse` pending, delays up to sparse_ms, one in 50 days ahead.
        let mut id = s.dense;
        for step in 0..12_000 {
            let (t, _) = p.pop().unwrap();
            let more = if p.q.len() < s.sparse { 2 } else { 1 };
            for _ in 0..more {
                let at = match rng.random_range(0..50) {
                    0 => t + rng.random_range(1..10 * 86_400_000),
                    _ if tie(&mut rng) => t,
                    _ => t + rng.random_range(0..s.sparse_ms),
                };
                p.schedule(at, id);
                id += 1;
            }
            // Now and then the clock jumps ahead, up to the next pending event.
            if step % 1_000 == 999 {
                let next = p.q.peek_time().unwrap().as_ms();
                let to = next.min(p.now() + rng.random_range(0..60_000));
                p.q.advance_to(SimTime::from_ms(to));
                assert_eq!(p.now(), to.max(t));
            }
        }
        // Shrink below the 17 pending of the small-heap mode, then hold a few events.
        while p.q.len() > 5 {
            p.pop().unwrap();
        }
        for _ in 0..3_000 {
            let (t, id) = p.pop().unwrap();
            p.schedule(t + rng.random_range(0..600_000), id);
        }
        if s.halt {
            p.q.halt();
            assert_eq!((p.q.is_empty(), p.q.len(), p.q.pop()), (true, 0, None));
            assert!(p.q.schedule(SimTime::from_ms(0), 0).is_err());
        } else {
            while p.pop().is_some() {}
        }
        p.shifts
    }

    /// Dense chains narrow the buckets, and a sparse queue reaching days ahead widens them
    /// again; the pops match the reference throughout, through the shrink to a few events.
    #[test]
    fn the_width_narrows_for_dense_events_and_widens_for_sparse_ones() {
        let shifts = run(Shape {
            seed: 7,
            dense: 100,
            dense_ms: 1_000,
            sparse: 1_000,
            sparse_ms: 4 * 3_600_000,
            ties_pct: 5,
            halt: false,
        });
        let lowest = shifts
            .iter()
            .position(|&s| s == *shifts.iter().min().unwrap());
        let lowest = lowest.unwrap();
        assert!(shifts[lowest] <= 5, "narrowed to {shifts:?}");
        let widest_after = shifts[lowest..].iter().max().unwrap();
        assert!(
            *widest_after >= shifts[lowest] + 4,
            "widened after narrowing: {shifts:?}"
        );
    }

    /// Random shapes: every pop in (time, seq) order, same-instant events first in, far-heap
    /// events, clock jumps, the shrink back to a few pending, and `halt`.
    #[test]
    fn width_changes_keep_the_exact_pop_order() {
        use proptest::prelude::*;
        let shape = (
            any::<u64>(),
            20u32..300,
            1i64..3_000,
            30usize..2_000,
            1_000i64..20_000_000,
            0u32..40,
            any::<bool>(),
        )
            .prop_map(
                |(seed, dense, dense_ms, sparse, sparse_ms, ties_pct, halt)| Shape {
                    seed,
                    dense,
                    dense_ms,
                    sparse,
                    sparse_ms,
                    ties_pct,
                    halt,
                },
            );
        proptest!(ProptestConfig::with_cases(24), |(s in shape)| {
            run(s);
        });
    }
}
