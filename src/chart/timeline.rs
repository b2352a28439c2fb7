//! Chart 6 (timed scenarios): pods running, pending, waiting for an IP and
//! ip-failed, and nodes, over time; one panel per formula and instance type.

use plotters::prelude::*;

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::{LABEL, TICK};
use super::layout::{axis_max, count_label, legend_strip, panel_rows, panels, titled};
use super::palette::{BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION};
use crate::error::Error;
use crate::output::records::TimelineSample;

const COLS: usize = 2;
/// Panels drawn at most; the rest are named in the subtitle.
const MAX_PANELS: usize = 8;

type Get = fn(&TimelineSample) -> f64;

/// The pod series: label, colour, value.
const PODS: [(&str, RGBColor, Get); 4] = [
    ("running", BLUISH_GREEN, |s| s.running),
    ("pending", ORANGE, |s| s.pending),
    ("waiting for an IP", SKY_BLUE, |s| s.waiting_ip),
    ("ip-failed", VERMILLION, |s| s.ip_failed),
];
/// The node series.
const NODES: [(&str, RGBColor, Get); 2] = [
    ("nodes ready", BLUE, |s| s.nodes_ready),
    ("nodes launching", REDDISH_PURPLE, |s| s.nodes_launching),
];

/// Every series, for finding where a trial stops changing.
const ALL: [Get; 8] = [
    |s| s.running,
    |s| s.pending,
    |s| s.starting,
    |s| s.waiting_ip,
    |s| s.ip_failed,
    |s| s.completed,
    |s| s.nodes_ready,
    |s| s.nodes_launching,
];

struct Group<'a> {
    formula: String,
    instance_type: String,
    order: String,
    policy: String,
    trial: u64,
    samples: Vec<&'a TimelineSample>,
}

struct Timeline<'a> {
    groups: Vec<Group<'a>>,
    left_out: usize,
    /// The last sample time in the file, the last change of any series in
    /// any panel, and the time the panels are drawn to: past that change
    /// when it comes well before the end.
    horizon: f64,
    settled: f64,
    x_end: f64,
}

/// The time of the last sample at which any series changed (0 if none).
fn last_change(samples: &[&TimelineSample]) -> f64 {
    samples
        .windows(2)
        .filter(|w| ALL.iter().any(|f| f(w[0]) != f(w[1])))
        .map(|w| w[1].time_s)
        .fold(0.0, f64::max)
}

/// Draws chart 6 from `timeline.csv` samples: for each (formula, type,
/// order, policy) the samples of its lowest-numbered trial, in time order.
pub(crate) fn timeline(samples: &[TimelineSample]) -> Result<Chart, Error> {
    let mut groups: Vec<Group> = Vec::new();
    for s in samples {
        let same = |g: &&mut Group| {
            g.formula == s.formula && g.instance_type == s.instance_type && g.order == s.order && g.policy == s.policy
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) if s.trial < g.trial => {
                g.trial = s.trial;
                g.samples = vec![s];
            }
            Some(g) if s.trial == g.trial => g.samples.push(s),
            Some(_) => {}
            None => groups.push(Group {
                formula: s.formula.clone(),
                instance_type: s.instance_type.clone(),
                order: s.order.clone(),
                policy: s.policy.clone(),
                trial: s.trial,
                samples: vec![s],
            }),
        }
    }
    if groups.is_empty() {
        return Err(Error::from(no_data("timeline", "timeline.csv")));
    }
    for g in &mut groups {
        g.samples.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    }
    let left_out = groups.len().saturating_sub(MAX_PANELS);
    groups.truncate(MAX_PANELS);
    let horizon = groups
        .iter()
        .filter_map(|g| g.samples.last().map(|s| s.time_s))
        .fold(1.0, f64::max);
    let settled = groups.iter().map(|g| last_change(&g.samples)).fold(0.0, f64::max);
    // Drawn to a little past the last change, unless that is most of the run.
    let x_end = if settled > 0.0 && settled * 1.25 < horizon {
        (settled * 1.15).max(settled + 10.0)
    } else {
        horizon
    };
    render(&Timeline {
        groups,
        left_out,
        horizon,
        settled,
        x_end,
    })
}

