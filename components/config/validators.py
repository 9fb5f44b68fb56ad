"""Value types of the stack config, each with its check: URLs, chart repositories, label keys,
credentials, quantities, store images and `resource_spec` keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import httpx
from pydantic import AfterValidator, SecretStr

from ..core.defaults import POSTGRES_IMAGE, REDIS_IMAGE
from ..core.images import store_version_problem
from ..core.urls import is_oci, url_problem
from ..spec.args import OPERATOR_CHART, OPERATOR_CHART_REPOSITORY, OPERATOR_CHART_VERSION
from ..spec.revision import Sizing
from .fields import FRACTION_TEXT, INT32_MAX, invalid, is_label_key
from .quantities import quantity_problem

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


def store_image(kind: str) -> Any:
    """A store image's check: recent enough for the servers, as far as its tag says."""

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
