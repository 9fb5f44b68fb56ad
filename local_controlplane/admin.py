"""The local-only admin/test API under ``/_admin`` (no API key required).

It exists for tests and local development: reset and seed state, force revision statuses,
inject raw fields, switch faults on and off, read request statistics. Never expose the
local control plane beyond loopback; start it with ``--no-admin`` to disable this API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from . import seed
from .auth import ApiKey
from .context import ServerContext, get_context
from .errors import StoreError
from .faults import FaultRule
from .revision_lifecycle import REVISION_STEPS
from .schemas import (
    ApiKeyIn,
    BehaviourIn,
    FaultIn,
    RawFieldsIn,
    ResetIn,
    SeedIn,
    StatusIn,
)

Ctx = Annotated[ServerContext, Depends(get_context)]


def admin_router() -> APIRouter:
    r = APIRouter(prefix="/_admin", tags=["admin (local only)"])

    @r.get("/health")
    def health(ctx: Ctx) -> dict[str, Any]:
        return {"status": "ok", **ctx.store.counts()}

    @r.post("/reset")
    def reset(ctx: Ctx, body: Annotated[ResetIn | None, Body()] = None) -> dict[str, Any]:
        """Clear all state (re-seeding the examples unless ``seed`` is false), faults and
        stats, and go back to the behaviour and API keys the server started with."""
        body = body or ResetIn()
        ctx.store.behaviour = ctx.fresh_behaviour()
        ctx.keys.replace(ctx.initial_keys)
        ctx.store.reset(seed_defaults=body.seed)
        ctx.faults.clear()
        ctx.stats.reset()
        return {"status": "reset", **ctx.store.counts()}

    @r.post("/seed")
    def seed_more(ctx: Ctx, body: SeedIn) -> dict[str, Any]:
        """Add the example objects (``defaults``) and/or ``deployments`` bulk ones."""
        if body.defaults:
            ctx.store.reset(seed_defaults=True)
        ids = ctx.store.seed_bulk(
            body.deployments,
            name_prefix=body.name_prefix,
            tenant=body.tenant_id or seed.DEFAULT_TENANT_ID,
            listener_id=body.listener_id,
            k8s_namespace=body.k8s_namespace,
            image_uri=body.image_uri,
        )
        return {"created": ids, **ctx.store.counts()}

    @r.get("/state")
    def state(ctx: Ctx) -> dict[str, Any]:
        return ctx.store.dump()

    @r.get("/stats")
    def stats(ctx: Ctx) -> dict[str, Any]:
        return ctx.stats.snapshot()

    @r.post("/stats/reset")
    def stats_reset(ctx: Ctx) -> dict[str, Any]:
        ctx.stats.reset()
        return ctx.stats.snapshot()

    @r.get("/faults")
    def faults(ctx: Ctx) -> list[dict[str, Any]]:
        return ctx.faults.describe()

    @r.post("/faults", status_code=201)
    def add_fault(ctx: Ctx, body: FaultIn) -> dict[str, Any]:
        rule = FaultRule(**body.model_dump())
        return ctx.faults.add(rule).as_dict()

    @r.delete("/faults")
    def clear_faults(ctx: Ctx) -> dict[str, Any]:
        ctx.faults.clear()
        return {"faults": []}

    @r.delete("/faults/{fault_id}")
    def remove_fault(ctx: Ctx, fault_id: int) -> dict[str, Any]:
        if not ctx.faults.remove(fault_id):
            raise StoreError(404, f"Fault ID {fault_id} not found.")
        return {"removed": fault_id}

    @r.get("/behaviour")
    def get_behaviour(ctx: Ctx) -> dict[str, Any]:
        return ctx.store.behaviour.as_dict()

    @r.put("/behaviour")
    def set_behaviour(ctx: Ctx, body: BehaviourIn) -> dict[str, Any]:
        """Revision progression and deletion timing. ``status_delay`` sets the time spent
        in each of CREATING, AWAITING_DEPLOY and DEPLOYING; ``revision_delays`` sets them
        one by one; ``revision_outcome`` is the final status (e.g. DEPLOY_FAILED)."""
        behaviour = ctx.store.behaviour
        if body.status_delay is not None:
            behaviour.revision_delays = dict.fromkeys(REVISION_STEPS, body.status_delay)
        if body.revision_delays is not None:
            unknown = set(body.revision_delays) - set(REVISION_STEPS)
            if unknown:
                raise StoreError(
                    400,
                    f"Unknown step(s) {sorted(unknown)}; steps are {list(REVISION_STEPS)}.",
                )
            behaviour.revision_delays.update(body.revision_delays)
        if body.revision_outcome is not None:
            behaviour.revision_outcome = body.revision_outcome
        if body.delete_delay is not None:
            behaviour.delete_delay = body.delete_delay
        return behaviour.as_dict()

    @r.put("/deployments/{deployment_id}/revisions/{revision_id}/status")
    def set_revision_status(
        ctx: Ctx, deployment_id: str, revision_id: str, body: StatusIn
    ) -> dict[str, Any]:
        """Force a revision status (any string, e.g. BUILD_FAILED or an unknown value)."""
        return ctx.store.set_revision_status(deployment_id, revision_id, body.status)

    @r.patch("/deployments/{deployment_id}")
    def raw_deployment(ctx: Ctx, deployment_id: str, body: RawFieldsIn) -> dict[str, Any]:
        """Merge raw fields into the stored deployment (e.g. an unknown status or field)."""
        return ctx.store.raw_patch("deployment", deployment_id, body.model_extra or {})

    @r.patch("/deployments/{deployment_id}/revisions/{revision_id}")
    def raw_revision(
        ctx: Ctx, deployment_id: str, revision_id: str, body: RawFieldsIn
    ) -> dict[str, Any]:
        ctx.store.get_deployment(None, deployment_id)
        return ctx.store.raw_patch("revision", revision_id, body.model_extra or {})

    @r.patch("/listeners/{listener_id}")
    def raw_listener(ctx: Ctx, listener_id: str, body: RawFieldsIn) -> dict[str, Any]:
        return ctx.store.raw_patch("listener", listener_id, body.model_extra or {})

    @r.get("/api-keys")
    def get_keys(ctx: Ctx) -> list[dict[str, object]]:
        return ctx.keys.describe()

    @r.put("/api-keys")
    def set_keys(ctx: Ctx, body: list[ApiKeyIn]) -> list[dict[str, object]]:
        """Replace the accepted API keys (workspace-scoped or org-scoped)."""
        ctx.keys.replace(
            [
                ApiKey(
                    key=k.key,
                    tenant_id=k.tenant_id or seed.DEFAULT_TENANT_ID,
                    org_scoped=k.org_scoped,
                    workspaces=k.workspaces,
                )
                for k in body
            ]
        )
        return ctx.keys.describe()

    return r
