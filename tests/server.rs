//! End-to-end tests of `coopgraph serve`: the real binary serving the seed articles on
//! free loopback ports, driven by the official neo4j Python driver (from the venv that
//! scripts/server-venv.sh makes), by a small HTTP client, by hostile bytes, and by
//! headless Chromium on the live page.

use coopgraph::server::packstream::{self, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_coopgraph");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A database of the seed articles in a temporary directory.
struct Db {
    dir: tempfile::TempDir,
    path: PathBuf,
}

fn seeded_db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&path)
        .arg("ingest")
        .arg(Path::new(ROOT).join("seeds"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Db { dir, path }
}

/// A running `coopgraph serve`, stopped (SIGKILL) when dropped.
struct Server {
    child: Child,
    bolt: String,
    http: String,
    log: Arc<Mutex<Vec<String>>>,
}

fn start(db: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let lines = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            for (prefix, kind) in [
                ("bolt listening on bolt://", 0),
                ("http listening on http://", 1),
            ] {
                if let Some(rest) = line.strip_prefix(prefix) {
                    let _ = tx.send((kind, rest.trim_end_matches('/').to_string()));
                }
            }
            lines.lock().unwrap().push(line);
        }
    });
    let (mut bolt, mut http) = (None, None);
    while bolt.is_none() || http.is_none() {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((0, a)) => bolt = Some(a),
            Ok((_, a)) => http = Some(a),
            Err(_) => panic!("the server did not start: {:?}", log.lock().unwrap()),
        }
    }
    Server {
        child,
        bolt: bolt.unwrap(),
        http: http.unwrap(),
        log,
    }
}

