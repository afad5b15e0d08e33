//! Names as analysts type them: when a statement that compares a node's name with a
//! string (`{name: '…'}`, `n.name = '…'`, `fold(n.name) = '…'`) returns no row, and no
//! node has that name as written but some do once folded ("Luong Tam Quang" for
//! "Lương Tam Quang"), a warning says so and shows the comparison that matches.
//!
//! The planner records the comparisons ([`NameProbe`]); [`notices`] asks the name index
//! once per comparison, only after a result came back empty.

use crate::cypher::{quote_string, Location};
use crate::fold::fold;
use crate::graph::Graph;
use crate::schema::LabelId;
use crate::value::Value;

/// How every name warning begins (front ends that classify warnings look for it).
pub const NAME_NOTICE: &str = "name as written matches no node";

/// A comparison of a node's name with a string, as the planner found it.
#[derive(Debug, Clone)]
pub struct NameProbe {
    /// The variable as written (`None` for an anonymous node).
    pub var: Option<String>,
    /// The node's label, when the pattern gives one (else every label keyed by `key`).
    pub label: Option<LabelId>,
    /// The property key as written (`name`).
    pub key: String,
    /// The string compared with.
    pub value: String,
    /// The value as written: a quoted literal or `$param`.
    pub written: String,
    /// Whether the comparison was `fold(x.key) = …` (else exact equality).
    pub folded: bool,
    /// Where the key is written.
    pub location: Location,
}

/// At most this many names are quoted in a warning.
const MAX_NAMES: usize = 3;

/// The warnings for the probes of a statement whose result is empty: one per probe
/// whose value no node has as written but some have once folded.
pub fn notices(g: &Graph, probes: &[NameProbe]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in probes {
        if let Some(w) = notice(g, p) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

fn notice(g: &Graph, p: &NameProbe) -> Option<String> {
    let schema = g.schema();
    let key = schema.key(&p.key)?;
    let labels: Vec<LabelId> = match p.label {
        Some(l) => vec![l],
        None => (0..schema.labels().len() as LabelId).collect(),
    };
    // The value folded once; the name index folds it once per label.
    let folded_value = fold(&p.value);
    // The names of the index's candidates: (name, whether it equals the value folded).
    let mut names: Vec<(String, bool)> = Vec::new();
    for l in labels {
        if schema.labels()[l as usize].key != Some(key) {
            continue;
        }
        for ix in g.find_by_name(l, &p.value) {
            let rec = &g.petgraph()[ix];
            let Some(name) = Graph::prop(&rec.props, key).and_then(Value::as_str) else {
                continue;
            };
            let same_folded = fold(name) == folded_value;
            // A node that the comparison as written matches: no warning.
            if (!p.folded && name == p.value) || (p.folded && fold(name) == p.value) {
                return None;
            }
            if !names.iter().any(|(n, _)| n == name) {
                names.push((name.to_string(), same_folded));
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let what = match p.label {
        Some(l) => schema.labels()[l as usize].name.clone(),
        None => "node".into(),
    };
    let shown: Vec<String> = names
        .iter()
        .take(MAX_NAMES)
        .map(|(n, _)| quote_string(n))
        .collect();
    let more = match names.len().saturating_sub(MAX_NAMES) {
        0 => String::new(),
        k => format!(" and {k} more"),
    };
    let var = p.var.clone().unwrap_or_else(|| "n".into());
    let pattern = if p.var.is_some() {
        String::new()
    } else {
        // An anonymous node needs a variable for the WHERE form.
        let label = p
            .label
            .map(|l| format!(":{}", schema.labels()[l as usize].name))
            .unwrap_or_default();
        format!("MATCH (n{label}) ")
    };
    let at = if p.location.line == 0 {
        String::new()
    } else {
        format!(" (line {}, column {})", p.location.line, p.location.column)
    };
    let compared = if p.folded {
        format!("fold({var}.{}) = {}", p.key, p.written)
    } else {
        format!("{var}.{} = {}", p.key, p.written)
    };
    let fix = if names.iter().any(|(_, f)| *f) {
        format!(
            "{} has it folded (case and diacritics aside); write {pattern}WHERE fold({var}.{}) = fold({})",
            shown.join(", ") + &more,
            p.key,
            p.written
        )
    } else {
        // Found by an alias, or by spacing and punctuation: the stored name matches.
        format!(
            "{} has it as an alias or with other spacing; write {pattern}WHERE {var}.{} = {}",
            shown.join(", ") + &more,
            p.key,
            quote_string(&names[0].0)
        )
    };
    Some(format!(
        "{NAME_NOTICE}: no {what} has {compared}{at}, but {fix}"
    ))
}
