//! Local commands follow the server: while `coopgraph serve` holds a database, the
//! `coopgraph` commands on the same `--db` (query, run, explain, stats, export, check,
//! bench, ingest, import, remove, compact) run inside the server instead of failing on
//! its lock, and print exactly what they print alone.
//!
//! The server records itself in the database folder (`serve.json`: its pid, its Unix
//! socket and its addresses) and listens on that socket (`serve.sock`, mode 0600, and
//! only clients of the same user are served). A command finds the record, checks that
//! the process lives and that the socket answers (a record left by a killed server is
//! ignored), and sends its arguments, working directory, whether its output is a
//! terminal, and its standard input when it reads it. The server parses the arguments
//! as the command line does, runs the command through [`crate::app::command`] on the
//! database it holds, and sends back standard output and error as frames, then the
//! exit status. Writes take turns (see [`crate::shared`]); a command whose client goes
//! away (Ctrl-C) is cancelled.

use super::{is_retry, ServerCtx, POLL};
use crate::app::command::{execute, Args, Command};
use crate::app::query::QueryOptions;
use crate::app::shell::vocabulary::Vocabulary;
use crate::app::shell::{Flow, Session};
use crate::app::{Db, EXIT_ERROR};
use crate::console::Console;
use anyhow::{bail, Context, Result};
use clap::Parser;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Scope;
use std::time::Duration;

/// The name of the server's record in the database folder.
pub const RECORD: &str = "serve.json";
/// The name of the server's socket in the database folder (when the path is short
/// enough for a socket address; else it is in the temporary directory).
pub const SOCKET: &str = "serve.sock";

/// The most bytes of a request's header (arguments and the like).
const MAX_REQUEST: usize = 1 << 20;
/// The most bytes of standard input a client may send along.
const MAX_STDIN: u64 = 1 << 30;

/// Frame tags of the server's answer.
const OUT: u8 = b'o';
const ERR: u8 = b'e';
const EXIT: u8 = b'x';
/// A shell's input (client to server), the reply to it, a Ctrl-C (client to server).
const INPUT: u8 = b'i';
const REPLY: u8 = b'r';
const CANCEL: u8 = b'c';

/// Most names a shell's completion gets from the server (the graphs beyond complete
/// labels, types and keys only).
const MAX_VOCAB_NAMES: usize = 200_000;

/// Commands that name files run one at a time in their client's working directory.
static CWD: Mutex<()> = Mutex::new(());
/// The server's own working directory, restored after each of them.
static HOME: OnceLock<PathBuf> = OnceLock::new();

/// The server's record in the database folder; removed (with the socket) when dropped.
pub struct Record {
    /// The record file.
    path: PathBuf,
    /// The Unix socket local commands connect to.
    pub socket: PathBuf,
    bolt: Option<SocketAddr>,
    http: Option<SocketAddr>,
}

impl Record {
    /// The record of this process serving the database at `db` (an absolute path).
    pub fn new(db: &Path, bolt: Option<SocketAddr>, http: Option<SocketAddr>) -> Record {
        let mut socket = db.join(SOCKET);
        // A socket address holds at most 107 bytes.
        if socket.as_os_str().len() > 100 {
            socket = std::env::temp_dir().join(format!("coopgraph-{}.sock", std::process::id()));
        }
        Record {
            path: db.join(RECORD),
            socket,
            bolt,
            http,
        }
    }

