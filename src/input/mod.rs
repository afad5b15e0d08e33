//! Article sources: files, directories and standard input read as a stream of
//! [`Article`]s, one record at a time, so that an archive of any size is read in bounded
//! memory. A record that cannot be read (a bad `.jsonl` line, a file that is not text, a
//! FIFO, a missing path) is reported where it is, as one [`Item::Failed`] among the
//! articles, and reading goes on with the next.
//!
//! Formats: `.txt` and `.md` files are one article each (id: the file name without its
//! extension); `.jsonl` files hold one JSON object per line (`text`, and optional `id`,
//! `title`, `url`, `published`); `-` is standard input, read as JSON lines when it starts
//! with `{`, else as one article.

mod jsonl;
mod walk;

pub use jsonl::date_in_url;

use crate::extract::Article;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The largest record read: a `.txt`/`.md` file or one `.jsonl` line. Larger ones are
/// reported and skipped (an article's text is further limited to
/// [`crate::extract::MAX_CHARS`] characters by extraction).
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// Why a source could not be read (the place it names is in [`Item::Failed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The path does not exist.
    #[error("no such file or directory")]
    Missing,
    /// The path is not a regular file or directory.
    #[error("not a regular file ({0}); only files and directories are read")]
    NotAFile(&'static str),
    /// An I/O error.
    #[error("{0}")]
    Io(String),
    /// The record is larger than [`MAX_RECORD_BYTES`].
    #[error("too large (more than {MAX_RECORD_BYTES} bytes)")]
    TooLarge,
    /// The record is not valid UTF-8.
    #[error("not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// The record holds a NUL byte.
    #[error("not text (NUL byte at offset {0})")]
    Nul(usize),
    /// The record is empty or only white space.
    #[error("empty")]
    Empty,
    /// A `.jsonl` line is not a JSON object.
    #[error("not a JSON object: {0}")]
    Json(String),
    /// A `.jsonl` object has no non-empty `text`.
    #[error("no `text`")]
    NoText,
    /// A directory holds a link back to itself or an ancestor.
    #[error("symbolic link loop (directory already being read), not followed")]
    Loop,
    /// A line of `coopgraph extract` output that cannot be applied, or the failure such
    /// a line records (`ingest --format extractions`).
    #[error("{0}")]
    Extractions(String),
}

/// One thing read from the sources: an article, or a reason a place could not be read.
#[derive(Debug)]
pub enum Item {
    /// An article, with the place it was read from (`file` or `file:line`).
    Article(Article, String),
    /// A place (`file`, `file:line`) that could not be read, and why.
    Failed(String, InputError),
}

/// Options of reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Publication date for articles that give none.
    pub published: Option<NaiveDate>,
    /// Metadata by article id, filled in where the article lacks it.
    pub meta: Option<Meta>,
}

/// Reads the articles of `paths` one at a time (see the module documentation).
pub struct Articles {
    pending: std::vec::IntoIter<PathBuf>,
    walker: Option<walk::Walk>,
    current: Option<Box<dyn Iterator<Item = Item> + Send>>,
    opts: ReadOptions,
}

impl Articles {
    /// A reader of `paths` (files, directories, `-`), in order; directories are read in
    /// name order, recursively.
    pub fn new(paths: &[PathBuf], opts: ReadOptions) -> Articles {
        Articles {
            pending: paths.to_vec().into_iter(),
            walker: None,
            current: None,
            opts,
        }
    }

