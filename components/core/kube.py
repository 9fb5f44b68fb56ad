"""Kubernetes conventions shared by the components: object names, labels and child options."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pulumi

from .names import (
    LABEL_COMPONENT,
    LABEL_INSTANCE,
    LABEL_MANAGED_BY,
    LABEL_NAME,
    LABEL_PART_OF,
    PART_OF,
)

R = TypeVar("R")

CLUSTER_DOMAIN = "cluster.local"
"""The DNS domain of a cluster unless it says otherwise."""

_INVALID = re.compile(r"[^a-z0-9-]+")
HELM_TYPES = "kubernetes:helm.sh/"


def dns_name(*parts: str, max_len: int = 63) -> str:
    """Join parts into a valid Kubernetes object name (DNS-1123 label)."""
    name = _INVALID.sub("-", "-".join(parts).lower()).strip("-")
    return name[:max_len].rstrip("-")


def labels(instance: str, component: str, **extra: str) -> dict[str, str]:
    """The stable labels of one workload; also its selector, so never add revision ids here."""
    return {
        LABEL_NAME: component,
        LABEL_PART_OF: PART_OF,
        LABEL_MANAGED_BY: "pulumi",
        LABEL_INSTANCE: instance,
        LABEL_COMPONENT: component,
        **extra,
    }


def instance_objects(
    instance: str, component: str, namespace: str
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """One instance's component: its object name, labels, and metadata without the name."""
    component_labels = labels(instance, component)
    meta: dict[str, Any] = {"namespace": namespace, "labels": component_labels}
    return dns_name(instance, component), component_labels, meta


def selector(all_labels: Mapping[str, str]) -> dict[str, str]:
    """The subset of `labels()` used in selectors."""
    return {k: all_labels[k] for k in (LABEL_INSTANCE, LABEL_COMPONENT)}


def service_host(service: str, namespace: str, cluster_domain: str = CLUSTER_DOMAIN) -> str:
    """The in-cluster DNS name of a Service."""
    return f"{service}.{namespace}.svc.{cluster_domain}"


def service_url(
    service: str,
    namespace: str,
    port: int,
    scheme: str = "http",
    cluster_domain: str = CLUSTER_DOMAIN,
) -> str:
    """The in-cluster URL of a Service."""
    return f"{scheme}://{service_host(service, namespace, cluster_domain)}:{port}"


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
        # A chart takes them as values (its objects are its children, not transformed here).
        if not args.type_.startswith("kubernetes:") or args.type_.startswith(HELM_TYPES):
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


def applied(value: Any, fn: Callable[[Any], R]) -> Any:
    """`fn` of a value: through `apply` when it is an Output, directly when it is plain.

    Each Output costs the SDK a task that its end-of-program wait goes over again and again,
    so a value known while the program runs stays plain.
    """
    if isinstance(value, pulumi.Output):
        return value.apply(fn)
    return fn(value)
