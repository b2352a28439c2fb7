//! The plain-language reading of a result, computed from its rows: the
//! planner's answer first (how often the usual maxPods leaves a pod without
//! an IP, and the largest maxPods no order can break), then what else the
//! tables show. Every sentence is true of the tables: sampled figures come
//! with their interval, equal figures are named together, and nothing is
//! called better or worse.

use super::advice::{
    CAP, Cpu, DETAILED_TYPES, SafeMaxPods, baseline, contradiction, detailed_types, held_by, largest_safe,
};
use super::inputs::TimedMeasures;
use super::words::{count, distinct, join_names, pct, pct_with_interval, plural};
use crate::chart::measures::{Estimate, failure_rate, mismatch, pending, risk, wasted_ips, workload};
use crate::output::Row;

/// How a risk reads in a sentence about random orders.
fn random_risk(r: &Row) -> String {
    let e = risk(r);
    let rate = failure_rate(r);
    if e.value == 0.0 {
        return if e.is_exact() {
            "no random order leaves a pod without an IP (exact, over every order)".into()
        } else {
            format!("none of {} sampled random orders left a pod without an IP", r.trials)
        };
    }
    let how = if e.is_exact() {
        "exact, over every order".to_string()
    } else {
        format!(
            "95% interval {}–{}, {} sampled orders",
            pct(e.low),
            pct(e.high),
            r.trials
        )
    };
    // summary.csv keeps six decimals: a rate too small for them reads 0
    // beside a positive risk, and is not 0.
    let rate = if rate.value == 0.0 {
        "under 0.0001%".to_string()
    } else {
        pct(rate.value)
    };
    format!(
        "{} of random orders leave a pod without an IP ({how}; {rate} of workload pods on average)",
        pct(e.value),
    )
}

/// The fixed orders of `rows` that leave pods without an IP, with the share.
fn failing_fixed(rows: &[&Row]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.order != "random" && r.ip_failed_mean > 0.0)
        .map(|r| format!("{} ({} of workload pods)", r.order, pct(failure_rate(r).value)))
        .collect()
}

/// The workload slots of a fixed cluster (`nodes = fixed:N`): `N (M - S - S_ip)`.
fn fixed_slots(r: &Row) -> Option<u64> {
    let n: u64 = r.nodes.strip_prefix("fixed:")?.parse().ok()?;
    let per = r.max_pods.saturating_sub(r.system_pods + r.system_ip_pods);
    Some(n * u64::from(per))
}

/// Which run a sentence is said of.
#[derive(Debug, Clone, Copy)]
enum Run<'a> {
    Static,
    /// A timed run: its rows and their measures, one for one.
    Timed {
        rows: &'a [Row],
        measures: &'a [TimedMeasures],
    },
}

impl Run<'_> {
    /// A timed row's measures (`r` one of the run's rows).
    fn measures(&self, r: &Row) -> Option<&TimedMeasures> {
        let Run::Timed { rows, measures } = self else {
            return None;
        };
        rows.iter()
            .position(|x| std::ptr::eq(x, r))
            .and_then(|i| measures.get(i))
    }

    /// Whether a row left a pod without an IP: in some order or trial at
    /// the end, or in a timed run at any time (ip-failed pod-seconds).
    fn failed(&self, r: &Row) -> bool {
        risk(r).value > 0.0 || self.measures(r).is_some_and(|m| m.ip_failed_pod_seconds > 0.0)
    }

    /// Whether pods ended within a timed run's horizon.
    fn pods_end(&self) -> bool {
        matches!(self, Run::Timed { measures, .. } if measures.iter().any(|m| m.completed > 0.0))
    }
}

/// The sentence on the largest safe maxPods for a type's mix; where this
/// run's own rows contradict it, the disagreement instead.
fn safe_sentence(ty: &str, safe: Option<SafeMaxPods>, of: &[&Row], cpu: &Cpu, run: Run<'_>) -> String {
    if let Some(s) = safe
        && let Some(r) = contradiction(&s, of, |r| run.failed(r))
    {
        return contradicted_sentence(ty, &s, r, cpu, run);
    }
    match (cpu, safe) {
        (Cpu::NotRequested, _) => slot_safe_sentence(ty, safe, of),
        (Cpu::Rooms(_), _) => room_safe_sentence(ty, safe, of),
        (Cpu::Unknown, Some(_)) => format!("{}{}", slot_safe_sentence(ty, safe, of), CPU_NOTE),
        (Cpu::Unknown, None) => format!(
            "{} (counting slots and IPs alone: the pods here also request CPU or memory, which can fill a node first).",
            slot_safe_sentence(ty, safe, of).trim_end_matches('.')
        ),
    }
}

