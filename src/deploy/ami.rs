//! The AMI family a node configuration is written for: AL2023 (nodeadm) or
//! AL2 (bootstrap.sh).

use crate::error::InputError;

/// The AMI family the UserData is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ami {
    Al2023,
    Al2,
}

impl Ami {
    /// Reads `--ami`: `al2023` or `al2`, in any case.
    pub fn parse(s: &str) -> Result<Ami, InputError> {
        match s.to_ascii_lowercase().as_str() {
            "al2023" => Ok(Ami::Al2023),
            "al2" => Ok(Ami::Al2),
            other => Err(InputError::field(
                "--ami",
                format!("unknown AMI family `{other}`"),
                "use al2023 or al2",
            )),
        }
    }

    /// The `amiSelectorTerms` alias.
    pub fn alias(self) -> &'static str {
        match self {
            Ami::Al2023 => "al2023@latest",
            Ami::Al2 => "al2@latest",
        }
    }
}
