//! The scheduler's node index: a tournament tree over node indices whose
//! root is the node the policy picks (MODEL.md §5 steps 1–3), in O(log n) per
//! update and O(1) per query, with no allocation once sized.
//!
//! A leaf holds `score << 32 | node` for a node that fits and `u64::MAX` for
//! one that does not; a parent holds the smaller child. The score is
//! [`crate::model::placement::score`], whose smallest value is the policy's choice; the
//! node index in the low bits breaks ties to the lowest index, as the static
//! replay does.

#[cfg(test)]
use crate::model::placement::Policy;

const NONE: u64 = u64::MAX;

#[derive(Debug, Clone, Default)]
pub struct NodeIndex {
    /// Leaves start at `size`; `tree[1]` is the root. `size` is a power of two.
    tree: Vec<u64>,
    size: usize,
}

impl NodeIndex {
    /// Empties the index, keeping room for `cap` nodes.
    pub fn reset(&mut self, cap: usize) {
        let size = cap.max(1).next_power_of_two();
        if size > self.size {
            self.size = size;
            self.tree = vec![NONE; 2 * size];
        } else {
            self.tree.fill(NONE);
        }
    }

    /// The key of a fitting node with this [`crate::model::placement::score`].
    #[inline]
    pub fn key(score: u32, node: u32) -> u64 {
        (u64::from(score) << 32) | u64::from(node)
    }

    /// Sets node `i`'s key (`None`: it does not fit).
    pub fn set(&mut self, i: u32, key: Option<u64>) {
        let i = i as usize;
        if i >= self.size {
            self.grow(i + 1);
        }
        let mut p = self.size + i;
        let k = key.unwrap_or(NONE);
        if self.tree[p] == k {
            return;
        }
        self.tree[p] = k;
        while p > 1 {
            p /= 2;
            let m = self.tree[2 * p].min(self.tree[2 * p + 1]);
            if self.tree[p] == m {
                break;
            }
            self.tree[p] = m;
        }
    }

    /// The chosen node, if any fits.
    #[inline]
    pub fn best(&self) -> Option<u32> {
        match self.tree.get(1) {
            Some(&k) if k != NONE => Some(k as u32),
            _ => None,
        }
    }

    fn grow(&mut self, cap: usize) {
        let old: Vec<u64> = self.tree.get(self.size..).map(|s| s.to_vec()).unwrap_or_default();
        let size = cap.next_power_of_two().max(2 * self.size).max(1);
        self.size = size;
        self.tree = vec![NONE; 2 * size];
        self.tree[size..size + old.len()].copy_from_slice(&old);
        for p in (1..size).rev() {
            self.tree[p] = self.tree[2 * p].min(self.tree[2 * p + 1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The index agrees with a linear scan that keeps the first best node,
        /// as the static replay does, after any sequence of updates.
        #[test]
        fn agrees_with_a_linear_scan(ops in proptest::collection::vec((0u32..40, proptest::option::of(0u32..6)), 1..300), p in 0usize..3) {
            let policy = Policy::ALL[p];
            let mut idx = NodeIndex::default();
            idx.reset(3);
            let mut slots: Vec<Option<u32>> = vec![None; 40];
            for (i, s) in ops {
                slots[i as usize] = s;
                let score = |slots: u32| match policy {
                    Policy::MostAllocated => u32::MAX - slots,
                    Policy::LeastAllocated => slots,
                    Policy::FirstFit => 0,
                };
                idx.set(i, s.map(|s| NodeIndex::key(score(s), i)));
                let mut best: Option<(usize, u32)> = None;
                for (j, s) in slots.iter().enumerate() {
                    let Some(s) = *s else { continue };
                    let better = match (policy, best) {
                        (_, None) => true,
                        (Policy::FirstFit, _) => false,
                        (Policy::MostAllocated, Some((_, b))) => s > b,
                        (Policy::LeastAllocated, Some((_, b))) => s < b,
                    };
                    if better { best = Some((j, s)); }
                }
                prop_assert_eq!(idx.best(), best.map(|b| b.0 as u32));
            }
        }
    }
}
