"""The nightly drift check through the real engine: `python -m preview_report.drift`.

The dev stack of a project copy, deployed (`up`) against a local control plane, then:
in sync (exit 0); then a revision shipped for agent-alpha and agent-beta deleted in the
control plane (exit 1): the preview shows alpha's revision not rolled out and beta leaving,
the refresh finds beta's sync gone. The dev stack renders manifests (no cluster), so the
refresh reads the control-plane syncs and the passwords, and the report says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from components.controlplane import ControlPlaneClient
from devtools.engine import DEV_PASSPHRASE, REPO
from devtools.leftovers import run_in_session
from local_controlplane.seed import ALPHA_ID, BETA_ID, DEFAULT_API_KEY
from local_controlplane.testing import run_server
from preview_report.drift_report import DRIFT_MARKER
from tests.integration.dataplane_project import DataplaneProject
from tests.integration.dataplane_project import engine as load_engine

pytestmark = pytest.mark.integration

NEW_IMAGE = "registry.example.com/agents/alpha:3.0.0"


def drift(project: DataplaneProject) -> tuple[int, str]:
    env = {**os.environ, **project.engine.env, "PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE}
    # Its own session, killed whole at the end: on the timeout, no CLI or plugin is left.
    done = run_in_session(
        [
            REPO / ".venv/bin/python",
            "-m",
            "preview_report.drift",
            "--project-dir",
            project.root,
            "--backend",
            f"file://{project.root / 'state'}",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.stdout.startswith(DRIFT_MARKER), done.stderr[-3000:]
    return done.returncode, done.stdout


def test_drift_check(tmp_path: Path) -> None:
    load_engine()
    with run_server(tmp_path / "controlplane.json") as url:
        project = DataplaneProject.create(tmp_path / "project", url)
        stack = project.stack()
        assert stack.up(on_output=project.record).summary.result == "succeeded"

        code, report = drift(project)
        assert code == 0, report
        assert "**✅ No drift:**" in report
        assert "| `dev` | ✅ in sync | 0 | 0 | 0 |" in report
        assert "no cluster: Kubernetes objects unread" in report

        with ControlPlaneClient(DEFAULT_API_KEY, base_url=url) as client:
            client.create_revision(ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}})
            client.delete_deployment(BETA_ID)

        code, report = drift(project)
    assert code == 1, report
    assert "**⚠️ drift in `dev`.**" in report
    assert "| `dev` | ⚠️ drift | 2 | 1 |" in report
    shipped = report[report.index("Revisions shipped but not rolled out") :]
    assert "| `agent-alpha` | new revision | `docker.io/langchain/langgraph-api:" in shipped
    assert f"→ `{NEW_IMAGE}`" in shipped
    assert "| `agent-beta` | removed |" in shipped
    behind = report[report.index("Changed behind Pulumi's back") :]
    assert "| `revision-agent-beta` | Resource | gone |" in behind
    # Nothing was changed: the state still serves the old revision of both.
    names = [r["urn"].rsplit("::", 1)[-1] for r in stack.export_stack().deployment["resources"]]
    assert "revision-agent-beta" in names
