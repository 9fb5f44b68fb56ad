"""The fleet preview through the real engine: `python -m preview_report.fleet`, as CI runs it.

Each run is the command in a subprocess with the toolchain's environment: the real CLI and
language host, the project's own program, the kubernetes and random plugins, the policy
pack in its own virtualenv, a `file://` backend, and a local control plane on loopback.

- The checkout's own stack files, every one of them (dev, acme-prod, and any other in
  stacks/), in one dry run: against the local control plane, rendering manifests. Then the
  same run in two shards (`--shard 1/2`, `--shard 2/2`, split by the times the single run
  recorded), merged by `python -m preview_report.fleet_merge`: the single run's report.
- A project copy whose fleet has what must block a merge: a data-loss risk (the dev stack,
  after `up`, changes its volumes' storage class), a policy violation (a second stack on
  dev's listener), a preview that fails (an unknown config key) and a stack that cannot
  even be opened (no passphrase); then the risk accepted with `--accept-data-loss`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.engine import DEV_PASSPHRASE, REPO, Engine
from devtools.example_fleet import seed_fleet
from devtools.leftovers import run_in_session
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import run_server
from preview_report.fleet_render import FLEET_MARKER
from preview_report.render import marker
from preview_report.workspaces import Project
from tests.integration.dataplane_project import DataplaneProject
from tests.integration.dataplane_project import engine as load_engine

pytestmark = pytest.mark.integration

# Documented in the stack files' headers.
ACME_PASSPHRASE = "acme-example-passphrase"
STANDALONE_PASSPHRASE = "standalone-example-passphrase"


@dataclass
class FleetRun:
    returncode: int
    stderr: str
    report: str
    summary: dict[str, Any]
    out_dir: Path

    def stack(self, name: str) -> dict[str, Any]:
        return next(s for s in self.summary["stacks"] if s["stack"] == name)


def run_module(
    engine: Engine, module: str, *args: str | Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`python -m <module> ARGS` with the toolchain's environment and `env`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG_PASS")}
    environment.update(engine.env)
    environment.update(env)
    # Its own session, killed whole at the end: on the timeout, no CLI or plugin is left.
    return run_in_session(
        [REPO / ".venv/bin/python", "-m", module, *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def read_run(done: subprocess.CompletedProcess[str], out_dir: Path) -> FleetRun:
    assert (out_dir / "fleet.json").exists(), done.stderr[-3000:]
    return FleetRun(
        done.returncode,
        done.stderr,
        (out_dir / "fleet.md").read_text(),
        json.loads((out_dir / "fleet.json").read_text()),
        out_dir,
    )


def run_fleet(engine: Engine, out_dir: Path, *args: str, env: dict[str, str]) -> FleetRun:
    done = run_module(engine, "preview_report.fleet", "--out-dir", out_dir, *args, env=env)
    return read_run(done, out_dir)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


@pytest.fixture(scope="module")
def controlplane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_server(tmp_path_factory.mktemp("cp") / "state.json") as url:
        yield url


EXAMPLE_ENV = {
    "LANGGRAPH_CONTROL_PLANE_API_KEY": DEFAULT_API_KEY,
    "PULUMI_CONFIG_PASSPHRASE_DEV": DEV_PASSPHRASE,
    "PULUMI_CONFIG_PASSPHRASE_ACME_PROD": ACME_PASSPHRASE,
    "PULUMI_CONFIG_PASSPHRASE_STANDALONE_EXAMPLE": STANDALONE_PASSPHRASE,
}


@dataclass
class ExampleFleet:
    """The dry run of the checkout's stack files: its arguments and the single run."""

    args: list[str]
    run: FleetRun
    timings: Path


