"""Request bodies accepted by the local control plane (FastAPI validates them -> 422).

They follow the published OpenAPI document (v0.1.0): wrong types and missing required
fields are rejected like the hosted API does; unknown fields are ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# `source_config.deployment_type` and the list filter of that name: the published enum and
# the scale-to-zero tiers the service added since (`components.controlplane.DeploymentType`).
DeploymentType = Literal["dev_free", "dev", "prod", "dev_zero", "dev_free_zero"]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SecretIn(_In):
    name: str = Field(min_length=1)
    value: str


class LocalObjectReferenceIn(_In):
    name: str


class SecretReferenceIn(_In):
    name: str = Field(min_length=1)
    secret_name: str = Field(min_length=1)
    secret_key: str = Field(min_length=1)


class ResourceSpecIn(_In):
    min_scale: int | None = Field(default=None, ge=0)
    max_scale: int | None = Field(default=None, ge=0)
    cpu: int | None = Field(default=None, ge=0)
    cpu_limit: int | None = Field(default=None, ge=0)
    memory_mb: int | None = Field(default=None, ge=0)
    memory_limit_mb: int | None = Field(default=None, ge=0)
    queue_min_scale: int | None = Field(default=None, ge=0)
    queue_max_scale: int | None = Field(default=None, ge=0)
    queue_cpu: int | None = Field(default=None, ge=0)
    queue_cpu_limit: int | None = Field(default=None, ge=0)
    queue_memory_mb: int | None = Field(default=None, ge=0)
    queue_memory_limit_mb: int | None = Field(default=None, ge=0)
    redis_memory_mb: int | None = Field(default=None, ge=0)
    db_cpu: float | None = Field(default=None, ge=0)
    db_cpu_limit: float | None = Field(default=None, ge=0)
    db_memory_mb: int | None = Field(default=None, ge=0)
    db_memory_limit_mb: int | None = Field(default=None, ge=0)
    db_storage_gi: int | None = Field(default=None, ge=0)
    db_max_connections: int | None = Field(default=None, ge=0)
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    service_account_name: str | None = None
    image_pull_secrets: list[LocalObjectReferenceIn] | None = None
    volumes: list[dict[str, Any]] | None = None
    volume_mounts: list[dict[str, Any]] | None = None
    init_containers: list[dict[str, Any]] | None = None
    sidecars: list[dict[str, Any]] | None = None


class ListenerConfigIn(_In):
    k8s_namespace: str | None = None


class SourceConfigIn(_In):
    integration_id: str | None = None
    repo_url: str | None = None
    deployment_type: DeploymentType | None = None
    build_on_push: bool | None = None
    custom_url: str | None = None
    resource_spec: ResourceSpecIn | None = None
    listener_id: str | None = None
    listener_config: ListenerConfigIn | None = None
    install_command: str | None = None
    build_command: str | None = None


class SourceRevisionConfigIn(_In):
    repo_ref: str | None = None
    langgraph_config_path: str | None = None
    image_uri: str | None = None


class DeploymentCreate(_In):
    name: str = Field(min_length=1, max_length=63)
    source: Literal["github", "external_docker"]
    source_config: SourceConfigIn
    source_revision_config: SourceRevisionConfigIn
    secrets: list[SecretIn]
    secret_references: list[SecretReferenceIn] | None = None


class DeploymentPatch(_In):
    source_config: SourceConfigIn | None = None
    source_revision_config: SourceRevisionConfigIn | None = None
    secrets: list[SecretIn] | None = None
    secret_references: list[SecretReferenceIn] | None = None


class RevisionCreate(_In):
    source_config: SourceConfigIn | None = None
    source_revision_config: SourceRevisionConfigIn | None = None
    secrets: list[SecretIn] | None = None
    secret_references: list[SecretReferenceIn] | None = None


class ListenerComputeConfigIn(_In):
    k8s_namespaces: list[str] | None = None


class ListenerCreate(_In):
    version: str | None = None
    compute_type: Literal["k8s"]
    compute_id: str = Field(min_length=1)
    compute_config: ListenerComputeConfigIn


class ListenerPatch(_In):
    version: str | None = None
    compute_config: ListenerComputeConfigIn | None = None


def body_of(model: BaseModel) -> dict[str, Any]:
    """The request as a dict; ``null`` means "not given" (like the hosted PATCH)."""
    return model.model_dump(mode="json", exclude_none=True)


# -- admin payloads ----------------------------------------------------------------------


class ResetIn(_In):
    seed: bool = True


class SeedIn(_In):
    deployments: int = Field(default=0, ge=0, le=5000)
    name_prefix: str = "bulk"
    tenant_id: str | None = None
    listener_id: str | None = None
    k8s_namespace: str | None = None
    image_uri: str = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
    defaults: bool = False


class StatusIn(_In):
    status: str = Field(min_length=1)


class RawFieldsIn(BaseModel):
    model_config = ConfigDict(extra="allow")


class BehaviourIn(_In):
    revision_delays: dict[str, float] | None = None
    status_delay: float | None = Field(default=None, ge=0)
    revision_outcome: str | None = None
    delete_delay: float | None = Field(default=None, ge=0)


class FaultIn(_In):
    kind: Literal["latency", "status", "drop", "malformed", "trickle"]
    path_prefix: str = "/v2/"
    methods: list[str] | None = None
    times: int | None = Field(default=None, ge=1)
    status: int = Field(default=503, ge=100, le=599)
    retry_after: str | None = None
    latency: float = Field(default=0.0, ge=0, le=300)
    phase: Literal["request", "response"] = "request"
    body: str | None = None
    interval: float = Field(default=0.1, gt=0, le=60)
    chunk: int = Field(default=1, ge=1)


class ApiKeyIn(_In):
    key: str = Field(min_length=1)
    tenant_id: str | None = None
    org_scoped: bool = False
    workspaces: list[str] | None = None
