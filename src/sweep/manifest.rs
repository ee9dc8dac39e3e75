//! The manifest of a sweep output directory, `manifest.json`: what was run (borderflow version,
//! sweep name, replications, baseline, every point with its scenario facts or its problems, and
//! the text of the sweep and base scenario files). Written here from a [`Plan`] and read back
//! here into a [`Manifest`], for merging shards and for the report; a field that is missing or
//! malformed is an error naming the file, never a silent default.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::context::{Pairing, manifest_keys};
use super::plan::{Plan, Uncertainty};
use super::results::InvalidPoints;
use crate::error::{Error, Result};

/// The largest manifest read back [bytes]: it holds the sweep file and its base, each at most
/// [`crate::scenario::MAX_INPUT_BYTES`], and their facts.
pub(crate) const MANIFEST_MAX_BYTES: u64 = 64 * 1024 * 1024;
use crate::kpi::{self, CheckpointInfo, Facts, as_str, as_u64, err};

/// File name of the manifest inside a sweep output directory.
pub(crate) const MANIFEST_FILE: &str = "manifest.json";

/// The manifest of `plan` as JSON. No times, paths or shard numbers, so every complete run of
/// the same sweep writes the same bytes.
fn to_json(plan: &Plan) -> Value {
    let mut doc = json!({
        "borderflow_version": env!("CARGO_PKG_VERSION"),
        "sweep": plan.name,
        "replications": plan.replications,
        "baseline": plan.baseline.map(|b| plan.points[b].label.clone()),
        "points": plan.points.iter().map(|p| match &p.model {
            Ok(m) => json!({
                "index": p.index,
                "label": p.label,
                "status": "ok",
                "scenario": kpi::facts_json(m),
                "assumptions": kpi::Assumptions::of(m),
            }),
            Err(e) => json!({
                "index": p.index,
                "label": p.label,
                "status": "invalid",
                "problems": e.problems.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            }),
        }).collect::<Vec<_>>(),
        "sweep_text": plan.sweep_text,
        "base_text": plan.base_text,
    });
    let labels: Vec<String> = plan.points.iter().map(|p| p.label.clone()).collect();
    manifest_keys(&plan.pairing, &mut doc);
    if let Some(u) = &plan.uncertainty {
        doc["uncertainty"] = super::robust::manifest_json(u);
    }
    if let Some(points) = doc.get_mut("points").and_then(Value::as_array_mut) {
        for (i, p) in points.iter_mut().enumerate() {
            plan.pairing.annotate(p, i, &labels);
        }
    }
    doc
}

/// The manifest of `plan` as written to `manifest.json`: enough to check a resume or a merge
/// against (by comparing texts), and to summarise or report without the original files.
pub(crate) fn manifest_text(plan: &Plan) -> Result<String> {
    Ok(serde_json::to_string_pretty(&to_json(plan))
        .map_err(|e| Error::Failed(format!("cannot write the manifest: {e}")))?
        + "\n")
}

/// A manifest read back.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Manifest {
    /// borderflow version that wrote it.
    pub(crate) version: String,
    /// Sweep name.
    pub(crate) sweep: String,
    /// Replications of every point (at least 1).
    pub(crate) replications: u32,
    /// Position in `points` of the baseline point.
    pub(crate) baseline: Option<usize>,
    /// Every point, in index order (a point's index is its position).
    pub(crate) points: Vec<RecordedPoint>,
    /// The baseline each point is compared with.
    pub(crate) pairing: Pairing,
    /// The uncertain inputs and their input sets, if the sweep has them.
    pub(crate) uncertainty: Option<Uncertainty>,
    /// The file's text as read, for comparing manifests and copying one.
    pub(crate) text: String,
}

/// One point as recorded in a manifest.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RecordedPoint {
    /// Readable label, unique within the sweep.
    pub(crate) label: String,
    /// Whether it was run, with what it needs to be reported or why it was not.
    pub(crate) status: PointStatus,
    /// What a valid point simulated (none for an invalid point, or in a manifest written before
    /// assumptions were recorded).
    pub(crate) assumptions: Option<kpi::Assumptions>,
}

/// A recorded point's scenario, or why it is invalid.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PointStatus {
    /// A valid point, run: the facts of its scenario and its checkpoints as configured.
    Ok {
        /// Name, seed, dates and sampling step of its scenario.
        facts: Facts,
        /// Its checkpoints as configured.
        checkpoints: Vec<CheckpointInfo>,
    },
    /// An invalid point, not run.
    Invalid {
        /// Its problems, one line each.
        problems: Vec<String>,
    },
}

