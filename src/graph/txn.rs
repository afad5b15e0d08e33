//! A write transaction over the in-memory graph: schema-checked upserts and imports
//! that remember how to undo themselves, and which ids they touched.

use super::{
    merge_prov, normalize_props, EdgeAttrs, EdgeData, Evidence, Graph, GraphError, NodeRec,
};
use crate::fold::fold;
use crate::schema::{KeyId, LabelId, RelTypeId};
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// An id a transaction touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A node id number.
    Node(u32),
    /// An edge id number.
    Edge(u32),
}

/// How to restore the graph as it was before a transaction.
#[derive(Debug, Default)]
pub struct Undo {
    /// The graph was empty and the transaction was a bulk load: undo clears it.
    clear: bool,
    nodes: FxHashMap<u32, Option<NodeRec>>,
    edges: FxHashMap<u32, Option<EdgeData>>,
    /// Ids the transaction created (they had no previous record), in creation order.
    created: Vec<Change>,
}

impl Undo {
    /// Folds the undo of a later transaction into this one, so that applying the result
    /// restores the state before both (the earlier saved state of an id wins).
    pub fn absorb(&mut self, later: Undo) {
        self.clear |= later.clear;
        for (id, prev) in later.nodes {
            self.nodes.entry(id).or_insert(prev);
        }
        for (id, prev) in later.edges {
            self.edges.entry(id).or_insert(prev);
        }
    }

    /// Whether applying this undo would change nothing.
    pub fn is_empty(&self) -> bool {
        !self.clear && self.nodes.is_empty() && self.edges.is_empty()
    }

    /// Restores the graph.
    pub fn apply(self, g: &mut Graph) {
        if self.clear {
            *g = Graph::new(g.schema.clone());
            return;
        }
        // Newest first: each created node is then the last entry of its label index and
        // each created edge the head of its endpoints' edge lists, so every removal is
        // O(1) instead of a scan (removing in hash order made rollback quadratic).
        for c in self.created.iter().rev() {
            match *c {
                Change::Edge(id) => {
                    g.remove_edge(id);
                }
                Change::Node(id) => {
                    g.remove_node(id);
                }
            }
        }
        for prev in self.nodes.into_values().flatten() {
            g.put_node(prev);
        }
        for prev in self.edges.into_values().flatten() {
            // Endpoints exist again: they were restored above or never removed.
            let _ = g.put_edge(prev);
        }
    }
}

/// A write transaction: every change is checked against the schema and can be undone.
pub struct Txn<'g> {
    g: &'g mut Graph,
    undo: Undo,
    touched: Vec<Change>,
}

