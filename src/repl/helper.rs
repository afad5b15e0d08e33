//! The line editor's helper: completion, syntax highlighting, history hints and the
//! test for a complete statement, all read from the Cypher tokenizer's tokens.

use crate::app::shell::commands::{self, ArgKind};
pub use crate::app::shell::vocabulary::Vocabulary;
use crate::cypher::tokenizer::{is_ident_part, Token, TokenWithSpan, Tokenizer, KEYWORDS};

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Cmd, ConditionalEventHandler, Context, Event, EventContext, RepeatCount};
use std::borrow::Cow;
use std::cell::Cell;

/// The prompt of the first line of a statement.
pub const PROMPT: &str = "coopgraph> ";
/// What a continuation line starts with in the buffer: blanks as wide as the prompt,
/// which the highlighter draws as [`CONTINUATION`].
const INDENT: &str = "           ";
/// How a continuation line's indentation is drawn (as wide as [`PROMPT`]).
const CONTINUATION: &str = "        -> ";

const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const LABEL: &str = "\x1b[33m";
const PARAM: &str = "\x1b[35m";
const NUMBER: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const BRACKET: &str = "\x1b[1;7m";
const RESET: &str = "\x1b[0m";

/// What the shell does with the text typed so far when Enter is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Run it: a meta-command, text ending in `;`, a single line that is a whole
    /// statement, or a single line whose syntax error is not at its end (to show it).
    Complete,
    /// Read another line: an open string, comment or statement.
    Incomplete,
}

/// Decides whether `text` is ready to run. A statement spread over several lines runs
/// only once it ends with `;`; a single line also runs when it parses as a whole.
pub fn completeness(text: &str) -> Completeness {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with(':') {
        return Completeness::Complete;
    }
    let (tokens, err) = Tokenizer::new(text).tokenize_partial();
    if let Some((_, e)) = err {
        return if e.to_string().starts_with("Unterminated") {
            Completeness::Incomplete
        } else {
            Completeness::Complete
        };
    }
    let last = tokens.iter().rev().find(|t| t.token != Token::Eof);
    if last.is_some_and(|t| t.token == Token::Semicolon) {
        return Completeness::Complete;
    }
    if trimmed.contains('\n') {
        return Completeness::Incomplete;
    }
    match crate::cypher::parse(text) {
        Ok(_) => Completeness::Complete,
        Err(e) => {
            let eof = tokens.last().map(|t| t.span.start);
            if Some(e.location()) == eof {
                Completeness::Incomplete
            } else {
                Completeness::Complete
            }
        }
    }
}

/// The label of the node whose name a string being typed is: `(:Label {name: '…`, or
/// `x.key = '…` where `x` is bound as `(x:Label`.
fn label_context(tokens: &[TokenWithSpan]) -> Option<&str> {
    fn word(t: &TokenWithSpan) -> Option<&str> {
        match &t.token {
            Token::Word(w) | Token::QuotedIdent(w) => Some(w.as_str()),
            _ => None,
        }
    }
    let tokens = match tokens.split_last() {
        Some((last, rest)) if last.token == Token::Eof => rest,
        _ => tokens,
    };
    let labelled = |i: usize| -> Option<&str> {
        (i >= 1 && tokens[i - 1].token == Token::Colon)
            .then(|| word(&tokens[i]))
            .flatten()
    };
    let mut open = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.token {
            Token::LParen | Token::LBracket | Token::LBrace => open.push(i),
            Token::RParen | Token::RBracket | Token::RBrace => {
                open.pop();
            }
            _ => {}
        }
    }
    if let Some(&i) = open.last() {
        if tokens[i].token == Token::LBrace {
            return i.checked_sub(1).and_then(labelled);
        }
    }
    let n = tokens.len();
    if n >= 4 && tokens[n - 1].token == Token::Eq && tokens[n - 3].token == Token::Dot {
        let var = word(&tokens[n - 4])?;
        return (2..n - 1).find_map(|i| {
            (tokens[i - 2].token == Token::LParen && word(&tokens[i - 1]) == Some(var))
                .then(|| labelled(i + 1))
                .flatten()
        });
    }
    None
}

