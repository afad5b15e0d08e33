//! The `coopgraph` command line (its clap definitions) and running each command against
//! a database: one this process opens, or one `coopgraph serve` holds and shares (the
//! server runs its clients' commands here, so their output is the same).
//!
//! `serve` and the shell (`repl`) are front ends of their own: [`execute`] leaves them to
//! the caller.

use super::query::{self as querycmd, QueryOptions, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT};
use super::{print_stats, reading, writing, Db, ExportFormat, StatsFormat};
use crate::console::Console;
use crate::exit::{EXIT_OK, EXIT_PROBLEMS};
use crate::export;
use crate::store::Store;
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// coopgraph: a knowledge-graph database of bilateral security cooperation.
#[derive(Debug, Parser)]
#[command(name = "coopgraph", version, about, long_about = None)]
pub struct Args {
    /// The database directory (COOPGRAPH_DB, when set, is used instead)
    #[arg(
        long,
        global = true,
        env = "COOPGRAPH_DB",
        default_value = "coopgraph.db",
        hide_env_values = true
    )]
    pub db: PathBuf,

    /// A folder of vocabulary files laid over the built-in ones for extraction
    /// (countries.tsv, topics.toml, organizations.toml, roles.toml, places.toml,
    /// lexicon.toml, each optional; docs/extraction.md)
    #[arg(long, global = true, env = "COOPGRAPH_VOCAB", value_name = "DIR")]
    pub vocab: Option<PathBuf>,

    /// The command to run; without one, the interactive shell (`repl`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive shell, also run by `coopgraph` alone (docs/repl.md).
    ///
    /// Cypher with completion, highlighting and history, and meta-commands such as
    /// :help. When standard input is not a terminal, runs its statements as `run -`
    /// does.
    Repl {
        /// Options.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Counts of nodes per label and edges per relationship type.
    Stats {
        /// Output format.
        #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
        format: StatsFormat,
    },
    /// The graph schema: labels, properties and relationship types.
    Schema,
    /// Writes the graph to a file (or standard output) in one of several formats.
    ///
    /// The file is written under a temporary name and renamed when complete. csv writes
    /// a directory of neo4j-admin import files; svg needs Graphviz's `dot`.
    Export {
        /// The export format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The output file (a new directory for csv); standard output when absent or `-`.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Export only the subgraph a Cypher query returns: the nodes, relationships and
        /// paths in its rows, plus the endpoints of the relationships.
        #[arg(long, value_name = "CYPHER")]
        query: Option<String>,
        /// A parameter of `--query`, `name=value` (JSON if it parses, else a string).
        #[arg(long = "param", value_name = "NAME=VALUE", requires = "query")]
        params: Vec<String>,
        /// Write CSV cells exactly as stored: without the `'` put before cells starting
        /// with = + - @ to keep spreadsheets from running them (for bulk loaders).
        #[arg(long)]
        csv_raw: bool,
    },
    /// Reads a dump (json or jsonl) into the database, as one batch: all of it or nothing.
    Import {
        /// The dump format: json or jsonl.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The dump file.
        file: PathBuf,
    },
    /// Verifies every stored record (checksums) and every index.
    Check,
    /// Extracts facts from articles and adds them to the database, each document whole.
    ///
    /// PATH may be a .txt or .md file (one article; a short first line is its title), a
    /// .jsonl file (one article per line: `text` plus optional `id`, `title`, `url`,
    /// `published`, `source`, `author`), a news page (.html, .htm: the article body and
    /// its metadata), an RSS or Atom feed (.xml, .rss, .atom: one article per item), a
    /// directory (read recursively: article files only; README, SOURCES, LICENSE and
    /// the like, hidden files and other kinds are listed as not read) or `-` for
    /// standard input (docs/ingest.md). Input is read record by record, so files of any
    /// size work. Limits: a record (a file or a .jsonl line) may be up to 16 MiB, and an
    /// article's text up to 2,000,000 characters; a larger one, a bad line (reported
    /// with its number), a special file (FIFO, device) or a missing path is reported and
    /// skipped, and the rest is ingested. Documents are made durable in batches (--batch): a crash
    /// loses at most the last batch, and running the same ingest again completes it.
    Ingest {
        /// Files, directories, or `-` for standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Publication date (YYYY-MM-DD) for articles that do not give one.
        #[arg(long)]
        published: Option<chrono::NaiveDate>,
        /// The outlet to record as the `source` of documents that do not name one.
        #[arg(long)]
        source: Option<String>,
        /// A JSON-lines file of article metadata (`id`, `published`, `title`, `url`),
        /// matched to files by name without extension.
        #[arg(long)]
        meta: Option<PathBuf>,
        /// Extraction threads; the result is the same for any number.
        #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: u16,
        /// Documents per durable batch (also committed every 2 s).
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
        batch: u32,
        /// In directories, also read files matching GLOB (path below the directory
        /// named; `*.text`, `notes/**`), as plain text when of no article kind.
        #[arg(long, value_name = "GLOB")]
        include: Vec<String>,
        /// In directories, never read files matching GLOB (wins over --include).
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// What PATHs hold: articles, or the lines of `coopgraph extract`
        /// (docs/extractions-format.md), applied as if their articles were ingested.
        #[arg(long, value_enum, default_value_t = IngestFormat::Articles)]
        format: IngestFormat,
    },
    /// Extracts facts from articles without a database: one JSON line per article on
    /// standard output (docs/extractions-format.md), for `ingest --format extractions`.
    ///
    /// Reads PATHs as `ingest` does (`-`, the default, is standard input: JSON lines of
    /// `text` plus optional `id`, `title`, `url`, `published`). Lines come out in input
    /// order whatever --jobs; an article or line that fails gives an error line with its
    /// place and the rest goes on. Exits 0 once all input is read and written; `ingest`
    /// reports the failures.
    Extract {
        /// Files, directories, or `-` for standard input.
        #[arg(default_value = "-")]
        paths: Vec<PathBuf>,
        /// Publication date (YYYY-MM-DD) for articles that do not give one.
        #[arg(long)]
        published: Option<chrono::NaiveDate>,
        /// A JSON-lines file of article metadata (`id`, `published`, `title`, `url`),
        /// matched to files by name without extension.
        #[arg(long)]
        meta: Option<PathBuf>,
        /// Extraction threads; the output is the same for any number.
        #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: u16,
    },
    /// Folds the log of batches into a new snapshot, reclaiming their space (also done
    /// automatically when the log outgrows half of the snapshot).
    Compact,
    /// Removes documents by id with every fact only they support; nodes merged from
    /// several documents keep what the others contributed, and nothing else is split.
    /// All the given documents go in one durable batch; an id not in the database is
    /// reported and the command exits with status 1, the others removed.
    Remove {
        /// Document ids (the `id` of `ingest`'s records, or the file name without extension).
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Prints the source sentences behind a node or edge (by id, or a node by name).
    Explain {
        /// A node id ("n12"), an edge id ("e7"), or a name or title.
        target: String,
    },
    /// Runs Cypher statements given on the command line (docs/query-language.md).
    Query {
        /// The statements, separated by `;`.
        text: String,
        /// Options.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Runs the Cypher statements of a file (`-` for standard input).
    Run {
        /// The file.
        file: PathBuf,
        /// Options.
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Holds the database and serves it over Bolt (Neo4j drivers, cypher-shell) and
    /// HTTP (POST /query, GET /explain/ID, a live page at /) until Ctrl-C or SIGTERM
    /// (docs/server.md).
    ///
    /// Listens on loopback only unless --listen-any, which needs --password-file.
    /// Queries only read the database.
    Serve {
        /// The Bolt address (port 0: any free port; "off": no Bolt).
        #[arg(long, default_value = "127.0.0.1:7687", value_parser = parse_listen)]
        bolt: Listen,
        /// The HTTP address (port 0: any free port; "off": no HTTP).
        #[arg(long, default_value = "127.0.0.1:7474", value_parser = parse_listen)]
        http: Listen,
        /// Accept addresses other than loopback; needs --password-file.
        #[arg(long, requires = "password_file")]
        listen_any: bool,
        /// A file whose first line is the password clients must give (Bolt basic auth
        /// with any user name; HTTP `Authorization: Bearer PASSWORD` or basic auth).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Stop a query after this many seconds (0: no limit).
        #[arg(long, default_value_t = DEFAULT_TIMEOUT, value_name = "SECONDS")]
        timeout: f64,
        /// Most rows a query may return.
        #[arg(long, default_value_t = DEFAULT_MAX_ROWS, value_name = "N")]
        max_rows: usize,
        /// Most connections open at once.
        #[arg(long, default_value_t = 256, value_name = "N")]
        max_connections: usize,
    },
    /// Times each statement of a file in one process; prints JSON (text, rows, runs,
    /// min_ms, median_ms, p90_ms).
    Bench {
        /// The file of statements (`-` for standard input).
        file: PathBuf,
        /// Timed runs per statement.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Untimed runs before them.
        #[arg(long, default_value_t = 2)]
        warmup: usize,
        /// A parameter, `name=value` (JSON if it parses, else a string).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
    },
}

/// What `ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IngestFormat {
    /// Articles: .txt, .md, .jsonl files, directories, standard input.
    Articles,
    /// Lines written by `coopgraph extract`.
    Extractions,
}

/// A listening address of `serve`, or none ("off").
#[derive(Debug, Clone, Copy)]
pub struct Listen(pub Option<std::net::SocketAddr>);

fn parse_listen(s: &str) -> std::result::Result<Listen, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(Listen(None));
    }
    use std::net::ToSocketAddrs;
    s.to_socket_addrs()
        .map_err(|e| format!("{s:?} is not an address such as 127.0.0.1:7687 ({e})"))?
        .next()
        .map(|a| Listen(Some(a)))
        .ok_or_else(|| format!("{s:?} names no address"))
}

