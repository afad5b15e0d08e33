//! End-to-end tests of the interactive shell: the real binary in a pseudo-terminal,
//! driven as a user would (typing, Tab, Ctrl-C, Ctrl-D). Timeouts are generous, since
//! these run on loaded machines.

mod common;

use common::Dir;
use rexpect::session::{spawn_command, PtySession};
use std::path::Path;
use std::process::Command;

/// How long to wait for any expected output, in milliseconds.
const WAIT_MS: u64 = 120_000;
const PROMPT: &str = "coopgraph> ";

/// A database built from the seed articles, as the README does it.
fn seeds_db(dir: &Dir) {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut c = dir.cg();
    c.arg("ingest")
        .arg(Path::new(root).join("seeds"))
        .arg("--meta")
        .arg(Path::new(root).join("examples/seeds-meta.jsonl"));
    common::ok(c);
}

/// The shell on the test database, with its history under `dir` and no colours.
fn shell(dir: &Dir, args: &[&str]) -> PtySession {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
    c.arg("--db")
        .arg(dir.db())
        .args(args)
        .env_remove("COOPGRAPH_DB")
        .env("XDG_STATE_HOME", dir.path("state"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(c, Some(WAIT_MS)).expect("spawn the shell");
    p.exp_string(PROMPT).expect("first prompt");
    p
}

/// Types `text` and Enter.
fn enter(p: &mut PtySession, text: &str) {
    p.send(text).expect("type");
    p.send("\r").expect("enter");
    p.flush().expect("flush");
}

/// Leaves with Ctrl-D and waits for the process to end.
fn quit(mut p: PtySession) {
    p.send_control('d').expect("ctrl-d");
    p.exp_eof().expect("the shell exits on ctrl-d");
}

#[test]
fn answers_a_query_and_keeps_going_after_errors() {
    let dir = Dir::new();
    seeds_db(&dir);
    let mut p = shell(&dir, &[]);
    enter(
        &mut p,
        "MATCH (c:Country {name: 'Vietnam'}) RETURN c.iso2 AS iso",
    );
    p.exp_string("| VN ").expect("the answer");
    p.exp_string("1 row").expect("the row count");
    // A syntax error, a plan error and an unknown meta-command leave the shell running.
    enter(&mut p, "MATCH (n RETURN n;");
    p.exp_string("error: Expected").expect("syntax error");
    enter(&mut p, "RETURN x;");
    p.exp_string("variable `x` is not defined")
        .expect("plan error");
    enter(&mut p, ":mdoe csv");
    p.exp_string("did you mean :mode?").expect("did you mean");
    // A statement over several lines runs at its ';'.
    enter(&mut p, "MATCH (c:Country)");
    enter(&mut p, "WHERE c.name = 'Vietnam'");
    enter(&mut p, "RETURN count(*) AS n;");
    p.exp_string(" 1 |").expect("multi-line answer");
    enter(&mut p, ":mode csv");
    enter(&mut p, "RETURN 1 AS a, 'x,y' AS b");
    p.exp_string("a,b").expect("csv header");
    p.exp_string("1,\"x,y\"").expect("csv row");
    quit(p);
}

#[test]
fn tab_completes_labels_and_names() {
    let dir = Dir::new();
    seeds_db(&dir);
    let mut p = shell(&dir, &[]);
    // A label after ':'; the completed query then runs.
    p.send("MATCH (c:Countr").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("(c:Country").expect("label completed");
    enter(&mut p, ") WHERE c.name = 'Mozambique' RETURN c.iso2 AS iso");
    p.exp_string("| MZ ").expect("the completed query runs");
    // An entity name inside quotes, without regard to case or diacritics.
    p.send("MATCH (c {name: 'mozamb").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("'Mozambique'")
        .expect("name completed with its closing quote");
    enter(&mut p, "}) RETURN labels(c) AS l");
    p.exp_string("Country").expect("the completed name matches");
    p.exp_string("1 row").unwrap();
    p.send("RETURN 'Viet").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("'Vietnam").expect("Viet offers Vietnam");
    p.send_control('c').unwrap();
    p.exp_string(PROMPT).unwrap();
    quit(p);
}

#[test]
fn history_persists_across_sessions() {
    let dir = Dir::new();
    seeds_db(&dir);
    let mut p = shell(&dir, &[]);
    enter(&mut p, "RETURN 40 + 2 AS answer");
    p.exp_string(" 42 |").unwrap();
    quit(p);
    let history = std::fs::read_to_string(dir.path("state/coopgraph/history"))
        .expect("the history file is in $XDG_STATE_HOME/coopgraph");
    assert!(history.contains("RETURN 40 + 2 AS answer"), "{history}");
    let mut p = shell(&dir, &[]);
    // Up recalls the last statement of the previous session.
    p.send("\x1b[A").unwrap();
    p.flush().unwrap();
    p.exp_string("RETURN 40 + 2 AS answer").expect("recalled");
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string(" 42 |").expect("the recalled statement runs");
    quit(p);
}

#[test]
fn meta_commands_params_source_and_export() {
    let dir = Dir::new();
    seeds_db(&dir);
    let script = dir.write("q.cql", "RETURN 1 AS one;\nMATCH (n)\nRETURN nope;\n");
    let out = dir.path("rows.csv");
    let mut p = shell(&dir, &[]);
    enter(&mut p, ":param country Vietnam");
    enter(&mut p, ":params");
    p.exp_string("$country = \"Vietnam\"").expect("listed");
    enter(
        &mut p,
        "MATCH (c:Country {name: $country}) RETURN c.iso2 AS iso",
    );
    p.exp_string("| VN ").expect("the parameter is used");
    enter(&mut p, &format!(":export csv {}", out.display()));
    p.exp_string("wrote 1 row to").expect("exported");
    enter(&mut p, &format!(":source {}", script.display()));
    p.exp_string("q.cql:3:8: error: variable `nope` is not defined")
        .expect("FILE:LINE:COL of the error");
    enter(&mut p, ":help mode");
    p.exp_string("markdown").expect("help on one command");
    enter(&mut p, ":quit");
    p.exp_eof().expect(":quit leaves");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "iso\nVN\n");
}

/// A dense graph: `n` topics, each BROADER than the next `k`, so paths multiply fast.
fn dense_dump(n: usize, k: usize) -> String {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for i in 0..n {
        nodes.push(format!(
            "{{\"id\":\"n{i}\",\"labels\":[\"Topic\"],\"properties\":{{\"name\":\"topic {i}\"}}}}"
        ));
        for d in 1..=k {
            let j = (i + d) % n;
            edges.push(format!(
                "{{\"id\":\"e{i}_{j}\",\"type\":\"BROADER\",\"source\":\"n{i}\",\"target\":\"n{j}\",\"properties\":{{}}}}"
            ));
        }
    }
    format!(
        "{{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[{}],\"edges\":[{}]}}",
        nodes.join(",\n"),
        edges.join(",\n")
    )
}

#[test]
fn ctrl_c_cancels_a_running_query_without_leaving() {
    let dir = Dir::new();
    let dump = dir.write("dense.json", &dense_dump(300, 10));
    let mut c = dir.cg();
    c.args(["import", "--format", "json"]).arg(&dump);
    common::ok(c);
    let mut p = shell(&dir, &["repl", "--timeout", "3600"]);
    enter(&mut p, "MATCH (a)-[*1..6]-(b) RETURN count(*)");
    p.exp_string("count(*)").expect("the statement echoed");
    // Give the query time to start (the line editor lets go of the terminal), then
    // interrupt it.
    std::thread::sleep(std::time::Duration::from_secs(3));
    p.send_control('c').unwrap();
    p.exp_string("cancelled").expect("cancelled");
    p.exp_string(PROMPT).expect("back at the prompt");
    // Ctrl-C at the prompt clears the input and does not leave either (input typed
    // before the next prompt is drawn would be dropped by the line editor).
    p.send("RETURN 'never run").unwrap();
    p.flush().unwrap();
    p.exp_string("'never run").unwrap();
    p.send_control('c').unwrap();
    p.exp_string(PROMPT).expect("a fresh prompt");
    enter(&mut p, "RETURN 7 AS seven");
    p.exp_string(" 7 |").expect("still running");
    quit(p);
}

#[test]
fn without_a_terminal_runs_statements_like_run() {
    let dir = Dir::new();
    seeds_db(&dir);
    let mut c = dir.cg();
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(
                b"MATCH (c:Country {name: 'Vietnam'}) RETURN c.iso2 AS iso;\nRETURN 1 AS one;\n",
            )
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, "[{\"iso\":\"VN\"}]\n[{\"one\":1}]\n");
    assert!(!stdout.contains(PROMPT));
}

