//! Input errors: every kind of bad scenario file is rejected with exit 2 and a message that names
//! the file, the field and line:column (`error: FILE:L:C: FIELD: message`), for `validate` and `run`.

pub(crate) mod rail;
pub(crate) mod road;

/// One `error: FILE:L:C: PATH: message` line, taken apart.
#[derive(Debug)]
pub(crate) struct Located {
    line: usize,
    column: usize,
    /// Everything after `FILE:L:C: `: the field path and the message.
    rest: String,
}

/// The `error:` lines of `stderr` about `file` that carry a line:column.
pub(crate) fn located_errors(stderr: &str, file: &str) -> Vec<Located> {
    let prefix = format!("error: {file}:");
    stderr
        .lines()
        .filter_map(|l| {
            let tail = l.strip_prefix(&prefix)?;
            let mut parts = tail.splitn(3, ':');
            let line = parts.next()?.parse().ok()?;
            let column = parts.next()?.parse().ok()?;
            let rest = parts.next()?.trim_start().to_string();
            Some(Located { line, column, rest })
        })
        .collect()
}

pub(crate) fn error_lines(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.starts_with("error:")).count()
}
