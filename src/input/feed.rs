//! RSS 2.0 and Atom feeds (`.xml`, `.rss`, `.atom`): each item one article, parsed by
//! `feed-rs`.
//!
//! An item's id is its `guid` (RSS) or `id` (Atom); without one, its link; without
//! that, a hash of its text, so that reading the same feed again finds the same
//! documents and adds only new items. Title, link, `pubDate`/`published` (else
//! `updated`), the first author and the feed's title (as the outlet) are kept; the text
//! is the headline and the item's content, else its description, HTML going through the
//! same body extraction as pages.

use super::{html, InputError, Item};
use crate::extract::Article;
use sha2::Digest;

/// The items of a feed read from `bytes` (the file `name`, whose items without id or
/// link get ids `<stem>:<hash>`).
pub fn items(bytes: &[u8], name: &str, stem: &str) -> Vec<Item> {
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, title, _| {
            links
                .first()
                .map(|l| l.href.clone())
                .or_else(|| title.as_ref().map(|t| t.content.clone()))
                .unwrap_or_default()
        })
        .build();
    let feed = match parser.parse(bytes) {
        Ok(f) => f,
        Err(e) => {
            return vec![Item::Failed(
                name.to_string(),
                InputError::Feed(e.to_string()),
            )]
        }
    };
    let outlet = feed
        .title
        .as_ref()
        .map(|t| clean(&t.content))
        .filter(|t| !t.is_empty());
    feed.entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let place = format!("{name}: item {}", i + 1);
            let title = e
                .title
                .as_ref()
                .map(|t| clean(&t.content))
                .filter(|t| !t.is_empty());
            let (body, is_html) = match (&e.content, &e.summary) {
                (Some(c), _) if c.body.as_deref().is_some_and(|b| !b.trim().is_empty()) => (
                    c.body.clone().unwrap_or_default(),
                    c.content_type.essence().to_string().contains("html"),
                ),
                (_, Some(s)) => (
                    s.content.clone(),
                    s.content_type.essence().to_string().contains("html"),
                ),
                _ => (String::new(), false),
            };
            let lines = if is_html || body.contains('<') {
                html::fragment_lines(&body)
            } else {
                html::lines(&body)
            };
            if lines.is_empty() {
                return Item::Failed(place, InputError::Empty);
            }
            let text = html::with_headline(title.as_deref(), &lines);
            let id = if e.id.trim().is_empty() {
                let h = sha2::Sha256::digest(text.as_bytes());
                let hex: String = h.iter().take(6).map(|b| format!("{b:02x}")).collect();
                format!("{stem}:{hex}")
            } else {
                e.id.trim().to_string()
            };
            Item::Article(
                Article {
                    id,
                    title,
                    url: e
                        .links
                        .iter()
                        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                        .or(e.links.first())
                        .map(|l| l.href.clone()),
                    published: e.published.or(e.updated).map(|d| d.date_naive()),
                    source: outlet.clone(),
                    author: e
                        .authors
                        .first()
                        .and_then(|a| a.name.clone())
                        .filter(|a| !a.is_empty()),
                    text,
                },
                place,
            )
        })
        .collect()
}

/// A title with its white space collapsed.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Article(a, _) => a.id.clone(),
                Item::Failed(p, e) => format!("failed {p}: {e}"),
            })
            .collect()
    }

    #[test]
    fn an_item_without_guid_or_link_gets_an_id_from_its_text_the_same_each_time() {
        let feed = "<rss version=\"2.0\"><channel><title>T</title>\
                    <item><description>Vietnam and Laos met in Hanoi.</description></item>\
                    </channel></rss>";
        let a = ids(&items(feed.as_bytes(), "f.rss", "f"));
        assert_eq!(a.len(), 1);
        assert!(a[0].starts_with("f:") && a[0].len() == 14, "{a:?}");
        assert_eq!(a, ids(&items(feed.as_bytes(), "f.rss", "f")));
    }

    #[test]
    fn cut_feeds_give_items_or_one_error_never_a_panic() {
        for feed in [
            include_str!("../../tests/fixtures/feeds/wire.rss"),
            include_str!("../../tests/fixtures/feeds/ministry.atom"),
        ] {
            for (cut, _) in feed.char_indices().step_by(23) {
                let _ = items(&feed.as_bytes()[..cut], "cut", "cut");
            }
        }
        let got = ids(&items(
            b"<html><body>not a feed</body></html>",
            "x.xml",
            "x",
        ));
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("failed x.xml: not an RSS or Atom feed"),
            "{got:?}"
        );
    }
}
