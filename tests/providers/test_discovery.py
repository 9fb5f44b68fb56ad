"""Discovery and the request budget of a first `up`: at most N+2 requests for N deployments,
when the workspace fits one page; names asked for by name in a big workspace."""

from __future__ import annotations

import httpx
import pytest

from components.config import ConfigError, parse_stack_config
from components.controlplane import ControlPlaneClient
from components.planning.discovery import discover
from components.planning.plan import endpoint_of
from components.providers.listener_registration import (
    ListenerRegistrationProvider,
    discovered_listener,
)
from components.providers.revision_sync import RevisionSyncProvider
from local_controlplane.seed import DEFAULT_API_KEY, DEV_LISTENER_ID
from local_controlplane.testing import AdminClient
from tests.providers.provider_support import configure_request, sync_props

SECRET = ["apiKey", "licenseKey"]


def stack_config(base_url: str, **extra: object):  # type: ignore[no-untyped-def]
    return parse_stack_config(
        {
            "controlPlane": {"url": base_url, "listenerComputeId": "dev-cluster"},
            "apiKey": DEFAULT_API_KEY,
            "licenseKey": "lic",
            **extra,
        },
        SECRET,
    )


def test_discovers_the_deployments_bound_to_this_listener(base_url: str) -> None:
    config = stack_config(base_url)
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        found = discover(client, config)
    assert found.listener_id == DEV_LISTENER_ID
    assert [d.name for d in found.deployments] == ["agent-alpha", "agent-beta"]
    alpha = found.deployments[0]
    assert alpha.namespace == "langgraph"
    assert alpha.resource_spec["max_scale"] == 2
    assert set(alpha.secrets) == {"OPENAI_API_KEY", "TAVILY_API_KEY"}
    assert "sk-local" not in repr(alpha)


def test_explicit_list_and_unknown_names(base_url: str) -> None:
    config = stack_config(
        base_url,
        controlPlane={"url": base_url, "listenerComputeId": "dev-cluster", "discover": False},
        deployments={"agent-beta": {}},
    )
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        assert [d.name for d in discover(client, config).deployments] == ["agent-beta"]
        bad = stack_config(base_url, deployments={"agent-typo": {}})
        with pytest.raises(ConfigError, match=r"dataplane:deployments.agent-typo: no deployment"):
            discover(client, bad)


def test_unwatched_namespaces_are_skipped_with_a_reason(base_url: str, admin: AdminClient) -> None:
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        client.patch_listener(DEV_LISTENER_ID, k8s_namespaces=["langgraph", "other"])
    admin.seed(1, name_prefix="elsewhere", listener_id=DEV_LISTENER_ID, k8s_namespace="other")
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        found = discover(client, stack_config(base_url))
    assert [d.name for d in found.deployments] == ["agent-alpha", "agent-beta"]
    assert len(found.skipped) == 1 and "namespace 'other' is not watched" in found.skipped[0]


def first_up_requests(base_url: str, admin: AdminClient, config) -> tuple[int, dict, int]:  # type: ignore[no-untyped-def]
    """What the first `up` of a new stack asks the control plane, step by step as the engine
    takes them: the program's discovery, each RevisionSync's check, then the creates
    (the listener registration's is the only one that may call). Returns the requests, by
    route, and the number of served deployments."""
    admin.reset_stats()
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        found = discover(client, config)
    after_discovery = admin.stats()["total"]
    endpoint = endpoint_of(config)
    sync = RevisionSyncProvider()
    sync.configure(configure_request())
    for d in found.deployments:
        result = sync.check({}, sync_props(endpoint, d))
        assert result.failures == [], result.failures
        assert "prefetched_revision" not in result.inputs  # used, never kept in state
        sync.create(result.inputs)
    assert admin.stats()["total"] == after_discovery, "a check asked again"
    registration = ListenerRegistrationProvider()
    registration.configure(configure_request())
    props = {
        **endpoint.props(),
        "compute_id": config.control_plane.listener_compute_id,
        "namespaces": list(config.namespaces.names),
        "discovered_listener": discovered_listener(found.listener_id, found.listener_namespaces),
        "listener_id": None,
    }
    created = registration.create(registration.check({}, props).inputs)
    assert created.id == found.listener_id
    stats = admin.stats()
    return stats["total"], stats["by_route"], len(found.deployments)


