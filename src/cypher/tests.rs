//! Parser tests: constructs, precedence, error positions, limits, round-trips.

use super::*;

/// Parses one statement, checks that printing it gives `canonical` and that the
/// canonical text re-parses to an equal tree printing the same text.
fn canonical(query: &str, canonical: &str) -> Statement {
    let stmts = parse(query).unwrap_or_else(|e| panic!("{}", e.render(query)));
    assert_eq!(stmts.len(), 1, "{query}");
    let printed = stmts[0].to_string();
    assert_eq!(printed, canonical);
    let again = parse(&printed).unwrap_or_else(|e| panic!("{}", e.render(&printed)));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0], stmts[0], "re-parse of {printed}");
    assert_eq!(again[0].to_string(), printed);
    stmts.into_iter().next().unwrap()
}

/// Like [`canonical`] for a query that is already canonical.
fn verified(query: &str) -> Statement {
    canonical(query, query)
}

/// Parses an expression and checks its round-trip.
fn expr(text: &str) -> Expr {
    let e = parse_expression(text).unwrap_or_else(|e| panic!("{}", e.render(text)));
    let printed = e.to_string();
    let again = parse_expression(&printed).unwrap_or_else(|e| panic!("{}", e.render(&printed)));
    assert_eq!(again, e, "re-parse of {printed}");
    e
}

/// The one-line error message for `query`.
fn err(query: &str) -> String {
    parse(query).unwrap_err().to_string()
}

fn var(name: &str) -> Expr {
    Expr::Variable(Ident::new(name))
}

fn int(i: i64) -> Expr {
    Expr::Literal(Literal::Integer(i))
}

// ---- real queries -------------------------------------------------------------------

#[test]
fn real_queries_round_trip() {
    let q1 = "MATCH (o:Organization {name:'Ministry of Public Security'})-[:OF]->(:Country {name:'Vietnam'})\n\
              MATCH (o)-[:PARTICIPATED_IN]->(e:Event)<-[:PARTICIPATED_IN]-(x)-[:OF]->(c:Country)\n\
              MATCH (e)-[:ABOUT]->(:Topic)-[:BROADER*0..3]->(:Topic {name:'cybercrime'})\n\
              WHERE c.name <> 'Vietnam' RETURN DISTINCT c.name ORDER BY c.name";
    let s = canonical(
        q1,
        "MATCH (o:Organization {name: 'Ministry of Public Security'})-[:OF]->(:Country {name: 'Vietnam'}) \
         MATCH (o)-[:PARTICIPATED_IN]->(e:Event)<-[:PARTICIPATED_IN]-(x)-[:OF]->(c:Country) \
         MATCH (e)-[:ABOUT]->(:Topic)-[:BROADER*0..3]->(:Topic {name: 'cybercrime'}) \
         WHERE c.name <> 'Vietnam' RETURN DISTINCT c.name ORDER BY c.name",
    );
    assert_eq!(s.query.first.clauses.len(), 4);
    let Clause::Match(m) = &s.query.first.clauses[2] else {
        panic!("not a match")
    };
    let (rel, _) = &m.patterns[0].element.chain[1];
    assert_eq!(
        rel.length,
        Some(VarLength {
            min: Some(0),
            max: Some(3)
        })
    );
    assert_eq!(rel.direction, Direction::Outgoing);

    verified(
        "MATCH (a:Country {name: 'Vietnam'})<-[:OF]-(:Organization)-[:PARTICIPATED_IN]->(e:Event)<-[:PARTICIPATED_IN]-(:Organization)-[:OF]->(b:Country) \
         WHERE b.name <> 'Vietnam' RETURN b.name, count(DISTINCT e) AS n ORDER BY n DESC, b.name LIMIT 10",
    );
    let s = verified(
        "MATCH (p:Person)-[*1..3]-(n) WHERE id(p) = 'n63682' AND n <> p RETURN count(DISTINCT n)",
    );
    let Clause::Return(p) = &s.query.first.clauses[1] else {
        panic!()
    };
    assert_eq!(
        p.items[0].expr,
        Expr::FunctionCall {
            name: Ident::new("count"),
            distinct: true,
            args: vec![var("n")]
        }
    );
    let s = verified(
        "MATCH p = shortestPath((a:Person {name: 'X'})-[*..10]-(b:Person {name: 'Y'})) RETURN p, length(p)",
    );
    let Clause::Match(m) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert_eq!(m.patterns[0].kind, PathKind::Shortest);
    assert_eq!(m.patterns[0].variable, Some(Ident::new("p")));
}

// ---- patterns -----------------------------------------------------------------------

#[test]
fn node_patterns() {
    verified("MATCH () RETURN 1");
    verified("MATCH (n) RETURN n");
    verified("MATCH (:A) RETURN 1");
    verified("MATCH (n:A:B) RETURN n");
    verified("MATCH ({k: 1}) RETURN 1");
    verified("MATCH (n {k: 1, `j k`: 'v'}) RETURN n");
    verified("MATCH (n:A {k: $p}) RETURN n");
    verified("MATCH (n $props) RETURN n");
    verified("MATCH (n:A $0) RETURN n");
    canonical(
        "match (n :A:B{k:1}) return n",
        "MATCH (n:A:B {k: 1}) RETURN n",
    );
    let s = verified("MATCH (a), (b), (c)-->(d) RETURN a");
    let Clause::Match(m) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert_eq!(m.patterns.len(), 3);
    assert_eq!(m.patterns[2].element.start.variable, Some(Ident::new("c")));
}

