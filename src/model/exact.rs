//! Exact distributions, where Monte Carlo is not needed (MODEL.md §7, §11).
//!
//! Two models, over plain integers and `f64` only, so that this module stands
//! alone:
//!
//! - [`one_node`]: one node and a fixed workload in a uniformly random
//!   arrival order, replayed by the rules of §5. The outcome of a replay
//!   depends only on how many pods of each kind have arrived when the node
//!   stops taking pods, so a dynamic programme over those counts gives the
//!   whole distribution without drawing a single order.
//! - [`cluster_node`] and [`recommend`]: the node-in-a-cluster model of §11,
//!   where the SG pods a node binds are `min(B, X)` with `X ~ Binomial(L, p)`,
//!   and the recommended `M` is the largest whose risk stays within a budget;
//!   [`cluster_nodes_with_room`] the same model where pods also request CPU
//!   or memory, which can stop a node before its slots.

/// The most states [`one_node`] will visit. Beyond it, it returns `None` and
/// the caller falls back to Monte Carlo: time grows with the states, about a
/// few nanoseconds each.
pub const STATE_BUDGET: u64 = 4_000_000;

use super::node::{Resources, SystemPods};
use super::requests::Res;

/// Slack on cumulative probabilities when taking percentiles: sums of `f64`
/// may fall short of an exact `1` or of a tie by rounding.
const CDF_SLACK: f64 = 1e-12;

/// One node and its workload, after the system pods took their share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OneNode {
    /// Workload slots `L = M - S - S_ip`.
    pub slots: u32,
    /// IPs left for the workload `C = ip capacity - S_ip`.
    pub ips: u32,
    /// Branch ENIs `B` (0 without a trunk).
    pub branches: u32,
    /// Workload SG pods.
    pub sg: u32,
    /// Workload IP pods.
    pub ip: u32,
    /// Workload host pods.
    pub host: u32,
}

/// A figure per kind of workload pod.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PerKind {
    pub sg: f64,
    pub ip: f64,
    pub host: f64,
}

/// The exact distribution of one node's outcome over uniformly random
/// arrival orders. Expectations are over the orders.
#[derive(Debug, Clone, PartialEq)]
pub struct OneNodeDist {
    /// `failed[f]` is the probability that `f` pods are ip-failed, for `f` in
    /// `0..=max_failed`; some entries may be 0.
    pub failed: Vec<f64>,
    /// Expected wasted IPs: `C - ips used` when every slot is used, else 0.
    pub wasted_ips: f64,
    /// Expected stranded slots: `L - slots used` when neither a free IP nor a
    /// free branch ENI is left, else 0.
    pub stranded_slots: f64,
    /// Expected running pods per kind (an ip-failed pod is not running).
    pub running: PerKind,
    /// Expected pending pods per kind (never bound).
    pub pending: PerKind,
    /// The smallest 1-based arrival index the first ip-failed pod can have
    /// (every order has positive probability; IP pods first reach it):
    /// `C + 1`, or `None` when no order fails a pod.
    pub first_failure_min: Option<u32>,
}

impl OneNodeDist {
    /// `E[F]`, the expected number of ip-failed pods.
    pub fn mean_failed(&self) -> f64 {
        self.failed.iter().enumerate().map(|(f, p)| f as f64 * p).sum()
    }

    /// `P(F > 0)`. Summed from the failing side, so that a small probability
    /// keeps its precision.
    /// When no order avoids a failure (`P(F = 0)` is exactly 0) it is
    /// exactly 1, not a sum a rounding short of it.
    pub fn any_failure(&self) -> f64 {
        if self.failed.first().is_some_and(|&p| p == 0.0) {
            return 1.0;
        }
        // A fold from +0: `sum` of no terms is -0.0, which prints as "-0.0%".
        self.failed.iter().skip(1).fold(0.0, |a, p| a + p).min(1.0)
    }

    /// The largest `F` that some order gives.
    pub fn max_failed(&self) -> u32 {
        self.failed.len() as u32 - 1
    }

    /// The exact counterpart of a nearest-rank percentile over many trials
    /// (`stats::percentile`): the smallest `f` of positive probability with
    /// `P(F <= f) >= q`. At `q <= 0` it is the smallest possible `F`, as
    /// nearest rank gives the smallest sample.
    pub fn percentile_failed(&self, q: f64) -> u32 {
        let mut cdf = 0.0;
        let mut last = 0;
        for (f, &p) in self.failed.iter().enumerate() {
            if p <= 0.0 {
                continue;
            }
            cdf += p;
            last = f as u32;
            if cdf >= q - CDF_SLACK {
                return last;
            }
        }
        last
    }
}

/// Sums over the end states of the replay, weighted by their probability.
struct Ends {
    slots: usize,
    ips: usize,
    branches: usize,
    counts: [usize; 3],
    failed: Vec<f64>,
    wasted: f64,
    stranded: f64,
    running: [f64; 3],
    pending: [f64; 3],
}

impl Ends {
    /// Adds the end state with `a` SG, `b` IP and `h` host pods arrived.
    fn add(&mut self, w: f64, a: usize, b: usize, h: usize) {
        let sg_bound = a.min(self.branches);
        let used = sg_bound + b + h;
        let ips_used = b.min(self.ips);
        self.failed[b - ips_used] += w;
        if used == self.slots {
            self.wasted += w * (self.ips - ips_used) as f64;
        }
        if b >= self.ips && a >= self.branches {
            self.stranded += w * (self.slots - used) as f64;
        }
        let [sg, ip, host] = self.counts;
        for (k, (run, arrived_bound)) in [(sg_bound, sg_bound), (ips_used, b), (h, h)].into_iter().enumerate() {
            self.running[k] += w * run as f64;
            self.pending[k] += w * ([sg, ip, host][k] - arrived_bound) as f64;
        }
    }
}

/// The exact outcome distribution of one node under a uniformly random
/// arrival order of its workload (MODEL.md §5, §7; the engine's one-node
/// replay). `None` when the state space exceeds [`STATE_BUDGET`].
///
/// A state is the number of SG, IP and host pods arrived, `(a, b, h)`; it
/// fixes the node's use (`min(a, B)` branches, `min(a, B) + b + h` slots,
/// `min(b, C)` IPs). The next pod's kind is drawn in proportion to the pods
/// left of each kind (hypergeometric), and a path ends when the slots are
/// used up or every pod has arrived. The probabilities are carried forward
/// over `a`, in place in one layer over `(h, b)`; with no host pods the layer
/// is a single row.
pub fn one_node(w: &OneNode) -> Option<OneNodeDist> {
    let l = w.slots as usize;
    let (c, br) = (w.ips as usize, w.branches as usize);
    let (ns, ni, nh) = (w.sg as usize, w.ip as usize, w.host as usize);
    // No more than `L` IP or host pods ever bind.
    let (bmax, hmax) = (ni.min(l), nh.min(l));
    let states = (ns as u64 + 1) * (bmax as u64 + 1) * (hmax as u64 + 1);
    if states > STATE_BUDGET {
        return None;
    }
    let total = ns + ni + nh;
    let max_failed = bmax.saturating_sub(c);
    let mut ends = Ends {
        slots: l,
        ips: c,
        branches: br,
        counts: [ns, ni, nh],
        failed: vec![0.0; max_failed + 1],
        wasted: 0.0,
        stranded: 0.0,
        running: [0.0; 3],
        pending: [0.0; 3],
    };
    // inv[r] = 1 / r: r pods were left before the last arrival.
    let inv: Vec<f64> = (0..=total).map(|r| if r == 0 { 0.0 } else { 1.0 / r as f64 }).collect();
    let width = bmax + 1;
    // layer[h * width + b]: probability that the path is alive at (a, b, h),
    // or ended there; holds the values for a - 1 until overwritten.
    let mut layer = vec![0.0f64; width * (hmax + 1)];
    for a in 0..=ns {
        let sg_bound = a.min(br);
        if sg_bound > l {
            break; // more SG pods bound than slots: unreachable from here on
        }
        // Pods of each kind left before the last arrival, into (a, b, h).
        let sg_left = (ns + 1 - a) as f64;
        for h in 0..=hmax {
            let used = sg_bound + h;
            if used > l {
                break;
            }
            // The last reachable b: the slots are used up there, or b = ip.
            let bend = (l - used).min(bmax);
            let host_left = (nh + 1 - h) as f64;
            let row = h * width;
            let mut left = 0.0; // the value at (a, b - 1, h)
            for b in 0..=bend {
                let n = a + b + h;
                let v = if n == 0 {
                    1.0
                } else {
                    let up = if h > 0 { layer[row - width + b] } else { 0.0 };
                    let r = inv[total + 1 - n];
                    // The SG and host terms do not depend on b - 1: only the
                    // IP term lies on the loop's dependency chain.
                    let from_sg_host = (layer[row + b] * sg_left + up * host_left) * r;
                    from_sg_host + left * ((ni + 1 - b) as f64 * r)
                };
                layer[row + b] = v;
                left = v;
            }
            if used + bend == l {
                // Every slot used: the path stops here.
                ends.add(layer[row + bend], a, bend, h);
                layer[row + bend] = 0.0;
            } else if a == ns && h == nh && bend == ni {
                // Every pod arrived with slots to spare.
                ends.add(layer[row + bend], a, bend, h);
            }
        }
    }
    let first_failure_min = (bmax > c).then_some(w.ips + 1);
    let [rs, ri, rh] = ends.running;
    let [ps, pi, ph] = ends.pending;
    Some(OneNodeDist {
        failed: ends.failed,
        wasted_ips: ends.wasted,
        stranded_slots: ends.stranded,
        running: PerKind {
            sg: rs,
            ip: ri,
            host: rh,
        },
        pending: PerKind {
            sg: ps,
            ip: pi,
            host: ph,
        },
        first_failure_min,
    })
}

