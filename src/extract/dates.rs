//! Date expressions ("on Sunday", "October 25", "31 March 2025", "in May this
//! year", "in 1993") resolved against the article's date.

use super::sentences::Token;
use super::Span;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// How much of a resolved date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// Only the year.
    Year,
    /// Year and month.
    Month,
    /// The exact day.
    Day,
}

impl Precision {
    /// The schema value of `date_precision`.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
        }
    }
}

/// A date found in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMention {
    /// The date; its first day when only the month or year is known.
    pub date: NaiveDate,
    /// What is known.
    pub precision: Precision,
    /// Where it is written.
    pub span: Span,
    /// Whether the text leaves part of it to the reader ("on Sunday", "March 4", "in
    /// May"), so that it was resolved against the article's date (or a guessed year).
    pub relative: bool,
}

/// A day and month written without a year when no year can be inferred ("March 31" in an
/// article with no year and no date): kept as an ISO 8601 month–day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDay {
    /// The month, 1–12.
    pub month: u32,
    /// The day of the month.
    pub day: u32,
    /// Where it is written.
    pub span: Span,
}

impl MonthDay {
    /// A month–day that exists in some year (29 February included).
    fn new(month: u32, day: u32, span: Span) -> Option<MonthDay> {
        NaiveDate::from_ymd_opt(2000, month, day).map(|_| MonthDay { month, day, span })
    }

    /// The schema value of `month_day`: ISO 8601 "--MM-DD".
    pub fn iso(&self) -> String {
        format!("--{:02}-{:02}", self.month, self.day)
    }
}

/// What a date was resolved against: the schema value of `date_basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Written in full in the text ("31 March 2025").
    Written,
    /// Relative, resolved against the article's publication date.
    Publication,
    /// Relative, resolved against the date in the article's dateline.
    Dateline,
    /// Relative with no article date: the year is the latest one written in the text, a
    /// guess to check.
    Unresolved,
}

impl Basis {
    /// The schema value of `date_basis`.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Written => "written",
            Basis::Publication => "publication",
            Basis::Dateline => "dateline",
            Basis::Unresolved => "unresolved",
        }
    }
}

/// What relative dates are resolved against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reference {
    /// The article's date (publication or dateline), if known.
    pub date: Option<NaiveDate>,
    /// A year to assume when only day and month are written and no date is known.
    pub year: Option<i32>,
}

fn month_of(w: &str) -> Option<u32> {
    if !(3..=10).contains(&w.len()) || !w.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    // Every month's name and abbreviation starts with one of these letters.
    if !b"jfmasond".contains(&w.as_bytes()[0].to_ascii_lowercase()) {
        return None;
    }
    let w = w.trim_end_matches('.');
    let mut buf = [0u8; 10];
    let mut owned = String::new();
    let w = lower_in(w, &mut buf, &mut owned);
    let m = match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// `w.to_lowercase()` in `buf`, when `w` is ASCII and fits.
fn ascii_lower<'b>(w: &str, buf: &'b mut [u8; 10]) -> Option<&'b str> {
    let b = buf.get_mut(..w.len()).filter(|_| w.is_ascii())?;
    b.copy_from_slice(w.as_bytes());
    b.make_ascii_lowercase();
    // SAFETY: the bytes are those of an ASCII string, lower-cased: ASCII still.
    Some(unsafe { std::str::from_utf8_unchecked(b) })
}

/// `w.to_lowercase()`, in `buf` when `w` is ASCII and fits, else in `owned`.
fn lower_in<'b>(w: &str, buf: &'b mut [u8; 10], owned: &'b mut String) -> &'b str {
    match ascii_lower(w, buf) {
        Some(l) => l,
        None => {
            *owned = w.to_lowercase();
            owned.as_str()
        }
    }
}

/// `s.to_lowercase()`, borrowed when that is `s` itself (ASCII without capitals).
fn lowered(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// `t.text.to_lowercase()`: the token's folded key when the text is printable ASCII
/// (folding then only lower-cases it).
fn lowered_token(t: &Token) -> std::borrow::Cow<'_, str> {
    if t.text.bytes().all(|b| b.is_ascii_graphic()) {
        std::borrow::Cow::Borrowed(&t.key)
    } else {
        lowered(&t.text)
    }
}

