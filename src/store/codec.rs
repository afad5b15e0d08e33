//! Every byte the store writes: key layout, the storage format version, checksummed
//! records, and the bincode encoding of snapshots and logged batches. Swapping the
//! codec means changing this module and [`FORMAT`].

use super::StorageError;
use crate::graph::{EdgeAttrs, EdgeData, Evidence, NodeRec};
use crate::value::Value;
use chrono::NaiveDate;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The storage format this build reads and writes.
pub const FORMAT: &str = "coopgraph-store/2 (bincode-1.3, lz4, crc32)";
/// The previous format, read and upgraded in place: its logged batches lack
/// [`LogBatch::appended`], which is then empty.
pub const FORMAT_1: &str = "coopgraph-store/1 (bincode-1.3, lz4, crc32)";
/// Key of the format string.
pub const KEY_FORMAT: &[u8] = b"meta/format";
/// Key of the dictionary: the names behind the label, type and key numbers stored.
pub const KEY_DICTIONARY: &[u8] = b"meta/dictionary";
/// Key of the manifest: which snapshot generation and which log entries are live.
pub const KEY_MANIFEST: &[u8] = b"meta/manifest";
/// Prefix of snapshot chunks: `snap/` + generation (8 bytes BE) + kind byte + chunk number (4 bytes BE).
pub const SNAP_PREFIX: &[u8] = b"snap/";
/// Prefix of logged batches: `log/` + sequence number (8 bytes BE).
pub const LOG_PREFIX: &[u8] = b"log/";
/// Prefix of document texts: `text/` + the Document's id number (4 bytes BE). A text is
/// written once, with the batch that adds or changes its document, and never rewritten by
/// snapshots, whose node chunks hold Documents without their `text`.
pub const TEXT_PREFIX: &[u8] = b"text/";
/// Nodes per snapshot chunk.
pub const NODES_PER_CHUNK: usize = 1024;
/// Edges per snapshot chunk (about 64 KiB, the value size sled stores best).
pub const EDGES_PER_CHUNK: usize = 4096;

/// What is live in the database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The live snapshot generation (0: none yet).
    pub generation: u64,
    /// Number of node chunks in that snapshot.
    pub node_chunks: u32,
    /// Number of edge chunks in that snapshot.
    pub edge_chunks: u32,
    /// Nodes in the snapshot.
    pub nodes: u64,
    /// Edges in the snapshot.
    pub edges: u64,
    /// First log sequence number not folded into the snapshot.
    pub log_start: u64,
    /// Next node id number to allocate.
    pub next_node: u32,
    /// Next edge id number to allocate.
    pub next_edge: u32,
}

/// The names of the label, relationship type and property key numbers used in stored
/// records, so a database stays readable when the schema gains names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dictionary {
    /// Label names by number.
    pub labels: Vec<String>,
    /// Relationship type names by number.
    pub rels: Vec<String>,
    /// Property key names by number.
    pub keys: Vec<String>,
}

impl Dictionary {
    /// The numbering of a schema.
    pub fn of(schema: &crate::schema::Schema) -> Dictionary {
        Dictionary {
            labels: schema.labels().iter().map(|l| l.name.clone()).collect(),
            rels: schema.rel_types().iter().map(|r| r.name.clone()).collect(),
            keys: schema.keys().to_vec(),
        }
    }
}

/// Translates stored label, type and key numbers into the current schema's.
#[derive(Debug, Clone, Default)]
pub struct Remap {
    tables: Option<[Vec<u16>; 3]>,
}

impl Remap {
    /// The translation from `stored` to `current`. A stored name the current schema lacks
    /// maps to nothing, so only records that use it fail to load.
    pub fn new(stored: &Dictionary, current: &Dictionary) -> Remap {
        if stored == current {
            return Remap::default();
        }
        let table = |from: &[String], to: &[String]| -> Vec<u16> {
            from.iter()
                .map(|n| {
                    to.iter()
                        .position(|m| m == n)
                        .map_or(u16::MAX, |i| i as u16)
                })
                .collect()
        };
        Remap {
            tables: Some([
                table(&stored.labels, &current.labels),
                table(&stored.rels, &current.rels),
                table(&stored.keys, &current.keys),
            ]),
        }
    }

