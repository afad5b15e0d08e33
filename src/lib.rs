//! coopgraph: a knowledge-graph database of bilateral security cooperation.
//!
//! Layers, data flowing one way: `extract` → `graph`/`store` → `ingest` → `query`/`export`
//! → `app` (the shared command layer) → the front ends `cli`, `repl` and `server`.
//! Lower layers never import higher ones.

pub mod app;
pub mod cli;
pub mod console;
pub mod cypher;
pub mod exit;
pub mod export;
pub mod extract;
pub mod extractions;
pub mod fold;
pub mod gazetteer;
pub mod graph;
pub mod ingest;
pub mod ingest_cli;
pub mod input;
pub mod pipeline;
pub mod query;
pub mod repl;
pub mod schema;
pub mod server;
pub mod shared;
pub mod store;
pub mod term;
#[cfg(test)]
mod test_support;
pub mod timing;
pub mod value;