fn weekday_of(w: &str) -> Option<Weekday> {
    if !(6..=9).contains(&w.len()) {
        return None;
    }
    // Every weekday's name starts with one of these letters.
    if !w.as_bytes()[0].is_ascii() || !b"mtwfs".contains(&w.as_bytes()[0].to_ascii_lowercase()) {
        return None;
    }
    let mut buf = [0u8; 10];
    let mut owned = String::new();
    let w = lower_in(w, &mut buf, &mut owned);
    Some(match w {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

fn day_of(w: &str) -> Option<u32> {
    if !w.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let d = w
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    if d.is_empty() || d.len() > 2 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = d.parse().ok()?;
    (1..=31).contains(&n).then_some(n)
}

fn year_of(w: &str) -> Option<i32> {
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = w.parse().ok()?;
    (1900..=2100).contains(&y).then_some(y)
}

/// The year of a day and month without a year: the reference date's year, or the year
/// before when that would put the date more than a month after the reference.
fn infer_year(r: &Reference, month: u32, day: u32) -> Option<i32> {
    if let Some(d) = r.date {
        let y = d.year();
        let cand = NaiveDate::from_ymd_opt(y, month, day.min(28))?;
        if cand > d + Duration::days(31) {
            return Some(y - 1);
        }
        return Some(y);
    }
    r.year
}

fn first_of_month(d: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
}

fn pair(d: Option<NaiveDate>, p: Precision) -> Option<(NaiveDate, Precision)> {
    d.map(|d| (d, p))
}

fn span(toks: &[Token], a: usize, b: usize) -> Span {
    Span {
        start: toks[a].span.start,
        end: toks[b].span.end,
    }
}

/// Finds and resolves the dates of a tokenised sentence, in order.
pub fn find(toks: &[Token], r: &Reference) -> Vec<DateMention> {
    find_all(toks, r).0
}

/// Finds the dates of a tokenised sentence, in order, and apart from them the days and
/// months written without a year that no year could be inferred for.
pub fn find_all(toks: &[Token], r: &Reference) -> (Vec<DateMention>, Vec<MonthDay>) {
    let mut out = Vec::new();
    let mut month_days = Vec::new();
    let w = |i: usize| toks.get(i).map(|t| t.text.as_str()).unwrap_or("");
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i].text;
        // ISO date 2021-02-28.
        if t.len() == 10 && t.as_bytes().get(4) == Some(&b'-') {
            if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                out.push(DateMention {
                    relative: false,
                    date: d,
                    precision: Precision::Day,
                    span: span(toks, i, i),
                });
                i += 1;
                continue;
            }
        }
        if let Some(m) = month_of(t).filter(|_| toks[i].is_cap()) {
            // "May" as a verb: require a day, a year, or "in May".
            let prev = if i > 0 {
                w(i - 1).to_lowercase()
            } else {
                String::new()
            };
            if let Some(d) = day_of(w(i + 1)) {
                // Month Day[,] [Year]
                let mut j = i + 1;
                let mut k = j + 1;
                if w(k) == "," {
                    k += 1;
                }
                let year = year_of(w(k));
                if year.is_some() {
                    j = k;
                }
                match year.or_else(|| infer_year(r, m, d)) {
                    Some(y) => {
                        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                            out.push(DateMention {
                                relative: year.is_none(),
                                date,
                                precision: Precision::Day,
                                span: span(toks, i, j),
                            });
                        }
                    }
                    None => month_days.extend(MonthDay::new(m, d, span(toks, i, j))),
                }
                i = j + 1;
                continue;
            }
            let relative = year_of(w(i + 1)).is_none();
            let (year, j) = if let Some(y) = year_of(w(i + 1)) {
                (Some(y), i + 1)
            } else if w(i + 1).eq_ignore_ascii_case("this") && w(i + 2).eq_ignore_ascii_case("year")
            {
                (r.date.map(|d| d.year()).or(r.year), i + 2)
            } else if w(i + 1).eq_ignore_ascii_case("last") && w(i + 2).eq_ignore_ascii_case("year")
            {
                (r.date.map(|d| d.year() - 1), i + 2)
            } else if matches!(
                prev.as_str(),
                "in" | "since" | "until" | "from" | "by" | "early" | "late" | "mid"
            ) {
                (infer_year(r, m, 1), i)
            } else {
                (None, i)
            };
            if let Some(y) = year {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, 1) {
                    out.push(DateMention {
                        relative,
                        date,
                        precision: Precision::Month,
                        span: span(toks, i, j),
                    });
                }
            }
            i = j + 1;
            continue;
        }
        // Day Month [Year]
        let day = day_of(t);
        if let Some(d) = day {
            if let Some(m) = month_of(w(i + 1)).filter(|_| toks[i + 1].is_cap()) {
                let relative = year_of(w(i + 2)).is_none();
                let (year, j) = match year_of(w(i + 2)) {
                    Some(y) => (Some(y), i + 2),
                    None => (infer_year(r, m, d), i + 1),
                };
                if let Some(date) = year.and_then(|y| NaiveDate::from_ymd_opt(y, m, d)) {
                    out.push(DateMention {
                        relative,
                        date,
                        precision: Precision::Day,
                        span: span(toks, i, j),
                    });
                } else if year.is_none() {
                    month_days.extend(MonthDay::new(m, d, span(toks, i, j)));
                }
                i = j + 1;
                continue;
            }
        }
        // Numeric "31/10/2024" (day first) or "10/31/2024" (month first), when unambiguous
        // (the other words are looked at only after a day and a slash).
        if let Some(a) = day.filter(|_| w(i + 1) == "/" && w(i + 3) == "/") {
            if let (Some(b), Some(y)) = (day_of(w(i + 2)), year_of(w(i + 4))) {
                let dm = match (a > 12, b > 12) {
                    (true, false) => Some((b, a)),
                    (false, true) => Some((a, b)),
                    _ => None,
                };
                if let Some(date) = dm.and_then(|(m, d)| NaiveDate::from_ymd_opt(y, m, d)) {
                    out.push(DateMention {
                        relative: false,
                        date,
                        precision: Precision::Day,
                        span: span(toks, i, i + 4),
                    });
                }
                i += 5;
                continue;
            }
        }
        if let Some(wd) = weekday_of(t) {
            if let Some(refd) = r.date {
                let prev_lower = if i > 0 {
                    lowered_token(&toks[i - 1])
                } else {
                    std::borrow::Cow::Borrowed("")
                };
                let mut back =
                    (refd.weekday().num_days_from_monday() + 7 - wd.num_days_from_monday()) % 7;
                let start = match &*prev_lower {
                    // "last Thursday": a day before the reference, never the reference itself.
                    "last" | "past" => {
                        if back == 0 {
                            back = 7;
                        }
                        i - 1
                    }
                    _ => i,
                };
                let date = if prev_lower == "next" || prev_lower == "coming" {
                    // "next Tuesday": the first such day after the reference.
                    let ahead =
                        (wd.num_days_from_monday() + 7 - refd.weekday().num_days_from_monday()) % 7;
                    refd + Duration::days(if ahead == 0 { 7 } else { ahead } as i64)
                } else {
                    refd - Duration::days(back as i64)
                };
                out.push(DateMention {
                    relative: true,
                    date,
                    precision: Precision::Day,
                    span: span(toks, start.min(i), i),
                });
            }
            i += 1;
            continue;
        }
        let lower = lowered_token(&toks[i]);
        // "last week", "last month", "last year", "earlier this month".
        if let Some(refd) = r.date {
            // Only "last", "past" and "this" start such a phrase: the next word is lowered
            // for them alone.
            let unit = if matches!(&*lower, "last" | "past" | "this") {
                w(i + 1).to_lowercase()
            } else {
                String::new()
            };
            let rel = match (&*lower, unit.as_str()) {
                ("last" | "past", "week") => {
                    // The previous Monday–Sunday: its month when the week lies in one month.
                    let monday =
                        refd - Duration::days(refd.weekday().num_days_from_monday() as i64 + 7);
                    let sunday = monday + Duration::days(6);
                    if monday.month() == sunday.month() {
                        pair(first_of_month(monday), Precision::Month)
                    } else {
                        None
                    }
                }
                ("last" | "past", "month") => pair(
                    first_of_month(refd)
                        .map(|f| f - Duration::days(1))
                        .and_then(first_of_month),
                    Precision::Month,
                ),
                ("last", "year") => pair(
                    NaiveDate::from_ymd_opt(refd.year() - 1, 1, 1),
                    Precision::Year,
                ),
                ("this", "month") => pair(first_of_month(refd), Precision::Month),
                _ => None,
            };
            if let Some((date, precision)) = rel {
                out.push(DateMention {
                    relative: true,
                    date,
                    precision,
                    span: span(toks, i, i + 1),
                });
                i += 2;
                continue;
            }
        }
        if let Some(refd) = r.date {
            let delta = match &*lower {
                "yesterday" => Some(-1),
                "today" => Some(0),
                "tomorrow" => Some(1),
                _ => None,
            };
            if let Some(dl) = delta {
                out.push(DateMention {
                    relative: true,
                    date: refd + Duration::days(dl),
                    precision: Precision::Day,
                    span: span(toks, i, i),
                });
                i += 1;
                continue;
            }
        }
        // "in 1993"
        if let Some(y) = year_of(t) {
            let prev = if i > 0 {
                w(i - 1).to_lowercase()
            } else {
                String::new()
            };
            if prev == "in" {
                if let Some(date) = NaiveDate::from_ymd_opt(y, 1, 1) {
                    out.push(DateMention {
                        relative: false,
                        date,
                        precision: Precision::Year,
                        span: span(toks, i, i),
                    });
                }
            }
        }
        i += 1;
    }
    (out, month_days)
}

