//! The logical plan: built from the syntax tree with schema checks, variables resolved
//! to row slots, labels/types/keys to schema ids, and pattern hops ordered to start from
//! the most selective node.
//!
//! A query is a list of [`Segment`]s, split at WITH: each runs a pipeline of [`Op`]s over
//! rows depth-first and ends in a [`Projection`] (RETURN or WITH), which may aggregate,
//! deduplicate, sort and cut. Consecutive non-optional MATCH clauses are planned together
//! (relationship uniqueness still holds per clause), so their WHERE predicates are
//! placed right after the operator that binds their last variable.

use super::adj::Adjacency;
use super::error::PlanError;
use super::value::QValue;
use crate::cypher::{
    self, BinaryOp, Clause, Direction, Expr, Ident, Literal, Location, NodePattern, Parameter,
    PathKind, PathPattern, Projection as AstProjection, UnaryOp,
};
use crate::graph::Graph;
use crate::schema::{KeyId, LabelId, RelTypeId};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// Limits applied while planning and running.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Depth of an unbounded variable-length relationship (`*`, `*2..`).
    pub max_var_length: u32,
    /// Rows a statement may return.
    pub max_result_rows: usize,
    /// Rows held at once by a blocking operator (aggregation groups, sort, DISTINCT, WITH).
    pub max_intermediate_rows: usize,
    /// List elements one statement may build in all: `range`, list comprehensions, list
    /// concatenation and `collect` together (so nested lists cannot exhaust memory).
    pub max_list_values: usize,
    /// Nodes plus relationships in the patterns of one statement (the planner's work
    /// grows faster than linearly with a pattern's length).
    pub max_pattern_length: usize,
    /// Wall-clock time for one statement; `None` for no limit.
    pub timeout: Option<std::time::Duration>,
    /// Set from another thread or a signal handler to stop the running statement, which
    /// then fails with [`ExecError::Cancelled`](super::ExecError::Cancelled); checked
    /// where the timeout is.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_var_length: 15,
            max_result_rows: 1_000_000,
            max_intermediate_rows: 10_000_000,
            max_list_values: 20_000_000,
            max_pattern_length: 200,
            timeout: Some(std::time::Duration::from_secs(60)),
            cancel: None,
        }
    }
}

/// Built-in scalar functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Func {
    Labels,
    Type,
    Id,
    Properties,
    Keys,
    Size,
    Length,
    Nodes,
    Relationships,
    ToLower,
    ToUpper,
    Trim,
    Coalesce,
    Date,
    Fold,
    ToString,
    ToInteger,
    ToFloat,
    Head,
    Last,
    Abs,
    StartNode,
    EndNode,
    Exists,
    Range,
    Sources,
}

/// The scalar functions by name (matched ignoring case), with their least and most
/// argument counts.
const FUNCTIONS: &[(&str, Func, usize, usize)] = {
    use Func::*;
    &[
        ("labels", Labels, 1, 1),
        ("type", Type, 1, 1),
        ("id", Id, 1, 1),
        ("elementId", Id, 1, 1),
        ("properties", Properties, 1, 1),
        ("keys", Keys, 1, 1),
        ("size", Size, 1, 1),
        ("length", Length, 1, 1),
        ("nodes", Nodes, 1, 1),
        ("relationships", Relationships, 1, 1),
        ("toLower", ToLower, 1, 1),
        ("lower", ToLower, 1, 1),
        ("toUpper", ToUpper, 1, 1),
        ("upper", ToUpper, 1, 1),
        ("trim", Trim, 1, 1),
        ("coalesce", Coalesce, 1, usize::MAX),
        ("date", Date, 0, 1),
        ("fold", Fold, 1, 1),
        ("toString", ToString, 1, 1),
        ("toInteger", ToInteger, 1, 1),
        ("toFloat", ToFloat, 1, 1),
        ("head", Head, 1, 1),
        ("last", Last, 1, 1),
        ("abs", Abs, 1, 1),
        ("startNode", StartNode, 1, 1),
        ("endNode", EndNode, 1, 1),
        ("exists", Exists, 1, 1),
        ("range", Range, 2, 3),
        ("sources", Sources, 1, 1),
    ]
};

/// The aggregate functions, by name (matched ignoring case).
const AGGREGATES: &[&str] = &["count", "collect", "min", "max", "sum", "avg"];

impl Func {
    fn lookup(name: &str) -> Option<(Func, usize, usize)> {
        FUNCTIONS
            .iter()
            .find(|f| f.0.eq_ignore_ascii_case(name))
            .map(|&(_, f, min, max)| (f, min, max))
    }
}

/// The names of every function the engine runs, scalar and aggregate, as documented
/// (`toLower`, `count`), for completion in the shell.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .map(|f| f.0)
        .chain(AGGREGATES.iter().copied())
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum AggFunc {
    CountStar,
    Count,
    Collect,
    Min,
    Max,
    Sum,
    Avg,
}

/// One aggregate of a projection.
#[derive(Debug, Clone)]
pub struct AggSpec {
    /// The function.
    pub func: AggFunc,
    /// `DISTINCT` given.
    pub distinct: bool,
    /// The argument (none for `count(*)`).
    pub arg: Option<CExpr>,
}

/// A compiled expression over a row's slots.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum CExpr {
    Const(QValue),
    Slot(usize),
    Prop(Box<CExpr>, Option<KeyId>),
    /// A property by a name the schema does not know: a map key or a date field
    /// (`d.year`); null on nodes and relationships.
    PropName(Box<CExpr>, Arc<str>),
    List(Vec<CExpr>),
    Map(Vec<(Arc<str>, CExpr)>),
    Index(Box<CExpr>, Box<CExpr>),
    Slice(Box<CExpr>, Option<Box<CExpr>>, Option<Box<CExpr>>),
    HasLabels(Box<CExpr>, Vec<Option<LabelId>>),
    Func(Func, Vec<CExpr>),
    Agg(usize),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    Bin(BinaryOp, Box<CExpr>, Box<CExpr>),
    Regex(Box<CExpr>, Arc<regex::Regex>),
    IsNull(Box<CExpr>, bool),
    Case(Option<Box<CExpr>>, Vec<(CExpr, CExpr)>, Option<Box<CExpr>>),
    ListComp {
        slot: usize,
        list: Box<CExpr>,
        filter: Option<Box<CExpr>>,
        map: Option<Box<CExpr>>,
    },
    /// A pattern predicate (`(a)-[:OF]->(:Country)`, `exists(...)`): true when the
    /// pattern has a match.
    Pattern(Arc<PatternPred>),
    /// An operator or function call written at a place in the text: its errors point
    /// there.
    At(Box<CExpr>, Location),
}

/// A pattern used as a predicate: a pipeline run from the current row until its first
/// match.
#[derive(Debug, Clone)]
pub struct PatternPred {
    /// The operators matching the pattern (their own variables have their own slots).
    pub ops: Vec<Op>,
    /// The slots of the enclosing query the pattern reads (they must be bound first).
    pub free: Vec<usize>,
    /// The row width the operators need.
    pub width: usize,
}

/// Where a pattern's first node comes from.
#[derive(Debug, Clone)]
pub enum NodeSource {
    /// Every node.
    All,
    /// The label index.
    Label(LabelId),
    /// The name index (`find_by_name`); exact equality is rechecked by a filter.
    Name(LabelId, String),
    /// The id map (`id(x) = '...'`).
    Id(String),
    /// Nothing can match (an unknown label).
    Empty,
}

/// A label requirement on a node bound by an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelCheck {
    /// Any node.
    Any,
    /// Exactly this label.
    Is(LabelId),
    /// No node matches.
    Never,
}

/// A single-hop expansion.
#[derive(Debug, Clone)]
pub struct Expand {
    /// Slot of the bound node.
    pub from: usize,
    /// Slot of the other node.
    pub to: usize,
    /// Whether `to` is already bound (the hop only checks).
    pub to_bound: bool,
    /// Slot of the relationship.
    pub rel: usize,
    /// Whether the relationship slot is already bound (check equality).
    pub rel_bound: bool,
    /// Relationship types (`None`: any).
    pub types: Option<Vec<RelTypeId>>,
    /// Direction seen from `from`.
    pub dir: Direction,
    /// Label of `to`.
    pub to_label: LabelCheck,
    /// Uniqueness group: the MATCH clause.
    pub group: u32,
    /// Count edges instead of binding each (the rest of the pipeline is `count(*)`).
    pub count_only: bool,
}

/// A variable-length expansion.
#[derive(Debug, Clone)]
pub struct VarExpand {
    /// The single-hop part.
    pub hop: Expand,
    /// Minimum length.
    pub min: u32,
    /// Maximum length.
    pub max: u32,
    /// Whether the list of relationships must be bound to `hop.rel`.
    pub bind_rels: bool,
    /// Expanded from the pattern's right end: the list is reversed before binding.
    pub reversed: bool,
    /// Emit each reachable node once (breadth-first with a visited set): the rest of
    /// the query only needs distinct targets.
    pub distinct_targets: bool,
    /// Property constraints every relationship of the path must meet (key, value).
    pub rel_props: Vec<(Option<KeyId>, CExpr)>,
    /// Whether another hop of the same MATCH may bind relationships of this hop's
    /// types (else relationship uniqueness cannot exclude any, and the breadth-first
    /// form stays exact after other hops of the clause).
    pub shares_types: bool,
}

/// A shortestPath / allShortestPaths: a breadth-first search from `from`, to the bound
/// node `to`, or (when `to` is not bound) to every reachable node that passes
/// `to_label`, one result per end node.
#[derive(Debug, Clone)]
pub struct ShortestPath {
    /// Start node slot (bound).
    pub from: usize,
    /// End node slot.
    pub to: usize,
    /// Whether `to` is bound before the search.
    pub to_bound: bool,
    /// Label of `to` (when the search binds it).
    pub to_label: LabelCheck,
    /// The search runs from the pattern's right end: paths are reversed before binding.
    pub reversed: bool,
    /// Property constraints on every relationship of the path.
    pub rel_props: Vec<(Option<KeyId>, CExpr)>,
    /// Path slot.
    pub path: usize,
    /// Relationship list slot, if named.
    pub rel: Option<usize>,
    /// Types.
    pub types: Option<Vec<RelTypeId>>,
    /// Direction.
    pub dir: Direction,
    /// Minimum length (0 or 1).
    pub min: u32,
    /// Maximum length.
    pub max: u32,
    /// All shortest paths rather than one.
    pub all: bool,
}

