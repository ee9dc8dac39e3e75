//! The library's one error type: what went wrong, with the file, field path and line:column
//! where the input has them, and whether the input was wrong or running failed.
//!
//! [`Error::is_input`] separates the two: a wrong scenario, sweep file, results directory or
//! request is the user's to fix (the command line exits 2); a file that cannot be written or a
//! run that cannot finish is not (exit 1).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::SimError;
use crate::scenario::ScenarioError;

/// Why a library call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario or sweep file is wrong: one [`crate::scenario::Problem`] per fault, each with
    /// file, field path and line:column. Displayed one `error: …` line per problem.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A results directory or file that cannot serve the request: not a sweep's output, another
    /// sweep's, incomplete, unreadable or malformed, or not empty where an empty one is needed.
    #[error("{}: {message}", path.display())]
    Results {
        /// The directory or file at fault.
        path: PathBuf,
        /// What is wrong with it, lowercase.
        message: String,
    },
    /// A request that contradicts itself or the results it names (shards that disagree, jobs
    /// missing from every shard), where no one file is at fault.
    #[error("{0}")]
    Request(String),
    /// Reading or writing a file failed (permissions, a full disk).
    #[error("{action} {}: {message}", path.display())]
    Io {
        /// What was being done, e.g. "cannot write".
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// Running failed for a reason that is not the input's (e.g. worker threads could not start).
    #[error("{0}")]
    Failed(String),
    /// A replication could not run to its end: a deadlock, a queue beyond the vehicle budget, or
    /// a broken invariant of the simulation (a bug).
    #[error("simulation failed: {0}")]
    Simulation(#[from] SimError),
    /// The caller asked the run to stop (its cancel flag was set, e.g. by Ctrl-C in a notebook):
    /// the jobs in flight ended, no summary was written.
    #[error("interrupted")]
    Interrupted,
}

/// A library result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True if the user's input was wrong (a file, a directory or a request to fix); false if
    /// running failed.
    pub fn is_input(&self) -> bool {
        match self {
            Error::Scenario(_) | Error::Results { .. } | Error::Request(_) => true,
            Error::Io { .. } | Error::Failed(_) | Error::Simulation(_) | Error::Interrupted => {
                false
            }
        }
    }

    /// `Results` error about `path`.
    pub(crate) fn results(path: &Path, message: impl Into<String>) -> Error {
        Error::Results {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// `Io` error: `action` ("cannot write") on `path` failed with `e`.
    pub(crate) fn io(action: &'static str, path: &Path, e: impl fmt::Display) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Problem, ProblemKind};

    #[test]
    fn input_errors_and_failures_are_told_apart() {
        let scenario = Error::Scenario(ScenarioError {
            problems: vec![Problem {
                file: "a.toml".into(),
                path: "flows".into(),
                line: Some(3),
                column: Some(1),
                message: "no flows".into(),
                kind: ProblemKind::Value,
            }],
        });
        assert!(scenario.is_input());
        assert_eq!(scenario.to_string(), "error: a.toml:3:1: flows: no flows");

        let results = Error::results(Path::new("out"), "holds another sweep's results");
        assert!(results.is_input());
        assert_eq!(results.to_string(), "out: holds another sweep's results");
        assert!(Error::Request("shards disagree".into()).is_input());

        let io = Error::io("cannot write", Path::new("out/runs.csv"), "disk full");
        assert!(!io.is_input());
        assert_eq!(io.to_string(), "cannot write out/runs.csv: disk full");
        assert!(!Error::Failed("no threads".into()).is_input());
    }
}
