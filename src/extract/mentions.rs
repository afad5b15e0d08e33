//! Mentions: countries (names, demonyms), places, organisations (gazetteer and
//! head-noun patterns), persons with their ranks, roles and organisations, and
//! topics, found sentence by sentence with their character spans.

use super::lexicon::lex;
use super::places::Places;
use super::sentences::Token;
use super::Span;
use crate::fold::fold;
use crate::gazetteer::{is_acronym, Gazetteer};
use std::collections::HashSet;

/// Longest gazetteer phrase tried, in words.
const MAX_NGRAM: usize = 8;

/// A place found in the text.
#[derive(Debug, Clone)]
pub struct PlaceMention {
    /// Index into [`Places`].
    pub place: usize,
    /// Where.
    pub span: Span,
    /// Sentence index.
    pub sent: usize,
}

/// A country named or implied by a demonym.
#[derive(Debug, Clone)]
pub struct CountryMention {
    /// Index into the gazetteer's countries.
    pub country: usize,
    /// Where.
    pub span: Span,
    /// Sentence index.
    pub sent: usize,
    /// Whether written as an adjective ("Mozambican").
    pub adjective: bool,
}

/// An organisation mention.
#[derive(Debug, Clone)]
pub struct OrgMention {
    /// Name as written, without determiner or country.
    pub name: String,
    /// Schema kind.
    pub kind: String,
    /// Acronym, if given in brackets or known.
    pub acronym: Option<String>,
    /// Country written with it ("Vietnamese Ministry…", "…of Azerbaijan").
    pub country: Option<usize>,
    /// The gazetteer's home country of a known organisation (companies).
    pub home: Option<usize>,
    /// Where (the whole phrase).
    pub span: Span,
    /// Sentence index.
    pub sent: usize,
    /// Whether it came from the gazetteer of known organisations.
    pub known: bool,
}

/// A role a person holds.
#[derive(Debug, Clone)]
pub struct RoleMention {
    /// The role title ("Minister", "Deputy Minister", "Head").
    pub title: String,
    /// The title as the text writes it, joint titles whole ("Deputy Prime Minister and
    /// Minister of Interior"), when it is written out.
    pub written: Option<String>,
    /// Index of the organisation mention, if any.
    pub org: Option<usize>,
    /// Where the role is written.
    pub span: Span,
}

/// A person, by full name or by a later short reference.
#[derive(Debug, Clone)]
pub struct PersonMention {
    /// The person this mention resolves to (index into [`Mentions::persons`]).
    pub person: usize,
    /// Where.
    pub span: Span,
    /// Sentence index.
    pub sent: usize,
}

/// A person found in the article.
#[derive(Debug, Clone)]
pub struct Person {
    /// Full name without ranks and honorifics.
    pub name: String,
    /// Other written forms.
    pub aliases: Vec<String>,
    /// Rank.
    pub rank: Option<String>,
    /// Roles.
    pub roles: Vec<RoleMention>,
    /// Country written with the person.
    pub country: Option<usize>,
    /// Span of the first full mention.
    pub span: Span,
}

/// A topic signalled in a sentence.
#[derive(Debug, Clone)]
pub struct TopicMention {
    /// Topic name.
    pub topic: String,
    /// Where.
    pub span: Span,
    /// Sentence index.
    pub sent: usize,
}

/// Everything found in an article.
#[derive(Debug, Default)]
pub struct Mentions {
    /// Countries.
    pub countries: Vec<CountryMention>,
    /// Places.
    pub places: Vec<PlaceMention>,
    /// Organisations.
    pub orgs: Vec<OrgMention>,
    /// Distinct persons.
    pub persons: Vec<Person>,
    /// Every mention of a person.
    pub person_mentions: Vec<PersonMention>,
    /// Topics.
    pub topics: Vec<TopicMention>,
    /// (person, country): the text says the person is of another country ("X spoke with
    /// her French counterpart": X is not French).
    pub not_of: Vec<(usize, usize)>,
}

impl Mentions {
    /// The country of person `p`: written with them, or their organisation's.
    pub fn person_country(&self, p: usize) -> Option<usize> {
        let p = self.persons.get(p)?;
        p.country.or_else(|| {
            p.roles
                .iter()
                .filter_map(|r| r.org)
                .find_map(|o| self.orgs.get(o).and_then(|o| o.country.or(o.home)))
        })
    }
}

/// What a token has been recognised as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    Free,
    Country(usize),
    Demonym(usize),
    Place(usize),
    Org(usize),
}

/// The mention finder: gazetteer plus derived word sets.
pub struct Finder<'g> {
    gaz: &'g Gazetteer,
    places: &'g Places,
    /// Folded words that appear in titles, organisation names and head nouns: never name words.
    title_words: rustc_hash::FxHashSet<String>,
    /// Folded organisation head nouns as words, by first word, longest first.
    heads: rustc_hash::FxHashMap<String, Vec<Vec<String>>>,
    /// Where a gazetteer phrase can start: the folded first token of every name, and
    /// the name key of every name, to the most tokens a name starting there has.
    starts: rustc_hash::FxHashMap<String, usize>,
    /// The same for the names of topics alone (a topic phrase is looked up only where a
    /// topic's name can start).
    topic_starts: rustc_hash::FxHashMap<String, usize>,
    /// The same for the titles and aliases of roles.
    role_starts: rustc_hash::FxHashMap<String, usize>,
    /// The words of each incidental phrase of the lexicon, split once.
    incidental: Vec<Vec<String>>,
    /// Every key under which a place, country or known organisation is filed.
    known: rustc_hash::FxHashSet<String>,
}

/// Whether the first `n` tokens (or all, when fewer) are ASCII. A run of ASCII words folds
/// to as many words, the first to the first token's key, so a name it matches has at least
/// as many tokens and starts with that key: the bound of a starts map holds for it.
fn ascii_run(toks: &[Token], n: usize) -> bool {
    toks.iter().take(n).all(|t| t.text.is_ascii())
}

/// The most tokens a name recorded in `starts` (see [`Finder::starts`]) starting at token
/// `i` can have.
fn longest_in(starts: &rustc_hash::FxHashMap<String, usize>, toks: &[Token], i: usize) -> usize {
    let by_key = starts.get(&toks[i].key).copied().unwrap_or(0);
    // An ASCII word of letters and digits: its name key is its folded key.
    let by_name = if toks[i].text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        by_key
    } else {
        crate::fold::with_name_key(&toks[i].text, |k| starts.get(k).copied()).unwrap_or(0)
    };
    by_key.max(by_name).min(MAX_NGRAM).min(toks.len() - i)
}

/// Records every place where a name of the gazetteer can start (see [`Finder::starts`]).
fn add_starts(starts: &mut rustc_hash::FxHashMap<String, usize>, name: &str) {
    let chars: Vec<char> = name.chars().collect();
    let toks = super::sentences::tokenize(
        &chars,
        Span {
            start: 0,
            end: chars.len(),
        },
    );
    let Some(first) = toks.first() else {
        return;
    };
    let n = starts.entry(first.key.clone()).or_default();
    *n = (*n).max(toks.len());
    let whole = crate::fold::name_key(name);
    if !whole.is_empty() {
        let n = starts.entry(whole).or_default();
        *n = (*n).max(1);
    }
}

