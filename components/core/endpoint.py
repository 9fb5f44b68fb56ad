"""Where a stack's control plane is, and how long a call to it may take: plain data.

Standard library only: the plan builds an `Endpoint` from the config, the dynamic resources
carry it as inputs, and the client reads the same defaults, so none of the lower floors
needs the HTTP client or a provider module to name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .names import EndpointProps as P

DEFAULT_TIMEOUT_SECONDS = 30.0
# Every call ends within this, retries included; the discovery (several calls) within the other.
DEFAULT_DEADLINE_SECONDS = 60.0
DEFAULT_DISCOVERY_DEADLINE_SECONDS = 120.0


@dataclass(frozen=True)
class Endpoint:
    """Where a resource's control plane is: plain, non-secret resource inputs."""

    url: str
    workspace_id: str | None
    timeout_seconds: float
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS
    """The total deadline of each call."""

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> Endpoint:
        return cls(
            url=str(props[P.URL]),
            workspace_id=props.get(P.WORKSPACE_ID) or None,
            timeout_seconds=float(props.get(P.TIMEOUT_SECONDS) or DEFAULT_TIMEOUT_SECONDS),
            deadline_seconds=float(props.get(P.DEADLINE_SECONDS) or DEFAULT_DEADLINE_SECONDS),
        )

    def props(self) -> dict[str, Any]:
        """The resource inputs that describe this endpoint (the deadline only when it is not
        the default: stacks that leave it alone keep the inputs they had)."""
        props = {
            P.URL: self.url,
            P.WORKSPACE_ID: self.workspace_id,
            P.TIMEOUT_SECONDS: self.timeout_seconds,
        }
        if self.deadline_seconds != DEFAULT_DEADLINE_SECONDS:
            props[P.DEADLINE_SECONDS] = self.deadline_seconds
        return props