#[test]
fn sources_shows_the_sentences_behind_a_name_folded() {
    let dir = Dir::new();
    seeds_db(&dir);
    let mut p = shell(&dir, &[]);
    enter(&mut p, ":sources Luong Tam Quang");
    // rexpect reads bytes as Latin-1: expect ASCII only.
    p.exp_string(":Person \"L")
        .expect("the node, found by its folded name");
    p.exp_string("Tam Quang, Politburo member")
        .expect("a source sentence");
    p.exp_string(PROMPT).expect("prompt");
    // The name typed without its diacritics: no row, and the fold() form to write.
    enter(
        &mut p,
        "MATCH (p:Person {name: 'Luong Tam Quang'}) RETURN p.name;",
    );
    p.exp_string("write WHERE fold(p.name) = fold('Luong Tam Quang')")
        .expect("the name warning");
    p.exp_string(PROMPT).expect("prompt");
    enter(&mut p, ":sources nobody-at-all");
    p.exp_string("no node or relationship \"nobody-at-all\"")
        .expect("what was not found");
    p.exp_string(PROMPT).expect("prompt");
    quit(p);
}

#[test]
fn a_string_over_several_lines_keeps_what_was_typed_also_in_history() {
    let dir = Dir::new();
    seeds_db(&dir);
    let mut p = shell(&dir, &[]);
    // The unfinished literal continues on a new line (drawn with the continuation mark);
    // the mark's blanks are no part of the string.
    enter(&mut p, "RETURN size('line one");
    enter(&mut p, "line two') AS n;");
    p.exp_string(" 17 |")
        .expect("17 characters: the newline and no indentation");
    // A path shows as a drawing with names, not as a JSON blob.
    enter(
        &mut p,
        "MATCH p = (:Person)-[:PARTICIPATED_IN]->(:Event) RETURN p LIMIT 1;",
    );
    p.exp_string(":Person)-[:PARTICIPATED_IN]->(")
        .expect("the path drawn");
    p.exp_string("1 row").expect("the path's row");
    p.exp_string(PROMPT).expect("the prompt after the result");
    quit(p);
    let history = std::fs::read_to_string(dir.path("state/coopgraph/history")).unwrap();
    assert!(history.contains("line one"), "{history}");
    assert!(!history.contains("           line two"), "{history}");
    let mut p = shell(&dir, &[]);
    // Recalled from the history, the statement gives the same answer.
    p.send("\x1b[A\x1b[A").unwrap();
    p.flush().unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string(" 17 |")
        .expect("the recalled statement is the one typed");
    quit(p);
}
