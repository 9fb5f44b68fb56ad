"""ListenerRegistration: this data plane's listener, registered in the control plane.

Create adopts an existing listener with the same `compute_id` instead of failing on 409, so
a create that was interrupted after the control plane answered converges on the next run.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from ..controlplane import ConflictError, ControlPlaneClient, Listener, NotFoundError
from ..names import EndpointProps
from ..names import ListenerRegistrationProps as P
from .connection import Endpoint, client_for, remember_api_key


class ListenerRegistrationProvider(ResourceProvider):
    """Dynamic provider of `ListenerRegistration`. Holds no state: settings come in as inputs."""

    def configure(self, req: ConfigureRequest) -> None:
        remember_api_key(req.config)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        if not news.get(P.COMPUTE_ID):
            failures.append(CheckFailure(P.COMPUTE_ID, "compute_id must not be empty"))
        namespaces = news.get(P.NAMESPACES) or []
        if not namespaces:
            failures.append(CheckFailure(P.NAMESPACES, "at least one namespace is required"))
        return CheckResult({**news, P.NAMESPACES: sorted(namespaces)}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in (P.COMPUTE_ID, EndpointProps.URL) if olds.get(k) != news.get(k)]
        changed = replaces or sorted(olds.get(P.NAMESPACES) or []) != news.get(P.NAMESPACES)
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = client_for(Endpoint.from_props(props))
        namespaces = list(props[P.NAMESPACES])
        try:
            listener = client.create_listener(props[P.COMPUTE_ID], namespaces)
        except ConflictError:
            listener = _adopt(client, props[P.COMPUTE_ID], namespaces)
        return CreateResult(listener.id, _outputs(props, listener))

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = client_for(Endpoint.from_props(news))
        listener = client.patch_listener(id_, k8s_namespaces=list(news[P.NAMESPACES]))
        return UpdateResult(_outputs(news, listener))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = client_for(Endpoint.from_props(props))
        try:
            listener = client.get_listener(id_)
        except NotFoundError:
            return ReadResult(None, {})
        outs = _outputs(props, listener)
        return ReadResult(id_, outs, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client_for(Endpoint.from_props(props)).delete_listener(id_, missing_ok=True)


def _adopt(client: ControlPlaneClient, compute_id: str, namespaces: list[str]) -> Listener:
    existing = next((x for x in client.iter_listeners() if x.compute_id == compute_id), None)
    if existing is None:
        raise RuntimeError(
            f"the control plane refused listener {compute_id!r} as a duplicate but lists no "
            "listener with that compute_id; check that the API key's workspace is the one "
            "that owns it (dataplane:controlPlane.workspaceId)."
        )
    if sorted(existing.k8s_namespaces) != sorted(namespaces):
        return client.patch_listener(existing.id, k8s_namespaces=namespaces)
    return existing


def _outputs(props: dict[str, Any], listener: Listener) -> dict[str, Any]:
    return {
        **props,
        P.LISTENER_ID: listener.id,
        P.NAMESPACES: sorted(listener.k8s_namespaces),
    }


class ListenerRegistration(Resource):
    """This data plane's listener in the control plane; its id is `listener_id`."""

    listener_id: pulumi.Output[str]
    namespaces: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        *,
        endpoint: Endpoint,
        compute_id: str,
        namespaces: list[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            ListenerRegistrationProvider(),
            name,
            {
                **endpoint.props(),
                P.COMPUTE_ID: compute_id,
                P.NAMESPACES: namespaces,
                P.LISTENER_ID: None,
            },
            opts,
        )
