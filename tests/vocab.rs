//! `--vocab DIR` / `COOPGRAPH_VOCAB`: an analyst's own countries, places, organisations,
//! roles, topic aliases and triggers laid over the built-in vocabulary, without
//! recompiling; a malformed file is refused with its place and nothing is stored.

mod common;

use common::{fails, ok, Dir};

const ARTICLE: &str = "Ruritania and Kenya to fight blue-water raiding\n\n\
PORT VALDOR – Officials of Ruritania and Kenya met on Monday to discuss blue-water \
raiding and grid tampering, the Coastal Watch Bureau said. \"We will patrol together,\" \
Harbour Warden Jane Roe said.\n";

fn vocab(dir: &Dir) -> std::path::PathBuf {
    let v = dir.path("vocab");
    std::fs::create_dir(&v).unwrap();
    std::fs::write(
        v.join("topics.toml"),
        "format = 1\n\n[[topic]]\nname = \"cybersecurity\"\naliases = [\"grid tampering\"]\n\n\
         [[topic]]\nname = \"sea raiding\"\ndoc = \"Attacks on ships.\"\naliases = [\"blue-water raiding\"]\n\
         broader = [\"transnational crime\"]\n",
    )
    .unwrap();
    std::fs::write(
        v.join("places.toml"),
        "[[place]]\nname = \"Port Valdor\"\ncountry = \"KE\"\n",
    )
    .unwrap();
    std::fs::write(
        v.join("countries.tsv"),
        "name\tiso2\tiso3\taliases\tdemonyms\nRussia\tRU\tRUS\tRuritania\tRuritanian\n",
    )
    .unwrap();
    std::fs::write(
        v.join("organizations.toml"),
        "format = 1\n\n[[organization]]\nname = \"Coastal Watch Bureau\"\nkind = \"agency\"\ncountry = \"KE\"\n",
    )
    .unwrap();
    std::fs::write(
        v.join("roles.toml"),
        "format = 1\n\n[[role]]\ntitle = \"Harbour Warden\"\norg = \"Coastal Watch Bureau\"\n",
    )
    .unwrap();
    v
}

fn query(dir: &Dir, q: &str) -> String {
    let mut c = dir.cg();
    c.args(["query", "--format", "csv", q]);
    ok(c)
}

#[test]
fn an_overlay_adds_countries_places_organisations_roles_and_topics() {
    let dir = Dir::new();
    let v = vocab(&dir);
    let art = dir.write("a.txt", ARTICLE);
    let mut c = dir.cg();
    c.arg("--vocab").arg(&v).arg("ingest").arg(&art);
    ok(c);
    let topics = query(
        &dir,
        "MATCH (:Event)-[:ABOUT]->(t:Topic) RETURN DISTINCT t.name ORDER BY t.name",
    );
    assert!(topics.contains("sea raiding"), "{topics}");
    assert!(topics.contains("cybersecurity"), "{topics}");
    let orgs = query(
        &dir,
        "MATCH (o:Organization)-[:OF]->(c:Country) RETURN o.name, c.name",
    );
    assert!(orgs.contains("Coastal Watch Bureau,Kenya"), "{orgs}");
    let places = query(&dir, "MATCH (p:Place) RETURN p.name");
    assert!(places.contains("Port Valdor"), "{places}");
    let roles = query(
        &dir,
        "MATCH (p:Person)-[m:MEMBER_OF]->() RETURN p.name, m.title",
    );
    assert!(roles.contains("Jane Roe,Harbour Warden"), "{roles}");
    // The country alias given in the overlay is read as the country.
    let countries = query(
        &dir,
        "MATCH (c:Country)-[:PARTICIPATED_IN]->(:Event) RETURN DISTINCT c.name ORDER BY c.name",
    );
    assert!(countries.contains("Russia"), "{countries}");

    // Without the overlay none of it is known.
    let plain = Dir::new();
    let art = plain.write("a.txt", ARTICLE);
    let mut c = plain.cg();
    c.arg("ingest").arg(&art);
    ok(c);
    let topics = query(
        &plain,
        "MATCH (:Event)-[:ABOUT]->(t:Topic) RETURN DISTINCT t.name",
    );
    assert!(!topics.contains("sea raiding"), "{topics}");
    assert!(!query(&plain, "MATCH (p:Place) RETURN p.name").contains("Port Valdor"));
}

#[test]
fn the_environment_variable_gives_the_folder_too() {
    let dir = Dir::new();
    let v = vocab(&dir);
    let art = dir.write("a.txt", ARTICLE);
    let mut c = dir.cg();
    c.env("COOPGRAPH_VOCAB", &v).arg("extract").arg(&art);
    let out = ok(c);
    assert!(out.contains("sea raiding"), "{out}");
}

#[test]
fn a_malformed_file_is_refused_with_its_place_and_nothing_is_stored() {
    let dir = Dir::new();
    let v = vocab(&dir);
    std::fs::write(
        v.join("topics.toml"),
        "format = 1\n\n[[topic]]\nname = \"sea raiding\"\nbroader = [\"no such topic\"]\n",
    )
    .unwrap();
    let art = dir.write("a.txt", ARTICLE);
    let mut c = dir.cg();
    c.arg("--vocab").arg(&v).arg("ingest").arg(&art);
    let err = fails(c, 2);
    assert!(err.contains("topics.toml:5:12"), "{err}");
    assert!(err.contains("unknown broader topic"), "{err}");
    assert!(!dir.db().exists() || !query(&dir, "MATCH (d:Document) RETURN d").contains("a"));

    std::fs::write(v.join("topics.toml"), "format = 1\n[[topic]]\nname = 3\n").unwrap();
    let mut c = dir.cg();
    c.arg("--vocab").arg(&v).arg("ingest").arg(&art);
    let err = fails(c, 2);
    assert!(err.contains("topics.toml:3:8"), "{err}");

    std::fs::write(v.join("lexicon.toml"), "stop_caps = 3\n").unwrap();
    std::fs::remove_file(v.join("topics.toml")).unwrap();
    let mut c = dir.cg();
    c.arg("--vocab").arg(&v).arg("extract").arg(&art);
    let err = fails(c, 2);
    assert!(err.contains("lexicon.toml:1:13"), "{err}");

    let empty = dir.path("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("topic.toml"), "").unwrap();
    let mut c = dir.cg();
    c.arg("--vocab").arg(&empty).arg("extract").arg(&art);
    let err = fails(c, 2);
    assert!(err.contains("topic.toml is not a vocabulary file"), "{err}");
}
