"""The node's configuration files: containerd, the CNI network, the kubelet, kube-proxy and
CoreDNS. Each setting that differs from the component's default says why.

Pure functions of the layout: `write_all` is the only one that touches the disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .layout import (
    BRIDGE,
    CGROUP_PARENT,
    CLUSTER_DOMAIN,
    CNI_NETWORK,
    COREDNS_READY_PORT,
    KUBE_PROXY_HEALTHZ_PORT,
    KUBE_PROXY_METRICS_PORT,
    KUBELET_HEALTHZ_PORT,
    KUBELET_PORT,
    NODE_IP,
    NODE_NAME,
    PAUSE_IMAGE_NAME,
    POD_CIDR,
    POD_RANGE_START,
    ROUTED_TO_PODS,
    NodePaths,
)

CNI_BIN_DIR = Path("/usr/lib/cni")
"""Debian's containernetworking-plugins."""
RUNC = Path("/usr/sbin/runc")


def containerd_config(paths: NodePaths, pause_version: str) -> str:
    """containerd 1.6 (Debian 12), CRI plugin on, everything it writes under the node root."""
    c = paths.containerd
    return f"""\
version = 2
root = "{c / "root"}"
state = "{c / "state"}"
# The kubelet runs with oomScoreAdj 0 too: this VM cannot lower a score (no CAP_SYS_RESOURCE).
oom_score = 0
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "{paths.containerd_socket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "{c / "opt"}"

[plugins."io.containerd.grpc.v1.cri"]
  # No registry is reachable: the pause program is built here and imported under this name.
  sandbox_image = "{PAUSE_IMAGE_NAME}:{pause_version}"
  # Without it every sandbox fails: runc cannot write a lower oom_score_adj on this VM.
  restrict_oom_score_adj = true
  # Network namespaces under the state folder, not /var/run/netns: stop unmounts them there.
  netns_mounts_under_state_dir = true
  # exec, logs and port-forward stream through here (the kubelet proxies to it).
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "{RUNC}"
        # runc's state under the node root instead of /run/containerd/runc.
        Root = "{c / "runc"}"
        # cgroupfs: no systemd runs here.
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{CNI_BIN_DIR}"
    conf_dir = "{paths.cni_conf_dir}"
    max_conf_num = 1
"""


def cni_network(paths: NodePaths) -> dict:
    """One bridge with host-local addresses. The bridge's own address is set by the node
    (network.py), not by the plugin: `isGateway` would also turn on forwarding for the whole
    host. Pods get a route to the cluster's ranges only, and nothing is masqueraded."""
    return {
        "cniVersion": "1.0.0",
        "name": CNI_NETWORK,
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": False,
                "ipMasq": False,
                # A pod reaching itself through its own Service comes back in on its veth.
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "dataDir": str(paths.cni_ipam),
                    "ranges": [
                        [{"subnet": POD_CIDR, "rangeStart": POD_RANGE_START, "gateway": NODE_IP}]
                    ],
                    "routes": [{"dst": ROUTED_TO_PODS, "gw": NODE_IP}],
                },
            }
        ],
    }


