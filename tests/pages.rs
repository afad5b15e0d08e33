//! News pages and feeds (issue 16), through the real binary: bodies without boilerplate,
//! titles and dates from each metadata form, a feed read twice adding nothing, and the
//! same article as `.txt` and as `.html` giving the same facts.

mod common;

use common::{ok, Dir};
use std::path::PathBuf;

fn fixtures(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

/// Runs an ingest that must succeed; returns its standard error.
fn ingest(d: &Dir, args: &[&str]) -> String {
    let mut c = d.cg();
    c.arg("ingest").args(args);
    let o = c.output().unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(o.status.success(), "{err}");
    err
}

fn rows(d: &Dir, q: &str) -> Vec<serde_json::Value> {
    let mut c = d.cg();
    c.args(["query", q, "--format", "json"]);
    serde_json::from_str(&ok(c)).unwrap()
}

/// Documents by id: (title, published, source, author, url).
fn documents(d: &Dir) -> Vec<[String; 6]> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    rows(
        d,
        "MATCH (d:Document) RETURN d.id AS id, d.title AS t, d.published AS p, d.source AS s, \
         d.author AS a, d.url AS u ORDER BY id",
    )
    .iter()
    .map(|r| {
        [
            s(&r["id"]),
            s(&r["t"]),
            s(&r["p"]),
            s(&r["s"]),
            s(&r["a"]),
            s(&r["u"]),
        ]
    })
    .collect()
}

#[test]
fn pages_give_their_body_without_boilerplate_and_their_metadata() {
    let d = Dir::new();
    let err = ingest(&d, &[fixtures("html").to_str().unwrap()]);
    assert!(err.contains("ingested 3 articles"), "{err}");
    let texts = rows(&d, "MATCH (d:Document) RETURN d.text AS t");
    assert_eq!(texts.len(), 3);
    // Words of menus, ads, related-story lists, comments, footers and scripts.
    let boilerplate = [
        "Markets",
        "Lifestyle",
        "Subscribe",
        "Advertisement",
        "Typhoon",
        "Rice export",
        "penalty",
        "Related stories",
        "Share on",
        "Terms of use",
        "dataLayer",
        "Bahasa",
        "Sitemap",
        "Visa Information",
        "Procurement",
        "Home ›",
        "Quick links",
        "Consular",
        "Pejambon",
        "Published on",
        "cookies",
        "Front page",
        "Crosswords",
        "morning briefing",
        "More from Africa",
        "Lake Victoria",
        "Safari",
        "Marathon",
        "Comments",
        "jk_1978",
        "Words are cheap",
        "Post comment",
        "Advertise",
        "Careers",
        "_gaq",
        "loadComments",
    ];
    for t in &texts {
        let t = t["t"].as_str().unwrap();
        for w in boilerplate {
            assert!(!t.contains(w), "{w:?} in {t}");
        }
        assert!(t.lines().count() >= 5, "{t}");
    }
    assert_eq!(
        documents(&d),
        [
            // <title> without the site's name; <time datetime>; <link rel=canonical>.
            [
                "ministry",
                "Indonesia and Australia agree to strengthen police cooperation",
                "2024-05-14",
                "Ministry of Foreign Affairs of the Republic of Indonesia",
                "-",
                "https://mfa.example.go.id/press-releases/2024/indonesia-australia-police-cooperation",
            ],
            // JSON-LD NewsArticle: headline, datePublished, author, publisher.
            [
                "newspaper",
                "Kenya and Uganda vow joint fight against terrorism",
                "2023-05-22",
                "The Daily Ledger",
                "Patrick Wachira",
                "https://ledger.example/news/2023/kenya-uganda-terrorism",
            ],
            // Open Graph and article:published_time.
            [
                "wire",
                "Vietnam, Laos sign pact on cross-border crime",
                "2025-03-04",
                "Asia Wire",
                "Nguyen Van An",
                "https://wire.example/world/asia/vietnam-laos-sign-pact-on-cross-border-crime",
            ],
        ]
        .map(|r| r.map(String::from))
    );
}

/// The facts of a database, without documents: labelled node names and typed edges.
fn facts(d: &Dir) -> Vec<String> {
    let name = "coalesce(n.name, n.title)";
    let mut f: Vec<String> = rows(
        d,
        &format!("MATCH (n) WHERE NOT n:Document RETURN labels(n)[0] + ' ' + {name} AS f"),
    )
    .iter()
    .chain(&rows(
        d,
        "MATCH (a)-[r]->(b) WHERE NOT b:Document \
         RETURN coalesce(a.name, a.title) + ' -' + type(r) + '-> ' + coalesce(b.name, b.title) AS f",
    ))
    .map(|r| r["f"].as_str().unwrap().to_string())
    .collect();
    f.sort();
    f
}