#[test]
fn relationship_patterns() {
    for q in [
        "MATCH (a)-->(b) RETURN a",
        "MATCH (a)<--(b) RETURN a",
        "MATCH (a)--(b) RETURN a",
        "MATCH (a)-[r]->(b) RETURN r",
        "MATCH (a)<-[r:T]-(b) RETURN r",
        "MATCH (a)-[r:T1|T2]-(b) RETURN r",
        "MATCH (a)-[:T*]->(b) RETURN a",
        "MATCH (a)-[:T*2]->(b) RETURN a",
        "MATCH (a)-[:T*1..3]->(b) RETURN a",
        "MATCH (a)-[:T*..3]->(b) RETURN a",
        "MATCH (a)-[:T*0..]->(b) RETURN a",
        "MATCH (a)-[r:T*1..3 {k: 1}]->(b) RETURN r",
        "MATCH (a)-[{k: 1}]->(b) RETURN a",
        "MATCH (a)-[r $p]->(b) RETURN a",
        "MATCH (a)-[*]-(b) RETURN a",
    ] {
        verified(q);
    }
    canonical("MATCH (a)-[]->(b) RETURN a", "MATCH (a)-->(b) RETURN a");
    canonical("MATCH (a)<-[]-(b) RETURN a", "MATCH (a)<--(b) RETURN a");
    canonical("MATCH (a)<-->(b) RETURN a", "MATCH (a)--(b) RETURN a");
    canonical(
        "MATCH (a)-[:A|:B|C]->(b) RETURN a",
        "MATCH (a)-[:A|B|C]->(b) RETURN a",
    );
    canonical(
        "MATCH (a)-[*2..2]->(b) RETURN a",
        "MATCH (a)-[*2]->(b) RETURN a",
    );
    canonical(
        "MATCH (a)-[ r : T * 1 .. 3 ]->(b) RETURN a",
        "MATCH (a)-[r:T*1..3]->(b) RETURN a",
    );

    let s = parse("MATCH (a)<-[r:X|:Y *2]-(b) RETURN a").unwrap();
    let Clause::Match(m) = &s[0].query.first.clauses[0] else {
        panic!()
    };
    let (rel, node) = &m.patterns[0].element.chain[0];
    assert_eq!(rel.direction, Direction::Incoming);
    assert_eq!(rel.variable, Some(Ident::new("r")));
    assert_eq!(rel.types, vec![Ident::new("X"), Ident::new("Y")]);
    assert_eq!(
        rel.length,
        Some(VarLength {
            min: Some(2),
            max: Some(2)
        })
    );
    assert_eq!(node.variable, Some(Ident::new("b")));
    let var_len = |q: &str| {
        let s = parse(q).unwrap();
        let Clause::Match(m) = &s[0].query.first.clauses[0] else {
            panic!()
        };
        m.patterns[0].element.chain[0].0.length
    };
    assert_eq!(
        var_len("MATCH (a)-[*]->(b) RETURN a"),
        Some(VarLength {
            min: None,
            max: None
        })
    );
    assert_eq!(
        var_len("MATCH (a)-[*..3]->(b) RETURN a"),
        Some(VarLength {
            min: None,
            max: Some(3)
        })
    );
    assert_eq!(
        var_len("MATCH (a)-[*0..]->(b) RETURN a"),
        Some(VarLength {
            min: Some(0),
            max: None
        })
    );
    assert_eq!(var_len("MATCH (a)-->(b) RETURN a"), None);
}

#[test]
fn path_functions_and_assignment() {
    verified("MATCH p = (a)-->(b) RETURN p");
    verified("MATCH p = allShortestPaths((a)-[:R*]-(b)) RETURN p");
    verified("MATCH shortestPath((a)-[*]-(b)) RETURN a");
    canonical(
        "MATCH p=SHORTESTPATH((a)-[*]-(b)) RETURN p",
        "MATCH p = shortestPath((a)-[*]-(b)) RETURN p",
    );
}

// ---- clauses ------------------------------------------------------------------------

#[test]
fn clauses() {
    verified("OPTIONAL MATCH (n) RETURN n");
    verified("MATCH (a) OPTIONAL MATCH (a)-->(b) WHERE b.x > 1 RETURN a, b");
    verified("MATCH (n) WITH n, n.x AS x WHERE x > 1 RETURN x");
    verified(
        "MATCH (n) WITH DISTINCT n.x AS x ORDER BY x DESC SKIP 1 LIMIT 2 WHERE x > 1 RETURN x",
    );
    verified("WITH * RETURN *");
    verified("MATCH (n) RETURN *, n.x AS x");
    verified("UNWIND [1, 2, 3] AS x RETURN x");
    verified("UNWIND $list AS `the item` RETURN `the item`");
    verified("RETURN 1 AS x UNION RETURN 2 AS x");
    verified("RETURN 1 AS x UNION ALL RETURN 2 AS x UNION RETURN 3 AS x");
    verified("MATCH (n) RETURN n SKIP 10");
    verified("MATCH (n) RETURN n ORDER BY n.a, n.b DESC SKIP $s LIMIT $l");
    canonical(
        "MATCH (n) RETURN n ORDER BY n.a ASCENDING, n.b DESCENDING, n.c ASC, n.d desc",
        "MATCH (n) RETURN n ORDER BY n.a, n.b DESC, n.c, n.d DESC",
    );
    let s = verified("EXPLAIN MATCH (n) RETURN n");
    assert_eq!(s.mode, QueryMode::Explain);
    let s = canonical("profile MATCH (n) RETURN n", "PROFILE MATCH (n) RETURN n");
    assert_eq!(s.mode, QueryMode::Profile);
    let s = verified("RETURN 1 UNION ALL RETURN 2");
    assert!(s.query.unions[0].0);
}

