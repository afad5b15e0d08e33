//! Generates `graph-schema/countries.tsv` from the `keshvar` crate (ISO 3166-1 names,
//! unofficial names, nationality) merged with the curated
//! `graph-schema/country-overrides.toml`.
//!
//! Run `cargo run --example gen_gazetteer` to rewrite the file; the test
//! `tests/gazetteer_sync.rs` fails when the committed file is out of date.
//!
//! Rules, in order:
//! * name: the override `name`, else the ISO short name;
//! * aliases: the ISO short name, the ISO long name (leading "The " dropped), the
//!   English translation, the override `aliases`, and those unofficial names that
//!   look English: Latin script only, not equal to a non-English translation, and
//!   made only of words found in some country's ISO names, English translation,
//!   nationality or overrides (this drops "Deutschland", "Islas Malvinas", ...);
//!   minus `remove_aliases`; a leading lower-case "the " is dropped;
//! * duplicates: generated values are deduplicated by lookup key; a curated value
//!   is kept beside an earlier one with the same key only when spelled differently
//!   (the diacritic form "Việt Nam" beside "Viet Nam");
//! * demonyms: keshvar's nationality (split on ", ") plus the override `demonyms`,
//!   minus `remove_demonyms`;
//! * ambiguity: a key (folded, or exact for an upper-case acronym) claimed by two
//!   countries stays with the one that claims it by name or override; if neither
//!   does, with the single UN member among them; otherwise it is dropped from all.
//!   Two curated claims on the same key are an error.

use std::collections::{BTreeMap, HashMap};

use coopgraph::gazetteer::name_key;
use serde::Deserialize;

/// One curated override, keyed by ISO alpha-2 code in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Common English short name replacing the ISO short name.
    pub name: Option<String>,
    /// ISO alpha-3 code; required for an entry keshvar lacks (Kosovo).
    pub iso3: Option<String>,
    /// Extra aliases.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Extra demonyms and adjectives.
    #[serde(default)]
    pub demonyms: Vec<String>,
    /// Aliases to drop (compared folded).
    #[serde(default)]
    pub remove_aliases: Vec<String>,
    /// Demonyms to drop (compared folded).
    #[serde(default)]
    pub remove_demonyms: Vec<String>,
}

/// The whole overrides file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Per-country overrides keyed by ISO alpha-2 code.
    #[serde(default)]
    pub country: BTreeMap<String, Override>,
}

/// One generated row of countries.tsv.
#[derive(Debug, Clone)]
pub struct Row {
    /// Common English short name.
    pub name: String,
    /// ISO alpha-2 code.
    pub iso2: String,
    /// ISO alpha-3 code.
    pub iso3: String,
    /// Aliases in order of preference.
    pub aliases: Vec<String>,
    /// Demonyms and adjectives.
    pub demonyms: Vec<String>,
    /// UN member state (used only to settle ambiguities).
    un_member: bool,
}

/// A candidate value with how strongly its country claims it.
#[derive(Debug, Clone)]
struct Claim {
    value: String,
    curated: bool,
}

fn is_latin(s: &str) -> bool {
    s.chars().all(|c| {
        !c.is_alphabetic()
            || c.is_ascii()
            || ('\u{00C0}'..='\u{024F}').contains(&c)
            || ('\u{1E00}'..='\u{1EFF}').contains(&c)
    })
}

fn words(s: &str) -> Vec<String> {
    fold_words(&coopgraph::fold::fold(s))
}