/// A binomial term this far below the mode's weighs nothing in any figure
/// the tool reports (risks are reported down to [`RISK_FLOOR`]): the walk
/// from the mode stops there, a few standard deviations out, instead of at
/// the ends of a long support.
const NEGLIGIBLE: f64 = 1e-40;

/// The smallest risk told apart from "positive but negligible": a computed
/// risk below it is reported as the smallest positive `f64` (never 0, so a
/// budget of 0 is never met by rounding). Far below any planning budget.
pub const RISK_FLOOR: f64 = 1e-25;

/// Visits the binomial weights of `x = 0..=n` with success probability `p`,
/// relative to the mode (weight 1), and returns their sum: the caller
/// divides by it. Walking out from the mode by the ratio of neighbouring
/// terms needs no factorials and cannot overflow; terms below [`NEGLIGIBLE`]
/// beside the mode are left out.
#[inline]
fn binomial_weights(n: u32, p: f64, mut visit: impl FnMut(u32, f64)) -> f64 {
    if p <= 0.0 {
        visit(0, 1.0);
        return 1.0;
    }
    if p >= 1.0 {
        visit(n, 1.0);
        return 1.0;
    }
    let q = 1.0 - p;
    let (odds, inv_odds) = (p / q, q / p);
    let mode = (((f64::from(n) + 1.0) * p).floor() as u32).min(n);
    visit(mode, 1.0);
    let mut sum = 1.0;
    let mut w = 1.0;
    for x in mode..n {
        // P(x + 1) / P(x) = (n - x) / (x + 1) * p / q
        w *= f64::from(n - x) * odds / f64::from(x + 1);
        if w < NEGLIGIBLE {
            break; // the terms only shrink away from the mode
        }
        visit(x + 1, w);
        sum += w;
    }
    w = 1.0;
    for x in (1..=mode).rev() {
        // P(x - 1) / P(x) = x / (n - x + 1) * q / p
        w *= f64::from(x) * inv_odds / f64::from(n - x + 1);
        if w < NEGLIGIBLE {
            break;
        }
        visit(x - 1, w);
        sum += w;
    }
    sum
}

/// A risk measure of §11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Risk {
    /// `P(F > 0)`: the node ends with a pod that can never start.
    AnyFailure,
    /// `E[F] / L`: the expected share of pods that get no IP.
    FailureShare,
}

/// A node of the node-in-a-cluster model (MODEL.md §11) at one `L`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterNode {
    /// `P(F > 0)`.
    pub any_failure: f64,
    /// `E[F] / L` (0 when `L = 0`).
    pub failure_share: f64,
    /// `E[F]`, pods without an IP.
    pub failed: f64,
    /// `E[G]`, SG pods bound.
    pub sg_bound: f64,
    /// `E[max(0, C - (L - G))]`, IPs no pod uses.
    pub wasted_ips: f64,
    /// `E[B - G]`, branch ENIs no pod uses.
    pub stranded_branches: f64,
}

/// Whether the risk at `L` is exactly 0: every bound pod gets an IP. With
/// `p < 1` an order of IP pods only has positive probability, so that needs
/// `L <= C`; with `p = 1` the node binds `min(B, L)` SG pods first.
fn riskless(slots: u32, ips: u32, branches: u32, p: f64) -> bool {
    let room = if p >= 1.0 {
        u64::from(ips) + u64::from(branches)
    } else {
        u64::from(ips)
    };
    u64::from(slots) <= room
}

/// The node-in-a-cluster model at `L = slots`, `C = ips`, `B = branches` and
/// SG share `p` (in `[0, 1]`; clamped): `X ~ Binomial(L, p)`,
/// `G = min(B, X)`, `F = max(0, L - G - C)`. One pass over the binomial terms.
pub fn cluster_node(slots: u32, ips: u32, branches: u32, p: f64) -> ClusterNode {
    debug_assert!((0.0..=1.0).contains(&p), "SG share {p} outside [0, 1]");
    let p = p.clamp(0.0, 1.0);
    let (l, c, b) = (i64::from(slots), i64::from(ips), i64::from(branches));
    let (mut any, mut failed, mut sg, mut wasted) = (0.0, 0.0, 0.0, 0.0);
    let sum = binomial_weights(slots, p, |x, w| {
        let g = b.min(i64::from(x));
        let f = (l - g - c).max(0);
        any += if f > 0 { w } else { 0.0 };
        failed += w * f as f64;
        sg += w * g as f64;
        wasted += w * (c - (l - g)).max(0) as f64;
    });
    // Rounding may carry a ratio of sums an ulp past 1.
    let mut out = ClusterNode {
        any_failure: (any / sum).min(1.0),
        failure_share: if slots == 0 {
            0.0
        } else {
            (failed / sum / f64::from(slots)).min(1.0)
        },
        failed: failed / sum,
        sg_bound: sg / sum,
        wasted_ips: wasted / sum,
        stranded_branches: f64::from(branches) - sg / sum,
    };
    if !riskless(slots, ips, branches, p) {
        out.any_failure = floored(out.any_failure);
        out.failure_share = floored(out.failure_share);
    }
    out
}

/// The smallest positive `f64`: stands for a risk that is positive but too
/// small to represent, so that a budget of 0 is never met by underflow.
const TINY: f64 = f64::from_bits(1);

/// A positive risk as reported: below [`RISK_FLOOR`] it is [`TINY`].
fn floored(r: f64) -> f64 {
    if r < RISK_FLOOR { TINY } else { r }
}

