//! A compressed adjacency index over the graph (CSR), built once per graph on the first
//! query that expands a relationship: per node, its outgoing and incoming edges sorted
//! by relationship type, plus a dense array of node labels. Expansions read contiguous
//! memory instead of petgraph's linked edge lists, and the number of edges of one type
//! at a node is the length of a range. A process that keeps the index across writes
//! (the server) brings it up to date from the graph's [`Journal`] of each write
//! ([`Adjacency::apply`]) instead of building it again.

use crate::graph::{Graph, Journal};
use crate::schema::{LabelId, RelTypeId};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::Direction;
use rustc_hash::{FxHashMap, FxHashSet};

/// One adjacency entry: the node at the other end, its label, and the edge. The label
/// fills what would be padding (12 bytes either way), so label checks during an
/// expansion do not touch the node array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Node index of the other end.
    pub nbr: u32,
    /// Edge index.
    pub edge: u32,
    /// Relationship type.
    pub ty: RelTypeId,
    /// Label of the node at the other end.
    pub lbl: LabelId,
}

/// Edges of one direction, grouped by node and sorted by type, then edge index, within
/// a node. A node's entries are one contiguous range; a range that outgrows its room
/// after a write moves to the end with room to spare ([`Adjacency::apply`]), and the
/// array is compacted once more than half of it is dead.
#[derive(Debug, Default, Clone)]
pub struct Csr {
    /// Start and end of each node's range in `entries`.
    span: Vec<(u32, u32)>,
    /// End of the room each node's range may grow into in place.
    room: Vec<u32>,
    entries: Vec<Entry>,
    /// Entries inside some node's range.
    live: usize,
}

impl Csr {
    /// All edges of node `n` in this direction, sorted by type.
    #[inline]
    pub fn all(&self, n: u32) -> &[Entry] {
        match self.span.get(n as usize) {
            Some(&(a, b)) => &self.entries[a as usize..b as usize],
            None => &[],
        }
    }

    /// The edges of node `n` of type `ty` in this direction.
    #[inline]
    pub fn of_type(&self, n: u32, ty: RelTypeId) -> &[Entry] {
        let e = self.all(n);
        // Short linear probes first: most nodes have few types, and the range of a
        // type is often at the start; binary search beyond.
        let a = match e.iter().take(8).position(|x| x.ty >= ty) {
            Some(p) => p,
            None if e.len() <= 8 => return &[],
            None => 8 + e[8..].partition_point(|x| x.ty < ty),
        };
        let rest = &e[a..];
        let len = match rest.iter().take(8).position(|x| x.ty != ty) {
            Some(p) => p,
            None if rest.len() <= 8 => rest.len(),
            None => 8 + rest[8..].partition_point(|x| x.ty <= ty),
        };
        &rest[..len]
    }

    /// Hints the processor to load node `n`'s range, the first memory access of a
    /// later [`Csr::of_type`] or [`Csr::all`] on `n`.
    #[inline]
    pub fn prefetch_off(&self, n: u32) {
        if let Some(p) = self.span.get(n as usize) {
            prefetch(p);
        }
    }

    /// Hints the processor to load the first entries of node `n` (reads its range, so
    /// best issued some time after [`Csr::prefetch_off`]).
    #[inline]
    pub fn prefetch_entries(&self, n: u32) {
        if let Some(&(a, _)) = self.span.get(n as usize) {
            if let Some(e) = self.entries.get(a as usize) {
                prefetch(e);
            }
        }
    }

    /// Sets node `n`'s entries to `new` (sorted), in place if its room allows, else at
    /// the end with room for half as many more.
    fn replace(&mut self, n: usize, new: &[Entry]) {
        let (a, b) = self.span[n];
        self.live = self.live - (b - a) as usize + new.len();
        if a as usize + new.len() <= self.room[n] as usize {
            self.entries[a as usize..a as usize + new.len()].copy_from_slice(new);
            self.span[n] = (a, a + new.len() as u32);
            return;
        }
        let start = self.entries.len();
        let room = new.len() + new.len() / 2 + 2;
        self.entries.extend_from_slice(new);
        self.entries.resize(start + room, BLANK);
        self.span[n] = (start as u32, (start + new.len()) as u32);
        self.room[n] = (start + room) as u32;
    }

    /// Makes room for node indexes below `n` (new nodes start without edges), or drops
    /// the ranges of those at `n` and above (vacant, so empty).
    fn resize(&mut self, n: usize) {
        let end = self.entries.len() as u32;
        for &(a, b) in self.span.iter().skip(n) {
            self.live -= (b - a) as usize;
        }
        self.span.resize(n, (end, end));
        self.room.resize(n, end);
    }

