//! Apache Parquet tables in a new directory, for analytics engines (Spark, DuckDB,
//! Polars, pandas): `nodes.parquet` and `edges.parquet` hold every node and edge with
//! its properties as a JSON column; `nodes_<Label>.parquet` and `edges_<TYPE>.parquet`
//! hold one label or type each, a typed column per schema property. Every label and type
//! of the schema gets its table, empty when the graph has none, so that queries over the
//! tables never miss one. Columns coopgraph adds start with `_` (`_id`, `_label`, `_type`,
//! `_src`, `_dst`, `_properties`), so they never clash with a property (Document has an
//! `id`). docs/export-formats.md describes the tables.
//!
//! Written with the Apache Arrow project's `parquet` crate (arrow-rs), Snappy-compressed,
//! in row groups of at most [`BATCH_ROWS`] rows, so memory stays bounded by a batch.

use super::{io_at, json, label_name, type_name, AtomicFile, ExportError, Selection};
use crate::graph::{EdgeData, Graph, NodeRec};
use crate::schema::PropDef;
use crate::value::{Value, ValueType};
use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, ListBuilder,
    StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// Rows per written batch (and at most per row group).
pub const BATCH_ROWS: usize = 65_536;

/// The Arrow type of a schema type: dates are `Date32`, string lists `List<Utf8>`.
pub fn arrow_type(ty: ValueType) -> DataType {
    match ty {
        ValueType::String => DataType::Utf8,
        ValueType::Int => DataType::Int64,
        ValueType::Float => DataType::Float64,
        ValueType::Bool => DataType::Boolean,
        ValueType::Date => DataType::Date32,
        ValueType::StringList => {
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
        }
    }
}

/// A column being filled.
enum Col {
    Str(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    List(ListBuilder<StringBuilder>),
}

impl Col {
    fn new(ty: ValueType) -> Col {
        match ty {
            ValueType::String => Col::Str(StringBuilder::new()),
            ValueType::Int => Col::Int(Int64Builder::new()),
            ValueType::Float => Col::Float(Float64Builder::new()),
            ValueType::Bool => Col::Bool(BooleanBuilder::new()),
            ValueType::Date => Col::Date(Date32Builder::new()),
            ValueType::StringList => Col::List(ListBuilder::new(StringBuilder::new())),
        }
    }

    /// Appends a value; one of another type than the column's is a null.
    fn push(&mut self, v: Option<&Value>) {
        match (self, v) {
            (Col::Str(b), Some(Value::Str(s))) => b.append_value(s),
            (Col::Str(b), _) => b.append_null(),
            (Col::Int(b), Some(Value::Int(i))) => b.append_value(*i),
            (Col::Int(b), _) => b.append_null(),
            (Col::Float(b), Some(Value::Float(f))) => b.append_value(*f),
            (Col::Float(b), Some(Value::Int(i))) => b.append_value(*i as f64),
            (Col::Float(b), _) => b.append_null(),
            (Col::Bool(b), Some(Value::Bool(x))) => b.append_value(*x),
            (Col::Bool(b), _) => b.append_null(),
            (Col::Date(b), Some(Value::Date(d))) => b.append_value(days_since_epoch(*d)),
            (Col::Date(b), _) => b.append_null(),
            (Col::List(b), Some(Value::List(l))) => {
                for x in l.iter() {
                    b.values().append_option(x.as_str());
                }
                b.append(true);
            }
            (Col::List(b), _) => b.append(false),
        }
    }

    fn push_str(&mut self, s: &str) {
        match self {
            Col::Str(b) => b.append_value(s),
            _ => unreachable!("fixed columns are strings"),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Col::Str(b) => Arc::new(b.finish()),
            Col::Int(b) => Arc::new(b.finish()),
            Col::Float(b) => Arc::new(b.finish()),
            Col::Bool(b) => Arc::new(b.finish()),
            Col::Date(b) => Arc::new(b.finish()),
            Col::List(b) => Arc::new(b.finish()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Col::Str(b) => b.len(),
            Col::Int(b) => b.len(),
            Col::Float(b) => b.len(),
            Col::Bool(b) => b.len(),
            Col::Date(b) => b.len(),
            Col::List(b) => b.len(),
        }
    }
}

fn days_since_epoch(d: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    (d - epoch).num_days() as i32
}

/// A column of a table: its name, type and whether it may be null.
struct Column<'a> {
    name: &'a str,
    ty: ValueType,
    nullable: bool,
}

fn fixed(name: &str) -> Column<'_> {
    Column {
        name,
        ty: ValueType::String,
        nullable: false,
    }
}

fn declared(props: &[PropDef]) -> impl Iterator<Item = Column<'_>> {
    props.iter().map(|p| Column {
        name: &p.name,
        ty: p.ty,
        nullable: true,
    })
}

/// Writes one table: `fill` appends each item's row to the columns.
fn write_table<T>(
    path: &Path,
    columns: &[Column<'_>],
    items: impl Iterator<Item = T>,
    mut fill: impl FnMut(&T, &mut [Col]),
) -> Result<(), ExportError> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ));
    let mut cols: Vec<Col> = columns.iter().map(|c| Col::new(c.ty)).collect();
    let mut file = AtomicFile::create(path)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(BATCH_ROWS))
        .build();
    let err = |e: parquet::errors::ParquetError| io_at(path)(std::io::Error::other(e));
    let mut w = ArrowWriter::try_new(file.writer(), schema.clone(), Some(props)).map_err(err)?;
    let flush = |cols: &mut [Col], w: &mut ArrowWriter<_>| -> Result<(), ExportError> {
        let arrays: Vec<ArrayRef> = cols.iter_mut().map(Col::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| io_at(path)(std::io::Error::other(e)))?;
        w.write(&batch).map_err(err)
    };
    for item in items {
        fill(&item, &mut cols);
        if cols[0].len() >= BATCH_ROWS {
            flush(&mut cols, &mut w)?;
        }
    }
    if cols[0].len() > 0 {
        flush(&mut cols, &mut w)?;
    }
    w.close().map_err(err)?;
    file.commit()
}

