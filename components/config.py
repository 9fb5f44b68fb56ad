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
from typing import Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from .controlplane import REGION_BASE_URLS, RESERVED_ENV_NAMES
from .images import image_problem, registry_problem
from .revision import ResourceSpec

NAMESPACE = "dataplane"
KUBECONFIG_ENV = "DATAPLANE_KUBECONFIG"

DEFAULT_LISTENER_IMAGE = "docker.io/langchain/langsmith-backend:0.13.9"
DEFAULT_POSTGRES_IMAGE = "docker.io/pgvector/pgvector:0.8.0-pg15"
DEFAULT_REDIS_IMAGE = "docker.io/library/redis:7.4.2"
DEFAULT_SMITH_URL = "https://api.smith.langchain.com"


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
# Parts of an environment name that say its value is a credential.
_CREDENTIAL_WORDS = frozenset(
    {"KEY", "SECRET", "PASSWORD", "PASSWD", "TOKEN", "CREDENTIAL", "CREDENTIALS", "DSN"}
)

StoreMode = Literal["in-cluster", "external"]
WorkloadKind = Literal["listener", "api", "queue", "postgres", "redis"]
WORKLOAD_KINDS: tuple[str, ...] = get_args(WorkloadKind)

# Labels and annotations the components set themselves; config may not override them.
OWN_LABELS = frozenset(
    {
        "app.kubernetes.io/name",
        "app.kubernetes.io/part-of",
        "app.kubernetes.io/managed-by",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/component",
    }
)
OWN_PREFIX = "langgraph.ai/"

# What each workload sets itself: extra env, volumes and sidecars may not reuse these names.
OWN_ENV_NAMES: dict[str, frozenset[str]] = {
    "listener": frozenset(
        {
            "PORT",
            "LANGCHAIN_ENV",
            "HOST_QUEUE",
            "HOST_BACKEND_ENDPOINT",
            "HOST_LANGCHAIN_API_ENDPOINT",
            "HOST_WORKER_TENANT_ID",
            "HOST_WORKER_LISTENER_ID",
            "HOST_WORKER_EXTERNAL_ENABLED",
            "HOST_WORKER_RECONCILIATION_CRON_ENABLED",
            "HOST_WORKER_LANGSMITH_API_KEY",
            "REDIS_DATABASE_URI",
        }
    ),
    "api": frozenset({"N_JOBS_PER_WORKER"}),
    "queue": frozenset({"N_JOBS_PER_WORKER"}),
    "postgres": frozenset({"POSTGRES_PASSWORD", "PGDATA"}),
    "redis": frozenset({"REDIS_PASSWORD"}),
}
OWN_VOLUMES: dict[str, dict[str, str]] = {
    "listener": {"tmp": "/tmp"},
    "api": {"tmp": "/tmp"},
    "queue": {"tmp": "/tmp"},
    "postgres": {
        "data": "/var/lib/postgresql/data",
        "run": "/var/run/postgresql",
        "tmp": "/tmp",
    },
    "redis": {"data": "/data"},
}
OWN_CONTAINERS: dict[str, str] = {
    "listener": "listener",
    "api": "api-server",
    "queue": "queue-worker",
    "postgres": "postgres",
    "redis": "redis",
}
# Volume sources the restricted Pod Security Standard admits (the namespaces enforce it).
_RESTRICTED_VOLUME_SOURCES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)


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


def _pinned_image(v: str) -> str:
    problem = image_problem(v)
    if problem:
        raise ValueError(f"image {problem}")
    return v


def _object_name(v: str | None) -> str | None:
    """A Kubernetes object name (DNS subdomain), or None."""
    if v is not None and (len(v) > 253 or not _DNS_NAME.match(v)):
        raise ValueError(f"{v!r} is not a valid Kubernetes name (lowercase, digits, '-', '.')")
    return v


def _check_metadata(v: dict[str, str], *, labels: bool) -> dict[str, str]:
    """Kubernetes label (or annotation) keys and values; our own keys stay ours."""
    bad = []
    for key, value in v.items():
        prefix, _, name = key.rpartition("/")
        prefix_ok = not prefix or (len(prefix) <= 253 and _DNS_NAME.match(prefix))
        if not prefix_ok or len(name) > 63 or not _LABEL_NAME.match(name):
            bad.append(f"key {key!r}")
        elif labels and (len(value) > 63 or (value and not _LABEL_NAME.match(value))):
            bad.append(f"value {value!r} of {key!r}")
    if bad:
        raise ValueError(f"not valid Kubernetes {'labels' if labels else 'annotations'}: {bad}")
    own = sorted(k for k in v if k.startswith(OWN_PREFIX) or (labels and k in OWN_LABELS))
    if own:
        raise ValueError(f"{own} are set by the data plane itself; use other keys")
    return v


