//! Identity across articles: whether an extracted event, agreement or person is a node the
//! graph already holds. A merge needs positive evidence of identity, never the mere absence
//! of a conflict; candidates come from the graph's indexes (by date, by participant and
//! date, by name), never from a scan of a label.
//!
//! - Events: the same kind, and either the same day (both day-precise) with a shared
//!   participant and no conflicting participant or place, or the same proper name
//!   ("Border Security Summit") with compatible dates and places. Dates are compatible
//!   when they agree at the coarser precision; a `month_day` (a day and month written
//!   with no year known, "--03-31") agrees with another month–day or a day-precise date
//!   only on the same month and day.
//! - Agreements: the same document type and the same set of party countries, and the same
//!   date or the same proper title.
//! - Persons: the same name or a known alias, and no conflicting country.

use crate::extract::{Extraction, Kind, Prop};
use crate::fold::{fold, name_key};
use crate::graph::{Graph, NodeRec};
use crate::value::Value;
use chrono::NaiveDate;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

/// A name as written, with its [`name_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The comparison key.
    pub key: String,
    /// The written form.
    pub text: String,
}

impl Named {
    fn new(text: &str) -> Named {
        Named {
            key: name_key(text),
            text: text.to_string(),
        }
    }
}

/// Where an event was held: a place (with the key of its country) or a country.
#[derive(Debug, Clone)]
pub struct Held {
    /// The place or country.
    pub name: Named,
    /// The key of the country the place lies in (the country itself for a country).
    pub country: Option<String>,
    /// Whether the event is only known to be held in this country.
    pub is_country: bool,
}

/// What identity needs to know of an event, from an extraction or from the graph.
#[derive(Debug, Clone, Default)]
pub struct EventFacts {
    /// `kind` ("meeting", "conference", …).
    pub kind: Option<String>,
    /// `date`.
    pub date: Option<NaiveDate>,
    /// `date_precision`: "day", "month" or "year".
    pub precision: Option<String>,
    /// `month_day` as (month, day): a day and month written with no year known.
    pub month_day: Option<(u32, u32)>,
    /// Proper names ("Border Security Summit on Organised Immigration Crime") and their
    /// short forms ("Border Security Summit").
    pub names: Vec<String>,
    /// Where it was held.
    pub held: Vec<Held>,
    /// Participating persons, in the order written.
    pub persons: Vec<Named>,
    /// Participating countries.
    pub countries: Vec<Named>,
    /// Participating organisations.
    pub orgs: Vec<Named>,
}

/// What identity needs to know of an agreement.
#[derive(Debug, Clone, Default)]
pub struct AgreementFacts {
    /// The document type: the head noun of the title ("memorandum", "treaty").
    pub doc_type: Option<String>,
    /// Proper titles among the title and aliases ("Hanoi Convention"); none for a
    /// description ("memorandum of understanding").
    pub proper: Vec<String>,
    /// `date`.
    pub date: Option<NaiveDate>,
    /// Party countries, sorted by key.
    pub parties: Vec<Named>,
}

/// What identity needs to know of a person.
#[derive(Debug, Clone, Default)]
pub struct PersonFacts {
    /// The name, then the aliases.
    pub names: Vec<String>,
    /// The countries the person is of.
    pub countries: Vec<Named>,
}

