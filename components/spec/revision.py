"""The plain, typed description of what one LangGraph server runs: one control-plane revision.

The revision-sync provider produces it from the control plane; stack config can supply it
directly for servers that Pulumi alone manages. `LangGraphServer` only ever sees this type.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi

from ..core.platform_env import reserved_env_problem


class ReservedEnvNameError(ValueError):
    """A revision tried to set an environment variable that the platform owns."""


def check_secret_names(deployment: str, names: Sequence[str]) -> list[str]:
    """Return the names sorted, or raise if any is reserved by the platform."""
    problem = reserved_env_problem(names)
    if problem:
        raise ReservedEnvNameError(
            f"deployment {deployment!r}: revision secrets {problem}. Rename them in the control "
            "plane."
        )
    return sorted(names)


def secrets_digest(values: Mapping[str, str]) -> str:
    """A short digest of secret names and values: it changes when any secret changes.

    It goes on pod templates so a secret change restarts the pods; only 16 hex characters of
    a SHA-256 are kept, which says "changed" without being a usable hash of the values.
    """
    blob = json.dumps(sorted(values.items()), separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
"""A key of a Kubernetes Secret's data."""


@dataclass(frozen=True)
class SecretRef:
    """One key of a Kubernetes Secret that already exists in the deployment's namespace,
    exposed to the server containers as the environment variable `name` (the control
    plane's `secret_references`). Only these names travel: the value stays in the Secret."""

    name: str
    """The environment variable."""
    secret_name: str
    """The Secret, in the deployment's namespace."""
    secret_key: str
    """The key in that Secret."""

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> SecretRef:
        """From the control plane's `{name, secret_name, secret_key}`."""
        return cls(str(raw["name"]), str(raw["secret_name"]), str(raw["secret_key"]))

    @classmethod
    def all_of(cls, raw: Sequence[Mapping[str, Any]] | None) -> list[SecretRef]:
        return [cls.from_mapping(r) for r in raw or []]

    def to_mapping(self) -> dict[str, str]:
        return {"name": self.name, "secret_name": self.secret_name, "secret_key": self.secret_key}

    def env(self) -> dict[str, Any]:
        """The container `env` entry."""
        ref = {"name": self.secret_name, "key": self.secret_key}
        return {"name": self.name, "valueFrom": {"secretKeyRef": ref}}

    def __str__(self) -> str:
        return f"{self.name} (Secret {self.secret_name}, key {self.secret_key})"


def secret_reference_problems(refs: Sequence[SecretRef], secret_names: Sequence[str]) -> list[str]:
    """What is wrong with a deployment's references, one line each: a name the platform
    reserves, that is not an environment variable's, or that another reference or a revision
    secret already uses; a Secret name or key Kubernetes would refuse."""
    from ..config.fields import DNS_NAME, ENV_NAME  # the config package imports this module

    problems = [f"{r}: {p}" for r in refs if (p := reserved_env_problem([r.name]))]
    names = [r.name for r in refs]
    for ref in refs:
        if not ENV_NAME.match(ref.name):
            problems.append(f"{ref}: {ref.name!r} is not an environment variable name")
        if names.count(ref.name) > 1 or ref.name in secret_names:
            problems.append(f"{ref}: {ref.name} is set twice (by a secret or another reference)")
        if not DNS_NAME.match(ref.secret_name) or len(ref.secret_name) > 253:
            problems.append(f"{ref}: {ref.secret_name!r} is not a Secret name")
        if not SECRET_KEY.match(ref.secret_key) or len(ref.secret_key) > 253:
            problems.append(f"{ref}: {ref.secret_key!r} is not a Secret key")
    return list(dict.fromkeys(problems))


