//! The RDF view of the graph shared by the N-Triples and Turtle writers.
//!
//! Namespace: coopgraph terms are `urn:coopgraph:ns:<Name>` (prefix `cg:`); a node is
//! `urn:coopgraph:node:<id>` and an edge `urn:coopgraph:edge:<id>`, ids percent-encoded.
//! Each node has `rdf:type cg:<Label>` plus the schema.org (or SKOS, PROV-O) class
//! where one fits, `rdfs:label`, and its properties as typed literals, mapped to
//! schema.org terms where they fit (`schema:name`, `schema:alternateName`,
//! `schema:startDate`, …) and to `cg:<key>` otherwise. Each edge is a direct triple
//! `<source> cg:<TYPE> <target>` and also a reified `rdf:Statement`, typed
//! `cg:Relationship`, carrying its id, properties and provenance. Provenance is
//! `prov:wasDerivedFrom <document>`, and each span a `cg:Evidence` blank node with
//! `cg:document`, `cg:start`, `cg:end`. docs/export-formats.md lists the mapping.

use super::{caption, label_name, named_props, type_name, Selection};
use crate::graph::{Evidence, Graph};
use crate::value::Value;
use std::io;

/// The coopgraph vocabulary namespace.
pub const CG: &str = "urn:coopgraph:ns:";
/// The namespace of node IRIs.
pub const NODE: &str = "urn:coopgraph:node:";
/// The namespace of edge IRIs.
pub const EDGE: &str = "urn:coopgraph:edge:";
/// schema.org.
pub const SCHEMA: &str = "https://schema.org/";
/// PROV-O.
pub const PROV: &str = "http://www.w3.org/ns/prov#";
/// RDF.
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// RDF Schema.
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// XML Schema datatypes.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// SKOS.
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// The prefixes Turtle declares.
pub const PREFIXES: &[(&str, &str)] = &[
    ("cg", CG),
    ("schema", SCHEMA),
    ("prov", PROV),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("xsd", XSD),
    ("skos", SKOS),
];

/// An RDF term.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// An IRI (already percent-encoded where needed).
    Iri(String),
    /// A blank node label.
    Blank(String),
    /// A literal with its datatype IRI (`None` for xsd:string).
    Literal(String, Option<&'static str>),
}

