//! The words the shell completes: labels, relationship types, property keys and the
//! names of a graph's nodes. The server sends them to a shell whose database it holds.

use crate::fold::fold;
use crate::graph::Graph;
use crate::schema::LabelId;
use serde_json::{json, Value as J};
use std::sync::Arc;

/// A name or alias: folded, as written, the node's own name, the node's label.
pub(crate) type NameEntry = (String, String, Arc<str>, LabelId);

/// The words the completer offers, taken from a graph: refreshed when the database
/// changes (`:open`, `:ingest`).
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// The labels.
    pub labels: Vec<String>,
    /// The relationship types.
    pub rel_types: Vec<String>,
    /// The property keys.
    pub keys: Vec<String>,
    /// Every name and alias: folded, as written, the node's own name (its label's key
    /// property, which `{name: …}` matches) and its label; sorted.
    pub(crate) names: Vec<NameEntry>,
    /// Parameter names set with `:param`.
    pub params: Vec<String>,
}

impl Vocabulary {
    /// The labels, relationship types and property keys of `g`'s schema and the names
    /// and aliases of its nodes.
    pub fn of(g: &Graph) -> Vocabulary {
        let schema = g.schema();
        let mut names: Vec<NameEntry> = Vec::new();
        for n in g.petgraph().node_weights() {
            let mut all = g.names_of(n);
            let Some(first) = all.next() else { continue };
            let own: Arc<str> = Arc::from(first);
            for written in std::iter::once(first).chain(all) {
                names.push((
                    fold(written),
                    written.to_string(),
                    Arc::clone(&own),
                    n.label,
                ));
            }
        }
        names.sort_unstable();
        names.dedup();
        Vocabulary {
            labels: schema.labels().iter().map(|l| l.name.clone()).collect(),
            rel_types: schema.rel_types().iter().map(|r| r.name.clone()).collect(),
            keys: schema.keys().to_vec(),
            names,
            params: Vec::new(),
        }
    }

    /// Nodes (with `label`, when given) with a name or alias whose folded form starts
    /// with the folded `prefix`, so "Luong" finds "Lương"; when there are none, with a
    /// later word starting so ("Quang" finds "Lương Tam Quang"). Gives each node's own
    /// name once, with the alias that matched when another, at most `limit`.
    pub fn names_matching<'s>(
        &'s self,
        prefix: &str,
        label: Option<&str>,
        limit: usize,
    ) -> Vec<(&'s str, Option<&'s str>)> {
        let key = fold(prefix);
        let label = label.and_then(|l| self.labels.iter().position(|x| x == l));
        let fits = |l: LabelId| label.is_none_or(|want| usize::from(l) == want);
        let mut out: Vec<(&'s str, Option<&'s str>)> = Vec::new();
        let push = |e: &'s NameEntry, out: &mut Vec<(&'s str, Option<&'s str>)>| -> bool {
            let own: &str = &e.2;
            if !out.iter().any(|(o, _)| *o == own) {
                out.push((own, (e.1 != own).then_some(e.1.as_str())));
            }
            out.len() < limit
        };
        let from = self.names.partition_point(|e| e.0.as_str() < key.as_str());
        for e in &self.names[from..] {
            if !e.0.starts_with(&key) {
                break;
            }
            if fits(e.3) && !push(e, &mut out) {
                return out;
            }
        }
        if out.is_empty() && !key.is_empty() {
            let inner = format!(" {key}");
            for e in &self.names {
                if fits(e.3) && e.0.contains(&inner) && !push(e, &mut out) {
                    break;
                }
            }
        }
        out
    }
}

impl Vocabulary {
    /// How many names and aliases there are.
    pub fn names_len(&self) -> usize {
        self.names.len()
    }

    /// The vocabulary without the names (labels, types and keys only).
    pub fn without_names(mut self) -> Vocabulary {
        self.names = Vec::new();
        self
    }

    /// The vocabulary (without the parameters) as JSON.
    pub fn to_json(&self) -> J {
        json!({
            "labels": self.labels,
            "rel_types": self.rel_types,
            "keys": self.keys,
            "names": self.names.iter().map(|(f, w, own, l)| json!([f, w, &**own, l])).collect::<Vec<_>>(),
        })
    }

    /// A vocabulary from [`Vocabulary::to_json`]'s JSON (what does not fit is left out).
    pub fn from_json(v: &J) -> Vocabulary {
        let strings = |k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut owns: std::collections::HashMap<String, Arc<str>> = Default::default();
        let names = v["names"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        let s = |i: usize| e[i].as_str().map(str::to_string);
                        let own = s(2)?;
                        let own =
                            Arc::clone(owns.entry(own.clone()).or_insert_with(|| Arc::from(own)));
                        Some((s(0)?, s(1)?, own, LabelId::try_from(e[3].as_u64()?).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Vocabulary {
            labels: strings("labels"),
            rel_types: strings("rel_types"),
            keys: strings("keys"),
            names,
            params: Vec::new(),
        }
    }
}
