//! The query engine: Cypher text → syntax tree ([`crate::cypher`]) → [`plan::LogicalPlan`]
//! (schema checks, slot resolution, join order) → [`exec`] (depth-first evaluation over
//! the graph) → rows of [`QValue`]s.
//!
//! ```
//! use coopgraph::query::{Engine, Params};
//! use coopgraph::store::Store;
//! let store = Store::in_memory();
//! let engine = Engine::new(store.graph());
//! let res = engine.run_text("RETURN 1 + 2 AS three", &Params::new()).unwrap();
//! assert_eq!(res[0].columns, vec!["three"]);
//! ```

pub mod adj;
pub mod error;
pub mod exec;
pub mod names;
pub mod plan;
pub mod sources;
pub mod value;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;

pub use error::{ExecError, PlanError, QueryError};
pub use plan::{function_names, Limits, LogicalPlan};
pub use value::QValue;

use crate::cypher::{self, QueryMode, Statement};
use crate::graph::Graph;
use adj::Adjacency;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Parameter values by name (without `$`).
pub type Params = HashMap<String, QValue>;

/// The result of one statement.
#[derive(Debug, Clone)]
pub struct StatementResult {
    /// Column names, in RETURN order.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<QValue>>,
    /// Schema warnings (unknown labels, relationship types, properties), and for an
    /// empty result names that match only once folded ([`names`]).
    pub warnings: Vec<String>,
    /// PROFILE: the plan with rows and time per operator.
    pub profile: Option<String>,
}

/// Parses a `--param name=value` value: JSON if it parses as JSON, else a string.
pub fn parse_param(text: &str) -> QValue {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => QValue::from_json(&v),
        Err(_) => QValue::str(text),
    }
}

/// A query engine over one graph. The adjacency index is built on first use and kept
/// for the engine's lifetime.
pub struct Engine<'g> {
    g: &'g Graph,
    adj: OnceLock<Arc<Adjacency>>,
    /// The limits applied to every statement.
    pub limits: Limits,
}

impl<'g> Engine<'g> {
    /// An engine over `g` with default limits.
    pub fn new(g: &'g Graph) -> Self {
        Engine {
            g,
            adj: OnceLock::new(),
            limits: Limits::default(),
        }
    }

    /// An engine over `g` that uses an adjacency index already built for it (a server
    /// keeps one between queries until the graph changes).
    pub fn with_adjacency(g: &'g Graph, adj: Arc<Adjacency>) -> Self {
        Engine {
            g,
            adj: OnceLock::from(adj),
            limits: Limits::default(),
        }
    }

    /// The adjacency index, shared (built on first call).
    pub fn shared_adjacency(&self) -> Arc<Adjacency> {
        Arc::clone(self.adj.get_or_init(|| Arc::new(Adjacency::build(self.g))))
    }

    /// The graph.
    pub fn graph(&self) -> &'g Graph {
        self.g
    }

    /// The adjacency index (built on first call).
    pub fn adjacency(&self) -> &Adjacency {
        self.adj.get_or_init(|| Arc::new(Adjacency::build(self.g)))
    }

    /// Plans a parsed statement.
    pub fn plan(&self, stmt: &Statement, params: &Params) -> Result<LogicalPlan, PlanError> {
        plan::Planner::new(self.g, self.adjacency(), params, self.limits.clone()).plan(&stmt.query)
    }

    /// Runs one parsed statement (EXPLAIN returns the plan as rows of one column `plan`).
    pub fn run_statement(
        &self,
        stmt: &Statement,
        params: &Params,
    ) -> Result<StatementResult, QueryError> {
        // Planning counts towards the timeout: the clock starts before it.
        let started = Instant::now();
        let plan = self.plan(stmt, params)?;
        if stmt.mode == QueryMode::Explain {
            let text = plan.explain(self.g);
            return Ok(StatementResult {
                columns: vec!["plan".into()],
                rows: text.lines().map(|l| vec![QValue::str(l)]).collect(),
                warnings: plan.warnings.clone(),
                profile: None,
            });
        }
        let profile = stmt.mode == QueryMode::Profile;
        let mut ctx = exec::Ctx::new(self.g, self.adjacency(), &plan.limits, profile);
        ctx.started_at(started);
        let t = Instant::now();
        let (rows, stats) = exec::execute(&plan, &mut ctx)?;
        let profile = profile.then(|| profile_text(&plan, &stats, self.g, t.elapsed(), rows.len()));
        let mut warnings = plan.warnings;
        if rows.is_empty() && !plan.name_probes.is_empty() {
            warnings.extend(names::notices(self.g, &plan.name_probes));
        }
        Ok(StatementResult {
            columns: plan.columns,
            rows,
            warnings,
            profile,
        })
    }

    /// Parses and runs every statement of a text, stopping at the first error.
    pub fn run_text(
        &self,
        text: &str,
        params: &Params,
    ) -> Result<Vec<StatementResult>, QueryError> {
        let stmts = cypher::parse(text)?;
        stmts
            .iter()
            .map(|s| self.run_statement(s, params))
            .collect()
    }
}

