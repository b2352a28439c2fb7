//! Sweeps larger than one machine: `sgpsim run --shard I/N` runs the I-th
//! of N parts of a sweep and writes its exact partial totals (`part`);
//! `sgpsim merge` checks that the parts belong together and cover the sweep
//! exactly once, adds them up in (cell, trial) order and writes the results
//! directory through the same writer as `run` (`crate::results`), so the
//! files are byte for byte one run's.
//!
//! How the sweep is cut is [`plan`]: pure, so every part and the merge
//! compute the same plan from the scenario alone. Trials keep their random
//! streams (keyed by seed, cell and trial index, MODEL.md §7) wherever
//! they run.

pub mod part;
pub mod plan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::scenario::{Scenario, timed_cells};
use crate::input::trace;
use crate::model::cell::Cell;
use crate::model::rng::stable_hash;
use crate::model::summary::{Totals, TrialRecord};
use crate::output::directory::Files;
use crate::results::{self, Results};
use crate::runner::pool::Pool;
use crate::runner::{Slice, safe_region, sweep};
use crate::timed::arrivals::Trace;
use crate::timed::cell::TimedCell;
use crate::timed::settings::Timed;
use crate::timed::summary::TimedTotals;
use part::{FORMAT, PART_FILE, PartFile, ScenarioId, SliceData, SliceFile, TraceId};
use plan::{CellWork, Plan};

/// The most parts a sweep may be cut into.
pub const MAX_PARTS: u32 = 100_000;

/// Which part: `I/N`, `0 <= I < N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// The environment variable a Kubernetes Indexed Job sets in each pod.
pub const JOB_INDEX_VAR: &str = "JOB_COMPLETION_INDEX";