impl<'g> Txn<'g> {
    /// Starts a transaction. `bulk` (allowed only on an empty graph) skips undo
    /// bookkeeping: a rollback empties the graph again.
    pub fn new(g: &'g mut Graph, bulk: bool) -> Txn<'g> {
        let clear = bulk && g.node_count() == 0;
        Txn {
            g,
            undo: Undo {
                clear,
                ..Undo::default()
            },
            touched: Vec::new(),
        }
    }

    /// Whether this is a bulk load into an empty graph.
    pub fn is_bulk(&self) -> bool {
        self.undo.clear
    }

    /// The graph as changed so far.
    pub fn graph(&self) -> &Graph {
        self.g
    }

    /// The id number that node id text `text` has or will have in this graph
    /// (for references to nodes an import has not reached yet).
    pub fn assign_node_id(&mut self, text: &str) -> u32 {
        self.g.id_maps_mut().0.assign(text)
    }

    /// Ends the transaction, returning the touched ids (in first-touch order) and its undo.
    pub fn finish(self) -> (Vec<Change>, Undo) {
        (self.touched, self.undo)
    }

    fn note_node(&mut self, id: u32) {
        if self.undo.clear {
            return;
        }
        if !self.undo.nodes.contains_key(&id) {
            let prev = self.g.node_by_id(id).cloned();
            if prev.is_none() {
                self.undo.created.push(Change::Node(id));
            }
            self.undo.nodes.insert(id, prev);
            self.touched.push(Change::Node(id));
        }
    }

    fn note_edge(&mut self, id: u32) {
        if self.undo.clear {
            return;
        }
        if !self.undo.edges.contains_key(&id) {
            let prev = self.g.edge_by_id(id);
            if prev.is_none() {
                self.undo.created.push(Change::Edge(id));
            }
            self.undo.edges.insert(id, prev);
            self.touched.push(Change::Edge(id));
        }
    }

    /// Inserts or replaces a node by id, after checking it against the schema.
    pub fn put_node(&mut self, rec: NodeRec) -> Result<(), GraphError> {
        self.g.schema.check_node(rec.label, &rec.props)?;
        self.note_node(rec.id);
        self.g.put_node(rec);
        Ok(())
    }

    /// Inserts or replaces an edge by id, after checking it against the schema.
    pub fn put_edge(&mut self, e: EdgeData) -> Result<(), GraphError> {
        let la = self
            .g
            .node_by_id(e.src)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(e.src)))?
            .label;
        let lb = self
            .g
            .node_by_id(e.dst)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(e.dst)))?
            .label;
        self.g.schema.check_edge(e.ty, la, lb, &e.attrs.props)?;
        self.note_edge(e.id);
        self.g.put_edge(e)?;
        Ok(())
    }

    /// Removes an edge by id.
    pub fn remove_edge(&mut self, id: u32) -> bool {
        self.note_edge(id);
        self.g.remove_edge(id).is_some()
    }

    /// Removes a node and its edges by id.
    pub fn remove_node(&mut self, id: u32) -> bool {
        let Some(ix) = self.g.node_index(id) else {
            return false;
        };
        let incident: Vec<u32> = self
            .g
            .g
            .edges_directed(ix, petgraph::Direction::Outgoing)
            .chain(self.g.g.edges_directed(ix, petgraph::Direction::Incoming))
            .map(|e| e.weight().id)
            .collect();
        for e in incident {
            self.remove_edge(e);
        }
        self.note_node(id);
        self.g.remove_node(id).is_some()
    }

    /// Adds a node, or merges it into the node of the same label whose name or an alias
    /// folds (case and diacritics) to one of its names. Returns the node's id number.
    ///
    /// Merging grows the aliases with every new written form, keeps the form with the most
    /// diacritics as the name, fills properties the node lacks, and unions the evidence.
    pub fn upsert_node(
        &mut self,
        label: LabelId,
        props: Vec<(KeyId, Value)>,
        prov: &[Evidence],
    ) -> Result<u32, GraphError> {
        self.upsert_node_scoped(label, props, prov, None)
    }

    /// Like [`Txn::upsert_node`], but when `scope` is `(rel, target)` only nodes with a `rel`
    /// edge to node `target` are merged with: two countries' "Ministry of Interior" stay two
    /// nodes (`scope` = (OF, country)). The caller adds the scoping edge itself.
    pub fn upsert_node_scoped(
        &mut self,
        label: LabelId,
        props: Vec<(KeyId, Value)>,
        prov: &[Evidence],
        scope: Option<(RelTypeId, u32)>,
    ) -> Result<u32, GraphError> {
        let props = self.checked_props(label, props)?;
        let probe = NodeRec {
            id: u32::MAX,
            label,
            props,
            prov: Box::default(),
        };
        let names: Vec<String> = self.g.names_of(&probe).map(str::to_string).collect();
        let scope_ix = match scope {
            Some((rel, target)) => Some((
                rel,
                self.g
                    .node_index(target)
                    .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(target)))?,
            )),
            None => None,
        };
        let in_scope = |g: &Graph, ix: petgraph::stable_graph::NodeIndex| match scope_ix {
            None => true,
            Some((rel, t)) => g.edges_between(ix, t, rel).next().is_some(),
        };
        let existing = names
            .iter()
            .flat_map(|n| self.g.find_by_name(label, n))
            .filter(|&ix| in_scope(self.g, ix))
            .min_by_key(|ix| self.g.g[*ix].id);
        let rec = match existing {
            Some(ix) => {
                let old = self.g.g[ix].clone();
                merge_node(self.g, old, probe.props, prov)
            }
            None => {
                let id = self.g.allocate_node_id();
                NodeRec {
                    id,
                    label,
                    props: probe.props,
                    prov: merge_prov(prov, &[]),
                }
            }
        };
        let id = rec.id;
        self.put_node(rec)?;
        Ok(id)
    }

    /// Adds a node of `label`, or merges it into node `into` when given (an identity the
    /// caller decided, as ingest does for events, agreements and persons): the merge grows
    /// aliases, fills missing properties and unions evidence as [`Txn::upsert_node`] does.
    /// Returns the node's id number.
    pub fn add_or_merge_node(
        &mut self,
        label: LabelId,
        props: Vec<(KeyId, Value)>,
        prov: &[Evidence],
        into: Option<u32>,
    ) -> Result<u32, GraphError> {
        let props = self.checked_props(label, props)?;
        let rec = match into {
            Some(id) => {
                let old = self
                    .g
                    .node_by_id(id)
                    .filter(|n| n.label == label)
                    .cloned()
                    .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(id)))?;
                merge_node(self.g, old, props, prov)
            }
            None => NodeRec {
                id: self.g.allocate_node_id(),
                label,
                props,
                prov: merge_prov(prov, &[]),
            },
        };
        let id = rec.id;
        self.put_node(rec)?;
        Ok(id)
    }

    /// Rebuilds node `id`'s properties from contributions given in order (each as an upsert
    /// would have written it, the first creating the node), keeping its evidence: what the
    /// node would be had only these contributions been written.
    pub fn rebuild_node(
        &mut self,
        id: u32,
        contributions: Vec<Vec<(KeyId, Value)>>,
    ) -> Result<(), GraphError> {
        let Some(cur) = self.g.node_by_id(id).cloned() else {
            return Err(GraphError::NoSuchNode(self.g.node_id_text(id)));
        };
        if contributions.is_empty() {
            return Ok(());
        }
        let props = self.merged_props(cur.label, contributions)?;
        self.put_node(NodeRec {
            id,
            label: cur.label,
            props,
            prov: cur.prov,
        })
    }

    /// The properties a node of `label` gets from contributions written in order (the first
    /// creating it, each next merged as an upsert merges).
    pub fn merged_props(
        &self,
        label: LabelId,
        contributions: Vec<Vec<(KeyId, Value)>>,
    ) -> Result<super::Props, GraphError> {
        let mut rec: Option<NodeRec> = None;
        for p in contributions {
            let p = self.checked_props(label, p)?;
            rec = Some(match rec {
                None => NodeRec {
                    id: u32::MAX,
                    label,
                    props: p,
                    prov: Box::default(),
                },
                Some(r) => merge_node(self.g, r, p, &[]),
            });
        }
        Ok(rec.map(|r| r.props).unwrap_or_default())
    }

    /// Adds an edge of type `ty` from `src` to `dst` (node id numbers), or merges it into the
    /// existing edge of that type between them: an edge is never duplicated.
    pub fn upsert_edge(
        &mut self,
        ty: RelTypeId,
        src: u32,
        dst: u32,
        props: Vec<(KeyId, Value)>,
        prov: &[Evidence],
    ) -> Result<u32, GraphError> {
        let props = normalize_props(props).map_err(|k| self.dup_key(k))?;
        let a = self
            .g
            .node_index(src)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(src)))?;
        let b = self
            .g
            .node_index(dst)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(dst)))?;
        let existing = self.g.edges_between(a, b, ty).next();
        let data = match existing {
            Some(ix) => {
                let mut old = self.g.edge_data(ix).expect("edge index from edges_between");
                old.attrs.props = fill_props(&old.attrs.props, props);
                old.attrs.prov = merge_prov(&old.attrs.prov, prov);
                old
            }
            None => {
                let id = self.g.allocate_edge_id();
                EdgeData {
                    id,
                    ty,
                    src,
                    dst,
                    attrs: EdgeAttrs {
                        props,
                        prov: merge_prov(prov, &[]),
                    },
                }
            }
        };
        let id = data.id;
        self.put_edge(data)?;
        Ok(id)
    }

    /// Adds or replaces a node under an external id (a dump's `id`): the id is kept, so
    /// `id(n)` returns it. Returns the id number.
    pub fn import_node(
        &mut self,
        ext_id: &str,
        label: LabelId,
        props: Vec<(KeyId, Value)>,
        prov: Vec<Evidence>,
    ) -> Result<u32, GraphError> {
        let props = self.checked_props(label, props)?;
        let (nodes, _) = self.g.id_maps_mut();
        let id = nodes.assign(ext_id);
        let native = nodes.native_number(ext_id) == Some(id);
        if let Some(old) = self.g.node_by_id(id) {
            if old.label != label {
                let s = &self.g.schema;
                return Err(GraphError::LabelConflict {
                    id: ext_id.to_string(),
                    existing: s.labels()[old.label as usize].name.clone(),
                    given: s.labels()[label as usize].name.clone(),
                });
            }
        } else if !native {
            self.g.id_maps_mut().0.set_ext(id, ext_id);
        }
        let mut prov = prov;
        prov.sort_unstable();
        prov.dedup();
        self.note_node(id);
        self.g.put_node(NodeRec {
            id,
            label,
            props,
            prov: prov.into_boxed_slice(),
        });
        Ok(id)
    }

    /// Adds or replaces an edge under an external id, between nodes given by id number.
    pub fn import_edge(
        &mut self,
        ext_id: &str,
        ty: RelTypeId,
        src: u32,
        dst: u32,
        props: Vec<(KeyId, Value)>,
        prov: Vec<Evidence>,
    ) -> Result<u32, GraphError> {
        let props = normalize_props(props).map_err(|k| self.dup_key(k))?;
        let la = self
            .g
            .node_by_id(src)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(src)))?
            .label;
        let lb = self
            .g
            .node_by_id(dst)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(dst)))?
            .label;
        self.g.schema.check_edge(ty, la, lb, &props)?;
        let (_, edges) = self.g.id_maps_mut();
        let id = edges.assign(ext_id);
        let native = edges.native_number(ext_id) == Some(id);
        let mut prov = prov;
        prov.sort_unstable();
        prov.dedup();
        let attrs = EdgeAttrs {
            props,
            prov: prov.into_boxed_slice(),
        };
        if self.undo.clear && self.g.edge_index(id).is_none() {
            if !native {
                self.g.id_maps_mut().1.set_ext(id, ext_id);
            }
            let (a, b) = (
                self.g.node_index(src).expect("checked"),
                self.g.node_index(dst).expect("checked"),
            );
            self.g.push_edge(id, ty, a, b, attrs);
            return Ok(id);
        }
        if self.g.edge_index(id).is_none() && !native {
            self.g.id_maps_mut().1.set_ext(id, ext_id);
        }
        self.note_edge(id);
        self.g.put_edge(EdgeData {
            id,
            ty,
            src,
            dst,
            attrs,
        })?;
        Ok(id)
    }

    fn dup_key(&self, k: KeyId) -> GraphError {
        GraphError::Schema(crate::schema::SchemaError::Invalid(format!(
            "property {} given twice",
            self.g.schema.key_name(k)
        )))
    }

    fn checked_props(
        &self,
        label: LabelId,
        props: Vec<(KeyId, Value)>,
    ) -> Result<super::Props, GraphError> {
        let props = normalize_props(props).map_err(|k| self.dup_key(k))?;
        self.g.schema.check_node(label, &props)?;
        Ok(props)
    }
}

