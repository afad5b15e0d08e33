//! Errors of the query layer: planning (the statement cannot be run) and execution.

use crate::cypher::{Location, ParseError};

/// The statement parsed but cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A variable used but never bound.
    #[error("variable `{name}` is not defined{location}")]
    UndefinedVariable {
        /// The variable.
        name: String,
        /// Where it is used.
        location: Location,
    },
    /// A function the engine does not have.
    #[error("the function {name} is not supported{location}")]
    UnknownFunction {
        /// The function name as written.
        name: String,
        /// Where it is called.
        location: Location,
    },
    /// A function called with the wrong number of arguments.
    #[error("the function {name} takes {expected} argument(s), got {got}{location}")]
    WrongArity {
        /// The function name.
        name: String,
        /// What it takes.
        expected: String,
        /// What was given.
        got: usize,
        /// Where it is called.
        location: Location,
    },
    /// A parameter without a value.
    #[error("parameter ${0} has no value (set it with --param {0}=VALUE)")]
    MissingParameter(String),
    /// A construct the engine does not run.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// Aggregation used where it is not allowed.
    #[error("{0}")]
    Aggregation(String),
    /// A WITH item that is an expression without an alias.
    #[error("expression `{0}` in WITH must be aliased (use AS)")]
    MissingAlias(String),
    /// A variable bound twice with different kinds.
    #[error("variable `{0}` is already bound")]
    Rebound(String),
    /// An invalid regular expression literal, and where its `=~` is.
    #[error("invalid regular expression: {0}{1}")]
    Regex(String, Location),
    /// The timeout passed while the statement was being planned.
    #[error("the query was stopped after the timeout of {0:.1} s (while planning)")]
    Timeout(f64),
    /// A bound on what the planner takes was passed (see `Limits`).
    #[error("limit reached: {0}")]
    Limit(String),
}

impl PlanError {
    /// Where in the text the error is, when it points at one place.
    pub fn location(&self) -> Option<Location> {
        match self {
            PlanError::UndefinedVariable { location, .. }
            | PlanError::UnknownFunction { location, .. }
            | PlanError::WrongArity { location, .. }
            | PlanError::Regex(_, location) => Some(*location).filter(|l| l.line > 0),
            _ => None,
        }
    }
}

/// The statement failed while running.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The timeout passed.
    #[error("the query was stopped after the timeout of {0:.1} s")]
    Timeout(f64),
    /// The query was cancelled through [`Limits::cancel`](super::Limits::cancel) (Ctrl-C
    /// in the shell).
    #[error("the query was cancelled")]
    Cancelled,
    /// A limit on the result or intermediate rows was reached.
    #[error("limit reached: {0}")]
    Limit(String),
    /// An integer operation whose result does not fit in 64 bits (Neo4j raises the
    /// same error rather than wrapping).
    #[error("integer overflow: {0}")]
    IntegerOverflow(String),
    /// A value of the wrong type for an operation.
    #[error("type error: {0}")]
    Type(String),
    /// An invalid argument to a function.
    #[error("invalid argument: {0}")]
    Argument(String),
    /// An invalid regular expression.
    #[error("invalid regular expression: {0}")]
    Regex(String),
    /// An error of the expression written at `location` (an operator or a function).
    #[error("{error}")]
    At {
        /// The error.
        error: Box<ExecError>,
        /// Where the failing expression is written.
        location: Location,
    },
}

impl ExecError {
    /// The error placed at `location`, when it is an error of a value (type, argument,
    /// overflow, regular expression) not yet placed; others are returned as they are.
    pub fn at(self, location: Location) -> ExecError {
        match self {
            ExecError::Type(_)
            | ExecError::Argument(_)
            | ExecError::IntegerOverflow(_)
            | ExecError::Regex(_)
                if location.line > 0 =>
            {
                ExecError::At {
                    error: Box::new(self),
                    location,
                }
            }
            other => other,
        }
    }

    /// The error without its place.
    pub fn kind(&self) -> &ExecError {
        match self {
            ExecError::At { error, .. } => error.kind(),
            e => e,
        }
    }

    /// Where the failing expression is written, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            ExecError::At { location, .. } => Some(*location),
            _ => None,
        }
    }
}

/// Any error of running a query text, from parsing to execution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The text is not valid Cypher.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The statement cannot be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The statement failed while running.
    #[error(transparent)]
    Exec(#[from] ExecError),
}
