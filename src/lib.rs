//! coopgraph: a knowledge-graph database of bilateral security cooperation.
//!
//! Layers, data flowing one way: `extract` → `graph`/`store` → `query` → `repl`/`cli`/`export`.
//! Lower layers never import higher ones.

pub mod cypher;
pub mod fold;
pub mod gazetteer;
pub mod schema;
pub mod value;
pub mod graph;
pub mod store;
pub mod export;
pub mod cli;
pub mod timing;
