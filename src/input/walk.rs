//! Directory walks: article files in name order, recursively, following symbolic links
//! but never into a directory already being read (no loops), and refusing special files.
//! Files that are not articles are passed over and reported by kind ([`Skip`]).

use super::{Format, InputError, Selection};
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

/// File names (without extension, any case) that by convention describe a collection
/// rather than hold an article: a directory's `README.md` or `SOURCES.md` is not news.
/// (`index` is not among them: a saved site holds its articles as `…/index.html`.)
const NOT_ARTICLE_NAMES: &[&str] = &[
    "readme",
    "sources",
    "license",
    "licence",
    "copying",
    "changelog",
    "changes",
    "contributing",
    "authors",
    "notice",
];

/// Why a file found in a directory was not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// A name such as `README.md` or `SOURCES.md` ([`NOT_ARTICLE_NAMES`]).
    NotArticleName,
    /// A hidden file (its name starts with `.`).
    Hidden,
    /// An extension that holds no articles (`.pdf`, `.png`; the empty string: none).
    Extension(String),
    /// Matched by `--exclude`.
    Excluded,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::NotArticleName => f.write_str("named like README, SOURCES or LICENSE"),
            Skip::Hidden => f.write_str("hidden"),
            Skip::Extension(e) if e.is_empty() => f.write_str("without an extension"),
            Skip::Extension(e) => write!(f, ".{e}"),
            Skip::Excluded => f.write_str("excluded by --exclude"),
        }
    }
}

/// Whether a file found in a directory is read, and as what: `rel` is its path below
/// the directory named on the command line. `--exclude` wins over everything, then
/// `--include` (a matching file of no article kind is read as plain text), then the
/// extension and name rules.
pub fn classify(p: &Path, rel: &Path, sel: &Selection) -> Result<Format, Skip> {
    if sel.exclude.as_ref().is_some_and(|g| g.is_match(rel)) {
        return Err(Skip::Excluded);
    }
    let included = sel.include.as_ref().is_some_and(|g| g.is_match(rel));
    let format = super::format_of(p);
    if included {
        return Ok(format.unwrap_or(Format::Text));
    }
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name.starts_with('.') {
        return Err(Skip::Hidden);
    }
    let Some(format) = format else {
        let ext = p.extension().map(|e| e.to_string_lossy().to_lowercase());
        return Err(Skip::Extension(ext.unwrap_or_default()));
    };
    let stem = p.file_stem().map(|n| n.to_string_lossy().to_lowercase());
    if stem.is_some_and(|s| NOT_ARTICLE_NAMES.contains(&s.as_str())) {
        return Err(Skip::NotArticleName);
    }
    Ok(format)
}

/// What a walk yields.
#[derive(Debug)]
pub enum Entry {
    /// A file to read, and its format.
    File(PathBuf, Format),
    /// A file passed over, and why.
    Skipped(PathBuf, Skip),
    /// A place that cannot be read, and why.
    Failed(String, InputError),
}

/// A depth-first walk; each directory's entries are listed (names only) when it is entered.
pub struct Walk {
    /// Directories being read, innermost last: their remaining entries and (device, inode).
    stack: Vec<(std::vec::IntoIter<PathBuf>, (u64, u64))>,
    /// Directories already read, by (device, inode): each is read once.
    seen: rustc_hash::FxHashSet<(u64, u64)>,
    first: Option<PathBuf>,
    root: PathBuf,
    sel: Selection,
}

impl Walk {
    /// A walk of directory `root`, whose metadata is `m`, choosing files by `sel`.
    pub fn new(root: &Path, m: &std::fs::Metadata, sel: Selection) -> Walk {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert((m.dev(), m.ino()));
        Walk {
            stack: Vec::new(),
            seen,
            first: Some(root.to_path_buf()),
            root: root.to_path_buf(),
            sel,
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
    /// An article file, a file passed over, or a place that cannot be read.
    type Item = Entry;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(root) = self.first.take() {
            let id = *self.seen.iter().next().expect("the root is seen");
            if let Err((place, e)) = self.enter(&root, id) {
                return Some(Entry::Failed(place, e));
            }
        }
        loop {
            let (entries, _) = self.stack.last_mut()?;
            let Some(p) = entries.next() else {
                self.stack.pop();
                continue;
            };
            let place = || p.display().to_string();
            let rel = p.strip_prefix(&self.root).unwrap_or(&p);
            let class = classify(&p, rel, &self.sel);
            let m = match std::fs::metadata(&p) {
                Ok(m) => m,
                // A dangling link among articles is reported; other entries are skipped.
                Err(e) if class.is_ok() => {
                    return Some(Entry::Failed(place(), InputError::Io(e.to_string())))
                }
                Err(_) => continue,
            };
            if m.is_dir() {
                let id = (m.dev(), m.ino());
                if self.stack.iter().any(|(_, a)| *a == id) {
                    return Some(Entry::Failed(place(), InputError::Loop));
                }
                if !self.seen.insert(id) {
                    continue; // reached before through another link
                }
                if let Err((place, e)) = self.enter(&p, id) {
                    return Some(Entry::Failed(place, e));
                }
                continue;
            }
            let format = match class {
                Ok(f) => f,
                Err(skip) => return Some(Entry::Skipped(p, skip)),
            };
            return Some(match check_type(&Ok(m)) {
                Ok(()) => Entry::File(p, format),
                Err(e) => Entry::Failed(place(), e),
            });
        }
    }
}
