//! The JSON dump through the binary: export → import → export, refused dumps, atomic writes.

mod common;

use common::{counts, fails, ok, synthetic_dump, Dir};

/// A dump with every property type, provenance, external ids and non-ASCII text.
const RICH: &str = r#"{"format":"coopgraph","version":1,"nodes":[
{"id":"doc-1","labels":["Document"],"properties":{"id":"doc-1","title":"Việt Nam và Mozambique","length":4200,"published":"2025-10-26"}},
{"id":"n5","labels":["Country"],"properties":{"name":"Vietnam","iso2":"VN","aliases":["Việt Nam","Viet Nam"]},"provenance":[{"doc":"doc-1","start":0,"end":9}]},
{"id":"n9","labels":["Event"],"properties":{"kind":"meeting","date":"2025-10-26","date_precision":"day","confidence":0.5,"title":"Talks \"quoted\"\nnew line"},"provenance":[{"doc":"doc-1","start":10,"end":120},{"doc":"doc-1","start":130,"end":140}]},
{"id":"agreement/7","labels":["Agreement"],"properties":{"title":"</script><script>alert(1)</script>","status":"planned","multilateral":false}}
],"edges":[
{"id":"e1","type":"PARTICIPATED_IN","source":"n5","target":"n9","properties":{"role":"host"},"provenance":[{"doc":"doc-1","start":10,"end":120}]},
{"id":"x-2","type":"PRODUCED","source":"n9","target":"agreement/7","properties":{}}
]}
"#;

fn export(dir: &Dir, name: &str) -> String {
    let out = dir.path(name);
    let mut c = dir.cg();
    c.args(["export", "--format", "json", "-o"]).arg(&out);
    ok(c);
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn export_import_export_is_byte_identical() {
    let a = Dir::new();
    let rich = a.write("rich.json", RICH);
    let mut c = a.cg();
    c.args(["import", "--format", "json"]).arg(&rich);
    ok(c);
    let first = export(&a, "first.json");
    assert!(
        first.contains("\"id\":\"agreement/7\""),
        "external ids are kept: {first}"
    );
    assert!(first.contains("\"confidence\":0.5"));
    assert!(first.contains("\"length\":4200"));
    assert!(first.contains("\"multilateral\":false"));
    assert!(first.contains("\"provenance\":[{\"doc\":\"doc-1\",\"start\":10,\"end\":120},{\"doc\":\"doc-1\",\"start\":130,\"end\":140}]"));

    let b = Dir::new();
    let dumped = b.write("first.json", &first);
    let mut c = b.cg();
    c.args(["import", "--format", "json"]).arg(&dumped);
    ok(c);
    let second = export(&b, "second.json");
    assert_eq!(first, second);
    assert_eq!(counts(&b), (4, 2));
}

#[test]
fn a_pretty_printed_dump_from_another_tool_imports_too() {
    let dir = Dir::new();
    let v: serde_json::Value = serde_json::from_str(RICH).unwrap();
    let pretty = dir.write("pretty.json", &serde_json::to_string_pretty(&v).unwrap());
    let mut c = dir.cg();
    c.args(["import", "--format", "json"]).arg(&pretty);
    ok(c);
    assert_eq!(counts(&dir), (4, 2));
}

#[test]
fn malformed_dumps_are_refused_with_their_place_and_change_nothing() {
    let dir = Dir::new();
    let base = dir.write("base.json", &synthetic_dump(0, 3));
    let mut c = dir.cg();
    c.args(["import", "--format", "json"]).arg(&base);
    ok(c);
    let before = counts(&dir);
    let cases = [
        // One record per line: the error names the line and the array index.
        (RICH.replace("\"labels\":[\"Event\"]", "\"labels\":[\"Evnt\"]"), "line 4: nodes[2]: unknown label :Evnt (did you mean Event?)"),
        (RICH.replace("\"date\":\"2025-10-26\"", "\"date\":\"26/10/2025\""), "line 4: nodes[2]: properties.date: expected a date \"YYYY-MM-DD\", found \"26/10/2025\""),
        (RICH.replace("\"target\":\"agreement/7\"", "\"target\":\"n404\""), "line 8: edges[1]: target n404 is not a node of the dump"),
        (RICH.replace("\"type\":\"PRODUCED\"", "\"type\":\"OF\""), "line 8: edges[1]: relationship (:Event)-[:OF]->(:Country|Agreement)"),
        (RICH.replace("\"doc\":\"doc-1\",\"start\":0", "\"doc\":\"doc-2\",\"start\":0"), "nodes[1].provenance: cites document doc-2, which is not in the dump"),
        // Any other layout: serde_json's line and column.
        ("{\"format\":\"coopgraph\",\"version\":1,\n\"nodes\":[{\"id\":\"n1\",\"labels\":[\"Country\"],\"properties\":{\"nam\":\"X\"}}],\"edges\":[]}".to_string(), "nodes[0]: unknown property nam on Country (did you mean name?) at line 2"),
        ("{\"format\":\"coopgraph\",\"version\":2,\"nodes\":[]}".to_string(), "dump version 2 is not supported"),
        ("{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[{\"id\":\"n1\"".to_string(), "EOF while parsing"),
        ("not json".to_string(), "expected ident at line 1 column 2"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let f = dir.write(&format!("bad{i}.json"), text);
        let mut c = dir.cg();
        c.args(["import", "--format", "json"]).arg(&f);
        let err = fails(c, 2);
        let want = want.replace("(:Country|Agreement)", "(:Agreement) is not allowed");
        assert!(err.contains(&want), "case {i}: want {want:?} in {err}");
        assert!(
            err.contains(&format!("bad{i}.json")),
            "case {i}: the file is named: {err}"
        );
        assert!(err.contains("the database is unchanged"), "{err}");
        assert_eq!(counts(&dir), before, "case {i} changed the database");
    }
}

#[test]
fn a_failed_export_leaves_no_file() {
    let dir = Dir::new();
    let base = dir.write("base.json", &synthetic_dump(0, 3));
    let mut c = dir.cg();
    c.args(["import", "--format", "json"]).arg(&base);
    ok(c);
    let target = dir.path("missing-dir/out.json");
    let mut c = dir.cg();
    c.args(["export", "--format", "json", "-o"]).arg(&target);
    let err = fails(c, 2);
    assert!(err.contains("missing-dir"), "{err}");
    assert!(!target.exists());
    // A successful export leaves no temporary file behind.
    export(&dir, "out.json");
    let names: Vec<String> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

#[test]
fn commands_on_a_missing_database_say_so() {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.arg("stats");
    let err = fails(c, 2);
    assert!(err.contains("no database here"), "{err}");
    assert!(!dir.db().exists(), "stats must not create a database");
}

#[test]
fn schema_lists_labels_and_relationships() {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.arg("schema");
    let out = ok(c);
    assert!(
        out.contains("(Organization|Person)-[:OF]->(Country)"),
        "{out}"
    );
    assert!(
        out.contains(
            "(:Country {aliases: list<string>, iso2: string, iso3: string, name: string!})"
        ),
        "{out}"
    );
}

#[test]
fn importing_into_a_populated_database_merges_by_id() {
    let dir = Dir::new();
    let a = dir.write("a.json", &synthetic_dump(0, 5));
    let b = dir.write("b.json", &synthetic_dump(1000, 5));
    for f in [&a, &b, &a] {
        let mut c = dir.cg();
        c.args(["import", "--format", "json"]).arg(f);
        ok(c);
    }
    assert_eq!(counts(&dir), (14, 12));
    let mut c = dir.cg();
    c.arg("check");
    assert!(ok(c).contains(": ok"));
}
