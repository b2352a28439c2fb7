//! The UserData bash script: reads the instance type from IMDSv2, looks up
//! maxPods in an exact per-type table, logs one line in the seed's format,
//! and always bootstraps (with a stated default when the type is unknown or
//! IMDS does not answer).
//!
//! Bootstrap commands: AL2 passes `--use-max-pods false --kubelet-extra-args
//! '--max-pods=N'` to `/etc/eks/bootstrap.sh`, as Karpenter's own AL2 user
//! data does (aws/karpenter-provider-aws
//! `website/content/en/docs/concepts/nodeclasses.md`, "AL2"); AL2023 runs
//! `nodeadm init` with two `--config-source`s, which "will be evaluated in the
//! order specified" and merged with the later winning (awslabs/amazon-eks-ami
//! `nodeadm/internal/cli`, `RegisterFlagConfigSources`; `nodeadm/doc/examples.md`).
//! IMDSv2: a token from `PUT /latest/api/token`, then
//! `GET /latest/meta-data/instance-type` with `X-aws-ec2-metadata-token`.
//!
//! Its IMDS endpoint, log file, number of IMDS attempts, bootstrap command
//! and (AL2023) NodeConfig path are variables that the environment may
//! override (`SGPSIM_*`), so that the tests can run it for real.

use std::fmt::Write as _;

use super::{Ami, Entry};

/// The log file of the seed's script.
pub const LOG_FILE: &str = "/var/log/mixed-deployment-calc.log";
/// Where the AL2023 script writes its NodeConfig.
pub const NODECONFIG_FILE: &str = "/etc/eks/nodeadm.d/90-sgpsim-maxpods.yaml";
/// The AL2 bootstrap script of the EKS AMI.
pub const AL2_BOOTSTRAP: &str = "/etc/eks/bootstrap.sh";

/// Everything the script needs besides the table.
#[derive(Debug, Clone)]
pub struct ScriptParams {
    pub ami: Ami,
    /// `Logic:` in the log line: the formula's name as one token.
    pub logic: String,
    /// `SG:` in the log line: whether SGP (`ENABLE_POD_ENI`) is on.
    pub sg: bool,
    /// maxPods for a type not in the table, or when IMDS does not answer.
    pub default_max_pods: u32,
    /// Why that default (a comment).
    pub default_why: String,
    /// AL2 only: the cluster name passed to bootstrap.sh.
    pub cluster_name: String,
    /// A comment header (provenance), one line per entry.
    pub header: Vec<String>,
}

/// Single-quotes `s` for bash.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The script text (starts with `#!/bin/bash`).
pub fn render(table: &[Entry], p: &ScriptParams) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "#!/bin/bash");
    for line in &p.header {
        let _ = writeln!(w, "# {}", line.replace(['\n', '\r'], " "));
    }
    let _ = writeln!(
        w,
        "# Never exits without bootstrapping: with no answer from IMDS, or a type outside the table,\n\
         # it bootstraps with DEFAULT_MAX_PODS. Deliberately no `set -e`."
    );
    let _ = writeln!(w, "set -u");
    let _ = writeln!(w);
    let _ = writeln!(w, "IMDS_ENDPOINT=\"${{SGPSIM_IMDS_ENDPOINT:-http://169.254.169.254}}\"");
    let _ = writeln!(w, "LOG_FILE=\"${{SGPSIM_LOG_FILE:-{LOG_FILE}}}\"");
    let _ = writeln!(w, "IMDS_ATTEMPTS=\"${{SGPSIM_IMDS_ATTEMPTS:-5}}\"");
    let _ = writeln!(w, "# {}", p.default_why.replace(['\n', '\r'], " "));
    let _ = writeln!(w, "DEFAULT_MAX_PODS={}", p.default_max_pods);
    let _ = writeln!(w, "SG_ENABLED={}", p.sg);
    let _ = writeln!(w, "LOGIC={}", sh_quote(&p.logic));
    let _ = writeln!(w);
    // IMDSv2: a session token by PUT, then the metadata with the token header.
    let _ = w.write_str(
        r#"imds_instance_type() {
  local token
  token=$(curl -sf --connect-timeout 1 --max-time 3 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$IMDS_ENDPOINT/latest/api/token" 2>/dev/null) || return 1
  [ -n "$token" ] || return 1
  curl -sf --connect-timeout 1 --max-time 3 -H "X-aws-ec2-metadata-token: $token" \
    "$IMDS_ENDPOINT/latest/meta-data/instance-type" 2>/dev/null
}

INSTANCE_TYPE=""
attempt=1
while [ "$attempt" -le "$IMDS_ATTEMPTS" ]; do
  INSTANCE_TYPE=$(imds_instance_type) || INSTANCE_TYPE=""
  # A type name has only these characters; anything else is not an answer.
  case "$INSTANCE_TYPE" in
    "" | *[!a-z0-9.-]*) INSTANCE_TYPE="" ;;
    *) break ;;
  esac
  [ "$attempt" -lt "$IMDS_ATTEMPTS" ] && sleep 1
  attempt=$((attempt + 1))