    fn open(&self, path: &Path) -> Box<dyn Iterator<Item = Item> + Send> {
        let name = path.display().to_string();
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return failed(name, InputError::Io(e.to_string())),
        };
        // The type is checked again on the open file: a path can change between the walk
        // and the open.
        if let Err(e) = walk::check_type(&file.metadata()) {
            return failed(name, e);
        }
        let reader = BufReader::with_capacity(1 << 16, file);
        if has_extension(path, "jsonl") {
            Box::new(self.decorate(jsonl::Lines::new(reader, name, stem(path))))
        } else {
            let art = whole_text(reader, &name).map(|text| Article {
                id: stem(path),
                text,
                ..Article::default()
            });
            Box::new(self.decorate(std::iter::once(match art {
                Ok(a) => Item::Article(a, name),
                Err(e) => Item::Failed(name, e),
            })))
        }
    }

    fn stdin(&self) -> Box<dyn Iterator<Item = Item> + Send> {
        let mut reader = BufReader::with_capacity(1 << 16, std::io::stdin());
        let starts_json = loop {
            match reader.fill_buf() {
                Ok([]) => break false,
                Ok(buf) => {
                    let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    if n < buf.len() {
                        break buf[n] == b'{';
                    }
                    reader.consume(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return failed("-".into(), InputError::Io(e.to_string())),
            }
        };
        if starts_json {
            Box::new(self.decorate(jsonl::Lines::new(reader, "-".into(), "stdin".into())))
        } else {
            let item = match whole_text(reader, "-") {
                Ok(text) => Item::Article(
                    Article {
                        id: "stdin".into(),
                        text,
                        ..Article::default()
                    },
                    "-".into(),
                ),
                Err(e) => Item::Failed("-".into(), e),
            };
            Box::new(self.decorate(std::iter::once(item)))
        }
    }

    /// Fills in what an article lacks from the metadata and the default date.
    fn decorate<I: Iterator<Item = Item> + Send>(
        &self,
        items: I,
    ) -> impl Iterator<Item = Item> + Send {
        let meta = self.opts.meta.clone();
        let published = self.opts.published;
        items.map(move |item| match item {
            Item::Article(mut a, place) => {
                if let Some(m) = meta.as_ref().and_then(|m| m.by_id.get(&a.id)) {
                    a.published = a.published.or(m.published);
                    a.title = a.title.take().or_else(|| m.title.clone());
                    a.url = a.url.take().or_else(|| m.url.clone());
                }
                a.published = a.published.or(published);
                Item::Article(a, place)
            }
            failed => failed,
        })
    }
}

impl Iterator for Articles {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(it) = &mut self.current {
                if let Some(item) = it.next() {
                    return Some(item);
                }
                self.current = None;
            }
            if let Some(w) = &mut self.walker {
                match w.next() {
                    Some(Ok(path)) => {
                        self.current = Some(self.open(&path));
                        continue;
                    }
                    Some(Err((place, e))) => return Some(Item::Failed(place, e)),
                    None => self.walker = None,
                }
            }
            let path = self.pending.next()?;
            if path.as_os_str() == "-" {
                self.current = Some(self.stdin());
                continue;
            }
            match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Some(Item::Failed(
                        path.display().to_string(),
                        InputError::Missing,
                    ))
                }
                Err(e) => {
                    return Some(Item::Failed(
                        path.display().to_string(),
                        InputError::Io(e.to_string()),
                    ))
                }
                Ok(m) if m.is_dir() => self.walker = Some(walk::Walk::new(&path, &m)),
                Ok(m) => match walk::check_type(&Ok(m)) {
                    Ok(()) => self.current = Some(self.open(&path)),
                    Err(e) => return Some(Item::Failed(path.display().to_string(), e)),
                },
            }
        }
    }
}

fn failed(name: String, e: InputError) -> Box<dyn Iterator<Item = Item> + Send> {
    Box::new(std::iter::once(Item::Failed(name, e)))
}

/// Whether a path ends in `.ext` (any case).
fn has_extension(p: &Path, ext: &str) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// A file's name without its extension: the id of the article it holds.
fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Reads a whole stream as one article's text, at most [`MAX_RECORD_BYTES`] (whatever
/// the file system says its length is: a device can be endless).
fn whole_text(reader: impl Read, _name: &str) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_RECORD_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Io(e.to_string()))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(InputError::TooLarge);
    }
    let text = text_of(bytes)?;
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text)
}

/// Checks that bytes are text: UTF-8 without NUL.
fn text_of(bytes: Vec<u8>) -> Result<String, InputError> {
    if let Some(at) = memchr::memchr(0, &bytes) {
        return Err(InputError::Nul(at));
    }
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// Article metadata by id (`--meta`): JSON lines `{"id", "published", "title", "url"}`.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    by_id: std::sync::Arc<HashMap<String, MetaEntry>>,
}

#[derive(Debug, Clone, Default)]
struct MetaEntry {
    published: Option<NaiveDate>,
    title: Option<String>,
    url: Option<String>,
}

/// A metadata file that cannot be used, with the place of the problem.
#[derive(Debug, thiserror::Error)]
#[error("{place}: {reason}")]
pub struct MetaError {
    /// `file` or `file:line`.
    pub place: String,
    /// What is wrong.
    pub reason: String,
}

impl Meta {
    /// Reads a metadata file; any bad line makes it unusable (it describes other files,
    /// so a silently skipped line would leave articles undated).
    pub fn read(path: &Path) -> Result<Meta, MetaError> {
        let name = path.display().to_string();
        let err = |place: String, reason: String| MetaError { place, reason };
        let f = std::fs::File::open(path).map_err(|e| err(name.clone(), e.to_string()))?;
        let mut by_id = HashMap::new();
        for (n, line) in BufReader::new(f).lines().enumerate() {
            let place = format!("{name}:{}", n + 1);
            let line = line.map_err(|e| err(place.clone(), e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line)
                .map_err(|e| err(place.clone(), format!("not a JSON object: {e}")))?;
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let Some(id) = s("id") else {
                return Err(err(place, "no \"id\"".into()));
            };
            let published = match s("published") {
                None => None,
                Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    err(place.clone(), format!("published {d:?} is not YYYY-MM-DD"))
                })?),
            };
            by_id.insert(
                id,
                MetaEntry {
                    published,
                    title: s("title"),
                    url: s("url"),
                },
            );
        }
        Ok(Meta {
            by_id: std::sync::Arc::new(by_id),
        })
    }
}

#[cfg(test)]
mod tests;