fn lines<DB: DrawingBackend>(
    area: &Area<DB>,
    g: &Group,
    t_max: f64,
    series: &[(&str, RGBColor, Get)],
    caption: Option<String>,
    y_desc: &str,
    x_desc: &str,
) -> DrawResult<DB> {
    let y_max = g
        .samples
        .iter()
        .flat_map(|s| series.iter().map(move |(_, _, f)| f(s)))
        .fold(0.0, f64::max);
    let mut b = ChartBuilder::on(area);
    b.margin(10)
        .margin_right(36)
        .x_label_area_size(if x_desc.is_empty() { 24 } else { 44 })
        .y_label_area_size(64);
    if let Some(c) = caption {
        b.caption(c, ("sans-serif", LABEL + 2));
    }
    let mut chart = b.build_cartesian_2d(0.0..t_max, 0.0..axis_max(y_max, 1.0))?;
    let fmt_x = |v: &f64| format!("{v:.0}");
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_label_formatter(&fmt_x)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .y_label_formatter(&count_label)
        .label_style(("sans-serif", TICK))
        .axis_desc_style(("sans-serif", TICK))
        .draw()?;
    for (_, c, f) in series {
        // Steps: a count holds until the next sample.
        let mut pts = Vec::with_capacity(g.samples.len() * 2);
        for (i, s) in g.samples.iter().enumerate().filter(|(_, s)| s.time_s <= t_max) {
            if i > 0 {
                pts.push((s.time_s, f(g.samples[i - 1])));
            }
            pts.push((s.time_s, f(s)));
        }
        if let Some(&(_, v)) = pts.last() {
            // Held to the axis' end.
            pts.push((t_max, v));
        }
        chart.draw_series(LineSeries::new(pts, c.stroke_width(3)))?;
    }
    Ok(())
}

impl Figure for Timeline<'_> {
    const NAME: &'static str = "timeline";

    fn title(&self) -> String {
        "Pods and nodes over time (timed engine)".into()
    }

    fn size(&self) -> (u32, u32) {
        (1400, 170 + panel_rows(self.groups.len(), COLS) * 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let mut sub = "one trial per panel (the lowest-numbered); counts of pods and nodes at each sample".to_string();
        if self.x_end < self.horizon {
            sub.push_str(&format!(
                "; nothing changes after {} s, so the panels end at {} s (timeline.csv runs to {} s)",
                self.settled.round(),
                self.x_end.round(),
                self.horizon.round()
            ));
        }
        if self.left_out > 0 {
            sub.push_str(&format!(
                "; {} more formula/type pairs in timeline.csv are not drawn",
                self.left_out
            ));
        }
        let area = titled(root, &self.title(), &sub)?;
        let items: Vec<(String, RGBColor)> = PODS
            .iter()
            .chain(NODES.iter())
            .map(|(l, c, _)| (l.to_string(), *c))
            .collect();
        let area = legend_strip(&area, "series", &items)?;
        for (panel, g) in panels(&area, self.groups.len(), COLS).iter().zip(&self.groups) {
            let h = panel.dim_in_pixel().1;
            let (top, bottom) = panel.split_vertically(h * 62 / 100);
            let mut caption = format!("{} on {}", g.formula, g.instance_type);
            for extra in [&g.order, &g.policy].into_iter().filter(|e| !e.is_empty()) {
                caption.push_str(&format!(", {extra}"));
            }
            caption.push_str(&format!(" (trial {})", g.trial));
            lines(&top, g, self.x_end, &PODS, Some(caption), "pods", "")?;
            lines(
                &bottom,
                g,
                self.x_end,
                &NODES,
                None,
                "nodes",
                "time since the start (s)",
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{check_basics, hex, svg_count_colour};

    fn sample(formula: &str, trial: u64, t: f64, running: f64) -> TimelineSample {
        TimelineSample {
            formula: formula.into(),
            instance_type: "m5.large".into(),
            order: String::new(),
            policy: String::new(),
            trial,
            time_s: t,
            running,
            pending: 10.0 - running,
            starting: 0.0,
            waiting_ip: 1.0,
            completed: 0.0,
            ip_failed: if t > 50.0 { 2.0 } else { 0.0 },
            nodes_launching: if t < 90.0 { 1.0 } else { 0.0 },
            nodes_ready: if t < 90.0 { 0.0 } else { 1.0 },
        }
    }

    #[test]
    fn one_panel_per_formula_and_type_with_every_series() {
        let mut samples = Vec::new();
        for f in ["aws-default", "conservative"] {
            for trial in [1, 0] {
                for k in 0..10 {
                    samples.push(sample(f, trial, f64::from(k) * 20.0, f64::from(k)));
                }
            }
        }
        let chart = timeline(&samples).unwrap();
        let texts = check_basics(&chart);
        for want in [
            "aws-default on m5.large (trial 0)",
            "conservative on m5.large (trial 0)",
            "running",
            "pending",
            "waiting for an IP",
            "ip-failed",
            "nodes ready",
            "nodes launching",
            "time since the start (s)",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        assert!(!texts.iter().any(|t| t.contains("trial 1")));
        // Orders and policies, when the file has them, are panels of their own.
        let mut two = samples.clone();
        for s in two.iter_mut().take(10) {
            s.order = "interleaved".into();
            s.policy = "most-allocated".into();
        }
        let texts = crate::chart::testing::svg_texts(&timeline(&two).unwrap());
        assert!(
            texts
                .iter()
                .any(|t| t == "aws-default on m5.large, interleaved, most-allocated (trial 1)"),
            "{texts:?}"
        );
        // One line per series per panel.
        for (_, c, _) in PODS.iter().chain(NODES.iter()) {
            assert_eq!(svg_count_colour(&chart, "polyline", &hex(*c)), 2);
        }
    }

    #[test]
    fn no_samples_is_an_error() {
        assert!(timeline(&[]).is_err());
    }
}