impl<'g> Finder<'g> {
    /// Builds the finder from the gazetteer.
    pub fn new(gaz: &'g Gazetteer, places: &'g Places) -> Finder<'g> {
        let mut title_words = rustc_hash::FxHashSet::default();
        let mut add = |s: &str| {
            for w in s.split(|c: char| c.is_whitespace() || c == ',') {
                let f = fold(w);
                if f.len() > 2 && !matches!(f.as_str(), "the" | "and" | "for") {
                    title_words.insert(f);
                }
            }
        };
        for r in gaz.roles() {
            add(&r.title);
            r.aliases.iter().for_each(|a| add(a));
            if let Some(o) = &r.org {
                add(o);
            }
        }
        for r in gaz.ranks() {
            add(&r.name);
        }
        for h in gaz.honorifics() {
            add(&h.name);
        }
        for h in &gaz.org_patterns().head_nouns {
            add(h);
        }
        for t in gaz.topics() {
            add(&t.name);
        }
        for w in lex().title_words.iter() {
            title_words.insert(w.to_string());
        }
        let mut heads: Vec<String> = gaz
            .org_patterns()
            .head_nouns
            .iter()
            .map(|h| fold(h))
            .collect();
        heads.sort_by_key(|h| std::cmp::Reverse(h.split(' ').count()));
        let mut by_first: rustc_hash::FxHashMap<String, Vec<Vec<String>>> = Default::default();
        for h in &heads {
            let words: Vec<String> = h.split(' ').map(str::to_string).collect();
            by_first.entry(words[0].clone()).or_default().push(words);
        }
        let heads = by_first;
        let mut starts = rustc_hash::FxHashMap::default();
        for c in gaz.countries() {
            for n in [&c.name, &c.iso2, &c.iso3]
                .into_iter()
                .chain(&c.aliases)
                .chain(&c.demonyms)
            {
                add_starts(&mut starts, n);
            }
        }
        for o in gaz.organizations() {
            for n in std::iter::once(&o.name).chain(&o.aliases).chain(&o.acronym) {
                add_starts(&mut starts, n);
            }
        }
        let mut role_starts = rustc_hash::FxHashMap::default();
        for r in gaz.roles() {
            for n in std::iter::once(&r.title).chain(&r.aliases) {
                add_starts(&mut role_starts, n);
            }
        }
        let mut topic_starts = rustc_hash::FxHashMap::default();
        for t in gaz.topics() {
            for n in std::iter::once(&t.name).chain(&t.aliases) {
                add_starts(&mut starts, n);
                add_starts(&mut topic_starts, n);
            }
        }
        for p in places.all() {
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                add_starts(&mut starts, n);
            }
        }
        Finder {
            gaz,
            places,
            title_words,
            heads,
            starts,
            topic_starts,
            role_starts,
            incidental: lex()
                .incidental
                .iter()
                .map(|p| p.split_whitespace().map(str::to_string).collect())
                .collect(),
            known: gaz
                .country_and_org_keys()
                .chain(places.keys())
                .map(str::to_string)
                .collect(),
        }
    }

    /// The finder of the built-in gazetteer and places, built once.
    pub fn builtin() -> &'static Finder<'static> {
        static F: std::sync::OnceLock<Finder<'static>> = std::sync::OnceLock::new();
        F.get_or_init(|| Finder::new(Gazetteer::builtin(), Places::builtin()))
    }

    /// The most tokens a gazetteer phrase starting at token `i` can have (0: none starts here).
    fn longest_from(&self, toks: &[Token], i: usize) -> usize {
        longest_in(&self.starts, toks, i)
    }

    /// The most tokens a topic's name starting at token `i` can have (0: none starts here).
    fn longest_topic_from(&self, toks: &[Token], i: usize) -> usize {
        longest_in(&self.topic_starts, toks, i)
    }

    /// Whether a place, country or known organisation may be filed under `phrase`: its
    /// look-up keys (as written, for an acronym or code, and folded) are known.
    fn may_be_known(&self, phrase: &str) -> bool {
        let p = phrase.trim();
        self.known.contains(p) || crate::fold::with_folded(p, |k| self.known.contains(k))
    }

    fn is_name_word(&self, t: &Token, first_in_sentence: bool) -> bool {
        if !t.word || !t.is_cap() {
            return false;
        }
        let f = &t.key;
        if self.title_words.contains(f) {
            return false;
        }
        if t.text.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
        if t.text.chars().count() > 1 && t.text.chars().all(|c| c.is_uppercase()) {
            return false;
        }
        if super::dates_words(f) {
            return false;
        }
        if first_in_sentence && (lex().stop_caps.contains(f.as_str()) || f.ends_with("ing")) {
            return false;
        }
        if lex().stop_caps.contains(f.as_str()) && f.len() <= 4 && f != "to" {
            return false;
        }
        true
    }

    fn country_ok(&self, phrase: &str) -> Option<usize> {
        // Country names are unique, so the index found is that of the first of its name.
        let i = self.gaz.country_index_by_name(phrase)?;
        let c = &self.gaz.countries()[i];
        if is_acronym(phrase) && c.name != phrase && !c.aliases.iter().any(|a| a == phrase) {
            return None;
        }
        Some(i)
    }

    /// The country a gazetteer organisation belongs to, as an index of the countries.
    fn home_of(&self, o: &crate::gazetteer::Organization) -> Option<usize> {
        o.country
            .as_deref()
            .and_then(|c| self.gaz.country_by_code(c))
            .and_then(|c| self.country_index(&c.name))
    }

    fn country_index(&self, name: &str) -> Option<usize> {
        self.gaz.country_index_of(name)
    }

    /// Tags gazetteer phrases (longest first) and records them.
    fn tag_gazetteer(&self, toks: &[Token], sent: usize, m: &mut Mentions) -> Vec<Tag> {
        let mut tags = vec![Tag::Free; toks.len()];
        let mut i = 0;
        while i < toks.len() {
            if !toks[i].word || !toks[i].is_cap() {
                i += 1;
                continue;
            }
            let mut matched = 0;
            let longest = self.longest_from(toks, i);
            let joined = Joined::new(&toks[i..i + longest]);
            for n in (1..=longest).rev() {
                // Words only, but for a possessive inside: "People's Republic of China".
                if !toks[i..i + n]
                    .iter()
                    .enumerate()
                    .all(|(k, t)| t.word || (t.text == "'s" && k > 0 && k + 1 < n))
                {
                    continue;
                }
                let phrase = joined.first(n);
                // No place, country or organisation has this phrase's keys: none of the
                // look-ups below can succeed ("U." + "." is tried with its period).
                if !(self.may_be_known(phrase) || (n == 1 && toks[i].text.contains('.'))) {
                    continue;
                }
                let span = Span {
                    start: toks[i].span.start,
                    end: toks[i + n - 1].span.end,
                };
                if let Some(p) = self.places.lookup(phrase) {
                    m.places.push(PlaceMention {
                        place: p,
                        span,
                        sent,
                    });
                    tags[i..i + n].fill(Tag::Place(p));
                    matched = n;
                    break;
                }
                if let Some(o) = self.gaz.org_by_name(phrase) {
                    if is_acronym(phrase)
                        && o.acronym.as_deref() != Some(phrase)
                        && !o.aliases.iter().any(|a| a == phrase)
                        && o.name != phrase
                    {
                        continue;
                    }
                    let idx = m.orgs.len();
                    m.orgs.push(OrgMention {
                        name: o.name.clone(),
                        kind: o.kind.clone(),
                        acronym: o.acronym.clone(),
                        country: None,
                        home: self.home_of(o),
                        span,
                        sent,
                        known: true,
                    });
                    tags[i..i + n].fill(Tag::Org(idx));
                    matched = n;
                    break;
                }
                // "U.S.": the closing period is a token of its own.
                let dotted = (n == 1
                    && toks[i].text.contains('.')
                    && toks.get(i + 1).is_some_and(|t| t.text == "."))
                .then(|| format!("{phrase}."));
                if let Some(c) = self
                    .country_ok(phrase)
                    .or_else(|| dotted.as_deref().and_then(|d| self.country_ok(d)))
                {
                    m.countries.push(CountryMention {
                        country: c,
                        span,
                        sent,
                        adjective: false,
                    });
                    tags[i..i + n].fill(Tag::Country(c));
                    matched = n;
                    break;
                }
                if let Some(c) = self
                    .gaz
                    .country_by_demonym(phrase)
                    .and_then(|c| self.country_index(&c.name))
                {
                    // "wrote in Spanish:": a language, not a country.
                    if i > 0 && toks[i - 1].key == "in" && toks.get(i + n).is_none_or(|t| !t.word) {
                        matched = n;
                        break;
                    }
                    // "Latin American", "North American": a region's word, not a country's.
                    if i > 0
                        && toks[i - 1].is_cap()
                        && lex().region_words.contains(toks[i - 1].key.as_str())
                    {
                        matched = n;
                        break;
                    }
                    m.countries.push(CountryMention {
                        country: c,
                        span,
                        sent,
                        adjective: true,
                    });
                    tags[i..i + n].fill(Tag::Demonym(c));
                    matched = n;
                    break;
                }
            }
            if matched == 0 {
                self.hyphenated_pair(&toks[i], sent, m);
            }
            i += matched.max(1);
        }
        tags
    }

    /// "India-UK", "Saudi-Iraqi", "Cambodian-Thai": a hyphenated pair (or more) of countries
    /// or demonyms names each country. The token stays free, so it can still begin an
    /// organisation's name ("India-UK Joint Working Group").
    fn hyphenated_pair(&self, t: &Token, sent: usize, m: &mut Mentions) {
        if !t.text.contains('-') {
            return;
        }
        let mut found = Vec::new();
        let mut off = t.span.start;
        for part in t.text.split('-') {
            let len = part.chars().count();
            let span = Span {
                start: off,
                end: off + len,
            };
            off += len + 1;
            if part.is_empty() {
                return;
            }
            if let Some(c) = self.country_ok(part) {
                found.push((c, span, false));
            } else if let Some(c) = self
                .gaz
                .country_by_demonym(part)
                .and_then(|c| self.country_index(&c.name))
            {
                found.push((c, span, true));
            } else {
                return;
            }
        }
        if found.len() < 2 {
            return;
        }
        for (country, span, adjective) in found {
            m.countries.push(CountryMention {
                country,
                span,
                sent,
                adjective,
            });
        }
    }

    fn tag_topics(&self, toks: &[Token], tags: &[Tag], sent: usize, m: &mut Mentions) {
        let first = m.topics.len();
        // The usual sentence: every token ASCII (see `ascii_run`).
        let ascii = toks.iter().all(|t| t.text.is_ascii());
        let mut i = 0;
        while i < toks.len() {
            // Words of an organisation's name ("Department of … High-Tech Crime Prevention")
            // are not topics.
            if !toks[i].word || matches!(tags[i], Tag::Org(_)) {
                i += 1;
                continue;
            }
            let mut matched = 0;
            let longest = if ascii || ascii_run(&toks[i..], 6) {
                self.longest_topic_from(toks, i).min(6)
            } else {
                self.longest_from(toks, i).min(6)
            };
            let joined = Joined::new(&toks[i..i + longest]);
            for n in (1..=longest).rev() {
                // Allow commas inside long aliases ("chemical, biological, …").
                if !toks[i + n - 1].word {
                    continue;
                }
                let phrase = joined.first(n);
                if let Some(t) = self.gaz.topic_by_name(phrase) {
                    m.topics.push(TopicMention {
                        topic: t.name.clone(),
                        span: Span {
                            start: toks[i].span.start,
                            end: toks[i + n - 1].span.end,
                        },
                        sent,
                    });
                    matched = n;
                    break;
                }
            }
            i += matched.max(1);
        }
        self.elliptic_topics(toks, tags, sent, first, m);
        // "the two forces have shared “critical information”": a verb and its noun a few
        // words apart.
        for cue in &lex().topic_cues {
            let Some(topic) = self.gaz.topic_by_name(&cue.topic) else {
                continue;
            };
            for v in 0..toks.len() {
                if !cue.verbs.contains(toks[v].key.as_str()) {
                    continue;
                }
                let end = (v + 2 + cue.within).min(toks.len());
                let Some(n) = (v + 1..end).find(|&k| cue.nouns.contains(toks[k].key.as_str()))
                else {
                    continue;
                };
                let span = Span {
                    start: toks[v].span.start,
                    end: toks[n].span.end,
                };
                let taken = m.topics[first..].iter().any(|t| {
                    t.topic == topic.name || (t.span.start < span.end && span.start < t.span.end)
                });
                if !taken {
                    m.topics.push(TopicMention {
                        topic: topic.name.clone(),
                        span,
                        sent,
                    });
                }
            }
        }
        // "36 arrests for other offences such as robbery and …": what follows is incidental,
        // not what the event is about.
        let incidental = self.incidental.iter().find_map(|words| {
            (0..toks.len().saturating_sub(words.len() - 1))
                .find(|&k| words.iter().enumerate().all(|(j, w)| toks[k + j].key == *w))
        });
        if let Some(k) = incidental {
            let from = toks[k].span.start;
            let mut these = m.topics.split_off(first);
            these.retain(|t| t.span.start < from);
            m.topics.extend(these);
        }
    }

    /// Coordinated modifiers sharing one head noun: "transnational, terrorist, drug-related,
    /// high-tech and human trafficking crimes", "transnational and cybercrime", "judicial and
    /// law enforcement cooperation": each earlier modifier with the head is tried as a topic.
    fn elliptic_topics(
        &self,
        toks: &[Token],
        tags: &[Tag],
        sent: usize,
        first: usize,
        m: &mut Mentions,
    ) {
        for h in 1..toks.len() {
            let head = &toks[h].key;
            let heads: Vec<String> = if matches!(
                head.as_str(),
                "crime" | "crimes" | "cooperation" | "trafficking" | "smuggling" | "sharing"
            ) {
                vec![head.clone()]
            } else if matches!(head.as_str(), "exchange" | "exchanges") {
                // "information and intelligence exchanges".
                vec!["exchange".into()]
            } else if head.ends_with("crime") || head.ends_with("crimes") {
                vec!["crime".into(), "crimes".into()]
            } else {
                continue;
            };
            if matches!(tags[h], Tag::Org(_)) {
                continue;
            }
            let compound = heads[0] != *head && !head.starts_with("exchange");
            // The conjunction: just before a compound head, else up to three words back.
            let conj = if compound {
                Some(h - 1)
            } else {
                (h.saturating_sub(4)..h.saturating_sub(1))
                    .rev()
                    .find(|&k| matches!(toks[k].key.as_str(), "and" | "or"))
            };
            let Some(conj) = conj else { continue };
            if !matches!(toks[conj].key.as_str(), "and" | "or") || conj == 0 {
                continue;
            }
            let mut k = conj;
            while k > 0 {
                k -= 1;
                let t = &toks[k];
                if t.text == "," {
                    continue;
                }
                let f = &t.key;
                if !t.word || t.is_cap() || lex().stop_caps.contains(f.as_str()) || f.len() < 3 {
                    break;
                }
                let mut forms = vec![f.clone()];
                if let Some(sing) = f.strip_suffix('s') {
                    forms.push(sing.to_string());
                }
                // "law enforcement and judicial cooperation": a two-word modifier too.
                if k > 0 && toks[k - 1].word && !toks[k - 1].is_cap() {
                    let two = &toks[k - 1].key;
                    if !lex().stop_caps.contains(two.as_str()) {
                        forms.push(format!("{two} {f}"));
                    }
                }
                let found = forms.iter().find_map(|w| {
                    heads
                        .iter()
                        .chain(["crime".to_string(), "crimes".to_string()].iter())
                        .take(if heads[0].starts_with("crime") { 3 } else { 1 })
                        .find_map(|hd| self.gaz.topic_by_name(&format!("{w} {hd}")))
                });
                if let Some(tp) = found {
                    let dup = m.topics[first..].iter().any(|x| {
                        x.topic == tp.name
                            && x.span.start <= t.span.start
                            && t.span.end <= x.span.end
                    });
                    if !dup {
                        m.topics.push(TopicMention {
                            topic: tp.name.clone(),
                            span: t.span,
                            sent,
                        });
                    }
                }
                // Only a list of single modifiers separated by commas continues.
                if k == 0 || toks[k - 1].text != "," {
                    break;
                }
            }
        }
    }

    fn head_at(&self, toks: &[Token], i: usize) -> usize {
        for hw in self.heads.get(&toks[i].key).into_iter().flatten() {
            if i + hw.len() <= toks.len()
                && toks[i..i + hw.len()]
                    .iter()
                    .zip(hw.iter())
                    .all(|(t, w)| t.word && t.key == *w)
            {
                return hw.len();
            }
        }
        0
    }

    /// Organisations from head nouns: "State Security Service", "Ministry of Public Security".
    fn tag_orgs(&self, toks: &[Token], tags: &mut [Tag], sent: usize, m: &mut Mentions) {
        let mut units = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if tags[i] != Tag::Free || !toks[i].is_cap() {
                i += 1;
                continue;
            }
            let hl = self.head_at(toks, i);
            if hl == 0 || (i > 0 && matches!(tags[i - 1], Tag::Org(_))) {
                i += 1;
                continue;
            }
            // Plural or lower-case heads are not names.
            let mut start = i;
            while start > 0
                && tags[start - 1] == Tag::Free
                && toks[start - 1].is_cap()
                && !(start - 1 == 0 && lex().stop_caps.contains(toks[0].key.as_str()))
                // "HÀ NỘI – The Ministry of …": a determiner is never part of the name.
                && !matches!(
                    toks[start - 1].key.as_str(),
                    "the" | "a" | "an" | "this" | "that" | "these" | "those"
                )
                && !self.is_rank_or_role_word(&toks[start - 1])
            {
                start -= 1;
            }
            // "the Supreme Prosecutors' Office": a plural possessive inside the name.
            while start >= 2
                && matches!(toks[start - 1].text.as_str(), "'" | "’")
                && tags[start - 2] == Tag::Free
                && toks[start - 2].is_cap()
                && toks[start - 2].text.ends_with('s')
                && !self.is_rank_or_role_word(&toks[start - 2])
            {
                start -= 2;
                while start > 0
                    && tags[start - 1] == Tag::Free
                    && toks[start - 1].is_cap()
                    && !matches!(toks[start - 1].key.as_str(), "the" | "a" | "an")
                    && !self.is_rank_or_role_word(&toks[start - 1])
                {
                    start -= 1;
                }
            }
            // "the Justice and Anti-Crime Cooperation Committee": after a determiner, a
            // capitalised field without a head of its own joins the name across "and".
            if start >= 3 && toks[start - 1].key == "and" {
                let mut k = start - 1;
                while k > 0
                    && tags[k - 1] == Tag::Free
                    && toks[k - 1].is_cap()
                    && self.head_at(toks, k - 1) == 0
                {
                    k -= 1;
                }
                if k < start - 1
                    && k > 0
                    && toks[k - 1].key == "the"
                    && !(k..start - 1).any(|x| self.is_rank_or_role_word(&toks[x]))
                {
                    start = k;
                }
            }
            let mut end = i + hl; // exclusive
                                  // Continue a chain of capitalised words after the head ("Police Department").
            while end < toks.len() && tags[end] == Tag::Free && self.head_at(toks, end) > 0 {
                end += self.head_at(toks, end);
            }
            // "International Police Cooperation": a head noun modifying another noun is no
            // organisation's head.
            if end < toks.len()
                && tags[end] == Tag::Free
                && toks[end].word
                && toks[end].is_cap()
                && !self.is_rank_or_role_word(&toks[end])
                && !super::dates_words(&toks[end].key)
                // Not the first word of a name: "State Security Service Ali Naghiyev".
                && !toks.get(end + 1).is_some_and(Token::is_cap)
            {
                i = end;
                continue;
            }
            let mut country = None;
            // Right extension: of/for/on/against + capitalised words.
            if end + 1 < toks.len()
                && matches!(toks[end].key.as_str(), "of" | "for" | "on" | "against")
            {
                let mut j = end + 1;
                if toks[j].key == "the" {
                    j += 1;
                }
                match tags.get(j) {
                    Some(Tag::Country(c)) => {
                        country = Some(*c);
                        let c = *c;
                        while j < toks.len() && tags[j] == Tag::Country(c) {
                            j += 1;
                        }
                        end = j;
                    }
                    _ => {
                        let mut k = j;
                        let mut last_cap = None;
                        while k < toks.len() {
                            let t = &toks[k];
                            let f = &t.key;
                            // "… Department of the Royal Malaysia Police": another body.
                            let state_word = lex().state_words.contains(t.key.as_str())
                                && matches!(
                                    tags.get(k + 1),
                                    Some(Tag::Demonym(_) | Tag::Country(_))
                                );
                            // "Department of Homeland Security Kristie Canegallo said": two
                            // or three name words closing the phrase are the person after it.
                            let person_after = k > j && {
                                let run = (k..toks.len().min(k + 4))
                                    .take_while(|&x| {
                                        tags[x] == Tag::Free && self.is_name_word(&toks[x], false)
                                    })
                                    .count();
                                (2..=3).contains(&run)
                                    && toks.get(k + run).is_none_or(|t| !t.is_cap() || !t.word)
                            };
                            if t.is_cap()
                                && tags[k] == Tag::Free
                                && !state_word
                                && !person_after
                                && !self.is_rank_word(t)
                                && !super::dates_words(&t.key)
                            {
                                last_cap = Some(k);
                                k += 1;
                            } else if matches!(f.as_str(), "of" | "and" | "the" | "for" | "on")
                                && k + 1 < toks.len()
                                && toks[k + 1].is_cap()
                                && tags[k + 1] == Tag::Free
                                // "Ministry of Interior for Resources and Support Services":
                                // after a field, "for …" is a title's remit.
                                && !(f == "for" && k > j)
                            {
                                // "and" starting another organisation ends this one.
                                if f == "and" && self.has_head_ahead(toks, k + 1) {
                                    break;
                                }
                                k += 1;
                            } else {
                                break;
                            }
                        }
                        // "Department of Justice Seal" under a picture: the caption word
                        // at the end of the line is no part of the name.
                        let last_cap = last_cap.map(|l| {
                            let closes = toks.get(l + 1).is_none_or(|t| !t.word);
                            if l > j && closes && lex().caption_words.contains(toks[l].key.as_str())
                            {
                                l - 1
                            } else {
                                l
                            }
                        });
                        if let Some(l) = last_cap {
                            end = l + 1;
                            // "… of Azerbaijan" after the field.
                            if end + 1 < toks.len() && toks[end].key == "of" {
                                // "… of the People's Republic of China".
                                let at = if toks[end + 1].key == "the" {
                                    end + 2
                                } else {
                                    end + 1
                                };
                                if let Some(&Tag::Country(c)) = tags.get(at) {
                                    country = Some(c);
                                    let mut e2 = at;
                                    while e2 < toks.len() && tags[e2] == Tag::Country(c) {
                                        e2 += 1;
                                    }
                                    end = e2;
                                }
                            }
                        }
                    }
                }
            }
            let name_end = if country.is_some() && end > i + hl {
                // Drop the trailing "of Country".
                let mut e = end;
                while e > start && matches!(tags[e - 1], Tag::Country(_)) {
                    e -= 1;
                }
                if e > start && toks[e - 1].key == "of" {
                    e -= 1;
                }
                e
            } else {
                end
            };
            let mut name_end = name_end;
            while name_end > start
                && matches!(
                    toks[name_end - 1].key.as_str(),
                    "of" | "for" | "on" | "the" | "and"
                )
            {
                name_end -= 1;
            }
            if name_end < i + hl {
                name_end = i + hl;
            }
            // A city starts the name: "Dubai Police", "Jakarta Metropolitan Police"; the
            // body is of the city's country.
            if start > 0 {
                if let Tag::Place(p) = tags[start - 1] {
                    let c = self.places.country_of(p, self.gaz);
                    if c.is_some() {
                        country = country.or(c);
                        while start > 0 && tags[start - 1] == Tag::Place(p) {
                            start -= 1;
                        }
                    }
                }
            }
            // A country name (not an adjective) starts the name: "Vietnam News Agency".
            if start > 0 && head_is_not_ministry(toks, i) {
                if let Tag::Country(c) = tags[start - 1] {
                    country = country.or(Some(c));
                    while start > 0 && tags[start - 1] == Tag::Country(c) {
                        start -= 1;
                    }
                    // "the Royal Malaysia Police".
                    if start > 0 && state_word_at(toks, tags, start - 1) {
                        start -= 1;
                    }
                }
            }
            // "the India-UK Joint Working Group", "the Saudi-Iraqi Coordination Council": a
            // body named for two countries is their joint mechanism, not an organisation of
            // either; the countries stay free to be the parties of the event.
            let mut lead =
                if start > 0 && matches!(tags[start - 1], Tag::Demonym(_) | Tag::Country(_)) {
                    start - 1
                } else {
                    start
                };
            // "U.S.-South Africa …": a country glued on by a hyphen belongs to the lead.
            while lead > 0 && toks[lead - 1].span.end == toks[lead].span.start {
                lead -= 1;
            }
            let (from, to) = (toks[lead].span.start, toks[i].span.start);
            let mut named: Vec<usize> = m
                .countries
                .iter()
                .filter(|c| c.sent == sent && c.span.start >= from && c.span.end <= to)
                .map(|c| c.country)
                .collect();
            named.sort_unstable();
            named.dedup();
            if named.len() >= 2 {
                i = end;
                continue;
            }
            // "the Philippine military and Coast Guard": the national word before the first
            // of two joined bodies is also the second's.
            let mut shared_national = None;
            if start >= 3 && toks[start - 1].key == "and" && country.is_none() {
                for d in (start.saturating_sub(4)..start - 1).rev() {
                    if let Tag::Demonym(c) = tags[d] {
                        if (d + 1..start - 1)
                            .all(|x| tags[x] == Tag::Free && toks[x].word && toks[x].key != "and")
                        {
                            country = Some(c);
                            shared_national = Some(d);
                        }
                        break;
                    }
                    if tags[d] != Tag::Free || !toks[d].word {
                        break;
                    }
                }
            }
            // One word is no name, but for a country's own body after its national word:
            // "the Iraqi Parliament".
            let national_body = start > 0
                && matches!(tags[start - 1], Tag::Demonym(_) | Tag::Country(_))
                && lex()
                    .national_bodies
                    .contains(&fold(&join(&toks[start..name_end])));
            // "the Royal Thai Police": a word of state before the national word.
            let state_word = start >= 2
                && matches!(tags[start - 1], Tag::Demonym(_) | Tag::Country(_))
                && state_word_at(toks, tags, start - 2);
            if name_end - start < 2 && !national_body && !state_word {
                i = end.max(i + 1);
                continue;
            }
            // "at the Police Headquarters in Suva": generic heads ending in a building's
            // name are a place.
            let building = lex()
                .building_heads
                .contains(toks[name_end - 1].key.as_str())
                && (start..name_end - 1).all(|k| self.head_at(toks, k) > 0);
            if building {
                i = end.max(i + 1);
                continue;
            }
            // A demonym or country just before: "Vietnamese Ministry…", "the Indonesian National Police".
            let mut phrase_start = start;
            if start > 0 {
                if let Tag::Demonym(c) | Tag::Country(c) = tags[start - 1] {
                    country = country.or(Some(c));
                    phrase_start = start - 1;
                    while phrase_start > 0 && tags[phrase_start - 1] == tags[start - 1] {
                        phrase_start -= 1;
                    }
                    if phrase_start > 0 && state_word_at(toks, tags, phrase_start - 1) {
                        phrase_start -= 1;
                    }
                    // A compound name without "of" takes its national word: "Indonesian
                    // National Police", "Philippine Coast Guard", "Iraqi Parliament"; a
                    // ministry keeps its own name ("the Vietnamese Ministry of …").
                    if head_is_not_ministry(toks, i)
                        && !toks[start..name_end].iter().any(|t| t.key == "of")
                    {
                        start = phrase_start;
                    }
                } else if toks[start - 1].text == "'s" && start >= 2 {
                    if let Tag::Country(c) = tags[start - 2] {
                        country = country.or(Some(c));
                    }
                }
            }
            // "Malaysia Police", "the Malaysian Police": the national word and the head alone
            // name the country's national force by its own name.
            let bare_police = hl == 1
                && name_end == i + 1
                && (start..i).all(|k| matches!(tags[k], Tag::Demonym(_) | Tag::Country(_)));
            let mut name = match country.filter(|_| bare_police && start < i) {
                Some(c) => self.national_police(c, &toks[i]),
                None => None,
            }
            .unwrap_or_else(|| canonical_ministry(self.gaz, join(&toks[start..name_end])));
            if let Some(d) = shared_national {
                if head_is_not_ministry(toks, i)
                    && !toks[start..name_end].iter().any(|t| t.key == "of")
                {
                    name = format!("{} {name}", toks[d].text);
                }
            }
            let head = fold(
                &toks[i..i + hl]
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let kind = self
                .gaz
                .org_patterns()
                .kind_by_head
                .iter()
                .find(|(h, _)| fold(h) == head)
                .map(|(_, k)| k.clone())
                .unwrap_or_else(|| "agency".to_string());
            let mut acronym = None;
            if end + 2 < toks.len()
                && toks[end].text == "("
                && toks[end + 2].text == ")"
                && is_acronym(&toks[end + 1].text)
            {
                acronym = Some(toks[end + 1].text.clone());
            }
            let idx = m.orgs.len();
            m.orgs.push(OrgMention {
                name,
                kind,
                acronym,
                country,
                home: None,
                span: Span {
                    start: toks[phrase_start].span.start,
                    end: toks[end - 1].span.end,
                },
                sent,
                known: false,
            });
            tags[start..end].fill(Tag::Org(idx));
            if country.is_none() {
                units.push((idx, end));
            }
            i = end;
        }
        // "the Commercial Crime Investigation Department of the Royal Malaysia Police": a unit
        // written as part of another body is of that body's country.
        for (unit, e) in units {
            let mut k = e;
            if toks.get(k).is_some_and(|t| t.key == "of") {
                k += 1;
                if toks.get(k).is_some_and(|t| t.key == "the") {
                    k += 1;
                }
                if let Some(Tag::Org(p)) = tags.get(k) {
                    let parent = &m.orgs[*p];
                    m.orgs[unit].country = parent.country.or(parent.home);
                }
            }
        }
        // "Singapore's police", "the Malaysian police": the country's national force.
        for i in 1..toks.len() {
            if tags[i] != Tag::Free || toks[i].is_cap() {
                continue;
            }
            let Some((c, first)) = national_word_before(toks, tags, i) else {
                continue;
            };
            let Some(name) = self.national_police(c, &toks[i]) else {
                continue;
            };
            let idx = m.orgs.len();
            m.orgs.push(OrgMention {
                name,
                kind: "police".into(),
                acronym: None,
                country: Some(c),
                home: None,
                span: Span {
                    start: toks[first].span.start,
                    end: toks[i].span.end,
                },
                sent,
                known: false,
            });
            tags[i] = Tag::Org(idx);
        }
        // Lower-case "interior ministry" after a demonym or country: "Thailand's interior
        // ministry", "the Chinese public security ministry"; "the public security
        // ministries of China and Laos": one ministry per country.
        for i in 1..toks.len() {
            let head = &toks[i].key;
            if tags[i] != Tag::Free
                || !matches!(head.as_str(), "ministry" | "ministries")
                || toks[i].is_cap()
            {
                continue;
            }
            let field = &toks[i - 1];
            if !field.word || tags[i - 1] != Tag::Free {
                continue;
            }
            // A two-word portfolio first: "public security", "home affairs".
            let two = (i >= 2
                && tags[i - 2] == Tag::Free
                && toks[i - 2].word
                && !toks[i - 2].is_cap()
                && matches!(
                    toks[i - 2].key.as_str(),
                    "public" | "home" | "foreign" | "internal" | "state" | "national"
                ))
            .then(|| {
                let f = format!("{} {}", toks[i - 2].text, field.text);
                self.gaz
                    .role_by_title(&format!("{f} minister"))
                    .and_then(|r| r.org.clone())
                    .unwrap_or_else(|| {
                        format!(
                            "Ministry of {}",
                            f.split(' ').map(cap_first).collect::<Vec<_>>().join(" ")
                        )
                    })
            });
            let first = if two.is_some() { i - 2 } else { i - 1 };
            let Some(org) = two.or_else(|| {
                self.gaz
                    .role_by_title(&format!("{} minister", field.text))
                    .and_then(|r| r.org.clone())
            }) else {
                continue;
            };
            let mut countries: Vec<usize> = national_word_before(toks, tags, first)
                .map(|(c, _)| c)
                .into_iter()
                .collect();
            let mut end = i + 1;
            if head == "ministries" && countries.is_empty() {
                if toks.get(i + 1).is_some_and(|t| t.key == "of") {
                    let mut j = i + 2;
                    while j < toks.len() {
                        match tags[j] {
                            Tag::Country(c) => {
                                if !countries.contains(&c) {
                                    countries.push(c);
                                }
                            }
                            _ if matches!(toks[j].key.as_str(), "and" | ",") => {}
                            _ => break,
                        }
                        j += 1;
                    }
                    end = j;
                }
                if countries.len() < 2 {
                    continue;
                }
            }
            if countries.is_empty() {
                countries.push(usize::MAX);
            }
            let mut idx = m.orgs.len();
            for c in countries {
                idx = m.orgs.len();
                m.orgs.push(OrgMention {
                    name: org.clone(),
                    kind: "ministry".into(),
                    acronym: None,
                    country: (c != usize::MAX).then_some(c),
                    home: None,
                    span: Span {
                        start: toks[first].span.start,
                        end: toks[end - 1].span.end,
                    },
                    sent,
                    known: false,
                });
            }
            for t in &mut tags[first..=i] {
                *t = Tag::Org(idx);
            }
        }
    }

    /// The national police force of country `c` by its usual name, when `t` is the word
    /// "police" and the gazetteer knows the force.
    fn national_police(&self, c: usize, t: &Token) -> Option<String> {
        if t.key != "police" {
            return None;
        }
        let code = &self.gaz.countries().get(c)?.iso2;
        self.gaz
            .listed_national_body("police", code)
            .map(str::to_string)
    }

    fn has_head_ahead(&self, toks: &[Token], mut k: usize) -> bool {
        if k < toks.len() && toks[k].key == "the" {
            return true;
        }
        while k < toks.len() && toks[k].is_cap() {
            if self.head_at(toks, k) > 0 {
                return true;
            }
            k += 1;
        }
        false
    }

    fn is_rank_word(&self, t: &Token) -> bool {
        t.word && self.gaz.rank_by_name(&t.text).is_some()
    }

    fn is_rank_or_role_word(&self, t: &Token) -> bool {
        t.word
            && (self.gaz.rank_by_name(&t.text).is_some()
                || self.gaz.role_by_title(&t.text).is_some()
                || lex().role_modifiers.contains(t.key.as_str()))
    }

    /// Longest role title starting at `i` (with "Deputy"/"Vice" modifiers): (title, words, org).
    fn role_at(
        &self,
        toks: &[Token],
        i: usize,
        max: usize,
    ) -> Option<(String, usize, Option<String>)> {
        let mut k = i;
        let mut mods: Vec<String> = Vec::new();
        while k < toks.len() && toks[k].word && lex().role_modifiers.contains(toks[k].key.as_str())
        {
            mods.push(toks[k].text.clone());
            k += 1;
        }
        // Try with all modifiers first ("Deputy Minister" is a role of its own), then with
        // fewer ("First" + "Deputy Prime Minister"), then none.
        for start in i..=k {
            // No title has more tokens than a title starting with this token's key (or name
            // key) has.
            let most = if start < toks.len() && ascii_run(&toks[start..], max) {
                let by_key = self.role_starts.get(&toks[start].key).copied();
                let by_name = crate::fold::with_name_key(&toks[start].text, |k| {
                    self.role_starts.get(k).copied()
                });
                by_key
                    .unwrap_or(0)
                    .max(by_name.unwrap_or(0))
                    .min(toks.len() - start)
            } else {
                toks.len().saturating_sub(start)
            };
            let most = max.saturating_sub(start - i).min(most);
            let joined = Joined::new(&toks[start..start + most.min(MAX_NGRAM)]);
            for n in (1..=most).rev() {
                if start + n > toks.len() || !toks[start..start + n].iter().all(|t| t.word) {
                    continue;
                }
                let long;
                let phrase = if n <= MAX_NGRAM {
                    joined.first(n)
                } else {
                    long = join(&toks[start..start + n]);
                    long.as_str()
                };
                if let Some(r) = self.gaz.role_by_title(phrase) {
                    let title = if start == i {
                        r.title.clone()
                    } else {
                        let base = if r.org.is_some() {
                            // "Deputy Foreign Minister" → "Deputy Minister" of the foreign ministry.
                            "Minister".to_string()
                        } else {
                            r.title.clone()
                        };
                        cap_first(&format!(
                            "{} {}",
                            mods[..start - i].join(" ").to_lowercase(),
                            base
                        ))
                    };
                    return Some((title, start + n - i, r.org.clone()));
                }
            }
        }
        None
    }

    /// Scans one sentence.
    pub fn scan_sentence(&self, chars: &[char], toks: &[Token], sent: usize, m: &mut Mentions) {
        let _ = chars;
        let mut tags = self.tag_gazetteer(toks, sent, m);
        self.demonym_capitals(toks, &mut tags, sent, m);
        self.tag_orgs(toks, &mut tags, sent, m);
        self.tag_topics(toks, &tags, sent, m);
        self.scan_persons(toks, &tags, sent, m);
    }

    /// "the Uzbek capital": a demonym before a capital noun names that country's capital.
    fn demonym_capitals(&self, toks: &[Token], tags: &mut [Tag], sent: usize, m: &mut Mentions) {
        for k in 1..toks.len() {
            let Tag::Demonym(c) = tags[k - 1] else {
                continue;
            };
            if tags[k] != Tag::Free || !lex().capital_nouns.contains(toks[k].key.as_str()) {
                continue;
            }
            let Some(p) = self.places.capital_of(&self.gaz.countries()[c].iso2) else {
                continue;
            };
            m.places.push(PlaceMention {
                place: p,
                span: Span {
                    start: toks[k - 1].span.start,
                    end: toks[k].span.end,
                },
                sent,
            });
            tags[k] = Tag::Place(p);
        }
    }

    fn scan_persons(&self, toks: &[Token], tags: &[Tag], sent: usize, m: &mut Mentions) {
        let mut i = 0;
        // The latest name of two or more words with no cue of a person: (the token after
        // it, written, span).
        let mut untitled: Option<(usize, String, Span)> = None;
        while i < toks.len() {
            let name_word =
                |k: usize| -> bool { tags[k] == Tag::Free && self.is_name_word(&toks[k], k == 0) };
            if !name_word(i) {
                // Title reference: "the Vietnamese minister".
                if toks[i].key == "the" {
                    if let Some(adv) = self.title_reference(toks, tags, i, sent, m) {
                        i += adv;
                        continue;
                    }
                }
                i += 1;
                continue;
            }
            // "Minister for Culture, Media and Sport Jane Roe": after "and" closing the
            // fields of a title, the first capitalised word is the title's last field.
            if i >= 2
                && toks[i - 1].key == "and"
                && i + 2 < toks.len()
                && name_word(i + 1)
                && name_word(i + 2)
            {
                let mut k = i - 1;
                let mut titled = false;
                while k > 0 {
                    let t = &toks[k - 1];
                    if self.is_rank_or_role_word(t) {
                        titled = true;
                        break;
                    }
                    if !(t.is_cap() || matches!(t.key.as_str(), "," | "for" | "of")) {
                        break;
                    }
                    k -= 1;
                }
                if titled {
                    i += 1;
                    continue;
                }
            }
            let start = i;
            let mut end = i;
            let mut caps = 0;
            while end < toks.len() && caps < 5 {
                if name_word(end) {
                    end += 1;
                    caps += 1;
                } else if end > start
                    && tags[end] == Tag::Free
                    && toks[end].word
                    && toks[end].is_cap()
                    && matches!(
                        toks[end - 1].text.as_str(),
                        "Abdul" | "Abdel" | "Abd" | "Abu" | "Abdol"
                    )
                {
                    end += 1; // "Abdul Amir Kamel Al-Shammari": "Abdul" never ends a name
                    caps += 1;
                } else if end > start
                    && tags[end] == Tag::Free
                    && toks[end].word
                    && toks[end]
                        .text
                        .split_once('-')
                        .is_some_and(|(particle, rest)| {
                            lex().name_particles.contains(particle)
                                && rest.chars().next().is_some_and(char::is_uppercase)
                        })
                {
                    end += 1; // "Abdul Amir al-Shammari", "Hassan el-Masri"
                    caps += 1;
                } else if end > start
                    && tags[end] == Tag::Free
                    && lex().name_particles.contains(toks[end].text.as_str())
                    && end + 1 < toks.len()
                    && name_word(end + 1)
                {
                    end += 1; // "Saif bin Zayed Al Nahyan", "Peter de Bucher"
                } else if end > start
                    && tags[end] == Tag::Free
                    && toks[end].is_cap()
                    && lex().stop_caps.contains(toks[end].key.as_str())
                    && end + 1 < toks.len()
                    && name_word(end + 1)
                {
                    end += 1; // "Pham The Tung"
                } else if toks[end].text == "."
                    && end > start
                    && super::sentences::initials(toks[end - 1].text.chars())
                    && end + 1 < toks.len()
                    && name_word(end + 1)
                {
                    end += 1; // initials "T.", "K.D."
                } else {
                    break;
                }
            }
            let words: Vec<&Token> = toks[start..end].iter().filter(|t| t.word).collect();
            let span = Span {
                start: toks[start].span.start,
                end: toks[end - 1].span.end,
            };
            let written = written_name(&toks[start..end]);
            // A known person, by full name or by one of its words.
            if let Some(p) = self.known_person(m, &written, &words) {
                m.person_mentions.push(PersonMention {
                    person: p,
                    span,
                    sent,
                });
                i = end;
                continue;
            }
            if words.len() < 2 {
                i = end;
                continue;
            }
            // Context before: ranks/honorifics, then a role phrase.
            let mut b = start;
            let mut rank = None;
            let mut titled = false;
            loop {
                let mut found = false;
                for n in (1..=4).rev() {
                    if b < n {
                        continue;
                    }
                    let s = b - n;
                    if !toks[s..b].iter().all(|t| t.word || t.text == ".") {
                        continue;
                    }
                    // The texts joined by spaces, but none before a period ("Maj. Gen.").
                    let mut phrase =
                        String::with_capacity(toks[s..b].iter().map(|t| t.text.len() + 1).sum());
                    for (k, t) in toks[s..b].iter().enumerate() {
                        if k > 0 && t.text != "." {
                            phrase.push(' ');
                        }
                        phrase.push_str(&t.text);
                    }
                    let known_rank = self.gaz.rank_by_name(&phrase);
                    if known_rank.is_none() && self.gaz.honorific_by_name(&phrase).is_none() {
                        continue;
                    }
                    // "Attorney General", "Inspector General": the rank's words end a title.
                    let ends_title = (s.saturating_sub(3)..s).any(|t| {
                        toks[t..b].iter().all(|x| x.word)
                            && self.gaz.role_by_title(&join(&toks[t..b])).is_some()
                    });
                    if ends_title {
                        continue;
                    }
                    if let Some(r) = known_rank {
                        rank.get_or_insert(r.name.clone());
                        b = s;
                        found = true;
                        titled = true;
                        break;
                    }
                    if self.gaz.honorific_by_name(&phrase).is_some() {
                        b = s;
                        found = true;
                        titled = true;
                        break;
                    }
                }
                if !found {
                    break;
                }
            }
            let (mut roles_before, mut country_before) = self.roles_before(toks, tags, b, sent, m);
            if roles_before.is_empty() {
                if let Some((role, c)) = self.counterpart(toks, tags, b, sent, m) {
                    titled = true;
                    country_before = country_before.or(c);
                    roles_before.extend(role);
                }
            }
            let after = self.roles_after(toks, tags, end, sent, m);
            // "… said", and "met X", "was received by X", "signed by X": a name a person's
            // verb takes.
            let speech = toks
                .get(end)
                .is_some_and(|t| lex().speech_verbs.contains(t.key.as_str()))
                || start.checked_sub(1).is_some_and(|k| {
                    let verb = |k: usize| lex().object_verbs.contains(toks[k].key.as_str());
                    verb(k)
                        || (k > 0
                            && toks[k].key == "by"
                            && (verb(k - 1)
                                || lex().agent_verbs.contains(toks[k - 1].key.as_str())))
                });
            // "A and B": a name joined by "and" to a person's name is a person's.
            let joined_to_person = start >= 2
                && toks[start - 1].key == "and"
                && m.person_mentions
                    .last()
                    .is_some_and(|pm| pm.sent == sent && pm.span.end == toks[start - 2].span.end);
            if !titled
                && roles_before.is_empty()
                && after.0.is_empty()
                && !speech
                && !joined_to_person
            {
                // Kept in case a person's name follows: "signed by A and Minister B".
                untitled = Some((end, written, span));
                i = end;
                continue;
            }
            // "A and Minister B": the untitled name just before is a person's too.
            if let Some((e0, w0, sp0)) = untitled.take() {
                if e0 + 1 == b && toks[e0].key == "and" {
                    self.push_person(m, &w0, sp0, sent, None, Vec::new(), None);
                }
            }
            let mut roles = roles_before;
            roles.extend(after.0);
            self.push_person(
                m,
                &written,
                span,
                sent,
                rank,
                roles,
                country_before.or(after.1),
            );
            i = end;
        }
    }

    /// Adds a new person named `written` (ranks and honorifics stripped off) and its mention.
    #[allow(clippy::too_many_arguments)]
    fn push_person(
        &self,
        m: &mut Mentions,
        written: &str,
        span: Span,
        sent: usize,
        rank: Option<String>,
        roles: Vec<RoleMention>,
        country: Option<usize>,
    ) {
        let stripped = self.gaz.strip_person_name(written);
        let name = if stripped.name.is_empty() {
            written.to_string()
        } else {
            stripped.name
        };
        let p = m.persons.len();
        m.persons.push(Person {
            name,
            aliases: Vec::new(),
            rank: rank.or(stripped.rank),
            roles,
            country,
            span,
        });
        m.person_mentions.push(PersonMention {
            person: p,
            span,
            sent,
        });
    }

    /// "his Omani counterpart Sayyid Rashid …", "his Rwandan counterpart, Commissioner
    /// General Jane Roe": the person holds the same office as the latest titled person
    /// named before, in the country of the demonym. Returns the role (with a new mention of
    /// the same organisation in that country) and the country.
    fn counterpart(
        &self,
        toks: &[Token],
        tags: &[Tag],
        b: usize,
        sent: usize,
        m: &mut Mentions,
    ) -> Option<(Option<RoleMention>, Option<usize>)> {
        let mut k = b;
        if k > 0 && toks[k - 1].text == "," {
            k -= 1;
        }
        if k == 0 || !lex().counterpart_nouns.contains(toks[k - 1].key.as_str()) {
            return None;
        }
        let country = match tags.get(k.wrapping_sub(2)) {
            Some(Tag::Demonym(c)) | Some(Tag::Country(c)) => Some(*c),
            _ => None,
        };
        let span = Span {
            start: toks[k - 1].span.start,
            end: toks[k - 1].span.end,
        };
        // "The Turkish interior minister met his Uzbek counterpart, X": the title written
        // earlier in the sentence is the counterpart's too.
        if let Some(found) = self.title_before(toks, k - 1) {
            let org = found.org.clone().filter(|_| country.is_some()).map(|name| {
                m.orgs.push(OrgMention {
                    name,
                    kind: found.org_kind.clone().unwrap_or_else(|| "ministry".into()),
                    acronym: None,
                    country,
                    home: None,
                    span,
                    sent,
                    known: false,
                });
                m.orgs.len() - 1
            });
            return Some((
                Some(RoleMention {
                    title: found.title.clone(),
                    written: None,
                    org,
                    span,
                }),
                country,
            ));
        }
        // The office of the latest titled person mentioned.
        let other = m
            .person_mentions
            .iter()
            .rev()
            .map(|pm| pm.person)
            .find(|&p| !m.persons[p].roles.is_empty());
        let Some(other) = other else {
            return Some((None, country));
        };
        let r = m.persons[other].roles[0].clone();
        let org = r.org.and_then(|o| {
            let om = m.orgs.get(o)?.clone();
            if om.known || country.is_none() {
                return None;
            }
            let idx = m.orgs.len();
            m.orgs.push(OrgMention {
                country,
                span,
                sent,
                acronym: None,
                home: None,
                ..om
            });
            Some(idx)
        });
        Some((
            Some(RoleMention {
                title: r.title,
                written: None,
                org,
                span,
            }),
            country,
        ))
    }

    /// The last title of the gazetteer written in `toks[..end]` without a name after it
    /// ("the Turkish interior minister met …"), longest first.
    fn title_before(&self, toks: &[Token], end: usize) -> Option<&'g crate::gazetteer::Role> {
        for a in (0..end).rev() {
            for n in (1..=4).rev() {
                if a + n > end || !toks[a..a + n].iter().all(|t| t.word) {
                    continue;
                }
                let Some(r) = self.gaz.role_by_title(&join(&toks[a..a + n])) else {
                    continue;
                };
                // A title before a name is that person's ("Minister X met his counterpart").
                if toks.get(a + n).is_some_and(|t| t.is_cap()) {
                    return None;
                }
                if r.org.is_some() {
                    return Some(r);
                }
            }
        }
        None
    }

    fn known_person(&self, m: &mut Mentions, written: &str, words: &[&Token]) -> Option<usize> {
        let f = fold(written);
        if let Some(p) = m.persons.iter().position(|p| {
            crate::fold::fold_is(&p.name, &f)
                || p.aliases.iter().any(|a| crate::fold::fold_is(a, &f))
        }) {
            if m.persons[p].name != written && !m.persons[p].aliases.iter().any(|a| a == written) {
                m.persons[p].aliases.push(written.to_string());
            }
            return Some(p);
        }
        // A compound surname ("Quispe Rojas" of "Marta Quispe Rojas"): the trailing words of
        // the most recent longer name.
        if words.len() >= 2 && words.iter().all(|t| t.text.chars().count() > 1) {
            let tail = (0..m.persons.len()).rev().find(|&p| {
                let ws: Vec<&str> = m.persons[p].name.split_whitespace().collect();
                ws.len() > words.len()
                    && ws[ws.len() - words.len()..]
                        .iter()
                        .zip(words)
                        .all(|(w, t)| crate::fold::fold_is(w, &t.key))
            });
            if tail.is_some() {
                return tail;
            }
        }
        // Surname or given name ("Quang", "T. Kubayi"): the most recent person with that word.
        let last = words.last().map(|t| t.key.clone())?;
        if last.chars().count() < 3 || words.len() > 2 {
            return None;
        }
        if words.len() == 2 && words[0].text.chars().count() > 1 {
            return None;
        }
        let cands: Vec<usize> = (0..m.persons.len())
            .rev()
            .filter(|&p| {
                let mut ws = m.persons[p].name.split_whitespace();
                let (Some(first), Some(lastw)) = (ws.next(), ws.next_back()) else {
                    return false;
                };
                crate::fold::fold_is(lastw, &last) || crate::fold::fold_is(first, &last)
            })
            .collect();
        cands.first().copied()
    }

    /// "the [demonym] minister" → the latest person of that country (and role).
    fn title_reference(
        &self,
        toks: &[Token],
        tags: &[Tag],
        i: usize,
        sent: usize,
        m: &mut Mentions,
    ) -> Option<usize> {
        let mut j = i + 1;
        let mut country = None;
        if let Some(Tag::Demonym(c)) = tags.get(j) {
            country = Some(*c);
            while j < toks.len() && tags[j] == Tag::Demonym(*c) {
                j += 1;
            }
        }
        // A token's key is the fold of its text.
        let w = toks.get(j)?.key.as_str();
        if !lex().title_ref_words.contains(w) || toks[j].is_cap() && country.is_none() {
            return None;
        }
        // "the minister of …" names a role, not a person.
        if toks.get(j + 1).is_some_and(|t| t.key == "of") {
            return None;
        }
        let generic = matches!(
            w,
            "official" | "representative" | "diplomat" | "leader" | "envoy"
        );
        let mut seen = HashSet::new();
        for pm in m.person_mentions.iter().rev() {
            if !seen.insert(pm.person) {
                continue;
            }
            let p = &m.persons[pm.person];
            let country_ok = country.is_none_or(|c| m.person_country(pm.person) == Some(c));
            let role_ok = generic || p.roles.iter().any(|r| fold(&r.title).contains(w));
            if country_ok && role_ok {
                let person = pm.person;
                m.person_mentions.push(PersonMention {
                    person,
                    span: Span {
                        start: toks[i].span.start,
                        end: toks[j].span.end,
                    },
                    sent,
                });
                return Some(j + 1 - i);
            }
        }
        None
    }

    /// Role phrase before a name ending at token `b`: "Mozambican Minister of Interior".
    fn roles_before(
        &self,
        toks: &[Token],
        tags: &[Tag],
        b: usize,
        sent: usize,
        m: &mut Mentions,
    ) -> (Vec<RoleMention>, Option<usize>) {
        let mut a = b;
        while a > 0 && b - a < 16 {
            let t = &toks[a - 1];
            let f = &t.key;
            // "Attorney General Janet Reno and South African Minister …": another person's
            // name (and title) ends the phrase.
            if m.person_mentions.iter().any(|pm| {
                pm.sent == sent && pm.span.start <= t.span.start && t.span.end <= pm.span.end
            }) {
                // "X, Minister of Justice, Y and Z": a title between commas after a name is
                // that name's appositive, not a title of the names after it.
                if toks[a].text == "," && toks.get(a + 1).is_some_and(|t| t.key != "and") {
                    if let Some(c) = (a + 1..b).find(|&k| toks[k].text == ",") {
                        a = c + 1;
                    }
                }
                break;
            }
            // "National Intelligence Organisation (NIO) Chief X": an acronym in brackets.
            if t.text == ")" && a >= 3 && toks[a - 3].text == "(" && toks[a - 2].word {
                a -= 3;
                continue;
            }
            let ok = match tags[a - 1] {
                Tag::Org(_) | Tag::Demonym(_) | Tag::Country(_) => true,
                Tag::Place(_) => false,
                Tag::Free => {
                    (t.word
                        && (t.is_cap()
                            || matches!(f.as_str(), "of" | "for" | "the" | "and")
                            || self.title_words.contains(f)
                            || lex().role_modifiers.contains(f.as_str())))
                        || (t.text == ","
                            && a >= 2
                            && (toks[a - 2].is_cap()
                                // "the German interior minister, Nancy …": an appositive
                                // name after its title.
                                || (a == b && self.title_words.contains(&toks[a - 2].key))))
                        || t.text == "'s"
                        // "Ambassador to Guatemala X", "High Commissioner to Fiji, X": the
                        // country of the posting.
                        || (f == "to"
                            && matches!(tags[a], Tag::Country(_) | Tag::Demonym(_) | Tag::Place(_)))
                        // "U.S. Secretary of …": the period of an abbreviated country.
                        || (t.text == "."
                            && a >= 2
                            && matches!(tags[a - 2], Tag::Country(_) | Tag::Demonym(_)))
                }
            };
            if !ok {
                break;
            }
            a -= 1;
        }
        // The first role title in [a, b).
        for r in a..b {
            if tags[r] != Tag::Free {
                continue;
            }
            let Some(role) = self.role_at(toks, r, 6) else {
                continue;
            };
            let mut country = None;
            for t in &tags[a..r] {
                if let Tag::Demonym(c) | Tag::Country(c) = t {
                    country = Some(*c);
                }
            }
            let role = self.refine_role(toks, tags, r, b, role);
            let org = self
                .role_org(
                    toks,
                    tags,
                    r,
                    role.1,
                    b,
                    role.2.as_deref(),
                    &role.0,
                    sent,
                    m,
                )
                // "Jakarta Metropolitan Police Chief X", "… Organisation (NIO) Chief X": the
                // organisation written before.
                .or({
                    let before = if r >= 4 && toks[r - 1].text == ")" && toks[r - 3].text == "(" {
                        r - 3
                    } else {
                        r
                    };
                    match before.checked_sub(1).map(|k| tags[k]) {
                        Some(Tag::Org(o)) if before > a => Some(o),
                        _ => None,
                    }
                });
            let role = RoleMention {
                title: role.0,
                written: written_title(&toks[r..b]),
                org,
                span: Span {
                    start: toks[r].span.start,
                    end: toks[b.max(r + 1) - 1].span.end,
                },
            };
            let org_country = org.and_then(|o| m.orgs[o].country);
            let mut roles = vec![role];
            // "Qatari Minister of Interior and Commander of the Internal Security Force X":
            // the second title too.
            if let Some(j) = (r + 1..b).find(|&j| {
                toks[j].key == "and"
                    && tags.get(j + 1) == Some(&Tag::Free)
                    && self.role_at(toks, j + 1, 6).is_some()
            }) {
                if let Some(second) = self.role_at(toks, j + 1, 6) {
                    let second = self.refine_role(toks, tags, j + 1, b, second);
                    let org2 = self.role_org(
                        toks,
                        tags,
                        j + 1,
                        second.1,
                        b,
                        second.2.as_deref(),
                        &second.0,
                        sent,
                        m,
                    );
                    roles.push(RoleMention {
                        title: second.0,
                        written: written_title(&toks[j + 1..b]),
                        org: org2,
                        span: Span {
                            start: toks[j + 1].span.start,
                            end: toks[b - 1].span.end,
                        },
                    });
                }
            }
            return (roles, country.or(org_country));
        }
        (Vec::new(), None)
    }

    /// "Minister of Justice and Constitutional Development": when the longest role title
    /// ("Minister of Justice") is followed by more of the field, fall back to the base title
    /// ("Minister") so the whole field names the ministry.
    fn refine_role(
        &self,
        toks: &[Token],
        tags: &[Tag],
        r: usize,
        to: usize,
        role: (String, usize, Option<String>),
    ) -> (String, usize, Option<String>) {
        let end = r + role.1;
        let continues = end < to
            && tags[end] == Tag::Free
            && toks[end].word
            && !matches!(toks[end].key.as_str(), "of" | "for")
            && (toks[end].key == "and" || toks[end].is_cap());
        if !continues {
            return role;
        }
        if let Some(k) = (r + 1..end).find(|&k| matches!(toks[k].key.as_str(), "of" | "for")) {
            if let Some(base) = self.role_at(toks, r, k - r) {
                if base.1 == k - r {
                    return (base.0, base.1, None);
                }
            }
        }
        role
    }

    /// The organisation of a role whose title spans `[r, role_end)`: an organisation written
    /// after "of"/"for" before `to`, else "Ministry of X" from "Minister of X", else the
    /// ministry the title implies ("Interior Minister"). Adds the mention if it is new.
    #[allow(clippy::too_many_arguments)]
    fn role_org(
        &self,
        toks: &[Token],
        tags: &[Tag],
        r: usize,
        n: usize,
        to: usize,
        implied: Option<&str>,
        title: &str,
        sent: usize,
        m: &mut Mentions,
    ) -> Option<usize> {
        let role_end = (r + n).min(to);
        // "Minister of Interior and Commander of the Internal Security Force": the second
        // title's organisation is not the first's.
        let to = (role_end..to)
            .find(|&j| {
                toks[j].key == "and"
                    && tags.get(j + 1) == Some(&Tag::Free)
                    && self.role_at(toks, j + 1, 6).is_some()
            })
            .unwrap_or(to);
        for t in &tags[role_end..to] {
            if let Tag::Org(o) = t {
                return Some(*o);
            }
        }
        let span_end = toks[to.max(r + 1) - 1].span.end;
        let mut name = None;
        if role_end < to && matches!(toks[role_end].key.as_str(), "of" | "for") {
            let mut s = role_end + 1;
            if s < to && toks[s].key == "the" {
                s += 1;
            }
            let field: Vec<Token> = toks[s..to].iter().filter(|t| t.word).cloned().collect();
            let field_ok = !field.is_empty()
                && field
                    .iter()
                    .all(|t| t.is_cap() || matches!(t.key.as_str(), "and" | "of" | "the"));
            let lt = fold(title);
            if field_ok && lt.ends_with("minister") {
                name = Some(format!("Ministry of {}", join(&field)));
            } else if field_ok && lt.ends_with("secretary") {
                name = Some(format!("Department of {}", join(&field)));
            }
        }
        let name = implied.map(str::to_string).or(name)?;
        // "Minister of Internal Affairs of Uzbekistan": the country the title names.
        let country = tags[role_end..to].iter().find_map(|t| match t {
            Tag::Country(c) => Some(*c),
            _ => None,
        });
        // "Home Secretary X": the body a title implies, when the gazetteer knows it, is of
        // its own country unless the holder's says otherwise.
        let home = self.gaz.org_by_name(&name).and_then(|o| self.home_of(o));
        let idx = m.orgs.len();
        m.orgs.push(OrgMention {
            name,
            kind: "ministry".into(),
            acronym: None,
            country,
            home,
            span: Span {
                start: toks[r].span.start,
                end: span_end,
            },
            sent,
            known: false,
        });
        Some(idx)
    }

    /// Where a minister's portfolio written in `[k, stop)` ("Minister of Interior") goes on
    /// after the comma at `stop`: a run of capitalised words joined by "and" (and commas)
    /// holding a portfolio noun of the lexicon, and no title, name or place of its own.
    fn portfolio_after(
        &self,
        toks: &[Token],
        tags: &[Tag],
        k: usize,
        stop: usize,
    ) -> Option<usize> {
        let field = (k..stop).find(|&j| matches!(toks[j].key.as_str(), "of" | "for"))?;
        if toks.get(stop)?.text != "," || !(k..field).any(|j| toks[j].key == "minister") {
            return None;
        }
        let mut j = stop + 1;
        let (mut joined, mut portfolio) = (false, false);
        while let Some(t) = toks.get(j) {
            if t.key == "and" || (t.text == "," && toks.get(j + 1).is_some_and(|n| n.is_cap())) {
                joined |= t.key == "and";
            } else if t.is_cap() && tags[j] == Tag::Free && !self.is_rank_or_role_word(t) {
                portfolio |= lex().portfolio_words.contains(t.key.as_str());
            } else {
                break;
            }
            j += 1;
        }
        let last_is_word = toks[j - 1].is_cap();
        (joined && portfolio && last_is_word && j - stop <= 9).then_some(j)
    }

    /// Appositive after a name: ", Politburo member and Minister of Public Security".
    fn roles_after(
        &self,
        toks: &[Token],
        tags: &[Tag],
        end: usize,
        sent: usize,
        m: &mut Mentions,
    ) -> (Vec<RoleMention>, Option<usize>) {
        if toks.get(end).map(|t| t.text.as_str()) != Some(",") {
            return (Vec::new(), None);
        }
        let mut k = end + 1;
        let mut roles = Vec::new();
        // Token ranges of each role: its start, its end, and where its written title ends.
        let mut parts: Vec<(usize, usize, usize)> = Vec::new();
        let mut country = None;
        loop {
            let mut stop = k;
            while stop < toks.len()
                && !matches!(toks[stop].text.as_str(), "," | "." | ";" | "(" | ":")
            {
                let f = &toks[stop].key;
                if !toks[stop].is_cap()
                    && tags[stop] == Tag::Free
                    && !matches!(f.as_str(), "of" | "for" | "the" | "and" | "'s")
                    && !self.title_words.contains(f)
                    && !held_in_org(toks, tags, stop)
                {
                    break;
                }
                stop += 1;
            }
            // ", Minister of Interior, Institutional Reform and Democratic Renewal,": the
            // portfolio goes on after the comma; its "and" joins fields, not titles.
            let no_split_from = stop;
            if let Some(to) = self.portfolio_after(toks, tags, k, stop) {
                stop = to;
            }
            let before = roles.len();
            while k < stop {
                let mut e = k;
                while e < stop && !(toks[e].key == "and" && e < no_split_from) {
                    e += 1;
                }
                if e == k {
                    k += 1;
                    continue;
                }
                // ", Saudi Minister of Interior,": a demonym before the title.
                let k0 = k;
                while k < e && matches!(tags[k], Tag::Demonym(_) | Tag::Country(_)) {
                    if let Tag::Demonym(c) | Tag::Country(c) = tags[k] {
                        country = country.or(Some(c));
                    }
                    k += 1;
                }
                if k == e || (k > k0 && tags[k] != Tag::Free) {
                    k = e + 1;
                    if roles.is_empty() {
                        break;
                    }
                    continue;
                }
                if let Some(role) = self.role_at(toks, k, 6) {
                    let role = self.refine_role(toks, tags, k, e, role);
                    // ", and Acting Attorney General Jane Roe": the title is the next
                    // person's, written before their name.
                    let names_next = (k + role.1..e.saturating_sub(1)).any(|j| {
                        (j..j + 2).all(|x| {
                            tags[x] == Tag::Free
                                && self.is_name_word(&toks[x], false)
                                && !self.title_words.contains(&toks[x].key)
                        })
                    });
                    if names_next {
                        break;
                    }
                    let org = self.role_org(
                        toks,
                        tags,
                        k,
                        role.1,
                        e,
                        role.2.as_deref(),
                        &role.0,
                        sent,
                        m,
                    );
                    for t in &tags[k..e] {
                        if let Tag::Demonym(c) | Tag::Country(c) = t {
                            country = country.or(Some(*c));
                        }
                    }
                    // "Joint Secretary … in the Ministry of …": the title ends before the
                    // organisation it is held in.
                    let written_end = (k..e).find(|&j| held_in_org(toks, tags, j)).unwrap_or(e);
                    parts.push((k, e, written_end));
                    roles.push(RoleMention {
                        title: role.0,
                        written: written_title(&toks[k..written_end]),
                        org,
                        span: Span {
                            start: toks[k].span.start,
                            end: toks[e - 1].span.end,
                        },
                    });
                } else if roles.is_empty() {
                    break;
                }
                k = e + 1;
            }
            // ", Crown Prince, Deputy Prime Minister, and Minister of Defense": more titles
            // after a comma; ", Senior Secretary, Public Security Division, …": the
            // organisation of a title written without one.
            if roles.len() == before || stop >= toks.len() || toks[stop].text != "," {
                break;
            }
            let mut n = stop + 1;
            if n < toks.len() && toks[n].key == "and" {
                n += 1;
            }
            if n >= toks.len() {
                break;
            }
            if let Tag::Org(o) = tags[n] {
                if let Some(last) = roles.last_mut().filter(|r| r.org.is_none()) {
                    last.org = Some(o);
                }
                break;
            }
            // ", Head of …, Government of the UK,": a segment naming a country and nothing
            // else of its own gives the holder's country.
            let seg_end = (n..toks.len())
                .find(|&j| matches!(toks[j].text.as_str(), "," | "." | ";" | "(" | ":"))
                .unwrap_or(toks.len());
            let named = (n..seg_end).find_map(|j| match tags[j] {
                Tag::Country(c) => Some(c),
                _ => None,
            });
            if let Some(c) = named.filter(|_| {
                (n..seg_end).all(|j| {
                    matches!(tags[j], Tag::Country(_))
                        || (tags[j] == Tag::Free
                            && (toks[j].is_cap() || matches!(toks[j].key.as_str(), "of" | "the")))
                })
            }) {
                country = country.or(Some(c));
                break;
            }
            if tags[n] != Tag::Free || self.role_at(toks, n, 6).is_none() {
                break;
            }
            k = n;
        }
        // ", Deputy Prime Minister and Minister of Interior,": the first of two titles
        // joined by "and" is written as the joint title, as before a name.
        for i in 1..parts.len() {
            let ((a, e, _), (b, _, w)) = (parts[i - 1], parts[i]);
            if e + 1 == b && toks[e].key == "and" {
                roles[i - 1].written = written_title(&toks[a..w]);
                roles[i - 1].span.end = roles[i].span.end;
            }
        }
        // "President and CEO of Ericsson": an organisation written once serves both titles,
        // but a minister's ministry is not the deputy prime minister's.
        if roles.len() == 2
            && roles[0].org.is_none()
            && roles[0].title != "Politburo Member"
            && !fold(&roles[1].title).ends_with("minister")
        {
            roles[0].org = roles[1].org;
        }
        (roles, country)
    }
}

