//! `coopgraph serve`: one process holds the database and answers Bolt (Neo4j's drivers,
//! cypher-shell) and HTTP (`POST /query`, `GET /explain/{id}`, and a live page at `/`)
//! until Ctrl-C or SIGTERM, then closes the database cleanly. See docs/server.md.
//!
//! A front end like the CLI and the shell: queries run through [`crate::app`]. Each
//! connection has its own thread, reads with a short timeout so that a stop is seen
//! at once, and ends alone when its client breaks the protocol; the server goes on.

pub mod bolt;
pub mod gql;
pub mod http;
pub mod local;
pub mod packstream;

use crate::query::Engine;
use crate::shared::Shared;
use crate::store::Store;
use anyhow::{bail, Context, Result};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::Scope;
use std::time::{Duration, Instant};

/// How often blocked reads and accepts look at the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// Limits that keep one client from taking the server.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// Most connections open at once (Bolt and HTTP together); more are refused.
    pub max_connections: usize,
    /// The largest Bolt message, in bytes.
    pub max_message_bytes: usize,
    /// The largest HTTP request body, in bytes.
    pub max_body_bytes: usize,
    /// How long a client may take to send the rest of a message it began.
    pub request_timeout: Duration,
    /// How long a connection may stay silent between messages.
    pub idle_timeout: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 256,
            max_message_bytes: 16 << 20,
            max_body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(3600),
        }
    }
}

/// What `coopgraph serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The Bolt address; `None` serves no Bolt.
    pub bolt: Option<SocketAddr>,
    /// The HTTP address; `None` serves no HTTP.
    pub http: Option<SocketAddr>,
    /// A file holding the password clients must give (Bolt basic auth, HTTP bearer or
    /// basic); without one, anyone who can reach the port may query.
    pub password_file: Option<PathBuf>,
    /// Allow addresses other than loopback (needs a password).
    pub listen_any: bool,
    /// Per-query timeout (`None`: no limit).
    pub timeout: Option<Duration>,
    /// Most rows a query may return.
    pub max_rows: usize,
    /// Connection and message limits.
    pub limits: ServerLimits,
}

/// What every connection shares.
pub struct ServerCtx<'g> {
    /// The database.
    pub shared: &'g Shared,
    /// The query limits (timeout, rows, the stop flag as the cancel flag).
    pub query_limits: crate::query::Limits,
    /// Set by Ctrl-C or SIGTERM.
    pub stop: &'g AtomicBool,
    /// The limits.
    pub limits: ServerLimits,
    /// The password clients must give, if any.
    pub password: Option<String>,
    /// Where Bolt listens (what ROUTE answers).
    pub bolt_addr: SocketAddr,
    /// Open connections.
    active: AtomicUsize,
    /// Connections accepted so far (their ids).
    accepted: AtomicU64,
}

impl ServerCtx<'_> {
    /// An engine with the server's limits over the store read through `store` (a
    /// guard of `self.shared.read()`).
    pub fn engine<'s>(&self, store: &'s Store) -> Engine<'s> {
        let mut e = self.shared.engine(store);
        e.limits = self.query_limits.clone();
        e
    }

    /// Whether the server is stopping.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// A client's socket, read with a timeout so that a stop, a silent client or a client
/// that sends half a message is noticed.
pub struct Conn<'a> {
    stream: TcpStream,
    stop: &'a AtomicBool,
    limits: &'a ServerLimits,
}