#[test]
fn keywords_case_insensitive_names_case_sensitive() {
    let a = canonical(
        "match (n:Country) where n.name starts with 'V' return distinct n.name as name order by name desc limit 3",
        "MATCH (n:Country) WHERE n.name STARTS WITH 'V' RETURN DISTINCT n.name AS name ORDER BY name DESC LIMIT 3",
    );
    let b = parse("MATCH (n:country) WHERE n.name STARTS WITH 'V' RETURN DISTINCT n.name AS name ORDER BY name DESC LIMIT 3").unwrap();
    assert_ne!(a, b[0]);
    assert_ne!(expr("n.Name"), expr("n.name"));
    assert_ne!(expr("N"), expr("n"));
}

#[test]
fn quoted_identifiers() {
    verified("MATCH (`my node`:`Some Label` {`a key`: 1})-[:`REL TYPE`]->(`match`) RETURN `my node`.`a prop`, `match`");
    canonical("MATCH (`n`) RETURN `n`", "MATCH (n) RETURN n");
    verified("MATCH (n) RETURN n.`back``tick`");
    // Keywords are fine as labels, types and keys, and printed backquoted.
    canonical(
        "MATCH (n:Match)-[:RETURN]->(m {end: 1}) RETURN n.count, n.end",
        "MATCH (n:`Match`)-[:`RETURN`]->(m {`end`: 1}) RETURN n.count, n.`end`",
    );
}

#[test]
fn comments() {
    canonical(
        "// leading comment\nMATCH (n) /* inline */ RETURN n // trailing",
        "MATCH (n) RETURN n",
    );
    canonical(
        "MATCH (n)\n/* multi\n line */\nRETURN n",
        "MATCH (n) RETURN n",
    );
    assert_eq!(
        err("MATCH (n)\nRETURN n /* oops"),
        "Unterminated block comment at line 2, column 10"
    );
    assert!(parse("// only a comment").unwrap().is_empty());
}

#[test]
fn multiple_statements_with_locations() {
    let text = "MATCH (n) RETURN n;\n  RETURN 1;;\n\n/* c */ EXPLAIN RETURN 2 ;";
    let stmts = parse(text).unwrap();
    assert_eq!(stmts.len(), 3);
    assert_eq!(stmts[0].span.start, Location::new(1, 1));
    assert_eq!(stmts[0].span.end, Location::new(1, 19));
    assert_eq!(stmts[0].source_text(text), "MATCH (n) RETURN n");
    assert_eq!(stmts[1].span.start, Location::new(2, 3));
    assert_eq!(stmts[1].source_text(text), "RETURN 1");
    assert_eq!(stmts[2].span.start, Location::new(4, 9));
    assert_eq!(stmts[2].source_text(text), "EXPLAIN RETURN 2");
    assert_eq!(stmts[2].byte_range, 42..58);
    assert!(parse("").unwrap().is_empty());
    assert!(parse(" ; ;").unwrap().is_empty());
    assert_eq!(
        err("RETURN 1 RETURN 2"),
        "Expected: end of statement, found: RETURN at line 1, column 10"
    );
}

// ---- expressions --------------------------------------------------------------------