    /// Whether stored numbers are the current ones.
    pub fn is_identity(&self) -> bool {
        self.tables.is_none()
    }

    fn map(&self, t: usize, n: u16) -> Option<u16> {
        match &self.tables {
            None => Some(n),
            Some(tables) => tables[t]
                .get(n as usize)
                .copied()
                .filter(|&m| m != u16::MAX),
        }
    }

    /// The current number of a stored label.
    pub fn label(&self, n: u16) -> Option<u16> {
        self.map(0, n)
    }

    /// The current number of a stored relationship type.
    pub fn rel(&self, n: u16) -> Option<u16> {
        self.map(1, n)
    }

    /// The current number of a stored property key.
    pub fn key(&self, n: u16) -> Option<u16> {
        self.map(2, n)
    }
}

/// Kind byte of node chunks.
pub const CHUNK_NODES: u8 = b'n';
/// Kind byte of edge chunks.
pub const CHUNK_EDGES: u8 = b'e';

/// The key of snapshot chunk `n` of `kind` in generation `generation`.
pub fn snap_key(generation: u64, kind: u8, n: u32) -> Vec<u8> {
    let mut k = SNAP_PREFIX.to_vec();
    k.extend_from_slice(&generation.to_be_bytes());
    k.push(kind);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

/// The prefix of every chunk of one generation.
pub fn snap_gen_prefix(generation: u64) -> Vec<u8> {
    let mut k = SNAP_PREFIX.to_vec();
    k.extend_from_slice(&generation.to_be_bytes());
    k
}

/// The key of log entry `seq`.
pub fn log_key(seq: u64) -> Vec<u8> {
    let mut k = LOG_PREFIX.to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The key of document `id`'s text.
pub fn text_key(id: u32) -> Vec<u8> {
    let mut k = TEXT_PREFIX.to_vec();
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The document id number of a text key.
pub fn text_key_id(key: &[u8]) -> Option<u32> {
    let b = key.strip_prefix(TEXT_PREFIX)?;
    (b.len() == 4).then(|| u32::from_be_bytes(b.try_into().expect("4 bytes")))
}

/// The generation of a snapshot key.
pub fn snap_key_generation(key: &[u8]) -> Option<u64> {
    key.strip_prefix(SNAP_PREFIX)?
        .get(..8)
        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
}

/// The sequence number of a log key.
pub fn log_key_seq(key: &[u8]) -> Option<u64> {
    let b = key.strip_prefix(LOG_PREFIX)?;
    (b.len() == 8).then(|| u64::from_be_bytes(b.try_into().expect("8 bytes")))
}

/// A key written for people: `snapshot 3, edge chunk 17`, `log entry 42`, `meta/manifest`.
pub fn describe_key(key: &[u8]) -> String {
    if let Some(g) = snap_key_generation(key) {
        let rest = &key[SNAP_PREFIX.len() + 8..];
        if rest.len() == 5 {
            let n = u32::from_be_bytes(rest[1..5].try_into().expect("4 bytes"));
            let kind = if rest[0] == CHUNK_NODES {
                "node"
            } else {
                "edge"
            };
            return format!("snapshot {g}, {kind} chunk {n}");
        }
    }
    if let Some(s) = log_key_seq(key) {
        return format!("log entry {s}");
    }
    if let Some(id) = text_key_id(key) {
        return format!("text of document n{id}");
    }
    String::from_utf8_lossy(key).into_owned()
}

/// Prefixes `payload` with its CRC-32.
pub fn seal(payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(payload.len() + 4);
    v.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    v.extend_from_slice(payload);
    v
}

/// Checks a sealed record's CRC-32 and returns its payload.
pub fn unseal<'a>(key: &[u8], bytes: &'a [u8]) -> Result<&'a [u8], StorageError> {
    if bytes.len() < 4 {
        return Err(corrupt(key, "record shorter than its checksum"));
    }
    let (crc, payload) = bytes.split_at(4);
    let want = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
    let got = crc32fast::hash(payload);
    if want != got {
        return Err(corrupt(
            key,
            &format!("checksum mismatch (stored {want:08x}, computed {got:08x})"),
        ));
    }
    Ok(payload)
}

/// A `Corrupt` error naming the record.
pub fn corrupt(key: &[u8], reason: &str) -> StorageError {
    StorageError::Corrupt {
        key: describe_key(key),
        reason: reason.to_string(),
    }
}

/// Encodes and seals a serializable record.
/// Records are LZ4-compressed: sled keeps in memory every page a scan reads, so fewer
/// bytes stored is also less memory after opening.
pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    let raw = bincode::serialize(v).expect("in-memory records always serialize");
    seal(&lz4_flex::compress_prepend_size(&raw))
}

