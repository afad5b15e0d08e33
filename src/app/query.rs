//! Running Cypher statements and rendering their results: the `query`, `run` and
//! `bench` commands, the shell's statements and the server's queries share it.

use super::{reading, Db};
use crate::console::Console;
use crate::cypher::{caret_excerpt, Location, ParseError, Parser, Statement};
use crate::graph::Graph;
use crate::query::{
    parse_param, Engine, ExecError, Params, PlanError, QValue, QueryError, StatementResult,
};
use anyhow::{anyhow, Context, Result};
use clap::ValueEnum;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub use crate::exit::{EXIT_QUERY_FAILED, EXIT_QUERY_INVALID, EXIT_TIMEOUT};

/// Output formats of query results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text with a row count (default on a terminal).
    Table,
    /// One JSON array of objects per statement, keys in column order (default otherwise).
    Json,
    /// One JSON object per row.
    Jsonl,
    /// Comma-separated values with a header (RFC 4180 quoting).
    Csv,
    /// Tab-separated values with a header.
    Tsv,
    /// A Markdown table.
    Markdown,
}

/// The default of `--timeout`, in seconds.
pub const DEFAULT_TIMEOUT: f64 = 60.0;
/// The default of `--max-rows`.
pub const DEFAULT_MAX_ROWS: usize = 1_000_000;

/// Options shared by `query`, `run` and the shell.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryOptions {
    /// Output format [default: table on a terminal, else json].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// A parameter, `name=value`; the value is read as JSON if it parses, else as a string.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Stop a statement after this many seconds (0: no limit).
    #[arg(long, default_value_t = DEFAULT_TIMEOUT, value_name = "SECONDS")]
    pub timeout: f64,
    /// Most rows a statement may return.
    #[arg(long, default_value_t = DEFAULT_MAX_ROWS, value_name = "N")]
    pub max_rows: usize,
    /// Keep running the next statements after one fails (plan or execution errors).
    #[arg(long)]
    pub continue_on_error: bool,
    /// Write csv and tsv cells exactly: without the `'` put before text starting with
    /// = + - @ to keep spreadsheets from running it.
    #[arg(long)]
    pub csv_raw: bool,
}

impl Default for QueryOptions {
    /// The options of a command line that gives none.
    fn default() -> Self {
        QueryOptions {
            format: None,
            params: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            max_rows: DEFAULT_MAX_ROWS,
            continue_on_error: false,
            csv_raw: false,
        }
    }
}

/// Reads `--param NAME=VALUE` items.
pub fn params_of(list: &[String]) -> Result<Params> {
    let mut p = Params::new();
    for item in list {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--param {item:?}: expected NAME=VALUE"))?;
        p.insert(name.trim_start_matches('$').to_string(), parse_param(value));
    }
    Ok(p)
}

/// An engine over `g` with the limits of the options.
pub fn engine_for<'g>(g: &'g Graph, o: &QueryOptions) -> Engine<'g> {
    let mut e = Engine::new(g);
    set_limits(&mut e, o);
    e
}

/// Sets the engine's timeout and row limit from the options.
pub fn set_limits(e: &mut Engine, o: &QueryOptions) {
    e.limits.timeout = (o.timeout > 0.0).then(|| Duration::from_secs_f64(o.timeout));
    e.limits.max_result_rows = o.max_rows;
}

fn exit_code(e: &QueryError) -> i32 {
    match e {
        QueryError::Exec(ExecError::Timeout(_)) | QueryError::Plan(PlanError::Timeout(_)) => {
            EXIT_TIMEOUT
        }
        QueryError::Parse(_) | QueryError::Plan(_) => EXIT_QUERY_INVALID,
        _ => EXIT_QUERY_FAILED,
    }
}

/// Where the results of [`run_script`] go.
pub trait ResultSink {
    /// Shows the result of one statement, which ran for `elapsed`; `heading` is the
    /// comment written just above the statement (empty if none).
    fn result(&mut self, res: StatementResult, elapsed: Duration, heading: &str) -> Result<()>;
    /// Flushes what was shown, before a message goes to standard error.
    fn flush(&mut self) -> Result<()>;
}

/// Writes every result to standard output in one format (the `query` and `run` commands).
struct FormatSink<'g, W: Write> {
    out: W,
    g: &'g Graph,
    format: OutputFormat,
    index: usize,
    to: Destination,
}

