//! borderflow: a discrete-event simulator of cargo flow through land border crossings.
//!
//! Layers, each depending only on those before it (see the README, "Layout"):
//! `time` → `engine` → `stats` → `dist` → `calendar` → `model` → `scenario` → `kpi` → `sweep`
//! → `report`.
#![warn(missing_docs)]

pub mod bench;
pub mod calendar;
pub mod dist;
pub mod engine;
pub mod kpi;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod sweep;
pub mod time;

/// The HTML report, where callers of earlier versions found it.
pub use report::html;
