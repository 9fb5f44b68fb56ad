"""What the rules see of a resource: its type, names, options, properties and parent.

A value that a preview cannot know yet (it depends on a resource not created yet) is
`UNKNOWN`. Rules skip what is unknown: the same rules run again in `pulumi up`, where the
engine checks each resource's inputs once the values it depends on exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class _Unknown:
    """The marker of a value the engine does not know yet (compare with `is UNKNOWN`)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

# The pod spec of each workload type, as a path from the object's top.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}


def parse_urn(urn: str) -> tuple[list[str], str]:
    """The type chain (outermost parent first, the resource's own type last) and the name.

    `urn:pulumi:<stack>::<project>::<parent type>$...$<type>::<name>`; the name may itself
    hold `::`.
    """
    parts = urn.split("::", 3)
    if len(parts) != 4:
        return [], urn
    return parts[2].split("$"), parts[3]


@dataclass(frozen=True)
class Resource:
    """One resource as the engine describes it to the pack."""

    urn: str
    type: str
    """Type token, e.g. `kubernetes:apps/v1:Deployment`."""
    name: str
    """Pulumi name."""
    props: dict[str, Any]
    """Inputs (resource checks) or outputs (stack checks); unknown values are `UNKNOWN`."""
    protect: bool = False
    """The `protect` option."""

    @property
    def parent_type(self) -> str | None:
        """The type of the resource's parent component, read from its URN."""
        chain, _ = parse_urn(self.urn)
        return chain[-2] if len(chain) > 1 else None

    @property
    def is_kubernetes(self) -> bool:
        return self.type.startswith("kubernetes:") and not self.type.startswith("kubernetes:yaml")

    @property
    def kind(self) -> str:
        """The Kubernetes kind (`Deployment`), or the last part of another type token."""
        return self.type.rsplit(":", 1)[-1]

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.props.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def namespace(self) -> Any:
        """metadata.namespace: a string, None, or UNKNOWN."""
        return self.metadata.get("namespace")

    @property
    def object_name(self) -> Any:
        """metadata.name: a string, None (auto-named), or UNKNOWN."""
        return self.metadata.get("name")

    def describe(self) -> str:
        """`Deployment langgraph/agent-alpha-api` (falling back to the Pulumi name)."""
        if not self.is_kubernetes:
            return f"{self.kind} {self.name!r}"
        name = self.object_name if isinstance(self.object_name, str) else self.name
        where = f"{self.namespace}/" if isinstance(self.namespace, str) and self.namespace else ""
        return f"{self.kind} {where}{name}"


def dig(value: Any, *path: str) -> Any:
    """The value at `path`, None when a step is missing, UNKNOWN when a step is unknown."""
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    """The pod spec of a workload (None for other types, or when the preview cannot know it)."""
    path = POD_SPEC_PATHS.get(resource.type)
    if path is None:
        return None
    spec = dig(resource.props, *path)
    return spec if isinstance(spec, dict) else None


@dataclass(frozen=True)
class Container:
    """One container of a workload's pod template."""

    workload: Resource
    pod: dict[str, Any]
    """The pod spec it belongs to."""
    spec: dict[str, Any]
    """The container itself."""
    init: bool

    @property
    def name(self) -> str:
        name = self.spec.get("name")
        return name if isinstance(name, str) else "?"

    def describe(self) -> str:
        what = "init container" if self.init else "container"
        return f"{self.workload.describe()}, {what} {self.name!r}"


def containers(resource: Resource) -> Iterator[Container]:
    """Every container and init container of a workload; nothing for other resources."""
    pod = pod_spec(resource)
    if pod is None:
        return
    for key, init in (("initContainers", True), ("containers", False)):
        listed = pod.get(key)
        if not isinstance(listed, list):
            continue
        for spec in listed:
            if isinstance(spec, dict):
                yield Container(resource, pod, spec, init)


@dataclass(frozen=True)
class Violation:
    """One broken rule: the message, and the resource it is about (None: the whole stack)."""

    message: str
    urn: str | None = None
