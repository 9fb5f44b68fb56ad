"""No secret value reaches a report: not from real captures, not from documents that hold
secrets in plain text (a `--show-secrets` capture, a value a program forgot to mark)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pr_fixtures import CONSTRUCTED, REAL, fixture_doc, fixture_path

from local_controlplane.seed import DEFAULT_API_KEY, DEFAULT_ORG_API_KEY, DEPLOYMENTS
from preview_report import analyze, load_preview, render_report
from preview_report.cli import main
from preview_report.masking import SECRET, Scrubber, is_sensitive_key, masked, secret_values

LICENCE = "lgp-local-dev-fake-licence-key"  # the dev stack's (fake) licence key
MOCK_PASSWORD = "mock-random-password-0123456789ab"  # tests/unit/harness.py
SECRET_VALUES = [
    DEFAULT_API_KEY,
    DEFAULT_ORG_API_KEY,
    LICENCE,
    MOCK_PASSWORD,
    *(s["value"] for d in DEPLOYMENTS for s in d["secrets"]),
]


def leaks(text: str) -> list[str]:
    return [v for v in SECRET_VALUES if v in text]


@pytest.mark.parametrize("name", REAL + CONSTRUCTED)
def test_no_secret_value_in_any_report(name: str, tmp_path: Path) -> None:
    log = fixture_path(name).with_suffix(".log")
    args = [f"{name}={fixture_path(name)}", "-o", str(tmp_path / "r.md")]
    if log.exists():
        args += ["--log", f"{name}={log}"]
    assert main(args) == 0
    assert leaks((tmp_path / "r.md").read_text()) == []


@pytest.mark.parametrize(
    "name",
    ["constructed-database-replace-show-secrets", "constructed-deployment-removed-show-secrets"],
)
def test_documents_with_plain_secrets_are_masked(name: str) -> None:
    text = fixture_path(name).read_text()
    # The document does hold them in plain text, so the test means something...
    present = leaks(text)
    assert DEFAULT_API_KEY in present and LICENCE in present
    assert any(v.startswith("sk-local-fake") for v in present)
    if "removed" in name:
        assert MOCK_PASSWORD in present  # Secrets' stringData, DATABASE_URI, REDIS_URI
    # ...and the report holds none of them.
    report = analyze(load_preview(str(fixture_path(name))))
    assert leaks(render_report([report])) == []
    # The same report as with the masked document.
    masked_twin = analyze(load_preview(str(fixture_path(name.removesuffix("-show-secrets")))))
    assert render_report([report]) == render_report([masked_twin])


def test_the_scrubber_finds_the_plain_secrets_of_a_document() -> None:
    values = secret_values(fixture_doc("constructed-deployment-removed-show-secrets"))
    assert {DEFAULT_API_KEY, LICENCE, MOCK_PASSWORD} <= values
    assert "sk-ant-local-fake-key-beta-not-real" in values
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