/// Percent-encodes everything but unreserved characters, so that any id makes a valid IRI.
pub fn encode_id(id: &str) -> String {
    let mut s = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn iri(ns: &str, local: &str) -> Term {
    Term::Iri(format!("{ns}{local}"))
}

fn node(g: &Graph, id: u32) -> Term {
    iri(NODE, &encode_id(&g.node_id_text(id)))
}

fn literal(v: &Value) -> Vec<Term> {
    let xsd = |t: &'static str| Some(t);
    match v {
        Value::Bool(b) => vec![Term::Literal(
            b.to_string(),
            xsd("http://www.w3.org/2001/XMLSchema#boolean"),
        )],
        Value::Int(i) => vec![Term::Literal(
            i.to_string(),
            xsd("http://www.w3.org/2001/XMLSchema#integer"),
        )],
        Value::Float(f) if f.is_finite() => vec![Term::Literal(
            format!("{f:e}"),
            xsd("http://www.w3.org/2001/XMLSchema#double"),
        )],
        Value::Float(_) => vec![],
        Value::Str(s) => vec![Term::Literal(s.to_string(), None)],
        Value::Date(d) => vec![Term::Literal(
            d.format("%Y-%m-%d").to_string(),
            xsd("http://www.w3.org/2001/XMLSchema#date"),
        )],
        Value::List(l) => l.iter().flat_map(literal).collect(),
    }
}

/// The class beside `cg:<Label>` that a label maps to.
fn class_of(label: &str) -> Option<(&'static str, &'static str)> {
    Some(match label {
        "Country" => (SCHEMA, "Country"),
        "Organization" => (SCHEMA, "Organization"),
        "Person" => (SCHEMA, "Person"),
        "Event" => (SCHEMA, "Event"),
        "Place" => (SCHEMA, "Place"),
        "Document" => (SCHEMA, "NewsArticle"),
        "Topic" => (SKOS, "Concept"),
        _ => return None,
    })
}

/// The predicate of a property of a node with `label`.
fn predicate(label: &str, key: &str) -> Term {
    let (ns, local) = match (label, key) {
        ("Document", "title") => (SCHEMA, "headline"),
        ("Document", "id") => (SCHEMA, "identifier"),
        ("Document", "published") => (SCHEMA, "datePublished"),
        ("Document", "url") => (SCHEMA, "url"),
        ("Document", "text") => (SCHEMA, "text"),
        ("Event", "title") | (_, "name") => (SCHEMA, "name"),
        ("Event", "date") => (SCHEMA, "startDate"),
        (_, "aliases") => (SCHEMA, "alternateName"),
        _ => (CG, key),
    };
    iri(ns, local)
}

fn provenance(
    g: &Graph,
    subject: &Term,
    prov: &[Evidence],
    blank: &mut u64,
    emit: &mut dyn FnMut(&Term, &Term, &Term) -> io::Result<()>,
) -> io::Result<()> {
    let mut docs: Vec<u32> = prov.iter().map(|e| e.doc).collect();
    docs.dedup();
    for d in docs {
        emit(subject, &iri(PROV, "wasDerivedFrom"), &node(g, d))?;
    }
    for e in prov {
        *blank += 1;
        let b = Term::Blank(format!("ev{blank}"));
        emit(subject, &iri(CG, "evidence"), &b)?;
        emit(&b, &iri(RDF, "type"), &iri(CG, "Evidence"))?;
        emit(&b, &iri(CG, "document"), &node(g, e.doc))?;
        for (k, v) in [("start", e.start), ("end", e.end)] {
            emit(&b, &iri(CG, k), &literal(&Value::Int(v as i64))[0])?;
        }
    }
    Ok(())
}

/// Produces the triples of the selection, grouped by subject, through `emit`.
pub fn triples(
    g: &Graph,
    sel: &Selection,
    emit: &mut dyn FnMut(&Term, &Term, &Term) -> io::Result<()>,
) -> io::Result<()> {
    let a = iri(RDF, "type");
    let mut blank = 0u64;
    for n in sel.node_recs(g) {
        let s = node(g, n.id);
        let label = label_name(g, n);
        emit(&s, &a, &iri(CG, label))?;
        if let Some((ns, c)) = class_of(label) {
            emit(&s, &a, &iri(ns, c))?;
        }
        if label == "Document" {
            emit(&s, &a, &iri(PROV, "Entity"))?;
        }
        emit(&s, &iri(RDFS, "label"), &Term::Literal(caption(g, n), None))?;
        for (k, v) in named_props(g, &n.props) {
            let p = predicate(label, k);
            for o in literal(v) {
                emit(&s, &p, &o)?;
            }
        }
        provenance(g, &s, &n.prov, &mut blank, emit)?;
    }
    for e in sel.edge_recs(g) {
        let (src, dst) = (node(g, e.src), node(g, e.dst));
        let p = iri(CG, type_name(g, e.ty));
        emit(&src, &p, &dst)?;
        let s = iri(EDGE, &encode_id(&g.edge_id_text(e.id)));
        emit(&s, &a, &iri(RDF, "Statement"))?;
        emit(&s, &a, &iri(CG, "Relationship"))?;
        emit(&s, &iri(RDF, "subject"), &src)?;
        emit(&s, &iri(RDF, "predicate"), &p)?;
        emit(&s, &iri(RDF, "object"), &dst)?;
        for (k, v) in named_props(g, &e.attrs.props) {
            for o in literal(v) {
                emit(&s, &iri(CG, k), &o)?;
            }
        }
        provenance(g, &s, &e.attrs.prov, &mut blank, emit)?;
    }
    Ok(())
}

/// Writes a literal's lexical form as a quoted N-Triples/Turtle string: `\`, `"` and
/// line breaks escaped, other control characters as `\uXXXX`.
pub fn write_quoted(w: &mut dyn io::Write, s: &str) -> io::Result<()> {
    super::write_escaped(w, s, b"\"", |c| match c {
        '\\' => Some("\\\\".into()),
        '"' => Some("\\\"".into()),
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        c if c.is_control() => Some(format!("\\u{:04X}", c as u32).into()),
        _ => None,
    })
}
