"""Fault injection and request statistics, as an ASGI wrapper around the API app.

Rules are matched in order against each API request (``/_admin`` is never affected):

* ``latency``: sleep ``latency`` seconds, then go on (later rules and the real handler);
  with ``phase="response"`` the handler runs first and its answer is held back instead
  (the server applied the request, the client may time out waiting: the case where a
  POST must not be retried);
* ``status``: answer ``status`` (e.g. 429, 500, 502, 503, 504) with a FastAPI-shaped body,
  plus ``Retry-After`` when ``retry_after`` is set;
* ``drop``: close the TCP connection without sending any response (the client sees
  "Server disconnected without sending a response" / a read error);
* ``malformed``: answer 200 ``application/json`` with a body that is not valid JSON;
* ``trickle``: the real handler answers, and its body is sent ``chunk`` bytes at a time, one
  chunk every ``interval`` seconds (a slow server or proxy: each read gets a few bytes in
  time, so per-read timeouts never fire).

A rule applies to paths starting with ``path_prefix``, optionally only to ``methods``, and
``times`` times (``None``: until removed). ``latency`` also delays the other kinds.

Dropping a connection: uvicorn gives the app no handle on the socket, but its ``receive``
callable is a bound method of the request cycle that holds the asyncio transport. The
wrapper aborts that transport and then waits for uvicorn to register the disconnect, so
uvicorn does not try to send its own 500 answer. If the transport cannot be found (another
server), the fallback announces a body and closes the connection half-way, which clients
also see as a protocol error.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FaultKind = Literal["latency", "status", "drop", "malformed", "trickle"]

ADMIN_PREFIX = "/_admin"
DEFAULT_MALFORMED_BODY = '{"resources": [{"id": "3f1c0c9e-truncated'

Scope = dict[str, Any]
Message = dict[str, Any]


@dataclass
class FaultRule:
    kind: FaultKind
    path_prefix: str = "/v2/"
    methods: list[str] | None = None
    times: int | None = None
    status: int = 503
    retry_after: str | None = None
    latency: float = 0.0
    phase: Literal["request", "response"] = "request"
    body: str | None = None
    interval: float = 0.1
    chunk: int = 1
    id: int = 0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if not path.startswith(self.path_prefix):
            return False
        return self.methods is None or method.upper() in {m.upper() for m in self.methods}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultSet:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            rule.id = next(self._ids)
            rule.hits = 0
            self._rules.append(rule)
            return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.as_dict() for r in self._rules]

    def take(self, method: str, path: str) -> list[FaultRule]:
        """The rules that fire for this request (latency rules, then at most one other)."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                rule.hits += 1
                fired.append(rule)
                if rule.kind != "latency":
                    break
        return fired


_ID_AFTER = {"deployments": "{deployment_id}", "revisions": "{revision_id}"}
_ID_AFTER["listeners"] = "{listener_id}"
_SEGMENT = re.compile(r"[^/]+")


def route_of(path: str) -> str:
    """``/v2/deployments/<uuid>/revisions`` -> ``/v2/deployments/{deployment_id}/revisions``."""
    parts = path.split("/")
    out: list[str] = []
    for i, part in enumerate(parts):
        prev = parts[i - 1] if i > 0 else ""
        if prev in _ID_AFTER and _SEGMENT.fullmatch(part) and part not in ("redeploy",):
            out.append(_ID_AFTER[prev])
        else:
            out.append(part)
    return "/".join(out)