    /// Copies the live ranges into a fresh array (with room as a build leaves), if more
    /// than half of the array is dead.
    fn compact_if_sparse(&mut self) {
        if self.entries.len() <= 2 * self.live + MIN_DEAD {
            return;
        }
        let mut entries = Vec::with_capacity(self.live + self.live / 4);
        for (s, r) in self.span.iter_mut().zip(self.room.iter_mut()) {
            let start = entries.len() as u32;
            let len = s.1 - s.0;
            entries.extend_from_slice(&self.entries[s.0 as usize..s.1 as usize]);
            if len >= ROOMY {
                entries.resize(entries.len() + len as usize / 4, BLANK);
            }
            *s = (start, start + len);
            *r = entries.len() as u32;
        }
        self.entries = entries;
    }
}

/// Nodes with at least this many edges in a direction get room for a quarter more.
const ROOMY: u32 = if cfg!(test) { 2 } else { 256 };

/// Dead entries an array may hold whatever its size before it is compacted.
const MIN_DEAD: usize = if cfg!(test) { 8 } else { 4096 };

const BLANK: Entry = Entry {
    nbr: 0,
    edge: 0,
    ty: 0,
    lbl: NO_LABEL,
};

#[inline(always)]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; the address comes from a live reference and
    // is not dereferenced.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const T as *const i8, std::arch::x86_64::_MM_HINT_T0)
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The adjacency index with per-type edge counts.
#[derive(Debug, Default, Clone)]
pub struct Adjacency {
    /// Outgoing edges.
    pub out: Csr,
    /// Incoming edges.
    pub inc: Csr,
    /// Label of each node index (`u16::MAX` for a vacant index).
    pub labels: Vec<LabelId>,
    /// Number of edges of each relationship type.
    pub type_counts: Vec<u64>,
}

/// The label of a vacant node index in [`Adjacency::labels`].
pub const NO_LABEL: LabelId = LabelId::MAX;

const _: () = assert!(std::mem::size_of::<Entry>() == 12);

impl Adjacency {
    /// Builds the index of `g`.
    pub fn build(g: &Graph) -> Adjacency {
        let pg = g.petgraph();
        let n = pg.node_indices().map(|i| i.index() + 1).max().unwrap_or(0);
        let mut labels = vec![NO_LABEL; n];
        for ix in pg.node_indices() {
            labels[ix.index()] = pg[ix].label;
        }
        let ntypes = g.schema().rel_types().len();
        let mut type_counts = vec![0u64; ntypes.max(1)];
        let mut out_deg = vec![0u32; n + 1];
        let mut in_deg = vec![0u32; n + 1];
        for e in pg.edge_references() {
            out_deg[e.source().index()] += 1;
            in_deg[e.target().index()] += 1;
            let t = e.weight().rel_type() as usize;
            if t < type_counts.len() {
                type_counts[t] += 1;
            }
        }
        // Offsets of each node's room: its edges, and for a node with many, a quarter
        // more, so that the next writes' edges fit in place ([`Adjacency::apply`]).
        let prefix = |deg: &[u32]| -> Vec<u32> {
            let mut off = Vec::with_capacity(deg.len() + 1);
            let mut acc = 0u32;
            off.push(0);
            for &d in deg.iter().take(n) {
                acc += d + if d >= ROOMY { d / 4 } else { 0 };
                off.push(acc);
            }
            off
        };
        let out_off = prefix(&out_deg);
        let in_off = prefix(&in_deg);
        let m = pg.edge_count();
        let csr = |off: &[u32], deg: &[u32]| {
            let len = off[off.len() - 1] as usize;
            // Room for ranges moved by later writes: address space only until used,
            // and no copy of the whole array on the first move.
            let mut entries = Vec::with_capacity(len + len / 8 + 1024);
            entries.resize(len, BLANK);
            Csr {
                span: off
                    .windows(2)
                    .zip(deg)
                    .map(|(w, d)| (w[0], w[0] + d))
                    .collect(),
                room: off[1..].to_vec(),
                entries,
                live: m,
            }
        };
        let mut out = csr(&out_off, &out_deg);
        let mut inc = csr(&in_off, &in_deg);
        let mut out_fill: Vec<u32> = out_off;
        let mut in_fill: Vec<u32> = in_off;
        for e in pg.edge_references() {
            let (s, t) = (e.source().index(), e.target().index());
            let ty = e.weight().rel_type();
            let ei = e.id().index() as u32;
            let p = out_fill[s] as usize;
            out_fill[s] += 1;
            out.entries[p] = Entry {
                nbr: t as u32,
                edge: ei,
                ty,
                lbl: labels[t],
            };
            let p = in_fill[t] as usize;
            in_fill[t] += 1;
            inc.entries[p] = Entry {
                nbr: s as u32,
                edge: ei,
                ty,
                lbl: labels[s],
            };
        }
        for csr in [&mut out, &mut inc] {
            for &(a, b) in &csr.span {
                let e = &mut csr.entries[a as usize..b as usize];
                if !e.windows(2).all(|w| w[0].ty <= w[1].ty) {
                    e.sort_by_key(|x| (x.ty, x.edge));
                }
            }
        }
        Adjacency {
            out,
            inc,
            labels,
            type_counts,
        }
    }

