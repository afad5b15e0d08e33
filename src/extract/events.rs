//! Events (meetings, talks, receptions, signings, conferences, summits, visits,
//! calls, operations) and agreements, assembled from the sentence mentions.

use super::dates::{DateMention, MonthDay, Reference};
use super::lexicon::lex;
use super::mentions::{join, Mentions};
use super::sentences::Token;
use super::Span;
use crate::fold::fold;
use chrono::Datelike;

/// An event found in the article.
#[derive(Debug, Clone)]
pub struct EventDraft {
    /// Schema kind ("meeting", "conference", …).
    pub kind: &'static str,
    /// CAMEO code.
    pub cameo: &'static str,
    /// The trigger word or name.
    pub trigger: Span,
    /// A written name ("Border Security Summit").
    pub name: Option<String>,
    /// Sentences that report it.
    pub sents: Vec<usize>,
    /// Date.
    pub date: Option<DateMention>,
    /// Day and month written without a year when no year could be inferred (`date` is
    /// then empty).
    pub month_day: Option<MonthDay>,
    /// Place index and span.
    pub place: Option<(usize, Span)>,
    /// Country where held, when no place is known.
    pub country: Option<(usize, Span)>,
    /// Participating persons (indexes into `Mentions::persons`) with a supporting span.
    pub persons: Vec<(usize, Span)>,
    /// Participating organisations written in its sentences (mention indexes).
    pub orgs: Vec<usize>,
    /// Participating countries written in its trigger sentence.
    pub countries: Vec<(usize, Span)>,
    /// A "series of meetings" that only sets date and place for what follows.
    pub umbrella: bool,
    /// For a side event: the characters of its own words in its first sentence (its topics
    /// there are those written inside).
    pub segment: Option<Span>,
}

impl EventDraft {
    /// Whether a topic written at `span` in sentence `sent` belongs to this event.
    pub fn owns(&self, sent: usize, span: Span) -> bool {
        if !self.sents.contains(&sent) {
            return false;
        }
        match self.segment {
            Some(seg) if self.sents.first() == Some(&sent) => {
                span.start >= seg.start && span.end <= seg.end
            }
            _ => true,
        }
    }
}

/// An agreement, signed or planned.
#[derive(Debug, Clone)]
pub struct AgreementDraft {
    /// Title as written, without determiner.
    pub title: String,
    /// Other names ("Hanoi Convention").
    pub aliases: Vec<String>,
    /// "signed" or "planned".
    pub status: &'static str,
    /// Where.
    pub span: Span,
    /// Sentence.
    pub sent: usize,
    /// Organisations named as parties ("between X and Y").
    pub party_orgs: Vec<usize>,
    /// Event index that produced it.
    pub event: Option<usize>,
    /// Whether it is a proper name (capitalised), not a description.
    pub named: bool,
}

/// The year a sentence opens on: "In 2010 …", "Since 2017, …", "Back in 2015 …".
fn opening_year(toks: &[Token]) -> Option<i32> {
    let k = match toks.first()?.key.as_str() {
        "in" | "since" => 1,
        "back" if toks.get(1)?.key == "in" => 2,
        _ => return None,
    };
    let y = &toks.get(k)?.text;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .then(|| y.parse().ok())
        .flatten()
}

/// Looks up trigger words: (kind, cameo, plural/umbrella).
fn trigger(toks: &[Token], i: usize) -> Option<(&'static str, &'static str, bool)> {
    lex().trigger(toks, i).map(|t| (t.kind, t.cameo, t.plural))
}

/// Assembles events and agreements from the mentions.
pub struct Assembler<'a> {
    /// Tokens per sentence.
    pub toks: &'a [Vec<Token>],
    /// Paragraph index per sentence.
    pub para: &'a [usize],
    /// Mentions.
    pub m: &'a Mentions,
    /// Dates per sentence.
    pub dates: &'a [Vec<DateMention>],
    /// Days and months without a year per sentence (see [`MonthDay`]).
    pub month_days: &'a [Vec<MonthDay>],
    /// Date reference.
    pub reference: Reference,
    /// Dateline place.
    pub dateline: Option<(usize, Span)>,
    /// Where the dateline ends ("SUVA, Saturday -"): its sentence and the character of its
    /// dash; a date written before it is the report's.
    pub dateline_end: Option<(usize, usize)>,
    /// Capital of the dateline country (for "the capital").
    pub capital: Option<usize>,
    /// What the assembler asks of each sentence many times, found at its first use.
    pub memo: Memo,
}

/// A trigger found at a token: (kind, cameo, plural/umbrella).
type Trig = Option<(&'static str, &'static str, bool)>;

/// Per-sentence facts of an [`Assembler`], each found once: the trigger at every token,
/// the joined keys, whether the sentence plans an agreement, and its person mentions.
#[derive(Default)]
pub struct Memo(std::cell::OnceCell<MemoData>);

struct MemoData {
    trig: Vec<Vec<Trig>>,
    keys: Vec<String>,
    planned: Vec<bool>,
    persons: Vec<Vec<usize>>,
}

