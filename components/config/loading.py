"""Loading the stack config: from what Pulumi hands over to a `StackConfig`, or one
`ConfigError` that lists every problem with its config path and fix."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from ..core.urls import api_root, api_root_problem
from .checks import cross_checks
from .fields import CONTROL_PLANE_URL_ENV, KUBECONFIG_ENV, NAMESPACE, ConfigError, Problem
from .messages import SECRET_KEYS, describe, dotted, meant_key, related, twin_keys, unreported
from .schema import StackConfig
from .validators import http_url_problem

# Values that stand in for missing required keys, so that every other check still runs.
_PLACEHOLDERS: dict[tuple[Any, ...], Any] = {
    ("controlPlane",): {"listenerComputeId": "placeholder"},
    ("controlPlane", "listenerComputeId"): "placeholder",
    ("apiKey",): "placeholder",
    ("licenseKey",): "placeholder",
}
# Validation rounds: each drops or stands in for what the last one found wrong.
_ROUNDS = 6


def parse_stack_config(
    raw: Mapping[str, Any],
    secret_keys: Iterable[str] = (),
    control_plane_url: str | None = None,
) -> StackConfig:
    """Validate the `dataplane:` config into a `StackConfig`, or raise one `ConfigError`.

    `raw` maps keys without the namespace (`controlPlane`) to values: strings as Pulumi hands
    them over, JSON text for objects, or already-parsed objects. `secret_keys` names the keys
    that were set as secrets. `control_plane_url` is `LANGSMITH_CONTROL_PLANE_URL` from the
    environment. Every problem is reported at once: the checks across sections run too, on
    what is valid, even when a required key is missing.
    """
    values = {key: copy.deepcopy(_decode(value)) for key, value in raw.items()}
    problems: list[Problem] = []
    env_url = _env_control_plane(values.get("controlPlane"), control_plane_url, problems)
    problems.extend(twin_keys(StackConfig, values))

    known = {f.alias or name for name, f in StackConfig.model_fields.items()}
    # Keys absent only because they were misspelt: no check reports them missing too.
    meant: set[str] = set()
    for key in sorted(set(values) - known):
        close = meant_key(StackConfig, (key,))
        fix = f"write `{close[0]}`" if close else "remove it or correct the spelling"
        problems.append(
            Problem(key, "unknown key", f"{fix} (known keys: {', '.join(sorted(known))})")
        )
        if close:
            meant.add(dotted(close))
        values.pop(key)

    secret = set(secret_keys)
    for key in SECRET_KEYS:
        if key in values and key not in secret:
            path = "--path " if key.startswith("external") else ""
            problems.append(
                Problem(
                    key,
                    "is stored in plain text",
                    f"set it again with `pulumi config set --secret {path}{NAMESPACE}:{key}...` "
                    "and remove the plain value from the stack file",
                )
            )
    static_secrets = _has_static_secrets(values.get("deployments"))
    if static_secrets and "deployments" not in secret:
        problems.append(
            Problem(
                "deployments",
                "static revision secrets are stored in plain text",
                "set each with `pulumi config set --secret --path "
                f"'{NAMESPACE}:deployments.<name>.static.secrets.<NAME>' <value>`",
            )
        )

    config, reported = _validate(values, problems, {CONTROL_PLANE_URL_ENV: env_url}, meant)
    if config is not None:
        problems.extend(unreported(cross_checks(config), reported))
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
    return parse_with_environment(raw, secret)


def parse_with_environment(raw: Mapping[str, Any], secret_keys: Iterable[str]) -> StackConfig:
    """`parse_stack_config` with the environment switches a stack honours (the component
    package's inputs too)."""
    raw = dict(raw)
    # This one: apply to a local cluster without editing the stack.
    if os.environ.get(KUBECONFIG_ENV):
        raw["kubeconfig"] = os.environ[KUBECONFIG_ENV]
    # And the control plane's URL, read as LangChain's Terraform provider reads it.
    return parse_stack_config(raw, secret_keys, os.environ.get(CONTROL_PLANE_URL_ENV) or None)


def _env_control_plane(
    control_plane: Any, value: str | None, problems: list[Problem]
) -> str | None:
    """`LANGSMITH_CONTROL_PLANE_URL` in `api_root`'s spelling, when the stack has a control
    plane whose `url` or `region` does not name it already; else None. A wrong value is a
    problem of `controlPlane` (never quoted: it is not in the stack file)."""
    if not value or not isinstance(control_plane, dict):
        return None  # a standalone stack stays one
    if control_plane.get("url") or control_plane.get("region"):
        return None  # the explicit setting wins
    problem = http_url_problem(value) or api_root_problem(value)
    if problem:
        problems.append(
            Problem(
                "controlPlane",
                f"`{CONTROL_PLANE_URL_ENV}` (environment) {problem}",
                f"unset `{CONTROL_PLANE_URL_ENV}`, or set it to the control plane's root, "
                "e.g. `https://api.host.langchain.com` or `https://<host>/api-host`",
            )
        )
        return None
    return api_root(value)


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


def _validate(
    values: dict[str, Any],
    problems: list[Problem],
    context: dict[str, Any],
    meant: set[str],
) -> tuple[StackConfig | None, set[str]]:
    """Validate (with `context`: what the settings took from the environment); on errors,
    record them, drop the faulty values (or stand in for missing ones) and validate again, so
    that later checks run on what is valid. An error about a key (or inside or around it)
    that was already reported wrong, or that a misspelt key stands for (`meant`), is a
    knock-on of that one and is not reported.

    Returns the config (None if it never became valid) and the key paths reported wrong.
    """
    current = copy.deepcopy(values)
    touched: set[str] = set(meant)
    for _ in range(_ROUNDS):
        try:
            return StackConfig.model_validate(current, context=context), touched
        except ValidationError as exc:
            errors = exc.errors()
        # A misspelt key and the key it stands for show up in the same round
        # (`unknown key`, `required but missing`): the first one says it all.
        for err in errors:
            if err["type"] == "extra_forbidden":
                close = meant_key(StackConfig, tuple(err["loc"]))
                if close is not None:
                    touched.add(dotted(close))
        for err in errors:
            loc = tuple(err["loc"])
            if not any(related(dotted(loc), seen) for seen in touched):
                problems.append(describe(StackConfig, err))
        for err in errors:
            loc = tuple(p for p in err["loc"] if p != "[key]")  # a bad map key: drop its entry
            if err["type"] == "missing" and loc in _PLACEHOLDERS:
                _put(current, loc, copy.deepcopy(_PLACEHOLDERS[loc]))
            elif err["type"] == "missing":
                loc = loc[:-1]  # a missing key takes the object that misses it along
                _drop(current, list(loc))
            else:
                _drop(current, list(loc))
            touched.add(dotted(loc))
        current = _without_dropped(current)
    return None, touched


def _put(tree: Any, loc: tuple[Any, ...], value: Any) -> None:
    for part in loc[:-1]:
        tree = tree.setdefault(part, {}) if isinstance(tree, dict) else tree
    if isinstance(tree, dict):
        tree[loc[-1]] = value


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
