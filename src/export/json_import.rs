//! Reading a JSON dump into the store as one batch.
//!
//! A dump in the layout coopgraph writes (one node or edge per line) is parsed by
//! two worker threads in parallel while this thread applies the records in order;
//! any other valid JSON layout is read by a streaming parser. Both paths share the
//! record conversion, so they accept and refuse the same dumps.

use super::json::{DUMP_FORMAT, DUMP_VERSION};
use super::ExportError;
use crate::graph::{Evidence, Graph, Txn};
use crate::schema::{KeyId, LabelId, RelTypeId, Schema};
use crate::store::Store;
use crate::value::{Value, ValueType};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

/// What an import did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportSummary {
    /// Nodes read.
    pub nodes: usize,
    /// Edges read.
    pub edges: usize,
}

/// Imports a JSON dump file into the store as one batch: all of it, or nothing.
pub fn import(store: &mut Store, path: &Path) -> Result<ImportSummary, ExportError> {
    let bytes = read_dump(path)?;
    import_bytes(store, &bytes, path)
}

/// Largest dump `import` reads: the whole file is held in memory while it is applied.
pub const MAX_DUMP_BYTES: u64 = 16 << 30;

/// Reads a dump file into memory: a regular file, not empty, at most [`MAX_DUMP_BYTES`],
/// and not growing while it is read.
///
/// The file is read, not memory-mapped: a mapped file that another process truncates
/// kills the reader with SIGBUS, while a read only sees the shorter file, which then
/// fails to parse with a message.
pub fn read_dump(path: &Path) -> Result<Vec<u8>, ExportError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let malformed = |message: String| ExportError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    // O_NONBLOCK: opening a FIFO would otherwise block until some program writes to it;
    // on a regular file the flag changes nothing.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(super::io_at(path))?;
    let meta = file.metadata().map_err(super::io_at(path))?;
    if !meta.is_file() {
        return Err(malformed(format!(
            "not a regular file (a {}); import reads dump files only",
            super::file_kind(&meta)
        )));
    }
    let len = meta.len();
    if len > MAX_DUMP_BYTES {
        return Err(malformed(format!(
            "the dump is {len} bytes; import reads at most {MAX_DUMP_BYTES} bytes (16 GiB)"
        )));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(len + 1)
        .read_to_end(&mut bytes)
        .map_err(super::io_at(path))?;
    if bytes.len() as u64 > len {
        return Err(malformed(
            "the file grew while it was read; import a dump no other program is writing".into(),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("the file is empty".into()));
    }
    Ok(bytes)
}

/// Imports a JSON dump held in memory; `path` names it in errors.
pub fn import_bytes(
    store: &mut Store,
    bytes: &[u8],
    path: &Path,
) -> Result<ImportSummary, ExportError> {
    let bulk = store.graph().node_count() == 0;
    let malformed = |message: String| ExportError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    store.write(bulk, |txn| {
        let mut ap = Apply::new(txn);
        let summary = match LineLayout::find(bytes) {
            Some(layout) => layout.import(&mut ap, bytes).map_err(malformed)?,
            None => {
                let mut de = serde_json::Deserializer::from_slice(bytes);
                let mut summary = ImportSummary::default();
                DumpSeed {
                    ap: &mut ap,
                    summary: &mut summary,
                }
                .deserialize(&mut de)
                .map_err(|e| malformed(e.to_string()))?;
                de.end().map_err(|e| malformed(e.to_string()))?;
                summary
            }
        };
        ap.check_provenance().map_err(malformed)?;
        Ok(summary)
    })
}

/// Where a record is in the dump: its JSON path, or its line in JSON Lines.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// `nodes[i]`.
    Node(usize),
    /// `edges[i]`.
    Edge(usize),
    /// A line of a JSON Lines file (1-based).
    Line(usize),
}

