"""The control plane's known enum values: sources, tiers, statuses, and which of them fail.

Helpers only: the models' fields are plain strings, so new values never crash. Apart from the
models (no pydantic here), so the dynamic providers' check reads them without loading it.
"""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    GITHUB = "github"
    EXTERNAL_DOCKER = "external_docker"


class DeploymentType(StrEnum):
    DEV_FREE = "dev_free"
    DEV = "dev"
    PROD = "prod"
    DEV_ZERO = "dev_zero"
    DEV_FREE_ZERO = "dev_free_zero"


DEFAULT_DEPLOYMENT_TYPE = DeploymentType.PROD
"""What the service assumes when a deployment names no type."""
SCALE_TO_ZERO_TYPES = frozenset({DeploymentType.DEV_ZERO, DeploymentType.DEV_FREE_ZERO})
"""The tiers whose `resource_spec.min_scale` may be 0."""


def scales_to_zero(deployment_type: str | None) -> bool:
    """May a deployment of this type (None: the service's default) run zero replicas?"""
    return (deployment_type or DEFAULT_DEPLOYMENT_TYPE) in SCALE_TO_ZERO_TYPES


class DeploymentStatus(StrEnum):
    AWAITING_DATABASE = "AWAITING_DATABASE"
    READY = "READY"
    UNUSED = "UNUSED"
    AWAITING_DELETE = "AWAITING_DELETE"
    AWAITING_FINAL_DELETE = "AWAITING_FINAL_DELETE"
    UNKNOWN = "UNKNOWN"


class RevisionStatus(StrEnum):
    CREATING = "CREATING"
    QUEUED = "QUEUED"
    AWAITING_BUILD = "AWAITING_BUILD"
    BUILDING = "BUILDING"
    AWAITING_DEPLOY = "AWAITING_DEPLOY"
    DEPLOYING = "DEPLOYING"
    CREATE_FAILED = "CREATE_FAILED"
    BUILD_FAILED = "BUILD_FAILED"
    DEPLOY_FAILED = "DEPLOY_FAILED"
    DEPLOYED = "DEPLOYED"
    SKIPPED = "SKIPPED"
    INTERRUPTED = "INTERRUPTED"
    UNKNOWN = "UNKNOWN"


REVISION_STATUS_VALUES = frozenset(s.value for s in RevisionStatus)

REVISION_FAILED_STATUSES = frozenset(
    {RevisionStatus.CREATE_FAILED, RevisionStatus.BUILD_FAILED, RevisionStatus.DEPLOY_FAILED}
)
REVISION_SUCCESS_STATUSES = frozenset({RevisionStatus.DEPLOYED, RevisionStatus.SKIPPED})
REVISION_FINAL_STATUSES = REVISION_FAILED_STATUSES | REVISION_SUCCESS_STATUSES
