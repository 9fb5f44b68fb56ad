"""The sections of the `dataplane:` namespace, with their defaults (besides the pod settings in
`kubernetes_shapes` and the deployments in `schema`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from ..controlplane import REGION_BASE_URLS
from ..controlplane.client import (
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_DISCOVERY_DEADLINE_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
)
from ..controlplane.derive import derived_base_url, derived_smith_url, langsmith_url_problem
from ..core.defaults import (
    DEFAULT_NAMESPACES,
    DEFAULT_REGION,
    MONGO_IMAGE,
    MONGO_MODE,
    POSTGRES_IMAGE,
    REDIS_IMAGE,
    STORE_MODE,
)
from ..core.images import registry_problem
from ..core.urls import api_root, api_root_problem
from ..spec.args import (
    AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
    CPU_TARGET_PERCENT,
    CREATE_NAMESPACES,
    DELETION_PROTECTION,
    DRAIN_SECONDS,
    JOBS_PER_WORKER,
    KEDA_COOLDOWN_PERIOD,
    KEDA_POLLING_INTERVAL,
    KEDA_SCALE_DOWN_WINDOW,
    LISTENER_IMAGE,
    LISTENER_REPLICAS,
    MONGO_STORAGE_GI,
    OPERATOR_CHART_REPOSITORY,
    PDB_MAX_UNAVAILABLE,
    PREFLIGHT_TIMEOUT_SECONDS,
    QUEUE_ENABLED,
    READ_ONLY_ROOT_FILESYSTEM,
    SMITH_URL,
)
from .fields import (
    API_ID,
    CONTROL_PLANE_URL_ENV,
    DNS_LABEL,
    DNS_NAME,
    PATH_SEGMENT,
    Annotations,
    Int32,
    ObjectName,
    PinnedImage,
    Section,
    invalid,
    object_name,
)
from .kubernetes_shapes import ResourcesConfig
from .validators import (
    MAX_WAIT_SECONDS,
    ChartRepository,
    HttpUrl,
    MongoMode,
    StoreMode,
    store_image,
)


class ControlPlaneConfig(Section):
    """Where the LangGraph control plane is and which listener this data plane is."""

    url: HttpUrl | None = None
    """Explicit base URL; for self-hosted LangSmith include the `/api-host` prefix. The control
    plane is the first of: `url` (or `region`), the environment's
    `LANGSMITH_CONTROL_PLANE_URL`, the one `langsmithUrl` derives, the `us` region."""
    region: Literal["us", "eu", "apac", "aws-us"] | None = None
    """Hosted region, instead of `url`."""
    langsmith_url: HttpUrl | None = None
    """The LangSmith API URL you already have, to derive the control plane from instead of
    `url`: `https://api.smith.langchain.com` (or the EU `https://eu.api.smith.langchain.com`)
    gives its region's control plane; a self-hosted one gives `<its origin>/api-host`, and
    `smithUrl` `<its origin>/api/v1`."""
    workspace_id: str | None = None
    """LangSmith workspace id, sent as `X-Tenant-Id` (needed for organisation-scoped keys)."""
    listener_compute_id: str = Field(min_length=1, max_length=253)
    """Name of this data plane's listener in the control plane (for example the cluster name)."""
    discover: bool = True
    """Serve every deployment bound to this listener; False serves only `deployments` entries."""
    smith_url: HttpUrl | None = None
    """LangSmith API endpoint given to the listener (`HOST_LANGCHAIN_API_ENDPOINT`). Unset: the
    one a self-hosted `langsmithUrl` derives, else the hosted LangSmith's."""
    langsmith_endpoint: HttpUrl | None = None
    """`LANGSMITH_ENDPOINT` for the servers; set it for a self-hosted LangSmith."""
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=MAX_WAIT_SECONDS)
    """Longest wait for a connection, and for each read or write, of one control-plane
    request, in seconds: above 0, at most 3600 (an hour)."""
    deadline_seconds: float = Field(default=DEFAULT_DEADLINE_SECONDS, gt=0, le=MAX_WAIT_SECONDS)
    """Longest time one control-plane call may take in all: every retry, backoff, `Retry-After`
    and slow answer included. Then it fails as `unavailable`. In seconds: above 0, at most 3600
    (an hour)."""
    discovery_deadline_seconds: float = Field(
        default=DEFAULT_DISCOVERY_DEADLINE_SECONDS, gt=0, le=MAX_WAIT_SECONDS
    )
    """Longest time the discovery at the start of each preview and up may take in all (the
    listener and deployment lists, every page), in seconds: above 0, at most 3600 (an hour)."""
    _env_url: str | None = PrivateAttr(default=None)
    # `LANGSMITH_CONTROL_PLANE_URL` as loaded, in `api_root`'s spelling (not a stack-file key).

    @field_validator("url")
    @classmethod
    def _api_root(cls, v: str | None) -> str | None:
        if v is None:
            return v
        problem = api_root_problem(v)
        if problem:
            invalid(
                problem,
                "give the API's root: `https://api.host.langchain.com` (or `region`), or for "
                "a self-hosted LangSmith `https://<host>/api-host`",
            )
        return api_root(v)

    @field_validator("langsmith_url")
    @classmethod
    def _known_langsmith(cls, v: str | None) -> str | None:
        problem = v and langsmith_url_problem(v)
        if problem:
            invalid(
                problem,
                "for a hosted region set `region` (us, eu, apac, aws-us) instead, or give the "
                "control plane's `url`",
            )
        return v

    @field_validator("workspace_id")
    @classmethod
    def _workspace_uuid(cls, v: str | None) -> str | None:
        # Sent as a header: one token (LangSmith's ids are UUIDs).
        if v is not None and not API_ID.match(v):
            invalid(
                "is not a workspace id",
                "use the workspace's UUID from LangSmith (Settings > Workspaces), e.g. "
                "`5f3c2a9e-6b1d-4c8e-9a7f-2d4b6e8c0a13`",
            )
        return v

    @field_validator("listener_compute_id")
    @classmethod
    def _compute_id(cls, v: str) -> str:
        if not API_ID.match(v) and not (len(v) <= 253 and DNS_NAME.match(v)):
            invalid(
                "is not a listener name",
                "use letters, digits, `-`, `_` and `.`, e.g. the cluster's name `prod-eks`",
            )
        return v

    @model_validator(mode="after")
    def _environment(self, info: ValidationInfo) -> ControlPlaneConfig:
        # The environment is read where the settings are loaded, and handed over here already
        # checked (`parse_stack_config`): the config itself never reads it.
        context = info.context if isinstance(info.context, dict) else {}
        self._env_url = context.get(CONTROL_PLANE_URL_ENV)
        return self

    @property
    def base_url(self) -> str:
        """The API base URL, in the order of LangChain's Terraform provider: the explicit one
        (`url`, or `region`'s), then `LANGSMITH_CONTROL_PLANE_URL`, then the one `langsmithUrl`
        derives, then the `us` region's."""
        if self.url:
            return self.url
        if self.region:
            return REGION_BASE_URLS[self.region]
        if self._env_url:
            return self._env_url
        if self.langsmith_url:
            return derived_base_url(self.langsmith_url)
        return REGION_BASE_URLS[DEFAULT_REGION]

    @property
    def listener_smith_url(self) -> str:
        """The listener's LangSmith API: `smithUrl`, else the one a self-hosted `langsmithUrl`
        derives, else the hosted LangSmith's."""
        derived = derived_smith_url(self.langsmith_url) if self.langsmith_url else None
        return self.smith_url or derived or SMITH_URL


