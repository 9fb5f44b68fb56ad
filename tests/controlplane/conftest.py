"""Fixtures for the control-plane client tests: a real local control plane over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from components.controlplane import ControlPlaneClient
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import AdminClient


@pytest.fixture
def make_client(base_url: str, admin: AdminClient) -> Iterator[Callable[..., ControlPlaneClient]]:
    """Factory of clients with fast backoff; all of them are closed after the test."""
    clients: list[ControlPlaneClient] = []

    def make(api_key: str = DEFAULT_API_KEY, **options: Any) -> ControlPlaneClient:
        options.setdefault("base_url", base_url)
        options.setdefault("backoff_base", 0.01)
        options.setdefault("backoff_max", 0.05)
        options.setdefault("timeout", 5.0)
        client = ControlPlaneClient(api_key, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., ControlPlaneClient]) -> ControlPlaneClient:
    return make_client()
