"""The local control plane under a path prefix, like a self-hosted LangSmith's `/api-host`:
the API, its auth and the admin API under the prefix; anything else a proxy's plain 404."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from local_controlplane import create_app, seed
from local_controlplane.testing import AdminClient, LocalServer, fresh_admin

HEADERS = {"X-Api-Key": seed.DEFAULT_API_KEY}


@pytest.fixture(scope="module")
def prefixed() -> Iterator[LocalServer]:
    with LocalServer(path_prefix="/api-host") as server:
        yield server


@pytest.fixture
def admin(prefixed: LocalServer) -> Iterator[AdminClient]:
    with fresh_admin(prefixed.base_url) as adm:
        yield adm


def test_the_default_is_no_prefix(server: LocalServer) -> None:
    assert create_app().path_prefix == ""
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    assert httpx.get(f"{server.base_url}/v2/deployments", headers=HEADERS).status_code == 200


@pytest.mark.parametrize(
    ("given", "served"),
    [("/api-host", "/api-host"), ("api-host/", "/api-host"), ("/a/b/", "/a/b"), ("/", "")],
)
def test_the_prefix_is_written_one_way(given: str, served: str) -> None:
    assert create_app(path_prefix=given).path_prefix == served


def test_the_api_lives_under_the_prefix(prefixed: LocalServer, admin: AdminClient) -> None:
    url = prefixed.base_url
    assert url == f"http://127.0.0.1:{prefixed.port}/api-host"
    admin.reset_stats()
    listed = httpx.get(f"{url}/v2/deployments", headers=HEADERS)
    assert listed.status_code == 200 and len(listed.json()["resources"]) == 3
    one = httpx.get(f"{url}/v2/deployments/{seed.ALPHA_ID}", headers=HEADERS)
    assert one.json()["name"] == "agent-alpha"
    created = httpx.post(
        f"{url}/v2/listeners",
        headers=HEADERS,
        json={"compute_type": "k8s", "compute_id": "selfhosted", "compute_config": {}},
    )
    assert created.status_code == 201
    assert admin.stats()["by_route"] == {
        "GET /v2/deployments": 1,
        "GET /v2/deployments/{deployment_id}": 1,
        "POST /v2/listeners": 1,
    }


def test_paths_outside_the_prefix_get_a_proxys_404(
    prefixed: LocalServer, admin: AdminClient
) -> None:
    root = f"http://127.0.0.1:{prefixed.port}"
    admin.reset_stats()
    for path in ("/v2/deployments", "/api-hostile/v2/deployments", "/", "/_admin/health"):
        answer = httpx.get(root + path, headers=HEADERS)
        assert (answer.status_code, answer.text) == (404, "404 page not found"), path
        assert answer.headers["content-type"] == "text/plain"
    stats = admin.stats()
    assert stats["outside_prefix"] == 4 and stats["total"] == 0


def test_the_prefix_counts_once(prefixed: LocalServer) -> None:
    twice = httpx.get(f"{prefixed.base_url}/api-host/v2/deployments", headers=HEADERS)
    assert (twice.status_code, twice.json()) == (404, {"detail": "Not Found"})


def test_auth_under_the_prefix(prefixed: LocalServer, admin: AdminClient) -> None:
    def get(headers: dict[str, str]) -> httpx.Response:
        return httpx.get(f"{prefixed.base_url}/v2/listeners", headers=headers)

    assert get({"X-Api-Key": "nope"}).status_code == 401
    org = get({"X-Api-Key": seed.DEFAULT_ORG_API_KEY})
    assert org.status_code == 403
    assert "requires workspace specification" in org.json()["detail"]
    scoped = get({"X-Api-Key": seed.DEFAULT_ORG_API_KEY, "X-Tenant-Id": seed.DEFAULT_TENANT_ID})
    assert scoped.status_code == 200 and len(scoped.json()["resources"]) == 2


def test_faults_match_the_api_paths_under_the_prefix(
    prefixed: LocalServer, admin: AdminClient
) -> None:
    admin.add_fault("status", status=503, path_prefix="/v2/listeners", times=1)
    url = f"{prefixed.base_url}/v2/listeners"
    assert httpx.get(url, headers=HEADERS).status_code == 503
    assert httpx.get(url, headers=HEADERS).status_code == 200
    assert admin.stats()["faults_fired"] == 1


def test_the_api_docs_ask_for_the_prefixed_schema(prefixed: LocalServer) -> None:
    page = httpx.get(f"{prefixed.base_url}/docs").text
    assert "'/api-host/openapi.json'" in page
    schema = httpx.get(f"{prefixed.base_url}/openapi.json").json()
    assert "/v2/deployments" in schema["paths"]
