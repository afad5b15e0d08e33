//! Load test of `coopgraph serve` on loopback: Bolt and HTTP clients run the statements
//! of a file in turn for a while, optionally while an ingest runs through the server;
//! prints throughput, p50/p99 latency and errors as JSON. scripts/load-test.sh runs it
//! on the SCALE 1.0 graph of ../shared/bench (docs/performance.md).
//!
//! ```sh
//! cargo run --release --example load_server -- --bin target/release/coopgraph --db DB \
//!     --queries q.cql [--seconds 60] [--bolt 32] [--http 8] [--ingest articles.jsonl]
//! ```
//!
//! Every answer must equal the first one the statement gave (unless an ingest runs,
//! which may change answers); a failure, a connection error or a different answer is
//! an error.

use coopgraph::server::packstream::{self, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Options {
    bin: PathBuf,
    db: PathBuf,
    queries: PathBuf,
    seconds: u64,
    bolt: usize,
    http: usize,
    ingest: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options {
        bin: PathBuf::from("target/release/coopgraph"),
        db: PathBuf::new(),
        queries: PathBuf::new(),
        seconds: 60,
        bolt: 32,
        http: 8,
        ingest: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--bin" => o.bin = val().into(),
            "--db" => o.db = val().into(),
            "--queries" => o.queries = val().into(),
            "--seconds" => o.seconds = val().parse().expect("--seconds N"),
            "--bolt" => o.bolt = val().parse().expect("--bolt N"),
            "--http" => o.http = val().parse().expect("--http N"),
            "--ingest" => o.ingest = Some(val().into()),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(
        !o.db.as_os_str().is_empty() && !o.queries.as_os_str().is_empty(),
        "--db and --queries are needed"
    );
    o
}

/// What one client measured: (statement index, latency) per answer, and errors.
#[derive(Default)]
struct Tally {
    latencies: Vec<(usize, Duration)>,
    errors: Vec<String>,
}

struct Bolt {
    s: TcpStream,
}

impl Bolt {
    fn connect(addr: &str) -> std::io::Result<Bolt> {
        let mut s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        let mut hello = vec![0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5];
        hello.extend_from_slice(&[0; 12]);
        s.write_all(&hello)?;
        let mut v = [0u8; 4];
        s.read_exact(&mut v)?;
        let mut b = Bolt { s };
        let map = |k: &str, v: &str| Value::Map(vec![(k.to_string(), Value::str(v))]);
        b.send(0x01, vec![map("user_agent", "load/1")])?;
        b.send(0x6A, vec![map("scheme", "none")])?;
        for _ in 0..2 {
            match b.recv()? {
                Value::Struct(0x70, _) => {}
                other => return Err(std::io::Error::other(format!("{other:?}"))),
            }
        }
        Ok(b)
    }

    fn send(&mut self, tag: u8, fields: Vec<Value>) -> std::io::Result<()> {
        let mut body = Vec::new();
        packstream::encode(&Value::Struct(tag, fields), &mut body);
        let mut msg = Vec::with_capacity(body.len() + 8);
        for c in body.chunks(0xFFFF) {
            msg.extend_from_slice(&(c.len() as u16).to_be_bytes());
            msg.extend_from_slice(c);
        }
        msg.extend_from_slice(&[0, 0]);
        self.s.write_all(&msg)
    }

    fn recv(&mut self) -> std::io::Result<Value> {
        let mut msg = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.s.read_exact(&mut head)?;
            let n = u16::from_be_bytes(head) as usize;
            if n == 0 {
                return packstream::decode(&msg).map_err(std::io::Error::other);
            }
            let at = msg.len();
            msg.resize(at + n, 0);
            self.s.read_exact(&mut msg[at..])?;
        }
    }

    /// RUN and PULL all: the records, or the failure.
    fn query(&mut self, text: &str) -> std::io::Result<Result<Vec<Value>, String>> {
        self.send(
            0x10,
            vec![Value::str(text), Value::Map(vec![]), Value::Map(vec![])],
        )?;
        self.send(0x3F, vec![Value::Map(vec![("n".into(), Value::Int(-1))])])?;
        let mut records = Vec::new();
        let mut done = 0;
        let mut failure = None;
        while done < 2 {
            match self.recv()? {
                Value::Struct(0x71, f) => records.extend(f),
                Value::Struct(0x70, _) => done += 1,
                Value::Struct(0x7E, _) => done += 1,
                Value::Struct(0x7F, f) => {
                    failure = Some(format!("{f:?}"));
                    done += 1;
                }
                other => return Err(std::io::Error::other(format!("{other:?}"))),
            }
        }
        if let Some(f) = failure {
            self.send(0x0F, vec![])?;
            self.recv()?;
            return Ok(Err(f));
        }
        Ok(Ok(records))
    }
}

/// One HTTP query on a kept-alive connection: the status and the body.
fn http_query(s: &mut BufReader<TcpStream>, text: &str) -> std::io::Result<(u16, String)> {
    let body = serde_json::json!({ "statement": text }).to_string();
    let req = format!(
        "POST /query HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    s.get_mut().write_all(req.as_bytes())?;
    let mut line = String::new();
    s.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("status line {line:?}")))?;
    let mut length = 0;
    loop {
        line.clear();
        s.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut out = vec![0u8; length];
    s.read_exact(&mut out)?;
    Ok((status, String::from_utf8_lossy(&out).into_owned()))
}

/// The rows of a `/query` answer, without its timing.
fn http_rows(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v["rows"].to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn summary(name: &str, tallies: &[Tally], n: usize, secs: f64) -> serde_json::Value {
    let mut all: Vec<Duration> = Vec::new();
    let mut per: Vec<Vec<Duration>> = vec![Vec::new(); n];
    let mut errors = Vec::new();
    for t in tallies {
        for &(i, d) in &t.latencies {
            all.push(d);
            per[i].push(d);
        }
        errors.extend(t.errors.iter().cloned());
    }
    all.sort();
    let statements: Vec<serde_json::Value> = per
        .iter_mut()
        .enumerate()
        .map(|(i, v)| {
            v.sort();
            serde_json::json!({
                "statement": format!("Q{}", i + 1),
                "answers": v.len(),
                "p50_ms": percentile(v, 0.5),
                "p99_ms": percentile(v, 0.99),
            })
        })
        .collect();
    serde_json::json!({
        "protocol": name,
        "clients": tallies.len(),
        "answers": all.len(),
        "per_second": all.len() as f64 / secs,
        "p50_ms": percentile(&all, 0.5),
        "p99_ms": percentile(&all, 0.99),
        "errors": errors.len(),
        "first_errors": errors.iter().take(5).collect::<Vec<_>>(),
        "statements": statements,
    })
}

fn main() {
    let o = options();
    let text = std::fs::read_to_string(&o.queries).expect("read --queries");
    let parsed = coopgraph::cypher::parse(&text).expect("the statements parse");
    let statements: Vec<String> = parsed
        .iter()
        .map(|s| s.source_text(&text).to_string())
        .collect();
    let mut server = Command::new(&o.bin)
        .arg("--db")
        .arg(&o.db)
        .args(["serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .args(["--max-connections", "1000"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let (mut bolt, mut http) = (None, None);
    let started = Instant::now();
    while bolt.is_none() || http.is_none() {
        let line = lines.next().expect("the server stopped").unwrap();
        if let Some(a) = line.strip_prefix("bolt listening on bolt://") {
            bolt = Some(a.to_string());
        }
        if let Some(a) = line.strip_prefix("http listening on http://") {
            http = Some(a.trim_end_matches('/').to_string());
        }
    }
    eprintln!("server up in {:.1} s", started.elapsed().as_secs_f64());
    std::thread::spawn(move || for _ in lines {});
    let (bolt, http) = (bolt.unwrap(), http.unwrap());
    let n = statements.len();
    // The answers before the load, over Bolt and HTTP, one statement at a time.
    let mut firsts: Vec<(String, String)> = Vec::new();
    {
        let mut b = Bolt::connect(&bolt).expect("bolt connect");
        let mut h = BufReader::new(TcpStream::connect(&http).unwrap());
        for (i, q) in statements.iter().enumerate() {
            let t = Instant::now();
            let rows = b.query(q).unwrap().expect("the statement runs");
            let bolt_ms = t.elapsed().as_secs_f64() * 1e3;
            let (status, body) = http_query(&mut h, q).unwrap();
            assert_eq!(status, 200, "{body}");
            eprintln!("Q{}: {} rows, {bolt_ms:.1} ms alone", i + 1, rows.len());
            firsts.push((format!("{rows:?}"), http_rows(&body)));
        }
    }
    let compare = o.ingest.is_none();
    let stop = AtomicBool::new(false);
    let ingest_time: Mutex<Option<(f64, String)>> = Mutex::new(None);
    let t0 = Instant::now();
    let (bolt_tallies, http_tallies) = std::thread::scope(|s| {
        if let Some(file) = &o.ingest {
            let (bin, db, ingest_time) = (&o.bin, &o.db, &ingest_time);
            s.spawn(move || {
                let t = Instant::now();
                let out = Command::new(bin)
                    .arg("--db")
                    .arg(db)
                    .arg("ingest")
                    .arg(file)
                    .output()
                    .expect("run the ingest");
                let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
                assert!(out.status.success(), "{msg}");
                *ingest_time.lock().unwrap() = Some((t.elapsed().as_secs_f64(), msg));
            });
        }
        let statements = &statements;
        let (firsts, stop) = (&firsts, &stop);
        let bolts: Vec<_> = (0..o.bolt)
            .map(|c| {
                let bolt = &bolt;
                s.spawn(move || {
                    let mut tally = Tally::default();
                    let mut b = match Bolt::connect(bolt) {
                        Ok(b) => b,
                        Err(e) => {
                            tally.errors.push(format!("connect: {e}"));
                            return tally;
                        }
                    };
                    let mut i = c % n;
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        match b.query(&statements[i]) {
                            Ok(Ok(rows)) => {
                                tally.latencies.push((i, t.elapsed()));
                                if compare && format!("{rows:?}") != firsts[i].0 {
                                    tally.errors.push(format!("Q{}: a different answer", i + 1));
                                }
                            }
                            Ok(Err(f)) => tally.errors.push(format!("Q{}: {f}", i + 1)),
                            Err(e) => {
                                tally.errors.push(format!("Q{}: {e}", i + 1));
                                return tally;
                            }
                        }
                        i = (i + 1) % n;
                    }
                    tally
                })
            })
            .collect();
        let https: Vec<_> = (0..o.http)
            .map(|c| {
                let http = &http;
                s.spawn(move || {
                    let mut tally = Tally::default();
                    let mut h = match TcpStream::connect(http) {
                        Ok(s) => BufReader::new(s),
                        Err(e) => {
                            tally.errors.push(format!("connect: {e}"));
                            return tally;
                        }
                    };
                    let mut i = (c + 2) % n;
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        match http_query(&mut h, &statements[i]) {
                            Ok((200, body)) => {
                                tally.latencies.push((i, t.elapsed()));
                                if compare && http_rows(&body) != firsts[i].1 {
                                    tally.errors.push(format!("Q{}: a different answer", i + 1));
                                }
                            }
                            Ok((status, body)) => tally
                                .errors
                                .push(format!("Q{}: {status} {body:.200}", i + 1)),
                            Err(e) => {
                                tally.errors.push(format!("Q{}: {e}", i + 1));
                                return tally;
                            }
                        }
                        i = (i + 1) % n;
                    }
                    tally
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(o.seconds));
        stop.store(true, Ordering::Relaxed);
        let b: Vec<Tally> = bolts.into_iter().map(|h| h.join().unwrap()).collect();
        let h: Vec<Tally> = https.into_iter().map(|h| h.join().unwrap()).collect();
        (b, h)
    });
    let secs = t0.elapsed().as_secs_f64();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let status = server.wait().unwrap();
    let ingest = ingest_time.lock().unwrap().take();
    if o.ingest.is_some() && ingest.is_none() {
        eprintln!("warning: the ingest did not finish within the run");
    }
    let out = serde_json::json!({
        "seconds": secs,
        "bolt": summary("bolt", &bolt_tallies, n, secs),
        "http": summary("http", &http_tallies, n, secs),
        "ingest": ingest.map(|(s, m)| serde_json::json!({"seconds": s, "summary": m.lines().last()})),
        "server_exit": status.code(),
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
