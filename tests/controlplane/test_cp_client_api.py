"""The client against the local control plane: seeds, CRUD, pagination, connection reuse."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from components.controlplane import (
    ControlPlaneClient,
    DeploymentCreateRequest,
    DeploymentPatchRequest,
    ResourceSpec,
    RevisionCreateRequest,
    RevisionStatus,
    Secret,
    SourceConfig,
    SourceRevisionConfig,
)
from components.controlplane.models import ListenerConfig
from local_controlplane import seed
from local_controlplane.testing import AdminClient, run_server

MakeClient = Callable[..., ControlPlaneClient]


def _create_body(name: str, image: str = "docker.io/acme/agent:1.0.0") -> DeploymentCreateRequest:
    return DeploymentCreateRequest(
        name=name,
        source_config=SourceConfig(
            listener_id=seed.DEV_LISTENER_ID,
            listener_config=ListenerConfig(k8s_namespace=seed.DEV_NAMESPACE),
            resource_spec=ResourceSpec(min_scale=1, max_scale=2, cpu=1, memory_mb=2048),
        ),
        source_revision_config=SourceRevisionConfig(image_uri=image),
        secrets=[Secret(name="OPENAI_API_KEY", value="sk-test-not-real")],
    )


def test_seeds_are_listed_with_stable_ids(client: ControlPlaneClient) -> None:
    deployments = {d.name: d for d in client.list_deployments()}
    assert set(deployments) == {"agent-alpha", "agent-beta", "agent-gamma"}
    alpha = deployments["agent-alpha"]
    assert alpha.id == seed.ALPHA_ID
    assert alpha.listener_id == seed.DEV_LISTENER_ID
    assert alpha.k8s_namespace == "langgraph"
    assert alpha.active_revision_id == alpha.latest_revision_id == seed.ALPHA_REVISION_ID
    assert alpha.status == "READY"
    assert alpha.image_uri is not None and alpha.image_uri.startswith("docker.io/langchain/")
    assert {s.name for s in alpha.secrets} == {"OPENAI_API_KEY", "TAVILY_API_KEY"}
    spec = alpha.resource_spec
    assert spec is not None and (spec.min_scale, spec.max_scale, spec.cpu, spec.memory_mb) == (
        1,
        2,
        1,
        2048,
    )
    listeners = {lst.compute_id: lst for lst in client.list_listeners()}
    assert listeners["dev-cluster"].id == seed.DEV_LISTENER_ID
    assert listeners["dev-cluster"].k8s_namespaces == ["langgraph"]
    # Filtering by listener happens client-side: gamma is bound to another listener.
    on_dev = [d.name for d in deployments.values() if d.listener_id == seed.DEV_LISTENER_ID]
    assert sorted(on_dev) == ["agent-alpha", "agent-beta"]
    revision = client.get_revision(alpha.id, seed.ALPHA_REVISION_ID)
    assert revision.is_deployed and revision.is_final and not revision.is_failed


def test_list_filters_are_sent(client: ControlPlaneClient) -> None:
    assert [d.name for d in client.list_deployments(name_contains="BETA")] == ["agent-beta"]
    both = client.list_deployments(deployment_ids=[seed.ALPHA_ID, seed.GAMMA_ID])
    assert {d.name for d in both} == {"agent-alpha", "agent-gamma"}
    assert [d.name for d in client.list_deployments(deployment_type="prod")] == ["agent-alpha"]
    assert {d.name for d in client.list_deployments(image_version="0.4.20")} == {
        "agent-alpha",
        "agent-gamma",
    }
    assert len(client.list_deployments(status="READY")) == 3
    assert client.list_deployments(status=["AWAITING_DELETE"]) == []
    assert len(client.list_deployments(remote_reconciled=True)) == 3
    assert client.list_deployments(remote_reconciled=False) == []


def test_pagination_follows_offsets_past_100(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    created = admin.seed(205)
    admin.reset_stats()
    deployments = client.list_deployments()
    assert len(deployments) == 208
    assert len({d.id for d in deployments}) == 208
    assert set(created) <= {d.id for d in deployments}
    # 100 + 100 + 8: the short last page ends the walk, no extra empty request.
    assert client.request_count == 3
    stats = admin.stats()
    assert stats["by_route"] == {"GET /v2/deployments": 3}
    offsets = sorted(p for p in stats["by_path"])
    assert offsets == ["GET /v2/deployments"]


def test_pagination_with_small_pages_and_exact_multiple(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.seed(97)  # 3 seeds + 97 = exactly 100
    assert len(client.list_deployments()) == 100
    assert client.request_count == 2  # a full page, then an empty one
    client.reset_request_count()
    assert len(client.list_deployments(page_size=30)) == 100
    assert client.request_count == 4  # 30, 30, 30, 10


def test_iter_deployments_is_lazy(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.seed(150)
    first = []
    for deployment in client.iter_deployments(page_size=10):
        first.append(deployment)
        if len(first) == 10:
            break
    assert client.request_count == 1


def test_deployment_lifecycle(client: ControlPlaneClient) -> None:
    created = client.create_deployment(_create_body("agent-delta"))
    assert created.name == "agent-delta"
    assert created.latest_revision_id is not None
    assert created.active_revision_id == created.latest_revision_id
    first_revision = created.latest_revision_id

    patched = client.patch_deployment(
        created.id,
        DeploymentPatchRequest(
            source_revision_config=SourceRevisionConfig(image_uri="docker.io/acme/agent:1.1.0")
        ),
    )
    assert patched.latest_revision_id != first_revision
    assert patched.image_uri == "docker.io/acme/agent:1.1.0"

    revisions = client.list_revisions(created.id)
    assert [r.id for r in revisions] == [patched.latest_revision_id, first_revision]
    assert all(r.status == RevisionStatus.DEPLOYED for r in revisions)

    revision = client.create_revision(
        created.id,
        RevisionCreateRequest(
            source_revision_config=SourceRevisionConfig(image_uri="docker.io/acme/agent:1.2.0")
        ),
    )
    assert revision.source_revision_config.image_uri == "docker.io/acme/agent:1.2.0"
    assert client.get_deployment(created.id).active_revision_id == revision.id

    rolled = client.redeploy_revision(created.id, first_revision)
    assert rolled.image_uri == "docker.io/acme/agent:1.0.0"
    assert len(client.list_revisions(created.id)) == 4
    assert len(client.list_revisions(created.id, status="DEPLOYED")) == 4

    client.delete_deployment(created.id)
    client.wait_until_deleted(created.id, timeout=5, poll_interval=0.05)
    client.delete_deployment(created.id, missing_ok=True)


def test_patch_with_plain_dict_body(client: ControlPlaneClient) -> None:
    patched = client.patch_deployment(
        seed.BETA_ID,
        {"source_config": {"resource_spec": {"min_scale": 2, "max_scale": 4}}},
    )
    # PATCH resource_spec replaces the whole object.
    assert patched.resource_spec == ResourceSpec(min_scale=2, max_scale=4)
    assert patched.latest_revision_id != seed.BETA_REVISION_ID


def test_listener_lifecycle(client: ControlPlaneClient) -> None:
    listener = client.create_listener("prod-cluster", ["agents", "tools"], version="0.16.2")
    assert listener.compute_id == "prod-cluster"
    assert listener.k8s_namespaces == ["agents", "tools"]
    assert client.get_listener(listener.id).version == "0.16.2"
    changed = client.patch_listener(listener.id, k8s_namespaces=["agents"])
    assert changed.k8s_namespaces == ["agents"]
    assert changed.version == "0.16.2"
    assert listener.id in {lst.id for lst in client.list_listeners()}
    client.delete_listener(listener.id)
    client.delete_listener(listener.id, missing_ok=True)
    assert listener.id not in {lst.id for lst in client.list_listeners(page_size=1)}


def test_wait_for_revision_polls_until_final(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.set_behaviour(status_delay=0.1)
    created = client.create_deployment(_create_body("agent-slow"))
    assert created.active_revision_id is None
    assert created.latest_revision_id is not None
    final = client.wait_for_revision(
        created.id, created.latest_revision_id, timeout=10, poll_interval=0.05
    )
    assert final.is_deployed
    assert client.get_deployment(created.id).active_revision_id == final.id


def test_connections_are_reused(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.reset_stats()
    client.list_deployments()
    client.get_deployment(seed.ALPHA_ID)
    client.list_listeners()
    client.list_revisions(seed.BETA_ID)
    client.get_listener(seed.DEV_LISTENER_ID)
    stats = admin.stats()
    assert stats["total"] == 5 == client.request_count
    assert stats["connections"] == 1  # one TCP connection (one client address) for all


def test_client_is_shared_between_threads(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.reset_stats()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                assert client.get_deployment(seed.ALPHA_ID).name == "agent-alpha"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert client.request_count == 80
    assert admin.stats()["total"] == 80
    assert admin.stats()["connections"] <= 10  # pooled, not one connection per request


def test_base_url_path_prefix_is_kept(make_client: MakeClient) -> None:
    with run_server(path_prefix="/api-host") as url:
        assert url.endswith("/api-host")
        client = make_client(base_url=url + "/")
        assert client.base_url == url
        assert {d.name for d in client.list_deployments()} >= {"agent-alpha"}
        assert client.get_deployment(seed.ALPHA_ID).name == "agent-alpha"


def test_tenant_header_is_sent_for_org_keys(make_client: MakeClient) -> None:
    client = make_client(seed.DEFAULT_ORG_API_KEY, tenant_id=seed.DEFAULT_TENANT_ID)
    assert len(client.list_deployments()) == 3
    other = make_client(seed.DEFAULT_ORG_API_KEY, tenant_id=seed.SECOND_TENANT_ID)
    assert other.list_deployments() == []  # workspaces are isolated


@pytest.mark.parametrize(
    ("region", "url"),
    [
        (None, "https://api.host.langchain.com"),
        ("us", "https://api.host.langchain.com"),
        ("EU", "https://eu.api.host.langchain.com"),
        ("apac", "https://apac.api.host.langchain.com"),
        ("aws-us", "https://aws.api.host.langchain.com"),
    ],
)
def test_regions(region: str | None, url: str) -> None:
    assert ControlPlaneClient("lsv2_pt_x", region=region).base_url == url


def test_region_and_base_url_validation() -> None:
    with pytest.raises(ValueError, match="unknown control-plane region"):
        ControlPlaneClient("lsv2_pt_x", region="mars")
    with pytest.raises(ValueError, match="absolute http"):
        ControlPlaneClient("lsv2_pt_x", base_url="api.host.langchain.com")
    with pytest.raises(ValueError, match="apiKey"):
        ControlPlaneClient("  ")
    explicit = ControlPlaneClient(
        "lsv2_pt_x", region="eu", base_url="https://ls.example.com/api-host"
    )
    assert explicit.base_url == "https://ls.example.com/api-host"


def test_repr_hides_the_api_key() -> None:
    key = "lsv2_pt_0123456789abcdef_secretpart"
    client = ControlPlaneClient(key, tenant_id="ws-1")
    assert key not in repr(client) and "secretpart" not in repr(client)
    assert "ws-1" in repr(client)


def test_client_context_manager_and_reopen(base_url: str, admin: AdminClient) -> None:
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        assert client.list_listeners()
    # A closed client reconnects lazily.
    assert client.get_listener(seed.DEV_LISTENER_ID).compute_id == "dev-cluster"
    client.close()
