//! Everything read from outside, validated before the core sees it: the
//! catalog (CSV and `describe-instance-types` JSON), scenario files, their
//! `[timed]` tables and `[[expect]]` entries, traces, `replay`'s flags, and
//! standard input (`-`).

pub mod bounds;
pub mod catalog;
pub mod catalog_json;
pub mod delay;
pub mod expect;
pub mod facts;
pub mod node_settings;
pub mod prices;
pub mod quantity;
pub mod recommended;
pub mod replay_flags;
pub mod requests;
pub mod scenario;
pub mod source;
pub mod timed;
pub mod trace;

use crate::error::InputError;

/// A file's bytes as UTF-8 text, or an error naming the byte offset of the
/// first invalid sequence.
pub fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        InputError::file(
            file,
            format!("is not UTF-8 text: invalid bytes at byte offset {at} (line {line})"),
            "save the file as UTF-8 (`iconv -t UTF-8`), or check that it is the file you meant",
        )
    })
}

/// A YAML parser's error in the user's terms: its first line (the parser
/// repeats the source around it), at most 300 characters, without the advice
/// meant for the programmer that calls the parser.
pub fn yaml_message(raw: &str) -> String {
    let first = raw.trim().lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let plain = if let Some((head, _)) = first.split_once(", set DuplicateKeyPolicy") {
        match head.rsplit_once("duplicate mapping key: ") {
            Some((at, key)) => format!("{at}the key `{key}` appears twice in one mapping"),
            None => head.to_string(),
        }
    } else if let Some((head, _)) = first.split_once("; use Option<") {
        head.replace(
            "cannot deserialize null into",
            "an empty value (null) where YAML needs a",
        )
    } else if let Some((head, what)) = first.split_once("budget breached: ") {
        // serde-saphyr's resource budget, printed as a struct (`Depth { depth: 65 }`).
        let limit: String = what.chars().filter(char::is_ascii_digit).collect();
        let kind = what.split([' ', '{']).next().unwrap_or("").to_ascii_lowercase();
        let said = match kind.as_str() {
            "depth" => format!("the YAML nests {limit} levels deep, more than sgpsim reads"),
            "documents" => format!("the file holds {limit} documents or more, more than sgpsim reads"),
            "aliases" | "anchors" => format!("the file uses {limit} YAML aliases or more, more than sgpsim reads"),
            _ => format!("the file is larger than sgpsim reads ({kind} {limit})"),
        };
        format!("{head}{said}")
    } else {
        first.to_string()
    };
    let mut out: String = plain.chars().take(300).collect();
    if out.len() < plain.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn yaml_messages_lose_the_programmer_advice() {
        assert_eq!(
            super::yaml_message(
                "error: line 3 column 1: duplicate mapping key: kind, set DuplicateKeyPolicy in Options if acceptable\n --> x"
            ),
            "line 3 column 1: the key `kind` appears twice in one mapping"
        );
        assert_eq!(
            super::yaml_message("error: line 4 column 2: cannot deserialize null into string; use Option<String>"),
            "line 4 column 2: an empty value (null) where YAML needs a string"
        );
        assert_eq!(
            super::yaml_message("error: line 75 column 11: budget breached: Depth { depth: 65 }"),
            "line 75 column 11: the YAML nests 65 levels deep, more than sgpsim reads"
        );
    }
}
