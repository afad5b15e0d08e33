//! Executor tests: Cypher text to result rows, over a small fixture graph.

use super::*;
use crate::store::Store;
use serde_json::json;

/// The fixture: 4 countries, 4 organisations, 3 people, 4 events, 5 topics.
pub(crate) fn fixture() -> Store {
    let nodes = [
        ("n0", "Country", json!({"name": "Vietnam", "iso2": "VN"})),
        ("n1", "Country", json!({"name": "Mozambique", "iso2": "MZ"})),
        ("n2", "Country", json!({"name": "Iran", "iso2": "IR"})),
        (
            "n3",
            "Country",
            json!({"name": "Côte d'Ivoire", "iso2": "CI"}),
        ),
        (
            "n10",
            "Organization",
            json!({"name": "Ministry of Public Security", "kind": "ministry"}),
        ),
        (
            "n11",
            "Organization",
            json!({"name": "SERNIC", "kind": "police"}),
        ),
        (
            "n12",
            "Organization",
            json!({"name": "FARAJA", "kind": "police"}),
        ),
        (
            "n13",
            "Organization",
            json!({"name": "INTERPOL", "kind": "international"}),
        ),
        ("n20", "Person", json!({"name": "Luong Tam Quang"})),
        ("n21", "Person", json!({"name": "Ana Silva"})),
        ("n22", "Person", json!({"name": "Reza Ahmadi"})),
        (
            "n30",
            "Event",
            json!({"kind": "meeting", "date": "2024-03-01", "title": "Hanoi talks"}),
        ),
        (
            "n31",
            "Event",
            json!({"kind": "training", "date": "2023-05-10", "title": "Maputo course"}),
        ),
        (
            "n32",
            "Event",
            json!({"kind": "meeting", "date": "2025-01-20", "title": "Tehran visit"}),
        ),
        (
            "n33",
            "Event",
            json!({"kind": "conference", "date": "2022-11-11", "title": "Lyon conference"}),
        ),
        ("n40", "Topic", json!({"name": "cybercrime"})),
        ("n41", "Topic", json!({"name": "online fraud"})),
        ("n42", "Topic", json!({"name": "transnational crime"})),
        ("n43", "Topic", json!({"name": "drug trafficking"})),
        ("n44", "Topic", json!({"name": "high-tech crime"})),
    ];
    let edges = [
        ("OF", "n10", "n0"),
        ("OF", "n11", "n1"),
        ("OF", "n12", "n2"),
        ("OF", "n20", "n0"),
        ("OF", "n21", "n1"),
        ("OF", "n22", "n2"),
        ("MEMBER_OF", "n20", "n10"),
        ("MEMBER_OF", "n21", "n11"),
        ("PARTICIPATED_IN", "n10", "n30"),
        ("PARTICIPATED_IN", "n11", "n30"),
        ("PARTICIPATED_IN", "n10", "n31"),
        ("PARTICIPATED_IN", "n11", "n31"),
        ("PARTICIPATED_IN", "n10", "n32"),
        ("PARTICIPATED_IN", "n12", "n32"),
        ("PARTICIPATED_IN", "n13", "n33"),
        ("PARTICIPATED_IN", "n12", "n33"),
        ("PARTICIPATED_IN", "n20", "n30"),
        ("ABOUT", "n30", "n41"),
        ("ABOUT", "n31", "n43"),
        ("ABOUT", "n32", "n44"),
        ("ABOUT", "n33", "n40"),
        ("BROADER", "n41", "n40"),
        ("BROADER", "n44", "n40"),
        ("BROADER", "n40", "n42"),
        ("BROADER", "n43", "n42"),
        ("HELD_IN", "n30", "n0"),
    ];
    let mut text = String::from("{\"format\":\"coopgraph\",\"version\":1,\"nodes\":[\n");
    for (i, (id, label, props)) in nodes.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&json!({"id": id, "labels": [label], "properties": props}).to_string());
    }
    text.push_str("\n],\"edges\":[\n");
    for (i, (ty, a, b)) in edges.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        let props = if *ty == "MEMBER_OF" {
            json!({"role": "member"})
        } else {
            json!({})
        };
        text.push_str(
            &json!({"id": format!("e{i}"), "type": ty, "source": a, "target": b, "properties": props})
                .to_string(),
        );
    }
    text.push_str("\n]}\n");
    let mut store = Store::in_memory();
    crate::export::json::import_bytes(&mut store, text.as_bytes(), std::path::Path::new("fixture"))
        .expect("fixture imports");
    store
}

fn q(store: &Store, text: &str) -> Vec<Vec<serde_json::Value>> {
    q_params(store, text, &Params::new())
}

fn q_params(store: &Store, text: &str, params: &Params) -> Vec<Vec<serde_json::Value>> {
    let engine = Engine::new(store.graph());
    let res = engine
        .run_text(text, params)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    let last = res.last().expect("a statement");
    last.rows
        .iter()
        .map(|r| r.iter().map(|v| v.to_json(store.graph())).collect())
        .collect()
}

fn err(store: &Store, text: &str) -> QueryError {
    let engine = Engine::new(store.graph());
    match engine.run_text(text, &Params::new()) {
        Ok(_) => panic!("{text}: expected an error"),
        Err(e) => e,
    }
}

fn one(store: &Store, text: &str) -> serde_json::Value {
    let rows = q(store, text);
    assert_eq!(rows.len(), 1, "{text}: {rows:?}");
    rows[0][0].clone()
}

