//! A record of the structural changes made to a graph (nodes added, removed or given
//! another label; edges added, removed or retyped), kept only while someone asked for
//! it, so that an index built over the graph (the query engine's adjacency index) can
//! be brought up to date from the changes instead of rebuilt.

/// Structural changes since the journal was started or last taken, by node and edge
/// index (petgraph's slots, which a later addition may reuse).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    /// Node indexes added or removed (their label slot changed).
    pub nodes: Vec<u32>,
    /// Node indexes whose label changed while they stayed: entries naming them as a
    /// neighbour carry the old label.
    pub relabelled: Vec<u32>,
    /// Edges added, removed or retyped: (edge index, source index, target index), the
    /// endpoints being those the edge had (removal) or has (addition).
    pub edges: Vec<(u32, u32, u32)>,
    /// More changes than [`MAX_EVENTS`] happened: the list above is incomplete and
    /// an index must be rebuilt.
    pub overflowed: bool,
}

/// The most changes a journal records before it gives up ([`Journal::overflowed`]):
/// past this many, rebuilding an index costs less than applying them.
pub const MAX_EVENTS: usize = 1 << 20;

impl Journal {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.overflowed
            && self.nodes.is_empty()
            && self.relabelled.is_empty()
            && self.edges.is_empty()
    }

    fn full(&mut self) -> bool {
        if self.nodes.len() + self.relabelled.len() + self.edges.len() >= MAX_EVENTS {
            self.nodes = Vec::new();
            self.relabelled = Vec::new();
            self.edges = Vec::new();
            self.overflowed = true;
        }
        self.overflowed
    }

    pub(super) fn node(&mut self, ix: u32) {
        if !self.full() {
            self.nodes.push(ix);
        }
    }

    pub(super) fn relabel(&mut self, ix: u32) {
        if !self.full() {
            self.relabelled.push(ix);
        }
    }

    pub(super) fn edge(&mut self, ix: u32, src: u32, dst: u32) {
        if !self.full() {
            self.edges.push((ix, src, dst));
        }
    }
}
