//! Writes synthetic articles as JSON lines (see examples/synth): for benchmarks and scale tests.
//!
//! ```sh
//! cargo run --release --example gen_articles -- --count 20000 --seed 1 > a.jsonl
//! cargo run --release --example gen_articles -- --bytes 1000000000 > big.jsonl
//! ```

mod synth;

use std::io::Write;

fn main() {
    let mut count = usize::MAX;
    let mut bytes = u64::MAX;
    let mut seed = 1u64;
    let mut start = 0usize;
    let mut persons = 20_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{a} needs a number"))
        };
        match a.as_str() {
            "--count" => count = val() as usize,
            "--bytes" => bytes = val(),
            "--seed" => seed = val(),
            "--start" => start = val() as usize,
            "--persons" => persons = val() as usize,
            other => {
                eprintln!("unknown argument {other}; use --count N --bytes N --seed N --start N --persons N");
                std::process::exit(2);
            }
        }
    }
    if count == usize::MAX && bytes == u64::MAX {
        count = 1000;
    }
    let mut g = synth::Generator::new(seed, persons);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out.lock());
    let mut written = 0u64;
    for n in start..start.saturating_add(count) {
        if written >= bytes {
            break;
        }
        let line = g.article(n).to_json_line();
        written += line.len() as u64 + 1;
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}
