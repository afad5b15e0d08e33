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

mod feed;
mod html;
mod jsonl;
mod walk;

pub use jsonl::date_in_url;
pub use walk::Skip;

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
    /// A `published` value that is not a date.
    #[error("`published` {0} is not a date (YYYY-MM-DD); the article is left out")]
    BadDate(String),
    /// An `id` that is not a string.
    #[error("`id` {0} is not a string; write it in quotes (\"{0}\"); the article is left out")]
    IdNotString(String),
    /// A `.jsonl` id already read from the same file.
    #[error(
        "duplicate id {0:?} (first at line {1}); the first article is kept, this one left out"
    )]
    DuplicateId(String, usize),
    /// A page in which no article could be found.
    #[error("{0}")]
    Html(String),
    /// A feed that cannot be parsed.
    #[error("not an RSS or Atom feed: {0}")]
    Feed(String),
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

/// How a file's records are read, chosen by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`, `.md`: the whole file is one article.
    Text,
    /// `.jsonl`: one article per line.
    Jsonl,
    /// `.html`, `.htm`: a news page, one article.
    Html,
    /// `.xml`, `.rss`, `.atom`: an RSS or Atom feed, one article per item.
    Feed,
}

/// The format of a path by its extension (any case); None for a file of no article kind.
pub fn format_of(p: &Path) -> Option<Format> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "md" => Some(Format::Text),
        "jsonl" => Some(Format::Jsonl),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "xml" | "rss" | "atom" => Some(Format::Feed),
        _ => None,
    }
}

/// Which files of a directory are read besides (`include`) or instead of (`exclude`)
/// the article kinds; globs match the path below the directory named.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--include`: also read these, as plain text when of no article kind.
    pub include: Option<globset::GlobSet>,
    /// `--exclude`: never read these.
    pub exclude: Option<globset::GlobSet>,
}

impl Selection {
    /// Builds a selection from `--include` and `--exclude` globs (`*.html`, `2025/**`).
    pub fn new(include: &[String], exclude: &[String]) -> Result<Selection, globset::Error> {
        let set = |globs: &[String]| -> Result<Option<globset::GlobSet>, globset::Error> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                b.add(globset::Glob::new(g)?);
            }
            b.build().map(Some)
        };
        Ok(Selection {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }
}

/// The files directory walks passed over, counted by [`Skip`] kind with a few names of
/// each; shared with the reader, so it can be read while and after the articles are.
#[derive(Debug, Clone, Default)]
pub struct Skipped(std::sync::Arc<std::sync::Mutex<SkipCounts>>);

/// Per kind of skipped file: how many, and the first few names.
type SkipCounts = std::collections::BTreeMap<Skip, (usize, Vec<String>)>;

impl Skipped {
    /// How many names of each kind are kept for the report.
    const NAMES: usize = 3;

    fn add(&self, p: &Path, why: Skip) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (n, names) = m.entry(why).or_default();
        *n += 1;
        if names.len() < Self::NAMES {
            names.push(
                p.file_name()
                    .unwrap_or(p.as_os_str())
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }

    /// The number of files passed over.
    pub fn total(&self) -> usize {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.values().map(|(n, _)| n).sum()
    }

    /// One line saying what was passed over, by kind ("not read: 3 files —
    /// 1 named like README, SOURCES or LICENSE (SOURCES.md), 2 .pdf (a.pdf, b.pdf); …");
    /// None when nothing was.
    pub fn summary(&self) -> Option<String> {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.is_empty() {
            return None;
        }
        let kinds: Vec<String> = m
            .iter()
            .map(|(why, (n, names))| {
                let more = if *n > names.len() { ", …" } else { "" };
                format!("{n} {why} ({}{more})", names.join(", "))
            })
            .collect();
        let n: usize = m.values().map(|(n, _)| n).sum();
        Some(format!(
            "not read: {} — {}; --include GLOB reads such files",
            crate::term::plural(n as u64, "file"),
            kinds.join(", ")
        ))
    }
}

/// Options of reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Publication date for articles that give none.
    pub published: Option<NaiveDate>,
    /// Metadata by article id, filled in where the article lacks it.
    pub meta: Option<Meta>,
    /// Which files of directories are read.
    pub select: Selection,
    /// The outlet for articles that do not name one.
    pub source: Option<String>,
    /// What `-` reads when not this process's standard input (the bytes a client of
    /// `coopgraph serve` sent).
    pub stdin: Option<std::sync::Arc<[u8]>>,
}

/// Reads the articles of `paths` one at a time (see the module documentation).
pub struct Articles {
    pending: std::collections::VecDeque<PathBuf>,
    walker: Option<walk::Walk>,
    current: Option<Box<dyn Iterator<Item = Item> + Send>>,
    opts: ReadOptions,
    skipped: Skipped,
}

