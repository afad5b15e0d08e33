//! The interactive shell (`coopgraph` without a command, or `coopgraph repl`): reads
//! Cypher statements and meta-commands with rustyline, runs them through the query
//! engine and shows the results fitted to the terminal. See docs/repl.md.
//!
//! The shell sits above the query, export and ingest layers: statements run through
//! [`crate::app::query::run_script`] and are shown with [`crate::app::query::write_table`]
//! and [`crate::app::query::write_result`], so the shell and the `run` command report errors and
//! print rows the same way.

mod commands;
mod helper;

use crate::app::query::{
    engine_for, params_of, read_source, run_script, run_text, write_result, write_table,
    OutputFormat, QueryOptions, ResultSink, TableFit,
};
use crate::app::EXIT_OK;
use crate::query::{Engine, Params, StatementResult};
use crate::store::{StorageError, Store};
use anyhow::Result;
use helper::{ContinuationHandler, ShellHelper, Vocabulary, PROMPT};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{
    Behavior, ColorMode, CompletionType, Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers,
};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Rows the table mode shows of a result; `:mode csv` or `:export` give all of them.
pub const SHOWN_ROWS: usize = 50;

/// Runs the shell on the database at `db`. When standard input is not a terminal there
/// is no prompt: its statements run as with `coopgraph run -`. Returns the exit status.
pub fn run(db: &Path, options: &QueryOptions) -> Result<i32> {
    if !std::io::stdin().is_terminal() {
        let mut io = crate::console::Console::process();
        // A server holding the database runs the input (the shell's arguments with
        // standard input sent along are `run -` there).
        if let Some(code) = crate::server::local::follow(
            db,
            &crate::app::command::Command::Run {
                file: PathBuf::from("-"),
                options: options.clone(),
            },
        )? {
            return Ok(code);
        }
        let (text, origin) = read_source(Path::new("-"), &io)?;
        return run_text(
            &crate::app::Db::Folder(db),
            &text,
            &origin,
            options,
            &mut io,
        );
    }
    let mut shell = Shell::new(options)?;
    let mut db = db.to_path_buf();
    let mut store = open_or_memory(&db)?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&shell.cancel))?;
    println!(
        "coopgraph {} on {}: {}, {}; :help for help",
        env!("CARGO_PKG_VERSION"),
        db.display(),
        crate::term::plural(store.graph().node_count() as u64, "node"),
        crate::term::plural(store.graph().edge_count() as u64, "edge"),
    );
    loop {
        if let Some(h) = shell.editor.helper_mut() {
            let params = std::mem::take(&mut h.vocab.params);
            h.vocab = Vocabulary::of(store.graph());
            h.vocab.params = params;
        }
        let flow = {
            let mut engine = engine_for(store.graph(), &shell.options);
            engine.limits.cancel = Some(Arc::clone(&shell.cancel));
            shell.session(&mut engine, &store)
        };
        match flow {
            Flow::Continue => {}
            Flow::Quit => break,
            Flow::Open(path) if same_file(&path, &db) => {
                eprintln!("{} is already open", db.display());
            }
            Flow::Open(path) => match Store::open_existing(&path) {
                Ok(s) => {
                    drop(std::mem::replace(&mut store, s));
                    db = path;
                    shell.last = None;
                    println!(
                        "opened {} ({}, {})",
                        db.display(),
                        crate::term::plural(store.graph().node_count() as u64, "node"),
                        crate::term::plural(store.graph().edge_count() as u64, "edge")
                    );
                }
                Err(e) => eprintln!("error: {}", crate::term::safe(&e.to_string())),
            },
            Flow::Ingest(paths) => {
                shell.last = None;
                if store.path().is_none() {
                    match Store::open(&db) {
                        Ok(s) => store = s,
                        Err(e) => {
                            eprintln!("error: {}", crate::term::safe(&e.to_string()));
                            continue;
                        }
                    }
                }
                shell.cancel.store(false, Ordering::Relaxed);
                let r = crate::ingest_cli::ingest_into(
                    &mut store,
                    &paths,
                    &crate::ingest_cli::IngestOptions::default(),
                    Some(&shell.cancel),
                );
                if let Err(e) = r {
                    eprintln!("error: {}", crate::term::safe(&format!("{e:#}")));
                }
            }
        }
    }
    Ok(EXIT_OK)
}

