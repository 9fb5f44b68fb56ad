"""Real PostgreSQL and Redis servers on loopback, started for the preflight tests (fixtures
in conftest.py).

PostgreSQL comes with this kind of machine (Debian's postgresql-15, with its contrib
modules); Redis is Debian's redis-server. Both run from a temporary folder on a free port
and stop with the test session. PostgreSQL refuses to run as root: it runs as the
`postgres` user the package made.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "preflight-pw-7d1c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


def tool(name: str, *candidates: str) -> str:
    found = shutil.which(name) or next((c for c in candidates if Path(c).exists()), None)
    if found is None:
        pytest.fail(f"{name} is not installed: apt-get install postgresql redis-server")
    return found


@dataclass
class Server:
    port: int
    password: str = PASSWORD


@contextmanager
def serve(command: list[str], port: int) -> Iterator[Server]:
    """Run a server until the block ends; it must listen on `port` within 20 s."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield Server(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    initdb = tool("initdb", "/usr/lib/postgresql/15/bin/initdb")
    postgres = tool("postgres", "/usr/lib/postgresql/15/bin/postgres")
    # Not under pytest's folders: they are root's alone, and postgres runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="preflight-pg-"))
    root.chmod(0o777)
    (root / "pw").write_text(PASSWORD)
    run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, initdb, "-D", str(root / "data"), "-U", "postgres",
         "--auth=scram-sha-256", f"--pwfile={root / 'pw'}"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    command = [*run_as, postgres, "-D", str(root / "data"), "-p", str(port), "-k", str(root),
               "-c", "listen_addresses=127.0.0.1"]  # fmt: skip
    try:
        with serve(command, port) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = tool("redis-server")
    root = tmp_path_factory.mktemp("redis")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", PASSWORD,
               "--save", "", "--appendonly", "no", "--dir", str(root)]  # fmt: skip
    with serve(command, port) as server:
        yield server
