//! End-to-end tests of `coopgraph query`, `run` and `bench`: the real binary over a
//! database imported from a small dump.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_coopgraph");

const DUMP: &str = r#"{"format":"coopgraph","version":1,"nodes":[
{"id":"n0","labels":["Country"],"properties":{"name":"Vietnam","iso2":"VN"}},
{"id":"n1","labels":["Country"],"properties":{"name":"Mozambique","iso2":"MZ"}},
{"id":"n2","labels":["Organization"],"properties":{"name":"Ministry of Public Security","kind":"ministry"}},
{"id":"n3","labels":["Organization"],"properties":{"name":"SERNIC, \"the\" police","kind":"police"}},
{"id":"n4","labels":["Event"],"properties":{"kind":"meeting","date":"2024-03-01"}},
{"id":"n5","labels":["Topic"],"properties":{"name":"cybercrime"}},
{"id":"n6","labels":["Topic"],"properties":{"name":"online fraud"}}
],"edges":[
{"id":"e0","type":"OF","source":"n2","target":"n0","properties":{}},
{"id":"e1","type":"OF","source":"n3","target":"n1","properties":{}},
{"id":"e2","type":"PARTICIPATED_IN","source":"n2","target":"n4","properties":{}},
{"id":"e3","type":"PARTICIPATED_IN","source":"n3","target":"n4","properties":{}},
{"id":"e4","type":"ABOUT","source":"n4","target":"n6","properties":{}},
{"id":"e5","type":"BROADER","source":"n6","target":"n5","properties":{}}
]}
"#;

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.json");
    std::fs::write(&dump, DUMP).unwrap();
    let path = dir.path().join("db");
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&path)
        .args(["import", "--format", "json"])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Db { _dir: dir, path }
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn query_json_is_the_default_off_a_terminal() {
    let d = db();
    let o = run(
        &d.path,
        &[
            "query",
            "MATCH (c:Country {name:'Vietnam'}) RETURN c.iso2, c",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"c.iso2": "VN", "c": {"id": "n0", "labels": ["Country"], "properties": {"iso2": "VN", "name": "Vietnam"}}}])
    );
    // keys keep column order
    let o = run(&d.path, &["query", "RETURN 1 AS z, 2 AS a"]);
    assert_eq!(stdout(&o).trim(), r#"[{"z":1,"a":2}]"#);
}

