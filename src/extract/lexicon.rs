//! The English of the extractor as data: the word lists and event triggers of
//! `graph-schema/lexicon.toml`, compiled once into sets, applied by a small rule engine.

use super::sentences::Token;
use crate::fold::fold;
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;

/// The built-in lexicon file.
pub const LEXICON_TOML: &str = include_str!("../../graph-schema/lexicon.toml");

/// Why a lexicon file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct LexiconError {
    /// The file, as given.
    pub file: String,
    /// 1-based line of the fault.
    pub line: usize,
    /// 1-based column of the fault.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A set of folded words or phrases.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Vec<String>")]
pub struct WordSet {
    words: rustc_hash::FxHashSet<String>,
    /// The words in file order, for phrase search.
    ordered: Vec<String>,
    /// All of `ordered` at once, for [`WordSet::occurs_in`] (built at its first use).
    matcher: OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl From<Vec<String>> for WordSet {
    fn from(v: Vec<String>) -> Self {
        let ordered: Vec<String> = v.iter().map(|w| fold(w)).collect();
        WordSet {
            words: ordered.iter().cloned().collect(),
            matcher: OnceLock::new(),
            ordered,
        }
    }
}

impl WordSet {
    /// Whether `w` (already folded, or compared as written) is in the set.
    pub fn contains(&self, w: &str) -> bool {
        self.words.contains(w)
    }

    /// Whether one of the phrases occurs inside `text` (folded).
    pub fn occurs_in(&self, text: &str) -> bool {
        let matcher = self.matcher.get_or_init(|| {
            // Leftmost-first: whether a phrase occurs is the same answer under any match
            // kind, and this one lets the automaton use its SIMD search of literals.
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(&self.ordered)
                .ok()
        });
        match matcher {
            Some(m) => m.is_match(text),
            None => self.ordered.iter().any(|p| text.contains(p.as_str())),
        }
    }

    /// The words in file order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ordered.iter().map(String::as_str)
    }

    fn extend(&mut self, other: WordSet) {
        for w in other.ordered {
            if self.words.insert(w.clone()) {
                self.ordered.push(w);
            }
        }
        self.matcher = OnceLock::new();
    }
}

/// Conditions on a trigger word's neighbours.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The word before is one of these.
    #[serde(default)]
    pub prev: WordSet,
    /// The word two before is one of these.
    #[serde(default)]
    pub prev2: WordSet,
    /// The word after is one of these.
    #[serde(default)]
    pub next: WordSet,
    /// One of these words comes within `within` words after the trigger.
    #[serde(default)]
    pub ahead: WordSet,
    /// One of these words comes within `within` words before the trigger.
    #[serde(default)]
    pub behind: WordSet,
    /// How far `ahead` and `behind` look (default 4).
    #[serde(default)]
    pub within: Option<usize>,
    /// The trigger is written with a capital ("Operation Pangea").
    #[serde(default)]
    pub capitalised: bool,
}

impl Context {
    /// Whether any of the given conditions holds at token `i`.
    fn any(&self, toks: &[Token], i: usize) -> bool {
        let key = |k: Option<usize>| k.and_then(|k| toks.get(k)).map(|t| t.key.as_str());
        let within = self.within.unwrap_or(4);
        key(i.checked_sub(1)).is_some_and(|w| self.prev.contains(w))
            || key(i.checked_sub(2)).is_some_and(|w| self.prev2.contains(w))
            || key(Some(i + 1)).is_some_and(|w| self.next.contains(w))
            || toks
                .iter()
                .skip(i + 1)
                .take(within)
                .any(|t| self.ahead.contains(&t.key))
            || toks[i.saturating_sub(within)..i]
                .iter()
                .any(|t| self.behind.contains(&t.key))
            || (self.capitalised && toks[i].is_cap())
    }
}

/// A word that starts an event, with the conditions under which it does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// The trigger words.
    pub words: WordSet,
    /// Event kind ("meeting", "visit", …).
    pub kind: String,
    /// CAMEO event code.
    pub cameo: String,
    /// Whether the word names several events ("meetings").
    #[serde(default)]
    pub plural: bool,
    /// At least one of these must hold.
    #[serde(default)]
    pub requires: Option<Context>,
    /// None of these may hold.
    #[serde(default)]
    pub unless: Option<Context>,
}

