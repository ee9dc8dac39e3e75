//! Why a replication could not run to its end.

use crate::time::SimTime;

/// Why a replication stopped: an internal invariant broke (a bug in the simulator), or the
/// scenario deadlocked. The run stops at the first one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// An event was scheduled before the current time (it would have been lost).
    #[error("event {event} scheduled in the past at t={at} (now {now}) while handling {handling}")]
    PastEvent {
        /// The instant it was scheduled for.
        at: SimTime,
        /// The clock when it was scheduled.
        now: SimTime,
        /// The event scheduled.
        event: String,
        /// The event being handled (or the start of the run).
        handling: String,
    },
    /// Finite buffers in a cycle filled up: every lane of each stage named holds a vehicle that
    /// waits for a place at another of them, so none can ever move again.
    #[error(
        "deadlock at t={at}: stages {} are full and every lane of each is blocked by a vehicle \
         waiting for a place at another of them; enlarge a buffer or break the cycle of routes",
        stages.join(", ")
    )]
    Deadlock {
        /// The instant the last of them blocked.
        at: SimTime,
        /// The stages involved, as `node/stage`.
        stages: Vec<String>,
    },
    /// The replication holds as many vehicles as it may (`Model::max_in_system`, a memory
    /// budget): its queues grow without bound.
    #[error(
        "at t={at}: {vehicles} vehicles are in the system, the most one replication may hold \
         (--max-queue, or a share of this machine's memory); the longest queue is {waiting} \
         vehicles at stage {stage}. The scenario is overloaded: its queues grow without bound. \
         Shorten the run, lower the demand or add capacity (or raise --max-queue)"
    )]
    TooManyVehicles {
        /// The instant the budget was reached.
        at: SimTime,
        /// Vehicles in the system then.
        vehicles: u64,
        /// The stage with the longest queue, as `node/stage`.
        stage: String,
        /// Vehicles waiting there.
        waiting: u64,
    },
}