/// The node model's answer beside a row of this run that fails where it
/// says no order can.
fn contradicted_sentence(ty: &str, s: &SafeMaxPods, r: &Row, cpu: &Cpu, run: Run<'_>) -> String {
    let counting = if matches!(cpu, Cpu::Rooms(_)) {
        ", counting CPU and memory,"
    } else {
        ""
    };
    let answer = match s.held {
        Some(_) => "no maxPods can leave a pod without an IP".to_string(),
        None => format!("the largest safe maxPods is {}", s.max_pods),
    };
    let share = pct(risk(r).value);
    let how = match (run, run.measures(r)) {
        (Run::Timed { .. }, Some(m)) => format!(
            "for {} pod-seconds in all (mean over trials; {share} of trials ended with one)",
            count(m.ip_failed_pod_seconds)
        ),
        (Run::Timed { .. }, None) => format!("in {share} of trials"),
        (Run::Static, _) if r.order == "random" => format!("in {share} of random orders"),
        (Run::Static, _) => format!("in the {} order", r.order),
    };
    let why = match run {
        Run::Timed { .. } if run.pods_end() => {
            "here pods end, and an ended pod frees its slot, CPU and memory at once but its IP only after the cool-down (MODEL.md §9), so a new pod can take its place and find no IP; the node model counts pods that stay, and does not bound this run"
        }
        _ => {
            "the two disagree, and this run's rows are what the engine computed (please report it, with this results directory)"
        }
    };
    format!(
        "By MODEL.md §11's node model{counting} {answer} for this mix on {ty}, yet {} at maxPods {} left pods without an IP {how}: {why}.",
        r.formula, r.max_pods
    )
}

/// [`safe_sentence`] where CPU and memory are counted (MODEL.md §11 with
/// §5's filter): a node may fill on them first.
fn room_safe_sentence(ty: &str, safe: Option<SafeMaxPods>, of: &[&Row]) -> String {
    let Some(s) = safe else {
        return format!(
            "On {ty} even the smallest maxPods risks a pod without an IP for this mix, CPU and memory counted."
        );
    };
    if let Some(h) = s.held {
        if h.pods == 0 {
            let why = if h.branches {
                "SG pods find no branch ENI there, and IP pods do not fit its CPU and memory"
            } else {
                "none fits its CPU and memory"
            };
            return format!(
                "No workload pod fits a node of {ty}: {why} (Karpenter's allocatable less the system pods' requests, MODEL.md §5's filter); whatever the maxPods, its pods stay pending there."
            );
        }
        return format!(
            "No maxPods can leave a pod without an IP for this mix, counting CPU and memory (MODEL.md §5's filter, on Karpenter's allocatable): a node's {} hold at most {} workload pods, and no arrival order gives it more IP pods than its {} IPs (MODEL.md §11, no risk allowed); any maxPods from {} on gives the same node.",
            held_by(h),
            h.pods,
            s.ips,
            s.system + h.pods
        );
    }
    let given = given_by(s.max_pods, of);
    if s.capped {
        return format!(
            "The largest safe maxPods for this mix, at which no arrival order can leave a pod without an IP, counting CPU and memory, is {} here, the cap (the EKS guidance for large nodes; MODEL.md §11 with §5's filter, no risk allowed){given}.",
            CAP
        );
    }
    format!(
        "The largest safe maxPods for this mix, at which no arrival order can leave a pod without an IP, counting CPU and memory, is {}: {} system pods + {} workload slots (MODEL.md §11 with §5's filter, no risk allowed){given}.",
        s.max_pods,
        s.system,
        s.max_pods - s.system
    )
}

/// `, which conservative gives`: the formulas (fitting the nodes) whose
/// maxPods is `m`, or nothing.
fn given_by(m: u32, of: &[&Row]) -> String {
    let givers = distinct(
        of.iter()
            .filter(|r| r.max_pods == m && mismatch(r).is_none())
            .map(|r| r.formula.as_str()),
    );
    match givers.len() {
        0 => String::new(),
        1 => format!(", which {} gives", givers[0]),
        _ => format!(", which {} give", join_names(&givers)),
    }
}

