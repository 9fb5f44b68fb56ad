"""Image references: the pinning rule, and the registry rewrite for private or air-gapped clusters.

The rewrite rule (`images.registry`): drop the image's own registry host, keep its repository
path, tag and digest, and put the configured prefix in front. Docker Hub's implicit parts are
made explicit first, so `redis:7.4.2`, `docker.io/redis:7.4.2` and
`docker.io/library/redis:7.4.2` all become `<prefix>/library/redis:7.4.2`; and
`ghcr.io/acme/agent@sha256:...` becomes `<prefix>/acme/agent@sha256:...`. An image already
under the prefix is left as it is, so rewriting twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_PATH_PART = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_HOST = re.compile(
    r"^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9-]+(?:\.[a-z0-9-]+)*:[0-9]+)$"
)
_HOST_PORT = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[0-9]+)?$")


@dataclass(frozen=True)
class ImageRef:
    """One image reference, split into its parts."""

    registry: str | None
    """Registry host (and port); None when Docker Hub is implied."""
    repository: str
    """Repository path within the registry, e.g. `library/redis`."""
    tag: str | None
    """Tag, if any."""
    digest: str | None
    """Digest (`sha256:...`), if any."""

    @classmethod
    def parse(cls, ref: str) -> ImageRef:
        """Split a reference the way container runtimes read it."""
        name, _, digest = ref.partition("@")
        tag = None
        if name.rfind(":") > name.rfind("/"):
            name, _, tag = name.rpartition(":")
        first, _, rest = name.partition("/")
        # Docker's rule: the first part is a host when it has a dot or a port, or is localhost.
        if rest and ("." in first or ":" in first or first == "localhost"):
            return cls(first, rest, tag or None, digest or None)
        return cls(None, name, tag or None, digest or None)

    @property
    def pinned(self) -> bool:
        """Pinned by digest, or by a tag other than `latest`."""
        return self.digest is not None or (self.tag is not None and self.tag != "latest")

    def __str__(self) -> str:
        host = f"{self.registry}/" if self.registry else ""
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{host}{self.repository}{tag}{digest}"


def image_problem(ref: str) -> str | None:
    """Why `ref` is not a valid, pinned image reference; None when it is."""
    if not ref or ref != ref.strip() or " " in ref:
        return "is not an image reference"
    image = ImageRef.parse(ref)
    if image.registry is not None and not _HOST.match(image.registry):
        return f"has an invalid registry host {image.registry!r}"
    if not all(_PATH_PART.match(part) for part in image.repository.split("/")):
        return "has an invalid repository (lowercase letters, digits, '.', '_', '-', '/')"
    if image.tag is not None and not _TAG.match(image.tag):
        return f"has an invalid tag {image.tag!r}"
    if image.digest is not None and not _DIGEST.match(image.digest):
        return "has an invalid digest (expected sha256: and 64 lowercase hex digits)"
    if not image.pinned:
        base = str(ImageRef(image.registry, image.repository, None, None))
        return (
            "is not pinned: give a version tag other than `latest` "
            f"(e.g. '{base}:1.2.3') or a digest ('{base}@sha256:<64 hex>')"
        )
    return None


def image_revision(image: str) -> str | None:
    """A revision id for a static image: its digest's first 12 hex digits, or else its tag
    (a label value: at most 63 letters, digits, `-`, `_` and `.`, alphanumeric at both ends);
    None when the image has neither, or a tag of punctuation only (e.g. `_`)."""
    ref = ImageRef.parse(image)
    if ref.digest:
        return f"sha256-{ref.digest.removeprefix('sha256:')[:12]}"
    return (ref.tag or "")[:63].strip("-_.") or None


def registry_problem(registry: str) -> str | None:
    """Why `registry` cannot be an image registry prefix; None when it can."""
    host, _, path = registry.partition("/")
    if "://" in registry or registry.endswith("/") or "@" in registry:
        return "must be a host and optional path, without scheme or trailing '/'"
    if not _HOST_PORT.match(host) or not ("." in host or ":" in host or host == "localhost"):
        # Without a dot or port, runtimes would read the host as a Docker Hub account.
        return "must start with a registry host (with a '.' or a port, or localhost)"
    if path and not all(_PATH_PART.match(part) for part in path.split("/")):
        return "has an invalid path (lowercase letters, digits, '.', '_', '-', '/')"
    return None


def rewrite_image(ref: str, registry: str | None) -> str:
    """`ref` moved under the registry prefix `registry` (see the module docstring)."""
    if not registry or ref.startswith(f"{registry}/"):
        return ref
    image = ImageRef.parse(ref)
    repository = image.repository
    if (image.registry is None or image.registry in _DOCKER_HUB) and "/" not in repository:
        repository = f"library/{repository}"
    return str(ImageRef(registry, repository, image.tag, image.digest))


# Today's minimums of the stores the servers use (LangChain's requirements). The program's
# config, its preflight and the policy pack all check against these.
POSTGRES_MINIMUM = 14
REDIS_MINIMUM = (6, 2)
VALKEY_MINIMUM = 8
POSTGRES_REPOSITORIES = frozenset({"postgres", "postgresql"})
_LEADING_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?")
_PG_MARKER = re.compile(r"(?:^|[-_.])pg(\d+)(?:$|[-_.])")


@dataclass(frozen=True)
class StoreVersion:
    """The store version an image's tag says."""

    name: str
    """`Postgres`, `Redis` or `Valkey`."""
    major: int
    minor: int | None
    """None when the tag says the major version only (and for Postgres, always)."""

    @property
    def minimum(self) -> tuple[int, ...]:
        return {"Postgres": (POSTGRES_MINIMUM,), "Valkey": (VALKEY_MINIMUM,)}.get(
            self.name, REDIS_MINIMUM
        )

    @property
    def supported(self) -> bool:
        """At least the minimum; a tag without a minor version counts as `.0`."""
        return (self.major, self.minor or 0)[: len(self.minimum)] >= self.minimum

    @property
    def shown_minimum(self) -> str:
        return ".".join(map(str, self.minimum))


def store_version(kind: str, ref: str) -> StoreVersion | None:
    """What image `ref` of a `postgres` or `redis` store runs, by its tag (a `pgNN` marker, or
    a leading version); None when the tag does not say."""
    image = ImageRef.parse(ref)
    tag, repository = image.tag or "", image.repository.rsplit("/", 1)[-1]
    if kind == "postgres":
        found = _PG_MARKER.search(tag) or (
            _LEADING_VERSION.match(tag) if repository in POSTGRES_REPOSITORIES else None
        )
        return StoreVersion("Postgres", int(found[1]), None) if found else None
    found = _LEADING_VERSION.match(tag)
    if found is None:
        return None
    name = "Valkey" if repository == "valkey" else "Redis"
    return StoreVersion(name, int(found[1]), int(found[2]) if found[2] is not None else None)


def store_version_problem(kind: str, ref: str) -> str | None:
    """Why image `ref` of a `postgres` or `redis` store is older than supported; None when
    it is recent enough, or when its tag does not say (the policy pack reports those)."""
    version = store_version(kind, ref)
    if version is None or version.supported:
        return None
    if version.name == "Redis":
        shown = f"{version.major}.{version.minor or 0}"
    else:
        shown = str(version.major)
    return (
        f"runs {version.name} {shown}; the servers need {version.name} "
        f"{version.shown_minimum} or newer"
    )
