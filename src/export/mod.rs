//! Moving the graph out of (and back into) coopgraph: the JSON dump and the writers
//! for other tools. Every writer goes through [`AtomicFile`], so a failed export never
//! leaves half a file.

pub mod csv;
pub mod cypher;
pub mod dot;
pub mod gexf;
pub mod graphml;
pub mod html;
pub mod json;
mod json_import;
pub mod jsonl;
pub mod ntriples;
pub mod parquet;
mod rdf;
pub mod turtle;
mod xml;

use crate::graph::{Graph, NodeRec};
use crate::store::StorageError;
use crate::value::Value;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors of export and import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading or writing a file failed.
    #[error("{}: {err}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error (in the message, so not repeated as a source).
        err: io::Error,
    },
    /// The input is not a valid dump; the message names the place (line, column, JSON path).
    #[error("{}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The export cannot be done as asked: a missing program, an output that must be a
    /// directory; the message says what to do instead.
    #[error("{0}")]
    Refused(String),
}

/// The export formats; each has its module under `src/export/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// The coopgraph JSON dump ([`json`]).
    Json,
    /// One JSON node or edge per line ([`jsonl`]).
    Jsonl,
    /// neo4j-admin import CSV files in a directory ([`csv`]).
    Csv,
    /// A Cypher script of CREATE statements ([`cypher`]).
    Cypher,
    /// GraphML with typed keys ([`graphml`]).
    Graphml,
    /// GEXF 1.2 with event dates as time attributes ([`gexf`]).
    Gexf,
    /// Graphviz DOT ([`dot`]).
    Dot,
    /// SVG rendered by Graphviz's `dot` program ([`dot::export_svg`]).
    Svg,
    /// One self-contained HTML page that draws the graph ([`html`]).
    Html,
    /// RDF N-Triples ([`ntriples`]).
    Ntriples,
    /// RDF Turtle ([`turtle`]).
    Turtle,
    /// Apache Parquet tables in a directory ([`parquet`]).
    Parquet,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 12] = [
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Cypher,
        Format::Graphml,
        Format::Gexf,
        Format::Dot,
        Format::Svg,
        Format::Html,
        Format::Ntriples,
        Format::Turtle,
        Format::Parquet,
    ];

    /// The name users type (`--format csv`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Cypher => "cypher",
            Format::Graphml => "graphml",
            Format::Gexf => "gexf",
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Html => "html",
            Format::Ntriples => "ntriples",
            Format::Turtle => "turtle",
            Format::Parquet => "parquet",
        }
    }

    /// One line on what the format is for.
    pub fn about(self) -> &'static str {
        match self {
            Format::Json => "The coopgraph JSON dump (docs/dump-format.md)",
            Format::Jsonl => "One JSON node or edge per line",
            Format::Csv => "neo4j-admin import CSV files in a new directory (also Neptune, Kuzu)",
            Format::Cypher => "A Cypher script of CREATE statements (small graphs)",
            Format::Graphml => "GraphML with typed keys (Gephi, yEd, NetworkX)",
            Format::Gexf => "GEXF with event dates on Gephi's timeline",
            Format::Dot => "Graphviz DOT",
            Format::Svg => "SVG drawn by Graphviz's dot",
            Format::Html => "One self-contained HTML page that draws the graph",
            Format::Ntriples => "RDF N-Triples",
            Format::Turtle => "RDF Turtle",
            Format::Parquet => "Parquet tables in a new directory (Spark, DuckDB, Polars, pandas)",
        }
    }
}

/// The nodes and edges to export, by id number, in ascending order; every edge's
/// endpoints are among the nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Node id numbers.
    pub nodes: Vec<u32>,
    /// Edge id numbers.
    pub edges: Vec<u32>,
}

impl Selection {
    /// Every node and edge of the graph.
    pub fn all(g: &Graph) -> Selection {
        Selection {
            nodes: (0..g.node_ids().next_number())
                .filter(|&n| g.node_index(n).is_some())
                .collect(),
            edges: (0..g.edge_ids().next_number())
                .filter(|&n| g.edge_index(n).is_some())
                .collect(),
        }
    }