/// "Interior Ministry" → "Ministry of Interior", "Foreign Ministry" → "Ministry of Foreign
/// Affairs" (the ministry the matching minister's title implies), "Public Security
/// Ministry" → "Ministry of Public Security": one name for one body.
/// Whether `toks[k]` is a free, capitalised word of state ("Royal") of `state_words`.
fn state_word_at(toks: &[Token], tags: &[Tag], k: usize) -> bool {
    tags[k] == Tag::Free && toks[k].is_cap() && lex().state_words.contains(toks[k].key.as_str())
}

/// The country named just before `toks[i]` by a demonym, a country or "Country's", with
/// the index of its first token: "the Malaysian police", "Thailand's interior ministry".
fn national_word_before(toks: &[Token], tags: &[Tag], i: usize) -> Option<(usize, usize)> {
    match tags.get(i.checked_sub(1)?)? {
        Tag::Demonym(c) | Tag::Country(c) => Some((*c, i - 1)),
        _ if toks[i - 1].text == "'s" && i >= 2 => match tags[i - 2] {
            Tag::Country(c) => Some((c, i - 2)),
            _ => None,
        },
        _ => None,
    }
}

fn canonical_ministry(gaz: &Gazetteer, name: String) -> String {
    let Some(prefix) = name.strip_suffix(" Ministry") else {
        return name;
    };
    let words: Vec<&str> = prefix.split_whitespace().collect();
    if words.is_empty()
        || words.len() > 3
        || words
            .iter()
            .any(|w| !w.chars().next().is_some_and(char::is_uppercase))
    {
        return name;
    }
    if let Some(org) = gaz
        .role_by_title(&format!("{prefix} Minister"))
        .and_then(|r| r.org.clone())
    {
        return org;
    }
    format!("Ministry of {prefix}")
}

