"""Where the control plane is: the hosted regions' API roots, or a self-hosted one's URL."""

from __future__ import annotations

import httpx

from ..core.defaults import DEFAULT_REGION
from ..core.urls import api_root, api_root_problem, redact

REGION_BASE_URLS: dict[str, str] = {
    "us": "https://api.host.langchain.com",
    "eu": "https://eu.api.host.langchain.com",
    "apac": "https://apac.api.host.langchain.com",
    "aws-us": "https://aws.api.host.langchain.com",
}
_REGION_ALIASES = {"aws_us": "aws-us", "aws": "aws-us", "us-aws": "aws-us"}

_ROOT_EXAMPLES = "e.g. https://api.host.langchain.com or https://langsmith.example.com/api-host"


def resolve_base_url(region: str | None, base_url: str | None) -> str:
    """The API base URL: an explicit ``base_url`` wins, in the spelling of
    :func:`~components.core.urls.api_root` (its path prefix kept, slashes tidied). A URL with a user
    or password is refused, and never quoted; so is one with the API's `/v2` in it."""
    if base_url:
        url = api_root(base_url)
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(
                f"control-plane base URL {redact(base_url)!r} must be an absolute http(s) URL, "
                + _ROOT_EXAMPLES
            )
        if parsed.userinfo:
            raise ValueError(
                "the control-plane base URL must not contain a user or password (not shown); "
                "the API key is sent as a header"
            )
        problem = api_root_problem(url)
        if problem:
            raise ValueError(
                f"control-plane base URL {redact(base_url)!r} {problem}: give the API's root, "
                + _ROOT_EXAMPLES
            )
        return url
    key = (region or DEFAULT_REGION).strip().lower()
    key = _REGION_ALIASES.get(key, key)
    try:
        return REGION_BASE_URLS[key]
    except KeyError:
        known = ", ".join(sorted(REGION_BASE_URLS))
        raise ValueError(
            f"unknown control-plane region {region!r}; use one of {known}, "
            "or give base_url for a self-hosted control plane (https://<host>/api-host)"
        ) from None