@pytest.fixture(scope="module")
def example_fleet(
    tmp_path_factory: pytest.TempPathFactory, engine: Engine, controlplane: str
) -> ExampleFleet:
    """Every stack file of the checkout, with the pack, two at a time, against the local
    control plane (holding what the stack files name) and rendering manifests; the times
    it measured recorded with `--timings`."""
    root = tmp_path_factory.mktemp("example-fleet")
    seed_fleet(controlplane, DEFAULT_API_KEY)
    (root / "state").mkdir()
    args = [
        "--project-dir",
        str(REPO),
        "--backend",
        f"file://{root / 'state'}",
        "--create-missing",
        "--control-plane-url",
        controlplane,
        "--render-dir",
        str(root / "manifests"),
        "--jobs",
        "2",
        "--timings",
        str(root / "timings.json"),
    ]
    run = run_fleet(engine, root / "out", *args, env=EXAMPLE_ENV)
    return ExampleFleet(args, run, root / "timings.json")


def test_the_example_stacks_in_one_dry_run(example_fleet: ExampleFleet) -> None:
    run = example_fleet.run
    expected = Project(REPO).stacks()
    assert {"dev", "acme-prod"} <= set(expected)
    assert run.returncode == 0, run.report
    assert [s["stack"] for s in run.summary["stacks"]] == expected
    for entry in run.summary["stacks"]:
        # Previewed by the engine with the pack: its summary names the pack that ran.
        assert entry["policy_packs"] == {"langgraph-dataplane": "0.1.0"}, entry
        assert not entry["failed"] and not entry["violations"] and not entry["blocking"]
        assert entry["has_changes"]  # a fresh backend: everything is created
        stack = entry["stack"]
        assert (run.out_dir / f"{stack}.md").read_text().startswith(marker(stack))
        assert json.loads((run.out_dir / f"{stack}.json").read_text())["steps"]
        assert f"<summary><b>{stack}</b>: changes</summary>" in run.report
    assert run.summary["max_concurrent"] == 2
    assert run.report.startswith(FLEET_MARKER)
    assert "**✅ Nothing blocks the merge.**" in run.report
    # Everything to create (the program's count changes with it); two deployments each.
    for stack in ("dev", "acme-prod"):
        assert re.search(
            rf"\| `{stack}` \| changes \| \d+ create \| 2 \| 0 \| 0 \| — \|", run.report
        )
    # acme-prod's own settings reached the preview: its two deployments and its ingress.
    acme = (run.out_dir / "acme-prod.md").read_text()
    assert "| `research-agent` | new deployment |" in acme
    assert "`dataplane-exposure-ingress-acme-agents`" in acme
    # The checkout's stack files were read, never written.
    assert "acme-prod-eks" in (REPO / "stacks" / "Pulumi.acme-prod.yaml").read_text()
    assert "dataplane:renderDir" not in (REPO / "stacks" / "Pulumi.acme-prod.yaml").read_text()


