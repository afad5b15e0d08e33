//! The HTTP side of the server: `POST /query` (JSON in: `statement`, `parameters`; JSON
//! out: `columns`, `rows`, `timing_ms`, `notifications`, and with `"graph": true` the
//! result's subgraph as the html export draws it), `GET /explain/{id-or-name}` (the
//! sources), and the live page at `/` with its assets, all compiled into the binary.
//!
//! Requests are parsed with `httparse`; bodies come with a `content-length` or in
//! chunks (`transfer-encoding: chunked`, trailers dropped). A request that cannot be parsed, or that is too large, gets its error and
//! the connection is closed.

use super::{Conn, ServerCtx};
use crate::app::query::{run_one, Failure};
use crate::query::{Params, QValue};
use base64::Engine as _;
use serde_json::{json, Value as J};
use std::io::{self, Write};
use std::time::Instant;

const PAGE_HTML: &str = include_str!("../../assets/server/index.html");
const PAGE_JS: &str = include_str!("../../assets/server/live.js");
const PAGE_CSS: &str = include_str!("../../assets/server/live.css");

/// The largest request head (request line and headers), in bytes.
const MAX_HEAD: usize = 16 << 10;
/// The most headers a request may have.
const MAX_HEADERS: usize = 64;

/// The page may load only its own scripts and styles, and talk only to this server.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

/// A parsed request.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    close: bool,
    body: Vec<u8>,
}

/// An answer.
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    close: bool,
    extra: Vec<(&'static str, String)>,
}

impl Response {
    fn json(status: u16, v: &J) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: v.to_string().into_bytes(),
            close: false,
            extra: Vec::new(),
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Response {
        Response::json(
            status,
            &json!({"error": {"code": code, "message": message}}),
        )
    }

    fn asset(content_type: &'static str, text: &'static str) -> Response {
        Response {
            status: 200,
            content_type,
            body: text.as_bytes().to_vec(),
            close: false,
            extra: vec![("cache-control", "no-cache".into())],
        }
    }

    fn closing(mut self) -> Response {
        self.close = true;
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn write_response(conn: &mut Conn, r: &Response) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}; charset=utf-8\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\ncontent-security-policy: {CSP}\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    for (k, v) in &r.extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if r.close {
        head.push_str("connection: close\r\n");
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    conn.write_all(&r.body)?;
    conn.flush()
}

/// What reading a request gave.
enum Read {
    /// A whole request; the bytes after it stay in the buffer.
    Request(Request),
    /// The client closed the connection, or stayed silent, between requests.
    Closed,
    /// A request that is answered with an error and the connection closed.
    Bad(Response),
}

/// Serves HTTP requests on one connection (kept alive) until the client leaves.
pub fn serve(conn: &mut Conn, ctx: &ServerCtx) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let req = match read_request(conn, ctx, &mut buf)? {
            Read::Closed => return Ok(()),
            Read::Bad(r) => {
                write_response(conn, &r.closing())?;
                linger(conn);
                return Ok(());
            }
            Read::Request(r) => r,
        };
        let mut resp = if authorized(ctx, req.authorization.as_deref()) {
            route(ctx, &req)
        } else {
            let mut r = Response::error(
                401,
                "Neo.ClientError.Security.Unauthorized",
                "give the server's password (bearer token, or basic auth)",
            );
            r.extra
                .push(("www-authenticate", "Basic realm=\"coopgraph\"".into()));
            r
        };
        resp.close |= req.close;
        write_response(conn, &resp)?;
        if resp.close {
            return Ok(());
        }
    }
}

