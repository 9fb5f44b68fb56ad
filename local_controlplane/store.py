"""State of the local control plane: listeners, deployments and revisions.

All state lives in one JSON-serialisable dict guarded by a lock and, when a path is given,
written to disk after every change (temp file + fsync + rename, so a crash never leaves a
half-written file). Fields whose names start with ``_`` are internal and never returned by
the API.

Revision statuses advance lazily: a new ``external_docker`` revision gets a schedule
(CREATING -> AWAITING_DEPLOY -> DEPLOYING -> outcome, default outcome DEPLOYED) with
absolute times, and every store call first applies whatever is due. With the default
delays of zero a new revision is DEPLOYED before the call that created it returns, which
keeps tests fast and deterministic. Schedules are persisted, so they survive a restart.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from components.controlplane.models import (
    DEFAULT_DEPLOYMENT_TYPE,
    RESERVED_ENV_NAMES,
    scales_to_zero,
)

from . import seed

STATE_FORMAT = 1

# The steps an external_docker revision goes through before its outcome.
REVISION_STEPS = ("CREATING", "AWAITING_DEPLOY", "DEPLOYING")
IMMUTABLE_SOURCE_CONFIG = ("listener_id", "deployment_type", "integration_id", "repo_url")
MUTABLE_SOURCE_CONFIG = ("build_on_push", "custom_url", "install_command", "build_command")

_LANGGRAPH_API_TAG = re.compile(r"langgraph-api:(\d+\.\d+\.\d+)")


class StoreError(Exception):
    """An API error: rendered as ``{"detail": detail}`` with ``status_code``."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def not_found(kind: str, object_id: str) -> StoreError:
    return StoreError(404, f"{kind} ID {object_id} not found.")


def listener_required(listener_ids: list[str]) -> StoreError:
    """A create without ``source_config.listener_id``, in the hosted API's words (as quoted
    by langgraph-cli's own tests): the official CLI finds "listener_id' is required" in a
    400 (``langgraph_cli.deploy._LISTENER_REQUIRED_MARKER``) and tells the user to pass
    --listener-id and --k8s-namespace."""
    return StoreError(
        400,
        "Source configuration error: 'source_config.listener_id' is required for "
        f"workspace with available listener IDs: {listener_ids!r}",
    )


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


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def _empty_state() -> dict[str, Any]:
    return {"format": STATE_FORMAT, "seq": 0, "listeners": {}, "deployments": {}, "revisions": {}}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}


def _csv(value: str | None) -> set[str] | None:
    if value is None:
        return None
    items = {v.strip() for v in value.split(",") if v.strip()}
    return items or None


