"""The control-plane side of a stack: the listener registration and a RevisionSync per
deployment Pulumi serves, declared from the plan (`plan.plan_sync`).

`components/program.py` declares them first: the data plane is planned from their outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from .config import StackConfig
from .core.names import LISTENER_REGISTRATION_NAME, revision_sync_name
from .planning.discovery import Discovery
from .planning.plan import plan_sync
from .providers.listener_registration import ListenerRegistration, discovered_listener
from .providers.revision_sync import RevisionSync


@dataclass(frozen=True)
class Declaring:
    """Where a stack's own resources go, and which control-plane resources declare them.

    The program's (the default) declares them at the top, with the dynamic providers. The
    component package declares them inside its component, and serves the control-plane
    resources from its own provider (`package/served.py`). Names are the same in both:
    existing state depends on them, and a data plane's Kubernetes objects are named after
    them, so every language renders the same objects.
    """

    parent: pulumi.Resource | None = None
    registration: Callable[..., ListenerRegistration] = ListenerRegistration
    revision_sync: Callable[..., RevisionSync] = RevisionSync

    def options(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Resource options with this layout's parent (when it has one)."""
        if self.parent is not None:
            kwargs.setdefault("parent", self.parent)
        return pulumi.ResourceOptions(**kwargs)


PROGRAM = Declaring()


@dataclass
class ControlPlaneResources:
    """The listener registration, and the revision sync of each deployment Pulumi serves."""

    registration: ListenerRegistration | None
    """None in a standalone stack (no control plane)."""
    syncs: dict[str, RevisionSync]
    """Deployment name to its RevisionSync."""


def build_sync(
    config: StackConfig,
    discovery: Discovery,
    opts: pulumi.ResourceOptions | None = None,
    declaring: Declaring = PROGRAM,
) -> ControlPlaneResources:
    """Declare the listener registration and a revision sync per served deployment, with
    `opts`, as `declaring` says; nothing for a standalone stack."""
    if config.standalone:
        return ControlPlaneResources(None, {})
    for reason in discovery.skipped:
        pulumi.log.warn(f"not serving {reason}")
    plan = plan_sync(config, discovery)
    opts = pulumi.ResourceOptions.merge(declaring.options(), opts)
    registration = declaring.registration(
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
        rev.deployment_name: declaring.revision_sync(
            revision_sync_name(rev.deployment_name),
            endpoint=plan.endpoint,
            args=rev,
            prefetched=targets.get(rev.deployment_name),
            opts=opts,
        )
        for rev in plan.revisions
    }
    return ControlPlaneResources(registration, syncs)
