//! Serde support for reading extractions back (`ingest --format extractions`): the
//! property names and relationship types an [`super::Extraction`] holds as `&'static str`
//! are looked up among the built-in schema's names, so an unknown name is an error, not
//! a new string kept for ever.

use crate::schema::Schema;
use serde::{de::Error, Deserialize, Deserializer};
use std::sync::OnceLock;

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(Schema::builtin)
}

/// The built-in schema's spelling of property name `name`, if it has one.
fn property_name(name: &str) -> Option<&'static str> {
    schema()
        .keys()
        .iter()
        .find(|k| k.as_str() == name)
        .map(String::as_str)
}

/// Reads a relationship type of the built-in schema.
pub(super) fn relationship_type<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let name = String::deserialize(d)?;
    schema()
        .rel_types()
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.name.as_str())
        .ok_or_else(|| D::Error::custom(format!("unknown relationship type {name:?}")))
}

/// Reads `[[name, value], …]` whose names are property names of the built-in schema.
pub(super) fn property_pairs<'de, D, V>(d: D) -> Result<Vec<(&'static str, V)>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    Vec::<(String, V)>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| match property_name(&k) {
            Some(k) => Ok((k, v)),
            None => Err(D::Error::custom(format!("unknown property {k:?}"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Article, Extraction};

    #[test]
    fn an_extraction_reads_back_as_it_was_written() {
        let a = Article {
            id: "t".into(),
            text: "China and Vietnam signed a memorandum of understanding on cybercrime \
                   in Hanoi on Monday. The Ministry of Public Security of Vietnam hosted it."
                .into(),
            published: chrono::NaiveDate::from_ymd_opt(2024, 3, 4),
            ..Article::default()
        };
        let x = super::super::extract(&a).expect("extracts");
        assert!(!x.relations.is_empty() && x.entities.iter().any(|e| !e.props.is_empty()));
        let line = serde_json::to_string(&x).expect("serialises");
        let back: Extraction = serde_json::from_str(&line).expect("reads back");
        assert_eq!(back, x);
    }

    #[test]
    fn unknown_names_are_refused() {
        let bad = r#"{"entities":[],"relations":[{"type":"LIKES","src":0,"dst":1,"props":[],"spans":[]}],"body":[],"sentences":[],"reference":null}"#;
        let e = serde_json::from_str::<Extraction>(bad).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown relationship type \"LIKES\""),
            "{e}"
        );
        let bad = r#"{"kind":"Country","name":"X","aliases":[],"props":[["colour",{"str":"red"}]],"spans":[],"scope":null}"#;
        let e = serde_json::from_str::<super::super::Entity>(bad).unwrap_err();
        assert!(e.to_string().contains("unknown property \"colour\""), "{e}");
    }
}
