"""The typed inputs of every component, and the defaults they share with the stack config.

The plan (`plan.py`) builds these from the stack config; each component takes its own. They
hold plain data and Pulumi inputs only, and this module imports no Kubernetes SDK, so the
plan stays pure. A default written here is the stack config's default too: the config
models import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from ..core.defaults import MONGO_IMAGE as MONGO_IMAGE
from ..core.defaults import POSTGRES_IMAGE as POSTGRES_IMAGE
from ..core.defaults import REDIS_IMAGE as REDIS_IMAGE
from ..core.kube import CLUSTER_DOMAIN
from .revision import RevisionSpec, Sizing
from .workload import PodExtras

# --- Defaults, written once ---

# The listener of the same chart as the operator (tests/unit/test_operator.py checks both).
LISTENER_IMAGE = "docker.io/langchain/langsmith-backend:0.16.36"
# The stores' images are in `defaults.py`, which the policy pack reads too.
# LangChain's operator beside the listener, from the official chart at this version (its
# image is the chart's default; tests/unit/test_operator.py reads the chart to keep them equal).
OPERATOR_CHART = "langgraph-dataplane"
OPERATOR_CHART_VERSION = "0.2.22"
OPERATOR_CHART_REPOSITORY = "https://langchain-ai.github.io/helm"
OPERATOR_IMAGE = "docker.io/langchain/langgraph-operator:0.1.36"
MONGO_STORAGE_GI = 8
PREFLIGHT_TIMEOUT_SECONDS = 10.0
KEDA_POLLING_INTERVAL = 30
KEDA_COOLDOWN_PERIOD = 300
KEDA_SCALE_DOWN_WINDOW = 300
SMITH_URL = "https://api.smith.langchain.com"
LISTENER_REPLICAS = 1
LISTENER_CPU, LISTENER_MEMORY = "1000m", "2Gi"
LISTENER_CPU_LIMIT, LISTENER_MEMORY_LIMIT = "2000m", "4Gi"
QUEUE_ENABLED = True
JOBS_PER_WORKER = 10
READ_ONLY_ROOT_FILESYSTEM = True
CPU_TARGET_PERCENT = 80
PDB_MAX_UNAVAILABLE = 1
DRAIN_SECONDS = 10
TERMINATION_GRACE_SECONDS = 30
"""Kubernetes' own default of `terminationGracePeriodSeconds`."""
AUTOMOUNT_SERVICE_ACCOUNT_TOKEN = False
DELETION_PROTECTION = True
CREATE_NAMESPACES = True
REDIS_MEMORY_MB = Sizing().redis_memory_mb

LISTENER_ROLE = "listener"
SERVER_PORT = 8000
SERVER_PORT_NAME = "api-server"
"""The name of the servers' port, on their containers and Services."""
"""The port of every LangGraph server's API (its Service and its container)."""


def listener_instance(dataplane: str) -> str:
    """The listener's resource name (and instance) inside the DataPlane named `dataplane`."""
    return f"{dataplane}-{LISTENER_ROLE}"


def container_resources(
    cpu: str, memory: str, cpu_limit: str, memory_limit: str
) -> dict[str, dict[str, str]]:
    """A container `resources` block."""
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"cpu": cpu_limit, "memory": memory_limit},
    }


