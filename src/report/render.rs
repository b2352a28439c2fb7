//! Drawing a report into a results directory's files, and `sgpsim report
//! DIR`, which redraws one on disk.

use std::path::{Path, PathBuf};

use super::charts::charts;
use super::html::html;
use super::inputs::Inputs;
use super::markdown::markdown;
use crate::error::Error;
use crate::output::directory::{CHARTS_DIR, Files};

/// What a report wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<(&'static str, String)>,
}

/// Draws the report into `files` from the data files there: the charts
/// under `charts/`, `report.html` and `report.md`, replacing any drawn
/// before. `dir` names the directory in errors and captions.
pub fn render(files: &mut Files, dir: &Path) -> Result<Written, Error> {
    let inputs = Inputs::from_files(files, dir)?;
    let drawn = charts(&inputs)?;
    files.remove_where(|n| n.starts_with(&format!("{CHARTS_DIR}/")) || n == "report.html" || n == "report.md");
    let mut written = Vec::new();
    for c in &drawn.charts {
        for (ext, bytes) in [("png", c.png.clone()), ("svg", c.svg.clone().into_bytes())] {
            let name = format!("{CHARTS_DIR}/{}.{ext}", c.name);
            written.push(dir.join(&name));
            files.put(name, bytes);
        }
    }
    for (name, text) in [
        ("report.html", html(&inputs, &drawn)),
        ("report.md", markdown(&inputs, &drawn)),
    ] {
        written.push(dir.join(name));
        files.put(name, text.into_bytes());
    }
    Ok(Written {
        files: written,
        skipped: drawn.skipped,
    })
}

/// `sgpsim report DIR`: redraws a results directory's report from its data
/// files alone, and replaces the directory whole.
pub fn redraw(dir: &Path) -> Result<Written, Error> {
    let mut files = Files::read(dir)?;
    let written = render(&mut files, dir)?;
    files.replace(dir)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_its_files_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let Err(Error::Input(e)) = redraw(dir.path()) else {
            panic!("an input error")
        };
        assert!(e.file.as_deref().unwrap().ends_with("summary.csv"), "{e}");
        assert!(e.fix.contains("run the scenario first"), "{e}");
        let e = redraw(&dir.path().join("nope")).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
    }
}
