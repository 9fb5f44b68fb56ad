"""No secret value reaches a report: not from real captures, not from documents that hold
secrets in plain text (a `--show-secrets` capture, a value a program forgot to mark)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_controlplane.seed import DEFAULT_API_KEY, DEFAULT_ORG_API_KEY, DEPLOYMENTS
from preview_report import analyze, load_preview, render_report
from preview_report.cli import main
from preview_report.masking import SECRET, Scrubber, is_sensitive_key, masked, secret_values
from tests.preview_report.derive_constructed import capture_of, filled_in
from tests.preview_report.pr_fixtures import CONSTRUCTED, REAL, fixture_doc, fixture_path

LICENCE = "lgp-local-dev-fake-licence-key"  # the dev stack's (fake) licence key
DSN_PASSWORD = "local-fake-dsn-password"  # in the external-postgres stack's DSNs
SECRET_VALUES = [
    DEFAULT_API_KEY,
    DEFAULT_ORG_API_KEY,
    LICENCE,
    DSN_PASSWORD,
    *(s["value"] for d in DEPLOYMENTS for s in d["secrets"]),
]


def leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif isinstance(value, str):
        yield value


def plain_in_twin(name: str) -> set[str]:
    """What a twin holds in plain text where its real capture has `[secret]`: the
    generated passwords (as such, base64-encoded, in URIs), API keys, the licence..."""
    values = filled_in(fixture_doc(name), fixture_doc(capture_of(name)))
    return {v for v in leaves(values) if len(v) >= 8}


TWIN_VALUES = sorted(set().union(*(plain_in_twin(n) for n in CONSTRUCTED)))


def leaks(text: str, values: list[str] | None = None) -> list[str]:
    return [v for v in (SECRET_VALUES if values is None else values) if v in text]


@pytest.mark.parametrize("name", REAL)
def test_real_captures_hold_no_plain_secret(name: str) -> None:
    text = fixture_path(name).read_text()
    assert leaks(text) == [] and leaks(text, TWIN_VALUES) == []


@pytest.mark.parametrize("name", REAL + CONSTRUCTED)
def test_no_secret_value_in_any_report(name: str, tmp_path: Path) -> None:
    log = fixture_path(name).with_suffix(".log")
    args = [f"{name}={fixture_path(name)}", "-o", str(tmp_path / "r.md")]
    if log.exists():
        args += ["--log", f"{name}={log}"]
    assert main(args) == 0
    report = (tmp_path / "r.md").read_text()
    assert leaks(report) == [] and leaks(report, TWIN_VALUES) == []


@pytest.mark.parametrize("name", CONSTRUCTED)
def test_documents_with_plain_secrets_are_masked(name: str) -> None:
    text = fixture_path(name).read_text()
    # The document does hold them in plain text, so the test means something...
    present = leaks(text)
    assert DEFAULT_API_KEY in present and LICENCE in present
    assert any(v.startswith("sk-local-fake") for v in present)
    plain = sorted(plain_in_twin(name))
    assert all(v in text for v in plain)
    # ...and the report holds none of them.
    report = analyze(load_preview(str(fixture_path(name))))
    assert leaks(render_report([report])) == []
    assert leaks(render_report([report]), plain) == []
    # The same report as with the real, masked capture.
    real = analyze(load_preview(str(fixture_path(capture_of(name)))))
    assert render_report([report]) == render_report([real])


def test_the_deleted_deployment_twin_holds_the_generated_passwords() -> None:
    name = "constructed-deployment-deleted-show-secrets"
    doc = fixture_doc(name)
    passwords = [
        s["oldState"]["outputs"]["result"]
        for s in doc["steps"]
        if s["urn"].split("::")[2].endswith(":RandomPassword")
    ]
    assert len(passwords) == 2 and set(passwords) <= plain_in_twin(name)
    md = render_report([analyze(load_preview(str(fixture_path(name))))])
    assert leaks(md, passwords) == []


def test_the_scrubber_finds_the_plain_secrets_of_a_document() -> None:
    doc = fixture_doc("constructed-deployment-deleted-show-secrets")
    values = secret_values(doc)
    assert "sk-ant-local-fake-key-beta-not-real" in values  # a RevisionSync's `secrets`
    # The Kubernetes Secrets' `data`, base64-encoded as the provider keeps it.
    assert any(v.startswith("cG9zdGdyZXM6Ly9") for v in values)  # base64 of "postgres://"
    # The Postgres and Redis URIs (component outputs) with their passwords in them.
    uris = {
        s["urn"].rsplit("::", 1)[1]: s["oldState"]["outputs"]["uri"]
        for s in doc["steps"]
        if s["urn"].endswith(("::dataplane-agent-beta-postgres", "::dataplane-agent-beta-redis"))
    }
    assert len(uris) == 2 and set(uris.values()) <= values
    # Names of Secrets referenced by `secretKeyRef` are names, not values.
    assert "agent-beta-platform-env" not in values


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        ("secrets", True),
        ("stringData", True),
        ("data", True),
        ("POSTGRES_PASSWORD", True),
        ("dataplane:apiKey", True),
        ("LANGSMITH_API_KEY", True),
        ("access_token", True),
        ("DATABASE_URI", True),
        ("secrets_digest", True),
        ("image", False),
        ("min_scale", False),
        ("revision_id", False),
        ("namespace", False),
    ],
)
def test_sensitive_key_names(key: str, sensitive: bool) -> None:
    assert is_sensitive_key(key) is sensitive


def test_masked_values() -> None:
    value = {
        "image": "registry.example.com/a:1",
        "token": "abc",
        "nested": {"password": {"deep": "x"}, "ok": 1},
        "env": [
            {"name": "OPENAI_API_KEY", "value": "sk-plain"},
            {"name": "PORT", "value": "8000"},
        ],
        "sig": {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "value": "x",
        },
        "shown": "[secret]",
    }
    assert masked(value) == {
        "image": "registry.example.com/a:1",
        "token": SECRET,
        "nested": {"password": SECRET, "ok": 1},
        "env": [{"name": "OPENAI_API_KEY", "value": SECRET}, {"name": "PORT", "value": "8000"}],
        "sig": SECRET,
        "shown": SECRET,
    }


def test_scrubber_patterns() -> None:
    scrub = Scrubber(["hunter2-long-secret"])
    text = (
        "connect postgres://app:p4ss@db:5432/app failed; key lsv2_pt_0123456789abcdef; "
        "sk-ant-abcdefghijkl and hunter2-long-secret"
    )
    assert scrub(text) == (
        "connect postgres://[secret]@db:5432/app failed; key [secret]; [secret] and [secret]"
    )


def test_plain_values_under_secret_keys_never_reach_the_report(tmp_path: Path) -> None:
    """A document as a careless program would make it: credentials in non-secret inputs."""
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic:Resource::revision-agent-x"
    old = {
        "deployment_name": "agent-x",
        "image": "img:1",
        "revision_id": "r1",
        "resource_spec": {"min_scale": 1, "api_key": "plain-api-key-123456"},
        "secrets": {"OPENAI_API_KEY": "sk-plain-openai-0000000"},
        "secrets_digest": "aaaa",
    }
    new = {
        **old,
        "image": "img:2",
        "revision_id": "r2",
        "notice": "latest revision uses sk-plain-openai-0000000 and plain-api-key-123456",
        "resource_spec": {"min_scale": 2, "api_key": "plain-api-key-654321"},
        "secrets": {"OPENAI_API_KEY": "sk-plain-openai-1111111"},
        "secrets_digest": "bbbb",
    }
    doc = {
        "config": {"dataplane:apiKey": "lsv2_plain_config_key_000", "dataplane:x": "1"},
        "steps": [
            {"op": "update", "urn": urn, "oldState": {"inputs": old}, "newState": {"inputs": new}}
        ],
        "diagnostics": [
            {"severity": "warning", "message": "warning: key lsv2_plain_config_key_000 is old"},
            {"severity": "warning", "message": "dsn redis://:hunter2@redis:6379/0 unreachable"},
        ],
        "changeSummary": {"update": 1},
    }
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(doc))
    md = render_report([analyze(load_preview(str(path)))])
    for value in (
        "plain-api-key-123456",
        "plain-api-key-654321",
        "sk-plain-openai-0000000",
        "sk-plain-openai-1111111",
        "lsv2_plain_config_key_000",
        "hunter2",
        "aaaa",
        "bbbb",
    ):
        assert value not in md, value
    assert "| `agent-x` | `api_key` | `[secret]` (unchanged) |" in md
    assert "secrets changed" in md
    assert "`img:1` → `img:2`" in md


def test_top_level_config_secrets_are_scrubbed_from_free_text(tmp_path: Path) -> None:
    """Config values under a credential's key, plain (a CLI that shows secrets) or a JSON map
    of them, are scrubbed from diagnostics even when they look like nothing in particular."""
    dsn = "postgresql://app:dsn-pass-000000@db.acme.internal/app"
    doc = {
        "config": {
            "dataplane:apiKey": "plain-config-api-key-000",
            "dataplane:externalPostgresUris": json.dumps({"support-agent": dsn}),
            "dataplane:namespaces": json.dumps({"names": ["acme-agents"]}),
        },
        "steps": [],
        "diagnostics": [
            {
                "severity": "error",
                "message": "error: key plain-config-api-key-000 refused; cannot reach "
                "db.acme.internal with dsn-pass-000000",
            }
        ],
        "changeSummary": {},
    }
    values = secret_values(doc)
    assert {"plain-config-api-key-000", dsn} <= values
    assert "acme-agents" not in values  # not under a credential's key
    path = tmp_path / "config.json"
    path.write_text(json.dumps(doc))
    md = render_report([analyze(load_preview(str(path)))])
    assert "plain-config-api-key-000" not in md
    assert "key [secret] refused" in md


def test_a_generated_password_is_scrubbed_from_free_text(tmp_path: Path) -> None:
    """A RandomPassword's `result` names no credential, yet it is one."""
    doc = fixture_doc("constructed-deployment-deleted-show-secrets")
    passwords = [
        s["oldState"]["outputs"]["result"]
        for s in doc["steps"]
        if s["urn"].split("::")[2].endswith(":RandomPassword")
    ]
    assert passwords and set(passwords) <= secret_values(doc)
    # The same password in free text, outside any URL: scrubbed.
    urn = "urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw"
    step = {
        "op": "same",
        "urn": urn,
        "oldState": {"type": urn.split("::")[2], "outputs": {"result": "Qz7plainGenerated"}},
    }
    text = {"severity": "warning", "message": "warning: login with Qz7plainGenerated failed"}
    plain = {"config": {}, "steps": [step], "diagnostics": [text], "changeSummary": {"same": 1}}
    path = tmp_path / "password.json"
    path.write_text(json.dumps(plain))
    md = render_report([analyze(load_preview(str(path)))])
    assert "Qz7plainGenerated" not in md and "login with [secret] failed" in md
