//! Kill -9 at random points of an import: the database must always open, pass `check`,
//! and hold either all or none of the batch. 24 kills by default (`COOPGRAPH_CRASH_KILLS`
//! sets another number); `scripts/crash-test.sh` runs 200 against a release build.

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
        let after = full.mul_f64((rng.next() % 1000) as f64 / 900.0);
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
    // Most kills must land mid-import for the test to mean anything.
    assert!(
        finished < kills / 2,
        "only {} of {kills} imports were interrupted",
        kills - finished
    );
}
