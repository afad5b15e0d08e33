//! The graph schema: node labels, relationship types, their typed properties and
//! allowed endpoints, read from graph-schema/schema.toml.

use crate::value::{Value, ValueType};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The schema file shipped with coopgraph, embedded at build time.
pub const BUILTIN_SCHEMA: &str = include_str!("../graph-schema/schema.toml");

/// Index of a node label in [`Schema::labels`].
pub type LabelId = u16;
/// Index of a relationship type in [`Schema::rel_types`].
pub type RelTypeId = u16;
/// Index of a property key in [`Schema::keys`].
pub type KeyId = u16;

/// A property declared on a label or relationship type.
#[derive(Debug, Clone)]
pub struct PropDef {
    /// The property key.
    pub name: String,
    /// Its global key id.
    pub key: KeyId,
    /// Its declared type.
    pub ty: ValueType,
    /// Whether every node or edge must have it.
    pub required: bool,
    /// The usual values (documentation and ingest vocabulary; others are allowed).
    pub values: Vec<String>,
}

/// A node label.
#[derive(Debug, Clone)]
pub struct LabelDef {
    /// The label name, e.g. `Country`.
    pub name: String,
    /// One sentence on what the label is for.
    pub doc: String,
    /// The property that names a node of this label (used for merging), if any.
    pub key: Option<KeyId>,
    /// The declared properties.
    pub props: Vec<PropDef>,
}

/// A relationship type.
#[derive(Debug, Clone)]
pub struct RelDef {
    /// The type name, e.g. `PARTICIPATED_IN`.
    pub name: String,
    /// One sentence on what the type means.
    pub doc: String,
    /// Labels allowed at the source end.
    pub from: Vec<LabelId>,
    /// Labels allowed at the target end.
    pub to: Vec<LabelId>,
    /// The declared properties.
    pub props: Vec<PropDef>,
}

/// Something a write or a schema file got wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The schema file is not valid TOML or has the wrong shape.
    #[error("schema file, line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The schema file is well-formed but inconsistent.
    #[error("schema file: {0}")]
    Invalid(String),
    /// A node label that the schema does not declare.
    #[error("unknown label :{label}{}", suggest(.suggestion))]
    UnknownLabel {
        /// The label written.
        label: String,
        /// The closest declared label.
        suggestion: Option<String>,
    },
    /// A relationship type that the schema does not declare.
    #[error("unknown relationship type :{rel}{}", suggest(.suggestion))]
    UnknownRelType {
        /// The type written.
        rel: String,
        /// The closest declared type.
        suggestion: Option<String>,
    },
    /// A property key not declared for that label or type.
    #[error("unknown property {key} on {owner}{}", suggest(.suggestion))]
    UnknownProperty {
        /// The label or relationship type.
        owner: String,
        /// The key written.
        key: String,
        /// The closest declared key.
        suggestion: Option<String>,
    },
    /// A property value of the wrong type.
    #[error("property {owner}.{key} must be {expected}, found {found}")]
    WrongType {
        /// The label or relationship type.
        owner: String,
        /// The key.
        key: String,
        /// The declared type.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A required property is missing.
    #[error("{owner} requires property {key}")]
    MissingProperty {
        /// The label or relationship type.
        owner: String,
        /// The missing key.
        key: String,
    },
    /// An edge between labels its type does not allow.
    #[error("relationship (:{from})-[:{rel}]->(:{to}) is not allowed; {rel} goes from {allowed_from} to {allowed_to}")]
    BadEndpoints {
        /// The relationship type.
        rel: String,
        /// The source label.
        from: String,
        /// The target label.
        to: String,
        /// The allowed source labels, `|`-separated.
        allowed_from: String,
        /// The allowed target labels, `|`-separated.
        allowed_to: String,
    },
}

fn suggest(s: &Option<String>) -> String {
    match s {
        Some(s) => format!(" (did you mean {s}?)"),
        None => String::new(),
    }
}

/// Returns the candidate closest to `word` when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lw = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lw, &c.to_lowercase());
        if score > best.map_or(0.0, |b| b.0) {
            best = Some((score, c));
        }
    }
    best.filter(|b| b.0 >= 0.8).map(|b| b.1.to_string())
}