    /// Brings the index of the graph as it was before `changes` up to date with `g`,
    /// the graph after them: the ranges of the nodes the changes touched are patched
    /// (kept entries of untouched edges, the touched edges as `g` has them now), each
    /// in place or moved to the end. Gives `false`, leaving the index unusable, if the
    /// journal overflowed: build it again.
    pub fn apply(&mut self, g: &Graph, changes: &Journal) -> bool {
        if changes.overflowed {
            return false;
        }
        if changes.is_empty() {
            return true;
        }
        let pg = g.petgraph();
        let label_of = |ix: u32| {
            pg.node_weight(NodeIndex::new(ix as usize))
                .map_or(NO_LABEL, |n| n.label)
        };
        let mut bound = self.labels.len();
        // Touched edges by endpoint, per direction.
        let mut out_dirty: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        let mut in_dirty: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for &(e, s, t) in &changes.edges {
            out_dirty.entry(s).or_default().push(e);
            in_dirty.entry(t).or_default().push(e);
            bound = bound.max(s.max(t) as usize + 1);
        }
        for &ix in changes.nodes.iter().chain(&changes.relabelled) {
            bound = bound.max(ix as usize + 1);
        }
        self.labels.resize(bound, NO_LABEL);
        for &ix in changes.nodes.iter().chain(&changes.relabelled) {
            self.labels[ix as usize] = label_of(ix);
        }
        // Entries naming a relabelled node as neighbour carry its old label: the
        // ranges holding them are read again from the graph.
        let mut out_full: FxHashSet<u32> = FxHashSet::default();
        let mut in_full: FxHashSet<u32> = FxHashSet::default();
        for &r in &changes.relabelled {
            let r = NodeIndex::new(r as usize);
            if pg.contains_node(r) {
                out_full.extend(
                    pg.edges_directed(r, Direction::Incoming)
                        .map(|e| e.source().index() as u32),
                );
                in_full.extend(
                    pg.edges_directed(r, Direction::Outgoing)
                        .map(|e| e.target().index() as u32),
                );
            }
        }
        for csr in [&mut self.out, &mut self.inc] {
            if csr.span.len() < bound {
                csr.resize(bound);
            }
        }
        let (mut buf, mut added) = (Vec::new(), Vec::new());
        let counts = &mut self.type_counts;
        let labels = &self.labels;
        for (csr, dirty, full, dir) in [
            (&mut self.out, out_dirty, out_full, Direction::Outgoing),
            (&mut self.inc, in_dirty, in_full, Direction::Incoming),
        ] {
            let mut count = |entries: &[Entry], add: bool| {
                if dir == Direction::Outgoing {
                    for x in entries {
                        if let Some(c) = counts.get_mut(x.ty as usize) {
                            *c = if add { *c + 1 } else { *c - 1 };
                        }
                    }
                }
            };
            let entry = |e: EdgeIndex, n: u32| -> Option<Entry> {
                let (s, t) = pg.edge_endpoints(e)?;
                let (me, other) = match dir {
                    Direction::Outgoing => (s, t),
                    Direction::Incoming => (t, s),
                };
                (me.index() as u32 == n).then(|| Entry {
                    nbr: other.index() as u32,
                    edge: e.index() as u32,
                    ty: pg[e].rel_type(),
                    lbl: labels[other.index()],
                })
            };
            for &n in &full {
                buf.clear();
                let ix = NodeIndex::new(n as usize);
                buf.extend(pg.edges_directed(ix, dir).filter_map(|e| entry(e.id(), n)));
                buf.sort_unstable_by_key(|x| (x.ty, x.edge));
                count(csr.all(n), false);
                count(&buf, true);
                csr.replace(n as usize, &buf);
            }
            for (n, mut touched) in dirty {
                if full.contains(&n) {
                    continue;
                }
                touched.sort_unstable();
                touched.dedup();
                // The kept entries stay sorted: merge the touched edges in.
                added.clear();
                added.extend(
                    touched
                        .iter()
                        .filter_map(|&e| entry(EdgeIndex::new(e as usize), n)),
                );
                added.sort_unstable_by_key(|x| (x.ty, x.edge));
                buf.clear();
                let old = csr.all(n);
                let mut kept = old
                    .iter()
                    .filter(|x| touched.binary_search(&x.edge).is_err())
                    .peekable();
                for a in &added {
                    while let Some(k) = kept.next_if(|k| (k.ty, k.edge) < (a.ty, a.edge)) {
                        buf.push(*k);
                    }
                    buf.push(*a);
                }
                buf.extend(kept);
                count(old, false);
                count(&buf, true);
                csr.replace(n as usize, &buf);
            }
        }
        // Vacant indexes at the end are no node's.
        while self.labels.last() == Some(&NO_LABEL) {
            self.labels.pop();
        }
        let n = self.labels.len();
        for csr in [&mut self.out, &mut self.inc] {
            csr.resize(n);
            csr.compact_if_sparse();
        }
        true
    }

