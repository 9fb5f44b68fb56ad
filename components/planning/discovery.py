"""Program-time discovery: which control-plane deployments this data plane serves, and the
revision each of them should run.

It runs in every `preview` and `up`, so a deployment bound to this listener in the control
plane shows up as new servers in the next preview. When nothing fails it costs N+2
requests for N served deployments in a workspace of at most 100 deployments: the listener
list, the deployment list, and each served deployment's target revision, asked for at once
(`providers/targets.py`) so that each `RevisionSync` check needs no request of its own (one
more for a deployment whose newest revision is not the one it serves, to say why).

The control plane filters the deployment list by name but not by listener (its published
API, v0.1.0, has no such filter). A stack that discovers (`controlPlane.discover`, the
default) therefore reads every page of the workspace's deployments, 100 per page. A stack
that names its deployments (`discover: false`) reads the first page and, when there are
more, asks for each name it did not find there, at once, instead of reading the other
pages (up to `BY_NAME_MAX` names).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import NAMESPACE, ConfigError, StackConfig
from ..config.naming import MAX_DEPLOYMENT_NAME, label_value_problem, served_name_problem
from ..controlplane import ControlPlaneClient, Deployment
from ..controlplane.client import MAX_PAGE_SIZE
from ..controlplane.parallel import CONCURRENCY, map_concurrently
from ..core.kube import dns_name
from ..providers.targets import TargetQuery, TargetRevision, fetch_targets, target_of

BY_NAME_MAX = 2 * CONCURRENCY
"""Names asked for one by one, at most: two rounds of requests in flight at once, each
answered with about one deployment, against at least one more page of 100 to read."""


@dataclass(frozen=True)
class DiscoveredDeployment:
    """What the program knows of one served deployment."""

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
    secret_references: list[dict[str, str]] = field(default_factory=list)
    """The deployment's `secret_references` (`name`, `secret_name`, `secret_key`)."""
    deployment_type: str | None = None
    """The deployment's tier (`dev`, `prod`, `dev_zero`...; None: the service's default)."""
    target: TargetRevision | None = None
    """Its target revision as discovery resolved it (None: left to its RevisionSync)."""


@dataclass(frozen=True)
class Discovery:
    """The listener and the deployments it serves."""

    listener_id: str | None
    """Id of the listener with this stack's compute id, if it is registered yet."""
    deployments: list[DiscoveredDeployment]
    """The served deployments, by name."""
    skipped: list[str] = field(default_factory=list)
    """Human-readable reasons for bound deployments that are not served."""
    listener_namespaces: list[str] = field(default_factory=list)
    """The namespaces the control plane lists for that listener."""


def discover(client: ControlPlaneClient, config: StackConfig) -> Discovery:
    """Ask the control plane which deployments this stack serves, and their targets."""
    compute_id = config.control_plane.listener_compute_id
    listener = next((x for x in client.iter_listeners() if x.compute_id == compute_id), None)
    listener_id = listener.id if listener else None
    namespaces = sorted(listener.k8s_namespaces) if listener else []
    wanted = {name for name, entry in config.deployments.items() if entry.static is None}
    discovering = config.control_plane.discover and listener_id is not None
    if not discovering and not wanted:
        return Discovery(listener_id, [], listener_namespaces=namespaces)

    candidates = client.list_deployments() if discovering else by_name(client, sorted(wanted))
    watched = config.namespaces.names
    served: dict[str, DiscoveredDeployment] = {}
    skipped: list[str] = []
    for dep in candidates:
        bound = listener_id is not None and dep.listener_id == listener_id
        if dep.name not in wanted and not (discovering and bound):
            continue
        if dep.is_deleting:
            skipped.append(f"{dep.name}: being deleted in the control plane ({dep.status})")
            continue
        unservable = _name_problem(dep, config)
        if unservable:
            skipped.append(
                f"{dep.name}: {unservable}; rename it in the control plane to a lowercase name "
                f"that starts with a letter, of at most {MAX_DEPLOYMENT_NAME} characters "
                "(e.g. `agent-alpha`)"
            )
            continue
        namespace = dep.k8s_namespace or watched[0]
        if namespace not in watched:
            skipped.append(
                f"{dep.name}: namespace {namespace!r} is not watched; add it to "
                f"{NAMESPACE}:namespaces.names to serve it"
            )
            continue
        served[dep.name] = _discovered(dep, namespace)

    _drop_clashes(served, config, skipped)
    missing = sorted(wanted - set(served) - {s.split(":")[0] for s in skipped})
    if missing:
        raise ConfigError(
            [
                f"{NAMESPACE}:deployments.{name}: no deployment named {name!r} in the control "
                f"plane at {client.base_url}. Fix: correct the name, or remove the entry."
                for name in missing
            ]
        )
    found = [served[n] for n in sorted(served)]
    if config.reconciler == "pulumi":  # each served deployment gets a RevisionSync
        found = with_targets(client, config, found)
    return Discovery(listener_id, found, skipped, namespaces)


