//! A pod's CPU and memory requests from its spec: each container's and init
//! container's `resources.requests`, where a request is left out but a limit
//! is given the limit (the API server's defaulting, kubernetes
//! `pkg/apis/core/v1/defaults.go` `SetDefaults_Pod`: a manifest's pod
//! template has not been through it yet), sidecars (`restartPolicy: Always`)
//! marked, and `spec.overhead`. The sums the scheduler makes of them are the
//! model's ([`crate::model::requests::PodReq::of_pod`]).

use serde_json::Value;

use crate::input::bounds::{MAX_CPU_REQUEST_MILLI, MAX_MEMORY_REQUEST};
use crate::input::requests::{MAX_CONTAINERS, cpu, memory};
use crate::model::node::Res;
use crate::model::requests::{Container, PodShape};

/// A refusal: (field, problem, fix), for the caller to place in its file.
pub type Refusal = (String, String, String);

/// The pod's requests as its spec writes them; `spec_path` names the spec in
/// errors (`spec.template.spec`).
pub fn pod_requests(spec: &Value, spec_path: &str) -> Result<PodShape, Refusal> {
    let list = |key: &str| {
        spec.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    let read = |key: &str, at: &str| -> Result<Vec<Container>, Refusal> {
        let items = list(key);
        if items.len() > MAX_CONTAINERS {
            return Err((
                format!("{spec_path}.{key}"),
                format!("{} containers, more than {MAX_CONTAINERS}", items.len()),
                "check the pod spec".into(),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, c)| container(c, &format!("{spec_path}.{at}[{i}]")))
            .collect()
    };
    let shape = PodShape {
        containers: read("containers", "containers")?,
        init: read("initContainers", "initContainers")?,
        overhead: {
            let (cpu, memory) = quantities(spec.get("overhead"), &format!("{spec_path}.overhead"))?;
            Res {
                cpu: cpu.unwrap_or(0),
                memory: memory.unwrap_or(0),
            }
        },
    };
    let r = shape.request();
    let most = r.requested.max(r.scored);
    if most.cpu > MAX_CPU_REQUEST_MILLI || most.memory > MAX_MEMORY_REQUEST {
        return Err((
            spec_path.to_string(),
            format!(
                "the pod requests {}m CPU and {} bytes of memory, more than any node has",
                most.cpu, most.memory
            ),
            "check its containers' resources.requests for a typo".into(),
        ));
    }
    Ok(shape)
}

/// One container: its requests, a limit standing in for a request left out.
fn container(c: &Value, at: &str) -> Result<Container, Refusal> {
    let resources = c.get("resources");
    let (req_cpu, req_memory) = quantities(
        resources.and_then(|r| r.get("requests")),
        &format!("{at}.resources.requests"),
    )?;
    let (lim_cpu, lim_memory) = quantities(
        resources.and_then(|r| r.get("limits")),
        &format!("{at}.resources.limits"),
    )?;
    Ok(Container {
        cpu: req_cpu.or(lim_cpu),
        memory: req_memory.or(lim_memory),
        sidecar: c.get("restartPolicy").and_then(Value::as_str) == Some("Always"),
    })
}

/// `cpu` and `memory` of a resource list, each `None` where left out (other
/// resources are not modelled).
fn quantities(list: Option<&Value>, at: &str) -> Result<(Option<u64>, Option<u64>), Refusal> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let refusal = |e: crate::error::InputError| (e.field.unwrap_or_default(), e.problem, e.fix);
    let Some(list) = list else { return Ok((None, None)) };
    Ok((
        list.get("cpu")
            .map(|v| cpu(&text(v), &format!("{at}.cpu")).map_err(refusal))
            .transpose()?,
        list.get("memory")
            .map(|v| memory(&text(v), &format!("{at}.memory")).map_err(refusal))
            .transpose()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::MIB;
    use serde_json::json;

    fn c(cpu: &str, mem: &str) -> Value {
        json!({"name": "c", "resources": {"requests": {"cpu": cpu, "memory": mem}}})
    }

    fn requested(spec: &Value) -> Res {
        pod_requests(spec, "spec").unwrap().request().requested
    }

    /// By hand: containers 250m + 500m = 750m, 256Mi + 256Mi; an init
    /// container of 1 CPU raises CPU to 1000m (the max), not memory; a
    /// sidecar of 100m/64Mi adds to the sum (850m) and to the later init
    /// container's start (1 CPU + 100m = 1100m, the floor); overhead 10m, 8Mi.
    #[test]
    fn summed_as_the_scheduler_does() {
        let spec = json!({"containers": [c("250m", "256Mi"), c("500m", "256Mi")]});
        assert_eq!(
            requested(&spec),
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
            requested(&spec),
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
            requested(&spec),
            Res {
                cpu: 1110,
                memory: 584 * MIB
            }
        );
        // No resources at all: nothing requested. Numbers are quantities too.
        assert_eq!(requested(&json!({"containers": [{"name": "c"}]})), Res::ZERO);
        let spec = json!({"containers": [{"resources": {"requests": {"cpu": 0.5, "memory": 1024}}}]});
        assert_eq!(requested(&spec), Res { cpu: 500, memory: 1024 });
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
