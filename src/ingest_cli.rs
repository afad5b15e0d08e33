//! The `ingest` and `explain` commands: reading article files, progress and summary
//! output, and printing the report behind a node or edge.

use crate::cli::{EXIT_OK, EXIT_PROBLEMS};
use crate::extract::Article;
use crate::graph::Graph;
use crate::ingest::{self, Outcome};
use crate::store::Store;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Files larger than this are skipped.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// One article to ingest, or a reason it cannot be read.
enum Input {
    Article(Article),
    Failed(String, String),
}

fn is_article_file(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("txt" | "md" | "jsonl")
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_article_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}

fn read_text(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "too large ({} bytes, limit {MAX_FILE_BYTES})",
            bytes.len()
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    if text.contains('\0') {
        return Err("not text (contains NUL bytes)".into());
    }
    if text.trim().is_empty() {
        return Err("empty".into());
    }
    let _ = name;
    Ok(text)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn jsonl_articles(
    name: &str,
    text: &str,
    id_prefix: &str,
    published: Option<NaiveDate>,
    out: &mut Vec<Input>,
) {
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let where_ = format!("{name}:{}", n + 1);
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.push(Input::Failed(where_, format!("not a JSON object: {e}")));
                continue;
            }
        };
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let Some(body) = s("text").filter(|t| !t.trim().is_empty()) else {
            out.push(Input::Failed(where_, "no `text`".into()));
            continue;
        };
        let date = s("published")
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d").ok());
        out.push(Input::Article(Article {
            id: s("id").unwrap_or_else(|| format!("{id_prefix}:{}", n + 1)),
            title: s("title"),
            url: s("url"),
            published: date
                .or_else(|| s("url").as_deref().and_then(date_in_url))
                .or(published),
            text: body,
        }));
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

fn collect(paths: &[PathBuf], published: Option<NaiveDate>) -> Result<Vec<Input>> {
    let mut files = Vec::new();
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("reading standard input")?;
            match read_text("-", bytes) {
                Ok(t) if t.trim_start().starts_with('{') => {
                    jsonl_articles("-", &t, "stdin", published, &mut out)
                }
                Ok(t) => out.push(Input::Article(Article {
                    id: "stdin".into(),
                    published,
                    text: t,
                    ..Article::default()
                })),
                Err(e) => out.push(Input::Failed("-".into(), e)),
            }
        } else if p.is_dir() {
            walk(p, &mut files).with_context(|| format!("reading directory {}", p.display()))?;
        } else if p.exists() {
            files.push(p.clone());
        } else {
            bail!("{}: no such file or directory", p.display());
        }
    }
    for f in files {
        let name = f.display().to_string();
        let bytes = match std::fs::metadata(&f) {
            Ok(m) if m.len() > MAX_FILE_BYTES => {
                out.push(Input::Failed(
                    name,
                    format!("too large ({} bytes, limit {MAX_FILE_BYTES})", m.len()),
                ));
                continue;
            }
            _ => match std::fs::read(&f) {
                Ok(b) => b,
                Err(e) => {
                    out.push(Input::Failed(name, e.to_string()));
                    continue;
                }
            },
        };
        let text = match read_text(&name, bytes) {
            Ok(t) => t,
            Err(e) => {
                out.push(Input::Failed(name, e));
                continue;
            }
        };
        if f.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
        {
            jsonl_articles(&name, &text, &stem(&f), published, &mut out);
        } else {
            out.push(Input::Article(Article {
                id: stem(&f),
                published,
                text,
                ..Article::default()
            }));
        }
    }
    Ok(out)
}

/// Fills in the `published`, `title` and `url` of articles from a metadata file: JSON
/// lines `{"id": …, "published": "YYYY-MM-DD", "title": …, "url": …}`, where `id` is the
/// article's id (a file's name without its extension). What an article gives itself wins.
fn apply_meta(inputs: &mut [Input], path: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut by_id = std::collections::HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON object", path.display(), n + 1))?;
        let Some(id) = v.get("id").and_then(|x| x.as_str()) else {
            bail!("{}:{}: no \"id\"", path.display(), n + 1);
        };
        by_id.insert(id.to_string(), (n + 1, v.clone()));
    }
    for input in inputs.iter_mut() {
        let Input::Article(a) = input else { continue };
        let Some((line, v)) = by_id.get(&a.id) else {
            continue;
        };
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        if a.published.is_none() {
            if let Some(d) = s("published") {
                let d = NaiveDate::parse_from_str(&d, "%Y-%m-%d").with_context(|| {
                    format!(
                        "{}:{line}: published {d:?} is not YYYY-MM-DD",
                        path.display()
                    )
                })?;
                a.published = Some(d);
            }
        }
        a.title = a.title.take().or_else(|| s("title"));
        a.url = a.url.take().or_else(|| s("url"));
    }
    Ok(())
}