/// Unseals and decodes a record.
pub fn decode<T: for<'de> Deserialize<'de>>(key: &[u8], bytes: &[u8]) -> Result<T, StorageError> {
    let payload = unseal(key, bytes)?;
    let raw = lz4_flex::decompress_size_prepended(payload)
        .map_err(|e| corrupt(key, &format!("cannot decompress: {e}")))?;
    bincode::deserialize(&raw).map_err(|e| corrupt(key, &format!("cannot decode: {e}")))
}

/// A value as encoded on disk: a bincode enum (variant number, then the payload) of
/// bool, int, float, string, date (days from 0001-01-01, CE day 1) or list.
/// Decoding shares repeated short strings through this thread's [`Interner`].
#[derive(Debug, Clone, PartialEq)]
pub struct SValue(pub Value);

const SVALUE_VARIANTS: &[&str] = &["Bool", "Int", "Float", "Str", "Date", "List"];

impl Serialize for SValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match &self.0 {
            Value::Bool(b) => s.serialize_newtype_variant("SValue", 0, "Bool", b),
            Value::Int(i) => s.serialize_newtype_variant("SValue", 1, "Int", i),
            Value::Float(f) => s.serialize_newtype_variant("SValue", 2, "Float", f),
            Value::Str(x) => s.serialize_newtype_variant("SValue", 3, "Str", &**x),
            Value::Date(d) => s.serialize_newtype_variant(
                "SValue",
                4,
                "Date",
                &chrono::Datelike::num_days_from_ce(d),
            ),
            Value::List(l) => {
                struct Items<'a>(&'a [Value]);
                impl Serialize for Items<'_> {
                    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut seq = s.serialize_seq(Some(self.0.len()))?;
                        for v in self.0 {
                            seq.serialize_element(&SValue(v.clone()))?;
                        }
                        seq.end()
                    }
                }
                s.serialize_newtype_variant("SValue", 5, "List", &Items(l))
            }
        }
    }
}

/// A string decoded through the thread's interner, borrowed from the input when it can be.
struct InternedStr(Arc<str>);

impl<'de> Deserialize<'de> for InternedStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = InternedStr;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<InternedStr, E> {
                Ok(InternedStr(INTERNER.with(|i| i.borrow_mut().intern_str(v))))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for SValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, VariantAccess};
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a stored value")
            }
            fn visit_enum<A: serde::de::EnumAccess<'de>>(
                self,
                data: A,
            ) -> Result<SValue, A::Error> {
                let (tag, v): (u32, _) = data.variant()?;
                Ok(SValue(match tag {
                    0 => Value::Bool(v.newtype_variant()?),
                    1 => Value::Int(v.newtype_variant()?),
                    2 => Value::Float(v.newtype_variant()?),
                    3 => Value::Str(v.newtype_variant::<InternedStr>()?.0),
                    4 => {
                        let days: i32 = v.newtype_variant()?;
                        Value::Date(
                            NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| {
                                A::Error::custom(format!("date {days} out of range"))
                            })?,
                        )
                    }
                    5 => Value::List(
                        v.newtype_variant::<Vec<SValue>>()?
                            .into_iter()
                            .map(|x| x.0)
                            .collect(),
                    ),
                    n => return Err(A::Error::custom(format!("unknown value type {n}"))),
                }))
            }
        }
        d.deserialize_enum("SValue", SVALUE_VARIANTS, V)
    }
}

