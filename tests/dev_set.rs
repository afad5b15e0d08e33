//! The extraction dev set: `coopgraph ingest` on the 24 real articles of ../shared/articles,
//! scored by ../shared/eval/score.py against the hand-made gold, on all articles, on the
//! held-back part (never tuned on) and without the 17-country operation of d23. Fails below
//! floors set a little under the figures of docs/extraction.md. Skipped only when ../shared
//! is absent.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The articles the rules were checked on but never tuned on (docs/extraction.md).
const HELD_BACK: &[&str] = &["d03", "d06", "d09", "d12", "d15", "d18", "d21", "d24"];

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// Ingests the articles of `ids` alone into a fresh database and scores the export.
fn score(dir: &common::Dir, name: &str, ids: &[String]) -> Value {
    let sh = shared();
    score_against(
        dir,
        name,
        ids,
        &sh.join("articles/articles.jsonl"),
        &sh.join("eval/gold"),
    )
}

/// Ingests the articles of `ids` from the JSONL file `articles` into a fresh database and
/// scores the export against the gold of `gold`.
fn score_against(
    dir: &common::Dir,
    name: &str,
    ids: &[String],
    articles: &Path,
    gold: &Path,
) -> Value {
    let sh = shared();
    let all = std::fs::read_to_string(articles).unwrap();
    let picked: String = all
        .lines()
        .filter(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            ids.iter().any(|i| v["id"] == i.as_str())
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let input = dir.write(&format!("{name}.jsonl"), &picked);
    let db = dir.path(&format!("{name}.db"));
    let export = dir.path(&format!("{name}.json"));
    let run = |args: &[&std::ffi::OsStr]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_coopgraph"));
        c.arg("--db").arg(&db).args(args);
        common::ok(c);
    };
    run(&["ingest".as_ref(), input.as_os_str()]);
    run(&[
        "export".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        export.as_os_str(),
    ]);
    let out = Command::new("python3")
        .arg(sh.join("eval/score.py"))
        .arg(&export)
        .arg(gold)
        .args(["--docs", &ids.join(","), "--json"])
        .output()
        .expect("python3 runs the scorer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn f1(v: &Value, k: &str) -> f64 {
    v[k]["f1"].as_f64().unwrap()
}

/// Prints the persons, organisations and triples F1 of a score, and says which fall below
/// the floors `(persons, organisations, triples)`.
fn below_floors(name: &str, v: &Value, (p, o, t): (f64, f64, f64)) -> Option<String> {
    let got = (f1(v, "persons"), f1(v, "organizations"), f1(v, "triples"));
    eprintln!(
        "{name}: persons {:.2} organisations {:.2} triples {:.2}",
        got.0, got.1, got.2
    );
    (got.0 < p || got.1 < o || got.2 < t).then(|| {
        format!(
            "{name}: persons {:.2} (floor {p}), organisations {:.2} (floor {o}), triples {:.2} (floor {t})",
            got.0, got.1, got.2
        )
    })
}

fn gold_ids(gold: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(gold)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".json")
                .map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn dev_set_scores_stay_above_their_floors() {
    let gold = shared().join("eval/gold");
    if !gold.is_dir() {
        eprintln!(
            "skipped: {} is absent (the dev set lives outside the repository)",
            gold.display()
        );
        return;
    }
    let dir = common::Dir::new();
    let all = gold_ids(&gold);
    let held: Vec<String> = HELD_BACK.iter().map(|s| s.to_string()).collect();
    let no_d23: Vec<String> = all.iter().filter(|i| *i != "d23").cloned().collect();
    // (set, persons, organisations, triples): the figures of docs/extraction.md minus a margin.
    let floors = [
        ("all", &all, 0.94, 0.84, 0.95),
        ("held back", &held, 0.92, 0.78, 0.86),
        ("without d23", &no_d23, 0.94, 0.84, 0.88),
    ];
    let mut failures = Vec::new();
    for (name, ids, p, o, t) in floors {
        let v = score(&dir, &name.replace(' ', "_"), ids);
        failures.extend(below_floors(name, &v, (p, o, t)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The probe set: ten made-up articles in the styles of outlets and regions the dev set lacks
/// (tests/fixtures/probe), with gold written before the extractor was run on them.
#[test]
fn probe_set_scores_stay_above_their_floors() {
    let scorer = shared().join("eval/score.py");
    if !scorer.is_file() {
        eprintln!("skipped: {} is absent", scorer.display());
        return;
    }
    let probe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/probe");
    let ids = gold_ids(&probe.join("gold"));
    let dir = common::Dir::new();
    let v = score_against(
        &dir,
        "probe",
        &ids,
        &probe.join("articles.jsonl"),
        &probe.join("gold"),
    );
    // docs/extraction.md: 0.81 / 0.82 / 0.83 minus a margin.
    let failed = below_floors("probe", &v, (0.90, 0.84, 0.80));
    assert!(failed.is_none(), "{}", failed.unwrap_or_default());
}
