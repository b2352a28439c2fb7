//! `sgpsim man`: the man page (roff) on standard output, or with `--dir` one
//! page per command (`sgpsim.1`, `sgpsim-run.1`, `sgpsim-export-karpenter.1`,
//! ...) written into a directory, each file whole.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use clap_mangen::Man;

use super::emit;
use crate::error::Error;
use crate::output::{ensure_dir, write_atomic};

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write sgpsim.1 and a page per subcommand into DIR (created if needed) instead of printing sgpsim.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Renders the pages of `cli`, the whole command line.
pub(crate) fn run(a: ManArgs, cli: clap::Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let mut cli = cli.disable_help_subcommand(true);
    // Building gives each subcommand its display name (`sgpsim-run`), which names its page.
    cli.build();
    let Some(dir) = a.dir else {
        emit(out, &render(&cli));
        return Ok(());
    };
    let mut pages = Vec::new();
    collect(&cli, &mut pages);
    ensure_dir(&dir).map_err(|e| e.at("--dir"))?;
    for (name, page) in pages {
        let path = dir.join(name);
        write_atomic(&path, &page).map_err(|e| e.at("--dir"))?;
        let _ = writeln!(err, "wrote {}", path.display());
    }
    Ok(())
}

fn render(cmd: &clap::Command) -> Vec<u8> {
    let mut page = Vec::new();
    Man::new(cmd.clone())
        .render(&mut page)
        .expect("rendering into memory cannot fail");
    page
}

/// Every visible command's page file name and text, subcommands first.
fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages);
    }
    pages.push((Man::new(cmd.clone()).get_filename(), render(cmd)));
}
