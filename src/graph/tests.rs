use super::*;
use crate::schema::Schema;
use crate::value::Value;

fn graph() -> Graph {
    Graph::new(Arc::new(Schema::builtin()))
}

fn key(g: &Graph, k: &str) -> KeyId {
    g.schema().key(k).unwrap()
}

fn label(g: &Graph, l: &str) -> LabelId {
    g.schema().label(l).unwrap()
}

fn country(g: &mut Graph, name: &str, aliases: &[&str]) -> u32 {
    let (l, n, a) = (label(g, "Country"), key(g, "name"), key(g, "aliases"));
    let mut props = vec![(n, Value::str(name))];
    if !aliases.is_empty() {
        props.push((a, Value::str_list(aliases)));
    }
    let mut t = Txn::new(g, false);
    t.upsert_node(l, props, &[]).unwrap()
}

#[test]
fn upsert_merges_spellings_through_aliases_and_folding() {
    let mut g = graph();
    let vn = country(&mut g, "Vietnam", &["Viet Nam"]);
    // "Việt Nam" folds to "viet nam", an alias: the same node, whose aliases grow.
    assert_eq!(country(&mut g, "Việt Nam", &[]), vn);
    // Case and spacing do not matter either.
    assert_eq!(country(&mut g, "VIETNAM", &[]), vn);
    assert_eq!(g.node_count(), 1);
    let n = g.node_by_id(vn).unwrap();
    assert_eq!(g.name_of(n), Some("Vietnam"));
    let aliases: Vec<&str> = g.names_of(n).skip(1).collect();
    assert_eq!(aliases, ["Viet Nam", "Việt Nam", "VIETNAM"]);
    assert_eq!(g.find_by_name(label(&g, "Country"), "viet nam").len(), 1);
}

#[test]
fn spelling_variants_merge_without_a_prior_alias() {
    let mut g = graph();
    let vn = country(&mut g, "Vietnam", &[]);
    assert_eq!(country(&mut g, "Việt Nam", &[]), vn);
    let n = g.node_by_id(vn).unwrap();
    assert_eq!(g.names_of(n).collect::<Vec<_>>(), ["Vietnam", "Việt Nam"]);
}

#[test]
fn the_fullest_written_form_becomes_the_name() {
    let mut g = graph();
    let (l, n) = (label(&g, "Person"), key(&g, "name"));
    let mut t = Txn::new(&mut g, false);
    let a = t
        .upsert_node(l, vec![(n, Value::str("Luong Tam Quang"))], &[])
        .unwrap();
    let b = t
        .upsert_node(l, vec![(n, Value::str("Lương Tam Quang"))], &[])
        .unwrap();
    assert_eq!(a, b);
    let rec = g.node_by_id(a).unwrap();
    assert_eq!(g.name_of(rec), Some("Lương Tam Quang"));
    assert_eq!(
        g.names_of(rec).collect::<Vec<_>>(),
        ["Lương Tam Quang", "Luong Tam Quang"]
    );
}

#[test]
fn edges_are_never_duplicated_and_merge_evidence() {
    let mut g = graph();
    let vn = country(&mut g, "Vietnam", &[]);
    let (ol, on) = (label(&g, "Organization"), key(&g, "name"));
    let of = g.schema().rel_type("OF").unwrap();
    let ev1 = Evidence {
        doc: 7,
        start: 0,
        end: 5,
    };
    let ev2 = Evidence {
        doc: 7,
        start: 10,
        end: 15,
    };
    let mut t = Txn::new(&mut g, false);
    let mps = t
        .upsert_node(
            ol,
            vec![(on, Value::str("Ministry of Public Security"))],
            &[],
        )
        .unwrap();
    let e1 = t.upsert_edge(of, mps, vn, vec![], &[ev1]).unwrap();
    let e2 = t.upsert_edge(of, mps, vn, vec![], &[ev2, ev1]).unwrap();
    assert_eq!(e1, e2);
    assert_eq!(g.edge_count(), 1);
    assert_eq!(&*g.edge_by_id(e1).unwrap().attrs.prov, &[ev1, ev2]);
}

#[test]
fn scoped_upsert_keeps_two_countries_ministries_apart() {
    let mut g = graph();
    let mz = country(&mut g, "Mozambique", &[]);
    let za = country(&mut g, "South Africa", &[]);
    let (ol, on) = (label(&g, "Organization"), key(&g, "name"));
    let of = g.schema().rel_type("OF").unwrap();
    let mut t = Txn::new(&mut g, false);
    let ministry = |t: &mut Txn<'_>, c: u32| {
        let o = t
            .upsert_node_scoped(
                ol,
                vec![(on, Value::str("Ministry of Interior"))],
                &[],
                Some((of, c)),
            )
            .unwrap();
        t.upsert_edge(of, o, c, vec![], &[]).unwrap();
        o
    };
    let a = ministry(&mut t, mz);
    let b = ministry(&mut t, za);
    assert_ne!(a, b);
    assert_eq!(ministry(&mut t, mz), a);
}

