//! calendar (work in progress)
