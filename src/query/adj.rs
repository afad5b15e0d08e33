//! A compressed adjacency index over the graph (CSR), built once per graph on the first
//! query that expands a relationship: per node, its outgoing and incoming edges sorted
//! by relationship type, plus a dense array of node labels. Expansions read contiguous
//! memory instead of petgraph's linked edge lists, and the number of edges of one type
//! at a node is the length of a range.

use crate::graph::Graph;
use crate::schema::{LabelId, RelTypeId};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

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

/// Edges of one direction, grouped by node and sorted by type within a node.
#[derive(Debug, Default)]
pub struct Csr {
    off: Vec<u32>,
    entries: Vec<Entry>,
}

impl Csr {
    /// All edges of node `n` in this direction, sorted by type.
    #[inline]
    pub fn all(&self, n: u32) -> &[Entry] {
        let n = n as usize;
        if n + 1 >= self.off.len() {
            return &[];
        }
        &self.entries[self.off[n] as usize..self.off[n + 1] as usize]
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
}

impl Csr {
    /// Hints the processor to load node `n`'s offsets, the first memory access of a
    /// later [`Csr::of_type`] or [`Csr::all`] on `n`.
    #[inline]
    pub fn prefetch_off(&self, n: u32) {
        if let Some(p) = self.off.get(n as usize) {
            prefetch(p);
        }
    }

    /// Hints the processor to load the first entries of node `n` (reads its offset, so
    /// best issued some time after [`Csr::prefetch_off`]).
    #[inline]
    pub fn prefetch_entries(&self, n: u32) {
        if let Some(&a) = self.off.get(n as usize) {
            if let Some(e) = self.entries.get(a as usize) {
                prefetch(e);
            }
        }
    }
}

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
#[derive(Debug, Default)]
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
        let prefix = |deg: Vec<u32>| -> Vec<u32> {
            let mut off = Vec::with_capacity(deg.len() + 1);
            let mut acc = 0u32;
            off.push(0);
            for d in deg.iter().take(n) {
                acc += d;
                off.push(acc);
            }
            off
        };
        let out_off = prefix(out_deg);
        let in_off = prefix(in_deg);
        let m = pg.edge_count();
        let blank = Entry {
            nbr: 0,
            edge: 0,
            ty: 0,
            lbl: NO_LABEL,
        };
        let mut out = Csr {
            entries: vec![blank; m],
            off: out_off.clone(),
        };
        let mut inc = Csr {
            entries: vec![blank; m],
            off: in_off.clone(),
        };
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
            for i in 0..n {
                let (a, b) = (csr.off[i] as usize, csr.off[i + 1] as usize);
                let e = &mut csr.entries[a..b];
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