    fn write(&self) -> Result<()> {
        let v = serde_json::json!({
            "pid": std::process::id(),
            "socket": self.socket,
            "bolt": self.bolt.map(|a| format!("bolt://{a}")),
            "http": self.http.map(|a| format!("http://{a}/")),
        });
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, format!("{v}\n"))
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// Listens on the record's socket (only this user may connect) and writes the record.
pub fn listen(record: &Record) -> Result<UnixListener> {
    // This process holds the database's lock: a socket left there is a dead server's.
    let _ = std::fs::remove_file(&record.socket);
    let l = UnixListener::bind(&record.socket)
        .with_context(|| format!("cannot listen on {}", record.socket.display()))?;
    std::fs::set_permissions(&record.socket, std::fs::Permissions::from_mode(0o600))?;
    l.set_nonblocking(true)?;
    let _ = HOME.set(std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")));
    record.write()?;
    Ok(l)
}

/// What a record says, when its server lives and answers on its socket.
struct Live {
    pid: u64,
    bolt: Option<String>,
    stream: UnixStream,
}

/// The server holding `db`, connected; `None` when there is no record, or its process
/// is gone, or its socket does not answer (a server killed without its clean stop).
fn find(db: &Path) -> Option<Live> {
    let text = std::fs::read_to_string(db.join(RECORD)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let pid = v["pid"].as_u64()?;
    if !alive(pid) {
        return None;
    }
    let stream = UnixStream::connect(v["socket"].as_str()?).ok()?;
    Some(Live {
        pid,
        bolt: v["bolt"].as_str().map(str::to_string),
        stream,
    })
}

/// Whether a process with this id exists.
fn alive(pid: u64) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Whether a live server holds `db`.
pub fn served(db: &Path) -> bool {
    find(db).is_some()
}

/// Fails when a live server holds `db` already.
pub fn refuse_second(db: &Path) -> Result<()> {
    if let Some(live) = find(db) {
        bail!(
            "{} is served already by coopgraph serve (pid {}{}); local commands follow it",
            db.display(),
            live.pid,
            live.bolt.map(|b| format!(", {b}")).unwrap_or_default()
        );
    }
    Ok(())
}

/// Runs `command` in the server that holds `db`, if one does: its output is written
/// here, and its exit status returned. `None`: no server; run it here.
pub fn follow(db: &Path, command: &Command) -> Result<Option<i32>> {
    if !command.uses_database() {
        return Ok(None);
    }
    let Some(Live { mut stream, .. }) = find(db) else {
        return Ok(None);
    };
    let Some(args) = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string().ok())
        .collect::<Option<Vec<String>>>()
    else {
        bail!(
            "a server holds {} and this command line is not UTF-8, which it cannot be sent as",
            db.display()
        );
    };
    let stdin = if command.reads_stdin() {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("reading standard input")?;
        Some(b)
    } else {
        None
    };
    let head = request(args, db, stdin.is_some(), false)?;
    let send = |s: &mut UnixStream| -> io::Result<()> {
        s.write_all(&(head.len() as u32).to_be_bytes())?;
        s.write_all(&head)?;
        if let Some(b) = &stdin {
            s.write_all(&(b.len() as u64).to_be_bytes())?;
            s.write_all(b)?;
        }
        s.flush()
    };
    let lost = || {
        format!(
            "the server holding {} stopped before the command ended",
            db.display()
        )
    };
    send(&mut stream).with_context(lost)?;
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    loop {
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).with_context(lost)?;
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).with_context(lost)?;
        match head[0] {
            OUT => {
                let mut o = stdout.lock();
                o.write_all(&body)?;
                o.flush()?;
            }
            ERR => stderr.lock().write_all(&body)?,
            EXIT if len == 4 => {
                return Ok(Some(i32::from_be_bytes([
                    body[0], body[1], body[2], body[3],
                ])))
            }
            other => bail!("the server sent a frame of unknown kind {other}"),
        }
    }
}

/// A request's header: the arguments, database and working directory of the client.
fn request(args: Vec<String>, db: &Path, stdin: bool, shell: bool) -> Result<Vec<u8>> {
    use std::io::IsTerminal;
    let request = serde_json::json!({
        "args": args,
        "db": db,
        "cwd": std::env::current_dir().context("the working directory")?,
        "out_terminal": std::io::stdout().is_terminal(),
        "stdin": stdin,
        "shell": shell,
    });
    Ok(serde_json::to_vec(&request)?)
}

/// Reads one frame: its tag and body.
fn read_frame(stream: &mut UnixStream, max: usize) -> io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    stream.read_exact(&mut head)?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > max {
        return Err(io::Error::other(format!("a frame of {len} bytes")));
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body)?;
    Ok((head[0], body))
}

/// Writes one frame.
fn write_frame(mut stream: &UnixStream, tag: u8, body: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(body.len() + 5);
    frame.push(tag);
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame)
}

