//! News pages (`.html`, `.htm`): the article body found by readability-style content
//! extraction, its metadata read from the page.
//!
//! The page is parsed by an HTML5 parser (`dom_query`, on html5ever); boilerplate that
//! pages mark by class or id (advertisements, share buttons, breadcrumbs, comments,
//! related-story lists, cookie banners, newsletter forms) and scripts are removed, and
//! `dom_smoothie` — a port of Mozilla's Readability — picks the body out of what is left,
//! dropping navigation, sidebars and footers by its scores. The text keeps one paragraph
//! per line, after the headline, as a `.txt` article is written.
//!
//! Metadata, first found wins: title — Open Graph `og:title`, JSON-LD `headline`, the
//! `<title>` without the site's name; publication date — `article:published_time`,
//! JSON-LD `datePublished` and the other meta tags Readability reads, then the first
//! `<time datetime>`; URL — `og:url`, `<link rel=canonical>`, JSON-LD `url` or
//! `mainEntityOfPage`; outlet — `og:site_name`, JSON-LD `publisher`, the rest of the
//! `<title>`; author — `author` meta, JSON-LD `author`, the byline. An article whose page
//! gives no date is dated by its dateline, as text articles are (see `extract`).

use super::InputError;
use crate::extract::Article;
use chrono::NaiveDate;
use dom_query::Document;

/// Words of `class`/`id` values (split at spaces, `-` and `_`) that mark boilerplate.
const BOILERPLATE: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "adsbygoogle",
    "sponsor",
    "sponsored",
    "promo",
    "breadcrumb",
    "breadcrumbs",
    "share",
    "sharing",
    "social",
    "related",
    "comment",
    "comments",
    "newsletter",
    "cookie",
    "consent",
    "subscribe",
    "paywall",
    "recommended",
    "trending",
];

/// Words that mark boilerplate only in a short element (a date or byline line), since a
/// body container may carry them too ("article-meta-body").
const SHORT_BOILERPLATE: &[&str] = &["byline", "date", "dateline", "timestamp", "meta", "tags"];

/// The most characters a [`SHORT_BOILERPLATE`] element may hold to be removed.
const SHORT: usize = 200;

/// The body of a parsed page (boilerplate stripped, then Readability), one line per
/// paragraph, with what Readability read of the page's metadata.
fn readable(doc: Document) -> Result<(Vec<String>, dom_smoothie::Article), InputError> {
    let none = || InputError::Html("no article text found in the page".into());
    strip_boilerplate(&doc);
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..dom_smoothie::Config::default()
    };
    let mut r = dom_smoothie::Readability::with_document(doc, None, Some(cfg))
        .map_err(|e| InputError::Html(e.to_string()))?;
    let a = r.parse().map_err(|_| none())?;
    let body = lines(&a.text_content);
    if body.is_empty() {
        return Err(none());
    }
    Ok((body, a))
}

/// The text of an HTML fragment (a feed item's content), one line per paragraph: the
/// same body extraction as a page, or all its text when it is too short for that.
pub fn fragment_lines(html: &str) -> Vec<String> {
    match readable(Document::from(html)) {
        Ok((body, _)) => body,
        Err(_) => {
            let doc = Document::from(html);
            strip_boilerplate(&doc);
            lines(&doc.formatted_text())
        }
    }
}

/// Reads a news page as one article with id `id`.
pub fn article(html: &str, id: String) -> Result<Article, InputError> {
    let doc = Document::from(html);
    let meta = PageMeta::of(&doc);
    let (body, a) = readable(doc)?;
    let title = Some(a.title.trim().to_string())
        .filter(|t| !t.is_empty())
        .or(meta.title.clone());
    let text = with_headline(title.as_deref(), &body);
    Ok(Article {
        id,
        published: a.published_time.as_deref().and_then(date_of).or(meta.time),
        url: meta.url.clone().or(a.url),
        source: a
            .site_name
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| title.as_deref().and_then(|t| meta.site_in_title(t))),
        author: a
            .byline
            .map(|s| s.trim().trim_start_matches("By ").trim().to_string())
            .filter(|s| !s.is_empty()),
        title,
        text,
    })
}