class NamespacesConfig(Section):
    """The Kubernetes namespaces of this data plane."""

    names: list[str] = Field(default_factory=lambda: list(DEFAULT_NAMESPACES), min_length=1)
    """Watched namespaces; the first one also holds the listener."""
    create: bool = CREATE_NAMESPACES
    """Create them; False adopts namespaces that already exist."""

    @field_validator("names")
    @classmethod
    def _dns_labels(cls, v: list[str]) -> list[str]:
        bad = [n for n in v if not DNS_LABEL.match(n) or len(n) > 63]
        if bad:
            invalid(
                f"not valid namespace names: {bad} (lowercase, digits and '-')",
                "use lowercase DNS labels of at most 63 characters, e.g. `langgraph`",
            )
        if len(set(v)) != len(v):
            invalid("names must be unique", "list each namespace once")
        return v


class ImagesConfig(Section):
    """Where every image comes from: private registries and air-gapped clusters."""

    registry: str | None = None
    """Registry prefix for every image (listener, servers, Postgres, Redis, sidecars, revision
    images from the control plane): the image's own registry is replaced, so
    `docker.io/library/redis:7.4.2` becomes `<registry>/library/redis:7.4.2` (Docker Hub's implied
    `docker.io` and `library/` made explicit first). Unset: images as given."""
    pull_secrets: list[str] = Field(default_factory=list)
    """Image pull Secrets (names, present in each namespace) for every workload."""
    pull_policy: Literal["IfNotPresent", "Always", "Never"] | None = None
    """`imagePullPolicy` of every container; the Kubernetes default when unset."""

    @field_validator("pull_secrets")
    @classmethod
    def _secret_names(cls, v: list[str]) -> list[str]:
        for name in v:
            object_name(name)
        return v

    @field_validator("registry")
    @classmethod
    def _registry(cls, v: str | None) -> str | None:
        problem = registry_problem(v) if v is not None else None
        if problem:
            invalid(
                problem,
                "write a registry host and optional path, e.g. `registry.example.com/mirror`",
            )
        return v


