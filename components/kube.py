"""Kubernetes conventions shared by the components: labels, names and secure defaults."""

from __future__ import annotations

import re
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


def service_url(service: str, namespace: str, port: int, scheme: str = "http") -> str:
    """The in-cluster URL of a Service."""
    return f"{scheme}://{service}.{namespace}.svc.cluster.local:{port}"


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
