"""Fixtures for the local control-plane server tests (real HTTP over loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import AdminClient


@pytest.fixture
def api(base_url: str, admin: AdminClient) -> Iterator[httpx.Client]:
    """A plain httpx client authenticated with the default workspace key."""
    with httpx.Client(
        base_url=base_url, headers={"X-Api-Key": DEFAULT_API_KEY}, timeout=10.0
    ) as http:
        yield http
