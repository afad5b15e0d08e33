//! The scope index: organisations and persons by name and by the country they are `OF`,
//! so that "Ministry of Interior" of one country, or a person of one country, is found
//! in O(1) however many namesakes other countries have (a scan of the name's namesakes
//! grew with the database: 161,746 Person nodes for 20,000 distinct names after 20,000
//! synthetic articles, each name held by people of up to 40 countries).
//!
//! For every name and alias of a node whose label can be the source of the scope
//! relationship (`OF`), the index holds one entry per distinct target of the node's
//! `OF` edges, or one entry under [`NO_SCOPE`] when it has none. It is built with the
//! pair index ([`Graph::index_pairs`], on the first upsert that needs it) and kept by
//! the same four primitives as every other index; look-ups verify each entry against
//! the graph, so a hash collision costs a comparison, never a wrong answer.

use super::{name_hash, slots_of, Graph, NodeRec, Slots};
use crate::fold::{name_key, name_key_eq};
use crate::schema::LabelId;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// The target under which a node without any scope edge is entered.
const NO_SCOPE: u32 = u32::MAX;

/// The scope-index key of a name-index key and a target node slot.
fn scope_hash(name: u64, target: u32) -> u64 {
    let mut h = FxHasher::default();
    (name, target, u8::MAX - 1).hash(&mut h);
    h.finish()
}

/// Adds slot `ix` under key `h` unless it is there, or removes it.
pub(super) fn toggle(map: &mut FxHashMap<u64, Slots>, h: u64, ix: u32, add: bool) {
    if add && slots_of(map, h).contains(&ix) {
        return;
    }
    super::index_slot(map, h, ix, add);
}

impl Graph {
    /// Whether nodes of `label` can be the source of the scope relationship.
    fn scoped_label(&self, label: LabelId) -> bool {
        self.scope_rel
            .is_some_and(|r| self.schema.rel_types()[r as usize].from.contains(&label))
    }

    /// Whether the scope index is built.
    pub fn scopes_built(&self) -> bool {
        self.by_scope.is_some()
    }

    /// The distinct targets (node slots) of node `ix`'s scope edges, sorted, leaving out
    /// edge `skip`; `[NO_SCOPE]` when there are none.
    fn scope_targets(&self, ix: NodeIndex, skip: Option<EdgeIndex>) -> Vec<u32> {
        let Some(rel) = self.scope_rel else {
            return vec![NO_SCOPE];
        };
        let mut t: Vec<u32> = self
            .g
            .edges_directed(ix, Direction::Outgoing)
            .filter(|e| e.weight().rel_type() == rel && Some(e.id()) != skip)
            .map(|e| e.target().index() as u32)
            .collect();
        t.sort_unstable();
        t.dedup();
        if t.is_empty() {
            t.push(NO_SCOPE);
        }
        t
    }

    /// The name-index keys of a node's names and aliases, sorted, without repeats.
    pub(super) fn name_hashes(&self, n: &NodeRec) -> Vec<u64> {
        let mut hashes: Vec<u64> = self
            .names_of(n)
            .map(|s| name_hash(n.label, &name_key(s)))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes
    }

    /// Adds or removes the entries of node slot `ix`, under its names and edges as they are.
    pub(super) fn index_scopes(&mut self, ix: u32, add: bool) {
        if self.by_scope.is_none() || !self.scoped_label(self.g[NodeIndex::from(ix)].label) {
            return;
        }
        let node = NodeIndex::from(ix);
        let names = self.name_hashes(&self.g[node]);
        let targets = self.scope_targets(node, None);
        let map = self.by_scope.as_mut().expect("checked above");
        for &h in &names {
            for &t in &targets {
                toggle(map, scope_hash(h, t), ix, add);
            }
        }
    }

    /// Updates the entries of the source of edge `ix` for the edge being added (it is in
    /// the graph already) or removed (it still is).
    pub(super) fn rescope_edge(&mut self, ix: EdgeIndex, add: bool) {
        if self.by_scope.is_none() || Some(self.g[ix].rel_type()) != self.scope_rel {
            return;
        }
        let (a, _) = self.g.edge_endpoints(ix).expect("a live edge");
        if !self.scoped_label(self.g[a].label) {
            return;
        }
        let (with, without) = (self.scope_targets(a, None), self.scope_targets(a, Some(ix)));
        if with == without {
            return;
        }
        let (old, new) = if add {
            (without, with)
        } else {
            (with, without)
        };
        let names = self.name_hashes(&self.g[a]);
        let map = self.by_scope.as_mut().expect("checked above");
        let slot = a.index() as u32;
        for &h in &names {
            for t in old.iter().filter(|t| !new.contains(t)) {
                toggle(map, scope_hash(h, *t), slot, false);
            }
            for t in new.iter().filter(|t| !old.contains(t)) {
                toggle(map, scope_hash(h, *t), slot, true);
            }
        }
    }

    /// Builds the scope index from the graph (with the pair index).
    pub(super) fn build_scopes(&mut self) {
        if self.by_scope.is_some() || self.scope_rel.is_none() {
            return;
        }
        self.by_scope = Some(FxHashMap::default());
        let nodes: Vec<u32> = self.g.node_indices().map(|ix| ix.index() as u32).collect();
        for ix in nodes {
            self.index_scopes(ix, true);
        }
    }

    /// The entries under one name and target that are what they claim: nodes of `label`
    /// with a name or alias like `name` (already [`name_key`]ed).
    fn scoped(&self, label: LabelId, folded: &str, target: u32) -> Vec<NodeIndex> {
        let Some(map) = &self.by_scope else {
            return Vec::new();
        };
        slots_of(map, scope_hash(name_hash(label, folded), target))
            .iter()
            .map(|&i| NodeIndex::from(i))
            .filter(|&ix| {
                let n = &self.g[ix];
                n.label == label && self.names_of(n).any(|s| name_key_eq(s, folded))
            })
            .collect()
    }

    /// Nodes of `label` named like `name` (name or alias) with a scope edge (`OF`) to
    /// `target`: [`Graph::find_by_name`] limited to one scope, without visiting the
    /// namesakes of other scopes. Empty when the scope index is not built.
    pub fn find_in_scope(&self, label: LabelId, name: &str, target: NodeIndex) -> Vec<NodeIndex> {
        self.scoped(label, &name_key(name), target.index() as u32)
            .into_iter()
            .filter(|&ix| {
                self.scope_rel
                    .is_some_and(|r| self.edge_between(ix, target, r).is_some())
            })
            .collect()
    }

    /// Nodes of `label` named like `name` that have no scope edge at all. Empty when the
    /// scope index is not built.
    pub fn find_unscoped(&self, label: LabelId, name: &str) -> Vec<NodeIndex> {
        self.scoped(label, &name_key(name), NO_SCOPE)
    }

    /// The problems of the scope index, if it is built: an entry missing for some name
    /// and target of a node.
    pub(super) fn verify_scopes(&self) -> Vec<String> {
        let Some(map) = &self.by_scope else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        for ix in self.g.node_indices() {
            if !self.scoped_label(self.g[ix].label) {
                continue;
            }
            let slot = ix.index() as u32;
            for h in self.name_hashes(&self.g[ix]) {
                for t in self.scope_targets(ix, None) {
                    if !slots_of(map, scope_hash(h, t)).contains(&slot) {
                        problems.push(format!(
                            "node {}: missing from the scope index",
                            self.node_ids.text(self.g[ix].id)
                        ));
                    }
                }
            }
        }
        problems
    }
}
