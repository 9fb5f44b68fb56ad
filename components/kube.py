"""Kubernetes conventions shared by the components: labels, names and secure defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

PART_OF = "langgraph-dataplane"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_DEPLOYMENT_ID = "langgraph.ai/deployment-id"
LABEL_REVISION_ID = "langgraph.ai/revision-id"
ANNOTATION_SECRETS_DIGEST = "langgraph.ai/secrets-digest"
ANNOTATION_ENV_DIGEST = "langgraph.ai/platform-env-digest"
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_HOSTNAME = "kubernetes.io/hostname"

_INVALID = re.compile(r"[^a-z0-9-]+")


def dns_name(*parts: str, max_len: int = 63) -> str:
    """Join parts into a valid Kubernetes object name (DNS-1123 label)."""
    name = _INVALID.sub("-", "-".join(parts).lower()).strip("-")
    return name[:max_len].rstrip("-")


def labels(instance: str, component: str, **extra: str) -> dict[str, str]:
    """The stable labels of one workload; also its selector, so never add revision ids here."""
    return {
        "app.kubernetes.io/name": component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
        LABEL_INSTANCE: instance,
        LABEL_COMPONENT: component,
        **extra,
    }


def selector(all_labels: dict[str, str]) -> dict[str, str]:
    """The subset of `labels()` used in selectors."""
    return {k: all_labels[k] for k in (LABEL_INSTANCE, LABEL_COMPONENT)}


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


def scratch_volume(name: str, mount_path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An emptyDir volume and its mount, for images that write under a read-only root."""
    return {"name": name, "emptyDir": {}}, {"name": name, "mountPath": mount_path}


def service_host(service: str, namespace: str, cluster_domain: str = "cluster.local") -> str:
    """The in-cluster DNS name of a Service."""
    return f"{service}.{namespace}.svc.{cluster_domain}"


def service_url(
    service: str,
    namespace: str,
    port: int,
    scheme: str = "http",
    cluster_domain: str = "cluster.local",
) -> str:
    """The in-cluster URL of a Service."""
    return f"{scheme}://{service_host(service, namespace, cluster_domain)}:{port}"


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
    default_spread: pulumi.Output[list[dict[str, Any]] | None] | None = None,
) -> pulumi.Input[dict[str, Any]]:
    """`pod` (a pod spec whose first container is the workload's) with `extras` merged in.

    Keys appear only when set, so workloads without extras render as before. The default
    spread may be an Output (it depends on the replica count): the spec then is one too, so
    that "no spread" leaves the key out rather than setting it to null.
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
        return default_spread.apply(
            lambda spread: {**spec, "topologySpreadConstraints": spread} if spread else spec
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


def common_metadata(
    labels: Mapping[str, str], annotations: Mapping[str, str]
) -> pulumi.ResourceTransformation:
    """A transformation that puts `labels` and `annotations` on every Kubernetes object.

    A transformation rather than an argument of every component: no object can miss them.
    The object's own labels and annotations win.
    """

    def transform(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        if not args.type_.startswith("kubernetes:"):
            return None
        meta = args.props.get("metadata")
        if not isinstance(meta, dict):
            raise TypeError(f"{args.name}: metadata must be a dict to take common labels")
        merged = dict(meta)
        if labels:
            merged["labels"] = _merged(labels, meta.get("labels"))
        if annotations:
            merged["annotations"] = _merged(annotations, meta.get("annotations"))
        return pulumi.ResourceTransformationResult({**args.props, "metadata": merged}, args.opts)

    return transform


def _merged(common: Mapping[str, str], own: Any) -> Any:
    if own is None or isinstance(own, dict):
        return {**common, **(own or {})}
    return pulumi.Output.from_input(own).apply(lambda o: {**common, **(o or {})})


def store_network_policy(
    resource_name: str,
    *,
    namespace: str,
    store_labels: dict[str, str],
    client_selector: dict[str, str],
    port: int,
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """Only pods matching `client_selector` may reach the store's pods, and only on `port`."""
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata={"name": dns_name(resource_name), "namespace": namespace, "labels": store_labels},
        spec={
            "podSelector": {"matchLabels": selector(store_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": client_selector}}],
                    "ports": [{"protocol": "TCP", "port": port}],
                }
            ],
        },
        opts=opts,
    )


def child_options(
    parent: pulumi.Resource, opts: pulumi.ResourceOptions | None, **extra: Any
) -> pulumi.ResourceOptions:
    """Options for a component's children: parented to it, and waiting on what it waits on.

    Pulumi does not pass a component's `depends_on` to its children; this does, so a
    component placed in a Namespace that Pulumi creates is built after that Namespace.
    """
    return pulumi.ResourceOptions(
        parent=parent, depends_on=opts.depends_on if opts else None, **extra
    )
