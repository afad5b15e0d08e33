//! Phrases that tie persons to a country written elsewhere in their sentence ("the Kenyan
//! delegation was led by …", "… was accompanied by …") and lists distributed over lists
//! ("X and Y, chiefs of A and B respectively"): the `[[affiliation]]` patterns and the
//! `distributive` words of `graph-schema/lexicon.toml`, applied by a small matcher.

use super::lexicon::lex;
use super::mentions::{Mentions, RoleMention};
use super::sentences::Token;
use super::Span;
use crate::fold::fold;
use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;

/// One item of a pattern.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// One of these folded words.
    Words(HashSet<String>),
    /// A country's name or demonym: the country given.
    Country,
    /// A person whose country is given to the others.
    With,
    /// One or more persons joined by "," and "and": they take the country.
    Persons,
    /// Up to this many tokens of any kind.
    Any(usize),
}

/// A pattern item and whether it may be absent.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    item: Item,
    optional: bool,
}

/// A compiled `[[affiliation]]` pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RuleText")]
pub struct Rule {
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    pattern: String,
}

impl TryFrom<RuleText> for Rule {
    type Error = String;

    fn try_from(r: RuleText) -> Result<Rule, String> {
        Rule::compile(&r.pattern)
    }
}

impl Rule {
    /// Compiles pattern text: words joined by `|`, `COUNTRY`, `WITH`, `PERSONS`, `~N`, each
    /// optionally followed by `?`.
    pub fn compile(pattern: &str) -> Result<Rule, String> {
        let mut steps = Vec::new();
        for raw in pattern.split_whitespace() {
            let (body, optional) = match raw.strip_suffix('?') {
                Some(b) if !b.is_empty() => (b, true),
                _ => (raw, false),
            };
            let item = match body {
                "COUNTRY" => Item::Country,
                "WITH" => Item::With,
                "PERSONS" => Item::Persons,
                b if b.starts_with('~') => Item::Any(
                    b[1..]
                        .parse()
                        .map_err(|_| format!("`{raw}`: `~` takes a number of words"))?,
                ),
                b if b.chars().any(char::is_uppercase) => {
                    return Err(format!(
                        "`{raw}`: unknown slot (slots are COUNTRY, WITH, PERSONS; words are lower case)"
                    ))
                }
                b => Item::Words(b.split('|').map(fold).collect()),
            };
            steps.push(Step { item, optional });
        }
        let persons = steps.iter().filter(|s| s.item == Item::Persons).count();
        let sources = steps
            .iter()
            .filter(|s| matches!(s.item, Item::Country | Item::With))
            .count();
        if persons != 1 || sources != 1 {
            return Err(format!(
                "`{pattern}`: a pattern needs one PERSONS and one COUNTRY or WITH"
            ));
        }
        Ok(Rule { steps })
    }
}

impl Rule {
    /// Whether the rule can match from token `i`: a cheap test of its first step (the
    /// matcher would fail there at once otherwise). A rule whose first step may be
    /// absent is always tried.
    fn may_start(&self, s: &Sentence<'_>, i: usize) -> bool {
        let Some(first) = self.steps.first() else {
            return true;
        };
        if first.optional {
            return true;
        }
        match &first.item {
            Item::Words(w) => s.toks.get(i).is_some_and(|t| w.contains(&t.key)),
            Item::Country => s.country_at.get(i).copied().flatten().is_some(),
            // `Sentence::person` needs a person at `i` or a title's word there.
            Item::With | Item::Persons => {
                s.person_at.get(i).copied().flatten().is_some()
                    || s.toks.get(i).is_some_and(|t| {
                        t.is_cap() || matches!(t.key.as_str(), "." | "of" | "the" | "for" | "'s")
                    })
            }
            Item::Any(_) => true,
        }
    }
}

/// Where the mentions of one sentence start and end, by token.
struct Sentence<'a> {
    toks: &'a [Token],
    /// Country mention starting at a token: (country, token after it).
    country_at: Vec<Option<(usize, usize)>>,
    /// Person mention starting at a token: (person, token after it).
    person_at: Vec<Option<(usize, usize)>>,
    /// At the token after a person's name: the token after the title written there
    /// between commas, if any.
    appositive_end: Vec<Option<usize>>,
    /// [`Sentence::person`] at each token, once asked (every rule asks it again).
    person_memo: std::cell::RefCell<Vec<Option<TitledPerson>>>,
}

/// What [`Sentence::person`] answers.
type TitledPerson = Option<(usize, usize, bool, bool)>;