/// The name of the virtual relationship from a node to the documents its provenance
/// cites: `(e:Event)-[:REPORTED_IN]->(d:Document)`.
pub const REPORTED_IN: &str = "REPORTED_IN";

/// A hop over the virtual [`REPORTED_IN`] relationship.
#[derive(Debug, Clone)]
pub struct Reported {
    /// Slot of the bound node.
    pub from: usize,
    /// Slot of the other node.
    pub to: usize,
    /// Whether `to` is already bound (the hop only checks).
    pub to_bound: bool,
    /// Label of `to`.
    pub to_label: LabelCheck,
    /// Whether `to` is the document end (else `from` is the document).
    pub to_doc: bool,
}

/// One element of a named path.
#[derive(Debug, Clone)]
pub enum PathPart {
    /// A node slot.
    Node(usize),
    /// A relationship slot (single).
    Rel(usize),
    /// A relationship-list slot (variable length).
    Rels(usize),
}

/// A pipeline operator.
#[derive(Debug, Clone)]
pub enum Op {
    /// Binds a node from a source.
    Start {
        /// Slot.
        var: usize,
        /// Source.
        source: NodeSource,
        /// Label requirement.
        label: LabelCheck,
    },
    /// Single-hop expansion.
    Expand(Expand),
    /// Variable-length expansion.
    VarExpand(VarExpand),
    /// Shortest path(s).
    ShortestPath(ShortestPath),
    /// From a node to the documents that report it, or back.
    Reported(Reported),
    /// Keeps rows where the predicate is true.
    Filter(CExpr),
    /// OPTIONAL MATCH: the inner pipeline, or one row with `binds` set to null.
    Optional {
        /// Inner operators.
        ops: Vec<Op>,
        /// Slots the inner pipeline binds.
        binds: Vec<usize>,
    },
    /// UNWIND.
    Unwind {
        /// The list.
        expr: CExpr,
        /// Slot of each item.
        slot: usize,
    },
    /// Binds a named path from its parts.
    BindPath {
        /// Slot.
        slot: usize,
        /// Parts in order.
        parts: Vec<PathPart>,
    },
}

/// The end of a segment: RETURN or WITH.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Output column names.
    pub names: Vec<String>,
    /// Output expressions over the input row (aggregates as [`CExpr::Agg`]).
    pub items: Vec<CExpr>,
    /// Which items contain an aggregate.
    pub item_is_agg: Vec<bool>,
    /// The aggregates.
    pub aggs: Vec<AggSpec>,
    /// DISTINCT.
    pub distinct: bool,
    /// Sort keys over the row `output ++ input`, descending flag.
    pub order: Vec<(CExpr, bool)>,
    /// SKIP.
    pub skip: Option<CExpr>,
    /// LIMIT.
    pub limit: Option<CExpr>,
    /// WITH … WHERE, over the output row.
    pub filter: Option<CExpr>,
    /// Only `count(*)` aggregates: the pipeline may pass row multiplicities.
    pub counts_only: bool,
}

impl Projection {
    /// Whether the result depends only on the set of distinct input rows.
    pub fn set_semantic(&self) -> bool {
        if self.aggs.is_empty() {
            return self.distinct;
        }
        self.aggs
            .iter()
            .all(|a| a.distinct || matches!(a.func, AggFunc::Min | AggFunc::Max))
    }
}

/// A pipeline and its projection.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Width of the rows.
    pub width: usize,
    /// Operators.
    pub ops: Vec<Op>,
    /// The projection.
    pub end: Projection,
    /// Names of slots (for EXPLAIN).
    pub slot_names: Vec<String>,
}

/// One single query (a UNION branch).
#[derive(Debug, Clone)]
pub struct SinglePlan {
    /// Segments in order.
    pub segments: Vec<Segment>,
}

/// The plan of a statement.
#[derive(Debug, Clone)]
pub struct LogicalPlan {
    /// UNION branches (one without UNION).
    pub branches: Vec<SinglePlan>,
    /// UNION (not ALL) between branches: deduplicate.
    pub union_distinct: bool,
    /// Result column names.
    pub columns: Vec<String>,
    /// Schema warnings (unknown labels, types, properties).
    pub warnings: Vec<String>,
    /// Comparisons of names with strings, checked when the result is empty.
    pub name_probes: Vec<super::names::NameProbe>,
    /// Estimated rows per operator, for EXPLAIN (same shape as the ops).
    pub limits: Limits,
}

#[derive(Clone, Default)]
struct Scope {
    names: Vec<(String, usize)>,
    slot_names: Vec<String>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
    }
    fn alloc(&mut self, name: &str) -> usize {
        self.slot_names.push(name.to_string());
        self.slot_names.len() - 1
    }
    fn bind(&mut self, name: &str) -> usize {
        let s = self.alloc(name);
        self.names.push((name.to_string(), s));
        s
    }
    fn width(&self) -> usize {
        self.slot_names.len()
    }
}

/// Builds plans for one graph.
pub struct Planner<'a> {
    g: &'a Graph,
    adj: &'a Adjacency,
    params: &'a HashMap<String, QValue>,
    limits: Limits,
    warnings: Vec<String>,
    name_probes: Vec<super::names::NameProbe>,
    anon: usize,
    groups: u32,
    /// When planning must have ended ([`Limits::timeout`] from the planner's creation).
    deadline: Option<std::time::Instant>,
}

/// Unbound nodes tried as the first start of a pattern that touches nothing bound: the
/// ones with the smallest source estimates (each try plans the whole pattern).
const MAX_START_TRIES: usize = 8;

fn loc_text(l: Location) -> String {
    if l.line == 0 {
        String::new()
    } else {
        format!(" (line {}, column {})", l.line, l.column)
    }
}

/// Free variables (slots) of a compiled expression.
pub(crate) fn slots_of(e: &CExpr, out: &mut Vec<usize>) {
    match e {
        CExpr::Const(_) | CExpr::Agg(_) => {}
        CExpr::Slot(s) => out.push(*s),
        CExpr::Prop(a, _) | CExpr::Not(a) | CExpr::Neg(a) | CExpr::IsNull(a, _) => slots_of(a, out),
        CExpr::PropName(a, _) | CExpr::At(a, _) => slots_of(a, out),
        CExpr::HasLabels(a, _) | CExpr::Regex(a, _) => slots_of(a, out),
        CExpr::List(v) | CExpr::Func(_, v) => v.iter().for_each(|x| slots_of(x, out)),
        CExpr::Map(v) => v.iter().for_each(|(_, x)| slots_of(x, out)),
        CExpr::Index(a, b) | CExpr::Bin(_, a, b) => {
            slots_of(a, out);
            slots_of(b, out)
        }
        CExpr::Slice(a, b, c) => {
            slots_of(a, out);
            b.iter().chain(c.iter()).for_each(|x| slots_of(x, out))
        }
        CExpr::Case(o, w, e) => {
            o.iter().chain(e.iter()).for_each(|x| slots_of(x, out));
            w.iter().for_each(|(a, b)| {
                slots_of(a, out);
                slots_of(b, out)
            })
        }
        CExpr::Pattern(p) => out.extend(p.free.iter().copied()),
        CExpr::ListComp {
            slot,
            list,
            filter,
            map,
        } => {
            let mut inner = Vec::new();
            slots_of(list, out);
            filter
                .iter()
                .chain(map.iter())
                .for_each(|x| slots_of(x, &mut inner));
            out.extend(inner.into_iter().filter(|s| s != slot));
        }
    }
}

/// Slots an operator reads or writes.
fn op_slots(op: &Op, out: &mut Vec<usize>) {
    match op {
        Op::Start { var, .. } => out.push(*var),
        Op::Expand(e) => out.extend([e.from, e.to, e.rel]),
        Op::VarExpand(v) => {
            out.extend([v.hop.from, v.hop.to, v.hop.rel]);
            v.rel_props.iter().for_each(|(_, c)| slots_of(c, out));
        }
        Op::ShortestPath(p) => {
            out.extend([p.from, p.to, p.path]);
            out.extend(p.rel);
            p.rel_props.iter().for_each(|(_, c)| slots_of(c, out));
        }
        Op::Reported(r) => out.extend([r.from, r.to]),
        Op::Filter(c) => slots_of(c, out),
        Op::Optional { ops, binds } => {
            ops.iter().for_each(|o| op_slots(o, out));
            out.extend(binds.iter().copied());
        }
        Op::Unwind { expr, slot } => {
            slots_of(expr, out);
            out.push(*slot);
        }
        Op::BindPath { slot, parts } => {
            out.push(*slot);
            for p in parts {
                match p {
                    PathPart::Node(s) | PathPart::Rel(s) | PathPart::Rels(s) => out.push(*s),
                }
            }
        }
    }
}

fn split_and(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::Binary {
            left,
            op: BinaryOp::And,
            right,
            ..
        } => {
            split_and(*left, out);
            split_and(*right, out);
        }
        e => out.push(e),
    }
}

fn contains_agg(e: &Expr) -> bool {
    match e {
        Expr::CountStar => true,
        Expr::FunctionCall { name, args, .. } => {
            is_agg_name(&name.name) || args.iter().any(contains_agg)
        }
        Expr::Property { expr, .. } | Expr::HasLabels { expr, .. } => contains_agg(expr),
        Expr::Index { expr, index } => contains_agg(expr) || contains_agg(index),
        Expr::Slice { expr, from, to } => {
            contains_agg(expr)
                || from.as_deref().is_some_and(contains_agg)
                || to.as_deref().is_some_and(contains_agg)
        }
        Expr::List(v) => v.iter().any(contains_agg),
        Expr::Map(v) => v.iter().any(|(_, x)| contains_agg(x)),
        Expr::Unary { expr, .. } | Expr::IsNull { expr, .. } => contains_agg(expr),
        Expr::Binary { left, right, .. } => contains_agg(left) || contains_agg(right),
        Expr::Case {
            operand,
            whens,
            else_expr,
        } => {
            operand.as_deref().is_some_and(contains_agg)
                || else_expr.as_deref().is_some_and(contains_agg)
                || whens
                    .iter()
                    .any(|w| contains_agg(&w.when) || contains_agg(&w.then))
        }
        Expr::ListComprehension {
            list, filter, map, ..
        } => {
            contains_agg(list)
                || filter.as_deref().is_some_and(contains_agg)
                || map.as_deref().is_some_and(contains_agg)
        }
        _ => false,
    }
}

