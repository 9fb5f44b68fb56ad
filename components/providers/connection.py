"""Credentials and clients for the dynamic providers, kept out of the pickled providers.

The providers are pickled into state, so they hold plain settings only. The API key arrives
through `configure()` (the stack's secret config, unwrapped by the engine) or the environment,
and clients are built lazily, once per endpoint, and shared by the provider threads.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from ..core.endpoint import Endpoint

if TYPE_CHECKING:  # imported on first use: a check answered by discovery needs no client
    from ..controlplane.client import ControlPlaneClient

API_KEY_CONFIG = "dataplane:apiKey"
API_KEY_ENV = "LANGGRAPH_CONTROL_PLANE_API_KEY"

_lock = threading.RLock()
_configured_api_key: str | None = None
_clients: dict[tuple[str, str | None, float, float], ControlPlaneClient] = {}


class CredentialsError(RuntimeError):
    """No API key reached the provider."""


def remember_api_key(config: Any) -> None:
    """Keep the API key from the stack config that `configure()` receives."""
    global _configured_api_key
    value = config.get(API_KEY_CONFIG) if config is not None else None
    with _lock:
        _configured_api_key = str(value) if value else None


def api_key() -> str:
    """The API key from `configure()`, else the environment, else a clear error."""
    with _lock:
        key = _configured_api_key
    key = key or os.environ.get(API_KEY_ENV)
    if not key:
        raise CredentialsError(
            f"no control-plane API key: set `{API_KEY_CONFIG}` with `pulumi config set --secret "
            f"{API_KEY_CONFIG} <key>`, or export {API_KEY_ENV}."
        )
    return key


def client_for(endpoint: Endpoint) -> ControlPlaneClient:
    """A shared client for one endpoint, created on first use."""
    key = (endpoint.url, endpoint.workspace_id, endpoint.timeout_seconds, endpoint.deadline_seconds)
    with _lock:
        client = _clients.get(key)
        if client is None:
            from ..controlplane.client import ControlPlaneClient

            client = ControlPlaneClient(
                api_key(),
                base_url=endpoint.url,
                tenant_id=endpoint.workspace_id,
                timeout=endpoint.timeout_seconds,
                deadline=endpoint.deadline_seconds,
            )
            _clients[key] = client
        return client


def forget_clients() -> None:
    """Close and drop every cached client (tests; key rotation)."""
    global _configured_api_key
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
        _configured_api_key = None
    for client in clients:
        client.close()
