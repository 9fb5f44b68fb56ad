"""One retry budget for all the calls of a client: a 429 storm met by many threads at once
costs a bounded number of retries, not `max_attempts` per call; and a `Retry-After` told to
one call holds back the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from components.controlplane import ControlPlaneClient, RetryBudget, UnavailableError
from components.controlplane.parallel import map_concurrently
from local_controlplane import seed
from local_controlplane.testing import AdminClient

MakeClient = Callable[..., ControlPlaneClient]
CALLS = 32


def outcomes(client: ControlPlaneClient) -> list[BaseException | None]:
    """`CALLS` reads at once, 8 at a time: None for each that succeeded, else its error."""

    def read(_: int) -> BaseException | None:
        try:
            client.get_revision(seed.ALPHA_ID, seed.ALPHA_REVISION_ID)
        except UnavailableError as exc:
            return exc
        return None

    return map_concurrently(read, list(range(CALLS)), concurrency=8)


def test_the_budget_s_arithmetic() -> None:
    budget = RetryBudget(reserve=2, ratio=0.5)
    call = budget.call()  # capped at the reserve
    assert call.take() and call.take()
    assert not call.take() and call.refused
    assert (budget.spent, budget.refused) == (2, 1)
    budget.call()
    budget.call()  # two calls: one more retry
    assert budget.take() and not budget.take()
    with pytest.raises(ValueError):
        RetryBudget(reserve=-1)


def test_a_429_storm_on_many_threads_costs_the_budget_not_retries_per_call(
    make_client: MakeClient, admin: AdminClient
) -> None:
    admin.add_fault("status", status=429, retry_after="0")
    client = make_client(max_attempts=4)
    failed = outcomes(client)
    assert all(isinstance(e, UnavailableError) for e in failed)
    retries = admin.stats()["total"] - CALLS
    # A reserve of 10, and a fifth of a retry per call: at most 10 + 32/5.
    assert 10 <= retries <= 10 + CALLS // 5, retries
    assert client.retry_budget.spent == retries
    spent = [e for e in failed if "retry budget" in str(e)]
    assert spent and all(e.status_code == 429 for e in spent)  # type: ignore[union-attr]

    # Without a shared budget, the same storm costs every call its three retries.
    admin.reset_stats()
    unbounded = make_client(max_attempts=4, retry_budget=RetryBudget(reserve=1000))
    outcomes(unbounded)
    assert admin.stats()["total"] == CALLS * 4


def test_a_storm_that_passes_leaves_most_calls_served(
    make_client: MakeClient, admin: AdminClient
) -> None:
    admin.add_fault("status", status=429, retry_after="0", times=CALLS + 4)
    client = make_client(max_attempts=4)
    failed = outcomes(client)
    served = failed.count(None)
    assert served >= 10, failed
    assert admin.stats()["total"] <= CALLS + 10 + CALLS // 5


def test_a_retry_after_told_to_one_call_holds_back_the_others(
    make_client: MakeClient, admin: AdminClient
) -> None:
    admin.add_fault("status", status=429, retry_after="1", times=1)
    client = make_client()
    first = threading.Thread(target=client.list_listeners)
    started = time.monotonic()
    first.start()
    while admin.stats()["total"] < 1:  # the first call was told to wait
        time.sleep(0.01)
    time.sleep(0.1)
    client.get_listener(seed.DEV_LISTENER_ID)  # waits for the rest of that second
    took = time.monotonic() - started
    first.join()
    assert took >= 0.95, took
    assert admin.stats()["total"] == 3  # the told call twice, the other once: no 429 for it


def test_a_hold_longer_than_the_deadline_fails_at_once(
    make_client: MakeClient, admin: AdminClient
) -> None:
    client = make_client(deadline=1.0)
    client.retry_budget.hold(30)
    started = time.monotonic()
    with pytest.raises(UnavailableError) as info:
        client.list_listeners()
    assert time.monotonic() - started < 0.5
    assert info.value.attempts == 0 and admin.stats()["total"] == 0
    text = str(info.value)
    assert "asked to wait 30s before trying again" in text and "deadline of 1s" in text, text
    assert "raise `dataplane:controlPlane.deadlineSeconds` above 30s" in text


def test_one_call_alone_still_retries_in_full(make_client: MakeClient, admin: AdminClient) -> None:
    # The fault matrix of a lone call is as before: three retries, then unavailable.
    admin.add_fault("status", status=503)
    client = make_client(max_attempts=4)
    with pytest.raises(UnavailableError) as info:
        client.list_listeners()
    assert info.value.attempts == 4 and "retry budget" not in str(info.value)