/// A verb and a noun a few words apart that name a topic together: "have shared
/// \u{201c}critical information\u{201d}" is information sharing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicCue {
    /// The verbs (folded).
    pub verbs: WordSet,
    /// The nouns (folded), after a verb.
    pub nouns: WordSet,
    /// Most words between them.
    #[serde(default = "default_cue_gap")]
    pub within: usize,
    /// The topic they name (a name of topics.toml).
    pub topic: String,
}

fn default_cue_gap() -> usize {
    3
}

/// What a trigger word starts: kind, CAMEO code, plural.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Triggered<'a> {
    /// Event kind.
    pub kind: &'a str,
    /// CAMEO code.
    pub cameo: &'a str,
    /// Several events.
    pub plural: bool,
}

/// The word lists and triggers of `lexicon.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lexicon {
    /// Capitalised sentence starters that are never part of a name.
    pub stop_caps: WordSet,
    /// Verbs after a name that make it a person.
    pub speech_verbs: WordSet,
    /// Lower-case particles inside a personal name.
    pub name_particles: WordSet,
    /// Nouns standing for a titled person ("the Vietnamese minister").
    pub title_ref_words: WordSet,
    /// Modifiers of a role title ("deputy").
    pub role_modifiers: WordSet,
    /// Nouns of ministerial portfolios that continue a title after a comma ("Minister of
    /// Interior, Institutional Reform and Democratic Renewal").
    pub portfolio_words: WordSet,
    /// Phrases that make a signing planned.
    pub planned: WordSet,
    /// Agreement head nouns.
    pub agreement_heads: WordSet,
    /// Plural agreement head nouns.
    pub agreement_plurals: WordSet,
    /// Nouns of news outlets.
    pub media_words: WordSet,
    /// Endings of news outlets' names ("… News Agency"): sources, not parties.
    pub media_heads: WordSet,
    /// Phrases that make the countries of a sentence participants of the event it continues.
    pub participation: WordSet,
    /// Verbs reporting what was said at talks ("discussed", "agreed").
    #[serde(default)]
    pub talk_verbs: WordSet,
    /// Phrases that make a plural trigger an umbrella over the events that follow ("a series
    /// of meetings"): its date and place serve them.
    #[serde(default)]
    pub umbrella_phrases: WordSet,
    /// Phrases after a person's name and a comma that list their companions ("along with").
    #[serde(default)]
    pub companion_phrases: WordSet,
    /// Nouns for the holder of the same office in the other country ("his counterpart").
    #[serde(default)]
    pub counterpart_nouns: WordSet,
    /// Nouns that, after a demonym, name the country's capital ("the Uzbek capital").
    #[serde(default)]
    pub capital_nouns: WordSet,
    /// Auxiliaries that make the participle after them passive ("was received by").
    #[serde(default)]
    pub passive_aux: WordSet,
    /// Verbs whose object, a name right after them, is a person ("met X", "received by X").
    #[serde(default)]
    pub object_verbs: WordSet,
    /// Participles whose agent after "by" is a person ("signed by X", "led by X").
    #[serde(default)]
    pub agent_verbs: WordSet,
    /// Words between a subject's organisations and its verb ("… (UPF) yesterday signed").
    #[serde(default)]
    pub subject_glue: WordSet,
    /// Lines that start a trailing block of other stories.
    pub tail_markers: WordSet,
    /// Abbreviations whose period ends no sentence.
    pub abbreviations: WordSet,
    /// Words that are never part of a person's name.
    pub title_words: WordSet,
    /// Words that distribute a list over a list ("… respectively").
    pub distributive: WordSet,
    /// Bodies a country has one of, named by the national word and one head noun
    /// ("the Iraqi Parliament").
    pub national_bodies: WordSet,
    /// Head nouns that also name a building ("the Police Headquarters").
    #[serde(default)]
    pub building_heads: WordSet,
    /// Words of state before a national word that belong to a body's name ("Royal").
    #[serde(default)]
    pub state_words: WordSet,
    /// Words before a demonym that make it a region's ("Latin American"), not a country's.
    #[serde(default)]
    pub region_words: WordSet,
    /// Phrases after which a sentence lists incidental offences ("other offences such as").
    #[serde(default)]
    pub incidental: Vec<String>,
    /// Function words that scraped text glues to the next capitalised word ("ofPublic").
    #[serde(default)]
    pub glued_words: Vec<String>,
    /// Caption words that end an organisation's name at a line's end ("Seal", "Logo").
    #[serde(default)]
    pub caption_words: WordSet,
    /// Nouns after an organisation's name that make the phrase name its members
    /// ("GCC countries").
    pub member_nouns: WordSet,
    /// Plural nouns that, after "the two" or "both", stand for the two parties.
    pub side_nouns: WordSet,
    /// Plural nouns that, after "the" alone, stand for the two parties ("the delegations").
    pub sides_alone: WordSet,
    /// Verb and noun pairs that name a topic.
    #[serde(rename = "topic_cue")]
    pub topic_cues: Vec<TopicCue>,
    /// Event triggers, in order.
    #[serde(rename = "trigger")]
    pub triggers: Vec<Trigger>,
    /// Phrases that tie persons to a country, in order.
    #[serde(rename = "affiliation")]
    pub affiliations: Vec<super::affiliation::Rule>,
    /// The triggers of each word, in trigger order (built by parse and add).
    #[serde(skip)]
    trigger_index: rustc_hash::FxHashMap<String, Vec<usize>>,
}

