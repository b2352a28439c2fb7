//! The core's one error: a value it cannot take (an unknown order, a formula
//! that does not parse). It says which setting and how to fix it; the input
//! layer adds the file and turns it into the boundary's `InputError`.

use std::fmt;

/// A setting the core cannot accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The setting at fault (`formula`, `order`, `policy`).
    pub field: &'static str,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl Invalid {
    pub fn new(field: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> Invalid {
        Invalid {
            field,
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}\n  fix: {}", self.field, self.problem, self.fix)
    }
}
