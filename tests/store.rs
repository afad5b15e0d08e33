//! The store through the library: durability, atomic batches, format and damage checks.

mod common;

use chrono::NaiveDate;
use common::Dir;
use coopgraph::graph::{Evidence, Txn};
use coopgraph::store::{StorageError, Store};
use coopgraph::value::Value;

fn k(store: &Store, name: &str) -> u16 {
    store.graph().schema().key(name).unwrap()
}

fn l(store: &Store, name: &str) -> u16 {
    store.graph().schema().label(name).unwrap()
}

/// A small graph with a property of every type, provenance, an edge property and an external id.
fn populate(store: &mut Store) -> (u32, u32, u32) {
    let (doc, ev, ag, co) = (
        l(store, "Document"),
        l(store, "Event"),
        l(store, "Agreement"),
        l(store, "Country"),
    );
    let keys: Vec<u16> = [
        "id",
        "length",
        "published",
        "kind",
        "date",
        "confidence",
        "title",
        "multilateral",
        "name",
        "aliases",
    ]
    .iter()
    .map(|n| k(store, n))
    .collect();
    let pi = store.graph().schema().rel_type("PARTICIPATED_IN").unwrap();
    let role = k(store, "role");
    store
        .write(false, |t: &mut Txn<'_>| -> Result<_, StorageError> {
            let d = t.import_node(
                "doc:001",
                doc,
                vec![
                    (keys[0], Value::str("doc:001")),
                    (keys[1], Value::Int(4096)),
                    (
                        keys[2],
                        Value::Date(NaiveDate::from_ymd_opt(2025, 10, 26).unwrap()),
                    ),
                ],
                vec![],
            )?;
            let ev1 = Evidence {
                doc: d,
                start: 12,
                end: 80,
            };
            let e = t.upsert_node(
                ev,
                vec![
                    (keys[3], Value::str("meeting")),
                    (
                        keys[4],
                        Value::Date(NaiveDate::from_ymd_opt(2025, 10, 26).unwrap()),
                    ),
                    (keys[5], Value::Float(0.875)),
                    (keys[6], Value::str("Talks in Hà Nội")),
                ],
                &[ev1],
            )?;
            t.upsert_node(
                ag,
                vec![
                    (keys[6], Value::str("Extradition treaty")),
                    (keys[7], Value::Bool(false)),
                ],
                &[ev1],
            )?;
            let c = t.upsert_node(
                co,
                vec![
                    (keys[8], Value::str("Vietnam")),
                    (keys[9], Value::str_list(["Việt Nam", "Viet Nam"])),
                ],
                &[ev1],
            )?;
            t.upsert_edge(pi, c, e, vec![(role, Value::str("host"))], &[ev1])?;
            Ok((d, e, c))
        })
        .unwrap()
}

