//! Case and diacritic folding, the one comparison key for names everywhere
//! (indexes, upsert merging, the query function `fold()`).

/// Folds `s` for comparison: lower case, diacritics removed (Việt Nam → viet nam,
/// Đà Nẵng → da nang), runs of white space collapsed to one space, ends trimmed.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return fold_ascii(s);
    }
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

/// White space as [`char::is_whitespace`] has it among ASCII characters (tab to carriage
/// return and space; unlike [`u8::is_ascii_whitespace`], vertical tab too).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Whether ASCII `b` has no white space to collapse or trim: no white space but single
/// spaces between other characters (the usual name or phrase). Its fold is its lower case.
fn plain_spacing(b: &[u8]) -> bool {
    let mut bad = false;
    let mut prev_space = true;
    for &c in b {
        let space = c == b' ';
        bad |= (space & prev_space) | (c.wrapping_sub(b'\t') <= b'\r' - b'\t');
        prev_space = space;
    }
    !(bad || (prev_space && !b.is_empty()))
}

/// [`fold`] of ASCII text: the same result, byte by byte.
fn fold_ascii(s: &str) -> String {
    if plain_spacing(s.as_bytes()) {
        // No white space to collapse: lower case is all.
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for b in s.bytes() {
        if is_ascii_space(b) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(char::from(b.to_ascii_lowercase()));
    }
    out
}

/// Calls `f` with [`fold`] of `s`, folded into a buffer on the stack when `s` is short
/// ASCII (the usual look-up key), so a look-up allocates nothing.
pub fn with_folded<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 96];
    if s.is_ascii() && s.len() <= buf.len() {
        if plain_spacing(s.as_bytes()) {
            // No white space to collapse: lower case is all.
            let out = &mut buf[..s.len()];
            out.copy_from_slice(s.as_bytes());
            out.make_ascii_lowercase();
            // SAFETY: ASCII bytes, lower-cased.
            return f(unsafe { std::str::from_utf8_unchecked(out) });
        }
        let mut n = 0;
        let mut pending_space = false;
        for b in s.bytes() {
            if is_ascii_space(b) {
                pending_space = n > 0;
                continue;
            }
            if pending_space {
                buf[n] = b' ';
                n += 1;
                pending_space = false;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        // SAFETY: at most one byte out per byte in, and every byte written is ASCII.
        return f(unsafe { std::str::from_utf8_unchecked(&buf[..n]) });
    }
    f(&fold(s))
}

/// Calls `f` with [`name_key`] of `s`, built on the stack when `s` is short ASCII.
pub fn with_name_key<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 96];
    if s.is_ascii() && s.len() <= buf.len() {
        let mut n = 0;
        for b in s.bytes().filter(u8::is_ascii_alphanumeric) {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        // SAFETY: every byte written is ASCII.
        return f(unsafe { std::str::from_utf8_unchecked(&buf[..n]) });
    }
    f(&name_key(s))
}

/// Whether `fold(s) == folded`, without allocating when `s` is ASCII.
pub fn fold_is(s: &str, folded: &str) -> bool {
    if !s.is_ascii() {
        return fold(s) == folded;
    }
    let mut want = folded.bytes();
    let mut pending_space = false;
    let mut any = false;
    for b in s.bytes() {
        if is_ascii_space(b) {
            pending_space = any;
            continue;
        }
        if pending_space {
            if want.next() != Some(b' ') {
                return false;
            }
            pending_space = false;
        }
        if want.next() != Some(b.to_ascii_lowercase()) {
            return false;
        }
        any = true;
    }
    want.next().is_none()
}

/// The key under which names are indexed and merged: [`fold`], then only letters and
/// digits kept, so that spacing and punctuation variants meet ("Viet Nam" = "Vietnam",
/// "Group-IB" = "Group IB", "U.K." = "UK").
pub fn name_key(s: &str) -> String {
    if s.is_ascii() {
        // fold lower-cases and only adds spaces, which the key drops.
        return s
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
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
    fn plain_spacing_is_what_needs_no_collapse() {
        for s in [
            "", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\nb", "a\x0bb", "Viet Nam", "x\ry",
            "a b c", "a\x1fb",
        ] {
            let general: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(plain_spacing(s.as_bytes()), general == s, "{s:?}");
            assert_eq!(fold(s), general.to_ascii_lowercase(), "{s:?}");
            assert_eq!(with_folded(s, str::to_string), fold(s), "{s:?}");
        }
    }

    #[test]
    fn ascii_fast_paths_agree_with_the_general_fold() {
        let slow = |s: &str| {
            // The general path, forced by a non-ASCII character that folds to nothing.
            let mut t = fold(&format!("{s}\u{200b}"));
            if t.ends_with(' ') {
                t.pop();
            }
            t
        };
        for s in [
            "",
            " ",
            "  Ministry \t of\nPublic  Security ",
            "U.K.",
            "Group-IB",
            "a\x0bb",
            "a\x0cb\rc",
            "a\x1fb",
            "ABC def",
            "x ",
        ] {
            assert_eq!(fold(s), slow(s), "{s:?}");
            let mut k = slow(s);
            k.retain(char::is_alphanumeric);
            assert_eq!(name_key(s), k, "{s:?}");
            assert_eq!(with_folded(s, str::to_string), fold(s), "{s:?}");
            assert_eq!(with_name_key(s, str::to_string), name_key(s), "{s:?}");
            for t in [slow(s), format!("{} ", slow(s)), "a".into(), String::new()] {
                assert_eq!(fold_is(s, &t), fold(s) == t, "{s:?} {t:?}");
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
