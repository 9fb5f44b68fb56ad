"""The stack config as a whole: `StackConfig`, its per-deployment settings, and how a
deployment's settings resolve against the stack's (its overrides, else the sections' defaults).

Field docstrings are the configuration reference (see `reference.py`). The sections are in
`sections.py`, the Kubernetes shapes in `kubernetes_shapes.py`, the value types with their
checks in `validators.py`; their defaults come from `components/core/defaults.py`, `args.py` and
`kube.py`. Every model is importable from here, as before the split.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from ..core.defaults import DEFAULT_RENDER_DIR
from ..core.images import ImageRef, image_revision
from ..core.kube import CLUSTER_DOMAIN
from ..spec.args import TERMINATION_GRACE_SECONDS
from ..spec.revision import SecretRef, Sizing, secret_reference_problems
from ..spec.workload import WorkloadKind, reserved_env_problem
from .fields import (
    API_ID,
    DNS_NAME,
    ENV_NAME,
    Annotations,
    Labels,
    LabelValue,
    PinnedImage,
    Section,
    invalid,
)
from .kubernetes_shapes import (
    DnsConfig,
    DnsOption,
    EnvVar,
    PodConfig,
    ResourcesConfig,
    Toleration,
    TopologySpread,
    VolumeMount,
)
from .naming import label_value_problem
from .sections import (
    ControlPlaneConfig,
    ExposureConfig,
    GatewayRouteConfig,
    ImagesConfig,
    IngressRouteConfig,
    IstioRouteConfig,
    KedaConfig,
    ListenerWorkloadConfig,
    MongoConfig,
    MongoOverride,
    NamespacesConfig,
    OperatorChartConfig,
    OperatorConfig,
    PostgresConfig,
    PreflightConfig,
    RedisConfig,
    RouteConfig,
    ServersConfig,
    ServiceAccountConfig,
    StoreOverride,
)
from .validators import (
    MAX_WAIT_SECONDS,
    ChartRepository,
    CpuQuantity,
    CredentialText,
    HttpUrl,
    MemoryQuantity,
    MongoMode,
    QualifiedName,
    SpecKeys,
    StoreMode,
    check_spec_keys,
    http_url_problem,
)

__all__ = [
    "MAX_WAIT_SECONDS",
    "ChartRepository",
    "ControlPlaneConfig",
    "CpuQuantity",
    "CredentialText",
    "DeploymentConfig",
    "DnsConfig",
    "DnsOption",
    "EnvVar",
    "ExposureConfig",
    "GatewayRouteConfig",
    "HttpUrl",
    "ImagesConfig",
    "IngressRouteConfig",
    "IstioRouteConfig",
    "KedaConfig",
    "ListenerWorkloadConfig",
    "MemoryQuantity",
    "MongoConfig",
    "MongoMode",
    "MongoOverride",
    "NamespacesConfig",
    "OperatorChartConfig",
    "OperatorConfig",
    "PodConfig",
    "PostgresConfig",
    "PreflightConfig",
    "QualifiedName",
    "RedisConfig",
    "ResourcesConfig",
    "RouteConfig",
    "SecretReferenceConfig",
    "ServersConfig",
    "ServiceAccountConfig",
    "SpecKeys",
    "StackConfig",
    "StaticRevisionConfig",
    "StoreMode",
    "StoreOverride",
    "Toleration",
    "TopologySpread",
    "VolumeMount",
    "check_spec_keys",
    "http_url_problem",
]


class SecretReferenceConfig(Section):
    """A key of a Kubernetes Secret that already exists in the deployment's namespace, given to
    its servers as an environment variable (the control plane's `secret_references`)."""

    name: str
    """The environment variable, e.g. `SEARCH_API_KEY`."""
    secret_name: str
    """The Secret, in the deployment's namespace; `up` checks that it exists."""
    secret_key: str
    """The key in that Secret."""

    def ref(self) -> SecretRef:
        return SecretRef(self.name, self.secret_name, self.secret_key)


class StaticRevisionConfig(Section):
    """A revision described in stack config, served with no control-plane sync: the only kind
    of deployment of a standalone stack (one without `controlPlane`)."""

    deployment_id: LabelValue | None = Field(default=None, min_length=1)
    """The control-plane deployment id (labels only); the deployment's name when unset."""
    namespace: str | None = None
    """Namespace of the server; one of `namespaces.names`, the first one when unset."""
    revision_id: LabelValue | None = Field(default=None, min_length=1)
    """Revision id (labels only); when unset, from the image (its digest's first 12 hex digits,
    or else its tag), so a new image is a new revision."""
    image: PinnedImage
    """Server image, pinned."""
    resource_spec: SpecKeys = Field(default_factory=dict)
    """Sizing in control-plane `resource_spec` keys (snake_case)."""
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    """The revision's secrets, name to value; the whole `deployments` key must be secret."""
    secret_references: list[SecretReferenceConfig] = Field(default_factory=list)
    """Keys of Secrets in the namespace, as environment variables: the values never pass
    through Pulumi."""

    @field_validator("secrets")
    @classmethod
    def _no_reserved(cls, v: dict[str, SecretStr]) -> dict[str, SecretStr]:
        reserved = reserved_env_problem(v)
        if reserved:
            invalid(reserved, "rename them")
        bad = sorted(name for name in v if not ENV_NAME.match(name))
        if bad:
            invalid(
                f"{bad} are not environment variable names",
                "use letters, digits and `_`, e.g. `OPENAI_API_KEY`",
            )
        return v

    @model_validator(mode="after")
    def _references(self) -> StaticRevisionConfig:
        refs = [r.ref() for r in self.secret_references]
        problems = secret_reference_problems(refs, list(self.secrets))
        if problems:
            invalid(
                "; ".join(problems),
                "use an environment variable name of your own, once, and the Secret's "
                "lowercase name and key",
                at="secretReferences",
            )
        return self

    @model_validator(mode="after")
    def _derived_revision(self) -> StaticRevisionConfig:
        if self.revision_id is None and image_revision(self.image) is None:
            tag = ImageRef.parse(self.image).tag
            invalid(
                f"no revision id can be derived from the image's tag {tag!r} (a label value "
                "needs a letter or digit)",
                "set `revisionId`, e.g. `r1`, or tag the image with a version such as `1.0.0`",
                at="revisionId",
            )
        return self

    @model_validator(mode="after")
    def _consistent_sizing(self) -> StaticRevisionConfig:
        crossed = Sizing.from_mapping(self.resource_spec).crossed_bounds()
        if crossed:
            low, low_value, high, high_value = crossed[0]
            origin = "" if high in self.resource_spec else " (its default)"
            invalid(
                f"{low} {low_value:g} is above {high} {high_value:g}{origin}",
                f"set `{high}` to at least {low_value:g}, or lower `{low}`",
                at=f"resourceSpec.{low}",
            )
        return self


class DeploymentConfig(Section):
    """Per-deployment settings, keyed by control-plane deployment name."""

    revision: str | None = None
    """Pin this revision id instead of following the active revision."""

    @field_validator("revision")
    @classmethod
    def _revision_id(cls, v: str | None) -> str | None:
        if v is not None and (not API_ID.match(v) or label_value_problem(v)):
            invalid(
                "is not a revision id (it becomes a label value: at most 63 characters, a "
                "letter or digit at both ends)",
                "copy the revision's id (a UUID) from the control plane",
            )
        return v

    postgres: StoreOverride | None = None
    """Override `postgres.mode` for this deployment."""
    redis: StoreOverride | None = None
    """Override `redis.mode` for this deployment."""
    mongo: MongoOverride | None = None
    """Override `mongo.mode` for this deployment."""
    static: StaticRevisionConfig | None = None
    """Serve this revision as written, with no control-plane sync."""
    resource_spec: SpecKeys = Field(default_factory=dict)
    """Overrides merged over the control plane's `resource_spec` (snake_case keys)."""
    env: list[EnvVar] = Field(default_factory=list)
    """Environment of this deployment's API and queue containers (`name` with `value` or
    `valueFrom`), synced or static alike; no platform names, and credentials only by
    `valueFrom` (or as revision secrets)."""
    service_account: ServiceAccountConfig | None = None
    """Replaces `servers.serviceAccount` for this deployment (e.g. its own cloud role)."""


class StackConfig(Section):
    """The whole `dataplane:` namespace of one stack."""

    top_level: ClassVar[bool] = True

    control_plane_settings: ControlPlaneConfig | None = Field(default=None, alias="controlPlane")
    """Control-plane endpoint and listener identity. Unset: a standalone stack, whose servers
    are the `deployments.<name>.static` entries, with no listener and no revision sync."""
    api_key: CredentialText | None = None
    """LangSmith API key (secret): the control plane's key, and the servers'
    `LANGSMITH_API_KEY` (tracing). Required with `controlPlane`; optional standalone."""
    langsmith_endpoint: HttpUrl | None = None
    """The servers' `LANGSMITH_ENDPOINT` (kept in their Secret), e.g. an EU or self-hosted
    LangSmith; unset leaves the SDK's default. Also `controlPlane.langsmithEndpoint`."""
    license_key: CredentialText
    """LangGraph licence key, `LANGGRAPH_CLOUD_LICENSE_KEY` (secret)."""
    reconciler: Literal["pulumi", "listener"] = "pulumi"
    """Who turns revisions into servers: Pulumi (`up`) or the in-cluster listener."""
    namespaces: NamespacesConfig = NamespacesConfig()
    """Kubernetes namespaces."""
    listener: ListenerWorkloadConfig = ListenerWorkloadConfig()
    """The listener workload, deployed when `reconciler` is `listener`."""
    operator: OperatorConfig = OperatorConfig()
    """LangChain's operator beside the listener, deployed when `reconciler` is `listener`."""
    preflight: PreflightConfig = PreflightConfig()
    """The opt-in check of the external stores (off by default)."""
    servers: ServersConfig = ServersConfig()
    """Shared server settings."""
    postgres: PostgresConfig = PostgresConfig()
    """Postgres defaults."""
    redis: RedisConfig = RedisConfig()
    """Redis defaults."""
    mongo: MongoConfig = MongoConfig()
    """Mongo checkpointer defaults (off unless `mode` is set)."""
    images: ImagesConfig = ImagesConfig()
    """Image registry, pull Secrets and pull policy of every workload."""
    workloads: dict[WorkloadKind, PodConfig] = Field(
        default_factory=dict, json_schema_extra={"referenceKey": "<kind>"}
    )
    """Pod settings per workload kind: `listener`, `api`, `queue`, `postgres`, `redis`, `mongo`."""
    exposure: ExposureConfig = ExposureConfig()
    """Routes from outside the cluster to the servers; none by default (in-cluster only)."""
    common_labels: Labels = Field(default_factory=dict)
    """Labels on every Kubernetes object of the stack (not on pod templates: changing them restarts
    nothing)."""
    common_annotations: Annotations = Field(default_factory=dict)
    """Annotations on every Kubernetes object of the stack (not on pod templates)."""
    cluster_domain: str = CLUSTER_DOMAIN
    """DNS domain of the cluster, in in-cluster URLs."""
    deployments: dict[str, DeploymentConfig] = Field(default_factory=dict)
    """Per-deployment settings, by deployment name."""
    external_postgres_uris: dict[str, SecretStr] = Field(default_factory=dict)
    """Deployment name to Postgres DSN, for deployments in `external` mode (secret)."""
    external_redis_uris: dict[str, SecretStr] = Field(default_factory=dict)
    """Deployment name (or `listener`) to Redis URL, for `external` mode (secret)."""
    external_mongo_uris: dict[str, SecretStr] = Field(default_factory=dict)
    """Deployment name to MongoDB URI (with the database name, to a replica set or `mongos`),
    for deployments whose `mongo.mode` is `external` (secret)."""
    kubeconfig: str | None = None
    """Path of a kubeconfig to apply to; unset renders manifests to `renderDir` instead."""
    render_dir: str = DEFAULT_RENDER_DIR
    """Where manifests are written when no kubeconfig is set (holds Secrets in plain text)."""

    @model_validator(mode="after")
    def _drain_within_grace(self) -> StackConfig:
        grace = self.pod("api").termination_grace_period_seconds
        grace = TERMINATION_GRACE_SECONDS if grace is None else grace
        if self.servers.drain_seconds and self.servers.drain_seconds >= grace:
            invalid(
                f"drainSeconds {self.servers.drain_seconds} is not below the API pods' "
                f"terminationGracePeriodSeconds {grace}: Kubernetes would kill them mid-request",
                "lower `servers.drainSeconds`, or raise "
                "`workloads.api.terminationGracePeriodSeconds` above it",
                at="servers.drainSeconds",
            )
        return self

    @field_validator("cluster_domain")
    @classmethod
    def _domain(cls, v: str) -> str:
        if not DNS_NAME.match(v):
            invalid(
                "not a valid DNS domain", "write the cluster's DNS domain, e.g. `cluster.local`"
            )
        return v

    @property
    def standalone(self) -> bool:
        """No control plane: the servers are the stack's static deployments."""
        return self.control_plane_settings is None

    @property
    def control_plane(self) -> ControlPlaneConfig:
        """The control plane of a synced stack (never asked of a standalone one)."""
        if self.control_plane_settings is None:
            raise ValueError("a standalone stack (no `controlPlane`) has no control plane")
        return self.control_plane_settings

    @property
    def servers_langsmith_endpoint(self) -> str | None:
        """The servers' `LANGSMITH_ENDPOINT`, from either key that sets it."""
        cp = self.control_plane_settings
        return self.langsmith_endpoint or (cp.langsmith_endpoint if cp else None)

    def mongo_mode(self, deployment: str) -> MongoMode:
        """The Mongo checkpointer mode of one deployment, after its override."""
        override = self.deployments.get(deployment, DeploymentConfig()).mongo
        return override.mode if override else self.mongo.mode

    def deployment_env(self, deployment: str) -> list[EnvVar]:
        """The environment of one deployment's servers."""
        entry = self.deployments.get(deployment)
        return list(entry.env) if entry else []

    def pod(self, kind: WorkloadKind) -> PodConfig:
        """The pod settings of one workload kind."""
        return self.workloads.get(kind, PodConfig())

    def service_account(self, deployment: str) -> ServiceAccountConfig:
        """The ServiceAccount settings of one deployment's servers, after its override."""
        entry = self.deployments.get(deployment)
        if entry is not None and entry.service_account is not None:
            return entry.service_account
        return self.servers.service_account

    def postgres_mode(self, deployment: str) -> StoreMode:
        """The Postgres mode of one deployment, after its override."""
        override = self.deployments.get(deployment, DeploymentConfig()).postgres
        return override.mode if override else self.postgres.mode

    def redis_mode(self, deployment: str) -> StoreMode:
        """The Redis mode of one deployment, after its override."""
        override = self.deployments.get(deployment, DeploymentConfig()).redis
        return override.mode if override else self.redis.mode

    def spec_overrides(self, deployment: str) -> dict[str, Any]:
        """The `resource_spec` overrides of one deployment."""
        entry = self.deployments.get(deployment)
        return dict(entry.resource_spec) if entry else {}

    def pinned_revision(self, deployment: str) -> str | None:
        """The revision id pinned for a deployment, if any."""
        entry = self.deployments.get(deployment)
        return entry.revision if entry else None
