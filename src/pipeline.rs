//! The ingest pipeline: articles read from their sources, extracted on `jobs` worker
//! threads, and applied to the store strictly in input order (so a run gives the same
//! graph, ids included, whatever the number of jobs), with many documents per durable
//! batch (group commit). Memory stays bounded: at most a window of articles is between
//! the reader and the store at any time.

// `CommitFailed` carries the run's summary beside the error; it is returned once per run,
// so its size costs nothing worth a box.
#![allow(clippy::result_large_err)]

use crate::extract::{self, Article, ExtractError, Extraction};
use crate::ingest::{self, IngestError, Outcome};
use crate::input::{InputError, Item};
use crate::store::{GroupCommit, StorageError, Store};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extraction threads (1: everything on the calling thread).
    pub jobs: usize,
    /// When documents are made durable.
    pub group: GroupCommit,
    /// The outlet recorded as each document's `source`.
    pub source: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            jobs: 1,
            group: GroupCommit::default(),
            source: None,
        }
    }
}

/// Something the pipeline did, in input order, for the caller to report.
#[derive(Debug)]
pub enum Event<'a> {
    /// A place that could not be read.
    Unreadable(&'a str, &'a InputError),
    /// An article applied (or refused), from `place`.
    Applied(&'a str, &'a Article, &'a Result<Outcome, IngestError>),
    /// This many documents were made durable.
    Committed(usize),
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Documents added or replaced, and durable.
    pub ingested: usize,
    /// Of those, documents that replaced an earlier text under the same id.
    pub replaced: usize,
    /// Articles already stored with the same text.
    pub unchanged: usize,
    /// Places that could not be read and articles that could not be ingested.
    pub failed: usize,
    /// Records read (articles and failures).
    pub read: usize,
    /// Bytes of article text read.
    pub text_bytes: u64,
    /// Whether the run was cancelled before the end of its input.
    pub cancelled: bool,
    /// Where the time went, summed over threads.
    pub time: Timings,
}

/// Time spent in each stage (reading and extraction summed over their threads).
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading and decoding the sources.
    pub read: Duration,
    /// Hashing and extracting articles.
    pub extract: Duration,
    /// Applying extractions to the graph (identity look-ups, merges, undo records).
    pub apply: Duration,
    /// Encoding and writing durable batches, and compaction.
    pub commit: Duration,
}

/// The run stopped because a batch could not be made durable.
#[derive(Debug, thiserror::Error)]
#[error("{error}; the last {lost} articles were not stored (everything before them is), run the same ingest again to add them")]
pub struct CommitFailed {
    /// The storage error.
    pub error: StorageError,
    /// Articles of the failed batch.
    pub lost: usize,
    /// What had been done before.
    pub summary: Summary,
}

/// What the extraction stage hands to the apply stage: an article with its hash and,
/// unless it is known to be stored already, its extraction (or a place that could not
/// be read). `coopgraph extract` writes these as lines ([`crate::extractions`]).
#[derive(Debug)]
pub struct Prepared {
    /// The article and where it was read, or the failure.
    pub item: Item,
    /// The [`ingest::sha256_hex`] of the article's text (empty for a failure).
    pub sha: String,
    /// The extraction; `None` when the article is known to be stored with this text.
    pub extraction: Option<Result<Extraction, ExtractError>>,
    /// Time spent preparing.
    pub took: Duration,
}

/// Document ids and the sha256 of their stored text: articles found here need no
/// extraction.
pub type Known = FxHashMap<String, String>;

/// Hashes and extracts an article, unless `known` says this id is stored with this text.
pub fn prepare(item: Item, known: &Known) -> Prepared {
    let t = Instant::now();
    let (sha, extraction) = match &item {
        Item::Article(a, _) => {
            let sha = ingest::sha256_hex(&a.text);
            let x = (known.get(&a.id) != Some(&sha)).then(|| extract::extract(a));
            (sha, x)
        }
        Item::Failed(..) => (String::new(), None),
    };
    Prepared {
        item,
        sha,
        extraction,
        took: t.elapsed(),
    }
}