    /// The given nodes and edges (a query's result), plus the endpoints of the edges,
    /// sorted, without duplicates or ids that are not in the graph.
    pub fn of(g: &Graph, nodes: &[u32], edges: &[u32]) -> Selection {
        let mut n: Vec<u32> = nodes
            .iter()
            .copied()
            .filter(|&i| g.node_index(i).is_some())
            .collect();
        let mut e: Vec<u32> = Vec::new();
        for &id in edges {
            if let Some(d) = g.edge_by_id(id) {
                e.push(id);
                n.push(d.src);
                n.push(d.dst);
            }
        }
        n.sort_unstable();
        n.dedup();
        e.sort_unstable();
        e.dedup();
        Selection { nodes: n, edges: e }
    }

    /// The selected nodes that exist, with their records.
    pub fn node_recs<'a>(&'a self, g: &'a Graph) -> impl Iterator<Item = &'a NodeRec> + 'a {
        self.nodes.iter().filter_map(move |&id| g.node_by_id(id))
    }

    /// The selected edges that exist, with their records.
    pub fn edge_recs<'a>(
        &'a self,
        g: &'a Graph,
    ) -> impl Iterator<Item = crate::graph::EdgeData> + 'a {
        self.edges.iter().filter_map(move |&id| g.edge_by_id(id))
    }
}

/// How exports write what their format leaves open.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// CSV cells exactly as stored, without the `'` that keeps a spreadsheet from running
    /// a cell that starts with `=`, `+`, `-` or `@` ([`csv::guard_formula`]).
    pub csv_raw: bool,
}

/// Writes the selection of `g` in `format` to `path` (a file, or a directory for
/// [`Format::Csv`]), or to standard output when `path` is `None` or `-`.
pub fn export(
    g: &Graph,
    format: Format,
    path: Option<&Path>,
    sel: &Selection,
    options: ExportOptions,
    stdout: &mut dyn Write,
) -> Result<(), ExportError> {
    let select = Some((&sel.nodes[..], &sel.edges[..]));
    let out = |f: &dyn Fn(&mut dyn Write) -> io::Result<()>, stdout: &mut dyn Write| {
        write_output_to(path, stdout, f)
    };
    match format {
        Format::Json => out(&|w| json::write_dump(w, g, select), stdout),
        Format::Jsonl => out(&|w| jsonl::write(w, g, sel), stdout),
        Format::Csv => csv::export(g, path, sel, !options.csv_raw),
        Format::Cypher => out(&|w| cypher::write(w, g, sel), stdout),
        Format::Graphml => out(&|w| graphml::write(w, g, sel), stdout),
        Format::Gexf => out(&|w| gexf::write(w, g, sel), stdout),
        Format::Dot => out(&|w| dot::write(w, g, sel), stdout),
        Format::Svg => dot::export_svg(g, path, sel, stdout),
        Format::Html => out(&|w| html::write(w, g, sel), stdout),
        Format::Ntriples => out(&|w| ntriples::write(w, g, sel), stdout),
        Format::Turtle => out(&|w| turtle::write(w, g, sel), stdout),
        Format::Parquet => parquet::export(g, path, sel),
    }
}

/// The label name of a node.
pub fn label_name<'g>(g: &'g Graph, n: &NodeRec) -> &'g str {
    &g.schema().labels()[n.label as usize].name
}

/// The relationship type name of an edge type.
pub fn type_name(g: &Graph, ty: crate::schema::RelTypeId) -> &str {
    &g.schema().rel_types()[ty as usize].name
}

/// A readable caption for a node: its name or title, else its id.
pub fn caption(g: &Graph, n: &NodeRec) -> String {
    g.names_of(n)
        .next()
        .map(str::to_string)
        .unwrap_or_else(|| g.node_id_text(n.id))
}

/// The properties of a record as (key name, value) pairs, in key order.
pub fn named_props<'a>(
    g: &'a Graph,
    props: &'a [(crate::schema::KeyId, Value)],
) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
    props.iter().map(move |(k, v)| (g.schema().key_name(*k), v))
}

pub use crate::graph::{quote, Quote};

