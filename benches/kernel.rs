//! Kernel micro-benchmarks, grouped like SimPy's benchmark suite ("frequent" operations and
//! "targeted" event-loop patterns); the whole-simulation runs are in whole.rs, p1.rs, rail.rs and
//! sweep.rs.
//!
//! - `kernel/push_pop/{1k,100k}`: the hold model on a bare `EventQueue<u32>` holding N pending
//!   events at random times; one operation = pop the earliest event, push it back at
//!   now + random delay. Criterion reports operations/s ("elements/s").
//! - `kernel/seize_release`: an M/M/4 resource (4 servers, FIFO `VecDeque`) as a minimal
//!   `Handler` driven by `run_before`: event loop + seize/release cost, reported in events/s.
//! - `kernel/delay`: 100 processes that each reschedule themselves after a fixed delay (pure
//!   timeout chains) driven by `run_before`, reported in events/s.
//!
//! Every benchmark checks its result inside the measured loop (event order, counts, plausible
//! waits), so a broken engine fails the bench instead of reporting a fast time.
//!
//! Each workload also runs, right after the `kernel/...` bench, on [`HeapQueue`]: a plain
//! `std::collections::BinaryHeap` of (time, seq) keys with the same API (the engine's queue before
//! the bucketed calendar), as `kernel_heap/...`. The two are measured in the same run, so their
//! ratio holds on a loaded machine where the absolute figures do not.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;

use borderflow::dist::Dist;
use borderflow::engine::{EventQueue, Handler, Rng, run_before, stream};
use borderflow::time::{SimDuration, SimTime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

// ---------------------------------------------------------------------------------------------
// The queues: the engine's calendar and a reference binary heap
// ---------------------------------------------------------------------------------------------

/// What the workloads need of an event queue.
trait Queue<E: Copy> {
    /// Group name prefix of the benches run on this queue.
    const GROUP: &'static str;
    fn with_capacity(n: usize) -> Self;
    fn schedule(&mut self, at: SimTime, event: E);
    fn schedule_in(&mut self, delay: SimDuration, event: E);
    fn pop(&mut self) -> Option<(SimTime, E)>;
    fn now(&self) -> SimTime;
    fn len(&self) -> usize;
    /// Runs the events before `end` through `h` and moves the clock to `end`; returns the count.
    fn run_before<H: Step<E, Self>>(&mut self, h: &mut H, end: SimTime) -> u64
    where
        Self: Sized;
}

/// A handler for any [`Queue`].
trait Step<E: Copy, Q> {
    fn step(&mut self, q: &mut Q, t: SimTime, event: E);
}

impl<E: Copy> Queue<E> for EventQueue<E> {
    const GROUP: &'static str = "kernel";
    fn with_capacity(n: usize) -> Self {
        EventQueue::with_capacity(n)
    }
    #[inline(always)]
    fn schedule(&mut self, at: SimTime, event: E) {
        EventQueue::schedule(self, at, event).expect("not in the past");
    }
    #[inline(always)]
    fn schedule_in(&mut self, delay: SimDuration, event: E) {
        EventQueue::schedule_in(self, delay, event).expect("not in the past");
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<(SimTime, E)> {
        EventQueue::pop(self)
    }
    fn now(&self) -> SimTime {
        EventQueue::now(self)
    }
    fn len(&self) -> usize {
        EventQueue::len(self)
    }
    fn run_before<H: Step<E, Self>>(&mut self, h: &mut H, end: SimTime) -> u64 {
        // The engine's own run loop, as the models use it.
        struct Bridge<'a, H>(&'a mut H);
        impl<E: Copy, H: Step<E, EventQueue<E>>> Handler<E> for Bridge<'_, H> {
            #[inline(always)]
            fn handle(&mut self, q: &mut EventQueue<E>, t: SimTime, event: E) {
                self.0.step(q, t, event);
            }
        }
        run_before(self, &mut Bridge(h), end)
    }
}

/// The reference: one `BinaryHeap` keyed by (time, seq) packed in a `u128`, as the engine's queue
/// was before the calendar, including its one trick: a pop leaves the top in place for the next
/// schedule to overwrite (one sift-down instead of a pop's and a push's).
struct HeapQueue<E> {
    heap: BinaryHeap<(Reverse<u128>, HeapEvent<E>)>,
    top_taken: bool,
    seq: u64,
    now: SimTime,
    processed: u64,
}

/// An event that never takes part in the heap's comparisons (keys are unique).
#[derive(Clone, Copy)]
struct HeapEvent<E>(E);
impl<E> PartialEq for HeapEvent<E> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<E> Eq for HeapEvent<E> {}
impl<E> PartialOrd for HeapEvent<E> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for HeapEvent<E> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<E: Copy> HeapQueue<E> {
    #[inline(always)]
    fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        if std::mem::take(&mut self.top_taken) {
            self.heap.pop();
        }
        let &(Reverse(key), HeapEvent(event)) = self.heap.peek()?;
        let t = SimTime::from_ms((key >> 64) as i64);
        if t > until {
            return None;
        }
        self.top_taken = true;
        self.now = t;
        self.processed += 1;
        Some((t, event))
    }
}