impl<'a> Sentence<'a> {
    fn new(toks: &'a [Token], sent: usize, m: &Mentions) -> Sentence<'a> {
        // The tokens a mention covers: its first, and the one after its last.
        let tokens = |sp: Span| -> Option<(usize, usize)> {
            let i = toks.iter().position(|t| t.span.start == sp.start)?;
            let j = toks.iter().position(|t| t.span.end >= sp.end)?;
            Some((i, j + 1))
        };
        let mut country_at = vec![None; toks.len()];
        let mut person_at = vec![None; toks.len()];
        for c in m.countries.iter().filter(|c| c.sent == sent) {
            if let Some((i, j)) = tokens(c.span) {
                country_at[i] = Some((c.country, j));
            }
        }
        // "a delegation of the Ghana Police Service led by X": a known body of a country
        // stands for it.
        for o in m.orgs.iter().filter(|o| o.sent == sent && o.known) {
            if let (Some(c), Some((i, j))) = (o.country.or(o.home), tokens(o.span)) {
                country_at[i].get_or_insert((c, j));
            }
        }
        // "X, Director of Y, and Z": the title written after a name, between commas.
        let mut appositive_end = vec![None; toks.len() + 1];
        for p in m.person_mentions.iter().filter(|p| p.sent == sent) {
            if let Some((i, j)) = tokens(p.span) {
                person_at[i] = Some((p.person, j));
                let after = toks.get(j).filter(|t| t.text == ",").map(|t| t.span.end);
                let role_end = m.persons[p.person]
                    .roles
                    .iter()
                    .filter(|r| after.is_some_and(|a| a <= r.span.start))
                    .filter_map(|r| tokens(r.span))
                    .filter(|&(ri, _)| ri == j + 1)
                    .map(|(_, rj)| rj)
                    .max();
                // "…, Ambassador of A to B, …": the posting after the title is the title's.
                appositive_end[j] = role_end.map(|rj| {
                    (rj..toks.len().min(rj + 6))
                        .find(|&k| toks[k].text == ",")
                        .unwrap_or(rj)
                });
            }
        }
        Sentence {
            toks,
            country_at,
            person_at,
            appositive_end,
            person_memo: std::cell::RefCell::new(vec![None; toks.len()]),
        }
    }

    /// A person at `i`, after at most a title's words ("Jakarta Police Chief Maj. Gen."):
    /// the person, the token after the name, whether the title names a country and
    /// whether a title is written.
    fn person(&self, i: usize) -> TitledPerson {
        if let Some(&Some(known)) = self.person_memo.borrow().get(i) {
            return known;
        }
        let found = self.find_person(i);
        if let Some(slot) = self.person_memo.borrow_mut().get_mut(i) {
            *slot = Some(found);
        }
        found
    }

    fn find_person(&self, i: usize) -> TitledPerson {
        let mut titled_country = false;
        for k in i..self.toks.len().min(i + 13) {
            if let Some((p, j)) = self.person_at[k] {
                return Some((p, j, titled_country, k > i));
            }
            titled_country |= self.country_at[k].is_some();
            let t = &self.toks[k];
            if !(t.is_cap() || matches!(t.key.as_str(), "." | "of" | "the" | "for" | "'s")) {
                return None;
            }
        }
        None
    }
}

impl Sentence<'_> {
    /// Persons from `i` joined by "," and "and", each after at most a title: (person,
    /// whether its title names a country, whether it has a title) and the token after
    /// the last.
    fn persons(&self, i: usize) -> (Vec<(usize, bool, bool)>, usize) {
        let mut j = i;
        let mut list = Vec::new();
        while let Some((p, next, titled_country, titled)) = self.person(j) {
            list.push((p, titled_country, titled));
            j = next;
            if let Some(end) = self.appositive_end[j] {
                j = end;
            }
            let sep = |k: usize| {
                self.toks
                    .get(k)
                    .is_some_and(|t| matches!(t.key.as_str(), "," | "and"))
            };
            let mut k = j;
            while sep(k) {
                k += 1;
            }
            if k == j || self.person(k).is_none() {
                break;
            }
            j = k;
        }
        (list, j)
    }
}

/// "Japan's Foreign Minister A, Defence Minister B and Trade Minister C": in a list of
/// titled persons opened by one whose title names a country, a person without a country
/// of their own is of that country, when no item of the list names another.
fn inherit_in_lists(s: &Sentence<'_>, m: &mut Mentions) {
    let mut i = 0;
    while i < s.toks.len() {
        let (list, j) = s.persons(i);
        if list.len() < 2 || !list[0].1 {
            i = j.max(i + 1);
            continue;
        }
        let named: Vec<Option<usize>> = list
            .iter()
            .map(|&(p, titled, _)| titled.then(|| m.person_country(p)).flatten())
            .collect();
        let first = named[0];
        if first.is_some() && named.iter().all(|c| c.is_none() || *c == first) {
            for &(p, _, titled) in &list[1..] {
                if titled && m.person_country(p).is_none() {
                    m.persons[p].country = first;
                }
            }
        }
        i = j.max(i + 1);
    }
}

