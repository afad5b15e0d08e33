//! Gazetteers: countries, intergovernmental organisations, role titles.

/// Whether `s` is an upper-case acronym (2 to 5 ASCII capitals, e.g. "UK", "UAE"), matched exactly.
pub fn is_acronym(s: &str) -> bool {
    (2..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Lookup key of a name: an acronym as written, anything else folded.
pub fn name_key(s: &str) -> String {
    let s = s.trim();
    if is_acronym(s) {
        s.to_string()
    } else {
        crate::fold::fold(s)
    }
}
