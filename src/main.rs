//! The `coopgraph` binary: parses the command line and reports errors.

use clap::Parser;
use coopgraph::cli;

/// mimalloc instead of the system allocator: extraction makes many small, short-lived
/// allocations (token strings, candidate names), and glibc's malloc and free were about a
/// fifth of its instructions (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (`coopgraph export | head`) instead of failing to print.
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Args::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", coopgraph::term::safe(&format!("{e:#}")));
            cli::EXIT_ERROR
        }
    };
    std::process::exit(code);
}
