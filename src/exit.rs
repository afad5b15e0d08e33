//! The exit statuses of the `coopgraph` commands, below every command module so
//! that each can use them.

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command ran but found problems (check) or some inputs failed.
pub const EXIT_PROBLEMS: i32 = 1;
/// Exit status: an error stopped the command.
pub const EXIT_ERROR: i32 = 2;
/// Exit status: a statement has a syntax error, or cannot be planned.
pub const EXIT_QUERY_INVALID: i32 = 3;
/// Exit status: a statement failed while running (type error, a limit reached).
pub const EXIT_QUERY_FAILED: i32 = 4;
/// Exit status: a statement ran past `--timeout`.
pub const EXIT_TIMEOUT: i32 = 5;
