"""What one RevisionSync `check` costs, outside the engine, in a fresh process.

    python -m benchmarks.check_worker --url URL --discovery discovery.json --out result.json \
        [--profile out.prof]

The engine's provider host runs `RevisionSyncProvider.check` once per deployment in a
preview; this calls it the same way for every discovered deployment, one after the other,
against the local control plane: asking it (one HTTP request each, what a check does
without discovery's answer, or with a stale one), with what discovery resolved (no
request), and the static baseline's check for comparison. With `--profile`, one pass of
the asking checks is profiled instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from components.core.endpoint import Endpoint
from components.planning.discovery import DiscoveredDeployment
from components.planning.plan import sync_args
from components.providers.connection import API_KEY_ENV, forget_clients
from components.providers.revision_sync import RevisionSyncProvider, sync_inputs
from local_controlplane.seed import DEFAULT_API_KEY

from .fixtures import discovery_from_json
from .static_providers import StaticRevisionSyncProvider


def props_of(found: DiscoveredDeployment, url: str, *, prefetched: bool) -> dict[str, Any]:
    """The inputs the engine hands `check` (what `build_sync` declares; secrets unwrapped),
    with or without what discovery resolved."""
    return sync_inputs(
        Endpoint(url, None, 10.0), sync_args(found), found.target if prefetched else None
    )


def timed_checks(provider: Any, all_props: list[dict[str, Any]]) -> list[float]:
    times = []
    for props in all_props:
        started = time.perf_counter()
        result = provider.check({}, props)
        times.append(time.perf_counter() - started)
        if result.failures:
            raise RuntimeError(f"check failed: {result.failures}")
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--discovery", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--profile")
    args = parser.parse_args(argv)

    os.environ[API_KEY_ENV] = DEFAULT_API_KEY  # what configure() hands the provider
    discovery = discovery_from_json(Path(args.discovery).read_text())
    all_props = [props_of(d, args.url, prefetched=False) for d in discovery.deployments]
    prefetched = [props_of(d, args.url, prefetched=True) for d in discovery.deployments]
    real = RevisionSyncProvider()
    if args.profile:
        timed_checks(real, all_props[:1])  # the client and its connection, as in the host
        profiler = cProfile.Profile()
        profiler.enable()
        timed_checks(real, all_props)
        profiler.disable()
        profiler.dump_stats(args.profile)
        return
    first_pass = timed_checks(real, all_props)  # the first includes the client and connect
    second_pass = timed_checks(real, all_props)
    with_answer = timed_checks(real, prefetched)
    static = timed_checks(StaticRevisionSyncProvider(), all_props)
    forget_clients()
    result = {
        "checks": len(all_props),
        "first_check_s": first_pass[0],
        "real_median_s": statistics.median(first_pass[1:] + second_pass),
        "prefetched_median_s": statistics.median(with_answer),
        "static_median_s": statistics.median(static),
    }
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
