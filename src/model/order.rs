//! Arrival orders (MODEL.md §7): who arrives when, in the static replay.

use super::invalid::Invalid;
use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::workload::{Counts, Kind};

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

    #[test]
    fn random_is_a_permutation() {
        let s = seq(Order::Random, 5, 7, 3);
        assert_eq!(s.len(), 15);
        assert_eq!(s.iter().filter(|k| **k == Kind::Sg).count(), 5);
        assert_eq!(s.iter().filter(|k| **k == Kind::Host).count(), 3);
    }
}
