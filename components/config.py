"""Stack configuration: parsed once, at the edge, into typed objects.

Everything lives in the `dataplane:` namespace. Unknown keys are errors, every problem is
reported in one `ConfigError` with its config path and the fix, and secret fields must come
from secret config (`pulumi config set --secret`). Components never read `pulumi.Config`.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic.alias_generators import to_camel

from .controlplane import REGION_BASE_URLS, RESERVED_ENV_NAMES
from .revision import ResourceSpec

NAMESPACE = "dataplane"
KUBECONFIG_ENV = "DATAPLANE_KUBECONFIG"

DEFAULT_LISTENER_IMAGE = "docker.io/langchain/langsmith-backend:0.13.9"
DEFAULT_POSTGRES_IMAGE = "docker.io/pgvector/pgvector:0.8.0-pg15"
DEFAULT_REDIS_IMAGE = "docker.io/library/redis:7.4.2"
DEFAULT_SMITH_URL = "https://api.smith.langchain.com"


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

StoreMode = Literal["in-cluster", "external"]


class ConfigError(ValueError):
    """The stack config is wrong; the message lists every problem with its fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        n = len(problems)
        super().__init__(
            f"the stack config has {n} problem{'s' if n != 1 else ''}:\n{lines}\n"
            "See the configuration reference in README.md."
        )


class _Section(BaseModel):
    """Base of every config section: camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        use_attribute_docstrings=True,
    )


class ControlPlaneConfig(_Section):
    """Where the LangGraph control plane is and which listener this data plane is."""

    url: str | None = None
    """Explicit base URL; for self-hosted LangSmith include the `/api-host` prefix."""
    region: Literal["us", "eu", "apac", "aws-us"] | None = None
    """Hosted region, instead of `url`."""
    workspace_id: str | None = None
    """LangSmith workspace id, sent as `X-Tenant-Id` (needed for organisation-scoped keys)."""
    listener_compute_id: str
    """Name of this data plane's listener in the control plane (for example the cluster name)."""
    discover: bool = True
    """Serve every deployment bound to this listener; False serves only `deployments` entries."""
    smith_url: str = DEFAULT_SMITH_URL
    """LangSmith API endpoint given to the listener (`HOST_LANGCHAIN_API_ENDPOINT`)."""
    langsmith_endpoint: str | None = None
    """`LANGSMITH_ENDPOINT` for the servers; set it for a self-hosted LangSmith."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    """Timeout of one control-plane request."""

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/") if v else v

    @property
    def base_url(self) -> str:
        """The API base URL: the explicit one, or the region's."""
        if self.url:
            return self.url
        return REGION_BASE_URLS[self.region or "us"]


class NamespacesConfig(_Section):
    """The Kubernetes namespaces of this data plane."""

    names: list[str] = Field(default_factory=lambda: ["langgraph"], min_length=1)
    """Watched namespaces; the first one also holds the listener."""
    create: bool = True
    """Create them; False adopts namespaces that already exist."""

    @field_validator("names")
    @classmethod
    def _dns_labels(cls, v: list[str]) -> list[str]:
        bad = [n for n in v if not _DNS_LABEL.match(n) or len(n) > 63]
        if bad:
            raise ValueError(f"not valid namespace names: {bad} (lowercase, digits and '-')")
        if len(set(v)) != len(v):
            raise ValueError("names must be unique")
        return v


class ResourcesConfig(_Section):
    """Container requests and limits, as Kubernetes quantities."""

    cpu: str = "1000m"
    """CPU request."""
    memory: str = "2Gi"
    """Memory request."""
    cpu_limit: str = "2000m"
    """CPU limit."""
    memory_limit: str = "4Gi"
    """Memory limit."""

    def resources(self) -> dict[str, dict[str, str]]:
        """The container `resources` block."""
        return {
            "requests": {"cpu": self.cpu, "memory": self.memory},
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
        }


class ListenerConfig(_Section):
    """The data-plane listener workload, deployed when `reconciler` is `listener`."""

    image: str = DEFAULT_LISTENER_IMAGE
    """Listener image, pinned."""
    replicas: int = Field(default=1, ge=1)
    """Listener replicas."""
    resources: ResourcesConfig = ResourcesConfig()
    """Listener container resources."""