/// The whole schema, with lookups by name.
#[derive(Debug, Clone)]
pub struct Schema {
    labels: Vec<LabelDef>,
    rels: Vec<RelDef>,
    keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    format: u32,
    #[serde(default)]
    labels: BTreeMap<String, RawLabel>,
    #[serde(default)]
    relationships: BTreeMap<String, RawRel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    #[serde(default)]
    doc: String,
    key: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, RawProp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRel {
    #[serde(default)]
    doc: String,
    from: Vec<String>,
    to: Vec<String>,
    #[serde(default)]
    properties: BTreeMap<String, RawProp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProp {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    values: Vec<String>,
}

impl Schema {
    /// The schema shipped in graph-schema/schema.toml.
    pub fn builtin() -> Schema {
        Schema::parse(BUILTIN_SCHEMA)
            .expect("the embedded graph-schema/schema.toml is valid (tested)")
    }

    /// Parses a schema file's text.
    pub fn parse(text: &str) -> Result<Schema, SchemaError> {
        let raw: RawSchema = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            SchemaError::Syntax {
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        if raw.format != 1 {
            return Err(SchemaError::Invalid(format!(
                "format {} is not supported (expected 1)",
                raw.format
            )));
        }
        // Keys are numbered in alphabetical order, so that properties kept sorted by key
        // number are also sorted by name, whatever the schema adds later.
        let mut keys: Vec<String> = raw
            .labels
            .values()
            .flat_map(|l| l.properties.keys())
            .chain(raw.relationships.values().flat_map(|r| r.properties.keys()))
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        let key_of = |name: &str| -> KeyId {
            keys.binary_search_by(|k| k.as_str().cmp(name))
                .expect("every key was collected") as KeyId
        };
        let props_of =
            |owner: &str, raw: BTreeMap<String, RawProp>| -> Result<Vec<PropDef>, SchemaError> {
                raw.into_iter()
                    .map(|(name, p)| {
                        let ty = ValueType::parse(&p.ty).ok_or_else(|| {
                            SchemaError::Invalid(format!("{owner}.{name}: unknown type {:?}", p.ty))
                        })?;
                        Ok(PropDef {
                            key: key_of(&name),
                            name,
                            ty,
                            required: p.required,
                            values: p.values,
                        })
                    })
                    .collect()
            };
        let mut labels = Vec::new();
        for (name, l) in raw.labels {
            let props = props_of(&name, l.properties)?;
            let key = match &l.key {
                Some(k) => Some(
                    props
                        .iter()
                        .find(|p| &p.name == k)
                        .map(|p| p.key)
                        .ok_or_else(|| {
                            SchemaError::Invalid(format!(
                                "{name}: key {k} is not one of its properties"
                            ))
                        })?,
                ),
                None => None,
            };
            labels.push(LabelDef {
                name,
                doc: l.doc,
                key,
                props,
            });
        }
        let label_id =
            |labels: &[LabelDef], owner: &str, n: &str| -> Result<LabelId, SchemaError> {
                labels
                    .iter()
                    .position(|l| l.name == n)
                    .map(|i| i as LabelId)
                    .ok_or_else(|| {
                        SchemaError::Invalid(format!("{owner}: endpoint label {n} is not declared"))
                    })
            };
        let mut rels = Vec::new();
        for (name, r) in raw.relationships {
            let from = r
                .from
                .iter()
                .map(|n| label_id(&labels, &name, n))
                .collect::<Result<_, _>>()?;
            let to =
                r.to.iter()
                    .map(|n| label_id(&labels, &name, n))
                    .collect::<Result<_, _>>()?;
            let props = props_of(&name, r.properties)?;
            rels.push(RelDef {
                name,
                doc: r.doc,
                from,
                to,
                props,
            });
        }
        if labels.len() >= u16::MAX as usize || rels.len() >= u16::MAX as usize {
            return Err(SchemaError::Invalid(
                "too many labels or relationship types".into(),
            ));
        }
        Ok(Schema { labels, rels, keys })
    }

    /// All labels, indexed by [`LabelId`].
    pub fn labels(&self) -> &[LabelDef] {
        &self.labels
    }

    /// All relationship types, indexed by [`RelTypeId`].
    pub fn rel_types(&self) -> &[RelDef] {
        &self.rels
    }

    /// All property keys, indexed by [`KeyId`].
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The label with this name, or an error with a suggestion.
    pub fn label(&self, name: &str) -> Result<LabelId, SchemaError> {
        self.labels
            .iter()
            .position(|l| l.name == name)
            .map(|i| i as LabelId)
            .ok_or_else(|| SchemaError::UnknownLabel {
                label: name.to_string(),
                suggestion: did_you_mean(name, self.labels.iter().map(|l| l.name.as_str())),
            })
    }

    /// The relationship type with this name, or an error with a suggestion.
    pub fn rel_type(&self, name: &str) -> Result<RelTypeId, SchemaError> {
        self.rels
            .iter()
            .position(|r| r.name == name)
            .map(|i| i as RelTypeId)
            .ok_or_else(|| SchemaError::UnknownRelType {
                rel: name.to_string(),
                suggestion: did_you_mean(name, self.rels.iter().map(|r| r.name.as_str())),
            })
    }

    /// The key id of a property name, if any label or type declares it.
    pub fn key(&self, name: &str) -> Option<KeyId> {
        self.keys.iter().position(|k| k == name).map(|i| i as KeyId)
    }

    /// The name of a key id.
    pub fn key_name(&self, key: KeyId) -> &str {
        &self.keys[key as usize]
    }

    /// The declaration of property `name` on a label, or an error with a suggestion.
    pub fn node_prop(&self, label: LabelId, name: &str) -> Result<&PropDef, SchemaError> {
        let l = &self.labels[label as usize];
        find_prop(&l.name, &l.props, name)
    }

    /// The declaration of property `name` on a relationship type, or an error with a suggestion.
    pub fn rel_prop(&self, rel: RelTypeId, name: &str) -> Result<&PropDef, SchemaError> {
        let r = &self.rels[rel as usize];
        find_prop(&r.name, &r.props, name)
    }

    /// Checks a node's properties (sorted by key, no duplicates) against its label.
    pub fn check_node(&self, label: LabelId, props: &[(KeyId, Value)]) -> Result<(), SchemaError> {
        let l = &self.labels[label as usize];
        check_props(self, &l.name, &l.props, props)
    }

    /// Checks an edge's endpoints and properties against its type.
    pub fn check_edge(
        &self,
        rel: RelTypeId,
        from: LabelId,
        to: LabelId,
        props: &[(KeyId, Value)],
    ) -> Result<(), SchemaError> {
        let r = &self.rels[rel as usize];
        if !r.from.contains(&from) || !r.to.contains(&to) {
            let names = |ls: &[LabelId]| {
                ls.iter()
                    .map(|&l| self.labels[l as usize].name.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            };
            return Err(SchemaError::BadEndpoints {
                rel: r.name.clone(),
                from: self.labels[from as usize].name.clone(),
                to: self.labels[to as usize].name.clone(),
                allowed_from: names(&r.from),
                allowed_to: names(&r.to),
            });
        }
        check_props(self, &r.name, &r.props, props)
    }
}

fn find_prop<'a>(owner: &str, defs: &'a [PropDef], name: &str) -> Result<&'a PropDef, SchemaError> {
    defs.iter()
        .find(|p| p.name == name)
        .ok_or_else(|| SchemaError::UnknownProperty {
            owner: owner.to_string(),
            key: name.to_string(),
            suggestion: did_you_mean(name, defs.iter().map(|p| p.name.as_str())),
        })
}

fn check_props(
    schema: &Schema,
    owner: &str,
    defs: &[PropDef],
    props: &[(KeyId, Value)],
) -> Result<(), SchemaError> {
    for (k, v) in props {
        let Some(def) = defs.iter().find(|d| d.key == *k) else {
            let key = schema
                .keys
                .get(*k as usize)
                .cloned()
                .unwrap_or_else(|| format!("#{k}"));
            return Err(SchemaError::UnknownProperty {
                owner: owner.to_string(),
                suggestion: did_you_mean(&key, defs.iter().map(|p| p.name.as_str())),
                key,
            });
        };
        if !def.ty.admits(v) {
            return Err(SchemaError::WrongType {
                owner: owner.to_string(),
                key: def.name.clone(),
                expected: def.ty.name(),
                found: v.kind_name().to_string(),
            });
        }
    }
    for d in defs.iter().filter(|d| d.required) {
        if !props.iter().any(|(k, _)| *k == d.key) {
            return Err(SchemaError::MissingProperty {
                owner: owner.to_string(),
                key: d.name.clone(),
            });
        }
    }
    Ok(())
}

/// Converts a byte offset into a 1-based (line, column) pair, counting columns in characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl fmt::Display for LabelDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(:{}", self.name)?;
        write_props(f, &self.props)?;
        f.write_str(")")
    }
}

