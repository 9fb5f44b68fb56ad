"""The benchmark script's pieces work (benchmarks/): not a timed test, nothing is measured.

The engine itself runs in test_engine_worker.py; here: the process-tree sampler, the
statistics, the control-plane fixtures, the no-network check, and the profile readers.
"""

from __future__ import annotations

import cProfile
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks import engine_profile, fit, procmem, profiles
from benchmarks.fixtures import discovery_from_json, discovery_to_json, pulumi_config, seed
from benchmarks.imports import _ROW
from benchmarks.static_providers import STATIC_IMAGE, StaticRevisionSyncProvider, static_resolve
from components.config import NAMESPACE, parse_stack_config
from components.providers import connection, revision_sync
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
    # Each process by its role (a plain python child: its name), and when it ran.
    assert sum(peak.cpu_by_role().values()) >= 0
    (span,) = [v for k, v in peak.timeline().items() if k.startswith("python")]
    assert 0 <= span[0] <= span[1] <= 5


def test_processes_are_told_apart_by_their_command_line() -> None:
    bin_ = "/cache/toolchain/bin"
    assert procmem.role(f"{bin_}/pulumi --non-interactive preview", "pulumi") == "CLI (Go engine)"
    assert procmem.role(f"{bin_}/pulumi-language-python 127.0.0.1:1", "x") == "language host"
    assert procmem.role(f"/v/bin/python {bin_}/pulumi-language-python-exec --monitor", "py") == (
        "program (Python)"
    )
    assert procmem.role("/v/bin/python -m pip list --format json", "py").startswith(
        "language host's pip checks"
    )
    assert procmem.role("/p/pulumi-resource-kubernetes 127.0.0.1:1", "x") == "kubernetes plugin"
    assert procmem.role("/p/pulumi-resource-pulumi-python", "x").startswith("dynamic-provider")
    assert procmem.role("", "mystery") == "mystery"
    assert procmem.role("", "pulumi") == "CLI (Go engine)"  # no command line to read


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
    # Waiting and module loading are told apart from the libraries' own work.
    assert profiles.kind_of("~", "<method 'poll' of 'select.epoll' objects>") == profiles.WAITING
    assert profiles.kind_of("/x/grpc/_channel.py", "_blocking") == profiles.WAITING
    assert profiles.kind_of("~", "<built-in method marshal.loads>") == profiles.IMPORTS


PPROF_TOP = """File: pulumi
Type: cpu
Duration: 5.31s, Total samples = 750ms (14.12%)
Showing nodes accounting for 470ms, 62.67% of 750ms total
      flat  flat%   sum%        cum   cum%
      70ms  9.33%  9.33%       70ms  9.33%  crypto/internal/fips140/sha256.blockSHANI
      60ms  8.00% 17.33%       80ms 10.67%  runtime.scanObject
    1.20s 14.00% 31.33%      2.5s 33.33%  pkg/v3/resource/deploy.(*stepExecutor).worker
"""


def test_the_engine_profile_is_read_from_pprof_top() -> None:
    top = engine_profile.parse_top(PPROF_TOP)
    assert top["total_s"] == pytest.approx(0.75)
    assert [r["function"] for r in top["top"]][:2] == [
        "crypto/internal/fips140/sha256.blockSHANI",
        "runtime.scanObject",
    ]
    last = top["top"][2]
    assert last["flat_s"] == pytest.approx(1.2) and last["cum_s"] == pytest.approx(2.5)
    assert last["function"].endswith("(*stepExecutor).worker")
