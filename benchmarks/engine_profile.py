"""Where one `pulumi preview` spends its time, measured: the engine's Go CPU profile and the
program's Python profile, from the same run.

The CLI runs directly (not through the Automation API) with `--profiling`, which writes the
Go CPU profile of the engine; `BENCH_PROFILE` makes the program write its cProfile
(`program_main`). `go tool pprof -top` reads the first, `profiles.summarize` the second.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from devtools.engine import Engine

from . import profiles
from .procmem import measure
from .program_main import PROFILE_ENV

# `go tool pprof -top` rows: flat flat% sum% cum cum% function
_ROW = re.compile(r"^\s*([\d.]+)(\w+)\s+([\d.]+)%\s+[\d.]+%\s+([\d.]+)(\w+)\s+([\d.]+)%\s+(.+)$")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


def preview(engine: Engine, project: Path, state: Path, stack: str, out: Path) -> dict[str, Any]:
    """One profiled preview of `stack` in `project`: wall time, CPU by process, profiles."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**engine.project_env(state, project), PROFILE_ENV: str(out / "program.prof")}
    command = [str(engine.folder / "bin" / "pulumi"), "preview", "--stack", stack]
    command += ["--non-interactive", "--color", "never", "--profiling", str(out / "engine")]
    with measure(interval=0.1) as peak:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"profiled preview failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    cpu = sorted(out.glob("engine.*.cpu"))
    return {
        "wall_s": wall,
        "cpu_by_process_s": peak.cpu_by_role(),
        "timeline_s": peak.timeline(),
        "engine": go_top(cpu[0]) if cpu else None,
        "program": profiles.summarize(str(out / "program.prof"))
        if (out / "program.prof").exists()
        else None,
    }


def go_top(profile: Path, nodes: int = 15) -> dict[str, Any]:
    """The Go profile's total and its heaviest functions (own and cumulative time)."""
    go = shutil.which("go") or "/usr/local/go/bin/go"
    text = subprocess.run(
        [go, "tool", "pprof", "-top", f"-nodecount={nodes}", str(profile)],
        capture_output=True,
        text=True,
        env={**os.environ, "PPROF_TMPDIR": str(profile.parent)},
        check=True,
    ).stdout
    return parse_top(text)


def parse_top(text: str) -> dict[str, Any]:
    """`go tool pprof -top` output: total samples and the rows."""
    total = re.search(r"Total samples = ([\d.]+)(\w+)", text)
    rows = []
    for line in text.splitlines():
        m = _ROW.match(line)
        if m:
            rows.append(
                {
                    "function": m.group(7).strip(),
                    "flat_s": float(m.group(1)) * _UNITS.get(m.group(2), 1.0),
                    "flat_pct": float(m.group(3)),
                    "cum_s": float(m.group(4)) * _UNITS.get(m.group(5), 1.0),
                    "cum_pct": float(m.group(6)),
                }
            )
    seconds = float(total.group(1)) * _UNITS.get(total.group(2), 1.0) if total else 0.0
    return {"total_s": seconds, "top": rows}


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.engine_profile --programs dataplane,static --url URL --workdir DIR
    --out FILE [--resources FILE]`: one profiled preview of each program, in turn."""
    import argparse
    import json

    from . import project

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--programs", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--resources")
    args = parser.parse_args(argv)
    root = Path(args.workdir)
    engine = Engine.load()
    results = {}
    for program in args.programs.split(","):
        where = project.write(root, program)
        resources = Path(args.resources) if args.resources else None
        project.stack_file(root, program, "profile", url=args.url, resources=resources)
        engine.stack(where, root / "state", None, name="profile")  # create it
        out = root / f"{program}-profile"
        results[program] = preview(engine, where, root / "state", "profile", out)
    Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
