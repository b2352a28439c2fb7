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
    assert!(html.contains("at which no arrival order can leave a pod without an IP, is 20: 2 system pods + 18 IPs"));
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
/// shows the charts. Where /usr/bin/chromium is absent when the tests are
/// built (`build.rs`), `cargo test` lists it as ignored, with the fix
/// (`apt-get install chromium`). Set SGPSIM_SCREENSHOT=FILE to keep the picture.
#[test]
#[cfg_attr(not(has_chromium), ignore = "needs /usr/bin/chromium: apt-get install chromium")]
fn report_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
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

/// The CPU-bound scenario runs: nodes fill on CPU (3 pods of 500m on
/// m5.large's 1930m, 24 nodes for 70 pods) under every formula and order,
/// no pod is left without an IP, and the report's safe maxPods counts CPU
/// and memory: no maxPods can fail here.
#[test]
fn the_cpu_bound_scenario_fills_nodes_on_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cpu");
    let o = sgpsim(&["run", "scenarios/cpu-bound.toml", "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = csv_rows(&std::fs::read_to_string(out.join("summary.csv")).unwrap());
    assert_eq!(rows.len(), 16);
    for r in &rows {
        assert_eq!(field(&header, r, "nodes_mean").parse::<f64>().unwrap(), 24.0, "{r:?}");
        assert_eq!(
            field(&header, r, "ip_failed_mean").parse::<f64>().unwrap(),
            0.0,
            "{r:?}"
        );
        assert_eq!(field(&header, r, "pending_mean").parse::<f64>().unwrap(), 0.0, "{r:?}");
    }
    // The safe maxPods counts CPU and memory: 500m pods on 1730m, 3 a node,
    // never more than the 18 IPs.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("No maxPods can leave a pod without an IP for this mix, counting CPU and memory")
            && md.contains("a node's CPU and memory hold at most 3 workload pods")
            && md.contains("any maxPods from 5 on gives the same node")
            && md.contains("| any (3 pods a node by CPU and memory) |"),
        "{md}"
    );
    assert!(!md.contains("It counts slots and IPs alone"), "{md}");
    // The room the run had is kept beside the results: 1930m less the two
    // system pods' 100m, pods of 500m and 512Mi.
    let rooms = std::fs::read_to_string(out.join("node-room.csv")).unwrap();
    assert!(
        rooms.contains("\nm5.large,aws-default,0,1730,") && rooms.contains(",500,536870912,500,536870912\n"),
        "{rooms}"
    );
    // The one-node map counts slots and IPs alone: left out, and said why.
    assert!(!out.join("charts/safe-region.png").exists());
    assert!(
        md.contains("Chart safe-region not drawn: the pods request CPU or memory"),
        "{md}"
    );
    // A node-room.csv that lacks a type of the rows is refused, not read
    // as if the pods requested nothing there.
    let full = std::fs::read_to_string(out.join("node-room.csv")).unwrap();
    std::fs::write(out.join("node-room.csv"), full.lines().next().unwrap()).unwrap();
    let o = sgpsim(&["report", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("node-room.csv") && stderr(&o).contains("has no row for m5.large, a type of summary.csv"),
        "{}",
        stderr(&o)
    );
    // A results directory without node-room.csv (written before it, say):
    // the report keeps the slot model and says so, rather than guess.
    std::fs::remove_file(out.join("node-room.csv")).unwrap();
    let o = sgpsim(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("It counts slots and IPs alone") && !md.contains("hold at most 3"),
        "{md}"
    );
    // A run again into the same directory replaces it, node-room.csv too.
    let o = sgpsim(&["run", "scenarios/cpu-bound.toml", "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sgpsim(&["run", "scenarios/cpu-bound.toml", "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("node-room.csv").exists());
}

/// The report counts the nodes the run had, not the bundled catalog's: with
/// m5.large given 16 vCPUs and 64 GiB by `--catalog`, 500m pods no longer
/// fill a node before its slots, and the largest safe maxPods is the IPs'
/// (2 + 18), while aws-default's 29 fails in every order.
#[test]
fn the_report_counts_the_catalog_the_run_read() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("big.csv");
    std::fs::write(
        &catalog,
        "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible,hypervisor,eni_max_pods,vcpus,memory_mib\n\
         m5.large,3,10,9,true,nitro,29,16,65536\n",
    )
    .unwrap();
    let out = dir.path().join("big");
    let o = sgpsim(&[
        "--catalog",
        catalog.to_str().unwrap(),
        "run",
        "scenarios/cpu-bound.toml",
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "20",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("counting CPU and memory, is 20: 2 system pods + 18 workload slots")
            && md.contains("| m5.large | 18 | 9 | 2 | 20 |"),
        "{md}"
    );
    assert!(!md.contains("No maxPods can leave a pod without an IP"), "{md}");
}

/// A timed run where pods end: by the node model no maxPods can fail (CPU
/// holds an m5.xlarge node at 39 pods of 100m: 3920m allocatable, under
/// its 42 IPs), but an ended pod's IP cools down after its slot frees, and
/// conservative's nodes leave pods without an IP. The report says the two
/// disagree and why, instead of the node model's claim alone.
#[test]
fn a_timed_run_with_churn_is_not_called_safe() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/timed-churn.toml"))
        .unwrap()
        .replace(
            "sg_pods = 60\nip_pods = 180\n",
            "sg_pods = 0\nip_pods = 240\n\n[workload.requests]\nip = { cpu = \"100m\" }\n",
        );
    assert!(text.contains("ip_pods = 240"));
    let scenario = dir.path().join("churn.toml");
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("churn");
    let o = sgpsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "2",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("By MODEL.md §11's node model, counting CPU and memory, no maxPods can leave a pod without an IP for this mix on m5.xlarge, yet conservative at maxPods 45 left pods without an IP")
            && md.contains("the node model counts pods that stay, and does not bound this run"),
        "{md}"
    );
}

