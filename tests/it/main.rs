//! borderflow's integration tests, in one binary (one link instead of one per file).
//!
//! Modules by what they check:
//! - `queueing`: the engine against queueing theory (Erlang C, Pollaczek–Khinchine, Cobham,
//!   Jackson, Little's law);
//! - `model_rules`, `dated`, `lanes`, `observe`, `route_choice`, `rail`, `instant`, `storage`:
//!   the border model's rules on hand-checkable scenarios;
//! - `transfers`: cargo conserved across transfer terminals, in whole boxes, and trains held
//!   outside a station;
//! - `deadlock`, `budget`: a cycle of full buffers, or a queue beyond the vehicle budget, ends
//!   the run with exit 1 and says why;
//! - `blocking`: finite buffers that block, against a Markov chain, hand cases and conservation;
//! - `properties`: invariants of durations, calendars and histograms over random inputs;
//! - `input_errors`: bad input exits 2 with file, field and line:column;
//! - `cli`, `rail_cli`, `sweep`, `html`: the binary as a user meets it;
//! - `context`: sweeps compared at equal context (`role = "context"`), Holm-adjusted;
//! - `uncertain`: uncertain inputs drawn by Latin hypercube, a policy that wins above a known
//!   threshold winning in the matching share of input sets, reproduced through shards and resume;
//! - `overload`: the trend test on M/M/1 (ρ = 0.95 not flagged, 1.05 flagged), the static
//!   reasons, and the overload judgement in every output;
//! - `summaries`: missing statistics, replication counts, totals, hour and day buckets, digits;
//! - `docs`: the README names every KPI, JSON key and CSV column the files hold;
//! - `modes`: every mode in its own terms (trains in trains, wagons and TEU; a link's wait for a
//!   path apart from its travel; vehicles by mode) and the assumptions echoed;
//! - `golden`: whole outputs of the shipped scenarios, byte for byte;
//! - `real_episodes`: two reported Nur Zholy–Khorgos episodes reproduced from their inputs.
//!
//! `common` holds the helpers they share.

mod common;

mod blocking;
mod budget;
mod cli;
mod context;
mod crossings;
mod dated;
mod deadlock;
mod docs;
mod golden;
mod html;
mod input_errors;
mod instant;
mod lanes;
mod model_rules;
mod modes;
mod observe;
mod overload;
mod properties;
mod queueing;
mod rail;
mod rail_cli;
mod real_episodes;
mod route_choice;
mod storage;
mod summaries;
mod sweep;
mod transfers;
mod uncertain;
mod validation;
