"""Kubernetes shapes in the stack config: container resources, tolerations, spreading, env,
volume mounts, DNS, and the pod settings of one workload kind (`workloads.<kind>`).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from ..core.images import image_problem
from ..core.names import OWN_PREFIX
from ..spec.args import (
    LISTENER_CPU,
    LISTENER_CPU_LIMIT,
    LISTENER_MEMORY,
    LISTENER_MEMORY_LIMIT,
    container_resources,
)
from .credentials import credential_reason
from .fields import (
    DNS_LABEL,
    DNS_NAME,
    ENV_NAME,
    INT64_MAX,
    RESTRICTED_VOLUME_SOURCES,
    Annotations,
    Int32,
    KubeShape,
    Labels,
    ObjectName,
    Section,
    check_metadata,
    invalid,
)
from .quantities import Resource, parse_quantity, quantity_problem
from .validators import CpuQuantity, MemoryQuantity, QualifiedName


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
            name = _dns_label_name(volume, "volume", "cache")
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
            name = _dns_label_name(container, "sidecar", "proxy")
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


def _dns_label_name(item: dict[str, Any], what: str, example: str) -> str:
    """The `name` of a volume or sidecar, which must be a lowercase DNS label."""
    name = item.get("name")
    if not isinstance(name, str) or not DNS_LABEL.match(name):
        invalid(
            f"every {what} needs a `name` (a lowercase DNS label)",
            f"give each {what} a `name` such as `{example}`",
        )
    return name


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