/// [`safe_sentence`] by slots and IPs.
fn slot_safe_sentence(ty: &str, safe: Option<SafeMaxPods>, of: &[&Row]) -> String {
    let Some(s) = safe else {
        return format!("On {ty} even the smallest maxPods risks a pod without an IP for this mix.");
    };
    let parts = if s.branches > 0 {
        format!(
            "{} system pods + {} IPs + {} branch ENIs, as the workload has no IP pod",
            s.system, s.ips, s.branches
        )
    } else {
        format!("{} system pods + {} IPs", s.system, s.ips)
    };
    let given = given_by(s.max_pods, of);
    if s.capped {
        return format!(
            "The largest safe maxPods for this mix, at which no arrival order can leave a pod without an IP, is {} here, the cap (the EKS guidance for large nodes): its {parts} would allow {} (MODEL.md §11, no risk allowed){given}.",
            s.max_pods,
            s.system + s.ips + s.branches
        );
    }
    format!(
        "The largest safe maxPods for this mix, at which no arrival order can leave a pod without an IP, is {}: {parts}{given} (MODEL.md §11, no risk allowed).",
        s.max_pods
    )
}

/// Formulas grouped by equal figures: `conservative, seed-userdata and
/// karpenter-reserved-enis:1 (maxPods 20, 6 wasted IPs each)` from (name,
/// maxPods, figure).
fn grouped(items: &[(String, u32, String)]) -> Vec<String> {
    let mut groups: Vec<(Vec<String>, u32, String)> = Vec::new();
    for (name, m, figure) in items {
        match groups.iter_mut().find(|(_, gm, gf)| gm == m && gf == figure) {
            Some((names, _, _)) => names.push(name.clone()),
            None => groups.push((vec![name.clone()], *m, figure.clone())),
        }
    }
    groups
        .into_iter()
        .map(|(names, m, figure)| {
            let each = if names.len() > 1 { " each" } else { "" };
            format!("{} (maxPods {m}, {figure}{each})", join_names(&names))
        })
        .collect()
}

/// The reading of one instance type under one policy.
fn type_bullet(ty: &str, of: &[&Row], cpu: &Cpu) -> String {
    let Some(base) = baseline(of) else {
        return String::new();
    };
    let mine: Vec<&Row> = of.iter().copied().filter(|r| r.formula == base).collect();
    let m = mine[0].max_pods;
    let random = mine.iter().copied().find(|r| r.order == "random");
    let mut s = match random {
        Some(r) => format!("With {base} on {ty} (maxPods {m}), {}.", random_risk(r)),
        None => format!("With {base} on {ty} (maxPods {m}):"),
    };
    let fixed = failing_fixed(&mine);
    if fixed.is_empty() && random.is_none() {
        s.push_str(" no order tried leaves a pod without an IP.");
    } else if !fixed.is_empty() {
        let lead = if random.is_some() {
            " Fixed orders that do:"
        } else {
            " orders that leave pods without an IP:"
        };
        s.push_str(&format!("{lead} {}.", join_names(&fixed)));
    }
    let reference = random.unwrap_or(mine[0]);
    if pending(reference) > 0.0 {
        let slots = fixed_slots(reference)
            .filter(|&l| l < workload(reference))
            .map_or(String::new(), |l| {
                format!("; {} pods for {l} free slots", workload(reference))
            });
        s.push_str(&format!(
            " {} of its {} workload pods stay pending on average ({} order{slots}): never bound, they hold no IP, and do not run.",
            count(pending(reference)),
            workload(reference),
            reference.order
        ));
    }
    s.push(' ');
    s.push_str(&safe_sentence(ty, largest_safe(mine[0], cpu), of, cpu, Run::Static));
    // The formulas that never fail here, and what they leave unused.
    let fits: Vec<&Row> = of.iter().copied().filter(|r| mismatch(r).is_none()).collect();
    let formulas = distinct(fits.iter().map(|r| r.formula.as_str()));
    let rows_of = |f: &str| -> Vec<&Row> { fits.iter().copied().filter(|r| r.formula == f).collect() };
    let reference_of = |f: &str| {
        let rows = rows_of(f);
        rows.iter().copied().find(|r| r.order == "random").unwrap_or(rows[0])
    };
    let never: Vec<String> = formulas
        .iter()
        .filter(|f| rows_of(f).iter().all(|r| risk(r).value == 0.0))
        .cloned()
        .collect();
    if never.is_empty() {
        s.push_str(&format!(
            " Every formula tried leaves pods without an IP on {ty} in some order."
        ));
    } else {
        let mut items: Vec<(String, u32, String)> = never
            .iter()
            .map(|f| {
                let r = reference_of(f);
                let w = count(wasted_ips(r));
                let noun = if w == "1" { "IP" } else { "IPs" };
                (f.clone(), r.max_pods, format!("{w} wasted {noun}"))
            })
            .collect();
        items.sort_by_key(|i| std::cmp::Reverse(i.1));
        let sampled = never.iter().any(|f| rows_of(f).iter().any(|r| !risk(r).is_exact()));
        let tried = if sampled { " tried" } else { "" };
        let order = &reference_of(&never[0]).order;
        let over = if order == "random" {
            "mean over the random orders".to_string()
        } else {
            format!("in the {order} order")
        };
        s.push_str(&format!(
            " No order{tried} leaves a pod without an IP with {} (wasted IPs: free IPs on nodes whose slots are all used, {over}).",
            join_names(&grouped(&items)),
        ));
    }
    // The other formulas that fail in random orders, with their figures.
    let failing: Vec<(String, u32, String, Estimate)> = formulas
        .iter()
        .filter(|f| **f != base && !never.contains(f))
        .filter_map(|f| {
            let r = rows_of(f).into_iter().find(|r| r.order == "random")?;
            Some((
                f.clone(),
                r.max_pods,
                format!("in {} of random orders", pct(risk(r).value)),
                risk(r),
            ))
        })
        .collect();
    if !failing.is_empty() {
        // Equal maxPods, equal figures: one group. An interval, where sampled, follows its figure.
        let items: Vec<(String, u32, String)> = failing
            .iter()
            .map(|(f, m, text, e)| {
                let interval = if e.is_exact() {
                    String::new()
                } else {
                    format!(", 95% interval {}–{}", pct(e.low), pct(e.high))
                };
                (f.clone(), *m, format!("{text}{interval}"))
            })
            .collect();
        s.push_str(&format!(" Other formulas that fail: {}.", join_names(&grouped(&items))));
    }
    s
}