/// An article text from a headline and body lines: the headline first, unless the body
/// already starts with it.
pub fn with_headline(title: Option<&str>, body: &[String]) -> String {
    let mut out = String::new();
    if let Some(t) = title {
        if body.first().map(|l| l.as_str()) != Some(t) {
            out.push_str(t);
            out.push('\n');
        }
    }
    out.push_str(&body.join("\n"));
    out.push('\n');
    out
}

/// The non-empty lines of extracted text, each with its white space collapsed.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// A date from an ISO 8601 / RFC 3339 timestamp or day (`2025-03-04T08:15:00+07:00`,
/// `2025-03-04`), or an RFC 2822 one (`Tue, 04 Mar 2025 08:15:00 +0700`).
pub fn date_of(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Some(d) = s.get(..10) {
        if let Ok(d) = NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            return Some(d);
        }
    }
    chrono::DateTime::parse_from_rfc2822(s)
        .ok()
        .map(|d| d.date_naive())
}

/// Removes scripts, styles, forms and elements marked as boilerplate by class or id.
fn strip_boilerplate(doc: &Document) {
    // JSON-LD stays: Readability reads the article's metadata from it.
    doc.select(
        "script:not([type='application/ld+json']), style, noscript, template, iframe, form, button, svg",
    )
    .remove();
    for node in doc.select("[class], [id]").nodes() {
        let marks = |words: &[&str]| {
            ["class", "id"].iter().any(|a| {
                node.attr(a).is_some_and(|v| {
                    v.to_ascii_lowercase()
                        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
                        .any(|w| words.contains(&w))
                })
            })
        };
        if node.is_element()
            && (marks(BOILERPLATE)
                || (marks(SHORT_BOILERPLATE) && node.text().chars().count() <= SHORT))
        {
            node.remove_from_parent();
        }
    }
}

/// What the page says about itself beyond what Readability reads.
#[derive(Debug, Default)]
struct PageMeta {
    title: Option<String>,
    /// The `<title>` element's text.
    page_title: Option<String>,
    url: Option<String>,
    /// The first `<time datetime>`.
    time: Option<NaiveDate>,
}

impl PageMeta {
    fn of(doc: &Document) -> PageMeta {
        let content = |sel: &str, attr: &str| {
            doc.select(sel)
                .iter()
                .find_map(|n| n.attr(attr).map(|v| v.trim().to_string()))
                .filter(|v| !v.is_empty())
        };
        let ld = json_ld(doc);
        let ld_str = |k: &str| {
            ld.iter().find_map(|v| match v.get(k) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Object(o)) => {
                    o.get("@id").and_then(|x| x.as_str()).map(str::to_string)
                }
                _ => None,
            })
        };
        let page_title =
            Some(doc.select("head title").text().trim().to_string()).filter(|t| !t.is_empty());
        PageMeta {
            title: content("meta[property='og:title']", "content")
                .or_else(|| ld_str("headline"))
                .or_else(|| page_title.clone()),
            page_title,
            url: content("meta[property='og:url']", "content")
                .or_else(|| content("link[rel='canonical']", "href"))
                .or_else(|| ld_str("url"))
                .or_else(|| ld_str("mainEntityOfPage")),
            time: doc
                .select("time[datetime]")
                .iter()
                .find_map(|n| n.attr("datetime").and_then(|d| date_of(d.as_ref()))),
        }
    }

    /// The site's name in a `<title>` of the form "Headline – Site" (also `|`, ` - `).
    fn site_in_title(&self, headline: &str) -> Option<String> {
        let rest = self.page_title.as_deref()?.strip_prefix(headline)?.trim();
        let site = rest
            .strip_prefix(['|', '–', '—', '-', ':', '·'])?
            .trim()
            .to_string();
        (!site.is_empty()).then_some(site)
    }
}