#[test]
fn point_lookup_and_columns() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let r = e
        .run_text(
            "MATCH (c:Country {name:'Vietnam'}) RETURN c.iso2",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(r[0].columns, vec!["c.iso2"]);
    assert_eq!(
        q(&s, "MATCH (c:Country {name:'Vietnam'}) RETURN c.iso2"),
        vec![vec![json!("VN")]]
    );
    // the name index folds, but equality is exact
    assert!(q(&s, "MATCH (c:Country {name:'vietnam'}) RETURN c").is_empty());
    assert_eq!(
        one(
            &s,
            "MATCH (c:Country) WHERE fold(c.name) = 'cote d\\'ivoire' RETURN c.iso2"
        ),
        json!("CI")
    );
    assert_eq!(
        one(
            &s,
            "MATCH (c:Country) WHERE fold(c.name) = fold('CÔTE D\\'IVOIRE') RETURN c.iso2"
        ),
        json!("CI")
    );
}

#[test]
fn id_function_and_lookup() {
    let s = fixture();
    assert_eq!(
        one(&s, "MATCH (p:Person) WHERE id(p) = 'n21' RETURN p.name"),
        json!("Ana Silva")
    );
    assert_eq!(
        one(&s, "MATCH (p:Person {name:'Ana Silva'}) RETURN id(p)"),
        json!("n21")
    );
    assert!(q(&s, "MATCH (p:Country) WHERE id(p) = 'n21' RETURN p").is_empty());
    assert_eq!(
        one(
            &s,
            "MATCH ()-[r:MEMBER_OF]->(o {name:'SERNIC'}) RETURN id(r)"
        ),
        json!("e7")
    );
}

#[test]
fn expansions_and_directions() {
    let s = fixture();
    let rows = q(
        &s,
        "MATCH (o:Organization {name:'Ministry of Public Security'})-[:PARTICIPATED_IN]->(e:Event) RETURN e.title ORDER BY e.title",
    );
    assert_eq!(
        rows,
        vec![
            vec![json!("Hanoi talks")],
            vec![json!("Maputo course")],
            vec![json!("Tehran visit")]
        ]
    );
    assert_eq!(
        one(
            &s,
            "MATCH (e:Event)<-[:PARTICIPATED_IN]-(o) WHERE e.title = 'Hanoi talks' RETURN count(o)"
        ),
        json!(3)
    );
    assert_eq!(
        one(
            &s,
            "MATCH (e:Event {title:'Hanoi talks'})-[]-(x) RETURN count(*)"
        ),
        json!(5)
    );
    assert_eq!(
        one(&s, "MATCH (a)-[:OF|MEMBER_OF]->(b) RETURN count(*)"),
        json!(8)
    );
    assert_eq!(
        one(&s, "MATCH (a:Person)-[r]->(b) RETURN count(r)"),
        json!(6)
    );
    assert_eq!(
        one(&s, "MATCH (a:Person)-->(b:Organization) RETURN count(*)"),
        json!(2)
    );
    assert_eq!(
        one(&s, "MATCH (a:Person)--(b:Organization) RETURN count(*)"),
        json!(2)
    );
    assert_eq!(
        one(&s, "MATCH (b:Organization)<--(a:Person) RETURN count(*)"),
        json!(2)
    );
}

#[test]
fn comma_patterns_and_uniqueness() {
    let s = fixture();
    // two organisations at the same event, each pair in both orders
    assert_eq!(
        one(&s, "MATCH (a:Organization)-[:PARTICIPATED_IN]->(e:Event)<-[:PARTICIPATED_IN]-(b:Organization) RETURN count(*)"),
        json!(8)
    );
    // uniqueness: the same edge is never used twice in one MATCH
    assert_eq!(
        one(
            &s,
            "MATCH (a)-[r1]-(b)-[r2]-(a) WHERE id(a) = 'n20' RETURN count(*)"
        ),
        json!(0)
    );
    // but it may be reused across MATCH clauses
    assert_eq!(
        one(
            &s,
            "MATCH (a:Person {name:'Ana Silva'})-[:OF]->(c) MATCH (c)<-[:OF]-(x) RETURN count(x)"
        ),
        json!(2)
    );
    assert_eq!(
        one(
            &s,
            "MATCH (a:Person {name:'Ana Silva'})-[:OF]->(c), (c)<-[:OF]-(x) RETURN count(x)"
        ),
        json!(1)
    );
    // a cartesian product of two components
    assert_eq!(
        one(&s, "MATCH (a:Country), (t:Topic) RETURN count(*)"),
        json!(20)
    );
}