class ServersConfig(_Section):
    """Settings shared by every LangGraph server of this data plane."""

    queue_enabled: bool = True
    """Run queue workers beside the API pods (the API pods then run no jobs)."""
    jobs_per_worker: int = Field(default=10, ge=1)
    """`N_JOBS_PER_WORKER` of each queue worker."""
    read_only_root_filesystem: bool = True
    """Mount the server image read-only (with a writable /tmp)."""
    image_pull_secrets: list[str] = Field(default_factory=list)
    """Names of image pull Secrets in each namespace."""
    cpu_target_percent: int = Field(default=80, ge=1, le=100)
    """HPA target CPU utilisation."""
    pdb_max_unavailable: int = Field(default=1, ge=1)
    """PodDisruptionBudget `maxUnavailable` of the API pods."""
    min_replicas: int = Field(default=1, ge=1)
    """Floor on API and queue replicas, whatever the control plane's `min_scale` says (HA)."""


class PostgresConfig(_Section):
    """Defaults for each deployment's Postgres."""

    mode: StoreMode = "in-cluster"
    """`in-cluster` runs a StatefulSet; `external` reads a DSN from `externalPostgresUris`."""
    image: str = DEFAULT_POSTGRES_IMAGE
    """pgvector image, pinned."""
    storage_class: str | None = None
    """StorageClass of the data volume; the cluster default when unset."""
    deletion_protection: bool = True
    """Protect and retain the volume, its password and Secret. Only False allows deletion."""


class RedisConfig(_Section):
    """Defaults for each deployment's Redis and the listener's queue Redis."""

    mode: StoreMode = "in-cluster"
    """`in-cluster` runs a Redis Deployment; `external` reads a URL from `externalRedisUris`."""
    image: str = DEFAULT_REDIS_IMAGE
    """Redis image, pinned."""


def _check_spec_keys(spec: dict[str, Any]) -> dict[str, Any]:
    known = set(ResourceSpec.__dataclass_fields__)
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValueError(f"unknown resource_spec keys {unknown}; known: {sorted(known)}")
    bad = sorted(k for k, v in spec.items() if not isinstance(v, int | float) or v < 0)
    if bad:
        raise ValueError(f"resource_spec values must be non-negative numbers: {bad}")
    return spec


class StoreOverride(_Section):
    """A per-deployment choice of in-cluster or external store."""

    mode: StoreMode
    """`in-cluster` or `external`."""


class StaticRevisionConfig(_Section):
    """A revision described in stack config, served with no control-plane sync."""

    deployment_id: str
    """The control-plane deployment id (labels only)."""
    namespace: str
    """Namespace of the server; one of `namespaces.names`."""
    revision_id: str
    """Revision id (labels only)."""
    image: str
    """Server image, pinned."""
    resource_spec: dict[str, Any] = Field(default_factory=dict)
    """Sizing in control-plane `resource_spec` keys (snake_case)."""
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    """The revision's secrets, name to value; the whole `deployments` key must be secret."""

    @field_validator("resource_spec")
    @classmethod
    def _known_spec_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_spec_keys(v)

    @field_validator("secrets")
    @classmethod
    def _no_reserved(cls, v: dict[str, SecretStr]) -> dict[str, SecretStr]:
        reserved = sorted(set(v) & RESERVED_ENV_NAMES)
        if reserved:
            raise ValueError(f"{reserved} are reserved by the platform; rename them")
        return v


class DeploymentConfig(_Section):
    """Per-deployment settings, keyed by control-plane deployment name."""

    revision: str | None = None
    """Pin this revision id instead of following the active revision."""
    postgres: StoreOverride | None = None
    """Override `postgres.mode` for this deployment."""
    redis: StoreOverride | None = None
    """Override `redis.mode` for this deployment."""
    static: StaticRevisionConfig | None = None
    """Serve this revision as written, with no control-plane sync."""
    resource_spec: dict[str, Any] = Field(default_factory=dict)
    """Overrides merged over the control plane's `resource_spec` (snake_case keys)."""

    @field_validator("resource_spec")
    @classmethod
    def _known_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_spec_keys(v)