#[test]
fn literals() {
    assert_eq!(expr("42"), int(42));
    assert_eq!(expr("0x2A"), int(42));
    assert_eq!(expr("1.5"), Expr::Literal(Literal::Float(1.5)));
    assert_eq!(expr("1e3"), Expr::Literal(Literal::Float(1000.0)));
    assert_eq!(expr(".5"), Expr::Literal(Literal::Float(0.5)));
    assert_eq!(expr("true"), Expr::Literal(Literal::Boolean(true)));
    assert_eq!(expr("FALSE"), Expr::Literal(Literal::Boolean(false)));
    assert_eq!(expr("Null"), Expr::Literal(Literal::Null));
    assert_eq!(
        expr(r#""a\n\t\'\"\\\u00e9b""#),
        Expr::Literal(Literal::String("a\n\t'\"\\éb".into()))
    );
    assert_eq!(
        expr("$name"),
        Expr::Parameter(Parameter::Named("name".into()))
    );
    assert_eq!(expr("$0"), Expr::Parameter(Parameter::Positional(0)));
    verified("RETURN 42, 1.5, 1000.0, 0.5, 1e300, 'it\\'s', true, false, null, $p, $1");
    canonical(
        "RETURN 0x10, 1e3, \"double\", 'tab\\there'",
        "RETURN 16, 1000.0, 'double', 'tab\\there'",
    );
    canonical("RETURN '\\u0001'", "RETURN '\\u0001'");
    verified("RETURN $`odd name`");
}

#[test]
fn collections_and_access() {
    verified("RETURN [1, 2, [3]], [], {a: 1, b: [2]}, {}");
    verified("RETURN l[0], l[1..2], l[..2], l[1..], l[..], m['k'], a.b.c, f(x)[0].y");
    assert_eq!(
        expr("a.b.c"),
        Expr::Property {
            expr: Box::new(Expr::Property {
                expr: Box::new(var("a")),
                key: Ident::new("b")
            }),
            key: Ident::new("c")
        }
    );
    verified("RETURN [x IN l WHERE x > 1 | x * 2], [x IN l WHERE x > 1], [x IN l | x.name]");
    // A list literal holding `x IN l` keeps its parentheses.
    verified("RETURN [(x IN l), 1], [(x IN l AND y)]");
    assert_eq!(
        expr("[(x IN l)]"),
        Expr::List(vec![Expr::binary(var("x"), BinaryOp::In, var("l"))])
    );
    verified("MATCH (n) WHERE n:Person:Agent RETURN n");
}

#[test]
fn functions() {
    verified(
        "RETURN count(*), count(n), count(DISTINCT n), collect(DISTINCT n.name), f(), g(1, 2)",
    );
    canonical("RETURN COUNT(*), Count( * )", "RETURN count(*), count(*)");
    assert_eq!(expr("count(*)"), Expr::CountStar);
    assert_eq!(
        expr("toUpper(n.name)"),
        Expr::FunctionCall {
            name: Ident::new("toUpper"),
            distinct: false,
            args: vec![Expr::Property {
                expr: Box::new(var("n")),
                key: Ident::new("name")
            }]
        }
    );
    assert_eq!(
        err("RETURN count(DISTINCT)"),
        "Expected: an expression, found: ) at line 1, column 22"
    );
}

#[test]
fn case_expressions() {
    verified("RETURN CASE n.x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END");
    verified("RETURN CASE WHEN n.x > 1 THEN 1 END");
    assert_eq!(
        err("RETURN CASE END"),
        "Expected: an expression, found: END at line 1, column 13"
    );
    assert_eq!(
        err("RETURN CASE x ELSE 1 END"),
        "Expected: WHEN, found: ELSE at line 1, column 15"
    );
}

#[test]
fn operators() {
    verified("RETURN a = b, a <> b, a < b, a > b, a <= b, a >= b");
    verified("RETURN a IN b, a STARTS WITH b, a ENDS WITH b, a CONTAINS b, a =~ 'x.*'");
    verified("RETURN a IS NULL, a IS NOT NULL, NOT a, -a, +a");
    verified("RETURN a + b, a - b, a * b, a / b, a % b, a ^ b");
    verified("RETURN a OR b, a XOR b, a AND b");
}

/// `a` and `b` parse to the same tree.
fn same(a: &str, b: &str) {
    assert_eq!(expr(a), expr(b), "{a}  vs  {b}");
}

#[test]
fn precedence() {
    same("a OR b AND c", "a OR (b AND c)");
    same("a OR b XOR c", "a OR (b XOR c)");
    same("a XOR b AND c", "a XOR (b AND c)");
    same("a AND b OR c AND d", "(a AND b) OR (c AND d)");
    same("NOT a AND b", "(NOT a) AND b");
    same("NOT a = b", "NOT (a = b)");
    same("NOT NOT a", "NOT (NOT a)");
    same("a = b AND c <> d", "(a = b) AND (c <> d)");
    same("a + b = c * d", "(a + b) = (c * d)");
    same("a + b IN c", "(a + b) IN c");
    same("a IN b = c", "(a IN b) = c");
    same("a STARTS WITH b + c", "a STARTS WITH (b + c)");
    same(
        "a IS NULL AND b IS NOT NULL",
        "(a IS NULL) AND (b IS NOT NULL)",
    );
    same("a + b IS NULL", "(a + b) IS NULL");
    same("1 + 2 * 3", "1 + (2 * 3)");
    same("1 - 2 - 3", "(1 - 2) - 3");
    same("8 / 4 / 2", "(8 / 4) / 2");
    same("2 ^ 3 ^ 2", "(2 ^ 3) ^ 2");
    same("2 * 3 ^ 2", "2 * (3 ^ 2)");
    same("-2 ^ 2", "(-2) ^ 2");
    same("-a.b", "-(a.b)");
    same("a.b[0].c", "((a.b)[0]).c");
    assert_ne!(expr("1 - 2 - 3"), expr("1 - (2 - 3)"));
    assert_eq!(expr("1 - (2 - 3)").to_string(), "1 - (2 - 3)");
    assert_eq!(expr("(1 + 2) * 3").to_string(), "(1 + 2) * 3");
    assert_eq!(expr("((a))").to_string(), "a");
    assert_eq!(expr("NOT (a AND b)").to_string(), "NOT (a AND b)");
    assert_eq!(expr("(a = b) = c").to_string(), "(a = b) = c");
    assert_eq!(expr("-(-a)").to_string(), "-(-a)");
    assert_eq!(expr("a - -1").to_string(), "a - (-1)");
    assert_eq!(expr("-(2 ^ 2)").to_string(), "-(2 ^ 2)");
    assert_eq!(
        expr("1 + 2 * 3"),
        Expr::binary(
            int(1),
            BinaryOp::Add,
            Expr::binary(int(2), BinaryOp::Mul, int(3))
        )
    );
    assert_eq!(
        err("RETURN a < b < c"),
        "Chained comparisons are not supported: write a < b AND b < c instead of a < b < c at line 1, column 14"
    );
}

#[test]
fn pattern_expressions() {
    let s = verified("MATCH (a:Organization) WHERE (a)-[:OF]->(:Country) RETURN a");
    let Clause::Match(m) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert!(matches!(m.where_clause, Some(Expr::Pattern(_))));
    verified("MATCH (a) WHERE NOT (a)<--() AND exists((a)-[:R*1..2]-({k: 1})) RETURN a");
    verified("MATCH (a) WHERE exists(a.name) RETURN a");
    // A parenthesised expression is not a pattern.
    assert_eq!(
        expr("(a) - 1"),
        Expr::binary(var("a"), BinaryOp::Sub, int(1))
    );
    assert_eq!(expr("(a) < -1").to_string(), "a < (-1)");
    // ...but `(x) - [1]` reads as a pattern, so the printer avoids producing it.
    let e = Expr::binary(
        Expr::binary(var("a"), BinaryOp::Or, var("b")),
        BinaryOp::Sub,
        Expr::List(vec![int(1)]),
    );
    assert_eq!(e.to_string(), "(a OR b) - ([1])");
    assert_eq!(parse_expression(&e.to_string()).unwrap(), e);
    assert_eq!(
        parse_expression("(a OR b) - [1]").unwrap_err().to_string(),
        "Expected: a label, properties or ), found: OR at line 1, column 4"
    );
}

// ---- errors -------------------------------------------------------------------------

#[test]
fn syntax_errors_pin_positions() {
    let q = "MATCH (n)\nWHERE RETURN x";
    let e = parse(q).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Expected: an expression, found: RETURN at line 2, column 7"
    );
    assert_eq!(e.location(), Location::new(2, 7));
    assert_eq!(
        e.render(q),
        "error: Expected: an expression, found: RETURN at line 2, column 7\n  |\n2 | WHERE RETURN x\n  |       ^"
    );
    assert_eq!(
        err("MATCH (n RETURN n"),
        "Expected: a label, properties or ), found: RETURN at line 1, column 10"
    );
    assert_eq!(
        err("MATCH (n:) RETURN n"),
        "Expected: a label name, found: ) at line 1, column 10"
    );
    assert_eq!(
        err("MATCH (a)-[r:T->(b) RETURN a"),
        "Expected: ], found: - at line 1, column 15"
    );
    assert_eq!(
        err("MATCH (n)"),
        "Expected: MATCH, OPTIONAL MATCH, UNWIND, WITH or RETURN, found: end of input at line 1, column 10"
    );
    assert_eq!(
        err("RETURN n AS"),
        "Expected: a variable name, found: end of input at line 1, column 12"
    );
    assert_eq!(
        err("RETURN n ORDER n"),
        "Expected: BY, found: n at line 1, column 16"
    );
    assert_eq!(
        err("RETURN [1, 2"),
        "Expected: ], found: end of input at line 1, column 13"
    );
    assert_eq!(
        err("RETURN a IS 1"),
        "Expected: NULL or NOT NULL, found: 1 at line 1, column 13"
    );
    assert_eq!(
        err("RETURN a STARTS b"),
        "Expected: WITH, found: b at line 1, column 17"
    );
    assert_eq!(
        err("OPTIONAL RETURN 1"),
        "Expected: MATCH, found: RETURN at line 1, column 10"
    );
    assert_eq!(
        err("RETURN 'abc"),
        "Unterminated string literal at line 1, column 8"
    );
    assert_eq!(
        err("RETURN 'a\\qb'"),
        "Invalid escape sequence \\q at line 1, column 10"
    );
    assert_eq!(
        err("RETURN a ! b"),
        "Unexpected character '!': Cypher writes negation as NOT (NOT a) at line 1, column 10"
    );
    assert_eq!(
        err("RETURN a != b"),
        "Unexpected '!=': Cypher writes 'not equal' as <> (a <> b) at line 1, column 10"
    );
    // Carets count characters, not bytes, and keep tabs.
    let q = "RETURN 'é',\t§";
    assert_eq!(
        parse(q).unwrap_err().render(q),
        "error: Unexpected character '§' at line 1, column 13\n  |\n1 | RETURN 'é',\t§\n  |            \t^"
    );
    let q = "RETURN 1;\n\n\n\n\n\n\n\n\nRETURN +";
    assert_eq!(
        parse(q).unwrap_err().render(q),
        "error: Expected: an expression, found: end of input at line 10, column 9\n   |\n10 | RETURN +\n   |         ^"
    );
}