#[test]
fn the_scope_index_follows_names_scope_edges_and_undo() {
    let mut g = graph();
    let mz = country(&mut g, "Mozambique", &[]);
    let za = country(&mut g, "South Africa", &[]);
    let (pl, pn, pa) = (label(&g, "Person"), key(&g, "name"), key(&g, "aliases"));
    let of = g.schema().rel_type("OF").unwrap();
    g.index_pairs();
    let name = |s: &str| vec![(pn, Value::str(s))];
    let mut t = Txn::new(&mut g, false);
    let p = t
        .add_or_merge_node(pl, name("Ana Silva"), &[], None)
        .unwrap();
    let q = t
        .add_or_merge_node(pl, name("Ana Silva"), &[], None)
        .unwrap();
    let qz = t.upsert_edge(of, q, za, vec![], &[]).unwrap();
    t.finish();
    let ix = |g: &Graph, id: u32| g.node_index(id).unwrap();
    let (imz, iza, ip, iq) = (ix(&g, mz), ix(&g, za), ix(&g, p), ix(&g, q));
    assert_eq!(g.find_unscoped(pl, "ANA SILVA"), [ip]);
    assert_eq!(g.find_in_scope(pl, "Ana Silva", iza), [iq]);
    assert!(g.find_in_scope(pl, "Ana Silva", imz).is_empty());
    assert!(g.verify().is_empty(), "{:?}", g.verify());
    // p gains both countries and an alias; q loses its country.
    let mut t = Txn::new(&mut g, false);
    t.upsert_edge(of, p, mz, vec![], &[]).unwrap();
    t.upsert_edge(of, p, za, vec![], &[]).unwrap();
    let mut rec = t.graph().node_by_id(p).unwrap().clone();
    rec.props = normalize_props(vec![
        (pn, Value::str("Ana Silva")),
        (pa, Value::str_list(["A. Silva"])),
    ])
    .unwrap();
    t.put_node(rec).unwrap();
    t.remove_edge(qz);
    assert_eq!(t.graph().find_unscoped(pl, "Ana Silva"), [iq]);
    assert_eq!(t.graph().find_in_scope(pl, "A. Silva", imz), [ip]);
    let mut both = t.graph().find_in_scope(pl, "Ana Silva", iza);
    both.sort();
    assert_eq!(both, [ip]);
    assert!(t.graph().verify().is_empty(), "{:?}", t.graph().verify());
    // Undo puts every entry back as it was.
    let (_, undo) = t.finish();
    undo.apply(&mut g);
    assert_eq!(g.find_unscoped(pl, "Ana Silva"), [ip]);
    assert_eq!(g.find_in_scope(pl, "Ana Silva", iza), [iq]);
    assert!(g.find_in_scope(pl, "A. Silva", imz).is_empty());
    assert!(g.verify().is_empty(), "{:?}", g.verify());
    // Removing a country removes its entries; its persons are then of no country.
    let mut t = Txn::new(&mut g, false);
    t.remove_node(za);
    t.finish();
    let mut none = g.find_unscoped(pl, "Ana Silva");
    none.sort();
    assert_eq!(none, [ip, iq]);
    assert!(g.verify().is_empty(), "{:?}", g.verify());
}

#[test]
fn schema_violations_are_refused_and_name_the_offender() {
    let mut g = graph();
    let vn = country(&mut g, "Vietnam", &[]);
    let (el, date) = (label(&g, "Event"), key(&g, "date"));
    let of = g.schema().rel_type("OF").unwrap();
    let mut t = Txn::new(&mut g, false);
    let err = t
        .upsert_node(el, vec![(date, Value::str("soon"))], &[])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "property Event.date must be date, found string"
    );
    let ev = t.upsert_node(el, vec![], &[]).unwrap();
    let err = t.upsert_edge(of, ev, vn, vec![], &[]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("relationship (:Event)-[:OF]->(:Country) is not allowed"),
        "{err}"
    );
    let err = t
        .upsert_node(
            label(&Graph::new(Arc::new(Schema::builtin())), "Country"),
            vec![],
            &[],
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "Country requires property name");
}

