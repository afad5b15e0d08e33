//! Sentence splitting and tokenisation, with character offsets into the article.

use super::lexicon::lex;
use super::Span;

/// Splits the body spans into sentences. A line break always ends a sentence.
pub fn split(chars: &[char], body: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for b in body {
        let mut start = b.start;
        let mut i = b.start;
        while i < b.end {
            let c = chars[i];
            if matches!(c, '.' | '!' | '?' | '…') {
                // Take closing quotes and brackets with the period.
                let mut j = i + 1;
                while j < b.end && matches!(chars[j], '"' | '”' | '’' | '\'' | ')' | '.' | '/')
                {
                    j += 1;
                }
                let at_end = j >= b.end;
                let followed_by_space = !at_end && chars[j].is_whitespace();
                if at_end
                    || (followed_by_space && ends_sentence(chars, start, i, j, b.end))
                    || glued(chars, i, j, b.end)
                {
                    push(&mut out, chars, start, j);
                    start = j;
                }
                i = j;
                continue;
            }
            i += 1;
        }
        push(&mut out, chars, start, b.end);
    }
    out
}

/// "… in security matters.Welcoming the …": a period with no space after it, between a
/// lower-case word of three letters or more and a capitalised word, ends a sentence
/// (scraped text loses the space; "U.N.", "e.g.", "Group-IB.com" do not match).
fn glued(chars: &[char], dot: usize, after: usize, end: usize) -> bool {
    chars[dot] == '.'
        && after == dot + 1
        && after + 1 < end
        && chars[after].is_uppercase()
        && chars[after + 1].is_lowercase()
        && dot >= 3
        && chars[dot - 3..dot].iter().all(|c| c.is_lowercase())
}

fn ends_sentence(chars: &[char], sent_start: usize, dot: usize, after: usize, end: usize) -> bool {
    if chars[dot] != '.' {
        return true;
    }
    // The word before the period.
    let mut w = dot;
    while w > sent_start && !chars[w - 1].is_whitespace() && chars[w - 1] != '(' {
        w -= 1;
    }
    let word: String = chars_to_string(&chars[w..dot]).to_lowercase();
    if lex().abbreviations.contains(word.as_str()) {
        return false;
    }
    // A single capital initial: "T. Kubayi".
    if word.chars().count() == 1 && chars[w].is_uppercase() {
        return false;
    }
    // Initials after a capitalised word: "Mr K.D. Rawal" (but "in the U.S. The …" ends).
    if dot > w + 1
        && initials(chars[w..dot].iter().copied())
        && follows_capitalised_word(chars, sent_start, w)
    {
        return false;
    }
    // The next word must start like a sentence.
    let mut k = after;
    while k < end && chars[k].is_whitespace() {
        k += 1;
    }
    if k >= end {
        return true;
    }
    let n = chars[k];
    n.is_uppercase() || n.is_numeric() || matches!(n, '"' | '“' | '‘' | '\'' | '(' | '•' | '-')
}

/// Whether a word is a single capital initial or a chain of them: "K", "K.D", "J.R.R".
pub(crate) fn initials(word: impl IntoIterator<Item = char>) -> bool {
    let mut n = 0;
    for (k, c) in word.into_iter().enumerate() {
        if (k % 2 == 0 && !c.is_uppercase()) || (k % 2 == 1 && c != '.') {
            return false;
        }
        n = k + 1;
    }
    n % 2 == 1
}

/// Whether the word before position `w` (after one space) is capitalised and ends in a
/// letter or a period ("Mr", "Mr."), not in a comma or a closing mark.
fn follows_capitalised_word(chars: &[char], sent_start: usize, w: usize) -> bool {
    if w < sent_start + 2 || chars[w - 1] != ' ' {
        return false;
    }
    let end = w - 1;
    let mut b = end;
    while b > sent_start && !chars[b - 1].is_whitespace() {
        b -= 1;
    }
    b < end && chars[b].is_uppercase() && (chars[end - 1].is_alphabetic() || chars[end - 1] == '.')
}

