//! Syntax tree of the read-only openCypher subset, printable back to canonical Cypher.
//!
//! `Display` prints canonical text that re-parses to an equal tree. Equality ignores
//! source positions (the `location` of an [`Ident`] and the span of a [`Statement`]).
//! Grammar reference: <https://opencypher.org/resources/>.

use std::fmt::{self, Display, Formatter, Write};
use std::hash::{Hash, Hasher};
use std::ops::Range;

use super::error::{Location, Span};
use super::tokenizer::{is_ident_part, is_ident_start};

/// Words that are keywords of the subset; as identifiers they must be backquoted.
pub const KEYWORDS: &[&str] = &[
    "ALL",
    "AND",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONTAINS",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "ELSE",
    "END",
    "ENDS",
    "EXPLAIN",
    "FALSE",
    "FOREACH",
    "IN",
    "IS",
    "LIMIT",
    "LOAD",
    "MATCH",
    "MERGE",
    "NOT",
    "NULL",
    "OPTIONAL",
    "OR",
    "ORDER",
    "PROFILE",
    "REMOVE",
    "RETURN",
    "SET",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
];

/// True if `word` is a keyword of the subset, ignoring ASCII case.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// A name (variable, label, relationship type, property key, function) with its source location.
///
/// Equality and hashing look at `name` only.
#[derive(Debug, Clone, Eq)]
pub struct Ident {
    /// The name, case preserved, backquotes removed.
    pub name: String,
    /// Where the name starts in the source (0:0 when built by hand).
    pub location: Location,
}

impl Ident {
    /// Builds an identifier with an unknown location.
    pub fn new(name: impl Into<String>) -> Self {
        Ident {
            name: name.into(),
            location: Location::default(),
        }
    }

    /// Builds an identifier found at `location`.
    pub fn with_location(name: impl Into<String>, location: Location) -> Self {
        Ident {
            name: name.into(),
            location,
        }
    }
}

/// A source position carried by an expression for error messages; equality ignores it
/// (a tree built by hand has none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pos(pub Location);

impl PartialEq for Pos {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Hash for Ident {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

fn plain_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_part)
}

/// Prints the name bare when possible, backquoted otherwise (keywords, spaces, ...).
impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if plain_ident(&self.name) && !is_keyword(&self.name) {
            f.write_str(&self.name)
        } else {
            write!(f, "`{}`", self.name.replace('`', "``"))
        }
    }
}

/// Quotes `s` as a canonical single-quoted Cypher string literal.
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() && (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn comma_list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Whether a statement is run, explained or profiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QueryMode {
    /// Plain query.
    #[default]
    Normal,
    /// `EXPLAIN` prefix: show the plan only.
    Explain,
    /// `PROFILE` prefix: run and show the plan with statistics.
    Profile,
}

/// One statement of a script, with its position in the source text.
///
/// Equality ignores `span` and `byte_range`.
#[derive(Debug, Clone)]
pub struct Statement {
    /// `EXPLAIN` / `PROFILE` prefix, if any.
    pub mode: QueryMode,
    /// The query itself.
    pub query: Query,
    /// Line/column span from the first to the last token (the `;` excluded).
    pub span: Span,
    /// Byte range of the statement in the source text.
    pub byte_range: Range<usize>,
}

impl Statement {
    /// The statement's original text in `source` (the text it was parsed from).
    pub fn source_text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.byte_range.clone()).unwrap_or("")
    }
}

impl PartialEq for Statement {
    fn eq(&self, other: &Self) -> bool {
        self.mode == other.mode && self.query == other.query
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.mode {
            QueryMode::Normal => {}
            QueryMode::Explain => f.write_str("EXPLAIN ")?,
            QueryMode::Profile => f.write_str("PROFILE ")?,
        }
        write!(f, "{}", self.query)
    }
}