/// What a match found.
#[derive(Debug, Clone, Default)]
struct Found {
    country: Option<usize>,
    with: Option<usize>,
    /// Persons taking the country, and whether their own title names a country.
    persons: Vec<(usize, bool)>,
}

fn matches(s: &Sentence<'_>, steps: &[Step], i: usize, f: &mut Found) -> bool {
    // A call that fails leaves `f` as it found it: each step undoes what it set.
    let Some((step, rest)) = steps.split_first() else {
        return true;
    };
    let taken = match &step.item {
        Item::Words(w) => {
            s.toks.get(i).is_some_and(|t| w.contains(&t.key)) && matches(s, rest, i + 1, f)
        }
        Item::Country => match s.country_at.get(i).copied().flatten() {
            Some((c, j)) => {
                let old = f.country.replace(c);
                matches(s, rest, j, f) || {
                    f.country = old;
                    false
                }
            }
            None => false,
        },
        Item::With => match s.person(i) {
            Some((p, j, _, _)) => {
                let old = f.with.replace(p);
                matches(s, rest, j, f) || {
                    f.with = old;
                    false
                }
            }
            None => false,
        },
        Item::Persons => {
            let (list, j) = s.persons(i);
            !list.is_empty() && {
                let new = list.into_iter().map(|(p, c, _)| (p, c)).collect();
                let old = std::mem::replace(&mut f.persons, new);
                matches(s, rest, j, f) || {
                    f.persons = old;
                    false
                }
            }
        }
        Item::Any(n) => (0..=*n).any(|k| i + k <= s.toks.len() && matches(s, rest, i + k, f)),
    };
    taken || (step.optional && matches(s, rest, i, f))
}

/// The words that the rules need: a rule can match in a sentence only if each of its
/// steps of words that may not be absent finds one of its words among the sentence's
/// keys (the first 64 such steps are counted).
struct Needs {
    /// The rules these are of (their address and number).
    of: (usize, usize),
    /// For a folded word, the rules and the bit of each of their steps that it satisfies.
    by_word: rustc_hash::FxHashMap<String, Vec<(usize, u64)>>,
    /// Per rule, the bits of its required steps of words.
    required: Vec<u64>,
}

impl Needs {
    fn of(rules: &[Rule]) -> Needs {
        let mut by_word: rustc_hash::FxHashMap<String, Vec<(usize, u64)>> = Default::default();
        let mut required = vec![0u64; rules.len()];
        for (r, rule) in rules.iter().enumerate() {
            let steps = rule.steps.iter().filter(|st| !st.optional);
            for (k, st) in steps
                .filter(|st| matches!(st.item, Item::Words(_)))
                .enumerate()
            {
                let (Item::Words(ws), true) = (&st.item, k < 64) else {
                    continue;
                };
                let bit = 1u64 << k;
                required[r] |= bit;
                for w in ws {
                    by_word.entry(w.clone()).or_default().push((r, bit));
                }
            }
        }
        Needs {
            of: (rules.as_ptr() as usize, rules.len()),
            by_word,
            required,
        }
    }

    /// Per rule, whether it can match in a sentence of these tokens.
    fn viable(&self, toks: &[Token]) -> Vec<bool> {
        let mut got = vec![0u64; self.required.len()];
        for t in toks {
            for &(r, bit) in self.by_word.get(t.key.as_str()).into_iter().flatten() {
                got[r] |= bit;
            }
        }
        got.iter()
            .zip(&self.required)
            .map(|(g, req)| g & req == *req)
            .collect()
    }
}

/// Applies the affiliation patterns and the distributive lists to every sentence.
pub fn apply(toks: &[Vec<Token>], m: &mut Mentions) {
    let rules = &lex().affiliations;
    static NEEDS: std::sync::OnceLock<Needs> = std::sync::OnceLock::new();
    let built;
    let needs = match NEEDS.get_or_init(|| Needs::of(rules)) {
        n if n.of == (rules.as_ptr() as usize, rules.len()) => n,
        _ => {
            built = Needs::of(rules);
            &built
        }
    };
    for (sent, ts) in toks.iter().enumerate() {
        if !m.person_mentions.iter().any(|p| p.sent == sent) {
            continue;
        }
        let s = Sentence::new(ts, sent, m);
        let viable = needs.viable(ts);
        let mut found = Vec::new();
        for i in 0..ts.len() {
            for (r, viable) in rules.iter().zip(&viable) {
                if !viable || !r.may_start(&s, i) {
                    continue;
                }
                let mut f = Found::default();
                if matches(&s, &r.steps, i, &mut f) {
                    found.push(f);
                    break;
                }
            }
        }
        for f in found {
            let country = f
                .country
                .or_else(|| f.with.and_then(|p| m.person_country(p)));
            let Some(c) = country else { continue };
            for (p, titled) in f.persons {
                if Some(p) != f.with && !titled {
                    m.persons[p].country = Some(c);
                }
            }
        }
        inherit_in_lists(&s, m);
        distribute(&s, sent, m);
    }
}

