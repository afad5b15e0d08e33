//! openCypher subset: tokenizer, parser and syntax tree.
