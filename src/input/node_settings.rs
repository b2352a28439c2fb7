//! A node's networking and kubelet settings as a scenario's keys or the
//! flags of `formulas`, `replay` and `recommend` give them (MODEL.md §3, §4),
//! validated into [`NodeSettings`]: SGP, prefix delegation, custom
//! networking, the CNI's version, the IP family, the OS and `podsPerCore`.
//!
//! IPv6 and Windows are refused with a message naming the setting: the model
//! is the per-ENI IPv4 pool of Linux nodes, and figures for anything else
//! would be wrong, not approximate.

use crate::error::InputError;
use crate::model::node::{CniVersion, NodeSettings};

/// The largest `podsPerCore` accepted: far above any real setting (the
/// kubelet's maxPods bound is reached long before), low enough to catch a typo.
pub const MAX_PODS_PER_CORE: u32 = 10_000;

/// The first CNI version with security groups for pods (EKS user guide,
/// security-groups-for-pods: "version 1.7.7 or later").
pub const CNI_FIRST_SGP: CniVersion = (1, 7, 7);
/// The first CNI version with prefix delegation (EKS user guide,
/// cni-increase-ip-addresses: "version 1.9.0 or later").
pub const CNI_FIRST_PREFIX_DELEGATION: CniVersion = (1, 9, 0);

/// The settings as written, `None` where absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawNodeSettings {
    pub sgp: Option<bool>,
    pub prefix_delegation: Option<bool>,
    pub custom_networking: Option<bool>,
    pub cni_version: Option<String>,
    pub ip_family: Option<String>,
    pub os: Option<String>,
    pub pods_per_core: Option<u32>,
}

/// How the settings were given, for the names in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A scenario file's keys (`cni_version = "1.19.0"`).
    Scenario,
    /// Command-line flags (`--cni-version 1.19.0`).
    Flags,
}

impl Source {
    /// The name of a setting: the scenario key or its flag.
    pub fn name(self, key: &str) -> String {
        match self {
            Source::Scenario => key.to_string(),
            Source::Flags => flag(key).to_string(),
        }
    }

    /// The setting with a value, as it is written.
    fn written(self, key: &str, value: &str) -> String {
        match self {
            Source::Scenario => format!("`{key} = {value}`"),
            Source::Flags => format!("`{} {}`", flag(key), value.trim_matches('"')),
        }
    }
}

/// The flag that sets a scenario key.
pub fn flag(key: &str) -> &str {
    match key {
        "sgp" => "--no-sgp",
        "prefix_delegation" => "--prefix-delegation",
        "custom_networking" => "--custom-networking",
        "cni_version" => "--cni-version",
        "ip_family" => "--ipv6",
        "pods_per_core" => "--pods-per-core",
        other => other,
    }
}

/// `1.19.0`, `v1.19.0` or an image tag's `v1.19.2-eksbuild.1`.
pub fn parse_cni_version(text: &str, field: &str, src: Source) -> Result<CniVersion, InputError> {
    let shown = crate::input::bounds::excerpt(text);
    let bad = |why: &str| {
        InputError::field(
            field,
            format!("`{shown}` is not a VPC CNI version: {why}"),
            format!(
                "write major.minor.patch as the CNI's image tag names it, e.g. {}",
                src.written("cni_version", "\"1.19.0\"")
            ),
        )
    };
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    let core = t.split_once('-').map_or(t, |(c, _)| c);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 {
        return Err(bad("it needs three numbers separated by dots"));
    }
    let mut v = [0u32; 3];
    for (slot, p) in v.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("each part is a whole number of at most four digits"));
        }
        *slot = p.parse().map_err(|_| bad("each part is a whole number"))?;
    }
    if v[0] != 1 {
        return Err(bad("the VPC CNI's versions are 1.x (v1.0.0 to today's v1.2x)"));
    }
    Ok((v[0], v[1], v[2]))
}

fn shown_version((a, b, c): CniVersion) -> String {
    format!("v{a}.{b}.{c}")
}

