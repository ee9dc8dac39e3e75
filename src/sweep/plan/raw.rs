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
