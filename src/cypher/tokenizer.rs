//! Hand-written Cypher tokenizer: text in, `Vec<TokenWithSpan>` out.

use std::fmt;

use super::error::{Location, ParseError, Span};

/// One lexical token of Cypher.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// End of input (also returned past the end of the token list).
    Eof,
    /// Unquoted word, keyword or identifier, as written: `MATCH`, `name`.
    Word(String),
    /// Backquoted identifier with escapes resolved: `` `name with spaces` ``.
    QuotedIdent(String),
    /// Integer literal, decimal or hexadecimal: `42`, `0x2A`.
    Integer(i64),
    /// Floating-point literal: `1.5`, `1e3`, `.5`.
    Float(f64),
    /// String literal with escapes resolved: `'it\'s'`, `"x"`.
    String(String),
    /// Named parameter: `$name`.
    NamedParam(String),
    /// Positional parameter: `$0`.
    PositionalParam(u64),
    /// Left parenthesis `(`.
    LParen,
    /// Right parenthesis `)`.
    RParen,
    /// Left bracket `[`.
    LBracket,
    /// Right bracket `]`.
    RBracket,
    /// Left brace `{`.
    LBrace,
    /// Right brace `}`.
    RBrace,
    /// Comma `,`.
    Comma,
    /// Colon `:`.
    Colon,
    /// Semicolon `;` (statement separator).
    Semicolon,
    /// Dot `.`.
    Dot,
    /// Range dots `..`.
    DotDot,
    /// Pipe `|`.
    Pipe,
    /// Equals `=`.
    Eq,
    /// Not equal `<>`.
    Neq,
    /// Less than `<`.
    Lt,
    /// Greater than `>`.
    Gt,
    /// Less or equal `<=`.
    Le,
    /// Greater or equal `>=`.
    Ge,
    /// Regular expression match `=~`.
    RegexMatch,
    /// Plus `+`.
    Plus,
    /// Minus `-` (also the dash of relationship patterns).
    Minus,
    /// Star `*`.
    Star,
    /// Slash `/`.
    Slash,
    /// Percent `%`.
    Percent,
    /// Caret `^`.
    Caret,
}

impl Token {
    /// True if this is an unquoted word equal to `kw`, ignoring ASCII case.
    pub fn is_keyword(&self, kw: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Eof => f.write_str("end of input"),
            Token::Word(w) => f.write_str(w),
            Token::QuotedIdent(w) => write!(f, "`{}`", w.replace('`', "``")),
            Token::Integer(i) => write!(f, "{i}"),
            Token::Float(x) => write!(f, "{x:?}"),
            Token::String(s) => write!(f, "{}", super::ast::quote_string(s)),
            Token::NamedParam(p) => write!(f, "${p}"),
            Token::PositionalParam(p) => write!(f, "${p}"),
            Token::LParen => f.write_str("("),
            Token::RParen => f.write_str(")"),
            Token::LBracket => f.write_str("["),
            Token::RBracket => f.write_str("]"),
            Token::LBrace => f.write_str("{"),
            Token::RBrace => f.write_str("}"),
            Token::Comma => f.write_str(","),
            Token::Colon => f.write_str(":"),
            Token::Semicolon => f.write_str(";"),
            Token::Dot => f.write_str("."),
            Token::DotDot => f.write_str(".."),
            Token::Pipe => f.write_str("|"),
            Token::Eq => f.write_str("="),
            Token::Neq => f.write_str("<>"),
            Token::Lt => f.write_str("<"),
            Token::Gt => f.write_str(">"),
            Token::Le => f.write_str("<="),
            Token::Ge => f.write_str(">="),
            Token::RegexMatch => f.write_str("=~"),
            Token::Plus => f.write_str("+"),
            Token::Minus => f.write_str("-"),
            Token::Star => f.write_str("*"),
            Token::Slash => f.write_str("/"),
            Token::Percent => f.write_str("%"),
            Token::Caret => f.write_str("^"),
        }
    }
}

/// The keywords of the accepted language (clause and operator words, literal words and
/// the path functions), as the shell highlights and completes them; matched ignoring case.
pub const KEYWORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "WITH",
    "UNWIND",
    "AS",
    "RETURN",
    "DISTINCT",
    "ORDER",
    "BY",
    "ASC",
    "ASCENDING",
    "DESC",
    "DESCENDING",
    "SKIP",
    "LIMIT",
    "UNION",
    "ALL",
    "EXPLAIN",
    "PROFILE",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "shortestPath",
    "allShortestPaths",
];