/// Applies prepared articles in order and commits batches as they fall due.
struct Applier<'s, F> {
    store: &'s mut Store,
    source: Option<String>,
    on_event: F,
    summary: Summary,
    /// Outcomes not yet durable: (added or replaced, replaced).
    pending: (usize, usize),
}

impl<F: FnMut(Event<'_>)> Applier<'_, F> {
    fn apply(&mut self, p: Prepared) -> Result<(), CommitFailed> {
        self.summary.read += 1;
        self.summary.time.extract += p.took;
        match &p.item {
            Item::Failed(place, e) => {
                self.summary.failed += 1;
                (self.on_event)(Event::Unreadable(place, e));
            }
            Item::Article(a, place) => {
                self.summary.text_bytes += a.text.len() as u64;
                let t = Instant::now();
                let r = ingest::ingest_prepared(
                    self.store,
                    a,
                    &p.sha,
                    p.extraction,
                    self.source.as_deref(),
                );
                self.summary.time.apply += t.elapsed();
                match &r {
                    Ok(Outcome::Added) => self.pending.0 += 1,
                    Ok(Outcome::Replaced) => {
                        self.pending.0 += 1;
                        self.pending.1 += 1;
                    }
                    Ok(Outcome::Unchanged) => self.summary.unchanged += 1,
                    Err(_) => self.summary.failed += 1,
                }
                (self.on_event)(Event::Applied(place, a, &r));
            }
        }
        self.commit(false)
    }

    /// Commits the open batch if it is due (or `now`).
    fn commit(&mut self, now: bool) -> Result<(), CommitFailed> {
        let t = Instant::now();
        let r = if now {
            self.store.commit()
        } else {
            self.store.commit_if_due()
        };
        self.summary.time.commit += t.elapsed();
        match r {
            Ok(0) if !now || self.store.pending_writes() > 0 => Ok(()),
            Ok(n) => {
                self.summary.ingested += self.pending.0;
                self.summary.replaced += self.pending.1;
                self.pending = (0, 0);
                if n > 0 {
                    (self.on_event)(Event::Committed(n));
                }
                Ok(())
            }
            Err(error) => {
                let lost = self.pending.0;
                self.summary.failed += lost;
                self.pending = (0, 0);
                Err(CommitFailed {
                    error,
                    lost,
                    summary: self.summary.clone(),
                })
            }
        }
    }
}

/// Ingests `items` into `store`; stops between articles once `cancel` is set (what was
/// applied before is committed). Returns what it did, or the batch that could not be
/// made durable.
pub fn run<I, F>(
    store: &mut Store,
    items: I,
    opts: &Options,
    cancel: Option<&AtomicBool>,
    on_event: F,
) -> Result<Summary, Box<CommitFailed>>
where
    I: Iterator<Item = Item> + Send,
    F: FnMut(Event<'_>),
{
    run_stage(store, opts, cancel, on_event, |applier, cancelled| {
        let known = known_documents(applier.store);
        extract_ordered(items, opts.jobs, &known, cancelled, |p| applier.apply(p))
    })
}

/// Applies articles already prepared elsewhere (`ingest --format extractions`: the lines
/// of `coopgraph extract`) to `store` in order, as [`run`] applies the ones it extracts.
pub fn run_prepared<P, F>(
    store: &mut Store,
    prepared: P,
    opts: &Options,
    cancel: Option<&AtomicBool>,
    on_event: F,
) -> Result<Summary, Box<CommitFailed>>
where
    P: Iterator<Item = Prepared>,
    F: FnMut(Event<'_>),
{
    run_stage(store, opts, cancel, on_event, |applier, cancelled| {
        let mut prepared = prepared;
        let mut took = Duration::ZERO;
        while !cancelled() {
            let t = Instant::now();
            let Some(p) = prepared.next() else { break };
            took += t.elapsed();
            applier.apply(p)?;
        }
        Ok(took)
    })
}

/// Opens a group commit, feeds `stage`'s articles to an applier, and commits what is
/// left; `stage` returns the time it spent reading.
fn run_stage<F: FnMut(Event<'_>)>(
    store: &mut Store,
    opts: &Options,
    cancel: Option<&AtomicBool>,
    on_event: F,
    stage: impl FnOnce(
        &mut Applier<'_, F>,
        &(dyn Fn() -> bool + Sync),
    ) -> Result<Duration, CommitFailed>,
) -> Result<Summary, Box<CommitFailed>> {
    store.begin_group(opts.group).map_err(|error| {
        Box::new(CommitFailed {
            error,
            lost: 0,
            summary: Summary::default(),
        })
    })?;
    let mut applier = Applier {
        store,
        source: opts.source.clone(),
        on_event,
        summary: Summary::default(),
        pending: (0, 0),
    };
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let r = stage(&mut applier, &cancelled).and_then(|read| {
        applier.summary.time.read += read;
        applier.commit(true)
    });
    let mut summary = applier.summary.clone();
    let ended = applier.store.end_group();
    match (r, ended) {
        (Err(e), _) => Err(Box::new(e)),
        (Ok(()), Err(error)) => Err(Box::new(CommitFailed {
            error,
            lost: 0,
            summary,
        })),
        (Ok(()), Ok(())) => {
            summary.cancelled = cancelled();
            Ok(summary)
        }
    }
}

/// The ids and text hashes of the documents stored, so that workers can skip extracting
/// articles that are already there.
pub fn known_documents(store: &Store) -> Known {
    let g = store.graph();
    let mut known = FxHashMap::default();
    let Ok(label) = g.schema().label("Document") else {
        return known;
    };
    for ix in g.nodes_with_label(label) {
        if let Some(n) = g.node(ix) {
            if let (Some(id), Some(sha)) = (
                ingest::node_str(g, n, "id"),
                ingest::node_str(g, n, "sha256"),
            ) {
                known.insert(id.to_string(), sha.to_string());
            }
        }
    }
    known
}

/// The extraction stage: prepares `items` on `jobs` threads (1: on the calling thread)
/// and hands them to `sink` strictly in input order, holding at most a window of them;
/// stops at the end of `items`, once `cancelled`, or at `sink`'s first error. Returns the
/// time spent reading `items`.
pub fn extract_ordered<I, E>(
    items: I,
    jobs: usize,
    known: &Known,
    cancelled: &(dyn Fn() -> bool + Sync),
    mut sink: impl FnMut(Prepared) -> Result<(), E>,
) -> Result<Duration, E>
where
    I: Iterator<Item = Item> + Send,
{
    if jobs <= 1 {
        let mut items = items;
        let mut took = Duration::ZERO;
        while !cancelled() {
            let t = Instant::now();
            let Some(item) = items.next() else { break };
            took += t.elapsed();
            sink(prepare(item, known))?;
        }
        return Ok(took);
    }
    // Articles between the reader and the sink: enough to keep every worker busy while
    // one works through a long article, few enough to bound memory.
    let window = 32 * jobs;
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Item)>(2 * jobs);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Prepared)>(window);
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        token_tx
            .send(())
            .expect("the channel has room for the window");
    }
    std::thread::scope(|s| {
        let reader = s.spawn(move || {
            let mut took = Duration::ZERO;
            let mut items = items;
            for seq in 0u64.. {
                if token_rx.recv().is_err() || cancelled() {
                    break;
                }
                let t = Instant::now();
                let Some(item) = items.next() else { break };
                took += t.elapsed();
                if work_tx.send((seq, item)).is_err() {
                    break;
                }
            }
            took
        });
        for _ in 0..jobs {
            let (rx, tx) = (work_rx.clone(), done_tx.clone());
            s.spawn(move || loop {
                let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((seq, item)) = job else { break };
                if tx.send((seq, prepare(item, known))).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        drop(work_rx);
        let mut next = 0u64;
        let mut waiting = BTreeMap::new();
        let mut result = Ok(());
        'recv: for (seq, p) in done_rx.iter() {
            if cancelled() {
                break;
            }
            waiting.insert(seq, p);
            while let Some(p) = waiting.remove(&next) {
                next += 1;
                if let Err(e) = sink(p) {
                    result = Err(e);
                    break 'recv;
                }
                let _ = token_tx.send(());
            }
        }
        // Dropping the ends stops the reader and the workers wherever they are.
        drop(token_tx);
        drop(done_rx);
        let read_time = reader.join().unwrap_or_default();
        result.map(|()| read_time)
    })
}