impl Assembler<'_> {
    fn memo(&self) -> &MemoData {
        self.memo.0.get_or_init(|| {
            let keys: Vec<String> = self
                .toks
                .iter()
                .map(|t| super::sentences::joined_keys(t))
                .collect();
            let mut persons = vec![Vec::new(); self.toks.len()];
            for (k, pm) in self.m.person_mentions.iter().enumerate() {
                if let Some(v) = persons.get_mut(pm.sent) {
                    v.push(k);
                }
            }
            MemoData {
                trig: self
                    .toks
                    .iter()
                    .map(|t| (0..t.len()).map(|i| trigger(t, i)).collect())
                    .collect(),
                planned: keys.iter().map(|k| lex().planned.occurs_in(k)).collect(),
                keys,
                persons,
            }
        })
    }

    /// [`trigger`] of token `i` of sentence `s`.
    fn trig(&self, s: usize, i: usize) -> Trig {
        self.memo().trig[s][i]
    }

    /// [`super::sentences::joined_keys`] of sentence `s`.
    fn keys(&self, s: usize) -> &str {
        &self.memo().keys[s]
    }

    /// The person mentions of sentence `s`, in their order.
    fn persons_in(&self, s: usize) -> impl Iterator<Item = &super::mentions::PersonMention> {
        self.memo().persons[s]
            .iter()
            .map(|&k| &self.m.person_mentions[k])
    }

    /// Finds the events and agreements.
    pub fn run(&self) -> (Vec<EventDraft>, Vec<AgreementDraft>) {
        let mut events: Vec<EventDraft> = Vec::new();
        let mut agreements: Vec<AgreementDraft> = Vec::new();
        let mut current: Option<usize> = None;
        let mut umbrella: Option<usize> = None;
        let protagonist = self.protagonist();
        let mut last_plural_signing: Option<usize> = None;
        for (s, toks) in self.toks.iter().enumerate() {
            let mut started = None;
            // "held a series of bilateral meetings … on Sunday": date and place for what follows.
            for i in 0..toks.len() {
                if let Some((kind, cameo, true)) = self.trig(s, i) {
                    let ev = self.build(s, i, kind, cameo, true, protagonist, None);
                    if ev.umbrella {
                        events.push(ev);
                        umbrella = Some(events.len() - 1);
                        break;
                    }
                }
            }
            let earlier_umbrella = umbrella.filter(|&u| events[u].sents.first() != Some(&s));
            let mut main: Option<usize> = None;
            for i in 0..toks.len() {
                let Some((kind, cameo, plural)) = self.trig(s, i) else {
                    continue;
                };
                if plural {
                    continue;
                }
                let ev = self.build(
                    s,
                    i,
                    kind,
                    cameo,
                    plural,
                    protagonist,
                    earlier_umbrella.map(|u| &events[u]),
                );
                let mut ev = ev;
                // "Prince Abdulaziz also met with …": the same occasion as the current event,
                // on its day when the sentence gives none.
                if ev.date.is_none() && i > 0 && toks[i - 1].key == "also" {
                    if let Some(c) = current {
                        let shared = ev
                            .persons
                            .iter()
                            .any(|(p, _)| events[c].persons.iter().any(|(q, _)| q == p));
                        if shared {
                            ev.date = events[c].date;
                            ev.month_day = events[c].month_day;
                        }
                    }
                }
                // "the meeting", "this conference": an event already reported.
                if let Some(k) = self.back_reference(toks, i, &ev, &events, current) {
                    let (countries, orgs) = (ev.countries.clone(), ev.orgs.clone());
                    let e = &mut events[k];
                    e.date = e.date.or(ev.date);
                    if i <= 1 {
                        for p in &ev.persons {
                            if !e.persons.iter().any(|q| q.0 == p.0) {
                                e.persons.push(*p);
                            }
                        }
                    }
                    if !e.sents.contains(&s) {
                        e.sents.push(s);
                    }
                    for c in countries {
                        if !e.countries.iter().any(|q| q.0 == c.0) {
                            e.countries.push(c);
                        }
                    }
                    for o in orgs {
                        if !e.orgs.contains(&o) {
                            e.orgs.push(o);
                        }
                    }
                    started = Some(k);
                    main = Some(i);
                    break;
                }
                if ev.persons.is_empty()
                    && ev.name.is_none()
                    && ev.orgs.is_empty()
                    && ev.countries.is_empty()
                    && !ev.umbrella
                {
                    continue;
                }
                // "their meeting", "the meeting": the current event again.
                if let Some(c) = current {
                    let cur = &events[c];
                    if !ev.umbrella
                        && cur.kind == ev.kind
                        && ev.name.is_none()
                        && ev
                            .persons
                            .iter()
                            .all(|(p, _)| cur.persons.iter().any(|(q, _)| q == p))
                        && (ev.date.is_none()
                            || ev.date.map(|d| d.date) == cur.date.map(|d| d.date))
                    {
                        if !events[c].sents.contains(&s) {
                            events[c].sents.push(s);
                        }
                        started = Some(c);
                        main = Some(i);
                        break;
                    }
                }
                // The same event reported again in the article.
                let mut first = None;
                for ev in split_separate(toks, i, ev) {
                    let same = events.iter().position(|e| same_event(e, &ev));
                    let k = match same {
                        Some(k) => {
                            merge_into(&mut events[k], ev);
                            k
                        }
                        None => {
                            events.push(ev);
                            events.len() - 1
                        }
                    };
                    first.get_or_insert(k);
                }
                let Some(idx) = first else { continue };
                // A late trigger in a long sentence is an aside, except a statement ("…, X
                // told the press"), whose words are what follows.
                if (i < 20 || events[idx].kind == "statement") && started.is_none() {
                    started = Some(idx);
                }
                main = Some(i);
                break;
            }
            // "X and Y today signed two new treaties": a signing with no other trigger.
            if main.is_none() {
                if let Some(i) = signing_trigger(toks, self.memo().planned[s]) {
                    let ev = self.build(
                        s,
                        i,
                        "meeting",
                        "057",
                        false,
                        protagonist,
                        earlier_umbrella.map(|u| &events[u]),
                    );
                    let joins_current = current.is_some_and(|c| {
                        let cur = &events[c];
                        ev.persons
                            .iter()
                            .all(|(p, _)| cur.persons.iter().any(|(q, _)| q == p))
                            && (ev.date.is_none()
                                || ev.date.map(|d| d.date) == cur.date.map(|d| d.date))
                    });
                    // "X and Y signed the arrangement, which covers …" after a signing: the
                    // same signing, its signatories named now.
                    let signs_again = current
                        .filter(|&c| events[c].cameo == "057" && signs_the_one_named(toks, i));
                    if let Some(c) = signs_again {
                        merge_into(&mut events[c], ev);
                        started = Some(c);
                        main = Some(i);
                    } else if joins_current {
                        // "The memorandum was signed by …" after the meeting: the same event.
                    } else if !(ev.persons.is_empty()
                        && ev.orgs.is_empty()
                        && ev.countries.is_empty())
                    {
                        let idx = match events.iter().position(|e| same_event(e, &ev)) {
                            Some(k) => {
                                merge_into(&mut events[k], ev);
                                k
                            }
                            None => {
                                events.push(ev);
                                events.len() - 1
                            }
                        };
                        if i < 20 {
                            started = Some(idx);
                        }
                        main = Some(i);
                    }
                }
            }
            // Later triggers of the sentence: side events with their own participants, date
            // or place ("… during Quang's visit to Baku in May", "a banquet hosted by X").
            if let Some(mi) = main {
                let main_ev = started.or(events.len().checked_sub(1));
                self.side_events(s, mi, main_ev, protagonist, &mut events);
            }
            // "In 2010 the Union set up …": a sentence opening on another year is background
            // and ends the current event.
            if started.is_none() {
                if let (Some(c), Some(y)) = (current, opening_year(toks)) {
                    let event_year = events[c]
                        .date
                        .map(|d| d.date.year())
                        .or(self.reference.date.map(|d| d.year()));
                    if event_year != Some(y) {
                        current = None;
                    }
                }
            }
            if let Some(idx) = started {
                current = Some(idx);
            } else if let Some(mut c) = current {
                // "… Velasquez told reporters. The two ministers also discussed X": what was
                // said at the talks belongs to the talks, not to the word to the press.
                if events[c].kind == "statement"
                    && toks
                        .iter()
                        .any(|t| lex().talk_verbs.contains(t.key.as_str()))
                {
                    if let Some(talks) = events[..c].iter().rposition(|e| {
                        matches!(e.kind, "meeting" | "visit" | "call" | "conference")
                    }) {
                        c = talks;
                        current = Some(c);
                    }
                }
                if !events[c].sents.contains(&s) {
                    events[c].sents.push(s);
                }
                // "Both sides agreed …": the two countries take part.
                if let Some(sp) = two_sides_phrase(toks) {
                    let mut known: Vec<usize> = events[c].countries.iter().map(|q| q.0).collect();
                    known.extend(
                        events[c]
                            .persons
                            .iter()
                            .filter_map(|(p, _)| self.m.person_country(*p)),
                    );
                    known.sort_unstable();
                    known.dedup();
                    if known.len() < 2 && !self.org_side(&events[c].persons, &events[c].orgs) {
                        for k in self.two_sides(s, sp) {
                            if !events[c].countries.iter().any(|q| q.0 == k) {
                                events[c].countries.push((k, sp));
                            }
                        }
                    }
                }
                // "The operation, led by X, involved authorities from Y and Z", "The
                // following countries participated: …": the countries named take part.
                if lex().participation.occurs_in(self.keys(s)) {
                    for cm in &self.m.countries {
                        if cm.sent == s
                            && !cm.adjective
                            && !media_possessor(toks, cm.span)
                            && !events[c].countries.iter().any(|q| q.0 == cm.country)
                        {
                            events[c].countries.push((cm.country, cm.span));
                        }
                    }
                }
                // The subject of a following sentence takes part.
                for pm in self.persons_in(s) {
                    if pm.sent == s
                        && toks
                            .first()
                            .is_some_and(|t| t.span.start + 40 > pm.span.start)
                        && !events[c].persons.iter().any(|(p, _)| *p == pm.person)
                    {
                        events[c].persons.push((pm.person, pm.span));
                    }
                }
            }
            let after_signing = last_plural_signing.is_some_and(|l| s - l <= 4);
            self.agreements_in(s, toks, current, &events, &mut agreements, after_signing);
            if signs_several(toks, self.memo().planned[s]) {
                last_plural_signing = Some(s);
            }
        }
        // Umbrella events without persons of their own add nothing.
        (events, agreements)
    }

    /// An event already reported that a determiner points back to: "the meeting",
    /// "this conference", "their talks" with no participant of its own. The latest event
    /// of the same kind, else (for "meeting"/"event") the current one.
    fn back_reference(
        &self,
        toks: &[Token],
        i: usize,
        ev: &EventDraft,
        events: &[EventDraft],
        current: Option<usize>,
    ) -> Option<usize> {
        if i == 0 || ev.name.is_some() || ev.umbrella {
            return None;
        }
        let det = &toks[i - 1].key;
        if !matches!(
            det.as_str(),
            "the" | "this" | "that" | "their" | "its" | "said"
        ) {
            return None;
        }
        let k = events
            .iter()
            .rposition(|e| e.kind == ev.kind && !e.umbrella)
            .or_else(|| current.filter(|_| matches!(toks[i].key.as_str(), "meeting" | "event")))?;
        let target = &events[k];
        // "The meeting was held on the sidelines of the visit … made by X": a sentence
        // opening with the event is about it; its persons join it.
        let opening = i <= 1 && det == "the";
        let own_persons = opening
            || ev
                .persons
                .iter()
                .all(|(p, _)| target.persons.iter().any(|(q, _)| q == p));
        // "… dismantled a network. On the action day of 18 September, …": a day for an
        // event reported without one.
        let date_ok = ev.date.is_none()
            || target.date.is_none()
            || ev.date.map(|d| d.date) == target.date.map(|d| d.date);
        (own_persons && date_ok).then_some(k)
    }

    /// Side events after the main trigger `mi` of sentence `s`. A later trigger opens an event
    /// of its own when the words up to the next trigger name a participant, a date or a place
    /// of their own; its participants are those persons, plus the possessor ("Quang's visit",
    /// "his trip" → the article's protagonist). A list item (", a state banquet hosted by X")
    /// shares the countries written before the main trigger. Persons it takes leave the main
    /// event.
    fn side_events(
        &self,
        s: usize,
        mi: usize,
        main_ev: Option<usize>,
        protagonist: Option<usize>,
        events: &mut Vec<EventDraft>,
    ) {
        let toks = &self.toks[s];
        let trig: Vec<(usize, &'static str, &'static str)> = (mi + 1..toks.len())
            .filter_map(|k| match self.trig(s, k) {
                Some((kind, cameo, false)) => Some((k, kind, cameo)),
                _ => None,
            })
            .collect();
        for (j, &(k, kind, cameo)) in trig.iter().enumerate() {
            let seg_start = toks[k].span.start;
            let seg_end = trig
                .get(j + 1)
                .map(|t| toks[t.0].span.start)
                .unwrap_or(usize::MAX);
            let inside = |sp: Span| sp.start >= seg_start && sp.start < seg_end;
            let mut persons: Vec<(usize, Span)> = Vec::new();
            for pm in self.persons_in(s) {
                if pm.sent == s && inside(pm.span) && !persons.iter().any(|(p, _)| *p == pm.person)
                {
                    persons.push((pm.person, pm.span));
                }
            }
            let date = self.dates[s]
                .iter()
                .find(|d| d.precision != super::dates::Precision::Year && inside(d.span))
                .copied();
            let month_day = self.month_days[s].iter().find(|d| inside(d.span)).copied();
            let place = self
                .m
                .places
                .iter()
                .find(|p| p.sent == s && inside(p.span) && !place_is_modifier(toks, p.span))
                .map(|p| (p.place, p.span));
            let mut country = None;
            let mut countries = Vec::new();
            for cm in &self.m.countries {
                if cm.sent != s || !inside(cm.span) || cm.adjective {
                    continue;
                }
                let after_place = self.m.places.iter().any(|p| {
                    p.sent == s && cm.span.start >= p.span.end && cm.span.start <= p.span.end + 6
                });
                if in_scope_list(toks, cm.span) || after_place {
                    continue;
                }
                country.get_or_insert((cm.country, cm.span));
                if matches!(kind, "visit" | "operation") || !preceded_by_in(toks, cm.span) {
                    countries.push((cm.country, cm.span));
                }
            }
            // ", a state banquet hosted by …", "and an international press conference": the
            // determiner right after the comma or "and" ("China, held a discussion session"
            // is no list).
            // The body that issues a statement takes part ("a statement by the Chinese
            // public security ministry").
            let seg_orgs: Vec<usize> = if kind == "statement" {
                (0..self.m.orgs.len())
                    .filter(|&o| self.m.orgs[o].sent == s && inside(self.m.orgs[o].span))
                    .collect()
            } else {
                Vec::new()
            };
            let list_item = (k.saturating_sub(4)..k).any(|p| {
                p > 0
                    && matches!(toks[p].key.as_str(), "a" | "an")
                    && (toks[p - 1].text == "," || toks[p - 1].key == "and")
            });
            if persons.is_empty() && countries.is_empty() && !list_item && seg_orgs.is_empty() {
                // Only a date or place of its own: the possessor must be found below.
                if date.is_none() && place.is_none() && country.is_none() {
                    continue;
                }
            }
            if persons.is_empty() && !list_item && seg_orgs.is_empty() {
                // The possessor: "Quang's visit", "his successful trip".
                let back = &toks[k.saturating_sub(3)..k];
                if let Some(pos) = back.iter().position(|t| t.text == "'s" || t.text == "’s") {
                    let before = back[..pos].last().map(|t| t.span);
                    if let Some(pm) = self
                        .m
                        .person_mentions
                        .iter()
                        .find(|pm| pm.sent == s && before.is_some_and(|b| pm.span.end == b.end))
                    {
                        persons.push((pm.person, pm.span));
                    }
                } else if back
                    .iter()
                    .any(|t| matches!(t.key.as_str(), "his" | "her" | "their"))
                {
                    if let Some(p) = protagonist {
                        persons.push((p, toks[k].span));
                    }
                }
                if persons.is_empty() {
                    continue;
                }
            }
            // "X, who is paying a visit to China, held a discussion session with Y": the
            // subject, written before the main trigger, holds the later event too.
            if !list_item
                && toks[k.saturating_sub(3)..k]
                    .iter()
                    .any(|t| matches!(t.key.as_str(), "held" | "holds" | "holding"))
            {
                if let Some(pm) = self
                    .m
                    .person_mentions
                    .iter()
                    .find(|pm| pm.sent == s && pm.span.start < toks[mi].span.start)
                {
                    if !persons.iter().any(|(p, _)| *p == pm.person) {
                        persons.insert(0, (pm.person, pm.span));
                    }
                }
            }
            if list_item {
                if let Some(m) = main_ev {
                    for c in &events[m].countries {
                        if !countries.iter().any(|q: &(usize, Span)| q.0 == c.0) {
                            countries.push(*c);
                        }
                    }
                }
            }
            let ev = EventDraft {
                kind,
                cameo,
                trigger: toks[k].span,
                name: None,
                sents: vec![s],
                date: date.or_else(|| {
                    list_item
                        .then(|| main_ev.and_then(|m| events[m].date))
                        .flatten()
                }),
                month_day: month_day.or_else(|| {
                    list_item
                        .then(|| main_ev.and_then(|m| events[m].month_day))
                        .flatten()
                }),
                place,
                country: if place.is_none() { country } else { None },
                persons,
                orgs: seg_orgs,
                countries,
                umbrella: false,
                segment: Some(Span {
                    start: seg_start,
                    end: seg_end.min(toks.last().map_or(seg_start, |t| t.span.end)),
                }),
            };
            if ev.persons.is_empty() && ev.countries.is_empty() && ev.orgs.is_empty() {
                continue;
            }
            // Persons written only inside a listed event's words leave the main event.
            if let Some(m) = main_ev.filter(|_| list_item) {
                let mine: Vec<usize> = ev.persons.iter().map(|p| p.0).collect();
                let main_trigger = events[m].trigger;
                events[m].persons.retain(|(p, _)| {
                    !mine.contains(p)
                        || self.m.person_mentions.iter().any(|pm| {
                            pm.sent == s
                                && pm.person == *p
                                && pm.span.start < seg_start
                                && pm.span.start != main_trigger.start
                        })
                        || Some(*p) == protagonist
                });
            }
            match events.iter().position(|e| same_event(e, &ev)) {
                Some(x) => merge_into(&mut events[x], ev),
                None => events.push(ev),
            }
        }
    }

    /// Whether one side of an event is an international body or a company (a participant
    /// person's organisation, or one named): "both sides" then means it, not two countries.
    /// Organisations of sentence `s` that act in the trigger at token `i`: the subject
    /// written right before it ("The Kenya Police Service and the Uganda Police Force
    /// (UPF) yesterday signed …") and the partner after its "with" ("… signed an
    /// agreement with the Kenya Police Service"), before `limit` (the next trigger).
    fn acting_orgs(&self, s: usize, i: usize, limit: usize) -> Vec<usize> {
        let toks = &self.toks[s];
        let org_at = |k: usize| {
            let sp = toks[k].span;
            (0..self.m.orgs.len()).find(|&o| {
                let om = &self.m.orgs[o];
                om.sent == s && om.span.start <= sp.start && sp.end <= om.span.end
            })
        };
        let glue = |k: usize| {
            let f = toks[k].key.as_str();
            lex().subject_glue.contains(f) || super::dates_words(f)
        };
        let mut found = Vec::new();
        let mut k = i;
        while k > 0 {
            if let Some(o) = org_at(k - 1) {
                if !found.contains(&o) {
                    found.push(o);
                }
                k -= 1;
            } else if glue(k - 1) {
                k -= 1;
            } else {
                break;
            }
        }
        // "with" within a clause after the trigger: "signed a policing agreement with the …".
        let with = (i + 1..toks.len().min(i + 12))
            .take_while(|&k| toks[k].span.start < limit && toks[k].key != ",")
            .find(|&k| toks[k].key == "with");
        if let Some(w) = with {
            let mut k = w + 1;
            while k < toks.len() && toks[k].span.start < limit {
                if let Some(o) = org_at(k) {
                    if !found.contains(&o) {
                        found.push(o);
                    }
                } else if !matches!(toks[k].key.as_str(), "the" | "and" | "(" | ")") {
                    break;
                }
                k += 1;
            }
        }
        found
    }

    fn org_side(&self, persons: &[(usize, Span)], orgs: &[usize]) -> bool {
        let known = |o: usize| self.m.orgs.get(o).is_some_and(|o| o.known);
        orgs.iter().any(|&o| known(o))
            || persons.iter().any(|(p, _)| {
                self.m.persons[*p]
                    .roles
                    .iter()
                    .any(|r| r.org.is_some_and(known))
            })
    }

    /// The two distinct countries written last before `sp` in sentence `s` (or earlier
    /// sentences), for "the two countries"; nothing when fewer than two are known.
    fn two_sides(&self, s: usize, sp: Span) -> Vec<usize> {
        let mut seen: Vec<(usize, usize, usize)> = Vec::new(); // (sent, start, country)
        for c in &self.m.countries {
            if (c.sent < s || (c.sent == s && c.span.end <= sp.start))
                && !media_possessor(&self.toks[c.sent], c.span)
            {
                seen.push((c.sent, c.span.start, c.country));
            }
        }
        for pm in &self.m.person_mentions {
            if pm.sent < s || (pm.sent == s && pm.span.end <= sp.start) {
                if let Some(c) = self.m.person_country(pm.person) {
                    seen.push((pm.sent, pm.span.start, c));
                }
            }
        }
        seen.sort_unstable();
        let mut out: Vec<usize> = Vec::new();
        for (_, _, c) in seen.iter().rev() {
            if !out.contains(c) {
                out.push(*c);
            }
            if out.len() == 2 {
                return out;
            }
        }
        Vec::new()
    }

    /// The person mentioned most often.
    fn protagonist(&self) -> Option<usize> {
        let mut counts = vec![0usize; self.m.persons.len()];
        for pm in &self.m.person_mentions {
            counts[pm.person] += 1;
        }
        let (p, c) = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))?;
        (*c >= 2).then_some(p)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        s: usize,
        i: usize,
        kind: &'static str,
        cameo: &'static str,
        plural: bool,
        protagonist: Option<usize>,
        umbrella: Option<&EventDraft>,
    ) -> EventDraft {
        let toks = &self.toks[s];
        let text_lower = self.keys(s);
        let umbrella_sentence = lex().umbrella_phrases.occurs_in(text_lower);
        let umbrella_now = plural && umbrella_sentence;
        // Dates and places written after a later trigger belong to that one; a plural trigger
        // makes no side event, so its words stay with this one unless it is an umbrella.
        let limit = (i + 1..toks.len())
            .find(|&k| matches!(self.trig(s, k), Some((_, _, p)) if !p || umbrella_sentence))
            .map(|k| toks[k].span.start)
            .unwrap_or(usize::MAX);
        // A written name: capitalised words ending in the trigger ("Border Security Summit").
        let mut name = None;
        if toks[i].is_cap() {
            let mut a = i;
            while a > 0
                && (toks[a - 1].is_cap()
                    || (toks[a - 1].key == "and" && a >= 2 && toks[a - 2].is_cap()))
            {
                a -= 1;
            }
            let mut e = i + 1;
            if e + 1 < toks.len()
                && a < i
                && matches!(toks[e].key.as_str(), "on" | "of" | "against")
                && toks[e + 1].is_cap()
            {
                e += 1;
                while e < toks.len()
                    && (toks[e].is_cap()
                        || (matches!(toks[e].key.as_str(), "the" | "of" | "against" | "on")
                            && toks.get(e + 1).is_some_and(Token::is_cap)))
                {
                    e += 1;
                }
            }
            if a == i && toks[i].key == "operation" && toks.get(i + 1).is_some_and(Token::is_cap) {
                e = i + 2;
                a = i;
                name = Some(join(&toks[a..e]));
            }
            if a < i {
                let n = join(&toks[a..e]);
                if n.split_whitespace().count() >= 2 {
                    name = Some(n);
                }
            }
        }
        let mut persons: Vec<(usize, Span)> = Vec::new();
        for pm in self.persons_in(s) {
            if pm.sent == s && !persons.iter().any(|(p, _)| *p == pm.person) {
                persons.push((pm.person, pm.span));
            }
        }
        if let Some(p) = protagonist {
            // "At a meeting with X, …" opening the sentence; "his meeting", "receiving X".
            let opening: String = super::sentences::joined_keys(&toks[..toks.len().min(4)]);
            let hosted = [
                "his meeting",
                "her meeting",
                "receiving",
                "received",
                "their meeting",
            ]
            .iter()
            .any(|k| text_lower.contains(k))
                || ["a meeting with", "the meeting with"]
                    .iter()
                    .any(|k| opening.contains(k));
            if hosted && !persons.iter().any(|(q, _)| *q == p) {
                persons.insert(0, (p, toks[i].span));
            }
        }
        // Organisations named in the sentence: known ones (not as the first word of a longer
        // name: "United Nations Convention …"), and any "X delegation".
        let orgs: Vec<usize> = (0..self.m.orgs.len())
            .filter(|&o| {
                let om = &self.m.orgs[o];
                if om.sent != s {
                    return false;
                }
                let next = toks.iter().find(|t| t.span.start >= om.span.end);
                let modifier = next.is_some_and(|t| {
                    t.is_cap()
                        && (lex().agreement_heads.contains(t.key.as_str())
                            || matches!(
                                t.key.as_str(),
                                "charter" | "summit" | "conference" | "forum" | "web" | "day"
                            ))
                });
                let delegation = next.is_some_and(|t| t.key == "delegation");
                (om.known && !modifier) || delegation
            })
            .chain(self.acting_orgs(s, i, limit))
            .fold(Vec::new(), |mut v, o| {
                if !v.contains(&o) {
                    v.push(o);
                }
                v
            });
        let mut place = None;
        let mut country = None;
        let mut countries = Vec::new();
        // Written inside the dateline ("NAIROBI - …", "SUVA, Saturday - …"): the dateline's
        // place is only the default ("NAIROBI - X met Y in Kampala").
        let in_dateline = |sp: Span| {
            self.dateline_end
                .is_some_and(|(ds, dc)| ds == s && sp.end <= dc)
        };
        for pl in &self.m.places {
            if pl.sent == s
                && pl.span.start < limit
                && !place_is_modifier(toks, pl.span)
                && !in_dateline(pl.span)
            {
                place = Some((pl.place, pl.span));
                break;
            }
        }
        if place.is_none() && text_lower.contains("the capital") {
            place = self.capital.map(|c| (c, toks[i].span));
        }
        for cm in &self.m.countries {
            if cm.sent != s || cm.span.start >= limit {
                continue;
            }
            let before = toks
                .iter()
                .rposition(|t| t.span.end <= cm.span.start)
                .map(|k| toks[k].key.clone())
                .unwrap_or_default();
            // "London, the UK": the country of a place, not a participant.
            let after_place = self.m.places.iter().any(|p| {
                p.sent == s && cm.span.start >= p.span.end && cm.span.start <= p.span.end + 6
            });
            if after_place || in_scope_list(toks, cm.span) || media_possessor(toks, cm.span) {
                continue;
            }
            if matches!(before.as_str(), "in" | "to" | "at") && !cm.adjective {
                country.get_or_insert((cm.country, cm.span));
                if !matches!(kind, "visit" | "operation") {
                    continue;
                }
            }
            if !cm.adjective && !countries.iter().any(|(c, _)| *c == cm.country) {
                countries.push((cm.country, cm.span));
            }
        }
        let cands: Vec<DateMention> = self.dates[s]
            .iter()
            .filter(|d| d.precision != super::dates::Precision::Year && d.span.start < limit)
            .copied()
            .collect();
        // "The Daily Monitor reported on Monday that at a meeting … last Thursday": the date
        // of the report is not the event's when the sentence gives another.
        // "SUVA, Saturday - … yesterday signed": the dateline's day is the report's.
        let date = cands
            .iter()
            .find(|d| cands.len() == 1 || !(is_report_date(toks, d.span) || in_dateline(d.span)))
            .copied();
        let md_cands: Vec<MonthDay> = self.month_days[s]
            .iter()
            .filter(|d| d.span.start < limit)
            .copied()
            .collect();
        let month_day = md_cands
            .iter()
            .find(|d| md_cands.len() == 1 || !is_report_date(toks, d.span))
            .copied();
        // "the two countries", "both sides": the two countries named last before.
        if let Some(sp) = two_sides_phrase(toks) {
            let mut known: Vec<usize> = countries.iter().map(|c| c.0).collect();
            known.extend(
                persons
                    .iter()
                    .filter_map(|(p, _)| self.m.person_country(*p)),
            );
            known.sort_unstable();
            known.dedup();
            if known.len() < 2 && !self.org_side(&persons, &orgs) {
                for c in self.two_sides(s, sp) {
                    if !countries.iter().any(|q| q.0 == c) {
                        countries.push((c, sp));
                    }
                }
            }
        }
        let mut ev = EventDraft {
            kind,
            cameo,
            trigger: toks[i].span,
            name,
            sents: vec![s],
            date,
            month_day,
            place,
            country,
            persons,
            orgs,
            countries,
            umbrella: umbrella_now,
            segment: None,
        };
        if let Some(u) = umbrella.filter(|_| !umbrella_now) {
            if ev.date.is_none() {
                ev.date = u.date;
            }
            if ev.month_day.is_none() {
                ev.month_day = u.month_day;
            }
            if ev.place.is_none() && ev.country.is_none() {
                ev.place = u.place;
            }
        }
        if ev.place.is_none()
            && ev.country.is_none()
            && matches!(kind, "meeting" | "conference")
            && !self.unknown_place_after(s, toks, i)
        {
            ev.place = self.dateline;
        }
        ev
    }

    /// Whether a place mention of sentence `s` starts at token `t`.
    fn place_at(&self, s: usize, t: &Token) -> bool {
        self.m
            .places
            .iter()
            .any(|p| p.sent == s && p.span.start == t.span.start)
    }

    /// "met X at a meeting in Busia": a capitalised word right after "in"/"at" after the
    /// trigger at `i` that names no known place, country or organisation (nor a date) is a
    /// place the gazetteer lacks, so the event is not put at the dateline.
    fn unknown_place_after(&self, s: usize, toks: &[Token], i: usize) -> bool {
        let known = |t: &Token| {
            let at = t.span.start;
            self.place_at(s, t)
                || self
                    .m
                    .countries
                    .iter()
                    .any(|c| c.sent == s && c.span.start == at)
                || self
                    .m
                    .orgs
                    .iter()
                    .any(|o| o.sent == s && o.span.start <= at && at < o.span.end)
        };
        (i + 1..toks.len()).any(|k| {
            matches!(toks[k].key.as_str(), "in" | "at")
                && toks.get(k + 1).is_some_and(|t| {
                    t.word && t.is_cap() && !super::dates_words(&t.key) && !known(t)
                })
        })
    }

    fn agreements_in(
        &self,
        s: usize,
        toks: &[Token],
        current: Option<usize>,
        events: &[EventDraft],
        out: &mut Vec<AgreementDraft>,
        after_signing: bool,
    ) {
        let lower = self.keys(s);
        let planned = self.memo().planned[s];
        // A headline in title case ("UN And Pakistan Sign Accord") names nothing.
        let words: Vec<&Token> = toks.iter().filter(|t| t.word && t.text.len() > 3).collect();
        let title_case =
            words.len() >= 3 && words.iter().filter(|t| t.is_cap()).count() * 10 >= words.len() * 8;
        // "… signed two new treaties. The new extradition treaty …": described after a
        // signing of several, an agreement is one of those signed.
        let signed = !planned
            && (lower.contains("signed")
                || lower.contains("signing")
                || lower.contains("inked")
                || after_signing);
        let mut i = 0;
        while i < toks.len() {
            let w = &toks[i].key;
            if !lex().agreement_heads.contains(w.as_str()) {
                i += 1;
                continue;
            }
            // A lower-case "convention" is a gathering; "protocol" counts after "a"/"an"
            // ("signed a protocol to enhance security cooperation").
            if w == "convention" && !toks[i].is_cap() {
                i += 1;
                continue;
            }
            let mut head_end = i + 1;
            if w == "memorandum"
                && toks.get(i + 1).is_some_and(|t| t.key == "of")
                && toks.get(i + 2).is_some_and(|t| t.key == "understanding")
            {
                head_end = i + 3;
            }
            // Named: "United Nations Convention against Cybercrime".
            let named = toks[i].is_cap();
            if named && title_case {
                i += 1;
                continue;
            }
            let mut a = i;
            if named {
                // "Egypt, China Sign Protocol": a verb ends the name.
                while a > 0
                    && toks[a - 1].is_cap()
                    && !matches!(
                        toks[a - 1].key.as_str(),
                        "sign" | "signs" | "signed" | "ink" | "inks" | "and" | "adopt" | "adopts"
                    )
                {
                    a -= 1;
                }
            } else {
                // Determiner + up to three modifiers: "a cooperation agreement".
                let mut k = i;
                while k > 0
                    && i - k < 4
                    && toks[k - 1].word
                    && !matches!(
                        toks[k - 1].key.as_str(),
                        "a" | "an"
                            | "the"
                            | "this"
                            | "these"
                            | "and"
                            | "signed"
                            | "sign"
                            | "of"
                            | "on"
                    )
                {
                    k -= 1;
                }
                if k == 0 || !matches!(toks[k - 1].key.as_str(), "a" | "an" | "the") {
                    i += 1;
                    continue;
                }
                a = k;
            }
            // "a memorandum on drug trafficking in Bangkok", "the arrangement in Suva": the
            // place of the signing is no part of the title.
            let place_next = |e: usize| {
                toks[e].key == "in" && toks.get(e + 1).is_some_and(|t| self.place_at(s, t))
            };
            let mut e = head_end;
            if e < toks.len()
                && matches!(toks[e].key.as_str(), "on" | "for" | "against" | "in" | "of")
                && !place_next(e)
            {
                e += 1;
                while e < toks.len() && e - head_end < 10 {
                    let f = &toks[e].key;
                    // "… in criminal matters the two forces": a new noun phrase.
                    let determiner = matches!(f.as_str(), "the" | "a" | "an") && e > head_end + 1;
                    // "signed an agreement on Tuesday": a date is no part of the title.
                    if super::dates_words(f) {
                        break;
                    }
                    if place_next(e) {
                        break;
                    }
                    if determiner
                        || !toks[e].word
                        || matches!(
                            f.as_str(),
                            "between"
                                | "and"
                                | "with"
                                | "to"
                                | "which"
                                | "that"
                                | "signed"
                                | "was"
                                | "were"
                                | "at"
                                | "during"
                        )
                    {
                        break;
                    }
                    e += 1;
                }
                if e == head_end + 1 {
                    e = head_end; // only the preposition
                }
            }
            if !named && !signed && !planned {
                i = e.max(i + 1);
                continue;
            }
            if named
                && !(lower.contains("sign") || lower.contains("ratif") || lower.contains("adopt"))
                && !out
                    .iter()
                    .any(|x| fold(&x.title) == fold(&join(&toks[a..e])))
            {
                i = e.max(i + 1);
                continue;
            }
            let title = join(&toks[a..e]);
            // One word ("a protocol", "an agreement") only when introduced by "a"/"an" in a
            // sentence about signing: "the agreement" points back to one already named.
            let introduced = !named
                && a > 0
                && matches!(toks[a - 1].key.as_str(), "a" | "an")
                && (signed || planned);
            if title.split_whitespace().count() < 2 && !introduced {
                i = e.max(i + 1);
                continue;
            }
            let mut aliases = Vec::new();
            // "(Hanoi Convention)" or "(also known as Hanoi Convention)".
            if toks.get(e).is_some_and(|t| t.text == "(") {
                if let Some(close) = toks[e..].iter().position(|t| t.text == ")") {
                    let inner: Vec<Token> = toks[e + 1..e + close]
                        .iter()
                        .filter(|t| t.is_cap())
                        .cloned()
                        .collect();
                    if !inner.is_empty() {
                        aliases.push(join(&inner));
                    }
                }
            }
            let mut party_orgs = Vec::new();
            if toks.get(e).is_some_and(|t| t.key == "between") {
                let from = toks[e].span.end;
                for (k, o) in self.m.orgs.iter().enumerate() {
                    if o.sent == s && o.span.start >= from {
                        party_orgs.push(k);
                    }
                }
            }
            let status = if planned { "planned" } else { "signed" };
            let span = Span {
                start: toks[a].span.start,
                end: toks[e - 1].span.end,
            };
            // A later mention of the same agreement.
            if let Some(prev) = out.iter_mut().find(|x| {
                fold(&x.title) == fold(&title)
                    || x.aliases.iter().any(|al| fold(al) == fold(&title))
            }) {
                if prev.event.is_none() {
                    prev.event = current.filter(|c| events[*c].sents.contains(&s));
                }
                i = e.max(i + 1);
                continue;
            }
            out.push(AgreementDraft {
                title,
                aliases,
                status,
                span,
                sent: s,
                party_orgs,
                // A named (multilateral) convention is not the product of a bilateral meeting.
                event: current.filter(|c| {
                    events[*c].sents.contains(&s) && !(named && events[*c].kind == "meeting")
                }),
                named,
            });
            i = e.max(i + 1);
        }
    }
}

