//! The unit a sweep is split into: a range of one cell's trials.

/// A range of one cell's trials, `start..end`: the unit a sweep is split
/// into when it runs as shards (`sgpsim run --shard`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slice {
    /// The cell's index in the scenario's cell order.
    pub cell: usize,
    pub start: u32,
    pub end: u32,
}

impl Slice {
    /// Every trial of every cell, one slice per cell.
    pub fn whole(trials: impl IntoIterator<Item = u32>) -> Vec<Slice> {
        trials
            .into_iter()
            .enumerate()
            .map(|(cell, n)| Slice { cell, start: 0, end: n })
            .collect()
    }

    pub fn trials(&self) -> u32 {
        self.end - self.start
    }
}
