"""Start the real node on a running control plane: the network, containerd with the images
built here, the kubelet, kube-proxy and CoreDNS, each waited for until it works.

Whatever an earlier node left (a crash, a killed test run, another clone's node) is removed
first, so a start always begins from a clean host.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client, config

from . import configs, network, processes
from .host import HostRecord, cgroup_parents
from .layout import (
    BRIDGE,
    COREDNS_READY_PORT,
    KUBE_PROXY_HEALTHZ_PORT,
    KUBE_PROXY_TABLES,
    NODE_IP,
    NODE_NAME,
    NodePaths,
)
from .teardown import teardown


@dataclass(frozen=True)
class NodeInputs:
    """What a start needs from outside: the cluster and what was built for the node."""

    kubeconfig: Path
    """The cluster's admin kubeconfig (the node's components use it)."""
    ca_file: Path
    """The cluster's CA: the kubelet trusts client certificates it signed."""
    bin_dir: Path
    """kubelet, kube-proxy and coredns (scripts/bootstrap-cluster.sh --real-node)."""
    image_archives: list[Path]
    """docker-archive tarballs to import (scripts/build-images.sh), the pause image among
    them."""
    pause_version: str


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def start(paths: NodePaths, inputs: NodeInputs, timeout: float = 180.0) -> None:
    """Start the node and wait until it is Ready, with Services and DNS working."""
    images_manifest(inputs.image_archives)  # before anything starts
    # Whatever an earlier node left is removed first (nothing, when it was stopped).
    removed = teardown(paths)
    if removed:
        log(f"removed what an earlier node left: {'; '.join(removed)}")
    t0 = time.monotonic()
    HostRecord.take().save(paths)
    configs.write_all(
        paths,
        kubeconfig=inputs.kubeconfig,
        ca_file=inputs.ca_file,
        pause_version=inputs.pause_version,
    )
    network.up()

    processes.start_daemon(
        paths, "containerd", ["containerd", "--config", str(paths.containerd_config)]
    )
    wait_for(
        "containerd to answer",
        lambda: ctr(paths, "version").returncode == 0,
        paths,
        "containerd",
        30,
    )
    for archive in inputs.image_archives:
        imported = ctr(
            paths, "images", "import", "--digests", "--snapshotter", "overlayfs", str(archive)
        )
        if imported.returncode != 0:
            raise RuntimeError(f"containerd could not import {archive}: {imported.stderr}")
    paths.images_manifest.write_text(images_manifest(inputs.image_archives).read_text())
    log(
        f"containerd running, {len(inputs.image_archives)} images imported "
        f"({time.monotonic() - t0:.0f} s)"
    )

    make_cgroup_parents()
    processes.start_daemon(
        paths,
        "kubelet",
        [
            str(inputs.bin_dir / "kubelet"),
            f"--config={paths.kubelet_config}",
            f"--kubeconfig={paths.kubeconfig}",
            f"--root-dir={paths.kubelet}",
            f"--node-ip={NODE_IP}",
            f"--hostname-override={NODE_NAME}",
            "--v=1",
        ],
    )
    processes.start_daemon(
        paths,
        "kube-proxy",
        [str(inputs.bin_dir / "kube-proxy"), f"--config={paths.kube_proxy_config}", "--v=1"],
    )
    processes.start_daemon(
        paths, "coredns", [str(inputs.bin_dir / "coredns"), "-conf", str(paths.corefile)]
    )
    api = config.new_client_from_config(config_file=str(paths.kubeconfig))
    with api:
        core = client.CoreV1Api(api)
        wait_for(
            f"node {NODE_NAME} to be Ready", lambda: node_ready(core), paths, "kubelet", timeout
        )
    log(f"node {NODE_NAME} Ready ({time.monotonic() - t0:.0f} s)")
    wait_for("kube-proxy's rules", kube_proxy_ready, paths, "kube-proxy", 60)
    wait_for("CoreDNS to serve cluster.local", coredns_ready, paths, "coredns", 60)
    log(f"kube-proxy (nftables) and CoreDNS ({NODE_IP}:53) ready ({time.monotonic() - t0:.0f} s)")


def images_manifest(archives: list[Path]) -> Path:
    """The manifest beside the image archives (scripts/build-images.sh writes one)."""
    manifests = {archive.parent / "manifest" for archive in archives}
    if len(manifests) != 1 or not next(iter(manifests)).is_file():
        raise RuntimeError(f"the image archives need one manifest beside them, not {manifests}")
    return next(iter(manifests))


def make_cgroup_parents() -> None:
    """The kubelet's cgroup root in every hierarchy: it must exist before the kubelet starts.
    A new cpuset cgroup has no CPUs or memory nodes of its own: it gets its parent's."""
    for parent in cgroup_parents():
        parent.mkdir(exist_ok=True)
        if parent.parent.name == "cpuset":
            for key in ("cpuset.cpus", "cpuset.mems"):
                (parent / key).write_text((parent.parent / key).read_text())


def ctr(paths: NodePaths, *argv: str) -> subprocess.CompletedProcess[str]:
    """containerd's own client on the node's socket, in the CRI namespace."""
    return subprocess.run(
        ["ctr", "--address", str(paths.containerd_socket), "--namespace", "k8s.io", *argv],
        capture_output=True,
        text=True,
        check=False,
    )


def wait_for(
    what: str, check: Callable[[], bool], paths: NodePaths, process: str, timeout: float
) -> None:
    """Until `check` holds; else fail with the last lines of `process`'s log."""
    processes.wait_until(what, check, timeout, paths.logs / f"{process}.log")


def node_ready(core: client.CoreV1Api) -> bool:
    status = core.read_node(NODE_NAME).status
    conditions = (status.conditions if status else None) or []
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


def kube_proxy_ready() -> bool:
    url = f"http://127.0.0.1:{KUBE_PROXY_HEALTHZ_PORT}/healthz"
    with urllib.request.urlopen(url, timeout=2) as answer:
        if answer.status != 200:
            return False
    family, table = KUBE_PROXY_TABLES[0]
    return network.run("nft", "list", "table", family, table, check=False).returncode == 0


def coredns_ready() -> bool:
    url = f"http://127.0.0.1:{COREDNS_READY_PORT}/ready"
    with urllib.request.urlopen(url, timeout=2) as answer:
        return answer.status == 200


AGENTS = ("containerd", "kubelet", "kube-proxy", "coredns")
"""The node's long-running processes: it runs when each of them does."""


def running(paths: NodePaths) -> bool:
    """Each of the node's processes runs, and its bridge is up."""
    return set(AGENTS) <= set(processes.ours(paths).values()) and network.bridge_exists()


def status(paths: NodePaths) -> str:
    """One line: which of the node's processes run, and the bridge."""
    found = sorted(set(processes.ours(paths).values()) & set(AGENTS))
    bridge = f"bridge {BRIDGE} up" if network.bridge_exists() else "no bridge"
    return f"{', '.join(found) or 'no node process'} running; {bridge}"
