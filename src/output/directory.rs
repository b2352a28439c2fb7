//! A results directory, written whole or not at all.
//!
//! A run (or `sgpsim report DIR`) builds every file in memory as [`Files`],
//! then [`Files::replace`] writes them into a fresh directory beside the
//! target and swaps it in: a reader sees the previous run's files or this
//! run's, never a mix, and nothing the previous run wrote survives (a stale
//! `trials.csv` included). A lock beside the target makes a second run into
//! the same directory refuse instead of mixing its files in; the lock holds
//! its owner's PID, so one left by a killed run is known to be stale.
//!
//! Interrupted (SIGINT, SIGTERM) while writing, a run removes the fresh
//! directory and its lock and leaves the previous results in place; a full
//! disk or a read-only target is an error that says so, with nothing partial
//! left. [`probe`] checks the target before a long run starts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use crate::error::InputError;

/// The files a results directory may hold; the charts live in `charts/`.
pub const KNOWN_FILES: [&str; 10] = [
    "summary.csv",
    "scenario.toml",
    "trials.csv",
    "failure-spread.csv",
    "safe-region.csv",
    "timeline.csv",
    "node-room.csv",
    "report.html",
    "report.md",
    // A part of a sharded run (`sgpsim run --shard`).
    "part.json",
];
/// The folder of the charts inside a results directory.
pub const CHARTS_DIR: &str = "charts";

/// A results directory's files in memory, by path relative to it (`/`
/// separated), in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    files: BTreeMap<String, Vec<u8>>,
}

impl Files {
    pub fn new() -> Files {
        Files::default()
    }

    /// Adds or replaces a file.
    pub fn put(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(name.into(), bytes);
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// Drops every file whose name passes `drop`.
    pub fn remove_where(&mut self, drop: impl Fn(&str) -> bool) {
        self.files.retain(|name, _| !drop(name));
    }

    /// File names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Reads the files sgpsim writes from an existing results directory
    /// (others are left alone and not read).
    pub fn read(dir: &Path) -> Result<Files, InputError> {
        if !dir.is_dir() {
            return Err(InputError::file(
                dir.display().to_string(),
                "is not a directory",
                "give the results directory of a run (e.g. results/default), or run the scenario first",
            ));
        }
        let mut files = Files::new();
        for name in KNOWN_FILES {
            if let Some(bytes) = read_if_present(&dir.join(name))? {
                files.put(name, bytes);
            }
        }
        let charts = dir.join(CHARTS_DIR);
        if charts.is_dir() {
            for e in std::fs::read_dir(&charts).map_err(|e| io(&charts, "read", &e))? {
                let e = e.map_err(|e| io(&charts, "read", &e))?;
                let name = e.file_name().to_string_lossy().into_owned();
                if !is_chart_name(&name) {
                    continue;
                }
                if let Some(bytes) = read_if_present(&e.path())? {
                    files.put(format!("{CHARTS_DIR}/{name}"), bytes);
                }
            }
        }
        Ok(files)
    }

    /// Makes `dir` hold exactly these files. Checks first that `dir` can be
    /// written and holds nothing but an earlier run's files, so that no
    /// unrelated file is ever removed; then writes a fresh sibling
    /// directory and swaps it in.
    pub fn replace(&self, dir: &Path) -> Result<(), InputError> {
        let dir = &target(dir)?;
        let lock = Lock::take(dir)?;
        check_ours(dir)?;
        let (parent, name) = split(dir);
        let fresh = parent.join(format!(".{name}.new-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&fresh);
        on_signal_clean(Pending {
            dir: dir.to_path_buf(),
            fresh: fresh.clone(),
            old: old.clone(),
            lock: lock.0.clone(),
        });
        let written = self.write_into(&fresh);
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&fresh);
            forget_pending();
            return Err(write_error(dir, &e));
        }
        let swap = {
            // The signal handler waits for the swap: it never sees the
            // target moved away and the fresh directory not yet in place.
            let _guard = PENDING.lock().unwrap_or_else(|p| p.into_inner());
            (|| -> std::io::Result<()> {
                if dir.exists() {
                    std::fs::rename(dir, &old)?;
                }
                if let Err(e) = std::fs::rename(&fresh, dir) {
                    // Put the previous results back rather than leave none.
                    let _ = std::fs::rename(&old, dir);
                    return Err(e);
                }
                Ok(())
            })()
        };
        if let Err(e) = swap {
            let _ = std::fs::remove_dir_all(&fresh);
            forget_pending();
            return Err(write_error(dir, &e));
        }
        let _ = std::fs::remove_dir_all(&old);
        forget_pending();
        drop(lock);
        Ok(())
    }

    fn write_into(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in &self.files {
            let path = dir.join(name);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::write(&path, bytes)?;
        }
        // Durable before the swap: a crash then leaves the old or the new directory.
        for name in self.files.keys() {
            std::fs::File::open(dir.join(name))?.sync_all()?;
        }
        Ok(())
    }
}

fn is_chart_name(name: &str) -> bool {
    !name.starts_with('.') && (name.ends_with(".png") || name.ends_with(".svg"))
}

fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, InputError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, "read", &e)),
    }
}

