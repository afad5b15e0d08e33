//! The key-value interface the store persists through, with the sled engine
//! and an in-memory engine for tests.

use super::StorageError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The callback of [`Backend::scan`]: called with each key and value.
pub type ScanFn<'a> = dyn FnMut(&[u8], &[u8]) -> Result<(), StorageError> + 'a;

/// An ordered key-value engine: all the store needs from sled, so another engine could replace it.
pub trait Backend: Send + Sync {
    /// The value under `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
    /// Calls `f` with every key and value whose key starts with `prefix`, in key order,
    /// without holding them all in memory.
    fn scan(&self, prefix: &[u8], f: &mut ScanFn<'_>) -> Result<(), StorageError>;
    /// Every key that starts with `prefix`, in key order.
    fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError>;
    /// Applies puts (`Some`) and deletes (`None`) atomically.
    fn apply(&self, ops: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), StorageError>;
    /// Makes everything applied so far durable.
    fn flush(&self) -> Result<(), StorageError>;
    /// Bytes used on disk, if the engine knows.
    fn size_on_disk(&self) -> Option<u64>;
    /// Lets the engine release the space of the values just deleted under `emptied`
    /// (prefixes under which no key is left) before the process ends, after a snapshot
    /// replaced a generation; nothing for engines that need not.
    fn settle(&self, emptied: &[Vec<u8>]) -> Result<(), StorageError> {
        let _ = emptied;
        Ok(())
    }
}

/// Walks over the emptied ranges in one settle (1 walk left 705 MB after compacting a
/// 100,000-article database of 570 MB, 3 walks 669 MB, none 1,025 MB).
const SETTLE_WALKS: usize = 3;

/// Keys of the filler [`SledBackend::settle`] writes and deletes; never shown to the store.
const PAD_PREFIX: &[u8] = b"\xffsled-pad/";
/// Filler values: small enough that a leaf of sled (at most 16 entries) stays under its
/// blob threshold (a quarter of a segment), so the filler itself leaves no blob file.
const PAD_VALUE: usize = 4 << 10;
/// Filler written by one round of a settle: more than a segment of sled's log (512 KiB).
const PAD_TOTAL: usize = 768 << 10;
/// Rounds of filler in one settle, each flushed.
const PAD_ROUNDS: usize = 2;

/// How long opening waits for a lock that is being released.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(1000);
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(25);

/// The sled engine.
pub struct SledBackend {
    db: sled::Db,
    path: PathBuf,
}

impl SledBackend {
    /// Opens (creating if needed) the sled database at `path`. A lock held by a process
    /// that is just closing the database (sled releases it from a background thread) is
    /// waited for briefly before the database is reported in use.
    pub fn open(path: &Path) -> Result<SledBackend, StorageError> {
        let mut waited = std::time::Duration::ZERO;
        loop {
            let r = sled::Config::new()
                .path(path)
                .cache_capacity(16 << 20)
                .open();
            match r.map_err(|e| map_sled(path, e)) {
                Ok(db) => {
                    let b = SledBackend {
                        db,
                        path: path.to_path_buf(),
                    };
                    b.remove_pad()?;
                    return Ok(b);
                }
                Err(StorageError::Locked { .. }) if waited < LOCK_WAIT => {
                    std::thread::sleep(LOCK_POLL);
                    waited += LOCK_POLL;
                }
                Err(e @ StorageError::Corrupt { .. }) => {
                    return Self::open_without_snapshots(path).ok_or(e);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// sled 0.34 can leave a damaged snapshot file (`snap.*`, its cache of where pages sit in
    /// the log) when killed while writing one (spacejam/sled#1527, #1533), and then refuses to
    /// open. The snapshot is rebuilt from the log when absent, so the damaged files are moved
    /// aside (to `<path>.damaged-snapshots/`, never deleted) and the open is tried once more;
    /// when that fails too, they are put back.
    fn open_without_snapshots(path: &Path) -> Option<SledBackend> {
        let snaps: Vec<PathBuf> = std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("snap."))
            })
            .collect();
        if snaps.is_empty() {
            return None;
        }
        let mut aside = path.as_os_str().to_owned();
        aside.push(".damaged-snapshots");
        let aside = PathBuf::from(aside);
        std::fs::create_dir_all(&aside).ok()?;
        let mut moved = Vec::new();
        for p in &snaps {
            let to = aside.join(p.file_name()?);
            if std::fs::rename(p, &to).is_ok() {
                moved.push((p.clone(), to));
            }
        }
        let reopened = sled::Config::new()
            .path(path)
            .cache_capacity(16 << 20)
            .open()
            .ok()
            .map(|db| SledBackend {
                db,
                path: path.to_path_buf(),
            })
            .filter(|b| b.remove_pad().is_ok());
        if reopened.is_none() {
            for (from, to) in moved {
                let _ = std::fs::rename(to, from);
            }
        }
        reopened
    }

    fn err(&self, e: sled::Error) -> StorageError {
        map_sled(&self.path, e)
    }

    /// Deletes filler a settle left behind (a crash in the middle of it); usually none.
    fn remove_pad(&self) -> Result<(), StorageError> {
        let mut batch = sled::Batch::default();
        let mut any = false;
        for k in self.db.scan_prefix(PAD_PREFIX).keys() {
            batch.remove(k.map_err(|e| self.err(e))?);
            any = true;
        }
        if any {
            self.db.apply_batch(batch).map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// Translates a sled error, naming the path; sled reports a held lock only as `WouldBlock`.
fn map_sled(path: &Path, e: sled::Error) -> StorageError {
    match e {
        // sled reports a held lock as WouldBlock, or wrapped as "could not acquire lock".
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock") =>
        {
            StorageError::Locked {
                path: path.to_path_buf(),
            }
        }
        sled::Error::Io(io) => StorageError::Io {
            path: path.to_path_buf(),
            err: io,
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

    fn scan(&self, prefix: &[u8], f: &mut ScanFn<'_>) -> Result<(), StorageError> {
        for r in self.db.scan_prefix(prefix) {
            let (k, v) = r.map_err(|e| self.err(e))?;
            if !k.starts_with(PAD_PREFIX) {
                f(&k, &v)?;
            }
        }
        Ok(())
    }

    fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        self.db
            .scan_prefix(prefix)
            .keys()
            .map(|r| r.map(|k| k.to_vec()).map_err(|e| self.err(e)))
            .filter(|k| !k.as_ref().is_ok_and(|k| k.starts_with(PAD_PREFIX)))
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

    /// sled 0.34 deletes the blob file of a replaced or deleted value only when the log
    /// segment that recorded the deletion is sealed, and forgets the deletion if the
    /// process ends first: the file then stays for good (each `coopgraph compact` of a
    /// 100,000-article database left its whole previous generation, ~430 MB, behind).
    /// Writing a little more than a segment of filler, then deleting it, seals the
    /// segment, so the files go now.
    fn settle(&self, emptied: &[Vec<u8>]) -> Result<(), StorageError> {
        // sled frees the pages of leaves that deletions emptied only when it merges them
        // into a neighbour, which a traversal passing an underfull leaf asks for: a few
        // walks over the emptied ranges (no key is left there, so nothing is read but the
        // empty leaves) merge most of them.
        for _ in 0..SETTLE_WALKS {
            for p in emptied {
                for k in self.db.scan_prefix(p).keys() {
                    k.map_err(|e| self.err(e))?;
                }
            }
        }
        self.db.flush().map_err(|e| self.err(e))?;
        let pad = vec![0u8; PAD_VALUE];
        let n = PAD_TOTAL / PAD_VALUE;
        let key = |i: usize| [PAD_PREFIX, &(i as u32).to_be_bytes()].concat();
        for _ in 0..PAD_ROUNDS {
            for i in 0..n {
                self.db.insert(key(i), &pad[..]).map_err(|e| self.err(e))?;
            }
            let mut batch = sled::Batch::default();
            for i in 0..n {
                batch.remove(key(i));
            }
            self.db.apply_batch(batch).map_err(|e| self.err(e))?;
            self.db.flush().map_err(|e| self.err(e))?;
        }
        Ok(())
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

    fn scan(&self, prefix: &[u8], f: &mut ScanFn<'_>) -> Result<(), StorageError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn blob_files(dir: &Path) -> usize {
        std::fs::read_dir(dir.join("blobs")).map_or(0, |d| d.count())
    }

    #[test]
    fn a_damaged_snapshot_is_moved_aside_and_the_log_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let b = SledBackend::open(&path).unwrap();
            b.apply(vec![(b"a".to_vec(), Some(b"live".to_vec()))])
                .unwrap();
            b.flush().unwrap();
        }
        // A snapshot file cut short by a kill: sled refuses it as corrupt.
        std::fs::write(path.join("snap.0000000000100000"), b"torn").unwrap();
        // (sled releases the lock of the closed database from a background thread.)
        let raw = (0..40)
            .map(|_| {
                let r = sled::Config::new().path(&path).open().map(|_| ());
                if matches!(r, Err(sled::Error::Io(_))) {
                    std::thread::sleep(LOCK_POLL);
                }
                r
            })
            .find(|r| !matches!(r, Err(sled::Error::Io(_))));
        assert!(
            matches!(raw, Some(Err(sled::Error::Corruption { .. }))),
            "{raw:?}"
        );
        let b = SledBackend::open(&path).unwrap();
        assert_eq!(b.get(b"a").unwrap().as_deref(), Some(&b"live"[..]));
        assert!(dir
            .path()
            .join("db.damaged-snapshots/snap.0000000000100000")
            .exists());
    }

    #[test]
    fn settle_removes_the_blob_files_of_deleted_values_and_its_filler_stays_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let b = SledBackend::open(&path).unwrap();
        // Values over sled's blob threshold (128 KiB), each a file of its own.
        // (as a snapshot generation is written: batches of chunks, beside other keys).
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let keys: Vec<Vec<u8>> = (0..64u8).map(|i| vec![b's', b'/', i]).collect();
        b.apply(vec![(b"a".to_vec(), Some(b"live".to_vec()))])
            .unwrap();
        for part in keys.chunks(8) {
            b.apply(
                part.iter()
                    .map(|k| (k.clone(), Some(big.clone())))
                    .collect(),
            )
            .unwrap();
        }
        b.apply(vec![(b"z".to_vec(), Some(b"live".to_vec()))])
            .unwrap();
        b.flush().unwrap();
        let with = blob_files(&path);
        assert!(with >= 8, "{with} blob files");
        b.apply(keys.iter().map(|k| (k.clone(), None)).collect())
            .unwrap();
        b.flush().unwrap();
        let deleted = blob_files(&path);
        b.settle(&[b"s/".to_vec()]).unwrap();
        // sled removes the files from its flusher thread: give it a moment.
        let mut after = blob_files(&path);
        for _ in 0..100 {
            if after <= deleted / 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            after = blob_files(&path);
        }
        assert!(
            after <= deleted / 2,
            "{with} blob files written, {deleted} after deleting them, {after} settled"
        );
        // The filler is deleted and never shown; a leftover one goes at the next open.
        let live = vec![b"a".to_vec(), b"z".to_vec()];
        assert_eq!(b.keys(b"").unwrap(), live);
        b.db.insert([PAD_PREFIX, b"x"].concat(), &b"pad"[..])
            .unwrap();
        assert_eq!(b.keys(b"").unwrap(), live);
        let mut seen = 0;
        b.scan(b"", &mut |_, _| {
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, 2);
        b.flush().unwrap();
        drop(b);
        let b = SledBackend::open(&path).unwrap();
        assert_eq!(b.db.scan_prefix(PAD_PREFIX).count(), 0);
    }
}
