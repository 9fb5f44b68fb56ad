"""The revision a deployment's servers run: which one it is, and what the control plane says
of it and of the newest revision when that is a different one.

Discovery resolves every served deployment's target at once, `CONCURRENCY` at a time on
its one pooled client (`controlplane/parallel.py`), and hands each to its `RevisionSync` as
an input; the provider's `check` uses that when it answers exactly its inputs (same target,
same newest revision) and asks the control plane itself otherwise. `read` (refresh) always
asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..controlplane.errors import ControlPlaneError
from ..controlplane.parallel import CONCURRENCY, map_concurrently

if TYPE_CHECKING:  # a provider host that never asks the control plane loads neither
    from ..controlplane.client import ControlPlaneClient
    from ..controlplane.models import Revision


def target_of(pinned_revision_id: str | None, active_revision_id: str | None) -> str | None:
    """The revision to serve: the pinned one, else the active one (None: nothing yet)."""
    return pinned_revision_id or active_revision_id


@dataclass(frozen=True)
class TargetRevision:
    """A deployment's target revision as the control plane reported it. Plain data, no
    secrets: it travels as a resource input."""

    revision_id: str
    status: str
    image: str | None
    """The revision's `image_uri` (None: not a built image)."""
    latest_revision_id: str | None
    """The newest revision it was resolved against; None when the target is pinned."""
    latest_status: str | None = None
    """The newest revision's status, when that is another revision that was asked about."""

    def answers(self, target: str, latest_revision_id: str | None) -> bool:
        """Was this resolved for `target`, with the newest revision `latest_revision_id`
        (None for a pinned target)?"""
        return self.revision_id == target and self.latest_revision_id == latest_revision_id

    def to_props(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_props(cls, props: Any) -> TargetRevision | None:
        """The value `to_props` gave; None for anything else (a stale or foreign shape)."""
        if not isinstance(props, dict):
            return None
        try:
            return cls(**props)
        except TypeError:
            return None


def fetch_target(
    client: ControlPlaneClient,
    deployment_id: str,
    target: str,
    latest_revision_id: str | None,
    pinned: bool,
) -> TargetRevision:
    """Ask the control plane: one request for the target, and one for the newest revision
    only when that is another one, the target is not pinned, and the target could be served
    (the check then says why the newest is not)."""
    revision = client.get_revision(deployment_id, target)
    latest = None if pinned else latest_revision_id
    latest_status = None
    if latest and latest != revision.id and servable(revision):
        latest_status = str(client.get_revision(deployment_id, latest).status)
    return TargetRevision(
        revision_id=revision.id,
        status=str(revision.status),
        image=revision.source_revision_config.image_uri,
        latest_revision_id=latest,
        latest_status=latest_status,
    )


def servable(revision: Revision) -> bool:
    """Not failed, and a built image to run."""
    return not revision.is_failed and bool(revision.source_revision_config.image_uri)


@dataclass(frozen=True)
class TargetQuery:
    """One deployment whose target to resolve."""

    deployment_id: str
    target: str
    latest_revision_id: str | None
    pinned: bool


def fetch_targets(
    client: ControlPlaneClient,
    queries: Sequence[TargetQuery],
    *,
    concurrency: int = CONCURRENCY,
) -> list[TargetRevision | None]:
    """Every query's target, `concurrency` at a time, in order. A target the control plane
    did not give (any `ControlPlaneError`: a missing revision, no time left within the
    deadline, a spent retry budget) is None: the provider's check asks again, and reports.
    """

    def one(query: TargetQuery) -> TargetRevision | None:
        try:
            return fetch_target(
                client, query.deployment_id, query.target, query.latest_revision_id, query.pinned
            )
        except ControlPlaneError:
            return None

    return map_concurrently(one, queries, concurrency=concurrency)
