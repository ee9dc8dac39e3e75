//! The raw structs: what the TOML says, before any checking. Serde fills them; unknown fields are
//! errors, so nothing a user wrote is silently ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole scenario file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) simulation: RawSimulation,
    #[serde(default)]
    pub(super) calendars: BTreeMap<String, RawCalendar>,
    #[serde(default)]
    pub(super) classes: BTreeMap<String, RawClass>,
    #[serde(default)]
    pub(super) checkpoints: Vec<RawCheckpoint>,
    #[serde(default)]
    pub(super) links: Vec<RawLink>,
    #[serde(default)]
    pub(super) terminals: Vec<RawTerminal>,
    #[serde(default)]
    pub(super) flows: Vec<RawFlow>,
    #[serde(default)]
    pub(super) crossings: Vec<RawCrossing>,
}

/// A `[[crossings]]` entry: route nodes whose crossing time is reported together.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCrossing {
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) direction: Option<String>,
    pub(super) nodes: Vec<String>,
}

/// A `[[links]]` entry: a road, rail or river stretch between nodes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLink {
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) mode: String,
    pub(super) travel: toml::Value,
    pub(super) paths_per_day: Option<i64>,
    pub(super) buffer: Option<i64>,
    pub(super) hours: Option<toml::Value>,
    pub(super) season: Option<String>,
    pub(super) utc_offset: Option<String>,
}

/// A `[[terminals]]` entry: a node that may hand its cargo on to another flow.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTerminal {
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) transfer_to: Option<String>,
    pub(super) storage_containers: Option<i64>,
    pub(super) storage_tonnes: Option<f64>,
    #[serde(default)]
    pub(super) stages: Vec<RawStage>,
}

/// The `[simulation]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSimulation {
    pub(super) name: String,
    #[serde(default)]
    #[allow(dead_code)] // documentation for readers of the file
    pub(super) description: Option<String>,
    pub(super) days: i64,
    pub(super) warmup_days: Option<i64>,
    pub(super) seed: Option<i64>,
    pub(super) replications: Option<i64>,
    pub(super) start_date: Option<String>,
    pub(super) utc_offset: Option<String>,
    pub(super) metres_per_vehicle: Option<f64>,
    pub(super) series_step: Option<String>,
}

/// A calendar: a `[calendars.<id>]` table or an inline `hours` table.
#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalendar {
    pub(super) hours: Option<String>,
    pub(super) mon: Option<String>,
    pub(super) tue: Option<String>,
    pub(super) wed: Option<String>,
    pub(super) thu: Option<String>,
    pub(super) fri: Option<String>,
    pub(super) sat: Option<String>,
    pub(super) sun: Option<String>,
    #[serde(default)]
    pub(super) closed: Vec<String>,
    pub(super) utc_offset: Option<String>,
}

/// A `[classes.<id>]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClass {
    pub(super) max_wait: Option<String>,
    #[allow(dead_code)] // documentation for readers of the file
    pub(super) description: Option<String>,
}

/// A `[[checkpoints]]` entry: a border crossing with its chain of stages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheckpoint {
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) opens: Option<String>,
    #[serde(default)]
    pub(super) stages: Vec<RawStage>,
}

/// A dated capacity change of a stage (`[[…stages.changes]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChange {
    pub(super) from: String,
    pub(super) lanes: Option<RawCount>,
    pub(super) daily_quota: Option<i64>,
}

/// A stage of a checkpoint or terminal (`[[…stages]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStage {
    pub(super) id: String,
    pub(super) kind: Option<String>,
    pub(super) lanes: Option<RawCount>,
    pub(super) tracks: Option<RawCount>,
    pub(super) cranes: Option<RawCount>,
    pub(super) positions: Option<RawCount>,
    pub(super) berths: Option<RawCount>,
    pub(super) service: Option<RawDist>,
    pub(super) max_cranes_per_train: Option<i64>,
    pub(super) max_positions_per_train: Option<i64>,
    pub(super) handling_rate: Option<String>,
    pub(super) daily_quota_wagons: Option<i64>,
    pub(super) hours: Option<toml::Value>,
    pub(super) utc_offset: Option<String>,
    pub(super) daily_quota: Option<i64>,
    pub(super) inspection: Option<RawInspection>,
    pub(super) holding_capacity: Option<i64>,
    pub(super) buffer: Option<i64>,
    pub(super) travel: Option<toml::Value>,
    #[serde(default)]
    pub(super) priority: Vec<String>,
    #[serde(default)]
    pub(super) reserved_lanes: BTreeMap<String, i64>,
    #[serde(default)]
    pub(super) changes: Vec<RawChange>,
}