@dataclass
class ListenerArgs:
    """Inputs of `Listener`."""

    namespace: str
    """Namespace of the listener workload."""
    listener_id: pulumi.Input[str]
    """The listener id registered in the control plane (`HOST_WORKER_LISTENER_ID`)."""
    control_plane_url: str
    """Control-plane API base URL (`HOST_BACKEND_ENDPOINT`)."""
    api_key: pulumi.Input[str]
    """LangSmith API key (secret)."""
    redis_uri: pulumi.Input[str] | None = None
    """The listener's queue Redis (`REDIS_DATABASE_URI`, secret); required when enabled."""
    watched_namespaces: list[str] = field(default_factory=list)
    """Namespaces the listener reconciles; each gets a Role and RoleBinding."""
    workspace_id: str | None = None
    """LangSmith workspace id (`HOST_WORKER_TENANT_ID`)."""
    smith_url: str = SMITH_URL
    """LangSmith API endpoint (`HOST_LANGCHAIN_API_ENDPOINT`)."""
    enabled: bool = True
    """Deploy the listener workload; False keeps only the registration id."""
    image: str = LISTENER_IMAGE
    """Listener image, pinned."""
    replicas: int = LISTENER_REPLICAS
    """Listener replicas."""
    resources: dict[str, dict[str, str]] = field(
        default_factory=lambda: container_resources(
            LISTENER_CPU, LISTENER_MEMORY, LISTENER_CPU_LIMIT, LISTENER_MEMORY_LIMIT
        )
    )
    """Container requests and limits."""
    service_account_annotations: dict[str, str] = field(default_factory=dict)
    """Annotations of the listener's ServiceAccount (workload identity)."""
    pod: PodExtras = field(default_factory=PodExtras)
    """Placement, metadata and additions of the listener pods."""
    cluster_domain: str = CLUSTER_DOMAIN
    """DNS domain of the cluster (`HOSTED_K8S_CLUSTER_DOMAIN`)."""


@dataclass
class ChartSource:
    """Where Helm finds a chart: a local archive, or a chart repository."""

    chart: str
    """A local `.tgz` path, the chart's name in `repository`, or an OCI chart's full
    reference (`oci://host/path/<chart>`)."""
    version: str | None = None
    """The chart version in `repository` or the OCI registry; None for a local archive."""
    repository: str | None = None
    """The http(s) chart repository URL; None for a local archive or an OCI chart."""


@dataclass
class OperatorArgs:
    """Inputs of `Operator`: LangChain's operator and its `lgps.apps.langchain.ai` CRD,
    rendered from the official `langgraph-dataplane` chart (only its operator part)."""

    namespace: str
    """Namespace of the operator (the listener's)."""
    watched_namespaces: list[str]
    """Namespaces whose `LGP` resources it reconciles; each gets its Role and RoleBinding."""
    chart: ChartSource = field(
        default_factory=lambda: ChartSource(
            OPERATOR_CHART, OPERATOR_CHART_VERSION, OPERATOR_CHART_REPOSITORY
        )
    )
    """Where the chart comes from."""
    image: str = OPERATOR_IMAGE
    """Operator image, pinned (rewritten to the registry mirror by the plan)."""
    keda_enabled: bool = False
    """Let the operator make KEDA ScaledObjects (needs KEDA in the cluster)."""
    image_pull_secrets: list[str] = field(default_factory=list)
    """Image pull Secret names."""
    image_pull_policy: str | None = None
    """`imagePullPolicy`; the chart's default when None."""
    cluster_domain: str = CLUSTER_DOMAIN
    """DNS domain of the cluster."""
    common_labels: dict[str, str] = field(default_factory=dict)
    """Labels on every object of the chart."""
    common_annotations: dict[str, str] = field(default_factory=dict)
    """Annotations on every object of the chart."""


