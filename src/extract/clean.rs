//! Body cleanup: finds the lines of an article that are its body, dropping
//! trailing blocks of unrelated stories ("See more"), photo captions, image
//! file names, stray table pipes and bylines such as "VNA/VNS".
//!
//! Nothing is rewritten: the result is a list of character spans of the
//! original text, so every later offset is an offset into the article.

use super::lexicon::lex;
use super::Span;

/// `s.to_lowercase()`, by the quicker ASCII lower-casing when `s` is ASCII (the same then).
fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// The most characters of a tail marker ("See more").
fn longest_tail_marker() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| {
        lex()
            .tail_markers
            .iter()
            .map(|m| m.chars().count())
            .max()
            .unwrap_or(0)
    })
}

/// Lines at the end of an article that are bylines or agency tags, not text.
fn is_byline(line: &str) -> bool {
    let t = line.trim().trim_end_matches("./.").trim();
    if t.is_empty() {
        return true;
    }
    if t.split_whitespace().count() > 3 || t.len() > 24 {
        return false;
    }
    t.chars()
        .all(|c| c.is_uppercase() || c == '/' || c == '.' || c == ' ' || c == '-' || c == '_')
}

fn is_image_name(line: &str) -> bool {
    if line.trim().contains(' ') {
        return false;
    }
    let t = line.trim().to_ascii_lowercase();
    !t.contains(' ')
        && [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg"]
            .iter()
            .any(|e| t.ends_with(e))
}

/// A photo caption: ends with "(Photo: VNA)", "Photo: Reuters", "(Illustrative photo)" …
///
/// The words are compared with the line's ASCII letters lower-cased, not with the whole
/// line lower-cased: the same answer, as no other character lower-cases to an ASCII
/// character but "K" (KELVIN SIGN, to "k", in none of these words) and "İ" (to "i" and a
/// combining dot, which no letter of these words follows), and none to or from white space,
/// "(", ")" or ":".
fn is_caption(line: &str) -> bool {
    let t = line.trim().trim_end_matches(['.', ' ']);
    if t.ends_with(')') {
        if let Some(open) = t.rfind('(') {
            let inner = &t[open..];
            if ascii_find(inner, "photo").is_some()
                || ascii_find(inner, "image").is_some()
                || ascii_find(inner, "file").is_some()
            {
                return true;
            }
        }
    }
    if let Some(pos) = last_photo_colon(t) {
        // "… Photo: VNA" with a short credit after it.
        return t[pos..].split_whitespace().count() <= 5;
    }
    ascii_starts(t, "photo:") || ascii_starts(t, "illustrative photo")
}

/// Whether `hay` starts with `needle` (lower-case ASCII), ASCII case aside.
fn ascii_starts(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Where `needle` (lower-case ASCII) first occurs in `hay`, ASCII case aside.
fn ascii_find(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
}

/// Where "photo:" last occurs in `hay`, ASCII case aside: found from its colons.
fn last_photo_colon(hay: &str) -> Option<usize> {
    let h = hay.as_bytes();
    memchr::memrchr_iter(b':', h)
        .find(|&c| c >= 5 && h[c - 5..c].eq_ignore_ascii_case(b"photo"))
        .map(|c| c - 5)
}

/// A table cell caption ("| Deputy Minister … speaks at the conference. |") or a lone pipe.
fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') || t.ends_with('|')
}

/// The body of `chars`: spans of kept lines (without their line break), in order.
pub fn body_spans(chars: &[char]) -> Vec<Span> {
    let mut lines: Vec<Span> = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            lines.push(Span { start, end: i });
            start = i + 1;
        }
    }
    lines.push(Span {
        start,
        end: chars.len(),
    });
    let text_of = |s: &Span| -> String { chars_to_string(&chars[s.start..s.end]) };
    let mut kept: Vec<Span> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for l in &lines {
        let t = text_of(l);
        let trimmed = t.trim();
        // Lower-casing gives each character one or more (and a colon stays a colon): a line
        // of more characters, colons at its end aside, than the longest marker is none.
        let bare = trimmed.trim_end_matches(':');
        let most = longest_tail_marker();
        if bare.len() <= 4 * most && bare.chars().count() <= most {
            let lower = lowercase(trimmed);
            if lex().tail_markers.contains(lower.trim_end_matches(':')) {
                break;
            }
        }
        if trimmed.is_empty()
            || is_image_name(trimmed)
            || is_caption(trimmed)
            || is_table_line(trimmed)
        {
            continue;
        }
        // A repeated line (a caption printed twice, a headline repeated) adds nothing.
        if trimmed.len() > 20 && seen.iter().any(|s| s == trimmed) {
            continue;
        }
        seen.push(trimmed.to_string());
        kept.push(trim_span(chars, *l));
    }
    while let Some(last) = kept.last() {
        if is_byline(&text_of(last)) {
            kept.pop();
        } else {
            break;
        }
    }
    // A byline glued to the end of the last paragraph: "… network management. VNA/VNS".
    if let Some(last) = kept.last_mut() {
        let t = text_of(last);
        if let Some((pos, ch)) = t
            .trim_end()
            .char_indices()
            .rev()
            .find(|(_, c)| matches!(c, '.' | '!' | '?' | '"' | '”'))
        {
            let after = pos + ch.len_utf8();
            let tail = &t[after..];
            if !tail.trim().is_empty() && is_byline(tail) {
                let keep_chars = t[..after].chars().count();
                last.end = last.start + keep_chars;
            }
        }
    }
    kept.into_iter().filter(|s| s.end > s.start).collect()
}

