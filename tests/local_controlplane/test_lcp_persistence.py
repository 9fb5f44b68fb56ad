"""State on disk: survives restarts, written atomically; the documented command starts it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from local_controlplane import seed
from local_controlplane.revision_lifecycle import Behaviour
from local_controlplane.state import Store
from local_controlplane.testing import AdminClient, run_server

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"X-Api-Key": seed.DEFAULT_API_KEY}


def _create_body(name: str) -> dict[str, object]:
    return {
        "name": name,
        "source": "external_docker",
        "source_config": {
            "listener_id": seed.DEV_LISTENER_ID,
            "listener_config": {"k8s_namespace": seed.DEV_NAMESPACE},
        },
        "source_revision_config": {"image_uri": "docker.io/acme/agent:1.0.0"},
        "secrets": [],
    }


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "controlplane" / "state.json"
    with run_server(state) as url:
        assert state.exists()  # seeded and written on first start
        created = httpx.post(
            f"{url}/v2/deployments", json=_create_body("agent-kept"), headers=HEADERS
        )
        assert created.status_code == 201
        dep_id = created.json()["id"]
        httpx.delete(f"{url}/v2/deployments/{seed.GAMMA_ID}", headers=HEADERS)
        listener = httpx.post(
            f"{url}/v2/listeners",
            json={"compute_type": "k8s", "compute_id": "kept", "compute_config": {}},
            headers=HEADERS,
        ).json()

    on_disk = json.loads(state.read_text())
    assert dep_id in on_disk["deployments"]
    assert [p.name for p in state.parent.iterdir()] == ["state.json"]  # no temp files left

    with run_server(state) as url:  # another port, same file
        names = {
            d["name"]
            for d in httpx.get(f"{url}/v2/deployments", headers=HEADERS).json()["resources"]
        }
        assert names == {"agent-alpha", "agent-beta", "agent-kept"}  # not re-seeded
        kept = httpx.get(f"{url}/v2/deployments/{dep_id}", headers=HEADERS).json()
        assert kept["active_revision_id"] == kept["latest_revision_id"]
        assert httpx.get(f"{url}/v2/listeners/{listener['id']}", headers=HEADERS).is_success


def test_pending_revisions_progress_across_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with run_server(state, behaviour=Behaviour(revision_delays={"CREATING": 0.5})) as url:
        dep = httpx.post(
            f"{url}/v2/deployments", json=_create_body("agent-pending"), headers=HEADERS
        ).json()
        assert dep["active_revision_id"] is None
    time.sleep(0.6)
    with run_server(state) as url:
        dep = httpx.get(f"{url}/v2/deployments/{dep['id']}", headers=HEADERS).json()
        assert dep["active_revision_id"] == dep["latest_revision_id"]


def test_admin_reset_is_persisted(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with run_server(state) as url, AdminClient(url) as admin:
        admin.reset(seed=False)
    assert json.loads(state.read_text())["deployments"] == {}
    with run_server(state) as url:
        assert httpx.get(f"{url}/v2/deployments", headers=HEADERS).json()["resources"] == []


def test_corrupt_state_fails_clearly(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with pytest.raises(RuntimeError, match="delete the file"):
        Store(state)
    assert state.read_text() == "{not json"  # never overwritten


def test_store_is_thread_safe(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.json")
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(10):
                store.create_listener(
                    seed.DEFAULT_TENANT_ID,
                    {"compute_type": "k8s", "compute_id": f"c-{i}-{j}", "compute_config": {}},
                )
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(Store(tmp_path / "state.json").dump()["listeners"]) == 2 + 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def documented_command(
    tmp_path: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """`python -m local_controlplane` with `options`, on a free port: (its root URL, state).
    Ready once `/_admin/health` (under the path prefix, if any) answers."""
    port = _free_port()
    state = tmp_path / ".work" / "controlplane" / "state.json"
    root = f"http://127.0.0.1:{port}"
    prefix = (
        options[options.index("--path-prefix") + 1].strip("/") if "--path-prefix" in options else ""
    )
    health = f"{root}/{prefix}/_admin/health" if prefix else f"{root}/_admin/health"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_controlplane",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--state",
            str(state),
            "--log-level",
            "warning",
            *options,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(health).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield root, state
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()


def test_documented_command_starts_the_server(tmp_path: Path) -> None:
    env = {"LOCAL_CONTROLPLANE_API_KEY": "lsv2_from_env_key"}
    with documented_command(tmp_path, env=env) as (url, state):
        listed = httpx.get(f"{url}/v2/deployments", headers={"X-Api-Key": "lsv2_from_env_key"})
        assert listed.status_code == 200 and len(listed.json()["resources"]) == 3
        assert httpx.get(f"{url}/v2/deployments", headers=HEADERS).status_code == 401
        assert state.exists()


def test_documented_command_serves_under_a_path_prefix(tmp_path: Path) -> None:
    # Written as people write it: no leading slash, a trailing one.
    with documented_command(tmp_path, "--path-prefix", "api-host/") as (url, _):
        listed = httpx.get(f"{url}/api-host/v2/deployments", headers=HEADERS)
        assert listed.status_code == 200 and len(listed.json()["resources"]) == 3
        root = httpx.get(f"{url}/v2/deployments", headers=HEADERS)
        assert (root.status_code, root.text) == (404, "404 page not found")
