"""The building blocks of the stack config: its error, its base sections, and the field
checks that several sections share."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ..images import image_problem
from ..names import OWN_LABELS, OWN_PREFIX

NAMESPACE = "dataplane"
KUBECONFIG_ENV = "DATAPLANE_KUBECONFIG"

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
# Parts of an environment name that say its value is a credential.
CREDENTIAL_WORDS = frozenset(
    {"KEY", "SECRET", "PASSWORD", "PASSWD", "TOKEN", "CREDENTIAL", "CREDENTIALS", "DSN"}
)
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


class Section(BaseModel):
    """Base of every config section: camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        use_attribute_docstrings=True,
    )


def pinned_image(v: str) -> str:
    problem = image_problem(v)
    if problem:
        raise ValueError(f"image {problem}")
    return v


def object_name(v: str | None) -> str | None:
    """A Kubernetes object name (DNS subdomain), or None."""
    if v is not None and (len(v) > 253 or not DNS_NAME.match(v)):
        raise ValueError(f"{v!r} is not a valid Kubernetes name (lowercase, digits, '-', '.')")
    return v


def check_metadata(v: dict[str, str], *, labels: bool) -> dict[str, str]:
    """Kubernetes label (or annotation) keys and values; our own keys stay ours."""
    bad = []
    for key, value in v.items():
        prefix, _, name = key.rpartition("/")
        prefix_ok = not prefix or (len(prefix) <= 253 and DNS_NAME.match(prefix))
        if not prefix_ok or len(name) > 63 or not LABEL_NAME.match(name):
            bad.append(f"key {key!r}")
        elif labels and (len(value) > 63 or (value and not LABEL_NAME.match(value))):
            bad.append(f"value {value!r} of {key!r}")
    if bad:
        raise ValueError(f"not valid Kubernetes {'labels' if labels else 'annotations'}: {bad}")
    own = sorted(k for k in v if k.startswith(OWN_PREFIX) or (labels and k in OWN_LABELS))
    if own:
        raise ValueError(f"{own} are set by the data plane itself; use other keys")
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
