//! Bolt 5.0–5.8 (<https://neo4j.com/docs/bolt/current/bolt/>), the protocol of Neo4j's
//! drivers: the handshake with version negotiation, chunked messages, and the session
//! state machine — HELLO, LOGON/LOGOFF, RUN, PULL and DISCARD (with `n` and
//! `has_more`), BEGIN/COMMIT/ROLLBACK, RESET, ROUTE, TELEMETRY, GOODBYE — answering
//! with SUCCESS, RECORD, IGNORED and FAILURE carrying Neo4j's status codes. From 5.5
//! a result's summary carries GQL status objects instead of notifications, and from
//! 5.7 a FAILURE carries its GQL status ([`super::gql`]) beside the Neo4j code.
//! Bookmarks name the database's commit sequence number ([`bookmark`]).
//!
//! Query results become Bolt's own types, so drivers hand their users nodes,
//! relationships, paths and dates: see [`to_bolt`].

use super::gql;
use super::packstream::{self, Value};
use super::{Conn, ServerCtx};
use crate::app::query::{run_one, Failure};
use crate::graph::Graph;
use crate::query::{Params, QValue, StatementResult};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Instant;

/// The four bytes that open a Bolt connection.
const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
/// The highest minor version of Bolt 5 spoken here.
const MAX_MINOR: u8 = 8;
/// The first minor version whose summaries carry GQL `statuses` (5.5 names their
/// description `status_description`, 5.6 and later `description`).
const STATUSES_MINOR: u8 = 5;
/// The first minor version whose FAILUREs carry a GQL status.
const GQL_ERRORS_MINOR: u8 = 7;

/// Request message tags.
mod tag {
    pub const HELLO: u8 = 0x01;
    pub const GOODBYE: u8 = 0x02;
    pub const RESET: u8 = 0x0F;
    pub const RUN: u8 = 0x10;
    pub const BEGIN: u8 = 0x11;
    pub const COMMIT: u8 = 0x12;
    pub const ROLLBACK: u8 = 0x13;
    pub const DISCARD: u8 = 0x2F;
    pub const PULL: u8 = 0x3F;
    pub const TELEMETRY: u8 = 0x54;
    pub const ROUTE: u8 = 0x66;
    pub const LOGON: u8 = 0x6A;
    pub const LOGOFF: u8 = 0x6B;
    pub const SUCCESS: u8 = 0x70;
    pub const RECORD: u8 = 0x71;
    pub const IGNORED: u8 = 0x7E;
    pub const FAILURE: u8 = 0x7F;
}

/// The minor version of Bolt 5 to speak given the client's four proposals
/// (`[0, range, minor, major]` each, in the client's order of preference), or `None`.
pub fn negotiate(proposals: &[u8; 16]) -> Option<u8> {
    proposals.chunks(4).find_map(|p| {
        let (range, minor, major) = (p[1], p[2], p[3]);
        if major != 5 || (p[0] != 0) {
            return None;
        }
        let low = minor.saturating_sub(range);
        let best = minor.min(MAX_MINOR);
        (best >= low).then_some(best)
    })
}

/// Where a session is in Bolt's state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before HELLO.
    Negotiation,
    /// After HELLO (5.1+), before LOGON.
    Authentication,
    /// Ready for RUN or BEGIN.
    Ready,
    /// Inside an explicit transaction.
    Tx,
    /// After a FAILURE: everything is IGNORED until RESET.
    Failed,
}

/// A result waiting for PULL or DISCARD.
struct Pending {
    qid: i64,
    rows: std::vec::IntoIter<Vec<Value>>,
    warnings: Vec<String>,
    /// How many columns and rows the result has (its GQL status).
    columns: usize,
    total: usize,
}

/// The bookmark of the database as of commit sequence number `seq`
/// ([`crate::store::Store::commit_seq`]): `coopgraph:SEQ`.
pub fn bookmark(seq: u64) -> String {
    format!("coopgraph:{seq}")
}

/// The bookmark before this scheme, which named no state: accepted, and asks nothing.
const OLD_BOOKMARK: &str = "coopgraph:read-only";

