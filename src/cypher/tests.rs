//! Parser tests: constructs, precedence, error positions, limits, round-trips.

use super::*;

#[test]
fn smoke() {
    let s = parse("MATCH (n) RETURN n").unwrap();
    assert_eq!(s[0].to_string(), "MATCH (n) RETURN n");
}
