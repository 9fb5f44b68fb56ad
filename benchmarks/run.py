"""What a sync costs and how it grows: measure, then write docs/benchmarks.md.

    .venv/bin/python -m benchmarks.run                 # everything, about 10 minutes
    .venv/bin/python -m benchmarks.run --render-only   # rewrite the page from the last JSON

Starts the local control plane on loopback (in this process), and for each stack size
seeds exactly that many deployments bound to the stack's listener. Every measurement runs
in a fresh worker process, so this process (and the server's thread in it) stays out of the
timings and memory figures: `engine_worker` (the real CLI: preview, up, no-op preview of the
sync program, of its static baseline, and of an empty program), `check_worker` (one check
at a time, and its profile), `mocks_worker` (the full data plane under mocks, and its
profile) and `imports`. Raw results go to .work/benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from devtools.engine import REPO, Engine, pins
from local_controlplane.testing import AdminClient, run_server

from . import imports, profiles, report
from .fixtures import seed
from .programs import discovery_to_json

DEFAULT_OUT = REPO / "docs" / "benchmarks.md"
DEFAULT_JSON = REPO / ".work" / "benchmarks" / "results.json"
WORKER_TIMEOUT = 600  # seconds; a worker that takes longer is a failure, not a result
# Seconds added to each control-plane request, to stand for a remote control plane.
LATENCIES = (0.02, 0.05)


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp} load {os.getloadavg()[0]:.2f}] {message}", file=sys.stderr, flush=True)


def worker(module: str, *args: str) -> None:
    """Run `python -m benchmarks.<module> ...` in a fresh process; fail loudly."""
    command = [sys.executable, "-m", f"benchmarks.{module}", *args]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=WORKER_TIMEOUT, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise RuntimeError(f"{shlex.join(command)} failed ({done.returncode}):\n{tail}")


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kib = next(int(x.split()[1]) for x in meminfo if x.startswith("MemTotal:"))
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), "?")
    engine = Engine.load()
    cli = subprocess.run(
        [str(engine.folder / "bin" / "pulumi"), "version"],
        env=engine.env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pulumi_cli": cli,
        "pulumi_sdk": metadata.version("pulumi"),
        "pulumi_kubernetes_sdk": metadata.version("pulumi_kubernetes"),
        "kubernetes_plugin": pins()["KUBERNETES_VERSION"],
        "random_plugin": pins()["RANDOM_VERSION"],
    }


def git_state() -> dict[str, Any]:
    """The commit measured, and uncommitted changes to the code under measurement."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "components", "local_controlplane", "devtools")
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": dirty.splitlines()}