/// scenarios/workload-groups.toml by hand (its comment): IP pods first,
/// aws-default gives each of two nodes 27 light pods of which 9 find no IP
/// (18 of 64), the 6 light pods left and one batch pod go to a third node,
/// and the other three batch pods (1.5 cores each, 1730m a node) take a
/// node each: 6 nodes. conservative (18 slots): 18 + 18 + 18 + 6 light pods
/// and one batch pod on the fourth, three more nodes: 7, none without an
/// IP. The same pods at one mean request per kind (104m, 158 MiB) fit 16 a
/// node, under the 18 IPs: 4 nodes and no failure, which the groups show is
/// not what the cluster does.
#[test]
fn workload_groups_show_what_a_mean_request_hides() {
    let dir = tempfile::tempdir().unwrap();
    let run = |scenario: &std::path::Path, name: &str| {
        let out = dir.path().join(name);
        let o = sgpsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let (header, rows) = csv_rows(&std::fs::read_to_string(out.join("summary.csv")).unwrap());
        let at = |formula: &str, order: &str, col: &str| -> f64 {
            let r = rows
                .iter()
                .find(|r| field(&header, r, "formula") == formula && field(&header, r, "order") == order)
                .unwrap();
            field(&header, r, col).parse().unwrap()
        };
        [
            (
                at("aws-default", "ip-first", "ip_failed_mean"),
                at("aws-default", "ip-first", "nodes_mean"),
            ),
            (
                at("conservative", "ip-first", "ip_failed_mean"),
                at("conservative", "ip-first", "nodes_mean"),
            ),
        ]
    };
    let groups = root().join("scenarios/workload-groups.toml");
    assert_eq!(run(&groups, "groups"), [(18.0, 6.0), (0.0, 7.0)]);
    // Groups are not the kinds: no room is recorded, and the report's safe
    // maxPods counts slots and IPs alone and says so.
    assert!(!dir.path().join("groups/node-room.csv").exists());
    let md = std::fs::read_to_string(dir.path().join("groups/report.md")).unwrap();
    assert!(md.contains("It counts slots and IPs alone"), "{md}");
    // recommend cannot check an answer in it (no flags express groups).
    let o = sgpsim(&[
        "recommend",
        "m5.large",
        "--sg-share",
        "0",
        "--model",
        groups.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("workload groups request their own CPU and memory")
            && stderr(&o).contains("--model rollout"),
        "{}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&groups).unwrap();
    let at = text.find("[[workload.groups]]").unwrap();
    let mean = format!(
        "{}[workload]\nip_pods = 64\n[workload.requests]\nip = {{ cpu = \"104m\", memory = \"158Mi\" }}\n[nodes]\nautoscale = true\nmax = 100\n",
        &text[..at]
    );
    let mean_file = dir.path().join("mean.toml");
    std::fs::write(&mean_file, mean).unwrap();
    assert_eq!(run(&mean_file, "mean")[0], (0.0, 4.0));
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

/// Runs `text` as a scenario and returns its results directory.
fn run_scenario(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, scenario) = scenario_file(text);
    let out = dir.path().join("out");
    let o = sgpsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, out)
}

/// Regression (issue 9 §4): `replay --type t2.micro --formula conservative
/// --order random --sg-pods 10 --ip-pods 10` read "fail mean 0.0%" while 18
/// of the 20 pods were pending. The report says so, in its reading and its table.
#[test]
fn pending_pods_are_read_out_beside_the_failures() {
    let (_d, out) = run_scenario(
        r#"
        seed = 3
        trials = 50
        instance_types = ["t2.micro"]
        formulas = ["conservative"]
        orders = ["random"]
        workload = { sg_pods = 10, ip_pods = 10 }
        "#,
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("18 of its 20 workload pods stay pending on average"),
        "{md}"
    );
    assert!(md.contains("| no IP, random | pending, random |"), "{md}");
    assert!(md.contains("| 0% | 90% |"), "{md}");
}

/// Regression (issue 9 §4): 1056 types drew a 1500 × 133,910 px chart and a
/// 27 MB report. Many types now draw the riskiest few, say so, and keep
/// every type in one table.
#[test]
fn a_report_of_many_types_stays_small_and_says_what_it_leaves_out() {
    let (_d, out) = run_scenario(
        r#"
        seed = 5
        trials = 5
        instance_types = ["m5*", "c5*", "r5*"]
        formulas = ["aws-default", "conservative"]
        orders = ["ip-first", "random"]
        system_pods = { host = 3 }
        workload = { fill = "seed" }
        "#,
    );
    let (_, rows) = csv_rows(&std::fs::read_to_string(out.join("summary.csv")).unwrap());
    let types: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(types.len() > 30, "{} types", types.len());
    for name in CHARTS {
        let (w, h) = png_size(&out.join("charts").join(format!("{name}.png")));
        assert!(w <= 2400 && h <= 3200, "{name}: {w}x{h}");
    }
    let svg = std::fs::read_to_string(out.join("charts/failure-rate.svg")).unwrap();
    assert!(
        svg.contains(&format!("the 12 riskiest of {} instance types", types.len())),
        "failure-rate subtitle"
    );
    let html = std::fs::metadata(out.join("report.html")).unwrap().len();
    assert!(html < 2_000_000, "report.html is {html} bytes");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains(&format!(
            "The other {} of the {} instance types",
            types.len() - 12,
            types.len()
        )),
        "reading"
    );
    // The table of every type has a row per type.
    let glance = md.split("## Per instance type").next().unwrap();
    for ty in &types {
        assert!(
            glance.contains(&format!("\n| {ty} |")),
            "{ty} missing from the table of every type"
        );
    }
}

