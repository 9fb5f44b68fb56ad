"""Program-time discovery: which control-plane deployments this data plane serves.

It runs in every `preview` and `up`, so a deployment bound to this listener in the control
plane shows up as new servers in the next preview. Two requests when nothing fails: the
listener list and the deployment list (100 per page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import NAMESPACE, ConfigError, StackConfig
from .controlplane import ControlPlaneClient, Deployment


@dataclass(frozen=True)
class DiscoveredDeployment:
    """What the program knows of one served deployment before its revision is resolved."""

    id: str
    """Control-plane deployment id."""
    name: str
    """Control-plane deployment name."""
    namespace: str
    """Kubernetes namespace of its server."""
    active_revision_id: str | None
    """The deployment's active revision."""
    latest_revision_id: str | None
    """The deployment's newest revision."""
    resource_spec: dict[str, Any] = field(default_factory=dict)
    """The deployment's `resource_spec`, in control-plane keys."""
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    """The deployment's secrets, name to value."""


@dataclass(frozen=True)
class Discovery:
    """The listener and the deployments it serves."""

    listener_id: str | None
    """Id of the listener with this stack's compute id, if it is registered yet."""
    deployments: list[DiscoveredDeployment]
    """The served deployments, by name."""
    skipped: list[str] = field(default_factory=list)
    """Human-readable reasons for bound deployments that are not served."""


def discover(client: ControlPlaneClient, config: StackConfig) -> Discovery:
    """Ask the control plane which deployments this stack serves."""
    compute_id = config.control_plane.listener_compute_id
    listener = next((x for x in client.iter_listeners() if x.compute_id == compute_id), None)
    listener_id = listener.id if listener else None
    wanted = {name for name, entry in config.deployments.items() if entry.static is None}
    if not config.control_plane.discover and not wanted:
        return Discovery(listener_id, [])

    all_deployments = client.list_deployments()
    watched = config.namespaces.names
    served: dict[str, DiscoveredDeployment] = {}
    skipped: list[str] = []
    for dep in all_deployments:
        bound = listener_id is not None and dep.listener_id == listener_id
        if dep.name not in wanted and not (config.control_plane.discover and bound):
            continue
        if dep.is_deleting:
            skipped.append(f"{dep.name}: being deleted in the control plane ({dep.status})")
            continue
        namespace = dep.k8s_namespace or watched[0]
        if namespace not in watched:
            skipped.append(
                f"{dep.name}: namespace {namespace!r} is not watched; add it to "
                f"{NAMESPACE}:namespaces.names to serve it"
            )
            continue
        served[dep.name] = _discovered(dep, namespace)

    missing = sorted(wanted - set(served) - {s.split(":")[0] for s in skipped})
    if missing:
        raise ConfigError(
            [
                f"{NAMESPACE}:deployments.{name}: no deployment named {name!r} in the control "
                f"plane at {client.base_url}. Fix: correct the name, or remove the entry."
                for name in missing
            ]
        )
    return Discovery(listener_id, [served[n] for n in sorted(served)], skipped)


def _discovered(dep: Deployment, namespace: str) -> DiscoveredDeployment:
    spec = dep.resource_spec
    return DiscoveredDeployment(
        id=dep.id,
        name=dep.name,
        namespace=namespace,
        active_revision_id=dep.active_revision_id,
        latest_revision_id=dep.latest_revision_id,
        resource_spec=spec.model_dump(exclude_none=True, mode="json") if spec else {},
        secrets={s.name: s.value for s in dep.secrets},
    )