#[test]
fn write_clauses_rejected() {
    for (q, clause, col) in [
        ("CREATE (n)", "CREATE", 1),
        ("MATCH (n) MERGE (m)", "MERGE", 11),
        ("MATCH (n) delete n", "DELETE", 11),
        ("MATCH (n) DETACH DELETE n", "DETACH DELETE", 11),
        ("MATCH (n) SET n.x = 1", "SET", 11),
        ("MATCH (n) REMOVE n.x", "REMOVE", 11),
        ("CALL db.labels()", "CALL", 1),
        ("LOAD CSV FROM 'f' AS row RETURN row", "LOAD CSV", 1),
        ("MATCH (n) FOREACH (x IN [1] | SET n.x = x)", "FOREACH", 11),
        ("MATCH (n) RETURN n CREATE (m)", "CREATE", 20),
        ("MATCH (n) WITH n CREATE (m)", "CREATE", 18),
    ] {
        let e = parse(q).unwrap_err();
        assert_eq!(
            e,
            ParseError::UnsupportedWriteClause {
                clause: clause.into(),
                location: Location::new(1, col)
            },
            "{q}"
        );
    }
    assert_eq!(
        err("CREATE (n)"),
        "write clause CREATE is not supported: coopgraph is read-only; data comes from ingest and import at line 1, column 1"
    );
}

