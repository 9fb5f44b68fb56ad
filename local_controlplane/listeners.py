"""Listeners through the API: list, get, create, patch, delete; one per compute id in a
workspace."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from .errors import StoreError
from .records import Records, iso, public


class Listeners(Records):
    """The listener routes' operations."""

    def list_listeners(self, tenant: str, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        with self._lock:
            items = [v for v in self._listeners.values() if v.get("_tenant_id") == tenant]
            items.sort(key=lambda v: v.get("_seq", 0), reverse=True)
            return self._page([public(v) for v in items], limit, offset)

    def get_listener(self, tenant: str, listener_id: str) -> dict[str, Any]:
        with self._lock:
            return public(self._listener(tenant, listener_id))

    def create_listener(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            lst = self._create_listener(tenant, body)
            self._save()
            return public(lst)

    def _create_listener(
        self, tenant: str, body: dict[str, Any], *, listener_id: str | None = None
    ) -> dict[str, Any]:
        compute_id = body["compute_id"]
        if any(
            v["compute_id"] == compute_id and v.get("_tenant_id") == tenant
            for v in self._listeners.values()
        ):
            raise StoreError(
                409,
                f"Listener for LangSmith workspace ID '{tenant}' and compute ID "
                f"'{compute_id}' already exists.",
            )
        now = iso(self._clock())
        lst = {
            "id": listener_id or str(uuid.uuid4()),
            "compute_type": body.get("compute_type", "k8s"),
            "compute_id": compute_id,
            "compute_config": copy.deepcopy(body.get("compute_config") or {"k8s_namespaces": []}),
            "version": body.get("version"),
            "created_at": now,
            "updated_at": now,
            "_tenant_id": tenant,
            "_seq": self._next_seq(),
        }
        self._listeners[lst["id"]] = lst
        return lst

    def patch_listener(self, tenant: str, listener_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            lst = self._listener(tenant, listener_id)
            if body.get("version") is not None:
                lst["version"] = body["version"]
            if body.get("compute_config") is not None:
                lst["compute_config"] = copy.deepcopy(body["compute_config"])
            lst["updated_at"] = iso(self._clock())
            self._save()
            return public(lst)

    def delete_listener(self, tenant: str, listener_id: str) -> None:
        with self._lock:
            self._listener(tenant, listener_id)
            self._listeners.pop(listener_id, None)
            self._save()