impl Place {
    /// The JSON path of `field` of the record here (`nodes[3].provenance`), or its line.
    fn path(&self, field: &str) -> String {
        match self {
            Place::Line(l) => format!("line {l}: {field}"),
            p => format!("{p}.{field}"),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Node(i) => write!(f, "nodes[{i}]"),
            Place::Edge(i) => write!(f, "edges[{i}]"),
            Place::Line(l) => write!(f, "line {l}"),
        }
    }
}

/// Records that the dump gives `id` at `at`; an error naming both places when it gave
/// it before.
fn first_time(
    seen: &mut rustc_hash::FxHashMap<Box<str>, Place>,
    id: &str,
    at: Place,
    kind: &str,
) -> Result<(), String> {
    match seen.entry(id.into()) {
        std::collections::hash_map::Entry::Occupied(o) => Err(format!(
            "{kind} id {id} is given twice (first at {})",
            o.get()
        )),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(at);
            Ok(())
        }
    }
}

/// Applies a dump's records to a transaction, refusing what the dump contradicts: an id
/// given twice, a span that ends before it starts, provenance that cites a node that is
/// not a Document of the graph or reaches past its text.
struct Apply<'t, 'g> {
    txn: &'t mut Txn<'g>,
    /// The node and edge ids the dump gave, with the first place of each.
    nodes: rustc_hash::FxHashMap<Box<str>, Place>,
    edges: rustc_hash::FxHashMap<Box<str>, Place>,
}

impl<'t, 'g> Apply<'t, 'g> {
    fn new(txn: &'t mut Txn<'g>) -> Self {
        Apply {
            txn,
            nodes: Default::default(),
            edges: Default::default(),
        }
    }

    fn schema(&self) -> Arc<Schema> {
        self.txn.graph().schema().clone()
    }

    fn evidence(&mut self, p: Vec<JEvidence<'_>>) -> Result<Vec<Evidence>, String> {
        p.into_iter()
            .enumerate()
            .map(|(i, e)| {
                if e.start > e.end {
                    return Err(format!(
                        "provenance[{i}]: start {} is after end {}",
                        e.start, e.end
                    ));
                }
                Ok(Evidence {
                    doc: self.txn.assign_node_id(&e.doc),
                    start: e.start,
                    end: e.end,
                })
            })
            .collect()
    }

