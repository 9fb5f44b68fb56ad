"""Tolerant parsing (unknown fields and enum values) and request-body serialisation."""

from __future__ import annotations

import pickle

from components.controlplane import (
    ControlPlaneClient,
    Deployment,
    DeploymentCreateRequest,
    DeploymentPatchRequest,
    DeploymentStatus,
    ListenerPatchRequest,
    ResourceSpec,
    Revision,
    RevisionStatus,
    Secret,
    SourceConfig,
    SourceRevisionConfig,
)
from local_controlplane import seed
from local_controlplane.testing import AdminClient


def test_unknown_fields_and_statuses_are_tolerated(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.patch_raw_deployment(
        seed.ALPHA_ID,
        status="AWAITING_QUANTUM_ENTANGLEMENT",
        flux_capacitor={"gigawatts": 1.21},
        source="internal_newer_kind",
    )
    admin.set_revision_status(seed.ALPHA_ID, seed.ALPHA_REVISION_ID, "PAUSED_BY_OPERATOR")
    admin.patch_raw_revision(seed.ALPHA_ID, seed.ALPHA_REVISION_ID, build_log_url="https://x")
    admin.patch_raw_listener(seed.DEV_LISTENER_ID, compute_type="k8s-next", region="eu-west-1")

    deployment = client.get_deployment(seed.ALPHA_ID)
    assert deployment.status == "AWAITING_QUANTUM_ENTANGLEMENT"
    assert deployment.source == "internal_newer_kind"
    assert deployment.model_extra == {"flux_capacitor": {"gigawatts": 1.21}}
    assert any(d.id == seed.ALPHA_ID for d in client.list_deployments())

    revision = client.get_revision(seed.ALPHA_ID, seed.ALPHA_REVISION_ID)
    assert revision.status == "PAUSED_BY_OPERATOR"
    assert not revision.is_final and not revision.is_failed and not revision.is_known_status
    assert revision.model_extra == {"build_log_url": "https://x"}

    listener = client.get_listener(seed.DEV_LISTENER_ID)
    assert listener.compute_type == "k8s-next"
    assert listener.model_extra == {"region": "eu-west-1"}


def test_forced_failure_statuses(client: ControlPlaneClient, admin: AdminClient) -> None:
    for status in ("BUILD_FAILED", "DEPLOY_FAILED", "CREATE_FAILED"):
        admin.set_revision_status(seed.BETA_ID, seed.BETA_REVISION_ID, status)
        revision = client.get_revision(seed.BETA_ID, seed.BETA_REVISION_ID)
        assert revision.is_failed and revision.is_final and not revision.is_deployed


def test_revision_status_helpers() -> None:
    def rev(status: str) -> Revision:
        return Revision(id="r", status=status)

    assert rev("DEPLOYED").is_final and rev("SKIPPED").is_final
    assert not rev("SKIPPED").is_failed
    assert not rev("INTERRUPTED").is_final and not rev("UNKNOWN").is_final
    assert rev(RevisionStatus.DEPLOYING).is_known_status
    assert RevisionStatus("BUILD_FAILED") == "BUILD_FAILED"
    assert DeploymentStatus.READY == "READY"


def test_minimal_objects_parse() -> None:
    deployment = Deployment.model_validate({"id": "d", "name": "n"})
    assert deployment.secrets == [] and deployment.resource_spec is None
    assert deployment.listener_id is None and deployment.status == "UNKNOWN"
    nulls = Deployment.model_validate(
        {
            "id": "d",
            "name": "n",
            "status": None,
            "secrets": None,
            "source_config": None,
            "source_revision_config": None,
        }
    )
    assert nulls.secrets == [] and nulls.status == "UNKNOWN" and nulls.image_uri is None
    revision = Revision.model_validate({"id": "r", "status": None, "source_revision_config": None})
    assert revision.status == "UNKNOWN" and not revision.is_final


def test_secret_values_are_hidden_from_repr() -> None:
    secret = Secret(name="OPENAI_API_KEY", value="sk-super-secret")
    assert "sk-super-secret" not in repr(secret) and "sk-super-secret" not in str(secret)
    assert secret.value == "sk-super-secret"
    assert secret.to_body() == {"name": "OPENAI_API_KEY", "value": "sk-super-secret"}
    deployment = Deployment(id="d", name="n", secrets=[secret])
    assert "sk-super-secret" not in repr(deployment)


def test_request_bodies_send_only_what_was_set() -> None:
    patch = DeploymentPatchRequest(
        source_config=SourceConfig(resource_spec=ResourceSpec(min_scale=2, labels={"a": "b"}))
    )
    assert patch.to_body() == {
        "source_config": {"resource_spec": {"min_scale": 2, "labels": {"a": "b"}}}
    }
    create = DeploymentCreateRequest(
        name="x",
        source_config=SourceConfig(listener_id="l"),
        source_revision_config=SourceRevisionConfig(image_uri="img:1"),
    )
    assert create.to_body() == {
        "name": "x",
        "source": "external_docker",
        "source_config": {"listener_id": "l"},
        "source_revision_config": {"image_uri": "img:1"},
        "secrets": [],
    }
    assert ListenerPatchRequest().to_body() == {}


def test_resource_spec_round_trip(client: ControlPlaneClient) -> None:
    spec = ResourceSpec(
        min_scale=1,
        max_scale=3,
        cpu=2,
        memory_mb=4096,
        queue_min_scale=1,
        db_cpu=0.5,
        db_storage_gi=20,
        service_account_name="agents",
        image_pull_secrets=[{"name": "regcred"}],  # type: ignore[list-item]
        volumes=[{"name": "cache", "emptyDir": {}}],
        volume_mounts=[{"name": "cache", "mountPath": "/cache"}],
        sidecars=[{"name": "proxy", "image": "envoyproxy/envoy:v1.31.0"}],
    )
    patched = client.patch_deployment(
        seed.ALPHA_ID, DeploymentPatchRequest(source_config=SourceConfig(resource_spec=spec))
    )
    assert patched.resource_spec == spec


def test_client_pickles_without_connections(client: ControlPlaneClient) -> None:
    client.list_listeners()
    clone = pickle.loads(pickle.dumps(client))
    assert clone.base_url == client.base_url
    assert clone.list_listeners()
    clone.close()