/// A query: single queries joined by `UNION` / `UNION ALL`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The first single query.
    pub first: SingleQuery,
    /// Following parts: (`true` for `UNION ALL`, query).
    pub unions: Vec<(bool, SingleQuery)>,
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (all, q) in &self.unions {
            f.write_str(if *all { " UNION ALL " } else { " UNION " })?;
            write!(f, "{q}")?;
        }
        Ok(())
    }
}

/// A sequence of clauses ending with `RETURN`.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleQuery {
    /// The clauses in source order; the last one is a [`Clause::Return`].
    pub clauses: Vec<Clause>,
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, c) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A reading or projecting clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `[OPTIONAL] MATCH patterns [WHERE expr]`.
    Match(Match),
    /// `UNWIND expr AS var`.
    Unwind(Unwind),
    /// `WITH [DISTINCT] items [ORDER BY ...] [SKIP n] [LIMIT n] [WHERE expr]`.
    With(With),
    /// `RETURN [DISTINCT] items [ORDER BY ...] [SKIP n] [LIMIT n]`.
    Return(Projection),
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match(m) => write!(f, "{m}"),
            Clause::Unwind(u) => write!(f, "{u}"),
            Clause::With(w) => write!(f, "{w}"),
            Clause::Return(p) => write!(f, "RETURN {p}"),
        }
    }
}

/// `[OPTIONAL] MATCH patterns [WHERE expr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// True for `OPTIONAL MATCH`.
    pub optional: bool,
    /// Comma-separated path patterns.
    pub patterns: Vec<PathPattern>,
    /// The `WHERE` predicate, if any.
    pub where_clause: Option<Expr>,
}

impl Display for Match {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.optional {
            f.write_str("OPTIONAL ")?;
        }
        f.write_str("MATCH ")?;
        comma_list(f, &self.patterns)?;
        if let Some(w) = &self.where_clause {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

/// `UNWIND expr AS var`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unwind {
    /// The list expression.
    pub expr: Expr,
    /// The variable bound to each element.
    pub alias: Ident,
}

impl Display for Unwind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "UNWIND {} AS {}", self.expr, self.alias)
    }
}

/// `WITH projection [WHERE expr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct With {
    /// Items, ordering and paging.
    pub projection: Projection,
    /// The `WHERE` predicate applied after projecting, if any.
    pub where_clause: Option<Expr>,
}

impl Display for With {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "WITH {}", self.projection)?;
        if let Some(w) = &self.where_clause {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

/// The body shared by `WITH` and `RETURN`: `[DISTINCT] [*,] items [ORDER BY] [SKIP] [LIMIT]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// True for `DISTINCT`.
    pub distinct: bool,
    /// True if `*` (all variables in scope) is projected.
    pub star: bool,
    /// The projected expressions (may be empty when `star`).
    pub items: Vec<ProjectionItem>,
    /// `ORDER BY` keys (empty if absent).
    pub order_by: Vec<SortItem>,
    /// `SKIP` expression.
    pub skip: Option<Expr>,
    /// `LIMIT` expression.
    pub limit: Option<Expr>,
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_str("*")?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        comma_list(f, &self.items)?;
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            comma_list(f, &self.order_by)?;
        }
        if let Some(s) = &self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {l}")?;
        }
        Ok(())
    }
}

/// `expr [AS alias]` in a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionItem {
    /// The projected expression.
    pub expr: Expr,
    /// The `AS` name, if given.
    pub alias: Option<Ident>,
}

impl Display for ProjectionItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(a) = &self.alias {
            write!(f, " AS {a}")?;
        }
        Ok(())
    }
}

/// `expr [ASC|DESC]` in `ORDER BY`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    /// The sort key.
    pub expr: Expr,
    /// True for `DESC` / `DESCENDING`.
    pub descending: bool,
}

impl Display for SortItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        Ok(())
    }
}

/// How a path pattern is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// Every matching path.
    All,
    /// `shortestPath(...)`: one shortest path.
    Shortest,
    /// `allShortestPaths(...)`: all shortest paths.
    AllShortest,
}

