//! Why a replication could not run to its end.

use crate::time::SimTime;

/// An internal invariant of the simulation broke: a bug in the simulator, not a property of the
/// scenario. The run stops at the first one.
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
}