/// A server count: an integer, or a daily schedule table `{ "08:00-20:00" = 10, … }` whose
/// entries (window text, count) keep the file's order.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum RawCount {
    Count(i64),
    Schedule(Vec<(String, i64)>),
}

impl<'de> Deserialize<'de> for RawCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "an integer or a daily schedule table like { \"08:00-20:00\" = 10, \"20:00-08:00\" = 4 }",
                )
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawCount, E> {
                Ok(RawCount::Count(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawCount, E> {
                Ok(RawCount::Count(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<RawCount, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, i64>()? {
                    out.push((k, v));
                }
                Ok(RawCount::Schedule(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// An extra inspection on a stage (`inspection = { … }`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInspection {
    pub(super) name: Option<String>,
    pub(super) probability: f64,
    pub(super) service: RawDist,
}

/// A distribution table, tagged by `dist`.
#[derive(Deserialize, Clone)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub(super) enum RawDist {
    Exponential {
        mean: String,
    },
    Deterministic {
        value: String,
    },
    Uniform {
        min: String,
        max: String,
    },
    Triangular {
        min: String,
        mode: String,
        max: String,
    },
    Lognormal {
        mean: String,
        sd: Option<String>,
        cv: Option<f64>,
    },
    Erlang {
        mean: String,
        k: i64,
    },
    Gamma {
        mean: String,
        sd: Option<String>,
        cv: Option<f64>,
    },
    Empirical {
        values: Vec<String>,
    },
}

/// A `[[flows]]` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    pub(super) id: String,
    pub(super) mode: String,
    pub(super) class: Option<String>,
    pub(super) tonnes: Option<f64>,
    pub(super) value: Option<f64>,
    pub(super) wagons: Option<i64>,
    pub(super) containers_per_wagon: Option<i64>,
    pub(super) teu_per_container: Option<f64>,
    pub(super) tonnes_per_container: Option<f64>,
    pub(super) wagon_capacity_teu: Option<f64>,
    pub(super) containers: Option<i64>,
    #[serde(default)]
    pub(super) route: Vec<String>,
    pub(super) travel: Option<Vec<toml::Value>>,
    pub(super) arrivals: RawArrivals,
    pub(super) starts: Option<String>,
    pub(super) ends: Option<String>,
    pub(super) choice: Option<RawChoice>,
}

/// A flow's route choice (`choice = { … }`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoice {
    pub(super) alternatives: Vec<RawAlternative>,
    pub(super) info_every: Option<String>,
    pub(super) info_delay: Option<String>,
    pub(super) loyal_share: Option<f64>,
}

/// One alternative route of a route choice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlternative {
    pub(super) id: Option<String>,
    pub(super) route: Vec<String>,
    pub(super) travel: Option<Vec<toml::Value>>,
    pub(super) extra_travel: Option<String>,
}

/// How a flow's vehicles arrive, tagged by `process`.
#[derive(Deserialize)]
#[serde(tag = "process", rename_all = "lowercase", deny_unknown_fields)]
pub(super) enum RawArrivals {
    Poisson {
        rate: String,
        hourly: Option<Vec<f64>>,
        weekday: Option<Vec<f64>>,
        monthly: Option<Vec<f64>>,
        scale: Option<f64>,
        growth_per_year: Option<f64>,
    },
    Timetable {
        every: Option<String>,
        from: Option<String>,
        to: Option<String>,
        times: Option<Vec<String>>,
        delay: Option<RawDist>,
    },
    Transfer {},
}
