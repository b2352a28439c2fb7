//! `sgpsim merge`: the parts checked (same run, each part exactly once, no
//! damaged slice) and added up in (cell, trial) order into one run's files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::part::{FORMAT, PART_FILE, PartFile, SliceData, SliceFile};
use super::plan::Plan;
use super::setup::*;
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::model::summary::{Totals, TrialRecord};
use crate::results::{self, Results};
use crate::runner::pool::Pool;
use crate::runner::{Slice, safe_region, sweep};
use crate::timed::summary::TimedTotals;

/// What a merge found, for the terminal.
#[derive(Debug, Clone)]
pub struct MergeReport {
    pub scenario: String,
    pub seed: u64,
    /// Per part: its estimated work, wall-clock seconds and threads.
    pub parts: Vec<(u32, u64, f64, usize)>,
    pub total_work: u64,
}

impl MergeReport {
    /// The largest part over the mean, by estimated work and by measured time.
    pub fn imbalance(&self) -> (f64, f64) {
        let ratio = |xs: Vec<f64>| {
            let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
            if mean > 0.0 {
                xs.iter().copied().fold(0.0, f64::max) / mean
            } else {
                1.0
            }
        };
        (
            ratio(self.parts.iter().map(|p| p.1 as f64).collect()),
            ratio(self.parts.iter().map(|p| p.2).collect()),
        )
    }

    pub fn describe(&self) -> String {
        let (est, measured) = self.imbalance();
        let total_s: f64 = self.parts.iter().map(|p| p.2).sum();
        format!(
            "merged {} parts ({:.2} s of part time): the largest part is {est:.3}× the mean by estimated work, \
             {measured:.3}× by measured time\n",
            self.parts.len(),
            total_s
        )
    }
}

/// The part directories `dirs` name: each a part, or a folder whose
/// subfolders are parts (`parts/` holding `parts/0`, `parts/1`, ...).
pub fn part_dirs(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for d in dirs {
        if d.join(PART_FILE).is_file() {
            out.push(d.clone());
            continue;
        }
        let shown = d.display().to_string();
        if !d.is_dir() {
            return Err(InputError::file(
                shown,
                "is not a directory",
                "give the directories that `sgpsim run --shard I/N --out DIR` wrote",
            ));
        }
        let mut inner: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| InputError::io(&shown, "read", &e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            // A part being written is a hidden sibling until it is swapped in.
            .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
            .filter(|p| p.join(PART_FILE).is_file())
            .collect();
        if inner.is_empty() {
            return Err(InputError::file(
                shown,
                format!("holds no {PART_FILE}, nor folders that do: it is not a part of a sharded run"),
                "give the directories that `sgpsim run --shard I/N --out DIR` wrote, or the folder holding them",
            ));
        }
        inner.sort();
        out.extend(inner);
    }
    Ok(out)
}

/// How many of the `n` parts `dirs` holds so far, `n` read from the first
/// part found (`None` while there is none): for `merge --wait`.
pub fn parts_present(dirs: &[PathBuf]) -> Option<(usize, u32)> {
    let found = part_dirs(dirs).ok()?;
    let mut n = None;
    let mut seen = std::collections::BTreeSet::new();
    for d in &found {
        let p = read_part(d).ok()?;
        n.get_or_insert(p.parts);
        seen.insert(p.part);
    }
    Some((seen.len(), n?))
}

/// Checks that a slice's figures count its trials: as many trials in the
/// totals, the histogram and the costs as the slice has, and every trial
/// kept when `trials.csv` is asked for. (A damaged file is refused rather
/// than merged.)
fn check_slice(s: &SliceFile, trials_csv: bool, dir: &Path) -> Result<(), InputError> {
    let n = u64::from(s.end - s.start);
    let (base, kept, costs) = match &s.data {
        SliceData::Static { totals, trials } => (totals, trials.len(), None),
        SliceData::Timed { totals, trials, .. } => (&totals.base, trials.len(), Some(totals.cost_bits.len())),
    };
    let histogram: u64 = base.failed_histogram.iter().map(|&(_, k)| k).sum();
    let ok = base.n == n
        && histogram == n
        && costs.is_none_or(|c| c as u64 == n)
        && (kept as u64 == if trials_csv { n } else { 0 });
    if ok {
        Ok(())
    } else {
        Err(InputError::file(
            dir.join(PART_FILE).display().to_string(),
            format!(
                "is damaged: its figures for trials {}..{} of cell {} do not count {n} trials",
                s.start, s.end, s.cell
            ),
            "run that part again",
        ))
    }
}

/// The name of the scenario the part in `dir` belongs to.
pub fn scenario_name(dir: &Path) -> Result<String, InputError> {
    Ok(read_part(dir)?.scenario.name)
}

/// Reads one part's file.
fn read_part(dir: &Path) -> Result<PartFile, InputError> {
    let path = dir.join(PART_FILE);
    let shown = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| InputError::io(&shown, "read the part", &e))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::file(
            &shown,
            format!("is not a part sgpsim wrote: {e}"),
            "give the directories that `sgpsim run --shard I/N --out DIR` wrote",
        )
    })?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    if format != FORMAT {
        return Err(InputError::file(
            &shown,
            format!("is in format `{format}`; this sgpsim reads `{FORMAT}`"),
            "run every part and the merge with the same sgpsim",
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        InputError::file(
            &shown,
            format!("is not a part sgpsim wrote: {e}"),
            "run the part again: `sgpsim run SCENARIO --shard I/N --out DIR`",
        )
    })
}

