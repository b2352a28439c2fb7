//! `sgpsim export job`: a sweep as Kubernetes objects. A ConfigMap holds
//! the scenario; a `batch/v1` Job with `completionMode: Indexed` runs its N
//! parts (`sgpsim run --shard auto/N`, the index from the
//! `JOB_COMPLETION_INDEX` the Job controller adds to each container's
//! environment, kubernetes `pkg/controller/job/indexed_job_utils.go`), each
//! writing `part.json` to a shared volume; a second Job waits for every part
//! (`sgpsim merge --wait`) and writes the results directory beside them.
//!
//! Requests are sized from the figures in `results/BENCHMARKS.md` and the
//! plan's largest part; the estimate is written into each Job's annotations.

use serde_json::{Value, json};

/// Pods placed per second on one core by the static replay on a cluster
/// (`trial/autoscale_100_nodes`: 42 M/s; the one-node path is 3× faster, so
/// this errs long).
pub const STATIC_PODS_PER_CORE_S: f64 = 40e6;
/// Pod starts per second on one core in the timed engine
/// (`timed/churn_1h_1000_nodes`: 7.1 M events/s, 2.8 events per arrival).
pub const TIMED_STARTS_PER_CORE_S: f64 = 2.5e6;
/// Peak memory per pod of a timed trial (`timed/rollout_500k_pods`: 50.9 MB
/// for 500,000 pods, about 100 bytes a pod), per thread.
pub const TIMED_BYTES_PER_POD: u64 = 128;
/// Memory a part needs whatever its size: the binary, the catalog, the
/// scenario and its cells.
pub const BASE_MEMORY_MIB: u64 = 64;
/// Memory per trial a part or the merge keeps (the failure histogram's
/// values, a timed trial's cost), rounded up.
pub const BYTES_PER_TRIAL: u64 = 16;

/// What the objects are made of.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// The prefix of every object's name (a DNS label).
    pub name: String,
    /// The scenario's name: the results directory's.
    pub scenario_name: String,
    pub scenario_text: String,
    /// A trace-driven scenario's trace: its path in the scenario (relative) and its text.
    pub trace: Option<(String, String)>,
    pub shards: u32,
    pub parallelism: u32,
    pub image: String,
    /// The PersistentVolumeClaim (ReadWriteMany) the parts and the results go to.
    pub pvc: String,
    /// Threads (and CPUs requested) per part.
    pub cpus: u32,
    pub estimate: Estimate,
}

/// The plan's figures the requests are sized from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub timed: bool,
    /// The largest part's estimated work: pods placed (static) or pod starts (timed).
    pub part_work_max: u64,
    /// The most pods one trial holds (a timed trial's memory).
    pub pods_per_trial_max: u64,
    /// The most trials one part runs, and the whole sweep's.
    pub part_trials_max: u64,
    pub trials: u64,
}

impl Estimate {
    /// Seconds the largest part takes on `cpus` cores, from the bench figures.
    pub fn part_seconds(&self, cpus: u32) -> f64 {
        let rate = if self.timed {
            TIMED_STARTS_PER_CORE_S
        } else {
            STATIC_PODS_PER_CORE_S
        };
        self.part_work_max as f64 / rate / f64::from(cpus.max(1))
    }

    /// Memory a part requests, in MiB.
    pub fn part_memory_mib(&self, cpus: u32) -> u64 {
        let per_thread = if self.timed {
            self.pods_per_trial_max * TIMED_BYTES_PER_POD
        } else {
            0
        };
        let bytes = per_thread * u64::from(cpus.max(1)) + self.part_trials_max * BYTES_PER_TRIAL;
        BASE_MEMORY_MIB + bytes.div_ceil(1 << 20)
    }

    /// Memory the merge requests, in MiB (it holds every cell's totals and draws the report).
    pub fn merge_memory_mib(&self) -> u64 {
        2 * BASE_MEMORY_MIB + 64 + (self.trials * BYTES_PER_TRIAL).div_ceil(1 << 20)
    }
}

/// Where the pods mount things.
const SCENARIO_DIR: &str = "/scenario";
const DATA_DIR: &str = "/data";

