"""The engine's preview steps, normalised: one `Step` per resource, with its reasons.

`pulumi preview --json` lists a step per resource operation (`op`, `urn`, `oldState`,
`newState`, `diffReasons`, `replaceReasons`, `detailedDiff`). A replacement may appear as
several steps (`create-replacement`, `replace`, `delete-replaced`): they fold into one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from components.core.names import (
    DYNAMIC_TYPE,
    LISTENER_REGISTRATION_NAME,
    REVISION_SYNC_PREFIX,
    ListenerRegistrationProps,
    RevisionSyncProps,
)

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"

# The engine's ops, as the report groups them.
OP_GROUP = {
    "create": "create",
    "update": "update",
    "same": "same",
    "delete": "delete",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "import": "import",
    "import-replacement": "replace",
    "read": "read",
    "read-replacement": "read",
    "refresh": "read",
    "discard": "discard",
    "discard-replaced": "discard",
    "remove-pending-replace": "discard",
}
# When several steps touch one resource, the strongest wins.
_PRECEDENCE = ["replace", "delete", "create", "import", "update", "discard", "read", "same"]
# Inputs that say nothing to a reviewer.
_IGNORED_INPUTS = {"__provider", "__inputs"}


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    type: str
    parents: tuple[str, ...]
    name: str

    @classmethod
    def parse(cls, urn: str) -> Urn:
        """`urn:pulumi:<stack>::<project>::<parent types $ ...><type>::<name>`."""
        parts = urn.split("::")
        if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
            return cls("", "", "", (), urn)
        chain = parts[2].split("$")
        return cls(
            stack=parts[0][len("urn:pulumi:") :],
            project=parts[1],
            type=chain[-1],
            parents=tuple(chain[:-1]),
            name="::".join(parts[3:]),
        )


@dataclass
class Step:
    """One resource and what the preview does to it."""

    op: str
    urn: str
    ops: list[str]
    old_state: dict[str, Any] = field(default_factory=dict)
    new_state: dict[str, Any] = field(default_factory=dict)
    diff_reasons: list[str] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    detailed_diff: dict[str, Any] = field(default_factory=dict)

    @property
    def parsed(self) -> Urn:
        return Urn.parse(self.urn)

    @property
    def type(self) -> str:
        state = self.new_state or self.old_state
        return str(state.get("type") or self.parsed.type)

    @property
    def name(self) -> str:
        return self.parsed.name

    @property
    def parents(self) -> tuple[str, ...]:
        return self.parsed.parents

    @property
    def old(self) -> dict[str, Any]:
        """The resource's properties before: its recorded inputs, else its outputs."""
        return _props(self.old_state)

    @property
    def new(self) -> dict[str, Any]:
        """The properties the program declares now (in a preview: the checked inputs)."""
        return _props(self.new_state)

    @property
    def internal(self) -> bool:
        """The stack itself, or a provider that is merely created or updated."""
        if self.type == STACK_TYPE:
            return True
        return self.type.startswith(PROVIDER_PREFIX) and self.op not in ("replace", "delete")

    @property
    def protected(self) -> bool:
        return bool(self.old_state.get("protect"))

    @property
    def retained(self) -> bool:
        return bool(self.old_state.get("retainOnDelete") or self.new_state.get("retainOnDelete"))

    @property
    def pending_replacement(self) -> bool:
        """Deleted before its replacement is created (the engine's `pendingReplacement`)."""
        return bool(self.old_state.get("pendingReplacement"))

    @property
    def dependencies(self) -> set[str]:
        """The URNs it depends on (`dependencies` and `propertyDependencies`)."""
        urns: set[str] = set()
        for state in (self.new_state, self.old_state):
            urns.update(str(u) for u in state.get("dependencies") or [])
            for deps in (state.get("propertyDependencies") or {}).values():
                urns.update(str(u) for u in deps or [])
        return urns

    def own_replace_reasons(self) -> list[str]:
        """The properties that force its replacement: `*-replace` diffs, `replaceReasons`."""
        forced = [k for k, v in self.detailed_diff.items() if _kind(v).endswith("-replace")]
        return sorted(forced) or self.replace_reasons

    def reasons(self) -> list[str]:
        """Why the resource changes: the property paths behind the operation."""
        if self.op == "replace":
            return self.own_replace_reasons() or self.diff_reasons or self.changes()
        if self.op == "update":
            return sorted(self.detailed_diff) or self.diff_reasons or self.changes()
        return []

    def changes(self) -> list[str]:
        """Paths whose declared value differs between the old and the new properties."""
        return list(changed_paths(self.old, self.new))


