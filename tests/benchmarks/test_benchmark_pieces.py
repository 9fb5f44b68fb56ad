"""The benchmark script's pieces work (benchmarks/): not a timed test, nothing is measured.

The engine itself is not started here (benchmarks/engine_worker.py needs the CLI and takes
minutes); everything it relies on is: the static baseline providers, the control-plane
fixtures, the process-tree sampler, the mocked full program, the statistics and the page.
"""

from __future__ import annotations

import base64
import cProfile
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import dill
import pytest
from harness import DYNAMIC, run_program

from benchmarks import fit, procmem, profiles, report
from benchmarks.engine_worker import program_for
from benchmarks.fixtures import config_of, pulumi_config, seed
from benchmarks.imports import _ROW
from benchmarks.programs import discovery_from_json, discovery_to_json, empty_program
from benchmarks.static_providers import (
    STATIC_IMAGE,
    StaticListenerProvider,
    StaticRevisionSyncProvider,
    static_resolve,
    swapped,
)
from components.config import NAMESPACE, parse_stack_config
from components.discovery import DiscoveredDeployment, Discovery
from components.providers import connection, listener_registration, revision_sync
from components.stack import build_sync
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import run_server


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv(connection.API_KEY_ENV, DEFAULT_API_KEY)
    connection.forget_clients()
    with run_server() as base_url:
        yield base_url
    connection.forget_clients()


def test_tree_sampler_counts_child_processes() -> None:
    child = "b = bytearray(64 * 1024 * 1024); import time; time.sleep(0.6)"
    with procmem.measure(interval=0.02) as peak:
        subprocess.run([sys.executable, "-c", child], check=True, timeout=30)
    assert peak.processes, "the child was never seen"
    assert procmem.mib(peak.children) >= 60
    assert peak.tree > peak.children > 0
    assert procmem.rss(2**22 + 12345) == 0  # a process that does not exist


def test_fit_and_growth() -> None:
    xs = [1, 10, 50]
    assert fit.line(xs, [2 + 3 * x for x in xs]) == fit.Line(2.0, 3.0, 1.0)
    assert fit.increments(xs, [1, 10, 50]) == [1.0, 1.0]
    assert fit.linear_or_better(xs, [2 + 0.1 * x for x in xs])
    assert fit.linear_or_better(xs, [2, 3, 4])  # sublinear
    assert not fit.linear_or_better(xs, [x * x for x in xs])  # quadratic
    assert fit.linear_or_better(xs, [x * x for x in xs], [0, 0, 5000])  # within the noise


def test_seed_serves_exactly_n_and_the_static_config_parses(url: str) -> None:
    found = seed(url, 3)
    assert len(found.deployments) == 3
    assert all(
        d.name.startswith("agent-") and d.namespace == "langgraph" for d in found.deployments
    )
    assert discovery_from_json(discovery_to_json(found)) == found

    raw, secret = pulumi_config(url, static=found)
    prefix = f"{NAMESPACE}:"
    config = parse_stack_config(
        {k[len(prefix) :]: v for k, v in raw.items()}, [k[len(prefix) :] for k in secret]
    )
    assert config.control_plane.discover is False
    static = {n: e.static for n, e in config.deployments.items()}
    assert sorted(static) == [d.name for d in found.deployments]
    assert all(s is not None and s.image == STATIC_IMAGE for s in static.values())


def test_the_static_check_answers_what_the_real_one_does(url: str) -> None:
    found = seed(url, 2)
    endpoint = connection.Endpoint(url, None, 10.0)
    for dep in found.deployments:
        props = {
            **endpoint.props(),
            "deployment_id": dep.id,
            "deployment_name": dep.name,
            "namespace": dep.namespace,
            "active_revision_id": dep.active_revision_id,
            "latest_revision_id": dep.latest_revision_id,
            "pinned_revision_id": None,
            "resource_spec": dep.resource_spec,
            "secrets": {"OPENAI_API_KEY": "sk-fake"},
        }
        assert static_resolve(props) == revision_sync.resolve(props)
        checked = StaticRevisionSyncProvider().check({}, props)
        assert checked.failures == [] and checked.inputs["image"] == STATIC_IMAGE
    created = StaticListenerProvider().create(
        {**endpoint.props(), "compute_id": "c", "namespaces": ["b", "a"], "listener_id": None}
    )
    assert created.outs["namespaces"] == ["a", "b"] and created.outs["listener_id"] == created.id


