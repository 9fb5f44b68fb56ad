"""Reads a cProfile dump into what the report shows: where the time goes, by library.

cProfile sees the thread it runs in: for a mocked program that is the program and the SDK's
event loop (the mock monitor's work runs in executor threads and is not in it).
"""

from __future__ import annotations

import os
import pstats
from typing import Any

from devtools.engine import REPO

# First match wins: (label, substring of the code's file name).
AREAS: tuple[tuple[str, str], ...] = (
    ("our code (components/)", f"{REPO}/components/"),
    ("benchmark harness and mocks", f"{REPO}/benchmarks/"),
    ("pulumi_kubernetes (generated SDK)", "/pulumi_kubernetes/"),
    ("pulumi SDK: dynamic provider pickling (dill)", "/dill/"),
    ("pulumi SDK: dynamic provider pickling (dill)", "/pulumi/dynamic/"),
    ("pulumi SDK", "/pulumi/"),
    ("grpc and protobuf", "/grpc/"),
    ("grpc and protobuf", "/google/protobuf/"),
    ("pydantic", "/pydantic"),
    ("httpx, httpcore, h11", "/httpx/"),
    ("httpx, httpcore, h11", "/httpcore/"),
    ("httpx, httpcore, h11", "/h11/"),
    ("asyncio", "/asyncio/"),
    ("copy, pickle, json (stdlib)", "/copy.py"),
    ("copy, pickle, json (stdlib)", "/pickle.py"),
    ("copy, pickle, json (stdlib)", "/json/"),
    ("typing (annotations, mostly while importing)", "/typing.py"),
    ("typing (annotations, mostly while importing)", "/typing_extensions.py"),
)
OTHER = "other (stdlib, builtins)"


def area_of(filename: str) -> str:
    filename = os.path.realpath(filename)  # the benchmark's projects link to the checkout
    for label, part in AREAS:
        if part in filename:
            return label
    return OTHER


def short(filename: str) -> str:
    filename = os.path.realpath(filename) if filename.startswith("/") else filename
    for marker in ("/site-packages/", f"{REPO}/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


WAITING = "waiting (the event loop idle, blocking gRPC calls)"
# Functions whose own time is a wait for someone else: the engine, a plugin, the network.
_WAITS = ("'poll' of 'select.", "'select' of 'select.", "'acquire' of '_thread.lock'", "_blocking")


IMPORTS = "loading modules (imports)"
_IMPORT_FUNCS = (
    "builtins.compile>",
    "marshal.loads>",
    "builtins.exec>",
    "builtins.__build_class__>",
)


def kind_of(filename: str, func: str) -> str:
    """The area of a function, with waits and module loading told apart from the rest."""
    if any(w in func for w in _WAITS):
        return WAITING
    if filename.startswith("<frozen importlib") or any(f in func for f in _IMPORT_FUNCS):
        return IMPORTS
    return area_of(filename)


def summarize(path: str, top: int = 12) -> dict[str, Any]:
    """Own time by area, the heaviest functions by own time, and ours by cumulative time."""
    stats: Any = pstats.Stats(path)
    by_area: dict[str, float] = {}
    rows = []
    total = 0.0
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        total += tottime
        area = kind_of(filename, func)
        by_area[area] = by_area.get(area, 0.0) + tottime
        rows.append(
            {
                "function": f"{func} ({short(filename)}:{line})",
                "area": area,
                "calls": calls,
                "tottime_s": tottime,
                "cumtime_s": cumtime,
            }
        )
    heaviest = sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:top]
    ours = [r for r in rows if r["area"] == AREAS[0][0]]
    ours_by_cum = sorted(ours, key=lambda r: r["cumtime_s"], reverse=True)[:top]
    return {
        "total_s": total,
        "by_area": dict(sorted(by_area.items(), key=lambda kv: kv[1], reverse=True)),
        "heaviest": heaviest,
        "ours_by_cumtime": ours_by_cum,
    }