/// The bullet explaining rows whose formula does not fit their nodes.
fn misfit_bullet(rows: &[&Row]) -> Option<String> {
    let misfit: Vec<&Row> = rows.iter().copied().filter(|r| mismatch(r).is_some()).collect();
    let first = misfit.first()?;
    let formulas = distinct(misfit.iter().map(|r| r.formula.as_str()));
    let types = distinct(misfit.iter().map(|r| r.instance_type.as_str()));
    let mut maxpods: Vec<String> = Vec::new();
    for r in &misfit {
        let m = r.max_pods.to_string();
        if !maxpods.contains(&m) {
            maxpods.push(m);
        }
    }
    let random: Vec<&&Row> = misfit.iter().filter(|r| r.order == "random").collect();
    let fails = if random.is_empty() {
        String::new()
    } else {
        let lo = random.iter().map(|r| risk(r).value).fold(1.0, f64::min);
        let hi = random.iter().map(|r| risk(r).value).fold(0.0, f64::max);
        let range = if pct(lo) == pct(hi) {
            pct(lo)
        } else {
            format!("{}–{}", pct(lo), pct(hi))
        };
        format!(" With it, {range} of random orders leave a pod without an IP.")
    };
    Some(format!(
        "{} (maxPods {} on {}) is a mismatch, not a finding: {}. Its rows stay in the tables, marked †, and are left out of the other sentences and of the charts.{fails} Set prefix_delegation = true to see it on nodes that have prefix delegation.",
        join_names(&formulas),
        join_names(&maxpods),
        if types.len() == 1 {
            types[0].clone()
        } else {
            format!("all {} types", types.len())
        },
        mismatch(first).unwrap_or_default(),
    ))
}

/// The bullet on pending pods across the rows.
fn pending_bullet(rows: &[&Row]) -> String {
    let with: Vec<&Row> = rows.iter().copied().filter(|r| pending(r) > 0.0).collect();
    if with.is_empty() {
        return "No workload pod was left pending (unscheduled) in any cell: every pod was bound to a node.".into();
    }
    let mut worst = with.clone();
    worst.sort_by(|a, b| (pending(b) / workload(b).max(1) as f64).total_cmp(&(pending(a) / workload(a).max(1) as f64)));
    let shown: Vec<String> = worst
        .iter()
        .take(3)
        .map(|r| {
            format!(
                "{} on {} ({}): {} of {}",
                r.formula,
                r.instance_type,
                r.order,
                count(pending(r)),
                workload(r)
            )
        })
        .collect();
    let most = if with.len() > shown.len() { "most in " } else { "" };
    format!(
        "Pods left pending (never bound: no node had a slot, a branch ENI or the CPU and memory; the autoscaler's cue, not an IP failure) in {} of {}: {most}{}.",
        with.len(),
        plural(rows.len(), "cell"),
        join_names(&shown)
    )
}