def image_version_of(image_uri: str | None) -> str | None:
    if not image_uri:
        return None
    match = _LANGGRAPH_API_TAG.search(image_uri)
    return match.group(1) if match else None


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class Store:
    """Thread-safe state with the control-plane semantics. Tenants are isolated."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        seed_if_new: bool = True,
        clock: Callable[[], float] = time.time,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self._clock = clock
        self._lock = threading.RLock()
        self.behaviour = behaviour or Behaviour()
        if self.path is not None and self.path.exists():
            self._state = self._load(self.path)
        else:
            self._state = _empty_state()
            if seed_if_new:
                self._seed_defaults()
            self._save()

    # -- persistence ----------------------------------------------------------------------

    @staticmethod
    def _load(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RuntimeError(
                f"cannot read control-plane state {path}: {exc}. Fix or delete the file "
                "(deleting it re-seeds the example deployments)."
            ) from exc
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise RuntimeError(
                f"control-plane state {path} has an unknown format; delete it to start over."
            )
        return data

    def _save(self) -> None:
        if self.path is not None:
            write_json_atomic(self.path, self._state)

    def dump(self) -> dict[str, Any]:
        with self._lock:
            self._tick()
            return copy.deepcopy(self._state)

    # -- helpers --------------------------------------------------------------------------

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
        out = _public(dep)
        latest = self._revisions.get(dep.get("latest_revision_id") or "")
        out["source_revision_config"] = (
            copy.deepcopy(latest["source_revision_config"]) if latest else {}
        )
        return out

    @staticmethod
    def _page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
        page = items[offset : offset + limit]
        return {"resources": page, "offset": offset + len(page)}

    # -- lazy progression -----------------------------------------------------------------

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

    # -- validation -----------------------------------------------------------------------

    @staticmethod
    def _check_secrets(secrets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        out: list[dict[str, Any]] = []
        for item in secrets:
            name = item.get("name", "")
            if name in RESERVED_ENV_NAMES:
                raise StoreError(
                    400,
                    f"Secret name '{name}' is reserved by the platform and cannot be set.",
                )
            if name in seen:
                raise StoreError(400, f"Duplicate secret name '{name}'.")
            seen.add(name)
            out.append({"name": name, "value": item.get("value", "")})
        return out

    @staticmethod
    def _check_secret_references(
        references: Iterable[dict[str, Any]], secrets: Iterable[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """References to existing Kubernetes Secrets: names neither reserved, repeated, nor
        already a secret's."""
        secret_names = {s.get("name") for s in secrets}
        seen: set[str] = set()
        out: list[dict[str, Any]] = []
        for item in references:
            name = item.get("name", "")
            if name in RESERVED_ENV_NAMES:
                raise StoreError(
                    400,
                    f"Secret reference name '{name}' is reserved by the platform and cannot "
                    "be set.",
                )
            if name in seen or name in secret_names:
                raise StoreError(400, f"Duplicate secret name '{name}'.")
            seen.add(name)
            out.append(
                {"name": name, "secret_name": item["secret_name"], "secret_key": item["secret_key"]}
            )
        return out

    @staticmethod
    def _check_scale(deployment_type: str, resource_spec: dict[str, Any] | None) -> None:
        """Only the scale-to-zero tiers may ask for zero replicas."""
        spec = resource_spec or {}
        zero = [k for k in ("min_scale", "queue_min_scale") if spec.get(k) == 0]
        if zero and not scales_to_zero(deployment_type):
            raise StoreError(
                400,
                f"resource_spec.{zero[0]} 0 is only allowed for dev_zero and dev_free_zero "
                f"deployments (this one is {deployment_type}).",
            )

    # -- revisions ------------------------------------------------------------------------

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

    # -- deployments ----------------------------------------------------------------------

    def list_deployments(
        self,
        tenant: str,
        *,
        limit: int = 20,
        offset: int = 0,
        name_contains: str | None = None,
        status: str | None = None,
        deployment_ids: str | None = None,
        image_version: str | None = None,
        deployment_type: str | None = None,
        tag_value_ids: str | None = None,
        remote_reconciled: bool | None = None,
    ) -> dict[str, Any]:
        statuses = _csv(status)
        ids = _csv(deployment_ids)
        tags = _csv(tag_value_ids)
        with self._lock:
            self._tick()
            deps = [d for d in self._deployments.values() if d.get("tenant_id") == tenant]
            if name_contains:
                deps = [d for d in deps if name_contains.lower() in d["name"].lower()]
            if statuses:
                deps = [d for d in deps if d.get("status") in statuses]
            if ids:
                deps = [d for d in deps if d["id"] in ids]
            if image_version:
                deps = [d for d in deps if d.get("image_version") == image_version]
            if deployment_type:
                deps = [
                    d
                    for d in deps
                    if (d.get("source_config") or {}).get("deployment_type") == deployment_type
                ]
            if tags:
                deps = [d for d in deps if tags & set(d.get("_tag_value_ids") or [])]
            if remote_reconciled is not None:
                deps = [d for d in deps if d.get("_remote_reconciled") == remote_reconciled]
            deps.sort(key=lambda d: d.get("_seq", 0), reverse=True)
            return self._page([self._deployment_out(d) for d in deps], limit, offset)

    def get_deployment(self, tenant: str | None, deployment_id: str) -> dict[str, Any]:
        with self._lock:
            self._tick()
            return self._deployment_out(self._deployment(tenant, deployment_id))

    def create_deployment(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._tick()
            dep = self._create_deployment(tenant, body)
            self._save()
            return self._deployment_out(dep)

    def _create_deployment(
        self,
        tenant: str,
        body: dict[str, Any],
        *,
        deployment_id: str | None = None,
        revision_id: str | None = None,
        at: float | None = None,
    ) -> dict[str, Any]:
        name = body["name"]
        source = body.get("source")
        if source == "github":
            raise StoreError(
                400,
                "Deploying from GitHub is only available for Cloud SaaS deployments; this "
                "control plane is self-hosted (use source 'external_docker').",
            )
        if source != "external_docker":
            raise StoreError(400, f"Unsupported source '{source}'.")
        if any(
            d["name"] == name and d.get("tenant_id") == tenant for d in self._deployments.values()
        ):
            raise StoreError(400, f"Deployment with name '{name}' already exists.")
        sc = copy.deepcopy(body.get("source_config") or {})
        listener_id = sc.get("listener_id")
        if not listener_id:
            raise listener_required(self._listener_ids(tenant))
        lst = self._listeners.get(listener_id)
        if lst is None or lst.get("_tenant_id") != tenant:
            raise StoreError(400, f"Listener ID {listener_id} not found.")
        namespace = (sc.get("listener_config") or {}).get("k8s_namespace")
        watched = (lst.get("compute_config") or {}).get("k8s_namespaces") or []
        if not namespace:
            raise StoreError(400, "source_config.listener_config.k8s_namespace is required.")
        if namespace not in watched:
            raise StoreError(
                400,
                f"Kubernetes namespace '{namespace}' is not watched by listener "
                f"{listener_id} (compute ID '{lst['compute_id']}', namespaces: "
                f"{', '.join(watched) or 'none'}).",
            )
        src = copy.deepcopy(body.get("source_revision_config") or {})
        if not src.get("image_uri"):
            raise StoreError(400, "source_revision_config.image_uri is required.")
        secrets = self._check_secrets(body.get("secrets") or [])
        references = self._check_secret_references(body.get("secret_references") or [], secrets)
        deployment_type = sc.get("deployment_type") or DEFAULT_DEPLOYMENT_TYPE.value
        self._check_scale(deployment_type, sc.get("resource_spec"))
        now = self._clock() if at is None else at
        source_config = {
            "listener_id": listener_id,
            "listener_config": {"k8s_namespace": namespace},
            "deployment_type": deployment_type,
            "build_on_push": sc.get("build_on_push"),
            "custom_url": sc.get("custom_url"),
            "integration_id": None,
            "repo_url": None,
            "resource_spec": sc.get("resource_spec"),
            "install_command": sc.get("install_command"),
            "build_command": sc.get("build_command"),
        }
        dep: dict[str, Any] = {
            "id": deployment_id or str(uuid.uuid4()),
            "name": name,
            "source": source,
            "source_config": source_config,
            "secrets": secrets,
            "secret_references": references,
            "status": "AWAITING_DATABASE",
            "latest_revision_id": None,
            "active_revision_id": None,
            "created_at": iso(now),
            "updated_at": iso(now),
            "image_version": None,
            "tenant_id": tenant,
            "_seq": self._next_seq(),
            "_delete_at": None,
            "_remote_reconciled": True,
            "_tag_value_ids": [],
        }
        self._deployments[dep["id"]] = dep
        self._new_revision(
            dep,
            source_revision_config={
                "image_uri": src["image_uri"],
                "repo_ref": None,
                "langgraph_config_path": None,
                "repo_commit_sha": None,
            },
            secrets=secrets,
            resource_spec=source_config["resource_spec"],
            revision_id=revision_id,
            at=at,
        )
        return dep

    def _check_patchable(self, dep: dict[str, Any]) -> None:
        if dep.get("_delete_at") is not None:
            raise StoreError(400, f"Deployment ID {dep['id']} is being deleted.")

    def _apply_source_config(self, dep: dict[str, Any], sc: dict[str, Any]) -> bool:
        """Apply a PATCH ``source_config``; True when ``resource_spec`` changed."""
        current = dep["source_config"]
        for key in IMMUTABLE_SOURCE_CONFIG:
            if sc.get(key) is not None and sc[key] != current.get(key):
                raise StoreError(
                    400,
                    f"source_config.{key} cannot be changed once the deployment is created.",
                )
        ns = (sc.get("listener_config") or {}).get("k8s_namespace")
        if ns is not None and ns != (current.get("listener_config") or {}).get("k8s_namespace"):
            raise StoreError(
                400,
                "source_config.listener_config.k8s_namespace cannot be changed once the "
                "deployment is created.",
            )
        for key in MUTABLE_SOURCE_CONFIG:
            if key in sc and sc[key] is not None:
                current[key] = sc[key]
        if sc.get("resource_spec") is not None:
            self._check_scale(current.get("deployment_type") or "", sc["resource_spec"])
            current["resource_spec"] = copy.deepcopy(sc["resource_spec"])  # replaces all
            return True
        return False

    def patch_deployment(
        self, tenant: str, deployment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            self._check_patchable(dep)
            self._revise(dep, body, always=False)
            dep["updated_at"] = iso(self._clock())
            self._save()
            return self._deployment_out(dep)

    def _revise(self, dep: dict[str, Any], body: dict[str, Any], *, always: bool) -> Any:
        """Apply a PATCH-like body; create a revision when needed (or ``always``)."""
        new_revision = always
        # Validate everything before changing anything.
        secrets = None
        if body.get("secrets") is not None:
            secrets = self._check_secrets(body["secrets"])
        references = body.get("secret_references")
        if references is not None or secrets is not None:
            references = self._check_secret_references(
                dep.get("secret_references") or [] if references is None else references,
                dep["secrets"] if secrets is None else secrets,
            )
        snapshot = copy.deepcopy(dep["source_config"])
        try:
            if body.get("source_config") is not None:
                new_revision = self._apply_source_config(dep, body["source_config"]) or (
                    new_revision
                )
        except StoreError:
            dep["source_config"] = snapshot
            raise
        if secrets is not None:
            dep["secrets"] = secrets
            new_revision = True
        if body.get("secret_references") is not None:
            dep["secret_references"] = references  # replaces all: [] removes every one
            new_revision = True
        latest = self._revisions.get(dep.get("latest_revision_id") or "")
        src = copy.deepcopy(latest["source_revision_config"]) if latest else {}
        if body.get("source_revision_config") is not None:
            for key, value in body["source_revision_config"].items():
                if key != "repo_commit_sha" and value is not None:
                    src[key] = value
            new_revision = True
        if not new_revision:
            return None
        return self._new_revision(
            dep,
            source_revision_config=src,
            secrets=dep["secrets"],
            resource_spec=dep["source_config"].get("resource_spec"),
        )

    def delete_deployment(self, tenant: str, deployment_id: str) -> None:
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            delay = self.behaviour.delete_delay
            if delay <= 0:
                self._remove_deployment(deployment_id)
            elif dep.get("_delete_at") is None:
                dep["_delete_at"] = self._clock() + delay
                dep["status"] = "AWAITING_DELETE"
                dep["updated_at"] = iso(self._clock())
            self._save()

    # -- revisions API --------------------------------------------------------------------

    def list_revisions(
        self,
        tenant: str,
        deployment_id: str,
        *,
        limit: int = 20,
        offset: int = 0,
        status: str | None = None,
        remote_reconciled: bool | None = None,
    ) -> dict[str, Any]:
        statuses = _csv(status)
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            revs = self._revisions_of(dep["id"])
            if statuses:
                revs = [r for r in revs if r.get("status") in statuses]
            if remote_reconciled is not None:
                revs = [r for r in revs if r.get("_remote_reconciled") == remote_reconciled]
            return self._page([_public(r) for r in revs], limit, offset)

    def get_revision(self, tenant: str, deployment_id: str, revision_id: str) -> dict[str, Any]:
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            return _public(self._revision(dep, revision_id))

    def create_revision(
        self, tenant: str, deployment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            self._check_patchable(dep)
            rev = self._revise(dep, body, always=True)
            self._save()
            return _public(rev)

    def redeploy(self, tenant: str, deployment_id: str, revision_id: str) -> dict[str, Any]:
        """Roll back: a new revision with the old revision's image, secrets and resources."""
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            self._check_patchable(dep)
            old = self._revision(dep, revision_id)
            dep["secrets"] = copy.deepcopy(old.get("_secrets") or [])
            dep["secret_references"] = copy.deepcopy(old.get("_secret_references") or [])
            dep["source_config"]["resource_spec"] = copy.deepcopy(old.get("_resource_spec"))
            self._new_revision(
                dep,
                source_revision_config=old["source_revision_config"],
                secrets=dep["secrets"],
                resource_spec=dep["source_config"]["resource_spec"],
            )
            self._save()
            return self._deployment_out(dep)

    # -- listeners ------------------------------------------------------------------------

    def list_listeners(self, tenant: str, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        with self._lock:
            items = [v for v in self._listeners.values() if v.get("_tenant_id") == tenant]
            items.sort(key=lambda v: v.get("_seq", 0), reverse=True)
            return self._page([_public(v) for v in items], limit, offset)

    def get_listener(self, tenant: str, listener_id: str) -> dict[str, Any]:
        with self._lock:
            return _public(self._listener(tenant, listener_id))

    def create_listener(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            lst = self._create_listener(tenant, body)
            self._save()
            return _public(lst)

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
            return _public(lst)

    def delete_listener(self, tenant: str, listener_id: str) -> None:
        with self._lock:
            self._listener(tenant, listener_id)
            self._listeners.pop(listener_id, None)
            self._save()

    # -- admin ----------------------------------------------------------------------------

    def reset(self, *, seed_defaults: bool = True) -> None:
        with self._lock:
            self._state = _empty_state()
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
            return _public(rev)

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
            return _public(record)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "listeners": len(self._listeners),
                "deployments": len(self._deployments),
                "revisions": len(self._revisions),
            }
