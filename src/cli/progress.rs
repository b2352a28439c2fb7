//! The progress bar of a long run, on standard error: only when that is a
//! terminal (never in a pipe, a file or CI) and the run is not `-q`. It
//! reads a counter the runner adds finished trials to; the results do not
//! depend on it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the bar reads the counter.
const TICK: Duration = Duration::from_millis(100);

/// Whether standard error is a terminal a person watches.
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Runs `work` with a counter of finished trials; with `show`, a bar on
/// standard error follows it up to `total` and is cleared when `work` ends.
pub(crate) fn counting<R>(show: bool, total: u64, work: impl FnOnce(&AtomicU64) -> R) -> R {
    let done = AtomicU64::new(0);
    if !show {
        return work(&done);
    }
    let finished = AtomicBool::new(false);
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {wide_bar} {human_pos}/{human_len} trials, {elapsed} ({eta} left) {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    std::thread::scope(|s| {
        s.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                let n = done.load(Ordering::Relaxed);
                bar.set_position(n);
                if n >= total {
                    bar.set_message("drawing the charts and the report");
                }
                bar.tick();
                std::thread::sleep(TICK);
            }
            bar.finish_and_clear();
        });
        let result = work(&done);
        finished.store(true, Ordering::Relaxed);
        result
    })
}
