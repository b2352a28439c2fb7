//! CPU and memory requests (MODEL.md §5): `[workload.requests]` and
//! `[system_pods.requests]` in a scenario, one table per pod kind, and a
//! `requests` table per `[[workload.groups]]` entry. Each is a pod of one
//! container (`ip = { cpu = "250m", memory = "512Mi" }`) or of several
//! (`containers = [{ cpu = "250m" }, { memory = "64Mi" }]`), optionally with
//! `init_containers` (a sidecar has `sidecar = true`) and `overhead`, summed
//! as the scheduler sums them ([`crate::model::requests::PodReq::of_pod`]):
//! a key left out is not requested, and the scores count 100m and 200 MiB
//! for it; an explicit `0` is kept. Quantities are read exactly
//! ([`crate::input::quantity::scaled`]) and bounded
//! ([`MAX_CPU_REQUEST_MILLI`], [`MAX_MEMORY_REQUEST`]), so sums on a node
//! cannot overflow.

use serde::Deserialize;

use crate::error::InputError;
use crate::input::bounds::{MAX_CPU_REQUEST_MILLI, MAX_MEMORY_REQUEST, excerpt};
use crate::input::quantity::{Refused, scaled};
use crate::model::node::{MIB, Res};
use crate::model::requests::{Container, PodReq};

/// The most containers (and init containers) a pod's request table lists.
pub const MAX_CONTAINERS: usize = 64;

/// One pod's requests as written: one container's `cpu` and `memory`, or
/// `containers`; then optional `init_containers` and `overhead`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    pub cpu: Option<toml::Value>,
    pub memory: Option<toml::Value>,
    pub containers: Option<Vec<RawContainer>>,
    pub init_containers: Option<Vec<RawContainer>>,
    pub overhead: Option<RawQuantities>,
}

/// One container's requests; `sidecar = true` marks an init container with
/// `restartPolicy: Always`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainer {
    pub cpu: Option<toml::Value>,
    pub memory: Option<toml::Value>,
    pub sidecar: Option<bool>,
}

/// `cpu` and `memory` alone (a pod's overhead).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuantities {
    pub cpu: Option<toml::Value>,
    pub memory: Option<toml::Value>,
}

/// `[workload.requests]`: per workload pod kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkloadRequests {
    pub sg: Option<RawRequest>,
    pub ip: Option<RawRequest>,
    pub host: Option<RawRequest>,
}

/// `[system_pods.requests]`: per system pod kind (host and IP DaemonSet pods).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystemRequests {
    pub host: Option<RawRequest>,
    pub ip: Option<RawRequest>,
}

/// The workload's requests per kind (`Kind::index` order: sg, ip, host).
pub fn workload(raw: &RawWorkloadRequests) -> Result<[PodReq; 3], InputError> {
    Ok([
        pod(raw.sg.as_ref(), "workload.requests.sg")?,
        pod(raw.ip.as_ref(), "workload.requests.ip")?,
        pod(raw.host.as_ref(), "workload.requests.host")?,
    ])
}

/// The system pods' requests: (host, ip).
pub fn system(raw: &RawSystemRequests) -> Result<(PodReq, PodReq), InputError> {
    Ok((
        pod(raw.host.as_ref(), "system_pods.requests.host")?,
        pod(raw.ip.as_ref(), "system_pods.requests.ip")?,
    ))
}

/// One pod's requests; `None` (no table) is a pod of one container that
/// requests nothing. `field` names the table in errors.
pub fn pod(raw: Option<&RawRequest>, field: &str) -> Result<PodReq, InputError> {
    let Some(r) = raw else {
        return Ok(PodReq::single(None, None));
    };
    let main = match &r.containers {
        Some(list) => {
            if r.cpu.is_some() || r.memory.is_some() {
                return Err(InputError::field(
                    field,
                    "both `containers` and a one-container pod's `cpu` or `memory` are given",
                    "give each container's requests in `containers`, or drop `containers` for a pod of one container",
                ));
            }
            if list.is_empty() {
                return Err(InputError::field(
                    format!("{field}.containers"),
                    "a pod has at least one container",
                    "list the containers, e.g. `containers = [{ cpu = \"250m\" }]`",
                ));
            }
            containers(list, &format!("{field}.containers"), false)?
        }
        None => vec![Container {
            cpu: quantity(r.cpu.as_ref(), &format!("{field}.cpu"), cpu)?,
            memory: quantity(r.memory.as_ref(), &format!("{field}.memory"), memory)?,
            sidecar: false,
        }],
    };
    let init = match &r.init_containers {
        Some(list) => containers(list, &format!("{field}.init_containers"), true)?,
        None => Vec::new(),
    };
    let overhead = match &r.overhead {
        Some(o) => Res {
            cpu: quantity(o.cpu.as_ref(), &format!("{field}.overhead.cpu"), cpu)?.unwrap_or(0),
            memory: quantity(o.memory.as_ref(), &format!("{field}.overhead.memory"), memory)?.unwrap_or(0),
        },
        None => Res::ZERO,
    };
    let req = PodReq::of_pod(&main, &init, overhead);
    let most = req.requested.max(req.scored);
    if most.cpu > MAX_CPU_REQUEST_MILLI || most.memory > MAX_MEMORY_REQUEST {
        return Err(InputError::field(
            field,
            format!(
                "the pod requests {}m CPU and {} MiB of memory in all, more than any node has",
                most.cpu,
                most.memory / MIB
            ),
            "check its containers' requests for a typo",
        ));
    }
    Ok(req)
}