impl<E: Copy> Queue<E> for HeapQueue<E> {
    const GROUP: &'static str = "kernel_heap";
    fn with_capacity(n: usize) -> Self {
        HeapQueue {
            heap: BinaryHeap::with_capacity(n),
            top_taken: false,
            seq: 0,
            now: SimTime::ZERO,
            processed: 0,
        }
    }
    #[inline(always)]
    fn schedule(&mut self, at: SimTime, event: E) {
        assert!(at >= self.now, "not in the past");
        let key = ((at.as_ms() as u64 as u128) << 64) | self.seq as u128;
        self.seq += 1;
        let entry = (Reverse(key), HeapEvent(event));
        if std::mem::take(&mut self.top_taken)
            && let Some(mut top) = self.heap.peek_mut()
        {
            *top = entry;
        } else {
            self.heap.push(entry);
        }
    }
    #[inline(always)]
    fn schedule_in(&mut self, delay: SimDuration, event: E) {
        if let Some(at) = self.now.checked_add(delay) {
            self.schedule(at, event);
        }
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_until(SimTime::MAX)
    }
    fn now(&self) -> SimTime {
        self.now
    }
    fn len(&self) -> usize {
        self.heap.len() - usize::from(self.top_taken)
    }
    fn run_before<H: Step<E, Self>>(&mut self, h: &mut H, end: SimTime) -> u64 {
        let before = self.processed;
        while let Some(last) = end.as_ms().checked_sub(1).filter(|&l| l >= 0)
            && let Some((t, e)) = self.pop_until(SimTime::from_ms(last))
        {
            h.step(self, t, e);
        }
        if end > self.now {
            self.now = end;
        }
        self.processed - before
    }
}

// ---------------------------------------------------------------------------------------------
// push_pop: the hold model
// ---------------------------------------------------------------------------------------------

/// Pre-drawn exponential delays (mean 1 h), cycled through so the measured loop times the
/// queue, not the sampler. A power of two so the index wraps with a mask.
const DELAYS: usize = 1 << 16;

fn delay_table(rng: &mut Rng) -> Vec<SimDuration> {
    let exp = Dist::exponential(SimDuration::from_hours(1)).expect("positive mean");
    (0..DELAYS).map(|_| exp.sample(rng)).collect()
}

fn push_pop(c: &mut Criterion) {
    for (label, n) in [("1k", 1_000u32), ("100k", 100_000u32)] {
        push_pop_on::<EventQueue<u32>>(c, label, n);
        push_pop_on::<HeapQueue<u32>>(c, label, n);
    }
}

fn push_pop_on<Q: Queue<u32>>(c: &mut Criterion, label: &str, n: u32) {
    let mut g = c.benchmark_group(format!("{}/push_pop", Q::GROUP));
    // One operation (one pop + one push) per iteration.
    g.throughput(Throughput::Elements(1));
    {
        let mut rng = stream(42, 0, "bench/kernel/push_pop");
        let delays = delay_table(&mut rng);
        let mut q = Q::with_capacity(n as usize);
        for id in 0..n {
            q.schedule(SimTime::ZERO + delays[id as usize % DELAYS], id);
        }
        let mut i = n as usize;
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                let before = q.now();
                let (t, id) = q.pop().expect("the hold model never empties the queue");
                // Plausibility: time never goes backwards, ids are the ones we pushed, and the
                // number of pending events is constant.
                assert!(t >= before && id < n, "popped {id} at {t} after {before}");
                q.schedule(t + delays[i & (DELAYS - 1)], id);
                i += 1;
                assert_eq!(q.len(), n as usize);
                black_box(t)
            })
        });
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// seize_release: one resource of c servers with a FIFO queue
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Ev {
    Arrival,
    Done,
}

/// M/M/c: Poisson arrivals seize one of `servers` (or join the FIFO queue), release on `Done`
/// and hand the server straight to the head of the queue.
struct Resource {
    servers: u32,
    busy: u32,
    queue: VecDeque<SimTime>,
    interarrival: Dist,
    service: Dist,
    rng: Rng,
    served: u64,
    wait_ms: u128,
}

impl Resource {
    fn new(servers: u32, rate_per_h: i64, service_mean: SimDuration) -> Self {
        Resource {
            servers,
            busy: 0,
            queue: VecDeque::with_capacity(1024),
            interarrival: Dist::exponential(SimDuration::from_ms(3_600_000 / rate_per_h))
                .expect("positive mean"),
            service: Dist::exponential(service_mean).expect("positive mean"),
            rng: stream(42, 0, "bench/kernel/seize_release"),
            served: 0,
            wait_ms: 0,
        }
    }

