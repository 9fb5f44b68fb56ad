"""The records the state holds (listeners, deployments, revisions) and how to find them.

All state lives in one JSON-serialisable dict guarded by a lock; fields whose names start
with ``_`` are internal and never returned by the API. ``Records`` is the base the other
layers of :class:`local_controlplane.state.Store` build on.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import not_found
from .state_file import write_json_atomic


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` without its internal fields."""
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}


class Records:
    """The state dict, its lock, its file, and lookups scoped to a tenant."""

    path: Path | None
    _clock: Callable[[], float]
    _lock: threading.RLock
    _state: dict[str, Any]

    def _save(self) -> None:
        if self.path is not None:
            write_json_atomic(self.path, self._state)

    def _next_seq(self) -> int:
        self._state["seq"] += 1
        return int(self._state["seq"])

    @property
    def _listeners(self) -> dict[str, dict[str, Any]]:
        return self._state["listeners"]  # type: ignore[no-any-return]

    @property
    def _deployments(self) -> dict[str, dict[str, Any]]:
        return self._state["deployments"]  # type: ignore[no-any-return]

    @property
    def _revisions(self) -> dict[str, dict[str, Any]]:
        return self._state["revisions"]  # type: ignore[no-any-return]

    def _deployment(self, tenant: str | None, deployment_id: str) -> dict[str, Any]:
        dep = self._deployments.get(deployment_id)
        if dep is None or (tenant is not None and dep.get("tenant_id") != tenant):
            raise not_found("Deployment", deployment_id)
        return dep

    def _listener(self, tenant: str | None, listener_id: str) -> dict[str, Any]:
        lst = self._listeners.get(listener_id)
        if lst is None or (tenant is not None and lst.get("_tenant_id") != tenant):
            raise not_found("Listener", listener_id)
        return lst

    def _listener_ids(self, tenant: str) -> list[str]:
        """The workspace's listener ids, oldest first."""
        mine = [v for v in self._listeners.values() if v.get("_tenant_id") == tenant]
        return [v["id"] for v in sorted(mine, key=lambda v: v.get("_seq", 0))]

    def _revision(self, dep: dict[str, Any], revision_id: str) -> dict[str, Any]:
        rev = self._revisions.get(revision_id)
        if rev is None or rev.get("_deployment_id") != dep["id"]:
            raise not_found("Revision", revision_id)
        return rev

    def _revisions_of(self, deployment_id: str) -> list[dict[str, Any]]:
        revs = [r for r in self._revisions.values() if r.get("_deployment_id") == deployment_id]
        revs.sort(key=lambda r: r.get("_seq", 0), reverse=True)
        return revs

    def _deployment_out(self, dep: dict[str, Any]) -> dict[str, Any]:
        out = public(dep)
        latest = self._revisions.get(dep.get("latest_revision_id") or "")
        out["source_revision_config"] = (
            copy.deepcopy(latest["source_revision_config"]) if latest else {}
        )
        return out

    @staticmethod
    def _page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
        page = items[offset : offset + limit]
        return {"resources": page, "offset": offset + len(page)}
