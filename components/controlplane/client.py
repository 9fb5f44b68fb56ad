"""A typed, synchronous httpx client for the LangGraph (LangSmith Deployment) control plane.

Usage::

    with ControlPlaneClient(api_key, region="eu", tenant_id=workspace_id) as cp:
        for deployment in cp.iter_deployments(name_contains="agent"):
            print(deployment.name, deployment.status)

The underlying :class:`httpx.Client` is created lazily on first use and reused (keep-alive
connections), so one client should be shared for a whole program run. Sharing it between
threads is safe. Retries follow the rule documented in :mod:`.retry`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypedDict, Unpack

from ..core.endpoint import (
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_DISCOVERY_DEADLINE_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
)
from .errors import ControlPlaneError, NotFoundError
from .models import (
    ApiModel,
    Deployment,
    DeploymentCreateRequest,
    DeploymentPatchRequest,
    Listener,
    ListenerComputeConfig,
    ListenerCreateRequest,
    ListenerPatchRequest,
    Revision,
    RevisionCreateRequest,
)
from .regions import DEFAULT_REGION, REGION_BASE_URLS, resolve_base_url
from .transport import MAX_PAGE_SIZE, USER_AGENT, Transport

# The settings and region names stay importable from here, where they always were.
__all__ = [
    "DEFAULT_DEADLINE_SECONDS",
    "DEFAULT_DISCOVERY_DEADLINE_SECONDS",
    "DEFAULT_REGION",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_PAGE_SIZE",
    "REGION_BASE_URLS",
    "USER_AGENT",
    "ControlPlaneClient",
    "DeploymentFilters",
    "RevisionFilters",
    "resolve_base_url",
]

Body = ApiModel | Mapping[str, Any]


class RevisionFilters(TypedDict, total=False):
    """Filters of the revision list (each one optional)."""

    status: str | Sequence[str] | None
    """One status or several."""
    remote_reconciled: bool | None
    page_size: int
    """Items per request (at most 100)."""


class DeploymentFilters(RevisionFilters, total=False):
    """Filters of the deployment list (each one optional)."""

    name_contains: str | None
    deployment_ids: str | Iterable[str] | None
    image_version: str | None
    deployment_type: str | None
    tag_value_ids: str | Iterable[str] | None


# Filters that take one value or several (sent comma-separated).
_LIST_FILTERS = frozenset({"status", "deployment_ids", "tag_value_ids"})


def _filter_params(filters: Mapping[str, Any], kind: Any) -> dict[str, Any]:
    """The query parameters of list filters; a filter `kind` does not know is a TypeError."""
    known: frozenset[str] = kind.__optional_keys__
    unknown = sorted(set(filters) - known)
    if unknown:
        raise TypeError(f"unknown filters {unknown}; known: {sorted(known)}")
    return {k: _csv(v) if k in _LIST_FILTERS else v for k, v in filters.items() if k != "page_size"}


def _csv(value: str | Iterable[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    joined = ",".join(str(v) for v in value)
    return joined or None


def _body(body: Body) -> dict[str, Any]:
    if isinstance(body, ApiModel):
        return body.to_body()
    return dict(body)


class ControlPlaneClient(Transport):
    """Client of the control-plane REST API (``/v2/deployments``, ``/v2/listeners``).

    Args:
        api_key: LangSmith API key, sent as ``X-Api-Key``. Never logged nor shown in repr.
        region: ``us`` (default), ``eu``, ``apac`` or ``aws-us``.
        base_url: explicit base URL; wins over ``region``. A self-hosted control plane
            lives under ``https://<host>/api-host``; the path prefix is kept.
        tenant_id: workspace id, sent as ``X-Tenant-Id`` (required for org-scoped keys).
        timeout: seconds for each read/write/pool wait (connect: at most 10 s).
        deadline: seconds one call may take in all, every attempt, backoff, ``Retry-After``
            and slow body included (see :mod:`.deadline`); None for no total bound.
        max_attempts: HTTP attempts per call, including the first one.
        backoff_base, backoff_max: exponential backoff between attempts (seconds).
        retry_after_max: upper bound for a server's ``Retry-After`` (seconds).
        transport: custom httpx transport (tests, proxies).
        retry_budget: the retries every call of this client shares (see :mod:`.retry`);
            by default a reserve of 10 retries, plus a fifth of one per call.

    Retries (see :mod:`.retry`): GET/PUT/DELETE/HEAD retry transport errors and HTTP 429,
    502, 503, 504; POST and PATCH retry only connect errors, HTTP 429 and 503, never a
    request that may already have reached the server. ``request_count`` counts every
    HTTP attempt, retries included. Calls made at once from several threads share one
    retry budget, and wait as long as a ``Retry-After`` that any of them received.
    """

    # -- deployments ----------------------------------------------------------------------

    def iter_deployments(self, **filters: Unpack[DeploymentFilters]) -> Iterator[Deployment]:
        """Yield every deployment matching the filters, page by page."""
        params = _filter_params(filters, DeploymentFilters)
        page_size = filters.get("page_size", MAX_PAGE_SIZE)
        return self._paginate(Deployment, "/v2/deployments", params, page_size)

    def list_deployments(self, **filters: Unpack[DeploymentFilters]) -> list[Deployment]:
        """All deployments matching the filters (follows pagination to the end)."""
        return list(self.iter_deployments(**filters))

    def get_deployment(self, deployment_id: str) -> Deployment:
        return self._call(
            Deployment,
            "GET",
            f"/v2/deployments/{deployment_id}",
            resource="deployment",
            resource_id=deployment_id,
        )

    def create_deployment(self, body: DeploymentCreateRequest | Mapping[str, Any]) -> Deployment:
        """Create a deployment and its first revision (POST: not retried once sent)."""
        return self._call(Deployment, "POST", "/v2/deployments", body=_body(body))

    def patch_deployment(
        self, deployment_id: str, body: DeploymentPatchRequest | Mapping[str, Any]
    ) -> Deployment:
        """Update a deployment; new image, secrets or resource_spec create a revision."""
        return self._call(
            Deployment,
            "PATCH",
            f"/v2/deployments/{deployment_id}",
            body=_body(body),
            resource="deployment",
            resource_id=deployment_id,
        )

    def delete_deployment(self, deployment_id: str, *, missing_ok: bool = False) -> None:
        """Delete a deployment. Deletion is asynchronous: see :meth:`wait_until_deleted`."""
        self._delete("deployment", f"/v2/deployments/{deployment_id}", deployment_id, missing_ok)

    def wait_until_deleted(
        self, deployment_id: str, *, timeout: float = 600.0, poll_interval: float = 5.0
    ) -> None:
        """Poll ``GET /v2/deployments/{id}`` until it answers 404."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.get_deployment(deployment_id)
            except NotFoundError:
                return
            if time.monotonic() >= deadline:
                raise ControlPlaneError(
                    f"deployment {deployment_id!r} still exists {timeout:.0f}s after deletion "
                    f"was requested from {self.base_url}; check it in the LangSmith UI."
                )
            time.sleep(poll_interval)

    # -- revisions ------------------------------------------------------------------------

    def iter_revisions(
        self, deployment_id: str, **filters: Unpack[RevisionFilters]
    ) -> Iterator[Revision]:
        """Yield every revision of a deployment matching the filters, newest first."""
        params = _filter_params(filters, RevisionFilters)
        return self._paginate(
            Revision,
            f"/v2/deployments/{deployment_id}/revisions",
            params,
            filters.get("page_size", MAX_PAGE_SIZE),
            resource="deployment",
            resource_id=deployment_id,
        )

    def list_revisions(
        self, deployment_id: str, **filters: Unpack[RevisionFilters]
    ) -> list[Revision]:
        """All revisions of a deployment, newest first."""
        return list(self.iter_revisions(deployment_id, **filters))

    def get_revision(self, deployment_id: str, revision_id: str) -> Revision:
        return self._call(
            Revision,
            "GET",
            f"/v2/deployments/{deployment_id}/revisions/{revision_id}",
            resource="revision",
            resource_id=revision_id,
        )

    def create_revision(
        self, deployment_id: str, body: RevisionCreateRequest | Mapping[str, Any]
    ) -> Revision:
        """Create a revision (``POST /v2/deployments/{id}/revisions``; always creates one)."""
        return self._call(
            Revision,
            "POST",
            f"/v2/deployments/{deployment_id}/revisions",
            body=_body(body),
            resource="deployment",
            resource_id=deployment_id,
        )

    def redeploy_revision(self, deployment_id: str, revision_id: str) -> Deployment:
        """Roll a deployment back to an older revision."""
        return self._call(
            Deployment,
            "POST",
            f"/v2/deployments/{deployment_id}/revisions/{revision_id}/redeploy",
            resource="revision",
            resource_id=revision_id,
        )

    def wait_for_revision(
        self,
        deployment_id: str,
        revision_id: str,
        *,
        timeout: float = 900.0,
        poll_interval: float = 5.0,
    ) -> Revision:
        """Poll a revision until its status is final (DEPLOYED, SKIPPED or *_FAILED).

        Returns the final revision (check ``is_failed``); raises ControlPlaneError on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            revision = self.get_revision(deployment_id, revision_id)
            if revision.is_final:
                return revision
            if time.monotonic() >= deadline:
                raise ControlPlaneError(
                    f"revision {revision_id!r} of deployment {deployment_id!r} is still "
                    f"{revision.status} after {timeout:.0f}s; check the listener and operator "
                    "logs in the data-plane cluster."
                )
            time.sleep(poll_interval)

    # -- listeners ------------------------------------------------------------------------

    def iter_listeners(self, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[Listener]:
        return self._paginate(Listener, "/v2/listeners", {}, page_size)

    def list_listeners(self, *, page_size: int = MAX_PAGE_SIZE) -> list[Listener]:
        return list(self.iter_listeners(page_size=page_size))

    def get_listener(self, listener_id: str) -> Listener:
        return self._call(
            Listener,
            "GET",
            f"/v2/listeners/{listener_id}",
            resource="listener",
            resource_id=listener_id,
        )

    def create_listener(
        self,
        compute_id: str,
        k8s_namespaces: Sequence[str],
        *,
        version: str | None = None,
        compute_type: str = "k8s",
    ) -> Listener:
        """Register a listener (409 :class:`ConflictError` when ``compute_id`` is taken)."""
        request = ListenerCreateRequest(
            compute_id=compute_id,
            compute_type=compute_type,
            compute_config=ListenerComputeConfig(k8s_namespaces=list(k8s_namespaces)),
        )
        if version is not None:
            request.version = version
        return self._call(Listener, "POST", "/v2/listeners", body=request.to_body())

    def patch_listener(
        self,
        listener_id: str,
        *,
        k8s_namespaces: Sequence[str] | None = None,
        version: str | None = None,
    ) -> Listener:
        """Change a listener's namespaces and/or version (only given fields are sent)."""
        request = ListenerPatchRequest()
        if k8s_namespaces is not None:
            request.compute_config = ListenerComputeConfig(k8s_namespaces=list(k8s_namespaces))
        if version is not None:
            request.version = version
        return self._call(
            Listener,
            "PATCH",
            f"/v2/listeners/{listener_id}",
            body=request.to_body(),
            resource="listener",
            resource_id=listener_id,
        )

    def delete_listener(self, listener_id: str, *, missing_ok: bool = False) -> None:
        self._delete("listener", f"/v2/listeners/{listener_id}", listener_id, missing_ok)

    def _delete(self, resource: str, path: str, resource_id: str, missing_ok: bool) -> None:
        """DELETE `path`; a 404 raises NotFoundError unless `missing_ok`."""
        try:
            self._send("DELETE", path, resource=resource, resource_id=resource_id)
        except NotFoundError:
            if not missing_ok:
                raise
