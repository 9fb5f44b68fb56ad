"""The sharded fleet preview on a generated fleet: each shard's time at 1, 2 and 4 shards,
the merged report's size, and what 500 stacks would cost on 20 runners. Writes
docs/fleet-shards.md and docs/fleet-shards.json.

    .venv/bin/python -m benchmarks.fleet_shards                    # 60 stacks, 1, 2, 4 shards
    .venv/bin/python -m benchmarks.fleet_shards --stacks 6 --shards 1,2 --out /tmp/x.md
    .venv/bin/python -m benchmarks.fleet_shards --render-only     # docs/fleet-shards.md again

Generates the stacks (`benchmarks.fleet_stacks`) in a temporary project, starts the local
control plane on loopback (in this process) and registers what they name, then for each
shard count runs `python -m preview_report.fleet --shard i/n` for every shard, one after
another, each a dry run against that control plane rendering manifests, on a fresh
`file://` backend per shard count, then `python -m preview_report.fleet_merge`. The first
shard count's merge records the stacks' times (`--timings`); the later counts are split by
them. Every command has the time left of `--budget` (seconds): past it the benchmark stops
and says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.engine import REPO, Engine
from devtools.leftovers import run_in_session
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import run_server
from preview_report.fleet_shard import assign, read_timings, weights
from preview_report.touched import env_suffix

from . import fleet_stacks

DEFAULT_OUT = REPO / "docs" / "fleet-shards.md"
TARGET_STACKS = 500
TARGET_RUNNERS = 20
# Not measured here: a GitHub runner's checkout, setup-venv and Pulumi CLI before the fleet.
RUNNER_SETUP_SECONDS = 90
ATTEMPTS = 2


class OutOfTime(RuntimeError):
    pass


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp} load {os.getloadavg()[0]:.2f}] {message}", file=sys.stderr, flush=True)


def timed(command: list[str], env: dict[str, str], deadline: float) -> tuple[float, int, str]:
    """Run `command`; its wall seconds, exit status and stderr's tail."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutOfTime(shlex.join(command))
    started = time.monotonic()
    try:
        done = run_in_session(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=left
        )
    except subprocess.TimeoutExpired:
        raise OutOfTime(shlex.join(command)) from None
    return time.monotonic() - started, done.returncode, done.stderr[-2000:]


