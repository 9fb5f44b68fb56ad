"""When and how long the control-plane client retries.

The rule, by HTTP method:

* **Idempotent methods** (GET, HEAD, OPTIONS, PUT, DELETE) are retried on every transport
  failure (connect errors and timeouts, read/write errors and timeouts, dropped
  connections / remote protocol errors, pool timeouts) and on HTTP 429, 502, 503 and 504.
* **POST and PATCH** are retried only when the request certainly did not reach the
  application or was explicitly refused before being handled: connect errors, connect
  and pool timeouts (nothing was sent), HTTP 429 (rate limited) and HTTP 503 (the service
  turned the request away). They are *not* retried after a read or write error, a read or
  write timeout, a dropped connection, HTTP 502 or HTTP 504: the server may have applied
  the request, and sending it again could create a second deployment or revision.

Between attempts the client sleeps for a bounded exponential backoff with jitter
(``backoff_base * 2**(attempt-1)`` capped at ``backoff_max``, then jittered into
``[d/2, d]``). When a 429 or 503 carries ``Retry-After`` (delta-seconds or an HTTP-date),
that value is used instead, capped at ``retry_after_max`` so that a hostile or confused
server cannot stall the program forever. HTTP 500 is not retried: it usually means a bug
that repeats.

The rule lives here (`RetryPolicy`); tenacity runs the loop (`RetryPolicy.run`): it stops
after `max_attempts`, or when the next try could not start before the call's deadline (see
`deadline.py`: that also cuts every socket wait of an attempt), or when the client's retry
budget is spent, waits what the rule says, and hands back the last outcome.

Concurrent calls of one client share a `RetryBudget`, so that a 429 storm met by eight
threads at once does not cost eight times the retries: each call adds `ratio` of a retry to
the budget (up to `reserve`), each retry takes one out, and a call that finds less than one
left stops retrying and fails as unavailable. A `Retry-After` that one call receives also
holds back the other calls' next attempts until then: the server asked the client, not
the call, to wait.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import tenacity

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Statuses that are retried for every method, and those only for idempotent methods.
RETRY_ANY_METHOD_STATUSES = frozenset({429, 503})
RETRY_IDEMPOTENT_STATUSES = frozenset({502, 504})
RETRYABLE_STATUSES = RETRY_ANY_METHOD_STATUSES | RETRY_IDEMPOTENT_STATUSES

# Transport failures where the request was certainly not sent to the server.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Transport failures after which the server may have received (and applied) the request.
MAYBE_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


# What one attempt gives: a response, or the transport failure that took its place.
Outcome = httpx.Response | httpx.TransportError


def is_idempotent(method: str) -> bool:
    return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or ``None`` if unusable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def retry_after_of(outcome: Outcome) -> str | None:
    """The `Retry-After` header of a 429 or 503 answer, if it has one."""
    if isinstance(outcome, httpx.Response) and outcome.status_code in RETRY_ANY_METHOD_STATUSES:
        return outcome.headers.get("Retry-After")
    return None


def describe_exception(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"


@dataclass
class RetryPolicy:
    """Bounded exponential backoff with jitter; see the module docstring for the rule."""

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.retry_after_max < 0:
            raise ValueError("backoff values must not be negative")

    def retry_exception(self, method: str, exc: httpx.TransportError) -> bool:
        """May this transport failure be retried for this method?"""
        if isinstance(exc, NOT_SENT_ERRORS):
            return True
        if isinstance(exc, MAYBE_SENT_ERRORS):
            return is_idempotent(method)
        return False

    @staticmethod
    def may_have_reached_server(exc: httpx.TransportError) -> bool:
        return isinstance(exc, MAYBE_SENT_ERRORS)

    def retry_status(self, method: str, status_code: int) -> bool:
        """May a response with this status be retried for this method?"""
        if status_code in RETRY_ANY_METHOD_STATUSES:
            return True
        if status_code in RETRY_IDEMPOTENT_STATUSES:
            return is_idempotent(method)
        return False

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        exp = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempt - 1)))
        return exp / 2 + self.rng.uniform(0, exp / 2)

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Delay before the next attempt, honouring ``Retry-After`` (capped)."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.retry_after_max)
        return self.backoff(attempt)

    @staticmethod
    def sleep(seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def retry_outcome(self, method: str, outcome: Outcome) -> bool:
        """May this attempt's outcome be retried for this method?"""
        if isinstance(outcome, httpx.TransportError):
            return self.retry_exception(method, outcome)
        status = outcome.status_code
        return status in RETRYABLE_STATUSES and self.retry_status(method, status)

    def wait(self, attempt: int, outcome: Outcome) -> float:
        """Delay after attempt `attempt` gave `outcome`: backoff, or the server's hint."""
        if isinstance(outcome, httpx.TransportError):
            return self.backoff(attempt)
        return self.delay(attempt, outcome.headers.get("Retry-After"))

    def run(
        self,
        method: str,
        attempt: Callable[[], Outcome],
        on_retry: Callable[[Outcome, float, int], None],
        *,
        max_seconds: float | None = None,
        budget: BudgetedCall | None = None,
    ) -> Outcome:
        """Call `attempt` until its outcome is not to be retried, the attempts run out, the
        next try could not start within `max_seconds` of the first, or `budget` allows no
        more retries, and return that outcome. `on_retry(outcome, delay, attempt number)`
        runs before each sleep.
        """
        stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(self.max_attempts)
        if max_seconds is not None:
            # No sleep that would end past the deadline (a long `Retry-After`, say).
            stop = stop | tenacity.stop_before_delay(max_seconds)
        if budget is not None:
            # Last: a retry is taken from the budget only when nothing else stops the call.
            stop = stop | _SpendFrom(budget)

        def last(state: tenacity.RetryCallState) -> Outcome:
            return _outcome(state)

        def wait(state: tenacity.RetryCallState) -> float:
            # tenacity asks for the wait before it checks the stop: draw no jitter for nothing.
            if state.attempt_number >= self.max_attempts:
                return 0.0
            outcome = _outcome(state)
            delay = self.wait(state.attempt_number, outcome)
            if budget is None:
                return delay
            if retry_after_of(outcome) is not None:
                budget.shared.hold(delay)  # every call of the client waits as long
            return max(delay, budget.shared.held_for())

        retrying = tenacity.Retrying(
            stop=stop,
            retry=tenacity.retry_if_result(lambda outcome: self.retry_outcome(method, outcome)),
            wait=wait,
            sleep=self.sleep,
            before_sleep=lambda state: on_retry(
                _outcome(state), state.upcoming_sleep, state.attempt_number
            ),
            retry_error_callback=last,
        )
        return retrying(attempt)