class Bench:
    def __init__(self, url: str, scratch: Path, sizes: list[int], repeats: int):
        self.url = url
        self.scratch = scratch
        self.sizes = sizes
        self.repeats = repeats
        self.loads: list[list[Any]] = []
        self.count = 0

    def path(self, name: str) -> Path:
        self.count += 1
        return self.scratch / f"{self.count:03d}-{name}"

    def note_load(self, label: str) -> None:
        """The load average and the CPU counters (/proc/stat) as a phase starts."""
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        self.loads.append({"phase": label, "load": os.getloadavg(), "cpu": [int(x) for x in cpu]})

    def engine(
        self,
        programs: list[str],
        size: int,
        discovery: Path | None,
        *extra: str,
        label: str = "",
        previews: int | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Per program: {"size", "runs"} (the programs take turns in one worker)."""
        out = self.path(f"engine-{size}.json")
        self.note_load(f"engine N={size}{label}")
        log(f"engine: {', '.join(programs)}; {size} deployments, {self.repeats} repeats")
        worker(
            "engine_worker",
            *("--programs", ",".join(programs), "--size", str(size), "--url", self.url),
            *("--workdir", str(self.path("work")), "--repeats", str(self.repeats)),
            *("--preview-repeats", str(previews or self.repeats)),
            *("--out", str(out)),
            *(["--discovery", str(discovery)] if discovery else []),
            *extra,
        )
        runs = json.loads(out.read_text())["runs"]
        return {p: {"size": size, "runs": [r for r in runs if r["program"] == p]} for p in programs}

    def mocks(self, size: int, discovery: Path) -> dict[str, list[dict[str, Any]]]:
        """Per variant, one result per fresh process (the variants take turns)."""
        runs: dict[str, list[dict[str, Any]]] = {"synced": [], "static": []}
        self.note_load(f"mocks N={size}")
        log(f"mocks: synced, static; {size} deployments, {self.repeats} fresh processes each")
        for i in range(self.repeats):
            for variant, results in runs.items():
                out = self.path(f"mocks-{variant}-{size}.json")
                worker(
                    "mocks_worker",
                    *("--variant", variant, "--size", str(size), "--url", self.url),
                    *("--discovery", str(discovery), "--out", str(out)),
                    *(["--traced", "--warm"] if i == 0 else []),
                )
                results.append(json.loads(out.read_text()))
        return runs

    def all(self) -> dict[str, Any]:
        results: dict[str, Any] = {
            "engine": {"synced": {}, "static": {}},
            "mocks": {"synced": {}, "static": {}},
        }
        biggest = max(self.sizes)
        with AdminClient(self.url) as admin:
            admin.reset(seed=True)
        results["engine"]["empty"] = self.engine(["empty"], 0, None)["empty"]
        for size in self.sizes:
            discovery = self.path(f"discovery-{size}.json")
            discovery.write_text(discovery_to_json(seed(self.url, size)))
            # Twice the previews: the preview ratio is the headline figure.
            pairs = self.engine(["synced", "static"], size, discovery, previews=2 * self.repeats)
            for program, result in pairs.items():
                results["engine"][program][str(size)] = result
            for variant, runs in self.mocks(size, discovery).items():
                results["mocks"][variant][str(size)] = runs
            if size == biggest:
                results["latency"] = [self.latency(size, discovery, d) for d in LATENCIES]
                results["checks"] = self.checks(discovery)
                results["mocks_profile"] = self.mocks_profile(size, discovery)
        modules = results["mocks"]["synced"][str(biggest)][0]["k8s_modules"]
        self.note_load("imports")
        log("imports")
        results["imports"] = imports.measure(modules, self.repeats)
        return results

    def latency(self, size: int, discovery: Path, delay: float) -> dict[str, Any]:
        """Previews with every control-plane request delayed by `delay`, by the server."""
        log(f"engine with {delay * 1000:.0f} ms per request")
        with AdminClient(self.url) as admin:
            admin.add_fault("latency", latency=delay)
            try:
                runs = self.engine(
                    ["synced", "static"],
                    *(size, discovery, "--previews-only"),
                    label=f", previews, {delay * 1000:.0f} ms per request",
                )
            finally:
                admin.clear_faults()
        return {"latency_s": delay, **runs}

    def checks(self, discovery: Path) -> dict[str, Any]:
        self.note_load("checks")
        log("checks, one at a time, and their profile")
        out, prof = self.path("checks.json"), self.path("checks.prof")
        worker("check_worker", "--url", self.url, "--discovery", str(discovery), "--out", str(out))
        result: dict[str, Any] = json.loads(out.read_text())
        worker(
            "check_worker",
            *("--url", self.url, "--discovery", str(discovery)),
            *("--out", str(out), "--profile", str(prof)),
        )
        result["profile"] = profiles.summarize(str(prof))
        return result

    def mocks_profile(self, size: int, discovery: Path) -> dict[str, Any]:
        self.note_load("mocks profile")
        log(f"profile of the mocked program, {size} deployments")
        out, prof = self.path("profile.json"), self.path("mocks.prof")
        worker(
            "mocks_worker",
            *("--variant", "synced", "--size", str(size), "--url", self.url),
            *("--discovery", str(discovery), "--out", str(out), "--profile", str(prof)),
        )
        return profiles.summarize(str(prof))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Measure what a sync costs and write docs/benchmarks.md."
    )
    parser.add_argument(
        "--sizes", default="1,10,50", help="deployments per stack (default 1,10,50)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="raw results")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite --out from --json, measure nothing"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        args.out.write_text(report.render(json.loads(args.json.read_text())))
        return

    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if len(sizes) < 2 or min(sizes) < 1 or args.repeats < 1:
        parser.error("at least two sizes >= 1 and one repeat")
    started = time.time()
    command = " ".join(
        [".venv/bin/python -m benchmarks.run", *map(shlex.quote, (argv or sys.argv[1:]))]
    )
    meta: dict[str, Any] = {
        "command": command,
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "sizes": sizes,
        "repeats": args.repeats,
        "machine": machine(),
        "git": git_state(),
    }
    log(f"{command}: sizes {sizes}, {args.repeats} repeats")
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch, run_server() as url:
        bench = Bench(url, Path(scratch), sizes, args.repeats)
        results = bench.all()
        bench.note_load("end")
    meta["duration_s"] = time.time() - started
    meta["loads"] = bench.loads
    results["meta"] = meta
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    args.out.write_text(report.render(results))
    log(f"done in {meta['duration_s'] / 60:.1f} min: {args.out}")


if __name__ == "__main__":
    main()
