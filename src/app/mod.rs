//! The command layer every front end shares: the commands behind `coopgraph`'s
//! subcommands, the shell and the server — their options, running them against an
//! engine, rendering results (tables, csv, json) — and the exit codes.
//!
//! `cli`, `repl` and `server` call this module; it never imports them.

pub mod query;
pub mod sources;

use crate::store::Store;
use clap::ValueEnum;

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

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command ran but found problems (check) or some inputs failed.
pub const EXIT_PROBLEMS: i32 = 1;
/// Exit status: an error stopped the command.
pub const EXIT_ERROR: i32 = 2;

/// Prints the counts of nodes per label and edges per relationship type.
pub fn print_stats(store: &Store, format: StatsFormat) {
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
            println!("{obj}");
        }
        StatsFormat::Table => {
            let safe = |v: &[(String, usize)]| -> Vec<(String, usize)> {
                v.iter()
                    .map(|(n, c)| (crate::term::safe(n).into_owned(), *c))
                    .collect()
            };
            let (labels, types) = (safe(&labels), safe(&types));
            let w = labels
                .iter()
                .chain(&types)
                .map(|(n, _)| n.len())
                .max()
                .unwrap_or(0)
                .max(16);
            println!("{:<w$}  {:>12}", "nodes", g.node_count());
            for (n, c) in &labels {
                println!("  :{n:<w2$}{c:>12}", w2 = w - 1);
            }
            println!("{:<w$}  {:>12}", "edges", g.edge_count());
            for (n, c) in &types {
                println!("  :{n:<w2$}{c:>12}", w2 = w - 1);
            }
        }
    }
}
