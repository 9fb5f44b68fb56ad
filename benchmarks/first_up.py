"""What a big first `up` costs with the engine's checkpoints, and without them.

    .venv/bin/python -m benchmarks.first_up --size 50             # two `up`s, about 6 minutes quiet
    .venv/bin/python -m benchmarks.first_up --size 50 --profile   # and where the engine spends it

With a `file://` backend the engine rewrites the whole state after every step, so a first
`up` of N deployments grows faster than linearly (docs/benchmarks.md, section 3). This runs
the full data plane's first `up` at one size twice, on fresh stacks and the same seeded
local control plane: as users run it, then with `PULUMI_SKIP_CHECKPOINTS` (the engine keeps
only the final state). With `--profile` the first `up` also writes the engine's Go CPU
profile, and the share of it under `SnapshotManager.saveSnapshot` is printed.
docs/performance.md ("How fast it is") quotes its output.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from devtools.engine import Engine
from local_controlplane.testing import run_server

from . import project
from .engine_profile import parse_top
from .fixtures import seed

SKIP_CHECKPOINTS = {"PULUMI_EXPERIMENTAL": "true", "PULUMI_SKIP_CHECKPOINTS": "true"}
SAVE_SNAPSHOT = "SnapshotManager).saveSnapshot"


def first_up(
    engine: Engine,
    root: Path,
    url: str,
    stack: str,
    extra_env: dict[str, str],
    profile: Path | None,
) -> tuple[float, str]:
    """Wall seconds of one first `up` of a fresh stack, and how many resources it created."""
    where = project.write(root, "dataplane")
    project.stack_file(root, "dataplane", stack, url=url)
    engine.stack(where, root / "state", None, name=stack)  # create it
    env = {**engine.project_env(root / "state", where), **extra_env}
    command = [str(engine.folder / "bin" / "pulumi"), "up", "--yes", "--skip-preview"]
    command += ["--stack", stack, "--non-interactive", "--color", "never"]
    if profile:
        command += ["--profiling", str(profile)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"`up` of {stack} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    summary = re.search(r"^\s*\+ (\d+) created$", done.stdout, re.MULTILINE)
    created = f"{summary.group(1)} created" if summary else "no resources created"
    return wall, created


def snapshot_share(profile: Path) -> str:
    """The share of the engine's CPU samples under saveSnapshot (cumulative), from the Go
    profile."""
    cpu = sorted(profile.parent.glob(f"{profile.name}.*.cpu"))
    if not cpu:
        return "no CPU profile written"
    go = shutil.which("go") or "/usr/local/go/bin/go"
    text = subprocess.run(
        [go, "tool", "pprof", "-top", "-cum", "-focus=saveSnapshot", "-nodecount=5", str(cpu[0])],
        capture_output=True,
        text=True,
        env={**os.environ, "PPROF_TMPDIR": str(profile.parent)},
        check=True,
    ).stdout
    top = parse_top(text)
    row = next((r for r in top["top"] if r["function"].endswith(SAVE_SNAPSHOT)), None)
    seconds = row["cum_s"] if row else 0.0  # focused: no row means no sample under it
    share = seconds / top["total_s"] if top["total_s"] else 0.0
    return f"{seconds:.1f} s of {top['total_s']:.1f} s of engine CPU ({share:.0%})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50, help="served deployments (50)")
    parser.add_argument("--profile", action="store_true", help="profile the first `up`")
    args = parser.parse_args(argv)
    engine = Engine.load()
    with TemporaryDirectory(prefix="first-up-") as scratch, run_server() as url:
        root = Path(scratch)
        seed(url, args.size)
        profile = root / "profile" / "engine" if args.profile else None
        if profile:
            profile.parent.mkdir(parents=True)
        wall, created = first_up(engine, root, url, "checkpoints", {}, profile)
        print(f"N={args.size}, checkpoints after every step: {wall:.1f} s ({created})")
        if profile:
            print(f"  under SnapshotManager.saveSnapshot: {snapshot_share(profile)}")
        wall, created = first_up(engine, root, url, "final-state-only", SKIP_CHECKPOINTS, None)
        print(f"N={args.size}, PULUMI_SKIP_CHECKPOINTS=true: {wall:.1f} s ({created})")


if __name__ == "__main__":
    main()
