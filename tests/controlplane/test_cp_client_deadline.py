"""The total deadline of a control-plane call, against a real server that trickles, hangs or
asks to wait: every retry, backoff, `Retry-After` and slow body counts against it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from components.controlplane import ControlPlaneClient, UnavailableError
from components.controlplane.client import DEFAULT_DEADLINE_SECONDS
from local_controlplane.testing import AdminClient

MakeClient = Callable[..., ControlPlaneClient]
# Slack for scheduling on a busy machine: a call may end this much after its deadline.
SLACK = 0.6


def failure(call: Callable[[], object]) -> tuple[UnavailableError, float]:
    started = time.monotonic()
    with pytest.raises(UnavailableError) as info:
        call()
    return info.value, time.monotonic() - started


def test_the_default_deadline_is_a_minute() -> None:
    assert DEFAULT_DEADLINE_SECONDS == 60.0
    assert ControlPlaneClient("k", base_url="http://127.0.0.1:9").deadline == 60.0


def test_a_trickling_body_ends_at_the_deadline(make_client: MakeClient, admin: AdminClient) -> None:
    # One byte every 50 ms: each read gets data long before the 5 s timeout, so only a total
    # deadline ends it (the listener list is hundreds of bytes: many seconds in all).
    admin.add_fault("trickle", interval=0.05, chunk=1)
    client = make_client(timeout=5.0, deadline=1.5)
    error, took = failure(client.list_listeners)
    assert 1.4 <= took <= 1.5 + SLACK, took
    text = str(error)
    assert "unavailable after 1 try" in text
    assert "no time left within the call's deadline of 1.5s" in text
    assert "dataplane:controlPlane.deadlineSeconds" in text
    assert error.status_code is None and error.attempts == 1


def test_without_a_deadline_the_same_trickle_takes_its_time(
    make_client: MakeClient, admin: AdminClient
) -> None:
    # The fault is real: the body does arrive, slowly, when nothing cuts it short.
    admin.add_fault("trickle", interval=0.02, chunk=8)
    client = make_client(timeout=5.0, deadline=None)
    started = time.monotonic()
    assert len(client.list_listeners()) >= 1
    assert time.monotonic() - started > 0.3


def test_a_hung_server_fails_the_same_way(make_client: MakeClient, admin: AdminClient) -> None:
    admin.add_fault("latency", latency=30)
    client = make_client(timeout=0.6, deadline=1.5)
    error, took = failure(client.list_deployments)
    assert took <= 1.5 + SLACK, took
    text = str(error)
    # 0.6 s twice, then a third try cut to what is left.
    assert f"unavailable after {error.attempts} tries" in text and error.attempts >= 2, text
    assert "ReadTimeout" in text and "no time left within the call's deadline" in text


def test_a_long_retry_after_is_not_waited_for(make_client: MakeClient, admin: AdminClient) -> None:
    admin.add_fault("status", status=429, retry_after="30")
    client = make_client(deadline=2.0, retry_after_max=60)
    error, took = failure(client.list_listeners)
    assert took < 1.0, took  # it does not sleep 30 s, nor until the deadline
    assert error.attempts == 1 and error.status_code == 429
    text = str(error)
    # It says why: the wait asked for, the deadline, and the setting that would allow it.
    assert "asked to wait 30s before trying again (`Retry-After`)" in text, text
    assert "the call's deadline of 2s (`dataplane:controlPlane.deadlineSeconds`)" in text
    assert "raise `dataplane:controlPlane.deadlineSeconds` above 30s" in text
    assert "no time left" not in text and "network path" not in text


def test_a_retry_after_above_the_cap_names_the_wait_the_client_would_make(
    make_client: MakeClient, admin: AdminClient
) -> None:
    admin.add_fault("status", status=503, retry_after="600")
    client = make_client(deadline=2.0, retry_after_max=45)
    error, _ = failure(client.list_listeners)
    text = str(error)
    assert "asked to wait 600s" in text and "the client waits at most 45s" in text, text
    assert "above 45s" in text


def test_backoff_counts_against_the_deadline(make_client: MakeClient, admin: AdminClient) -> None:
    admin.add_fault("status", status=503)
    client = make_client(deadline=1.0, max_attempts=50, backoff_base=0.2, backoff_max=0.4)
    error, took = failure(client.list_listeners)
    assert took <= 1.0 + SLACK, took
    assert 2 <= error.attempts < 50
    # The last try either got its 503, or started just in time and had its socket wait
    # cut by the deadline (a busy machine): the message names the deadline either way.
    assert "deadline" in str(error)
    assert "HTTP 503" in str(error) or "the call's deadline passed" in str(error)


def test_a_trickled_post_is_not_retried(make_client: MakeClient, admin: AdminClient) -> None:
    admin.add_fault("trickle", interval=0.05, chunk=1, methods=["POST"])
    client = make_client(timeout=5.0, deadline=1.0)
    error, took = failure(lambda: client.create_listener("trickled", ["langgraph"]))
    assert took <= 1.0 + SLACK
    assert error.attempts == 1 and error.may_have_reached_server
    assert "check whether it took effect" in str(error)


def test_a_group_of_calls_ends_at_its_own_deadline(
    make_client: MakeClient, admin: AdminClient
) -> None:
    # Quick calls first, then one slower than what is left of the group's deadline (the
    # margins hold on a busy machine: the quick calls may take most of a second).
    admin.add_fault("latency", latency=0.2, path_prefix="/v2/listeners")
    admin.add_fault("latency", latency=5.0, path_prefix="/v2/deployments")
    client = make_client(timeout=5.0, deadline=10.0)
    started = time.monotonic()
    with client.time_limit(1.2, "discovery", "dataplane:controlPlane.discoveryDeadlineSeconds"):
        client.list_listeners()
        client.list_listeners()
        error, _ = failure(client.list_deployments)
    assert time.monotonic() - started <= 1.2 + SLACK
    assert "no time left within the discovery's deadline of 1.2s" in str(error)
    assert "discoveryDeadlineSeconds" in str(error)
    # Outside the block, calls have their own deadline again.
    admin.clear_faults()
    assert client.list_listeners()


def test_a_call_after_the_group_deadline_makes_no_request(
    make_client: MakeClient, admin: AdminClient
) -> None:
    client = make_client()
    with client.time_limit(0.01, "discovery", "x"):
        time.sleep(0.05)
        error, _ = failure(client.list_listeners)
    assert error.attempts == 0
    assert client.request_count == 0 and admin.stats()["total"] == 0


def test_pooled_connections_obey_the_next_call_s_deadline(
    make_client: MakeClient, admin: AdminClient
) -> None:
    client = make_client(timeout=5.0, deadline=1.0)
    assert client.list_listeners()  # opens a pooled connection without a fault
    admin.add_fault("trickle", interval=0.05, chunk=1)
    _, took = failure(client.list_listeners)
    assert took <= 1.0 + SLACK
    assert admin.stats()["connections"] >= 1


def test_a_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="deadline must be positive"):
        ControlPlaneClient("k", base_url="http://127.0.0.1:9", deadline=0)
