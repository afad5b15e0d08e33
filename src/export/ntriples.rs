//! RDF N-Triples (<https://www.w3.org/TR/n-triples/>): one triple per line, full IRIs.
//! The mapping (namespace `urn:coopgraph:ns:`, schema.org and PROV-O terms) is
//! described in the `rdf` module and docs/export-formats.md.

use super::rdf::{triples, write_quoted, Term};
use super::Selection;
use crate::graph::Graph;
use std::io::{self, Write};

/// Writes one term in N-Triples syntax.
pub fn write_term(w: &mut dyn Write, t: &Term) -> io::Result<()> {
    match t {
        Term::Iri(i) => write!(w, "<{i}>"),
        Term::Blank(b) => write!(w, "_:{b}"),
        Term::Literal(s, dt) => {
            write_quoted(w, s)?;
            match dt {
                Some(dt) => write!(w, "^^<{dt}>"),
                None => Ok(()),
            }
        }
    }
}

/// Writes the selection as N-Triples.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    triples(g, sel, &mut |s, p, o| {
        write_term(w, s)?;
        w.write_all(b" ")?;
        write_term(w, p)?;
        w.write_all(b" ")?;
        write_term(w, o)?;
        w.write_all(b" .\n")
    })
}
