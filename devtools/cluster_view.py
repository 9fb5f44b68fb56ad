"""What a user checks after an `up` against a cluster: pods Running per workload, Services;
on the real node also each pod's readiness and each server's answer to its health check.

Read with the Kubernetes Python client from the live cluster (never from the stack's
outputs): every Deployment and StatefulSet of the data plane (label
`app.kubernetes.io/part-of`), its ready replicas and its pods by phase, and the Services.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from kubernetes import client, config

from components.core.names import LABEL_PART_OF, PART_OF
from components.spec.args import SERVER_PORT_NAME

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


def data_plane_objects(
    in_namespace: Callable[..., Any], everywhere: Callable[..., Any], namespaces: list[str] | None
) -> list[Any]:
    """The data plane's objects of one kind, by namespace and name: listed in `namespaces`
    with `in_namespace`, or in every namespace with `everywhere`."""
    items = (
        [o for ns in namespaces for o in in_namespace(ns, label_selector=SELECTOR).items]
        if namespaces
        else everywhere(label_selector=SELECTOR).items
    )
    return sorted(items, key=lambda o: (o.metadata.namespace, o.metadata.name))


def services(api: client.ApiClient, namespaces: list[str] | None = None) -> list[str]:
    """One line per Service of the data plane: name, type, cluster IP, ports."""
    core = client.CoreV1Api(api)
    lines = []
    for s in data_plane_objects(
        core.list_namespaced_service, core.list_service_for_all_namespaces, namespaces
    ):
        ports = ", ".join(f"{p.name or ''}:{p.port}/{p.protocol}" for p in s.spec.ports or [])
        lines.append(
            f"Service     {s.metadata.namespace}/{s.metadata.name}: {s.spec.type} "
            f"{s.spec.cluster_ip} [{ports}]"
        )
    return lines


def pod_readiness(api: client.ApiClient, namespaces: list[str] | None = None) -> list[str]:
    """One line per pod of the data plane: Ready or not (with the reason), and restarts."""
    core = client.CoreV1Api(api)
    lines = []
    for pod in data_plane_objects(
        core.list_namespaced_pod, core.list_pod_for_all_namespaces, namespaces
    ):
        ready = next((c for c in pod.status.conditions or [] if c.type == "Ready"), None)
        state = "Ready" if ready and ready.status == "True" else "not Ready"
        if ready and ready.status != "True" and ready.reason:
            state += f" ({ready.reason})"
        restarts = sum(c.restart_count for c in pod.status.container_statuses or [])
        lines.append(
            f"Pod         {pod.metadata.namespace}/{pod.metadata.name}: {state}, "
            f"{restarts} restarts, {pod.status.pod_ip or 'no IP'}"
        )
    return lines


def server_health(api: client.ApiClient, namespaces: list[str] | None = None) -> list[str]:
    """Each LangGraph server's answer to its health check, asked through its Service's
    ClusterIP from this machine (kube-proxy's rules route it to a pod)."""
    core = client.CoreV1Api(api)
    lines = []
    for s in data_plane_objects(
        core.list_namespaced_service, core.list_service_for_all_namespaces, namespaces
    ):
        port = next((p.port for p in s.spec.ports or [] if p.name == SERVER_PORT_NAME), None)
        if port is None:
            continue
        url = f"http://{s.spec.cluster_ip}:{port}/ok"
        try:
            answer = httpx.get(url, timeout=5)
            said = f"HTTP {answer.status_code} {answer.text.strip()[:80]}"
        except httpx.HTTPError as exc:
            said = f"no answer ({type(exc).__name__}: {exc})"
        lines.append(f"Health      {s.metadata.namespace}/{s.metadata.name}: GET {url} -> {said}")
    return lines


def live_report(kubeconfig: Path, namespaces: list[str] | None = None) -> list[str]:
    """What the main job prints after an `up` on the real node: each pod's readiness, each
    server's health check through its Service, and the Services."""
    with config.new_client_from_config(config_file=str(kubeconfig)) as api:
        return (
            pod_readiness(api, namespaces)
            + server_health(api, namespaces)
            + services(api, namespaces)
        )


def report(kubeconfig: Path, namespaces: list[str] | None = None) -> list[str]:
    """The lines the main job prints after an `up` against a cluster."""
    with config.new_client_from_config(config_file=str(kubeconfig)) as api:
        return [w.line() for w in workloads(api, namespaces)] + services(api, namespaces)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m devtools.cluster_view KUBECONFIG")
    print("\n".join(report(Path(sys.argv[1]))))
