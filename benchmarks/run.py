"""The full data plane's cost in the engine, against a hand-written program: measure, then
write docs/benchmarks.md and docs/benchmarks.json.

    .venv/bin/python -m benchmarks.run                 # everything, about 40 minutes quiet
    .venv/bin/python -m benchmarks.run --quick         # N=1,2, one repeat: a few minutes
    .venv/bin/python -m benchmarks.run --render-only   # rewrite both from the last raw JSON

Starts the local control plane on loopback (in this process), and for each stack size
seeds exactly that many deployments bound to the benchmark's listener. Every measurement
runs in a fresh worker process, so this process (and the server's thread in it) stays out
of the timings: `static_dataplane` records the objects the data plane declares (the static
program's), `engine_worker` runs preview, first up and no-op preview of the full data
plane, the static program and (at the smallest size) the empty program, through the real
CLI and language host; the same previews with every request delayed; `engine_profile`
one profiled preview of each at the biggest size; `check_worker` one check at a time;
`imports` the import cost. Raw results go to .work/benchmarks/results.json.
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

from . import imports, records, report
from .fixtures import discovery_to_json, seed

DEFAULT_OUT = REPO / "docs" / "benchmarks.md"
DEFAULT_FIGURES = REPO / "docs" / "benchmarks.json"
DEFAULT_JSON = REPO / ".work" / "benchmarks" / "results.json"
WORKER_TIMEOUT = 3600  # seconds; a worker that takes longer is a failure, not a result
# Seconds added to each control-plane request, to stand for a remote control plane.
LATENCIES = (0.02, 0.05, 0.1)
QUICK = {"sizes": "1,2", "repeats": 1, "latencies": "0.05"}


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
        return done.stdout.rstrip()  # porcelain lines start with a status column: keep it

    dirty = git(
        "status", "--porcelain", "--", "components", "local_controlplane", "devtools", "benchmarks"
    )
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "dirty": dirty.splitlines()}


class Bench:
    def __init__(
        self, url: str, scratch: Path, sizes: list[int], repeats: int, latencies: list[float]
    ):
        self.url = url
        self.scratch = scratch
        self.sizes = sizes
        self.repeats = repeats
        self.latencies = latencies
        self.loads: list[dict[str, Any]] = []
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
        objects: Path,
        *extra: str,
        label: str = "",
        previews: int | None = None,
    ) -> dict[str, Any]:
        """{"size", "runs"}: the programs take turns in one worker."""
        out = self.path(f"engine-{size}.json")
        self.note_load(f"engine N={size}{label}")
        log(f"engine: {', '.join(programs)}; {size} deployments{label}, {self.repeats} repeats")
        worker(
            "engine_worker",
            *("--programs", ",".join(programs), "--size", str(size), "--url", self.url),
            *("--workdir", str(self.path("work")), "--repeats", str(self.repeats)),
            *("--preview-repeats", str(previews or self.repeats)),
            *("--out", str(out), "--resources", str(objects)),
            *extra,
        )
        return json.loads(out.read_text())  # type: ignore[no-any-return]

    def record(self, size: int) -> Path:
        """Seed `size` deployments; record the objects the data plane declares for them."""
        objects = self.path(f"objects-{size}.json")
        discovery = seed(self.url, size)
        worker("static_dataplane", "--url", self.url, "--out", str(objects))
        (objects.parent / f"discovery-{size}.json").write_text(discovery_to_json(discovery))
        return objects

    def all(self) -> dict[str, Any]:
        results: dict[str, Any] = {"engine": {}, "latency": [], "objects": {}}
        smallest, biggest = min(self.sizes), max(self.sizes)
        for size in self.sizes:
            objects = self.record(size)
            results["objects"][str(size)] = len(json.loads(objects.read_text())["objects"])
            # The empty program takes turns with the others at the smallest size: the floor.
            programs = ["dataplane", "static"] + (["empty"] if size == smallest else [])
            # Twice the previews: the preview ratio is the headline figure.
            results["engine"][str(size)] = self.engine(
                programs, size, objects, previews=2 * self.repeats
            )
            if size == biggest:
                for delay in self.latencies:
                    results["latency"].append(self.latency(size, objects, delay))
                results["profiles"] = self.profiles(size, objects)
                results["checks"] = self.checks(objects.parent / f"discovery-{size}.json")
                modules = json.loads(objects.read_text())["k8s_modules"]
        self.note_load("imports")
        log("imports")
        results["imports"] = imports.measure(modules, self.repeats)
        return results

    def latency(self, size: int, objects: Path, delay: float) -> dict[str, Any]:
        """Previews with every control-plane request delayed by `delay`, by the server."""
        with AdminClient(self.url) as admin:
            admin.add_fault("latency", latency=delay)
            try:
                runs = self.engine(
                    ["dataplane", "static"],
                    *(size, objects, "--previews-only"),
                    label=f", {delay * 1000:.0f} ms per request",
                )
            finally:
                admin.clear_faults()
        return {"latency_s": delay, **runs}

    def profiles(self, size: int, objects: Path) -> dict[str, Any]:
        self.note_load(f"profiles N={size}")
        log(f"one profiled preview of each program, {size} deployments")
        out = self.path("profiles.json")
        worker(
            "engine_profile",
            *("--programs", "dataplane,static", "--url", self.url),
            *("--workdir", str(self.path("profile")), "--out", str(out)),
            *("--resources", str(objects)),
        )
        return {"size": size, **json.loads(out.read_text())}

    def checks(self, discovery: Path) -> dict[str, Any]:
        self.note_load("checks")
        log("checks, one at a time")
        out = self.path("checks.json")
        worker("check_worker", "--url", self.url, "--discovery", str(discovery), "--out", str(out))
        return json.loads(out.read_text())  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Measure the full data plane in the engine; write docs/benchmarks.md/.json."
    )
    parser.add_argument("--sizes", default="1,10,50", help="deployments per stack (1,10,50)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--latencies",
        default=",".join(str(x) for x in LATENCIES),
        help="seconds added to each control-plane request (0.02,0.05,0.1)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="N=1,2, one repeat, 50 ms only: to check it works"
    )
    parser.add_argument(
        "--under-load",
        action="store_true",
        help="mark the figures as taken on a busy machine (the page says so)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--figures", type=Path, default=DEFAULT_FIGURES)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="raw results")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite --out and --figures from --json"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        write(json.loads(args.json.read_text()), args.out, args.figures)
        return
    if args.quick:
        args.sizes, args.repeats, args.latencies = (
            QUICK["sizes"],
            QUICK["repeats"],
            QUICK["latencies"],
        )

    sizes = sorted({int(s) for s in args.sizes.split(",")})
    latencies = [float(x) for x in args.latencies.split(",") if x.strip()]
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
        "latencies": latencies,
        "quick": args.quick,
        "under_load": args.under_load,
        "machine": machine(),
        "git": git_state(),
    }
    log(f"{command}: sizes {sizes}, {args.repeats} repeats, latencies {latencies}")
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch, run_server() as url:
        bench = Bench(url, Path(scratch), sizes, args.repeats, latencies)
        results = bench.all()
        bench.note_load("end")
    meta["duration_s"] = time.time() - started
    meta["loads"] = bench.loads
    results["meta"] = meta
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    write(results, args.out, args.figures)
    log(f"done in {meta['duration_s'] / 60:.1f} min: {args.out}, {args.figures}")


def write(results: dict[str, Any], page: Path, figures: Path) -> None:
    """The page and the figures, from the same records."""
    page.write_text(report.render(results))
    figures.write_text(json.dumps(records.to_json(results), indent=1) + "\n")


if __name__ == "__main__":
    main()