@pytest.mark.parametrize("extra", [0, 120])
def test_a_first_up_of_n_deployments_makes_at_most_n_plus_2_requests(
    base_url: str, admin: AdminClient, extra: int
) -> None:
    if extra:
        admin.seed(
            extra, name_prefix="bulk", listener_id=DEV_LISTENER_ID, k8s_namespace="langgraph"
        )
    total, by_route, n = first_up_requests(base_url, admin, stack_config(base_url))
    assert n == 2 + extra
    workspace = len(admin.state()["deployments"])
    # The API filters no list by listener: discovery reads every page of 100 deployments.
    pages = 1 + (workspace - 1) // 100
    assert by_route == {
        "GET /v2/listeners": 1,
        "GET /v2/deployments": pages,
        "GET /v2/deployments/{deployment_id}/revisions/{revision_id}": n,
    }
    assert total == n + 1 + pages
    if pages == 1:
        assert total <= n + 2


class Recording(httpx.HTTPTransport):
    """The client's transport, recording each request's query and the body's size."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str], int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.seen.append((request.url.path, dict(request.url.params), len(response.content)))
        return response


def seeded_names(admin: AdminClient, ids: list[str]) -> list[str]:
    by_id = {i: d["name"] for i, d in admin.state()["deployments"].items()}
    return sorted(by_id[i] for i in ids)


def test_a_workspace_of_1000_with_10_named_reads_no_10_pages(
    base_url: str, admin: AdminClient
) -> None:
    # The 10 first, so the 990 after them fill the first pages (the list is newest first).
    ids = admin.seed(10, name_prefix="served", listener_id=DEV_LISTENER_ID)
    admin.seed(990, name_prefix="other", listener_id=DEV_LISTENER_ID)
    named = seeded_names(admin, ids)
    config = stack_config(
        base_url,
        controlPlane={"url": base_url, "listenerComputeId": "dev-cluster", "discover": False},
        deployments={name: {} for name in named},
    )
    recording, full = Recording(), Recording()
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url, transport=recording) as client:
        found = discover(client, config)
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url, transport=full) as reader:
        assert len(reader.list_deployments()) == 1003  # what reading every page costs
    assert [d.name for d in found.deployments] == named
    assert all(d.target is not None for d in found.deployments)
    lists = _lists(recording)
    whole = [q for _, q, _ in lists if "name_contains" not in q]
    by_name = sorted(q["name_contains"] for _, q, _ in lists if "name_contains" in q)
    # The first page of the whole list, then each name: no second page.
    assert [q["offset"] for q in whole] == ["0"] and by_name == named
    read = sum(size for *_, size in lists)
    full_list = sum(size for *_, size in _lists(full))
    assert len(_lists(full)) == 11  # reading the whole list: 11 pages of 100
    assert read < full_list / 5, (read, full_list)


def _lists(recording: Recording) -> list[tuple[str, dict[str, str], int]]:
    return [seen for seen in recording.seen if seen[0] == "/v2/deployments"]


def test_names_beyond_the_first_page_are_asked_for_by_name(
    base_url: str, admin: AdminClient
) -> None:
    # Named first: the 300 seeded after them fill the first pages (the list is newest first).
    admin.seed(5, name_prefix="wanted", listener_id=DEV_LISTENER_ID, k8s_namespace="langgraph")
    admin.seed(300, name_prefix="later", listener_id=DEV_LISTENER_ID, k8s_namespace="langgraph")
    names = [f"wanted-{i:04d}" for i in range(3, 8)]
    config = stack_config(
        base_url,
        controlPlane={"url": base_url, "listenerComputeId": "dev-cluster", "discover": False},
        deployments={name: {} for name in names},
    )
    admin.reset_stats()
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        found = discover(client, config)
    assert [d.name for d in found.deployments] == names
    routes = admin.stats()["by_route"]
    # The first page and one request per name, instead of the 3 more pages of 100.
    assert routes["GET /v2/deployments"] == 1 + len(names), routes