/// A token with its position: line/column span and byte offsets into the source.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenWithSpan {
    /// The token.
    pub token: Token,
    /// Line/column span of the token.
    pub span: Span,
    /// Byte offset of the first character.
    pub start_byte: usize,
    /// Byte offset just past the last character.
    pub end_byte: usize,
}

/// Turns Cypher text into tokens, skipping whitespace and comments.
pub struct Tokenizer<'a> {
    src: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: u32,
    column: u32,
}

impl<'a> Tokenizer<'a> {
    /// Creates a tokenizer over `src`.
    pub fn new(src: &'a str) -> Self {
        Tokenizer {
            src,
            chars: src.char_indices().peekable(),
            line: 1,
            column: 1,
        }
    }

    fn loc(&self) -> Location {
        Location::new(self.line, self.column)
    }

    fn byte_pos(&mut self) -> usize {
        self.chars.peek().map_or(self.src.len(), |(i, _)| *i)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|(_, c)| *c)
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.chars.clone();
        it.next();
        it.next().map(|(_, c)| c)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn error<T>(message: impl Into<String>, location: Location) -> Result<T, ParseError> {
        Err(ParseError::Tokenizer {
            message: message.into(),
            location,
        })
    }

    /// Tokenizes the whole input; the result always ends with an [`Token::Eof`].
    pub fn tokenize(self) -> Result<Vec<TokenWithSpan>, ParseError> {
        match self.tokenize_partial() {
            (tokens, None) => Ok(tokens),
            (_, Some((_, e))) => Err(e),
        }
    }