    fn start<Q: Queue<Ev>>(&mut self, q: &mut Q, arrived: SimTime, t: SimTime) {
        self.wait_ms += (t.as_ms() - arrived.as_ms()) as u128;
        self.served += 1;
        let s = self.service.sample(&mut self.rng);
        q.schedule_in(s, Ev::Done);
    }
}

impl<Q: Queue<Ev>> Step<Ev, Q> for Resource {
    fn step(&mut self, q: &mut Q, t: SimTime, event: Ev) {
        match event {
            Ev::Arrival => {
                let gap = self.interarrival.sample(&mut self.rng);
                q.schedule_in(gap, Ev::Arrival);
                if self.busy < self.servers {
                    self.busy += 1;
                    self.start(q, t, t);
                } else {
                    self.queue.push_back(t);
                }
            }
            Ev::Done => match self.queue.pop_front() {
                Some(arrived) => self.start(q, arrived, t),
                None => self.busy -= 1,
            },
        }
    }
}

fn seize_release(c: &mut Criterion) {
    seize_release_on::<EventQueue<Ev>>(c);
    seize_release_on::<HeapQueue<Ev>>(c);
}

fn seize_release_on<Q: Queue<Ev>>(c: &mut Criterion) {
    // M/M/4, 32 arrivals/h, service mean 6 min (rho = 0.8, one P1 checkpoint), 30 days:
    // ~23k customers, ~46k events. Erlang C: Wq = 0.0746 h = 4.48 min.
    const DAYS: i64 = 30;
    let run = || {
        let mut q = Q::with_capacity(64);
        q.schedule(SimTime::ZERO, Ev::Arrival);
        let mut h = Resource::new(4, 32, SimDuration::from_mins(6));
        let events = q.run_before(&mut h, SimTime::from_days(DAYS));
        (
            events,
            h.served,
            h.wait_ms as f64 / h.served.max(1) as f64 / 60_000.0,
        )
    };
    let (events, _, _) = run();
    let mut g = c.benchmark_group(Q::GROUP);
    g.throughput(Throughput::Elements(events));
    g.bench_function("seize_release", |b| {
        b.iter(|| {
            let (ev, served, wq_min) = run();
            // 32/h x 720 h = 23,040 expected arrivals; each served customer is two events.
            assert!((21_500..24_500).contains(&served), "served {served}");
            assert!(ev >= 2 * served && ev <= 2 * served + 64, "events {ev}");
            assert!((3.0..6.5).contains(&wq_min), "mean wait {wq_min:.2} min");
            black_box(ev)
        })
    });
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// delay: pure timeout chains
// ---------------------------------------------------------------------------------------------

/// Process `i` reschedules itself every `BASE_MS + i` ms.
struct Chains {
    fired: u64,
}

const CHAINS: u32 = 100;
const BASE_MS: i64 = 1_000;

impl<Q: Queue<u32>> Step<u32, Q> for Chains {
    fn step(&mut self, q: &mut Q, _: SimTime, id: u32) {
        self.fired += 1;
        q.schedule_in(SimDuration::from_ms(BASE_MS + id as i64), id);
    }
}

fn delay(c: &mut Criterion) {
    delay_on::<EventQueue<u32>>(c);
    delay_on::<HeapQueue<u32>>(c);
}

fn delay_on<Q: Queue<u32>>(c: &mut Criterion) {
    // 100 chains over one simulated hour: ~330k events.
    let end = SimTime::from_hours(1);
    // Chain i fires at 0, d, 2d, ... strictly before `end`: ceil(end / d) times.
    let expected: u64 = (0..CHAINS)
        .map(|i| {
            let d = BASE_MS + i as i64;
            ((end.as_ms() + d - 1) / d) as u64
        })
        .sum();
    let mut g = c.benchmark_group(Q::GROUP);
    g.throughput(Throughput::Elements(expected));
    g.bench_function("delay", |b| {
        b.iter(|| {
            let mut q = Q::with_capacity(CHAINS as usize);
            for id in 0..CHAINS {
                q.schedule(SimTime::ZERO, id);
            }
            let mut h = Chains { fired: 0 };
            let n = q.run_before(&mut h, black_box(end));
            // Exact: every chain fired its ceil(end / d) times, each re-armed itself once.
            assert_eq!(n, expected);
            assert_eq!(h.fired, expected);
            assert_eq!(q.len(), CHAINS as usize);
            assert_eq!(q.now(), end);
            n
        })
    });
    g.finish();
}

criterion_group!(kernel_benches, push_pop, seize_release, delay);
criterion_main!(kernel_benches);
