"""Retries against injected faults: what is retried, how often, and how long it waits."""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from components.controlplane import (
    ControlPlaneClient,
    RetryPolicy,
    UnavailableError,
    parse_retry_after,
)
from local_controlplane import seed
from local_controlplane.testing import AdminClient

MakeClient = Callable[..., ControlPlaneClient]


def _listener_count(admin: AdminClient) -> int:
    return len(admin.state()["listeners"])


def test_429_retry_after_is_honoured(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.add_fault("status", status=429, retry_after="1", times=1)
    started = time.monotonic()
    assert len(client.list_deployments()) == 3
    waited = time.monotonic() - started
    assert waited >= 0.95  # backoff alone would be <= 0.05 s
    assert waited < 5
    assert client.request_count == 2
    assert admin.stats()["total"] == 2


def test_retry_after_is_capped(make_client: MakeClient, admin: AdminClient) -> None:
    client = make_client(retry_after_max=0.2)
    admin.add_fault("status", status=503, retry_after="3600", times=1)
    started = time.monotonic()
    client.get_deployment(seed.ALPHA_ID)
    assert time.monotonic() - started < 2
    assert client.request_count == 2


def test_503_then_success(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.add_fault("status", status=503, times=2)
    assert client.get_listener(seed.DEV_LISTENER_ID).compute_id == "dev-cluster"
    assert client.request_count == 3
    assert admin.stats()["total"] == 3


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_retried_for_get(
    client: ControlPlaneClient, admin: AdminClient, status: int
) -> None:
    admin.add_fault("status", status=status, times=1)
    assert client.list_listeners()
    assert client.request_count == 2


def test_dropped_connection_is_retried_for_get(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.add_fault("drop", times=1)
    assert client.get_deployment(seed.BETA_ID).name == "agent-beta"
    assert client.request_count == 2
    stats = admin.stats()
    assert stats["total"] == 2 and stats["faults_fired"] == 1


def test_dropped_connection_is_retried_for_delete(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.add_fault("drop", times=1, methods=["DELETE"])
    client.delete_deployment(seed.GAMMA_ID)
    assert admin.stats()["by_method"] == {"DELETE": 2}


def test_retries_exhausted(make_client: MakeClient, admin: AdminClient) -> None:
    client = make_client(max_attempts=3)
    admin.add_fault("status", status=503)
    with pytest.raises(UnavailableError) as info:
        client.list_deployments()
    err = info.value
    assert err.attempts == 3
    assert err.status_code == 503
    assert not err.may_have_reached_server
    assert f"control plane at {client.base_url} unavailable after 3 tries: HTTP 503" in str(err)
    assert client.request_count == 3
    assert admin.stats()["total"] == 3


def test_post_not_retried_after_dropped_connection(
    client: ControlPlaneClient, admin: AdminClient
) -> None:
    admin.add_fault("drop", methods=["POST"], times=1)
    with pytest.raises(UnavailableError) as info:
        client.create_listener("edge-cluster", ["agents"])
    err = info.value
    assert err.attempts == 1
    assert err.may_have_reached_server
    # A dropped connection reads as a close or, when the socket is reset first, a reset.
    assert err.last_cause.startswith(("RemoteProtocolError", "ReadError")), err.last_cause
    assert "not retried" in str(err)
    assert admin.stats()["by_method"] == {"POST": 1}
    assert client.request_count == 1


@pytest.mark.parametrize("status", [502, 504])
def test_post_and_patch_not_retried_on_gateway_errors(
    client: ControlPlaneClient, admin: AdminClient, status: int
) -> None:
    admin.add_fault("status", status=status, times=1)
    with pytest.raises(UnavailableError) as info:
        client.create_listener("edge-cluster", ["agents"])
    assert info.value.attempts == 1 and info.value.may_have_reached_server
    admin.add_fault("status", status=status, times=1)
    with pytest.raises(UnavailableError):
        client.patch_listener(seed.DEV_LISTENER_ID, version="0.17.0")
    assert admin.stats()["by_method"] == {"POST": 1, "PATCH": 1}


@pytest.mark.parametrize("status", [429, 503])
def test_post_retried_on_429_and_503(
    client: ControlPlaneClient, admin: AdminClient, status: int
) -> None:
    before = _listener_count(admin)
    admin.add_fault("status", status=status, times=1, retry_after="0")
    listener = client.create_listener("edge-cluster", ["agents"])
    assert listener.compute_id == "edge-cluster"
    assert admin.stats()["by_method"] == {"POST": 2}
    assert _listener_count(admin) == before + 1  # created once


def test_post_not_retried_after_read_timeout(make_client: MakeClient, admin: AdminClient) -> None:
    client = make_client(timeout=0.3)
    # The handler runs, then the answer is held back past the client's read timeout.
    admin.add_fault("latency", latency=1.0, phase="response", methods=["POST"], times=1)
    before = _listener_count(admin)
    with pytest.raises(UnavailableError) as info:
        client.create_listener("slow-cluster", ["agents"])
    assert "ReadTimeout" in info.value.last_cause
    assert info.value.may_have_reached_server
    assert client.request_count == 1
    # The server applied it: exactly why a POST is not retried after a read timeout.
    assert _listener_count(admin) == before + 1


def test_get_retried_after_read_timeout(make_client: MakeClient, admin: AdminClient) -> None:
    client = make_client(timeout=0.3)
    admin.add_fault("latency", latency=1.0, times=1)
    assert client.get_listener(seed.DEV_LISTENER_ID)
    assert client.request_count == 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connect_errors_are_retried_even_for_post(make_client: MakeClient) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    client = make_client(base_url=url, max_attempts=3)
    with pytest.raises(UnavailableError) as info:
        client.create_listener("nowhere", ["x"])
    err = info.value
    assert err.attempts == 3 and client.request_count == 3
    assert "ConnectError" in err.last_cause
    assert not err.may_have_reached_server
    assert err.status_code is None
    assert str(err).startswith(f"control plane at {url} unavailable after 3 tries: ConnectError")


def test_latency_fault_only_delays(client: ControlPlaneClient, admin: AdminClient) -> None:
    admin.add_fault("latency", latency=0.3, times=1)
    started = time.monotonic()
    client.list_listeners()
    assert time.monotonic() - started >= 0.3
    assert client.request_count == 1


# -- policy unit tests ---------------------------------------------------------------------


def test_parse_retry_after() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    future = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(future, now=now) == pytest.approx(30.0)
    past = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


def test_backoff_is_bounded_and_jittered() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=8.0, retry_after_max=10.0)
    for attempt in range(1, 20):
        delay = policy.backoff(attempt)
        cap = min(8.0, 0.5 * 2 ** (attempt - 1))
        assert cap / 2 <= delay <= cap
    assert policy.delay(1, "120") == 10.0  # Retry-After capped
    assert policy.delay(1, "3") == 3.0
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_retry_rule_by_method() -> None:
    policy = RetryPolicy()
    request = httpx.Request("GET", "http://x")
    dropped = httpx.RemoteProtocolError("gone", request=request)
    refused = httpx.ConnectError("refused", request=request)
    for method in ("GET", "PUT", "DELETE", "HEAD"):
        assert policy.retry_exception(method, dropped)
        assert all(policy.retry_status(method, s) for s in (429, 502, 503, 504))
    for method in ("POST", "PATCH"):
        assert not policy.retry_exception(method, dropped)
        assert not policy.retry_exception(method, httpx.ReadTimeout("t", request=request))
        assert policy.retry_exception(method, refused)
        assert policy.retry_status(method, 429) and policy.retry_status(method, 503)
        assert not policy.retry_status(method, 502) and not policy.retry_status(method, 504)
    assert not policy.retry_status("GET", 500)


class _CountingRandom(random.Random):
    draws = 0

    def uniform(self, a: float, b: float) -> float:
        self.draws += 1
        return super().uniform(a, b)


def test_the_loop_retries_by_the_rule_and_returns_the_last_outcome() -> None:
    # tenacity runs the loop; the rule decides. No real sleeping: backoff 0.
    rng = _CountingRandom(7)
    policy = RetryPolicy(max_attempts=4, backoff_base=0.0, backoff_max=0.0, rng=rng)
    request = httpx.Request("POST", "http://x")
    busy = httpx.Response(503, request=request)
    hinted = httpx.Response(429, headers={"Retry-After": "0"}, request=request)
    done = httpx.Response(201, request=request)
    retries: list[tuple[int, float]] = []

    def run(method: str, outcomes: list[httpx.Response | httpx.TransportError]) -> object:
        retries.clear()
        answers = iter(outcomes)
        return policy.run(method, lambda: next(answers), lambda o, d, n: retries.append((n, d)))

    assert run("POST", [busy, hinted, done]) is done
    assert [n for n, _ in retries] == [1, 2]
    assert rng.draws == 1  # a jitter for the backoff, none where Retry-After says
    # Attempts run out: the last outcome comes back, and no jitter is drawn after it.
    rng.draws = 0
    assert run("GET", [busy, busy, busy, busy, done]) is busy
    assert [n for n, _ in retries] == [1, 2, 3] and rng.draws == 3
    # Not to be retried: a POST that may have reached the server, or a 502 for a POST.
    dropped = httpx.RemoteProtocolError("gone", request=request)
    assert run("POST", [dropped, done]) is dropped and retries == []
    bad_gateway = httpx.Response(502, request=request)
    assert run("POST", [bad_gateway, done]) is bad_gateway and retries == []
