//! CSV in the `neo4j-admin database import` layout: a directory with one node file per
//! label (`nodes_<Label>.csv`) and one relationship file per type and pair of end labels
//! (`relationships_<TYPE>_<From>_<To>.csv`), each with a typed header row:
//!
//! ```text
//! _id:ID,:LABEL,aliases:string[],iso2:string,iso3:string,name:string
//! :START_ID,:END_ID,_id:string,:TYPE,role:string
//! ```
//!
//! Node ids are kept in the `_id` property. Strings are always quoted (`""` inside), so
//! an empty cell means "no value"; lists are joined with `;` (neo4j's default array
//! delimiter). Document texts hold line breaks: neo4j needs `--multiline-fields=true`.
//! The same files load into Amazon Neptune (openCypher bulk format) and into Kuzu with
//! `COPY FROM`; docs/scaling-out.md gives the commands.
//!
//! A string cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, which a
//! spreadsheet would run as a formula, gets a leading `'` as OWASP recommends (see
//! [`guard_formula`]); `--csv-raw` writes such cells unchanged for bulk loaders.

use super::{io_at, type_name, AtomicFile, ExportError, Selection};
use crate::graph::Graph;
use crate::schema::PropDef;
use crate::value::{Value, ValueType};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

/// The neo4j-admin header type of a schema type.
pub fn header_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::String => "string",
        ValueType::Int => "long",
        ValueType::Float => "double",
        ValueType::Bool => "boolean",
        ValueType::Date => "date",
        ValueType::StringList => "string[]",
    }
}