impl Command {
    /// Whether the command reads standard input (`run -`, `ingest -`, `bench -`): a
    /// client of the server sends it along.
    pub fn reads_stdin(&self) -> bool {
        let dash = |p: &Path| p.as_os_str() == "-";
        match self {
            Command::Run { file, .. } | Command::Bench { file, .. } => dash(file),
            Command::Ingest { paths, .. } => paths.iter().any(|p| dash(p)),
            _ => false,
        }
    }

    /// Whether the command names files (read or written) relative to the working
    /// directory: the server runs it in its client's.
    pub fn names_files(&self) -> bool {
        match self {
            Command::Export { output, .. } => output.is_some(),
            Command::Import { .. }
            | Command::Ingest { .. }
            | Command::Run { .. }
            | Command::Bench { .. }
            | Command::Extract { .. } => true,
            _ => false,
        }
    }

    /// Whether the command works on the database (`schema` and `extract` do not; `serve`
    /// and the shell are front ends of their own).
    pub fn uses_database(&self) -> bool {
        !matches!(
            self,
            Command::Schema
                | Command::Extract { .. }
                | Command::Serve { .. }
                | Command::Repl { .. }
        )
    }
}

/// Runs a command other than `serve` and `repl` on `db` (`db_arg`: the `--db` given, as
/// messages name it), writing to `io`; returns the exit status.
pub fn execute(command: Command, db_arg: &Path, db: &Db, io: &mut Console) -> Result<i32> {
    match command {
        Command::Repl { .. } | Command::Serve { .. } => {
            bail!("the shell and `serve` cannot run inside a server")
        }
        Command::Schema => {
            write!(io.out, "{}", crate::schema::Schema::builtin().describe())?;
            Ok(EXIT_OK)
        }
        Command::Stats { format } => reading(db, |store| {
            print_stats(store, format, &mut io.out)?;
            Ok(EXIT_OK)
        }),
        Command::Export {
            format,
            output,
            query,
            params,
            csv_raw,
        } => reading(db, |store| {
            let sel = match &query {
                None => export::Selection::all(store.graph()),
                Some(text) => {
                    match querycmd::query_selection(store.graph(), text, &params, &mut io.err)? {
                        Ok(sel) => sel,
                        Err(code) => return Ok(code),
                    }
                }
            };
            let options = export::ExportOptions { csv_raw };
            let g = store.graph();
            export::export(g, format, output.as_deref(), &sel, options, &mut io.out)?;
            if let Some(o) = output.filter(|o| o.as_os_str() != "-") {
                writeln!(
                    io.err,
                    "exported {} and {} to {}",
                    crate::term::plural(sel.nodes.len() as u64, "node"),
                    crate::term::plural(sel.edges.len() as u64, "edge"),
                    o.display()
                )?;
            }
            Ok(EXIT_OK)
        }),
        Command::Import { format, file } => import(db, format, &file, io),
        Command::Ingest {
            paths,
            published,
            source,
            meta,
            jobs,
            batch,
            include,
            exclude,
            format,
        } => {
            let opts = crate::ingest_cli::IngestOptions {
                published,
                source,
                meta,
                jobs: jobs as usize,
                batch: batch as usize,
                include,
                exclude,
                extractions: format == IngestFormat::Extractions,
            };
            match db {
                Db::Folder(path) => crate::ingest_cli::run(path, &paths, &opts, io),
                Db::Shared(shared) => crate::ingest_cli::ingest_shared(shared, &paths, &opts, io),
            }
        }
        Command::Extract {
            paths,
            published,
            meta,
            jobs,
        } => crate::ingest_cli::extract(
            &paths,
            &crate::ingest_cli::ExtractOptions {
                published,
                meta,
                jobs: jobs as usize,
            },
            io,
        ),
        Command::Compact => writing(db, |store| {
            let t = Instant::now();
            let before = store.size_on_disk();
            store.compact()?;
            let (snap, _) = store.stored_bytes();
            let after = store.size_on_disk();
            let mib = |b: Option<u64>| {
                b.map_or("?".to_string(), |b| {
                    format!("{:.1}", b as f64 / (1 << 20) as f64)
                })
            };
            writeln!(
                io.err,
                "compacted {}: snapshot {:.1} MiB; engine files {} MiB before, {} MiB after, in {:.2} s",
                db_arg.display(),
                snap as f64 / (1 << 20) as f64,
                mib(before),
                mib(after),
                t.elapsed().as_secs_f64()
            )?;
            Ok(EXIT_OK)
        }),
        Command::Remove { ids } => writing(db, |store| {
            let (before_n, before_e) = (store.graph().node_count(), store.graph().edge_count());
            store.begin_group(crate::store::GroupCommit {
                max_writes: usize::MAX,
                max_records: usize::MAX,
                max_delay: std::time::Duration::MAX,
            })?;
            let mut missing = 0;
            let mut removed = 0;
            for id in &ids {
                if crate::ingest::remove_article(store, id)? {
                    removed += 1;
                } else {
                    missing += 1;
                    writeln!(io.err, "no document with id {}", crate::term::safe(id))?;
                }
            }
            store.end_group()?;
            let g = store.graph();
            writeln!(
                io.err,
                "removed {removed} documents; -{} nodes, -{} edges",
                before_n - g.node_count(),
                before_e - g.edge_count()
            )?;
            Ok(if missing > 0 { EXIT_PROBLEMS } else { EXIT_OK })
        }),
        Command::Explain { target } => reading(db, |store| {
            crate::ingest_cli::explain(store.graph(), &target, &mut io.out)
        }),
        Command::Query { text, options } => querycmd::run_text(db, &text, "<query>", &options, io),
        Command::Run { file, options } => {
            let (text, origin) = querycmd::read_source(&file, io)?;
            querycmd::run_text(db, &text, &origin, &options, io)
        }
        Command::Bench {
            file,
            runs,
            warmup,
            params,
        } => querycmd::bench(db, &file, runs, warmup, &params, io),
        Command::Check => reading(db, |store| {
            let report = store.check()?;
            for p in &report.problems {
                writeln!(io.out, "problem: {}", crate::term::safe(p))?;
            }
            writeln!(
                io.out,
                "checked {} records, {} nodes, {} edges: {}",
                report.records,
                report.nodes,
                report.edges,
                if report.problems.is_empty() {
                    "ok".to_string()
                } else {
                    format!("{} problems", report.problems.len())
                }
            )?;
            Ok(if report.problems.is_empty() {
                EXIT_OK
            } else {
                EXIT_PROBLEMS
            })
        }),
    }
}

