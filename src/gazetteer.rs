//! Gazetteers: countries, topics, intergovernmental organisations and companies,
//! role titles, ranks and honorifics.
//!
//! The built-in data lives in `graph-schema/` (see `graph-schema/README.md`) and is
//! embedded at compile time; [`Gazetteer::builtin`] parses it once. The same loader,
//! [`Gazetteer::from_sources`], reads user-supplied files and reports a malformed one
//! as a [`GazetteerError`] naming file, line and column instead of panicking.
//!
//! Every lookup key is [`name_key`]: the folded name ([`crate::fold::fold`]), except
//! that an all-capitals acronym of 2 to 5 letters ("UK", "UAE", "UN") is kept as
//! written and so matches only when written in capitals. Lookups try the exact
//! acronym first and then the folded form, so "IRAN" still finds Iran.

use std::collections::BTreeMap;
// Look-up maps hashed with FxHash: short keys, looked up for every token.
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use toml::Spanned;

use crate::fold::fold;

/// Whether `s` is an upper-case acronym (2 to 5 ASCII capitals, e.g. "UK", "UAE"), matched exactly.
pub fn is_acronym(s: &str) -> bool {
    (2..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Lookup key of a name: an acronym as written, anything else folded.
pub fn name_key(s: &str) -> String {
    let s = s.trim();
    if is_acronym(s) {
        s.to_string()
    } else {
        fold(s)
    }
}

/// The built-in countries file.
pub const COUNTRIES_TSV: &str = include_str!("../graph-schema/countries.tsv");
/// The built-in topic vocabulary.
pub const TOPICS_TOML: &str = include_str!("../graph-schema/topics.toml");
/// The built-in organisations file.
pub const ORGANIZATIONS_TOML: &str = include_str!("../graph-schema/organizations.toml");
/// The built-in roles, ranks and honorifics file.
pub const ROLES_TOML: &str = include_str!("../graph-schema/roles.toml");

/// The organisation kinds of the graph schema.
pub const ORG_KINDS: &[&str] = &[
    "ministry",
    "agency",
    "police",
    "intergovernmental",
    "company",
    "government",
    "other",
];

/// A malformed data file: which file, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct GazetteerError {
    /// File name as given to the loader.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// One data file handed to the loader: a name for messages and its text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// File name used in error messages.
    pub file: &'a str,
    /// The file's text.
    pub text: &'a str,
}

/// The four data files the gazetteer is built from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// countries.tsv
    pub countries: Source<'a>,
    /// topics.toml
    pub topics: Source<'a>,
    /// organizations.toml
    pub organizations: Source<'a>,
    /// roles.toml
    pub roles: Source<'a>,
}

impl Sources<'static> {
    /// The files embedded from `graph-schema/`.
    pub fn builtin() -> Self {
        Sources {
            countries: Source {
                file: "graph-schema/countries.tsv",
                text: COUNTRIES_TSV,
            },
            topics: Source {
                file: "graph-schema/topics.toml",
                text: TOPICS_TOML,
            },
            organizations: Source {
                file: "graph-schema/organizations.toml",
                text: ORGANIZATIONS_TOML,
            },
            roles: Source {
                file: "graph-schema/roles.toml",
                text: ROLES_TOML,
            },
        }
    }
}

/// A country or territory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// Common English short name ("Vietnam").
    pub name: String,
    /// ISO 3166-1 alpha-2 code ("VN").
    pub iso2: String,
    /// ISO 3166-1 alpha-3 code ("VNM").
    pub iso3: String,
    /// Other names, ISO short and long names included.
    pub aliases: Vec<String>,
    /// Demonyms and national adjectives ("Vietnamese").
    pub demonyms: Vec<String>,
}

/// A topic of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Topic name ("high-tech crime").
    pub name: String,
    /// What the topic covers.
    pub doc: String,
    /// Phrases that signal the topic in text.
    pub aliases: Vec<String>,
    /// Names of the broader topics.
    pub broader: Vec<String>,
    /// Whether the topic names the whole field ("law enforcement cooperation"): reached
    /// through its narrower topics, never tagged on an event from a phrase.
    pub umbrella: bool,
    /// Whether the topic is where its broader topics overlap ("migrant smuggling" is
    /// smuggling and illegal migration): an event of it is about each of them too.
    pub overlap: bool,
}

/// A well-known organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Usual English name.
    pub name: String,
    /// Schema kind: "intergovernmental", "company", ...
    pub kind: String,
    /// Acronym, if any.
    pub acronym: Option<String>,
    /// Other names and spellings.
    pub aliases: Vec<String>,
    /// ISO alpha-2 code of the home country, if given.
    pub country: Option<String>,
}

/// Generic patterns for recognising organisation names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgPatterns {
    /// Head nouns that end or start an organisation name ("Ministry", "Police").
    pub head_nouns: Vec<String>,
    /// Templates with X for the field ("Ministry of X", "X Ministry").
    pub templates: Vec<String>,
    /// Kind implied by a head noun; unlisted heads imply "agency".
    pub kind_by_head: BTreeMap<String, String>,
}

/// A role title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Canonical title ("Interior Minister").
    pub title: String,
    /// Other forms ("Minister of Interior").
    pub aliases: Vec<String>,
    /// Organisation the title implies ("Ministry of Interior"), if any.
    pub org: Option<String>,
    /// Kind of that organisation, if known.
    pub org_kind: Option<String>,
    /// The national body the title implies when the article names no organisation
    /// ("police": the country's police), a key of [`NationalBody`].
    pub body: Option<String>,
}

/// The body of a country a title implies when no organisation is written ("Inspector
/// General of Police" → the country's police, "Prime Minister" → its government).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalBody {
    /// The key roles name in `body`.
    pub key: String,
    /// Schema kind of the organisation.
    pub kind: String,
    /// Name for a country not listed, if any.
    pub name: Option<String>,
    /// The usual English name, by ISO alpha-2 code.
    pub by_country: BTreeMap<String, String>,
}

/// A role title with a field X and the organisation it implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleTemplate {
    /// Pattern with X ("Minister of X").
    pub pattern: String,
    /// Implied organisation with X ("Ministry of X").
    pub org: String,
}