fn containers(list: &[RawContainer], field: &str, init: bool) -> Result<Vec<Container>, InputError> {
    if list.len() > MAX_CONTAINERS {
        return Err(InputError::field(
            field,
            format!("{} containers, more than {MAX_CONTAINERS}", list.len()),
            "give the pod's containers, at most that many",
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, c)| {
            let at = format!("{field}[{i}]");
            if c.sidecar.is_some() && !init {
                return Err(InputError::field(
                    format!("{at}.sidecar"),
                    "only an init container can be a sidecar",
                    "move it to `init_containers`, or drop `sidecar`",
                ));
            }
            Ok(Container {
                cpu: quantity(c.cpu.as_ref(), &format!("{at}.cpu"), cpu)?,
                memory: quantity(c.memory.as_ref(), &format!("{at}.memory"), memory)?,
                sidecar: c.sidecar.unwrap_or(false),
            })
        })
        .collect()
}

/// A quantity that may be left out (`None`).
fn quantity(
    v: Option<&toml::Value>,
    field: &str,
    read: fn(&str, &str) -> Result<u64, InputError>,
) -> Result<Option<u64>, InputError> {
    v.map(|v| read(&text(v), field)).transpose()
}

/// A request given as a flag, `cpu=250m,memory=512Mi` (either key may be
/// left out: not requested), as the filter counts it.
pub fn flag(text: &str, flag: &str) -> Result<Res, InputError> {
    let fix = "write e.g. cpu=250m,memory=512Mi (either may be left out)";
    let mut r = Res::ZERO;
    let mut seen = (false, false);
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(InputError::field(
                flag,
                format!("`{}` is not key=quantity", excerpt(part)),
                fix,
            ));
        };
        match key.trim() {
            "cpu" if !seen.0 => {
                seen.0 = true;
                r.cpu = cpu(value.trim(), flag)?;
            }
            "memory" if !seen.1 => {
                seen.1 = true;
                r.memory = memory(value.trim(), flag)?;
            }
            other => {
                return Err(InputError::field(
                    flag,
                    format!("`{}` is not cpu or memory, or is given twice", excerpt(other)),
                    fix,
                ));
            }
        }
    }
    Ok(r)
}

/// A TOML value as the quantity text it stands for (`0.5` as `"0.5"`).
fn text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        other => format!("{other}"),
    }
}

/// A CPU request in millicores, checked against [`MAX_CPU_REQUEST_MILLI`];
/// `field` names it in the error. Shared with the manifest import.
pub fn cpu(text: &str, field: &str) -> Result<u64, InputError> {
    let fix = "give cores as Kubernetes writes them, e.g. \"250m\" or \"2\"";
    let milli = scaled(text, 3).map_err(|r| refused(r, text, field, "a CPU quantity", fix))?;
    if milli > MAX_CPU_REQUEST_MILLI {
        return Err(InputError::field(
            field,
            format!(
                "`{}` is more CPU than any node has (at most {} cores)",
                excerpt(text),
                MAX_CPU_REQUEST_MILLI / 1000
            ),
            fix,
        ));
    }
    Ok(milli)
}

/// A memory request in bytes, checked against [`MAX_MEMORY_REQUEST`].
pub fn memory(text: &str, field: &str) -> Result<u64, InputError> {
    let fix = "give bytes as Kubernetes writes them, e.g. \"512Mi\" or \"2Gi\"";
    let bytes = scaled(text, 0).map_err(|r| refused(r, text, field, "a memory quantity", fix))?;
    if bytes > MAX_MEMORY_REQUEST {
        return Err(InputError::field(
            field,
            format!(
                "`{}` is more memory than any node has (at most {} GiB)",
                excerpt(text),
                MAX_MEMORY_REQUEST / (1024 * MIB)
            ),
            fix,
        ));
    }
    Ok(bytes)
}

