//! The minimal reproducers of issue 13's fuzz campaign (`tests/fuzz-crashes/`,
//! copied from shared/), each through the entry point it targets: a short
//! clear error (or a correct result) within a second, never a panic, a hang
//! or an abort.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sgpsim::error::{Error, InputError};
use sgpsim::input::catalog::Catalog;
use sgpsim::input::manifest::{ImportOptions, import};
use sgpsim::input::scenario::Scenario;
use sgpsim::model::formula::Formula;
use sgpsim::runner::pool::Pool;

use crate::root;

/// Errors fit on a screen.
const SHORT: usize = 1200;

fn crash(name: &str) -> PathBuf {
    root().join("tests/fuzz-crashes").join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(crash(name)).unwrap()
}

/// Runs `f`, asserting it returns within a second.
fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(t.elapsed() < Duration::from_secs(1), "{what} took {:?}", t.elapsed());
    out
}

fn short(e: &dyn std::fmt::Display, want: &str) {
    let s = e.to_string();
    assert!(s.len() < SHORT, "{} characters: {}", s.len(), &s[..SHORT.min(s.len())]);
    assert!(s.contains(want), "{s}");
    assert!(s.contains("fix:"), "{s}");
}

fn formula_error(name: &str, want: &str) {
    let src = text(name);
    let e = quick(name, || Formula::parse(&src)).map(|_| ()).unwrap_err();
    short(&InputError::from(e).at("--formula"), want);
}

#[test]
fn cel_format_width_panic_is_a_length_error() {
    formula_error("min-cel-format-width-panic.formula", "more than the 1024");
}

#[test]
fn cel_parse_stack_overflow_is_a_length_error() {
    formula_error("min-cel-parse-stack-overflow.formula", "more than the 1024");
}

#[test]
fn cel_eval_stack_overflow_is_a_length_error() {
    formula_error("min-cel-eval-stack-overflow.formula", "more than the 1024");
}

#[test]
fn cel_brace_nesting_memory_is_a_length_error() {
    formula_error("min-cel-brace-nesting-memory.formula", "more than the 1024");
}

/// The campaign of 2026-12-08 (seed 20261208): `min` called with hundreds
/// of arguments named every argument's type, 1,648 characters.
#[test]
fn cel_call_of_239_arguments_names_four_types() {
    formula_error(
        "campaign-cel-call-of-239-arguments.formula",
        "does not take (int, int, int, int, … 239 arguments in all)",
    );
}

#[test]
fn cel_inputs_within_the_length_limit_stay_bounded_too() {
    // The same shapes cut to 1 KB: a depth error, not a stack overflow.
    for name in [
        "min-cel-eval-stack-overflow.formula",
        "min-cel-parse-stack-overflow.formula",
        "min-cel-brace-nesting-memory.formula",
    ] {
        let src: String = text(name).chars().take(1000).collect();
        let e = quick(name, || Formula::parse(&src)).map(|_| ()).unwrap_err();
        short(&InputError::from(e), "formula");
    }
}

#[test]
fn cel_format_width_panic_in_a_scenario_names_the_field() {
    let src = text("min-cel-format-width-panic.toml");
    let e = quick("scenario", || Scenario::from_toml(&src, "s", &Catalog::bundled())).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("formulas[0].formula"));
    short(&e, "more than the 1024");
}

#[test]
fn cel_format_width_panic_in_a_manifest_is_no_panic() {
    let imp = quick("import", || {
        import(
            &[crash("min-cel-format-width-panic.yaml")],
            &Catalog::bundled(),
            &ImportOptions::default(),
        )
    });
    // The EC2NodeClass's maxPods is not a formula sgpsim can use: it is left
    // out (or refused) with a note, never a panic.
    match imp {
        Ok(i) => assert!(i.formulas.iter().all(|(f, _)| f.len() <= 1024)),
        Err(e) => short(&e, "maxPods"),
    }
}