/// Regression (issue 9 §4): colours followed positions, so `random` changed
/// colour between reports. An order (and a formula) has one colour by name.
#[test]
fn an_order_keeps_its_colour_whatever_the_scenario_lists() {
    let svg = |orders: &str| {
        let (_d, out) = run_scenario(&format!(
            "seed = 1\ntrials = 10\ninstance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [{orders}]\nworkload = {{ fill = \"seed\" }}\n"
        ));
        std::fs::read_to_string(out.join("charts/failure-rate.svg")).unwrap()
    };
    // Orange (#E69F00) is random's: its bar and legend swatch, in both.
    for orders in ["\"random\"", "\"ip-first\", \"sg-first\", \"random\""] {
        let text = svg(orders);
        assert_eq!(text.matches("fill=\"#E69F00\"").count(), 2, "{orders}");
    }
}

/// Regression (issue 9 §4): a timed run's report left out its timed
/// measures, and drew timelines to the horizon after all activity ended.
#[test]
fn a_timed_report_has_the_timed_measures_and_a_timeline_that_ends_with_the_activity() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("burst");
    let o = sgpsim(&[
        "run",
        "scenarios/timed-burst.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for want in [
        "SG pods to running, s (p50 / p95 / max)",
        "ip-failed pod-seconds",
        "node-hours",
        "pending at the end",
        "130 of 730 workload pods (18%) were left without an IP at the end",
        "1 cell: 1 instance type × 1 formula × 1 order. Timed engine, 1 trial per cell.",
    ] {
        assert!(md.contains(want), "{want} missing from {md}");
    }
    let svg = std::fs::read_to_string(out.join("charts/timeline.svg")).unwrap();
    assert!(svg.contains("so the panels end at") && svg.contains("timeline.csv runs to 900 s"));
    let failure = std::fs::read_to_string(out.join("charts/failure-rate.svg")).unwrap();
    assert!(!failure.contains("whisker"), "no interval is drawn, none is promised");
}