/// A record's properties as the JSON object of the dump (docs/dump-format.md).
fn properties_json(g: &Graph, props: &[(crate::schema::KeyId, Value)], buf: &mut Vec<u8>) {
    buf.clear();
    json::write_props(buf, g.schema(), props).expect("writing to memory does not fail");
}

/// Writes the tables into a new directory `dir` (built under a temporary name and
/// renamed into place).
pub fn export(g: &Graph, dir: Option<&Path>, sel: &Selection) -> Result<(), ExportError> {
    super::export_dir(dir, "parquet", |tmp| write_files(g, tmp, sel))
}

fn write_files(g: &Graph, dir: &Path, sel: &Selection) -> Result<(), ExportError> {
    let schema = g.schema();
    let mut buf = Vec::new();
    write_table(
        &dir.join("nodes.parquet"),
        &[
            fixed("_id"),
            fixed("_label"),
            Column {
                name: "_name",
                ty: ValueType::String,
                nullable: true,
            },
            fixed("_properties"),
        ],
        sel.node_recs(g),
        |n: &&NodeRec, cols| {
            cols[0].push_str(&g.node_id_text(n.id));
            cols[1].push_str(label_name(g, n));
            let name = g.names_of(n).next();
            cols[2].push(name.map(Value::str).as_ref());
            properties_json(g, &n.props, &mut buf);
            cols[3].push_str(std::str::from_utf8(&buf).expect("JSON is UTF-8"));
        },
    )?;
    let edge_ends = |e: &EdgeData, cols: &mut [Col]| {
        cols[0].push_str(&g.edge_id_text(e.id));
        cols[1].push_str(&g.node_id_text(e.src));
        cols[2].push_str(&g.node_id_text(e.dst));
    };
    write_table(
        &dir.join("edges.parquet"),
        &[
            fixed("_id"),
            fixed("_src"),
            fixed("_dst"),
            fixed("_type"),
            fixed("_src_label"),
            fixed("_dst_label"),
            fixed("_properties"),
        ],
        sel.edge_recs(g),
        |e, cols| {
            edge_ends(e, cols);
            cols[3].push_str(type_name(g, e.ty));
            let label = |id| g.node_by_id(id).map(|n| label_name(g, n)).unwrap_or("");
            cols[4].push_str(label(e.src));
            cols[5].push_str(label(e.dst));
            properties_json(g, &e.attrs.props, &mut buf);
            cols[6].push_str(std::str::from_utf8(&buf).expect("JSON is UTF-8"));
        },
    )?;
    for (i, def) in schema.labels().iter().enumerate() {
        let columns: Vec<Column> = std::iter::once(fixed("_id"))
            .chain(declared(&def.props))
            .collect();
        let nodes = sel.node_recs(g).filter(|n| n.label as usize == i);
        write_table(
            &dir.join(format!("nodes_{}.parquet", def.name)),
            &columns,
            nodes,
            |n, cols| {
                cols[0].push_str(&g.node_id_text(n.id));
                for (c, p) in cols[1..].iter_mut().zip(&def.props) {
                    c.push(Graph::prop(&n.props, p.key));
                }
            },
        )?;
    }
    for (i, def) in schema.rel_types().iter().enumerate() {
        let columns: Vec<Column> = [fixed("_id"), fixed("_src"), fixed("_dst")]
            .into_iter()
            .chain(declared(&def.props))
            .collect();
        let edges = sel.edge_recs(g).filter(|e| e.ty as usize == i);
        write_table(
            &dir.join(format!("edges_{}.parquet", def.name)),
            &columns,
            edges,
            |e, cols| {
                edge_ends(e, cols);
                for (c, p) in cols[3..].iter_mut().zip(&def.props) {
                    c.push(Graph::prop(&e.attrs.props, p.key));
                }
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn dates_count_days_from_1970() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(days_since_epoch(d(1970, 1, 1)), 0);
        assert_eq!(days_since_epoch(d(2024, 3, 4)), 19786);
        assert_eq!(days_since_epoch(d(1969, 12, 31)), -1);
    }

    #[test]
    fn a_table_reads_back_with_its_types_and_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let columns = [
            fixed("_id"),
            Column {
                name: "n",
                ty: ValueType::Int,
                nullable: true,
            },
            Column {
                name: "d",
                ty: ValueType::Date,
                nullable: true,
            },
            Column {
                name: "l",
                ty: ValueType::StringList,
                nullable: true,
            },
        ];
        let rows = [
            (
                "n1",
                Some(Value::Int(7)),
                Some(Value::Date(
                    chrono::NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(),
                )),
                Some(Value::str_list(["a", "b"])),
            ),
            ("n2", None, Some(Value::str("not a date")), None),
        ];
        write_table(&path, &columns, rows.iter(), |r, cols| {
            cols[0].push_str(r.0);
            cols[1].push(r.1.as_ref());
            cols[2].push(r.2.as_ref());
            cols[3].push(r.3.as_ref());
        })
        .unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let got: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().to_string())
            .collect();
        assert_eq!(
            got,
            [
                "{_id: \"n1\", n: 7, d: 2024-03-04, l: [\"a\", \"b\"]}",
                "{_id: \"n2\", n: null, d: null, l: null}"
            ]
        );
    }
}