/// Whether two paths name the same existing file or directory.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Opens the database at `db`; a missing one is an empty graph in memory until
/// `:ingest` creates it there.
fn open_or_memory(db: &Path) -> Result<Store> {
    match Store::open_existing(db) {
        Ok(s) => Ok(s),
        Err(StorageError::NotFound { .. }) => {
            eprintln!(
                "no database at {} yet: :ingest PATH creates it, :open PATH opens another",
                db.display()
            );
            Ok(Store::in_memory())
        }
        Err(e) => Err(e.into()),
    }
}

/// What the shell does after a meta-command.
pub(crate) enum Flow {
    /// Read the next input.
    Continue,
    /// Leave the shell.
    Quit,
    /// Close this database and open another.
    Open(PathBuf),
    /// Ingest these paths into the database (which must not be borrowed meanwhile).
    Ingest(Vec<PathBuf>),
}

/// The shell's state across inputs and databases.
pub(crate) struct Shell {
    editor: Editor<ShellHelper, FileHistory>,
    history: Option<PathBuf>,
    options: QueryOptions,
    cancel: Arc<AtomicBool>,
    /// How results are shown (`:mode`).
    pub(crate) mode: OutputFormat,
    /// Whether to show each statement's running time (`:timing`).
    pub(crate) timing: bool,
    /// The parameters (`:param`).
    pub(crate) params: Params,
    /// Set when the parameters changed, to refresh their completion.
    pub(crate) params_changed: bool,
    /// The result of the last statement, for `:export`.
    pub(crate) last: Option<StatementResult>,
}