class RequestStats:
    """Counts of API requests (not ``/_admin``), distinct client connections, and requests
    outside the path prefix."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._by_method: Counter[str] = Counter()
            self._by_route: Counter[str] = Counter()
            self._by_path: Counter[str] = Counter()
            self._clients: set[str] = set()
            self._faults = 0
            self._outside = 0

    def record(self, method: str, path: str, client: tuple[str, int] | None) -> None:
        with self._lock:
            self._total += 1
            self._by_method[method] += 1
            self._by_route[f"{method} {route_of(path)}"] += 1
            self._by_path[f"{method} {path}"] += 1
            if client is not None:
                self._clients.add(f"{client[0]}:{client[1]}")

    def fault_fired(self) -> None:
        with self._lock:
            self._faults += 1

    def outside_prefix(self) -> None:
        """A request outside the path prefix (answered 404, as by a proxy)."""
        with self._lock:
            self._outside += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "by_method": dict(self._by_method),
                "by_route": dict(self._by_route),
                "by_path": dict(self._by_path),
                "connections": len(self._clients),
                "clients": sorted(self._clients),
                "faults_fired": self._faults,
                "outside_prefix": self._outside,
            }


@dataclass
class Instrumented:
    """ASGI wrapper: records stats, then applies faults, then calls the real app."""

    app: Any
    faults: FaultSet = field(default_factory=FaultSet)
    stats: RequestStats = field(default_factory=RequestStats)
    context: Any = None  # the app's ServerContext (store, keys, faults, stats)
    # Serve everything under this prefix, like a self-hosted LangSmith's "/api-host".
    path_prefix: str = ""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if self.path_prefix:
            if path != self.path_prefix and not path.startswith(self.path_prefix + "/"):
                # What a reverse proxy in front of the API would say: not JSON.
                self.stats.outside_prefix()
                await _send_raw(send, 404, b"404 page not found", content_type=b"text/plain")
                return
            # The prefix is the app's root path (ASGI): the routes match what follows it once
            # (a prefix written twice is not found), and /docs asks for the prefixed schema.
            scope = {**scope, "root_path": scope.get("root_path", "") + self.path_prefix}
            path = path[len(self.path_prefix) :] or "/"
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        client = scope.get("client")
        self.stats.record(method, path, tuple(client) if client else None)
        response_delay = 0.0
        for rule in self.faults.take(method, path):
            self.stats.fault_fired()
            if rule.kind == "latency" and rule.phase == "response":
                response_delay += rule.latency
                continue
            if rule.latency > 0:
                await asyncio.sleep(rule.latency)
            if rule.kind == "status":
                await _send_status(send, rule)
                return
            if rule.kind == "malformed":
                await _send_raw(send, 200, (rule.body or DEFAULT_MALFORMED_BODY).encode())
                return
            if rule.kind == "drop":
                await drop_connection(receive, send)
                return
            if rule.kind == "trickle":
                send = _trickled(send, receive, rule.interval, rule.chunk)
        if response_delay > 0:
            send = _delayed(send, response_delay)
        await self.app(scope, receive, send)


def _trickled(send: Any, receive: Any, interval: float, chunk: int) -> Any:
    """`send`, with each response body sent `chunk` bytes every `interval` seconds."""
    cycle = getattr(receive, "__self__", None)  # uvicorn's request cycle, as in drop_connection

    async def trickled_send(message: Message) -> None:
        if message["type"] != "http.response.body" or not message.get("body"):
            await send(message)
            return
        body: bytes = message["body"]
        more = bool(message.get("more_body", False))
        for start in range(0, len(body), chunk):
            await asyncio.sleep(interval)
            if getattr(cycle, "disconnected", False):
                return  # the client gave up: stop sending
            last = start + chunk >= len(body)
            piece = body[start : start + chunk]
            await send({"type": "http.response.body", "body": piece, "more_body": more or not last})

    return trickled_send


def _delayed(send: Any, seconds: float) -> Any:
    async def delayed_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(seconds)
        await send(message)

    return delayed_send


async def _send_raw(
    send: Any,
    status: int,
    body: bytes,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
    *,
    content_type: bytes = b"application/json",
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *(extra_headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_status(send: Any, rule: FaultRule) -> None:
    if rule.body is not None:
        body = rule.body.encode()
    else:
        body = json.dumps({"detail": f"Injected fault: HTTP {rule.status}."}).encode()
    extra = []
    if rule.retry_after is not None:
        extra.append((b"retry-after", str(rule.retry_after).encode()))
    await _send_raw(send, rule.status, body, extra)


async def drop_connection(receive: Any, send: Any) -> None:
    """Close the client's TCP connection without sending a response."""
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        # Fallback: promise a body, send part of it, and let the server close the socket.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
            }
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        return
    transport.abort()
    # Wait until uvicorn has seen the connection go, so that it does not answer 500 itself.
    try:
        async with asyncio.timeout(2.0):
            while True:
                message = await receive()
                if message.get("type") == "http.disconnect":
                    break
    except TimeoutError:
        pass
