//! Case and diacritic folding, the one comparison key for names everywhere
//! (indexes, upsert merging, the query function `fold()`).

/// Folds `s` for comparison: lower case, diacritics removed (Việt Nam → viet nam,
/// Đà Nẵng → da nang), runs of white space collapsed to one space, ends trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let push = |out: &mut String, c: char, pending: &mut bool| {
        if c.is_whitespace() {
            *pending = !out.is_empty();
            return;
        }
        if *pending {
            out.push(' ');
            *pending = false;
        }
        out.push(c.to_ascii_lowercase());
    };
    for ch in s.chars() {
        if ch.is_ascii() {
            push(&mut out, ch, &mut pending_space);
        } else if let Some(t) = deunicode::deunicode_char(ch) {
            // deunicode maps a letter to its closest ASCII form; keep letters that
            // have none (CJK syllables map to words, which is fine for a key).
            for c in t.chars() {
                push(&mut out, c, &mut pending_space);
            }
        } else {
            for c in ch.to_lowercase() {
                push(&mut out, c, &mut pending_space);
            }
        }
    }
    out
}

/// The key under which names are indexed and merged: [`fold`], then only letters and
/// digits kept, so that spacing and punctuation variants meet ("Viet Nam" = "Vietnam",
/// "Group-IB" = "Group IB", "U.K." = "UK").
pub fn name_key(s: &str) -> String {
    let mut k = fold(s);
    k.retain(char::is_alphanumeric);
    k
}

/// Whether `name_key(s) == key`, without allocating when `s` is ASCII (the usual case in
/// index look-ups, which compare every candidate's names with one key).
pub fn name_key_eq(s: &str, key: &str) -> bool {
    if !s.is_ascii() {
        return name_key(s) == key;
    }
    s.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .eq(key.bytes())
}

/// Whether two strings are equal once folded, without allocating when both are ASCII.
pub fn fold_eq(a: &str, b: &str) -> bool {
    if a.is_ascii()
        && b.is_ascii()
        && !a.contains(char::is_whitespace)
        && !b.contains(char::is_whitespace)
    {
        return a.eq_ignore_ascii_case(b);
    }
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_key_eq_agrees_with_name_key() {
        for s in [
            "U.K.",
            "Group-IB",
            "Viet  Nam",
            "Việt Nam",
            "ab",
            "",
            "A1 b2",
        ] {
            for t in ["uk", "groupib", "vietnam", "ab", "", "a1b2", "a1b"] {
                assert_eq!(name_key_eq(s, t), name_key(s) == t, "{s:?} {t:?}");
            }
        }
    }

    #[test]
    fn vietnamese_names_fold_to_ascii() {
        assert_eq!(fold("Việt Nam"), "viet nam");
        assert_eq!(fold("Lương Tam Quang"), "luong tam quang");
        assert_eq!(fold("Đà Nẵng"), "da nang");
        assert_eq!(fold("Türkiye"), "turkiye");
        assert_eq!(fold("Côte d'Ivoire"), "cote d'ivoire");
    }

    #[test]
    fn white_space_is_collapsed_and_trimmed() {
        assert_eq!(
            fold("  Ministry \t of\nPublic  Security "),
            "ministry of public security"
        );
    }

    #[test]
    fn name_keys_ignore_spacing_and_punctuation() {
        assert_eq!(name_key("Việt Nam"), name_key("Vietnam"));
        assert_eq!(name_key("Group-IB"), name_key("Group IB"));
        assert_eq!(name_key("U.K."), "uk");
        assert_ne!(name_key("Niger"), name_key("Nigeria"));
    }

    #[test]
    fn fold_eq_matches_fold() {
        assert!(fold_eq("VIETNAM", "vietnam"));
        assert!(fold_eq("Viet Nam", "Việt Nam"));
        assert!(!fold_eq("Vietnam", "Viet Nam"));
    }
}