#[test]
fn variable_length() {
    let s = fixture();
    let names = |t: &str| {
        q(&s, t)
            .into_iter()
            .map(|r| r[0].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names("MATCH (t:Topic)-[:BROADER*]->(:Topic {name:'transnational crime'}) RETURN t.name ORDER BY t.name"),
        vec!["cybercrime", "drug trafficking", "high-tech crime", "online fraud"]
    );
    assert_eq!(
        names("MATCH (t:Topic)-[:BROADER*0..]->(:Topic {name:'cybercrime'}) RETURN t.name ORDER BY t.name"),
        vec!["cybercrime", "high-tech crime", "online fraud"]
    );
    assert_eq!(
        names("MATCH (t:Topic)-[:BROADER*2]->(x) RETURN t.name ORDER BY t.name"),
        vec!["high-tech crime", "online fraud"]
    );
    assert_eq!(
        names("MATCH (t:Topic {name:'online fraud'})-[:BROADER*1..1]->(x) RETURN x.name"),
        vec!["cybercrime"]
    );
    assert_eq!(
        one(
            &s,
            "MATCH (t:Topic {name:'online fraud'})-[r:BROADER*]->(x) RETURN max(size(r))"
        ),
        json!(2)
    );
    // topic hierarchy, as in the brief
    assert_eq!(
        names("MATCH (e:Event)-[:ABOUT]->(:Topic)-[:BROADER*0..]->(:Topic {name: 'cybercrime'}) RETURN e.title ORDER BY e.title"),
        vec!["Hanoi talks", "Lyon conference", "Tehran visit"]
    );
    // undirected walks: distinct nodes within 2 hops of Ana
    assert_eq!(
        one(
            &s,
            "MATCH (p:Person {name:'Ana Silva'})-[*1..2]-(n) WHERE n <> p RETURN count(DISTINCT n)"
        ),
        json!(4)
    );
    // the same by walks (no DISTINCT): more rows than nodes
    assert_eq!(
        one(
            &s,
            "MATCH (p:Person {name:'Ana Silva'})-[*1..2]-(n) RETURN count(n)"
        ),
        json!(6)
    );
}

#[test]
fn bfs_matches_walks() {
    let s = fixture();
    for start in ["n20", "n10", "n40", "n0"] {
        for max in 1..=4 {
            let bfs = one(
                &s,
                &format!("MATCH (p) WHERE id(p) = '{start}' MATCH (p)-[*1..{max}]-(n) WHERE n <> p RETURN count(DISTINCT n)"),
            );
            let walks = q(
                &s,
                &format!("MATCH (p) WHERE id(p) = '{start}' MATCH (p)-[*1..{max}]-(n) WHERE n <> p RETURN DISTINCT id(n), count(*)"),
            );
            assert_eq!(bfs, json!(walks.len()), "{start} {max}");
            let collected = one(&s, &format!("MATCH (p) WHERE id(p) = '{start}' MATCH (p)-[*0..{max}]->(n) RETURN count(DISTINCT n)"));
            let walks0 = q(&s, &format!("MATCH (p) WHERE id(p) = '{start}' MATCH (p)-[*0..{max}]->(n) WITH n, count(*) AS c RETURN n"));
            assert_eq!(collected, json!(walks0.len()), "{start} {max}");
        }
    }
}

#[test]
fn count_star_fast_path_equals_rows() {
    let s = fixture();
    let c = one(&s, "MATCH (c:Country {name:'Vietnam'})<-[:OF]-(o:Organization)-[:PARTICIPATED_IN]->(e:Event) RETURN count(*)");
    let rows = q(&s, "MATCH (c:Country {name:'Vietnam'})<-[:OF]-(o:Organization)-[:PARTICIPATED_IN]->(e:Event) RETURN e");
    assert_eq!(c, json!(rows.len()));
    assert_eq!(c, json!(3));
    assert_eq!(
        one(
            &s,
            "MATCH (c:Country {name:'Nowhere'})<-[:OF]-(o) RETURN count(*)"
        ),
        json!(0)
    );
}

#[test]
fn optional_match_and_nulls() {
    let s = fixture();
    let rows = q(
        &s,
        "MATCH (c:Country) OPTIONAL MATCH (c)<-[:OF]-(o:Organization) RETURN c.name, o.name ORDER BY c.name",
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], vec![json!("Côte d'Ivoire"), json!(null)]);
    assert_eq!(
        rows[3],
        vec![json!("Vietnam"), json!("Ministry of Public Security")]
    );
    assert_eq!(
        one(
            &s,
            "MATCH (c:Country {name:'Iran'}) OPTIONAL MATCH (c)<-[:HELD_IN]-(e) RETURN e"
        ),
        json!(null)
    );
    // WHERE inside OPTIONAL MATCH
    let rows = q(&s, "MATCH (c:Country) OPTIONAL MATCH (c)<-[:OF]-(p:Person) WHERE p.name STARTS WITH 'A' RETURN c.iso2, p.name ORDER BY c.iso2");
    assert_eq!(rows[2], vec![json!("MZ"), json!("Ana Silva")]);
    assert_eq!(rows[3], vec![json!("VN"), json!(null)]);
}

#[test]
fn where_logic_and_predicates() {
    let s = fixture();
    let c = |w: &str| one(&s, &format!("MATCH (c:Country) WHERE {w} RETURN count(*)"));
    assert_eq!(c("c.iso2 = 'VN' OR c.iso2 = 'IR'"), json!(2));
    assert_eq!(c("c.iso2 = 'VN' XOR c.name = 'Vietnam'"), json!(0));
    assert_eq!(c("NOT c.iso2 = 'VN'"), json!(3));
    assert_eq!(c("c.iso2 IN ['VN', 'MZ', null]"), json!(2));
    assert_eq!(c("NOT c.iso2 IN ['VN', null]"), json!(0));
    assert_eq!(c("c.name STARTS WITH 'V'"), json!(1));
    assert_eq!(c("c.name ENDS WITH 'que'"), json!(1));
    assert_eq!(c("c.name CONTAINS 'r'"), json!(2));
    assert_eq!(c("c.name =~ 'V.*m'"), json!(1));
    assert_eq!(c("c.name =~ '(?i)vIET.*'"), json!(1));
    assert_eq!(c("c.missing IS NULL"), json!(4));
    assert_eq!(c("c.iso2 IS NOT NULL AND c.iso2 > 'IR'"), json!(2));
    assert_eq!(c("c.iso2 >= 'IR' AND c.iso2 <= 'MZ'"), json!(2));
    assert_eq!(c("c.iso2 < 3"), json!(0));
    assert_eq!(c("null = null"), json!(0));
    assert_eq!(c("NOT (null = null)"), json!(0));
    assert_eq!(c("(null AND false) IS NOT NULL"), json!(4));
    assert_eq!(c("(null OR true)"), json!(4));
    assert_eq!(c("c:Country"), json!(4));
    assert_eq!(
        one(
            &s,
            "MATCH (e:Event) WHERE e.date >= date('2024-01-01') RETURN count(*)"
        ),
        json!(2)
    );
}