fn io(path: &Path, action: &str, e: &std::io::Error) -> InputError {
    InputError::io(path.display().to_string(), action, e)
}

/// The output directory as a path with a real last name (`.`, `..` and
/// `out/.` resolved), refused when it is the working directory or holds it:
/// the swap moves the target away, which would leave the shell that ran
/// sgpsim in a deleted directory.
fn target(dir: &Path) -> Result<PathBuf, InputError> {
    let resolved = if dir.exists() {
        dir.canonicalize().map_err(|e| io(dir, "resolve", &e))?
    } else {
        match (dir.parent().filter(|p| !p.as_os_str().is_empty()), dir.file_name()) {
            (Some(parent), Some(name)) if parent.exists() => {
                parent.canonicalize().map_err(|e| io(parent, "resolve", &e))?.join(name)
            }
            _ => dir.to_path_buf(),
        }
    };
    let here = std::env::current_dir().and_then(|d| d.canonicalize());
    if here.is_ok_and(|here| here.starts_with(&resolved)) {
        return Err(InputError::file(
            dir.display().to_string(),
            "it is the working directory (or holds it), and a run replaces its output directory whole",
            "run sgpsim from the directory above and name this one, e.g. `cd .. && sgpsim report NAME`",
        ));
    }
    // Keep the user's spelling, minus `.` components (`rename("out/.")` is
    // refused), where it names the directory without `..`.
    let plain = !dir.components().any(|c| c == std::path::Component::ParentDir);
    Ok(if plain && dir.file_name().is_some() {
        dir.components().collect()
    } else {
        resolved
    })
}

/// The directory holding `dir`, and `dir`'s own name.
fn split(dir: &Path) -> (PathBuf, String) {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into());
    (parent, name)
}

