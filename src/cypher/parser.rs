//! Recursive-descent parser from tokens to the syntax tree, modelled on sqlparser.

use std::cell::Cell;
use std::rc::Rc;

use super::ast::*;
use super::error::{Location, ParseError, Span};
use super::tokenizer::{tokenize, Token, TokenWithSpan};

/// Default nesting budget of the recursive-descent parser, as in sqlparser.
pub const DEFAULT_REMAINING_DEPTH: usize = 50;

/// Shared budget of nested calls; each recursive rule takes a [`DepthGuard`].
struct RecursionCounter {
    remaining: Rc<Cell<usize>>,
}

impl RecursionCounter {
    fn new(limit: usize) -> Self {
        RecursionCounter {
            remaining: Rc::new(Cell::new(limit)),
        }
    }

    /// Takes one unit of depth, or fails with `RecursionLimitExceeded` when none is left.
    fn try_decrease(&self, location: Location) -> Result<DepthGuard, ParseError> {
        let left = self.remaining.get();
        if left == 0 {
            return Err(ParseError::RecursionLimitExceeded { location });
        }
        self.remaining.set(left - 1);
        Ok(DepthGuard {
            remaining: Rc::clone(&self.remaining),
        })
    }
}

/// Gives its unit of depth back when dropped.
struct DepthGuard {
    remaining: Rc<Cell<usize>>,
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        self.remaining.set(self.remaining.get() + 1);
    }
}

/// Operators met after an operand.
#[derive(Clone, Copy)]
enum Infix {
    Binary(BinaryOp),
    IsNull,
}

impl Infix {
    fn precedence(self) -> u8 {
        match self {
            Infix::Binary(op) => op.precedence(),
            Infix::IsNull => PREC_PREDICATE,
        }
    }
}

/// Keywords that start a write clause, with the clause name used in the error.
const WRITE_CLAUSES: &[(&str, &str)] = &[
    ("CREATE", "CREATE"),
    ("MERGE", "MERGE"),
    ("DELETE", "DELETE"),
    ("DETACH", "DETACH DELETE"),
    ("SET", "SET"),
    ("REMOVE", "REMOVE"),
    ("CALL", "CALL"),
    ("LOAD", "LOAD CSV"),
    ("FOREACH", "FOREACH"),
];

/// An expression with its tree depth, used to bound iteratively built chains.
type Deep<T> = (T, u32);

/// Cypher parser over a token list; one `parse_*` method per grammar rule.
pub struct Parser {
    tokens: Vec<TokenWithSpan>,
    index: usize,
    recursion: RecursionCounter,
    max_expr_depth: u32,
    eof: TokenWithSpan,
}

impl Parser {
    /// Tokenizes `source` and builds a parser with the default recursion limit.
    pub fn new(source: &str) -> Result<Self, ParseError> {
        let tokens = tokenize(source)?;
        let eof = tokens.last().cloned().unwrap_or(TokenWithSpan {
            token: Token::Eof,
            span: Span::default(),
            start_byte: 0,
            end_byte: 0,
        });
        Ok(Parser {
            tokens,
            index: 0,
            recursion: RecursionCounter::new(DEFAULT_REMAINING_DEPTH),
            max_expr_depth: 4 * DEFAULT_REMAINING_DEPTH as u32,
            eof,
        })
    }

    /// Sets the nesting budget (expression trees may be 4 times as deep, for operator chains).
    pub fn with_recursion_limit(mut self, limit: usize) -> Self {
        self.recursion = RecursionCounter::new(limit);
        self.max_expr_depth = 4 * u32::try_from(limit).unwrap_or(u32::MAX / 4);
        self
    }

    // ---- token helpers -------------------------------------------------------------

    /// The token `n` places ahead, or end of input; never advances.
    fn peek_nth(&self, n: usize) -> &TokenWithSpan {
        self.tokens.get(self.index + n).unwrap_or(&self.eof)
    }

    /// The current token, or end of input; never advances.
    fn peek_token(&self) -> &TokenWithSpan {
        self.peek_nth(0)
    }

    /// Where the current token starts.
    fn loc(&self) -> Location {
        self.peek_token().span.start
    }

    /// Returns the current token and advances (stays on end of input).
    fn next_token(&mut self) -> TokenWithSpan {
        let t = self.peek_token().clone();
        if self.index < self.tokens.len() {
            self.index += 1;
        }
        t
    }