#[test]
fn with_unwind_aggregates() {
    let s = fixture();
    let rows = q(
        &s,
        "MATCH (o:Organization)-[:PARTICIPATED_IN]->(e:Event) WITH o, count(e) AS n WHERE n > 1 RETURN o.name, n ORDER BY n DESC, o.name",
    );
    assert_eq!(
        rows,
        vec![
            vec![json!("Ministry of Public Security"), json!(3)],
            vec![json!("FARAJA"), json!(2)],
            vec![json!("SERNIC"), json!(2)],
        ]
    );
    assert_eq!(
        one(&s, "UNWIND [1, 2, 2, null, 3] AS x RETURN count(x)"),
        json!(4)
    );
    assert_eq!(
        one(
            &s,
            "UNWIND [1, 2, 2, null, 3] AS x RETURN count(DISTINCT x)"
        ),
        json!(3)
    );
    assert_eq!(one(&s, "UNWIND [1, 2, 2, 3] AS x RETURN sum(x)"), json!(8));
    assert_eq!(
        one(&s, "UNWIND [1, 2, 2, 3] AS x RETURN sum(DISTINCT x)"),
        json!(6)
    );
    assert_eq!(
        one(&s, "UNWIND [1, 2, 2, 3] AS x RETURN avg(x)"),
        json!(2.0)
    );
    assert_eq!(
        one(&s, "UNWIND [1, 2, 3] AS x RETURN avg(DISTINCT x)"),
        json!(2.0)
    );
    assert_eq!(one(&s, "UNWIND [3, 1, 2] AS x RETURN min(x)"), json!(1));
    assert_eq!(one(&s, "UNWIND ['b', 'a'] AS x RETURN max(x)"), json!("b"));
    assert_eq!(
        one(&s, "UNWIND [3, 1, 1] AS x RETURN collect(DISTINCT x)"),
        json!([3, 1])
    );
    assert_eq!(one(&s, "UNWIND [] AS x RETURN count(*)"), json!(0));
    assert_eq!(one(&s, "UNWIND [] AS x RETURN sum(x)"), json!(0));
    assert_eq!(one(&s, "UNWIND [] AS x RETURN avg(x)"), json!(null));
    assert!(q(&s, "UNWIND [] AS x RETURN x, count(*)").is_empty());
    assert_eq!(
        q(
            &s,
            "UNWIND [1, 2, 3, 4, 5] AS x RETURN x ORDER BY x DESC SKIP 1 LIMIT 2"
        ),
        vec![vec![json!(4)], vec![json!(3)]]
    );
    assert_eq!(
        q(&s, "UNWIND [1, 1, 2] AS x RETURN DISTINCT x ORDER BY x"),
        vec![vec![json!(1)], vec![json!(2)]]
    );
    assert_eq!(
        q(
            &s,
            "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN x LIMIT 1"
        ),
        vec![vec![json!(2)]]
    );
    assert_eq!(
        q(&s, "WITH 1 AS a, 2 AS b WITH * RETURN a + b AS s"),
        vec![vec![json!(3)]]
    );
    assert_eq!(
        one(
            &s,
            "MATCH (c:Country) WITH c ORDER BY c.name LIMIT 1 RETURN c.iso2"
        ),
        json!("CI")
    );
    assert_eq!(
        one(
            &s,
            "MATCH (c:Country) RETURN c.iso2 ORDER BY c.name DESC LIMIT 1"
        ),
        json!("VN")
    );
    assert_eq!(
        one(&s, "MATCH (c:Country) RETURN count(*) + 1 AS n"),
        json!(5)
    );
}

#[test]
fn functions() {
    let s = fixture();
    let f = |e: &str| {
        one(
            &s,
            &format!("MATCH (p:Person {{name:'Ana Silva'}})-[r:MEMBER_OF]->(o) RETURN {e}"),
        )
    };
    assert_eq!(f("labels(p)"), json!(["Person"]));
    assert_eq!(f("type(r)"), json!("MEMBER_OF"));
    assert_eq!(f("id(p)"), json!("n21"));
    assert_eq!(f("properties(r)"), json!({"role": "member"}));
    assert_eq!(f("keys(o)"), json!(["kind", "name"]));
    assert_eq!(f("size(p.name)"), json!(9));
    assert_eq!(f("size([1, 2])"), json!(2));
    assert_eq!(f("toLower(p.name)"), json!("ana silva"));
    assert_eq!(f("toUpper(p.name)"), json!("ANA SILVA"));
    assert_eq!(f("trim('  x ')"), json!("x"));
    assert_eq!(f("coalesce(p.nothing, null, 'x')"), json!("x"));
    assert_eq!(f("date('2024-02-29')"), json!("2024-02-29"));
    assert_eq!(
        f("fold('Côte d’Ivoire')"),
        json!(crate::fold::fold("Côte d’Ivoire"))
    );
    assert_eq!(f("toString(1.5)"), json!("1.5"));
    assert_eq!(f("[x IN [1, 2, 3] WHERE x > 1 | x * 10]"), json!([20, 30]));
    assert_eq!(
        f("CASE WHEN p.name = 'Ana Silva' THEN 1 ELSE 2 END"),
        json!(1)
    );
    assert_eq!(
        f("{a: 1, b: [p.name]}"),
        json!({"a": 1, "b": ["Ana Silva"]})
    );
    assert_eq!(f("[1, 2, 3][1]"), json!(2));
    assert_eq!(f("[1, 2, 3][1..]"), json!([2, 3]));
    assert_eq!(f("1 + 2 * 3 - 4 / 2"), json!(5));
    assert_eq!(f("'a' + 1"), json!("a1"));
    let p = one(&s, "MATCH p = (:Person {name:'Ana Silva'})-[:MEMBER_OF]->(:Organization)-[:OF]->(c) RETURN [length(p), size(nodes(p)), size(relationships(p))]");
    assert_eq!(p, json!([2, 3, 2]));
    let n = one(&s, "MATCH (c:Country {name:'Iran'}) RETURN c");
    assert_eq!(
        n,
        json!({"id": "n2", "labels": ["Country"], "properties": {"iso2": "IR", "name": "Iran"}})
    );
}

