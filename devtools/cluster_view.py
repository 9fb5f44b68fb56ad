"""What a user checks after an `up` against a cluster: pods Running per workload, Services.

Read with the Kubernetes Python client from the live cluster (never from the stack's
outputs): every Deployment and StatefulSet of the data plane (label
`app.kubernetes.io/part-of`), its ready replicas and its pods by phase, and the Services.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client, config

from components.names import LABEL_PART_OF, PART_OF

SELECTOR = f"{LABEL_PART_OF}={PART_OF}"


@dataclass(frozen=True)
class Workload:
    """One Deployment or StatefulSet and its pods, as the cluster reports them."""

    kind: str
    namespace: str
    name: str
    desired: int
    ready: int
    phases: dict[str, int]
    images: tuple[str, ...]

    @property
    def running(self) -> int:
        return self.phases.get("Running", 0)

    def line(self) -> str:
        others = ", ".join(f"{n} {p}" for p, n in sorted(self.phases.items()) if p != "Running")
        return (
            f"{self.kind:<11} {self.namespace}/{self.name}: {self.ready}/{self.desired} ready, "
            f"{self.running} pods Running{f' ({others})' if others else ''}"
        )


def workloads(api: client.ApiClient, namespaces: list[str] | None = None) -> list[Workload]:
    """The data plane's Deployments and StatefulSets with their pods' phases."""
    apps = client.AppsV1Api(api)
    core = client.CoreV1Api(api)
    found: list[Workload] = []
    for ns in namespaces or [None]:
        if ns is None:
            sets = [
                apps.list_deployment_for_all_namespaces(label_selector=SELECTOR).items,
                apps.list_stateful_set_for_all_namespaces(label_selector=SELECTOR).items,
            ]
        else:
            sets = [
                apps.list_namespaced_deployment(ns, label_selector=SELECTOR).items,
                apps.list_namespaced_stateful_set(ns, label_selector=SELECTOR).items,
            ]
        for kind, items in zip(("Deployment", "StatefulSet"), sets, strict=True):
            for w in items:
                match = ",".join(f"{k}={v}" for k, v in w.spec.selector.match_labels.items())
                pods = core.list_namespaced_pod(w.metadata.namespace, label_selector=match).items
                found.append(
                    Workload(
                        kind=kind,
                        namespace=w.metadata.namespace,
                        name=w.metadata.name,
                        desired=w.spec.replicas or 0,
                        ready=w.status.ready_replicas or 0,
                        phases=dict(Counter(p.status.phase for p in pods)),
                        images=tuple(c.image for c in w.spec.template.spec.containers),
                    )
                )
    return sorted(found, key=lambda w: (w.namespace, w.kind, w.name))


def services(api: client.ApiClient, namespaces: list[str] | None = None) -> list[str]:
    """One line per Service of the data plane: name, type, cluster IP, ports."""
    core = client.CoreV1Api(api)
    items = (
        [
            s
            for ns in namespaces
            for s in core.list_namespaced_service(ns, label_selector=SELECTOR).items
        ]
        if namespaces
        else core.list_service_for_all_namespaces(label_selector=SELECTOR).items
    )
    lines = []
    for s in sorted(items, key=lambda s: (s.metadata.namespace, s.metadata.name)):
        ports = ", ".join(f"{p.name or ''}:{p.port}/{p.protocol}" for p in s.spec.ports or [])
        lines.append(
            f"Service     {s.metadata.namespace}/{s.metadata.name}: {s.spec.type} "
            f"{s.spec.cluster_ip} [{ports}]"
        )
    return lines


def report(kubeconfig: Path, namespaces: list[str] | None = None) -> list[str]:
    """The lines the main job prints after an `up` against a cluster."""
    with config.new_client_from_config(config_file=str(kubeconfig)) as api:
        return [w.line() for w in workloads(api, namespaces)] + services(api, namespaces)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m devtools.cluster_view KUBECONFIG")
    print("\n".join(report(Path(sys.argv[1]))))
