//! What decides a run's figures (the scenario with its overrides, the timed
//! settings, the trace), read once, and the sweep's cells with their work.

use std::path::Path;

use super::part::{ScenarioId, TraceId};
use super::plan::CellWork;
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::scenario::{Scenario, timed_cells};
use crate::input::trace;
use crate::model::cell::Cell;
use crate::model::rng::stable_hash;
use crate::timed::arrivals::Trace;
use crate::timed::cell::TimedCell;
use crate::timed::settings::Timed;

/// Everything that decides a run's figures, as `run` reads it: the
/// scenario (its overrides applied), its text, the timed settings and the
/// trace.
pub struct Setup {
    pub sc: Scenario,
    pub text: String,
    /// The scenario file's stem (names a scenario without `name`).
    pub stem: String,
    /// `--trials`, if given.
    pub trials: Option<u32>,
    /// The timed settings, `--trials` applied; `None` for a static scenario.
    pub timed: Option<Timed>,
    /// A trace-driven scenario's trace, with its bytes.
    pub trace: Option<(TraceId, Trace)>,
}

impl Setup {
    /// Reads the trace of a trace-driven scenario beside `scenario_path`.
    pub fn load_trace(
        timed: &Timed,
        sc: &crate::input::scenario::Scenario,
        scenario_path: &Path,
    ) -> Result<Option<(TraceId, Trace)>, InputError> {
        let Some(parsed) = trace::for_scenario(timed, sc, scenario_path)? else {
            return Ok(None);
        };
        let path = trace::path_for(timed, scenario_path).expect("a trace was read");
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| InputError::io(&shown, "read the trace", &e))?;
        let file = match &timed.arrivals {
            crate::timed::settings::Arrivals::Trace { file } => file.clone(),
            _ => unreachable!("a trace was read"),
        };
        Ok(Some((
            TraceId {
                file,
                hash: hex(stable_hash(text.as_bytes())),
                text,
            },
            parsed,
        )))
    }

    pub(super) fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref().map(|(_, t)| t)
    }

    pub(super) fn cells(&self) -> Result<Cells, Error> {
        Ok(match &self.timed {
            None => Cells::Static(self.sc.cells()?),
            Some(t) => Cells::Timed(timed_cells(&self.sc, t, self.trace())?),
        })
    }

    pub(super) fn id(&self) -> ScenarioId {
        ScenarioId {
            name: self.sc.name.clone(),
            stem: self.stem.clone(),
            hash: hex(stable_hash(self.text.as_bytes())),
            text: self.text.clone(),
            seed: self.sc.seed,
            trials: self.trials,
            max_work: self.sc.max_work,
            trace: self.trace.as_ref().map(|(id, _)| id.clone()),
        }
    }

    /// The setup a part was run with, rebuilt from its file.
    pub(super) fn from_id(id: &ScenarioId, catalog: &Catalog, shown: &str) -> Result<Setup, InputError> {
        let mut sc = Scenario::from_toml(&id.text, &id.stem, catalog).map_err(|e| e.in_file(shown))?;
        sc.seed = id.seed;
        if let Some(t) = id.trials {
            sc.trials = t;
        }
        sc.max_work = id.max_work;
        let timed = sc.timed.clone().map(|t| Timed {
            trials: id.trials.or(t.trials),
            ..t
        });
        let trace = match &id.trace {
            Some(tid) => Some((
                tid.clone(),
                trace::parse(&tid.text, &tid.file).map_err(|e| e.in_file(shown))?,
            )),
            None => None,
        };
        Ok(Setup {
            sc,
            text: id.text.clone(),
            stem: id.stem.clone(),
            trials: id.trials,
            timed,
            trace,
        })
    }
}

pub(super) enum Cells {
    Static(Vec<Cell>),
    Timed(Vec<TimedCell>),
}

impl Cells {
    /// Each cell's trials and the estimated work of one: the pods it places.
    pub(super) fn work(&self) -> Vec<CellWork> {
        let one = |c: &Cell, trials: u32| CellWork {
            trials,
            per_trial: c.counts.total_wide().saturating_add(1),
        };
        match self {
            Cells::Static(cells) => cells.iter().map(|c| one(c, c.trials)).collect(),
            Cells::Timed(cells) => cells.iter().map(|tc| one(&tc.cell, tc.trials)).collect(),
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Cells::Static(c) => c.len(),
            Cells::Timed(c) => c.len(),
        }
    }
}

/// FNV-1a of the catalog as this sgpsim sees it: two parts ran on the same
/// instance types exactly when their hashes agree.
pub fn catalog_hash(catalog: &Catalog) -> String {
    let all: Vec<_> = catalog.iter().collect();
    hex(stable_hash(format!("{all:?}").as_bytes()))
}

pub(super) fn hex(h: u64) -> String {
    format!("{h:016x}")
}