/// A shell session in the server that holds the shell's database.
pub struct RemoteShell {
    stream: UnixStream,
}

/// The server's answer to a shell input, after its output.
#[derive(Debug)]
pub struct Reply {
    /// What the shell does next.
    pub flow: Flow,
    /// New words to complete (the database changed).
    pub vocab: Option<Vocabulary>,
    /// The parameter names, when they changed.
    pub params: Option<Vec<String>>,
    /// The node and edge counts (in the first reply).
    pub counts: Option<(usize, usize)>,
}

/// Starts a shell session in the server holding `db`, if one does (`options` are the
/// shell's, taken from the command line there as well).
pub fn open_shell(db: &Path, options: &QueryOptions) -> Result<Option<RemoteShell>> {
    let _ = options;
    let Some(Live { mut stream, .. }) = find(db) else {
        return Ok(None);
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let head = request(args, db, false, true)?;
    stream.write_all(&(head.len() as u32).to_be_bytes())?;
    stream.write_all(&head)?;
    Ok(Some(RemoteShell { stream }))
}

impl RemoteShell {
    /// Sends an input, with the terminal's width.
    pub fn send(&mut self, input: &str, width: Option<usize>) -> Result<()> {
        let body = serde_json::to_vec(&serde_json::json!({"line": input, "width": width}))?;
        write_frame(&self.stream, INPUT, &body).context("the server went away")
    }

    /// Shows the output of the input sent, and returns the reply; while `cancel` (the
    /// shell's Ctrl-C flag) is set, asks the server to cancel the input.
    pub fn reply(&mut self, cancel: &AtomicBool) -> Result<Reply> {
        use std::os::fd::AsRawFd;
        let lost = || anyhow::anyhow!("the server holding the database stopped");
        loop {
            let mut fd = libc::pollfd {
                fd: self.stream.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: poll on one descriptor we own, for 100 ms.
            let ready = unsafe { libc::poll(&mut fd, 1, 100) };
            if ready <= 0 {
                if cancel.load(Ordering::Relaxed) {
                    write_frame(&self.stream, CANCEL, &[]).map_err(|_| lost())?;
                }
                continue;
            }
            let (tag, body) = read_frame(&mut self.stream, usize::MAX).map_err(|_| lost())?;
            match tag {
                OUT => {
                    let mut o = std::io::stdout().lock();
                    o.write_all(&body)?;
                    o.flush()?;
                }
                ERR => std::io::stderr().lock().write_all(&body)?,
                REPLY => {
                    let v: serde_json::Value = serde_json::from_slice(&body)?;
                    let path = || PathBuf::from(v["path"].as_str().unwrap_or_default());
                    let flow = match v["flow"].as_str() {
                        Some("quit") => Flow::Quit,
                        Some("clear") => Flow::Clear,
                        Some("open") => Flow::Open(path()),
                        _ => Flow::Continue,
                    };
                    let strings = |k: &str| {
                        v[k].as_array().map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect()
                        })
                    };
                    return Ok(Reply {
                        flow,
                        vocab: v
                            .get("vocab")
                            .filter(|x| !x.is_null())
                            .map(Vocabulary::from_json),
                        params: strings("params"),
                        counts: v["nodes"]
                            .as_u64()
                            .zip(v["edges"].as_u64())
                            .map(|(n, e)| (n as usize, e as usize)),
                    });
                }
                other => bail!("the server sent a frame of unknown kind {other}"),
            }
        }
    }
}

/// Accepts local commands until the server stops, each in its own thread.
pub fn accept_loop<'s, 'g: 's>(
    s: &'s Scope<'s, '_>,
    listener: &'s UnixListener,
    ctx: &'s ServerCtx<'g>,
) {
    while !ctx.stopping() {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(e) => {
                eprintln!("warning: accepting a local command failed: {e}");
                std::thread::sleep(POLL);
                continue;
            }
        };
        if !same_user(&stream) {
            continue;
        }
        s.spawn(move || {
            if let Err(e) = serve_client(stream, ctx) {
                if !ctx.stopping() {
                    eprintln!("local command closed: {e}");
                }
            }
        });
    }
}

