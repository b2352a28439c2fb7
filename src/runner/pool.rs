//! The thread pool every run uses: `--threads N`, or one worker per core.
//! Built (and its setting checked) before any work or output starts.

use crate::error::InputError;

/// The most workers a run may ask for: far above any machine's cores.
pub const MAX_THREADS: usize = 1024;

/// Where a run's parallel work goes.
pub enum Pool {
    /// Rayon's global pool: one worker per core.
    Global,
    /// A pool of the number of workers asked for.
    Sized(rayon::ThreadPool),
}

impl Pool {
    /// Checks `--threads` and builds its pool; `None` is one worker per core.
    pub fn new(threads: Option<usize>) -> Result<Pool, InputError> {
        match threads {
            None => Ok(Pool::Global),
            Some(0) => Err(InputError::field(
                "--threads",
                "0 threads cannot run anything",
                "give 1 or more",
            )),
            Some(n) if n > MAX_THREADS => Err(InputError::field(
                "--threads",
                format!("{n} threads is absurd"),
                format!("give at most {MAX_THREADS}"),
            )),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map(Pool::Sized)
                .map_err(|e| InputError::field("--threads", format!("cannot start {n} threads: {e}"), "give fewer")),
        }
    }

    /// The number of workers this pool runs.
    pub fn threads(&self) -> usize {
        match self {
            Pool::Global => rayon::current_num_threads(),
            Pool::Sized(p) => p.current_num_threads(),
        }
    }

    /// Runs `f` with this pool as the current one, so that every parallel
    /// iterator inside it uses the pool's workers.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match self {
            Pool::Global => f(),
            Pool::Sized(p) => p.install(f),
        }
    }
}
