"""ListenerRegistration: create, adopt on 409, update, read and delete, over real HTTP."""

from __future__ import annotations

from provider_support import configure_request

from components.controlplane import ControlPlaneClient
from components.providers.connection import Endpoint
from components.providers.listener_registration import ListenerRegistrationProvider
from local_controlplane.seed import DEFAULT_API_KEY, DEV_LISTENER_ID


def provider() -> ListenerRegistrationProvider:
    p = ListenerRegistrationProvider()
    p.configure(configure_request())
    return p


def props(base_url: str, compute_id: str, namespaces: list[str]) -> dict:
    return {
        **Endpoint(base_url, None, 5.0).props(),
        "compute_id": compute_id,
        "namespaces": namespaces,
        "listener_id": None,
    }


def listeners(base_url: str) -> dict[str, list[str]]:
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        return {x.compute_id: x.k8s_namespaces for x in client.list_listeners()}


def test_check_sorts_and_validates() -> None:
    p = ListenerRegistrationProvider()
    result = p.check({}, {"compute_id": "", "namespaces": []})
    assert sorted(f.property for f in result.failures) == ["compute_id", "namespaces"]
    ok = p.check({}, {"compute_id": "c", "namespaces": ["b", "a"]})
    assert ok.failures == [] and ok.inputs["namespaces"] == ["a", "b"]


def test_lifecycle(base_url: str) -> None:
    p = provider()
    created = p.create(props(base_url, "new-cluster", ["a"]))
    assert created.outs["listener_id"] == created.id
    assert listeners(base_url)["new-cluster"] == ["a"]

    news = props(base_url, "new-cluster", ["a", "b"])
    diff = p.diff(created.id, created.outs, news)
    assert diff.changes is True and diff.replaces == []
    assert p.diff(created.id, created.outs, props(base_url, "other", ["a"])).replaces == [
        "compute_id"
    ]
    updated = p.update(created.id, created.outs, news)
    assert updated.outs["namespaces"] == ["a", "b"]
    assert listeners(base_url)["new-cluster"] == ["a", "b"]

    read = p.read(created.id, updated.outs)
    assert read.id == created.id and read.outs == read.inputs == updated.outs

    p.delete(created.id, updated.outs)
    p.delete(created.id, updated.outs)  # idempotent
    assert "new-cluster" not in listeners(base_url)
    assert not p.read(created.id, updated.outs).id


def test_create_adopts_an_existing_listener_instead_of_failing(base_url: str) -> None:
    # The seeded `dev-cluster` exists, as after a create whose answer was lost.
    created = provider().create(props(base_url, "dev-cluster", ["langgraph", "extra"]))
    assert created.id == DEV_LISTENER_ID
    assert sorted(listeners(base_url)["dev-cluster"]) == ["extra", "langgraph"]
    assert len([c for c in listeners(base_url) if c == "dev-cluster"]) == 1
