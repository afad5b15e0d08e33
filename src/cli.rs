//! The command line: runs the parsed command here, or in the server that holds the
//! database (the command definitions and their running are [`crate::app::command`]).

pub use crate::app::command::{Args, Command, IngestFormat, Listen};
pub use crate::app::EXIT_ERROR;

use crate::app::command::execute;
use crate::app::query::QueryOptions;
use crate::app::Db;
use crate::console::Console;
use anyhow::Result;

/// Runs the parsed command line; returns the process exit status.
pub fn run(args: Args) -> Result<i32> {
    let command = args.command.unwrap_or(Command::Repl {
        options: QueryOptions::default(),
    });
    if let Some(dir) = &args.vocab {
        if matches!(command, Command::Ingest { .. }) && crate::server::local::served(&args.db) {
            anyhow::bail!(
                "a server holds {} and extracts with its own vocabulary: give --vocab {} to `coopgraph serve`",
                args.db.display(),
                dir.display()
            );
        }
        crate::extract::install_vocabulary(dir)?;
    }
    match command {
        Command::Repl { options } => crate::repl::run(&args.db, &options),
        Command::Serve {
            bolt,
            http,
            listen_any,
            password_file,
            timeout,
            max_rows,
            max_connections,
        } => {
            let options = crate::server::ServeOptions {
                bolt: bolt.0,
                http: http.0,
                password_file,
                listen_any,
                timeout: (timeout > 0.0).then(|| std::time::Duration::from_secs_f64(timeout)),
                max_rows,
                limits: crate::server::ServerLimits {
                    max_connections,
                    ..Default::default()
                },
            };
            crate::server::serve(&args.db, &options)
        }
        command => {
            if let Some(code) = crate::server::local::follow(&args.db, &command)? {
                return Ok(code);
            }
            execute(
                command,
                &args.db,
                &Db::Folder(&args.db),
                &mut Console::process(),
            )
        }
    }
}
