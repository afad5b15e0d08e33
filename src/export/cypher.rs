//! A Cypher script of `CREATE` statements, for loading a small graph into Neo4j,
//! Memgraph or Neptune (`cypher-shell < graph.cypher`). Each node keeps its coopgraph id
//! in `_id`; each relationship is created by matching its two ends by label and `_id`.
//! For large graphs use the CSV export and a bulk loader (docs/scaling-out.md).

use super::{label_name, named_props, type_name, Selection};
use crate::graph::Graph;
use crate::value::Value;
use std::io::{self, Write};

/// Writes `s` as a single-quoted Cypher string literal: backslash, quote and control
/// characters escaped; other characters (any script) as they are.
pub fn write_string(w: &mut dyn Write, s: &str) -> io::Result<()> {
    super::write_escaped(w, s, b"'", |c| match c {
        '\\' => Some("\\\\".into()),
        '\'' => Some("\\'".into()),
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
            Some(format!("\\u{:04X}", c as u32).into())
        }
        _ => None,
    })
}

/// Writes a value as a Cypher literal: dates as `date('YYYY-MM-DD')`, lists as `[…]`,
/// floats always with a decimal point or exponent.
pub fn write_value(w: &mut dyn Write, v: &Value) -> io::Result<()> {
    match v {
        Value::Bool(b) => write!(w, "{b}"),
        Value::Int(i) => write!(w, "{i}"),
        Value::Float(f) if f.is_finite() => write!(w, "{f:?}"),
        Value::Float(_) => w.write_all(b"null"),
        Value::Str(s) => write_string(w, s),
        Value::Date(d) => write!(w, "date('{}')", d.format("%Y-%m-%d")),
        Value::List(l) => {
            w.write_all(b"[")?;
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    w.write_all(b", ")?;
                }
                write_value(w, x)?;
            }
            w.write_all(b"]")
        }
    }
}

fn write_map<'a>(
    w: &mut dyn Write,
    id: &str,
    props: impl Iterator<Item = (&'a str, &'a Value)>,
) -> io::Result<()> {
    w.write_all(b"{_id: ")?;
    write_string(w, id)?;
    for (k, v) in props {
        write!(w, ", `{}`: ", k.replace('`', "``"))?;
        write_value(w, v)?;
    }
    w.write_all(b"}")
}

/// Writes the selection as a Cypher script: one `CREATE` per node, then one
/// `MATCH … CREATE` per relationship, each statement ending with `;`.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    writeln!(
        w,
        "// coopgraph export: {} nodes, {} relationships; node and relationship ids in _id",
        sel.nodes.len(),
        sel.edges.len()
    )?;
    for n in sel.node_recs(g) {
        write!(w, "CREATE (:`{}` ", label_name(g, n))?;
        write_map(w, &g.node_id_text(n.id), named_props(g, &n.props))?;
        w.write_all(b");\n")?;
    }
    for e in sel.edge_recs(g) {
        let (Some(a), Some(b)) = (g.node_by_id(e.src), g.node_by_id(e.dst)) else {
            continue;
        };
        write!(w, "MATCH (a:`{}` {{_id: ", label_name(g, a))?;
        write_string(w, &g.node_id_text(e.src))?;
        write!(w, "}}), (b:`{}` {{_id: ", label_name(g, b))?;
        write_string(w, &g.node_id_text(e.dst))?;
        write!(w, "}}) CREATE (a)-[:`{}` ", type_name(g, e.ty))?;
        write_map(w, &g.edge_id_text(e.id), named_props(g, &e.attrs.props))?;
        w.write_all(b"]->(b);\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::write_string;
    use crate::cypher::tokenizer::{tokenize, Token};

    #[test]
    fn string_literals_read_back_through_the_cypher_tokenizer() {
        for s in [
            "plain",
            "it's \"quoted\"",
            "back\\slash\nnew line\ttab\r\u{1}",
            "Lương Tam Quang — Việt Nam",
            "'); MATCH (n) DETACH DELETE n; //",
            "</script><script>alert(1)</script>",
        ] {
            let mut v = Vec::new();
            write_string(&mut v, s).unwrap();
            let text = String::from_utf8(v).unwrap();
            let toks = tokenize(&text).unwrap();
            assert_eq!(toks[0].token, Token::String(s.to_string()), "{text}");
            assert!(
                toks.len() == 1 || matches!(toks[1].token, Token::Eof),
                "one token for {text}"
            );
        }
    }
}
