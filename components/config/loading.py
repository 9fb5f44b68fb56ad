"""Loading the stack config: from what Pulumi hands over to a `StackConfig`, or one
`ConfigError` that lists every problem with its config path and fix."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from ..workload import WORKLOAD_KINDS
from .checks import cross_checks
from .fields import KUBECONFIG_ENV, NAMESPACE, ConfigError
from .schema import StackConfig

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
        problems.extend(cross_checks(config))
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