#[test]
fn undo_restores_the_graph_and_its_indexes() {
    let mut g = graph();
    let vn = country(&mut g, "Vietnam", &[]);
    let before = format!("{:?}", g.node_by_id(vn));
    let (l, n, a) = (label(&g, "Country"), key(&g, "name"), key(&g, "aliases"));
    let of = g.schema().rel_type("OF").unwrap();
    let (ol, on) = (label(&g, "Organization"), key(&g, "name"));
    let mut t = Txn::new(&mut g, false);
    t.upsert_node(
        l,
        vec![
            (n, Value::str("Vietnam")),
            (a, Value::str_list(["Socialist Republic"])),
        ],
        &[],
    )
    .unwrap();
    let o = t
        .upsert_node(ol, vec![(on, Value::str("MPS"))], &[])
        .unwrap();
    t.upsert_edge(of, o, vn, vec![], &[]).unwrap();
    t.remove_node(vn);
    let (_, undo) = t.finish();
    undo.apply(&mut g);
    assert_eq!(g.node_count(), 1);
    assert_eq!(g.edge_count(), 0);
    assert_eq!(format!("{:?}", g.node_by_id(vn)), before);
    assert!(g.find_by_name(l, "Socialist Republic").is_empty());
    assert!(g.find_by_name(ol, "MPS").is_empty());
    assert!(g.verify().is_empty(), "{:?}", g.verify());
}

#[test]
fn import_keeps_external_ids() {
    let mut g = graph();
    let (l, n) = (label(&g, "Country"), key(&g, "name"));
    let mut t = Txn::new(&mut g, true);
    let a = t
        .import_node("n17", l, vec![(n, Value::str("Laos"))], vec![])
        .unwrap();
    let b = t
        .import_node("country:fr", l, vec![(n, Value::str("France"))], vec![])
        .unwrap();
    assert_eq!(a, 17);
    assert_eq!(g.node_id_text(a), "n17");
    assert_eq!(g.node_id_text(b), "country:fr");
    assert_eq!(g.node_by_text_id("country:fr").map(|r| r.id), Some(b));
    let err = Txn::new(&mut g, false).import_node(
        "n17",
        label(&Graph::new(Arc::new(Schema::builtin())), "Topic"),
        vec![(n, Value::str("x"))],
        vec![],
    );
    assert!(
        matches!(err, Err(GraphError::LabelConflict { .. })),
        "{err:?}"
    );
}

/// Evidence of document `doc` at `start`.
fn ev(doc: u32, start: u32) -> Evidence {
    Evidence {
        doc,
        start,
        end: start + 3,
    }
}

/// The graph as comparable text: every node and edge with properties and evidence.
fn dump(g: &Graph) -> Vec<String> {
    let mut out: Vec<String> = g
        .petgraph()
        .node_weights()
        .map(|n| format!("{n:?}"))
        .collect();
    for ix in g.petgraph().edge_indices() {
        out.push(format!("{:?}", g.edge_data(ix)));
    }
    out.sort();
    out
}

#[test]
fn appended_evidence_is_undone_across_absorbed_transactions() {
    let mut g = graph();
    let (c, n, of) = (
        label(&g, "Country"),
        key(&g, "name"),
        g.schema().rel_type("OF").unwrap(),
    );
    let o = label(&g, "Organization");
    let mut t = Txn::new(&mut g, false);
    let vn = t
        .upsert_node(c, vec![(n, Value::str("Vietnam"))], &[ev(1, 0)])
        .unwrap();
    let mps = t
        .upsert_node(o, vec![(n, Value::str("Ministry"))], &[ev(1, 5)])
        .unwrap();
    t.upsert_edge(of, mps, vn, vec![], &[ev(1, 5)]).unwrap();
    drop(t.finish());
    let before = dump(&g);
    // Three later transactions: appends (in place), then a change that is not an append
    // (evidence of an earlier document), then appends again and a new node.
    let mut t = Txn::new(&mut g, false);
    t.upsert_node(c, vec![(n, Value::str("Việt Nam"))], &[ev(2, 0)])
        .unwrap();
    t.upsert_edge(of, mps, vn, vec![], &[ev(2, 9)]).unwrap();
    let (_, mut undo) = t.finish();
    let mut t = Txn::new(&mut g, false);
    t.upsert_node(c, vec![(n, Value::str("Vietnam"))], &[ev(0, 1)])
        .unwrap();
    t.upsert_edge(of, mps, vn, vec![], &[ev(0, 2)]).unwrap();
    undo.absorb(t.finish().1);
    let mut t = Txn::new(&mut g, false);
    t.upsert_node(c, vec![(n, Value::str("Vietnam"))], &[ev(3, 0)])
        .unwrap();
    t.upsert_node(c, vec![(n, Value::str("Cuba"))], &[ev(3, 4)])
        .unwrap();
    undo.absorb(t.finish().1);
    let vn_prov = &g.node_by_id(vn).unwrap().prov;
    assert_eq!(vn_prov, &[ev(0, 1), ev(1, 0), ev(2, 0), ev(3, 0)]);
    undo.apply(&mut g);
    assert_eq!(dump(&g), before);
    assert!(g.verify().is_empty(), "{:?}", g.verify());
}

