//! Input errors: every kind of bad scenario file is rejected with exit 2 and a message that names
//! the file, the field and line:column (`error: FILE:L:C: FIELD: message`), for `validate` and `run`.

pub(crate) mod consistency;
pub(crate) mod crossings;
pub(crate) mod files;
pub(crate) mod grammar;
pub(crate) mod messages;
pub(crate) mod rail;
pub(crate) mod road;
pub(crate) mod uncertain;

use crate::common::*;

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

/// Which field paths a rejection may name.
#[derive(Clone, Copy)]
pub(crate) enum Field<'a> {
    /// Exactly this path.
    Exactly(&'a str),
    /// This path or one inside it (`….service.dist` for `….service`).
    Within(&'a str),
}

/// Asserts that both `validate` and `run` reject `text` with exit 2, no panic, no results, and
/// an error line `FILE:L:C: FIELD: message` whose L is the line of the first line containing
/// `line_needle`, whose C lies on that line, and whose message contains `says`.
pub(crate) fn assert_rejected(tag: &str, text: &str, field: Field, line_needle: &str, says: &str) {
    let f = TempFile::new(tag, text);
    let want_line = line_of(text, line_needle);
    let line_len = text.lines().nth(want_line - 1).unwrap().chars().count();
    let file = f.name();
    let (Field::Exactly(path) | Field::Within(path)) = field;
    for args in [
        vec!["validate", file.as_str()],
        vec!["run", file.as_str(), "--replications", "1"],
    ] {
        let o = borderflow(&args);
        let err = stderr(&o);
        assert_eq!(
            code(&o),
            Some(2),
            "{args:?} must exit 2\nstderr:\n{err}\nstdout:\n{}",
            stdout(&o)
        );
        assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
        assert!(
            err.contains(&file),
            "{args:?}: stderr must name the file:\n{err}"
        );
        let hit = located_errors(&err, &file).into_iter().find(|e| {
            let Some(rest) = e.rest.strip_prefix(path) else {
                return false;
            };
            let message = match (field, rest.split_once(": ")) {
                (Field::Exactly(_), Some(("", msg))) => msg,
                (Field::Within(_), Some((sub, msg)))
                    if sub.is_empty() || sub.starts_with('.') || sub.starts_with('[') =>
                {
                    msg
                }
                _ => "",
            };
            !message.trim().is_empty()
        });
        let Some(hit) = hit else {
            panic!("{args:?}: no `{file}:L:C: {path}: message` line in stderr:\n{err}");
        };
        assert_eq!(
            hit.line, want_line,
            "{args:?}: {path} is on line {want_line} (the line with {line_needle:?}):\n{err}"
        );
        assert!(
            hit.column >= 1 && hit.column <= line_len + 1,
            "{args:?}: column {} is outside line {want_line} ({line_len} chars):\n{err}",
            hit.column
        );
        assert!(
            hit.rest.contains(says),
            "{args:?}: the message should say {says:?}:\n{err}"
        );
        assert!(
            stdout(&o).trim().is_empty() || args[0] == "validate",
            "{args:?}: a rejected run prints no results:\n{}",
            stdout(&o)
        );
    }
}
