//! The graph schema.
