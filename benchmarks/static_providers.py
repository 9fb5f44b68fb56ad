"""A RevisionSync check that needs no control plane: what one `check` costs with no network
at all (`check_worker` compares the real one with it), and the image the local server's
bulk-seeded revisions hold (the static program's objects carry it too).
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckResult, ReadResult

from components.providers import revision_sync
from components.spec.revision import secrets_digest

# What the local control plane's bulk-seeded revisions hold, so outputs match the synced run.
STATIC_IMAGE = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
STATIC_STATUS = "DEPLOYED"


def static_resolve(props: dict[str, Any]) -> dict[str, Any]:
    """What `RevisionSyncProvider.check` returns, computed from the inputs alone."""
    secrets = {str(k): str(v) for k, v in (props.get("secrets") or {}).items()}
    return {
        **{k: v for k, v in props.items() if k != "prefetched_revision"},
        "revision_id": props.get("pinned_revision_id") or props.get("active_revision_id"),
        "status": STATIC_STATUS,
        "image": STATIC_IMAGE,
        "secret_names": sorted(secrets),
        "secrets_digest": secrets_digest(secrets),
        "notice": "",
    }


class StaticRevisionSyncProvider(revision_sync.RevisionSyncProvider):
    """`RevisionSyncProvider` with `check` and `read` answered without the control plane."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(static_resolve(news), [])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        resolved = static_resolve(props)
        return ReadResult(id_, resolved, resolved)
