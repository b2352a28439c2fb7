#!/usr/bin/env python3
"""Writes dump.json: what `kubectl get nodes,pods -A -o json` prints for a
small EKS cluster with Karpenter, SGP and the VPC CNI v1.19.2, written for
the audit tests (tests/cli/audit.rs). Run it from this directory; the figures
each node should give are in the comments and in the tests.

Every EC2 node runs four DaemonSet pods: aws-node and kube-proxy
(hostNetwork), ebs-csi-node and fluent-bit (pod networking: one IP each).

  A  ip-10-0-1-17  m5.large     maxPods 29 (Karpenter's default), pod-eni 9
     5 SG pods (4 payments-api running, 1 ledger-sync stuck: 6 security
     groups, its branch ENI is never created), 9 IP pods (web), and one
     finished Job pod that holds nothing.
  B  ip-10-0-2-33  m5.xlarge    maxPods 58, pod-eni 18
     6 SG pods (api), 44 IP pods (worker): 40 get an IP, the last 4 are
     stuck in ContainerCreating (42 IPs with the trunk, 2 go to DaemonSets).
  C  ip-10-0-3-51  c6i.2xlarge  maxPods 44 (conservative: 2 + 42), pod-eni 38
     10 SG pods (ledger), 20 IP pods (worker), 1 hostNetwork pod (netperf).
  D  ip-10-0-4-68  t3.large     maxPods 35, no pod-eni (t3 takes no trunk),
     15 IP pods (worker); CNI v1.19.2 still reserves a trunk slot: 22 IPs.
  E  ip-10-0-5-90  m7g.large    maxPods 20 (RESERVED_ENIS=1), pod-eni 9
     3 SG pods (api), 8 IP pods (web).
  F  fargate-ip-10-0-9-12       a Fargate node with one pod: not audited.

One payments-api pod is pending (unbound).
"""

import json
import zlib

REGION = "us-west-2"


def h(text):
    """A stable stand-in for IDs and digests (Python's hash() is salted)."""
    return zlib.crc32(text.encode()) * 2654435761
CNI_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1"
uid_n = [0]


def uid():
    uid_n[0] += 1
    return "6f1c2a4e-%04x-4b8e-9c1d-%012x" % (uid_n[0], uid_n[0] * 7919)


def node(name, itype, arch, zone, max_pods, pod_eni, cpu, mem_ki, alloc_mem_ki, pool, ip):
    inst = "i-0%016x" % (h((name)) % (1 << 60))
    labels = {
        "beta.kubernetes.io/arch": arch,
        "beta.kubernetes.io/instance-type": itype,
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": REGION,
        "failure-domain.beta.kubernetes.io/zone": zone,
        "k8s.io/cloud-provider-aws": "b69ed2e5a3c1f0d4e8a7c6b5d4e3f2a1",
        "karpenter.k8s.aws/ec2nodeclass": "default",
        "karpenter.k8s.aws/instance-category": itype[0],
        "karpenter.k8s.aws/instance-family": itype.split(".")[0],
        "karpenter.k8s.aws/instance-size": itype.split(".")[1],
        "karpenter.sh/capacity-type": "on-demand",
        "karpenter.sh/initialized": "true",
        "karpenter.sh/nodepool": pool,
        "karpenter.sh/registered": "true",
        "kubernetes.io/arch": arch,
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": itype,
        "topology.k8s.aws/zone-id": "usw2-az" + zone[-1].replace("a", "1").replace("b", "2"),
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": zone,
    }
    capacity = {
        "cpu": str(cpu),
        "ephemeral-storage": "20893676Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "%dKi" % mem_ki,
        "pods": str(max_pods),
    }
    allocatable = {
        "cpu": "%dm" % (cpu * 1000 - 70 - 10 * (cpu - 1)),
        "ephemeral-storage": "18181869946",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "%dKi" % alloc_mem_ki,
        "pods": str(max_pods),
    }
    if pod_eni is not None:
        capacity["vpc.amazonaws.com/pod-eni"] = str(pod_eni)
        allocatable["vpc.amazonaws.com/pod-eni"] = str(pod_eni)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "alpha.kubernetes.io/provided-node-ip": ip,
                "karpenter.k8s.aws/ec2nodeclass-hash": "7139845729513657452",
                "karpenter.sh/nodepool-hash": "12028662536233542155",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": "2026-08-30T07:12:44Z",
            "finalizers": ["karpenter.sh/termination"],
            "labels": labels,
            "name": name,
            "resourceVersion": "48211093",
            "uid": uid(),
        },
        "spec": {"providerID": "aws:///%s/%s" % (zone, inst)},
        "status": {
            "addresses": [
                {"address": ip, "type": "InternalIP"},
                {"address": name, "type": "InternalDNS"},
                {"address": name, "type": "Hostname"},
            ],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": [
                {"lastHeartbeatTime": "2026-09-01T09:58:02Z", "lastTransitionTime": "2026-08-30T07:13:20Z",
                 "message": "kubelet is posting ready status", "reason": "KubeletReady", "status": "True", "type": "Ready"},
                {"lastHeartbeatTime": "2026-09-01T09:58:02Z", "lastTransitionTime": "2026-08-30T07:12:44Z",
                 "message": "kubelet has sufficient memory available", "reason": "KubeletHasSufficientMemory",
                 "status": "False", "type": "MemoryPressure"},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": arch,
                "bootID": uid(),
                "containerRuntimeVersion": "containerd://1.7.27",
                "kernelVersion": "6.1.141-165.249.amzn2023.%s" % ("x86_64" if arch == "amd64" else "aarch64"),
                "kubeProxyVersion": "v1.32.7-eks-3abbec1",
                "kubeletVersion": "v1.32.7-eks-3abbec1",
                "machineID": "ec2%029x" % uid_n[0],
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2023.8.20250818",
                "systemUUID": "ec2%029x" % (uid_n[0] + 1),
            },
        },
    }