/// The latest explicit four-digit year written in the tokens, a fallback reference.
pub fn latest_year(toks: &[Token]) -> Option<i32> {
    toks.iter().filter_map(|t| year_of(&t.text)).max()
}

#[cfg(test)]
mod tests {
    use super::super::sentences::tokenize;
    use super::*;

    fn dates(text: &str, refd: Option<&str>) -> Vec<(String, Precision)> {
        let chars: Vec<char> = text.chars().collect();
        let toks = tokenize(
            &chars,
            Span {
                start: 0,
                end: chars.len(),
            },
        );
        let r = Reference {
            date: refd.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            year: None,
        };
        find(&toks, &r)
            .into_iter()
            .map(|d| (d.date.to_string(), d.precision))
            .collect()
    }

    #[test]
    fn resolves_relative_and_partial_dates() {
        assert_eq!(
            dates("met on Sunday", Some("2025-10-27")),
            vec![("2025-10-26".into(), Precision::Day)]
        );
        assert_eq!(
            dates("held on October 25–26", Some("2025-10-27")),
            vec![("2025-10-25".into(), Precision::Day)]
        );
        assert_eq!(
            dates("visit to Baku in May this year", Some("2025-10-27")),
            vec![("2025-05-01".into(), Precision::Month)]
        );
        assert_eq!(
            dates("on 31 March 2025 and in 1993", None),
            vec![
                ("2025-03-31".into(), Precision::Day),
                ("1993-01-01".into(), Precision::Year)
            ]
        );
        assert_eq!(
            dates("on December 30", Some("2026-01-02")),
            vec![("2025-12-30".into(), Precision::Day)]
        );
        assert!(dates("you may go", Some("2025-01-01")).is_empty());
        assert!(dates("on Sunday", None).is_empty());
    }