class _KubeShape(_Section):
    """A Kubernetes API object in its own camelCase shape; unknown fields are rejected."""

    # The reference names the Kubernetes type instead of listing its fields.
    reference_expand: ClassVar[bool] = False

    def manifest(self) -> dict[str, Any]:
        """The object as the Kubernetes API takes it."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Toleration(_KubeShape):
    """A Kubernetes `Toleration`."""

    key: str | None = None
    operator: Literal["Exists", "Equal"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None


class TopologySpread(_KubeShape):
    """A Kubernetes `TopologySpreadConstraint`; without `labelSelector` it selects its workload."""

    max_skew: int = Field(ge=1)
    topology_key: str
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"]
    label_selector: dict[str, Any] | None = None
    min_domains: int | None = Field(default=None, ge=1)
    node_affinity_policy: Literal["Honor", "Ignore"] | None = None
    node_taints_policy: Literal["Honor", "Ignore"] | None = None
    match_label_keys: list[str] | None = None


class EnvVar(_KubeShape):
    """A Kubernetes `EnvVar`: a literal `value` or a `valueFrom` reference."""

    name: str
    value: str | None = None
    value_from: dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _env_name(cls, v: str) -> str:
        if not _ENV_NAME.match(v):
            raise ValueError(f"{v!r} is not a valid environment variable name")
        return v

    @field_validator("value_from")
    @classmethod
    def _one_source(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        sources = {"secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"}
        if v is not None and (len(v) != 1 or not set(v) <= sources):
            raise ValueError(f"valueFrom takes exactly one of {sorted(sources)}")
        return v

    @model_validator(mode="after")
    def _value_or_reference(self) -> EnvVar:
        if (self.value is None) == (self.value_from is None):
            raise ValueError(f"{self.name}: set exactly one of `value` and `valueFrom`")
        words = set(re.split(r"[^A-Z0-9]+", self.name.upper()))
        if self.value is not None and words & _CREDENTIAL_WORDS:
            raise ValueError(
                f"{self.name} looks like a credential, and a literal value would sit in plain "
                "text in the pod spec and the state. Fix: use `valueFrom.secretKeyRef` "
                "(or `configMapKeyRef` if it is not secret)"
            )
        return self


class VolumeMount(_KubeShape):
    """A Kubernetes `VolumeMount` of the workload's main container."""

    name: str
    mount_path: str
    read_only: bool | None = None
    sub_path: str | None = None
    sub_path_expr: str | None = None

    @field_validator("mount_path")
    @classmethod
    def _absolute(cls, v: str) -> str:
        if not v.startswith("/"):
            raise ValueError("mountPath must be an absolute path")
        return v


class DnsOption(_KubeShape):
    """A Kubernetes `PodDNSConfigOption`."""

    name: str
    value: str | None = None


class DnsConfig(_KubeShape):
    """A Kubernetes `PodDNSConfig`."""

    nameservers: list[str] | None = None
    searches: list[str] | None = None
    options: list[DnsOption] | None = None