impl<W: Write> ResultSink for FormatSink<'_, W> {
    fn result(&mut self, res: StatementResult, _elapsed: Duration, heading: &str) -> Result<()> {
        let titled = matches!(self.format, OutputFormat::Table | OutputFormat::Markdown)
            && !heading.is_empty();
        if titled {
            // A script's `// question` above its statement heads the table.
            if self.index > 0 {
                writeln!(self.out)?;
            }
            writeln!(self.out, "{}", crate::term::safe(heading))?;
            write_result(&mut self.out, self.g, &res, self.format, 0, self.to)?;
        } else {
            let (format, index, to) = (self.format, self.index, self.to);
            write_result(&mut self.out, self.g, &res, format, index, to)?;
        }
        self.index += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        Ok(self.out.flush()?)
    }
}

/// Runs the statements of `text` (named `origin` in messages) on `db`, writing to `io`;
/// returns the exit status.
pub fn run_text(
    db: &Db,
    text: &str,
    origin: &str,
    o: &QueryOptions,
    io: &mut Console,
) -> Result<i32> {
    let params = params_of(&o.params)?;
    reading(db, |store| {
        let mut engine = match db {
            Db::Shared(shared) => shared.engine(store),
            Db::Folder(_) => Engine::new(store.graph()),
        };
        set_limits(&mut engine, o);
        engine.limits.cancel = io.cancel.clone();
        let terminal = io.out_terminal;
        let format = o.format.unwrap_or(if terminal {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
        let mut sink = FormatSink {
            out: std::io::BufWriter::new(&mut io.out),
            g: store.graph(),
            format,
            index: 0,
            to: Destination {
                terminal,
                csv_raw: o.csv_raw,
            },
        };
        run_script(
            &engine,
            text,
            origin,
            &params,
            o.continue_on_error,
            &mut sink,
            &mut io.err,
        )
    })
}

/// Runs the statements of `text` one by one, giving each result to `sink` and reporting
/// warnings, profiles and errors on standard error as `ORIGIN:LINE:COL: …` (without the
/// prefix when `origin` is empty); returns the exit status. A syntax error ends the
/// script; other errors end it unless `continue_on_error`.
pub fn run_script(
    engine: &Engine,
    text: &str,
    origin: &str,
    params: &Params,
    continue_on_error: bool,
    sink: &mut dyn ResultSink,
    err: &mut dyn Write,
) -> Result<i32> {
    let mut parser = match Parser::new(text) {
        Ok(p) => p,
        Err(e) => {
            report_parse(origin, text, &e, err)?;
            return Ok(EXIT_QUERY_INVALID);
        }
    };
    let mut status = 0;
    while let Some(next) = parser.next_statement() {
        let stmt = match next {
            Ok(s) => s,
            Err(e) => {
                sink.flush()?;
                report_parse(origin, text, &e, err)?;
                return Ok(if status == 0 {
                    EXIT_QUERY_INVALID
                } else {
                    status
                });
            }
        };
        let t = Instant::now();
        match engine.run_statement(&stmt, params) {
            Ok(mut res) => {
                let elapsed = t.elapsed();
                for w in &res.warnings {
                    writeln!(
                        err,
                        "{}warning: {}",
                        position(origin, stmt.span.start.line, stmt.span.start.column),
                        crate::term::safe(w)
                    )?;
                }
                let profile = res.profile.take();
                let heading = leading_comment(text, stmt.span.start.line as usize);
                sink.result(res, elapsed, &heading)?;
                if let Some(p) = &profile {
                    sink.flush()?;
                    write!(err, "{}", crate::term::safe(p))?;
                }
            }
            Err(QueryError::Exec(ExecError::Cancelled)) => {
                // Ctrl-C in the shell: the user knows which statement; no source excerpt.
                // The shell's output refuses writes once Ctrl-C was pressed: nothing to flush.
                let _ = sink.flush();
                writeln!(err, "\ncancelled")?;
                return Ok(EXIT_QUERY_FAILED);
            }
            Err(e) => {
                sink.flush()?;
                report_error(origin, text, &stmt, &e, err)?;
                let code = exit_code(&e);
                if !continue_on_error {
                    return Ok(code);
                }
                if status == 0 {
                    status = code;
                }
            }
        }
    }
    sink.flush()?;
    Ok(status)
}

/// The `ORIGIN:LINE:COL: ` prefix of a message, or nothing when `origin` is empty.
fn position(origin: &str, line: u32, column: u32) -> String {
    if origin.is_empty() {
        String::new()
    } else {
        format!("{origin}:{line}:{column}: ")
    }
}

fn report_parse(origin: &str, text: &str, e: &ParseError, err: &mut dyn Write) -> Result<()> {
    let l = e.location();
    // The prefix gives the position: the message does not repeat it.
    let message = format!(
        "{}{}",
        position(origin, l.line, l.column),
        e.render_excerpt(text)
    );
    writeln!(err, "{}", crate::term::safe(&message))?;
    Ok(())
}

fn report_error(
    origin: &str,
    text: &str,
    stmt: &Statement,
    e: &QueryError,
    err: &mut dyn Write,
) -> Result<()> {
    let (start, message) = error_excerpt(text, stmt, e);
    let message = format!("{}{message}", position(origin, start.line, start.column));
    writeln!(err, "{}", crate::term::safe(&message))?;
    Ok(())
}

/// An error's message with the line it points at and a caret below (`error: …`, then
/// ` |`, `N | text`, ` | ^ here`), and the place the caret marks.
fn error_excerpt(text: &str, stmt: &Statement, e: &QueryError) -> (Location, String) {
    // Point at the error itself when it has a place, else at the statement.
    let at = match e {
        QueryError::Plan(p) => p.location(),
        QueryError::Exec(x) => x.location(),
        QueryError::Parse(p) => Some(p.location()).filter(|l| l.line > 0),
    };
    let (start, note) = match at {
        Some(l) => (l, "here"),
        None => (stmt.span.start, "in this statement"),
    };
    // One position per message: the excerpt (and the caller's prefix) give it, so the
    // message's own " at line L, column C" goes.
    let full = e.to_string();
    let message = full
        .strip_suffix(start.to_string().as_str())
        .unwrap_or(&full);
    (
        start,
        format!("error: {message}{} {note}", caret_excerpt(text, start)),
    )
}

/// A query a server ran that failed: Neo4j's status code, the message with the caret
/// excerpt, and where in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Neo4j's status code, e.g. `Neo.ClientError.Statement.SyntaxError`.
    pub code: &'static str,
    /// The message, with the line of the text it points at and a caret.
    pub message: String,
    /// The line (1-based; 0 when unknown).
    pub line: u32,
    /// The column (1-based; 0 when unknown).
    pub column: u32,
}

/// Neo4j's status code for a query error, so that drivers raise their own error types.
pub fn status_code(e: &QueryError) -> &'static str {
    match e {
        QueryError::Parse(_) => "Neo.ClientError.Statement.SyntaxError",
        QueryError::Plan(PlanError::MissingParameter(_)) => {
            "Neo.ClientError.Statement.ParameterMissing"
        }
        QueryError::Plan(PlanError::UnknownFunction { .. }) => {
            "Neo.ClientError.Statement.UnknownFunction"
        }
        QueryError::Plan(PlanError::Unsupported(_)) => {
            "Neo.ClientError.Statement.FeatureNotSupported"
        }
        QueryError::Plan(PlanError::Timeout(_)) => {
            "Neo.ClientError.Transaction.TransactionTimedOut"
        }
        QueryError::Plan(_) => "Neo.ClientError.Statement.SemanticError",
        QueryError::Exec(x) => match x.kind() {
            ExecError::Timeout(_) => "Neo.ClientError.Transaction.TransactionTimedOut",
            ExecError::IntegerOverflow(_) => "Neo.ClientError.Statement.ArithmeticError",
            ExecError::Cancelled => "Neo.TransientError.Transaction.Terminated",
            ExecError::Type(_) => "Neo.ClientError.Statement.TypeError",
            ExecError::Limit(_) => "Neo.ClientError.Statement.ExecutionFailed",
            _ => "Neo.ClientError.Statement.ArgumentError",
        },
    }
}

