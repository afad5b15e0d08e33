//! Where a command writes and what it reads from standard input: this process's own,
//! or those of a client of `coopgraph serve` that runs the command there (the server
//! sends the bytes back, so the output is the same either way).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A command's standard output, error and input.
pub struct Console<'a> {
    /// Standard output.
    pub out: Box<dyn Write + 'a>,
    /// Standard error (messages, warnings, summaries).
    pub err: Box<dyn Write + 'a>,
    /// Whether standard output is a terminal (the default formats depend on it).
    pub out_terminal: bool,
    /// Whether standard error is a terminal (a progress bar is drawn on it then).
    pub err_terminal: bool,
    /// Standard input already read (a client's), or `None` for this process's own.
    pub stdin: Option<Arc<[u8]>>,
    /// Set when the command should stop (its client went away); `None`: never.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Console<'static> {
    /// This process's standard output, error and input.
    pub fn process() -> Console<'static> {
        Console {
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
            out_terminal: std::io::stdout().is_terminal(),
            err_terminal: std::io::stderr().is_terminal(),
            stdin: None,
            cancel: None,
        }
    }
}

impl Console<'_> {
    /// Whether the command was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Standard input: the bytes a client sent, or this process's.
    pub fn stdin(&self) -> Box<dyn std::io::Read + Send> {
        match &self.stdin {
            Some(bytes) => Box::new(std::io::Cursor::new(Arc::clone(bytes))),
            None => Box::new(std::io::stdin()),
        }
    }
}
