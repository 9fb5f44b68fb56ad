"""Where the real node lives: its names, addresses, folders and ports, written once.

The node is a machine-wide thing (one bridge, fixed addresses, the kubelet's ports), so its
folder is machine-wide too: whichever clone starts a real node first removes what an earlier
node of any clone left behind. Every address is inside 198.18.0.0/15 (reserved for network
tests): never one of the private ranges, never routed off the machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

NODE_NAME = "langgraph-node"
"""The Node object's name (the kubelet's and kube-proxy's hostname override)."""
BRIDGE = "lgnode0"
"""The Linux bridge the pods' veths join; its address is the node's address."""
NODE_IP = "198.18.0.1"
"""The bridge's address: the node's InternalIP, the kubelet's and CoreDNS's address, and
the pods' gateway to Services."""
POD_CIDR = "198.18.0.0/24"
"""The pods' addresses (host-local IPAM on the bridge)."""
POD_RANGE_START = "198.18.0.10"
SERVICE_CIDR = "198.19.0.0/20"
"""The Services' ClusterIPs (kube-apiserver --service-cluster-ip-range)."""
ROUTED_TO_PODS = "198.18.0.0/15"
"""The only destination a pod has a route to: pods and Services, nothing else."""
CLUSTER_DOMAIN = "cluster.local"
"""The only zone CoreDNS answers."""
CGROUP_PARENT = "langgraph-node"
"""The kubelet's cgroup root in every hierarchy: the pods' cgroups live under it only."""
CNI_NETWORK = "langgraph-node"
"""The CNI network's name (it names the plugins' cache files)."""
NFT_GUARD_TABLE = ("inet", "langgraph-node")
"""Our own nftables table: pods' traffic never leaves through another interface."""
KUBE_PROXY_TABLES = (("ip", "kube-proxy"), ("ip6", "kube-proxy"))
"""The tables kube-proxy's nftables mode owns."""
KUBELET_PORT = 10250
KUBELET_HEALTHZ_PORT = 10248
KUBE_PROXY_HEALTHZ_PORT = 10256
KUBE_PROXY_METRICS_PORT = 10249
COREDNS_READY_PORT = 18181
PAUSE_IMAGE_NAME = "registry.k8s.io/pause"
"""The sandbox image's name; its tag is the CLUSTER_PAUSE_VERSION pin."""
NODE_BINARIES = ("containerd", "containerd-shim-runc-v2", "kubelet", "kube-proxy", "coredns")
"""What runs the node: a process counts as the node's when its executable is one of these
and its arguments name the node's folder."""

HOST_PATHS = (
    Path("/var/lib/cni"),
    Path("/var/log/containers"),
    Path("/var/log/pods"),
    Path("/run/containerd"),
    Path("/etc/cni"),
)
"""Host folders that containerd, the CNI plugins or the kubelet write to whatever they are
told: recorded before the node starts, put back as they were when it stops."""


@dataclass(frozen=True)
class NodePaths:
    """The node's folders and files, all under one root."""

    root: Path

    @classmethod
    def default(cls) -> NodePaths:
        """`LANGGRAPH_NODE_ROOT`, or /var/lib/langgraph-node."""
        return cls(Path(os.environ.get("LANGGRAPH_NODE_ROOT", "/var/lib/langgraph-node")))

    @property
    def host_record(self) -> Path:
        """What the host was like before the node started (host.HostRecord): written first
        by `start`, read by `stop` to put it back, removed last."""
        return self.root / "host-before.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def containerd(self) -> Path:
        return self.root / "containerd"

    @property
    def containerd_config(self) -> Path:
        return self.containerd / "config.toml"

    @property
    def containerd_socket(self) -> Path:
        return self.containerd / "containerd.sock"

    @property
    def kubelet(self) -> Path:
        return self.root / "kubelet"

    @property
    def kubelet_config(self) -> Path:
        return self.root / "config" / "kubelet.yaml"

    @property
    def kube_proxy_config(self) -> Path:
        return self.root / "config" / "kube-proxy.yaml"

    @property
    def corefile(self) -> Path:
        return self.root / "config" / "Corefile"

    @property
    def resolv_conf(self) -> Path:
        """The kubelet's host resolv.conf: empty, so pods learn no host search domain."""
        return self.root / "config" / "resolv.conf"

    @property
    def kubeconfig(self) -> Path:
        """The cluster's kubeconfig, copied: the node's components read it."""
        return self.root / "config" / "kubeconfig.yaml"

    @property
    def cni_conf_dir(self) -> Path:
        return self.root / "cni" / "net.d"

    @property
    def cni_ipam(self) -> Path:
        return self.root / "cni" / "ipam"

    @property
    def pod_logs(self) -> Path:
        return self.root / "pod-logs"

    @property
    def images_manifest(self) -> Path:
        """The manifest of the images this node imported (scripts/build-images.sh):
        `<image>=<name:tag>` lines, read by whatever deploys to the node."""
        return self.root / "images.manifest"

    @property
    def volumes(self) -> Path:
        """The pooled PersistentVolumes' host folders: where the databases' data is."""
        return self.root / "volumes"
