//! The participation index: dated nodes (events, agreements) by the date and each source
//! of their participation edges (`PARTICIPATED_IN`), and by date alone for the dated nodes
//! that carry a proper name (a `name` besides their key property, or aliases). The
//! same-event look-up of ingest reads the events of one day that a given person or
//! country took part in, or the named events of that day, instead of every event of the
//! day (which grows with the archive: ~4 a day after 20,000 synthetic articles, ~20 after
//! 100,000).
//!
//! Built with the pair index ([`Graph::index_pairs`], on the first upsert that needs it)
//! and kept by the same four primitives as every other index; look-ups verify each entry
//! against the graph (label, date, the edge itself), so a hash collision costs a
//! comparison, never a wrong answer.

use super::{slots_of, Graph, NodeRec};
use crate::schema::{KeyId, LabelId};
use crate::value::Value;
use chrono::NaiveDate;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

/// The source slot under which the named dated nodes are entered.
const NAMED: u32 = u32::MAX;

/// The participation-index key of a source slot (or [`NAMED`]), a target label and a date.
fn part_hash(src: u32, label: LabelId, date: NaiveDate) -> u64 {
    let mut h = FxHasher::default();
    (src, label, u8::MAX - 2).hash(&mut h);
    date.hash(&mut h);
    h.finish()
}

impl Graph {
    /// Whether the participation index is built.
    pub fn participations_built(&self) -> bool {
        self.by_part.is_some()
    }

    /// The `date` property of a node, if it is a date.
    fn date_of(&self, n: &NodeRec) -> Option<NaiveDate> {
        match self.date_key.and_then(|k| Graph::prop(&n.props, k)) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// Whether a node carries a proper name: aliases, or a `name` property that is not its
    /// label's key property.
    pub(super) fn is_named(&self, n: &NodeRec) -> bool {
        let key = self.schema.labels()[n.label as usize].key;
        let has = |k: KeyId| Graph::prop(&n.props, k).is_some();
        self.aliases_key.is_some_and(has) || (key != Some(self.names_key) && has(self.names_key))
    }

    /// Adds or removes the entries of node slot `ix` as a target: one per source of its
    /// participation edges, and the named entry; nothing for a node without a date.
    pub(super) fn index_participations(&mut self, ix: u32, add: bool) {
        let (Some(rel), Some(_)) = (self.part_rel, &self.by_part) else {
            return;
        };
        let node = NodeIndex::from(ix);
        let n = &self.g[node];
        let Some(date) = self.date_of(n) else {
            return;
        };
        let label = n.label;
        let mut keys: Vec<u64> = self
            .g
            .edges_directed(node, Direction::Incoming)
            .filter(|e| e.weight().rel_type() == rel)
            .map(|e| part_hash(e.source().index() as u32, label, date))
            .collect();
        if self.is_named(n) {
            keys.push(part_hash(NAMED, label, date));
        }
        let map = self.by_part.as_mut().expect("checked above");
        for h in keys {
            super::scope::toggle(map, h, ix, add);
        }
    }

    /// Updates the entry of edge `ix` (a live edge) being added, or removed: the entry
    /// goes only when no other participation edge joins the same two nodes.
    pub(super) fn reparticipate_edge(&mut self, ix: EdgeIndex, add: bool) {
        let (Some(rel), Some(_)) = (self.part_rel, &self.by_part) else {
            return;
        };
        if self.g[ix].rel_type() != rel {
            return;
        }
        let (a, b) = self.g.edge_endpoints(ix).expect("a live edge");
        let Some(date) = self.date_of(&self.g[b]) else {
            return;
        };
        if !add {
            let other = |e: EdgeIndex| {
                e != ix && self.g.edge_endpoints(e) == Some((a, b)) && self.g[e].rel_type() == rel
            };
            let kept = match &self.by_pair {
                Some(m) => slots_of(m, super::pair_hash(a, b, rel))
                    .iter()
                    .any(|&e| other(EdgeIndex::from(e))),
                None => self.g.edges_connecting(a, b).any(|e| other(e.id())),
            };
            if kept {
                return;
            }
        }
        let h = part_hash(a.index() as u32, self.g[b].label, date);
        let map = self.by_part.as_mut().expect("checked above");
        super::scope::toggle(map, h, b.index() as u32, add);
    }

    /// Builds the participation index from the graph (with the pair index).
    pub(super) fn build_participations(&mut self) {
        if self.by_part.is_some() || self.part_rel.is_none() {
            return;
        }
        self.by_part = Some(Default::default());
        let nodes: Vec<u32> = self.g.node_indices().map(|ix| ix.index() as u32).collect();
        for ix in nodes {
            self.index_participations(ix, true);
        }
    }

    /// The entries under one key that are nodes of `label` dated `date`.
    fn dated_under(&self, h: u64, label: LabelId, date: NaiveDate) -> Vec<NodeIndex> {
        let Some(map) = &self.by_part else {
            return Vec::new();
        };
        slots_of(map, h)
            .iter()
            .map(|&i| NodeIndex::from(i))
            .filter(|&ix| {
                let n = &self.g[ix];
                n.label == label && self.date_of(n) == Some(date)
            })
            .collect()
    }

    /// Nodes of `label` dated `date` with a participation edge from `src`: the part of
    /// [`Graph::find_by_date`] that `src` took part in. Empty when the index is not built.
    pub fn find_participated(
        &self,
        src: NodeIndex,
        label: LabelId,
        date: NaiveDate,
    ) -> Vec<NodeIndex> {
        let Some(rel) = self.part_rel else {
            return Vec::new();
        };
        let mut v = self.dated_under(part_hash(src.index() as u32, label, date), label, date);
        v.retain(|&t| self.edge_between(src, t, rel).is_some());
        v
    }

    /// Nodes of `label` dated `date` that carry a proper name (aliases, or a `name` that
    /// is not their key): the part of [`Graph::find_by_date`] that a same-name rule can
    /// match. Empty when the index is not built.
    pub fn find_named_on(&self, label: LabelId, date: NaiveDate) -> Vec<NodeIndex> {
        let mut v = self.dated_under(part_hash(NAMED, label, date), label, date);
        v.retain(|&ix| self.is_named(&self.g[ix]));
        v
    }

    /// The problems of the participation index, if it is built: an entry missing for a
    /// participation edge or a named dated node.
    pub(super) fn verify_participations(&self) -> Vec<String> {
        let (Some(rel), Some(_)) = (self.part_rel, &self.by_part) else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        for ix in self.g.node_indices() {
            let n = &self.g[ix];
            let Some(date) = self.date_of(n) else {
                continue;
            };
            let idt = self.node_ids.text(n.id);
            if self.is_named(n) && !self.find_named_on(n.label, date).contains(&ix) {
                problems.push(format!("node {idt}: missing from the named-date index"));
            }
            for e in self.g.edges_directed(ix, Direction::Incoming) {
                if e.weight().rel_type() == rel
                    && !self
                        .find_participated(e.source(), n.label, date)
                        .contains(&ix)
                {
                    problems.push(format!(
                        "node {idt}: participation {} missing from the participation index",
                        self.edge_ids.text(e.weight().id)
                    ));
                }
            }
        }
        problems
    }
}
