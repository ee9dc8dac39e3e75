//! KPIs: what a replication measured, named ([`rep_values`]); estimated across replications
//! ([`estimate_run`], [`PointEstimates`]); and the detail files of replication 0 (time series,
//! wait tables) with the scenario facts that title them, each written and read back in one place.
//!
//! This layer sits between the model (which simulates) and the sweep (which runs many points):
//! it knows the model's results but never runs a simulation, and writes no directory of its own.

mod assumptions;
mod catalog;
mod crossings;
mod estimate;
mod facts;
mod modes;
mod overload;
mod read;
mod results;
mod series;
mod waits;

pub use assumptions::{
    Assumptions, CrossingAssumptions, FlowAssumptions, NodeAssumptions, StageAssumptions,
    count_words, dist_words, dur_words, mode_name, num,
};
pub use catalog::{EntityKind, EntityValues, HOUR_PREFIX, YEAR_PREFIX, rep_values};
pub use estimate::{
    Cell, Columns, Diff, EntitySummary, PointEstimates, Summary, estimate_entities, estimate_run,
    estimate_values, summary_of,
};
pub use facts::{
    CheckpointInfo, Facts, StageInfo, checkpoints_of, facts_json, read_checkpoints, read_facts,
};
pub use modes::per_day_kpi;
pub use overload::{
    GROWTH, GROWTH_RATE, Judgement, OVERLOADED, ROUTE, STATIC_REASONS, growth, judge, judge_in,
    judge_point,
};
pub(crate) use read::{as_str, as_u64, err};
pub(crate) use results::json_num;
pub use results::{read_results, results_json};
pub use series::{
    SERIES_HEADER, Sample, StageSeries, read_series, series_samples, timestamp, write_series,
};
pub use waits::{CDF_HEADER, Quantiles, WaitTables, read_waits, wait_tables, write_waits};
