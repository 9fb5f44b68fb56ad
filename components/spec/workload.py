"""The pod and workload skeleton every component builds on, and what each workload kind
sets itself.

The listener, the servers' API and queue Deployments, Postgres and Redis all run the same
way: non-root pods under the runtime's seccomp profile, one main container without
privileges, writable scratch volumes under a read-only root, and the stack's pod settings
(`PodExtras`) merged in. `workload_spec` builds that once; each component adds only what is
its own (image, ports, env, probes, resources).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pulumi

from ..core.kube import applied, selector
from ..core.platform_env import reserved_env_problem as platform_env_problem

# Well-known node labels the default spreading uses.
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_HOSTNAME = "kubernetes.io/hostname"

WorkloadKind = Literal["listener", "api", "queue", "postgres", "redis", "mongo"]
WORKLOAD_KINDS: tuple[str, ...] = get_args(WorkloadKind)

# What the servers set themselves besides the platform's reserved names (the Mongo
# checkpointer's as the `langgraph-cloud` chart sets them).
SERVER_ENV_NAMES = ("N_JOBS_PER_WORKER", "LS_DEFAULT_CHECKPOINTER_BACKEND", "LS_MONGODB_URI")

# What each workload sets itself: pod settings from config may not reuse these names.
OWN_CONTAINERS: dict[str, str] = {
    "listener": "listener",
    "api": "api-server",
    "queue": "queue-worker",
    "postgres": "postgres",
    "redis": "redis",
    "mongo": "mongo",
}
"""The main container's name."""
OWN_VOLUMES: dict[str, dict[str, str]] = {
    "listener": {"tmp": "/tmp"},
    "api": {"tmp": "/tmp"},
    "queue": {"tmp": "/tmp"},
    "postgres": {
        "data": "/var/lib/postgresql/data",
        "run": "/var/run/postgresql",
        "tmp": "/tmp",
        "init": "/docker-entrypoint-initdb.d",
    },
    "redis": {"data": "/data"},
    "mongo": {"data": "/data/db", "tmp": "/tmp"},
}
"""Volume name to its mount path in the main container, in mount order."""
OWN_ENV_NAMES: dict[str, frozenset[str]] = {
    "listener": frozenset(
        {
            "PORT",
            "LANGCHAIN_ENV",
            "HOST_QUEUE",
            "HOST_BACKEND_ENDPOINT",
            "HOST_LANGCHAIN_API_ENDPOINT",
            "HOST_WORKER_TENANT_ID",
            "HOST_WORKER_LISTENER_ID",
            "HOST_WORKER_EXTERNAL_ENABLED",
            "HOST_WORKER_RECONCILIATION_CRON_ENABLED",
            "HOST_WORKER_LANGSMITH_API_KEY",
            "REDIS_DATABASE_URI",
            "LANGGRAPH_CLOUD_INGRESS_ENABLED",
            "HOSTED_K8S_BASE_PATH",
            "HOSTED_K8S_ROOT_DOMAIN",
            "HOSTED_K8S_SHARED_INGRESS",
            "HOSTED_K8S_CLUSTER_DOMAIN",
            "ENABLE_LGP_DEPLOYMENT_HEALTH_CHECK",
            "LOG_LEVEL",
        }
    ),
    "api": frozenset(SERVER_ENV_NAMES),
    "queue": frozenset(SERVER_ENV_NAMES),
    "postgres": frozenset({"POSTGRES_PASSWORD", "PGDATA"}),
    "redis": frozenset({"REDIS_PASSWORD"}),
    "mongo": frozenset({"HOME"}),
}
"""Environment names of the main container besides the platform's reserved ones."""


def reserved_env_problem(names: Iterable[str], kind: str | None = None) -> str | None:
    """What is wrong with setting `names` from config: the platform's reserved names, and with
    `kind` the ones that workload's main container sets itself. None when there are none; one
    wording wherever config sets environment names."""
    return platform_env_problem(names, OWN_ENV_NAMES.get(kind or "", frozenset()))