impl Manifest {
    /// The manifest's path inside the sweep output directory `dir`.
    pub(crate) fn path(dir: &Path) -> PathBuf {
        dir.join(MANIFEST_FILE)
    }

    /// The text of `dir`'s manifest, unchecked.
    ///
    /// # Errors
    /// [`Error::Results`] about `dir` if there is no readable manifest.
    pub(crate) fn read_text(dir: &Path) -> Result<String> {
        crate::files::read_regular(&Manifest::path(dir), MANIFEST_MAX_BYTES).map_err(|e| {
            Error::results(
                dir,
                format!("no manifest.json ({e}); is it a sweep output directory?"),
            )
        })
    }

    /// Reads and checks the manifest of the sweep output directory `dir`.
    ///
    /// # Errors
    /// [`Error::Results`] about `dir` if there is no readable manifest, about the manifest if a
    /// field is missing or malformed.
    pub(crate) fn read(dir: &Path) -> Result<Manifest> {
        Manifest::from_json(Manifest::read_text(dir)?, &Manifest::path(dir))
    }

    /// Checks the manifest `text`, read from `path` (named in errors).
    ///
    /// # Errors
    /// [`Error::Results`] about `path` if the text is not JSON or a field is missing or
    /// malformed.
    pub(crate) fn from_json(text: String, path: &Path) -> Result<Manifest> {
        let v: Value =
            serde_json::from_str(&text).map_err(|e| err(path, format!("invalid JSON: {e}")))?;
        let replications = u32::try_from(as_u64(&v, "replications", path)?)
            .ok()
            .filter(|&r| r >= 1)
            .ok_or_else(|| err(path, "\"replications\" must be a whole number from 1"))?;
        let points = v
            .get("points")
            .and_then(Value::as_array)
            .ok_or_else(|| err(path, "missing \"points\""))?
            .iter()
            .enumerate()
            .map(|(i, p)| read_point(i, p, path))
            .collect::<Result<Vec<_>>>()?;
        let baseline = match v.get("baseline") {
            Some(Value::Null) => None,
            Some(Value::String(b)) => {
                Some(points.iter().position(|p| p.label == *b).ok_or_else(|| {
                    err(path, format!("the baseline \"{b}\" is no point's label"))
                })?)
            }
            _ => return Err(err(path, "missing or invalid \"baseline\"")),
        };
        let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
        let pairing = Pairing::from_manifest(&v, &labels, baseline, path)?;
        let uncertainty = match v.get("uncertainty") {
            None => None,
            Some(u) => Some(
                serde_json::from_value(u.clone())
                    .map_err(|e| err(path, format!("unreadable \"uncertainty\": {e}")))?,
            ),
        };
        Ok(Manifest {
            pairing,
            uncertainty,
            version: as_str(&v, "borderflow_version", path)?.to_string(),
            sweep: as_str(&v, "sweep", path)?.to_string(),
            replications,
            baseline,
            points,
            text,
        })
    }

    /// The labels of all points, by index.
    pub(crate) fn labels(&self) -> Vec<String> {
        self.points.iter().map(|p| p.label.clone()).collect()
    }

    /// The invalid points with their problems.
    pub(crate) fn invalid(&self) -> InvalidPoints {
        self.points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match &p.status {
                PointStatus::Invalid { problems } => Some((i, problems.clone())),
                PointStatus::Ok { .. } => None,
            })
            .collect()
    }
}

