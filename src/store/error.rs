//! Errors of the storage layer.

use crate::graph::GraphError;
use std::path::PathBuf;

/// Something went wrong opening, reading or writing the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// An operating-system I/O error on a path.
    #[error("{}: {err}", path.display())]
    Io {
        /// The database path.
        path: PathBuf,
        /// The underlying error (in the message, so not repeated as a source).
        err: std::io::Error,
    },
    /// Another process has the database open.
    #[error("{}: the database is in use by another coopgraph process (close it, or use another --db)", path.display())]
    Locked {
        /// The database path.
        path: PathBuf,
    },
    /// No database exists at the path.
    #[error("{}: no database here (create one with `coopgraph import` or `coopgraph ingest`)", path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// The database was written by another version of the storage format.
    #[error("{}: database format {found:?} is not supported by this coopgraph (it reads {expected:?}); export it with the version that wrote it and import the dump", path.display())]
    Version {
        /// The database path.
        path: PathBuf,
        /// The format found on disk.
        found: String,
        /// The format this build reads and writes.
        expected: String,
    },
    /// A stored record failed its checksum or could not be decoded.
    #[error("damaged record {key}: {reason}")]
    Corrupt {
        /// The record's key, readable.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The disk has too little free space for what was asked; nothing was written.
    #[error("{}: {} free, {what} needs ≥ {}; nothing was written (free some space and retry)", path.display(), super::space::megabytes(*free), super::space::megabytes(*needed))]
    NoSpace {
        /// The database path.
        path: PathBuf,
        /// Bytes free.
        free: u64,
        /// Bytes needed.
        needed: u64,
        /// What needed them ("this batch", "opening the database").
        what: String,
    },
    /// An error of the storage engine.
    #[error("storage engine: {0}")]
    Backend(String),
    /// A graph write failed.
    #[error(transparent)]
    Graph(#[from] GraphError),
}
