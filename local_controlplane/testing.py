"""Helpers to run the local control plane inside tests.

::

    from local_controlplane.testing import AdminClient, run_server

    with run_server() as base_url:            # in-memory state, ephemeral port
        admin = AdminClient(base_url)
        admin.add_fault("status", status=503, times=1)
        ...

``run_server`` runs uvicorn in a background thread on a socket it binds itself (port 0
picks a free port), waits until the server accepts requests, and stops it cleanly on exit.
For a session-wide server use :class:`LocalServer` directly (``start()``/``stop()``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from .app import create_app
from .auth import ApiKey
from .faults import Instrumented
from .revision_lifecycle import Behaviour
from .seed import DEFAULT_API_KEY


class LocalServer:
    """A local control plane served by uvicorn in a daemon thread."""

    def __init__(
        self,
        state_path: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: list[ApiKey] | None = None,
        seed_if_new: bool = True,
        behaviour: Behaviour | None = None,
        log_level: str = "warning",
        path_prefix: str = "",
    ) -> None:
        self.host = host
        self.requested_port = port
        self.app: Instrumented = create_app(
            state_path,
            api_keys=api_keys,
            seed_if_new=seed_if_new,
            behaviour=behaviour,
            path_prefix=path_prefix,
        )
        self.config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            http="h11",
            ws="none",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """Root of the API (including the path prefix, if any)."""
        return f"http://{self.host}:{self.port}{self.app.path_prefix}"

    @property
    def context(self) -> Any:
        return self.app.context

    def start(self, timeout: float = 10.0) -> str:
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto is TCP, and without it every response stalls ~40 ms (Nagle + delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.requested_port))
        sock.set_inheritable(True)
        self._socket = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [sock]},
            name=f"local-controlplane:{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("local control plane failed to start (see log above)")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"local control plane did not start within {timeout}s")
            time.sleep(0.01)
        return self.base_url

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.server.force_exit = True
                self._thread.join(timeout)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def run_server(
    state_path: Path | str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_keys: list[ApiKey] | None = None,
    seed_if_new: bool = True,
    behaviour: Behaviour | None = None,
    log_level: str = "warning",
    path_prefix: str = "",
) -> Iterator[str]:
    """Run a local control plane for the duration of a ``with`` block; yield its base URL
    (which ends with ``path_prefix`` when one is given)."""
    server = LocalServer(
        state_path,
        host=host,
        port=port,
        api_keys=api_keys,
        seed_if_new=seed_if_new,
        behaviour=behaviour,
        log_level=log_level,
        path_prefix=path_prefix,
    )
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


class AdminClient:
    """Thin wrapper of the ``/_admin`` API (local only, no API key needed)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url + "/_admin", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self._http.request(method, path, json=json)
        response.raise_for_status()
        return response.json() if response.content else None

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")  # type: ignore[no-any-return]

    def reset(self, *, seed: bool = True) -> dict[str, Any]:
        return self._call("POST", "/reset", {"seed": seed})  # type: ignore[no-any-return]

    def seed(self, deployments: int, **options: Any) -> list[str]:
        result = self._call("POST", "/seed", {"deployments": deployments, **options})
        return list(result["created"])

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/state")  # type: ignore[no-any-return]

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")  # type: ignore[no-any-return]

    def reset_stats(self) -> dict[str, Any]:
        return self._call("POST", "/stats/reset")  # type: ignore[no-any-return]

    def add_fault(self, kind: str, **options: Any) -> dict[str, Any]:
        """``kind``: latency | status | drop | malformed | trickle; options: path_prefix,
        methods, times, status, retry_after, latency, body, interval, chunk."""
        return self._call("POST", "/faults", {"kind": kind, **options})  # type: ignore[no-any-return]

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")  # type: ignore[no-any-return]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def set_behaviour(self, **options: Any) -> dict[str, Any]:
        """Options: status_delay, revision_delays, revision_outcome, delete_delay."""
        return self._call("PUT", "/behaviour", options)  # type: ignore[no-any-return]

    def set_revision_status(
        self, deployment_id: str, revision_id: str, status: str
    ) -> dict[str, Any]:
        path = f"/deployments/{deployment_id}/revisions/{revision_id}/status"
        return self._call("PUT", path, {"status": status})  # type: ignore[no-any-return]

    def patch_raw_deployment(self, deployment_id: str, **fields: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/deployments/{deployment_id}", fields)  # type: ignore[no-any-return]

    def patch_raw_revision(
        self, deployment_id: str, revision_id: str, **fields: Any
    ) -> dict[str, Any]:
        path = f"/deployments/{deployment_id}/revisions/{revision_id}"
        return self._call("PATCH", path, fields)  # type: ignore[no-any-return]

    def patch_raw_listener(self, listener_id: str, **fields: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/listeners/{listener_id}", fields)  # type: ignore[no-any-return]

    def set_api_keys(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._call("PUT", "/api-keys", keys)  # type: ignore[no-any-return]


@contextmanager
def fresh_admin(base_url: str) -> Iterator[AdminClient]:
    """The admin API of the server at `base_url` for one test: state, faults and stats reset
    before it, faults cleared after it."""
    with AdminClient(base_url) as admin:
        admin.reset()
        yield admin
        admin.clear_faults()


__all__ = ["DEFAULT_API_KEY", "AdminClient", "LocalServer", "fresh_admin", "run_server"]