@dataclass
class LangGraphServerArgs:
    """Inputs of `LangGraphServer`."""

    namespace: str
    """Namespace of the server's objects."""
    revision: RevisionSpec
    """The deployment and revision to run."""
    api_key: pulumi.Input[str] | None
    """`LANGSMITH_API_KEY` (secret); None sets none (a standalone server without tracing)."""
    license_key: pulumi.Input[str]
    """`LANGGRAPH_CLOUD_LICENSE_KEY` (secret)."""
    database_uri: pulumi.Input[str] | None = None
    """`DATABASE_URI` (secret); required. `DataPlane` sets it to the deployment's Postgres."""
    redis_uri: pulumi.Input[str] | None = None
    """`REDIS_URI` (secret); required. `DataPlane` sets it to the deployment's Redis."""
    mongo_uri: pulumi.Input[str] | None = None
    """`LS_MONGODB_URI` (secret) of the Mongo checkpointer; None keeps Postgres's.
    `DataPlane` sets it to the deployment's Mongo, when it has one."""
    langsmith_endpoint: str | None = None
    """`LANGSMITH_ENDPOINT` (in the servers' Secret), for an EU or self-hosted LangSmith."""
    queue_keda: KedaArgs | None = None
    """Scale the queue workers with a KEDA ScaledObject instead of an HPA; None keeps the HPA."""
    queue_enabled: bool = QUEUE_ENABLED
    """Run queue workers; the API pods then run no background jobs."""
    jobs_per_worker: int = JOBS_PER_WORKER
    """`N_JOBS_PER_WORKER` of each queue worker."""
    image_pull_secrets: list[str] = field(default_factory=list)
    """Names of image pull Secrets."""
    read_only_root_filesystem: bool = READ_ONLY_ROOT_FILESYSTEM
    """Mount the image read-only, with a writable /tmp."""
    cpu_target_percent: int = CPU_TARGET_PERCENT
    """HPA target CPU utilisation."""
    pdb_max_unavailable: int = PDB_MAX_UNAVAILABLE
    """PodDisruptionBudget `maxUnavailable` of the API pods."""
    drain_seconds: int = DRAIN_SECONDS
    """Seconds an API pod keeps serving after it is told to stop (a preStop sleep), so that
    every node's proxy has dropped it from its Service before it stops listening; 0: none."""
    mount_prefix: str | None = None
    """`MOUNT_PREFIX`: the URL path the server answers under, when a route exposes it."""
    service_account_name: str | None = None
    """ServiceAccount the pods run as; None keeps the namespace default (or the created one's)."""
    service_account_annotations: dict[str, str] | None = None
    """When set, create a ServiceAccount with these annotations (workload identity), named
    `service_account_name` or the deployment's name."""
    automount_service_account_token: bool = AUTOMOUNT_SERVICE_ACCOUNT_TOKEN
    """Mount the ServiceAccount token in the pods."""
    api_pod: PodExtras = field(default_factory=PodExtras)
    """Placement, metadata and additions of the API pods."""
    queue_pod: PodExtras = field(default_factory=PodExtras)
    """Placement, metadata and additions of the queue-worker pods."""
    cluster_domain: str = CLUSTER_DOMAIN
    """DNS domain of the cluster, in the in-cluster URL."""


@dataclass
class KedaArgs:
    """Inputs of the queue workers' KEDA `ScaledObject` (the `langgraph-cloud` chart's)."""

    polling_interval: int = KEDA_POLLING_INTERVAL
    """`pollingInterval`, in seconds."""
    cooldown_period: int = KEDA_COOLDOWN_PERIOD
    """`cooldownPeriod`, in seconds."""
    scale_down_stabilization_window_seconds: int = KEDA_SCALE_DOWN_WINDOW
    """Scale-down stabilisation window of the HPA KEDA makes, in seconds."""


@dataclass
class StoreArgs:
    """Inputs every data store takes."""

    namespace: str
    """Namespace of the in-cluster store."""
    instance: str
    """Name of what it serves; object names and labels derive from it."""
    client_selector: dict[str, str]
    """Labels of the pods allowed to connect (the NetworkPolicy)."""
    external_uri: pulumi.Input[str] | None = None
    """URI of an external store; when set, nothing is created in the cluster."""
    pod: PodExtras = field(default_factory=PodExtras)
    """Placement, metadata and additions of the store's pod."""
    cluster_domain: str = CLUSTER_DOMAIN
    """DNS domain of the cluster, in the connection URI."""


@dataclass
class PostgresArgs(StoreArgs):
    """Inputs of `Postgres`."""

    image: str = POSTGRES_IMAGE
    """pgvector image, pinned."""
    resource_spec: pulumi.Input[Sizing] | None = None
    """Sizing: `db_cpu`, `db_memory_mb`, `db_storage_gi`, `db_max_connections`."""
    storage_class: str | None = None
    """StorageClass of the data volume; the cluster default when None."""
    deletion_protection: bool = DELETION_PROTECTION
    """Protect and retain the volume, the password and its Secret."""