/// A path pattern in `MATCH`: `[p =] [shortestPath(] (a)-[r]->(b) [)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPattern {
    /// The path variable of `p = ...`, if any.
    pub variable: Option<Ident>,
    /// Plain, shortest or all-shortest.
    pub kind: PathKind,
    /// The chain of nodes and relationships.
    pub element: PatternElement,
}

impl Display for PathPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.variable {
            write!(f, "{v} = ")?;
        }
        match self.kind {
            PathKind::All => write!(f, "{}", self.element),
            PathKind::Shortest => write!(f, "shortestPath({})", self.element),
            PathKind::AllShortest => write!(f, "allShortestPaths({})", self.element),
        }
    }
}

/// A node followed by zero or more (relationship, node) steps.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternElement {
    /// The first node.
    pub start: NodePattern,
    /// Each following relationship and the node it leads to.
    pub chain: Vec<(RelationshipPattern, NodePattern)>,
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        for (r, n) in &self.chain {
            write!(f, "{r}{n}")?;
        }
        Ok(())
    }
}

/// A node pattern `(v:Label1:Label2 {key: expr})`; every part is optional.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePattern {
    /// The node variable.
    pub variable: Option<Ident>,
    /// Required labels (all must match).
    pub labels: Vec<Ident>,
    /// Property constraints: an [`Expr::Map`] or an [`Expr::Parameter`].
    pub properties: Option<Expr>,
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        if let Some(v) = &self.variable {
            write!(f, "{v}")?;
        }
        for l in &self.labels {
            write!(f, ":{l}")?;
        }
        if let Some(p) = &self.properties {
            if self.variable.is_some() || !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str(")")
    }
}

/// Direction of a relationship pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `-[]->`: from the left node to the right node.
    Outgoing,
    /// `<-[]-`: from the right node to the left node.
    Incoming,
    /// `-[]-`: either direction.
    Both,
}

/// Bounds of a variable-length relationship: `*`, `*2`, `*1..3`, `*..3`, `*0..`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VarLength {
    /// Minimum number of hops (`None`: default, 1).
    pub min: Option<u64>,
    /// Maximum number of hops (`None`: unbounded).
    pub max: Option<u64>,
}

impl Display for VarLength {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("*")?;
        match (self.min, self.max) {
            (None, None) => Ok(()),
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a}..{b}"),
            (Some(a), None) => write!(f, "{a}.."),
            (None, Some(b)) => write!(f, "..{b}"),
        }
    }
}

/// A relationship pattern `-[r:TYPE1|TYPE2 *min..max {props}]->`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationshipPattern {
    /// Which way the arrow points.
    pub direction: Direction,
    /// The relationship variable.
    pub variable: Option<Ident>,
    /// Allowed types (any may match); empty means any type.
    pub types: Vec<Ident>,
    /// Variable-length bounds, if `*` was given.
    pub length: Option<VarLength>,
    /// Property constraints: an [`Expr::Map`] or an [`Expr::Parameter`].
    pub properties: Option<Expr>,
}

impl Display for RelationshipPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut detail = String::new();
        if let Some(v) = &self.variable {
            write!(detail, "{v}")?;
        }
        for (i, t) in self.types.iter().enumerate() {
            detail.push(if i == 0 { ':' } else { '|' });
            write!(detail, "{t}")?;
        }
        if let Some(l) = &self.length {
            write!(detail, "{l}")?;
        }
        if let Some(p) = &self.properties {
            if !detail.is_empty() {
                detail.push(' ');
            }
            write!(detail, "{p}")?;
        }
        let (left, right) = match self.direction {
            Direction::Outgoing => ("-", "->"),
            Direction::Incoming => ("<-", "-"),
            Direction::Both => ("-", "-"),
        };
        if detail.is_empty() {
            write!(f, "{left}{right}")
        } else {
            write!(f, "{left}[{detail}]{right}")
        }
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// Integer: `42`, `0x2A` (printed in decimal).
    Integer(i64),
    /// Float: `1.5`, `1e3`, `.5` (always finite).
    Float(f64),
    /// String: `'text'` or `"text"` (printed single-quoted).
    String(String),
    /// `true` / `false`.
    Boolean(bool),
    /// `null`.
    Null,
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Integer(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => f.write_str(&quote_string(s)),
            Literal::Boolean(true) => f.write_str("true"),
            Literal::Boolean(false) => f.write_str("false"),
            Literal::Null => f.write_str("null"),
        }
    }
}