/// Runs the one statement of `text` as a server does: the result, or the failure with its
/// status code and caret message. A text of several statements is refused.
pub fn run_one(engine: &Engine, text: &str, params: &Params) -> Result<StatementResult, Failure> {
    let parse_failure = |e: &ParseError| {
        let l = e.location();
        Failure {
            code: "Neo.ClientError.Statement.SyntaxError",
            message: e.render(text),
            line: l.line,
            column: l.column,
        }
    };
    let stmts = crate::cypher::parse(text).map_err(|e| parse_failure(&e))?;
    let stmt = match &stmts[..] {
        [one] => one,
        [] => {
            return Err(Failure {
                code: "Neo.ClientError.Statement.SyntaxError",
                message: "error: the query is empty".into(),
                line: 1,
                column: 1,
            })
        }
        [_, second, ..] => {
            return Err(Failure {
                code: "Neo.ClientError.Statement.SyntaxError",
                message: "error: send one statement at a time (this text has several)".into(),
                line: second.span.start.line,
                column: second.span.start.column,
            })
        }
    };
    engine.run_statement(stmt, params).map_err(|e| {
        let (at, message) = error_excerpt(text, stmt, &e);
        Failure {
            code: status_code(&e),
            message,
            line: at.line,
            column: at.column,
        }
    })
}