/// The rustyline helper of the shell.
pub struct ShellHelper {
    /// The words to complete.
    pub vocab: Vocabulary,
    color: bool,
    files: FilenameCompleter,
    hinter: HistoryHinter,
    /// False for the final drawing of an accepted line (no bracket marks then).
    live: Cell<bool>,
}

impl ShellHelper {
    /// A helper; `color` false draws no ANSI colours (`NO_COLOR`).
    pub fn new(vocab: Vocabulary, color: bool) -> ShellHelper {
        ShellHelper {
            vocab,
            color,
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
            live: Cell::new(true),
        }
    }

    fn paint(&self, out: &mut String, style: &str, text: &str) {
        if self.color && !style.is_empty() {
            out.push_str(style);
            out.push_str(text);
            out.push_str(RESET);
        } else {
            out.push_str(text);
        }
    }

    /// Draws Cypher text: keywords, strings, labels and types, parameters, numbers,
    /// comments, the bracket matching the one at the cursor, and continuation marks.
    fn highlight_cypher(&self, out: &mut String, text: &str, cursor: Option<usize>) {
        let (tokens, err) = Tokenizer::new(text).tokenize_partial();
        let styles = token_styles(&tokens);
        let matched = cursor.and_then(|c| matching_brackets(&tokens, c));
        let mut at = 0;
        for (i, t) in tokens.iter().enumerate() {
            if t.token == Token::Eof {
                break;
            }
            self.gap(out, &text[at..t.start_byte]);
            let style = if matched.is_some_and(|(a, b)| a == i || b == i) {
                BRACKET
            } else {
                styles[i]
            };
            self.paint(out, style, &text[t.start_byte..t.end_byte]);
            at = t.end_byte;
        }
        if let Some((from, e)) = err {
            let from = from.max(at);
            self.gap(out, &text[at..from]);
            let rest = &text[from..];
            let style = if e.to_string().contains("string") {
                STRING
            } else if rest.starts_with("/*") {
                DIM
            } else {
                ""
            };
            self.paint_lines(out, style, rest);
        } else {
            self.gap(out, &text[at..]);
        }
    }

    /// Draws the text between tokens: blanks (continuation marks after a newline) and
    /// comments.
    fn gap(&self, out: &mut String, gap: &str) {
        let style = if gap.trim().is_empty() { "" } else { DIM };
        self.paint_lines(out, style, gap);
    }

    /// Paints `text` line by line, drawing each continuation indentation as the mark.
    fn paint_lines(&self, out: &mut String, style: &str, text: &str) {
        for (k, line) in text.split('\n').enumerate() {
            let mut line = line;
            if k > 0 {
                out.push('\n');
                if let Some(rest) = line.strip_prefix(INDENT) {
                    self.paint(out, DIM, CONTINUATION);
                    line = rest;
                }
            }
            self.paint(out, style, line);
        }
    }

    /// Completes Cypher at byte `pos` of `text`: returns where the replaced word starts
    /// and the candidates.
    fn complete_cypher(&self, text: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &text[..pos];
        let (tokens, err) = Tokenizer::new(before).tokenize_partial();
        if let Some((q, e)) = err {
            if e.to_string().starts_with("Unterminated string") {
                let quote = &before[q..q + 1];
                let typed = &before[q + 1..];
                let close = if text[pos..].starts_with(quote) {
                    ""
                } else {
                    quote
                };
                let label = label_context(&tokens);
                let pairs = self
                    .vocab
                    .names_matching(typed, label, 200)
                    .into_iter()
                    .map(|(own, alias)| Pair {
                        display: match alias {
                            Some(a) => format!("{own} ({a})"),
                            None => own.to_string(),
                        },
                        replacement: format!(
                            "{}{close}",
                            own.replace(quote, &format!("\\{quote}"))
                        ),
                    })
                    .collect();
                return (q + 1, pairs);
            }
            if before.ends_with('$') {
                let pairs = self
                    .vocab
                    .params
                    .iter()
                    .map(|p| Pair {
                        display: p.clone(),
                        replacement: p.clone(),
                    })
                    .collect();
                return (pos, pairs);
            }
            return (pos, Vec::new());
        }
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_ident_part(c))
            .last()
            .map_or(pos, |(i, _)| i);
        let word = &before[start..];
        let prior: Vec<&TokenWithSpan> = tokens
            .iter()
            .filter(|t| t.token != Token::Eof && t.end_byte <= start)
            .collect();
        let prev = prior.last().map(|t| &t.token);
        let starting = |list: &[String]| -> Vec<Pair> {
            list.iter()
                .filter(|c| c.starts_with(word))
                .map(|c| Pair {
                    display: c.clone(),
                    replacement: c.clone(),
                })
                .collect()
        };
        if before[..start].ends_with('$') {
            return (start, starting(&self.vocab.params));
        }
        match prev {
            Some(Token::Colon | Token::Pipe) => match innermost_bracket(&prior) {
                Some(Token::LBrace) => (start, Vec::new()),
                Some(Token::LBracket) => (start, starting(&self.vocab.rel_types)),
                _ if prev == Some(&Token::Pipe) => (start, Vec::new()),
                _ => (start, starting(&self.vocab.labels)),
            },
            Some(Token::Dot) => (start, starting(&self.vocab.keys)),
            _ if word.is_empty() => (start, Vec::new()),
            _ => (start, general_candidates(word, &tokens)),
        }
    }
}