    /// Tokenizes as far as the input is valid, for the shell, which highlights and
    /// completes unfinished text: the tokens before the first error (ending with
    /// [`Token::Eof`] when there is none) and the error with the byte offset where the
    /// bad token (or comment) starts, e.g. the quote of an unterminated string.
    pub fn tokenize_partial(mut self) -> (Vec<TokenWithSpan>, Option<(usize, ParseError)>) {
        let mut out = Vec::new();
        loop {
            let before_trivia = self.byte_pos();
            if let Err(e) = self.skip_trivia() {
                let at = self.src[before_trivia..]
                    .find("/*")
                    .map_or(before_trivia, |i| before_trivia + i);
                return (out, Some((at, e)));
            }
            let start = self.loc();
            let start_byte = self.byte_pos();
            let token = match self.next_token(start) {
                Err(e) => return (out, Some((start_byte, e))),
                Ok(Some(t)) => t,
                Ok(None) => {
                    out.push(TokenWithSpan {
                        token: Token::Eof,
                        span: Span::new(start, start),
                        start_byte,
                        end_byte: start_byte,
                    });
                    return (out, None);
                }
            };
            let end_byte = self.byte_pos();
            out.push(TokenWithSpan {
                token,
                span: Span::new(start, self.loc()),
                start_byte,
                end_byte,
            });
        }
    }

    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('/') if self.peek2() == Some('/') => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                Some('/') if self.peek2() == Some('*') => {
                    let start = self.loc();
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Self::error("Unterminated block comment", start),
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn next_token(&mut self, start: Location) -> Result<Option<Token>, ParseError> {
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let simple = |t: Token| Ok(Some(t));
        if is_ident_start(c) {
            let mut word = String::new();
            while let Some(c) = self.peek() {
                if !is_ident_part(c) {
                    break;
                }
                word.push(c);
                self.bump();
            }
            return simple(Token::Word(word));
        }
        if c.is_ascii_digit() || (c == '.' && self.peek2().is_some_and(|d| d.is_ascii_digit())) {
            return self.number(start).map(Some);
        }
        self.bump();
        match c {
            '`' => self
                .quoted_ident(start)
                .map(|s| Some(Token::QuotedIdent(s))),
            '\'' | '"' => self.string(c, start).map(|s| Some(Token::String(s))),
            '$' => self.parameter(start).map(Some),
            '(' => simple(Token::LParen),
            ')' => simple(Token::RParen),
            '[' => simple(Token::LBracket),
            ']' => simple(Token::RBracket),
            '{' => simple(Token::LBrace),
            '}' => simple(Token::RBrace),
            ',' => simple(Token::Comma),
            ':' => simple(Token::Colon),
            ';' => simple(Token::Semicolon),
            '|' => simple(Token::Pipe),
            '+' => simple(Token::Plus),
            '-' => simple(Token::Minus),
            '*' => simple(Token::Star),
            '/' => simple(Token::Slash),
            '%' => simple(Token::Percent),
            '^' => simple(Token::Caret),
            '.' => {
                if self.peek() == Some('.') {
                    self.bump();
                    simple(Token::DotDot)
                } else {
                    simple(Token::Dot)
                }
            }
            '=' => {
                if self.peek() == Some('~') {
                    self.bump();
                    simple(Token::RegexMatch)
                } else {
                    simple(Token::Eq)
                }
            }
            '<' => match self.peek() {
                Some('=') => {
                    self.bump();
                    simple(Token::Le)
                }
                Some('>') => {
                    self.bump();
                    simple(Token::Neq)
                }
                _ => simple(Token::Lt),
            },
            '>' => {
                if self.peek() == Some('=') {
                    self.bump();
                    simple(Token::Ge)
                } else {
                    simple(Token::Gt)
                }
            }
            '!' if self.peek() == Some('=') => Self::error(
                "Unexpected '!=': Cypher writes 'not equal' as <> (a <> b)",
                start,
            ),
            '!' => Self::error(
                "Unexpected character '!': Cypher writes negation as NOT (NOT a)",
                start,
            ),
            other => Self::error(format!("Unexpected character {other:?}"), start),
        }
    }

    fn digits(&mut self, out: &mut String, radix: u32) {
        while let Some(c) = self.peek() {
            if !c.is_digit(radix) {
                break;
            }
            out.push(c);
            self.bump();
        }
    }

    fn number(&mut self, start: Location) -> Result<Token, ParseError> {
        let mut text = String::new();
        let mut is_float = false;
        if self.peek() == Some('0') && matches!(self.peek2(), Some('x' | 'X')) {
            self.bump();
            self.bump();
            self.digits(&mut text, 16);
            if text.is_empty() {
                return Self::error("Invalid hexadecimal literal", start);
            }
            if self.peek().is_some_and(is_ident_part) {
                return Self::error("Invalid hexadecimal literal", start);
            }
            return match i64::from_str_radix(&text, 16) {
                Ok(v) => Ok(Token::Integer(v)),
                Err(_) => Self::error("Integer literal is too large", start),
            };
        }
        self.digits(&mut text, 10);
        if self.peek() == Some('.') && self.peek2().is_some_and(|d| d.is_ascii_digit()) {
            is_float = true;
            text.push('.');
            self.bump();
            self.digits(&mut text, 10);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = self.peek2();
            let mut look = self.chars.clone();
            look.next();
            if matches!(sign, Some('+' | '-')) {
                look.next();
            }
            if look.next().is_some_and(|(_, d)| d.is_ascii_digit()) {
                is_float = true;
                text.push('e');
                self.bump();
                if matches!(sign, Some('+' | '-')) {
                    text.push(self.bump().unwrap_or('+'));
                }
                self.digits(&mut text, 10);
            }
        }
        if self.peek().is_some_and(is_ident_part) {
            return Self::error("Invalid number literal", start);
        }
        if is_float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Token::Float(v)),
                _ => Self::error("Float literal is out of range", start),
            }
        } else {
            match text.parse::<i64>() {
                Ok(v) => Ok(Token::Integer(v)),
                // 2^63, valid only as -9223372036854775808: given as i64::MIN (no other
                // token is negative), and the parser accepts it only after a minus.
                Err(_) if text.trim_start_matches('0') == "9223372036854775808" => {
                    Ok(Token::Integer(i64::MIN))
                }
                Err(_) => Self::error("Integer literal is too large", start),
            }
        }
    }

    fn quoted_ident(&mut self, start: Location) -> Result<String, ParseError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return Self::error("Unterminated quoted identifier", start),
                Some('`') => {
                    if self.peek() == Some('`') {
                        self.bump();
                        s.push('`');
                    } else if s.is_empty() {
                        return Self::error("Empty quoted identifier", start);
                    } else {
                        return Ok(s);
                    }
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn string(&mut self, quote: char, start: Location) -> Result<String, ParseError> {
        let mut s = String::new();
        loop {
            let here = self.loc();
            match self.bump() {
                None => return Self::error("Unterminated string literal", start),
                Some('\\') => {
                    let esc = self.bump();
                    let c = match esc {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some('r') => '\r',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('\'') => '\'',
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('u') => self.unicode_escape(4, here)?,
                        Some('U') => self.unicode_escape(8, here)?,
                        None => return Self::error("Unterminated string literal", start),
                        Some(other) => {
                            return Self::error(format!("Invalid escape sequence \\{other}"), here)
                        }
                    };
                    s.push(c);
                }
                Some(c) if c == quote => return Ok(s),
                Some(c) => s.push(c),
            }
        }
    }

    fn unicode_escape(&mut self, len: usize, at: Location) -> Result<char, ParseError> {
        let mut hex = String::new();
        for _ in 0..len {
            match self.peek() {
                Some(c) if c.is_ascii_hexdigit() => {
                    hex.push(c);
                    self.bump();
                }
                _ => return Self::error("Invalid unicode escape", at),
            }
        }
        u32::from_str_radix(&hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| Self::error("Invalid unicode escape", at), Ok)
    }

    fn parameter(&mut self, start: Location) -> Result<Token, ParseError> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let mut text = String::new();
                self.digits(&mut text, 10);
                if self.peek().is_some_and(is_ident_part) {
                    return Self::error("Invalid parameter name", start);
                }
                text.parse::<u64>()
                    .map(Token::PositionalParam)
                    .or_else(|_| Self::error("Parameter number is too large", start))
            }
            Some(c) if is_ident_start(c) => {
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if !is_ident_part(c) {
                        break;
                    }
                    name.push(c);
                    self.bump();
                }
                Ok(Token::NamedParam(name))
            }
            Some('`') => {
                self.bump();
                self.quoted_ident(start).map(Token::NamedParam)
            }
            _ => Self::error("Expected a parameter name after '$'", start),
        }
    }
}

