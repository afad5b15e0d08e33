//! The ingest benchmark: generates synthetic articles (examples/synth) and times the
//! release binary ingesting them into a fresh database and into one that already holds
//! a base of articles; reports articles/s, MB/s of text, peak RSS and disk, as a
//! Markdown table for docs/performance.md.
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench_ingest -- \
//!     --sizes 20000,100000 --base 100000 --jobs 1,2 [--work /tmp/cg-bench]
//! ```

mod synth;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn list(s: &str) -> Vec<usize> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

fn generate(path: &Path, seed: u64, first: usize, n: usize) -> u64 {
    if let Ok(m) = std::fs::metadata(path) {
        return m.len(); // generated before: same seed, same articles
    }
    let tmp = path.with_extension("part");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).expect("create corpus"));
    let mut g = synth::Generator::new(seed, 20_000);
    let mut text = 0u64;
    for i in first..first + n {
        let a = g.article(i);
        text += a.text.len() as u64;
        writeln!(out, "{}", a.to_json_line()).expect("write corpus");
    }
    out.flush().expect("write corpus");
    drop(out);
    std::fs::rename(&tmp, path).expect("rename corpus");
    text
}

/// Bytes under a directory.
fn disk(p: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let m = match e.metadata() {
                Ok(m) => m,
                Err(_) => continue,
            };
            total += if m.is_dir() { disk(&e.path()) } else { m.len() };
        }
    }
    total
}

/// Runs the command, returning (seconds, peak RSS in bytes).
// The child is reaped by `wait4`, which also gives its peak RSS; clippy cannot see that.
#[allow(clippy::zombie_processes)]
fn timed(mut c: Command) -> (f64, u64) {
    let t = Instant::now();
    let child = c.spawn().expect("start coopgraph");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "coopgraph failed: {c:?}"
    );
    (t.elapsed().as_secs_f64(), usage.ru_maxrss as u64 * 1024)
}

fn main() {
    let mut sizes = vec![20_000, 100_000];
    let mut base = 100_000usize;
    let mut jobs = vec![1, 2];
    let mut work = PathBuf::from("/tmp/cg-bench");
    let mut bin = PathBuf::from("target/release/coopgraph");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--sizes" => sizes = list(&v),
            "--base" => base = v.parse().expect("--base N"),
            "--jobs" => jobs = list(&v),
            "--work" => work = v.into(),
            "--bin" => bin = v.into(),
            other => panic!("unknown argument {other}"),
        }
    }
    std::fs::create_dir_all(&work).expect("work dir");
    let ingest = |db: &Path, file: &Path, j: usize| {
        let mut c = Command::new(&bin);
        c.arg("--db")
            .arg(db)
            .arg("ingest")
            .arg("--jobs")
            .arg(j.to_string())
            .arg(file);
        c.stderr(std::process::Stdio::null());
        c
    };
    println!("| database before | articles | jobs | s | articles/s | MB/s (text) | peak RSS MiB | disk MiB | disk B/article |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    // The base: `base` articles of seed 1; the batches are seed 2, ids after the base.
    let base_file = work.join(format!("base-{base}.jsonl"));
    if base > 0 {
        generate(&base_file, 1, 0, base);
    }
    let base_db = work.join(format!("base-{base}.db"));
    if base > 0 && !base_db.exists() {
        let (s, rss) = timed(ingest(&base_db, &base_file, *jobs.last().unwrap_or(&1)));
        eprintln!(
            "base of {base} articles ingested in {s:.1} s, peak RSS {:.0} MiB",
            mib(rss)
        );
    }
    for &n in &sizes {
        let file = work.join(format!("batch-{n}.jsonl"));
        generate(&file, 2, 1_000_000_000, n);
        let text = std::fs::read_to_string(&file)
            .map(|s| s.len() as u64)
            .unwrap_or(0);
        for &j in &jobs {
            for populated in [false, true] {
                if populated && base == 0 {
                    continue;
                }
                let db = work.join(format!("run-{n}-{j}-{populated}.db"));
                let _ = std::fs::remove_dir_all(&db);
                if populated {
                    let ok = Command::new("cp").arg("-r").arg(&base_db).arg(&db).status();
                    assert!(ok.is_ok_and(|s| s.success()), "copy the base database");
                }
                let (s, rss) = timed(ingest(&db, &file, j));
                let d = disk(&db);
                let total = n + if populated { base } else { 0 };
                println!(
                    "| {} | {n} | {j} | {s:.1} | {:.0} | {:.2} | {:.0} | {:.1} | {:.0} |",
                    if populated {
                        format!("{base} articles")
                    } else {
                        "empty".into()
                    },
                    n as f64 / s,
                    text as f64 / 1e6 / s,
                    mib(rss),
                    mib(d),
                    d as f64 / total as f64
                );
                let _ = std::fs::remove_dir_all(&db);
            }
        }
    }
}
