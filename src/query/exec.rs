//! The evaluator: runs a [`LogicalPlan`] over the graph depth-first, one row buffer per
//! segment, with the adjacency index for expansions and bitsets for visited and
//! distinct node sets.

use super::adj::{Adjacency, Csr, Entry};
use super::error::ExecError;
use super::plan::*;
use super::value::{PathValue, QValue};
use crate::cypher::{BinaryOp, Direction};
use crate::graph::Graph;
use crate::schema::RelTypeId;
use chrono::NaiveDate;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Row = Vec<QValue>;

/// Why a pipeline stopped early.
pub(crate) enum Halt {
    /// Enough rows (LIMIT): not an error.
    Stop,
    /// An error.
    Err(ExecError),
}

impl From<ExecError> for Halt {
    fn from(e: ExecError) -> Halt {
        Halt::Err(e)
    }
}

type Sink<'s> = dyn FnMut(&mut Row, &mut Ctx, u64) -> Result<(), Halt> + 's;

/// Per-operator counters of PROFILE.
#[derive(Debug, Clone, Default)]
pub struct OpStats {
    /// Rows the operator passed on.
    pub rows: u64,
    /// Time in this operator and the ones after it.
    pub inclusive: Duration,
}

/// Execution state.
pub(crate) struct Ctx<'a> {
    pub g: &'a Graph,
    pub adj: &'a Adjacency,
    pub limits: &'a Limits,
    used: Vec<(u32, u32)>,
    visited: Visited,
    bfs_memo: FxHashMap<(usize, u32), Arc<[u32]>>,
    bfs_memo_size: usize,
    start: Instant,
    ticks: u32,
    /// List elements built so far (see [`Limits::max_list_values`]).
    list_values: usize,
    profile: Option<Vec<OpStats>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(g: &'a Graph, adj: &'a Adjacency, limits: &'a Limits, profile: bool) -> Self {
        Ctx {
            g,
            adj,
            limits,
            used: Vec::new(),
            visited: Visited::default(),
            bfs_memo: FxHashMap::default(),
            bfs_memo_size: 0,
            start: Instant::now(),
            ticks: 0,
            list_values: 0,
            profile: profile.then(Vec::new),
        }
    }

    #[inline]
    fn tick(&mut self) -> Result<(), ExecError> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & 0x3FF == 0 {
            self.check_time()?;
        }
        Ok(())
    }

    /// Counts `n` list elements about to be built against [`Limits::max_list_values`],
    /// and checks the time as [`Ctx::tick`] does.
    fn build_list(&mut self, n: usize) -> Result<(), ExecError> {
        self.list_values = self.list_values.saturating_add(n);
        if self.list_values > self.limits.max_list_values {
            return Err(ExecError::Limit(format!(
                "the statement builds more than {} list elements (max list values)",
                self.limits.max_list_values
            )));
        }
        if n >= 1024 {
            self.check_time()
        } else {
            self.tick()
        }
    }

    /// Sets the start of the statement's time budget (planning counts towards it).
    pub(crate) fn started_at(&mut self, t: Instant) {
        self.start = t;
    }

    fn check_time(&self) -> Result<(), ExecError> {
        if let Some(c) = &self.limits.cancel {
            if c.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(ExecError::Cancelled);
            }
        }
        if let Some(t) = self.limits.timeout {
            if self.start.elapsed() > t {
                return Err(ExecError::Timeout(t.as_secs_f64()));
            }
        }
        Ok(())
    }

    #[inline]
    fn is_used(&self, group: u32, edge: u32) -> bool {
        self.used.iter().any(|&(g, e)| e == edge && g == group)
    }
}

/// Runs a plan; returns the rows and, when profiling, per-segment operator statistics.
pub(crate) fn execute(
    plan: &LogicalPlan,
    ctx: &mut Ctx,
) -> Result<(Vec<Row>, Vec<Vec<OpStats>>), ExecError> {
    let mut all = Vec::new();
    let mut stats = Vec::new();
    for b in &plan.branches {
        let mut input: Vec<Row> = vec![Vec::new()];
        let nseg = b.segments.len();
        for (si, seg) in b.segments.iter().enumerate() {
            let last = si + 1 == nseg;
            if ctx.profile.is_some() {
                ctx.profile = Some(vec![OpStats::default(); seg.ops.len() + 1]);
            }
            let mut proj = ProjState::new(&seg.end, ctx, last)?;
            for mut row in input {
                row.resize(seg.width, QValue::Null);
                let r = run(&seg.ops, 0, &mut row, ctx, &mut |r, c, w| {
                    proj.push(r, c, w)
                });
                match r {
                    Ok(()) => {}
                    Err(Halt::Stop) => break,
                    Err(Halt::Err(e)) => return Err(e),
                }
            }
            input = proj.finish(ctx)?;
            if let Some(p) = ctx.profile.take() {
                stats.push(p);
                ctx.profile = Some(Vec::new());
            }
        }
        all.extend(input);
    }
    if plan.union_distinct && plan.branches.len() > 1 {
        let mut seen = FxHashSet::default();
        all.retain(|r| seen.insert(r.clone()));
    }
    if all.len() > plan.limits.max_result_rows {
        return Err(ExecError::Limit(format!(
            "the result has more than {} rows (max result rows); add a LIMIT",
            plan.limits.max_result_rows
        )));
    }
    Ok((all, stats))
}

fn run(ops: &[Op], i: usize, row: &mut Row, ctx: &mut Ctx, k: &mut Sink) -> Result<(), Halt> {
    if ctx.profile.is_some() {
        let t = Instant::now();
        let r = run_op(ops, i, row, ctx, k);
        if let Some(p) = ctx.profile.as_mut() {
            if let Some(s) = p.get_mut(i) {
                s.inclusive += t.elapsed();
                if i > 0 {
                    // counted as rows passed on by the previous operator
                }
            }
            if i > 0 {
                if let Some(s) = p.get_mut(i - 1) {
                    s.rows += 1;
                }
            }
        }
        return r;
    }
    run_op(ops, i, row, ctx, k)
}

#[inline]
fn node_of(v: &QValue) -> Option<u32> {
    match v {
        QValue::Node(n) => Some(*n),
        _ => None,
    }
}

/// Whether a label passes a label check.
#[inline]
fn label_is(l: LabelCheck, have: crate::schema::LabelId) -> bool {
    match l {
        LabelCheck::Any => true,
        LabelCheck::Is(id) => have == id,
        LabelCheck::Never => false,
    }
}

fn label_ok(adj: &Adjacency, l: LabelCheck, n: u32) -> bool {
    match l {
        LabelCheck::Any => true,
        LabelCheck::Is(id) => adj.label(n) == id,
        LabelCheck::Never => false,
    }
}

/// Calls `f` for each adjacency entry of `n` matching types and direction.
#[inline]
fn for_each_adj(
    adj: &Adjacency,
    n: u32,
    dir: Direction,
    types: &Option<Vec<RelTypeId>>,
    f: impl FnMut(Entry) -> Result<(), Halt>,
) -> Result<(), Halt> {
    for_each_adj_pf(adj, n, dir, types, None, f)
}

/// How far ahead of the entry being processed the next hop's index is prefetched:
/// offsets at twice this distance, entries at this distance.
const PREFETCH_AHEAD: usize = 4;

/// The index the operator after `ops[i]` reads with the node `ops[i]` binds at slot
/// `to` (the next non-filter operator, when it is a one-direction expansion from it).
fn next_csr<'a>(ops: &[Op], i: usize, to: usize, adj: &'a Adjacency) -> Option<&'a Csr> {
    let next = ops[i + 1..].iter().find(|o| !matches!(o, Op::Filter(_)))?;
    let (from, dir) = match next {
        Op::Expand(e) => (e.from, e.dir),
        Op::VarExpand(v) => (v.hop.from, v.hop.dir),
        _ => return None,
    };
    match (from == to, dir) {
        (true, Direction::Outgoing) => Some(&adj.out),
        (true, Direction::Incoming) => Some(&adj.inc),
        _ => None,
    }
}