def _drop_clashes(
    served: dict[str, DiscoveredDeployment], config: StackConfig, skipped: list[str]
) -> None:
    """Drop (into `skipped`) the deployments whose Kubernetes names would be another's: each
    name becomes `dns_name(name)` (`My Agent` and `my-agent` both become `my-agent`). The
    stack's static deployments keep theirs, then a name that is its own Kubernetes name,
    then the first by name."""
    taken = {name: name for name, entry in config.deployments.items() if entry.static}
    for name in sorted(served, key=lambda n: (dns_name(n) != n, n)):
        base = dns_name(name)
        if base in taken:
            del served[name]
            skipped.append(
                f"{name}: its Kubernetes name {base!r} is already the one of deployment "
                f"{taken[base]!r}; rename one of them in the control plane"
            )
        else:
            taken[base] = name


def _name_problem(dep: Deployment, config: StackConfig) -> str | None:
    """Why the Kubernetes names and labels of a deployment would be refused, or None."""
    stores = [
        store
        for store, mode in (
            ("postgres", config.postgres_mode(dep.name)),
            ("mongo", config.mongo_mode(dep.name)),
        )
        if mode == "in-cluster"
    ]
    problem = served_name_problem(dep.name, stores)
    if problem is None and label_value_problem(dep.id):
        problem = f"its id {dep.id!r} cannot be a Kubernetes label value"
    return problem


def by_name(client: ControlPlaneClient, names: list[str]) -> list[Deployment]:
    """The deployments called `names` (and maybe others): the first page of the list, and
    when it is not the last, each name missing from it asked for by name, at once, as long
    as that is at most `BY_NAME_MAX` requests; more names read the rest of the list."""
    pages = client.iter_deployments()
    first = list(itertools.islice(pages, MAX_PAGE_SIZE))
    if len(first) < MAX_PAGE_SIZE:
        return first  # the whole workspace
    on_first = {d.name for d in first}
    rest = [name for name in names if name not in on_first]
    if len(rest) > BY_NAME_MAX:
        return first + list(pages)

    def named(name: str) -> list[Deployment]:
        return [d for d in client.iter_deployments(name_contains=name) if d.name == name]

    return first + [d for found in map_concurrently(named, rest) for d in found]


def with_targets(
    client: ControlPlaneClient, config: StackConfig, found: list[DiscoveredDeployment]
) -> list[DiscoveredDeployment]:
    """`found`, each with its target revision resolved (all at once, on `client`)."""
    queries: dict[str, TargetQuery] = {}
    for dep in found:
        pinned = config.pinned_revision(dep.name)
        target = target_of(pinned, dep.active_revision_id)
        if target:  # none yet: the check says so
            queries[dep.name] = TargetQuery(dep.id, target, dep.latest_revision_id, bool(pinned))
    targets = dict(zip(queries, fetch_targets(client, list(queries.values())), strict=True))
    return [replace(dep, target=targets.get(dep.name)) for dep in found]


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
        secret_references=[
            {"name": r.name, "secret_name": r.secret_name, "secret_key": r.secret_key}
            for r in dep.secret_references
        ],
        deployment_type=dep.deployment_type,
    )
