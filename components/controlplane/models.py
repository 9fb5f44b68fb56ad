"""Pydantic models of the control-plane API (OpenAPI v0.1.0 plus newer, tolerated fields).

Parsing is tolerant on purpose: the hosted API is newer than the published document, so

* unknown fields are kept (``extra="allow"``) instead of rejected,
* enum-like fields (``status``, ``source``, ``deployment_type``...) are typed ``str``;
  the known values are available as :class:`enum.StrEnum` helpers below,
* everything except identifiers is optional.

Request bodies use the same tolerant models; :meth:`ApiModel.to_body` serialises only the
fields that were set, so ``None`` left at its default is never sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# Re-exported: the platform's env names, kept where no HTTP client is needed to read them.
from ..core.platform_env import RESERVED_ENV_NAMES as RESERVED_ENV_NAMES
from ..core.platform_env import reserved_env_names as reserved_env_names

# Re-exported: the enum values, kept where no pydantic is needed to read them.
from .enums import DEFAULT_DEPLOYMENT_TYPE as DEFAULT_DEPLOYMENT_TYPE
from .enums import REVISION_FAILED_STATUSES as REVISION_FAILED_STATUSES
from .enums import REVISION_FINAL_STATUSES as REVISION_FINAL_STATUSES
from .enums import REVISION_STATUS_VALUES
from .enums import REVISION_SUCCESS_STATUSES as REVISION_SUCCESS_STATUSES
from .enums import SCALE_TO_ZERO_TYPES as SCALE_TO_ZERO_TYPES
from .enums import DeploymentStatus as DeploymentStatus
from .enums import DeploymentType as DeploymentType
from .enums import RevisionStatus as RevisionStatus
from .enums import Source as Source
from .enums import scales_to_zero as scales_to_zero


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_body(self) -> dict[str, Any]:
        """JSON-ready dict of the fields that were set (explicit ``None`` is kept)."""
        return self.model_dump(mode="json", exclude_unset=True)


# ---------------------------------------------------------------------------------------
# Building blocks


class Secret(ApiModel):
    """A deployment secret, exposed to the server container as an environment variable.

    ``value`` is hidden from ``repr``/``str`` so it does not end up in logs.
    """

    name: str
    value: str = Field(default="", repr=False)


class LocalObjectReference(ApiModel):
    name: str


class SecretReference(ApiModel):
    """A deployment's reference to a key of a Kubernetes Secret that already exists in its
    namespace, exposed to the server containers as the environment variable `name`."""

    name: str
    """The environment variable."""
    secret_name: str
    """The Secret, in the deployment's namespace."""
    secret_key: str
    """The key in that Secret."""


class ResourceSpec(ApiModel):
    """Sizing and pod wiring of an ``external_docker`` deployment.

    CPU values are integers in the published schema; floats are accepted too.
    Kubernetes-shaped objects (volumes, mounts, containers) are kept as plain dicts.
    """

    min_scale: int | None = None
    max_scale: int | None = None
    cpu: int | float | None = None
    cpu_limit: int | float | None = None
    memory_mb: int | None = None
    memory_limit_mb: int | None = None

    queue_min_scale: int | None = None
    queue_max_scale: int | None = None
    queue_cpu: int | float | None = None
    queue_cpu_limit: int | float | None = None
    queue_memory_mb: int | None = None
    queue_memory_limit_mb: int | None = None

    redis_memory_mb: int | None = None

    db_cpu: int | float | None = None
    db_cpu_limit: int | float | None = None
    db_memory_mb: int | None = None
    db_memory_limit_mb: int | None = None
    db_storage_gi: int | None = None
    db_max_connections: int | None = None

    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    service_account_name: str | None = None
    image_pull_secrets: list[LocalObjectReference] | None = None
    volumes: list[dict[str, Any]] | None = None
    volume_mounts: list[dict[str, Any]] | None = None
    init_containers: list[dict[str, Any]] | None = None
    sidecars: list[dict[str, Any]] | None = None


class ListenerConfig(ApiModel):
    k8s_namespace: str | None = None


class SourceConfig(ApiModel):
    """Deployment-wide configuration (``source_config``); also used in request bodies."""

    listener_id: str | None = None
    listener_config: ListenerConfig | None = None
    deployment_type: str | None = None
    build_on_push: bool | None = None
    custom_url: str | None = None
    integration_id: str | None = None
    repo_url: str | None = None
    resource_spec: ResourceSpec | None = None
    install_command: str | None = None
    build_command: str | None = None


class SourceRevisionConfig(ApiModel):
    """Per-revision configuration (``source_revision_config``)."""

    image_uri: str | None = None
    repo_ref: str | None = None
    langgraph_config_path: str | None = None
    repo_commit_sha: str | None = None  # read-only


class ListenerComputeConfig(ApiModel):
    k8s_namespaces: list[str] | None = None


# ---------------------------------------------------------------------------------------
# Resources

