"""A new secret value in the control plane rolls the servers; nothing is replaced.

By default pulumi-kubernetes replaces a Secret whose data changes; with our fixed Secret
names that deletes it first and replaces every Deployment that reads it (downtime). The
program's Kubernetes provider updates Secrets in place instead, and the secrets' digest on
the pod templates rolls the pods.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.controlplane import ControlPlaneClient
from components.program import main
from local_controlplane.seed import ALPHA_ID, DEFAULT_API_KEY, DEPLOYMENTS
from local_controlplane.testing import run_server
from tests.integration.dataplane_project import DataplaneProject

pytestmark = pytest.mark.integration

ROTATED = "sk-local-rotated-value-not-real"


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


def test_a_rotated_secret_updates_in_place(tmp_path: Path, controlplane: str) -> None:
    project = DataplaneProject.create(tmp_path / "project", controlplane)
    stack = project.stack(main)
    assert stack.up(on_output=project.record).summary.result == "succeeded"

    alpha = next(d for d in DEPLOYMENTS if d["name"] == "agent-alpha")
    rotated = [{**s, "value": ROTATED} for s in alpha["secrets"]]
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        client.patch_deployment(ALPHA_ID, {"secrets": rotated})

    preview = project.preview_json(stack)
    ops = {s["urn"].split("::")[-1]: s["op"] for s in preview["steps"]}
    assert ops["dataplane-agent-alpha-revision-secrets"] == "update", ops
    for deployment in ("dataplane-agent-alpha-api", "dataplane-agent-alpha-queue"):
        assert ops[deployment] == "update", ops
    replaced = {n: op for n, op in ops.items() if op not in ("same", "update")}
    assert not replaced, f"replaced or deleted on a secret rotation: {replaced}"
    assert ROTATED not in json.dumps(preview)

    up = stack.up(on_output=project.record)
    assert up.summary.result == "succeeded"
    assert set(up.summary.resource_changes or {}) <= {"same", "update"}
