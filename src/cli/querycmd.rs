//! The `query`, `run` and `bench` commands: run Cypher statements and print results.

use crate::cypher::{ParseError, Parser, Statement};
use crate::graph::Graph;
use crate::query::{parse_param, Engine, ExecError, Params, QValue, QueryError, StatementResult};
use crate::store::Store;
use anyhow::{anyhow, Context, Result};
use clap::ValueEnum;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Exit status: a statement has a syntax error, or cannot be planned.
pub const EXIT_QUERY_INVALID: i32 = 3;
/// Exit status: a statement failed while running (type error, a limit reached).
pub const EXIT_QUERY_FAILED: i32 = 4;
/// Exit status: a statement ran past `--timeout`.
pub const EXIT_TIMEOUT: i32 = 5;

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

/// Options shared by `query` and `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryOptions {
    /// Output format [default: table on a terminal, else json].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// A parameter, `name=value`; the value is read as JSON if it parses, else as a string.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Stop a statement after this many seconds (0: no limit).
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Most rows a statement may return.
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    pub max_rows: usize,
    /// Keep running the next statements after one fails (plan or execution errors).
    #[arg(long)]
    pub continue_on_error: bool,
}

fn params_of(list: &[String]) -> Result<Params> {
    let mut p = Params::new();
    for item in list {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--param {item:?}: expected NAME=VALUE"))?;
        p.insert(name.trim_start_matches('$').to_string(), parse_param(value));
    }
    Ok(p)
}

fn engine_for<'g>(g: &'g Graph, o: &QueryOptions) -> Engine<'g> {
    let mut e = Engine::new(g);
    e.limits.timeout = (o.timeout > 0.0).then(|| Duration::from_secs_f64(o.timeout));
    e.limits.max_result_rows = o.max_rows;
    e
}

fn exit_code(e: &QueryError) -> i32 {
    match e {
        QueryError::Parse(_) | QueryError::Plan(_) => EXIT_QUERY_INVALID,
        QueryError::Exec(ExecError::Timeout(_)) => EXIT_TIMEOUT,
        _ => EXIT_QUERY_FAILED,
    }
}

/// Runs the statements of `text` (named `origin` in messages); returns the exit status.
pub fn run_text(db: &Path, text: &str, origin: &str, o: &QueryOptions) -> Result<i32> {
    let params = params_of(&o.params)?;
    let store = Store::open_existing(db)?;
    let engine = engine_for(store.graph(), o);
    let format = o.format.unwrap_or(if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut parser = match Parser::new(text) {
        Ok(p) => p,
        Err(e) => {
            report_parse(origin, text, &e);
            return Ok(EXIT_QUERY_INVALID);
        }
    };
    let mut status = 0;
    let mut index = 0;
    while let Some(next) = parser.next_statement() {
        let stmt = match next {
            Ok(s) => s,
            Err(e) => {
                out.flush()?;
                report_parse(origin, text, &e);
                return Ok(if status == 0 {
                    EXIT_QUERY_INVALID
                } else {
                    status
                });
            }
        };
        match engine.run_statement(&stmt, &params) {
            Ok(res) => {
                for w in &res.warnings {
                    eprintln!(
                        "{origin}:{}:{}: warning: {w}",
                        stmt.span.start.line, stmt.span.start.column
                    );
                }
                let heading = match format {
                    OutputFormat::Table | OutputFormat::Markdown => {
                        leading_comment(text, stmt.span.start.line as usize)
                    }
                    _ => String::new(),
                };
                if heading.is_empty() {
                    write_result(&mut out, store.graph(), &res, format, index)?;
                } else {
                    if index > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "{heading}")?;
                    write_result(&mut out, store.graph(), &res, format, 0)?;
                }
                if let Some(p) = &res.profile {
                    out.flush()?;
                    eprint!("{p}");
                }
                index += 1;
            }
            Err(e) => {
                out.flush()?;
                report_error(origin, text, &stmt, &e);
                let code = exit_code(&e);
                if !o.continue_on_error {
                    return Ok(code);
                }
                if status == 0 {
                    status = code;
                }
            }
        }
    }
    out.flush()?;
    Ok(status)
}

fn report_parse(origin: &str, text: &str, e: &ParseError) {
    let l = e.location();
    eprintln!("{origin}:{}:{}: {}", l.line, l.column, e.render(text));
}

fn report_error(origin: &str, text: &str, stmt: &Statement, e: &QueryError) {
    let start = stmt.span.start;
    let line_text = text
        .split('\n')
        .nth(start.line.saturating_sub(1) as usize)
        .unwrap_or("")
        .trim_end_matches('\r');
    let num = start.line.to_string();
    let gutter = " ".repeat(num.len());
    let pad = " ".repeat(start.column.saturating_sub(1) as usize);
    eprintln!(
        "{origin}:{}:{}: error: {e}\n{gutter} |\n{num} | {line_text}\n{gutter} | {pad}^ in this statement",
        start.line, start.column
    );
}

