//! The scenario facts recorded with results: what a report needs to title a point's results
//! (name, seed, dates, sampling step) and to describe its checkpoints (stages, lanes, quotas).
//! Written as JSON into a sweep's manifest and read back by the report; a run's report takes
//! them from the model.

use serde_json::{Value, json};

use super::read::{as_str, as_u64, err};
use crate::error::Error;
use crate::model::{LaneProfile, Model, StageSpec};

/// What a report needs to title a point's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// Scenario name.
    pub name: String,
    /// Base seed.
    pub seed: u64,
    /// Horizon \[days\].
    pub days: u32,
    /// Warm-up \[days\].
    pub warmup_days: u32,
    /// Date of day 0 ("YYYY-MM-DD").
    pub start_date: String,
    /// Sampling step of the series \[h\].
    pub series_step_h: f64,
}

impl Facts {
    /// The facts of `m`.
    pub fn of(m: &Model) -> Facts {
        Facts {
            name: m.name.clone(),
            seed: m.seed,
            days: m.days,
            warmup_days: m.warmup_days,
            start_date: m.start_date.to_string(),
            series_step_h: m.series_step.as_hours_f64(),
        }
    }
}

/// A stage of a checkpoint as configured at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct StageInfo {
    /// Stage id ("kz-exit").
    pub id: String,
    /// Lanes (the largest count of a lane schedule).
    pub lanes: u32,
    /// A daily lane schedule in words ("08:00-20:00 10, 20:00-08:00 4"), if the stage has one.
    pub lanes_by_hour: Option<String>,
    /// Service starts allowed per local day, if capped.
    pub daily_quota: Option<u32>,
    /// Places to wait in front of the stage, if limited (`buffer`).
    pub buffer: Option<u32>,
    /// The stage's clock minus the reference clock \[ms\] (its hours, lanes and quota days
    /// are on its clock).
    pub clock_shift_ms: i64,
}

/// A checkpoint as configured at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckpointInfo {
    /// Checkpoint id ("nur-zholy").
    pub id: String,
    /// Display name, if the scenario gives one.
    pub name: Option<String>,
    /// Stages in the order a vehicle passes them.
    pub stages: Vec<StageInfo>,
}

impl CheckpointInfo {
    /// The name to show: the display name with the id, or the id.
    pub fn title(&self) -> String {
        match &self.name {
            Some(n) if n != &self.id => format!("{n} ({})", self.id),
            _ => self.id.clone(),
        }
    }
}

/// The checkpoints (links and terminals too) of `m`, in model order.
pub fn checkpoints_of(m: &Model) -> Vec<CheckpointInfo> {
    m.checkpoints
        .iter()
        .map(|c| CheckpointInfo {
            id: c.id.clone(),
            name: Some(c.name.clone()),
            stages: c
                .stages
                .iter()
                .map(|&s| {
                    let st = &m.stages[s as usize];
                    StageInfo {
                        id: st.id.clone(),
                        lanes: st.lanes,
                        lanes_by_hour: schedule_text(st),
                        daily_quota: st.daily_quota,
                        buffer: st.buffer,
                        clock_shift_ms: st.calendar.shift().as_ms(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A stage's daily lane schedule in words, if it has one.
fn schedule_text(st: &StageSpec) -> Option<String> {
    match &st.profile {
        LaneProfile::Daily(d) => Some(d.describe()),
        LaneProfile::Fixed(_) => None,
    }
}

/// The facts of `m` as JSON, as recorded in a sweep's manifest.
pub fn facts_json(m: &Model) -> Value {
    json!({
        "name": m.name,
        "seed": m.seed,
        "days": m.days,
        "warmup_days": m.warmup_days,
        "start_date": m.start_date.to_string(),
        "series_step_h": m.series_step.as_hours_f64(),
        "metres_per_vehicle": m.metres_per_vehicle,
        "checkpoints": m.checkpoints.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "stages": c.stages.iter().map(|&s| {
                let st = &m.stages[s as usize];
                let mut j = json!({ "id": st.id, "lanes": st.lanes, "daily_quota": st.daily_quota });
                if let Some(text) = schedule_text(st) {
                    j["lanes_by_hour"] = json!(text);
                }
                if let Some(b) = st.buffer {
                    j["buffer"] = json!(b);
                }
                let shift = st.calendar.shift().as_ms();
                if shift != 0 {
                    j["clock_shift_min"] = json!(shift as f64 / 60_000.0);
                }
                j
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Reads the facts (without the checkpoints) of a facts object written by [`facts_json`];
/// `path` names its file in errors. A missing sampling step reads as 1 h.
pub fn read_facts(v: &Value, path: &std::path::Path) -> Result<Facts, Error> {
    Ok(Facts {
        name: as_str(v, "name", path)?.to_string(),
        seed: as_u64(v, "seed", path)?,
        days: as_u64(v, "days", path)? as u32,
        warmup_days: as_u64(v, "warmup_days", path)? as u32,
        start_date: as_str(v, "start_date", path)?.to_string(),
        series_step_h: v
            .get("series_step_h")
            .and_then(Value::as_f64)
            .unwrap_or(1.0),
    })
}

/// Reads the checkpoints of a facts object written by [`facts_json`].
pub fn read_checkpoints(v: &Value, path: &std::path::Path) -> Result<Vec<CheckpointInfo>, Error> {
    let list = v
        .get("checkpoints")
        .and_then(Value::as_array)
        .ok_or_else(|| err(path, "scenario facts lack \"checkpoints\""))?;
    list.iter()
        .map(|c| {
            let stages = c
                .get("stages")
                .and_then(Value::as_array)
                .ok_or_else(|| err(path, "a checkpoint lacks \"stages\""))?
                .iter()
                .map(|s| {
                    Ok(StageInfo {
                        id: as_str(s, "id", path)?.to_string(),
                        lanes: as_u64(s, "lanes", path)? as u32,
                        lanes_by_hour: s
                            .get("lanes_by_hour")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        daily_quota: s
                            .get("daily_quota")
                            .and_then(Value::as_u64)
                            .map(|q| q as u32),
                        buffer: s.get("buffer").and_then(Value::as_u64).map(|b| b as u32),
                        clock_shift_ms: s
                            .get("clock_shift_min")
                            .and_then(Value::as_f64)
                            .map_or(0, |m| (m * 60_000.0).round() as i64),
                    })
                })
                .collect::<Result<_, Error>>()?;
            Ok(CheckpointInfo {
                id: as_str(c, "id", path)?.to_string(),
                name: c.get("name").and_then(Value::as_str).map(str::to_string),
                stages,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Overrides, default_scenario};

    #[test]
    fn facts_read_back_are_the_facts_of_the_model() {
        let m = default_scenario(Overrides::default()).expect("the built-in scenario is valid");
        let text = serde_json::to_string(&facts_json(&m)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let path = std::path::Path::new("manifest.json");
        assert_eq!(read_facts(&v, path).unwrap(), Facts::of(&m));
        assert_eq!(read_checkpoints(&v, path).unwrap(), checkpoints_of(&m));
    }
}
