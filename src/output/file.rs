//! Files written whole or not at all, and the directories they go in.

use std::io::Write;
use std::path::Path;

use crate::error::InputError;

/// Creates `dir` (and its parents) or says why not.
pub fn ensure_dir(dir: &Path) -> Result<(), InputError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| InputError::io(dir.display().to_string(), "create the output directory", &e))
        .map_err(|e| InputError {
            field: Some("--out".into()),
            ..e
        })
}

/// Writes `bytes` to `path` whole or not at all: a temporary file in the same
/// directory, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), InputError> {
    let shown = path.display().to_string();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        InputError::io(shown, "write", &e)
    })
}
