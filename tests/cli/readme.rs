//! The README's examples, run as written.
//!
//! Every ```console block of README.md is a transcript: lines starting with
//! `$ sgpsim ` are run (in the repository root, with the built binary), and
//! the lines after one, up to the next command or the end of the block, must
//! each appear in its output (standard error, then standard output), in order (`...` lines are skipped). A command
//! marked `# exit N` at the end must exit with N; otherwise with 0.

use super::*;

struct Example {
    command: String,
    expect_code: i32,
    lines: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_console = !in_console && line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let (cmd, code) = match cmd.split_once("# exit ") {
                Some((c, n)) => (c.trim().to_string(), n.trim().parse().unwrap()),
                None => (cmd.trim().to_string(), 0),
            };
            out.push(Example {
                command: cmd,
                expect_code: code,
                lines: Vec::new(),
            });
        } else if let Some(ex) = out.last_mut()
            && line.trim() != "..."
            && !line.trim().is_empty()
        {
            ex.lines.push(line.trim_end().to_string());
        }
    }
    out
}

#[test]
fn readme_examples_run_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let exs = examples(&readme);
    assert!(exs.len() >= 5, "the README shows its commands in ```console blocks");
    let tmp = tempfile::tempdir().unwrap();
    for ex in exs {
        let Some(rest) = ex.command.strip_prefix("sgpsim ") else {
            continue; // cargo commands are the set-up, run by CI itself
        };
        // Outputs go to a scratch directory, not the repository's results/.
        let mut args = shell_words(rest);
        if args[0] == "run" && !args.iter().any(|a| a == "--out") {
            args.extend(["--out".into(), tmp.path().join("out").display().to_string()]);
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sgpsim(&argv);
        assert_eq!(
            o.status.code(),
            Some(ex.expect_code),
            "`{}`:\n{}{}",
            ex.command,
            stdout(&o),
            stderr(&o)
        );
        let text = stderr(&o) + &stdout(&o);
        let mut from = 0;
        for want in &ex.lines {
            let at = text[from..].find(want.trim()).unwrap_or_else(|| {
                panic!(
                    "`{}`: expected output line not found in order:\n{want}\n--- got:\n{text}",
                    ex.command
                )
            });
            from += at + want.trim().len();
        }
    }
}

/// Splits a command line on spaces, keeping '...' quoted words whole.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}
