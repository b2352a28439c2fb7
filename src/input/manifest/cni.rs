//! The VPC CNI's settings, as the `aws-node` container's environment sets
//! them: in a DaemonSet's pod template (manifests) or in a running pod
//! (a cluster dump).
//!
//! Names and defaults are the CNI's (aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`,
//! README "CNI Configuration Variables"): `ENABLE_POD_ENI` (false),
//! `ENABLE_PREFIX_DELEGATION` (false), `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG`
//! (false), `ENABLE_IPv6` (false), `WARM_ENI_TARGET` (1), `WARM_IP_TARGET`,
//! `MINIMUM_IP_TARGET`, `WARM_PREFIX_TARGET` and `MAX_ENI` (unset). Booleans
//! are read as Go's `strconv.ParseBool` reads them; a value it rejects leaves
//! the default, as the CNI does, with a note.

use crate::input::bounds::excerpt;
use serde_json::Value;

use super::selector::scalar;

/// The container that carries the settings.
pub const CONTAINER: &str = "aws-node";

/// The first CNI version that reserves the trunk's ENI slot only on types
/// that can take a trunk (aws/amazon-vpc-cni-k8s PR #3250, tag v1.20.4).
pub const TRUNK_ONLY_WHERE_COMPATIBLE: (u32, u32, u32) = crate::model::node::CNI_TRUNK_ONLY_WHERE_COMPATIBLE;
/// The first CNI version that reserves the trunk's slot at all (v1.16.4):
/// before it, the trunk ENI's IPs went to pods.
pub const TRUNK_SLOT_RESERVED: (u32, u32, u32) = crate::model::node::CNI_TRUNK_SLOT_RESERVED;

/// What the environment says; `None` where a variable is unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CniSettings {
    /// Where the settings were read (`DaemonSet kube-system/aws-node`).
    pub origin: String,
    pub pod_eni: Option<bool>,
    pub prefix_delegation: Option<bool>,
    pub custom_networking: Option<bool>,
    pub ipv6: Option<bool>,
    pub warm_eni_target: Option<u32>,
    pub warm_ip_target: Option<u32>,
    pub minimum_ip_target: Option<u32>,
    pub warm_prefix_target: Option<u32>,
    pub max_eni: Option<u32>,
    /// The container image, and the version its tag names.
    pub image: Option<String>,
    pub version: Option<(u32, u32, u32)>,
    /// Variables set but not read: `valueFrom`, or values the CNI would reject.
    pub notes: Vec<String>,
}

impl CniSettings {
    /// `ENABLE_POD_ENI`: a trunk ENI on trunk-compatible nodes.
    pub fn sgp(&self) -> bool {
        self.pod_eni.unwrap_or(false)
    }
    pub fn pd(&self) -> bool {
        self.prefix_delegation.unwrap_or(false)
    }
    pub fn custom(&self) -> bool {
        self.custom_networking.unwrap_or(false)
    }
    pub fn is_ipv6(&self) -> bool {
        self.ipv6.unwrap_or(false)
    }

    /// CNI versions from v1.16.4 up to v1.20.4 reserved the trunk's slot on
    /// every node with `ENABLE_POD_ENI=true`, trunk-compatible or not (MODEL.md §3).
    pub fn reserves_slot_on_every_type(&self) -> bool {
        self.sgp()
            && self
                .version
                .is_some_and(|v| v >= TRUNK_SLOT_RESERVED && v < TRUNK_ONLY_WHERE_COMPATIBLE)
    }

