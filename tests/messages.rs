//! The messages a newcomer meets (issue 16), each compared whole with what it must say:
//! one position per message, the caret at the failing expression, hints for `!=`, the
//! user's own regular expression, plurals, `--help` and the `.jsonl` reports.

mod common;

use common::{fails, ok, Dir};

/// The standard error of `coopgraph query TEXT`, which must fail with `code`.
fn query_error(d: &Dir, text: &str, code: i32) -> String {
    let mut c = d.cg();
    c.args(["query", text]);
    fails(c, code)
}

/// A database with one article, so that queries have something to run over.
fn with_article() -> Dir {
    let d = Dir::new();
    let a = d.write(
        "a.txt",
        "Vietnam, Laos sign pact\nHANOI – Vietnam and Laos signed an agreement on Tuesday.\n",
    );
    let mut c = d.cg();
    c.arg("ingest").arg(a);
    ok(c);
    d
}

#[test]
fn runtime_errors_point_at_the_failing_expression_once() {
    let d = with_article();
    assert_eq!(
        query_error(&d, "RETURN 1/0", 4),
        "<query>:1:9: error: invalid argument: division by zero\n  |\n1 | RETURN 1/0\n  |         ^ here\n"
    );
    assert_eq!(
        query_error(&d, "RETURN 1 +\n  toUpper(3)", 4),
        "<query>:2:3: error: type error: toUpper() does not accept an integer\n  |\n2 |   toUpper(3)\n  |   ^ here\n"
    );
    assert_eq!(
        query_error(&d, "RETURN 9223372036854775807 + 1", 4),
        "<query>:1:28: error: integer overflow: 9223372036854775807 + 1\n  |\n1 | RETURN 9223372036854775807 + 1\n  |                            ^ here\n"
    );
}

#[test]
fn syntax_and_plan_errors_give_one_position_and_a_hint() {
    let d = with_article();
    assert_eq!(
        query_error(&d, "MATCH (n) WHERE n.name != 'x' RETURN n", 3),
        "<query>:1:24: error: Unexpected '!=': Cypher writes 'not equal' as <> (a <> b)\n  |\n1 | MATCH (n) WHERE n.name != 'x' RETURN n\n  |                        ^\n"
    );
    assert_eq!(
        query_error(&d, "MATCH (n) RETURN x", 3),
        "<query>:1:18: error: variable `x` is not defined\n  |\n1 | MATCH (n) RETURN x\n  |                  ^ here\n"
    );
    assert_eq!(
        query_error(&d, "RETURN 9223372036854775808", 3),
        "<query>:1:8: error: Integer literal is too large\n  |\n1 | RETURN 9223372036854775808\n  |        ^\n"
    );
}

#[test]
fn a_bad_regular_expression_shows_the_users_pattern() {
    let d = with_article();
    assert_eq!(
        query_error(&d, "MATCH (n) WHERE n.name =~ '(' RETURN n", 3),
        "<query>:1:24: error: invalid regular expression: \"(\": unclosed group\n  |\n1 | MATCH (n) WHERE n.name =~ '(' RETURN n\n  |                        ^ here\n"
    );
    // A pattern known only when the query runs.
    assert_eq!(
        query_error(&d, "WITH '[a' AS p MATCH (n) WHERE n.name =~ p RETURN n", 4),
        "<query>:1:39: error: invalid regular expression: \"[a\": unclosed character class\n  |\n1 | WITH '[a' AS p MATCH (n) WHERE n.name =~ p RETURN n\n  |                                       ^ here\n"
    );
}

