//! End-to-end regression tests for issue 13: inputs, faults and resource bounds that
//! must neither lose data nor take the process down. Each test reproduces one finding
//! of the audit; `scripts/fault-test.sh` runs them with the rest of the fault suite.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `c` and kills it if it is still running after `limit`; returns its output and
/// whether it finished in time.
fn run_within(mut c: Command, limit: Duration) -> (std::process::Output, bool) {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn coopgraph");
    let start = Instant::now();
    let mut in_time = true;
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            in_time = false;
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().expect("output"), in_time)
}

/// The largest resident set of any child process waited for so far, in bytes.
fn children_max_rss() -> u64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    u.ru_maxrss as u64 * 1024
}

/// A dump in coopgraph's one-record-per-line layout of about `bytes` bytes whose first
/// node line is `first` (or a valid node when `None`).
fn big_dump(bytes: usize, first: Option<&str>) -> String {
    let mut s = String::from("{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[\n");
    let mut i = 0u64;
    if let Some(f) = first {
        s.push_str(f);
        i = 1;
    }
    while s.len() < bytes {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&format!(
            "{{\"id\":\"n{i}\",\"labels\":[\"Event\"],\"properties\":{{\"kind\":\"meeting\",\"title\":\"Talks number {i} about nothing in particular\"}}}}"
        ));
        i += 1;
    }
    s.push_str("\n],\"edges\":[\n\n]}\n");
    s
}

// ---- item 2: import deadlock and SIGBUS ------------------------------------------------

#[test]
fn a_large_dump_with_an_early_bad_record_fails_instead_of_hanging() {
    let dir = Dir::new();
    let bad = "{\"id\":\"n0\",\"labels\":[\"Evnt\"],\"properties\":{}}";
    let f = dir.write("big.json", &big_dump(40 << 20, Some(bad)));
    let mut c = dir.cg();
    c.args(["import", "--format", "json"]).arg(&f);
    let (o, in_time) = run_within(c, Duration::from_secs(120));
    assert!(in_time, "import hung on a bad early record");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 2: nodes[0]: unknown label :Evnt"),
        "{err}"
    );
    // The database lock was released: another command runs.
    let mut c = dir.cg();
    c.args(["stats"]);
    let (o, in_time) = run_within(c, Duration::from_secs(60));
    assert!(in_time && o.status.code().is_some(), "{o:?}");
}

#[test]
fn a_dump_truncated_during_import_gives_a_message_not_sigbus() {
    use std::os::unix::process::ExitStatusExt;
    let dir = Dir::new();
    let text = big_dump(8 << 20, None);
    for delay_ms in [2u64, 40] {
        let f = dir.write("t.json", &text);
        let mut c = dir.cg();
        c.args(["import", "--format", "json"]).arg(&f);
        let child = c
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let file = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
        file.set_len(text.len() as u64 / 3).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.signal(),
            None,
            "killed by a signal after {delay_ms} ms"
        );
        assert!(matches!(o.status.code(), Some(0 | 2)), "{o:?}");
        std::fs::remove_dir_all(dir.db()).ok();
    }
}

#[test]
fn special_files_are_refused_by_type() {
    let dir = Dir::new();
    let fifo = dir.path("fifo.json");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain mkfifo on a path in our temporary directory.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    for (input, kind) in [
        (fifo.as_path(), "FIFO"),
        (std::path::Path::new("/dev/zero"), "character device"),
    ] {
        for format in ["json", "jsonl"] {
            let mut c = dir.cg();
            c.args(["import", "--format", format]).arg(input);
            let (o, in_time) = run_within(c, Duration::from_secs(30));
            assert!(in_time, "import of {} hung", input.display());
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert!(
                err.contains(&format!("not a regular file (a {kind})")),
                "{err}"
            );
        }
    }
}

// ---- item 5: the id table stays bounded -------------------------------------------------

