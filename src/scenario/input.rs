//! Reading an input file (a scenario, a sweep, a sweep's base) before any parsing: regular files
//! only, at most [`MAX_INPUT_BYTES`], valid UTF-8 — each refusal names the file and, for bad
//! UTF-8, the line:column of the first bad byte. And the first syntax error of a long text found
//! statement by statement, so garbage is reported from its first bad line without reading the
//! whole document into a parse tree.

use std::io::Read as _;
use std::path::Path;

use super::error::{Problem, ProblemKind, ScenarioError, line_col};
use crate::files::{kind_of, mib};

/// The largest scenario or sweep file read [bytes]: 8 MiB, about 280 times the largest shipped
/// scenario (30 KB). A larger file is refused before it is read.
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// Why a file was not read: it cannot be read as a file (`Unreadable`, with the reason), or its
/// bytes are not UTF-8 (at a line and column).
pub(crate) enum Refusal {
    /// Not a regular file, too large, or the system refused: the reason, lowercase.
    Unreadable(String),
    /// The first byte that is not UTF-8: its 1-based line and column, and the message.
    NotUtf8 {
        /// 1-based line.
        line: usize,
        /// 1-based column in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl Refusal {
    /// This refusal as a problem of `file`, where a file that cannot be read is said to be a
    /// `what` ("scenario file").
    pub(crate) fn into_error(self, file: &str, what: &str) -> ScenarioError {
        let (line, column, message, kind) = match self {
            Refusal::Unreadable(reason) => (
                None,
                None,
                format!("cannot read the {what}: {reason}"),
                ProblemKind::Io,
            ),
            Refusal::NotUtf8 {
                line,
                column,
                message,
            } => (Some(line), Some(column), message, ProblemKind::Syntax),
        };
        ScenarioError {
            problems: vec![Problem {
                file: file.to_string(),
                path: String::new(),
                line,
                column,
                message,
                kind,
            }],
        }
    }
}

/// The text of the `what` ("scenario file", "sweep file") at `path`: see [`read_checked`].
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, ScenarioError> {
    read_checked(path).map_err(|r| r.into_error(&path.display().to_string(), what))
}

/// The text of the file at `path`. Refused at once, without opening it: anything but a regular
/// file (a FIFO would block, a device never ends) and a file over [`MAX_INPUT_BYTES`]. Refused
/// after reading: bytes that are not UTF-8, at the line:column of the first bad one.
pub(crate) fn read_checked(path: &Path) -> Result<String, Refusal> {
    let io = |e: std::io::Error| Refusal::Unreadable(e.to_string());
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Refusal::Unreadable(format!(
            "it is {}, not a regular file",
            kind_of(&meta)
        )));
    }
    let too_big = |size: String| {
        Refusal::Unreadable(format!(
            "it is {size}: larger than the {} a scenario or sweep file may have",
            mib(MAX_INPUT_BYTES)
        ))
    };
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_big(format!(
            "{} ({} bytes)",
            mib(meta.len()),
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    // The file may have grown since it was measured.
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_big(format!("more than {}", mib(MAX_INPUT_BYTES))));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The prefix before `at` is valid UTF-8, so its lines and columns are characters.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let (line, column) = line_col(before, at);
        Refusal::NotUtf8 {
            line,
            column,
            message: format!(
                "not valid UTF-8 (byte 0x{:02X} cannot start or continue a character here): save the file as UTF-8",
                bytes[at]
            ),
        }
    })
}

/// Texts longer than this [bytes] are scanned for their first syntax error before they are
/// parsed whole (see [`first_syntax_error_end`]): 256 KiB, eight times the largest shipped
/// scenario, where a whole parse still takes milliseconds.
pub(crate) const EARLY_SYNTAX_BYTES: usize = 256 * 1024;

/// The end (byte offset) of the first top-level statement of `text` that is not valid TOML, or
/// `None` if every statement parses. A statement is what lies between newlines outside brackets
/// (a key = value, possibly over several lines, or a table header). Each is parsed on its own, so
/// the work before the first error is proportional to the text up to it; the caller then parses
/// only `text[..end]` to report that error as the full parser words it.
pub(crate) fn first_syntax_error_end(text: &str) -> Option<usize> {
    use toml_parser::lexer::TokenKind;
    let mut depth = 0usize;
    let mut start = 0;
    for token in toml_parser::Source::new(text).lex() {
        match token.kind() {
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                depth = depth.saturating_sub(1)
            }
            // A newline outside brackets ends a statement; the end of the text ends the last.
            TokenKind::Newline if depth == 0 => {}
            TokenKind::Eof => {}
            _ => continue,
        }
        if matches!(token.kind(), TokenKind::Newline | TokenKind::Eof) {
            let end = token.span().end();
            if statement_is_bad(&text[start..end]) {
                return Some(end);
            }
            start = end;
        }
    }
    None
}

/// True if `statement` (one top-level statement and its newline) is not valid TOML syntax.
fn statement_is_bad(statement: &str) -> bool {
    let tokens = toml_parser::Source::new(statement).lex().into_vec();
    let mut error: Option<toml_parser::ParseError> = None;
    toml_parser::parser::parse_document(&tokens, &mut (), &mut error);
    error.is_some()
}

/// What an input file is, by its top-level keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A scenario: `[simulation]`, `[[checkpoints]]`, `[[flows]]`, ….
    Scenario,
    /// A sweep: `base` and `[[axes]]`, maybe `[[policies]]`.
    Sweep,
}