#[test]
fn reopening_restores_every_node_edge_and_property() {
    let dir = Dir::new();
    let (before, ids) = {
        let mut s = Store::open(&dir.db()).unwrap();
        let ids = populate(&mut s);
        (coopgraph_dump(&s), ids)
    };
    let s = Store::open(&dir.db()).unwrap();
    assert_eq!(coopgraph_dump(&s), before);
    let n = s.graph().node_by_id(ids.1).unwrap();
    let conf = k(&s, "confidence");
    assert_eq!(
        coopgraph::graph::Graph::prop(&n.props, conf),
        Some(&Value::Float(0.875))
    );
    assert_eq!(
        s.graph().node_by_text_id("doc:001").map(|n| n.id),
        Some(ids.0)
    );
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn reopening_after_a_snapshot_and_more_batches_restores_both() {
    let dir = Dir::new();
    let before = {
        let mut s = Store::open(&dir.db()).unwrap();
        populate(&mut s);
        s.write_snapshot().unwrap();
        let co = l(&s, "Country");
        let name = k(&s, "name");
        s.write(false, |t| -> Result<u32, StorageError> {
            Ok(t.upsert_node(co, vec![(name, Value::str("Laos"))], &[])?)
        })
        .unwrap();
        // A removal is logged too.
        let laos = s.graph().find_by_name(co, "Laos")[0];
        let laos = s.graph().node(laos).unwrap().id;
        s.write(false, |t| -> Result<bool, StorageError> {
            Ok(t.remove_node(laos))
        })
        .unwrap();
        s.write(false, |t| -> Result<u32, StorageError> {
            Ok(t.upsert_node(co, vec![(name, Value::str("Türkiye"))], &[])?)
        })
        .unwrap();
        coopgraph_dump(&s)
    };
    let s = Store::open(&dir.db()).unwrap();
    assert_eq!(coopgraph_dump(&s), before);
    assert_eq!(s.graph().node_count(), 5);
    // Fresh ids are not reused after reopening.
    let mut s = s;
    let co = l(&s, "Country");
    let name = k(&s, "name");
    let id = s
        .write(false, |t| -> Result<u32, StorageError> {
            Ok(t.upsert_node(co, vec![(name, Value::str("Cuba"))], &[])?)
        })
        .unwrap();
    assert!(
        id > s
            .graph()
            .find_by_name(co, "Türkiye")
            .iter()
            .map(|&ix| s.graph().node(ix).unwrap().id)
            .max()
            .unwrap()
    );
}

#[test]
fn a_batch_that_fails_midway_leaves_nothing_behind() {
    let dir = Dir::new();
    let mut s = Store::open(&dir.db()).unwrap();
    populate(&mut s);
    let before = coopgraph_dump(&s);
    let (co, name, date) = (l(&s, "Country"), k(&s, "name"), k(&s, "date"));
    let ev = l(&s, "Event");
    let err = s
        .write(false, |t| -> Result<(), StorageError> {
            t.upsert_node(co, vec![(name, Value::str("Mozambique"))], &[])?;
            t.upsert_node(
                co,
                vec![
                    (name, Value::str("Vietnam")),
                    (k(&Store::in_memory(), "iso2"), Value::str("VN")),
                ],
                &[],
            )?;
            t.upsert_node(ev, vec![(date, Value::str("not a date"))], &[])?;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "property Event.date must be date, found string"
    );
    assert_eq!(coopgraph_dump(&s), before);
    assert!(s.graph().find_by_name(co, "Mozambique").is_empty());
    drop(s);
    let s = Store::open(&dir.db()).unwrap();
    assert_eq!(coopgraph_dump(&s), before);
}

#[test]
fn another_storage_format_is_refused_clearly() {
    let dir = Dir::new();
    drop(Store::open(&dir.db()).unwrap());
    {
        let db = open_sled(&dir);
        db.insert(b"meta/format", &b"coopgraph-store/0"[..])
            .unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(&dir.db()).err().expect("version mismatch");
    assert!(matches!(err, StorageError::Version { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("database format \"coopgraph-store/0\" is not supported"),
        "{msg}"
    );
    assert!(msg.contains(&dir.db().display().to_string()), "{msg}");
}

fn damage(dir: &Dir, key_prefix: &[u8]) -> String {
    let db = open_sled(dir);
    let (key, mut v) = db.scan_prefix(key_prefix).next().unwrap().unwrap();
    let mut bytes = v.to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    v = bytes.into();
    db.insert(&key, v).unwrap();
    db.flush().unwrap();
    coopgraph::store::codec::describe_key(&key)
}

#[test]
fn a_damaged_snapshot_chunk_is_named_not_a_panic() {
    let dir = Dir::new();
    {
        let mut s = Store::open(&dir.db()).unwrap();
        populate(&mut s);
        s.write_snapshot().unwrap();
    }
    let name = damage(&dir, b"snap/");
    assert_eq!(name, "snapshot 1, edge chunk 0");
    let err = Store::open(&dir.db()).err().expect("damage detected");
    assert!(
        err.to_string()
            .starts_with("damaged record snapshot 1, edge chunk 0: checksum mismatch"),
        "{err}"
    );
}

#[test]
fn a_damaged_log_entry_is_named_not_a_panic() {
    let dir = Dir::new();
    {
        let mut s = Store::open(&dir.db()).unwrap();
        populate(&mut s);
    }
    let name = damage(&dir, b"log/");
    assert_eq!(name, "log entry 0");
    let err = Store::open(&dir.db()).err().expect("damage detected");
    assert!(
        err.to_string()
            .starts_with("damaged record log entry 0: checksum mismatch"),
        "{err}"
    );
}

#[test]
fn a_second_process_gets_a_clear_lock_message() {
    let dir = Dir::new();
    let _held = Store::open(&dir.db()).unwrap();
    let mut c = dir.cg();
    c.arg("stats");
    let err = common::fails(c, 2);
    assert!(
        err.contains("the database is in use by another coopgraph process"),
        "{err}"
    );
    assert!(err.contains(&dir.db().display().to_string()), "{err}");
}

fn coopgraph_dump(s: &Store) -> String {
    let mut out = Vec::new();
    coopgraph::export::json::write_dump(&mut out, s.graph(), None).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_database_stays_readable_when_the_schema_gains_names() {
    use coopgraph::schema::{Schema, BUILTIN_SCHEMA};
    use coopgraph::store::SledBackend;
    use std::sync::Arc;
    let dir = Dir::new();
    let before = {
        let mut s = Store::open(&dir.db()).unwrap();
        populate(&mut s);
        s.write_snapshot().unwrap();
        populate(&mut s); // and a logged batch on top
        coopgraph_dump(&s)
    };
    // A label and a property that sort first renumber every label and key.
    let grown = BUILTIN_SCHEMA.replace(
        "[labels.Country]",
        "[labels.Aardvark]\nkey = \"name\"\nproperties.name = { type = \"string\" }\n\n[labels.Country]\nproperties.aaa = { type = \"int\" }",
    );
    let schema = Arc::new(Schema::parse(&grown).unwrap());
    let open = || {
        Store::with_backend(
            Box::new(SledBackend::open(&dir.db()).unwrap()),
            Some(dir.db()),
            schema.clone(),
        )
    };
    let s = open().unwrap();
    assert_ne!(
        s.graph().schema().label("Country").unwrap(),
        Store::in_memory()
            .graph()
            .schema()
            .label("Country")
            .unwrap()
    );
    assert_eq!(coopgraph_dump(&s), before);
    assert!(s.check().unwrap().problems.is_empty());
    drop(s);
    // Rewritten in the new numbering: a second open needs no translation.
    let s = open().unwrap();
    assert_eq!(coopgraph_dump(&s), before);
    drop(s);
    // The builtin schema lacks label Aardvark, but no record uses it: the database reads back.
    let s = Store::open(&dir.db()).unwrap();
    assert_eq!(coopgraph_dump(&s), before);
}

/// Opens the database directly with sled, waiting for the store's lock to be released.
fn open_sled(dir: &Dir) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::open(dir.db()) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sled::open(dir.db()).unwrap()
}

/// The articles' texts are kept once, in their own records: a reopened database gives every
/// Document its text back whether its batch is in the log or folded into a snapshot, a
/// replaced text is the new one, and a removed document leaves no record behind.
#[test]
fn document_texts_survive_reopening_replacement_and_removal() {
    use coopgraph::extract::Article;
    use coopgraph::ingest;
    let dir = Dir::new();
    let art = |id: &str, text: &str| Article {
        id: id.into(),
        text: text.into(),
        ..Article::default()
    };
    let texts = |s: &Store| -> Vec<(String, String)> {
        let g = s.graph();
        let mut v: Vec<(String, String)> = g
            .nodes_with_label(g.schema().label("Document").unwrap())
            .map(|ix| {
                let n = g.node(ix).unwrap();
                (
                    ingest::node_str(g, n, "id").unwrap().to_string(),
                    ingest::node_str(g, n, "text")
                        .unwrap_or("(none)")
                        .to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let a = "Vietnamese Minister of Public Security To Lam met Cuban Minister of Interior Lazaro Alvarez in Hanoi.";
    let b = "Kenyan Minister of Interior Amani Korir held talks with Chilean Minister of Security Tomas Ibarra.";
    let c = "Thai police and Lao police agreed to fight drug trafficking on the Mekong.";
    {
        let mut s = Store::open(&dir.db()).unwrap();
        ingest::ingest_article(&mut s, &art("a", a), None).unwrap();
        ingest::ingest_article(&mut s, &art("b", b), None).unwrap();
        s.compact().unwrap();
        ingest::ingest_article(&mut s, &art("c", c), None).unwrap();
        ingest::ingest_article(&mut s, &art("a", c), None).unwrap();
    }
    let want = vec![
        ("a".to_string(), c.to_string()),
        ("b".to_string(), b.to_string()),
        ("c".to_string(), c.to_string()),
    ];
    {
        let mut s = Store::open(&dir.db()).unwrap();
        assert_eq!(texts(&s), want);
        assert!(ingest::remove_article(&mut s, "b").unwrap());
        assert!(s.check().unwrap().problems.is_empty());
    }
    for compact in [true, false] {
        let mut s = Store::open(&dir.db()).unwrap();
        assert_eq!(texts(&s), vec![want[0].clone(), want[2].clone()]);
        let r = s.check().unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        if compact {
            s.compact().unwrap();
        }
    }
}
