"""The inputs of one deployment's RevisionSync, as plain data.

The plan builds them (`plan.plan_sync`) and the provider turns them into resource inputs
(`providers/revision_sync.py`); this module imports neither, so the plan stays free of
provider modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RevisionSyncArgs:
    """Inputs of one deployment's RevisionSync."""

    deployment_id: str
    deployment_name: str
    namespace: str
    active_revision_id: str | None
    latest_revision_id: str | None
    resource_spec: dict[str, Any]
    """The control plane's `resource_spec` with the stack's overrides merged over it."""
    secrets: dict[str, str]
    pinned_revision_id: str | None
    secret_references: list[dict[str, str]]
    """The deployment's references to keys of Secrets in its namespace."""
    deployment_type: str | None
    """The deployment's tier: only the scale-to-zero ones may have `min_scale` 0."""
