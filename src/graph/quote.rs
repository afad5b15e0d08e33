//! Evidence quoted from its document: the sentence around a span, which `explain`, the
//! exports, the `sources()` function and the server show beside a fact.

use super::{Evidence, Graph};
use crate::value::Value;

/// A piece of evidence quoted from its document: the sentence around the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The Document node's id text.
    pub doc: String,
    /// The document's title, or its `id` property.
    pub title: String,
    /// The sentence text before the span.
    pub before: String,
    /// The span itself.
    pub span: String,
    /// The sentence text after the span.
    pub after: String,
}

/// Quotes the sentence (or line) that holds an evidence span; `None` when the document
/// or its text is missing.
pub fn quote(g: &Graph, ev: &Evidence) -> Option<Quote> {
    let d = g.node_by_id(ev.doc)?;
    let s = g.schema();
    let text = s
        .key("text")
        .and_then(|k| Graph::prop(&d.props, k))
        .and_then(Value::as_str)?;
    let title = ["title", "id"]
        .iter()
        .filter_map(|k| s.key(k).and_then(|k| Graph::prop(&d.props, k)))
        .find_map(Value::as_str)
        .unwrap_or("")
        .to_string();
    let chars: Vec<char> = text.chars().collect();
    let e = (ev.end as usize).min(chars.len());
    let st = (ev.start as usize).min(e);
    let mut a = st;
    while a > 0
        && chars[a - 1] != '\n'
        && !(chars[a - 1] == ' ' && a >= 2 && matches!(chars[a - 2], '.' | '!' | '?'))
    {
        a -= 1;
    }
    let mut b = e;
    while b < chars.len()
        && chars[b] != '\n'
        && !(matches!(chars[b], '.' | '!' | '?')
            && chars.get(b + 1).is_none_or(|c| c.is_whitespace()))
    {
        b += 1;
    }
    let b = (b + 1).min(chars.len()).max(e);
    let piece = |x: usize, y: usize| chars[x..y].iter().collect::<String>();
    Some(Quote {
        doc: g.node_id_text(ev.doc),
        title,
        before: piece(a, st),
        span: piece(st, e),
        after: piece(e, b),
    })
}