def pod_security_context(uid: int) -> dict[str, Any]:
    """Non-root pods with the runtime's default seccomp profile."""
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context(read_only_root: bool = True) -> dict[str, Any]:
    """No privilege escalation, no capabilities, read-only root where the image allows it."""
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": read_only_root,
        "capabilities": {"drop": ["ALL"]},
    }


@dataclass(frozen=True)
class PodExtras:
    """Placement, metadata and additions for one workload's pods, already Kubernetes-shaped.

    Every field defaults to "nothing": a workload given `PodExtras()` renders exactly as it
    would without them.
    """

    node_selector: dict[str, str] = field(default_factory=dict)
    """`nodeSelector`."""
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    """`tolerations`."""
    affinity: dict[str, Any] | None = None
    """`affinity`."""
    topology_spread: list[dict[str, Any]] | None = None
    """`topologySpreadConstraints`; None keeps the workload's default, [] has none."""
    priority_class_name: str | None = None
    """`priorityClassName`."""
    termination_grace_period_seconds: int | None = None
    """`terminationGracePeriodSeconds`."""
    dns_policy: str | None = None
    """`dnsPolicy`."""
    dns_config: dict[str, Any] | None = None
    """`dnsConfig`."""
    labels: dict[str, str] = field(default_factory=dict)
    """Extra pod labels; the workload's own labels win."""
    annotations: dict[str, str] = field(default_factory=dict)
    """Extra pod annotations; the workload's own annotations win."""
    env: list[dict[str, Any]] = field(default_factory=list)
    """Extra environment of the main container."""
    volumes: list[dict[str, Any]] = field(default_factory=list)
    """Extra pod volumes."""
    volume_mounts: list[dict[str, Any]] = field(default_factory=list)
    """Extra mounts of the main container."""
    sidecars: list[dict[str, Any]] = field(default_factory=list)
    """Extra containers."""
    image_pull_secrets: list[str] = field(default_factory=list)
    """Image pull Secret names."""
    image_pull_policy: str | None = None
    """`imagePullPolicy` of every container."""


def workload_spec(
    kind: WorkloadKind,
    *,
    uid: int,
    main: Mapping[str, Any],
    workload_labels: Mapping[str, str],
    pod_labels: Mapping[str, Any],
    pod_annotations: Mapping[str, Any],
    extras: PodExtras,
    automount_token: bool = False,
    read_only_root: bool = True,
    pod_fields: Mapping[str, Any] | None = None,
    claims: Mapping[str, Any] | None = None,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    default_spread: pulumi.Input[list[dict[str, Any]] | None] = None,
    **spec: Any,
) -> dict[str, Any]:
    """The `spec` of the Deployment (or StatefulSet) that runs one workload kind.

    `main` is the main container without its name, security context and mounts: those come
    from the kind (its own container name and volumes, see `OWN_*`). Each own volume is an
    emptyDir unless `claims` names a PersistentVolumeClaim for it, or `sources` gives its
    source (e.g. `{"configMap": {"name": ...}}`). `pod_fields` adds to the
    pod spec (a ServiceAccount, pull Secrets), `spec` to the workload's spec (replicas,
    strategy). The selector is the subset of `workload_labels` that never changes.
    """
    claims, sources = claims or {}, sources or {}
    own = OWN_VOLUMES[kind]
    volumes = [
        {"name": n, "persistentVolumeClaim": {"claimName": claims[n]}}
        if n in claims
        else {"name": n, **sources.get(n, {"emptyDir": {}})}
        for n in own
    ]
    container = {
        "name": OWN_CONTAINERS[kind],
        **main,
        "securityContext": container_security_context(read_only_root),
        "volumeMounts": [{"name": n, "mountPath": path} for n, path in own.items()],
    }
    pod: dict[str, Any] = {
        "automountServiceAccountToken": automount_token,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(uid),
        **(pod_fields or {}),
        "containers": [container],
        "volumes": volumes,
    }
    workload_selector = selector(workload_labels)
    return {
        **spec,
        "selector": {"matchLabels": workload_selector},
        "template": {
            "metadata": pod_metadata(pod_labels, pod_annotations, extras),
            "spec": with_extras(pod, extras, workload_selector, default_spread),
        },
    }