class RetryBudget:
    """The retries that all the calls of one client share, and the wait a server asked for.

    Each call adds `ratio` of a retry (never above `reserve`, which it starts with); each
    retry takes a whole one out. Under a storm of 429s the calls of a client retry about
    `reserve + ratio * calls` times in all, however many threads make them, instead of up
    to `max_attempts - 1` times each. Thread-safe.
    """

    def __init__(self, reserve: float = 10.0, ratio: float = 0.2) -> None:
        if reserve < 0 or ratio < 0:
            raise ValueError("a retry budget must not be negative")
        self.reserve = reserve
        self.ratio = ratio
        self._lock = threading.Lock()
        self._tokens = reserve
        self._held_until = 0.0
        self.spent = 0
        """Retries taken so far."""
        self.refused = 0
        """Retries refused so far because none was left."""

    def call(self) -> BudgetedCall:
        """A new call: it adds its share to the budget."""
        with self._lock:
            self._tokens = min(self.reserve, self._tokens + self.ratio)
        return BudgetedCall(self)

    def take(self) -> bool:
        """One retry, if the budget holds one."""
        with self._lock:
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                self.spent += 1
                return True
            self.refused += 1
            return False

    def hold(self, seconds: float) -> None:
        """No call of the client makes an attempt for `seconds` from now (`Retry-After`)."""
        with self._lock:
            self._held_until = max(self._held_until, time.monotonic() + seconds)

    def held_for(self) -> float:
        """Seconds until calls may make attempts again (0 when they may now)."""
        with self._lock:
            return max(0.0, self._held_until - time.monotonic())

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state.pop("_lock")
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


class BudgetedCall:
    """One call's view of its client's `RetryBudget`: `refused` once it was denied a retry."""

    def __init__(self, shared: RetryBudget) -> None:
        self.shared = shared
        self.refused = False

    def take(self) -> bool:
        if not self.shared.take():
            self.refused = True
        return not self.refused


class _SpendFrom(tenacity.stop.stop_base):
    """Stops the loop when the budget has no retry left; otherwise takes one."""

    def __init__(self, budget: BudgetedCall) -> None:
        self.budget = budget

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return not self.budget.take()


def _outcome(state: tenacity.RetryCallState) -> Outcome:
    assert state.outcome is not None  # tenacity calls back after an attempt
    return state.outcome.result()