#[test]
fn recursion_limits() {
    let limit = |q: String| {
        let r = std::panic::catch_unwind(|| parse(&q));
        match r {
            Ok(Err(ParseError::RecursionLimitExceeded { .. })) => {}
            other => panic!("expected recursion limit, got {other:?}"),
        }
    };
    limit(format!("RETURN {}", "(".repeat(1000)));
    limit(format!("RETURN {}1{}", "(".repeat(1000), ")".repeat(1000)));
    limit(format!(
        "MATCH (n) WHERE {} true RETURN n",
        "NOT ".repeat(1000)
    ));
    limit(format!("RETURN {}", "[".repeat(1000)));
    limit(format!("RETURN {}{}", "[".repeat(1000), "]".repeat(1000)));
    limit(format!("RETURN {}1", "-".repeat(1000)));
    limit(format!("RETURN {}", "{a: ".repeat(1000)));
    limit(format!("MATCH (n {{a: {}}}) RETURN n", "(".repeat(1000)));
    // Long operator chains are built iteratively but still bounded.
    limit(format!("RETURN 1{}", " + 1".repeat(10_000)));
    limit(format!("RETURN a{}", ".b".repeat(10_000)));
    limit(format!("RETURN a{}", "[0]".repeat(10_000)));
    // Ordinary nesting and chains are well within the limits.
    verified(&format!("RETURN {}1{}", "[".repeat(20), "]".repeat(20)));
    verified(&format!("RETURN 1{}", " + 1".repeat(100)));
    let e = parse(&format!("RETURN {}", "(".repeat(1000))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "recursion limit exceeded at line 1, column 58"
    );
    // A custom limit.
    let mut p = Parser::new("RETURN [[[1]]]")
        .unwrap()
        .with_recursion_limit(3);
    assert!(matches!(
        p.parse_statements(),
        Err(ParseError::RecursionLimitExceeded { .. })
    ));
}

#[test]
fn identifier_locations() {
    let q = "MATCH (o:Organization)-[:OF]->(c:Contry)\nWHERE c.nme = 1 RETURN o";
    let s = parse(q).unwrap();
    let Clause::Match(m) = &s[0].query.first.clauses[0] else {
        panic!()
    };
    let el = &m.patterns[0].element;
    assert_eq!(el.start.labels[0].location, Location::new(1, 10));
    assert_eq!(
        el.start.variable.as_ref().unwrap().location,
        Location::new(1, 8)
    );
    assert_eq!(el.chain[0].0.types[0].location, Location::new(1, 26));
    assert_eq!(el.chain[0].1.labels[0].location, Location::new(1, 34));
    let Some(Expr::Binary { left, .. }) = &m.where_clause else {
        panic!()
    };
    let Expr::Property { key, .. } = &**left else {
        panic!()
    };
    assert_eq!(key.name, "nme");
    assert_eq!(key.location, Location::new(2, 9));
}

// ---- fuzzing ------------------------------------------------------------------------

use crate::test_support::{iterations, Rng};

const CORPUS: &[&str] = &[
    "MATCH (o:Organization {name:'Ministry of Public Security'})-[:OF]->(:Country {name:'Vietnam'}) MATCH (o)-[:PARTICIPATED_IN]->(e:Event)<-[:PARTICIPATED_IN]-(x)-[:OF]->(c:Country) WHERE c.name <> 'Vietnam' RETURN DISTINCT c.name ORDER BY c.name",
    "MATCH (a:Country {name:'Vietnam'})<-[:OF]-(:Organization)-[:PARTICIPATED_IN]->(e:Event) WHERE b.name <> 'Vietnam' RETURN b.name, count(DISTINCT e) AS n ORDER BY n DESC, b.name LIMIT 10",
    "MATCH (p:Person)-[*1..3]-(n) WHERE id(p) = 'n63682' AND n <> p RETURN count(DISTINCT n)",
    "MATCH p = shortestPath((a:Person {name:'X'})-[*..10]-(b:Person {name:'Y'})) RETURN p, length(p)",
    "WITH [x IN range(0, 10) WHERE x % 2 = 0 | x ^ 2] AS l UNWIND l AS y RETURN y[0..2], -y, NOT y IS NULL",
    "MATCH (a) WHERE (a)-[:R|:S*0..]->({k: $p}) OR a.x =~ 'a.*' RETURN CASE a.x WHEN 1 THEN 'a' ELSE \"b\" END",
    "EXPLAIN OPTIONAL MATCH (n:`A B`)<--(m) WITH * ORDER BY n.x SKIP 1 LIMIT 2 WHERE n:A RETURN 0x1F, 1.5e3, .5 UNION ALL RETURN 1",
];

