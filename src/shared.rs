//! A database one process holds and shares between its threads (`coopgraph serve`):
//! queries read it together, writes take it alone and one at a time, and the query
//! engine's adjacency index is kept between queries, brought up to date by each write
//! from the changes the graph recorded.
//! An ingest into it extracts its articles without holding it and applies each durable
//! batch alone ([`Batches`]).

use crate::pipeline::{self, CommitFailed, Event, Prepared, Summary};
use crate::query::adj::Adjacency;
use crate::query::Engine;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

/// A store shared by the threads of one process.
pub struct Shared {
    path: PathBuf,
    store: RwLock<Store>,
    /// Held for the whole of a write command (an ingest of many batches), so that
    /// write commands run one after another.
    writing: Mutex<()>,
    /// The adjacency index of the graph as it is; `None` until a query builds it, and
    /// after a write whose changes it cannot apply.
    adjacency: Mutex<Option<Arc<Adjacency>>>,
    /// How many writes ran so far.
    generation: AtomicU64,
}

impl Shared {
    /// Shares `store`, opened at `path`.
    pub fn new(path: &Path, mut store: Store) -> Shared {
        store.track_changes();
        Shared {
            path: path.to_path_buf(),
            store: RwLock::new(store),
            writing: Mutex::new(()),
            adjacency: Mutex::new(None),
            generation: AtomicU64::new(0),
        }
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store, for reading; writes wait until the guard is dropped.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    /// An engine over the store read through `store` (a guard of [`Shared::read`]),
    /// with the adjacency index kept from earlier queries (built now if a write
    /// changed the graph since).
    pub fn engine<'s>(&self, store: &'s Store) -> Engine<'s> {
        let mut cache = self.adjacency.lock().unwrap_or_else(|p| p.into_inner());
        let adj = match &*cache {
            Some(a) => Arc::clone(a),
            None => {
                let a = Engine::new(store.graph()).shared_adjacency();
                *cache = Some(Arc::clone(&a));
                a
            }
        };
        Engine::with_adjacency(store.graph(), adj)
    }

    /// Waits for the other write commands to end; the guard keeps new ones waiting.
    pub fn writer(&self) -> MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the store alone (readers wait), then applies its changes to the
    /// adjacency index (or forgets the index, to be built again, if they are too many
    /// or the graph was built anew).
    pub fn write<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        let r = f(&mut store);
        let changes = store.take_changes();
        let mut cache = self.adjacency.lock().unwrap_or_else(|p| p.into_inner());
        let mut phases = crate::timing::Phases::start("adjacency");
        let kept = match (cache.as_mut(), changes) {
            (Some(adj), Some(changes)) => Arc::make_mut(adj).apply(store.graph(), &changes),
            _ => false,
        };
        if kept {
            phases.lap("changes applied");
        } else {
            *cache = None;
        }
        self.generation.fetch_add(1, Ordering::Relaxed);
        r
    }

    /// How many writes ran so far: ids seen before a write may name other things after.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// The store back, to close it.
    pub fn into_store(self) -> Store {
        self.store.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

/// Articles extracted for a shared store (an ingest run by the server), applied a
/// durable batch at a time while readers wait.
pub struct Batches<'a> {
    shared: &'a Shared,
    popts: &'a pipeline::Options,
    cancel: Option<&'a AtomicBool>,
    batch: Vec<Prepared>,
    started: Instant,
    total: Summary,
}

impl<'a> Batches<'a> {
    /// Batches for `shared`, as `popts.group` says.
    pub fn new(
        shared: &'a Shared,
        popts: &'a pipeline::Options,
        cancel: Option<&'a AtomicBool>,
    ) -> Batches<'a> {
        Batches {
            shared,
            popts,
            cancel,
            batch: Vec::new(),
            started: Instant::now(),
            total: Summary::default(),
        }
    }

    /// Applies what is left; the summary of the whole run (`read`: the time the
    /// articles took to read).
    pub fn finish(
        mut self,
        read: Duration,
        on_event: &mut dyn FnMut(Event<'_>),
    ) -> Result<Summary, Box<CommitFailed>> {
        self.total.time.read += read;
        self.apply(on_event)?;
        self.total.cancelled = self.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        Ok(self.total)
    }

    /// Adds an article; applies the batch when it is full or old enough.
    pub fn push(
        &mut self,
        p: Prepared,
        on_event: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), Box<CommitFailed>> {
        self.batch.push(p);
        let group = &self.popts.group;
        if self.batch.len() >= group.max_writes || self.started.elapsed() >= group.max_delay {
            self.apply(on_event)?;
        }
        Ok(())
    }

    /// Applies and commits the articles gathered, as one durable batch, while readers wait.
    fn apply(&mut self, on_event: &mut dyn FnMut(Event<'_>)) -> Result<(), Box<CommitFailed>> {
        self.started = Instant::now();
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let r = self.shared.write(|store| {
            pipeline::run_prepared(store, batch.into_iter(), self.popts, self.cancel, on_event)
        });
        match r {
            Ok(s) => {
                add(&mut self.total, &s);
                Ok(())
            }
            Err(mut e) => {
                let mut total = self.total.clone();
                add(&mut total, &e.summary);
                e.summary = total;
                Err(e)
            }
        }
    }
}

/// Adds the counts and times of `s` to `total`.
fn add(total: &mut Summary, s: &Summary) {
    total.ingested += s.ingested;
    total.replaced += s.replaced;
    total.unchanged += s.unchanged;
    total.failed += s.failed;
    total.read += s.read;
    total.text_bytes += s.text_bytes;
    total.cancelled |= s.cancelled;
    total.time.read += s.time.read;
    total.time.extract += s.time.extract;
    total.time.apply += s.time.apply;
    total.time.commit += s.time.commit;
}