/// The commit sequence number a bookmark names (`None` for the old bookmark), or why
/// it is no bookmark of this database's.
fn bookmark_seq(b: &str, current: u64) -> Result<Option<u64>, String> {
    if b == OLD_BOOKMARK {
        return Ok(None);
    }
    let seq = b
        .strip_prefix("coopgraph:")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| format!("{b:?} is not a coopgraph bookmark (coopgraph:NUMBER)"))?;
    if seq > current {
        return Err(format!(
            "bookmark {b:?} names commit {seq}, but this database is at commit {current}: \
             it comes from another database"
        ));
    }
    Ok(Some(seq))
}

/// Why a connection ends after an answer.
enum End {
    /// The client said GOODBYE, or failed to authenticate.
    Closed,
}

/// Serves one Bolt connection until the client leaves, the server stops, or the
/// client breaks the protocol (then the connection is closed; the server goes on).
pub fn serve(conn: &mut Conn, ctx: &ServerCtx, id: u64) -> io::Result<()> {
    let mut hello = [0u8; 20];
    if !conn.read_full(&mut hello)? {
        return Ok(());
    }
    if hello[..4] != MAGIC {
        return Err(io::Error::other("not a Bolt client (bad magic bytes)"));
    }
    let proposals: [u8; 16] = hello[4..].try_into().expect("16 bytes");
    let Some(minor) = negotiate(&proposals) else {
        conn.write_all(&[0, 0, 0, 0])?;
        return Err(io::Error::other(format!(
            "the client offers no Bolt version in 5.0-5.{MAX_MINOR}"
        )));
    };
    conn.write_all(&[0, 0, minor, 5])?;
    conn.flush()?;
    let mut s = Session {
        ctx,
        minor,
        id,
        state: State::Negotiation,
        pending: Vec::new(),
        next_qid: 0,
        seen: 0,
        out: Vec::new(),
    };
    loop {
        let Some(msg) = read_message(conn, ctx.limits.max_message_bytes)? else {
            return Ok(());
        };
        let value = packstream::decode(&msg).map_err(io::Error::other)?;
        let Value::Struct(t, fields) = value else {
            return Err(io::Error::other("a Bolt message is not a structure"));
        };
        let end = s.handle(t, fields)?;
        write_chunked(conn, &s.out)?;
        s.out.clear();
        if let Some(End::Closed) = end {
            return Ok(());
        }
    }
}

/// Reads one chunked message: `None` when the client closed the connection between
/// messages. No-op chunks (keep-alives) between messages are skipped.
fn read_message(conn: &mut Conn, max: usize) -> io::Result<Option<Vec<u8>>> {
    let mut msg = Vec::new();
    loop {
        let mut head = [0u8; 2];
        if !conn.read_full(&mut head)? {
            return if msg.is_empty() {
                Ok(None)
            } else {
                Err(io::Error::other("the connection closed inside a message"))
            };
        }
        let len = usize::from(u16::from_be_bytes(head));
        if len == 0 {
            if msg.is_empty() {
                continue;
            }
            return Ok(Some(msg));
        }
        if msg.len() + len > max {
            return Err(io::Error::other(format!(
                "a Bolt message larger than the limit of {max} bytes"
            )));
        }
        let at = msg.len();
        msg.resize(at + len, 0);
        if !conn.read_full(&mut msg[at..])? {
            return Err(io::Error::other("the connection closed inside a message"));
        }
    }
}

/// Writes the messages in `out` (each already chunked by [`Session::send`]).
fn write_chunked(conn: &mut Conn, out: &[u8]) -> io::Result<()> {
    conn.write_all(out)?;
    conn.flush()
}

struct Session<'a, 'g> {
    ctx: &'a ServerCtx<'g>,
    minor: u8,
    id: u64,
    state: State,
    pending: Vec<Pending>,
    next_qid: i64,
    /// The commit sequence number of the database as the last query read it.
    seen: u64,
    /// The chunked bytes of the answers to the current request.
    out: Vec<u8>,
}

