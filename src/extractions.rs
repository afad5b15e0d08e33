//! The extractions format (docs/extractions-format.md): one JSON line per article, holding
//! what the pipeline's extraction stage hands to its apply stage (a [`Prepared`]) — the
//! article, its text's sha256 and its [`Extraction`] — or the failure of that article
//! with its place. `coopgraph extract` writes these lines; `ingest --format extractions`
//! reads them back into [`Prepared`]s and applies them as a normal ingest would.

use crate::extract::{Article, ExtractError, Extraction};
use crate::ingest::sha256_hex;
use crate::input::{InputError, Item};
use crate::pipeline::Prepared;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The format version written in every line's `version`.
pub const VERSION: u32 = 1;

/// The longest extraction line read: an article's largest record with room for its
/// extraction.
pub const MAX_LINE_BYTES: usize = 4 * crate::input::MAX_RECORD_BYTES;

/// One line of the format.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    version: u32,
    /// Where the article was read (`file`, `file:line`, `-:line`).
    place: String,
    /// The input line, when the place is a line of a JSON-lines stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    article: Option<Article>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extraction: Option<Extraction>,
    /// Why the article could not be extracted (with `article`), machine-readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extract_error: Option<ExtractError>,
    /// The failure, for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The line number a place of a JSON-lines stream ends with (`-:12` → 12).
fn line_of(place: &str) -> Option<usize> {
    place.rsplit_once(':').and_then(|(_, n)| n.parse().ok())
}

/// Whether a prepared article is a failure (its line is an error line).
fn is_failure(p: &Prepared) -> bool {
    matches!(p.item, Item::Failed(..)) || matches!(p.extraction, Some(Err(_)))
}

/// Writes a prepared article as one line of the format (without the newline); returns
/// whether it records a failure.
pub fn write_line(p: Prepared, out: &mut Vec<u8>) -> Result<bool, serde_json::Error> {
    let failed = is_failure(&p);
    let line = match p.item {
        Item::Failed(place, e) => Line {
            version: VERSION,
            line: line_of(&place),
            place,
            sha256: None,
            article: None,
            extraction: None,
            extract_error: None,
            error: Some(e.to_string()),
        },
        Item::Article(a, place) => {
            let (extraction, extract_error) = match p.extraction {
                Some(Ok(x)) => (Some(x), None),
                Some(Err(e)) => (None, Some(e)),
                None => (None, None),
            };
            Line {
                version: VERSION,
                line: line_of(&place),
                place,
                sha256: Some(p.sha),
                error: extract_error.as_ref().map(ExtractError::to_string),
                article: Some(a),
                extraction,
                extract_error,
            }
        }
    };
    serde_json::to_writer(out, &line)?;
    Ok(failed)
}

/// Turns one line into what the apply stage takes; a line that cannot be used is a
/// failure at `place` (the line of the extractions file).
fn read_line(text: &str, place: String) -> Prepared {
    let failed = |place: String, why: String| Prepared {
        item: Item::Failed(place, InputError::Extractions(why)),
        sha: String::new(),
        extraction: None,
        took: Duration::ZERO,
    };
    let l: Line = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => return failed(place, format!("not an extraction line: {e}")),
    };
    if l.version != VERSION {
        return failed(
            place,
            format!(
                "extraction format version {} (this coopgraph reads version {VERSION})",
                l.version
            ),
        );
    }
    let Some(article) = l.article else {
        // An error line of `coopgraph extract`: the article's own place and failure.
        let why = l.error.unwrap_or_else(|| "no article and no error".into());
        return failed(l.place, why);
    };
    let sha = sha256_hex(&article.text);
    if l.sha256.as_deref() != Some(sha.as_str()) {
        return failed(place, "sha256 does not match the article's text".into());
    }
    let extraction = match (l.extraction, l.extract_error) {
        (Some(x), None) => match x.check(article.text.chars().count()) {
            Ok(()) => Some(Ok(x)),
            Err(why) => return failed(place, why),
        },
        (None, Some(e)) => Some(Err(e)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return failed(place, "both an extraction and an extract_error".into())
        }
    };
    Prepared {
        item: Item::Article(article, l.place),
        sha,
        extraction,
        took: Duration::ZERO,
    }
}

