//! RDF Turtle (<https://www.w3.org/TR/turtle/>): the same triples as N-Triples, with
//! prefixes (`cg:`, `schema:`, `prov:`, …) and one block per subject.

use super::rdf::{triples, write_quoted, Term, PREFIXES, RDF, XSD};
use super::Selection;
use crate::graph::Graph;
use std::io::{self, Write};

/// Writes an IRI as a prefixed name when its local part is a plain name, else in `<>`.
fn write_iri(w: &mut dyn Write, iri: &str) -> io::Result<()> {
    if iri == format!("{RDF}type") {
        return w.write_all(b"a");
    }
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns) {
            let plain = local
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && local.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain {
                return write!(w, "{p}:{local}");
            }
        }
    }
    write!(w, "<{iri}>")
}

fn write_term(w: &mut dyn Write, t: &Term) -> io::Result<()> {
    match t {
        Term::Iri(i) => write_iri(w, i),
        Term::Blank(b) => write!(w, "_:{b}"),
        Term::Literal(s, dt) => {
            write_quoted(w, s)?;
            match dt {
                Some(dt) => {
                    w.write_all(b"^^")?;
                    match dt.strip_prefix(XSD) {
                        Some(local) => write!(w, "xsd:{local}"),
                        None => write!(w, "<{dt}>"),
                    }
                }
                None => Ok(()),
            }
        }
    }
}

/// Writes the selection as Turtle.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    for (p, ns) in PREFIXES {
        writeln!(w, "@prefix {p}: <{ns}> .")?;
    }
    let mut last: Option<Term> = None;
    triples(g, sel, &mut |s, p, o| {
        if last.as_ref() == Some(s) {
            w.write_all(b" ;\n    ")?;
        } else {
            if last.is_some() {
                w.write_all(b" .\n")?;
            }
            w.write_all(b"\n")?;
            write_term(w, s)?;
            w.write_all(b" ")?;
            last = Some(s.clone());
        }
        write_term(w, p)?;
        w.write_all(b" ")?;
        write_term(w, o)
    })?;
    if last.is_some() {
        w.write_all(b" .\n")?;
    }
    Ok(())
}
