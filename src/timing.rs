//! Phase timings for profiling, printed to standard error when `COOPGRAPH_TIMING` is set.

use std::sync::OnceLock;
use std::time::Instant;

/// Whether phase timings were asked for (`COOPGRAPH_TIMING`).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("COOPGRAPH_TIMING").is_some())
}

/// A running timer that reports each phase's duration when timing is enabled.
pub struct Phases {
    what: &'static str,
    last: Instant,
}

impl Phases {
    /// Starts timing a task.
    pub fn start(what: &'static str) -> Phases {
        Phases {
            what,
            last: Instant::now(),
        }
    }

    /// Ends the current phase, naming it.
    pub fn lap(&mut self, phase: &str) {
        if enabled() {
            let now = Instant::now();
            eprintln!(
                "[timing] {}: {phase} {:.3} s, rss {} MiB",
                self.what,
                (now - self.last).as_secs_f64(),
                rss_mib()
            );
            self.last = now;
        }
    }
}

/// The resident set size of this process in MiB (0 where /proc is unavailable).
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
            })
        })
        .map_or(0, |kb| kb / 1024)
}