impl Shard {
    /// Reads `I/N`, or `auto/N` with `I` from `index_var` (the value of
    /// [`JOB_INDEX_VAR`], if set).
    pub fn parse(text: &str, index_var: Option<&str>) -> Result<Shard, InputError> {
        let bad = |problem: String| {
            InputError::field(
                "--shard",
                problem,
                "give I/N with 0 <= I < N (0-based, as Kubernetes numbers an Indexed Job's pods), or auto/N",
            )
        };
        let Some((i, n)) = text.split_once('/') else {
            return Err(bad(format!("`{text}` is not I/N")));
        };
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{n}` is not a number of parts")))?;
        if count == 0 || count > MAX_PARTS {
            return Err(bad(format!("{count} parts: give 1 to {MAX_PARTS}")));
        }
        let (shown, from_env) = if i.trim() == "auto" {
            match index_var {
                Some(v) => (v.trim().to_string(), true),
                None => {
                    return Err(InputError::field(
                        "--shard",
                        format!("auto/{count} reads the part's index from {JOB_INDEX_VAR}, which is not set"),
                        format!(
                            "run it in a Kubernetes Indexed Job (which sets {JOB_INDEX_VAR}), or give the index: \
                             --shard I/{count}, e.g. --shard $SLURM_ARRAY_TASK_ID/{count} in a Slurm array"
                        ),
                    ));
                }
            }
        } else {
            (i.trim().to_string(), false)
        };
        let index: u32 = shown.parse().map_err(|_| {
            let src = if from_env {
                format!("{JOB_INDEX_VAR}=`{shown}`")
            } else {
                format!("`{shown}`")
            };
            bad(format!("{src} is not a part index"))
        })?;
        if index >= count {
            return Err(bad(format!(
                "part {index} of {count} does not exist: parts are numbered 0 to {}",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

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
    pub fn load_trace(timed: &Timed, scenario_path: &Path) -> Result<Option<(TraceId, Trace)>, InputError> {
        let Some(parsed) = trace::for_scenario(timed, scenario_path)? else {
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

    fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref().map(|(_, t)| t)
    }

    fn cells(&self) -> Result<Cells, Error> {
        Ok(match &self.timed {
            None => Cells::Static(self.sc.cells()?),
            Some(t) => Cells::Timed(timed_cells(&self.sc, t, self.trace())?),
        })
    }

    fn id(&self) -> ScenarioId {
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
    fn from_id(id: &ScenarioId, catalog: &Catalog, shown: &str) -> Result<Setup, InputError> {
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

enum Cells {
    Static(Vec<Cell>),
    Timed(Vec<TimedCell>),
}

impl Cells {
    /// Each cell's trials and the estimated work of one: the pods it places.
    fn work(&self) -> Vec<CellWork> {
        let one = |c: &Cell, trials: u32| CellWork {
            trials,
            per_trial: c.counts.total_wide().saturating_add(1),
        };
        match self {
            Cells::Static(cells) => cells.iter().map(|c| one(c, c.trials)).collect(),
            Cells::Timed(cells) => cells.iter().map(|tc| one(&tc.cell, tc.trials)).collect(),
        }
    }

    fn len(&self) -> usize {
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

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// What a part run did, for the terminal.
#[derive(Debug, Clone)]
pub struct PartReport {
    pub shard: Shard,
    pub slices: usize,
    /// Cells this part has trials of, and in the sweep.
    pub cells: usize,
    pub total_cells: usize,
    pub trials: u64,
    pub work: u64,
    pub total_work: u64,
    /// The plan's largest part over its mean part (1 is even).
    pub imbalance: f64,
    pub elapsed_s: f64,
}

impl PartReport {
    pub fn describe(&self, dir: &Path) -> String {
        let share = if self.total_work == 0 {
            0.0
        } else {
            100.0 * self.work as f64 / self.total_work as f64
        };
        format!(
            "part {} of the sweep: {} trial{} in {} of {} cells, {:.2}% of the estimated work \
             (even: {:.2}%; the plan's largest part is {:.3}× the mean), {:.3} s\nwrote {}\n",
            self.shard,
            self.trials,
            if self.trials == 1 { "" } else { "s" },
            self.cells,
            self.total_cells,
            share,
            100.0 / f64::from(self.shard.count),
            self.imbalance,
            self.elapsed_s,
            dir.join(PART_FILE).display()
        )
    }
}

/// Runs part `shard` of the sweep on `pool`: its `part.json`, as files.
pub fn run_part(
    setup: &Setup,
    catalog: &Catalog,
    shard: Shard,
    pool: &Pool,
    trials_csv: bool,
    trials_done: &AtomicU64,
) -> Result<(Files, PartReport), Error> {
    let cells = setup.cells()?;
    let plan = Plan::new(&cells.work(), shard.count);
    let slices = &plan.parts[shard.index as usize];
    let seed = setup.sc.seed;
    let started = Instant::now();
    let (threads, data) = pool.install(|| {
        let data: Vec<SliceFile> = match &cells {
            Cells::Static(cells) => sweep::run_slices(cells, seed, slices, trials_csv, trials_done)
                .into_iter()
                .map(|r| {
                    slice_file(
                        r.slice,
                        SliceData::Static {
                            totals: (&r.totals.figures()).into(),
                            trials: part::static_trials(&r.trials),
                        },
                    )
                })
                .collect(),
            Cells::Timed(cells) => {
                let timed = setup.timed.as_ref().expect("timed cells have settings");
                crate::runner::timed::run_slices(cells, timed, seed, setup.trace(), slices, trials_csv, trials_done)
                    .into_iter()
                    .map(|r| {
                        slice_file(
                            r.slice,
                            SliceData::Timed {
                                totals: Box::new((&r.totals.figures()).into()),
                                timeline: r.timeline.map(|t| t.iter().map(Into::into).collect()),
                                trials: part::timed_trials(&r.trials),
                            },
                        )
                    })
                    .collect()
            }
        };
        (pool.threads(), data)
    });
    let elapsed_s = started.elapsed().as_secs_f64();
    let total_work: u64 = plan.work.iter().sum();
    let file = PartFile {
        format: FORMAT.into(),
        sgpsim: env!("CARGO_PKG_VERSION").into(),
        part: shard.index,
        parts: shard.count,
        scenario: setup.id(),
        catalog: catalog_hash(catalog),
        trials_csv,
        cells: cells.len(),
        work: plan.work[shard.index as usize],
        total_work,
        elapsed_s,
        threads,
        slices: data,
    };
    let mut bytes = serde_json::to_vec(&file).map_err(|e| Error::Internal(format!("part.json: {e}")))?;
    bytes.push(b'\n');
    let mut files = Files::new();
    files.put(PART_FILE, bytes);
    let mut in_cells: Vec<usize> = slices.iter().map(|s| s.cell).collect();
    in_cells.dedup();
    let report = PartReport {
        shard,
        slices: slices.len(),
        cells: in_cells.len(),
        total_cells: cells.len(),
        trials: slices.iter().map(|s| u64::from(s.trials())).sum(),
        work: file.work,
        total_work,
        imbalance: plan.imbalance(),
        elapsed_s,
    };
    Ok((files, report))
}

fn slice_file(s: Slice, data: SliceData) -> SliceFile {
    SliceFile {
        cell: s.cell,
        start: s.start,
        end: s.end,
        data,
    }
}

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

/// The plan's figures for `shards` parts of `setup`'s sweep (what
/// `export job` sizes its requests from).
pub fn estimate(setup: &Setup, shards: u32) -> Result<crate::deploy::job::Estimate, Error> {
    let cells = setup.cells()?;
    let work = cells.work();
    let plan = Plan::new(&work, shards);
    // The timed engine restarts replaced pods: the per-trial work of the plan
    // counts each pod once, so scale by the lives of a pod.
    let lives = match (&setup.timed, setup.timed.as_ref().and_then(|t| t.horizon)) {
        (Some(t), Some(h)) if t.replace => match t.lifetime {
            Some(l) => (h.as_secs_f64() / crate::input::delay::mean_secs(&l).max(1e-6)).min(1e9) as u64 + 1,
            None => 1,
        },
        _ => 1,
    };
    let part_trials = |p: &Vec<Slice>| p.iter().map(|s| u64::from(s.trials())).sum::<u64>();
    Ok(crate::deploy::job::Estimate {
        timed: setup.timed.is_some(),
        part_work_max: plan.work.iter().max().copied().unwrap_or(0).saturating_mul(lives),
        pods_per_trial_max: work.iter().map(|w| w.per_trial).max().unwrap_or(0),
        part_trials_max: plan.parts.iter().map(part_trials).max().unwrap_or(0),
        trials: work.iter().map(|w| u64::from(w.trials)).sum(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_as_index_over_count() {
        assert_eq!(Shard::parse("2/7", None).unwrap(), Shard { index: 2, count: 7 });
        assert_eq!(Shard::parse("auto/4", Some("3")).unwrap(), Shard { index: 3, count: 4 });
        let e = Shard::parse("auto/4", None).unwrap_err();
        assert!(e.problem.contains("JOB_COMPLETION_INDEX, which is not set"), "{e}");
        assert!(e.fix.contains("SLURM_ARRAY_TASK_ID"), "{e}");
        let e = Shard::parse("auto/4", Some("4")).unwrap_err();
        assert!(e.problem.contains("numbered 0 to 3"), "{e}");
        assert!(
            Shard::parse("auto/4", Some("x"))
                .unwrap_err()
                .problem
                .contains("JOB_COMPLETION_INDEX=`x`")
        );
        for bad in ["7/7", "1/0", "-1/3", "1", "a/b", "1/100001"] {
            assert!(Shard::parse(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn timed_figures_cross_json_bit_for_bit() {
        use crate::timed::summary::TimedFigures;
        let f = TimedFigures {
            ip_failed_us: u128::MAX - 3,
            node_us: 1 << 100,
            costs: vec![Some(0.1 + 0.2), None, Some(-0.0), Some(f64::MIN_POSITIVE), Some(1e308)],
            ttr_p50: [(3, u128::MAX), (0, 0), (1, 7)],
            ..TimedFigures::default()
        };
        let json = serde_json::to_string(&part::TimedJson::from(&f)).unwrap();
        let back: part::TimedJson = serde_json::from_str(&json).unwrap();
        let g = TimedFigures::from(&back);
        assert_eq!(g.ip_failed_us, f.ip_failed_us);
        assert_eq!(g.node_us, f.node_us);
        assert_eq!(g.ttr_p50, f.ttr_p50);
        let bits = |c: &[Option<f64>]| c.iter().map(|x| x.map(f64::to_bits)).collect::<Vec<_>>();
        assert_eq!(bits(&g.costs), bits(&f.costs));
    }
}
