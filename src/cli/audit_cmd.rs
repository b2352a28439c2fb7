//! `sgpsim audit FILE|-...`: a live cluster's nodes against MODEL.md §12.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{Format, emit};
use crate::audit::{self, dump};
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::manifest::read;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The output of `kubectl get nodes,pods -A -o json` (or -o yaml), or the nodes and the pods in
    /// separate files; `-` reads standard input.
    #[arg(required = true, value_name = "FILE|-")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Reads a dump from files, directories or standard input.
pub(crate) fn read_dump(paths: &[PathBuf]) -> Result<dump::Dump, InputError> {
    let (files, docs) = read::read_docs(paths)?;
    dump::read(files.iter().map(|f| read::shown(f)).collect(), &docs)
}

/// Prints the audit; a node at risk is exit code 1, after the report.
pub fn run(catalog: &Catalog, a: AuditArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let dump = read_dump(&a.paths)?;
    let audit = audit::audit(&dump, catalog)?;
    for n in &audit.notes {
        let _ = writeln!(err, "note: {n}");
    }
    match a.format {
        Format::Table => emit(out, audit::render::table(&audit).as_bytes()),
        Format::Csv => {
            emit(out, &audit::render::csv(&audit));
            let _ = err.write_all(audit::render::summary(&audit).as_bytes());
        }
        Format::Json => {
            emit(out, &audit::render::json(&audit));
            let _ = err.write_all(audit::render::summary(&audit).as_bytes());
        }
    }
    if audit.at_risk() {
        return Err(Error::AtRisk {
            nodes: audit.totals.nodes_at_risk,
            total: audit.totals.nodes,
        });
    }
    Ok(())
}
