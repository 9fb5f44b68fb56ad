"""What one stack's preview changes, in the terms a reviewer reads.

Every value that reaches a `StackReport` has been through `masking`: structured values by
their property path, free text by the document's `Scrubber`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.core.names import DYNAMIC_TYPE, deployment_of_sync
from components.core.names import RevisionSyncProps as P

from .load import PreviewDocument
from .masking import Scrubber, masked
from .risks import Risk, data_risks
from .steps import Step, replaced_with, short_type, steps_of

WORKLOAD_TYPES = {
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
}
PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"
LISTED_OPS = ("replace", "delete", "create", "import", "update")
# Resource-spec keys, in the order a reviewer reads them; others follow alphabetically.
SPEC_ORDER = [
    "min_scale",
    "max_scale",
    "queue_min_scale",
    "queue_max_scale",
    "cpu",
    "cpu_limit",
    "memory_mb",
    "memory_limit_mb",
    "queue_cpu",
    "queue_memory_mb",
    "redis_memory_mb",
    "db_cpu",
    "db_memory_mb",
    "db_storage_gi",
    "db_max_connections",
]
MAX_MESSAGE = 600


@dataclass
class RevisionChange:
    """A LangGraph deployment whose served revision changes (from its `RevisionSync`)."""

    deployment: str
    change: str
    old_image: str | None = None
    new_image: str | None = None
    old_revision: str | None = None
    new_revision: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ImageChange:
    """A container of a Kubernetes workload that gets a new image."""

    workload: str
    kind: str
    container: str
    old: str | None
    new: str | None


@dataclass
class SettingChange:
    """A scale or resource setting, old -> new."""

    subject: str
    setting: str
    old: str
    new: str


@dataclass
class ResourceChange:
    op: str
    name: str
    type: str
    reasons: list[str]
    note: str = ""
    replaced_with: list[str] = field(default_factory=list)
    """What it depends on that is replaced or deleted, when that is why it is replaced."""
    deleted_first: bool = False
    """Deleted before its replacement is created (`pendingReplacement`)."""


@dataclass
class StackReport:
    stack: str
    source: str
    revisions: list[RevisionChange] = field(default_factory=list)
    images: list[ImageChange] = field(default_factory=list)
    settings: list[SettingChange] = field(default_factory=list)
    changes: list[ResourceChange] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    log_tail: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def data_risks(self) -> list[Risk]:
        return [r for r in self.risks if r.severity == "data"]

    @property
    def review_risks(self) -> list[Risk]:
        return [r for r in self.risks if r.severity != "data"]

    @property
    def has_changes(self) -> bool:
        return any(n for op, n in self.counts.items() if op != "same") or bool(self.changes)


def analyze(doc: PreviewDocument, log: str | None = None) -> StackReport:
    """The report of one stack's preview document (and, if it failed, its CLI log)."""
    report = StackReport(stack=doc.stack, source=doc.source)
    scrub = Scrubber.for_document(doc.data)
    if log:
        report.log_tail = [scrub(line) for line in log.rstrip().splitlines()[-40:]]
    if doc.data is None:
        report.errors.append(doc.problem or "no preview document")
        return report
    data = doc.data
    steps = steps_of(data)
    causes = replaced_with(steps)
    for step in steps:
        if step.internal or step.op in ("same", "read", "discard"):
            continue
        if _is_revision_sync(step):
            _revision(step, report, scrub)
        if step.type in WORKLOAD_TYPES and step.op in ("update", "replace"):
            _workload(step, report)
        if _is_autoscaler(step) and step.op in ("update", "replace"):
            _autoscaler(step, report)
        if step.type == PVC_TYPE and step.op in ("update", "replace"):
            _setting(
                report, step.name, "storage", step, ["spec", "resources", "requests", "storage"]
            )
        if step.op in LISTED_OPS:
            cause = causes.get(step.urn, [])
            report.changes.append(
                ResourceChange(
                    step.op,
                    step.name,
                    short_type(step),
                    [] if cause else step.reasons(),
                    _note(step),
                    replaced_with=cause,
                    deleted_first=step.op == "replace" and step.pending_replacement,
                )
            )
    report.risks = data_risks(steps)
    _sort(report)
    warnings: dict[str, list[str]] = {}
    for diag in data.get("diagnostics") or []:
        if not isinstance(diag, Mapping):
            continue
        severity = str(diag.get("severity") or "")
        message = _message(str(diag.get("message") or ""), scrub)
        message = message.removeprefix(f"{severity}: ")
        if severity == "error":
            report.errors.append(message)
        elif severity == "warning":
            urn = str(diag.get("urn") or "")
            warnings.setdefault(message, []).append(urn.rsplit("::", 1)[-1] if urn else "")
    report.warnings = [_folded(m, names) for m, names in sorted(warnings.items())]
    report.counts = _counts(data, steps)
    return report


