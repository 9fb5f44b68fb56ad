"""Typed errors raised by :class:`~components.controlplane.client.ControlPlaneClient`.

Every error is a :class:`ControlPlaneError` and carries ``status_code`` (``None`` when no
HTTP response was received), ``method`` and ``url``. Messages are written for the person
running ``pulumi up``: they say what went wrong and what to check next. They never contain
the API key (at most its last four characters) nor secret values from request bodies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# How much of an unexpected response body an error message may quote.
BODY_EXCERPT_CHARS = 200

STACK_CONFIG_HINT = (
    "check `dataplane:apiKey` and `dataplane:controlPlane.workspaceId` in the stack config"
)
WORKSPACE_FIX = (
    "Fix: `pulumi config set --path dataplane:controlPlane.workspaceId <workspace id>` (the "
    "workspace's UUID, in LangSmith under Settings > Workspaces; it is sent as X-Tenant-Id), "
    "or use a workspace-scoped API key."
)
ROUTE_MISSING = "Not Found"
"""FastAPI's `detail` when no route matches the path (not a missing object)."""


def excerpt(text: str, limit: int = BODY_EXCERPT_CHARS) -> str:
    """A short, single-line excerpt of a response body for error messages."""
    flat = " ".join(text.split())
    if not flat:
        return "<empty body>"
    if len(flat) > limit:
        return flat[:limit] + f"... ({len(text)} chars)"
    return flat


def key_hint(api_key: str) -> str:
    """Identify an API key to a person without revealing it (last 4 characters at most)."""
    if len(api_key) < 12:
        return "<hidden>"
    return f"...{api_key[-4:]}"


