"""The whole dev stack through the real engine: preview, up, a new revision, refresh, destroy.

The real program (components/program.py) runs inline with the toolchain's CLI, the
project's dynamic providers, the local control plane on loopback, a file:// backend, and
manifests rendered by the Kubernetes provider. tests/integration/test_local_program.py
runs the same project through the language host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from components.program import main
from local_controlplane.seed import ALPHA_ID, DEFAULT_API_KEY, DEPLOYMENTS
from local_controlplane.testing import run_server
from tests.integration.dataplane_project import DataplaneProject

pytestmark = pytest.mark.integration

OLD_IMAGE = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
NEW_IMAGE = "registry.example.com/agents/alpha:2.0.0"
LICENCE = "lgp-local-dev-fake-licence-key"


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


@pytest.fixture
def project(tmp_path: Path, controlplane: str) -> DataplaneProject:
    # The production default: the database is guarded.
    return DataplaneProject.create(
        tmp_path / "project",
        controlplane,
        config={"dataplane:postgres": {"deletionProtection": True}},
    )


def changes(summary: dict[str, int]) -> dict[str, int]:
    return {op: n for op, n in summary.items() if op != "same" and n}


def images_in(manifest_text: str, deployment: str) -> set[str]:
    found = set()
    for doc in yaml.safe_load_all(manifest_text):
        if doc and doc.get("kind") == "Deployment" and doc["metadata"]["name"] == deployment:
            found |= {c["image"] for c in doc["spec"]["template"]["spec"]["containers"]}
    return found


def test_lifecycle(project: DataplaneProject, controlplane: str) -> None:
    stack = project.stack(main)
    log = project.record

    # 1. A first preview plans the whole data plane.
    first = stack.preview(on_output=log)
    planned = changes(first.change_summary)
    assert set(planned) == {"create"} and planned["create"] > 30, planned

    # 2. `up` creates it, and the manifests carry the seeded images.
    up = stack.up(on_output=log)
    assert up.summary.result == "succeeded"
    assert changes(up.summary.resource_changes or {}) == planned
    revisions = up.outputs["revisions"].value
    assert revisions["agent-alpha"]["image"] == OLD_IMAGE
    assert set(up.outputs["server_urls"].value) == {"agent-alpha", "agent-beta"}
    assert images_in(project.manifest_text(), "agent-alpha-api") == {OLD_IMAGE}

    # 3. Nothing changed: nothing to do.
    assert changes(stack.preview(on_output=log).change_summary) == {}

    # 4. Someone ships a new revision in the control plane.
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        new_rev = client.create_revision(
            ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}}
        ).id

    # 5. The diff shows the concrete image change on both server Deployments.
    diff = stack.preview(diff=True, on_output=log)
    assert NEW_IMAGE in diff.stdout and OLD_IMAGE in diff.stdout
    planned = changes(diff.change_summary)
    assert set(planned) == {"update"}, planned
    steps = {s["urn"].split("::")[-1]: s for s in project.preview_json(stack)["steps"]}
    for name in ("dataplane-agent-alpha-api", "dataplane-agent-alpha-queue"):
        step = steps[name]
        assert step["op"] == "update", step["op"]
        container = step["newState"]["inputs"]["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == NEW_IMAGE
    # The JSON lists no step for an unchanged resource.
    assert "dataplane-agent-beta-api" not in steps
    assert steps["revision-agent-alpha"]["newState"]["inputs"]["revision_id"] == new_rev

    # 6. `up` rolls it out.
    stack.up(on_output=log)
    text = project.manifest_text()
    assert images_in(text, "agent-alpha-api") == {NEW_IMAGE}
    assert images_in(text, "agent-alpha-queue") == {NEW_IMAGE}
    assert images_in(text, "agent-beta-api") == {
        next(d["image_uri"] for d in DEPLOYMENTS if d["name"] == "agent-beta")
    }

    # 7. Refresh is clean, and so is the next preview. Rendered manifests have no cluster to
    # read back (the provider refuses: "unreachable cluster"), so the refresh reads what
    # the control plane holds: the listener and both revision syncs (their `read`).
    synced = [
        r["urn"]
        for r in stack.export_stack().deployment["resources"]
        if r["type"] == "pulumi-python:dynamic:Resource"
    ]
    assert len(synced) == 3, synced
    refresh = stack.refresh(target=synced, on_output=log)
    assert refresh.summary.result == "succeeded"
    assert changes(refresh.summary.resource_changes or {}) == {}
    assert changes(stack.preview(on_output=log).change_summary) == {}

    # No secret in plain text: state, outputs, and everything the CLI printed.
    passwords = project.rendered_passwords()
    assert len(passwords) >= 8, passwords  # Postgres and Redis per deployment, two forms each
    secrets = [DEFAULT_API_KEY, LICENCE, *passwords]
    secrets += [s["value"] for d in DEPLOYMENTS for s in d["secrets"]]
    for where, text in (
        ("stored state", project.stored_state_text()),
        ("CLI output", "\n".join(project.output)),
    ):
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secret values in plain text in the {where}"

    # 8. Destroy as documented: `--exclude-protected` removes everything but the data.
    done = stack.destroy(exclude_protected=True, on_output=log)
    assert done.summary.result == "succeeded"
    left = resource_types(stack)
    assert left.count("kubernetes:core/v1:PersistentVolumeClaim") == 2
    assert left.count("random:index/randomPassword:RandomPassword") == 2
    assert "kubernetes:apps/v1:Deployment" not in left
    text = project.manifest_text()
    assert "agent-alpha-postgres-data" in text
    assert not images_in(text, "agent-alpha-api")
    # A plain destroy then refuses the guarded database, saying how to proceed, and
    # deletes nothing.
    with pytest.raises(auto.CommandError, match="protected") as refused:
        stack.destroy(on_output=log)
    assert "pulumi state unprotect" in str(refused.value), str(refused.value)[-2000:]
    assert resource_types(stack) == left


def resource_types(stack: auto.Stack) -> list[str]:
    return [r["type"] for r in stack.export_stack().deployment.get("resources", [])]