/// One risk measure of [`cluster_node`], with short cuts: 0 when no bound
/// pod can lack an IP, and `any_failure = 1` when even `B` SG pods leave more
/// pods than IPs.
pub fn cluster_risk(slots: u32, ips: u32, branches: u32, p: f64, risk: Risk) -> f64 {
    debug_assert!((0.0..=1.0).contains(&p), "SG share {p} outside [0, 1]");
    let p = p.clamp(0.0, 1.0);
    if riskless(slots, ips, branches, p) {
        return 0.0;
    }
    // From here on L > C: `d` pods beyond the IPs unless SG pods take slots.
    let d = slots - ips;
    let value = match risk {
        Risk::AnyFailure => {
            if d > branches {
                return 1.0;
            }
            // F > 0 iff X < d (here d <= B, so G < d iff X < d).
            let mut below = 0.0;
            let sum = binomial_weights(slots, p, |x, w| below += if x < d { w } else { 0.0 });
            below / sum
        }
        Risk::FailureShare => {
            let mut failed = 0.0;
            let sum = binomial_weights(slots, p, |x, w| {
                failed += w * f64::from(d.saturating_sub(branches.min(x)));
            });
            failed / sum / f64::from(slots)
        }
    };
    // Positive, as the risk is; at most 1 despite rounding.
    floored(value.min(1.0))
}

/// CPU and memory in the node-in-a-cluster model: what a node leaves its
/// workload (allocatable less the system pods' requests) and what one SG
/// pod and one IP pod request (the filter's figures, MODEL.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeRoom {
    pub free: Res,
    pub sg: Res,
    pub ip: Res,
}

impl NodeRoom {
    /// The room of a node of these resources (workload classes sg, ip)
    /// and system pods: allocatable less the system pods' requests.
    pub fn of(res: &Resources, system: &SystemPods) -> NodeRoom {
        NodeRoom {
            free: res.allocatable.saturating_sub(res.system(system)),
            sg: res.requested(0),
            ip: res.requested(1),
        }
    }

    /// Whether `g` SG pods and `i` IP pods fit.
    fn fits(&self, g: u32, i: u32) -> bool {
        Res::ZERO
            .plus_times(self.sg, g)
            .plus_times(self.ip, i)
            .within(&self.free)
    }
}

/// The node-in-a-cluster model of MODEL.md §11 where pods also request CPU
/// or memory (§5's filter): a node takes pods from the stream, each an SG
/// pod with probability `p`; a pod binds while a slot is free, for an SG
/// pod a branch ENI too, and its requests fit what the node has left; a pod
/// that does not bind passes the node by. The node is done when its `L`
/// slots are used or no pod of either kind could bind (at `p = 1` IP pods
/// still come once no SG pod fits, the limit of `p < 1`, as
/// [`cluster_node`] has it).
///
/// The figures for every `L` from 0 to `max_slots`, in one pass: the
/// process without the slot limit moves one bound pod at a time, so the
/// node with `L` slots ends where that process first has `L` pods bound, or
/// earlier where it stops for want of CPU, memory or branches. States are
/// the pods bound of each kind, `(G, I)`; `F = max(0, I - C)`. The
/// failure share is `E[F]` over the expected pods bound (where CPU stops a
/// node, SG pods that still fit can dilute it, so unlike `P(F > 0)` it may
/// fall as `L` grows); wasted IPs `E[max(0, C - I)]`. Without requests this
/// is [`cluster_node`] at each `L`.
pub fn cluster_nodes_with_room(max_slots: u32, ips: u32, branches: u32, p: f64, room: &NodeRoom) -> Vec<RoomNode> {
    debug_assert!((0.0..=1.0).contains(&p), "SG share {p} outside [0, 1]");
    let p = p.clamp(0.0, 1.0);
    let b = branches as usize;
    let c = i64::from(ips);
    // Sums over the nodes that stopped before the current level.
    #[derive(Clone, Copy, Default)]
    struct Acc {
        mass: f64,
        any: f64,
        failed: f64,
        sg: f64,
        pods: f64,
        wasted: f64,
    }
    impl Acc {
        fn add(&mut self, g: usize, i: i64, c: i64, w: f64) {
            let f = (i - c).max(0);
            self.mass += w;
            self.any += if f > 0 { w } else { 0.0 };
            self.failed += w * f as f64;
            self.sg += w * g as f64;
            self.pods += w * (g as i64 + i) as f64;
            self.wasted += w * (c - i).max(0) as f64;
        }
    }
    let mut stopped = Acc::default();
    let mut cur = vec![0.0f64; b + 2];
    let mut next = vec![0.0f64; b + 2];
    cur[0] = 1.0;
    let mut out = Vec::with_capacity(max_slots as usize + 1);
    for n in 0..=max_slots {
        // A node of L = n slots: the stopped ones, and every state at level n.
        let top = b.min(n as usize);
        let mut at = stopped;
        for (g, &w) in cur.iter().enumerate().take(top + 1) {
            if w > 0.0 {
                at.add(g, i64::from(n) - g as i64, c, w);
            }
        }
        let m = at.mass.max(f64::MIN_POSITIVE);
        let pods = at.pods / m;
        let mut node = RoomNode {
            slots: n,
            pods,
            node: ClusterNode {
                any_failure: (at.any / m).min(1.0),
                failure_share: if pods > 0.0 {
                    (at.failed / m / pods).min(1.0)
                } else {
                    0.0
                },
                failed: at.failed / m,
                sg_bound: at.sg / m,
                wasted_ips: at.wasted / m,
                stranded_branches: f64::from(branches) - at.sg / m,
            },
        };
        if at.any > 0.0 {
            node.node.any_failure = floored(node.node.any_failure);
            node.node.failure_share = floored(node.node.failure_share);
        }
        out.push(node);
        if n == max_slots {
            break;
        }
        // One more pod bound, or the node stops.
        next.iter_mut().for_each(|x| *x = 0.0);
        for g in 0..=top {
            let w = cur[g];
            if w == 0.0 {
                continue;
            }
            let i = n - g as u32;
            let sg = g < b && room.fits(g as u32 + 1, i);
            let ip = room.fits(g as u32, i + 1);
            // As in `cluster_node`, `p = 1` is the limit of `p < 1`: once no
            // SG pod fits, the node takes IP pods (MODEL.md §11's check,
            // `aggressive` at `p = 1`); at `p = 0` no SG pod comes.
            match (sg && p > 0.0, ip) {
                (true, true) => {
                    next[g + 1] += w * p;
                    next[g] += w * (1.0 - p);
                }
                (true, false) => next[g + 1] += w,
                (false, true) => next[g] += w,
                (false, false) => stopped.add(g, i64::from(i), c, w),
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    out
}

/// The most workload pods a node takes before its CPU, memory or branch
/// ENIs stop it, whatever the order ([`cluster_nodes_with_room`]'s stream at
/// SG share `p`, without the slot limit): the largest `G + I` that fits
/// `room` with `G <= branches`; `None` where nothing stops it (IP pods that
/// request nothing). For `0 < p < 1` every fitting `(G, I)` is reached by
/// some order, and the largest is where the node stops; at `p = 0` no SG
/// pod comes; at `p = 1` SG pods bind while they fit, then IP pods. From
/// `L` = this on, a larger `L` changes nothing. Counted, not summed from
/// the levels' expectations, where an order of probability `1e-40` would
/// vanish. One step per SG count up to `branches`.
pub fn room_limit(room: &NodeRoom, branches: u32, p: f64) -> Option<u32> {
    // The most SG pods that fit alone, within the branch ENIs.
    let sg_alone = room
        .free
        .fits_times(room.sg)
        .map_or(branches, |n| n.min(u64::from(branches)) as u32);
    let gs = if p <= 0.0 {
        0..=0
    } else if p >= 1.0 {
        sg_alone..=sg_alone
    } else {
        0..=sg_alone
    };
    let mut most = None;
    for g in gs {
        let used = Res::ZERO.plus_times(room.sg, g);
        // The most IP pods beside `g` SG pods (which fit alone, g <= sg_alone).
        let Some(i) = room.free.saturating_sub(used).fits_times(room.ip) else {
            return None; // IP pods ask for nothing: nothing stops the node
        };
        let i = i.min(u64::from(u32::MAX)) as u32;
        most = most.max(Some(g.saturating_add(i)));
    }
    most
}

/// One `L` of [`cluster_nodes_with_room`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoomNode {
    /// `L`, workload slots.
    pub slots: u32,
    /// `E[G + I]`, the pods a node binds (below `L` where CPU, memory or
    /// branch ENIs stop it first).
    pub pods: f64,
    pub node: ClusterNode,
}

/// A node type's capacities as the planner sees them (MODEL.md §3, §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeCapacity {
    /// `S`, system pods on host networking.
    pub host_system_pods: u32,
    /// `S_ip`, system pods that take an IP.
    pub ip_system_pods: u32,
    /// Pod IPs of §3; the workload gets `C = ip_capacity - S_ip` (0 if negative).
    pub ip_capacity: u32,
    /// `B`, branch ENIs (0 without a trunk).
    pub branches: u32,
}

/// A recommended `M` and what it risks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recommendation {
    /// `M`, the kubelet's maxPods.
    pub max_pods: u32,
    /// `L = M - S - S_ip`, workload slots.
    pub slots: u32,
    /// The risk at `M`, `<= budget`.
    pub risk: f64,
}

