"""Shared fixtures: one real local control plane on loopback for the test session.

`admin` resets its state, faults and stats for each test. tests/providers overrides
`base_url` and `admin` with a fresh server per test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from devtools.leftovers import MARKER, kill, mark_session, started_by
from local_controlplane.testing import AdminClient, LocalServer, fresh_admin

# How long processes the tests stopped may take to exit before they count as left behind
# (the environment may shorten it: tests/unit/test_leftovers.py runs a session that leaks).
LEFTOVER_GRACE_SECONDS = float(os.environ.get("LANGGRAPH_LEFTOVER_GRACE_SECONDS", "10"))
_TOKEN = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Every process the session starts carries a token of its own (devtools/leftovers.py)."""
    config.stash[_TOKEN] = mark_session()


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


@pytest.hookimpl(trylast=True)  # after pytest's own, which tears the session fixtures down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a gap, not a pass: the run fails when any test skipped. A process
    the tests started that outlives them (a plugin of a killed CLI) fails it too."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(
                f"{skipped} test(s) skipped: failing the run (see the reasons above)", red=True
            )
    left = _left_behind(session.config.stash[_TOKEN])
    if left:
        kill(list(left))  # reaped now, so that the next run starts clean
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            lines = "\n".join(f"  {pid}: {command[:300]}" for pid, command in sorted(left.items()))
            reporter.write_line(
                f"{len(left)} process(es) started by the tests ({MARKER}) outlived them, "
                f"killed now; failing the run:\n{lines}",
                red=True,
            )


def _left_behind(token: str) -> dict[int, str]:
    """The session's processes still running once every fixture is torn down, after a
    grace for the ones just stopped."""
    deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
    left = started_by(token)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = started_by(token)
    return left
