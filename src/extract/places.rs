//! Places below the level of a country (`graph-schema/places.toml`).

use crate::fold::fold;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The built-in places file.
pub const PLACES_TOML: &str = include_str!("../../graph-schema/places.toml");

/// A city or other place.
#[derive(Debug, Clone, Deserialize)]
pub struct Place {
    /// The Place node's name.
    pub name: String,
    /// ISO alpha-2 code of its country.
    pub country: String,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Whether it is the national capital.
    #[serde(default)]
    pub capital: bool,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    place: Vec<Place>,
}

/// The places with a folded-name index.
#[derive(Debug, Default)]
pub struct Places {
    places: Vec<Place>,
    index: HashMap<String, usize>,
}

impl Places {
    /// Parses a places file.
    pub fn parse(text: &str) -> Result<Places, toml::de::Error> {
        let f: File = toml::from_str(text)?;
        let mut index = HashMap::new();
        for (i, p) in f.place.iter().enumerate() {
            index.entry(fold(&p.name)).or_insert(i);
            for a in &p.aliases {
                index.entry(fold(a)).or_insert(i);
            }
        }
        Ok(Places {
            places: f.place,
            index,
        })
    }

    /// The built-in places, parsed once (an unreadable file gives no places).
    pub fn builtin() -> &'static Places {
        static P: OnceLock<Places> = OnceLock::new();
        P.get_or_init(|| Places::parse(PLACES_TOML).unwrap_or_default())
    }

    /// The place with this name or alias, folded.
    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.index.get(&fold(name)).copied()
    }

    /// Every place, in file order.
    pub fn all(&self) -> &[Place] {
        &self.places
    }

    /// A place by index.
    pub fn get(&self, i: usize) -> &Place {
        &self.places[i]
    }

    /// The index in the gazetteer's countries of the country place `i` is in.
    pub fn country_of(&self, i: usize, gaz: &crate::gazetteer::Gazetteer) -> Option<usize> {
        gaz.country_index_by_code(&self.get(i).country)
    }

    /// The capital of the country with this ISO alpha-2 code.
    pub fn capital_of(&self, iso2: &str) -> Option<usize> {
        self.places
            .iter()
            .position(|p| p.capital && p.country == iso2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_places_parse_and_fold() {
        let p = Places::parse(PLACES_TOML).unwrap();
        let h = p.lookup("HÀ NỘI").unwrap();
        assert_eq!(p.get(h).name, "Hanoi");
        assert_eq!(p.capital_of("VN"), Some(h));
    }
}
