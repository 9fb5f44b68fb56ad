"""What the engine hands the providers: `configure()`, and a RevisionSync's inputs."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from components.core.endpoint import Endpoint
from components.planning.discovery import DiscoveredDeployment
from components.planning.plan import sync_args
from components.providers.revision_sync import sync_inputs
from local_controlplane.seed import DEFAULT_API_KEY


def configure_request(api_key: str = DEFAULT_API_KEY) -> ConfigureRequest:
    """The stack config as `configure()` receives it: secrets unwrapped."""
    return ConfigureRequest(
        Config({"dataplane:apiKey": api_key, "dataplane:other": "x"}, "langgraph-dataplane")
    )


def sync_props(endpoint: Endpoint, found: DiscoveredDeployment) -> dict[str, Any]:
    """The inputs `build_sync` gives a served deployment's RevisionSync (secrets unwrapped,
    as `check` receives them), with what discovery resolved."""
    return sync_inputs(endpoint, sync_args(found), found.target)