#[test]
fn the_same_article_as_text_and_as_a_page_gives_the_same_facts() {
    let page = Dir::new();
    ingest(
        &page,
        &[fixtures("html").join("wire.html").to_str().unwrap()],
    );
    let text = Dir::new();
    ingest(
        &text,
        &[
            fixtures("text").join("wire.txt").to_str().unwrap(),
            "--published",
            "2025-03-04",
        ],
    );
    let body = |d: &Dir| rows(d, "MATCH (d:Document) RETURN d.text AS t, d.title AS h");
    assert_eq!(body(&page), body(&text));
    let f = facts(&page);
    assert!(f.len() > 10, "{f:?}");
    assert!(f.iter().any(|x| x == "Country Laos"), "{f:?}");
    assert_eq!(f, facts(&text));
}

#[test]
fn feeds_give_one_article_per_item_and_a_second_read_adds_nothing() {
    let d = Dir::new();
    let feeds = fixtures("feeds");
    let err = ingest(&d, &[feeds.to_str().unwrap()]);
    assert!(err.contains("ingested 4 articles"), "{err}");
    assert_eq!(
        documents(&d)
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()].join(" | "))
            .collect::<Vec<_>>(),
        [
            // RSS without a guid: the link is the id.
            "https://wire.example/security/philippines-japan-grant | Philippines, Japan sign police equipment grant | 2025-04-10",
            // Atom: <published>, else <updated>.
            "tag:interior.example,2025:press/117 | Interior minister meets French counterpart | 2025-05-28",
            "tag:interior.example,2025:press/118 | Germany and Poland extend joint border patrols | 2025-06-02",
            "wire-2025-0412-001 | Thailand, Cambodia agree joint patrols against scam centres | 2025-04-12",
        ]
    );
    // HTML content goes through the page body extraction: the related link is dropped.
    let texts = rows(&d, "MATCH (d:Document) RETURN d.text AS t");
    assert!(texts
        .iter()
        .all(|t| !t["t"].as_str().unwrap().contains("Mekong")));
    let before = common::counts(&d);
    let err = ingest(&d, &[feeds.to_str().unwrap()]);
    assert!(
        err.contains(
            "ingested 0 articles (0 replaced), skipped 4 unchanged, 0 failed; +0 nodes, +0 edges"
        ),
        "{err}"
    );
    assert_eq!(common::counts(&d), before);
}

#[test]
fn dates_say_what_they_were_resolved_against() {
    let d = Dir::new();
    let dateline = d.write(
        "dateline.txt",
        "JAKARTA, 14 May 2024 – Officials gave details of a visit.\nIndonesian Minister of Foreign Affairs Retno Marsudi held talks with Australian Minister for Foreign Affairs Penny Wong on Monday.\n",
    );
    let published = d.write(
        "published.txt",
        "Indonesian Minister of Foreign Affairs Retno Marsudi held talks with Japanese Minister for Foreign Affairs Yoko Kamikawa in Jakarta on Tuesday.\n",
    );
    let written = d.write(
        "written.txt",
        "Indonesian Minister of Foreign Affairs Retno Marsudi held talks with Malaysian Minister of Foreign Affairs Mohamad Hasan in Jakarta on 31 March 2025.\n",
    );
    let guessed = d.write(
        "guessed.txt",
        "Indonesian Minister of Foreign Affairs Retno Marsudi, in office since 2014, held talks with Philippine Secretary of Foreign Affairs Enrique Manalo in Jakarta on March 4.\n",
    );
    let meta = d.write(
        "meta.jsonl",
        "{\"id\":\"published\",\"published\":\"2024-06-07\"}\n",
    );
    let err = ingest(
        &d,
        &[
            dateline.to_str().unwrap(),
            published.to_str().unwrap(),
            written.to_str().unwrap(),
            guessed.to_str().unwrap(),
            "--meta",
            meta.to_str().unwrap(),
        ],
    );
    assert!(
        err.contains(
            "; 3 without a publication date (relative dates resolved against a dateline or \
             marked unresolved): give one with --published YYYY-MM-DD or --meta FILE"
        ),
        "{err}"
    );
    let got = rows(
        &d,
        "MATCH (e:Event) RETURN sources(e)[0].document AS doc, toString(e.date) AS date, \
         e.date_basis AS basis ORDER BY doc",
    );
    let got: Vec<String> = got
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["doc"].as_str().unwrap(),
                r["date"],
                r["basis"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "dateline \"2024-05-13\" \"dateline\"",
            "guessed \"2014-03-04\" \"unresolved\"",
            "published \"2024-06-04\" \"publication\"",
            "written \"2025-03-31\" \"written\"",
        ]
    );
    // explain says it in words; the JSON dump carries the property.
    let id = rows(
        &d,
        "MATCH (e:Event) WHERE e.date_basis = 'dateline' RETURN id(e) AS id",
    );
    let mut c = d.cg();
    c.args(["explain", id[0]["id"].as_str().unwrap()]);
    let out = ok(c);
    assert!(
        out.contains("date: 2024-05-13 (day; resolved against the dateline (no publication date))"),
        "{out}"
    );
    let mut c = d.cg();
    c.args(["export", "--format", "json"]);
    assert!(ok(c).contains("\"date_basis\":\"unresolved\""));
}