fn map(items: Vec<(&str, Value)>) -> Value {
    Value::Map(items.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

impl Session<'_, '_> {
    /// Appends one message, split into chunks of at most 65,535 bytes, to the output.
    fn send(&mut self, tag: u8, fields: Vec<Value>) {
        let mut body = Vec::new();
        packstream::encode(&Value::Struct(tag, fields), &mut body);
        for chunk in body.chunks(0xFFFF) {
            self.out
                .extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            self.out.extend_from_slice(chunk);
        }
        self.out.extend_from_slice(&[0, 0]);
    }

    fn success(&mut self, meta: Vec<(&str, Value)>) {
        self.send(tag::SUCCESS, vec![map(meta)]);
    }

    fn failure(&mut self, code: &str, message: &str) {
        self.failure_at(code, message, None);
    }

    /// A FAILURE, with the position in the query text (line, column, offset; 1-based,
    /// 1-based, 0-based) it points at, if any. From Bolt 5.7 it carries its GQL status,
    /// description, diagnostic record and cause, and `neo4j_code` for `code`.
    fn failure_at(&mut self, code: &str, message: &str, at: Option<(u32, u32, usize)>) {
        let meta = if self.minor >= GQL_ERRORS_MINOR {
            let status = gql::error_status(code);
            let mut diag = diagnostic_record();
            if let Value::Map(d) = &mut diag {
                d.push((
                    "_classification".into(),
                    Value::str(gql::classification(code)),
                ));
                if let Some(p) = at {
                    d.push(("_position".into(), position(p)));
                }
            }
            let mut meta = vec![
                ("neo4j_code", Value::str(code)),
                ("message", Value::str(message)),
                ("gql_status", Value::str(status.gql_status)),
                (
                    "description",
                    Value::str(format!("{}. {message}", status.description)),
                ),
                ("diagnostic_record", diag),
            ];
            if let Some((gql_status, description)) = status.cause {
                meta.push((
                    "cause",
                    map(vec![
                        ("gql_status", Value::str(gql_status)),
                        ("description", Value::str(description)),
                        ("message", Value::str(message)),
                        ("diagnostic_record", diagnostic_record()),
                    ]),
                ));
            }
            meta
        } else {
            vec![("code", Value::str(code)), ("message", Value::str(message))]
        };
        self.send(tag::FAILURE, vec![map(meta)]);
        self.pending.clear();
        self.state = State::Failed;
    }

    /// Checks the bookmarks of a BEGIN or an auto-commit RUN (`extra`); answers the
    /// FAILURE and gives `false` if one is not this database's.
    fn bookmarks_ok(&mut self, extra: &Value) -> bool {
        let Some(Value::List(list)) = extra.get("bookmarks") else {
            return true;
        };
        let current = self.ctx.shared.read().commit_seq();
        for b in list {
            let r = match b.as_str() {
                Some(b) => bookmark_seq(b, current),
                None => Err("a bookmark is not a string".to_string()),
            };
            if let Err(message) = r {
                self.failure("Neo.ClientError.Transaction.InvalidBookmark", &message);
                return false;
            }
        }
        true
    }

    /// Answers one request; `Some` when the connection is to end after the answer.
    fn handle(&mut self, t: u8, f: Vec<Value>) -> io::Result<Option<End>> {
        let field = |i: usize| f.get(i).cloned().unwrap_or(Value::Map(Vec::new()));
        match t {
            tag::GOODBYE => return Ok(Some(End::Closed)),
            tag::RESET => {
                self.pending.clear();
                self.state = match self.state {
                    State::Negotiation | State::Authentication => self.state,
                    _ => State::Ready,
                };
                self.success(vec![]);
                return Ok(None);
            }
            _ => {}
        }
        if self.state == State::Failed {
            self.send(tag::IGNORED, vec![]);
            return Ok(None);
        }
        match (self.state, t) {
            (State::Negotiation, tag::HELLO) => {
                // Bolt 5.0 carries the credentials in HELLO; 5.1 and later in LOGON.
                if self.minor == 0 && !self.authorized(&field(0)) {
                    return Ok(self.unauthorized());
                }
                self.success(vec![
                    (
                        "server",
                        Value::str(format!(
                            "Neo4j/5.26.0 compatible graph database server - coopgraph/{}",
                            env!("CARGO_PKG_VERSION")
                        )),
                    ),
                    ("connection_id", Value::str(format!("bolt-{}", self.id))),
                    ("hints", map(vec![])),
                ]);
                self.state = if self.minor == 0 {
                    State::Ready
                } else {
                    State::Authentication
                };
            }
            (State::Authentication, tag::LOGON) => {
                if !self.authorized(&field(0)) {
                    return Ok(self.unauthorized());
                }
                self.success(vec![]);
                self.state = State::Ready;
            }
            (State::Ready, tag::LOGOFF) => {
                self.state = State::Authentication;
                self.success(vec![]);
            }
            (State::Ready | State::Tx, tag::TELEMETRY) => self.success(vec![]),
            (State::Ready, tag::ROUTE) => {
                let addr = Value::List(vec![Value::str(self.ctx.bolt_addr.to_string())]);
                let server = |role: &str| {
                    map(vec![
                        ("addresses", addr.clone()),
                        ("role", Value::str(role)),
                    ])
                };
                let rt = map(vec![
                    ("ttl", Value::Int(300)),
                    ("db", Value::str("neo4j")),
                    (
                        "servers",
                        Value::List(vec![server("ROUTE"), server("READ"), server("WRITE")]),
                    ),
                ]);
                self.success(vec![("rt", rt)]);
            }
            (State::Ready | State::Tx, tag::RUN) => self.run(&f),
            (State::Ready | State::Tx, tag::PULL) => self.pull(&field(0), true),
            (State::Ready | State::Tx, tag::DISCARD) => self.pull(&field(0), false),
            (State::Ready, tag::BEGIN) => {
                if !self.bookmarks_ok(&field(0)) {
                    return Ok(None);
                }
                self.pending.clear();
                self.state = State::Tx;
                // A transaction without a query still ends at a state of the database.
                self.seen = self.ctx.shared.read().commit_seq();
                self.success(vec![]);
            }
            (State::Tx, tag::COMMIT) => {
                self.pending.clear();
                self.state = State::Ready;
                self.success(vec![("bookmark", Value::str(bookmark(self.seen)))]);
            }
            (State::Tx, tag::ROLLBACK) => {
                self.pending.clear();
                self.state = State::Ready;
                self.success(vec![]);
            }
            (state, t) => {
                self.failure(
                    "Neo.ClientError.Request.Invalid",
                    &format!("message 0x{t:02X} is not allowed in state {state:?}"),
                );
            }
        }
        Ok(None)
    }

    /// Whether an auth map (`scheme`, `principal`, `credentials`) lets the client in:
    /// always without `--password-file`, else basic auth with that password.
    fn authorized(&self, auth: &Value) -> bool {
        match &self.ctx.password {
            None => true,
            Some(password) => {
                auth.get("scheme").and_then(Value::as_str) == Some("basic")
                    && auth.get("credentials").and_then(Value::as_str) == Some(password.as_str())
            }
        }
    }

    /// Answers a failed authentication; the connection then ends, as Neo4j's does.
    fn unauthorized(&mut self) -> Option<End> {
        self.failure(
            "Neo.ClientError.Security.Unauthorized",
            "The client is unauthorized due to authentication failure.",
        );
        Some(End::Closed)
    }

    fn run(&mut self, f: &[Value]) {
        let Some(text) = f.first().and_then(Value::as_str) else {
            self.failure(
                "Neo.ClientError.Request.Invalid",
                "RUN needs the query text first",
            );
            return;
        };
        let params = match f.get(1).map(params_of).transpose() {
            Ok(p) => p.unwrap_or_default(),
            Err(message) => {
                self.failure("Neo.ClientError.Statement.TypeError", &message);
                return;
            }
        };
        if self.state == State::Ready {
            if !self.bookmarks_ok(&f.get(2).cloned().unwrap_or(Value::Null)) {
                return;
            }
            // An auto-commit query replaces whatever was left unpulled.
            self.pending.clear();
        }
        let t = Instant::now();
        // The rows are encoded while the database is read: a write may change the graph
        // before they are pulled.
        let result = {
            let store = self.ctx.shared.read();
            self.seen = self.seen.max(store.commit_seq());
            let engine = self.ctx.engine(&store);
            run_one(&engine, text, &params).map(|res| {
                let g = store.graph();
                let rows: Vec<Vec<Value>> = res
                    .rows
                    .iter()
                    .map(|row| row.iter().map(|v| to_bolt(g, v)).collect())
                    .collect();
                (res, rows)
            })
        };
        let t_first = t.elapsed().as_millis() as i64;
        match result {
            Ok((
                StatementResult {
                    columns, warnings, ..
                },
                rows,
            )) => {
                let qid = self.next_qid;
                self.next_qid += 1;
                let (ncols, total) = (columns.len(), rows.len());
                let fields = Value::List(columns.into_iter().map(Value::String).collect());
                let mut meta = vec![("fields", fields), ("t_first", Value::Int(t_first))];
                if self.state == State::Tx {
                    meta.push(("qid", Value::Int(qid)));
                }
                self.pending.push(Pending {
                    qid,
                    rows: rows.into_iter(),
                    warnings,
                    columns: ncols,
                    total,
                });
                self.success(meta);
            }
            Err(Failure {
                code,
                message,
                line,
                column,
            }) => {
                let at = (line > 0).then(|| (line, column, offset_of(text, line, column)));
                self.failure_at(code, &message, at)
            }
        }
    }

    /// PULL (`records`) or DISCARD: up to `n` rows (all for -1) of the result `qid`
    /// (the last one for -1), then `has_more`, or the summary when it is done.
    fn pull(&mut self, extra: &Value, records: bool) {
        let n = extra.get("n").and_then(Value::as_int).unwrap_or(-1);
        let qid = extra.get("qid").and_then(Value::as_int).unwrap_or(-1);
        let at = if qid == -1 {
            self.pending.len().checked_sub(1)
        } else {
            self.pending.iter().position(|p| p.qid == qid)
        };
        let Some(at) = at else {
            self.failure(
                "Neo.ClientError.Request.Invalid",
                "there is no result to pull or discard",
            );
            return;
        };
        let t = Instant::now();
        let mut left = if n < 0 { usize::MAX } else { n as usize };
        while left > 0 {
            let Some(row) = self.pending[at].rows.next() else {
                break;
            };
            left -= 1;
            if records {
                self.send(tag::RECORD, vec![Value::List(row)]);
            }
        }
        if self.pending[at].rows.len() > 0 {
            self.success(vec![("has_more", Value::Bool(true))]);
            return;
        }
        let done = self.pending.remove(at);
        let mut meta = vec![
            ("type", Value::str("r")),
            ("t_last", Value::Int(t.elapsed().as_millis() as i64)),
            ("db", Value::str("neo4j")),
        ];
        if self.minor >= STATUSES_MINOR {
            meta.push(("statuses", statuses(&done, self.minor)));
        } else if !done.warnings.is_empty() {
            meta.push(("notifications", notifications(&done.warnings)));
        }
        if self.state == State::Ready {
            meta.push(("bookmark", Value::str(bookmark(self.seen))));
        }
        self.success(meta);
    }
}

/// The Neo4j notification code of an engine warning.
fn warning_code(w: &str) -> &'static str {
    if w.starts_with(crate::query::names::NAME_NOTICE) {
        gql::FOLDED_NAME_CODE
    } else if w.contains("label") {
        "Neo.ClientNotification.Statement.UnknownLabelWarning"
    } else if w.contains("relationship type") {
        "Neo.ClientNotification.Statement.UnknownRelationshipTypeWarning"
    } else {
        "Neo.ClientNotification.Statement.UnknownPropertyKeyWarning"
    }
}

/// The Neo4j category of an engine warning: a name that matches only folded is a hint
/// (`GENERIC`), the others name what the database does not know (`UNRECOGNIZED`).
fn warning_category(w: &str) -> &'static str {
    if w.starts_with(crate::query::names::NAME_NOTICE) {
        "GENERIC"
    } else {
        "UNRECOGNIZED"
    }
}