def test_the_example_stacks_in_shards(
    tmp_path: Path, engine: Engine, example_fleet: ExampleFleet
) -> None:
    """The same dry run as two shards, one after the other, split by the times the single
    run recorded; their merge is the single run's report: the same Markdown, and the same
    fleet.json but for the clock readings (each stack's `seconds`, `started`, `finished`;
    `max_concurrent`, which comes from them) and `shards`."""
    single = example_fleet.run
    recorded = json.loads(example_fleet.timings.read_text())["seconds"]
    stacks = Project(REPO).stacks()
    assert set(recorded) == set(stacks) and all(t > 0 for t in recorded.values())
    out = tmp_path / "out"
    for shard in ("1/2", "2/2"):
        done = run_module(
            engine,
            "preview_report.fleet",
            *example_fleet.args,
            "--shard",
            shard,
            "--out-dir",
            out,
            env=EXAMPLE_ENV,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    parts = [json.loads((out / f"part-{i}-of-2.json").read_text()) for i in (1, 2)]
    ran = [o["stack"] for part in parts for o in part["outcomes"]]
    assert sorted(ran) == stacks and all(part["outcomes"] for part in parts)
    assert not (out / "fleet.md").exists()  # a shard's part is not the fleet's report
    assert json.loads(example_fleet.timings.read_text())["seconds"] == recorded  # read only

    done = run_module(
        engine,
        "preview_report.fleet_merge",
        "--out-dir",
        out,
        out / "part-1-of-2.json",
        out / "part-2-of-2.json",
        env={},
    )
    merged = read_run(done, out)
    assert merged.returncode == single.returncode == 0, done.stderr
    assert merged.report == single.report
    clocks = {"seconds", "started", "finished"}
    for summary in (merged.summary, single.summary):
        for entry in summary["stacks"]:
            for key in clocks:
                del entry[key]
    assert merged.summary.pop("shards") == 2 and single.summary.pop("shards") == 1
    merged.summary.pop("max_concurrent")
    single.summary.pop("max_concurrent")
    assert merged.summary == single.summary
    for stack in stacks:  # each stack's own comment, as the single run wrote it
        assert (out / f"{stack}.md").read_text() == (single.out_dir / f"{stack}.md").read_text()

    # A part missing or given twice: the merge refuses, exit 2.
    refused = run_module(engine, "preview_report.fleet_merge", out / "part-1-of-2.json", env={})
    assert refused.returncode == 2 and "missing shard 2/2" in refused.stderr


def write_stack(project: Path, name: str, config: dict[str, Any], salt: str | None) -> None:
    doc: dict[str, Any] = {"config": config}
    if salt:
        doc = {"encryptionsalt": salt, **doc}
    (project / "stacks" / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))


@pytest.fixture(scope="module")
def blocked_fleet(
    tmp_path_factory: pytest.TempPathFactory, engine: Engine, controlplane: str
) -> Iterator[tuple[DataplaneProject, Path]]:
    """A project copy: dev deployed, then its volumes' storage class changed, beside stacks
    that violate the pack, fail, or cannot be opened."""
    root = tmp_path_factory.mktemp("fleet")
    project = DataplaneProject.create(root / "project", controlplane)
    dev = project.stack()
    assert dev.up(on_output=project.record).summary.result == "succeeded"
    dev_file = project.root / "stacks" / "Pulumi.dev.yaml"
    doc = yaml.safe_load(dev_file.read_text())
    doc["config"]["dataplane:postgres"] = {"deletionProtection": False, "storageClass": "gp3"}
    dev_file.write_text(yaml.safe_dump(doc))
    twin = {**doc["config"], "dataplane:renderDir": str(root / "twin-manifests")}
    write_stack(project.root, "twin", twin, doc["encryptionsalt"])
    # The other two on listeners of their own, so that only dev and twin share one.
    for name, extra, salt in (
        ("broken", {"dataplane:replicas": 3}, doc["encryptionsalt"]),
        ("locked", {}, "v1:c2FsdA==:v1:bm9wZQ==:bm9wZQ=="),
    ):
        control_plane = {**doc["config"]["dataplane:controlPlane"], "listenerComputeId": name}
        config = {
            **doc["config"],
            **extra,
            "dataplane:controlPlane": control_plane,
            "dataplane:renderDir": str(root / f"{name}-manifests"),
        }
        write_stack(project.root, name, config, salt)
    yield project, root


def fleet_args(project: DataplaneProject) -> list[str]:
    return [
        "--project-dir",
        str(project.root),
        "--backend",
        f"file://{project.root / 'state'}",
        "--create-missing",
        "--policy-pack",
        str(REPO / "policy"),
    ]


