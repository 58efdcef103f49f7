//! Errors at the edge: bad input is a typed error with a place (file, line,
//! column) and exit code 2; a broken invariant inside the simulator is a bug
//! and exits 3 naming the seed and the event.

use std::fmt;

/// Exit codes of the `mesosim` binary (see docs/format.md).
pub mod exit {
    pub const OK: i32 = 0;
    pub const REGRESSION: i32 = 1;
    pub const INPUT: i32 = 2;
    pub const INTERNAL: i32 = 3;
}

/// A problem with a file or value the user gave us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    /// 1-based line and column, where there is one.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl InputError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> InputError {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl InputError {
    /// The place and message without the file name (what `summary.json`
    /// keeps: outputs never depend on where the scenario file was).
    pub fn without_file(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("line {l}, column {c}: {}", self.message),
            (Some(l), None) => format!("line {l}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            // `FILE:L:C:` first, as editors and CI annotators parse it; the
            // words after keep the place readable (and the contract's
            // "names the line") for people.
            (Some(l), Some(c)) => write!(
                f,
                "{}:{l}:{c}: {} (line {l}, column {c})",
                self.file, self.message
            ),
            (Some(l), None) => write!(f, "{}:{l}: {} (line {l})", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// A broken invariant: a bug in mesosim, reported with what reproduces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvariantError {
    pub seed: u64,
    pub time: String,
    pub seq: u64,
    pub event: String,
    pub message: String,
}

impl fmt::Display for InvariantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "internal invariant broken (a bug in mesosim; please report it): {} \
             [seed {}, time {} s, event #{} {}]",
            self.message, self.seed, self.time, self.seq, self.event
        )
    }
}

impl std::error::Error for InvariantError {}

/// Every error a command can end with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Invariant(#[from] InvariantError),
    /// `check` found a regression (exit 1); the message is the report.
    #[error("{0}")]
    Regression(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Usage(_) | Error::Io(_) => exit::INPUT,
            Error::Invariant(_) => exit::INTERNAL,
            Error::Regression(_) => exit::REGRESSION,
        }
    }

    pub fn io(what: impl fmt::Display, err: impl fmt::Display) -> Error {
        Error::Io(format!("{what}: {err}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_key() {
        let keys = ["name", "agents", "frameworks", "events"];
        assert_eq!(nearest("agentz", keys), Some("agents"));
        assert_eq!(nearest("framework", keys), Some("frameworks"));
        assert_eq!(nearest("zzzzzzzz", keys), None);
    }

    #[test]
    fn displays_place() {
        let e = InputError::new("a.yaml", "bad").at(3, 7);
        assert_eq!(e.to_string(), "a.yaml:3:7: bad (line 3, column 7)");
    }
}