@dataclass(frozen=True)
class Sizing:
    """Sizing of one deployment, in the units of the control plane's `resource_spec`
    (`controlplane.ResourceSpec` is that API field as it comes over the wire)."""

    min_scale: int = 1
    """Minimum API replicas."""
    max_scale: int = 1
    """Maximum API replicas."""
    cpu: float = 1.0
    """CPU request of an API pod, in cores."""
    cpu_limit: float | None = None
    """CPU limit of an API pod; defaults to twice the request."""
    memory_mb: int = 2048
    """Memory request of an API pod, in MiB."""
    memory_limit_mb: int | None = None
    """Memory limit of an API pod; defaults to twice the request."""
    queue_min_scale: int | None = None
    """Minimum queue-worker replicas; defaults to `min_scale`."""
    queue_max_scale: int | None = None
    """Maximum queue-worker replicas; defaults to `max_scale`."""
    queue_cpu: float | None = None
    """CPU request of a queue pod; defaults to `cpu`."""
    queue_cpu_limit: float | None = None
    """CPU limit of a queue pod; defaults to twice its request."""
    queue_memory_mb: int | None = None
    """Memory request of a queue pod; defaults to `memory_mb`."""
    queue_memory_limit_mb: int | None = None
    """Memory limit of a queue pod; defaults to twice its request."""
    redis_memory_mb: int = 1024
    """Memory of the deployment's in-cluster Redis, in MiB."""
    db_cpu: float = 1.0
    """CPU request of the in-cluster Postgres."""
    db_cpu_limit: float | None = None
    """CPU limit of the in-cluster Postgres; defaults to twice the request."""
    db_memory_mb: int = 2048
    """Memory request of the in-cluster Postgres, in MiB."""
    db_memory_limit_mb: int | None = None
    """Memory limit of the in-cluster Postgres; defaults to twice the request."""
    db_storage_gi: int = 10
    """Size of the in-cluster Postgres volume, in GiB."""
    db_max_connections: int = 100
    """Postgres `max_connections`."""

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> Sizing:
        """Build from a control-plane `resource_spec`, ignoring fields this type does not use.

        Whole-number fields are made ints again: numbers that cross the Pulumi engine come
        back as floats, and `8192.0Mi` is not a Kubernetes quantity.
        """
        values: dict[str, Any] = {}
        for name, f in cls.__dataclass_fields__.items():
            value = (raw or {}).get(name)
            if value is None:
                continue
            values[name] = int(value) if str(f.type).startswith("int") else float(value)
        return cls(**values)

    @classmethod
    def coerce(cls, value: Sizing | Mapping[str, Any] | None) -> Sizing:
        """Accept a `Sizing` or the control plane's `resource_spec` mapping."""
        return value if isinstance(value, Sizing) else cls.from_mapping(value)

    def crossed_bounds(self) -> list[tuple[str, float, str, float]]:
        """Each minimum above its maximum and request above its limit, as the workloads would get
        them: `(key, value, bound key, bound value)` in `resource_spec` keys."""
        pairs = [
            ("min_scale", "max_scale"),
            ("queue_min_scale" if self.queue_min_scale is not None else "min_scale",
             "queue_max_scale" if self.queue_max_scale is not None else "max_scale"),
            ("cpu", "cpu_limit"),
            ("memory_mb", "memory_limit_mb"),
            ("queue_cpu" if self.queue_cpu is not None else "cpu", "queue_cpu_limit"),
            ("queue_memory_mb" if self.queue_memory_mb is not None else "memory_mb",
             "queue_memory_limit_mb"),
            ("db_cpu", "db_cpu_limit"),
            ("db_memory_mb", "db_memory_limit_mb"),
        ]  # fmt: skip
        crossed = []
        for low, high in dict.fromkeys(pairs):
            low_value, high_value = getattr(self, low), getattr(self, high)
            if high_value is not None and low_value > high_value:
                crossed.append((low, low_value, high, high_value))
        return crossed

    def with_min_replicas(self, floor: int, *, queue_to_zero: bool = False) -> Sizing:
        """This spec with API and queue replica bounds raised to at least `floor`; a queue
        minimum of 0 stays 0 when `queue_to_zero` (a KEDA ScaledObject can wake it; an HPA,
        which the API always has, cannot go below 1)."""
        queue = self.queue()
        idle = queue_to_zero and queue.min_replicas == 0
        return replace(
            self,
            min_scale=max(self.min_scale, floor),
            max_scale=max(self.max_scale, floor),
            queue_min_scale=0 if idle else max(queue.min_replicas, floor),
            queue_max_scale=max(queue.max_replicas, floor),
        )

    def zero_minimums(self) -> list[str]:
        """The replica minimums (`resource_spec` keys) that ask for zero."""
        zero = ["min_scale"] if self.min_scale == 0 else []
        return zero + (["queue_min_scale"] if self.queue().min_replicas == 0 else [])

    def api(self) -> WorkloadSize:
        """Replica bounds and container resources of the API pods."""
        return WorkloadSize.of(
            self.min_scale,
            self.max_scale,
            self.cpu,
            self.cpu_limit,
            self.memory_mb,
            self.memory_limit_mb,
        )

    def queue(self) -> WorkloadSize:
        """Replica bounds and container resources of the queue workers."""
        cpu = self.queue_cpu if self.queue_cpu is not None else self.cpu
        mem = self.queue_memory_mb if self.queue_memory_mb is not None else self.memory_mb
        return WorkloadSize.of(
            self.queue_min_scale if self.queue_min_scale is not None else self.min_scale,
            self.queue_max_scale if self.queue_max_scale is not None else self.max_scale,
            cpu,
            self.queue_cpu_limit,
            mem,
            self.queue_memory_limit_mb,
        )

    def database(self) -> WorkloadSize:
        """Container resources of the in-cluster Postgres (always one replica)."""
        return WorkloadSize.of(
            1, 1, self.db_cpu, self.db_cpu_limit, self.db_memory_mb, self.db_memory_limit_mb
        )