class PodConfig(_Section):
    """Placement, metadata and additions for the pods of one workload kind."""

    node_selector: dict[str, str] = Field(default_factory=dict)
    """`nodeSelector`: node labels the pods must run on."""
    tolerations: list[Toleration] = Field(default_factory=list)
    """Kubernetes `tolerations` of the pods."""
    affinity: dict[str, Any] | None = None
    """Kubernetes `affinity` (`nodeAffinity`, `podAffinity`, `podAntiAffinity`)."""
    topology_spread_constraints: list[TopologySpread] | None = None
    """Kubernetes `topologySpreadConstraints`; a constraint without `labelSelector` selects this
    workload's pods. Unset: API pods spread over zones (ScheduleAnyway) and nodes (DoNotSchedule)
    when their `max_scale` is above 1, other workloads not at all; `[]` turns spreading off."""
    priority_class_name: str | None = None
    """`priorityClassName` of the pods."""
    termination_grace_period_seconds: int | None = Field(default=None, ge=0)
    """`terminationGracePeriodSeconds`; the Kubernetes default (30) when unset."""
    dns_policy: Literal["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] | None = None
    """`dnsPolicy`; `None` needs `dnsConfig`."""
    dns_config: DnsConfig | None = None
    """Kubernetes `dnsConfig` (nameservers, searches, options)."""
    pod_labels: dict[str, str] = Field(default_factory=dict)
    """Extra labels on the pods (e.g. `azure.workload.identity/use`); changing them restarts
    the pods."""
    pod_annotations: dict[str, str] = Field(default_factory=dict)
    """Extra annotations on the pods; changing them restarts the pods."""
    extra_env: list[EnvVar] = Field(default_factory=list)
    """Extra environment of the main container (`name` with `value` or `valueFrom`); no
    platform names, and credentials only by `valueFrom`."""
    extra_volumes: list[dict[str, Any]] = Field(default_factory=list)
    """Extra Kubernetes `volumes` (sources the restricted Pod Security Standard admits)."""
    extra_volume_mounts: list[VolumeMount] = Field(default_factory=list)
    """Mounts of `extraVolumes` in the main container."""
    sidecars: list[dict[str, Any]] = Field(default_factory=list)
    """Extra Kubernetes containers in the pods; images pinned and rewritten like the others,
    restricted security context unless they set one."""

    @field_validator("pod_labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=True)

    @field_validator("node_selector")
    @classmethod
    def _node_labels(cls, v: dict[str, str]) -> dict[str, str]:
        # Node labels: the syntax of labels, none of them ours.
        _check_metadata(
            {k: val for k, val in v.items() if not k.startswith(OWN_PREFIX)}, labels=True
        )
        return v

    @field_validator("priority_class_name")
    @classmethod
    def _priority_class(cls, v: str | None) -> str | None:
        return _object_name(v)

    @field_validator("pod_annotations")
    @classmethod
    def _annotations(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=False)

    @field_validator("affinity")
    @classmethod
    def _affinity_kinds(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        kinds = {"nodeAffinity", "podAffinity", "podAntiAffinity"}
        if v is not None and not set(v) <= kinds:
            raise ValueError(
                f"unknown affinity keys {sorted(set(v) - kinds)}; known: {sorted(kinds)}"
            )
        return v

    @field_validator("extra_volumes")
    @classmethod
    def _volumes(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for volume in v:
            name = volume.get("name")
            if not isinstance(name, str) or not _DNS_LABEL.match(name):
                raise ValueError("every volume needs a `name` (a lowercase DNS label)")
            sources = set(volume) - {"name"}
            if len(sources) != 1 or not sources <= _RESTRICTED_VOLUME_SOURCES:
                raise ValueError(
                    f"volume {name!r} needs exactly one source of "
                    f"{sorted(_RESTRICTED_VOLUME_SOURCES)} (the namespaces enforce the "
                    "restricted Pod Security Standard)"
                )
        return v

    @field_validator("sidecars")
    @classmethod
    def _sidecars(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for container in v:
            name = container.get("name")
            if not isinstance(name, str) or not _DNS_LABEL.match(name):
                raise ValueError("every sidecar needs a `name` (a lowercase DNS label)")
            image = container.get("image")
            problem = image_problem(image) if isinstance(image, str) else "is missing"
            if problem:
                raise ValueError(f"sidecar {name!r}: image {problem}")
            for env in container.get("env") or []:
                try:
                    EnvVar.model_validate(env)  # the same rules as extraEnv
                except ValidationError as exc:
                    msgs = "; ".join(
                        str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()
                    )
                    raise ValueError(f"sidecar {name!r}: env: {msgs}") from None
        return v


class ImagesConfig(_Section):
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
            _object_name(name)
        return v

    @field_validator("registry")
    @classmethod
    def _registry(cls, v: str | None) -> str | None:
        problem = registry_problem(v) if v is not None else None
        if problem:
            raise ValueError(problem)
        return v


class ServiceAccountConfig(_Section):
    """The Kubernetes ServiceAccount the servers run as (workload identity)."""

    name: str | None = None
    """With `annotations`: the name of the ServiceAccount created per deployment (default: the
    deployment name). Without: an existing ServiceAccount to run as."""
    annotations: dict[str, str] = Field(default_factory=dict)
    """Create a ServiceAccount for each deployment with these annotations (IRSA
    `eks.amazonaws.com/role-arn`, GKE `iam.gke.io/gcp-service-account`, Azure
    `azure.workload.identity/client-id`)."""
    automount_token: bool = False
    """Mount the ServiceAccount token in the server pods (the servers do not call the
    Kubernetes API)."""

    @field_validator("name")
    @classmethod
    def _dns_name(cls, v: str | None) -> str | None:
        if v is not None and (not _DNS_NAME.match(v) or len(v) > 253):
            raise ValueError("not a valid ServiceAccount name")
        return v

    @field_validator("annotations")
    @classmethod
    def _annotations(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=False)


class _RouteConfig(_Section):
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
        if v is not None and (not _DNS_NAME.match(v) or len(v) > 253):
            raise ValueError("not a valid host name (lowercase DNS name, no scheme or path)")
        return v

    @field_validator("base_path")
    @classmethod
    def _path(cls, v: str) -> str:
        segments = [s for s in v.split("/") if s]
        bad = [s for s in segments if not _PATH_SEGMENT.match(s) or s in {".", ".."}]
        if bad:
            raise ValueError(f"not valid path segments: {bad}")
        return "/".join(segments)

    def path_for(self, deployment: str) -> str:
        """The URL path of one deployment's server (its `MOUNT_PREFIX`)."""
        return "/" + "/".join(s for s in (self.base_path, deployment) if s)

    def url_for(self, deployment: str) -> str:
        """The public URL of one deployment's server, for its `custom_url`."""
        return f"{self.scheme}://{self.hostname}{self.path_for(deployment)}"


class IngressRouteConfig(_RouteConfig):
    """A Kubernetes Ingress, one per namespace, with a path per server."""

    class_name: str | None = None
    """`ingressClassName`; the cluster default class when unset."""
    tls_secret_name: str | None = None
    """TLS Secret of `hostname` in each namespace with servers (filled by cert-manager when
    `clusterIssuer` is set; default then `<hostname>-tls`)."""
    cluster_issuer: str | None = None
    """cert-manager ClusterIssuer that issues the certificate (`cert-manager.io/cluster-issuer`)."""
    annotations: dict[str, str] = Field(default_factory=dict)
    """Extra annotations of the Ingress (controller settings)."""

    @field_validator("class_name", "tls_secret_name", "cluster_issuer")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        return _object_name(v)

    @field_validator("annotations")
    @classmethod
    def _annotations(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=False)

    @property
    def tls_secret(self) -> str | None:
        """The TLS Secret the Ingress names, if TLS terminates at the Ingress."""
        if self.tls_secret_name or not self.cluster_issuer or not self.hostname:
            return self.tls_secret_name
        return self.hostname.replace(".", "-")[:59].rstrip("-") + "-tls"


class GatewayRouteConfig(_RouteConfig):
    """A Gateway API HTTPRoute per server, attached to an existing Gateway."""

    gateway_name: str | None = None
    """Name of the parent Gateway; required when enabled."""
    gateway_namespace: str | None = None
    """Namespace of the parent Gateway; the server's namespace when unset."""
    section_name: str | None = None
    """Listener of the Gateway to attach to (`sectionName`); all listeners when unset."""

    @field_validator("gateway_name", "gateway_namespace", "section_name")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        return _object_name(v)


class IstioRouteConfig(_RouteConfig):
    """An Istio VirtualService per server, bound to an existing Istio Gateway."""

    gateway_name: str | None = None
    """Name of the Istio Gateway; required when enabled."""
    gateway_namespace: str | None = None
    """Namespace of the Istio Gateway; the server's namespace when unset."""

    @field_validator("gateway_name", "gateway_namespace")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        return _object_name(v)


RouteConfig = IngressRouteConfig | GatewayRouteConfig | IstioRouteConfig


class ExposureConfig(_Section):
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


class ListenerConfig(_Section):
    """The data-plane listener workload, deployed when `reconciler` is `listener`."""

    image: str = DEFAULT_LISTENER_IMAGE
    """Listener image, pinned."""
    replicas: int = Field(default=1, ge=1)
    """Listener replicas."""
    resources: ResourcesConfig = ResourcesConfig()
    """Listener container resources."""
    service_account_annotations: dict[str, str] = Field(default_factory=dict)
    """Annotations of the listener's ServiceAccount (workload identity)."""

    _image = field_validator("image")(_pinned_image)

    @field_validator("service_account_annotations")
    @classmethod
    def _annotations(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=False)


class ServersConfig(_Section):
    """Settings shared by every LangGraph server of this data plane."""

    queue_enabled: bool = True
    """Run queue workers beside the API pods (the API pods then run no jobs)."""
    jobs_per_worker: int = Field(default=10, ge=1)
    """`N_JOBS_PER_WORKER` of each queue worker."""
    read_only_root_filesystem: bool = True
    """Mount the server image read-only (with a writable /tmp)."""
    image_pull_secrets: list[str] = Field(default_factory=list)
    """Image pull Secrets of the server pods only, after `images.pullSecrets`."""
    cpu_target_percent: int = Field(default=80, ge=1, le=100)
    """HPA target CPU utilisation."""
    pdb_max_unavailable: int = Field(default=1, ge=1)
    """PodDisruptionBudget `maxUnavailable` of the API pods."""
    min_replicas: int = Field(default=1, ge=1)
    """Floor on API and queue replicas, whatever the control plane's `min_scale` says (HA)."""
    service_account: ServiceAccountConfig = ServiceAccountConfig()
    """ServiceAccount of the servers; unset runs them as the namespace's default, without a token.
    """


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

    _image = field_validator("image")(_pinned_image)


class RedisConfig(_Section):
    """Defaults for each deployment's Redis and the listener's queue Redis."""

    mode: StoreMode = "in-cluster"
    """`in-cluster` runs a Redis Deployment; `external` reads a URL from `externalRedisUris`."""
    image: str = DEFAULT_REDIS_IMAGE
    """Redis image, pinned."""

    _image = field_validator("image")(_pinned_image)


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

    _image = field_validator("image")(_pinned_image)

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
    service_account: ServiceAccountConfig | None = None
    """Replaces `servers.serviceAccount` for this deployment (e.g. its own cloud role)."""

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
    images: ImagesConfig = ImagesConfig()
    """Image registry, pull Secrets and pull policy of every workload."""
    workloads: dict[WorkloadKind, PodConfig] = Field(
        default_factory=dict, json_schema_extra={"referenceKey": "<kind>"}
    )
    """Pod settings per workload kind: `listener`, `api`, `queue`, `postgres`, `redis`."""
    exposure: ExposureConfig = ExposureConfig()
    """Routes from outside the cluster to the servers; none by default (in-cluster only)."""
    common_labels: dict[str, str] = Field(default_factory=dict)
    """Labels on every Kubernetes object of the stack (not on pod templates: changing them restarts
    nothing)."""
    common_annotations: dict[str, str] = Field(default_factory=dict)
    """Annotations on every Kubernetes object of the stack (not on pod templates)."""
    cluster_domain: str = "cluster.local"
    """DNS domain of the cluster, in in-cluster URLs."""
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

    @field_validator("common_labels")
    @classmethod
    def _common_labels(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=True)

    @field_validator("common_annotations")
    @classmethod
    def _common_annotations(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_metadata(v, labels=False)

    @field_validator("cluster_domain")
    @classmethod
    def _domain(cls, v: str) -> str:
        if not _DNS_NAME.match(v):
            raise ValueError("not a valid DNS domain")
        return v

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
        loc = [part for part in loc if part != "[key]"]  # a bad map key: drop its entry
        _drop(trimmed, loc)
    try:
        return StackConfig.model_validate(_without_dropped(trimmed))
    except ValidationError:
        return None  # a required key is missing or wrong: already reported


_DROPPED = object()


def _drop(tree: Any, loc: list[Any]) -> None:
    for part in loc[:-1]:
        if (isinstance(tree, list) and isinstance(part, int) and part < len(tree)) or (
            isinstance(tree, dict) and part in tree
        ):
            tree = tree[part]
        else:
            return
    if loc and isinstance(tree, dict):
        tree.pop(loc[-1], None)
    elif loc and isinstance(tree, list) and isinstance(loc[-1], int) and loc[-1] < len(tree):
        tree[loc[-1]] = _DROPPED  # removed once every error is handled: indexes stay valid


def _without_dropped(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _without_dropped(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_without_dropped(v) for v in tree if v is not _DROPPED]
    return tree


# Parts of a config path under which values are credentials and never echoed.
_SECRET_PATH_PARTS = frozenset({*_SECRET_KEYS, "secrets"})


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    path = f"{NAMESPACE}:{loc}"
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key. Fix: remove it or correct the spelling."
    if err["loc"] and err["loc"][-1] == "[key]":
        # A map with fixed keys (`workloads`): an unexpected key is an unknown key.
        path = f"{NAMESPACE}:" + ".".join(str(p) for p in err["loc"][:-1])
        known = ", ".join(WORKLOAD_KINDS)
        return f"{path}: unknown key. Fix: use one of {known}."
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
    problems.extend(_exposure_problems(config))
    problems.extend(_service_account_problems(config))
    for kind, pod in config.workloads.items():
        problems.extend(_pod_problems(kind, pod))
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


def _exposure_problems(config: StackConfig) -> list[str]:
    exposure = config.exposure
    path = f"{NAMESPACE}:exposure"
    kinds = exposure.enabled()
    if len(kinds) > 1:
        both = " and ".join(f"`{k}`" for k in kinds)
        return [
            f"{path}: {both} are enabled together, but each server is reached through exactly one "
            "kind of route. Fix: keep one of them and set `enabled: false` on the others."
        ]
    if not kinds:
        return []
    kind = kinds[0]
    route = exposure.route()
    assert route is not None
    problems = []
    if config.reconciler == "listener":
        problems.append(
            f"{path}.{kind}: routes are made for the servers Pulumi runs, and with "
            "`reconciler: listener` Pulumi runs none. Fix: disable it, or use "
            "`reconciler: pulumi`."
        )
    if route.hostname is None:
        problems.append(
            f"{path}.{kind}.hostname: required when the {kind} is enabled. Fix: pulumi config "
            f"set --path {path}.{kind}.hostname agents.example.com"
        )
    if isinstance(route, GatewayRouteConfig | IstioRouteConfig) and route.gateway_name is None:
        problems.append(
            f"{path}.{kind}.gatewayName: required when the {kind} is enabled. Fix: set the name "
            "of the gateway the routes attach to (and `gatewayNamespace` if it is elsewhere)."
        )
    if isinstance(route, IngressRouteConfig) and route.scheme == "http" and route.tls_secret:
        problems.append(
            f"{path}.ingress.scheme: `http`, yet the Ingress terminates TLS. Fix: use `https`, "
            "or drop `tlsSecretName` and `clusterIssuer`."
        )
    return problems


def _service_account_problems(config: StackConfig) -> list[str]:
    shared = config.servers.service_account
    if shared.name and shared.annotations:
        return [
            f"{NAMESPACE}:servers.serviceAccount: `name` with `annotations` would create one "
            "ServiceAccount of that name for every deployment. Fix: drop `name` (each gets its "
            "deployment's name), or set it per deployment under "
            f"`{NAMESPACE}:deployments.<name>.serviceAccount`."
        ]
    return []


def _pod_problems(kind: str, pod: PodConfig) -> list[str]:
    path = f"{NAMESPACE}:workloads.{kind}"
    problems = []
    env_names = [e.name for e in pod.extra_env]
    taken = sorted(set(env_names) & (RESERVED_ENV_NAMES | OWN_ENV_NAMES[kind]))
    if taken:
        problems.append(
            f"{path}.extraEnv: {taken} are set by the data plane (or reserved by the LangGraph "
            "platform). Fix: rename them."
        )
    twice = sorted({n for n in env_names if env_names.count(n) > 1})
    if twice:
        problems.append(f"{path}.extraEnv: {twice} are set twice. Fix: keep one of each.")
    own_volumes = OWN_VOLUMES[kind]
    volume_names = [str(v["name"]) for v in pod.extra_volumes]
    clash = sorted({n for n in volume_names if n in own_volumes or volume_names.count(n) > 1})
    if clash:
        problems.append(
            f"{path}.extraVolumes: names {clash} are taken (the workload's own volumes are "
            f"{sorted(own_volumes)}). Fix: rename them."
        )
    unknown = sorted({m.name for m in pod.extra_volume_mounts} - set(volume_names))
    if unknown:
        problems.append(
            f"{path}.extraVolumeMounts: {unknown} are not in `extraVolumes`. Fix: add the "
            "volumes or correct the names."
        )
    paths = sorted(
        m.mount_path for m in pod.extra_volume_mounts if m.mount_path in own_volumes.values()
    )
    if paths:
        problems.append(
            f"{path}.extraVolumeMounts: {paths} are mounted by the workload itself. "
            "Fix: mount elsewhere."
        )
    sidecar_names = [str(c["name"]) for c in pod.sidecars]
    clash = sorted(
        {n for n in sidecar_names if n == OWN_CONTAINERS[kind] or sidecar_names.count(n) > 1}
    )
    if clash:
        problems.append(
            f"{path}.sidecars: names {clash} are taken (the main container is "
            f"{OWN_CONTAINERS[kind]!r}). Fix: rename them."
        )
    if pod.dns_policy == "None" and pod.dns_config is None:
        problems.append(
            f"{path}.dnsPolicy: `None` leaves the pods without DNS unless `dnsConfig` is set. "
            "Fix: add `dnsConfig` or choose another policy."
        )
    return problems