/// [`for_each_adj`], prefetching `pf`'s index of the neighbours a few entries ahead:
/// the next hop's memory accesses then overlap with this one's.
#[inline]
fn for_each_adj_pf(
    adj: &Adjacency,
    n: u32,
    dir: Direction,
    types: &Option<Vec<RelTypeId>>,
    pf: Option<&Csr>,
    mut f: impl FnMut(Entry) -> Result<(), Halt>,
) -> Result<(), Halt> {
    if let (Some(c), Direction::Outgoing | Direction::Incoming, Some(ts)) = (pf, dir, types) {
        let csr = if dir == Direction::Outgoing {
            &adj.out
        } else {
            &adj.inc
        };
        for &t in ts {
            let es = csr.of_type(n, t);
            for (j, &e) in es.iter().enumerate() {
                if let Some(x) = es.get(j + 2 * PREFETCH_AHEAD) {
                    c.prefetch_off(x.nbr);
                }
                if let Some(x) = es.get(j + PREFETCH_AHEAD) {
                    c.prefetch_entries(x.nbr);
                }
                f(e)?;
            }
        }
        return Ok(());
    }
    let dirs: &[Direction] = match dir {
        Direction::Outgoing => &[Direction::Outgoing],
        Direction::Incoming => &[Direction::Incoming],
        Direction::Both => &[Direction::Outgoing, Direction::Incoming],
    };
    for &d in dirs {
        let csr = if d == Direction::Outgoing {
            &adj.out
        } else {
            &adj.inc
        };
        let skip_loops = dir == Direction::Both && d == Direction::Incoming;
        match types {
            None => {
                for &e in csr.all(n) {
                    if skip_loops && e.nbr == n {
                        continue;
                    }
                    f(e)?;
                }
            }
            Some(ts) => {
                for &t in ts {
                    for &e in csr.of_type(n, t) {
                        if skip_loops && e.nbr == n {
                            continue;
                        }
                        f(e)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn run_op(ops: &[Op], i: usize, row: &mut Row, ctx: &mut Ctx, k: &mut Sink) -> Result<(), Halt> {
    let Some(op) = ops.get(i) else {
        return k(row, ctx, 1);
    };
    match op {
        Op::Start { var, source, label } => {
            let g = ctx.g;
            let mut emit = |ix: u32, row: &mut Row, ctx: &mut Ctx| -> Result<(), Halt> {
                ctx.tick()?;
                row[*var] = QValue::Node(ix);
                run(ops, i + 1, row, ctx, k)
            };
            match source {
                NodeSource::Empty => {}
                NodeSource::All => {
                    for ix in g.petgraph().node_indices() {
                        let ok = match label {
                            LabelCheck::Is(l) => g.petgraph()[ix].label == *l,
                            LabelCheck::Any => true,
                            LabelCheck::Never => false,
                        };
                        if ok {
                            emit(ix.index() as u32, row, ctx)?;
                        }
                    }
                }
                NodeSource::Label(l) => {
                    for ix in g.nodes_with_label(*l) {
                        emit(ix.index() as u32, row, ctx)?;
                    }
                }
                NodeSource::Name(l, name) => {
                    for ix in g.find_by_name(*l, name) {
                        emit(ix.index() as u32, row, ctx)?;
                    }
                }
                NodeSource::Id(text) => {
                    if let Some(ix) = g.node_ids().lookup(text).and_then(|n| g.node_index(n)) {
                        let ok = match label {
                            LabelCheck::Is(l) => g.petgraph()[ix].label == *l,
                            LabelCheck::Any => true,
                            LabelCheck::Never => false,
                        };
                        if ok {
                            emit(ix.index() as u32, row, ctx)?;
                        }
                    }
                }
            }
            Ok(())
        }
        Op::Expand(e) => {
            let Some(from) = node_of(&row[e.from]) else {
                return Ok(());
            };
            let adj = ctx.adj;
            if e.count_only {
                let mut n = 0u64;
                let csr = if e.dir == Direction::Outgoing {
                    &adj.out
                } else {
                    &adj.inc
                };
                for &t in e.types.as_deref().unwrap_or(&[]) {
                    n += csr.of_type(from, t).len() as u64;
                }
                if e.types.is_none() {
                    n = csr.all(from).len() as u64;
                }
                ctx.tick()?;
                if let Some(p) = ctx.profile.as_mut().and_then(|p| p.get_mut(i)) {
                    p.rows += n;
                }
                if n > 0 {
                    return k(row, ctx, n);
                }
                return Ok(());
            }
            let Some(target) = bound_end(row, e.to, e.to_bound) else {
                return Ok(());
            };
            let bound_rel = if e.rel_bound {
                match &row[e.rel] {
                    QValue::Relationship(r) => Some(*r),
                    _ => return Ok(()),
                }
            } else {
                None
            };
            let pf = if e.to_bound {
                None
            } else {
                next_csr(ops, i, e.to, adj)
            };
            for_each_adj_pf(adj, from, e.dir, &e.types, pf, |en| {
                ctx.tick()?;
                if target.is_some_and(|t| t != en.nbr)
                    || bound_rel.is_some_and(|r| r != en.edge)
                    || !label_is(e.to_label, en.lbl)
                    || ctx.is_used(e.group, en.edge)
                {
                    return Ok(());
                }
                row[e.rel] = QValue::Relationship(en.edge);
                if !e.to_bound {
                    row[e.to] = QValue::Node(en.nbr);
                }
                ctx.used.push((e.group, en.edge));
                let r = run(ops, i + 1, row, ctx, k);
                ctx.used.pop();
                r
            })
        }
        Op::VarExpand(v) => {
            let Some(from) = node_of(&row[v.hop.from]) else {
                return Ok(());
            };
            let Some(target) = bound_end(row, v.hop.to, v.hop.to_bound) else {
                return Ok(());
            };
            let group_used = v.shares_types && ctx.used.iter().any(|&(g, _)| g == v.hop.group);
            let props = eval_rel_props(&v.rel_props, row, ctx)?;
            if v.distinct_targets && !group_used {
                return bfs_targets(ops, i, v, &props, from, row, ctx, k);
            }
            let mut edges = Vec::new();
            let w = Walk {
                v,
                props: &props,
                target,
            };
            walk(ops, i, &w, from, 0, &mut edges, row, ctx, k)
        }
        Op::ShortestPath(sp) => shortest(ops, i, sp, row, ctx, k),
        Op::Reported(r) => reported(ops, i, r, row, ctx, k),
        Op::Filter(CExpr::Const(QValue::Bool(true))) => run(ops, i + 1, row, ctx, k),
        Op::Filter(c) => {
            if truthy(&eval(c, row, ctx, &[])?) {
                run(ops, i + 1, row, ctx, k)
            } else {
                Ok(())
            }
        }
        Op::Optional { ops: inner, binds } => {
            let mut found = false;
            {
                let mut cont = |r: &mut Row, c: &mut Ctx, w: u64| -> Result<(), Halt> {
                    found = true;
                    if w == 1 {
                        run(ops, i + 1, r, c, k)
                    } else {
                        for _ in 0..w {
                            run(ops, i + 1, r, c, k)?;
                        }
                        Ok(())
                    }
                };
                run_inner(inner, row, ctx, &mut cont)?;
            }
            if !found {
                for &b in binds {
                    row[b] = QValue::Null;
                }
                run(ops, i + 1, row, ctx, k)?;
            }
            Ok(())
        }
        Op::Unwind { expr, slot } => {
            let v = eval(expr, row, ctx, &[])?;
            match v {
                QValue::Null => Ok(()),
                QValue::List(l) => {
                    for x in l.iter() {
                        ctx.tick()?;
                        row[*slot] = x.clone();
                        run(ops, i + 1, row, ctx, k)?;
                    }
                    Ok(())
                }
                x => {
                    row[*slot] = x;
                    run(ops, i + 1, row, ctx, k)
                }
            }
        }
        Op::BindPath { slot, parts } => {
            row[*slot] = build_path(parts, row, ctx.g);
            run(ops, i + 1, row, ctx, k)
        }
    }
}

/// The node a pattern's far end is already bound to: `Some(None)` when the end is not
/// bound, `Some(Some(n))` when it is bound to node `n`, and `None` when the bound value is
/// not a node (null from an OPTIONAL MATCH), so that no row can match.
fn bound_end(row: &Row, slot: usize, bound: bool) -> Option<Option<u32>> {
    if bound {
        node_of(&row[slot]).map(Some)
    } else {
        Some(None)
    }
}

/// The virtual REPORTED_IN hop: a node's documents from its provenance, or (from a
/// document) every node whose provenance cites it.
fn reported(
    ops: &[Op],
    i: usize,
    r: &Reported,
    row: &mut Row,
    ctx: &mut Ctx,
    k: &mut Sink,
) -> Result<(), Halt> {
    let Some(from) = node_of(&row[r.from]) else {
        return Ok(());
    };
    let Some(target) = bound_end(row, r.to, r.to_bound) else {
        return Ok(());
    };
    let g = ctx.g;
    let pg = g.petgraph();
    let Some(rec) = pg.node_weight(NodeIndex::from(from)) else {
        return Ok(());
    };
    let mut found: Vec<u32> = Vec::new();
    if r.to_doc {
        let mut docs: Vec<u32> = rec.prov.iter().map(|e| e.doc).collect();
        docs.sort_unstable();
        docs.dedup();
        found.extend(
            docs.into_iter()
                .filter_map(|d| g.node_index(d).map(|ix| ix.index() as u32)),
        );
    } else {
        let doc = rec.id;
        for ix in pg.node_indices() {
            ctx.tick()?;
            if pg[ix].prov.iter().any(|e| e.doc == doc) {
                found.push(ix.index() as u32);
            }
        }
    }
    for n in found {
        if n == from || target.is_some_and(|t| t != n) || !label_ok(ctx.adj, r.to_label, n) {
            continue;
        }
        ctx.tick()?;
        if !r.to_bound {
            row[r.to] = QValue::Node(n);
        }
        run(ops, i + 1, row, ctx, k)?;
    }
    Ok(())
}

fn run_inner(ops: &[Op], row: &mut Row, ctx: &mut Ctx, k: &mut Sink) -> Result<(), Halt> {
    // Inner pipelines are not profiled separately.
    let prof = ctx.profile.take();
    let r = run_op_chain(ops, 0, row, ctx, k);
    ctx.profile = prof;
    r
}

fn run_op_chain(
    ops: &[Op],
    i: usize,
    row: &mut Row,
    ctx: &mut Ctx,
    k: &mut Sink,
) -> Result<(), Halt> {
    run_op(ops, i, row, ctx, k)
}

fn build_path(parts: &[PathPart], row: &Row, g: &Graph) -> QValue {
    let mut nodes = Vec::new();
    let mut rels = Vec::new();
    let pg = g.petgraph();
    for p in parts {
        match p {
            PathPart::Node(s) => match node_of(&row[*s]) {
                Some(n) => {
                    if nodes.len() == rels.len() {
                        nodes.push(n);
                    }
                }
                None => return QValue::Null,
            },
            PathPart::Rel(s) => match &row[*s] {
                QValue::Relationship(r) => {
                    let cur = *nodes.last().unwrap_or(&0);
                    let (a, b) = pg.edge_endpoints(EdgeIndex::from(*r)).expect("edge");
                    let next = if a.index() as u32 == cur {
                        b.index() as u32
                    } else {
                        a.index() as u32
                    };
                    rels.push(*r);
                    nodes.push(next);
                }
                _ => return QValue::Null,
            },
            PathPart::Rels(s) => match &row[*s] {
                QValue::List(l) => {
                    for v in l.iter() {
                        if let QValue::Relationship(r) = v {
                            let cur = *nodes.last().unwrap_or(&0);
                            let (a, b) = pg.edge_endpoints(EdgeIndex::from(*r)).expect("edge");
                            let next = if a.index() as u32 == cur {
                                b.index() as u32
                            } else {
                                a.index() as u32
                            };
                            rels.push(*r);
                            nodes.push(next);
                        }
                    }
                }
                _ => return QValue::Null,
            },
        }
    }
    QValue::Path(Arc::new(PathValue { nodes, rels }))
}

/// Evaluates the property constraints of a variable-length relationship.
fn eval_rel_props(
    props: &[(Option<crate::schema::KeyId>, CExpr)],
    row: &mut Row,
    ctx: &mut Ctx,
) -> Result<Vec<(Option<crate::schema::KeyId>, QValue)>, ExecError> {
    let mut out = Vec::with_capacity(props.len());
    for (k, c) in props {
        out.push((*k, eval(c, row, ctx, &[])?));
    }
    Ok(out)
}

/// Whether relationship `edge` has every (key, value) of `props` (Cypher equality).
#[inline]
fn edge_ok(g: &Graph, edge: u32, props: &[(Option<crate::schema::KeyId>, QValue)]) -> bool {
    props.iter().all(|(k, want)| {
        let Some(k) = k else { return false };
        match Graph::prop(rel_props(g, edge), *k) {
            Some(v) => QValue::from_value(v).cypher_eq(want) == Some(true),
            None => false,
        }
    })
}

/// The fixed parts of a variable-length walk.
struct Walk<'v> {
    v: &'v VarExpand,
    props: &'v [(Option<crate::schema::KeyId>, QValue)],
    target: Option<u32>,
}

#[allow(clippy::too_many_arguments)]
fn walk(
    ops: &[Op],
    i: usize,
    w: &Walk,
    node: u32,
    depth: u32,
    edges: &mut Vec<u32>,
    row: &mut Row,
    ctx: &mut Ctx,
    k: &mut Sink,
) -> Result<(), Halt> {
    ctx.tick()?;
    let (v, target) = (w.v, w.target);
    if depth >= v.min && target.is_none_or(|t| t == node) && label_ok(ctx.adj, v.hop.to_label, node)
    {
        if v.bind_rels {
            let mut list: Vec<QValue> = edges.iter().map(|&e| QValue::Relationship(e)).collect();
            if v.reversed {
                list.reverse();
            }
            row[v.hop.rel] = QValue::List(list.into());
        }
        if target.is_none() {
            row[v.hop.to] = QValue::Node(node);
        }
        run(ops, i + 1, row, ctx, k)?;
    }
    if depth >= v.max {
        return Ok(());
    }
    let adj = ctx.adj;
    for_each_adj(adj, node, v.hop.dir, &v.hop.types, |en| {
        if ctx.is_used(v.hop.group, en.edge) || !edge_ok(ctx.g, en.edge, w.props) {
            return Ok(());
        }
        ctx.used.push((v.hop.group, en.edge));
        edges.push(en.edge);
        let r = walk(ops, i, w, en.nbr, depth + 1, edges, row, ctx, k);
        edges.pop();
        ctx.used.pop();
        r
    })
}

/// A growable bitset over node indexes.
pub(crate) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub(crate) fn new(bits: usize) -> BitSet {
        BitSet {
            words: vec![0; bits.div_ceil(64)],
        }
    }
    /// Sets a bit; returns whether it was clear.
    #[inline]
    pub(crate) fn insert(&mut self, i: u32) -> bool {
        let (w, b) = ((i / 64) as usize, i % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let was = self.words[w] & (1 << b) != 0;
        self.words[w] |= 1 << b;
        !was
    }
}

/// A reusable visited set over node indexes: a bitset allocated once per statement and
/// cleared word by word after each search, so many small searches cost no allocation.
#[derive(Default)]
pub(crate) struct Visited {
    words: Vec<u64>,
    touched: Vec<u32>,
}

impl Visited {
    /// Sets a bit; returns whether it was clear.
    #[inline]
    fn insert(&mut self, i: u32) -> bool {
        let w = (i / 64) as usize;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1u64 << (i % 64);
        let old = self.words[w];
        if old & bit != 0 {
            return false;
        }
        if old == 0 {
            self.touched.push(w as u32);
        }
        self.words[w] = old | bit;
        true
    }

    /// Clears every bit.
    fn clear(&mut self) {
        if self.touched.len() > self.words.len() / 8 {
            self.words.fill(0);
        } else {
            for &w in &self.touched {
                self.words[w as usize] = 0;
            }
        }
        self.touched.clear();
    }
}

/// Most node indexes kept by the breadth-first search memo of one statement.
const BFS_MEMO_MAX: usize = 4 << 20;

/// Largest single search result the memo keeps (larger ones are rarely repeated, and
/// copying them costs more than a search saves).
const BFS_MEMO_ONE: usize = 1 << 16;

/// The nodes a breadth-first search reaches from `from`, nearest first, that pass the
/// target label: computed once per start node and operator within a statement when the
/// search does not depend on the row (no row-dependent property values).
fn bfs_reach(
    v: &VarExpand,
    props: &[(Option<crate::schema::KeyId>, QValue)],
    from: u32,
    ctx: &mut Ctx,
) -> Result<Reach, Halt> {
    let memo = v
        .rel_props
        .iter()
        .all(|(_, c)| matches!(c, CExpr::Const(_)));
    let key = (v as *const VarExpand as usize, from);
    if memo {
        if let Some(hit) = ctx.bfs_memo.get(&key) {
            return Ok(Reach::Shared(hit.clone()));
        }
    }
    let adj = ctx.adj;
    let g = ctx.g;
    let mut visited = std::mem::take(&mut ctx.visited);
    visited.insert(from);
    let mut out: Vec<u32> = Vec::new();
    if v.min == 0 && label_ok(adj, v.hop.to_label, from) {
        out.push(from);
    }
    let mut frontier = vec![from];
    let mut next = Vec::new();
    let mut result = Ok(());
    'levels: for _depth in 1..=v.max {
        if frontier.is_empty() {
            break;
        }
        for (j, &n) in frontier.iter().enumerate() {
            if let Some(&x) = frontier.get(j + 2 * PREFETCH_AHEAD) {
                if v.hop.dir != Direction::Incoming {
                    adj.out.prefetch_off(x);
                }
                if v.hop.dir != Direction::Outgoing {
                    adj.inc.prefetch_off(x);
                }
            }
            if let Some(&x) = frontier.get(j + PREFETCH_AHEAD) {
                if v.hop.dir != Direction::Incoming {
                    adj.out.prefetch_entries(x);
                }
                if v.hop.dir != Direction::Outgoing {
                    adj.inc.prefetch_entries(x);
                }
            }
            if let Err(e) = ctx.tick() {
                result = Err(e);
                break 'levels;
            }
            let _ = for_each_adj(adj, n, v.hop.dir, &v.hop.types, |en| {
                if (props.is_empty() || edge_ok(g, en.edge, props)) && visited.insert(en.nbr) {
                    next.push(en.nbr);
                }
                Ok(())
            });
        }
        out.extend(
            next.iter()
                .copied()
                .filter(|&n| label_ok(adj, v.hop.to_label, n)),
        );
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    visited.clear();
    ctx.visited = visited;
    result?;
    if !memo || out.len() > BFS_MEMO_ONE || ctx.bfs_memo_size + out.len() > BFS_MEMO_MAX {
        return Ok(Reach::Owned(out));
    }
    let out: Arc<[u32]> = out.into();
    ctx.bfs_memo_size += out.len();
    ctx.bfs_memo.insert(key, out.clone());
    Ok(Reach::Shared(out))
}

/// The result of [`bfs_reach`]: shared with the memo, or not kept.
enum Reach {
    Shared(Arc<[u32]>),
    Owned(Vec<u32>),
}

impl Reach {
    fn as_slice(&self) -> &[u32] {
        match self {
            Reach::Shared(a) => a,
            Reach::Owned(v) => v,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn bfs_targets(
    ops: &[Op],
    i: usize,
    v: &VarExpand,
    props: &[(Option<crate::schema::KeyId>, QValue)],
    from: u32,
    row: &mut Row,
    ctx: &mut Ctx,
    k: &mut Sink,
) -> Result<(), Halt> {
    let reach = bfs_reach(v, props, from, ctx)?;
    for &n in reach.as_slice() {
        ctx.tick()?;
        row[v.hop.to] = QValue::Node(n);
        run(ops, i + 1, row, ctx, k)?;
    }
    Ok(())
}

fn shortest(
    ops: &[Op],
    i: usize,
    sp: &ShortestPath,
    row: &mut Row,
    ctx: &mut Ctx,
    k: &mut Sink,
) -> Result<(), Halt> {
    let Some(from) = node_of(&row[sp.from]) else {
        return Ok(());
    };
    let Some(target) = bound_end(row, sp.to, sp.to_bound) else {
        return Ok(());
    };
    let props = eval_rel_props(&sp.rel_props, row, ctx)?;
    let adj = ctx.adj;
    let g = ctx.g;
    // Breadth-first search recording, per reached node, its parents on the shortest
    // level (all of them for allShortestPaths, the first otherwise).
    let mut parents: FxHashMap<u32, Vec<(u32, u32)>> = FxHashMap::default();
    let mut dist: FxHashMap<u32, u32> = FxHashMap::default();
    dist.insert(from, 0);
    let mut order: Vec<u32> = Vec::new(); // reached nodes, nearest first
    let mut frontier = vec![from];
    let mut found = target == Some(from);
    let mut depth = 0;
    while !frontier.is_empty() && !found && depth < sp.max {
        depth += 1;
        let mut next = Vec::new();
        for &n in &frontier {
            ctx.tick()?;
            for_each_adj(adj, n, sp.dir, &sp.types, |en| {
                if !props.is_empty() && !edge_ok(g, en.edge, &props) {
                    return Ok(());
                }
                match dist.get(&en.nbr) {
                    None => {
                        dist.insert(en.nbr, depth);
                        parents.insert(en.nbr, vec![(n, en.edge)]);
                        next.push(en.nbr);
                    }
                    Some(&d) if d == depth && sp.all => {
                        parents.get_mut(&en.nbr).expect("parent").push((n, en.edge));
                    }
                    _ => {}
                }
                if target == Some(en.nbr) {
                    found = true;
                }
                Ok(())
            })?;
        }
        if target.is_none() {
            order.extend_from_slice(&next);
        }
        frontier = next;
    }
    let ends: Vec<u32> = match target {
        Some(t) if found => vec![t],
        Some(_) => Vec::new(),
        None => {
            let mut v = Vec::with_capacity(order.len() + 1);
            v.push(from);
            v.extend(order.iter().filter(|&&n| label_ok(adj, sp.to_label, n)));
            if !label_ok(adj, sp.to_label, from) {
                v.remove(0);
            }
            v
        }
    };
    for end in ends {
        let mut paths: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
        if end == from {
            if sp.min == 0 {
                paths.push((vec![from], vec![]));
            }
        } else {
            // Enumerate paths back from the end.
            let mut stack: Vec<(u32, Vec<u32>, Vec<u32>)> = vec![(end, vec![end], vec![])];
            while let Some((n, ns, es)) = stack.pop() {
                if n == from {
                    let (mut ns, mut es) = (ns, es);
                    if !sp.reversed {
                        ns.reverse();
                        es.reverse();
                    }
                    paths.push((ns, es));
                    if !sp.all {
                        break;
                    }
                    continue;
                }
                ctx.tick()?;
                for &(p, e) in parents.get(&n).map(|v| v.as_slice()).unwrap_or(&[]) {
                    let mut ns2 = ns.clone();
                    ns2.push(p);
                    let mut es2 = es.clone();
                    es2.push(e);
                    stack.push((p, ns2, es2));
                }
            }
        }
        if !sp.to_bound {
            row[sp.to] = QValue::Node(end);
        }
        for (nodes, rels) in paths {
            if let Some(r) = sp.rel {
                row[r] = QValue::List(rels.iter().map(|&e| QValue::Relationship(e)).collect());
            }
            row[sp.path] = QValue::Path(Arc::new(PathValue { nodes, rels }));
            run(ops, i + 1, row, ctx, k)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- projection

/// Distinct values; nodes in a hash set while few, then in a bitset over node indexes.
#[derive(Default)]
struct DistinctSet {
    few_nodes: FxHashSet<u32>,
    nodes: Option<BitSet>,
    other: FxHashSet<QValue>,
}

impl DistinctSet {
    fn insert(&mut self, v: &QValue, bound: usize) -> bool {
        match v {
            QValue::Node(n) => {
                if let Some(b) = &mut self.nodes {
                    return b.insert(*n);
                }
                let new = self.few_nodes.insert(*n);
                if self.few_nodes.len() > bound / 256 + 64 {
                    let mut b = BitSet::new(bound);
                    for &x in &self.few_nodes {
                        b.insert(x);
                    }
                    self.few_nodes = FxHashSet::default();
                    self.nodes = Some(b);
                }
                new
            }
            _ => {
                if self.other.contains(v) {
                    false
                } else {
                    self.other.insert(v.clone())
                }
            }
        }
    }
}

#[derive(Default)]
struct AggState {
    count: i64,
    sum_i: i64,
    sum_f: f64,
    is_float: bool,
    best: Option<QValue>,
    list: Vec<QValue>,
    seen: Option<DistinctSet>,
}

/// An [`ExecError::IntegerOverflow`] naming the operation.
fn overflow(what: String) -> ExecError {
    ExecError::IntegerOverflow(what)
}

fn add_count(count: i64, w: i64) -> Result<i64, ExecError> {
    count
        .checked_add(w)
        .ok_or_else(|| overflow(format!("count() past {count}")))
}

fn agg_update(
    s: &mut AggState,
    spec: &AggSpec,
    v: QValue,
    w: u64,
    bound: usize,
    ctx: &mut Ctx,
) -> Result<(), ExecError> {
    let mut w = i64::try_from(w).map_err(|_| overflow(format!("a row weight of {w}")))?;
    if spec.func == AggFunc::CountStar {
        s.count = add_count(s.count, w)?;
        return Ok(());
    }
    if v.is_null() {
        return Ok(());
    }
    if spec.distinct {
        if !s
            .seen
            .get_or_insert_with(DistinctSet::default)
            .insert(&v, bound)
        {
            return Ok(());
        }
        w = 1;
    }
    match spec.func {
        AggFunc::CountStar | AggFunc::Count => s.count = add_count(s.count, w)?,
        AggFunc::Collect => {
            ctx.build_list(w as usize)?;
            for _ in 0..w {
                s.list.push(v.clone());
            }
        }
        AggFunc::Sum | AggFunc::Avg => {
            s.count = add_count(s.count, w)?;
            match v {
                QValue::Int(i) => {
                    if spec.func == AggFunc::Sum {
                        s.sum_i = i
                            .checked_mul(w)
                            .and_then(|x| s.sum_i.checked_add(x))
                            .ok_or_else(|| overflow(format!("sum() past {}", s.sum_i)))?;
                    }
                    s.sum_f += i as f64 * w as f64;
                }
                QValue::Float(f) => {
                    s.is_float = true;
                    s.sum_f += f * w as f64;
                }
                other => {
                    return Err(ExecError::Type(format!(
                        "sum/avg of a {} value",
                        other.type_name()
                    )))
                }
            }
        }
        AggFunc::Min | AggFunc::Max => {
            let better = match &s.best {
                None => true,
                Some(b) => {
                    let o = v.order_cmp(b);
                    if spec.func == AggFunc::Min {
                        o == Ordering::Less
                    } else {
                        o == Ordering::Greater
                    }
                }
            };
            if better {
                s.best = Some(v);
            }
        }
    }
    Ok(())
}

fn agg_final(s: &AggState, spec: &AggSpec) -> QValue {
    match spec.func {
        AggFunc::CountStar | AggFunc::Count => QValue::Int(s.count),
        AggFunc::Collect => QValue::List(s.list.clone().into()),
        AggFunc::Sum => {
            if s.is_float {
                QValue::Float(s.sum_f)
            } else {
                QValue::Int(s.sum_i)
            }
        }
        AggFunc::Avg => {
            if s.count == 0 {
                QValue::Null
            } else {
                QValue::Float(s.sum_f / s.count as f64)
            }
        }
        AggFunc::Min | AggFunc::Max => s.best.clone().unwrap_or(QValue::Null),
    }
}

struct Group {
    first: Row,
    states: Vec<AggState>,
}

struct ProjState<'p> {
    p: &'p Projection,
    last: bool,
    grouping: bool,
    groups: FxHashMap<Vec<QValue>, usize>,
    group_list: Vec<(Vec<QValue>, Group)>,
    keybuf: Vec<QValue>,
    rows: Vec<(Row, Vec<QValue>)>,
    distinct: FxHashSet<Row>,
    stop_at: Option<usize>,
    order_needs_input: bool,
    bound: usize,
    /// When every grouping key is a function of one node slot (`b.name`, `b`): that
    /// slot, and the group of each node seen, so a row finds its group without
    /// evaluating and hashing the keys.
    node_key: Option<usize>,
    node_groups: FxHashMap<u32, usize>,
}

fn const_usize(e: &Option<CExpr>, ctx: &mut Ctx, what: &str) -> Result<Option<usize>, ExecError> {
    match e {
        None => Ok(None),
        Some(c) => match eval(c, &mut Vec::new(), ctx, &[])? {
            QValue::Int(i) if i >= 0 => Ok(Some(i as usize)),
            v => Err(ExecError::Argument(format!(
                "{what} must be a non-negative integer, got {}",
                v.type_name()
            ))),
        },
    }
}

impl<'p> ProjState<'p> {
    fn new(p: &'p Projection, ctx: &mut Ctx, last: bool) -> Result<Self, ExecError> {
        let grouping = !p.aggs.is_empty();
        let skip = const_usize(&p.skip, ctx, "SKIP")?;
        let limit = const_usize(&p.limit, ctx, "LIMIT")?;
        let stop_at = if !grouping && p.order.is_empty() && p.filter.is_none() {
            limit.map(|l| l.saturating_add(skip.unwrap_or(0)))
        } else {
            None
        };
        let n = p.items.len();
        let mut order_slots = Vec::new();
        for (e, _) in &p.order {
            super::plan::slots_of(e, &mut order_slots);
        }
        let mut node_key = None;
        if grouping {
            let mut key_slots = Vec::new();
            let mut only_props = true;
            for (it, &is_agg) in p.items.iter().zip(&p.item_is_agg) {
                if !is_agg {
                    super::plan::slots_of(it, &mut key_slots);
                    only_props &= node_function(it);
                }
            }
            key_slots.sort_unstable();
            key_slots.dedup();
            if only_props && key_slots.len() == 1 {
                node_key = Some(key_slots[0]);
            }
        }
        Ok(ProjState {
            node_key,
            node_groups: FxHashMap::default(),
            p,
            last,
            grouping,
            groups: FxHashMap::default(),
            group_list: Vec::new(),
            keybuf: Vec::new(),
            rows: Vec::new(),
            distinct: FxHashSet::default(),
            stop_at,
            order_needs_input: order_slots.iter().any(|&s| s >= n),
            bound: ctx.adj.node_bound(),
        })
    }

    fn push(&mut self, row: &mut Row, ctx: &mut Ctx, w: u64) -> Result<(), Halt> {
        let p = self.p;
        if self.grouping {
            let node = self.node_key.and_then(|s| node_of(&row[s]));
            let cached = node.and_then(|n| self.node_groups.get(&n).copied());
            let gi = if let Some(gi) = cached {
                gi
            } else {
                let gi = self.group_of(row, ctx)?;
                if let Some(n) = node {
                    self.node_groups.insert(n, gi);
                }
                gi
            };
            for (ai, spec) in p.aggs.iter().enumerate() {
                let v = match &spec.arg {
                    Some(a) => eval(a, row, ctx, &[])?,
                    None => QValue::Null,
                };
                let st = &mut self.group_list[gi].1.states[ai];
                agg_update(st, spec, v, w, self.bound, ctx)?;
            }
            return Ok(());
        }
        for _ in 0..w {
            let mut out = Vec::with_capacity(p.items.len());
            for it in &p.items {
                out.push(eval(it, row, ctx, &[])?);
            }
            if p.distinct && !self.distinct.insert(out.clone()) {
                continue;
            }
            let keys = self.sort_keys(&out, row, ctx)?;
            self.rows.push((out, keys));
            self.check_size(ctx)?;
            if let Some(s) = self.stop_at {
                if self.rows.len() >= s {
                    return Err(Halt::Stop);
                }
            }
        }
        Ok(())
    }

    /// The index of the group of a row (a new group if its keys are new).
    fn group_of(&mut self, row: &mut Row, ctx: &mut Ctx) -> Result<usize, Halt> {
        let p = self.p;
        {
            self.keybuf.clear();
            for (it, &is_agg) in p.items.iter().zip(&p.item_is_agg) {
                if !is_agg {
                    let v = eval(it, row, ctx, &[])?;
                    self.keybuf.push(v);
                }
            }
            let gi = match self.groups.get(self.keybuf.as_slice()) {
                _ if self.keybuf.is_empty() && !self.group_list.is_empty() => 0,
                Some(&g) => g,
                None => {
                    if self.group_list.len() >= ctx.limits.max_intermediate_rows {
                        return Err(Halt::Err(ExecError::Limit(format!(
                            "more than {} groups (max intermediate rows)",
                            ctx.limits.max_intermediate_rows
                        ))));
                    }
                    let key = self.keybuf.clone();
                    self.groups.insert(key.clone(), self.group_list.len());
                    self.group_list.push((
                        key,
                        Group {
                            first: row.clone(),
                            states: p.aggs.iter().map(|_| AggState::default()).collect(),
                        },
                    ));
                    self.group_list.len() - 1
                }
            };
            Ok(gi)
        }
    }

    fn check_size(&self, ctx: &Ctx) -> Result<(), Halt> {
        let n = self.rows.len();
        if self.last && n > ctx.limits.max_result_rows {
            return Err(Halt::Err(ExecError::Limit(format!(
                "the result has more than {} rows (max result rows); add a LIMIT",
                ctx.limits.max_result_rows
            ))));
        }
        if n > ctx.limits.max_intermediate_rows {
            return Err(Halt::Err(ExecError::Limit(format!(
                "more than {} intermediate rows (max intermediate rows)",
                ctx.limits.max_intermediate_rows
            ))));
        }
        Ok(())
    }

    fn sort_keys(&self, out: &Row, input: &Row, ctx: &mut Ctx) -> Result<Vec<QValue>, ExecError> {
        if self.p.order.is_empty() {
            return Ok(Vec::new());
        }
        let mut combined;
        let r: &mut Row = if self.order_needs_input {
            combined = out.clone();
            combined.extend(input.iter().cloned());
            &mut combined
        } else {
            combined = out.clone();
            &mut combined
        };
        let mut keys = Vec::with_capacity(self.p.order.len());
        for (e, _) in &self.p.order {
            keys.push(eval(e, r, ctx, &[])?);
        }
        Ok(keys)
    }

    fn finish(mut self, ctx: &mut Ctx) -> Result<Vec<Row>, ExecError> {
        let p = self.p;
        if self.grouping {
            if self.group_list.is_empty() && p.item_is_agg.iter().all(|&a| a) {
                self.group_list.push((
                    Vec::new(),
                    Group {
                        first: Vec::new(),
                        states: p.aggs.iter().map(|_| AggState::default()).collect(),
                    },
                ));
            }
            let groups = std::mem::take(&mut self.group_list);
            for (key, mut grp) in groups {
                let aggvals: Vec<QValue> = p
                    .aggs
                    .iter()
                    .zip(&grp.states)
                    .map(|(spec, s)| agg_final(s, spec))
                    .collect();
                let mut out = Vec::with_capacity(p.items.len());
                let mut ki = 0;
                for (it, &is_agg) in p.items.iter().zip(&p.item_is_agg) {
                    if is_agg {
                        out.push(eval(it, &mut grp.first, ctx, &aggvals)?);
                    } else {
                        out.push(key[ki].clone());
                        ki += 1;
                    }
                }
                if p.distinct && !self.distinct.insert(out.clone()) {
                    continue;
                }
                let keys = self.sort_keys(&out, &grp.first, ctx)?;
                self.rows.push((out, keys));
            }
        }
        let mut rows = std::mem::take(&mut self.rows);
        if !p.order.is_empty() {
            let desc: Vec<bool> = p.order.iter().map(|(_, d)| *d).collect();
            rows.sort_by(|a, b| {
                for (i, d) in desc.iter().enumerate() {
                    let o = a.1[i].order_cmp(&b.1[i]);
                    let o = if *d { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        let skip = const_usize(&p.skip, ctx, "SKIP")?.unwrap_or(0);
        let limit = const_usize(&p.limit, ctx, "LIMIT")?.unwrap_or(usize::MAX);
        let mut out: Vec<Row> = rows
            .into_iter()
            .skip(skip)
            .take(limit)
            .map(|(r, _)| r)
            .collect();
        if let Some(f) = &p.filter {
            let mut kept = Vec::with_capacity(out.len());
            for mut r in out {
                if truthy(&eval(f, &mut r, ctx, &[])?) {
                    kept.push(r);
                }
            }
            out = kept;
        }
        if self.last && out.len() > ctx.limits.max_result_rows {
            return Err(ExecError::Limit(format!(
                "the result has more than {} rows (max result rows); add a LIMIT",
                ctx.limits.max_result_rows
            )));
        }
        Ok(out)
    }
}

/// Whether an expression is a pure function of the node in its one slot: the slot
/// itself, its properties, labels or id (so equal nodes give equal values).
fn node_function(e: &CExpr) -> bool {
    match e {
        CExpr::Slot(_) | CExpr::Const(_) => true,
        CExpr::Prop(a, _) | CExpr::HasLabels(a, _) | CExpr::At(a, _) => node_function(a),
        CExpr::Func(Func::Id | Func::Labels | Func::ToLower | Func::ToUpper | Func::Fold, a) => {
            a.iter().all(node_function)
        }
        _ => false,
    }
}

// ---------------------------------------------------------------- expressions

fn truthy(v: &QValue) -> bool {
    matches!(v, QValue::Bool(true))
}

fn tri(v: &QValue) -> Result<Option<bool>, ExecError> {
    match v {
        QValue::Bool(b) => Ok(Some(*b)),
        QValue::Null => Ok(None),
        o => Err(ExecError::Type(format!(
            "expected a boolean, got {}",
            o.type_name()
        ))),
    }
}

fn b3(v: Option<bool>) -> QValue {
    v.map_or(QValue::Null, QValue::Bool)
}

fn node_props(g: &Graph, n: u32) -> &[(u16, crate::value::Value)] {
    &g.petgraph()[NodeIndex::from(n)].props
}

fn rel_props(g: &Graph, r: u32) -> &[(u16, crate::value::Value)] {
    let e = &g.petgraph()[EdgeIndex::from(r)];
    g.edge_attrs(e).map(|a| &a.props[..]).unwrap_or(&[])
}

fn sorted_keys(g: &Graph, props: &[(u16, crate::value::Value)]) -> QValue {
    let mut names: Vec<&str> = props.iter().map(|(k, _)| g.schema().key_name(*k)).collect();
    names.sort_unstable();
    QValue::List(names.into_iter().map(QValue::str).collect())
}

fn props_map(g: &Graph, props: &[(u16, crate::value::Value)]) -> QValue {
    QValue::Map(
        props
            .iter()
            .map(|(k, v)| (Arc::from(g.schema().key_name(*k)), QValue::from_value(v)))
            .collect(),
    )
}

pub(crate) fn eval(
    e: &CExpr,
    row: &mut Row,
    ctx: &mut Ctx,
    aggs: &[QValue],
) -> Result<QValue, ExecError> {
    Ok(match e {
        CExpr::Const(v) => v.clone(),
        CExpr::Slot(s) => row.get(*s).cloned().unwrap_or(QValue::Null),
        CExpr::Agg(i) => aggs.get(*i).cloned().unwrap_or(QValue::Null),
        CExpr::Prop(a, key) => {
            let base = eval(a, row, ctx, aggs)?;
            match (base, key) {
                (QValue::Null, _) => QValue::Null,
                (QValue::Node(n), Some(k)) => {
                    Graph::prop(node_props(ctx.g, n), *k).map_or(QValue::Null, QValue::from_value)
                }
                (QValue::Relationship(r), Some(k)) => {
                    Graph::prop(rel_props(ctx.g, r), *k).map_or(QValue::Null, QValue::from_value)
                }
                (QValue::Node(_) | QValue::Relationship(_), None) => QValue::Null,
                (QValue::Map(m), _) => {
                    // property keys of maps are looked up by name
                    let name = key.map(|k| ctx.g.schema().key_name(k).to_string());
                    match name {
                        Some(nm) => m
                            .iter()
                            .find(|(k, _)| **k == *nm)
                            .map_or(QValue::Null, |(_, v)| v.clone()),
                        None => QValue::Null,
                    }
                }
                (QValue::Date(d), Some(k)) => {
                    use chrono::Datelike;
                    match ctx.g.schema().key_name(*k) {
                        "year" => QValue::Int(d.year() as i64),
                        "month" => QValue::Int(d.month() as i64),
                        "day" => QValue::Int(d.day() as i64),
                        _ => QValue::Null,
                    }
                }
                (o, _) => {
                    return Err(ExecError::Type(format!(
                        "cannot read a property of a {}",
                        o.type_name()
                    )))
                }
            }
        }
        CExpr::PropName(a, name) => match eval(a, row, ctx, aggs)? {
            QValue::Null | QValue::Node(_) | QValue::Relationship(_) => QValue::Null,
            QValue::Map(m) => m
                .iter()
                .find(|(k, _)| **k == **name)
                .map_or(QValue::Null, |(_, v)| v.clone()),
            QValue::Date(d) => {
                use chrono::Datelike;
                match &**name {
                    "year" => QValue::Int(d.year() as i64),
                    "month" => QValue::Int(d.month() as i64),
                    "day" => QValue::Int(d.day() as i64),
                    _ => QValue::Null,
                }
            }
            o => {
                return Err(ExecError::Type(format!(
                    "cannot read a property of a {}",
                    o.type_name()
                )))
            }
        },
        CExpr::List(v) => {
            let mut out = Vec::with_capacity(v.len());
            for x in v {
                out.push(eval(x, row, ctx, aggs)?);
            }
            QValue::List(out.into())
        }
        CExpr::Map(v) => {
            let mut out = Vec::with_capacity(v.len());
            for (k, x) in v {
                out.push((k.clone(), eval(x, row, ctx, aggs)?));
            }
            QValue::Map(out.into())
        }
        CExpr::Index(a, b) => {
            let base = eval(a, row, ctx, aggs)?;
            let idx = eval(b, row, ctx, aggs)?;
            match (base, idx) {
                (QValue::Null, _) | (_, QValue::Null) => QValue::Null,
                (QValue::List(l), QValue::Int(i)) => {
                    let n = l.len() as i64;
                    let j = if i < 0 { n + i } else { i };
                    if j < 0 || j >= n {
                        QValue::Null
                    } else {
                        l[j as usize].clone()
                    }
                }
                (QValue::Map(m), QValue::String(s)) => m
                    .iter()
                    .find(|(k, _)| *k == s)
                    .map_or(QValue::Null, |(_, v)| v.clone()),
                (QValue::Node(n), QValue::String(s)) => match ctx.g.schema().key(&s) {
                    Some(k) => Graph::prop(node_props(ctx.g, n), k)
                        .map_or(QValue::Null, QValue::from_value),
                    None => QValue::Null,
                },
                (x, y) => {
                    return Err(ExecError::Type(format!(
                        "cannot index a {} with a {}",
                        x.type_name(),
                        y.type_name()
                    )))
                }
            }
        }
        CExpr::Slice(a, from, to) => {
            let base = eval(a, row, ctx, aggs)?;
            let f = match from {
                Some(x) => Some(eval(x, row, ctx, aggs)?),
                None => None,
            };
            let t = match to {
                Some(x) => Some(eval(x, row, ctx, aggs)?),
                None => None,
            };
            match base {
                QValue::Null => QValue::Null,
                QValue::List(l) => {
                    let n = l.len() as i64;
                    let norm = |v: Option<QValue>, dflt: i64| -> Result<Option<i64>, ExecError> {
                        match v {
                            None => Ok(Some(dflt)),
                            Some(QValue::Null) => Ok(None),
                            Some(QValue::Int(i)) => {
                                Ok(Some(if i < 0 { (n + i).max(0) } else { i.min(n) }))
                            }
                            Some(o) => Err(ExecError::Type(format!(
                                "slice bound is a {}",
                                o.type_name()
                            ))),
                        }
                    };
                    match (norm(f, 0)?, norm(t, n)?) {
                        (Some(a), Some(b)) if a < b => {
                            QValue::List(l[a as usize..b as usize].into())
                        }
                        (Some(_), Some(_)) => QValue::List(Vec::new().into()),
                        _ => QValue::Null,
                    }
                }
                o => return Err(ExecError::Type(format!("cannot slice a {}", o.type_name()))),
            }
        }
        CExpr::HasLabels(a, ls) => match eval(a, row, ctx, aggs)? {
            QValue::Null => QValue::Null,
            QValue::Node(n) => {
                let l = ctx.g.petgraph()[NodeIndex::from(n)].label;
                QValue::Bool(ls.iter().all(|x| *x == Some(l)))
            }
            o => {
                return Err(ExecError::Type(format!(
                    "label test on a {}",
                    o.type_name()
                )))
            }
        },
        CExpr::Not(a) => b3(tri(&eval(a, row, ctx, aggs)?)?.map(|b| !b)),
        CExpr::Neg(a) => match eval(a, row, ctx, aggs)? {
            QValue::Null => QValue::Null,
            QValue::Int(i) => {
                QValue::Int(i.checked_neg().ok_or_else(|| overflow(format!("-({i})")))?)
            }
            QValue::Float(f) => QValue::Float(-f),
            o => {
                return Err(ExecError::Type(format!(
                    "cannot negate a {}",
                    o.type_name()
                )))
            }
        },
        CExpr::IsNull(a, neg) => {
            let v = eval(a, row, ctx, aggs)?;
            QValue::Bool(v.is_null() != *neg)
        }
        CExpr::At(e, location) => eval(e, row, ctx, aggs).map_err(|err| err.at(*location))?,
        CExpr::Regex(a, re) => match eval(a, row, ctx, aggs)? {
            QValue::String(s) => QValue::Bool(re.is_match(&s)),
            _ => QValue::Null,
        },
        CExpr::Bin(op, a, b) => {
            if let (
                BinaryOp::Eq | BinaryOp::Neq,
                CExpr::Prop(base, Some(k)),
                CExpr::Const(QValue::String(want)),
            ) = (op, a.as_ref(), b.as_ref())
            {
                // `n.key = 'text'` on a node: compare in place, no value built
                if let CExpr::Slot(s) = base.as_ref() {
                    if let Some(QValue::Node(n)) = row.get(*s) {
                        match Graph::prop(node_props(ctx.g, *n), *k) {
                            None => return Ok(QValue::Null),
                            Some(crate::value::Value::Str(have)) => {
                                let eq = **have == **want;
                                return Ok(QValue::Bool(eq == (*op == BinaryOp::Eq)));
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
            match op {
                BinaryOp::And => {
                    let l = tri(&eval(a, row, ctx, aggs)?)?;
                    if l == Some(false) {
                        return Ok(QValue::Bool(false));
                    }
                    let r = tri(&eval(b, row, ctx, aggs)?)?;
                    return Ok(match (l, r) {
                        (_, Some(false)) => QValue::Bool(false),
                        (Some(true), Some(true)) => QValue::Bool(true),
                        _ => QValue::Null,
                    });
                }
                BinaryOp::Or => {
                    let l = tri(&eval(a, row, ctx, aggs)?)?;
                    if l == Some(true) {
                        return Ok(QValue::Bool(true));
                    }
                    let r = tri(&eval(b, row, ctx, aggs)?)?;
                    return Ok(match (l, r) {
                        (_, Some(true)) => QValue::Bool(true),
                        (Some(false), Some(false)) => QValue::Bool(false),
                        _ => QValue::Null,
                    });
                }
                BinaryOp::Xor => {
                    let l = tri(&eval(a, row, ctx, aggs)?)?;
                    let r = tri(&eval(b, row, ctx, aggs)?)?;
                    return Ok(match (l, r) {
                        (Some(x), Some(y)) => QValue::Bool(x != y),
                        _ => QValue::Null,
                    });
                }
                _ => {}
            }
            let l = eval(a, row, ctx, aggs)?;
            let r = eval(b, row, ctx, aggs)?;
            if *op == BinaryOp::Add && [&l, &r].iter().any(|v| matches!(v, QValue::List(_))) {
                let len = |v: &QValue| match v {
                    QValue::List(l) => l.len(),
                    _ => 1,
                };
                ctx.build_list(len(&l) + len(&r))?;
            }
            binary(*op, l, r)?
        }
        CExpr::Case(operand, whens, els) => {
            let o = match operand {
                Some(x) => Some(eval(x, row, ctx, aggs)?),
                None => None,
            };
            for (w, t) in whens {
                let wv = eval(w, row, ctx, aggs)?;
                let hit = match &o {
                    Some(ov) => ov.cypher_eq(&wv) == Some(true),
                    None => truthy(&wv),
                };
                if hit {
                    return eval(t, row, ctx, aggs);
                }
            }
            match els {
                Some(x) => eval(x, row, ctx, aggs)?,
                None => QValue::Null,
            }
        }
        CExpr::Pattern(p) => {
            let mut r = row.clone();
            if r.len() < p.width {
                r.resize(p.width, QValue::Null);
            }
            if p.free.iter().any(|&s| r[s].is_null()) {
                return Ok(QValue::Null);
            }
            let mut found = false;
            let res = run_inner(&p.ops, &mut r, ctx, &mut |_, _, _| {
                found = true;
                Err(Halt::Stop)
            });
            match res {
                Ok(()) | Err(Halt::Stop) => QValue::Bool(found),
                Err(Halt::Err(e)) => return Err(e),
            }
        }
        CExpr::ListComp {
            slot,
            list,
            filter,
            map,
        } => {
            let l = eval(list, row, ctx, aggs)?;
            let QValue::List(items) = l else {
                return Ok(if l.is_null() {
                    QValue::Null
                } else {
                    return Err(ExecError::Type(format!(
                        "list comprehension over a {}",
                        l.type_name()
                    )));
                });
            };
            if row.len() <= *slot {
                row.resize(*slot + 1, QValue::Null);
            }
            let mut out = Vec::new();
            for x in items.iter() {
                ctx.build_list(1)?;
                row[*slot] = x.clone();
                if let Some(f) = filter {
                    if !truthy(&eval(f, row, ctx, aggs)?) {
                        continue;
                    }
                }
                out.push(match map {
                    Some(m) => eval(m, row, ctx, aggs)?,
                    None => x.clone(),
                });
            }
            QValue::List(out.into())
        }
        CExpr::Func(f, args) => {
            if *f == Func::Coalesce {
                for a in args {
                    let v = eval(a, row, ctx, aggs)?;
                    if !v.is_null() {
                        return Ok(v);
                    }
                }
                return Ok(QValue::Null);
            }
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, row, ctx, aggs)?);
            }
            call(*f, vals, ctx)?
        }
    })
}

fn num_op(op: BinaryOp, l: &QValue, r: &QValue) -> Result<QValue, ExecError> {
    use QValue::*;
    let err = || {
        ExecError::Type(format!(
            "cannot apply {} to {} and {}",
            op.as_str(),
            l.type_name(),
            r.type_name()
        ))
    };
    Ok(match (l, r) {
        (Int(a), Int(b)) => {
            let checked = match op {
                BinaryOp::Add => a.checked_add(*b),
                BinaryOp::Sub => a.checked_sub(*b),
                BinaryOp::Mul => a.checked_mul(*b),
                BinaryOp::Div | BinaryOp::Mod if *b == 0 => {
                    return Err(ExecError::Argument("division by zero".into()))
                }
                BinaryOp::Div => a.checked_div(*b),
                // i64::MIN % -1 is 0, which fits, though the hardware division overflows.
                BinaryOp::Mod => Some(a.wrapping_rem(*b)),
                BinaryOp::Pow => return Ok(Float((*a as f64).powf(*b as f64))),
                _ => return Err(err()),
            };
            Int(checked.ok_or_else(|| overflow(format!("{a} {} {b}", op.as_str())))?)
        }
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let x = match l {
                Int(i) => *i as f64,
                Float(f) => *f,
                _ => unreachable!(),
            };
            let y = match r {
                Int(i) => *i as f64,
                Float(f) => *f,
                _ => unreachable!(),
            };
            Float(match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div => x / y,
                BinaryOp::Mod => x % y,
                BinaryOp::Pow => x.powf(y),
                _ => return Err(err()),
            })
        }
        _ => return Err(err()),
    })
}

fn binary(op: BinaryOp, l: QValue, r: QValue) -> Result<QValue, ExecError> {
    use QValue::*;
    Ok(match op {
        BinaryOp::Eq => b3(l.cypher_eq(&r)),
        BinaryOp::Neq => b3(l.cypher_eq(&r).map(|b| !b)),
        BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => {
            if l.is_null() || r.is_null() {
                return Ok(Null);
            }
            match l.cypher_cmp(&r) {
                None => Null,
                Some(o) => Bool(match op {
                    BinaryOp::Lt => o == Ordering::Less,
                    BinaryOp::Gt => o == Ordering::Greater,
                    BinaryOp::Le => o != Ordering::Greater,
                    _ => o != Ordering::Less,
                }),
            }
        }
        BinaryOp::In => match r {
            Null => Null,
            List(items) => {
                let mut unknown = false;
                for x in items.iter() {
                    match l.cypher_eq(x) {
                        Some(true) => return Ok(Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
                    Null
                } else {
                    Bool(false)
                }
            }
            o => {
                return Err(ExecError::Type(format!(
                    "IN needs a list, got {}",
                    o.type_name()
                )))
            }
        },
        BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => match (&l, &r) {
            (String(a), String(b)) => Bool(match op {
                BinaryOp::StartsWith => a.starts_with(&**b),
                BinaryOp::EndsWith => a.ends_with(&**b),
                _ => a.contains(&**b),
            }),
            _ => Null,
        },
        BinaryOp::RegexMatch => match (&l, &r) {
            (String(a), String(p)) => {
                Bool(full_match_regex(p).map_err(ExecError::Regex)?.is_match(a))
            }
            _ => Null,
        },
        BinaryOp::Add => match (&l, &r) {
            (Null, _) | (_, Null) => Null,
            (String(a), String(b)) => QValue::str(&format!("{a}{b}")),
            (String(a), b) if !matches!(b, List(_)) => {
                QValue::str(&format!("{a}{}", scalar_text(b)))
            }
            (a, String(b)) if !matches!(a, List(_)) => {
                QValue::str(&format!("{}{b}", scalar_text(a)))
            }
            (List(a), List(b)) => List(a.iter().chain(b.iter()).cloned().collect()),
            (List(a), b) => List(
                a.iter()
                    .cloned()
                    .chain(std::iter::once(b.clone()))
                    .collect(),
            ),
            (a, List(b)) => List(
                std::iter::once(a.clone())
                    .chain(b.iter().cloned())
                    .collect(),
            ),
            _ => num_op(op, &l, &r)?,
        },
        _ => {
            if l.is_null() || r.is_null() {
                Null
            } else {
                num_op(op, &l, &r)?
            }
        }
    })
}

fn scalar_text(v: &QValue) -> String {
    match v {
        QValue::Int(i) => i.to_string(),
        QValue::Float(f) => f.to_string(),
        QValue::Bool(b) => b.to_string(),
        QValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        QValue::String(s) => s.to_string(),
        _ => String::new(),
    }
}

/// The regular expression of `=~`, which matches a whole string (`^(?:p)$`); an
/// invalid one is described in terms of the pattern the user wrote, not the wrapped one.
pub(crate) fn full_match_regex(p: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&format!("^(?:{p})$")).map_err(|wrapped| {
        let e = regex::Regex::new(p).err().unwrap_or(wrapped);
        // The crate's message shows the pattern and a caret over lines, then `error: …`.
        let text = e.to_string();
        let what = text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or(text.trim());
        format!("{:?}: {what}", p)
    })
}

fn call(f: Func, mut a: Vec<QValue>, ctx: &mut Ctx) -> Result<QValue, ExecError> {
    use QValue::*;
    let g = ctx.g;
    let arg = |a: &mut Vec<QValue>| std::mem::take(&mut a[0]);
    let x = if a.is_empty() { Null } else { arg(&mut a) };
    if x.is_null() && !matches!(f, Func::Date | Func::Exists) {
        return Ok(Null);
    }
    let bad = |what: &str, v: &QValue| {
        let t = v.type_name();
        let a = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        ExecError::Type(format!("{what}() does not accept {a} {t}"))
    };
    Ok(match f {
        Func::Labels => match x {
            Node(n) => {
                let l = g.petgraph()[NodeIndex::from(n)].label;
                List(vec![QValue::str(&g.schema().labels()[l as usize].name)].into())
            }
            o => return Err(bad("labels", &o)),
        },
        Func::Type => match x {
            Relationship(r) => {
                let t = g.petgraph()[EdgeIndex::from(r)].rel_type();
                QValue::str(&g.schema().rel_types()[t as usize].name)
            }
            o => return Err(bad("type", &o)),
        },
        Func::Id => match x {
            Node(n) => QValue::str(&g.node_id_text(g.petgraph()[NodeIndex::from(n)].id)),
            Relationship(r) => QValue::str(&g.edge_id_text(g.petgraph()[EdgeIndex::from(r)].id)),
            o => return Err(bad("id", &o)),
        },
        Func::Properties => match x {
            Node(n) => props_map(g, node_props(g, n)),
            Relationship(r) => props_map(g, rel_props(g, r)),
            Map(m) => Map(m),
            o => return Err(bad("properties", &o)),
        },
        Func::Keys => match x {
            Node(n) => sorted_keys(g, node_props(g, n)),
            Relationship(r) => sorted_keys(g, rel_props(g, r)),
            Map(m) => List(m.iter().map(|(k, _)| String(k.clone())).collect()),
            o => return Err(bad("keys", &o)),
        },
        Func::Size => match x {
            List(l) => Int(l.len() as i64),
            String(s) => Int(s.chars().count() as i64),
            Path(p) => Int(p.rels.len() as i64),
            o => return Err(bad("size", &o)),
        },
        Func::Length => match x {
            Path(p) => Int(p.rels.len() as i64),
            List(l) => Int(l.len() as i64),
            String(s) => Int(s.chars().count() as i64),
            o => return Err(bad("length", &o)),
        },
        Func::Nodes => match x {
            Path(p) => List(p.nodes.iter().map(|&n| Node(n)).collect()),
            o => return Err(bad("nodes", &o)),
        },
        Func::Relationships => match x {
            Path(p) => List(p.rels.iter().map(|&r| Relationship(r)).collect()),
            List(l) => List(l),
            o => return Err(bad("relationships", &o)),
        },
        Func::ToLower => match x {
            String(s) => QValue::str(&s.to_lowercase()),
            o => return Err(bad("toLower", &o)),
        },
        Func::ToUpper => match x {
            String(s) => QValue::str(&s.to_uppercase()),
            o => return Err(bad("toUpper", &o)),
        },
        Func::Trim => match x {
            String(s) => QValue::str(s.trim()),
            o => return Err(bad("trim", &o)),
        },
        Func::Sources => match x {
            Node(n) => super::sources::of_node(g, n),
            Relationship(r) => super::sources::of_relationship(g, r),
            o => return Err(bad("sources", &o)),
        },
        Func::Fold => match x {
            String(s) => QValue::str(&crate::fold::fold(&s)),
            o => return Err(bad("fold", &o)),
        },
        Func::Coalesce => unreachable!("handled in eval"),
        Func::Date => match x {
            Null if a.is_empty() => Date(chrono::Local::now().date_naive()),
            Null => Null,
            String(s) => Date(NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
                ExecError::Argument(format!("date({s:?}): expected \"YYYY-MM-DD\""))
            })?),
            Date(d) => Date(d),
            Map(m) => {
                let get = |k: &str| {
                    m.iter()
                        .find(|(n, _)| &**n == k)
                        .and_then(|(_, v)| match v {
                            Int(i) => Some(*i),
                            _ => None,
                        })
                };
                let (y, mo, d) = (
                    get("year"),
                    get("month").unwrap_or(1),
                    get("day").unwrap_or(1),
                );
                match y.and_then(|y| NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)) {
                    Some(d) => Date(d),
                    None => {
                        return Err(ExecError::Argument(
                            "date({year, month, day}): invalid date".into(),
                        ))
                    }
                }
            }
            o => return Err(bad("date", &o)),
        },
        Func::ToString => match x {
            String(s) => String(s),
            o => QValue::str(&match &o {
                Float(f) => {
                    if f.fract() == 0.0 && f.is_finite() {
                        format!("{f:.1}")
                    } else {
                        f.to_string()
                    }
                }
                other => scalar_text(other),
            }),
        },
        Func::ToInteger => match x {
            Int(i) => Int(i),
            Float(f) => Int(f.trunc() as i64),
            String(s) => s
                .trim()
                .parse::<i64>()
                .map(Int)
                .or_else(|_| s.trim().parse::<f64>().map(|f| Int(f.trunc() as i64)))
                .unwrap_or(Null),
            Bool(b) => Int(b as i64),
            o => return Err(bad("toInteger", &o)),
        },
        Func::ToFloat => match x {
            Int(i) => Float(i as f64),
            Float(f) => Float(f),
            String(s) => s.trim().parse::<f64>().map(Float).unwrap_or(Null),
            o => return Err(bad("toFloat", &o)),
        },
        Func::Head => match x {
            List(l) => l.first().cloned().unwrap_or(Null),
            o => return Err(bad("head", &o)),
        },
        Func::Last => match x {
            List(l) => l.last().cloned().unwrap_or(Null),
            o => return Err(bad("last", &o)),
        },
        Func::Abs => match x {
            Int(i) => Int(i
                .checked_abs()
                .ok_or_else(|| overflow(format!("abs({i})")))?),
            Float(f) => Float(f.abs()),
            o => return Err(bad("abs", &o)),
        },
        Func::StartNode | Func::EndNode => match x {
            Relationship(r) => {
                let (s, t) = g
                    .petgraph()
                    .edge_endpoints(EdgeIndex::from(r))
                    .expect("edge exists");
                Node(if f == Func::StartNode { s } else { t }.index() as u32)
            }
            o => return Err(bad("startNode/endNode", &o)),
        },
        Func::Exists => Bool(!x.is_null()),
        Func::Range => {
            let to = std::mem::take(&mut a[1]);
            let step = a.get(2).cloned().unwrap_or(Int(1));
            match (x, to, step) {
                (Int(s), Int(e), Int(st)) if st != 0 => {
                    // In 128 bits: no start, end or step can wrap the length or the values.
                    let (s, e, st) = (s as i128, e as i128, st as i128);
                    let n = if (st > 0 && e < s) || (st < 0 && e > s) {
                        0
                    } else {
                        (e - s) / st + 1
                    };
                    let max = ctx.limits.max_list_values as i128;
                    if n > max {
                        return Err(ExecError::Limit(format!(
                            "range() of {n} elements; a statement builds at most {max} (max list values)"
                        )));
                    }
                    ctx.build_list(n as usize)?;
                    // Every value lies between start and end, so it fits in an i64.
                    List((0..n).map(|k| Int((s + k * st) as i64)).collect())
                }
                _ => {
                    return Err(ExecError::Argument(
                        "range(start, end[, step]) needs integers and a non-zero step".into(),
                    ))
                }
            }
        }
    })
}
