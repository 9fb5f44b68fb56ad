"""The local cluster's Kubernetes side: readiness, fake nodes' health and volumes that bind.

scripts/cluster.sh starts the processes (kwokctl, binary runtime); this module, through the
Kubernetes Python client, waits until the API server answers and the nodes are Ready, and
keeps a pool of pre-created PersistentVolumes with a default StorageClass that binds at
once (no provisioner runs here: see docs/cluster.md).

    .venv/bin/python -m devtools.local_cluster prepare KUBECONFIG [--volumes N]
    .venv/bin/python -m devtools.local_cluster status KUBECONFIG
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

STORAGE_CLASS = "local-static"
"""The default StorageClass: pre-created volumes, bound as soon as a claim asks."""
POOL_LABEL = "langgraph.dev/local-volume-pool"
VOLUME_SIZE = "100Gi"
"""Each pooled volume's size: at least any claim the dev stacks make binds to one."""
DEFAULT_VOLUMES = 48


def api(kubeconfig: Path) -> client.ApiClient:
    """A client of the cluster in `kubeconfig` (its current context)."""
    return config.new_client_from_config(config_file=str(kubeconfig))


def wait_ready(kubeconfig: Path, nodes: int, timeout: float = 120.0) -> None:
    """Until the API server is ready and at least `nodes` nodes report Ready."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            with api(kubeconfig) as c:
                client.VersionApi(c).get_code()
                ready = ready_nodes(client.CoreV1Api(c))
                # The namespace controller must have made the default ServiceAccount:
                # pods are refused until it exists.
                client.CoreV1Api(c).read_namespaced_service_account("default", "default")
            if ready >= nodes:
                return
            last = f"{ready} of {nodes} nodes Ready"
        except (ApiException, OSError, Exception) as exc:
            last = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
        time.sleep(0.5)
    raise SystemExit(f"the local cluster did not become ready in {timeout:.0f} s: {last}")


def ready_nodes(core: client.CoreV1Api) -> int:
    return sum(
        any(c.type == "Ready" and c.status == "True" for c in (n.status.conditions or []))
        for n in core.list_node().items
    )


def prepare(kubeconfig: Path, volumes: int, volume_root: Path, writable: bool = False) -> None:
    """The default StorageClass, and at least `volumes` Available volumes in its pool.

    `writable`: make each new volume's folder now, writable by any user, as a local-path
    provisioner does. A real node's pods run as non-root users, and a folder the kubelet
    makes for a hostPath volume belongs to root with mode 0755."""
    with api(kubeconfig) as c:
        storage = client.StorageV1Api(c)
        core = client.CoreV1Api(c)
        try:
            storage.read_storage_class(STORAGE_CLASS)
        except ApiException as exc:
            if exc.status != 404:
                raise
            storage.create_storage_class(
                client.V1StorageClass(
                    metadata=client.V1ObjectMeta(
                        name=STORAGE_CLASS,
                        annotations={"storageclass.kubernetes.io/is-default-class": "true"},
                    ),
                    provisioner="kubernetes.io/no-provisioner",
                    # Immediate: a claim binds when it is created, before any pod exists, so
                    # Pulumi's wait for the claim to be Bound ends.
                    volume_binding_mode="Immediate",
                    reclaim_policy="Retain",
                )
            )
        pool = core.list_persistent_volume(label_selector=POOL_LABEL).items
        available = [v for v in pool if v.status.phase == "Available"]
        taken = {v.metadata.name for v in pool}
        index = 0
        for _ in range(volumes - len(available)):
            while f"local-pv-{index:03d}" in taken:
                index += 1
            name = f"local-pv-{index:03d}"
            taken.add(name)
            if writable:
                (volume_root / name).mkdir(parents=True, exist_ok=True)
                (volume_root / name).chmod(0o777)
            core.create_persistent_volume(volume(name, volume_root / name))


def volume(name: str, path: Path) -> client.V1PersistentVolume:
    """One pooled volume: a host path (mounted by the real node's pods; never by KWOK's)."""
    return client.V1PersistentVolume(
        metadata=client.V1ObjectMeta(name=name, labels={POOL_LABEL: "true"}),
        spec=client.V1PersistentVolumeSpec(
            capacity={"storage": VOLUME_SIZE},
            access_modes=["ReadWriteOnce"],
            storage_class_name=STORAGE_CLASS,
            # Retain: a volume whose claim is deleted is Released, never wiped or reused;
            # `prepare` tops the pool up with new ones.
            persistent_volume_reclaim_policy="Retain",
            host_path=client.V1HostPathVolumeSource(path=str(path), type="DirectoryOrCreate"),
        ),
    )


def status(kubeconfig: Path) -> str:
    """One line: the API server's version, Ready nodes, the pool's Available volumes."""
    with api(kubeconfig) as c:
        version = client.VersionApi(c).get_code().git_version
        core = client.CoreV1Api(c)
        nodes = ready_nodes(core)
        pool = core.list_persistent_volume(label_selector=POOL_LABEL).items
        free = sum(v.status.phase == "Available" for v in pool)
        server = c.configuration.host
    volumes = f"{free} of {len(pool)} volumes Available"
    return f"{server} Kubernetes {version}, {nodes} nodes Ready, {volumes}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.local_cluster")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="wait until ready; default StorageClass and volumes")
    p.add_argument("kubeconfig", type=Path)
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--volumes", type=int, default=DEFAULT_VOLUMES)
    p.add_argument("--volume-root", type=Path, required=True)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument(
        "--writable-volumes", action="store_true", help="make each volume's folder, mode 0777"
    )
    s = sub.add_parser("status", help="one line about the running cluster")
    s.add_argument("kubeconfig", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        wait_ready(args.kubeconfig, args.nodes, args.timeout)
        prepare(args.kubeconfig, args.volumes, args.volume_root.resolve(), args.writable_volumes)
        return 0
    try:
        print(status(args.kubeconfig))
    except Exception as exc:
        print(f"not answering: {type(exc).__name__}: {str(exc).strip()[:200]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
