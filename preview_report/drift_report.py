"""What the nightly drift check found per stack, and its Markdown.

Two kinds of drift:
- revisions shipped in the control plane but not rolled out: the `RevisionSync` changes of a
  preview of the program (the control plane moved on; `pulumi up` has not followed);
- objects changed behind Pulumi's back: what `pulumi refresh --preview-only` finds
  different from the state (a Kubernetes object edited or deleted by hand, a control-plane
  revision changed or a deployment gone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .analyze import RevisionChange, StackReport
from .render import code, fit, plain, revisions_table, table
from .steps import changed_paths

DRIFT_MARKER = "<!-- pulumi-drift-check -->"
_IGNORED = {"__provider", "__inputs"}


@dataclass(frozen=True)
class DriftedObject:
    """A resource whose real state differs from Pulumi's."""

    name: str
    type: str
    change: str
    """`changed` (refresh would update the state) or `gone` (it no longer exists)."""
    paths: list[str] = field(default_factory=list)


def drifted_object(
    op: str, urn: str, type_: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> DriftedObject | None:
    """One refresh step, or None when it found nothing different."""
    name = urn.rsplit("::", 1)[-1]
    if op == "delete":
        return DriftedObject(name, type_, "gone")
    if op != "update":
        return None
    before = {k: v for k, v in (old or {}).items() if k not in _IGNORED}
    after = {k: v for k, v in (new or {}).items() if k not in _IGNORED}
    return DriftedObject(name, type_, "changed", sorted(changed_paths(before, after)))


@dataclass
class StackDrift:
    stack: str
    preview: StackReport
    """The program's preview: its revisions are those not rolled out."""
    drifted: list[DriftedObject] = field(default_factory=list)
    refreshed: str = ""
    """What the refresh read (every resource, or what it could without a cluster)."""
    errors: list[str] = field(default_factory=list)

    @property
    def revisions(self) -> list[RevisionChange]:
        return self.preview.revisions

    @property
    def pending(self) -> int:
        """Every change the next `up` would make (the revisions' included)."""
        return sum(n for op, n in self.preview.counts.items() if op != "same")

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.preview.failed

    @property
    def drift(self) -> bool:
        return bool(self.revisions or self.drifted)

    def failures(self) -> list[str]:
        return self.errors + self.preview.errors


def exit_code(stacks: Sequence[StackDrift]) -> int:
    """0: no drift anywhere; 1: drift or a failed check."""
    return 1 if any(s.drift or s.failed for s in stacks) else 0


def _status(s: StackDrift) -> str:
    if s.failed:
        return "❌ check failed"
    return "⚠️ drift" if s.drift else "✅ in sync"


def render_drift(stacks: Sequence[StackDrift], *, title: str | None = None) -> str:
    drifting = [s.stack for s in stacks if s.drift]
    failed = [s.stack for s in stacks if s.failed]
    if not drifting and not failed:
        verdict = "**✅ No drift:** every stack matches its control plane and its cluster."
    else:
        bits = []
        if drifting:
            bits.append(f"drift in {', '.join(code(s) for s in drifting)}")
        if failed:
            bits.append(f"the check failed for {', '.join(code(s) for s in failed)}")
        verdict = f"**⚠️ {'; '.join(bits)}.**"
    rows = [
        [
            code(s.stack),
            _status(s),
            str(len(s.revisions)),
            str(len(s.drifted)),
            str(s.pending),
            plain(s.refreshed) or "—",
        ]
        for s in stacks
    ]
    parts = [
        DRIFT_MARKER,
        f"## {title or 'Drift check'}",
        verdict,
        "| stack | status | revisions not rolled out | changed behind Pulumi's back "
        "| changes the next `up` makes | refreshed |\n|---|---|---|---|---|---|\n"
        + "\n".join("| " + " | ".join(r) + " |" for r in rows),
    ]
    for s in stacks:
        if not (s.drift or s.failed):
            continue
        parts.append(f"### `{s.stack}`")
        for error in s.failures():
            parts.append(f"> [!CAUTION]\n> {plain(error)}")
        if s.revisions:
            parts.append(revisions_table(s.revisions, "Revisions shipped but not rolled out", 20))
        if s.drifted:
            drift_rows = [
                [
                    code(d.name),
                    d.type.rsplit(":", 1)[-1],
                    d.change,
                    ", ".join(code(p) for p in d.paths[:6])
                    + (f" +{len(d.paths) - 6} more" if len(d.paths) > 6 else ""),
                ]
                for d in sorted(s.drifted, key=lambda d: d.name)
            ]
            parts.append(
                table(
                    ["resource", "type", "change", "what differs"],
                    drift_rows,
                    "Changed behind Pulumi's back",
                    20,
                )
            )
    return fit("\n\n".join(parts))