/// The closing bullet across every type: which formulas no order broke.
fn across_bullet(rows: &[&Row], timed: bool) -> String {
    let fits: Vec<&Row> = rows.iter().copied().filter(|r| mismatch(r).is_none()).collect();
    let types = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
    let never: Vec<String> = distinct(fits.iter().map(|r| r.formula.as_str()))
        .into_iter()
        .filter(|f| fits.iter().filter(|r| &r.formula == f).all(|r| risk(r).value == 0.0))
        .collect();
    let on = if types == 1 {
        format!("on {}", rows[0].instance_type)
    } else {
        format!("on any of the {types} instance types")
    };
    // A timed run's rows count the pods without an IP at its end.
    let (kept, tried) = if timed {
        (" to the end of the run", "in any trial, at the end of the run")
    } else {
        ("", "in any order tried")
    };
    if never.is_empty() {
        format!(
            "No formula kept every pod with an IP {on}{kept} in every {}.",
            if timed { "trial" } else { "order tried" }
        )
    } else {
        format!("{} left no pod without an IP {on}, {tried}.", join_names(&never))
    }
}

/// The reading of a timed cell.
fn timed_bullet(r: &Row, m: &TimedMeasures) -> String {
    let n = workload(r);
    let share = |x: f64| if n > 0 { pct(x / n as f64) } else { "0%".into() };
    let e = risk(r);
    let trials = if r.trials == 1 {
        "1 trial".to_string()
    } else {
        format!("{} of {} trials fail", pct_with_interval(&e), r.trials)
    };
    let mut s = format!(
        "With {} on {} (maxPods {}, {} order, arrivals {}; {trials}): {} of {n} workload pods ({}) were left without an IP at the end, {} ({}) still pending and {} ({}) running.",
        r.formula,
        r.instance_type,
        r.max_pods,
        r.order,
        m.arrivals,
        count(r.ip_failed_mean),
        share(r.ip_failed_mean),
        count(pending(r)),
        share(pending(r)),
        count(r.running_mean),
        share(r.running_mean),
    );
    let ttr = |kind: &str, t: &super::inputs::TimeToRunning| {
        t.p95.map(|p| {
            format!(
                "{kind} pods reached running in {p:.0} s at the 95th percentile ({:.0} s at worst)",
                t.max.unwrap_or(p)
            )
        })
    };
    let times: Vec<String> = [ttr("SG", &m.sg), ttr("IP", &m.ip)].into_iter().flatten().collect();
    if !times.is_empty() {
        s.push_str(&format!(" {}.", join_names(&times)));
    }
    s.push_str(&format!(
        " ip-failed pods waited {:.0} pod-seconds in all; {} nodes launched, {:.2} node-hours{}.",
        m.ip_failed_pod_seconds,
        count(m.nodes_launched),
        m.node_hours,
        m.cost.map_or(String::new(), |c| format!(", ${c:.2}"))
    ));
    s.push_str(&subnet_sentence(m));
    s
}

/// What the subnets came to: the pods that waited on their addresses, or
/// the smallest subnet that holds the peak (with which no address request
/// of this run would have failed).
fn subnet_sentence(m: &TimedMeasures) -> String {
    let named = |i: usize| if i == 0 { "node subnet" } else { "ENIConfig subnet" };
    let mut parts = Vec::new();
    for i in 0..2 {
        let peak = m.subnet_peak[i];
        if peak <= 0.0 {
            continue;
        }
        let prefix = crate::input::timed::smallest_prefix(peak.ceil() as u64)
            .map_or("more than a /16".to_string(), |b| format!("a /{b} or larger"));
        // With pods waiting, the peak is what the subnet let them have, not what they asked.
        let held = if m.subnet_waited > 0.0 {
            String::new()
        } else {
            format!(" ({prefix} holds them)")
        };
        parts.push(format!(
            "the {} had at most {} addresses in use{held}",
            named(i),
            count(peak)
        ));
    }
    let mut s = String::new();
    if !parts.is_empty() {
        let joined = join_names(&parts);
        s.push_str(&format!(" T{}.", &joined[1..]));
    }
    if m.subnet_waited > 0.0 {
        s.push_str(&format!(
            " {} pods waited on a subnet's addresses (an ENI, a branch ENI, their node's trunk or a node launch refused).",
            count(m.subnet_waited)
        ));
    }
    s
}

/// The reading of a static run, one bullet per line.
pub(super) fn reading(rows: &[Row], cpu: &Cpu) -> Vec<String> {
    let mut out = Vec::new();
    let policies = distinct(rows.iter().map(|r| r.policy.as_str()));
    for policy in &policies {
        let rows: Vec<&Row> = rows.iter().filter(|r| &r.policy == policy).collect();
        let suffix = if policies.len() > 1 {
            format!(" (policy {policy})")
        } else {
            String::new()
        };
        let all = distinct(rows.iter().map(|r| r.instance_type.as_str()));
        let shown = detailed_types(&rows);
        for ty in &shown {
            let of: Vec<&Row> = rows.iter().copied().filter(|r| &r.instance_type == ty).collect();
            out.push(format!("{}{suffix}", type_bullet(ty, &of, cpu)));
        }
        if shown.len() < all.len() {
            out.push(format!(
                "The other {} of the {} instance types are in the table of every type below; the {} read here are the scenario's first and the riskiest.",
                all.len() - shown.len(),
                all.len(),
                shown.len().min(DETAILED_TYPES)
            ));
        }
        if let Some(b) = misfit_bullet(&rows) {
            out.push(format!("{b}{suffix}"));
        }
        out.push(format!("{}{suffix}", pending_bullet(&rows)));
        out.push(format!("{}{suffix}", across_bullet(&rows, false)));
    }
    out
}