/// Reads the point at position `i` of a manifest's points.
fn read_point(i: usize, p: &Value, path: &Path) -> Result<RecordedPoint> {
    let index = as_u64(p, "index", path)?;
    if index != i as u64 {
        return Err(err(
            path,
            format!("point {i} has \"index\" {index} (points must be in index order)"),
        ));
    }
    let label = as_str(p, "label", path)?.to_string();
    let status = match as_str(p, "status", path)? {
        "ok" => {
            let facts = p
                .get("scenario")
                .ok_or_else(|| err(path, format!("point {i} lacks \"scenario\"")))?;
            PointStatus::Ok {
                facts: kpi::read_facts(facts, path)?,
                checkpoints: kpi::read_checkpoints(facts, path)?,
            }
        }
        "invalid" => PointStatus::Invalid {
            problems: p
                .get("problems")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .map(|x| x.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| err(path, format!("point {i} lacks \"problems\"")))?,
        },
        other => {
            return Err(err(
                path,
                format!("point {i} has the unknown status \"{other}\""),
            ));
        }
    };
    let assumptions = match p.get("assumptions") {
        None => None,
        Some(a) => Some(serde_json::from_value(a.clone()).map_err(|e| {
            err(
                path,
                format!("point {i} has unreadable \"assumptions\": {e}"),
            )
        })?),
    };
    Ok(RecordedPoint {
        label,
        status,
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Overrides;

    /// A plan of two points, the first invalid (no lanes), the second its baseline.
    fn plan() -> Plan {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let text = r#"name = "manifest-test"
base = "base.toml"
replications = 3
baseline = "lanes=3"

[[axes]]
name = "lanes"
path = "checkpoints.bcp.stages.exit.lanes"
values = [0, 3]
"#;
        super::super::plan::parse(text, "m.toml", &fixtures, Overrides::default(), None)
            .expect("the test sweep is valid")
    }

    #[test]
    fn a_manifest_written_then_read_gives_back_the_plan() {
        let plan = plan();
        let text = manifest_text(&plan).unwrap();
        let m = Manifest::from_json(text.clone(), Path::new("d/manifest.json")).unwrap();
        assert_eq!(m.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(m.sweep, "manifest-test");
        assert_eq!(m.replications, 3);
        assert_eq!(m.baseline, Some(1));
        assert_eq!(m.labels(), ["lanes=0", "lanes=3"]);
        assert_eq!(m.text, text);
        let invalid = m.invalid();
        assert_eq!(invalid.len(), 1);
        assert_eq!(invalid[0].0, 0);
        assert_eq!(invalid[0].1.len(), 1);
        assert!(
            invalid[0].1[0].contains("checkpoints[0].stages[0].lanes"),
            "{invalid:?}"
        );
        let model = plan.points[1].model.as_ref().unwrap();
        assert_eq!(
            m.points[1].status,
            PointStatus::Ok {
                facts: Facts::of(model),
                checkpoints: kpi::checkpoints_of(model),
            }
        );
    }

    #[test]
    fn a_manifest_without_baseline_reads_as_none() {
        let mut plan = plan();
        plan.baseline = None;
        let m = Manifest::from_json(manifest_text(&plan).unwrap(), Path::new("m.json")).unwrap();
        assert_eq!(m.baseline, None);
    }

    /// The error of reading the test plan's manifest after `edit`.
    fn error_after(edit: impl Fn(&mut Value)) -> Error {
        let mut v = to_json(&plan());
        edit(&mut v);
        let path = Path::new("out/manifest.json");
        Manifest::from_json(v.to_string(), path).expect_err("a broken manifest is refused")
    }

    fn message(e: Error) -> String {
        match e {
            Error::Results { path, message } => {
                assert_eq!(path, Path::new("out/manifest.json"));
                message
            }
            e => panic!("not a results error: {e:?}"),
        }
    }

    #[test]
    fn a_missing_or_malformed_field_is_an_error_naming_the_manifest() {
        let remove =
            |key: &'static str| move |v: &mut Value| drop(v.as_object_mut().unwrap().remove(key));
        for key in ["replications", "baseline", "borderflow_version", "sweep"] {
            let m = message(error_after(remove(key)));
            assert_eq!(m, format!("missing or invalid \"{key}\""));
        }
        assert_eq!(message(error_after(remove("points"))), "missing \"points\"");
        assert_eq!(
            message(error_after(|v| v["replications"] = json!(0))),
            "\"replications\" must be a whole number from 1"
        );
        assert_eq!(
            message(error_after(|v| v["baseline"] = json!("lanes=9"))),
            "the baseline \"lanes=9\" is no point's label"
        );
        let point = |key: &'static str| {
            move |v: &mut Value| drop(v["points"][1].as_object_mut().unwrap().remove(key))
        };
        assert_eq!(
            message(error_after(point("label"))),
            "missing or invalid \"label\""
        );
        assert_eq!(
            message(error_after(point("scenario"))),
            "point 1 lacks \"scenario\""
        );
        assert_eq!(
            message(error_after(|v| {
                v["points"][0].as_object_mut().unwrap().remove("problems");
            })),
            "point 0 lacks \"problems\""
        );
        assert_eq!(
            message(error_after(|v| v["points"][1]["index"] = json!(5))),
            "point 1 has \"index\" 5 (points must be in index order)"
        );
        assert_eq!(
            message(error_after(|v| v["points"][1]["status"] = json!("done"))),
            "point 1 has the unknown status \"done\""
        );
        let e = Manifest::from_json("{".into(), Path::new("out/manifest.json")).unwrap_err();
        assert!(message(e).starts_with("invalid JSON: "));
    }

    #[test]
    fn a_directory_without_manifest_is_an_error_naming_the_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/no-such-dir");
        let e = Manifest::read(&dir).unwrap_err();
        assert!(e.is_input());
        assert!(
            e.to_string()
                .starts_with(&format!("{}: no manifest.json (", dir.display())),
            "{e}"
        );
    }
}
