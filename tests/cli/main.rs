//! The one integration-test binary: the CLI end to end, the README's
//! examples, and the model's properties over random inputs.

mod audit;
mod bad_input;
mod commands;
mod determinism;
mod fuzz_regressions;
mod golden;
mod import_export;
mod karpenter;
mod networking;
mod properties;
mod readme;
mod recommend;
mod regression;
mod report;
mod shard;
mod tidy;
mod timed;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (scenarios/ and README.md live there).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the built `sgpsim` binary in the repository root.
pub fn sgpsim(args: &[&str]) -> Output {
    sgpsim_in(root(), args)
}

/// Runs the built `sgpsim` binary in `dir`.
pub fn sgpsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sgpsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the sgpsim binary runs")
}

/// Runs the built `sgpsim` binary in the repository root with `input` on standard input.
pub fn sgpsim_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgpsim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sgpsim binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    let text = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().expect("the sgpsim binary runs");
    writer.join().expect("the writer thread");
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scenario file in a fresh temporary directory.
pub fn scenario_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Parses CSV text into a header and rows of fields.
pub fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The value of `column` in `row`.
pub fn field<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}
