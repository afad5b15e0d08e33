//! Places below the level of a country (`graph-schema/places.toml`).

use crate::fold::fold;
use serde::Deserialize;
use std::sync::OnceLock;

/// The built-in places file, kept by hand.
pub const PLACES_TOML: &str = include_str!("../../graph-schema/places.toml");

/// The generated world places (capitals and large cities), read after [`PLACES_TOML`].
pub const PLACES_WORLD_TOML: &str = include_str!("../../graph-schema/places-world.toml");

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

static ACTIVE: OnceLock<Places> = OnceLock::new();

/// The places with a folded-name index.
#[derive(Debug, Default)]
pub struct Places {
    places: Vec<Place>,
    index: rustc_hash::FxHashMap<String, usize>,
}

impl Places {
    /// Parses a places file.
    pub fn parse(text: &str) -> Result<Places, toml::de::Error> {
        let mut places = Places::default();
        places.extend(text)?;
        Ok(places)
    }

    /// Adds the places of another file; a name already known keeps its first place.
    pub fn extend(&mut self, text: &str) -> Result<(), toml::de::Error> {
        let f: File = toml::from_str(text)?;
        for p in f.place {
            let i = self.places.len();
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                self.index.entry(fold(n)).or_insert(i);
            }
            self.places.push(p);
        }
        Ok(())
    }

    /// The places in use, parsed once: the overlay of [`Places::install`] if any, then the
    /// hand-kept file, then the generated world file (an earlier name wins).
    pub fn builtin() -> &'static Places {
        ACTIVE.get_or_init(|| Places::with_overlay(None).unwrap_or_default())
    }

    /// The built-in places after those of the text `overlay` (its places win).
    fn with_overlay(overlay: Option<&str>) -> Result<Places, toml::de::Error> {
        let mut p = Places::default();
        if let Some(text) = overlay {
            p.extend(text)?;
        }
        p.extend(PLACES_TOML)?;
        p.extend(PLACES_WORLD_TOML)?;
        Ok(p)
    }

    /// Makes the places of the file `file` (text `text`) win over the built-in ones; must
    /// run before the first extraction.
    pub fn install(file: &str, text: &str) -> Result<(), super::lexicon::LexiconError> {
        let p = Places::with_overlay(Some(text))
            .map_err(|e| super::lexicon::LexiconError::at(file, text, &e))?;
        ACTIVE.set(p).map_err(|_| super::lexicon::LexiconError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: "the places are already in use; give --vocab before anything is extracted"
                .into(),
        })
    }

    /// The place with this name or alias, folded.
    pub fn lookup(&self, name: &str) -> Option<usize> {
        crate::fold::with_folded(name, |k| self.index.get(k).copied())
    }

    /// Every folded name a place is filed under.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
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

    #[test]
    fn world_places_add_to_the_hand_kept_ones_without_shadowing_countries() {
        let p = Places::builtin();
        let hand = Places::parse(PLACES_TOML).unwrap();
        assert!(p.all().len() > hand.all().len() + 300);
        // The hand-kept entry wins over the generated one.
        assert_eq!(p.lookup("Hanoi"), hand.lookup("Hanoi"));
        let gaz = crate::gazetteer::Gazetteer::builtin();
        for place in &p.all()[hand.all().len()..] {
            assert!(
                gaz.country_by_name(&place.name).is_none(),
                "{} is also a country",
                place.name
            );
            assert!(
                gaz.country_index_by_code(&place.country).is_some(),
                "{}",
                place.name
            );
        }
        let n = p.lookup("Nairobi").unwrap();
        assert_eq!(p.get(n).country, "KE");
    }
}
