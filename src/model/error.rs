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
}