static ACTIVE: OnceLock<Lexicon> = OnceLock::new();

/// The lexicon in use (shorthand for [`Lexicon::get`]).
pub fn lex() -> &'static Lexicon {
    Lexicon::get()
}

/// Parses TOML text, turning an error into file, line and column.
fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, LexiconError> {
    toml::from_str(text).map_err(|e| LexiconError::at(file, text, &e))
}

impl LexiconError {
    /// The TOML error `e` of the text `text` of `file`, placed at its line and column.
    pub fn at(file: &str, text: &str, e: &toml::de::Error) -> LexiconError {
        let (line, column) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, col)
            })
            .unwrap_or((1, 1));
        LexiconError {
            file: file.to_string(),
            line,
            column,
            message: e.message().to_string(),
        }
    }
}

impl Lexicon {
    /// Parses a complete lexicon file.
    pub fn parse(file: &str, text: &str) -> Result<Lexicon, LexiconError> {
        let mut lex: Lexicon = parse(file, text)?;
        lex.index_triggers();
        Ok(lex)
    }

    /// Files each trigger under its words, so a token costs one look-up.
    fn index_triggers(&mut self) {
        self.trigger_index.clear();
        for (k, t) in self.triggers.iter().enumerate() {
            for w in t.words.iter() {
                let ts = self.trigger_index.entry(w.to_string()).or_default();
                if !ts.contains(&k) {
                    ts.push(k);
                }
            }
        }
    }

