//! The discrete-event kernel: an event calendar ordered by (time, sequence number), a run loop,
//! and seeded random streams. It knows nothing of borders; `model` builds on it.
//!
//! Ties: events scheduled for the same instant run in the order they were scheduled (FIFO), so a
//! run is fully determined by its inputs. Events are small `Copy` values (typically enums naming
//! entities by `u32` index), stored inline in the heap: scheduling allocates nothing once the heap
//! has grown to its working size.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::time::{SimDuration, SimTime};

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

/// One pending event. The key packs (time, seq) into one `u128` so the heap compares one integer.
#[derive(Clone, Copy)]
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
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
        o.key.cmp(&self.key)
    }
}

/// The event calendar: pending events ordered by (time, sequence), and the simulation clock.
pub struct EventQueue<E: Copy> {
    heap: BinaryHeap<Entry<E>>,
    // The heap's top was handed out by the last pop but is still stored: the next `schedule`
    // overwrites it in place (one sift-down instead of a pop's and a push's), or the next pop
    // removes it first. Most handlers schedule one follow-up event, so most pops cost no more.
    top_taken: bool,
    seq: u64,
    now: SimTime,
    processed: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty calendar with the clock at zero.
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    /// An empty calendar with room for `n` pending events before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            top_taken: false,
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
        self.heap.len() - usize::from(self.top_taken)
    }

    /// True if no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of events popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Schedules `event` at instant `at` (not before now). Same-instant events run in the order
    /// they were scheduled.
    // Always inlined: with the in-place overwrite it outgrew the compiler's inlining threshold, and
    // the call cost 2.4% of P1's instructions.
    #[inline(always)]
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), PastEventError> {
        if at < self.now {
            return Err(PastEventError { at, now: self.now });
        }
        // Negative times are excluded above (now >= 0), so the cast keeps the order.
        let key = ((at.as_ms() as u64 as u128) << 64) | self.seq as u128;
        self.seq += 1;
        let entry = Entry { key, event };
        if std::mem::take(&mut self.top_taken)
            && let Some(mut top) = self.heap.peek_mut()
        {
            // Dropping the `PeekMut` sifts the new entry down to its place.
            *top = entry;
        } else {
            self.heap.push(entry);
        }
        Ok(())
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

    /// Time of the next pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let key = if self.top_taken {
            // The earliest entry but the taken top (off the hot path: a scan is fine).
            let taken = self.heap.peek()?.key;
            self.heap
                .iter()
                .map(|e| e.key)
                .filter(|&k| k != taken)
                .min()?
        } else {
            self.heap.peek()?.key
        };
        Some(SimTime::from_ms((key >> 64) as i64))
    }

    /// Removes the next event if it is due at or before `until`, advancing the clock to it.
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        if self.top_taken {
            self.heap.pop();
            self.top_taken = false;
        }
        let top = self.heap.peek()?;
        let t = SimTime::from_ms((top.key >> 64) as i64);
        if t > until {
            return None;
        }
        let event = top.event;
        self.top_taken = true;
        self.now = t;
        self.processed += 1;
        Some((t, event))
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
