//! Helpers shared by the end-to-end tests: a temporary directory and the real binary.
#![allow(dead_code)]

pub mod scoring;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary directory that is removed when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// A fresh empty directory.
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The database path used by [`Dir::cg`].
    pub fn db(&self) -> PathBuf {
        self.path("db")
    }

    /// A `coopgraph --db <dir>/db` command.
    pub fn cg(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
        c.arg("--db").arg(self.db()).env_remove("COOPGRAPH_DB");
        c
    }

    /// Writes a file in the directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p
    }
}

/// Runs a command, returning its output.
pub fn run(mut c: Command) -> Output {
    c.output().expect("run coopgraph")
}

/// Runs a command that must succeed; returns its standard output.
pub fn ok(c: Command) -> String {
    let o = run(c);
    assert!(
        o.status.success(),
        "command failed with {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 output")
}

/// Runs a command that must fail with `code`; returns its standard error.
pub fn fails(c: Command, code: i32) -> String {
    let o = run(c);
    assert_eq!(
        o.status.code(),
        Some(code),
        "expected exit {code}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stderr).expect("utf-8 output")
}

/// A JSON dump with `countries` Country nodes and, for each consecutive pair, an
/// Organization OF the first, plus events: `n` nodes per country with ids from `first_id`.
pub fn synthetic_dump(first_id: u64, events: u64) -> String {
    let mut s = String::from("{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[\n");
    let c = first_id;
    let o = first_id + 1;
    s.push_str(&format!("{{\"id\":\"n{c}\",\"labels\":[\"Country\"],\"properties\":{{\"name\":\"Country {c}\",\"iso2\":\"X{c}\"}}}},\n"));
    s.push_str(&format!("{{\"id\":\"n{o}\",\"labels\":[\"Organization\"],\"properties\":{{\"name\":\"Ministry {o}\",\"kind\":\"ministry\"}}}}"));
    for i in 0..events {
        let id = first_id + 2 + i;
        let day = 1 + i % 28;
        s.push_str(&format!(
            ",\n{{\"id\":\"n{id}\",\"labels\":[\"Event\"],\"properties\":{{\"kind\":\"meeting\",\"date\":\"2025-10-{day:02}\",\"title\":\"Talks {id}\"}}}}"
        ));
    }
    s.push_str("\n],\"edges\":[\n");
    s.push_str(&format!("{{\"id\":\"e{c}\",\"type\":\"OF\",\"source\":\"n{o}\",\"target\":\"n{c}\",\"properties\":{{}}}}"));
    for i in 0..events {
        let id = first_id + 2 + i;
        s.push_str(&format!(
            ",\n{{\"id\":\"e{id}\",\"type\":\"PARTICIPATED_IN\",\"source\":\"n{o}\",\"target\":\"n{id}\",\"properties\":{{\"role\":\"host\"}}}}"
        ));
    }
    s.push_str("\n]}\n");
    s
}

/// The node and edge counts that `stats --format json` reports.
pub fn counts(dir: &Dir) -> (u64, u64) {
    let mut c = dir.cg();
    c.args(["stats", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(c)).expect("stats json");
    (v["nodes"].as_u64().unwrap(), v["edges"].as_u64().unwrap())
}

/// Whether a path exists.
pub fn exists(p: &Path) -> bool {
    p.exists()
}
