"""The client against a self-hosted control plane: the local one served under `/api-host`.

Every call, retry and page keeps the prefix (the server counts any request outside it);
the base URL is written one way; an API path where the root belongs is refused; an
organisation-scoped key without a workspace gets the one fix to make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from components.controlplane import AuthenticationError, ControlPlaneClient, NotFoundError
from local_controlplane import seed
from local_controlplane.testing import AdminClient, LocalServer, fresh_admin

MakeClient = Callable[..., ControlPlaneClient]
IMAGE = "registry.example.com/agents/alpha:{}"


@pytest.fixture(scope="module")
def selfhosted() -> Iterator[LocalServer]:
    with LocalServer(path_prefix="/api-host") as server:
        yield server


@pytest.fixture
def base_url(selfhosted: LocalServer) -> str:
    return selfhosted.base_url


@pytest.fixture
def admin(selfhosted: LocalServer) -> Iterator[AdminClient]:
    with fresh_admin(selfhosted.base_url) as adm:
        yield adm


def all_inside_the_prefix(admin: AdminClient, client: ControlPlaneClient) -> None:
    stats = admin.stats()
    assert stats["outside_prefix"] == 0, stats
    assert stats["total"] == client.request_count


@pytest.mark.parametrize("spelling", ["{}", "{}/", "{}//", " {} "])
def test_the_base_url_is_written_one_way(
    make_client: MakeClient, base_url: str, spelling: str
) -> None:
    client = make_client(base_url=spelling.format(base_url))
    assert client.base_url == base_url
    assert len(client.list_deployments()) == 3


def test_every_call_and_page_keeps_the_prefix(
    make_client: MakeClient, base_url: str, admin: AdminClient
) -> None:
    client = make_client(base_url=base_url + "/")
    assert client.get_deployment(seed.ALPHA_ID).name == "agent-alpha"
    made = [
        client.create_revision(
            seed.ALPHA_ID, {"source_revision_config": {"image_uri": IMAGE.format(n)}}
        ).id
        for n in range(3)
    ]
    revisions = client.list_revisions(seed.ALPHA_ID, page_size=1)  # a page per revision
    assert [r.id for r in revisions][:3] == made[::-1] and len(revisions) == 4
    first = client.get_revision(seed.ALPHA_ID, made[0])
    assert first.source_revision_config.image_uri == IMAGE.format(0)
    patched = client.patch_deployment(
        seed.ALPHA_ID, {"source_revision_config": {"image_uri": IMAGE.format(9)}}
    )
    assert patched.latest_revision_id not in (None, *made)

    listener = client.create_listener("selfhosted-cluster", ["langgraph"])
    moved = client.patch_listener(listener.id, k8s_namespaces=["a", "b"])
    assert moved.k8s_namespaces == ["a", "b"]
    assert client.get_listener(listener.id).compute_id == "selfhosted-cluster"
    assert "selfhosted-cluster" in [x.compute_id for x in client.list_listeners(page_size=1)]
    client.delete_listener(listener.id)
    client.delete_listener(listener.id, missing_ok=True)

    routes = admin.stats()["by_route"]
    assert routes["GET /v2/deployments/{deployment_id}/revisions"] == 5  # 4 full pages, 1 empty
    assert routes["GET /v2/listeners"] == 4  # 3 listeners, a page each, and the empty one
    all_inside_the_prefix(admin, client)


def test_retries_keep_the_prefix(make_client: MakeClient, admin: AdminClient) -> None:
    client = make_client()
    admin.add_fault("status", status=503, times=2, methods=["GET"])
    assert len(client.list_listeners()) == 2
    admin.add_fault("status", status=429, retry_after="0", times=1, methods=["POST"])
    assert client.create_listener("after-429", ["langgraph"]).compute_id == "after-429"
    admin.add_fault("drop", times=1, methods=["GET"])
    assert client.get_deployment(seed.BETA_ID).name == "agent-beta"
    assert client.request_count == 3 + 2 + 2
    assert admin.stats()["faults_fired"] == 4
    all_inside_the_prefix(admin, client)


def test_a_prefix_written_twice_or_forgotten_points_at_the_url(
    make_client: MakeClient, base_url: str, admin: AdminClient
) -> None:
    twice = make_client(base_url=base_url + "/api-host")
    with pytest.raises(NotFoundError) as info:
        twice.list_deployments()
    assert "knows no such path" in str(info.value)
    assert "`dataplane:controlPlane.url`" in str(info.value) and "/api-host" in str(info.value)

    forgotten = make_client(base_url=base_url.removesuffix("/api-host"))
    with pytest.raises(NotFoundError) as info:
        forgotten.get_listener(seed.DEV_LISTENER_ID)
    assert "not the control plane's JSON" in str(info.value)
    assert "https://<host>/api-host" in str(info.value)
    assert admin.stats()["outside_prefix"] == 1


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api-host/v2", "`/v2`"),
        ("/api-host/v2/deployments", "`/v2`"),
        ("/v2", "`/v2`"),
        ("/api/v1", "LangSmith API"),
        ("/api/", "LangSmith API"),
    ],
)
def test_an_api_path_is_not_a_root(path: str, words: str) -> None:
    with pytest.raises(ValueError, match="give the API's root") as info:
        ControlPlaneClient("lsv2_pt_x", base_url="https://langsmith.example.com" + path)
    assert words in str(info.value)


def test_an_org_key_without_a_workspace_gets_the_fix(
    make_client: MakeClient, admin: AdminClient
) -> None:
    client = make_client(seed.DEFAULT_ORG_API_KEY)
    with pytest.raises(AuthenticationError) as info:
        client.list_listeners()
    err = info.value
    assert (err.status_code, err.requires_workspace, err.tenant_id) == (403, True, None)
    message = str(err)
    assert "/api-host/v2/listeners" in message  # where it was asked
    assert "requires workspace specification" in message  # the server's words
    assert "organisation-scoped" in message
    assert (
        "Fix: `pulumi config set --path dataplane:controlPlane.workspaceId <workspace id>`"
        in message
    )
    assert "Settings > Workspaces" in message
    assert "refused the API key" not in message  # the key is fine: it needs a workspace
    assert seed.DEFAULT_ORG_API_KEY not in message

    scoped = make_client(seed.DEFAULT_ORG_API_KEY, tenant_id=seed.DEFAULT_TENANT_ID)
    assert {x.id for x in scoped.list_listeners()} >= {seed.DEV_LISTENER_ID}
