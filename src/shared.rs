//! A database one process holds and shares between its threads (`coopgraph serve`):
//! queries read it together, writes take it alone and one at a time, and the query
//! engine's adjacency index is kept between queries until a write changes the graph.

use crate::query::adj::Adjacency;
use crate::query::Engine;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};

/// A store shared by the threads of one process.
pub struct Shared {
    path: PathBuf,
    store: RwLock<Store>,
    /// Held for the whole of a write command (an ingest of many batches), so that
    /// write commands run one after another.
    writing: Mutex<()>,
    /// The adjacency index of the graph as it is; `None` after a write.
    adjacency: Mutex<Option<Arc<Adjacency>>>,
    /// How many writes ran so far.
    generation: AtomicU64,
}

impl Shared {
    /// Shares `store`, opened at `path`.
    pub fn new(path: &Path, store: Store) -> Shared {
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

    /// Runs `f` on the store alone (readers wait), then forgets the adjacency index.
    pub fn write<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        let r = f(&mut store);
        *self.adjacency.lock().unwrap_or_else(|p| p.into_inner()) = None;
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