class StackConfig(_Section):
    """The whole `dataplane:` namespace of one stack."""

    control_plane: ControlPlaneConfig
    """Control-plane endpoint and listener identity."""
    api_key: SecretStr
    """LangSmith API key (secret)."""
    license_key: SecretStr
    """LangGraph licence key, `LANGGRAPH_CLOUD_LICENSE_KEY` (secret)."""
    reconciler: Literal["pulumi", "listener"] = "pulumi"
    """Who turns revisions into servers: Pulumi (`up`) or the in-cluster listener."""
    namespaces: NamespacesConfig = NamespacesConfig()
    """Kubernetes namespaces."""
    listener: ListenerConfig = ListenerConfig()
    """The listener workload, deployed when `reconciler` is `listener`."""
    servers: ServersConfig = ServersConfig()
    """Shared server settings."""
    postgres: PostgresConfig = PostgresConfig()
    """Postgres defaults."""
    redis: RedisConfig = RedisConfig()
    """Redis defaults."""
    deployments: dict[str, DeploymentConfig] = Field(default_factory=dict)
    """Per-deployment settings, by deployment name."""
    external_postgres_uris: dict[str, SecretStr] = Field(default_factory=dict)
    """Deployment name to Postgres DSN, for deployments in `external` mode (secret)."""
    external_redis_uris: dict[str, SecretStr] = Field(default_factory=dict)
    """Deployment name (or `listener`) to Redis URL, for `external` mode (secret)."""
    kubeconfig: str | None = None
    """Path of a kubeconfig to apply to; unset renders manifests to `renderDir` instead."""
    render_dir: str = ".work/manifests"
    """Where manifests are written when no kubeconfig is set (holds Secrets in plain text)."""

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

    def check_served(self, names: Iterable[str]) -> None:
        """Check that each served deployment has the external URIs its modes need."""
        problems = [p for name in names for p in self._store_problems(name)]
        if problems:
            raise ConfigError(problems)

    def _store_problems(self, name: str) -> list[str]:
        problems = []
        if self.postgres_mode(name) == "external" and name not in self.external_postgres_uris:
            problems.append(
                f"{NAMESPACE}:externalPostgresUris.{name}: missing; deployment {name!r} uses an "
                "external Postgres. Fix: pulumi config set --secret --path "
                f"'{NAMESPACE}:externalPostgresUris.{name}' 'postgresql://user:pass@host:5432/db'"
            )
        if self.redis_mode(name) == "external" and name not in self.external_redis_uris:
            problems.append(
                f"{NAMESPACE}:externalRedisUris.{name}: missing; deployment {name!r} uses an "
                "external Redis. Fix: pulumi config set --secret --path "
                f"'{NAMESPACE}:externalRedisUris.{name}' 'redis://:pass@host:6379/0'"
            )
        return problems


# Keys whose values are credentials: they must come from secret config.
_SECRET_KEYS = ("apiKey", "licenseKey", "externalPostgresUris", "externalRedisUris")

_FIXES: dict[str, str] = {
    "apiKey": f"pulumi config set --secret {NAMESPACE}:apiKey <LangSmith API key>",
    "licenseKey": f"pulumi config set --secret {NAMESPACE}:licenseKey <LangGraph licence key>",
    "controlPlane": (
        f"set {NAMESPACE}:controlPlane with `listenerComputeId` and `url` or `region`"
    ),
    "controlPlane.listenerComputeId": (
        f"pulumi config set --path {NAMESPACE}:controlPlane.listenerComputeId <cluster name>"
    ),
}