def kubelet_config(paths: NodePaths, ca_file: Path) -> dict:
    """The kubelet's KubeletConfiguration (v1beta1)."""
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": NODE_IP,
        "port": KUBELET_PORT,
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": KUBELET_HEALTHZ_PORT,
        # The API server's requests (logs, exec) carry the cluster's client certificate;
        # the kubelet asks the API server whether each is allowed.
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(ca_file)},
        },
        "authorization": {"mode": "Webhook"},
        "containerRuntimeEndpoint": f"unix://{paths.containerd_socket}",
        # cgroup v1 is all this kernel has; the kubelet refuses it unless told.
        "failCgroupV1": False,
        "cgroupDriver": "cgroupfs",
        # Every pod cgroup under one parent of ours, so stop removes exactly those.
        "cgroupRoot": f"/{CGROUP_PARENT}",
        "failSwapOn": False,
        # The kubelet's default -999 is refused here (no CAP_SYS_RESOURCE).
        "oomScoreAdj": 0,
        # The kubelet's iptables chains serve iptables-mode proxies; kube-proxy runs
        # nftables here, and the host's iptables stay untouched.
        "makeIPTablesUtilChains": False,
        "clusterDomain": CLUSTER_DOMAIN,
        "clusterDNS": [NODE_IP],
        "resolvConf": str(paths.resolv_conf),
        "podCIDR": POD_CIDR,
        "podLogsDir": str(paths.pod_logs),
        "staticPodPath": "",
        "rotateCertificates": False,
        "serializeImagePulls": False,
        # Images cannot be pulled again here: never collect them.
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        # A shared build machine's disk may be fuller than a node's: evict only when nearly
        # nothing is left, so that a test never loses its pods to a full cache folder.
        "evictionHard": {
            "memory.available": "100Mi",
            "nodefs.available": "1%",
            "imagefs.available": "1%",
            "nodefs.inodesFree": "1%",
        },
        "maxPods": 110,
        # The kubelet sets vm.overcommit_memory, kernel.panic and kernel.panic_on_oops as it
        # needs them; stop puts the host's values back (host.py).
        "protectKernelDefaults": False,
    }


def kube_proxy_config(paths: NodePaths) -> dict:
    """kube-proxy in nftables mode: its rules live in its own tables, which stop deletes."""
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "mode": "nftables",
        "hostnameOverride": NODE_NAME,
        "clientConnection": {"kubeconfig": str(paths.kubeconfig)},
        "clusterCIDR": POD_CIDR,
        "detectLocalMode": "ClusterCIDR",
        # NodePorts on the bridge's address only, never on the machine's own interfaces.
        "nodePortAddresses": [f"{NODE_IP}/32"],
        "healthzBindAddress": f"127.0.0.1:{KUBE_PROXY_HEALTHZ_PORT}",
        "metricsBindAddress": f"127.0.0.1:{KUBE_PROXY_METRICS_PORT}",
        "oomScoreAdj": 0,
        # Zero leaves the host's conntrack settings as they are.
        "conntrack": {
            "maxPerCore": 0,
            "min": 0,
            "tcpEstablishedTimeout": "0s",
            "tcpCloseWaitTimeout": "0s",
            "udpTimeout": "0s",
            "udpStreamTimeout": "0s",
        },
    }


def corefile(paths: NodePaths) -> str:
    """CoreDNS answers `cluster.local` from the API server, on the node's address only.
    No other zone has a server block, so every other name is refused: nothing is forwarded
    off the machine."""
    return f"""\
{CLUSTER_DOMAIN}:53 {{
    bind {NODE_IP}
    errors
    ready 127.0.0.1:{COREDNS_READY_PORT}
    kubernetes {CLUSTER_DOMAIN} {{
        kubeconfig {paths.kubeconfig}
    }}
    cache 30
}}
"""


def write_all(paths: NodePaths, *, kubeconfig: Path, ca_file: Path, pause_version: str) -> None:
    """Every configuration file of the node, and the folders they name."""
    for folder in (
        paths.logs,
        paths.pids,
        paths.containerd,
        paths.kubelet,
        paths.cni_conf_dir,
        paths.cni_ipam,
        paths.pod_logs,
        paths.volumes,
        paths.kubelet_config.parent,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    paths.kubeconfig.write_text(kubeconfig.read_text())
    paths.kubeconfig.chmod(0o600)
    paths.resolv_conf.write_text("")
    paths.containerd_config.write_text(containerd_config(paths, pause_version))
    (paths.cni_conf_dir / f"10-{CNI_NETWORK}.conflist").write_text(
        json.dumps(cni_network(paths), indent=2) + "\n"
    )
    paths.kubelet_config.write_text(yaml.safe_dump(kubelet_config(paths, ca_file)))
    paths.kube_proxy_config.write_text(yaml.safe_dump(kube_proxy_config(paths)))
    paths.corefile.write_text(corefile(paths))
