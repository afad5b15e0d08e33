//! Source positions and the parse error type of the Cypher front end.

use std::fmt;

/// A 1-based line and column (in characters) in the query text; 0 means unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    /// Line number, starting at 1 (0 if unknown).
    pub line: u32,
    /// Column number in characters, starting at 1 (0 if unknown).
    pub column: u32,
}

impl Location {
    /// Builds a location from a 1-based line and column.
    pub fn new(line: u32, column: u32) -> Self {
        Location { line, column }
    }
}

/// Writes the position suffix shared by every error: " at line L, column C" (nothing if unknown).
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return Ok(());
        }
        write!(f, " at line {}, column {}", self.line, self.column)
    }
}

/// A range in the source: `start` is the first character, `end` is just past the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Location of the first character.
    pub start: Location,
    /// Location just after the last character.
    pub end: Location,
}

impl Span {
    /// Builds a span from its two ends.
    pub fn new(start: Location, end: Location) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn union(&self, other: &Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Everything that can go wrong turning Cypher text into a syntax tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Lexical error, e.g. "Unterminated string literal" or "Unexpected character '#'".
    #[error("{message}{location}")]
    Tokenizer {
        /// What went wrong.
        message: String,
        /// Where it went wrong.
        location: Location,
    },
    /// Grammar error, e.g. "Expected: an expression, found: RETURN".
    #[error("{message}{location}")]
    Syntax {
        /// What went wrong.
        message: String,
        /// Where it went wrong.
        location: Location,
    },
    /// The query nests deeper than the parser's recursion limit.
    #[error("recursion limit exceeded{location}")]
    RecursionLimitExceeded {
        /// Where the limit was reached.
        location: Location,
    },
    /// A write clause such as CREATE; coopgraph is read-only.
    #[error("write clause {clause} is not supported: coopgraph is read-only; data comes from ingest and import{location}")]
    UnsupportedWriteClause {
        /// The clause keyword(s) in upper case, e.g. "DETACH DELETE".
        clause: String,
        /// Where the clause starts.
        location: Location,
    },
}

impl ParseError {
    /// The source location the error points at.
    pub fn location(&self) -> Location {
        match self {
            ParseError::Tokenizer { location, .. }
            | ParseError::Syntax { location, .. }
            | ParseError::RecursionLimitExceeded { location }
            | ParseError::UnsupportedWriteClause { location, .. } => *location,
        }
    }

    /// The message without the position suffix, for callers that show the position
    /// themselves (`<query>:1:10: error: …`).
    pub fn message(&self) -> String {
        let full = self.to_string();
        let suffix = self.location().to_string();
        full.strip_suffix(suffix.as_str())
            .unwrap_or(&full)
            .to_string()
    }

    /// The message and the offending source line with a caret under the column, without
    /// the position in words (the caller's prefix gives it).
    pub fn render_excerpt(&self, source: &str) -> String {
        let loc = self.location();
        if loc.line == 0 {
            return format!("error: {self}");
        }
        format!("error: {}{}", self.message(), caret_excerpt(source, loc))
    }

    /// Renders the error with the offending source line and a caret under the column.
    ///
    /// ```text
    /// error: Expected: an expression, found: RETURN at line 2, column 7
    ///   |
    /// 2 | WHERE RETURN x
    ///   |       ^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let loc = self.location();
        if loc.line == 0 {
            return format!("error: {self}");
        }
        format!("error: {self}{}", caret_excerpt(source, loc))
    }
}

/// The lines under an error message that show where it is: a gutter, the source line
/// `loc` is on (numbered), and a caret under its column, each line starting with `\n`.
pub fn caret_excerpt(source: &str, loc: Location) -> String {
    let line_text = source
        .split('\n')
        .nth((loc.line as usize).saturating_sub(1))
        .unwrap_or("")
        .trim_end_matches('\r');
    let number = loc.line.to_string();
    let gutter = " ".repeat(number.len());
    let pad: String = line_text
        .chars()
        .take((loc.column as usize).saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("\n{gutter} |\n{number} | {line_text}\n{gutter} | {pad}^")
}
