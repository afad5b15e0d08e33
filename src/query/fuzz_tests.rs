//! Bounds of the query engine (checked arithmetic, list sizes, planning time, pattern
//! length) and a fuzz test of planning and execution: random patterns up to the
//! documented bounds and random large integers must give rows or an error, never a
//! panic, and always within the timeout plus a second.

use super::tests::fixture;
use super::*;
use std::time::{Duration, Instant};

fn run(e: &Engine, text: &str) -> Result<Vec<StatementResult>, QueryError> {
    e.run_text(text, &Params::new())
}

fn value(e: &Engine, text: &str) -> serde_json::Value {
    let r = run(e, text).unwrap_or_else(|x| panic!("{text}: {x}"));
    r[0].rows[0][0].to_json(e.graph())
}

fn error(e: &Engine, text: &str) -> String {
    match run(e, text) {
        Ok(r) => panic!("{text}: expected an error, got {:?}", r[0].rows),
        Err(x) => x.to_string(),
    }
}

#[test]
fn integer_arithmetic_overflows_with_an_error_like_neo4j() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let max = i64::MAX;
    for (q, want) in [
        (format!("RETURN {max} + 1"), format!("{max} + 1")),
        (format!("RETURN -{max} - 2"), format!("-{max} - 2")),
        (format!("RETURN {max} * 2"), format!("{max} * 2")),
        (
            format!("RETURN (-{max} - 1) / -1"),
            format!("-{} / -1", max as i128 + 1),
        ),
        (
            format!("RETURN -(-{max} - 1)"),
            format!("-(-{})", max as i128 + 1),
        ),
        (
            format!("RETURN abs(-{max} - 1)"),
            format!("abs(-{})", max as i128 + 1),
        ),
        (
            format!("UNWIND [{max}, 1] AS x RETURN sum(x)"),
            format!("sum() past {max}"),
        ),
    ] {
        let err = error(&e, &q);
        assert_eq!(err, format!("integer overflow: {want}"), "{q}");
    }
    // What fits still works, and the remainder of MIN by -1 is 0.
    assert_eq!(value(&e, &format!("RETURN {max} - 1 + 1")), max);
    assert_eq!(value(&e, &format!("RETURN (-{max} - 1) % -1")), 0);
    assert_eq!(
        value(&e, &format!("UNWIND [{max}, 1] AS x RETURN avg(x)")),
        max as f64 / 2.0
    );
    assert_eq!(value(&e, "RETURN abs(-5) + -(-2)"), 7);
}

#[test]
fn range_lengths_are_computed_without_wrapping_and_bounded() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let max = i64::MAX;
    assert_eq!(
        value(&e, &format!("RETURN size(range({}, {max}, 10))", max - 7)),
        1
    );
    assert_eq!(
        value(&e, &format!("RETURN range(1, 3, {max})")),
        serde_json::json!([1])
    );
    assert_eq!(
        value(&e, &format!("RETURN range({max} - 2, {max})")),
        serde_json::json!([max - 2, max - 1, max])
    );
    assert_eq!(
        value(&e, &format!("RETURN range(-{max} - 1, -{max}, 1)")),
        serde_json::json!([i64::MIN, -max])
    );
    assert_eq!(
        value(
            &e,
            &format!("RETURN size(range({max}, -{max} - 1, -{max}))")
        ),
        3
    );
    assert_eq!(value(&e, "RETURN range(5, 1)"), serde_json::json!([]));
    assert_eq!(
        value(&e, "RETURN range(1, 10, 4)"),
        serde_json::json!([1, 5, 9])
    );
    assert_eq!(
        value(&e, "RETURN range(10, 1, -4)"),
        serde_json::json!([10, 6, 2])
    );
    let err = error(&e, &format!("RETURN size(range(0, {max}))"));
    assert!(
        err.contains("range() of 9223372036854775808 elements"),
        "{err}"
    );
    assert!(err.contains("(max list values)"), "{err}");
}

#[test]
fn nested_and_collected_lists_share_one_bound() {
    let s = fixture();
    let mut e = Engine::new(s.graph());
    e.limits.max_list_values = 10_000;
    let bound =
        "limit reached: the statement builds more than 10000 list elements (max list values)";
    assert_eq!(
        error(&e, "RETURN size([x IN range(1, 200) | range(1, 200)])"),
        bound
    );
    assert_eq!(
        error(
            &e,
            "UNWIND range(1, 200) AS x WITH range(1, 100) AS l RETURN size(l + l)"
        ),
        bound
    );
    assert_eq!(
        error(&e, "UNWIND range(1, 6000) AS x RETURN size(collect(x))"),
        bound
    );
    assert_eq!(
        value(&e, "UNWIND range(1, 3000) AS x RETURN size(collect(x))"),
        3000
    );
}