fn head_is_not_ministry(toks: &[Token], i: usize) -> bool {
    !matches!(toks[i].key.as_str(), "ministry" | "department" | "office")
}

fn cap_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Joins word tokens with single spaces.
/// A role title as written: the words of `toks` without trailing punctuation, when they
/// are a title's length.
fn written_title(toks: &[Token]) -> Option<String> {
    let end = toks.iter().rposition(|t| t.word)? + 1;
    (end <= 10).then(|| join(&toks[..end]))
}

/// Whether `toks[j]` is "in" or "at" before an organisation: ", Joint Secretary in the
/// Ministry of …".
fn held_in_org(toks: &[Token], tags: &[Tag], j: usize) -> bool {
    let n = j + 1 + usize::from(toks.get(j + 1).is_some_and(|t| t.key == "the"));
    matches!(toks[j].key.as_str(), "in" | "at") && matches!(tags.get(n), Some(Tag::Org(_)))
}

/// [`join`] of a run of tokens, and where the join of each of its first tokens ends: the
/// join of the first `n` tokens is a prefix of the join of all (one buffer for every
/// length a longest-first search tries).
struct Joined {
    text: String,
    ends: [usize; MAX_NGRAM],
}

impl Joined {
    /// At most [`MAX_NGRAM`] tokens.
    fn new(toks: &[Token]) -> Joined {
        let mut text = String::with_capacity(toks.iter().map(|t| t.text.len() + 1).sum());
        let mut ends = [0; MAX_NGRAM];
        for (k, t) in toks.iter().take(MAX_NGRAM).enumerate() {
            if !text.is_empty() && t.word {
                text.push(' ');
            }
            text.push_str(&t.text);
            ends[k] = text.len();
        }
        Joined { text, ends }
    }

    /// `join` of the first `n` tokens (1 ≤ n ≤ the tokens given).
    fn first(&self, n: usize) -> &str {
        &self.text[..self.ends[n - 1]]
    }
}

/// The tokens' texts joined with single spaces before words.
pub fn join(toks: &[Token]) -> String {
    let mut s = String::with_capacity(toks.iter().map(|t| t.text.len() + 1).sum());
    for t in toks {
        if !s.is_empty() && t.word {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}

fn written_name(toks: &[Token]) -> String {
    let mut s = String::new();
    for t in toks {
        if t.word && !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}
