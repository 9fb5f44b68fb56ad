"""One engine scenario in a fresh process: previews, ups and no-op previews of programs.

    python -m benchmarks.engine_worker --programs dataplane,static --size 10 --url URL \
        --workdir DIR --repeats 3 --out result.json [--resources objects.json]

Runs the real CLI through the Automation API on local programs (`project.py`: the language
host runs each project's `__main__.py`, as `pulumi preview` does) with a `file://` backend
in DIR. Per repeat and program, in turns: a preview of a stack with no state (everything to
create); then an `up` of a fresh stack and a preview of that stack (nothing changed). Each
operation is timed, the memory of the command's process tree (the CLI, the language host
and the program, the plugins and the dynamic-provider host: every process below this one)
is sampled with the CPU time of each, and the control plane's request counters are read
before and after. `run` starts it; it is not a CLI for people.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from devtools.engine import Engine
from local_controlplane.testing import AdminClient

from . import project
from .procmem import measure


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {op: n for op, n in (summary or {}).items() if n}


class Runner:
    """Times one operation at a time and reads the control plane's counters around it."""

    def __init__(self, admin: AdminClient):
        self.admin = admin
        self.output: list[str] = []

    def run(self, stack: auto.Stack, op: str) -> dict[str, Any]:
        self.admin.reset_stats()
        with measure(interval=0.1) as peak:
            started = time.perf_counter()
            if op == "up":
                result: Any = stack.up(color="never", on_output=self.output.append)
                summary = result.summary.resource_changes
            else:
                result = stack.preview(color="never", on_output=self.output.append)
                summary = result.change_summary
            wall = time.perf_counter() - started
        stats = self.admin.stats()
        return {
            "op": op,
            "wall_s": wall,
            "tree_peak_bytes": peak.children,  # the command's processes, not this driver
            "samples": peak.samples,
            "sampling_s": peak.sampling_s,
            "cpu_by_process_s": peak.cpu_by_role(),
            "peak_by_role_bytes": peak.peak_by_role(),
            "timeline_s": peak.timeline(),
            "processes": len(peak.processes),
            "requests": stats["total"],
            "by_route": stats["by_route"],
            "changes": changes(summary),
            "resources": sum(changes(summary).values()),
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--programs", required=True, help="comma-separated: dataplane,static,empty")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--repeats", type=int, default=3, help="ups (each with a no-op preview)")
    parser.add_argument("--preview-repeats", type=int, help="previews (default: --repeats)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--resources", help="the static program's objects (static_dataplane)")
    parser.add_argument("--previews-only", action="store_true", help="no up, no no-op preview")
    args = parser.parse_args(argv)

    names = args.programs.split(",")
    root = Path(args.workdir)
    resources = Path(args.resources) if args.resources else None
    engine = Engine.load()

    def stack(program: str, name: str) -> auto.Stack:
        where = project.write(root, program)
        project.stack_file(root, program, name, url=args.url, resources=resources)
        return engine.stack(where, root / "state", None, name=name)

    runs: list[dict[str, Any]] = []
    with AdminClient(args.url) as admin:
        runner = Runner(admin)
        previews = {name: stack(name, f"{name}-preview") for name in names}
        # Programs take turns, so a change of the machine's load hits them alike.
        for _ in range(args.preview_repeats or args.repeats):
            for name in names:
                runs.append({"program": name, **runner.run(previews[name], "preview")})
        for i in range(0 if args.previews_only else args.repeats):
            for name in names:
                fresh = stack(name, f"{name}-up-{i}")
                runs.append({"program": name, **runner.run(fresh, "up")})
                noop = runner.run(fresh, "preview")
                runs.append({"program": name, **noop, "op": "noop-preview"})
    Path(args.out).write_text(json.dumps({"size": args.size, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
