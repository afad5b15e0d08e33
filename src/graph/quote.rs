//! Evidence quoted from its document: the sentence around a span, which `explain`, the
//! exports, the `sources()` function and the server show beside a fact.

use super::{Evidence, Graph};
use crate::value::Value;

/// A piece of evidence quoted from its document: the sentence around the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The Document node's id text.
    pub doc: String,
    /// The document's title, or its `id` property.
    pub title: String,
    /// The sentence text before the span.
    pub before: String,
    /// The span itself.
    pub span: String,
    /// The sentence text after the span.
    pub after: String,
}

/// The bounds `[a, b)` of the sentence (or line) that holds `[start, end)`. A period after
/// an abbreviation ("Gen.", "Lt.", "U.S.") or an initial ("M.") ends no sentence.
pub fn sentence_around(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let ends_sentence = |k: usize| {
        if !matches!(chars[k], '.' | '!' | '?') {
            return false;
        }
        if chars[k] != '.' {
            return true;
        }
        let mut w = k;
        while w > 0 && (chars[w - 1].is_alphanumeric() || chars[w - 1] == '.') {
            w -= 1;
        }
        let word: String = chars[w..k].iter().collect();
        let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
        !(initial
            || crate::extract::lexicon::lex()
                .abbreviations
                .contains(&crate::fold::fold(&word)))
    };
    let mut a = start;
    while a > 0 && chars[a - 1] != '\n' && !(chars[a - 1] == ' ' && a >= 2 && ends_sentence(a - 2))
    {
        a -= 1;
    }
    let mut b = end;
    while b < chars.len()
        && chars[b] != '\n'
        && !(ends_sentence(b) && chars.get(b + 1).is_none_or(|c| c.is_whitespace()))
    {
        b += 1;
    }
    (a, (b + 1).min(chars.len()).max(end))
}

/// Quotes the sentence (or line) that holds an evidence span; `None` when the document
/// or its text is missing.
pub fn quote(g: &Graph, ev: &Evidence) -> Option<Quote> {
    let d = g.node_by_id(ev.doc)?;
    let s = g.schema();
    let text = s
        .key("text")
        .and_then(|k| Graph::prop(&d.props, k))
        .and_then(Value::as_str)?;
    let title = ["title", "id"]
        .iter()
        .filter_map(|k| s.key(k).and_then(|k| Graph::prop(&d.props, k)))
        .find_map(Value::as_str)
        .unwrap_or("")
        .to_string();
    let chars: Vec<char> = text.chars().collect();
    let e = (ev.end as usize).min(chars.len());
    let st = (ev.start as usize).min(e);
    let (a, b) = sentence_around(&chars, st, e);
    let piece = |x: usize, y: usize| chars[x..y].iter().collect::<String>();
    Some(Quote {
        doc: g.node_id_text(ev.doc),
        title,
        before: piece(a, st),
        span: piece(st, e),
        after: piece(e, b),
    })
}

#[cfg(test)]
mod sentence_tests {
    use super::sentence_around;

    #[test]
    fn an_abbreviation_or_initial_does_not_end_the_quoted_sentence() {
        let t = "First one. The chief, Gen. Dibu M. Sato, met the U.S. envoy today. Last.";
        let chars: Vec<char> = t.chars().collect();
        let at = t.find("Sato").unwrap();
        let (a, b) = sentence_around(&chars, at, at + 4);
        let got: String = chars[a..b].iter().collect();
        assert_eq!(
            got,
            "The chief, Gen. Dibu M. Sato, met the U.S. envoy today."
        );
    }
}
