//! CPU and memory requests (MODEL.md §5): `[workload.requests]` and
//! `[system_pods.requests]` in a scenario, one table per pod kind, each with
//! `cpu` and `memory` as Kubernetes quantities (`ip = { cpu = "250m",
//! memory = "512Mi" }`). Read exactly ([`crate::input::quantity::scaled`])
//! and bounded ([`MAX_CPU_REQUEST_MILLI`], [`MAX_MEMORY_REQUEST`]), so sums
//! on a node cannot overflow.

use serde::Deserialize;

use crate::error::InputError;
use crate::input::bounds::{MAX_CPU_REQUEST_MILLI, MAX_MEMORY_REQUEST, excerpt};
use crate::input::quantity::{Refused, scaled};
use crate::model::node::{MIB, Res};

/// One kind's requests as written. A request left out is 0: not requested.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
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
pub fn workload(raw: &RawWorkloadRequests) -> Result<[Res; 3], InputError> {
    Ok([
        one(raw.sg.as_ref(), "workload.requests.sg")?,
        one(raw.ip.as_ref(), "workload.requests.ip")?,
        one(raw.host.as_ref(), "workload.requests.host")?,
    ])
}

/// The system pods' requests: (host, ip).
pub fn system(raw: &RawSystemRequests) -> Result<(Res, Res), InputError> {
    Ok((
        one(raw.host.as_ref(), "system_pods.requests.host")?,
        one(raw.ip.as_ref(), "system_pods.requests.ip")?,
    ))
}

fn one(raw: Option<&RawRequest>, field: &str) -> Result<Res, InputError> {
    let Some(r) = raw else { return Ok(Res::ZERO) };
    Ok(Res {
        cpu: r
            .cpu
            .as_ref()
            .map(|v| cpu(&text(v), &format!("{field}.cpu")))
            .transpose()?
            .unwrap_or(0),
        memory: r
            .memory
            .as_ref()
            .map(|v| memory(&text(v), &format!("{field}.memory")))
            .transpose()?
            .unwrap_or(0),
    })
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
        }
    }

    #[test]
    fn requests_are_read_per_kind() {
        let raw = RawWorkloadRequests {
            ip: Some(req("250m", "512Mi")),
            host: Some(RawRequest {
                cpu: Some(toml::Value::Integer(2)),
                memory: None,
            }),
            ..Default::default()
        };
        let r = workload(&raw).unwrap();
        assert_eq!(r[0], Res::ZERO);
        assert_eq!(
            r[1],
            Res {
                cpu: 250,
                memory: 512 * MIB
            }
        );
        assert_eq!(r[2], Res { cpu: 2000, memory: 0 });
        let f = RawRequest {
            cpu: Some(toml::Value::Float(0.5)),
            memory: None,
        };
        assert_eq!(one(Some(&f), "x").unwrap().cpu, 500);
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
    }
}