def container(name, image, cpu="100m", mem="128Mi", pod_eni=False, env=None, ports=None):
    req = {"cpu": cpu, "memory": mem}
    lim = {"memory": mem}
    if pod_eni:
        req["vpc.amazonaws.com/pod-eni"] = "1"
        lim["vpc.amazonaws.com/pod-eni"] = "1"
    c = {
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": name,
        "resources": {"limits": lim, "requests": req},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if env:
        c["env"] = env
    if ports:
        c["ports"] = ports
    return c


def pod(ns, name, owner_kind, owner_name, node_name, node_ip, containers, labels, pod_ip=None,
        state="running", host_network=False, sa="default", annotations=None, phase=None, pending_msg=None):
    meta = {
        "creationTimestamp": "2026-08-31T14:02:11Z",
        "labels": labels,
        "name": name,
        "namespace": ns,
        "resourceVersion": "48%06d" % uid_n[0],
        "uid": uid(),
    }
    if owner_kind:
        meta["generateName"] = name.rsplit("-", 1)[0] + "-"
        meta["ownerReferences"] = [{
            "apiVersion": "apps/v1" if owner_kind != "Job" else "batch/v1",
            "blockOwnerDeletion": True, "controller": True,
            "kind": owner_kind, "name": owner_name, "uid": "0d3e7c1a-%08x" % (h((owner_name)) % (1 << 32)),
        }]
    if annotations:
        meta["annotations"] = annotations
    spec = {
        "containers": containers,
        "dnsPolicy": "ClusterFirstWithHostNet" if host_network else "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always" if owner_kind != "Job" else "Never",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": sa,
        "serviceAccountName": sa,
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ],
    }
    if host_network:
        spec["hostNetwork"] = True
    if node_name:
        spec["nodeName"] = node_name
    statuses = []
    for c in containers:
        s = {"image": c["image"], "imageID": "", "lastState": {}, "name": c["name"], "ready": state == "running",
             "restartCount": 0, "started": state == "running"}
        if state == "running":
            s["imageID"] = c["image"].split(":")[0] + "@sha256:" + "%064x" % h((c["image"]))
            s["containerID"] = "containerd://%064x" % h((name + c["name"]))
            s["state"] = {"running": {"startedAt": "2026-08-31T14:02:19Z"}}
        elif state == "completed":
            s["state"] = {"terminated": {"exitCode": 0, "reason": "Completed",
                                         "startedAt": "2026-08-31T02:00:08Z", "finishedAt": "2026-08-31T02:03:41Z"}}
        elif state == "creating":
            s["state"] = {"waiting": {"reason": "ContainerCreating"}}
        statuses.append(s)
    status = {"qosClass": "Burstable"}
    if state == "pending":
        status["phase"] = "Pending"
        status["conditions"] = [{"lastProbeTime": None, "lastTransitionTime": "2026-09-01T09:41:52Z",
                                 "message": pending_msg, "reason": "Unschedulable", "status": "False",
                                 "type": "PodScheduled"}]
    else:
        status["phase"] = phase or {"running": "Running", "completed": "Succeeded", "creating": "Pending"}[state]
        status["hostIP"] = node_ip
        status["hostIPs"] = [{"ip": node_ip}]
        status["startTime"] = "2026-08-31T14:02:11Z"
        status["containerStatuses"] = statuses
        ready = "True" if state == "running" else "False"
        status["conditions"] = [
            {"lastProbeTime": None, "lastTransitionTime": "2026-08-31T14:02:12Z", "status": "True", "type": "PodReadyToStartContainers" if state != "creating" else "Initialized"},
            {"lastProbeTime": None, "lastTransitionTime": "2026-08-31T14:02:19Z", "status": ready, "type": "Ready"},
            {"lastProbeTime": None, "lastTransitionTime": "2026-08-31T14:02:11Z", "status": "True", "type": "PodScheduled"},
        ]
        if pod_ip:
            status["podIP"] = pod_ip
            status["podIPs"] = [{"ip": pod_ip}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


CNI_ENV = [
    {"name": "ADDITIONAL_ENI_TAGS", "value": "{}"},
    {"name": "ANNOTATE_POD_IP", "value": "false"},
    {"name": "AWS_VPC_CNI_NODE_PORT_SUPPORT", "value": "true"},
    {"name": "AWS_VPC_ENI_MTU", "value": "9001"},
    {"name": "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "value": "false"},
    {"name": "AWS_VPC_K8S_CNI_EXTERNALSNAT", "value": "false"},
    {"name": "AWS_VPC_K8S_CNI_LOGLEVEL", "value": "DEBUG"},
    {"name": "AWS_VPC_K8S_CNI_LOG_FILE", "value": "/host/var/log/aws-routed-eni/ipamd.log"},
    {"name": "AWS_VPC_K8S_CNI_VETHPREFIX", "value": "eni"},
    {"name": "DISABLE_INTROSPECTION", "value": "false"},
    {"name": "DISABLE_METRICS", "value": "false"},
    {"name": "DISABLE_NETWORK_RESOURCE_PROVISIONING", "value": "false"},
    {"name": "ENABLE_IPv4", "value": "true"},
    {"name": "ENABLE_IPv6", "value": "false"},
    {"name": "ENABLE_POD_ENI", "value": "true"},
    {"name": "ENABLE_PREFIX_DELEGATION", "value": "false"},
    {"name": "POD_SECURITY_GROUP_ENFORCING_MODE", "value": "standard"},
    {"name": "VPC_CNI_VERSION", "value": "v1.19.2"},
    {"name": "WARM_ENI_TARGET", "value": "1"},
    {"name": "WARM_PREFIX_TARGET", "value": "1"},
    {"name": "MY_NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
    {"name": "MY_POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
]

SUFFIX = iter("%05x" % (0x2b7c1 + 7 * i) for i in range(10000))


def suffix():
    s = next(SUFFIX)
    return "".join("bcdfghjklmnpqrstvwxz2456789"[int(ch, 16) % 27] for ch in s)


def daemon_pods(node_name, node_ip, ip_base):
    out = []
    out.append(pod("kube-system", "aws-node-" + suffix(), "DaemonSet", "aws-node", node_name, node_ip,
                   [container("aws-node", CNI_IMAGE, "25m", "64Mi", env=CNI_ENV),
                    container("aws-eks-nodeagent", "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1", "25m", "64Mi")],
                   {"app.kubernetes.io/instance": "aws-vpc-cni", "app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node",
                    "controller-revision-hash": "6c9d8b7f4", "pod-template-generation": "3"},
                   pod_ip=node_ip, host_network=True, sa="aws-node"))
    out.append(pod("kube-system", "kube-proxy-" + suffix(), "DaemonSet", "kube-proxy", node_name, node_ip,
                   [container("kube-proxy", "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.32.6-minimal-eksbuild.2")],
                   {"k8s-app": "kube-proxy", "controller-revision-hash": "5f7d9c8b6", "pod-template-generation": "2"},
                   pod_ip=node_ip, host_network=True, sa="kube-proxy"))
    out.append(pod("kube-system", "ebs-csi-node-" + suffix(), "DaemonSet", "ebs-csi-node", node_name, node_ip,
                   [container("ebs-plugin", "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-ebs-csi-driver:v1.46.0", "10m", "40Mi"),
                    container("node-driver-registrar", "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/csi-node-driver-registrar:v2.14.0-eks-1-33-4", "10m", "40Mi")],
                   {"app": "ebs-csi-node", "app.kubernetes.io/component": "csi-driver", "app.kubernetes.io/name": "aws-ebs-csi-driver"},
                   pod_ip=ip_base % 200, sa="ebs-csi-node-sa"))
    out.append(pod("logging", "fluent-bit-" + suffix(), "DaemonSet", "fluent-bit", node_name, node_ip,
                   [container("fluent-bit", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5", "50m", "100Mi")],
                   {"app.kubernetes.io/name": "fluent-bit", "controller-revision-hash": "7b8d6c5f9"},
                   pod_ip=ip_base % 201, sa="fluent-bit"))
    return out


def workload(ns, deploy, rs_hash, n, node_name, node_ip, ip_base, first_ip, sg=False, creating_from=None,
             sa="default", host=False, image="example", extra_annotations=None):
    out = []
    for i in range(n):
        name = "%s-%s-%s" % (deploy, rs_hash, suffix())
        creating = creating_from is not None and i >= creating_from
        ann = None
        ip = None if creating else (node_ip if host else ip_base % (first_ip + i))
        if sg and not creating:
            ann = {"vpc.amazonaws.com/pod-eni": json.dumps([{
                "eniId": "eni-0%016x" % (h((name)) % (1 << 60)), "ifAddress": "02:4f:%02x:1c:9e:%02x" % (i, first_ip),
                "privateIp": ip, "vlanId": i + 1, "subnetCidr": ip_base.rsplit(".", 2)[0] + ".0.0/19"}])}
        if extra_annotations:
            ann = dict(ann or {}, **extra_annotations)
        out.append(pod(ns, name, "ReplicaSet", "%s-%s" % (deploy, rs_hash), node_name, node_ip,
                       [container(deploy, "%s/%s:1.%d" % (image, deploy, len(deploy)), "250m", "256Mi", pod_eni=sg)],
                       {"app": deploy, "pod-template-hash": rs_hash}, pod_ip=ip,
                       state="creating" if creating else "running", host_network=host, sa=sa, annotations=ann))
    return out


items = []
nodes = [
    # name, type, arch, zone, maxPods, pod-eni, vCPUs, memory Ki, allocatable Ki, pool, ip
    ("ip-10-0-1-17.us-west-2.compute.internal", "m5.large", "amd64", "us-west-2a", 29, 9, 2, 7910348, 7070668, "general", "10.0.1.17"),
    ("ip-10-0-2-33.us-west-2.compute.internal", "m5.xlarge", "amd64", "us-west-2b", 58, 18, 4, 15896948, 14879092, "general", "10.0.2.33"),
    ("ip-10-0-3-51.us-west-2.compute.internal", "c6i.2xlarge", "amd64", "us-west-2a", 44, 38, 8, 15896940, 15051116, "conservative", "10.0.3.51"),
    ("ip-10-0-4-68.us-west-2.compute.internal", "t3.large", "amd64", "us-west-2b", 35, None, 2, 8052076, 7259500, "burstable", "10.0.4.68"),
    ("ip-10-0-5-90.us-west-2.compute.internal", "m7g.large", "arm64", "us-west-2a", 20, 9, 2, 7958372, 7288676, "graviton", "10.0.5.90"),
]
for n in nodes:
    items.append(node(*n))
fargate = {
    "apiVersion": "v1", "kind": "Node",
    "metadata": {
        "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        "creationTimestamp": "2026-08-31T09:20:03Z",
        "labels": {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                   "eks.amazonaws.com/compute-type": "fargate", "failure-domain.beta.kubernetes.io/region": REGION,
                   "failure-domain.beta.kubernetes.io/zone": "us-west-2c", "kubernetes.io/arch": "amd64",
                   "kubernetes.io/hostname": "ip-10-0-9-12.us-west-2.compute.internal", "kubernetes.io/os": "linux",
                   "topology.kubernetes.io/region": REGION, "topology.kubernetes.io/zone": "us-west-2c"},
        "name": "fargate-ip-10-0-9-12.us-west-2.compute.internal", "resourceVersion": "47992210", "uid": uid(),
    },
    "spec": {"providerID": "aws:///us-west-2c/9f3e2d1c0b-4a5b6c7d8e9f4a0b1c2d3e4f5a6b7c8d/fargate-ip-10-0-9-12.us-west-2.compute.internal",
             "taints": [{"effect": "NoSchedule", "key": "eks.amazonaws.com/compute-type", "value": "fargate"}]},
    "status": {"allocatable": {"cpu": "2", "ephemeral-storage": "30Gi", "memory": "3880Mi", "pods": "1"},
               "capacity": {"cpu": "2", "ephemeral-storage": "30Gi", "memory": "3880Mi", "pods": "1"},
               "nodeInfo": {"architecture": "amd64", "kubeletVersion": "v1.32.7-eks-3abbec1", "operatingSystem": "linux",
                            "osImage": "Amazon Linux 2", "containerRuntimeVersion": "containerd://1.7.27"}},
}
items.append(fargate)

A, B, C, D, E = (n[0] for n in nodes)
ipA, ipB, ipC, ipD, ipE = (n[10] for n in nodes)

# A: m5.large. 4 running + 1 stuck SG pods, 9 IP pods, a finished Job pod.
items += daemon_pods(A, ipA, "10.0.1.%d")
items += workload("payments", "payments-api", "6d8f7c9b5", 4, A, ipA, "10.0.1.%d", 30, sg=True, sa="payments-api")
items += workload("payments", "ledger-sync", "5c7b9d8f4", 1, A, ipA, "10.0.1.%d", 40, sg=True, creating_from=0, sa="payments-api")
items += workload("team-a", "web", "7f9c8d6b4", 9, A, ipA, "10.0.1.%d", 50)
items.append(pod("team-a", "migrate-29281440-" + suffix(), "Job", "migrate-29281440", A, ipA,
                 [container("migrate", "example/migrate:1.4")], {"job-name": "migrate-29281440",
                 "batch.kubernetes.io/job-name": "migrate-29281440"}, pod_ip="10.0.1.90", state="completed"))
# B: m5.xlarge. 6 SG pods, 44 IP pods of which the last 4 find no IP.
items += daemon_pods(B, ipB, "10.0.2.%d")
items += workload("team-a", "api", "5b6c7d8e9", 6, B, ipB, "10.0.2.%d", 20, sg=True, sa="api")
items += workload("team-b", "worker", "84c6d9f7b", 44, B, ipB, "10.0.2.%d", 100, creating_from=40)
# C: c6i.2xlarge. 10 SG pods, 20 IP pods, 1 hostNetwork pod.
items += daemon_pods(C, ipC, "10.0.3.%d")
items += workload("payments", "ledger", "9d7c6b5f8", 10, C, ipC, "10.0.3.%d", 20, sg=True, sa="payments-api")
items += workload("team-b", "worker", "84c6d9f7b", 20, C, ipC, "10.0.3.%d", 60)
items += workload("team-c", "netperf", "6b5d4c8f7", 1, C, ipC, "10.0.3.%d", 0, host=True)
# D: t3.large. 15 IP pods.
items += daemon_pods(D, ipD, "10.0.4.%d")
items += workload("team-b", "worker", "84c6d9f7b", 15, D, ipD, "10.0.4.%d", 20)
# E: m7g.large. 3 SG pods, 8 IP pods.
items += daemon_pods(E, ipE, "10.0.5.%d")
items += workload("team-a", "api", "5b6c7d8e9", 3, E, ipE, "10.0.5.%d", 20, sg=True, sa="api", image="example-arm64")
items += workload("team-a", "web", "7f9c8d6b4", 8, E, ipE, "10.0.5.%d", 40, image="example-arm64")
# The Fargate node's pod.
items.append(pod("batch", "report-7c8d9f6b5-" + suffix(), "ReplicaSet", "report-7c8d9f6b5", fargate["metadata"]["name"],
                 "10.0.9.12", [container("report", "example/report:2")],
                 {"app": "report", "eks.amazonaws.com/fargate-profile": "batch", "pod-template-hash": "7c8d9f6b5"},
                 pod_ip="10.0.9.12"))
# Pending: a payments-api pod no node takes.
items.append(pod("payments", "payments-api-6d8f7c9b5-" + suffix(), "ReplicaSet", "payments-api-6d8f7c9b5", None, None,
                 [container("payments-api", "example/payments-api:1.12", "250m", "256Mi", pod_eni=True)],
                 {"app": "payments-api", "pod-template-hash": "6d8f7c9b5"}, state="pending", sa="payments-api",
                 pending_msg="0/6 nodes are available: 1 node(s) had untolerated taint {eks.amazonaws.com/compute-type: fargate}, "
                             "5 Insufficient cpu. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod."))

dump = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
with open("dump.json", "w") as f:
    json.dump(dump, f, indent=4, sort_keys=False)
    f.write("\n")
print("wrote dump.json: %d items" % len(items))
