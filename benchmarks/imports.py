"""Import cost of the program, in fresh processes: the SDK, pulumi_kubernetes, our code.

`pulumi_kubernetes` imports its API groups lazily: `import pulumi_kubernetes` is cheap and
the groups the data plane touches (`core.v1`, `apps.v1`, ...) load at first use, inside the
first `build_stack`. So the figure that matters is the package plus exactly the submodules
the data plane loads (`modules`, recorded by a mocked build), timed in this order:
`pulumi`, `pulumi_kubernetes` and those submodules, then `components.program` (our modules
and their other dependencies: pydantic, httpx, ...).
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from typing import Any

from devtools.engine import REPO

SNIPPET = """
import importlib, json, sys, time
t0 = time.perf_counter()
import pulumi
t1 = time.perf_counter()
import pulumi_kubernetes
for name in json.loads(sys.argv[1]):
    getattr(importlib.import_module(name), "__file__", None)  # loads a lazy module
t2 = time.perf_counter()
import components.program
t3 = time.perf_counter()
print(json.dumps({"pulumi": t1 - t0, "pulumi_kubernetes": t2 - t1, "components": t3 - t2}))
"""


def timed(modules: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET, json.dumps(modules)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


_ROW = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def heaviest(modules: list[str], top: int = 8) -> list[tuple[str, float, float]]:
    """`-X importtime` of the same imports: the modules with the most time of their own.

    Rows are (module, self seconds, cumulative seconds); -X importtime adds overhead, so
    these are for ranking, not for the totals.
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", SNIPPET, json.dumps(modules)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = _ROW.match(line)
        if match:
            rows.append((match.group(4), int(match.group(1)) / 1e6, int(match.group(2)) / 1e6))
    rows.sort(key=lambda r: r[1], reverse=True)
    return rows[:top]


def measure(modules: list[str], repeats: int = 3) -> dict[str, Any]:
    runs = [timed(modules) for _ in range(repeats)]
    return {
        "runs": runs,
        "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]},
        "heaviest": heaviest(modules),
        "k8s_modules": len(modules),
    }
