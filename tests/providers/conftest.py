"""A fresh local control plane per test, on a loopback port, and configured providers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.providers import connection
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


@pytest.fixture(autouse=True)
def _fresh_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(connection.API_KEY_ENV, raising=False)
    connection.forget_clients()
    yield
    connection.forget_clients()
