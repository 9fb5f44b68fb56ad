"""ListenerRegistration: this data plane's listener, registered in the control plane.

Create adopts the listener that discovery found moments before, in the same run
(`discovered_listener`: its id and namespaces): no request when its namespaces are already
right. Without one it registers the listener, and adopts an existing listener with the same
`compute_id` instead of failing on 409, so a create that was interrupted after the control
plane answered converges on the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

from ..controlplane.errors import ConflictError, NotFoundError
from ..core.names import EndpointProps
from ..core.names import ListenerRegistrationProps as P
from ..core.urls import api_root
from .connection import Endpoint, client_for, remember_api_key

if TYPE_CHECKING:  # the models load with the client, in the calls that ask the control plane
    from ..controlplane.client import ControlPlaneClient
    from ..controlplane.models import Listener


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
        replaces = [P.COMPUTE_ID] if olds.get(P.COMPUTE_ID) != news.get(P.COMPUTE_ID) else []
        # Another control plane replaces; the same one spelt otherwise (`//`, `/`) does not.
        old_url, new_url = (api_root(str(props.get(EndpointProps.URL))) for props in (olds, news))
        if old_url != new_url:
            replaces.append(EndpointProps.URL)
        changed = replaces or sorted(olds.get(P.NAMESPACES) or []) != news.get(P.NAMESPACES)
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = client_for(Endpoint.from_props(props))
        namespaces = list(props[P.NAMESPACES])
        listener = _discovered(props)
        if listener is not None:
            try:
                listener = _aligned(client, listener, namespaces)
            except NotFoundError:
                listener = None  # deleted since discovery: register it again
        if listener is None:
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
    return _aligned(client, existing, namespaces)


def _aligned(client: ControlPlaneClient, listener: Listener, namespaces: list[str]) -> Listener:
    """`listener`, its namespaces changed to `namespaces` if they differ."""
    if sorted(listener.k8s_namespaces) != sorted(namespaces):
        return client.patch_listener(listener.id, k8s_namespaces=namespaces)
    return listener


def _discovered(props: dict[str, Any]) -> Listener | None:
    """The listener discovery found for this `compute_id`, from the inputs."""
    from ..controlplane.models import Listener, ListenerComputeConfig

    found = props.get(P.DISCOVERED)
    if not isinstance(found, dict) or not found.get(P.LISTENER_ID):
        return None
    return Listener(
        id=str(found[P.LISTENER_ID]),
        compute_id=str(props[P.COMPUTE_ID]),
        compute_config=ListenerComputeConfig(k8s_namespaces=list(found.get(P.NAMESPACES) or [])),
    )


def _outputs(props: dict[str, Any], listener: Listener) -> dict[str, Any]:
    outputs = {k: v for k, v in props.items() if k != P.DISCOVERED}
    return {
        **outputs,
        P.LISTENER_ID: listener.id,
        P.NAMESPACES: sorted(listener.k8s_namespaces),
    }


def discovered_listener(listener_id: str | None, namespaces: list[str]) -> dict[str, Any] | None:
    """The `discovered_listener` input: what discovery found (None: no listener yet)."""
    if listener_id is None:
        return None
    return {P.LISTENER_ID: listener_id, P.NAMESPACES: sorted(namespaces)}


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
        discovered: dict[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`discovered`: the listener discovery found for `compute_id`
        (`discovered_listener(...)`), adopted on create without asking again."""
        self._register(
            name,
            {
                **endpoint.props(),
                P.COMPUTE_ID: compute_id,
                P.NAMESPACES: namespaces,
                P.DISCOVERED: discovered,
                P.LISTENER_ID: None,
            },
            opts,
        )

    def _register(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        """Register as a dynamic resource (the component package registers its own type)."""
        super().__init__(ListenerRegistrationProvider(), name, props, opts)