    /// `NAME=value` for every variable that is set, in a fixed order.
    pub fn describe(&self) -> Vec<String> {
        let b = |n: &str, v: Option<bool>| v.map(|v| format!("{n}={v}"));
        let u = |n: &str, v: Option<u32>| v.map(|v| format!("{n}={v}"));
        [
            b("ENABLE_POD_ENI", self.pod_eni),
            b("ENABLE_PREFIX_DELEGATION", self.prefix_delegation),
            b("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", self.custom_networking),
            b("ENABLE_IPv6", self.ipv6),
            u("WARM_ENI_TARGET", self.warm_eni_target),
            u("WARM_IP_TARGET", self.warm_ip_target),
            u("MINIMUM_IP_TARGET", self.minimum_ip_target),
            u("WARM_PREFIX_TARGET", self.warm_prefix_target),
            u("MAX_ENI", self.max_eni),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The settings that change a node's capacities, for comparing pods.
    pub fn capacity_key(&self) -> (bool, bool, bool, bool, Option<u32>, bool) {
        (
            self.sgp(),
            self.pd(),
            self.custom(),
            self.is_ipv6(),
            self.max_eni,
            self.reserves_slot_on_every_type(),
        )
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `v1.19.2-eksbuild.1` (the tag of `.../amazon-k8s-cni:v1.19.2-eksbuild.1`) as (1, 19, 2).
pub fn image_version(image: &str) -> Option<(u32, u32, u32)> {
    let tag = image.rsplit_once(':')?.1;
    let tag = tag.split('@').next()?.strip_prefix('v').unwrap_or(tag);
    let core = tag.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next().flatten().unwrap_or(0)))
}

/// The container of a pod spec that carries the CNI's settings.
pub fn cni_container(pod_spec: &Value) -> Option<&Value> {
    let containers = pod_spec.get("containers")?.as_array()?;
    containers
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(CONTAINER))
        .or_else(|| containers.first())
}

/// Reads the settings from a pod spec (a DaemonSet's template or a pod's).
pub fn from_pod_spec(pod_spec: &Value, origin: &str) -> CniSettings {
    let mut s = CniSettings {
        origin: origin.to_string(),
        ..Default::default()
    };
    let Some(c) = cni_container(pod_spec) else {
        s.notes
            .push(format!("{origin}: no containers: the CNI's defaults are assumed"));
        return s;
    };
    s.image = c.get("image").and_then(scalar);
    s.version = s.image.as_deref().and_then(image_version);
    let env = c.get("env").and_then(Value::as_array).cloned().unwrap_or_default();
    for e in &env {
        let Some(name) = e.get("name").and_then(scalar) else {
            continue;
        };
        let known = matches!(
            name.as_str(),
            "ENABLE_POD_ENI"
                | "ENABLE_PREFIX_DELEGATION"
                | "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
                | "ENABLE_IPv6"
                | "WARM_ENI_TARGET"
                | "WARM_IP_TARGET"
                | "MINIMUM_IP_TARGET"
                | "WARM_PREFIX_TARGET"
                | "MAX_ENI"
        );
        if !known {
            continue;
        }
        let Some(value) = e.get("value").and_then(scalar) else {
            if e.get("valueFrom").is_some() {
                s.notes.push(format!(
                    "{origin}: {name} comes from valueFrom (a ConfigMap or Secret), which is not read: the CNI's default is assumed"
                ));
            }
            continue;
        };
        let value = value.trim().to_string();
        let boolean = |notes: &mut Vec<String>| {
            let b = parse_bool(&value);
            if b.is_none() {
                notes.push(format!(
                    "{origin}: {name}=`{}` is not a boolean the CNI reads (strconv.ParseBool): it keeps its default",
                    excerpt(&value)
                ));
            }
            b
        };
        let count = |notes: &mut Vec<String>| {
            let n = value.parse::<u32>().ok();
            if n.is_none() && !value.is_empty() {
                notes.push(format!(
                    "{origin}: {name}=`{}` is not a whole number: the CNI ignores it",
                    excerpt(&value)
                ));
            }
            n
        };
        match name.as_str() {
            "ENABLE_POD_ENI" => s.pod_eni = boolean(&mut s.notes),
            "ENABLE_PREFIX_DELEGATION" => s.prefix_delegation = boolean(&mut s.notes),
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG" => s.custom_networking = boolean(&mut s.notes),
            "ENABLE_IPv6" => s.ipv6 = boolean(&mut s.notes),
            "WARM_ENI_TARGET" => s.warm_eni_target = count(&mut s.notes),
            "WARM_IP_TARGET" => s.warm_ip_target = count(&mut s.notes),
            "MINIMUM_IP_TARGET" => s.minimum_ip_target = count(&mut s.notes),
            "WARM_PREFIX_TARGET" => s.warm_prefix_target = count(&mut s.notes),
            "MAX_ENI" => s.max_eni = count(&mut s.notes),
            _ => {}
        }
    }
    s
}

/// The refusal for an IPv6 cluster (MODEL.md §3).
pub fn ipv6_problem(origin: &str) -> String {
    format!(
        "{origin} sets ENABLE_IPv6=true: IPv6 pods take addresses from a /80 prefix, there is no per-ENI IPv4 pool to run out of, and the model (MODEL.md §3) does not apply"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Value {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn reads_the_aws_node_container() {
        let s = from_pod_spec(
            &spec(
                "containers:\n- name: aws-eks-nodeagent\n  image: x:v1\n- name: aws-node\n  image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1\n  env:\n  - {name: ENABLE_POD_ENI, value: 'true'}\n  - {name: ENABLE_PREFIX_DELEGATION, value: 'False'}\n  - {name: WARM_IP_TARGET, value: '5'}\n  - {name: MAX_ENI, valueFrom: {configMapKeyRef: {name: c, key: k}}}\n  - {name: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, value: 'yes'}\n",
            ),
            "DaemonSet kube-system/aws-node",
        );
        assert_eq!(s.pod_eni, Some(true));
        assert_eq!(s.prefix_delegation, Some(false));
        assert_eq!(s.warm_ip_target, Some(5));
        assert_eq!(s.custom_networking, None, "`yes` is not a Go boolean");
        assert_eq!(s.version, Some((1, 19, 2)));
        assert!(s.reserves_slot_on_every_type());
        assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
        assert_eq!(
            s.describe(),
            [
                "ENABLE_POD_ENI=true",
                "ENABLE_PREFIX_DELEGATION=false",
                "WARM_IP_TARGET=5"
            ]
        );
    }

    #[test]
    fn versions() {
        assert_eq!(image_version("amazon-k8s-cni:v1.20.4"), Some((1, 20, 4)));
        assert_eq!(
            image_version("reg:5000/amazon-k8s-cni:v1.21.0-eksbuild.2"),
            Some((1, 21, 0))
        );
        assert_eq!(image_version("amazon-k8s-cni:latest"), None);
        assert_eq!(image_version("amazon-k8s-cni"), None);
        let on = |v| CniSettings {
            pod_eni: Some(true),
            version: Some(v),
            ..Default::default()
        };
        assert!(!on((1, 20, 4)).reserves_slot_on_every_type());
        assert!(on((1, 16, 4)).reserves_slot_on_every_type());
        assert!(!on((1, 15, 0)).reserves_slot_on_every_type());
    }
}
