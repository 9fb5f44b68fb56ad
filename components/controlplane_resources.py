"""The control-plane side of a stack: the listener registration and a RevisionSync per
deployment Pulumi serves, declared from the plan (`plan.plan_sync`).

`components/program.py` declares them first: the data plane is planned from their outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .config import StackConfig
from .core.names import LISTENER_REGISTRATION_NAME, revision_sync_name
from .planning.discovery import Discovery
from .planning.plan import plan_sync
from .providers.listener_registration import ListenerRegistration, discovered_listener
from .providers.revision_sync import RevisionSync


@dataclass
class ControlPlaneResources:
    """The listener registration, and the revision sync of each deployment Pulumi serves."""

    registration: ListenerRegistration | None
    """None in a standalone stack (no control plane)."""
    syncs: dict[str, RevisionSync]
    """Deployment name to its RevisionSync."""


def build_sync(
    config: StackConfig, discovery: Discovery, opts: pulumi.ResourceOptions | None = None
) -> ControlPlaneResources:
    """Declare the listener registration and a revision sync per served deployment, with
    `opts`; nothing for a standalone stack."""
    if config.standalone:
        return ControlPlaneResources(None, {})
    for reason in discovery.skipped:
        pulumi.log.warn(f"not serving {reason}")
    plan = plan_sync(config, discovery)
    registration = ListenerRegistration(
        LISTENER_REGISTRATION_NAME,
        endpoint=plan.endpoint,
        compute_id=plan.compute_id,
        namespaces=plan.namespaces,
        discovered=discovered_listener(discovery.listener_id, discovery.listener_namespaces),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(retain_on_delete=plan.keep_listener)
        ),
    )
    # What discovery resolved, for each RevisionSync's check to use instead of asking again.
    targets = {found.name: found.target for found in discovery.deployments}
    syncs = {
        rev.deployment_name: RevisionSync(
            revision_sync_name(rev.deployment_name),
            endpoint=plan.endpoint,
            args=rev,
            prefetched=targets.get(rev.deployment_name),
            opts=opts,
        )
        for rev in plan.revisions
    }
    return ControlPlaneResources(registration, syncs)
