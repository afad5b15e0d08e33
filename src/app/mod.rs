//! The command layer every front end shares: the commands behind `coopgraph`'s
//! subcommands, the shell and the server — their options, running them against an
//! engine, rendering results (tables, csv, json) — and the exit codes.
//!
//! `cli`, `repl` and `server` call this module; it never imports them.

pub mod command;
pub mod query;
pub mod shell;
pub mod sources;

pub use crate::exit::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};
use crate::shared::Shared;
use crate::store::Store;
use anyhow::Result;
use clap::ValueEnum;
use std::io::Write;
use std::path::Path;

/// The database a command runs on.
pub enum Db<'a> {
    /// A folder the command opens for itself (holding its lock while it runs).
    Folder(&'a Path),
    /// A database `coopgraph serve` holds: reads share it, writes take turns.
    Shared(&'a Shared),
}

/// Runs `f` on the database for reading.
pub fn reading<R>(db: &Db, f: impl FnOnce(&Store) -> Result<R>) -> Result<R> {
    match db {
        Db::Folder(path) => {
            let store = Store::open_existing(path)?;
            let r = f(&store)?;
            store.close_for_exit()?;
            Ok(r)
        }
        Db::Shared(shared) => f(&shared.read()),
    }
}

/// Runs `f` on the database for writing: a shared one after the other write commands,
/// with readers waiting meanwhile.
pub fn writing<R>(db: &Db, f: impl FnOnce(&mut Store) -> Result<R>) -> Result<R> {
    match db {
        Db::Folder(path) => {
            let mut store = Store::open_existing(path)?;
            let r = f(&mut store)?;
            store.close_for_exit()?;
            Ok(r)
        }
        Db::Shared(shared) => {
            let _turn = shared.writer();
            shared.write(f)
        }
    }
}

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatsFormat {
    /// Aligned text.
    Table,
    /// A JSON object.
    Json,
}

/// Formats of `export` and `import` (docs/export-formats.md); `import` reads json and jsonl.
pub use crate::export::Format as ExportFormat;

impl ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &ExportFormat::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
    }
}

/// Writes the counts of nodes per label and edges per relationship type.
pub fn print_stats(store: &Store, format: StatsFormat, w: &mut dyn Write) -> std::io::Result<()> {
    let g = store.graph();
    let schema = g.schema();
    let labels: Vec<(String, usize)> = schema
        .labels()
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.clone(), g.label_count(i as u16)))
        .collect();
    let mut per_type = vec![0usize; schema.rel_types().len()];
    for e in g.petgraph().edge_weights() {
        per_type[e.rel_type() as usize] += 1;
    }
    let types: Vec<(String, usize)> = schema
        .rel_types()
        .iter()
        .zip(per_type)
        .map(|(r, c)| (r.name.clone(), c))
        .collect();
    match format {
        StatsFormat::Json => {
            let obj = serde_json::json!({
                "nodes": g.node_count(),
                "edges": g.edge_count(),
                "labels": labels.iter().map(|(n, c)| (n.clone(), serde_json::json!(c))).collect::<serde_json::Map<_, _>>(),
                "relationships": types.iter().map(|(n, c)| (n.clone(), serde_json::json!(c))).collect::<serde_json::Map<_, _>>(),
                "disk_bytes": store.size_on_disk(),
            });
            writeln!(w, "{obj}")?;
        }
        StatsFormat::Table => {
            let safe = |v: &[(String, usize)]| -> Vec<(String, usize)> {
                v.iter()
                    .map(|(n, c)| (crate::term::safe(n).into_owned(), *c))
                    .collect()
            };
            let (labels, types) = (safe(&labels), safe(&types));
            let width = labels
                .iter()
                .chain(&types)
                .map(|(n, _)| n.len())
                .max()
                .unwrap_or(0)
                .max(16);
            writeln!(w, "{:<width$}  {:>12}", "nodes", g.node_count())?;
            for (n, c) in &labels {
                writeln!(w, "  :{n:<w2$}{c:>12}", w2 = width - 1)?;
            }
            writeln!(w, "{:<width$}  {:>12}", "edges", g.edge_count())?;
            for (n, c) in &types {
                writeln!(w, "  :{n:<w2$}{c:>12}", w2 = width - 1)?;
            }
        }
    }
    Ok(())
}
