"""No input reaches the user as a Python traceback: the program path (the stack config as the
Pulumi runtime hands it over, then discovery against a real local control plane) turns every
malformed value into a `RunError`, which the engine prints as its message alone.

The values are swept over every key of every section; whatever they do, the program either
goes on (the value is valid) or stops with a clear message that names `dataplane:` keys and
repeats no secret.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.runtime import config as runtime_config

from components.config import StackConfig
from components.program import CONTROL_PLANE_KEYS, clear_errors, load_and_discover
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import LocalServer

LICENCE = "lgp-unit-licence-secret"
URL_PASSWORD = "malformed-url-pw"

MALFORMED: list[Any] = [
    None, "", " ", "\x00", "\n", "{", "[1,", "{not json}", "ü" * 300, 0, -1, 1.5, 2**64,
    -(2**63), 1e308, True, [], [[[]]], {}, {"": ""}, {"a": {"b": {"c": None}}},
    "https://u:" + URL_PASSWORD + "@h", "http://[::1", "https://", "ftp://x", "-1Gi", "2 GB",
    "Bad_Name", "a" * 300,
]  # fmt: skip


def stack_config(control_plane_url: str) -> dict[str, Any]:
    return {
        # A short deadline: a variant that points elsewhere fails fast.
        "controlPlane": {
            "url": control_plane_url,
            "listenerComputeId": "dev-cluster",
            "deadlineSeconds": 1,
        },
        "apiKey": DEFAULT_API_KEY,
        "licenseKey": LICENCE,
    }


def run(config: dict[str, Any]) -> Exception | None:
    """`load_and_discover` with this `dataplane:` config (structured values as JSON text)."""

    def call() -> Exception | None:
        runtime_config.set_all_config(
            {
                f"dataplane:{k}": v if isinstance(v, str) else json.dumps(v)
                for k, v in config.items()
            },
            ["dataplane:apiKey", "dataplane:licenseKey"],
        )
        try:
            load_and_discover()
        except Exception as exc:  # the test looks at whatever came out
            return exc
        return None

    return contextvars.copy_context().run(call)


def variants(base: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The config with each top-level key, and each key of each section, made malformed."""
    for name, field in StackConfig.model_fields.items():
        key = field.alias or name
        for value in MALFORMED:
            yield key, {**base, key: value}
        section = field.annotation
        fields = getattr(section, "model_fields", None)
        if not fields:
            continue
        for sub_name, sub_field in fields.items():
            sub_key = sub_field.alias or sub_name
            for value in MALFORMED:
                inner = dict(base.get(key) or {})
                inner[sub_key] = value
                yield f"{key}.{sub_key}", {**base, key: inner}


@pytest.fixture
def control_plane_url(server: LocalServer) -> str:
    return server.base_url


def test_the_valid_config_goes_through(control_plane_url: str) -> None:
    assert run(stack_config(control_plane_url)) is None


def test_no_malformed_value_makes_a_traceback(control_plane_url: str) -> None:
    seen = 0
    for where, config in variants(stack_config(control_plane_url)):
        error = run(config)
        if error is None:
            continue
        seen += 1
        assert isinstance(error, pulumi.RunError), f"{where}: {type(error).__name__}: {error}"
        text = str(error)
        assert "Traceback" not in text and 'File "' not in text, f"{where}: {text}"
        assert "dataplane:" in text, f"{where}: {text}"
        for secret in (DEFAULT_API_KEY, LICENCE, URL_PASSWORD):
            assert secret not in text, f"{where}: repeats a secret: {text}"
        if text.startswith("the stack config has"):
            lines = text.splitlines()[1:-1]
            assert lines and all(
                line.startswith("  - dataplane:") and " Fix: " in line for line in lines
            ), f"{where}: {text}"
    assert seen > 500, seen  # most of the sweep is refused, each one clearly


def test_an_unforeseen_failure_is_one_line_naming_the_keys() -> None:
    secrets = [DEFAULT_API_KEY]
    with (
        pytest.raises(pulumi.RunError) as info,
        clear_errors("asking the control plane", CONTROL_PLANE_KEYS, secrets),
    ):
        raise ValueError(f"bad\nthing at https://user:{URL_PASSWORD}@h with {DEFAULT_API_KEY}")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("asking the control plane failed on a value no check caught")
    assert "ValueError: bad thing at https://<hidden>@h with <hidden>" in text
    assert "`dataplane:controlPlane`" in text and "`dataplane:apiKey`" in text
    assert URL_PASSWORD not in text and DEFAULT_API_KEY not in text


def test_our_own_errors_pass_through_as_they_are() -> None:
    from components.config import ConfigError

    with pytest.raises(pulumi.RunError) as info, clear_errors("reading", CONTROL_PLANE_KEYS, []):
        raise ConfigError(["dataplane:x: wrong. Fix: right."])
    assert str(info.value).startswith("the stack config has 1 problem:")
