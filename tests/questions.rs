//! The analyst questions of examples/questions.cql over the seed articles, as snapshot
//! tests: ingest seeds/ through the binary, run the file with `--format json`, and
//! compare each statement's result with tests/snapshots/questions.txt. A change in the
//! extraction or the engine shows up here as a diff of the question it affects.
//!
//! To accept new results after checking them: `UPDATE_SNAPSHOTS=1 cargo test --test questions`.

mod common;

use common::{ok, Dir};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `//` comment lines before each statement of a script (statements end with `;`).
fn questions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut comment: Vec<String> = Vec::new();
    let mut in_statement = false;
    for line in text.lines() {
        let t = line.trim();
        if !in_statement {
            if let Some(c) = t.strip_prefix("//") {
                comment.push(c.trim().to_string());
                continue;
            }
            if t.is_empty() {
                // a comment block belongs to the statement right below it
                comment.clear();
                continue;
            }
            in_statement = true;
            out.push(comment.join(" "));
            comment.clear();
        }
        if t.ends_with(';') {
            in_statement = false;
        }
    }
    out
}

#[test]
fn questions_over_the_seeds_match_the_snapshots() {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.current_dir(root())
        .args(["ingest", "seeds/", "--meta", "examples/seeds-meta.jsonl"]);
    ok(c);
    let mut c = dir.cg();
    c.current_dir(root())
        .args(["run", "examples/questions.cql", "--format", "json"]);
    let out = ok(c);
    let text = std::fs::read_to_string(root().join("examples/questions.cql")).unwrap();
    let qs = questions(&text);
    let results: Vec<&str> = out.lines().collect();
    assert_eq!(
        qs.len(),
        results.len(),
        "one result line per statement: {qs:#?}"
    );
    assert!(qs.len() >= 12, "at least 12 questions");
    assert!(
        qs.iter().all(|q| !q.is_empty()),
        "every statement is preceded by a // comment stating its question"
    );
    let mut snap = String::new();
    for (i, (q, r)) in qs.iter().zip(&results).enumerate() {
        let v: serde_json::Value = serde_json::from_str(r).expect("a JSON array");
        snap.push_str(&format!(
            "## {}: {q}\n{}\n\n",
            i + 1,
            serde_json::to_string_pretty(&v).unwrap()
        ));
    }
    let path = root().join("tests/snapshots/questions.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &snap).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .expect("tests/snapshots/questions.txt (UPDATE_SNAPSHOTS=1 writes it)");
    if want != snap {
        // Name the first question that differs, then show both texts.
        let w: Vec<&str> = want.split("\n## ").collect();
        let g: Vec<&str> = snap.split("\n## ").collect();
        let first = w
            .iter()
            .zip(&g)
            .position(|(a, b)| a != b)
            .unwrap_or(w.len().min(g.len()));
        panic!(
            "snapshot differs at section {}:\n--- expected\n{}\n--- got\n{}",
            first + 1,
            w.get(first).unwrap_or(&""),
            g.get(first).unwrap_or(&"")
        );
    }
}

#[test]
fn table_output_shows_each_question_above_its_table() {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.current_dir(root())
        .args(["ingest", "seeds/", "--meta", "examples/seeds-meta.jsonl"]);
    ok(c);
    let mut c = dir.cg();
    c.current_dir(root())
        .args(["run", "examples/questions.cql", "--format", "table"]);
    let out = ok(c);
    let text = std::fs::read_to_string(root().join("examples/questions.cql")).unwrap();
    for q in questions(&text) {
        let first_words: String = q.chars().take(30).collect();
        assert!(
            out.contains(&first_words),
            "{first_words:?} missing from:\n{out}"
        );
    }
    assert!(out.contains("+---"), "{out}");
}

#[test]
fn reported_in_links_nodes_and_their_source_documents() {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.current_dir(root())
        .args(["ingest", "seeds/", "--meta", "examples/seeds-meta.jsonl"]);
    ok(c);
    let q = |text: &str| -> String {
        let mut c = dir.cg();
        c.args(["query", text, "--format", "csv"]);
        ok(c)
    };
    // from a document back to the people it names
    assert_eq!(
        q("MATCH (d:Document {id: '003_e0fcc0c8a9cc5fa4'})<-[:REPORTED_IN]-(p:Person) RETURN p.name ORDER BY p.name"),
        "p.name\nEdmund Goh\nNguyen Van Long\n"
    );
    // both ends bound: a check
    assert_eq!(
        q("MATCH (p:Person {name: 'Edmund Goh'}), (d:Document) WHERE (p)-[:REPORTED_IN]->(d) RETURN d.id"),
        "d.id\n003_e0fcc0c8a9cc5fa4\n"
    );
    // not stored: it cannot be named or repeated
    let mut c = dir.cg();
    c.args(["query", "MATCH (p:Person)-[r:REPORTED_IN]->(d) RETURN r"]);
    let err = common::fails(c, 3);
    assert!(err.contains("REPORTED_IN"), "{err}");
}
