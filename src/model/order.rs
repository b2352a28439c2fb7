//! Arrival orders (MODEL.md §7): who arrives when, in the static replay.

use super::invalid::Invalid;
use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::workload::{Counts, Kind, MAX_CLASSES, Mix, Pod};

/// An arrival order of the workload pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Order {
    /// All SG pods, then all IP pods, then host pods.
    SgFirst,
    /// All IP pods (non-SG first), then SG pods, then host pods.
    IpFirst,
    /// A uniformly random permutation (Fisher–Yates) per trial.
    Random,
    /// The kinds alternate in proportion to their counts (the seed's "alternating mixed").
    Interleaved,
}

impl Order {
    pub const ALL: [Order; 4] = [Order::SgFirst, Order::IpFirst, Order::Random, Order::Interleaved];

    pub fn name(self) -> &'static str {
        match self {
            Order::SgFirst => "sg-first",
            Order::IpFirst => "ip-first",
            Order::Random => "random",
            Order::Interleaved => "interleaved",
        }
    }

    /// Only `random` differs from trial to trial.
    pub fn is_random(self) -> bool {
        self == Order::Random
    }

    /// Writes the arrival sequence into `out` (cleared first; its capacity is
    /// reused, so a warm buffer allocates nothing).
    pub fn arrange(self, counts: Counts, rng: &mut ChaCha8Rng, out: &mut Vec<Kind>) {
        out.clear();
        let push = |out: &mut Vec<Kind>, k: Kind, n: u32| out.extend(std::iter::repeat_n(k, n as usize));
        match self {
            Order::SgFirst => {
                push(out, Kind::Sg, counts.sg);
                push(out, Kind::Ip, counts.ip);
                push(out, Kind::Host, counts.host);
            }
            Order::IpFirst => {
                push(out, Kind::Ip, counts.ip);
                push(out, Kind::Sg, counts.sg);
                push(out, Kind::Host, counts.host);
            }
            Order::Random => out.extend(RandomArrivals::new(rng, counts)),
            Order::Interleaved => interleave(counts, out),
        }
    }
}

/// A uniformly random order, drawn lazily: forward Fisher–Yates over the
/// pods, where position `i` takes a uniformly chosen pod among those not yet
/// placed. Only the kinds matter, so a draw `r` in `0..left` picks SG when
/// `r < sg left`, IP when below `sg + ip left`, host otherwise: every
/// ordering of the multiset is equally likely, and a replay that stops early
/// draws nothing more.
pub struct RandomArrivals<'r> {
    rng: &'r mut ChaCha8Rng,
    // Pods left per kind, as three fields rather than an array: an indexed
    // store would put a store-to-load round trip on every draw's critical path.
    sg: u32,
    ip: u32,
    total: u32,
}

impl<'r> RandomArrivals<'r> {
    pub fn new(rng: &'r mut ChaCha8Rng, counts: Counts) -> Self {
        RandomArrivals {
            rng,
            sg: counts.sg,
            ip: counts.ip,
            total: counts.total(),
        }
    }
}

impl Iterator for RandomArrivals<'_> {
    type Item = Kind;

    #[inline]
    fn next(&mut self) -> Option<Kind> {
        if self.total == 0 {
            return None;
        }
        let r = self.rng.random_range(0..self.total);
        // Branch-free choice of the kind: in a random order it is unpredictable.
        let past_sg = r >= self.sg;
        let past_ip = r >= self.sg + self.ip;
        self.sg -= u32::from(!past_sg);
        self.ip -= u32::from(past_sg & !past_ip);
        self.total -= 1;
        Some(Kind::ALL[usize::from(past_sg) + usize::from(past_ip)])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.total as usize, Some(self.total as usize))
    }
}

/// Smooth proportional interleaving: at each arrival, the kind furthest behind
/// its share of the arrivals so far goes next (ties: SG, IP, host). With 9 SG
/// and 27 IP pods this gives IP, SG, IP, IP, IP, SG, ...; every prefix holds
/// each kind's share rounded down or up.
fn interleave(counts: Counts, out: &mut Vec<Kind>) {
    let n = counts.total() as u64;
    let mut placed = [0u64; 3];
    for step in 1..=n {
        let mut best = None;
        let mut best_deficit = i128::MIN;
        for k in Kind::ALL {
            let c = counts.get(k) as u64;
            if placed[k.index()] == c {
                continue;
            }
            // deficit = c * step / n - placed, scaled by n to stay in integers.
            let deficit = (c * step) as i128 - (placed[k.index()] * n) as i128;
            if deficit > best_deficit {
                best_deficit = deficit;
                best = Some(k);
            }
        }
        let k = best.expect("some kind has pods left while step <= total");
        placed[k.index()] += 1;
        out.push(k);
    }
}

