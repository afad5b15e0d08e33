//! `coopgraph export --query`: the subgraph a query returns (nodes, relationships and
//! paths in its rows, plus the endpoints of the relationships), in any export format.

mod common;

use common::{counts, fails, ok, synthetic_dump, Dir};

/// A database with Country n100, Organization n101 OF it, and events n102..n106 that
/// the organisation took part in (edges e102..e106; the OF edge is e100).
fn db() -> Dir {
    let dir = Dir::new();
    let f = dir.write("dump.json", &synthetic_dump(100, 5));
    let mut c = dir.cg();
    c.args(["import", "--format", "json"]).arg(&f);
    ok(c);
    dir
}

/// The ids of the records of a jsonl export, sorted.
fn ids(dir: &Dir, query: &str, extra: &[&str]) -> Vec<String> {
    let mut c = dir.cg();
    c.args(["export", "--format", "jsonl", "--query", query]);
    c.args(extra);
    let out = ok(c);
    let mut v: Vec<String> = out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            j["id"].as_str().expect("an id").to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn relationships_bring_their_endpoints() {
    let d = db();
    assert_eq!(
        ids(
            &d,
            "MATCH (:Organization)-[r:PARTICIPATED_IN]->(e:Event {title:'Talks 102'}) RETURN r",
            &[]
        ),
        vec!["e102", "n101", "n102"]
    );
}

#[test]
fn nodes_paths_lists_and_parameters() {
    let d = db();
    assert_eq!(
        ids(&d, "MATCH (c:Country) RETURN c, c.name", &[]),
        vec!["n100"]
    );
    assert_eq!(
        ids(
            &d,
            "MATCH p = (c:Country)<-[:OF]-(o)-[:PARTICIPATED_IN]->(e) WHERE e.title IN ['Talks 102', 'Talks 103'] RETURN p",
            &[]
        ),
        vec!["e100", "e102", "e103", "n100", "n101", "n102", "n103"]
    );
    // inside a list: only the listed nodes, not the organisation
    assert_eq!(
        ids(
            &d,
            "MATCH (o:Organization)-[:PARTICIPATED_IN]->(e) RETURN collect(e) AS events",
            &[]
        ),
        vec!["n102", "n103", "n104", "n105", "n106"]
    );
    assert_eq!(
        ids(
            &d,
            "MATCH (e:Event {title: $t}) RETURN e",
            &["--param", "t=Talks 104"]
        ),
        vec!["n104"]
    );
    // several statements: the union of their results
    assert_eq!(
        ids(
            &d,
            "MATCH (c:Country) RETURN c; MATCH (e:Event {title:'Talks 106'}) RETURN e",
            &[]
        ),
        vec!["n100", "n106"]
    );
    // scalars only: an empty graph
    assert!(ids(&d, "MATCH (e:Event) RETURN count(e)", &[]).is_empty());
}

#[test]
fn the_subgraph_round_trips_through_a_json_dump() {
    let d = db();
    let out = d.path("sub.json");
    let mut c = d.cg();
    c.args([
        "export",
        "--format",
        "json",
        "--query",
        "MATCH (o:Organization)-[r]->(x) WHERE x:Country OR x.title = 'Talks 105' RETURN r",
        "-o",
    ])
    .arg(&out);
    ok(c);
    let e = Dir::new();
    let mut c = e.cg();
    c.args(["import", "--format", "json"]).arg(&out);
    ok(c);
    assert_eq!(counts(&e), (3, 2));
    // other formats take the same selection
    let mut c = d.cg();
    c.args([
        "export",
        "--format",
        "dot",
        "--query",
        "MATCH (c:Country) RETURN c",
    ]);
    let dot = ok(c);
    assert!(dot.contains("Country 100"), "{dot}");
    assert!(!dot.contains("Talks"), "{dot}");
}

#[test]
fn query_errors_exit_like_the_query_command() {
    let d = db();
    let mut c = d.cg();
    c.args(["export", "--query", "MATCH (n RETURN n"]);
    let err = fails(c, 3);
    assert!(err.contains("<query>:1:"), "{err}");
    let mut c = d.cg();
    c.args(["export", "--query", "RETURN 1 / 0"]);
    fails(c, 4);
    let mut c = d.cg();
    c.args(["export", "--param", "a=1"]);
    fails(c, 2);
}
