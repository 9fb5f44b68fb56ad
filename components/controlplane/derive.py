"""The control plane and the listener's LangSmith API, derived from the LangSmith API URL a user
already has (`dataplane:controlPlane.langsmithUrl`), as LangChain's Terraform provider derives
its control-plane URL: LangSmith's cloud has its region's control plane, a self-hosted
LangSmith serves it on its own host under `/api-host`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..core.defaults import CLOUD_API_REGIONS
from .client import REGION_BASE_URLS

# `CLOUD_API_REGIONS` (in `defaults.py`, which the policy pack reads too) names no API host of
# the other regions: `langsmith_url_problem` refuses them rather than guess.
# A host under this domain is LangChain's own: never a self-hosted LangSmith.
_LANGCHAIN_DOMAIN = "langchain.com"
# Where a self-hosted LangSmith serves the control-plane API and its own API, on its origin.
SELF_HOSTED_CONTROL_PLANE_PATH = "/api-host"
SELF_HOSTED_API_PATH = "/api/v1"


def _host(langsmith_url: str) -> str:
    return (urlsplit(langsmith_url.strip()).hostname or "").lower().rstrip(".")


def _origin(langsmith_url: str) -> str:
    """`scheme://host[:port]` of the URL: its path (`/api/v1`) and trailing slashes dropped."""
    parts = urlsplit(langsmith_url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc}"


def cloud_region(langsmith_url: str) -> str | None:
    """The region of a LangSmith cloud API URL, or None for a self-hosted LangSmith."""
    return CLOUD_API_REGIONS.get(_host(langsmith_url))


def langsmith_url_problem(langsmith_url: str) -> str | None:
    """What is wrong with an http(s) URL as a LangSmith API URL to derive from, or None: a
    LangChain host that is not a known cloud API (another region's, or the control plane's
    own), whose control plane would be guessed."""
    host = _host(langsmith_url)
    if host in CLOUD_API_REGIONS:
        return None
    if host == _LANGCHAIN_DOMAIN or host.endswith(f".{_LANGCHAIN_DOMAIN}"):
        known = ", ".join(f"https://{h}" for h in CLOUD_API_REGIONS)
        return f"is a LangChain host whose control plane is not known here (known: {known})"
    return None


def derived_base_url(langsmith_url: str) -> str:
    """The control plane of a LangSmith API URL: its cloud region's, or
    `<origin>/api-host` for a self-hosted LangSmith."""
    region = cloud_region(langsmith_url)
    if region is not None:
        return REGION_BASE_URLS[region]
    return _origin(langsmith_url) + SELF_HOSTED_CONTROL_PLANE_PATH


def derived_smith_url(langsmith_url: str) -> str | None:
    """The LangSmith API given to the listener for a self-hosted LangSmith (`<origin>/api/v1`);
    None for the cloud, whose listener keeps its default."""
    if cloud_region(langsmith_url) is not None:
        return None
    return _origin(langsmith_url) + SELF_HOSTED_API_PATH


def _root_key(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").rstrip("."), port, parts.path.rstrip("/")


def same_control_plane(a: str, b: str) -> bool:
    """Whether two control-plane roots are one: scheme and host in any case, a scheme's
    default port written or not, the path as written but for trailing slashes."""
    return _root_key(a) == _root_key(b)