fn push(out: &mut Vec<Span>, chars: &[char], mut s: usize, mut e: usize) {
    while s < e && (chars[s].is_whitespace() || matches!(chars[s], '•' | '|')) {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    if chars[s..e].iter().any(|c| c.is_alphanumeric()) {
        out.push(Span { start: s, end: e });
    }
}

/// A token of a sentence: a word or one punctuation character.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The written form ("Quang", "high-tech", ",").
    pub text: String,
    /// Character span in the article.
    pub span: Span,
    /// Whether this is a word (letters or digits), not punctuation.
    pub word: bool,
    /// The folded form ([`crate::fold::fold`] of `text`), computed once.
    pub key: String,
}

impl Token {
    /// The token of the characters `cs` at `span`: an ASCII one built byte by byte, its key
    /// (its lower case: a token has no white space) in the same pass.
    fn of_chars(cs: &[char], span: Span, word: bool) -> Token {
        if !cs.iter().all(char::is_ascii) {
            return Token::new(chars_to_string(cs), span, word);
        }
        let mut text = Vec::with_capacity(cs.len());
        let mut key = Vec::with_capacity(cs.len());
        for &c in cs {
            text.push(c as u8);
            key.push((c as u8).to_ascii_lowercase());
        }
        // SAFETY: every byte is an ASCII character.
        let (text, key) = unsafe {
            (
                String::from_utf8_unchecked(text),
                String::from_utf8_unchecked(key),
            )
        };
        Token {
            text,
            span,
            word,
            key,
        }
    }

    /// A token of this written form and span, with its folded key.
    pub fn new(text: String, span: Span, word: bool) -> Token {
        // A lower-case ASCII token without spaces is its own folded form.
        let key = if text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
        {
            text.clone()
        } else {
            crate::fold::fold(&text)
        };
        Token {
            text,
            span,
            word,
            key,
        }
    }

