"""Bad input and a slow control plane through the real CLI and the language host.

A control plane that trickles its answers a byte at a time makes `pulumi preview` fail within
the call's deadline with the documented `unavailable` message, and a malformed stack value
fails it with the config error: neither prints a Python traceback or a secret.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import AdminClient, run_server
from tests.integration.dataplane_project import DataplaneProject

pytestmark = pytest.mark.integration

DEADLINE = 4


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


def failed_preview(project: DataplaneProject) -> tuple[str, float]:
    """The error of a preview of the copy's own program (language host), and how long it took."""
    stack = project.stack()
    started = time.monotonic()
    with pytest.raises(auto.CommandError) as info:
        stack.preview(on_output=project.record, color="never")
    return str(info.value), time.monotonic() - started


def test_a_trickling_control_plane_fails_the_preview_within_the_deadline(
    tmp_path: Path, controlplane: str
) -> None:
    control_plane = {
        "url": controlplane,
        "listenerComputeId": "dev-cluster",
        "timeoutSeconds": 10,
        "deadlineSeconds": DEADLINE,
    }
    project = DataplaneProject.create(
        tmp_path / "project", controlplane, config={"dataplane:controlPlane": control_plane}
    )
    # What the engine and the program take before the first request: a preview that fails
    # on its config does everything up to there.
    broken = DataplaneProject.create(
        tmp_path / "broken",
        controlplane,
        config={"dataplane:controlPlane": {**control_plane, "url": "http://[::1"}},
    )
    config_error, baseline = failed_preview(broken)
    assert "dataplane:controlPlane.url: is not a valid URL" in config_error, config_error[-2000:]
    assert "Fix:" in config_error and "Traceback" not in config_error

    with AdminClient(controlplane) as admin:
        # One byte every 0.2 s: each read succeeds well within `timeoutSeconds`, and the
        # listener list alone would take minutes.
        admin.add_fault("trickle", interval=0.2, chunk=1)
        message, took = failed_preview(project)
        assert admin.stats()["faults_fired"] >= 1
    assert "unavailable after" in message, message[-2000:]
    assert f"no time left within the call's deadline of {DEADLINE}s" in message
    assert "dataplane:controlPlane.deadlineSeconds" in message
    assert "Traceback" not in message
    output = "\n".join(project.output) + "\n".join(broken.output)
    assert "Traceback" not in output and DEFAULT_API_KEY not in output + message
    print(f"trickled preview failed after {took:.1f}s; a config error after {baseline:.1f}s")
    # Within the deadline, past what the engine needs anyway (with slack for a busy machine).
    assert took - baseline < DEADLINE + 10, (took, baseline)
    assert took >= DEADLINE, (took, baseline)