const FRAGMENTS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "WITH",
    "RETURN",
    "UNWIND",
    "AS",
    "DISTINCT",
    "ORDER",
    "BY",
    "SKIP",
    "LIMIT",
    "DESC",
    "UNION",
    "ALL",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "IS",
    "NULL",
    "true",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "count",
    "n",
    "m",
    "`q`",
    "x",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "..",
    "|",
    "=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "=~",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "-->",
    "<--",
    "--",
    "->",
    "<-",
    "1",
    "0",
    "2.5",
    "'s'",
    "\"t\"",
    "$p",
    "$0",
    "shortestPath",
    "CREATE",
    "EXPLAIN",
    "//c\n",
    "/*c*/",
    " ",
    " ",
    " ",
];

/// Parses `input`; if it parses, printing and re-parsing must be stable.
fn check_round_trip(input: &str) -> bool {
    let Ok(stmts) = parse(input) else {
        return false;
    };
    for s in &stmts {
        let printed = s.to_string();
        let again = parse(&printed)
            .unwrap_or_else(|e| panic!("{input:?} printed as {printed:?} fails: {e}"));
        assert_eq!(again.len(), 1, "{printed:?}");
        assert_eq!(again[0], *s, "{input:?} printed as {printed:?}");
        assert_eq!(again[0].to_string(), printed);
    }
    true
}

#[test]
fn fuzz_random_and_mutated_inputs() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for q in CORPUS {
        assert!(check_round_trip(q), "{q}");
    }
    let n = iterations(4000);
    for i in 0..n {
        let input = if i % 2 == 0 {
            // Token soup.
            let n = 1 + rng.below(30);
            (0..n)
                .map(|_| rng.pick(FRAGMENTS))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            // Mutations of a valid query.
            let mut chars: Vec<char> = CORPUS[rng.below(CORPUS.len())].chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len() + 1);
                match rng.below(4) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 => {
                        let frag = rng.pick(FRAGMENTS);
                        for (k, c) in frag.chars().enumerate() {
                            chars.insert(at + k, c);
                        }
                    }
                    2 if at < chars.len() => {
                        let end = (at + rng.below(12)).min(chars.len());
                        chars.drain(at..end);
                    }
                    _ => {
                        let c = b"()[]{}-<>:.,'\"`*|$0aZ /\\\n"[rng.below(25)] as char;
                        chars.insert(at, c);
                    }
                }
            }
            chars.into_iter().collect()
        };
        if check_round_trip(&input) {
            parsed += 1;
        }
    }
    // The generator must exercise the success path too.
    assert!(parsed > n / 40, "only {parsed} of {n} inputs parsed");
}

// ---- random syntax trees: printing must re-parse to the same tree -------------------------

const NAMES: &[&str] = &[
    "n",
    "x",
    "count",
    "Match",
    "a b",
    "x`y",
    "é",
    "_1",
    "END",
    "shortestPath",
];

fn gen_ident(rng: &mut Rng) -> Ident {
    Ident::new(rng.pick(NAMES))
}

fn gen_node(rng: &mut Rng, depth: u32) -> NodePattern {
    NodePattern {
        variable: (rng.below(2) == 0).then(|| gen_ident(rng)),
        labels: (0..rng.below(3)).map(|_| gen_ident(rng)).collect(),
        properties: gen_properties(rng, depth),
    }
}

fn gen_properties(rng: &mut Rng, depth: u32) -> Option<Expr> {
    match rng.below(4) {
        0 => Some(Expr::Map(
            (0..rng.below(3))
                .map(|_| (gen_ident(rng), gen_expr(rng, depth)))
                .collect(),
        )),
        1 => Some(Expr::Parameter(Parameter::Named("p".into()))),
        _ => None,
    }
}

fn gen_element(rng: &mut Rng, depth: u32, min_rels: usize) -> PatternElement {
    let start = gen_node(rng, depth);
    let chain = (0..min_rels + rng.below(2))
        .map(|_| {
            let bound = |rng: &mut Rng| (rng.below(2) == 0).then(|| rng.below(4) as u64);
            let rel = RelationshipPattern {
                direction: [Direction::Outgoing, Direction::Incoming, Direction::Both]
                    [rng.below(3)],
                variable: (rng.below(3) == 0).then(|| gen_ident(rng)),
                types: (0..rng.below(3)).map(|_| gen_ident(rng)).collect(),
                length: (rng.below(3) == 0).then(|| {
                    let min = bound(rng);
                    let max = bound(rng);
                    VarLength { min, max }
                }),
                properties: gen_properties(rng, depth),
            };
            (rel, gen_node(rng, depth))
        })
        .collect();
    PatternElement { start, chain }
}

