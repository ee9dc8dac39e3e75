//! Merging shard directories of one sweep into the files one unsharded run writes.

use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::{MANIFEST_FILE, Manifest};
use super::pairing::{SweepSummary, estimate_points};
use super::results::{Results, canonical};
use super::store::{DETAIL_DIR, read_dir_results, write_runs, write_summary};
use crate::error::{Error, Result};

/// Combines shard directories into `out`: exactly the files one unsharded run writes.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<SweepSummary, Error> {
    let first = dirs
        .first()
        .ok_or_else(|| Error::Request("merge needs at least one directory".into()))?;
    let manifest_text = Manifest::read_text(first)?;
    for d in &dirs[1..] {
        if Manifest::read_text(d)? != manifest_text {
            return Err(Error::results(
                d,
                format!(
                    "holds a different sweep from {} (their manifest.json differ)",
                    first.display()
                ),
            ));
        }
    }
    let manifest = Manifest::from_json(manifest_text, &Manifest::path(first))?;
    let (labels, invalid) = (manifest.labels(), manifest.invalid());
    let (baseline, reps) = (manifest.baseline, manifest.replications);
    let mut results = Results::default();
    for d in dirs {
        let mut part = Results::default();
        read_dir_results(d, reps, &mut part)?;
        for (job, rows) in &part.jobs {
            if let Some(existing) = results.jobs.get(job) {
                if !results.named(existing).eq(part.named(rows)) {
                    return Err(Error::Request(format!(
                        "job {job} differs between shards (point {}, replication {})",
                        job / reps as usize,
                        job % reps as usize
                    )));
                }
                continue;
            }
            results.insert_named(*job, rows.len(), part.named(rows));
        }
    }
    let expected: usize = (labels.len() - invalid.len()) * reps as usize;
    let missing: Vec<usize> = (0..labels.len())
        .filter(|p| !invalid.iter().any(|(i, _)| i == p))
        .flat_map(|p| (0..reps as usize).map(move |k| p * reps as usize + k))
        .filter(|j| !results.jobs.contains_key(j))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Request(format!(
            "{} of {expected} jobs are missing from these directories (first: point {}, replication {}); run the missing shards or resume them",
            missing.len(),
            missing[0] / reps as usize,
            missing[0] % reps as usize
        )));
    }
    let results = canonical(&results);
    if out.exists()
        && fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        return Err(Error::results(
            out,
            "already holds files: merge into a new or empty directory",
        ));
    }
    fs::create_dir_all(out).map_err(|e| Error::io("cannot create", out, e))?;
    let mpath = out.join(MANIFEST_FILE);
    crate::files::write_atomic(&mpath, manifest.text.as_bytes())?;
    write_runs(out, &labels, reps, &results)?;
    // Each point's detail files were written by the shard that ran its replication 0.
    for d in dirs {
        let Ok(entries) = fs::read_dir(d.join(DETAIL_DIR)) else {
            continue;
        };
        let folder = out.join(DETAIL_DIR);
        fs::create_dir_all(&folder).map_err(|e| Error::io("cannot create", &folder, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().ends_with(".csv") {
                let (from, to) = (entry.path(), folder.join(&name));
                // A FIFO or device named like a detail file would block or never end.
                let (mut file, _) = crate::files::open_regular(&from)
                    .map_err(|e| Error::io("cannot read", &from, e))?;
                let mut copy =
                    fs::File::create(&to).map_err(|e| Error::io("cannot write", &to, e))?;
                std::io::copy(&mut file, &mut copy)
                    .map_err(|e| Error::io("cannot write", &to, e))?;
            }
        }
    }
    let pairing = manifest.pairing.clone();
    let mut summary = estimate_points(labels, invalid, baseline, pairing, reps, &results);
    summary.uncertainty = manifest.uncertainty.clone();
    write_summary(out, &summary)?;
    Ok(summary)
}