    /// Applies a node found at `at`.
    fn node(&mut self, n: NodeIn<'_>, at: Place) -> Result<(), String> {
        first_time(&mut self.nodes, &n.id, at, "node")?;
        let prov = self.evidence(n.prov)?;
        self.txn
            .import_node(&n.id, n.label, n.props, prov)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Applies an edge found at `at`.
    fn edge(&mut self, e: EdgeIn<'_>, at: Place) -> Result<(), String> {
        first_time(&mut self.edges, &e.id, at, "edge")?;
        let g = self.txn.graph();
        let node = |text: &str, end: &str| {
            g.node_ids()
                .lookup(text)
                .filter(|&n| g.node_index(n).is_some())
                .ok_or_else(|| format!("{end} {text} is not a node of the dump"))
        };
        let src = node(&e.source, "source")?;
        let dst = node(&e.target, "target")?;
        let prov = self.evidence(e.prov)?;
        self.txn
            .import_edge(&e.id, e.ty, src, dst, e.props, prov)
            .map(|_| ())
            .map_err(|x| x.to_string())
    }

    /// Checks, once every record is in, that all provenance in the graph cites a Document
    /// and stays within its text; names the dump's place of the record that does not.
    fn check_provenance(&self) -> Result<(), String> {
        let g = self.txn.graph();
        let schema = g.schema();
        let document = schema.label("Document").ok();
        let (text_key, length_key) = (schema.key("text"), schema.key("length"));
        // Characters of each cited document's text, counted once.
        let mut lengths: rustc_hash::FxHashMap<u32, Option<u64>> = Default::default();
        // `what` is the path of the provenance checked, e.g. `nodes[3].provenance`.
        let mut check = |prov: &[Evidence], what: String| -> Result<(), String> {
            for e in prov {
                let Some(d) = g.node_by_id(e.doc) else {
                    return Err(format!(
                        "{what}: cites document {}, which is not in the dump",
                        g.node_id_text(e.doc)
                    ));
                };
                if Some(d.label) != document {
                    return Err(format!(
                        "{what}: cites {} (:{}), which is not a Document",
                        g.node_id_text(e.doc),
                        schema.labels()[d.label as usize].name
                    ));
                }
                let len = *lengths.entry(e.doc).or_insert_with(|| {
                    let prop = |k: Option<KeyId>| k.and_then(|k| Graph::prop(&d.props, k));
                    match (prop(text_key), prop(length_key)) {
                        (Some(Value::Str(t)), _) => Some(t.chars().count() as u64),
                        (_, Some(Value::Int(n))) => Some((*n).max(0) as u64),
                        _ => None,
                    }
                });
                if let Some(len) = len.filter(|&l| e.end as u64 > l) {
                    return Err(format!(
                        "{what}: span {}..{} reaches past the text of document {} ({len} characters)",
                        e.start,
                        e.end,
                        g.node_id_text(e.doc)
                    ));
                }
            }
            Ok(())
        };
        let place = |map: &rustc_hash::FxHashMap<Box<str>, Place>, kind: &str, id: String| match map
            .get(id.as_str())
        {
            Some(p) => p.path("provenance"),
            None => format!("{kind} {id}: provenance"),
        };
        let pg = g.petgraph();
        for ix in pg.node_indices() {
            let n = &pg[ix];
            if !n.prov.is_empty() {
                check(&n.prov, place(&self.nodes, "node", g.node_id_text(n.id)))?;
            }
        }
        for ix in pg.edge_indices() {
            if let Some(a) = g.edge_attrs(&pg[ix]).filter(|a| !a.prov.is_empty()) {
                check(
                    &a.prov,
                    place(&self.edges, "edge", g.edge_id_text(pg[ix].id)),
                )?;
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JEvidence<'a> {
    #[serde(borrow)]
    doc: Cow<'a, str>,
    start: u32,
    end: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JNode<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    labels: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    properties: Pairs<'a>,
    #[serde(default, borrow)]
    provenance: Vec<JEvidence<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JEdge<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    target: Cow<'a, str>,
    #[serde(default, borrow)]
    properties: Pairs<'a>,
    #[serde(default, borrow)]
    provenance: Vec<JEvidence<'a>>,
}

/// A JSON object read as (key, value) pairs in document order.
#[derive(Default)]
struct Pairs<'a>(Vec<(Cow<'a, str>, serde_json::Value)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<'a>, A::Error> {
                let mut v = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                    if v.iter().any(|(x, _): &(Cow<str>, _)| *x == k) {
                        return Err(de::Error::custom(format!("property {k} given twice")));
                    }
                    v.push((k, map.next_value()?));
                }
                Ok(Pairs(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Converts a JSON value to the declared type of a property.
pub fn typed_value(ty: ValueType, v: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    let bad = || format!("expected {}, found {}", ty.name(), short(v));
    Ok(match (ty, v) {
        (ValueType::String, J::String(s)) => Value::str(s),
        (ValueType::Int, J::Number(n)) => Value::Int(n.as_i64().ok_or_else(bad)?),
        (ValueType::Float, J::Number(n)) => Value::Float(n.as_f64().ok_or_else(bad)?),
        (ValueType::Bool, J::Bool(b)) => Value::Bool(*b),
        (ValueType::Date, J::String(s)) => Value::Date(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("expected a date \"YYYY-MM-DD\", found {}", short(v)))?,
        ),
        (ValueType::StringList, J::Array(a)) => Value::List(
            a.iter()
                .map(|x| x.as_str().map(Value::str).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?
                .into(),
        ),
        _ => return Err(bad()),
    })
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A node converted against the schema, not yet applied.
struct NodeIn<'a> {
    id: Cow<'a, str>,
    label: LabelId,
    props: Vec<(KeyId, Value)>,
    prov: Vec<JEvidence<'a>>,
}

/// An edge converted against the schema, not yet applied.
struct EdgeIn<'a> {
    id: Cow<'a, str>,
    ty: RelTypeId,
    source: Cow<'a, str>,
    target: Cow<'a, str>,
    props: Vec<(KeyId, Value)>,
    prov: Vec<JEvidence<'a>>,
}

fn convert_props(
    pairs: &Pairs<'_>,
    def: impl Fn(&str) -> Result<(KeyId, ValueType), String>,
) -> Result<Vec<(KeyId, Value)>, String> {
    let mut props = Vec::with_capacity(pairs.0.len());
    for (k, v) in &pairs.0 {
        if v.is_null() {
            continue;
        }
        let (key, ty) = def(k)?;
        props.push((
            key,
            typed_value(ty, v).map_err(|e| format!("properties.{k}: {e}"))?,
        ));
    }
    Ok(props)
}

fn convert_node<'a>(schema: &Schema, n: JNode<'a>) -> Result<NodeIn<'a>, String> {
    if n.labels.len() != 1 {
        return Err(format!(
            "has {} labels; a coopgraph node has exactly one",
            n.labels.len()
        ));
    }
    let label = schema.label(&n.labels[0]).map_err(|e| e.to_string())?;
    let props = convert_props(&n.properties, |k| {
        schema
            .node_prop(label, k)
            .map(|d| (d.key, d.ty))
            .map_err(|e| e.to_string())
    })?;
    Ok(NodeIn {
        id: n.id,
        label,
        props,
        prov: n.provenance,
    })
}

fn convert_edge<'a>(schema: &Schema, e: JEdge<'a>) -> Result<EdgeIn<'a>, String> {
    let ty = schema.rel_type(&e.ty).map_err(|x| x.to_string())?;
    let props = convert_props(&e.properties, |k| {
        schema
            .rel_prop(ty, k)
            .map(|d| (d.key, d.ty))
            .map_err(|x| x.to_string())
    })?;
    Ok(EdgeIn {
        id: e.id,
        ty,
        source: e.source,
        target: e.target,
        props,
        prov: e.provenance,
    })
}