/// After an error answer, reads and drops what the client still sends (for at most a
/// second and 16 MiB) so that closing with unread bytes does not reset the connection
/// before the client has read the answer.
fn linger(conn: &mut Conn) {
    let _ = conn.stream.shutdown(std::net::Shutdown::Write);
    let mut chunk = [0u8; 8192];
    let (t, mut left) = (Instant::now(), 16usize << 20);
    while left > 0 && t.elapsed() < std::time::Duration::from_secs(1) {
        match conn.read_some(&mut chunk, std::time::Duration::from_millis(200)) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

fn read_request(conn: &mut Conn, ctx: &ServerCtx, buf: &mut Vec<u8>) -> io::Result<Read> {
    let mut chunk = [0u8; 8192];
    let started = Instant::now();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                let method = parsed.method.unwrap_or("").to_string();
                let path = parsed.path.unwrap_or("").to_string();
                let http10 = parsed.version == Some(0);
                let header = |name: &str| {
                    parsed
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
                };
                let close = match header("connection") {
                    Some(c) => c.eq_ignore_ascii_case("close"),
                    None => http10,
                };
                let authorization = header("authorization");
                let chunked = match header("transfer-encoding") {
                    None => false,
                    Some(te) if te.eq_ignore_ascii_case("chunked") => true,
                    Some(te) => {
                        return Ok(Read::Bad(Response::error(
                            501,
                            "Neo.ClientError.Request.Invalid",
                            &format!("transfer-encoding {te:?} is not read; send chunked or a content-length"),
                        )))
                    }
                };
                if chunked {
                    // Both would let a proxy and this server see different requests.
                    if header("content-length").is_some() {
                        return Ok(Read::Bad(Response::error(
                            400,
                            "Neo.ClientError.Request.Invalid",
                            "the request gives both a content-length and chunked transfer-encoding",
                        )));
                    }
                    let (method, path) = (method.clone(), path.clone());
                    return Ok(match read_chunks(conn, ctx, buf, head_len, started)? {
                        Ok(body) => Read::Request(Request {
                            method,
                            path,
                            authorization,
                            close,
                            body,
                        }),
                        Err(bad) => Read::Bad(bad),
                    });
                }
                let mut lengths = parsed
                    .headers
                    .iter()
                    .filter(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .map(|h| h.value.trim_ascii());
                if let Some(first) = lengths.next() {
                    if lengths.any(|other| other != first) {
                        return Ok(Read::Bad(Response::error(
                            400,
                            "Neo.ClientError.Request.Invalid",
                            "the request gives different content-lengths",
                        )));
                    }
                }
                let length = match header("content-length").map(|v| v.parse::<usize>()) {
                    None => 0,
                    Some(Ok(n)) => n,
                    Some(Err(_)) => {
                        return Ok(Read::Bad(Response::error(
                            400,
                            "Neo.ClientError.Request.Invalid",
                            "content-length is not a number",
                        )))
                    }
                };
                if length > ctx.limits.max_body_bytes {
                    return Ok(Read::Bad(Response::error(
                        413,
                        "Neo.ClientError.Request.Invalid",
                        &format!(
                            "the body of {length} bytes is larger than the limit of {} bytes",
                            ctx.limits.max_body_bytes
                        ),
                    )));
                }
                while buf.len() < head_len + length {
                    let left = ctx.limits.request_timeout.saturating_sub(started.elapsed());
                    let n = conn.read_some(&mut chunk, left)?;
                    if n == 0 {
                        return Ok(Read::Bad(Response::error(
                            408,
                            "Neo.ClientError.Request.Invalid",
                            "the body did not arrive in time",
                        )));
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = buf[head_len..head_len + length].to_vec();
                buf.drain(..head_len + length);
                return Ok(Read::Request(Request {
                    method,
                    path,
                    authorization,
                    close,
                    body,
                }));
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => {
                let status = if e == httparse::Error::TooManyHeaders {
                    431
                } else {
                    400
                };
                return Ok(Read::Bad(Response::error(
                    status,
                    "Neo.ClientError.Request.Invalid",
                    &format!("malformed request: {e}"),
                )));
            }
        }
        if buf.len() > MAX_HEAD {
            return Ok(Read::Bad(Response::error(
                431,
                "Neo.ClientError.Request.Invalid",
                &format!("the request head is larger than {MAX_HEAD} bytes"),
            )));
        }
        let limit = if buf.is_empty() {
            ctx.limits.idle_timeout
        } else {
            ctx.limits.request_timeout.saturating_sub(started.elapsed())
        };
        let n = conn.read_some(&mut chunk, limit)?;
        if n == 0 {
            return Ok(if buf.is_empty() {
                Read::Closed
            } else {
                Read::Bad(Response::error(
                    408,
                    "Neo.ClientError.Request.Invalid",
                    "the request did not arrive in time",
                ))
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Reads a chunked body that starts at `buf[start..]` (RFC 9112 7.1: hex sizes with
/// optional extensions, then trailers), at most the body limit in all; removes the
/// request from `buf`. `Err`: the answer to a malformed or oversized body.
fn read_chunks(
    conn: &mut Conn,
    ctx: &ServerCtx,
    buf: &mut Vec<u8>,
    start: usize,
    started: Instant,
) -> io::Result<Result<Vec<u8>, Response>> {
    const MAX_LINE: usize = 1024;
    let bad = |status: u16, m: &str| {
        Ok(Err(Response::error(
            status,
            "Neo.ClientError.Request.Invalid",
            m,
        )))
    };
    // Reads until `buf` holds `n` bytes; false when the client stopped or stalled.
    let fill = |conn: &mut Conn, buf: &mut Vec<u8>, n: usize| -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        while buf.len() < n {
            let left = ctx.limits.request_timeout.saturating_sub(started.elapsed());
            let got = conn.read_some(&mut chunk, left)?;
            if got == 0 {
                return Ok(false);
            }
            buf.extend_from_slice(&chunk[..got]);
        }
        Ok(true)
    };
    // The next line from `at` (without its CRLF) and where the one after starts.
    let line =
        |conn: &mut Conn, buf: &mut Vec<u8>, at: usize| -> io::Result<Option<(String, usize)>> {
            loop {
                if let Some(i) = buf[at..].windows(2).position(|w| w == b"\r\n") {
                    let text = String::from_utf8_lossy(&buf[at..at + i]).into_owned();
                    return Ok(Some((text, at + i + 2)));
                }
                if buf.len() - at > MAX_LINE || !fill(conn, buf, buf.len() + 1)? {
                    return Ok(None);
                }
            }
        };
    let mut body = Vec::new();
    let mut at = start;
    loop {
        let Some((size_line, next)) = line(conn, buf, at)? else {
            return bad(
                400,
                "a chunk size line is missing, too long, or did not arrive in time",
            );
        };
        let hex = size_line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(hex, 16) else {
            return bad(400, &format!("{hex:?} is not a chunk size"));
        };
        if hex.is_empty() || hex.starts_with('+') {
            return bad(400, "a chunk size is empty");
        }
        if size > ctx.limits.max_body_bytes.saturating_sub(body.len()) {
            return bad(
                413,
                &format!(
                    "the body is larger than the limit of {} bytes",
                    ctx.limits.max_body_bytes
                ),
            );
        }
        if size == 0 {
            at = next;
            break;
        }
        if !fill(conn, buf, next + size + 2)? {
            return bad(408, "the body did not arrive in time");
        }
        if &buf[next + size..next + size + 2] != b"\r\n" {
            return bad(400, "a chunk does not end where its size says");
        }
        body.extend_from_slice(&buf[next..next + size]);
        at = next + size + 2;
    }
    // Trailers, up to an empty line; read and dropped.
    for _ in 0..MAX_HEADERS {
        let Some((trailer, next)) = line(conn, buf, at)? else {
            return bad(400, "the trailers did not end");
        };
        at = next;
        if trailer.is_empty() {
            buf.drain(..at);
            return Ok(Ok(body));
        }
    }
    bad(431, "too many trailers")
}

/// Whether a request's `authorization` header lets it in: always without a password,
/// else `Bearer PASSWORD` or `Basic base64(any-user:PASSWORD)`.
fn authorized(ctx: &ServerCtx, header: Option<&str>) -> bool {
    let Some(password) = &ctx.password else {
        return true;
    };
    let Some((scheme, value)) = header.and_then(|h| h.split_once(' ')) else {
        return false;
    };
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return value == password;
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        return decoded
            .as_deref()
            .and_then(|d| d.split_once(':'))
            .is_some_and(|(_, pw)| pw == password);
    }
    false
}

fn route(ctx: &ServerCtx, req: &Request) -> Response {
    let path = req.path.split('?').next().unwrap_or("");
    match (req.method.as_str(), path) {
        ("GET", "/") | ("GET", "/index.html") => {
            Response::asset("text/html", PAGE_HTML)
        }
        ("GET", "/assets/live.js") => Response::asset("text/javascript", PAGE_JS),
        ("GET", "/assets/live.css") => Response::asset("text/css", PAGE_CSS),
        ("GET", "/assets/info.js") => {
            Response::asset("text/javascript", crate::export::html::INFO_JS)
        }
        ("GET", "/assets/cytoscape.min.js") => {
            Response::asset("text/javascript", crate::export::html::CYTOSCAPE)
        }
        ("POST", "/query") => query(ctx, &req.body),
        ("GET", p) if p.starts_with("/explain/") => explain(ctx, &p["/explain/".len()..]),
        (_, "/" | "/index.html" | "/query" | "/assets/live.js" | "/assets/live.css") => {
            Response::error(
                405,
                "Neo.ClientError.Request.Invalid",
                &format!("{} is not allowed on {path}", req.method),
            )
        }
        _ => Response::error(
            404,
            "Neo.ClientError.Request.Invalid",
            &format!("no such resource {path}; the server answers POST /query, GET /explain/ID and GET /"),
        ),
    }
}

/// `POST /query`.
fn query(ctx: &ServerCtx, body: &[u8]) -> Response {
    let bad = |m: String| Response::error(400, "Neo.ClientError.Request.InvalidFormat", &m);
    let v: J = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return bad(format!("the body is not JSON: {e}")),
    };
    let Some(text) = v
        .get("statement")
        .or_else(|| v.get("query"))
        .and_then(J::as_str)
    else {
        return bad("the body needs \"statement\": the Cypher text".into());
    };
    let params: Params = match v.get("parameters") {
        None | Some(J::Null) => Params::new(),
        Some(J::Object(m)) => m
            .iter()
            .map(|(k, x)| (k.clone(), QValue::from_json(x)))
            .collect(),
        Some(_) => return bad("\"parameters\" must be an object".into()),
    };
    let want_graph = v.get("graph").and_then(J::as_bool).unwrap_or(false);
    let store = ctx.shared.read();
    let g = store.graph();
    let engine = ctx.engine(&store);
    let t = Instant::now();
    match run_one(&engine, text, &params) {
        Ok(res) => {
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let rows: Vec<J> = res
                .rows
                .iter()
                .map(|r| J::Array(r.iter().map(|x| x.to_json(g)).collect()))
                .collect();
            let mut out = json!({
                "columns": res.columns,
                "rows": rows,
                "timing_ms": ms,
                "notifications": res.warnings,
            });
            if want_graph {
                let sel = crate::query::selection_of(g, std::slice::from_ref(&res));
                out["graph"] = crate::export::html::graph_json(g, &sel);
            }
            Response::json(200, &out)
        }
        Err(Failure {
            code,
            message,
            line,
            column,
        }) => Response::json(
            if code.starts_with("Neo.ClientError") {
                400
            } else {
                500
            },
            &json!({"error": {"code": code, "message": message, "line": line, "column": column}}),
        ),
    }
}

/// `GET /explain/{id-or-name}` (percent-encoded).
fn explain(ctx: &ServerCtx, raw: &str) -> Response {
    let Some(target) = percent_decode(raw) else {
        return Response::error(
            400,
            "Neo.ClientError.Request.Invalid",
            "the id is not percent-encoded UTF-8",
        );
    };
    let store = ctx.shared.read();
    let g = store.graph();
    match crate::app::sources::lookup(g, &target) {
        Ok(items) => Response::json(200, &crate::app::sources::to_json(g, &items)),
        Err(e) => Response::error(
            404,
            "Neo.ClientError.Statement.EntityNotFound",
            &e.to_string(),
        ),
    }
}

/// `%XX` escapes (and `+` as a space) decoded; `None` for a bad escape or bad UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("L%C6%B0%C6%A1ng+Tam").as_deref(),
            Some("Lương Tam")
        );
        assert_eq!(percent_decode("n12").as_deref(), Some("n12"));
        assert_eq!(percent_decode("%G1"), None);
        assert_eq!(percent_decode("%C3"), None);
        assert_eq!(percent_decode("%"), None);
    }
}