done

AWS_MAX_PODS=""
TRUNK=""
MAX_PODS=""
# Exact figures per type: AWS = E*(I-1)+2 (eni-max-pods.txt), Trunk = IsTrunkingCompatible.
case "$INSTANCE_TYPE" in
"#,
    );
    for e in table {
        let _ = writeln!(
            w,
            "  {}) AWS_MAX_PODS={}; TRUNK={}; MAX_PODS={} ;;",
            e.instance_type, e.aws, e.trunk, e.max_pods
        );
    }
    let _ = w.write_str(
        r#"esac

if [ -z "$MAX_PODS" ]; then
  MAX_PODS=$DEFAULT_MAX_PODS
  LOGIC=default
  RESERVED=0
else
  RESERVED=$((AWS_MAX_PODS - MAX_PODS))
fi

# One line in the seed's format; the date as `date` prints it in the C locale.
echo "$(LC_ALL=C date): ${INSTANCE_TYPE:-unknown} AWS:${AWS_MAX_PODS:-unknown} Trunk:${TRUNK:-unknown} SG:$SG_ENABLED Logic:$LOGIC Reserved:$RESERVED Final:$MAX_PODS" \
  >>"$LOG_FILE" 2>/dev/null || echo "sgpsim: cannot write $LOG_FILE" >&2

"#,
    );
    match p.ami {
        Ami::Al2023 => {
            let _ = writeln!(w, "NODECONFIG=\"${{SGPSIM_NODECONFIG:-{NODECONFIG_FILE}}}\"");
            let _ = writeln!(w, "NODEADM=\"${{SGPSIM_NODEADM:-nodeadm}}\"");
            let _ = w.write_str(
                r#"mkdir -p "$(dirname "$NODECONFIG")" 2>/dev/null
cat >"$NODECONFIG" <<EOF
---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    config:
      maxPods: $MAX_PODS
EOF
# Sources merge in order, the last winning: this maxPods overrides the user data's.
"$NODEADM" init --config-source imds://user-data --config-source "file://$NODECONFIG"
"#,
            );
        }
        Ami::Al2 => {
            let _ = writeln!(w, "BOOTSTRAP=\"${{SGPSIM_BOOTSTRAP:-{AL2_BOOTSTRAP}}}\"");
            let _ = writeln!(w, "CLUSTER_NAME={}", sh_quote(&p.cluster_name));
            let _ = w.write_str(
                "# bootstrap.sh takes --max-pods through the kubelet's flags, with its own table off.\n\
                 \"$BOOTSTRAP\" \"$CLUSTER_NAME\" --use-max-pods false --kubelet-extra-args \"--max-pods=$MAX_PODS\"\n",
            );
        }
    }
    s
}
