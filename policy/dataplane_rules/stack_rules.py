"""Rules over the whole stack: object names, namespaces, and the project's other stacks."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence

from components.core.names import (
    LABEL_INSTANCE,
    POD_SECURITY_LABEL,
    POD_SECURITY_LEVEL,
    SERVER_TYPE,
)

from .model import POD_SPEC_PATHS, UNKNOWN, Resource, Violation
from .settings import StackSettings

NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"


def served_deployments_unique(
    resources: Sequence[Resource], settings: StackSettings, others: list[StackSettings] | None
) -> list[Violation]:
    """No two resources declare the same Kubernetes object (kind, namespace, name): two
    served deployments that share a namespace and name would overwrite each other."""
    groups: dict[tuple[str, str, str], list[Resource]] = defaultdict(list)
    for resource in resources:
        name, namespace = resource.object_name, resource.namespace
        if not resource.is_kubernetes or not isinstance(name, str) or namespace is UNKNOWN:
            continue
        api_group = resource.type.split(":")[1].split("/")[0]
        groups[(f"{api_group}/{resource.kind}", namespace or "", name)].append(resource)
    violations = []
    for group in groups.values():
        if len(group) < 2:
            continue
        duplicates = sorted(group, key=lambda r: r.urn)
        served = sorted(
            {
                instance
                for r in duplicates
                if r.parent_type == SERVER_TYPE
                and isinstance(labels := r.metadata.get("labels"), dict)
                and isinstance(instance := labels.get(LABEL_INSTANCE), str)
            }
        )
        whose = (
            f" (servers of the served deployments {', '.join(map(repr, served))})" if served else ""
        )
        names = ", ".join(repr(r.name) for r in duplicates)
        for resource in duplicates[1:]:
            violations.append(
                Violation(
                    f"{resource.describe()} is declared by {len(duplicates)} resources "
                    f"({names}){whose}: Kubernetes keeps one object per namespace and name, so "
                    "one would overwrite the other. Fix: give the deployments distinct names "
                    "(in the control plane, or in dataplane:deployments for static ones), or "
                    "serve them from different namespaces.",
                    resource.urn,
                )
            )
    return violations


def namespaces_restricted(
    resources: Sequence[Resource], settings: StackSettings, others: list[StackSettings] | None
) -> list[Violation]:
    """Each namespace of the stack enforces the restricted Pod Security Standard.

    A namespace the stack creates must carry the label; a namespace a workload runs in must
    be one the stack creates, or one it adopts (`dataplane:namespaces.create: false`): the
    pack cannot see an adopted namespace's labels, that is the cluster owner's part.
    """
    violations = []
    created: set[str] = set()
    for resource in resources:
        if resource.type != NAMESPACE_TYPE or not isinstance(resource.object_name, str):
            continue
        created.add(resource.object_name)
        labels = resource.metadata.get("labels")
        if labels is UNKNOWN:
            continue
        enforced = (labels or {}).get(POD_SECURITY_LABEL)
        if enforced != POD_SECURITY_LEVEL:
            violations.append(
                Violation(
                    f"{resource.describe()} enforces Pod Security {enforced or 'nothing'!s}, "
                    f"not {POD_SECURITY_LEVEL}: pods with root, privileges or host access would "
                    f"be admitted. Fix: label it {POD_SECURITY_LABEL}: {POD_SECURITY_LEVEL}.",
                    resource.urn,
                )
            )
    adopted = set(settings.namespaces) if settings.adopts_namespaces else set()
    reported: set[str] = set()
    for resource in resources:
        namespace = resource.namespace
        if resource.type not in POD_SPEC_PATHS or namespace is UNKNOWN:
            continue
        namespace = namespace or "default"
        if namespace in created | adopted | reported:
            continue
        reported.add(namespace)
        violations.append(
            Violation(
                f"{resource.describe()} runs in namespace {namespace!r}, which this stack "
                f"neither creates (with {POD_SECURITY_LABEL}: {POD_SECURITY_LEVEL}) nor adopts "
                "(dataplane:namespaces.names with create: false), so nothing makes it enforce "
                "the restricted Pod Security Standard. Fix: add it to "
                "dataplane:namespaces.names, or move the workload into one of the stack's "
                "namespaces.",
                resource.urn,
            )
        )
    return violations


def listener_namespaces_exclusive(
    resources: Sequence[Resource], settings: StackSettings, others: list[StackSettings] | None
) -> list[Violation]:
    """No other stack of the project registers the same listener, or watches one of this
    stack's namespaces on the same cluster.

    What a stack can know of the others: their files in the project's stackConfigDir. Two
    stacks are on the same cluster when they name the same kubeconfig file; stacks that name
    none render manifests and are compared with none.
    """
    if not others:
        return []
    violations = []
    endpoint, workspace, compute_id = settings.listener
    mine = _cluster(settings.kubeconfig)
    for other in others:
        if compute_id and other.listener == settings.listener:
            where = f"{endpoint}" + (f", workspace {workspace}" if workspace else "")
            violations.append(
                Violation(
                    f"stack {other.stack!r} registers the same listener as this stack "
                    f"(listenerComputeId {compute_id!r} at {where}): both would adopt one "
                    "listener and each `up` would replace the other's watched namespaces. Fix: "
                    "give each stack its own dataplane:controlPlane.listenerComputeId."
                )
            )
        if mine is None or _cluster(other.kubeconfig) != mine:
            continue
        shared = sorted(set(settings.namespaces) & set(other.namespaces))
        if shared:
            violations.append(
                Violation(
                    f"stack {other.stack!r} also watches {', '.join(map(repr, shared))} on the "
                    f"same cluster (both apply with kubeconfig {settings.kubeconfig!r}): two "
                    "listeners would claim the namespace, and their servers' objects could "
                    "collide. Fix: give each stack its own namespaces "
                    "(dataplane:namespaces.names); if the stacks run on different clusters, "
                    "point each at its own kubeconfig file."
                )
            )
    return violations


def _cluster(kubeconfig: str | None) -> str | None:
    return os.path.normpath(os.path.expanduser(kubeconfig)) if kubeconfig else None