/// `import`: a dump read into the database as one batch.
fn import(db: &Db, format: ExportFormat, file: &Path, io: &mut Console) -> Result<i32> {
    type Read =
        fn(&mut Store, &[u8], &Path) -> Result<export::json::ImportSummary, export::ExportError>;
    let read: Read = match format {
        ExportFormat::Json => export::json::import_bytes,
        ExportFormat::Jsonl => export::jsonl::import_bytes,
        other => bail!(
            "import reads json and jsonl, not {}; export --format json from the other tool's data or convert it",
            other.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()
        ),
    };
    let t = Instant::now();
    // Read the dump before opening the database: a dump that cannot be read must not
    // leave a new empty database behind.
    let bytes = export::json::read_dump(file).context("import failed")?;
    let run = |store: &mut Store| -> Result<_> {
        let before = (store.graph().node_count(), store.graph().edge_count());
        let summary = read(store, &bytes, file)?;
        let g = store.graph();
        Ok((
            summary,
            g.node_count() - before.0,
            g.edge_count() - before.1,
        ))
    };
    let (summary, nodes, edges) = match db {
        Db::Shared(shared) => {
            let _turn = shared.writer();
            shared
                .write(|store| run(store))
                .context("import failed; the database is unchanged")?
        }
        Db::Folder(path) => {
            let created = !path.exists();
            let mut store = Store::open(path)?;
            match run(&mut store) {
                Ok(done) => {
                    store.close_for_exit()?;
                    done
                }
                Err(e) if created => {
                    // Nothing was imported into the database this command made: remove it again.
                    drop(store);
                    let cleanup = std::fs::remove_dir_all(path);
                    return Err(match cleanup {
                        Ok(()) => {
                            e.context(format!("import failed; {} was not created", path.display()))
                        }
                        Err(c) => e.context(format!(
                            "import failed; the new database {} is empty, but removing it failed: {c}",
                            path.display()
                        )),
                    });
                }
                Err(e) => return Err(e.context("import failed; the database is unchanged")),
            }
        }
    };
    writeln!(
        io.err,
        "imported {} nodes and {} edges from {} in {:.2} s ({nodes} nodes and {edges} edges added)",
        summary.nodes,
        summary.edges,
        file.display(),
        t.elapsed().as_secs_f64(),
    )?;
    Ok(EXIT_OK)
}
