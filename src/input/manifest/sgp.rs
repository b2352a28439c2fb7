//! Which pods are SG pods: the VPC resource controller's pod webhook, step
//! by step.
//!
//! Sources (aws/amazon-vpc-resource-controller-k8s):
//! - `webhooks/core/pod_webhook.go`, `WhichPod` and `HandleLinuxPod`: a
//!   `hostNetwork` pod is never mutated; a pod labelled
//!   `eks.amazonaws.com/fargate-profile` is a Fargate pod (annotated, no
//!   `pod-eni` request); a pod whose `nodeSelector` names `windows`
//!   (`kubernetes.io/os` or `beta.kubernetes.io/os`) takes the Windows path
//!   (no `pod-eni`); any other pod gets `vpc.amazonaws.com/pod-eni: 1` on its
//!   first container when at least one security group matches.
//! - `pkg/utils/helper.go`, `GetMatchingSecurityGroupForPods` and
//!   `filterPodSecurityGroups`: only the SecurityGroupPolicies of the pod's
//!   own namespace are listed; a policy with neither `podSelector` nor
//!   `serviceAccountSelector`, or with no `securityGroups.groupIds`, is
//!   skipped; each selector that is present must match (pod labels for
//!   `podSelector`, the labels of the pod's service account for
//!   `serviceAccountSelector`): the two are ANDed; an empty selector `{}`
//!   matches everything; a selector that fails to convert matches nothing.
//!   The security groups of all matching policies are deduplicated.
//! - More security groups than the quota of security groups per network
//!   interface (5 by default, service quota L-2AFB9258): the webhook admits
//!   the pod with its `pod-eni` request, and the controller's
//!   CreateNetworkInterface fails ("exceeded limit 5 on the number of
//!   interface security group memberships"), so the pod holds a slot and a
//!   branch ENI and never starts (aws/amazon-vpc-resource-controller-k8s
//!   PR #583, merged 2025-07-29, which also lifted the CRD's limit of 5
//!   `groupIds` per policy; before it, the API server refused such a policy).

use std::collections::BTreeMap;

use super::selector::{Labels, Selector};

/// The label that marks a Fargate pod (`FargatePodIdentifierLabelKey`).
pub const FARGATE_LABEL: &str = "eks.amazonaws.com/fargate-profile";
/// The default quota of security groups per network interface (service quota L-2AFB9258).
pub const DEFAULT_SG_QUOTA: usize = 5;

/// A SecurityGroupPolicy as the webhook reads it.
#[derive(Debug, Clone)]
pub struct Sgp {
    pub namespace: String,
    pub name: String,
    pub pod_selector: Option<Selector>,
    pub sa_selector: Option<Selector>,
    pub group_ids: Vec<String>,
}

impl Sgp {
    /// Skipped by the webhook: no selector at all, or no security group.
    pub fn is_inert(&self) -> Option<&'static str> {
        if self.pod_selector.is_none() && self.sa_selector.is_none() {
            Some("it has neither podSelector nor serviceAccountSelector")
        } else if self.group_ids.is_empty() {
            Some("it lists no securityGroups.groupIds")
        } else {
            None
        }
    }
}

/// What the webhook sees of one pod.
#[derive(Debug, Clone)]
pub struct PodView<'a> {
    pub namespace: &'a str,
    pub labels: &'a Labels,
    pub service_account: &'a str,
    pub host_network: bool,
    pub node_selector: &'a Labels,
}

/// How the webhook treats a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodClass {
    /// `hostNetwork: true`: a slot, no IP, no branch ENI.
    Host,
    /// Matched: gets `pod-eni: 1`. Names the matching policies.
    Sg {
        policies: Vec<String>,
        groups: usize,
    },
    /// Not matched: an ordinary pod with an IP.
    Ip,
    /// Matched, but more security groups than the quota: admitted with
    /// `pod-eni`, bound, and its branch ENI is never created.
    OverQuota {
        policies: Vec<String>,
        groups: usize,
    },
    Fargate,
    Windows,
}

/// Service-account labels by (namespace, name), from ServiceAccount objects.
pub type ServiceAccounts = BTreeMap<(String, String), Labels>;