/// Refuses a target that holds anything sgpsim does not write there: the
/// swap replaces the directory whole, so it must be a results directory.
fn check_ours(dir: &Path) -> Result<(), InputError> {
    if !dir.exists() {
        return Ok(());
    }
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(InputError::file(
            shown,
            "exists and is not a directory",
            "give --out a new or results directory",
        ));
    }
    let foreign = |what: &str| {
        InputError::file(
            shown.clone(),
            format!("holds `{what}`, which sgpsim did not write: a run replaces its output directory whole"),
            "give --out a new directory, or one an earlier run wrote",
        )
    };
    for e in std::fs::read_dir(dir).map_err(|e| io(dir, "read", &e))? {
        let e = e.map_err(|e| io(dir, "read", &e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == CHARTS_DIR && e.path().is_dir() {
            for c in std::fs::read_dir(e.path()).map_err(|err| io(&e.path(), "read", &err))? {
                let c = c.map_err(|err| io(&e.path(), "read", &err))?;
                let cname = c.file_name().to_string_lossy().into_owned();
                if !is_chart_name(&cname) || !c.path().is_file() {
                    return Err(foreign(&format!("{CHARTS_DIR}/{cname}")));
                }
            }
        } else if !(KNOWN_FILES.contains(&name.as_str()) && e.path().is_file()) {
            return Err(foreign(&name));
        }
    }
    Ok(())
}

/// What a signal must undo while a run writes its directory.
#[derive(Debug, Clone)]
struct Pending {
    dir: PathBuf,
    fresh: PathBuf,
    old: PathBuf,
    lock: PathBuf,
}

static PENDING: Mutex<Option<Pending>> = Mutex::new(None);
static HANDLER: Once = Once::new();

/// Registers what an interrupted write leaves, and installs (once) the
/// SIGINT/SIGTERM handler that removes it and exits.
fn on_signal_clean(p: Pending) {
    *PENDING.lock().unwrap_or_else(|e| e.into_inner()) = Some(p);
    HANDLER.call_once(|| {
        // If another handler is already installed, the caller owns signals.
        let _ = ctrlc::set_handler(|| {
            let pending = PENDING.lock().unwrap_or_else(|e| e.into_inner()).take();
            let mut msg = String::from("interrupted (SIGINT or SIGTERM)");
            if let Some(p) = pending {
                undo(&p);
                msg.push_str(&format!(
                    " while writing {}: nothing partial is left, and what was there before is unchanged",
                    p.dir.display()
                ));
            }
            eprintln!("{msg}");
            std::process::exit(130);
        });
    });
}

/// Undoes an interrupted write: the fresh directory goes, the previous
/// results come back if the swap had moved them, the lock goes.
fn undo(p: &Pending) {
    let _ = std::fs::remove_dir_all(&p.fresh);
    if !p.dir.exists() && p.old.exists() {
        let _ = std::fs::rename(&p.old, &p.dir);
    }
    let _ = std::fs::remove_dir_all(&p.old);
    let _ = std::fs::remove_dir_all(&p.lock);
}

fn forget_pending() {
    *PENDING.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// An error writing the results, naming what happened.
fn write_error(dir: &Path, e: &std::io::Error) -> InputError {
    let shown = dir.display().to_string();
    let what = match e.kind() {
        std::io::ErrorKind::StorageFull => "the disk is full".to_string(),
        std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    InputError::file(
        shown,
        format!(
            "cannot write the results directory: {what}; nothing was written, and what was there before is unchanged"
        ),
        match e.kind() {
            std::io::ErrorKind::StorageFull => "free some space, or give --out a directory on another disk",
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                "give --out a directory you may write to"
            }
            _ => "check the path and the disk",
        },
    )
}

/// Checks, before any work, that a run could write `dir`: its parent can be
/// created and written, no live run holds its lock, and it holds only an
/// earlier run's files. Leaves nothing behind.
pub fn probe(dir: &Path) -> Result<(), InputError> {
    let dir = &target(dir)?;
    let (parent, name) = split(dir);
    std::fs::create_dir_all(&parent).map_err(|e| write_error(dir, &e).at("--out"))?;
    let probe = parent.join(format!(".{name}.probe-{}", std::process::id()));
    std::fs::create_dir(&probe).map_err(|e| write_error(dir, &e))?;
    let _ = std::fs::remove_dir(&probe);
    let lock = parent.join(format!(".{name}.lock"));
    if lock.exists() && !Lock::stale(&lock) {
        return Err(Lock::busy(dir, &lock));
    }
    check_ours(dir)
}

/// A lock beside the target, held while one run writes it: a directory
/// (created atomically) holding a file `pid`.
struct Lock(PathBuf);

impl Lock {
    fn take(dir: &Path) -> Result<Lock, InputError> {
        let (parent, name) = split(dir);
        std::fs::create_dir_all(&parent).map_err(|e| io(&parent, "create the output directory", &e))?;
        let path = parent.join(format!(".{name}.lock"));
        for _ in 0..2 {
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    let me = std::process::id();
                    let owner = match start_time(me) {
                        Some(t) => format!("{me} {t}"),
                        None => me.to_string(),
                    };
                    let _ = std::fs::write(path.join("pid"), owner);
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if !Lock::stale(&path) {
                        return Err(Lock::busy(dir, &path));
                    }
                    // Left by a run that was killed: take it over.
                    let _ = std::fs::remove_dir_all(&path);
                }
                Err(e) => return Err(write_error(dir, &e)),
            }
        }
        Err(Lock::busy(dir, &path))
    }

    /// Whether the lock's owner is gone: its PID is not a running process,
    /// or is one that started at another time than the owner (a PID reused,
    /// as by a container's PID 1 when a Job retries a pod on a shared
    /// volume). Checked in /proc; where there is no /proc, a lock is never stale.
    fn stale(path: &Path) -> bool {
        let Ok(owner) = std::fs::read_to_string(path.join("pid")) else {
            return false;
        };
        let mut words = owner.split_whitespace();
        let Some(Ok(pid)) = words.next().map(str::parse::<u32>) else {
            return false;
        };
        if !Path::new("/proc/self").exists() {
            return false;
        }
        if !Path::new("/proc").join(pid.to_string()).exists() {
            return true;
        }
        match (words.next(), start_time(pid)) {
            (Some(recorded), Some(now)) => recorded != now,
            _ => false,
        }
    }

    fn busy(dir: &Path, path: &Path) -> InputError {
        InputError::file(
            dir.display().to_string(),
            format!("another sgpsim run is writing it (it holds {})", path.display()),
            format!(
                "wait for that run to finish, or give --out another directory; if no run is going on, remove {}",
                path.display()
            ),
        )
    }
}

