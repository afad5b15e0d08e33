//! The `ingest` and `explain` commands: progress and summary output of an ingest (the
//! reading is `input`, the work `pipeline`), and quoting the evidence behind a node or edge.

use crate::console::Console;
use crate::exit::{EXIT_OK, EXIT_PROBLEMS};
use crate::graph::Graph;
use crate::ingest::Outcome;
use crate::input::{Articles, Meta, ReadOptions, Selection};
use crate::pipeline::{self, Event, Summary};
use crate::shared::{Batches, Shared};
use crate::store::{GroupCommit, Store};
use crate::term::plural;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

fn thousands(n: usize) -> String {
    crate::term::thousands(n as u64)
}

/// Where an ingest applies its articles.
enum Target<'a> {
    /// A store this process has alone.
    Own(&'a mut Store),
    /// A store shared with readers: articles are extracted without holding it, and each
    /// durable batch is applied while readers wait.
    Shared(&'a Shared),
}

/// How many unchanged documents an ingest names one by one.
const UNCHANGED_NAMED: usize = 5;

/// How `coopgraph ingest` (and the shell's `:ingest`) reads and writes.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Publication date for articles that give none.
    pub published: Option<NaiveDate>,
    /// The outlet to record as the documents' `source`.
    pub source: Option<String>,
    /// A JSON-lines file of article metadata, matched by id.
    pub meta: Option<PathBuf>,
    /// Extraction threads (0 or 1: one).
    pub jobs: usize,
    /// Documents per durable batch (0: the default).
    pub batch: usize,
    /// `--include` globs: in directories, also read these files.
    pub include: Vec<String>,
    /// `--exclude` globs: in directories, never read these files.
    pub exclude: Vec<String>,
    /// The paths hold `coopgraph extract` lines (docs/extractions-format.md), not articles.
    pub extractions: bool,
}

/// Runs `coopgraph ingest` on the database folder `db`, writing to `io`.
pub fn run(db: &Path, paths: &[PathBuf], opts: &IngestOptions, io: &mut Console) -> Result<i32> {
    let t = Instant::now();
    let read = read_options(opts, io)?;
    let created = !db.exists();
    let mut store = Store::open(db)?;
    let cancel = io.cancel.clone();
    let r = ingest_inputs(
        Target::Own(&mut store),
        paths,
        read,
        opts,
        t,
        cancel.as_deref(),
        io,
    );
    let stored = store.graph().node_count() > 0;
    let failed = !matches!(r, Ok(EXIT_OK));
    if created && !stored && failed {
        // The ingest failed and stored nothing in the database this command made: remove
        // it again. (An input with no articles at all succeeds and keeps the new, empty
        // database.)
        drop(store);
        let note = match std::fs::remove_dir_all(db) {
            Ok(()) => format!("nothing was ingested; {} was not created", db.display()),
            Err(e) => format!(
                "nothing was ingested; the new database {} is empty, but removing it failed: {e}",
                db.display()
            ),
        };
        writeln!(io.err, "{}", crate::term::safe(&note))?;
        return r;
    }
    let code = r?;
    store.close_for_exit()?;
    Ok(code)
}

/// Ingests articles into an open store, as `coopgraph ingest` does (the shell's
/// `:ingest`); stops between articles once `cancel` is set (the ones applied before are
/// committed). Returns the exit status.
pub fn ingest_into(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &IngestOptions,
    cancel: Option<&AtomicBool>,
) -> Result<i32> {
    let t = Instant::now();
    let mut io = Console::process();
    let read = read_options(opts, &io)?;
    ingest_inputs(Target::Own(store), paths, read, opts, t, cancel, &mut io)
}

/// Runs `coopgraph ingest` for a client of the server that holds `shared`: after the
/// other write commands, each durable batch applied while queries wait.
pub fn ingest_shared(
    shared: &Shared,
    paths: &[PathBuf],
    opts: &IngestOptions,
    io: &mut Console,
) -> Result<i32> {
    let t = Instant::now();
    let read = read_options(opts, io)?;
    let _turn = shared.writer();
    let cancel = io.cancel.clone();
    ingest_inputs(
        Target::Shared(shared),
        paths,
        read,
        opts,
        t,
        cancel.as_deref(),
        io,
    )
}