impl Shell {
    fn new(options: &QueryOptions) -> Result<Shell> {
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let config = Config::builder()
            .max_history_size(10_000)?
            .history_ignore_dups(true)?
            .history_ignore_space(true)
            .completion_type(CompletionType::List)
            .completion_prompt_limit(200)
            .auto_add_history(false)
            .color_mode(ColorMode::Enabled)
            .behavior(Behavior::PreferTerm)
            .build();
        let mut editor: Editor<ShellHelper, FileHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(ShellHelper::new(Vocabulary::default(), color)));
        for key in [
            KeyEvent(KeyCode::Enter, Modifiers::NONE),
            KeyEvent::ctrl('M'),
            KeyEvent::ctrl('J'),
        ] {
            editor.bind_sequence(
                key,
                EventHandler::Conditional(Box::new(ContinuationHandler)),
            );
        }
        let history = history_path();
        if let Some(h) = &history {
            if let Some(dir) = h.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if h.exists() {
                if let Err(e) = editor.load_history(h) {
                    eprintln!("warning: cannot read the history {}: {e}", h.display());
                }
            }
        }
        let params = params_of(&options.params)?;
        Ok(Shell {
            editor,
            history,
            options: options.clone(),
            cancel: Arc::new(AtomicBool::new(false)),
            mode: options.format.unwrap_or(OutputFormat::Table),
            timing: false,
            params_changed: !params.is_empty(),
            params,
            last: None,
        })
    }

    /// Reads and runs inputs until one needs the database changed or the shell left.
    fn session(&mut self, engine: &mut Engine, store: &Store) -> Flow {
        loop {
            if self.params_changed {
                self.params_changed = false;
                let mut names: Vec<String> = self.params.keys().cloned().collect();
                names.sort();
                if let Some(h) = self.editor.helper_mut() {
                    h.vocab.params = names;
                }
            }
            let input = match self.editor.readline(PROMPT) {
                Ok(line) => helper::typed_text(&line),
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => return Flow::Quit,
                Err(e) => {
                    eprintln!("error: {}", crate::term::safe(&e.to_string()));
                    return Flow::Quit;
                }
            };
            if input.trim().is_empty() {
                continue;
            }
            self.remember(&input);
            self.cancel.store(false, Ordering::Relaxed);
            let text = input.trim_start();
            if text.starts_with(':') {
                match commands::execute(self, engine, store, text) {
                    Ok(Flow::Continue) => {}
                    Ok(flow) => return flow,
                    Err(e) => eprintln!("error: {}", crate::term::safe(&format!("{e:#}"))),
                }
            } else {
                self.run_statements(engine, store, &input, "");
            }
        }
    }

    /// Adds an input to the history and appends it to the history file at once, so that
    /// it survives a crash and other sessions see it.
    fn remember(&mut self, input: &str) {
        if let Ok(true) = self.editor.add_history_entry(input) {
            if let Some(h) = &self.history {
                if let Err(e) = self.editor.append_history(h) {
                    eprintln!("warning: cannot write the history {}: {e}", h.display());
                    self.history = None;
                }
            }
        }
    }

    /// Runs the statements of `text` (named `origin` in messages, none when empty) and
    /// shows their results in the current mode; errors are shown, never returned.
    pub(crate) fn run_statements(
        &mut self,
        engine: &Engine,
        store: &Store,
        text: &str,
        origin: &str,
    ) {
        let width = self.editor.dimensions().map(|(cols, _)| usize::from(cols));
        let stdout = std::io::stdout();
        let mut sink = ShellSink {
            out: Interruptible {
                out: std::io::BufWriter::new(stdout.lock()),
                cancel: &self.cancel,
            },
            g: store.graph(),
            mode: self.mode,
            timing: self.timing,
            csv_raw: self.options.csv_raw,
            fit: TableFit {
                width,
                rows: Some(SHOWN_ROWS),
                more: "; :mode csv or :export for all",
            },
            index: 0,
            last: &mut self.last,
        };
        let r = run_script(
            engine,
            text,
            origin,
            &self.params,
            false,
            &mut sink,
            &mut std::io::stderr(),
        );
        drop(sink);
        if let Err(e) = r {
            // End the line cut short (standard output holds back a partial line).
            println!();
            eprintln!("error: {}", crate::term::safe(&format!("{e:#}")));
        }
    }
}

/// Shows results in the shell's mode and keeps the last one.
struct ShellSink<'a, W: Write> {
    out: W,
    g: &'a crate::graph::Graph,
    mode: OutputFormat,
    timing: bool,
    fit: TableFit,
    index: usize,
    last: &'a mut Option<StatementResult>,
    csv_raw: bool,
}

impl<W: Write> ResultSink for ShellSink<'_, W> {
    fn result(&mut self, res: StatementResult, elapsed: Duration, _heading: &str) -> Result<()> {
        if self.index > 0 {
            writeln!(self.out)?;
        }
        self.index += 1;
        let res = &*self.last.insert(res);
        match self.mode {
            OutputFormat::Table => write_table(&mut self.out, self.g, res, &self.fit)?,
            other => {
                let to = crate::app::query::Destination {
                    terminal: true,
                    csv_raw: self.csv_raw,
                };
                write_result(&mut self.out, self.g, res, other, 0, to)?
            }
        }
        if self.timing {
            writeln!(self.out, "ran in {:.3} ms", elapsed.as_secs_f64() * 1e3)?;
        }
        self.out.flush()?;
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        Ok(self.out.flush()?)
    }
}

/// Output whose writes fail once Ctrl-C was pressed, so that printing a long result (in a mode
/// that shows every row) can be stopped.
struct Interruptible<'a, W: Write> {
    out: W,
    cancel: &'a AtomicBool,
}

impl<W: Write> Write for Interruptible<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("output stopped by Ctrl-C"));
        }
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Only writes are refused: flushing with nothing pending (before a "cancelled"
        // message) must succeed.
        self.out.flush()
    }
}

/// The history file: `$XDG_STATE_HOME/coopgraph/history`, else
/// `~/.local/state/coopgraph/history`; none without either variable.
fn history_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(state.join("coopgraph").join("history"))
}
