//! Scoring extracted items against a hand-read fixture (tests/fixtures/*.toml):
//! ingest through the real binary, export, and compare per item kind.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The item kinds a fixture lists.
pub const KINDS: [&str; 6] = [
    "countries",
    "orgs",
    "persons",
    "events",
    "agreements",
    "topics",
];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coopgraph"))
}

fn fold(s: &str) -> String {
    coopgraph::fold::fold(s)
}

/// Reads a fixture file of the repository.
pub fn load_fixture(rel: &str) -> toml::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    toml::from_str(&std::fs::read_to_string(&p).expect("fixture")).expect("fixture toml")
}

/// Ingests one JSONL file into a fresh database in `dir` and returns the JSON dump.
pub fn ingest_and_dump(dir: &Path, jsonl: &Path) -> Value {
    let db = dir.join("db");
    let out = bin()
        .arg("--db")
        .arg(&db)
        .env_remove("COOPGRAPH_DB")
        .arg("ingest")
        .arg(jsonl)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = dir.join("dump.json");
    let out = bin()
        .arg("--db")
        .arg(&db)
        .env_remove("COOPGRAPH_DB")
        .args(["export", "-o"])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_str(&std::fs::read_to_string(dump).unwrap()).unwrap()
}

/// Precision and recall of one item kind, or of all.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    /// Expected items found.
    pub tp: usize,
    /// Items expected.
    pub expected: usize,
    /// Items extracted.
    pub got: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        self.tp as f64 / self.got.max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.tp as f64 / self.expected.max(1) as f64
    }
}

/// Scores the dump against the fixture's `[[article]]` tables (document id =
/// file stem), printing the misses and extras of each article and a table;
/// returns the score of each kind and of "all".
pub fn score(fx: &toml::Value, dump: &Value, home: Option<&str>) -> BTreeMap<&'static str, Score> {
    let got = items(dump, home);
    let mut totals: BTreeMap<&'static str, Score> = BTreeMap::new();
    for a in fx["article"].as_array().unwrap() {
        let file = a["file"].as_str().unwrap();
        let doc = file.rsplit_once('.').map_or(file, |(s, _)| s);
        for k in KINDS {
            let exp: Vec<String> = a
                .get(k)
                .and_then(|v| v.as_array())
                .map(|v| v.iter().map(|x| fold(x.as_str().unwrap())).collect())
                .unwrap_or_default();
            let g: Vec<String> = got
                .get(doc)
                .and_then(|m| m.get(k))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            let tp = exp
                .iter()
                .filter(|e| g.iter().any(|x| matches(k, e, x)))
                .count();
            let missed: Vec<&String> = exp
                .iter()
                .filter(|e| !g.iter().any(|x| matches(k, e, x)))
                .collect();
            let extra: Vec<&String> = g
                .iter()
                .filter(|x| !exp.iter().any(|e| matches(k, e, x)))
                .collect();
            if !missed.is_empty() || !extra.is_empty() {
                eprintln!("{doc} {k}: missed {missed:?} extra {extra:?}");
            }
            let t = totals.entry(k).or_default();
            t.tp += tp;
            t.expected += exp.len();
            t.got += g.len();
        }
    }
    let mut all = Score::default();
    println!("{:<12} {:>9} {:>9}", "items", "precision", "recall");
    for (k, s) in &totals {
        println!("{k:<12} {:>9.2} {:>9.2}", s.precision(), s.recall());
        all.tp += s.tp;
        all.expected += s.expected;
        all.got += s.got;
    }
    println!(
        "{:<12} {:>9.2} {:>9.2}",
        "all",
        all.precision(),
        all.recall()
    );
    totals.insert("all", all);
    totals
}