def pod_metadata(
    own_labels: Mapping[str, Any], own_annotations: Mapping[str, Any], extras: PodExtras
) -> dict[str, Any]:
    """A pod template's metadata: the workload's labels and annotations over the extras."""
    meta: dict[str, Any] = {"labels": {**extras.labels, **own_labels}}
    annotations = {**extras.annotations, **own_annotations}
    if annotations:
        meta["annotations"] = annotations
    return meta


def with_extras(
    pod: dict[str, Any],
    extras: PodExtras,
    workload_selector: Mapping[str, str],
    default_spread: pulumi.Input[list[dict[str, Any]] | None] = None,
) -> pulumi.Input[dict[str, Any]]:
    """`pod` (a pod spec whose first container is the workload's) with `extras` merged in.

    Keys appear only when set, so workloads without extras render as before. The default
    spread may be an Output (it depends on the replica count): the spec then is one too, so
    that "no spread" leaves the key out rather than setting it to null; a plain one keeps the
    spec plain.
    """
    spec = dict(pod)
    main, *others = spec["containers"]
    main = dict(main)
    if extras.env:
        main["env"] = [*main.get("env", []), *extras.env]
    if extras.volume_mounts:
        main["volumeMounts"] = [*main.get("volumeMounts", []), *extras.volume_mounts]
    sidecars = [_sidecar(c) for c in extras.sidecars]
    containers = [main, *others, *sidecars]
    if extras.image_pull_policy:
        containers = [{"imagePullPolicy": extras.image_pull_policy, **c} for c in containers]
    spec["containers"] = containers
    if extras.volumes:
        spec["volumes"] = [*spec.get("volumes", []), *extras.volumes]
    if extras.image_pull_secrets:
        names = [s["name"] for s in spec.get("imagePullSecrets", [])]
        names += [n for n in extras.image_pull_secrets if n not in names]
        spec["imagePullSecrets"] = [{"name": n} for n in names]
    optional = {
        "nodeSelector": extras.node_selector or None,
        "tolerations": extras.tolerations or None,
        "affinity": extras.affinity,
        "priorityClassName": extras.priority_class_name,
        "terminationGracePeriodSeconds": extras.termination_grace_period_seconds,
        "dnsPolicy": extras.dns_policy,
        "dnsConfig": extras.dns_config,
    }
    spec.update({k: v for k, v in optional.items() if v is not None})
    if extras.topology_spread is not None:
        if extras.topology_spread:
            spec["topologySpreadConstraints"] = [
                {"labelSelector": {"matchLabels": dict(workload_selector)}, **c}
                for c in extras.topology_spread
            ]
    elif default_spread is not None:
        return applied(
            default_spread,
            lambda spread: {**spec, "topologySpreadConstraints": spread} if spread else spec,
        )
    return spec


def spread_over_zones_and_nodes(workload_selector: Mapping[str, str]) -> list[dict[str, Any]]:
    """Spread replicas over zones where the cluster has them, and over nodes always.

    Zones are best effort (ScheduleAnyway): a node without a zone label would otherwise take
    no pods at all. Nodes are a hard rule (DoNotSchedule), skewed by at most one, counting
    only nodes that take the pods (taints honoured) and only the current ReplicaSet's pods,
    so a rollout never waits on the old pods' placement.
    """
    selector_ = {"matchLabels": dict(workload_selector)}
    return [
        {
            "maxSkew": 1,
            "topologyKey": LABEL_ZONE,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector_,
            "matchLabelKeys": ["pod-template-hash"],
        },
        {
            "maxSkew": 1,
            "topologyKey": LABEL_HOSTNAME,
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": selector_,
            "matchLabelKeys": ["pod-template-hash"],
            "nodeTaintsPolicy": "Honor",
        },
    ]


def _sidecar(container: dict[str, Any]) -> dict[str, Any]:
    # The namespaces enforce the restricted Pod Security Standard: default to it.
    security = {**container_security_context(), **container.get("securityContext", {})}
    return {**container, "securityContext": security}
