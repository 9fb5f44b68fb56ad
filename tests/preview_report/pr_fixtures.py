"""The preview-report fixtures by name (imported by the tests and their conftest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Real `pulumi preview --json` captures of the whole program: tests/integration/
# capture_previews.py, except no-language-host (scripts/preview-report.sh --keep-going on this
# machine, before the engine was complete); fixtures/README.md.
REAL = [
    "initial",
    "no-changes",
    "new-revision",
    "new-revision-show-secrets",
    "database-replace",
    "database-replace-replacement-steps",
    "scale-change",
    "new-deployment",
    "deployment-deleted",
    "deployment-recreated",
    "failed-preview",
    "deployment-deleted-protected",
    "deployment-deleted-retained",
    "deployment-deleted-external-postgres",
    "no-language-host",
]
# Real captures with their secrets filled in (derive_constructed.py): NOT engine output.
CONSTRUCTED = sorted(p.stem for p in FIXTURES.glob("constructed-*.json"))


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.json"


def fixture_doc(name: str) -> dict[str, Any]:
    return json.loads(fixture_path(name).read_text())
