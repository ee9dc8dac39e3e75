//! The serde structs of a sweep file: what the TOML says, before any checking.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole sweep file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSweep {
    pub(super) name: Option<String>,
    #[allow(dead_code)] // documentation for readers of the file
    pub(super) description: Option<String>,
    pub(super) base: toml::Value,
    pub(super) replications: Option<i64>,
    pub(super) seed: Option<u64>,
    pub(super) days: Option<i64>,
    pub(super) baseline: Option<String>,
    #[serde(default)]
    pub(super) policies: Vec<RawPolicy>,
    #[serde(default)]
    pub(super) axes: Vec<RawAxis>,
    /// `[uncertainty]`: how many input sets to draw (see `uncertain`).
    pub(super) uncertainty: Option<RawUncertainty>,
    /// `[[uncertain]]`: the uncertain inputs.
    #[serde(default)]
    pub(super) uncertain: Vec<RawUncertain>,
}

/// The `[uncertainty]` table: the number of input sets and the seed of their draw.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUncertainty {
    pub(super) draws: i64,
    pub(super) seed: Option<u64>,
}

/// One `[[uncertain]]` entry: a field path, its range and how values spread over it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUncertain {
    pub(super) path: String,
    pub(super) range: Vec<toml::Value>,
    pub(super) dist: Option<String>,
    pub(super) mode: Option<toml::Value>,
    pub(super) label: Option<String>,
    pub(super) source: Option<String>,
}

/// One `[[policies]]` entry: a label and the changes it makes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) label: String,
    #[serde(default)]
    pub(super) set: BTreeMap<String, toml::Value>,
}

/// One `[[axes]]` entry: `path` and `values` (with optional `labels`), or `policies`; its role.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAxis {
    pub(super) name: Option<String>,
    pub(super) path: Option<String>,
    pub(super) values: Option<Vec<toml::Value>>,
    pub(super) labels: Option<Vec<String>>,
    pub(super) policies: Option<Vec<String>>,
    pub(super) zip: Option<String>,
    /// `"policy"` (default) or `"context"`.
    pub(super) role: Option<String>,
}
