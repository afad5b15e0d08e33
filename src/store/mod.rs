//! The persistent store: the in-memory [`Graph`] backed by a key-value engine
//! (sled by default) as a snapshot plus a log of later batches.
//!
//! Layout (see `codec`): a snapshot is written as chunks of about 64 KiB under a new
//! generation number, flushed, and only then made live by rewriting the manifest;
//! each later batch is one checksummed log record, flushed before the write returns.
//! A crash at any point leaves the old manifest pointing at complete data.

mod backend;
pub mod codec;
mod error;
pub mod space;

pub use backend::{Backend, MemoryBackend, SledBackend};
pub use error::StorageError;

use crate::graph::{Change, EdgeAttrs, Graph, NodeRec, Txn, Undo};
use crate::schema::Schema;
use codec::*;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The log is folded into a new snapshot once it holds more than this fraction of the
/// snapshot's bytes (numerator, denominator)…
const COMPACT_FRACTION: (u64, u64) = (1, 2);
/// …and at least this many bytes (so that a small database is not rewritten at every
/// batch); `COOPGRAPH_COMPACT_MIN_BYTES` sets another floor (the crash tests use a tiny one).
const COMPACT_MIN_BYTES: u64 = 8 << 20;

fn compact_min_bytes() -> u64 {
    static MIN: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MIN.get_or_init(|| {
        std::env::var("COOPGRAPH_COMPACT_MIN_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(COMPACT_MIN_BYTES)
    })
}

/// When a group of writes is made durable: after this many writes, touched records, or
/// this long after its first write, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCommit {
    /// Writes (for ingest: documents) per durable batch.
    pub max_writes: usize,
    /// Distinct nodes and edges touched per durable batch.
    pub max_records: usize,
    /// Longest time a write waits to be made durable.
    pub max_delay: Duration,
}

impl Default for GroupCommit {
    fn default() -> GroupCommit {
        GroupCommit {
            max_writes: 1000,
            max_records: 200_000,
            max_delay: Duration::from_secs(2),
        }
    }
}

/// Writes made in memory that the next [`Store::commit`] makes durable together.
struct Group {
    policy: GroupCommit,
    writes: usize,
    since: Option<Instant>,
    nodes: FxHashSet<u32>,
    edges: FxHashSet<u32>,
    order: Vec<Change>,
    undo: Undo,
}

impl Group {
    fn new(policy: GroupCommit) -> Group {
        Group {
            policy,
            writes: 0,
            since: None,
            nodes: FxHashSet::default(),
            edges: FxHashSet::default(),
            order: Vec::new(),
            undo: Undo::default(),
        }
    }

    fn add(&mut self, changes: Vec<Change>, undo: Undo) {
        for c in changes {
            let new = match c {
                Change::Node(id) => self.nodes.insert(id),
                Change::Edge(id) => self.edges.insert(id),
            };
            if new {
                self.order.push(c);
            }
        }
        self.undo.absorb(undo);
        self.writes += 1;
        self.since.get_or_insert_with(Instant::now);
    }

    fn is_due(&self) -> bool {
        self.writes >= self.policy.max_writes
            || self.order.len() >= self.policy.max_records
            || self
                .since
                .is_some_and(|t| t.elapsed() >= self.policy.max_delay)
    }
}

/// A graph database: the graph in memory, every committed batch on disk.
pub struct Store {
    graph: Graph,
    backend: Box<dyn Backend>,
    path: Option<PathBuf>,
    manifest: Manifest,
    next_seq: u64,
    log_bytes: u64,
    snapshot_bytes: u64,
    group: Option<Group>,
    /// Documents whose text is durable in its own record ([`TEXT_PREFIX`]).
    texts: FxHashSet<u32>,
    /// A write to the engine failed: its handle is abandoned at the end rather than
    /// dropped, since sled's flush on drop can hang after an I/O error (every batch
    /// already committed was flushed when its commit returned).
    engine_failed: bool,
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Records read and verified.
    pub records: usize,
    /// Nodes checked.
    pub nodes: usize,
    /// Edges checked.
    pub edges: usize,
    /// One line per problem; empty when the database is sound.
    pub problems: Vec<String>,
}

impl Store {
    /// Opens the database at `path`, creating it if it does not exist.
    pub fn open(path: &Path) -> Result<Store, StorageError> {
        space::ensure(path, space::OPEN_RESERVE, "opening the database")?;
        let backend = SledBackend::open(path)?;
        Store::with_backend(
            Box::new(backend),
            Some(path.to_path_buf()),
            Arc::new(Schema::builtin()),
        )
    }

