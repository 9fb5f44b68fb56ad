"""The figures, targets and page of a run, from made-up raw results: one record per figure
in docs/benchmarks.json, ratios of runs made in turns, and verdicts that can fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks import records, report

SIZES = [1, 10, 50]


def run(
    program: str, op: str, wall: float, requests: int, resources: int, memory: float = 1.0
) -> dict[str, Any]:
    return {
        "program": program,
        "op": op,
        "wall_s": wall,
        "tree_peak_bytes": 400 * 2**20 * memory,
        "peak_by_role_bytes": {"CLI (Go engine)": 200 * 2**20 * memory},
        "cpu_by_process_s": {"CLI (Go engine)": wall / 3, "program (Python)": wall / 4},
        "timeline_s": {"CLI (Go engine)": [0.1, wall], "program (Python)": [1.0, wall - 0.1]},
        "requests": requests,
        "by_route": {},
        "changes": {"create": resources},
        "resources": resources,
    }


def engine(
    n: int, ours: float, static: float, requests: int, empty: bool, memory: float = 1.0
) -> dict[str, Any]:
    runs = []
    jitter = (0.0, 0.1, -0.1)
    ratio = ours / static
    for i in range(3):
        for op, extra in (("preview", 0.0), ("up", 2.0), ("noop-preview", 0.2)):
            wall = (static + extra) * ratio + jitter[i]
            runs.append(run("dataplane", op, wall, requests, 23 * n + 7, memory))
            runs.append(run("static", op, static + extra + jitter[i], 0, 21 * n + 2))
            if empty:
                runs.append(run("empty", op, 1.5 + extra / 2, 0, 1))
    return {"size": n, "runs": runs}


def results(
    *, ratio: float = 1.02, remote: float = 1.1, requests_extra: int = 0, memory: float = 1.0
) -> dict:
    engine_runs = {
        str(n): engine(
            n, (2 + 0.1 * n) * ratio, 2 + 0.1 * n, n + 2 + requests_extra, n == 1, memory
        )
        for n in SIZES
    }
    latency = [
        {"latency_s": lat, **engine(50, 7.0 * remote, 7.0, 52, False)} for lat in (0.02, 0.05, 0.1)
    ]
    for entry in latency:
        entry["runs"] = [r for r in entry["runs"] if r["op"] == "preview"]
    profile = {
        "wall_s": 7.0,
        "cpu_by_process_s": {},
        "engine": {"total_s": 0.7, "top": [{"function": "f", "flat_s": 0.1, "cum_s": 0.2}]},
        "program": {
            "total_s": 3.0,
            "by_area": {"pulumi SDK": 1.0, "our code (components/)": 0.1},
            "heaviest": [],
            "ours_by_cumtime": [
                {"function": "main (components/program.py:1)", "calls": 1, "cumtime_s": 1.0}
            ],
        },
    }
    return {
        "engine": engine_runs,
        "latency": latency,
        "objects": {"50": 1000},
        "profiles": {"size": 50, "dataplane": profile, "static": profile},
        "checks": {
            "checks": 50,
            "first_check_s": 0.05,
            "real_median_s": 0.003,
            "prefetched_median_s": 0.00003,
            "static_median_s": 0.00002,
        },
        "imports": {
            "median": {"pulumi": 0.3, "pulumi_kubernetes": 0.7, "components": 0.5},
            "k8s_modules": 114,
        },
        "meta": {
            "command": ".venv/bin/python -m benchmarks.run",
            "started": "2026-01-01 00:00 UTC",
            "duration_s": 2400,
            "sizes": SIZES,
            "repeats": 3,
            "git": {"commit": "abc1234", "dirty": [" M components/x.py"]},
            "loads": [
                {"phase": "engine N=1", "load": [1.0, 1.0, 1.0], "cpu": [0] * 10},
                {"phase": "end", "load": [2.0, 1.5, 1.0], "cpu": [50, 0, 10, 30, 0, 0, 0, 10]},
            ],
            "machine": {
                "cores": 2,
                "cpu": "cpu",
                "memory_gib": 24,
                "os": "Linux",
                "python": "3.11",
                "pulumi_cli": "v3.259.0",
                "pulumi_sdk": "3.259.0",
                "pulumi_kubernetes_sdk": "4.32.0",
                "kubernetes_plugin": "4.32.0",
                "random_plugin": "4.19.1",
            },
        },
    }


def test_one_record_per_figure_with_its_baseline_and_ratio() -> None:
    out = records.to_json(results())
    json.dumps(out)  # plain data
    figures = out["figures"]
    keys = {"name", "kind", "n", "latency_ms", "median", "min", "max", "baseline", "ratio"}
    assert all(keys <= set(f) for f in figures)
    assert len({f["name"] for f in figures}) == len(figures), "one record per figure"
    preview = next(
        f for f in figures if f["name"] == "full data plane, preview, N=50, loopback: time"
    )
    assert preview["baseline"] == "static program, preview, N=50, loopback"
    assert preview["median"] == pytest.approx(7.0 * 1.02)
    assert preview["ratio"] == pytest.approx(1.02, rel=0.01)
    assert preview["min"] < preview["median"] < preview["max"] and preview["runs"] == 3
    remote = next(
        f for f in figures if f["name"] == "full data plane, preview, N=50, 50 ms per request: time"
    )
    assert remote["latency_ms"] == 50 and remote["ratio"] == pytest.approx(1.1)
    requests = [f for f in figures if f["kind"] == "control-plane requests"]
    assert {(f["n"], f["baseline"], f["ratio"]) for f in requests if f["op"] == "up"} == {
        (1, "N+2", 1.0),
        (10, "N+2", 1.0),
        (50, "N+2", 1.0),
    }
    floor = next(f for f in figures if f["kind"] == "time against the engine's floor")
    assert floor["n"] == 1 and floor["baseline"] == "empty program, no-op preview, N=0, loopback"
    fits = {(f["program"], f["op"]): f for f in out["fits"]}
    assert fits[("static", "preview")]["per_deployment_s"] == pytest.approx(0.1)
    assert fits[("dataplane", "up")]["linear_or_better"]


def verdicts(raw: dict) -> dict[str, bool | None]:
    return {t["figure"].split(",")[0]: t["met"] for t in records.to_json(raw)["targets"]}


def test_targets_are_met_or_missed_by_the_figures() -> None:
    met = verdicts(results(ratio=1.02, remote=1.1))
    assert met["full data plane preview at N=50"] is True
    assert met["same"] is True
    assert met["requests per preview"] is True
    assert met["time against N (full data plane)"] is True
    assert met["no-op preview at N=1"] is True
    assert met["peak memory of the preview at N=50"] is True
    missed = verdicts(results(ratio=1.35, remote=1.5, requests_extra=2, memory=1.2))
    assert missed["full data plane preview at N=50"] is False
    assert missed["same"] is False
    assert missed["requests per preview"] is False
    # (2.1 + 0.2) * 1.35 / (2.1 + 0.2) at N=1: above 1.30.
    assert missed["no-op preview at N=1"] is False
    assert missed["peak memory of the preview at N=50"] is False
    assert missed["peak memory of the first up at N=50"] is False


def test_a_quadratic_growth_fails_the_linear_target() -> None:
    raw = results()
    for n in SIZES:
        for r in raw["engine"][str(n)]["runs"]:
            if r["program"] == "dataplane":
                r["wall_s"] = 2 + 0.01 * n * n
    assert verdicts(raw)["time against N (full data plane)"] is False


def test_the_page_shows_the_command_targets_sections_and_warnings() -> None:
    raw = results(ratio=1.3)
    page = report.render(raw)
    assert "```bash\n.venv/bin/python -m benchmarks.run\n```" in page
    for heading in (
        "## Machine",
        "## Targets",
        "## 1. The full data plane and the static program",
        "## 2. A remote control plane",
        "## 3. Time against N",
        "## 4. What stands in the way, measured",
    ):
        assert heading in page
    assert "uncommitted changes in components/x.py" in page
    assert "| engine N=1 | 1.00 | 60% | 10% |" in page
    assert "**missed**" in page and "Missed: full data plane preview at N=50" in page
    assert "At N=50 it declares 1000 objects." in page
    assert "quick run" not in page and "Taken under load" not in page
    raw["meta"].update(quick=True, under_load=True)
    page = report.render(raw)
    assert "**A quick run**" in page and "**Taken under load**" in page