/// Validates the settings; every error names the key (or flag) and the fix.
pub fn validate(raw: &RawNodeSettings, src: Source) -> Result<NodeSettings, InputError> {
    if let Some(f) = &raw.ip_family {
        match f.trim() {
            "ipv4" => {}
            "ipv6" => {
                return Err(InputError::field(
                    src.name("ip_family"),
                    "an IPv6 cluster gives each node a /80 prefix: there is no per-ENI IPv4 pool to run out of, and the model (MODEL.md §3) does not apply, so sgpsim gives no figures for it",
                    format!(
                        "simulate an IPv4 cluster (drop {}), or size an IPv6 cluster by maxPods alone",
                        match src {
                            // `--ipv6` takes no value.
                            Source::Flags => format!("`{}`", flag("ip_family")),
                            Source::Scenario => src.written("ip_family", "\"ipv6\""),
                        }
                    ),
                ));
            }
            other => {
                return Err(InputError::field(
                    src.name("ip_family"),
                    format!("unknown IP family `{}`", crate::input::bounds::excerpt(other)),
                    "use `ip_family = \"ipv4\"` (the default); IPv6 is out of the model's scope",
                ));
            }
        }
    }
    if let Some(os) = &raw.os {
        match os.trim() {
            "linux" => {}
            "windows" => {
                return Err(InputError::field(
                    src.name("os"),
                    "Windows nodes get their pod IPs from the VPC resource controller, not from the Linux CNI's ENI pool, and EKS has no security groups for pods on them: out of the model's scope (MODEL.md §3), so sgpsim gives no figures for them",
                    "simulate the cluster's Linux nodes (`os = \"linux\"`, the default)",
                ));
            }
            other => {
                return Err(InputError::field(
                    src.name("os"),
                    format!("unknown OS `{}`", crate::input::bounds::excerpt(other)),
                    "use `os = \"linux\"` (the default); Windows is out of the model's scope",
                ));
            }
        }
    }
    let settings = NodeSettings {
        sgp: raw.sgp.unwrap_or(true),
        prefix_delegation: raw.prefix_delegation.unwrap_or(false),
        custom_networking: raw.custom_networking.unwrap_or(false),
        cni_version: raw
            .cni_version
            .as_deref()
            .map(|v| parse_cni_version(v, &src.name("cni_version"), src))
            .transpose()?,
        pods_per_core: match raw.pods_per_core {
            None => None,
            Some(0) => {
                return Err(InputError::field(
                    src.name("pods_per_core"),
                    "0 turns podsPerCore off in the kubelet",
                    format!(
                        "leave it out for no cap, or give pods per vCPU, e.g. {}",
                        src.written("pods_per_core", "10")
                    ),
                ));
            }
            Some(n) if n > MAX_PODS_PER_CORE => {
                return Err(InputError::field(
                    src.name("pods_per_core"),
                    format!("{n} pods per core is more than {MAX_PODS_PER_CORE}: no kubelet runs that many"),
                    format!("give pods per vCPU, e.g. {}", src.written("pods_per_core", "10")),
                ));
            }
            Some(n) => Some(n),
        },
    };
    if let Some(v) = settings.cni_version {
        let too_old = |what: &str, key: &str, first: CniVersion| {
            InputError::field(
                src.name("cni_version"),
                format!(
                    "{what} needs the VPC CNI {} or later, and {} is older",
                    shown_version(first),
                    shown_version(v)
                ),
                format!(
                    "give a later version, or {}",
                    match (src, key) {
                        (Source::Flags, "sgp") => "add --no-sgp".to_string(),
                        (Source::Flags, k) => format!("drop {}", flag(k)),
                        (Source::Scenario, k) => format!("set `{k} = false`"),
                    }
                ),
            )
        };
        if settings.sgp && v < CNI_FIRST_SGP {
            return Err(too_old("security groups for pods (sgp)", "sgp", CNI_FIRST_SGP));
        }
        if settings.prefix_delegation && v < CNI_FIRST_PREFIX_DELEGATION {
            return Err(too_old(
                "prefix delegation",
                "prefix_delegation",
                CNI_FIRST_PREFIX_DELEGATION,
            ));
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawNodeSettings {
        RawNodeSettings::default()
    }

    #[test]
    fn defaults_are_todays_settings() {
        assert_eq!(validate(&raw(), Source::Scenario).unwrap(), NodeSettings::default());
    }

    #[test]
    fn versions_parse_as_tags_name_them() {
        let p = |t| parse_cni_version(t, "cni_version", Source::Scenario);
        assert_eq!(p("1.19.0").unwrap(), (1, 19, 0));
        assert_eq!(p("v1.16.4").unwrap(), (1, 16, 4));
        assert_eq!(p(" v1.19.2-eksbuild.1 ").unwrap(), (1, 19, 2));
        for bad in [
            "",
            "1.19",
            "1.19.0.1",
            "latest",
            "2.0.0",
            "1.x.0",
            "1.99999.0",
            "1.-1.0",
            "v",
        ] {
            let e = p(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("cni_version"), "{bad}");
            assert!(e.fix.contains("cni_version = \"1.19.0\""), "{bad}: {e}");
        }
        let e = parse_cni_version("1.19", "--cni-version", Source::Flags).unwrap_err();
        assert!(e.fix.contains("`--cni-version 1.19.0`"), "{e}");
    }

    #[test]
    fn ipv6_and_windows_are_refused_by_name() {
        let e = validate(
            &RawNodeSettings {
                ip_family: Some("ipv6".into()),
                ..raw()
            },
            Source::Scenario,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ip_family"));
        assert!(e.problem.contains("IPv6") && e.problem.contains("no figures"), "{e}");
        let e = validate(
            &RawNodeSettings {
                ip_family: Some("ipv6".into()),
                ..raw()
            },
            Source::Flags,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("--ipv6"));
        let e = validate(
            &RawNodeSettings {
                os: Some("windows".into()),
                ..raw()
            },
            Source::Scenario,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("os"));
        assert!(e.problem.contains("Windows"), "{e}");
        for (ip, os) in [(Some("ipv5"), None), (None, Some("plan9"))] {
            let r = RawNodeSettings {
                ip_family: ip.map(String::from),
                os: os.map(String::from),
                ..raw()
            };
            assert!(validate(&r, Source::Scenario).is_err());
        }
        let v4 = RawNodeSettings {
            ip_family: Some("ipv4".into()),
            os: Some("linux".into()),
            ..raw()
        };
        assert_eq!(validate(&v4, Source::Scenario).unwrap(), NodeSettings::default());
    }

    #[test]
    fn pods_per_core_is_bounded() {
        let ppc = |n| {
            validate(
                &RawNodeSettings {
                    pods_per_core: Some(n),
                    ..raw()
                },
                Source::Flags,
            )
        };
        assert_eq!(ppc(10).unwrap().pods_per_core, Some(10));
        assert_eq!(ppc(0).unwrap_err().field.as_deref(), Some("--pods-per-core"));
        assert!(ppc(MAX_PODS_PER_CORE + 1).is_err());
    }

    #[test]
    fn features_older_than_the_cni_are_refused() {
        let v = |s: &str, pd| RawNodeSettings {
            cni_version: Some(s.into()),
            prefix_delegation: Some(pd),
            ..raw()
        };
        let e = validate(&v("1.7.5", false), Source::Scenario).unwrap_err();
        assert!(e.problem.contains("v1.7.7"), "{e}");
        let e = validate(&v("1.8.0", true), Source::Scenario).unwrap_err();
        assert!(e.problem.contains("prefix delegation"), "{e}");
        let off = RawNodeSettings {
            sgp: Some(false),
            ..v("1.7.5", false)
        };
        assert!(validate(&off, Source::Scenario).is_ok());
        assert_eq!(
            validate(&v("1.19.0", false), Source::Scenario).unwrap().cni_version,
            Some((1, 19, 0))
        );
    }
}