_NULL_DEFAULTS: dict[str, Any] = {"secrets": [], "secret_references": [], "status": "UNKNOWN"}


def _default_for_null(value: Any, info: ValidationInfo) -> Any:
    """Tolerate ``null`` where the schema promises an object, list or status."""
    if value is not None:
        return value
    default = _NULL_DEFAULTS.get(info.field_name or "", {})
    return list(default) if isinstance(default, list) else default


class Deployment(ApiModel):
    id: str
    name: str
    source: str | None = None
    source_config: SourceConfig = Field(default_factory=SourceConfig)
    source_revision_config: SourceRevisionConfig = Field(default_factory=SourceRevisionConfig)
    secrets: list[Secret] = Field(default_factory=list)
    status: str = DeploymentStatus.UNKNOWN.value
    latest_revision_id: str | None = None
    active_revision_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    image_version: str | None = None
    tenant_id: str | None = None
    display_name: str | None = None
    secret_references: list[SecretReference] = Field(default_factory=list)

    @field_validator(
        "source_config",
        "source_revision_config",
        "secrets",
        "secret_references",
        "status",
        mode="before",
    )
    @classmethod
    def _null_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        return _default_for_null(value, info)

    @property
    def listener_id(self) -> str | None:
        return self.source_config.listener_id

    @property
    def k8s_namespace(self) -> str | None:
        lc = self.source_config.listener_config
        return lc.k8s_namespace if lc else None

    @property
    def resource_spec(self) -> ResourceSpec | None:
        return self.source_config.resource_spec

    @property
    def image_uri(self) -> str | None:
        return self.source_revision_config.image_uri

    @property
    def deployment_type(self) -> str | None:
        return self.source_config.deployment_type

    @property
    def is_deleting(self) -> bool:
        return self.status in (
            DeploymentStatus.AWAITING_DELETE,
            DeploymentStatus.AWAITING_FINAL_DELETE,
        )


class Revision(ApiModel):
    id: str
    status: str = RevisionStatus.UNKNOWN.value
    source: str | None = None
    source_revision_config: SourceRevisionConfig = Field(default_factory=SourceRevisionConfig)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("source_revision_config", "status", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        return _default_for_null(value, info)

    @property
    def is_failed(self) -> bool:
        return self.status in REVISION_FAILED_STATUSES

    @property
    def is_deployed(self) -> bool:
        return self.status == RevisionStatus.DEPLOYED

    @property
    def is_final(self) -> bool:
        """DEPLOYED, SKIPPED or one of the ``*_FAILED`` statuses. Unknown values are not."""
        return self.status in REVISION_FINAL_STATUSES

    @property
    def is_known_status(self) -> bool:
        return self.status in REVISION_STATUS_VALUES


class Listener(ApiModel):
    id: str
    compute_id: str
    compute_type: str = "k8s"
    compute_config: ListenerComputeConfig = Field(default_factory=ListenerComputeConfig)
    version: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("compute_config", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        return _default_for_null(value, info)

    @property
    def k8s_namespaces(self) -> list[str]:
        return list(self.compute_config.k8s_namespaces or [])


# ---------------------------------------------------------------------------------------
# Request bodies


class DeploymentCreateRequest(ApiModel):
    name: str
    source: str = Source.EXTERNAL_DOCKER.value
    source_config: SourceConfig
    source_revision_config: SourceRevisionConfig
    secrets: list[Secret] = Field(default_factory=list)
    secret_references: list[SecretReference] | None = None

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        # ``source`` and ``secrets`` are required by the API even when left at the default.
        body.setdefault("source", self.source)
        body.setdefault("secrets", [s.to_body() for s in self.secrets])
        return body


class DeploymentPatchRequest(ApiModel):
    """PATCH body. A non-null ``source_revision_config``, ``secrets`` or
    ``source_config.resource_spec`` creates a new revision; ``resource_spec`` replaces the
    whole object."""

    source_config: SourceConfig | None = None
    source_revision_config: SourceRevisionConfig | None = None
    secrets: list[Secret] | None = None
    secret_references: list[SecretReference] | None = None
    """Replaces every reference (an empty list removes them all)."""


class RevisionCreateRequest(ApiModel):
    """Body of ``POST /v2/deployments/{id}/revisions`` (newer than the published document).

    Fields left out are taken from the deployment's current configuration.
    """

    source_revision_config: SourceRevisionConfig | None = None
    secrets: list[Secret] | None = None
    secret_references: list[SecretReference] | None = None
    source_config: SourceConfig | None = None


class ListenerCreateRequest(ApiModel):
    compute_id: str
    compute_type: str = "k8s"
    compute_config: ListenerComputeConfig
    version: str | None = None

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        body.setdefault("compute_type", self.compute_type)
        return body


class ListenerPatchRequest(ApiModel):
    version: str | None = None
    compute_config: ListenerComputeConfig | None = None


# Aliases named like the OpenAPI schemas.
SourceConfigRequest = SourceConfig
SourceRevisionConfigRequest = SourceRevisionConfig
