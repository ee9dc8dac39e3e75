//! Writing result files so that none is ever left half-written, and reading back only regular
//! files (a FIFO named like a result file would block forever, a device would never end).

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

/// The text of the regular file at `path` (a result file, a benchmark baseline). Anything else —
/// a FIFO, a device, a directory — is refused before it is opened, and a file larger than
/// `max_bytes` before it is read.
///
/// # Errors
/// An [`std::io::Error`] whose message says why: the system's, or "it is a FIFO (named pipe),
/// not a regular file", or "it is 70.0 MiB, larger than the 64.0 MiB it may have".
pub fn read_regular(path: &Path, max_bytes: u64) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read as _};
    let (file, meta) = open_regular(path)?;
    let too_big = |size: u64| {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "it is {}, larger than the {} it may have",
                mib(size),
                mib(max_bytes)
            ),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::InvalidData, e))
}

/// The regular file at `path`, opened, with its metadata; anything else is refused before it is
/// opened (see [`read_regular`]).
///
/// # Errors
/// The system's, or one saying what `path` is instead ("a FIFO (named pipe), not a regular file").
pub fn open_regular(path: &Path) -> std::io::Result<(fs::File, fs::Metadata)> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {}, not a regular file", kind_of(&meta)),
        ));
    }
    Ok((fs::File::open(path)?, meta))
}

/// What kind of thing a path that is not a regular file names, for messages ("a directory",
/// "a FIFO (named pipe)", …).
pub(crate) fn kind_of(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// "8.0 MiB" for a size in bytes.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
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

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = std::env::temp_dir().join(format!("borderflow-read-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("runs.csv");
        fs::write(&path, "0123456789").unwrap();
        // No limit (u64::MAX must not wrap to a limit of 0), the exact size, one byte short.
        assert_eq!(read_regular(&path, u64::MAX).unwrap(), "0123456789");
        assert_eq!(read_regular(&path, 10).unwrap(), "0123456789");
        let e = read_regular(&path, 9).unwrap_err().to_string();
        assert!(e.contains("larger than the 0.0 MiB it may have"), "{e}");
        let e = read_regular(&dir, u64::MAX).unwrap_err().to_string();
        assert_eq!(e, "it is a directory, not a regular file");
        let e = read_regular(Path::new("/dev/zero"), u64::MAX)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "it is a character device, not a regular file");
        let _ = fs::remove_dir_all(&dir);
    }
}
