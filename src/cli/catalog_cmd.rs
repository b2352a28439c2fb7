//! `sgpsim catalog [PATTERN...]`: instance types and their limits.

use std::io::Write;

use clap::Args;

use super::{Format, emit};
use crate::error::Error;
use crate::input::catalog::{Catalog, InstanceType};
use crate::output::listing;

#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    /// Shell-style globs or names (`m5.*`, `*.large`); all types if none.
    patterns: Vec<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub(crate) fn run(catalog: &Catalog, a: CatalogArgs, out: &mut dyn Write) -> Result<(), Error> {
    let types: Vec<&InstanceType> = if a.patterns.is_empty() {
        catalog.iter().collect()
    } else {
        catalog.select(&a.patterns, "PATTERN")?
    };
    match a.format {
        Format::Csv => emit(out, &listing::catalog_csv(&types)),
        Format::Table => emit(out, listing::catalog_table(&types).as_bytes()),
        Format::Json => emit(out, &listing::catalog_json(&types)),
    }
    Ok(())
}
