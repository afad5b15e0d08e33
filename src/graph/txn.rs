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
    /// Nodes whose saved record above lacks its evidence because the transaction only
    /// appended to it since: the evidence to restore is the first `len` entries of the
    /// current one (a popular node is not copied for each document that cites it).
    node_prov_len: FxHashMap<u32, usize>,
    /// The same for edges.
    edge_prov_len: FxHashMap<u32, usize>,
    /// Ids the transaction created (they had no previous record), in creation order.
    created: Vec<Change>,
}

impl Undo {
    /// Folds the undo of a later transaction into this one, so that applying the result
    /// restores the state before both (the earlier saved state of an id wins).
    pub fn absorb(&mut self, later: Undo) {
        use std::collections::hash_map::Entry;
        self.clear |= later.clear;
        // Ids the later transaction created that this undo does not know yet, in order.
        let fresh: Vec<Change> = later
            .created
            .iter()
            .copied()
            .filter(|c| match c {
                Change::Node(id) => !self.nodes.contains_key(id),
                Change::Edge(id) => !self.edges.contains_key(id),
            })
            .collect();
        self.created.extend(fresh);
        for (id, prev) in later.nodes {
            match self.nodes.entry(id) {
                Entry::Occupied(mut o) => {
                    // Only appends happened between the two saves, so the later full
                    // record starts with the evidence the earlier one lacks.
                    if !later.node_prov_len.contains_key(&id) {
                        if let (Some(len), Some(mine), Some(p)) =
                            (self.node_prov_len.remove(&id), o.get_mut(), &prev)
                        {
                            mine.prov = p.prov[..len.min(p.prov.len())].to_vec();
                        }
                    }
                }
                Entry::Vacant(v) => {
                    v.insert(prev);
                    if let Some(&len) = later.node_prov_len.get(&id) {
                        self.node_prov_len.insert(id, len);
                    }
                }
            }
        }
        for (id, prev) in later.edges {
            match self.edges.entry(id) {
                Entry::Occupied(mut o) => {
                    if !later.edge_prov_len.contains_key(&id) {
                        if let (Some(len), Some(mine), Some(p)) =
                            (self.edge_prov_len.remove(&id), o.get_mut(), &prev)
                        {
                            mine.attrs.prov = p.attrs.prov[..len.min(p.attrs.prov.len())].to_vec();
                        }
                    }
                }
                Entry::Vacant(v) => {
                    v.insert(prev);
                    if let Some(&len) = later.edge_prov_len.get(&id) {
                        self.edge_prov_len.insert(id, len);
                    }
                }
            }
        }
    }

    /// If node `id` was only appended evidence since this undo first saw it, the length of
    /// its evidence then.
    pub fn appended_node(&self, id: u32) -> Option<usize> {
        self.node_prov_len.get(&id).copied()
    }