impl<'a> Conn<'a> {
    fn new(stream: TcpStream, ctx: &'a ServerCtx) -> io::Result<Conn<'a>> {
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(Some(POLL))?;
        stream.set_write_timeout(Some(ctx.limits.request_timeout))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            stop: ctx.stop,
            limits: &ctx.limits,
        })
    }

    /// Fills `buf`: `false` when the client closed the connection (or stayed silent
    /// past the idle timeout) before sending its first byte; an error when it closes or
    /// stalls inside it, or the server stops.
    pub fn read_full(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        let mut got = 0;
        let waiting = Instant::now();
        while got < buf.len() {
            if self.stop.load(Ordering::Relaxed) {
                return Err(io::Error::other("the server is stopping"));
            }
            match self.stream.read(&mut buf[got..]) {
                Ok(0) if got == 0 => return Ok(false),
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => got += n,
                Err(e) if is_retry(&e) => {
                    let waited = waiting.elapsed();
                    if got == 0 && waited > self.limits.idle_timeout {
                        return Ok(false);
                    }
                    if got > 0 && waited > self.limits.request_timeout {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client stalled inside a message",
                        ));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads what is there (at most `buf.len()` bytes, at least one): 0 when the client
    /// closed the connection, or was silent past `limit`.
    pub fn read_some(&mut self, buf: &mut [u8], limit: Duration) -> io::Result<usize> {
        let waiting = Instant::now();
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Err(io::Error::other("the server is stopping"));
            }
            match self.stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if is_retry(&e) => {
                    if waiting.elapsed() > limit {
                        return Ok(0);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Write for Conn<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Reads the password file: its first line, which must not be empty.
fn read_password(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the password file {}", path.display()))?;
    let pw = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if pw.is_empty() {
        bail!("the password file {} is empty", path.display());
    }
    Ok(pw.to_string())
}

/// Which protocol a listener speaks.
#[derive(Debug, Clone, Copy)]
enum Protocol {
    Bolt,
    Http,
}

/// Serves the database at `db` until Ctrl-C or SIGTERM; returns the exit status.
pub fn serve(db: &Path, o: &ServeOptions) -> Result<i32> {
    if o.bolt.is_none() && o.http.is_none() {
        bail!("nothing to serve: give --bolt or --http an address");
    }
    for addr in o.bolt.iter().chain(&o.http) {
        if !addr.ip().is_loopback() && !o.listen_any {
            bail!("{addr} is not a loopback address; pass --listen-any (with --password-file) to serve other machines");
        }
    }
    let password = o.password_file.as_deref().map(read_password).transpose()?;
    if o.listen_any && password.is_none() {
        bail!(
            "--listen-any needs --password-file: the server would be open to anyone on the network"
        );
    }
    // Everything the server opens is named absolutely: it runs its local clients'
    // file-naming commands in their working directories (see `local`).
    let db = std::path::absolute(db)
        .with_context(|| format!("cannot resolve the path {}", db.display()))?;
    local::refuse_second(&db)?;
    let store = Store::open_existing(&db)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let bind = |addr: Option<SocketAddr>, what: &str| -> Result<Option<TcpListener>> {
        addr.map(|a| {
            let l =
                TcpListener::bind(a).with_context(|| format!("cannot listen for {what} on {a}"))?;
            l.set_nonblocking(true)?;
            Ok(l)
        })
        .transpose()
    };
    let bolt = bind(o.bolt, "Bolt")?;
    let http = bind(o.http, "HTTP")?;
    let (nodes, edges) = (store.graph().node_count(), store.graph().edge_count());
    let shared = Shared::new(&db, store);
    let query_limits = crate::query::Limits {
        timeout: o.timeout,
        max_result_rows: o.max_rows,
        cancel: Some(Arc::clone(&stop)),
        ..Default::default()
    };
    // Build the adjacency index before the first client waits for it.
    shared.engine(&shared.read());
    let bolt_addr = match &bolt {
        Some(l) => l.local_addr()?,
        None => SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let http_addr = http.as_ref().map(|l| l.local_addr()).transpose()?;
    let ctx = ServerCtx {
        shared: &shared,
        query_limits,
        stop: &stop,
        limits: o.limits.clone(),
        password,
        bolt_addr,
        active: AtomicUsize::new(0),
        accepted: AtomicU64::new(0),
    };
    let record = local::Record::new(&db, bolt.as_ref().map(|_| bolt_addr), http_addr);
    let socket = local::listen(&record)?;
    eprintln!(
        "coopgraph serve: {} ({} nodes, {} edges); Ctrl-C stops",
        db.display(),
        crate::app::query::thousands(nodes),
        crate::app::query::thousands(edges)
    );
    if let Some(l) = &bolt {
        eprintln!("bolt listening on bolt://{}", l.local_addr()?);
    }
    if let Some(l) = &http {
        eprintln!("http listening on http://{}/", l.local_addr()?);
    }
    eprintln!(
        "local commands on {} follow the server",
        record.socket.display()
    );
    std::thread::scope(|s| {
        for (listener, proto) in [(bolt, Protocol::Bolt), (http, Protocol::Http)] {
            if let Some(l) = listener {
                let ctx = &ctx;
                s.spawn(move || accept_loop(s, &l, proto, ctx));
            }
        }
        let ctx = &ctx;
        let socket = &socket;
        s.spawn(move || local::accept_loop(s, socket, ctx));
    });
    eprintln!("stopping: closing the database");
    // Local commands run here from now on: no new one may find this server.
    drop(socket);
    drop(record);
    shared.into_store().close_for_exit()?;
    eprintln!("stopped");
    Ok(crate::app::EXIT_OK)
}

/// Accepts connections until the stop flag is set, each served in its own thread.
fn accept_loop<'s, 'g: 's>(
    s: &'s Scope<'s, '_>,
    listener: &TcpListener,
    proto: Protocol,
    ctx: &'s ServerCtx<'g>,
) {
    while !ctx.stopping() {
        let (stream, peer) = match listener.accept() {
            Ok(x) => x,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(e) => {
                eprintln!("warning: accepting a connection failed: {e}");
                std::thread::sleep(POLL);
                continue;
            }
        };
        if ctx.active.load(Ordering::Relaxed) >= ctx.limits.max_connections {
            refuse(stream, proto, ctx.limits.max_connections);
            continue;
        }
        ctx.active.fetch_add(1, Ordering::Relaxed);
        let id = ctx.accepted.fetch_add(1, Ordering::Relaxed) + 1;
        s.spawn(move || {
            let r = Conn::new(stream, ctx).and_then(|mut conn| match proto {
                Protocol::Bolt => bolt::serve(&mut conn, ctx, id),
                Protocol::Http => http::serve(&mut conn, ctx),
            });
            if let Err(e) = r {
                if !ctx.stopping() {
                    eprintln!("{proto:?} connection {id} from {peer} closed: {e}");
                }
            }
            ctx.active.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// Turns away a connection past the limit: HTTP gets a 503, Bolt just a close.
fn refuse(mut stream: TcpStream, proto: Protocol, max: usize) {
    if let Protocol::Http = proto {
        let body = format!("{{\"error\":{{\"code\":\"Neo.TransientError.Request.NoThreadsAvailable\",\"message\":\"the server has {max} connections open already\"}}}}");
        let _ = write!(
            stream,
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    }
}

/// Whether a read error only means "nothing yet" (a socket timeout or a signal).
fn is_retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