/// `s` with a leading `'` when a spreadsheet would evaluate it as a formula: when it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP, "CSV Injection").
pub fn guard_formula(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Writes one CSV field: strings quoted with `""` for a quote (and, when `guard`, kept
/// from running as formulas), numbers and dates bare, lists joined with `;` and quoted;
/// nothing for a missing value.
fn write_field(w: &mut dyn Write, v: Option<&Value>, guard: bool) -> io::Result<()> {
    let quoted = |w: &mut dyn Write, s: &str| -> io::Result<()> {
        let s = if guard { guard_formula(s) } else { s.into() };
        w.write_all(b"\"")?;
        w.write_all(s.replace('"', "\"\"").as_bytes())?;
        w.write_all(b"\"")
    };
    match v {
        None => Ok(()),
        Some(Value::Str(s)) => quoted(w, s),
        Some(Value::List(l)) => {
            let items: Vec<String> = l.iter().map(|x| x.to_string()).collect();
            quoted(w, &items.join(";"))
        }
        Some(Value::Float(f)) if !f.is_finite() => Ok(()),
        Some(other) => write!(w, "{other}"),
    }
}

fn write_header(w: &mut dyn Write, fixed: &str, props: &[PropDef]) -> io::Result<()> {
    w.write_all(fixed.as_bytes())?;
    for p in props {
        write!(w, ",{}:{}", p.name, header_type(p.ty))?;
    }
    w.write_all(b"\n")
}

fn write_props(
    w: &mut dyn Write,
    defs: &[PropDef],
    props: &[(u16, Value)],
    guard: bool,
) -> io::Result<()> {
    for d in defs {
        w.write_all(b",")?;
        write_field(w, Graph::prop(props, d.key), guard)?;
    }
    w.write_all(b"\n")
}

/// The files of a CSV export, by name, with what each holds (for messages and tests).
pub fn file_names(g: &Graph, sel: &Selection) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let schema = g.schema();
    for n in sel.node_recs(g) {
        let f = format!("nodes_{}.csv", schema.labels()[n.label as usize].name);
        if !names.contains(&f) {
            names.push(f);
        }
    }
    for e in sel.edge_recs(g) {
        let f = rel_file(g, &e);
        if !names.contains(&f) {
            names.push(f);
        }
    }
    names.sort();
    names
}

fn rel_file(g: &Graph, e: &crate::graph::EdgeData) -> String {
    let l = |id: u32| {
        g.node_by_id(id)
            .map(|n| super::label_name(g, n))
            .unwrap_or("")
    };
    format!(
        "relationships_{}_{}_{}.csv",
        type_name(g, e.ty),
        l(e.src),
        l(e.dst)
    )
}

/// Writes the CSV files into a new directory `dir`, built under a temporary name beside
/// it and renamed into place; `dir` must not exist or be an empty directory. `guard`
/// keeps property cells from running as spreadsheet formulas ([`guard_formula`]).
pub fn export(
    g: &Graph,
    dir: Option<&Path>,
    sel: &Selection,
    guard: bool,
) -> Result<(), ExportError> {
    super::export_dir(dir, "csv", |tmp| write_files(g, tmp, sel, guard))
}

fn write_files(g: &Graph, dir: &Path, sel: &Selection, guard: bool) -> Result<(), ExportError> {
    let schema = g.schema();
    let mut by_label: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
    for n in sel.node_recs(g) {
        by_label.entry(n.label).or_default().push(n.id);
    }
    for (label, ids) in by_label {
        let def = &schema.labels()[label as usize];
        let path = dir.join(format!("nodes_{}.csv", def.name));
        let mut f = AtomicFile::create(&path)?;
        let w = f.writer();
        (|| -> io::Result<()> {
            write_header(w, "_id:ID,:LABEL", &def.props)?;
            for id in ids {
                let Some(n) = g.node_by_id(id) else { continue };
                // Ids are references between the files: never changed.
                write_field(w, Some(&Value::str(&g.node_id_text(id))), false)?;
                w.write_all(b",")?;
                w.write_all(def.name.as_bytes())?;
                write_props(w, &def.props, &n.props, guard)?;
            }
            Ok(())
        })()
        .map_err(io_at(&path))?;
        f.commit()?;
    }
    let mut by_file: BTreeMap<String, Vec<crate::graph::EdgeData>> = BTreeMap::new();
    for e in sel.edge_recs(g) {
        by_file.entry(rel_file(g, &e)).or_default().push(e);
    }
    for (file, edges) in by_file {
        let def = &schema.rel_types()[edges[0].ty as usize];
        let path = dir.join(file);
        let mut f = AtomicFile::create(&path)?;
        let w = f.writer();
        (|| -> io::Result<()> {
            write_header(w, ":START_ID,:END_ID,_id:string,:TYPE", &def.props)?;
            for e in &edges {
                for (i, id) in [
                    g.node_id_text(e.src),
                    g.node_id_text(e.dst),
                    g.edge_id_text(e.id),
                ]
                .iter()
                .enumerate()
                {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    write_field(w, Some(&Value::str(id)), false)?;
                }
                write!(w, ",{}", def.name)?;
                write_props(w, &def.props, &e.attrs.props, guard)?;
            }
            Ok(())
        })()
        .map_err(io_at(&path))?;
        f.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{guard_formula, write_field};
    use crate::value::Value;

    #[test]
    fn fields_are_quoted_and_lists_joined() {
        let mut v = Vec::new();
        write_field(&mut v, Some(&Value::str("say \"hi\",\nthere")), true).unwrap();
        v.push(b'|');
        write_field(&mut v, Some(&Value::str_list(["Việt Nam", "VN"])), true).unwrap();
        v.push(b'|');
        write_field(&mut v, None, true).unwrap();
        v.push(b'|');
        write_field(&mut v, Some(&Value::Int(7)), true).unwrap();
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "\"say \"\"hi\"\",\nthere\"|\"Việt Nam;VN\"||7"
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote_mark() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guard_formula(cell), want);
        }
        let mut v = Vec::new();
        write_field(&mut v, Some(&Value::str("=1+1")), true).unwrap();
        write_field(&mut v, Some(&Value::str("=1+1")), false).unwrap();
        write_field(&mut v, Some(&Value::Int(-5)), true).unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "\"'=1+1\"\"=1+1\"-5");
    }
}