/// The positions of the parts of a dump written one record per line.
struct LineLayout {
    /// Byte range of the node lines and the line number of the first.
    nodes: (usize, usize, usize),
    /// Byte range of the edge lines and the line number of the first.
    edges: (usize, usize, usize),
}

const HEAD: &[u8] = b"{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[\n";
const MIDDLE: &[u8] = b"\n],\"edges\":[\n";
const TAIL: &[u8] = b"\n]}";

/// Bytes handed to a worker at a time (rounded to whole lines).
const BYTES_PER_CHUNK: usize = 4 << 20;

impl LineLayout {
    /// Recognises the layout coopgraph writes; `None` for any other layout.
    fn find(bytes: &[u8]) -> Option<LineLayout> {
        let body = bytes.strip_prefix(HEAD)?;
        let body_start = HEAD.len();
        let end = bytes.len() - trailing_ws(bytes);
        let tail_at = end.checked_sub(TAIL.len())?;
        if &bytes[tail_at..end] != TAIL {
            return None;
        }
        let mid = memchr::memmem::find(body, MIDDLE)? + body_start;
        let nodes = (body_start, mid, 2);
        let edge_line =
            2 + memchr::memchr_iter(b'\n', &bytes[body_start..mid + MIDDLE.len()]).count();
        let edges = (mid + MIDDLE.len(), tail_at, edge_line);
        if edges.0 > edges.1 {
            return None;
        }
        Some(LineLayout { nodes, edges })
    }

    fn import(&self, ap: &mut Apply<'_, '_>, bytes: &[u8]) -> Result<ImportSummary, String> {
        let schema = ap.schema();
        let mut summary = ImportSummary::default();
        let mut phases = crate::timing::Phases::start("import");
        summary.nodes = parallel_lines(
            bytes,
            self.nodes,
            BYTES_PER_CHUNK,
            "nodes",
            |line| {
                let n: JNode = serde_json::from_slice(line).map_err(|e| e.to_string())?;
                convert_node(&schema, n)
            },
            |n, i| ap.node(n, Place::Node(i)),
        )?;
        phases.lap("nodes");
        summary.edges = parallel_lines(
            bytes,
            self.edges,
            BYTES_PER_CHUNK,
            "edges",
            |line| {
                let e: JEdge = serde_json::from_slice(line).map_err(|e| e.to_string())?;
                convert_edge(&schema, e)
            },
            |e, i| ap.edge(e, Place::Edge(i)),
        )?;
        phases.lap("edges");
        Ok(summary)
    }
}

