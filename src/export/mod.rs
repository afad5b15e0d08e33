//! Moving the graph out of (and back into) coopgraph: the JSON dump and the writers
//! for other tools. Every writer goes through [`AtomicFile`], so a failed export never
//! leaves half a file.

pub mod json;
mod json_import;

use crate::store::StorageError;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors of export and import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading or writing a file failed.
    #[error("{}: {err}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error (in the message, so not repeated as a source).
        err: io::Error,
    },
    /// The input is not a valid dump; the message names the place (line, column, JSON path).
    #[error("{}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A file written under a temporary name beside its destination and renamed into place
/// by [`AtomicFile::commit`]; dropped without commit, it is removed.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file for `dest`.
    pub fn create(dest: &Path) -> Result<AtomicFile, ExportError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into());
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let f = File::create(&tmp).map_err(|err| ExportError::Io {
            path: tmp.clone(),
            err,
        })?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            out: Some(BufWriter::with_capacity(1 << 20, f)),
        })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("writer is present until commit")
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), ExportError> {
        let out = self.out.take().expect("commit once");
        let io_err = |err| ExportError::Io {
            path: self.dest.clone(),
            err,
        };
        let f = out.into_inner().map_err(|e| io_err(e.into_error()))?;
        f.sync_all().map_err(io_err)?;
        std::fs::rename(&self.tmp, &self.dest).map_err(io_err)?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Wraps an I/O error with the destination's path.
pub(crate) fn io_at(path: &Path) -> impl Fn(io::Error) -> ExportError + '_ {
    move |err| ExportError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// Writes to a file atomically, or to standard output when `path` is `None` or `-`.
pub fn write_output(
    path: Option<&Path>,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), ExportError> {
    match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let mut af = AtomicFile::create(p)?;
            f(af.writer()).map_err(io_at(p))?;
            af.commit()
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
            let dash = Path::new("-");
            f(&mut w).map_err(io_at(dash))?;
            w.flush().map_err(io_at(dash))
        }
    }
}