/// Whether the process at the other end runs as this user.
#[cfg(target_os = "linux")]
fn same_user(stream: &UnixStream) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: getsockopt fills a ucred of the size given, on a socket we own.
    unsafe {
        let mut cred: libc::ucred = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        let r = libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        );
        r == 0 && cred.uid == libc::geteuid()
    }
}

/// Whether the process at the other end runs as this user (the socket's mode decides).
#[cfg(not(target_os = "linux"))]
fn same_user(_: &UnixStream) -> bool {
    true
}

/// A client's request.
#[derive(serde::Deserialize)]
struct Request {
    args: Vec<String>,
    db: PathBuf,
    cwd: PathBuf,
    out_terminal: bool,
    stdin: bool,
    #[serde(default)]
    shell: bool,
}

/// Reads exactly `buf.len()` bytes, waiting at most the request timeout.
fn read_exact(stream: &mut UnixStream, buf: &mut [u8], ctx: &ServerCtx) -> io::Result<()> {
    stream.set_read_timeout(Some(ctx.limits.request_timeout))?;
    stream.read_exact(buf)
}

/// Reads a request, runs its command, sends the output and the exit status.
fn serve_client(mut stream: UnixStream, ctx: &ServerCtx) -> Result<()> {
    stream.set_nonblocking(false)?;
    let mut len = [0u8; 4];
    read_exact(&mut stream, &mut len, ctx)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_REQUEST {
        bail!("a request of {len} bytes");
    }
    let mut head = vec![0u8; len];
    read_exact(&mut stream, &mut head, ctx)?;
    let req: Request = serde_json::from_slice(&head).context("a malformed request")?;
    let stdin: Option<Arc<[u8]>> = if req.stdin {
        let mut n = [0u8; 8];
        read_exact(&mut stream, &mut n, ctx)?;
        let n = u64::from_be_bytes(n);
        if n > MAX_STDIN {
            bail!("{n} bytes of standard input");
        }
        let mut b = vec![0u8; n as usize];
        read_exact(&mut stream, &mut b, ctx)?;
        Some(b.into())
    } else {
        None
    };
    stream.set_write_timeout(Some(ctx.limits.idle_timeout))?;
    if req.shell {
        return serve_shell(stream, ctx, &req);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let done = AtomicBool::new(false);
    let watcher = stream.try_clone()?;
    std::thread::scope(|s| {
        // The client going away (Ctrl-C) or the server stopping cancels the command.
        s.spawn(|| watch(watcher, &cancel, &done, ctx));
        let code = {
            let mut io = Console {
                out: Box::new(Frames::new(&stream, OUT, &cancel)),
                err: Box::new(Frames::new(&stream, ERR, &cancel)),
                out_terminal: req.out_terminal,
                // A progress bar would be drawn on the server's terminal, not the client's.
                err_terminal: false,
                stdin,
                cancel: Some(Arc::clone(&cancel)),
            };
            let code = run_request(&req, ctx, &mut io);
            let _ = io.out.flush();
            let _ = io.err.flush();
            code
        };
        done.store(true, Ordering::Relaxed);
        let mut exit = vec![EXIT, 0, 0, 0, 4];
        exit.extend_from_slice(&code.to_be_bytes());
        (&stream).write_all(&exit)
    })?;
    Ok(())
}

/// Runs a shell session: the inputs the client sends, each answered with its output
/// and a reply, in a [`Session`] kept here; until the client closes.
fn serve_shell(stream: UnixStream, ctx: &ServerCtx, req: &Request) -> Result<()> {
    let args = std::iter::once("coopgraph".to_string()).chain(req.args.iter().cloned());
    let options = match Args::try_parse_from(args).map(|a| a.command) {
        Ok(Some(Command::Repl { options })) => options,
        _ => QueryOptions::default(),
    };
    let mut session = Session::new(&options)?;
    let cancel = Arc::clone(&session.cancel);
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    let mut reader = stream.try_clone()?;
    let shared = ctx.shared;
    std::thread::scope(|s| -> Result<()> {
        let cancel_in = Arc::clone(&cancel);
        s.spawn(move || {
            let _ = reader.set_read_timeout(Some(POLL));
            loop {
                if ctx.stopping() {
                    break;
                }
                // Frames are small and whole: a timeout inside one is the client's end.
                let mut tag = [0u8; 1];
                match reader.read(&mut tag) {
                    Err(e) if is_retry(&e) => continue,
                    Ok(1) => {}
                    _ => break,
                }
                let _ = reader.set_read_timeout(Some(ctx.limits.request_timeout));
                let mut len = [0u8; 4];
                if reader.read_exact(&mut len).is_err() {
                    break;
                }
                let len = u32::from_be_bytes(len) as usize;
                if len > MAX_REQUEST {
                    break;
                }
                let mut body = vec![0u8; len];
                if reader.read_exact(&mut body).is_err() {
                    break;
                }
                let _ = reader.set_read_timeout(Some(POLL));
                match tag[0] {
                    CANCEL => cancel_in.store(true, Ordering::Relaxed),
                    INPUT => {
                        let sent = serde_json::from_slice(&body).map(|v| tx.send(v).is_ok());
                        if !matches!(sent, Ok(true)) {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            // The client left (or the server stops): cancel what runs, end the session.
            cancel_in.store(true, Ordering::Relaxed);
            drop(tx);
        });
        let vocab = |store: &crate::store::Store| {
            let v = Vocabulary::of(store.graph());
            if v.names_len() > MAX_VOCAB_NAMES {
                v.without_names().to_json()
            } else {
                v.to_json()
            }
        };
        let mut generation = shared.generation();
        let (n, e, v) = {
            let store = shared.read();
            (
                store.graph().node_count(),
                store.graph().edge_count(),
                vocab(&store),
            )
        };
        let mut reply = serde_json::json!({"flow": "continue", "vocab": v, "nodes": n, "edges": e});
        loop {
            if session.params_changed {
                session.params_changed = false;
                let mut names: Vec<&String> = session.params.keys().collect();
                names.sort();
                reply["params"] = serde_json::json!(names);
            }
            write_frame(&stream, REPLY, reply.to_string().as_bytes())?;
            let Ok(input) = rx.recv() else {
                return Ok(());
            };
            cancel.store(false, Ordering::Relaxed);
            if shared.generation() != generation {
                // A write changed the graph: the last result's ids may name other things.
                session.last = None;
                generation = shared.generation();
            }
            session.width = input["width"].as_u64().map(|w| w as usize);
            let line = input["line"].as_str().unwrap_or_default();
            let mut out = Frames::new(&stream, OUT, &cancel);
            let mut err = Frames::new(&stream, ERR, &cancel);
            let meta = line.trim_start().starts_with(':');
            // Meta-commands may name files: they run in the client's working directory.
            let _turn = meta.then(|| CWD.lock().unwrap_or_else(|p| p.into_inner()));
            if meta {
                let _ = std::env::set_current_dir(&req.cwd);
            }
            let flow = {
                let store = shared.read();
                let mut engine = shared.engine(&store);
                crate::app::query::set_limits(&mut engine, &session.options);
                engine.limits.cancel = Some(Arc::clone(&cancel));
                session.input(&engine, &store, line, &mut out, &mut err)
            };
            reply = serde_json::json!({"flow": "continue"});
            match flow {
                Flow::Ingest(paths) => {
                    session.last = None;
                    let mut io = Console {
                        out: Box::new(&mut out),
                        err: Box::new(&mut err),
                        out_terminal: true,
                        err_terminal: false,
                        stdin: None,
                        cancel: Some(Arc::clone(&cancel)),
                    };
                    let opts = crate::ingest_cli::IngestOptions::default();
                    if let Err(e) = crate::ingest_cli::ingest_shared(shared, &paths, &opts, &mut io)
                    {
                        let _ = writeln!(io.err, "error: {}", crate::term::safe(&format!("{e:#}")));
                    }
                    drop(io);
                    generation = shared.generation();
                    reply["vocab"] = vocab(&shared.read());
                }
                Flow::Quit => reply["flow"] = "quit".into(),
                Flow::Clear => reply["flow"] = "clear".into(),
                Flow::Open(path) => {
                    reply["flow"] = "open".into();
                    reply["path"] = serde_json::json!(path);
                }
                Flow::Continue => {}
            }
            if meta {
                if let Some(home) = HOME.get() {
                    let _ = std::env::set_current_dir(home);
                }
            }
            let _ = out.flush();
            let _ = err.flush();
        }
    })
}

/// Runs a request's command (in the client's working directory when it names files),
/// reporting an error as `coopgraph` does; the exit status.
fn run_request(req: &Request, ctx: &ServerCtx, io: &mut Console) -> i32 {
    let args = match Args::try_parse_from(
        std::iter::once("coopgraph".to_string()).chain(req.args.iter().cloned()),
    ) {
        Ok(a) => a,
        Err(e) => {
            let _ = write!(io.err, "{}", e.render());
            return EXIT_ERROR;
        }
    };
    let command = match args.command {
        // The shell with its input not a terminal runs that input, as `run -` does.
        None if io.stdin.is_some() => Some(Command::Run {
            file: PathBuf::from("-"),
            options: Default::default(),
        }),
        Some(Command::Repl { options }) if io.stdin.is_some() => Some(Command::Run {
            file: PathBuf::from("-"),
            options,
        }),
        other => other,
    };
    let Some(command) = command.filter(Command::uses_database) else {
        let _ = writeln!(
            io.err,
            "error: only commands on the database run in the server"
        );
        return EXIT_ERROR;
    };
    let db = Db::Shared(ctx.shared);
    let run = |io: &mut Console| -> Result<i32> {
        if command.names_files() {
            let _turn = CWD.lock().unwrap_or_else(|p| p.into_inner());
            std::env::set_current_dir(&req.cwd)
                .with_context(|| format!("cannot work in {}", req.cwd.display()))?;
            let r = execute(command, &req.db, &db, io);
            if let Some(home) = HOME.get() {
                let _ = std::env::set_current_dir(home);
            }
            r
        } else {
            execute(command, &req.db, &db, io)
        }
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(io)));
    match r {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            let _ = writeln!(io.err, "error: {}", crate::term::safe(&format!("{e:#}")));
            EXIT_ERROR
        }
        Err(_) => {
            let _ = writeln!(
                io.err,
                "error: the command failed inside the server (see its log)"
            );
            EXIT_ERROR
        }
    }
}

/// Sets `cancel` when the client closes its end (or sends more than its request) or
/// the server stops, until `done`.
fn watch(mut stream: UnixStream, cancel: &AtomicBool, done: &AtomicBool, ctx: &ServerCtx) {
    let _ = stream.set_read_timeout(Some(POLL));
    let mut byte = [0u8; 1];
    while !done.load(Ordering::Relaxed) {
        if ctx.stopping() {
            cancel.store(true, Ordering::Relaxed);
            return;
        }
        match stream.read(&mut byte) {
            Err(e) if is_retry(&e) => {}
            _ => {
                cancel.store(true, Ordering::Relaxed);
                return;
            }
        }
    }
}

/// One of a command's outputs, sent to the client in frames: standard output in large
/// ones, standard error a line at a time. A failed send (the client went away) cancels
/// the command.
struct Frames<'a> {
    stream: &'a UnixStream,
    tag: u8,
    buf: Vec<u8>,
    cancel: &'a AtomicBool,
}

impl<'a> Frames<'a> {
    fn new(stream: &'a UnixStream, tag: u8, cancel: &'a AtomicBool) -> Frames<'a> {
        Frames {
            stream,
            tag,
            buf: Vec::new(),
            cancel,
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut head = [self.tag, 0, 0, 0, 0];
        head[1..].copy_from_slice(&(self.buf.len() as u32).to_be_bytes());
        let mut s = self.stream;
        let r = s.write_all(&head).and_then(|()| s.write_all(&self.buf));
        self.buf.clear();
        if r.is_err() {
            self.cancel.store(true, Ordering::Relaxed);
        }
        r
    }
}

impl Write for Frames<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 1 << 16 || (self.tag == ERR && b.contains(&b'\n')) {
            self.send()?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Drop for Frames<'_> {
    fn drop(&mut self) {
        let _ = self.send();
    }
}
