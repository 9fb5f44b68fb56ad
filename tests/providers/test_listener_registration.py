"""ListenerRegistration: create, adopt on 409, update, read and delete, over real HTTP."""

from __future__ import annotations

from components.controlplane import ControlPlaneClient
from components.providers.connection import Endpoint
from components.providers.listener_registration import (
    ListenerRegistrationProvider,
    discovered_listener,
)
from local_controlplane.seed import DEFAULT_API_KEY, DEV_LISTENER_ID
from local_controlplane.testing import AdminClient
from tests.providers.provider_support import configure_request


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


def discovered(props_: dict, listener_id: str, namespaces: list[str]) -> dict:
    return {**props_, "discovered_listener": discovered_listener(listener_id, namespaces)}


def test_create_adopts_the_discovered_listener_without_a_request(
    base_url: str, admin: AdminClient
) -> None:
    news = discovered(props(base_url, "dev-cluster", ["langgraph"]), DEV_LISTENER_ID, ["langgraph"])
    admin.reset_stats()
    created = provider().create(provider().check({}, news).inputs)
    assert created.id == DEV_LISTENER_ID == created.outs["listener_id"]
    assert admin.stats()["total"] == 0
    assert "discovered_listener" not in created.outs


def test_create_sets_the_discovered_listener_s_namespaces(
    base_url: str, admin: AdminClient
) -> None:
    news = discovered(
        props(base_url, "dev-cluster", ["langgraph", "extra"]), DEV_LISTENER_ID, ["langgraph"]
    )
    admin.reset_stats()
    created = provider().create(news)
    assert created.id == DEV_LISTENER_ID
    assert admin.stats()["by_route"] == {"PATCH /v2/listeners/{listener_id}": 1}
    assert sorted(listeners(base_url)["dev-cluster"]) == ["extra", "langgraph"]


def test_a_discovered_listener_deleted_since_is_registered_again(base_url: str) -> None:
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        gone = client.create_listener("short-lived", ["a"]).id
        client.delete_listener(gone)
    created = provider().create(discovered(props(base_url, "short-lived", ["b"]), gone, ["a"]))
    assert created.id != gone
    assert listeners(base_url)["short-lived"] == ["b"]


def test_the_discovered_listener_changes_nothing_on_its_own() -> None:
    p = ListenerRegistrationProvider()
    old = {**props("http://x", "c", ["a"]), "listener_id": "l1"}
    news = discovered(props("http://x", "c", ["a"]), "l1", ["a"])
    assert p.diff("l1", old, news).changes is False