/// A query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// `$name`.
    Named(String),
    /// `$0`.
    Positional(u64),
}

impl Display for Parameter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Parameter::Named(n) if plain_ident(n) => write!(f, "${n}"),
            Parameter::Named(n) => write!(f, "$`{}`", n.replace('`', "``")),
            Parameter::Positional(i) => write!(f, "${i}"),
        }
    }
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `NOT x`.
    Not,
    /// `-x`.
    Neg,
    /// `+x`.
    Plus,
}

/// An infix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `a OR b`.
    Or,
    /// `a XOR b`.
    Xor,
    /// `a AND b`.
    And,
    /// `a = b`.
    Eq,
    /// `a <> b`.
    Neq,
    /// `a < b`.
    Lt,
    /// `a > b`.
    Gt,
    /// `a <= b`.
    Le,
    /// `a >= b`.
    Ge,
    /// `a IN list`.
    In,
    /// `a STARTS WITH b`.
    StartsWith,
    /// `a ENDS WITH b`.
    EndsWith,
    /// `a CONTAINS b`.
    Contains,
    /// `a =~ regex`.
    RegexMatch,
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b`.
    Div,
    /// `a % b`.
    Mod,
    /// `a ^ b`.
    Pow,
}

impl BinaryOp {
    /// Binding strength, higher binds tighter (OR = 1 ... `^` = 9).
    pub fn precedence(self) -> u8 {
        use BinaryOp::*;
        match self {
            Or => 1,
            Xor => 2,
            And => 3,
            Eq | Neq | Lt | Gt | Le | Ge => PREC_COMPARISON,
            In | StartsWith | EndsWith | Contains | RegexMatch => PREC_PREDICATE,
            Add | Sub => 7,
            Mul | Div | Mod => 8,
            Pow => 9,
        }
    }

    /// True for `= <> < > <= >=`, which do not chain.
    pub fn is_comparison(self) -> bool {
        self.precedence() == PREC_COMPARISON
    }

    /// The operator as written in canonical Cypher.
    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "OR",
            Xor => "XOR",
            And => "AND",
            Eq => "=",
            Neq => "<>",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            In => "IN",
            StartsWith => "STARTS WITH",
            EndsWith => "ENDS WITH",
            Contains => "CONTAINS",
            RegexMatch => "=~",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "^",
        }
    }
}

/// Precedence of `NOT`.
pub const PREC_NOT: u8 = 4;
/// Precedence of comparisons.
pub const PREC_COMPARISON: u8 = 5;
/// Precedence of `IN`, `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `=~`, `IS [NOT] NULL`.
pub const PREC_PREDICATE: u8 = 6;
/// Precedence of unary `-` / `+`.
pub const PREC_UNARY: u8 = 10;
/// Precedence of postfix `.key`, `[i]`, `[a..b]`, `:Label`.
pub const PREC_POSTFIX: u8 = 11;
const PREC_ATOM: u8 = 12;