/// A military or police rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rank {
    /// Canonical rank ("Lieutenant General").
    pub name: String,
    /// Abbreviations and variants ("Lt. Gen.").
    pub aliases: Vec<String>,
    /// "military", "police" or "any".
    pub service: String,
}

/// A form of address stripped from person names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Honorific {
    /// Canonical form ("His Excellency").
    pub name: String,
    /// Variants ("H.E.").
    pub aliases: Vec<String>,
}

/// A person name with leading ranks and honorifics removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StrippedName {
    /// The bare name ("Luong Tam Quang").
    pub name: String,
    /// Canonical rank found, if any ("General").
    pub rank: Option<String>,
    /// Canonical honorifics found, in order.
    pub honorifics: Vec<String>,
}

/// A leading word sequence to strip from person names.
#[derive(Debug, Clone)]
struct Prefix {
    words: Vec<String>,
    canonical: String,
    is_rank: bool,
}

/// All gazetteers with their lookup indexes.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    countries: Vec<Country>,
    country_names: HashMap<String, usize>,
    country_codes: HashMap<String, usize>,
    country_demonyms: HashMap<String, usize>,
    topics: Vec<Topic>,
    topic_names: HashMap<String, usize>,
    organizations: Vec<Organization>,
    org_names: HashMap<String, usize>,
    org_patterns: OrgPatterns,
    roles: Vec<Role>,
    role_names: HashMap<String, usize>,
    role_templates: Vec<RoleTemplate>,
    national_bodies: Vec<NationalBody>,
    ranks: Vec<Rank>,
    rank_names: HashMap<String, usize>,
    honorifics: Vec<Honorific>,
    honorific_names: HashMap<String, usize>,
    prefixes: Vec<Prefix>,
    /// The prefixes by their first word (as in [`Prefix::words`]), each list in the order
    /// of `prefixes`; those without words apart. Rebuilt whenever `prefixes` changes.
    prefix_starts: HashMap<String, Vec<usize>>,
    prefix_unkeyed: Vec<usize>,
    /// Whether files now loaded overlay the built-in ones: an entry already known by its
    /// name (a country by its code) takes the new aliases instead of being refused.
    overlaying: bool,
}

static BUILTIN: OnceLock<Gazetteer> = OnceLock::new();

/// The files of a vocabulary folder that overlay the built-in ones, in loading order.
pub const OVERLAY_FILES: [&str; 4] = [
    "countries.tsv",
    "topics.toml",
    "organizations.toml",
    "roles.toml",
];