impl Articles {
    /// A reader of `paths` (files, directories, `-`), in order; directories are read in
    /// name order, recursively.
    pub fn new(paths: &[PathBuf], opts: ReadOptions) -> Articles {
        Articles {
            pending: paths.iter().cloned().collect(),
            walker: None,
            current: None,
            opts,
            skipped: Skipped::default(),
        }
    }

    /// The record of files passed over in directories, filled in as they are read.
    pub fn skipped(&self) -> Skipped {
        self.skipped.clone()
    }

    fn open(&self, path: &Path, format: Format) -> Box<dyn Iterator<Item = Item> + Send> {
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
        match format {
            Format::Jsonl => Box::new(self.decorate(jsonl::Lines::new(reader, name, stem(path)))),
            Format::Feed => {
                let items = match whole_text(reader) {
                    Ok(text) => feed::items(text.as_bytes(), &name, &stem(path)),
                    Err(e) => vec![Item::Failed(name, e)],
                };
                Box::new(self.decorate(items.into_iter()))
            }
            Format::Text | Format::Html => {
                let art =
                    whole_text(reader).and_then(|text| text_article(text, stem(path), format));
                Box::new(self.decorate(std::iter::once(match art {
                    Ok(a) => Item::Article(a, name),
                    Err(e) => Item::Failed(name, e),
                })))
            }
        }
    }

    fn stdin(&self) -> Box<dyn Iterator<Item = Item> + Send> {
        let input: Box<dyn Read + Send> = match &self.opts.stdin {
            Some(bytes) => Box::new(std::io::Cursor::new(std::sync::Arc::clone(bytes))),
            None => Box::new(std::io::stdin()),
        };
        let mut reader = BufReader::with_capacity(1 << 16, input);
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
            let item = match whole_text(reader)
                .and_then(|text| text_article(text, "stdin".into(), Format::Text))
            {
                Ok(a) => Item::Article(a, "-".into()),
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
        let source = self.opts.source.clone();
        items.map(move |item| match item {
            Item::Article(mut a, place) => {
                a.source = a.source.take().or_else(|| source.clone());
                if let Some(m) = meta.as_ref().and_then(|m| m.by_id.get(&a.id)) {
                    a.published = a.published.or(m.published);
                    a.title = a.title.take().or_else(|| m.title.clone());
                    a.url = a.url.take().or_else(|| m.url.clone());
                }
                a.published = a.published.or(published);
                // Given titles first (the source's, then --meta), then the headline line.
                a.title = a.title.take().or_else(|| headline(&a.text));
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
                    Some(walk::Entry::File(path, format)) => {
                        self.current = Some(self.open(&path, format));
                        continue;
                    }
                    Some(walk::Entry::Skipped(path, why)) => {
                        self.skipped.add(&path, why);
                        continue;
                    }
                    Some(walk::Entry::Failed(place, e)) => return Some(Item::Failed(place, e)),
                    None => self.walker = None,
                }
            }
            let path = self.pending.pop_front()?;
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
                Ok(m) if m.is_dir() => {
                    self.walker = Some(walk::Walk::new(&path, &m, self.opts.select.clone()))
                }
                // A file named on the command line is read whatever its name; one of no
                // article kind as plain text.
                Ok(m) => match walk::check_type(&Ok(m)) {
                    Ok(()) => {
                        let format = format_of(&path).unwrap_or(Format::Text);
                        self.current = Some(self.open(&path, format))
                    }
                    Err(e) => return Some(Item::Failed(path.display().to_string(), e)),
                },
            }
        }
    }
}

fn failed(name: String, e: InputError) -> Box<dyn Iterator<Item = Item> + Send> {
    Box::new(std::iter::once(Item::Failed(name, e)))
}

/// A file's name without its extension: the id of the article it holds.
fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// One article from a whole file's text: a page when the format says so, or when text
/// of no known kind starts like an HTML document.
fn text_article(text: String, id: String, format: Format) -> Result<Article, InputError> {
    let head = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    if format == Format::Html || head.starts_with("<!doctype html") || head.starts_with("<html") {
        return html::article(&text, id);
    }
    Ok(Article {
        id,
        text,
        ..Article::default()
    })
}

/// The headline of an article's text: its first line when that reads as one — 3 to 30
/// words, not ending in a sentence stop, holding no ISO date (a date line is no
/// headline), and followed by more text.
pub fn headline(text: &str) -> Option<String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    lines.next()?;
    let words = first.split_whitespace().count();
    let stops = first.ends_with(['.', ';', ',', ':']) && !first.ends_with("..");
    let iso_date = first.as_bytes().windows(10).any(|w| {
        w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'-'
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[7] == b'-'
            && w[8..].iter().all(u8::is_ascii_digit)
    });
    ((3..=30).contains(&words) && first.chars().count() <= 200 && !stops && !iso_date)
        .then(|| first.to_string())
}

/// Reads a whole stream as one article's text, at most [`MAX_RECORD_BYTES`] (whatever
/// the file system says its length is: a device can be endless).
fn whole_text(reader: impl Read) -> Result<String, InputError> {
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
