//! openCypher subset: tokenizer, parser and syntax tree.
//!
//! The accepted language is read-only Cypher (MATCH, OPTIONAL MATCH, WITH, UNWIND,
//! RETURN, UNION); write clauses are rejected with [`ParseError::UnsupportedWriteClause`].
//! See `docs/query-language.md` for the grammar.
//!
//! ```
//! let stmts = coopgraph::cypher::parse("MATCH (n:Country) RETURN n.name; RETURN 1").unwrap();
//! assert_eq!(stmts.len(), 2);
//! assert_eq!(stmts[0].to_string(), "MATCH (n:Country) RETURN n.name");
//! assert_eq!(stmts[1].span.start.line, 1);
//! ```

#![deny(missing_docs)]

pub mod ast;
pub mod error;
pub mod parser;
pub mod tokenizer;

pub use ast::*;
pub use error::{caret_excerpt, Location, ParseError, Span};
pub use parser::Parser;

/// Parses a script of `;`-separated statements; each keeps its span in `text`.
pub fn parse(text: &str) -> Result<Vec<Statement>, ParseError> {
    Parser::new(text)?.parse_statements()
}

/// Parses a single expression (the whole text must be one expression).
pub fn parse_expression(text: &str) -> Result<Expr, ParseError> {
    let mut parser = Parser::new(text)?;
    let expr = parser.parse_expr()?;
    parser.expect_end()?;
    Ok(expr)
}

#[cfg(test)]
mod tests;