/// Whether a property is a document's full text, which the drawing formats leave out
/// (they keep the quoted sentences instead).
pub(crate) fn is_bulky(key: &str) -> bool {
    key == "text"
}

/// A file written under a temporary name beside its destination and renamed into place
/// by [`AtomicFile::commit`]; dropped without commit, it is removed.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file for `dest`.
    pub fn create(dest: &Path) -> Result<AtomicFile, ExportError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into());
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let f = File::create(&tmp).map_err(|err| ExportError::Io {
            path: tmp.clone(),
            err,
        })?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            out: Some(BufWriter::with_capacity(1 << 20, f)),
        })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("writer is present until commit")
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), ExportError> {
        let out = self.out.take().expect("commit once");
        let io_err = |err| ExportError::Io {
            path: self.dest.clone(),
            err,
        };
        let f = out.into_inner().map_err(|e| io_err(e.into_error()))?;
        f.sync_all().map_err(io_err)?;
        std::fs::rename(&self.tmp, &self.dest).map_err(io_err)?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `s` between `quote` marks, replacing each character for which `rep` gives a
/// replacement: the one escaping loop behind the string writers of the text formats.
pub(crate) fn write_escaped(
    w: &mut dyn Write,
    s: &str,
    quote: &[u8],
    rep: impl Fn(char) -> Option<std::borrow::Cow<'static, str>>,
) -> io::Result<()> {
    w.write_all(quote)?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(r) = rep(c) {
            w.write_all(&s.as_bytes()[start..i])?;
            w.write_all(r.as_bytes())?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&s.as_bytes()[start..])?;
    w.write_all(quote)
}

/// What kind of file `meta` describes, in words (for refusing what is not a regular file).
pub(crate) fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    match () {
        _ if t.is_dir() => "directory",
        _ if t.is_fifo() => "FIFO",
        _ if t.is_char_device() => "character device",
        _ if t.is_block_device() => "block device",
        _ if t.is_socket() => "socket",
        _ if t.is_symlink() => "symbolic link",
        _ if t.is_file() => "regular file",
        _ => "special file",
    }
}

/// Wraps an I/O error with the destination's path.
pub(crate) fn io_at(path: &Path) -> impl Fn(io::Error) -> ExportError + '_ {
    move |err| ExportError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// Writes a directory export: `fill` writes the files into a temporary directory beside
/// `dir`, which is renamed to `dir` when complete (and removed if `fill` fails); `dir`
/// must not exist or be an empty directory. `what` names the format in messages.
pub(crate) fn export_dir(
    dir: Option<&Path>,
    what: &str,
    fill: impl FnOnce(&Path) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let Some(dir) = dir.filter(|d| d.as_os_str() != "-") else {
        return Err(ExportError::Refused(format!(
            "{what} export writes a directory of files: name it with -o DIR"
        )));
    };
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut r| r.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(ExportError::Refused(format!(
                "{} exists and is not an empty directory: remove it or name a new directory",
                dir.display()
            )));
        }
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| what.into());
    let tmp = dir.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp).map_err(io_at(&tmp))?;
    let cleanup = TmpDir(tmp.clone());
    fill(&tmp)?;
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(io_at(dir))?;
    }
    std::fs::rename(&tmp, dir).map_err(io_at(dir))?;
    std::mem::forget(cleanup);
    Ok(())
}

/// Removes the temporary directory of a failed export.
struct TmpDir(PathBuf);

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes to a file atomically, or to standard output when `path` is `None` or `-`.
pub fn write_output(
    path: Option<&Path>,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), ExportError> {
    write_output_to(path, &mut io::stdout().lock(), f)
}

/// As [`write_output`], with `stdout` standing for standard output.
pub fn write_output_to(
    path: Option<&Path>,
    stdout: &mut dyn Write,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), ExportError> {
    match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let mut af = AtomicFile::create(p)?;
            f(af.writer()).map_err(io_at(p))?;
            af.commit()
        }
        None => {
            let mut w = BufWriter::with_capacity(1 << 20, stdout);
            let dash = Path::new("-");
            f(&mut w).map_err(io_at(dash))?;
            w.flush().map_err(io_at(dash))
        }
    }
}
