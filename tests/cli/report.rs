//! `sgpsim run` draws the charts and report; `sgpsim report DIR` redraws
//! them from the files alone; the page renders in headless Chromium.

use std::path::Path;

use super::*;

const SMALL: &str = r#"
name = "small"
seed = 11
trials = 100
instance_types = ["m5.large", "c6i.xlarge"]
formulas = ["aws-default", "conservative", "aggressive"]
orders = ["ip-first", "random"]
system_pods = { host = 2 }
workload = { fill = "seed" }
"#;

const CHARTS: [&str; 5] = ["failure-rate", "waste", "failure-spread", "frontier", "safe-region"];

fn run_small(out: &Path) {
    let (_d, scenario) = scenario_file(SMALL);
    let o = sgpsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("report.html"), "{}", stdout(&o));
}

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    // The IHDR chunk: width and height, big-endian, at bytes 16..24.
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn run_draws_every_chart_and_report_redraws_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out);
    for name in CHARTS {
        let (w, h) = png_size(&out.join("charts").join(format!("{name}.png")));
        assert!(w >= 1000 && h >= 600, "{name}: {w}x{h}");
        let svg = std::fs::read_to_string(out.join("charts").join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("m5.large"), "{name}");
    }
    assert!(!out.join("charts/timeline.png").exists(), "no timed run, no timeline");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Seed <b>11</b>. 12 cells: 2 instance types × 3 formulas × 2 orders."));
    // The reading answers first: aws-default's risk, then the largest safe maxPods.
    assert!(
        html.contains("<li>With aws-default on m5.large (maxPods 29), "),
        "{html}"
    );
    assert!(html.contains("The largest safe maxPods for this mix is 20: 2 system pods + 18 IPs"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| formula | maxPods |") && md.contains("![Where maxPods is safe on m5.large"));

    let before: Vec<Vec<u8>> = ["report.html", "report.md", "charts/frontier.png"]
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    // Redrawn from the directory alone (the scenario file is gone by now).
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = sgpsim(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("skipped the timeline chart"), "{}", stdout(&o));
    let after: Vec<Vec<u8>> = ["report.html", "report.md", "charts/frontier.png"]
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    assert!(before == after, "report DIR redraws what run drew, byte for byte");
}

#[test]
fn report_draws_the_timeline_when_the_timed_engine_wrote_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out);
    let mut csv = String::from(
        "instance_type,formula,order,policy,trial,time_s,running,pending,starting,waiting_ip,ip_failed,completed,nodes_launching,nodes_ready\n",
    );
    for t in 0..20 {
        csv.push_str(&format!(
            "m5.large,aws-default,random,most-allocated,0,{},{},{},0,1,0,0,0,1\n",
            t * 5,
            t,
            20 - t
        ));
    }
    std::fs::write(out.join("timeline.csv"), csv).unwrap();
    let o = sgpsim(&["report", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let (w, h) = png_size(&out.join("charts/timeline.png"));
    assert!(w >= 1000 && h >= 600);
    let svg = std::fs::read_to_string(out.join("charts/timeline.svg")).unwrap();
    assert!(
        svg.contains("aws-default on m5.large, random, most-allocated (trial 0)") && svg.contains("waiting for an IP")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("report.html"))
            .unwrap()
            .matches("<svg")
            .count(),
        6
    );
}

#[test]
fn report_on_an_incomplete_directory_names_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let o = sgpsim(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("summary.csv") && e.contains("run the scenario first"), "{e}");

    let out = dir.path().join("small");
    run_small(&out);
    std::fs::remove_file(out.join("safe-region.csv")).unwrap();
    let o = sgpsim(&["report", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("safe-region.csv") && stderr(&o).contains("run the scenario first"));
}

/// Headless Chromium renders report.html (no network) and the screenshot
/// shows the charts. Skipped, saying so, where /usr/bin/chromium is absent
/// (`apt-get install chromium`). Set SGPSIM_SCREENSHOT=FILE to keep the picture.
#[test]
fn report_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!(
            "SKIPPED report_renders_in_headless_chromium: /usr/bin/chromium is absent (apt-get install chromium)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out);
    let shot = std::env::var_os("SGPSIM_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("shot.png"));
    let profile = dir.path().join("profile");
    let page = format!("file://{}", out.join("report.html").display());
    let o = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,3000",
            &page,
        ])
        .output()
        .expect("chromium starts");
    assert!(o.status.success(), "chromium: {}", String::from_utf8_lossy(&o.stderr));
    let (w, h) = png_size(&shot);
    assert_eq!((w, h), (1400, 3000));
    // The page is not blank: the charts' colours are in the picture.
    let decoder = png::Decoder::new(std::io::Cursor::new(std::fs::read(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    // Orange: the random order and aws-default; vermillion: ip-first and aggressive.
    let orange = pixels
        .iter()
        .filter(|p| p[0] == 0xE6 && p[1] == 0x9F && p[2] == 0x00)
        .count();
    let vermillion = pixels
        .iter()
        .filter(|p| p[0] == 0xD5 && p[1] == 0x5E && p[2] == 0x00)
        .count();
    assert!(
        orange > 500 && vermillion > 500,
        "chart colours on the screenshot: {orange} orange, {vermillion} vermillion pixels"
    );
}

#[test]
fn a_timed_run_draws_the_timeline_and_skips_the_static_only_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("timed");
    let o = sgpsim(&[
        "run",
        "scenarios/timed-burst.toml",
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("skipped the safe-region chart: a timed run has no safe-region.csv"),
        "{text}"
    );
    let (w, h) = png_size(&out.join("charts/timeline.png"));
    assert!(w >= 1000 && h >= 600);
    let svg = std::fs::read_to_string(out.join("charts/timeline.svg")).unwrap();
    assert!(
        svg.contains("aws-default on m5.xlarge") && svg.contains("nodes ready"),
        "timeline panels"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        4,
        "failure-rate, waste, frontier, timeline"
    );
}

/// `report.md` of a scenario file run with `trials` random trials per cell.
fn report_md(scenario: &str, trials: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = sgpsim(&[
        "run",
        scenario,
        "--out",
        out.to_str().unwrap(),
        "--trials",
        trials,
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(out.join("report.md")).unwrap()
}

/// The default scenario's report, reviewed whole when it changes
/// (`INSTA_UPDATE=always`, then read the diff): 50 random trials keep it fast.
#[test]
fn snapshot_of_the_default_report() {
    insta::assert_snapshot!("default_report_md", report_md("scenarios/default.toml", "50"));
}

/// A timed scenario's report (every built-in formula, a Karpenter rollout).
#[test]
fn snapshot_of_a_timed_report() {
    insta::assert_snapshot!(
        "timed_rollout_report_md",
        report_md("scenarios/timed-rollout.toml", "2")
    );
}
