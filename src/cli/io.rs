//! Where a command's output goes: the writer for standard output, or a file
//! written whole or not at all (`-` names standard output).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::input::source::is_stdin;
use crate::output::write_atomic;

/// Writes `bytes` to `out`. A closed pipe (`| head`) is not an error worth reporting.
pub(crate) fn emit(out: &mut dyn Write, bytes: &[u8]) {
    let _ = out.write_all(bytes);
}

/// Writes `bytes` to the file `path` whole (saying so on `err`), or to `out`
/// when there is no path or it is `-`. A file that cannot be written is an
/// error naming `--out`.
pub(crate) fn write_output(
    path: Option<&Path>,
    bytes: &[u8],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), InputError> {
    match path.filter(|p| !is_stdin(p)) {
        Some(p) => {
            write_atomic(p, bytes).map_err(|e| e.at("--out"))?;
            let _ = writeln!(err, "wrote {}", p.display());
        }
        None => emit(out, bytes),
    }
    Ok(())
}

/// One line per file written, then one per chart left out and why.
pub(crate) fn written(files: &[PathBuf], skipped: &[(&str, String)]) -> String {
    let mut text = String::new();
    for f in files {
        text.push_str(&format!("wrote {}\n", f.display()));
    }
    for (name, why) in skipped {
        text.push_str(&format!("skipped the {name} chart: {why}\n"));
    }
    text
}