fn prop_of(props: &[(&'static str, Prop)], k: &str) -> Option<Prop> {
    props.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
}

fn push_unique(v: &mut Vec<Named>, n: Named) {
    if !v.iter().any(|x| x.key == n.key) {
        v.push(n);
    }
}

/// The short form of a qualified name: "Border Security Summit on Organised Immigration
/// Crime" → "Border Security Summit". `None` when the name has no qualifier, or the part
/// before it is a single word.
pub fn stem(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let cut = words
        .iter()
        .position(|w| matches!(fold(w).as_str(), "on" | "of" | "against" | "for"))?;
    (cut >= 2).then(|| words[..cut].join(" "))
}

/// A name with its short form, when it has one.
pub fn with_stem(name: &str) -> Vec<String> {
    let mut v = vec![name.to_string()];
    if let Some(s) = stem(name) {
        v.push(s);
    }
    v
}

impl EventFacts {
    /// The facts of event entity `i` of an extraction.
    pub fn of_extraction(x: &Extraction, i: usize) -> EventFacts {
        let e = &x.entities[i];
        let mut f = EventFacts {
            kind: match prop_of(&e.props, "kind") {
                Some(Prop::Str(s)) => Some(s),
                _ => None,
            },
            date: match prop_of(&e.props, "date") {
                Some(Prop::Date(d)) => Some(d),
                _ => None,
            },
            precision: match prop_of(&e.props, "date_precision") {
                Some(Prop::Str(s)) => Some(s),
                _ => None,
            },
            month_day: match prop_of(&e.props, "month_day") {
                Some(Prop::Str(s)) => parse_month_day(&s),
                _ => None,
            },
            ..EventFacts::default()
        };
        // The written name is the alias the extraction's title starts with.
        let title = fold(&e.name);
        for a in &e.aliases {
            if title.starts_with(&fold(a)) && !f.names.contains(a) {
                f.names.extend(with_stem(a));
            }
        }
        for r in &x.relations {
            if r.ty == "HELD_IN" && r.src == i {
                let t = &x.entities[r.dst];
                let is_country = t.kind == Kind::Country;
                let country = if is_country {
                    Some(name_key(&t.name))
                } else {
                    x.relations
                        .iter()
                        .find(|c| c.ty == "IN" && c.src == r.dst)
                        .map(|c| name_key(&x.entities[c.dst].name))
                };
                f.held.push(Held {
                    name: Named::new(&t.name),
                    country,
                    is_country,
                });
            }
            if r.ty == "PARTICIPATED_IN" && r.dst == i {
                let s = &x.entities[r.src];
                let n = Named::new(&s.name);
                match s.kind {
                    Kind::Person => push_unique(&mut f.persons, n),
                    Kind::Country => push_unique(&mut f.countries, n),
                    Kind::Organization => push_unique(&mut f.orgs, n),
                    _ => {}
                }
            }
        }
        f
    }

    /// The facts of an Event node of the graph.
    pub fn of_node(g: &Graph, ix: NodeIndex) -> EventFacts {
        let Some(n) = g.node(ix) else {
            return EventFacts::default();
        };
        let s = g.schema();
        let mut f = EventFacts {
            kind: str_prop(g, n, "kind"),
            date: date_prop(g, n),
            precision: str_prop(g, n, "date_precision"),
            month_day: str_prop(g, n, "month_day").and_then(|s| parse_month_day(&s)),
            ..EventFacts::default()
        };
        // The proper name with its short form, then the other written names.
        if let Some(name) = str_prop(g, n, "name") {
            f.names = with_stem(&name);
        }
        for a in aliases(g, n) {
            if !f.names.iter().any(|x| name_key(x) == name_key(&a)) {
                f.names.push(a);
            }
        }
        let (Ok(held_in), Ok(part), Ok(in_rel)) = (
            s.rel_type("HELD_IN"),
            s.rel_type("PARTICIPATED_IN"),
            s.rel_type("IN"),
        ) else {
            return f;
        };
        let label_of = |o: &NodeRec| s.labels()[o.label as usize].name.as_str();
        for er in g.edges(ix, Direction::Outgoing) {
            if er.weight().rel_type() != held_in {
                continue;
            }
            let Some(t) = g.node(er.target()) else {
                continue;
            };
            let Some(name) = g.names_of(t).next() else {
                continue;
            };
            let is_country = label_of(t) == "Country";
            let country = if is_country {
                Some(name_key(name))
            } else {
                g.edges(er.target(), Direction::Outgoing)
                    .find(|c| c.weight().rel_type() == in_rel)
                    .and_then(|c| g.node(c.target()))
                    .and_then(|c| g.names_of(c).next())
                    .map(name_key)
            };
            f.held.push(Held {
                name: Named::new(name),
                country,
                is_country,
            });
        }
        for er in g.edges(ix, Direction::Incoming) {
            if er.weight().rel_type() != part {
                continue;
            }
            let Some(o) = g.node(er.source()) else {
                continue;
            };
            let Some(name) = g.names_of(o).next() else {
                continue;
            };
            let n = Named::new(name);
            match label_of(o) {
                "Person" => push_unique(&mut f.persons, n),
                "Country" => push_unique(&mut f.countries, n),
                "Organization" => push_unique(&mut f.orgs, n),
                _ => {}
            }
        }
        f
    }
}

/// The (month, day) of a `month_day` value "--MM-DD".
pub fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.strip_prefix("--")?.split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
}

fn str_prop(g: &Graph, n: &NodeRec, k: &str) -> Option<String> {
    let k = g.schema().key(k)?;
    Graph::prop(&n.props, k)
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn date_prop(g: &Graph, n: &NodeRec) -> Option<NaiveDate> {
    let k = g.schema().key("date")?;
    match Graph::prop(&n.props, k) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

fn aliases(g: &Graph, n: &NodeRec) -> Vec<String> {
    g.schema()
        .key("aliases")
        .and_then(|k| Graph::prop(&n.props, k))
        .and_then(Value::as_list)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Words that end the head of an agreement title ("memorandum of understanding on …").
fn is_title_preposition(w: &str) -> bool {
    matches!(
        w,
        "on" | "of" | "for" | "against" | "in" | "between" | "to" | "concerning" | "regarding"
    )
}

/// A title without the parties ingest's extraction appends to a description
/// ("memorandum of understanding (Australia–Indonesia)").
fn without_parties(title: &str) -> (&str, bool) {
    match title.rfind(" (") {
        Some(p) if title.ends_with(')') && title[p..].contains('–') => (&title[..p], true),
        _ => (title, false),
    }
}

/// The document type of an agreement title: the last word before its first preposition
/// ("Agreement on Extradition" → "agreement", "Hanoi Convention" → "convention",
/// "memorandum of understanding" and "MoU" → "memorandum").
pub fn doc_type(title: &str) -> Option<String> {
    let (t, _) = without_parties(title);
    let words: Vec<String> = t
        .split_whitespace()
        .map(|w| fold(w.trim_matches(|c: char| !c.is_alphanumeric())))
        .filter(|w| !w.is_empty())
        .collect();
    let cut = words
        .iter()
        .position(|w| is_title_preposition(w))
        .unwrap_or(words.len());
    let head = words.get(cut.checked_sub(1)?)?;
    Some(if head == "mou" {
        "memorandum".into()
    } else {
        head.clone()
    })
}

/// Whether an agreement title is a proper name ("Hanoi Convention", "Agreement on
/// Mutual Legal Assistance") rather than a description ("memorandum of understanding",
/// "Memorandum of Understanding", "cooperation agreement (Vietnam–Laos)").
pub fn is_proper_title(title: &str) -> bool {
    let (t, built) = without_parties(title);
    if built {
        return false;
    }
    let Some(head) = doc_type(t) else {
        return false;
    };
    let words: Vec<&str> = t.split_whitespace().collect();
    let head_capital = words.iter().any(|w| {
        let f = fold(w.trim_matches(|c: char| !c.is_alphanumeric()));
        (f == head || (head == "memorandum" && f == "mou"))
            && w.chars().next().is_some_and(char::is_uppercase)
    });
    let other_capital = words.iter().any(|w| {
        let f = fold(w.trim_matches(|c: char| !c.is_alphanumeric()));
        f != head
            && f != "mou"
            && !(head == "memorandum" && f == "understanding")
            && w.chars().next().is_some_and(char::is_uppercase)
    });
    head_capital && other_capital
}

impl AgreementFacts {
    /// The facts of agreement entity `i` of an extraction.
    pub fn of_extraction(x: &Extraction, i: usize) -> AgreementFacts {
        let e = &x.entities[i];
        let mut f = AgreementFacts {
            doc_type: doc_type(&e.name),
            date: match prop_of(&e.props, "date") {
                Some(Prop::Date(d)) => Some(d),
                _ => None,
            },
            ..AgreementFacts::default()
        };
        f.proper = std::iter::once(&e.name)
            .chain(&e.aliases)
            .filter(|t| is_proper_title(t))
            .cloned()
            .collect();
        for r in &x.relations {
            if r.ty != "PARTY_TO" || r.dst != i {
                continue;
            }
            let s = &x.entities[r.src];
            match s.kind {
                Kind::Country => push_unique(&mut f.parties, Named::new(&s.name)),
                Kind::Organization => {
                    for c in x
                        .relations
                        .iter()
                        .filter(|c| c.ty == "OF" && c.src == r.src)
                    {
                        push_unique(&mut f.parties, Named::new(&x.entities[c.dst].name));
                    }
                }
                _ => {}
            }
        }
        f.parties.sort_by(|a, b| a.key.cmp(&b.key));
        f
    }

    /// The facts of an Agreement node of the graph.
    pub fn of_node(g: &Graph, ix: NodeIndex) -> AgreementFacts {
        let Some(n) = g.node(ix) else {
            return AgreementFacts::default();
        };
        let s = g.schema();
        let title = str_prop(g, n, "title").unwrap_or_default();
        let mut f = AgreementFacts {
            doc_type: doc_type(&title),
            date: date_prop(g, n),
            ..AgreementFacts::default()
        };
        f.proper = std::iter::once(title)
            .chain(aliases(g, n))
            .filter(|t| is_proper_title(t))
            .collect();
        let (Ok(party), Ok(of)) = (s.rel_type("PARTY_TO"), s.rel_type("OF")) else {
            return f;
        };
        for er in g.edges(ix, Direction::Incoming) {
            if er.weight().rel_type() != party {
                continue;
            }
            let Some(o) = g.node(er.source()) else {
                continue;
            };
            match s.labels()[o.label as usize].name.as_str() {
                "Country" => {
                    if let Some(name) = g.names_of(o).next() {
                        push_unique(&mut f.parties, Named::new(name));
                    }
                }
                "Organization" => {
                    for c in g.edges(er.source(), Direction::Outgoing) {
                        if c.weight().rel_type() == of {
                            if let Some(name) =
                                g.node(c.target()).and_then(|c| g.names_of(c).next())
                            {
                                push_unique(&mut f.parties, Named::new(name));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        f.parties.sort_by(|a, b| a.key.cmp(&b.key));
        f
    }
}

impl PersonFacts {
    /// The facts of person entity `i` of an extraction.
    pub fn of_extraction(x: &Extraction, i: usize) -> PersonFacts {
        let e = &x.entities[i];
        let mut f = PersonFacts {
            names: std::iter::once(&e.name)
                .chain(&e.aliases)
                .cloned()
                .collect(),
            countries: Vec::new(),
        };
        for r in x.relations.iter().filter(|r| r.ty == "OF" && r.src == i) {
            push_unique(&mut f.countries, Named::new(&x.entities[r.dst].name));
        }
        f
    }

    /// The facts of a Person node of the graph.
    pub fn of_node(g: &Graph, ix: NodeIndex) -> PersonFacts {
        let Some(n) = g.node(ix) else {
            return PersonFacts::default();
        };
        let mut f = PersonFacts {
            names: g.names_of(n).map(str::to_string).collect(),
            countries: Vec::new(),
        };
        if let Ok(of) = g.schema().rel_type("OF") {
            for er in g.edges(ix, Direction::Outgoing) {
                if er.weight().rel_type() == of {
                    if let Some(name) = g.node(er.target()).and_then(|c| g.names_of(c).next()) {
                        push_unique(&mut f.countries, Named::new(name));
                    }
                }
            }
        }
        f
    }
}

/// The name both lists share ("Border Security Summit"), when the names agree: some pair
/// is equal or one is the short form of the other, and no two qualified names with the
/// same short form differ ("… Summit on Drugs" is not "… Summit on Cybercrime").
fn shared_name(mine: &[String], theirs: &[String]) -> Option<String> {
    let short = |n: &str| stem(n).map(|s| name_key(&s));
    let mut found: Option<String> = None;
    for a in mine {
        for b in theirs {
            let (ka, kb) = (name_key(a), name_key(b));
            if ka.is_empty() || kb.is_empty() {
                continue;
            }
            let (sa, sb) = (short(a), short(b));
            if let (Some(x), Some(y)) = (&sa, &sb) {
                if x == y && ka != kb {
                    return None;
                }
            }
            let matched = ka == kb
                || (sa.is_none() && sb.as_deref() == Some(ka.as_str()))
                || (sb.is_none() && sa.as_deref() == Some(kb.as_str()));
            if matched {
                let n = if a.len() <= b.len() { a } else { b };
                if found.as_ref().is_none_or(|f| n.len() < f.len()) {
                    found = Some(n.clone());
                }
            }
        }
    }
    found
}

fn precision_rank(p: Option<&str>) -> u8 {
    match p {
        Some("day") => 2,
        Some("month") => 1,
        _ => 0,
    }
}

/// How a date reads in a reason: "March 31, 2025", "May 1993", "1993".
pub fn date_words(d: NaiveDate, precision: Option<&str>) -> String {
    match precision_rank(precision) {
        2 => d.format("%B %-d, %Y").to_string(),
        1 => d.format("%B %Y").to_string(),
        _ => d.format("%Y").to_string(),
    }
}

/// The month and day an event is known to be on: its `month_day`, or those of a
/// day-precise date.
fn month_and_day(f: &EventFacts) -> Option<(u32, u32)> {
    use chrono::Datelike;
    f.month_day.or_else(|| {
        f.date
            .filter(|_| precision_rank(f.precision.as_deref()) == 2)
            .map(|d| (d.month(), d.day()))
    })
}

/// The month an event is known to be in: that of its `month_day` or of a date precise to
/// the month or day.
fn month_of(f: &EventFacts) -> Option<u32> {
    use chrono::Datelike;
    f.month_day.map(|(m, _)| m).or_else(|| {
        f.date
            .filter(|_| precision_rank(f.precision.as_deref()) >= 1)
            .map(|d| d.month())
    })
}

/// Whether two values are both known and differ.
fn conflict<T: PartialEq>(x: Option<T>, y: Option<T>) -> bool {
    matches!((x, y), (Some(x), Some(y)) if x != y)
}

/// Whether two event dates agree at the coarser precision; the words saying so. A
/// `month_day` agrees with another month–day, or a day-precise date, of the same month
/// and day, and with a month-precise date of its month.
fn dates_agree(a: &EventFacts, b: &EventFacts) -> Option<String> {
    use chrono::Datelike;
    if conflict(month_and_day(a), month_and_day(b)) || conflict(month_of(a), month_of(b)) {
        return None;
    }
    match (a.date, b.date) {
        (None, None) | (Some(_), None) | (None, Some(_)) => {
            if let (Some((m, d)), Some(_)) = (month_and_day(a), month_and_day(b)) {
                let words = NaiveDate::from_ymd_opt(2000, m, d)
                    .map(|x| x.format("%B %-d").to_string())
                    .unwrap_or_default();
                let year = if a.date.is_none() && b.date.is_none() {
                    "no year known"
                } else {
                    "year known in one report"
                };
                return Some(format!("same date {words} ({year})"));
            }
            Some(
                if a.date.is_none() && b.date.is_none() {
                    "both undated"
                } else {
                    "undated in one report"
                }
                .into(),
            )
        }
        (Some(x), Some(y)) => {
            let p =
                precision_rank(a.precision.as_deref()).min(precision_rank(b.precision.as_deref()));
            let same = x.year() == y.year()
                && (p < 1 || x.month() == y.month())
                && (p < 2 || x.day() == y.day());
            let coarse = if p == precision_rank(a.precision.as_deref()) {
                a.precision.as_deref()
            } else {
                b.precision.as_deref()
            };
            same.then(|| format!("same date {}", date_words(x, coarse)))
        }
    }
}

/// Whether two events' places agree; the words saying so. A place agrees with the
/// country it lies in; an event without a place agrees with any.
fn places_agree(a: &EventFacts, b: &EventFacts) -> Option<String> {
    if a.held.is_empty() || b.held.is_empty() {
        return Some(String::new());
    }
    for x in &a.held {
        if let Some(y) = b.held.iter().find(|y| y.name.key == x.name.key) {
            return Some(format!("same place {}", y.name.text));
        }
    }
    let within = |countries: &[Held], places: &[Held]| {
        countries.iter().all(|c| c.is_country)
            && countries.iter().all(|c| {
                places
                    .iter()
                    .any(|p| p.country.as_ref() == Some(&c.name.key))
            })
    };
    if within(&a.held, &b.held) || within(&b.held, &a.held) {
        let place = a.held.iter().chain(&b.held).find(|h| !h.is_country);
        let country = a.held.iter().chain(&b.held).find(|h| h.is_country);
        if let (Some(p), Some(c)) = (place, country) {
            return Some(format!("place {} in {}", p.name.text, c.name.text));
        }
    }
    None
}

fn subset(a: &[Named], b: &[Named]) -> bool {
    a.iter().all(|x| b.iter().any(|y| y.key == x.key))
}

fn nested(a: &[Named], b: &[Named]) -> bool {
    subset(a, b) || subset(b, a)
}

fn join_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn reason(parts: Vec<String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why event `mine` is the event `theirs` (an existing node), or `None` when there is no
/// positive evidence that it is.
pub fn same_event(mine: &EventFacts, theirs: &EventFacts) -> Option<String> {
    if mine.kind.is_none() || mine.kind != theirs.kind {
        return None;
    }
    let place = places_agree(mine, theirs)?;
    let name = shared_name(&mine.names, &theirs.names);
    if !mine.names.is_empty() && !theirs.names.is_empty() && name.is_none() {
        return None;
    }
    if let Some(name) = name {
        let date = dates_agree(mine, theirs)?;
        return Some(reason(vec![format!("same name '{name}'"), place, date]));
    }
    let day = |f: &EventFacts| f.date.filter(|_| f.precision.as_deref() == Some("day"));
    let d = day(mine).filter(|d| day(theirs) == Some(*d))?;
    if !nested(&mine.persons, &theirs.persons) || !nested(&mine.countries, &theirs.countries) {
        return None;
    }
    let shared = mine
        .persons
        .iter()
        .find(|p| theirs.persons.iter().any(|q| q.key == p.key));
    let who = match shared {
        Some(p) => format!("shared participant {}", p.text),
        None if !mine.countries.is_empty()
            && mine.countries.len() == theirs.countries.len()
            && subset(&mine.countries, &theirs.countries) =>
        {
            let names: Vec<&str> = mine.countries.iter().map(|c| c.text.as_str()).collect();
            format!("same participants {}", join_words(&names))
        }
        None => return None,
    };
    Some(reason(vec![
        format!(
            "same {} on {}",
            mine.kind.as_deref().unwrap_or("event"),
            date_words(d, Some("day"))
        ),
        who,
        place,
    ]))
}

/// Why agreement `mine` is the agreement `theirs`, or `None`.
pub fn same_agreement(mine: &AgreementFacts, theirs: &AgreementFacts) -> Option<String> {
    if mine.doc_type.is_none() || mine.doc_type != theirs.doc_type {
        return None;
    }
    if mine.parties.len() != theirs.parties.len() || !subset(&mine.parties, &theirs.parties) {
        return None;
    }
    if let (Some(a), Some(b)) = (mine.date, theirs.date) {
        if a != b {
            return None;
        }
    }
    let names: Vec<&str> = mine.parties.iter().map(|p| p.text.as_str()).collect();
    let parties = if names.is_empty() {
        "no party country on either side".to_string()
    } else {
        format!("same parties {}", join_words(&names))
    };
    let date = mine
        .date
        .filter(|_| theirs.date.is_some())
        .map(|d| format!("same date {}", date_words(d, Some("day"))))
        .unwrap_or_default();
    let title = mine
        .proper
        .iter()
        .find(|t| theirs.proper.iter().any(|u| name_key(u) == name_key(t)));
    if let Some(t) = title {
        return Some(reason(vec![format!("same title '{t}'"), parties, date]));
    }
    if !mine.proper.is_empty() && !theirs.proper.is_empty() {
        return None;
    }
    if date.is_empty() || names.is_empty() {
        return None;
    }
    Some(reason(vec![
        format!("same type {}", mine.doc_type.as_deref().unwrap_or("")),
        parties,
        date,
    ]))
}

/// Why person `mine` is the person `theirs` (found by one of `mine`'s names), or `None`
/// when their countries conflict.
pub fn same_person(mine: &PersonFacts, theirs: &PersonFacts) -> Option<String> {
    if !mine.countries.is_empty()
        && !theirs.countries.is_empty()
        && !mine
            .countries
            .iter()
            .any(|c| theirs.countries.iter().any(|d| d.key == c.key))
    {
        return None;
    }
    let their_name = theirs.names.first().map(|n| name_key(n));
    let how = mine.names.iter().enumerate().find_map(|(i, n)| {
        let k = name_key(n);
        if Some(&k) == their_name.as_ref() && i == 0 {
            Some(format!("same name '{n}'"))
        } else if theirs.names.iter().any(|t| name_key(t) == k) {
            Some(format!("known alias '{n}'"))
        } else {
            None
        }
    })?;
    let country = mine
        .countries
        .iter()
        .find(|c| theirs.countries.iter().any(|d| d.key == c.key))
        .map(|c| format!("same country {}", c.text))
        .unwrap_or_default();
    Some(reason(vec![how, country]))
}

/// The Country nodes a person's countries name (by each node's own name, as
/// [`PersonFacts::of_node`] compares them); `None` when there are no countries.
fn country_nodes(g: &Graph, countries: &[Named]) -> Option<Vec<NodeIndex>> {
    if countries.is_empty() {
        return None;
    }
    let label = g.schema().label("Country").ok()?;
    let mut v: Vec<NodeIndex> = countries
        .iter()
        .flat_map(|c| {
            g.find_by_name(label, &c.text).into_iter().filter(|&ix| {
                g.node(ix)
                    .and_then(|n| g.names_of(n).next())
                    .is_some_and(|n| name_key(n) == c.key)
            })
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    Some(v)
}

/// The events of `label` on day `d` that [`same_event`] can find to be `mine`, from the
/// participation index: those `mine`'s persons or its first country took part in, and,
/// when `mine` has a name, the named ones. Every event of the day that the rule accepts is
/// among them: without a shared name it needs a shared person or the same countries;
/// with one, both events named. All of them are events of that day, so the rule sees a
/// subset of [`Graph::find_by_date`] that holds each event it would accept there.
fn same_day_candidates(
    g: &Graph,
    label: crate::schema::LabelId,
    d: NaiveDate,
    mine: &EventFacts,
    out: &mut Vec<NodeIndex>,
) {
    if !mine.names.is_empty() {
        out.extend(g.find_named_on(label, d));
    }
    let s = g.schema();
    let groups = [
        ("Person", &mine.persons[..]),
        ("Country", mine.countries.get(..1).unwrap_or(&[])),
    ];
    for (l, names) in groups {
        let Ok(l) = s.label(l) else {
            continue;
        };
        // Every node named like `n` is under its name key (the rule compares name keys).
        for n in names {
            for who in g.name_slots(l, &n.text) {
                out.extend(g.find_participated(who, label, d));
            }
        }
    }
}

/// Whether node `n` already carries evidence from document `doc`.
pub fn has_doc(n: &NodeRec, doc: u32) -> bool {
    let i = n.prov.partition_point(|e| e.doc < doc);
    n.prov.get(i).is_some_and(|e| e.doc == doc)
}

/// A node an entity is found to be.
#[derive(Debug, Clone)]
pub struct Found {
    /// The node's id number.
    pub node: u32,
    /// The rule's reason.
    pub reason: String,
    /// Whether the node holds other articles' facts (a cross-article merge, recorded);
    /// otherwise the node is one this article's earlier entities went to.
    pub cross: bool,
}

/// The node that entity `i` of `x` (from document `doc`) is, if any. First the nodes this
/// article's earlier entities went to (`placed`: node id number and entity index), judged
/// against those entities' own facts, so that an article's entities merge with each other
/// exactly as they would if it were ingested alone; then other articles' nodes, from the
/// date and name indexes, lowest id first, that carry nothing of this document yet.
pub fn find_existing(
    g: &Graph,
    doc: u32,
    x: &Extraction,
    i: usize,
    placed: &[(u32, usize)],
) -> Option<Found> {
    let e = &x.entities[i];
    let label = g.schema().label(e.kind.label()).ok()?;
    let kind = e.kind;
    let own = placed
        .iter()
        .filter(|(_, k)| x.entities[*k].kind == kind)
        .find_map(|&(node, k)| {
            let reason = match kind {
                Kind::Event => same_event(
                    &EventFacts::of_extraction(x, i),
                    &EventFacts::of_extraction(x, k),
                ),
                Kind::Agreement => same_agreement(
                    &AgreementFacts::of_extraction(x, i),
                    &AgreementFacts::of_extraction(x, k),
                ),
                Kind::Person => same_person(
                    &PersonFacts::of_extraction(x, i),
                    &PersonFacts::of_extraction(x, k),
                ),
                _ => None,
            }?;
            Some(Found {
                node,
                reason,
                cross: false,
            })
        });
    if own.is_some() {
        return own;
    }
    let mut candidates: Vec<NodeIndex> = Vec::new();
    let decide: Box<dyn Fn(NodeIndex) -> Option<String>> = match kind {
        Kind::Event => {
            let mine = EventFacts::of_extraction(x, i);
            if let (Some(d), Some("day")) = (mine.date, mine.precision.as_deref()) {
                if g.participations_built() {
                    same_day_candidates(g, label, d, &mine, &mut candidates);
                } else {
                    candidates.extend(g.find_by_date(label, d));
                }
            }
            for n in &mine.names {
                candidates.extend(g.find_by_name(label, n));
            }
            Box::new(move |ix| same_event(&mine, &EventFacts::of_node(g, ix)))
        }
        Kind::Agreement => {
            let mine = AgreementFacts::of_extraction(x, i);
            if let Some(d) = mine.date {
                candidates.extend(g.find_by_date(label, d));
            }
            for t in &mine.proper {
                candidates.extend(g.find_by_name(label, t));
            }
            Box::new(move |ix| same_agreement(&mine, &AgreementFacts::of_node(g, ix)))
        }
        Kind::Person => {
            let mine = PersonFacts::of_extraction(x, i);
            match country_nodes(g, &mine.countries) {
                // Only namesakes whose countries cannot conflict: those of one of mine, and
                // those of none (the scope index; the rule below decides as for any other).
                Some(countries) if g.scopes_built() => {
                    for n in &mine.names {
                        candidates.extend(g.find_unscoped(label, n));
                        for &c in &countries {
                            candidates.extend(g.find_in_scope(label, n, c));
                        }
                    }
                }
                _ => {
                    for n in &mine.names {
                        candidates.extend(g.find_by_name(label, n));
                    }
                }
            }
            Box::new(move |ix| same_person(&mine, &PersonFacts::of_node(g, ix)))
        }
        _ => return None,
    };
    candidates.sort_by_key(|ix| g.node(*ix).map_or(u32::MAX, |n| n.id));
    candidates.dedup();
    candidates.into_iter().find_map(|ix| {
        let n = g.node(ix)?;
        if has_doc(n, doc) {
            return None;
        }
        decide(ix).map(|reason| Found {
            node: n.id,
            reason,
            cross: true,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_and_document_types() {
        assert_eq!(
            stem("Border Security Summit on Organised Immigration Crime").as_deref(),
            Some("Border Security Summit")
        );
        assert_eq!(stem("Summit on Drugs"), None);
        assert_eq!(stem("Border Security Summit"), None);
        assert_eq!(
            doc_type("memorandum of understanding (Australia–Indonesia)").as_deref(),
            Some("memorandum")
        );
        assert_eq!(doc_type("MoU on crime").as_deref(), Some("memorandum"));
        assert_eq!(
            doc_type("United Nations Convention against Cybercrime").as_deref(),
            Some("convention")
        );
        assert_eq!(
            doc_type("Mutual Legal Assistance Treaty").as_deref(),
            Some("treaty")
        );
        assert!(is_proper_title("Hanoi Convention"));
        assert!(is_proper_title("Agreement on Mutual Legal Assistance"));
        assert!(!is_proper_title("Memorandum of Understanding"));
        assert!(!is_proper_title("memorandum of understanding on crime"));
        assert!(!is_proper_title("Cooperation Agreement (Vietnam–Laos)"));
    }

    #[test]
    fn names_agree_on_a_short_form_but_not_on_two_qualifiers() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let long = v(&[
            "Border Security Summit on Organised Immigration Crime",
            "Border Security Summit",
        ]);
        assert_eq!(
            shared_name(&v(&["Border Security Summit"]), &long).as_deref(),
            Some("Border Security Summit")
        );
        assert_eq!(
            shared_name(
                &v(&["Border Security Summit on Drugs", "Border Security Summit"]),
                &long
            ),
            None
        );
        assert_eq!(
            shared_name(&v(&["East Asia Summit"]), &v(&["ASEAN Summit"])),
            None
        );
    }

    fn meeting(day: Option<u32>, persons: &[&str], countries: &[&str], place: &str) -> EventFacts {
        EventFacts {
            kind: Some("meeting".into()),
            date: day.and_then(|d| NaiveDate::from_ymd_opt(2025, 10, d)),
            precision: day.map(|_| "day".into()),
            held: vec![Held {
                name: Named::new(place),
                country: Some(name_key("Vietnam")),
                is_country: false,
            }],
            persons: persons.iter().map(|p| Named::new(p)).collect(),
            countries: countries.iter().map(|p| Named::new(p)).collect(),
            ..EventFacts::default()
        }
    }

    #[test]
    fn one_host_meeting_two_counterparts_on_one_day_is_two_meetings() {
        let a = meeting(
            Some(26),
            &["Host Minister", "Guest One"],
            &["Vietnam", "Mozambique"],
            "Hanoi",
        );
        let b = meeting(
            Some(26),
            &["Host Minister", "Guest Two"],
            &["Vietnam", "Iran"],
            "Hanoi",
        );
        let a2 = meeting(
            Some(26),
            &["Host Minister"],
            &["Vietnam", "Mozambique"],
            "Hanoi",
        );
        assert_eq!(same_event(&a, &b), None);
        assert!(same_event(&a2, &a)
            .unwrap()
            .contains("shared participant Host Minister"));
        // Undated, no name: never the same event.
        let u = meeting(
            None,
            &["Host Minister", "Guest One"],
            &["Vietnam", "Mozambique"],
            "Hanoi",
        );
        assert_eq!(same_event(&u, &u.clone()), None);
        // Another day, or another city.
        assert_eq!(
            same_event(&meeting(Some(27), &["Host Minister"], &[], "Hanoi"), &a),
            None
        );
        assert_eq!(
            same_event(&meeting(Some(26), &["Host Minister"], &[], "Da Nang"), &a),
            None
        );
    }

    fn summit(date: Option<(i32, u32, u32)>, month_day: Option<&str>) -> EventFacts {
        EventFacts {
            kind: Some("conference".into()),
            date: date.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            precision: date.map(|_| "day".into()),
            month_day: month_day.and_then(parse_month_day),
            names: vec!["Border Security Summit".into()],
            held: vec![Held {
                name: Named::new("London"),
                country: Some(name_key("United Kingdom")),
                is_country: false,
            }],
            ..EventFacts::default()
        }
    }

    #[test]
    fn named_events_without_a_year_agree_only_on_the_same_month_and_day() {
        assert_eq!(parse_month_day("--03-31"), Some((3, 31)));
        assert_eq!(parse_month_day("--02-30"), None);
        assert_eq!(parse_month_day("2025-03-31"), None);
        let march31 = summit(None, Some("--03-31"));
        assert_eq!(
            same_event(&march31, &summit(None, Some("--03-31"))).as_deref(),
            Some(
                "same name 'Border Security Summit', same place London, \
                 same date March 31 (no year known)"
            )
        );
        assert_eq!(same_event(&march31, &summit(None, Some("--04-01"))), None);
        // A full date on one side: the same month and day, whatever the year.
        assert_eq!(
            same_event(&summit(Some((2025, 3, 31)), None), &march31).as_deref(),
            Some(
                "same name 'Border Security Summit', same place London, \
                 same date March 31 (year known in one report)"
            )
        );
        assert_eq!(
            same_event(&march31, &summit(Some((2025, 4, 1)), None)),
            None
        );
        // A date known only to the month must be of that month.
        let mut may = summit(Some((2025, 5, 1)), None);
        may.precision = Some("month".into());
        assert_eq!(same_event(&march31, &may), None);
        may.date = NaiveDate::from_ymd_opt(2025, 3, 1);
        assert!(same_event(&march31, &may).is_some());
        // No date at all on one side conflicts with nothing, as before.
        assert!(same_event(&march31, &summit(None, None))
            .unwrap()
            .ends_with("both undated"));
    }

    #[test]
    fn agreements_need_the_same_parties_and_a_date_or_a_title() {
        let mou = |parties: &[&str], date: Option<NaiveDate>| AgreementFacts {
            doc_type: Some("memorandum".into()),
            proper: Vec::new(),
            date,
            parties: parties.iter().map(|p| Named::new(p)).collect(),
        };
        let d = NaiveDate::from_ymd_opt(2024, 5, 2);
        assert_eq!(
            same_agreement(
                &mou(&["Australia", "Indonesia"], None),
                &mou(&["Australia", "Indonesia"], None)
            ),
            None
        );
        assert_eq!(
            same_agreement(
                &mou(&["Australia", "Indonesia"], d),
                &mou(&["Belgium", "Indonesia"], d)
            ),
            None
        );
        assert!(same_agreement(
            &mou(&["Australia", "Indonesia"], d),
            &mou(&["Australia", "Indonesia"], d)
        )
        .is_some());
    }
}