thread_local! {
    static INTERNER: std::cell::RefCell<Interner> = std::cell::RefCell::new(Interner::default());
}

/// Empties this thread's interner (after a load, so it keeps nothing alive).
pub fn clear_interner() {
    INTERNER.with(|i| *i.borrow_mut() = Interner::default());
}

/// Shares repeated short strings (kinds, statuses, roles) so each costs one allocation.
#[derive(Default)]
pub struct Interner {
    set: FxHashSet<Arc<str>>,
}

impl Interner {
    /// The shared copy of `s` (strings longer than 24 bytes get their own allocation).
    pub fn intern_str(&mut self, s: &str) -> Arc<str> {
        if s.len() > 24 {
            return Arc::from(s);
        }
        if let Some(x) = self.set.get(s) {
            return x.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.set.insert(a.clone());
        a
    }
}

/// Properties as encoded on disk.
pub type SProps = Vec<(u16, SValue)>;

fn sprops(p: &[(u16, Value)]) -> SProps {
    p.iter().map(|(k, v)| (*k, SValue(v.clone()))).collect()
}

/// Decodes properties, renumbering their keys; `None` if a key is unknown (a damaged record).
pub fn props_from(p: SProps, remap: &Remap) -> Option<Box<[(u16, Value)]>> {
    if remap.is_identity() {
        // Same layout: the allocation is reused.
        return Some(
            p.into_iter()
                .map(|(k, v)| (k, v.0))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
    }
    let mut v = p
        .into_iter()
        .map(|(k, v)| Some((remap.key(k)?, v.0)))
        .collect::<Option<Vec<_>>>()?;
    v.sort_by_key(|(k, _)| *k);
    Some(v.into_boxed_slice())
}

/// A node as encoded on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeSnap {
    /// Id number.
    pub id: u32,
    /// External id text, when not native.
    pub ext: Option<String>,
    /// Label id.
    pub label: u16,
    /// Properties.
    pub props: SProps,
    /// Evidence.
    pub prov: Vec<Evidence>,
}

impl NodeSnap {
    /// The on-disk form of a node.
    pub fn from_rec(n: &NodeRec, ext: Option<&str>) -> NodeSnap {
        NodeSnap {
            id: n.id,
            ext: ext.map(str::to_string),
            label: n.label,
            props: sprops(&n.props),
            prov: n.prov.to_vec(),
        }
    }

    /// The on-disk form of a node, evidence left empty for the caller to fill.
    pub fn from_rec_without_prov(n: &NodeRec, ext: Option<&str>) -> NodeSnap {
        NodeSnap {
            id: n.id,
            ext: ext.map(str::to_string),
            label: n.label,
            props: sprops(&n.props),
            prov: Vec::new(),
        }
    }
}

/// A chunk of edges, column by column; the fixed-width columns are little-endian bytes,
/// so they encode and decode as one copy each.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EdgeChunk {
    /// Id numbers (u32 each).
    #[serde(with = "serde_bytes")]
    ids: Vec<u8>,
    /// Relationship types (u16 each).
    #[serde(with = "serde_bytes")]
    types: Vec<u8>,
    /// Source node id numbers (u32 each).
    #[serde(with = "serde_bytes")]
    src: Vec<u8>,
    /// Target node id numbers (u32 each).
    #[serde(with = "serde_bytes")]
    dst: Vec<u8>,
    /// (row, properties, evidence) for the rows that have any, in row order.
    pub attrs: Vec<(u32, SProps, Vec<Evidence>)>,
    /// (row, external id) for rows whose id is not native, in row order.
    pub ext: Vec<(u32, String)>,
}