/// One `WHEN ... THEN ...` arm of a `CASE`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseWhen {
    /// The value (simple CASE) or condition (generic CASE).
    pub when: Expr,
    /// The result.
    pub then: Expr,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal: `1`, `'x'`, `true`, `null`.
    Literal(Literal),
    /// A parameter: `$name`, `$0`.
    Parameter(Parameter),
    /// A variable: `n`.
    Variable(Ident),
    /// Property access: `n.name`.
    Property {
        /// The map, node or relationship.
        expr: Box<Expr>,
        /// The property key.
        key: Ident,
    },
    /// Indexing: `list[0]`, `map['key']`.
    Index {
        /// The list or map.
        expr: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// Slicing: `list[1..2]`, `list[..2]`, `list[1..]`.
    Slice {
        /// The list.
        expr: Box<Expr>,
        /// Start (inclusive).
        from: Option<Box<Expr>>,
        /// End (exclusive).
        to: Option<Box<Expr>>,
    },
    /// Label predicate: `n:Person:Agent`.
    HasLabels {
        /// The node.
        expr: Box<Expr>,
        /// Labels that must all be present.
        labels: Vec<Ident>,
    },
    /// List literal: `[1, 2]`.
    List(Vec<Expr>),
    /// Map literal: `{key: expr}`.
    Map(Vec<(Ident, Expr)>),
    /// Function call: `f(a, b)`, `count(DISTINCT x)`.
    FunctionCall {
        /// Function name, case preserved.
        name: Ident,
        /// True for `f(DISTINCT ...)`.
        distinct: bool,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `count(*)`.
    CountStar,
    /// Prefix operator: `NOT x`, `-x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// Infix operator: `a + b`, `a AND b`, `a STARTS WITH b`.
    Binary {
        /// Left operand.
        left: Box<Expr>,
        /// The operator.
        op: BinaryOp,
        /// Right operand.
        right: Box<Expr>,
        /// Where the operator is written (runtime errors point at it).
        at: Pos,
    },
    /// `x IS NULL` / `x IS NOT NULL`.
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// True for `IS NOT NULL`.
        negated: bool,
    },
    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
    Case {
        /// The operand of a simple CASE; `None` for a generic CASE.
        operand: Option<Box<Expr>>,
        /// The arms, in order.
        whens: Vec<CaseWhen>,
        /// The `ELSE` result.
        else_expr: Option<Box<Expr>>,
    },
    /// List comprehension: `[x IN list WHERE pred | expr]`.
    ListComprehension {
        /// The element variable.
        variable: Ident,
        /// The source list.
        list: Box<Expr>,
        /// The `WHERE` filter.
        filter: Option<Box<Expr>>,
        /// The `| expr` mapping.
        map: Option<Box<Expr>>,
    },
    /// Pattern predicate: `(a)-[:OF]->(:Country)` (at least one relationship).
    Pattern(Box<PatternElement>),
}

impl Expr {
    /// Binding strength of the expression's top-level operator (atoms bind tightest).
    pub fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Unary {
                op: UnaryOp::Not, ..
            } => PREC_NOT,
            Expr::Unary { .. } => PREC_UNARY,
            Expr::IsNull { .. } => PREC_PREDICATE,
            Expr::Property { .. }
            | Expr::Index { .. }
            | Expr::Slice { .. }
            | Expr::HasLabels { .. } => PREC_POSTFIX,
            _ => PREC_ATOM,
        }
    }

    /// Builds `left op right`.
    pub fn binary(left: Expr, op: BinaryOp, right: Expr) -> Expr {
        Expr::binary_at(left, op, right, Location::default())
    }

    /// Builds `left op right` with the operator written at `at`.
    pub fn binary_at(left: Expr, op: BinaryOp, right: Expr, at: Location) -> Expr {
        Expr::Binary {
            left: Box::new(left),
            op,
            right: Box::new(right),
            at: Pos(at),
        }
    }

    /// True if the canonical text of this expression begins with `variable IN`,
    /// which inside `[...]` would read as a list comprehension.
    fn starts_with_var_in(&self) -> bool {
        match self {
            Expr::Binary {
                left,
                op: BinaryOp::In,
                ..
            } if matches!(**left, Expr::Variable(_)) => true,
            Expr::Binary { left, .. } => left.starts_with_var_in(),
            Expr::IsNull { expr, .. }
            | Expr::Property { expr, .. }
            | Expr::Index { expr, .. }
            | Expr::Slice { expr, .. }
            | Expr::HasLabels { expr, .. } => expr.starts_with_var_in(),
            _ => false,
        }
    }
}