/// The largest `M` in `[S + S_ip + 1, cap]` whose risk is at most `budget`
/// (MODEL.md §11), or `None` when even the smallest exceeds it (or the range
/// is empty). The risk never decreases as `M` grows, so a binary search
/// finds it, between `L = C` (risk 0) and, for `any_failure` below 1,
/// `L = B + C + 1` (risk 1): a few `O(L)` passes.
pub fn recommend(node: &NodeCapacity, p: f64, risk: Risk, budget: f64, cap: u32) -> Option<Recommendation> {
    if budget.is_nan() || budget < 0.0 || p.is_nan() {
        return None; // no M meets a negative budget
    }
    let base = node.host_system_pods.checked_add(node.ip_system_pods)?;
    let l_max = cap.checked_sub(base).filter(|&l| l > 0)?;
    let c = node.ip_capacity.saturating_sub(node.ip_system_pods);
    let b = node.branches;
    let risk_at = |l: u32| cluster_risk(l, c, b, p, risk);
    // lo meets the budget, hi does not (or lies past the cap).
    let mut lo = c.min(l_max);
    let mut lo_risk = 0.0;
    if lo == 0 {
        lo = 1;
        lo_risk = risk_at(1);
        if lo_risk > budget {
            return None;
        }
    }
    let mut hi = l_max + 1;
    if risk == Risk::AnyFailure && budget < 1.0 {
        hi = hi.min(c.saturating_add(b).saturating_add(1));
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let r = risk_at(mid);
        if r <= budget {
            (lo, lo_risk) = (mid, r);
        } else {
            hi = mid;
        }
    }
    Some(Recommendation {
        max_pods: base + lo,
        slots: lo,
        risk: lo_risk,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum K {
        Sg,
        Ip,
        Host,
    }

    /// The rules of MODEL.md §5 on one node, pod by pod, as the engine's
    /// one-node replay applies them: (ip-failed, first failure, slots, ips,
    /// branches, running, pending).
    struct Replay {
        failed: usize,
        first: Option<usize>,
        slots: usize,
        ips: usize,
        branches: usize,
        running: [usize; 3],
        pending: [usize; 3],
    }

    fn replay(w: &OneNode, order: &[K]) -> Replay {
        let (l, c, br) = (w.slots as usize, w.ips as usize, w.branches as usize);
        let mut r = Replay {
            failed: 0,
            first: None,
            slots: 0,
            ips: 0,
            branches: 0,
            running: [0; 3],
            pending: [0; 3],
        };
        for (i, &k) in order.iter().enumerate() {
            let idx = k as usize;
            if r.slots == l {
                r.pending[idx] += 1;
                continue;
            }
            match k {
                K::Sg if r.branches < br => {
                    r.slots += 1;
                    r.branches += 1;
                    r.running[idx] += 1;
                }
                K::Sg => r.pending[idx] += 1,
                K::Ip => {
                    r.slots += 1;
                    if r.ips < c {
                        r.ips += 1;
                        r.running[idx] += 1;
                    } else {
                        r.failed += 1;
                        r.first.get_or_insert(i + 1);
                    }
                }
                K::Host => {
                    r.slots += 1;
                    r.running[idx] += 1;
                }
            }
        }
        r
    }

    /// Every distinct arrangement of the workload, each once (all equally
    /// likely under a uniform permutation of the pods).
    fn arrangements(left: [u32; 3], prefix: &mut Vec<K>, out: &mut dyn FnMut(&[K])) {
        if left == [0; 3] {
            out(prefix);
            return;
        }
        for (k, kind) in [K::Sg, K::Ip, K::Host].into_iter().enumerate() {
            if left[k] > 0 {
                let mut next = left;
                next[k] -= 1;
                prefix.push(kind);
                arrangements(next, prefix, out);
                prefix.pop();
            }
        }
    }

    /// The distribution by enumeration, plus the observed first failures.
    fn brute_force(w: &OneNode) -> (OneNodeDist, Option<usize>) {
        let mut n = 0u64;
        let mut failed = vec![0u64; 64];
        let (mut wasted, mut stranded) = (0u64, 0u64);
        let (mut running, mut pending) = ([0u64; 3], [0u64; 3]);
        let mut first_min: Option<usize> = None;
        let (l, c, br) = (w.slots as usize, w.ips as usize, w.branches as usize);
        arrangements([w.sg, w.ip, w.host], &mut Vec::new(), &mut |order| {
            let r = replay(w, order);
            n += 1;
            failed[r.failed] += 1;
            if r.slots == l {
                wasted += (c - r.ips) as u64;
            }
            if r.ips >= c && r.branches >= br {
                stranded += (l - r.slots) as u64;
            }
            for k in 0..3 {
                running[k] += r.running[k] as u64;
                pending[k] += r.pending[k] as u64;
            }
            if let Some(f) = r.first {
                first_min = Some(first_min.map_or(f, |m| m.min(f)));
            }
        });
        let nf = n as f64;
        let last = failed.iter().rposition(|&x| x > 0).unwrap();
        let per = |v: [u64; 3]| PerKind {
            sg: v[0] as f64 / nf,
            ip: v[1] as f64 / nf,
            host: v[2] as f64 / nf,
        };
        let dist = OneNodeDist {
            failed: failed[..=last].iter().map(|&x| x as f64 / nf).collect(),
            wasted_ips: wasted as f64 / nf,
            stranded_slots: stranded as f64 / nf,
            running: per(running),
            pending: per(pending),
            first_failure_min: first_min.map(|f| f as u32),
        };
        (dist, first_min)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    fn assert_same(got: &OneNodeDist, want: &OneNodeDist) {
        // The exact pmf may carry trailing zeros the enumeration trims, or
        // the other way round: compare up to the longer one.
        let len = got.failed.len().max(want.failed.len());
        for f in 0..len {
            let (g, w) = (
                got.failed.get(f).copied().unwrap_or(0.0),
                want.failed.get(f).copied().unwrap_or(0.0),
            );
            assert!(close(g, w), "P(F = {f}): {g} vs {w}\n{got:?}\n{want:?}");
        }
        for (name, g, w) in [
            ("wasted", got.wasted_ips, want.wasted_ips),
            ("stranded", got.stranded_slots, want.stranded_slots),
            ("sg running", got.running.sg, want.running.sg),
            ("ip running", got.running.ip, want.running.ip),
            ("host running", got.running.host, want.running.host),
            ("sg pending", got.pending.sg, want.pending.sg),
            ("ip pending", got.pending.ip, want.pending.ip),
            ("host pending", got.pending.host, want.pending.host),
        ] {
            assert!(close(g, w), "{name}: {g} vs {w}\n{got:?}\n{want:?}");
        }
        assert_eq!(got.first_failure_min, want.first_failure_min);
    }

    fn node(slots: u32, ips: u32, branches: u32, sg: u32, ip: u32, host: u32) -> OneNode {
        OneNode {
            slots,
            ips,
            branches,
            sg,
            ip,
            host,
        }
    }

    #[test]
    fn one_node_by_hand_failures() {
        // L = 3, C = 1, B = 1, one SG and three IP pods: 4 orders, 1/4 each.
        //   SIII: S binds, I gets the IP, I fails (3rd slot): F = 1, one I pending
        //   ISII: I, S, I fails:                            F = 1, one I pending
        //   IISI: I, I fails, S binds:                      F = 1, one I pending
        //   IIIS: I, I fails, I fails:                      F = 2, S pending
        // P(F = 1) = 3/4, P(F = 2) = 1/4, E[F] = 5/4; every slot used and the
        // one IP taken: no waste, nothing stranded. First failure: pod 2.
        let d = one_node(&node(3, 1, 1, 1, 3, 0)).unwrap();
        assert_eq!(d.failed.len(), 3);
        assert!(close(d.failed[0], 0.0) && close(d.failed[1], 0.75) && close(d.failed[2], 0.25));
        assert!(close(d.mean_failed(), 1.25));
        assert!(close(d.any_failure(), 1.0));
        assert_eq!(d.max_failed(), 2);
        assert_eq!(d.first_failure_min, Some(2));
        assert!(close(d.wasted_ips, 0.0) && close(d.stranded_slots, 0.0));
        assert!(close(d.running.sg, 0.75) && close(d.pending.sg, 0.25));
        assert!(close(d.running.ip, 1.0) && close(d.pending.ip, 0.75));
        // Nearest rank: F = 0 never happens, so q = 0 gives 1; the CDF is
        // 3/4 at 1 and 1 at 2.
        assert_eq!(d.percentile_failed(0.0), 1);
        assert_eq!(d.percentile_failed(0.5), 1);
        assert_eq!(d.percentile_failed(0.75), 1);
        assert_eq!(d.percentile_failed(0.76), 2);
        assert_eq!(d.percentile_failed(1.0), 2);
    }

    #[test]
    fn one_node_by_hand_waste_and_stranding() {
        // L = 2, C = 3, B = 1, one SG and two IP pods: SII and ISI bind S and
        // one I (2 IPs unused), IIS binds both I (1 unused), S pending.
        // E[wasted] = (2 + 2 + 1) / 3 = 5/3, no failure.
        let d = one_node(&node(2, 3, 1, 1, 2, 0)).unwrap();
        assert_eq!(d.failed, vec![1.0]);
        assert!(close(d.wasted_ips, 5.0 / 3.0));
        assert!(close(d.running.sg, 2.0 / 3.0) && close(d.pending.ip, 2.0 / 3.0));
        assert_eq!(d.first_failure_min, None);
        assert_eq!(d.percentile_failed(0.99), 0);
        // L = 3, C = 1, B = 1, two SG and one IP pod: in every order one S
        // and the I bind, the other S is pending; IPs and branches are used
        // up with a slot free: 1 stranded slot, no waste (slots not full).
        let d = one_node(&node(3, 1, 1, 2, 1, 0)).unwrap();
        assert!(close(d.stranded_slots, 1.0) && close(d.wasted_ips, 0.0));
        assert!(close(d.pending.sg, 1.0) && close(d.running.ip, 1.0));
        // L = 2, C = 0, B = 1, one pod of each kind: 6 orders; F = 1 in SIH,
        // ISH, IHS, HIS (the I pod arrives before the slots run out): 2/3.
        let d = one_node(&node(2, 0, 1, 1, 1, 1)).unwrap();
        assert!(close(d.any_failure(), 2.0 / 3.0));
        assert!(close(d.running.host, 4.0 / 6.0) && close(d.running.sg, 4.0 / 6.0));
        assert_eq!(d.first_failure_min, Some(1));
        // No slots: everything pending, every IP wasted.
        let d = one_node(&node(0, 4, 2, 3, 3, 1)).unwrap();
        assert_eq!(d.failed, vec![1.0]);
        assert!(close(d.wasted_ips, 4.0) && close(d.pending.ip, 3.0) && close(d.pending.host, 1.0));
    }

    #[test]
    fn one_node_fixed_orders_bound_the_seed_figures() {
        // m5.xlarge, aws-default, the seed's fill (MODEL.md §10): M = 58,
        // S = 3, L = 55, 42 IPs, B = 18 SG and 55 IP pods. ip-first fails at
        // IP pod 43; sg-first leaves 5 IPs unused, the most waste possible
        // (at least 55 - 18 = 37 IP pods bind).
        let d = one_node(&node(55, 42, 18, 18, 55, 0)).unwrap();
        assert_eq!(d.first_failure_min, Some(43));
        assert_eq!(d.max_failed(), 13);
        assert!(d.wasted_ips > 0.1 && d.wasted_ips < 5.0, "{}", d.wasted_ips);
        let total: f64 = d.failed.iter().sum();
        assert!(close(total, 1.0), "mass {total}");
        // Slots: every order fills the node (73 pods for 55 slots, and 55 IP
        // pods alone fill it), so running + failed = 55 bound pods.
        assert!(close(d.running.sg + d.running.ip + d.mean_failed(), 55.0));
    }

    #[test]
    fn one_node_refuses_past_the_budget() {
        assert!(one_node(&node(250, 100, 50, 400, 300, 300)).is_none());
        assert!(one_node(&node(250, 100, 50, 400, 300, 0)).is_some());
    }

    /// The end-state probabilities in closed form, an oracle for sizes the
    /// enumeration cannot reach: a prefix with counts (a, b, h) has
    /// multivariate hypergeometric probability, and the path ends there when
    /// its slots are used up and its last pod was a binding one (probability
    /// (b + h + a [a <= B]) / n given the prefix), or when it is the whole
    /// workload.
    fn closed_form_failed(w: &OneNode) -> Vec<f64> {
        let (l, c, br) = (w.slots as usize, w.ips as usize, w.branches as usize);
        let (ns, ni, nh) = (w.sg as usize, w.ip as usize, w.host as usize);
        let n_all = ns + ni + nh;
        let mut lf = vec![0.0f64; n_all + 2];
        for i in 1..lf.len() {
            lf[i] = lf[i - 1] + (i as f64).ln();
        }
        let ln_choose = |n: usize, k: usize| lf[n] - lf[k] - lf[n - k];
        let mut failed = vec![0.0; ni.min(l).saturating_sub(c) + 1];
        for a in 0..=ns {
            for b in 0..=ni {
                for h in 0..=nh {
                    let used = a.min(br) + b + h;
                    let n = a + b + h;
                    let prefix = (ln_choose(ns, a) + ln_choose(ni, b) + ln_choose(nh, h) - ln_choose(n_all, n)).exp();
                    let p = if used == l && n > 0 {
                        prefix * (b + h + if a <= br { a } else { 0 }) as f64 / n as f64
                    } else if used == l || (n == n_all && used < l) {
                        prefix // L = 0 at the start, or every pod arrived
                    } else {
                        0.0
                    };
                    if p > 0.0 {
                        failed[b.saturating_sub(c)] += p;
                    }
                }
            }
        }
        failed
    }

    #[test]
    fn one_node_matches_the_closed_form_at_size() {
        for w in [
            node(55, 42, 18, 18, 55, 0),
            node(40, 20, 9, 30, 40, 6),
            node(30, 25, 40, 12, 35, 20),
            node(120, 60, 50, 90, 110, 0),
        ] {
            let got = one_node(&w).unwrap();
            let want = closed_form_failed(&w);
            assert_eq!(got.failed.len(), want.len());
            for (f, (g, x)) in got.failed.iter().zip(&want).enumerate() {
                assert!((g - x).abs() < 1e-10, "{w:?} P(F = {f}): {g} vs {x}");
            }
        }
    }

    #[test]
    fn one_node_agrees_with_monte_carlo() {
        // Orders drawn as the project draws them (forward Fisher–Yates over
        // the kinds left); the mean of F within 4 standard errors.
        let w = node(40, 25, 9, 20, 30, 4);
        let d = one_node(&w).unwrap();
        let mean = d.mean_failed();
        let var: f64 = d
            .failed
            .iter()
            .enumerate()
            .map(|(f, p)| p * (f as f64 - mean).powi(2))
            .sum();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let trials = 20_000;
        let mut sum = 0usize;
        let mut order = Vec::new();
        for _ in 0..trials {
            order.clear();
            let mut left = [w.sg, w.ip, w.host];
            while left.iter().sum::<u32>() > 0 {
                let r = rng.random_range(0..left.iter().sum::<u32>());
                let k = if r < left[0] {
                    0
                } else if r < left[0] + left[1] {
                    1
                } else {
                    2
                };
                left[k] -= 1;
                order.push([K::Sg, K::Ip, K::Host][k]);
            }
            sum += replay(&w, &order).failed;
        }
        let est = sum as f64 / f64::from(trials);
        let se = (var / f64::from(trials)).sqrt();
        assert!(var > 0.1, "a case with spread: var {var}");
        assert!((est - mean).abs() <= 4.0 * se, "MC {est} vs exact {mean} (se {se})");
    }

    /// The most pods a node's room holds, counted: SG pods of 365 MiB and IP
    /// pods of 1 GiB in 29,230 MiB with 38 branch ENIs. At an SG share of
    /// 0.077, 38 SG pods and then 15 IP pods is an order of probability
    /// about 1e-42, lost in a sum of expectations, yet it happens: 53. With
    /// the sizes swapped, SG pods crowd IP pods out, so at `p = 1` (SG pods
    /// while they fit) a node holds fewer than at `p < 1`.
    #[test]
    fn room_limit_counts_every_reachable_node() {
        let mib = crate::model::requests::MIB;
        let room = |sg: u64, ip: u64| NodeRoom {
            free: Res {
                cpu: 1_000_000,
                memory: 29_230 * mib,
            },
            sg: Res {
                cpu: 10,
                memory: sg * mib,
            },
            ip: Res {
                cpu: 10,
                memory: ip * mib,
            },
        };
        let light_sg = room(365, 1024);
        assert_eq!(room_limit(&light_sg, 38, 0.077), Some(53));
        assert_eq!(room_limit(&light_sg, 38, 1.0), Some(53));
        assert_eq!(room_limit(&light_sg, 38, 0.0), Some(28), "IP pods alone");
        assert_eq!(room_limit(&light_sg, 0, 0.5), Some(28), "no branch ENI");
        let heavy_sg = room(1024, 365);
        assert_eq!(room_limit(&heavy_sg, 38, 0.5), Some(80), "IP pods alone hold the most");
        // p = 1: 28 SG pods (29,230 / 1,024), then one IP pod in the 558 MiB left.
        assert_eq!(room_limit(&heavy_sg, 38, 1.0), Some(29));
        // IP pods far smaller than the node: counted without overflow.
        let tiny_ip = NodeRoom {
            free: Res {
                cpu: u64::MAX / 2,
                memory: u64::MAX / 2,
            },
            ip: Res { cpu: 1, memory: 1 },
            ..light_sg
        };
        assert_eq!(room_limit(&tiny_ip, 38, 0.5), Some(u32::MAX));
        // IP pods that request nothing: nothing stops the node.
        let free_ip = NodeRoom {
            ip: Res::ZERO,
            ..light_sg
        };
        assert_eq!(room_limit(&free_ip, 38, 0.5), None);
        // SG pods that do not fit at all.
        let huge_sg = room(40_000, 1024);
        assert_eq!(room_limit(&huge_sg, 38, 0.5), Some(28));
        assert_eq!(room_limit(&huge_sg, 38, 1.0), Some(28));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn one_node_matches_enumeration(
            slots in 0u32..10, ips in 0u32..7, branches in 0u32..5,
            sg in 0u32..5, ip in 0u32..6, host in 0u32..4,
        ) {
            let w = node(slots, ips, branches, sg, ip, host);
            let got = one_node(&w).unwrap();
            let (want, first) = brute_force(&w);
            assert_same(&got, &want);
            let mass: f64 = got.failed.iter().sum();
            prop_assert!(close(mass, 1.0));
            // The largest F of the pmf is reached by some order.
            prop_assert!(got.failed[got.failed.len() - 1] > 0.0 || got.failed.len() == 1);
            prop_assert_eq!(first.map(|f| f as u32), got.first_failure_min);
        }
    }

    /// §11 by the definition, with binomial coefficients as products.
    fn naive_cluster(l: u32, c: u32, b: u32, p: f64) -> ClusterNode {
        let (mut any, mut failed, mut sg, mut wasted) = (0.0, 0.0, 0.0, 0.0);
        let mut choose = 1.0f64;
        for x in 0..=l {
            if x > 0 {
                choose = choose * f64::from(l - x + 1) / f64::from(x);
            }
            let pr = choose * p.powi(x as i32) * (1.0 - p).powi((l - x) as i32);
            let g = b.min(x) as i64;
            let f = (l as i64 - g - c as i64).max(0);
            if f > 0 {
                any += pr;
            }
            failed += pr * f as f64;
            sg += pr * g as f64;
            wasted += pr * (c as i64 - (l as i64 - g)).max(0) as f64;
        }
        ClusterNode {
            any_failure: any,
            failure_share: if l == 0 { 0.0 } else { failed / f64::from(l) },
            failed,
            sg_bound: sg,
            wasted_ips: wasted,
            stranded_branches: f64::from(b) - sg,
        }
    }

    fn assert_cluster(got: ClusterNode, want: ClusterNode) {
        for (name, g, w) in [
            ("any", got.any_failure, want.any_failure),
            ("share", got.failure_share, want.failure_share),
            ("failed", got.failed, want.failed),
            ("sg", got.sg_bound, want.sg_bound),
            ("wasted", got.wasted_ips, want.wasted_ips),
            ("stranded", got.stranded_branches, want.stranded_branches),
        ] {
            assert!(close(g, w), "{name}: {g} vs {w}");
        }
    }

    /// CPU and memory by hand: 1000m left, SG and IP pods of 500m, `C = 1`,
    /// `B = 5`, `p = 1/2`. One slot: one pod, never failing. From two slots
    /// on the node binds two pods and stops: (2 SG, 0 IP) 1/4, (1, 1) 1/2,
    /// (0, 2) 1/4, and only the last leaves a pod without an IP: risk 1/4,
    /// `E[F] = 1/4` over 2 pods bound, 1/4 IP unused, 4 branches unused.
    #[test]
    fn cluster_with_room_by_hand() {
        let half = Res { cpu: 500, memory: 0 };
        let room = NodeRoom {
            free: Res { cpu: 1000, memory: 0 },
            sg: half,
            ip: half,
        };
        let v = cluster_nodes_with_room(6, 1, 5, 0.5, &room);
        assert_eq!(v.len(), 7);
        assert_eq!((v[1].node.any_failure, v[1].pods), (0.0, 1.0));
        for n in &v[2..] {
            assert_eq!(n.pods, 2.0);
            assert_cluster(
                n.node,
                ClusterNode {
                    any_failure: 0.25,
                    failure_share: 0.125,
                    failed: 0.25,
                    sg_bound: 1.0,
                    wasted_ips: 0.25,
                    stranded_branches: 4.0,
                },
            );
        }
        // IP pods that ask nothing: SG pods stop at 2 by CPU, then IP pods
        // fill the slots, at p = 1 too (its limit, as by slots alone).
        let room = NodeRoom { ip: Res::ZERO, ..room };
        let v = cluster_nodes_with_room(4, 4, 5, 1.0, &room);
        assert_eq!((v[4].pods, v[4].node.sg_bound), (4.0, 2.0));
        assert_eq!(v[4].node.any_failure, 0.0, "2 IP pods, 4 IPs");
    }

    proptest! {
        /// With CPU and memory to spare, the model with room is the model
        /// by slots at every `L`.
        #[test]
        fn room_to_spare_is_the_slot_model(
            l in 0u32..60, c in 0u32..40, b in 0u32..30,
            p in prop_oneof![Just(0.0f64), Just(1.0f64), 0.0f64..=1.0],
        ) {
            let room = NodeRoom {
                free: Res { cpu: 1 << 40, memory: 1 << 40 },
                sg: Res { cpu: 1, memory: 1 },
                ip: Res { cpu: 1, memory: 0 },
            };
            let v = cluster_nodes_with_room(l, c, b, p, &room);
            for (slots, n) in v.iter().enumerate() {
                let want = cluster_node(slots as u32, c, b, p);
                prop_assert!(close(n.node.any_failure, want.any_failure), "{} {:?} {:?}", slots, n, want);
                prop_assert!(close(n.node.failure_share, want.failure_share), "{} {:?} {:?}", slots, n, want);
                prop_assert!(close(n.node.wasted_ips, want.wasted_ips));
                prop_assert!(close(n.node.stranded_branches, want.stranded_branches));
                prop_assert!((n.pods - slots as f64).abs() < 1e-9);
            }
        }

        /// The risk never decreases as `L` grows, CPU and memory or not.
        #[test]
        fn room_risk_never_decreases(
            l in 1u32..40, c in 0u32..20, b in 0u32..10, p in 0.0f64..=1.0,
            free in 1u64..20, sg in 0u64..4, ip in 0u64..4,
        ) {
            let room = NodeRoom {
                free: Res { cpu: free, memory: 0 },
                sg: Res { cpu: sg, memory: 0 },
                ip: Res { cpu: ip, memory: 0 },
            };
            let v = cluster_nodes_with_room(l, c, b, p, &room);
            for w in v.windows(2) {
                prop_assert!(w[1].node.any_failure >= w[0].node.any_failure - 1e-12, "{:?}", w);
            }
        }
    }

    #[test]
    fn cluster_by_hand() {
        // L = 2, C = 1, B = 1, p = 1/2: X = 0, 1, 2 w.p. 1/4, 1/2, 1/4;
        // G = 0 w.p. 1/4, else 1; F = 1 - G: P(F > 0) = 1/4, E[F]/L = 1/8;
        // wasted max(0, 1 - 2 + G) = 0; stranded E[1 - G] = 1/4.
        let want = ClusterNode {
            any_failure: 0.25,
            failure_share: 0.125,
            failed: 0.25,
            sg_bound: 0.75,
            wasted_ips: 0.0,
            stranded_branches: 0.25,
        };
        assert_cluster(cluster_node(2, 1, 1, 0.5), want);
        // L = 3, C = 1, B = 2, p = 1/4: X = 0..3 w.p. 27, 27, 9, 1 (/64);
        // G = 0, 1, 2 w.p. 27, 27, 10; F = 2 - G: 2, 1, 0.
        // P(F > 0) = 54/64, E[F] = (54 + 27)/64 = 81/64, share 27/64;
        // E[G] = (27 + 20)/64 = 47/64, stranded 2 - 47/64 = 81/64.
        let want = ClusterNode {
            any_failure: 54.0 / 64.0,
            failure_share: 27.0 / 64.0,
            failed: 81.0 / 64.0,
            sg_bound: 47.0 / 64.0,
            wasted_ips: 0.0,
            stranded_branches: 81.0 / 64.0,
        };
        assert_cluster(cluster_node(3, 1, 2, 0.25), want);
        // L = 2, C = 3, B = 2, p = 1/2: G = X, wasted = 3 - 2 + G, E = 2.
        assert!(close(cluster_node(2, 3, 2, 0.5).wasted_ips, 2.0));
        for (l, c, b, p) in [(2, 1, 1, 0.5), (3, 1, 2, 0.25)] {
            let n = cluster_node(l, c, b, p);
            assert!(close(cluster_risk(l, c, b, p, Risk::AnyFailure), n.any_failure));
            assert!(close(cluster_risk(l, c, b, p, Risk::FailureShare), n.failure_share));
        }
    }

    #[test]
    fn cluster_at_the_edges_of_p() {
        // p = 0: no SG pod, F = L - C. p = 1: G = min(B, L).
        assert_cluster(cluster_node(50, 42, 18, 0.0), naive_cluster(50, 42, 18, 0.0));
        assert!(close(cluster_node(50, 42, 18, 0.0).failed, 8.0));
        assert!(close(cluster_node(70, 42, 18, 1.0).failed, 10.0));
        assert!(close(cluster_node(60, 42, 18, 1.0).any_failure, 0.0));
        assert!(close(cluster_node(12, 42, 18, 1.0).stranded_branches, 6.0));
        // p close to 1 on a large node: (1 - p)^L underflows, the walk from
        // the mode does not.
        let n = cluster_node(250, 42, 107, 0.999);
        assert!(close(n.sg_bound, 107.0) && close(n.any_failure, 1.0));
        // No IP and no branch: every pod fails, a share of 1 and never more
        // (the ratio of rounded sums once came out an ulp above).
        for l in 1..200 {
            let p = 0.12625668016098981;
            for r in [
                cluster_risk(l, 0, 0, p, Risk::FailureShare),
                cluster_node(l, 0, 0, p).failure_share,
            ] {
                assert!(r <= 1.0 && close(r, 1.0), "L = {l}: {r}");
            }
        }
        // A risk far in the tail is tiny but not 0.
        let r = cluster_risk(43, 42, 18, 0.999, Risk::AnyFailure);
        assert!(r > 0.0 && r < 1e-100, "{r}");
    }

    #[test]
    fn cluster_matches_the_definition() {
        for &(l, c, b) in &[
            (1, 0, 0),
            (5, 2, 3),
            (30, 18, 9),
            (63, 42, 18),
            (83, 42, 38),
            (120, 60, 107),
        ] {
            for &p in &[0.0, 0.01, 0.2, 0.5, 0.77, 0.99, 1.0] {
                assert_cluster(cluster_node(l, c, b, p), naive_cluster(l, c, b, p));
                for risk in [Risk::AnyFailure, Risk::FailureShare] {
                    let n = naive_cluster(l, c, b, p);
                    let want = if risk == Risk::AnyFailure {
                        n.any_failure
                    } else {
                        n.failure_share
                    };
                    let got = cluster_risk(l, c, b, p, risk);
                    assert!(close(got, want), "{l} {c} {b} {p} {risk:?}: {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn cluster_agrees_with_monte_carlo() {
        // The stream of §11 pod by pod: SG with probability p; once the
        // branches are used, SG pods pass the node by.
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let trials = 40_000u32;
        for &(l, c, b, p) in &[(60u32, 42u32, 18u32, 0.3), (50, 42, 18, 0.1), (26, 18, 9, 0.35)] {
            let exact = cluster_node(l, c, b, p);
            let (mut any, mut failed, mut failed_sq) = (0u32, 0u64, 0u64);
            for _ in 0..trials {
                let (mut slots, mut branches, mut ips, mut f) = (0, 0, 0, 0u64);
                while slots < l {
                    if rng.random_bool(p) {
                        if branches < b {
                            branches += 1;
                            slots += 1;
                        }
                    } else {
                        slots += 1;
                        if ips < c {
                            ips += 1;
                        } else {
                            f += 1;
                        }
                    }
                }
                any += u32::from(f > 0);
                failed += f;
                failed_sq += f * f;
            }
            let n = f64::from(trials);
            let pa = exact.any_failure;
            assert!(pa > 0.01 && pa < 0.99, "a case with two sides: {pa}");
            let freq = f64::from(any) / n;
            let sd = (pa * (1.0 - pa) / n).sqrt();
            assert!(
                (freq - pa).abs() <= 4.0 * sd,
                "{l} {c} {b} {p}: P(F > 0) {freq} vs {pa}"
            );
            let mean = failed as f64 / n;
            let var = failed_sq as f64 / n - mean * mean;
            let se = (var / n).sqrt();
            assert!(
                (mean - exact.failed).abs() <= 4.0 * se,
                "E[F] {mean} vs {}",
                exact.failed
            );
        }
    }

    fn m5_xlarge() -> NodeCapacity {
        // S = 3 host system pods, 42 IPs with the trunk, B = 18 (MODEL.md §10).
        NodeCapacity {
            host_system_pods: 3,
            ip_system_pods: 0,
            ip_capacity: 42,
            branches: 18,
        }
    }

    #[test]
    fn recommend_gives_the_seed_formulas_at_the_checks() {
        for (name, node, conservative, aggressive) in [
            ("m5.xlarge", m5_xlarge(), 45, 63),
            (
                "m5.large",
                NodeCapacity {
                    host_system_pods: 2,
                    ip_system_pods: 0,
                    ip_capacity: 18,
                    branches: 9,
                },
                20,
                29,
            ),
            (
                "m5.2xlarge",
                NodeCapacity {
                    branches: 38,
                    ..m5_xlarge()
                },
                45,
                83,
            ),
        ] {
            for risk in [Risk::AnyFailure, Risk::FailureShare] {
                for p in [0.0, 0.1, 0.5, 0.9, 0.999] {
                    let r = recommend(&node, p, risk, 0.0, 250).unwrap();
                    assert_eq!(r.max_pods, conservative, "{name} {risk:?} p = {p}");
                    assert_eq!(r.risk, 0.0);
                }
                // p = 1: past L = B + C, F = L - B - C for sure, so any
                // failure is 1 and the share 1 - (B + C) / L, within 1/2 up to
                // L = 2 (B + C).
                let base = aggressive - node.branches - node.ip_capacity;
                for budget in [0.0, 0.5, 0.99] {
                    let r = recommend(&node, 1.0, risk, budget, 250).unwrap();
                    let want = match (risk, budget) {
                        (Risk::AnyFailure, _) | (_, 0.0) => aggressive,
                        (_, 0.5) => base + 2 * (aggressive - base),
                        _ => 250,
                    };
                    assert_eq!(r.max_pods, want, "{name} {risk:?} budget {budget}");
                }
            }
        }
        // S_ip takes IPs and slots: M = S + ip capacity still.
        let node = NodeCapacity {
            ip_system_pods: 2,
            ..m5_xlarge()
        };
        assert_eq!(recommend(&node, 0.3, Risk::AnyFailure, 0.0, 250).unwrap().max_pods, 45);
        assert_eq!(recommend(&node, 1.0, Risk::AnyFailure, 0.0, 250).unwrap().max_pods, 63);
    }

    #[test]
    fn recommend_by_hand() {
        // S = S_ip = 0, C = 1, B = 1, p = 1/2. AnyFailure: L = 1 risk 0,
        // L = 2 risk 1/4 (cluster_by_hand), L = 3: 2 pods beyond the IP and
        // one branch, risk 1.
        let node = NodeCapacity {
            host_system_pods: 0,
            ip_system_pods: 0,
            ip_capacity: 1,
            branches: 1,
        };
        let at = |risk, budget, cap| recommend(&node, 0.5, risk, budget, cap).map(|r| (r.max_pods, r.risk));
        assert_eq!(at(Risk::AnyFailure, 0.2, 250), Some((1, 0.0)));
        assert_eq!(at(Risk::AnyFailure, 0.25, 250), Some((2, 0.25)));
        assert_eq!(at(Risk::AnyFailure, 0.999, 250), Some((2, 0.25)));
        assert_eq!(at(Risk::AnyFailure, 1.0, 250), Some((250, 1.0)));
        assert_eq!(at(Risk::AnyFailure, 1.0, 1), Some((1, 0.0)));
        assert_eq!(at(Risk::AnyFailure, 1.0, 0), None);
        assert_eq!(at(Risk::AnyFailure, -0.1, 250), None);
        // FailureShare: L = 2 gives 1/8; L = 3: G = 0 w.p. 1/8, F = 2 - G,
        // E[F] = 2/8 + 7/8 = 9/8, share 3/8; L = 4: P(X = 0) = 1/16,
        // E[F] = 3/16 + 2 * 15/16 = 33/16, share 33/64.
        assert_eq!(at(Risk::FailureShare, 0.125, 250), Some((2, 0.125)));
        let (m, r) = at(Risk::FailureShare, 0.4, 250).unwrap();
        assert!(m == 3 && close(r, 0.375), "{m} {r}");
        assert!(close(cluster_risk(4, 1, 1, 0.5, Risk::FailureShare), 33.0 / 64.0));
        // No IP and no branch: the first workload pod already fails.
        let bare = NodeCapacity {
            ip_capacity: 0,
            branches: 0,
            ..node
        };
        assert_eq!(recommend(&bare, 0.5, Risk::AnyFailure, 0.5, 250), None);
        // The cap below the conservative M: the cap.
        assert_eq!(
            recommend(&m5_xlarge(), 0.2, Risk::AnyFailure, 0.0, 30)
                .unwrap()
                .max_pods,
            30
        );
    }

    /// The largest M by scanning every M, as the oracle of the search.
    fn scan(node: &NodeCapacity, p: f64, risk: Risk, budget: f64, cap: u32) -> Option<u32> {
        let base = node.host_system_pods + node.ip_system_pods;
        let c = node.ip_capacity.saturating_sub(node.ip_system_pods);
        (1..=cap.saturating_sub(base))
            .take_while(|&l| cluster_risk(l, c, node.branches, p, risk) <= budget)
            .last()
            .map(|l| base + l)
    }

    fn capacity() -> impl Strategy<Value = NodeCapacity> {
        (0u32..6, 0u32..4, 0u32..80, 0u32..60).prop_map(|(s, s_ip, ipc, b)| NodeCapacity {
            host_system_pods: s,
            ip_system_pods: s_ip,
            ip_capacity: ipc,
            branches: b,
        })
    }

    fn risk_kind() -> impl Strategy<Value = Risk> {
        prop_oneof![Just(Risk::AnyFailure), Just(Risk::FailureShare)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn risk_never_decreases_in_m(node in capacity(), p in 0.0f64..=1.0, risk in risk_kind()) {
            let c = node.ip_capacity.saturating_sub(node.ip_system_pods);
            let mut prev = 0.0;
            for l in 1..=200 {
                let r = cluster_risk(l, c, node.branches, p, risk);
                prop_assert!(r >= prev * (1.0 - 1e-12), "L = {}: {} after {}", l, r, prev);
                prop_assert!((0.0..=1.0).contains(&r));
                prev = r;
            }
        }

        #[test]
        fn recommendation_is_the_largest_and_monotone_in_the_budget(
            node in capacity(), p in 0.0f64..=1.0, risk in risk_kind(),
            b1 in 0.0f64..=1.0, b2 in 0.0f64..=1.0, cap in 0u32..260,
        ) {
            let (lo, hi) = (b1.min(b2), b1.max(b2));
            let at = |budget| recommend(&node, p, risk, budget, cap);
            let (r_lo, r_hi) = (at(lo), at(hi));
            prop_assert!(r_lo.map(|r| r.max_pods) <= r_hi.map(|r| r.max_pods), "{:?} {:?}", r_lo, r_hi);
            for (budget, r) in [(lo, r_lo), (hi, r_hi)] {
                prop_assert_eq!(r.map(|r| r.max_pods), scan(&node, p, risk, budget, cap));
                if let Some(r) = r {
                    prop_assert!(r.risk <= budget);
                    let c = node.ip_capacity.saturating_sub(node.ip_system_pods);
                    prop_assert_eq!(r.risk, cluster_risk(r.slots, c, node.branches, p, risk));
                }
            }
        }
    }
}
