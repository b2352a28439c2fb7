//! A pod's CPU and memory requests from its spec, summed as the scheduler
//! sums them (kubernetes `resourcehelper.PodRequests`, k8s.io/component-helpers):
//! the containers' requests added up; each init container counted with the
//! sidecars (init containers with `restartPolicy: Always`) started before
//! it, the largest of those the floor; sidecars also added to the sum; then
//! `max(sum, floor)` plus `spec.overhead`. A request left out counts 0.

use serde_json::Value;

use crate::input::bounds::{MAX_CPU_REQUEST_MILLI, MAX_MEMORY_REQUEST};
use crate::input::requests::{cpu, memory};
use crate::model::node::Res;

/// A refusal: (field, problem, fix), for the caller to place in its file.
pub type Refusal = (String, String, String);

/// The pod's requests; `spec_path` names the spec in errors
/// (`spec.template.spec`).
pub fn pod_requests(spec: &Value, spec_path: &str) -> Result<Res, Refusal> {
    let list = |key: &str| {
        spec.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    let mut sum = Res::ZERO;
    for (i, c) in list("containers").iter().enumerate() {
        sum = add(
            sum,
            requests_of(c.get("resources"), &format!("{spec_path}.containers[{i}]"))?,
        );
    }
    let mut sidecars = Res::ZERO;
    let mut floor = Res::ZERO;
    for (i, c) in list("initContainers").iter().enumerate() {
        let r = requests_of(c.get("resources"), &format!("{spec_path}.initContainers[{i}]"))?;
        let at_start = if c.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
            sum = add(sum, r);
            sidecars = add(sidecars, r);
            sidecars
        } else {
            add(r, sidecars)
        };
        floor = Res {
            cpu: floor.cpu.max(at_start.cpu),
            memory: floor.memory.max(at_start.memory),
        };
    }
    let mut pod = Res {
        cpu: sum.cpu.max(floor.cpu),
        memory: sum.memory.max(floor.memory),
    };
    pod = add(pod, quantities(spec.get("overhead"), &format!("{spec_path}.overhead"))?);
    if pod.cpu > MAX_CPU_REQUEST_MILLI || pod.memory > MAX_MEMORY_REQUEST {
        return Err((
            spec_path.to_string(),
            format!(
                "the pod requests {}m CPU and {} bytes of memory, more than any node has",
                pod.cpu, pod.memory
            ),
            "check its containers' resources.requests for a typo".into(),
        ));
    }
    Ok(pod)
}

fn add(a: Res, b: Res) -> Res {
    a.plus_times(b, 1)
}

/// A container's `resources.requests`.
fn requests_of(resources: Option<&Value>, at: &str) -> Result<Res, Refusal> {
    quantities(
        resources.and_then(|r| r.get("requests")),
        &format!("{at}.resources.requests"),
    )
}

/// `cpu` and `memory` of a resource list (other resources are not modelled).
fn quantities(list: Option<&Value>, at: &str) -> Result<Res, Refusal> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let refusal = |e: crate::error::InputError| (e.field.unwrap_or_default(), e.problem, e.fix);
    let Some(list) = list else { return Ok(Res::ZERO) };
    Ok(Res {
        cpu: match list.get("cpu") {
            Some(v) => cpu(&text(v), &format!("{at}.cpu")).map_err(refusal)?,
            None => 0,
        },
        memory: match list.get("memory") {
            Some(v) => memory(&text(v), &format!("{at}.memory")).map_err(refusal)?,
            None => 0,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::MIB;
    use serde_json::json;

    fn c(cpu: &str, mem: &str) -> Value {
        json!({"name": "c", "resources": {"requests": {"cpu": cpu, "memory": mem}}})
    }

    /// By hand: containers 250m + 500m = 750m, 256Mi + 256Mi; an init
    /// container of 1 CPU raises CPU to 1000m (the max), not memory; a
    /// sidecar of 100m/64Mi adds to the sum (850m) and to the later init
    /// container's start (1 CPU + 100m = 1100m, the floor); overhead 10m, 8Mi.
    #[test]
    fn summed_as_the_scheduler_does() {
        let spec = json!({"containers": [c("250m", "256Mi"), c("500m", "256Mi")]});
        assert_eq!(
            pod_requests(&spec, "spec").unwrap(),
            Res {
                cpu: 750,
                memory: 512 * MIB
            }
        );
        let spec = json!({
            "containers": [c("250m", "256Mi"), c("500m", "256Mi")],
            "initContainers": [c("1", "128Mi")],
        });
        assert_eq!(
            pod_requests(&spec, "spec").unwrap(),
            Res {
                cpu: 1000,
                memory: 512 * MIB
            }
        );
        let mut sidecar = c("100m", "64Mi");
        sidecar["restartPolicy"] = json!("Always");
        let spec = json!({
            "containers": [c("250m", "256Mi"), c("500m", "256Mi")],
            "initContainers": [sidecar, c("1", "128Mi")],
            "overhead": {"cpu": "10m", "memory": "8Mi"},
        });
        assert_eq!(
            pod_requests(&spec, "spec").unwrap(),
            Res {
                cpu: 1110,
                memory: 584 * MIB
            }
        );
        // No resources at all: nothing requested. Numbers are quantities too.
        assert_eq!(
            pod_requests(&json!({"containers": [{"name": "c"}]}), "spec").unwrap(),
            Res::ZERO
        );
        let spec = json!({"containers": [{"resources": {"requests": {"cpu": 0.5, "memory": 1024}}}]});
        assert_eq!(pod_requests(&spec, "spec").unwrap(), Res { cpu: 500, memory: 1024 });
    }

    #[test]
    fn bad_quantities_name_the_container() {
        let spec = json!({"containers": [c("1", "1Gi"), c("lots", "1Gi")]});
        let (field, problem, _) = pod_requests(&spec, "spec.template.spec").unwrap_err();
        assert_eq!(field, "spec.template.spec.containers[1].resources.requests.cpu");
        assert!(problem.contains("not a CPU quantity"), "{problem}");
        let spec = json!({"containers": [c("999", "1Gi"), c("999", "1Gi")]});
        let (field, problem, _) = pod_requests(&spec, "spec").unwrap_err();
        assert_eq!(field, "spec");
        assert!(problem.contains("more than any node"), "{problem}");
    }
}
