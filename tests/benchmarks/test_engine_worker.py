"""The engine worker, for real: the full data plane, the static program and the empty one,
each previewed, `up`-ed and previewed again through the CLI and the language host, at N=1.
The two programs render the same Kubernetes objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from benchmarks import engine_worker, static_dataplane
from benchmarks.fixtures import pulumi_config, seed
from benchmarks.records import OPS
from local_controlplane.testing import run_server

pytestmark = pytest.mark.integration


def rendered(folder: Path) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of every manifest the Kubernetes provider rendered."""
    found = set()
    for path in folder.rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                meta = doc.get("metadata") or {}
                found.add((doc["kind"], meta.get("namespace", ""), meta["name"]))
    return found


def test_each_program_runs_and_the_two_render_the_same_objects(tmp_path: Path) -> None:
    with run_server() as url:
        seed(url, 1)
        objects = tmp_path / "objects.json"
        objects.write_text(json.dumps({"objects": static_dataplane.record(*pulumi_config(url))}))
        out = tmp_path / "out.json"
        engine_worker.main(
            [
                *("--programs", "dataplane,static,empty", "--size", "1", "--url", url),
                *("--workdir", str(tmp_path / "run"), "--repeats", "1"),
                *("--out", str(out), "--resources", str(objects)),
            ]
        )
    runs = json.loads(out.read_text())["runs"]
    got = {(r["program"], r["op"]): r for r in runs}
    assert set(got) == {(p, op) for p in ("dataplane", "static", "empty") for op in OPS}
    for (program, op), r in got.items():
        assert r["wall_s"] > 0 and r["tree_peak_bytes"] > 50 * 2**20, (program, op)
        assert "CLI (Go engine)" in r["cpu_by_process_s"] and "program (Python)" in r["timeline_s"]
        if program == "dataplane":
            assert r["requests"] <= 1 + 2, (op, r["by_route"])  # N+2
            assert "dynamic-provider host (Python)" in r["cpu_by_process_s"]
        else:
            assert r["requests"] == 0
    assert got[("dataplane", "noop-preview")]["changes"].keys() == {"same"}
    assert (
        got[("static", "up")]["changes"]["create"]
        == len(json.loads(objects.read_text())["objects"]) + 2
    )  # the stack and the Kubernetes provider
    manifests = tmp_path / "run" / "manifests"
    ours, theirs = rendered(manifests / "dataplane-up-0"), rendered(manifests / "static-up-0")
    assert ours == theirs and len(ours) > 15
