//! `sgpsim completions SHELL`: a completion script for the shell, on
//! standard output (e.g. `sgpsim completions bash > ~/.local/share/bash-completion/completions/sgpsim`).

use std::io::Write;

use clap::Args;
use clap_complete::Shell;

use super::emit;
use crate::error::Error;

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the script for `cli`, the whole command line.
pub(crate) fn run(a: CompletionsArgs, mut cli: clap::Command, out: &mut dyn Write) -> Result<(), Error> {
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cli, "sgpsim", &mut script);
    emit(out, &script);
    Ok(())
}
