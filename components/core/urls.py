"""URL checks shared by the stack config and the control-plane client (standard library only).

Messages never quote a URL's user or password: `redact` hides them wherever a URL is echoed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

# `scheme://user:password@` (or `scheme://token@`): everything between `//` and `@` is hidden.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")


def redact(text: str) -> str:
    """`text` with the user and password of every URL in it replaced by `<hidden>`."""
    return _USERINFO.sub(r"\g<scheme><hidden>@", text)


def url_problem(
    value: str,
    schemes: Sequence[str] = ("http", "https"),
    *,
    credentials: bool = False,
    query: bool = False,
) -> str | None:
    """What is wrong with `value` as a URL of one of `schemes`, or None when it is fine.

    It needs a scheme and a host, a valid port and bracketed IPv6 address; `credentials`
    allows a user and password in it, `query` a query string. The message never quotes
    the value.
    """
    if not value.strip():
        return "is empty"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return "is not a valid URL (a malformed `[IPv6]` address or port)"
    if parts.scheme.lower() not in schemes or not value.lower().startswith(
        tuple(f"{s}://" for s in schemes)
    ):
        return f"must start with {' or '.join(f'{s}://' for s in schemes)}"
    if (parts.username or parts.password) and not credentials:
        return "contains a user name or password, which would be repeated in logs and errors"
    if not host and not (query and "host=" in parts.query):
        return "has no host"
    if not query and (parts.query or parts.fragment or value.endswith(("?", "#"))):
        return "has a query (`?...`) or fragment (`#...`)"
    return None


def is_oci(value: str) -> bool:
    """Is `value` an OCI registry reference (`oci://...`), as Helm reads chart locations?"""
    return value.strip().lower().startswith("oci://")


def api_root(value: str) -> str:
    """A control-plane base URL in one spelling: spaces around it, and repeated and trailing
    slashes in its path, dropped (`https://h//api-host/` is `https://h/api-host`), so that a
    self-hosted control plane's prefix is neither doubled nor lost when `/v2/...` is added."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # a malformed `[IPv6]` address: the URL checks say so
        return value.strip().rstrip("/")
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    return parts._replace(path=path).geturl()


def api_root_problem(value: str) -> str | None:
    """What is wrong with an http(s) URL as the control plane's root, or None: a path with
    the API's own `/v2` in it, or the LangSmith API's (`/api`, `/api/v1`)."""
    segments = urlsplit(api_root(value)).path.strip("/").split("/")
    if "v2" in segments:
        return "holds the API's own `/v2` path, which is added to the root"
    if segments[-2:] == ["api", "v1"] or segments[-1:] == ["api"]:
        return "is the LangSmith API (`/api`, `/api/v1`), not its control plane (`/api-host`)"
    return None
