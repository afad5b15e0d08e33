//! GQL status objects (ISO GQL's `GQLSTATUS` codes, as Neo4j 5 sends them from Bolt 5.5
//! on): the status of each Neo4j error and notification code, with its description,
//! and the status of a result (rows, no rows, no result).

/// The GQL status of an error: code, description, and the more precise status that
/// caused it (Neo4j's `cause`), if there is one.
pub struct ErrorStatus {
    /// The five-character status, e.g. `42001`.
    pub gql_status: &'static str,
    /// The standard description of the status.
    pub description: &'static str,
    /// The more specific status underneath (code, description).
    pub cause: Option<(&'static str, &'static str)>,
}

/// Processing errors without a status of their own.
const GENERAL: ErrorStatus = ErrorStatus {
    gql_status: "50N42",
    description: "error: general processing exception - unexpected error",
    cause: None,
};

/// The GQL status of the errors coopgraph answers with, by Neo4j status code.
pub fn error_status(neo4j_code: &str) -> ErrorStatus {
    let (gql_status, description, cause) = match neo4j_code {
        "Neo.ClientError.Statement.SyntaxError" => (
            "42001",
            "error: syntax error or access rule violation - invalid syntax",
            None,
        ),
        "Neo.ClientError.Statement.SemanticError" => (
            "42001",
            "error: syntax error or access rule violation - invalid syntax",
            None,
        ),
        "Neo.ClientError.Statement.UnknownFunction" => (
            "42001",
            "error: syntax error or access rule violation - invalid syntax",
            Some((
                "42N48",
                "error: syntax error or access rule violation - unknown function",
            )),
        ),
        "Neo.ClientError.Statement.ParameterMissing" => (
            "42N51",
            "error: syntax error or access rule violation - invalid parameter",
            None,
        ),
        "Neo.ClientError.Statement.TypeError" => (
            "22G03",
            "error: data exception - invalid value type",
            Some(("22N01", "error: data exception - invalid type")),
        ),
        "Neo.ClientError.Statement.ArithmeticError" => (
            "22003",
            "error: data exception - numeric value out of range",
            None,
        ),
        "Neo.ClientError.Statement.ArgumentError" | "Neo.ClientError.Statement.EntityNotFound" => {
            ("22000", "error: data exception", None)
        }
        "Neo.ClientError.Statement.FeatureNotSupported" => {
            ("0A000", "error: feature not supported", None)
        }
        "Neo.ClientError.Security.Unauthorized" => (
            "42NFF",
            "error: syntax error or access rule violation - permission/access denied",
            None,
        ),
        "Neo.ClientError.Request.Invalid" | "Neo.ClientError.Request.InvalidFormat" => (
            "08N06",
            "error: connection exception - protocol error",
            None,
        ),
        _ => return GENERAL,
    };
    ErrorStatus {
        gql_status,
        description,
        cause,
    }
}

/// The classification of a Neo4j status code (its second part, e.g. `CLIENT_ERROR`).
pub fn classification(neo4j_code: &str) -> &'static str {
    match neo4j_code.split('.').nth(1) {
        Some("ClientError") => "CLIENT_ERROR",
        Some("TransientError") => "TRANSIENT_ERROR",
        _ => "DATABASE_ERROR",
    }
}

/// The GQL status and description of a schema warning, by Neo4j notification code.
pub fn warning_status(neo4j_code: &str) -> (&'static str, &'static str) {
    match neo4j_code {
        FOLDED_NAME_CODE => ("01N99", "warn: name matches only folded"),
        "Neo.ClientNotification.Statement.UnknownLabelWarning" => ("01N50", "warn: unknown label"),
        "Neo.ClientNotification.Statement.UnknownRelationshipTypeWarning" => {
            ("01N51", "warn: unknown relationship type")
        }
        _ => ("01N52", "warn: unknown property key"),
    }
}

/// coopgraph's own notification code (no Neo4j code says it): a name compared as
/// written matches no node, but some once folded (`fold()`).
pub const FOLDED_NAME_CODE: &str = "Neo.ClientNotification.Statement.FoldedNameWarning";

/// The status of a finished result: rows (`00000`), no rows (`02000`), or no result
/// columns at all (`00001`).
pub fn result_status(columns: usize, rows: usize) -> (&'static str, &'static str) {
    if columns == 0 {
        ("00001", "note: successful completion - omitted result")
    } else if rows == 0 {
        ("02000", "note: no data")
    } else {
        ("00000", "note: successful completion")
    }
}