#[test]
fn the_smallest_integer_is_a_literal() {
    let d = with_article();
    let mut c = d.cg();
    c.args([
        "query",
        "RETURN -9223372036854775808 AS m, -9223372036854775807 - 1 = -9223372036854775808 AS same",
    ]);
    assert_eq!(ok(c).trim(), r#"[{"m":-9223372036854775808,"same":true}]"#);
}

#[test]
fn help_gives_the_db_default_once_and_the_limits() {
    let d = Dir::new();
    let mut c = d.cg();
    c.arg("--help");
    let help = ok(c);
    let db = help.lines().find(|l| l.contains("--db")).unwrap();
    assert_eq!(db.matches("default").count(), 1, "{db}");
    assert!(
        db.ends_with("[env: COOPGRAPH_DB] [default: coopgraph.db]"),
        "{db}"
    );
    let mut c = d.cg();
    c.args(["ingest", "--help"]);
    let help = ok(c);
    assert!(help.contains("up to 16 MiB"), "{help}");
    assert!(help.contains("up to 2,000,000 characters"), "{help}");
    assert!(
        help.contains(".html, .htm") && help.contains(".rss, .atom"),
        "{help}"
    );
}

#[test]
fn ingest_counts_in_words_and_reports_bad_jsonl_lines_by_place() {
    let d = Dir::new();
    let one = d.write(
        "one.txt",
        "Vietnam and Laos signed an agreement in Hanoi.\n",
    );
    let mut c = d.cg();
    c.arg("ingest").arg(&one);
    let o = c.output().unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.starts_with("ingested 1 article (0 replaced), skipped 0 unchanged, 0 failed; +"),
        "{err}"
    );
    let j = d.write(
        "a.jsonl",
        concat!(
            "{\"id\":7,\"text\":\"Vietnam and Laos met.\"}\n",
            "{\"id\":\"a\",\"text\":\"Vietnam and Laos met.\",\"published\":\"May 2024\"}\n",
            "{\"id\":\"b\",\"text\":\"Vietnam and Laos met in Hanoi.\",\"published\":\"2024-05-02\"}\n",
            "{\"id\":\"b\",\"text\":\"A second b.\"}\n",
        ),
    );
    let mut c = d.cg();
    c.arg("ingest").arg(&j);
    let err = fails(c, 1);
    let place = j.display();
    let lines: Vec<&str> = err.lines().take(3).collect();
    assert_eq!(
        lines,
        [
            format!("skipped {place}:1: `id` 7 is not a string; write it in quotes (\"7\"); the article is left out"),
            format!("skipped {place}:2: `published` \"May 2024\" is not a date (YYYY-MM-DD); the article is left out"),
            format!("skipped {place}:4: duplicate id \"b\" (first at line 3); the first article is kept, this one left out"),
        ]
    );
    assert!(
        err.contains("ingested 1 article (0 replaced), skipped 0 unchanged, 3 failed;"),
        "{err}"
    );
}

#[test]
fn a_failed_ingest_into_a_new_path_leaves_nothing() {
    let d = Dir::new();
    let mut c = d.cg();
    c.arg("ingest").arg(d.path("missing.txt"));
    let err = fails(c, 1);
    assert!(
        err.ends_with(&format!(
            "nothing was ingested; {} was not created\n",
            d.db().display()
        )),
        "{err}"
    );
    assert!(!d.db().exists());
}

#[test]
fn progress_lines_show_control_characters_escaped() {
    let d = Dir::new();
    let j = d.write("e.jsonl", "{\"id\":\"x\\u001b]0;owned\\u0007\"}\n");
    let mut c = d.cg();
    c.arg("ingest").arg(&j);
    let err = fails(c, 1);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let j = d.write(
        "dup.jsonl",
        "{\"id\":\"x\\u001b[2J\",\"text\":\"One.\"}\n{\"id\":\"x\\u001b[2J\",\"text\":\"Two.\"}\n",
    );
    let mut c = d.cg();
    c.arg("ingest").arg(&j);
    let err = fails(c, 1);
    assert!(err.contains("duplicate id \"x\\u{1b}[2J\""), "{err:?}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_second_read_names_only_the_first_unchanged_documents() {
    let d = Dir::new();
    let dir = d.path("in");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..8 {
        std::fs::write(
            dir.join(format!("a{i}.txt")),
            format!("Vietnam and Laos met in Hanoi, round {i}.\n"),
        )
        .unwrap();
    }
    for round in 0..2 {
        let mut c = d.cg();
        c.arg("ingest").arg(&dir);
        let o = c.output().unwrap();
        let err = String::from_utf8(o.stderr).unwrap();
        let lines: Vec<&str> = err.lines().collect();
        if round == 0 {
            assert_eq!(lines.len(), 1, "{err}");
            continue;
        }
        assert_eq!(
            lines[0],
            "unchanged a0: already ingested with the same text"
        );
        assert_eq!(
            lines[4],
            "unchanged a4: already ingested with the same text"
        );
        assert_eq!(
            lines[5],
            "… more unchanged documents: counted in the summary"
        );
        assert!(
            lines[6].starts_with("ingested 0 articles (0 replaced), skipped 8 unchanged"),
            "{err}"
        );
        assert_eq!(lines.len(), 7, "{err}");
    }
}