#[test]
fn formats() {
    let d = db();
    let q = "MATCH (o:Organization) RETURN o.name AS name, o.kind AS kind, date('2024-01-02') AS d ORDER BY name";
    let f = |fmt: &str| {
        let o = run(&d.path, &["query", q, "--format", fmt]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    assert_eq!(
        f("csv"),
        "name,kind,d\nMinistry of Public Security,ministry,2024-01-02\n\"SERNIC, \"\"the\"\" police\",police,2024-01-02\n"
    );
    assert_eq!(
        f("tsv"),
        "name\tkind\td\nMinistry of Public Security\tministry\t2024-01-02\nSERNIC, \"the\" police\tpolice\t2024-01-02\n"
    );
    let jl = f("jsonl");
    assert_eq!(jl.lines().count(), 2);
    assert!(jl.starts_with(
        r#"{"name":"Ministry of Public Security","kind":"ministry","d":"2024-01-02"}"#
    ));
    let md = f("markdown");
    assert!(
        md.starts_with("| name | kind | d |\n|---|---|---|\n| Ministry"),
        "{md}"
    );
    let t = f("table");
    assert!(
        t.contains("| Ministry of Public Security | ministry | 2024-01-02 |"),
        "{t}"
    );
    assert!(t.trim_end().ends_with("2 rows"), "{t}");
}

#[test]
fn params_and_several_statements() {
    let d = db();
    let o = run(
        &d.path,
        &[
            "query",
            "MATCH (c:Country {name: $name}) RETURN c.iso2 AS iso; RETURN $n + 1 AS n, $l AS l",
            "--param",
            "name=Mozambique",
            "--param",
            "n=41",
            "--param",
            "l=[1, \"a\"]",
            "--format",
            "jsonl",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"iso\":\"MZ\"}\n{\"n\":42,\"l\":[1,\"a\"]}\n");
}

#[test]
fn topic_hierarchy() {
    let d = db();
    let o = run(
        &d.path,
        &[
            "query",
            "MATCH (e:Event)-[:ABOUT]->(:Topic)-[:BROADER*0..]->(:Topic {name: 'cybercrime'}) RETURN count(e) AS n",
        ],
    );
    assert_eq!(stdout(&o).trim(), r#"[{"n":1}]"#);
}

#[test]
fn run_file_and_stdin() {
    let d = db();
    let file = d.path.parent().unwrap().join("q.cql");
    std::fs::write(
        &file,
        "// two statements\nMATCH (c:Country) RETURN count(*) AS n;\nRETURN 'x' AS s;\n",
    )
    .unwrap();
    let o = run(
        &d.path,
        &["run", file.to_str().unwrap(), "--format", "jsonl"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"n\":2}\n{\"s\":\"x\"}\n");
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&d.path)
        .args(["run", "-", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"UNWIND [1, 2] AS x RETURN x")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(stdout(&o), "x\n1\n2\n");
}

#[test]
fn syntax_error_names_file_line_column_and_stops() {
    let d = db();
    let file = d.path.parent().unwrap().join("bad.cql");
    std::fs::write(
        &file,
        "RETURN 1 AS a;\nMATCH (n RETURN n;\nRETURN 3 AS c;\n",
    )
    .unwrap();
    let o = run(
        &d.path,
        &["run", file.to_str().unwrap(), "--format", "jsonl"],
    );
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "{\"a\":1}\n");
    let e = stderr(&o);
    assert!(e.contains("bad.cql:2:10:"), "{e}");
    assert!(e.contains("2 | MATCH (n RETURN n;"), "{e}");
    assert!(e.contains('^'), "{e}");
    assert!(e.to_lowercase().contains("expected"), "{e}");
}

#[test]
fn runtime_errors_exit_codes_and_continue() {
    let d = db();
    let file = d.path.parent().unwrap().join("err.cql");
    std::fs::write(
        &file,
        "RETURN 1 AS a;\nRETURN 1 / 0 AS b;\nRETURN undefinedVar;\nRETURN 4 AS d;\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let o = run(&d.path, &["run", path, "--format", "jsonl"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"a\":1}\n");
    assert!(
        stderr(&o).contains("err.cql:2:10: error: invalid argument: division by zero"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &d.path,
        &["run", path, "--format", "jsonl", "--continue-on-error"],
    );
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(stdout(&o), "{\"a\":1}\n{\"d\":4}\n");
    assert!(
        // A plan error with a place is reported there, not at the statement's start.
        stderr(&o).contains("err.cql:3:8: error: variable `undefinedVar` is not defined"),
        "{}",
        stderr(&o)
    );
    let o = run(&d.path, &["query", "CREATE (n:Country)"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
}

#[test]
fn warnings_suggest_schema_names() {
    let d = db();
    let o = run(
        &d.path,
        &[
            "query",
            "MATCH (c:Contry)-[:PARTICIPATED]->(e) RETURN c.nam",
        ],
    );
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), "[]");
    let e = stderr(&o);
    assert!(
        e.contains("warning: unknown label :Contry (did you mean Country?)"),
        "{e}"
    );
    assert!(e.contains("did you mean PARTICIPATED_IN?"), "{e}");
    assert!(e.contains("did you mean name?"), "{e}");
}

#[test]
fn names_matching_only_folded_get_a_warning_with_the_fold_form() {
    let d = db();
    let o = run(
        &d.path,
        &[
            "query",
            "MATCH (c:Country {name: 'Mozámbique'}) RETURN c.iso2",
        ],
    );
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), "[]");
    let e = stderr(&o);
    assert!(
        e.contains("warning: name as written matches no node: no Country has c.name = 'Mozámbique' (line 1, column 19), but 'Mozambique' has it folded"),
        "{e}"
    );
    assert!(
        e.contains("write WHERE fold(c.name) = fold('Mozámbique')"),
        "{e}"
    );
    // The suggested form answers, and says nothing more.
    let o = run(
        &d.path,
        &[
            "query",
            "MATCH (c:Country) WHERE fold(c.name) = fold('Mozámbique') RETURN c.iso2",
        ],
    );
    assert!(o.status.success());
    assert!(stdout(&o).contains("MZ"), "{}", stdout(&o));
    assert_eq!(stderr(&o), "");
    // Case only, in WHERE, with a parameter.
    let o = run(
        &d.path,
        &[
            "query",
            "--param",
            "who=MINISTRY OF PUBLIC SECURITY",
            "MATCH (o:Organization) WHERE o.name = $who RETURN o",
        ],
    );
    let e = stderr(&o);
    assert!(
        e.contains("'Ministry of Public Security' has it folded (case and diacritics aside); write WHERE fold(o.name) = fold($who)"),
        "{e}"
    );
}

#[test]
fn limits_and_timeout() {
    let d = db();
    let o = run(
        &d.path,
        &["query", "MATCH p = ()-[*]-() RETURN p", "--max-rows", "5"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("max result rows"), "{}", stderr(&o));
    let o = run(
        &d.path,
        &[
            "query",
            "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b RETURN count(*)",
            "--timeout",
            "0.001",
        ],
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("timeout"), "{}", stderr(&o));
}

#[test]
fn explain_and_profile() {
    let d = db();
    let o = run(
        &d.path,
        &[
            "query",
            "EXPLAIN MATCH (c:Country {name:'Vietnam'})<-[:OF]-(o) RETURN o.name",
            "--format",
            "csv",
        ],
    );
    let s = stdout(&o);
    assert!(s.contains("NodeByNameIndex"), "{s}");
    let o = run(
        &d.path,
        &[
            "query",
            "PROFILE MATCH (c:Country)<-[:OF]-(o) RETURN o.name",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(stdout(&o).lines().count(), 2);
    assert!(stderr(&o).contains("rows=2"), "{}", stderr(&o));
}

#[test]
fn bench_prints_timings_and_rows() {
    let d = db();
    let file = d.path.parent().unwrap().join("b.cql");
    std::fs::write(&file, "MATCH (c:Country {name:'Vietnam'}) RETURN c.iso2;\nMATCH (c:Country) RETURN c.name, 1 AS one ORDER BY c.name;\n").unwrap();
    let o = run(
        &d.path,
        &[
            "bench",
            file.to_str().unwrap(),
            "--runs",
            "3",
            "--warmup",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0]["text"],
        "MATCH (c:Country {name:'Vietnam'}) RETURN c.iso2"
    );
    assert_eq!(a[0]["rows"], serde_json::json!([["VN"]]));
    assert_eq!(
        a[1]["rows"],
        serde_json::json!([["Mozambique", 1], ["Vietnam", 1]])
    );
    assert_eq!(a[0]["runs"], 3);
    for k in ["min_ms", "median_ms", "p90_ms"] {
        assert!(a[0][k].as_f64().unwrap() >= 0.0);
    }
    assert!(a[0]["min_ms"].as_f64() <= a[0]["p90_ms"].as_f64());
}
