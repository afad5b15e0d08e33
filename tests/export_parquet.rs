//! `export --format parquet`: the tables read back with the parquet crate's reader hold
//! every node and edge, per label and type, with typed columns; the export is atomic.

mod common;

use common::{fails, ok, Dir};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};
use std::path::{Path, PathBuf};

fn rows(path: &Path) -> Vec<Row> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(f).expect("a Parquet file");
    reader
        .get_row_iter(None)
        .expect("rows")
        .map(|r| r.expect("a row"))
        .collect()
}

fn field<'a>(r: &'a Row, name: &str) -> &'a Field {
    r.get_column_iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, f)| f)
        .unwrap_or_else(|| panic!("no column {name} in {r}"))
}

#[test]
fn tables_hold_the_graph_with_typed_columns() {
    let dir = Dir::new();
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut c = dir.cg();
    c.arg("ingest").arg(&seeds);
    ok(c);
    let mut c = dir.cg();
    c.args(["stats", "--format", "json"]);
    let stats: serde_json::Value = serde_json::from_str(&ok(c)).unwrap();
    let out = dir.path("pq");
    let mut c = dir.cg();
    c.args(["export", "--format", "parquet", "-o"]).arg(&out);
    ok(c);

    let nodes = rows(&out.join("nodes.parquet"));
    assert_eq!(nodes.len() as u64, stats["nodes"].as_u64().unwrap());
    let edges = rows(&out.join("edges.parquet"));
    assert_eq!(edges.len() as u64, stats["edges"].as_u64().unwrap());
    for (label, n) in stats["labels"].as_object().unwrap() {
        let t = rows(&out.join(format!("nodes_{label}.parquet")));
        assert_eq!(t.len() as u64, n.as_u64().unwrap(), "{label}");
    }
    for (ty, n) in stats["relationships"].as_object().unwrap() {
        let t = rows(&out.join(format!("edges_{ty}.parquet")));
        assert_eq!(t.len() as u64, n.as_u64().unwrap(), "{ty}");
    }
    // Every edge joins two exported nodes, with their labels.
    let label_of: std::collections::HashMap<String, String> = nodes
        .iter()
        .map(|r| (field(r, "_id").to_string(), field(r, "_label").to_string()))
        .collect();
    for e in &edges {
        assert_eq!(
            label_of.get(&field(e, "_src").to_string()),
            Some(&field(e, "_src_label").to_string())
        );
        assert!(label_of.contains_key(&field(e, "_dst").to_string()), "{e}");
        let Field::Str(props) = field(e, "_properties") else {
            panic!("{e}")
        };
        let props: serde_json::Value = serde_json::from_str(props).expect("JSON properties");
        assert!(props.is_object(), "{e}");
    }
    // Typed columns: dates are dates, aliases lists, Vietnam is there.
    let events = rows(&out.join("nodes_Event.parquet"));
    assert!(events
        .iter()
        .any(|r| matches!(field(r, "date"), Field::Date(_))));
    assert!(events
        .iter()
        .all(|r| matches!(field(r, "date"), Field::Date(_) | Field::Null)));
    assert!(events
        .iter()
        .all(|r| matches!(field(r, "confidence"), Field::Double(_) | Field::Null)));
    let countries = rows(&out.join("nodes_Country.parquet"));
    let vietnam = countries
        .iter()
        .find(|r| matches!(field(r, "name"), Field::Str(s) if s == "Vietnam"))
        .expect("Vietnam");
    assert!(
        matches!(field(vietnam, "iso2"), Field::Str(s) if s == "VN"),
        "{vietnam}"
    );
    assert!(matches!(
        field(vietnam, "aliases"),
        Field::ListInternal(_) | Field::Null
    ));
    let docs = rows(&out.join("nodes_Document.parquet"));
    assert!(docs
        .iter()
        .all(|r| matches!(field(r, "published"), Field::Date(_) | Field::Null)));

    // Atomic: a second export into the same directory is refused and changes nothing.
    let before = std::fs::read(out.join("nodes.parquet")).unwrap();
    let mut c = dir.cg();
    c.args(["export", "--format", "parquet", "-o"]).arg(&out);
    let err = fails(c, 2);
    assert!(err.contains("not an empty directory"), "{err}");
    assert_eq!(std::fs::read(out.join("nodes.parquet")).unwrap(), before);
    let mut c = dir.cg();
    c.args(["export", "--format", "parquet"]);
    assert!(fails(c, 2).contains("name it with -o DIR"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