/// Runs `coopgraph ingest`.
pub fn run(
    db: &Path,
    paths: &[PathBuf],
    published: Option<NaiveDate>,
    source: Option<&str>,
    meta: Option<&Path>,
) -> Result<i32> {
    let t = Instant::now();
    let inputs = read_inputs(paths, published, meta)?;
    let mut store = Store::open(db)?;
    ingest_inputs(&mut store, inputs, source, t, None)
}

/// Ingests articles into an open store, as `coopgraph ingest` does (the shell's
/// `:ingest`); stops between articles once `cancel` is set (each article is its own
/// batch, so the ones before stay). Returns the exit status.
pub fn ingest_into(
    store: &mut Store,
    paths: &[PathBuf],
    published: Option<NaiveDate>,
    source: Option<&str>,
    meta: Option<&Path>,
    cancel: Option<&AtomicBool>,
) -> Result<i32> {
    let t = Instant::now();
    let inputs = read_inputs(paths, published, meta)?;
    ingest_inputs(store, inputs, source, t, cancel)
}

fn read_inputs(
    paths: &[PathBuf],
    published: Option<NaiveDate>,
    meta: Option<&Path>,
) -> Result<Vec<Input>> {
    let mut inputs = collect(paths, published)?;
    if let Some(m) = meta {
        apply_meta(&mut inputs, m)?;
    }
    Ok(inputs)
}

fn ingest_inputs(
    store: &mut Store,
    inputs: Vec<Input>,
    source: Option<&str>,
    t: Instant,
    cancel: Option<&AtomicBool>,
) -> Result<i32> {
    let before = (store.graph().node_count(), store.graph().edge_count());
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(inputs.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} articles {per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let (mut ingested, mut unchanged, mut replaced, mut failed) = (0usize, 0usize, 0usize, 0usize);
    let total = inputs.len();
    let mut stopped = None;
    for (i, input) in inputs.into_iter().enumerate() {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            stopped = Some(i);
            break;
        }
        match input {
            Input::Failed(name, why) => {
                failed += 1;
                let msg = format!("skipped {name}: {why}");
                match &bar {
                    Some(b) => b.println(msg),
                    None => eprintln!("{msg}"),
                }
            }
            Input::Article(a) => match ingest::ingest_article(store, &a, source) {
                Ok(Outcome::Added) => ingested += 1,
                Ok(Outcome::Replaced) => {
                    ingested += 1;
                    replaced += 1;
                }
                Ok(Outcome::Unchanged) => {
                    unchanged += 1;
                    let msg = format!("unchanged {}: already ingested with the same text", a.id);
                    match &bar {
                        Some(b) => b.println(msg),
                        None => eprintln!("{msg}"),
                    }
                }
                Err(e) => {
                    failed += 1;
                    let msg = format!("skipped {}: {e}", a.id);
                    match &bar {
                        Some(b) => b.println(msg),
                        None => eprintln!("{msg}"),
                    }
                }
            },
        }
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(i) = stopped {
        eprintln!("interrupted: {i} of {total} inputs read, the rest left out");
    }
    let g = store.graph();
    let dn = g.node_count() as i64 - before.0 as i64;
    let de = g.edge_count() as i64 - before.1 as i64;
    eprintln!(
        "ingested {ingested} articles ({replaced} replaced), skipped {unchanged} unchanged, {failed} failed; {dn:+} nodes, {de:+} edges in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    Ok(if failed > 0 { EXIT_PROBLEMS } else { EXIT_OK })
}

/// Runs `coopgraph explain`: prints [`ingest::explain::explain`]'s report.
pub fn explain(g: &Graph, target: &str) -> Result<i32> {
    print!("{}", ingest::explain::explain(g, target)?);
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_from_article_urls() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            date_in_url("https://www.malaymail.com/news/malaysia/2022/08/16/malaysia-police/23135"),
            d(2022, 8, 16)
        );
        assert_eq!(
            date_in_url("http://en.gmw.cn/2018-05/14/content_28783615.htm"),
            d(2018, 5, 14)
        );
        assert_eq!(
            date_in_url("https://example.org/2025/01/japan-grant/"),
            None
        );
        assert_eq!(date_in_url("https://example.org/2025/13/45/x"), None);
        assert_eq!(date_in_url("https://example.org/item-12019-05-14"), None);
    }
}