fn is_agg_name(n: &str) -> bool {
    AGGREGATES.iter().any(|a| a.eq_ignore_ascii_case(n))
}

fn place_conjs(bound: &[usize], conjs: &[Conj], placed: &mut [bool], ops: &mut Vec<Op>) {
    for (i, c) in conjs.iter().enumerate() {
        if !placed[i] && c.slots.iter().all(|s| bound.contains(s)) {
            placed[i] = true;
            ops.push(Op::Filter(c.expr.clone()));
        }
    }
}

/// A hop of a pattern being planned.
struct Hop {
    left: usize,
    right: usize,
    rel: usize,
    rel_named: bool,
    rel_bound: bool,
    types: Option<Vec<RelTypeId>>,
    dir: Direction,
    var: Option<(u32, u32)>,
    /// Property constraints of a variable-length relationship.
    props: Vec<(Option<KeyId>, CExpr)>,
    /// The virtual REPORTED_IN relationship.
    reported: bool,
    group: u32,
    path: Option<usize>,
    placed: bool,
}

/// Per node variable: its label requirement and source candidates.
#[derive(Clone)]
struct NodeInfo {
    slot: usize,
    label: Option<LabelCheck>,
    name_lookup: Option<String>,
    id_lookup: Option<String>,
}

struct Conj {
    expr: CExpr,
    slots: Vec<usize>,
    placed: bool,
}

impl<'a> Planner<'a> {
    /// A planner over `g` with parameter values.
    pub fn new(
        g: &'a Graph,
        adj: &'a Adjacency,
        params: &'a HashMap<String, QValue>,
        limits: Limits,
    ) -> Self {
        Planner {
            g,
            adj,
            params,
            warnings: Vec::new(),
            name_probes: Vec::new(),
            anon: 0,
            groups: 0,
            deadline: limits.timeout.map(|t| std::time::Instant::now() + t),
            limits,
        }
    }

    /// Fails with [`PlanError::Timeout`] once the statement's time is up.
    fn check_time(&self) -> Result<(), PlanError> {
        match (self.deadline, self.limits.timeout) {
            (Some(d), Some(t)) if std::time::Instant::now() > d => {
                Err(PlanError::Timeout(t.as_secs_f64()))
            }
            _ => Ok(()),
        }
    }