/// Keywords (in the case the word is typed in), functions with their `(`, and the
/// variables of the statement, that start with `word`.
fn general_candidates(word: &str, tokens: &[TokenWithSpan]) -> Vec<Pair> {
    let lower = word.chars().any(|c| c.is_ascii_lowercase())
        && !word.chars().any(|c| c.is_ascii_uppercase());
    let mut out: Vec<Pair> = Vec::new();
    let mut push = |display: String, replacement: String| {
        if !out.iter().any(|p| p.replacement == replacement) {
            out.push(Pair {
                display,
                replacement,
            });
        }
    };
    for v in variables(tokens) {
        if v.starts_with(word) && v != word {
            push(v.to_string(), v.to_string());
        }
    }
    for k in KEYWORDS {
        if k.len() >= word.len() && k[..word.len()].eq_ignore_ascii_case(word) {
            let k = if lower && k.chars().all(|c| c.is_ascii_uppercase()) {
                k.to_ascii_lowercase()
            } else {
                k.to_string()
            };
            push(k.clone(), k);
        }
    }
    for f in crate::query::function_names() {
        if f.len() >= word.len() && f[..word.len()].eq_ignore_ascii_case(word) {
            push(f.to_string(), format!("{f}("));
        }
    }
    out
}

/// Names bound in the statement: a word right after `(` or `[` (pattern variables) or
/// after `AS`.
fn variables(tokens: &[TokenWithSpan]) -> Vec<&str> {
    let mut out = Vec::new();
    for w in tokens.windows(2) {
        if let Token::Word(name) = &w[1].token {
            let binds = matches!(w[0].token, Token::LParen | Token::LBracket)
                || w[0].token.is_keyword("AS");
            if binds && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                out.push(name.as_str());
            }
        }
    }
    out
}

/// The innermost bracket still open after `tokens`.
fn innermost_bracket<'t>(tokens: &[&'t TokenWithSpan]) -> Option<&'t Token> {
    let mut stack = Vec::new();
    for t in tokens {
        match t.token {
            Token::LParen | Token::LBracket | Token::LBrace => stack.push(&t.token),
            Token::RParen | Token::RBracket | Token::RBrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// The style of each token: a keyword; a label or type (a word after `:` or `|` outside
/// a map); a string, parameter or number; else none.
fn token_styles(tokens: &[TokenWithSpan]) -> Vec<&'static str> {
    let mut stack: Vec<&Token> = Vec::new();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &tokens[p].token);
        let next = tokens.get(i + 1).map(|t| &t.token);
        let style = match &t.token {
            Token::String(_) => STRING,
            Token::NamedParam(_) | Token::PositionalParam(_) => PARAM,
            Token::Integer(_) | Token::Float(_) => NUMBER,
            Token::Word(_) | Token::QuotedIdent(_)
                if matches!(prev, Some(Token::Colon | Token::Pipe))
                    && stack.last() != Some(&&Token::LBrace) =>
            {
                LABEL
            }
            Token::Word(w)
                if !matches!(prev, Some(Token::Dot | Token::Colon))
                    && next != Some(&Token::Colon)
                    && KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) =>
            {
                KEYWORD
            }
            _ => "",
        };
        match t.token {
            Token::LParen | Token::LBracket | Token::LBrace => stack.push(&t.token),
            Token::RParen | Token::RBracket | Token::RBrace => {
                stack.pop();
            }
            _ => {}
        }
        out.push(style);
    }
    out
}

