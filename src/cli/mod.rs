//! The command line: parse, call the library, map the error to an exit code.
//!
//! `app` holds the `Cli` (the global `--catalog` and the subcommands), the
//! dispatch and `main_with`; each subcommand is one `*_cmd` file with its
//! `Args` struct and a `run` that calls into the library; `flags` holds the
//! flags several commands share and `io` where output goes (`-` is standard
//! output). Output goes to the writers passed in, so the tests can drive the
//! CLI without a process.

mod app;
mod audit_cmd;
mod catalog_cmd;
mod check_cmd;
mod completions_cmd;
mod export_cmd;
mod flags;
mod formulas_cmd;
mod io;
mod man_cmd;
mod merge_cmd;
mod progress;
mod recommend_cmd;
mod replay_cmd;
mod report_cmd;
mod run_cmd;
mod scenario_cmd;

pub use app::main_with;
pub(crate) use flags::{Format, TableOrJson};
pub(crate) use io::{emit, write_output};