/// The objects, as YAML documents: the ConfigMap, the parts' Job, the merge's Job.
pub fn render(s: &JobSpec) -> String {
    let labels = json!({
        "app.kubernetes.io/name": "sgpsim",
        "app.kubernetes.io/instance": s.name,
    });
    let config = format!("{}-scenario", s.name);
    let mut data = serde_json::Map::new();
    data.insert("scenario.toml".into(), Value::String(s.scenario_text.clone()));
    let mut items = vec![json!({"key": "scenario.toml", "path": "scenario.toml"})];
    if let Some((path, text)) = &s.trace {
        data.insert("trace".into(), Value::String(text.clone()));
        items.push(json!({"key": "trace", "path": path}));
    }
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": config, "labels": labels},
        "data": data,
    });
    let root = format!("{DATA_DIR}/{}", s.name);
    let parts_dir = format!("{root}/parts");
    let results_dir = format!("{root}/results/{}", s.scenario_name);
    let seconds = s.estimate.part_seconds(s.cpus);
    let volumes = json!([
        {"name": "scenario", "configMap": {"name": config, "items": items}},
        {"name": "data", "persistentVolumeClaim": {"claimName": s.pvc}},
    ]);
    let mounts = json!([
        {"name": "scenario", "mountPath": SCENARIO_DIR, "readOnly": true},
        {"name": "data", "mountPath": DATA_DIR},
    ]);
    let pod_security = json!({
        "runAsNonRoot": true,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    });
    let container_security = json!({
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "capabilities": {"drop": ["ALL"]},
    });
    let part_mib = s.estimate.part_memory_mib(s.cpus);
    let parts = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": format!("{}-parts", s.name),
            "labels": labels,
            "annotations": {
                "sgpsim/estimate": format!(
                    "largest part: {} {} on {} CPU each, about {:.0} s by results/BENCHMARKS.md",
                    s.estimate.part_work_max,
                    if s.estimate.timed { "pod starts" } else { "pod placements" },
                    s.cpus,
                    seconds.ceil()
                ),
            },
        },
        "spec": {
            "completionMode": "Indexed",
            "completions": s.shards,
            "parallelism": s.parallelism,
            // A part that fails is retried alone; the others keep their results.
            "backoffLimitPerIndex": 2,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "securityContext": pod_security,
                    "containers": [{
                        "name": "part",
                        "image": s.image,
                        "args": [
                            "run", format!("{SCENARIO_DIR}/scenario.toml"),
                            "--shard", format!("auto/{}", s.shards),
                            "--threads", s.cpus.to_string(),
                            "--out", format!("{parts_dir}/$(JOB_COMPLETION_INDEX)"),
                        ],
                        "resources": {
                            "requests": {"cpu": s.cpus.to_string(), "memory": format!("{part_mib}Mi")},
                            "limits": {"memory": format!("{}Mi", 2 * part_mib)},
                        },
                        "securityContext": container_security,
                        "volumeMounts": mounts,
                    }],
                    "volumes": volumes,
                },
            },
        },
    });
    let merge_mib = s.estimate.merge_memory_mib();
    // The merge waits for every part as long as the parts are expected to
    // take, three times over, and an hour more.
    let wait = (seconds * 3.0).ceil() as u64 * u64::from(s.shards.div_ceil(s.parallelism.max(1))) + 3600;
    let merge = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": format!("{}-merge", s.name), "labels": labels},
        "spec": {
            "completions": 1,
            "backoffLimit": 2,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "securityContext": pod_security,
                    "containers": [{
                        "name": "merge",
                        "image": s.image,
                        "args": [
                            "merge", parts_dir,
                            "--wait", wait.to_string(),
                            "--out", results_dir,
                        ],
                        "resources": {
                            "requests": {"cpu": "1", "memory": format!("{merge_mib}Mi")},
                            "limits": {"memory": format!("{}Mi", 2 * merge_mib)},
                        },
                        "securityContext": container_security,
                        "volumeMounts": mounts,
                    }],
                    "volumes": volumes,
                },
            },
        },
    });
    let mut text = format!(
        "# sgpsim export job: scenario `{}` in {} parts, {} at a time, on image {}.\n\
         # Needs the PersistentVolumeClaim `{}` (ReadWriteMany) in the namespace.\n\
         # Parts go to {parts_dir}/<index>/part.json; the merge Job waits for all of them\n\
         # and writes {results_dir}/ (what `sgpsim run` writes, byte for byte).\n\
         # Largest part: about {:.0} s on {} CPU each (results/BENCHMARKS.md's figures).\n",
        s.scenario_name,
        s.shards,
        s.parallelism,
        s.image,
        s.pvc,
        seconds.ceil(),
        s.cpus,
    );
    for doc in [config_map, parts, merge] {
        text.push_str("---\n");
        let y = serde_saphyr::to_string(&doc).expect("plain JSON values serialize");
        text.push_str(y.trim_start_matches("---\n"));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}
