"""No secret value is a literal in a container's environment.

Secrets reach pods through Kubernetes Secrets only (`valueFrom.secretKeyRef`, `envFrom`):
a literal `env[].value` sits in plain text in the pod spec, the state and `kubectl get`.
The engine does not tell a policy pack which values are secret (the SDK strips the marker),
so a literal is judged by what it holds and what it is called:
- it holds a value of a Secret of the same stack (8 characters or longer, also inside a
  longer value such as a DSN);
- it is a URL with a password in it (`scheme://user:password@host`);
- its name says it is a credential (PASSWORD, SECRET, TOKEN, API_KEY, ...).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

from .model import Resource, Violation, containers
from .settings import StackSettings

SECRET_TYPE = "kubernetes:core/v1:Secret"
MIN_SECRET_LENGTH = 8
"""Shorter Secret values (a port, a flag) are not matched: they would match by chance."""
_CREDENTIAL_NAME = re.compile(
    r"(?:^|_)(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIALS?|API_?KEY|"
    r"LICEN[CS]E_KEY|PRIVATE_KEY|ACCESS_KEY|DSN)(?:_|$)"
)
_URL_PASSWORD = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:\s]*:[^/@\s]+@")
_FIX = (
    "Fix: put the value in a Kubernetes Secret and reference it with "
    "valueFrom.secretKeyRef (or envFrom.secretRef); for dataplane:workloads.<kind>.extraEnv "
    "use `valueFrom`, and revision secrets belong in the control plane."
)


def secrets_not_in_env(
    resources: Sequence[Resource], settings: StackSettings, others: list[StackSettings] | None
) -> list[Violation]:
    """No container env literal holds a secret."""
    secret_values = _secret_values(resources)
    violations = []
    for resource in resources:
        for container in containers(resource):
            env = container.spec.get("env")
            if not isinstance(env, list):
                continue
            for entry in env:
                reason = _literal_secret(entry, secret_values)
                if reason:
                    name = entry.get("name")
                    violations.append(
                        Violation(
                            f"{container.describe()}: env {name!r} is a literal value that "
                            f"{reason}, so it is in plain text in the pod spec and the state. "
                            f"{_FIX}",
                            resource.urn,
                        )
                    )
    return violations


def _literal_secret(entry: Any, secret_values: dict[str, str]) -> str | None:
    """Why this env entry is a secret literal, or None."""
    if not isinstance(entry, dict) or entry.get("valueFrom") is not None:
        return None
    name, value = entry.get("name"), entry.get("value")
    # An unknown value (UNKNOWN) is not a str: the preview cannot judge it, `up` will.
    if not isinstance(name, str) or not isinstance(value, str) or not value:
        return None
    for secret_value, where in secret_values.items():
        if secret_value in value:
            return f"holds the value of {where}"
    if _URL_PASSWORD.match(value):
        return "is a URL with a password in it"
    if _CREDENTIAL_NAME.search(name.upper()):
        return "is named like a credential"
    return None


def _secret_values(resources: Sequence[Resource]) -> dict[str, str]:
    """Each known value of the stack's Secrets, to where it is kept (`Secret ns/name key K`)."""
    values: dict[str, str] = {}
    for resource in sorted(resources, key=lambda r: r.urn):
        if resource.type != SECRET_TYPE:
            continue
        for field, encoded in (("stringData", False), ("data", True)):
            entries = resource.props.get(field)
            if not isinstance(entries, dict):
                continue
            for key, value in entries.items():
                plain = _decoded(value) if encoded else value
                if isinstance(plain, str) and len(plain) >= MIN_SECRET_LENGTH:
                    values.setdefault(plain, f"{resource.describe()} key {key!r}")
    return values


def _decoded(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
