"""The names a deployment's name becomes, checked against the rules of those objects, and what
YAML may have made of a name before Pulumi handed it over.

A deployment's name becomes its Service's name (`dns_name`, in `components/core/kube.py`), and,
with a suffix, the names of its Secrets, Deployments, PodDisruptionBudget, store Services,
StatefulSets, ConfigMap and PersistentVolumeClaims. Kubernetes refuses a Service name that
does not start with a letter (an RFC 1035 label), and a StatefulSet whose name is longer than
52 characters cannot make its pods (their `controller-revision-hash` label adds `-<hash>`).
These checks run before anything is declared: at parse time for the stack's own names, at
discovery for the control plane's.

Pulumi reads stack files with YAML 1.2 rules (Go's yaml.v3) and hands a section over as JSON,
checked with the real CLI: an unquoted map key `1e3` arrives as `"1000"`, `0x1F` as `"31"`,
`012` as `"10"`, `1.50` as `"1.5"`, `null` and `~` as `"<nil>"`, `True` as `"true"`, while
`no`, `yes`, `on` and `off` stay text; in a list or as a map's value, `1e3` arrives as the
number 1000 and `true` as true. Tools that read YAML 1.1 (PyYAML) also read `no`, `off`,
`yes` and `on` as true/false.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..core.kube import dns_name
from .fields import LABEL_NAME

SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
"""A Service name: an RFC 1035 label (a letter first), at most 63 characters."""
MAX_DEPLOYMENT_NAME = 40
"""The longest deployment name the stack file may use: every name derived from it then fits."""
STATEFULSET_NAME_MAX = 52
"""The longest StatefulSet name whose pods Kubernetes can make (63 less `-<10-char hash>`)."""
OBJECT_NAME_MAX = 63

# Suffixes of the names derived from a deployment's name, with the object each names and its
# longest name; the StatefulSets only when the store runs in the cluster.
_DERIVED: tuple[tuple[str, str, int], ...] = (
    ("revision-secrets", "Secret", OBJECT_NAME_MAX),
    ("platform-env", "Secret", OBJECT_NAME_MAX),
    ("queue", "Deployment", OBJECT_NAME_MAX),
    ("redis", "Service", OBJECT_NAME_MAX),
)
_STORE_DERIVED: dict[str, tuple[tuple[str, str, int], ...]] = {
    "postgres": (
        ("postgres-init", "ConfigMap", OBJECT_NAME_MAX),
        ("postgres-data", "PersistentVolumeClaim", OBJECT_NAME_MAX),
        ("postgres", "StatefulSet", STATEFULSET_NAME_MAX),
    ),
    "mongo": (
        ("mongo-data", "PersistentVolumeClaim", OBJECT_NAME_MAX),
        ("mongo", "StatefulSet", STATEFULSET_NAME_MAX),
    ),
}
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_YAML_NUMBERS = "`1e3`, `0x1F`, `012` or `1_000`"
_YAML_BOOLS = "`no`, `off`, `yes`, `on`, `true` or `false`"


def yaml_reading(key: Any) -> str | None:
    """What YAML (and Pulumi) made of a name written unquoted, when `key` looks like that:
    a sentence to add to a message, or None."""
    if key is None or key == "<nil>":
        return "YAML read an unquoted `null` or `~` as no name at all (Pulumi passes `<nil>`)"
    if isinstance(key, bool) or key in ("true", "false"):
        word = str(key).lower()
        return f"YAML reads an unquoted {_YAML_BOOLS} as true/false: this arrived as `{word}`"
    if isinstance(key, int | float) or (isinstance(key, str) and _NUMBER.match(key)):
        return f"YAML reads an unquoted {_YAML_NUMBERS} as a number: this arrived as `{key}`"
    return None


def deployment_name_problem(name: str) -> str | None:
    """Why the stack file's deployment `name` cannot be used, or None: it must be the Service
    name itself (lowercase, a letter first, no dots) and short enough for every derived name."""
    if SERVICE_NAME.match(name) and len(name) <= MAX_DEPLOYMENT_NAME:
        return None
    reading = yaml_reading(name)
    if reading and not SERVICE_NAME.match(name):
        return (
            f"{name!r} cannot be a deployment name (its Service's name must start with a "
            f"letter); {reading}"
        )
    if name[:1].isdigit():
        return (
            f"{name!r} starts with a digit, and it would be the name of its Kubernetes Service, "
            "which must start with a letter"
        )
    return (
        f"{name!r}: deployment names used here must be lowercase DNS labels that start with a "
        f"letter, of at most {MAX_DEPLOYMENT_NAME} characters (Kubernetes names derive from them)"
    )


def served_name_problem(name: str, stores: Iterable[str] = ()) -> str | None:
    """Why a control-plane deployment called `name` cannot be served, or None: the names
    derived from it (`dns_name`) would be refused by Kubernetes, or cut short (and then
    collide). `stores`: its stores that run in the cluster as StatefulSets (`postgres`,
    `mongo`)."""
    base = dns_name(name)
    if not SERVICE_NAME.match(base):
        what = f"the Service name {base!r}" if base else "no Kubernetes name at all"
        return (
            f"its name {name!r} gives {what}, which Kubernetes refuses (a Service name "
            "starts with a letter)"
        )
    derived = [*_DERIVED, *(d for store in stores for d in _STORE_DERIVED.get(store, ()))]
    for suffix, kind, longest in derived:
        full = f"{base}-{suffix}"
        if len(full) > longest:
            return (
                f"its name {name!r} is too long: the {kind} {full!r} would be longer than "
                f"{longest} characters"
            )
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` cannot be a Kubernetes label value, or None."""
    if len(value) > OBJECT_NAME_MAX:
        return f"{value!r} is longer than {OBJECT_NAME_MAX} characters"
    if value and not LABEL_NAME.match(value):
        return (
            f"{value!r} is not a label value (letters, digits, `-`, `_` and `.`, a letter or "
            "digit at both ends)"
        )
    return None
