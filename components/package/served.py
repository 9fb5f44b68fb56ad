"""The control-plane resources as custom resources of the package's own provider.

In the Python program they are dynamic resources: the engine runs their providers in a
second Python process, `pulumi-resource-pulumi-python`, which it starts with whatever
`python3` is first on PATH unless `PULUMI_RUNTIME_VIRTUALENV` names a virtualenv. A program
in another language has neither, so the package declares them with its own type tokens
instead, and its provider (already running, in its own virtualenv) serves their check, diff,
create, read, update and delete by calling the very same provider classes. Inputs, outputs
and behaviour are the dynamic resources'; only the type token differs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue

from ..core.names import (
    PACKAGE_LISTENER_REGISTRATION_TOKEN,
    PACKAGE_REVISION_SYNC_TOKEN,
)
from ..core.names import RevisionSyncProps as P
from ..providers.listener_registration import ListenerRegistration, ListenerRegistrationProvider
from ..providers.revision_sync import RevisionSync, RevisionSyncProvider
from .values import plain_map, property_map

# Properties kept secret in every answer (the revision's secrets).
_SECRET = {PACKAGE_REVISION_SYNC_TOKEN: (P.SECRETS,), PACKAGE_LISTENER_REGISTRATION_TOKEN: ()}


class ServedRevisionSync(RevisionSync):
    """`RevisionSync`, served by the package's provider (same inputs and outputs)."""

    def _register(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        # The custom resource itself, not the dynamic resource RevisionSync would register.
        pulumi.CustomResource.__init__(self, PACKAGE_REVISION_SYNC_TOKEN, name, props, opts)


class ServedListenerRegistration(ListenerRegistration):
    """`ListenerRegistration`, served by the package's provider (same inputs and outputs)."""

    def _register(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        pulumi.CustomResource.__init__(self, PACKAGE_LISTENER_REGISTRATION_TOKEN, name, props, opts)


def resource_token(qualified: str) -> str:
    """The resource's own type token in a URN's qualified type (`parent$child`)."""
    return qualified.rsplit("$", 1)[-1]


class ServedResources:
    """Check, diff, create, read, update and delete of the served resources, by type token.

    The providers hold no state and are thread-safe (`providers/connection.py`); their
    calls block on HTTP, so each runs in a worker thread, off the provider's event loop.
    """

    def __init__(self) -> None:
        self._providers: dict[str, ResourceProvider] = {
            PACKAGE_REVISION_SYNC_TOKEN: RevisionSyncProvider(),
            PACKAGE_LISTENER_REGISTRATION_TOKEN: ListenerRegistrationProvider(),
        }

    def _provider(self, token: str) -> ResourceProvider:
        try:
            return self._providers[resource_token(token)]
        except KeyError:
            raise ValueError(f"the langgraph package has no resource {token}") from None

    @staticmethod
    def _out(token: str, props: dict[str, Any]) -> dict[str, PropertyValue]:
        return property_map(props, _SECRET[resource_token(token)])

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        provider = self._provider(request.type)
        news = plain_map(request.new_inputs)
        olds = plain_map(request.old_inputs)
        result = await asyncio.to_thread(provider.check, olds, news)
        failures = [rpc.CheckFailure(f.property, f.reason) for f in result.failures or []]
        return rpc.CheckResponse(self._out(request.type, result.inputs or {}), failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        provider = self._provider(request.type)
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        result = await asyncio.to_thread(provider.diff, request.resource_id, olds, news)
        replaces = list(result.replaces or [])
        # The dynamic providers answer changed or not; the CLI shows what changed from
        # this detailed diff (the dynamic-provider host computes the same one).
        changed = (
            sorted(k for k in set(olds) | set(news) if olds.get(k) != news.get(k))
            if result.changes
            else []
        )
        kinds = rpc.PropertyDiffKind
        return rpc.DiffResponse(
            changes=result.changes,
            replaces=replaces,
            stables=list(result.stables or []),
            delete_before_replace=bool(result.delete_before_replace),
            diffs=changed,
            detailed_diff={
                k: rpc.PropertyDiff(
                    kinds.UPDATE_REPLACE if k in replaces else kinds.UPDATE, input_diff=True
                )
                for k in changed
            },
        )

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        provider = self._provider(request.type)
        props = plain_map(request.properties)
        if request.preview:  # nothing is created in a preview: the inputs are the outputs
            return rpc.CreateResponse(None, self._out(request.type, props))
        result = await asyncio.to_thread(provider.create, props)
        return rpc.CreateResponse(result.id, self._out(request.type, result.outs or {}))

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        provider = self._provider(request.type)
        olds, news = plain_map(request.olds), plain_map(request.news)
        if request.preview:
            return rpc.UpdateResponse(self._out(request.type, news))
        result = await asyncio.to_thread(provider.update, request.resource_id, olds, news)
        return rpc.UpdateResponse(self._out(request.type, result.outs or {}))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        provider = self._provider(request.type)
        props = plain_map(request.properties)
        result = await asyncio.to_thread(provider.read, request.resource_id, props)
        outs = self._out(request.type, result.outs or {})
        return rpc.ReadResponse(result.id, outs, outs if result.id else {})

    async def delete(self, request: rpc.DeleteRequest) -> None:
        provider = self._provider(request.type)
        props = plain_map(request.properties)
        await asyncio.to_thread(provider.delete, request.resource_id, props)
