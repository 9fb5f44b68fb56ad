"""One engine scenario in a fresh process: previews, ups and no-op previews of one program.

    python -m benchmarks.engine_worker --program synced --size 10 --url URL \
        --workdir DIR --repeats 3 --out result.json [--discovery discovery.json]

Runs the real CLI through the Automation API (the program inline, in this process) on a
`file://` backend in DIR. Per repeat: a preview of a stack with no state (everything to
create), an `up` of a fresh stack, then a preview of that stack (nothing changed). Each
operation is timed, the memory of this process tree (this process runs the program; the
CLI and the dynamic-provider host are its descendants) is sampled, and the control
plane's request counters are read before and after. `run` starts it; it is not a CLI for
people.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from devtools.engine import Engine
from local_controlplane.testing import AdminClient

from .fixtures import write_project
from .procmem import measure, rss
from .programs import discovery_from_json, empty_program, static_program, sync_program


def program_for(name: str, discovery_file: str | None) -> Callable[[], None]:
    if name == "empty":
        return empty_program
    if name == "synced":
        return sync_program
    if name == "static":
        if not discovery_file:
            raise SystemExit("--discovery is required for the static program")
        return static_program(discovery_from_json(Path(discovery_file).read_text()))
    raise SystemExit(f"unknown program {name!r}")


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {op: n for op, n in (summary or {}).items() if n}


class Runner:
    """Times one operation at a time and reads the control plane's counters around it."""

    def __init__(self, admin: AdminClient):
        self.admin = admin
        self.output: list[str] = []

    def run(self, stack: auto.Stack, op: str) -> dict[str, Any]:
        self.admin.reset_stats()
        before = rss(os.getpid())
        with measure() as peak:
            started = time.perf_counter()
            if op == "up":
                result: Any = stack.up(color="never", on_output=self.output.append)
                summary = result.summary.resource_changes
                outputs = {k: v.value for k, v in result.outputs.items() if not v.secret}
            else:
                result = stack.preview(color="never", on_output=self.output.append)
                summary = result.change_summary
                outputs = None
            wall = time.perf_counter() - started
        stats = self.admin.stats()
        return {
            "op": op,
            "wall_s": wall,
            "tree_peak_bytes": peak.tree,
            "engine_peak_bytes": peak.children,
            "program_process_rss_before_bytes": before,
            "samples": peak.samples,
            "processes": len(peak.processes),
            "requests": stats["total"],
            "by_route": stats["by_route"],
            "connections": stats["connections"],
            "changes": changes(summary),
            "served": None if outputs is None else len(outputs.get("revisions") or {}),
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--program", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", required=True)
    parser.add_argument("--discovery")
    args = parser.parse_args(argv)

    program = program_for(args.program, args.discovery)
    root = Path(args.workdir)
    ups = [] if args.program == "empty" else [f"up-{i}" for i in range(args.repeats)]
    write_project(root, args.url, ["preview", *ups])
    engine = Engine.load()
    runs: list[dict[str, Any]] = []
    with AdminClient(args.url) as admin:
        runner = Runner(admin)
        stack = engine.stack(root, root / "state", program, name="preview")
        runs += [runner.run(stack, "preview") for _ in range(args.repeats)]
        for name in ups:
            stack = engine.stack(root, root / "state", program, name=name)
            runs.append(runner.run(stack, "up"))
            noop = runner.run(stack, "preview")
            noop["op"] = "noop-preview"
            runs.append(noop)
    Path(args.out).write_text(
        json.dumps({"program": args.program, "size": args.size, "runs": runs}, indent=1)
    )


if __name__ == "__main__":
    main()