/// The token indexes of the bracket at (or just before) byte `cursor` and its match.
fn matching_brackets(tokens: &[TokenWithSpan], cursor: usize) -> Option<(usize, usize)> {
    let is_bracket = |t: &Token| {
        matches!(
            t,
            Token::LParen
                | Token::RParen
                | Token::LBracket
                | Token::RBracket
                | Token::LBrace
                | Token::RBrace
        )
    };
    let here = tokens
        .iter()
        .position(|t| t.start_byte == cursor && is_bracket(&t.token))
        .or_else(|| {
            tokens
                .iter()
                .position(|t| t.end_byte == cursor && is_bracket(&t.token))
        })?;
    let (open, close) = match tokens[here].token {
        Token::LParen | Token::RParen => (Token::LParen, Token::RParen),
        Token::LBracket | Token::RBracket => (Token::LBracket, Token::RBracket),
        _ => (Token::LBrace, Token::RBrace),
    };
    let mut depth = 0i32;
    if tokens[here].token == open {
        for (i, t) in tokens.iter().enumerate().skip(here) {
            if t.token == open {
                depth += 1;
            } else if t.token == close {
                depth -= 1;
                if depth == 0 {
                    return Some((here, i));
                }
            }
        }
    } else {
        for i in (0..=here).rev() {
            let t = &tokens[i].token;
            if *t == close {
                depth += 1;
            } else if *t == open {
                depth -= 1;
                if depth == 0 {
                    return Some((i, here));
                }
            }
        }
    }
    None
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let Some(meta) = before.trim_start().strip_prefix(':') else {
            return Ok(self.complete_cypher(line, pos));
        };
        let offset = pos - meta.len();
        let Some((name, rest)) = meta.split_once(char::is_whitespace) else {
            let pairs = commands::COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(meta))
                .map(|c| Pair {
                    display: format!(":{}", c.name),
                    replacement: format!("{} ", c.name),
                })
                .collect();
            return Ok((offset, pairs));
        };
        let Some(cmd) = commands::find(name) else {
            return Ok((pos, Vec::new()));
        };
        let rest_at = pos - rest.len();
        let words = |list: &[String]| -> (usize, Vec<Pair>) {
            let typed = rest.trim_start();
            let pairs = list
                .iter()
                .filter(|w| w.starts_with(typed))
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w.clone(),
                })
                .collect();
            (pos - typed.len(), pairs)
        };
        Ok(match cmd.arg {
            ArgKind::Path => self.files.complete(line, pos, ctx)?,
            ArgKind::FormatThenPath if !rest.trim_start().contains(char::is_whitespace) => {
                words(&commands::export_formats())
            }
            ArgKind::FormatThenPath => self.files.complete(line, pos, ctx)?,
            ArgKind::Mode => words(&commands::modes()),
            ArgKind::OnOff => words(&["on".into(), "off".into()]),
            ArgKind::Command => {
                let names: Vec<String> = commands::COMMANDS.iter().map(|c| c.name.into()).collect();
                words(&names)
            }
            ArgKind::Param if !rest.trim_start().contains(char::is_whitespace) => {
                words(&self.vocab.params)
            }
            ArgKind::Query => {
                let (start, pairs) = self.complete_cypher(&line[rest_at..], pos - rest_at);
                (start + rest_at, pairs)
            }
            _ => (pos, Vec::new()),
        })
    }
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        let cursor = self.live.get().then_some(pos);
        self.live.set(true);
        let mut out = String::with_capacity(line.len() * 2);
        let lead = line.len() - line.trim_start().len();
        if let Some(meta) = line[lead..].strip_prefix(':') {
            out.push_str(&line[..lead]);
            let end = meta.find(char::is_whitespace).unwrap_or(meta.len());
            let (name, rest) = meta.split_at(end);
            self.paint(&mut out, KEYWORD, &format!(":{name}"));
            if commands::find(name).is_some_and(|c| matches!(c.arg, ArgKind::Query)) {
                let at = lead + 1 + end;
                self.highlight_cypher(&mut out, rest, cursor.and_then(|c| c.checked_sub(at)));
            } else {
                out.push_str(rest);
            }
        } else {
            self.highlight_cypher(&mut out, line, Some(pos).filter(|_| cursor.is_some()));
        }
        if out == line {
            Cow::Borrowed(line)
        } else {
            Cow::Owned(out)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{DIM}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Highlighting depends on every token (a quote recolours the rest), so redraw
        // on every change; the final drawing of an accepted line marks no brackets.
        self.live.set(kind != CmdKind::ForcedRefresh);
        true
    }
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(match completeness(ctx.input()) {
            Completeness::Complete => ValidationResult::Valid(None),
            Completeness::Incomplete => ValidationResult::Incomplete,
        })
    }
}