class ServiceAccountConfig(Section):
    """The Kubernetes ServiceAccount the servers run as (workload identity)."""

    name: str | None = None
    """With `annotations`: the name of the ServiceAccount created per deployment (default: the
    deployment name). Without: an existing ServiceAccount to run as."""
    annotations: Annotations = Field(default_factory=dict)
    """Create a ServiceAccount for each deployment with these annotations (IRSA
    `eks.amazonaws.com/role-arn`, GKE `iam.gke.io/gcp-service-account`, Azure
    `azure.workload.identity/client-id`)."""
    automount_token: bool = AUTOMOUNT_SERVICE_ACCOUNT_TOKEN
    """Mount the ServiceAccount token in the server pods (the servers do not call the
    Kubernetes API)."""

    @field_validator("name")
    @classmethod
    def _dns_name(cls, v: str | None) -> str | None:
        if v is not None and (not DNS_NAME.match(v) or len(v) > 253):
            invalid(
                "not a valid ServiceAccount name", "use a lowercase DNS name such as `agents-sa`"
            )
        return v


class _RouteConfig(Section):
    """What every kind of route shares: the public host and the path layout."""

    enabled: bool = False
    """Expose every server through this kind of route."""
    hostname: str | None = None
    """Public host name of the servers; required when enabled."""
    base_path: str = ""
    """Path before each deployment's name: a server is at
    `<scheme>://<hostname>/<basePath>/<deployment>`."""
    scheme: Literal["https", "http"] = "https"
    """Scheme of the public URLs (https when TLS terminates at the route or in front of it)."""

    @field_validator("hostname")
    @classmethod
    def _host(cls, v: str | None) -> str | None:
        if v is not None and (not DNS_NAME.match(v) or len(v) > 253):
            invalid(
                "not a valid host name (lowercase DNS name, no scheme or path)",
                "write the host alone, e.g. `agents.example.com`",
            )
        return v

    @field_validator("base_path")
    @classmethod
    def _path(cls, v: str) -> str:
        segments = [s for s in v.split("/") if s]
        bad = [s for s in segments if not PATH_SEGMENT.match(s) or s in {".", ".."}]
        if bad:
            invalid(
                f"not valid path segments: {bad}",
                "use letters, digits, `-`, `_`, `.` and `~` between slashes, e.g. `langgraph`",
            )
        return "/".join(segments)

    def path_for(self, deployment: str) -> str:
        """The URL path of one deployment's server (its `MOUNT_PREFIX`)."""
        return "/" + "/".join(s for s in (self.base_path, deployment) if s)

    def url_for(self, deployment: str) -> str:
        """The public URL of one deployment's server, for its `custom_url`."""
        return f"{self.scheme}://{self.hostname}{self.path_for(deployment)}"


class IngressRouteConfig(_RouteConfig):
    """A Kubernetes Ingress, one per namespace, with a path per server."""

    class_name: ObjectName = None
    """`ingressClassName`; the cluster default class when unset."""
    tls_secret_name: ObjectName = None
    """TLS Secret of `hostname` in each namespace with servers (filled by cert-manager when
    `clusterIssuer` is set; default then `<hostname>-tls`)."""
    cluster_issuer: ObjectName = None
    """cert-manager ClusterIssuer that issues the certificate (`cert-manager.io/cluster-issuer`)."""
    annotations: Annotations = Field(default_factory=dict)
    """Extra annotations of the Ingress (controller settings)."""

    @property
    def tls_secret(self) -> str | None:
        """The TLS Secret the Ingress names, if TLS terminates at the Ingress."""
        if self.tls_secret_name or not self.cluster_issuer or not self.hostname:
            return self.tls_secret_name
        return self.hostname.replace(".", "-")[:59].rstrip("-") + "-tls"


