//! `.jsonl` articles, one JSON object per line, read line by line with a bound on the
//! line length.

use super::{text_of, InputError, Item, MAX_RECORD_BYTES};
use crate::extract::Article;
use chrono::NaiveDate;
use std::io::BufRead;

/// The articles of a JSON-lines stream; each bad line is one [`Item::Failed`] naming it.
pub struct Lines<R> {
    reader: R,
    name: String,
    id_prefix: String,
    line: usize,
    buf: Vec<u8>,
    done: bool,
    /// The ids read so far, with their lines: a repeated id is refused, not replaced.
    ids: std::collections::HashMap<String, usize>,
}

impl<R: BufRead> Lines<R> {
    /// Reads `reader`, calling it `name` in messages; articles without an `id` get
    /// `<id_prefix>:<line>`.
    pub fn new(reader: R, name: String, id_prefix: String) -> Lines<R> {
        Lines {
            reader,
            name,
            id_prefix,
            line: 0,
            buf: Vec::new(),
            done: false,
            ids: std::collections::HashMap::new(),
        }
    }

    /// Reads the next line into `buf` (without its newline), at most
    /// [`MAX_RECORD_BYTES`] of it; returns None at the end, else whether it was too long.
    fn read_line(&mut self) -> Result<Option<bool>, std::io::Error> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (chunk, found) = match memchr::memchr(b'\n', avail) {
                Some(i) => (&avail[..i], Some(i + 1)),
                None => (avail, None),
            };
            if !too_long {
                if self.buf.len() + chunk.len() > MAX_RECORD_BYTES {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            let used = found.unwrap_or(avail.len());
            self.reader.consume(used);
            if found.is_some() {
                return Ok(Some(too_long));
            }
        }
    }

    fn parse(&mut self) -> Result<Article, InputError> {
        let bytes = std::mem::take(&mut self.buf);
        let mut text = text_of(bytes)?;
        if text.ends_with('\r') {
            text.pop();
        }
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| InputError::Json(e.to_string()))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let Some(body) = s("text").filter(|t| !t.trim().is_empty()) else {
            return Err(InputError::NoText);
        };
        let date = match v.get("published") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(d)) => Some(
                NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").map_err(|_| {
                    InputError::BadDate(serde_json::Value::from(d.as_str()).to_string())
                })?,
            ),
            Some(other) => return Err(InputError::BadDate(other.to_string())),
        };
        let id = match v.get("id") {
            None | Some(serde_json::Value::Null) => format!("{}:{}", self.id_prefix, self.line),
            Some(serde_json::Value::String(id)) => id.clone(),
            Some(other) => return Err(InputError::IdNotString(other.to_string())),
        };
        if let Some(first) = self.ids.get(&id) {
            return Err(InputError::DuplicateId(id, *first));
        }
        self.ids.insert(id.clone(), self.line);
        Ok(Article {
            id,
            title: s("title"),
            published: date.or_else(|| s("url").as_deref().and_then(date_in_url)),
            url: s("url"),
            source: s("source"),
            author: s("author"),
            text: body,
        })
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while !self.done {
            self.line += 1;
            let place = format!("{}:{}", self.name, self.line);
            match self.read_line() {
                Err(e) => {
                    self.done = true;
                    return Some(Item::Failed(place, InputError::Io(e.to_string())));
                }
                Ok(None) => self.done = true,
                Ok(Some(true)) => return Some(Item::Failed(place, InputError::TooLarge)),
                Ok(Some(false)) => {
                    if self.buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(match self.parse() {
                        Ok(a) => Item::Article(a, place),
                        Err(e) => Item::Failed(place, e),
                    });
                }
            }
        }
        None
    }
}

/// The publication date many news sites put in their article URLs
/// (`/2022/08/16/`, `/2018-05/14/`, `-2021-02-27-`), when it is a valid day.
pub fn date_in_url(url: &str) -> Option<NaiveDate> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(?:^|[/_-])((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?:$|[/_.-])")
            .expect("valid regex")
    });
    let c = re.captures(url)?;
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    NaiveDate::from_ymd_opt(n(1)? as i32, n(2)?, n(3)?)
}
