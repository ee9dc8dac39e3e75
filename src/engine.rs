//! The discrete-event kernel: an event queue ordered by (time, sequence number), a run loop,
//! and seeded random streams. It knows nothing of borders; `model` builds on it.
//!
//! Ties: events scheduled for the same instant run in the order they were scheduled (FIFO), so a
//! run is fully determined by its inputs. Events are small `Copy` values (typically enums naming
//! entities by index), stored inline in the queue's heaps and wheel nodes: scheduling
//! allocates nothing once they have grown to their working size (see [`EventQueue`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::time::{SimDuration, SimTime};

mod width;
use width::Density;

/// The generator every random source uses: Xoshiro256++, whose output is fixed by its algorithm.
pub type Rng = Xoshiro256PlusPlus;

/// Scheduling an event before the current time is a bug in the caller, reported rather than run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event scheduled in the past: at {at} but the clock is at {now}")]
pub struct PastEventError {
    /// The requested instant.
    pub at: SimTime,
    /// The clock when it was requested.
    pub now: SimTime,
}

/// One pending event: its time [ms], which is never negative, and its sequence number. Kept as
/// two `u64`s (not one `u128`), so an entry is 8-aligned: 24 bytes with an 8-byte event instead
/// of 32, and a wheel node 32 instead of 48; the heap compares them as one `u128` key.
#[derive(Clone, Copy)]
struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    /// (time, seq) as one integer, ordered as the pair.
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    // BinaryHeap is a max-heap: reverse so the earliest (time, seq) is on top.
    fn cmp(&self, o: &Self) -> Ordering {
        o.key().cmp(&self.key())
    }
}

/// Bucket width the event wheel starts with: 2^9 ms ≈ 0.5 s (it adapts, see `width.rs`).
const BUCKET_SHIFT: u32 = 9;
/// Buckets on the wheel: 8,192, so the wheel covers the next ≈ 70 minutes.
const WHEEL_BITS: u32 = 13;
const WHEEL: usize = 1 << WHEEL_BITS;
const WHEEL_MASK: u64 = WHEEL as u64 - 1;
const NIL: u32 = u32::MAX;
/// Pending events above which the queue spreads onto the wheel: below it one small heap is
/// cheaper (M/M/1 keeps 2 events pending and ran 10% slower on the wheel; P1 keeps ~34 and ran
/// 12% faster on it).
const SPREAD_AT: usize = 16;

/// A pending event on the wheel, linked to the next one of its bucket.
#[derive(Clone, Copy)]
struct Node<E> {
    entry: Entry<E>,
    next: u32,
}

