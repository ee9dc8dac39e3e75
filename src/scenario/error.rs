//! What is wrong with a scenario, and where: a [`Problem`] carries the file, the field path and
//! its line:column; a [`ScenarioError`] holds all of them. The [`Checker`] collects problems
//! while a scenario is checked and finds each field path's position in the text.

use std::fmt;

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file it is in.
    pub file: String,
    /// Field path, e.g. `checkpoints[0].stages[1].lanes` (empty for the file as a whole).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong, lowercase.
    pub message: String,
    /// Which check found it.
    pub kind: ProblemKind,
}

/// Which check found a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file could not be read.
    Io,
    /// Not valid TOML.
    Syntax,
    /// Valid TOML, but an unknown field, a missing field or a value of the wrong type.
    Schema,
    /// Well-formed, but a value is out of range or inconsistent with another.
    Value,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if self.path.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.path, self.message)
        }
    }
}

/// All problems found in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// One entry per problem, in file order where known.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// One step of a field path: a table key or an array index.
#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A field path under construction: `checkpoints[0].stages[1].lanes`.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldPath(Vec<Seg>);

impl FieldPath {
    /// This path followed by the table key `k`.
    pub(crate) fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    /// This path followed by the array index `i`.
    pub(crate) fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// This path followed by `rest` as a [`Problem`] writes it (`checkpoints[0].stages[1].lanes`):
    /// keys separated by dots, indices in brackets.
    pub(crate) fn join(&self, rest: &str) -> FieldPath {
        let mut p = self.clone();
        for piece in rest.split('.').filter(|s| !s.is_empty()) {
            let (key, mut tail) = piece
                .split_once('[')
                .map_or((piece, ""), |(k, _)| (k, &piece[k.len()..]));
            if !key.is_empty() {
                p.0.push(Seg::Key(key.to_string()));
            }
            while let Some(t) = tail.strip_prefix('[') {
                let Some((n, after)) = t.split_once(']') else {
                    break;
                };
                match n.parse() {
                    Ok(i) => p.0.push(Seg::Index(i)),
                    Err(_) => p.0.push(Seg::Key(n.to_string())),
                }
                tail = after;
            }
        }
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text` (the end, if beyond it).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Collects problems and maps field paths to line:column through a span-keeping parse.
pub(crate) struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    doc: Option<toml_edit::Document<&'a str>>,
    problems: Vec<(Option<usize>, Problem)>,
}

impl<'a> Checker<'a> {
    /// A checker for `text`, read from `file` (the name used in messages).
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        Checker {
            file,
            text,
            doc: toml_edit::Document::parse(text).ok(),
            problems: Vec::new(),
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }

    /// Byte offset of the value at `path`, or of its nearest located ancestor. For a key in a
    /// table, the value's own position is preferred; a table without a span (an implicit parent)
    /// falls back to the key. The ancestor of everything is the document, at its start: a
    /// missing section (`no flows`) is a problem of the file as a whole, at 1:1.
    fn offset_of(&self, path: &FieldPath) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut item: &toml_edit::Item = doc.as_item();
        let mut best = Some(0);
        for seg in &path.0 {
            let (next, key_span) = match seg {
                Seg::Key(k) => {
                    let kv = match item {
                        toml_edit::Item::Table(t) => t.get_key_value(k),
                        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => t
                            .get_key_value(k)
                            .map(|(key, _)| key)
                            .and_then(|key| item.get(k.as_str()).map(|i| (key, i))),
                        _ => None,
                    };
                    match kv {
                        Some((key, i)) => (Some(i), key.span()),
                        None => (None, None),
                    }
                }
                Seg::Index(i) => (item.get(*i), None),
            };
            let Some(next) = next else { return best };
            best = next.span().or(key_span).map(|s| s.start).or(best);
            item = next;
        }
        best
    }

    /// Records a problem with the value at `path`, located in the text where possible.
    pub(crate) fn report(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.report_kind(path, message, ProblemKind::Value);
    }

    /// Records a value of the wrong type at `path` (a schema problem, like those serde finds:
    /// a sweep that sets it is wrong itself, not just the point it makes).
    pub(crate) fn report_type(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.report_kind(path, message, ProblemKind::Schema);
    }

    /// The file the checker reports on.
    pub(crate) fn file(&self) -> &str {
        self.file
    }

    /// Line and column of the value at `path` (or of its nearest located ancestor).
    pub(crate) fn locate(&self, path: &FieldPath) -> Option<(usize, usize)> {
        self.offset_of(path).map(|o| self.line_col(o))
    }

    /// Records a problem found elsewhere (another file's), as it is; it sorts after this file's.
    pub(crate) fn push(&mut self, problem: Problem) {
        self.problems.push((None, problem));
    }

    /// Records a problem of kind `kind` at `path`.
    pub(crate) fn report_kind(
        &mut self,
        path: &FieldPath,
        message: impl Into<String>,
        kind: ProblemKind,
    ) {
        let off = self.offset_of(path);
        let (line, column) = match off {
            Some(o) => {
                let (l, c) = self.line_col(o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.problems.push((
            off,
            Problem {
                file: self.file.to_string(),
                path: path.to_string(),
                line,
                column,
                message: message.into(),
                kind,
            },
        ));
    }

    /// Whether no problem has been recorded.
    pub(crate) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// All recorded problems, in file order.
    pub(crate) fn into_error(mut self) -> ScenarioError {
        // File order where known; stable, so same-place problems keep their check order.
        self.problems.sort_by_key(|(o, _)| o.unwrap_or(usize::MAX));
        ScenarioError {
            problems: self.problems.into_iter().map(|(_, p)| p).collect(),
        }
    }
}

/// The candidate closest to `word` in edit distance, if close enough to be a likely typo (at
/// most a third of the word's letters, and at least 1): for "did you mean" hints.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_path_joins_as_keys_and_indices() {
        let p = FieldPath::default().key("base");
        assert_eq!(
            p.join("checkpoints[0].stages[12].lanes.08:00-20:00")
                .to_string(),
            "base.checkpoints[0].stages[12].lanes.08:00-20:00"
        );
        assert_eq!(p.join("").to_string(), "base");
        assert_eq!(
            FieldPath::default().join("flows[1][2].x").to_string(),
            "flows[1][2].x"
        );
    }

    #[test]
    fn typos_find_the_word_meant() {
        assert_eq!(edit_distance("perishible", "perishable"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let declared = ["perishable", "bulk", "general"];
        assert_eq!(closest("perishible", declared), Some("perishable"));
        assert_eq!(closest("blk", declared), Some("bulk"));
        assert_eq!(closest("container", declared), None);
    }
}