/// The prepared articles of an extractions stream, line by line; each line that cannot
/// be used is one failure naming `name:line`.
pub struct Lines<R> {
    reader: R,
    name: String,
    line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Reads `reader`, calling it `name` in messages.
    pub fn new(reader: R, name: String) -> Lines<R> {
        Lines {
            reader,
            name,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The next line into `buf`; Ok(false) at the end; a line longer than
    /// [`MAX_LINE_BYTES`] is skipped to its end and reported.
    fn next_line(&mut self) -> std::io::Result<Result<bool, String>> {
        self.buf.clear();
        let n = (&mut self.reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(Ok(false));
        }
        if self.buf.len() > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') {
            self.buf.clear();
            // Skip the rest of the line a chunk at a time.
            loop {
                let avail = self.reader.fill_buf()?;
                if avail.is_empty() {
                    break;
                }
                match memchr::memchr(b'\n', avail) {
                    Some(i) => {
                        self.reader.consume(i + 1);
                        break;
                    }
                    None => {
                        let n = avail.len();
                        self.reader.consume(n);
                    }
                }
            }
            return Ok(Err(format!("line longer than {MAX_LINE_BYTES} bytes")));
        }
        Ok(Ok(true))
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Prepared;

    fn next(&mut self) -> Option<Prepared> {
        while !self.done {
            self.line += 1;
            let place = format!("{}:{}", self.name, self.line);
            let why = match self.next_line() {
                Err(e) => {
                    self.done = true;
                    e.to_string()
                }
                Ok(Ok(false)) => {
                    self.done = true;
                    return None;
                }
                Ok(Err(why)) => why,
                Ok(Ok(true)) => match std::str::from_utf8(&self.buf) {
                    Ok(t) if t.trim().is_empty() => continue,
                    Ok(t) => return Some(read_line(t.trim_end_matches(['\n', '\r']), place)),
                    Err(e) => format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
                },
            };
            return Some(Prepared {
                item: Item::Failed(place, InputError::Extractions(why)),
                sha: String::new(),
                extraction: None,
                took: Duration::ZERO,
            });
        }
        None
    }
}

/// The prepared articles of extractions files, read in order: `-` is standard input, a
/// directory is its files in name order (skipping names starting with `.` or `_`, such
/// as the `_SUCCESS` and `.crc` files Spark writes beside its `part-*` files).
pub fn read_paths(paths: &[PathBuf]) -> impl Iterator<Item = Prepared> + Send {
    let paths = paths.to_vec();
    paths
        .into_iter()
        .flat_map(|p| -> Box<dyn Iterator<Item = Prepared> + Send> {
            if p.as_os_str() == "-" {
                return Box::new(Lines::new(
                    BufReader::with_capacity(1 << 16, std::io::stdin()),
                    "-".into(),
                ));
            }
            if p.is_dir() {
                let files = match dir_files(&p) {
                    Ok(f) => f,
                    Err(e) => return Box::new(std::iter::once(unreadable(&p, e))),
                };
                return Box::new(files.into_iter().flat_map(|f| open(&f)));
            }
            open(&p)
        })
}

fn unreadable(p: &Path, e: std::io::Error) -> Prepared {
    Prepared {
        item: Item::Failed(
            p.display().to_string(),
            if e.kind() == std::io::ErrorKind::NotFound {
                InputError::Missing
            } else {
                InputError::Io(e.to_string())
            },
        ),
        sha: String::new(),
        extraction: None,
        took: Duration::ZERO,
    }
}

fn open(p: &Path) -> Box<dyn Iterator<Item = Prepared> + Send> {
    match std::fs::File::open(p) {
        Ok(f) => Box::new(Lines::new(
            BufReader::with_capacity(1 << 16, f),
            p.display().to_string(),
        )),
        Err(e) => Box::new(std::iter::once(unreadable(p, e))),
    }
}

/// A directory's regular files in name order, without hidden and `_` names.
fn dir_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('_') || !entry.file_type()?.is_file() {
            continue;
        }
        files.push(entry.path());
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{prepare, Known};

    fn article(id: &str, text: &str) -> Item {
        Item::Article(
            Article {
                id: id.into(),
                text: text.into(),
                ..Article::default()
            },
            format!("-:{id}"),
        )
    }

    fn round_trip(p: Prepared) -> Prepared {
        let mut out = Vec::new();
        write_line(p, &mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        Lines::new(text.as_bytes(), "x".into())
            .next()
            .expect("a line")
    }

    #[test]
    fn an_article_reads_back_as_prepared() {
        let item = article(
            "7",
            "Vietnam and China signed an agreement on cybercrime in Hanoi.",
        );
        let p = prepare(item, &Known::default());
        let (sha, x) = (p.sha.clone(), p.extraction.clone());
        let back = round_trip(p);
        assert_eq!(back.sha, sha);
        assert_eq!(back.extraction, x);
        match back.item {
            Item::Article(a, place) => assert_eq!((a.id.as_str(), place.as_str()), ("7", "-:7")),
            Item::Failed(p, e) => panic!("{p}: {e}"),
        }
    }

    #[test]
    fn failures_keep_their_place_and_message() {
        let p = prepare(
            Item::Failed("-:3".into(), InputError::NoText),
            &Known::default(),
        );
        match round_trip(p).item {
            Item::Failed(place, e) => {
                assert_eq!(
                    (place.as_str(), e.to_string().as_str()),
                    ("-:3", "no `text`")
                )
            }
            Item::Article(..) => panic!("not a failure"),
        }
    }

    #[test]
    fn bad_lines_are_failures_at_their_line() {
        let text = "{\"version\":1}\n\nnot json\n{\"version\":9,\"place\":\"-:1\"}\n";
        let got: Vec<String> = Lines::new(text.as_bytes(), "f".into())
            .map(|p| match p.item {
                Item::Failed(place, e) => format!("{place}: {e}"),
                Item::Article(..) => "article".into(),
            })
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].starts_with("f:1: not an extraction line"), "{got:?}");
        assert!(got[1].starts_with("f:3: not an extraction line"), "{got:?}");
        assert!(
            got[2].starts_with("f:4: extraction format version 9"),
            "{got:?}"
        );
    }

    #[test]
    fn a_changed_text_or_a_stray_index_is_refused() {
        let p = prepare(
            article("1", "Vietnam and China signed an agreement on cybercrime."),
            &Known::default(),
        );
        let mut out = Vec::new();
        write_line(p, &mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        let edited = line.replace("signed", "sighed");
        let p = Lines::new(edited.as_bytes(), "f".into()).next().unwrap();
        assert!(
            matches!(p.item, Item::Failed(_, InputError::Extractions(ref m)) if m.contains("sha256"))
        );
        let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
        v["extraction"]["relations"][0]["dst"] = 99.into();
        let p = Lines::new(v.to_string().as_bytes(), "f".into())
            .next()
            .unwrap();
        assert!(
            matches!(p.item, Item::Failed(_, InputError::Extractions(ref m)) if m.contains("joins entities")),
            "{:?}",
            p.item
        );
    }
}
