"""A fresh local control plane per test, on a loopback port, and configured providers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from components.providers import connection
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import AdminClient, run_server


@pytest.fixture
def base_url() -> Iterator[str]:
    with run_server() as url:
        yield url
    connection.forget_clients()


@pytest.fixture
def admin(base_url: str) -> Iterator[AdminClient]:
    with AdminClient(base_url) as client:
        yield client


def configure_request(api_key: str = DEFAULT_API_KEY) -> ConfigureRequest:
    """What the engine hands `configure()`: the stack config, secrets unwrapped."""
    return ConfigureRequest(
        Config({"dataplane:apiKey": api_key, "dataplane:other": "x"}, "langgraph-dataplane")
    )


@pytest.fixture(autouse=True)
def _fresh_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(connection.API_KEY_ENV, raising=False)
    connection.forget_clients()
    yield
    connection.forget_clients()
