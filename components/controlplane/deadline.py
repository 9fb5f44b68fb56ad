"""Total deadlines for control-plane calls: every socket wait of a call ends by its deadline.

httpx's timeouts apply to each connect, read and write, so a server (or proxy) that trickles
its answer a byte at a time holds a request for as long as it likes. Here, every wait of the
socket (connect, TLS handshake, each read and write) is cut to the time left before the
deadline of the call in progress, so a call ends on time however slowly the bytes come.

The deadline in force is a context variable (each thread has its own), set by the client
around one call: a connection from the shared pool obeys the deadline of the call using it.
`time_limit` sets an outer deadline for several calls (the whole discovery); a call ends at
the earlier of its own deadline and the outer one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx


@dataclass(frozen=True)
class Deadline:
    """A point in time (`time.monotonic()`) that a call or a group of calls must end by."""

    ends_at: float
    seconds: float
    """The length it was set with."""
    what: str
    """What it bounds, in a person's words: `call`, `discovery`."""
    setting: str
    """The stack setting that sets it."""

    @classmethod
    def after(cls, seconds: float, what: str, setting: str) -> Deadline:
        return cls(time.monotonic() + seconds, seconds, what, setting)

    def remaining(self) -> float:
        return self.ends_at - time.monotonic()

    def describe(self) -> str:
        limit = f"{self.seconds:g}s (`{self.setting}`)"
        return f"no time left within the {self.what}'s deadline of {limit}"

    def too_short_for(self, asked: float, waits: float) -> str:
        """Why a call stops at once when the server asks for a wait (`Retry-After`) that
        would end past this deadline: `asked` is what the server asked, `waits` what the
        client would wait (`asked`, capped)."""
        left = max(0.0, self.remaining())
        capped = f" (the client waits at most {_seconds(waits)}s)" if waits < asked else ""
        asked_for = _seconds(asked)
        return (
            f"the control plane asked to wait {asked_for}s before trying again (`Retry-After`)"
            f"{capped}, longer than the {left:.1f}s left of the {self.what}'s deadline of "
            f"{self.seconds:g}s (`{self.setting}`)"
        )

    def advice_for_wait(self, waits: float) -> str:
        """What to do about a wait longer than this deadline allows."""
        return (
            f"Try again later, or raise `{self.setting}` above {_seconds(waits)}s for calls "
            "to wait as long as the control plane asks."
        )


def _seconds(value: float) -> str:
    """Seconds for a person: 30, 0.5, 1234.5 (a held wait is 29.9996s by the time it shows)."""
    return f"{round(value, 1):g}"


# The deadline the sockets obey now, and an outer one set by `time_limit`.
_socket_deadline: ContextVar[float | None] = ContextVar("socket_deadline", default=None)
_outer: ContextVar[Deadline | None] = ContextVar("outer_deadline", default=None)


@contextmanager
def time_limit(seconds: float, what: str, setting: str) -> Iterator[Deadline]:
    """Every call in the block ends by `seconds` from now (or by its own, earlier deadline)."""
    limit = Deadline.after(seconds, what, setting)
    outer = _outer.get()
    if outer is not None and outer.ends_at < limit.ends_at:
        limit = outer
    token = _outer.set(limit)
    try:
        yield limit
    finally:
        _outer.reset(token)


def binding(own: Deadline) -> Deadline:
    """The deadline a call obeys: its own, or the outer one when that ends first."""
    outer = _outer.get()
    return outer if outer is not None and outer.ends_at < own.ends_at else own


@contextmanager
def sockets_obey(deadline: Deadline) -> Iterator[None]:
    """Every socket wait in the block ends by `deadline`."""
    token = _socket_deadline.set(deadline.ends_at)
    try:
        yield
    finally:
        _socket_deadline.reset(token)


def _cut(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to the time left before the deadline in force; `error` once it passed."""
    ends_at = _socket_deadline.get()
    if ends_at is None:
        return timeout
    left = ends_at - time.monotonic()
    if left <= 0:
        raise error("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every wait ends by the deadline in force."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cut(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _cut(timeout, httpcore.ConnectTimeout)
        )
        return _Stream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.SyncBackend):
    """httpcore's socket backend, with every wait cut to the deadline in force."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(
            host, port, _cut(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _Stream(stream)


def enforce_deadlines(client: httpx.Client) -> None:
    """Make every connection `client` opens obey the deadline in force.

    httpx has no setting for the socket backend, so this reaches into httpx's transports
    (`_transport`, `_mounts`, each one's `_pool`): the direct transport and the ones for
    proxies taken from the environment. A custom transport (tests) is left as it is. A test
    against a server that trickles its body (tests/controlplane) fails if this stops working.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = (
            getattr(transport, "_pool", None)
            if isinstance(transport, httpx.HTTPTransport)
            else None
        )
        if pool is None:
            continue
        if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
            raise RuntimeError(
                "httpcore's connection pool changed: control-plane deadlines need updating"
            )
        pool._network_backend = DeadlineBackend()
