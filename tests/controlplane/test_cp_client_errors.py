"""Every error class, raised from real answers of the local control plane."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from components.controlplane import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ControlPlaneClient,
    ControlPlaneError,
    NotFoundError,
    ProtocolError,
    ServerError,
    ValidationError,
)
from local_controlplane import seed
from local_controlplane.testing import AdminClient, run_server

MakeClient = Callable[..., ControlPlaneClient]

WRONG_KEY = "lsv2_pt_wrongwrongwrong_9f3a"


def test_401_names_the_config_keys_but_not_the_key(make_client: MakeClient) -> None:
    client = make_client(WRONG_KEY, tenant_id=seed.DEFAULT_TENANT_ID)
    with pytest.raises(AuthenticationError) as info:
        client.list_deployments()
    err = info.value
    assert err.status_code == 401
    assert err.method == "GET"
    assert err.url is not None and "/v2/deployments" in err.url
    message = str(err)
    assert WRONG_KEY not in message and "wrongwrong" not in message
    assert "...9f3a" in message
    assert "dataplane:apiKey" in message
    assert seed.DEFAULT_TENANT_ID in message
    assert not err.requires_workspace
    assert isinstance(err, ControlPlaneError)


def test_403_requires_workspace_specification(make_client: MakeClient) -> None:
    client = make_client(seed.DEFAULT_ORG_API_KEY)
    with pytest.raises(AuthenticationError) as info:
        client.get_deployment(seed.ALPHA_ID)
    err = info.value
    assert err.status_code == 403
    assert err.requires_workspace
    assert "requires workspace specification" in str(err)
    assert "dataplane:controlPlane.workspaceId" in str(err)
    assert seed.DEFAULT_ORG_API_KEY not in str(err)


def test_403_workspace_outside_the_organisation(make_client: MakeClient) -> None:
    client = make_client(seed.DEFAULT_ORG_API_KEY, tenant_id="not-our-workspace")
    with pytest.raises(AuthenticationError) as info:
        client.list_listeners()
    assert info.value.status_code == 403
    assert not info.value.requires_workspace
    assert "not-our-workspace" in str(info.value)
    assert "workspaceId" in str(info.value)


def test_404_names_the_ids(client: ControlPlaneClient) -> None:
    missing = "00000000-0000-4000-8000-00000000dead"
    with pytest.raises(NotFoundError) as info:
        client.get_deployment(missing)
    err = info.value
    assert (err.status_code, err.method, err.resource, err.resource_id) == (
        404,
        "GET",
        "deployment",
        missing,
    )
    assert missing in str(err) and "deployment" in str(err)

    with pytest.raises(NotFoundError) as info:
        client.get_revision(seed.ALPHA_ID, missing)
    assert info.value.resource == "revision" and missing in str(info.value)

    with pytest.raises(NotFoundError) as info:
        client.get_listener(missing)
    assert info.value.resource == "listener" and missing in str(info.value)

    with pytest.raises(NotFoundError) as info:
        client.delete_deployment(missing)
    assert info.value.method == "DELETE"


def test_404_without_json_hints_at_the_base_url(make_client: MakeClient) -> None:
    with run_server(path_prefix="/api-host") as url:
        client = make_client(base_url=url.removesuffix("/api-host"))  # prefix forgotten
        with pytest.raises(NotFoundError) as info:
            client.get_deployment(seed.ALPHA_ID)
        assert "/api-host" in str(info.value)


def test_409_listener_compute_id_taken(client: ControlPlaneClient) -> None:
    with pytest.raises(ConflictError) as info:
        client.create_listener("dev-cluster", ["langgraph"])
    err = info.value
    assert err.status_code == 409 and err.method == "POST"
    assert "dev-cluster" in str(err) and "already exists" in str(err)


def test_422_detail_is_rendered(client: ControlPlaneClient) -> None:
    body = {
        "name": "agent-bad",
        "source": "external_docker",
        "source_config": {
            "listener_id": seed.DEV_LISTENER_ID,
            "resource_spec": {"cpu": "lots"},
        },
        "source_revision_config": {"image_uri": "docker.io/acme/agent:1"},
    }  # "secrets" missing, cpu not an integer
    with pytest.raises(ValidationError) as info:
        client.create_deployment(body)
    err = info.value
    assert err.status_code == 422
    locs = {tuple(e["loc"]) for e in err.errors}
    assert ("body", "secrets") in locs
    assert ("body", "source_config", "resource_spec", "cpu") in locs
    message = str(err)
    assert "body.secrets: Field required" in message
    assert "body.source_config.resource_spec.cpu: " in message
    # A bad query parameter is a 422 too.
    with pytest.raises(ValidationError):
        client._send("GET", "/v2/deployments", params={"limit": 500})


def test_400_bad_request(client: ControlPlaneClient) -> None:
    with pytest.raises(BadRequestError) as info:
        client.patch_deployment(
            seed.ALPHA_ID, {"source_config": {"listener_id": seed.STAGING_LISTENER_ID}}
        )
    err = info.value
    assert err.status_code == 400 and err.method == "PATCH"
    assert "listener_id cannot be changed" in str(err)

    with pytest.raises(BadRequestError, match="reserved"):
        client.patch_deployment(seed.ALPHA_ID, {"secrets": [{"name": "PORT", "value": "1"}]})


def test_500_is_a_server_error_and_not_retried(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.add_fault("status", status=500, times=1)
    with pytest.raises(ServerError) as info:
        client.list_listeners()
    assert info.value.status_code == 500
    assert client.request_count == 1
    assert admin.stats()["total"] == 1


def test_malformed_json_is_a_protocol_error(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.add_fault("malformed", times=1)
    with pytest.raises(ProtocolError) as info:
        client.list_deployments()
    err = info.value
    assert err.status_code == 200 and err.method == "GET"
    assert err.url is not None and "/v2/deployments" in err.url
    message = str(err)
    assert "not JSON" in message and "/v2/deployments" in message
    assert err.body_excerpt is not None and err.body_excerpt.startswith('{"resources"')
    assert "Traceback" not in message and "JSONDecodeError" not in message
    assert err.__cause__ is None  # no chained json traceback


def test_long_garbage_is_truncated(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.add_fault("malformed", times=1, body="<html>" + "x" * 5000 + "</html>")
    with pytest.raises(ProtocolError) as info:
        client.get_listener(seed.DEV_LISTENER_ID)
    assert len(str(info.value)) < 700
    assert "5013 chars" in str(info.value)


def test_wrong_shape_is_a_protocol_error(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.add_fault("status", status=200, times=1, body=json.dumps({"items": [], "offset": 0}))
    with pytest.raises(ProtocolError, match="resources"):
        client.list_deployments()

    admin.add_fault("status", status=200, times=1, body=json.dumps({"name": "x"}))
    with pytest.raises(ProtocolError) as info:
        client.get_deployment(seed.ALPHA_ID)
    message = str(info.value)
    assert "Deployment" in message and "id: Field required" in message
    assert "pydantic" not in message.lower() or "errors.pydantic.dev" not in message
    assert info.value.__cause__ is None

    # A list of the wrong thing inside a valid page.
    admin.add_fault(
        "status", status=200, times=1, body=json.dumps({"resources": [42], "offset": 1})
    )
    with pytest.raises(ProtocolError, match="Deployment"):
        client.list_deployments()


def test_shape_errors_do_not_leak_secret_values(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    body = {"name": "x", "secrets": [{"name": "OPENAI_API_KEY", "value": "sk-very-secret"}]}
    admin.add_fault("status", status=200, times=1, body=json.dumps(body))
    with pytest.raises(ProtocolError) as info:
        client.get_deployment(seed.ALPHA_ID)
    assert "sk-very-secret" not in str(info.value)