fn trailing_ws(b: &[u8]) -> usize {
    b.iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count()
}

/// Splits the lines of `range` into chunks of about `chunk_bytes` parsed by two
/// workers with `parse`, and feeds the results to `apply` in file order. Errors name the
/// line, the array and the index.
fn parallel_lines<'a, T: Send + 'a>(
    bytes: &'a [u8],
    (start, end, first_line): (usize, usize, usize),
    chunk_bytes: usize,
    what: &str,
    parse: impl Fn(&'a [u8]) -> Result<T, String> + Sync,
    mut apply: impl FnMut(T, usize) -> Result<(), String>,
) -> Result<usize, String> {
    if start >= end {
        return Ok(0);
    }
    let region = &bytes[start..end];
    let chunks = region.len().div_ceil(chunk_bytes);
    // Chunk c holds the lines that start in [c * chunk_bytes, (c + 1) * chunk_bytes).
    let line_start_at = |p: usize| -> usize {
        if p == 0 {
            return 0;
        }
        match memchr::memchr(b'\n', &region[(p - 1).min(region.len())..]) {
            Some(i) => (p - 1 + i + 1).min(region.len()),
            None => region.len(),
        }
    };
    // The line number and array index of the line starting at byte `p`.
    let position = |p: usize| memchr::memchr_iter(b'\n', &region[..p]).count();
    let next = AtomicUsize::new(0);
    // Set when this thread stops early (a bad record): workers then take no new chunk.
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<Vec<T>, (usize, String)>)>(4);
    let parse = &parse;
    let line_start_at = &line_start_at;
    let mut count = 0usize;
    std::thread::scope(|s| {
        for _ in 0..2 {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            s.spawn(move || loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks || stop.load(Ordering::Relaxed) {
                    return;
                }
                let from = line_start_at(c * chunk_bytes);
                let to = line_start_at(((c + 1) * chunk_bytes).min(region.len()));
                let mut out = Vec::new();
                let mut result = Ok(());
                let mut p = from;
                while p < to {
                    let line_end = memchr::memchr(b'\n', &region[p..to]).map_or(to, |i| p + i);
                    let line = &region[p..line_end];
                    let line = line.strip_suffix(b",").unwrap_or(line);
                    match parse(line) {
                        Ok(t) => out.push(t),
                        Err(e) => {
                            result = Err((p, e));
                            break;
                        }
                    }
                    p = line_end + 1;
                }
                if tx.send((c, result.map(|_| out))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // The receiver lives in this closure, so an early return drops it before the scope
        // joins the workers: a worker blocked on the full channel then gets an error from
        // `send` and ends, instead of waiting forever for a reader that has left.
        let rx = rx;
        let _stop_on_exit = StopOnDrop(&stop);
        let mut pending = std::collections::BTreeMap::new();
        let mut want = 0usize;
        for (c, r) in rx.iter() {
            pending.insert(c, r);
            while let Some(r) = pending.remove(&want) {
                match r {
                    Ok(items) => {
                        for t in items {
                            if let Err(e) = apply(t, count) {
                                return Err(format!(
                                    "line {}: {what}[{count}]: {e}",
                                    first_line + count
                                ));
                            }
                            count += 1;
                        }
                    }
                    Err((p, e)) => {
                        let i = position(p);
                        return Err(format!("line {}: {what}[{i}]: {e}", first_line + i));
                    }
                }
                want += 1;
            }
        }
        Ok(())
    })?;
    Ok(count)
}

/// Sets its flag when dropped: tells the workers of [`parallel_lines`] to stop however
/// the reading loop ends.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

struct DumpSeed<'a, 't, 'g> {
    ap: &'a mut Apply<'t, 'g>,
    summary: &'a mut ImportSummary,
}

impl<'de> DeserializeSeed<'de> for DumpSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DumpSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a coopgraph dump: {\"format\":\"coopgraph\",\"version\":1,\"nodes\":[…],\"edges\":[…]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_nodes = false;
        let mut format_ok = false;
        let mut deferred: Option<Vec<JEdge<'de>>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "format" => {
                    let f: Cow<'de, str> = map.next_value()?;
                    if f != DUMP_FORMAT {
                        return Err(de::Error::custom(format!(
                            "format is {f:?}, expected \"{DUMP_FORMAT}\""
                        )));
                    }
                    format_ok = true;
                }
                "version" => {
                    let v: u64 = map.next_value()?;
                    if v != DUMP_VERSION {
                        return Err(de::Error::custom(format!(
                            "dump version {v} is not supported (this coopgraph reads version {DUMP_VERSION})"
                        )));
                    }
                }
                "nodes" => {
                    self.summary.nodes += map.next_value_seed(ArraySeed {
                        ap: &mut *self.ap,
                        nodes: true,
                    })?;
                    seen_nodes = true;
                }
                "edges" if !seen_nodes => {
                    // Edges before nodes (a writer that sorts keys): keep them until the nodes exist.
                    deferred = Some(map.next_value::<Vec<JEdge<'de>>>()?);
                }
                "edges" => {
                    self.summary.edges += map.next_value_seed(ArraySeed {
                        ap: &mut *self.ap,
                        nodes: false,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !format_ok {
            return Err(de::Error::custom("missing \"format\":\"coopgraph\""));
        }
        let schema = self.ap.schema();
        for (i, e) in deferred.into_iter().flatten().enumerate() {
            convert_edge(&schema, e)
                .and_then(|e| self.ap.edge(e, Place::Edge(i)))
                .map_err(|e| de::Error::custom(format!("edges[{i}]: {e}")))?;
            self.summary.edges += 1;
        }
        Ok(())
    }
}

/// The `nodes` or `edges` array, applied element by element as it is parsed.
struct ArraySeed<'s, 't, 'g> {
    ap: &'s mut Apply<'t, 'g>,
    nodes: bool,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_, '_> {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_, '_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.nodes {
            "an array of nodes"
        } else {
            "an array of edges"
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let schema = self.ap.schema();
        let what = if self.nodes { "nodes" } else { "edges" };
        let mut i = 0usize;
        loop {
            let r = if self.nodes {
                match seq.next_element::<JNode<'de>>()? {
                    None => break,
                    Some(n) => {
                        convert_node(&schema, n).and_then(|n| self.ap.node(n, Place::Node(i)))
                    }
                }
            } else {
                match seq.next_element::<JEdge<'de>>()? {
                    None => break,
                    Some(e) => {
                        convert_edge(&schema, e).and_then(|e| self.ap.edge(e, Place::Edge(i)))
                    }
                }
            };
            r.map_err(|e| de::Error::custom(format!("{what}[{i}]: {e}")))?;
            i += 1;
        }
        Ok(i)
    }
}

/// One line of a JSON Lines export: a node (with `labels`) or an edge (with `type`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JRecord<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    labels: Option<Vec<Cow<'a, str>>>,
    #[serde(rename = "type", default, borrow)]
    ty: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    target: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    properties: Pairs<'a>,
    #[serde(default, borrow)]
    provenance: Vec<JEvidence<'a>>,
}