class GatewayRouteConfig(_RouteConfig):
    """A Gateway API HTTPRoute per server, attached to an existing Gateway."""

    gateway_name: ObjectName = None
    """Name of the parent Gateway; required when enabled."""
    gateway_namespace: ObjectName = None
    """Namespace of the parent Gateway; the server's namespace when unset."""
    section_name: ObjectName = None
    """Listener of the Gateway to attach to (`sectionName`); all listeners when unset."""


class IstioRouteConfig(_RouteConfig):
    """An Istio VirtualService per server, bound to an existing Istio Gateway."""

    gateway_name: ObjectName = None
    """Name of the Istio Gateway; required when enabled."""
    gateway_namespace: ObjectName = None
    """Namespace of the Istio Gateway; the server's namespace when unset."""


RouteConfig = IngressRouteConfig | GatewayRouteConfig | IstioRouteConfig


class ExposureConfig(Section):
    """How the servers are reached from outside the cluster: at most one kind of route."""

    ingress: IngressRouteConfig = IngressRouteConfig()
    """A Kubernetes Ingress."""
    gateway: GatewayRouteConfig = GatewayRouteConfig()
    """Gateway API HTTPRoutes (`gateway.networking.k8s.io/v1`)."""
    istio: IstioRouteConfig = IstioRouteConfig()
    """Istio VirtualServices (`networking.istio.io/v1`)."""

    def enabled(self) -> list[str]:
        """The kinds of route that are enabled."""
        return [k for k in ("ingress", "gateway", "istio") if getattr(self, k).enabled]

    def route(self) -> RouteConfig | None:
        """The one enabled route, or None when the servers stay in-cluster."""
        kinds = self.enabled()
        if len(kinds) > 1:
            raise ValueError(f"exposure: {kinds} are all enabled; keep one")
        route: RouteConfig | None = getattr(self, kinds[0]) if kinds else None
        return route


class PreflightConfig(Section):
    """An opt-in check of the external stores, before anything is declared."""

    enabled: bool = False
    """At every preview and up, connect to each `externalPostgresUris` and `externalRedisUris`
    entry and report its version (and Postgres's missing extensions); fail on a version below
    today's minimums, a missing extension or no connection."""
    timeout_seconds: float = Field(default=PREFLIGHT_TIMEOUT_SECONDS, gt=0, le=MAX_WAIT_SECONDS)
    """Longest wait to connect to one store, in seconds: above 0, at most 3600 (an hour)."""


class OperatorChartConfig(Section):
    """Where the official `langgraph-dataplane` chart (at the version this package pins) is."""

    repository: ChartRepository = OPERATOR_CHART_REPOSITORY
    """Helm chart repository to fetch it from: LangChain's, a mirror of it, or an OCI registry
    path the chart was pushed to (`oci://registry.example.com/helm-charts`)."""
    path: str | None = None
    """A local chart archive (`.tgz`) instead, for offline runs; checked against the
    `SHA256SUMS` file beside it before anything is declared."""


class OperatorConfig(Section):
    """LangChain's operator and its `lgps.apps.langchain.ai` CRD, installed beside the listener
    (`reconciler: listener`) from the official chart."""

    chart: OperatorChartConfig = OperatorChartConfig()
    """Where the chart comes from."""


class ListenerWorkloadConfig(Section):
    """The data-plane listener workload, deployed when `reconciler` is `listener`."""

    image: PinnedImage = LISTENER_IMAGE
    """Listener image, pinned."""
    replicas: Int32 = Field(default=LISTENER_REPLICAS, ge=1)
    """Listener replicas, at least 1."""
    resources: ResourcesConfig = ResourcesConfig()
    """Listener container resources."""
    service_account_annotations: Annotations = Field(default_factory=dict)
    """Annotations of the listener's ServiceAccount (workload identity)."""


class KedaConfig(Section):
    """A KEDA `ScaledObject` for the queue workers, as the `langgraph-cloud` chart makes it."""

    enabled: bool = False
    """Scale the queue workers with KEDA on pending runs (and CPU) instead of their HPA; needs
    KEDA installed in the cluster."""
    polling_interval: Int32 = Field(default=KEDA_POLLING_INTERVAL, ge=1)
    """`pollingInterval`, in seconds: at least 1."""
    cooldown_period: Int32 = Field(default=KEDA_COOLDOWN_PERIOD, ge=0)
    """`cooldownPeriod`, in seconds: 0 or more."""
    scale_down_stabilization_window_seconds: Int32 = Field(
        default=KEDA_SCALE_DOWN_WINDOW, ge=0, le=3600
    )
    """Scale-down stabilisation window of the HPA that KEDA makes, in seconds: 0 to 3600 (an
    hour, the most Kubernetes takes)."""


