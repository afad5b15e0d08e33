//! Property values: the typed scalars and lists stored on nodes and edges.

use chrono::NaiveDate;
use std::fmt;
use std::sync::Arc;

/// A property value as stored in the graph.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A UTF-8 string (shared, so repeated values cost one allocation).
    Str(Arc<str>),
    /// A calendar date.
    Date(NaiveDate),
    /// A list of values.
    List(Arc<[Value]>),
}

/// The declared type of a property in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `string`
    String,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `date`, written "YYYY-MM-DD"
    Date,
    /// `list<string>`
    StringList,
}

impl ValueType {
    /// Parses a type name as written in graph-schema/schema.toml.
    pub fn parse(s: &str) -> Option<ValueType> {
        Some(match s {
            "string" => ValueType::String,
            "int" => ValueType::Int,
            "float" => ValueType::Float,
            "bool" => ValueType::Bool,
            "date" => ValueType::Date,
            "list<string>" => ValueType::StringList,
            _ => return None,
        })
    }

    /// The type's name as written in the schema.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Int => "int",
            ValueType::Float => "float",
            ValueType::Bool => "bool",
            ValueType::Date => "date",
            ValueType::StringList => "list<string>",
        }
    }

    /// Whether `v` is a value of this type.
    pub fn admits(self, v: &Value) -> bool {
        match (self, v) {
            (ValueType::String, Value::Str(_))
            | (ValueType::Int, Value::Int(_))
            | (ValueType::Float, Value::Float(_) | Value::Int(_))
            | (ValueType::Bool, Value::Bool(_))
            | (ValueType::Date, Value::Date(_)) => true,
            (ValueType::StringList, Value::List(l)) => l.iter().all(|x| matches!(x, Value::Str(_))),
            _ => false,
        }
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// A list of strings.
    pub fn str_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(items.into_iter().map(|s| Value::str(s.as_ref())).collect())
    }

    /// The string inside a `Str` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a `List` value.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The name of this value's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::List(_) => "list",
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}
