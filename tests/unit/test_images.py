"""Image references: the pinning rule and the registry rewrite."""

from __future__ import annotations

import pytest

from components.core.images import ImageRef, image_problem, registry_problem, rewrite_image

MIRROR = "registry.acme.internal/mirror"
DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("image", "rewritten"),
    [
        ("docker.io/library/redis:7.4.2", f"{MIRROR}/library/redis:7.4.2"),
        ("redis:7.4.2", f"{MIRROR}/library/redis:7.4.2"),
        ("docker.io/redis:7.4.2", f"{MIRROR}/library/redis:7.4.2"),
        ("docker.io/pgvector/pgvector:0.8.0-pg15", f"{MIRROR}/pgvector/pgvector:0.8.0-pg15"),
        ("langchain/langsmith-backend:0.13.9", f"{MIRROR}/langchain/langsmith-backend:0.13.9"),
        ("registry.example.com/agents/mock:1.0.0", f"{MIRROR}/agents/mock:1.0.0"),
        ("localhost:5000/agent:1", f"{MIRROR}/agent:1"),
        (f"ghcr.io/acme/agent@{DIGEST}", f"{MIRROR}/acme/agent@{DIGEST}"),
        (f"ghcr.io/acme/agent:2.0@{DIGEST}", f"{MIRROR}/acme/agent:2.0@{DIGEST}"),
        # Already under the prefix: left alone, so the rule is idempotent.
        (f"{MIRROR}/library/redis:7.4.2", f"{MIRROR}/library/redis:7.4.2"),
    ],
)
def test_rewrite_rule(image: str, rewritten: str) -> None:
    assert rewrite_image(image, MIRROR) == rewritten
    assert rewrite_image(rewritten, MIRROR) == rewritten
    assert rewrite_image(image, None) == image


def test_parse_keeps_every_part() -> None:
    ref = ImageRef.parse(f"registry.example.com:5000/team/agent:1.2@{DIGEST}")
    assert ref == ImageRef("registry.example.com:5000", "team/agent", "1.2", DIGEST)
    assert str(ref) == f"registry.example.com:5000/team/agent:1.2@{DIGEST}"
    assert ImageRef.parse("redis") == ImageRef(None, "redis", None, None)


@pytest.mark.parametrize(
    "image", ["redis:7.4.2", f"redis@{DIGEST}", f"redis:latest@{DIGEST}", "a.b/c/d:1-x_y.z"]
)
def test_pinned_images_pass(image: str) -> None:
    assert image_problem(image) is None


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("redis", "is not pinned"),
        ("redis:latest", "is not pinned"),
        ("docker.io/library/redis", "is not pinned"),
        ("redis@sha256:abc", "invalid digest"),
        ("Redis:7", "invalid repository"),
        ("redis:7 ", "not an image reference"),
        ("", "not an image reference"),
    ],
)
def test_bad_images_are_named(image: str, reason: str) -> None:
    problem = image_problem(image)
    assert problem is not None and reason in problem


def test_unpinned_message_shows_the_fix() -> None:
    assert image_problem("redis") == (
        "is not pinned: give a version tag other than `latest` (e.g. 'redis:1.2.3') "
        "or a digest ('redis@sha256:<64 hex>')"
    )


@pytest.mark.parametrize(
    ("registry", "ok"),
    [
        (MIRROR, True),
        ("registry.acme.internal", True),
        ("localhost:5000/mirror", True),
        ("harbor:8443/proxy/docker-hub", True),
        ("mirror", False),  # would read as a Docker Hub account
        ("https://registry.acme.internal", False),
        ("registry.acme.internal/", False),
        ("registry.acme.internal/Mirror", False),
    ],
)
def test_registry_prefix(registry: str, ok: bool) -> None:
    assert (registry_problem(registry) is None) is ok