/// Number of non-ASCII characters: the written form with more diacritics is the fuller one.
fn fullness(s: &str) -> usize {
    s.chars().filter(|c| !c.is_ascii()).count()
}

fn merge_node(g: &Graph, old: NodeRec, new_props: super::Props, prov: &[Evidence]) -> NodeRec {
    let key = g.schema.labels()[old.label as usize].key;
    let aliases_key = g.aliases_key;
    let mut written: Vec<String> = g.names_of(&old).map(str::to_string).collect();
    let mut name = key
        .and_then(|k| Graph::prop(&old.props, k))
        .and_then(Value::as_str)
        .map(str::to_string);
    let probe = NodeRec {
        id: old.id,
        label: old.label,
        props: new_props.clone(),
        prov: Box::default(),
    };
    for n in g.names_of(&probe) {
        if !written.iter().any(|w| w == n) {
            written.push(n.to_string());
        }
        if let Some(cur) = &name {
            if cur != n && fold(cur) == fold(n) && fullness(n) > fullness(cur) {
                name = Some(n.to_string());
            }
        }
    }
    let mut props: Vec<(KeyId, Value)> = fill_props(&old.props, new_props).into_vec();
    if let (Some(k), Some(name)) = (key, &name) {
        props.retain(|(pk, _)| *pk != k);
        props.push((k, Value::Str(Arc::from(name.as_str()))));
    }
    if let Some(ak) = aliases_key {
        if g.schema.labels()[old.label as usize].prop(ak).is_some() {
            let aliases: Vec<&String> = written
                .iter()
                .filter(|w| Some(w.as_str()) != name.as_deref())
                .collect();
            props.retain(|(pk, _)| *pk != ak);
            if !aliases.is_empty() {
                props.push((ak, Value::str_list(aliases)));
            }
        }
    }
    props.sort_by_key(|(k, _)| *k);
    NodeRec {
        id: old.id,
        label: old.label,
        props: props.into_boxed_slice(),
        prov: merge_prov(&old.prov, prov),
    }
}

/// Keeps every old property and adds the new ones the old lacks.
fn fill_props(old: &[(KeyId, Value)], new: super::Props) -> super::Props {
    let mut out: Vec<(KeyId, Value)> = old.to_vec();
    for (k, v) in new.into_vec() {
        if !out.iter().any(|(ok, _)| *ok == k) {
            out.push((k, v));
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out.into_boxed_slice()
}