/// The engine's warnings as Bolt notifications (before 5.5).
fn notifications(warnings: &[String]) -> Value {
    Value::List(
        warnings
            .iter()
            .map(|w| {
                map(vec![
                    ("code", Value::str(warning_code(w))),
                    ("title", Value::str(w.clone())),
                    ("description", Value::str(w.clone())),
                    ("severity", Value::str("WARNING")),
                    ("category", Value::str(warning_category(w))),
                ])
            })
            .collect(),
    )
}

/// The diagnostic record every GQL status object carries, before its own entries.
fn diagnostic_record() -> Value {
    map(vec![
        ("OPERATION", Value::str("")),
        ("OPERATION_CODE", Value::str("0")),
        ("CURRENT_SCHEMA", Value::str("/")),
    ])
}

/// A position in the query text as Neo4j's diagnostic records give it.
fn position((line, column, offset): (u32, u32, usize)) -> Value {
    map(vec![
        ("line", Value::Int(i64::from(line))),
        ("column", Value::Int(i64::from(column))),
        ("offset", Value::Int(offset as i64)),
    ])
}

/// The offset in characters of 1-based `line` and `column` in `text`.
fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let before: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(|l| l.chars().count())
        .sum();
    before + column.saturating_sub(1) as usize
}

/// A finished result's GQL status objects (Bolt 5.5 and later): one per warning, as
/// a notification (with its Neo4j code), then the result's own status.
fn statuses(done: &Pending, minor: u8) -> Value {
    let description = if minor == STATUSES_MINOR {
        "status_description"
    } else {
        "description"
    };
    let mut list: Vec<Value> = done
        .warnings
        .iter()
        .map(|w| {
            let code = warning_code(w);
            let (gql_status, what) = gql::warning_status(code);
            let mut diag = diagnostic_record();
            if let Value::Map(d) = &mut diag {
                d.push(("_severity".into(), Value::str("WARNING")));
                d.push(("_classification".into(), Value::str(warning_category(w))));
            }
            map(vec![
                ("gql_status", Value::str(gql_status)),
                (description, Value::str(format!("{what}. {w}"))),
                ("neo4j_code", Value::str(code)),
                ("title", Value::str(w.clone())),
                ("diagnostic_record", diag),
            ])
        })
        .collect();
    let (gql_status, what) = gql::result_status(done.columns, done.total);
    list.push(map(vec![
        ("gql_status", Value::str(gql_status)),
        (description, Value::str(what)),
        ("diagnostic_record", diagnostic_record()),
    ]));
    Value::List(list)
}