/// "X and Y, chiefs of A and B respectively": the n-th person holds the role in the n-th
/// organisation named between the last person and the distributive word.
fn distribute(s: &Sentence<'_>, sent: usize, m: &mut Mentions) {
    let Some(end) = s
        .toks
        .iter()
        .position(|t| lex().distributive.contains(&t.key))
    else {
        return;
    };
    let mut persons: Vec<(usize, usize)> = Vec::new(); // (person, token after the name)
    let mut i = 0;
    while i < end {
        match s.person_at[i] {
            Some((p, j)) => {
                if !persons.iter().any(|(q, _)| *q == p) {
                    persons.push((p, j));
                }
                i = j;
            }
            None => i += 1,
        }
    }
    let Some(&(_, after)) = persons.last() else {
        return;
    };
    let (from, to) = (s.toks[after.min(end)].span.start, s.toks[end].span.start);
    let mut orgs: Vec<usize> = (0..m.orgs.len())
        .filter(|&o| m.orgs[o].sent == sent && m.orgs[o].span.start >= from)
        .filter(|&o| m.orgs[o].span.end <= to)
        .collect();
    orgs.sort_by_key(|&o| m.orgs[o].span.start);
    if persons.len() < 2 || orgs.len() != persons.len() {
        return;
    }
    // The role noun: the word before the first organisation's "of" ("chiefs of").
    let first = s
        .toks
        .iter()
        .position(|t| t.span.start >= m.orgs[orgs[0]].span.start);
    let noun = first.and_then(|k| {
        let mut k = k.checked_sub(1)?;
        while matches!(s.toks[k].key.as_str(), "the" | "of") {
            k = k.checked_sub(1)?;
        }
        let t = &s.toks[k];
        (t.word && k >= after).then(|| singular_title(&t.text))
    });
    for ((p, _), o) in persons.into_iter().zip(orgs) {
        let person = &mut m.persons[p];
        if let Some(r) = person.roles.iter_mut().find(|r| r.org.is_none()) {
            r.org = Some(o);
        } else if let Some(n) = &noun {
            person.roles.push(RoleMention {
                title: n.clone(),
                written: None,
                org: Some(o),
                span: m.orgs[o].span,
            });
        }
        if let Some(c) = m.orgs[o].country {
            m.persons[p].country = Some(c);
        }
    }
}

/// "chiefs" → "Chief", "heads" → "Head".
fn singular_title(w: &str) -> String {
    let w = w.strip_suffix('s').filter(|s| s.len() > 2).unwrap_or(w);
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_and_bad_ones_say_why() {
        let r = Rule::compile("COUNTRY delegation was? led|headed by PERSONS").unwrap();
        assert_eq!(r.steps.len(), 6);
        assert!(r.steps[2].optional);
        assert!(Rule::compile("COUNTRY led by")
            .unwrap_err()
            .contains("PERSONS"));
        assert!(Rule::compile("NATION led by PERSONS")
            .unwrap_err()
            .contains("unknown slot"));
        assert!(Rule::compile("COUNTRY ~x PERSONS")
            .unwrap_err()
            .contains("number"));
    }

    #[test]
    fn a_rule_is_viable_only_with_each_of_its_required_words() {
        let rules = vec![
            Rule::compile("COUNTRY delegation was? led|headed by PERSONS").unwrap(),
            Rule::compile("PERSONS of the? COUNTRY").unwrap(),
        ];
        let needs = Needs::of(&rules);
        let toks = |s: &str| {
            let chars: Vec<char> = s.chars().collect();
            let all = Span {
                start: 0,
                end: chars.len(),
            };
            crate::extract::sentences::tokenize(&chars, all)
        };
        assert_eq!(
            needs.viable(&toks("The Kenyan delegation, headed BY Ann Mwangi")),
            [true, false]
        );
        assert_eq!(
            needs.viable(&toks("The Kenyan delegation led Ann Mwangi of Kenya")),
            [false, true]
        );
    }

    #[test]
    fn the_built_in_patterns_compile() {
        assert!(!lex().affiliations.is_empty());
        assert!(lex().distributive.contains("respectively"));
    }

    #[test]
    fn singular_titles() {
        assert_eq!(singular_title("chiefs"), "Chief");
        assert_eq!(singular_title("heads"), "Head");
        assert_eq!(singular_title("director"), "Director");
    }
}
