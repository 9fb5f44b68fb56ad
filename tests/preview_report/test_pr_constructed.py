"""CONSTRUCTED previews: what no real `pulumi preview --json` of this engine can show.

Kept apart from the real-capture tests on purpose. Two kinds:
- `constructed-<capture>-show-secrets.json`: a real capture with its secrets in plain text
  (derive_constructed.py). CLI v3.259.0 masks secrets in JSON previews even with
  `--show-secrets`, so only a construction holds them; test_pr_secrets.py checks the report
  masks them. Here: that a twin is its capture and nothing else.
- `unmask`'s refusal, on a document written inline.
Replacements in several steps, retained and protected deletions and external databases
were inline documents here; real captures show them now (test_pr_real_captures.py).
"""

from __future__ import annotations

import pytest

from tests.preview_report import derive_constructed
from tests.preview_report.pr_fixtures import CONSTRUCTED, REAL, fixture_doc

SECRET = derive_constructed.SECRET


def test_the_constructed_fixtures_are_twins_of_real_captures() -> None:
    assert CONSTRUCTED == [
        "constructed-database-replace-show-secrets",
        "constructed-deployment-deleted-show-secrets",
    ]
    for name in CONSTRUCTED:
        assert derive_constructed.capture_of(name) in REAL
        assert derive_constructed.twin_of(derive_constructed.capture_of(name)) == name


@pytest.mark.parametrize("name", CONSTRUCTED)
def test_a_twin_is_its_capture_with_the_secrets_filled_in(name: str) -> None:
    capture = fixture_doc(derive_constructed.capture_of(name))
    twin = fixture_doc(name)
    # Masked again, the twin is the capture, step for step and value for value...
    assert derive_constructed.remask(twin, capture) == capture
    # ...and it holds no `[secret]`: every masked value was filled in.
    filled = derive_constructed.filled_in(twin, capture)
    assert filled and SECRET not in repr(twin)
    assert all(value not in (None, SECRET) for value in filled)
    # The stack's secret config is among them.
    assert twin["config"]["dataplane:apiKey"] == "lsv2_local_dev_key"


def test_the_deleted_deployment_twin_holds_its_generated_passwords() -> None:
    twin = fixture_doc("constructed-deployment-deleted-show-secrets")
    passwords = {
        s["urn"].rsplit("::", 1)[1]: s["oldState"]["outputs"]["result"]
        for s in twin["steps"]
        if s["urn"].split("::")[2].endswith(":RandomPassword")
    }
    assert set(passwords) == {
        "dataplane-agent-beta-postgres-password",
        "dataplane-agent-beta-redis-password",
    }
    assert all(len(p) >= 16 for p in passwords.values())
    postgres = next(
        s for s in twin["steps"] if s["urn"].endswith("::dataplane-agent-beta-postgres")
    )
    assert (
        passwords["dataplane-agent-beta-postgres-password"]
        in postgres["oldState"]["outputs"]["uri"]
    )


def test_unmask_refuses_a_secret_it_cannot_fill_in() -> None:
    doc = {
        "config": {},
        "steps": [{"op": "create", "urn": "u", "newState": {"inputs": {"password": SECRET}}}],
    }
    with pytest.raises(ValueError, match="no plain value in the state"):
        derive_constructed.unmask(doc, {"resources": []}, {})
