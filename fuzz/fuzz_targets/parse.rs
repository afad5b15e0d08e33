//! Fuzz target: any input may fail to parse but must not panic, and print → re-parse is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(statements) = coopgraph::cypher::parse(data) {
        for statement in statements {
            let printed = statement.to_string();
            let again = coopgraph::cypher::parse(&printed).expect("printed statement re-parses");
            assert_eq!(again.len(), 1);
            assert_eq!(again[0], statement);
            assert_eq!(again[0].to_string(), printed);
        }
    }
});