/// How the pods of one kind take their classes, where a kind has several
/// (`[[workload.groups]]`): the kinds' sequence is the order's, so a
/// workload with groups replays the very same kind sequences as the same
/// counts without them, and only the classes within a kind are assigned.
///
/// - `sg-first`, `ip-first`: a kind's classes one after another, in the
///   scenario's order;
/// - `interleaved`: a kind's classes interleaved in proportion, as the kinds are;
/// - `random`: each pod of a kind takes a uniformly chosen one of the
///   kind's pods not yet placed, from a stream of its own: with the kinds'
///   uniform sequence, every ordering of the pods by class is equally likely.
pub struct Classes<'r, I> {
    kinds: I,
    mix: Mix,
    order: Order,
    rng: Option<&'r mut ChaCha8Rng>,
    /// Pods not yet placed, per class and per kind, and each kind's pods.
    left: [u32; MAX_CLASSES],
    kind_left: [u32; 3],
    kind_total: [u32; 3],
    /// Pods placed per class, for `interleaved`.
    placed: [u64; MAX_CLASSES],
}

impl<'r, I: Iterator<Item = Kind>> Classes<'r, I> {
    /// Classes for the kinds `kinds` gives in `order`; `rng` is the class
    /// stream, used only by `random`.
    pub fn new(kinds: I, mix: Mix, order: Order, rng: Option<&'r mut ChaCha8Rng>) -> Self {
        let mut left = [0; MAX_CLASSES];
        left[..mix.len()].copy_from_slice(mix.class_counts());
        let c = mix.counts();
        Classes {
            kinds,
            mix,
            order,
            rng,
            left,
            kind_left: [c.sg, c.ip, c.host],
            kind_total: [c.sg, c.ip, c.host],
            placed: [0; MAX_CLASSES],
        }
    }

    fn class_of(&mut self, k: Kind) -> usize {
        let range = self.mix.classes_of(k);
        assert!(!range.is_empty(), "a kind in the sequence has classes");
        let chosen = match self.order {
            Order::SgFirst | Order::IpFirst => range.clone().find(|&c| self.left[c] > 0),
            Order::Interleaved => {
                // The class furthest behind its share of the kind's pods so
                // far (ties to the first), as `interleave` does for kinds.
                let n = u64::from(self.kind_total[k.index()]);
                let step = n - u64::from(self.kind_left[k.index()]) + 1;
                range.clone().filter(|&c| self.left[c] > 0).max_by_key(|&c| {
                    let deficit = i128::from(u64::from(self.mix.count(c)) * step) - i128::from(self.placed[c] * n);
                    (deficit, std::cmp::Reverse(c))
                })
            }
            Order::Random => {
                let rng = self
                    .rng
                    .as_deref_mut()
                    .expect("random orders draw classes from a stream");
                let mut r = rng.random_range(0..self.kind_left[k.index()]);
                range.clone().find(|&c| {
                    if r < self.left[c] {
                        true
                    } else {
                        r -= self.left[c];
                        false
                    }
                })
            }
        };
        let c = chosen.expect("a kind's pods left are its classes' pods left");
        self.left[c] -= 1;
        self.kind_left[k.index()] -= 1;
        self.placed[c] += 1;
        c
    }
}