/// Writes `e`, in parentheses if `paren`.
fn write_sub(f: &mut Formatter<'_>, e: &Expr, paren: bool) -> fmt::Result {
    if paren {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(l) => write!(f, "{l}"),
            Expr::Parameter(p) => write!(f, "{p}"),
            Expr::Variable(v) => write!(f, "{v}"),
            Expr::Property { expr, key } => {
                write_sub(f, expr, expr.precedence() < PREC_POSTFIX)?;
                write!(f, ".{key}")
            }
            Expr::Index { expr, index } => {
                write_sub(f, expr, expr.precedence() < PREC_POSTFIX)?;
                write!(f, "[{index}]")
            }
            Expr::Slice { expr, from, to } => {
                write_sub(f, expr, expr.precedence() < PREC_POSTFIX)?;
                f.write_str("[")?;
                if let Some(a) = from {
                    write!(f, "{a}")?;
                }
                f.write_str("..")?;
                if let Some(b) = to {
                    write!(f, "{b}")?;
                }
                f.write_str("]")
            }
            Expr::HasLabels { expr, labels } => {
                // `(n:A):B` stays nested; `n:A:B` is one predicate with two labels.
                let nested = matches!(**expr, Expr::HasLabels { .. });
                write_sub(f, expr, nested || expr.precedence() < PREC_POSTFIX)?;
                for l in labels {
                    write!(f, ":{l}")?;
                }
                Ok(())
            }
            Expr::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_sub(f, item, i == 0 && item.starts_with_var_in())?;
                }
                f.write_str("]")
            }
            Expr::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Expr::FunctionCall {
                name,
                distinct,
                args,
            } => {
                write!(f, "{name}(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma_list(f, args)?;
                f.write_str(")")
            }
            Expr::CountStar => f.write_str("count(*)"),
            Expr::Unary { op, expr } => match op {
                UnaryOp::Not => {
                    f.write_str("NOT ")?;
                    write_sub(f, expr, expr.precedence() < PREC_NOT)
                }
                UnaryOp::Neg | UnaryOp::Plus => {
                    f.write_str(if *op == UnaryOp::Neg { "-" } else { "+" })?;
                    let nested_sign = matches!(
                        **expr,
                        Expr::Unary {
                            op: UnaryOp::Neg | UnaryOp::Plus,
                            ..
                        }
                    );
                    write_sub(f, expr, nested_sign || expr.precedence() < PREC_UNARY)
                }
            },
            Expr::Binary {
                left, op, right, ..
            } => {
                let p = op.precedence();
                let left_paren = if op.is_comparison() {
                    left.precedence() <= p
                } else {
                    left.precedence() < p
                };
                write_sub(f, left, left_paren)?;
                write!(f, " {} ", op.as_str())?;
                // After `)`, `- -x`, `- [..]` and `< -x` would read as a relationship arrow.
                let arrow_like = matches!(op, BinaryOp::Sub | BinaryOp::Lt) && {
                    let text = right.to_string();
                    text.starts_with('-') || text.starts_with('[')
                };
                write_sub(f, right, arrow_like || right.precedence() <= p)
            }
            Expr::IsNull { expr, negated } => {
                write_sub(f, expr, expr.precedence() < PREC_PREDICATE)?;
                f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
            }
            Expr::Case {
                operand,
                whens,
                else_expr,
            } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for w in whens {
                    write!(f, " WHEN {} THEN {}", w.when, w.then)?;
                }
                if let Some(e) = else_expr {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            Expr::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => {
                write!(f, "[{variable} IN {list}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                if let Some(m) = map {
                    write!(f, " | {m}")?;
                }
                f.write_str("]")
            }
            Expr::Pattern(p) => write!(f, "{p}"),
        }
    }
}
