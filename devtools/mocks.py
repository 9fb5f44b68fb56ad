"""Pulumi mocks that answer as the engine and this project's providers would.

Shared by the unit tests (tests/unit/harness.py) and the benchmarks, so both stand in for
the engine the same way.
"""

from __future__ import annotations

import pulumi

from components.core.names import DYNAMIC_TYPE as DYNAMIC
from components.core.names import (
    PACKAGE_LISTENER_REGISTRATION_TOKEN,
    PACKAGE_REVISION_SYNC_TOKEN,
    ListenerRegistrationProps,
    RevisionSyncProps,
)

# The control-plane resources: the program's dynamic ones, and the package's own.
CONTROL_PLANE_TYPES = (DYNAMIC, PACKAGE_LISTENER_REGISTRATION_TOKEN, PACKAGE_REVISION_SYNC_TOKEN)

MOCK_PASSWORD = "mock-random-password-0123456789ab"
MOCK_IMAGE = "registry.example.com/agents/mock:1.0.0"
MOCK_LISTENER_ID = "mock-listener-id"


class DataplaneMocks(pulumi.runtime.Mocks):
    """Outputs are the inputs, plus what RandomPassword and the dynamic providers resolve."""

    def __init__(self, image: str = MOCK_IMAGE):
        self.image = image

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        state = dict(args.inputs)
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = MOCK_PASSWORD
        if args.typ in CONTROL_PLANE_TYPES and ListenerRegistrationProps.COMPUTE_ID in state:
            state[ListenerRegistrationProps.LISTENER_ID] = MOCK_LISTENER_ID
            state.pop(ListenerRegistrationProps.DISCOVERED, None)  # not kept, as in `create`
        if args.typ in CONTROL_PLANE_TYPES and RevisionSyncProps.DEPLOYMENT_ID in state:
            # What RevisionSync's `check` resolves against a control plane (and does not keep
            # of what discovery resolved).
            state.pop(RevisionSyncProps.PREFETCHED, None)
            secrets = state.get("secrets") or {}
            state.update(
                revision_id=state.get("pinned_revision_id") or state["active_revision_id"],
                status="DEPLOYED",
                image=self.image,
                secret_names=sorted(secrets),
                secrets_digest="0123456789abcdef",
                notice="",
            )
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None