fn refused(r: Refused, text: &str, field: &str, what: &str, fix: &str) -> InputError {
    let shown = excerpt(text);
    let problem = match r {
        Refused::NotAQuantity => format!("`{shown}` is not {what}"),
        Refused::Negative => format!("`{shown}` is negative: a request is at least 0"),
        Refused::TooLarge => format!("`{shown}` is far larger than any node"),
    };
    InputError::field(field, problem, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(cpu: &str, memory: &str) -> RawRequest {
        RawRequest {
            cpu: Some(toml::Value::String(cpu.into())),
            memory: Some(toml::Value::String(memory.into())),
            ..Default::default()
        }
    }

    fn table(text: &str) -> RawRequest {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn requests_are_read_per_kind() {
        let raw = RawWorkloadRequests {
            ip: Some(req("250m", "512Mi")),
            host: Some(RawRequest {
                cpu: Some(toml::Value::Integer(2)),
                ..Default::default()
            }),
            ..Default::default()
        };
        let r = workload(&raw).unwrap();
        // No table: one container that requests nothing (scored 100m / 200 MiB).
        assert_eq!(r[0], PodReq::single(None, None));
        assert_eq!(r[0].requested, Res::ZERO);
        assert_eq!(
            r[1].requested,
            Res {
                cpu: 250,
                memory: 512 * MIB
            }
        );
        assert_eq!(r[1].scored, r[1].requested);
        // Memory left out: not requested, scored 200 MiB.
        assert_eq!(r[2].requested, Res { cpu: 2000, memory: 0 });
        assert_eq!(
            r[2].scored,
            Res {
                cpu: 2000,
                memory: 200 * MIB
            }
        );
        let f = RawRequest {
            cpu: Some(toml::Value::Float(0.5)),
            ..Default::default()
        };
        assert_eq!(pod(Some(&f), "x").unwrap().requested.cpu, 500);
    }

    /// An explicit zero is kept for the scores; containers, init containers
    /// and overhead are summed as the scheduler does.
    #[test]
    fn explicit_zeros_and_several_containers() {
        let zero = pod(Some(&table("cpu = \"0\"\nmemory = 0")), "x").unwrap();
        assert_eq!(zero, PodReq::ZERO);
        let r = pod(
            Some(&table(
                "containers = [{ cpu = \"250m\" }, { memory = \"64Mi\" }]\n\
                 init_containers = [{ cpu = \"1\", sidecar = true }]\noverhead = { cpu = \"10m\" }",
            )),
            "x",
        )
        .unwrap();
        // Filter: 250m + 1 (sidecar) + 10m; 64 MiB. Scores: the first
        // container's memory and the second's CPU defaulted, the sidecar's
        // memory too: 250 + 100 + 1000 + 10 = 1360m; 200 + 64 + 200 = 464 MiB.
        assert_eq!(
            r.requested,
            Res {
                cpu: 1260,
                memory: 64 * MIB
            }
        );
        assert_eq!(
            r.scored,
            Res {
                cpu: 1360,
                memory: 464 * MIB
            }
        );
    }

    /// `--ip-request cpu=250m,memory=512Mi`, either key optional.
    #[test]
    fn requests_as_flags() {
        assert_eq!(
            flag("cpu=250m,memory=512Mi", "--ip-request").unwrap(),
            Res {
                cpu: 250,
                memory: 512 * MIB
            }
        );
        assert_eq!(flag("memory=1Gi", "--ip-request").unwrap().cpu, 0);
        for bad in ["250m", "gpu=1", "cpu=1,cpu=2", "cpu=lots"] {
            let e = flag(bad, "--ip-request").unwrap_err();
            assert_eq!(e.field.as_deref(), Some("--ip-request"), "{bad}: {e}");
        }
    }

    /// Each refusal names the field and says what is wrong.
    #[test]
    fn bad_requests_name_the_field() {
        let cases = [
            (req("abc", "1Gi"), "workload.requests.ip.cpu", "not a CPU quantity"),
            (req("-1", "1Gi"), "workload.requests.ip.cpu", "negative"),
            (req("5000", "1Gi"), "workload.requests.ip.cpu", "more CPU than any node"),
            (req("1", "lots"), "workload.requests.ip.memory", "not a memory quantity"),
            (
                req("1", "64Ti"),
                "workload.requests.ip.memory",
                "more memory than any node",
            ),
            (req("1", "1e40"), "workload.requests.ip.memory", "far larger"),
        ];
        for (r, field, problem) in cases {
            let raw = RawWorkloadRequests {
                ip: Some(r),
                ..Default::default()
            };
            let e = workload(&raw).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{e}");
            assert!(e.problem.contains(problem), "{e}");
            assert!(e.fix.contains("e.g."), "{e}");
        }
        let cases = [
            ("cpu = \"1\"\ncontainers = [{ cpu = \"1\" }]", "x", "both `containers`"),
            ("containers = []", "x.containers", "at least one container"),
            (
                "containers = [{ cpu = \"1\", sidecar = true }]",
                "x.containers[0].sidecar",
                "init container",
            ),
            (
                "containers = [{ cpu = \"x\" }]",
                "x.containers[0].cpu",
                "not a CPU quantity",
            ),
            (
                "containers = [{ cpu = \"600\" }, { cpu = \"600\" }]",
                "x",
                "more than any node has",
            ),
        ];
        for (text, field, problem) in cases {
            let e = pod(Some(&table(text)), "x").unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{text}: {e}");
            assert!(e.problem.contains(problem), "{text}: {e}");
        }
    }
}