/// The reading of a timed run: each cell's outcome over time, then the
/// largest safe maxPods of the first type.
pub(super) fn timed_reading(rows: &[Row], measures: &[TimedMeasures], cpu: &Cpu) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .zip(measures)
        .filter(|(r, _)| mismatch(r).is_none())
        .take(DETAILED_TYPES)
        .map(|(r, m)| timed_bullet(r, m))
        .collect();
    let refs: Vec<&Row> = rows.iter().collect();
    if rows.iter().zip(measures).filter(|(r, _)| mismatch(r).is_none()).count() > DETAILED_TYPES {
        out.push(format!(
            "The other cells are in the tables below ({} in all).",
            plural(rows.len(), "cell")
        ));
    }
    if let Some(first) = rows.first() {
        let of: Vec<&Row> = refs
            .iter()
            .copied()
            .filter(|r| r.instance_type == first.instance_type)
            .collect();
        out.push(
            safe_sentence(
                &first.instance_type,
                largest_safe(first, cpu),
                &of,
                cpu,
                Run::Timed { rows, measures },
            )
            .replace("for this mix,", &format!("on {} for this mix,", first.instance_type)),
        );
    }
    if let Some(b) = misfit_bullet(&refs) {
        out.push(b);
    }
    out.push(across_bullet(&refs, true));
    out
}

/// Said where the safe maxPods counts CPU and memory too.
pub(super) const ROOM_NOTE: &str = " Where the pods request CPU or memory it counts them too (MODEL.md §5's filter, on Karpenter's allocatable): a node may fill on them first, so the largest safe maxPods can lie above its IPs.";

/// Said where the scenario's pods request CPU or memory but the report
/// cannot count them (workload groups, or a run that recorded no
/// `node-room.csv`): the safe maxPods counts slots and IPs alone (MODEL.md
/// §11), while a node may fill on CPU or memory first (§5).
pub(super) const CPU_NOTE: &str = " It counts slots and IPs alone: the pods here also request CPU or memory, which can fill a node first, so a larger maxPods may be safe as well (`sgpsim recommend` with `--sg-request` and `--ip-request` counts them).";