/// The subgraph that query results mention: every node, relationship and path in their
/// rows (also inside lists and maps), as an export selection (which adds the endpoints
/// of the relationships).
pub fn selection_of(g: &Graph, results: &[StatementResult]) -> crate::export::Selection {
    use petgraph::stable_graph::{EdgeIndex, NodeIndex};
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    fn walk(v: &QValue, nodes: &mut Vec<u32>, edges: &mut Vec<u32>) {
        match v {
            QValue::Node(n) => nodes.push(*n),
            QValue::Relationship(r) => edges.push(*r),
            QValue::Path(p) => {
                nodes.extend_from_slice(&p.nodes);
                edges.extend_from_slice(&p.rels);
            }
            QValue::List(l) => l.iter().for_each(|x| walk(x, nodes, edges)),
            QValue::Map(m) => m.iter().for_each(|(_, x)| walk(x, nodes, edges)),
            _ => {}
        }
    }
    for r in results {
        for row in &r.rows {
            row.iter().for_each(|v| walk(v, &mut nodes, &mut edges));
        }
    }
    let pg = g.petgraph();
    let node_ids: Vec<u32> = nodes
        .into_iter()
        .filter_map(|n| pg.node_weight(NodeIndex::from(n)).map(|r| r.id))
        .collect();
    let edge_ids: Vec<u32> = edges
        .into_iter()
        .filter_map(|e| pg.edge_weight(EdgeIndex::from(e)).map(|r| r.id))
        .collect();
    crate::export::Selection::of(g, &node_ids, &edge_ids)
}

fn profile_text(
    plan: &LogicalPlan,
    stats: &[Vec<exec::OpStats>],
    g: &Graph,
    total: std::time::Duration,
    rows: usize,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut si = 0;
    for b in &plan.branches {
        for (k, seg) in b.segments.iter().enumerate() {
            let _ = writeln!(out, "Segment {k}:");
            let st = stats.get(si);
            si += 1;
            let n = seg.ops.len();
            for (i, op) in seg.ops.iter().enumerate() {
                let (rows, self_ms) = match st {
                    Some(s) => {
                        let inc = s.get(i).map(|x| x.inclusive).unwrap_or_default();
                        let next = s.get(i + 1).map(|x| x.inclusive).unwrap_or_default();
                        (
                            s.get(i).map(|x| x.rows).unwrap_or(0),
                            inc.saturating_sub(next).as_secs_f64() * 1e3,
                        )
                    }
                    None => (0, 0.0),
                };
                let _ = writeln!(
                    out,
                    "  {i}: {:<70} rows={rows:<10} time={self_ms:.3} ms",
                    plan::describe_op(op, seg, g)
                );
            }
            let sink_ms = st
                .and_then(|s| s.get(n))
                .map(|x| x.inclusive.as_secs_f64() * 1e3)
                .unwrap_or(0.0);
            let _ = writeln!(out, "  projection: time={sink_ms:.3} ms");
        }
    }
    let _ = writeln!(
        out,
        "total: {rows} rows in {:.3} ms",
        total.as_secs_f64() * 1e3
    );
    out
}