def _sort(report: StackReport) -> None:
    """Every table in a fixed order: the engine lists steps in the order the asynchronous
    program registered them, which changes from run to run (and would reshuffle a comment)."""
    order = {op: i for i, op in enumerate(LISTED_OPS)}
    report.changes.sort(key=lambda c: (order.get(c.op, 99), c.name))
    report.revisions.sort(key=lambda r: r.deployment)
    report.images.sort(key=lambda i: (i.workload, i.container))
    # Stable: a subject's settings keep the reviewer's order (SPEC_ORDER, requests, limits).
    report.settings.sort(key=lambda s: s.subject)
    report.risks.sort(key=lambda r: (r.severity != "data", r.name))


MAX_NAMED = 8


def _folded(message: str, names: list[str]) -> str:
    """One warning however many resources gave it, with their names."""
    named = sorted({n for n in names if n})
    if len(names) == 1:
        return f"{message} (`{named[0]}`)" if named else message
    shown = ", ".join(f"`{n}`" for n in named[:MAX_NAMED])
    more = f" and {len(named) - MAX_NAMED} more" if len(named) > MAX_NAMED else ""
    count = f"{len(names)} resources"
    return f"{message} ({count}: {shown}{more})" if named else f"{message} ({count})"


def _is_revision_sync(step: Step) -> bool:
    return step.type == DYNAMIC_TYPE and short_type(step) == "RevisionSync"


def _is_autoscaler(step: Step) -> bool:
    return step.type.startswith("kubernetes:autoscaling/") and step.type.endswith(
        ":HorizontalPodAutoscaler"
    )


def _text(value: Any, path: list[str]) -> str:
    """A value as the report prints it: masked, compact."""
    value = masked(value, path)
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return json.dumps(value, sort_keys=True)


def _short(revision: Any) -> str | None:
    if not revision:
        return None
    text = _text(revision, ["revision_id"])
    return text[:8] if len(text) > 12 else text


def _revision(step: Step, report: StackReport, scrub: Scrubber) -> None:
    old, new = step.old, step.new
    deployment = str(new.get(P.DEPLOYMENT_NAME) or old.get(P.DEPLOYMENT_NAME) or step.name)
    deployment = deployment_of_sync(deployment)
    old_image = _image(old.get(P.IMAGE))
    new_image = _image(new.get(P.IMAGE))
    old_rev, new_rev = _short(old.get(P.REVISION_ID)), _short(new.get(P.REVISION_ID))
    notes: list[str] = []
    notice = new.get(P.NOTICE)
    if notice and notice != old.get(P.NOTICE):
        notes.append(_message(_text(notice, [P.NOTICE]), scrub))
    if step.op == "create":
        change = "new deployment"
        spec = new.get(P.RESOURCE_SPEC) or {}
        if isinstance(spec, Mapping) and "min_scale" in spec:
            notes.append(
                f"scale {_text(spec.get('min_scale'), ['min_scale'])} to "
                f"{_text(spec.get('max_scale'), ['max_scale'])}"
            )
    elif step.op == "delete":
        change = "removed"
    elif step.op == "replace":
        change = "recreated"
        notes.append(
            "new control-plane deployment id (deleted and created again)"
            if P.DEPLOYMENT_ID in step.reasons()
            else "replaced: " + ", ".join(step.reasons())
        )
    else:
        secrets_changed = old.get(P.SECRETS_DIGEST) != new.get(P.SECRETS_DIGEST)
        if old_rev == new_rev and old_image == new_image:
            if secrets_changed:
                notes.append("secrets changed")
            elif not notes:
                _spec_settings(deployment, old, new, report)
                return  # only resource_spec overrides changed: the settings table says it
            change = "same revision"
        else:
            change = "new revision" if old_rev != new_rev else "new image"
            if secrets_changed:
                notes.append("secrets changed")
    status = new.get(P.STATUS)
    if status and status not in ("DEPLOYED",) and step.op != "delete":
        notes.append(f"status {_text(status, [P.STATUS])}")
    report.revisions.append(
        RevisionChange(deployment, change, old_image, new_image, old_rev, new_rev, notes)
    )
    if step.op in ("update", "replace"):
        _spec_settings(deployment, old, new, report)