#[test]
fn manifest_pod_count_wrap_never_reports_no_pods() {
    let imp = quick("import", || {
        import(
            &[crash("min-manifest-pod-count-wrap.yaml")],
            &Catalog::bundled(),
            &ImportOptions::default(),
        )
    });
    match imp {
        Err(e) => {
            short(&e, "replicas");
            assert!(!e.to_string().contains("no workload pods"), "{e}");
        }
        Ok(i) => {
            // The written scenario then says the pods are too many.
            let toml = sgpsim::input::manifest::write::scenario_toml(&i);
            let e = Scenario::from_toml(&toml, "imported", &Catalog::bundled()).unwrap_err();
            short(&e, "more than 10000000");
        }
    }
}

#[test]
fn timed_branch_rate_wrap_is_refused() {
    let src = text("min-timed-branch-rate-wrap.toml");
    let e = quick("scenario", || Scenario::from_toml(&src, "s", &Catalog::bundled())).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("timed.resource_controller.branch_rate"));
    short(&e, "outside 0.001..=1000000");
}

#[test]
fn timed_replace_zero_lifetime_hang_is_refused() {
    let src = text("min-timed-replace-zero-lifetime-hang.toml");
    let e = quick("scenario", || Scenario::from_toml(&src, "s", &Catalog::bundled())).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("timed.lifetime"));
    short(&e, "lifetime of 0 s");
}

/// A results directory of a small run, with `name` replaced by the reproducer.
fn results_with(name: &str, as_file: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let toml = "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"sg-first\"]\n\
                [workload]\nfill = \"seed\"\n";
    let sc = Scenario::from_toml(toml, "s", &Catalog::bundled()).unwrap();
    let pool = Pool::new(Some(1)).unwrap();
    let r = sgpsim::results::static_run(&sc, toml.as_bytes(), &pool, false, &dir, &Default::default()).unwrap();
    r.files.replace(&dir).unwrap();
    std::fs::copy(crash(name), dir.join(as_file)).unwrap();
    (tmp, dir)
}

fn report_error(dir: &Path, file: &str, column: &str) {
    let e = quick("report", || sgpsim::report::redraw(dir)).unwrap_err();
    let Error::Input(e) = e else {
        panic!("not an input error: {e}")
    };
    assert!(e.file.as_deref().is_some_and(|f| f.ends_with(file)), "{e}");
    assert_eq!(e.field.as_deref(), Some(column), "{e}");
    short(&e, "outside");
}

#[test]
fn report_hang_on_safe_region_is_a_range_error() {
    let (_tmp, dir) = results_with("min-report-hang-safe-region.csv", "safe-region.csv");
    // Written before safe-region.csv gained its `method` column: refused for that.
    let e = quick("report", || sgpsim::report::redraw(&dir)).unwrap_err();
    short(&e, "method");
    // With the column, the value near the float maximum is what is refused.
    let text = text("min-report-hang-safe-region.csv");
    let with_method: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "method" } else { "monte-carlo" }))
        .collect();
    std::fs::write(dir.join("safe-region.csv"), with_method).unwrap();
    report_error(&dir, "safe-region.csv", "sg_share");
}

#[test]
fn report_hang_on_timeline_is_a_range_error() {
    let (_tmp, dir) = results_with("min-report-hang-timeline.csv", "timeline.csv");
    report_error(&dir, "timeline.csv", "running");
}

#[test]
fn every_reproducer_has_a_test() {
    let src = std::fs::read_to_string(root().join("tests/cli/fuzz_regressions.rs")).unwrap();
    for e in std::fs::read_dir(root().join("tests/fuzz-crashes")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(src.contains(&format!("\"{name}\"")), "{name} has no regression test");
    }
}

// ----- outputs whole or absent -----

