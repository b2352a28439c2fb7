//! The event queue: a binary heap keyed by (time, sequence number), so that
//! events at equal times come out in the order they were scheduled
//! (MODEL.md §9, first sentence). Its storage is kept between trials: in
//! steady state pushing and popping allocate nothing.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Time;

#[derive(Debug, Clone, Copy)]
struct Entry<E> {
    time: Time,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed: `BinaryHeap` is a max-heap, the earliest (time, seq) must come first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.time, o.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events, earliest first, first-in first-out at equal times.
#[derive(Debug, Clone)]
pub struct Queue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for Queue<E> {
    fn default() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E: Copy> Queue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the queue and restarts the sequence numbers; keeps the storage.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.next_seq = 0;
    }

    pub fn push(&mut self, time: Time, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// The time of the next event.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// How many events were ever scheduled since the last clear.
    pub fn scheduled(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_times_are_fifo() {
        let mut q = Queue::new();
        q.push(Time(5), 'a');
        q.push(Time(1), 'b');
        q.push(Time(5), 'c');
        q.push(Time(1), 'd');
        q.push(Time(5), 'e');
        let out: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(out, vec!['b', 'd', 'a', 'c', 'e']);
    }

    proptest! {
        /// Whatever the pushes, pops come out sorted by time and, at equal
        /// times, in push order: a stable sort of the pushes.
        #[test]
        fn pops_are_a_stable_sort_of_pushes(times in proptest::collection::vec(0u64..8, 0..200)) {
            let mut q = Queue::new();
            for (i, t) in times.iter().enumerate() {
                q.push(Time(*t), i);
            }
            let mut expected: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
            expected.sort_by_key(|&(t, _)| t);
            let got: Vec<(u64, usize)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
