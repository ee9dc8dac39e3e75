//! Observations that are not events: time-series samples, calendar-year statistics and the
//! queue figures published for route choice, taken by the event loop before the first event at
//! or after their instant.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::model::result::{Blocks, EntityStats, Observe, SeriesRow, YearResult, YearStats};
use crate::stats::Histogram;
use crate::time::{Date, MS_PER_DAY, SimDuration, SimTime};

use super::Sim;
use super::ids::{FlowId, Id};
use super::route_choice::Feed;

/// Cumulative statistics of an entity at a year boundary. Its wait histogram is a compact
/// copy (see [`Histogram::snapshot`]): a run of many years holds one per checkpoint and flow.
#[derive(Clone, Debug)]
pub(super) struct YearSnap {
    arrivals: u64,
    served: u64,
    tonnes: f64,
    containers: f64,
    teu: f64,
    wait: Histogram,
}

impl Default for YearSnap {
    fn default() -> Self {
        YearSnap {
            arrivals: 0,
            served: 0,
            tonnes: 0.0,
            containers: 0.0,
            teu: 0.0,
            wait: Histogram::empty(),
        }
    }
}

impl YearSnap {
    fn of(k: &EntityStats) -> YearSnap {
        YearSnap {
            arrivals: k.arrivals,
            served: k.served,
            tonnes: k.tonnes,
            containers: k.containers,
            teu: k.teu,
            wait: k.wait.snapshot(),
        }
    }

    /// What happened between `earlier` and this snapshot.
    fn since(&self, earlier: &YearSnap) -> YearStats {
        let wait = self.wait.since(&earlier.wait);
        YearStats {
            arrivals: self.arrivals - earlier.arrivals,
            served: self.served - earlier.served,
            tonnes: self.tonnes - earlier.tonnes,
            containers: self.containers - earlier.containers,
            teu: self.teu - earlier.teu,
            waits: wait.count(),
            wait_sum_ms: wait.sum(),
            wait_p95_ms: wait.quantile(0.95),
        }
    }
}

/// Time series and yearly statistics. They are not events: the event loop takes the samples
/// and closes the years that are due before it handles an event at or after their instant, so
/// each sees the state just before that instant, and counts cover half-open spans
/// `[previous, instant)` exactly like the horizon.
#[derive(Default)]
pub(super) struct Observations {
    // The earliest pending sampling instant or year end (SimTime::MAX when none).
    pub(super) next_at: SimTime,
    pub(super) step: Option<SimDuration>,
    pub(super) next_sample: Option<SimTime>,
    pub(super) rows: Vec<SeriesRow>,
    // Per stage, cumulative (arrivals, served, started, wait sum, busy area) at the previous
    // sample, and that sample's instant.
    pub(super) last: Vec<(u64, u64, u64, u128, i128)>,
    pub(super) last_at: SimTime,
    // Calendar years of the measured span with their start instants, in order.
    pub(super) years: Vec<(i16, SimTime)>,
    pub(super) year_idx: usize,
    // Checkpoint and flow statistics at the start of the current year.
    pub(super) snap_system: YearSnap,
    // A flow that mirrors its checkpoint shares the checkpoint's snapshot.
    pub(super) snap_cps: Vec<Rc<YearSnap>>,
    pub(super) snap_flows: Vec<Rc<YearSnap>>,
    pub(super) done: Vec<YearResult>,
    // Queue figures published for route choice, one feed per choosing flow.
    pub(super) feeds: Vec<Feed>,
    // The trend test's block boundaries (see `trend_blocks`), the next one's index, and the area
    // under the in-system level at each boundary passed: per boundary, every checkpoint's, then
    // every stage's, then every flow's.
    pub(super) blocks_at: Vec<SimTime>,
    pub(super) block_idx: usize,
    pub(super) block_areas: Vec<i128>,
}

/// Blocks of the trend test: their number, and the shortest second half (in days) that holds
/// them as whole days.
pub(crate) const TREND_BLOCKS: usize = 8;

/// The block boundaries of the trend test over the measured span `[warmup, horizon)`:
/// [`TREND_BLOCKS`] equal blocks that end at the horizon and fit in the second half, each a whole
/// number of weeks when the half holds that many weeks, else of days (so that daily and weekly
/// cycles average out within a block). None when the half is shorter than that many days.
pub(crate) fn trend_blocks(
    warmup: SimTime,
    horizon: SimTime,
) -> Option<(SimDuration, Vec<SimTime>)> {
    let half_ms = horizon.since(warmup).as_ms() / 2;
    let k = TREND_BLOCKS as i64;
    let week = 7 * MS_PER_DAY;
    let len = if half_ms >= k * week {
        half_ms / (k * week) * week
    } else {
        half_ms / (k * MS_PER_DAY) * MS_PER_DAY
    };
    if len == 0 {
        return None;
    }
    let first = horizon.as_ms() - k * len;
    let at = (0..=k).map(|b| SimTime::from_ms(first + b * len)).collect();
    Some((SimDuration::from_ms(len), at))
}