impl Gazetteer {
    /// The gazetteer in use: the embedded `graph-schema/` files, parsed once, with the
    /// overlay of [`Gazetteer::install`] when one was installed first.
    ///
    /// The embedded files are checked by this module's tests, so this does not fail.
    pub fn builtin() -> &'static Gazetteer {
        BUILTIN.get_or_init(|| {
            Gazetteer::from_sources(&Sources::builtin())
                .unwrap_or_else(|e| panic!("embedded gazetteer data is malformed: {e}"))
        })
    }

    /// The built-in gazetteer with the files of `dir` named in [`OVERLAY_FILES`] laid over
    /// it (each optional): new entries are added, known ones take the new aliases.
    pub fn with_overlay(dir: &std::path::Path) -> Result<Gazetteer, GazetteerError> {
        let mut g = Gazetteer::from_sources(&Sources::builtin())?;
        g.overlaying = true;
        for name in OVERLAY_FILES {
            let path = dir.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(GazetteerError {
                        file: path.display().to_string(),
                        line: 1,
                        column: 1,
                        message: e.to_string(),
                    })
                }
            };
            let file = path.display().to_string();
            let src = Source {
                file: &file,
                text: &text,
            };
            match name {
                "countries.tsv" => g.load_countries(src)?,
                "topics.toml" => g.load_topics(src)?,
                "organizations.toml" => g.load_organizations(src)?,
                _ => g.load_roles(src)?,
            }
        }
        g.overlaying = false;
        Ok(g)
    }

    /// Makes [`Gazetteer::with_overlay`] of `dir` the gazetteer in use; must run before
    /// anything reads the gazetteer.
    pub fn install(dir: &std::path::Path) -> Result<(), GazetteerError> {
        let g = Gazetteer::with_overlay(dir)?;
        BUILTIN.set(g).map_err(|_| GazetteerError {
            file: dir.display().to_string(),
            line: 1,
            column: 1,
            message: "the vocabulary is already in use; give --vocab before anything is read"
                .into(),
        })
    }

    /// Builds a gazetteer from the four data files, checking them.
    pub fn from_sources(src: &Sources<'_>) -> Result<Gazetteer, GazetteerError> {
        let mut g = Gazetteer {
            countries: Vec::new(),
            country_names: HashMap::default(),
            country_codes: HashMap::default(),
            country_demonyms: HashMap::default(),
            topics: Vec::new(),
            topic_names: HashMap::default(),
            organizations: Vec::new(),
            org_names: HashMap::default(),
            org_patterns: OrgPatterns::default(),
            roles: Vec::new(),
            role_names: HashMap::default(),
            role_templates: Vec::new(),
            national_bodies: Vec::new(),
            ranks: Vec::new(),
            rank_names: HashMap::default(),
            honorifics: Vec::new(),
            honorific_names: HashMap::default(),
            prefixes: Vec::new(),
            prefix_starts: HashMap::default(),
            prefix_unkeyed: Vec::new(),
            overlaying: false,
        };
        g.load_countries(src.countries)?;
        g.load_topics(src.topics)?;
        g.load_organizations(src.organizations)?;
        g.load_roles(src.roles)?;
        Ok(g)
    }

    /// All countries, in ISO alpha-2 order.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// The country with this name or alias (folded), or this ISO code written in capitals.
    pub fn country_by_name(&self, name: &str) -> Option<&Country> {
        self.country_index_by_name(name).map(|i| &self.countries[i])
    }

    /// Every key a country (name, alias, code, demonym) or an organisation is filed under:
    /// a phrase none of whose look-up keys is among them names neither.
    pub fn country_and_org_keys(&self) -> impl Iterator<Item = &str> {
        self.country_names
            .keys()
            .chain(self.country_codes.keys())
            .chain(self.country_demonyms.keys())
            .chain(self.org_names.keys())
            .map(String::as_str)
    }

    /// The index in [`Gazetteer::countries`] of [`Gazetteer::country_by_name`].
    pub fn country_index_by_name(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        if let Some(&i) = self.country_codes.get(name) {
            return Some(i);
        }
        lookup(&self.country_names, name)
    }

    /// The index in [`Gazetteer::countries`] of the country named exactly `name`
    /// (names are unique: a second entry of a name is refused or overlays the first).
    pub fn country_index_of(&self, name: &str) -> Option<usize> {
        lookup(&self.country_names, name)
            .filter(|&i| self.countries[i].name == name)
            .or_else(|| self.countries.iter().position(|x| x.name == name))
    }

    /// The country with this ISO alpha-2 or alpha-3 code, written in capitals.
    pub fn country_by_code(&self, code: &str) -> Option<&Country> {
        self.country_codes
            .get(code.trim())
            .map(|&i| &self.countries[i])
    }

    /// The index in [`Gazetteer::countries`] of the country with this ISO code.
    pub fn country_index_by_code(&self, code: &str) -> Option<usize> {
        self.country_codes.get(code.trim()).copied()
    }

    /// The country of a demonym or national adjective ("Mozambican" → Mozambique).
    pub fn country_by_demonym(&self, demonym: &str) -> Option<&Country> {
        lookup(&self.country_demonyms, demonym).map(|i| &self.countries[i])
    }

    /// All topics, in file order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The topic with this name or alias (folded).
    pub fn topic_by_name(&self, name: &str) -> Option<&Topic> {
        lookup(&self.topic_names, name).map(|i| &self.topics[i])
    }

    /// The direct broader topics of a topic.
    pub fn broader(&self, topic: &Topic) -> Vec<&Topic> {
        topic
            .broader
            .iter()
            .filter_map(|b| self.topic_by_name(b))
            .collect()
    }

    /// All broader topics of a topic, transitively, nearest first, without repeats.
    pub fn ancestors(&self, topic: &Topic) -> Vec<&Topic> {
        let mut out: Vec<&Topic> = Vec::new();
        let mut queue: Vec<&Topic> = self.broader(topic);
        let mut i = 0;
        while i < queue.len() {
            let t = queue[i];
            i += 1;
            if out.iter().any(|o| o.name == t.name) {
                continue;
            }
            out.push(t);
            queue.extend(self.broader(t));
        }
        out
    }

    /// All known organisations, in file order.
    pub fn organizations(&self) -> &[Organization] {
        &self.organizations
    }

    /// The organisation with this name, acronym or alias.
    pub fn org_by_name(&self, name: &str) -> Option<&Organization> {
        lookup(&self.org_names, name).map(|i| &self.organizations[i])
    }

    /// Generic organisation head nouns and templates.
    pub fn org_patterns(&self) -> &OrgPatterns {
        &self.org_patterns
    }

    /// All role titles, in file order.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The role with this title or alias.
    pub fn role_by_title(&self, title: &str) -> Option<&Role> {
        lookup(&self.role_names, title).map(|i| &self.roles[i])
    }

    /// The name and kind of the body `key` of the country with this ISO code, if the
    /// country has one by that key or the key has a default name.
    pub fn national_body(&self, key: &str, code: &str) -> Option<(&str, &str)> {
        let b = self.national_bodies.iter().find(|b| b.key == key)?;
        let name = b.by_country.get(code).or(b.name.as_ref())?;
        Some((name, &b.kind))
    }

    /// The name the body `key` has listed for the country with this ISO code (no default).
    pub fn listed_national_body(&self, key: &str, code: &str) -> Option<&str> {
        self.national_bodies
            .iter()
            .find(|b| b.key == key)?
            .by_country
            .get(code)
            .map(String::as_str)
    }

    /// Role templates ("Minister of X" → "Ministry of X").
    pub fn role_templates(&self) -> &[RoleTemplate] {
        &self.role_templates
    }

    /// All military and police ranks, in file order.
    pub fn ranks(&self) -> &[Rank] {
        &self.ranks
    }

    /// The rank with this name or abbreviation.
    pub fn rank_by_name(&self, name: &str) -> Option<&Rank> {
        lookup(&self.rank_names, name).map(|i| &self.ranks[i])
    }

    /// All honorifics, in file order.
    pub fn honorifics(&self) -> &[Honorific] {
        &self.honorifics
    }

    /// The honorific with this form or variant.
    pub fn honorific_by_name(&self, name: &str) -> Option<&Honorific> {
        lookup(&self.honorific_names, name).map(|i| &self.honorifics[i])
    }

    /// Removes leading ranks and honorifics from a person name, longest match first:
    /// "Senior Lieutenant General Pham The Tung" → name "Pham The Tung", rank
    /// "Senior Lieutenant General".
    pub fn strip_person_name(&self, text: &str) -> StrippedName {
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let mut out = StrippedName::default();
        let mut cands: Vec<usize> = Vec::new();
        'outer: loop {
            // The prefixes whose first word can match the name's first word: an acronym as
            // written, any other word folded (as the test below has it).
            cands.clear();
            if let Some(&first) = words.first() {
                if let Some(v) = self.prefix_starts.get(first) {
                    cands.extend(
                        v.iter()
                            .filter(|&&i| is_acronym(&self.prefixes[i].words[0])),
                    );
                }
                crate::fold::with_folded(first, |f| {
                    if let Some(v) = self.prefix_starts.get(f) {
                        cands.extend(
                            v.iter()
                                .filter(|&&i| !is_acronym(&self.prefixes[i].words[0])),
                        );
                    }
                });
            }
            cands.extend(&self.prefix_unkeyed);
            cands.sort_unstable();
            for p in cands.iter().map(|&i| &self.prefixes[i]) {
                let n = p.words.len();
                // Keep at least one word of name.
                if words.len() <= n {
                    continue;
                }
                let matched = words[..n].iter().zip(&p.words).all(|(w, pw)| {
                    if is_acronym(pw) {
                        w == pw
                    } else {
                        crate::fold::fold_is(w, pw)
                    }
                });
                if matched {
                    words.drain(..n);
                    if p.is_rank {
                        out.rank.get_or_insert_with(|| p.canonical.clone());
                    } else {
                        out.honorifics.push(p.canonical.clone());
                    }
                    continue 'outer;
                }
            }
            break;
        }
        out.name = words.join(" ");
        out
    }

    fn load_countries(&mut self, src: Source<'_>) -> Result<(), GazetteerError> {
        const HEADER: [&str; 5] = ["name", "iso2", "iso3", "aliases", "demonyms"];
        let mut seen_header = false;
        for (ln, line) in src.text.lines().enumerate() {
            let lnum = ln + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let col_of = |i: usize| -> usize {
                fields[..i]
                    .iter()
                    .map(|f| f.chars().count() + 1)
                    .sum::<usize>()
                    + 1
            };
            let err = |col: usize, message: String| GazetteerError {
                file: src.file.to_string(),
                line: lnum,
                column: col,
                message,
            };
            if !seen_header {
                if fields != HEADER {
                    return Err(err(
                        1,
                        format!("expected the header line {:?}", HEADER.join("\t")),
                    ));
                }
                seen_header = true;
                continue;
            }
            if fields.len() != HEADER.len() {
                return Err(err(
                    1,
                    format!(
                        "expected {} tab-separated fields, found {}",
                        HEADER.len(),
                        fields.len()
                    ),
                ));
            }
            let name = fields[0].trim();
            if name.is_empty() {
                return Err(err(1, "empty country name".into()));
            }
            let (iso2, iso3) = (fields[1].trim(), fields[2].trim());
            if iso2.len() != 2 || !iso2.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(
                    col_of(1),
                    format!("iso2 {iso2:?} is not two capital letters"),
                ));
            }
            if iso3.len() != 3 || !iso3.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(
                    col_of(2),
                    format!("iso3 {iso3:?} is not three capital letters"),
                ));
            }
            let list = |i: usize| -> Result<Vec<String>, GazetteerError> {
                if fields[i].trim().is_empty() {
                    return Ok(Vec::new());
                }
                fields[i]
                    .split('|')
                    .map(|v| {
                        let v = v.trim();
                        if v.is_empty() {
                            Err(err(
                                col_of(i),
                                format!("empty item in the {} list", HEADER[i]),
                            ))
                        } else {
                            Ok(v.to_string())
                        }
                    })
                    .collect()
            };
            let country = Country {
                name: name.to_string(),
                iso2: iso2.to_string(),
                iso3: iso3.to_string(),
                aliases: list(3)?,
                demonyms: list(4)?,
            };
            let known = self
                .overlaying
                .then(|| self.country_codes.get(iso2).copied())
                .flatten();
            let idx = known.unwrap_or(self.countries.len());
            for code in [iso2, iso3] {
                if let Some(&other) = self.country_codes.get(code).filter(|&&o| o != idx) {
                    return Err(err(
                        col_of(1),
                        format!(
                            "code {code} already belongs to {}",
                            self.countries[other].name
                        ),
                    ));
                }
                self.country_codes.insert(code.to_string(), idx);
            }
            for (i, v) in
                std::iter::once((0, name)).chain(country.aliases.iter().map(|a| (3, a.as_str())))
            {
                if known.is_some() && self.country_names.get(&name_key(v)) == Some(&idx) {
                    continue;
                }
                index(self.overlaying, &mut self.country_names, v, idx, |o| {
                    err(
                        col_of(i),
                        format!("name {v:?} also names {}", self.countries[o].name),
                    )
                })?;
            }
            for d in &country.demonyms {
                index(self.overlaying, &mut self.country_demonyms, d, idx, |o| {
                    err(
                        col_of(4),
                        format!("demonym {d:?} also belongs to {}", self.countries[o].name),
                    )
                })?;
            }
            if known.is_some() {
                let c = &mut self.countries[idx];
                for a in std::iter::once(country.name).chain(country.aliases) {
                    if a != c.name && !c.aliases.contains(&a) {
                        c.aliases.push(a);
                    }
                }
                for d in country.demonyms {
                    if !c.demonyms.contains(&d) {
                        c.demonyms.push(d);
                    }
                }
            } else {
                self.countries.push(country);
            }
        }
        if !seen_header {
            return Err(GazetteerError {
                file: src.file.to_string(),
                line: 1,
                column: 1,
                message: "missing header line".into(),
            });
        }
        // An acronym alias must not be another country's code.
        for (key, &i) in &self.country_names {
            if let Some(&j) = self.country_codes.get(key) {
                if i != j {
                    let (line, column) = position_of_quoted(src.text, key, false);
                    return Err(GazetteerError {
                        file: src.file.to_string(),
                        line,
                        column,
                        message: format!(
                            "alias {key:?} of {} is the code of {}",
                            self.countries[i].name, self.countries[j].name
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    fn load_topics(&mut self, src: Source<'_>) -> Result<(), GazetteerError> {
        let file: TopicsFile = parse_toml(src)?;
        check_format(src, file.format)?;
        for t in &file.topic {
            let known = overlaid(self.overlaying, &self.topics, t.name.get_ref(), |x| &x.name);
            let idx = known.unwrap_or(self.topics.len());
            for v in std::iter::once(&t.name).chain(&t.aliases) {
                index(
                    self.overlaying,
                    &mut self.topic_names,
                    v.get_ref(),
                    idx,
                    |o| {
                        span_error(
                            src,
                            v.span(),
                            format!(
                                "{:?} also names topic {:?}",
                                v.get_ref(),
                                self.topics[o].name
                            ),
                        )
                    },
                )?;
            }
            if let Some(k) = known {
                let old = &mut self.topics[k];
                old.aliases.extend(strings(&t.aliases));
                old.broader.extend(strings(&t.broader));
                old.umbrella |= t.umbrella;
                old.overlap |= t.overlap;
                continue;
            }
            self.topics.push(Topic {
                name: t.name.get_ref().trim().to_string(),
                doc: t.doc.clone(),
                aliases: strings(&t.aliases),
                broader: strings(&t.broader),
                umbrella: t.umbrella,
                overlap: t.overlap,
            });
        }
        for t in &file.topic {
            for b in &t.broader {
                if lookup(&self.topic_names, b.get_ref()).is_none() {
                    return Err(span_error(
                        src,
                        b.span(),
                        format!("unknown broader topic {:?}", b.get_ref()),
                    ));
                }
            }
        }
        // No cycles: follow broader links depth-first.
        let n = self.topics.len();
        let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
        fn visit(g: &Gazetteer, i: usize, state: &mut [u8]) -> Option<usize> {
            state[i] = 1;
            for b in &g.topics[i].broader {
                let j = lookup(&g.topic_names, b)?;
                match state[j] {
                    1 => return Some(j),
                    0 => {
                        if let Some(c) = visit(g, j, state) {
                            return Some(c);
                        }
                    }
                    _ => {}
                }
            }
            state[i] = 2;
            None
        }
        for i in 0..n {
            if state[i] == 0 {
                if let Some(c) = visit(self, i, &mut state) {
                    let t = &file.topic[c];
                    return Err(span_error(
                        src,
                        t.name.span(),
                        format!(
                            "topic {:?} is its own broader topic (cycle)",
                            t.name.get_ref()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn load_organizations(&mut self, src: Source<'_>) -> Result<(), GazetteerError> {
        let file: OrganizationsFile = parse_toml(src)?;
        check_format(src, file.format)?;
        for o in &file.organization {
            if !ORG_KINDS.contains(&o.kind.get_ref().as_str()) {
                return Err(span_error(
                    src,
                    o.kind.span(),
                    format!("kind {:?} is not one of {ORG_KINDS:?}", o.kind.get_ref()),
                ));
            }
            if let Some(c) = &o.country {
                if self.country_by_code(c.get_ref()).is_none() {
                    return Err(span_error(
                        src,
                        c.span(),
                        format!("unknown country code {:?}", c.get_ref()),
                    ));
                }
            }
            let known = overlaid(
                self.overlaying,
                &self.organizations,
                o.name.get_ref(),
                |x| &x.name,
            );
            let idx = known.unwrap_or(self.organizations.len());
            for v in std::iter::once(&o.name).chain(&o.acronym).chain(&o.aliases) {
                index(
                    self.overlaying,
                    &mut self.org_names,
                    v.get_ref(),
                    idx,
                    |j| {
                        span_error(
                            src,
                            v.span(),
                            format!(
                                "{:?} also names organisation {:?}",
                                v.get_ref(),
                                self.organizations[j].name
                            ),
                        )
                    },
                )?;
            }
            if let Some(k) = known {
                let old = &mut self.organizations[k];
                old.aliases.extend(strings(&o.aliases));
                if old.acronym.is_none() {
                    old.acronym = o.acronym.as_ref().map(|a| a.get_ref().trim().to_string());
                }
                continue;
            }
            self.organizations.push(Organization {
                name: o.name.get_ref().trim().to_string(),
                kind: o.kind.get_ref().clone(),
                acronym: o.acronym.as_ref().map(|a| a.get_ref().trim().to_string()),
                aliases: strings(&o.aliases),
                country: o.country.as_ref().map(|c| c.get_ref().clone()),
            });
        }
        for b in &file.national_body {
            if !ORG_KINDS.contains(&b.kind.get_ref().as_str()) {
                return Err(span_error(
                    src,
                    b.kind.span(),
                    format!("kind {:?} is not one of {ORG_KINDS:?}", b.kind.get_ref()),
                ));
            }
            let known = self
                .national_bodies
                .iter()
                .position(|o| o.key == *b.key.get_ref());
            if known.is_some() && !self.overlaying {
                return Err(span_error(
                    src,
                    b.key.span(),
                    format!("national body {:?} is listed twice", b.key.get_ref()),
                ));
            }
            for (code, name) in &b.by_country {
                if self.country_by_code(code).is_none() {
                    return Err(span_error(
                        src,
                        name.span(),
                        format!("unknown country code {code:?}"),
                    ));
                }
            }
            if let Some(k) = known {
                let old = &mut self.national_bodies[k];
                for (code, name) in &b.by_country {
                    old.by_country.insert(code.clone(), name.get_ref().clone());
                }
                continue;
            }
            self.national_bodies.push(NationalBody {
                key: b.key.get_ref().clone(),
                kind: b.kind.get_ref().clone(),
                name: b.name.clone(),
                by_country: b
                    .by_country
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect(),
            });
        }
        if let Some(p) = file.patterns {
            for (head, kind) in &p.kind_by_head {
                if !ORG_KINDS.contains(&kind.get_ref().as_str()) {
                    return Err(span_error(
                        src,
                        kind.span(),
                        format!("kind {:?} of {head:?} is not a schema kind", kind.get_ref()),
                    ));
                }
            }
            let kinds = p.kind_by_head.into_iter().map(|(k, v)| (k, v.into_inner()));
            if self.overlaying {
                let old = &mut self.org_patterns;
                old.head_nouns.extend(p.head_nouns);
                old.templates.extend(p.templates);
                old.kind_by_head.extend(kinds);
            } else {
                self.org_patterns = OrgPatterns {
                    head_nouns: p.head_nouns,
                    templates: p.templates,
                    kind_by_head: kinds.collect(),
                };
            }
        }
        Ok(())
    }

    fn load_roles(&mut self, src: Source<'_>) -> Result<(), GazetteerError> {
        let file: RolesFile = parse_toml(src)?;
        check_format(src, file.format)?;
        for r in &file.role {
            if let Some(k) = &r.org_kind {
                if !ORG_KINDS.contains(&k.get_ref().as_str()) {
                    return Err(span_error(
                        src,
                        k.span(),
                        format!("org_kind {:?} is not a schema kind", k.get_ref()),
                    ));
                }
            }
            if let Some(k) = &r.body {
                if !self.national_bodies.iter().any(|b| b.key == *k.get_ref()) {
                    return Err(span_error(
                        src,
                        k.span(),
                        format!(
                            "body {:?} is not a [[national_body]] of organizations.toml",
                            k.get_ref()
                        ),
                    ));
                }
            }
            let known = overlaid(self.overlaying, &self.roles, r.title.get_ref(), |x| {
                &x.title
            });
            let idx = known.unwrap_or(self.roles.len());
            for v in std::iter::once(&r.title).chain(&r.aliases) {
                index(
                    self.overlaying,
                    &mut self.role_names,
                    v.get_ref(),
                    idx,
                    |j| {
                        span_error(
                            src,
                            v.span(),
                            format!(
                                "{:?} also names role {:?}",
                                v.get_ref(),
                                self.roles[j].title
                            ),
                        )
                    },
                )?;
            }
            if let Some(k) = known {
                self.roles[k].aliases.extend(strings(&r.aliases));
                continue;
            }
            self.roles.push(Role {
                title: r.title.get_ref().trim().to_string(),
                aliases: strings(&r.aliases),
                org: r.org.clone(),
                org_kind: r.org_kind.as_ref().map(|k| k.get_ref().clone()),
                body: r.body.as_ref().map(|b| b.get_ref().clone()),
            });
        }
        for t in &file.role_template {
            if !t.pattern.get_ref().contains('X') {
                return Err(span_error(
                    src,
                    t.pattern.span(),
                    "a role template needs the placeholder X".into(),
                ));
            }
            self.role_templates.push(RoleTemplate {
                pattern: t.pattern.get_ref().clone(),
                org: t.org.clone(),
            });
        }
        for r in &file.rank {
            let s = r.service.get_ref().as_str();
            if !["military", "police", "any"].contains(&s) {
                return Err(span_error(
                    src,
                    r.service.span(),
                    format!("service {s:?} is not military, police or any"),
                ));
            }
            let idx = self.ranks.len();
            for v in std::iter::once(&r.name).chain(&r.aliases) {
                index(
                    self.overlaying,
                    &mut self.rank_names,
                    v.get_ref(),
                    idx,
                    |j| {
                        span_error(
                            src,
                            v.span(),
                            format!("{:?} also names rank {:?}", v.get_ref(), self.ranks[j].name),
                        )
                    },
                )?;
                self.prefixes
                    .push(prefix(v.get_ref(), r.name.get_ref(), true));
            }
            self.ranks.push(Rank {
                name: r.name.get_ref().trim().to_string(),
                aliases: strings(&r.aliases),
                service: s.to_string(),
            });
        }
        for h in &file.honorific {
            let idx = self.honorifics.len();
            for v in std::iter::once(&h.name).chain(&h.aliases) {
                index(
                    self.overlaying,
                    &mut self.honorific_names,
                    v.get_ref(),
                    idx,
                    |j| {
                        span_error(
                            src,
                            v.span(),
                            format!(
                                "{:?} also names honorific {:?}",
                                v.get_ref(),
                                self.honorifics[j].name
                            ),
                        )
                    },
                )?;
                self.prefixes
                    .push(prefix(v.get_ref(), h.name.get_ref(), false));
            }
            self.honorifics.push(Honorific {
                name: h.name.get_ref().trim().to_string(),
                aliases: strings(&h.aliases),
            });
        }
        // Longest first, so "Senior Lieutenant General" wins over "General".
        self.prefixes
            .sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        self.prefix_starts.clear();
        self.prefix_unkeyed.clear();
        for (i, p) in self.prefixes.iter().enumerate() {
            match p.words.first() {
                Some(w) => self.prefix_starts.entry(w.clone()).or_default().push(i),
                None => self.prefix_unkeyed.push(i),
            }
        }
        Ok(())
    }
}

fn prefix(form: &str, canonical: &str, is_rank: bool) -> Prefix {
    Prefix {
        words: form.split_whitespace().map(name_key).collect(),
        canonical: canonical.trim().to_string(),
        is_rank,
    }
}

/// Looks a name up: the exact acronym first, then the folded form.
fn lookup(map: &HashMap<String, usize>, name: &str) -> Option<usize> {
    let name = name.trim();
    // name_key without allocating: an acronym as written, else folded.
    if is_acronym(name) {
        if let Some(&i) = map.get(name) {
            return Some(i);
        }
    }
    crate::fold::with_folded(name, |key| map.get(key).copied())
}

/// Adds `value` under its key for entry `idx`; a key of another entry is an error.
/// When `overlaying`, the entry of `items` whose own name (`name_of`) is `name`.
fn overlaid<T>(
    overlaying: bool,
    items: &[T],
    name: &str,
    name_of: impl Fn(&T) -> &String,
) -> Option<usize> {
    let key = name_key(name);
    overlaying
        .then(|| items.iter().position(|x| name_key(name_of(x)) == key))
        .flatten()
}

/// Files `value` under `idx`; a value of another entry is refused, or, when `overlaying`,
/// moves to this one (the overlay wins).
fn index(
    overlaying: bool,
    map: &mut HashMap<String, usize>,
    value: &str,
    idx: usize,
    conflict: impl FnOnce(usize) -> GazetteerError,
) -> Result<(), GazetteerError> {
    let key = name_key(value);
    if key.is_empty() {
        return Err(conflict(idx)).map_err(|mut e| {
            e.message = "empty name".into();
            e
        });
    }
    match map.get(&key) {
        Some(&other) if other != idx && !overlaying => Err(conflict(other)),
        _ => {
            map.insert(key, idx);
            Ok(())
        }
    }
}

fn strings(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().trim().to_string()).collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Position of the first (or last) quoted occurrence of `s`, else of `s` itself, else 1:1.
fn position_of_quoted(text: &str, s: &str, last: bool) -> (usize, usize) {
    let quoted = format!("\"{s}\"");
    let find = |n: &str| if last { text.rfind(n) } else { text.find(n) };
    find(&quoted)
        .or_else(|| find(s))
        .map_or((1, 1), |p| line_col(text, p))
}

fn span_error(src: Source<'_>, span: std::ops::Range<usize>, message: String) -> GazetteerError {
    let (line, column) = line_col(src.text, span.start);
    GazetteerError {
        file: src.file.to_string(),
        line,
        column,
        message,
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(src: Source<'_>) -> Result<T, GazetteerError> {
    toml::from_str(src.text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(src.text, s.start));
        GazetteerError {
            file: src.file.to_string(),
            line,
            column,
            message: e.message().to_string(),
        }
    })
}

fn check_format(src: Source<'_>, format: Option<Spanned<i64>>) -> Result<(), GazetteerError> {
    match format {
        None => Ok(()),
        Some(f) if *f.get_ref() == 1 => Ok(()),
        Some(f) => Err(span_error(
            src,
            f.span(),
            format!("unsupported format {} (expected 1)", f.get_ref()),
        )),
    }
}

// --- raw file layouts ---------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    format: Option<Spanned<i64>>,
    #[serde(default)]
    topic: Vec<RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: Spanned<String>,
    #[serde(default)]
    doc: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    broader: Vec<Spanned<String>>,
    #[serde(default)]
    umbrella: bool,
    #[serde(default)]
    overlap: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationsFile {
    format: Option<Spanned<i64>>,
    #[serde(default)]
    organization: Vec<RawOrganization>,
    #[serde(default)]
    national_body: Vec<RawNationalBody>,
    patterns: Option<RawPatterns>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNationalBody {
    key: Spanned<String>,
    kind: Spanned<String>,
    name: Option<String>,
    #[serde(default)]
    by_country: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    name: Spanned<String>,
    kind: Spanned<String>,
    acronym: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    country: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPatterns {
    #[serde(default)]
    head_nouns: Vec<String>,
    #[serde(default)]
    templates: Vec<String>,
    #[serde(default)]
    kind_by_head: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    format: Option<Spanned<i64>>,
    #[serde(default)]
    role: Vec<RawRole>,
    #[serde(default)]
    role_template: Vec<RawRoleTemplate>,
    #[serde(default)]
    rank: Vec<RawRank>,
    #[serde(default)]
    honorific: Vec<RawHonorific>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    title: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    org: Option<String>,
    org_kind: Option<Spanned<String>>,
    body: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoleTemplate {
    pattern: Spanned<String>,
    org: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRank {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    service: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHonorific {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> &'static Gazetteer {
        Gazetteer::builtin()
    }

    #[test]
    fn vietnam_by_every_name() {
        for q in [
            "Vietnam",
            "Viet Nam",
            "Việt Nam",
            "VIETNAM",
            "VNM",
            "VN",
            "Socialist Republic of Viet Nam",
        ] {
            let c = g()
                .country_by_name(q)
                .unwrap_or_else(|| panic!("{q} not found"));
            assert_eq!(
                (c.name.as_str(), c.iso2.as_str(), c.iso3.as_str()),
                ("Vietnam", "VN", "VNM"),
                "{q}"
            );
        }
        assert_eq!(g().country_by_demonym("Vietnamese").unwrap().iso2, "VN");
    }

    #[test]
    fn codes_only_in_capitals() {
        assert!(g().country_by_name("vnm").is_none());
        assert!(g().country_by_name("us").is_none());
        assert_eq!(g().country_by_name("US").unwrap().name, "United States");
        assert_eq!(g().country_by_name("U.S.").unwrap().name, "United States");
        assert_eq!(g().country_by_name("UK").unwrap().name, "United Kingdom");
        assert_eq!(g().country_by_code("GBR").unwrap().name, "United Kingdom");
    }

    #[test]
    fn demonyms() {
        for (d, c) in [
            ("Mozambican", "Mozambique"),
            ("Azerbaijani", "Azerbaijan"),
            ("South African", "South Africa"),
            ("British", "United Kingdom"),
            ("American", "United States"),
            ("Emirati", "United Arab Emirates"),
            ("Lao", "Laos"),
            ("Chinese", "China"),
            ("Filipino", "Philippines"),
            ("Philippine", "Philippines"),
            ("Dutch", "Netherlands"),
            ("Nigerian", "Nigeria"),
            ("Nigerien", "Niger"),
        ] {
            assert_eq!(
                g().country_by_demonym(d).map(|x| x.name.as_str()),
                Some(c),
                "{d}"
            );
        }
        assert!(g().country_by_demonym("Korean").is_none());
        assert!(g().country_by_demonym("Congolese").is_none());
    }

    #[test]
    fn common_names_and_iso_aliases() {
        for (q, name) in [
            ("Türkiye", "Türkiye"),
            ("Turkey", "Türkiye"),
            ("Russian Federation", "Russia"),
            ("Korea (Republic of)", "South Korea"),
            ("Republic of Korea", "South Korea"),
            ("Lao People's Democratic Republic", "Laos"),
            ("Iran (Islamic Republic of)", "Iran"),
            (
                "United Kingdom of Great Britain and Northern Ireland",
                "United Kingdom",
            ),
            ("Kosovo", "Kosovo"),
            ("DR Congo", "Democratic Republic of the Congo"),
            ("Congo-Brazzaville", "Republic of the Congo"),
        ] {
            assert_eq!(
                g().country_by_name(q).map(|c| c.name.as_str()),
                Some(name),
                "{q}"
            );
        }
        assert!(g().country_by_name("Congo").is_none());
        assert_eq!(g().country_by_name("Guinea").unwrap().iso2, "GN");
        assert_eq!(g().country_by_name("Equatorial Guinea").unwrap().iso2, "GQ");
        assert!(g().countries().len() >= 250);
    }

    #[test]
    fn no_name_maps_to_two_countries() {
        let mut seen: HashMap<String, &str> = HashMap::default();
        for c in g().countries() {
            let mut own = std::collections::HashSet::new();
            for v in std::iter::once(&c.name).chain(&c.aliases) {
                let k = name_key(v);
                if own.insert(k.clone()) {
                    if let Some(other) = seen.insert(k.clone(), &c.name) {
                        panic!("{v:?} names both {other} and {}", c.name);
                    }
                }
            }
        }
    }

    #[test]
    fn topics_broader_links_exist_and_are_acyclic() {
        for t in g().topics() {
            for b in &t.broader {
                assert!(
                    g().topic_by_name(b).is_some(),
                    "{}: unknown broader {b}",
                    t.name
                );
            }
            assert!(
                !g().ancestors(t).iter().any(|a| a.name == t.name),
                "cycle at {}",
                t.name
            );
        }
        let ht = g().topic_by_name("high-tech crime").unwrap();
        assert_eq!(ht.broader, vec!["cybercrime".to_string()]);
        let anc: Vec<&str> = g().ancestors(ht).iter().map(|t| t.name.as_str()).collect();
        assert_eq!(anc, ["cybercrime", "transnational crime"]);
        assert_eq!(
            g().topic_by_name("online scams").unwrap().name,
            "online fraud"
        );
        assert_eq!(g().topic_by_name("Cyber Crime").unwrap().name, "cybercrime");
        assert_eq!(
            g().topic_by_name("narcotics").unwrap().name,
            "drug trafficking"
        );
        assert_eq!(
            g().topic_by_name("wildlife trafficking").unwrap().broader,
            ["environmental crime"]
        );
        assert_eq!(
            g().topic_by_name("illegal migration").unwrap().broader,
            ["border security"]
        );
        for name in [
            "cybercrime",
            "high-tech crime",
            "online fraud",
            "electronic evidence",
            "cybersecurity",
            "data security",
            "telecommunications security",
            "terrorism",
            "drug trafficking",
            "human trafficking",
            "illegal migration",
            "money laundering",
            "wildlife trafficking",
            "environmental crime",
            "smuggling",
            "gambling",
            "transnational crime",
            "extradition",
            "mutual legal assistance",
            "transfer of sentenced persons",
            "fugitive pursuit",
            "information sharing",
            "training",
            "technology transfer",
            "equipment",
            "border security",
        ] {
            assert!(g().topic_by_name(name).is_some(), "missing topic {name}");
        }
    }

    #[test]
    fn organizations() {
        for q in [
            "INTERPOL",
            "Interpol",
            "International Criminal Police Organization",
            "International Criminal Police Organisation",
        ] {
            assert_eq!(g().org_by_name(q).unwrap().name, "INTERPOL", "{q}");
        }
        assert_eq!(g().org_by_name("UNODC").unwrap().kind, "intergovernmental");
        assert_eq!(g().org_by_name("UN").unwrap().name, "United Nations");
        assert!(g().org_by_name("un").is_none());
        assert_eq!(g().org_by_name("Kaspersky").unwrap().kind, "company");
        assert!(g()
            .org_patterns()
            .templates
            .iter()
            .any(|t| t == "Ministry of X"));
    }

    #[test]
    fn roles_ranks_honorifics() {
        let r = g().role_by_title("Minister of Interior").unwrap();
        assert_eq!(r.org.as_deref(), Some("Ministry of Interior"));
        assert_eq!(
            g().role_by_title("Interior Minister")
                .unwrap()
                .org
                .as_deref(),
            Some("Ministry of Interior")
        );
        assert_eq!(
            g().role_by_title("Home Secretary").unwrap().org.as_deref(),
            Some("Home Office")
        );
        for rank in [
            "General",
            "Lieutenant General",
            "Senior Lieutenant General",
            "Major General",
            "Colonel",
            "Police General",
            "Admiral",
        ] {
            assert!(g().rank_by_name(rank).is_some(), "{rank}");
        }
        assert_eq!(
            g().rank_by_name("Lt. Gen.").unwrap().name,
            "Lieutenant General"
        );
        for h in [
            "Mr",
            "Mr.",
            "Mrs",
            "Ms",
            "Dr",
            "Prof.",
            "H.E.",
            "His Excellency",
            "Her Excellency",
            "Sir",
            "Madam",
        ] {
            assert!(g().honorific_by_name(h).is_some(), "{h}");
        }
        let s = g().strip_person_name("Senior Lieutenant General Pham The Tung");
        assert_eq!(
            (s.name.as_str(), s.rank.as_deref()),
            ("Pham The Tung", Some("Senior Lieutenant General"))
        );
        let s = g().strip_person_name("H.E. Mr. Edmund Goh");
        assert_eq!(s.name, "Edmund Goh");
        assert_eq!(s.honorifics, ["His Excellency", "Mr"]);
        assert_eq!(
            g().strip_person_name("Maj. Gen. Hamami Nata")
                .rank
                .as_deref(),
            Some("Major General")
        );
        assert_eq!(g().strip_person_name("General").name, "General");
    }

    fn sources<'a>(countries: &'a str, topics: &'a str) -> Sources<'a> {
        let mut s = Sources::builtin();
        s.countries = Source {
            file: "c.tsv",
            text: countries,
        };
        s.topics = Source {
            file: "t.toml",
            text: topics,
        };
        s
    }

    #[test]
    fn malformed_files_give_located_errors() {
        let bad_tsv =
            "name\tiso2\tiso3\taliases\tdemonyms\nVietnam\tVN\tVNM\tViet Nam\tVietnamese\nLaos\tla\tLAO\t\t\n";
        let e = Gazetteer::from_sources(&sources(bad_tsv, TOPICS_TOML)).unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("c.tsv", 3, 6), "{e}");

        let dup = "name\tiso2\tiso3\taliases\tdemonyms\nA\tAA\tAAA\tX\t\nB\tBB\tBBB\tx\t\n";
        let e = Gazetteer::from_sources(&sources(dup, TOPICS_TOML)).unwrap_err();
        assert_eq!((e.line, e.column), (3, 10), "{e}");

        let bad_toml = "format = 1\n[[topic]]\nname = \"a\"\nbroader = [\"b\"]\n";
        let e = Gazetteer::from_sources(&sources(COUNTRIES_TSV, bad_toml)).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("t.toml", 4, 12),
            "{e}"
        );

        let cycle = "[[topic]]\nname = \"a\"\nbroader = [\"b\"]\n[[topic]]\nname = \"b\"\nbroader = [\"a\"]\n";
        assert!(Gazetteer::from_sources(&sources(COUNTRIES_TSV, cycle)).is_err());

        let syntax = "[[topic]]\nname = \"a\nx";
        let e = Gazetteer::from_sources(&sources(COUNTRIES_TSV, syntax)).unwrap_err();
        assert_eq!(e.line, 2, "{e}");

        let unknown = "[[topic]]\nname = \"a\"\nfoo = 1\n";
        let e = Gazetteer::from_sources(&sources(COUNTRIES_TSV, unknown)).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn national_bodies_by_country_and_their_errors() {
        assert_eq!(
            g().national_body("police", "UG"),
            Some(("Uganda Police Force", "police"))
        );
        assert_eq!(
            g().national_body("police", "ZZ"),
            Some(("National Police", "police"))
        );
        assert_eq!(g().national_body("state department", "FR"), None);
        assert_eq!(
            g().role_by_title("Prime Minister")
                .and_then(|r| r.body.as_deref()),
            Some("government")
        );
        let mut src = Sources::builtin();
        let orgs = "format = 1\n[[national_body]]\nkey = \"police\"\nkind = \"police\"\n[national_body.by_country]\nQQ = \"Nowhere Police\"\n";
        src.organizations = Source {
            file: "o.toml",
            text: orgs,
        };
        let e = Gazetteer::from_sources(&src).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("o.toml", 6), "{e}");
        let mut src = Sources::builtin();
        let roles = "format = 1\n[[role]]\ntitle = \"Chief\"\nbody = \"navy\"\n";
        src.roles = Source {
            file: "r.toml",
            text: roles,
        };
        let e = Gazetteer::from_sources(&src).unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("r.toml", 4, 8), "{e}");
    }
}
