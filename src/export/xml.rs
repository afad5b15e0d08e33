//! XML escaping shared by the GraphML and GEXF writers.

use super::Selection;
use crate::graph::Graph;
use crate::schema::KeyId;
use crate::value::{Value, ValueType};
use std::io::{self, Write};

/// Writes `s` escaped for XML text or a double-quoted attribute: `& < > " '` become
/// entities, tab, line feed and carriage return become character references (so
/// attribute values keep them), and the control characters XML 1.0 forbids become U+FFFD.
pub fn write_escaped(w: &mut dyn Write, s: &str) -> io::Result<()> {
    super::write_escaped(w, s, b"", |c| match c {
        '&' => Some("&amp;".into()),
        '<' => Some("&lt;".into()),
        '>' => Some("&gt;".into()),
        '"' => Some("&quot;".into()),
        '\'' => Some("&apos;".into()),
        '\n' => Some("&#10;".into()),
        '\r' => Some("&#13;".into()),
        '\t' => Some("&#9;".into()),
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => Some("\u{FFFD}".into()),
        _ => None,
    })
}

/// `s` escaped as by [`write_escaped`] (for tests).
#[cfg(test)]
pub fn escape(s: &str) -> String {
    let mut v = Vec::with_capacity(s.len());
    write_escaped(&mut v, s).expect("writing to a Vec");
    String::from_utf8(v).expect("escaping keeps UTF-8")
}

/// The property keys used by the selected nodes (or edges), in key order, with their
/// declared type (`string` when labels disagree).
pub fn prop_keys(g: &Graph, sel: &Selection, nodes: bool) -> Vec<(KeyId, String, ValueType)> {
    let schema = g.schema();
    let mut keys: std::collections::BTreeMap<KeyId, ValueType> = Default::default();
    let mut add = |defs: &[crate::schema::PropDef]| {
        for d in defs {
            let t = keys.entry(d.key).or_insert(d.ty);
            if *t != d.ty {
                *t = ValueType::String;
            }
        }
    };
    if nodes {
        let mut seen = vec![false; schema.labels().len()];
        for n in sel.node_recs(g) {
            if !std::mem::replace(&mut seen[n.label as usize], true) {
                add(&schema.labels()[n.label as usize].props);
            }
        }
    } else {
        let mut seen = vec![false; schema.rel_types().len()];
        for e in sel.edge_recs(g) {
            if !std::mem::replace(&mut seen[e.ty as usize], true) {
                add(&schema.rel_types()[e.ty as usize].props);
            }
        }
    }
    keys.into_iter()
        .map(|(k, t)| (k, schema.key_name(k).to_string(), t))
        .collect()
}

/// A value as attribute text: lists as a JSON array (`["a","b"]`), dates as
/// `YYYY-MM-DD`, other scalars as written in Rust.
pub fn text_value(v: &Value) -> String {
    match v {
        Value::List(_) => {
            let mut out = Vec::new();
            super::json::write_value(&mut out, v).expect("writing to a Vec");
            String::from_utf8(out).expect("JSON is UTF-8")
        }
        Value::Float(f) => format!("{f:?}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn specials_and_controls_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c'\nd\u{1}é"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;d\u{FFFD}é"
        );
    }
}