    /// Where this index and `other` differ as indexes (labels, edge counts, each
    /// node's entries), or `None` if they answer every look-up alike.
    pub fn difference(&self, other: &Adjacency) -> Option<String> {
        if self.labels != other.labels {
            return Some(format!(
                "labels differ ({} and {} nodes)",
                self.labels.len(),
                other.labels.len()
            ));
        }
        if self.type_counts != other.type_counts {
            return Some(format!(
                "edge counts differ: {:?} and {:?}",
                self.type_counts, other.type_counts
            ));
        }
        let n = self.out.span.len().max(other.out.span.len()) as u32;
        for (what, a, b) in [
            ("out", &self.out, &other.out),
            ("in", &self.inc, &other.inc),
        ] {
            for i in 0..n {
                if a.all(i) != b.all(i) {
                    return Some(format!(
                        "{what} entries of node index {i} differ: {:?} and {:?}",
                        a.all(i),
                        b.all(i)
                    ));
                }
            }
        }
        None
    }

    /// The label of node index `n`.
    #[inline]
    pub fn label(&self, n: u32) -> LabelId {
        self.labels.get(n as usize).copied().unwrap_or(NO_LABEL)
    }

    /// Number of node indexes (the bound for bitsets).
    pub fn node_bound(&self) -> usize {
        self.labels.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeAttrs, EdgeData, NodeRec, Txn};
    use crate::schema::Schema;
    use crate::test_support::{iterations, Rng};
    use crate::value::{Value, ValueType};
    use std::sync::Arc;

    /// Random changes through a transaction: nodes added, relabelled and removed, edges
    /// added, retyped, moved to other endpoints and removed.
    fn random_batch(t: &mut Txn<'_>, rng: &mut Rng, next_id: &mut u32) {
        let schema = t.graph().schema().clone();
        let labels = schema.labels().len() as LabelId;
        let rels = schema.rel_types();
        // A value of each required property, so that every label and type can be written.
        let required = |defs: &[crate::schema::PropDef]| -> Box<[(crate::schema::KeyId, Value)]> {
            let mut p: Vec<_> = defs
                .iter()
                .filter(|d| d.required)
                .map(|d| (d.key, filler(d.ty)))
                .collect();
            p.sort_by_key(|x| x.0);
            p.into()
        };
        for _ in 0..1 + rng.below(30) {
            let g = t.graph();
            let nodes: Vec<(u32, LabelId)> = g
                .petgraph()
                .node_weights()
                .map(|n| (n.id, n.label))
                .collect();
            let edges: Vec<EdgeData> = g
                .petgraph()
                .edge_indices()
                .filter_map(|e| g.edge_data(e))
                .collect();
            let op = rng.below(10);
            if op < 3 || nodes.len() < 2 {
                *next_id += 1;
                let label = rng.below(labels as usize) as LabelId;
                let rec = NodeRec {
                    id: *next_id,
                    label,
                    props: required(&schema.labels()[label as usize].props),
                    prov: Vec::new(),
                };
                t.put_node(rec).unwrap();
            } else if op == 3 {
                let (id, _) = nodes[rng.below(nodes.len())];
                let label = rng.below(labels as usize) as LabelId;
                let rec = NodeRec {
                    id,
                    label,
                    props: required(&schema.labels()[label as usize].props),
                    prov: Vec::new(),
                };
                t.put_node(rec).unwrap();
            } else if op == 4 {
                t.remove_node(nodes[rng.below(nodes.len())].0);
            } else if op == 5 && !edges.is_empty() {
                t.remove_edge(edges[rng.below(edges.len())].id);
            } else {
                // An edge of a type its endpoints' labels allow, new or replacing one.
                let ty = rng.below(rels.len());
                let rel = &rels[ty];
                let from: Vec<u32> = nodes
                    .iter()
                    .filter(|n| rel.from.contains(&n.1))
                    .map(|n| n.0)
                    .collect();
                let to: Vec<u32> = nodes
                    .iter()
                    .filter(|n| rel.to.contains(&n.1))
                    .map(|n| n.0)
                    .collect();
                if from.is_empty() || to.is_empty() {
                    continue;
                }
                let id = if op >= 8 && !edges.is_empty() {
                    edges[rng.below(edges.len())].id
                } else {
                    *next_id += 1;
                    *next_id
                };
                let e = EdgeData {
                    id,
                    ty: ty as RelTypeId,
                    src: from[rng.below(from.len())],
                    dst: to[rng.below(to.len())],
                    attrs: EdgeAttrs {
                        props: required(&rel.props),
                        prov: Vec::new(),
                    },
                };
                t.put_edge(e).unwrap();
            }
        }
    }

