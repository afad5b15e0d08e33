//! Event titles as an analyst writes them: "Meeting of Lương Tam Quang and Paulo
//! Chachine, Hanoi, 2025-10-26", "Border Security Summit, London, 2025-03-31"; the date
//! is left out when unknown, and no document id ever appears.

use super::identity::EventFacts;

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The title of an event from its facts: its proper name, or its kind and participants
/// (persons, else countries, else organisations); then the place and the date.
pub fn event_title(f: &EventFacts) -> String {
    let mut parts = Vec::new();
    match f.names.first() {
        Some(n) => parts.push(n.clone()),
        None => {
            let who: Vec<&str> = [&f.persons, &f.countries, &f.orgs]
                .into_iter()
                .find(|v| !v.is_empty())
                .map(|v| v.iter().map(|n| n.text.as_str()).collect())
                .unwrap_or_default();
            let lead = match f.kind.as_deref() {
                Some("visit") => "Visit by",
                Some("call") => "Call between",
                Some("conference") => "Conference with",
                Some("operation") => "Operation with",
                Some("training") => "Training with",
                Some("statement") => "Statement by",
                Some("agreement") => "Signing by",
                _ => "Meeting of",
            };
            if who.is_empty() {
                parts.push(lead.split(' ').next().unwrap_or("Event").to_string());
            } else {
                parts.push(format!("{lead} {}", join_and(&who)));
            }
        }
    }
    if let Some(h) = f.held.first() {
        parts.push(h.name.text.clone());
    }
    if let Some(d) = f.date {
        parts.push(match f.precision.as_deref() {
            Some("day") => d.format("%Y-%m-%d").to_string(),
            Some("month") => d.format("%Y-%m").to_string(),
            _ => d.format("%Y").to_string(),
        });
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::identity::{Held, Named};
    use super::*;

    fn named(s: &str) -> Named {
        Named {
            key: crate::fold::name_key(s),
            text: s.into(),
        }
    }

    #[test]
    fn titles_name_participants_place_and_date_but_no_document() {
        let mut f = EventFacts {
            kind: Some("meeting".into()),
            date: chrono::NaiveDate::from_ymd_opt(2025, 10, 26),
            precision: Some("day".into()),
            held: vec![Held {
                name: named("Hanoi"),
                country: None,
                is_country: false,
            }],
            persons: vec![named("Lương Tam Quang"), named("Paulo Chachine")],
            ..EventFacts::default()
        };
        assert_eq!(
            event_title(&f),
            "Meeting of Lương Tam Quang and Paulo Chachine, Hanoi, 2025-10-26"
        );
        f.date = None;
        f.names = vec!["Border Security Summit".into()];
        assert_eq!(event_title(&f), "Border Security Summit, Hanoi");
        f.names.clear();
        f.persons.clear();
        f.kind = Some("visit".into());
        assert_eq!(event_title(&f), "Visit, Hanoi");
    }
}
