//! The shell's meta-commands (`:help`, `:mode`, `:source`, …): their table, which
//! help and completion read, and what each does.

use super::{Flow, Session};
use crate::app::query::{thousands, write_result, Destination, OutputFormat};
use crate::app::{print_stats, ExportFormat, StatsFormat};
use crate::query::{parse_param, Engine};
use crate::store::Store;
use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;

/// What a meta-command's argument is, for completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// No argument.
    None,
    /// A file or directory path.
    Path,
    /// An export format, then a path.
    FormatThenPath,
    /// An output mode.
    Mode,
    /// `on` or `off`.
    OnOff,
    /// A meta-command name.
    Command,
    /// A parameter name, then a value.
    Param,
    /// A Cypher query.
    Query,
    /// A node or relationship id, or a name.
    Name,
}

/// One meta-command: its name (without `:`), argument synopsis, one-line help, details
/// for `:help NAME` and the kind of argument it takes.
#[derive(Debug)]
pub struct CommandDef {
    /// The name typed after `:`.
    pub name: &'static str,
    /// The arguments, as shown by `:help`.
    pub args: &'static str,
    /// What it does, in one short line.
    pub about: &'static str,
    /// More, shown by `:help NAME`.
    pub details: &'static str,
    /// What its argument is.
    pub arg: ArgKind,
}

/// Every meta-command, in the order `:help` lists them.
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "help",
        args: "[COMMAND]",
        about: "lists the commands, or explains one",
        details: "",
        arg: ArgKind::Command,
    },
    CommandDef {
        name: "schema",
        args: "",
        about: "labels, properties and relationship types",
        details: "",
        arg: ArgKind::None,
    },
    CommandDef {
        name: "stats",
        args: "",
        about: "nodes per label, edges per relationship type",
        details: "",
        arg: ArgKind::None,
    },
    CommandDef {
        name: "mode",
        args: "MODE",
        about: "how results are shown",
        details: "MODE is table (the first 50 rows, fitted to the terminal), json, jsonl, csv, \
                  tsv or markdown (every row).",
        arg: ArgKind::Mode,
    },
    CommandDef {
        name: "timing",
        args: "on|off",
        about: "shows how long each statement ran",
        details: "",
        arg: ArgKind::OnOff,
    },
    CommandDef {
        name: "source",
        args: "FILE",
        about: "runs the statements of a file",
        details: "Statements are separated by ';'. The first error stops the script and \
                  names FILE:LINE:COLUMN.",
        arg: ArgKind::Path,
    },
    CommandDef {
        name: "open",
        args: "PATH",
        about: "opens another database",
        details: "",
        arg: ArgKind::Path,
    },
    CommandDef {
        name: "ingest",
        args: "PATH...",
        about: "adds article files or directories",
        details: "As `coopgraph ingest`: .txt, .md and .jsonl files, or directories of them; \
                  each article is one batch. Ctrl-C stops after the current article.",
        arg: ArgKind::Path,
    },
    CommandDef {
        name: "export",
        args: "FORMAT FILE",
        about: "writes the last result to a file",
        details: "Row formats write every row: json, jsonl, csv, tsv, markdown. Graph formats \
                  write the nodes and relationships in the result: graphml, gexf, dot, svg, \
                  html, cypher, ntriples, turtle.",
        arg: ArgKind::FormatThenPath,
    },
    CommandDef {
        name: "param",
        args: "NAME [VALUE]",
        about: "sets $NAME, or unsets it",
        details: "VALUE is read as JSON if it parses (42, [1, 2], {\"a\": 1}), else taken as \
                  a string: :param country Vietnam.",
        arg: ArgKind::Param,
    },
    CommandDef {
        name: "params",
        args: "",
        about: "lists the parameters",
        details: "",
        arg: ArgKind::None,
    },
    CommandDef {
        name: "explain",
        args: "QUERY",
        about: "shows a query's plan without running it",
        details: "",
        arg: ArgKind::Query,
    },
    CommandDef {
        name: "sources",
        args: "ID-OR-NAME",
        about: "the source sentences behind a node or relationship",
        details: "ID-OR-NAME is a node id (n12), a relationship id (e7) or a name, matched \
                  folded (Luong finds Lương). Each source shows its document, date, title, \
                  span and sentence; in Cypher, sources(n) returns the same as a list of maps.",
        arg: ArgKind::Name,
    },
    CommandDef {
        name: "clear",
        args: "",
        about: "clears the screen",
        details: "",
        arg: ArgKind::None,
    },
    CommandDef {
        name: "quit",
        args: "",
        about: "leaves the shell (also :exit, Ctrl-D)",
        details: "",
        arg: ArgKind::None,
    },
];

