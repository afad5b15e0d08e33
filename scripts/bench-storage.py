#!/usr/bin/env python3
"""Times coopgraph's storage the way ../shared/bench/coopgraph_bench.py does, without
the query step: import of a generated graph.json (wall time, peak RSS), disk use, and
reopen (`stats`: wall time, peak RSS), each step its own process, best of --runs.

    python3 scripts/bench-storage.py /tmp/bench-data-1.0 --bin target/release/coopgraph [--runs 3]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time


def measured(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr.read().decode()}")
    return dt, ru.ru_maxrss * 1024


def du(path):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.data, "meta.json")))
    edges = meta["total_edges"]
    rows = []
    for run in range(a.runs):
        db = tempfile.mkdtemp(prefix="cg-bench-")
        shutil.rmtree(db)
        t_imp, rss_imp = measured([a.bin, "--db", db, "import", "--format", "json", os.path.join(a.data, "graph.json")])
        disk = du(db)
        t_open, rss_open = measured([a.bin, "--db", db, "stats"])
        rows.append((t_imp, rss_imp, disk, t_open, rss_open))
        shutil.rmtree(db)
    best = lambda i: min(r[i] for r in rows)
    print(f"edges: {edges:,}")
    print("| metric | coopgraph (best of %d) | per edge |" % a.runs)
    print("|---|---|---|")
    print(f"| import, whole process | {best(0):.2f} s | {edges / best(0) / 1e6:.2f} M edges/s |")
    print(f"| peak RSS of import | {best(1) / 2**20:.0f} MiB | |")
    print(f"| disk after import | {best(2) / 2**20:.1f} MiB | {best(2) / edges:.1f} B/edge |")
    print(f"| reopen (`stats`), whole process | {best(3) * 1000:.0f} ms | |")
    print(f"| peak RSS after reopen | {best(4) / 2**20:.0f} MiB | {best(4) / edges:.1f} B/edge |")
    print("all runs (import s, import RSS MiB, disk MiB, reopen s, reopen RSS MiB):")
    for r in rows:
        print(f"  {r[0]:.2f}  {r[1] / 2**20:.0f}  {r[2] / 2**20:.1f}  {r[3]:.2f}  {r[4] / 2**20:.0f}")


main()