impl<I: Iterator<Item = Kind>> Iterator for Classes<'_, I> {
    type Item = Pod;

    #[inline]
    fn next(&mut self) -> Option<Pod> {
        let kind = self.kinds.next()?;
        let class = self.class_of(kind) as u8;
        Some(Pod { kind, class })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.kinds.size_hint()
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Order {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Order, Invalid> {
        Order::ALL.into_iter().find(|o| o.name() == s).ok_or_else(|| {
            Invalid::new(
                "order",
                format!("unknown order `{s}`"),
                "use one of sg-first, ip-first, random, interleaved",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn seq(o: Order, sg: u32, ip: u32, host: u32) -> Vec<Kind> {
        let mut out = Vec::new();
        o.arrange(Counts { sg, ip, host }, &mut ChaCha8Rng::seed_from_u64(1), &mut out);
        out
    }

    #[test]
    fn fixed_orders() {
        use Kind::*;
        assert_eq!(seq(Order::SgFirst, 2, 1, 1), vec![Sg, Sg, Ip, Host]);
        assert_eq!(seq(Order::IpFirst, 2, 1, 1), vec![Ip, Sg, Sg, Host]);
    }

    #[test]
    fn interleaved_is_proportional() {
        use Kind::*;
        assert_eq!(seq(Order::Interleaved, 2, 2, 0), vec![Sg, Ip, Sg, Ip]);
        let s = seq(Order::Interleaved, 9, 27, 0);
        assert_eq!(&s[..4], &[Ip, Sg, Ip, Ip]);
        // Every prefix is within one pod of its proportional share.
        let mut sg = 0i64;
        for (i, k) in s.iter().enumerate() {
            sg += (*k == Sg) as i64;
            let share = 9 * (i as i64 + 1);
            assert!((sg * 36 - share).abs() < 36, "prefix {i}");
        }
    }

    /// Every ordering of 2 SG, 2 IP and 1 host pod (30 of them) comes up
    /// about equally often: a chi-square test at a fixed seed.
    #[test]
    fn random_orders_are_uniform() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = std::collections::BTreeMap::new();
        let n = 30_000;
        for _ in 0..n {
            let v: Vec<Kind> = RandomArrivals::new(&mut rng, Counts { sg: 2, ip: 2, host: 1 }).collect();
            *seen.entry(v).or_insert(0u32) += 1;
        }
        assert_eq!(seen.len(), 30);
        let expected = n as f64 / 30.0;
        let chi2: f64 = seen.values().map(|&o| (o as f64 - expected).powi(2) / expected).sum();
        // 29 degrees of freedom: the 99.9% point is 58.3.
        assert!(chi2 < 58.3, "chi2 {chi2}");
    }

    fn classes(o: Order, mix: Mix, seed: u64) -> Vec<(Kind, u8)> {
        let mut kinds = Vec::new();
        o.arrange(mix.counts(), &mut ChaCha8Rng::seed_from_u64(seed), &mut kinds);
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        Classes::new(kinds.into_iter(), mix, o, Some(&mut rng))
            .map(|p| (p.kind, p.class))
            .collect()
    }

    /// Two SG groups (classes 0, 1) and two IP groups (2, 3): the fixed
    /// orders keep the kinds' sequence and take a kind's groups in turn;
    /// interleaved interleaves them in proportion.
    #[test]
    fn groups_take_their_turn_within_a_kind() {
        use Kind::*;
        let mix = Mix::of_classes(&[(Sg, 1), (Sg, 2), (Ip, 2), (Ip, 1)]);
        assert_eq!(
            classes(Order::SgFirst, mix, 1),
            vec![(Sg, 0), (Sg, 1), (Sg, 1), (Ip, 2), (Ip, 2), (Ip, 3)]
        );
        assert_eq!(
            classes(Order::IpFirst, mix, 1),
            vec![(Ip, 2), (Ip, 2), (Ip, 3), (Sg, 0), (Sg, 1), (Sg, 1)]
        );
        let mix = Mix::of_classes(&[(Ip, 2), (Ip, 4)]);
        let got: Vec<u8> = classes(Order::Interleaved, mix, 1).iter().map(|p| p.1).collect();
        assert_eq!(got, vec![1, 0, 1, 1, 0, 1]);
    }

    /// Every ordering by class of 2 SG pods of one group, and 1 + 2 IP pods
    /// of two (5! / (2! 1! 2!) = 30 of them) comes up about equally often.
    #[test]
    fn random_classes_are_uniform() {
        use Kind::*;
        let mix = Mix::of_classes(&[(Sg, 2), (Ip, 1), (Ip, 2)]);
        let mut seen = std::collections::BTreeMap::new();
        let n = 30_000u64;
        for seed in 0..n {
            *seen.entry(classes(Order::Random, mix, seed * 2)).or_insert(0u32) += 1;
        }
        assert_eq!(seen.len(), 30);
        let expected = n as f64 / 30.0;
        let chi2: f64 = seen
            .values()
            .map(|&o| (f64::from(o) - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 58.3, "chi2 {chi2}");
    }

    #[test]
    fn random_is_a_permutation() {
        let s = seq(Order::Random, 5, 7, 3);
        assert_eq!(s.len(), 15);
        assert_eq!(s.iter().filter(|k| **k == Kind::Sg).count(), 5);
        assert_eq!(s.iter().filter(|k| **k == Kind::Host).count(), 3);
    }
}