/// The days from 1970-01-01 to a date, as Bolt's Date structure counts them.
fn epoch_days(d: chrono::NaiveDate) -> i64 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")).num_days()
}

/// The RUN parameters as query values: Bolt's Date structure becomes a date; other
/// structures (nodes, times, points) and byte arrays are refused, naming the parameter.
fn params_of(v: &Value) -> Result<Params, String> {
    fn conv(name: &str, v: &Value) -> Result<QValue, String> {
        Ok(match v {
            Value::Null => QValue::Null,
            Value::Bool(b) => QValue::Bool(*b),
            Value::Int(i) => QValue::Int(*i),
            Value::Float(f) => QValue::Float(*f),
            Value::String(s) => QValue::str(s),
            Value::List(l) => QValue::List(
                l.iter()
                    .map(|x| conv(name, x))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
            Value::Map(m) => QValue::Map(
                m.iter()
                    .map(|(k, x)| Ok((Arc::from(k.as_str()), conv(name, x)?)))
                    .collect::<Result<Vec<_>, String>>()?
                    .into(),
            ),
            Value::Struct(0x44, f) if f.len() == 1 => {
                let days = f[0].as_int().unwrap_or(i64::MAX);
                let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|e| e.checked_add_signed(chrono::TimeDelta::try_days(days)?))
                    .ok_or_else(|| format!("parameter ${name}: a date out of range"))?;
                QValue::Date(d)
            }
            Value::Bytes(_) => {
                return Err(format!("parameter ${name}: byte arrays are not supported"))
            }
            Value::Struct(t, _) => {
                return Err(format!(
                    "parameter ${name}: structure 0x{t:02X} is not supported (only dates)"
                ))
            }
        })
    }
    match v {
        Value::Map(m) => m
            .iter()
            .map(|(k, x)| Ok((k.clone(), conv(k, x)?)))
            .collect(),
        Value::Null => Ok(Params::new()),
        _ => Err("the parameters are not a map".into()),
    }
}