/// "held separate telephone talks with A and B": one event per other person, each with
/// the subject (the first person) and the countries written with that person.
fn split_separate(toks: &[Token], i: usize, ev: EventDraft) -> Vec<EventDraft> {
    let separate = toks[i.saturating_sub(3)..i]
        .iter()
        .any(|t| t.key == "separate");
    if !separate || ev.persons.len() < 3 {
        return vec![ev];
    }
    let subject = ev.persons[0];
    let mut others: Vec<(usize, Span)> = ev.persons[1..].to_vec();
    others.sort_by_key(|(_, sp)| sp.start);
    let mut out = Vec::new();
    let mut from = ev.trigger.end;
    for (q, sp) in others {
        let mut e = ev.clone();
        e.persons = vec![subject, (q, sp)];
        e.countries = ev
            .countries
            .iter()
            .filter(|(_, c)| c.start >= from && c.end <= sp.end)
            .copied()
            .collect();
        from = sp.end;
        out.push(e);
    }
    out
}

/// A verb of signing followed within eight words by an agreement ("signed a memorandum of
/// understanding", "today signed two new law enforcement treaties", "the MoU was signed"
/// also counts when the head comes first), in a sentence that does not plan it.
fn signing_trigger(toks: &[Token], planned: bool) -> Option<usize> {
    let head = |t: &Token| {
        let f = &t.key;
        lex().agreement_heads.contains(f.as_str()) || lex().agreement_plurals.contains(f.as_str())
    };
    let found = (0..toks.len()).find(|&i| {
        let f = &toks[i].key;
        matches!(f.as_str(), "signed" | "signs" | "inked" | "inks")
            && (toks[i + 1..].iter().take(8).any(head)
                || (i > 0
                    && matches!(toks[i - 1].key.as_str(), "was" | "were")
                    && toks[..i].iter().rev().take(8).any(head)))
            // "implementing signed cooperation documents": an adjective.
            && !(i > 0
                && toks[i - 1].word
                && toks[i - 1].key.ends_with("ing"))
    });
    // Whether the sentence plans it, asked only of a sentence with a signing (it costs more).
    found.filter(|_| !planned)
}

