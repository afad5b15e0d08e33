//! The free-space guard: the store checks the free space of the database's disk before
//! it opens the engine and before every write, and refuses with
//! [`StorageError::NoSpace`] while nothing has been written, instead of letting sled
//! meet ENOSPC half-way through a write.
//!
//! sled 0.34 does not survive a full disk well: a flush that fails with ENOSPC can hang
//! the process when the database is dropped, and opening a database on a full disk
//! (recovery rewrites the tail of the log and writes a snapshot file) can leave it
//! unopenable even after space is freed. So the guard keeps a reserve free for sled:
//! [`OPEN_RESERVE`] for opening, [`WRITE_RESERVE`] plus twice the bytes of the batch
//! for a write (sled writes a value to its log and may copy it again when it
//! reclaims segments).

use super::StorageError;
use std::path::Path;

/// Free bytes opening a database needs: what sled's recovery may write.
pub const OPEN_RESERVE: u64 = 16 << 20;

/// Free bytes every write must leave on top of what it writes.
pub const WRITE_RESERVE: u64 = 64 << 20;

/// `COOPGRAPH_WRITE_RESERVE` (bytes) replaces [`WRITE_RESERVE`] when set, so that tests
/// can drive sled itself into a full disk.
const RESERVE_ENV: &str = "COOPGRAPH_WRITE_RESERVE";

/// The write reserve in force.
pub fn write_reserve() -> u64 {
    std::env::var(RESERVE_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(WRITE_RESERVE)
}

/// Bytes an unprivileged writer may still use on the file system that holds `path`, or
/// its nearest existing ancestor when `path` does not exist yet.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut at = path;
    while !at.exists() {
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p,
            _ => {
                at = Path::new(".");
                break;
            }
        }
    }
    let c = std::ffi::CString::new(at.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: statvfs only writes the struct it is given; `c` is a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

/// Refuses with [`StorageError::NoSpace`] when fewer than `needed` bytes are free where
/// `path` lives; `what` names the operation in the message. A file system whose free
/// space cannot be read is not refused.
pub fn ensure(path: &Path, needed: u64, what: &str) -> Result<(), StorageError> {
    match free_bytes(path) {
        Ok(free) if free < needed => Err(StorageError::NoSpace {
            path: path.to_path_buf(),
            free,
            needed,
            what: what.to_string(),
        }),
        _ => Ok(()),
    }
}

/// A byte count in MB with one decimal (in bytes below 0.1 MB), for messages.
pub fn megabytes(n: u64) -> String {
    if n < 100_000 {
        format!("{n} bytes")
    } else {
        format!("{:.1} MB", n as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_read_for_missing_paths_through_their_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        let free = free_bytes(&dir.path().join("not/yet/here")).unwrap();
        assert!(free > 0);
        assert!(ensure(dir.path(), 0, "nothing").is_ok());
        let e = ensure(dir.path(), u64::MAX, "this batch").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains(" MB free, this batch needs ≥ 18446744073709.6 MB; nothing was written"),
            "{text}"
        );
    }
}