/// Checks that the parts in `dirs` belong to one run and cover it exactly
/// once, adds them up and builds the results directory `run` would have
/// written into `out`. Nothing is written here: the caller writes the files.
pub fn merge(dirs: &[PathBuf], catalog: &Catalog, pool: &Pool, out: &Path) -> Result<(Results, MergeReport), Error> {
    let dirs = part_dirs(dirs)?;
    let parts: Vec<PartFile> = dirs.iter().map(|d| read_part(d)).collect::<Result<_, _>>()?;
    let (first, first_dir) = (&parts[0], &dirs[0]);
    let shown = |d: &Path| d.display().to_string();
    for (p, d) in parts.iter().zip(&dirs).skip(1) {
        let differ = |what: &str, a: String, b: String| -> InputError {
            InputError::file(
                shown(d),
                format!(
                    "is a part of another run: {what} {b} where {} has {a}",
                    shown(first_dir)
                ),
                "merge the parts of one `sgpsim run --shard I/N` sweep: the same scenario file, seed, \
                 --trials, catalog and sgpsim",
            )
        };
        if p.sgpsim != first.sgpsim {
            return Err(differ("sgpsim", first.sgpsim.clone(), p.sgpsim.clone()).into());
        }
        if p.scenario.hash != first.scenario.hash || p.scenario.text != first.scenario.text {
            return Err(differ(
                "scenario",
                format!("`{}` (hash {})", first.scenario.name, first.scenario.hash),
                format!("`{}` (hash {})", p.scenario.name, p.scenario.hash),
            )
            .into());
        }
        let pairs = [
            ("scenario file", first.scenario.stem.clone(), p.scenario.stem.clone()),
            ("seed", first.scenario.seed.to_string(), p.scenario.seed.to_string()),
            (
                "--trials",
                format!("{:?}", first.scenario.trials),
                format!("{:?}", p.scenario.trials),
            ),
            (
                "--max-work",
                first.scenario.max_work.to_string(),
                p.scenario.max_work.to_string(),
            ),
            (
                "trace",
                format!("{:?}", first.scenario.trace.as_ref().map(|t| &t.hash)),
                format!("{:?}", p.scenario.trace.as_ref().map(|t| &t.hash)),
            ),
            ("catalog", first.catalog.clone(), p.catalog.clone()),
            ("--trials-csv", first.trials_csv.to_string(), p.trials_csv.to_string()),
            ("parts", first.parts.to_string(), p.parts.to_string()),
        ];
        for (what, a, b) in pairs {
            if a != b {
                return Err(differ(what, a, b).into());
            }
        }
    }
    let n = first.parts;
    // Every part exactly once.
    let mut by_index: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, p) in parts.iter().enumerate() {
        if p.part >= n {
            return Err(InputError::file(
                shown(&dirs[i]),
                format!("claims part {} of {n}", p.part),
                "run it again",
            )
            .into());
        }
        if let Some(&j) = by_index.get(&p.part) {
            return Err(InputError::field(
                "PART_DIR",
                format!(
                    "part {}/{n} is given twice: {} and {}",
                    p.part,
                    shown(&dirs[j]),
                    shown(&dirs[i])
                ),
                "give each part's directory once",
            )
            .into());
        }
        by_index.insert(p.part, i);
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !by_index.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        let few: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
        let more = if missing.len() > few.len() {
            format!(" and {} more", missing.len() - few.len())
        } else {
            String::new()
        };
        return Err(InputError::field(
            "PART_DIR",
            format!(
                "{} of the {n} parts of `{}` {} missing: {}{more}",
                missing.len(),
                first.scenario.name,
                if missing.len() == 1 { "is" } else { "are" },
                few.join(", ")
            ),
            format!(
                "run each missing part (`sgpsim run SCENARIO --shard {}/{n} --out DIR`) and give every part's directory",
                missing[0].split('/').next().unwrap_or("I")
            ),
        )
        .into());
    }
    if catalog_hash(catalog) != first.catalog {
        return Err(InputError::field(
            "--catalog",
            format!(
                "the parts ran with catalog {}, this merge has {}",
                first.catalog,
                catalog_hash(catalog)
            ),
            "give merge the same --catalog as the parts (or none, if they had none)",
        )
        .into());
    }
    let setup = Setup::from_id(&first.scenario, catalog, &shown(first_dir))?;
    let cells = setup.cells()?;
    if cells.len() != first.cells {
        return Err(InputError::file(
            shown(first_dir),
            format!(
                "was cut from {} cells; the scenario has {} here",
                first.cells,
                cells.len()
            ),
            "run every part and the merge with the same sgpsim and catalog",
        )
        .into());
    }
    let plan = Plan::new(&cells.work(), n);
    let ordered: Vec<(&PartFile, &PathBuf)> = by_index.values().map(|&i| (&parts[i], &dirs[i])).collect();
    for (p, d) in &ordered {
        let got: Vec<Slice> = p.slices.iter().map(SliceFile::slice).collect();
        if got != plan.parts[p.part as usize] {
            return Err(InputError::file(
                shown(d),
                format!(
                    "does not hold the trials of part {}/{n} as this sgpsim cuts the sweep",
                    p.part
                ),
                "run every part and the merge with the same sgpsim",
            )
            .into());
        }
    }
    for (p, d) in &ordered {
        for sl in &p.slices {
            check_slice(sl, first.trials_csv, d)?;
        }
    }
    let kind_error = |d: &Path| -> Error {
        InputError::file(
            shown(d),
            "holds figures of the other model (static or timed)",
            "run the part again",
        )
        .into()
    };
    let seed = setup.sc.seed;
    let trials_csv = first.trials_csv;
    let results = match &cells {
        Cells::Static(cells) => {
            let mut accs: Vec<Totals> = vec![Totals::default(); cells.len()];
            let mut trials = Vec::new();
            for (p, d) in &ordered {
                for s in &p.slices {
                    let SliceData::Static { totals, trials: kept } = &s.data else {
                        return Err(kind_error(d));
                    };
                    accs[s.cell].merge(Totals::from_figures(&totals.into()));
                    trials.extend(kept.iter().zip(s.start..).map(|(o, trial)| TrialRecord {
                        cell: s.cell,
                        trial,
                        outcome: o.into(),
                    }));
                }
            }
            let (result, safe) = pool.install(|| {
                (
                    sweep::finish(cells, seed, accs, trials),
                    safe_region::safe_region(&setup.sc),
                )
            });
            results::static_results(&setup.sc, setup.text.as_bytes(), cells, &result, &safe, trials_csv, out)?
        }
        Cells::Timed(cells) => {
            let mut accs: Vec<TimedTotals> = cells.iter().map(|_| TimedTotals::default()).collect();
            let mut timelines = vec![Vec::new(); cells.len()];
            let mut trials = Vec::new();
            for (p, d) in &ordered {
                for s in &p.slices {
                    let SliceData::Timed {
                        totals,
                        timeline,
                        trials: kept,
                    } = &s.data
                    else {
                        return Err(kind_error(d));
                    };
                    accs[s.cell].merge(TimedTotals::from_figures(&totals.as_ref().into()));
                    if let Some(t) = timeline {
                        timelines[s.cell] = t.iter().map(Into::into).collect();
                    }
                    trials.extend(kept.iter().zip(s.start..).map(|(o, trial)| TrialRecord {
                        cell: s.cell,
                        trial,
                        outcome: o.into(),
                    }));
                }
            }
            let timed = setup.timed.as_ref().expect("timed cells have settings");
            let result = crate::runner::timed::finish(cells, seed, accs, timelines, trials);
            results::timed_results(&setup.sc, timed, setup.text.as_bytes(), cells, &result, trials_csv, out)?
        }
    };
    let report = MergeReport {
        scenario: setup.sc.name.clone(),
        seed,
        parts: ordered
            .iter()
            .map(|(p, _)| (p.part, p.work, p.elapsed_s, p.threads))
            .collect(),
        total_work: first.total_work,
    };
    Ok((results, report))
}