/// Classifies a pod as the webhook does. `sa_missing` is called when a
/// policy's `serviceAccountSelector` has to be evaluated for a service account
/// the manifests do not define (it is then taken to have no labels).
pub fn classify(
    pod: &PodView<'_>,
    sgps: &[Sgp],
    sas: &ServiceAccounts,
    quota: usize,
    sa_missing: &mut dyn FnMut(&str, &str),
) -> PodClass {
    if pod.host_network {
        return PodClass::Host;
    }
    if pod.labels.contains_key(FARGATE_LABEL) {
        return PodClass::Fargate;
    }
    let os = |k: &str| pod.node_selector.get(k).map(String::as_str) == Some("windows");
    if os("kubernetes.io/os") || os("beta.kubernetes.io/os") {
        return PodClass::Windows;
    }
    let empty = Labels::new();
    let mut policies = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    for p in sgps.iter().filter(|p| p.namespace == pod.namespace) {
        if p.is_inert().is_some() {
            continue;
        }
        if let Some(s) = &p.pod_selector
            && !s.matches(pod.labels)
        {
            continue;
        }
        if let Some(s) = &p.sa_selector {
            let key = (pod.namespace.to_string(), pod.service_account.to_string());
            let sa_labels = match sas.get(&key) {
                Some(l) => l,
                None => {
                    sa_missing(pod.namespace, pod.service_account);
                    &empty
                }
            };
            if !s.matches(sa_labels) {
                continue;
            }
        }
        policies.push(format!("{}/{}", p.namespace, p.name));
        for g in &p.group_ids {
            if !groups.contains(&g.as_str()) {
                groups.push(g);
            }
        }
    }
    if policies.is_empty() {
        PodClass::Ip
    } else if groups.len() > quota {
        PodClass::OverQuota {
            policies,
            groups: groups.len(),
        }
    } else {
        PodClass::Sg {
            policies,
            groups: groups.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn selector(yaml: &str) -> Selector {
        Selector::parse(&serde_saphyr::from_str::<serde_json::Value>(yaml).unwrap())
    }

    fn sgp(ns: &str, name: &str, pod: Option<&str>, sa: Option<&str>, groups: &[&str]) -> Sgp {
        Sgp {
            namespace: ns.into(),
            name: name.into(),
            pod_selector: pod.map(selector),
            sa_selector: sa.map(selector),
            group_ids: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn class(ns: &str, l: &Labels, sa: &str, sgps: &[Sgp], sas: &ServiceAccounts) -> PodClass {
        let none = Labels::new();
        let pod = PodView {
            namespace: ns,
            labels: l,
            service_account: sa,
            host_network: false,
            node_selector: &none,
        };
        classify(&pod, sgps, sas, DEFAULT_SG_QUOTA, &mut |_, _| {})
    }

    #[test]
    fn selectors_are_anded_and_namespaced() {
        let sgps = [sgp(
            "a",
            "both",
            Some("matchLabels: {app: api}"),
            Some("matchLabels: {db: 'yes'}"),
            &["sg-1"],
        )];
        let mut sas = ServiceAccounts::new();
        sas.insert(("a".into(), "api-sa".into()), labels(&[("db", "yes")]));
        let api = labels(&[("app", "api")]);
        assert!(matches!(class("a", &api, "api-sa", &sgps, &sas), PodClass::Sg { .. }));
        assert_eq!(
            class("a", &api, "default", &sgps, &sas),
            PodClass::Ip,
            "SA selector fails"
        );
        assert_eq!(class("b", &api, "api-sa", &sgps, &sas), PodClass::Ip, "other namespace");
    }

    #[test]
    fn empty_selector_matches_all_and_inert_policies_are_skipped() {
        let sgps = [
            sgp("a", "all", Some("{}"), None, &["sg-1"]),
            sgp("b", "no-groups", Some("{}"), None, &[]),
            sgp("b", "no-selector", None, None, &["sg-2"]),
        ];
        let sas = ServiceAccounts::new();
        assert!(matches!(
            class("a", &Labels::new(), "default", &sgps, &sas),
            PodClass::Sg { .. }
        ));
        assert_eq!(class("b", &Labels::new(), "default", &sgps, &sas), PodClass::Ip);
    }

    #[test]
    fn host_network_fargate_windows_and_quota() {
        let sgps = [
            sgp("a", "all", Some("{}"), None, &["sg-1", "sg-2", "sg-3"]),
            sgp("a", "more", Some("{}"), None, &["sg-3", "sg-4", "sg-5", "sg-6"]),
        ];
        let sas = ServiceAccounts::new();
        let none = Labels::new();
        let host = PodView {
            namespace: "a",
            labels: &none,
            service_account: "default",
            host_network: true,
            node_selector: &none,
        };
        assert_eq!(classify(&host, &sgps, &sas, 5, &mut |_, _| {}), PodClass::Host);
        let fargate = labels(&[(FARGATE_LABEL, "fp")]);
        assert_eq!(class("a", &fargate, "default", &sgps, &sas), PodClass::Fargate);
        let win = labels(&[("kubernetes.io/os", "windows")]);
        let pod = PodView {
            node_selector: &win,
            host_network: false,
            ..host.clone()
        };
        assert_eq!(classify(&pod, &sgps, &sas, 5, &mut |_, _| {}), PodClass::Windows);
        // 6 distinct groups (sg-3 counted once) > 5: admitted, never started.
        assert!(matches!(
            class("a", &none, "default", &sgps, &sas),
            PodClass::OverQuota { groups: 6, .. }
        ));
    }

    #[test]
    fn missing_service_account_is_reported() {
        let sgps = [sgp("a", "sa", None, Some("{}"), &["sg-1"])];
        let mut missing = Vec::new();
        let none = Labels::new();
        let pod = PodView {
            namespace: "a",
            labels: &none,
            service_account: "ghost",
            host_network: false,
            node_selector: &none,
        };
        let c = classify(&pod, &sgps, &ServiceAccounts::new(), 5, &mut |ns, sa| {
            missing.push(format!("{ns}/{sa}"))
        });
        assert!(
            matches!(c, PodClass::Sg { .. }),
            "an empty SA selector matches a label-less SA"
        );
        assert_eq!(missing, ["a/ghost"]);
    }
}
