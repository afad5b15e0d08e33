//! `coopgraph explain`: the report behind a node or edge — what it is, its date ("undated"
//! when none), the merge that made it ("merged from 002 and 004: same name …"), the source
//! sentences of its evidence, and its edges. Built as text; the front end prints it.

use super::{merges, node_str};
use crate::graph::{Evidence, Graph};
use crate::value::Value;
use petgraph::visit::EdgeRef;
use std::fmt::Write;

/// Why there is nothing to explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// No node or edge has this id, and no node this name.
    #[error("no node or edge {0:?}; give an id such as n12 or e7, or a name")]
    NotFound(String),
}

/// The sentence around a span of `text`, with the span in «».
pub fn quote(text: &str, ev: &Evidence) -> String {
    let chars: Vec<char> = text.chars().collect();
    let e = (ev.end as usize).min(chars.len());
    let s = (ev.start as usize).min(e);
    let (a, b) = crate::graph::sentence_around(&chars, s, e);
    let piece = |x: usize, y: usize| chars[x..y].iter().collect::<String>();
    format!("{}«{}»{}", piece(a, s), piece(s, e), piece(e, b))
}

fn evidence_lines(out: &mut String, g: &Graph, prov: &[Evidence]) {
    if prov.is_empty() {
        let _ = writeln!(out, "  (no evidence recorded)");
    }
    for ev in prov {
        let Some(d) = g.node_by_id(ev.doc) else {
            let _ = writeln!(
                out,
                "  [document {} missing] {}..{}",
                ev.doc, ev.start, ev.end
            );
            continue;
        };
        let id = node_str(g, d, "id").unwrap_or("?");
        let _ = match node_str(g, d, "text") {
            Some(text) => writeln!(
                out,
                "  [{id} {}..{}] {}",
                ev.start,
                ev.end,
                quote(text, ev).trim()
            ),
            None => writeln!(out, "  [{id} {}..{}]", ev.start, ev.end),
        };
    }
}

fn describe(g: &Graph, id: u32) -> String {
    g.node_by_id(id)
        .map(|n| {
            let label = &g.schema().labels()[n.label as usize].name;
            let name = g.names_of(n).next().unwrap_or("");
            format!("({}:{label} {name:?})", g.node_id_text(id))
        })
        .unwrap_or_else(|| g.node_id_text(id))
}

/// The date line of an Event or Agreement: "date: 2025-10-26 (day; resolved against the
/// publication date)", "date: --03-31 (month and day written, no year known)", or "undated".
fn date_line(g: &Graph, id: u32) -> Option<String> {
    let n = g.node_by_id(id)?;
    let label = &g.schema().labels()[n.label as usize];
    let date_key = g.schema().key("date")?;
    label.prop(date_key)?;
    if !matches!(label.name.as_str(), "Event" | "Agreement") {
        return None;
    }
    let basis = node_str(g, n, "date_basis").map(|b| match b {
        "written" => "written in full in the text",
        "publication" => "resolved against the publication date",
        "dateline" => "resolved against the dateline (no publication date)",
        "unresolved" => "unresolved: no article date, year guessed from the text",
        other => other,
    });
    let notes: Vec<&str> = [node_str(g, n, "date_precision"), basis]
        .into_iter()
        .flatten()
        .collect();
    Some(match Graph::prop(&n.props, date_key) {
        Some(Value::Date(d)) if notes.is_empty() => format!("date: {}", d.format("%Y-%m-%d")),
        Some(Value::Date(d)) => format!("date: {} ({})", d.format("%Y-%m-%d"), notes.join("; ")),
        // "March 31" in an article with no year anywhere: the day, not the year.
        _ => match node_str(g, n, "month_day") {
            Some(md) => format!("date: {md} (month and day written, no year known)"),
            None => "undated".to_string(),
        },
    })
}

/// One edge as `(source)-[id:TYPE]->(target)`, each end described.
fn edge_line(g: &Graph, e: &crate::graph::EdgeData) -> String {
    let ty = &g.schema().rel_types()[e.ty as usize].name;
    format!(
        "{}-[{}:{ty}]->{}",
        describe(g, e.src),
        g.edge_id_text(e.id),
        describe(g, e.dst)
    )
}

/// The report on `target`: an edge id, a node id, or a node name (every node so named).
pub fn explain(g: &Graph, target: &str) -> Result<String, ExplainError> {
    let mut out = String::new();
    if let Some(e) = g.edge_ids().lookup(target).and_then(|n| g.edge_by_id(n)) {
        let _ = writeln!(out, "{}", edge_line(g, &e));
        evidence_lines(&mut out, g, &e.attrs.prov);
        return Ok(out);
    }
    let mut nodes: Vec<u32> = Vec::new();
    if let Some(n) = g.node_ids().lookup(target).and_then(|n| g.node_by_id(n)) {
        nodes.push(n.id);
    } else {
        for l in 0..g.schema().labels().len() {
            for ix in g.find_by_name(l as u16, target) {
                if let Some(n) = g.node(ix) {
                    nodes.push(n.id);
                }
            }
        }
    }
    if nodes.is_empty() {
        return Err(ExplainError::NotFound(target.to_string()));
    }
    let merged_from = g.schema().rel_type(merges::MERGED_FROM).ok();
    for id in nodes {
        let _ = writeln!(out, "{}", describe(g, id));
        let Some(n) = g.node_by_id(id) else {
            continue;
        };
        if let Some(d) = date_line(g, id) {
            let _ = writeln!(out, "  {d}");
        }
        if let Some(m) = merges::merged(g, id) {
            let _ = writeln!(out, "  {}", m.describe());
        }
        evidence_lines(&mut out, g, &n.prov);
        let Some(ix) = g.node_index(id) else {
            continue;
        };
        for dir in [petgraph::Direction::Outgoing, petgraph::Direction::Incoming] {
            for er in g.edges(ix, dir) {
                if Some(er.weight().rel_type()) == merged_from {
                    continue; // shown as the merge line
                }
                let Some(e) = g.edge_data(er.id()) else {
                    continue;
                };
                let _ = writeln!(out, "  {}", edge_line(g, &e));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_marks_the_span_in_its_sentence() {
        let t = "First one. The minister met Quang today. Last.";
        let ev = Evidence {
            doc: 0,
            start: 28,
            end: 33,
        };
        assert_eq!(quote(t, &ev), "The minister met «Quang» today.");
        let _ = quote(
            "",
            &Evidence {
                doc: 0,
                start: 5,
                end: 9,
            },
        );
    }
}
