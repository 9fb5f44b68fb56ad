"""The whole program (Kubernetes resources included) under `pulumi.runtime.set_mocks`.

    python -m benchmarks.mocks_worker --variant synced --size 10 --url URL \
        --discovery discovery.json --out result.json [--profile out.prof]

The real engine cannot run the data plane's Kubernetes resources here (no plugin), so this
measures the program side of the full data plane: `components.program.main()` (stack
config, discovery against the local control plane, `build_stack`, exports) with every
resource registered against mocks, as tests/unit/harness.py does. `synced` serves the
discovered deployments through RevisionSync; `static` declares the same deployments as
`dataplane:deployments.<name>.static` with discovery off. In a fresh process: the import of
the program's modules, a cold run (what `pulumi preview` pays: one run per process), a
warm run, and a run under tracemalloc for the peak Python memory. `run` starts it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
import pulumi  # noqa: E402 - the import is timed
from pulumi.runtime import mocks as pulumi_mocks  # noqa: E402

PULUMI_IMPORTED = time.perf_counter()
import components.program as program  # noqa: E402 - pulls pulumi_kubernetes and the components

COMPONENTS_IMPORTED = time.perf_counter()

from devtools.mocks import DataplaneMocks  # noqa: E402

from .fixtures import pulumi_config  # noqa: E402
from .programs import discovery_from_json  # noqa: E402
from .static_providers import STATIC_IMAGE  # noqa: E402

DYNAMIC = "pulumi-python:dynamic:Resource"


class CountingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.types: Counter[str] = Counter()

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.types[request.type] += 1
        return super().RegisterResource(request)


def run_once(config: dict[str, str], secret_keys: list[str]) -> dict[str, Any]:
    """One run of the real program under mocks; phase times in seconds."""
    phases: dict[str, float] = {}
    real_discover, real_build = program.load_and_discover, program.build_stack

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = time.perf_counter() - started

        return wrapper

    mocks = DataplaneMocks(image=STATIC_IMAGE)
    monitor = CountingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project="langgraph-dataplane", stack="bench", preview=False, monitor=monitor
    )
    pulumi.runtime.set_all_config(config, secret_keys)
    program.load_and_discover = timed("config_and_discovery", real_discover)
    program.build_stack = timed("declare", real_build)
    try:
        started = time.perf_counter()
        pulumi.runtime.test(program.main)()
        total = time.perf_counter() - started
    finally:
        program.load_and_discover, program.build_stack = real_discover, real_build
    return {
        "total_s": total,
        **{f"{k}_s": v for k, v in phases.items()},
        "resources": sum(monitor.types.values()),
        "by_type": dict(monitor.types),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=("synced", "static"), required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--discovery", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--warm", action="store_true", help="add a second run")
    parser.add_argument("--traced", action="store_true", help="add a run under tracemalloc")
    parser.add_argument("--profile", help="write a cProfile of a second run here instead")
    args = parser.parse_args(argv)

    discovery = discovery_from_json(Path(args.discovery).read_text())
    config, secret_keys = pulumi_config(
        args.url, static=discovery if args.variant == "static" else None
    )
    if args.profile:
        run_once(config, secret_keys)  # modules loaded: the profile shows the per-resource work
        profiler = cProfile.Profile()
        profiler.enable()
        run_once(config, secret_keys)
        profiler.disable()
        profiler.dump_stats(args.profile)
        return

    cold = run_once(config, secret_keys)
    # The API groups of pulumi_kubernetes this build loaded (they load lazily, at first use).
    k8s_modules = sorted(
        name
        for name, module in sys.modules.items()
        if name.startswith("pulumi_kubernetes") and type(module).__name__ != "_LazyModule"
    )
    warm = run_once(config, secret_keys) if args.warm else None
    traced: dict[str, Any] = {}
    if args.traced:
        tracemalloc.start()
        traced = run_once(config, secret_keys)
        traced["python_peak_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    result = {
        "variant": args.variant,
        "size": args.size,
        "import_pulumi_s": PULUMI_IMPORTED - STARTED,
        "import_components_s": COMPONENTS_IMPORTED - PULUMI_IMPORTED,
        "cold": cold,
        "warm": warm,
        "python_peak_bytes": traced.get("python_peak_bytes"),
        "k8s_modules": k8s_modules,
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