impl LabelDef {
    /// The declaration of a property by key id.
    pub fn prop(&self, key: KeyId) -> Option<&PropDef> {
        self.props.iter().find(|p| p.key == key)
    }
}

impl RelDef {
    /// The declaration of a property by key id.
    pub fn prop(&self, key: KeyId) -> Option<&PropDef> {
        self.props.iter().find(|p| p.key == key)
    }
}

fn write_props(f: &mut fmt::Formatter<'_>, props: &[PropDef]) -> fmt::Result {
    if props.is_empty() {
        return Ok(());
    }
    f.write_str(" {")?;
    for (i, p) in props.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(
            f,
            "{}: {}{}",
            p.name,
            p.ty.name(),
            if p.required { "!" } else { "" }
        )?;
    }
    f.write_str("}")
}

impl Schema {
    /// A human-readable listing of labels and relationship types, for `coopgraph schema`.
    pub fn describe(&self) -> String {
        use std::fmt::Write;
        let mut s = String::from("Node labels:\n");
        for l in &self.labels {
            let _ = writeln!(s, "  {l}\n      {}", l.doc);
        }
        s.push_str("\nRelationship types:\n");
        for r in &self.rels {
            let names = |ls: &[LabelId]| {
                ls.iter()
                    .map(|&l| self.labels[l as usize].name.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            };
            let props = if r.props.is_empty() {
                String::new()
            } else {
                let p: Vec<String> = r
                    .props
                    .iter()
                    .map(|p| format!("{}: {}", p.name, p.ty.name()))
                    .collect();
                format!(" {{{}}}", p.join(", "))
            };
            let _ = writeln!(
                s,
                "  ({})-[:{}{}]->({})\n      {}",
                names(&r.from),
                r.name,
                props,
                names(&r.to),
                r.doc
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_declares_the_public_names() {
        let s = Schema::builtin();
        for l in [
            "Country",
            "Organization",
            "Person",
            "Event",
            "Agreement",
            "Topic",
            "Place",
            "Document",
        ] {
            s.label(l).unwrap();
        }
        for r in [
            "OF",
            "MEMBER_OF",
            "PARTICIPATED_IN",
            "ABOUT",
            "HELD_IN",
            "IN",
            "PRODUCED",
            "PARTY_TO",
            "BROADER",
        ] {
            s.rel_type(r).unwrap();
        }
        let c = s.label("Country").unwrap();
        assert_eq!(s.node_prop(c, "aliases").unwrap().ty, ValueType::StringList);
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let s = Schema::builtin();
        let e = s.label("Contry").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown label :Contry (did you mean Country?)"
        );
        let e = s.rel_type("PARTICIPATED").unwrap_err();
        assert!(
            e.to_string().contains("did you mean PARTICIPATED_IN"),
            "{e}"
        );
    }

    #[test]
    fn edges_between_wrong_labels_are_refused() {
        let s = Schema::builtin();
        let of = s.rel_type("OF").unwrap();
        let e = s
            .check_edge(
                of,
                s.label("Event").unwrap(),
                s.label("Country").unwrap(),
                &[],
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "relationship (:Event)-[:OF]->(:Country) is not allowed; OF goes from Organization|Person to Country"
        );
    }

    #[test]
    fn wrong_property_types_are_refused() {
        let s = Schema::builtin();
        let ev = s.label("Event").unwrap();
        let date = s.key("date").unwrap();
        let e = s
            .check_node(ev, &[(date, Value::str("yesterday"))])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "property Event.date must be date, found string"
        );
        let c = s.label("Country").unwrap();
        assert!(matches!(
            s.check_node(c, &[]),
            Err(SchemaError::MissingProperty { .. })
        ));
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let e = Schema::parse("format = 1\n[labels.X\n").unwrap_err();
        assert!(matches!(e, SchemaError::Syntax { line: 2, .. }), "{e:?}");
    }
}
