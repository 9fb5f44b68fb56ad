"""One live local cluster for the whole session (scripts/cluster.sh), shared by the tests.

The session starts it, or uses the one already running; a cluster this session started is
stopped at the end. A cluster that cannot start fails every test that needs it, with the
reason: these tests are never skipped.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config

from devtools.engine import REPO
from devtools.leftovers import without_marker
from local_controlplane.testing import run_server
from tests.cluster.live import LiveStack, namespace_removed_after

CLUSTER_SH = REPO / "scripts" / "cluster.sh"


def _cluster(command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CLUSTER_SH), command],
        cwd=REPO,
        # The cluster outlives a test on purpose: not among what the session must reap.
        env=without_marker(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def kubeconfig() -> Iterator[Path]:
    """The running local cluster's kubeconfig."""
    was_running = _cluster("status", 60).returncode == 0
    # A cold start builds the binaries first (scripts/test.sh has built them already).
    started = _cluster("start", 3600)
    if started.returncode != 0 or not started.stdout.strip():
        pytest.fail(
            "the local cluster did not start (scripts/cluster.sh start):\n"
            + (started.stderr[-4000:] or started.stdout[-4000:])
        )
    path = Path(started.stdout.strip().splitlines()[-1])
    assert path.is_file(), f"scripts/cluster.sh start printed {path}, which is no file"
    yield path
    if not was_running:
        _cluster("stop", 120)


@pytest.fixture(scope="session")
def kube(kubeconfig: Path) -> Iterator[client.ApiClient]:
    """A Kubernetes client of the live cluster."""
    with config.new_client_from_config(config_file=str(kubeconfig)) as api:
        yield api


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    """A local control plane of the test's own, seeded (agent-alpha, agent-beta)."""
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


@pytest.fixture
def live(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    controlplane: str,
    kubeconfig: Path,
    kube: client.ApiClient,
) -> Iterator[LiveStack]:
    """The dev stack in a namespace of this test's own, with the database guarded (the
    production default) unless the test is marked `live_config(...)` with other config."""
    marker = request.node.get_closest_marker("live_config")
    extra = marker.kwargs if marker else {}
    config_ = {"dataplane:postgres": {"deletionProtection": True}, **extra}
    role = request.node.name.removeprefix("test_").replace("_", "-")[:20].rstrip("-")
    stack = LiveStack.create(
        tmp_path / "project", controlplane, kubeconfig, kube, role, config=config_
    )
    with namespace_removed_after(kube, stack.namespace):
        yield stack
