"""The revision state machine: how a revision's status advances and a deletion lands.

A new ``external_docker`` revision gets a schedule (CREATING -> AWAITING_DEPLOY ->
DEPLOYING -> outcome, default outcome DEPLOYED) with absolute times, and every store call
first applies whatever is due (``_tick``). With the default delays of zero a new revision
is DEPLOYED before the call that created it returns, which keeps tests fast and
deterministic. Schedules are persisted, so they survive a restart.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from .records import Records, iso

# The steps an external_docker revision goes through before its outcome.
REVISION_STEPS = ("CREATING", "AWAITING_DEPLOY", "DEPLOYING")

_LANGGRAPH_API_TAG = re.compile(r"langgraph-api:(\d+\.\d+\.\d+)")


@dataclass
class Behaviour:
    """Runtime knobs (not persisted): revision progression and deletion timing."""

    revision_delays: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(REVISION_STEPS, 0.0)
    )
    revision_outcome: str = "DEPLOYED"
    delete_delay: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def image_version_of(image_uri: str | None) -> str | None:
    if not image_uri:
        return None
    match = _LANGGRAPH_API_TAG.search(image_uri)
    return match.group(1) if match else None


class RevisionLifecycle(Records):
    """Schedules new revisions and applies whatever is due."""

    behaviour: Behaviour

    def _tick(self) -> None:
        now = self._clock()
        changed = False
        for rev in self._revisions.values():
            if self._advance(rev, now):
                changed = True
        for dep in list(self._deployments.values()):
            delete_at = dep.get("_delete_at")
            if delete_at is not None and delete_at <= now:
                self._remove_deployment(dep["id"])
                changed = True
        if changed:
            self._save()

    def _advance(self, rev: dict[str, Any], now: float) -> bool:
        schedule = rev.get("_schedule") or []
        changed = False
        while schedule and schedule[0][1] <= now:
            status, at = schedule.pop(0)
            self._apply_status(rev, status, at)
            changed = True
        rev["_schedule"] = schedule
        return changed

    def _apply_status(self, rev: dict[str, Any], status: str, at: float) -> None:
        rev["status"] = status
        rev["updated_at"] = iso(at)
        if status == "DEPLOYED":
            dep = self._deployments.get(rev["_deployment_id"])
            if dep is not None:
                dep["active_revision_id"] = rev["id"]
                if dep.get("status") in (None, "AWAITING_DATABASE", "UNKNOWN", "UNUSED"):
                    dep["status"] = "READY"
                dep["updated_at"] = iso(at)

    def _remove_deployment(self, deployment_id: str) -> None:
        self._deployments.pop(deployment_id, None)
        for rid in [
            r["id"] for r in self._revisions.values() if r.get("_deployment_id") == deployment_id
        ]:
            self._revisions.pop(rid, None)

    def _new_revision(
        self,
        dep: dict[str, Any],
        *,
        source_revision_config: dict[str, Any],
        secrets: list[dict[str, Any]],
        resource_spec: dict[str, Any] | None,
        revision_id: str | None = None,
        at: float | None = None,
    ) -> dict[str, Any]:
        """A new revision of `dep`, with its secrets, references and resources as they are."""
        now = self._clock() if at is None else at
        # A newer revision supersedes revisions that are still on their way.
        for other in self._revisions_of(dep["id"]):
            if other.get("_schedule"):
                other["_schedule"] = []
                other["status"] = "SKIPPED"
                other["updated_at"] = iso(now)
        schedule: list[list[Any]] = []
        t = now
        steps = [*REVISION_STEPS[1:], self.behaviour.revision_outcome]
        for current, nxt in zip(REVISION_STEPS, steps, strict=True):
            t += max(0.0, float(self.behaviour.revision_delays.get(current, 0.0)))
            schedule.append([nxt, t])
        rev = {
            "id": revision_id or str(uuid.uuid4()),
            "status": REVISION_STEPS[0],
            "source": dep["source"],
            "source_revision_config": copy.deepcopy(source_revision_config),
            "created_at": iso(now),
            "updated_at": iso(now),
            "_deployment_id": dep["id"],
            "_tenant_id": dep["tenant_id"],
            "_seq": self._next_seq(),
            "_secrets": copy.deepcopy(secrets),
            "_secret_references": copy.deepcopy(dep.get("secret_references") or []),
            "_resource_spec": copy.deepcopy(resource_spec),
            "_schedule": schedule,
            "_remote_reconciled": dep.get("_remote_reconciled", True),
        }
        self._revisions[rev["id"]] = rev
        dep["latest_revision_id"] = rev["id"]
        dep["updated_at"] = iso(now)
        dep["image_version"] = image_version_of(source_revision_config.get("image_uri"))
        self._advance(rev, self._clock() if at is None else at)
        return rev