def _discovery(n: int) -> Discovery:
    return Discovery(
        listener_id="listener-1",
        deployments=[
            DiscoveredDeployment(
                id=f"id-{i}",
                name=f"agent-{i}",
                namespace="langgraph",
                active_revision_id=f"rev-{i}",
                latest_revision_id=f"rev-{i}",
                resource_spec={"min_scale": 1},
                secrets={"OPENAI_API_KEY": "sk-fake"},
            )
            for i in range(n)
        ],
    )


def _provider_class(registration: Any) -> type:
    return type(dill.loads(base64.b64decode(registration.inputs["__provider"])))


def test_the_baseline_declares_the_same_resources_with_other_providers() -> None:
    config = config_of("http://127.0.0.1:9")
    discovery = _discovery(2)

    def real() -> None:
        build_sync(config, discovery)

    def static() -> None:
        with swapped():
            build_sync(config, discovery)

    # By name: the order of registration varies from run to run.
    ours, baseline = (
        sorted(run_program(program).of_type(DYNAMIC), key=lambda r: r.name)
        for program in (real, static)
    )
    assert [r.name for r in ours] == [r.name for r in baseline]
    for a, b in zip(ours, baseline, strict=True):
        assert {k: v for k, v in a.inputs.items() if k != "__provider"} == {
            k: v for k, v in b.inputs.items() if k != "__provider"
        }
        assert a.secret_paths == b.secret_paths
    assert {_provider_class(r) for r in baseline} == {
        StaticRevisionSyncProvider,
        StaticListenerProvider,
    }
    # The real providers are back after the block.
    assert revision_sync.RevisionSyncProvider.__module__ == "components.providers.revision_sync"
    assert listener_registration.ListenerRegistrationProvider is not StaticListenerProvider


def test_the_full_program_runs_under_mocks_both_ways(url: str) -> None:
    from benchmarks.mocks_worker import run_once

    found = seed(url, 1)
    synced = run_once(*pulumi_config(url))
    static = run_once(*pulumi_config(url, static=found))
    for run in (synced, static):
        assert run["by_type"]["langgraph:dataplane:LangGraphServer"] == 1
        assert run["total_s"] > run["declare_s"] > 0
    # The synced run has one more resource: the deployment's RevisionSync.
    assert synced["resources"] == static["resources"] + 1


def test_engine_worker_programs() -> None:
    assert program_for("empty", None) is empty_program
    with pytest.raises(SystemExit):
        program_for("static", None)


def test_profile_summary_and_import_rows(tmp_path: Any) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    sorted(str(i) for i in range(10_000))
    profiler.disable()
    profiler.dump_stats(tmp_path / "p.prof")
    summary = profiles.summarize(str(tmp_path / "p.prof"), top=3)
    assert summary["total_s"] > 0 and len(summary["heaviest"]) <= 3
    assert profiles.area_of("/x/site-packages/pulumi_kubernetes/core/v1/_inputs.py") == (
        "pulumi_kubernetes (generated SDK)"
    )
    row = _ROW.match("import time:      1520 |      20331 |   pulumi_kubernetes.core.v1._inputs")
    assert row and row.group(4) == "pulumi_kubernetes.core.v1._inputs"


def _engine_result(program: str, size: int, base: float, per: float, reqs: int) -> dict:
    runs = []
    for i in range(3):
        for op, extra in (("preview", 0.0), ("up", 2.0), ("noop-preview", 0.1)):
            runs.append(
                {
                    "program": program,
                    "op": op,
                    "wall_s": base + extra + per * size + 0.01 * i,
                    "tree_peak_bytes": 250 * 2**20,
                    "engine_peak_bytes": 180 * 2**20,
                    "requests": reqs + (2 if op == "up" and reqs else 0),
                    "by_route": {"GET /v2/listeners": 1},
                    "connections": 2,
                    "changes": {"create": size + 2},
                    "served": size if op == "up" else None,
                }
            )
    return {"size": size, "runs": runs}