/// Runs the statements of `text` for `export --query`: the subgraph their rows mention,
/// or (after reporting the error) the exit status of the first failing statement.
pub fn query_selection(
    g: &Graph,
    text: &str,
    params: &[String],
    err: &mut dyn Write,
) -> Result<std::result::Result<crate::export::Selection, i32>> {
    let params = params_of(params)?;
    let mut engine = Engine::new(g);
    engine.limits.timeout = None;
    let stmts = match crate::cypher::parse(text) {
        Ok(s) => s,
        Err(e) => {
            report_parse("<query>", text, &e, err)?;
            return Ok(Err(EXIT_QUERY_INVALID));
        }
    };
    let mut results = Vec::new();
    for stmt in &stmts {
        match engine.run_statement(stmt, &params) {
            Ok(r) => {
                for w in &r.warnings {
                    writeln!(
                        err,
                        "<query>:{}:{}: warning: {w}",
                        stmt.span.start.line, stmt.span.start.column
                    )?;
                }
                results.push(r)
            }
            Err(e) => {
                report_error("<query>", text, stmt, &e, err)?;
                return Ok(Err(exit_code(&e)));
            }
        }
    }
    Ok(Ok(crate::query::selection_of(g, &results)))
}

/// The `//` comment lines right above line `line` (1-based) of `text`: the question a
/// statement answers, printed above its table.
fn leading_comment(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
    let mut out: Vec<&str> = Vec::new();
    for l in lines.iter().rev() {
        let t = l.trim();
        if t.starts_with("//") {
            out.push(t);
        } else {
            break;
        }
    }
    out.reverse();
    out.join("\n")
}

/// Reads a file, or standard input for `-`; gives the text and its name for messages.
pub fn read_source(file: &Path, io: &Console) -> Result<(String, String)> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        io.stdin().read_to_string(&mut s)?;
        Ok((s, "<stdin>".into()))
    } else {
        let s = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        Ok((s, file.display().to_string()))
    }
}

fn text_cell(g: &Graph, v: &QValue) -> String {
    match v {
        QValue::Null => "null".into(),
        _ => v.to_text(g),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes a row as a JSON object whose keys keep the column order.
fn write_object(w: &mut dyn Write, g: &Graph, cols: &[String], row: &[QValue]) -> Result<()> {
    w.write_all(b"{")?;
    for (i, (c, v)) in cols.iter().zip(row).enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, c)?;
        w.write_all(b":")?;
        serde_json::to_writer(&mut *w, &v.to_json(g))?;
    }
    w.write_all(b"}")?;
    Ok(())
}

/// Where results are written, for the formats that write text differently there.
#[derive(Debug, Clone, Copy, Default)]
pub struct Destination {
    /// A terminal: csv, tsv and markdown show control characters escaped.
    pub terminal: bool,
    /// csv and tsv cells exactly as they are, without [`crate::export::csv::guard_formula`].
    pub csv_raw: bool,
}

