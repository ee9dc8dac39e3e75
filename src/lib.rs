//! borderflow: a discrete-event simulator of cargo flow through land border crossings.
//!
//! A scenario is a set of **checkpoints**, each an ordered chain of **stages** (exit control,
//! entry control, inspection, transshipment) with lanes, tracks or cranes as servers, a service
//! time distribution, operating hours on its own clock and an optional daily quota; **links**
//! and **terminals** join them into routes. **Flows** of trucks, trains and barges arrive on
//! their routes and queue at every stage. A run simulates the horizon for each replication on
//! its own random streams and reports waits, queues, throughput and utilisation per checkpoint,
//! stage, flow and cargo class, with 95% confidence intervals over the replications.
//!
//! ```text
//!   arrivals ──▶ [ kz-exit: 4 lanes ] ──▶ [ cn-entry: 6 lanes, quota ] ──▶ served
//!                  hours, service time        hours on the other clock
//! ```
//!
//! An M/M/4 queue (λ = 32/h, exponential service of mean 6 min, so ρ = 0.8) as one stage, run
//! for 10 replications of 200 days, against Erlang C: the mean wait in queue is
//! Wq = C(4, 3.2) / (cμ − λ) = 0.5964 / 8 h = 0.0746 h.
//!
//! ```
//! use borderflow::model::simulate;
//! use borderflow::scenario::{Overrides, parse};
//!
//! let toml = r#"
//!     [simulation]
//!     name = "mmc"
//!     days = 200
//!     warmup_days = 10
//!     seed = 42
//!     replications = 10
//!
//!     [[checkpoints]]
//!     id = "booths"
//!     [[checkpoints.stages]]
//!     id = "service"
//!     lanes = 4
//!     service = { dist = "exponential", mean = "6min" }
//!     hours = "24/7"
//!
//!     [[flows]]
//!     id = "arrivals"
//!     mode = "truck"
//!     route = ["booths"]
//!     arrivals = { process = "poisson", rate = "32/h" }
//! "#;
//! let model = parse(toml, "mmc.toml", Overrides::default()).expect("a valid scenario");
//!
//! // Mean wait per replication \[h\], then over replications.
//! let waits: Vec<f64> = (0..model.replications)
//!     .map(|r| simulate(&model, r).checkpoints[0].kpi.wait.mean() / 3_600_000.0)
//!     .collect();
//! let mean = waits.iter().sum::<f64>() / waits.len() as f64;
//!
//! // Erlang C: a = λ/μ = 3.2 erlangs on c = 4 lanes.
//! let (lambda, mu, c) = (32.0_f64, 10.0_f64, 4);
//! let a = lambda / mu;
//! let mut below = 0.0;
//! let mut term = 1.0; // a^k / k!
//! for k in 0..c {
//!     below += term;
//!     term *= a / f64::from(k + 1);
//! }
//! let waiting = term * f64::from(c) / (f64::from(c) - a);
//! let wq = waiting / (below + waiting) / (f64::from(c) * mu - lambda);
//! assert!((wq - 0.0746).abs() < 0.0005);
//! assert!((mean - wq).abs() < 0.05 * wq, "simulated {mean:.4} h, Erlang C {wq:.4} h");
//! ```
//!
//! Layers, each depending only on those above it (see the README's Layout):
//! kernel (`time`, `engine`, `stats`) → `dist` → `calendar` → `model` → `scenario` → `error`
//! → `kpi` → `sweep` → `report`; the binary (`main.rs`) is a thin command line over them.
#![warn(missing_docs)]

pub mod calendar;
pub mod dist;
pub mod engine;
pub mod error;
pub mod files;
pub mod kpi;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod sweep;
pub mod time;

pub use error::{Error, Result};