fn props_value(g: &Graph, props: &[(u16, crate::value::Value)]) -> Value {
    Value::Map(
        props
            .iter()
            .map(|(k, v)| {
                (
                    g.schema().key_name(*k).to_string(),
                    to_bolt(g, &QValue::from_value(v)),
                )
            })
            .collect(),
    )
}

fn node_value(g: &Graph, ix: u32) -> Value {
    let n = &g.petgraph()[NodeIndex::from(ix)];
    let label = &g.schema().labels()[n.label as usize].name;
    Value::Struct(
        0x4E,
        vec![
            Value::Int(i64::from(n.id)),
            Value::List(vec![Value::str(label.clone())]),
            props_value(g, &n.props),
            Value::str(g.node_id_text(n.id)),
        ],
    )
}

/// A relationship's id number, type, properties and endpoints' id numbers.
fn rel_parts(g: &Graph, ix: u32) -> (u32, String, Value, u32, u32) {
    let eix = EdgeIndex::from(ix);
    let e = &g.petgraph()[eix];
    let (a, b) = g
        .petgraph()
        .edge_endpoints(eix)
        .expect("an edge has endpoints");
    let props = g.edge_attrs(e).map(|x| &x.props[..]).unwrap_or(&[]);
    (
        e.id,
        g.schema().rel_types()[e.rel_type() as usize].name.clone(),
        props_value(g, props),
        g.petgraph()[a].id,
        g.petgraph()[b].id,
    )
}

