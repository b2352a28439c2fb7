//! Where an input comes from: a file, or `-` for standard input.
//!
//! Standard input can be read once per process: a second input named `-`
//! (`--catalog -` with a scenario `-`) is an error, not an empty file.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::InputError;
use crate::input::catalog::Catalog;
use crate::input::scenario::Scenario;

/// The path that names standard input (or standard output, for an output).
pub const STDIN: &str = "-";

/// The name a scenario read from standard input takes when it has no `name`.
pub const STDIN_STEM: &str = "stdin";

/// Whether standard input has been read.
static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// Whether `path` is `-`.
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new(STDIN)
}

/// How `path` is named in messages: `<stdin>` for `-`.
pub fn shown(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// Reads `path` (`-`: standard input) whole; `what` says what it is in an
/// error ("the scenario").
pub fn read(path: &Path, what: &str) -> Result<String, InputError> {
    let name = shown(path);
    if !is_stdin(path) {
        return std::fs::read_to_string(path).map_err(|e| InputError::io(&name, &format!("read {what}"), &e));
    }
    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
        return Err(InputError::file(
            name,
            format!("standard input was already read: {what} cannot be `-` too"),
            "name only one input `-`, and give the others as files",
        ));
    }
    std::io::read_to_string(std::io::stdin()).map_err(|e| InputError::io(&name, &format!("read {what}"), &e))
}

/// Reads and validates a scenario from `path` (`-`: standard input, named
/// `stdin` unless it has a `name`); also returns its text as written.
pub fn scenario(path: &Path, catalog: &Catalog) -> Result<(Scenario, String), InputError> {
    let text = read(path, "the scenario")?;
    let stem = stem(path);
    let sc = Scenario::from_toml(&text, &stem, catalog).map_err(|e| e.in_file(shown(path)))?;
    Ok((sc, text))
}

/// The name a scenario at `path` takes when it has no `name`: the file's
/// stem, or `stdin` for `-`.
pub fn stem(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_STEM.to_string()
    } else {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// The bundled catalog with the rows of `path` (`-`: standard input) added
/// or replacing theirs, and notes on rows left out.
pub fn catalog(path: &Path) -> Result<(Catalog, Vec<String>), InputError> {
    if !is_stdin(path) {
        return Catalog::bundled_with_overrides(path);
    }
    let text = read(path, "the catalog")?;
    Catalog::bundled_with_text(&text, &shown(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_and_named_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mine.toml");
        std::fs::write(&p, "instance_types = [\"m5.large\"]\nworkload = { fill = \"seed\" }\n").unwrap();
        let (sc, text) = scenario(&p, &Catalog::bundled()).unwrap();
        assert_eq!(sc.name, "mine");
        assert!(text.starts_with("instance_types"));
        let e = read(&dir.path().join("nope.toml"), "the scenario").unwrap_err();
        assert!(e.problem.starts_with("cannot read the scenario"), "{e}");
        assert_eq!(shown(Path::new("-")), "<stdin>");
        assert_eq!(shown(&p), p.display().to_string());
    }
}
