"""Container rules: requests and limits, and the restricted security context."""

from __future__ import annotations

from typing import Any

from .model import UNKNOWN, Container, Resource, containers, dig
from .settings import StackSettings

_RESOURCE_FIX = (
    "Fix: give the container resources.requests and resources.limits for cpu and memory "
    "(the program sizes its own containers from the revision's resource_spec and the stack "
    "config; a sidecar from dataplane:workloads.<kind>.sidecars must set its own)."
)
_SECURITY_FIX = (
    "Fix: run it as the program runs its own containers: pod or container securityContext "
    "with runAsNonRoot: true and seccompProfile.type: RuntimeDefault, and the container's "
    "capabilities.drop: [ALL] and allowPrivilegeEscalation: false (a sidecar that sets its "
    "own securityContext must keep these)."
)
# The one capability the restricted Pod Security Standard lets a container add.
_ALLOWED_ADDED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})


def container_resources(resource: Resource, settings: StackSettings) -> list[str]:
    """Every container has CPU and memory requests and limits."""
    messages = []
    for container in containers(resource):
        resources = container.spec.get("resources")
        if resources is UNKNOWN:
            continue
        missing = [
            f"{amount} {side.removesuffix('s')}"
            for side in ("requests", "limits")
            for amount in ("cpu", "memory")
            if _missing(dig(resources or {}, side, amount))
        ]
        if missing:
            messages.append(
                f"{container.describe()} has no {', no '.join(missing)}: "
                "without requests the scheduler and the CPU autoscalers cannot size it, and "
                f"without limits it can starve its neighbours. {_RESOURCE_FIX}"
            )
    return messages


def container_security(resource: Resource, settings: StackSettings) -> list[str]:
    """Every container runs as non-root under RuntimeDefault seccomp, drops all
    capabilities and cannot escalate privileges."""
    messages = []
    for container in containers(resource):
        problems = _security_problems(container)
        if problems:
            messages.append(f"{container.describe()}: {'; '.join(problems)}. {_SECURITY_FIX}")
    return messages


def _missing(value: Any) -> bool:
    return value is not UNKNOWN and (value is None or value == "" or value == 0)


def _effective(container: Container, *path: str) -> Any:
    """A security setting as Kubernetes applies it: the container's, else the pod's."""
    own = dig(container.spec, "securityContext", *path)
    return own if own is not None else dig(container.pod, "securityContext", *path)


def _security_problems(container: Container) -> list[str]:
    problems = []
    non_root = _effective(container, "runAsNonRoot")
    if non_root is not UNKNOWN and non_root is not True:
        problems.append("runAsNonRoot is not true")
    user = _effective(container, "runAsUser")
    if user is not UNKNOWN and user is not None and int(user) == 0:
        problems.append("runAsUser is 0 (root)")
    seccomp = _effective(container, "seccompProfile", "type")
    if seccomp is not UNKNOWN and seccomp != "RuntimeDefault":
        problems.append(f"seccompProfile.type is {seccomp or 'unset'}, not RuntimeDefault")
    capabilities = dig(container.spec, "securityContext", "capabilities")
    if capabilities is not UNKNOWN:
        drop = dig(capabilities or {}, "drop")
        if drop is not UNKNOWN and "ALL" not in (drop or []):
            problems.append("capabilities.drop does not hold ALL")
        added = dig(capabilities or {}, "add")
        if isinstance(added, list):
            extra = sorted(str(a) for a in added if a not in _ALLOWED_ADDED_CAPABILITIES)
            if extra:
                problems.append(f"capabilities.add holds {', '.join(extra)}")
    escalation = dig(container.spec, "securityContext", "allowPrivilegeEscalation")
    if escalation is not UNKNOWN and escalation is not False:
        problems.append("allowPrivilegeEscalation is not false")
    if dig(container.spec, "securityContext", "privileged") is True:
        problems.append("privileged is true")
    return problems