#[test]
fn parameters() {
    let s = fixture();
    let mut p = Params::new();
    p.insert("name".into(), parse_param("Iran"));
    p.insert("codes".into(), parse_param("[\"VN\", \"MZ\"]"));
    assert_eq!(
        q_params(&s, "MATCH (c:Country {name: $name}) RETURN c.iso2", &p),
        vec![vec![json!("IR")]]
    );
    assert_eq!(
        q_params(
            &s,
            "MATCH (c:Country) WHERE c.iso2 IN $codes RETURN count(*)",
            &p
        ),
        vec![vec![json!(2)]]
    );
    assert!(matches!(
        err(&s, "RETURN $nope"),
        QueryError::Plan(PlanError::MissingParameter(_))
    ));
}

#[test]
fn shortest_paths() {
    let s = fixture();
    assert_eq!(
        one(&s, "MATCH (a:Person {name:'Ana Silva'}), (b:Person {name:'Reza Ahmadi'}) MATCH p = shortestPath((a)-[*]-(b)) RETURN length(p)"),
        json!(7)
    );
    assert_eq!(
        one(&s, "MATCH (a:Person {name:'Ana Silva'}), (b:Person {name:'Reza Ahmadi'}) MATCH p = allShortestPaths((a)-[*]-(b)) RETURN count(p)"),
        json!(2)
    );
    assert_eq!(
        one(&s, "MATCH (a:Organization {name:'SERNIC'}), (b:Organization {name:'FARAJA'}) MATCH p = allShortestPaths((a)-[*]-(b)) RETURN count(p)"),
        json!(2)
    );
    assert!(q(&s, "MATCH (a:Topic {name:'cybercrime'}), (b:Topic {name:'online fraud'}) MATCH p = shortestPath((a)-[:BROADER*]->(b)) RETURN p").is_empty());
}

#[test]
fn union_and_multiple_statements() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let r = e
        .run_text("RETURN 1 AS x; RETURN 2 AS x", &Params::new())
        .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(q(&s, "RETURN 1 AS x UNION RETURN 1 AS x").len(), 1);
    assert_eq!(q(&s, "RETURN 1 AS x UNION ALL RETURN 1 AS x").len(), 2);
}

