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
`deadline.py`: that also cuts every socket wait of an attempt), waits what the rule says, and
hands back the last outcome.
"""

from __future__ import annotations

import email.utils
import random
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
    ) -> Outcome:
        """Call `attempt` until its outcome is not to be retried, the attempts run out, or the
        next try could not start within `max_seconds` of the first, and return that outcome.
        `on_retry(outcome, delay, attempt number)` runs before each sleep.
        """
        stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(self.max_attempts)
        if max_seconds is not None:
            # No sleep that would end past the deadline (a long `Retry-After`, say).
            stop = stop | tenacity.stop_before_delay(max_seconds)

        def last(state: tenacity.RetryCallState) -> Outcome:
            return _outcome(state)

        retrying = tenacity.Retrying(
            stop=stop,
            retry=tenacity.retry_if_result(lambda outcome: self.retry_outcome(method, outcome)),
            # tenacity asks for the wait before it checks the stop: draw no jitter for nothing.
            wait=lambda state: (
                self.wait(state.attempt_number, _outcome(state))
                if state.attempt_number < self.max_attempts
                else 0.0
            ),
            sleep=self.sleep,
            before_sleep=lambda state: on_retry(
                _outcome(state), state.upcoming_sleep, state.attempt_number
            ),
            retry_error_callback=last,
        )
        return retrying(attempt)


def _outcome(state: tenacity.RetryCallState) -> Outcome:
    assert state.outcome is not None  # tenacity calls back after an attempt
    return state.outcome.result()
