"""Shared fixtures: one real local control plane on loopback for the test session.

`admin` resets its state, faults and stats for each test. tests/providers overrides
`base_url` and `admin` with a fresh server per test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_controlplane.testing import AdminClient, LocalServer, fresh_admin


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def base_url(server: LocalServer) -> str:
    return server.base_url


@pytest.fixture
def admin(server: LocalServer) -> Iterator[AdminClient]:
    """Admin API of the shared server; state, faults and stats are reset for each test."""
    with fresh_admin(server.base_url) as adm:
        yield adm


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a gap, not a pass: the run fails when any test skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(
                f"{skipped} test(s) skipped: failing the run (see the reasons above)", red=True
            )