#[test]
fn warnings_and_errors() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let r = e
        .run_text("MATCH (c:Contry) RETURN c.nme", &Params::new())
        .unwrap();
    assert!(r[0].rows.is_empty());
    assert!(
        r[0].warnings
            .iter()
            .any(|w| w.contains("did you mean Country")),
        "{:?}",
        r[0].warnings
    );
    assert!(
        r[0].warnings
            .iter()
            .any(|w| w.contains("did you mean name")),
        "{:?}",
        r[0].warnings
    );
    let r = e
        .run_text("MATCH ()-[:PARTICIPATED]->() RETURN 1", &Params::new())
        .unwrap();
    assert!(r[0].warnings[0].contains("did you mean PARTICIPATED_IN"));
    assert!(matches!(
        err(&s, "RETURN x"),
        QueryError::Plan(PlanError::UndefinedVariable { .. })
    ));
    assert!(matches!(
        err(&s, "RETURN nosuch(1)"),
        QueryError::Plan(PlanError::UnknownFunction { .. })
    ));
    assert!(matches!(err(&s, "CREATE (n)"), QueryError::Parse(_)));
    match err(&s, "RETURN 1 / 0") {
        QueryError::Exec(e) => {
            assert!(matches!(e.kind(), ExecError::Argument(_)), "{e:?}");
            assert_eq!(e.location(), Some(crate::cypher::Location::new(1, 10)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn explain_and_profile() {
    let s = fixture();
    let e = Engine::new(s.graph());
    let r = e
        .run_text(
            "EXPLAIN MATCH (c:Country {name:'Vietnam'})<-[:OF]-(o) RETURN count(*)",
            &Params::new(),
        )
        .unwrap();
    let text: Vec<String> = r[0]
        .rows
        .iter()
        .map(|r| r[0].as_str().unwrap().to_string())
        .collect();
    assert!(
        text.iter().any(|l| l.contains("NodeByNameIndex")),
        "{text:?}"
    );
    assert!(text.iter().any(|l| l.contains("CountExpand")), "{text:?}");
    let r = e
        .run_text(
            "PROFILE MATCH (c:Country)<-[:OF]-(o) RETURN c.name, count(*)",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(r[0].rows.len(), 3);
    let p = r[0].profile.as_ref().unwrap();
    assert!(p.contains("rows=6"), "{p}");
}

#[test]
fn limits() {
    let s = fixture();
    let mut e = Engine::new(s.graph());
    e.limits.max_result_rows = 10;
    let r = e.run_text("MATCH p = ()-[*]-() RETURN p", &Params::new());
    assert!(
        matches!(r, Err(QueryError::Exec(ExecError::Limit(_)))),
        "{r:?}"
    );
    e.limits.max_result_rows = 1_000_000;
    e.limits.timeout = Some(std::time::Duration::from_millis(0));
    let r = e.run_text("MATCH p = ()-[*]-() RETURN count(p)", &Params::new());
    // Planning counts towards the timeout, so it may already stop there.
    assert!(
        matches!(
            r,
            Err(QueryError::Exec(ExecError::Timeout(_)) | QueryError::Plan(PlanError::Timeout(_)))
        ),
        "{r:?}"
    );
    // A set cancellation flag stops the statement at the first check.
    e.limits.timeout = None;
    e.limits.cancel = Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
        true,
    )));
    let r = e.run_text("MATCH p = ()-[*]-() RETURN count(p)", &Params::new());
    assert!(
        matches!(r, Err(QueryError::Exec(ExecError::Cancelled))),
        "{r:?}"
    );
}

#[test]
fn pattern_predicates() {
    let s = fixture();
    assert_eq!(
        q(
            &s,
            "MATCH (o:Organization) WHERE (o)-[:OF]->(:Country {name:'Vietnam'}) RETURN o.name"
        ),
        vec![vec![json!("Ministry of Public Security")]]
    );
    assert_eq!(
        q(
            &s,
            "MATCH (o:Organization) WHERE NOT (o)-[:OF]->(:Country) RETURN o.name"
        ),
        vec![vec![json!("INTERPOL")]]
    );
    // two bound ends: same country, no direct edge
    assert_eq!(
        q(
            &s,
            "MATCH (p:Person), (o:Organization) WHERE NOT (p)--(o) AND (p)-[:OF]->()<-[:OF]-(o) RETURN p.name, o.name"
        ),
        vec![vec![json!("Reza Ahmadi"), json!("FARAJA")]]
    );
    assert_eq!(
        q(
            &s,
            "MATCH (e:Event) WHERE exists((e)-[:HELD_IN]->(:Country)) RETURN e.title"
        ),
        vec![vec![json!("Hanoi talks")]]
    );
    assert_eq!(
        q(
            &s,
            "MATCH (e:Event) RETURN e.title, exists((e)-[:HELD_IN]->()) AS held ORDER BY e.title"
        ),
        vec![
            vec![json!("Hanoi talks"), json!(true)],
            vec![json!("Lyon conference"), json!(false)],
            vec![json!("Maputo course"), json!(false)],
            vec![json!("Tehran visit"), json!(false)],
        ]
    );
    // a variable-length pattern, and exists() on a property still tests for null
    assert_eq!(
        q(
            &s,
            "MATCH (t:Topic) WHERE (t)-[:BROADER*1..]->(:Topic {name:'transnational crime'}) RETURN t.name ORDER BY t.name"
        ),
        vec![
            vec![json!("cybercrime")],
            vec![json!("drug trafficking")],
            vec![json!("high-tech crime")],
            vec![json!("online fraud")],
        ]
    );
    assert_eq!(
        one(&s, "MATCH (c:Country) WHERE exists(c.iso2) RETURN count(*)"),
        json!(4)
    );
    // after WITH, over the projected row
    assert_eq!(
        q(
            &s,
            "MATCH (o:Organization) WITH o WHERE (o)-[:PARTICIPATED_IN]->(:Event {kind:'conference'}) RETURN o.name ORDER BY o.name"
        ),
        vec![vec![json!("FARAJA")], vec![json!("INTERPOL")]]
    );
    // a null end makes the predicate null: the row is dropped either way
    assert_eq!(
        q(
            &s,
            "MATCH (o:Organization {name:'INTERPOL'}) OPTIONAL MATCH (o)-[:OF]->(c) RETURN o.name, (c)<-[:OF]-() AS x"
        ),
        vec![vec![json!("INTERPOL"), json!(null)]]
    );
    let plan = q(
        &s,
        "EXPLAIN MATCH (o:Organization) WHERE NOT (o)-[:OF]->(:Country) RETURN o",
    );
    assert!(
        plan.iter().any(|r| r[0]
            .as_str()
            .unwrap()
            .contains("Filter NOT (exists[Expand (o)-[")),
        "{plan:?}"
    );
    // the pattern's own variables do not leak into the query
    assert!(matches!(
        err(
            &s,
            "MATCH (o:Organization) WHERE (o)-[:OF]->(c:Country) RETURN c"
        ),
        QueryError::Plan(PlanError::UndefinedVariable { .. })
    ));
}

#[test]
fn property_maps_on_variable_length_relationships() {
    let s = fixture();
    assert_eq!(
        q(
            &s,
            "MATCH (p:Person {name:'Ana Silva'})-[:MEMBER_OF*1..1 {role:'member'}]->(o) RETURN o.name"
        ),
        vec![vec![json!("SERNIC")]]
    );
    assert!(q(
        &s,
        "MATCH (p:Person {name:'Ana Silva'})-[:MEMBER_OF*1..2 {role:'chief'}]->(o) RETURN o.name"
    )
    .is_empty());
    // the breadth-first form (distinct targets) filters relationships too
    assert_eq!(
        one(
            &s,
            "MATCH (p:Person {name:'Ana Silva'})-[*0..3 {role:'member'}]-(n) RETURN count(DISTINCT n)"
        ),
        json!(2)
    );
    assert!(
        one(
            &s,
            "MATCH (p:Person {name:'Ana Silva'})-[*0..3]-(n) RETURN count(DISTINCT n)"
        )
        .as_i64()
            > Some(2)
    );
    // a parameter value, and a bound variable from an earlier clause
    let mut params = Params::new();
    params.insert("r".into(), QValue::str("member"));
    assert_eq!(
        q_params(
            &s,
            "MATCH (p:Person)-[r:MEMBER_OF*1 {role: $r}]->(o) RETURN p.name, size(r) ORDER BY p.name",
            &params
        ),
        vec![
            vec![json!("Ana Silva"), json!(1)],
            vec![json!("Luong Tam Quang"), json!(1)],
        ]
    );
    assert_eq!(
        q(
            &s,
            "MATCH (x:Person {name:'Ana Silva'})-[m:MEMBER_OF]->() WITH m.role AS role MATCH (p:Person)-[:MEMBER_OF*1..2 {role: role}]->(o) RETURN count(*)"
        ),
        vec![vec![json!(2)]]
    );
    // row-dependent values in the breadth-first form (not memoised across rows)
    assert_eq!(
        q(
            &s,
            "UNWIND ['member', 'chief'] AS role MATCH (p:Person {name:'Ana Silva'})-[*0..3 {role: role}]-(n) RETURN role, count(DISTINCT n) ORDER BY role"
        ),
        vec![
            vec![json!("chief"), json!(1)],
            vec![json!("member"), json!(2)],
        ]
    );
    assert!(matches!(
        err(&s, "MATCH (a:Person)-[*1..2 {role: a.name}]-(b) RETURN b"),
        QueryError::Plan(PlanError::Unsupported(_))
    ));
}

#[test]
fn shortest_paths_with_unnamed_and_unbound_ends() {
    let s = fixture();
    // unnamed ends with lookups: both ends bound first, one search per pair
    assert_eq!(
        one(&s, "MATCH p = shortestPath((:Person {name:'Ana Silva'})-[*]-(:Person {name:'Reza Ahmadi'})) RETURN length(p)"),
        json!(7)
    );
    assert_eq!(
        one(&s, "MATCH p = shortestPath((:Person {name:'Ana Silva'})-[*..3]-(:Country {name:'Vietnam'})) RETURN length(p)"),
        json!(3)
    );
    // an end bound by the search: one search reaches every country
    let by_search = q(
        &s,
        "MATCH p = shortestPath((a:Person {name:'Ana Silva'})-[*]-(c:Country)) RETURN c.name, length(p) ORDER BY c.name",
    );
    assert_eq!(
        by_search,
        vec![
            vec![json!("Iran"), json!(6)],
            vec![json!("Mozambique"), json!(1)],
            vec![json!("Vietnam"), json!(3)],
        ]
    );
    // the same answers as a search per bound pair
    for row in &by_search {
        let name = row[0].as_str().unwrap().replace('\'', "\\'");
        assert_eq!(
            one(&s, &format!("MATCH (a:Person {{name:'Ana Silva'}}), (c:Country {{name:'{name}'}}) MATCH p = shortestPath((a)-[*]-(c)) RETURN length(p)")),
            row[1]
        );
    }
    let plan = q(
        &s,
        "EXPLAIN MATCH p = shortestPath((a:Person {name:'Ana Silva'})-[*]-(c:Country)) RETURN c",
    );
    assert!(
        plan.iter().any(|r| r[0]
            .as_str()
            .unwrap()
            .contains("ShortestPath p = (a)-[*1..15]-(c:Country)")),
        "{plan:?}"
    );
    // the selective end on the right: the search runs from it, paths still read left to right
    assert_eq!(
        q(
            &s,
            "MATCH p = shortestPath((t:Topic)-[:BROADER*]->(:Topic {name:'transnational crime'})) RETURN t.name, length(p), nodes(p)[0] = t, last(nodes(p)).name ORDER BY t.name"
        ),
        vec![
            vec![json!("cybercrime"), json!(1), json!(true), json!("transnational crime")],
            vec![json!("drug trafficking"), json!(1), json!(true), json!("transnational crime")],
            vec![json!("high-tech crime"), json!(2), json!(true), json!("transnational crime")],
            vec![json!("online fraud"), json!(2), json!(true), json!("transnational crime")],
        ]
    );
    assert_eq!(
        q(
            &s,
            "MATCH p = shortestPath((c:Country)-[r*]-(a:Person {name:'Ana Silva'})) WHERE c.name <> 'Mozambique' RETURN c.name, startNode(r[0]) = c OR endNode(r[0]) = c ORDER BY c.name"
        ),
        vec![
            vec![json!("Iran"), json!(true)],
            vec![json!("Vietnam"), json!(true)],
        ]
    );
    // allShortestPaths to every end
    assert_eq!(
        q(
            &s,
            "MATCH p = allShortestPaths((a:Organization {name:'SERNIC'})-[*]-(b:Organization)) RETURN b.name, count(p), min(length(p)) ORDER BY b.name"
        ),
        vec![
            vec![json!("FARAJA"), json!(2), json!(4)],
            vec![json!("INTERPOL"), json!(1), json!(5)],
            vec![json!("Ministry of Public Security"), json!(2), json!(2)],
        ]
    );
    // property maps and bound ends from an earlier MATCH
    assert_eq!(
        one(&s, "MATCH (a:Person {name:'Ana Silva'}) MATCH (o:Organization {name:'SERNIC'}) MATCH p = shortestPath((a)-[:MEMBER_OF* {role:'member'}]->(o)) RETURN length(p)"),
        json!(1)
    );
    assert!(matches!(
        err(
            &s,
            "MATCH p = shortestPath((a:Person)-[:OF]->()<-[:OF]-(b:Person)) RETURN p"
        ),
        QueryError::Plan(PlanError::Unsupported(_))
    ));
}

#[test]
fn date_fields_and_map_keys_outside_the_schema() {
    let s = fixture();
    assert_eq!(
        q(
            &s,
            "MATCH (e:Event {title:'Hanoi talks'}) RETURN e.date.year, e.date.month, e.date.day"
        ),
        vec![vec![json!(2024), json!(3), json!(1)]]
    );
    assert_eq!(one(&s, "RETURN {zz: 1}.zz"), json!(1));
    assert_eq!(
        one(&s, "MATCH (c:Country {name:'Iran'}) RETURN c.zz"),
        json!(null)
    );
    let e = Engine::new(s.graph());
    let r = e
        .run_text("MATCH (e:Event) RETURN e.date.year", &Params::new())
        .unwrap();
    assert!(r[0].warnings.is_empty(), "{:?}", r[0].warnings);
}

#[test]
fn node_keyed_groups_merge_equal_keys() {
    let s = fixture();
    // two events share a kind: one group, counted once per event
    assert_eq!(
        q(
            &s,
            "MATCH (e:Event)<-[:PARTICIPATED_IN]-(o:Organization) RETURN e.kind, count(DISTINCT e), count(*) ORDER BY e.kind"
        ),
        vec![
            vec![json!("conference"), json!(1), json!(2)],
            vec![json!("meeting"), json!(2), json!(4)],
            vec![json!("training"), json!(1), json!(2)],
        ]
    );
}

#[test]
fn string_comparison_fast_path_keeps_null_semantics() {
    let s = fixture();
    // INTERPOL has no iso2-like key on organisations: `kind` exists, `iso2` does not
    assert_eq!(
        one(
            &s,
            "MATCH (o:Organization) WHERE o.iso2 = 'VN' RETURN count(*)"
        ),
        json!(0)
    );
    assert_eq!(
        one(
            &s,
            "MATCH (o:Organization) WHERE NOT (o.iso2 = 'VN') RETURN count(*)"
        ),
        json!(0)
    );
    assert_eq!(
        one(
            &s,
            "MATCH (o:Organization) WHERE o.kind <> 'police' RETURN count(*)"
        ),
        json!(2)
    );
    assert_eq!(
        one(
            &s,
            "MATCH (e:Event) WHERE e.date = '2024-03-01' RETURN count(*)"
        ),
        json!(0)
    );
}

#[test]
fn breadth_first_after_a_hop_of_another_type_in_the_same_clause() {
    let s = fixture();
    let bfs = "MATCH (e:Event)-[:ABOUT]->(:Topic)-[:BROADER*0..3]->(t:Topic) RETURN DISTINCT e.title, t.name ORDER BY e.title, t.name";
    let walks = "MATCH (e:Event)-[:ABOUT]->(:Topic)-[:BROADER*0..3]->(t:Topic) RETURN e.title, t.name ORDER BY e.title, t.name";
    let plan = q(&s, &format!("EXPLAIN {bfs}"));
    assert!(
        plan.iter()
            .any(|r| r[0].as_str().unwrap().contains("VarExpandBFS")),
        "{plan:?}"
    );
    let mut w = q(&s, walks);
    w.dedup();
    assert_eq!(q(&s, bfs), w);
    assert_eq!(w.len(), 10);
}

/// The warnings of the first statement of `text`, with the number of rows.
fn warned(store: &Store, text: &str, params: &Params) -> (usize, Vec<String>) {
    let r = Engine::new(store.graph()).run_text(text, params).unwrap();
    (r[0].rows.len(), r[0].warnings.clone())
}

#[test]
fn names_that_match_only_folded_are_noticed_beside_an_empty_result() {
    let s = fixture();
    let none = Params::new();
    // As written, a name with diacritics the stored one lacks: empty, and the fold() form.
    let (n, w) = warned(
        &s,
        "MATCH (p:Person {name: 'Lương Tam Quang'}) RETURN p",
        &none,
    );
    assert_eq!(n, 0);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with(names::NAME_NOTICE), "{w:?}");
    assert!(
        w[0].contains("no Person has p.name = 'Lương Tam Quang' (line 1, column 18)"),
        "{w:?}"
    );
    assert!(w[0].contains("'Luong Tam Quang' has it folded"), "{w:?}");
    assert!(
        w[0].contains("WHERE fold(p.name) = fold('Lương Tam Quang')"),
        "{w:?}"
    );
    // The form it suggests finds the node, through the name index.
    let (n, w) = warned(
        &s,
        "MATCH (p:Person) WHERE fold(p.name) = fold('Lương Tam Quang') RETURN p",
        &none,
    );
    assert_eq!((n, w.len()), (1, 0), "{w:?}");
    let plan = Engine::new(s.graph())
        .run_text(
            "EXPLAIN MATCH (p:Person) WHERE fold(p.name) = fold('Lương Tam Quang') RETURN p",
            &none,
        )
        .unwrap();
    assert!(
        plan[0]
            .rows
            .iter()
            .any(|r| format!("{:?}", r[0]).contains("NodeByNameIndex")),
        "{:?}",
        plan[0].rows
    );
    // WHERE equality, case only, apostrophe: the same.
    let (n, w) = warned(
        &s,
        "MATCH (c:Country) WHERE c.name = 'cote d\\'ivoire' RETURN c",
        &none,
    );
    assert_eq!(n, 0);
    assert!(w[0].contains("'Côte d\\'Ivoire' has it folded"), "{w:?}");
    assert!(
        w[0].contains("fold(c.name) = fold('cote d\\'ivoire')"),
        "{w:?}"
    );
    // An anonymous node without a label: every label keyed by name is asked.
    let (_, w) = warned(&s, "MATCH ({name: 'LUONG TAM QUANG'}) RETURN 1", &none);
    assert!(w[0].contains("no node has"), "{w:?}");
    assert!(
        w[0].contains("write MATCH (n) WHERE fold(n.name) = fold('LUONG TAM QUANG')"),
        "{w:?}"
    );
    // A parameter: the suggestion keeps it.
    let params: Params = [("who".to_string(), QValue::str("luong tam quang"))].into();
    let (_, w) = warned(&s, "MATCH (p:Person) WHERE p.name = $who RETURN p", &params);
    assert!(w[0].contains("fold(p.name) = fold($who)"), "{w:?}");
    // fold() on one side only: the other side is not folded.
    let (n, w) = warned(
        &s,
        "MATCH (p:Person) WHERE fold(p.name) = 'Luong Tam Quang' RETURN p",
        &none,
    );
    assert_eq!(n, 0);
    assert!(
        w[0].contains("no Person has fold(p.name) = 'Luong Tam Quang'"),
        "{w:?}"
    );
    // Spacing differs, not only case and diacritics: the stored name is suggested.
    let (_, w) = warned(&s, "MATCH (c:Country {name: 'Viet Nam'}) RETURN c", &none);
    assert!(
        w[0].contains("'Vietnam' has it as an alias or with other spacing"),
        "{w:?}"
    );
    assert!(w[0].contains("WHERE c.name = 'Vietnam'"), "{w:?}");
    // No notice: the name exists as written (empty for another reason), no name is
    // near, or the result has rows.
    for text in [
        "MATCH (p:Person {name: 'Luong Tam Quang'}) WHERE p.name = 'x' RETURN p",
        "MATCH (p:Person {name: 'Nobody Known'}) RETURN p",
        "MATCH (p:Person {name: 'Luong Tam Quang'}) RETURN p",
        "MATCH (p:Person {name: 'Lương Tam Quang'}) RETURN count(p)",
        "EXPLAIN MATCH (p:Person {name: 'Lương Tam Quang'}) RETURN p",
    ] {
        let (_, w) = warned(&s, text, &none);
        assert!(w.is_empty(), "{text}: {w:?}");
    }
}
