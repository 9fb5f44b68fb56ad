"""Image rules: pinned, from the stack's registry, and supported Redis and Postgres versions.

"Pinned" is the program's own rule (components/core/images.py): a digest, or a tag other than
`latest`. The pack reads images the way container runtimes do, with the same parser.
"""

from __future__ import annotations

from components.core.defaults import POSTGRES_IMAGE, REDIS_IMAGE
from components.core.images import (
    POSTGRES_MINIMUM,
    POSTGRES_REPOSITORIES,
    REDIS_MINIMUM,
    ImageRef,
    image_problem,
    store_version,
)
from components.core.names import POSTGRES_TYPE, REDIS_TYPE

from .model import UNKNOWN, Container, Resource, containers
from .settings import StackSettings

# The floors and the version parsing are the program's (components/core/images.py).
_REDIS_FLOOR = ".".join(map(str, REDIS_MINIMUM))
_REDIS_REPOSITORIES = frozenset({"redis"})
_PGVECTOR_REPOSITORIES = frozenset({"pgvector"})


def _images(resource: Resource) -> list[tuple[Container, str]]:
    """Each container and its image ("" when it has none), except the images a preview
    does not know yet."""
    found = []
    for container in containers(resource):
        image = container.spec.get("image")
        if image is not UNKNOWN:
            found.append((container, image if isinstance(image, str) else ""))
    return found


def images_pinned(resource: Resource, settings: StackSettings) -> list[str]:
    """Every container image is pinned by a version tag (not `latest`) or a digest."""
    messages = []
    for container, image in _images(resource):
        problem = image_problem(image) if image else "is missing"
        if problem:
            messages.append(
                f"{container.describe()}: image {image!r} {problem}. An unpinned image changes "
                "behind the preview. Fix: pin the image in the stack config (or, for a "
                "server, ship a revision whose image is pinned)."
            )
    return messages


def images_from_registry(resource: Resource, settings: StackSettings) -> list[str]:
    """With `dataplane:images.registry` set, every image comes from that registry."""
    registry = settings.registry
    if registry is None:
        return []
    return [
        f"{container.describe()}: image {image!r} is not under the registry prefix "
        f"{registry!r} that dataplane:images.registry sets, so a cluster that pulls only from "
        f"it cannot start the pod. Fix: give the image as '{registry}/<path>:<tag>' (the "
        "program rewrites the images it declares itself; this one came from elsewhere, e.g. "
        "a sidecar), or mirror it there."
        for container, image in _images(resource)
        if image and not image.startswith(f"{registry}/")
    ]


def store_versions(resource: Resource, settings: StackSettings) -> list[str]:
    """Redis images are 6.2 or newer and Postgres images 14 or newer."""
    messages = []
    for container, image in _images(resource):
        if not image:
            continue
        kind = _store_kind(container, image)
        if kind == "redis":
            problem = _redis_problem(image)
        elif kind == "postgres":
            problem = _postgres_problem(image)
        else:
            continue
        if problem:
            messages.append(f"{container.describe()}: image {image!r} {problem}")
    return messages


def _store_kind(container: Container, image: str) -> str | None:
    """`redis`, `postgres`, or None: by the image's name, or by the component that runs it
    (the first container of a Postgres or Redis component's workload is the server)."""
    repository = ImageRef.parse(image).repository.rsplit("/", 1)[-1]
    if repository in _REDIS_REPOSITORIES:
        return "redis"
    if repository in POSTGRES_REPOSITORIES | _PGVECTOR_REPOSITORIES:
        return "postgres"
    main = not container.init and container.pod.get("containers", [None])[0] is container.spec
    parent = container.workload.parent_type
    if main and parent == REDIS_TYPE:
        return "redis"
    if main and parent == POSTGRES_TYPE:
        return "postgres"
    return None


def _redis_problem(image: str) -> str | None:
    version = store_version("redis", image)
    if version is None:
        return (
            "does not say its Redis version in its tag, so the pack cannot check that it is "
            f"at least {_REDIS_FLOOR}. Fix: use a version tag (e.g. {REDIS_IMAGE!r}, with "
            "'@sha256:...' after it to keep the digest)."
        )
    if version.supported:
        return None
    shown = (
        f"{version.major}.{version.minor}"
        if version.minor is not None
        else (f"{version.major} (any minor)")
    )
    return (
        f"runs {version.name} {shown}, older than the data plane supports ({version.name} "
        f"{version.shown_minimum} or newer). Fix: set dataplane:redis.image to a newer image "
        f"(the default is {REDIS_IMAGE!r})."
    )


def _postgres_problem(image: str) -> str | None:
    version = store_version("postgres", image)
    if version is None:
        return (
            "does not say its Postgres major version in its tag, so the pack cannot check "
            f"that it is at least {POSTGRES_MINIMUM}. Fix: use a tag that names it (e.g. "
            f"{POSTGRES_IMAGE!r}, with '@sha256:...' after it to keep the digest)."
        )
    if version.supported:
        return None
    return (
        f"runs Postgres {version.major}, older than the data plane supports (Postgres "
        f"{POSTGRES_MINIMUM} or newer). Fix: set dataplane:postgres.image to a newer image "
        f"(the default is {POSTGRES_IMAGE!r}); a major upgrade needs a dump and restore of "
        "the data."
    )
