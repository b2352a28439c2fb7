//! Errors at the boundaries: bad input (exit 2), failed checks (exit 1) and
//! internal faults (exit 3).
//!
//! Every input error names where it came from (the file, the field) and how
//! to fix it. A broken invariant inside the core is an `assert!`, not an error.

use std::fmt;

/// Bad input: a file, a field, a flag. Always maps to exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file the input came from, if any.
    pub file: Option<String>,
    /// The field, column or flag at fault, if any.
    pub field: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl InputError {
    /// An error in a named field (a scenario key, a CSV column, a flag).
    pub fn field(field: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        InputError {
            file: None,
            field: Some(field.into()),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// An error about a whole file.
    pub fn file(file: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        InputError {
            file: Some(file.into()),
            field: None,
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// A file that cannot be read or written.
    pub fn io(file: impl Into<String>, action: &str, err: &std::io::Error) -> Self {
        let fix = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path",
            std::io::ErrorKind::PermissionDenied => "choose a path you may write to, or change its permissions",
            std::io::ErrorKind::StorageFull => "the disk is full: free some space, or choose a path on another disk",
            std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only: choose a path you may write to",
            std::io::ErrorKind::InvalidData => "save the file as UTF-8 text (`iconv -t UTF-8`)",
            std::io::ErrorKind::IsADirectory => "give a file, not a directory",
            _ => "check the path and the disk",
        };
        InputError::file(file, format!("cannot {action}: {err}"), fix)
    }

    /// Names the file this error came from, unless it already names one.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }

    /// Names the field at fault, replacing any the error named.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Prefixes the field path (`workload` + `sg_pods` → `workload.sg_pods`).
    pub fn under(mut self, parent: &str) -> Self {
        self.field = Some(match self.field {
            Some(f) if f.starts_with('[') => format!("{parent}{f}"),
            Some(f) => format!("{parent}.{f}"),
            None => parent.to_string(),
        });
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, &self.field) {
            (Some(file), Some(field)) => write!(f, "{file}: field `{field}`: {}", self.problem)?,
            (Some(file), None) => write!(f, "{file}: {}", self.problem)?,
            (None, Some(field)) => write!(f, "`{field}`: {}", self.problem)?,
            (None, None) => write!(f, "{}", self.problem)?,
        }
        write!(f, "\n  fix: {}", self.fix)
    }
}

impl std::error::Error for InputError {}

impl From<crate::model::invalid::Invalid> for InputError {
    fn from(e: crate::model::invalid::Invalid) -> Self {
        InputError::field(e.field, e.problem, e.fix)
    }
}

/// What a command can fail with; [`Error::exit_code`] is the one map to exit codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(#[from] InputError),
    /// `sgpsim check` found figures that differ; the report was already printed.
    #[error("{failed} of {total} expectations differ from the model")]
    CheckFailed { failed: usize, total: usize },
    /// A fault of sgpsim itself (a chart that cannot be drawn): not the
    /// user's input, so not exit 2.
    #[error("internal error: {0}\n  this is a bug in sgpsim: please report it with the command and its input files")]
    Internal(String),
    /// `sgpsim audit` found nodes at risk; the report was already printed.
    #[error("{nodes} of {total} nodes at risk")]
    AtRisk { nodes: usize, total: usize },
}

impl Error {
    /// 0 success, 1 a check that differs or a node at risk, 2 bad input or
    /// usage, 3 a fault of sgpsim.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::CheckFailed { .. } | Error::AtRisk { .. } => 1,
            Error::Internal(_) => 3,
        }
    }
}