/// Whether the signing verb at `i` takes an agreement already named: "signed the
/// arrangement", "signed this memorandum" (a lower-case head after a definite determiner).
fn signs_the_one_named(toks: &[Token], i: usize) -> bool {
    toks.get(i + 1)
        .is_some_and(|t| matches!(t.key.as_str(), "the" | "this" | "that"))
        && toks[i + 2..]
            .iter()
            .take(3)
            .any(|t| !t.is_cap() && lex().agreement_heads.contains(t.key.as_str()))
}

/// Whether the sentence reports the signing of several agreements ("signed two treaties").
fn signs_several(toks: &[Token], planned: bool) -> bool {
    toks.iter()
        .any(|t| matches!(t.key.as_str(), "signed" | "signing" | "inked"))
        && toks
            .iter()
            .any(|t| lex().agreement_plurals.contains(t.key.as_str()))
        && !planned
}

/// Whether a country written at `sp` is the possessor of a news outlet: "Uganda's Daily
/// Monitor newspaper reported", "Iraq's state news agency". Such a country reports; it
/// does not take part.
fn media_possessor(toks: &[Token], sp: Span) -> bool {
    let Some(k) = toks.iter().position(|t| t.span.start >= sp.end) else {
        return false;
    };
    if toks[k].text != "'s" {
        return false;
    }
    toks[k + 1..]
        .iter()
        .take(5)
        .take_while(|t| t.word)
        .any(|t| lex().media_words.contains(t.key.as_str()))
}