impl Sim<'_> {
    /// Plans the sampling instants (warm-up end + k·step, and the horizon) and the calendar
    /// years (reference clock) of the measured span [warm-up, horizon).
    pub(super) fn start_observations(&mut self, observe: Observe) {
        let m = self.m;
        self.obs.step = observe.series_step.filter(|d| !d.is_zero());
        self.obs.last = vec![(0, 0, 0, 0, 0); m.stages.len()];
        self.obs.last_at = self.warmup;
        self.obs.next_sample = self
            .obs
            .step
            .and_then(|d| self.warmup.checked_add(d))
            .map(|t| t.min(self.horizon));
        let start_year = crate::time::date_plus_days(m.start_date, self.warmup.day_index())
            .map(|d| d.year())
            .unwrap_or(m.start_date.year());
        let mut year = start_year;
        self.obs.years.push((year, self.warmup));
        loop {
            let Ok(next) = Date::new(year.saturating_add(1), 1, 1) else {
                break;
            };
            let Some(days) = crate::time::days_between(m.start_date, next) else {
                break;
            };
            let at = SimTime::from_days(days);
            if at >= self.horizon {
                break;
            }
            year += 1;
            self.obs.years.push((year, at));
        }
        if m.reports_years() {
            let empty = YearSnap::default();
            self.obs.snap_system = empty.clone();
            let empty = Rc::new(empty);
            self.obs.snap_cps = vec![empty.clone(); m.checkpoints.len()];
            self.obs.snap_flows = vec![empty; m.flows.len()];
        } else {
            self.obs.years.clear();
        }
        for (f, spec) in m.flows.iter().enumerate() {
            if let Some(ch) = &spec.choice {
                self.flows[FlowId::from_index(f)].feed = self.obs.feeds.len();
                self.obs.feeds.push(Feed {
                    every: ch.info_every,
                    delay: ch.info_delay,
                    next: SimTime::ZERO,
                    published: VecDeque::new(),
                });
            }
        }
        if let Some((_, at)) = trend_blocks(self.warmup, self.horizon) {
            self.obs.block_areas = Vec::with_capacity(
                (m.checkpoints.len() + m.stages.len() + m.flows.len()) * at.len(),
            );
            self.obs.blocks_at = at;
        }
        self.update_next_observation();
    }

    pub(super) fn update_next_observation(&mut self) {
        let year_end = self
            .obs
            .years
            .get(self.obs.year_idx + 1)
            .map(|&(_, at)| at)
            .unwrap_or(SimTime::MAX);
        let feeds = self.obs.feeds.iter().map(|f| f.next).min();
        let block = self.obs.blocks_at.get(self.obs.block_idx).copied();
        self.obs.next_at = self
            .obs
            .next_sample
            .unwrap_or(SimTime::MAX)
            .min(year_end)
            .min(feeds.unwrap_or(SimTime::MAX))
            .min(block.unwrap_or(SimTime::MAX));
    }

    /// Takes the samples and closes the years due at or before `t`, in time order.
    pub(super) fn observe_until(&mut self, t: SimTime) {
        while self.obs.next_at <= t {
            let at = self.obs.next_at;
            if self.obs.next_sample == Some(at) {
                self.sample(at);
                self.obs.next_sample = match self.obs.step.and_then(|d| at.checked_add(d)) {
                    _ if at >= self.horizon => None,
                    Some(n) => Some(n.min(self.horizon)),
                    None => None,
                };
            }
            if self
                .obs
                .years
                .get(self.obs.year_idx + 1)
                .is_some_and(|&(_, y)| y == at)
            {
                self.close_year(at);
            }
            if self.obs.blocks_at.get(self.obs.block_idx) == Some(&at) {
                self.block_boundary(at);
            }
            if self.obs.feeds.iter().any(|f| f.next == at) {
                let waiting: Vec<u32> = self.stages.iter().map(|st| st.queue.waiting()).collect();
                for feed in self.obs.feeds.iter_mut().filter(|f| f.next == at) {
                    feed.forget_before(at);
                    feed.published.push_back((at, waiting.clone()));
                    feed.next = at.checked_add(feed.every).unwrap_or(SimTime::MAX);
                }
            }
            self.update_next_observation();
        }
    }

    /// Records the area under every checkpoint's, stage's and flow's in-system level at a block
    /// boundary of the trend test (the level just before `t`, like every observation).
    fn block_boundary(&mut self, t: SimTime) {
        let tm = t.as_ms();
        let areas = self.cps.iter().map(|c| c.levels.in_system.area(tm));
        let areas = areas.chain(self.stages.iter().map(|s| s.levels.in_system.area(tm)));
        let areas = areas.chain(self.flows.iter().map(|f| f.in_system.area(tm)));
        self.obs.block_areas.extend(areas);
        self.obs.block_idx += 1;
    }

    /// The block means of entity `index` (a checkpoint's index, the number of checkpoints plus
    /// a stage's, or the number of checkpoints and stages plus a flow's) from the areas at the
    /// boundaries; empty unless every boundary was passed.
    pub(super) fn block_means(&self, index: usize) -> Blocks {
        let at = &self.obs.blocks_at;
        let width = self.cps.len() + self.stages.len() + self.flows.len();
        if at.len() < 2 || self.obs.block_areas.len() != width * at.len() {
            return Blocks::default();
        }
        let len_ms = at[1].since(at[0]).as_ms();
        let area = |b: usize| self.obs.block_areas[b * width + index];
        Blocks {
            len_ms,
            means: (1..at.len())
                .map(|b| (area(b) - area(b - 1)) as f64 / len_ms as f64)
                .collect(),
        }
    }

    /// Appends one row per stage: levels now, counts and lane-time since the previous sample.
    pub(super) fn sample(&mut self, t: SimTime) {
        let from = std::mem::replace(&mut self.obs.last_at, t);
        for (i, (spec, st)) in self.m.stages.iter().zip(&self.stages).enumerate() {
            let now = (
                st.kpi.arrivals,
                st.kpi.served,
                st.kpi.wait.count(),
                st.kpi.wait.sum(),
                st.levels.busy.area(t.as_ms()),
            );
            let last = std::mem::replace(&mut self.obs.last[i], now);
            let queue = st.levels.queue.level();
            let road = if st.off_road == 0 {
                queue
            } else {
                st.levels.road.level()
            };
            self.obs.rows.push(SeriesRow {
                at: t,
                stage: i as u32,
                queue: queue as u32,
                road: road as u32,
                busy: st.levels.busy.level() as u32,
                blocked: st.levels.blocked.level() as u32,
                // Like the levels, the state just before the instant.
                lanes_open: if spec.calendar.is_open(SimTime::from_ms(t.as_ms() - 1)) {
                    st.lanes_now
                } else {
                    0
                },
                lanes: st.lanes_now,
                daily_quota: st.quota_now,
                arrivals: now.0 - last.0,
                served: now.1 - last.1,
                started: now.2 - last.2,
                wait_sum_ms: now.3 - last.3,
                busy_lane_ms: (now.4 - last.4) as i64,
                open_lane_ms: spec.open_lane_ms(from, t) as i64,
            });
        }
    }

    /// Closes the current calendar year at `t`: its statistics are the difference between now
    /// and the snapshot taken when it began.
    pub(super) fn close_year(&mut self, t: SimTime) {
        let Some(&(year, from)) = self.obs.years.get(self.obs.year_idx) else {
            return;
        };
        let cps: Vec<Rc<YearSnap>> = self
            .cps
            .iter()
            .map(|c| Rc::new(YearSnap::of(&c.kpi)))
            .collect();
        // A flow that mirrors its checkpoint has its recorded statistics there until `finish`.
        let flows: Vec<Rc<YearSnap>> = self
            .m
            .flows
            .iter()
            .zip(&self.flows)
            .map(|(spec, f)| {
                if f.mirrors_checkpoint {
                    cps[spec.route[0] as usize].clone()
                } else {
                    Rc::new(YearSnap::of(&f.kpi))
                }
            })
            .collect();
        // Cargo counts where it is delivered, not again on each vehicle that moved it.
        let mut system = YearSnap::default();
        for (i, f) in flows.iter().enumerate() {
            system.arrivals += f.arrivals;
            system.served += f.served;
            if !self.m.hands_on(i) {
                system.tonnes += f.tonnes;
                system.containers += f.containers;
                system.teu += f.teu;
            }
            system.wait.merge(&f.wait);
        }
        let diff = |now: &[Rc<YearSnap>], before: &[Rc<YearSnap>]| -> Vec<YearStats> {
            now.iter().zip(before).map(|(a, b)| a.since(b)).collect()
        };
        self.obs.done.push(YearResult {
            year,
            days: t.since(from).as_ms() as f64 / MS_PER_DAY as f64,
            system: system.since(&self.obs.snap_system),
            checkpoints: diff(&cps, &self.obs.snap_cps),
            flows: diff(&flows, &self.obs.snap_flows),
        });
        self.obs.snap_system = system;
        self.obs.snap_cps = cps;
        self.obs.snap_flows = flows;
        self.obs.year_idx += 1;
    }
}
