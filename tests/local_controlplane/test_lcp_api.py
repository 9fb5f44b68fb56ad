"""The local control plane's API, spoken to with plain httpx over loopback."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from local_controlplane import seed
from local_controlplane.testing import AdminClient


def _create(api: httpx.Client, name: str, **overrides: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "name": name,
        "source": "external_docker",
        "source_config": {
            "listener_id": seed.DEV_LISTENER_ID,
            "listener_config": {"k8s_namespace": seed.DEV_NAMESPACE},
            "resource_spec": {"min_scale": 1, "max_scale": 2, "cpu": 1, "memory_mb": 2048},
        },
        "source_revision_config": {"image_uri": "docker.io/acme/agent:1.0.0"},
        "secrets": [{"name": "OPENAI_API_KEY", "value": "sk-fake"}],
    }
    body.update(overrides)
    return api.post("/v2/deployments", json=body)


# -- seeds ---------------------------------------------------------------------------------


def test_seeds(api: httpx.Client) -> None:
    page = api.get("/v2/deployments").json()
    assert page["offset"] == 3
    by_name = {d["name"]: d for d in page["resources"]}
    assert set(by_name) == {"agent-alpha", "agent-beta", "agent-gamma"}
    for name, dep_id, rev_id, listener in [
        ("agent-alpha", seed.ALPHA_ID, seed.ALPHA_REVISION_ID, seed.DEV_LISTENER_ID),
        ("agent-beta", seed.BETA_ID, seed.BETA_REVISION_ID, seed.DEV_LISTENER_ID),
        ("agent-gamma", seed.GAMMA_ID, seed.GAMMA_REVISION_ID, seed.STAGING_LISTENER_ID),
    ]:
        dep = by_name[name]
        assert dep["id"] == dep_id == seed.stable_id("deployment", name)
        assert dep["source"] == "external_docker"
        assert dep["source_config"]["listener_id"] == listener
        assert dep["latest_revision_id"] == dep["active_revision_id"] == rev_id
        assert dep["status"] == "READY"
        assert dep["tenant_id"] == seed.DEFAULT_TENANT_ID
        assert dep["source_revision_config"]["image_uri"].startswith(
            "docker.io/langchain/langgraph-api:0.4."
        )
        revs = api.get(f"/v2/deployments/{dep_id}/revisions").json()["resources"]
        assert [(r["id"], r["status"]) for r in revs] == [(rev_id, "DEPLOYED")]
    alpha = by_name["agent-alpha"]
    assert alpha["source_config"]["listener_config"] == {"k8s_namespace": "langgraph"}
    assert alpha["source_config"]["resource_spec"]["memory_mb"] == 2048
    assert {s["name"] for s in alpha["secrets"]} == {"OPENAI_API_KEY", "TAVILY_API_KEY"}
    assert alpha["image_version"] == "0.4.20"

    listeners = api.get("/v2/listeners").json()["resources"]
    by_compute = {lst["compute_id"]: lst for lst in listeners}
    assert by_compute["dev-cluster"]["id"] == seed.DEV_LISTENER_ID
    assert by_compute["dev-cluster"]["compute_config"] == {"k8s_namespaces": ["langgraph"]}
    assert by_compute["dev-cluster"]["compute_type"] == "k8s"
    assert by_compute["staging-cluster"]["id"] == seed.STAGING_LISTENER_ID


# -- auth ----------------------------------------------------------------------------------


def test_auth(base_url: str, admin: AdminClient) -> None:
    def get(headers: dict[str, str]) -> httpx.Response:
        return httpx.get(f"{base_url}/v2/deployments", headers=headers)

    assert get({}).status_code == 401
    assert get({"X-Api-Key": "nope"}).status_code == 401
    assert "detail" in get({"X-Api-Key": "nope"}).json()

    org = get({"X-Api-Key": seed.DEFAULT_ORG_API_KEY})
    assert org.status_code == 403
    assert "requires workspace specification" in org.json()["detail"]

    ok = get({"X-Api-Key": seed.DEFAULT_ORG_API_KEY, "X-Tenant-Id": seed.DEFAULT_TENANT_ID})
    assert ok.status_code == 200 and len(ok.json()["resources"]) == 3
    second = get({"X-Api-Key": seed.DEFAULT_ORG_API_KEY, "X-Tenant-Id": seed.SECOND_TENANT_ID})
    assert second.status_code == 200 and second.json()["resources"] == []
    stranger = get({"X-Api-Key": seed.DEFAULT_ORG_API_KEY, "X-Tenant-Id": "other-org-ws"})
    assert stranger.status_code == 403

    ws_key = {"X-Api-Key": seed.DEFAULT_API_KEY}
    assert get(ws_key).status_code == 200
    assert get({**ws_key, "X-Tenant-Id": seed.DEFAULT_TENANT_ID}).status_code == 200
    assert get({**ws_key, "X-Tenant-Id": seed.SECOND_TENANT_ID}).status_code == 403

    # Keys can be replaced at runtime.
    admin.set_api_keys([{"key": "lsv2_other_local_key"}])
    assert get(ws_key).status_code == 401
    assert get({"X-Api-Key": "lsv2_other_local_key"}).status_code == 200
    admin.reset()  # back to the keys the server started with
    assert get(ws_key).status_code == 200


def test_tenants_are_isolated(base_url: str, admin: AdminClient) -> None:
    second = httpx.Client(
        base_url=base_url,
        headers={"X-Api-Key": seed.DEFAULT_ORG_API_KEY, "X-Tenant-Id": seed.SECOND_TENANT_ID},
    )
    with second:
        assert second.get(f"/v2/deployments/{seed.ALPHA_ID}").status_code == 404
        assert second.get(f"/v2/listeners/{seed.DEV_LISTENER_ID}").status_code == 404
        # The same compute_id is free in another workspace.
        created = second.post(
            "/v2/listeners",
            json={"compute_type": "k8s", "compute_id": "dev-cluster", "compute_config": {}},
        )
        assert created.status_code == 201


# -- pagination and filters ----------------------------------------------------------------


def test_pagination(api: httpx.Client, admin: AdminClient) -> None:
    admin.seed(120)
    first = api.get("/v2/deployments").json()
    assert len(first["resources"]) == 20 and first["offset"] == 20  # default limit 20
    seen: list[str] = []
    offset = 0
    while True:
        page = api.get("/v2/deployments", params={"limit": 100, "offset": offset}).json()
        seen += [d["id"] for d in page["resources"]]
        if len(page["resources"]) < 100:
            break
        offset = page["offset"]
    assert len(seen) == len(set(seen)) == 123
    names = [d["name"] for d in api.get("/v2/deployments", params={"limit": 3}).json()["resources"]]
    assert names == ["bulk-0122", "bulk-0121", "bulk-0120"]  # newest first

    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}):
        response = api.get("/v2/deployments", params=bad)
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail[0]["loc"][0] == "query"
    assert api.get("/v2/listeners", params={"limit": 1}).json()["offset"] == 1


def test_filters(api: httpx.Client) -> None:
    def names(**params: Any) -> set[str]:
        page = api.get("/v2/deployments", params=params).json()
        return {d["name"] for d in page["resources"]}

    assert names(name_contains="ALP") == {"agent-alpha"}
    assert names(status="READY") == {"agent-alpha", "agent-beta", "agent-gamma"}
    assert names(status="AWAITING_DELETE,UNUSED") == set()
    assert names(deployment_ids=f"{seed.BETA_ID},{seed.GAMMA_ID}") == {"agent-beta", "agent-gamma"}
    assert names(deployment_type="prod") == {"agent-alpha"}
    assert names(deployment_type="dev_free") == set()
    # Only the known tiers (the published enum and the scale-to-zero ones) filter;
    # anything else is a 422.
    assert names(deployment_type="dev_zero") == set()
    for bad in ("dev_turbo", "PROD", ""):
        response = api.get("/v2/deployments", params={"deployment_type": bad})
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["query", "deployment_type"]
    assert names(image_version="0.4.18") == {"agent-beta"}
    assert names(remote_reconciled="true") == {"agent-alpha", "agent-beta", "agent-gamma"}
    assert names(remote_reconciled="false") == set()
    assert names(tag_value_ids="tag-1") == set()

    revs = api.get(f"/v2/deployments/{seed.ALPHA_ID}/revisions", params={"status": "DEPLOYED"})
    assert len(revs.json()["resources"]) == 1
    revs = api.get(f"/v2/deployments/{seed.ALPHA_ID}/revisions", params={"status": "BUILDING"})
    assert revs.json()["resources"] == []


# -- deployments and revisions ---------------------------------------------------------------


def test_create_and_read(api: httpx.Client) -> None:
    response = _create(api, "agent-delta")
    assert response.status_code == 201
    dep = response.json()
    assert dep["status"] == "READY"
    assert dep["latest_revision_id"] == dep["active_revision_id"]
    assert dep["source_revision_config"]["image_uri"] == "docker.io/acme/agent:1.0.0"
    assert dep["source_config"]["deployment_type"] == "prod"  # the service's default
    assert api.get(f"/v2/deployments/{dep['id']}").json() == dep
    rev = api.get(f"/v2/deployments/{dep['id']}/revisions/{dep['latest_revision_id']}").json()
    assert rev["status"] == "DEPLOYED" and rev["source"] == "external_docker"
    assert set(rev) == {
        "id",
        "status",
        "source",
        "source_revision_config",
        "created_at",
        "updated_at",
    }


def test_create_errors(api: httpx.Client) -> None:
    assert _create(api, "agent-alpha").status_code == 400  # name taken
    # Worded as the hosted API words it: the official CLI keys on "listener_id' is required".
    no_listener = _create(api, "x", source_config={"listener_config": {"k8s_namespace": "a"}})
    assert no_listener.status_code == 400
    assert no_listener.json()["detail"] == (
        "Source configuration error: 'source_config.listener_id' is required for workspace "
        f"with available listener IDs: ['{seed.DEV_LISTENER_ID}', '{seed.STAGING_LISTENER_ID}']"
    )
    missing = _create(api, "x", source_config={"listener_id": "00000000-0000-0000-0000-0"})
    assert missing.status_code == 400 and "Listener ID" in missing.json()["detail"]
    wrong_ns = _create(
        api,
        "x",
        source_config={
            "listener_id": seed.DEV_LISTENER_ID,
            "listener_config": {"k8s_namespace": "kube-system"},
        },
    )
    assert wrong_ns.status_code == 400 and "not watched" in wrong_ns.json()["detail"]
    reserved = _create(api, "x", secrets=[{"name": "DATABASE_URI", "value": "x"}])
    assert reserved.status_code == 400 and "reserved" in reserved.json()["detail"]
    github = _create(api, "x", source="github")
    assert github.status_code == 400
    no_image = _create(api, "x", source_revision_config={})
    assert no_image.status_code == 400
    invalid = api.post("/v2/deployments", json={"name": "x"})
    assert invalid.status_code == 422
    locs = {tuple(e["loc"]) for e in invalid.json()["detail"]}
    assert {("body", "source"), ("body", "secrets")} <= locs


def test_revision_progression_on_a_schedule(api: httpx.Client, admin: AdminClient) -> None:
    admin.set_behaviour(status_delay=0.25)
    dep = _create(api, "agent-slow").json()
    first = dep["latest_revision_id"]
    assert dep["active_revision_id"] is None
    assert dep["status"] == "AWAITING_DATABASE"
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        # Deployment first: if the revision is not DEPLOYED afterwards, it was not before.
        current = api.get(f"/v2/deployments/{dep['id']}").json()
        rev = api.get(f"/v2/deployments/{dep['id']}/revisions/{first}").json()
        if not seen or seen[-1] != rev["status"]:
            seen.append(rev["status"])
        if rev["status"] != "DEPLOYED":
            assert current["active_revision_id"] is None
        else:
            current = api.get(f"/v2/deployments/{dep['id']}").json()
            assert current["active_revision_id"] == first
            assert current["status"] == "READY"
            break
        time.sleep(0.02)
    assert seen == ["CREATING", "AWAITING_DEPLOY", "DEPLOYING", "DEPLOYED"]

    # A new revision: latest moves at once, active only when it is DEPLOYED.
    patched = api.patch(
        f"/v2/deployments/{dep['id']}",
        json={"source_revision_config": {"image_uri": "docker.io/acme/agent:2.0.0"}},
    ).json()
    second = patched["latest_revision_id"]
    assert second != first
    assert patched["active_revision_id"] == first
    assert patched["source_revision_config"]["image_uri"] == "docker.io/acme/agent:2.0.0"
    # A third one supersedes the second while it is still on its way.
    third = api.post(
        f"/v2/deployments/{dep['id']}/revisions",
        json={"source_revision_config": {"image_uri": "docker.io/acme/agent:3.0.0"}},
    )
    assert third.status_code == 201
    assert api.get(f"/v2/deployments/{dep['id']}/revisions/{second}").json()["status"] == "SKIPPED"
    time.sleep(0.9)
    current = api.get(f"/v2/deployments/{dep['id']}").json()
    assert current["active_revision_id"] == current["latest_revision_id"] == third.json()["id"]


def test_failed_outcome_and_forced_status(api: httpx.Client, admin: AdminClient) -> None:
    admin.set_behaviour(revision_outcome="DEPLOY_FAILED")
    patched = api.patch(
        f"/v2/deployments/{seed.ALPHA_ID}",
        json={"source_revision_config": {"image_uri": "docker.io/acme/broken:1"}},
    ).json()
    assert patched["active_revision_id"] == seed.ALPHA_REVISION_ID
    rev = api.get(
        f"/v2/deployments/{seed.ALPHA_ID}/revisions/{patched['latest_revision_id']}"
    ).json()
    assert rev["status"] == "DEPLOY_FAILED"

    forced = admin.set_revision_status(seed.BETA_ID, seed.BETA_REVISION_ID, "BUILD_FAILED")
    assert forced["status"] == "BUILD_FAILED"
    got = api.get(f"/v2/deployments/{seed.BETA_ID}/revisions/{seed.BETA_REVISION_ID}").json()
    assert got["status"] == "BUILD_FAILED"


def test_patch_semantics(api: httpx.Client) -> None:
    url = f"/v2/deployments/{seed.ALPHA_ID}"
    before = api.get(url).json()

    # Mutable, revision-less fields.
    patched = api.patch(url, json={"source_config": {"custom_url": "https://alpha.example.com"}})
    assert patched.status_code == 200
    assert patched.json()["latest_revision_id"] == before["latest_revision_id"]
    assert patched.json()["source_config"]["custom_url"] == "https://alpha.example.com"

    # resource_spec replaces the whole object and creates a revision.
    patched = api.patch(url, json={"source_config": {"resource_spec": {"min_scale": 3}}}).json()
    assert patched["source_config"]["resource_spec"] == {"min_scale": 3}
    assert patched["latest_revision_id"] != before["latest_revision_id"]

    # Secrets replace the list and create a revision.
    after_spec = patched["latest_revision_id"]
    patched = api.patch(url, json={"secrets": [{"name": "NEW_KEY", "value": "v"}]}).json()
    assert patched["secrets"] == [{"name": "NEW_KEY", "value": "v"}]
    assert patched["latest_revision_id"] != after_spec

    # Null fields change nothing.
    same = api.patch(url, json={"secrets": None, "source_revision_config": None}).json()
    assert same["latest_revision_id"] == patched["latest_revision_id"]

    # Immutable fields.
    for body in (
        {"source_config": {"listener_id": seed.STAGING_LISTENER_ID}},
        {"source_config": {"listener_config": {"k8s_namespace": "other"}}},
        {"source_config": {"deployment_type": "dev"}},
    ):
        response = api.patch(url, json=body)
        assert response.status_code == 400, body
        assert "cannot be changed" in response.json()["detail"]
    assert api.get(url).json()["source_config"]["deployment_type"] == "prod"

    assert api.patch("/v2/deployments/nope", json={}).status_code == 404
    assert len(api.get(f"{url}/revisions").json()["resources"]) == 3


def test_redeploy_rolls_back(api: httpx.Client) -> None:
    url = f"/v2/deployments/{seed.BETA_ID}"
    api.patch(
        url,
        json={
            "source_revision_config": {"image_uri": "docker.io/acme/beta:9"},
            "secrets": [],
            "source_config": {"resource_spec": {"min_scale": 5}},
        },
    )
    rolled = api.post(f"{url}/revisions/{seed.BETA_REVISION_ID}/redeploy")
    assert rolled.status_code == 200
    dep = rolled.json()
    assert dep["source_revision_config"]["image_uri"].endswith("langgraph-api:0.4.18-py3.12")
    assert {s["name"] for s in dep["secrets"]} == {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"}
    assert dep["source_config"]["resource_spec"]["max_scale"] == 2
    assert dep["active_revision_id"] == dep["latest_revision_id"] != seed.BETA_REVISION_ID
    missing = api.post(f"{url}/revisions/00000000-0000-0000-0000-000000000000/redeploy")
    assert missing.status_code == 404 and "Revision ID" in missing.json()["detail"]


def test_delete(api: httpx.Client, admin: AdminClient) -> None:
    assert api.delete(f"/v2/deployments/{seed.GAMMA_ID}").status_code == 204
    gone = api.get(f"/v2/deployments/{seed.GAMMA_ID}")
    assert gone.status_code == 404
    assert gone.json() == {"detail": f"Deployment ID {seed.GAMMA_ID} not found."}
    assert api.get(f"/v2/deployments/{seed.GAMMA_ID}/revisions").status_code == 404

    admin.set_behaviour(delete_delay=0.3)
    assert api.delete(f"/v2/deployments/{seed.BETA_ID}").status_code == 204
    pending = api.get(f"/v2/deployments/{seed.BETA_ID}")
    assert pending.status_code == 200 and pending.json()["status"] == "AWAITING_DELETE"
    assert api.patch(f"/v2/deployments/{seed.BETA_ID}", json={}).status_code == 400
    time.sleep(0.4)
    assert api.get(f"/v2/deployments/{seed.BETA_ID}").status_code == 404


# -- listeners -----------------------------------------------------------------------------


def test_listeners(api: httpx.Client) -> None:
    body = {
        "compute_type": "k8s",
        "compute_id": "prod-cluster",
        "compute_config": {"k8s_namespaces": ["agents"]},
        "version": "0.16.2",
    }
    created = api.post("/v2/listeners", json=body)
    assert created.status_code == 201
    lst = created.json()
    assert lst["compute_id"] == "prod-cluster" and lst["version"] == "0.16.2"

    dup = api.post("/v2/listeners", json=body)
    assert dup.status_code == 409
    assert "compute ID 'prod-cluster' already exists" in dup.json()["detail"]

    bad = api.post("/v2/listeners", json={**body, "compute_type": "ecs"})
    assert bad.status_code == 422

    patched = api.patch(
        f"/v2/listeners/{lst['id']}", json={"compute_config": {"k8s_namespaces": ["a", "b"]}}
    ).json()
    assert patched["compute_config"] == {"k8s_namespaces": ["a", "b"]}
    assert patched["version"] == "0.16.2"

    assert api.delete(f"/v2/listeners/{lst['id']}").status_code == 204
    missing = api.get(f"/v2/listeners/{lst['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"Listener ID {lst['id']} not found."}


@pytest.mark.parametrize(
    "path",
    ["/v2/deployments/nope", "/v2/deployments/nope/revisions", "/v2/listeners/nope"],
)
def test_not_found_shapes(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["detail"].endswith("ID nope not found.")
