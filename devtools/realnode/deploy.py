"""What a stack needs to run on the real node: the images it has, and sizes that fit it.

Nothing here is a code path of the product: the stack selects the node's images through its
own image settings (`images.registry`, `postgres.image`, `redis.image`), and the servers'
image and sizes arrive the way they do in production, as a revision shipped to the control
plane.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .layout import NodePaths

NODE_RESOURCE_SPEC: dict[str, Any] = {
    "cpu": 0.1,
    "cpu_limit": 1,
    "memory_mb": 256,
    "memory_limit_mb": 1024,
    "redis_memory_mb": 128,
    "db_cpu": 0.1,
    "db_cpu_limit": 1,
    "db_memory_mb": 256,
    "db_memory_limit_mb": 1024,
    "db_storage_gi": 1,
    # Each server process pools up to some 60 connections (langgraph-runtime-pg), and a
    # deployment runs an API and a queue process.
    "db_max_connections": 200,
}
"""Sizes for a 2-core node, merged over each deployment's `resource_spec` by the stack
(`deployments.<name>.resourceSpec`, as a team on a small cluster would): the control
plane's API counts CPU in whole cores, and two deployments' pods at one core each, with a
rolling update's extra pod, do not fit. The limits let a busy pod use the node."""


def node_images(paths: NodePaths | None = None) -> dict[str, str]:
    """`pause`, `postgres`, `redis`, `agent-server` -> the name:tag the running node has."""
    manifest = (paths or NodePaths.default()).images_manifest
    if not manifest.is_file():
        raise RuntimeError(
            f"{manifest} is missing: no real node runs (scripts/cluster.sh --real-node start)"
        )
    return dict(
        line.split("=", 1)
        for line in manifest.read_text().splitlines()
        if line and not line.startswith("#")
    )


def registry_of(ref: str) -> str:
    return ref.split("/", 1)[0]


def stack_config(images: Mapping[str, str], deployments: list[str]) -> dict[str, Any]:
    """The stack settings that run `deployments` on the node: its images, and its sizes."""
    return {
        # Every image, the revisions' included, from the registry name the node's images
        # carry: a name that resolves nowhere, so only an imported image can run.
        "dataplane:images": {"registry": registry_of(images["agent-server"])},
        "dataplane:postgres": {"image": images["postgres"]},
        "dataplane:redis": {"image": images["redis"]},
        "dataplane:deployments": {
            name: {"resourceSpec": NODE_RESOURCE_SPEC} for name in deployments
        },
    }


def revision_patch(images: Mapping[str, str]) -> dict[str, Any]:
    """A deployment PATCH that ships the node's Agent Server image (a new revision)."""
    return {"source_revision_config": {"image_uri": images["agent-server"]}}


def merge_config(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`extra` over `base`, merging objects key by key (a stack file's `config:`)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_config(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged
