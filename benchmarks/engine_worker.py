"""One engine scenario in a fresh process: previews, ups and no-op previews of programs.

    python -m benchmarks.engine_worker --programs synced,static --size 10 --url URL \
        --workdir DIR --repeats 3 --out result.json [--discovery discovery.json]

Runs the real CLI through the Automation API (the programs inline, in this process) on a
`file://` backend in DIR. Per repeat and program, in turns: a preview of a stack with no
state (everything to create); then an `up` of a fresh stack and a preview of that stack
(nothing changed). Each operation is timed, the memory of this process tree (this
process runs the program; the CLI and the dynamic-provider host are its descendants) is
sampled, and the control plane's request counters are read before and after. `run`
starts it; it is not a CLI for people.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
        cpu_self, cpu_children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
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
        cpu_self = _cpu(resource.RUSAGE_SELF) - cpu_self
        cpu_children = _cpu(resource.RUSAGE_CHILDREN) - cpu_children
        return {
            "op": op,
            "wall_s": wall,
            "tree_peak_bytes": peak.tree,
            "engine_peak_bytes": peak.children,
            "program_process_rss_before_bytes": before,
            # CPU seconds: this process (the inline program, its gRPC server, the sampler)
            # and the CLI with its plugins (children, counted once they have exited).
            "cpu_program_s": cpu_self,
            "cpu_engine_s": cpu_children,
            "samples": peak.samples,
            "sampling_s": peak.sampling_s,
            "cpu_by_command_s": peak.cpu_by_command(),
            "processes": len(peak.processes),
            "requests": stats["total"],
            "by_route": stats["by_route"],
            "connections": stats["connections"],
            "changes": changes(summary),
            "served": None if outputs is None else len(outputs.get("revisions") or {}),
        }


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--programs", required=True, help="comma-separated: empty,synced,static")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--repeats", type=int, default=3, help="ups (each with a no-op preview)")
    parser.add_argument("--preview-repeats", type=int, help="previews (default: --repeats)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--discovery")
    parser.add_argument("--previews-only", action="store_true", help="no up, no no-op preview")
    args = parser.parse_args(argv)

    names = args.programs.split(",")
    programs = {name: program_for(name, args.discovery) for name in names}
    root = Path(args.workdir)
    ups = {
        name: [f"{name}-up-{i}" for i in range(args.repeats)]
        for name in names
        if name != "empty" and not args.previews_only
    }
    write_project(
        root, args.url, [f"{n}-preview" for n in names] + [s for v in ups.values() for s in v]
    )
    engine = Engine.load()

    def stack(program: str, name: str) -> auto.Stack:
        return engine.stack(root, root / "state", programs[program], name=name)

    runs: list[dict[str, Any]] = []
    with AdminClient(args.url) as admin:
        runner = Runner(admin)
        previews = {name: stack(name, f"{name}-preview") for name in names}
        # Programs take turns, so a change of the machine's load hits them alike.
        for _ in range(args.preview_repeats or args.repeats):
            for name in names:
                runs.append({"program": name, **runner.run(previews[name], "preview")})
        for i in range(args.repeats):
            for name, stacks in ups.items():
                fresh = stack(name, stacks[i])
                runs.append({"program": name, **runner.run(fresh, "up")})
                noop = runner.run(fresh, "preview")
                runs.append({"program": name, **noop, "op": "noop-preview"})
    Path(args.out).write_text(json.dumps({"size": args.size, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