/// Writes one statement's result. On a terminal, csv, tsv and markdown show control
/// characters escaped ([`crate::term::safe`]); elsewhere they keep the exact data. The
/// table is always escaped; JSON escapes them its own way. Text cells of csv and tsv that
/// a spreadsheet would run as formulas get a leading `'` unless `to.csv_raw`.
pub fn write_result(
    w: &mut dyn Write,
    g: &Graph,
    res: &StatementResult,
    format: OutputFormat,
    index: usize,
    to: Destination,
) -> Result<()> {
    let cols = &res.columns;
    let shown = |s: String| {
        if to.terminal {
            crate::term::safe(&s).into_owned()
        } else {
            s
        }
    };
    match format {
        OutputFormat::Json => {
            w.write_all(b"[")?;
            for (i, r) in res.rows.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write_object(w, g, cols, r)?;
            }
            w.write_all(b"]\n")?;
        }
        OutputFormat::Jsonl => {
            for r in &res.rows {
                write_object(w, g, cols, r)?;
                w.write_all(b"\n")?;
            }
        }
        OutputFormat::Csv | OutputFormat::Tsv => {
            if index > 0 {
                writeln!(w)?;
            }
            let tsv = format == OutputFormat::Tsv;
            let cell = |s: String| {
                if tsv {
                    shown(s.replace(['\t', '\n', '\r'], " "))
                } else {
                    csv_field(&shown(s))
                }
            };
            let sep = if tsv { "\t" } else { "," };
            let guard = |s: String| {
                if to.csv_raw {
                    s
                } else {
                    crate::export::csv::guard_formula(&s).into_owned()
                }
            };
            let head: Vec<String> = cols.iter().map(|c| cell(guard(c.clone()))).collect();
            writeln!(w, "{}", head.join(sep))?;
            for r in &res.rows {
                let line: Vec<String> = r
                    .iter()
                    .map(|v| {
                        cell(match v {
                            QValue::Null => String::new(),
                            // A negative number is data, not a formula.
                            QValue::Int(_) | QValue::Float(_) => v.to_text(g),
                            _ => guard(v.to_text(g)),
                        })
                    })
                    .collect();
                writeln!(w, "{}", line.join(sep))?;
            }
        }
        OutputFormat::Markdown => {
            if index > 0 {
                writeln!(w)?;
            }
            let esc = |s: String| shown(s.replace('|', "\\|").replace('\n', " "));
            writeln!(
                w,
                "| {} |",
                cols.iter()
                    .map(|c| esc(c.clone()))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )?;
            writeln!(w, "|{}", "---|".repeat(cols.len().max(1)))?;
            for r in &res.rows {
                let cells: Vec<String> = r.iter().map(|v| esc(text_cell(g, v))).collect();
                writeln!(w, "| {} |", cells.join(" | "))?;
            }
        }
        OutputFormat::Table => {
            if index > 0 {
                writeln!(w)?;
            }
            write_table(w, g, res, &TableFit::default())?;
        }
    }
    Ok(())
}

/// How the table format fits a result to a screen; the default fits nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableFit {
    /// The widest a line may be, in terminal columns: wide columns are cut, ending in `…`.
    pub width: Option<usize>,
    /// The most rows shown; the count line then says how many were left out.
    pub rows: Option<usize>,
    /// Added to the count line when rows were left out, e.g. "; :mode csv for all".
    pub more: &'static str,
}

/// Writes a result as an aligned table with a row count, fitted as `fit` asks.
pub fn write_table(
    w: &mut dyn Write,
    g: &Graph,
    res: &StatementResult,
    fit: &TableFit,
) -> Result<()> {
    let one_line = |s: &str| crate::term::safe(&s.replace(['\n', '\r', '\t'], " ")).into_owned();
    let cols: Vec<String> = res.columns.iter().map(|c| one_line(c)).collect();
    let total = res.rows.len();
    let shown = fit.rows.map_or(total, |n| n.min(total));
    let cells: Vec<Vec<String>> = res.rows[..shown]
        .iter()
        .map(|r| r.iter().map(|v| one_line(&text_cell(g, v))).collect())
        .collect();
    // Numbers are right-aligned, everything else left-aligned.
    let numeric: Vec<Vec<bool>> = res.rows[..shown]
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| matches!(v, QValue::Int(_) | QValue::Float(_)))
                .collect()
        })
        .collect();
    let mut width: Vec<usize> = cols.iter().map(|c| c.width()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.width());
        }
    }
    if let Some(limit) = fit.width {
        fit_widths(&mut width, limit);
    }
    let rule: String = width
        .iter()
        .map(|&n| format!("+{}", "-".repeat(n + 2)))
        .collect::<String>()
        + "+";
    let line = |vals: &[String], right: &[bool]| -> String {
        vals.iter()
            .zip(&width)
            .enumerate()
            .map(|(i, (v, &n))| {
                let v = cut_to_width(v, n);
                let pad = " ".repeat(n.saturating_sub(v.width()));
                if right.get(i).copied().unwrap_or(false) {
                    format!("| {pad}{v} ")
                } else {
                    format!("| {v}{pad} ")
                }
            })
            .collect::<String>()
            + "|"
    };
    if !cols.is_empty() {
        writeln!(w, "{rule}")?;
        writeln!(w, "{}", line(&cols, &[]))?;
        writeln!(w, "{rule}")?;
        for (r, right) in cells.iter().zip(&numeric) {
            writeln!(w, "{}", line(r, right))?;
        }
        writeln!(w, "{rule}")?;
    }
    if shown < total {
        writeln!(
            w,
            "{} of {} rows{}",
            thousands(shown),
            thousands(total),
            fit.more
        )?;
    } else {
        writeln!(w, "{total} row{}", if total == 1 { "" } else { "s" })?;
    }
    Ok(())
}

