"""Deployments and their revisions through the API: list, get, create, patch, delete,
redeploy; a body is checked whole before anything changes."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from components.controlplane.models import (
    DEFAULT_DEPLOYMENT_TYPE,
    RESERVED_ENV_NAMES,
    scales_to_zero,
)

from .errors import StoreError, listener_required
from .records import iso, public
from .revision_lifecycle import RevisionLifecycle

IMMUTABLE_SOURCE_CONFIG = ("listener_id", "deployment_type", "integration_id", "repo_url")
MUTABLE_SOURCE_CONFIG = ("build_on_push", "custom_url", "install_command", "build_command")


def _csv(value: str | None) -> set[str] | None:
    """A comma-separated query filter as a set; None when it names nothing."""
    if value is None:
        return None
    items = {v.strip() for v in value.split(",") if v.strip()}
    return items or None


def _unique_names(
    items: Iterable[dict[str, Any]], what: str, taken: Iterable[Any] = ()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each item with its name, which must be neither reserved nor already taken."""
    seen = set(taken)
    for item in items:
        name = item.get("name", "")
        if name in RESERVED_ENV_NAMES:
            raise StoreError(
                400,
                f"{what} name '{name}' is reserved by the platform and cannot be set.",
            )
        if name in seen:
            raise StoreError(400, f"Duplicate secret name '{name}'.")
        seen.add(name)
        yield name, item


def _check_secrets(secrets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"name": name, "value": item.get("value", "")}
        for name, item in _unique_names(secrets, "Secret")
    ]


def _check_secret_references(
    references: Iterable[dict[str, Any]], secrets: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """References to existing Kubernetes Secrets: names neither reserved, repeated, nor
    already a secret's."""
    secret_names = {s.get("name") for s in secrets}
    return [
        {"name": name, "secret_name": item["secret_name"], "secret_key": item["secret_key"]}
        for name, item in _unique_names(references, "Secret reference", secret_names)
    ]


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


class Deployments(RevisionLifecycle):
    """The deployment and revision routes' operations."""

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
        secrets = _check_secrets(body.get("secrets") or [])
        references = _check_secret_references(body.get("secret_references") or [], secrets)
        deployment_type = sc.get("deployment_type") or DEFAULT_DEPLOYMENT_TYPE.value
        _check_scale(deployment_type, sc.get("resource_spec"))
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
            _check_scale(current.get("deployment_type") or "", sc["resource_spec"])
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
            secrets = _check_secrets(body["secrets"])
        references = body.get("secret_references")
        if references is not None or secrets is not None:
            references = _check_secret_references(
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
            return self._page([public(r) for r in revs], limit, offset)

    def get_revision(self, tenant: str, deployment_id: str, revision_id: str) -> dict[str, Any]:
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            return public(self._revision(dep, revision_id))

    def create_revision(
        self, tenant: str, deployment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            self._tick()
            dep = self._deployment(tenant, deployment_id)
            self._check_patchable(dep)
            rev = self._revise(dep, body, always=True)
            self._save()
            return public(rev)

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
