//! The `coopgraph` binary: parses the command line and reports errors.

use clap::Parser;
use coopgraph::cli;

fn main() {
    let args = cli::Args::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            cli::EXIT_ERROR
        }
    };
    std::process::exit(code);
}
