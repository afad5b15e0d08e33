//! Extraction alone, one core: `cargo run --release --example bench_extract -- FILE.jsonl [ROUNDS]`.
//! Extracts every article of a JSONL file ROUNDS times (default 50) and prints articles/s and MB/s,
//! by wall clock and by the process's own CPU time (the latter is steadier on a loaded machine).
use coopgraph::extract::{extract, Article};
use std::time::Instant;

/// The allocator of the `coopgraph` binary (src/main.rs), so that this measures what it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: bench_extract FILE.jsonl [ROUNDS]");
    let rounds: usize = args
        .next()
        .map(|r| r.parse().expect("ROUNDS is a number"))
        .unwrap_or(50);
    let text = std::fs::read_to_string(&path).expect("readable JSONL file");
    let articles: Vec<Article> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object per line");
            Article {
                id: v["id"].as_str().unwrap_or("x").to_string(),
                text: v["text"].as_str().unwrap_or("").to_string(),
                published: v["published"].as_str().and_then(|d| d.parse().ok()),
                ..Article::default()
            }
        })
        .collect();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    // Warm the embedded vocabularies once, outside the timing.
    let _ = extract(&articles[0]);
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let mut entities = 0;
    for _ in 0..rounds {
        for a in &articles {
            entities += extract(a).map(|x| x.entities.len()).unwrap_or(0);
        }
    }
    let s = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let n = (articles.len() * rounds) as f64;
    println!(
        "{} articles x {rounds} rounds: {:.0} articles/s, {:.2} MB/s, {entities} entities; \
         {:.0} articles per CPU-second",
        articles.len(),
        n / s,
        (bytes * rounds) as f64 / s / 1e6,
        n / cpu
    );
}

/// User plus system CPU time of this process so far, in seconds.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}