#[test]
fn tiny_dumps_with_sparse_ids_keep_the_database_small() {
    let dir = Dir::new();
    // Each number is just under the bound the previous import would have allowed before.
    let mut bound: u64 = 1 << 24;
    for (k, label) in ["Country", "Country", "Country"].iter().enumerate() {
        let id = bound - 1;
        let dump = format!(
            "{{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[\n{{\"id\":\"n{id}\",\"labels\":[\"{label}\"],\"properties\":{{\"name\":\"C{k}\",\"iso2\":\"Q{k}\"}}}}\n],\"edges\":[\n\n]}}\n"
        );
        let f = dir.write(&format!("d{k}.json"), &dump);
        let mut c = dir.cg();
        c.args(["import", "--format", "json"]).arg(&f);
        ok(c);
        bound = bound * 4 + (1 << 24);
    }
    let mut c = dir.cg();
    c.args([
        "query",
        "--format",
        "tsv",
        "MATCH (c:Country) RETURN id(c) ORDER BY id(c)",
    ]);
    let out = ok(c);
    assert!(
        out.contains("n16777215") && out.contains("n83886079"),
        "{out}"
    );
    assert!(children_max_rss() < 256 << 20, "rss {}", children_max_rss());
}

// ---- item 7: control characters on terminals ---------------------------------------------

/// A database loaded from tests/fixtures/evil.json, whose Event title holds a terminal
/// title escape (`ESC ] 0 ; … BEL`).
fn evil_db(dir: &Dir) {
    let mut c = dir.cg();
    c.arg("import").arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/evil.json"
    ));
    ok(c);
}

const TITLE_QUERY: &str = "MATCH (e:Event) RETURN e.title AS title";

/// Runs `coopgraph ARGS` in a pseudo-terminal and returns all it printed there.
fn on_terminal(dir: &Dir, args: &[&str]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
    c.arg("--db")
        .arg(dir.db())
        .args(args)
        .env_remove("COOPGRAPH_DB");
    let mut p = rexpect::session::spawn_command(c, Some(120_000)).expect("spawn in a pty");
    p.exp_eof().expect("the command ends")
}

#[test]
fn human_formats_show_control_characters_escaped() {
    let dir = Dir::new();
    evil_db(&dir);
    // The table is for people wherever it goes.
    let mut c = dir.cg();
    c.args(["query", "--format", "table", TITLE_QUERY]);
    let table = ok(c);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(table.contains("\\u{1b}]0;pwned\\u{7}"), "{table}");
    // csv, tsv and markdown on a terminal are escaped too.
    for format in ["csv", "tsv", "markdown", "table"] {
        let out = on_terminal(&dir, &["query", "--format", format, TITLE_QUERY]);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{format}: {out:?}"
        );
        assert!(out.contains("\\u{1b}]0;pwned"), "{format}: {out:?}");
    }
}