impl Server {
    /// Sends SIGTERM and waits (at most 20 s) for the exit.
    fn terminate(&mut self) -> ExitStatus {
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "the server did not stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP request (connection: close); the status and the body.
fn http(addr: &str, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}

fn query(addr: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let (status, text) = http(addr, "POST", "/query", &[], &body.to_string());
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// The first statement of examples/questions.cql: the canonical cooperation question.
fn question() -> String {
    let text = std::fs::read_to_string(Path::new(ROOT).join("examples/questions.cql")).unwrap();
    let stmts = coopgraph::cypher::parse(&text).unwrap();
    stmts[0].source_text(&text).to_string()
}

#[test]
fn the_neo4j_python_driver_queries_the_server() {
    let db = seeded_db();
    let q = question();
    let qfile = db.dir.path().join("q1.cql");
    std::fs::write(&qfile, &q).unwrap();
    let expected = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .args(["query", "--format", "json", &q])
        .output()
        .unwrap();
    assert!(expected.status.success());
    let efile = db.dir.path().join("q1.json");
    std::fs::write(&efile, &expected.stdout).unwrap();

    let venv = Command::new(Path::new(ROOT).join("scripts/server-venv.sh"))
        .output()
        .unwrap();
    assert!(
        venv.status.success(),
        "cannot make the Python venv: {}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let python = String::from_utf8(venv.stdout).unwrap().trim().to_string();

    let mut server = start(&db.path, &[]);
    // The driver's own proposals (Bolt 5.8 agreed), then a driver held to 5.4.
    for minor in [None, Some("4")] {
        let out = Command::new(&python)
            .arg(Path::new(ROOT).join("tests/server/driver_check.py"))
            .arg(format!("bolt://{}", server.bolt))
            .arg(&qfile)
            .arg(&efile)
            .args(minor)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.trim_end().ends_with("ok"),
            "Bolt 5.{}: {stdout}\n{}\nserver:\n{}",
            minor.unwrap_or("8"),
            String::from_utf8_lossy(&out.stderr),
            server.log()
        );
    }
    assert!(server.terminate().success(), "{}", server.log());
}

#[test]
fn http_answers_queries_sources_and_the_page() {
    let db = seeded_db();
    let server = start(&db.path, &[]);
    let a = &server.http;

    let (status, v) = query(
        a,
        serde_json::json!({"statement": "MATCH (c:Country {name: $name}) RETURN c.name AS name, c", "parameters": {"name": "Vietnam"}, "graph": true}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["columns"], serde_json::json!(["name", "c"]));
    assert_eq!(v["rows"][0][0], "Vietnam");
    assert_eq!(v["rows"][0][1]["labels"][0], "Country");
    assert!(v["timing_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(v["graph"]["nodes"].as_array().unwrap().len(), 1, "{v}");

    let (status, v) = query(a, serde_json::json!({"statement": "MATCH (n)\nRETURN n +"}));
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(
        (v["error"]["line"].as_u64(), v["error"]["column"].as_u64()),
        (Some(2), Some(11))
    );
    assert!(v["error"]["message"].as_str().unwrap().contains('^'), "{v}");

    let (status, v) = query(a, serde_json::json!({"statement": "RETURN toLower(1)"}));
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("Neo.ClientError.Statement.TypeError"))
    );
    let (status, _) = http(a, "POST", "/query", &[], "{not json");
    assert_eq!(status, 400);

    // sources() through HTTP, and GET /explain by a folded name.
    let (status, v) = query(
        a,
        serde_json::json!({"statement": "MATCH (o:Organization {name: 'Ministry of Public Security'}) RETURN sources(o)[0].sentence AS s"}),
    );
    assert_eq!(status, 200);
    assert!(
        v["rows"][0][0]
            .as_str()
            .unwrap()
            .contains("Public Security"),
        "{v}"
    );
    assert_eq!(v["notifications"], serde_json::json!([]), "{v}");
    // A name typed without its diacritics: an empty result and a warning with fold().
    let (status, v) = query(
        a,
        serde_json::json!({"statement": "MATCH (p:Person {name: 'Luong Tam Quang'}) RETURN p"}),
    );
    assert_eq!((status, &v["rows"]), (200, &serde_json::json!([])), "{v}");
    assert!(
        v["notifications"][0]
            .as_str()
            .is_some_and(|w| w.contains("'Lương Tam Quang' has it folded")
                && w.contains("WHERE fold(p.name) = fold('Luong Tam Quang')")),
        "{v}"
    );
    let (status, body) = http(a, "GET", "/explain/Luong%20Tam%20Quang", &[], "");
    assert_eq!(status, 200, "{body}");
    let items: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(items[0]["kind"], "Person");
    let first = &items[0]["sources"][0];
    assert!(
        first["sentence"]
            .as_str()
            .unwrap()
            .contains("Lương Tam Quang"),
        "{first}"
    );
    assert!(first["start"].as_u64() < first["end"].as_u64());
    let (status, _) = http(a, "GET", "/explain/nobody-by-this-name", &[], "");
    assert_eq!(status, 404);

    let (status, page) = http(a, "GET", "/", &[], "");
    assert_eq!(status, 200);
    assert!(page.contains("/assets/live.js") && page.contains("id=\"query\""));
    for asset in [
        "/assets/live.js",
        "/assets/info.js",
        "/assets/live.css",
        "/assets/cytoscape.min.js",
    ] {
        assert_eq!(http(a, "GET", asset, &[], "").0, 200, "{asset}");
    }
    assert_eq!(http(a, "GET", "/nowhere", &[], "").0, 404);
    assert_eq!(http(a, "DELETE", "/query", &[], "").0, 405);
    let big = "x".repeat(2 << 20);
    assert_eq!(http(a, "POST", "/query", &[], &big).0, 413);
}

/// A Bolt connection after the handshake; `None` when the server refused the version.
fn bolt_connect(addr: &str, proposal: [u8; 4]) -> (TcpStream, [u8; 4]) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut hello = vec![0x60, 0x60, 0xB0, 0x17];
    hello.extend_from_slice(&proposal);
    hello.extend_from_slice(&[0; 12]);
    s.write_all(&hello).unwrap();
    let mut v = [0u8; 4];
    s.read_exact(&mut v).unwrap();
    (s, v)
}

fn bolt_send(s: &mut TcpStream, tag: u8, fields: Vec<Value>) {
    let mut body = Vec::new();
    packstream::encode(&Value::Struct(tag, fields), &mut body);
    let mut msg = (body.len() as u16).to_be_bytes().to_vec();
    msg.extend_from_slice(&body);
    msg.extend_from_slice(&[0, 0]);
    s.write_all(&msg).unwrap();
}

fn bolt_recv(s: &mut TcpStream) -> Option<Value> {
    let mut msg = Vec::new();
    loop {
        let mut head = [0u8; 2];
        s.read_exact(&mut head).ok()?;
        let n = u16::from_be_bytes(head) as usize;
        if n == 0 {
            return packstream::decode(&msg).ok();
        }
        let at = msg.len();
        msg.resize(at + n, 0);
        s.read_exact(&mut msg[at..]).ok()?;
    }
}

/// Whether the server closed the connection (reads end) within 30 s.
fn closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

fn map(items: &[(&str, Value)]) -> Value {
    Value::Map(
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[test]
fn hostile_bytes_close_their_connection_and_the_server_goes_on() {
    let db = seeded_db();
    let mut server = start(&db.path, &[]);
    let (b, h) = (server.bolt.clone(), server.http.clone());

    // Not Bolt at all.
    let mut s = TcpStream::connect(&b).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\n\r\nxxxxxxxxxxxxxxxxxxx")
        .unwrap();
    assert!(closed(&mut s));
    // No version in common: four zero bytes, then the close.
    let (mut s, v) = bolt_connect(&b, [0, 2, 4, 4]);
    assert_eq!(v, [0, 0, 0, 0]);
    assert!(closed(&mut s));
    // Deep nesting, a truncated value, a message that is not a structure, a message
    // past the size limit (chunks of 64 KiB up to 17 MiB).
    let hostile: Vec<Vec<u8>> = vec![
        vec![0x91; 5000],
        vec![0xB1, 0x10, 0xD2, 0xFF, 0xFF, 0xFF, 0xFF],
        vec![0xC0],
        vec![0xB1, 0x10, 0xDA, 0xFF, 0xFF, 0xFF, 0xF0],
    ];
    for body in hostile {
        let (mut s, v) = bolt_connect(&b, [0, 0, 4, 5]);
        assert_eq!(v, [0, 0, 4, 5]);
        let mut msg = (body.len() as u16).to_be_bytes().to_vec();
        msg.extend_from_slice(&body);
        msg.extend_from_slice(&[0, 0]);
        s.write_all(&msg).unwrap();
        assert!(closed(&mut s), "{:02X?}", &body[..body.len().min(8)]);
    }
    let (mut s, _) = bolt_connect(&b, [0, 0, 4, 5]);
    let chunk = [vec![0xFF, 0xFF], vec![0x91; 0xFFFF]].concat();
    for _ in 0..300 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    assert!(closed(&mut s));
    // Random bytes after a good handshake, and to the HTTP port; truncated requests.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..60 {
        let len = (next() % 300) as usize + 1;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let mut s = if i % 2 == 0 {
            bolt_connect(&b, [0, 0, 4, 5]).0
        } else {
            let s = TcpStream::connect(&h).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s
        };
        let _ = s.write_all(&bytes);
        let _ = s.shutdown(std::net::Shutdown::Write);
        assert!(closed(&mut s), "case {i}");
    }
    let mut s = TcpStream::connect(&h).unwrap();
    s.write_all(b"POST /query HTTP/1.1\r\ncontent-length: 100\r\n\r\n{\"sta")
        .unwrap();
    drop(s);
    let mut s = TcpStream::connect(&h).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(format!("GET /{} HTTP/1.1\r\n", "a".repeat(20_000)).as_bytes())
        .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    // Still answering, over both protocols.
    let (status, v) = query(&h, serde_json::json!({"statement": "RETURN 1 AS one"}));
    assert_eq!((status, v["rows"][0][0].as_i64()), (200, Some(1)));
    let (mut s, _) = bolt_connect(&b, [0, 0, 4, 5]);
    bolt_send(
        &mut s,
        0x01,
        vec![map(&[("user_agent", Value::str("test/1"))])],
    );
    assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
    bolt_send(&mut s, 0x6A, vec![map(&[("scheme", Value::str("none"))])]);
    assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
    bolt_send(
        &mut s,
        0x10,
        vec![Value::str("RETURN 7 AS n"), map(&[]), map(&[])],
    );
    assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
    bolt_send(&mut s, 0x3F, vec![map(&[("n", Value::Int(-1))])]);
    assert_eq!(
        bolt_recv(&mut s),
        Some(Value::Struct(0x71, vec![Value::List(vec![Value::Int(7)])]))
    );
    assert!(server.terminate().success(), "{}", server.log());
}

#[test]
fn sigterm_stops_the_server_and_releases_the_database() {
    let db = seeded_db();
    let mut server = start(&db.path, &[]);
    let busy = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .arg("stats")
        .output()
        .unwrap();
    assert!(busy.status.success(), "local commands follow the server");
    // A client still connected does not hold up the stop.
    let (_idle, _) = bolt_connect(&server.bolt, [0, 0, 4, 5]);
    let status = server.terminate();
    assert!(status.success(), "{status:?}\n{}", server.log());
    assert!(server.log().contains("stopped"), "{}", server.log());
    let check = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .arg("check")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn only_loopback_without_a_password_and_the_password_is_checked() {
    let db = seeded_db();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .args(["serve", "--bolt", "0.0.0.0:0", "--http", "off"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen-any"));

    let pw = db.dir.path().join("pw");
    std::fs::write(&pw, "s3cret\n").unwrap();
    let server = start(&db.path, &["--password-file", pw.to_str().unwrap()]);
    let body = r#"{"statement": "RETURN 1"}"#;
    assert_eq!(http(&server.http, "POST", "/query", &[], body).0, 401);
    assert_eq!(
        http(
            &server.http,
            "POST",
            "/query",
            &["authorization: Bearer wrong"],
            body
        )
        .0,
        401
    );
    assert_eq!(
        http(
            &server.http,
            "POST",
            "/query",
            &["authorization: Bearer s3cret"],
            body
        )
        .0,
        200
    );
    // "neo4j:s3cret" in base64.
    let basic = "authorization: Basic bmVvNGo6czNjcmV0";
    assert_eq!(http(&server.http, "POST", "/query", &[basic], body).0, 200);

    for (password, ok) in [("wrong", false), ("s3cret", true)] {
        let (mut s, _) = bolt_connect(&server.bolt, [0, 0, 4, 5]);
        bolt_send(
            &mut s,
            0x01,
            vec![map(&[("user_agent", Value::str("test/1"))])],
        );
        assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
        let auth = map(&[
            ("scheme", Value::str("basic")),
            ("principal", Value::str("neo4j")),
            ("credentials", Value::str(password)),
        ]);
        bolt_send(&mut s, 0x6A, vec![auth]);
        match bolt_recv(&mut s) {
            Some(Value::Struct(0x70, _)) => assert!(ok),
            Some(Value::Struct(0x7F, f)) => {
                assert!(!ok);
                assert_eq!(
                    f[0].get("code").and_then(Value::as_str),
                    Some("Neo.ClientError.Security.Unauthorized")
                );
                assert!(closed(&mut s));
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Chromium, or `None` (then the page check is skipped, except under CI=true, where
/// .ci/run installs it and its absence fails the test).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|c| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(c))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "Chromium is missing; .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("SKIPPING the page check: Chromium is not installed (apt-get install chromium)");
    }
    found
}

#[test]
fn the_live_page_runs_a_query_and_shows_a_source_sentence_in_chromium() {
    let Some(chrome) = chromium() else {
        return;
    };
    let db = seeded_db();
    let server = start(&db.path, &[]);
    let q = "MATCH (o:Organization {name: 'Ministry of Public Security'})-[r:PARTICIPATED_IN]->(e:Event) RETURN o, r, e";
    let url = format!(
        "http://{}/#query={}&select=first",
        server.http,
        q.bytes()
            .map(|b| if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            })
            .collect::<String>()
    );
    let profile = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        Command::new(&chrome)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--virtual-time-budget=15000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let out = run(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("data-ready=\"1\""),
        "{dom}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dom.contains("data-error"), "{dom}");
    let attr = |name: &str| -> usize {
        let at = dom
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("no {name} in {dom}"));
        dom[at + name.len() + 2..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(attr("data-rows") > 0);
    assert!(attr("data-nodes") >= 2 && attr("data-edges") >= 1, "{dom}");
    assert!(
        dom.contains("<blockquote class=\"source\">"),
        "no source sentence shown: {dom}"
    );
    assert!(dom.contains("<mark>"), "{dom}");

    let shot = Path::new(ROOT).join("target").join("serve-page.png");
    let out = run(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1400,900",
    ]);
    assert!(shot.is_file(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `coopgraph --db DB ARGS` (in `cwd`, with `stdin`): the exit status, standard
/// output and standard error.
fn cg(db: &Path, cwd: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(db)
        .args(args)
        .current_dir(cwd)
        .env_remove("COOPGRAPH_DB")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The running time ("in 0.52 s") of an ingest's summary, which differs between runs.
fn without_seconds(s: &str) -> String {
    let mut out = s.to_string();
    let mut from = 0;
    while let Some(at) = out[from..].find(" in ").map(|i| i + from + 4) {
        let digits = out[at..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(0);
        if digits > 0 && out[at + digits..].starts_with(" s") {
            out.replace_range(at..at + digits, "…");
        }
        from = at;
    }
    out
}

#[test]
fn local_commands_follow_the_server_and_print_the_same() {
    let db = seeded_db();
    let work = db.dir.path();
    std::fs::write(
        work.join("q.cql"),
        "// countries\nMATCH (c:Country) RETURN c.name ORDER BY c.name LIMIT 4;\nMATCH (n:Nope) RETURN n;\n",
    )
    .unwrap();
    let articles = Path::new(ROOT).join("../shared/articles");
    let q = question();
    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["stats"], None),
        (vec!["stats", "--format", "json"], None),
        (vec!["query", "--format", "table", &q], None),
        (
            vec![
                "query",
                "MATCH (c:Country {name: $n}) RETURN c",
                "--param",
                "n=Vietnam",
            ],
            None,
        ),
        (vec!["query", "MATCH (c:Country) RETURN c.name +"], None),
        (vec!["run", "q.cql", "--format", "csv"], None),
        (vec!["run", "-"], Some("MATCH (n) RETURN count(n) AS n;")),
        (vec![], Some("RETURN 1 AS one;\nRETURN x;")),
        (vec!["explain", "Vietnam"], None),
        (vec!["explain", "nobody at all"], None),
        (vec!["export", "--format", "jsonl"], None),
        (
            vec![
                "export",
                "--format",
                "graphml",
                "--query",
                "MATCH p=(:Organization)-[:OF]->(:Country) RETURN p",
            ],
            None,
        ),
        (vec!["export", "--format", "json", "-o", "out.json"], None),
        (vec!["check"], None),
        (vec!["remove", "no-such-document"], None),
    ];
    let alone: Vec<_> = cases
        .iter()
        .map(|(args, stdin)| cg(&db.path, work, args, *stdin))
        .collect();
    let exported = std::fs::read(work.join("out.json")).unwrap();
    std::fs::remove_file(work.join("out.json")).unwrap();

    let mut server = start(&db.path, &[]);
    assert!(db.path.join("serve.json").exists());
    for ((args, stdin), expected) in cases.iter().zip(&alone) {
        let got = cg(&db.path, work, args, *stdin);
        assert_eq!(&got, expected, "coopgraph {args:?} through the server");
    }
    assert_eq!(std::fs::read(work.join("out.json")).unwrap(), exported);

    // Writes through the server: an ingest prints what it prints alone (but for its
    // running time) and leaves the same graph; queries still answer meanwhile.
    let twin = tempfile::tempdir().unwrap();
    let twin_db = twin.path().join("db");
    let seeds = Path::new(ROOT).join("seeds");
    let (c, _, _) = cg(&twin_db, work, &["ingest", seeds.to_str().unwrap()], None);
    assert_eq!(c, 0);
    let ingest = ["ingest", "--batch", "3", articles.to_str().unwrap()];
    let (c1, o1, e1) = cg(&twin_db, work, &ingest, None);
    let (c2, o2, e2) = cg(&db.path, work, &ingest, None);
    assert_eq!((c1, &o1), (c2, &o2));
    assert_eq!(without_seconds(&e1), without_seconds(&e2), "{e2}");
    let remove = ["remove", "d03", "d04"];
    assert_eq!(
        cg(&twin_db, work, &remove, None),
        cg(&db.path, work, &remove, None)
    );
    let (status, v) = query(
        &server.http,
        serde_json::json!({"statement": "MATCH (d:Document) RETURN count(d) AS n"}),
    );
    assert_eq!(status, 200);
    let (_, twin_docs, _) = cg(
        &twin_db,
        work,
        &["query", "MATCH (d:Document) RETURN count(d) AS n"],
        None,
    );
    assert!(
        twin_docs.contains(&format!("\"n\":{}", v["rows"][0][0])),
        "{twin_docs} {v}"
    );
    let export = ["export", "--format", "jsonl"];
    assert!(cg(&twin_db, work, &export, None) == cg(&db.path, work, &export, None));

    assert!(server.terminate().success(), "{}", server.log());
    assert!(
        !db.path.join("serve.json").exists(),
        "the record outlived the server"
    );
    assert!(
        !db.path.join("serve.sock").exists(),
        "the socket outlived the server"
    );
    let (c, out, _) = cg(&db.path, work, &["check"], None);
    assert_eq!(c, 0, "{out}");
}

#[path = "../examples/synth/mod.rs"]
mod synth;

#[test]
fn kill_nine_of_the_server_during_an_ingest_through_it_leaves_whole_documents() {
    // Short synthetic articles, ingested in batches of 5 through the server; the server
    // is killed once a given number of them is stored.
    let mut gen = synth::Generator::new(7, 200);
    let lines: Vec<String> = (0..40)
        .map(|i| {
            let mut a = gen.article(i);
            a.id = format!("k-{i}");
            let mut cut = a.text.len().min(700);
            while !a.text.is_char_boundary(cut) {
                cut -= 1;
            }
            a.text.truncate(cut);
            a.to_json_line()
        })
        .collect();
    let count = "MATCH (d:Document) WHERE d.id STARTS WITH 'k-' RETURN count(d) AS n";
    for target in [5, 20] {
        let db = seeded_db();
        let work = db.dir.path();
        let file = work.join("batch.jsonl");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let mut server = start(&db.path, &[]);
        let ingest = Command::new(BIN)
            .arg("--db")
            .arg(&db.path)
            .args(["ingest", "--batch", "5"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t = Instant::now();
        loop {
            let (_, v) = query(&server.http, serde_json::json!({ "statement": count }));
            if v["rows"][0][0].as_i64().unwrap() >= target {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "the ingest made no progress"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let t = Instant::now();
        let out = ingest.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(t.elapsed() < Duration::from_secs(10));
        if !out.status.success() {
            assert!(err.contains("stopped before the command ended"), "{err}");
        }
        assert!(
            db.path.join("serve.json").exists(),
            "a killed server leaves its record"
        );

        // The stale record is ignored at once; the database opens and checks.
        let t = Instant::now();
        let (c, checked, _) = cg(&db.path, work, &["check"], None);
        assert_eq!(c, 0, "{checked}");
        assert!(checked.contains(": ok"), "{checked}");
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "check waited on the dead server"
        );
        // Whole documents or none: exactly what ingesting the first k of them gives.
        let (_, got, _) = cg(&db.path, work, &["query", count], None);
        let v: serde_json::Value = serde_json::from_str(&got).unwrap();
        let k = v[0]["n"].as_u64().unwrap() as usize;
        assert!(
            k >= target as usize,
            "{k} documents after {target} were seen"
        );
        let reference = seeded_db();
        let part = reference.dir.path().join("part.jsonl");
        std::fs::write(&part, lines[..k].join("\n") + "\n").unwrap();
        let (c, _, e) = cg(
            &reference.path,
            work,
            &["ingest", "--batch", "5", part.to_str().unwrap()],
            None,
        );
        assert_eq!(c, 0, "{e}");
        let export = ["export", "--format", "jsonl"];
        assert!(
            cg(&db.path, work, &export, None) == cg(&reference.path, work, &export, None),
            "killed after {k} documents: the database differs from ingesting exactly those"
        );
        // And the ingest run again completes it.
        let (c, _, e) = cg(
            &db.path,
            work,
            &["ingest", "--batch", "5", file.to_str().unwrap()],
            None,
        );
        assert_eq!(c, 0, "{e}");
    }
}

/// A Bolt message in chunks of at most `size` bytes, with its end marker.
fn chunked(tag: u8, fields: Vec<Value>, size: usize) -> Vec<u8> {
    let mut body = Vec::new();
    packstream::encode(&Value::Struct(tag, fields), &mut body);
    let mut out = Vec::new();
    for c in body.chunks(size.max(1)) {
        out.extend_from_slice(&(c.len() as u16).to_be_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn mutated_bolt_sessions_and_http_requests_close_only_their_connection() {
    let db = seeded_db();
    let mut server = start(&db.path, &[]);
    let (b, h) = (server.bolt.clone(), server.http.clone());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // A whole session after the handshake, in chunks of random sizes, then cut short,
    // bytes overwritten, or bytes inserted; the server answers what it can and closes.
    for case in 0..150 {
        let size = 1 + (next() % 40) as usize;
        let nest = (0..(next() % 100)).fold(Value::Int(1), |v, _| Value::List(vec![v]));
        let mut session = [
            chunked(
                0x01,
                vec![map(&[("user_agent", Value::str("fuzz/1"))])],
                size,
            ),
            chunked(0x6A, vec![map(&[("scheme", Value::str("none"))])], size),
            chunked(
                0x10,
                vec![
                    Value::str("MATCH (c:Country) RETURN c, $p AS p LIMIT 3"),
                    map(&[("p", nest)]),
                    map(&[]),
                ],
                size,
            ),
            chunked(0x3F, vec![map(&[("n", Value::Int(2))])], size),
            chunked(0x3F, vec![map(&[("n", Value::Int(-1))])], size),
        ]
        .concat();
        match case % 3 {
            0 => session.truncate((next() as usize) % session.len()),
            1 => {
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % session.len();
                    session[at] = next() as u8;
                }
            }
            _ => {
                let at = (next() as usize) % session.len();
                let junk: Vec<u8> = (0..1 + next() % 8).map(|_| next() as u8).collect();
                session.splice(at..at, junk);
            }
        }
        let (mut s, v) = bolt_connect(&b, [0, 0, 4, 5]);
        assert_eq!(v, [0, 0, 4, 5]);
        let _ = s.write_all(&session);
        let _ = s.shutdown(std::net::Shutdown::Write);
        assert!(closed(&mut s), "bolt case {case}");
    }
    // HTTP requests cut short or overwritten, huge or bad sizes, deep JSON.
    let body =
        r#"{"statement": "MATCH (c:Country {name: $n}) RETURN c", "parameters": {"n": "Vietnam"}}"#;
    let good = format!(
        "POST /query HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    for case in 0..150 {
        let mut req = good.clone().into_bytes();
        if case % 2 == 0 {
            req.truncate((next() as usize) % req.len());
        } else {
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % req.len();
                req[at] = next() as u8;
            }
        }
        let mut s = TcpStream::connect(&h).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let _ = s.write_all(&req);
        let _ = s.shutdown(std::net::Shutdown::Write);
        assert!(closed(&mut s), "http case {case}");
    }
    let deep = format!(
        r#"{{"statement": "RETURN $p", "parameters": {{"p": {}1{}}}}}"#,
        "[".repeat(600_000),
        "]".repeat(600_000)
    );
    for (head, body, status) in [
        (
            "content-length: 99999999999999999999999",
            String::new(),
            400,
        ),
        ("content-length: 1099511627776", String::new(), 413),
        ("content-length: -1", String::new(), 400),
        ("content-length: 1\r\ncontent-length: 2", "x".into(), 400),
        (
            &format!("content-length: {}", deep.len()) as &str,
            deep.clone(),
            413,
        ),
        (&*"x-a: b\r\n".repeat(200), String::new(), 431),
    ] {
        let mut s = TcpStream::connect(&h).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let _ = s.write_all(
            format!("POST /query HTTP/1.1\r\nconnection: close\r\n{head}\r\n\r\n{body}").as_bytes(),
        );
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{head:.60}: {answer:.200}"
        );
    }
    // Chunked bodies: read whole (extensions and trailers dropped), or refused.
    let body = r#"{"statement": "RETURN $n AS n", "parameters": {"n": 5}}"#;
    let (head, tail) = body.split_at(20);
    for (chunks, status) in [
        (
            format!(
                "{:x}\r\n{head}\r\n{:X};ext=1\r\n{tail}\r\n0\r\nx-t: 1\r\n\r\n",
                head.len(),
                tail.len()
            ),
            200,
        ),
        (format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len() + 3), 400),
        ("zz\r\n".to_string(), 400),
        ("200000\r\n".to_string(), 413),
    ] {
        let mut s = TcpStream::connect(&h).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let _ = s.write_all(
            format!("POST /query HTTP/1.1\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n{chunks}")
                .as_bytes(),
        );
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{chunks:?}: {answer:.300}"
        );
        if status == 200 {
            assert!(answer.contains(r#""rows":[[5]]"#), "{answer}");
        }
    }
    let mut s = TcpStream::connect(&h).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = s.write_all(
        b"POST /query HTTP/1.1\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

    // A deep JSON body within the size limit is a 400, not a stack overflow.
    let deep = format!(
        r#"{{"statement": "RETURN 1", "parameters": {{"p": {}1{}}}}}"#,
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let (status, _) = http(&h, "POST", "/query", &[], &deep);
    assert_eq!(status, 400);

    // Still answering, over both protocols.
    let (status, v) = query(&h, serde_json::json!({"statement": "RETURN 1 AS one"}));
    assert_eq!((status, v["rows"][0][0].as_i64()), (200, Some(1)));
    let (mut s, _) = bolt_connect(&b, [0, 0, 4, 5]);
    bolt_send(
        &mut s,
        0x01,
        vec![map(&[("user_agent", Value::str("test/1"))])],
    );
    assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
    assert!(server.terminate().success(), "{}", server.log());
}

#[test]
fn the_shell_on_a_served_database_runs_its_inputs_in_the_server() {
    use rexpect::session::spawn_command;
    let db = seeded_db();
    let work = db.dir.path();
    let mut server = start(&db.path, &[]);
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(&db.path)
        .current_dir(work)
        .env_remove("COOPGRAPH_DB")
        .env("XDG_STATE_HOME", work.join("state"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(c, Some(120_000)).expect("spawn the shell");
    let prompt = "coopgraph> ";
    p.exp_string("a server holds").unwrap();
    p.exp_string(prompt).unwrap();
    let enter = |p: &mut rexpect::session::PtySession, text: &str| {
        p.send(text).unwrap();
        p.send("\r").unwrap();
        p.flush().unwrap();
    };
    // Statements, parameters, meta-commands and their errors, as in a shell of its own.
    enter(&mut p, ":param n Vietnam");
    p.exp_string(prompt).unwrap();
    enter(
        &mut p,
        "MATCH (c:Country {name: $n}) RETURN c.name AS name;",
    );
    p.exp_string("| Vietnam |").unwrap();
    p.exp_string("1 row").unwrap();
    enter(&mut p, "RETURN nope;");
    p.exp_string("error: ").unwrap();
    enter(&mut p, ":sources Vietnam");
    p.exp_string("Vietnam").unwrap();
    enter(&mut p, ":mode csv");
    enter(
        &mut p,
        "MATCH (c:Country) RETURN c.name ORDER BY c.name LIMIT 2;",
    );
    p.exp_string("c.name").unwrap();
    enter(&mut p, ":export json rows.json");
    p.exp_string("wrote 2 rows to rows.json").unwrap();
    assert!(
        work.join("rows.json").exists(),
        "the file goes to the shell's directory"
    );
    // A write through the shell: other clients see it.
    let articles = Path::new(ROOT).join("../shared/articles/d01.txt");
    enter(&mut p, &format!(":ingest {}", articles.display()));
    p.exp_string("ingested 1 article").unwrap();
    p.exp_string(prompt).unwrap();
    let (status, v) = query(
        &server.http,
        serde_json::json!({"statement": "MATCH (d:Document {id: 'd01'}) RETURN count(d)"}),
    );
    assert_eq!((status, v["rows"][0][0].as_i64()), (200, Some(1)), "{v}");
    // Ctrl-C cancels a long statement in the server; the shell goes on.
    enter(&mut p, "MATCH (a)-[*1..9]-(b) RETURN count(*);");
    p.exp_string("count(*)").unwrap();
    std::thread::sleep(Duration::from_secs(2));
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    enter(&mut p, "RETURN 41 + 1 AS n;");
    p.exp_string("42").unwrap();
    // Ctrl-D only once the line editor reads again: a byte sent before it takes the
    // terminal back is flushed with the cooked-mode input.
    p.exp_string(prompt).unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    assert!(server.terminate().success(), "{}", server.log());
}

/// Sends RUN and PULL (all rows) and gives the bookmark of the summary.
fn bolt_bookmark(s: &mut TcpStream, query: &str) -> String {
    bolt_send(s, 0x10, vec![Value::str(query), map(&[]), map(&[])]);
    bolt_send(s, 0x3F, vec![map(&[("n", Value::Int(-1))])]);
    loop {
        let Some(Value::Struct(t, f)) = bolt_recv(s) else {
            panic!("the connection ended");
        };
        assert_ne!(t, 0x7F, "{f:?}");
        if let Some(b) = f.first().and_then(|m| m.get("bookmark")) {
            return b.as_str().unwrap().to_string();
        }
    }
}

fn bolt_login(addr: &str) -> TcpStream {
    let (mut s, v) = bolt_connect(addr, [0, 8, 8, 5]);
    assert_eq!(v, [0, 0, 8, 5]);
    bolt_send(
        &mut s,
        0x01,
        vec![map(&[("user_agent", Value::str("test"))])],
    );
    bolt_send(&mut s, 0x6A, vec![map(&[("scheme", Value::str("none"))])]);
    for _ in 0..2 {
        assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
    }
    s
}

#[test]
fn bookmarks_name_the_commit_and_grow_with_an_ingest_through_the_server() {
    let db = seeded_db();
    let mut server = start(&db.path, &[]);
    let mut s = bolt_login(&server.bolt);
    let seq = |b: &str| -> u64 { b.strip_prefix("coopgraph:").unwrap().parse().unwrap() };
    let b1 = bolt_bookmark(&mut s, "RETURN 1");
    assert!(seq(&b1) >= 1, "{b1}");

    // Two durable batches through the server.
    let docs = db.dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    for (i, who) in ["Alpha Ministry", "Beta Agency"].iter().enumerate() {
        std::fs::write(
            docs.join(format!("a{i}.txt")),
            format!("Vietnam and Laos signed an agreement on {who} cooperation on 3 May 2024.\n"),
        )
        .unwrap();
    }
    let (code, _, err) = cg(
        &db.path,
        db.dir.path(),
        &["ingest", "--batch", "1", docs.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let b2 = bolt_bookmark(&mut s, "RETURN 1");
    assert!(seq(&b2) >= seq(&b1) + 2, "{b1} then {b2}");

    // BEGIN accepts the bookmark; COMMIT answers the same state.
    bolt_send(
        &mut s,
        0x11,
        vec![map(&[("bookmarks", Value::List(vec![Value::str(&b2)]))])],
    );
    assert!(matches!(bolt_recv(&mut s), Some(Value::Struct(0x70, _))));
    bolt_send(&mut s, 0x12, vec![]);
    let Some(Value::Struct(0x70, f)) = bolt_recv(&mut s) else {
        panic!("COMMIT failed");
    };
    assert_eq!(
        f[0].get("bookmark").and_then(Value::as_str),
        Some(b2.as_str())
    );

    // A later state than the database has: refused, with the Neo4j code and a GQL status.
    let future = format!("coopgraph:{}", seq(&b2) + 1);
    bolt_send(
        &mut s,
        0x11,
        vec![map(&[(
            "bookmarks",
            Value::List(vec![Value::str(&future)]),
        )])],
    );
    let Some(Value::Struct(0x7F, f)) = bolt_recv(&mut s) else {
        panic!("a bookmark from the future was accepted");
    };
    assert_eq!(
        f[0].get("neo4j_code").and_then(Value::as_str),
        Some("Neo.ClientError.Transaction.InvalidBookmark")
    );
    assert!(f[0].get("gql_status").is_some(), "{f:?}");
    drop(s);

    // The commit number survives a restart.
    assert!(server.terminate().success(), "{}", server.log());
    let mut server = start(&db.path, &[]);
    let mut s = bolt_login(&server.bolt);
    assert_eq!(bolt_bookmark(&mut s, "RETURN 1"), b2);
    drop(s);
    assert!(server.terminate().success(), "{}", server.log());
}

#[test]
fn neo4j_cli_from_pypi_queries_the_server_and_shows_its_errors() {
    let db = seeded_db();
    let venv = Command::new(Path::new(ROOT).join("scripts/server-venv.sh"))
        .output()
        .unwrap();
    assert!(
        venv.status.success(),
        "{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let python = PathBuf::from(String::from_utf8(venv.stdout).unwrap().trim());
    let cli = python.parent().unwrap().join("neo4j-cli");
    let mut server = start(&db.path, &[]);
    let home = db.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let run = |cypher: &str| {
        Command::new(&cli)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .args(["query", "--uri", &format!("bolt://{}", server.bolt)])
            .args(["-u", "neo4j", "-p", "unused", "--format", "json", cypher])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run("MATCH (c:Country) WHERE c.name STARTS WITH 'V' RETURN c.name AS name");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["rows"], serde_json::json!([{"name": "Vietnam"}]), "{v}");
    let out = run("MATCH (n RETURN n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("Neo.ClientError.Statement.SyntaxError") && stderr.contains('^'),
        "{stderr}"
    );
    assert!(server.terminate().success(), "{}", server.log());
}
