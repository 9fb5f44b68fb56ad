"""What the engine hands the providers: `configure()`, and a RevisionSync's inputs."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from components.discovery import DiscoveredDeployment
from components.providers.connection import Endpoint
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
    return sync_inputs(
        endpoint,
        deployment_id=found.id,
        deployment_name=found.name,
        namespace=found.namespace,
        active_revision_id=found.active_revision_id,
        latest_revision_id=found.latest_revision_id,
        resource_spec=found.resource_spec,
        secrets=found.secrets,
        prefetched=found.target,
        secret_references=found.secret_references,
        deployment_type=found.deployment_type,
    )