#[test]
fn skip_and_limit_near_the_integer_limit_do_not_overflow() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let max = i64::MAX;
    let r = run(
        &e,
        &format!("MATCH (c:Country) RETURN c.name SKIP {max} LIMIT {max}"),
    )
    .unwrap();
    assert!(r[0].rows.is_empty());
    let r = run(
        &e,
        &format!("MATCH (c:Country) RETURN c.name SKIP 1 LIMIT {max}"),
    )
    .unwrap();
    assert_eq!(r[0].rows.len(), 3);
}

/// `MATCH ()-->()-->…() RETURN count(*)` with `hops` relationships.
fn chain(hops: usize) -> String {
    format!("MATCH (){} RETURN count(*)", "-->()".repeat(hops))
}

#[test]
fn long_patterns_are_refused_before_planning() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let err = error(&e, &chain(1000));
    assert_eq!(
        err,
        "limit reached: the pattern has 2001 nodes and relationships; at most 200 are planned (max pattern length)"
    );
    // Two patterns of one MATCH count together; a pattern predicate has its own bound.
    let half = "()-->".repeat(50);
    let err = error(&e, &format!("MATCH {half}(), {half}() RETURN count(*)"));
    assert!(err.contains("has 202 nodes"), "{err}");
    let err = error(
        &e,
        &format!("MATCH (a) WHERE (a){} RETURN count(*)", "-->()".repeat(120)),
    );
    assert!(err.contains("has 241 nodes"), "{err}");
    // Up to the bound the pattern is planned and run.
    assert_eq!(value(&e, &chain(99)), 0);
}