impl rustyline::Helper for ShellHelper {}

/// The text the user typed, from the editor's buffer: without the blanks
/// [`ContinuationHandler`] put after each newline to draw the continuation mark, so
/// that a string literal spanning lines, the statement run and the history hold exactly
/// what was typed.
pub fn typed_text(buffer: &str) -> String {
    buffer.replace(&format!("\n{INDENT}"), "\n")
}

/// Bound to Enter: on unfinished input, starts a continuation line (drawn with the
/// continuation prompt) instead of letting the validator insert a bare newline.
pub struct ContinuationHandler;

impl ConditionalEventHandler for ContinuationHandler {
    fn handle(
        &self,
        _evt: &Event,
        _n: RepeatCount,
        _positive: bool,
        ctx: &EventContext<'_>,
    ) -> Option<Cmd> {
        (completeness(ctx.line()) == Completeness::Incomplete)
            .then(|| Cmd::Insert(1, format!("\n{INDENT}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::shell::vocabulary::NameEntry;
    use crate::fold::fold;
    use crate::schema::LabelId;
    use std::sync::Arc;

    #[test]
    fn typed_text_drops_only_the_continuation_blanks() {
        let buffer = format!("RETURN 'line one\n{INDENT}line two\n{INDENT}  indented';");
        assert_eq!(
            typed_text(&buffer),
            "RETURN 'line one\nline two\n  indented';"
        );
    }

    #[test]
    fn complete_statements() {
        use Completeness::*;
        assert_eq!(completeness("RETURN 1"), Complete);
        assert_eq!(completeness("MATCH (n)"), Incomplete);
        assert_eq!(completeness("MATCH (n) RETURN n"), Complete);
        assert_eq!(completeness("MATCH (n)\n RETURN n"), Incomplete);
        assert_eq!(completeness("MATCH (n)\n RETURN n;"), Complete);
        assert_eq!(completeness("RETURN 'abc"), Incomplete);
        assert_eq!(completeness("RETURN 1 +"), Incomplete);
        assert_eq!(completeness("RETURN 1 2"), Complete);
        assert_eq!(completeness(":help"), Complete);
        assert_eq!(completeness("/* open"), Incomplete);
        assert_eq!(completeness(""), Complete);
    }

    fn entry(written: &str, own: &str, label: LabelId) -> NameEntry {
        (fold(written), written.to_string(), Arc::from(own), label)
    }

    #[test]
    fn names_fold_diacritics() {
        let mut v = Vocabulary {
            labels: vec!["Country".into(), "Person".into()],
            ..Vocabulary::default()
        };
        v.names = vec![
            entry("Vietnam", "Vietnam", 0),
            entry("Lương Tam Quang", "Lương Tam Quang", 1),
            entry("Luong Tam Quang", "Lương Tam Quang", 1),
            entry("Vientiane", "Vientiane", 0),
            entry("Laos", "Laos", 0),
            entry("Vietnam", "Vietnam", 1),
        ];
        v.names.sort();
        fn own<'a>(r: Vec<(&'a str, Option<&'a str>)>) -> Vec<&'a str> {
            r.into_iter().map(|p| p.0).collect()
        }
        assert_eq!(own(v.names_matching("Viet", None, 10)), vec!["Vietnam"]);
        assert_eq!(
            own(v.names_matching("luong", None, 10)),
            vec!["Lương Tam Quang"]
        );
        assert_eq!(
            own(v.names_matching("Quang", None, 10)),
            vec!["Lương Tam Quang"]
        );
        assert_eq!(v.names_matching("Vi", None, 10).len(), 2);
        assert_eq!(
            own(v.names_matching("Vi", Some("Person"), 10)),
            vec!["Vietnam"]
        );
        assert_eq!(v.names_matching("Vi", None, 1).len(), 1);
    }

    #[test]
    fn names_complete_within_the_label() {
        let tokens = |s: &str| Tokenizer::new(s).tokenize_partial().0;
        let t = tokens("MATCH (p:Person {name: ");
        assert_eq!(label_context(&t), Some("Person"));
        let t = tokens("MATCH (p:Person) WHERE p.name = ");
        assert_eq!(label_context(&t), Some("Person"));
        let t = tokens("MATCH (p {name: ");
        assert_eq!(label_context(&t), None);
    }

    fn helper() -> ShellHelper {
        let mut v = Vocabulary {
            labels: vec!["Country".into(), "Person".into()],
            rel_types: vec!["OF".into(), "PARTICIPATED_IN".into()],
            keys: vec!["name".into(), "iso2".into()],
            ..Vocabulary::default()
        };
        v.names.push(entry("Việt Nam", "Việt Nam", 0));
        ShellHelper::new(v, true)
    }

    fn replacements(h: &ShellHelper, text: &str) -> (usize, Vec<String>) {
        let (s, p) = h.complete_cypher(text, text.len());
        (s, p.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_by_context() {
        let mut h = helper();
        h.vocab.params = vec!["country".into()];
        assert_eq!(replacements(&h, "RETURN $"), (8, vec!["country".into()]));
        assert_eq!(replacements(&h, "RETURN $co"), (8, vec!["country".into()]));
        assert_eq!(replacements(&h, "MATCH (c:Co"), (9, vec!["Country".into()]));
        assert_eq!(
            replacements(&h, "MATCH (c)-[:P"),
            (12, vec!["PARTICIPATED_IN".into()])
        );
        assert_eq!(
            replacements(&h, "MATCH (c) RETURN c.is"),
            (19, vec!["iso2".into()])
        );
        assert_eq!(
            replacements(&h, "MATCH (c {name: 'viet"),
            (17, vec!["Việt Nam'".into()])
        );
        assert_eq!(
            replacements(&h, "MATCH (c {name: Co").1,
            Vec::<String>::new()
        );
        let (_, kw) = replacements(&h, "MATCH (c) ret");
        assert_eq!(kw, vec!["return".to_string()]);
        let (_, f) = replacements(&h, "RETURN toL");
        assert_eq!(f, vec!["toLower(".to_string()]);
        let (_, v) = replacements(&h, "MATCH (country) RETURN cou");
        assert!(v.contains(&"country".to_string()), "{v:?}");
    }

    #[test]
    fn highlights_tokens_and_continuations() {
        let h = helper();
        let out = h.highlight("MATCH (c:Country {name: $n})\n           RETURN 'x'", 0);
        assert!(out.contains(&format!("{KEYWORD}MATCH{RESET}")), "{out}");
        assert!(out.contains(&format!("{LABEL}Country{RESET}")), "{out}");
        assert!(!out.contains(&format!("{LABEL}name")), "{out}");
        assert!(out.contains(&format!("{PARAM}$n{RESET}")), "{out}");
        assert!(out.contains(&format!("{STRING}'x'{RESET}")), "{out}");
        assert!(
            out.contains(&format!("{DIM}{CONTINUATION}{RESET}")),
            "{out}"
        );
        let open = h.highlight("RETURN 'abc", 0);
        assert!(open.contains(&format!("{STRING}'abc{RESET}")), "{open}");
        let plain = ShellHelper::new(Vocabulary::default(), false);
        assert_eq!(plain.highlight("RETURN (1)", 7), "RETURN (1)");
    }

    #[test]
    fn marks_the_matching_bracket() {
        let h = helper();
        let out = h.highlight("RETURN (1 + (2))", 7);
        assert!(out.contains(&format!("{BRACKET}({RESET}")), "{out}");
        assert!(out.ends_with(&format!("{BRACKET}){RESET}")), "{out}");
    }
}
