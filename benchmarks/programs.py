"""The inline programs the engine runs: the sync, its static baseline, and an empty one.

`sync_program` is tests/integration/test_sync_engine.py's: the control-plane half of the
real program (config, discovery, listener registration, one RevisionSync per served
deployment). `static_program` declares the same resources from a discovery made in advance,
with the no-network providers of `static_providers`: no request at program time nor in the
providers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pulumi

from components.config import load_stack_config
from components.discovery import DiscoveredDeployment, Discovery
from components.program import load_and_discover
from components.providers.targets import TargetRevision
from components.stack import ControlPlaneResources, build_sync

from .static_providers import swapped


def export(sync: ControlPlaneResources) -> None:
    pulumi.export("listener_id", sync.registration.listener_id)
    pulumi.export(
        "revisions",
        {n: {"revision": s.revision_id, "image": s.image} for n, s in sync.syncs.items()},
    )
    pulumi.export("secrets", {n: s.secrets for n, s in sync.syncs.items()})


def sync_program() -> None:
    config, discovery = load_and_discover()
    export(build_sync(config, discovery))


def static_program(discovery: Discovery) -> Callable[[], None]:
    """The baseline: the same resources, declared from `discovery`, resolved locally."""

    def program() -> None:
        config = load_stack_config()
        with swapped():
            export(build_sync(config, discovery))

    return program


def empty_program() -> None:
    """The engine's floor: no resource but the stack."""


def discovery_to_json(discovery: Discovery) -> str:
    return json.dumps(asdict(discovery))


def discovery_from_json(text: str) -> Discovery:
    raw: dict[str, Any] = json.loads(text)
    return Discovery(
        listener_id=raw["listener_id"],
        deployments=[
            DiscoveredDeployment(**{**d, "target": TargetRevision.from_props(d.get("target"))})
            for d in raw["deployments"]
        ],
        skipped=list(raw.get("skipped", [])),
        listener_namespaces=list(raw.get("listener_namespaces", [])),
    )


PROGRAMS = ("empty", "synced", "static")