/// Where a sentence says "the two countries", "both sides", "the respective delegations" …
pub(crate) fn two_sides_phrase(toks: &[Token]) -> Option<Span> {
    (0..toks.len().saturating_sub(1)).find_map(|k| {
        let a = &toks[k].key;
        let (num, noun_at) = match a.as_str() {
            "both" => (true, k + 1),
            "two" | "respective"
                if k > 0 && matches!(toks[k - 1].key.as_str(), "the" | "their") =>
            {
                (true, k + 1)
            }
            _ => (false, k),
        };
        // "the delegations": a plural that means both sides without a number.
        if a == "the" && lex().sides_alone.contains(&toks[k + 1].key) {
            return Some(Span {
                start: toks[k].span.start,
                end: toks[k + 1].span.end,
            });
        }
        if !num {
            return None;
        }
        // "the two discussed …": the pronoun-like "the two" before a past-tense verb.
        if a == "two" {
            let next = &toks[noun_at].key;
            if toks[noun_at].word
                && !toks[noun_at].is_cap()
                && (next.ends_with("ed") || matches!(next.as_str(), "also" | "have" | "will"))
            {
                return Some(Span {
                    start: toks[k - 1].span.start,
                    end: toks[k].span.end,
                });
            }
        }
        // "the two friendly countries": one modifier may stand between.
        let noun = |j: usize| {
            toks.get(j)
                .is_some_and(|t| lex().side_nouns.contains(&t.key))
        };
        let end = if noun(noun_at) {
            noun_at
        } else if noun(noun_at + 1) && toks[noun_at].word && !toks[noun_at].is_cap() {
            noun_at + 1
        } else {
            return None;
        };
        Some(Span {
            start: toks[if a == "two" { k - 1 } else { k }].span.start,
            end: toks[end].span.end,
        })
    })
}

/// Whether a date is written right after a verb of reporting ("reported on Monday",
/// "said Tuesday", "announced on 3 May").
fn is_report_date(toks: &[Token], sp: Span) -> bool {
    let Some(k) = toks.iter().position(|t| t.span.start == sp.start) else {
        return false;
    };
    let mut j = k;
    if j > 0 && matches!(toks[j - 1].key.as_str(), "on" | "last" | "this") {
        j -= 1;
    }
    j > 0
        && matches!(
            toks[j - 1].key.as_str(),
            "reported"
                | "said"
                | "says"
                | "announced"
                | "stated"
                | "added"
                | "told"
                | "wrote"
                | "released"
                | "published"
                | "reports"
        )
}

fn same_event(a: &EventDraft, b: &EventDraft) -> bool {
    if a.kind != b.kind || a.umbrella || b.umbrella {
        return false;
    }
    let dates_ok = match (a.date, b.date) {
        (Some(x), Some(y)) => x.date == y.date,
        _ => true,
    };
    if !dates_ok {
        return false;
    }
    let shared_person = a
        .persons
        .iter()
        .any(|(p, _)| b.persons.iter().any(|(q, _)| p == q));
    let same_place = matches!((a.place, b.place), (Some((x, _)), Some((y, _))) if x == y);
    let same_name = matches!((&a.name, &b.name), (Some(x), Some(y)) if fold(x) == fold(y));
    if a.kind == "meeting" {
        // "A and B agreed to fight crime. … at a meeting in Mbarara last Thursday the two
        // discussed …": an agreement reported without date or place is the meeting reported
        // with them, when its persons are the same or unnamed.
        let within = |x: &EventDraft, y: &EventDraft| {
            x.persons
                .iter()
                .all(|(p, _)| y.persons.iter().any(|(q, _)| p == q))
        };
        let lede = |x: &EventDraft, y: &EventDraft| {
            x.cameo == "030"
                && y.cameo != "030"
                && x.date.is_none()
                && x.place.is_none()
                && (y.persons.is_empty() || within(x, y) || within(y, x))
        };
        if lede(a, b) || lede(b, a) {
            return true;
        }
        // Two meetings of one person on one day are different meetings unless the other side matches.
        let others = |e: &EventDraft| e.persons.iter().map(|p| p.0).collect::<Vec<_>>();
        return others(a) == others(b) && !a.persons.is_empty();
    }
    if a.kind == "conference" && (a.name.is_none() || b.name.is_none()) {
        return true;
    }
    same_name
        || (same_place && (shared_person || a.persons.is_empty() || b.persons.is_empty()))
        || (shared_person && a.kind == "conference")
}

fn merge_into(a: &mut EventDraft, b: EventDraft) {
    // The meeting an agreement was reached at gives the event its code.
    if a.cameo == "030" {
        a.cameo = b.cameo;
    }
    for s in b.sents {
        if !a.sents.contains(&s) {
            a.sents.push(s);
        }
    }
    for p in b.persons {
        if !a.persons.iter().any(|q| q.0 == p.0) {
            a.persons.push(p);
        }
    }
    for o in b.orgs {
        if !a.orgs.contains(&o) {
            a.orgs.push(o);
        }
    }
    for c in b.countries {
        if !a.countries.iter().any(|q| q.0 == c.0) {
            a.countries.push(c);
        }
    }
    a.date = a.date.or(b.date);
    a.month_day = a.month_day.or(b.month_day);
    a.place = a.place.or(b.place);
    a.country = a.country.or(b.country);
    // Prefer the longer written name (the body's over the headline's).
    if b.name.as_ref().map(|n| n.len()) > a.name.as_ref().map(|n| n.len()) {
        a.name = b.name;
    }
}

/// A country in a list that scopes a title or organisation ("CEO of Ericsson Group for
/// Việt Nam, Laos, Cambodia, and Myanmar", "Ambassador to Russia, Uzbekistan and Armenia"):
/// the words back to "for"/"to" are countries, commas and "and", and a capitalised word
/// stands before that "for"/"to".
pub(crate) fn in_scope_list(toks: &[Token], sp: Span) -> bool {
    let Some(mut k) = toks.iter().position(|t| t.span.start == sp.start) else {
        return false;
    };
    while k > 0 {
        k -= 1;
        let f = &toks[k].key;
        if matches!(f.as_str(), "for" | "to") {
            return k > 1 && toks[k - 1].is_cap() && toks[k - 1].word;
        }
        if !(toks[k].text == "," || f == "and" || toks[k].is_cap()) {
            return false;
        }
    }
    false
}

/// Whether the word before a span is "in" or "at" (a location, not a participant).
fn preceded_by_in(toks: &[Token], sp: Span) -> bool {
    toks.iter()
        .rposition(|t| t.span.end <= sp.start)
        .is_some_and(|k| matches!(toks[k].key.as_str(), "in" | "at"))
}

/// A place written as the first word of a longer name ("Hanoi Convention", "Hanoi Public
/// Security", "Jakarta Metropolitan Police"): not where something happens.
fn place_is_modifier(toks: &[Token], sp: Span) -> bool {
    toks.iter()
        .find(|t| t.span.start >= sp.end)
        .is_some_and(|t| t.is_cap() && t.span.start <= sp.end + 1)
}