#[test]
fn machine_formats_keep_the_exact_data() {
    let dir = Dir::new();
    evil_db(&dir);
    for format in ["csv", "tsv", "markdown"] {
        let mut c = dir.cg();
        c.args(["query", "--format", format, TITLE_QUERY]);
        let out = ok(c);
        assert!(out.contains("\u{1b}]0;pwned\u{7}"), "{format}: {out:?}");
    }
    let mut c = dir.cg();
    c.args(["query", "--format", "json", TITLE_QUERY]);
    let v: serde_json::Value = serde_json::from_str(&ok(c)).unwrap();
    assert!(v[0]["title"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;pwned\u{7}"));
}

#[test]
fn error_messages_and_warnings_escape_what_they_quote() {
    let dir = Dir::new();
    evil_db(&dir);
    // A warning (unknown label) and an error excerpt that quote the query text.
    let mut c = dir.cg();
    c.args(["query", "MATCH (n:`\u{1b}]0;x\u{7}`) RETURN n"]);
    let o = run(c);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("\\u{1b}]0;x\\u{7}"), "{err}");
    let mut c = dir.cg();
    c.args(["query", "RETURN '\u{1b}[2J' +"]);
    let err = fails(c, 3);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    // A path in a message.
    let mut c = dir.cg();
    c.args(["import"]).arg(dir.path("no\u{1b}[31mfile.json"));
    let err = fails(c, 2);
    assert!(
        !err.contains('\u{1b}') && err.contains("\\u{1b}[31m"),
        "{err:?}"
    );
}

#[test]
fn the_shell_escapes_results_and_errors() {
    let dir = Dir::new();
    evil_db(&dir);
    let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
    c.arg("--db")
        .arg(dir.db())
        .env_remove("COOPGRAPH_DB")
        .env("XDG_STATE_HOME", dir.path("state"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(c, Some(120_000)).expect("spawn the shell");
    p.exp_string("coopgraph> ").expect("prompt");
    let query = format!("{TITLE_QUERY};");
    for (i, line) in [
        query.as_str(),
        ":mode csv",
        query.as_str(),
        "RETURN '\u{1b}]0;x\u{7}' +;",
    ]
    .into_iter()
    .enumerate()
    {
        p.send_line(line).expect("type");
        // A marker the echo of the typed line does not contain, printed after the result.
        p.send_line(&format!("RETURN 'ma' + 'rk{i}' AS m;"))
            .expect("type");
        let shown = p.exp_string(&format!("mark{i}")).expect("the marker");
        // The shell's own line editing uses escapes; the data must not.
        assert!(!shown.contains("\u{1b}]0;"), "{line}: {shown:?}");
        if line.starts_with("MATCH") {
            assert!(shown.contains("\\u{1b}]0;pwned\\u{7}"), "{line}: {shown:?}");
        }
    }
    p.send_control('d').expect("ctrl-d");
    p.exp_eof().expect("exit");
}

// ---- item 10: strict import -----------------------------------------------------------

/// A small dump in coopgraph's layout: a document, two nodes citing it, one edge.
const STRICT: &str = r#"{"format":"coopgraph","version":1,"nodes":[
{"id":"doc-1","labels":["Document"],"properties":{"id":"doc-1","text":"Hanoi and Maputo met."}},
{"id":"n5","labels":["Country"],"properties":{"name":"Vietnam","iso2":"VN"},"provenance":[{"doc":"doc-1","start":0,"end":5}]},
{"id":"n9","labels":["Event"],"properties":{"kind":"meeting"},"provenance":[{"doc":"doc-1","start":6,"end":21}]}
],"edges":[
{"id":"e1","type":"PARTICIPATED_IN","source":"n5","target":"n9","properties":{},"provenance":[{"doc":"doc-1","start":0,"end":21}]}
]}
"#;

#[test]
fn contradictory_dumps_are_refused_with_their_json_path() {
    let dir = Dir::new();
    let base = dir.write("base.json", &synthetic_dump(100, 2));
    let mut c = dir.cg();
    c.arg("import").arg(&base);
    ok(c);
    let before = counts(&dir);
    let pretty = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    };
    let dup_node = STRICT.replace(
        r#"{"id":"n9","labels":["Event"]"#,
        r#"{"id":"n5","labels":["Event"]"#,
    );
    let cases = [
        (dup_node.clone(), "line 4: nodes[2]: node id n5 is given twice (first at nodes[1])"),
        (pretty(&dup_node), "nodes[2]: node id n5 is given twice (first at nodes[1])"),
        (
            STRICT.replace(r#""edges":["#, r#""edges":[{"id":"e1","type":"PARTICIPATED_IN","source":"n5","target":"n9","properties":{}},"#),
            "edges[1]: edge id e1 is given twice (first at edges[0])",
        ),
        (
            STRICT.replace(r#""start":6,"end":21"#, r#""start":9,"end":2"#),
            "line 4: nodes[2]: provenance[0]: start 9 is after end 2",
        ),
        (
            STRICT.replace(r#""start":6,"end":21"#, r#""start":6,"end":22"#),
            "nodes[2].provenance: span 6..22 reaches past the text of document doc-1 (21 characters)",
        ),
        (
            STRICT.replace(r#""doc":"doc-1","start":0,"end":5"#, r#""doc":"n9","start":0,"end":5"#),
            "nodes[1].provenance: cites n9 (:Event), which is not a Document",
        ),
        (
            STRICT.replace(r#""doc":"doc-1","start":0,"end":21"#, r#""doc":"doc-9","start":0,"end":21"#),
            "edges[0].provenance: cites document doc-9, which is not in the dump",
        ),
        (
            STRICT.replace(r#""target":"n9""#, r#""target":"n10""#),
            "line 6: edges[0]: target n10 is not a node of the dump",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let f = dir.write(&format!("bad{i}.json"), text);
        let mut c = dir.cg();
        c.arg("import").arg(&f);
        let err = fails(c, 2);
        assert!(err.contains(want), "case {i}: want {want:?} in {err}");
        assert!(err.contains("the database is unchanged"), "case {i}: {err}");
        assert_eq!(counts(&dir), before, "case {i} changed the database");
    }
    // JSON Lines: the same checks, placed by line.
    let jsonl = "{\"id\":\"n5\",\"labels\":[\"Country\"],\"properties\":{\"name\":\"A\",\"iso2\":\"AA\"}}\n\
                 {\"id\":\"n5\",\"labels\":[\"Country\"],\"properties\":{\"name\":\"B\",\"iso2\":\"BB\"}}\n";
    let f = dir.write("dup.jsonl", jsonl);
    let mut c = dir.cg();
    c.args(["import", "--format", "jsonl"]).arg(&f);
    let err = fails(c, 2);
    assert!(
        err.contains("line 2: node id n5 is given twice (first at line 1)"),
        "{err}"
    );
    assert_eq!(counts(&dir), before);
    // The sound dump imports.
    let f = dir.write("good.json", STRICT);
    let mut c = dir.cg();
    c.arg("import").arg(&f);
    ok(c);
}

#[test]
fn a_failed_import_into_a_new_path_leaves_nothing_behind() {
    let dir = Dir::new();
    let bad = dir.write("bad.json", &STRICT.replace("\"Country\"", "\"Contry\""));
    for target in [dir.db(), dir.path("nested/new/db")] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
        c.arg("--db")
            .arg(&target)
            .arg("import")
            .arg(&bad)
            .env_remove("COOPGRAPH_DB");
        let err = fails(c, 2);
        assert!(err.contains("was not created"), "{err}");
        assert!(!target.exists(), "{} was left behind", target.display());
    }
    // An unreadable dump never creates the database either.
    let mut c = dir.cg();
    c.arg("import").arg(dir.path("missing.json"));
    fails(c, 2);
    assert!(!dir.db().exists());
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_guarded_unless_raw() {
    let dir = Dir::new();
    let dump = STRICT.replace(
        r#""name":"Vietnam""#,
        r#""name":"=HYPERLINK(\"http://x\")""#,
    );
    let f = dir.write("d.json", &dump);
    let mut c = dir.cg();
    c.arg("import").arg(&f);
    ok(c);
    let q = "MATCH (c:Country) RETURN c.name AS name, -5 AS n, '@x' AS at";
    let mut c = dir.cg();
    c.args(["query", "--format", "csv", q]);
    assert_eq!(
        ok(c),
        "name,n,at\n\"'=HYPERLINK(\"\"http://x\"\")\",-5,'@x\n"
    );
    let mut c = dir.cg();
    c.args(["query", "--format", "tsv", "--csv-raw", q]);
    assert_eq!(ok(c), "name\tn\tat\n=HYPERLINK(\"http://x\")\t-5\t@x\n");
    for (raw, want) in [(false, "\"'=HYPERLINK("), (true, "\"=HYPERLINK(")] {
        let out = dir.path(if raw { "raw" } else { "guarded" });
        let mut c = dir.cg();
        c.args(["export", "--format", "csv", "-o"]).arg(&out);
        if raw {
            c.arg("--csv-raw");
        }
        ok(c);
        let text = std::fs::read_to_string(out.join("nodes_Country.csv")).unwrap();
        assert!(text.contains(want), "{text}");
        assert!(text.contains("\"n5\""), "ids are never changed: {text}");
    }
}

// ---- item 1: a full disk ----------------------------------------------------------------

/// A small tmpfs mounted for one test and unmounted when dropped; `None` (with the reason
/// printed) where this process may not mount one.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().expect("temp dir");
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .output();
        match o {
            Ok(o) if o.status.success() => Some(SmallDisk { dir }),
            Ok(o) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs (run as root, as CI does): {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount: {e}");
                None
            }
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Bytes free on the disk.
    fn free(&self) -> u64 {
        coopgraph::store::space::free_bytes(self.dir.path()).unwrap()
    }

    /// Fills the disk with `name` until `leave` bytes are free (about: tmpfs counts pages).
    /// The file is made by `fallocate` alone: this process never holds it open, so no
    /// child that another test forks meanwhile can inherit a reference that would keep its
    /// space allocated after [`SmallDisk::remove`].
    fn fill(&self, name: &str, leave: u64) {
        let free = self.free();
        if free > leave {
            let o = Command::new("fallocate")
                .arg("-l")
                .arg((free - leave).to_string())
                .arg(self.path(name))
                .status()
                .unwrap();
            assert!(
                o.success(),
                "fallocate {name} on a disk with {free} bytes free"
            );
        }
        let now = self.free();
        assert!(
            now <= leave.max(free) + (1 << 20),
            "{name}: {now} bytes free after filling to leave {leave}"
        );
    }

    /// Removes the filler `name` and waits until the file system has given its space back
    /// (a file still open somewhere keeps its blocks after the unlink).
    fn remove(&self, name: &str) {
        let path = self.path(name);
        let Ok(meta) = std::fs::metadata(&path) else {
            return;
        };
        let before = self.free();
        std::fs::remove_file(&path).unwrap();
        let start = Instant::now();
        while self.free() < before + meta.len() / 2 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{name} removed but its space was not freed: {} bytes free",
                self.free()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// `coopgraph --db DB ARGS`.
fn cg_at(db: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
    c.arg("--db").arg(db).args(args).env_remove("COOPGRAPH_DB");
    c
}

fn seeds_dir() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")
}

/// A directory in `dir` of `n` distinct articles made from the seed articles.
fn articles(dir: &Dir, n: usize) -> std::path::PathBuf {
    let out = dir.path("articles");
    std::fs::create_dir_all(&out).unwrap();
    let mut seeds: Vec<_> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    for i in 0..n {
        let text = std::fs::read_to_string(&seeds[i % seeds.len()]).unwrap();
        std::fs::write(
            out.join(format!("a{i:03}.txt")),
            format!("Report {i}.\n\n{text}"),
        )
        .unwrap();
    }
    out
}

/// The free and needed megabytes of a [`StorageError::NoSpace`] message about `what`
/// (`db: 41.5 MB free, this batch needs ≥ 67.4 MB; nothing was written …`).
fn refused_sizes(err: &str, what: &str) -> (f64, f64) {
    let sep = format!(" MB free, {what} needs ≥ ");
    let at = err
        .find(&sep)
        .unwrap_or_else(|| panic!("no refusal of {what} in: {err}"));
    let free = err[..at].rsplit(' ').next().and_then(|n| n.parse().ok());
    let needed = err[at + sep.len()..]
        .split(" MB")
        .next()
        .and_then(|n| n.parse().ok());
    match (free, needed) {
        (Some(f), Some(n)) => (f, n),
        _ => panic!("sizes not readable in: {err}"),
    }
}

/// Node and edge counts, and whether `check` passes.
fn sound_counts(db: &std::path::Path) -> (u64, u64) {
    let out = ok(cg_at(db, &["check"]));
    assert!(out.contains(": ok"), "check: {out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(cg_at(db, &["stats", "--format", "json"]))).unwrap();
    (v["nodes"].as_u64().unwrap(), v["edges"].as_u64().unwrap())
}

#[test]
fn a_nearly_full_disk_refuses_writes_and_opens_with_what_is_stored() {
    let Some(disk) = SmallDisk::mount(160) else {
        return;
    };
    let db = disk.path("db");
    let work = Dir::new();
    let articles = articles(&work, 20);
    let articles = articles.to_str().unwrap();
    ok(cg_at(&db, &["ingest", seeds_dir()]));
    let before = sound_counts(&db);
    // Below the write reserve: every batch is refused with the sizes, nothing written.
    disk.fill("filler", 40 << 20);
    let (o, in_time) = run_within(cg_at(&db, &["ingest", articles]), Duration::from_secs(120));
    assert!(in_time, "ingest hung on a nearly full disk");
    let err = String::from_utf8_lossy(&o.stderr);
    // The figure depends on how many articles the refused batch held (a group is also cut
    // after 2 s), so the sizes are read from the message rather than matched as text.
    let (free, needed) = refused_sizes(&err, "this batch");
    assert!(
        free < needed && needed >= 67.1 && err.contains("nothing was written"),
        "{err}"
    );
    let dump = work.write("d.json", &synthetic_dump(1_000_000, 50));
    let mut c = cg_at(&db, &["import"]);
    c.arg(&dump);
    let err = fails(c, 2);
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(sound_counts(&db), before);
    // Below the open reserve: even reading commands refuse to start sled's recovery.
    disk.remove("filler");
    disk.fill("filler", 4 << 20);
    let err = fails(cg_at(&db, &["stats"]), 2);
    assert!(
        err.contains("opening the database needs ≥ 16.8 MB"),
        "{err}"
    );
    // Space freed: the database opens, sound, with everything it had.
    disk.remove("filler");
    assert_eq!(sound_counts(&db), before);
    ok(cg_at(&db, &["ingest", articles]));
    assert!(sound_counts(&db).0 > before.0);
}

/// `COOPGRAPH_DISK_KILLS`, or `default`.
fn kills(default: usize) -> usize {
    std::env::var("COOPGRAPH_DISK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs the ingest `c` with phase timings on and kills it with SIGKILL `delay` after it
/// starts, or (`after_commit`) `delay` after it reports its first durable batch (the
/// `[timing] commit: log record written` line, printed once the batch is flushed);
/// returns what it printed on standard error.
fn kill_ingest(mut c: Command, after_commit: bool, delay: Duration) -> String {
    use std::io::BufRead;
    let mut child = c
        .env("COOPGRAPH_TIMING", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.starts_with("[timing] commit: log record written") {
                let _ = tx.send(());
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    if after_commit {
        // The channel closes when the ingest ends without committing (every batch refused).
        let _ = rx.recv_timeout(Duration::from_secs(120));
    }
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
    reader.join().unwrap()
}

#[test]
fn kill_nine_during_ingest_onto_a_nearly_full_disk_leaves_a_sound_database() {
    let Some(disk) = SmallDisk::mount(200) else {
        return;
    };
    let db = disk.path("db");
    let work = Dir::new();
    let articles = articles(&work, 200);
    let articles = articles.to_str().unwrap();
    ok(cg_at(&db, &["ingest", seeds_dir()]));
    let base = sound_counts(&db);
    let mut grew = 0;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let n = kills(4);
    let mut sound = 0;
    for round in 0..n {
        // Just above the reserve, so that some batches commit and the rest are refused;
        // every other round the reserve is off and sled itself meets the full disk.
        let raw = round % 2 == 1;
        disk.fill(
            "filler",
            if raw {
                24 << 20
            } else {
                (64 << 20) + (1 << 20)
            },
        );
        // One article per durable batch, so that some commit before the reserve is reached.
        let mut c = cg_at(&db, &["ingest", "--batch", "1", articles]);
        if raw {
            c.env("COOPGRAPH_WRITE_RESERVE", "0");
            disk.fill("filler2", 20 << 20);
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Half the rounds are killed at a random time after the start (during the open,
        // the first extraction, the first write); the others at a random time after the
        // first batch was made durable, so that those kills land among commits however
        // slow a loaded machine makes the start (a delay from the start alone often
        // killed every round before its first commit under load).
        let after_commit = round % 4 >= 2;
        let err = kill_ingest(c, after_commit, Duration::from_millis(50 + seed % 1500));
        assert!(!err.contains("no such file"), "{err}");
        // Reading commands while the disk is still full must not damage it.
        let _ = run_within(cg_at(&db, &["stats"]), Duration::from_secs(60));
        disk.remove("filler");
        disk.remove("filler2");
        if sound_counts(&db).0 > base.0 {
            grew += 1;
        }
        sound += 1;
        // Start the next round from a database without the articles.
        if round % 3 == 2 {
            std::fs::remove_dir_all(&db).unwrap();
            ok(cg_at(&db, &["ingest", seeds_dir()]));
        }
    }
    eprintln!(
        "disk kills: {sound} of {n} rounds left a sound database; {grew} had committed articles"
    );
    assert_eq!(sound, n);
    assert!(grew > 0, "no round committed anything before the kill");
}