fn gen_expr(rng: &mut Rng, depth: u32) -> Expr {
    use BinaryOp::*;
    let leaf = depth == 0 || rng.below(4) == 0;
    let d = depth.saturating_sub(1);
    let boxed = |rng: &mut Rng| Box::new(gen_expr(rng, d));
    if leaf {
        return match rng.below(9) {
            0 => int(rng.below(1000) as i64),
            1 => Expr::Literal(Literal::Float(
                [0.5, 1.0, 1e300, 1e-7, 123.456, 1e16][rng.below(6)],
            )),
            2 => Expr::Literal(Literal::String(
                ["", "it's", "a\\b\n\"c\"\t\u{1}é"][rng.below(3)].into(),
            )),
            3 => Expr::Literal([Literal::Null, Literal::Boolean(true)][rng.below(2)].clone()),
            4 => Expr::Parameter(
                [
                    Parameter::Named("p".into()),
                    Parameter::Named("a b".into()),
                    Parameter::Positional(3),
                ][rng.below(3)]
                .clone(),
            ),
            5 => Expr::CountStar,
            _ => Expr::Variable(gen_ident(rng)),
        };
    }
    match rng.below(17) {
        0 => Expr::Property {
            expr: boxed(rng),
            key: gen_ident(rng),
        },
        1 => Expr::Index {
            expr: boxed(rng),
            index: boxed(rng),
        },
        2 => Expr::Slice {
            expr: boxed(rng),
            from: (rng.below(2) == 0).then(|| boxed(rng)),
            to: (rng.below(2) == 0).then(|| boxed(rng)),
        },
        3 => Expr::HasLabels {
            expr: boxed(rng),
            labels: (0..1 + rng.below(2)).map(|_| gen_ident(rng)).collect(),
        },
        4 => Expr::List((0..rng.below(3)).map(|_| gen_expr(rng, d)).collect()),
        5 => Expr::Map(
            (0..rng.below(3))
                .map(|_| (gen_ident(rng), gen_expr(rng, d)))
                .collect(),
        ),
        6 => {
            let args: Vec<Expr> = (0..rng.below(3)).map(|_| gen_expr(rng, d)).collect();
            Expr::FunctionCall {
                name: gen_ident(rng),
                distinct: !args.is_empty() && rng.below(2) == 0,
                args,
            }
        }
        7 | 8 => Expr::Unary {
            op: [UnaryOp::Not, UnaryOp::Neg, UnaryOp::Plus][rng.below(3)],
            expr: boxed(rng),
        },
        9..=12 => {
            let ops = [
                Or, Xor, And, Eq, Neq, Lt, Gt, Le, Ge, In, StartsWith, EndsWith, Contains,
                RegexMatch, Add, Sub, Mul, Div, Mod, Pow,
            ];
            Expr::Binary {
                left: boxed(rng),
                op: ops[rng.below(ops.len())],
                right: boxed(rng),
                at: Pos::default(),
            }
        }
        13 => Expr::IsNull {
            expr: boxed(rng),
            negated: rng.below(2) == 0,
        },
        14 => Expr::Case {
            operand: (rng.below(2) == 0).then(|| boxed(rng)),
            whens: (0..1 + rng.below(2))
                .map(|_| CaseWhen {
                    when: gen_expr(rng, d),
                    then: gen_expr(rng, d),
                })
                .collect(),
            else_expr: (rng.below(2) == 0).then(|| boxed(rng)),
        },
        15 => Expr::ListComprehension {
            variable: gen_ident(rng),
            list: boxed(rng),
            filter: (rng.below(2) == 0).then(|| boxed(rng)),
            map: (rng.below(2) == 0).then(|| boxed(rng)),
        },
        _ => Expr::Pattern(Box::new(gen_element(rng, d, 1))),
    }
}

#[test]
fn random_trees_print_and_reparse() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for _ in 0..iterations(3000) {
        let e = gen_expr(&mut rng, 5);
        let printed = e.to_string();
        let again = parse_expression(&printed)
            .unwrap_or_else(|err| panic!("{e:?}\nprinted as {printed}\n{}", err.render(&printed)));
        if again != e {
            std::fs::write("/tmp/cypher-diff-a.txt", format!("{e:#?}")).unwrap();
            std::fs::write("/tmp/cypher-diff-b.txt", format!("{again:#?}")).unwrap();
        }
        assert_eq!(again, e, "printed as {printed}");
    }
    for _ in 0..500 {
        let pattern = PathPattern {
            variable: (rng.below(2) == 0).then(|| gen_ident(&mut rng)),
            kind: [PathKind::All, PathKind::Shortest, PathKind::AllShortest][rng.below(3)],
            element: gen_element(&mut rng, 3, 0),
        };
        let text = format!("MATCH {pattern} RETURN 1");
        let parsed = parse(&text).unwrap_or_else(|err| panic!("{}", err.render(&text)));
        let Clause::Match(m) = &parsed[0].query.first.clauses[0] else {
            panic!()
        };
        assert_eq!(m.patterns[0], pattern, "{text}");
    }
}

#[test]
fn documentation_examples_parse() {
    let doc = include_str!("../../docs/query-language.md");
    let mut blocks = 0;
    for block in doc.split("```cypher\n").skip(1) {
        let script = block.split("```").next().unwrap();
        let stmts = parse(script).unwrap_or_else(|e| panic!("{}", e.render(script)));
        for s in &stmts {
            assert_eq!(parse(&s.to_string()).unwrap()[0], *s);
        }
        blocks += 1;
    }
    assert_eq!(blocks, 2);
}

#[test]
fn partial_tokenizing_stops_at_the_first_error() {
    use super::tokenizer::{Token, Tokenizer};
    let (tokens, err) = Tokenizer::new("RETURN 'abc").tokenize_partial();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].token.is_keyword("RETURN"));
    let (at, e) = err.expect("an open string is an error");
    assert_eq!(at, 7);
    assert!(
        e.to_string().starts_with("Unterminated string literal"),
        "{e}"
    );
    let (tokens, err) = Tokenizer::new("RETURN 1").tokenize_partial();
    assert!(err.is_none());
    assert_eq!(tokens.last().map(|t| &t.token), Some(&Token::Eof));
    let (_, err) = Tokenizer::new("RETURN 1 /* open").tokenize_partial();
    assert_eq!(err.map(|(at, _)| at), Some(9));
}