    #[test]
    fn last_weekday_last_week_and_numeric_dates() {
        // 2025-10-27 is a Monday.
        assert_eq!(
            dates(
                "reported on Monday that last Thursday they met",
                Some("2025-10-27")
            ),
            vec![
                ("2025-10-27".into(), Precision::Day),
                ("2025-10-23".into(), Precision::Day)
            ]
        );
        assert_eq!(
            dates("last Monday", Some("2025-10-27")),
            vec![("2025-10-20".into(), Precision::Day)]
        );
        assert_eq!(
            dates("next Tuesday", Some("2025-10-27")),
            vec![("2025-10-28".into(), Precision::Day)]
        );
        assert_eq!(
            dates("met last week", Some("2025-10-27")),
            vec![("2025-10-01".into(), Precision::Month)]
        );
        // The week before 2025-11-03 runs from 27 October to 2 November: no month.
        assert!(dates("met last week", Some("2025-11-03")).is_empty());
        assert_eq!(
            dates("signed last month", Some("2025-01-15")),
            vec![("2024-12-01".into(), Precision::Month)]
        );
        assert_eq!(
            dates("on Thursday 31/10/2024", None),
            vec![("2024-10-31".into(), Precision::Day)]
        );
        assert!(dates("on 05/06/2024", None).is_empty());
        assert!(dates("last", Some("2025-01-01")).is_empty());
    }

    fn month_days(text: &str, r: Reference) -> (Vec<String>, Vec<String>) {
        let chars: Vec<char> = text.chars().collect();
        let toks = tokenize(
            &chars,
            Span {
                start: 0,
                end: chars.len(),
            },
        );
        let (d, md) = find_all(&toks, &r);
        (
            d.into_iter().map(|d| d.date.to_string()).collect(),
            md.into_iter().map(|m| m.iso()).collect(),
        )
    }

    #[test]
    fn day_and_month_without_any_year_are_kept_as_month_day() {
        let none = Reference::default();
        assert_eq!(
            month_days("held in London on March 31 and on 1 April", none),
            (vec![], vec!["--03-31".into(), "--04-01".into()])
        );
        assert_eq!(
            month_days("on February 29", none),
            (vec![], vec!["--02-29".into()])
        );
        assert_eq!(month_days("on February 30", none), (vec![], vec![]));
        // A year written beside it, or one to assume, makes it a date.
        assert_eq!(
            month_days("on March 31, 2025", none),
            (vec!["2025-03-31".into()], vec![])
        );
        let year = Reference {
            date: None,
            year: Some(2024),
        };
        assert_eq!(
            month_days("on March 31", year),
            (vec!["2024-03-31".into()], vec![])
        );
        // A month alone is no month–day.
        assert_eq!(month_days("in March", none), (vec![], vec![]));
    }
}
