//! Export formats through the binary: jsonl round trips, hostile text in html and dot,
//! atomic writes, refusals. Consumers (NetworkX, Graphviz, rdflib, Chromium, Kuzu) check
//! the other formats in scripts/validate-exports.sh.

mod common;

use common::{counts, fails, ok, Dir};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A database loaded from tests/fixtures/evil.json.
fn evil_db() -> Dir {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.args(["import", "--format", "json"])
        .arg(fixture("evil.json"));
    ok(c);
    dir
}

fn export(dir: &Dir, format: &str, name: &str) -> String {
    let out = dir.path(name);
    let mut c = dir.cg();
    c.args(["export", "--format", format, "-o"]).arg(&out);
    ok(c);
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn jsonl_round_trips_to_the_same_json_dump() {
    let a = evil_db();
    let json = export(&a, "json", "a.json");
    let jsonl = export(&a, "jsonl", "a.jsonl");
    assert_eq!(jsonl.lines().count(), 7 + 6);
    let b = Dir::new();
    let f = b.write("a.jsonl", &jsonl);
    let mut c = b.cg();
    c.args(["import", "--format", "jsonl"]).arg(&f);
    ok(c);
    assert_eq!(export(&b, "json", "b.json"), json);

    // Edges before nodes, blank lines, and another tool's missing provenance are fine.
    let mut lines: Vec<&str> = jsonl.lines().collect();
    lines.reverse();
    let d = Dir::new();
    let f = d.write("rev.jsonl", &format!("\n{}\n\n", lines.join("\n")));
    let mut c = d.cg();
    c.args(["import", "--format", "jsonl"]).arg(&f);
    ok(c);
    assert_eq!(counts(&d), (7, 6));
    // Ids are numbered in the order first seen, so only the order of the records differs.
    let sorted = |s: &str| {
        let mut v: Vec<String> = s
            .lines()
            .map(|l| l.trim_end_matches(',').to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&export(&d, "json", "d.json")), sorted(&json));
}

#[test]
fn a_bad_jsonl_line_is_refused_with_its_number() {
    let dir = Dir::new();
    let f = dir.write(
        "bad.jsonl",
        "{\"id\":\"n1\",\"labels\":[\"Country\"],\"properties\":{\"name\":\"X\"}}\n\
         {\"id\":\"e1\",\"type\":\"OF\",\"source\":\"n1\",\"target\":\"n404\",\"properties\":{}}\n",
    );
    let mut c = dir.cg();
    c.args(["import", "--format", "jsonl"]).arg(&f);
    let err = fails(c, 2);
    assert!(err.contains("line 2: target n404 is not a node"), "{err}");
    let f = dir.write("bad2.jsonl", "{\"id\":\"n1\",\"properties\":{}}\n");
    let mut c = dir.cg();
    c.args(["import", "--format", "jsonl"]).arg(&f);
    let err = fails(c, 2);
    assert!(err.contains("line 1: neither a node"), "{err}");
}

#[test]
fn html_keeps_hostile_text_inside_the_data_element() {
    let dir = evil_db();
    let page = export(&dir, "html", "g.html");
    // The page's own three scripts (data, cytoscape.js, viewer) and nothing else.
    assert_eq!(page.matches("<script").count(), 3, "script elements");
    assert_eq!(page.matches("</script>").count(), 3);
    assert!(!page.contains("<img"));
    assert!(page.contains("default-src 'none'"), "no network");
    let start = page.find("type=\"application/json\">").unwrap() + 24;
    let end = start + page[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    let captions: Vec<&str> = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["caption"].as_str().unwrap())
        .collect();
    assert!(captions
        .contains(&"</script><script>document.body.setAttribute('data-pwned','1')</script>"));
    assert!(captions.contains(&"\"]; evil [label=\""));
    let ev = &data["nodes"].as_array().unwrap()[1]["ev"][0];
    assert!(
        ev["span"]
            .as_str()
            .unwrap()
            .starts_with("The text said </script>"),
        "{ev}"
    );
}

#[test]
fn dot_keeps_hostile_names_inside_their_strings() {
    let dir = evil_db();
    let dot = export(&dir, "dot", "g.dot");
    assert!(
        dot.contains("[label=\"\\\"]; evil [label=\\\"\", shape=box"),
        "{dot}"
    );
    // One statement per node and edge: no name opened another.
    let stmts = dot.lines().filter(|l| l.starts_with("  \"")).count();
    assert_eq!(stmts, 7 + 6, "{dot}");
}

#[test]
fn every_format_writes_through_a_temporary_file() {
    let dir = evil_db();
    for f in [
        "json", "jsonl", "cypher", "graphml", "gexf", "dot", "html", "ntriples", "turtle",
    ] {
        let text = export(&dir, f, &format!("g.{f}"));
        assert!(!text.is_empty(), "{f}");
        let target = dir.path(&format!("missing/g.{f}"));
        let mut c = dir.cg();
        c.args(["export", "--format", f, "-o"]).arg(&target);
        fails(c, 2);
        assert!(!target.exists());
    }
    let names: Vec<String> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

#[test]
fn csv_writes_a_new_directory_and_refuses_a_full_one() {
    let dir = evil_db();
    let out = dir.path("csv");
    let mut c = dir.cg();
    c.args(["export", "--format", "csv", "-o"]).arg(&out);
    ok(c);
    let country = std::fs::read_to_string(out.join("nodes_Country.csv")).unwrap();
    assert_eq!(
        country.lines().next().unwrap(),
        "_id:ID,:LABEL,aliases:string[],iso2:string,iso3:string,name:string"
    );
    assert!(country
        .contains("\"n1\",Country,\"a;b;Việt \"\"Nam\"\"\",\"EV\",,\"\"\"]; evil [label=\"\"\"\n"));
    let rel = std::fs::read_to_string(out.join("relationships_PARTICIPATED_IN_Country_Event.csv"))
        .unwrap();
    assert!(rel.starts_with(":START_ID,:END_ID,_id:string,:TYPE,role:string\n\"n1\",\"n4\",\"e1\",PARTICIPATED_IN,\"host \"\"quoted\"\" </script>\"\n"), "{rel}");
    let mut c = dir.cg();
    c.args(["export", "--format", "csv", "-o"]).arg(&out);
    assert!(fails(c, 2).contains("is not an empty directory"));
    let mut c = dir.cg();
    c.args(["export", "--format", "csv"]);
    assert!(fails(c, 2).contains("name it with -o DIR"));
}

#[test]
fn svg_without_graphviz_says_how_to_get_it() {
    let dir = evil_db();
    let empty = dir.path("empty-path");
    std::fs::create_dir(&empty).unwrap();
    let mut c = dir.cg();
    c.env("PATH", &empty)
        .args(["export", "--format", "svg", "-o"])
        .arg(dir.path("g.svg"));
    let err = fails(c, 2);
    assert!(
        err.contains("needs Graphviz's `dot`") && err.contains("--format dot"),
        "{err}"
    );
    assert!(!dir.path("g.svg").exists());
}

#[test]
fn cypher_script_statements_tokenize() {
    let dir = evil_db();
    let script = export(&dir, "cypher", "g.cypher");
    let stmts: Vec<&str> = script.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(stmts.len(), 7 + 6);
    for s in stmts {
        coopgraph::cypher::tokenizer::tokenize(s).unwrap_or_else(|e| panic!("{e}: {s}"));
        assert!(s.ends_with(");"), "{s}");
    }
    assert!(script.contains(
        "`title`: '</script><script>document.body.setAttribute(\\'data-pwned\\',\\'1\\')</script>'"
    ));
}

#[test]
fn import_reads_only_json_and_jsonl() {
    let dir = Dir::new();
    let f = dir.write("g.graphml", "<graphml/>");
    let mut c = dir.cg();
    c.args(["import", "--format", "graphml"]).arg(&f);
    assert!(fails(c, 2).contains("import reads json and jsonl, not graphml"));
}
