"""Fault injection and request statistics of the local control plane."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from local_controlplane import seed
from local_controlplane.faults import route_of
from local_controlplane.testing import AdminClient


def test_status_fault_with_retry_after(api: httpx.Client, admin: AdminClient) -> None:
    rule = admin.add_fault("status", status=429, retry_after="7", times=2)
    assert rule["id"] > 0 and rule["hits"] == 0
    for _ in range(2):
        response = api.get("/v2/listeners")
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
        assert "detail" in response.json()
    assert api.get("/v2/listeners").status_code == 200  # used up
    assert admin.faults()[0]["hits"] == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_faults(api: httpx.Client, admin: AdminClient, status: int) -> None:
    admin.add_fault("status", status=status, times=1)
    assert api.get("/v2/deployments").status_code == status
    assert api.get("/v2/deployments").status_code == 200


def test_drop_closes_the_connection_without_an_answer(
    api: httpx.Client, admin: AdminClient
) -> None:
    admin.add_fault("drop", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)) as info:
        api.get("/v2/deployments")
    assert "without sending a response" in str(info.value) or isinstance(
        info.value, httpx.ReadError
    )
    # The next request (new connection) works and no 500 was produced meanwhile.
    assert api.get("/v2/deployments").status_code == 200


def test_drop_of_a_post_with_a_body(api: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("drop", methods=["POST"], times=1)
    body = {"compute_type": "k8s", "compute_id": "dropped", "compute_config": {}}
    # A dropped connection reads as a close or, when the socket is reset first, a reset.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/v2/listeners", json=body)
    ids = {lst["compute_id"] for lst in api.get("/v2/listeners").json()["resources"]}
    assert "dropped" not in ids  # dropped before the handler ran


def test_malformed_body(api: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("malformed", times=1)
    response = api.get("/v2/deployments")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_latency_before_and_after_the_handler(api: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("latency", latency=0.3, times=1)
    started = time.monotonic()
    assert api.get("/v2/listeners").status_code == 200
    assert time.monotonic() - started >= 0.3

    admin.add_fault("latency", latency=0.3, phase="response", methods=["POST"], times=1)
    started = time.monotonic()
    body = {"compute_type": "k8s", "compute_id": "slow", "compute_config": {}}
    assert api.post("/v2/listeners", json=body).status_code == 201
    assert time.monotonic() - started >= 0.3


def test_scoping_by_path_and_method(api: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("status", status=503, path_prefix="/v2/listeners", methods=["PATCH"])
    assert api.get("/v2/listeners").status_code == 200
    assert api.get("/v2/deployments").status_code == 200
    patch = api.patch(f"/v2/listeners/{seed.DEV_LISTENER_ID}", json={"version": "1"})
    assert patch.status_code == 503
    # Admin routes are never affected, even by a catch-all rule.
    admin.add_fault("status", status=500, path_prefix="/")
    assert admin.health()["status"] == "ok"
    assert api.get("/v2/deployments").status_code == 500
    admin.clear_faults()
    assert api.get("/v2/deployments").status_code == 200


def test_latency_then_status_and_removal(
    base_url: str, api: httpx.Client, admin: AdminClient
) -> None:
    slow = admin.add_fault("latency", latency=0.2)
    admin.add_fault("status", status=504, times=1)
    started = time.monotonic()
    assert api.get("/v2/listeners").status_code == 504
    assert time.monotonic() - started >= 0.2
    removed = httpx.delete(f"{base_url}/_admin/faults/{slow['id']}")
    assert removed.status_code == 200
    assert httpx.delete(f"{base_url}/_admin/faults/{slow['id']}").status_code == 404
    assert [f["kind"] for f in admin.faults()] == ["status"]


def test_bad_fault_is_rejected(base_url: str, admin: AdminClient) -> None:
    response = httpx.post(f"{base_url}/_admin/faults", json={"kind": "explode"})
    assert response.status_code == 422


def test_stats(api: httpx.Client, admin: AdminClient) -> None:
    admin.reset_stats()
    api.get("/v2/deployments")
    api.get(f"/v2/deployments/{seed.ALPHA_ID}")
    api.get(f"/v2/deployments/{seed.ALPHA_ID}/revisions/{seed.ALPHA_REVISION_ID}")
    api.get(f"/v2/deployments/{seed.BETA_ID}")
    api.patch(f"/v2/listeners/{seed.DEV_LISTENER_ID}", json={"version": "0.16.3"})
    admin.health()  # not counted
    stats = admin.stats()
    assert stats["total"] == 5
    assert stats["by_method"] == {"GET": 4, "PATCH": 1}
    assert stats["by_route"] == {
        "GET /v2/deployments": 1,
        "GET /v2/deployments/{deployment_id}": 2,
        "GET /v2/deployments/{deployment_id}/revisions/{revision_id}": 1,
        "PATCH /v2/listeners/{listener_id}": 1,
    }
    assert stats["by_path"][f"GET /v2/deployments/{seed.ALPHA_ID}"] == 1
    assert stats["connections"] == 1  # one keep-alive connection
    with httpx.Client(base_url=api.base_url, headers=api.headers) as other:
        other.get("/v2/listeners")
    assert admin.stats()["connections"] == 2
    assert admin.reset_stats()["total"] == 0


def test_route_of() -> None:
    assert route_of("/v2/deployments") == "/v2/deployments"
    assert route_of("/v2/deployments/abc/revisions/def/redeploy") == (
        "/v2/deployments/{deployment_id}/revisions/{revision_id}/redeploy"
    )
    assert route_of("/v2/listeners/xyz") == "/v2/listeners/{listener_id}"


def test_reset_clears_faults_stats_and_state(api: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("status", status=503)
    admin.set_behaviour(status_delay=5, delete_delay=5)
    api.delete(f"/v2/deployments/{seed.ALPHA_ID}")
    result = admin.reset()
    assert result["deployments"] == 3
    assert admin.faults() == []
    assert admin.stats()["total"] == 0
    behaviour = httpx.get(f"{admin.base_url}/_admin/behaviour").json()
    assert behaviour["delete_delay"] == 0 and behaviour["revision_outcome"] == "DEPLOYED"
    assert api.get(f"/v2/deployments/{seed.ALPHA_ID}").json()["status"] == "READY"
    empty = admin.reset(seed=False)
    assert empty["deployments"] == 0 and empty["listeners"] == 0


def test_trickle_sends_the_real_body_a_few_bytes_at_a_time(
    api: httpx.Client, admin: AdminClient
) -> None:
    expected = api.get("/v2/listeners").content
    admin.add_fault("trickle", interval=0.01, chunk=16, times=1)
    started = time.monotonic()
    with api.stream("GET", "/v2/listeners") as response:
        assert response.status_code == 200
        pieces = [piece for piece in response.iter_raw() if piece]
    took = time.monotonic() - started
    assert b"".join(pieces) == expected  # the handler's answer, whole
    assert len(pieces) >= len(expected) // 16 // 2  # in many reads, not one
    assert took >= 0.01 * (len(expected) // 16)
    assert admin.faults()[0]["hits"] == 1


def test_trickle_settings_are_checked(admin: AdminClient) -> None:
    for bad in ({"interval": 0}, {"chunk": 0}, {"interval": 61}):
        with pytest.raises(httpx.HTTPStatusError):
            admin.add_fault("trickle", **bad)
