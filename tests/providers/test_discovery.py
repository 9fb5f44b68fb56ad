"""Discovery and the request budget of a sync: at most N+2 requests for N deployments."""

from __future__ import annotations

import pytest
from provider_support import configure_request

from components.config import ConfigError, parse_stack_config
from components.controlplane import ControlPlaneClient
from components.discovery import discover
from components.plan import endpoint_of
from components.providers import connection
from components.providers.revision_sync import RevisionSyncProvider
from local_controlplane.seed import DEFAULT_API_KEY, DEV_LISTENER_ID
from local_controlplane.testing import AdminClient

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


@pytest.mark.parametrize("extra", [0, 120])
def test_a_sync_of_n_deployments_makes_at_most_n_plus_2_requests(
    base_url: str, admin: AdminClient, extra: int
) -> None:
    if extra:
        admin.seed(
            extra, name_prefix="bulk", listener_id=DEV_LISTENER_ID, k8s_namespace="langgraph"
        )
    config = stack_config(base_url)
    admin.reset_stats()
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        found = discover(client, config)
    n = len(found.deployments)
    assert n == 2 + extra
    provider = RevisionSyncProvider()
    provider.configure(configure_request())
    endpoint = endpoint_of(config)
    for d in found.deployments:
        result = provider.check(
            {},
            {
                **endpoint.props(),
                "deployment_id": d.id,
                "deployment_name": d.name,
                "namespace": d.namespace,
                "active_revision_id": d.active_revision_id,
                "latest_revision_id": d.latest_revision_id,
                "pinned_revision_id": None,
                "resource_spec": d.resource_spec,
                "secrets": d.secrets,
            },
        )
        assert result.failures == [], result.failures
    stats = admin.stats()
    pages = 1 + (n - 1) // 100  # the deployment list is paginated, 100 per page
    assert stats["total"] <= n + 1 + pages, stats["by_route"]
    if pages == 1:
        assert stats["total"] <= n + 2
    # The provider reused its connections: one client, not one per deployment.
    assert len(connection._clients) == 1
    assert stats["connections"] <= 3, stats
