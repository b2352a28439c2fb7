//! `sgpsim formulas PATTERN...`: each formula's maxPods on instance types,
//! with the capacities it is compared with.

use std::io::Write;

use clap::Args;

use super::flags::NodeFlags;
use super::{Format, emit};
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::model::formula::Formula;
use crate::model::node::SystemPods;
use crate::output::listing::Formulas;

#[derive(Debug, Args)]
pub(crate) struct FormulasArgs {
    /// Shell-style globs or names of instance types.
    #[arg(required = true)]
    patterns: Vec<String>,
    /// hostNetwork system pods per node (`S`).
    #[arg(long, default_value_t = 2, value_name = "S")]
    system_pods: u32,
    /// A formula to show (repeatable); every built-in one if none.
    #[arg(long = "formula", value_name = "F")]
    formulas: Vec<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    node: NodeFlags,
}

pub(crate) fn run(catalog: &Catalog, a: FormulasArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let types = catalog.select(&a.patterns, "PATTERN")?;
    let settings = a.node.settings()?;
    let formulas = if a.formulas.is_empty() {
        Formula::builtins_for(&settings)
    } else {
        a.formulas
            .iter()
            .map(|f| Formula::parse(f).map_err(|e| InputError::from(e).at("--formula")))
            .collect::<Result<_, _>>()?
    };
    crate::input::bounds::check_system_pods(a.system_pods, "--system-pods")?;
    let system = SystemPods {
        host: a.system_pods,
        ip: 0,
    };
    let listing = Formulas::new(&types, &formulas, settings, system);
    match a.format {
        Format::Csv => {
            emit(out, &listing.csv());
            for n in listing.notes() {
                let _ = writeln!(err, "note: {n}");
            }
        }
        Format::Json => emit(out, &listing.json()),
        Format::Table => emit(out, listing.table().as_bytes()),
    }
    Ok(())
}