fn read_options(opts: &IngestOptions, io: &Console) -> Result<ReadOptions> {
    if opts.extractions && (opts.published.is_some() || opts.meta.is_some()) {
        anyhow::bail!(
            "--published and --meta apply when articles are extracted: give them to `coopgraph extract`, not to `ingest --format extractions`"
        );
    }
    Ok(ReadOptions {
        published: opts.published,
        meta: match &opts.meta {
            Some(m) => Some(Meta::read(m).context("reading --meta")?),
            None => None,
        },
        source: opts.source.clone(),
        select: Selection::new(&opts.include, &opts.exclude).context("--include/--exclude")?,
        stdin: io.stdin.clone(),
    })
}

fn ingest_inputs(
    mut target: Target,
    paths: &[PathBuf],
    read: ReadOptions,
    opts: &IngestOptions,
    t: Instant,
    cancel: Option<&AtomicBool>,
    io: &mut Console,
) -> Result<i32> {
    let counts = |g: &Graph| (g.node_count(), g.edge_count());
    let before = match &target {
        Target::Own(store) => counts(store.graph()),
        Target::Shared(shared) => counts(shared.read().graph()),
    };
    let bar = if io.err_terminal {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} articles {per_sec} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Some(b)
    } else {
        None
    };
    let err = &mut io.err;
    // Places, ids and messages come from the input: shown with control characters escaped.
    let mut say = |msg: String| {
        let msg = crate::term::safe(&msg);
        match &bar {
            Some(b) => b.println(msg),
            // Like eprintln!, but a client of the server that went away stops nothing.
            None => {
                let _ = writeln!(err, "{msg}");
            }
        }
    };
    let mut group = GroupCommit::default();
    if opts.batch > 0 {
        group.max_writes = opts.batch;
    }
    let popts = pipeline::Options {
        jobs: opts.jobs.max(1),
        group,
        source: opts.source.clone(),
    };
    let mut undated = 0usize;
    let mut unchanged_named = 0usize;
    let mut on_event = |ev: Event<'_>| match ev {
        Event::Unreadable(place, e) => say(format!("skipped {place}: {e}")),
        Event::Applied(place, a, r) => {
            if a.published.is_none() && matches!(r, Ok(Outcome::Added | Outcome::Replaced)) {
                undated += 1;
            }
            match r {
                // A feed or archive read again is mostly unchanged: the first few are
                // named, the rest counted in the summary.
                Ok(Outcome::Unchanged) => {
                    unchanged_named += 1;
                    if unchanged_named <= UNCHANGED_NAMED {
                        say(format!(
                            "unchanged {}: already ingested with the same text",
                            a.id
                        ))
                    } else if unchanged_named == UNCHANGED_NAMED + 1 {
                        say("… more unchanged documents: counted in the summary".into())
                    }
                }
                Err(e) => say(format!("skipped {place} ({}): {e}", a.id)),
                Ok(_) => {}
            }
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
        Event::Committed(_) => {}
    };
    let mut skipped = None;
    let r = match &mut target {
        Target::Own(store) => {
            if opts.extractions {
                let prepared = crate::extractions::read_paths(paths);
                pipeline::run_prepared(store, prepared, &popts, cancel, on_event)
            } else {
                let items = Articles::new(paths, read);
                skipped = Some(items.skipped());
                pipeline::run(store, items, &popts, cancel, on_event)
            }
        }
        Target::Shared(shared) => {
            let mut batches = Batches::new(shared, &popts, cancel);
            let read = if opts.extractions {
                let mut read = std::time::Duration::ZERO;
                let mut prepared = crate::extractions::read_paths(paths);
                loop {
                    if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                        break Ok(read);
                    }
                    let t = Instant::now();
                    let Some(p) = prepared.next() else {
                        break Ok(read);
                    };
                    read += t.elapsed();
                    if let Err(e) = batches.push(p, &mut on_event) {
                        break Err(e);
                    }
                }
            } else {
                let items = Articles::new(paths, read);
                skipped = Some(items.skipped());
                let known = pipeline::known_documents(&shared.read());
                let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
                pipeline::extract_ordered(items, popts.jobs, &known, &cancelled, |p| {
                    batches.push(p, &mut on_event)
                })
            };
            read.and_then(|read| batches.finish(read, &mut on_event))
        }
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let after = match &target {
        Target::Own(store) => counts(store.graph()),
        Target::Shared(shared) => counts(shared.read().graph()),
    };
    let s = match r {
        Ok(s) => s,
        Err(e) => {
            report(&mut io.err, before, after, &e.summary, undated, t)?;
            return Err(anyhow::Error::new(*e).context("ingest stopped"));
        }
    };
    if s.cancelled {
        writeln!(
            io.err,
            "interrupted after {} inputs; the rest left out",
            s.read
        )?;
    }
    if let Some(line) = skipped.and_then(|s| s.summary()) {
        writeln!(io.err, "{}", crate::term::safe(&line))?;
    }
    report(&mut io.err, before, after, &s, undated, t)?;
    Ok(if s.failed > 0 { EXIT_PROBLEMS } else { EXIT_OK })
}

