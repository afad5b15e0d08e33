//! JSON Lines: one node or edge per line, the same objects as the JSON dump's
//! (docs/dump-format.md), nodes first. A line with `labels` is a node; a line with
//! `type`, `source` and `target` is an edge. Written as it goes, read back by `import
//! --format jsonl`.

use super::json::{write_edge, write_node};
use super::Selection;
use crate::graph::Graph;
use std::io::{self, Write};

pub use super::json_import::{import_jsonl as import, import_jsonl_bytes as import_bytes};

/// Writes the selected nodes, then the selected edges, one JSON object per line.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    for n in sel.node_recs(g) {
        write_node(w, g, n)?;
        w.write_all(b"\n")?;
    }
    for &id in &sel.edges {
        if g.edge_index(id).is_some() {
            write_edge(w, g, id)?;
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}