@dataclass
class RedisArgs(StoreArgs):
    """Inputs of `Redis`."""

    image: str = REDIS_IMAGE
    """Redis image, pinned."""
    memory_mb: pulumi.Input[int] = REDIS_MEMORY_MB
    """Memory request and limit, in MiB; `maxmemory` is set a little below it."""


@dataclass
class MongoArgs(StoreArgs):
    """Inputs of `Mongo`: the Mongo checkpointer of one deployment."""

    image: str = MONGO_IMAGE
    """MongoDB image, pinned."""
    storage_gi: int = MONGO_STORAGE_GI
    """Size of the data volume, in GiB."""
    storage_class: str | None = None
    """StorageClass of the data volume; the cluster default when None."""
    deletion_protection: bool = DELETION_PROTECTION
    """Protect and retain the data volume."""


RouteKind = Literal["ingress", "gateway", "istio"]


@dataclass
class ExposedServer:
    """One server behind the route."""

    deployment: str
    """Deployment name as a DNS label; names the per-server route objects."""
    namespace: str
    """Namespace of the server and its Service."""
    service: str
    """Name of the server's API Service."""
    port: int
    """Port of the Service."""
    path: str
    """URL path routed to the server, e.g. `/agents/support-agent` (no trailing '/')."""


@dataclass
class ExposureArgs:
    """Inputs of `Exposure`."""

    kind: RouteKind
    """Which kind of route to create."""
    hostname: str
    """Public host name of every server."""
    servers: Sequence[ExposedServer]
    """The servers to route to."""
    ingress_class_name: str | None = None
    """Ingress: `ingressClassName`."""
    tls_secret_name: str | None = None
    """Ingress: TLS Secret of `hostname` (in each namespace); None terminates no TLS."""
    cluster_issuer: str | None = None
    """Ingress: cert-manager ClusterIssuer that fills `tls_secret_name`."""
    annotations: dict[str, str] = field(default_factory=dict)
    """Ingress: extra annotations."""
    gateway_name: str | None = None
    """Gateway API or Istio: the gateway routes attach to."""
    gateway_namespace: str | None = None
    """Gateway API or Istio: namespace of the gateway; the route's namespace when None."""
    section_name: str | None = None
    """Gateway API: the listener of the Gateway to attach to."""
    cluster_domain: str = CLUSTER_DOMAIN
    """DNS domain of the cluster, for Istio destinations."""


@dataclass
class ServedArgs:
    """The components of one deployment Pulumi runs: its Postgres, its Redis, its server."""

    postgres: PostgresArgs
    """Its Postgres."""
    redis: RedisArgs
    """Its Redis."""
    server: LangGraphServerArgs
    """Its server; `DataPlane` sets `database_uri`, `redis_uri` (and `mongo_uri`) from the
    stores."""
    mongo: MongoArgs | None = None
    """Its Mongo checkpointer, when it has one."""


@dataclass
class DataPlaneArgs:
    """Inputs of `DataPlane`: the arguments of each child, as the plan made them."""

    namespaces: list[str]
    """Watched namespaces; the first holds the listener."""
    listener: ListenerArgs | None
    """The listener; `DataPlane` sets its `redis_uri` from `listener_redis`. None in a
    standalone stack, which has no control plane."""
    create_namespaces: bool = CREATE_NAMESPACES
    """Create the namespaces; False adopts existing ones."""
    listener_redis: RedisArgs | None = None
    """The listener's queue Redis, when the listener runs."""
    operator: OperatorArgs | None = None
    """LangChain's operator and its CRD, beside the listener when it runs."""
    deployments: Sequence[ServedArgs] = ()
    """The deployments Pulumi runs; empty when the listener reconciles."""
    exposure: ExposureArgs | None = None
    """Routes from outside the cluster to the servers; None keeps them in-cluster only."""
    public_urls: dict[str, str] = field(default_factory=dict)
    """Deployment name to the public URL of its server (its `custom_url`)."""
    common_labels: dict[str, str] = field(default_factory=dict)
    """Labels on every Kubernetes object."""
    common_annotations: dict[str, str] = field(default_factory=dict)
    """Annotations on every Kubernetes object."""