/// The keys at the top of `text`, each with the byte offset where it is written: bare or quoted
/// keys of top-level statements before the first table header, and the first key of each table
/// header (`[simulation]`, `[[axes]]`, `[base.simulation]`). A light scan (lexing only), so that
/// a file can be told a scenario or a sweep before it is parsed, even when it is not valid.
fn top_keys(text: &str) -> Vec<(String, usize)> {
    use toml_parser::lexer::TokenKind as K;
    let mut keys = Vec::new();
    let (mut depth, mut at_start, mut header_seen, mut want_header_key) =
        (0usize, true, false, false);
    for token in toml_parser::Source::new(text).lex() {
        let kind = token.kind();
        let span = token.span();
        match kind {
            K::Whitespace | K::Comment => continue,
            K::Newline if depth == 0 => {
                at_start = true;
                continue;
            }
            _ => {}
        }
        let key_token = matches!(kind, K::Atom | K::BasicString | K::LiteralString);
        if want_header_key && key_token {
            want_header_key = false;
            keys.push((unquoted(&text[span.start()..span.end()]), span.start()));
        } else if at_start && depth == 0 {
            if kind == K::LeftSquareBracket {
                header_seen = true;
                want_header_key = true;
            } else if key_token && !header_seen {
                keys.push((unquoted(&text[span.start()..span.end()]), span.start()));
            }
        }
        at_start = false;
        match kind {
            K::LeftSquareBracket | K::LeftCurlyBracket => depth += 1,
            K::RightSquareBracket | K::RightCurlyBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    keys
}

/// A key as written, without its quotes.
fn unquoted(raw: &str) -> String {
    raw.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Whether `text` is a sweep file (it has `base`, `axes` or `policies` at the top and no
/// `[simulation]`) or, otherwise, a scenario.
pub fn input_kind(text: &str) -> InputKind {
    let keys = top_keys(text);
    let has = |k: &str| keys.iter().any(|(x, _)| x == k);
    if !has("simulation") && (has("base") || has("axes") || has("policies")) {
        InputKind::Sweep
    } else {
        InputKind::Scenario
    }
}

/// If `text` (from `file`) is not a `want` file but the other kind, the problem that says so,
/// at the first key that shows it: `run` given a sweep, `sweep` given a scenario.
pub(crate) fn wrong_kind(text: &str, file: &str, want: InputKind) -> Option<ScenarioError> {
    let keys = top_keys(text);
    let kind = input_kind(text);
    if kind == want {
        return None;
    }
    let (shown, message) = match kind {
        InputKind::Sweep => (
            ["base", "axes", "policies"],
            "this is a sweep file (it has `base` and [[axes]]), not a scenario: run it with \
             `borderflow sweep`",
        ),
        InputKind::Scenario => (
            ["simulation", "checkpoints", "flows"],
            "this is a scenario file (it has [simulation]), and `sweep` expects a sweep file: a \
             `base` scenario and [[axes]] of changes (see the README, Sweeps); run a scenario with \
             `borderflow run`",
        ),
    };
    let at = keys
        .iter()
        .find(|(k, _)| shown.contains(&k.as_str()))
        .map_or(0, |(_, o)| *o);
    // A file that shows neither kind is left to the parser to explain.
    if kind == InputKind::Scenario && !keys.iter().any(|(k, _)| shown.contains(&k.as_str())) {
        return None;
    }
    let (line, column) = line_col(text, at);
    Some(ScenarioError {
        problems: vec![Problem {
            file: file.to_string(),
            path: String::new(),
            line: Some(line),
            column: Some(column),
            message: message.to_string(),
            kind: ProblemKind::Schema,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_statement_ends_the_scan() {
        let good = "[simulation]\nname = \"x\" # a comment with [ and {\nlist = [\n  1,\n  2,\n]\nt = { a = 1 }\ns = \"\"\"\nmulti ]\nline\"\"\"\n";
        assert_eq!(first_syntax_error_end(good), None);
        let bad = format!("{good}garbage line = = =\nmore = = =\n");
        assert_eq!(
            first_syntax_error_end(&bad),
            Some(good.len() + "garbage line = = =\n".len())
        );
        // An unclosed bracket runs to the end of the text.
        assert_eq!(first_syntax_error_end("a = 1\nb = [1,\n"), Some(14));
        assert_eq!(first_syntax_error_end("a = 1"), None);
    }

    #[test]
    fn top_keys_tell_a_sweep_from_a_scenario() {
        let sweep = "# a sweep\nname = \"s\"\nbase = \"b.toml\"\n\n[[axes]]\npath = \"x\"\nvalues = [1, [2]]\n";
        let keys: Vec<String> = top_keys(sweep).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["name", "base", "axes"]);
        assert_eq!(input_kind(sweep), InputKind::Sweep);
        let inline = "name = \"s\"\n[base.simulation]\nname = \"x\"\n[[base.flows]]\nid = \"f\"\n";
        assert_eq!(input_kind(inline), InputKind::Sweep);
        let scenario =
            "[simulation]\nname = \"x\"\n[[checkpoints]]\nid = \"c\"\n[[checkpoints.stages]]\n";
        assert_eq!(input_kind(scenario), InputKind::Scenario);
        assert_eq!(input_kind("garbage = = ="), InputKind::Scenario);
        assert_eq!(
            input_kind("\"simulation\" = { name = \"x\" }\naxes = []"),
            InputKind::Scenario
        );
        let e = wrong_kind(scenario, "s.toml", InputKind::Sweep)
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("error: s.toml:1:2: this is a scenario file"),
            "{e}"
        );
        let e = wrong_kind(sweep, "w.toml", InputKind::Scenario)
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("error: w.toml:3:1: this is a sweep file"),
            "{e}"
        );
        assert!(wrong_kind(sweep, "w.toml", InputKind::Sweep).is_none());
        assert!(wrong_kind("x = 1", "w.toml", InputKind::Sweep).is_none());
    }
}