#[test]
fn the_participation_index_follows_edges_dates_names_and_undo() {
    let mut g = graph();
    let vn = country(&mut g, "Vietnam", &[]);
    let la = country(&mut g, "Laos", &[]);
    let (el, title, date, name) = (
        label(&g, "Event"),
        key(&g, "title"),
        key(&g, "date"),
        key(&g, "name"),
    );
    let part = g.schema().rel_type("PARTICIPATED_IN").unwrap();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    g.index_pairs();
    assert!(g.participations_built());
    let event = |t: &mut Txn<'_>, s: &str, d: u32| {
        t.add_or_merge_node(
            el,
            vec![(title, Value::str(s)), (date, Value::Date(day(d)))],
            &[],
            None,
        )
        .unwrap()
    };
    let mut t = Txn::new(&mut g, false);
    let a = event(&mut t, "talks", 1);
    let b = event(&mut t, "visit", 1);
    let c = event(&mut t, "call", 2);
    t.upsert_edge(part, vn, a, vec![], &[]).unwrap();
    let vb = t.upsert_edge(part, vn, b, vec![], &[]).unwrap();
    t.upsert_edge(part, la, b, vec![], &[]).unwrap();
    t.upsert_edge(part, vn, c, vec![], &[]).unwrap();
    t.finish();
    let ix = |g: &Graph, id: u32| g.node_index(id).unwrap();
    let (ivn, ila, ia, ib, ic) = (ix(&g, vn), ix(&g, la), ix(&g, a), ix(&g, b), ix(&g, c));
    let sorted = |mut v: Vec<NodeIndex>| {
        v.sort();
        v
    };
    assert_eq!(sorted(g.find_participated(ivn, el, day(1))), [ia, ib]);
    assert_eq!(g.find_participated(ila, el, day(1)), [ib]);
    assert_eq!(g.find_participated(ivn, el, day(2)), [ic]);
    assert!(g.find_participated(ila, el, day(2)).is_empty());
    assert!(g.find_named_on(el, day(1)).is_empty());
    assert!(g.verify().is_empty(), "{:?}", g.verify());
    // b moves to day 2 and gains a proper name; Vietnam leaves it; undo restores all.
    let mut t = Txn::new(&mut g, false);
    let mut rec = t.graph().node_by_id(b).unwrap().clone();
    rec.props = normalize_props(vec![
        (title, Value::str("visit")),
        (date, Value::Date(day(2))),
        (name, Value::str("Mekong Dialogue")),
    ])
    .unwrap();
    t.put_node(rec).unwrap();
    assert!(t.remove_edge(vb));
    let tg = t.graph();
    assert_eq!(tg.find_participated(ivn, el, day(1)), [ia]);
    assert_eq!(tg.find_participated(ivn, el, day(2)), [ic]);
    assert_eq!(tg.find_participated(ila, el, day(2)), [ib]);
    assert!(tg.find_participated(ila, el, day(1)).is_empty());
    assert_eq!(tg.find_named_on(el, day(2)), [ib]);
    assert!(tg.verify().is_empty(), "{:?}", tg.verify());
    let (_, undo) = t.finish();
    undo.apply(&mut g);
    assert_eq!(sorted(g.find_participated(ivn, el, day(1))), [ia, ib]);
    assert_eq!(g.find_participated(ila, el, day(1)), [ib]);
    assert!(g.find_named_on(el, day(2)).is_empty());
    assert!(g.verify().is_empty(), "{:?}", g.verify());
    // Removing a participant removes its entries; the index built from scratch agrees.
    let mut t = Txn::new(&mut g, false);
    t.remove_node(la);
    t.finish();
    assert!(g.find_participated(ila, el, day(1)).is_empty());
    let mut fresh = g.clone();
    fresh.by_part = None;
    fresh.build_participations();
    assert_eq!(
        fresh.by_part.as_ref().map(|m| m.len()),
        g.by_part.as_ref().map(|m| m.len())
    );
    assert!(g.verify().is_empty(), "{:?}", g.verify());
}