/// The event queue: pending events ordered by (time, sequence), and the simulation clock.
///
/// The earliest pending event is held apart in `front`; the others are in a small binary heap
/// while few are pending. Once more than 16 are pending at once it becomes a bucketed queue for
/// integer time (a "calendar queue" in the literature): the time axis is cut into buckets of
/// 2^s ms and an event goes to one of three places by its bucket `b`:
///
/// - `b` at or before the current bucket: the **near** heap, ordered by (time, seq) — usually a
///   handful of events, so its pops and pushes are short;
/// - one of the next 8,191 buckets (≈ 70 min at 0.5 s): an unordered list on the **wheel**, found
///   again through an occupancy bitmap — scheduling there is O(1) and branch-light;
/// - further ahead: the **far** heap, whose events move to the wheel as the wheel turns.
///
/// When the near heap runs dry, the next occupied bucket's events move into it (a bucket of one
/// event is taken straight off the wheel). Every event of the near heap precedes every event on
/// the wheel, which precedes every far event, so pops come out in exactly the (time, seq) order
/// of a single heap.
///
/// The bucket width adapts to the event density, as calendar queues usually do: it starts at
/// 2^9 ms ≈ 0.5 s, narrower if the events pending when the queue spreads onto the wheel are
/// dense; then every few thousand events taken off the wheel it is narrowed to about a quarter
/// of the mean time between pops when the occupied buckets hold two or more events each on
/// average (each goes through the near heap), and widened one step when they hold fewer than
/// 1.5 and either many events go to the far heap or the bitmap scan crosses many empty words.
/// A change re-buckets the pending events (rare: the checks are at least twice the pending
/// count apart, and further after each change of direction). See `width.rs`.
///
/// Why: in a busy model a heap's sift comparisons are coin flips the CPU mispredicts; the wheel
/// replaces them with an index computation and a bit scan. And a pop hands out `front` at once and
/// looks for the next earliest event before the caller handles this one, so that search is under
/// way while the caller's own branches are resolved (see BENCHMARKS.md).
pub struct EventQueue<E: Copy> {
    // The earliest pending event (None when nothing is pending).
    front: Option<Entry<E>>,
    near: BinaryHeap<Entry<E>>,
    // The near heap's top was copied to `front` but is still stored: the next insert into the
    // near heap overwrites it in place (one sift-down instead of a pop's and a push's); anything
    // else removes it first. Most handlers schedule one follow-up event.
    near_taken: bool,
    // Per wheel slot: the first node of its list, or NIL (empty until `spread`).
    head: Vec<u32>,
    occupied: Vec<u64>,
    nodes: Vec<Node<E>>,
    // Free list of `nodes`, linked through `next`.
    free: u32,
    in_wheel: usize,
    far: BinaryHeap<Entry<E>>,
    // Bucket width as a power of two of milliseconds, and what decides it.
    shift: u32,
    density: Density,
    // The current bucket: the near heap holds the events of buckets up to it, the wheel those of
    // the next WHEEL - 1, the far heap the rest. Until more than SPREAD_AT events are pending
    // at once it is u64::MAX: everything stays in the near heap.
    cur: u64,
    seq: u64,
    now: SimTime,
    processed: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket of an event time [ms] (over the bucket width 2^`shift`).
#[inline(always)]
fn bucket_of(time: u64, shift: u32) -> u64 {
    time >> shift
}

impl<E: Copy> EventQueue<E> {
    /// An empty event queue with the clock at zero.
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    /// An empty event queue with room for `n` pending events before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            front: None,
            near: BinaryHeap::with_capacity(64),
            near_taken: false,
            // The wheel is allocated when the queue first spreads onto it.
            head: Vec::new(),
            occupied: Vec::new(),
            nodes: Vec::with_capacity(n),
            free: NIL,
            in_wheel: 0,
            far: BinaryHeap::new(),
            shift: BUCKET_SHIFT,
            density: Density::default(),
            cur: u64::MAX,
            seq: 0,
            now: SimTime::ZERO,
            processed: 0,
        }
    }

    /// The current simulation time (the time of the last event popped).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        usize::from(self.front.is_some()) + self.near.len() - usize::from(self.near_taken)
            + self.in_wheel
            + self.far.len()
    }

    /// True if no event is pending.
    pub fn is_empty(&self) -> bool {
        self.front.is_none()
    }

    /// Number of events popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Schedules `event` at instant `at` (not before now). Same-instant events run in the order
    /// they were scheduled.
    #[inline(always)]
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), PastEventError> {
        if at < self.now {
            return Err(PastEventError { at, now: self.now });
        }
        // Negative times are excluded above (now >= 0), so the cast keeps the order.
        let entry = Entry {
            time: at.as_ms() as u64,
            seq: self.seq,
            event,
        };
        self.seq += 1;
        match self.front {
            Some(f) if f.key() < entry.key() => self.insert(entry),
            Some(f) => {
                self.front = Some(entry);
                self.insert(f);
            }
            None => self.front = Some(entry),
        }
        if self.cur == u64::MAX && self.near.len() > SPREAD_AT {
            self.spread();
        }
        Ok(())
    }

    /// Moves the near heap's events onto the wheel (once, when the queue first grows past
    /// SPREAD_AT pending events).
    #[cold]
    fn spread(&mut self) {
        self.drop_taken();
        self.head = vec![NIL; WHEEL];
        self.occupied = vec![0; WHEEL / 64];
        self.shift = self.initial_shift();
        self.cur = self.now.as_ms() as u64 >> self.shift;
        self.density.pops_at = self.processed;
        self.density.t_at = self.now.as_ms() as u64;
        for e in std::mem::take(&mut self.near).into_vec() {
            self.insert(e);
        }
    }

    /// Stores an event that is not the earliest.
    #[inline(always)]
    fn insert(&mut self, entry: Entry<E>) {
        let b = bucket_of(entry.time, self.shift);
        if b <= self.cur {
            if std::mem::take(&mut self.near_taken)
                && let Some(mut top) = self.near.peek_mut()
            {
                // Dropping the `PeekMut` sifts the new entry down to its place.
                *top = entry;
            } else {
                self.near.push(entry);
            }
        } else if b - self.cur < WHEEL as u64 {
            self.onto_wheel(b, entry);
        } else {
            self.density.far_in += 1;
            self.far.push(entry);
        }
    }

    #[inline(always)]
    fn onto_wheel(&mut self, b: u64, entry: Entry<E>) {
        let slot = (b & WHEEL_MASK) as usize;
        let next = self.head[slot];
        let id = if self.free != NIL {
            let id = self.free;
            // Field by field: the entry often sits on the stack, written in 8-byte pieces, and a
            // 16-byte load of two of them (a whole-node copy) cannot be store-forwarded.
            let node = &mut self.nodes[id as usize];
            self.free = node.next;
            node.entry.time = entry.time;
            node.entry.seq = entry.seq;
            node.entry.event = entry.event;
            node.next = next;
            id
        } else {
            self.nodes.push(Node { entry, next });
            (self.nodes.len() - 1) as u32
        };
        self.head[slot] = id;
        self.occupied[slot >> 6] |= 1 << (slot & 63);
        self.in_wheel += 1;
    }

    /// Schedules `event` after `delay` from now; a delay that overflows the clock is dropped
    /// (it would never run within any horizon).
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) -> Result<(), PastEventError> {
        match self.now.checked_add(delay) {
            Some(at) => self.schedule(at, event),
            None => Ok(()),
        }
    }

    /// Steps from the current bucket to the next occupied one on the wheel (there is one).
    #[inline(always)]
    fn next_occupied(&self) -> u64 {
        let words = self.occupied.len();
        let start = ((self.cur + 1) & WHEEL_MASK) as usize;
        let mut w = start >> 6;
        let mut bits = self.occupied[w] & (!0u64 << (start & 63));
        while bits == 0 {
            w = (w + 1) % words;
            bits = self.occupied[w];
        }
        let slot = (w << 6) as u64 | u64::from(bits.trailing_zeros());
        slot.wrapping_sub(self.cur) & WHEEL_MASK
    }

    /// Turns the wheel to bucket `b`: the far events now within reach move onto the wheel (or
    /// into the near heap if they are in bucket `b`).
    #[inline(always)]
    fn turn_to(&mut self, b: u64) {
        self.cur = b;
        while let Some(e) = self.far.peek()
            && bucket_of(e.time, self.shift) - self.cur < WHEEL as u64
        {
            let e = *e;
            self.far.pop();
            self.insert(e);
        }
    }

    /// Empties wheel slot `slot`, returning its first node (NIL if none); the caller takes the
    /// nodes of the list, freeing each.
    #[inline(always)]
    fn take_slot(&mut self, slot: usize) -> u32 {
        self.occupied[slot >> 6] &= !(1 << (slot & 63));
        std::mem::replace(&mut self.head[slot], NIL)
    }

    #[inline(always)]
    fn free_node(&mut self, id: u32) -> Node<E> {
        let node = self.nodes[id as usize];
        self.nodes[id as usize].next = self.free;
        self.free = id;
        self.in_wheel -= 1;
        node
    }

    /// Removes the near heap's top if it was copied to `front`.
    #[inline(always)]
    fn drop_taken(&mut self) {
        if std::mem::take(&mut self.near_taken) {
            self.near.pop();
        }
    }

    /// Moves the earliest event behind `front` into `front` (`None` if there is none). It writes
    /// `front` in place rather than returning the entry: a returned `Option<Entry>` went through
    /// the stack, and reading its event back at an offset of the 16-byte store that wrote it
    /// defeated store forwarding on every pop (`perf`: one load took 11% of the run loop's samples
    /// in P1).
    #[inline(always)]
    fn refill_front(&mut self) {
        self.drop_taken();
        if let Some(&e) = self.near.peek() {
            self.near_taken = true;
            self.front = Some(e);
            return;
        }
        if self.in_wheel > 0 {
            if self.density.moved >= self.density.check_at {
                self.checkpoint();
                return;
            }
            let gap = self.next_occupied();
            let b = self.cur + gap;
            self.density.takes += 1;
            self.density.gaps += gap;
            let slot = (b & WHEEL_MASK) as usize;
            let mut id = self.take_slot(slot);
            let first = self.free_node(id);
            if first.next != NIL {
                // Several events in the bucket: the near heap orders them.
                let t = first.entry.time;
                let (mut lo, mut hi, mut k) = (t, t, 1);
                self.near.push(first.entry);
                id = first.next;
                while id != NIL {
                    let node = self.free_node(id);
                    let t = node.entry.time;
                    (lo, hi, k) = (lo.min(t), hi.max(t), k + 1);
                    self.near.push(node.entry);
                    id = node.next;
                }
                self.density.moved += k;
                self.density.multi += 1;
                self.density.span += hi - lo;
                self.turn_to(b);
                self.front = self.near.pop();
                return;
            }
            self.density.moved += 1;
            self.turn_to(b);
            self.front = Some(first.entry);
            return;
        }
        self.front = match self.far.peek() {
            Some(e) => {
                let b = bucket_of(e.time, self.shift);
                self.turn_to(b);
                self.near.pop()
            }
            None => None,
        };
    }

    /// Time of the next pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.front.map(|e| SimTime::from_ms(e.time as i64))
    }

    /// Removes the next event if it is due at or before `until`, advancing the clock to it.
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        let front = self.front?;
        let t = SimTime::from_ms(front.time as i64);
        if t > until {
            return None;
        }
        self.refill_front();
        self.now = t;
        self.processed += 1;
        Some((t, front.event))
    }

    /// Removes the next event if it is due strictly before `end`, advancing the clock to it.
    #[inline]
    pub fn pop_before(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        match end.as_ms().checked_sub(1) {
            Some(last) if last >= 0 => self.pop_until(SimTime::from_ms(last)),
            _ => None,
        }
    }

    /// Removes the next event, advancing the clock to it.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_until(SimTime::MAX)
    }

    /// Drops every pending event and moves the clock to the end of time, so no event can be
    /// scheduled any more (each attempt is a [`PastEventError`]) and a run loop returns at once:
    /// for a handler that finds it cannot go on.
    pub fn halt(&mut self) {
        self.front = None;
        self.near.clear();
        self.near_taken = false;
        self.head.fill(NIL);
        self.occupied.fill(0);
        self.nodes.clear();
        self.free = NIL;
        self.in_wheel = 0;
        self.far.clear();
        self.now = SimTime::MAX;
    }

    /// Moves the clock forward to `t` without an event (e.g. to the horizon at the end of a run).
    pub fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }
}