#[test]
fn planning_counts_towards_the_timeout() {
    let s = fixture();
    let mut e = Engine::new(s.graph());
    e.limits.timeout = Some(Duration::ZERO);
    let r = run(&e, &chain(99));
    assert!(
        matches!(r, Err(QueryError::Plan(PlanError::Timeout(_)))),
        "{r:?}"
    );
    // With the bound raised, a pattern long enough to plan for minutes still stops in time.
    e.limits.max_pattern_length = 100_000;
    e.limits.timeout = Some(Duration::from_millis(500));
    let t = Instant::now();
    let r = run(&e, &chain(5000));
    assert!(
        matches!(r, Err(QueryError::Plan(PlanError::Timeout(_)))),
        "{r:?}"
    );
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn every_example_in_the_query_language_guide_plans_and_runs() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let guide = include_str!("../../docs/query-language.md");
    let mut ran = 0;
    for block in guide.split("```cypher\n").skip(1) {
        let text = &block[..block.find("```").expect("closed block")];
        let stmts = crate::cypher::parse(text).unwrap_or_else(|x| panic!("{text}: {x}"));
        for st in &stmts {
            if let Err(x) = e.run_statement(st, &Params::new()) {
                assert!(
                    !matches!(x, QueryError::Parse(_) | QueryError::Plan(_)),
                    "{st}: {x}"
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 5, "{ran} statements");
}

// ---- fuzzing ------------------------------------------------------------------------------

use crate::test_support::{iterations, Rng};

const LABELS: &[&str] = &[
    "",
    ":Country",
    ":Organization",
    ":Person",
    ":Event",
    ":Topic",
    ":Nope",
];
const TYPES: &[&str] = &[
    "",
    ":OF",
    ":PARTICIPATED_IN",
    ":ABOUT|BROADER",
    ":MEMBER_OF",
    ":NOPE",
];
const VARS: &[&str] = &["a", "b", "c", "d"];

/// A random integer, often at or near the edges of the 64-bit range.
fn int(rng: &mut Rng) -> String {
    let v: i128 = match rng.below(8) {
        0 => i64::MAX as i128 - rng.below(3) as i128,
        1 => i64::MIN as i128 + rng.below(3) as i128,
        2 => (rng.next() as i64) as i128,
        3 => 1i128 << (rng.below(63) as u32),
        4 => -(rng.below(100) as i128),
        _ => rng.below(20) as i128,
    };
    // `-9223372036854775808` is not a literal: write it as an expression.
    if v == i64::MIN as i128 {
        "(-9223372036854775807 - 1)".into()
    } else if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

/// A random expression over the variables in `vars` and integers.
fn expr(rng: &mut Rng, vars: &[&str], depth: u32) -> String {
    if depth == 0 {
        return match rng.below(4) {
            0 if !vars.is_empty() => format!("{}.name", rng.pick(vars)),
            1 if !vars.is_empty() => format!("size({}.name)", rng.pick(vars)),
            _ => int(rng),
        };
    }
    let d = depth - 1;
    let expr = |rng: &mut Rng, d| expr(rng, vars, d);
    match rng.below(12) {
        0 => format!("{} + {}", expr(rng, d), expr(rng, d)),
        1 => format!("{} - {}", expr(rng, d), expr(rng, d)),
        2 => format!("{} * {}", expr(rng, d), expr(rng, d)),
        3 => format!("{} / {}", expr(rng, d), expr(rng, d)),
        4 => format!("{} % {}", expr(rng, d), expr(rng, d)),
        5 => format!("-({})", expr(rng, d)),
        6 => format!("abs({})", expr(rng, d)),
        7 => format!(
            "size(range({}, {}, {}))",
            expr(rng, d),
            expr(rng, d),
            expr(rng, d)
        ),
        8 => format!("range({}, {})[{}]", int(rng), int(rng), int(rng)),
        9 => format!(
            "[x IN range(0, {}) | x * {}][-1]",
            rng.below(50),
            expr(rng, d)
        ),
        10 => format!("{} ^ {}", expr(rng, d), expr(rng, d)),
        _ => format!("toInteger({})", expr(rng, d)),
    }
}

/// A random pattern of `hops` relationships whose nodes are now and then named with
/// one of [`VARS`]; the names used are added to `bound`.
fn pattern(rng: &mut Rng, hops: usize, bound: &mut Vec<&'static str>) -> String {
    let mut node = |rng: &mut Rng| {
        let v = if rng.below(3) == 0 {
            rng.pick(VARS)
        } else {
            ""
        };
        if !v.is_empty() && !bound.contains(&v) {
            bound.push(v);
        }
        format!("({v}{})", rng.pick(LABELS))
    };
    let mut p = node(rng);
    for _ in 0..hops {
        let ty = rng.pick(TYPES);
        let len = match rng.below(6) {
            0 => "*".to_string(),
            1 => format!("*{}..{}", rng.below(3), rng.below(4)),
            _ => String::new(),
        };
        let rel = format!("[{ty}{len}]");
        let (l, r) = match rng.below(3) {
            0 => ("<-", "-"),
            1 => ("-", "->"),
            _ => ("-", "-"),
        };
        p.push_str(l);
        p.push_str(&rel);
        p.push_str(r);
        p.push_str(&node(rng));
    }
    p
}

/// A random statement: patterns (now and then close to or past the bound), arithmetic
/// in WHERE and RETURN, aggregates and lists.
fn statement(rng: &mut Rng) -> String {
    let hops = match rng.below(20) {
        0 => 95 + rng.below(10), // around the 200-element bound
        1 => 30 + rng.below(40),
        _ => rng.below(5),
    };
    let mut vars = Vec::new();
    let mut q = format!("MATCH {}", pattern(rng, hops, &mut vars));
    if rng.below(3) == 0 {
        let hops = rng.below(3);
        q.push_str(&format!(", {}", pattern(rng, hops, &mut vars)));
    }
    let vars = &vars[..];
    if rng.below(2) == 0 {
        q.push_str(&format!(
            " WHERE {} > {}",
            expr(rng, vars, 2),
            expr(rng, vars, 1)
        ));
    }
    q.push_str(match rng.below(5) {
        0 => " RETURN count(*)",
        1 => " WITH * LIMIT 5 RETURN count(*)",
        _ => "",
    });
    if !q.contains("RETURN") {
        let agg = match rng.below(5) {
            0 => format!("sum({})", expr(rng, vars, 1)),
            1 => format!("size(collect({}))", expr(rng, vars, 1)),
            2 => format!("avg({})", expr(rng, vars, 1)),
            _ => expr(rng, vars, 3),
        };
        q.push_str(&format!(" RETURN {agg} AS v LIMIT 10"));
    }
    if rng.below(10) == 0 {
        let (a, b, c) = (int(rng), int(rng), expr(rng, &[], 2));
        q = format!("UNWIND [{a}, {b}] AS u RETURN sum(u) + {c}");
    }
    q
}

#[test]
fn fuzz_planning_and_arithmetic() {
    let s = fixture();
    let mut e = Engine::new(s.graph());
    let timeout = Duration::from_secs(1);
    e.limits.timeout = Some(timeout);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ iterations(0) as u64);
    let (mut ok, mut failed, mut slowest) = (0usize, 0usize, Duration::ZERO);
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let n = iterations(300);
    for _ in 0..n {
        let q = statement(&mut rng);
        let t = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&e, &q)));
        let took = t.elapsed();
        match r {
            Err(_) => panic!("panic on {q}"),
            Ok(Ok(_)) => ok += 1,
            Ok(Err(x)) => {
                failed += 1;
                let kind: String = x.to_string().split(':').next().unwrap_or("").into();
                *kinds.entry(kind.chars().take(40).collect()).or_default() += 1;
            }
        }
        assert!(took <= timeout + Duration::from_secs(1), "{took:?} for {q}");
        slowest = slowest.max(took);
    }
    eprintln!("fuzz: {n} statements, {ok} ran, {failed} refused or failed, slowest {slowest:?}");
    eprintln!("fuzz: errors by kind: {kinds:?}");
    // The generator must exercise both outcomes.
    assert!(ok > n / 10 && failed > n / 20, "{ok} ran, {failed} failed");
    assert!(kinds.contains_key("integer overflow"), "{kinds:?}");
}
