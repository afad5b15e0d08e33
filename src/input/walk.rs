//! Directory walks: article files in name order, recursively, following symbolic links
//! but never into a directory already being read (no loops), and refusing special files.

use super::InputError;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Refuses anything but a regular file: FIFOs (which can block forever), devices (which
/// can be endless) and sockets.
pub fn check_type(m: &std::io::Result<std::fs::Metadata>) -> Result<(), InputError> {
    let m = m.as_ref().map_err(|e| InputError::Io(e.to_string()))?;
    let t = m.file_type();
    if t.is_file() {
        Ok(())
    } else if t.is_fifo() {
        Err(InputError::NotAFile("a FIFO"))
    } else if t.is_char_device() {
        Err(InputError::NotAFile("a character device"))
    } else if t.is_block_device() {
        Err(InputError::NotAFile("a block device"))
    } else if t.is_socket() {
        Err(InputError::NotAFile("a socket"))
    } else if t.is_dir() {
        Err(InputError::NotAFile("a directory"))
    } else {
        Err(InputError::NotAFile("an unknown kind of file"))
    }
}

/// Whether a file name has an extension that holds articles.
fn is_article_file(p: &Path) -> bool {
    ["txt", "md", "jsonl"]
        .iter()
        .any(|e| super::has_extension(p, e))
}

/// A depth-first walk; each directory's entries are listed (names only) when it is entered.
pub struct Walk {
    /// Directories being read, innermost last: their remaining entries and (device, inode).
    stack: Vec<(std::vec::IntoIter<PathBuf>, (u64, u64))>,
    /// Directories already read, by (device, inode): each is read once.
    seen: rustc_hash::FxHashSet<(u64, u64)>,
    first: Option<PathBuf>,
}

impl Walk {
    /// A walk of directory `root`, whose metadata is `m`.
    pub fn new(root: &Path, m: &std::fs::Metadata) -> Walk {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert((m.dev(), m.ino()));
        Walk {
            stack: Vec::new(),
            seen,
            first: Some(root.to_path_buf()),
        }
    }

    fn enter(&mut self, dir: &Path, id: (u64, u64)) -> Result<(), (String, InputError)> {
        let place = || dir.display().to_string();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| (place(), InputError::Io(e.to_string())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        self.stack.push((entries.into_iter(), id));
        Ok(())
    }
}

impl Iterator for Walk {
    /// An article file, or a place that cannot be read.
    type Item = Result<PathBuf, (String, InputError)>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(root) = self.first.take() {
            let id = *self.seen.iter().next().expect("the root is seen");
            if let Err(e) = self.enter(&root, id) {
                return Some(Err(e));
            }
        }
        loop {
            let (entries, _) = self.stack.last_mut()?;
            let Some(p) = entries.next() else {
                self.stack.pop();
                continue;
            };
            let place = || p.display().to_string();
            let m = match std::fs::metadata(&p) {
                Ok(m) => m,
                // A dangling link among articles is reported; other entries are skipped.
                Err(e) if is_article_file(&p) => {
                    return Some(Err((place(), InputError::Io(e.to_string()))))
                }
                Err(_) => continue,
            };
            if m.is_dir() {
                let id = (m.dev(), m.ino());
                if self.stack.iter().any(|(_, a)| *a == id) {
                    return Some(Err((place(), InputError::Loop)));
                }
                if !self.seen.insert(id) {
                    continue; // reached before through another link
                }
                if let Err(e) = self.enter(&p, id) {
                    return Some(Err(e));
                }
                continue;
            }
            if !is_article_file(&p) {
                continue;
            }
            return Some(match check_type(&Ok(m)) {
                Ok(()) => Ok(p),
                Err(e) => Err((place(), e)),
            });
        }
    }
}
