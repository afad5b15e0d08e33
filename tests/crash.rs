//! Kill -9 at random points of an import, of a multi-batch ingest (group commit, with
//! automatic compactions) and of `coopgraph compact`: the database must always open, pass
//! `check`, and hold whole documents or none (exactly what ingesting a prefix of the
//! input gives), never losing what was committed before. 24 import kills and 20 of each
//! other kind by default (`COOPGRAPH_CRASH_KILLS` sets one number for all);
//! `scripts/crash-test.sh` runs 200 of each against a release build.

mod common;

use common::{counts, ok, synthetic_dump, Dir};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A tiny deterministic generator, so that a failing seed can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn import_cmd(dir: &Dir, file: &std::path::Path) -> Command {
    let mut c = dir.cg();
    c.args(["import", "--format", "json"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Starts an import and kills it after `after`; returns whether it finished first.
fn import_killed_after(dir: &Dir, file: &std::path::Path, after: Duration) -> bool {
    let mut child = import_cmd(dir, file).spawn().unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "import failed on its own: {status:?}");
            return true;
        }
        if start.elapsed() >= after {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn assert_sound(dir: &Dir, allowed: &[(u64, u64)], what: &str) {
    let mut c = dir.cg();
    c.arg("check");
    let out = ok(c);
    assert!(out.contains(": ok"), "{what}: check found problems: {out}");
    let got = counts(dir);
    assert!(
        allowed.contains(&got),
        "{what}: database holds {got:?}, expected one of {allowed:?}"
    );
}

#[test]
fn kill_nine_during_import_leaves_all_or_nothing() {
    let seed = std::env::var("COOPGRAPH_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash test seed {seed} (set COOPGRAPH_CRASH_SEED to replay)");
    let mut rng = Lcg(seed);
    let work = Dir::new();
    let events = 40_000;
    let big = work.write("big.json", &synthetic_dump(1_000_000, events));
    let small = work.write("small.json", &synthetic_dump(0, 10));
    let big_counts = (events + 2, events + 1);
    let small_counts = (12, 11);

    // Calibrate: how long a whole import takes on this machine and build.
    let calib = Dir::new();
    let t = Instant::now();
    ok(import_cmd(&calib, &big));
    let full = t.elapsed();

    let kills: usize = std::env::var("COOPGRAPH_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let mut finished = 0;
    for i in 0..kills {
        let dir = Dir::new();
        let into_populated = i % 2 == 1;
        if into_populated {
            ok(import_cmd(&dir, &small));
        }
        // Within the first 80 % of a calibrated import: a loaded machine makes later
        // imports faster or slower than the calibration by a wide margin.
        let after = full.mul_f64((rng.next() % 1000) as f64 / 1250.0);
        let done = import_killed_after(&dir, &big, after);
        finished += done as usize;
        let what = format!("kill {i} after {after:?} (seed {seed})");
        if into_populated {
            let all = (small_counts.0 + big_counts.0, small_counts.1 + big_counts.1);
            assert_sound(&dir, &[small_counts, all], &what);
        } else if dir.db().exists() {
            assert_sound(&dir, &[(0, 0), big_counts], &what);
        }
    }
    // A good share of the kills must land mid-import for the test to mean anything.
    assert!(
        finished < kills * 3 / 4,
        "only {} of {kills} imports were interrupted",
        kills - finished
    );
}

#[path = "../examples/synth/mod.rs"]
mod synth;

/// `n` short synthetic articles as JSON lines.
fn articles(seed: u64, n: usize) -> Vec<String> {
    let mut g = synth::Generator::new(seed, 200);
    (0..n)
        .map(|i| {
            let mut a = g.article(i);
            a.id = format!("s{seed}-{i}");
            if a.text.len() > 700 {
                let mut cut = 700;
                while !a.text.is_char_boundary(cut) {
                    cut -= 1;
                }
                a.text.truncate(cut);
            }
            a.to_json_line()
        })
        .collect()
}

fn seed_of(name: &str) -> u64 {
    let seed = std::env::var("COOPGRAPH_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("{name}: seed {seed} (set COOPGRAPH_CRASH_SEED to replay)");
    seed
}

fn kills_or(default: usize) -> usize {
    std::env::var("COOPGRAPH_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A tiny compaction floor, so that ingests of a few dozen articles compact too.
const SMALL_COMPACTION: (&str, &str) = ("COOPGRAPH_COMPACT_MIN_BYTES", "20000");

fn ingest_cmd(dir: &Dir, file: &std::path::Path) -> Command {
    let mut c = dir.cg();
    c.args(["ingest", "--batch", "5", "--jobs", "2"])
        .arg(file)
        .env(SMALL_COMPACTION.0, SMALL_COMPACTION.1)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Runs `c` and kills it after `after`; returns whether it finished first.
fn killed_after(mut c: Command, after: Duration) -> bool {
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        if start.elapsed() >= after {
            child.kill().unwrap();
            child.wait().unwrap();
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn export_json(dir: &Dir) -> String {
    let out = dir.path("export.json");
    let mut c = dir.cg();
    c.args(["export", "--format", "json", "-o"]).arg(&out);
    ok(c);
    std::fs::read_to_string(out).unwrap()
}

/// The ids of the Document nodes of a JSON export.
fn document_ids(export: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(export).unwrap();
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["labels"][0] == "Document")
        .map(|n| n["properties"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn check_ok(dir: &Dir, what: &str) {
    let mut c = dir.cg();
    c.arg("check");
    let out = ok(c);
    assert!(out.contains(": ok"), "{what}: check found problems: {out}");
}

#[test]
fn kill_nine_during_grouped_ingest_leaves_whole_documents_and_a_rerun_completes() {
    let seed = seed_of("grouped ingest");
    let mut rng = Lcg(seed);
    let work = Dir::new();
    let earlier = articles(1, 8);
    let batch = articles(2, 40);
    let earlier_file = work.write("earlier.jsonl", &(earlier.join("\n") + "\n"));
    let batch_file = work.write("batch.jsonl", &(batch.join("\n") + "\n"));
    // The export after the earlier articles (if any) and the first `k` of the batch.
    let mut references = std::collections::HashMap::new();
    let mut reference = |populated: bool, k: usize| -> String {
        references
            .entry((populated, k))
            .or_insert_with(|| {
                let d = Dir::new();
                if populated {
                    ok(ingest_cmd(&d, &earlier_file));
                }
                // (With k = 0, an empty input: the database is created and stays empty.)
                let part = d.write("part.jsonl", &batch[..k].join("\n"));
                ok(ingest_cmd(&d, &part));
                export_json(&d)
            })
            .clone()
    };
    // Calibrate on the shorter of two runs (the machine may be busy), kill within 90 % of it.
    let full = (0..2)
        .map(|_| {
            let calib = Dir::new();
            let t = Instant::now();
            ok(ingest_cmd(&calib, &batch_file));
            t.elapsed()
        })
        .min()
        .unwrap();
    let kills = kills_or(20);
    let mut finished = 0;
    for i in 0..kills {
        let dir = Dir::new();
        let populated = i % 2 == 1;
        if populated {
            ok(ingest_cmd(&dir, &earlier_file));
        }
        let after = full.mul_f64((rng.next() % 1000) as f64 / 1100.0);
        finished += killed_after(ingest_cmd(&dir, &batch_file), after) as usize;
        let what = format!("kill {i} after {after:?} (seed {seed})");
        if !dir.db().exists() {
            assert!(!populated, "{what}: the database disappeared");
            continue;
        }
        check_ok(&dir, &what);
        let got = export_json(&dir);
        let ids = document_ids(&got);
        let skip = if populated { earlier.len() } else { 0 };
        let k = ids.len().saturating_sub(skip);
        eprintln!("{what}: {k} of {} documents", batch.len());
        for (j, id) in ids.iter().skip(skip).enumerate() {
            assert_eq!(
                *id,
                format!("s2-{j}"),
                "{what}: documents are not a prefix of the input"
            );
        }
        assert!(
            got == reference(populated, k),
            "{what}: the database with {k} documents of the batch differs from ingesting exactly those"
        );
        if i % 5 == 0 {
            ok(ingest_cmd(&dir, &batch_file));
            check_ok(&dir, &what);
            assert!(
                export_json(&dir) == reference(populated, batch.len()),
                "{what}: running the ingest again did not complete it"
            );
        }
    }
    assert!(
        finished < kills / 2,
        "only {} of {kills} ingests were interrupted",
        kills - finished
    );
}

#[test]
fn kill_nine_during_compaction_loses_nothing() {
    let seed = seed_of("compaction");
    let mut rng = Lcg(seed);
    let template = Dir::new();
    let file = template.write("a.jsonl", &(articles(3, 40).join("\n") + "\n"));
    // Many small batches and no automatic compaction: a log of several records to fold.
    let mut c = template.cg();
    c.args(["ingest", "--batch", "3"]).arg(&file);
    ok(c);
    let before = export_json(&template);
    let compact = |dir: &Dir| {
        let mut c = dir.cg();
        c.arg("compact").stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    let copy_into = |dir: &Dir| {
        let status = Command::new("cp")
            .arg("-r")
            .arg(template.db())
            .arg(dir.db())
            .status()
            .unwrap();
        assert!(status.success());
    };
    let calib = Dir::new();
    copy_into(&calib);
    let t = Instant::now();
    ok(compact(&calib));
    let full = t.elapsed();
    assert!(
        export_json(&calib) == before,
        "compaction changed the graph"
    );
    let kills = kills_or(20);
    for i in 0..kills {
        let dir = Dir::new();
        copy_into(&dir);
        // Within the first 80 % of a calibrated import: a loaded machine makes later
        // imports faster or slower than the calibration by a wide margin.
        let after = full.mul_f64((rng.next() % 1000) as f64 / 1250.0);
        killed_after(compact(&dir), after);
        let what = format!("kill {i} after {after:?} (seed {seed})");
        check_ok(&dir, &what);
        assert!(export_json(&dir) == before, "{what}: the graph changed");
    }
}