/// True if `c` may start an unquoted identifier.
pub fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// True if `c` may continue an unquoted identifier.
pub fn is_ident_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Tokenizes `src` (convenience wrapper around [`Tokenizer`]).
pub fn tokenize(src: &str) -> Result<Vec<TokenWithSpan>, ParseError> {
    Tokenizer::new(src).tokenize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Token> {
        tokenize(s).unwrap().into_iter().map(|t| t.token).collect()
    }

    fn err(s: &str) -> String {
        tokenize(s).unwrap_err().to_string()
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("1 0x1F 1.5 1e3 .5 2E-2 1..3"),
            vec![
                Token::Integer(1),
                Token::Integer(31),
                Token::Float(1.5),
                Token::Float(1000.0),
                Token::Float(0.5),
                Token::Float(0.02),
                Token::Integer(1),
                Token::DotDot,
                Token::Integer(3),
                Token::Eof
            ]
        );
        assert_eq!(
            err("RETURN 99999999999999999999"),
            "Integer literal is too large at line 1, column 8"
        );
        assert_eq!(
            err("RETURN 12ab"),
            "Invalid number literal at line 1, column 8"
        );
        assert_eq!(
            err("RETURN 1e999"),
            "Float literal is out of range at line 1, column 8"
        );
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            toks(r#"'a\n\t\'\"\\\u00e9' "it's""#),
            vec![
                Token::String("a\n\t'\"\\é".into()),
                Token::String("it's".into()),
                Token::Eof
            ]
        );
        assert_eq!(
            err("RETURN 'abc"),
            "Unterminated string literal at line 1, column 8"
        );
        assert_eq!(
            err("RETURN 'a\\q'"),
            "Invalid escape sequence \\q at line 1, column 10"
        );
        assert_eq!(
            err("RETURN '\\u12'"),
            "Invalid unicode escape at line 1, column 9"
        );
        assert_eq!(
            err("RETURN '\\uD800'"),
            "Invalid unicode escape at line 1, column 9"
        );
    }

    #[test]
    fn identifiers_parameters_symbols() {
        assert_eq!(
            toks("`a b``c` $x $0 $`p q` <> <= >= =~ <-- -->"),
            vec![
                Token::QuotedIdent("a b`c".into()),
                Token::NamedParam("x".into()),
                Token::PositionalParam(0),
                Token::NamedParam("p q".into()),
                Token::Neq,
                Token::Le,
                Token::Ge,
                Token::RegexMatch,
                Token::Lt,
                Token::Minus,
                Token::Minus,
                Token::Minus,
                Token::Minus,
                Token::Gt,
                Token::Eof
            ]
        );
        assert_eq!(
            err("RETURN #"),
            "Unexpected character '#' at line 1, column 8"
        );
        assert_eq!(
            err("RETURN `abc"),
            "Unterminated quoted identifier at line 1, column 8"
        );
    }

    #[test]
    fn comments_and_locations() {
        let t = tokenize("// c\n  a /* x\n y */ b").unwrap();
        assert_eq!(t[0].token, Token::Word("a".into()));
        assert_eq!(t[0].span.start, Location::new(2, 3));
        assert_eq!(t[1].token, Token::Word("b".into()));
        assert_eq!(t[1].span.start, Location::new(3, 7));
        assert_eq!(t[1].start_byte, 20);
        assert_eq!(
            err("MATCH (n)\n /* never closed"),
            "Unterminated block comment at line 2, column 2"
        );
    }
}
