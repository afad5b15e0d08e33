//! The interactive shell (`coopgraph` without a command, or `coopgraph repl`): reads
//! Cypher statements and meta-commands with rustyline, runs them through the query
//! engine and shows the results fitted to the terminal. See docs/repl.md.
//!
//! The editor sits above the shell's session ([`crate::app::shell`]), which runs the
//! inputs here, or in the server that holds the database (`crate::server::local`), so
//! the shell shows the same there and the `run` command reports errors and prints rows
//! the same way.

mod helper;

use crate::app::query::{read_source, run_text, QueryOptions};
use crate::app::shell::{Flow, Session};
use crate::app::EXIT_OK;
use crate::server::local::{self, RemoteShell};
use crate::store::{StorageError, Store};
use anyhow::Result;
use helper::{ContinuationHandler, ShellHelper, Vocabulary, PROMPT};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{
    Behavior, ColorMode, CompletionType, Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers,
};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub use crate::app::shell::SHOWN_ROWS;

/// Runs the shell on the database at `db` (in the server that holds it, if one does).
/// When standard input is not a terminal there is no prompt: its statements run as with
/// `coopgraph run -`. Returns the exit status.
pub fn run(db: &Path, options: &QueryOptions) -> Result<i32> {
    if !std::io::stdin().is_terminal() {
        let mut io = crate::console::Console::process();
        // A server holding the database runs the input (the shell's arguments with
        // standard input sent along are `run -` there).
        if let Some(code) = local::follow(
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
    signal_hook::flag::register(
        signal_hook::consts::SIGINT,
        Arc::clone(&shell.session.cancel),
    )?;
    let mut db = db.to_path_buf();
    let mut opened: Option<Store> = None;
    let mut first = true;
    loop {
        let next = match opened.take() {
            Some(store) => shell.local(&db, store, false)?,
            None => match local::open_shell(&db, &shell.session.options)? {
                Some(remote) => shell.remote(&db, remote, first)?,
                None => {
                    let store = open_or_memory(&db)?;
                    shell.local(&db, store, first)?
                }
            },
        };
        first = false;
        match next {
            Next::Quit => return Ok(EXIT_OK),
            Next::Remote(path) => db = path,
            Next::Local(path, store) => {
                db = path;
                opened = Some(*store);
            }
        }
    }
}

/// Where the shell goes after a session on one database.
enum Next {
    /// Leave.
    Quit,
    /// To the database a server holds at this path.
    Remote(PathBuf),
    /// To this database, opened here.
    Local(PathBuf, Box<Store>),
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

/// Where `:open PATH` goes from `db`: `None` to stay (an error was shown).
fn open_next(db: &Path, path: PathBuf) -> Option<Next> {
    if same_file(&path, db) {
        eprintln!("{} is already open", db.display());
        return None;
    }
    if local::served(&path) {
        return Some(Next::Remote(path));
    }
    match Store::open_existing(&path) {
        Ok(s) => Some(Next::Local(path, Box::new(s))),
        Err(e) => {
            eprintln!("error: {}", crate::term::safe(&e.to_string()));
            None
        }
    }
}

fn banner(db: &Path, nodes: usize, edges: usize, verb: &str) {
    match verb {
        "" => println!(
            "coopgraph {} on {}: {}, {}; :help for help",
            env!("CARGO_PKG_VERSION"),
            db.display(),
            crate::term::plural(nodes as u64, "node"),
            crate::term::plural(edges as u64, "edge"),
        ),
        _ => println!(
            "{verb} {} ({}, {})",
            db.display(),
            crate::term::plural(nodes as u64, "node"),
            crate::term::plural(edges as u64, "edge")
        ),
    }
}

/// The shell: the line editor and its history, and the session the inputs run in.
pub(crate) struct Shell {
    editor: Editor<ShellHelper, FileHistory>,
    history: Option<PathBuf>,
    session: Session,
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
        Ok(Shell {
            editor,
            history,
            session: Session::new(options)?,
        })
    }

    /// Sets the words to complete (keeping the parameters').
    fn set_vocab(&mut self, vocab: Vocabulary) {
        if let Some(h) = self.editor.helper_mut() {
            let params = std::mem::take(&mut h.vocab.params);
            h.vocab = vocab;
            h.vocab.params = params;
        }
    }

    fn set_params(&mut self, names: Vec<String>) {
        if let Some(h) = self.editor.helper_mut() {
            h.vocab.params = names;
        }
    }

    /// Reads the next input: `None` at the end (Ctrl-D or an error).
    fn read(&mut self) -> Option<String> {
        loop {
            let input = match self.editor.readline(PROMPT) {
                Ok(line) => helper::typed_text(&line),
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => return None,
                Err(e) => {
                    eprintln!("error: {}", crate::term::safe(&e.to_string()));
                    return None;
                }
            };
            if input.trim().is_empty() {
                continue;
            }
            self.remember(&input);
            self.session.cancel.store(false, Ordering::Relaxed);
            self.session.width = self.editor.dimensions().map(|(cols, _)| usize::from(cols));
            return Some(input);
        }
    }

    /// The shell on a database this process holds (`store`, opened at `db`).
    fn local(&mut self, db: &Path, mut store: Store, first: bool) -> Result<Next> {
        let (n, e) = (store.graph().node_count(), store.graph().edge_count());
        banner(db, n, e, if first { "" } else { "opened" });
        self.session.last = None;
        loop {
            self.set_vocab(Vocabulary::of(store.graph()));
            let flow = loop {
                if self.session.params_changed {
                    self.session.params_changed = false;
                    let mut names: Vec<String> = self.session.params.keys().cloned().collect();
                    names.sort();
                    self.set_params(names);
                }
                let Some(input) = self.read() else {
                    return Ok(Next::Quit);
                };
                let mut engine =
                    crate::app::query::engine_for(store.graph(), &self.session.options);
                engine.limits.cancel = Some(Arc::clone(&self.session.cancel));
                let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
                match self
                    .session
                    .input(&engine, &store, &input, &mut out, &mut err)
                {
                    Flow::Continue => {}
                    Flow::Clear => self.editor.clear_screen()?,
                    other => break other,
                }
            };
            match flow {
                Flow::Quit => return Ok(Next::Quit),
                Flow::Open(path) => {
                    if let Some(next) = open_next(db, path) {
                        return Ok(next);
                    }
                }
                Flow::Ingest(paths) => {
                    self.session.last = None;
                    if store.path().is_none() {
                        match Store::open(db) {
                            Ok(s) => store = s,
                            Err(e) => {
                                eprintln!("error: {}", crate::term::safe(&e.to_string()));
                                continue;
                            }
                        }
                    }
                    self.session.cancel.store(false, Ordering::Relaxed);
                    let r = crate::ingest_cli::ingest_into(
                        &mut store,
                        &paths,
                        &crate::ingest_cli::IngestOptions::default(),
                        Some(&self.session.cancel),
                    );
                    if let Err(e) = r {
                        eprintln!("error: {}", crate::term::safe(&format!("{e:#}")));
                    }
                }
                Flow::Continue | Flow::Clear => {}
            }
        }
    }

    /// The shell on a database a server holds: inputs run there, with this session's
    /// state kept there too; Ctrl-C cancels the running input.
    fn remote(&mut self, db: &Path, mut remote: RemoteShell, first: bool) -> Result<Next> {
        let mut reply = remote.reply(&self.session.cancel)?;
        let (n, e) = reply.counts.unwrap_or_default();
        banner(db, n, e, if first { "" } else { "opened" });
        println!("(a server holds {}: inputs run there)", db.display());
        loop {
            if let Some(v) = reply.vocab.take() {
                self.set_vocab(v);
            }
            if let Some(p) = reply.params.take() {
                self.set_params(p);
            }
            match std::mem::replace(&mut reply.flow, Flow::Continue) {
                Flow::Quit => return Ok(Next::Quit),
                Flow::Clear => self.editor.clear_screen()?,
                Flow::Open(path) => {
                    if let Some(next) = open_next(db, path) {
                        return Ok(next);
                    }
                }
                Flow::Continue | Flow::Ingest(_) => {}
            }
            let Some(input) = self.read() else {
                return Ok(Next::Quit);
            };
            remote.send(&input, self.session.width)?;
            reply = remote.reply(&self.session.cancel)?;
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
