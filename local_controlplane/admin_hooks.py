"""What only ``/_admin`` does to the state: reset, seed (the example and in bulk), force a
revision's status, patch raw fields, count and dump; never reachable through the public API."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from . import seed
from .deployments import Deployments
from .errors import StoreError, not_found
from .listeners import Listeners
from .records import public
from .revision_lifecycle import Behaviour
from .state_file import empty_state


class AdminHooks(Deployments, Listeners):
    """The admin routes' operations, over every tenant."""

    def dump(self) -> dict[str, Any]:
        with self._lock:
            self._tick()
            return copy.deepcopy(self._state)

    def reset(self, *, seed_defaults: bool = True) -> None:
        with self._lock:
            self._state = empty_state()
            if seed_defaults:
                self._seed_defaults()
            self._save()

    def _seed_defaults(self) -> None:
        at = datetime.fromisoformat(seed.SEED_TIME).timestamp()
        saved = self.behaviour
        self.behaviour = Behaviour()  # seeds are always DEPLOYED, whatever the knobs say
        try:
            for listener in seed.LISTENERS:
                lst = self._create_listener(
                    seed.DEFAULT_TENANT_ID, listener, listener_id=listener["id"]
                )
                lst["created_at"] = lst["updated_at"] = seed.SEED_TIME
            for item in seed.DEPLOYMENTS:
                body = {
                    "name": item["name"],
                    "source": "external_docker",
                    "source_config": {
                        "listener_id": item["listener_id"],
                        "listener_config": {"k8s_namespace": item["k8s_namespace"]},
                        "deployment_type": item["deployment_type"],
                        "resource_spec": item["resource_spec"],
                    },
                    "source_revision_config": {"image_uri": item["image_uri"]},
                    "secrets": item["secrets"],
                    "secret_references": item.get("secret_references", []),
                }
                self._create_deployment(
                    seed.DEFAULT_TENANT_ID,
                    body,
                    deployment_id=item["id"],
                    revision_id=item["revision_id"],
                    at=at,
                )
        finally:
            self.behaviour = saved

    def seed_bulk(
        self,
        count: int,
        *,
        name_prefix: str = "bulk",
        tenant: str = seed.DEFAULT_TENANT_ID,
        listener_id: str | None = None,
        k8s_namespace: str | None = None,
        image_uri: str = "docker.io/langchain/langgraph-api:0.4.20-py3.11",
    ) -> list[str]:
        """Create ``count`` deployments at once (one disk write). Returns their ids."""
        with self._lock:
            self._tick()
            if listener_id is None:
                candidates = self._listener_ids(tenant)
                if not candidates:
                    raise StoreError(400, "No listener in this workspace to bind deployments to.")
                listener_id = candidates[0]
            lst = self._listener(tenant, listener_id)
            namespace = k8s_namespace or (lst["compute_config"].get("k8s_namespaces") or [""])[0]
            ids = []
            start = sum(1 for d in self._deployments.values() if d["tenant_id"] == tenant)
            for i in range(count):
                dep = self._create_deployment(
                    tenant,
                    {
                        "name": f"{name_prefix}-{start + i:04d}",
                        "source": "external_docker",
                        "source_config": {
                            "listener_id": listener_id,
                            "listener_config": {"k8s_namespace": namespace},
                            "resource_spec": {"min_scale": 1, "max_scale": 1},
                        },
                        "source_revision_config": {"image_uri": image_uri},
                        "secrets": [],
                    },
                )
                ids.append(dep["id"])
            self._save()
            return ids

    def set_revision_status(self, deployment_id: str, revision_id: str, status: str) -> Any:
        """Force a revision's status (any string); stops its schedule."""
        with self._lock:
            self._tick()
            dep = self._deployment(None, deployment_id)
            rev = self._revision(dep, revision_id)
            rev["_schedule"] = []
            self._apply_status(rev, status, self._clock())
            self._save()
            return public(rev)

    def raw_patch(self, kind: str, object_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Merge raw fields into a stored object (inject unknown fields or enum values)."""
        with self._lock:
            self._tick()
            table = {
                "deployment": self._deployments,
                "revision": self._revisions,
                "listener": self._listeners,
            }[kind]
            record = table.get(object_id)
            if record is None:
                raise not_found(kind.capitalize(), object_id)
            for key, value in fields.items():
                if key == "id":
                    raise StoreError(400, "The id cannot be changed.")
                record[key] = copy.deepcopy(value)
            self._save()
            if kind == "deployment":
                return self._deployment_out(record)
            return public(record)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "listeners": len(self._listeners),
                "deployments": len(self._deployments),
                "revisions": len(self._revisions),
            }