def _image(value: Any) -> str | None:
    return None if value in (None, "") else _text(value, ["image"])


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value} if prefix else {}


def _spec_settings(
    subject: str, old: Mapping[str, Any], new: Mapping[str, Any], report: StackReport
) -> None:
    before = _flatten(old.get(P.RESOURCE_SPEC) or {})
    after = _flatten(new.get(P.RESOURCE_SPEC) or {})
    rank = {k: i for i, k in enumerate(SPEC_ORDER)}
    for key in sorted(set(before) | set(after), key=lambda k: (rank.get(k, 99), k)):
        if before.get(key) != after.get(key):
            path = [P.RESOURCE_SPEC, *key.split(".")]
            report.settings.append(
                SettingChange(
                    subject, key, _text(before.get(key), path), _text(after.get(key), path)
                )
            )


def _get(props: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(props, Mapping):
            return None
        props = props.get(part)
    return props


def _setting(report: StackReport, subject: str, label: str, step: Step, path: list[str]) -> None:
    old, new = _get(step.old, path), _get(step.new, path)
    if old != new:
        report.settings.append(SettingChange(subject, label, _text(old, path), _text(new, path)))


def _containers(props: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    spec = _get(props, ["spec", "template", "spec"])
    out: dict[str, Mapping[str, Any]] = {}
    if not isinstance(spec, Mapping):
        return out
    for group in ("initContainers", "containers"):
        for c in spec.get(group) or []:
            if isinstance(c, Mapping):
                out[str(c.get("name") or f"{group}[{len(out)}]")] = c
    return out


def _workload(step: Step, report: StackReport) -> None:
    kind = short_type(step)
    old, new = _containers(step.old), _containers(step.new)
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {}), new.get(name, {})
        if a.get("image") != b.get("image"):
            report.images.append(
                ImageChange(step.name, kind, name, _image(a.get("image")), _image(b.get("image")))
            )
        res_a, res_b = _flatten(a.get("resources") or {}), _flatten(b.get("resources") or {})
        for key in sorted(set(res_a) | set(res_b)):
            if res_a.get(key) != res_b.get(key):
                path = ["resources", *key.split(".")]
                report.settings.append(
                    SettingChange(
                        step.name,
                        f"{name}: {key}",
                        _text(res_a.get(key), path),
                        _text(res_b.get(key), path),
                    )
                )
    _setting(report, step.name, "replicas", step, ["spec", "replicas"])


def _autoscaler(step: Step, report: StackReport) -> None:
    _setting(report, step.name, "HPA minReplicas", step, ["spec", "minReplicas"])
    _setting(report, step.name, "HPA maxReplicas", step, ["spec", "maxReplicas"])


def _note(step: Step) -> str:
    notes = []
    if step.op == "delete" and step.protected:
        notes.append("protected")
    if step.op == "delete" and step.retained:
        notes.append("retained in the cluster")
    return ", ".join(notes)


def _message(text: str, scrub: Scrubber) -> str:
    text = scrub(text.strip())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _counts(data: Mapping[str, Any], steps: list[Step]) -> dict[str, int]:
    summary = data.get("changeSummary")
    if isinstance(summary, Mapping) and summary:
        return {str(k): int(v) for k, v in summary.items() if isinstance(v, int)}
    counts: dict[str, int] = {}
    for step in steps:
        counts[step.op] = counts.get(step.op, 0) + 1
    return counts