class ControlPlaneError(Exception):
    """Base class of every error the control-plane client raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        url: str | None = None,
        detail: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.method = method
        self.url = url
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class AuthenticationError(ControlPlaneError):
    """401 or 403: the API key is wrong, lacks access, or needs a workspace id."""

    def __init__(
        self,
        message: str,
        *,
        requires_workspace: bool = False,
        tenant_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.requires_workspace = requires_workspace
        self.tenant_id = tenant_id


class NotFoundError(ControlPlaneError):
    """404: the deployment, revision or listener asked for does not exist."""

    def __init__(
        self,
        message: str,
        *,
        resource: str | None = None,
        resource_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.resource = resource
        self.resource_id = resource_id


class BadRequestError(ControlPlaneError):
    """400: the control plane refused the request (e.g. an immutable field was changed)."""


class ConflictError(ControlPlaneError):
    """409: the object already exists (e.g. a listener with the same ``compute_id``)."""


class ValidationError(ControlPlaneError):
    """422: the request did not match the API schema. ``errors`` is the server's list."""

    def __init__(self, message: str, *, errors: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors


class ServerError(ControlPlaneError):
    """A 5xx answer that is not retried (500, 501, ...) or another unexpected status."""


class UnavailableError(ControlPlaneError):
    """The control plane could not be reached or kept failing: retries are exhausted.

    ``attempts`` is the number of HTTP attempts made; ``may_have_reached_server`` is true
    when a non-idempotent request (POST, PATCH) failed in a way where the server may have
    applied it, which is why it was not retried.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_cause: str,
        may_have_reached_server: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.attempts = attempts
        self.last_cause = last_cause
        self.may_have_reached_server = may_have_reached_server


class ProtocolError(ControlPlaneError):
    """The control plane answered something this client cannot understand."""

    def __init__(self, message: str, *, body_excerpt: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.body_excerpt = body_excerpt


# ---------------------------------------------------------------------------------------
# Building errors from responses


def render_validation_errors(errors: Sequence[Any]) -> list[str]:
    """Render FastAPI's 422 ``detail`` list as ``loc: msg`` lines."""
    lines: list[str] = []
    for item in errors:
        if isinstance(item, Mapping):
            loc = item.get("loc")
            if isinstance(loc, list | tuple):
                where = ".".join(str(part) for part in loc)
            else:
                where = str(loc) if loc is not None else "?"
            msg = item.get("msg", "")
            lines.append(f"{where}: {msg}")
        else:
            lines.append(str(item))
    return lines


def detail_text(detail: Any, body_text: str) -> str:
    """The server's human-readable ``detail``, or an excerpt of the body."""
    if isinstance(detail, str) and detail:
        return detail
    if detail is not None:
        return excerpt(str(detail))
    return excerpt(body_text)


def error_from_response(
    *,
    method: str,
    url: str,
    status_code: int,
    body_text: str,
    detail: Any,
    json_ok: bool,
    resource: str | None,
    resource_id: str | None,
    api_key: str,
    tenant_id: str | None,
) -> ControlPlaneError:
    """Map a non-success response (that is not retried) to a typed error."""
    common: dict[str, Any] = {
        "status_code": status_code,
        "method": method,
        "url": url,
        "detail": detail,
    }
    where = f"{method} {url}"
    said = detail_text(detail, body_text).rstrip(".")

    if status_code in (401, 403):
        requires_workspace = "requires workspace specification" in said.lower()
        if requires_workspace and not tenant_id:
            return AuthenticationError(
                f"the API key ({key_hint(api_key)}) is organisation-scoped and the control "
                f"plane needs to know which workspace to act in: HTTP {status_code} on "
                f"{where}: {said}. {WORKSPACE_FIX}",
                requires_workspace=True,
                tenant_id=tenant_id,
                **common,
            )
        workspace = tenant_id if tenant_id else "<not set>"
        parts = [
            f"control plane refused the API key ({key_hint(api_key)}) for workspace "
            f"{workspace}: HTTP {status_code} on {where}: {said}."
        ]
        if status_code == 401:
            parts.append(f"The key is invalid, expired or revoked; {STACK_CONFIG_HINT}.")
        else:
            parts.append(
                f"The key may lack access to this workspace, or the plan does not allow "
                f"this operation; {STACK_CONFIG_HINT}."
            )
        return AuthenticationError(
            " ".join(parts), requires_workspace=requires_workspace, tenant_id=tenant_id, **common
        )

    if status_code == 404:
        what = f"{resource} {resource_id!r}" if resource and resource_id else "resource"
        msg = f"{what} not found: {where} answered 404: {said}."
        if not json_ok or said == ROUTE_MISSING:
            why = "is not the control plane's JSON" if not json_ok else "knows no such path"
            msg += (
                f" The answer {why}: check the base URL, `dataplane:controlPlane.url` (the "
                "API's root, without `/v2`; a self-hosted control plane lives under the "
                "`/api-host` prefix: `https://<host>/api-host`)."
            )
        elif resource and resource_id:
            msg += f" Check that the {resource} id is right and belongs to workspace " + (
                f"{tenant_id}." if tenant_id else "of this API key."
            )
        return NotFoundError(msg, resource=resource, resource_id=resource_id, **common)

    if status_code == 409:
        return ConflictError(
            f"conflict on {where}: {said}. The object already exists; import or reuse it, "
            "or choose another name / compute_id.",
            **common,
        )

    if status_code == 422 and isinstance(detail, list):
        errors = [dict(e) if isinstance(e, Mapping) else {"msg": str(e)} for e in detail]
        lines = render_validation_errors(detail)
        body = "\n".join(f"  {line}" for line in lines)
        return ValidationError(
            f"control plane rejected the request body of {where} (HTTP 422):\n{body}",
            errors=errors,
            **common,
        )

    if status_code in (400, 422):
        return BadRequestError(
            f"control plane rejected {where} (HTTP {status_code}): {said}. "
            "Fix the request (fields marked immutable cannot be changed after creation).",
            **common,
        )

    if status_code >= 500:
        return ServerError(
            f"control plane failed on {where} (HTTP {status_code}): {said}. "
            "This is an error on the server side; try again later.",
            **common,
        )

    return ControlPlaneError(
        f"unexpected HTTP {status_code} from {where}: {said}",
        **common,
    )
