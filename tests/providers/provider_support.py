"""What the engine hands the providers' `configure()`."""

from __future__ import annotations

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from local_controlplane.seed import DEFAULT_API_KEY


def configure_request(api_key: str = DEFAULT_API_KEY) -> ConfigureRequest:
    """The stack config as `configure()` receives it: secrets unwrapped."""
    return ConfigureRequest(
        Config({"dataplane:apiKey": api_key, "dataplane:other": "x"}, "langgraph-dataplane")
    )