@dataclass(frozen=True)
class WorkloadSize:
    """Replica bounds and Kubernetes resource quantities of one workload."""

    min_replicas: int
    max_replicas: int
    requests: dict[str, str]
    limits: dict[str, str]

    @classmethod
    def of(
        cls,
        min_replicas: int,
        max_replicas: int,
        cpu: float,
        cpu_limit: float | None,
        memory_mb: int,
        memory_limit_mb: int | None,
    ) -> WorkloadSize:
        return cls(
            min_replicas=min_replicas,
            max_replicas=max(max_replicas, min_replicas),
            requests={"cpu": cpu_quantity(cpu), "memory": f"{memory_mb}Mi"},
            limits={
                "cpu": cpu_quantity(cpu_limit if cpu_limit is not None else 2 * cpu),
                "memory": f"{memory_limit_mb if memory_limit_mb is not None else 2 * memory_mb}Mi",
            },
        )

    def resources(self) -> dict[str, dict[str, str]]:
        """The container `resources` block."""
        return {"requests": dict(self.requests), "limits": dict(self.limits)}


def cpu_quantity(cores: float) -> str:
    """Cores as a Kubernetes quantity in millicores: 0.5 -> '500m'."""
    return f"{round(cores * 1000)}m"


@dataclass
class RevisionSpec:
    """What one LangGraph server runs: a control-plane deployment at one revision.

    Identity fields are plain (they name resources); the rest may be Outputs of the
    revision-sync resource, so a preview shows concrete values when the sync knows them.
    """

    deployment_id: str
    """The control-plane deployment id (a label value on every object)."""
    deployment_name: str
    """The control-plane deployment name; Kubernetes object names derive from it."""
    revision_id: pulumi.Input[str]
    """The control-plane revision id being served."""
    image: pulumi.Input[str]
    """The server image, pinned by tag or digest."""
    resource_spec: pulumi.Input[Sizing] = field(default_factory=Sizing)
    """Sizing of the API, queue, Redis and Postgres."""
    secret_values: pulumi.Input[Mapping[str, str]] = field(default_factory=dict)
    """The revision's own secrets, name to value; a secret Output."""
    secrets_digest: pulumi.Input[str] | None = None
    """Digest of `secret_values`; computed from them when not given."""
    secret_references: Sequence[SecretRef] = ()
    """Keys of Secrets that already exist in the namespace, exposed as environment
    variables."""
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    """The control plane's `resource_spec.annotations` for the server pods (the stack's own
    pod annotations win on conflict)."""
    service_account_name: str | None = None
    """The control plane's `resource_spec.service_account_name` (the stack's
    `serviceAccount.name` wins when set)."""
