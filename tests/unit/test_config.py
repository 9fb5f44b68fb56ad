"""Stack config validation: good configs pass, each bad one names its path and its fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import ConfigError, parse_stack_config

SECRETS = ["apiKey", "licenseKey", "externalPostgresUris", "externalRedisUris", "deployments"]


def base(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "controlPlane": {"url": "http://127.0.0.1:8765", "listenerComputeId": "dev-cluster"},
        "apiKey": "lsv2_test_key",
        "licenseKey": "lic-test",
    }
    raw.update(overrides)
    return raw


def problems(raw: dict[str, Any], secret_keys: list[str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, SECRETS if secret_keys is None else secret_keys)
    return info.value.problems


def test_minimal_config_gets_defaults() -> None:
    config = parse_stack_config(base(), SECRETS)
    assert config.control_plane.base_url == "http://127.0.0.1:8765"
    assert config.namespaces.names == ["langgraph"]
    assert config.reconciler == "pulumi"
    assert config.postgres.deletion_protection is True
    assert config.postgres.image.endswith(":0.8.0-pg15")
    assert config.servers.jobs_per_worker == 10
    assert config.api_key.get_secret_value() == "lsv2_test_key"
    assert "lsv2_test_key" not in repr(config)


def test_json_text_is_decoded_like_pulumi_hands_it_over() -> None:
    raw = base(controlPlane=json.dumps({"region": "eu", "listenerComputeId": "c"}))
    config = parse_stack_config(raw, SECRETS)
    assert config.control_plane.base_url == "https://eu.api.host.langchain.com"


def test_every_problem_is_reported_at_once() -> None:
    raw = base(
        controlPlane={"url": "ftp://x", "regoin": "us"},
        bogus=1,
        servers={"jobsPerWorker": 0},
    )
    raw.pop("licenseKey")
    found = problems(raw)
    assert len(found) == 6, found
    text = "\n".join(found)
    assert "dataplane:bogus: unknown key" in text
    assert "dataplane:controlPlane.regoin: unknown key" in text
    assert "dataplane:controlPlane.url: must start with http:// or https://" in text
    assert "dataplane:controlPlane.listenerComputeId: required but missing" in text
    assert "pulumi config set --secret dataplane:licenseKey" in text
    assert "dataplane:servers.jobsPerWorker" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            base(controlPlane={"url": "http://x", "region": "us", "listenerComputeId": "c"}),
            "both `url` and `region` are set",
        ),
        (base(namespaces={"names": ["Bad_Name"]}), "not valid namespace names"),
        (base(namespaces={"names": ["a", "a"]}), "names must be unique"),
        (base(reconciler="helm"), "dataplane:reconciler"),
        (base(postgres={"mode": "cloud"}), "dataplane:postgres.mode"),
        (base(postgres={"storageSize": "10Gi"}), "dataplane:postgres.storageSize: unknown key"),
        (base(listener={"enabled": False}), "dataplane:listener.enabled: unknown key"),
        (
            base(deployments={"a": {"resourceSpec": {"min_replicas": 2}}}),
            "unknown resource_spec keys ['min_replicas']",
        ),
        (
            base(deployments={"a": {"resourceSpec": {"cpu": -1}}}),
            "non-negative numbers",
        ),
        (
            base(deployments={"a": {"postgres": {"mode": "external"}}}),
            None,  # valid at parse time: the URI is checked once `a` is served
        ),
        (
            base(externalPostgresUris={"a": "mysql://x"}),
            "dataplane:externalPostgresUris.a: must start with postgres:// or postgresql://",
        ),
        (
            base(reconciler="listener", redis={"mode": "external"}),
            "dataplane:externalRedisUris.listener: missing",
        ),
        (base(deployments={"Agent_A": {}}), "lowercase DNS labels"),
    ],
)
def test_bad_config_messages(raw: dict[str, Any], expected: str | None) -> None:
    if expected is None:
        parse_stack_config(raw, SECRETS)
        return
    assert any(expected in p for p in problems(raw)), problems(raw)


def test_secrets_in_plain_text_are_refused() -> None:
    found = problems(base(), secret_keys=[])
    assert any(p.startswith("dataplane:apiKey: is stored in plain text") for p in found)
    assert any(p.startswith("dataplane:licenseKey: is stored in plain text") for p in found)
    assert all("lsv2_test_key" not in p for p in found)


def test_static_revision_checks() -> None:
    static = {
        "deploymentId": "d1",
        "namespace": "elsewhere",
        "revisionId": "r1",
        "image": "img:1",
        "secrets": {"DATABASE_URI": "x"},
    }
    found = problems(base(deployments={"a": {"static": static, "revision": "r0"}}))
    text = "\n".join(found)
    assert "`revision` pins a control-plane revision but `static` describes one" in text
    assert "dataplane:deployments.a.static.namespace: 'elsewhere' is not in" in text
    assert "reserved by the platform" in text


def test_static_secrets_must_be_secret_config() -> None:
    static = {
        "deploymentId": "d1",
        "namespace": "langgraph",
        "revisionId": "r1",
        "image": "img:1",
        "secrets": {"OPENAI_API_KEY": "sk-plain"},
    }
    found = problems(base(deployments={"a": {"static": static}}), ["apiKey", "licenseKey"])
    assert any("static revision secrets are stored in plain text" in p for p in found)


def test_external_store_without_uri_is_reported_when_served() -> None:
    config = parse_stack_config(
        base(deployments={"a": {"postgres": {"mode": "external"}}}, redis={"mode": "external"}),
        SECRETS,
    )
    with pytest.raises(ConfigError) as info:
        config.check_served(["a", "b"])
    text = str(info.value)
    assert "dataplane:externalPostgresUris.a: missing" in text
    assert "dataplane:externalRedisUris.a: missing" in text
    assert "dataplane:externalRedisUris.b: missing" in text
    assert "externalPostgresUris.b" not in text


def test_overrides_resolve_per_deployment() -> None:
    config = parse_stack_config(
        base(
            postgres={"mode": "external"},
            deployments={"a": {"postgres": {"mode": "in-cluster"}, "revision": "r9"}},
            externalPostgresUris={"b": "postgresql://u:p@h/db"},
        ),
        SECRETS,
    )
    assert config.postgres_mode("a") == "in-cluster"
    assert config.postgres_mode("b") == "external"
    assert config.pinned_revision("a") == "r9"
    assert config.pinned_revision("b") is None
    config.check_served(["a", "b"])