/// Narrows the widest columns until a table line (`| a | b |`) fits in `limit` columns,
/// keeping every column at least 3 wide (or its natural width when smaller).
fn fit_widths(width: &mut [usize], limit: usize) {
    let frame = 3 * width.len() + 1;
    let budget = limit.saturating_sub(frame);
    if width.iter().sum::<usize>() <= budget {
        return;
    }
    // The largest cap c with sum(min(w, c)) <= budget.
    let (mut lo, mut hi) = (3usize, width.iter().copied().max().unwrap_or(3));
    if width.iter().map(|&x| x.min(lo)).sum::<usize>() > budget {
        hi = lo;
    }
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width.iter().map(|&x| x.min(mid)).sum::<usize>() <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    for x in width.iter_mut() {
        *x = (*x).min(lo);
    }
}

/// `s` if it is at most `n` columns wide, else its beginning and `…` in `n` columns.
fn cut_to_width(s: &str, n: usize) -> std::borrow::Cow<'_, str> {
    if s.width() <= n {
        return s.into();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > n {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out.into()
}

/// A count with thousands separators: 12,345 (see [`crate::term::thousands`]).
pub fn thousands(n: usize) -> String {
    crate::term::thousands(n as u64)
}

fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// `bench FILE`: times each statement in-process; prints JSON.
pub fn bench(
    db: &Db,
    file: &Path,
    runs: usize,
    warmup: usize,
    params: &[String],
    io: &mut Console,
) -> Result<i32> {
    let params = params_of(params)?;
    let (text, origin) = read_source(file, io)?;
    reading(db, |store| {
        bench_on(store.graph(), &text, &origin, runs, warmup, &params, io)
    })
}

fn bench_on(
    g: &Graph,
    text: &str,
    origin: &str,
    runs: usize,
    warmup: usize,
    params: &Params,
    io: &mut Console,
) -> Result<i32> {
    let mut engine = Engine::new(g);
    engine.limits.timeout = None;
    let t = Instant::now();
    engine.adjacency();
    writeln!(
        io.err,
        "adjacency index built in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    )?;
    let stmts = match crate::cypher::parse(text) {
        Ok(s) => s,
        Err(e) => {
            report_parse(origin, text, &e, &mut io.err)?;
            return Ok(EXIT_QUERY_INVALID);
        }
    };
    let mut out = Vec::new();
    for stmt in &stmts {
        let src = stmt.source_text(text).to_string();
        let once = || -> Result<StatementResult, QueryError> {
            let parsed = crate::cypher::parse(&src)?;
            let s = parsed
                .first()
                .ok_or_else(|| QueryError::Exec(ExecError::Argument("empty statement".into())))?;
            engine.run_statement(s, params)
        };
        let mut res = None;
        for _ in 0..warmup {
            res = Some(once());
        }
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let r = once();
            times.push(t.elapsed().as_secs_f64() * 1e3);
            res = Some(r);
        }
        let res = match res.expect("at least one run") {
            Ok(r) => r,
            Err(e) => {
                report_error(origin, text, stmt, &e, &mut io.err)?;
                return Ok(exit_code(&e));
            }
        };
        times.sort_by(f64::total_cmp);
        let rows: Vec<serde_json::Value> = res
            .rows
            .iter()
            .map(|r| serde_json::Value::Array(r.iter().map(|v| v.to_json(g)).collect()))
            .collect();
        out.push(serde_json::json!({
            "text": src,
            "columns": res.columns,
            "rows": rows,
            "runs": times.len(),
            "warmup": warmup,
            "min_ms": times[0],
            "median_ms": nearest_rank(&times, 0.5),
            "p90_ms": nearest_rank(&times, 0.9),
        }));
    }
    serde_json::to_writer_pretty(&mut io.out, &out)?;
    writeln!(io.out)?;
    Ok(0)
}
