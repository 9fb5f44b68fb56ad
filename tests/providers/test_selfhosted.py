"""The providers against a self-hosted control plane: the local one served under `/api-host`.

A stack's `controlPlane.url` reaches the providers through the plan (`endpoint_of`), is
stored in their inputs and outputs, and rebuilds their client on every later run: the
prefix must survive each step. The server counts every request outside the prefix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from components.controlplane import AuthenticationError, ControlPlaneClient
from components.planning.discovery import discover
from components.planning.plan import endpoint_of
from components.providers import connection
from components.providers.connection import Endpoint, client_for
from components.providers.listener_registration import ListenerRegistrationProvider
from components.providers.revision_sync import RevisionSyncProvider
from local_controlplane import seed
from local_controlplane.testing import AdminClient, run_server
from tests.providers.provider_support import configure_request, sync_props
from tests.providers.test_discovery import first_up_requests, stack_config

FIX = "Fix: `pulumi config set --path dataplane:controlPlane.workspaceId <workspace id>`"


@pytest.fixture
def base_url() -> Iterator[str]:
    with run_server(path_prefix="/api-host") as url:
        yield url
    connection.forget_clients()


def registration(api_key: str = seed.DEFAULT_API_KEY) -> ListenerRegistrationProvider:
    p = ListenerRegistrationProvider()
    p.configure(configure_request(api_key))
    return p


def revision_sync(api_key: str = seed.DEFAULT_API_KEY) -> RevisionSyncProvider:
    p = RevisionSyncProvider()
    p.configure(configure_request(api_key))
    return p


def listener_props(endpoint: Endpoint, compute_id: str, namespaces: list[str]) -> dict[str, Any]:
    return {
        **endpoint.props(),
        "compute_id": compute_id,
        "namespaces": namespaces,
        "listener_id": None,
    }


def outside(admin: AdminClient) -> int:
    return int(admin.stats()["outside_prefix"])


def test_a_first_up_keeps_the_prefix_from_the_stack_file_to_the_providers(
    base_url: str, admin: AdminClient
) -> None:
    # Written with a trailing slash, as people paste it.
    config = stack_config(base_url + "/")
    endpoint = endpoint_of(config)
    assert endpoint.url == base_url and endpoint.props()["control_plane_url"] == base_url
    total, by_route, n = first_up_requests(base_url, admin, config)
    assert n == 2
    assert by_route == {
        "GET /v2/listeners": 1,
        "GET /v2/deployments": 1,
        "GET /v2/deployments/{deployment_id}/revisions/{revision_id}": n,
    }
    assert total == n + 2 and outside(admin) == 0


def test_revision_sync_check_and_read_under_the_prefix(base_url: str, admin: AdminClient) -> None:
    config = stack_config(base_url)
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        alpha = discover(client, config).deployments[0]
        props = sync_props(endpoint_of(config), alpha)
        props["prefetched_revision"] = None  # nothing resolved: check asks itself
        sync = revision_sync()
        checked = sync.check({}, props)
        assert checked.failures == []
        assert checked.inputs["revision_id"] == seed.ALPHA_REVISION_ID
        created = sync.create(checked.inputs)
        assert created.outs["control_plane_url"] == base_url

    # A refresh, in a later run: what state holds rebuilds the client, and asks again.
    connection.forget_clients()
    admin.reset_stats()
    read = revision_sync().read(created.id, created.outs)
    assert (read.id, read.outs["revision_id"]) == (seed.ALPHA_ID, seed.ALPHA_REVISION_ID)
    assert admin.stats()["total"] >= 1
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        client.delete_deployment(seed.ALPHA_ID)
        client.wait_until_deleted(seed.ALPHA_ID, poll_interval=0.05)
    assert revision_sync().read(created.id, created.outs).id is None  # gone, seen as gone
    assert outside(admin) == 0


def test_listener_registration_create_adopt_and_delete_under_the_prefix(
    base_url: str, admin: AdminClient
) -> None:
    endpoint = endpoint_of(stack_config(base_url + "//"))
    p = registration()
    admin.reset_stats()
    created = p.create(
        p.check({}, listener_props(endpoint, "selfhosted-cluster", ["b", "a"])).inputs
    )
    assert admin.stats()["by_route"] == {"POST /v2/listeners": 1}
    assert created.outs["control_plane_url"] == base_url
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        assert client.get_listener(created.id).k8s_namespaces == ["a", "b"]

    # A create whose answer was lost, run again: 409, then the same listener adopted.
    connection.forget_clients()
    again = registration().create(
        listener_props(Endpoint.from_props(created.outs), "selfhosted-cluster", ["a", "b", "c"])
    )
    assert again.id == created.id and again.outs["namespaces"] == ["a", "b", "c"]

    # The seeded listener, found by compute_id and adopted.
    adopted = p.create(listener_props(endpoint, "dev-cluster", ["langgraph"]))
    assert adopted.id == seed.DEV_LISTENER_ID

    assert p.read(created.id, again.outs).id == created.id
    p.delete(created.id, again.outs)
    assert p.read(created.id, again.outs).id is None
    assert outside(admin) == 0


def test_the_same_control_plane_spelt_otherwise_is_not_replaced(base_url: str) -> None:
    p = registration()
    created = p.create(listener_props(Endpoint(base_url, None, 5.0), "selfhosted-cluster", ["a"]))
    for spelling in (base_url + "/", base_url.replace("/api-host", "//api-host/")):
        news = listener_props(Endpoint(spelling, None, 5.0), "selfhosted-cluster", ["a"])
        diff = p.diff(created.id, created.outs, p.check({}, news).inputs)
        assert (diff.changes, diff.replaces) == (False, []), spelling
    elsewhere = listener_props(Endpoint(base_url + "-2", None, 5.0), "selfhosted-cluster", ["a"])
    assert p.diff(created.id, created.outs, elsewhere).replaces == ["control_plane_url"]
    rebuilt = client_for(Endpoint.from_props(created.outs))
    assert rebuilt.base_url == base_url


def test_an_org_key_without_a_workspace_gets_the_fix_in_each_provider(base_url: str) -> None:
    config = stack_config(base_url)
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        alpha = discover(client, config).deployments[0]
    props = {**sync_props(endpoint_of(config), alpha), "prefetched_revision": None}

    checked = revision_sync(seed.DEFAULT_ORG_API_KEY).check({}, props)
    (failure,) = checked.failures
    assert failure.reason.startswith("agent-alpha: the API key")
    assert "organisation-scoped" in failure.reason and FIX in failure.reason
    assert seed.DEFAULT_ORG_API_KEY not in failure.reason

    endpoint = endpoint_of(config)
    with pytest.raises(AuthenticationError) as info:
        registration(seed.DEFAULT_ORG_API_KEY).create(
            listener_props(endpoint, "selfhosted-cluster", ["langgraph"])
        )
    assert info.value.requires_workspace and FIX in str(info.value)

    # The fix: the workspace in the endpoint (`controlPlane.workspaceId`).
    connection.forget_clients()
    scoped = Endpoint(base_url, seed.DEFAULT_TENANT_ID, 5.0)
    props = {**props, **scoped.props()}
    assert revision_sync(seed.DEFAULT_ORG_API_KEY).check({}, props).failures == []
    created = registration(seed.DEFAULT_ORG_API_KEY).create(
        listener_props(scoped, "selfhosted-cluster", ["langgraph"])
    )
    assert created.outs["workspace_id"] == seed.DEFAULT_TENANT_ID