def run_count(
    count: int, work: Path, project: Path, url: str, env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    """Every shard of `count`, one after the other, then their merge."""
    out = work / f"out-{count}"
    (work / f"state-{count}").mkdir()
    timings = read_timings(work / "timings.json")
    stacks = sorted(p.name[7:-5] for p in (project / "stacks").glob("Pulumi.*.yaml"))
    split = assign(stacks, count, timings)
    cost = weights(stacks, timings)
    shards: list[dict[str, Any]] = []
    for i in range(1, count + 1):
        command = [
            str(REPO / ".venv/bin/python"),
            "-m",
            "preview_report.fleet",
            "--shard",
            f"{i}/{count}",
            "--timings",
            str(work / "timings.json"),
            "--project-dir",
            str(project),
            "--backend",
            f"file://{work / f'state-{count}'}",
            "--create-missing",
            "--policy-pack",
            str(REPO / "policy"),
            "--control-plane-url",
            url,
            "--render-dir",
            str(work / f"manifests-{count}"),
            "--jobs",
            str(args.jobs),
            "--out-dir",
            str(out),
            "-o",
            str(work / f"shard-{i}-of-{count}.md"),
        ]
        log(f"shard {i}/{count}: {len(split[i - 1])} stacks")
        failed_before = []
        for _ in range(ATTEMPTS):
            load = os.getloadavg()[0]
            seconds, code, err = timed(command, env, args.deadline)
            if code == 0:
                break
            # The machine is shared: a plugin killed from outside fails a stack. Once more.
            failed_before += [line for line in err.splitlines() if line.startswith("fleet: ")]
            log(f"shard {i}/{count}: exit {code} after {seconds:.1f} s: {failed_before}")
        part = json.loads((out / f"part-{i}-of-{count}.json").read_text())
        shards.append(
            {
                "shard": f"{i}/{count}",
                "stacks": len(part["outcomes"]),
                "seconds": round(seconds, 1),
                "exit_code": code,
                "recorded_seconds": round(sum(cost[s] for s in split[i - 1]) / 1000, 1)
                if timings
                else None,
                "part_bytes": (out / f"part-{i}-of-{count}.json").stat().st_size,
                # The machine is shared: its 1-minute load at the shard's start and end.
                "load": [round(load, 1), round(os.getloadavg()[0], 1)],
                "failed_attempts": failed_before,
            }
        )
        log(f"shard {i}/{count}: {seconds:.1f} s, exit {code}")
        if code != 0:  # a stack that fails or blocks is no measurement of a preview
            raise RuntimeError(f"shard {i}/{count} exited {code}: {err}")
    parts = [str(out / f"part-{i}-of-{count}.json") for i in range(1, count + 1)]
    merge = [str(REPO / ".venv/bin/python"), "-m", "preview_report.fleet_merge"]
    merge += ["--out-dir", str(out), "-o", str(out / "merged.md")]
    if not timings:
        merge += ["--timings", str(work / "timings.json")]
    seconds, code, err = timed([*merge, *parts], env, args.deadline)
    if code != 0:
        raise RuntimeError(f"merge of {count} shards exited {code}: {err}")
    walls = [s["seconds"] for s in shards]
    return {
        "shards": count,
        "per_shard": shards,
        "slowest_shard_seconds": max(walls),
        "sum_seconds": round(sum(walls), 1),
        "merge_seconds": round(seconds, 2),
        "merge_exit_code": code,
        "fleet_md_bytes": (out / "fleet.md").stat().st_size,
        "fleet_json_bytes": (out / "fleet.json").stat().st_size,
        "split_by_recorded_times": bool(timings),
    }


def comparable(out: Path) -> tuple[str, dict[str, Any]]:
    """The merged Markdown, and fleet.json without its clock readings and shard count."""
    summary = json.loads((out / "fleet.json").read_text())
    for key in ("shards", "max_concurrent"):
        summary.pop(key)
    for stack in summary["stacks"]:
        for key in ("seconds", "started", "finished"):
            stack.pop(key)
    return (out / "fleet.md").read_text(), summary


def extrapolate(results: list[dict[str, Any]], stacks: int) -> dict[str, Any]:
    """500 stacks on 20 runners, from the seconds per stack (every shard count's shards
    summed, over the stacks, averaged over the counts) and the worst imbalance measured
    (slowest shard over the mean shard)."""
    per_stack = sum(r["sum_seconds"] for r in results) / len(results) / stacks
    imbalance = max(r["slowest_shard_seconds"] / (r["sum_seconds"] / r["shards"]) for r in results)
    per_runner = TARGET_STACKS / TARGET_RUNNERS * per_stack
    return {
        "stacks": TARGET_STACKS,
        "runners": TARGET_RUNNERS,
        "seconds_per_stack": round(per_stack, 2),
        "imbalance": round(imbalance, 3),
        "runner_setup_seconds": RUNNER_SETUP_SECONDS,
        "slowest_shard_seconds": round(per_runner * imbalance, 0),
        "wall_seconds": round(RUNNER_SETUP_SECONDS + per_runner * imbalance, 0),
        "runner_minutes": round(
            (TARGET_RUNNERS * RUNNER_SETUP_SECONDS + TARGET_STACKS * per_stack) / 60, 0
        ),
        "one_runner_seconds": round(TARGET_STACKS * per_stack, 0),
    }


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def planned_imbalance(doc: dict[str, Any]) -> float:
    """The worst slowest-over-mean shard by the recorded times the split balanced."""
    worst = 1.0
    for r in doc["results"]:
        planned = [s["recorded_seconds"] for s in r["per_shard"]]
        if None not in planned and sum(planned):
            worst = max(worst, max(planned) * len(planned) / sum(planned))
    return worst - 1


def render(doc: dict[str, Any]) -> str:
    x = doc["extrapolation"]
    lines = [
        "# The sharded fleet preview: measured",
        "",
        f"`{doc['command']}` at commit `{doc['commit']}`, {doc['date']}: {doc['stacks']} "
        f"generated stacks (copies of the example stack files, `benchmarks/fleet_stacks.py`), "
        f"each shard a dry run (`preview_report.fleet --shard i/n --jobs {doc['jobs']}` "
        "against the local control plane, manifests rendered, the policy pack on), the "
        f"shards one after another on this machine ({doc['cpus']} cores, shared with other "
        f"work; load average {doc['load_before']} before, {doc['load_after']} after). "
        "Raw figures: [fleet-shards.json](fleet-shards.json).",
        "",
        "The one-shard run records each stack's time (the merge's `--timings`); the 2- and "
        "4-shard runs are split by those times. A stack's time runs from the start of its "
        f"turn to the end of its preview, {doc['jobs']} at once: a shard's summed times are "
        f'about {doc["jobs"]} times its wall time. "load" is the machine\'s 1-minute load '
        "average (other work shares it): shard times move with it.",
        "",
        "| shards | shard | stacks | seconds | its stacks' recorded seconds, summed | load "
        "at start, end | exit |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in doc["results"]:
        for s in r["per_shard"]:
            recorded = "—" if s["recorded_seconds"] is None else f"{s['recorded_seconds']}"
            lines.append(
                f"| {r['shards']} | {s['shard']} | {s['stacks']} | {s['seconds']} | {recorded} "
                f"| {s['load'][0]}, {s['load'][1]} | {s['exit_code']} |"
            )
    retried = [
        f"{s['shard']} ({'; '.join(s['failed_attempts'])})"
        for r in doc["results"]
        for s in r["per_shard"]
        if s["failed_attempts"]
    ]
    if retried:
        lines += [
            "",
            "Run a second time after a failed attempt (its time is the second's): "
            + ", ".join(retried)
            + ".",
        ]
    lines += [
        "",
        "| shards | slowest shard (s) | all shards (s) | merge (s) | fleet.md | fleet.json "
        "| partial reports, total | same report as one shard |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["results"]:
        parts = sum(s["part_bytes"] for s in r["per_shard"])
        lines.append(
            f"| {r['shards']} | {r['slowest_shard_seconds']} | {r['sum_seconds']} "
            f"| {r['merge_seconds']} | {r['fleet_md_bytes']:,} B | {r['fleet_json_bytes']:,} B "
            f"| {parts:,} B | {r['same_as_one_shard']} |"
        )
    lines += [
        "",
        '"Same report": the merged `fleet.md` equals the one-shard run\'s byte for byte, and '
        "`fleet.json` but for the clock readings (each stack's `seconds`, `started`, "
        "`finished`; `max_concurrent`) and `shards`. `fleet.md` is the pull request's comment, "
        "cut at 60,000 characters as every fleet report is (`render.fit`); the partial "
        "reports hold every stack's analysed report in full.",
        "",
        f"## {x['stacks']} stacks on {x['runners']} runners (extrapolated)",
        "",
        f"- {x['seconds_per_stack']} s per stack: all shards' seconds over the stacks, the "
        f"mean of the shard counts ({doc['jobs']} previews at once on {doc['cpus']} cores), "
        "measured under the load above: a runner with 2 cores of its own should do better. "
        "Stacks like the examples are assumed (51 to 57 resources, all to create).",
        f"- {x['stacks'] // x['runners']} stacks per runner, times {x['imbalance']}: the worst "
        "slowest-over-mean shard measured here. By their recorded times the shards were "
        f"within {planned_imbalance(doc):.1%} of the mean: the rest is the load changing "
        "between shards run one after another.",
        f"- {x['runner_setup_seconds']} s per runner before the fleet (checkout, "
        "`setup-venv.sh`, the Pulumi CLI): assumed, not measured here (no GitHub runner).",
        "",
        f"**About {x['wall_seconds']:.0f} s ({x['wall_seconds'] / 60:.1f} min) from the "
        f"matrix's start to the last shard's end**, the slowest shard "
        f"{x['slowest_shard_seconds']:.0f} s of it, then the merge job; "
        f"**about {x['runner_minutes']:.0f} runner-minutes** in all. One runner would take "
        f"{x['one_runner_seconds']:.0f} s ({x['one_runner_seconds'] / 3600:.1f} h) for the "
        "previews alone.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fleet_shards", description=__doc__)
    p.add_argument("--stacks", type=int, default=60)
    p.add_argument("--shards", default="1,2,4", help="shard counts, the first one recording")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--budget", type=float, default=3600, help="seconds for everything")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--keep", type=Path, help="work in this new folder and keep it (to debug)")
    p.add_argument(
        "--render-only", action="store_true", help="rewrite --out from its .json, measure nothing"
    )
    args = p.parse_args(argv)
    if args.render_only:
        args.out.write_text(render(json.loads(args.out.with_suffix(".json").read_text())))
        return 0
    counts = [int(n) for n in args.shards.split(",")]
    if counts[0] != 1:
        p.error("--shards must start with 1 (it records the times the others split by)")
    args.deadline = time.monotonic() + args.budget
    argv_text = " ".join(argv if argv is not None else sys.argv[1:])
    command = f".venv/bin/python -m benchmarks.fleet_shards {argv_text}".strip()
    load_before = round(os.getloadavg()[0], 2)
    measured = commit()  # at the start: what is measured, whatever is committed meanwhile
    engine = Engine.load()
    results = []
    with tempfile.TemporaryDirectory(prefix="fleet-shards-") as scratch:
        work = args.keep or Path(scratch)
        project = fleet_stacks.write_project(work / "project")
        passphrases = fleet_stacks.generate(project, args.stacks)
        with run_server(work / "cp.json") as url:
            log(f"{fleet_stacks.seed(project, url, DEFAULT_API_KEY)} objects registered")
            env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG_PASS")}
            env.update(engine.env)
            env["LANGGRAPH_CONTROL_PLANE_API_KEY"] = DEFAULT_API_KEY
            for stack, phrase in passphrases.items():
                env[f"PULUMI_CONFIG_PASSPHRASE_{env_suffix(stack)}"] = phrase
            try:
                for count in counts:
                    results.append(run_count(count, work, project, url, env, args))
            except OutOfTime as exc:
                log(f"out of time (--budget {args.budget:.0f} s) at: {exc}")
                return 1
        one_md, one_stacks = comparable(work / "out-1")
        for r in results:
            md, stacks = comparable(work / f"out-{r['shards']}")
            r["same_as_one_shard"] = md == one_md and stacks == one_stacks
        timings = json.loads((work / "timings.json").read_text())
    doc = {
        "command": command,
        "commit": measured,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "stacks": args.stacks,
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 2),
        "results": results,
        "extrapolation": extrapolate(results, args.stacks),
        "recorded_timings": timings["seconds"],
    }
    args.out.write_text(render(doc))
    args.out.with_suffix(".json").write_text(json.dumps(doc, indent=2) + "\n")
    log(f"wrote {args.out} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