/// Something that reacts to events: the model side of the run loop.
pub trait Handler<E: Copy> {
    /// Handles `event` at time `t` (= `queue.now()`); may schedule further events.
    fn handle(&mut self, queue: &mut EventQueue<E>, t: SimTime, event: E);
}

/// Runs the events of the half-open horizon `[now, end)` — an event due exactly at `end` belongs
/// to the next period and is left pending — then moves the clock to `end`. Returns the number of
/// events handled.
pub fn run_before<E: Copy, H: Handler<E>>(
    queue: &mut EventQueue<E>,
    handler: &mut H,
    end: SimTime,
) -> u64 {
    let before = queue.processed();
    while let Some((t, e)) = queue.pop_before(end) {
        handler.handle(queue, t, e);
    }
    queue.advance_to(end);
    queue.processed() - before
}

/// SplitMix64 finaliser: a bijective mixer that spreads nearby inputs far apart.
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a of a name: stable across platforms and releases (unlike `std`'s hasher).
pub const fn stable_hash(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// The random stream of one source (named, e.g. "flow/trucks-cn-kz/arrivals") in one replication
/// of one seed. Streams depend only on these three values, so adding a source leaves every other
/// source's numbers unchanged (common random numbers across policies).
pub fn stream(seed: u64, replication: u64, source: &str) -> Rng {
    let a = mix64(seed ^ 0x6a09_e667_f3bc_c908);
    let b = mix64(a ^ replication.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let c = mix64(b ^ stable_hash(source));
    Rng::seed_from_u64(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn events_pop_in_time_then_fifo_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_ms(5), 'c').unwrap();
        q.schedule(SimTime::from_ms(1), 'a').unwrap();
        q.schedule(SimTime::from_ms(5), 'd').unwrap();
        q.schedule(SimTime::from_ms(1), 'b').unwrap();
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
        assert_eq!(q.now(), SimTime::from_ms(5));
        assert_eq!(q.processed(), 4);
    }

    #[test]
    fn scheduling_after_a_pop_reuses_the_top_slot_and_keeps_the_order() {
        let mut q = EventQueue::new();
        for (ms, e) in [(10, 'a'), (30, 'c'), (20, 'b')] {
            q.schedule(SimTime::from_ms(ms), e).unwrap();
        }
        assert_eq!(q.pop(), Some((SimTime::from_ms(10), 'a')));
        // The taken top is not pending any more.
        assert_eq!((q.len(), q.peek_time()), (2, Some(SimTime::from_ms(20))));
        // Overwrites the taken top; a second one is pushed; ties stay FIFO.
        q.schedule(SimTime::from_ms(30), 'd').unwrap();
        q.schedule(SimTime::from_ms(15), 'x').unwrap();
        assert_eq!(q.len(), 4);
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['x', 'b', 'c', 'd']);
        assert!(q.is_empty());
        assert_eq!(q.peek_time(), None);
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_ms(10), ()).unwrap();
        q.pop();
        let err = q.schedule(SimTime::from_ms(9), ()).unwrap_err();
        assert_eq!(err.now, SimTime::from_ms(10));
        assert!(q.schedule(SimTime::from_ms(10), ()).is_ok());
    }

    #[test]
    fn halt_drops_pending_events_and_refuses_new_ones() {
        struct HaltAt(u8, u32);
        impl Handler<u8> for HaltAt {
            fn handle(&mut self, q: &mut EventQueue<u8>, _: SimTime, e: u8) {
                self.1 += 1;
                if e == self.0 {
                    q.halt();
                }
            }
        }
        // Enough events to spread onto the wheel and the far heap.
        let mut q = EventQueue::new();
        for i in 0..40u8 {
            q.schedule(SimTime::from_ms(i64::from(i) * 600_000_000), i)
                .unwrap();
        }
        let mut h = HaltAt(5, 0);
        assert_eq!(run_before(&mut q, &mut h, SimTime::MAX), 6);
        assert_eq!(h.1, 6);
        assert!(q.is_empty());
        assert_eq!(q.len(), 0);
        assert_eq!(q.now(), SimTime::MAX);
        let err = q.schedule(SimTime::from_ms(1), 0).unwrap_err();
        assert_eq!(err.now, SimTime::MAX);
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn pop_until_stops_at_horizon() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_ms(10), 1).unwrap();
        q.schedule(SimTime::from_ms(20), 2).unwrap();
        assert_eq!(
            q.pop_until(SimTime::from_ms(15)),
            Some((SimTime::from_ms(10), 1))
        );
        assert_eq!(q.pop_until(SimTime::from_ms(15)), None);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn run_before_leaves_events_at_the_end_instant_pending() {
        struct Count(u32);
        impl Handler<u8> for Count {
            fn handle(&mut self, _: &mut EventQueue<u8>, _: SimTime, _: u8) {
                self.0 += 1;
            }
        }
        let mut q = EventQueue::new();
        for ms in [0, 5, 9, 10, 11] {
            q.schedule(SimTime::from_ms(ms), 0).unwrap();
        }
        let mut h = Count(0);
        assert_eq!(run_before(&mut q, &mut h, SimTime::from_ms(10)), 3);
        assert_eq!(h.0, 3);
        assert_eq!(q.now(), SimTime::from_ms(10));
        assert_eq!(q.len(), 2);
    }

    /// The event queue against a reference (a sorted list of (time, seq)): random mixes of
    /// schedules, pops (`pop_until` with limits before, at and after pending events, and
    /// `pop_before`) and clock jumps (`advance_to`), with delays from 0 ms (ties) through the
    /// wheel (seconds to an hour) and the far heap (days) to centuries, across the switch from one
    /// heap to the wheel and through draining and refilling, pop the same events in the same order;
    /// `len`, `is_empty` and `peek_time` agree after every step.
    #[test]
    fn event_queue_pops_exactly_like_a_sorted_reference() {
        use proptest::prelude::*;
        #[derive(Clone, Debug)]
        enum Op {
            Schedule(i64),
            PopUntil(i64),
            PopBefore(i64),
            AdvanceBy(i64),
        }
        let delay = prop_oneof![
            Just(0i64),
            0i64..5_000,
            0i64..3_600_000,
            0i64..20_000_000,
            1i64..1_000_000_000,
            1i64..(100 * 365 * 86_400_000),
        ];
        // Mostly schedules, so the queue grows past the switch to the wheel.
        let op = prop_oneof![
            6 => delay.prop_map(Op::Schedule),
            3 => (0i64..10_000_000).prop_map(Op::PopUntil),
            1 => (0i64..10_000_000).prop_map(Op::PopBefore),
            1 => (0i64..40_000_000).prop_map(Op::AdvanceBy),
        ];
        let ops = proptest::collection::vec(op, 1..500);
        proptest!(ProptestConfig::with_cases(300), |(ops in ops)| {
            let mut q = EventQueue::new();
            let mut reference: Vec<(i64, u32)> = Vec::new();
            let agree = |q: &EventQueue<u32>, r: &[(i64, u32)]| {
                assert_eq!(q.len(), r.len());
                assert_eq!(q.is_empty(), r.is_empty());
                assert_eq!(q.peek_time().map(|t| t.as_ms()), r.first().map(|&(t, _)| t));
            };
            // Pops through `pop_until(limit)`, or `pop_before(limit + 1)` when `before`.
            let pop = |q: &mut EventQueue<u32>, r: &mut Vec<(i64, u32)>, limit: i64, before| {
                let want = r.first().copied().filter(|&(t, _)| t <= limit);
                if want.is_some() {
                    r.remove(0);
                }
                let got = if before {
                    q.pop_before(SimTime::from_ms(limit.saturating_add(1)))
                } else {
                    q.pop_until(SimTime::from_ms(limit))
                };
                assert_eq!(got.map(|(t, e)| (t.as_ms(), e)), want);
            };
            for (id, op) in ops.into_iter().enumerate() {
                let now = q.now().as_ms();
                match op {
                    Op::Schedule(d) => {
                        let at = now.saturating_add(d);
                        q.schedule(SimTime::from_ms(at), id as u32).unwrap();
                        // Ties keep the scheduling order: after every entry at or before `at`.
                        let pos = reference.partition_point(|&(t, _)| t <= at);
                        reference.insert(pos, (at, id as u32));
                    }
                    // Limits from well before the next event to well after it.
                    Op::PopUntil(l) => pop(&mut q, &mut reference, now + l, false),
                    Op::PopBefore(l) => pop(&mut q, &mut reference, now + l, true),
                    // The clock may only move up to the next pending event.
                    Op::AdvanceBy(d) => {
                        let to = reference.first().map_or(now + d, |&(t, _)| t.min(now + d));
                        q.advance_to(SimTime::from_ms(to));
                        assert_eq!(q.now().as_ms(), to.max(now));
                    }
                }
                agree(&q, &reference);
            }
            while !reference.is_empty() {
                pop(&mut q, &mut reference, i64::MAX, false);
                agree(&q, &reference);
            }
            assert!(q.pop().is_none());
        });
    }

    /// Deterministic edge cases: the switch to the wheel when the 17th event becomes the front
    /// and when it does not; an event on the wheel's last bucket, just before the current one
    /// going round; a burst at one instant followed by same-instant schedules; and a queue
    /// drained in wheel mode and refilled far ahead.
    #[test]
    fn event_queue_edge_cases_pop_in_order() {
        let drain = |q: &mut EventQueue<u32>| {
            std::iter::from_fn(|| q.pop().map(|(t, e)| (t.as_ms(), e))).collect::<Vec<_>>()
        };
        for first_is_earliest in [true, false] {
            let mut q = EventQueue::new();
            for i in 0..16u32 {
                q.schedule(SimTime::from_ms(1_000 + i64::from(i) * 60_000), i)
                    .unwrap();
            }
            let at = if first_is_earliest { 10 } else { 5_000_000 };
            q.schedule(SimTime::from_ms(at), 16).unwrap();
            let mut want: Vec<(i64, u32)> = (0..16)
                .map(|i| (1_000 + i64::from(i) * 60_000, i))
                .collect();
            want.push((at, 16));
            want.sort();
            assert_eq!(drain(&mut q), want);
        }
        // 20 events to reach wheel mode, then one on the farthest wheel bucket.
        let mut q = EventQueue::new();
        for i in 0..20u32 {
            q.schedule(SimTime::from_ms(i64::from(i)), i).unwrap();
        }
        let last_bucket = ((WHEEL as i64) - 1) << q.shift;
        q.schedule(SimTime::from_ms(last_bucket + 3), 100).unwrap();
        q.schedule(SimTime::from_ms(last_bucket + 1), 101).unwrap();
        let got = drain(&mut q);
        assert_eq!(got.len(), 22);
        assert_eq!(
            &got[20..],
            &[(last_bucket + 1, 101), (last_bucket + 3, 100)]
        );
        // A burst of 30 at one instant, then same-instant schedules between pops: FIFO.
        let mut q = EventQueue::new();
        for i in 0..30u32 {
            q.schedule(SimTime::from_ms(7_000), i).unwrap();
        }
        let mut order = Vec::new();
        for i in 30..40u32 {
            order.push(q.pop().unwrap().1);
            q.schedule(SimTime::from_ms(7_000), i).unwrap();
        }
        order.extend(drain(&mut q).into_iter().map(|(_, e)| e));
        assert_eq!(order, (0..40).collect::<Vec<_>>());
        // Drained in wheel mode (the clock at 7 s), refilled days ahead.
        for i in 0..20u32 {
            q.schedule(SimTime::from_ms(86_400_000 * 3 + i64::from(20 - i)), i)
                .unwrap();
        }
        let got = drain(&mut q);
        assert_eq!(got.first(), Some(&(86_400_000 * 3 + 1, 19)));
        assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draw = |s: u64, r: u64, name: &str| stream(s, r, name).next_u64();
        assert_eq!(draw(42, 0, "a"), draw(42, 0, "a"));
        assert_ne!(draw(42, 0, "a"), draw(42, 1, "a"));
        assert_ne!(draw(42, 0, "a"), draw(43, 0, "a"));
        assert_ne!(draw(42, 0, "a"), draw(42, 0, "b"));
    }

    #[test]
    fn stable_hash_is_fnv1a() {
        // Reference values of 64-bit FNV-1a.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