def parse_stack_config(raw: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> StackConfig:
    """Validate the `dataplane:` config into a `StackConfig`, or raise one `ConfigError`.

    `raw` maps keys without the namespace (`controlPlane`) to values: strings as Pulumi hands
    them over, JSON text for objects, or already-parsed objects. `secret_keys` names the keys
    that were set as secrets.
    """
    values = {key: _decode(value) for key, value in raw.items()}
    problems: list[str] = []

    known = {f.alias or name for name, f in StackConfig.model_fields.items()}
    for key in sorted(set(values) - known):
        problems.append(
            f"{NAMESPACE}:{key}: unknown key. Fix: remove it or correct the spelling "
            f"(known keys: {', '.join(sorted(known))})."
        )
        values.pop(key)

    secret = set(secret_keys)
    for key in _SECRET_KEYS:
        if key in values and key not in secret:
            problems.append(
                f"{NAMESPACE}:{key}: is stored in plain text. Fix: set it again with "
                f"`pulumi config set --secret{' --path' if key.startswith('external') else ''} "
                f"{NAMESPACE}:{key}...` and remove the plain value from the stack file."
            )
    static_secrets = _has_static_secrets(values.get("deployments"))
    if static_secrets and "deployments" not in secret:
        problems.append(
            f"{NAMESPACE}:deployments: static revision secrets are stored in plain text. "
            "Fix: set each with `pulumi config set --secret --path "
            f"'{NAMESPACE}:deployments.<name>.static.secrets.<NAME>' <value>`."
        )

    config = _validate(values, problems)
    if config is not None:
        problems.extend(_cross_checks(config))
    if problems:
        raise ConfigError(problems)
    assert config is not None
    return config


def load_stack_config() -> StackConfig:
    """Read the running stack's `dataplane:` config through the Pulumi runtime."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{NAMESPACE}:"
    raw = {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}
    secret = [k for k in raw if runtime_config.is_config_secret(prefix + k)]
    secret += [
        k[len(prefix) :]
        for k in runtime_config.get_config_secret_keys_env()
        if k.startswith(prefix)
    ]
    # The one environment switch: apply to a local cluster without editing the stack file.
    if os.environ.get(KUBECONFIG_ENV):
        raw["kubeconfig"] = os.environ[KUBECONFIG_ENV]
    return parse_stack_config(raw, secret)


def _decode(value: Any) -> Any:
    """Pulumi hands structured config over as JSON text; scalars stay strings."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _has_static_secrets(deployments: Any) -> bool:
    if not isinstance(deployments, dict):
        return False
    return any(
        isinstance(d, dict)
        and isinstance(d.get("static"), dict)
        and bool(d["static"].get("secrets"))
        for d in deployments.values()
    )


def _validate(values: dict[str, Any], problems: list[str]) -> StackConfig | None:
    """Validate; on errors, record them and retry without the faulty parts.

    The retry lets the cross-field checks run on what is valid, so one error lists every
    problem rather than only the first layer of them.
    """
    try:
        return StackConfig.model_validate(values)
    except ValidationError as exc:
        errors = exc.errors()
    problems.extend(_describe(err) for err in errors)
    trimmed = copy.deepcopy(values)
    for err in errors:
        # Drop the faulty value; a missing key takes the object that misses it along.
        loc = list(err["loc"][:-1] if err["type"] == "missing" else err["loc"])
        _drop(trimmed, loc)
    try:
        return StackConfig.model_validate(trimmed)
    except ValidationError:
        return None  # a required key is missing or wrong: already reported


def _drop(tree: Any, loc: list[Any]) -> None:
    for part in loc[:-1]:
        if not isinstance(tree, dict) or part not in tree:
            return
        tree = tree[part]
    if loc and isinstance(tree, dict):
        tree.pop(loc[-1], None)


# Parts of a config path under which values are credentials and never echoed.
_SECRET_PATH_PARTS = frozenset({*_SECRET_KEYS, "secrets"})


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    path = f"{NAMESPACE}:{loc}"
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key. Fix: remove it or correct the spelling."
    if kind == "missing":
        fix = _FIXES.get(loc, "add it")
        return f"{path}: required but missing. Fix: {fix}."
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    secret = any(str(p) in _SECRET_PATH_PARTS for p in err["loc"])
    if secret or isinstance(value, dict | list):
        return f"{path}: {msg}."
    return f"{path}: {msg} (got {value!r})."


def _cross_checks(config: StackConfig) -> list[str]:
    problems: list[str] = []
    cp = config.control_plane
    if cp.url and cp.region:
        problems.append(
            f"{NAMESPACE}:controlPlane: both `url` and `region` are set. Fix: keep one of them."
        )
    watched = set(config.namespaces.names)
    for name, entry in config.deployments.items():
        path = f"{NAMESPACE}:deployments.{name}"
        if not _DNS_LABEL.match(name) or len(name) > 40:
            problems.append(
                f"{path}: deployment names used here must be lowercase DNS labels of at most "
                "40 characters (Kubernetes names derive from them)."
            )
        if entry.static and entry.revision:
            problems.append(
                f"{path}: `revision` pins a control-plane revision but `static` describes one "
                "by hand. Fix: keep one of them."
            )
        if entry.static and entry.static.namespace not in watched:
            problems.append(
                f"{path}.static.namespace: {entry.static.namespace!r} is not in "
                f"namespaces.names {sorted(watched)}. Fix: add it there or change it."
            )
    listener_redis_external = config.reconciler == "listener" and config.redis.mode == "external"
    if listener_redis_external and "listener" not in config.external_redis_uris:
        problems.append(
            f"{NAMESPACE}:externalRedisUris.listener: missing; the listener's queue uses an "
            "external Redis. Fix: pulumi config set --secret --path "
            f"'{NAMESPACE}:externalRedisUris.listener' 'redis://:pass@host:6379/0'"
        )
    static_names = [n for n, e in config.deployments.items() if e.static]
    problems.extend(p for n in static_names for p in config._store_problems(n))
    uri_kinds = (
        ("externalPostgresUris", config.external_postgres_uris, ("postgres://", "postgresql://")),
        ("externalRedisUris", config.external_redis_uris, ("redis://", "rediss://")),
    )
    for key, uris, schemes in uri_kinds:
        for name, uri in uris.items():
            if not uri.get_secret_value().startswith(schemes):
                problems.append(
                    f"{NAMESPACE}:{key}.{name}: must start with {' or '.join(schemes)} "
                    "(value hidden)."
                )
    return problems