fn u32_at(col: &[u8], row: usize) -> u32 {
    u32::from_le_bytes(col[row * 4..row * 4 + 4].try_into().expect("4 bytes"))
}

impl EdgeChunk {
    /// Appends an edge; its attributes are given apart so the caller need not clone them.
    pub fn push(&mut self, e: &EdgeData, attrs: Option<&EdgeAttrs>, ext: Option<&str>) {
        let row = self.len() as u32;
        self.ids.extend_from_slice(&e.id.to_le_bytes());
        self.types.extend_from_slice(&e.ty.to_le_bytes());
        self.src.extend_from_slice(&e.src.to_le_bytes());
        self.dst.extend_from_slice(&e.dst.to_le_bytes());
        if let Some(a) = attrs.filter(|a| !a.props.is_empty() || !a.prov.is_empty()) {
            self.attrs.push((row, sprops(&a.props), a.prov.to_vec()));
        }
        if let Some(x) = ext {
            self.ext.push((row, x.to_string()));
        }
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.ids.len() / 4
    }

    /// Whether the chunk holds no edge.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// (id, type, source id, target id) of a row.
    pub fn row(&self, row: usize) -> (u32, u16, u32, u32) {
        let ty = u16::from_le_bytes(
            self.types[row * 2..row * 2 + 2]
                .try_into()
                .expect("2 bytes"),
        );
        (
            u32_at(&self.ids, row),
            ty,
            u32_at(&self.src, row),
            u32_at(&self.dst, row),
        )
    }

    /// Checks that the columns have equal lengths and the side lists point at rows in order.
    pub fn is_consistent(&self) -> bool {
        let n = self.len();
        fn ordered(mut rows: impl Iterator<Item = u32>, n: usize) -> bool {
            let mut last: Option<u32> = None;
            rows.all(|r| {
                let ok = (r as usize) < n && last.is_none_or(|l| l < r);
                last = Some(r);
                ok
            })
        }
        self.ids.len() == n * 4
            && self.types.len() == n * 2
            && self.src.len() == n * 4
            && self.dst.len() == n * 4
            && ordered(self.attrs.iter().map(|a| a.0), n)
            && ordered(self.ext.iter().map(|a| a.0), n)
    }
}

/// An edge as logged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeSnap {
    /// External id text, when not native.
    pub ext: Option<String>,
    /// Relationship type.
    pub ty: u16,
    /// Source node id number.
    pub src: u32,
    /// Target node id number.
    pub dst: u32,
    /// Properties.
    pub props: SProps,
    /// Evidence.
    pub prov: Vec<Evidence>,
}

impl EdgeSnap {
    /// The logged form of an edge.
    pub fn from_data(e: &EdgeData, ext: Option<&str>) -> EdgeSnap {
        EdgeSnap {
            ext: ext.map(str::to_string),
            ty: e.ty,
            src: e.src,
            dst: e.dst,
            props: sprops(&e.attrs.props),
            prov: e.attrs.prov.to_vec(),
        }
    }

    /// The edge back.
    pub fn into_data(self, id: u32, remap: &Remap) -> Option<EdgeData> {
        Some(EdgeData {
            id,
            ty: remap.rel(self.ty)?,
            src: self.src,
            dst: self.dst,
            attrs: EdgeAttrs {
                props: props_from(self.props, remap)?,
                prov: self.prov,
            },
        })
    }
}