    /// Whether the word starts with a capital letter or is a number.
    pub fn is_cap(&self) -> bool {
        self.word && self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

/// The folded keys of `toks` joined by single spaces, in one buffer (no copy per token).
pub fn joined_keys(toks: &[Token]) -> String {
    let mut s = String::with_capacity(toks.iter().map(|t| t.key.len() + 1).sum());
    for (k, t) in toks.iter().enumerate() {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(&t.key);
    }
    s
}

/// The characters as a string; ASCII ones byte by byte (the usual word).
fn chars_to_string(cs: &[char]) -> String {
    if cs.iter().all(char::is_ascii) {
        let bytes: Vec<u8> = cs.iter().map(|&c| c as u8).collect();
        // SAFETY: every byte is an ASCII character.
        unsafe { String::from_utf8_unchecked(bytes) }
    } else {
        cs.iter().collect()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Tokenises a sentence. Apostrophes, hyphens and periods inside a word stay in it
/// ("high-tech", "d'Ivoire", "U.N"); a possessive "'s" is its own token.
pub fn tokenize(chars: &[char], s: Span) -> Vec<Token> {
    // About one token per five characters of English.
    let mut out = Vec::with_capacity(s.end.saturating_sub(s.start) / 5 + 1);
    let mut i = s.start;
    let end = s.end.min(chars.len());
    while i < end {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let st = i;
            i += 1;
            while i < end {
                let d = chars[i];
                if is_word_char(d) {
                    i += 1;
                } else if matches!(d, '\'' | '’' | '-' | '.' | '&')
                    && i + 1 < end
                    && is_word_char(chars[i + 1])
                {
                    // Possessive: "Quang's" → "Quang" + "'s".
                    if matches!(d, '\'' | '’')
                        && matches!(chars[i + 1], 's' | 'S')
                        && (i + 2 >= end || !is_word_char(chars[i + 2]))
                    {
                        break;
                    }
                    i += 1;
                } else {
                    break;
                }
            }
            // "ofPublic", "theRoK": a space lost in scraping between a function word and a
            // name; the two are tokens of their own.
            let mixed = c.is_lowercase() && chars[st + 1..i].iter().any(|d| d.is_uppercase());
            let glued = mixed
                .then(|| {
                    let word = chars_to_string(&chars[st..i]);
                    super::lexicon::lex().glued_words.iter().find(|w| {
                        let n = w.chars().count();
                        word.starts_with(w.as_str())
                            && chars[st + n..i].len() >= 2
                            && chars[st + n].is_uppercase()
                            && chars[st + n + 1].is_alphabetic()
                    })
                })
                .flatten();
            if let Some(w) = glued {
                let n = w.chars().count();
                out.push(Token::new(
                    w.clone(),
                    Span {
                        start: st,
                        end: st + n,
                    },
                    true,
                ));
                out.push(Token::of_chars(
                    &chars[st + n..i],
                    Span {
                        start: st + n,
                        end: i,
                    },
                    true,
                ));
            } else {
                out.push(Token::of_chars(
                    &chars[st..i],
                    Span { start: st, end: i },
                    true,
                ));
            }
        } else {
            // Possessive "'s" as one token.
            if matches!(c, '\'' | '’') && i + 1 < end && matches!(chars[i + 1], 's' | 'S') {
                out.push(Token::new(
                    "'s".to_string(),
                    Span {
                        start: i,
                        end: i + 2,
                    },
                    false,
                ));
                i += 2;
                continue;
            }
            out.push(Token::of_chars(
                &chars[i..i + 1],
                Span {
                    start: i,
                    end: i + 1,
                },
                false,
            ));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<String> {
        let chars: Vec<char> = t.chars().collect();
        let body = vec![Span {
            start: 0,
            end: chars.len(),
        }];
        split(&chars, &body)
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect())
            .collect()
    }

    #[test]
    fn splits_on_periods_but_not_abbreviations() {
        assert_eq!(
            sents("Gen. Dibyo met T. Kubayi. They agreed. done"),
            vec!["Gen. Dibyo met T. Kubayi.", "They agreed. done"]
        );
    }

    #[test]
    fn initials_after_a_capitalised_word_end_no_sentence() {
        assert_eq!(
            sents("Mr K.D. Rawal spoke. Officials met him in Washington, D.C. Then"),
            vec![
                "Mr K.D. Rawal spoke.",
                "Officials met him in Washington, D.C.",
                "Then"
            ]
        );
    }

    #[test]
    fn tokens_keep_hyphens_and_split_possessives() {
        let t = "Quang’s high-tech visit, Group-IB.";
        let chars: Vec<char> = t.chars().collect();
        let toks: Vec<String> = tokenize(
            &chars,
            Span {
                start: 0,
                end: chars.len(),
            },
        )
        .into_iter()
        .map(|t| t.text)
        .collect();
        assert_eq!(
            toks,
            vec!["Quang", "'s", "high-tech", "visit", ",", "Group-IB", "."]
        );
    }

    #[test]
    fn a_function_word_glued_to_a_name_is_split() {
        let t = "the Ministry ofPublic Security and theRoK, then inform.";
        let chars: Vec<char> = t.chars().collect();
        let toks: Vec<(String, Span)> = tokenize(
            &chars,
            Span {
                start: 0,
                end: chars.len(),
            },
        )
        .into_iter()
        .map(|t| (t.text, t.span))
        .collect();
        let words: Vec<&str> = toks.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "the", "Ministry", "of", "Public", "Security", "and", "the", "RoK", ",", "then",
                "inform", "."
            ]
        );
        assert_eq!(toks[3].1, Span { start: 15, end: 21 });
    }

    #[test]
    fn a_glued_period_ends_a_sentence() {
        assert_eq!(
            sents("They discussed security matters.Welcoming the minister, he spoke. The U.N.Office stays."),
            vec![
                "They discussed security matters.",
                "Welcoming the minister, he spoke.",
                "The U.N.Office stays."
            ]
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "",
            ".",
            "...",
            "?!",
            "a.",
            "漢字。テスト",
            &"x".repeat(10_000),
        ] {
            let _ = sents(t);
        }
    }
}
