"""The building blocks of the stack config: its error and problems, its base sections, and the
field checks that several sections share."""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, NoReturn, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from ..core.images import image_problem
from ..core.names import OWN_LABELS, OWN_PREFIX

NAMESPACE = "dataplane"
KUBECONFIG_ENV = "DATAPLANE_KUBECONFIG"
# The control plane's URL from the environment, as LangChain's Terraform provider reads it.
CONTROL_PLANE_URL_ENV = "LANGSMITH_CONTROL_PLANE_URL"

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
# Ids the control plane hands out (UUIDs there; any safe token in a URL path here).
API_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Text that `pulumi config set --path` stores as text although it is a number: it stores
# whole numbers as numbers, and a number with a fraction (`2.5`) as text.
FRACTION_TEXT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")
# The largest values of the Kubernetes fields these numbers end up in.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# Volume sources the restricted Pod Security Standard admits (the namespaces enforce it).
RESTRICTED_VOLUME_SOURCES = frozenset(
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


@dataclass(frozen=True)
class Problem:
    """One problem of the stack config: where it is, what is wrong, and what to write instead."""

    path: str
    """The key path under the namespace, e.g. `exposure.ingress.hostname`."""
    message: str
    """What is wrong, in the stack file's words."""
    fix: str
    """What to write instead."""
    reads: tuple[str, ...] = ()
    """Every key path the check read (default: `path`). A problem is left out when one of
    them was already reported wrong: it would be about a value that is not there."""
    absent: tuple[str, ...] = ()
    """Key paths the check found missing or empty. A problem is also left out when anything
    at, around or under one of them was reported wrong: what was dropped was there."""

    def __str__(self) -> str:
        return f"{NAMESPACE}:{self.path}: {self.message}. Fix: {self.fix.rstrip('.')}."


class ConfigError(ValueError):
    """The stack config is wrong; the message lists every problem with its fix."""

    def __init__(self, problems: list[str] | list[Problem]):
        self.problems = [str(p) for p in problems]
        lines = "\n".join(f"  - {p}" for p in problems)
        n = len(problems)
        super().__init__(
            f"the stack config has {n} problem{'s' if n != 1 else ''}:\n{lines}\n"
            "See the configuration reference in docs/configuration.md."
        )


def invalid(message: str, fix: str, *, at: str | None = None) -> NoReturn:
    """Refuse a value from a validator: `message` says what is wrong, `fix` what to write
    instead, `at` the key under the validated one that is wrong (for a section's checks)."""
    raise PydanticCustomError(
        "invalid", message.replace("{", "(").replace("}", ")"), {"fix": fix, "at": at}
    )


class Section(BaseModel):
    """Base of every config section: camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
    )

    # Keys of the stack itself (`dataplane:<key>`): Pulumi hands every one over as text.
    top_level: ClassVar[bool] = False

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        """A number in the stack file is a number: never `true`/`false` (pydantic would take
        them as 1 and 0), nor text (`"3"`), which only quotes in the file or `--type string`
        make: `pulumi config set --path` stores whole numbers as numbers. Two exceptions, the
        text Pulumi itself hands over: a fraction set with `--path` (`2.5` stays text), and
        every value of a top-level key."""
        if info.field_name is None:
            return v
        kind = numeric_kind(cls.model_fields[info.field_name].annotation)
        if kind is None or not isinstance(v, bool | str):
            return v
        default = cls.model_fields[info.field_name].default
        whole = kind is int
        if isinstance(default, int | float) and not isinstance(default, bool):
            example = f"`{default:g}` (the default)"
        else:
            example = "`2`" if whole else "`30` or `2.5`"
        number = "a whole number" if whole else "a number"
        if isinstance(v, bool):
            invalid(f"must be {number}, not true/false", f"write {number} such as {example}")
        if cls.top_level or (not whole and FRACTION_TEXT.match(v)):
            return v
        invalid(
            f"must be {number}, not text",
            f"write {number} such as {example}, without quotes or units",
        )


def pinned_image(v: str) -> str:
    problem = image_problem(v)
    if problem:
        invalid(
            f"image {problem}",
            "pin the image by a tag other than `latest` or by digest, e.g. "
            "`docker.io/library/redis:7.4.2` or `ghcr.io/acme/agent@sha256:<64 hex digits>`",
        )
    return v


def object_name(v: str | None) -> str | None:
    """A Kubernetes object name (DNS subdomain), or None."""
    if v is not None and (len(v) > 253 or not DNS_NAME.match(v)):
        invalid(
            f"{v!r} is not a valid Kubernetes name (lowercase, digits, '-', '.')",
            "use lowercase letters, digits, `-` and `.`, starting and ending with a letter or "
            "digit, e.g. `high-priority`",
        )
    return v


def label_value(v: str) -> str:
    """A Kubernetes label value (these ids end up as labels)."""
    if len(v) > 63 or (v and not LABEL_NAME.match(v)):
        invalid(
            f"{v!r} cannot be a Kubernetes label value",
            "use at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a "
            "letter or digit (the control plane's ids are UUIDs)",
        )
    return v


def is_label_key(key: str) -> bool:
    """Is `key` a Kubernetes label (or annotation) key, `[DNS-name prefix/]name`?"""
    prefix, _, name = key.rpartition("/")
    prefix_ok = not prefix or (len(prefix) <= 253 and DNS_NAME.match(prefix))
    return bool(prefix_ok and len(name) <= 63 and LABEL_NAME.match(name))


def check_metadata(v: dict[str, str], *, labels: bool) -> dict[str, str]:
    """Kubernetes label (or annotation) keys and values; our own keys stay ours."""
    bad = []
    for key, value in v.items():
        if not is_label_key(key):
            bad.append(f"key {key!r}")
        elif labels and (len(value) > 63 or (value and not LABEL_NAME.match(value))):
            bad.append(f"value {value!r} of {key!r}")
    if bad:
        invalid(
            f"not valid Kubernetes {'labels' if labels else 'annotations'}: {bad}",
            "keys are `[prefix/]name` with a DNS-name prefix and a name of at most 63 letters, "
            "digits, `-`, `_` and `.`"
            + (
                "; values at most 63 of the same characters (quote `true` and numbers)"
                if labels
                else ""
            ),
        )
    own = sorted(k for k in v if k.startswith(OWN_PREFIX) or (labels and k in OWN_LABELS))
    if own:
        invalid(f"{own} are set by the data plane itself", "use other keys")
    return v


class KubeShape(Section):
    """A Kubernetes API object in its own camelCase shape; unknown fields are rejected."""

    # The reference names the Kubernetes type instead of listing its fields.
    reference_expand: ClassVar[bool] = False

    def manifest(self) -> dict[str, Any]:
        """The object as the Kubernetes API takes it."""
        return self.model_dump(by_alias=True, exclude_none=True)


# Field types that carry their checks: a section declares `annotations: Annotations`.
Labels = Annotated[dict[str, str], AfterValidator(lambda v: check_metadata(v, labels=True))]
"""Kubernetes labels; the data plane's own keys stay its own."""
Annotations = Annotated[dict[str, str], AfterValidator(lambda v: check_metadata(v, labels=False))]
"""Kubernetes annotations; the data plane's own keys stay its own."""
ObjectName = Annotated[str | None, AfterValidator(object_name)]
"""A Kubernetes object name, or unset."""
PinnedImage = Annotated[str, AfterValidator(pinned_image)]
"""An image reference pinned by tag or digest."""
LabelValue = Annotated[str, AfterValidator(label_value)]
"""A value that ends up as a Kubernetes label value."""


def numeric_kind(annotation: Any) -> type | None:
    """`int` or `float` when a field of this type takes a number (or nothing), else None."""
    if get_origin(annotation) is Annotated:
        return numeric_kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = {numeric_kind(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    return annotation if annotation in (int, float) else None


def _int32(v: int) -> int:
    # A validator rather than a `Field(le=...)`: a field's own, lower bound (`le=3600`) must
    # not be replaced by this one (pydantic keeps the last bound of a kind).
    if v > INT32_MAX:
        raise PydanticCustomError("less_than_equal", "must be at most {le}", {"le": INT32_MAX})
    return v


Int32 = Annotated[int, AfterValidator(_int32)]
"""A whole number that fits a Kubernetes int32 field."""
