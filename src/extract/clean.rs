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
fn is_caption(line: &str) -> bool {
    let t = line.trim().trim_end_matches(['.', ' ']);
    let lower = lowercase(t);
    if lower.ends_with(')') {
        if let Some(open) = lower.rfind('(') {
            let inner = &lower[open..];
            if inner.contains("photo") || inner.contains("image") || inner.contains("file") {
                return true;
            }
        }
    }
    if let Some(pos) = lower.rfind("photo:") {
        // "… Photo: VNA" with a short credit after it.
        return lower[pos..].split_whitespace().count() <= 5;
    }
    lower.starts_with("photo:") || lower.starts_with("illustrative photo")
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
    let text_of = |s: &Span| -> String { chars[s.start..s.end].iter().collect() };
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