fn fold_words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn clean(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.strip_prefix("the ") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// Words of every country's ISO names, English translation, nationality, and of
/// every curated name, alias and demonym.
fn english_vocabulary(ov: &Overrides) -> std::collections::HashSet<String> {
    let mut v = std::collections::HashSet::new();
    for c in keshvar::CountryIterator::new() {
        let en = c.translations().get("en").copied().unwrap_or("");
        for s in [
            c.iso_short_name(),
            c.iso_long_name(),
            en,
            c.maybe_nationality().unwrap_or(""),
        ] {
            v.extend(words(s));
        }
    }
    for o in ov.country.values() {
        for s in o.name.iter().chain(&o.aliases).chain(&o.demonyms) {
            v.extend(words(s));
        }
    }
    v
}

fn check_value(iso2: &str, v: &str) -> Result<(), String> {
    if v.is_empty() || v.contains(['\t', '|', '\n', '\r']) {
        return Err(format!(
            "{iso2}: value {v:?} is empty or contains a tab, '|' or newline"
        ));
    }
    Ok(())
}

/// Builds the rows from keshvar and the overrides text.
pub fn build(overrides_toml: &str) -> Result<Vec<Row>, String> {
    let ov: Overrides =
        toml::from_str(overrides_toml).map_err(|e| format!("country-overrides.toml: {e}"))?;
    let vocab = english_vocabulary(&ov);
    let mut known = std::collections::BTreeSet::new();

    // (row, alias claims, demonym claims)
    let mut rows: Vec<(Row, Vec<Claim>, Vec<Claim>)> = Vec::new();
    for c in keshvar::CountryIterator::new() {
        let iso2 = c.alpha2().to_string();
        known.insert(iso2.clone());
        let empty = Override::default();
        let o = ov.country.get(&iso2).unwrap_or(&empty);
        if o.iso3.is_some() {
            return Err(format!(
                "{iso2}: iso3 may only be set for a country keshvar lacks"
            ));
        }
        let name = clean(o.name.as_deref().unwrap_or(c.iso_short_name()));
        let en = c.translations().get("en").copied();
        let mut aliases = vec![Claim {
            value: name.clone(),
            curated: true,
        }];
        let long = c.iso_long_name();
        let long = long.strip_prefix("The ").unwrap_or(long);
        for v in [Some(c.iso_short_name()), Some(long), en]
            .into_iter()
            .flatten()
        {
            aliases.push(Claim {
                value: clean(v),
                curated: false,
            });
        }
        for v in &o.aliases {
            aliases.push(Claim {
                value: clean(v),
                curated: true,
            });
        }
        for &v in c.unofficial_name_list() {
            let foreign_translation =
                Some(v) != en && c.translations().iter().any(|(l, t)| *l != "en" && *t == v);
            let english = words(v).iter().all(|w| vocab.contains(w));
            if is_latin(v) && !foreign_translation && english {
                aliases.push(Claim {
                    value: clean(v),
                    curated: false,
                });
            }
        }
        let mut demonyms = Vec::new();
        if let Some(n) = c.maybe_nationality() {
            for d in n.split(", ") {
                demonyms.push(Claim {
                    value: clean(d),
                    curated: false,
                });
            }
        }
        for v in &o.demonyms {
            demonyms.push(Claim {
                value: clean(v),
                curated: true,
            });
        }
        remove(&mut aliases, &o.remove_aliases);
        remove(&mut demonyms, &o.remove_demonyms);
        let row = Row {
            name,
            iso2,
            iso3: c.alpha3().to_string(),
            aliases: Vec::new(),
            demonyms: Vec::new(),
            un_member: c.un_member(),
        };
        rows.push((row, aliases, demonyms));
    }
    // Entries keshvar lacks (Kosovo).
    for (iso2, o) in &ov.country {
        if known.contains(iso2) {
            continue;
        }
        let (Some(name), Some(iso3)) = (&o.name, &o.iso3) else {
            return Err(format!(
                "{iso2}: not in keshvar, so it needs both name and iso3"
            ));
        };
        let mut aliases = vec![Claim {
            value: clean(name),
            curated: true,
        }];
        aliases.extend(o.aliases.iter().map(|v| Claim {
            value: clean(v),
            curated: true,
        }));
        let demonyms = o
            .demonyms
            .iter()
            .map(|v| Claim {
                value: clean(v),
                curated: true,
            })
            .collect();
        let row = Row {
            name: clean(name),
            iso2: iso2.clone(),
            iso3: iso3.clone(),
            aliases: Vec::new(),
            demonyms: Vec::new(),
            un_member: false,
        };
        rows.push((row, aliases, demonyms));
    }

    let alias_lists = settle(
        &rows.iter().map(|r| (&r.0, &r.1)).collect::<Vec<_>>(),
        "alias",
    )?;
    let demonym_lists = settle(
        &rows.iter().map(|r| (&r.0, &r.2)).collect::<Vec<_>>(),
        "demonym",
    )?;
    let mut out = Vec::new();
    for ((mut row, _, _), (aliases, demonyms)) in rows
        .into_iter()
        .zip(alias_lists.into_iter().zip(demonym_lists))
    {
        let own_key = name_key(&row.name);
        row.aliases = aliases
            .into_iter()
            .filter(|a| *a != row.name && name_key(a) != own_key)
            .collect();
        row.demonyms = demonyms;
        for v in std::iter::once(&row.name)
            .chain(&row.aliases)
            .chain(&row.demonyms)
        {
            check_value(&row.iso2, v)?;
        }
        out.push(row);
    }
    out.sort_by(|a, b| a.iso2.cmp(&b.iso2));
    Ok(out)
}

fn remove(claims: &mut Vec<Claim>, drop: &[String]) {
    let drop: Vec<String> = drop.iter().map(|d| coopgraph::fold::fold(d)).collect();
    claims.retain(|c| !drop.contains(&coopgraph::fold::fold(&c.value)));
}

/// Dedups each country's claims by key and settles keys claimed by several countries.
fn settle(rows: &[(&Row, &Vec<Claim>)], what: &str) -> Result<Vec<Vec<String>>, String> {
    // key -> [(row index, curated)]
    let mut owners: HashMap<String, Vec<(usize, bool)>> = HashMap::new();
    let mut deduped: Vec<Vec<(String, Claim)>> = Vec::new();
    for (i, (_, claims)) in rows.iter().enumerate() {
        let mut seen: Vec<(String, Claim)> = Vec::new();
        for c in claims.iter() {
            let k = name_key(&c.value);
            if let Some(prev) = seen.iter_mut().find(|(pk, _)| *pk == k) {
                if !c.curated || prev.1.value == c.value {
                    prev.1.curated |= c.curated;
                    continue;
                }
            }
            seen.push((k, c.clone()));
        }
        for (k, c) in &seen {
            let list = owners.entry(k.clone()).or_default();
            match list.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 |= c.curated,
                None => list.push((i, c.curated)),
            }
        }
        deduped.push(seen);
    }
    let mut keep_for: HashMap<String, Option<usize>> = HashMap::new();
    for (k, list) in &owners {
        if list.len() < 2 {
            continue;
        }
        let curated: Vec<usize> = list.iter().filter(|(_, c)| *c).map(|(i, _)| *i).collect();
        let winner = match curated.len() {
            1 => Some(curated[0]),
            0 => {
                let un: Vec<usize> = list
                    .iter()
                    .map(|(i, _)| *i)
                    .filter(|&i| rows[i].0.un_member)
                    .collect();
                (un.len() == 1).then(|| un[0])
            }
            _ => {
                let names: Vec<&str> = curated.iter().map(|&i| rows[i].0.iso2.as_str()).collect();
                return Err(format!(
                    "{what} {k:?} is claimed by several countries: {names:?}"
                ));
            }
        };
        keep_for.insert(k.clone(), winner);
    }
    Ok(deduped
        .into_iter()
        .enumerate()
        .map(|(i, claims)| {
            claims
                .into_iter()
                .filter(|(k, _)| keep_for.get(k).is_none_or(|w| *w == Some(i)))
                .map(|(_, c)| c.value)
                .collect()
        })
        .collect())
}

/// Renders rows as the TSV text of countries.tsv.
pub fn render(rows: &[Row]) -> String {
    let mut s = String::from(
        "# Generated by `cargo run --example gen_gazetteer` from keshvar and country-overrides.toml; do not edit.\n",
    );
    s.push_str("name\tiso2\tiso3\taliases\tdemonyms\n");
    for r in rows {
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            r.name,
            r.iso2,
            r.iso3,
            r.aliases.join("|"),
            r.demonyms.join("|")
        ));
    }
    s
}

/// Generates the TSV text from the overrides text.
pub fn generate(overrides_toml: &str) -> Result<String, String> {
    Ok(render(&build(overrides_toml)?))
}

/// Directory holding the data files.
pub fn schema_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graph-schema")
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = schema_dir();
    let overrides = std::fs::read_to_string(dir.join("country-overrides.toml"))?;
    let text = generate(&overrides)?;
    std::fs::write(dir.join("countries.tsv"), &text)?;
    eprintln!(
        "wrote {} countries to {}",
        text.lines().count() - 2,
        dir.join("countries.tsv").display()
    );
    Ok(())
}