/// A query value as a Bolt value: nodes, relationships and paths as Bolt's structures
/// (ids are coopgraph's id numbers, element ids its id texts such as "n12"), dates as
/// Bolt dates.
pub fn to_bolt(g: &Graph, v: &QValue) -> Value {
    match v {
        QValue::Null => Value::Null,
        QValue::Bool(b) => Value::Bool(*b),
        QValue::Int(i) => Value::Int(*i),
        QValue::Float(f) => Value::Float(*f),
        QValue::String(s) => Value::str(&**s),
        QValue::Date(d) => Value::Struct(0x44, vec![Value::Int(epoch_days(*d))]),
        QValue::List(l) => Value::List(l.iter().map(|x| to_bolt(g, x)).collect()),
        QValue::Map(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (k.to_string(), to_bolt(g, x)))
                .collect(),
        ),
        QValue::Node(ix) => node_value(g, *ix),
        QValue::Relationship(ix) => {
            let (id, ty, props, a, b) = rel_parts(g, *ix);
            Value::Struct(
                0x52,
                vec![
                    Value::Int(i64::from(id)),
                    Value::Int(i64::from(a)),
                    Value::Int(i64::from(b)),
                    Value::str(ty),
                    props,
                    Value::str(g.edge_id_text(id)),
                    Value::str(g.node_id_text(a)),
                    Value::str(g.node_id_text(b)),
                ],
            )
        }
        QValue::Path(p) => {
            let mut nodes: Vec<u32> = Vec::new();
            let node_at = |ix: u32, nodes: &mut Vec<u32>| -> i64 {
                match nodes.iter().position(|&n| n == ix) {
                    Some(i) => i as i64,
                    None => {
                        nodes.push(ix);
                        (nodes.len() - 1) as i64
                    }
                }
            };
            if let Some(&first) = p.nodes.first() {
                node_at(first, &mut nodes);
            }
            let mut rels: Vec<u32> = Vec::new();
            let mut indices = Vec::new();
            for (i, &r) in p.rels.iter().enumerate() {
                let rel_no = match rels.iter().position(|&x| x == r) {
                    Some(k) => k as i64 + 1,
                    None => {
                        rels.push(r);
                        rels.len() as i64
                    }
                };
                let from = p.nodes[i];
                let src = g
                    .petgraph()
                    .edge_endpoints(EdgeIndex::from(r))
                    .map(|(a, _)| a.index() as u32);
                // Positive when the path walks the relationship in its direction.
                indices.push(if src == Some(from) { rel_no } else { -rel_no });
                indices.push(node_at(p.nodes[i + 1], &mut nodes));
            }
            let unbound = rels
                .iter()
                .map(|&r| {
                    let (id, ty, props, _, _) = rel_parts(g, r);
                    Value::Struct(
                        0x72,
                        vec![
                            Value::Int(i64::from(id)),
                            Value::str(ty),
                            props,
                            Value::str(g.edge_id_text(id)),
                        ],
                    )
                })
                .collect();
            Value::Struct(
                0x50,
                vec![
                    Value::List(nodes.iter().map(|&n| node_value(g, n)).collect()),
                    Value::List(unbound),
                    Value::List(indices.into_iter().map(Value::Int).collect()),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_negotiation() {
        let p = |v: [[u8; 4]; 4]| -> [u8; 16] { v.concat().try_into().unwrap() };
        // Python driver 5.x: 5.0-5.8, then 4.4-4.2, 4.1, 3.
        let py = p([[0, 8, 8, 5], [0, 2, 4, 4], [0, 0, 1, 4], [0, 0, 0, 3]]);
        assert_eq!(negotiate(&py), Some(8));
        // A client that stops at 5.4 gets 5.4.
        assert_eq!(
            negotiate(&p([[0, 4, 4, 5], [0; 4], [0; 4], [0; 4]])),
            Some(4)
        );
        assert_eq!(
            negotiate(&p([[0, 0, 2, 5], [0; 4], [0; 4], [0; 4]])),
            Some(2)
        );
        assert_eq!(
            negotiate(&p([[0, 0, 9, 5], [0, 0, 0, 5], [0; 4], [0; 4]])),
            Some(0)
        );
        assert_eq!(negotiate(&p([[0, 2, 4, 4], [0; 4], [0; 4], [0; 4]])), None);
        // The manifest proposal (0x000001FF) is passed over.
        assert_eq!(
            negotiate(&p([[0, 0, 1, 0xFF], [0, 8, 8, 5], [0; 4], [0; 4]])),
            Some(8)
        );
    }

    #[test]
    fn bookmarks_name_commits_of_this_database() {
        assert_eq!(bookmark(12), "coopgraph:12");
        assert_eq!(bookmark_seq("coopgraph:12", 12), Ok(Some(12)));
        assert_eq!(bookmark_seq("coopgraph:3", 12), Ok(Some(3)));
        assert_eq!(bookmark_seq(OLD_BOOKMARK, 0), Ok(None));
        assert!(bookmark_seq("coopgraph:13", 12)
            .unwrap_err()
            .contains("at commit 12"));
        assert!(bookmark_seq("FB:kcwQ", 12)
            .unwrap_err()
            .contains("not a coopgraph"));
        assert!(bookmark_seq("coopgraph:-1", 12).is_err());
    }

    #[test]
    fn error_positions_count_characters_across_lines() {
        assert_eq!(offset_of("MATCH (n RETURN n", 1, 10), 9);
        assert_eq!(offset_of("MATCH (n:Việt)\nRETURN x", 2, 8), 22);
    }

    #[test]
    fn parameters_convert_and_refuse_what_they_cannot() {
        let m = Value::Map(vec![
            ("d".into(), Value::Struct(0x44, vec![Value::Int(1)])),
            (
                "l".into(),
                Value::List(vec![Value::Int(1), Value::str("x")]),
            ),
        ]);
        let p = params_of(&m).unwrap();
        assert_eq!(
            p["d"],
            QValue::Date(chrono::NaiveDate::from_ymd_opt(1970, 1, 2).unwrap())
        );
        let bad = Value::Map(vec![("b".into(), Value::Bytes(vec![1]))]);
        assert!(params_of(&bad).unwrap_err().contains("$b"));
        let far = Value::Map(vec![(
            "d".into(),
            Value::Struct(0x44, vec![Value::Int(i64::MAX)]),
        )]);
        assert!(params_of(&far).is_err());
    }
}