enum Record<'a> {
    Node(JNode<'a>),
    Edge(JEdge<'a>),
}

impl<'a> JRecord<'a> {
    fn split(self) -> Result<Record<'a>, String> {
        match (self.labels, self.ty, self.source, self.target) {
            (Some(labels), None, None, None) => Ok(Record::Node(JNode {
                id: self.id,
                labels,
                properties: self.properties,
                provenance: self.provenance,
            })),
            (None, Some(ty), Some(source), Some(target)) => Ok(Record::Edge(JEdge {
                id: self.id,
                ty,
                source,
                target,
                properties: self.properties,
                provenance: self.provenance,
            })),
            _ => Err(
                "neither a node (id, labels) nor an edge (id, type, source, target)".to_string(),
            ),
        }
    }
}

/// Imports a JSON Lines file (one node or edge per line, any order) into the store as
/// one batch: all of it, or nothing. Errors name the line.
pub fn import_jsonl(store: &mut Store, path: &Path) -> Result<ImportSummary, ExportError> {
    let bytes = read_dump(path)?;
    import_jsonl_bytes(store, &bytes, path)
}

/// Imports JSON Lines held in memory; `path` names them in errors.
pub fn import_jsonl_bytes(
    store: &mut Store,
    bytes: &[u8],
    path: &Path,
) -> Result<ImportSummary, ExportError> {
    let malformed = |message: String| ExportError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    let bulk = store.graph().node_count() == 0;
    store.write(bulk, |txn| {
        let mut ap = Apply::new(txn);
        let schema = ap.schema();
        let mut summary = ImportSummary::default();
        let mut edges = Vec::new();
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let at = |e: String| malformed(format!("line {}: {e}", i + 1));
            let rec: JRecord = serde_json::from_slice(line).map_err(|e| at(e.to_string()))?;
            match rec.split().map_err(at)? {
                Record::Node(n) => {
                    convert_node(&schema, n)
                        .and_then(|n| ap.node(n, Place::Line(i + 1)))
                        .map_err(at)?;
                    summary.nodes += 1;
                }
                Record::Edge(e) => edges.push((i + 1, convert_edge(&schema, e).map_err(at)?)),
            }
        }
        for (line, e) in edges {
            ap.edge(e, Place::Line(line))
                .map_err(|e| malformed(format!("line {line}: {e}")))?;
            summary.edges += 1;
        }
        ap.check_provenance().map_err(malformed)?;
        Ok(summary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on another thread and fails the test if it does not end within 20 s.
    fn within_20s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("parallel_lines deadlocked")
    }

    fn number(l: &[u8]) -> Result<u32, String> {
        std::str::from_utf8(l)
            .unwrap()
            .parse::<u32>()
            .map_err(|e| e.to_string())
    }

    /// 5000 numbered lines after `head`, parsed in chunks of 16 bytes (far more chunks than
    /// the two workers plus the channel's four slots), applied with `apply`.
    fn many_chunks(
        head: &str,
        apply: fn(u32, usize) -> Result<(), String>,
    ) -> Result<usize, String> {
        let mut text = String::from(head);
        for i in 0..5000 {
            text.push_str(&format!("{i},\n"));
        }
        within_20s(move || {
            parallel_lines(
                text.as_bytes(),
                (0, text.len(), 2),
                16,
                "nodes",
                number,
                apply,
            )
        })
    }

    #[test]
    fn an_early_bad_line_ends_the_workers_instead_of_deadlocking() {
        let r = many_chunks("bad\n", |_, _| Ok(()));
        assert_eq!(
            r.unwrap_err(),
            "line 2: nodes[0]: invalid digit found in string"
        );
    }

    #[test]
    fn a_record_refused_while_applying_ends_the_workers_too() {
        let r = many_chunks("", |n, _| if n == 3 { Err("clash".into()) } else { Ok(()) });
        assert_eq!(r.unwrap_err(), "line 5: nodes[3]: clash");
    }

    #[test]
    fn all_lines_are_applied_in_file_order() {
        let text: String = (0..3000).map(|i| format!("{i},\n")).collect();
        let mut seen = Vec::new();
        let n = parallel_lines(
            text.as_bytes(),
            (0, text.len() - 1, 2),
            64,
            "nodes",
            number,
            |n, i| {
                assert_eq!(n as usize, i);
                seen.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n, 3000);
        assert!(seen.iter().copied().eq(0..3000));
    }
}