    /// Fails with [`PlanError::Limit`] when patterns hold more than
    /// [`Limits::max_pattern_length`] nodes and relationships.
    fn check_pattern_length<'p>(
        &self,
        patterns: impl Iterator<Item = &'p cypher::PathPattern>,
    ) -> Result<(), PlanError> {
        let n: usize = patterns.map(|p| 1 + 2 * p.element.chain.len()).sum();
        let max = self.limits.max_pattern_length;
        if n > max {
            return Err(PlanError::Limit(format!(
                "the pattern has {n} nodes and relationships; at most {max} are planned (max pattern length)"
            )));
        }
        Ok(())
    }

    /// Plans a parsed statement.
    pub fn plan(mut self, q: &cypher::Query) -> Result<LogicalPlan, PlanError> {
        let mut branches = Vec::new();
        let (first, columns) = self.plan_single(&q.first)?;
        branches.push(first);
        let mut union_distinct = false;
        for (all, sq) in &q.unions {
            let (p, cols) = self.plan_single(sq)?;
            if cols != columns {
                return Err(PlanError::Unsupported(
                    "UNION of queries with different column names".into(),
                ));
            }
            union_distinct |= !*all;
            branches.push(p);
        }
        Ok(LogicalPlan {
            branches,
            union_distinct,
            columns,
            warnings: self.warnings,
            name_probes: self.name_probes,
            limits: self.limits,
        })
    }

    fn warn(&mut self, w: String) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn label_id(&mut self, l: &Ident) -> Option<LabelId> {
        match self.g.schema().label(&l.name) {
            Ok(id) => Some(id),
            Err(e) => {
                self.warn(format!("{e}{}", loc_text(l.location)));
                None
            }
        }
    }

    fn type_id(&mut self, t: &Ident) -> Option<RelTypeId> {
        match self.g.schema().rel_type(&t.name) {
            Ok(id) => Some(id),
            Err(e) => {
                self.warn(format!("{e}{}", loc_text(t.location)));
                None
            }
        }
    }

    fn key_id(&mut self, k: &Ident) -> Option<KeyId> {
        let s = self.g.schema();
        match s.key(&k.name) {
            Some(id) => Some(id),
            None => {
                let sugg =
                    crate::schema::did_you_mean(&k.name, s.keys().iter().map(|x| x.as_str()));
                self.warn(format!(
                    "unknown property key {}{}{}",
                    k.name,
                    sugg.map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default(),
                    loc_text(k.location)
                ));
                None
            }
        }
    }

    fn plan_single(
        &mut self,
        q: &cypher::SingleQuery,
    ) -> Result<(SinglePlan, Vec<String>), PlanError> {
        let mut segments = Vec::new();
        let mut scope = Scope::default();
        let mut ops: Vec<Op> = Vec::new();
        let mut columns = Vec::new();
        let mut i = 0;
        let clauses = &q.clauses;
        let mut ended = false;
        while i < clauses.len() {
            match &clauses[i] {
                Clause::Match(m) if !m.optional => {
                    let mut group = vec![m];
                    while let Some(Clause::Match(m2)) = clauses.get(i + 1) {
                        if m2.optional {
                            break;
                        }
                        group.push(m2);
                        i += 1;
                    }
                    let new_ops = self.plan_match(&group, &mut scope)?;
                    ops.extend(new_ops);
                }
                Clause::Match(m) => {
                    let before: Vec<usize> = (0..scope.width()).collect();
                    let inner = self.plan_match(&[m], &mut scope)?;
                    let binds: Vec<usize> =
                        (0..scope.width()).filter(|s| !before.contains(s)).collect();
                    ops.push(Op::Optional { ops: inner, binds });
                }
                Clause::Unwind(u) => {
                    let expr = self.compile(&u.expr, &mut scope, None)?;
                    let slot = scope.bind(&u.alias.name);
                    ops.push(Op::Unwind { expr, slot });
                }
                Clause::With(w) => {
                    let (end, next) = self.plan_projection(
                        &w.projection,
                        w.where_clause.as_ref(),
                        &mut scope,
                        true,
                    )?;
                    segments.push(Segment {
                        width: scope.width(),
                        ops: std::mem::take(&mut ops),
                        end,
                        slot_names: scope.slot_names.clone(),
                    });
                    scope = next;
                }
                Clause::Return(p) => {
                    let (end, _) = self.plan_projection(p, None, &mut scope, false)?;
                    columns = end.names.clone();
                    segments.push(Segment {
                        width: scope.width(),
                        ops: std::mem::take(&mut ops),
                        end,
                        slot_names: scope.slot_names.clone(),
                    });
                    ended = true;
                }
            }
            i += 1;
        }
        if !ended {
            segments.push(Segment {
                width: scope.width(),
                ops,
                end: Projection {
                    names: vec![],
                    items: vec![],
                    item_is_agg: vec![],
                    aggs: vec![],
                    distinct: false,
                    order: vec![],
                    skip: None,
                    limit: None,
                    filter: None,
                    counts_only: false,
                },
                slot_names: scope.slot_names.clone(),
            });
        }
        // Optimisations that need to see the end of each segment.
        for seg in &mut segments {
            let set_sem = seg.end.set_semantic();
            let counts_only = seg.end.counts_only;
            let mut used_later: Vec<usize> = Vec::new();
            for e in seg
                .end
                .items
                .iter()
                .chain(seg.end.order.iter().map(|(e, _)| e))
            {
                slots_of(e, &mut used_later);
            }
            for a in &seg.end.aggs {
                if let Some(e) = &a.arg {
                    slots_of(e, &mut used_later);
                }
            }
            optimise_tail(&mut seg.ops, set_sem, counts_only, &used_later, self.g);
        }
        Ok((SinglePlan { segments }, columns))
    }

    fn plan_projection(
        &mut self,
        p: &AstProjection,
        where_clause: Option<&Expr>,
        scope: &mut Scope,
        is_with: bool,
    ) -> Result<(Projection, Scope), PlanError> {
        let mut names = Vec::new();
        let mut asts: Vec<Expr> = Vec::new();
        if p.star {
            let mut seen = Vec::new();
            for (n, _) in &scope.names {
                if !n.starts_with(' ') && !seen.contains(n) {
                    seen.push(n.clone());
                }
            }
            for n in seen {
                asts.push(Expr::Variable(Ident::new(n.clone())));
                names.push(n);
            }
        }
        for it in &p.items {
            let name = match (&it.alias, &it.expr) {
                (Some(a), _) => a.name.clone(),
                (None, Expr::Variable(v)) => v.name.clone(),
                (None, e) => {
                    if is_with {
                        return Err(PlanError::MissingAlias(e.to_string()));
                    }
                    e.to_string()
                }
            };
            names.push(name);
            asts.push(it.expr.clone());
        }
        let mut aggs = Vec::new();
        let mut items = Vec::new();
        let mut item_is_agg = Vec::new();
        for e in &asts {
            let has = contains_agg(e);
            item_is_agg.push(has);
            items.push(self.compile(e, scope, Some(&mut aggs))?);
        }
        let grouping = !aggs.is_empty();
        let counts_only = grouping && aggs.iter().all(|a: &AggSpec| a.func == AggFunc::CountStar);
        // The output scope: projected names at slots 0..n.
        let mut out = Scope::default();
        for n in &names {
            out.bind(n);
        }
        // ORDER BY sees output names, then (without aggregation) input names at n + slot.
        let n = names.len();
        let mut order = Vec::new();
        for s in &p.order_by {
            if let Some(i) = asts.iter().position(|a| *a == s.expr) {
                order.push((CExpr::Slot(i), s.descending));
                continue;
            }
            let mut combined = Scope::default();
            for (name, slot) in &scope.names {
                combined.names.push((name.clone(), n + slot));
            }
            for (name, slot) in &out.names {
                combined.names.push((name.clone(), *slot));
            }
            combined.slot_names = (0..n + scope.width()).map(|i| i.to_string()).collect();
            if contains_agg(&s.expr) {
                return Err(PlanError::Aggregation(format!(
                    "ORDER BY {}: an aggregate in ORDER BY must also be a projected item",
                    s.expr
                )));
            }
            let c = self.compile(&s.expr, &mut combined, None)?;
            order.push((c, s.descending));
        }
        let skip = p
            .skip
            .as_ref()
            .map(|e| self.compile(e, &mut Scope::default(), None))
            .transpose()?;
        let limit = p
            .limit
            .as_ref()
            .map(|e| self.compile(e, &mut Scope::default(), None))
            .transpose()?;
        let filter = match where_clause {
            Some(w) => Some(self.compile(w, &mut out, None)?),
            None => None,
        };
        Ok((
            Projection {
                names,
                items,
                item_is_agg,
                aggs,
                distinct: p.distinct,
                order,
                skip,
                limit,
                filter,
                counts_only,
            },
            out,
        ))
    }

    fn const_of(&self, e: &Expr) -> Option<QValue> {
        match e {
            Expr::Literal(l) => Some(lit(l)),
            Expr::Parameter(Parameter::Named(n)) => self.params.get(n).cloned(),
            // `fold('Lương')`: folded once here, so `fold(x.name) = fold('…')` uses the
            // name index.
            Expr::FunctionCall { name, args, .. }
                if args.len() == 1 && name.name.eq_ignore_ascii_case("fold") =>
            {
                match self.const_of(&args[0])? {
                    QValue::String(s) => Some(QValue::str(&crate::fold::fold(&s))),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Plans a group of MATCH clauses (one uniqueness group each).
    fn plan_match(
        &mut self,
        clauses: &[&cypher::Match],
        scope: &mut Scope,
    ) -> Result<Vec<Op>, PlanError> {
        let mut nodes: Vec<NodeInfo> = Vec::new();
        let mut hops: Vec<Hop> = Vec::new();
        let mut conj_ast: Vec<Expr> = Vec::new();
        let mut paths: Vec<(usize, Vec<PathPart>, Vec<usize>)> = Vec::new();
        // shortestPath patterns: the pattern, its start and end slots
        let mut shortest: Vec<(PathPattern, usize, usize)> = Vec::new();
        self.check_pattern_length(clauses.iter().flat_map(|m| m.patterns.iter()))?;
        let bound_before: Vec<usize> = (0..scope.width()).collect();
        let base = self.groups;
        self.groups += clauses.len() as u32;
        for (gi, m) in clauses.iter().enumerate() {
            let gi = gi + base as usize;
            for pat in &m.patterns {
                if pat.kind != PathKind::All {
                    if pat.element.chain.len() != 1 {
                        return Err(PlanError::Unsupported(
                            "shortestPath over a pattern of more than one relationship (as in Neo4j, write one relationship, e.g. -[:A|B*..10]-)".into(),
                        ));
                    }
                    // endpoints are bound like ordinary nodes (or the end by the search
                    // itself, decided below); the path comes last
                    let a = self.node_var(&pat.element.start, scope, &mut nodes, &mut conj_ast)?;
                    let b =
                        self.node_var(&pat.element.chain[0].1, scope, &mut nodes, &mut conj_ast)?;
                    shortest.push((pat.clone(), a, b));
                    continue;
                }
                let mut parts = Vec::new();
                let mut hop_ids = Vec::new();
                let mut left =
                    self.node_var(&pat.element.start, scope, &mut nodes, &mut conj_ast)?;
                parts.push(PathPart::Node(left));
                for (rp, np) in &pat.element.chain {
                    let right = self.node_var(np, scope, &mut nodes, &mut conj_ast)?;
                    let (rel, rel_named, rel_bound) = match &rp.variable {
                        Some(v) => match scope.get(&v.name) {
                            Some(s) => (s, true, bound_before.contains(&s)),
                            None => (scope.bind(&v.name), true, false),
                        },
                        None => {
                            self.anon += 1;
                            (scope.bind(&format!(" r{}", self.anon)), false, false)
                        }
                    };
                    let reported = rp.types.len() == 1
                        && rp.types[0].name == REPORTED_IN
                        && self.g.schema().rel_type(REPORTED_IN).is_err();
                    if reported
                        && (rp.length.is_some()
                            || rp.variable.is_some()
                            || rp.properties.is_some()
                            || pat.variable.is_some()
                            || rp.direction == Direction::Both)
                    {
                        return Err(PlanError::Unsupported(
                            "REPORTED_IN (a node's source documents) only as a single unnamed directed relationship outside named paths".into(),
                        ));
                    }
                    let types = if rp.types.is_empty() || reported {
                        None
                    } else {
                        let mut v = Vec::new();
                        for t in &rp.types {
                            if let Some(id) = self.type_id(t) {
                                v.push(id);
                            }
                        }
                        Some(v)
                    };
                    let var = rp.length.map(|l| {
                        let min = l.min.unwrap_or(1) as u32;
                        let max = l
                            .max
                            .map(|m| m.min(u32::MAX as u64) as u32)
                            .unwrap_or(self.limits.max_var_length.max(min));
                        (min, max)
                    });
                    let mut var_props = Vec::new();
                    if let Some(props) = &rp.properties {
                        if var.is_some() {
                            var_props = self.var_rel_props(props, scope, &bound_before)?;
                        } else {
                            self.prop_map_conjuncts(rel, props, &mut conj_ast, scope, false)?;
                        }
                    }
                    hop_ids.push(hops.len());
                    parts.push(if var.is_some() {
                        PathPart::Rels(rel)
                    } else {
                        PathPart::Rel(rel)
                    });
                    parts.push(PathPart::Node(right));
                    hops.push(Hop {
                        left,
                        right,
                        rel,
                        rel_named,
                        rel_bound,
                        types,
                        dir: rp.direction,
                        var,
                        props: var_props,
                        reported,
                        group: gi as u32,
                        path: None,
                        placed: false,
                    });
                    left = right;
                }
                if let Some(v) = &pat.variable {
                    let slot = scope.bind(&v.name);
                    for &h in &hop_ids {
                        hops[h].path = Some(slot);
                    }
                    paths.push((slot, parts, hop_ids));
                }
            }
            if let Some(w) = &m.where_clause {
                split_and(w.clone(), &mut conj_ast);
            }
        }
        // Compile conjuncts and find lookups.
        let mut conjs = Vec::new();
        for e in &conj_ast {
            self.note_lookup(e, scope, &mut nodes);
            let c = self.compile(e, scope, None)?;
            let mut slots = Vec::new();
            slots_of(&c, &mut slots);
            conjs.push(Conj {
                expr: c,
                slots,
                placed: false,
            });
        }
        // A shortestPath end that nothing else in this MATCH uses and that has no
        // selective lookup is bound by the search itself (one breadth-first search from
        // the other end reaches every candidate), not by a scan and a search per pair.
        let mut searched: Vec<(usize, bool)> = Vec::new(); // (slot bound by the search, reversed)
        let mut held_back: Vec<NodeInfo> = Vec::new();
        for (i, (_, a, b)) in shortest.iter().enumerate() {
            let free = |s: usize| {
                !bound_before.contains(&s)
                    && !hops.iter().any(|h| h.left == s || h.right == s)
                    && !shortest
                        .iter()
                        .enumerate()
                        .any(|(j, (_, x, y))| j != i && (*x == s || *y == s))
                    && a != b
            };
            let selective = |s: usize| {
                bound_before.contains(&s)
                    || nodes
                        .iter()
                        .any(|n| n.slot == s && (n.id_lookup.is_some() || n.name_lookup.is_some()))
            };
            let pick = if free(*b) && !selective(*b) {
                Some((*b, false))
            } else if free(*a) && !selective(*a) && selective(*b) {
                Some((*a, true))
            } else {
                None
            };
            searched.push(pick.unwrap_or((usize::MAX, false)));
            if let Some((s, _)) = pick {
                if let Some(p) = nodes.iter().position(|n| n.slot == s) {
                    held_back.push(nodes.remove(p));
                }
            }
        }
        let mut bound: Vec<usize> = bound_before.clone();
        let mut ops = Vec::new();
        let place = |bound: &Vec<usize>, conjs: &mut Vec<Conj>, ops: &mut Vec<Op>| {
            for c in conjs.iter_mut() {
                if !c.placed && c.slots.iter().all(|s| bound.contains(s)) {
                    c.placed = true;
                    ops.push(Op::Filter(c.expr.clone()));
                }
            }
        };
        // Path slots are bound by BindPath later; treat them as unavailable for filters
        place(&bound, &mut conjs, &mut ops);
        // label checks for nodes that were bound before this MATCH
        for n in &nodes {
            if bound.contains(&n.slot) {
                if let Some(l) = n.label {
                    ops.push(Op::Filter(label_filter(n.slot, l)));
                }
            }
        }
        // When nothing connects to bound variables yet, try each unbound node as the
        // first start and keep the order with the least estimated work.
        let connected = hops
            .iter()
            .any(|h| bound.contains(&h.left) || bound.contains(&h.right));
        let mut firsts: Vec<Option<usize>> = Vec::new();
        if !connected {
            let mut cands: Vec<(f64, usize)> = nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| !bound.contains(&n.slot))
                .map(|(i, n)| (self.source_estimate(n), i))
                .collect();
            if cands.len() > MAX_START_TRIES {
                cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                cands.truncate(MAX_START_TRIES);
                cands.sort_by_key(|c| c.1);
            }
            firsts = cands.into_iter().map(|(_, i)| Some(i)).collect();
        }
        if firsts.is_empty() {
            firsts.push(None);
        }
        type Try = (f64, Vec<Op>, Vec<usize>, Vec<bool>, Vec<bool>);
        let mut best_try: Option<Try> = None;
        for first in firsts {
            let mut hops_t: Vec<bool> = hops.iter().map(|h| h.placed).collect();
            let mut conj_t: Vec<bool> = conjs.iter().map(|c| c.placed).collect();
            let mut bound_t = bound.clone();
            let mut ops_t = Vec::new();
            let cost = self.greedy(
                &nodes,
                &hops,
                &mut hops_t,
                &conjs,
                &mut conj_t,
                &paths,
                &mut bound_t,
                &mut ops_t,
                first,
            )?;
            if std::env::var_os("COOPGRAPH_PLAN_DEBUG").is_some() {
                eprintln!("plan: first start {first:?}: estimated cost {cost:.1}");
            }
            if best_try.as_ref().is_none_or(|b| cost < b.0) {
                best_try = Some((cost, ops_t, bound_t, hops_t, conj_t));
            }
        }
        let (_, ops_t, bound_t, hops_t, conj_t) = best_try.expect("one try");
        ops.extend(ops_t);
        bound = bound_t;
        for (h, p) in hops.iter_mut().zip(hops_t) {
            h.placed = p;
        }
        for (c, p) in conjs.iter_mut().zip(conj_t) {
            c.placed = p;
        }
        for (slot, parts, _) in &paths {
            if !bound.contains(slot) {
                ops.push(Op::BindPath {
                    slot: *slot,
                    parts: parts.clone(),
                });
                bound.push(*slot);
            }
        }
        for ((pat, a, b), (searched_slot, reversed)) in shortest.into_iter().zip(searched) {
            let (rp, _) = &pat.element.chain[0];
            let types = if rp.types.is_empty() {
                None
            } else {
                Some(rp.types.iter().filter_map(|t| self.type_id(t)).collect())
            };
            let (min, max) = match rp.length {
                Some(l) => (
                    l.min.unwrap_or(1) as u32,
                    l.max
                        .map(|m| m.min(u32::MAX as u64) as u32)
                        .unwrap_or(self.limits.max_var_length),
                ),
                None => (1, 1),
            };
            if min > 1 {
                return Err(PlanError::Unsupported(
                    "shortestPath with a minimum length above 1".into(),
                ));
            }
            let rel_props = match &rp.properties {
                Some(p) => self.var_rel_props(p, scope, &bound_before)?,
                None => Vec::new(),
            };
            let (from, to, dir) = if reversed {
                (b, a, flip(rp.direction))
            } else {
                (a, b, rp.direction)
            };
            let to_bound = searched_slot != to;
            let to_label = held_back
                .iter()
                .find(|n| n.slot == to)
                .and_then(|n| n.label)
                .unwrap_or(LabelCheck::Any);
            let path = match &pat.variable {
                Some(v) => scope.bind(&v.name),
                None => scope.alloc(" path"),
            };
            let rel = rp.variable.as_ref().map(|v| scope.bind(&v.name));
            ops.push(Op::ShortestPath(ShortestPath {
                from,
                to,
                to_bound,
                to_label,
                reversed,
                rel_props,
                path,
                rel,
                types,
                dir,
                min,
                max,
                all: pat.kind == PathKind::AllShortest,
            }));
            if !bound.contains(&to) {
                bound.push(to);
            }
            bound.push(path);
            if let Some(r) = rel {
                bound.push(r);
            }
            place(&bound, &mut conjs, &mut ops);
        }
        for c in &conjs {
            if !c.placed {
                ops.push(Op::Filter(c.expr.clone()));
            }
        }
        Ok(ops)
    }

    /// Orders the unplaced hops greedily (least estimated rows next); returns the
    /// estimated work (sum of intermediate rows).
    #[allow(clippy::too_many_arguments)]
    fn greedy(
        &self,
        nodes: &[NodeInfo],
        hops: &[Hop],
        placed: &mut [bool],
        conjs: &[Conj],
        conj_placed: &mut [bool],
        paths: &[(usize, Vec<PathPart>, Vec<usize>)],
        bound: &mut Vec<usize>,
        ops: &mut Vec<Op>,
        first: Option<usize>,
    ) -> Result<f64, PlanError> {
        let mut card = 1.0f64;
        let mut cost = 0.0f64;
        let mut first = first;
        loop {
            self.check_time()?;
            // Candidate hops from a bound end.
            let mut best: Option<(f64, usize, bool)> = None;
            for (i, h) in hops.iter().enumerate() {
                if placed[i] {
                    continue;
                }
                let lb = bound.contains(&h.left);
                let rb = bound.contains(&h.right);
                if !lb && !rb {
                    continue;
                }
                for from_left in [true, false] {
                    if (from_left && !lb) || (!from_left && !rb) {
                        continue;
                    }
                    let (from, to) = if from_left {
                        (h.left, h.right)
                    } else {
                        (h.right, h.left)
                    };
                    let dir = if from_left { h.dir } else { flip(h.dir) };
                    let fi = nodes.iter().find(|n| n.slot == from);
                    let ti = nodes.iter().find(|n| n.slot == to);
                    let f = if h.reported {
                        // documents per node, nodes per document
                        if dir == Direction::Outgoing {
                            2.0
                        } else {
                            50.0
                        }
                    } else {
                        self.fanout(h.types.as_deref(), dir, fi.and_then(|n| n.label))
                    };
                    let f = match h.var {
                        None => f,
                        Some((mn, mx)) => {
                            let mut s = 0.0;
                            for k in mn..=mx.min(6) {
                                s += f.powi(k as i32);
                            }
                            s.max(0.01)
                        }
                    };
                    let sel = if h.reported {
                        if bound.contains(&to) {
                            0.1
                        } else {
                            1.0
                        }
                    } else {
                        self.selectivity(ti, bound.contains(&to), h.types.as_deref(), dir)
                    };
                    let est = card * f * sel + if h.var.is_some() { 0.5 } else { 0.0 };
                    if best.is_none_or(|b| est < b.0) {
                        best = Some((est, i, from_left));
                    }
                }
            }
            if let Some((est, i, from_left)) = best {
                let h = &hops[i];
                placed[i] = true;
                let (from, to) = if from_left {
                    (h.left, h.right)
                } else {
                    (h.right, h.left)
                };
                let dir = if from_left { h.dir } else { flip(h.dir) };
                let to_bound = bound.contains(&to);
                let to_label = nodes
                    .iter()
                    .find(|n| n.slot == to)
                    .and_then(|n| n.label)
                    .unwrap_or(LabelCheck::Any);
                let exp = Expand {
                    from,
                    to,
                    to_bound,
                    rel: h.rel,
                    rel_bound: h.rel_bound,
                    types: h.types.clone(),
                    dir,
                    to_label,
                    group: h.group,
                    count_only: false,
                };
                match h.var {
                    None if h.reported => ops.push(Op::Reported(Reported {
                        from,
                        to,
                        to_bound,
                        to_label,
                        to_doc: dir == Direction::Outgoing,
                    })),
                    None => ops.push(Op::Expand(exp)),
                    Some((min, max)) => ops.push(Op::VarExpand(VarExpand {
                        hop: exp,
                        min,
                        max,
                        bind_rels: h.rel_named || h.path.is_some(),
                        reversed: !from_left,
                        distinct_targets: false,
                        rel_props: h.props.clone(),
                        shares_types: hops.iter().enumerate().any(|(j, o)| {
                            j != i
                                && o.group == h.group
                                && match (&o.types, &h.types) {
                                    (Some(a), Some(b)) => a.iter().any(|t| b.contains(t)),
                                    _ => true,
                                }
                        }),
                    })),
                }
                if !bound.contains(&to) {
                    bound.push(to);
                }
                bound.push(h.rel);
                card = est.max(1.0);
                cost += card;
            } else {
                // Start a new component from the most selective unbound node.
                let mut best: Option<(f64, usize)> = None;
                let forced = first.take();
                if let Some(f) = forced {
                    best = Some((self.source_estimate(&nodes[f]), f));
                }
                for (i, n) in nodes.iter().enumerate() {
                    if forced.is_some() {
                        break;
                    }
                    if bound.contains(&n.slot) {
                        continue;
                    }
                    let est = self.source_estimate(n);
                    if best.is_none_or(|b| est < b.0) {
                        best = Some((est, i));
                    }
                }
                let Some((est, i)) = best else { break };
                let n = nodes[i].clone();
                let label = n.label.unwrap_or(LabelCheck::Any);
                let source = if label == LabelCheck::Never {
                    NodeSource::Empty
                } else if let Some(id) = &n.id_lookup {
                    NodeSource::Id(id.clone())
                } else if let (Some(name), LabelCheck::Is(l)) = (&n.name_lookup, label) {
                    NodeSource::Name(l, name.clone())
                } else if let LabelCheck::Is(l) = label {
                    NodeSource::Label(l)
                } else {
                    NodeSource::All
                };
                ops.push(Op::Start {
                    var: n.slot,
                    source,
                    label,
                });
                bound.push(n.slot);
                card *= est.max(1.0);
                cost += card;
            }
            place_conjs(bound, conjs, conj_placed, ops);
            // Named paths whose hops are all placed.
            for (slot, parts, hop_ids) in paths {
                if !bound.contains(slot) && hop_ids.iter().all(|&h| placed[h]) {
                    ops.push(Op::BindPath {
                        slot: *slot,
                        parts: parts.clone(),
                    });
                    bound.push(*slot);
                    place_conjs(bound, conjs, conj_placed, ops);
                }
            }
        }
        Ok(cost)
    }

    fn node_var(
        &mut self,
        np: &NodePattern,
        scope: &mut Scope,
        nodes: &mut Vec<NodeInfo>,
        conj: &mut Vec<Expr>,
    ) -> Result<usize, PlanError> {
        let slot = match &np.variable {
            Some(v) => match scope.get(&v.name) {
                Some(s) => s,
                None => scope.bind(&v.name),
            },
            None => {
                self.anon += 1;
                scope.bind(&format!(" n{}", self.anon))
            }
        };
        let idx = match nodes.iter().position(|n| n.slot == slot) {
            Some(i) => i,
            None => {
                nodes.push(NodeInfo {
                    slot,
                    label: None,
                    name_lookup: None,
                    id_lookup: None,
                });
                nodes.len() - 1
            }
        };
        for l in &np.labels {
            let check = match self.label_id(l) {
                Some(id) => LabelCheck::Is(id),
                None => LabelCheck::Never,
            };
            let cur = nodes[idx].label;
            nodes[idx].label = Some(match cur {
                None => check,
                Some(c) if c == check => c,
                Some(_) => LabelCheck::Never,
            });
        }
        if let Some(props) = &np.properties {
            // property keys are checked against the label
            if let (Expr::Map(entries), Some(LabelCheck::Is(l))) = (props, nodes[idx].label) {
                for (k, _) in entries {
                    if self.g.schema().node_prop(l, &k.name).is_err()
                        && self.g.schema().key(&k.name).is_some()
                    {
                        if let Err(e) = self.g.schema().node_prop(l, &k.name) {
                            self.warn(format!("{e}{}", loc_text(k.location)));
                        }
                    }
                }
            }
            self.prop_map_conjuncts(slot, props, conj, scope, true)?;
        }
        Ok(slot)
    }

    fn prop_map_conjuncts(
        &mut self,
        slot: usize,
        props: &Expr,
        conj: &mut Vec<Expr>,
        scope: &Scope,
        _node: bool,
    ) -> Result<(), PlanError> {
        let name = scope.slot_names[slot].clone();
        let var = Expr::Variable(Ident::new(name));
        match props {
            Expr::Map(entries) => {
                for (k, v) in entries {
                    conj.push(Expr::binary(
                        Expr::Property {
                            expr: Box::new(var.clone()),
                            key: k.clone(),
                        },
                        BinaryOp::Eq,
                        v.clone(),
                    ));
                }
                Ok(())
            }
            _ => Err(PlanError::Unsupported(
                "a parameter as a property map in a pattern".into(),
            )),
        }
    }

    /// A pattern predicate: planned like a MATCH of its own (one uniqueness group),
    /// starting from the variables it shares with the enclosing query. Variables it
    /// introduces stay local to it.
    fn compile_pattern(
        &mut self,
        el: &cypher::PatternElement,
        scope: &mut Scope,
    ) -> Result<CExpr, PlanError> {
        let names_before = scope.names.len();
        let width_before = scope.width();
        let m = cypher::Match {
            optional: false,
            patterns: vec![PathPattern {
                variable: None,
                kind: PathKind::All,
                element: el.clone(),
            }],
            where_clause: None,
        };
        let ops = self.plan_match(&[&m], scope)?;
        scope.names.truncate(names_before);
        let mut free = Vec::new();
        for op in &ops {
            op_slots(op, &mut free);
        }
        free.retain(|&s| s < width_before);
        free.sort_unstable();
        free.dedup();
        Ok(CExpr::Pattern(Arc::new(PatternPred {
            ops,
            free,
            width: scope.width(),
        })))
    }

    /// The property map of a variable-length relationship (or a shortestPath's) as
    /// (key, value) constraints on every relationship; values may read only variables
    /// bound before the MATCH.
    fn var_rel_props(
        &mut self,
        props: &Expr,
        scope: &mut Scope,
        bound_before: &[usize],
    ) -> Result<Vec<(Option<KeyId>, CExpr)>, PlanError> {
        let Expr::Map(entries) = props else {
            return Err(PlanError::Unsupported(
                "a parameter as a property map in a pattern".into(),
            ));
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let key = self.key_id(k);
            let c = self.compile(v, scope, None)?;
            let mut used = Vec::new();
            slots_of(&c, &mut used);
            if used.iter().any(|s| !bound_before.contains(s)) {
                return Err(PlanError::Unsupported(format!(
                    "the property {} of a variable-length relationship refers to a variable of the same MATCH; bind it in an earlier MATCH or WITH",
                    k.name
                )));
            }
            out.push((key, c));
        }
        Ok(out)
    }

    /// Recognises `x.name = 'const'`, `fold(x.name) = 'const'` and `id(x) = 'const'`.
    /// Each comparison of a string with a node's property is also kept as a
    /// [`super::names::NameProbe`] (checked by the engine when the result is empty).
    fn note_lookup(&mut self, e: &Expr, scope: &Scope, nodes: &mut [NodeInfo]) {
        let Expr::Binary {
            left,
            op: BinaryOp::Eq,
            right,
            ..
        } = e
        else {
            return;
        };
        for (a, b) in [(left, right), (right, left)] {
            let Some(QValue::String(val)) = self.const_of(b) else {
                continue;
            };
            let folded = matches!(a.as_ref(), Expr::FunctionCall { .. });
            let (var, kind) = match a.as_ref() {
                Expr::Property { expr, key } => match expr.as_ref() {
                    Expr::Variable(v) => (v, Some(key)),
                    _ => continue,
                },
                Expr::FunctionCall { name, args, .. } if args.len() == 1 => {
                    let fname = name.name.to_ascii_lowercase();
                    match (fname.as_str(), &args[0]) {
                        ("id", Expr::Variable(v)) => (v, None),
                        ("fold", Expr::Property { expr, key }) => match expr.as_ref() {
                            Expr::Variable(v) => (v, Some(key)),
                            _ => continue,
                        },
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let Some(slot) = scope.get(&var.name) else {
                continue;
            };
            let Some(n) = nodes.iter_mut().find(|n| n.slot == slot) else {
                continue;
            };
            match kind {
                None => n.id_lookup = Some(val.to_string()),
                Some(key) => {
                    let label = match n.label {
                        Some(LabelCheck::Is(l)) => Some(Some(l)),
                        Some(LabelCheck::Never) => None,
                        _ => Some(None),
                    };
                    if let Some(label) = label {
                        self.name_probes.push(super::names::NameProbe {
                            var: (!var.name.starts_with(' ')).then(|| var.name.clone()),
                            label,
                            key: key.name.clone(),
                            value: val.to_string(),
                            written: match b.as_ref() {
                                Expr::Parameter(Parameter::Named(p)) => format!("${p}"),
                                _ => cypher::quote_string(&val),
                            },
                            folded,
                            location: key.location,
                        });
                    }
                    if let Some(LabelCheck::Is(l)) = n.label {
                        let lkey = self.g.schema().labels()[l as usize].key;
                        if lkey.is_some() && lkey == self.g.schema().key(&key.name) {
                            n.name_lookup = Some(val.to_string());
                        }
                    }
                }
            }
        }
    }

    fn source_estimate(&self, n: &NodeInfo) -> f64 {
        match n.label {
            Some(LabelCheck::Never) => 0.0,
            _ if n.id_lookup.is_some() => 1.0,
            Some(LabelCheck::Is(l)) if n.name_lookup.is_some() => {
                1.0 + (self.g.label_count(l) as f64).log10() * 0.01
            }
            Some(LabelCheck::Is(l)) => self.g.label_count(l) as f64 + 2.0,
            _ => self.g.node_count() as f64 + 3.0,
        }
    }

    fn end_population(
        &self,
        types: Option<&[RelTypeId]>,
        dir: Direction,
        outgoing_end: bool,
    ) -> f64 {
        // number of nodes that can be at the `outgoing_end` (source) or target of the types
        let s = self.g.schema();
        let all: Vec<RelTypeId> = (0..s.rel_types().len() as RelTypeId).collect();
        let types = types.unwrap_or(&all);
        let mut labels: Vec<LabelId> = Vec::new();
        for &t in types {
            let r = &s.rel_types()[t as usize];
            let ends: Vec<&Vec<LabelId>> = match (dir, outgoing_end) {
                (Direction::Both, _) => vec![&r.from, &r.to],
                (_, true) => vec![&r.from],
                (_, false) => vec![&r.to],
            };
            for e in ends {
                for &l in e {
                    if !labels.contains(&l) {
                        labels.push(l);
                    }
                }
            }
        }
        labels
            .iter()
            .map(|&l| self.g.label_count(l) as f64)
            .sum::<f64>()
            .max(1.0)
    }

    fn fanout(&self, types: Option<&[RelTypeId]>, dir: Direction, from: Option<LabelCheck>) -> f64 {
        let s = self.g.schema();
        let all: Vec<RelTypeId> = (0..s.rel_types().len() as RelTypeId).collect();
        let types = types.unwrap_or(&all);
        let mut f = 0.0;
        for &t in types {
            let r = &s.rel_types()[t as usize];
            let count = self.adj.type_counts.get(t as usize).copied().unwrap_or(0) as f64;
            let mut add = |src_labels: &Vec<LabelId>| {
                if let Some(LabelCheck::Is(l)) = from {
                    if !src_labels.contains(&l) {
                        return;
                    }
                }
                let pop: f64 = src_labels
                    .iter()
                    .map(|&l| self.g.label_count(l) as f64)
                    .sum::<f64>()
                    .max(1.0);
                f += count / pop;
            };
            match dir {
                Direction::Outgoing => add(&r.from),
                Direction::Incoming => add(&r.to),
                Direction::Both => {
                    add(&r.from);
                    add(&r.to)
                }
            }
        }
        f.max(0.01)
    }

    fn selectivity(
        &self,
        target: Option<&NodeInfo>,
        bound: bool,
        types: Option<&[RelTypeId]>,
        dir: Direction,
    ) -> f64 {
        let pop = self.end_population(types, dir, dir == Direction::Incoming);
        if bound {
            return 1.0 / pop;
        }
        let Some(t) = target else { return 1.0 };
        if t.id_lookup.is_some() {
            return 1.0 / pop;
        }
        match t.label {
            Some(LabelCheck::Never) => 0.0,
            Some(LabelCheck::Is(l)) => {
                if t.name_lookup.is_some() {
                    1.0 / pop
                } else {
                    (self.g.label_count(l) as f64 / pop).min(1.0)
                }
            }
            _ => 1.0,
        }
    }

    /// Compiles an expression; aggregates are collected into `aggs` when given.
    fn compile(
        &mut self,
        e: &Expr,
        scope: &mut Scope,
        mut aggs: Option<&mut Vec<AggSpec>>,
    ) -> Result<CExpr, PlanError> {
        Ok(match e {
            Expr::Literal(l) => CExpr::Const(lit(l)),
            Expr::Parameter(p) => {
                let name = match p {
                    Parameter::Named(n) => n.clone(),
                    Parameter::Positional(i) => i.to_string(),
                };
                match self.params.get(&name) {
                    Some(v) => CExpr::Const(v.clone()),
                    None => return Err(PlanError::MissingParameter(name)),
                }
            }
            Expr::Variable(v) => match scope.get(&v.name) {
                Some(s) => CExpr::Slot(s),
                None => {
                    return Err(PlanError::UndefinedVariable {
                        name: v.name.clone(),
                        location: v.location,
                    })
                }
            },
            Expr::Property { expr, key } => {
                let base = Box::new(self.compile(expr, scope, aggs)?);
                match self.g.schema().key(&key.name) {
                    Some(k) => CExpr::Prop(base, Some(k)),
                    None => {
                        const DATE_FIELDS: [&str; 3] = ["year", "month", "day"];
                        // Fields of dates and of the maps sources() returns are known keys.
                        let k = key.name.as_str();
                        if !DATE_FIELDS.contains(&k) && !super::sources::SOURCE_KEYS.contains(&k) {
                            self.key_id(key); // warns, with a suggestion
                        }
                        CExpr::PropName(base, Arc::from(key.name.as_str()))
                    }
                }
            }
            Expr::Index { expr, index } => CExpr::Index(
                Box::new(self.compile(expr, scope, aggs.as_deref_mut())?),
                Box::new(self.compile(index, scope, aggs)?),
            ),
            Expr::Slice { expr, from, to } => {
                let a = self.compile(expr, scope, aggs.as_deref_mut())?;
                let b = match from {
                    Some(f) => Some(Box::new(self.compile(f, scope, aggs.as_deref_mut())?)),
                    None => None,
                };
                let c = match to {
                    Some(t) => Some(Box::new(self.compile(t, scope, aggs)?)),
                    None => None,
                };
                CExpr::Slice(Box::new(a), b, c)
            }
            Expr::HasLabels { expr, labels } => {
                let ls = labels.iter().map(|l| self.label_id(l)).collect();
                CExpr::HasLabels(Box::new(self.compile(expr, scope, aggs)?), ls)
            }
            Expr::List(v) => {
                let mut out = Vec::new();
                for x in v {
                    out.push(self.compile(x, scope, aggs.as_deref_mut())?);
                }
                CExpr::List(out)
            }
            Expr::Map(v) => {
                let mut out = Vec::new();
                for (k, x) in v {
                    out.push((
                        Arc::from(k.name.as_str()),
                        self.compile(x, scope, aggs.as_deref_mut())?,
                    ));
                }
                CExpr::Map(out)
            }
            Expr::CountStar => match aggs {
                Some(a) => {
                    a.push(AggSpec {
                        func: AggFunc::CountStar,
                        distinct: false,
                        arg: None,
                    });
                    CExpr::Agg(a.len() - 1)
                }
                None => {
                    return Err(PlanError::Aggregation(
                        "count(*) is only allowed in RETURN and WITH".into(),
                    ))
                }
            },
            Expr::FunctionCall {
                name,
                distinct,
                args,
            } => {
                let lname = name.name.to_ascii_lowercase();
                if is_agg_name(&lname) {
                    let Some(a) = aggs else {
                        return Err(PlanError::Aggregation(format!(
                            "aggregate {}() is only allowed in RETURN and WITH{}",
                            name.name,
                            loc_text(name.location)
                        )));
                    };
                    if args.len() != 1 {
                        return Err(PlanError::WrongArity {
                            name: name.name.clone(),
                            expected: "1".into(),
                            got: args.len(),
                            location: name.location,
                        });
                    }
                    if contains_agg(&args[0]) {
                        return Err(PlanError::Aggregation("aggregates cannot be nested".into()));
                    }
                    let arg = self.compile(&args[0], scope, None)?;
                    let func = match lname.as_str() {
                        "count" => AggFunc::Count,
                        "collect" => AggFunc::Collect,
                        "min" => AggFunc::Min,
                        "max" => AggFunc::Max,
                        "sum" => AggFunc::Sum,
                        _ => AggFunc::Avg,
                    };
                    a.push(AggSpec {
                        func,
                        distinct: *distinct,
                        arg: Some(arg),
                    });
                    return Ok(CExpr::Agg(a.len() - 1));
                }
                if lname == "exists" && args.len() == 1 {
                    if let Expr::Pattern(el) = &args[0] {
                        return self.compile_pattern(el, scope);
                    }
                }
                let Some((f, min, max)) = Func::lookup(&lname) else {
                    return Err(PlanError::UnknownFunction {
                        name: name.name.clone(),
                        location: name.location,
                    });
                };
                if args.len() < min || args.len() > max {
                    return Err(PlanError::WrongArity {
                        name: name.name.clone(),
                        expected: if min == max {
                            min.to_string()
                        } else if max == usize::MAX {
                            format!("at least {min}")
                        } else {
                            format!("{min} to {max}")
                        },
                        got: args.len(),
                        location: name.location,
                    });
                }
                let mut out = Vec::new();
                for x in args {
                    out.push(self.compile(x, scope, aggs.as_deref_mut())?);
                }
                CExpr::At(Box::new(CExpr::Func(f, out)), name.location)
            }
            Expr::Unary { op, expr } => {
                let a = Box::new(self.compile(expr, scope, aggs)?);
                match op {
                    UnaryOp::Not => CExpr::Not(a),
                    UnaryOp::Neg => CExpr::Neg(a),
                    UnaryOp::Plus => *a,
                }
            }
            Expr::Binary {
                left,
                op,
                right,
                at,
            } => {
                let l = self.compile(left, scope, aggs.as_deref_mut())?;
                if *op == BinaryOp::RegexMatch {
                    if let Some(QValue::String(p)) = self.const_of(right) {
                        let re = super::exec::full_match_regex(&p)
                            .map_err(|e| PlanError::Regex(e, at.0))?;
                        return Ok(CExpr::Regex(Box::new(l), Arc::new(re)));
                    }
                }
                let r = self.compile(right, scope, aggs)?;
                let bin = CExpr::Bin(*op, Box::new(l), Box::new(r));
                // Operators that can fail on their values point at themselves.
                use BinaryOp::*;
                if matches!(op, Add | Sub | Mul | Div | Mod | Pow | RegexMatch) && at.0.line > 0 {
                    CExpr::At(Box::new(bin), at.0)
                } else {
                    bin
                }
            }
            Expr::IsNull { expr, negated } => {
                CExpr::IsNull(Box::new(self.compile(expr, scope, aggs)?), *negated)
            }
            Expr::Case {
                operand,
                whens,
                else_expr,
            } => {
                let o = match operand {
                    Some(o) => Some(Box::new(self.compile(o, scope, aggs.as_deref_mut())?)),
                    None => None,
                };
                let mut ws = Vec::new();
                for w in whens {
                    let a = self.compile(&w.when, scope, aggs.as_deref_mut())?;
                    let b = self.compile(&w.then, scope, aggs.as_deref_mut())?;
                    ws.push((a, b));
                }
                let el = match else_expr {
                    Some(x) => Some(Box::new(self.compile(x, scope, aggs)?)),
                    None => None,
                };
                CExpr::Case(o, ws, el)
            }
            Expr::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => {
                let l = self.compile(list, scope, aggs)?;
                let slot = scope.bind(&variable.name);
                let f = match filter {
                    Some(f) => Some(Box::new(self.compile(f, scope, None)?)),
                    None => None,
                };
                let m = match map {
                    Some(m) => Some(Box::new(self.compile(m, scope, None)?)),
                    None => None,
                };
                // unbind the comprehension variable
                if let Some(p) = scope.names.iter().rposition(|(_, s)| *s == slot) {
                    scope.names.remove(p);
                }
                CExpr::ListComp {
                    slot,
                    list: Box::new(l),
                    filter: f,
                    map: m,
                }
            }
            Expr::Pattern(el) => self.compile_pattern(el, scope)?,
        })
    }
}

fn flip(d: Direction) -> Direction {
    match d {
        Direction::Outgoing => Direction::Incoming,
        Direction::Incoming => Direction::Outgoing,
        Direction::Both => Direction::Both,
    }
}

fn label_filter(slot: usize, l: LabelCheck) -> CExpr {
    match l {
        LabelCheck::Any => CExpr::Const(QValue::Bool(true)),
        LabelCheck::Never => CExpr::Const(QValue::Bool(false)),
        LabelCheck::Is(id) => CExpr::HasLabels(Box::new(CExpr::Slot(slot)), vec![Some(id)]),
    }
}

fn lit(l: &Literal) -> QValue {
    match l {
        Literal::Integer(i) => QValue::Int(*i),
        Literal::Float(f) => QValue::Float(*f),
        Literal::String(s) => QValue::str(s),
        Literal::Boolean(b) => QValue::Bool(*b),
        Literal::Null => QValue::Null,
    }
}

/// Whether every edge of `types` in direction `dir` ends at a node with label `l`
/// according to the schema (so the label check is implied).
fn label_implied(g: &Graph, types: Option<&[RelTypeId]>, dir: Direction, l: LabelId) -> bool {
    let Some(types) = types else { return false };
    types.iter().all(|&t| {
        let r = &g.schema().rel_types()[t as usize];
        match dir {
            Direction::Outgoing => r.to == [l],
            Direction::Incoming => r.from == [l],
            Direction::Both => r.to == [l] && r.from == [l],
        }
    })
}

/// Tail optimisations of one segment's pipeline, knowing how its projection uses rows.
fn optimise_tail(ops: &mut [Op], set_sem: bool, counts_only: bool, used: &[usize], g: &Graph) {
    let n = ops.len();
    if n == 0 {
        return;
    }
    // count(*) over a last single hop: add the number of matching edges.
    if counts_only {
        let groups_before: Vec<(u32, Option<Vec<RelTypeId>>)> = ops[..n - 1]
            .iter()
            .filter_map(|o| match o {
                Op::Expand(e) => Some((e.group, e.types.clone())),
                Op::VarExpand(v) => Some((v.hop.group, v.hop.types.clone())),
                _ => None,
            })
            .collect();
        if let Op::Expand(e) = &mut ops[n - 1] {
            let label_ok = match e.to_label {
                LabelCheck::Any => true,
                LabelCheck::Is(l) => label_implied(g, e.types.as_deref(), e.dir, l),
                LabelCheck::Never => false,
            };
            let disjoint = groups_before.iter().all(|(grp, ts)| {
                *grp != e.group
                    || match (ts, &e.types) {
                        (Some(a), Some(b)) => a.iter().all(|t| !b.contains(t)),
                        _ => false,
                    }
            });
            if !e.to_bound
                && !e.rel_bound
                && label_ok
                && disjoint
                && !used.contains(&e.to)
                && !used.contains(&e.rel)
                && e.dir != Direction::Both
            {
                e.count_only = true;
            }
        }
    }
    // A variable-length hop whose later use needs only distinct targets: breadth-first.
    if set_sem {
        for i in 0..n {
            // later hops of the same clause that could reuse this hop's relationships
            let my_types = match &ops[i] {
                Op::VarExpand(v) => v.hop.types.clone(),
                _ => None,
            };
            let overlaps = |t: &Option<Vec<RelTypeId>>| match (t, &my_types) {
                (Some(a), Some(b)) => a.iter().any(|x| b.contains(x)),
                _ => true,
            };
            let later_groups: Vec<u32> = ops[i + 1..]
                .iter()
                .filter_map(|o| match o {
                    Op::Expand(e) if overlaps(&e.types) => Some(e.group),
                    Op::VarExpand(v) if overlaps(&v.hop.types) => Some(v.hop.group),
                    _ => None,
                })
                .collect();
            let excl_start = match &ops[i] {
                Op::VarExpand(v) => ops[i + 1..].iter().any(|o| match o {
                    Op::Filter(CExpr::Bin(BinaryOp::Neq, a, b)) => matches!(
                        (a.as_ref(), b.as_ref()),
                        (CExpr::Slot(x), CExpr::Slot(y))
                            if (*x == v.hop.from && *y == v.hop.to) || (*y == v.hop.from && *x == v.hop.to)
                    ),
                    _ => false,
                }),
                _ => false,
            };
            let earlier_groups: Vec<u32> = ops[..i]
                .iter()
                .filter_map(|o| match o {
                    Op::Expand(e) => Some(e.group),
                    Op::VarExpand(v) => Some(v.hop.group),
                    _ => None,
                })
                .collect();
            let mut drop_excl = None;
            if let Op::VarExpand(v) = &mut ops[i] {
                if !v.bind_rels
                    && !v.hop.to_bound
                    && !later_groups.contains(&v.hop.group)
                    && (v.min == 0 || (v.min == 1 && excl_start))
                {
                    v.distinct_targets = true;
                    if v.min == 1 && !earlier_groups.contains(&v.hop.group) {
                        // the search never returns to its start: `n <> p` always holds
                        drop_excl = Some((v.hop.from, v.hop.to));
                    }
                }
            }
            if let Some((a, b)) = drop_excl {
                if let Some(j) = (i + 1..n).find(|&j| match &ops[j] {
                    Op::Filter(CExpr::Bin(BinaryOp::Neq, x, y)) => matches!(
                        (x.as_ref(), y.as_ref()),
                        (CExpr::Slot(x), CExpr::Slot(y)) if (*x == a && *y == b) || (*x == b && *y == a)
                    ),
                    _ => false,
                }) {
                    ops[j] = Op::Filter(CExpr::Const(QValue::Bool(true)));
                }
            }
        }
    }
}

impl LogicalPlan {
    /// The plan as indented text (EXPLAIN).
    pub fn explain(&self, g: &Graph) -> String {
        let mut out = String::new();
        for (bi, b) in self.branches.iter().enumerate() {
            if self.branches.len() > 1 {
                let _ = writeln!(out, "Branch {bi}:");
            }
            for (si, s) in b.segments.iter().enumerate() {
                let _ = writeln!(out, "Segment {si}:");
                for (oi, op) in s.ops.iter().enumerate() {
                    let _ = writeln!(out, "  {oi}: {}", describe_op(op, s, g));
                }
                let _ = writeln!(out, "  {}", describe_end(&s.end));
            }
        }
        out
    }
}

fn slot_name(s: &Segment, slot: usize) -> String {
    s.slot_names
        .get(slot)
        .map(|n| n.trim().to_string())
        .unwrap_or_else(|| format!("#{slot}"))
}

fn types_text(g: &Graph, t: &Option<Vec<RelTypeId>>) -> String {
    match t {
        None => String::new(),
        Some(v) => {
            let names: Vec<&str> = v
                .iter()
                .map(|&t| g.schema().rel_types()[t as usize].name.as_str())
                .collect();
            format!(":{}", names.join("|"))
        }
    }
}

fn label_text(g: &Graph, l: LabelCheck) -> String {
    match l {
        LabelCheck::Any => String::new(),
        LabelCheck::Is(id) => format!(":{}", g.schema().labels()[id as usize].name),
        LabelCheck::Never => ":<unknown>".into(),
    }
}

/// One line describing an operator.
pub fn describe_op(op: &Op, s: &Segment, g: &Graph) -> String {
    let arrow = |d: Direction, inner: String| match d {
        Direction::Outgoing => format!("-[{inner}]->"),
        Direction::Incoming => format!("<-[{inner}]-"),
        Direction::Both => format!("-[{inner}]-"),
    };
    match op {
        Op::Start { var, source, label } => {
            let src = match source {
                NodeSource::All => "AllNodesScan".to_string(),
                NodeSource::Label(_) => "NodeByLabelScan".to_string(),
                NodeSource::Name(_, n) => format!("NodeByNameIndex name={n:?}"),
                NodeSource::Id(i) => format!("NodeById id={i:?}"),
                NodeSource::Empty => "Empty".to_string(),
            };
            format!("{src} ({}{})", slot_name(s, *var), label_text(g, *label))
        }
        Op::Expand(e) => format!(
            "{}{} ({}){}({}{})",
            if e.count_only {
                "CountExpand"
            } else {
                "Expand"
            },
            if e.to_bound { "Into" } else { "" },
            slot_name(s, e.from),
            arrow(
                e.dir,
                format!("{}{}", slot_name(s, e.rel), types_text(g, &e.types))
            ),
            slot_name(s, e.to),
            label_text(g, e.to_label),
        ),
        Op::VarExpand(v) => format!(
            "{} ({}){}({}{})",
            if v.distinct_targets {
                "VarExpandBFS(distinct targets)"
            } else {
                "VarExpand"
            },
            slot_name(s, v.hop.from),
            arrow(
                v.hop.dir,
                format!(
                    "{}{}*{}..{}",
                    slot_name(s, v.hop.rel),
                    types_text(g, &v.hop.types),
                    v.min,
                    v.max
                )
            ),
            slot_name(s, v.hop.to),
            label_text(g, v.hop.to_label)
        ),
        Op::ShortestPath(p) => format!(
            "{}{} {} = ({}){}({}{}){}",
            if p.all {
                "AllShortestPaths"
            } else {
                "ShortestPath"
            },
            if p.to_bound { "Into" } else { "" },
            slot_name(s, p.path),
            slot_name(s, p.from),
            arrow(
                p.dir,
                format!("{}*{}..{}", types_text(g, &p.types), p.min, p.max)
            ),
            slot_name(s, p.to),
            label_text(g, p.to_label),
            if p.reversed {
                " (from the right end)"
            } else {
                ""
            }
        ),
        Op::Reported(r) => format!(
            "Reported{} ({}){}({}{})",
            if r.to_bound { "Into" } else { "" },
            slot_name(s, r.from),
            if r.to_doc {
                "-[:REPORTED_IN]->"
            } else {
                "<-[:REPORTED_IN]-"
            },
            slot_name(s, r.to),
            label_text(g, r.to_label)
        ),
        Op::Filter(c) => format!("Filter {}", expr_text(c, s, g)),
        Op::Optional { ops, .. } => {
            let inner: Vec<String> = ops.iter().map(|o| describe_op(o, s, g)).collect();
            format!("Optional [{}]", inner.join("; "))
        }
        Op::Unwind { slot, .. } => format!("Unwind AS {}", slot_name(s, *slot)),
        Op::BindPath { slot, .. } => format!("BindPath {}", slot_name(s, *slot)),
    }
}

/// A compiled expression as Cypher-like text, for EXPLAIN.
pub fn expr_text(e: &CExpr, s: &Segment, g: &Graph) -> String {
    let t = |x: &CExpr| expr_text(x, s, g);
    match e {
        CExpr::Const(v) => match v {
            QValue::String(x) => cypher::quote_string(x),
            QValue::Null => "null".into(),
            QValue::Bool(b) => b.to_string(),
            QValue::Int(i) => i.to_string(),
            QValue::Float(f) => format!("{f:?}"),
            other => other.type_name().to_string(),
        },
        CExpr::Slot(i) => slot_name(s, *i),
        CExpr::Prop(a, k) => format!(
            "{}.{}",
            t(a),
            k.map(|k| g.schema().key_name(k).to_string())
                .unwrap_or_else(|| "<unknown>".into())
        ),
        CExpr::PropName(a, k) => format!("{}.{k}", t(a)),
        CExpr::At(a, _) => t(a),
        CExpr::Bin(op, a, b) => format!("{} {} {}", t(a), op.as_str(), t(b)),
        CExpr::Not(a) => format!("NOT ({})", t(a)),
        CExpr::Neg(a) => format!("-{}", t(a)),
        CExpr::IsNull(a, neg) => format!("{} IS {}NULL", t(a), if *neg { "NOT " } else { "" }),
        CExpr::Regex(a, re) => format!("{} =~ /{}/", t(a), re.as_str()),
        CExpr::HasLabels(a, ls) => format!(
            "{}{}",
            t(a),
            ls.iter()
                .map(|l| match l {
                    Some(l) => format!(":{}", g.schema().labels()[*l as usize].name),
                    None => ":<unknown>".into(),
                })
                .collect::<String>()
        ),
        CExpr::Func(f, args) => format!(
            "{f:?}({})",
            args.iter().map(t).collect::<Vec<_>>().join(", ")
        ),
        CExpr::List(v) => format!("[{}]", v.iter().map(t).collect::<Vec<_>>().join(", ")),
        CExpr::Pattern(p) => format!(
            "exists[{}]",
            p.ops
                .iter()
                .map(|o| describe_op(o, s, g))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => "…".into(),
    }
}

fn describe_end(p: &Projection) -> String {
    let mut parts = Vec::new();
    if !p.aggs.is_empty() {
        parts.push(format!(
            "Aggregate[{}]",
            p.aggs
                .iter()
                .map(|a| format!("{:?}{}", a.func, if a.distinct { " DISTINCT" } else { "" }))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.push(format!("Project[{}]", p.names.join(", ")));
    if p.distinct {
        parts.push("Distinct".into());
    }
    if p.filter.is_some() {
        parts.push("Filter".into());
    }
    if !p.order.is_empty() {
        parts.push(if p.limit.is_some() { "Top" } else { "Sort" }.into());
    }
    if p.skip.is_some() {
        parts.push("Skip".into());
    }
    if p.limit.is_some() {
        parts.push("Limit".into());
    }
    parts.join(" -> ")
}
