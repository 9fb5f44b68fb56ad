"""Calls made at once on one client, each in a copy of the caller's context.

The deadline of a group of calls (`deadline.time_limit`, e.g. the discovery's) is a context
variable, and threads do not inherit context variables: each call runs in its own copy of
the caller's context, so the group's deadline binds the worker threads as it binds the
caller. The client's connection pool and retry budget are shared by all of them.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

CONCURRENCY = 8
"""Requests in flight at once (the client pools up to 20 connections)."""


def map_concurrently(
    fn: Callable[[T], R], items: Sequence[T], *, concurrency: int = CONCURRENCY
) -> list[R]:
    """`[fn(item) for item in items]`, at most `concurrency` at a time; the first exception
    raised is raised here."""
    if not items:
        return []
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    # One copy per call: a context may be entered by one thread at a time.
    calls = [_bound(fn, item, contextvars.copy_context()) for item in items]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items))) as pool:
        return list(pool.map(lambda call: call(), calls))


def _bound(fn: Callable[[T], R], item: T, context: contextvars.Context) -> Callable[[], R]:
    return lambda: context.run(fn, item)
