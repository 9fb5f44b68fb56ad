"""The local control plane keeps today's fields: secret references, the pods' annotations and
service account, and the scale-to-zero tiers."""

from __future__ import annotations

from typing import Any

import httpx

from local_controlplane import seed
from tests.local_controlplane.test_lcp_api import _create

REF = {"name": "SEARCH_API_KEY", "secret_name": "search-credentials", "secret_key": "key"}


def create(api: httpx.Client, name: str, **source_config: Any) -> httpx.Response:
    """test_lcp_api's deployment, with a reference, and `source_config` fields replacing its
    own when given (the listener kept)."""
    if not source_config:
        return _create(api, name, secret_references=[REF])
    listener = {
        "listener_id": seed.DEV_LISTENER_ID,
        "listener_config": {"k8s_namespace": seed.DEV_NAMESPACE},
    }
    return _create(api, name, source_config={**listener, **source_config}, secret_references=[REF])


def test_the_seed_uses_them(api: httpx.Client) -> None:
    gamma = api.get(f"/v2/deployments/{seed.GAMMA_ID}").json()
    assert gamma["secret_references"] == [REF]
    spec = gamma["source_config"]["resource_spec"]
    assert spec["service_account_name"] == "agent-gamma-runner"
    assert spec["annotations"] == {"example.com/cost-center": "staging"}
    alpha = api.get(f"/v2/deployments/{seed.ALPHA_ID}").json()
    assert alpha["secret_references"] == []


def test_references_are_stored_replaced_and_removed(api: httpx.Client) -> None:
    created = create(api, "refs")
    assert created.status_code == 201, created.text
    dep = created.json()
    assert dep["secret_references"] == [REF]
    assert dep["source_config"]["deployment_type"] == "prod"  # the service's default
    first = dep["latest_revision_id"]
    other = {"name": "CRM_TOKEN", "secret_name": "crm", "secret_key": "token"}
    patched = api.patch(f"/v2/deployments/{dep['id']}", json={"secret_references": [other]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["secret_references"] == [other]
    assert patched.json()["latest_revision_id"] != first  # a new revision
    emptied = api.patch(f"/v2/deployments/{dep['id']}", json={"secret_references": []})
    assert emptied.json()["secret_references"] == []
    # A roll back restores the references of the revision it goes back to.
    back = api.post(f"/v2/deployments/{dep['id']}/revisions/{first}/redeploy")
    assert back.status_code == 200, back.text
    assert back.json()["secret_references"] == [REF]


def test_bad_references_are_refused(api: httpx.Client) -> None:
    url = f"/v2/deployments/{seed.ALPHA_ID}"
    reserved = {**REF, "name": "DATABASE_URI"}
    answer = api.patch(url, json={"secret_references": [reserved]})
    assert answer.status_code == 400 and "reserved by the platform" in answer.text
    clash = {**REF, "name": "OPENAI_API_KEY"}  # one of alpha's secrets
    answer = api.patch(url, json={"secret_references": [clash]})
    assert answer.status_code == 400 and "Duplicate secret name" in answer.text
    incomplete = {"name": "X", "secret_name": "s"}
    assert api.patch(url, json={"secret_references": [incomplete]}).status_code == 422


def test_only_the_zero_tiers_take_zero_replicas(api: httpx.Client) -> None:
    zero = {"resource_spec": {"min_scale": 0, "max_scale": 2}}
    refused = create(api, "always-on", deployment_type="prod", **zero)
    assert refused.status_code == 400
    assert "only allowed for dev_zero and dev_free_zero" in refused.text
    for tier in ("dev_zero", "dev_free_zero"):
        made = create(api, f"idle-{tier.replace('_', '-')}", deployment_type=tier, **zero)
        assert made.status_code == 201, made.text
    listed = api.get("/v2/deployments", params={"deployment_type": "dev_zero"}).json()
    assert [d["name"] for d in listed["resources"]] == ["idle-dev-zero"]
    assert api.get("/v2/deployments", params={"deployment_type": "turbo"}).status_code == 422
    # A patch cannot bring zero to a tier without it either.
    patch = {"source_config": {"resource_spec": {"min_scale": 0}}}
    assert api.patch(f"/v2/deployments/{seed.ALPHA_ID}", json=patch).status_code == 400