/// The characters as a string; ASCII ones byte by byte (the usual line).
fn chars_to_string(cs: &[char]) -> String {
    if cs.iter().all(char::is_ascii) {
        let bytes: Vec<u8> = cs.iter().map(|&c| c as u8).collect();
        String::from_utf8(bytes).unwrap_or_default()
    } else {
        cs.iter().collect()
    }
}

fn trim_span(chars: &[char], mut s: Span) -> Span {
    while s.start < s.end && chars[s.start].is_whitespace() {
        s.start += 1;
    }
    while s.end > s.start && chars[s.end - 1].is_whitespace() {
        s.end -= 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        body_spans(&chars)
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect())
            .collect()
    }

    #[test]
    fn drops_captions_images_pipes_bylines_and_see_more() {
        let text = "Headline here\n\nfoo-bar-8365044.jpg\nMinister speaks (Photo: VNA)\n |\nDeputy Minister speaks at the conference. |\nThe body sentence. VNA/VNS\n\nSee more\n\nUnrelated story.";
        assert_eq!(body(text), vec!["Headline here", "The body sentence."]);
    }

    #[test]
    fn captions_are_found_whatever_the_case() {
        for (line, want) in [
            ("Minister speaks (PHOTO: VNA)", true),
            ("Minister speaks (File)", true),
            ("Đà Nẵng port (Ảnh: image VNA)", true),
            ("ILLUSTRATIVE PHOTO of the port", true),
            ("Photo: Reuters", true),
            (
                "The photo: a long credit of many more words after it",
                false,
            ),
            ("The minister spoke (at length)", false),
            ("Minister speaks (fİle)", false),
            ("", false),
        ] {
            assert_eq!(is_caption(line), want, "{line}");
            // The old test on the line lower-cased whole.
            let lower = line.trim().trim_end_matches(['.', ' ']).to_lowercase();
            let old = (lower.ends_with(')')
                && lower.rfind('(').is_some_and(|o| {
                    let inner = &lower[o..];
                    inner.contains("photo") || inner.contains("image") || inner.contains("file")
                }))
                || match lower.rfind("photo:") {
                    Some(pos) => lower[pos..].split_whitespace().count() <= 5,
                    None => lower.starts_with("illustrative photo"),
                };
            assert_eq!(old, want, "{line}");
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "",
            "\n\n",
            "|||",
            "VNA",
            "ü.jpg",
            "(Photo)",
            "....",
            "“quoted” VNA",
            "a “b” said X",
        ] {
            let _ = body(t);
        }
    }
}
