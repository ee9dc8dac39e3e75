//! Writing result files so that none is ever left half-written.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` through a temporary file in the same folder (`NAME.tmp`), renamed
/// over `path` once complete: a killed run or a full disk never leaves half a file under the
/// final name. A path that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a pipe)
/// is written directly: it cannot be replaced, and holds no file to tear.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written or renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return fs::write(path, bytes).map_err(|e| Error::io("cannot write", path, e));
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    if let Err(e) = fs::write(&tmp, bytes) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io("cannot write", &tmp, e));
    }
    fs::rename(&tmp, path).map_err(|e| Error::io("cannot write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_appears_whole_and_no_temporary_is_left() {
        let dir = std::env::temp_dir().join(format!("borderflow-files-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("summary.json");
        fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new and complete").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new and complete");
        assert!(!dir.join("summary.json.tmp").exists());
        // A folder that does not exist: an error naming the temporary file, nothing written.
        let bad = dir.join("missing").join("x.csv");
        let e = write_atomic(&bad, b"x").unwrap_err().to_string();
        assert!(e.contains("x.csv.tmp"), "{e}");
        // A device is written as it is.
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        let _ = fs::remove_dir_all(&dir);
    }
}
