//! Text made safe for a terminal: data shown to a person (tables, the shell, `stats`,
//! error messages) must not be able to move the cursor, retitle the window, rewrite the
//! line or reorder what follows, so the characters that can are shown escaped.

use std::borrow::Cow;

/// Whether a terminal may act on `c` instead of showing it: C0 controls other than line
/// feed and tab, DEL, C1 controls (U+0080–U+009F, which include the one-byte CSI), and
/// the bidirectional embeddings, overrides and isolates that reorder the rest of a line.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every [`is_unsafe`] character written as `\u{XX}`, which a terminal shows as
/// text; borrowed when there is none. Line feeds and tabs are kept.
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `n` (with thousands separators) and `word`, with an `s` unless `n` is 1: "1 article",
/// "2 articles", "0 files", "12,345 nodes".
pub fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", thousands(n))
    }
}

/// A count with thousands separators: 12,345.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(
            safe("a\u{1b}]0;owned\u{7}b\rc\u{9b}2Jd\u{202e}e\u{7f}"),
            "a\\u{1b}]0;owned\\u{7}b\\u{d}c\\u{9b}2Jd\\u{202e}e\\u{7f}"
        );
    }

    #[test]
    fn plurals_count() {
        assert_eq!(plural(1u32, "article"), "1 article");
        assert_eq!(plural(0u32, "article"), "0 articles");
        assert_eq!(plural(2u64, "file"), "2 files");
        assert_eq!(plural(1_234_567u64, "node"), "1,234,567 nodes");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let s = "Hà Nội\tline\nnext — “quoted” 中文";
        assert!(matches!(safe(s), Cow::Borrowed(_)));
        assert_eq!(safe(s), s);
    }
}