def _mocks_result(size: int, per: float) -> list[dict]:
    cold = {
        "total_s": 0.6 + per * size,
        "declare_s": 0.3,
        "config_and_discovery_s": 0.05,
        "resources": 23 * size,
    }
    return [
        {
            "cold": cold,
            "warm": {**cold, "total_s": cold["total_s"] - 0.4},
            "python_peak_bytes": 2**20 * size if i == 0 else None,
            "max_rss_bytes": 150 * 2**20,
            "k8s_modules": ["pulumi_kubernetes.core.v1"],
        }
        for i in range(3)
    ]


def _fake_results(sizes: list[int]) -> dict[str, Any]:
    summary = {
        "total_s": 1.0,
        "by_area": {"pulumi SDK": 0.6, "our code (components/)": 0.1},
        "heaviest": [
            {
                "function": "f (x.py:1)",
                "area": "pulumi SDK",
                "calls": 3,
                "tottime_s": 0.5,
                "cumtime_s": 0.6,
            }
        ],
        "ours_by_cumtime": [],
    }
    big = max(sizes)
    return {
        "meta": {
            "command": ".venv/bin/python -m benchmarks.run",
            "started": "2026-01-01 00:00 UTC",
            "duration_s": 600,
            "sizes": sizes,
            "repeats": 3,
            "git": {"commit": "abc1234", "dirty": []},
            "loads": [
                {"phase": "engine N=0", "load": [1.0, 1.0, 1.0], "cpu": [0] * 10},
                {
                    "phase": "end",
                    "load": [2.0, 1.5, 1.0],
                    "cpu": [50, 0, 10, 30, 0, 0, 0, 10, 0, 0],
                },
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
        "engine": {
            "empty": _engine_result("empty", 0, 1.4, 0, 0),
            "synced": {str(n): _engine_result("synced", n, 2.0, 0.03, n + 2) for n in sizes},
            "static": {str(n): _engine_result("static", n, 2.0, 0.02, 0) for n in sizes},
        },
        "latency": [
            {
                "latency_s": delay,
                "synced": _engine_result("synced", big, 2.0 + delay * (big + 2), 0.03, big + 2),
                "static": _engine_result("static", big, 2.0, 0.02, 0),
            }
            for delay in (0.02, 0.05)
        ],
        "mocks": {
            "synced": {str(n): _mocks_result(n, 0.2) for n in sizes},
            "static": {str(n): _mocks_result(n, 0.17) for n in sizes},
        },
        "checks": {
            "checks": big,
            "first_check_s": 0.08,
            "real_median_s": 0.004,
            "static_median_s": 0.00002,
            "profile": summary,
        },
        "mocks_profile": summary,
        "imports": {
            "median": {"pulumi": 0.3, "pulumi_kubernetes": 0.7, "components": 0.4},
            "heaviest": [["pulumi_kubernetes.core.v1._inputs", 0.4, 0.4]],
            "k8s_modules": 114,
        },
    }


def test_the_page_renders_with_the_command_targets_and_verdicts() -> None:
    page = report.render(_fake_results([1, 10, 50]))
    assert "```bash\n.venv/bin/python -m benchmarks.run\n```" in page
    for heading in ("## Machine", "## Targets", "## What could not be measured here"):
        assert heading in page
    targets = page.split("## Targets")[1].split("\n## ")[0]
    assert targets.count("**met**") >= 3 and "**not measurable here**" in targets
    assert "N=50: 52" in targets  # requests per preview against N+2
    assert "with 50 ms added to every control-plane request" in targets
    assert "they are made one at a time" in page
    assert "1.00 to 2.00" in page  # the load during the run
    assert "| engine N=0 | 1.00 | 60% | 10% |" in page  # busy and stolen CPU per phase