/// Runs the statements of `text` for `export --query`: the subgraph their rows mention,
/// or (after reporting the error) the exit status of the first failing statement.
pub fn query_selection(
    g: &Graph,
    text: &str,
    params: &[String],
) -> Result<std::result::Result<crate::export::Selection, i32>> {
    let params = params_of(params)?;
    let mut engine = Engine::new(g);
    engine.limits.timeout = None;
    let stmts = match crate::cypher::parse(text) {
        Ok(s) => s,
        Err(e) => {
            report_parse("<query>", text, &e);
            return Ok(Err(EXIT_QUERY_INVALID));
        }
    };
    let mut results = Vec::new();
    for stmt in &stmts {
        match engine.run_statement(stmt, &params) {
            Ok(r) => {
                for w in &r.warnings {
                    eprintln!(
                        "<query>:{}:{}: warning: {w}",
                        stmt.span.start.line, stmt.span.start.column
                    );
                }
                results.push(r)
            }
            Err(e) => {
                report_error("<query>", text, stmt, &e);
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

/// Reads a file, or standard input for `-`.
pub fn read_source(file: &Path) -> Result<(String, String)> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
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

/// Writes one statement's result.
pub fn write_result(
    w: &mut dyn Write,
    g: &Graph,
    res: &StatementResult,
    format: OutputFormat,
    index: usize,
) -> Result<()> {
    let cols = &res.columns;
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
                    s.replace(['\t', '\n', '\r'], " ")
                } else {
                    csv_field(&s)
                }
            };
            let sep = if tsv { "\t" } else { "," };
            let head: Vec<String> = cols.iter().map(|c| cell(c.clone())).collect();
            writeln!(w, "{}", head.join(sep))?;
            for r in &res.rows {
                let line: Vec<String> = r
                    .iter()
                    .map(|v| {
                        cell(if v.is_null() {
                            String::new()
                        } else {
                            v.to_text(g)
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
            let esc = |s: String| s.replace('|', "\\|").replace('\n', " ");
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
            // each cell as lines of at most TABLE_CELL_WIDTH characters
            let cells: Vec<Vec<Vec<String>>> = res
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| wrap(&text_cell(g, v).replace('\n', " "), TABLE_CELL_WIDTH))
                        .collect()
                })
                .collect();
            let mut width: Vec<usize> = cols.iter().map(|c| c.chars().count()).collect();
            for r in &cells {
                for (i, c) in r.iter().enumerate() {
                    for l in c {
                        width[i] = width[i].max(l.chars().count());
                    }
                }
            }
            let rule: String = width
                .iter()
                .map(|&n| format!("+{}", "-".repeat(n + 2)))
                .collect::<String>()
                + "+";
            let line = |vals: &[String]| -> String {
                vals.iter()
                    .zip(&width)
                    .map(|(v, &n)| format!("| {v}{} ", " ".repeat(n - v.chars().count())))
                    .collect::<String>()
                    + "|"
            };
            if !cols.is_empty() {
                writeln!(w, "{rule}")?;
                writeln!(w, "{}", line(cols))?;
                writeln!(w, "{rule}")?;
                for r in &cells {
                    let height = r.iter().map(Vec::len).max().unwrap_or(1);
                    for k in 0..height {
                        let vals: Vec<String> = r
                            .iter()
                            .map(|c| c.get(k).cloned().unwrap_or_default())
                            .collect();
                        writeln!(w, "{}", line(&vals))?;
                    }
                }
                writeln!(w, "{rule}")?;
            }
            let n = res.rows.len();
            writeln!(w, "{n} row{}", if n == 1 { "" } else { "s" })?;
        }
    }
    Ok(())
}

/// Widest cell line of `table` output; longer values wrap onto more lines.
const TABLE_CELL_WIDTH: usize = 80;

/// Splits `s` into lines of at most `max` characters, after a space or comma where
/// there is one.
fn wrap(s: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        if chars.len() - start <= max {
            out.push(chars[start..].iter().collect());
            break;
        }
        let end = start + max;
        let brk = (start + max / 2..end)
            .rev()
            .find(|&i| chars[i] == ' ' || chars[i] == ',')
            .map(|i| i + 1)
            .unwrap_or(end);
        out.push(
            chars[start..brk]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string(),
        );
        start = brk;
        while start < chars.len() && chars[start] == ' ' {
            start += 1;
        }
    }
    out
}

fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// `bench FILE`: times each statement in-process; prints JSON.
pub fn bench(db: &Path, file: &Path, runs: usize, warmup: usize, params: &[String]) -> Result<i32> {
    let params = params_of(params)?;
    let (text, origin) = read_source(file)?;
    let store = Store::open_existing(db)?;
    let mut engine = Engine::new(store.graph());
    engine.limits.timeout = None;
    let t = Instant::now();
    engine.adjacency();
    eprintln!(
        "adjacency index built in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let stmts = match crate::cypher::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            report_parse(&origin, &text, &e);
            return Ok(EXIT_QUERY_INVALID);
        }
    };
    let mut out = Vec::new();
    for stmt in &stmts {
        let src = stmt.source_text(&text).to_string();
        let once = || -> Result<StatementResult, QueryError> {
            let parsed = crate::cypher::parse(&src)?;
            let s = parsed
                .first()
                .ok_or_else(|| QueryError::Exec(ExecError::Argument("empty statement".into())))?;
            engine.run_statement(s, &params)
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
                report_error(&origin, &text, stmt, &e);
                return Ok(exit_code(&e));
            }
        };
        times.sort_by(f64::total_cmp);
        let rows: Vec<serde_json::Value> = res
            .rows
            .iter()
            .map(|r| serde_json::Value::Array(r.iter().map(|v| v.to_json(store.graph())).collect()))
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
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    serde_json::to_writer_pretty(&mut w, &out)?;
    writeln!(w)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_cells_wrap_after_spaces_or_commas() {
        assert_eq!(wrap("short", 10), vec!["short"]);
        assert_eq!(
            wrap("[\"Paulo Chachine\",\"Meeting between\"]", 20),
            vec!["[\"Paulo Chachine\",", "\"Meeting between\"]"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        for s in [
            "a b c d e f g h i j k l m n o",
            "Lương Tam Quang, Hà Nội, 2025",
        ] {
            let lines = wrap(s, 7);
            assert!(lines.iter().all(|l| l.chars().count() <= 7), "{lines:?}");
        }
    }
}