/// When process `pid` started (field 22 of /proc/PID/stat, clock ticks
/// since boot): with the PID, it names one process, not a reused PID.
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19).map(str::to_string)
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> Files {
        let mut f = Files::new();
        for (n, b) in pairs {
            f.put(*n, b.as_bytes().to_vec());
        }
        f
    }

    #[test]
    fn a_run_replaces_what_the_previous_run_wrote() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        files(&[("summary.csv", "a"), ("trials.csv", "old"), ("charts/x.png", "p")])
            .replace(&dir)
            .unwrap();
        files(&[("summary.csv", "b")]).replace(&dir).unwrap();
        let back = Files::read(&dir).unwrap();
        assert_eq!(back, files(&[("summary.csv", "b")]), "no stale trials.csv or chart");
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec!["out"], "no temporary or lock left beside it");
    }

    #[test]
    fn a_directory_with_foreign_files_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let e = files(&[("summary.csv", "a")]).replace(tmp.path()).unwrap_err();
        assert!(e.problem.contains("notes.txt"), "{e}");
        assert_eq!(std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn an_interrupted_write_is_undone_at_every_step() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let p = Pending {
            dir: dir.clone(),
            fresh: tmp.path().join(".out.new-1"),
            old: tmp.path().join(".out.old-1"),
            lock: tmp.path().join(".out.lock"),
        };
        let before = files(&[("summary.csv", "before")]);
        // Writing the fresh directory; between the two renames; after the swap.
        for step in 0..3 {
            before.replace(&dir).unwrap();
            std::fs::create_dir(&p.lock).unwrap();
            files(&[("summary.csv", "new")]).write_into(&p.fresh).unwrap();
            if step >= 1 {
                std::fs::rename(&dir, &p.old).unwrap();
            }
            if step == 2 {
                std::fs::rename(&p.fresh, &dir).unwrap();
            }
            undo(&p);
            let want = if step == 2 { "new" } else { "before" };
            assert_eq!(
                Files::read(&dir).unwrap().get("summary.csv"),
                Some(want.as_bytes()),
                "step {step}"
            );
            let left: Vec<_> = std::fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(left, vec!["out"], "step {step}");
        }
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let lock = tmp.path().join(".out.lock");
        std::fs::create_dir(&lock).unwrap();
        // PIDs above the kernel's limit never run.
        std::fs::write(lock.join("pid"), "4294967294").unwrap();
        probe(&dir).unwrap();
        files(&[("summary.csv", "a")]).replace(&dir).unwrap();
        assert!(!lock.exists());
        // A live owner (this process) keeps it.
        std::fs::create_dir(&lock).unwrap();
        std::fs::write(lock.join("pid"), std::process::id().to_string()).unwrap();
        assert!(probe(&dir).unwrap_err().problem.contains("another sgpsim run"));
        // So does one that names this process with its start time ...
        let me = std::process::id();
        let started = start_time(me).expect("/proc on Linux");
        std::fs::write(lock.join("pid"), format!("{me} {started}")).unwrap();
        assert!(probe(&dir).unwrap_err().problem.contains("another sgpsim run"));
        // ... but a live PID that started at another time is a reused PID
        // (a retried pod's PID 1 on a shared volume): the lock is stale.
        std::fs::write(lock.join("pid"), format!("{me} 1")).unwrap();
        probe(&dir).unwrap();
        std::fs::remove_dir_all(&lock).unwrap();
    }

    #[test]
    fn probe_finds_a_read_only_parent_before_any_work() {
        let tmp = tempfile::tempdir().unwrap();
        let ro = tmp.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let r = probe(&ro.join("out"));
        // Root may write anywhere: then the probe rightly passes.
        if std::fs::create_dir(ro.join("x")).is_err() {
            let e = r.unwrap_err();
            assert!(
                e.problem.contains("permission denied") || e.problem.contains("read-only"),
                "{e}"
            );
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        let left: Vec<_> = std::fs::read_dir(&ro)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "x")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_second_writer_is_refused_while_the_lock_is_held() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let lock = Lock::take(&dir).unwrap();
        let e = files(&[("summary.csv", "a")]).replace(&dir).unwrap_err();
        assert!(e.problem.contains("another sgpsim run"), "{e}");
        drop(lock);
        files(&[("summary.csv", "a")]).replace(&dir).unwrap();
    }
}
