"""Every rule of the pack: its name, what it checks, mandatory or advisory, and why.

`policy/__main__.py` registers exactly these; docs/policy-pack.md's table lists the same names
and levels (tests/policy/test_policy_rules.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .containers import container_resources, container_security
from .images import images_from_registry, images_pinned, store_versions
from .model import Resource, Violation
from .protection import postgres_deletion_protection
from .secrets import secrets_not_in_env
from .settings import StackSettings
from .stack_rules import (
    listener_namespaces_exclusive,
    namespaces_restricted,
    served_deployments_unique,
)

ResourceCheck = Callable[[Resource, StackSettings], list[str]]
StackCheck = Callable[
    [Sequence[Resource], StackSettings, list[StackSettings] | None], list[Violation]
]


@dataclass(frozen=True)
class Rule:
    """One policy of the pack."""

    name: str
    description: str
    level: Literal["mandatory", "advisory"]
    why: str
    """Why this level."""
    resource_check: ResourceCheck | None = None
    """Checks one resource's inputs before the engine creates or updates it."""
    stack_check: StackCheck | None = None
    """Checks the whole stack once every resource is known."""
    uses_fleet: bool = False
    """Compares the stack with the project's other stacks (their files)."""


RULES: tuple[Rule, ...] = (
    Rule(
        "images-pinned",
        "Every container image is pinned by a version tag (not `latest`) or a digest.",
        "mandatory",
        "an unpinned image changes without any change to the stack, so no preview shows it "
        "and a rollback does not bring the old image back",
        resource_check=images_pinned,
    ),
    Rule(
        "images-from-registry",
        "With dataplane:images.registry set, every container image comes from that registry.",
        "mandatory",
        "a stack sets the prefix because its cluster pulls only from that registry (air-gapped "
        "or mirrored): any other image fails to pull at rollout",
        resource_check=images_from_registry,
    ),
    Rule(
        "store-versions",
        "Redis images are 6.2 or newer and Postgres images 14 or newer.",
        "mandatory",
        "older stores are not supported by the data plane: the servers fail at start or "
        "in migrations, after the rollout began",
        resource_check=store_versions,
    ),
    Rule(
        "postgres-deletion-protection",
        "The Postgres data volume, its password Secret and its RandomPassword are protected, "
        "unless the stack sets dataplane:postgres.deletionProtection: false.",
        "mandatory",
        "losing any of them loses the database or the way into it, and nothing brings it back",
        resource_check=postgres_deletion_protection,
    ),
    Rule(
        "container-resources",
        "Every container has CPU and memory requests and limits.",
        "mandatory",
        "the servers scale on CPU utilisation, which needs requests, and a container without "
        "limits can starve the other deployments on its nodes",
        resource_check=container_resources,
    ),
    Rule(
        "container-security",
        "Every container runs as non-root with seccomp RuntimeDefault, drops all capabilities "
        "and allows no privilege escalation.",
        "mandatory",
        "the namespaces enforce the restricted Pod Security Standard, so the API server "
        "would reject such pods at `up`: the preview is the place to find out",
        resource_check=container_security,
    ),
    Rule(
        "secrets-not-in-env",
        "No secret is a literal environment value: secrets come through secretKeyRef or envFrom.",
        "mandatory",
        "a literal is plain text in the pod spec, the state and every `kubectl get`; it "
        "cannot be rotated without a rollout either",
        stack_check=secrets_not_in_env,
    ),
    Rule(
        "served-deployments-unique",
        "No two resources declare the same Kubernetes object, so no two served deployments "
        "share a namespace and name.",
        "mandatory",
        "the second object overwrites the first: one deployment silently runs the other's servers",
        stack_check=served_deployments_unique,
    ),
    Rule(
        "namespaces-restricted",
        "Each namespace of the stack enforces Pod Security `restricted`.",
        "mandatory",
        "the restricted standard is what keeps a compromised agent from root, host access "
        "or privileges; a namespace without it admits such pods",
        stack_check=namespaces_restricted,
    ),
    Rule(
        "listener-namespaces-exclusive",
        "No other stack of the project registers the same listener or watches one of this "
        "stack's namespaces on the same cluster.",
        "mandatory",
        "two listeners on one namespace, or two stacks on one listener, fight over the same "
        "deployments; the check compares only stacks it can see (the project's stack files) "
        "and the same kubeconfig file as the same cluster",
        stack_check=listener_namespaces_exclusive,
        uses_fleet=True,
    ),
)
