"""Typed httpx client of the LangGraph (LangSmith Deployment) control-plane API.

Names load on first use (PEP 562): the dynamic providers' check reads an error class or a
status without importing httpx and pydantic, which a provider host's start would pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import (
        REGION_BASE_URLS,
        ControlPlaneClient,
        resolve_base_url,
    )
    from .enums import (
        DEFAULT_DEPLOYMENT_TYPE,
        REVISION_FAILED_STATUSES,
        REVISION_FINAL_STATUSES,
        DeploymentStatus,
        DeploymentType,
        RevisionStatus,
        Source,
        scales_to_zero,
    )
    from .errors import (
        AuthenticationError,
        BadRequestError,
        ConflictError,
        ControlPlaneError,
        NotFoundError,
        ProtocolError,
        ServerError,
        UnavailableError,
        ValidationError,
    )
    from .models import (
        RESERVED_ENV_NAMES,
        Deployment,
        DeploymentCreateRequest,
        DeploymentPatchRequest,
        Listener,
        ListenerComputeConfig,
        ListenerConfig,
        ListenerCreateRequest,
        ListenerPatchRequest,
        LocalObjectReference,
        ResourceSpec,
        Revision,
        RevisionCreateRequest,
        Secret,
        SecretReference,
        SourceConfig,
        SourceRevisionConfig,
        reserved_env_names,
    )
    from .retry import (
        RetryBudget,
        RetryPolicy,
        parse_retry_after,
    )

# Each public name and the module that defines it.
_HOMES = {
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "ConflictError": "errors",
    "ControlPlaneClient": "client",
    "ControlPlaneError": "errors",
    "DEFAULT_DEPLOYMENT_TYPE": "enums",
    "Deployment": "models",
    "DeploymentCreateRequest": "models",
    "DeploymentPatchRequest": "models",
    "DeploymentStatus": "enums",
    "DeploymentType": "enums",
    "Listener": "models",
    "ListenerComputeConfig": "models",
    "ListenerConfig": "models",
    "ListenerCreateRequest": "models",
    "ListenerPatchRequest": "models",
    "LocalObjectReference": "models",
    "NotFoundError": "errors",
    "ProtocolError": "errors",
    "REGION_BASE_URLS": "client",
    "RESERVED_ENV_NAMES": "models",
    "REVISION_FAILED_STATUSES": "enums",
    "REVISION_FINAL_STATUSES": "enums",
    "ResourceSpec": "models",
    "RetryBudget": "retry",
    "RetryPolicy": "retry",
    "Revision": "models",
    "RevisionCreateRequest": "models",
    "RevisionStatus": "enums",
    "Secret": "models",
    "SecretReference": "models",
    "ServerError": "errors",
    "Source": "enums",
    "SourceConfig": "models",
    "SourceRevisionConfig": "models",
    "UnavailableError": "errors",
    "ValidationError": "errors",
    "parse_retry_after": "retry",
    "reserved_env_names": "models",
    "resolve_base_url": "client",
    "scales_to_zero": "enums",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


__all__ = [
    "DEFAULT_DEPLOYMENT_TYPE",
    "REGION_BASE_URLS",
    "RESERVED_ENV_NAMES",
    "REVISION_FAILED_STATUSES",
    "REVISION_FINAL_STATUSES",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ControlPlaneClient",
    "ControlPlaneError",
    "Deployment",
    "DeploymentCreateRequest",
    "DeploymentPatchRequest",
    "DeploymentStatus",
    "DeploymentType",
    "Listener",
    "ListenerComputeConfig",
    "ListenerConfig",
    "ListenerCreateRequest",
    "ListenerPatchRequest",
    "LocalObjectReference",
    "NotFoundError",
    "ProtocolError",
    "ResourceSpec",
    "RetryBudget",
    "RetryPolicy",
    "Revision",
    "RevisionCreateRequest",
    "RevisionStatus",
    "Secret",
    "SecretReference",
    "ServerError",
    "Source",
    "SourceConfig",
    "SourceRevisionConfig",
    "UnavailableError",
    "ValidationError",
    "parse_retry_after",
    "reserved_env_names",
    "resolve_base_url",
    "scales_to_zero",
]