/// Whether the scenario as run gives any pod a CPU or memory request: a
/// `cpu` or `memory` quantity above zero anywhere in `[workload]` (its
/// `requests` tables and its groups') or `[system_pods.requests]`.
pub(super) fn requests_given(scenario: &str) -> bool {
    let Ok(t) = toml::from_str::<toml::Table>(scenario) else {
        return false;
    };
    fn positive(v: &toml::Value) -> bool {
        match v {
            toml::Value::Table(t) => t.iter().any(|(k, v)| match v {
                toml::Value::Table(_) | toml::Value::Array(_) => positive(v),
                _ if k == "cpu" || k == "memory" => {
                    let text = match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    crate::input::quantity::scaled(&text, 3).is_ok_and(|x| x > 0)
                }
                _ => false,
            }),
            toml::Value::Array(items) => items.iter().any(positive),
            _ => false,
        }
    }
    let workload = t.get("workload").is_some_and(positive);
    let system = t
        .get("system_pods")
        .and_then(|s| s.get("requests"))
        .is_some_and(positive);
    workload || system
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;

    fn row(ty: &str, formula: &str, order: &str, failed: u64, trials: u64) -> Row {
        let base = fixture_rows().into_iter().find(|r| r.order == "random").unwrap();
        Row {
            instance_type: ty.into(),
            formula: formula.into(),
            order: order.into(),
            method: if order == "random" {
                "monte-carlo".into()
            } else {
                "exact".into()
            },
            exact_failure_probability: None,
            exact_failure_rate_mean: None,
            exact_wasted_ips_mean: None,
            exact_pending_mean: None,
            failure_probability_ci95_low: None,
            failure_probability_ci95_high: None,
            trials,
            trials_with_failure: failed,
            ip_failed_mean: failed as f64,
            failure_rate_mean: failed as f64 / 1000.0,
            failure_rate_ci95_low: Some(0.0),
            failure_rate_ci95_high: Some(failed as f64 / 500.0),
            wasted_ips_mean: 10.0 - failed as f64,
            pending_mean: 0.0,
            ..base
        }
    }

    /// Where pods request CPU or memory the safe maxPods is said to count
    /// slots and IPs alone; elsewhere the sentence is unchanged.
    #[test]
    fn requests_qualify_the_safe_max_pods() {
        let rows = vec![row("m5.xlarge", "aws-default", "random", 0, 100)];
        let plain = reading(&rows, &Cpu::NotRequested);
        let cpu = reading(&rows, &Cpu::Unknown);
        assert!(!plain[0].contains("CPU"), "{}", plain[0]);
        assert!(
            cpu[0].contains("It counts slots and IPs alone: the pods here also request CPU or memory"),
            "{}",
            cpu[0]
        );
        assert_eq!(cpu[0].replace(super::CPU_NOTE, ""), plain[0]);
        // Counted, with room to spare and IPs beyond the cap: the cap, said so.
        let roomy = Row {
            ip_capacity: 400,
            ..row("m5.xlarge", "aws-default", "random", 0, 100)
        };
        let free = crate::model::requests::Res {
            cpu: 1 << 40,
            memory: 1 << 50,
        };
        let one = crate::model::requests::Res { cpu: 1, memory: 1 };
        let room = crate::model::exact::NodeRoom { free, sg: one, ip: one };
        let rooms = Cpu::Rooms(std::collections::BTreeMap::from([("m5.xlarge".to_string(), room)]));
        let capped = reading(std::slice::from_ref(&roomy), &rooms);
        assert!(
            capped[0].contains("counting CPU and memory, is 250 here, the cap (the EKS guidance for large nodes"),
            "{}",
            capped[0]
        );
        assert!(requests_given("[workload.requests]\nip = { cpu = \"250m\" }"));
        assert!(requests_given("[system_pods.requests]\nhost = { memory = \"1Gi\" }"));
        assert!(!requests_given("[workload.requests]\nip = { cpu = \"0\" }"));
        assert!(!requests_given("[workload]\nip_pods = 3"));
        assert!(requests_given(
            "[workload.requests]\nip = { containers = [{ cpu = \"0\" }, { memory = \"64Mi\" }] }"
        ));
        assert!(requests_given(
            "[[workload.groups]]\nkind = \"ip\"\npods = 3\nrequests = { cpu = \"250m\" }"
        ));
        assert!(!requests_given(
            "[[workload.groups]]\nkind = \"ip\"\npods = 3\nrequests = { cpu = \"0\" }"
        ));
    }

    /// Where the run's own rows fail at a maxPods the node model calls
    /// safe, the report says that the two disagree, not the model's claim.
    #[test]
    fn a_run_that_contradicts_the_safe_max_pods_is_said_to() {
        let rows = vec![
            row("m5.xlarge", "aws-default", "random", 62, 100),
            Row {
                max_pods: 20,
                ..row("m5.xlarge", "conservative", "random", 2, 100)
            },
        ];
        let lines = reading(&rows, &Cpu::NotRequested);
        assert!(
            lines[0].contains(
                "By MODEL.md §11's node model the largest safe maxPods is 20 for this mix on m5.xlarge, yet conservative at maxPods 20 left pods without an IP in 2% of random orders: the two disagree"
            ),
            "{}",
            lines[0]
        );
        assert!(
            !lines[0].contains("The largest safe maxPods for this mix"),
            "{}",
            lines[0]
        );
        let glance = super::super::tables::glance(&rows, &Cpu::NotRequested);
        assert!(
            glance[0]
                .rows
                .iter()
                .any(|line| line.contains(&"20 by MODEL.md §11, but 20 fails here".to_string())),
            "{:?}",
            glance[0].rows
        );
    }

    /// A type on which no workload pod fits: said as such, with the cause
    /// (here SG pods find no branch ENI, IP pods do not fit the CPU).
    #[test]
    fn no_pod_fitting_a_node_is_said_with_its_cause() {
        let r = Row {
            branch_capacity: 0,
            ..row("t3.medium", "aws-default", "random", 0, 100)
        };
        let res = |cpu| crate::model::requests::Res { cpu, memory: 0 };
        let room = crate::model::exact::NodeRoom {
            free: res(1000),
            sg: res(250),
            ip: res(2000),
        };
        let cpu = Cpu::Rooms(std::collections::BTreeMap::from([("t3.medium".to_string(), room)]));
        let lines = reading(std::slice::from_ref(&r), &cpu);
        assert!(
            lines[0].contains(
                "No workload pod fits a node of t3.medium: SG pods find no branch ENI there, and IP pods do not fit its CPU and memory"
            ),
            "{}",
            lines[0]
        );
        let only_cpu = Cpu::Rooms(std::collections::BTreeMap::from([(
            "t3.medium".to_string(),
            crate::model::exact::NodeRoom { sg: res(2000), ..room },
        )]));
        let lines = reading(std::slice::from_ref(&r), &only_cpu);
        assert!(
            lines[0].contains("No workload pod fits a node of t3.medium: none fits its CPU and memory"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn reading_answers_first_then_lists_without_naming_winners() {
        let rows = vec![
            row("m5.xlarge", "aws-default", "random", 62, 100),
            row("m5.xlarge", "aws-default", "ip-first", 1, 1),
            row("m5.xlarge", "conservative", "random", 0, 100),
            row("m5.xlarge", "conservative", "ip-first", 0, 1),
            row("m5.xlarge", "aggressive", "random", 3, 100),
        ];
        let lines = reading(&rows, &Cpu::NotRequested);
        assert_eq!(lines.len(), 3, "{lines:?}");
        let first = &lines[0];
        assert!(
            first.starts_with("With aws-default on m5.xlarge (maxPods 29), 62% of random orders leave a pod without an IP (95% interval"),
            "{first}"
        );
        assert!(first.contains("100 sampled orders"), "{first}");
        assert!(first.contains("Fixed orders that do: ip-first"), "{first}");
        assert!(
            first.contains("The largest safe maxPods for this mix, at which no arrival order can leave a pod without an IP, is 20: 2 system pods + 18 IPs"),
            "{first}"
        );
        // Sampled zeros are "tried", not "never".
        assert!(
            first.contains("No order tried leaves a pod without an IP with conservative"),
            "{first}"
        );
        assert!(
            first.contains("Other formulas that fail: aggressive (maxPods 29, in 3% of random orders, 95% interval"),
            "{first}"
        );
        assert!(!first.contains("fewest") && !first.contains("best"), "{first}");
        assert_eq!(
            lines[1],
            "No workload pod was left pending (unscheduled) in any cell: every pod was bound to a node."
        );
        assert_eq!(
            lines[2],
            "conservative left no pod without an IP on m5.xlarge, in any order tried."
        );
        let none = reading(&[row("c6i.large", "aws-default", "random", 0, 50)], &Cpu::NotRequested);
        assert!(
            none[0].starts_with(
                "With aws-default on c6i.large (maxPods 29), none of 50 sampled random orders left a pod without an IP."
            ),
            "{}",
            none[0]
        );
    }

    #[test]
    fn equal_figures_are_named_together() {
        let rows: Vec<Row> = ["conservative", "seed-userdata", "karpenter-reserved-enis:1"]
            .iter()
            .map(|f| row("m5.large", f, "random", 0, 100))
            .collect();
        let lines = reading(&rows, &Cpu::NotRequested);
        assert!(
            lines[0]
                .contains("conservative, seed-userdata and karpenter-reserved-enis:1 (maxPods 29, 10 wasted IPs each)"),
            "{}",
            lines[0]
        );
        // 10 and 12 of 100 are no difference; 0 and 60 are.
        let r = |k| risk(&row("a", "x", "random", k, 100));
        assert!(!r(10).differs(&r(12)));
        assert!(r(0).differs(&r(60)));
    }

    #[test]
    fn pending_pods_are_read_out() {
        let mut r = row("t2.micro", "conservative", "random", 0, 1000);
        r.sg_pods = 10;
        r.ip_pods = 10;
        r.host_pods = 0;
        r.pending_mean = 18.0;
        let lines = reading(&[r], &Cpu::NotRequested);
        assert!(
            lines[0].contains("18 of its 20 workload pods stay pending on average (random order"),
            "{}",
            lines[0]
        );
        assert!(lines[1].starts_with("Pods left pending"), "{}", lines[1]);
        assert!(
            lines[1].contains("conservative on t2.micro (random): 18 of 20"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn a_mismatch_is_explained_and_kept_out_of_the_headline() {
        let mut pd = row("m5.large", "prefix-delegation", "random", 100, 100);
        pd.max_pods = 110;
        let rows = vec![pd, row("m5.large", "aws-default", "random", 50, 100)];
        let lines = reading(&rows, &Cpu::NotRequested);
        assert!(lines[0].starts_with("With aws-default on m5.large"), "{}", lines[0]);
        assert!(!lines[0].contains("prefix-delegation"), "{}", lines[0]);
        assert!(
            lines[1].starts_with("prefix-delegation (maxPods 110 on m5.large) is a mismatch, not a finding"),
            "{}",
            lines[1]
        );
    }
}
