"""The FastAPI app: the control-plane API (``/v2/...``) plus the local admin API.

:func:`create_app` returns an ASGI app (the API wrapped by fault injection and request
statistics); its ``context`` attribute holds the store, keys, faults and stats.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from .admin import admin_router
from .auth import ApiKey, KeyRing, default_keys
from .context import ServerContext, get_context
from .errors import StoreError
from .faults import FaultSet, Instrumented, RequestStats
from .revision_lifecycle import Behaviour
from .schemas import (
    DeploymentCreate,
    DeploymentPatch,
    DeploymentType,
    ListenerCreate,
    ListenerPatch,
    RevisionCreate,
    body_of,
)
from .state import Store

Limit = Annotated[int, Query(ge=1, le=100, description="Maximum number of resources to return.")]
Offset = Annotated[int, Query(ge=0, description="Pagination offset.")]


def tenant_of(
    request: Request,
    x_api_key: Annotated[str | None, Header()] = None,
    x_tenant_id: Annotated[str | None, Header()] = None,
) -> str:
    return get_context(request).keys.tenant_for(x_api_key, x_tenant_id)


Tenant = Annotated[str, Depends(tenant_of)]
Ctx = Annotated[ServerContext, Depends(get_context)]


def api_router() -> APIRouter:
    r = APIRouter(prefix="/v2")

    # -- deployments ----------------------------------------------------------------------

    @r.get("/deployments")
    def list_deployments(
        ctx: Ctx,
        tenant: Tenant,
        limit: Limit = 20,
        offset: Offset = 0,
        name_contains: str | None = None,
        status: str | None = None,
        remote_reconciled: bool | None = None,
        tag_value_ids: str | None = None,
        image_version: str | None = None,
        deployment_type: DeploymentType | None = None,
        deployment_ids: str | None = None,
    ) -> dict[str, Any]:
        return ctx.store.list_deployments(
            tenant,
            limit=limit,
            offset=offset,
            name_contains=name_contains,
            status=status,
            deployment_ids=deployment_ids,
            image_version=image_version,
            deployment_type=deployment_type,
            tag_value_ids=tag_value_ids,
            remote_reconciled=remote_reconciled,
        )

    @r.post("/deployments", status_code=201)
    def create_deployment(ctx: Ctx, tenant: Tenant, body: DeploymentCreate) -> dict[str, Any]:
        return ctx.store.create_deployment(tenant, body_of(body))

    @r.get("/deployments/{deployment_id}")
    def get_deployment(ctx: Ctx, tenant: Tenant, deployment_id: str) -> dict[str, Any]:
        return ctx.store.get_deployment(tenant, deployment_id)

    @r.patch("/deployments/{deployment_id}")
    def patch_deployment(
        ctx: Ctx, tenant: Tenant, deployment_id: str, body: DeploymentPatch
    ) -> dict[str, Any]:
        return ctx.store.patch_deployment(tenant, deployment_id, body_of(body))

    @r.delete("/deployments/{deployment_id}", status_code=204)
    def delete_deployment(ctx: Ctx, tenant: Tenant, deployment_id: str) -> Response:
        ctx.store.delete_deployment(tenant, deployment_id)
        return Response(status_code=204)

    # -- revisions ------------------------------------------------------------------------

    @r.get("/deployments/{deployment_id}/revisions")
    def list_revisions(
        ctx: Ctx,
        tenant: Tenant,
        deployment_id: str,
        limit: Limit = 20,
        offset: Offset = 0,
        status: str | None = None,
        remote_reconciled: bool | None = None,
    ) -> dict[str, Any]:
        return ctx.store.list_revisions(
            tenant,
            deployment_id,
            limit=limit,
            offset=offset,
            status=status,
            remote_reconciled=remote_reconciled,
        )

    @r.post("/deployments/{deployment_id}/revisions", status_code=201)
    def create_revision(
        ctx: Ctx, tenant: Tenant, deployment_id: str, body: RevisionCreate
    ) -> dict[str, Any]:
        return ctx.store.create_revision(tenant, deployment_id, body_of(body))

    @r.get("/deployments/{deployment_id}/revisions/{revision_id}")
    def get_revision(
        ctx: Ctx, tenant: Tenant, deployment_id: str, revision_id: str
    ) -> dict[str, Any]:
        return ctx.store.get_revision(tenant, deployment_id, revision_id)

    @r.post("/deployments/{deployment_id}/revisions/{revision_id}/redeploy")
    def redeploy(ctx: Ctx, tenant: Tenant, deployment_id: str, revision_id: str) -> dict[str, Any]:
        return ctx.store.redeploy(tenant, deployment_id, revision_id)

    # -- listeners ------------------------------------------------------------------------

    @r.get("/listeners")
    def list_listeners(
        ctx: Ctx, tenant: Tenant, limit: Limit = 20, offset: Offset = 0
    ) -> dict[str, Any]:
        return ctx.store.list_listeners(tenant, limit=limit, offset=offset)

    @r.post("/listeners", status_code=201)
    def create_listener(ctx: Ctx, tenant: Tenant, body: ListenerCreate) -> dict[str, Any]:
        return ctx.store.create_listener(tenant, body_of(body))

    @r.get("/listeners/{listener_id}")
    def get_listener(ctx: Ctx, tenant: Tenant, listener_id: str) -> dict[str, Any]:
        return ctx.store.get_listener(tenant, listener_id)

    @r.patch("/listeners/{listener_id}")
    def patch_listener(
        ctx: Ctx, tenant: Tenant, listener_id: str, body: ListenerPatch
    ) -> dict[str, Any]:
        return ctx.store.patch_listener(tenant, listener_id, body_of(body))

    @r.delete("/listeners/{listener_id}", status_code=204)
    def delete_listener(ctx: Ctx, tenant: Tenant, listener_id: str) -> Response:
        ctx.store.delete_listener(tenant, listener_id)
        return Response(status_code=204)

    return r


def create_app(
    state_path: Path | str | None = None,
    *,
    api_keys: list[ApiKey] | None = None,
    seed_if_new: bool = True,
    behaviour: Behaviour | None = None,
    enable_admin: bool = True,
    path_prefix: str = "",
) -> Instrumented:
    """Build the local control plane. ``state_path=None`` keeps state in memory only.

    ``path_prefix`` (e.g. ``/api-host``) serves the API (and ``/_admin``) under a prefix,
    like a self-hosted LangSmith; other paths get a plain-text 404 as from a proxy.
    """
    initial = behaviour or Behaviour()
    store = Store(state_path, seed_if_new=seed_if_new, behaviour=copy.deepcopy(initial))
    faults = FaultSet()
    stats = RequestStats()
    keys = api_keys if api_keys is not None else default_keys()
    context = ServerContext(
        store=store,
        keys=KeyRing(keys),
        faults=faults,
        stats=stats,
        initial_behaviour=initial,
        initial_keys=list(keys),
    )
    app = FastAPI(
        title="Local LangGraph control plane",
        description=(
            "A local stand-in for the LangSmith Deployment control-plane API, for "
            "development and tests. `/_admin` is a local-only test API without auth."
        ),
        version="0.1.0",
    )
    app.state.context = context

    @app.exception_handler(StoreError)
    async def _store_error(_: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    app.include_router(api_router())
    if enable_admin:
        app.include_router(admin_router())
    prefix = "/" + path_prefix.strip("/") if path_prefix.strip("/") else ""
    return Instrumented(app, faults=faults, stats=stats, context=context, path_prefix=prefix)