/// The extracted items of each document, in the fixture's item format. Topics
/// are keyed by the event's participant country, or, when it has several, by
/// each of them except `home` (the country every seed event involves).
pub fn items(
    dump: &Value,
    home: Option<&str>,
) -> BTreeMap<String, BTreeMap<&'static str, BTreeSet<String>>> {
    let nodes: HashMap<&str, &Value> = dump["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let edges = dump["edges"].as_array().unwrap();
    let label = |id: &str| nodes[id]["labels"][0].as_str().unwrap().to_string();
    let name = |id: &str| {
        let p = &nodes[id]["properties"];
        p.get("name")
            .or(p.get("title"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let docs_of = |v: &Value| -> BTreeSet<String> {
        v.get("provenance")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        nodes.get(e["doc"].as_str()?)?["properties"]["id"]
                            .as_str()
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let out_edges = |id: &str, ty: &str| -> Vec<&Value> {
        edges
            .iter()
            .filter(|e| e["source"] == id && e["type"] == ty)
            .collect()
    };
    let in_edges = |id: &str, ty: &str| -> Vec<&Value> {
        edges
            .iter()
            .filter(|e| e["target"] == id && e["type"] == ty)
            .collect()
    };
    let mut res: BTreeMap<String, BTreeMap<&'static str, BTreeSet<String>>> = BTreeMap::new();
    for (id, n) in &nodes {
        let l = label(id);
        for doc in docs_of(n) {
            let e = res.entry(doc.clone()).or_default();
            match l.as_str() {
                "Country" => {
                    e.entry("countries").or_default().insert(fold(&name(id)));
                }
                "Organization" => {
                    let c = out_edges(id, "OF")
                        .first()
                        .map(|e| name(e["target"].as_str().unwrap()))
                        .unwrap_or_default();
                    e.entry("orgs")
                        .or_default()
                        .insert(fold(&format!("{}|{c}", name(id))));
                }
                "Person" => {
                    // One item per membership ("Name|Org"), or "Name|" without any.
                    let mut orgs: Vec<String> = out_edges(id, "MEMBER_OF")
                        .iter()
                        .map(|e| name(e["target"].as_str().unwrap()))
                        .collect();
                    if orgs.is_empty() {
                        orgs.push(String::new());
                    }
                    for o in orgs {
                        e.entry("persons")
                            .or_default()
                            .insert(fold(&format!("{}|{o}", name(id))));
                    }
                }
                "Event" => {
                    let p = &n["properties"];
                    let date = p.get("date").and_then(Value::as_str).unwrap_or("");
                    let kind = p.get("kind").and_then(Value::as_str).unwrap_or("");
                    let mut cs: Vec<String> = in_edges(id, "PARTICIPATED_IN")
                        .iter()
                        .map(|e| e["source"].as_str().unwrap())
                        .filter(|s| label(s) == "Country")
                        .map(name)
                        .collect();
                    cs.sort();
                    e.entry("events")
                        .or_default()
                        .insert(fold(&format!("{kind}|{date}|{}", cs.join(","))));
                    let key: Vec<&String> = if cs.len() == 1 {
                        cs.iter().collect()
                    } else {
                        cs.iter().filter(|c| Some(c.as_str()) != home).collect()
                    };
                    for t in out_edges(id, "ABOUT") {
                        for c in &key {
                            e.entry("topics").or_default().insert(fold(&format!(
                                "{c}|{}",
                                name(t["target"].as_str().unwrap())
                            )));
                        }
                    }
                }
                "Agreement" => {
                    let st = n["properties"]
                        .get("status")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    e.entry("agreements")
                        .or_default()
                        .insert(fold(&format!("{}|{st}", name(id))));
                }
                _ => {}
            }
        }
    }
    res
}

pub fn matches(kind: &str, expected: &str, got: &str) -> bool {
    if kind == "agreements" {
        let (t, s) = expected.split_once('|').unwrap_or((expected, ""));
        let (gt, gs) = got.split_once('|').unwrap_or((got, ""));
        return gt.contains(t) && gs == s;
    }
    expected == got
}