    /// The lexicon in use: the built-in one, with the overlay installed by [`Lexicon::install`].
    pub fn get() -> &'static Lexicon {
        ACTIVE.get_or_init(|| {
            Lexicon::parse("graph-schema/lexicon.toml", LEXICON_TOML)
                .unwrap_or_else(|e| panic!("embedded lexicon is malformed: {e}"))
        })
    }

    /// Adds a user's `lexicon.toml` (lists joined, triggers tried first) and makes the result
    /// the lexicon in use; must run before the first extraction.
    pub fn install(path: &Path) -> Result<(), LexiconError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LexiconError {
            file: file.clone(),
            line: 1,
            column: 1,
            message: e.to_string(),
        })?;
        let overlay: Lexicon = parse(&file, &text)?;
        let mut lex = Lexicon::parse("graph-schema/lexicon.toml", LEXICON_TOML)?;
        lex.add(overlay);
        ACTIVE.set(lex).map_err(|_| LexiconError {
            file,
            line: 1,
            column: 1,
            message: "the lexicon is already in use; give --vocab before anything is extracted"
                .into(),
        })
    }

    /// Adds an overlay: its lists joined to these, its triggers and affiliations tried first.
    fn add(&mut self, o: Lexicon) {
        let Lexicon {
            stop_caps,
            speech_verbs,
            name_particles,
            title_ref_words,
            role_modifiers,
            portfolio_words,
            planned,
            agreement_heads,
            agreement_plurals,
            media_words,
            media_heads,
            participation,
            talk_verbs,
            umbrella_phrases,
            capital_nouns,
            passive_aux,
            subject_glue,
            object_verbs,
            agent_verbs,
            counterpart_nouns,
            companion_phrases,
            tail_markers,
            abbreviations,
            title_words,
            distributive,
            side_nouns,
            sides_alone,
            member_nouns,
            national_bodies,
            building_heads,
            state_words,
            caption_words,
            glued_words,
            incidental,
            region_words,
            topic_cues,
            mut triggers,
            mut affiliations,
            trigger_index: _,
        } = o;
        self.stop_caps.extend(stop_caps);
        self.speech_verbs.extend(speech_verbs);
        self.name_particles.extend(name_particles);
        self.title_ref_words.extend(title_ref_words);
        self.role_modifiers.extend(role_modifiers);
        self.portfolio_words.extend(portfolio_words);
        self.planned.extend(planned);
        self.agreement_heads.extend(agreement_heads);
        self.agreement_plurals.extend(agreement_plurals);
        self.media_words.extend(media_words);
        self.media_heads.extend(media_heads);
        self.participation.extend(participation);
        self.talk_verbs.extend(talk_verbs);
        self.umbrella_phrases.extend(umbrella_phrases);
        self.capital_nouns.extend(capital_nouns);
        self.passive_aux.extend(passive_aux);
        self.subject_glue.extend(subject_glue);
        self.object_verbs.extend(object_verbs);
        self.agent_verbs.extend(agent_verbs);
        self.counterpart_nouns.extend(counterpart_nouns);
        self.companion_phrases.extend(companion_phrases);
        self.tail_markers.extend(tail_markers);
        self.abbreviations.extend(abbreviations);
        self.title_words.extend(title_words);
        self.distributive.extend(distributive);
        self.side_nouns.extend(side_nouns);
        self.member_nouns.extend(member_nouns);
        self.national_bodies.extend(national_bodies);
        self.building_heads.extend(building_heads);
        self.state_words.extend(state_words);
        self.caption_words.extend(caption_words);
        self.glued_words.extend(glued_words);
        self.incidental.extend(incidental);
        self.region_words.extend(region_words);
        self.topic_cues.extend(topic_cues);
        self.sides_alone.extend(sides_alone);
        triggers.append(&mut self.triggers);
        self.triggers = triggers;
        affiliations.append(&mut self.affiliations);
        self.affiliations = affiliations;
        self.index_triggers();
    }

    /// The event that the word at `i` starts, if any: the first trigger rule that matches.
    pub fn trigger(&self, toks: &[Token], i: usize) -> Option<Triggered<'_>> {
        self.trigger_index
            .get(toks[i].key.as_str())?
            .iter()
            .map(|&k| &self.triggers[k])
            .find(|t| {
                t.requires.as_ref().is_none_or(|c| c.any(toks, i))
                    && !t.unless.as_ref().is_some_and(|c| c.any(toks, i))
            })
            .map(|t| Triggered {
                kind: &t.kind,
                cameo: &t.cameo,
                plural: t.plural,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Span;

    fn toks(s: &str) -> Vec<Token> {
        let chars: Vec<char> = s.chars().collect();
        crate::extract::sentences::tokenize(
            &chars,
            Span {
                start: 0,
                end: chars.len(),
            },
        )
    }

    fn kind_at(s: &str, word: &str) -> Option<String> {
        let t = toks(s);
        let i = t.iter().position(|x| x.text == word).unwrap();
        Lexicon::get().trigger(&t, i).map(|x| x.kind.to_string())
    }

    #[test]
    fn triggers_follow_their_conditions() {
        assert_eq!(
            kind_at("They held a meeting on Monday", "meeting").as_deref(),
            Some("meeting")
        );
        assert_eq!(kind_at("It is meeting the needs", "meeting"), None);
        assert_eq!(
            kind_at("He told the press", "press").as_deref(),
            Some("statement")
        );
        assert_eq!(kind_at("The press was there", "press"), None);
        assert_eq!(
            kind_at("a press conference", "conference").as_deref(),
            Some("statement")
        );
        assert_eq!(kind_at("via video conference", "conference"), None);
        assert_eq!(
            kind_at("an operation against trafficking", "operation").as_deref(),
            Some("operation")
        );
        assert_eq!(kind_at("the operation of the port", "operation"), None);
        assert_eq!(kind_at("He received a phone call", "received"), None);
        assert_eq!(
            kind_at("It provided training in forensics", "training").as_deref(),
            Some("training")
        );
        assert_eq!(
            kind_at("cooperation in training and drills", "training"),
            None
        );
        assert_eq!(
            kind_at("an equipment grant to the police", "grant").as_deref(),
            Some("agreement")
        );
        assert_eq!(kind_at("to grant access to data", "grant"), None);
    }

    #[test]
    fn a_malformed_file_is_refused_with_its_line_and_column() {
        let e = Lexicon::parse("x.toml", "stop_caps = [\"a\"]\nspeech_verbs = 3\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.toml", 2), "{e}");
        assert!(e.to_string().starts_with("x.toml:2:"), "{e}");
    }
}