/// The names `:mode` takes: those of `--format`.
pub fn modes() -> Vec<String> {
    OutputFormat::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect()
}

/// The formats `:export` takes: the row formats (every mode but table), then the
/// graph formats of `export --format` that are not row formats too.
pub fn export_formats() -> Vec<String> {
    let mut out: Vec<String> = modes().into_iter().filter(|m| m != "table").collect();
    for v in ExportFormat::value_variants() {
        if let Some(name) = v.to_possible_value().map(|v| v.get_name().to_string()) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The meta-command called `name` (`exit` is `quit`).
pub fn find(name: &str) -> Option<&'static CommandDef> {
    let name = if name == "exit" || name == "q" {
        "quit"
    } else {
        name
    };
    COMMANDS.iter().find(|c| c.name == name)
}

/// Runs a meta-command line (starting with `:`).
pub(super) fn execute(
    shell: &mut Session,
    engine: &Engine,
    store: &Store,
    line: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Flow> {
    let line = line.trim().trim_end_matches(';').trim_end();
    let body = &line[1..];
    let (name, arg) = match body.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (body, ""),
    };
    let Some(cmd) = find(name) else {
        let names = COMMANDS.iter().map(|c| c.name);
        let hint = match crate::schema::did_you_mean(name, names) {
            Some(s) => format!(" (did you mean :{s}?)"),
            None => String::new(),
        };
        bail!("unknown command :{name}{hint}; :help lists the commands");
    };
    let no_arg = || -> Result<()> {
        if arg.is_empty() {
            Ok(())
        } else {
            bail!(":{} takes no argument", cmd.name)
        }
    };
    let need_arg = || -> Result<&str> {
        if arg.is_empty() {
            bail!("usage: :{} {}", cmd.name, cmd.args)
        }
        Ok(arg)
    };
    match cmd.name {
        "help" => help(arg, out)?,
        "schema" => {
            no_arg()?;
            write!(out, "{}", store.graph().schema().describe())?;
        }
        "stats" => {
            no_arg()?;
            print_stats(store, StatsFormat::Table, out)?;
        }
        "mode" => {
            let m = need_arg()?;
            shell.mode = OutputFormat::from_str(m, true)
                .map_err(|_| anyhow!("unknown mode {m:?}; the modes are {}", modes().join(", ")))?;
        }
        "timing" => {
            shell.timing = match need_arg()? {
                "on" => true,
                "off" => false,
                other => bail!(":timing takes on or off, not {other:?}"),
            };
        }
        "source" => {
            let path = need_arg()?;
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
            shell.run_statements(engine, store, &text, path, out, err);
        }
        "open" => return Ok(Flow::Open(PathBuf::from(need_arg()?))),
        "ingest" => {
            let paths = need_arg()?.split_whitespace().map(PathBuf::from).collect();
            return Ok(Flow::Ingest(paths));
        }
        "export" => {
            let usage = || anyhow!("usage: :export {}", cmd.args);
            let (format, file) = need_arg()?
                .split_once(char::is_whitespace)
                .ok_or_else(usage)?;
            export(shell, store, format, file.trim(), err)?;
        }
        "param" => {
            let (pname, value) = match need_arg()?.split_once(char::is_whitespace) {
                Some((n, v)) => (n, Some(v.trim())),
                None => (arg, None),
            };
            let pname = pname.trim_start_matches('$').to_string();
            match value {
                Some(v) => {
                    shell.params.insert(pname, parse_param(v));
                }
                None => {
                    if shell.params.remove(&pname).is_none() {
                        bail!("no parameter ${pname}; :params lists them");
                    }
                }
            }
            shell.params_changed = true;
        }
        "params" => {
            no_arg()?;
            let mut names: Vec<&String> = shell.params.keys().collect();
            names.sort();
            if names.is_empty() {
                writeln!(out, "no parameters; set one with :param NAME VALUE")?;
            }
            for n in names {
                writeln!(out, "${n} = {}", shell.params[n].to_json(store.graph()))?;
            }
        }
        "explain" => {
            let q = need_arg()?;
            // A plan is not a result to export: keep the last one.
            let last = shell.last.take();
            shell.run_statements(engine, store, &format!("EXPLAIN {q}"), "", out, err);
            shell.last = last;
        }
        "sources" => {
            let g = store.graph();
            let items = crate::app::sources::lookup(g, need_arg()?)?;
            crate::app::sources::write_text(out, g, &items)?;
        }
        "clear" => {
            no_arg()?;
            return Ok(Flow::Clear);
        }
        "quit" => {
            no_arg()?;
            return Ok(Flow::Quit);
        }
        other => unreachable!("meta-command :{other} is in the table but not handled"),
    }
    Ok(Flow::Continue)
}

fn help(arg: &str, out: &mut dyn Write) -> Result<()> {
    if arg.is_empty() {
        writeln!(
            out,
            "Cypher statements end with ';' (one line that is a whole statement runs without)."
        )?;
        writeln!(
            out,
            "Tab completes; Up and Ctrl-R search the history; Ctrl-C cancels; Ctrl-D leaves.\n"
        )?;
        for c in COMMANDS {
            let synopsis = format!(":{} {}", c.name, c.args);
            writeln!(out, "  {:<22}{}", synopsis.trim_end(), c.about)?;
        }
        return Ok(());
    }
    let name = arg.trim_start_matches(':');
    let c = find(name).ok_or_else(|| {
        let hint = crate::schema::did_you_mean(name, COMMANDS.iter().map(|c| c.name))
            .map(|s| format!(" (did you mean :{s}?)"))
            .unwrap_or_default();
        anyhow!("unknown command :{name}{hint}")
    })?;
    writeln!(out, ":{} {}\n  {}", c.name, c.args, c.about)?;
    if !c.details.is_empty() {
        writeln!(out, "  {}", c.details)?;
    }
    Ok(())
}

/// `:export FORMAT FILE`: the last result's rows, or its nodes and relationships.
fn export(
    shell: &Session,
    store: &Store,
    format: &str,
    file: &str,
    err: &mut dyn Write,
) -> Result<()> {
    let Some(res) = &shell.last else {
        bail!("no result to export yet; run a query first (the `export` command writes the whole graph)");
    };
    let g = store.graph();
    if let Ok(f) = OutputFormat::from_str(format, true) {
        if f != OutputFormat::Table {
            crate::export::write_output(Some(file.as_ref()), |w| {
                let to = Destination {
                    terminal: false,
                    csv_raw: shell.options.csv_raw,
                };
                write_result(w, g, res, f, 0, to).map_err(std::io::Error::other)
            })?;
            let n = res.rows.len();
            let s = if n == 1 { "" } else { "s" };
            writeln!(err, "wrote {} row{s} to {file}", thousands(n))?;
            return Ok(());
        }
    }
    let f = ExportFormat::from_str(format, true).map_err(|_| {
        anyhow!(
            "unknown export format {format:?}; the formats are {}",
            export_formats().join(", ")
        )
    })?;
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for row in &res.rows {
        for v in row {
            v.collect_ids(g, &mut nodes, &mut edges);
        }
    }
    if nodes.is_empty() && edges.is_empty() {
        bail!("the last result has no nodes or relationships; export its rows as json, jsonl, csv, tsv or markdown");
    }
    let sel = crate::export::Selection::of(g, &nodes, &edges);
    let options = crate::export::ExportOptions {
        csv_raw: shell.options.csv_raw,
    };
    crate::export::export(
        g,
        f,
        Some(file.as_ref()),
        &sel,
        options,
        &mut std::io::sink(),
    )?;
    writeln!(
        err,
        "exported {} and {} to {file}",
        crate::term::plural(sel.nodes.len() as u64, "node"),
        crate::term::plural(sel.edges.len() as u64, "relationship")
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_help_and_a_unique_name() {
        for (i, c) in COMMANDS.iter().enumerate() {
            assert!(!c.about.is_empty(), "{}", c.name);
            assert!(
                COMMANDS[i + 1..].iter().all(|d| d.name != c.name),
                "{}",
                c.name
            );
        }
        assert_eq!(find("exit").map(|c| c.name), Some("quit"));
    }

    #[test]
    fn modes_and_formats() {
        assert_eq!(
            modes(),
            vec!["table", "json", "jsonl", "csv", "tsv", "markdown"]
        );
        let f = export_formats();
        assert_eq!(&f[..5], &["json", "jsonl", "csv", "tsv", "markdown"]);
        assert!(f.iter().any(|x| x == "graphml"), "{f:?}");
        assert!(f.iter().any(|x| x == "turtle"), "{f:?}");
        assert!(!f.iter().any(|x| x == "table"), "{f:?}");
    }
}