/// One committed batch: the final state of every node and edge it touched.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LogBatch {
    /// Next node id number after the batch.
    pub next_node: u32,
    /// Next edge id number after the batch.
    pub next_edge: u32,
    /// (id, new state or None when removed).
    pub nodes: Vec<(u32, Option<NodeSnap>)>,
    /// (id, new state or None when removed).
    pub edges: Vec<(u32, Option<EdgeSnap>)>,
    /// Nodes and edges whose logged state carries only the evidence appended in the batch:
    /// (node id, evidence it had before), then (edge id, evidence it had before). A node
    /// cited by every article is not written whole at every batch.
    pub appended: (Vec<Appended>, Vec<Appended>),
}

/// An id whose record only gained evidence, and how much evidence it had before.
pub type Appended = (u32, u32);

/// A logged batch of [`FORMAT_1`], without appended evidence.
#[derive(Debug, Default, Serialize, Deserialize)]
struct LogBatch1 {
    next_node: u32,
    next_edge: u32,
    nodes: Vec<(u32, Option<NodeSnap>)>,
    edges: Vec<(u32, Option<EdgeSnap>)>,
}

/// Decodes a logged batch of either format.
pub fn decode_log(key: &[u8], bytes: &[u8]) -> Result<LogBatch, StorageError> {
    decode::<LogBatch>(key, bytes).or_else(|e| match decode::<LogBatch1>(key, bytes) {
        Ok(b) => Ok(LogBatch {
            next_node: b.next_node,
            next_edge: b.next_edge,
            nodes: b.nodes,
            edges: b.edges,
            appended: Default::default(),
        }),
        Err(_) => Err(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_records_detect_damage() {
        let mut v = encode(&Manifest {
            generation: 7,
            ..Manifest::default()
        });
        let m: Manifest = decode(KEY_MANIFEST, &v).unwrap();
        assert_eq!(m.generation, 7);
        let last = v.len() - 1;
        v[last] ^= 0x40;
        let e = decode::<Manifest>(KEY_MANIFEST, &v).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("damaged record meta/manifest: checksum mismatch"),
            "{e}"
        );
    }

    #[test]
    fn keys_are_described_for_people() {
        assert_eq!(
            describe_key(&snap_key(3, CHUNK_EDGES, 17)),
            "snapshot 3, edge chunk 17"
        );
        assert_eq!(describe_key(&log_key(42)), "log entry 42");
        assert_eq!(snap_key_generation(&snap_key(9, CHUNK_NODES, 1)), Some(9));
        assert_eq!(log_key_seq(&log_key(5)), Some(5));
    }

    #[test]
    fn dates_round_trip() {
        let d = NaiveDate::from_ymd_opt(2025, 10, 26).unwrap();
        let bytes = bincode::serialize(&SValue(Value::Date(d))).unwrap();
        let v = bincode::deserialize::<SValue>(&bytes).map(|v| v.0).unwrap();
        assert_eq!(v, Value::Date(d));
    }

    #[test]
    fn every_value_type_round_trips_and_short_strings_are_shared() {
        let values = vec![
            Value::Bool(true),
            Value::Int(-42),
            Value::Float(0.25),
            Value::str("Việt Nam"),
            Value::Date(NaiveDate::from_ymd_opt(1, 1, 1).unwrap()),
            Value::str_list(["a", "b"]),
        ];
        let props: SProps = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as u16, SValue(v.clone())))
            .collect();
        let bytes = bincode::serialize(&props).unwrap();
        let back: SProps = bincode::deserialize(&bytes).unwrap();
        let back = props_from(back, &Remap::default()).unwrap();
        assert_eq!(
            back.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            values
        );
        let again: SProps = bincode::deserialize(&bytes).unwrap();
        match (&back[3].1, &again[3].1 .0) {
            (Value::Str(a), Value::Str(b)) => assert!(Arc::ptr_eq(a, b)),
            _ => unreachable!(),
        }
        // A value type this build does not know is a decoding error, not a panic.
        let mut bad = bincode::serialize(&SValue(Value::Int(1))).unwrap();
        bad[0] = 9;
        assert!(bincode::deserialize::<SValue>(&bad).is_err());
    }
}
