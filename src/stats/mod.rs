//! Streaming statistics: the reusable kernel that turns a run into numbers.
//!
//! Everything here works on plain integers and floats in the caller's units (the simulator passes
//! milliseconds as integers) and knows nothing of what is being measured. Memory is fixed at
//! construction and independent of the number of samples, so statistics can stream through runs of
//! any length. The `record`/`add`/`set` methods are on the simulator's hot path: they do not
//! allocate (except the rare, amortised growth of a [`Histogram`] past 2^32) and do no
//! transcendental maths.
//!
//! - [`Welford`]: running mean, variance, min and max of `f64` samples, mergeable.
//! - [`Histogram`]: exact count/sum/mean/min/max plus quantiles within 0.4% of non-negative
//!   integers, interpolated within their bucket.
//! - [`TimeWeighted`]: exact time average of an integer level (queue length, busy servers);
//!   [`PeakLevel`] also keeps its maximum.
//! - [`HourProfile`]: mean of a quantity by hour of day.
//! - [`Estimate`] and [`t_critical_95`]: across-replication mean with a 95% Student-t half-width.
//! - [`paired_p`] and [`holm`]: p-values of paired t-tests and their Holm adjustment.
//! - [`Trend`]: least-squares slope of equally spaced values, with a one-sided test that they rise.

mod estimate;
mod histogram;
mod hour_profile;
mod time_weighted;
mod trend;
mod ttest;
mod welford;

pub use estimate::{Estimate, t_critical_95};
pub use histogram::Histogram;
pub use hour_profile::HourProfile;
pub use time_weighted::{PeakLevel, TimeWeighted};
pub use trend::Trend;
pub use ttest::{holm, incomplete_beta, paired_p, t_two_sided_p};
pub use welford::Welford;
