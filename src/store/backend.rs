//! The key-value interface the store persists through, with the sled engine
//! and an in-memory engine for tests.

use super::StorageError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// An ordered key-value engine: all the store needs from sled, so another engine could replace it.
pub trait Backend: Send + Sync {
    /// The value under `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
    /// Calls `f` with every key and value whose key starts with `prefix`, in key order,
    /// without holding them all in memory.
    #[allow(clippy::type_complexity)]
    fn scan(
        &self,
        prefix: &[u8],
        f: &mut dyn FnMut(&[u8], &[u8]) -> Result<(), StorageError>,
    ) -> Result<(), StorageError>;
    /// Every key that starts with `prefix`, in key order.
    fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError>;
    /// Applies puts (`Some`) and deletes (`None`) atomically.
    fn apply(&self, ops: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), StorageError>;
    /// Makes everything applied so far durable.
    fn flush(&self) -> Result<(), StorageError>;
    /// Bytes used on disk, if the engine knows.
    fn size_on_disk(&self) -> Option<u64>;
}

/// The sled engine.
pub struct SledBackend {
    db: sled::Db,
    path: PathBuf,
}

impl SledBackend {
    /// Opens (creating if needed) the sled database at `path`.
    pub fn open(path: &Path) -> Result<SledBackend, StorageError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(16 << 20)
            .open()
            .map_err(|e| map_sled(path, e))?;
        Ok(SledBackend {
            db,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, e: sled::Error) -> StorageError {
        map_sled(&self.path, e)
    }
}

/// Translates a sled error, naming the path; sled reports a held lock only as `WouldBlock`.
fn map_sled(path: &Path, e: sled::Error) -> StorageError {
    match e {
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
            StorageError::Locked {
                path: path.to_path_buf(),
            }
        }
        sled::Error::Io(io) => StorageError::Io {
            path: path.to_path_buf(),
            source: io,
        },
        sled::Error::Corruption { at, .. } => StorageError::Corrupt {
            key: format!("sled log at {at:?}"),
            reason: "the storage engine found a damaged page".into(),
        },
        other => StorageError::Backend(format!("{}: {other}", path.display())),
    }
}

impl Backend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .db
            .get(key)
            .map_err(|e| self.err(e))?
            .map(|v| v.to_vec()))
    }

    fn scan(
        &self,
        prefix: &[u8],
        f: &mut dyn FnMut(&[u8], &[u8]) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        for r in self.db.scan_prefix(prefix) {
            let (k, v) = r.map_err(|e| self.err(e))?;
            f(&k, &v)?;
        }
        Ok(())
    }

    fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        self.db
            .scan_prefix(prefix)
            .keys()
            .map(|r| r.map(|k| k.to_vec()).map_err(|e| self.err(e)))
            .collect()
    }

    fn apply(&self, ops: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), StorageError> {
        let mut batch = sled::Batch::default();
        for (k, v) in ops {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        self.db.apply_batch(batch).map_err(|e| self.err(e))
    }

    fn flush(&self) -> Result<(), StorageError> {
        self.db.flush().map(|_| ()).map_err(|e| self.err(e))
    }

    fn size_on_disk(&self) -> Option<u64> {
        self.db.size_on_disk().ok()
    }
}

/// An in-memory engine (nothing survives the process), for tests and scratch graphs.
#[derive(Default)]
pub struct MemoryBackend {
    map: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryBackend {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Backend for MemoryBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.map().get(key).cloned())
    }

    fn scan(
        &self,
        prefix: &[u8],
        f: &mut dyn FnMut(&[u8], &[u8]) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let m = self.map();
        for (k, v) in m
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
        {
            f(k, v)?;
        }
        Ok(())
    }

    fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        let m = self.map();
        Ok(m.range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    fn apply(&self, ops: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), StorageError> {
        let mut m = self.map();
        for (k, v) in ops {
            match v {
                Some(v) => m.insert(k, v),
                None => m.remove(&k),
            };
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), StorageError> {
        Ok(())
    }

    fn size_on_disk(&self) -> Option<u64> {
        None
    }
}
