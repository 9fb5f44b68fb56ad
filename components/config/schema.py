"""The schema of the `dataplane:` namespace: one model per section, with its defaults.

Field docstrings are the configuration reference (see `reference.py`). Defaults that the
components share come from `components/args.py` and `components/kube.py`.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, ClassVar, Literal

import httpx
from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..args import (
    AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
    CPU_TARGET_PERCENT,
    CREATE_NAMESPACES,
    DELETION_PROTECTION,
    DRAIN_SECONDS,
    JOBS_PER_WORKER,
    KEDA_COOLDOWN_PERIOD,
    KEDA_POLLING_INTERVAL,
    KEDA_SCALE_DOWN_WINDOW,
    LISTENER_CPU,
    LISTENER_CPU_LIMIT,
    LISTENER_IMAGE,
    LISTENER_MEMORY,
    LISTENER_MEMORY_LIMIT,
    LISTENER_REPLICAS,
    MONGO_IMAGE,
    MONGO_STORAGE_GI,
    OPERATOR_CHART,
    OPERATOR_CHART_REPOSITORY,
    OPERATOR_CHART_VERSION,
    PDB_MAX_UNAVAILABLE,
    POSTGRES_IMAGE,
    PREFLIGHT_TIMEOUT_SECONDS,
    QUEUE_ENABLED,
    READ_ONLY_ROOT_FILESYSTEM,
    REDIS_IMAGE,
    SMITH_URL,
    TERMINATION_GRACE_SECONDS,
    container_resources,
)
from ..controlplane import REGION_BASE_URLS
from ..controlplane.client import (
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_DISCOVERY_DEADLINE_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
)
from ..controlplane.derive import derived_base_url, derived_smith_url, langsmith_url_problem
from ..defaults import (
    DEFAULT_NAMESPACES,
    DEFAULT_REGION,
    DEFAULT_RENDER_DIR,
    MONGO_MODE,
    STORE_MODE,
)
from ..images import (
    ImageRef,
    image_problem,
    image_revision,
    registry_problem,
    store_version_problem,
)
from ..kube import CLUSTER_DOMAIN
from ..names import OWN_PREFIX
from ..revision import SecretRef, Sizing, secret_reference_problems
from ..urls import api_root, api_root_problem, is_oci, url_problem
from ..workload import WorkloadKind, reserved_env_problem
from .credentials import credential_reason
from .fields import (
    API_ID,
    CONTROL_PLANE_URL_ENV,
    DNS_LABEL,
    DNS_NAME,
    ENV_NAME,
    FRACTION_TEXT,
    INT32_MAX,
    INT64_MAX,
    PATH_SEGMENT,
    RESTRICTED_VOLUME_SOURCES,
    Annotations,
    Int32,
    KubeShape,
    Labels,
    LabelValue,
    ObjectName,
    PinnedImage,
    Section,
    check_metadata,
    invalid,
    is_label_key,
    object_name,
)
from .naming import label_value_problem
from .quantities import Resource, parse_quantity, quantity_problem

StoreMode = Literal["in-cluster", "external"]
MongoMode = Literal["none", "in-cluster", "external"]

# The longest a control-plane wait may be set to: an hour.
MAX_WAIT_SECONDS = 3600.0
_URL_FIX = (
    "write an absolute http(s) URL with a host, e.g. `https://api.host.langchain.com` or "
    "`https://langsmith.example.com/api-host`; credentials go in `apiKey`, never in a URL"
)


def http_url_problem(v: str) -> str | None:
    """What is wrong with `v` as an http(s) URL with a host and without credentials, query or
    fragment, or None. The message never quotes the value."""
    problem = url_problem(v)
    if problem is None:
        try:
            httpx.URL(v)  # what the client will make of it
        except httpx.InvalidURL:
            problem = "is not a valid URL"
    return problem


def _http_url(v: str | None) -> str | None:
    """An http(s) URL with a host and without credentials, query or fragment; spaces around
    it (a paste, a YAML line's tail) are dropped, spaces inside it refused."""
    if v is None:
        return v
    v = v.strip()
    problem = http_url_problem(v)
    if problem:
        invalid(problem, _URL_FIX)
    return v


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An http(s) URL with a host, and no user or password in it."""

_CHART_REPOSITORY_FIX = (
    f"write the URL of a Helm chart repository that holds `{OPERATOR_CHART}` "
    f"{OPERATOR_CHART_VERSION}: an http(s) repository (the URL `index.yaml` is under), e.g. "
    f"`{OPERATOR_CHART_REPOSITORY}` or your mirror of it, or an OCI registry path the chart "
    "was pushed to, e.g. `oci://registry.example.com/helm-charts`; or set `operator.chart.path` "
    "to a local archive. Registry credentials belong to Helm (`helm registry login`), never "
    "in the URL"
)


def _chart_repository(v: str) -> str:
    """A Helm chart repository: http(s), or an OCI registry path (`oci://host/path`)."""
    v = v.strip()
    problem = url_problem(v, ("http", "https", "oci"))
    if problem is None and is_oci(v):
        v = v.rstrip("/")
        if v.rsplit("/", 1)[-1] == OPERATOR_CHART and v.count("/") > 2:
            # Helm adds the chart's name to the repository: this would look for
            # `.../langgraph-dataplane/langgraph-dataplane`.
            problem = f"names the chart itself (`.../{OPERATOR_CHART}`), not its repository"
    if problem:
        invalid(problem, _CHART_REPOSITORY_FIX)
    return v


ChartRepository = Annotated[str, AfterValidator(_chart_repository)]
"""Where Helm fetches a chart from: an http(s) chart repository or an OCI registry path."""


def _qualified_name(v: str) -> str:
    """A Kubernetes label key (`[prefix/]name`), as topology and toleration keys are."""
    if not is_label_key(v):
        invalid(
            f"{v!r} is not a Kubernetes label key",
            "write `[prefix/]name`, e.g. `topology.kubernetes.io/zone`",
        )
    return v


QualifiedName = Annotated[str, AfterValidator(_qualified_name)]
"""A Kubernetes label key."""


def _credential_text(v: SecretStr) -> SecretStr:
    """A key or licence: not blank, no spaces or control characters (it travels in headers)."""
    text = v.get_secret_value().strip()
    if not text:
        invalid("is empty", "set the real value with `pulumi config set --secret ...`")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        invalid(
            "contains spaces or control characters (value hidden)",
            "set it again with `pulumi config set --secret ...`, pasting the key alone",
        )
    return v


CredentialText = Annotated[SecretStr, AfterValidator(_credential_text)]
"""A secret key or licence, as one token."""


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


def _cpu(v: str) -> str:
    problem = quantity_problem(v, "cpu")
    if problem:
        invalid(f"CPU {problem}", "write cores or millicores, e.g. `500m`, `1` or `1.5`")
    return v


def _memory(v: str) -> str:
    problem = quantity_problem(v, "memory")
    if problem:
        invalid(f"memory {problem}", "write bytes with a unit, e.g. `512Mi` or `2Gi`")
    return v


CpuQuantity = Annotated[str, AfterValidator(_cpu)]
"""A positive Kubernetes CPU quantity."""
MemoryQuantity = Annotated[str, AfterValidator(_memory)]
"""A positive Kubernetes memory quantity."""


class ResourcesConfig(Section):
    """Container requests and limits, as Kubernetes quantities."""

    cpu: CpuQuantity = LISTENER_CPU
    """CPU request."""
    memory: MemoryQuantity = LISTENER_MEMORY
    """Memory request."""
    cpu_limit: CpuQuantity = LISTENER_CPU_LIMIT
    """CPU limit."""
    memory_limit: MemoryQuantity = LISTENER_MEMORY_LIMIT
    """Memory limit."""

    @model_validator(mode="after")
    def _requests_within_limits(self) -> ResourcesConfig:
        for request, limit, key in (
            (self.cpu, self.cpu_limit, "cpuLimit"),
            (self.memory, self.memory_limit, "memoryLimit"),
        ):
            if parse_quantity(request) > parse_quantity(limit):
                invalid(
                    f"{limit} is below the request {request}",
                    f"raise `{key}` to at least {request}, or lower the request",
                    at=key,
                )
        return self

    def resources(self) -> dict[str, dict[str, str]]:
        """The container `resources` block."""
        return container_resources(self.cpu, self.memory, self.cpu_limit, self.memory_limit)


class Toleration(KubeShape):
    """A Kubernetes `Toleration`."""

    key: QualifiedName | None = None
    operator: Literal["Exists", "Equal"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = Field(default=None, ge=-INT64_MAX, le=INT64_MAX)

    @model_validator(mode="after")
    def _consistent(self) -> Toleration:
        # The API server's rules for a toleration.
        if self.operator == "Exists" and self.value:
            invalid(
                "`operator: Exists` takes no `value`", "drop `value`, or use `Equal`", at="value"
            )
        if self.key is None and self.operator != "Exists":
            invalid(
                "a toleration without `key` must use `operator: Exists`",
                "add `key`, or set `operator: Exists` to tolerate every taint",
                at="operator",
            )
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            invalid(
                "`tolerationSeconds` applies only to `effect: NoExecute`",
                "set `effect: NoExecute`, or drop `tolerationSeconds`",
                at="tolerationSeconds",
            )
        return self


class TopologySpread(KubeShape):
    """A Kubernetes `TopologySpreadConstraint`; without `labelSelector` it selects its workload."""

    max_skew: Int32 = Field(ge=1)
    topology_key: QualifiedName
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"]
    label_selector: dict[str, Any] | None = None
    min_domains: Int32 | None = Field(default=None, ge=1)
    node_affinity_policy: Literal["Honor", "Ignore"] | None = None
    node_taints_policy: Literal["Honor", "Ignore"] | None = None
    match_label_keys: list[str] | None = None

    @model_validator(mode="after")
    def _min_domains(self) -> TopologySpread:
        if self.min_domains is not None and self.when_unsatisfiable != "DoNotSchedule":
            invalid(
                "`minDomains` applies only to `whenUnsatisfiable: DoNotSchedule`",
                "drop `minDomains`, or use `DoNotSchedule`",
                at="minDomains",
            )
        return self


class EnvVar(KubeShape):
    """A Kubernetes `EnvVar`: a literal `value` or a `valueFrom` reference."""

    name: str
    value: str | None = None
    value_from: dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _env_name(cls, v: str) -> str:
        if not ENV_NAME.match(v):
            invalid(
                f"{v!r} is not a valid environment variable name",
                "use letters, digits, `_`, `-` and `.`, not starting with a digit",
            )
        return v

    @field_validator("value_from")
    @classmethod
    def _one_source(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        sources = {"secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"}
        if v is not None and (len(v) != 1 or not set(v) <= sources):
            invalid(
                f"valueFrom takes exactly one of {sorted(sources)}",
                "write one of them, e.g. `valueFrom: {secretKeyRef: {name: <Secret>, key: <key>}}`",
            )
        return v

    @model_validator(mode="after")
    def _value_or_reference(self) -> EnvVar:
        if (self.value is None) == (self.value_from is None):
            invalid(
                f"{self.name}: set exactly one of `value` and `valueFrom`",
                "keep `value` for a literal, or `valueFrom` for a reference",
            )
        if self.value is None:
            return self
        reason = credential_reason(self.name, self.value)
        if reason is not None:
            what = (
                "looks like a credential"
                if reason == "name"
                else "has a value that looks like a credential"
            )
            invalid(
                f"{self.name} {what}, and a literal value would sit in plain text in the pod "
                "spec, the state and the rendered manifests (value hidden)",
                "put it in a Kubernetes Secret and write `valueFrom.secretKeyRef` (name and key) "
                "instead of `value`; for a deployment's own credentials, use its revision "
                "secrets, or `static.secrets` set with `pulumi config set --secret --path`. Not a "
                "credential? Use `valueFrom.configMapKeyRef`",
            )
        return self


class VolumeMount(KubeShape):
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
            invalid("mountPath must be an absolute path", "start it with `/`, e.g. `/data`")
        return v

    @field_validator("sub_path")
    @classmethod
    def _relative(cls, v: str | None) -> str | None:
        if v is not None and (v.startswith("/") or ".." in v.split("/")):
            invalid(
                "subPath must be a relative path inside the volume",
                "drop the leading `/` and any `..`",
            )
        return v


class DnsOption(KubeShape):
    """A Kubernetes `PodDNSConfigOption`."""

    name: str
    value: str | None = None


class DnsConfig(KubeShape):
    """A Kubernetes `PodDNSConfig`."""

    nameservers: list[str] | None = Field(default=None, max_length=3)
    searches: list[str] | None = Field(default=None, max_length=32)
    options: list[DnsOption] | None = None

    @field_validator("nameservers")
    @classmethod
    def _addresses(cls, v: list[str] | None) -> list[str] | None:
        for address in v or []:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                invalid(
                    f"{address!r} is not an IP address",
                    "list the name servers' IP addresses, e.g. `10.0.0.10`",
                )
        return v

    @field_validator("searches")
    @classmethod
    def _domains(cls, v: list[str] | None) -> list[str] | None:
        bad = [d for d in v or [] if not DNS_NAME.match(d.rstrip("."))]
        if bad:
            invalid(f"not valid search domains: {bad}", "list DNS domains, e.g. `corp.local`")
        return v


class PodConfig(Section):
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
    priority_class_name: ObjectName = None
    """`priorityClassName` of the pods."""
    termination_grace_period_seconds: int | None = Field(default=None, ge=0, le=INT64_MAX)
    """`terminationGracePeriodSeconds`, 0 or more; the Kubernetes default (30) when unset."""
    dns_policy: Literal["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] | None = None
    """`dnsPolicy`; `None` needs `dnsConfig`."""
    dns_config: DnsConfig | None = None
    """Kubernetes `dnsConfig` (nameservers, searches, options)."""
    pod_labels: Labels = Field(default_factory=dict)
    """Extra labels on the pods (e.g. `azure.workload.identity/use`); changing them restarts
    the pods."""
    pod_annotations: Annotations = Field(default_factory=dict)
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

    @field_validator("node_selector")
    @classmethod
    def _node_labels(cls, v: dict[str, str]) -> dict[str, str]:
        # Node labels: the syntax of labels, none of them ours.
        check_metadata(
            {k: val for k, val in v.items() if not k.startswith(OWN_PREFIX)}, labels=True
        )
        return v

    @field_validator("affinity")
    @classmethod
    def _affinity_kinds(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        kinds = {"nodeAffinity", "podAffinity", "podAntiAffinity"}
        if v is not None and not set(v) <= kinds:
            unknown = sorted(set(v) - kinds)
            invalid(f"unknown affinity keys {unknown}", f"use only {sorted(kinds)}")
        return v

    @field_validator("extra_volumes")
    @classmethod
    def _volumes(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for volume in v:
            name = volume.get("name")
            if not isinstance(name, str) or not DNS_LABEL.match(name):
                invalid(
                    "every volume needs a `name` (a lowercase DNS label)",
                    "give each volume a `name` such as `cache`",
                )
            sources = set(volume) - {"name"}
            if len(sources) != 1 or not sources <= RESTRICTED_VOLUME_SOURCES:
                invalid(
                    f"volume {name!r} needs exactly one source of "
                    f"{sorted(RESTRICTED_VOLUME_SOURCES)} (the namespaces enforce the "
                    "restricted Pod Security Standard)",
                    "give it one of those sources, e.g. `emptyDir: {}` or `secret: "
                    "{secretName: <name>}`",
                )
        return v

    @field_validator("sidecars")
    @classmethod
    def _sidecars(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for container in v:
            name = container.get("name")
            if not isinstance(name, str) or not DNS_LABEL.match(name):
                invalid(
                    "every sidecar needs a `name` (a lowercase DNS label)",
                    "give each sidecar a `name` such as `proxy`",
                )
            image = container.get("image")
            problem = image_problem(image) if isinstance(image, str) else "is missing"
            if problem:
                invalid(
                    f"sidecar {name!r}: image {problem}",
                    "give it an image pinned by tag or digest, e.g. `envoyproxy/envoy:v1.31.0`",
                )
            for env in container.get("env") or []:
                try:
                    EnvVar.model_validate(env)  # the same rules as extraEnv
                except ValidationError as exc:
                    first = exc.errors()[0]
                    fix = (first.get("ctx") or {}).get("fix") or "correct the entry as in extraEnv"
                    invalid(f"sidecar {name!r}: env: {first['msg']}", fix)
            _sidecar_resources(name, container.get("resources"))
        return v


def _resource_kind(resource: str) -> Resource | None:
    """What a container resource is counted in, or None for one not checked here (extended
    resources such as `nvidia.com/gpu`)."""
    if resource == "cpu":
        return "cpu"
    if resource == "memory" or resource.startswith("hugepages-"):
        return "memory"
    if resource == "ephemeral-storage":
        return "storage"
    return None


def _sidecar_resources(name: str, resources: Any) -> None:
    """A sidecar's requests and limits: Kubernetes quantities of their resource's kind (cores,
    or bytes), each request within its limit."""
    if resources is None:
        return
    if not isinstance(resources, dict):
        invalid(f"sidecar {name!r}: resources must be a section", "write `requests` and `limits`")
    amounts: dict[str, dict[str, Any]] = {
        kind: resources.get(kind) or {} for kind in ("requests", "limits")
    }
    for kind, values in amounts.items():
        if not isinstance(values, dict):
            invalid(
                f"sidecar {name!r}: resources.{kind} must be a section",
                "write e.g. `cpu: 100m` and `memory: 128Mi` under it",
            )
        for resource, amount in values.items():
            of = _resource_kind(str(resource))
            if of is None:
                continue
            text = amount if isinstance(amount, str) else ""
            if isinstance(amount, int | float) and not isinstance(amount, bool):
                text = str(amount)
            problem = quantity_problem(text, of)
            if problem:
                invalid(
                    f"sidecar {name!r}: {kind}.{resource} {problem}",
                    "write e.g. `cpu: 100m` and `memory: 128Mi`: cores for `cpu`, bytes with a "
                    "unit for `memory` and `ephemeral-storage`",
                )
    for resource in sorted(set(amounts["requests"]) & set(amounts["limits"])):
        if _resource_kind(str(resource)) is None:
            continue
        request, limit = amounts["requests"][resource], amounts["limits"][resource]
        if parse_quantity(str(request)) > parse_quantity(str(limit)):
            invalid(
                f"sidecar {name!r}: limits.{resource} {limit} is below the request {request}",
                "raise the limit, or lower the request",
            )


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


def _store_image(kind: str) -> Any:
    def check(v: str) -> str:
        problem = store_version_problem(kind, v)
        if problem:
            # The default images are recent enough: name them, not a copy of them.
            example = (
                POSTGRES_IMAGE
                if kind == "postgres"
                else f"{REDIS_IMAGE}` or `docker.io/valkey/valkey:8.1.1"
            )
            invalid(problem, f"use a newer image, e.g. `{example}`")
        return v

    return AfterValidator(check)


class PostgresConfig(Section):
    """Defaults for each deployment's Postgres."""

    mode: StoreMode = STORE_MODE
    """`in-cluster` runs a StatefulSet; `external` reads a DSN from `externalPostgresUris`."""
    image: Annotated[PinnedImage, _store_image("postgres")] = POSTGRES_IMAGE
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
    image: Annotated[PinnedImage, _store_image("redis")] = REDIS_IMAGE
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


def check_spec_keys(spec: dict[str, Any]) -> dict[str, Any]:
    """`resource_spec` keys in the control plane's spelling, with values that fit them."""
    fields = Sizing.__dataclass_fields__
    unknown = sorted(set(spec) - set(fields))
    if unknown:
        invalid(
            f"unknown resource_spec keys {unknown}; known: {sorted(fields)}",
            "use the control plane's snake_case keys, e.g. `max_scale` or `memory_mb`",
        )
    # A fraction set with `pulumi config set --path` (`cpu 0.5`) reaches here as text.
    spec = {
        k: float(v)
        if isinstance(v, str) and FRACTION_TEXT.match(v) and str(fields[k].type).startswith("float")
        else v
        for k, v in spec.items()
    }
    truth = sorted(k for k, v in spec.items() if isinstance(v, bool))
    if truth:
        invalid(
            f"must be a number, not true/false (got {str(spec[truth[0]]).lower()})",
            "write plain numbers: replicas and MiB as whole numbers, CPU in cores (`0.5`)",
            at=truth[0],
        )
    numbers = {
        k: v for k, v in spec.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    bad = sorted(k for k, v in spec.items() if k not in numbers or not v >= 0)
    if bad:
        invalid(
            f"resource_spec values must be non-negative numbers: {bad}",
            "write plain numbers: replicas and MiB as whole numbers, CPU in cores (`0.5`)",
            at=bad[0],
        )
    for key, value in numbers.items():
        whole = str(fields[key].type).startswith("int")
        if value == 0:
            invalid("must be above zero", "write a positive number", at=key)
        if value > (INT32_MAX if whole else 1e6):
            invalid(f"{value} is too large", "write a realistic size", at=key)
        if whole and value != int(value):
            invalid(
                f"must be a whole number (got {value})", f"write e.g. `{int(value) or 1}`", at=key
            )
    for low, low_value, high, high_value in Sizing.from_mapping(spec).crossed_bounds():
        if low in spec and high in spec:
            invalid(
                f"{low} {low_value:g} is above {high} {high_value:g}",
                f"lower `{low}` or raise `{high}` to at least {low_value:g}",
                at=low,
            )
    return spec


SpecKeys = Annotated[dict[str, Any], AfterValidator(check_spec_keys)]
"""`resource_spec` keys in the control plane's spelling, with non-negative numbers."""


class StoreOverride(Section):
    """A per-deployment choice of in-cluster or external store."""

    mode: StoreMode
    """`in-cluster` or `external`."""


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