    /// Opens an existing database at `path`; a missing one is an error.
    pub fn open_existing(path: &Path) -> Result<Store, StorageError> {
        if !path.exists() {
            return Err(StorageError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// A database that lives only in memory.
    pub fn in_memory() -> Store {
        Store::with_backend(
            Box::new(MemoryBackend::default()),
            None,
            Arc::new(Schema::builtin()),
        )
        .expect("an empty memory backend always opens")
    }

    /// Opens a database on any backend.
    pub fn with_backend(
        backend: Box<dyn Backend>,
        path: Option<PathBuf>,
        schema: Arc<Schema>,
    ) -> Result<Store, StorageError> {
        let shown = path.clone().unwrap_or_else(|| PathBuf::from("(memory)"));
        match backend.get(KEY_FORMAT)? {
            Some(f) if f == FORMAT_1.as_bytes() => {
                // Every record of format 1 reads as format 2 ([`decode_log`]).
                backend.apply(vec![(
                    KEY_FORMAT.to_vec(),
                    Some(FORMAT.as_bytes().to_vec()),
                )])?;
                backend.flush()?;
            }
            Some(f) if f != FORMAT.as_bytes() => {
                return Err(StorageError::Version {
                    path: shown,
                    found: String::from_utf8_lossy(&f).into_owned(),
                    expected: FORMAT.to_string(),
                })
            }
            Some(_) => {}
            None => {
                if backend.get(KEY_MANIFEST)?.is_some() {
                    return Err(StorageError::Version {
                        path: shown,
                        found: "(none)".into(),
                        expected: FORMAT.to_string(),
                    });
                }
                backend.apply(vec![
                    (KEY_FORMAT.to_vec(), Some(FORMAT.as_bytes().to_vec())),
                    (
                        KEY_DICTIONARY.to_vec(),
                        Some(encode(&Dictionary::of(&schema))),
                    ),
                ])?;
                backend.flush()?;
            }
        }
        let manifest: Manifest = match backend.get(KEY_MANIFEST)? {
            Some(b) => decode(KEY_MANIFEST, &b)?,
            None => Manifest::default(),
        };
        let current = Dictionary::of(&schema);
        let stored: Dictionary = match backend.get(KEY_DICTIONARY)? {
            Some(b) => decode(KEY_DICTIONARY, &b)?,
            None => current.clone(),
        };
        let remap = Remap::new(&stored, &current);
        let mut phases = crate::timing::Phases::start("open");
        let (mut graph, snapshot_bytes) = load_snapshot(&*backend, &manifest, schema, &remap)?;
        phases.lap("snapshot loaded");
        let mut next_seq = manifest.log_start;
        let mut log_bytes = 0u64;
        let mut stale_logs = Vec::new();
        let mut result = Ok(());
        backend.scan(LOG_PREFIX, &mut |k, v| {
            let Some(seq) = log_key_seq(k) else {
                return Ok(());
            };
            if seq < manifest.log_start {
                stale_logs.push(k.to_vec());
                return Ok(());
            }
            if seq != next_seq {
                result = Err(corrupt(k, &format!("log entry {next_seq} is missing")));
                return Ok(());
            }
            let batch = decode_log(k, v)?;
            replay(&mut graph, batch, &remap).map_err(|reason| corrupt(k, &reason))?;
            next_seq = seq + 1;
            log_bytes += v.len() as u64;
            Ok(())
        })?;
        result?;
        phases.lap("log replayed");
        let (texts, stale_texts) = attach_texts(&*backend, &mut graph)?;
        stale_logs.extend(stale_texts);
        phases.lap("texts read");
        let mut store = Store {
            graph,
            backend,
            path,
            manifest,
            next_seq,
            log_bytes,
            snapshot_bytes,
            group: None,
            texts,
            engine_failed: false,
        };
        store.collect_garbage(stale_logs)?;
        if !remap.is_identity() {
            // The schema changed since the data was written: rewrite it in today's numbering.
            store.write_snapshot()?;
        }
        Ok(store)
    }

    /// Flushes the database and ends it without freeing the in-memory graph one allocation at
    /// a time: for a process that exits right after (the CLI), where that would only cost
    /// time. Long-lived processes should simply drop the store.
    pub fn close_for_exit(mut self) -> Result<(), StorageError> {
        if !self.engine_failed {
            self.commit()?;
            if let Err(e) = self.backend.flush() {
                self.engine_failed = true;
                return Err(e);
            }
        }
        let empty = Graph::new(self.graph.schema().clone());
        std::mem::forget(std::mem::replace(&mut self.graph, empty));
        Ok(())
    }

    /// Refuses ([`StorageError::NoSpace`]) a write of `bytes` that would leave less than the
    /// write reserve free on the database's disk ([`space`]).
    fn ensure_space(&self, bytes: u64, what: &str) -> Result<(), StorageError> {
        match &self.path {
            Some(p) => space::ensure(p, space::write_reserve().saturating_add(bytes), what),
            None => Ok(()),
        }
    }

    /// The graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Starts recording the graph's structural changes ([`Graph::track_changes`]).
    pub fn track_changes(&mut self) {
        self.graph.track_changes();
    }

    /// The graph's structural changes since the last call ([`Graph::take_changes`]);
    /// `None` if the graph was built anew since.
    pub fn take_changes(&mut self) -> Option<crate::graph::Journal> {
        self.graph.take_changes()
    }

    /// The commit sequence number: how many durable batches the database has taken
    /// in all (a bulk load counts as one). It only grows, across reopens too.
    pub fn commit_seq(&self) -> u64 {
        self.next_seq
    }

    /// The database path (None in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Bytes the engine uses on disk, if known.
    pub fn size_on_disk(&self) -> Option<u64> {
        self.backend.size_on_disk()
    }

    /// Runs `f` as one batch: if it fails, or the batch cannot be made durable, the graph
    /// is left exactly as before; if it succeeds, the batch is on disk when this returns —
    /// unless a group is open ([`Store::begin_group`]), when it is durable after the next
    /// [`Store::commit`]. `bulk` (for loading an empty database) skips undo bookkeeping
    /// and writes a snapshot.
    pub fn write<T, E: From<StorageError>>(
        &mut self,
        bulk: bool,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if bulk && self.pending_writes() > 0 {
            self.commit()?;
        }
        let mut txn = Txn::new(&mut self.graph, bulk);
        let is_bulk = txn.is_bulk();
        let r = f(&mut txn);
        let (changes, undo) = txn.finish();
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                undo.apply(&mut self.graph);
                return Err(e);
            }
        };
        if !is_bulk {
            if let Some(group) = &mut self.group {
                group.add(changes, undo);
                return Ok(v);
            }
        }
        let mut phases = crate::timing::Phases::start("write");
        phases.lap("batch built");
        let persisted = if is_bulk {
            // The load is a commit too: the snapshot's log starts after it.
            self.next_seq += 1;
            self.write_snapshot()
        } else {
            self.append_log(&changes, &undo)
        };
        phases.lap("persisted");
        if let Err(e) = persisted {
            self.engine_failed |= engine_error(&e);
            undo.apply(&mut self.graph);
            return Err(e.into());
        }
        if !is_bulk {
            self.compact_if_due();
        }
        Ok(v)
    }

    /// Opens a group: later writes are applied in memory at once (each still whole or
    /// not at all) but made durable together, as one log record, by [`Store::commit`]
    /// or [`Store::commit_if_due`]. A crash loses at most the writes of the open group.
    pub fn begin_group(&mut self, policy: GroupCommit) -> Result<(), StorageError> {
        self.commit()?;
        self.group = Some(Group::new(policy));
        Ok(())
    }

    /// Commits the open group and closes it: writes are durable one by one again.
    pub fn end_group(&mut self) -> Result<(), StorageError> {
        self.commit()?;
        self.group = None;
        Ok(())
    }

    /// Writes of the open group not yet durable.
    pub fn pending_writes(&self) -> usize {
        self.group.as_ref().map_or(0, |g| g.writes)
    }

    /// Commits the open group if its policy says it is due; returns the number of writes
    /// made durable (0 if none were due).
    pub fn commit_if_due(&mut self) -> Result<usize, StorageError> {
        if self.group.as_ref().is_some_and(Group::is_due) {
            self.commit()
        } else {
            Ok(0)
        }
    }

    /// Makes the writes of the open group durable as one log record (and compacts the
    /// log if it has grown past its share of the snapshot); returns how many writes that
    /// was. If they cannot be written, every one of them is undone in memory too, so the
    /// graph again matches the disk, and the error is returned.
    pub fn commit(&mut self) -> Result<usize, StorageError> {
        let Some(group) = &mut self.group else {
            return Ok(0);
        };
        if group.writes == 0 {
            return Ok(0);
        }
        let policy = group.policy;
        let done = std::mem::replace(group, Group::new(policy));
        let mut phases = crate::timing::Phases::start("commit");
        if let Err(e) = self.append_log(&done.order, &done.undo) {
            self.engine_failed |= engine_error(&e);
            done.undo.apply(&mut self.graph);
            return Err(e);
        }
        phases.lap("log record written");
        self.compact_if_due();
        Ok(done.writes)
    }

    /// Whether the log has outgrown its share of the snapshot.
    fn compaction_due(&self) -> bool {
        let (num, den) = COMPACT_FRACTION;
        self.log_bytes > compact_min_bytes().max(self.snapshot_bytes / den * num)
    }

    fn compact_if_due(&mut self) {
        if self.compaction_due() {
            // The batches are already durable in the log; a failed compaction only means
            // the log is replayed at the next open, so its error is not theirs.
            let _ = self.snapshot(false);
        }
    }

    /// Folds the log into a new snapshot (`coopgraph compact`), after committing any open
    /// group; a crash at any point leaves either the old or the new snapshot live.
    pub fn compact(&mut self) -> Result<(), StorageError> {
        self.commit()?;
        self.snapshot(true)
    }

    /// Bytes of the live snapshot's records and of the live log.
    pub fn stored_bytes(&self) -> (u64, u64) {
        (self.snapshot_bytes, self.log_bytes)
    }

    /// Writes the state of the changed nodes and edges as one flushed log record; those
    /// that `undo` says only had evidence appended are written with just that evidence.
    fn append_log(&mut self, changes: &[Change], undo: &Undo) -> Result<(), StorageError> {
        if changes.is_empty() {
            return Ok(());
        }
        let g = &self.graph;
        let mut batch = LogBatch {
            next_node: g.node_ids().next_number(),
            next_edge: g.edge_ids().next_number(),
            ..LogBatch::default()
        };
        let mut texts: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
        for c in changes {
            match *c {
                Change::Node(id) => {
                    match g.node_by_id(id) {
                        None if self.texts.contains(&id) => texts.push((text_key(id), None)),
                        Some(n) => {
                            if let Some(t) = document_text(g, n) {
                                texts.push((text_key(id), Some(encode(&t))));
                            }
                        }
                        None => {}
                    }
                    let snap = g.node_by_id(id).map(|n| {
                        let mut s = NodeSnap::from_rec_without_prov(n, g.node_ids().ext(id));
                        strip_text(g, n, &mut s);
                        let from = undo.appended_node(id).filter(|&l| l <= n.prov.len());
                        if let Some(l) = from {
                            batch.appended.0.push((id, l as u32));
                        }
                        s.prov = n.prov[from.unwrap_or(0)..].to_vec();
                        s
                    });
                    batch.nodes.push((id, snap));
                }
                Change::Edge(id) => {
                    let snap = g.edge_by_id_without_prov(id).map(|(e, prov)| {
                        let mut s = EdgeSnap::from_data(&e, g.edge_ids().ext(id));
                        let from = undo.appended_edge(id).filter(|&l| l <= prov.len());
                        if let Some(l) = from {
                            batch.appended.1.push((id, l as u32));
                        }
                        s.prov = prov[from.unwrap_or(0)..].to_vec();
                        s
                    });
                    batch.edges.push((id, snap));
                }
            }
        }
        let bytes = encode(&batch);
        let len = bytes.len() as u64;
        let text_bytes: u64 = texts
            .iter()
            .map(|(_, v)| v.as_ref().map_or(0, |v| v.len() as u64))
            .sum();
        self.ensure_space(2 * (len + text_bytes), "this batch")?;
        let written: Vec<(u32, bool)> = texts
            .iter()
            .filter_map(|(k, v)| text_key_id(k).map(|id| (id, v.is_some())))
            .collect();
        texts.push((log_key(self.next_seq), Some(bytes)));
        // One atomic batch: the log record and the texts of its documents.
        self.backend.apply(texts)?;
        self.backend.flush()?;
        for (id, put) in written {
            if put {
                self.texts.insert(id);
            } else {
                self.texts.remove(&id);
            }
        }
        self.next_seq += 1;
        self.log_bytes += len;
        Ok(())
    }

    /// Writes the whole graph as a new snapshot generation, makes it live, and drops the
    /// old generation and the log it replaces.
    pub fn write_snapshot(&mut self) -> Result<(), StorageError> {
        self.snapshot(false)
    }

    /// [`Store::write_snapshot`]; with `settle`, the engine releases the old generation's
    /// space before returning ([`Backend::settle`]: `coopgraph compact`, after which the
    /// process ends; an ingest's later writes release it on their own).
    fn snapshot(&mut self, settle: bool) -> Result<(), StorageError> {
        self.ensure_space(2 * self.graph.approx_bytes() as u64, "writing the snapshot")?;
        let g = &self.graph;
        let generation = self.manifest.generation + 1;
        let pg = g.petgraph();
        let backend = &*self.backend;
        let mut phases = crate::timing::Phases::start("snapshot");
        // Nodes on this thread, edges on another; each writes its chunks in batches of ~8 MiB.
        let (node_chunks, edge_chunks) = std::thread::scope(|s| {
            let edges = s.spawn(|| {
                let mut w = ChunkWriter::new(backend, generation, CHUNK_EDGES);
                let mut edges = pg.edge_references().peekable();
                while edges.peek().is_some() {
                    let mut ec = EdgeChunk::default();
                    for e in edges.by_ref().take(EDGES_PER_CHUNK) {
                        let wt = e.weight();
                        let data = crate::graph::EdgeData {
                            id: wt.id,
                            ty: wt.rel_type(),
                            src: pg[e.source()].id,
                            dst: pg[e.target()].id,
                            attrs: EdgeAttrs::default(),
                        };
                        ec.push(&data, g.edge_attrs(wt), g.edge_ids().ext(wt.id));
                    }
                    w.push(encode(&ec))?;
                }
                w.finish()
            });
            let mut w = ChunkWriter::new(backend, generation, CHUNK_NODES);
            let mut chunk: Vec<NodeSnap> = Vec::with_capacity(NODES_PER_CHUNK);
            let mut nodes = pg.node_indices().peekable();
            while nodes.peek().is_some() {
                chunk.clear();
                for ix in nodes.by_ref().take(NODES_PER_CHUNK) {
                    let n = &pg[ix];
                    let mut snap = NodeSnap::from_rec(n, g.node_ids().ext(n.id));
                    strip_text(g, n, &mut snap);
                    chunk.push(snap);
                }
                w.push(encode(&chunk))?;
            }
            let nodes = w.finish()?;
            let edges = edges
                .join()
                .map_err(|_| StorageError::Backend("snapshot writer panicked".into()))??;
            Ok::<_, StorageError>((nodes, edges))
        })?;
        phases.lap("chunks encoded and written");
        let new_texts = self.write_missing_texts()?;
        phases.lap("texts written");
        self.backend.flush()?;
        phases.lap("flushed chunks");
        let manifest = Manifest {
            generation,
            node_chunks: node_chunks.0,
            edge_chunks: edge_chunks.0,
            nodes: pg.node_count() as u64,
            edges: pg.edge_count() as u64,
            log_start: self.next_seq,
            next_node: g.node_ids().next_number(),
            next_edge: g.edge_ids().next_number(),
        };
        self.backend.apply(vec![
            (
                KEY_DICTIONARY.to_vec(),
                Some(encode(&Dictionary::of(g.schema()))),
            ),
            (KEY_MANIFEST.to_vec(), Some(encode(&manifest))),
        ])?;
        self.backend.flush()?;
        self.manifest = manifest;
        self.texts.extend(new_texts);
        self.log_bytes = 0;
        self.snapshot_bytes = node_chunks.1 + edge_chunks.1;
        let stale = self.backend.keys(LOG_PREFIX)?;
        let emptied = self.collect_garbage(stale)?;
        // The old generation's space is released now, not at some later write (or never,
        // by sled, if the process ends first).
        if settle {
            self.backend.settle(&emptied)?;
        }
        Ok(())
    }

    /// Writes the text records of documents that have none yet (a bulk load, or a
    /// database of format 1); returns their ids. Flushed with the snapshot's chunks.
    fn write_missing_texts(&self) -> Result<Vec<u32>, StorageError> {
        let g = &self.graph;
        let Ok(doc) = g.schema().label("Document") else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        let mut ops = Vec::new();
        let mut pending = 0usize;
        for ix in g.nodes_with_label(doc) {
            let Some(n) = g.node(ix) else { continue };
            if self.texts.contains(&n.id) {
                continue;
            }
            if let Some(t) = document_text(g, n) {
                let v = encode(&t);
                pending += v.len();
                ops.push((text_key(n.id), Some(v)));
                ids.push(n.id);
            }
            if pending >= 8 << 20 {
                self.backend.apply(std::mem::take(&mut ops))?;
                pending = 0;
            }
        }
        if !ops.is_empty() {
            self.backend.apply(ops)?;
        }
        Ok(ids)
    }

    /// Deletes snapshot chunks of dead generations and the given dead log entries; returns
    /// the key prefixes it emptied (the dead generations', and the log's when no live log
    /// entry is left).
    fn collect_garbage(&mut self, mut stale: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, StorageError> {
        stale.retain(|k| {
            log_key_seq(k).is_some_and(|s| s < self.manifest.log_start) || text_key_id(k).is_some()
        });
        let mut emptied: Vec<Vec<u8>> = Vec::new();
        if self.next_seq == self.manifest.log_start
            && stale.iter().any(|k| k.starts_with(LOG_PREFIX))
        {
            emptied.push(LOG_PREFIX.to_vec());
        }
        let live = self.manifest.generation;
        for k in self.backend.keys(SNAP_PREFIX)? {
            match snap_key_generation(&k) {
                Some(g) if g == live => continue,
                Some(g) => {
                    let p = snap_gen_prefix(g);
                    if emptied.last() != Some(&p) {
                        emptied.push(p);
                    }
                }
                None => {}
            }
            stale.push(k);
        }
        for part in stale.chunks(4096) {
            self.backend
                .apply(part.iter().map(|k| (k.clone(), None)).collect())?;
        }
        Ok(emptied)
    }

    /// Verifies every stored record (checksum and decoding), that the stored data gives
    /// back the graph in memory, and every index.
    pub fn check(&self) -> Result<CheckReport, StorageError> {
        let mut report = CheckReport::default();
        let mut problems = Vec::new();
        let b = &*self.backend;
        let mut verify = |k: &[u8], v: &[u8]| {
            report.records += 1;
            if k == KEY_FORMAT {
                return;
            }
            let r = if k == KEY_MANIFEST {
                decode::<Manifest>(k, v).map(|_| ())
            } else if k == KEY_DICTIONARY {
                decode::<Dictionary>(k, v).map(|_| ())
            } else if k.starts_with(LOG_PREFIX) {
                decode_log(k, v).map(|_| ())
            } else if text_key_id(k).is_some() {
                decode::<String>(k, v).map(|_| ())
            } else if k.get(SNAP_PREFIX.len() + 8) == Some(&CHUNK_NODES) {
                decode::<Vec<NodeSnap>>(k, v).map(|_| ())
            } else if k.get(SNAP_PREFIX.len() + 8) == Some(&CHUNK_EDGES) {
                decode::<EdgeChunk>(k, v).and_then(|c| {
                    if c.is_consistent() {
                        Ok(())
                    } else {
                        Err(corrupt(k, "columns of unequal length"))
                    }
                })
            } else {
                Err(corrupt(k, "unexpected key"))
            };
            if let Err(e) = r {
                problems.push(e.to_string());
            }
        };
        b.scan(b"", &mut |k, v| {
            verify(k, v);
            Ok(())
        })?;
        if problems.is_empty() {
            let schema = self.graph.schema().clone();
            let reread = load_snapshot(b, &self.manifest, schema, &Remap::default());
            match reread {
                Ok((mut g2, _)) => {
                    b.scan(LOG_PREFIX, &mut |k, v| {
                        if log_key_seq(k).is_some_and(|s| s >= self.manifest.log_start) {
                            if let Err(r) = replay(&mut g2, decode_log(k, v)?, &Remap::default()) {
                                problems.push(format!("{}: {r}", describe_key(k)));
                            }
                        }
                        Ok(())
                    })?;
                    if g2.node_count() != self.graph.node_count()
                        || g2.edge_count() != self.graph.edge_count()
                    {
                        problems.push(format!(
                            "stored data holds {} nodes and {} edges, memory {} and {}",
                            g2.node_count(),
                            g2.edge_count(),
                            self.graph.node_count(),
                            self.graph.edge_count()
                        ));
                    }
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        problems.extend(self.graph.verify());
        report.nodes = self.graph.node_count();
        report.edges = self.graph.edge_count();
        report.problems = problems;
        Ok(report)
    }
}

/// Whether `e` came from the engine failing a write (not from a guard that refused it).
fn engine_error(e: &StorageError) -> bool {
    matches!(e, StorageError::Io { .. } | StorageError::Backend(_))
}

impl Drop for Store {
    /// Commits an open group, so that writes a caller did not commit explicitly (an early
    /// return on an error) are not lost; an error here can only be reported at the next open.
    /// After a failed write the engine is abandoned instead ([`Store::engine_failed`]).
    fn drop(&mut self) {
        if !self.engine_failed {
            let _ = self.commit();
        }
        if self.engine_failed {
            let backend = std::mem::replace(&mut self.backend, Box::new(MemoryBackend::default()));
            std::mem::forget(backend);
        }
    }
}

/// Writes the numbered chunks of one kind of one snapshot generation, in batches.
struct ChunkWriter<'b> {
    backend: &'b dyn Backend,
    generation: u64,
    kind: u8,
    count: u32,
    ops: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pending: usize,
    bytes: u64,
}

impl<'b> ChunkWriter<'b> {
    fn new(backend: &'b dyn Backend, generation: u64, kind: u8) -> ChunkWriter<'b> {
        ChunkWriter {
            backend,
            generation,
            kind,
            count: 0,
            ops: Vec::new(),
            pending: 0,
            bytes: 0,
        }
    }

    fn push(&mut self, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.pending += bytes.len();
        self.bytes += bytes.len() as u64;
        self.ops.push((
            snap_key(self.generation, self.kind, self.count),
            Some(bytes),
        ));
        self.count += 1;
        if self.pending >= 8 << 20 {
            self.pending = 0;
            self.backend.apply(std::mem::take(&mut self.ops))?;
        }
        Ok(())
    }

    /// Writes what is pending; returns the number of chunks and their bytes.
    fn finish(mut self) -> Result<(u32, u64), StorageError> {
        if !self.ops.is_empty() {
            self.backend.apply(std::mem::take(&mut self.ops))?;
        }
        Ok((self.count, self.bytes))
    }
}

/// Builds the graph of a snapshot: the nodes first, while another thread reads the edge
/// chunks ahead (a bounded queue, so they are never all in memory at once). Returns the
/// graph and the bytes of the snapshot's records.
fn load_snapshot(
    b: &dyn Backend,
    m: &Manifest,
    schema: Arc<Schema>,
    remap: &Remap,
) -> Result<(Graph, u64), StorageError> {
    let mut g = Graph::new(schema);
    if m.generation == 0 {
        return Ok((g, 0));
    }
    let edge_bytes_total = std::sync::atomic::AtomicU64::new(0);
    let edge_bytes = &edge_bytes_total;
    let mut node_bytes = 0u64;
    let mut phases = crate::timing::Phases::start("load");
    g.reserve(m.nodes as usize, m.edges as usize);
    let prefix = |kind: u8| {
        let mut p = snap_gen_prefix(m.generation);
        p.push(kind);
        p
    };
    let (nodes_prefix, edges_prefix) = (prefix(CHUNK_NODES), prefix(CHUNK_EDGES));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(Vec<u8>, EdgeChunk), StorageError>>(64);
    std::thread::scope(|s| {
        s.spawn(move || {
            let r = b.scan(&edges_prefix, &mut |k, v| {
                edge_bytes.fetch_add(v.len() as u64, std::sync::atomic::Ordering::Relaxed);
                let c: Result<EdgeChunk, _> = decode(k, v);
                let c = c.and_then(|c| {
                    if c.is_consistent() {
                        Ok(c)
                    } else {
                        Err(corrupt(k, "columns of unequal length"))
                    }
                });
                // A closed channel means the loader stopped on an error of its own.
                tx.send(c.map(|c| (k.to_vec(), c)))
                    .map_err(|_| StorageError::Backend("loader stopped".into()))
            });
            if let Err(e) = r {
                let _ = tx.send(Err(e));
            }
        });
        let mut node_chunks = 0u32;
        b.scan(&nodes_prefix, &mut |k, v| {
            node_bytes += v.len() as u64;
            let chunk: Vec<NodeSnap> = decode(k, v)?;
            for n in chunk {
                let props = props_from(n.props, remap)
                    .ok_or_else(|| corrupt(k, "a property key or date out of range"))?;
                let label = remap
                    .label(n.label)
                    .filter(|&l| (l as usize) < g.schema().labels().len())
                    .ok_or_else(|| corrupt(k, &format!("unknown label #{}", n.label)))?;
                if let Some(x) = &n.ext {
                    g.id_maps_mut().0.set_ext(n.id, x);
                }
                g.put_node(NodeRec {
                    id: n.id,
                    label,
                    props,
                    prov: n.prov,
                });
            }
            node_chunks += 1;
            Ok(())
        })?;
        phases.lap("nodes built");
        let n_types = g.schema().rel_types().len();
        let mut edge_chunks = 0u32;
        for c in rx {
            let (key, mut c) = c?;
            let mut attrs = std::mem::take(&mut c.attrs).into_iter().peekable();
            let mut exts = std::mem::take(&mut c.ext).into_iter().peekable();
            for row in 0..c.len() {
                let (id, ty, src, dst) = c.row(row);
                let (a, bx) = match (g.node_index(src), g.node_index(dst)) {
                    (Some(a), Some(bx)) => (a, bx),
                    _ => return Err(corrupt(&key, &format!("edge e{id} has a missing endpoint"))),
                };
                let ty = match remap.rel(ty) {
                    Some(t) if (t as usize) < n_types => t,
                    _ => return Err(corrupt(&key, &format!("unknown relationship type #{ty}"))),
                };
                let mut ea = EdgeAttrs::default();
                if attrs.peek().is_some_and(|x| x.0 as usize == row) {
                    let (_, p, prov) = attrs.next().expect("peeked");
                    ea.props = props_from(p, remap)
                        .ok_or_else(|| corrupt(&key, "a property key or date out of range"))?;
                    ea.prov = prov;
                }
                if exts.peek().is_some_and(|x| x.0 as usize == row) {
                    let (_, x) = exts.next().expect("peeked");
                    g.id_maps_mut().1.set_ext(id, &x);
                }
                g.push_edge(id, ty, a, bx, ea);
            }
            edge_chunks += 1;
        }
        phases.lap("edges inserted");
        if node_chunks != m.node_chunks || edge_chunks != m.edge_chunks {
            return Err(StorageError::Corrupt {
                key: format!("snapshot {}", m.generation),
                reason: format!(
                    "manifest lists {} node and {} edge chunks, found {node_chunks} and {edge_chunks}",
                    m.node_chunks, m.edge_chunks
                ),
            });
        }
        Ok(())
    })?;
    clear_interner();
    let (n, e) = g.id_maps_mut();
    n.bump_next(m.next_node);
    e.bump_next(m.next_edge);
    Ok((g, node_bytes + edge_bytes_total.into_inner()))
}

/// Applies a logged batch: the final state of each touched node and edge.
fn replay(g: &mut Graph, batch: LogBatch, remap: &Remap) -> Result<(), String> {
    let node_from: FxHashMap<u32, u32> = batch.appended.0.iter().copied().collect();
    let edge_from: FxHashMap<u32, u32> = batch.appended.1.iter().copied().collect();
    // Evidence logged as appended follows what the node or edge had.
    let before =
        |have: Option<&[crate::graph::Evidence]>, from: u32, what: &str, id: u32| match have {
            Some(p) if p.len() == from as usize => Ok(p.to_vec()),
            Some(p) => Err(format!(
                "{what} {id} has {} pieces of evidence, the batch appends to {from}",
                p.len()
            )),
            None => Err(format!(
                "{what} {id} gets evidence appended but does not exist"
            )),
        };
    for (id, e) in &batch.edges {
        if e.is_none() {
            g.remove_edge(*id);
        }
    }
    for (id, n) in batch.nodes.iter() {
        if let Some(n) = n {
            let mut prov = n.prov.clone();
            if let Some(&from) = node_from.get(id) {
                let mut p = before(g.node_by_id(*id).map(|x| &x.prov[..]), from, "node", *id)?;
                p.extend_from_slice(&prov);
                prov = p;
            }
            let props =
                props_from(n.props.clone(), remap).ok_or("a property key or date out of range")?;
            let label = remap
                .label(n.label)
                .filter(|&l| (l as usize) < g.schema().labels().len())
                .ok_or_else(|| format!("unknown label #{}", n.label))?;
            if let Some(x) = &n.ext {
                g.id_maps_mut().0.set_ext(*id, x);
            }
            g.put_node(NodeRec {
                id: *id,
                label,
                props,
                prov,
            });
        }
    }
    for (id, e) in batch.edges {
        if let Some(mut e) = e {
            if let Some(x) = &e.ext {
                g.id_maps_mut().1.set_ext(id, x);
            }
            if let Some(&from) = edge_from.get(&id) {
                let have = g.edge_index(id).map(|ix| {
                    g.edge_attrs(&g.petgraph()[ix])
                        .map_or(&[][..], |a| &a.prov[..])
                });
                let mut p = before(have, from, "edge", id)?;
                p.append(&mut e.prov);
                e.prov = p;
            }
            let data = e
                .into_data(id, remap)
                .filter(|d| (d.ty as usize) < g.schema().rel_types().len())
                .ok_or("a relationship type, property key or date out of range")?;
            g.put_edge(data).map_err(|e| e.to_string())?;
        }
    }
    for (id, n) in &batch.nodes {
        if n.is_none() {
            g.remove_node(*id);
        }
    }
    let (n, e) = g.id_maps_mut();
    n.bump_next(batch.next_node);
    e.bump_next(batch.next_edge);
    Ok(())
}

/// The text of a Document node, if it is one and has a text.
fn document_text(g: &Graph, n: &NodeRec) -> Option<String> {
    let s = g.schema();
    if s.labels()[n.label as usize].name != "Document" {
        return None;
    }
    let k = s.key("text")?;
    Graph::prop(&n.props, k)
        .and_then(crate::value::Value::as_str)
        .map(str::to_string)
}

/// Drops a Document's `text` from its stored form: the text has its own record.
fn strip_text(g: &Graph, n: &NodeRec, snap: &mut NodeSnap) {
    let s = g.schema();
    if s.labels()[n.label as usize].name == "Document" {
        if let Some(k) = s.key("text") {
            snap.props.retain(|(pk, _)| *pk != k);
        }
    }
}

/// Gives the Documents of a loaded graph their texts from the text records; returns the
/// ids with a text record, and the keys of records whose document is gone.
fn attach_texts(
    b: &dyn Backend,
    g: &mut Graph,
) -> Result<(FxHashSet<u32>, Vec<Vec<u8>>), StorageError> {
    let mut ids = FxHashSet::default();
    let mut stale = Vec::new();
    let Some(k) = g.schema().key("text") else {
        return Ok((ids, stale));
    };
    b.scan(TEXT_PREFIX, &mut |key, v| {
        let Some(id) = text_key_id(key) else {
            return Err(corrupt(key, "unexpected key"));
        };
        let Some(n) = g.node_by_id(id) else {
            stale.push(key.to_vec());
            return Ok(());
        };
        let text: String = decode(key, v)?;
        let mut props: Vec<(crate::schema::KeyId, crate::value::Value)> = n.props.to_vec();
        props.retain(|(pk, _)| *pk != k);
        props.push((k, crate::value::Value::str(&text)));
        props.sort_by_key(|(pk, _)| *pk);
        let rec = NodeRec {
            id,
            label: n.label,
            props: props.into_boxed_slice(),
            prov: n.prov.clone(),
        };
        g.put_node(rec);
        ids.insert(id);
        Ok(())
    })?;
    Ok((ids, stale))
}
