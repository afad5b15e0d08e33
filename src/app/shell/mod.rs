//! The shell's session: its state (mode, timing, parameters, the last result), its
//! meta-commands and its statements, rendered as the shell shows them. The line editor
//! (`crate::repl`) and the server (for a shell whose database a server holds) both run
//! inputs through [`Session::input`].

pub mod commands;
pub mod vocabulary;

use super::query::{
    params_of, run_script, write_result, write_table, Destination, OutputFormat, QueryOptions,
    ResultSink, TableFit,
};
use crate::query::{Engine, Params, StatementResult};
use crate::store::Store;
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Rows the table mode shows of a result; `:mode csv` or `:export` give all of them.
pub const SHOWN_ROWS: usize = 50;

/// What the shell does after an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Read the next input.
    Continue,
    /// Leave the shell.
    Quit,
    /// Close this database and open another.
    Open(PathBuf),
    /// Ingest these paths into the database (which must not be borrowed meanwhile).
    Ingest(Vec<PathBuf>),
    /// Clear the screen.
    Clear,
}

/// The shell's state across inputs.
pub struct Session {
    /// The command line's options.
    pub options: QueryOptions,
    /// Set by Ctrl-C: stops the running statement and its output.
    pub cancel: Arc<AtomicBool>,
    /// How results are shown (`:mode`).
    pub mode: OutputFormat,
    /// Whether to show each statement's running time (`:timing`).
    pub timing: bool,
    /// The parameters (`:param`).
    pub params: Params,
    /// Set when the parameters changed, to refresh their completion.
    pub params_changed: bool,
    /// The result of the last statement, for `:export`.
    pub last: Option<StatementResult>,
    /// The terminal's width, which tables are fitted to.
    pub width: Option<usize>,
}

impl Session {
    /// A session with the command line's options.
    pub fn new(options: &QueryOptions) -> Result<Session> {
        let params = params_of(&options.params)?;
        Ok(Session {
            options: options.clone(),
            cancel: Arc::new(AtomicBool::new(false)),
            mode: options.format.unwrap_or(OutputFormat::Table),
            timing: false,
            params_changed: !params.is_empty(),
            params,
            last: None,
            width: None,
        })
    }

    /// Runs one input (a meta-command or statements) on `store`; errors are shown.
    pub fn input(
        &mut self,
        engine: &Engine,
        store: &Store,
        input: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Flow {
        let text = input.trim_start();
        if text.starts_with(':') {
            match commands::execute(self, engine, store, text, out, err) {
                Ok(flow) => return flow,
                Err(e) => {
                    let _ = writeln!(err, "error: {}", crate::term::safe(&format!("{e:#}")));
                }
            }
        } else {
            self.run_statements(engine, store, input, "", out, err);
        }
        Flow::Continue
    }

    /// Runs the statements of `text` (named `origin` in messages, none when empty) and
    /// shows their results in the current mode; errors are shown, never returned.
    pub fn run_statements(
        &mut self,
        engine: &Engine,
        store: &Store,
        text: &str,
        origin: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) {
        let mut sink = ShellSink {
            out: Interruptible {
                out: std::io::BufWriter::new(&mut *out),
                cancel: &self.cancel,
            },
            g: store.graph(),
            mode: self.mode,
            timing: self.timing,
            csv_raw: self.options.csv_raw,
            fit: TableFit {
                width: self.width,
                rows: Some(SHOWN_ROWS),
                more: "; :mode csv or :export for all",
            },
            index: 0,
            last: &mut self.last,
        };
        let r = run_script(engine, text, origin, &self.params, false, &mut sink, err);
        drop(sink);
        if let Err(e) = r {
            // End the line cut short (standard output holds back a partial line).
            let _ = writeln!(out);
            let _ = writeln!(err, "error: {}", crate::term::safe(&format!("{e:#}")));
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
                let to = Destination {
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