/// The files in `dir` and its siblings' names.
fn listing(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_previous_results_or_none() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.toml");
    std::fs::write(
        &scenario,
        "instance_types = [\"m5.*\"]\nformulas = [\"aws-default\", \"conservative\"]\ntrials = 300\n\
         [workload]\nfill = \"seed\"\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let s = scenario.to_str().unwrap();
    let o = out.to_str().unwrap();
    let done = crate::sgpsim(&["run", s, "--out", o, "-q", "--threads", "1"]);
    assert!(done.status.success(), "{}", crate::stderr(&done));
    let whole = listing(&out);
    for delay_ms in [0u64, 20, 60, 120, 250, 400, 700, 1000] {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sgpsim"))
            .args(["run", s, "--out", o, "-q", "--threads", "1"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let sig = if delay_ms % 2 == 0 { "-TERM" } else { "-INT" };
        let _ = std::process::Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status();
        let r = child.wait_with_output().unwrap();
        // Whatever the moment: the previous results, whole, and nothing beside them.
        assert_eq!(
            listing(tmp.path()),
            ["out", "s.toml"],
            "after {delay_ms} ms: {}",
            crate::stderr(&r)
        );
        assert_eq!(listing(&out), whole, "after {delay_ms} ms");
        if !r.status.success() && !r.stderr.is_empty() {
            let e = String::from_utf8_lossy(&r.stderr);
            assert!(e.contains("interrupted"), "{e}");
        }
    }
}

#[test]
fn a_full_disk_is_named_and_leaves_nothing() {
    // /dev/full answers every write with ENOSPC: the files' writes fail as on a full disk.
    if !Path::new("/dev/full").exists() {
        return;
    }
    let e = sgpsim::output::directory::probe(Path::new("/dev/full/out")).unwrap_err();
    assert!(e.to_string().contains("fix:"), "{e}");
    let err = std::io::Error::from_raw_os_error(28);
    let shown = InputError::io("x", "write", &err).to_string();
    assert!(shown.contains("disk is full"), "{shown}");
}

#[test]
fn a_stale_lock_from_a_killed_run_does_not_block_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join(".out.lock");
    std::fs::create_dir(&lock).unwrap();
    std::fs::write(lock.join("pid"), "4294967294").unwrap();
    let toml = "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"sg-first\"]\n\
                [workload]\nfill = \"seed\"\n";
    let scenario = tmp.path().join("s.toml");
    std::fs::write(&scenario, toml).unwrap();
    let out = tmp.path().join("out");
    let r = crate::sgpsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(r.status.success(), "{}", crate::stderr(&r));
    assert!(!lock.exists());
}

// ----- the campaign's other findings, each pinned -----

#[test]
fn a_1us_timeline_interval_is_refused_with_the_estimate() {
    let toml = "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"sg-first\"]\n\
                [workload]\nip_pods = 10\n[timed]\nhorizon = 3600\ntimeline = { interval = 0.000001 }\n";
    let sc = Scenario::from_toml(toml, "s", &Catalog::bundled()).unwrap();
    let e = quick("cells", || sc.cells().map(|_| ())).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("timed.timeline.interval"));
    short(&e, "rows");
    assert!(e.problem.contains("3600000001"), "{e}");
}

#[test]
fn absurd_work_is_refused_with_the_estimate_and_the_limit_and_can_be_raised() {
    let toml = "instance_types = [\"m5.*\"]\ntrials = 1000000\n[workload]\nsg_pods = 5000\nip_pods = 5000\n\
                [nodes]\nautoscale = true\n";
    let mut sc = Scenario::from_toml(toml, "s", &Catalog::bundled()).unwrap();
    let e = quick("cells", || sc.cells().map(|_| ())).unwrap_err();
    short(&e, "more than the limit of 10000000000");
    assert!(e.fix.contains("--max-work"), "{e}");
    sc.max_work = u64::MAX;
    assert!(sc.cells().is_ok());
    // From the command line, before anything runs.
    let (_d, path) = crate::scenario_file(toml);
    let r = crate::sgpsim(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        _d.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(crate::stderr(&r).contains("--max-work"), "{}", crate::stderr(&r));
    assert!(!_d.path().join("o").exists());
}

#[test]
fn system_pods_near_u32_max_are_refused_not_wrapped() {
    let toml = "instance_types = [\"m5.large\"]\n[system_pods]\nhost = 4294967295\n[workload]\nfill = \"seed\"\n";
    let e = Scenario::from_toml(toml, "s", &Catalog::bundled()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("system_pods.host"));
    short(&e, "more than 100000");
    let r = crate::sgpsim(&["formulas", "m5.large", "--system-pods", "4294967295"]);
    assert_eq!(r.status.code(), Some(2), "{}", crate::stdout(&r));
    // Any other caller gets an error, not conservative wrapped to 17.
    let c = Catalog::bundled();
    let got = Formula::Conservative.max_pods(
        c.get("m5.large").unwrap(),
        &sgpsim::model::node::NodeSettings::default(),
        sgpsim::model::node::SystemPods { host: u32::MAX, ip: 0 },
    );
    assert!(got.is_err(), "{got:?}");
}

#[test]
fn a_catalog_memory_near_u64_max_is_refused() {
    let csv = format!(
        "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible,hypervisor,eni_max_pods,vcpus,memory_mib\n\
         zz.large,3,10,9,true,nitro,29,2,{}\n",
        u64::MAX - 1
    );
    let e = Catalog::bundled_with_text(&csv, "mine.csv").unwrap_err();
    short(&e, "memory_mib");
}

#[test]
fn a_1mb_type_name_is_refused_at_once() {
    let name = "m".repeat(1 << 20);
    let csv = format!("instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible\n{name},3,10,9,true\n");
    let e = quick("catalog", || Catalog::bundled_with_text(&csv, "mine.csv")).unwrap_err();
    short(&e, "instance_type");
    let cat = Catalog::bundled();
    let e = quick("select", || {
        cat.select(std::slice::from_ref(&name), "--types").map(|_| ())
    })
    .unwrap_err();
    short(&e, "characters long");
    let e = quick("unknown", || cat.unknown(&name, "--types"));
    short(&e, "unknown instance type");
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let (_d, path) = crate::scenario_file("");
    std::fs::write(&path, b"instance_types = [\"m5.large\"]\nname = \"\xff\xfe\"\n").unwrap();
    let e = Scenario::load(&path, &Catalog::bundled()).unwrap_err();
    short(&e, "byte offset 38 (line 2)");
}

#[test]
fn a_deep_dotted_key_says_what_is_wrong_and_where() {
    let toml = format!("a{} = 1\n", ".a".repeat(300));
    let e = Scenario::from_toml(&toml, "s", &Catalog::bundled()).unwrap_err();
    short(&e, "line 1");
    assert!(
        e.problem.contains("nest too deeply") || e.problem.contains("unknown field"),
        "{e}"
    );
}

// ----- found by the campaigns of this change (seeds 8675309 and 5551212) -----

#[test]
fn campaign_expect_long_instance_type_is_quoted_short() {
    let src = text("campaign-expect-long-instance-type.toml");
    let e = quick("scenario", || Scenario::from_toml(&src, "s", &Catalog::bundled())).unwrap_err();
    short(&e, "expect[");
}

#[test]
fn campaign_expect_long_metric_is_quoted_short() {
    let src = text("campaign-expect-long-metric.toml");
    let e = quick("scenario", || Scenario::from_toml(&src, "s", &Catalog::bundled())).unwrap_err();
    short(&e, "expect[");
}

/// The import (src/input/manifest/) still quotes a long
/// `spec.replicas` value whole: pinned as no panic and a clear error that
/// names the field, within a second; the length is left to the import's owner.
#[test]
fn campaign_manifest_long_replicas_is_a_clear_error() {
    let r = quick("import", || {
        import(
            &[crash("campaign-manifest-long-replicas.yaml")],
            &Catalog::bundled(),
            &ImportOptions::default(),
        )
    });
    let e = r.map(|_| ()).unwrap_err();
    assert!(e.to_string().contains("spec.replicas"), "{e}");
    assert!(e.to_string().contains("fix:"), "{e}");
}

#[test]
fn campaign_manifest_long_namespace_is_refused_in_a_line() {
    let r = quick("import", || {
        import(
            &[crash("campaign-manifest-long-namespace.yaml")],
            &Catalog::bundled(),
            &ImportOptions::default(),
        )
    });
    let e = r.map(|_| ()).unwrap_err();
    short(&e, "metadata.namespace");
    assert!(e.to_string().contains("at most 63 characters"), "{e}");
}

#[test]
fn campaign_manifest_long_host_network_is_an_excerpt() {
    let r = quick("import", || {
        import(
            &[crash("campaign-manifest-long-host-network.yaml")],
            &Catalog::bundled(),
            &ImportOptions::default(),
        )
    });
    let e = r.map(|_| ()).unwrap_err();
    short(&e, "hostNetwork");
    assert!(e.to_string().contains("is not true or false"), "{e}");
}
