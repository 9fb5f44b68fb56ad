"""The baseline's providers: the same resources, resolved from their inputs, no network.

`RevisionSync` and `ListenerRegistration` build their provider by the module-level names
`RevisionSyncProvider` and `ListenerRegistrationProvider`; `swapped()` points those names at
the subclasses below for the duration of a program, so the baseline declares exactly the
same resources (type, name, inputs, secret outputs) as the synced program, and only what the
providers do differs. The engine's provider host unpickles these classes by reference: it
imports this module (the engine runs with the repository on PYTHONPATH).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, ReadResult, UpdateResult

from components.providers import listener_registration, revision_sync
from components.revision import secrets_digest

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


def static_listener_id(compute_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"static-listener:{compute_id}"))


class StaticListenerProvider(listener_registration.ListenerRegistrationProvider):
    """`ListenerRegistrationProvider` that registers nothing anywhere."""

    def _outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        return {
            **props,
            "listener_id": static_listener_id(str(props["compute_id"])),
            "namespaces": sorted(props.get("namespaces") or []),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._outputs(props)
        return CreateResult(outs["listener_id"], outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._outputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = self._outputs(props)
        return ReadResult(id_, outs, outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@contextmanager
def swapped() -> Iterator[None]:
    """Within the block, `RevisionSync` and `ListenerRegistration` use the static providers."""
    real_sync = revision_sync.RevisionSyncProvider
    real_listener = listener_registration.ListenerRegistrationProvider
    revision_sync.RevisionSyncProvider = StaticRevisionSyncProvider  # type: ignore[misc]
    listener_registration.ListenerRegistrationProvider = StaticListenerProvider  # type: ignore[misc]
    try:
        yield
    finally:
        revision_sync.RevisionSyncProvider = real_sync  # type: ignore[misc]
        listener_registration.ListenerRegistrationProvider = real_listener  # type: ignore[misc]
