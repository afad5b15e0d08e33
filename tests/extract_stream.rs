//! `coopgraph extract` as a stream stage: `extract | ingest --format extractions` builds
//! the same graph, byte for byte, as `ingest` of the same articles, whatever the number
//! of jobs; a bad article gives an error line with its place and the rest goes on.

mod common;

use common::{fails, ok, Dir};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Runs `c` with `input` on standard input; returns its standard output.
fn piped(mut c: Command, input: &[u8]) -> Vec<u8> {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn coopgraph");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("write stdin");
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The JSON export of a new database built by `ingest` with `args`.
fn export_of(args: &[&str], paths: &[&Path]) -> String {
    let dir = Dir::new();
    let mut c = dir.cg();
    c.arg("ingest").args(args).args(paths);
    ok(c);
    json_export(&dir)
}

fn json_export(dir: &Dir) -> String {
    let mut c = dir.cg();
    c.args(["export", "--format", "json"]);
    ok(c)
}

/// The repository's seed articles as JSON lines (id: the file name), in name order.
fn seeds_jsonl() -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("seeds"))
        .expect("seeds/")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let id = f.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(f).expect("seed text");
            serde_json::json!({"id": id, "text": text}).to_string() + "\n"
        })
        .collect()
}

#[test]
fn extract_then_ingest_equals_ingest() {
    let dir = Dir::new();
    let mut input = seeds_jsonl();
    let shared = repo("../shared/articles/articles.jsonl");
    if let Ok(more) = std::fs::read_to_string(&shared) {
        input.push_str(&more);
    }
    let articles = dir.write("articles.jsonl", &input);
    let plain = export_of(&[], &[&articles]);
    assert!(plain.contains("\"Country\""), "the articles give a graph");
    for jobs in ["1", "3"] {
        let mut c = dir.cg();
        c.args(["extract", "--jobs", jobs]);
        let lines = piped(c, input.as_bytes());
        let n = lines
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(n, input.lines().count(), "one line per article");
        let x = dir.path(&format!("x{jobs}.jsonl"));
        std::fs::write(&x, &lines).unwrap();
        let via = export_of(&["--format", "extractions"], &[&x]);
        assert!(
            plain == via,
            "extract --jobs {jobs} | ingest differs from ingest"
        );
    }
    // Standard input and a directory of part files (as Spark writes them) read the same.
    let parts = dir.path("parts");
    std::fs::create_dir(&parts).unwrap();
    let all = std::fs::read_to_string(dir.path("x1.jsonl")).unwrap();
    let (a, b) = all.split_at(all.find('\n').unwrap() + 1);
    std::fs::write(parts.join("part-00000"), a).unwrap();
    std::fs::write(parts.join("part-00001"), b).unwrap();
    std::fs::write(parts.join("_SUCCESS"), "").unwrap();
    std::fs::write(parts.join(".part-00000.crc"), "junk").unwrap();
    let via_dir = export_of(&["--format", "extractions"], &[&parts]);
    assert!(plain == via_dir, "a directory of parts differs");
    let from_stdin = Dir::new();
    let mut c = from_stdin.cg();
    c.args(["ingest", "--format", "extractions", "-"]);
    piped(c, all.as_bytes());
    assert!(
        plain == json_export(&from_stdin),
        "extractions from standard input differ"
    );
}

#[test]
fn a_bad_article_is_an_error_line_and_the_rest_goes_on() {
    let dir = Dir::new();
    let input = concat!(
        "{\"id\":\"a\",\"text\":\"Vietnam and China signed a memorandum on cybercrime.\"}\n",
        "{\"id\": broken\n",
        "\n",
        "{\"id\":\"c\",\"title\":\"no text\"}\n",
        "{\"id\":\"d\",\"text\":\"Police of Laos met police of Thailand in Vientiane.\"}\n",
    );
    let mut c = dir.cg();
    c.arg("extract");
    let out = String::from_utf8(piped(c, input.as_bytes())).unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines.iter().all(|l| l["version"] == 1));
    assert_eq!(lines[0]["article"]["id"], "a");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .starts_with("not a JSON object"));
    assert_eq!(lines[2]["line"], 4);
    assert_eq!(lines[2]["error"], "no `text`");
    assert_eq!(lines[3]["article"]["id"], "d");
    // Ingest applies the good lines, reports the bad ones at their input lines, and says
    // so in its exit status.
    let x = dir.write("x.jsonl", &(out + "not an extraction\n"));
    let mut c = dir.cg();
    c.args(["ingest", "--format", "extractions"]).arg(&x);
    let err = fails(c, 1);
    assert!(err.contains("skipped -:2: not a JSON object"), "{err}");
    assert!(err.contains("skipped -:4: no `text`"), "{err}");
    assert!(
        err.contains(&format!(
            "skipped {}:5: not an extraction line",
            x.display()
        )),
        "{err}"
    );
    assert!(err.contains("ingested 2 articles"), "{err}");
    // Options that belong to extraction are refused by the apply side.
    let mut c = dir.cg();
    c.args([
        "ingest",
        "--format",
        "extractions",
        "--published",
        "2024-01-01",
    ])
    .arg(&x);
    let err = fails(c, 2);
    assert!(err.contains("give them to `coopgraph extract`"), "{err}");
}