def test_what_blocks_a_merge(engine: Engine, blocked_fleet: tuple[DataplaneProject, Path]) -> None:
    project, root = blocked_fleet
    run = run_fleet(
        engine,
        root / "out-blocked",
        *fleet_args(project),
        "--jobs",
        "2",
        env={
            "PULUMI_CONFIG_PASSPHRASE_DEV": DEV_PASSPHRASE,
            "PULUMI_CONFIG_PASSPHRASE_TWIN": DEV_PASSPHRASE,
            "PULUMI_CONFIG_PASSPHRASE_BROKEN": DEV_PASSPHRASE,
        },
    )
    assert run.returncode == 1, run.report
    assert [s["stack"] for s in run.summary["stacks"]] == ["broken", "dev", "locked", "twin"]
    assert run.summary["max_concurrent"] == 2  # four stacks, two at a time
    dev, twin = run.stack("dev"), run.stack("twin")
    broken, locked = run.stack("broken"), run.stack("locked")

    # dev: its two volumes and the StatefulSets mounting them are replaced.
    assert dev["data_risks"] == 4 and not dev["data_loss_accepted"]
    assert "4 data-loss risks not accepted" in dev["blocking"]
    # dev and twin register the same listener: the pack's fleet rule reports both.
    for entry, other in ((dev, "twin"), (twin, "dev")):
        (violation,) = entry["violations"]
        assert violation["policy"] == "listener-namespaces-exclusive"
        assert violation["level"] == "mandatory"
        assert violation["message"].startswith(f"stack '{other}' registers the same listener")
        assert "1 mandatory policy violation" in entry["blocking"]
        assert not entry["failed"]  # failed by the pack, not broken
    # broken: the program refuses its config; the preview failed, the fleet went on.
    assert broken["failed"] and broken["blocking"] == ["the preview failed"]
    assert any("replicas" in e and "unknown key" in e for e in broken["errors"]), broken
    # locked: no passphrase for it: reported, never run.
    assert locked["failed"] and not locked["policy_packs"]
    assert "no passphrase for stack 'locked'" in locked["errors"][0]
    assert "PULUMI_CONFIG_PASSPHRASE_LOCKED" in locked["errors"][0]

    md = run.report
    assert "**❌ Blocked:**" in md
    assert "| `dev` | ❌ policy |" in md and "| `twin` | ❌ policy |" in md
    assert "| `broken` | ❌ failed |" in md and "| `locked` | ❌ failed |" in md
    assert "🛑 4" in md
    assert "#### Policy violations (1)" in md
    assert "<details open>\n<summary><b>dev</b>: ❌ policy</summary>" in md
    assert "> **🛑 Data-loss risk: 4 resources holding data would be replaced or deleted.**" in md


def test_accepting_the_data_loss_risk(
    engine: Engine, blocked_fleet: tuple[DataplaneProject, Path]
) -> None:
    """Without the twin, dev's only problem is its data-loss risk: it blocks until
    accepted by name. One preview at a time."""
    project, root = blocked_fleet
    (project.root / "stacks" / "Pulumi.twin.yaml").unlink()
    env = {"PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE}
    refused = run_fleet(engine, root / "out-refused", *fleet_args(project), "dev", env=env)
    assert refused.returncode == 1
    assert refused.stack("dev")["blocking"] == ["4 data-loss risks not accepted"]
    assert "| `dev` | 🛑 data loss |" in refused.report

    accepted = run_fleet(
        engine,
        root / "out-accepted",
        *fleet_args(project),
        "--accept-data-loss",
        "dev",
        "--jobs",
        "1",
        "dev",
        "broken",
        env=env,
    )
    assert accepted.returncode == 1  # broken still fails...
    assert accepted.stack("dev")["blocking"] == []  # ...but dev no longer blocks
    assert accepted.stack("dev")["data_loss_accepted"]
    assert "| `dev` | ⚠️ data loss accepted |" in accepted.report
    assert "4 (accepted)" in accepted.report
    assert accepted.summary["max_concurrent"] == 1
    spans = sorted((s["started"], s["finished"]) for s in accepted.summary["stacks"])
    assert spans[0][1] <= spans[1][0]  # one after the other

    alone = run_fleet(
        engine,
        root / "out-alone",
        *fleet_args(project),
        "--accept-data-loss",
        "dev",
        "dev",
        env=env,
    )
    assert alone.returncode == 0, alone.report
    assert "Data-loss risks accepted for `dev`." in alone.report