/// The summary line; `undated`: how many of the articles ingested had no publication date.
fn report(
    err: &mut dyn Write,
    before: (usize, usize),
    after: (usize, usize),
    s: &Summary,
    undated: usize,
    t: Instant,
) -> std::io::Result<()> {
    let dn = after.0 as i64 - before.0 as i64;
    let de = after.1 as i64 - before.1 as i64;
    let secs = t.elapsed().as_secs_f64();
    let undated = if undated == 0 {
        String::new()
    } else {
        format!(
            "; {} without a publication date (relative dates resolved against a dateline or \
             marked unresolved): give one with --published YYYY-MM-DD or --meta FILE",
            thousands(undated)
        )
    };
    writeln!(
        err,
        "ingested {} ({} replaced), skipped {} unchanged, {} failed; {dn:+} {}, {de:+} {} in {secs:.2} s{undated}",
        plural(s.ingested as u64, "article"),
        s.replaced,
        s.unchanged,
        s.failed,
        if dn.abs() == 1 { "node" } else { "nodes" },
        if de.abs() == 1 { "edge" } else { "edges" },
    )?;
    if crate::timing::enabled() {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        writeln!(
            err,
            "[timing] ingest: {} records, {:.1} MB of text; read {:.0} ms, extract {:.0} ms (all threads), apply {:.0} ms, commit {:.0} ms; {:.0} articles/s",
            s.read,
            s.text_bytes as f64 / 1e6,
            ms(s.time.read),
            ms(s.time.extract),
            ms(s.time.apply),
            ms(s.time.commit),
            s.read as f64 / secs.max(1e-9)
        )?;
    }
    Ok(())
}

/// Runs `coopgraph explain`: writes [`crate::ingest::explain::explain`]'s report to `out`.
pub fn explain(g: &Graph, target: &str, out: &mut dyn Write) -> Result<i32> {
    // A person reads it: article text and ids show control characters escaped.
    write!(
        out,
        "{}",
        crate::term::safe(&crate::ingest::explain::explain(g, target)?)
    )?;
    Ok(EXIT_OK)
}

/// How `coopgraph extract` reads its articles.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Publication date for articles that give none.
    pub published: Option<NaiveDate>,
    /// A JSON-lines file of article metadata, matched by id.
    pub meta: Option<PathBuf>,
    /// Extraction threads (0 or 1: one).
    pub jobs: usize,
}

/// Runs `coopgraph extract`: the articles of `paths`, read as `ingest` reads them, go
/// through the pipeline's extraction stage and come out on standard output as
/// extraction lines (docs/extractions-format.md), in input order, one per article or
/// failure. Touches no database; failures are lines, not a stop.
pub fn extract(paths: &[PathBuf], opts: &ExtractOptions, io: &mut Console) -> Result<i32> {
    let t = Instant::now();
    let read = read_options(
        &IngestOptions {
            published: opts.published,
            meta: opts.meta.clone(),
            ..IngestOptions::default()
        },
        io,
    )?;
    let items = Articles::new(paths, read);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut io.out);
    let (mut lines, mut failed) = (0usize, 0usize);
    let mut buf = Vec::new();
    let known = pipeline::Known::default();
    pipeline::extract_ordered(items, opts.jobs.max(1), &known, &|| false, |p| {
        buf.clear();
        failed += usize::from(crate::extractions::write_line(p, &mut buf)?);
        buf.push(b'\n');
        out.write_all(&buf)?;
        lines += 1;
        anyhow::Ok(())
    })
    .context("writing extractions")?;
    out.flush().context("writing extractions")?;
    drop(out);
    writeln!(
        io.err,
        "extracted {} articles, {failed} failed, in {:.2} s",
        lines - failed,
        t.elapsed().as_secs_f64()
    )?;
    Ok(EXIT_OK)
}
