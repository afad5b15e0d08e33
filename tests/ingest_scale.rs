//! Ingest at scale, end to end: the same articles give byte-identical exports whatever
//! the number of extraction threads and the batch size, and bad records in an input are
//! skipped one by one.

mod common;
#[path = "../examples/synth/mod.rs"]
mod synth;

use common::{fails, ok, Dir};
use std::io::Write;

/// `n` synthetic articles as JSON lines, bodies cut to `max_len` bytes to keep tests quick.
pub fn corpus(seed: u64, first: usize, n: usize, max_len: usize) -> String {
    let mut g = synth::Generator::new(seed, 400);
    let mut out = String::new();
    for i in first..first + n {
        let mut a = g.article(i);
        if a.text.len() > max_len {
            let mut cut = max_len;
            while !a.text.is_char_boundary(cut) {
                cut -= 1;
            }
            a.text.truncate(cut);
        }
        out.push_str(&a.to_json_line());
        out.push('\n');
    }
    out
}

fn export(dir: &Dir) -> Vec<u8> {
    let out = dir.path("export.json");
    let mut c = dir.cg();
    c.args(["export", "--format", "json", "-o"]).arg(&out);
    ok(c);
    std::fs::read(out).unwrap()
}

#[test]
fn parallel_and_single_threaded_ingests_export_the_same_bytes() {
    let src = Dir::new();
    let file = src.write("a.jsonl", &corpus(7, 0, 90, 1500));
    let one = Dir::new();
    let mut c = one.cg();
    c.args(["ingest", "--jobs", "1"]).arg(&file);
    ok(c);
    let many = Dir::new();
    let mut c = many.cg();
    c.args(["ingest", "--jobs", "3", "--batch", "7"]).arg(&file);
    ok(c);
    let (a, b) = (export(&one), export(&many));
    assert!(a.len() > 10_000, "the corpus produced a graph");
    assert!(a == b, "exports of --jobs 1 and --jobs 3 differ");
    // Re-ingesting changes nothing, and says so.
    let mut c = many.cg();
    c.args(["ingest", "--jobs", "2"]).arg(&file);
    ok(c);
    assert!(export(&many) == a);
}

#[test]
fn bad_lines_are_skipped_with_their_numbers_and_the_rest_is_ingested() {
    let d = Dir::new();
    let good = corpus(3, 0, 3, 800);
    let lines: Vec<&str> = good.lines().collect();
    let p = d.path("mixed.jsonl");
    let mut f = std::fs::File::create(&p).unwrap();
    writeln!(f, "{}", lines[0]).unwrap();
    f.write_all(b"{\"id\":\"x\",\"text\":\"caf\xe9 au lait\"}\n")
        .unwrap();
    writeln!(f, "{}", lines[1]).unwrap();
    f.write_all(b"{\"id\":\"y\",\"text\":\"nul \0 byte\"}\n")
        .unwrap();
    writeln!(f, "{{broken").unwrap();
    writeln!(f, "{}", lines[2]).unwrap();
    drop(f);
    let mut c = d.cg();
    c.args(["ingest", "--jobs", "2"])
        .arg(&p)
        .arg(d.path("missing.jsonl"));
    let err = fails(c, 1);
    let name = p.display().to_string();
    assert!(
        err.contains(&format!("skipped {name}:2: not UTF-8 text")),
        "{err}"
    );
    assert!(
        err.contains(&format!("skipped {name}:4: not text (NUL byte")),
        "{err}"
    );
    assert!(
        err.contains(&format!("skipped {name}:5: not a JSON object")),
        "{err}"
    );
    assert!(
        err.contains("missing.jsonl: no such file or directory"),
        "{err}"
    );
    assert!(
        err.contains("ingested 3 articles (0 replaced), skipped 0 unchanged, 4 failed"),
        "{err}"
    );
}
