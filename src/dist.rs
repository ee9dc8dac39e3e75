//! dist (work in progress)