    /// True if the current token is the keyword `kw`; never advances.
    fn peek_keyword(&self, kw: &str) -> bool {
        self.peek_token().token.is_keyword(kw)
    }

    /// If the current token is the keyword `kw`, consumes it and returns true;
    /// otherwise consumes nothing and returns false.
    #[must_use]
    fn parse_keyword(&mut self, kw: &str) -> bool {
        if self.peek_keyword(kw) {
            self.index += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the keyword `kw` or fails with "Expected: KW, found: ...".
    fn expect_keyword(&mut self, kw: &str) -> Result<(), ParseError> {
        if self.parse_keyword(kw) {
            Ok(())
        } else {
            self.expected(kw, self.peek_token())
        }
    }

    /// If the current token is `t`, consumes it and returns true; otherwise returns false.
    #[must_use]
    fn consume_token(&mut self, t: &Token) -> bool {
        if &self.peek_token().token == t {
            self.index += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the token `t` or fails with "Expected: t, found: ...".
    fn expect_token(&mut self, t: &Token) -> Result<(), ParseError> {
        if self.consume_token(t) {
            Ok(())
        } else {
            self.expected(&t.to_string(), self.peek_token())
        }
    }

    /// Reports that `found` was encountered instead of `expected`.
    fn expected<T>(&self, expected: &str, found: &TokenWithSpan) -> Result<T, ParseError> {
        Err(ParseError::Syntax {
            message: format!("Expected: {expected}, found: {}", found.token),
            location: found.span.start,
        })
    }

    /// Fails with `RecursionLimitExceeded` if an expression tree grew too deep.
    fn check_depth(&self, depth: u32, location: Location) -> Result<(), ParseError> {
        if depth > self.max_expr_depth {
            Err(ParseError::RecursionLimitExceeded { location })
        } else {
            Ok(())
        }
    }

    /// The write clause starting at the current token, if any, as an error.
    fn write_clause_error(&self) -> Option<ParseError> {
        let tok = self.peek_token();
        WRITE_CLAUSES
            .iter()
            .find(|(kw, _)| tok.token.is_keyword(kw))
            .map(|(_, name)| ParseError::UnsupportedWriteClause {
                clause: (*name).to_string(),
                location: tok.span.start,
            })
    }

    /// Fails with "Expected: end of input" unless all tokens were consumed.
    pub fn expect_end(&self) -> Result<(), ParseError> {
        if self.peek_token().token == Token::Eof {
            Ok(())
        } else {
            self.expected("end of input", self.peek_token())
        }
    }

    // ---- statements and clauses ----------------------------------------------------

    /// Parses `statement (';' statement)* [';']` up to the end of input.
    pub fn parse_statements(&mut self) -> Result<Vec<Statement>, ParseError> {
        let mut out = Vec::new();
        loop {
            while self.consume_token(&Token::Semicolon) {}
            if self.peek_token().token == Token::Eof {
                return Ok(out);
            }
            out.push(self.parse_statement()?);
            if !self.consume_token(&Token::Semicolon) && self.peek_token().token != Token::Eof {
                if let Some(e) = self.write_clause_error() {
                    return Err(e);
                }
                return self.expected("end of statement", self.peek_token());
            }
        }
    }

    /// Parses the next statement of a `;`-separated text, or `None` at the end, so that a
    /// script can run the statements before a syntax error.
    pub fn next_statement(&mut self) -> Option<Result<Statement, ParseError>> {
        while self.consume_token(&Token::Semicolon) {}
        if self.peek_token().token == Token::Eof {
            return None;
        }
        let r = self.parse_statement().and_then(|s| {
            if !self.consume_token(&Token::Semicolon) && self.peek_token().token != Token::Eof {
                if let Some(e) = self.write_clause_error() {
                    return Err(e);
                }
                return self.expected("end of statement", self.peek_token());
            }
            Ok(s)
        });
        Some(r)
    }

    /// Parses `[EXPLAIN | PROFILE] query`, recording its span.
    pub fn parse_statement(&mut self) -> Result<Statement, ParseError> {
        let first = self.peek_token().clone();
        let mode = if self.parse_keyword("EXPLAIN") {
            QueryMode::Explain
        } else if self.parse_keyword("PROFILE") {
            QueryMode::Profile
        } else {
            QueryMode::Normal
        };
        let query = self.parse_query()?;
        let last = self.tokens[self.index.saturating_sub(1)].clone();
        Ok(Statement {
            mode,
            query,
            span: Span::new(first.span.start, last.span.end),
            byte_range: first.start_byte..last.end_byte,
        })
    }

    /// Parses `single_query (UNION [ALL] single_query)*`.
    pub fn parse_query(&mut self) -> Result<Query, ParseError> {
        let first = self.parse_single_query()?;
        let mut unions = Vec::new();
        while self.parse_keyword("UNION") {
            let all = self.parse_keyword("ALL");
            unions.push((all, self.parse_single_query()?));
        }
        Ok(Query { first, unions })
    }

    /// Parses reading clauses up to and including `RETURN`.
    pub fn parse_single_query(&mut self) -> Result<SingleQuery, ParseError> {
        let mut clauses = Vec::new();
        loop {
            if self.parse_keyword("MATCH") {
                clauses.push(Clause::Match(self.parse_match(false)?));
            } else if self.parse_keyword("OPTIONAL") {
                self.expect_keyword("MATCH")?;
                clauses.push(Clause::Match(self.parse_match(true)?));
            } else if self.parse_keyword("UNWIND") {
                let expr = self.parse_expr()?;
                self.expect_keyword("AS")?;
                let alias = self.parse_variable()?;
                clauses.push(Clause::Unwind(Unwind { expr, alias }));
            } else if self.parse_keyword("WITH") {
                let projection = self.parse_projection()?;
                let where_clause = self.parse_where()?;
                clauses.push(Clause::With(With {
                    projection,
                    where_clause,
                }));
            } else if self.parse_keyword("RETURN") {
                clauses.push(Clause::Return(self.parse_projection()?));
                return Ok(SingleQuery { clauses });
            } else if let Some(e) = self.write_clause_error() {
                return Err(e);
            } else {
                return self.expected(
                    "MATCH, OPTIONAL MATCH, UNWIND, WITH or RETURN",
                    self.peek_token(),
                );
            }
        }
    }

    /// Parses the rest of `MATCH patterns [WHERE expr]` after the keyword(s).
    fn parse_match(&mut self, optional: bool) -> Result<Match, ParseError> {
        let mut patterns = vec![self.parse_path_pattern()?];
        while self.consume_token(&Token::Comma) {
            patterns.push(self.parse_path_pattern()?);
        }
        let where_clause = self.parse_where()?;
        Ok(Match {
            optional,
            patterns,
            where_clause,
        })
    }

    /// Parses an optional `WHERE expr`.
    fn parse_where(&mut self) -> Result<Option<Expr>, ParseError> {
        if self.parse_keyword("WHERE") {
            Ok(Some(self.parse_expr()?))
        } else {
            Ok(None)
        }
    }

    /// Parses `[DISTINCT] (* | item) (, item)* [ORDER BY ...] [SKIP e] [LIMIT e]`.
    fn parse_projection(&mut self) -> Result<Projection, ParseError> {
        let distinct = self.parse_keyword("DISTINCT");
        let star = self.consume_token(&Token::Star);
        let mut items = Vec::new();
        if !star {
            items.push(self.parse_projection_item()?);
        }
        while self.consume_token(&Token::Comma) {
            items.push(self.parse_projection_item()?);
        }
        let mut order_by = Vec::new();
        if self.parse_keyword("ORDER") {
            self.expect_keyword("BY")?;
            loop {
                let expr = self.parse_expr()?;
                let descending = if self.parse_keyword("DESC") || self.parse_keyword("DESCENDING") {
                    true
                } else {
                    let _ = self.parse_keyword("ASC") || self.parse_keyword("ASCENDING");
                    false
                };
                order_by.push(SortItem { expr, descending });
                if !self.consume_token(&Token::Comma) {
                    break;
                }
            }
        }
        let skip = if self.parse_keyword("SKIP") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        let limit = if self.parse_keyword("LIMIT") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok(Projection {
            distinct,
            star,
            items,
            order_by,
            skip,
            limit,
        })
    }

    /// Parses `expr [AS name]`.
    fn parse_projection_item(&mut self) -> Result<ProjectionItem, ParseError> {
        let expr = self.parse_expr()?;
        let alias = if self.parse_keyword("AS") {
            Some(self.parse_variable()?)
        } else {
            None
        };
        Ok(ProjectionItem { expr, alias })
    }

    /// True if the current token can be a variable: a non-keyword word or a backquoted name.
    fn peek_variable(&self) -> bool {
        match &self.peek_token().token {
            Token::Word(w) => !is_keyword(w),
            Token::QuotedIdent(_) => true,
            _ => false,
        }
    }

    /// Parses a variable name (keywords must be backquoted).
    fn parse_variable(&mut self) -> Result<Ident, ParseError> {
        if !self.peek_variable() {
            return self.expected("a variable name", self.peek_token());
        }
        self.parse_symbolic_name("a variable name")
    }

    /// Parses a label, relationship type, property key or map key (keywords allowed).
    fn parse_symbolic_name(&mut self, what: &str) -> Result<Ident, ParseError> {
        let tok = self.peek_token().clone();
        match tok.token {
            Token::Word(w) | Token::QuotedIdent(w) => {
                self.index += 1;
                Ok(Ident::with_location(w, tok.span.start))
            }
            _ => self.expected(what, &tok),
        }
    }

    // ---- patterns ------------------------------------------------------------------

    /// Parses `[var =] [shortestPath( | allShortestPaths(] element [)]`.
    pub fn parse_path_pattern(&mut self) -> Result<PathPattern, ParseError> {
        let variable = if self.peek_variable() && self.peek_nth(1).token == Token::Eq {
            let v = self.parse_variable()?;
            self.index += 1;
            Some(v)
        } else {
            None
        };
        let kind = match &self.peek_token().token {
            Token::Word(w)
                if w.eq_ignore_ascii_case("shortestPath")
                    && self.peek_nth(1).token == Token::LParen =>
            {
                PathKind::Shortest
            }
            Token::Word(w)
                if w.eq_ignore_ascii_case("allShortestPaths")
                    && self.peek_nth(1).token == Token::LParen =>
            {
                PathKind::AllShortest
            }
            _ => PathKind::All,
        };
        if kind != PathKind::All {
            self.index += 2;
        }
        let (element, _) = self.parse_pattern_element(false)?;
        if kind != PathKind::All {
            self.expect_token(&Token::RParen)?;
        }
        Ok(PathPattern {
            variable,
            kind,
            element,
        })
    }

    /// True if the current token starts a relationship: `-` or `<-`. Inside an
    /// expression (`strict`), only `-[`, `--`, `<-[` and `<--` do, so that
    /// `(a)-->(b) - (1)` is a subtraction.
    fn peek_relationship(&self, strict: bool) -> bool {
        let after_dash = match self.peek_token().token {
            Token::Minus => 1,
            Token::Lt if self.peek_nth(1).token == Token::Minus => 2,
            _ => return false,
        };
        !strict
            || matches!(
                self.peek_nth(after_dash).token,
                Token::LBracket | Token::Minus
            )
    }

    /// Parses `node (relationship node)*`; `in_expression` as for [`Self::peek_relationship`].
    fn parse_pattern_element(
        &mut self,
        in_expression: bool,
    ) -> Result<Deep<PatternElement>, ParseError> {
        let (start, mut depth) = self.parse_node_pattern()?;
        let mut chain = Vec::new();
        while self.peek_relationship(in_expression) {
            let (rel, rd) = self.parse_relationship_pattern()?;
            let (node, nd) = self.parse_node_pattern()?;
            depth = depth.max(rd).max(nd);
            chain.push((rel, node));
        }
        Ok((PatternElement { start, chain }, depth + 1))
    }

    /// Parses `( [var] (:Label)* [{map} | $param] )`.
    fn parse_node_pattern(&mut self) -> Result<Deep<NodePattern>, ParseError> {
        self.expect_token(&Token::LParen)?;
        let variable = if self.peek_variable() {
            Some(self.parse_variable()?)
        } else {
            None
        };
        let mut labels = Vec::new();
        while self.consume_token(&Token::Colon) {
            labels.push(self.parse_symbolic_name("a label name")?);
        }
        let (properties, depth) = self.parse_pattern_properties()?;
        if properties.is_none() && self.peek_token().token != Token::RParen {
            let what = match (&variable, labels.is_empty()) {
                (None, true) => "a variable, label, properties or )",
                (_, true) => "a label, properties or )",
                _ => ":, properties or )",
            };
            return self.expected(what, self.peek_token());
        }
        self.expect_token(&Token::RParen)?;
        Ok((
            NodePattern {
                variable,
                labels,
                properties,
            },
            depth + 1,
        ))
    }

    /// Parses an optional `{map}` or `$param` of a node or relationship pattern.
    fn parse_pattern_properties(&mut self) -> Result<Deep<Option<Expr>>, ParseError> {
        match self.peek_token().token {
            Token::LBrace => {
                let (map, d) = self.parse_map_literal()?;
                Ok((Some(map), d))
            }
            Token::NamedParam(_) | Token::PositionalParam(_) => {
                let (p, d) = self.parse_atom()?;
                Ok((Some(p), d))
            }
            _ => Ok((None, 0)),
        }
    }

    /// Parses `-[...]->`, `<-[...]-`, `-[...]-` or the bare `-->`, `<--`, `--`.
    fn parse_relationship_pattern(&mut self) -> Result<Deep<RelationshipPattern>, ParseError> {
        let incoming = self.consume_token(&Token::Lt);
        self.expect_token(&Token::Minus)?;
        let mut rel = RelationshipPattern {
            direction: Direction::Both,
            variable: None,
            types: Vec::new(),
            length: None,
            properties: None,
        };
        let mut depth = 0;
        if self.consume_token(&Token::LBracket) {
            if self.peek_variable() {
                rel.variable = Some(self.parse_variable()?);
            }
            if self.consume_token(&Token::Colon) {
                rel.types
                    .push(self.parse_symbolic_name("a relationship type")?);
                while self.consume_token(&Token::Pipe) {
                    let _ = self.consume_token(&Token::Colon);
                    rel.types
                        .push(self.parse_symbolic_name("a relationship type")?);
                }
            }
            if self.consume_token(&Token::Star) {
                rel.length = Some(self.parse_var_length()?);
            }
            let (properties, d) = self.parse_pattern_properties()?;
            rel.properties = properties;
            depth = d;
            if self.peek_token().token != Token::RBracket {
                return self.expected("]", self.peek_token());
            }
            self.index += 1;
        }
        self.expect_token(&Token::Minus)?;
        let outgoing = self.consume_token(&Token::Gt);
        rel.direction = match (incoming, outgoing) {
            (true, false) => Direction::Incoming,
            (false, true) => Direction::Outgoing,
            _ => Direction::Both,
        };
        Ok((rel, depth + 1))
    }

    /// Parses the bounds after `*`: `[min] [.. [max]]`.
    fn parse_var_length(&mut self) -> Result<VarLength, ParseError> {
        let min = self.parse_hop_count()?;
        if self.consume_token(&Token::DotDot) {
            let max = self.parse_hop_count()?;
            Ok(VarLength { min, max })
        } else {
            Ok(VarLength { min, max: min })
        }
    }

    /// Parses an optional non-negative integer of a variable-length bound.
    fn parse_hop_count(&mut self) -> Result<Option<u64>, ParseError> {
        if let Token::Integer(i) = self.peek_token().token {
            self.index += 1;
            // The tokenizer never yields negative integers.
            Ok(Some(i.unsigned_abs()))
        } else {
            Ok(None)
        }
    }

    // ---- expressions ---------------------------------------------------------------

    /// Parses a full expression.
    pub fn parse_expr(&mut self) -> Result<Expr, ParseError> {
        self.parse_subexpr(0).map(|(e, _)| e)
    }

    /// The infix operator at the current token, if any; never advances.
    fn peek_infix(&self) -> Option<Infix> {
        use BinaryOp::*;
        let op = match &self.peek_token().token {
            Token::Word(w) => {
                let w = w.to_ascii_uppercase();
                match w.as_str() {
                    "OR" => Or,
                    "XOR" => Xor,
                    "AND" => And,
                    "IN" => In,
                    "STARTS" => StartsWith,
                    "ENDS" => EndsWith,
                    "CONTAINS" => Contains,
                    "IS" => return Some(Infix::IsNull),
                    _ => return None,
                }
            }
            Token::Eq => Eq,
            Token::Neq => Neq,
            Token::Lt => Lt,
            Token::Gt => Gt,
            Token::Le => Le,
            Token::Ge => Ge,
            Token::RegexMatch => RegexMatch,
            Token::Plus => Add,
            Token::Minus => Sub,
            Token::Star => Mul,
            Token::Slash => Div,
            Token::Percent => Mod,
            Token::Caret => Pow,
            _ => return None,
        };
        Some(Infix::Binary(op))
    }

    /// Precedence climbing: parses operators binding tighter than `min_prec`.
    fn parse_subexpr(&mut self, min_prec: u8) -> Result<Deep<Expr>, ParseError> {
        let _guard = self.recursion.try_decrease(self.loc())?;
        let (mut left, mut depth) = self.parse_prefix()?;
        let mut last_was_comparison = false;
        while let Some(infix) = self.peek_infix() {
            let prec = infix.precedence();
            if prec <= min_prec {
                break;
            }
            let op_tok = self.next_token();
            let location = op_tok.span.start;
            match infix {
                Infix::IsNull => {
                    let negated = self.parse_keyword("NOT");
                    if !self.parse_keyword("NULL") {
                        return self.expected("NULL or NOT NULL", self.peek_token());
                    }
                    left = Expr::IsNull {
                        expr: Box::new(left),
                        negated,
                    };
                    depth += 1;
                    last_was_comparison = false;
                }
                Infix::Binary(op) => {
                    if op.is_comparison() && last_was_comparison {
                        return Err(ParseError::Syntax {
                            message: format!(
                                "Chained comparisons are not supported: write a {0} b AND b {0} c instead of a {0} b {0} c",
                                op.as_str()
                            ),
                            location,
                        });
                    }
                    if matches!(op, BinaryOp::StartsWith | BinaryOp::EndsWith) {
                        self.expect_keyword("WITH")?;
                    }
                    let (right, rd) = self.parse_subexpr(prec)?;
                    left = Expr::binary_at(left, op, right, location);
                    depth = depth.max(rd) + 1;
                    last_was_comparison = op.is_comparison();
                }
            }
            self.check_depth(depth, location)?;
        }
        Ok((left, depth))
    }

    /// Parses prefix operators (`NOT`, `-`, `+`) or an atom with its postfix operators.
    fn parse_prefix(&mut self) -> Result<Deep<Expr>, ParseError> {
        let op = match self.peek_token().token {
            Token::Word(ref w) if w.eq_ignore_ascii_case("NOT") => Some((UnaryOp::Not, PREC_NOT)),
            Token::Minus => Some((UnaryOp::Neg, PREC_UNARY)),
            Token::Plus => Some((UnaryOp::Plus, PREC_UNARY)),
            _ => None,
        };
        if let Some((op, prec)) = op {
            self.index += 1;
            // -9223372036854775808: the one integer whose digits alone do not fit (the
            // tokenizer reads them as i64::MIN, which only a minus sign makes valid).
            if matches!(op, UnaryOp::Neg)
                && matches!(self.peek_token().token, Token::Integer(i64::MIN))
            {
                self.index += 1;
                return self.parse_postfix(Expr::Literal(Literal::Integer(i64::MIN)), 1);
            }
            let (expr, d) = self.parse_subexpr(prec)?;
            return Ok((
                Expr::Unary {
                    op,
                    expr: Box::new(expr),
                },
                d + 1,
            ));
        }
        let (atom, d) = self.parse_atom()?;
        self.parse_postfix(atom, d)
    }

    /// Parses `.key`, `[index]`, `[from..to]` and `:Label` after an atom.
    fn parse_postfix(&mut self, mut expr: Expr, mut depth: u32) -> Result<Deep<Expr>, ParseError> {
        loop {
            let location = self.loc();
            match self.peek_token().token {
                Token::Dot => {
                    self.index += 1;
                    let key = self.parse_symbolic_name("a property key")?;
                    expr = Expr::Property {
                        expr: Box::new(expr),
                        key,
                    };
                    depth += 1;
                }
                Token::Colon => {
                    let mut labels = Vec::new();
                    while self.consume_token(&Token::Colon) {
                        labels.push(self.parse_symbolic_name("a label name")?);
                    }
                    expr = Expr::HasLabels {
                        expr: Box::new(expr),
                        labels,
                    };
                    depth += 1;
                }
                Token::LBracket => {
                    self.index += 1;
                    let mut inner = 0;
                    let from = if self.peek_token().token == Token::DotDot {
                        None
                    } else {
                        let (e, d) = self.parse_subexpr(0)?;
                        inner = d;
                        Some(Box::new(e))
                    };
                    if self.consume_token(&Token::DotDot) {
                        let to = if self.peek_token().token == Token::RBracket {
                            None
                        } else {
                            let (e, d) = self.parse_subexpr(0)?;
                            inner = inner.max(d);
                            Some(Box::new(e))
                        };
                        expr = Expr::Slice {
                            expr: Box::new(expr),
                            from,
                            to,
                        };
                    } else {
                        expr = Expr::Index {
                            expr: Box::new(expr),
                            // `from` is always set when no `..` follows.
                            index: from.unwrap_or_else(|| Box::new(Expr::Literal(Literal::Null))),
                        };
                    }
                    self.expect_token(&Token::RBracket)?;
                    depth = depth.max(inner) + 1;
                }
                _ => return Ok((expr, depth)),
            }
            self.check_depth(depth, location)?;
        }
    }

    /// Parses comma-separated expressions up to `close` (consumed); returns their max depth.
    fn parse_expr_list(&mut self, close: &Token) -> Result<Deep<Vec<Expr>>, ParseError> {
        let mut items = Vec::new();
        let mut depth = 0;
        if self.consume_token(close) {
            return Ok((items, depth));
        }
        loop {
            let (e, d) = self.parse_subexpr(0)?;
            depth = depth.max(d);
            items.push(e);
            if !self.consume_token(&Token::Comma) {
                self.expect_token(close)?;
                return Ok((items, depth));
            }
        }
    }

    /// Parses a literal, parameter, variable, call, list, map, CASE, pattern or `( expr )`.
    fn parse_atom(&mut self) -> Result<Deep<Expr>, ParseError> {
        let tok = self.peek_token().clone();
        let leaf = |e: Expr| Ok((e, 1));
        match tok.token {
            Token::Integer(i64::MIN) => Err(ParseError::Syntax {
                message: "Integer literal is too large".into(),
                location: tok.span.start,
            }),
            Token::Integer(i) => {
                self.index += 1;
                leaf(Expr::Literal(Literal::Integer(i)))
            }
            Token::Float(x) => {
                self.index += 1;
                leaf(Expr::Literal(Literal::Float(x)))
            }
            Token::String(ref s) => {
                self.index += 1;
                leaf(Expr::Literal(Literal::String(s.clone())))
            }
            Token::NamedParam(ref p) => {
                self.index += 1;
                leaf(Expr::Parameter(Parameter::Named(p.clone())))
            }
            Token::PositionalParam(p) => {
                self.index += 1;
                leaf(Expr::Parameter(Parameter::Positional(p)))
            }
            Token::Word(ref w) if w.eq_ignore_ascii_case("TRUE") => {
                self.index += 1;
                leaf(Expr::Literal(Literal::Boolean(true)))
            }
            Token::Word(ref w) if w.eq_ignore_ascii_case("FALSE") => {
                self.index += 1;
                leaf(Expr::Literal(Literal::Boolean(false)))
            }
            Token::Word(ref w) if w.eq_ignore_ascii_case("NULL") => {
                self.index += 1;
                leaf(Expr::Literal(Literal::Null))
            }
            Token::Word(ref w) if w.eq_ignore_ascii_case("CASE") => {
                self.index += 1;
                self.parse_case()
            }
            Token::Word(_) | Token::QuotedIdent(_) if self.peek_variable() => {
                let name = self.parse_variable()?;
                if self.consume_token(&Token::LParen) {
                    self.parse_function_call(name)
                } else {
                    leaf(Expr::Variable(name))
                }
            }
            Token::LBracket => {
                self.index += 1;
                self.parse_list()
            }
            Token::LBrace => self.parse_map_literal(),
            Token::LParen if self.peek_pattern_expression() => {
                let (p, d) = self.parse_pattern_element(true)?;
                Ok((Expr::Pattern(Box::new(p)), d + 1))
            }
            Token::LParen => {
                self.index += 1;
                let (e, d) = self.parse_subexpr(0)?;
                self.expect_token(&Token::RParen)?;
                Ok((e, d))
            }
            _ => self.expected("an expression", &tok),
        }
    }

    /// True if the `(` at the current token opens a pattern such as `(a)-[:R]->(b)`:
    /// the matching `)` is followed by `-[`, `--(`, `-->`, `<-[` or `<--`. Never advances.
    fn peek_pattern_expression(&self) -> bool {
        let mut depth = 0usize;
        let mut i = self.index;
        loop {
            match self.tokens.get(i).map(|t| &t.token) {
                None | Some(Token::Eof) => return false,
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Some(_) => {}
            }
            i += 1;
        }
        let at = |k: usize| self.tokens.get(i + k).map(|t| &t.token);
        matches!(
            (at(1), at(2), at(3)),
            (Some(Token::Minus), Some(Token::LBracket), _)
                | (
                    Some(Token::Minus),
                    Some(Token::Minus),
                    Some(Token::LParen | Token::Gt)
                )
                | (
                    Some(Token::Lt),
                    Some(Token::Minus),
                    Some(Token::LBracket | Token::Minus)
                )
        )
    }

    /// Parses the arguments of `name(` ... `)`, including `count(*)` and `f(DISTINCT x)`.
    fn parse_function_call(&mut self, name: Ident) -> Result<Deep<Expr>, ParseError> {
        if name.name.eq_ignore_ascii_case("count")
            && self.peek_token().token == Token::Star
            && self.peek_nth(1).token == Token::RParen
        {
            self.index += 2;
            return Ok((Expr::CountStar, 1));
        }
        let distinct = self.parse_keyword("DISTINCT");
        if distinct && self.peek_token().token == Token::RParen {
            return self.expected("an expression", self.peek_token());
        }
        let (args, d) = self.parse_expr_list(&Token::RParen)?;
        Ok((
            Expr::FunctionCall {
                name,
                distinct,
                args,
            },
            d + 1,
        ))
    }

    /// Parses a list literal or a list comprehension after `[`.
    fn parse_list(&mut self) -> Result<Deep<Expr>, ParseError> {
        if self.peek_variable() && self.peek_nth(1).token.is_keyword("IN") {
            let variable = self.parse_variable()?;
            self.index += 1;
            let (list, mut depth) = self.parse_subexpr(0)?;
            let filter = if self.parse_keyword("WHERE") {
                let (e, d) = self.parse_subexpr(0)?;
                depth = depth.max(d);
                Some(Box::new(e))
            } else {
                None
            };
            let map = if self.consume_token(&Token::Pipe) {
                let (e, d) = self.parse_subexpr(0)?;
                depth = depth.max(d);
                Some(Box::new(e))
            } else {
                None
            };
            self.expect_token(&Token::RBracket)?;
            return Ok((
                Expr::ListComprehension {
                    variable,
                    list: Box::new(list),
                    filter,
                    map,
                },
                depth + 1,
            ));
        }
        let (items, d) = self.parse_expr_list(&Token::RBracket)?;
        Ok((Expr::List(items), d + 1))
    }

    /// Parses `{key: expr, ...}`.
    fn parse_map_literal(&mut self) -> Result<Deep<Expr>, ParseError> {
        self.expect_token(&Token::LBrace)?;
        let mut entries = Vec::new();
        let mut depth = 0;
        if !self.consume_token(&Token::RBrace) {
            loop {
                let key = self.parse_symbolic_name("a property key")?;
                self.expect_token(&Token::Colon)?;
                let (value, d) = self.parse_subexpr(0)?;
                depth = depth.max(d);
                entries.push((key, value));
                if !self.consume_token(&Token::Comma) {
                    self.expect_token(&Token::RBrace)?;
                    break;
                }
            }
        }
        Ok((Expr::Map(entries), depth + 1))
    }

    /// Parses the rest of `CASE [operand] (WHEN e THEN e)+ [ELSE e] END`.
    fn parse_case(&mut self) -> Result<Deep<Expr>, ParseError> {
        let mut depth = 0;
        let operand = if self.peek_keyword("WHEN") {
            None
        } else {
            let (e, d) = self.parse_subexpr(0)?;
            depth = d;
            Some(Box::new(e))
        };
        let mut whens = Vec::new();
        while self.parse_keyword("WHEN") {
            let (when, d1) = self.parse_subexpr(0)?;
            self.expect_keyword("THEN")?;
            let (then, d2) = self.parse_subexpr(0)?;
            depth = depth.max(d1).max(d2);
            whens.push(CaseWhen { when, then });
        }
        if whens.is_empty() {
            return self.expected("WHEN", self.peek_token());
        }
        let else_expr = if self.parse_keyword("ELSE") {
            let (e, d) = self.parse_subexpr(0)?;
            depth = depth.max(d);
            Some(Box::new(e))
        } else {
            None
        };
        self.expect_keyword("END")?;
        Ok((
            Expr::Case {
                operand,
                whens,
                else_expr,
            },
            depth + 1,
        ))
    }
}