def _kind(diff: Any) -> str:
    return str(diff.get("kind", "")) if isinstance(diff, Mapping) else ""


def _props(state: Mapping[str, Any]) -> dict[str, Any]:
    props = state.get("inputs") or state.get("outputs") or {}
    return {k: v for k, v in props.items() if k not in _IGNORED_INPUTS}


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(parts: list[str | int]) -> str:
    """Pulumi's property path syntax: `spec.template.spec.containers[0].image`,
    `metadata.labels["app.kubernetes.io/name"]`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


def changed_paths(
    old: Any, new: Any, prefix: list[str | int] | None = None, depth: int = 6
) -> Iterator[str]:
    """The paths where `old` and `new` differ, as deep as `depth`."""
    prefix = prefix or []
    if old == new:
        return
    if depth and isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            if key in _IGNORED_INPUTS:
                continue
            yield from changed_paths(old.get(key), new.get(key), [*prefix, str(key)], depth - 1)
        return
    if depth and isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from changed_paths(a, b, [*prefix, i], depth - 1)
        return
    yield format_path(prefix)


def steps_of(document: Mapping[str, Any]) -> list[Step]:
    """The document's steps, one per resource, in the engine's order."""
    merged: dict[str, Step] = {}
    for raw in document.get("steps") or []:
        if not isinstance(raw, Mapping) or not raw.get("urn"):
            continue
        urn = str(raw["urn"])
        op = OP_GROUP.get(str(raw.get("op")), str(raw.get("op")))
        step = Step(
            op=op,
            urn=urn,
            ops=[str(raw.get("op"))],
            old_state=dict(raw.get("oldState") or {}),
            new_state=dict(raw.get("newState") or {}),
            diff_reasons=[str(r) for r in raw.get("diffReasons") or []],
            replace_reasons=[str(r) for r in raw.get("replaceReasons") or []],
            detailed_diff=dict(raw.get("detailedDiff") or {}),
        )
        seen = merged.get(urn)
        merged[urn] = _merge(seen, step) if seen else step
    return list(merged.values())


def replaced_with(steps: list[Step]) -> dict[str, list[str]]:
    """Each replaced resource that has no reason of its own, to the names of what it depends
    on that the same preview replaces or deletes: the engine replaces a resource along with
    a dependency that is deleted before its replacement, and says no more in the JSON."""
    gone = {s.urn: s.name for s in steps if s.op in ("replace", "delete")}
    out: dict[str, list[str]] = {}
    for step in steps:
        if step.op != "replace" or step.own_replace_reasons():
            continue
        names = sorted(gone[u] for u in step.dependencies if u in gone and u != step.urn)
        if names:
            out[step.urn] = names
    return out


def _merge(a: Step, b: Step) -> Step:
    rank = _PRECEDENCE.index
    first, second = (a, b) if rank(_known(a.op)) <= rank(_known(b.op)) else (b, a)
    return Step(
        op=first.op,
        urn=a.urn,
        ops=a.ops + b.ops,
        old_state=a.old_state or b.old_state,
        new_state=b.new_state or a.new_state,
        diff_reasons=first.diff_reasons or second.diff_reasons,
        replace_reasons=first.replace_reasons or second.replace_reasons,
        detailed_diff=first.detailed_diff or second.detailed_diff,
    )


def _known(op: str) -> str:
    return op if op in _PRECEDENCE else "update"


def short_type(step: Step) -> str:
    """`PersistentVolumeClaim` for `kubernetes:core/v1:PersistentVolumeClaim`; the project's
    dynamic resources by their class."""
    typ = step.type
    if typ == DYNAMIC_TYPE:
        props = step.new or step.old
        if RevisionSyncProps.DEPLOYMENT_ID in props or step.name.startswith(REVISION_SYNC_PREFIX):
            return "RevisionSync"
        if ListenerRegistrationProps.COMPUTE_ID in props or step.name == LISTENER_REGISTRATION_NAME:
            return "ListenerRegistration"
        return "dynamic resource"
    if typ.startswith(PROVIDER_PREFIX):
        return f"provider ({typ[len(PROVIDER_PREFIX) :]})"
    return typ.rsplit(":", 1)[-1] or typ
