//! borderflow: a discrete-event simulator of cargo flow through land border crossings.
//!
//! Layers, each depending only on those above it (see `DESIGN.md`):
//! `time` → `engine` → `dist` → `calendar` → `model` → `stats` → `scenario` → `report`.
#![warn(missing_docs)]

pub mod bench;
pub mod calendar;
pub mod detail;
pub mod dist;
pub mod engine;
pub mod html;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod sweep;
pub mod time;