    fn filler(ty: ValueType) -> Value {
        match ty {
            ValueType::String => Value::str("x"),
            ValueType::Int => Value::Int(1),
            ValueType::Float => Value::Float(1.0),
            ValueType::Bool => Value::Bool(true),
            ValueType::Date => Value::Date(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            ValueType::StringList => Value::str_list(["x"]),
        }
    }

    #[test]
    fn applied_changes_give_the_index_a_full_build_gives() {
        for seed in 0..iterations(40) as u64 {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seed + 1));
            let mut g = Graph::new(Arc::new(Schema::builtin()));
            let mut next_id = 0;
            if seed % 4 != 0 {
                let mut t = Txn::new(&mut g, false);
                for _ in 0..5 {
                    random_batch(&mut t, &mut rng, &mut next_id);
                }
                t.finish();
            }
            g.track_changes();
            let mut adj = Adjacency::build(&g);
            let (mut kept, mut undone) = (0, 0);
            for batch in 0..30 {
                let mut t = Txn::new(&mut g, false);
                random_batch(&mut t, &mut rng, &mut next_id);
                let (_, undo) = t.finish();
                if rng.below(3) == 0 {
                    undo.apply(&mut g);
                    undone += 1;
                } else {
                    kept += 1;
                }
                if batch % 10 == 9 {
                    // Everything removed now and then: vacant indexes at the end.
                    let ids: Vec<u32> = g.petgraph().node_weights().map(|n| n.id).collect();
                    let mut t = Txn::new(&mut g, false);
                    for id in ids.into_iter().filter(|_| rng.below(4) != 0) {
                        t.remove_node(id);
                    }
                    t.finish();
                }
                let changes = g.take_changes().expect("the journal is kept");
                assert!(adj.apply(&g, &changes));
                let want = Adjacency::build(&g);
                if let Some(d) = adj.difference(&want) {
                    panic!("seed {seed}, batch {batch}: {d}");
                }
                assert_eq!(adj.out.live, g.edge_count());
                assert_eq!(adj.inc.live, g.edge_count());
            }
            assert!(
                kept > 0 && undone > 0,
                "seed {seed}: both kinds of batch ran"
            );
        }
    }

    #[test]
    fn a_graph_built_anew_has_no_journal_and_an_overflow_asks_for_a_build() {
        let mut g = Graph::new(Arc::new(Schema::builtin()));
        g.track_changes();
        // A bulk transaction's rollback builds the graph anew.
        let mut t = Txn::new(&mut g, true);
        let mut next_id = 0;
        random_batch(&mut t, &mut Rng(7), &mut next_id);
        let (_, undo) = t.finish();
        undo.apply(&mut g);
        assert_eq!(g.take_changes(), None);
        assert_eq!(g.take_changes(), Some(Journal::default()));
        let overflowed = Journal {
            overflowed: true,
            ..Journal::default()
        };
        assert!(!Adjacency::default().apply(&g, &overflowed));
    }
}