/// The JSON-LD objects of the page whose type is a kind of article, flattening `@graph`.
fn json_ld(doc: &Document) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for n in doc.select("script[type='application/ld+json']").nodes() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&n.text()) else {
            continue;
        };
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(a) => stack.extend(a),
                serde_json::Value::Object(mut o) => {
                    if let Some(g) = o.remove("@graph") {
                        stack.push(g);
                    }
                    let ty = o.get("@type").map(|t| t.to_string()).unwrap_or_default();
                    if ty.contains("Article") || ty.contains("Report") {
                        out.push(serde_json::Value::Object(o));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_and_garbled_pages_give_an_article_or_an_error_never_a_panic() {
        let pages = [
            include_str!("../../tests/fixtures/html/wire.html"),
            include_str!("../../tests/fixtures/html/ministry.html"),
            include_str!("../../tests/fixtures/html/newspaper.html"),
        ];
        let mut n = 0;
        for page in pages {
            let cuts: Vec<usize> = page.char_indices().map(|(i, _)| i).step_by(37).collect();
            for &cut in &cuts {
                let _ = article(&page[..cut], "cut".into());
                // The same page with its tags' closing brackets turned into text.
                let garbled = page[cut..].replacen('>', "&gt;", 3) + &page[..cut];
                let _ = article(&garbled, "garbled".into());
                n += 2;
            }
        }
        assert!(n > 400, "{n} cases");
        assert!(article("", "empty".into()).is_err());
        assert!(article("<html><body><script>x()</script></body></html>", "s".into()).is_err());
    }

    #[test]
    fn dates_come_from_timestamps_in_either_form() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 4);
        assert_eq!(date_of("2025-03-04T08:15:00+07:00"), d);
        assert_eq!(date_of(" 2025-03-04 "), d);
        assert_eq!(date_of("Tue, 04 Mar 2025 08:15:00 +0700"), d);
        assert_eq!(date_of("March 4"), None);
    }

    #[test]
    fn the_site_name_is_the_rest_of_the_page_title() {
        let m = PageMeta {
            page_title: Some("Talks held - Ministry of Foreign Affairs".into()),
            ..PageMeta::default()
        };
        assert_eq!(
            m.site_in_title("Talks held").as_deref(),
            Some("Ministry of Foreign Affairs")
        );
        assert_eq!(m.site_in_title("Other"), None);
    }

    #[test]
    fn boilerplate_marked_by_class_goes_and_the_body_stays() {
        let body = "<p>HANOI – Vietnam and Laos signed an agreement on crime on Tuesday in the capital, officials said after the meeting of the two delegations.</p>".repeat(4);
        let page = format!(
            "<html><head><title>Vietnam and Laos sign a pact - Wire</title></head><body>\
             <nav><a href='/'>Home</a><a href='/sport'>Sport</a></nav>\
             <article><h1>Vietnam and Laos sign a pact</h1><div class='article-meta-body'>{body}\
             <div class='ad ad-inline'>Advertisement: cheap flights</div></div>\
             <p class='byline'>By A. Writer</p></article>\
             <ul class='related-links'><li><a href='/x'>Typhoon hits coast</a></li></ul>\
             <script>var tracking = 1;</script></body></html>"
        );
        let a = article(&page, "p".into()).unwrap();
        assert!(
            a.text
                .starts_with("Vietnam and Laos sign a pact\nHANOI – Vietnam"),
            "{}",
            a.text
        );
        for word in ["Advertisement", "Typhoon", "Sport", "tracking", "A. Writer"] {
            assert!(!a.text.contains(word), "{word} in {}", a.text);
        }
        assert_eq!(a.source.as_deref(), Some("Wire"));
    }
}