    /// The same for edge `id`.
    pub fn appended_edge(&self, id: u32) -> Option<usize> {
        self.edge_prov_len.get(&id).copied()
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
        for (id, prev) in self.nodes {
            let Some(mut prev) = prev else { continue };
            if let Some(&len) = self.node_prov_len.get(&id) {
                prev.prov = g.truncate_node_prov(id, len);
            }
            g.put_node(prev);
        }
        for (id, prev) in self.edges {
            let Some(mut prev) = prev else { continue };
            if let Some(&len) = self.edge_prov_len.get(&id) {
                prev.attrs.prov = g.truncate_edge_prov(id, len);
            }
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

    /// Builds the graph's index of edges by endpoints and type ([`Graph::index_pairs`]).
    pub fn index_pairs(&mut self) {
        self.g.index_pairs();
    }

    /// Records that the reference data of `label` is complete in the graph as it is now
    /// ([`Graph::reference_mark`]); a rollback that removes any of it moves the count on.
    pub fn mark_reference(&mut self, label: LabelId) {
        self.g.mark_reference(label);
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
        if let Some(len) = self.undo.node_prov_len.remove(&id) {
            // A change other than an append: save the evidence as it was before the appends.
            let cur = self.g.node_by_id(id).map(|n| n.prov[..len].to_vec());
            if let (Some(Some(saved)), Some(p)) = (self.undo.nodes.get_mut(&id), cur) {
                saved.prov = p;
            }
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

    /// Notes node `id` (which exists) before evidence is appended to it: its record is saved
    /// without its evidence, which undo cuts back to the current length.
    fn note_node_append(&mut self, id: u32) {
        if self.undo.clear || self.undo.nodes.contains_key(&id) {
            return;
        }
        let Some(n) = self.g.node_by_id(id) else {
            return;
        };
        let saved = NodeRec {
            id,
            label: n.label,
            props: n.props.clone(),
            prov: Vec::new(),
        };
        self.undo.node_prov_len.insert(id, n.prov.len());
        self.undo.nodes.insert(id, Some(saved));
        self.touched.push(Change::Node(id));
    }

    /// Notes edge `id` (which exists) before evidence is appended to it.
    fn note_edge_append(&mut self, id: u32) {
        if self.undo.clear || self.undo.edges.contains_key(&id) {
            return;
        }
        let Some(ix) = self.g.edge_index(id) else {
            return;
        };
        let (a, b) = self.g.g.edge_endpoints(ix).expect("a live edge");
        let w = self.g.g[ix];
        let attrs = self.g.edge_attrs(&w);
        let saved = EdgeData {
            id,
            ty: w.rel_type(),
            src: self.g.g[a].id,
            dst: self.g.g[b].id,
            attrs: EdgeAttrs {
                props: attrs.map(|a| a.props.clone()).unwrap_or_default(),
                prov: Vec::new(),
            },
        };
        self.undo
            .edge_prov_len
            .insert(id, attrs.map_or(0, |a| a.prov.len()));
        self.undo.edges.insert(id, Some(saved));
        self.touched.push(Change::Edge(id));
    }

    fn note_edge(&mut self, id: u32) {
        if self.undo.clear {
            return;
        }
        if let Some(len) = self.undo.edge_prov_len.remove(&id) {
            let cur = self
                .g
                .edge_index(id)
                .and_then(|ix| self.g.edge_attrs(&self.g.g[ix]))
                .map(|a| a.prov[..len].to_vec());
            if let Some(Some(saved)) = self.undo.edges.get_mut(&id) {
                saved.attrs.prov = cur.unwrap_or_default();
            }
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
            prov: Vec::new(),
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
        if scope_ix.is_some() {
            self.g.index_pairs();
        }
        let in_scope = |g: &Graph, ix: petgraph::stable_graph::NodeIndex| match scope_ix {
            None => true,
            Some((rel, t)) => g.edge_between(ix, t, rel).is_some(),
        };
        // Within a scope the scope index gives the namesakes of that scope alone (the
        // same nodes the name index gives and the scope test keeps).
        let existing = names
            .iter()
            .flat_map(|n| match scope_ix {
                Some((rel, t)) if Some(rel) == self.g.scope_rel && self.g.scopes_built() => {
                    self.g.find_in_scope(label, n, t)
                }
                _ => self
                    .g
                    .find_by_name_where(label, n, |ix| in_scope(self.g, ix)),
            })
            .min_by_key(|ix| self.g.g[*ix].id);
        let rec = match existing {
            Some(ix) => {
                let id = self.g.g[ix].id;
                self.merge_into(id, probe.props, prov)?;
                return Ok(id);
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
                if self.g.node_by_id(id).filter(|n| n.label == label).is_none() {
                    return Err(GraphError::NoSuchNode(self.g.node_id_text(id)));
                }
                self.merge_into(id, props, prov)?;
                return Ok(id);
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

    /// Merges properties and evidence into existing node `id`; evidence that sorts after
    /// all the node has (a new document's) is appended in place, without copying the node.
    fn merge_into(
        &mut self,
        id: u32,
        props: super::Props,
        prov: &[Evidence],
    ) -> Result<(), GraphError> {
        let ix = self
            .g
            .node_index(id)
            .ok_or_else(|| GraphError::NoSuchNode(self.g.node_id_text(id)))?;
        let more = merge_prov(prov, &[]);
        let old = &self.g.g[ix];
        if !appends(&old.prov, &more) {
            let rec = merge_node(self.g, old.clone(), props, &more);
            return self.put_node(rec);
        }
        let props = merged_node_props(self.g, old, props);
        self.g.schema.check_node(old.label, &props)?;
        self.note_node_append(id);
        self.g.merge_in_place(ix, props, &more);
        Ok(())
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
                    prov: Vec::new(),
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
        self.g.index_pairs();
        let existing = self.g.edge_between(a, b, ty);
        let data = match existing {
            Some(ix) => {
                let w = self.g.g[ix];
                let more = merge_prov(prov, &[]);
                let (old_props, old_prov) = self
                    .g
                    .edge_attrs(&w)
                    .map_or((&[][..], &[][..]), |x| (&x.props[..], &x.prov[..]));
                if appends(old_prov, &more) {
                    let new_props = fill_props(old_props, props);
                    if new_props[..] != *old_props {
                        let (la, lb) = (self.g.g[a].label, self.g.g[b].label);
                        self.g.schema.check_edge(ty, la, lb, &new_props)?;
                    }
                    self.note_edge_append(w.id);
                    self.g.merge_edge_in_place(ix, new_props, &more);
                    return Ok(w.id);
                }
                let mut old = self.g.edge_data(ix).expect("edge index from edge_between");
                old.attrs.props = fill_props(&old.attrs.props, props);
                old.attrs.prov = merge_prov(&old.attrs.prov, &more);
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
            prov,
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
        let attrs = EdgeAttrs { props, prov };
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
    NodeRec {
        id: old.id,
        label: old.label,
        props: merged_node_props(g, &old, new_props),
        prov: merge_prov(&old.prov, prov),
    }
}

/// The properties node `old` has once `new_props` are merged into it: aliases grown with
/// every new written form, the form with the most diacritics as the name, missing
/// properties filled.
fn merged_node_props(g: &Graph, old: &NodeRec, new_props: super::Props) -> super::Props {
    let key = g.schema.labels()[old.label as usize].key;
    let aliases_key = g.aliases_key;
    let mut written: Vec<String> = g.names_of(old).map(str::to_string).collect();
    let mut name = key
        .and_then(|k| Graph::prop(&old.props, k))
        .and_then(Value::as_str)
        .map(str::to_string);
    let probe = NodeRec {
        id: old.id,
        label: old.label,
        props: new_props.clone(),
        prov: Vec::new(),
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
    props.into_boxed_slice()
}

/// Whether evidence `more` (sorted) all sorts after `old`: then a merge appends it.
fn appends(old: &[Evidence], more: &[Evidence]) -> bool {
    match (old.last(), more.first()) {
        (Some(l), Some(f)) => l < f,
        _ => true,
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