class ServersConfig(Section):
    """Settings shared by every LangGraph server of this data plane."""

    queue_enabled: bool = QUEUE_ENABLED
    """Run queue workers beside the API pods (the API pods then run no jobs)."""
    jobs_per_worker: Int32 = Field(default=JOBS_PER_WORKER, ge=1)
    """`N_JOBS_PER_WORKER` of each queue worker, at least 1."""
    read_only_root_filesystem: bool = READ_ONLY_ROOT_FILESYSTEM
    """Mount the server image read-only (with a writable /tmp)."""
    image_pull_secrets: list[str] = Field(default_factory=list)
    """Image pull Secrets of the server pods only, after `images.pullSecrets`."""
    cpu_target_percent: int = Field(default=CPU_TARGET_PERCENT, ge=1, le=100)
    """HPA target CPU utilisation, in percent: 1 to 100."""
    pdb_max_unavailable: Int32 = Field(default=PDB_MAX_UNAVAILABLE, ge=1)
    """PodDisruptionBudget `maxUnavailable` of the API pods, at least 1."""
    drain_seconds: int = Field(default=DRAIN_SECONDS, ge=0, le=3600)
    """Seconds an API pod keeps serving after it is told to stop (a preStop sleep), so that
    every node's kube-proxy has dropped it from its Service first: a rollout then fails no
    request. 0 to 3600, and below the API pods' `terminationGracePeriodSeconds`; 0 turns it
    off."""
    min_replicas: Int32 = Field(default=1, ge=1)
    """Floor on API and queue replicas, whatever the control plane's `min_scale` says (HA); at
    least 1."""
    service_account: ServiceAccountConfig = ServiceAccountConfig()
    """ServiceAccount of the servers; unset runs them as the namespace's default, without a token.
    """
    queue_keda: KedaConfig = KedaConfig()
    """KEDA autoscaling of the queue workers on pending runs, only when enabled."""


class PostgresConfig(Section):
    """Defaults for each deployment's Postgres."""

    mode: StoreMode = STORE_MODE
    """`in-cluster` runs a StatefulSet; `external` reads a DSN from `externalPostgresUris`."""
    image: Annotated[PinnedImage, store_image("postgres")] = POSTGRES_IMAGE
    """pgvector image, pinned: Postgres 14 or newer (16 recommended for new databases; the
    default stays 15, since a major version cannot start an older one's data)."""
    storage_class: str | None = None
    """StorageClass of the data volume; the cluster default when unset."""
    deletion_protection: bool = DELETION_PROTECTION
    """Protect and retain the volume, its password and Secret. Only False allows deletion."""


class RedisConfig(Section):
    """Defaults for each deployment's Redis and the listener's queue Redis."""

    mode: StoreMode = STORE_MODE
    """`in-cluster` runs a Redis Deployment; `external` reads a URL from `externalRedisUris`."""
    image: Annotated[PinnedImage, store_image("redis")] = REDIS_IMAGE
    """Redis image, pinned: Redis 6.2 or newer, or Valkey 8 or newer."""


class MongoConfig(Section):
    """The optional Mongo checkpointer of each deployment (`LS_DEFAULT_CHECKPOINTER_BACKEND`)."""

    mode: MongoMode = MONGO_MODE
    """`none` keeps the Postgres checkpointer; `in-cluster` runs a single-node replica set
    StatefulSet per deployment; `external` reads a URI from `externalMongoUris`."""
    image: PinnedImage = MONGO_IMAGE
    """MongoDB image, pinned."""
    storage_gi: Int32 = Field(default=MONGO_STORAGE_GI, ge=1)
    """Size of the in-cluster data volume, in GiB: at least 1."""
    storage_class: str | None = None
    """StorageClass of the data volume; the cluster default when unset."""


class MongoOverride(Section):
    """A per-deployment choice of Mongo checkpointer."""

    mode: MongoMode
    """`none`, `in-cluster` or `external`."""


class StoreOverride(Section):
    """A per-deployment choice of in-cluster or external store."""

    mode: StoreMode
    """`in-cluster` or `external`."""
