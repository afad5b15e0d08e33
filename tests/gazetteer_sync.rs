//! Fails when graph-schema/countries.tsv is out of date with its generator
//! (`cargo run --example gen_gazetteer` rewrites it).

#[path = "../examples/gen_gazetteer.rs"]
#[allow(dead_code)]
mod gen_gazetteer;

#[test]
fn countries_tsv_is_up_to_date() {
    let dir = gen_gazetteer::schema_dir();
    let overrides = std::fs::read_to_string(dir.join("country-overrides.toml")).unwrap();
    let expected = gen_gazetteer::generate(&overrides).unwrap();
    let committed = std::fs::read_to_string(dir.join("countries.tsv")).unwrap();
    assert!(
        committed == expected,
        "graph-schema/countries.tsv is out of date: run `cargo run --example gen_gazetteer`"
    );
}
